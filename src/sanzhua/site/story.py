"""One task's story for its page: why it is in its state, its facts, milestones on a
timeline, progress, extensions and what git says each commit changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from sanzhua.history.timeline import Event, change_lines
from sanzhua.i18n import STATUS_LABELS, label, say, shown
from sanzhua.model import Settings, Task, Unit
from sanzhua.render.svg import Mark, timeline
from sanzhua.site.data import TaskView
from sanzhua.site.text import Lang


def _n(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def why(v: TaskView, settings: Settings, lang: Lang) -> list[str]:
    """The rule behind each of the task's states, with its numbers, in a sentence each."""
    st = v.state
    out: list[str] = []
    for s in st.states:
        if s == "milestone_overdue":
            out.extend(say("site.why.milestone-overdue", lang, name=m.name, due=m.due) for m in st.overdue_milestones)
        elif s in _WHY:
            out.append(_WHY[s](v, settings, lang))
    return out


def _why_done(v: TaskView, settings: Settings, lang: Lang) -> str:
    st = v.state
    if st.done is None:
        return say("site.why.done-undated", lang)
    return say("site.why.done", lang, done=st.done, deadline=st.deadline or "—")


def _why_behind(v: TaskView, settings: Settings, lang: Lang) -> str:
    st = v.state
    gap = (st.expected_percent or 0) - (st.percent or 0)
    return say(
        "site.why.behind",
        lang,
        percent=_n(st.percent),
        expected=_n(st.expected_percent),
        gap=_n(gap),
        margin=_n(settings.behind_margin),
    )


def _why_no_report(v: TaskView, settings: Settings, lang: Lang) -> str:
    st = v.state
    days = 7 if settings.report_every == "week" else 31
    if st.last_report is None:
        return say("site.why.never-reported.week" if days == 7 else "site.why.never-reported.month", lang)
    return say("site.why.no-report", lang, last=st.last_report, days=days)


_WHY: dict[str, Callable[[TaskView, Settings, Lang], str]] = {
    "done": _why_done,
    "done_late": lambda v, _s, lang: say(
        "site.why.done-late", lang, done=v.state.done, days=v.state.days_late, deadline=v.state.deadline
    ),
    "overdue": lambda v, _s, lang: say(
        "site.why.overdue", lang, deadline=v.state.deadline, days=v.state.days_overdue
    ),
    "due_soon": lambda v, s, lang: say(
        "site.why.due-soon", lang, deadline=v.state.deadline, left=v.state.workdays_left, within=s.due_soon_days
    ),
    "behind": _why_behind,
    "no_report": _why_no_report,
    "on_track": lambda _v, _s, lang: say("site.why.on-track", lang),
    "planned": lambda v, _s, lang: say("site.why.planned", lang, start=v.state.task.start),
    "suspended": lambda _v, _s, lang: say("site.why.suspended", lang),
    "cancelled": lambda _v, _s, lang: say("site.why.cancelled", lang),
}


def facts(
    v: TaskView,
    task: Task,
    units: Mapping[str, Unit],
    lang: Lang,
    unit_href: Mapping[str, str],
    task_href: Mapping[str, str],
    children: list[str],
    w: Mapping[str, str],
) -> list[tuple[str, object]]:
    """(label, value) pairs for the facts list; a value that is a dict is links (name → href)."""

    def unit_links(ids: tuple[str, ...]) -> dict[str, str] | str:
        links = {(units[u].name if u in units else u): unit_href[u] for u in ids if u in unit_href}
        return links if len(links) == len(ids) else "、".join(units[u].name if u in units else u for u in ids)

    due = str(v.deadline or "—")
    if task.due_text and task.due_text != due:
        due += say("site.fact.due-as-written", lang, text=task.due_text)
    if task.due_inherited:
        due += w["inherited"]
    out: list[tuple[str, object]] = [(w["unit"], unit_links((task.lead,)))]
    if task.partners:
        out.append((w["partners"], unit_links(task.partners)))
    for key, val in (
        ("owner", task.owner),
        ("leader", task.leader),
        ("category", task.category),
        ("source", task.source),
    ):
        if val:
            out.append((w[key], val))
    out.append((w["start"], str(task.start)))
    out.append((w["due"], due))
    if task.done:
        out.append((w["done_date"], str(task.done)))
    # The status as written, unless a done date says more (`done` implies status done).
    out.append((w["status"], label(STATUS_LABELS, "done" if task.done else task.status, lang)))
    if task.supervision:
        out.append((w["supervision"], task.supervision))
    if task.tags:
        out.append((w["tags"], "、".join(task.tags)))
    if task.parent:
        href = task_href.get(task.parent)
        out.append((w["parent"], {task.parent: href} if href else task.parent))
    if children:
        out.append((w["children"], {c: task_href[c] for c in children if c in task_href}))
    out.append((say("site.fact.file", lang), f"{task.file}:{task.line}"))
    return out


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    name: str
    due: date
    done: date | None
    kind: str  # done | late | overdue | open
    text: str


def milestones(task: Task, as_of: date, lang: Lang) -> list[MilestoneRow]:
    out: list[MilestoneRow] = []
    for m in task.milestones:
        done = m.done if m.done is not None and m.done <= as_of else None
        if done is not None:
            kind = "late" if done > m.due else "done"
            text = say("site.milestone.done-late", lang) if kind == "late" else say("site.milestone.done", lang)
        elif m.due < as_of:
            kind, text = "overdue", say("site.milestone.overdue", lang, days=(as_of - m.due).days)
        else:
            kind, text = "open", say("site.milestone.open", lang)
        out.append(MilestoneRow(m.name, m.due, done, kind, text))
    return out


def timeline_svg(v: TaskView, task: Task, rows: list[MilestoneRow], as_of: date, w: Mapping[str, str]) -> Markup:
    marks = [Mark(task.start, w["start"], "start")]
    marks.extend(Mark(r.due, r.name, r.kind) for r in rows)
    deadline = v.deadline or task.start
    if v.deadline is not None:
        marks.append(Mark(v.deadline, w["due"], "done" if v.done else ("overdue" if v.days_overdue else "deadline")))
    if v.done is not None and v.done != v.deadline:
        marks.append(Mark(v.done, w["done_date"], "done"))
    return Markup(timeline(f"{v.id} {w['timeline']}", task.start, deadline, as_of, marks, w["today"]))


@dataclass(frozen=True, slots=True)
class PageEvent:
    """One event of a task's history as its page shows it (`page_event`): what the site
    holds for the tasks with a page from the walk to the pages, rather than the `Event`
    with a `Change` and a dictionary for each field and entry (issue 17)."""

    date: str
    author: str
    email: str
    kind: str
    merge: bool
    commit: str
    subject: str
    # what it changed, a line each (`change_lines`): joined by line feeds into one string, one
    # object rather than a dozen for a task created with its fields and entries; a tuple when
    # there is none, or a line holds a line feed itself (a note of several lines)
    lines: str | tuple[str, ...]

    def line_list(self) -> list[str]:
        return list(self.lines) if isinstance(self.lines, tuple) else self.lines.split("\n")


_KINDS = {
    "created": ("新建", "created"),
    "changed": ("修改", "changed"),
    "moved": ("移动", "moved"),
    "deleted": ("删除", "deleted"),
}


def page_event(e: Event, lang: Lang) -> PageEvent:
    """The event as a row of its task's page."""
    i = 0 if lang == "zh" else 1
    lines = tuple(shown(line, lang) for line in change_lines(e, lang))  # a 9 MB title set once (issue 14)
    return PageEvent(
        e.date,
        e.author,
        e.email,
        _KINDS.get(e.kind, (e.kind, e.kind))[i],
        e.merge,
        e.commit[:10],
        shown(e.subject, lang),
        "\n".join(lines) if lines and all(line and "\n" not in line for line in lines) else lines,
    )


def event_rows(events: Sequence[PageEvent]) -> list[dict[str, object]]:
    """A task's git history, newest first, for its page."""
    return [
        {
            "date": e.date,
            "author": e.author,
            "email": e.email,
            "kind": e.kind,
            "merge": e.merge,
            "commit": e.commit,
            "subject": e.subject,
            "lines": e.line_list(),
        }
        for e in reversed(events)
    ]
