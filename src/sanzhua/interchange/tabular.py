"""Spreadsheets as plain rows: xlsx through openpyxl, csv in UTF-8 or GBK.

A cell value is text, a number, a date/datetime or None. Merged cells are filled in
with their top-left value, so a 责任单位 merged down over five tasks reads as five
rows of the same unit, and a header merged over two rows reads in both. A number the
sheet formats as a percentage arrives as text ("60%"), so 0.6 and 60 cannot be confused.
A formula whose result was never saved arrives as a `Formula`, so that the import can
refuse the row instead of taking the formula's text for the value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sanzhua.errors import FatalError


class Formula(str):
    """The text of a formula (`=` included) whose result was never saved in the file: a
    sheet written by a program, not by Excel or WPS, so its value is not known."""


CellValue = str | Formula | int | float | date | datetime | None


@dataclass(frozen=True)
class Table:
    """One sheet: `rows[i]` is spreadsheet row i+1; every row has the same length."""

    name: str
    rows: list[list[CellValue]]
    merged_rows: frozenset[int] = frozenset()  # 1-based rows holding a cell merged across columns


def read_table_file(path: Path) -> list[Table]:
    """Every sheet of an .xlsx/.xlsm file, or the one table of a .csv/.txt file."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FatalError(
            f"找不到文件 {path} / no such file", "检查文件名和路径 / check the file name"
        )
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return [read_csv_bytes(path.read_bytes(), path.stem)]
    if suffix in (".xls", ".et", ".ods", ".wps"):
        raise FatalError(
            f"不能直接读取 {suffix} 文件：{path.name} / cannot read {suffix} files",
            "请在 Excel 或 WPS 中“另存为”Excel 工作簿（.xlsx）后再导入 / "
            "save it as .xlsx in Excel or WPS first",
        )
    raise FatalError(
        f"不认识的文件类型：{path.name}（只支持 .xlsx 和 .csv） / only .xlsx and .csv are read"
    )


def read_workbook(path: Path) -> list[Table]:
    """All sheets of a workbook, merged cells filled in, cached formula values used (and a
    `Formula` where a formula has none)."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True)
        # The formulas themselves, only when some formula's result was never saved (a sheet
        # written by a program, not by Excel): those cells are read as `Formula`, not blank.
        formulas = openpyxl.load_workbook(path, data_only=False) if _unsaved_formulas(path) else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise FatalError(
            f"无法打开工作簿 {path.name}：{e} / cannot open the workbook",
            "文件可能已损坏或不是 .xlsx；请用 Excel/WPS 打开后重新另存为 .xlsx",
        ) from None
    tables: list[Table] = []
    for i, ws in enumerate(wb.worksheets):
        fs = formulas.worksheets[i] if formulas is not None else None
        nrows, ncols = ws.max_row, ws.max_column
        rows: list[list[CellValue]] = []
        for r in ws.iter_rows(min_row=1, max_row=nrows, max_col=ncols):
            row: list[CellValue] = []
            for c in r:
                v = c.value
                if v is None and fs is not None:
                    f = fs.cell(row=c.row, column=c.column).value
                    if isinstance(f, str) and f.startswith("="):
                        v = Formula(f)
                row.append(_cell_value(v, c.number_format))
            rows.append(row)
        merged_rows: set[int] = set()
        for rng in ws.merged_cells.ranges:
            top = rows[rng.min_row - 1][rng.min_col - 1] if rng.min_row <= len(rows) else None
            for rr in range(rng.min_row, min(rng.max_row, len(rows)) + 1):
                for cc in range(rng.min_col, min(rng.max_col, ncols) + 1):
                    rows[rr - 1][cc - 1] = top
                if rng.max_col > rng.min_col:
                    merged_rows.add(rr)
        tables.append(Table(ws.title, rows, frozenset(merged_rows)))
    wb.close()
    if formulas is not None:
        formulas.close()
    return tables


# Any element named f, with or without a namespace prefix: <f>, <f t="shared" …/>, <x:f>.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _unsaved_formulas(path: Path) -> bool:
    """Whether some worksheet holds a formula cell without a saved value (no `<v>`, or an
    empty one). A sheet without a formula is told by a byte search; only a sheet that has
    formulas is parsed. When the parts cannot be told apart, the answer is yes."""
    from xml.etree.ElementTree import ParseError, iterparse

    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if re.search(r"(?:^|/)worksheets/[^/]+\.xml$", n)]
        if not sheets:
            return True
        for name in sheets:
            if _FORMULA_TAG.search(z.read(name)) is None:
                continue
            try:
                with z.open(name) as fh:
                    for _, el in iterparse(fh):
                        if el.tag.rpartition("}")[2] != "c":
                            continue
                        kids = {k.tag.rpartition("}")[2]: k for k in el}
                        v = kids.get("v")
                        if "f" in kids and (v is None or not v.text):
                            return True
                        el.clear()
            except ParseError:
                return True
    return False


def _cell_value(v: object, number_format: str | None) -> CellValue:
    if v is None or isinstance(v, Formula):
        return v
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, datetime | date):
        return v
    if isinstance(v, int | float):
        if number_format and "%" in number_format:
            return f"{v * 100:g}%"
        return v
    if isinstance(v, str):
        return v if v.strip() else None
    return str(v)


def read_csv_bytes(data: bytes, name: str = "csv") -> Table:
    """A CSV file in UTF-8 (BOM or not) or GBK/GB18030; comma, tab or semicolon separated."""
    text: str | None = None
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise FatalError(
            "CSV 文件既不是 UTF-8 也不是 GBK 编码 / the CSV is neither UTF-8 nor GBK",
            "请在 Excel 中另存为“CSV UTF-8”或 .xlsx",
        )
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[CellValue]] = []
    for rec in csv.reader(io.StringIO(text, newline=""), dialect):
        rows.append([c if c.strip() else None for c in rec])
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r.extend([None] * (width - len(r)))
    return Table(name, rows)
