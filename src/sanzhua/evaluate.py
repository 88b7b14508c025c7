"""The derived states of FORMAT.md, as of a date: a pure function of the ledger.

Nothing here reads the clock or the disk. `evaluate(ledger, as_of)` applies every
rule of the "Derived states" table exactly; what is dated after `as_of` (progress,
done dates, milestone done dates) has not happened yet and is ignored.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal, Protocol

from sanzhua.kinds import ack_due, kind_of, lookup
from sanzhua.load import Ledger
from sanzhua.model import KindRule, Milestone, Progress, Settings, Task, builder
from sanzhua.workdays import WorkCalendar

Light = Literal["red", "yellow", "green", "done", "none"]

# The order states are listed in, everywhere (FORMAT.md's table).
STATE_ORDER: tuple[str, ...] = (
    "done",
    "done_late",
    "pending_verification",
    "overdue",
    "milestone_overdue",
    "due_soon",
    "behind",
    "unacknowledged",
    "no_report",
    "on_track",
    "planned",
    "suspended",
    "cancelled",
    "invalid",
)
LIGHTS: tuple[str, ...] = ("red", "yellow", "green", "done", "none")
_PERIOD_DAYS = {"week": 7, "month": 31}


@dataclass(frozen=True, slots=True)
class TaskState:
    """One task as of a date."""

    task: Task
    states: tuple[str, ...]
    light: Light
    deadline: date | None
    done: date | None  # the done date if done by as_of (None also for "status done" without a date)
    is_done: bool
    is_open: bool
    days_overdue: int | None  # as_of − deadline, when overdue
    days_late: int | None  # done − deadline, when done late
    percent: float | None  # actual progress, when the task has a measure
    expected_percent: float | None
    has_measure: bool
    workdays_left: int | None  # working days after as_of up to the deadline, when open and not overdue
    overdue_milestones: tuple[Milestone, ...]
    last_report: date | None
    value: float | None  # latest value (rolled up for a parent)

    @property
    def id(self) -> str:
        return self.task.id


_task_state = builder(TaskState)  # TaskState(*fields) without its __init__ (issue 17)


@dataclass(frozen=True)
class Evaluation:
    as_of: date
    tasks: dict[str, TaskState]

    def __iter__(self) -> Iterator[TaskState]:
        return iter(self.tasks.values())


def evaluate_tasks(
    tasks: list[Task],
    children: dict[str, list[Task]],
    settings: Settings,
    calendar: WorkCalendar,
    as_of: date,
    *,
    tracking_since: date | None = None,
) -> Evaluation:
    """Per-task states for `tasks` (each id once; the first of a duplicated id wins).

    No report is owed before `tracking_since` (when the ledger began to be kept)."""
    by_id: dict[str, Task] = {}
    for t in tasks:
        by_id.setdefault(t.id, t)
    ev = _Evaluator(by_id, children, settings, calendar, as_of, tracking_since)
    return Evaluation(as_of, {tid: ev.state(t) for tid, t in by_id.items()})


class _Evaluator:
    """The rules of FORMAT.md's "Derived states" for one ledger at one date, task by task.

    `state(t)` is the task's TaskState; the steps are its methods: what counts as done,
    the progress reported by as_of (a parent's with its family's), the measure of
    progress, and the states of an open task."""

    def __init__(
        self,
        by_id: dict[str, Task],
        children: dict[str, list[Task]],
        settings: Settings,
        calendar: WorkCalendar,
        as_of: date,
        tracking_since: date | None,
    ) -> None:
        self.by_id = by_id
        self.children = children
        self.families = families(by_id, children)
        self.as_of = as_of
        self.tracking_since = tracking_since
        self.calendar = calendar
        self.verify_done = settings.verify_done
        self.margin = settings.behind_margin
        self.soon = settings.due_soon_days
        self.period = _PERIOD_DAYS.get(settings.report_every)
        self.kinds = _Kinds(settings, calendar)
        self.entries_of: dict[str, list[Progress]] = {}
        self.rollup: dict[str, float | None] = {}
        self.workdays: dict[date, int] = {}
        # A report dated after as_of − period days is recent enough (by the period's days).
        self.cutoffs = {days: as_of - timedelta(days=days) for days in _PERIOD_DAYS.values()}

    def state(self, t: Task) -> TaskState:
        if t.invalid:
            return invalid_state(t)
        as_of = self.as_of
        done_date, is_done = done_as_of(t, as_of)
        pending = False
        if self.verify_done and is_done:
            done_date, is_done, pending = verification_as_of(t, as_of)
        closed = is_done or pending
        suspended = not closed and t.status == "suspended"
        cancelled = not closed and t.status == "cancelled"
        started = t.start <= as_of
        reports = self.entries(t)
        last_report, latest_value, latest_percent = _latest_reports(reports)
        # The latest value: a parent's rolled up from its children (latest_value), else its own.
        if t.id in self.children:
            value = self.latest_value(t)
        else:
            value = None if latest_value is None else float(latest_value.value)  # type: ignore[arg-type]
        has_measure, actual = _measure(t, latest_percent, value)
        deadline = t.due
        expected = _expected(t.start, deadline, as_of)
        days_overdue = days_late = workdays_left = None
        overdue_ms: tuple[Milestone, ...] = ()
        if is_done:
            if done_date is not None and deadline is not None and done_date > deadline:
                states = ["done_late"]
                days_late = (done_date - deadline).days
            else:
                states = ["done"]
        elif pending:
            states = ["pending_verification"]
        elif suspended:
            states = ["suspended"]
        elif cancelled:
            states = ["cancelled"]
        elif not started:
            states = ["planned"]
        else:
            states = []
            if deadline is not None and deadline < as_of:
                states.append("overdue")
                days_overdue = (as_of - deadline).days
            overdue_ms = tuple(m for m in t.milestones if m.due < as_of and (m.done is None or m.done > as_of))
            if overdue_ms:
                states.append("milestone_overdue")
            if days_overdue is None and deadline is not None:
                workdays_left = self.workdays_left(deadline)
                if workdays_left <= self.soon:
                    states.append("due_soon")
            if self.behind(has_measure, actual, expected):
                states.append("behind")
            states.extend(self.report_states(t, last_report))
            if not states:
                states.append("on_track")
        return _task_state(  # TaskState's fields, in order
            t,
            tuple(states),
            _light(states),
            deadline,
            done_date,
            is_done,
            not closed and not suspended and not cancelled and started,  # is_open
            days_overdue,
            days_late,
            None if not has_measure else (actual if actual is not None else 0.0),  # percent
            expected,
            has_measure,
            workdays_left,
            overdue_ms,
            last_report,
            value,
        )

    def behind(self, has_measure: bool, actual: float | None, expected: float | None) -> bool:
        """The state "behind": the actual percent under the expected by more than the margin."""
        return has_measure and expected is not None and (actual or 0.0) < expected - self.margin

    def workdays_left(self, deadline: date) -> int:
        """Working days after as_of up to the deadline (the same deadlines recur: once each)."""
        got = self.workdays.get(deadline)
        if got is None:
            got = self.workdays[deadline] = self.calendar.count_workdays(self.as_of, deadline)
        return got

    def report_states(self, t: Task, last_report: date | None) -> list[str]:
        """The states "unacknowledged" (the kind's days to acknowledge are over) and "no_report" (no
        report within the period, once a period has passed since the task started, or
        since tracking began) of an open task."""
        out: list[str] = []
        period = self.period
        if t.kind is not None or t.assigned is not None:
            rule = self.kinds.rule(t)
            if rule is not None:
                if rule.report_every is not None:
                    period = _PERIOD_DAYS.get(rule.report_every)
                if self.kinds.unacknowledged(t, rule, self.as_of):
                    out.append("unacknowledged")
        if period is None:
            return out
        since = self.tracking_since or t.start
        if (self.as_of - (t.start if t.start > since else since)).days >= period and (
            last_report is None or last_report <= self.cutoffs[period]
        ):
            out.append("no_report")
        return out

    def entries(self, t: Task) -> list[Progress]:
        """Progress dated on or before as_of; a parent's include its descendants'."""
        got = self.entries_of.get(t.id)
        if got is None:
            as_of = self.as_of
            family = self.families.get(t.id)
            if family is None:
                got = [p for p in t.progress if p.date <= as_of]
            else:
                got = [p for member in family for p in member.progress if p.date <= as_of]
            self.entries_of[t.id] = got
        return got

    def latest_value(self, t: Task, seen: frozenset[str] = frozenset()) -> float | None:
        """The latest `value`; for a parent, the sum of its children's whose target unit matches."""
        if t.id in self.rollup:
            return self.rollup[t.id]
        kids = self.children.get(t.id)
        matching: list[Task] = []
        if kids and t.target is not None:
            unit = t.target.unit
            by_id = self.by_id
            matching = [
                c
                for c in kids
                if c.target is not None and c.target.unit == unit and c.id not in seen and by_id.get(c.id) is c
            ]
        result: float | None
        if matching:
            result = finite(sum(self.latest_value(c, seen | {t.id}) or 0.0 for c in matching))
        else:
            result = _latest(self.entries(t), "value")
        self.rollup[t.id] = result
        return result


def _latest_reports(reports: list[Progress]) -> tuple[date | None, Progress | None, Progress | None]:
    """In one pass over a task's reports (issue 17): the latest date, and of the entries with
    a value and with a percent, the latest (of equal dates, the one written last: `>=`)."""
    last: date | None = None
    value: Progress | None = None
    percent: Progress | None = None
    for p in reports:
        d = p.date
        if last is None or d > last:
            last = d
        if p.value is not None and (value is None or d >= value.date):
            value = p
        if p.percent is not None and (percent is None or d >= percent.date):
            percent = p
    return last, value, percent


def _measure(t: Task, percent_entry: Progress | None, value: float | None) -> tuple[bool, float | None]:
    """(whether the task has a measure of progress, its actual percent): the latest
    reported percent (`percent_entry`, the latest entry that has one), else the target's
    share reached (a target to reach at least)."""
    if percent_entry is not None:
        return True, percent_entry.percent
    target = t.target
    if target is not None and target.direction == "at_least":
        return True, reached_percent(value, target.value)
    return False, None


_LARGEST = sys.float_info.max


def finite(x: float) -> float:
    """`x` as a number every output can write: past the largest float, the largest float
    (JSON has no Infinity, issue 14); NaN, which only infinities give, 0."""
    if -_LARGEST <= x <= _LARGEST:
        return x
    return 0.0 if x != x else math.copysign(_LARGEST, x)


def reached_percent(value: float | None, target: float) -> float:
    """The share of `target` that `value` reaches, in percent (0 for a zero target), and
    finite: a value of 1e308 of a target of 1e308 is 100, not 100 × 1e308 / 1e308 = inf."""
    if not target:
        return 0.0
    p = 100.0 * (value or 0.0) / target
    if -_LARGEST <= p <= _LARGEST:
        return p  # the common case, computed as it always was
    return finite((value or 0.0) / target * 100.0)


def _expected(start: date, deadline: date | None, as_of: date) -> float | None:
    """The percent of the time from start to the deadline that has passed by as_of."""
    if deadline is None:
        return None
    span = (deadline - start).days
    if span <= 0:
        return 100.0 if as_of >= deadline else 0.0
    return min(100.0, max(0.0, 100.0 * (as_of - start).days / span))


def _light(states: list[str]) -> Light:
    """light_of for the states evaluate makes (a short list)."""
    for s in states:
        if s == "overdue" or s == "milestone_overdue":
            return "red"
    for s in states:
        if s in _YELLOW:
            return "yellow"
    return light_of(states)


_YELLOW = frozenset({"due_soon", "behind", "no_report", "unacknowledged"})


def invalid_state(t: Task) -> TaskState:
    """A task whose own dates or status cannot be read: state `invalid` (台账有误), light
    none, and nothing else. Guessing would show it green, or overdue, on no evidence."""
    return TaskState(
        task=t,
        states=("invalid",),
        light="none",
        deadline=t.due,
        done=None,
        is_done=False,
        is_open=False,
        days_overdue=None,
        days_late=None,
        percent=None,
        expected_percent=None,
        has_measure=False,
        workdays_left=None,
        overdue_milestones=(),
        last_report=max((p.date for p in t.progress), default=t.latest_entry),
        value=None,
    )


class _Kinds:
    """The kinds' rules for evaluate: a task's rule, and whether it is 未签收 as of a date."""

    def __init__(self, settings: Settings, calendar: WorkCalendar) -> None:
        self.table = lookup(settings)
        self.calendar = calendar

    def rule(self, t: Task) -> KindRule | None:
        return kind_of(t, self.table)

    def unacknowledged(self, t: Task, rule: KindRule, as_of: date) -> bool:
        """Assigned, not acknowledged by as_of, and the kind's days to acknowledge are over."""
        if rule.ack_days is None or t.assigned is None or t.assigned > as_of:
            return False
        if t.acknowledged is not None and t.acknowledged <= as_of:
            return False
        limit = ack_due(rule, t.assigned, self.calendar)
        return limit is not None and as_of > limit


def verification_as_of(t: Task, as_of: date) -> tuple[date | None, bool, bool]:
    """With `verify_done`: (done date, done, pending verification) of a task whose unit says done.

    A `returned` on or after the done date sends that done back: the task is open again
    until the unit writes a later done date. Otherwise the done counts only once a
    `verified` dated on or after it (and on or before as_of) is recorded; until then it
    is pending (待销号).
    """
    done = t.done if t.done is not None and t.done <= as_of else None
    returned = max((r.date for r in t.returned if r.date <= as_of), default=None)
    if returned is not None and (done is None or done <= returned):
        return None, False, False
    v = t.verified
    if v is not None and v.date <= as_of and (done is None or v.date >= done):
        return done, True, False
    return None, False, True


def evaluate(ledger: Ledger, as_of: date) -> Evaluation:
    """States of every task of a loaded ledger as of `as_of`."""
    return evaluate_tasks(
        ledger.tasks,
        ledger.children,
        ledger.settings,
        ledger.calendar,
        as_of,
        tracking_since=ledger.tracking_start(),
    )


# --- a task's states at an earlier date, from a later evaluation (issue 17) ---
# A bulletin compares this period's totals with the previous period's, and those need only
# each task's states at the previous period's end: not a second evaluation of every task.


class StateView(Protocol):
    """What a task's counts at a date read: its states, whether it is open, its deadline (a
    TaskState has them all)."""

    @property
    def task(self) -> Task: ...
    @property
    def states(self) -> tuple[str, ...]: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def deadline(self) -> date | None: ...


@dataclass(frozen=True, slots=True)
class Counted:
    """A task's states at a date that differ from a later evaluation's (see states_near)."""

    task: Task
    states: tuple[str, ...]
    is_open: bool
    deadline: date | None


_counted = builder(Counted)  # Counted(*fields) without its __init__


@dataclass(frozen=True)
class States:
    """Every task's states at `as_of`, in the evaluation's order: `evaluate(ledger,
    as_of).tasks` but for the fields StateView does not name."""

    as_of: date
    tasks: Mapping[str, StateView]


# The states that come and never go as the date moves on while a task stays as it was
# (nothing of its own dated in between): see states_near.
_GROWING = frozenset({"due_soon", "behind", "no_report"})


def states_near(ledger: Ledger, as_of: date, known: Evaluation) -> States:
    """Each task's states (and whether open, and its deadline) at `as_of`, equal to
    `evaluate(ledger, as_of)`'s, worked out from `known`, the same ledger evaluated at a
    date not before `as_of` (else every task is evaluated).

    A task is evaluated again unless it is *quiet*: of no kind and not assigned (the 督办
    kinds' clocks), and nothing of its own dated where it would count at one date and not
    at the other (`_quiet`: a start, deadline, done date, verification or return, a
    milestone's deadline or done date, a progress entry; for a parent, no progress entry
    of its family either, whose progress and value are the parent's). A quiet task is
    done, pending, suspended, cancelled, planned or open at both dates alike, with the
    same progress, reports and value; being overdue or having a milestone overdue are the
    same (no deadline in between). The other states of an open
    task only come as time passes, never go, while its reports stay the same: the working
    days left only shrink (due_soon), the expected percent only grows (behind), the time
    since the last report only grows (no_report). So a quiet task has at `as_of` the states
    known has, less those of due_soon, behind and no_report that do not yet hold then,
    each tested as `evaluate` tests it; on_track if none is left.
    tests/test_states_near.py holds the result to `evaluate` on real ledgers."""
    if known.as_of < as_of:
        return States(as_of, evaluate(ledger, as_of).tasks)
    by_id: dict[str, Task] = {}
    for t in ledger.tasks:
        by_id.setdefault(t.id, t)
    ev = _Evaluator(by_id, ledger.children, ledger.settings, ledger.calendar, as_of, ledger.tracking_start())
    parents, later, same_day = ledger.children, known.as_of, known.as_of == as_of
    out: dict[str, StateView] = {}
    for tid, t in by_id.items():
        k = known.tasks.get(tid)
        if k is None or k.task is not t:
            out[tid] = ev.state(t)
        elif same_day or t.invalid:
            out[tid] = k
        elif not _quiet(t, as_of, later) or (
            tid in parents and not all(_no_progress(m, as_of, later) for m in ev.families.get(tid, ()))
        ):  # a parent's progress and value are its family's
            out[tid] = ev.state(t)
        elif not k.is_open or _GROWING.isdisjoint(k.states):
            out[tid] = k
        else:
            out[tid] = _counted(t, _earlier_states(ev, k), True, k.deadline)
    return States(as_of, out)


def _earlier_states(ev: _Evaluator, k: TaskState) -> tuple[str, ...]:
    """The states at ev's date of a quiet task open at known's later date (states_near)."""
    t = k.task
    kept: list[str] = []
    for s in k.states:
        if s == "due_soon":
            held = k.deadline is not None and ev.workdays_left(k.deadline) <= ev.soon
        elif s == "behind":
            held = ev.behind(k.has_measure, k.percent, _expected(t.start, k.deadline, ev.as_of))
        elif s == "no_report":
            held = "no_report" in ev.report_states(t, k.last_report)
        else:
            held = True
        if held:
            kept.append(s)
    return tuple(kept) if kept else ("on_track",)


def _quiet(t: Task, lo: date, hi: date) -> bool:
    """Whether the task is the same at `lo` as at the later `hi` but for the passing of time
    (states_near): no kind's clock, and nothing of its own dated where it would count at
    one date and not at the other: a start, done (the task's or a milestone's), verified,
    returned or progress date after `lo` and up to `hi` (what is dated on a day has
    happened that day); a deadline or a milestone's deadline from `lo` to before `hi` (a
    deadline is missed the day after it)."""
    if t.kind is not None or t.assigned is not None or lo < t.start <= hi:
        return False
    due, done, verified = t.due, t.done, t.verified
    if (due is not None and lo <= due < hi) or (done is not None and lo < done <= hi):
        return False
    for m in t.milestones:
        if lo <= m.due < hi or (m.done is not None and lo < m.done <= hi):
            return False
    if verified is not None and lo < verified.date <= hi:
        return False
    if t.returned and any(lo < r.date <= hi for r in t.returned):
        return False
    return _no_progress(t, lo, hi)


def _no_progress(t: Task, lo: date, hi: date) -> bool:
    """No progress entry of the task dated after `lo` and up to `hi`."""
    return not any(lo < p.date <= hi for p in t.progress)


def done_as_of(t: Task, as_of: date) -> tuple[date | None, bool]:
    """(the done date if it is on or before as_of, whether the task counts as done then).

    A `done` date after as_of has not happened yet; `status: done` without a date counts as done.
    """
    done_date = t.done if t.done is not None and t.done <= as_of else None
    return done_date, done_date is not None or (t.status == "done" and t.done is None)


def is_open(t: Task, as_of: date) -> bool:
    """Open: not done, not suspended or cancelled, and started, whatever `status` says
    (a task in state invalid is none of these)."""
    if t.invalid or done_as_of(t, as_of)[1]:
        return False
    return t.status not in ("suspended", "cancelled") and t.start <= as_of


def days_overdue(t: Task, as_of: date) -> int | None:
    """Calendar days past the deadline for an open task due before as_of; None otherwise."""
    if t.due is None or t.due >= as_of or not is_open(t, as_of):
        return None
    return (as_of - t.due).days


def light_of(states: Iterable[str]) -> Light:
    s = set(states)
    if s & {"overdue", "milestone_overdue"}:
        return "red"
    if s & {"due_soon", "behind", "no_report", "unacknowledged"}:
        return "yellow"
    if s & {"on_track", "pending_verification"}:
        return "green"
    if s & {"done", "done_late"}:
        return "done"
    return "none"


# How many levels of `parent` a family reaches (check `parent-too-deep` reports a deeper
# task): a family is a parent and every task below it, so without a bound a chain of
# 5,000 parents made 12.5 million family members, and status took minutes.
MAX_PARENT_DEPTH = 20


def families(by_id: dict[str, Task], children: dict[str, list[Task]]) -> dict[str, list[Task]]:
    """For each parent: itself and every task below it (down to MAX_PARENT_DEPTH levels),
    in ledger order.

    Ledger order keeps "of two entries on the same date, the one written last" true
    across a parent's and its children's entries.
    """
    rank = {tid: i for i, tid in enumerate(by_id)}
    out: dict[str, list[Task]] = {}
    for pid in children:
        parent = by_id.get(pid)
        if parent is None:
            continue
        acc = [parent, *below(pid, children)]
        acc.sort(key=lambda t: rank.get(t.id, 0))
        out[pid] = acc
    return out


def below(pid: str, children: Mapping[str, Sequence[Task]]) -> list[Task]:
    """Every task below the task `pid`, down to MAX_PARENT_DEPTH levels, each once."""
    seen = {pid}
    acc: list[Task] = []
    stack = [(c, 1) for c in children.get(pid, ())]
    while stack:
        c, level = stack.pop()
        if c.id in seen:
            continue
        seen.add(c.id)
        acc.append(c)
        if level < MAX_PARENT_DEPTH:
            stack.extend((g, level + 1) for g in children.get(c.id, ()))
    return acc


def _latest_entry(entries: Iterable[Progress], attr: str) -> Progress | None:
    """The entry with the latest date that has `attr`; of equal dates, the last written."""
    best: Progress | None = None
    for p in entries:
        if getattr(p, attr) is not None and (best is None or p.date >= best.date):
            best = p
    return best


def _latest(entries: Iterable[Progress], attr: str) -> float | None:
    e = _latest_entry(entries, attr)
    return None if e is None else float(getattr(e, attr))
