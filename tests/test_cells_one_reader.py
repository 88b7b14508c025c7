"""One reader of workbook cells and one guard of workbook packages, for an import and a
returned form alike (issue 16): the stricter of what the two did before, and tested."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from sanzhua.errors import FatalError
from sanzhua.interchange import form_read, tabular
from sanzhua.interchange.tabular import MAX_CELL_CHARS, Formula, cell_value


def test_a_cell_is_read_the_same_way_everywhere() -> None:
    long = "进" * (MAX_CELL_CHARS + 10)
    assert cell_value(long, None) == "进" * MAX_CELL_CHARS  # cut, as a form's cells were
    assert cell_value("   ", None) is None and cell_value("\u3000", None) is None  # blank text is no value
    f = cell_value(Formula("=A1&B1"), None)
    assert isinstance(f, Formula) and f == "=A1&B1"  # a formula with no result stays one
    assert isinstance(cell_value(Formula("=" + "A" * (MAX_CELL_CHARS + 5)), None), Formula)
    assert cell_value(0.6, "0%") == "60%" and cell_value(3, None) == 3
    assert cell_value(True, None) == "True" and cell_value(date(2026, 5, 1), None) == date(2026, 5, 1)


def _book(path: Path, text: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["任务名称", "责任单位"])
    ws.append([text, "县发改委"])
    ws.append(["  ", "县发改委"])
    wb.save(path)
    return path


def test_an_import_cuts_a_huge_cell_and_reads_blank_text_as_blank(tmp_path: Path) -> None:
    book = _book(tmp_path / "t.xlsx", "长" * (MAX_CELL_CHARS * 3))
    (table,) = tabular.read_table_file(book)
    assert table.rows[1][0] == "长" * MAX_CELL_CHARS
    assert table.rows[2][0] is None


def _bomb(path: Path) -> Path:
    """A workbook with a 2 MB part of zeros, packed to a few KB."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        size = 2 * 1024 * 1024
        info = zipfile.ZipInfo("xl/media/pad.bin")
        z.writestr(info, b"\0" * size, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_the_package_guard_is_one_and_the_stricter(tmp_path: Path) -> None:
    bomb = _bomb(tmp_path / "b.xlsx")
    with pytest.raises(FatalError) as e:
        tabular.check_package(bomb)
    assert "疑似压缩炸弹" in e.value.text("zh")[0] and "zip bomb" in e.value.text("en")[0]
    # a returned form is refused by the same guard, said as a form's problem
    with pytest.raises(form_read.FormFileError):
        form_read._check_zip(bomb)
    # the form's own, smaller limits
    many = tmp_path / "many.xlsx"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(form_read.MAX_MEMBERS + 1):
            z.writestr(f"xl/p{i}.xml", "<x/>")
    tabular.check_package(many)  # an import takes it
    with pytest.raises(form_read.FormFileError):
        form_read._check_zip(many)
