"""The weekly 进展填报表: one workbook per unit, out to the clerk and back.

`build_form` turns a unit's open tasks into plain rows (data first); `write_form_xlsx`
lays them out: the read-only columns (what the ledger says: deadline, milestones,
target, the last report) locked and grey, the columns of this period's report open and
checked by data validation, the sheet protected without a password, a hidden sheet
with the form's identity (ledger, unit, as-of date, commit, digest of the rows) and
the milestone lists the validation offers.

What makes a returned form trustworthy is in the form itself, so that a CSV the clerk
saved from it can be checked too: the visible 表单编号 line (unit, as-of date, number
of rows, digest) and a hidden 校验 column whose code holds a short hash of every
read-only cell of its row. `sanzhua.interchange.form_read` reads a returned form;
`sanzhua.commands.collect` writes what it reports into the ledger.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from sanzhua.dates import format_cn
from sanzhua.evaluate import is_open
from sanzhua.i18n import Lang, label, say
from sanzhua.interchange.cells import shown
from sanzhua.model import Task, Unit
from sanzhua.outfile import replacing

# openpyxl is imported inside the functions that write the workbook, for start-up cost
# alone: it takes about half a second to import, and `collect` reads a form without it.

FORMAT_NAME = "sanzhua-form"
FORMAT_VERSION = 1
MAIN_SHEET = ("进展填报", "Progress report")
HELP_SHEET = ("填报说明", "Instructions")
META_SHEET = "_sanzhua"
MAX_MILESTONE_PAIRS = 4
TITLE_ROWS = 3  # title, form id line, header: data rows start at row 4
FIRST_ROW = TITLE_ROWS + 1
# The most task rows a form holds: `collect` reads at most form_read.MAX_ROWS rows of the
# sheet, the title rows among them; a longer form could be written but never read back.
MAX_FORM_ROWS = 5000 - TITLE_ROWS

# Read-only columns, then the columns of this period's report; the milestone pairs
# (ms1, ms1_date, …) and the hidden check column follow.
READ_ONLY = ("seq", "id", "title", "role", "due", "milestones", "target", "last")
EDITABLE = ("date", "percent", "value", "note", "done")
HEADERS: dict[str, tuple[str, str]] = {
    "seq": ("序号", "No."),
    "id": ("编号", "ID"),
    "title": ("任务", "Task"),
    "role": ("角色", "Role"),
    "due": ("时限", "Deadline"),
    "milestones": ("节点", "Milestones"),
    "target": ("目标", "Target"),
    "last": ("上次填报", "Last report"),
    "date": ("填报日期", "Report date"),
    "percent": ("进度（%）", "Percent"),
    "value": ("完成值（累计）", "Value (cumulative)"),
    "note": ("进展情况", "Progress note"),
    "done": ("完成日期", "Done on"),
    "ms": ("完成节点{n}", "Milestone {n} done"),
    "ms_date": ("节点{n}完成日期", "Milestone {n} date"),
    "check": ("校验", "Check"),
}
ROLE_WORDS = {"lead": ("牵头", "lead"), "partner": ("配合", "partner")}
WIDTHS = {
    "seq": 5,
    "id": 11,
    "title": 30,
    "role": 6,
    "due": 11,
    "milestones": 26,
    "target": 14,
    "last": 28,
    "date": 12,
    "percent": 9,
    "value": 12,
    "note": 32,
    "done": 12,
    "ms": 16,
    "ms_date": 12,
    "check": 10,
}


@dataclass(frozen=True)
class FormRow:
    """One task of the form: what is shown read-only, and what may be filled in."""

    seq: int
    task_id: str
    role: str  # "lead" or "partner"
    texts: dict[str, str]  # read-only column → its text
    milestones: tuple[str, ...]  # the names of the milestones not yet done (the list offered)
    has_target: bool

    @property
    def lead(self) -> bool:
        return self.role == "lead"

    @cached_property
    def code_of_row(self) -> str:
        return check_code([self.texts[c] for c in READ_ONLY])

    def check_code(self) -> str:
        return self.code_of_row


@dataclass(frozen=True)
class Form:
    """A unit's form as of a date, made from the ledger at `commit`."""

    ledger_name: str
    unit: Unit
    as_of: date
    commit: str  # the ledger's git commit ("" outside git); "+" at the end when files differed from it
    rows: tuple[FormRow, ...]
    pairs: int  # milestone (name, date) column pairs
    lang: Lang
    office: str | None = None

    @cached_property
    def digest(self) -> str:
        return rows_digest(self.unit.id, self.as_of, [(r.seq, r.task_id, r.check_code()) for r in self.rows])

    @property
    def code(self) -> str:
        return form_code(self.unit.id, self.as_of, len(self.rows), self.digest)

    def columns(self) -> list[str]:
        return columns(self.pairs)


def columns(pairs: int) -> list[str]:
    """Every column of the main sheet, in order: `ms1`, `ms1_date` … for the pairs."""
    out = list(READ_ONLY) + list(EDITABLE)
    for n in range(1, pairs + 1):
        out += [f"ms{n}", f"ms{n}_date"]
    return [*out, "check"]


def header_text(col: str, lang: Lang) -> str:
    m = re.fullmatch(r"ms(\d+)(_date)?", col)
    if m:
        zh, en = HEADERS["ms_date" if m.group(2) else "ms"]
        return (zh if lang == "zh" else en).format(n=m.group(1))
    zh, en = HEADERS[col]
    return zh if lang == "zh" else en


def norm(v: object) -> str:
    """A cell as the text it shows: what the read-only checks compare."""
    if v is None:
        return ""
    return "\n".join(line.strip() for line in shown(v).strip().split("\n"))


def _h(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def check_code(texts: Sequence[str]) -> str:
    """The 校验 code of a row: five hex digits per read-only cell (the id among them), so
    that an edited cell can be named even in a CSV made from the form."""
    return "".join(_h(str(i), norm(t))[:5] for i, t in enumerate(texts))


def cell_hashes(code: str) -> list[str]:
    return [code[i : i + 5] for i in range(0, len(code), 5)]


def rows_digest(unit: str, as_of: date, rows: Sequence[tuple[int, str, str]]) -> str:
    body = json.dumps([unit, as_of.isoformat(), sorted(rows)], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def form_code(unit: str, as_of: date, n: int, digest: str) -> str:
    """The 表单编号 printed on the form: unit.yyyymmdd.rows.digest (8 hex)."""
    return f"{unit}.{as_of.strftime('%Y%m%d')}.{n}.{digest[:8]}"


CODE_RE = re.compile(r"([a-z0-9_-]+)\.(\d{8})\.(\d+)\.([0-9a-f]{8})")


# -- building ------------------------------------------------------------------------------


def _milestone_text(task: Task, as_of: date, lang: Lang) -> str:
    lines = []
    for m in task.milestones:
        if m.done is not None and m.done <= as_of:
            lines.append(say("form.milestone.done", lang, name=m.name, due=m.due.isoformat(), done=m.done.isoformat()))
        else:
            lines.append(say("form.milestone.open", lang, name=m.name, due=m.due.isoformat()))
    return "\n".join(lines)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _target_text(task: Task) -> str:
    t = task.target
    if t is None:
        return ""
    parts = [t.metric or "", _num(t.value) + (t.unit or "")]
    if t.direction == "at_most":
        parts.append("（不超过）")
    return " ".join(p for p in parts if p)


def _last_text(task: Task, as_of: date, lang: Lang) -> str:
    entries = [p for p in task.progress if p.date <= as_of]
    if not entries:
        return say("form.no-progress", lang)
    p = max(entries, key=lambda e: e.date)
    amount = []
    if p.percent is not None:
        amount.append(f"{_num(p.percent)}%")
    if p.value is not None:
        amount.append(_num(p.value) + (task.target.unit or "" if task.target else ""))
    head = p.date.isoformat() + (" " + " ".join(amount) if amount else "")
    return head + ("\n" + " ".join(p.note.split()) if p.note else "")


def form_row(seq: int, task: Task, role: str, as_of: date, lang: Lang) -> FormRow:
    texts = {
        "seq": str(seq),
        "id": task.id,
        "title": " ".join(task.title.split()),
        "role": label(ROLE_WORDS, role, lang),
        "due": task.due.isoformat() if task.due else "",
        "milestones": _milestone_text(task, as_of, lang),
        "target": _target_text(task),
        "last": _last_text(task, as_of, lang),
    }
    open_ms = tuple(m.name for m in task.milestones if m.done is None or m.done > as_of)
    return FormRow(seq, task.id, role, texts, open_ms if role == "lead" else (), task.target is not None)


def unit_tasks(tasks: Sequence[Task], unit: Unit, as_of: date) -> list[Task]:
    """The unit's open tasks, led or shared, in ledger order: what its form lists."""
    return [t for t in tasks if (t.lead == unit.id or unit.id in t.partners) and is_open(t, as_of)]


def units_tasks(tasks: Iterable[Task], as_of: date) -> dict[str, list[Task]]:
    """`unit_tasks` of every unit named by a task (as lead or partner), in one pass over the
    tasks rather than one per unit (issue 17: 5,000 units × 100,000 tasks took `form
    --each-unit` ten minutes before it could say the forms were too many)."""
    out: dict[str, list[Task]] = {}
    for t in tasks:
        if not is_open(t, as_of):
            continue
        for uid in dict.fromkeys((t.lead, *t.partners)):
            out.setdefault(uid, []).append(t)
    return out


def build_form(
    ledger_name: str,
    unit: Unit,
    tasks: Sequence[Task],
    as_of: date,
    commit: str,
    lang: Lang,
    office: str | None = None,
) -> Form:
    """The form of `unit`: its open tasks (given in order), led ones first, then shared ones."""
    lead = [t for t in tasks if t.lead == unit.id]
    partner = [t for t in tasks if t.lead != unit.id and unit.id in t.partners]
    rows = [form_row(i, t, "lead", as_of, lang) for i, t in enumerate(lead, start=1)]
    rows += [form_row(i, t, "partner", as_of, lang) for i, t in enumerate(partner, start=len(rows) + 1)]
    most = max((len(r.milestones) for r in rows), default=0)
    pairs = max(1, min(MAX_MILESTONE_PAIRS, most))
    return Form(ledger_name, unit, as_of, commit, tuple(rows), pairs, lang, office)


# -- writing -------------------------------------------------------------------------------

GREY = "FFF2F2F2"
OPEN = "FFFFF9DB"
HEAD = "FFD9E1F2"


def write_form_xlsx(form: Form, path: Path) -> None:
    """The workbook: the form sheet, the instructions, the hidden identity sheet."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    lang = form.lang
    ws.title = MAIN_SHEET[0] if lang == "zh" else MAIN_SHEET[1]
    meta = wb.create_sheet(META_SHEET)
    help_ws = wb.create_sheet(HELP_SHEET[0] if lang == "zh" else HELP_SHEET[1])
    _main_sheet(ws, meta, form)
    _help_sheet(help_ws, form)
    _meta_sheet(meta, form)
    # The instructions come second; the identity sheet is hidden and the structure locked,
    # so that it cannot be shown, renamed or deleted by mistake (no password).
    wb.move_sheet(help_ws, offset=-1)
    meta.sheet_state = "hidden"
    wb.security = _workbook_protection()
    wb.active = 0
    props = wb.properties
    props.title = _title(form)
    props.creator = "sanzhua"
    props.subject = form.code
    props.keywords = f"{FORMAT_NAME} {form.code}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with replacing(path) as tmp:
        wb.save(tmp)


def _workbook_protection() -> Any:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.workbook.protection import WorkbookProtection

    return WorkbookProtection(lockStructure=True)


def _title(form: Form) -> str:
    day = form.as_of
    return say(
        "form.title", form.lang, unit=form.unit.name, year=day.year, month=day.month, day=day.day, date=day.isoformat()
    )


@dataclass(frozen=True)
class _Look:
    """The cell styles of the form sheet."""

    border: Any
    grey: Any
    open_fill: Any
    head_fill: Any
    wrap: Any
    center: Any
    unlocked: Any


def _look() -> _Look:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side

    thin = Side(style="thin", color="FF808080")
    return _Look(
        border=Border(left=thin, right=thin, top=thin, bottom=thin),
        grey=PatternFill("solid", fgColor=GREY),
        open_fill=PatternFill("solid", fgColor=OPEN),
        head_fill=PatternFill("solid", fgColor=HEAD),
        wrap=Alignment(vertical="top", wrap_text=True),
        center=Alignment(horizontal="center", vertical="top", wrap_text=True),
        unlocked=Protection(locked=False),
    )


def _main_sheet(ws: Any, meta: Any, form: Form) -> None:
    """The form itself: the heading, a row per task (grey cells fixed, yellow ones to fill
    in, each checked by a validation), the hidden check column, and the printed page."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.utils import get_column_letter

    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.worksheet.cell_range import MultiCellRange

    cols = form.columns()
    letter = {c: get_column_letter(i) for i, c in enumerate(cols, start=1)}
    look = _Styled(_look())
    _heading(ws, form, cols, look.look)
    checks = _cell_checks(ws, form.lang)
    checked: dict[str, list[str]] = {kind: [] for kind in checks}
    for r_i, row in enumerate(form.rows, start=FIRST_ROW):
        _task_row(ws, r_i, row, form, cols, look, checked)
        if row.lead and row.milestones:
            _milestone_choices(ws, meta, r_i, row, form, letter)
        ws.row_dimensions[r_i].height = _row_height(row)
    # Set once: adding a cell at a time looks through every range added before (quadratic).
    for kind, dv in checks.items():
        dv.sqref = MultiCellRange(" ".join(checked[kind]))
    _page(ws, form, cols, letter)


def _heading(ws: Any, form: Form, cols: list[str], look: _Look) -> None:
    """The title, the line with the form id and how to fill it in, and the column headers."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    last_shown = get_column_letter(len(cols) - 1)  # the check column is hidden and not printed
    ws["A1"] = _title(form)
    ws.merge_cells(f"A1:{last_shown}1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    commit = form.commit[:12] if form.commit else say("form.no-commit", form.lang)
    ws["A2"] = say("form.subtitle", form.lang, code=form.code, commit=commit)
    ws.merge_cells(f"A2:{last_shown}2")
    ws["A2"].alignment = Alignment(horizontal="left", vertical="center")
    ws["A2"].font = Font(size=9)
    for i, c in enumerate(cols, start=1):
        cell = ws.cell(row=TITLE_ROWS, column=i, value=header_text(c, form.lang))
        cell.font = Font(bold=True)
        cell.fill = look.head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = look.border
    ws.row_dimensions[TITLE_ROWS].height = 30


def _cell_checks(ws: Any, lang: Lang) -> dict[str, Any]:
    """The validations of the cells a unit fills in, by kind: "percent", "value", "date"."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.worksheet.datavalidation import DataValidation

    checks = {
        "percent": DataValidation(type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True),
        "value": DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True),
        "date": DataValidation(type="date", operator="between", formula1="36526", formula2="73050", allow_blank=True),
    }
    for dv, title, prompt in (
        (checks["percent"], say("form.check.percent", lang), say("form.check.percent.prompt", lang)),
        (checks["value"], say("form.check.value", lang), say("form.check.value.prompt", lang)),
        (checks["date"], say("form.check.date", lang), say("form.check.date.prompt", lang)),
    ):
        dv.showErrorMessage = True
        dv.showInputMessage = True
        dv.errorStyle = "stop"
        dv.errorTitle = dv.promptTitle = title
        dv.error = dv.prompt = prompt
        ws.add_data_validation(dv)
    return checks


def _editable(row: FormRow, pairs: int) -> set[str]:
    """The columns a unit may fill in on this row: a partner reports a date and a note;
    the lead also the percent, the done date, the value (with a target) and its milestones."""
    editable = {"date", "note"}
    if row.lead:
        editable |= {"percent", "done"}
        if row.has_target:
            editable.add("value")
        for n in range(1, min(len(row.milestones), pairs) + 1):
            editable |= {f"ms{n}", f"ms{n}_date"}
    return editable


class _Styled:
    """The form sheet's styles, and the style of each kind of task cell once it is made:
    (column, may be filled in) → openpyxl's style indices, copied onto every later cell of
    that kind. Styling each cell through openpyxl's attributes (border, fill, alignment,
    number format, protection) hashes each style object again: most of a form's time."""

    def __init__(self, look: _Look) -> None:
        self.look = look
        self.made: dict[tuple[str, bool], Any] = {}

    def apply(self, cell: Any, c: str, editable: bool) -> None:
        # lazy: openpyxl takes ~0.3 s to import; workbooks only
        from openpyxl.styles.cell_style import StyleArray

        key = (c, editable)
        made = self.made.get(key)
        if made is not None:
            cell._style = StyleArray(made)
            return
        _style_cell(cell, c, editable, self.look)
        self.made[key] = StyleArray(cell._style)


def _task_row(
    ws: Any, r_i: int, row: FormRow, form: Form, cols: list[str], look: _Styled, checked: dict[str, list[str]]
) -> None:
    """One task's cells: the read-only texts in grey, the check code, the cells to fill in
    (their coordinates added to `checked` by the validation they get)."""
    editable = _editable(row, form.pairs)
    for c_i, c in enumerate(cols, start=1):
        cell = ws.cell(row=r_i, column=c_i)
        if c in READ_ONLY:
            cell.value = int(row.texts[c]) if c == "seq" else (row.texts[c] or None)
        elif c == "check":
            cell.value = row.check_code()
        elif c == "date":
            cell.value = datetime(form.as_of.year, form.as_of.month, form.as_of.day)
        look.apply(cell, c, c in editable)
        kind = _check_kind(c)
        if kind is not None and c in editable:
            checked[kind].append(cell.coordinate)


def _check_kind(c: str) -> str | None:
    """The validation of a column's cells that may be filled in: "date", "percent", "value"."""
    if c in ("date", "done") or c.endswith("_date"):
        return "date"
    return c if c in ("percent", "value") else None


def _style_cell(cell: Any, c: str, editable: bool, look: _Look) -> None:
    """A task cell's style: the read-only texts grey, the check code as text; a cell of the
    columns a unit fills in yellow and unlocked where this row may be filled in, else grey,
    its number format by the column's kind."""
    cell.border = look.border
    if c in READ_ONLY:
        cell.number_format = "@"
        cell.fill = look.grey
        cell.alignment = look.center if c in ("seq", "role", "due") else look.wrap
        return
    if c == "check":
        cell.number_format = "@"
        return
    if editable:
        cell.protection = look.unlocked
        cell.fill = look.open_fill
    else:
        cell.fill = look.grey
    kind = _check_kind(c)
    if kind == "date":
        cell.number_format = "yyyy-mm-dd"
        cell.alignment = look.center
    elif kind == "percent":
        cell.number_format = "0.##"
        cell.alignment = look.center
    elif kind == "value":
        cell.number_format = "General"
        cell.alignment = look.center
    elif c == "note" or (c.startswith("ms") and editable):
        cell.number_format = "@"
        cell.alignment = look.wrap


_META_MS_COL = 20  # the milestone lists on the hidden sheet start in column T


def _milestone_choices(ws: Any, meta: Any, r_i: int, row: FormRow, form: Form, letter: dict[str, str]) -> None:
    """The milestone names this task offers, on the hidden sheet in the task's row; each
    milestone name cell of the row gets a list validation over them."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for k, name in enumerate(row.milestones):
        meta.cell(row=r_i, column=_META_MS_COL + k, value=name)
    lo = get_column_letter(_META_MS_COL)
    hi = get_column_letter(_META_MS_COL + len(row.milestones) - 1)
    dv = DataValidation(type="list", formula1=f"'{META_SHEET}'!${lo}${r_i}:${hi}${r_i}", allow_blank=True)
    dv.showErrorMessage = True
    dv.errorTitle = say("form.check.milestone", form.lang)
    dv.error = say("form.check.milestone.prompt", form.lang)
    ws.add_data_validation(dv)
    for n in range(1, min(len(row.milestones), form.pairs) + 1):
        dv.add(ws[f"{letter[f'ms{n}']}{r_i}"])


def _row_height(row: FormRow) -> int:
    """Tall enough for the longest of the wrapped texts, at most 160 points."""
    lines = max(
        [1]
        + [
            sum(max(1, -(-_width(line) // (WIDTHS[c] - 1))) for line in row.texts[c].split("\n"))
            for c in ("title", "milestones", "last", "target")
        ]
    )
    return min(15 * lines + 4, 160)


def _page(ws: Any, form: Form, cols: list[str], letter: dict[str, str]) -> None:
    """Column widths, the hidden check column, the sheet's protection and the printed page."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.utils import get_column_letter

    for i, c in enumerate(cols, start=1):
        key = "ms" if re.fullmatch(r"ms\d+", c) else "ms_date" if re.fullmatch(r"ms\d+_date", c) else c
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS[key]
    ws.column_dimensions[letter["check"]].hidden = True
    ws.freeze_panes = f"D{FIRST_ROW}"
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"1:{TITLE_ROWS}"
    last_shown = get_column_letter(len(cols) - 1)
    ws.print_area = f"A1:{last_shown}{max(TITLE_ROWS, TITLE_ROWS + len(form.rows))}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.oddFooter.center.text = say("form.footer", form.lang)
    ws.oddFooter.right.text = form.code


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def help_lines(form: Form) -> list[str]:
    """The instructions sheet, one paragraph a line."""
    w = partial(say, lang=form.lang)
    d = form.as_of
    return [
        w("form.help.title", unit=form.unit.name, day_cn=format_cn(d), day=d.isoformat()),
        w("form.help.rows"),
        w("form.help.cells"),
        w("form.help.date"),
        w("form.help.amount"),
        w("form.help.note"),
        w("form.help.done"),
        w("form.help.milestone"),
        w("form.help.partner"),
        w("form.help.blank"),
        w("form.help.return"),
        w("form.help.code", code=form.code),
    ]


def _help_sheet(ws: Any, form: Form) -> None:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Alignment, Font

    ws.column_dimensions["A"].width = 110
    for i, line in enumerate(help_lines(form), start=1):
        cell = ws.cell(row=i, column=1, value=line)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 1:
            cell.font = Font(bold=True, size=14)
            ws.row_dimensions[1].height = 26
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True


META_KEYS = (
    "format",
    "version",
    "ledger",
    "unit",
    "unit_name",
    "as_of",
    "commit",
    "rows",
    "pairs",
    "digest",
    "code",
    "lang",
)


def _meta_sheet(ws: Any, form: Form) -> None:
    """Key/value rows from row 1, then (from row FIRST_ROW, column A–C) each form row's
    sheet row, task id and role; the milestone lists sit in column T onwards."""
    values = {
        "format": FORMAT_NAME,
        "version": str(FORMAT_VERSION),
        "ledger": form.ledger_name,
        "unit": form.unit.id,
        "unit_name": form.unit.name,
        "as_of": form.as_of.isoformat(),
        "commit": form.commit,
        "rows": str(len(form.rows)),
        "pairs": str(form.pairs),
        "digest": form.digest,
        "code": form.code,
        "lang": form.lang,
    }
    for i, k in enumerate(META_KEYS, start=1):
        ws.cell(row=i, column=5, value=k)
        ws.cell(row=i, column=6, value=values[k]).number_format = "@"
    for r_i, row in enumerate(form.rows, start=FIRST_ROW):
        ws.cell(row=r_i, column=1, value=row.seq)
        ws.cell(row=r_i, column=2, value=row.task_id).number_format = "@"
        ws.cell(row=r_i, column=3, value=row.role)
    ws.protection.sheet = True
