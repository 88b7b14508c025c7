"""`sanzhua form --each-unit` within issue 14's bound: the forms of one run hold at most
MAX_EACH_ROWS task rows; beyond it nothing is written and the run says so (exit 2).

Forms of 10,000 ledger files (120,000 open tasks over 100 units) were still being written
after 60 s: openpyxl took about 4 ms a row, most of it hashing each cell's styles again
and adding each validated cell to a range list it searched through (quadratic). Each
kind of cell is now styled once and its style copied (bench/README.md), about 0.3 ms a
row; a run past the bound would still take minutes, so it is refused before any form is
written: a run stopped half-way would leave some units without theirs.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sanzhua.commands import form as command
from sanzhua.commands.form import form
from sanzhua.errors import FatalError
from tests.conftest import MakeLedger

AS_OF = date(2026, 11, 25)


def tasks(prefix: str, n: int, **extra: str) -> str:
    more = "".join(f", {k}: {v}" for k, v in extra.items())
    return "".join(f"  - {{id: {prefix}-{i:03d}, title: 任务{i}, due: 2026-12-31{more}}}\n" for i in range(1, n + 1))


@pytest.fixture
def root(make_ledger: MakeLedger) -> Path:
    return make_ledger({
        "ledgers/fgw.yaml": "unit: fgw\ntasks:\n" + tasks("FGW", 3, partners="[jyj]"),
        "ledgers/jyj.yaml": "unit: jyj\ntasks:\n" + tasks("JYJ", 2),
    })


def test_each_unit_past_the_bound_writes_nothing(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # fgw's form: its 3 tasks; jyj's: its 2 and the 3 it supports. 8 rows in all.
    monkeypatch.setattr(command, "MAX_EACH_ROWS", 7)
    out = tmp_path / "forms"
    with pytest.raises(FatalError) as e:
        form(root, as_of=AS_OF, each_unit=out, out=io.StringIO())
    assert e.value.text("zh")[0] == "要写出的 2 份填报表共 8 行，超过一次写出的上限 7 行，未生成填报表"
    assert "--unit" in (e.value.text("en")[1] or "")
    assert not out.exists()


class _Passes(list):  # type: ignore[type-arg]
    """The ledger's tasks, counting the passes made over them."""

    passes = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        _Passes.passes += 1
        return super().__iter__()


def test_each_unit_finds_the_units_tasks_in_one_pass_and_counts_rows_before_making_them(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 17: at 100,000 tasks and 5,000 units every unit's tasks were looked for in the
    whole ledger (5,000 passes) and every form's rows made before the run was refused."""
    from sanzhua.interchange import form as forms

    units = "units:\n" + "".join(f"  - {{id: u{i}, name: 单位{i}, kind: 县直部门}}\n" for i in range(10))
    files = {f"ledgers/u{i}.yaml": f"unit: u{i}\ntasks:\n" + tasks(f"U{i}", 3, partners=f"[u{(i + 1) % 10}]")
             for i in range(10)}
    root = make_ledger(files, units=units)
    real = command.open_report

    def counted(*args: object, **kwargs: object) -> object:
        opened = real(*args, **kwargs)  # type: ignore[arg-type]
        object.__setattr__(opened.ledger, "tasks", _Passes(opened.ledger.tasks))
        return opened

    made: list[str] = []
    real_row = forms.form_row

    def row(*args: object, **kwargs: object) -> object:
        made.append("row")
        return real_row(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "open_report", counted)
    monkeypatch.setattr(forms, "form_row", row)
    monkeypatch.setattr(command, "MAX_EACH_ROWS", 59)
    _Passes.passes = 0
    with pytest.raises(FatalError) as e:
        form(root, as_of=AS_OF, each_unit=tmp_path / "refused", out=io.StringIO())
    assert e.value.text("zh")[0] == "要写出的 10 份填报表共 60 行，超过一次写出的上限 59 行，未生成填报表"
    assert _Passes.passes <= 2 and made == []
    monkeypatch.setattr(command, "MAX_EACH_ROWS", 60)
    _Passes.passes = 0
    assert form(root, as_of=AS_OF, each_unit=tmp_path / "forms", out=io.StringIO()) == 0
    assert _Passes.passes <= 2 and len(made) == 60
    # Each unit's rows: its own 3 tasks, then the 3 of the unit before it that it supports.
    for i in range(10):
        book = next((tmp_path / "forms").glob(f"*单位{i}*"))
        ws = openpyxl.load_workbook(book)["进展填报"]
        ids = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1)]
        assert ids == [f"U{i}-{k:03d}" for k in (1, 2, 3)] + [f"U{(i - 1) % 10}-{k:03d}" for k in (1, 2, 3)]


def test_each_unit_at_the_bound_writes_every_form(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(command, "MAX_EACH_ROWS", 8)
    out = tmp_path / "forms"
    assert form(root, as_of=AS_OF, each_unit=out, out=io.StringIO()) == 0
    books = sorted(out.iterdir())
    assert len(books) == 2
    rows = {p.name: openpyxl.load_workbook(p)["进展填报"].max_row - 3 for p in books}
    assert sorted(rows.values()) == [3, 5]


def test_copied_styles_are_the_styles_of_each_kind_of_cell(root: Path, tmp_path: Path) -> None:
    """Every cell of a column has the style its kind gets (the lead's cells to fill in
    yellow and unlocked, a partner's grey and locked), copied from the first of its kind."""
    out = tmp_path / "forms"
    form(root, as_of=AS_OF, each_unit=out, out=io.StringIO())
    book = next(p for p in out.iterdir() if "教育" in p.name or "jyj" in p.name)
    ws = openpyxl.load_workbook(book)["进展填报"]
    head = {ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    for r in range(4, ws.max_row + 1):
        lead = ws.cell(r, head["角色"]).value == "牵头"
        pct = ws.cell(r, head["进度（%）"])
        assert pct.protection.locked is (not lead)
        assert pct.fill.fgColor.rgb == ("FFFFF9DB" if lead else "FFF2F2F2")
        assert pct.number_format == "0.##"
        note = ws.cell(r, head["进展情况"])
        assert note.protection.locked is False and note.number_format == "@"
        assert ws.cell(r, head["编号"]).fill.fgColor.rgb == "FFF2F2F2"
    percent = next(dv for dv in ws.data_validations.dataValidation if dv.formula2 == "100")
    col = openpyxl.utils.get_column_letter(head["进度（%）"])
    leads = [r for r in range(4, ws.max_row + 1) if ws.cell(r, head["角色"]).value == "牵头"]
    assert str(percent.sqref) == " ".join(f"{col}{r}" for r in leads)
