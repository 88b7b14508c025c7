"""sanzhua export: the workbook's layout, and export → import → the same status for every task."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from sanzhua.commands.export import export
from sanzhua.commands.importer import import_table
from sanzhua.commands.status import status

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 25)


def status_rows(root: Path) -> dict[str, dict[str, object]]:
    out = io.StringIO()
    status(root, as_of=AS_OF, fmt="json", show_all=True, out=out)
    doc = json.loads(out.getvalue())
    return {
        t["id"]: {k: v for k, v in t.items() if k not in ("file", "line")} for t in doc["tasks"]
    }


def empty_ledger(root: Path) -> Path:
    (root / "ledgers").mkdir(parents=True)
    for name in ("sanzhua.yaml", "units.yaml"):
        shutil.copy(REPO / name, root / name)
    return root


def bundled(tmp_path: Path) -> Path:
    root = tmp_path / "bundled"
    root.mkdir()
    for name in ("sanzhua.yaml", "units.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    return root


@pytest.mark.parametrize("by", [None, "unit"])
def test_round_trip_through_xlsx_keeps_every_task(tmp_path: Path, by: str | None) -> None:
    src = bundled(tmp_path)
    book = tmp_path / "台账.xlsx"
    export(src, as_of=AS_OF, output=book, by=by, out=io.StringIO())
    dst = empty_ledger(tmp_path / "empty")
    out = io.StringIO()
    code = import_table(book, dst, today=AS_OF, out=out)
    assert code == 0, out.getvalue()
    before, after = status_rows(src), status_rows(dst)
    assert len(before) == 111
    assert set(before) == set(after)
    for tid, row in before.items():
        assert after[tid] == row, tid


def test_round_trip_through_csv_keeps_the_task_fields(tmp_path: Path) -> None:
    src = bundled(tmp_path)
    sheet = tmp_path / "台账.csv"
    export(src, as_of=AS_OF, fmt="csv", output=sheet, out=io.StringIO())
    assert sheet.read_bytes().startswith(b"\xef\xbb\xbf")
    dst = empty_ledger(tmp_path / "empty")
    assert import_table(sheet, dst, today=AS_OF, out=io.StringIO()) == 0
    before, after = status_rows(src), status_rows(dst)
    keys = (
        "title",
        "lead",
        "partners",
        "owner",
        "leader",
        "start",
        "due",
        "done",
        "status",
        "category",
        "parent",
        "tags",
    )
    for tid, row in before.items():
        assert {k: after[tid][k] for k in keys} == {k: row[k] for k in keys}, tid


def test_workbook_layout(tmp_path: Path) -> None:
    book = tmp_path / "out.xlsx"
    export(bundled(tmp_path), as_of=AS_OF, output=book, out=io.StringIO())
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["台账", "汇总", "进展记录", "节点", "延期"]
    ws = wb["台账"]
    assert "延津县" in str(ws["A1"].value) and any(
        str(r).startswith("A1:") for r in ws.merged_cells.ranges
    )
    assert ws.freeze_panes == "D4"
    assert ws.auto_filter.ref.startswith("A3:")
    header = [c.value for c in ws[3]]
    assert header[:3] == ["序号", "编号", "任务"]
    light_col = header.index("灯") + 1
    due_col = header.index("时限") + 1
    fills = {}
    for r in range(4, ws.max_row + 1):
        cell = ws.cell(row=r, column=light_col)
        fills[cell.value] = cell.fill.fgColor.rgb
        due = ws.cell(row=r, column=due_col)
        assert isinstance(due.value, datetime) and due.number_format == "yyyy-mm-dd"
    assert (
        fills["红灯"] == "FFFF4D4F" and fills["黄灯"] == "FFFFD666" and fills["绿灯"] == "FF73D13D"
    )
    assert ws.max_row - 3 == 111
    assert ws.column_dimensions["C"].width > ws.column_dimensions["A"].width
    summary = wb["汇总"]
    total = [c.value for c in summary[summary.max_row]]
    assert total[0] == "合计" and total[2] == 111 and sum(total[3:8]) == 111


def test_by_unit_has_a_sheet_per_unit(tmp_path: Path) -> None:
    book = tmp_path / "out.xlsx"
    export(bundled(tmp_path), as_of=AS_OF, output=book, by="unit", out=io.StringIO())
    wb = openpyxl.load_workbook(book)
    assert "县发改委" in wb.sheetnames and "城关镇" in wb.sheetnames
    assert sum(wb[n].max_row - 3 for n in wb.sheetnames[: wb.sheetnames.index("汇总")]) == 111


def test_filters_as_in_status(tmp_path: Path) -> None:
    from sanzhua.selection import StatusFilter

    out = io.StringIO()
    export(
        bundled(tmp_path),
        as_of=AS_OF,
        fmt="csv",
        output=Path("-"),
        flt=StatusFilter(lights=("red",)),
        out=out,
    )
    rows = out.getvalue().splitlines()
    assert len(rows) > 1 and all(",红灯," in r for r in rows[1:])


def _has_calc() -> bool:
    """LibreOffice with its spreadsheet module (Debian splits it from Writer)."""
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "libsclo.so").exists()


@pytest.mark.skipif(not _has_calc(), reason="LibreOffice Calc is not installed (libreoffice-calc-nogui)")
def test_libreoffice_opens_the_workbook(tmp_path: Path) -> None:
    book = tmp_path / "out.xlsx"
    export(bundled(tmp_path), as_of=AS_OF, output=book, out=io.StringIO())
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    text = (tmp_path / "out.csv").read_text(encoding="utf-8", errors="replace")
    assert "FGW-001" in text
