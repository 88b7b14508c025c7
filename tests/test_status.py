"""`sanzhua status` and `sanzhua show`: what the office sees first thing in the morning."""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.show import show
from sanzhua.commands.status import status
from sanzhua.errors import FatalError
from sanzhua.selection import StatusFilter
from tests.conftest import REPO, MakeLedger

AS_OF = date(2026, 11, 25)

LEDGER = """\
unit: fgw
tasks:
  - id: A
    title: 森林公园综合开发
    owner: 张某某
    leader: 副县长 赵某某
    category: 抓具体/抓项目建设
    start: 2026-03-01
    due: 9月底
    target: {metric: 完成投资, value: 100, unit: 万元}
    progress:
      - {date: 2026-11-20, value: 40}
  - id: B
    title: 幼儿园建设
    lead: jyj
    partners: [chengguan]
    due: 2026-11-30
    tags: [民生]
    progress:
      - {date: 2026-11-24, percent: 95}
  - id: C
    title: 已完成的任务
    due: 2026-10-31
    done: 2026-10-20
  - id: D
    title: 暂缓的任务
    due: 2026-06-30
    status: suspended
"""


def run_status(root: Path, fmt: str = "json", width: int = 120, **kw: object) -> str:
    buf = io.StringIO()
    assert status(root, as_of=AS_OF, fmt=fmt, out=buf, width=width, **kw) == 0  # type: ignore[arg-type]
    return buf.getvalue()


def test_json_has_the_format_md_shape(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    doc = json.loads(run_status(root))
    assert doc["version"] == 1 and doc["as_of"] == "2026-11-25"
    a = next(t for t in doc["tasks"] if t["id"] == "A")
    required = {
        "id": "A",
        "title": "森林公园综合开发",
        "lead": "fgw",
        "partners": [],
        "owner": "张某某",
        "leader": "副县长 赵某某",
        "start": "2026-03-01",
        "due": "2026-09-30",
        "done": None,
        "status": "active",
        "states": ["overdue", "behind"],
        "light": "red",
        "days_overdue": 56,
        "percent": 40.0,
        "expected_percent": 100.0,
        "file": "ledgers/fgw.yaml",
        "line": 3,
    }
    assert {k: a[k] for k in required} == required
    assert [t["id"] for t in doc["tasks"]] == ["A", "B", "C", "D"]  # most urgent first


def test_filters(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})

    def ids(**kw: object) -> list[str]:
        return [t["id"] for t in json.loads(run_status(root, flt=StatusFilter(**kw)))["tasks"]]  # type: ignore[arg-type]

    assert ids(units=("jyj",)) == ["B"]
    assert ids(units=("chengguan",)) == ["B"]  # a partner unit sees the task too
    assert ids(units=("县教育局",)) == ["B"]  # by name
    assert ids(states=("overdue",)) == ["A"]
    assert ids(lights=("yellow",)) == ["B"]
    assert ids(leader="赵某某") == ["A"]
    assert ids(owner="张某某") == ["A"]
    assert ids(category="抓具体") == ["A"]
    assert ids(tags=("民生",)) == ["B"]
    assert ids(due_within=3) == ["B"]
    assert ids(lights=("none",)) == ["D"]
    with pytest.raises(FatalError):
        ids(states=("late",))
    with pytest.raises(FatalError):
        ids(units=("nosuch",))


def test_table_shows_open_tasks_and_counts(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    out = run_status(root, fmt="table")
    assert out.splitlines()[0] == "截至11月25日：4项任务 红灯1（逾期1） 黄灯1 绿灯0 已完成1 未启动/暂缓/取消1"
    assert "逾期56天" in out and "剩3工作日" in out
    assert "红 逾期、滞后" in out and "黄 临期" in out  # the light reads without colour too
    assert "已完成的任务" not in out and "另有 2 项" in out
    everything = run_status(root, fmt="table", show_all=True)
    assert "已完成的任务" in everything and "暂缓" in everything


def test_by_unit_and_csv(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    groups = json.loads(run_status(root, by="unit"))["groups"]
    assert {g["unit"]: (g["tasks"], g["red"], g["yellow"], g["done"], g["none"]) for g in groups} == {
        "fgw": (3, 1, 0, 1, 1),
        "jyj": (1, 0, 1, 0, 0),
    }
    rows = list(csv.DictReader(io.StringIO(run_status(root, fmt="csv"))))
    assert rows[0]["id"] == "A" and rows[0]["states"] == "overdue|behind" and rows[0]["days_overdue"] == "56"


def test_show_spells_out_each_state(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    buf = io.StringIO()
    assert show(root, "A", as_of=AS_OF, out=buf, width=100) == 0
    text = buf.getvalue()
    assert "逾期56天：时限2026年9月30日，未报完成" in text
    assert "2026-11-20  进展 40万元" in text
    buf = io.StringIO()
    show(root, "A", as_of=AS_OF, fmt="json", out=buf)
    doc = json.loads(buf.getvalue())
    assert doc["reasons"] == [
        {"state": "overdue", "why": "逾期56天：时限2026年9月30日，未报完成"},
        {"state": "behind", "why": "实际进度40%，按时间应达100%，落后超过20个百分点"},
    ]
    assert doc["progress"] == [{"date": "2026-11-20", "note": None, "value": 40.0, "percent": None, "by": None}]
    with pytest.raises(FatalError) as err:
        show(root, "a", as_of=AS_OF, out=io.StringIO())
    assert "A" in str(err.value.hint)


MILESTONES = """\
unit: fgw
tasks:
  - id: M
    title: Two milestones late
    due: 2026-12-31
    milestones:
      - {name: Design, due: 2026-10-31}
      - {name: Permit, due: 2026-11-15}
"""


@pytest.mark.parametrize(
    ("lang", "joined"),
    [("zh", "逾期25天；“Permit”"), ("en", "25 days late; 'Permit'")],
)
def test_show_joins_late_milestones_in_the_ledgers_language(make_ledger: MakeLedger, lang: str, joined: str) -> None:
    """The reasons of `milestone_overdue` joined by list.part-sep: ；in Chinese, "; " in English."""
    from tests.conftest import SETTINGS

    root = make_ledger({"ledgers/fgw.yaml": MILESTONES}, settings=SETTINGS.replace("lang: zh", f"lang: {lang}"))
    buf = io.StringIO()
    show(root, "M", as_of=AS_OF, fmt="json", out=buf)
    why = {r["state"]: r["why"] for r in json.loads(buf.getvalue())["reasons"]}["milestone_overdue"]
    assert joined in why
    assert ("；" in why) == (lang == "zh")


def test_bundled_ledger_shows_every_state() -> None:
    doc = json.loads(run_status(REPO))
    seen = {s for t in doc["tasks"] for s in t["states"]}
    assert seen == {
        "done",
        "done_late",
        "overdue",
        "milestone_overdue",
        "due_soon",
        "behind",
        "no_report",
        "on_track",
        "planned",
        "suspended",
        "cancelled",
    }


GREEN = """\
unit: fgw
tasks:
  - {id: R, title: 逾期的任务, due: 2026-11-01, owner: 张某某, leader: 副县长 赵某某}
  - id: G
    title: 正常推进的任务
    due: 2026-12-31
    owner: 李某某
    leader: 县委常委、常务副县长 钱某某
    progress: [{date: 2026-11-24, percent: 95}]
"""


def test_table_lists_what_needs_chasing_and_says_what_it_left_out(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": GREEN})
    out = run_status(root, fmt="table")
    assert "逾期的任务" in out and "正常推进的任务" not in out
    assert "另有 1 项正常推进（绿灯）未列出，加 --light green 查看。" in out
    green = run_status(root, fmt="table", flt=StatusFilter(lights=("green",)))
    assert "正常推进的任务" in green and "逾期的任务" not in green
    assert "正常推进的任务" in run_status(root, fmt="table", show_all=True)
    assert "正常推进的任务" in run_status(root, fmt="table", flt=StatusFilter(states=("on_track",)))
    nothing = run_status(root, fmt="table", flt=StatusFilter(owner="李某某"))
    assert "没有需要催办的任务" in nothing and "另有 1 项正常推进" in nothing


@pytest.mark.parametrize("cols", [60, 80, 100, 120, 160, 200])
def test_table_fits_the_terminal_and_shows_people_when_there_is_room(cols: int) -> None:
    from sanzhua.output import width

    out = run_status(REPO, fmt="table", width=cols)
    lines = out.splitlines()
    assert max(width(line) for line in lines) <= cols
    header = next(line for line in lines if "编号" in line)
    assert "逾期/剩余" in header
    if cols < 80:  # a narrow terminal keeps the light, state, id, title and days late or left
        assert "ZJJ-002" in out and "逾期56天" in out
        return
    assert "牵头单位" in header and "进度/应达" in header and "时限" in header
    assert ("责任人" in header) == (cols >= 100)
    assert ("包抓领导" in header) == (cols >= 100)
    zjj = next(line for line in lines if "ZJJ-002" in line)
    assert "逾期56天" in zjj and "88/100%" in zjj and "09-30" in zjj
    if cols >= 100:
        assert "余某某" in zjj and "李某某" in zjj  # the leader's name, never cut
    if cols >= 160:
        assert "副县长 李某某" in zjj and "县住建局" in zjj
    assert "…" not in zjj.split("ZJJ-002")[1].split("09-30")[1]  # only titles are cut


def test_table_notes_a_year_that_no_calendar_covers(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 2027-01-08}\n"})
    buf = io.StringIO()
    status(root, as_of=date(2026, 12, 30), fmt="table", out=buf, width=100)
    assert "注意：内置日历没有 2027 年的节假日安排" in buf.getvalue()


HOSTILE = """\
unit: fgw
tasks:
  - id: H1
    title: "引号\\"反斜杠\\\\ 换行\\n制表\\t </script> \\u2028 😀"
    owner: ""
    partners: [jyj, "城关镇、东屯镇"]
    tags: ["a\\"b", 民生]
    category: 抓具体/抓项目建设
    start: 2026-01-01
    due: 2026-03-31
    milestones:
      - {name: "节点\\"一\\"", due: 2026-02-01}
      - {name: 节点二, due: 2026-03-01, done: 2026-12-01}
    progress:
      - {date: 2026-02-01, percent: 33.333}
  - id: H2
    title: 目标极大
    due: 2026-12-31
    target: {value: 1e-300, unit: 个}
    progress:
      - {date: 2026-11-01, value: 1e300}
  - id: H3
    title: 母任务
    due: 2026-12-31
    target: {value: 100, unit: 个}
  - id: H4
    title: 子任务
    parent: H3
    due: 2026-12-31
    target: {value: 50, unit: 个}
    progress:
      - {date: 2026-11-20, value: 20}
  - id: H5
    title: 暂缓
    status: suspended
    due: 2026-06-30
"""


@pytest.mark.parametrize("ledger", ["plain", "hostile", "bundled"])
def test_json_rows_are_the_text_of_task_row_through_jsontext(make_ledger: MakeLedger, ledger: str) -> None:
    """status --format json writes its rows with a format of their own (issue 17): the text
    must be exactly jsontext.dumps (json.dumps, indent 2) of task_row's dictionaries,
    a percent past any float (a value of 1e300 against a target of 1e-300: the largest
    float, never Infinity, which is not JSON) included."""
    from sanzhua import jsontext
    from sanzhua.commands.status import tasks_json, tasks_json_pieces
    from sanzhua.evaluate import evaluate
    from sanzhua.load import load_ledger
    from sanzhua.selection import selected, task_row

    root = REPO if ledger == "bundled" else make_ledger({"ledgers/a.yaml": LEDGER if ledger == "plain" else HOSTILE})
    ld = load_ledger(root, cache=False)
    for as_of in (date(2026, 1, 15), date(2026, 3, 15), AS_OF):
        rows = selected(evaluate(ld, as_of), StatusFilter(), "urgency")
        expected = jsontext.dumps({"tasks": [task_row(st) for st in rows]})
        assert "{\n  \"tasks\": " + tasks_json(rows) + "\n}" == expected
        for size in (1, 2, 3, max(1, len(rows) - 1), len(rows) + 1):  # written piece by piece
            assert "".join(tasks_json_pieces(rows, size)) == tasks_json(rows)
        doc = json.loads(run_status(root) if as_of == AS_OF else expected)
        assert [t["id"] for t in doc["tasks"]] == [st.id for st in rows]
    assert tasks_json([]) == "[]"
    if ledger == "hostile":
        assert any(st.percent == sys.float_info.max for st in rows)
        assert "Infinity" not in tasks_json(rows)
