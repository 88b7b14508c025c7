"""`sanzhua brief`: the weekly 政务督查 bulletin, the monthly/quarterly/yearly 工作简报,
and 督办通知 reminder notices, as Markdown or Word.

load → evaluate → assemble (sanzhua.report.brief) → render (sanzhua.render): this
module only picks the period, the template and where the output goes.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    ledger_rules,
    open_report,
    to_before_from,
)
from sanzhua.commands.writefail import write_failed
from sanzhua.errors import FatalError, Refused, bad_choice
from sanzhua.evaluate import Evaluation, States, evaluate, states_near
from sanzhua.filters import unit_choices, unit_id, unknown_unit
from sanzhua.i18n import say
from sanzhua.lifetime import keep
from sanzhua.load import Ledger, frozen_gc
from sanzhua.load.keys import did_you_mean
from sanzhua.notices import (
    COLOUR_NAMES,
    NoticeRecord,
    Written,
    append_record,
    load_notices,
    next_number,
    number_text,
    replies,
    status_of,
)
from sanzhua.outfile import DistinctNames, replace_bytes
from sanzhua.periods import PERIOD_KINDS, Period, PeriodKind, period_of
from sanzhua.problems import msg
from sanzhua.render.bulletin import bulletin_pieces
from sanzhua.render.report import render_report, template_name
from sanzhua.report.brief import (
    Brief,
    Lang,
    Notice,
    assemble_brief,
    assemble_notice,
    units_needing_notice,
)
from sanzhua.report.document import brief_context, default_name, made_from, notice_context, notice_name
from sanzhua.report.gaps import notice
from sanzhua.score import Scoreboard, score_units

FORMATS = ("md", "docx")
_FORMAT_ALIASES = {"md": "md", "markdown": "md", "docx": "docx", "word": "docx"}


def _format(fmt: str) -> str:
    chosen = _FORMAT_ALIASES.get(fmt.lower())
    if chosen is None:
        raise bad_choice("--format", FORMATS, fmt)
    return chosen


def _period(kind: str, as_of: date, start: date | None, end: date | None) -> Period:
    if kind not in PERIOD_KINDS:
        raise FatalError(msg("brief.unknown-period", kind=kind), msg("brief.unknown-period.hint"))
    if kind == "custom":
        if start is None or end is None:
            raise FatalError(msg("option.from-to-pair"), msg("option.from-to-pair.hint"))
        if end < start:
            raise to_before_from(start, end)
    pk: PeriodKind = kind
    return period_of(pk, as_of, start, end)


# Rows (tasks, milestones, lines of any list, as `_rows` counts them) a Word report is
# written with at most. Word rendering (docxtpl, lxml) takes about 0.25 ms and 9 KB a row:
# 300,000 rows ran out of 2 GB after minutes (bench/README.md, p-dense); the weekly
# bulletin of the 20,000-task bench ledger has 90,000 rows, 22 s CPU and 860 MB, and must
# not be refused (a cap of 40,000 refused it); 120,000 rows are about 30 s and 1.1 GB.
MAX_DOCX_ROWS = 120_000
MAX_NUMBER = 99_999  # 第N期: a 30-digit --number was printed in the heading as given


def _render(kind: str, fmt: str, context: dict[str, object], ledger: Ledger) -> bytes:
    if fmt == "docx":
        rows = _rows(context)
        if rows > MAX_DOCX_ROWS:
            lang: Lang = "en" if context.get("lang") == "en" else "zh"
            raise FatalError(msg("brief.docx.too-many", rows=rows, limit=MAX_DOCX_ROWS),
                             msg("brief.docx.too-many.hint", option="-f md"), lang=lang)
    return render_report(kind, fmt, context, ledger.root)


def _rows(value: object, depth: int = 0) -> int:
    """The lines a report lists: every item of every list in it, nested ones too."""
    if depth > 6:
        return 0
    if isinstance(value, list | tuple):
        return len(value) + sum(_rows(x, depth + 1) for x in value)
    if isinstance(value, dict):
        return sum(_rows(x, depth + 1) for x in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_rows(getattr(value, f.name), depth + 1) for f in dataclasses.fields(value))
    return 0


def _write(data: bytes, path: Path, lang: Lang = "zh") -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_bytes(path, data)
    except OSError as e:
        raise write_failed(path, e, lang, "Word/WPS") from e


def _check_unit(ledger: Ledger, unit: str, lang: Lang) -> str:
    """The unit id of `--unit`: an id or a name (sanzhua.filters.unit_id), as status takes."""
    if any(t.lead == unit for t in ledger.tasks):
        return unit
    uid = unit_id(ledger.units, unit)
    if uid is not None:
        return uid
    guess = did_you_mean(unit, [*ledger.units, *(u.name for u in ledger.units.values())])
    raise unknown_unit("--unit", unit, guess, unit_choices(ledger.units, lang), lang)


def _markdown_out(out: TextIO, data: bytes) -> None:
    """Markdown on the screen ends with a newline, so the shell prompt starts its own line."""
    text = data.decode("utf-8")
    out.write(text if text.endswith("\n") else text + "\n")


def _markdown_pieces_out(out: TextIO, pieces: Iterable[str]) -> None:
    """`_markdown_out` of the pieces' text, written as they come: a city's bulletin is
    never one string, then bytes, then a string again (issue 17)."""
    last = ""
    for piece in pieces:
        if piece:
            out.write(piece)
            last = piece
    if not last.endswith("\n"):
        out.write("\n")


def brief(
    root: Path | None,
    *,
    as_of: date,
    period: str = "week",
    start: date | None = None,
    end: date | None = None,
    number: int | None = None,
    unit: str | None = None,
    each_unit: Path | None = None,
    fmt: str = "md",
    output: Path | None = None,
    lang: str | None = None,
    out: TextIO | None = None,
    allow_errors: bool = False,
    charts: bool = True,
    issue: bool = False,
) -> int:
    """Write a briefing for the period holding `as_of`, or 督办通知 with `unit` / `each_unit`.

    Markdown goes to `out` (standard output) unless `output` is given; Word always
    goes to a file, by default 政务督查-2026-第47期.docx in the working directory.
    A briefing's ranking is `sanzhua score --year` at its evaluated date; with errors
    in the scoring rules no briefing is written (exit 1).
    """
    out = out or sys.stdout
    fmt = _format(fmt)
    opened = open_report(root, lang, allow_errors=allow_errors)
    ledger, chosen = opened.ledger, opened.lang
    lang_: Lang = chosen
    if number is not None and not 1 <= number <= MAX_NUMBER:
        raise FatalError(msg("brief.number", number=number), msg("brief.number.hint"), lang=lang_)
    # the settings files' errors are the gate's too (report.gaps), and said with the rest
    warning = notice(opened.gaps, chosen, lead=say("brief.out.lead", chosen)) if opened.gaps else ""
    stamp = made_from(ledger.root, chosen)

    if issue and unit is None and each_unit is None:
        raise FatalError(msg("brief.issue-alone"), msg("brief.issue-alone.hint"), lang=chosen)
    if unit is not None or each_unit is not None:
        return _notices(ledger, as_of, unit, each_unit, fmt, output, out, issue, warning, stamp, lang_)
    p = _period(period, as_of, start, end)
    # Two evaluations, the year's score and the bulletin make millions of objects, most kept
    # to the end and the rest freed by their reference counts: the cycle collector would
    # mostly walk them again and again (a quarter of a second at 20,000 tasks, issue 17).
    # One bulletin per process: what cycles it leaves go with the process.
    with frozen_gc():
        return _bulletin(ledger, as_of, p, fmt, output, out, number, charts, allow_errors, warning, stamp, lang_)


def _notices(
    ledger: Ledger,
    as_of: date,
    unit: str | None,
    each_unit: Path | None,
    fmt: str,
    output: Path | None,
    out: TextIO,
    issue: bool,
    warning: str,
    stamp: str,
    lang_: Lang,
) -> int:
    """督办通知 for `unit` (to `output`, or Markdown to `out`) and/or every unit that needs
    one (into `each_unit`); with `issue`, each numbered, coloured and recorded."""
    if not issue:
        return _notices_out(ledger, as_of, unit, each_unit, fmt, output, out, None, warning, stamp, lang_)
    # Lazy for start-up cost alone (the edit session, about 0.1 s): only --issue writes.
    from sanzhua.edit.lock import ledger_lock
    from sanzhua.edit.session import Refused

    # The notices are numbered and recorded under the ledger's edit lock, from reading the
    # records to the last one written: two `--issue` runs at once gave two notices one
    # number (〔2026〕5号 twice, and the file an error every later run refused).
    try:
        with ledger_lock(ledger.root):
            register = _Register(ledger, as_of, lang_)
            return _notices_out(ledger, as_of, unit, each_unit, fmt, output, out, register, warning, stamp, lang_)
    except Refused as e:  # only taking the lock refuses here
        raise FatalError(e.message, e.hint, lang=lang_) from None


def _notices_out(
    ledger: Ledger,
    as_of: date,
    unit: str | None,
    each_unit: Path | None,
    fmt: str,
    output: Path | None,
    out: TextIO,
    register: _Register | None,
    warning: str,
    stamp: str,
    lang_: Lang,
) -> int:
    evaluation = evaluate(ledger, as_of)

    def make_notice(uid: str) -> Notice:
        """The unit's notice; with --issue, numbered, coloured and recorded first."""
        n = assemble_notice(ledger, evaluation, uid, as_of, lang=lang_)
        return register.issue(n) if register is not None else n

    if unit is not None:
        unit = _check_unit(ledger, unit, lang_)
        n = replace(make_notice(unit), notice=warning, made_from=stamp)
        data = _render("notice", fmt, notice_context(n), ledger)
        if output is None and fmt == "md":
            _markdown_out(out, data)
            return EXIT_OK
        path = output or Path(notice_name(n, fmt))
        _write(data, path, lang_)
        print(str(path), file=out)
        if each_unit is None:
            return EXIT_OK
    if each_unit is not None:
        names = DistinctNames()
        for uid in units_needing_notice(evaluation):
            n = replace(
                make_notice(uid), notice=warning, made_from=stamp
            )
            path = each_unit / names(notice_name(n, fmt), uid)
            _write(_render("notice", fmt, notice_context(n), ledger), path, lang_)
            print(str(path), file=out)
    return EXIT_OK


class _Evaluations:
    """The ledger evaluated at the dates a bulletin asks for, each once; and each task's
    states alone at a date before one evaluated (the previous period's end, whose totals
    the bulletin compares), worked out from the nearest later evaluation rather than by
    a second evaluation (`evaluate.states_near`, issue 17)."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.made: dict[date, Evaluation] = {}
        self.near: dict[date, States] = {}

    def evaluate_at(self, d: date) -> Evaluation:
        if d not in self.made:
            self.made[d] = evaluate(self.ledger, d)
        return self.made[d]

    def states_at(self, d: date) -> Evaluation | States:
        later = [e for day, e in self.made.items() if day >= d]
        if not later or d in self.made:
            return self.evaluate_at(d)
        if d not in self.near:
            self.near[d] = states_near(self.ledger, d, min(later, key=lambda e: e.as_of))
        return self.near[d]


def _bulletin(
    ledger: Ledger,
    as_of: date,
    p: Period,
    fmt: str,
    output: Path | None,
    out: TextIO,
    number: int | None,
    charts: bool,
    allow_errors: bool,
    warning: str,
    stamp: str,
    lang_: Lang,
) -> int:
    """The bulletin of period `p`: ranked by the score at its evaluated date, with the
    notices' 约谈 list, charts for a month, quarter or year; 1 when the scoring rules or
    the notices have errors (the latter unless `allow_errors`)."""
    chosen = lang_
    rules = ledger_rules(ledger, lang_, as_of)
    if rules is None:
        return EXIT_PROBLEMS
    evaluations = _Evaluations(ledger)
    keep(evaluations)  # freed by the process's end, not by the command's return (issue 17)
    evaluate_at = evaluations.evaluate_at

    def score_at(d: date) -> Scoreboard:
        # Exactly `sanzhua score --year --as-of d`: the year holding d, evaluated at d.
        year = period_of("year", d)
        return score_units(ledger, rules, year.start, year.end, d, evaluation=evaluate_at(d))

    records, broken = load_notices(ledger.root)
    if broken:  # complete or loud: a notice that cannot be read would drop out of the 约谈 list
        files = "、".join(sorted({f"{q.file}:{q.line}" for q in broken}))
        sys.stderr.write(
            say("brief.out.notices-broken", chosen, files=files)
        )
        if not allow_errors:
            raise Refused()
        extra = say("brief.out.notices-left-out", chosen, files=files)
        warning = f"{warning}；{extra}" if warning else extra
    b = assemble_brief(
        ledger,
        evaluate_at,
        p,
        as_of,
        score_at=score_at,
        lang=lang_,
        number=number,
        notices=records,
        tracking_since=ledger.tracking_start(),
        states_at=evaluations.states_at,
    )
    b = replace(b, notice=warning, made_from=stamp)
    keep(b)  # its lines, likewise
    target = output or (None if fmt == "md" else Path(default_name(b, fmt)))
    with_charts = charts and p.kind in CHART_PERIODS
    if fmt == "md":  # the appendix's rows written directly (with the built-in template)
        name = template_name("brief", "md.j2", b.lang == "en", ledger.root)
        pieces = bulletin_pieces(b, ledger.root, name)
        if target is None and not with_charts:  # on the screen: written piece by piece
            _markdown_pieces_out(out, pieces)
            return EXIT_OK
        data = "".join(pieces).encode("utf-8")
    else:
        data = _render("brief", fmt, brief_context(b), ledger)
    if with_charts:
        data = _with_charts(data, fmt, b, ledger, target)
    if target is None:
        _markdown_out(out, data)
        return EXIT_OK
    _write(data, target, lang_)
    print(str(target), file=out)
    return EXIT_OK



# --- charts in the monthly, quarterly and yearly 工作简报 (issue 19) -----------------------
CHART_PERIODS = ("month", "quarter", "year")


# where a CJK font comes from, named in the warning when there is none (a product and a command)
_FONT_SYSTEM = "Debian/Ubuntu"
_FONT_INSTALL = "apt-get install fonts-noto-cjk"


def _with_charts(data: bytes, fmt: str, b: Brief, ledger: Ledger, path: Path | None) -> bytes:
    """Markdown: SVG files beside the output file, linked from it. Word: PNG pictures in
    the document; without a CJK font, none, and a warning that says what to install."""
    from sanzhua.render import charts as C  # lazy: matplotlib and fontTools, about 0.8 s, for charts only

    c = C.charts_of(ledger, b)
    if fmt == "md":
        if path is None:
            print(say("brief.charts.on-screen", b.lang, svg="SVG"), file=sys.stderr)
            return data
        images: list[tuple[str, str]] = []
        for suffix, title, svg in C.svgs(c):
            name = f"{path.stem}-{suffix}.svg"
            _write(svg.encode("utf-8"), path.with_name(name))
            images.append((title, name))
        return C.place_in_markdown(data.decode("utf-8"), images).encode("utf-8")
    font = C.find_cjk_font()
    if font is None:
        print(say("brief.charts.no-font", b.lang, system=_FONT_SYSTEM, install=_FONT_INSTALL), file=sys.stderr)
        return data
    return C.place_in_docx(data, C.pngs(c, font), b.lang)


# --- the 督办 cycle (issue 20): notices issued are recorded ---
class _Register:
    """Issues notices: numbers them (〔2026〕N号), gives them their colour, and records them in
    notices/<year>.yaml before they are written out."""

    def __init__(self, ledger: Ledger, as_of: date, lang: Lang) -> None:
        self.ledger = ledger
        self.as_of = as_of
        self.lang = lang
        self.records, problems = load_notices(ledger.root, ledger.units, {t.id for t in ledger.tasks})
        if problems:
            p = problems[0]
            raise FatalError(
                msg("brief.notice-file-error", file=p.file, line=p.line), msg("brief.notice-file-error.hint"), lang=lang
            )
        # What --each-unit issues to thousands of units is found per unit, not by reading every
        # record (and every task's progress, for the replies) again for each notice: the replies
        # are the ledger's, the same all run; the records by unit; the file as last written.
        self.answers = replies(ledger.tasks)
        self.by_unit: dict[str, list[NoticeRecord]] = {}
        for r in self.records:
            self.by_unit.setdefault(r.unit, []).append(r)
        self.written: Written = {}

    def issue(self, n: Notice) -> Notice:
        lang = self.lang
        if n.empty:
            sys.stderr.write(
                say("brief.out.nothing-to-notify", lang, unit=n.unit)
            )
            return n
        settings = self.ledger.settings.notices
        mine = self.by_unit.get(n.unit_id, [])
        same_day = [r for r in mine if r.issued == self.as_of]
        if same_day:
            r = same_day[-1]
            sys.stderr.write(
                say("brief.out.issued-today", lang, unit=n.unit, number=r.number)
            )
        else:
            ladder = settings.ladder
            held = [
                s.colour
                for s in (status_of(r, self.as_of, self.answers, settings, self.ledger.calendar)
                          for r in mine if r.issued <= self.as_of)
                if s.answered is None
            ]
            colour = max(held, key=ladder.index, default=ladder[0]) if held else ladder[0]
            year = self.as_of.year
            number = next_number(self.records, year)
            r = NoticeRecord(
                number=number_text(settings.prefix, year, number),
                n=number,
                year=year,
                issued=self.as_of,
                unit=n.unit_id,
                tasks=n.task_ids,
                reply_due=n.reply_by,
                colour=colour,
                file="",
                line=0,
            )
            rel = append_record(self.ledger.root, r, self.written)
            self.records.append(r)
            self.by_unit.setdefault(r.unit, []).append(r)
            sys.stderr.write(
                say("brief.out.recorded", lang, unit=n.unit, number=r.number, file=rel)
            )
        name = COLOUR_NAMES.get(r.colour, (r.colour, r.colour))
        return replace(n, number=r.number, colour=r.colour, colour_text=name[0] if lang == "zh" else name[1])
