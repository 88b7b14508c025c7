"""Messages that name the real mistake (issue 15.3): each case is a real YAML file as a
clerk writes it, and the message must say the cause and its fix, once, on the right line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeLedger
from tests.test_check import run

MERGED = """\
unit: fgw
tasks:
  - id: FGW-001
    title: 重点项目前期推进工作
    owner: 张三
    due: 年底
    partners: [chengguan]
    progress:
      - {date: 2026-01-10, value: 0, note: 已部署}
    id: FGW-002
    title: 第二项任务
    owner: 李四
    due: 年底
    extensions:
      - {date: 2026-09-01, to: 2026-12-31, approved_by: 王县长, ref: 县政办〔2026〕1号}
"""


TASK_HEAD = "unit: fgw\ntasks:\n  - id: FGW-001\n    title: 任务一\n"


def all_problems(root: Path) -> list[dict[str, object]]:
    _, doc = run(root)
    assert isinstance(doc, dict)
    probs = doc["problems"]
    assert isinstance(probs, list)
    return probs


def test_task_missing_its_dash_is_one_error_that_says_so(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": MERGED})
    probs = all_problems(root)
    assert len(probs) == 1, probs  # not seven: no duplicate-key, no extension-mismatch from the merge
    p = probs[0]
    assert (p["file"], p["line"], p["column"], p["code"]) == ("ledgers/fgw.yaml", 10, 5, "syntax")
    assert "漏写了“- ”" in str(p["message"]) and "新一项" in str(p["message"])
    assert p["hint"] == "在“id”前面加上“- ”，与上一项的“- ”对齐：“  - id: FGW-002”（不要删除这些行）"
    assert "删掉" not in str(p["hint"])
    # the second task is read as a task of its own (its data is not lost to the first)
    _, doc = run(root, fmt="json")
    assert isinstance(doc, dict)
    assert doc["summary"]["tasks"] == 2  # type: ignore[index]


def test_missing_dash_in_milestones(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/fgw.yaml": """\
            unit: fgw
            tasks:
              - id: FGW-001
                title: 任务
                due: 年底
                milestones:
                  - name: 完成招标
                    due: 6月底
                    name: 开工建设
                    due: 9月底
            """
        }
    )
    probs = all_problems(root)
    assert [(p["line"], p["code"]) for p in probs] == [(9, "syntax")]
    assert "  - name: 开工建设" in str(probs[0]["hint"])


def test_a_real_duplicate_key_still_says_duplicate(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/d.yaml": "unit: fgw\ntasks:\n  - id: A\n    title: x\n    due: 年底\n    title: y\n"})
    probs = all_problems(root)
    assert [(p["line"], p["code"]) for p in probs] == [(6, "duplicate-key")]


def test_fullwidth_space_indentation_points_at_its_line(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {"ledgers/fgw.yaml": TASK_HEAD + "\u3000\u3000due: 年底\n    owner: 张三\n"}
    )
    probs = all_problems(root)
    assert len(probs) == 1, probs
    p = probs[0]
    assert (p["file"], p["line"], p["column"], p["code"]) == ("ledgers/fgw.yaml", 5, 1, "syntax")
    assert "全角空格" in str(p["message"])
    assert "半角空格" in str(p["hint"])


def test_fullwidth_space_on_the_last_line_of_a_task(make_ledger: MakeLedger) -> None:
    # YAML reads this one without an error, as a key "　　owner" of the file itself
    root = make_ledger(
        {"ledgers/fgw.yaml": TASK_HEAD + "    due: 年底\n\u3000\u3000owner: 张三\n"}
    )
    probs = all_problems(root)
    assert [(p["line"], p["code"]) for p in probs] == [(6, "syntax")]
    assert "全角空格" in str(probs[0]["message"])


def test_fullwidth_comma_in_braces(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/fgw.yaml": """\
            unit: fgw
            tasks:
              - id: FGW-001
                title: 任务一
                due: 年底
                milestones:
                  - {name: 完成筛选， due: 6月底}
            """
        }
    )
    probs = all_problems(root)
    assert len(probs) == 1, probs
    p = probs[0]
    assert (p["file"], p["line"], p["column"], p["code"]) == ("ledgers/fgw.yaml", 7, 20, "syntax")
    assert "全角逗号" in str(p["message"]) and "没有对应" not in str(p["message"])
    assert "半角逗号" in str(p["hint"])


def test_partners_separated_by_dunhao_and_fullwidth_comma(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/fgw.yaml": """\
            unit: fgw
            tasks:
              - id: FGW-001
                title: 任务一
                due: 年底
                partners: [县教育局、城关镇]
              - id: FGW-002
                title: 任务二
                due: 年底
                partners: [jyj，chengguan, 县教育局]
              - id: FGW-003
                title: 任务三
                due: 年底
                partners: [东屯镇、城关镇]
            """
        }
    )
    probs = all_problems(root)
    assert [(p["line"], p["column"], p["code"]) for p in probs] == [(14, 16, "unknown-unit")]
    assert probs[0]["message"] == "单位“东屯镇”不在 units.yaml 中"
    assert "添加这个单位" in str(probs[0]["hint"])


def test_partners_split_reach_status(make_ledger: MakeLedger) -> None:
    from sanzhua.load import load_ledger

    root = make_ledger(
        {"ledgers/fgw.yaml": TASK_HEAD + "    due: 年底\n    partners: [县教育局、城关镇]\n"}
    )
    ledger = load_ledger(root, cache=False)
    assert ledger.tasks[0].partners == ("jyj", "chengguan")


@pytest.mark.parametrize(
    ("body", "where", "says", "fix"),
    [
        ("    due:年底\n", (5, 8), "“due:”的冒号后面缺少空格", "“due: …”"),
        ("     due: 年底\n", (5, 6), "缩进了 5 个空格，上面的“title”是 4 个", "改成 4 个空格"),
        ("   due: 年底\n", (5, 4), "缩进了 3 个空格，上面的“title”是 4 个", "改成 4 个空格"),
        ("    due: 年底\n  - id:T-2\n    title: x\n    due: 年底\n", (6, 7), "“id:”的冒号后面缺少空格", "“id: …”"),
    ],
)
def test_colon_without_space_and_indentation_off(
    make_ledger: MakeLedger, body: str, where: tuple[int, int], says: str, fix: str
) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASK_HEAD + body})
    probs = all_problems(root)
    assert len(probs) == 1, probs
    p = probs[0]
    assert (p["file"], (p["line"], p["column"]), p["code"]) == ("ledgers/fgw.yaml", where, "syntax")
    assert says in str(p["message"]) and fix in str(p["hint"])


@pytest.mark.parametrize(
    ("body", "fix"),
    [
        ("    due: 年底\n    done: 是\n", "只知道已完成、不知道日期的，改写 status: done"),
        ("    due: 年底\n    完成: 已完成\n", "“完成”写完成的那一天"),
        ("    due: 11.30\n", "写成 11月30日 或 2026-11-30"),
    ],
)
def test_unreadable_dates_say_the_fix(make_ledger: MakeLedger, body: str, fix: str) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASK_HEAD + body})
    probs = all_problems(root)
    assert [p["code"] for p in probs] == ["invalid-date"]
    assert fix in str(probs[0]["hint"])
