"""What the site shows, as data: the ledger's evaluation grouped for the overview, and
each task with its story. Templates only lay this out (STYLE.md: data first)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote

from sanzhua.evaluate import Evaluation, TaskState
from sanzhua.i18n import say, shown
from sanzhua.load import Ledger
from sanzhua.model import Task, builder
from sanzhua.report.brief import LIGHT_LABELS, STATE_LABELS, Totals, totals
from sanzhua.site.text import Lang
from sanzhua.textsafe import SHOWN_CHARS

LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "done": 3, "none": 4}

# A page of its own for at most this many tasks, the most urgent (issue 14: 100,000 tasks
# were 100,000 files, most of a 55-second build). The others are listed, each at an anchor
# of its own (`tg/<n>.html#<name>`), GROUP_SIZE to a page: see docs/site.md.
TASK_PAGES = 20_000
GROUP_SIZE = 500
UNIT_ROWS = 20_000  # a unit's page lists at most this many of its tasks, the most urgent


def task_href(i: int, name: str) -> str:
    """The link to the task at place `i` of the task list (most urgent first), whose page
    name is `name`: its own page, or its anchor in a page of the tasks after TASK_PAGES."""
    if i < TASK_PAGES:
        return f"t/{name}.html"
    return f"tg/{(i - TASK_PAGES) // GROUP_SIZE + 1}.html#{name}"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a lights table: a unit, a leader, a category or a kind of unit."""

    key: str
    label: str
    href: str | None
    extra: str  # the unit's kind, shown beside its name
    tasks: int  # every task, as `status --by unit` counts them
    red: int
    yellow: int
    green: int
    done: int
    none: int
    overdue: int
    behind: int
    no_report: int
    counted: int  # tasks less cancelled ones: what the completion rate divides by
    completed: int  # done and done late
    completion_rate: float | None


@dataclass(frozen=True, slots=True)
class TaskView:
    """One task as every page shows it."""

    id: str
    title: str
    href: str  # relative to the site root
    lead: str
    unit: str
    kind: str
    partners: tuple[str, ...]
    leader: str
    owner: str
    category: str
    deadline: date | None
    done: date | None
    light: str
    light_text: str
    states: tuple[str, ...]
    state_text: str
    percent: float | None
    expected: float | None
    days_overdue: int | None
    workdays_left: int | None
    rank: tuple[object, ...]  # urgency: most urgent first
    state: TaskState = field(repr=False, compare=False)


_task_view = builder(TaskView)  # TaskView(*fields) without its __init__: 100,000 of them (issue 14)


@dataclass(frozen=True, slots=True)
class UnitView:
    id: str
    name: str
    kind: str
    head: str
    deputy: str
    href: str
    row: Row
    lead: tuple[TaskView, ...]  # at most UNIT_ROWS, the most urgent
    partner: tuple[TaskView, ...]
    lead_more: int = 0  # the tasks it leads beyond UNIT_ROWS, not listed on its page
    partner_more: int = 0
    tasks_href: str = ""  # the task list filtered to the unit


@dataclass(frozen=True, slots=True)
class Overview:
    as_of: date
    totals: Totals
    by_unit: tuple[Row, ...]
    by_leader: tuple[Row, ...]
    by_category: tuple[Row, ...]
    by_kind: tuple[Row, ...]
    tasks: tuple[TaskView, ...]  # most urgent first
    units: tuple[UnitView, ...]


_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,80}$")


class Names:
    """File names for pages: the id itself when it is a safe, unique (case-folded) name,
    else a short hash of it, so that no id can climb out of the folder or overwrite another
    page on a case-insensitive disk."""

    def __init__(self) -> None:
        self._taken: set[tuple[str, str]] = set()
        self._of: dict[tuple[str, str], str] = {}

    def __call__(self, kind: str, key: str) -> str:
        """The file name (without extension) for `key` among the pages of `kind`."""
        got = self._of.get((kind, key))
        if got is not None:
            return got
        name = key if _SAFE.match(key) else "x" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        base, n = name, 1
        while (kind, name.lower()) in self._taken:
            n += 1
            name = f"{base}~{n}"
        self._taken.add((kind, name.lower()))
        self._of[(kind, key)] = name
        return name


def urgency(st: TaskState) -> tuple[object, ...]:
    """Most urgent first: red by days late, then yellow by time left, then the rest (as `status`)."""
    return (
        LIGHT_RANK.get(st.light, 9),
        -(st.days_overdue or 0),
        -len(st.overdue_milestones),
        st.workdays_left if st.workdays_left is not None else 10**6,
        st.deadline or date.max,
        st.task.id,
    )


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def rows_by(
    views: Iterable[TaskView],
    key: Callable[[TaskView], str],
    label: Callable[[str], str],
    href: Callable[[str], str | None] = lambda _k: None,
    extra: Callable[[str], str] = lambda _k: "",
    order: Callable[[str], object] = lambda k: k,
) -> tuple[Row, ...]:
    """Lights per group, worst first: most red, then yellow, then overdue (as `status --by`)."""
    acc: dict[str, list[TaskView]] = {}
    for v in views:
        acc.setdefault(key(v), []).append(v)
    rows: list[Row] = []
    for k, vs in acc.items():
        lights = {name: 0 for name in LIGHT_RANK}
        overdue = behind = no_report = counted = completed = 0
        for v in vs:
            lights[v.light] = lights.get(v.light, 0) + 1
            s = v.states
            overdue += "overdue" in s
            behind += "behind" in s
            no_report += "no_report" in s
            if "cancelled" not in s:
                counted += 1
                completed += "done" in s or "done_late" in s
        rows.append(
            Row(
                k,
                label(k),
                href(k),
                extra(k),
                len(vs),
                lights["red"],
                lights["yellow"],
                lights["green"],
                lights["done"],
                lights["none"],
                overdue,
                behind,
                no_report,
                counted,
                completed,
                _rate(completed, counted),
            )
        )
    rows.sort(key=lambda r: (-r.red, -r.yellow, -r.overdue, -r.behind, -r.no_report, order(r.key)))
    return tuple(rows)


def overview(ledger: Ledger, evaluation: Evaluation, lang: Lang, names: Names) -> Overview:
    """The evaluation grouped by unit, leader, category and kind of unit, and every task."""
    units = _Units(ledger, lang, names)
    views = task_views(evaluation, units, lang, names)
    by_unit = rows_by(views, lambda v: v.lead, units.name, units.href, units.kind, units.order)
    no_leader = say("site.no-leader", lang)
    by_leader = rows_by(views, lambda v: v.leader or no_leader, lambda k: k)
    categories = _category_order(ledger.tasks, lang)
    by_category = rows_by(views, lambda v: v.category, lambda k: k, order=lambda k: (categories.get(k, 10**6), k))
    kinds = units.kinds()
    by_kind = rows_by(views, lambda v: v.kind, lambda k: k, order=lambda k: (kinds.index(k) if k in kinds else 99, k))
    return Overview(
        as_of=evaluation.as_of,
        totals=totals(evaluation, evaluation.as_of),
        by_unit=by_unit,
        by_leader=by_leader,
        by_category=by_category,
        by_kind=by_kind,
        tasks=tuple(views),
        units=unit_views(units, views, by_unit),
    )


class _Units:
    """The ledger's units as the overview names, orders and links them; a unit a task
    names that units.yaml lacks keeps its id as its name."""

    def __init__(self, ledger: Ledger, lang: Lang, names: Names) -> None:
        self.units = ledger.units
        self.other_kind = say("site.other-kind", lang)
        self.names = names
        self._order = {uid: i for i, uid in enumerate(self.units)}

    def name(self, uid: str) -> str:
        u = self.units.get(uid)
        return u.name if u else uid

    def kind(self, uid: str) -> str:
        u = self.units.get(uid)
        return (u.kind if u else None) or self.other_kind

    def href(self, uid: str) -> str:
        return f"u/{self.names('u', uid)}.html"

    def order(self, uid: str) -> object:
        """units.yaml's order, then the unknown ones by id."""
        return (self._order.get(uid, len(self._order)), uid)

    def kinds(self) -> list[str]:
        """The kinds of unit in units.yaml's order."""
        out: list[str] = []
        for u in self.units.values():
            k = u.kind or self.other_kind
            if k not in out:
                out.append(k)
        return out


def _category(t: Task, lang: Lang) -> str:
    return (t.category or "").replace("／", "/").strip() or say("site.uncategorised", lang)


def _category_order(tasks: Sequence[Task], lang: Lang) -> dict[str, int]:
    """Categories in the ledger's order, as the bulletin lists them."""
    order: dict[str, int] = {}
    for t in tasks:
        order.setdefault(_category(t, lang), len(order))
    return order


def task_views(evaluation: Evaluation, units: _Units, lang: Lang, names: Names) -> list[TaskView]:
    """Every task as the pages show it, most urgent first."""
    light_labels = LIGHT_LABELS[lang]
    state_labels = STATE_LABELS[lang]
    sep = say("list.sep", lang)
    views: list[TaskView] = []
    for i, (rank, st) in enumerate(_ranked(evaluation)):
        t = st.task
        views.append(
            _task_view(  # TaskView's fields, in order
                t.id,
                t.title if len(t.title) <= SHOWN_CHARS else shown(t.title, lang),  # the task's page: whole
                task_href(i, names("t", t.id)),
                t.lead,
                units.name(t.lead),
                units.kind(t.lead),
                t.partners,
                t.leader or "",
                t.owner or "",
                _category(t, lang),
                st.deadline,
                st.done,
                st.light,
                light_labels.get(st.light, st.light) if st.light != "none" else _none_text(st, lang),
                st.states,
                sep.join(state_labels.get(s, s) for s in st.states),
                None if st.percent is None else round(st.percent, 1),
                None if st.expected_percent is None else round(st.expected_percent, 1),
                st.days_overdue,
                st.workdays_left,
                rank,
                st,
            )
        )
    return views


def _ranked(evaluation: Evaluation) -> list[tuple[tuple[object, ...], TaskState]]:
    """The tasks, most urgent first, each with its urgency: the order of every task list."""
    return sorted(((urgency(st), st) for st in evaluation.tasks.values()), key=_first)


def paged_tasks(evaluation: Evaluation) -> set[str] | None:
    """The ids of the tasks with a page of their own (the first TASK_PAGES of `task_views`),
    known before the pages are made; None when every task has one."""
    if len(evaluation.tasks) <= TASK_PAGES:
        return None
    return {st.task.id for _, st in _ranked(evaluation)[:TASK_PAGES]}


def _first(pair: tuple[tuple[object, ...], TaskState]) -> tuple[object, ...]:
    return pair[0]


def unit_views(units: _Units, views: Sequence[TaskView], by_unit: tuple[Row, ...]) -> tuple[UnitView, ...]:
    """A page's worth for every unit of units.yaml, then every unknown unit a task leads:
    its row of lights, the tasks it leads and those it is a partner in."""
    rows = {r.key: r for r in by_unit}
    lead: dict[str, list[TaskView]] = {}
    partner: dict[str, list[TaskView]] = {}
    for v in views:
        lead.setdefault(v.lead, []).append(v)
        for p in v.partners:
            if p != v.lead:
                partner.setdefault(p, []).append(v)
    out: list[UnitView] = []
    for uid in [*units.units, *(k for k in rows if k not in units.units)]:
        unit = units.units.get(uid)
        leads, partners = lead.get(uid, ()), partner.get(uid, ())
        out.append(
            UnitView(
                id=uid,
                name=units.name(uid),
                kind=units.kind(uid),
                head=(unit.head or "") if unit else "",
                deputy=(unit.deputy or "") if unit else "",
                href=units.href(uid),
                row=rows.get(uid) or _empty_row(uid, units.name(uid), units.href(uid), units.kind(uid)),
                lead=tuple(leads[:UNIT_ROWS]),
                partner=tuple(partners[:UNIT_ROWS]),
                lead_more=max(len(leads) - UNIT_ROWS, 0),
                partner_more=max(len(partners) - UNIT_ROWS, 0),
                tasks_href="tasks.html#unit=" + quote(uid, safe=""),
            )
        )
    return tuple(out)


def _empty_row(key: str, label: str, href: str, extra: str) -> Row:
    return Row(key, label, href, extra, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None)


def _none_text(st: TaskState, lang: Lang) -> str:
    """A task without a light says why: 未启动, 暂缓 or 已取消."""
    labels = STATE_LABELS[lang]
    return labels.get(st.states[0], "—") if st.states else "—"


def children_of(tasks: Sequence[Task]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for t in tasks:
        if t.parent:
            out.setdefault(t.parent, []).append(t.id)
    return out
