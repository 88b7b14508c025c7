"""Reading a returned 进展填报表 (xlsx, or a CSV made from it), cell by cell, as data.

A returned workbook is untrusted input: it may have been re-saved by WPS or LibreOffice,
edited by hand, or made to hurt. So:
- the file is checked before openpyxl sees it: its size, the number and total unpacked
  size of its zip members and their compression ratio (a zip bomb), and the main sheet
  is read in openpyxl's read-only mode, stopping at MAX_ROWS rows and MAX_COLS columns;
- a formula is never evaluated: its saved result is read, or, when there is none, its
  text (which the percent and date columns then refuse);
- every problem is a value (`Issue`, with the cell it is about), never an exception.

What the form is and whether its grey cells were edited is told by the form itself
(sanzhua.interchange.form): the 表单编号 line, the hidden 校验 column and, in a
workbook, the hidden identity sheet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sanzhua.dates import DateError, parse_when
from sanzhua.errors import FatalError
from sanzhua.i18n import Lang
from sanzhua.interchange import form as F
from sanzhua.interchange.cells import serial_to_date
from sanzhua.interchange.tabular import MAX_CELL_CHARS, cell_value, check_package, read_csv_bytes
from sanzhua.problems import Msg, msg

# openpyxl is imported inside the function that opens a workbook, for start-up cost alone:
# it takes about half a second to import, and a form returned as CSV needs none of it.

# Limits for a returned form: a unit's form is a few dozen rows and a few hundred KB.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_MEMBERS = 500  # (a part more than 100 times its packed size is refused, as on import)
MAX_ROWS = 5000
MAX_COLS = 100
MAX_STRINGS = 100_000  # shared strings: a form's rows hold a few thousand (collect reads the table twice)

Raw = str | int | float | date | datetime | None


class FormFileError(Exception):
    """The file cannot be read as a form at all; `message` says why."""

    def __init__(self, message: Msg) -> None:
        super().__init__(message.key)
        self.message = message


@dataclass(frozen=True)
class Issue:
    """A problem with a cell (`ref` "C7"), a row ("A7") or the whole file (`ref` "")."""

    ref: str
    message: Msg


@dataclass
class ReturnedRow:
    sheet_row: int
    seq: int
    task_id: str
    role: str  # "lead" | "partner"
    due: str  # the deadline the form was made with (ISO), "" when none
    cells: dict[str, tuple[str, Raw]]  # editable column → (cell ref, value)


@dataclass
class ReturnedForm:
    path: Path
    unit: str
    as_of: date
    rows_expected: int
    digest8: str
    pairs: int
    lang: str | None = None
    commit: str | None = None  # only a workbook carries it (the identity sheet)
    ledger: str | None = None
    rows: list[ReturnedRow] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    blank_rows: int = 0

    @property
    def code(self) -> str:
        return F.form_code(self.unit, self.as_of, self.rows_expected, self.digest8 + "0" * 56)


def col_letter(i: int) -> str:
    s = ""
    while i > 0:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


# -- reading the file ------------------------------------------------------------------


@dataclass
class _Grid:
    rows: list[list[Raw]]
    meta: dict[str, str] = field(default_factory=dict)
    meta_rows: dict[int, tuple[int, str]] = field(default_factory=dict)  # sheet row → (seq, id)


def _check_zip(path: Path) -> None:
    """The workbook guard every import has (tabular.check_package), with a form's limits."""
    try:
        check_package(path, max_parts=MAX_MEMBERS, max_unpacked=MAX_UNPACKED_BYTES, max_strings=MAX_STRINGS)
    except FatalError as e:
        raise FormFileError(msg("collect.unreadable", detail=e.said)) from None


def _read_xlsx(path: Path) -> _Grid:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    import openpyxl

    _check_zip(path)
    try:
        values = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as e:  # openpyxl raises many kinds on a broken file
        raise FormFileError(msg("collect.unreadable", detail=f"{type(e).__name__}: {e}")) from None
    try:
        names = values.sheetnames
        main = next((n for n in names if n in F.MAIN_SHEET), None)
        if main is None:
            main = next((n for n in names if n != F.META_SHEET and n not in F.HELP_SHEET), None)
        if main is None:
            raise FormFileError(msg("collect.not-a-form"))
        rows = _sheet_rows(values[main], formulas[main])
        grid = _Grid(rows)
        if F.META_SHEET in names:
            meta_rows = _sheet_rows(values[F.META_SHEET], None, max_cols=8)
            for r in meta_rows[: len(F.META_KEYS) + 5]:
                k, v = (r[4] if len(r) > 4 else None), (r[5] if len(r) > 5 else None)
                if isinstance(k, str) and k in F.META_KEYS:
                    grid.meta[k] = F.norm(v)
            for i, r in enumerate(meta_rows, start=1):
                if i >= F.FIRST_ROW and len(r) > 2 and r[1] is not None:
                    try:
                        grid.meta_rows[i] = (int(F.norm(r[0])), F.norm(r[1]))
                    except ValueError:
                        continue
        return grid
    except FormFileError:
        raise
    except Exception as e:
        raise FormFileError(msg("collect.unreadable", detail=f"{type(e).__name__}: {e}")) from None
    finally:
        values.close()
        formulas.close()


class Overlong(str):
    """A cell's text past MAX_CELL_CHARS, cut there (`length`: what the cell held). A form's
    cell is a clerk's report: it is refused by name, never written cut (a note of 32,767
    characters was written as its first 5,000, and collect said nothing)."""

    length: int


def _cell(v: object, number_format: str | None) -> Raw:
    """`cell_value`, with text it cut marked `Overlong`."""
    got = cell_value(v, number_format)
    if isinstance(v, str) and isinstance(got, str) and len(v) > MAX_CELL_CHARS:
        cut = Overlong(got)
        cut.length = len(v)
        return cut
    return got


def _sheet_rows(ws: object, fws: object | None, max_cols: int = MAX_COLS) -> list[list[Raw]]:
    """Rows of a read-only sheet; a formula with no saved result reads as its text."""
    out: list[list[Raw]] = []
    f_iter = fws.iter_rows(max_col=max_cols) if fws is not None else None  # type: ignore[attr-defined]
    for r in ws.iter_rows(max_col=max_cols):  # type: ignore[attr-defined]
        frow = next(f_iter, None) if f_iter is not None else None
        if len(out) >= MAX_ROWS:
            raise FormFileError(msg("collect.too-many-rows", limit=MAX_ROWS))
        row: list[Raw] = []
        for j, c in enumerate(r):
            v = getattr(c, "value", None)
            if v is None and frow is not None and j < len(frow):
                fv = getattr(frow[j], "value", None)
                if isinstance(fv, str) and fv.startswith("="):
                    v = fv
            row.append(_cell(v, getattr(c, "number_format", None)))
        out.append(row)
    return out


def _read_csv(path: Path) -> _Grid:
    data = path.read_bytes()
    try:
        table = read_csv_bytes(data, path.stem)
    except FatalError as e:
        raise FormFileError(msg("collect.unreadable", detail=e.said)) from None  # said in the run's language
    if len(table.rows) > MAX_ROWS:
        raise FormFileError(msg("collect.too-many-rows", limit=MAX_ROWS))
    return _Grid([[_cell(v, None) for v in r[:MAX_COLS]] for r in table.rows])


def read_form(path: Path) -> ReturnedForm:
    """A returned form, with the issues of its rows; FormFileError when it is not one."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as e:
        raise FormFileError(msg("collect.unreadable", detail=e.strerror or str(e))) from None
    if not path.is_file():
        raise FormFileError(msg("collect.unreadable", detail="not a regular file"))
    if size > MAX_FILE_BYTES:
        raise FormFileError(msg("collect.too-big-file", mb=size // 2**20, limit=MAX_FILE_BYTES // 2**20))
    if suffix in (".xlsx", ".xlsm"):
        grid = _read_xlsx(path)
    elif suffix in (".csv", ".txt"):
        grid = _read_csv(path)
    else:
        raise FormFileError(msg("collect.file-type", name=path.name))
    return _parse(path, grid)


# -- the form in the grid ----------------------------------------------------------------


def _key(s: object) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", F.norm(s)))


def _header_columns(row: list[Raw]) -> tuple[list[str], Lang] | None:
    """The column keys of a header row (either language), or None when it is not one."""
    cells = [_key(v) for v in row]
    while cells and not cells[-1]:
        cells.pop()
    langs: tuple[Lang, ...] = ("zh", "en")
    for lang in langs:
        for pairs in range(1, F.MAX_MILESTONE_PAIRS + 1):
            cols = F.columns(pairs)
            want = [_key(F.header_text(c, lang)) for c in cols]
            if cells == want:
                return cols, lang
    return None


def _header_mismatch(row: list[Raw]) -> Issue | None:
    """For a row that starts like the header: the first cell that differs."""
    langs: tuple[Lang, ...] = ("zh", "en")
    for lang in langs:
        first = _key(F.header_text("seq", lang))
        if row and _key(row[0]) == first:
            cols = F.columns(F.MAX_MILESTONE_PAIRS)
            for i, c in enumerate(cols):
                want = _key(F.header_text(c, lang))
                got = _key(row[i]) if i < len(row) else ""
                if got != want and not (c.startswith("ms") and c != "check"):
                    return Issue(
                        f"{col_letter(i + 1)}{F.TITLE_ROWS}",
                        msg("collect.header", want=F.header_text(c, lang), got=F.norm(row[i]) if i < len(row) else ""),
                    )
            return Issue("", msg("collect.header-pairs"))
    return None


def _parse(path: Path, grid: _Grid) -> ReturnedForm:
    """The returned form: which form it is (its code), and each row's cells, with an
    `Issue` for each thing a unit changed that it may not (a grey cell, a row added,
    copied or deleted) and for a code that no longer matches the rows."""
    rf, header_at, cols, lang = _form_of(path, grid)
    seen = _Seen()
    for r_i in range(header_at + 1, len(grid.rows)):
        _read_row(rf, grid.rows[r_i], r_i + 1, cols, lang, seen)
    # Rows deleted: the identity sheet names them; a CSV has the count and the numbering.
    if grid.meta_rows:
        for sheet_row, (seq, tid) in sorted(grid.meta_rows.items()):
            if tid not in seen.ids:
                rf.issues.append(Issue(f"A{sheet_row}", msg("collect.row-deleted", seq=seq, id=tid)))
    else:
        for seq in range(1, rf.rows_expected + 1):
            if seq not in seen.seqs:
                rf.issues.append(Issue("", msg("collect.row-deleted", seq=seq, id="—")))
    row_keys = ("collect.row-deleted", "collect.row-added", "collect.row-copied", "collect.read-only")
    ok_rows = not any(i.message.key in row_keys for i in rf.issues)
    if ok_rows and F.rows_digest(rf.unit, rf.as_of, seen.rows)[:8] != rf.digest8:
        rf.issues.append(Issue("", msg("collect.digest")))
    return rf


def _form_of(path: Path, grid: _Grid) -> tuple[ReturnedForm, int, list[str], Lang]:
    """Which form this is (the code on it and on its identity sheet), where its header
    row is, its columns and their language; FormFileError for a file that is not a form."""
    rows = grid.rows
    header_at = None
    found: tuple[list[str], Lang] | None = None
    for i, r in enumerate(rows[:15]):
        found = _header_columns(r)
        if found:
            header_at = i
            break
    code_m = None
    for r in rows[: (header_at if header_at is not None else 15)]:
        for v in r:
            if isinstance(v, str):
                code_m = F.CODE_RE.search(v) or code_m
        if code_m:
            break
    meta_code = F.CODE_RE.fullmatch(grid.meta.get("code", "")) if grid.meta else None
    m = meta_code or code_m
    if m is None:
        raise FormFileError(msg("collect.not-a-form"))
    if found is None or header_at is None:
        for r in rows[:15]:
            bad = _header_mismatch(r)
            if bad is not None:
                raise FormFileError(bad.message)
        raise FormFileError(msg("collect.no-header"))
    cols, lang = found
    try:
        as_of = datetime.strptime(m.group(2), "%Y%m%d").date()
    except ValueError:
        raise FormFileError(msg("collect.not-a-form")) from None
    rf = ReturnedForm(
        path,
        unit=m.group(1),
        as_of=as_of,
        rows_expected=int(m.group(3)),
        digest8=m.group(4),
        pairs=(len(cols) - len(F.READ_ONLY) - len(F.EDITABLE) - 1) // 2,
        lang=lang,
        commit=grid.meta.get("commit") or None,
        ledger=grid.meta.get("ledger") or None,
    )
    if meta_code and code_m and meta_code.group(0) != code_m.group(0):
        rf.issues.append(Issue("A2", msg("collect.code-edited", visible=code_m.group(0), hidden=meta_code.group(0))))
    return rf, header_at, cols, lang


@dataclass
class _Seen:
    """The task rows read so far: each id's sheet row, the row numbers, (seq, id, code)."""

    ids: dict[str, int] = field(default_factory=dict)
    seqs: set[int] = field(default_factory=set)
    rows: list[tuple[int, str, str]] = field(default_factory=list)


def _read_row(rf: ReturnedForm, raw: list[Raw], sheet_row: int, cols: list[str], lang: Lang, seen: _Seen) -> None:
    """One row under the header: a `ReturnedRow` when its grey cells are as the form wrote
    them, else an `Issue` for each changed (a row added or copied is one issue)."""
    index = {c: i for i, c in enumerate(cols)}
    values = [raw[index[c]] if index[c] < len(raw) else None for c in cols]
    extra = [v for v in raw[len(cols) :] if F.norm(v)]
    if not any(F.norm(v) for v in values) and not extra:
        rf.blank_rows += 1
        return
    if extra:
        rf.issues.append(Issue(f"{col_letter(len(cols) + 1)}{sheet_row}", msg("collect.extra-cells")))
    texts = [F.norm(values[index[c]]) for c in F.READ_ONLY]
    code = F.norm(values[index["check"]])
    hashes = F.cell_hashes(code)
    if len(hashes) != len(F.READ_ONLY) or not re.fullmatch(r"[0-9a-f]+", code):
        rf.issues.append(Issue(f"A{sheet_row}", msg("collect.row-added", id=texts[1] or "—")))
        return
    mine = F.cell_hashes(F.check_code(texts))
    edited = [c for c, a, b in zip(F.READ_ONLY, hashes, mine, strict=True) if a != b]
    for c in edited:
        ref = f"{col_letter(index[c] + 1)}{sheet_row}"
        now = _short(texts[F.READ_ONLY.index(c)])
        rf.issues.append(Issue(ref, msg("collect.read-only", column=F.header_text(c, lang), now=now)))
    if "id" in edited or "seq" in edited:
        return
    seq = int(texts[0]) if texts[0].isdigit() else 0
    task_id = texts[1]
    if task_id in seen.ids:
        rf.issues.append(Issue(f"A{sheet_row}", msg("collect.row-copied", id=task_id, row=seen.ids[task_id])))
        return
    seen.ids[task_id] = sheet_row
    seen.seqs.add(seq)
    seen.rows.append((seq, task_id, code))
    role = "partner" if texts[3] in F.ROLE_WORDS["partner"] else "lead"
    cells = {
        c: (f"{col_letter(index[c] + 1)}{sheet_row}", values[index[c]])
        for c in cols
        if c not in F.READ_ONLY and c != "check"
    }
    rf.rows.append(ReturnedRow(sheet_row, seq, task_id, role, texts[4], cells))


def _short(s: str, n: int = 30) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


# -- the cells of one row -------------------------------------------------------------


@dataclass
class RowReport:
    """What one row reports, read and checked cell by cell."""

    row: ReturnedRow
    day: date | None = None  # None: the row's date cell is empty (the form's date is used)
    percent: float | None = None
    value: float | None = None
    note: str | None = None
    done: date | None = None
    milestones: list[tuple[str, date, str]] = field(default_factory=list)  # name, day, cell ref

    @property
    def blank(self) -> bool:
        return (
            self.percent is None and self.value is None and not self.note and self.done is None and not self.milestones
        )


# C0 controls and the bidirectional overrides (which make a note read other than it is)
# are refused; zero-width spaces, common in text copied from the web, are dropped.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_ZERO_WIDTH = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def _text(v: Raw) -> str | None:
    s = _ZERO_WIDTH.sub("", F.norm(v))
    return s or None


def read_day(v: Raw, year: int) -> date:
    """A date cell; raises ValueError with a Msg in args[0]."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, int | float):
        if 20000 <= v <= 80000:
            return serial_to_date(v)
        raise ValueError(msg("collect.not-date", value=F.norm(v), detail="—"))
    s = F.norm(v)
    if s.startswith("="):
        raise ValueError(msg("collect.formula", value=s))
    try:
        return parse_when(unicodedata.normalize("NFKC", s), year)
    except DateError as e:
        raise ValueError(msg("collect.not-date", value=s, detail=e.detail_zh)) from None


def read_num(v: Raw, percent: bool = False) -> float:
    """A number cell; "60%" only in the percent column. Raises ValueError(Msg)."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        f = float(v)
    else:
        s = F.norm(v)
        if s.startswith("="):
            raise ValueError(msg("collect.formula", value=s))
        t = unicodedata.normalize("NFKC", s).replace(",", "").strip()
        if percent:
            t = t.removesuffix("%").strip()
        try:
            f = float(t)
        except ValueError:
            raise ValueError(msg("collect.not-number", value=s)) from None
    if f != f or f in (float("inf"), float("-inf")):
        raise ValueError(msg("collect.not-number", value=F.norm(v)))
    return f


def read_row(row: ReturnedRow, year: int, lang: str) -> tuple[RowReport, list[Issue]]:
    """The report of one row and the problems of its cells (the ledger is not consulted)."""
    rep = RowReport(row)
    issues: list[Issue] = []

    def cell(c: str) -> tuple[str, Raw]:
        return row.cells.get(c, ("", None))

    def head(c: str) -> str:
        return F.header_text(c, "en" if lang == "en" else "zh")

    for c, (ref, v) in row.cells.items():
        if isinstance(v, Overlong):
            issues.append(Issue(ref, msg("collect.too-long", column=head(c), n=v.length, limit=MAX_CELL_CHARS)))
        elif isinstance(v, str) and _CONTROL.search(v):
            issues.append(Issue(ref, msg("collect.control-char", column=head(c))))
    if issues:
        return rep, issues
    ref, v = cell("date")
    if _text(v):
        try:
            rep.day = read_day(v, year)
        except ValueError as e:
            issues.append(Issue(ref, e.args[0]))
    ref, v = cell("percent")
    if _text(v):
        try:
            p = read_num(v, percent=True)
            if not 0 <= p <= 100:
                issues.append(Issue(ref, msg("collect.percent-range", value=F.norm(v))))
            else:
                rep.percent = p
        except ValueError as e:
            issues.append(Issue(ref, e.args[0]))
    ref, v = cell("value")
    if _text(v):
        try:
            rep.value = read_num(v)
        except ValueError as e:
            issues.append(Issue(ref, e.args[0]))
    ref, v = cell("note")
    rep.note = _text(v)
    if rep.note is not None:
        rep.note = (
            " ".join(rep.note.split("\n"))
            if rep.note.isascii()
            else "".join(part.strip() for part in rep.note.split("\n"))
        )
    ref, v = cell("done")
    if _text(v):
        try:
            rep.done = read_day(v, year)
        except ValueError as e:
            issues.append(Issue(ref, e.args[0]))
    issues.extend(_read_milestones(row, year, rep.milestones))
    if rep.percent is not None and rep.value is not None:
        issues.append(Issue(cell("value")[0], msg("collect.percent-and-value")))
    if row.role == "partner":
        for c in ("percent", "value", "done"):
            if _text(cell(c)[1]):
                issues.append(Issue(cell(c)[0], msg("collect.partner-only-note", column=head(c))))
        if rep.milestones:
            issues.append(Issue(rep.milestones[0][2], msg("collect.partner-only-note", column=head("ms1"))))
    return rep, issues


def _read_milestones(row: ReturnedRow, year: int, into: list[tuple[str, date, str]]) -> list[Issue]:
    """The row's milestone cells (ms1 and ms1_date, ms2 ...) read into `into`: a name needs
    a date and a date a name, and a milestone is reported once."""
    issues: list[Issue] = []
    n = 1
    while f"ms{n}" in row.cells:
        nref, nv = row.cells[f"ms{n}"]
        dref, dv = row.cells.get(f"ms{n}_date", ("", None))
        name = _text(nv)
        if name and not _text(dv):
            issues.append(Issue(dref, msg("collect.ms-no-date", name=name)))
        elif _text(dv) and not name:
            issues.append(Issue(nref, msg("collect.ms-no-name")))
        elif name:
            try:
                into.append((name, read_day(dv, year), nref))
            except ValueError as e:
                issues.append(Issue(dref, e.args[0]))
        n += 1
    names = [m[0] for m in into]
    for name, _, ref in into:
        if names.count(name) > 1:
            issues.append(Issue(ref, msg("collect.ms-twice", name=name)))
            break
    return issues
