"""`sanzhua status`: every task's state as of a date, for a person or a script."""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from functools import partial
from json.encoder import encode_basestring
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sanzhua import jsontext
from sanzhua.commands.common import EXIT_OK, calendar_problems, choice_option, format_option, open_report
from sanzhua.commands.common import console as common_console
from sanzhua.dates import format_cn
from sanzhua.evaluate import LIGHTS, Evaluation, TaskState, evaluate
from sanzhua.i18n import STATE_LABELS, Lang, label, say, text
from sanzhua.lifetime import keep
from sanzhua.load import Ledger, frozen_gc
from sanzhua.output import LIGHT_MARK, LIGHT_STYLE, fit
from sanzhua.output import width as _width
from sanzhua.report.gaps import Gaps, notice
from sanzhua.selection import StatusFilter, selected, task_row
from sanzhua.textsafe import spreadsheet_text

if TYPE_CHECKING:  # rich is imported where a table is printed: not for JSON or CSV (issue 17)
    # lazy: rich (~80 ms to import), only where a table is printed (issue 17)
    from rich.console import Console
    from rich.style import Style
    from rich.text import Text


def status(
    root: Path | None,
    *,
    as_of: date,
    fmt: str = "table",
    lang: str | None = None,
    flt: StatusFilter | None = None,
    sort: str = "urgency",
    by: str | None = None,
    show_all: bool = False,
    out: TextIO | None = None,
    width: int | None = None,
    allow_errors: bool = False,
) -> int:
    """Print the tasks' states. A ledger whose files lose tasks is refused (exit 1)
    unless `allow_errors`; then the output says what it left out."""
    renderers = {"table": _table, "json": _json, "csv": _csv}
    if fmt not in renderers:
        format_option(fmt, renderers)
    choice_option(by, "--by", (None, "unit", "leader"))
    opened = open_report(root, lang, allow_errors=allow_errors)
    ledger = opened.ledger
    flt = (flt or StatusFilter()).validate(ledger, opened.lang)
    with frozen_gc():  # a state per task, kept to the end: the cycle collector would only walk them (issue 17)
        evaluation = evaluate(ledger, as_of)
        rows = selected(evaluation, flt, sort)
    keep(evaluation)  # freed by the process's end, not by the command's return (issue 17)
    stream = out or sys.stdout
    if opened.gaps and fmt == "table":
        # lazy: rich (~80 ms to import), only where a table is printed (issue 17)
        from rich.text import Text

        common_console(stream, width=width, highlight=False, soft_wrap=True).print(
            Text(notice(opened.gaps, opened.lang), style="bold red")
        )
    if fmt == "json":
        renderers["json"] = partial(_json, gaps=opened.gaps)
    if by is not None:
        _summary(stream, ledger, evaluation, rows, by, fmt, opened.lang, width, opened.gaps)
        return EXIT_OK
    renderers[fmt](stream, ledger, evaluation, rows, opened.lang, show_all or flt.picks_rows, width)
    return EXIT_OK


def _json(
    stream: TextIO,
    ledger: Ledger,
    ev: Evaluation,
    rows: list[TaskState],
    lang: Lang,
    show_all: bool,
    width: int | None,
    gaps: Gaps | None = None,
) -> None:
    doc: dict[str, object] = {"version": 1, "as_of": ev.as_of.isoformat(), "tasks": _TASKS}
    if gaps:
        doc["incomplete"] = gaps.as_json()
    head, _, tail = jsontext.dumps(doc).partition(_TASKS_TEXT)
    # Written in pieces of a few hundred rows: the whole text of 20,000 tasks is 30 MB as a
    # Python string, and joining, framing and encoding it whole made three more (issue 17).
    stream.write(head)
    for piece in tasks_json_pieces(rows):
        stream.write(piece)
    stream.write(tail + "\n")


# The tasks' place in the document: written by tasks_json, the rest by jsontext.
_TASKS = ["\x00tasks"]
_TASKS_TEXT = '[\n    "\\u0000tasks"\n  ]'


def tasks_json(rows: list[TaskState]) -> str:
    """`jsontext.dumps([task_row(st) for st in rows])` as the list of a document's "tasks"
    key (indented two levels), written row by row with one format each: half the time
    of building the rows' dictionaries and walking them (issue 17). A row with a number
    JSON has no plain text for (an infinite percent) goes through task_row and jsontext.
    tests/test_status.py holds the two to the same text."""
    return "".join(tasks_json_pieces(rows))


def tasks_json_pieces(rows: list[TaskState], size: int = 500) -> Iterator[str]:
    """`tasks_json(rows)` in pieces of `size` rows (the first opens the list, the last
    closes it), each ending where a row does."""
    if not rows:
        yield "[]"
        return
    for at in range(0, len(rows), size):
        text = ",\n    ".join(map(_row_json, rows[at : at + size]))
        opening = "[\n    " if at == 0 else ",\n    "
        yield opening + text + ("\n  ]" if at + size >= len(rows) else "")


def _row_json(st: TaskState) -> str:
    t = st.task
    pct, expected = st.percent, st.expected_percent
    if (pct is not None and not _finite(pct)) or (expected is not None and not _finite(expected)):
        return jsontext.dumps(task_row(st)).replace("\n", "\n    ")
    # The fields that are never None (the model's id, title, lead, file, line, status; the
    # state's light and states) and the lists often empty are written without a call each:
    # 20,000 rows (issue 17).
    enc = encode_basestring
    return (
        f'{{\n      "id": {enc(t.id)},\n      "title": {enc(t.title)},\n      "lead": {enc(t.lead)},'
        f'\n      "partners": {_strings(t.partners) if t.partners else "[]"},\n      "owner": {_s(t.owner)},'
        f'\n      "leader": {_s(t.leader)},\n      "start": "{t.start.isoformat()}",'
        f'\n      "due": {_day(st.deadline)},\n      "done": {_day(st.done)},'
        f'\n      "status": {enc(t.status)},\n      "states": {_strings(st.states)},'
        f'\n      "light": {enc(st.light)},\n      "days_overdue": {_n(st.days_overdue)},'
        f'\n      "percent": {_n(None if pct is None else round(pct, 1))},'
        f'\n      "expected_percent": {_n(None if expected is None else round(expected, 1))},'
        f'\n      "file": {enc(t.file)},\n      "line": {t.line!r},\n      "category": {_s(t.category)},'
        f'\n      "parent": {_s(t.parent)},\n      "days_late": {_n(st.days_late)},'
        f'\n      "workdays_left": {_n(st.workdays_left)},\n      "last_report": {_day(st.last_report)},'
        f'\n      "overdue_milestones": {_milestones(st) if st.overdue_milestones else "[]"},'
        f'\n      "tags": {_strings(t.tags) if t.tags else "[]"}\n    }}'
    )


def _s(v: str | None) -> str:
    return "null" if v is None else encode_basestring(v)


def _n(v: float | None) -> str:
    return "null" if v is None else repr(v)


def _day(d: date | None) -> str:
    return "null" if d is None else f'"{d.isoformat()}"'


def _strings(items: Iterable[str]) -> str:
    shown = ",\n        ".join(map(encode_basestring, items))
    return f"[\n        {shown}\n      ]" if shown else "[]"


def _milestones(st: TaskState) -> str:
    if not st.overdue_milestones:
        return "[]"
    items = ",\n        ".join(
        f'{{\n          "name": {_s(m.name)},\n          "due": "{m.due.isoformat()}"\n        }}'
        for m in st.overdue_milestones
    )
    return f"[\n        {items}\n      ]"


def _finite(x: float) -> bool:
    return x - x == 0.0


CSV_FIELDS = (
    "id",
    "title",
    "lead",
    "partners",
    "owner",
    "leader",
    "start",
    "due",
    "done",
    "status",
    "states",
    "light",
    "days_overdue",
    "percent",
    "expected_percent",
    "category",
    "file",
    "line",
)


def _csv(
    stream: TextIO, ledger: Ledger, ev: Evaluation, rows: list[TaskState], lang: Lang, show_all: bool, width: int | None
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for st in rows:
        r = task_row(st)
        w.writerow([_csv_cell(r[f]) for f in CSV_FIELDS])
    stream.write(buf.getvalue())


def _csv_cell(v: object) -> object:
    """A CSV cell: a list joined with |, text that no spreadsheet runs as a formula (a title
    "=HYPERLINK(…)", a unit named "@SUM(…)": issue 14)."""
    if v is None:
        return ""
    if isinstance(v, list):
        return spreadsheet_text("|".join(v))
    return spreadsheet_text(v) if isinstance(v, str) else v


def counts_line(ev: Evaluation, rows: Iterable[TaskState], lang: Lang, year: int | None = None) -> Text:
    """截至11月25日：111项任务 红灯9（逾期6） 黄灯18 …, each count in its light's colour.

    The year is left out when it is the ledger's `year` (as in the table's deadlines), so the
    line fits 80 columns; spaces between the counts let a narrower terminal wrap between them.
    """
    # lazy: rich (~80 ms to import), only where a table is printed (issue 17)
    from rich.text import Text

    rows = list(rows)
    c = {k: sum(st.light == k for st in rows) for k in LIGHTS}
    overdue = sum("overdue" in st.states for st in rows)
    d = ev.as_of
    day = f"{d.month}月{d.day}日" if d.year == year else format_cn(d)
    line = Text(say("status.counts", lang, day=day, iso=d.isoformat(), count=len(rows)))
    parts = {
        "red": say("status.counts.red", lang, n=c["red"], overdue=overdue),
        "yellow": say("status.counts.yellow", lang, n=c["yellow"]),
        "green": say("status.counts.green", lang, n=c["green"]),
        "done": say("status.counts.done", lang, n=c["done"]),
        "none": say("status.counts.none", lang, n=c["none"]),
    }
    for light, part in parts.items():
        line.append(" ")
        line.append(part, style=LIGHT_STYLE[light] if c[light] else "")
    invalid = sum("invalid" in st.states for st in rows)
    if invalid:  # counted among "none", and named: a task whose dates cannot be read
        line.append(" ")
        line.append(say("status.counts.invalid", lang, n=invalid), style="bold red")
    return line


def _unit_name(ledger: Ledger, uid: str) -> str:
    u = ledger.units.get(uid)
    return u.name if u else uid


_TITLE_MIN = 16  # display cells: 8 汉字, below which a title says nothing
_TITLE_COMFORT = 40  # give the title this much before widening unit and leader names
_LEAD_MIN = 10
_STATE_MIN = 18  # 红 逾期、节点逾期 / 黄 滞后、未报送; more states than that are cut when room is short


def _table(
    stream: TextIO, ledger: Ledger, ev: Evaluation, rows: list[TaskState], lang: Lang, show_all: bool, width: int | None
) -> None:
    """What needs chasing, most urgent first, laid out to the terminal's width.

    Without `--all` (or a filter that names lights or states) only red and yellow tasks are
    listed: what the office has to chase today fits on one screen, and the lines under the
    table say what was left out. Columns: light and states, id, task, deadline, days late or
    working days left, progress against schedule, lead unit, then owner and leader when
    there is room. Long unit names and leaders shrink to a short form (县住建局 → 住建局,
    副县长 李某某 → 李某某) before anything is cut.
    """
    console = common_console(stream, width=width, highlight=False, soft_wrap=False)
    shown = rows if show_all else [st for st in rows if st.light in ("red", "yellow") or "invalid" in st.states]
    green = sum(st.light == "green" for st in rows) if not show_all else 0
    closed = len(rows) - len(shown) - green
    table_rows = [_row_cells(st, ledger, ev.as_of, lang) for st in shown]
    headers = _headers(lang)
    widths = _widths(table_rows, headers, console.width)
    order = [k for k in ("state", "id", "title", "due", "when", "pct", "lead", "owner", "leader") if k in widths]
    paint = _painter(console)
    lines = [" ".join(paint(_pad(headers[k], widths[k], k), "bold") for k in order)]
    for st, r in zip(shown, table_rows, strict=True):
        cells: list[str] = []
        for key in order:
            cell = _pad(fit(r[key][0], r[key][1], widths[key]), widths[key], key)
            if key == "state":
                cell = paint(cell, LIGHT_STYLE[st.light])
            elif key == "when" and st.days_overdue:
                cell = paint(cell, "red")
            cells.append(cell)
        lines.append(" ".join(cells))
    console.print(counts_line(ev, rows, lang, ledger.settings.year))
    if shown:
        console.file.write("".join(line.rstrip(" ") + "\n" for line in lines))
    _left_out(console, ledger, ev, bool(shown), green, closed, lang)


def _pad(cell: str, cells: int, key: str) -> str:
    """`cell` padded to `cells` terminal columns: numbers to the right, text to the left."""
    room = " " * max(cells - _width(cell), 0)
    return room + cell if key in ("when", "pct") else cell + room


def _painter(console: Console) -> Callable[[str, str], str]:
    """Colour a cell with a style, as rich would (the table's thousands of rows are laid out
    here, not by rich.Table, which took 0.5 ms a row: 10 s for a city's ledger); plain text
    when the console has no colours."""
    # lazy: rich (~80 ms to import), only where a table is printed (issue 17)
    from rich.style import Style

    system = getattr(console, "_color_system", None)  # the ColorSystem behind .color_system's name
    if console.no_color or system is None:
        return lambda cell, style: cell
    styles: dict[str, Style] = {}

    def paint(cell: str, style: str) -> str:
        got = styles.get(style)
        if got is None:
            got = styles[style] = Style.parse(style)
        return got.render(cell, color_system=system) if style and cell.strip() else cell

    return paint


def _row_cells(st: TaskState, ledger: Ledger, as_of: date, lang: Lang) -> dict[str, tuple[str, str]]:
    """One task's cells, each as (full, short): the short form when room is short."""
    t = st.task
    lead_name = _unit_name(ledger, t.lead)
    pct = "—" if st.percent is None else f"{st.percent:.0f}"  # — : no measure (FORMAT.md's behind rule)
    if st.percent is not None and st.expected_percent is not None and st.is_open:
        pct += f"/{st.expected_percent:.0f}"
    if st.percent is not None:
        pct += "%"
    due = "—"
    if st.deadline is not None:
        due = st.deadline.strftime("%m-%d") if st.deadline.year == as_of.year else st.deadline.isoformat()
    mark = LIGHT_MARK[st.light][0 if lang == "zh" else 1]
    state = f"{mark} {_states_text(st, lang)}"
    leader = t.leader or ""
    return {
        "state": (state, state),
        "id": (t.id, t.id),
        "title": (t.title, t.title),
        "due": (due, due),
        "when": (short_when(st, lang), short_when(st, lang)),
        "pct": (pct, pct),
        "lead": (lead_name, _short_unit(lead_name)),
        "owner": (t.owner or "", t.owner or ""),
        "leader": (leader, _short_person(leader)),
    }


def _headers(lang: Lang) -> dict[str, str]:
    w = partial(say, lang=lang)
    return {
        "state": w("status.col.state"),
        "id": w("status.col.id"),
        "title": w("status.col.title"),
        "due": w("status.col.due"),
        "when": w("status.col.when"),
        "pct": w("status.col.pct"),
        "lead": w("status.col.lead"),
        "owner": w("status.col.owner"),
        "leader": w("status.col.leader"),
    }


def _widths(table_rows: list[dict[str, tuple[str, str]]], headers: dict[str, str], cols: int) -> dict[str, int]:
    """Each column's width in `cols` terminal columns; the columns that do not fit are left out."""

    def natural(key: str, form: int = 0) -> int:
        return max([_width(r[key][form]) for r in table_rows] + [_width(headers[key])])

    def typical(key: str) -> int:
        """Wide enough for the full form in four rows of five (the rest use the short form)."""
        full = sorted(_width(r[key][0]) for r in table_rows)
        return max(full[(len(full) * 4) // 5] if full else 0, natural(key, 1))

    widths = {k: natural(k) for k in ("state", "id", "due", "when", "pct")}
    widths["state"] = min(widths["state"], _STATE_MIN)
    title_full = natural("title")
    widths["title"] = min(title_full, _TITLE_MIN)
    lead_full, lead_short = natural("lead"), natural("lead", 1)
    widths["lead"] = min(lead_short, max(_LEAD_MIN, _width(headers["lead"])))

    def used() -> int:
        return sum(widths.values()) + len(widths) - 1  # one space between columns

    # Owner, then leader (by name), when the title keeps its minimum.
    for key in ("owner", "leader"):
        if any(r[key][0] for r in table_rows):
            need = natural(key, 1) + 1
            if used() + need <= cols:
                widths[key] = need - 1
    # What is left: some more title, then unit and leader names in full for most rows, then
    # the whole title, then the longest names.
    for key, goal in (
        ("title", min(title_full, _TITLE_COMFORT)),
        ("state", natural("state")),
        ("lead", typical("lead")),
        ("leader", typical("leader")),
        ("title", title_full),
        ("lead", lead_full),
        ("leader", natural("leader")),
    ):
        if key in widths and widths[key] < goal:
            widths[key] = min(goal, widths[key] + max(0, cols - used()))
    # A narrow terminal: the title and the states give way first, then whole columns
    # (the deadline before the progress, the progress before the lead unit).
    for key, least in (("title", 8), ("state", 10), ("due", 0), ("pct", 0), ("lead", 0)):
        if used() <= cols:
            break
        if least:
            widths[key] = max(least, widths[key] - (used() - cols))
        else:
            del widths[key]
    widths["title"] = min(title_full, widths["title"] + max(0, cols - used()))
    return widths


def _left_out(
    console: Console, ledger: Ledger, ev: Evaluation, shown: bool, green: int, closed: int, lang: Lang
) -> None:
    """Under the table: what it does not list, and the calendar's warning."""
    # lazy: rich (~80 ms to import), only where a table is printed (issue 17)
    from rich.text import Text

    w = partial(say, lang=lang)
    if not shown:
        console.print(
            w("status.out.nothing-to-chase")
            if green
            else w("status.out.nothing-open")
        )
    notes: list[str] = []
    if green:
        notes.append(
            w("status.out.green-left-out", n=green)
        )
    if closed:
        notes.append(
            w("status.out.closed-left-out", n=closed)
        )
    for note in notes:
        console.print(Text(note, style="dim"))
    for p in calendar_problems(ledger, ev.as_of):  # FORMAT.md: one warning for a year no calendar covers
        console.print(Text(w("status.out.note") + text(p.message, lang), style="yellow"))


def _short_unit(name: str) -> str:
    """县纪委监委（县监察局） → 纪委监委: what a county office calls a unit among itself."""
    short = re.sub(r"[（(].*?[）)]", "", name).strip() or name
    if short.startswith("县") and len(short) > 3:
        short = short[1:]
    return short


def _short_person(text: str) -> str:
    """副县长 李某某 → 李某某: the name is what matters when there is no room for the title."""
    parts = text.split()
    return parts[-1] if parts else text


# the table's short names of some states, by language (the others as STATE_LABELS says them)
_SHORT: dict[Lang, dict[str, str]] = {
    "zh": {"milestone_overdue": "节点逾期", "behind": "滞后", "no_report": "未报送", "on_track": "正常"},
    "en": {"milestone_overdue": "milestone late", "no_report": "no report"},
}


def _states_text(st: TaskState, lang: Lang) -> str:
    short = _SHORT[lang]
    return say("list.sep", lang).join(short.get(s) or label(STATE_LABELS, s, lang) for s in st.states)


def short_when(st: TaskState, lang: Lang) -> str:
    """Compact form for the table: 逾期56天 / 剩3工作日 / 11-20完成."""
    if st.days_overdue is not None:
        return say("status.when.late", lang, days=st.days_overdue)
    if st.is_done:
        if st.done is None:
            return say("status.when.done", lang)
        return say("status.when.done-on", lang, day=st.done.strftime("%m-%d"))
    if st.workdays_left is not None:
        return say("status.when.left", lang, days=st.workdays_left)
    return ""


def _summary(
    stream: TextIO,
    ledger: Ledger,
    ev: Evaluation,
    rows: list[TaskState],
    by: str,
    fmt: str,
    lang: Lang,
    width: int | None,
    gaps: Gaps | None = None,
) -> None:
    groups: dict[str, list[TaskState]] = {}
    for st in rows:
        key = st.task.lead if by == "unit" else (st.task.leader or "—")
        groups.setdefault(key, []).append(st)
    data: list[dict[str, Any]] = []
    for key, sts in groups.items():
        c = {k: sum(s.light == k for s in sts) for k in LIGHTS}
        data.append(
            {
                by: key,
                "name": _unit_name(ledger, key) if by == "unit" else key,
                "kind": (ledger.units[key].kind if by == "unit" and key in ledger.units else None),
                "tasks": len(sts),
                **c,
                "overdue": sum("overdue" in s.states for s in sts),
                "no_report": sum("no_report" in s.states for s in sts),
                "invalid": sum("invalid" in s.states for s in sts),
            }
        )
    data.sort(key=lambda d: (-d["red"], -d["yellow"], -d["overdue"], str(d[by])))
    if fmt == "json":
        doc: dict[str, object] = {"version": 1, "as_of": ev.as_of.isoformat(), "by": by, "groups": data}
        if gaps:
            doc["incomplete"] = gaps.as_json()
        stream.write(jsontext.dumps(doc) + "\n")
        return
    cols = [by, "name", "kind", "tasks", "red", "yellow", "green", "done", "none", "overdue", "no_report"]
    if fmt == "csv":
        buf = io.StringIO()
        wr = csv.writer(buf, lineterminator="\n")
        wr.writerow(cols)
        for d in data:
            wr.writerow([_csv_cell(d.get(c)) for c in cols])
        stream.write(buf.getvalue())
        return
    # lazy: rich (~80 ms to import), only where a table is printed (issue 17)
    from rich.table import Table

    console = common_console(stream, width=width, highlight=False)
    w = partial(say, lang=lang)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column(w("status.sum.unit") if by == "unit" else w("status.sum.leader"))
    if by == "unit":
        table.add_column(w("status.sum.kind"))
    for head, style in (
        (w("status.sum.tasks"), ""),
        (w("status.sum.red"), "bold red"),
        (w("status.sum.yellow"), "bold yellow"),
        (w("status.sum.green"), "green"),
        (w("status.sum.done"), "blue"),
        (w("status.sum.other"), "dim"),
        (w("status.sum.overdue"), "red"),
        (w("status.sum.no-report"), "yellow"),
    ):
        table.add_column(head, justify="right", style=style)
    for d in data:
        cells = [str(d["name"])]
        if by == "unit":
            cells.append(str(d["kind"] or ""))
        cells += [str(d[c]) for c in ("tasks", "red", "yellow", "green", "done", "none", "overdue", "no_report")]
        table.add_row(*cells)
    console.print(counts_line(ev, rows, lang, ledger.settings.year))
    console.print(table)
