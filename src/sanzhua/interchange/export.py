"""The 台账 as a workbook an office sends upward, or as CSV.

`build_rows` turns evaluated tasks into plain rows (data first); `write_xlsx` and
`write_csv` lay them out. The workbook has: the task sheet(s) with a merged title row,
a frozen header with filters, the light as the cell colour and dates as real dates;
a 汇总 sheet with each unit's counts per light; and 进展记录, 节点 and 延期 sheets
with every entry keyed by 编号, so that `sanzhua import` rebuilds the ledger exactly.
"""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sanzhua.dates import format_cn
from sanzhua.evaluate import LIGHTS, TaskState
from sanzhua.i18n import LIGHT_LABELS, STATE_LABELS, STATUS_LABELS, Lang, label, say
from sanzhua.interchange.columns import MAIN_COLUMNS, PRINTED_COLUMNS
from sanzhua.model import Settings, Unit
from sanzhua.outfile import replacing
from sanzhua.textsafe import document_text, spreadsheet_text

# openpyxl is imported inside the functions that write a workbook, for start-up cost alone:
# it takes about half a second to import, and `export --format csv` never needs it.

Value = str | int | float | date | None

LIGHT_FILL = {"red": "FFFF4D4F", "yellow": "FFFFD666", "green": "FF73D13D", "done": "FFBFBFBF"}
LIGHT_FONT = {"red": "FFFFFFFF", "yellow": "FF000000", "green": "FF000000", "done": "FF000000"}
_DATE_FIELDS = {"start", "due", "done"}
_WRAP_FIELDS = {"title", "latest", "states", "source", "partners", "category", "metric"}
_MAX_WIDTH = {
    "title": 44,
    "latest": 44,
    "states": 16,
    "source": 22,
    "partners": 22,
    "category": 20,
    "metric": 20,
}
DETAIL_COLUMNS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "progress": (
        ("id", "编号", "ID"),
        ("date", "日期", "Date"),
        ("value", "完成值", "Value"),
        ("percent", "进度", "Percent"),
        ("note", "情况", "Note"),
        ("by", "填报人", "By"),
    ),
    "milestones": (
        ("id", "编号", "ID"),
        ("name", "名称", "Name"),
        ("due", "时限", "Due"),
        ("done", "完成", "Done"),
    ),
    "extensions": (
        ("id", "编号", "ID"),
        ("from", "原时限", "From"),
        ("to", "新时限", "To"),
        ("approved_by", "批准人", "Approved by"),
        ("ref", "文号", "Ref"),
        ("date", "日期", "Date"),
    ),
}
DETAIL_SHEETS = {
    "progress": ("进展记录", "Progress"),
    "milestones": ("节点", "Milestones"),
    "extensions": ("延期", "Extensions"),
}


@dataclass(frozen=True)
class Export:
    """What is exported: the tasks as of a date, with the names they need."""

    settings: Settings
    units: dict[str, Unit]
    as_of: date
    states: list[TaskState]
    lang: Lang
    notice: str = ""  # what the ledger's errors left out (--allow-errors): a first sheet says it


def unit_name(units: dict[str, Unit], uid: str) -> str:
    u = units.get(uid)
    return u.name if u else uid


def headers(lang: Lang) -> list[str]:
    return [zh if lang == "zh" else en for _, zh, en in MAIN_COLUMNS]


def build_rows(ex: Export) -> list[dict[str, Value]]:
    """One dict per task, keyed by MAIN_COLUMNS field."""
    rows: list[dict[str, Value]] = []
    sep = say("list.sep", ex.lang)  # 、 or ", " between a task's states
    for n, st in enumerate(ex.states, 1):
        t = st.task
        latest = max(
            ((p.date, i, p) for i, p in enumerate(t.progress) if p.date <= ex.as_of and p.note),
            default=None,
            key=lambda x: (x[0], x[1]),
        )
        row: dict[str, Value] = {
            "seq": n,
            "id": t.id,
            "title": t.title,
            "category": t.category,
            "lead": unit_name(ex.units, t.lead),
            "partners": "、".join(unit_name(ex.units, p) for p in t.partners) or None,
            "owner": t.owner,
            "leader": t.leader,
            "start": t.start,
            "due": st.deadline,
            "done": t.done,
            "status": label(STATUS_LABELS, t.status, ex.lang),
            "light": label(LIGHT_LABELS, st.light, ex.lang),
            "states": sep.join(label(STATE_LABELS, s, ex.lang) for s in st.states),
            "days_overdue": st.days_overdue,
            "percent": None if st.percent is None else round(st.percent, 1),
            "expected": None
            if st.expected_percent is None or not st.is_open
            else round(st.expected_percent, 1),
            "latest": f"{latest[2].date.isoformat()}：{latest[2].note}" if latest else None,
            "source": t.source,
            "parent": t.parent,
            "metric": t.target.metric if t.target else None,
            "target": _num(t.target.value) if t.target else None,
            "target_unit": t.target.unit if t.target else None,
            "direction": (
                say("export.at-most", ex.lang)
                if t.target and t.target.direction == "at_most"
                else None
            ),
            "supervision": t.supervision,
            "tags": "、".join(t.tags) or None,
            "weight": _num(t.weight) if t.weight is not None else None,
            "_light": st.light,  # the light's key, for the cell colour
        }
        rows.append(row)
    return rows


def detail_rows(ex: Export, kind: str) -> list[list[Value]]:
    """The progress entries, milestones or extensions of every task, keyed by 编号."""
    out: list[list[Value]] = []
    for st in ex.states:
        t = st.task
        if kind == "progress":
            out += [
                [t.id, p.date, _num(p.value), _num(p.percent), p.note, p.by] for p in t.progress
            ]
        elif kind == "milestones":
            out += [[t.id, m.name, m.due, m.done] for m in t.milestones]
        else:
            out += [[t.id, e.from_, e.to, e.approved_by, e.ref, e.date] for e in t.extensions]
    return out


def _num(x: float | None) -> int | float | None:
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 1e15 else x


def display_width(v: Value) -> int:
    """Width in Excel's character units: CJK characters count double."""
    if v is None:
        return 0
    if isinstance(v, date):
        return 10
    s = str(v)
    if s.isascii():
        return len(s)
    return sum(map(_WIDTHS.__getitem__, s))


class _Widths(dict[str, int]):
    """Each character's width, looked up in unicodedata the first time it is seen: the
    sum over a string then runs in C (issue 17: a per-character loop took seconds)."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_WIDTHS = _Widths()


# --- CSV ------------------------------------------------------------------------------

def csv_text(value: str) -> str:
    """Text for a CSV cell (textsafe.spreadsheet_text): no control characters, and a `'`
    before anything a spreadsheet would run as a formula."""
    return spreadsheet_text(value)


def write_csv(ex: Export) -> str:
    """The task sheet as CSV (UTF-8 with BOM for Excel), one header row, ISO dates."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(headers(ex.lang))
    for row in build_rows(ex):
        cells: list[object] = []
        for f, _, _ in MAIN_COLUMNS:
            v = row[f]
            if v is None:
                cells.append("")
            elif isinstance(v, date):
                cells.append(v.isoformat())
            elif isinstance(v, str):
                cells.append(csv_text(v))
            else:
                cells.append(v)
        w.writerow(cells)
    return "\ufeff" + buf.getvalue()


# --- xlsx -----------------------------------------------------------------------------
#
# The workbook is written in openpyxl's write-only mode (issue 17): rows stream to the
# file as they are made, so a city's 100,000 tasks take time and memory in proportion.
# Column widths, row heights, the frozen header and page setup are decided before the
# first row, since a streamed sheet writes them first. Every text cell is a string cell
# (data type "s"): a title "=HYPERLINK(...)" is shown, never run (issue 14.5).


def write_xlsx(ex: Export, path: Path, by_unit: bool = False, *, fast: bool = True) -> None:
    """The workbook: task sheet(s), 汇总, 进展记录, 节点, 延期.

    With `fast` (always, but in the test that holds the two equal) the data rows of the
    task and detail sheets are written as sheet XML by `_Body`; without it, as openpyxl
    cells, which gives the same workbook in about five times the time."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    rows = build_rows(ex)
    title = say("export.title", ex.lang, name=document_text(ex.settings.name))
    if by_unit:
        groups: dict[str, list[dict[str, Value]]] = {}
        for st, row in zip(ex.states, rows, strict=True):
            groups.setdefault(st.task.lead, []).append(row)
        order = [u for u in ex.units if u in groups] + [u for u in groups if u not in ex.units]
        used: set[str] = set()
        for uid in order:
            name = document_text(unit_name(ex.units, uid))
            ws = wb.create_sheet(_sheet_title(name, used))
            group = [dict(r, seq=n) for n, r in enumerate(groups[uid], 1)]
            _task_sheet(ws, ex, group, say("export.unit-title", ex.lang, name=name), fast)
        if not order:
            _task_sheet(wb.create_sheet(say("export.sheet.tasks", ex.lang)), ex, [], title, fast)
    else:
        _task_sheet(wb.create_sheet(say("export.sheet.tasks", ex.lang)), ex, rows, title, fast)
    _summary_sheet(wb.create_sheet(say("export.sheet.summary", ex.lang)), ex, fast)
    for kind in ("progress", "milestones", "extensions"):
        _detail_sheet(wb.create_sheet(label(DETAIL_SHEETS, kind, ex.lang)), ex, kind, fast)
    if ex.notice:  # made with --allow-errors: the workbook opens on what it left out
        warn = wb.create_sheet(say("export.sheet.notice", ex.lang), 0)
        warn.append([ex.notice])
        wb.active = 0
    wb.properties.title = title
    wb.properties.creator = "sanzhua"
    with replacing(path) as tmp:
        wb.save(tmp)


def _sheet_title(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\'" else ch for ch in document_text(name))[:28].strip()
    clean = clean or "Sheet"
    out, n = clean, 2
    while out in used:
        out, n = f"{clean}{n}", n + 1
    used.add(out)
    return out


def _styles() -> dict[str, Any]:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="FF808080")
    return {
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "head_fill": PatternFill("solid", fgColor="FFD9E1F2"),
        "head_font": Font(bold=True),
        "title_font": Font(bold=True, size=16),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
        "wrap": Alignment(vertical="center", wrap_text=True),
        "plain": Alignment(vertical="center"),
    }


def cell(ws: Any, value: Value, **style: Any) -> Any:
    """One cell of a streamed sheet; text without control characters and typed as a
    string, so that nothing in it is taken for a formula."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, document_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        c.data_type = "s"
    for name, v in style.items():
        if v is not None:
            setattr(c, name, v)
    return c


def _merge(ws: Any, ref: str) -> None:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.worksheet.cell_range import CellRange

    ws.merged_cells.add(CellRange(ref))


def _task_sheet(
    ws: Any, ex: Export, rows: list[dict[str, Value]], title: str, fast: bool = True
) -> None:
    """A task sheet: a title, a line of counts, the header, a row per task (the light
    coloured), sized first because a streamed sheet writes its sizes before its rows."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    s = _styles()
    fields = [f for f, _, _ in MAIN_COLUMNS]
    last = get_column_letter(len(fields))
    shown = get_column_letter(PRINTED_COLUMNS)  # the title spans what is printed
    widths, heights = _task_sizes(ex, rows, fields)
    for c_i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c_i)].width = w
    ws.row_dimensions[1].height = 30
    ws.row_dimensions[3].height = 30
    ws.freeze_panes = "D4"
    end = max(3, 3 + len(rows))
    ws.auto_filter.ref = f"A3:{last}{end}"
    _page(ws, "3:3")
    ws.print_area = f"A1:{shown}{end}"
    _merge(ws, f"A1:{shown}1")
    _merge(ws, f"A2:{shown}2")

    ws.append(
        [cell(ws, title, font=s["title_font"],
              alignment=Alignment(horizontal="center", vertical="center"))]
    )
    sub = _task_counts_line(ex, rows)
    ws.append([cell(ws, sub, alignment=Alignment(horizontal="right", vertical="center"))])
    ws.append(
        [
            cell(ws, h, font=s["head_font"], fill=s["head_fill"], alignment=s["center"],
                 border=s["border"])
            for h in headers(ex.lang)
        ]
    )

    def body() -> Iterator[tuple[int | None, list[Value], list[Hashable]]]:
        for row, height in zip(rows, heights, strict=True):
            light_key = str(row["_light"])
            lit = light_key if light_key in LIGHT_FILL else None
            values = [row[f] for f in fields]
            keys: list[Hashable] = [
                (f, f in _DATE_FIELDS and v is not None, lit if f == "light" else None)
                for f, v in zip(fields, values, strict=True)
            ]
            yield height, values, keys

    _Body(ws, _task_cell_styles(s, fields), fast).write(4, body())


def _task_counts_line(ex: Export, rows: list[dict[str, Value]]) -> str:
    """The line under a task sheet's title: the date and the tasks of each light."""
    counts = {k: sum(1 for r in rows if r["_light"] == k) for k in LIGHTS}
    return say(
        "export.subtitle",
        ex.lang,
        day_cn=format_cn(ex.as_of),
        day=ex.as_of.isoformat(),
        n=len(rows),
        red=counts["red"],
        yellow=counts["yellow"],
        green=counts["green"],
        done=counts["done"],
        office=f"　　{ex.settings.office}" if ex.settings.office else "",
    )


def _task_sizes(ex: Export, rows: list[dict[str, Value]], fields: list[str]) -> tuple[list[int], list[int]]:
    """Each column's width (its widest value, capped; long texts wrap) and each row's
    height (the lines its most wrapped cell needs)."""
    widths = [max(display_width(h) + 2, 6) for h in headers(ex.lang)]
    heights: list[int] = []
    for row in rows:
        lines = 1
        for c_i, f in enumerate(fields):
            v = row[f]
            w = display_width(v) + 2
            if f in _WRAP_FIELDS and not (f in _DATE_FIELDS and v is not None):
                cap = _MAX_WIDTH[f]
                if w > cap:
                    lines = max(lines, math.ceil(w / cap))
                    w = cap
            widths[c_i] = max(widths[c_i], min(w, _MAX_WIDTH.get(f, 30)))
        heights.append(min(15 * lines + 3, 120))
    return widths, heights


def _task_cell_styles(s: dict[str, Any], fields: list[str]) -> dict[Hashable, dict[str, Any]]:
    """A cell's look depends on its column, whether it holds a date, and for the light
    column on the light: one style per combination, keyed (field, date?, light)."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Font, PatternFill

    light_fills = {k: PatternFill("solid", fgColor=v) for k, v in LIGHT_FILL.items()}
    light_fonts = {k: Font(bold=True, color=v) for k, v in LIGHT_FONT.items()}
    styles: dict[Hashable, dict[str, Any]] = {}
    for f in fields:
        for dated in (False, True):
            number_format = None
            if f in _DATE_FIELDS and dated:
                number_format, alignment = "yyyy-mm-dd", s["center"]
            elif f in _WRAP_FIELDS:
                alignment = s["wrap"]
            elif f in ("seq", "light", "status", "days_overdue", "percent", "expected"):
                alignment = s["center"]
            else:
                alignment = s["plain"]
            lit_keys: tuple[str | None, ...] = (None, *LIGHT_FILL) if f == "light" else (None,)
            for light_key in lit_keys:
                styles[f, dated, light_key] = {
                    "border": s["border"],
                    "alignment": alignment,
                    "number_format": number_format,
                    "fill": None if light_key is None else light_fills[light_key],
                    "font": None if light_key is None else light_fonts[light_key],
                }
    return styles


def _page(ws: Any, repeat_rows: str | None) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_rows:
        ws.print_title_rows = repeat_rows


def _summary_sheet(ws: Any, ex: Export, fast: bool = True) -> None:
    """汇总: a row per unit (in units.yaml's order) with its tasks of each light, the
    overdue ones and the share done, and a total row."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.utils import get_column_letter

    s = _styles()
    head = [
        say("export.summary.unit", ex.lang),
        say("export.summary.kind", ex.lang),
        say("export.summary.tasks", ex.lang),
        say("export.summary.red", ex.lang),
        say("export.summary.yellow", ex.lang),
        say("export.summary.green", ex.lang),
        say("export.summary.done", ex.lang),
        say("export.summary.other", ex.lang),
        say("export.summary.overdue", ex.lang),
        say("export.summary.done-share", ex.lang),
    ]
    body, total = _summary_rows(ex)
    widths = [
        max(display_width(v) for v in [head[0], *(b[0] for b in body), total[0]]) + 2,
        10,
    ] + [max(display_width(h) + 2, 8) for h in head[2:]]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "B4"
    _page(ws, "3:3")
    _summary_heading(ws, ex, head, s)
    styles: dict[Hashable, dict[str, Any]] = {
        (c, is_total): {
            "border": s["border"],
            "alignment": s["center"] if c > 2 else None,
            "number_format": "0.0%" if c == len(head) else None,
            "font": s["head_font"] if is_total else None,
        }
        for c in range(1, len(head) + 1)
        for is_total in (False, True)
    }

    def rows() -> Iterator[tuple[int | None, list[Value], list[Hashable]]]:
        for n, values in enumerate([*body, total]):
            is_total = n == len(body)
            yield None, values, [(c, is_total) for c in range(1, len(values) + 1)]

    _Body(ws, styles, fast).write(4, rows())


def _summary_rows(ex: Export) -> tuple[list[list[Value]], list[Value]]:
    """A row per unit that leads a task (units.yaml's order, then units it does not name)
    and the total row."""
    per: dict[str, list[TaskState]] = {}
    for st in ex.states:
        per.setdefault(st.task.lead, []).append(st)
    order = [u for u in ex.units if u in per] + [u for u in per if u not in ex.units]
    body: list[list[Value]] = []
    for uid in order:
        u = ex.units.get(uid)
        body.append([unit_name(ex.units, uid), u.kind if u else None, *_light_counts(per[uid])])
    total: list[Value] = [say("export.summary.total", ex.lang), None, *_light_counts(ex.states)]
    return body, total


def _light_counts(group: Sequence[TaskState]) -> list[Value]:
    """Tasks, red, yellow, green, done, no light, overdue, the share done."""
    c = {k: sum(st.light == k for st in group) for k in LIGHTS}
    overdue = sum("overdue" in st.states for st in group)
    done_share = c["done"] / len(group) if group else 0.0
    return [len(group), c["red"], c["yellow"], c["green"], c["done"], c["none"], overdue, done_share]


def _summary_heading(ws: Any, ex: Export, head: list[str], s: dict[str, Any]) -> None:
    """The summary's title, its date and its header row, the light columns in their colours."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    last = get_column_letter(len(head))
    _merge(ws, f"A1:{last}1")
    _merge(ws, f"A2:{last}2")
    ws.append(
        [
            cell(
                ws,
                say("export.summary.title", ex.lang, name=document_text(ex.settings.name)),
                font=s["title_font"],
                alignment=Alignment(horizontal="center", vertical="center"),
            )
        ]
    )
    ws.append(
        [
            cell(
                ws,
                say("export.as-of", ex.lang, day_cn=format_cn(ex.as_of), day=ex.as_of.isoformat()),
                alignment=Alignment(horizontal="right"),
            )
        ]
    )
    lights = (None, None, None, "red", "yellow", "green", "done", None, None, None)
    ws.append(
        [
            cell(
                ws,
                h,
                font=s["head_font"] if light is None else Font(bold=True, color=LIGHT_FONT[light]),
                fill=s["head_fill"]
                if light is None
                else PatternFill("solid", fgColor=LIGHT_FILL[light]),
                alignment=s["center"],
                border=s["border"],
            )
            for h, light in zip(head, lights, strict=True)
        ]
    )


def _detail_sheet(ws: Any, ex: Export, kind: str, fast: bool = True) -> None:
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.utils import get_column_letter

    s = _styles()
    cols = DETAIL_COLUMNS[kind]
    head = [zh if ex.lang == "zh" else en for _, zh, en in cols]
    rows = detail_rows(ex, kind)
    widths = [display_width(h) + 4 for h in head]
    for row in rows:
        for c, v in enumerate(row):
            widths[c] = max(widths[c], min(display_width(v) + 2, 60))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(head))}{len(rows) + 1}"
    _page(ws, "1:1")
    ws.append(
        [
            cell(ws, h, font=s["head_font"], fill=s["head_fill"], alignment=s["center"],
                 border=s["border"])
            for h in head
        ]
    )
    styles: dict[Hashable, dict[str, Any]] = {
        (dated, note): {
            "number_format": "yyyy-mm-dd" if dated else None,
            "alignment": s["wrap"] if note else None,
        }
        for dated in (False, True)
        for note in (False, True)
    }
    notes = [name == "note" for name, _, _ in cols]

    def body() -> Iterator[tuple[int | None, list[Value], list[Hashable]]]:
        for row in rows:
            keys: list[Hashable] = [
                (isinstance(v, date), note) for v, note in zip(row, notes, strict=True)
            ]
            yield None, row, keys

    _Body(ws, styles, fast).write(2, body())


class _Body:
    """The data rows of a streamed sheet (issue 17).

    openpyxl makes an object of every cell and looks its style up by hashing the style
    objects, which took a minute for 20,000 tasks. Here each combination of styles is
    registered once (through a cell, so openpyxl's styles.xml holds it), and the rows
    are written as sheet XML into the file openpyxl streams the sheet to, after the rows
    it wrote itself (title and header): the same elements, attributes and values
    openpyxl writes for such cells (inline strings cut at 32,767 characters, dates as
    serial numbers, a styled empty cell kept for its border). Without `fast`, or if the
    openpyxl at hand streams sheets differently, the rows go through openpyxl's cells."""

    def __init__(self, ws: Any, styles: Mapping[Hashable, dict[str, Any]], fast: bool) -> None:
        self.ws = ws
        self.styles = styles
        self.fast = fast and _streams_to_a_file()
        self._ids: dict[Hashable, str] = {}

    def write(self, first: int, rows: Iterable[tuple[int | None, list[Value], list[Hashable]]]) -> None:
        ws = self.ws
        if not self.fast:
            for r_i, (height, values, keys) in enumerate(rows, start=first):
                if height is not None:
                    ws.row_dimensions[r_i].height = height
                ws.append([cell(ws, v, **self.styles[k]) for v, k in zip(values, keys, strict=True)])
            return
        rows = iter(rows)
        ids = {k: self._style_id(k) for k in self.styles}
        ws.close()  # openpyxl writes its rows and the sheet's tail to its file
        out = ws._writer.out
        with open(out, "rb") as f:
            head = f.read()
        cut = head.rindex(b"</sheetData>")
        letters = _letters()
        with open(out, "wb") as f:
            f.write(head[:cut])
            chunk: list[str] = []
            for r_i, (height, values, keys) in enumerate(rows, start=first):
                chunk.append(_row_xml(r_i, height, values, keys, ids, letters))
                if len(chunk) >= 512:
                    f.write("".join(chunk).encode())
                    chunk.clear()
            f.write("".join(chunk).encode())
            f.write(head[cut:])

    def _style_id(self, key: Hashable) -> str:
        """The s="" attribute of a cell of this style ("" for a cell without a style)."""
        c = cell(self.ws, None, **self.styles[key])
        return f' s="{c.style_id}"' if c.has_style else ""


def _streams_to_a_file() -> bool:
    """Whether this openpyxl streams a write-only sheet as `_Body` expects: 3.1's
    WorksheetWriter, into a file named by `out`, removed after saving."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    import openpyxl

    return str(openpyxl.__version__).startswith("3.1.")


_LETTERS: list[str] = []


def _letters() -> list[str]:
    """Column letters A … ZZ (the export's sheets have under 40 columns)."""
    if not _LETTERS:
        # lazy: openpyxl takes ~0.3 s to import; workbooks only
        from openpyxl.utils import get_column_letter

        _LETTERS.extend(get_column_letter(n) for n in range(1, 703))
    return _LETTERS


def _xml_text(s: str) -> str:
    if "&" in s or "<" in s or ">" in s or "\r" in s:
        s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return s


_SERIALS: dict[date, str] = {}  # a date's serial number, as openpyxl writes it


def _row_xml(
    r_i: int,
    height: int | None,
    values: Sequence[Value],
    keys: Sequence[Hashable],
    ids: Mapping[Hashable, str],
    letters: Sequence[str],
) -> str:
    """One <row> as openpyxl writes it (lxml_write_cell) for cells made by `cell`."""
    # lazy: openpyxl takes ~0.3 s to import; workbooks only
    from openpyxl.compat import safe_string
    from openpyxl.utils.datetime import to_excel

    r = str(r_i)
    out = [f'<row r="{r}" ht="{height}" customHeight="1">' if height is not None else f'<row r="{r}">']
    for c_i, (v, k) in enumerate(zip(values, keys, strict=True)):
        s = ids[k]
        ref = letters[c_i] + r
        if v is None:
            if s:  # a styled empty cell: kept, for its border
                out.append(f'<c r="{ref}"{s} t="n"></c>')
        elif isinstance(v, str):
            text = document_text(v)[:32767]
            if not text:
                out.append(f'<c r="{ref}"{s} t="inlineStr"></c>')
            elif text != text.strip():
                out.append(
                    f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'
                )
            else:
                out.append(f'<c r="{ref}"{s} t="inlineStr"><is><t>{_xml_text(text)}</t></is></c>')
        elif isinstance(v, date):
            serial = _SERIALS.get(v)
            if serial is None:
                serial = _SERIALS[v] = safe_string(to_excel(v))
            out.append(f'<c r="{ref}"{s} t="n"><v>{serial}</v></c>')
        elif isinstance(v, bool):
            out.append(f'<c r="{ref}"{s} t="b"><v>{safe_string(v)}</v></c>')
        elif type(v) is int and -(10**15) < v < 10**15:
            out.append(f'<c r="{ref}"{s} t="n"><v>{v}</v></c>')  # as "%.16g" writes it
        else:
            out.append(f'<c r="{ref}"{s} t="n"><v>{safe_string(v)}</v></c>')
    out.append("</row>")
    return "".join(out)

