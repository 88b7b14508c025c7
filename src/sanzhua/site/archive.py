"""The archive of bulletins: every week's 政务督查 from the first bulletin week to the
as-of date, as `sanzhua brief --week --as-of <week's end>` writes it (Markdown, and Word
to download), each rendered to an HTML page.

Markdown → HTML is markdown-it-py's: a CommonMark parser with tables, raw HTML switched
off, so whatever a title holds stays text (the brief's Markdown escapes it as well); the
bulletin's plain tables are written the way it writes them, without its parser
(site/mdhtml.py, held equal to it). With the built-in template the appendix's rows (every
open task, every week) are written directly (render/bulletin.py, which `sanzhua brief`
uses too), and the Word files go through render/docx.py's lighter use of docxtpl;
tests/test_site_archive_same.py holds every week's Markdown, page and Word file equal to
the plain way of making them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from sanzhua.evaluate import Evaluation, evaluate
from sanzhua.i18n import say
from sanzhua.load import Ledger
from sanzhua.notices import load_notices
from sanzhua.periods import Period, period_of, series_start, week_of
from sanzhua.render.bulletin import bulletin_markdown
from sanzhua.render.report import render_report, template_name
from sanzhua.report.brief import Brief, assemble_brief
from sanzhua.report.document import brief_context, default_name, issue_number
from sanzhua.score import Rules, Scoreboard, score_units
from sanzhua.site import mdhtml
from sanzhua.site.text import Lang


@dataclass(frozen=True, slots=True)
class Issue:
    title: str  # 2026年第47期 (11月16日—22日)
    period: str
    html: str  # file names inside briefs/
    md: str
    docx: str


# A week's bulletin evaluates the ledger at its end, the week before, and for the 约谈 list a
# few weeks back (notices.interview_after): the last few evaluations are all it reuses.
KEEP_EVALUATIONS = 8


def weeks(first: date, as_of: date) -> list[Period]:
    """The weeks (Monday to Sunday) from the one holding `first` to the one holding `as_of`."""
    out: list[Period] = []
    p = week_of(min(first, as_of))
    last = week_of(as_of)
    while p.start <= last.start:
        out.append(p)
        p = week_of(p.start + timedelta(days=7))
    return out


ARCHIVE_TASK_WEEKS = 100_000  # tasks x weeks the archive renders at most (a bulletin lists every open task)
# No archived bulletin of a ledger over this many tasks: one such week's bulletin (assembled,
# scored, written, its table of every open task made HTML) was 8 s of a 19 s site of 96,830
# tasks, and a page of 100,000 rows no reader opens (issue 14). `sanzhua brief` writes it.
ARCHIVE_MAX_TASKS = 50_000


def archive_weeks(ledger: Ledger, as_of: date) -> tuple[list[Period], int]:
    """The weeks the archive holds, and how many issues since week 1 it leaves out: the
    series' weeks (at most a year back: periods.series_start), and of those no more than
    ARCHIVE_TASK_WEEKS / tasks, the latest kept (every week's bulletin lists every open
    task: 15,000 tasks over 47 weeks were 350 MB of pages and a minute of CPU). The bundled
    county's 111 tasks keep every week; 2,000 tasks 50 weeks; 20,000 tasks the last 5;
    50,000 the last 2; over ARCHIVE_MAX_TASKS (50,000) none (issue 14: before, at least 4
    weeks were kept whatever the size, 400,000 task-weeks at 100,000 tasks)."""
    s = ledger.settings
    since_week_1 = weeks(s.bulletin.first_week or date(s.year, 1, 1), as_of)
    kept = weeks(series_start(s.bulletin.first_week, s.year, as_of), as_of)
    most = ARCHIVE_TASK_WEEKS // max(len(ledger.tasks), 1) if len(ledger.tasks) <= ARCHIVE_MAX_TASKS else 0
    kept = kept[max(len(kept) - most, 0) :]
    return kept, max(len(since_week_1) - len(kept), 0)


def markdown_html(text: str) -> Markup:
    """markdown-it's HTML of a bulletin, its plain tables written directly (site/mdhtml.py)."""
    return Markup(mdhtml.to_html(text))


def bulletins(
    ledger: Ledger,
    rules: Rules,
    as_of: date,
    lang: Lang,
    *,
    notice: str = "",
    made_from: str = "",
    known: Evaluation | None = None,
    only: Sequence[Period] | None = None,
) -> Iterator[tuple[Period, date, Brief]]:
    """Each week's bulletin, oldest first, written at min(week's end, as_of), with the
    notice of what the ledger's errors left out and the commit it was made from, as
    `sanzhua brief` gives them. One at a time, and only the last few weeks' evaluations
    kept: the archive is weeks × tasks, its memory need not be. `known`: the ledger
    already evaluated at some day (the site's, at `as_of`), used rather than made again.
    `only`: these of the archive's weeks (a forked child's part: site/forked.py)."""
    evaluations: dict[date, Evaluation] = {}

    def evaluate_at(d: date) -> Evaluation:
        if known is not None and known.as_of == d:
            return known
        got = evaluations.get(d)
        if got is None:
            got = evaluations[d] = evaluate(ledger, d)
            while len(evaluations) > KEEP_EVALUATIONS:
                del evaluations[next(iter(evaluations))]  # the oldest made
        return got

    def score_at(d: date) -> Scoreboard:
        year = period_of("year", d)
        return score_units(ledger, rules, year.start, year.end, d, evaluation=evaluate_at(d))

    records, broken = load_notices(ledger.root)
    if broken:  # as `sanzhua brief --allow-errors` says it: the 约谈 list may lack them
        files = "、".join(sorted({f"{q.file}:{q.line}" for q in broken}))
        extra = say("brief.out.notices-left-out", lang, files=files)
        notice = f"{notice}；{extra}" if notice else extra
    since = ledger.tracking_start()
    for p in archive_weeks(ledger, as_of)[0] if only is None else only:
        written = min(p.end, as_of)
        b = assemble_brief(
            ledger, evaluate_at, p, written, score_at=score_at, lang=lang, notices=records, tracking_since=since
        )
        yield p, written, replace(b, notice=notice, made_from=made_from)


def write_issues(
    ledger: Ledger,
    made: Iterable[tuple[Period, date, Brief]],
    put_text: Callable[[str, str], None],
    put_bytes: Callable[[str, bytes], None],
    page: Callable[[str, Issue, Markup], None],
    *,
    docx: bool,
) -> list[Issue]:
    """Write each bulletin's .md (and .docx) and its HTML page; the issues, oldest first."""
    issues: list[Issue] = []
    for p, _written, b in made:
        text = bulletin_markdown(b, ledger.root, template_name("brief", "md.j2", b.lang == "en", ledger.root))
        stem = f"week-{p.start.isoformat()}"
        md_name = default_name(b, "md")
        docx_name = default_name(b, "docx")
        put_text(f"briefs/{md_name}", text)
        if docx:
            put_bytes(f"briefs/{docx_name}", render_report("brief", "docx", brief_context(b), ledger.root))
        h = b.header
        number = issue_number(b)
        issue = Issue(
            title=f"{h.name} {number}".strip(),
            period=h.period_label,
            html=f"{stem}.html",
            md=quote(md_name),
            docx=quote(docx_name) if docx else "",
        )
        page(f"briefs/{stem}.html", issue, markdown_html(text))
        issues.append(issue)
    return issues


# Below this many task-weeks in the archive, forking children costs more than it saves.
FORK_MIN_TASK_WEEKS = 20_000


def parts(ledger: Ledger, as_of: date, cpus: int) -> list[list[Period]]:
    """The archive's weeks cut into runs of consecutive weeks, one for each forked child
    (site/forked.py) of `cpus`; none when the archive is small or there is one CPU. This
    process writes the site's other pages meanwhile, one process more than CPUs, so that
    none is idle while another finishes (this process writing weeks too, after its pages —
    about as much work as a child's part at 20,000 tasks — would finish last). Runs of
    consecutive weeks, so that one week's evaluation serves as the next's "week before"."""
    kept = archive_weeks(ledger, as_of)[0]
    if cpus < 2 or len(kept) < 2 or len(kept) * len(ledger.tasks) < FORK_MIN_TASK_WEEKS:
        return []
    n = min(cpus, len(kept))
    size, extra = divmod(len(kept), n)
    out: list[list[Period]] = []
    i = 0
    for k in range(n):
        step = size + (1 if k < extra else 0)
        out.append(kept[i : i + step])
        i += step
    return out


def issue_data(issues: list[Issue], pages: int) -> tuple[list[tuple[str, ...]], int]:
    """A part's issues and page count as plain data, for a forked child to send back."""
    return [(i.title, i.period, i.html, i.md, i.docx) for i in issues], pages


def issues_from(data: Any) -> tuple[list[Issue], int]:
    """issue_data's result read back; a mistyped one is a ValueError (the part made again)."""
    rows, pages = data
    if not isinstance(pages, int) or not all(isinstance(r, tuple) and len(r) == 5 for r in rows):
        raise ValueError("not an archive part")
    return [Issue(*(str(x) for x in r)) for r in rows], pages
