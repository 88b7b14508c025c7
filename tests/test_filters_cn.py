"""Filter values as clerks type them (issue 15.4) and the small items of 15.8."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.brief import brief
from sanzhua.commands.status import status
from sanzhua.errors import FatalError
from sanzhua.filters import light_code, state_code, unit_id
from sanzhua.load import load_ledger
from sanzhua.selection import StatusFilter
from tests.conftest import MakeLedger
from tests.test_status import LEDGER

AS_OF = date(2026, 11, 25)


def _ids(root: Path, flt: StatusFilter) -> list[str]:
    out = io.StringIO()
    status(root, as_of=AS_OF, fmt="json", flt=flt, out=out)
    return sorted(t["id"] for t in json.loads(out.getvalue())["tasks"])


@pytest.mark.parametrize(
    ("typed", "code"),
    [("逾期", "overdue"), ("overdue", "overdue"), ("临期", "due_soon"), ("due soon", "due_soon"),
     ("due-soon", "due_soon"), ("滞后", "behind"), ("进度滞后", "behind"), ("未报送", "no_report"),
     ("已完成", "done"), ("暂缓", "suspended"), ("已取消", "cancelled"), ("canceled", "cancelled"),
     ("节点逾期", "milestone_overdue"), ("逾期完成", "done_late"), ("ＯＶＥＲＤＵＥ", "overdue"), ("明天", None)],
)
def test_state_values(typed: str, code: str | None) -> None:
    assert state_code(typed) == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [("红灯", "red"), ("红", "red"), ("red", "red"), ("RED", "red"), ("黄灯", "yellow"), ("黄", "yellow"),
     ("绿", "green"), ("完成", "done"), ("无", "none"), ("蓝", None)],
)
def test_light_values(typed: str, code: str | None) -> None:
    assert light_code(typed) == code


def test_status_filters_by_chinese_labels(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    assert _ids(root, StatusFilter(states=("逾期",))) == _ids(root, StatusFilter(states=("overdue",))) == ["A"]
    red = _ids(root, StatusFilter(lights=("red",)))
    assert red and _ids(root, StatusFilter(lights=("红灯",))) == _ids(root, StatusFilter(lights=("红",))) == red
    assert _ids(root, StatusFilter(units=("城关镇",))) == _ids(root, StatusFilter(units=("chengguan",))) == ["B"]
    assert _ids(root, StatusFilter(units=("教育局",))) == ["B"]  # a part of one name only


def test_unknown_filter_values_say_what_is_accepted(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    with pytest.raises(FatalError) as e:
        status(root, as_of=AS_OF, flt=StatusFilter(states=("很急",)), out=io.StringIO())
    assert e.value.message == "--state：没有“很急”这种状态" and "逾期" in (e.value.hint or "")
    with pytest.raises(FatalError) as e:
        status(root, as_of=AS_OF, flt=StatusFilter(lights=("蓝灯",)), out=io.StringIO())
    assert "--light：没有“蓝灯”" in e.value.message and "红灯" in (e.value.hint or "")
    with pytest.raises(FatalError) as e:
        status(root, as_of=AS_OF, flt=StatusFilter(units=("小潭乡",)), out=io.StringIO())
    assert "小潭乡" in e.value.message and "城关镇（chengguan）" in (e.value.hint or "")


def test_unit_id_is_unambiguous(make_ledger: MakeLedger) -> None:
    root = make_ledger({})
    units = load_ledger(root, cache=False).units
    assert unit_id(units, "县发改委") == "fgw"
    assert unit_id(units, "fgw") == "fgw"
    assert unit_id(units, "县") is None  # every name holds it
    assert unit_id(units, "") is None


def test_brief_unit_by_name(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    by_name, by_id = io.StringIO(), io.StringIO()
    assert brief(root, as_of=AS_OF, unit="县发改委", out=by_name) == 0
    assert brief(root, as_of=AS_OF, unit="fgw", out=by_id) == 0
    assert by_name.getvalue() == by_id.getvalue() and "县发改委" in by_name.getvalue()
    with pytest.raises(FatalError) as e:
        brief(root, as_of=AS_OF, unit="小潭乡", out=io.StringIO())
    assert e.value.message == "--unit：units.yaml 中没有单位“小潭乡”"


def test_markdown_on_stdout_ends_with_a_newline(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    for kw in ({}, {"unit": "fgw"}, {"period": "month"}):
        out = io.StringIO()
        assert brief(root, as_of=AS_OF, out=out, **kw) == 0  # type: ignore[arg-type]
        assert out.getvalue().endswith("\n") and not out.getvalue().endswith("\n\n\n")


@pytest.mark.parametrize("number", [-3, 0, 100_000, 10**29])
def test_brief_number_must_be_an_issue_number(make_ledger: MakeLedger, number: int) -> None:
    """A 30-digit --number was printed in the bulletin's heading as given (issue 14)."""
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    with pytest.raises(FatalError) as e:
        brief(root, as_of=AS_OF, number=number, out=io.StringIO())
    assert "1 到 99999" in e.value.message and str(number) in e.value.message
    out = io.StringIO()
    assert brief(root, as_of=AS_OF, number=99_999, out=out) == 0
    assert "第99999期" in out.getvalue()


@pytest.mark.parametrize("days", [-1, -5])
def test_due_within_must_not_be_negative(make_ledger: MakeLedger, days: int) -> None:
    """`--due-within -5` listed nothing and exited 0 (issue 14)."""
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    with pytest.raises(FatalError) as e:
        _ids(root, StatusFilter(due_within=days))
    assert "--due-within" in e.value.message and str(days) in e.value.message
    assert _ids(root, StatusFilter(due_within=0)) is not None


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_to_a_missing_folder_says_so(make_ledger: MakeLedger, tmp_path: Path, fmt: str) -> None:
    from sanzhua.commands.export import export

    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    target = tmp_path / "没有的文件夹" / f"台账.{fmt}"
    with pytest.raises(FatalError) as e:
        export(root, as_of=AS_OF, fmt=fmt, output=target, out=io.StringIO())
    assert e.value.message == f"无法写入 {target}：文件夹 {target.parent} 不存在"
    assert "mkdir" in (e.value.hint or "") and "Excel" not in (e.value.hint or "")
    assert not target.parent.exists()


def test_score_explain_takes_a_name(make_ledger: MakeLedger) -> None:
    from sanzhua.commands.score import resolve_period, score

    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    period = resolve_period(AS_OF, month=False, quarter=False, year=True, start=None, end=None)
    by_id, by_name = io.StringIO(), io.StringIO()
    assert score(root, as_of=AS_OF, period=period, explain="fgw", out=by_id) == 0
    assert score(root, as_of=AS_OF, period=period, explain="发改委", out=by_name) == 0
    assert by_id.getvalue() == by_name.getvalue()
    with pytest.raises(FatalError) as e:
        score(root, as_of=AS_OF, period=period, explain="小潭乡", out=io.StringIO())
    assert e.value.message == "--explain：没有单位“小潭乡”" and "县发改委（fgw）" in (e.value.hint or "")


def test_fmt_names_a_missing_file(make_ledger: MakeLedger) -> None:
    from sanzhua.commands.edit import EditRun
    from sanzhua.commands.fmt import fmt

    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    run = EditRun(root, AS_OF, out=io.StringIO(), err=io.StringIO())
    with pytest.raises(FatalError) as e:
        fmt(run, [root / "ledgers" / "nosuch.yaml"])
    assert e.value.message.startswith("文件不存在：")
    with pytest.raises(FatalError) as e:
        fmt(run, [root / "units.yaml"])
    assert "不是台账文件" in e.value.message
