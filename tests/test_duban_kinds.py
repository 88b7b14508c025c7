"""Kinds with clocks (类型) and 签收: a real ledger with a task of each kind, evaluated at given dates."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.brief import brief
from sanzhua.commands.check import check
from sanzhua.evaluate import evaluate
from sanzhua.kinds import add_months
from sanzhua.load import load_ledger
from sanzhua.score import score_units
from tests.conftest import UNITS, MakeLedger

SETTINGS = """\
name: 测试县督查台账
office: 县政府督查室
year: 2026
lang: zh
kinds:
  领导批示件: {answer_days: 3}        # the county answers an instruction within 3 working days
  专项督查: {aliases: [special], ack_days: 2, answer_days: 10, scored: false}
"""

TASKS = {
    "ledgers/fgw.yaml": """\
        unit: fgw
        tasks:
          - id: PS-1
            title: 落实县长关于项目建设的批示
            kind: 领导批示件
            source: 县长批示〔2026〕8号
            assigned: 2026-11-02
            acknowledged: 2026-11-03
            progress: [{date: 2026-11-04, percent: 50}]
          - id: PS-2
            title: 落实副县长关于安全生产的批示
            类型: instruction
            source: 副县长批示
            交办日期: 2026-11-02
            progress: [{date: 2026-11-03, percent: 10}]
          - id: YD-1
            title: 常务会议议定的道路改造
            kind: 会议议定事项
            source: 县政府常务会议纪要〔2026〕20号
            assigned: 2026-11-02
            acknowledged: 2026-11-02
            start: 2026-11-02
            due: 2026-12-31
            progress: [{date: 2026-11-20, percent: 30}]
          - id: ZD-1
            title: 重点项目前期工作
            start: 2026-01-01
            due: 2026-12-31
            progress: [{date: 2026-11-20, percent: 90}]
    """,
    "ledgers/jyj.yaml": """\
        unit: jyj
        tasks:
          - id: RD-1
            title: 关于增加城区学位的建议
            kind: 人大代表建议
            source: 第12号建议
            assigned: 2026-05-20
            acknowledged: 2026-05-22
            start: 2026-05-20
            done: 2026-08-10
            satisfaction: 满意
          - id: ZX-1
            title: 关于改善校园周边交通的提案
            kind: 政协提案
            source: 第35号提案
            assigned: 2026-05-31
            start: 2026-05-31
            acknowledged: 2026-06-01
            done: 2026-09-05
    """,
    "ledgers/chengguan.yaml": """\
        unit: chengguan
        tasks:
          - id: RX-1
            title: 12345 工单：小区路灯不亮
            kind: "12345"
            assigned: 2026-11-20
            acknowledged: 2026-11-20
            start: 2026-11-20
          - id: ZX-2
            title: 专项督查：农贸市场整治
            kind: special
            assigned: 2026-11-16
            start: 2026-11-16
            progress: [{date: 2026-11-23, percent: 40}]
    """,
}


@pytest.fixture
def ledger(make_ledger: MakeLedger) -> Path:
    return make_ledger(TASKS, settings=SETTINGS, units=UNITS)


def states_at(root: Path, day: str) -> dict[str, tuple[tuple[str, ...], str]]:
    ev = evaluate(load_ledger(root, cache=False), date.fromisoformat(day))
    return {tid: (ts.states, ts.light) for tid, ts in ev.tasks.items()}


def test_deadlines_come_from_assigned_and_the_kind(ledger: Path) -> None:
    lg = load_ledger(ledger, cache=False)
    due = {t.id: (t.due, t.due_text, t.due_derived) for t in lg.tasks}
    # 领导批示件: 3 working days after Monday 2 November (the setting changes the built-in 5)
    assert due["PS-1"] == (date(2026, 11, 5), "交办后3个工作日", True)
    assert due["PS-2"] == (date(2026, 11, 5), "交办后3个工作日", True)
    assert due["YD-1"] == (date(2026, 12, 31), "2026-12-31", False)  # a written due wins
    assert due["RD-1"] == (date(2026, 8, 20), "交办后3个月", True)
    assert due["ZX-1"] == (date(2026, 8, 31), "交办后3个月", True)
    # 12345: 5 working days after Friday 20 November
    assert due["RX-1"] == (date(2026, 11, 27), "交办后5个工作日", True)
    assert due["ZX-2"] == (date(2026, 11, 30), "交办后10个工作日", True)  # a kind of the ledger's own
    assert due["ZD-1"][2] is False


def test_unacknowledged_after_the_kinds_limit(ledger: Path) -> None:
    # PS-2 was assigned on Monday 2 November; a 领导批示件 is acknowledged within 1 working day.
    assert "unacknowledged" not in states_at(ledger, "2026-11-03")["PS-2"][0]  # the last day to do it
    s, light = states_at(ledger, "2026-11-04")["PS-2"]
    assert "unacknowledged" in s and light == "yellow"
    assert "unacknowledged" not in states_at(ledger, "2026-11-04")["PS-1"][0]  # acknowledged on the 3rd
    # ZX-2 (专项督查, 2 working days from Monday 16 November): 未签收 from Thursday the 19th
    assert "unacknowledged" not in states_at(ledger, "2026-11-18")["ZX-2"][0]
    assert "unacknowledged" in states_at(ledger, "2026-11-19")["ZX-2"][0]
    # before it was assigned, nothing is owed
    assert "unacknowledged" not in states_at(ledger, "2026-11-01")["PS-2"][0]


def test_states_over_several_weeks(ledger: Path) -> None:
    at = states_at(ledger, "2026-11-04")
    assert at["PS-1"] == (("due_soon",), "yellow")
    at = states_at(ledger, "2026-11-06")
    assert at["PS-1"][0][0] == "overdue" and at["PS-1"][1] == "red"
    assert "overdue" in at["PS-2"][0] and "unacknowledged" in at["PS-2"][0]
    at = states_at(ledger, "2026-11-25")
    # 12345 reports on no cycle: never no_report, due 27 November
    assert at["RX-1"] == (("due_soon",), "yellow")
    assert at["RD-1"] == (("done",), "done")
    assert at["ZX-1"] == (("done_late",), "done")
    # 人大代表建议 reports monthly: on 15 July, six weeks after the last report would be late
    at = states_at(ledger, "2026-07-15")
    assert "no_report" in at["RD-1"][0]
    at = states_at(ledger, "2026-06-10")
    assert "no_report" not in at["RD-1"][0]  # weekly would be late by now; monthly is not


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2026, 5, 20), 3) == date(2026, 8, 20)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)
    assert add_months(date(2026, 10, 31), 14) == date(2027, 12, 31)


def _check(root: Path, day: str = "2026-11-25") -> list[tuple[str, int, str]]:
    out = io.StringIO()
    check(root, as_of=date.fromisoformat(day), fmt="json", lang="zh", out=out, cache=False)
    return [(p["file"], p["line"], p["code"]) for p in json.loads(out.getvalue())["problems"]]


def test_check_reports_what_a_kind_requires(ledger: Path) -> None:
    found = _check(ledger)
    # ZX-1 is done without a satisfaction result (政协委员提案 records one)
    assert ("ledgers/jyj.yaml", 14, "kind-requires") in found
    assert [f for f in found if f[2] in ("kind-requires", "unknown-kind", "missing-key")] == [
        ("ledgers/jyj.yaml", 14, "kind-requires")
    ]


def test_check_reports_an_unknown_kind_and_a_missing_source(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/fgw.yaml": """\
                unit: fgw
                tasks:
                  - id: A-1
                    title: 批示件缺少依据
                    kind: 领导批示件
                    assigned: 2026-11-02
                  - id: A-2
                    title: 类型写错
                    kind: 领导批事件
                    due: 2026-12-31
            """
        },
        settings=SETTINGS,
        units=UNITS,
    )
    out = io.StringIO()
    check(root, as_of=date(2026, 11, 25), fmt="json", lang="zh", out=out, cache=False)
    problems = json.loads(out.getvalue())["problems"]
    got = {(p["line"], p["column"], p["code"]): p for p in problems}
    assert (5, 11, "kind-requires") in got
    assert "source（依据）" in got[(5, 11, "kind-requires")]["message"]
    assert (9, 11, "unknown-kind") in got
    assert "领导批示件" in got[(9, 11, "unknown-kind")]["hint"]


def test_settings_kinds_errors_point_at_the_kind(make_ledger: MakeLedger) -> None:
    settings = SETTINGS + "  自定义: {answer_days: 3, answer_months: 1, requires: [nonsense]}\n"
    root = make_ledger({}, settings=settings, units=UNITS)
    out = io.StringIO()
    code = check(root, as_of=date(2026, 11, 25), fmt="json", lang="zh", out=out, cache=False)
    problems = [(p["file"], p["line"], p["code"], p["message"]) for p in json.loads(out.getvalue())["problems"]]
    assert code == 1
    assert [p[:3] for p in problems] == [("sanzhua.yaml", 8, "invalid-value"), ("sanzhua.yaml", 8, "invalid-value")]
    assert "answer_days 和 answer_months" in problems[0][3] and "nonsense" in problems[1][3]


def test_unscored_kinds_are_left_out_of_the_score(ledger: Path) -> None:
    from sanzhua.score import rules_from_settings

    lg = load_ledger(ledger, cache=False)
    rules = rules_from_settings(lg.settings)
    board = score_units(lg, rules, date(2026, 1, 1), date(2026, 12, 31), date(2026, 12, 10))
    scored = {e.task_id for u in board.units for e in u.entries}
    assert "RX-1" not in scored and "ZX-2" not in scored  # 12345 and the ledger's 专项督查 are not scored
    assert {"PS-1", "RD-1", "ZX-1"} <= scored


def test_bulletin_has_a_section_per_kind(ledger: Path) -> None:
    out = io.StringIO()
    assert brief(ledger, as_of=date(2026, 11, 25), out=out) == 0
    text = out.getvalue()
    assert "按任务类型：" in text
    assert "| 重点工作 | 1 | 0 | 0 | 0 | 0 | 0% |" in text
    assert "| 领导批示件 | 2 | 0 | 2 | 1 | 0 | 0% |" in text
    assert "| 12345/信访件 | 1 | 0 | 0 | 0 | 0 | 0% |" in text and "| 专项督查 | 1 | 0 | 0 | 1 | 0 | 0% |" in text
    assert "**领导批示件**（2件）：" in text
    assert "| 2 | PS-2 | 落实副县长关于安全生产的批示 | 县发改委 | 2026年11月2日 | 未签收 | 2026年11月5日 |" in text
    assert "**人大代表建议**（1件）：" in text and "| 满意 |" in text
    assert "**重点工作**" not in text  # the default kind is counted, not listed


def test_bulletin_without_kinds_has_no_kind_section(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS["ledgers/fgw.yaml"].split("          - id: ZD-1")[0]
                        .replace("kind: 领导批示件", "due: 2026-11-30").replace("类型: instruction", "due: 2026-11-30")
                        .replace("kind: 会议议定事项", "")},
                       settings=SETTINGS, units=UNITS)
    out = io.StringIO()
    assert brief(root, as_of=date(2026, 11, 25), out=out) == 0
    assert "按任务类型" not in out.getvalue()


def test_status_filters_by_the_new_state(ledger: Path) -> None:
    from sanzhua.commands.status import status
    from sanzhua.selection import StatusFilter

    out = io.StringIO()
    status(ledger, as_of=date(2026, 11, 25), fmt="json", flt=StatusFilter(states=("unacknowledged",)), out=out)
    doc = json.loads(out.getvalue())
    assert [t["id"] for t in doc["tasks"]] == ["PS-2", "ZX-2"]


def test_remind_includes_unacknowledged_tasks(ledger: Path) -> None:
    from sanzhua.commands.remind import remind

    out = io.StringIO()
    assert remind(ledger, as_of=date(2026, 11, 4), fmt="json", env={}, out=out) == 0
    doc = json.loads(out.getvalue())
    got = [(m["unit"], [(i["task"], i["state"]) for i in m["items"]]) for m in doc["messages"]]
    assert got == [
        ("fgw", [("PS-2", "unacknowledged"), ("PS-1", "due_soon"), ("PS-2", "due_soon"), ("ZD-1", "no_report")])
    ]
    assert "PS-2 落实副县长关于安全生产的批示 — 2026-11-02 交办，尚未签收" in doc["messages"][0]["text"]


def test_word_bulletin_has_the_kind_section(ledger: Path, tmp_path: Path) -> None:
    import docx

    path = tmp_path / "b.docx"
    assert brief(ledger, as_of=date(2026, 11, 25), fmt="docx", output=path, out=io.StringIO()) == 0
    d = docx.Document(str(path))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in d.paragraphs] + cells)
    assert "各类型任务办理情况如下：" in text and "领导批示件（2件）" in text and "12345/信访件" in text
    assert "重点工作（" not in text  # counted, not listed
    assert "{%" not in text and "{{" not in text
