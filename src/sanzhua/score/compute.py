"""Scores and ranks of units over a period: a pure function of ledger, rules and dates.

Each task yields events (done on time, done late, overdue, a milestone missed, a
week without a report, ...); each event is worth the rule's points × the task's
weight, to the lead unit in full and to each partner unit × `partner_share`.
A unit's score is the base plus the sum of its entries, kept as exact decimals.
The semantics are written down, with examples, in docs/scoring.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from sanzhua.evaluate import Evaluation, TaskState, evaluate
from sanzhua.model import ReportEvery, Task, Unit
from sanzhua.report.periods import month_of, week_of
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


@dataclass(frozen=True, slots=True)
class UnitScore:
    unit: str
    name: str
    kind: str
    score: Decimal
    rank: int | None  # None: no task was scored for the unit in the period, so it is not ranked
    counts: Mapping[str, int]
    entries: tuple[Entry, ...]
    base: Decimal = Decimal(100)

    @property
    def ranked(self) -> bool:
        return self.rank is not None

    @property
    def added(self) -> Decimal:
        return sum((e.points for e in self.entries if e.points > 0), Decimal(0))

    @property
    def taken(self) -> Decimal:
        return sum((e.points for e in self.entries if e.points < 0), Decimal(0))


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


@dataclass(frozen=True, slots=True)
class _Event:
    reason: str
    points: Decimal
    day: date
    args: dict[str, object]


def score_units(
    ledger: object,
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
    from sanzhua.load import Ledger

    assert isinstance(ledger, Ledger)
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    at = min(end, as_of)
    if evaluation is None or evaluation.as_of != at:
        evaluation = evaluate(ledger, at)
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
    )


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
) -> Scoreboard:
    """`score_units` on an evaluation already made at min(end, as_of)."""
    at = min(end, as_of)
    entries: dict[str, list[Entry]] = {}
    counts: dict[str, dict[str, int]] = {}
    scored_units: set[str] = set()  # units with at least one scored task: these are ranked

    def counts_of(uid: str) -> dict[str, int]:
        return counts.setdefault(uid, dict.fromkeys(COUNT_KEYS, 0))

    for st in sorted(evaluation.tasks.values(), key=lambda s: s.task.id):
        t = st.task
        lead = t.lead
        partners = [p for p in dict.fromkeys(t.partners) if p and p != lead]
        if lead:
            counts_of(lead)["tasks"] += 1
        for p in partners:
            counts_of(p)["partner_tasks"] += 1
        if at < start:
            continue
        weight = _weight(t, rules)
        if weight != 0 and _is_scored(st, start, at):
            if lead:
                scored_units.add(lead)
            if rules.partner_share != 0:
                scored_units.update(partners)
        events = list(_events(st, rules, start, at, report_every, _reports_of(t, children)))
        if not events:
            continue
        for ev in events:
            if lead:
                c = counts_of(lead)
                if ev.reason in c:
                    c[ev.reason] += 1
            for uid, role, share in [(lead, "lead", _ONE)] + [
                (p, "partner", rules.partner_share) for p in partners
            ]:
                if not uid:
                    continue
                points = ev.points * weight * share
                if points == 0:
                    continue
                entries.setdefault(uid, []).append(
                    Entry(
                        points=points,
                        task_id=t.id,
                        reason_key=ev.reason,
                        args=ev.args,
                        title=t.title,
                        role=role,  # type: ignore[arg-type]
                        rule_points=ev.points,
                        weight=weight,
                        share=share,
                        date=ev.day,
                    )
                )

    order = {uid: i for i, uid in enumerate(units)}
    ids = list(units) + sorted(set(counts) - set(units))
    if kinds:
        ids = [u for u in ids if u in units and (units[u].kind or "") in kinds]
    scored: list[tuple[Decimal, str]] = []
    unscored: list[tuple[Decimal, str]] = []
    for uid in ids:
        es = entries.get(uid, [])
        total = rules.base + sum((e.points for e in es), Decimal(0))
        (scored if uid in scored_units or es else unscored).append((total, uid))
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
        es = sorted(entries.get(uid, []), key=_entry_key)
        rows.append(
            UnitScore(
                unit=uid,
                name=unit.name if unit else uid,
                kind=(unit.kind or "") if unit else "",
                score=score,
                rank=rank,
                counts=dict(counts.get(uid) or dict.fromkeys(COUNT_KEYS, 0)),
                entries=tuple(es),
                base=rules.base,
            )
        )
    return Scoreboard(start, end, as_of, at, rules, tuple(rows))


def _is_scored(st: TaskState, start: date, at: date) -> bool:
    """Whether the task is scored in the period start..at, whatever its events: not
    suspended or cancelled at `at`, and either done within the period or still not
    done and started by `at`. (`st.done` is never after `at`; a task done without a
    done date scores nothing.)"""
    states = set(st.states)
    if "suspended" in states or "cancelled" in states:
        return False
    if st.done is not None:
        return start <= st.done
    return not st.is_done and st.task.start <= at


def _entry_key(e: Entry) -> tuple[date, str, int, str]:
    return (
        e.date or date.min,
        e.task_id,
        REASONS.index(e.reason_key),
        str(e.args.get("milestone", "")),
    )


def _weight(t: Task, rules: Rules) -> Decimal:
    if t.weight is not None:
        return Decimal(repr(float(t.weight)))
    w = rules.category_weight(t.category)
    return _ONE if w is None else w


def _reports_of(t: Task, children: Mapping[str, Sequence[Task]]) -> list[date]:
    """The dates of a task's progress entries and its descendants' (sorted)."""
    days = [p.date for p in t.progress]
    seen = {t.id}
    stack = list(children.get(t.id, ()))
    while stack:
        c = stack.pop()
        if c.id in seen:
            continue
        seen.add(c.id)
        days.extend(p.date for p in c.progress)
        stack.extend(children.get(c.id, ()))
    return sorted(days)


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


def _events(
    st: TaskState,
    rules: Rules,
    start: date,
    at: date,
    report_every: ReportEvery,
    reports: list[date],
) -> Iterator[_Event]:
    t = st.task
    deadline = st.deadline
    done = st.done
    states = set(st.states)
    if "suspended" in states or "cancelled" in states:
        return
    iso = date.isoformat
    # Done within the period.
    if done is not None and start <= done <= at:
        if deadline is None or done <= deadline:
            early = (deadline - done).days if deadline is not None else 0
            yield _Event(
                "done_on_time",
                rules.done_on_time,
                done,
                {"deadline": iso(deadline) if deadline else "", "done": iso(done)},
            )
            if deadline is not None and early >= rules.early_days:
                yield _Event(
                    "done_early",
                    rules.done_early,
                    done,
                    {
                        "deadline": iso(deadline),
                        "done": iso(done),
                        "days": early,
                        "early_days": rules.early_days,
                    },
                )
        else:
            late = (done - deadline).days
            yield _Event(
                "done_late",
                rules.done_late,
                done,
                {"deadline": iso(deadline), "done": iso(done), "days": late},
            )
            pts, weeks, capped = _late_points(
                late, rules.done_late_per_day, rules.done_late_per_week, rules.done_late_cap
            )
            yield _Event(
                "done_late_time",
                pts,
                done,
                {
                    "deadline": iso(deadline),
                    "done": iso(done),
                    "days": late,
                    "weeks": weeks,
                    "per_day": rules.done_late_per_day,
                    "per_week": rules.done_late_per_week,
                    "cap": rules.done_late_cap,
                    "capped": capped is not None,
                    "uncapped": capped,
                },
            )
    # Overdue (and behind) as of the end of the period.
    if "overdue" in states and deadline is not None and st.days_overdue is not None:
        days = st.days_overdue
        yield _Event(
            "overdue", rules.overdue, at, {"deadline": iso(deadline), "at": iso(at), "days": days}
        )
        pts, weeks, capped = _late_points(
            days, rules.overdue_per_day, rules.overdue_per_week, rules.overdue_cap
        )
        yield _Event(
            "overdue_time",
            pts,
            at,
            {
                "deadline": iso(deadline),
                "at": iso(at),
                "days": days,
                "weeks": weeks,
                "per_day": rules.overdue_per_day,
                "per_week": rules.overdue_per_week,
                "cap": rules.overdue_cap,
                "capped": capped is not None,
                "uncapped": capped,
            },
        )
    elif "behind" in states:
        yield _Event(
            "behind",
            rules.behind,
            at,
            {"at": iso(at), "percent": _pct(st.percent), "expected": _pct(st.expected_percent)},
        )
    # Milestones: missed on the day after their date, if not done by then.
    done_no_date = st.is_done and done is None
    if not done_no_date:
        for m in t.milestones:
            missed_on = m.due + timedelta(days=1)
            if not start <= missed_on <= at or t.start > m.due:
                continue
            if m.done is not None and m.done <= min(m.due, at):
                continue
            if done is not None and done <= m.due:
                continue
            yield _Event(
                "milestone_missed",
                rules.milestone_missed,
                missed_on,
                {
                    "milestone": m.name,
                    "due": iso(m.due),
                    "done": iso(m.done) if m.done is not None and m.done <= at else "",
                },
            )
    # Reports: each calendar week (or month) that ends within the period.
    if report_every == "none" or done_no_date:
        return
    for first, last in _report_periods(report_every, start, at):
        if t.start > first:
            continue
        if done is not None and done <= last:
            break
        i = bisect.bisect_left(reports, first)
        if i < len(reports) and reports[i] <= last:
            continue
        yield _Event(
            "report_missing", rules.report_missing, last, {"from": iso(first), "to": iso(last)}
        )


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
