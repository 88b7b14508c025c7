"""Scores and ranks of units over a period: a pure function of ledger, rules and dates.

Each task yields events (done on time, done late, overdue, a milestone missed, a
week without a report, ...); each event is worth the rule's points × the task's
weight, to the lead unit in full and to each partner unit × `partner_share`.
A unit's score is the base plus the sum of its entries, kept as exact decimals.
The semantics are written down, with examples, in docs/scoring.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, Literal, NamedTuple

from sanzhua.evaluate import Evaluation, TaskState, below, evaluate
from sanzhua.kinds import kind_of, lookup
from sanzhua.load import Ledger
from sanzhua.model import ReportEvery, Settings, Task, Unit, builder
from sanzhua.periods import month_of, week_of
from sanzhua.score.rules import Rules

Role = Literal["lead", "partner"]

# Reasons, in the order a task's entries are listed.
REASONS: tuple[str, ...] = (
    "done_on_time",
    "done_early",
    "done_late",
    "done_late_time",
    "overdue",
    "overdue_time",
    "milestone_missed",
    "report_missing",
    "report_missing_unit",
    "behind",
)
# What the counts of a unit hold (events of the tasks it leads).
COUNT_KEYS: tuple[str, ...] = (
    "tasks",
    "partner_tasks",
    "done_on_time",
    "done_early",
    "done_late",
    "overdue",
    "milestone_missed",
    "report_missing",
    "behind",
)
_ONE = Decimal(1)
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Entry:
    """One amount of points added to (or taken from) a unit, and why.

    `points` = `rule_points` × `weight` × `share`; `args` holds what the reason's
    words need (dates as ISO text, day counts, rates).
    """

    points: Decimal
    task_id: str
    reason_key: str
    args: Mapping[str, object]
    title: str = ""
    role: Role = "lead"
    rule_points: Decimal = Decimal(0)
    weight: Decimal = _ONE
    share: Decimal = _ONE
    date: date | None = None  # the day the event counts for


class _LazyEntries:
    """A unit's entries, built on first use: a year of weekly reports is hundreds of
    thousands of them, and the ranking (score, counts) needs none."""

    __slots__ = ("_build", "_value")

    def __init__(self, build: Callable[[], tuple[Entry, ...]]) -> None:
        self._build: Callable[[], tuple[Entry, ...]] | None = build
        self._value: tuple[Entry, ...] | None = None

    def get(self) -> tuple[Entry, ...]:
        if self._value is None:
            assert self._build is not None
            self._value, self._build = self._build(), None
        return self._value

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _LazyEntries):
            return NotImplemented
        return self.get() == other.get()

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return repr(self.get())


_NO_ENTRIES = _LazyEntries(tuple)


@dataclass(frozen=True, slots=True)
class UnitScore:
    unit: str
    name: str
    kind: str
    score: Decimal
    rank: int | None  # None: no task was scored for the unit in the period, so it is not ranked
    counts: Mapping[str, int]
    added: Decimal  # the sum of the positive entries
    taken: Decimal  # the sum of the negative entries
    base: Decimal = Decimal(100)
    _entries: _LazyEntries = field(default=_NO_ENTRIES, repr=False)

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every amount added or taken, by date, then task, then reason."""
        return self._entries.get()


@dataclass(frozen=True, slots=True)
class Scoreboard:
    """Every unit's score over `start`..`end`, evaluated at `evaluated_at` = min(end, as_of).

    `units` holds the ranked units in rank order (ties share a rank; within a tie, the
    order of units.yaml), then the units without a scored task (rank None), in the
    order of units.yaml.
    """

    start: date
    end: date
    as_of: date
    evaluated_at: date
    rules: Rules
    units: tuple[UnitScore, ...]
    _index: dict[str, UnitScore] = field(default_factory=dict, compare=False, repr=False)

    def unit(self, unit_id: str) -> UnitScore | None:
        if not self._index:
            self._index.update({u.unit: u for u in self.units})
        return self._index.get(unit_id)

    @property
    def ranked(self) -> tuple[UnitScore, ...]:
        """The units that have a rank, in rank order."""
        return tuple(u for u in self.units if u.rank is not None)

    @property
    def unranked(self) -> tuple[UnitScore, ...]:
        """The units with no scored task in the period (no rank)."""
        return tuple(u for u in self.units if u.rank is None)

    def top(self, n: int = 3) -> tuple[UnitScore, ...]:
        """The first `n` ranked units (more than n when a tie straddles the cut)."""
        ranked = self.ranked
        if n <= 0 or not ranked:
            return ()
        cut = _rank(ranked[min(n, len(ranked)) - 1])
        return tuple(u for u in ranked if _rank(u) <= cut)

    def bottom(self, n: int = 3) -> tuple[UnitScore, ...]:
        """The last `n` ranked units, worst last (more when a tie straddles the cut)."""
        ranked = self.ranked
        if n <= 0 or not ranked:
            return ()
        cut = _rank(ranked[max(0, len(ranked) - n)])
        return tuple(u for u in ranked if _rank(u) >= cut)


def _rank(u: UnitScore) -> int:
    assert u.rank is not None
    return u.rank


class _Event(NamedTuple):
    """One event of a task: its reason, the rule's points, the day it counts for, and what
    the reason's words need (`args`), kept as `detail` and made into words only when the
    entries are listed (--explain): a year's score makes 40,000 events at 20,000 tasks
    and the ranking reads none of their words (issue 17)."""

    reason: str
    points: Decimal
    day: date
    detail: tuple[Any, ...]

    @property
    def args(self) -> dict[str, object]:
        return _ARGS[self.reason](*self.detail)


def score_units(
    ledger: Ledger,
    rules: Rules,
    start: date,
    end: date,
    as_of: date,
    *,
    evaluation: Evaluation | None = None,
    kinds: Collection[str] = (),
) -> Scoreboard:
    """Score every unit over the period `start`..`end` (both included) as of `as_of`.

    `ledger` is a loaded `sanzhua.load.Ledger`. `evaluation`, if given, must be the
    ledger evaluated at min(end, as_of) (it is computed otherwise). `kinds` keeps
    only units of those kinds (乡镇, 县直部门), ranked among themselves.
    """
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    at = min(end, as_of)
    if evaluation is None or evaluation.as_of != at:
        evaluation = evaluate(ledger, at)
    evaluation = _scored_kinds(evaluation, ledger.settings)
    return score_tasks(
        evaluation,
        ledger.units,
        ledger.children,
        rules,
        start,
        end,
        as_of,
        report_every=ledger.settings.report_every,
        kinds=kinds,
        tracking_since=ledger.tracking_start(),
    )


def _scored_kinds(evaluation: Evaluation, settings: Settings) -> Evaluation:
    """The evaluation without the tasks of kinds that are not scored (issue 20: `scored: false`)."""
    if not any(ts.task.kind is not None for ts in evaluation):
        return evaluation
    table = lookup(settings)
    kept = {
        tid: ts for tid, ts in evaluation.tasks.items() if (rule := kind_of(ts.task, table)) is None or rule.scored
    }
    return evaluation if len(kept) == len(evaluation.tasks) else Evaluation(evaluation.as_of, kept)


def score_tasks(
    evaluation: Evaluation,
    units: Mapping[str, Unit],
    children: Mapping[str, Sequence[Task]],
    rules: Rules,
    start: date,
    end: date,
    as_of: date,
    *,
    report_every: ReportEvery = "week",
    kinds: Collection[str] = (),
    tracking_since: date | None = None,
) -> Scoreboard:
    """`score_units` on an evaluation already made at min(end, as_of). No report is owed
    before `tracking_since`; with `report_missing_per: unit` (the default) a unit loses
    points for a reporting period only when it owed reports and gave none, up to the cap."""
    at = min(end, as_of)
    tally = _Tally(rules, children, start, at, report_every, tracking_since)
    for st in sorted(evaluation.tasks.values(), key=_task_id):
        tally.add(st)
    tally.units_missed()
    return Scoreboard(start, end, as_of, at, rules, tally.rows(units, kinds))


def _task_id(st: TaskState) -> str:
    return st.task.id


class _Tally:
    """The scores being added up, task by task: each unit's counts, the points added and
    taken, the tasks whose events make its entries (built only when asked for), and
    with `report_missing_per: unit` the reporting periods each unit owed reports in."""

    def __init__(
        self,
        rules: Rules,
        children: Mapping[str, Sequence[Task]],
        start: date,
        at: date,
        report_every: ReportEvery,
        tracking_since: date | None,
    ) -> None:
        self.rules = rules
        self.children = children
        self.start = start
        self.at = at
        self.tracking_since = tracking_since
        self.counts: dict[str, dict[str, int]] = {}
        self.sources: dict[str, list[_Source]] = {}  # per unit: its tasks' events
        self.added: dict[str, Decimal] = {}
        self.taken: dict[str, Decimal] = {}
        self.scored_units: set[str] = set()  # units with at least one scored task: these are ranked
        self.periods = _ReportPeriods(report_every, start, at) if at >= start else None
        self.per_unit = rules.report_missing_per == "unit"
        # Per unit: the spans of reporting periods (lo..hi-1) each task owed reports in, by task id.
        self.owed: dict[str, list[tuple[int, int, str]]] = {}
        self.reported: dict[str, set[int]] = {}  # per unit: the periods in which it reported
        self.unit_missed: dict[str, _UnitMissed] = {}
        self.weights: dict[str | None, Decimal] = {}  # by category, for the tasks without their own

    def counts_of(self, uid: str) -> dict[str, int]:
        c = self.counts.get(uid)
        if c is None:
            c = self.counts[uid] = dict.fromkeys(COUNT_KEYS, 0)
        return c

    def add(self, st: TaskState) -> None:
        """One task: counted for its lead and partner units; its events and reports
        missing scored for each (the reports per unit are counted in units_missed)."""
        t = st.task
        lead = t.lead
        partners = [p for p in dict.fromkeys(t.partners) if p and p != lead] if t.partners else ()
        if lead:
            (self.counts.get(lead) or self.counts_of(lead))["tasks"] += 1
        for p in partners:
            self.counts_of(p)["partner_tasks"] += 1
        start, at, rules = self.start, self.at, self.rules
        if at < start:
            return
        weight = self.weight(t)
        if weight != 0 and _is_scored(st, start, at):
            if lead:
                self.scored_units.add(lead)
            if rules.partner_share != 0:
                self.scored_units.update(partners)
        events = _events(st, rules, start, at)
        periods = self.periods
        gaps = _report_gaps(st, periods, self.children, self.tracking_since) if periods is not None else None
        if self.per_unit:  # counted per unit and period in units_missed, not per task
            if gaps is not None and lead:
                self.owed.setdefault(lead, []).append((gaps.lo, gaps.hi, t.id))
                self.reported.setdefault(lead, set()).update(gaps.covered)
            gaps = None
        missing = gaps.missing if gaps is not None else 0
        if not events and not missing:
            return
        if lead:
            c = self.counts_of(lead)
            for ev in events:
                if ev.reason in c:
                    c[ev.reason] += 1
            c["report_missing"] += missing
        task_events = _task_events(t, weight, events, gaps)
        self.score(lead, "lead", _ONE, task_events, missing)
        for p in partners:
            self.score(p, "partner", rules.partner_share, task_events, missing)

    def weight(self, t: Task) -> Decimal:
        """The task's weight: its own, else its category's (worked out once per category)."""
        if t.weight is not None:
            return _weight(t, self.rules)
        got = self.weights.get(t.category)
        if got is None:
            got = self.weights[t.category] = _weight(t, self.rules)
        return got

    def score(self, uid: str, role: Role, share: Decimal, te: _TaskEvents, missing: int) -> None:
        """A task's events (and reports missing) for one of its units, at its share."""
        if not uid:
            return
        weight = te.weight
        # Exact decimals: n equal entries sum to the entry × n, whatever the order.
        amounts = [ev.points * weight * share for ev in te.events]
        if missing:
            amounts.append(self.rules.report_missing * weight * share * missing)
        if not any(amounts):
            return
        added, taken = self.added, self.taken
        for a in amounts:
            if a > 0:
                added[uid] = added.get(uid, _ZERO) + a
            elif a < 0:
                taken[uid] = taken.get(uid, _ZERO) + a
        self.sources.setdefault(uid, []).append((te, role, share))

    def units_missed(self) -> None:
        """With `report_missing_per: unit`: each unit's reporting periods in which some
        task owed a report and none of its tasks gave one, capped."""
        periods, rules = self.periods, self.rules
        if not self.per_unit or periods is None:
            return
        for uid, spans in self.owed.items():
            missed = _missed(spans, len(periods.firsts), self.reported.get(uid, set()))
            if not missed:
                continue
            self.counts_of(uid)["report_missing"] += len(missed)
            points = _capped(rules.report_missing, len(missed), rules.report_missing_cap)
            total = sum(points, _ZERO)
            if total > 0:
                self.added[uid] = self.added.get(uid, _ZERO) + total
            elif total < 0:
                self.taken[uid] = self.taken.get(uid, _ZERO) + total
            if total != 0:
                self.unit_missed[uid] = _UnitMissed(periods, tuple(missed), tuple(spans), points)

    def rows(self, units: Mapping[str, Unit], kinds: Collection[str]) -> tuple[UnitScore, ...]:
        """The units ranked: by score (ties share a rank, in the order of units.yaml), then
        the units without a scored task."""
        rules = self.rules
        order = {uid: i for i, uid in enumerate(units)}
        ids = list(units) + sorted(set(self.counts) - set(units))
        if kinds:
            ids = [u for u in ids if u in units and (units[u].kind or "") in kinds]
        scored: list[tuple[Decimal, str]] = []
        unscored: list[tuple[Decimal, str]] = []
        ranked = self.scored_units | set(self.sources) | set(self.unit_missed)
        for uid in ids:
            total = rules.base + (self.added.get(uid, _ZERO) + self.taken.get(uid, _ZERO))
            (scored if uid in ranked else unscored).append((total, uid))
        scored.sort(key=lambda x: (-x[0], order.get(x[1], len(order)), x[1]))
        rows: list[UnitScore] = []
        rank: int | None = 0
        prev: Decimal | None = None
        for i, (score, uid) in enumerate(scored + unscored, start=1):
            if i > len(scored):
                rank = None
            elif score != prev:
                rank, prev = i, score
            unit = units.get(uid)
            src = self.sources.get(uid)
            um = self.unit_missed.get(uid)
            rows.append(
                UnitScore(
                    unit=uid,
                    name=unit.name if unit else uid,
                    kind=(unit.kind or "") if unit else "",
                    score=score,
                    rank=rank,
                    counts=dict(self.counts.get(uid) or dict.fromkeys(COUNT_KEYS, 0)),
                    added=self.added.get(uid, _ZERO),
                    taken=self.taken.get(uid, _ZERO),
                    base=rules.base,
                    _entries=_LazyEntries(partial(_entries, src or [], rules, um)) if src or um else _NO_ENTRIES,
                )
            )
        return tuple(rows)


_ZERO = Decimal(0)


def _missed(spans: Sequence[tuple[int, int, str]], n: int, reported: Collection[int]) -> list[int]:
    """The reporting periods (of `n`) some span owed a report in and none was given, in
    order: counted over the spans' ends, not period by period of every task (issue 17)."""
    starts = [0] * (n + 1)
    for lo, hi, _ in spans:
        starts[lo] += 1
        starts[hi] -= 1
    out: list[int] = []
    open_spans = 0
    for i in range(n):
        open_spans += starts[i]
        if open_spans > 0 and i not in reported:
            out.append(i)
    return out


@dataclass(frozen=True, slots=True)
class _Gaps:
    """The reporting periods a task should have reported in (indexes `lo`..`hi` − 1 of
    `periods`) and those of them that hold a report (`covered`)."""

    periods: _ReportPeriods
    lo: int
    hi: int
    covered: frozenset[int]
    missing: int

    def spans(self) -> Iterator[tuple[date, date]]:
        firsts, lasts, covered = self.periods.firsts, self.periods.lasts, self.covered
        for i in range(self.lo, self.hi):
            if i not in covered:
                yield firsts[i], lasts[i]


_gaps = builder(_Gaps)  # _Gaps(*fields) without its __init__: one per task (issue 17)


@dataclass(frozen=True, slots=True)
class _TaskEvents:
    task: Task
    weight: Decimal
    events: list[_Event]  # every event but the reports missing, in the order entries list them
    gaps: _Gaps | None


_task_events = builder(_TaskEvents)


_Source = tuple[_TaskEvents, Role, Decimal]  # a task's events, the unit's role and share


@dataclass(frozen=True, slots=True)
class _UnitMissed:
    """The reporting periods in which a unit owed reports and gave none (report_missing_per:
    unit): their indexes in `periods`, the tasks that owed in each, the points of each."""

    periods: _ReportPeriods
    missed: tuple[int, ...]
    spans: tuple[tuple[int, int, str], ...]  # (lo, hi, task id): the periods lo..hi-1 each task owed in
    points: list[Decimal]

    def tasks(self, i: int) -> tuple[str, ...]:
        """The tasks that owed a report in period i."""
        return tuple(tid for lo, hi, tid in self.spans if lo <= i < hi)


def _capped(each: Decimal, n: int, cap: Decimal | None) -> list[Decimal]:
    """`n` times `each`, the running total held to `cap` (a magnitude): the entry that
    reaches the cap takes what is left of it, the later ones nothing."""
    out: list[Decimal] = []
    total = Decimal(0)
    for _ in range(n):
        step = each
        if cap is not None and abs(total + step) > cap:
            step = (cap if each > 0 else -cap) - total
        out.append(step)
        total += step
    return out


class _ReportPeriods:
    """The calendar weeks or months whose last day falls in start..at, in order: one run
    works them out once, and each task finds its own by bisection."""

    __slots__ = ("firsts", "lasts", "where")

    def __init__(self, every: ReportEvery, start: date, at: date) -> None:
        spans = list(_report_periods(every, start, at)) if every != "none" else []
        self.firsts = [f for f, _ in spans]
        self.lasts = [last for _, last in spans]
        self.where: dict[date, int] = {}  # a report's day → the index of its period, -1 for none

    def gaps(self, task_start: date, done: date | None, reports: Iterable[date]) -> _Gaps | None:
        """The periods that began on or after the task's start and ended before it was
        done, and which of them hold a report."""
        firsts, lasts = self.firsts, self.lasts
        lo = bisect.bisect_left(firsts, task_start)
        hi = len(lasts) if done is None else bisect.bisect_left(lasts, done)
        if hi <= lo:
            return None
        covered: set[int] = set()
        where = self.where
        for d in reports:
            i = where.get(d)
            if i is None:  # the period holding the day, -1 if none: found once per day
                i = bisect.bisect_right(firsts, d) - 1
                where[d] = i = i if i >= 0 and d <= lasts[i] else -1
            if lo <= i < hi:
                covered.add(i)
        return _gaps(self, lo, hi, frozenset(covered), hi - lo - len(covered))


def _report_gaps(
    st: TaskState,
    periods: _ReportPeriods,
    children: Mapping[str, Sequence[Task]],
    since: date | None = None,
) -> _Gaps | None:
    """Which reporting periods the task missed: none for a suspended or cancelled task,
    nor for one marked done without a done date, nor before `since` (tracking_since)."""
    states = st.states  # a few states: looked through, not made a set (issue 17)
    if not periods.firsts or "suspended" in states or "cancelled" in states or "invalid" in states:
        return None
    if st.is_done and st.done is None:
        return None
    begin = st.task.start if since is None else max(st.task.start, since)
    return periods.gaps(begin, st.done, _reports_of(st.task, children))


def _entries(sources: list[_Source], rules: Rules, missed: _UnitMissed | None = None) -> tuple[Entry, ...]:
    """A unit's entries from its tasks' events (and the periods it reported nothing in),
    in the order `--explain` lists them."""
    out: list[Entry] = []
    if missed is not None:
        firsts, lasts = missed.periods.firsts, missed.periods.lasts
        cap = rules.report_missing_cap
        total = Decimal(0)
        pairs = list(zip(missed.missed, missed.points, strict=True))
        for n, (i, points) in enumerate(pairs):
            if points == 0:
                continue
            total += points
            capped = cap is not None and abs(total) >= cap
            out.append(
                Entry(
                    points=points,
                    task_id="",
                    reason_key="report_missing_unit",
                    args={
                        "from": firsts[i].isoformat(),
                        "to": lasts[i].isoformat(),
                        "tasks": "、".join(missed.tasks(i)),
                        "capped": capped,
                        "cap": cap,
                        "more": len(pairs) - n - 1 if capped else 0,
                    },
                    rule_points=rules.report_missing,
                    date=lasts[i],
                )
            )
    for te, role, share in sources:
        t, weight = te.task, te.weight
        for ev in te.events:
            points = ev.points * weight * share
            if points != 0:
                out.append(
                    Entry(
                        points=points,
                        task_id=t.id,
                        reason_key=ev.reason,
                        args=ev.args,
                        title=t.title,
                        role=role,
                        rule_points=ev.points,
                        weight=weight,
                        share=share,
                        date=ev.day,
                    )
                )
        if te.gaps is None:
            continue
        rule = rules.report_missing
        points = rule * weight * share
        if points == 0:
            continue
        iso = date.isoformat
        out.extend(
            Entry(
                points=points,
                task_id=t.id,
                reason_key="report_missing",
                args={"from": iso(first), "to": iso(last)},
                title=t.title,
                role=role,
                rule_points=rule,
                weight=weight,
                share=share,
                date=last,
            )
            for first, last in te.gaps.spans()
        )
    out.sort(key=_entry_key)
    return tuple(out)


def _is_scored(st: TaskState, start: date, at: date) -> bool:
    """Whether the task is scored in the period start..at, whatever its events: not
    suspended or cancelled at `at`, and either done within the period or still not
    done and started by `at`. (`st.done` is never after `at`; a task done without a
    done date scores nothing.)"""
    states = st.states
    if "suspended" in states or "cancelled" in states or "invalid" in states:
        return False
    if st.done is not None:
        return start <= st.done
    return not st.is_done and st.task.start <= at


_REASON_ORDER = {r: i for i, r in enumerate(REASONS)}


def _entry_key(e: Entry) -> tuple[date, str, int, str]:
    return (
        e.date or date.min,
        e.task_id,
        _REASON_ORDER[e.reason_key],
        str(e.args.get("milestone", "")),
    )


def _weight(t: Task, rules: Rules) -> Decimal:
    if t.weight is not None:
        return Decimal(repr(float(t.weight)))
    w = rules.category_weight(t.category)
    return _ONE if w is None else w


def _reports_of(t: Task, children: Mapping[str, Sequence[Task]]) -> list[date]:
    """The dates of a task's progress entries and its descendants' (its family's, as
    evaluate counts them: down to MAX_PARENT_DEPTH levels)."""
    days = [p.date for p in t.progress]
    if not children.get(t.id):
        return days
    for c in below(t.id, children):
        days.extend(p.date for p in c.progress)
    return days


def _late_points(
    days: int, per_day: Decimal, per_week: Decimal, cap: Decimal | None
) -> tuple[Decimal, int, Decimal | None]:
    """Points for `days` late: per day plus per started week, limited to the cap
    (the third value is the uncapped amount when the cap applied)."""
    weeks = -(-days // 7)
    raw = per_day * days + per_week * weeks
    if cap is not None and abs(raw) > cap:
        return (cap if raw > 0 else -cap), weeks, raw
    return raw, weeks, None


def _events(st: TaskState, rules: Rules, start: date, at: date) -> list[_Event]:
    """A task's events in the period start..at, except the reports missing (`_report_gaps`)."""
    states = st.states
    if "suspended" in states or "cancelled" in states or "invalid" in states:
        return []  # an invalid task's dates cannot be read: it neither gains nor loses
    out: list[_Event] = []
    done = st.done
    if done is not None and start <= done <= at:
        _done_events(out, st.deadline, done, rules)
    if "overdue" in states and st.deadline is not None and st.days_overdue is not None:
        _overdue_events(out, st.deadline, st.days_overdue, at, rules)
    elif "behind" in states:
        out.append(_Event("behind", rules.behind, at, (at, st.percent, st.expected_percent)))
    if not (st.is_done and done is None) and st.task.milestones:
        _milestone_events(out, st.task, done, rules, start, at)
    return out


def _done_events(out: list[_Event], deadline: date | None, done: date, rules: Rules) -> None:
    """Done within the period: on time (and early), or late (and the days late)."""
    if deadline is None or done <= deadline:
        out.append(_Event("done_on_time", rules.done_on_time, done, (deadline, done)))
        early = (deadline - done).days if deadline is not None else 0
        if deadline is not None and early >= rules.early_days:
            out.append(_Event("done_early", rules.done_early, done, (deadline, done, early, rules.early_days)))
        return
    late = (done - deadline).days
    out.append(_Event("done_late", rules.done_late, done, (deadline, done, late)))
    per_day, per_week, cap = rules.done_late_per_day, rules.done_late_per_week, rules.done_late_cap
    pts, weeks, capped = _late_points(late, per_day, per_week, cap)
    out.append(_Event("done_late_time", pts, done, (deadline, done, late, weeks, per_day, per_week, cap, capped)))


def _overdue_events(out: list[_Event], deadline: date, days: int, at: date, rules: Rules) -> None:
    """Overdue as of the end of the period, and the days overdue."""
    out.append(_Event("overdue", rules.overdue, at, (deadline, at, days)))
    per_day, per_week, cap = rules.overdue_per_day, rules.overdue_per_week, rules.overdue_cap
    pts, weeks, capped = _late_points(days, per_day, per_week, cap)
    out.append(_Event("overdue_time", pts, at, (deadline, at, days, weeks, per_day, per_week, cap, capped)))


def _milestone_events(out: list[_Event], t: Task, done: date | None, rules: Rules, start: date, at: date) -> None:
    """Milestones missed in the period: on the day after their date, if not done by then."""
    for m in t.milestones:
        missed_on = m.due + _ONE_DAY
        if not start <= missed_on <= at or t.start > m.due:
            continue
        if m.done is not None and m.done <= min(m.due, at):
            continue
        if done is not None and done <= m.due:
            continue
        out.append(_Event("milestone_missed", rules.milestone_missed, missed_on, (m.name, m.due, m.done, at)))


# --- each event's words (its `args`), made from its detail when the entries are listed ---


def _on_time_args(deadline: date | None, done: date) -> dict[str, object]:
    return {"deadline": deadline.isoformat() if deadline else "", "done": done.isoformat()}


def _early_args(deadline: date, done: date, early: int, early_days: int) -> dict[str, object]:
    return {"deadline": deadline.isoformat(), "done": done.isoformat(), "days": early, "early_days": early_days}


def _late_args(deadline: date, done: date, late: int) -> dict[str, object]:
    return {"deadline": deadline.isoformat(), "done": done.isoformat(), "days": late}


def _time_args(
    when: str,
) -> Callable[[date, date, int, int, Decimal, Decimal, Decimal | None, Decimal | None], dict[str, object]]:
    """The words of done_late_time (`when` = "done") and overdue_time ("at")."""

    def args(
        deadline: date,
        day: date,
        days: int,
        weeks: int,
        per_day: Decimal,
        per_week: Decimal,
        cap: Decimal | None,
        capped: Decimal | None,
    ) -> dict[str, object]:
        return {
            "deadline": deadline.isoformat(),
            when: day.isoformat(),
            "days": days,
            "weeks": weeks,
            "per_day": per_day,
            "per_week": per_week,
            "cap": cap,
            "capped": capped is not None,
            "uncapped": capped,
        }

    return args


def _overdue_args(deadline: date, at: date, days: int) -> dict[str, object]:
    return {"deadline": deadline.isoformat(), "at": at.isoformat(), "days": days}


def _behind_args(at: date, percent: float | None, expected: float | None) -> dict[str, object]:
    return {"at": at.isoformat(), "percent": _pct(percent), "expected": _pct(expected)}


def _missed_args(name: str, due: date, done: date | None, at: date) -> dict[str, object]:
    shown = done.isoformat() if done is not None and done <= at else ""
    return {"milestone": name, "due": due.isoformat(), "done": shown}


_ARGS: dict[str, Callable[..., dict[str, object]]] = {
    "done_on_time": _on_time_args,
    "done_early": _early_args,
    "done_late": _late_args,
    "done_late_time": _time_args("done"),
    "overdue": _overdue_args,
    "overdue_time": _time_args("at"),
    "behind": _behind_args,
    "milestone_missed": _missed_args,
}


def _report_periods(every: ReportEvery, start: date, at: date) -> Iterator[tuple[date, date]]:
    """Calendar weeks (Monday–Sunday) or months whose last day falls in start..at."""
    p = week_of(start) if every == "week" else month_of(start)
    while p.end <= at:
        if p.end >= start:
            yield p.start, p.end
        p = (
            week_of(p.end + timedelta(days=1))
            if every == "week"
            else month_of(p.end + timedelta(days=1))
        )


def _pct(x: float | None) -> str:
    if x is None:
        return "0"
    return f"{x:.1f}".rstrip("0").rstrip(".")
