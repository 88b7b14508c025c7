"""Write the site: HTML pages through Jinja2 templates (autoescaped), the task data as
a script file, the style sheet and the filter script, into a fresh folder.

The pages link to each other by relative paths and load nothing from elsewhere, so
the folder works opened from disk (file://) as well as from any web server. Task data
for the filter page is a `.js` file rather than JSON: a page opened from disk may not
fetch() a file beside it, but it may load a script.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from sanzhua.errors import FatalError
from sanzhua.evaluate import Evaluation
from sanzhua.i18n import say
from sanzhua.load import Ledger
from sanzhua.outfile import umask
from sanzhua.periods import Period
from sanzhua.problems import msg
from sanzhua.render.svg import Series, line_chart
from sanzhua.render.templating import FILTERS
from sanzhua.report.brief import LIGHT_LABELS, STATE_LABELS
from sanzhua.report.document import made_from
from sanzhua.site import data as site_data
from sanzhua.site import story, taskpage
from sanzhua.site.data import LIGHT_RANK, Names, Overview, TaskView, children_of, overview
from sanzhua.site.text import Lang, words

HERE = Path(__file__).resolve().parent
MARKER = ".sanzhua-site"  # a folder with this file is a site we wrote and may replace
URGENT_ROWS = 30  # the most urgent red and yellow tasks on the overview


@dataclass
class SiteInfo:
    """What every page's frame shows."""

    name: str
    office: str
    as_of: date
    lang: Lang
    commit: str = ""
    errors: str = ""
    has_archive: bool = False


@dataclass
class Built:
    """What a build wrote, for the command's summary and the tests."""

    folder: Path
    pages: int = 0
    tasks: int = 0
    notes: list[str] = field(default_factory=list)


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates are sanzhua's own and do not change during a build: no stat of
        # each of them for each of 20,000 pages (issue 19.5).
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    return env


def script_json(value: object) -> str:
    """JSON to put in a script: `<` escaped so that no `</script>` or `<!--` in ledger
    text can end the script or start a comment, and the two line separators escaped
    for older JavaScript engines."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


TASK_COLUMNS = (
    "id",
    "title",
    "href",
    "lead",
    "unit",
    "partners",
    "leader",
    "owner",
    "category",
    "due",
    "light",
    "light_text",
    "states",
    "state_text",
    "percent",
    "expected",
    "days_overdue",
)


def _task_data(ov: Overview, lang: Lang) -> dict[str, Any]:
    w = words(lang)
    rows = [
        [
            v.id,
            v.title,
            v.href,
            v.lead,
            v.unit,
            list(v.partners),
            v.leader,
            v.owner,
            v.category,
            v.deadline.isoformat() if v.deadline else None,
            v.light,
            v.light_text,
            list(v.states),
            v.state_text,
            v.percent,
            v.expected,
            v.days_overdue,
        ]
        for v in ov.tasks
    ]
    labels = {
        "days": say("site.days", lang),
        "shown": w["shown"],
        "of": w["of"],
        "no_match": w["no_match"],
    }
    return {"version": 1, "as_of": ov.as_of.isoformat(), "cols": list(TASK_COLUMNS), "rows": rows, "labels": labels}


# The bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069)
# in UTF-8. An unclosed U+202E in a unit's name reversed what followed it outside its own
# element (the unit's kind beside its link: "县直部门" read "门部直县"), and in a page's
# <title>; the documents drop them (textsafe.document_text), and so does every page, script
# and chart the site writes, at the one place they are written. Searched in the bytes: the
# lead byte 0xE2 is rare in Chinese text, so a page without one is passed over fast.
_BIDI_UTF8 = re.compile(b"\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])")


class Writer:
    """Writes pages into a folder, counting them."""

    def __init__(self, folder: Path, env: Environment, site: SiteInfo) -> None:
        self.folder = folder
        self.env = env
        self.site = site
        # Our own labels, marked safe once rather than escaped on each of 20,000 pages.
        self.raw = words(site.lang)  # for SVG and scripts, which escape in their own way
        self.w = {k: Markup(escape(v)) for k, v in self.raw.items()}
        self.pages = 0
        self._made: set[Path] = set()
        # base.html's frame around a page our own code writes, rendered once per page kind
        # and depth; the slots are random, so no ledger text can be taken for one.
        self._slots = (f"\x00title-{secrets.token_hex(16)}\x00", f"\x00main-{secrets.token_hex(16)}\x00")
        self._frames: dict[tuple[int, str], tuple[str, str, str]] = {}

    def path(self, rel: str) -> Path:
        p = self.folder / rel
        if p.parent not in self._made:
            p.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(p.parent)
        return p

    def page(self, rel: str, template: str, page: str, **context: object) -> None:
        depth = rel.count("/")
        html = self.env.get_template(template).render(
            site=self.site, w=self.w, lang=self.site.lang, root="../" * depth, page=page, **context
        )
        self.text(rel, html)
        self.pages += 1

    def framed(self, rel: str, page: str, title: str, main: str) -> None:
        """A page in base.html's frame whose title and main block our own code wrote
        (escaped: see site/taskpage.py), as a template extending base.html would give it."""
        depth = rel.count("/")
        frame = self._frames.get((depth, page))
        if frame is None:
            title_slot, main_slot = self._slots
            html = self.env.get_template("frame.html").render(
                site=self.site,
                w=self.w,
                lang=self.site.lang,
                root="../" * depth,
                page=page,
                title_slot=Markup(title_slot),
                main_slot=Markup(main_slot),
            )
            head, rest = html.split(title_slot)
            middle, tail = rest.split(main_slot)
            frame = self._frames[(depth, page)] = (head, middle, tail)
        self.text(rel, "".join((frame[0], title, frame[1], main, frame[2])))
        self.pages += 1

    def text(self, rel: str, text: str) -> None:
        """`Path.write_text(text, encoding="utf-8")`, without a text stream per file (21,000
        files): the line ends turned into the platform's as a text stream would. Without a
        bidirectional control (`_BIDI_UTF8`)."""
        if os.linesep != "\n":
            text = text.replace("\n", os.linesep)
        data = text.encode("utf-8")
        if _BIDI_UTF8.search(data) is not None:
            data = _BIDI_UTF8.sub(b"", data)
        self.data(rel, data)

    def data(self, rel: str, data: bytes) -> None:
        fd = os.open(self.path(rel), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


def prepare(out: Path) -> Path:
    """A fresh folder beside `out` to build in. `out` itself must be missing, empty, or a
    site written before (it holds MARKER): nothing else is ever replaced."""
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise FatalError(msg("init.not-a-folder", folder=out), msg("site.folder.hint"))
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise FatalError(msg("site.not-ours", folder=out), msg("site.not-ours.hint"))
    found = _not_a_site(out) if out.is_dir() else None
    if found is not None:
        raise FatalError(msg("site.holds-ledger", folder=out, found=found), msg("site.not-ours.hint"))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    tmp.chmod(0o777 & ~umask())  # mkdtemp's 0700 would hide the site from a web server
    return tmp


def _not_a_site(out: Path) -> str | None:
    """What in the folder `out` no site holds: a YAML file (a ledger's, its settings), a
    `.git`, or the folder this command runs in. A committed `ledgers/.sanzhua-site` (or one
    at the top) had `site -o ledgers` (`site -o .`) replace the ledger's files, and the
    repository with them, by the site: the marker alone is anyone's to commit (issue 14,
    p-red3a). None when it may be replaced."""
    with contextlib.suppress(OSError):
        here = Path.cwd().resolve()
        real = out.resolve()
        if here == real or real in here.parents:
            return str(here)
    stack = [out]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.name == ".git" or e.name.lower().endswith((".yaml", ".yml")):
                return str(Path(e.path).relative_to(out))
            if e.is_dir(follow_symlinks=False):
                stack.append(Path(e.path))
    return None


def publish(tmp: Path, out: Path) -> None:
    """Put the finished site in place of the old one in two renames: a reader never sees
    half a site, and a failed build leaves the old one as it was."""
    out = out.absolute()
    old: Path | None = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
        os.rename(out, old / "site")
    os.rename(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_core(
    wr: Writer,
    ledger: Ledger,
    evaluation: Evaluation,
    events: Mapping[str, Sequence[story.PageEvent]] | None,
    lang: Lang,
    *,
    fast: bool = True,
) -> Overview:
    """The overview, the task list, one page per unit and per task, and the assets.
    `fast=False` renders the task and unit pages through templates/task.html and unit.html
    (the references that site/taskpage.py is held equal to) rather than site/taskpage.py."""
    names = Names()
    ov = overview(ledger, evaluation, lang, names)
    w = wr.w
    light_labels = LIGHT_LABELS[lang]
    lights = [
        (
            name,
            sum(r.tasks and getattr(r, name) for r in ov.by_unit),
            w["light_none"] if name == "none" else light_labels[name],
        )
        for name in LIGHT_RANK
    ]
    urgent = [v for v in ov.tasks if v.light in ("red", "yellow")][:URGENT_ROWS]
    wr.page("index.html", "index.html", "index", ov=ov, t=ov.totals, lights=lights, urgent=urgent)
    wr.page("units.html", "units.html", "units", ov=ov)
    state_labels = STATE_LABELS[lang]
    wr.page(
        "tasks.html",
        "tasks.html",
        "tasks",
        count=len(ov.tasks),
        light_options=[(k, w["light_none"] if k == "none" else light_labels[k]) for k in LIGHT_RANK],
        state_options=list(state_labels.items()),
        unit_options=[(u.id, u.name) for u in ov.units],
        leader_options=sorted({v.leader for v in ov.tasks if v.leader}),
    )
    wr.text("assets/tasks.js", "window.SANZHUA_TASKS=" + script_json(_task_data(ov, lang)) + ";\n")
    for name in ("site.css", "site.js"):
        wr.data(f"assets/{name}", (HERE / "static" / name).read_bytes())

    for u in ov.units:
        if fast:
            main = taskpage.unit_main(u, w, "../" * u.href.count("/"), lang)
            wr.framed(u.href, "units", taskpage.esc(u.name), main)
        else:
            wr.page(u.href, "unit.html", "units", u=u)

    write_task_pages(wr, ledger, ov, events, lang, fast=fast)
    return ov


def write_task_pages(
    wr: Writer,
    ledger: Ledger,
    ov: Overview,
    events: Mapping[str, Sequence[story.PageEvent]] | None,
    lang: Lang,
    *,
    fast: bool = True,
) -> None:
    """t/: one page per task, its story (site/story.py) laid out by site/taskpage.py, or
    with `fast=False` by templates/task.html."""
    unit_href = {u.id: u.href for u in ov.units}
    task_href = {v.id: v.href for v in ov.tasks}
    kids = children_of(ledger.tasks)
    settings = ledger.settings
    w = wr.w
    for v in ov.tasks[: site_data.TASK_PAGES]:
        task = v.state.task
        ms = story.milestones(task, ov.as_of, lang)
        got = events.get(v.id, []) if events is not None else None
        target = ""
        if task.target is not None:
            tg = task.target
            target = " ".join(x for x in (tg.metric or "", _num(tg.value), tg.unit or "") if x)
            if tg.direction == "at_most":
                target += say("site.target.at-most", lang)
        context: dict[str, Any] = {
            "v": v,
            "unit_href": unit_href.get(v.lead, "units.html"),
            "why": story.why(v, settings, lang),
            "facts": story.facts(v, task, ledger.units, lang, unit_href, task_href, kids.get(v.id, []), w),
            "target": target,
            "milestones": ms,
            "timeline": story.timeline_svg(v, task, ms, ov.as_of, w),
            "progress": [
                {
                    "date": p.date,
                    "note": p.note,
                    "value": p.value,
                    "percent": p.percent,
                    "by": p.by,
                    "future": p.date > ov.as_of,
                }
                for p in sorted(task.progress, key=lambda p: p.date, reverse=True)
            ],
            "extensions": list(task.extensions),
            "events": story.event_rows(got) if got is not None else None,
        }
        if fast:
            main = taskpage.task_main(w=w, root="../" * v.href.count("/"), **context)
            wr.framed(v.href, "tasks", taskpage.title(v), main)
        else:
            wr.page(v.href, "task.html", "tasks", **context)
    write_task_groups(wr, ov.tasks[site_data.TASK_PAGES :], unit_href, lang)


def write_task_groups(wr: Writer, views: Sequence[TaskView], unit_href: Mapping[str, str], lang: Lang) -> None:
    """tg/: the tasks after the TASK_PAGES most urgent, GROUP_SIZE to a page, each at its
    anchor (site/data.task_href): 100,000 tasks are 160 files rather than 100,000."""
    pages, size = site_data.TASK_PAGES, site_data.GROUP_SIZE
    for k in range(0, len(views), size):
        part = views[k : k + size]
        rel = part[0].href.partition("#")[0]
        title, main = taskpage.group_main(part, pages + k + 1, wr.w, wr.raw, "../", lang, unit_href, pages, size)
        wr.framed(rel, "tasks", title, main)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def finish(wr: Writer) -> None:
    wr.text(MARKER, "sanzhua site\n")


Step = Callable[[Writer], None]


def build(
    out: Path,
    site: SiteInfo,
    steps: list[Step],
) -> Built:
    """Run `steps` into a fresh folder and put it in place of `out`."""
    tmp = prepare(out)
    try:
        wr = Writer(tmp, environment(), site)
        for step in steps:
            step(wr)
        finish(wr)
        publish(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Built(out, wr.pages)


def markup(svg: str) -> Markup:
    """An SVG our own code drew (every text in it escaped by `svg.esc`)."""
    return Markup(svg)


__all__ = ["Built", "SiteInfo", "TaskView", "build", "write_core"]


MEASURED_ROWS = 100  # tasks on the trends page's planned-versus-actual table


def write_trends(wr: Writer, ov: Overview, points: list[Any]) -> None:
    """trends.html: three charts and the table of weeks, and planned against actual."""
    w = wr.raw
    labels = [f"{p.day.month}/{p.day.day}" for p in points]
    git = sum(p.source == "git" for p in points)
    note = w["trend_source_git"].format(git=git, rules=len(points) - git) if git else w["trend_source_rules"]
    chart_rate = line_chart(
        w["trend_completion"],
        labels,
        [Series(w["completion_rate"], [p.completion_rate for p in points], "#1f4e8c")],
        y_max=100,
        y_suffix="%",
    )
    chart_counts = line_chart(
        w["trend_counts"],
        labels,
        [
            Series(w["overdue"], [p.overdue for p in points], "#c62828"),
            Series(w["behind"], [p.behind for p in points], "#b26b00", "6 4"),
            Series(w["milestone_overdue"], [p.milestone_overdue for p in points], "#6a1b9a", "2 3"),
        ],
    )
    chart_progress = ""
    if any(p.actual_mean is not None for p in points):
        chart_progress = line_chart(
            w["planned_actual"],
            labels,
            [
                Series(w["expected"], [p.expected_mean for p in points], "#555", "6 4"),
                Series(w["actual"], [p.actual_mean for p in points], "#1d7a3a"),
            ],
            y_max=100,
            y_suffix="%",
        )
    measured = sorted(
        (v for v in ov.tasks if v.percent is not None and v.state.is_open),
        key=lambda v: ((v.percent or 0) - (v.expected or 0), v.id),
    )
    wr.page(
        "trends.html",
        "trends.html",
        "trends",
        source_note=note,
        chart_rate=markup(chart_rate),
        chart_counts=markup(chart_counts),
        chart_progress=markup(chart_progress) if chart_progress else "",
        points=list(reversed(points)),
        measured=measured[:MEASURED_ROWS],
        measured_more=max(0, len(measured) - MEASURED_ROWS),
    )


def _archive_cut(ledger: Ledger, as_of: date, lang: Lang) -> str:
    """What the archive leaves out: the issues before the weeks it holds (archive_weeks)."""
    from sanzhua.site import archive  # lazy: as in start_archive

    kept, left_out = archive.archive_weeks(ledger, as_of)
    if not left_out:
        return ""
    if not kept:
        return " " + say("site.archive.none", lang, tasks=len(ledger.tasks), n=left_out)
    return " " + say("site.archive.cut", lang, weeks=len(kept), n=left_out)


@dataclass
class Archive:
    """The archive of bulletins being written (start_archive), its index still to write
    (finish_archive): forked children may be writing its weeks meanwhile."""

    ledger: Ledger
    as_of: date
    lang: Lang
    docx: bool
    write: Callable[[Sequence[Period] | None], tuple[list[Any], int]]
    started: Any = None  # forked.Started, when the weeks are written by children


def start_archive(
    wr: Writer,
    ledger: Ledger,
    as_of: date,
    lang: Lang,
    rules: Any,
    *,
    docx: bool,
    notice: str = "",
    evaluation: Evaluation | None = None,
) -> Archive:
    """Begin briefs/: every week's bulletin as HTML, with its Markdown and (with `docx`)
    Word file. A big archive is written by forked children (site/forked.py), in runs of
    consecutive weeks, while this process writes the other pages; finish_archive waits.
    `evaluation`: the ledger evaluated at `as_of`, if already made (the last week's)."""
    # lazy: the bulletins' Word rendering (python-docx, ~0.3 s), for the archive only
    from sanzhua.site import archive, forked

    stamp = made_from(ledger.root, lang)

    def write(only: Sequence[Period] | None) -> tuple[list[Any], int]:
        made = archive.bulletins(
            ledger, rules, as_of, lang, notice=notice, made_from=stamp, known=evaluation, only=only
        )
        pages = wr.pages

        def page(rel: str, issue: archive.Issue, body: Markup) -> None:
            wr.page(rel, "brief.html", "briefs", b=issue, body=body)

        issues = archive.write_issues(ledger, made, wr.text, wr.data, page, docx=docx)
        count, wr.pages = wr.pages - pages, pages  # counted by finish_archive, made here or not
        return issues, count

    job = Archive(ledger, as_of, lang, docx, write)
    parts = archive.parts(ledger, as_of, forked.usable_cpus()) if forked.can_fork() else []
    if parts:
        job.started = forked.start(parts, write, lambda got: archive.issue_data(*got), archive.issues_from)
    return job


def finish_archive(wr: Writer, job: Archive) -> int:
    """Wait for the archive's weeks and write its index; the number of issues."""
    done = [job.write(None)] if job.started is None else job.started.collect()
    issues = [issue for part, _pages in done for issue in part]
    wr.pages += sum(pages for _part, pages in done)
    issues.reverse()  # newest first
    note = say("site.briefs.note", job.lang) + _archive_cut(job.ledger, job.as_of, job.lang)
    wr.page("briefs/index.html", "briefs.html", "briefs", items=issues, docx=job.docx, note=note)
    return len(issues)


def stop_archive(job: Archive | None) -> None:
    """End the children of an archive not finished (the build failed)."""
    if job is not None and job.started is not None:
        job.started.stop()
