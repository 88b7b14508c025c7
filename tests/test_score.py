"""`sanzhua score`: hand-worked ledgers with exact expected scores, one rule at a time."""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from sanzhua.load import load_ledger
from sanzhua.score import Scoreboard, reason_text, rules_from_root, rules_from_text, score_units

UNITS = """\
units:
  - {id: a, name: 甲局, kind: 县直部门}
  - {id: b, name: 乙镇, kind: 乡镇}
  - {id: c, name: 丙乡, kind: 乡镇}
  - {id: d, name: 丁办, kind: 县直部门}
"""


def make(
    tmp_path: Path, scoring: str, tasks: str, *, report_every: str = "none", units: str = UNITS
) -> Path:
    settings = f"name: 测试县\nyear: 2026\nreport_every: {report_every}\n"
    if scoring.strip():
        settings += "scoring:\n" + textwrap.indent(textwrap.dedent(scoring), "  ")
    (tmp_path / "sanzhua.yaml").write_text(settings, encoding="utf-8")
    (tmp_path / "units.yaml").write_text(units, encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "tasks.yaml").write_text(textwrap.dedent(tasks), encoding="utf-8")
    return tmp_path


def board(root: Path, start: date, end: date, as_of: date) -> Scoreboard:
    ledger = load_ledger(root, cache=False)
    rules, problems = rules_from_root(root)
    assert [p for p in problems if p.severity == "error"] == []
    return score_units(ledger, rules, start, end, as_of)


def scores(b: Scoreboard) -> dict[str, tuple[Decimal, int]]:
    return {u.unit: (u.score, u.rank) for u in b.units}


def assert_explained(b: Scoreboard) -> None:
    for u in b.units:
        assert u.base + sum((e.points for e in u.entries), Decimal(0)) == u.score
        for e in u.entries:
            assert e.points == e.rule_points * e.weight * e.share
            assert reason_text(e, "zh") and reason_text(e, "en")


YEAR = (date(2026, 1, 1), date(2026, 12, 31))

FULL_RULES = """\
base: 100
done_on_time: 2
done_early: 1
early_days: 5
done_late: -1
done_late_per_day: -0.1
done_late_cap: 1
overdue: -5
overdue_per_day: -0.2
overdue_cap: 3
milestone_missed: -1
behind: -1
report_missing: -0.5
partner_share: 0.5
category_weights:
  抓具体: 2
  抓具体/抓民生: 1.5
"""

FULL_TASKS = """\
unit: a
tasks:
  - {id: A1, title: 提前完成, category: 抓具体/抓项目, due: 2026-06-30, done: 2026-06-20}
  - {id: A2, title: 按时完成, category: 抓具体/抓民生, due: 2026-06-30, done: 2026-06-28}
  - {id: A3, title: 逾期完成, partners: [b], due: 2026-05-31, done: 2026-06-12}
  - {id: B1, title: 逾期十天, lead: b, weight: 0.5, due: 2026-09-01}
  - {id: B2, title: 逾期廿二天, lead: b, partners: [c], due: 2026-08-20}
  - id: B3
    title: 节点
    lead: b
    due: 2026-12-31
    milestones:
      - {name: 开工, due: 2026-07-15}
      - {name: 主体, due: 2026-08-15, done: 2026-08-14}
      - {name: 验收, due: 2026-09-10}
  - id: C1
    title: 滞后
    lead: c
    due: 2026-12-31
    progress:
      - {date: 2026-09-01, percent: 10}
  - {id: C2, title: 暂缓, lead: c, status: suspended, due: 2026-03-31}
  - {id: C3, title: 已完成无日期, lead: c, status: done, due: 2026-03-31}
"""


def test_every_rule_worked_by_hand(tmp_path: Path) -> None:
    # a: A1 (+2 +1) x2 = +6; A2 +2 x1.5 = +3;
    #    A3 -1 and 12 days x -0.1 = -1.2 capped to -1: -2  -> 107
    # b: A3 as partner (-1 -1) x0.5 = -1; B1 (-5, 10 x -0.2 = -2) x0.5 = -3.5;
    #    B2 -5 and 22 x -0.2 = -4.4 capped to -3: -8; B3 two milestones missed: -2  -> 85.5
    # c: B2 as partner -8 x0.5 = -4; C1 behind -1; C2 suspended, C3 done without a date: 0  -> 95
    # d: no tasks -> the base, 100, and no rank (listed last)
    root = make(tmp_path, FULL_RULES, FULL_TASKS)
    b = board(root, *YEAR, date(2026, 9, 11))
    assert scores(b) == {
        "a": (Decimal(107), 1),
        "c": (Decimal(95), 2),
        "b": (Decimal("85.5"), 3),
        "d": (Decimal(100), None),
    }
    assert [u.unit for u in b.units] == ["a", "c", "b", "d"]
    assert [u.unit for u in b.unranked] == ["d"] and not b.unit("d").ranked  # type: ignore[union-attr]
    assert_explained(b)
    a = b.unit("a")
    assert a is not None
    assert (
        a.counts["done_on_time"] == 2 and a.counts["done_early"] == 1 and a.counts["done_late"] == 1
    )
    reasons = [(e.task_id, e.reason_key, e.points) for e in a.entries]
    assert ("A1", "done_early", Decimal(2)) in reasons
    assert ("A3", "done_late_time", Decimal(-1)) in reasons
    bu = b.unit("b")
    assert bu is not None
    assert bu.counts == {
        "tasks": 3,
        "partner_tasks": 1,
        "done_on_time": 0,
        "done_early": 0,
        "done_late": 0,
        "overdue": 2,
        "milestone_missed": 2,
        "report_missing": 0,
        "behind": 0,
    }
    capped = next(e for e in bu.entries if e.task_id == "B2" and e.reason_key == "overdue_time")
    assert "封顶 3 分" in reason_text(capped, "zh") and "逾期 22 天" in reason_text(capped, "zh")


def test_defaults(tmp_path: Path) -> None:
    # base 100, +2 on time, +1 early (1 day before), -1 done late, -5 overdue
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 当天完成, due: 2026-03-31, done: 2026-03-31}
      - {id: T2, title: 提前一天, due: 2026-03-31, done: 2026-03-30}
      - {id: T3, title: 逾期完成, due: 2026-03-31, done: 2026-04-30}
      - {id: T4, title: 逾期, due: 2026-03-31, partners: [b]}
    """
    root = make(tmp_path, "", tasks)
    b = board(root, *YEAR, date(2026, 5, 1))
    assert scores(b)["a"] == (Decimal(100 + 2 + 3 - 1 - 5), 1)
    # partner_share defaults to 0: a partner's tasks are not scored, so b is not ranked
    assert scores(b)["b"] == (Decimal(100), None)


def test_period_boundaries_and_as_of(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 九月一日完成, due: 2026-12-31, done: 2026-09-01}
      - {id: T2, title: 八月卅一日完成, due: 2026-12-31, done: 2026-08-31}
      - {id: T3, title: 十月完成, due: 2026-12-31, done: 2026-10-02}
      - id: T4
        title: 节点月末到期
        due: 2026-12-31
        milestones: [{name: 八月底, due: 2026-08-31}, {name: 九月底, due: 2026-09-30}]
    """
    rules = "done_on_time: 2\ndone_early: 0\nmilestone_missed: -1\n"
    root = make(tmp_path, rules, tasks)
    # September, as of 30 September: T1 done; the milestone due 31 August is missed on
    # 1 September (counts now); the one due 30 September is not missed yet.
    sep = board(root, date(2026, 9, 1), date(2026, 9, 30), date(2026, 9, 30))
    assert scores(sep)["a"][0] == Decimal(100 + 2 - 1)
    # The same month scored later: T3's October done date is after the period and ignored.
    later = board(root, date(2026, 9, 1), date(2026, 9, 30), date(2026, 11, 25))
    assert scores(later)["a"][0] == Decimal(101)
    # October counts T3 and the milestone missed on 1 October.
    octo = board(root, date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 25))
    assert scores(octo)["a"][0] == Decimal(100 + 2 - 1)
    # as of 1 October, a done date of 2 October has not happened yet
    early = board(root, date(2026, 10, 1), date(2026, 10, 31), date(2026, 10, 1))
    assert scores(early)["a"][0] == Decimal(99)
    # Months add up to the year for event rules (everything here is an event).
    year = board(root, *YEAR, date(2026, 11, 25))
    assert scores(year)["a"][0] == Decimal(100 + 2 * 3 - 2)


def test_overdue_per_week_counts_a_started_week_and_cap(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 逾期1天, due: 2026-03-31}
      - {id: T2, title: 逾期8天, lead: b, due: 2026-03-24}
      - {id: T3, title: 逾期60天, lead: c, due: 2026-01-30}
    """
    rules = "overdue: -2\noverdue_per_week: -1\noverdue_cap: -4\n"
    root = make(tmp_path, rules, tasks)
    b = board(root, *YEAR, date(2026, 4, 1))
    # 1 day = 1 started week: -2 -1; 8 days = 2 weeks: -2 -2; 61 days = 9 weeks, capped at 4: -2 -4
    assert scores(b) == {
        "a": (Decimal(97), 1),
        "b": (Decimal(96), 2),
        "c": (Decimal(94), 3),
        "d": (Decimal(100), None),
    }
    assert_explained(b)


def test_overdue_is_a_state_at_the_period_end(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 三月到期十月完成, due: 2026-03-31, done: 2026-10-10}
      - {id: T2, title: 九月卅日到期, lead: b, due: 2026-09-30}
    """
    root = make(tmp_path, "overdue_per_day: -0.1\n", tasks)
    # September, as of 25 November: at 30 September T1 is 183 days overdue;
    # T2 is due that day, not overdue.
    sep = board(root, date(2026, 9, 1), date(2026, 9, 30), date(2026, 11, 25))
    assert scores(sep)["a"][0] == Decimal(100) - 5 - Decimal("18.3")
    assert scores(sep)["b"][0] == Decimal(100)
    # October: T1 done late (-1, per-day rules for done late default to 0); T2 overdue 31 days.
    octo = board(root, date(2026, 10, 1), date(2026, 10, 31), date(2026, 11, 25))
    assert scores(octo)["a"][0] == Decimal(99)
    assert scores(octo)["b"][0] == Decimal(100) - 5 - Decimal("3.1")


def test_behind_is_not_added_to_overdue(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - id: T1
        title: 逾期且滞后
        due: 2026-06-30
        progress: [{date: 2026-06-01, percent: 10}]
    """
    root = make(tmp_path, "", tasks)
    b = board(root, *YEAR, date(2026, 7, 10))
    assert scores(b)["a"][0] == Decimal(95)
    assert b.unit("a") is not None and b.unit("a").counts["behind"] == 0  # type: ignore[union-attr]


def test_reports_by_calendar_week(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - id: T1
        title: 周三开始
        start: 2026-03-04
        due: 2026-12-31
        progress: [{date: 2026-03-10, note: 已开工}]
      - id: T2
        title: 子任务报送算上级任务
        lead: b
        start: 2026-03-02
        due: 2026-12-31
      - id: T2-1
        title: 子任务
        lead: c
        parent: T2
        start: 2026-03-02
        progress: [{date: 2026-03-11, note: 进展}, {date: 2026-03-17, note: 进展}]
      - {id: T3, title: 周内完成, lead: d, start: 2026-03-02, due: 2026-12-31, done: 2026-03-18}
    """
    root = make(tmp_path, "done_on_time: 0\ndone_early: 0\n", tasks, report_every="week")
    # March as of Wednesday 25 March: weeks ending 1, 8, 15, 22 March count;
    # 23-29 March has not ended.
    b = board(root, date(2026, 3, 1), date(2026, 3, 31), date(2026, 3, 25))
    # T1 starts after the Monday of 2-8 March: not asked; 9-15 reported; 16-22 missing -> -0.5
    # T2: 2-8 missing; 9-15 and 16-22 have its child's entries -> -0.5
    # T2-1: 2-8 missing -> -0.5.
    # T3: 2-8 missing; done in 16-22, so 9-15 missing, 16-22 not asked -> -1
    assert scores(b) == {
        "a": (Decimal("99.5"), 1),
        "b": (Decimal("99.5"), 1),
        "c": (Decimal("99.5"), 1),
        "d": (Decimal(99), 4),
    }
    entries = b.unit("d").entries  # type: ignore[union-attr]
    assert [(e.args["from"], e.args["to"]) for e in entries] == [
        ("2026-03-02", "2026-03-08"),
        ("2026-03-09", "2026-03-15"),
    ]


def test_reports_by_month(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 月报, due: 2026-12-31, progress: [{date: 2026-02-27, note: 二月}]}
    """
    root = make(tmp_path, "report_missing: -2\n", tasks, report_every="month")
    b = board(root, *YEAR, date(2026, 4, 15))
    assert scores(b)["a"][0] == Decimal(100 - 2 - 2)  # January and March; April has not ended


def test_weights_task_category_prefix_and_zero(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 任务权重优先, category: 抓具体/抓民生, 权重: 3,
         due: 2026-03-31, done: 2026-03-31}
      - {id: T2, title: 最长前缀, category: 抓具体/抓民生/教育, due: 2026-03-31, done: 2026-03-31}
      - {id: T3, title: 前缀, category: 抓具体/抓项目, due: 2026-03-31, done: 2026-03-31}
      - {id: T4, title: 不是前缀, category: 抓具体化, due: 2026-03-31, done: 2026-03-31}
      - {id: T5, title: 权重零, weight: 0, due: 2026-03-31}
    """
    rules = """\
    done_on_time: 2
    done_early: 0
    category_weights: {抓具体: 2, 抓具体/抓民生: 1.5}
    """
    root = make(tmp_path, rules, tasks)
    b = board(root, *YEAR, date(2026, 4, 30))
    # 2x3 + 2x1.5 + 2x2 + 2x1 + (-5)x0
    assert scores(b)["a"][0] == Decimal(115)
    assert "T5" not in {e.task_id for e in b.unit("a").entries}  # type: ignore[union-attr]
    assert b.unit("a").counts["overdue"] == 1  # type: ignore[union-attr]


def test_partner_share_both_ways_and_duplicates(tmp_path: Path) -> None:
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 合作, partners: [b, c, b, a], due: 2026-03-31, done: 2026-03-31}
      - {id: T2, title: 合作逾期, partners: [c], due: 2026-03-31}
    """
    root = make(tmp_path, "done_early: 0\npartner_share: 0.25\n", tasks)
    b = board(root, *YEAR, date(2026, 4, 30))
    # T1 +2 to a, 0.25 x 2 to b and c (b once, a not as its own partner); T2 -5 to a, 0.25 x -5 to c
    assert scores(b) == {
        "b": (Decimal("100.5"), 1),
        "c": (Decimal("99.25"), 2),
        "a": (Decimal(97), 3),
        "d": (Decimal(100), None),
    }
    roles = {(e.task_id, e.role) for e in b.unit("c").entries}  # type: ignore[union-attr]
    assert roles == {("T1", "partner"), ("T2", "partner")}


def test_ties_share_a_rank_in_units_yaml_order(tmp_path: Path) -> None:
    units = "units:\n" + "".join(f"  - {{id: {u}, name: 单位{u}}}\n" for u in ("w", "z", "y", "x"))
    # y and z each lead a task that gains and loses nothing (open, not due yet): they are
    # scored at the base, and tie.
    tasks = """\
    unit: w
    tasks:
      - {id: T1, title: 甲, lead: x, due: 2026-03-31, done: 2026-03-31}
      - {id: T2, title: 乙, lead: w, due: 2026-03-31}
      - {id: T3, title: 丙, lead: y, due: 2026-12-31}
      - {id: T4, title: 丁, lead: z, due: 2026-12-31}
    """
    root = make(tmp_path, "done_early: 0\n", tasks, units=units)
    b = board(root, *YEAR, date(2026, 4, 30))
    assert [(u.unit, u.rank) for u in b.units] == [("x", 1), ("z", 2), ("y", 2), ("w", 4)]
    assert [u.unit for u in b.top(1)] == ["x"]
    assert [u.unit for u in b.top(2)] == ["x", "z", "y"]
    assert [u.unit for u in b.bottom(1)] == ["w"]
    assert [u.unit for u in b.bottom(3)] == ["z", "y", "w"]


def test_units_without_a_scored_task_are_not_ranked(tmp_path: Path) -> None:
    """A unit is ranked when it leads a task scored in the period (or is its partner and
    partner_share is not 0); others get no rank and come last, in units.yaml order."""
    tasks = """\
    unit: a
    tasks:
      - {id: T1, title: 三月完成, due: 2026-03-31, done: 2026-03-20, partners: [d]}
      - {id: T2, title: 暂缓, lead: b, status: suspended, due: 2026-03-31}
      - {id: T3, title: 权重零, lead: c, weight: 0, due: 2026-03-31}
      - {id: T4, title: 已完成无日期, lead: d, status: done, due: 2026-03-31}
    """
    root = make(tmp_path, "", tasks)
    year = board(root, *YEAR, date(2026, 11, 25))
    assert [(u.unit, u.rank) for u in year.units] == [
        ("a", 1),
        ("b", None),
        ("c", None),
        ("d", None),
    ]
    assert [u.unit for u in year.top(3)] == ["a"] and [u.unit for u in year.bottom(3)] == ["a"]
    # In November, T1 (done in March) is not scored: nobody is ranked.
    nov = board(root, date(2026, 11, 1), date(2026, 11, 30), date(2026, 11, 25))
    assert nov.ranked == () and nov.top(3) == () and nov.bottom(3) == ()
    assert all(u.score == 100 for u in nov.units)
    # A partner is ranked once its share counts; an open task not due yet is scored at 0.
    (root / "ledgers" / "tasks.yaml").write_text(
        textwrap.dedent(tasks) + "  - {id: T5, title: 推进中, lead: b, due: 2026-12-31}\n",
        encoding="utf-8",
    )
    text = (root / "sanzhua.yaml").read_text(encoding="utf-8")
    (root / "sanzhua.yaml").write_text(text + "scoring:\n  partner_share: 0.5\n", encoding="utf-8")
    shared = board(root, *YEAR, date(2026, 11, 25))
    assert [(u.unit, u.rank) for u in shared.units] == [
        ("a", 1),
        ("d", 2),
        ("b", 3),
        ("c", None),
    ]


def test_kind_ranks_among_its_own(tmp_path: Path) -> None:
    root = make(tmp_path, "", FULL_TASKS)
    ledger = load_ledger(root, cache=False)
    rules, _ = rules_from_root(root)
    b = score_units(ledger, rules, *YEAR, date(2026, 9, 11), kinds=["乡镇"])
    # defaults: c -1 (behind); b -5 x 0.5 (B1), -5 (B2), -2 (two milestones)
    assert scores(b) == {"c": (Decimal(99), 1), "b": (Decimal("90.5"), 2)}


def test_period_in_the_future_counts_nothing(tmp_path: Path) -> None:
    root = make(tmp_path, "", FULL_TASKS)
    b = board(root, date(2026, 12, 1), date(2026, 12, 31), date(2026, 9, 11))
    assert all(u.score == 100 and not u.entries for u in b.units)


def test_deterministic(tmp_path: Path) -> None:
    root = make(tmp_path, FULL_RULES, FULL_TASKS)
    one = board(root, *YEAR, date(2026, 9, 11))
    two = board(root, *YEAR, date(2026, 9, 11))
    assert one.units == two.units


# ---------------------------------------------------------------------------
# Rules: validation with positions


def test_rules_problems_have_positions() -> None:
    text = textwrap.dedent("""\
        name: 县
        scoring:
          base: 100
          overdue_cap: 三
          done_ontime: 2
          overdue: 5
          partner_share: 2
          early_days: 0
          category_weights: {抓具体: -1}
    """)
    rules, problems = rules_from_text(text)
    got = {(p.line, p.column, p.code, p.severity) for p in problems}
    assert (4, 16, "invalid-value", "error") in got
    assert (5, 3, "unknown-key", "error") in got
    assert (6, 12, "invalid-scoring", "warning") in got
    assert (7, 18, "invalid-value", "error") in got
    assert (8, 15, "invalid-value", "error") in got
    assert any(p.line == 9 and p.code == "invalid-value" for p in problems)
    hint = next(p.hint for p in problems if p.code == "unknown-key")
    assert hint is not None and hint.args["guess"] == "done_on_time"
    # bad keys keep their defaults; good ones are used
    assert rules.overdue == 5 and rules.overdue_cap is None and rules.partner_share == 0


def test_rules_accept_full_width_and_unicode_minus() -> None:
    rules, problems = rules_from_text(
        "name: 县\nscoring:\n  overdue: －５\n  report_missing: −0.5\n  overdue_cap: -3\n"
    )
    assert problems == []
    assert (
        rules.overdue == -5 and rules.report_missing == Decimal("-0.5") and rules.overdue_cap == 3
    )


def test_check_reports_scoring_problems(tmp_path: Path) -> None:
    root = make(tmp_path, "done_ontime: 2\ncategory_weights: {没有: 2}\n", FULL_TASKS)
    result = CliRunner().invoke(
        app,
        [
            "check",
            "--root",
            str(root),
            "--as-of",
            "2026-09-11",
            "-f",
            "json",
            "--select",
            "invalid-scoring",
        ],
    )
    doc = json.loads(result.stdout)
    got = [(p["file"], p["line"], p["severity"]) for p in doc["problems"]]
    assert got == [("sanzhua.yaml", 5, "error"), ("sanzhua.yaml", 6, "warning")]
    assert result.exit_code == 1


# ---------------------------------------------------------------------------
# The command


def test_cli_json_shape_and_explain(tmp_path: Path) -> None:
    root = make(tmp_path, FULL_RULES, FULL_TASKS)
    runner = CliRunner()
    r = runner.invoke(app, ["score", "--root", str(root), "--as-of", "2026-09-11", "-f", "json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["version"] == 1 and doc["as_of"] == "2026-09-11"
    assert doc["period"] == {
        "start": "2026-01-01",
        "end": "2026-12-31",
        "kind": "year",
        "evaluated_at": "2026-09-11",
    }
    assert [(u["unit"], u["score"], u["rank"]) for u in doc["units"]] == [
        ("a", 107, 1),
        ("c", 95, 2),
        ("b", 85.5, 3),
        ("d", 100, None),
    ]
    for u in doc["units"]:
        assert (
            sum(Decimal(str(e["points"])) for e in u["entries"]) == Decimal(str(u["score"])) - 100
        )
    r = runner.invoke(
        app, ["score", "--root", str(root), "--as-of", "2026-09-11", "--explain", "b"]
    )
    assert r.exit_code == 0
    assert (
        "85.5" in r.stdout
        and "B2" in r.stdout
        and "封顶" in r.stdout
        and "配合单位分成 0.5" in r.stdout
    )
    r = runner.invoke(
        app,
        [
            "score",
            "--root",
            str(root),
            "--as-of",
            "2026-09-11",
            "--explain",
            "乙镇",
            "-f",
            "json",
            "--lang",
            "en",
        ],
    )
    one = json.loads(r.stdout)
    assert one["unit"] == "b" and one["score"] == 85.5 and "capped at 3" in r.stdout
    r = runner.invoke(app, ["score", "--root", str(root), "--as-of", "2026-09-11", "-f", "csv"])
    assert r.stdout.splitlines()[1].startswith("1,a,甲局,县直部门,107,")
    r = runner.invoke(
        app, ["score", "--root", str(root), "--as-of", "2026-09-11", "-f", "md", "--month"]
    )
    assert r.stdout.startswith("## 月度考评排名 2026年9月")
    r = runner.invoke(
        app,
        [
            "score",
            "--root",
            str(root),
            "--as-of",
            "2026-09-11",
            "--from",
            "2026-06-01",
            "--to",
            "2026-06-30",
            "-f",
            "json",
        ],
    )
    assert json.loads(r.stdout)["period"]["kind"] == "custom"
    r = runner.invoke(
        app, ["score", "--root", str(root), "--as-of", "2026-09-11", "--explain", "nobody"]
    )
    assert r.exit_code == 2


def test_cli_refuses_bad_rules_and_options(tmp_path: Path) -> None:
    root = make(tmp_path, "overdue_cap: 三\n", FULL_TASKS)
    runner = CliRunner()
    r = runner.invoke(app, ["score", "--root", str(root), "--as-of", "2026-09-11"])
    assert r.exit_code == 1
    r = runner.invoke(app, ["score", "--root", str(root), "--month", "--year"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["score", "--root", str(root), "-f", "xml"])
    assert r.exit_code == 2


@pytest.mark.parametrize(
    "flag,start,end",
    [
        ("--month", "2026-09-01", "2026-09-30"),
        ("--quarter", "2026-07-01", "2026-09-30"),
        ("--year", "2026-01-01", "2026-12-31"),
    ],
)
def test_cli_periods(tmp_path: Path, flag: str, start: str, end: str) -> None:
    root = make(tmp_path, "", FULL_TASKS)
    r = CliRunner().invoke(
        app, ["score", "--root", str(root), "--as-of", "2026-09-11", flag, "-f", "json"]
    )
    period = json.loads(r.stdout)["period"]
    assert (period["start"], period["end"]) == (start, end)


@pytest.mark.parametrize("columns", [80, 100])
def test_table_fits_a_terminal_and_wide_shows_every_count(columns: int) -> None:
    from sanzhua.output import width

    example = Path(__file__).resolve().parent.parent  # the example ledger, 30 units
    args = ["score", "--root", str(example), "--as-of", "2026-11-25", "--year"]
    runner = CliRunner()
    r = runner.invoke(app, args, env={"COLUMNS": str(columns)})
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(width(line.rstrip()) for line in lines) <= columns
    assert "…" not in r.stdout  # nothing cut short
    assert "县纪委监委（县监察局）" in r.stdout
    assert "提前完成" not in r.stdout
    assert any(line.split()[:1] == ["—"] for line in lines)  # units without a rank
    assert "不参加排名" in lines[-1]
    r = runner.invoke(app, [*args, "--wide"], env={"COLUMNS": str(columns)})
    assert r.exit_code == 0, r.output
    head = next(line for line in r.stdout.splitlines() if "编号" in line)
    for word in ("牵头任务", "配合任务", "提前完成", "逾期完成", "进度滞后", "未报送进展"):
        assert word in head
    assert "…" not in r.stdout


def test_an_absurd_weight_or_points_are_refused_with_their_bound(tmp_path: Path) -> None:
    """A weight of 1e308 (a task's own or a category's) or points of 1e308 were accepted, and
    `score` printed 300-digit numbers (issue 14, p-redout). `check` now refuses each with its
    bound (a weight at most 100, points within ±10,000); the bounds themselves are accepted."""
    tasks = """\
        unit: a
        tasks:
          - {id: T1, title: 权重过大, category: 抓具体, weight: 1e308, due: 2026-09-01}
          - {id: T2, title: 权重上限, category: 抓具体, weight: 100, due: 2026-09-01}
        """
    root = make(tmp_path, "overdue_per_day: -1e308\nbase: 10000\ncategory_weights: {抓具体: 1e9}\n", tasks)
    result = CliRunner().invoke(app, ["check", "--root", str(root), "--as-of", "2026-09-11", "-f", "json"])
    doc = json.loads(result.stdout)
    got = {(p["file"], p["line"], p["code"]) for p in doc["problems"] if p["severity"] == "error"}
    assert got == {
        ("ledgers/tasks.yaml", 3, "invalid-value"),
        ("sanzhua.yaml", 5, "invalid-scoring"),
        ("sanzhua.yaml", 7, "invalid-scoring"),
    }, doc
    said = " ".join(p["message"] + " " + (p.get("hint") or "") for p in doc["problems"])
    assert "不能超过 100" in said and "-10000" in said and "不能大于 100" in said, said
    result = CliRunner().invoke(app, ["score", "--root", str(root), "--as-of", "2026-09-11", "--allow-errors"])
    assert result.exit_code == 1 and not re.search(r"\d{20}", result.output), result.output
    (root / "sanzhua.yaml").write_text("name: 测试县\nyear: 2026\nreport_every: none\n", encoding="utf-8")
    (root / "ledgers/tasks.yaml").write_text(textwrap.dedent(tasks).replace("1e308", "0.5"), encoding="utf-8")
    result = CliRunner().invoke(app, ["score", "--root", str(root), "--as-of", "2026-09-11", "-f", "json"])
    assert result.exit_code == 0, result.output
    assert "-500" in result.output  # 100 × -5 for T2
