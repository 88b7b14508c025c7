"""`sanzhua score`: every unit's score and rank over a period, and why (考评排名)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sanzhua import jsontext
from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, format_option, ledger_rules, open_report, to_before_from
from sanzhua.dates import DateError, parse_when
from sanzhua.errors import FatalError
from sanzhua.filters import unit_choices, unit_id
from sanzhua.i18n import Lang, label, say
from sanzhua.periods import Period, PeriodKind, period_label, period_of
from sanzhua.problems import msg
from sanzhua.report.gaps import Gaps, notice
from sanzhua.score import (
    COUNT_KEYS,
    Scoreboard,
    UnitScore,
    decimals,
    number,
    reason_text,
    score_units,
    signed,
)
from sanzhua.textsafe import document_text, spreadsheet_text

COUNT_LABELS: dict[str, tuple[str, str]] = {
    "tasks": ("牵头任务", "tasks led"),
    "partner_tasks": ("配合任务", "partner tasks"),
    "done_on_time": ("按时完成", "on time"),
    "done_early": ("提前完成", "early"),
    "done_late": ("逾期完成", "done late"),
    "overdue": ("逾期未完成", "overdue"),
    "milestone_missed": ("节点未按期", "milestones missed"),
    "report_missing": ("未报送进展", "reports missing"),
    "behind": ("进度滞后", "behind"),
}
KIND_WORDS: dict[str, tuple[str, str]] = {
    "month": ("月度", "month"),
    "quarter": ("季度", "quarter"),
    "year": ("年度", "year"),
    "custom": ("自定", "custom"),
    "week": ("周", "week"),
}


def resolve_period(
    as_of: date,
    *,
    month: bool = False,
    quarter: bool = False,
    year: bool = False,
    start: str | None = None,
    end: str | None = None,
) -> Period:
    """--month/--quarter/--year: the one holding the as-of date; --from/--to: a custom span;
    default: the year."""
    chosen = [k for k, on in (("month", month), ("quarter", quarter), ("year", year)) if on]
    if len(chosen) + (1 if start or end else 0) > 1:
        raise FatalError(msg("score.one-period"))
    if start or end:
        first = _day(start, "--from", as_of.year) if start else date(as_of.year, 1, 1)
        last = _day(end, "--to", first.year) if end else as_of
        if last < first:
            raise to_before_from(first, last)
        return Period("custom", first, last)
    kind: PeriodKind = chosen[0] if chosen else "year"  # type: ignore[assignment]
    return period_of(kind, as_of)


def _day(value: str, option: str, year: int) -> date:
    try:
        return parse_when(value.strip(), year)
    except DateError as e:
        raise FatalError(
            msg("option.bad-date", option=option, value=value, detail=e.detail_zh, detail_en=str(e)),
            msg("option.bad-date.hint", option=option),
        ) from None


def score(
    root: Path | None,
    *,
    as_of: date,
    period: Period,
    fmt: str = "table",
    lang: str | None = None,
    explain: str | None = None,
    kinds: Iterable[str] = (),
    out: Any = None,
    color: bool = False,
    wide: bool = False,
    allow_errors: bool = False,
) -> int:
    """Print the scoreboard (or one unit's explanation); 1 when the scoring rules have errors,
    or a ledger file's errors drop tasks (unless `allow_errors`: then the output says so).

    The table shows the main counts only, to fit a terminal; `wide` shows every count
    (json and csv always do)."""
    if fmt not in FORMATS:
        format_option(fmt, FORMATS)
    opened = open_report(root, lang, allow_errors=allow_errors)
    ledger, chosen = opened.ledger, opened.lang
    rules = ledger_rules(ledger, chosen, as_of)
    if rules is None:
        return EXIT_PROBLEMS
    if period.start > as_of:
        raise FatalError(msg("score.period-after", start=period.start, as_of=as_of), lang=chosen)
    board = score_units(ledger, rules, period.start, period.end, as_of, kinds=tuple(kinds))
    stream = out if out is not None else sys.stdout
    if explain is not None:
        uid = unit_id(ledger.units, explain)  # an id, a name or a part of one name, as status --unit
        unit = board.unit(uid or explain) or next((u for u in board.units if u.name == explain), None)
        if unit is None:
            raise FatalError(
                msg("score.no-unit", unit=explain),
                msg("option.unit.hint", choices=unit_choices(ledger.units, chosen)),
                lang=chosen,
            )
        written = EXPLAIN[fmt](board, unit, period, chosen)
    else:
        written = FORMATS[fmt](board, period, chosen, color, wide)
    stream.write(_with_gaps(written, fmt, opened.gaps, chosen))
    return EXIT_OK


def _with_gaps(written: str, fmt: str, gaps: Gaps, lang: Lang) -> str:
    """The output, saying what the ledger's errors left out: a line at the top (table,
    md), an `incomplete` member (json); csv has no place for it (standard error says it)."""
    if not gaps or fmt == "csv":
        return written
    if fmt == "json":
        doc = json.loads(written)
        doc["incomplete"] = gaps.as_json()
        return jsontext.dumps(doc) + "\n"
    line = notice(gaps, lang)
    return (f"> **{line}**" if fmt == "md" else line) + "\n\n" + written


# ---------------------------------------------------------------------------
# Data for every format


def _period_json(board: Scoreboard, period: Period) -> dict[str, object]:
    return {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "kind": period.kind,
        "evaluated_at": board.evaluated_at.isoformat(),
    }


def _num(d: Any) -> Any:
    if isinstance(d, Decimal):
        got = _NUMS.get(d)
        if got is None:
            got = _NUMS[d] = int(d) if d == d.to_integral_value() else float(d)
        return got
    return d


# A decimal's JSON number, by value (equal decimals give the same number): a scoreboard
# holds hundreds of thousands of amounts, of a few dozen values.
_NUMS: dict[Decimal, int | float] = {}


def entry_json(e: Any, lang: Lang) -> dict[str, object]:
    return {
        "points": _num(e.points),
        "task": e.task_id,
        "title": e.title,
        "reason": e.reason_key,
        "text": reason_text(e, lang),
        "role": e.role,
        "rule_points": _num(e.rule_points),
        "weight": _num(e.weight),
        "share": _num(e.share),
        "date": e.date.isoformat() if e.date else None,
        "args": {k: _num(v) for k, v in e.args.items()},
    }


def unit_json(u: UnitScore, lang: Lang, entries: bool = True) -> dict[str, object]:
    doc: dict[str, object] = {
        "unit": u.unit,
        "name": u.name,
        "kind": u.kind,
        "score": _num(u.score),
        "rank": u.rank,
        "base": _num(u.base),
        "added": _num(u.added),
        "taken": _num(u.taken),
        "counts": dict(u.counts),
    }
    if entries:
        doc["entries"] = [entry_json(e, lang) for e in u.entries]
    return doc


def format_json(
    board: Scoreboard, period: Period, lang: Lang, color: bool = False, wide: bool = True
) -> str:
    doc = {
        "version": 1,
        "as_of": board.as_of.isoformat(),
        "period": _period_json(board, period),
        "rules": board.rules.as_dict(),
        # Unit by unit as the text is written: 100,000 tasks' entries are never all
        # dictionaries at once.
        "units": jsontext.Items(lambda: (unit_json(u, lang) for u in board.units)),
    }
    return jsontext.dumps(doc, end="\n")


# The default table's counts: what a terminal of 80 columns has room for (--wide, json
# and csv give every count).
NARROW_COUNTS: tuple[str, ...] = ("done_on_time", "overdue", "milestone_missed", "report_missing")
# Two-line headers keep the narrow table's count columns four to six columns wide.
NARROW_LABELS: dict[str, tuple[str, str]] = {
    "done_on_time": ("按时\n完成", "on\ntime"),
    "overdue": ("逾期\n未完成", "over-\ndue"),
    "milestone_missed": ("节点\n未按期", "milest.\nmissed"),
    "report_missing": ("未报送\n(次)", "reports\nmissing"),
}
NO_RANK = "—"


def _unranked_note(board: Scoreboard, lang: Lang) -> str:
    n = len(board.unranked)
    return say("score.out.unranked", lang, mark=NO_RANK, n=n)


def _headers(lang: Lang, wide: bool = True) -> list[str]:
    if not wide:
        return [
            say("score.out.rank", lang),
            say("score.out.unit", lang),
            say("score.out.score", lang),
            say("score.out.added", lang),
            say("score.out.taken", lang),
            *(label(NARROW_LABELS, k, lang) for k in NARROW_COUNTS),
        ]
    return [
        say("score.out.rank", lang),
        say("score.out.unit", lang),
        say("score.out.id", lang),
        say("score.out.score", lang),
        say("score.out.added", lang),
        say("score.out.taken", lang),
        *(label(COUNT_LABELS, k, lang) for k in COUNT_KEYS),
    ]


def _places(board: Scoreboard) -> tuple[int, int, int]:
    """Decimals for the score, added and taken columns, so that each column lines up."""
    ranked = board.ranked
    return (
        decimals(u.score for u in ranked),
        decimals(u.added for u in ranked),
        decimals(u.taken for u in ranked),
    )


def _row(u: UnitScore, places: tuple[int, int, int], wide: bool = True) -> list[str]:
    if u.rank is None:
        points = [NO_RANK, "", ""]
    else:
        ps, pa, pt = places
        added = ("+" if u.added else "") + number(u.added, pa)
        points = [number(u.score, ps), added, number(u.taken, pt)]
    rank = NO_RANK if u.rank is None else str(u.rank)
    if not wide:
        return [rank, u.name, *points, *(str(u.counts.get(k, 0)) for k in NARROW_COUNTS)]
    return [rank, u.name, u.unit, *points, *(str(u.counts.get(k, 0)) for k in COUNT_KEYS)]


def _title(board: Scoreboard, period: Period, lang: Lang) -> str:
    span = period_label(period, lang)
    kind = label(KIND_WORDS, period.kind, lang)
    return say(
        "score.out.title-line",
        lang,
        kind=kind,
        span=span,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        at=board.evaluated_at.isoformat(),
    )


def format_csv(
    board: Scoreboard, period: Period, lang: Lang, color: bool = False, wide: bool = True
) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["rank", "unit", "name", "kind", "score", "added", "taken", *COUNT_KEYS])
    for u in board.units:
        w.writerow(
            [
                "" if u.rank is None else u.rank,
                spreadsheet_text(u.unit),
                spreadsheet_text(u.name),
                spreadsheet_text(u.kind),
                number(u.score),
                number(u.added),
                number(u.taken),
                *(u.counts.get(k, 0) for k in COUNT_KEYS),
            ]
        )
    return buf.getvalue()


def _md_cell(s: str) -> str:
    """Ledger text in a Markdown line or cell: escaped as the bulletin escapes it, so a
    unit named "<img …>", "[x](javascript:…)" or "# 标题" stays text (issue 14)."""
    # lazy: the templating module imports Jinja2, which only the Markdown formats need here
    from sanzhua.render.templating import md_escape

    return md_escape(document_text(s))


def format_md(
    board: Scoreboard, period: Period, lang: Lang, color: bool = False, wide: bool = True
) -> str:
    """A Markdown table with every count (a document has room for them)."""
    head = _headers(lang)
    lines = [
        f"## {_md_cell(_title(board, period, lang))}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "|".join("---:" if i not in (1, 2) else "---" for i in range(len(head))) + "|",
    ]
    places = _places(board)
    lines += ["| " + " | ".join(_md_cell(c) for c in _row(u, places)) + " |" for u in board.units]
    if board.unranked:
        lines += ["", _md_cell(_unranked_note(board, lang))]
    return "\n".join(lines) + "\n"


def format_table(
    board: Scoreboard, period: Period, lang: Lang, color: bool = False, wide: bool = False
) -> str:
    """The scoreboard for a terminal: by default rank, unit, score, added, taken and four
    counts, which fit 80 columns; `wide` adds the unit id and every count."""
    # lazy: rich's tables (~80 ms to import), for the table format only
    from rich import box
    from rich.console import Console
    from rich.measure import Measurement
    from rich.table import Table

    table = Table(
        title=_title(board, period, lang),
        box=box.SIMPLE_HEAD,
        title_justify="left",
        caption=_unranked_note(board, lang) if board.unranked else None,
        caption_justify="left",
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
    )
    text_cols = (1, 2) if wide else (1,)
    for i, h in enumerate(_headers(lang, wide)):
        table.add_column(h, justify="left" if i in text_cols else "right", no_wrap=True)
    places = _places(board)
    for u in board.units:
        table.add_row(*_row(u, places, wide))
    buf = io.StringIO()
    console = Console(
        file=buf, force_terminal=color, no_color=not color, highlight=False, soft_wrap=False
    )
    if wide:  # never squeeze the wide table: let it be as wide as it needs
        need = Measurement.get(console, console.options.update_width(1000), table).maximum
        console.width = max(console.width, need)
    console.print(table)
    return buf.getvalue()


FORMATS: dict[str, Callable[[Scoreboard, Period, Lang, bool, bool], str]] = {
    "table": format_table,
    "json": format_json,
    "csv": format_csv,
    "md": format_md,
}


# ---------------------------------------------------------------------------
# --explain UNIT


def _explain_head(board: Scoreboard, u: UnitScore, period: Period, lang: Lang) -> str:
    n = len(board.ranked)
    place = (
        say("score.out.not-ranked", lang)
        if u.rank is None
        else say("score.out.place", lang, rank=u.rank, n=n)
    )
    return say(
        "score.out.explain-head",
        lang,
        name=u.name,
        unit=u.unit,
        title=_title(board, period, lang),
        score=number(u.score),
        place=place,
    )


def explain_text(board: Scoreboard, u: UnitScore, period: Period, lang: Lang) -> str:
    lines = [
        _explain_head(board, u, period, lang),
        "",
        f"  {number(u.base):>8}  " + say("score.out.base", lang),
    ]
    for e in u.entries:
        lines.append(f"  {signed(e.points):>8}  {e.task_id}  {e.title}")
        lines.append(f"  {'':>8}  {'':{len(e.task_id)}}  {reason_text(e, lang)}")
    lines.append("  " + "-" * 8)
    total = say(
        "score.out.total",
        lang,
        base=number(u.base),
        added=number(u.added),
        taken=number(-u.taken),
        score=number(u.score),
    )
    lines.append(f"  {number(u.score):>8}  {total}")
    return "\n".join(lines) + "\n"


def explain_md(board: Scoreboard, u: UnitScore, period: Period, lang: Lang) -> str:
    head = [
        say("score.out.points", lang),
        say("score.out.task", lang),
        say("score.out.title", lang),
        say("score.out.reason", lang),
    ]
    lines = [
        f"## {_md_cell(_explain_head(board, u, period, lang))}",
        "",
        "| " + " | ".join(head) + " |",
        "|---:|---|---|---|",
        f"| {number(u.base)} | | | {say('score.out.base', lang)} |",
    ]
    for e in u.entries:
        lines.append(
            f"| {signed(e.points)} | {_md_cell(e.task_id)} | {_md_cell(e.title)} "
            f"| {_md_cell(reason_text(e, lang))} |"
        )
    lines.append(f"| **{number(u.score)}** | | | **{say('score.out.score', lang)}** |")
    return "\n".join(lines) + "\n"


def explain_csv(board: Scoreboard, u: UnitScore, period: Period, lang: Lang) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "unit",
            "points",
            "task",
            "title",
            "reason",
            "role",
            "rule_points",
            "weight",
            "share",
            "date",
            "text",
        ]
    )
    w.writerow(
        [
            spreadsheet_text(u.unit),
            number(u.base),
            "",
            "",
            "base",
            "",
            "",
            "",
            "",
            "",
            say("score.out.base", lang),
        ]
    )
    for e in u.entries:
        w.writerow(
            [
                spreadsheet_text(u.unit),
                number(e.points),
                spreadsheet_text(e.task_id),
                spreadsheet_text(e.title),
                e.reason_key,
                e.role,
                number(e.rule_points),
                number(e.weight),
                number(e.share),
                e.date.isoformat() if e.date else "",
                spreadsheet_text(reason_text(e, lang)),
            ]
        )
    return buf.getvalue()


def explain_json(board: Scoreboard, u: UnitScore, period: Period, lang: Lang) -> str:
    doc = {
        "version": 1,
        "as_of": board.as_of.isoformat(),
        "period": _period_json(board, period),
        "units_ranked": len(board.ranked),
        **unit_json(u, lang),
    }
    return jsontext.dumps(doc) + "\n"


EXPLAIN: dict[str, Callable[[Scoreboard, UnitScore, Period, Lang], str]] = {
    "table": explain_text,
    "json": explain_json,
    "csv": explain_csv,
    "md": explain_md,
}
