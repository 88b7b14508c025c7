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
from typing import Any

from sanzhua.errors import FatalError
from sanzhua.problems import msg
from sanzhua.textsafe import has_unprintable, printable

# openpyxl and defusedxml are imported inside the functions that open a workbook, for
# start-up cost alone: openpyxl takes about half a second to import, and a CSV needs neither.


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
    cleaned: tuple[tuple[int, int], ...] = ()  # (row, column), 1-based: control characters removed
    hidden: bool = False  # a sheet Excel does not show (hidden or veryHidden)
    cut: tuple[tuple[int, int], ...] = ()  # (row, column), 1-based: text cut at MAX_CELL_CHARS


# What one import may read (issue 14.6). A county's 台账 is a few thousand rows of a few
# dozen columns and a few megabytes; these leave a city's room many times over and keep
# a hostile workbook (a cell at XFD1048576, a merge over the whole sheet, a zip bomb)
# to seconds and a few hundred megabytes.
MAX_FILE_BYTES = 64 * 1024 * 1024  # the file as given
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # every part of a workbook, unpacked
MAX_RATIO = 100  # unpacked size / packed size of one part (XML packs 5-20 times)
MAX_PARTS = 5_000
MAX_SHEETS = 200
MAX_ROWS = 50_000
MAX_COLUMNS = 500
MAX_CELLS = 500_000  # cells held (rows x columns), merged areas included: about 15 s to read
MAX_MERGES = 100_000
MAX_CELL_CHARS = 5_000  # one cell's text: a 台账 cell is a sentence or a paragraph; the rest is cut
# Formats, fonts, fills, borders and styles of xl/styles.xml, which openpyxl reads whole
# before any cell: Excel holds at most 64,000 cell formats (and as many cell-style ones);
# a 2.7 MB workbook of a million took an import 23 s of CPU and 1.85 GB, a form's
# collect (which opens it twice) more than the 2 GB a run may have.
MAX_STYLES = 150_000
# Shared strings (openpyxl reads the table whole, for each time it opens the workbook: a
# 4 MB workbook of a million took an import 9 s of CPU, a form's collect 19 s) and defined
# names (all read with the workbook part: 300,000 in 2.8 MB, collect 8.5 s). An import
# holds at most MAX_CELLS cells, so no more distinct strings; a form holds fewer.
MAX_STRINGS = 500_000
MAX_NAMES = 100_000


class TooBig(FatalError):
    """The spreadsheet is beyond what an import reads; nothing was read into the ledger."""


def _too_big(path: Path, key: str, /, hint: str = "import.too-big.hint", **args: object) -> TooBig:
    """The file is beyond a limit: `key` (import.big.*) says which."""
    return TooBig(msg("import.too-big", file=path.name, detail=msg(key, **args)), msg(hint))


def read_table_file(path: Path) -> list[Table]:
    """Every sheet of an .xlsx/.xlsm file, or the one table of a .csv/.txt file."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise FatalError(msg("fmt.no-file", file=path), msg("import.no-file.hint"))
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _too_big(path, "import.big.file", size=size // 1024 // 1024, limit=MAX_FILE_BYTES // 1024 // 1024)
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return [read_csv_bytes(path.read_bytes(), path.stem)]
    if suffix in (".xls", ".et", ".ods", ".wps"):
        raise FatalError(msg("import.old-format", kind=suffix, file=path.name), msg("import.old-format.hint"))
    raise FatalError(msg("import.unknown-kind", file=path.name))


def _unreadable(path: Path, detail: object) -> FatalError:
    return FatalError(msg("import.unreadable", file=path.name, detail=detail), msg("import.unreadable.hint"))


def check_package(
    path: Path, *, max_parts: int = MAX_PARTS, max_unpacked: int = MAX_UNPACKED_BYTES, max_strings: int = MAX_STRINGS
) -> None:
    """Refuse a workbook whose zip package is too big unpacked, packs too well (a zip
    bomb), has too many parts, or more shared strings, defined names or styles than it
    may (`_count_entries`), before any XML of it is parsed. The one guard of every
    workbook sanzhua reads: an import's, and a returned form's with its smaller limits."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise _unreadable(path, e) from None
    if len(infos) > max_parts:
        raise _too_big(path, "import.big.parts", n=len(infos))
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise _too_big(path, "import.big.ratio", part=info.filename, ratio=ratio)
    if total > max_unpacked:
        size, limit = total // 1024 // 1024, max_unpacked // 1024 // 1024
        raise _too_big(path, "import.big.unpacked", size=size, limit=limit)
    _count_entries(path, infos, max_strings)


_STYLE_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:xf|numFmt|font|fill|border|dxf|cellStyle)[\s/>]")
_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_NAME_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?definedName[\s/>]")
_SHEET_PART = re.compile(r"(?:^|/)worksheets/[^/]+\.xml$")


def _count_entries(path: Path, infos: list[zipfile.ZipInfo], max_strings: int) -> None:
    """Refuse a workbook whose stylesheet (xl/styles.xml, where openpyxl reads it), shared
    strings or defined names (in whatever part: openpyxl finds those parts by their
    content type and relationship, not by name) hold more entries than `MAX_STYLES`,
    `max_strings` or `MAX_NAMES`, before openpyxl reads them whole; the package's sizes
    are checked already. The sheets' rows and cells are counted by `_count_tags`. Every
    other part is searched, whatever its name ends with: openpyxl reads a shared strings
    part named `xl/strs.bin` as well as one named `.xml` (a million strings there took an
    import 9.6 s of CPU and a form's collect past 90 s of wall time, uncounted)."""
    try:
        with zipfile.ZipFile(path) as z:
            for info in infos:
                name = info.filename
                if name.endswith("/") or _SHEET_PART.search(name):
                    continue
                data = z.read(info)
                if name == "xl/styles.xml" and (n := len(_STYLE_TAG.findall(data))) > MAX_STYLES:
                    raise _too_big(path, "import.big.styles", hint="import.big.styles.hint", n=n, limit=MAX_STYLES)
                if (n := len(_STRING_TAG.findall(data))) > max_strings:
                    raise _too_big(path, "import.big.strings", hint="import.big.styles.hint", n=n, limit=max_strings)
                if (n := len(_NAME_TAG.findall(data))) > MAX_NAMES:
                    raise _too_big(path, "import.big.names", hint="import.big.styles.hint", n=n, limit=MAX_NAMES)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError) as e:
        raise _unreadable(path, e) from None


# What openpyxl raises on a package that is broken rather than hostile: a part missing
# (KeyError), a shared string's index past the table (IndexError), a number out of range.
_BROKEN = (zipfile.BadZipFile, LookupError, OSError, ValueError, TypeError, AttributeError, ArithmeticError)


def read_workbook(path: Path) -> list[Table]:
    """All sheets of a workbook, merged cells filled in, cached formula values used (and a
    `Formula` where a formula has none).

    The package is checked first (`check_package`); the sheets are then streamed
    (openpyxl's read-only mode, its XML through defusedxml), and a sheet that goes past
    `MAX_ROWS`, `MAX_COLUMNS` or `MAX_CELLS` is refused as soon as it does, whatever
    dimension it declares.
    """
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    import openpyxl
    from defusedxml import DefusedXmlException

    check_package(path)
    _count_tags(path)
    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
        # The formulas themselves, only when some formula's result was never saved (a sheet
        # written by a program, not by Excel): those cells are read as `Formula`, not blank.
        formulas = (
            openpyxl.load_workbook(path, data_only=False, read_only=True)
            if _unsaved_formulas(path)
            else None
        )
    except FatalError:
        raise
    except (DefusedXmlException, SyntaxError) as e:  # ParseError and lxml's are SyntaxErrors
        raise _unsafe(path, e) from None
    except _BROKEN as e:
        raise _unsafe(path, e) if _defused(e) else _unreadable(path, e) from None
    try:
        if len(wb.worksheets) > MAX_SHEETS:
            raise _too_big(path, "import.big.sheets", n=len(wb.worksheets))
        tables: list[Table] = []
        budget = [MAX_CELLS]
        for i, ws in enumerate(wb.worksheets):
            fs = formulas.worksheets[i] if formulas is not None else None
            tables.append(_read_sheet(path, ws, fs, budget))
        return tables
    except FatalError:
        raise
    except (DefusedXmlException, SyntaxError) as e:
        raise _unsafe(path, e) from None
    except _BROKEN as e:
        raise _unsafe(path, e) if _defused(e) else _unreadable(path, e) from None
    finally:
        wb.close()
        if formulas is not None:
            formulas.close()


def _defused(e: BaseException) -> bool:
    """Whether defusedxml refused some XML on the way to `e` (openpyxl wraps its errors)."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from defusedxml import DefusedXmlException

    seen: BaseException | None = e
    for _ in range(10):
        if seen is None:
            return False
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _unsafe(path: Path, e: Exception) -> FatalError:
    return FatalError(
        msg("import.unsafe-xml", file=path.name, kind=type(e).__name__), msg("import.unsafe-xml.hint")
    )


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")


def _count_tags(path: Path) -> None:
    """Refuse a workbook whose sheets' XML holds more rows (in one sheet) or cells (in all)
    than an import reads, before openpyxl opens it (loading a 130 MB sheet took it 15 s,
    reading it 30 µs a cell: a 120,000-row export took 30 s to be refused at its 50,001st
    row). Elements are counted as written, empty ones too; the package is checked already."""
    cells = 0
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not re.search(r"(?:^|/)worksheets/[^/]+\.xml$", name):
                continue
            data = z.read(name)
            if len(_ROW_TAG.findall(data)) > MAX_ROWS:
                raise _too_big(path, "import.big.rows", sheet=name.rpartition("/")[2], limit=MAX_ROWS)
            cells += len(_CELL_TAG.findall(data))
            if cells > MAX_CELLS:
                raise _too_big(path, "import.big.cells", limit=MAX_CELLS)


def _read_sheet(path: Path, ws: Any, fs: Any, budget: list[int]) -> Table:
    """One sheet, streamed; `budget` is the cells all sheets may still hold."""
    ws.reset_dimensions()  # the declared dimension is not trusted: rows are read as they come
    formula_rows = iter(fs.iter_rows()) if fs is not None else None
    if fs is not None:
        fs.reset_dimensions()
    rows: list[list[CellValue]] = []
    cut: list[tuple[int, int]] = []
    width = 0
    for r_i, r in enumerate(ws.iter_rows(), start=1):
        if r_i > MAX_ROWS:
            raise _too_big(path, "import.big.rows", sheet=ws.title, limit=MAX_ROWS)
        frow = next(formula_rows, ()) if formula_rows is not None else ()
        n = max(len(r), len(frow))
        while n and (n > len(r) or r[n - 1].value is None) and (
            n > len(frow) or frow[n - 1].value is None
        ):
            n -= 1
        if n > MAX_COLUMNS:
            raise _too_big(path, "import.big.columns", sheet=ws.title, row=r_i, column=n, limit=MAX_COLUMNS)
        row: list[CellValue] = []
        for c_i in range(n):
            c = r[c_i] if c_i < len(r) else None
            v = c.value if c is not None else None
            if v is None and c_i < len(frow):
                f = frow[c_i].value
                if isinstance(f, str) and f.startswith("="):
                    v = Formula(f)
            if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                cut.append((r_i, c_i + 1))
            row.append(cell_value(v, getattr(c, "number_format", None)))
        rows.append(row)
        width = max(width, n)
        budget[0] -= max(n, 1)
        if budget[0] < 0:
            raise _too_big(path, "import.big.cells", limit=MAX_CELLS)
    # Trailing empty rows are dropped; every row gets the same length.
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()
    budget[0] -= len(rows) * width
    if budget[0] < 0:
        raise _too_big(path, "import.big.cells", limit=MAX_CELLS)
    for row in rows:
        row.extend([None] * (width - len(row)))
    merged_rows: set[int] = set()
    for min_col, min_row, max_col, max_row in _merges(path, ws):
        if min_row > len(rows) or min_col > width:
            continue
        last_row, last_col = min(max_row, len(rows)), min(max_col, width)
        budget[0] -= (last_row - min_row + 1) * (last_col - min_col + 1)
        if budget[0] < 0:
            raise _too_big(path, "import.big.merge", limit=MAX_CELLS)
        top = rows[min_row - 1][min_col - 1]
        for rr in range(min_row, last_row + 1):
            for cc in range(min_col, last_col + 1):
                rows[rr - 1][cc - 1] = top
            if max_col > min_col:
                merged_rows.add(rr)
    hidden = getattr(ws, "sheet_state", "visible") != "visible"
    return Table(ws.title, rows, frozenset(merged_rows), clean_cells(rows), hidden, tuple(cut))


_MERGE = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\b[^>]*?\bref=\"([A-Z]{1,3}[0-9]{1,7})(?::([A-Z]{1,3}[0-9]{1,7}))?\""
)


def _merges(path: Path, ws: Any) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges as (min_col, min_row, max_col, max_row), read from its
    XML (a streamed sheet does not keep them); the package's size is checked already."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    with zipfile.ZipFile(path) as z:
        data = z.read(ws._worksheet_path)
    found: list[tuple[int, int, int, int]] = []
    for m in _MERGE.finditer(data):
        if len(found) >= MAX_MERGES:
            raise _too_big(path, "import.big.merges", limit=MAX_MERGES)
        first = m.group(1).decode()
        last = (m.group(2) or m.group(1)).decode()
        c1, r1 = coordinate_from_string(first)
        c2, r2 = coordinate_from_string(last)
        a, b = column_index_from_string(c1), column_index_from_string(c2)
        found.append((min(a, b), min(r1, r2), max(a, b), max(r1, r2)))
    return found


# Any element named f, with or without a namespace prefix: <f>, <f t="shared" …/>, <x:f>.
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")


def _unsaved_formulas(path: Path) -> bool:
    """Whether some worksheet holds a formula cell without a saved value (no `<v>`, or an
    empty one). A sheet without a formula is told by a byte search; only a sheet that has
    formulas is parsed (without entities or DTDs). When the parts cannot be told apart,
    the answer is yes."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from xml.etree.ElementTree import ParseError

    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

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
            except (ParseError, DefusedXmlException):
                return True
    return False


def cell_value(v: object, number_format: str | None) -> CellValue:
    """One cell as read: a number shown as a percentage as its text ("60%"), blank text as
    None, text cut at MAX_CELL_CHARS, a formula with no saved result as a `Formula`. The
    one converter of every workbook sanzhua reads (an import, a returned form)."""
    if v is None:
        return None
    if isinstance(v, Formula):
        return v if len(v) <= MAX_CELL_CHARS else Formula(v[:MAX_CELL_CHARS])
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, datetime | date):
        return v
    if isinstance(v, int | float):
        if number_format and "%" in number_format:
            return f"{v * 100:g}%"
        return v
    s = v if isinstance(v, str) else str(v)
    if not s.strip():
        return None
    return s if len(s) <= MAX_CELL_CHARS else s[:MAX_CELL_CHARS]


def read_csv_bytes(data: bytes, name: str = "csv") -> Table:
    """A CSV file in UTF-8 (BOM or not), GBK/GB18030, or UTF-16 with its BOM (Excel's
    “Unicode 文本”, tab separated); comma, tab or semicolon separated."""
    text: str | None = None
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))  # before GB18030, which reads it as nonsense
    for codec in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise FatalError(msg("import.csv-encoding"), msg("import.csv-encoding.hint"))
    sample = text[:8192]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[CellValue]] = []
    if "\x00" in text:  # the csv module stops at a NUL; it is removed (and reported) below
        text = text.replace("\x00", "\ufffe")
    n = 0
    try:
        for n, rec in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            _bounded(rec, n, name)
            rows.append([_unquote(c) if c.strip() else None for c in rec])
    except csv.Error as e:  # a cell over the csv module's field limit, a stray quote in strict mode
        if "field larger" in str(e):
            detail = msg("import.big.csv-cell", row=n + 1, limit=csv.field_size_limit())
            raise TooBig(msg("import.too-big", file=name, detail=detail)) from None
        hint = msg("import.csv-unreadable.hint")
        raise FatalError(msg("import.csv-unreadable", row=n + 1, error=str(e)), hint) from None
    width = max((len(r) for r in rows), default=0)
    for r in rows:
        r.extend([None] * (width - len(r)))
    return Table(name, rows, cleaned=clean_cells(rows))


def _bounded(rec: list[str], n: int, name: str) -> None:
    """Refuse a CSV beyond MAX_ROWS rows or MAX_COLUMNS columns, at row `n`."""
    if n > MAX_ROWS:
        raise TooBig(msg("import.too-big", file=name, detail=msg("import.big.csv-rows", limit=MAX_ROWS)))
    if len(rec) > MAX_COLUMNS:
        detail = msg("import.big.csv-columns", row=n, n=len(rec), limit=MAX_COLUMNS)
        raise TooBig(msg("import.too-big", file=name, detail=detail))


def _unquote(cell: str) -> str:
    """A cell `sanzhua export` (or another careful writer) guarded against formula
    injection, `'=…`, back as it was written in the ledger."""
    if cell.startswith("'") and cell[1:2] in ("=", "+", "-", "@", "\t", "\r"):
        return cell[1:]
    return cell


def clean_cells(rows: list[list[CellValue]]) -> tuple[tuple[int, int], ...]:
    """Remove control characters from every text cell (issue 14.4: a NUL or ESC must not
    reach the ledger); where they were, to be reported."""
    where: list[tuple[int, int]] = []
    for r_i, row in enumerate(rows, start=1):
        for c_i, v in enumerate(row, start=1):
            if isinstance(v, str) and has_unprintable(v):
                kept = printable(v)
                row[c_i - 1] = (Formula(kept) if isinstance(v, Formula) else kept) if kept.strip() else None
                where.append((r_i, c_i))
    return tuple(where)
