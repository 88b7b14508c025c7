"""The year week by week: completion rate, overdue, behind and unreported counts at the
end of each week, from the ledger as it stood then.

Where the ledger's git history reaches back to a week, that week is the ledger as
committed by its end (the last commit dated on or before it), evaluated at that day:
what the office knew then. Before the first commit, the current ledger is evaluated
with the as-of rules (progress and done dates up to the day, today's deadlines). Each
point says which of the two it is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import fsum
from typing import Any

from sanzhua.errors import FatalError
from sanzhua.evaluate import Evaluation, done_as_of, families, finite, reached_percent, verification_as_of
from sanzhua.history.git import Commit, Repo
from sanzhua.history.walk import History
from sanzhua.kinds import kind_of, lookup
from sanzhua.load import Ledger, assemble
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.model import Progress, Settings, Task
from sanzhua.periods import series_start
from sanzhua.report.brief import totals


@dataclass(frozen=True, slots=True)
class Point:
    day: date
    source: str  # git | rules
    commit: str  # the short commit a git point was read from
    tasks: int
    done: int
    completion_rate: float | None
    overdue: int
    milestone_overdue: int
    behind: int
    no_report: int
    measured: int  # open tasks with a measure
    expected_mean: float | None  # their mean expected (schedule) percent
    actual_mean: float | None  # and mean actual percent


def week_ends(first: date, as_of: date) -> list[date]:
    """The Sunday of every week from the one holding `first` up to `as_of`, and `as_of`
    itself last when it is not a Sunday."""
    if first > as_of:
        return [as_of]
    d = first + timedelta(days=6 - first.weekday())
    out: list[date] = []
    while d < as_of:
        out.append(d)
        d += timedelta(days=7)
    out.append(as_of)
    return out


def point(ev: Evaluation, day: date, source: str, commit: str = "") -> Point:
    t = totals(ev, day)
    measured = [s for s in ev.tasks.values() if s.is_open and s.has_measure]
    n = len(measured)
    return Point(
        day=day,
        source=source,
        commit=commit,
        tasks=t.tasks,
        done=t.done,
        completion_rate=t.completion_rate,
        overdue=t.overdue,
        milestone_overdue=t.milestone_overdue,
        behind=t.behind,
        no_report=t.no_report,
        measured=n,
        expected_mean=_mean([s.expected_percent or 0.0 for s in measured]),
        actual_mean=_mean([s.percent or 0.0 for s in measured]),
    )


def _mean(values: list[float]) -> float | None:
    """The mean of percents to one decimal (None of none). A target's share may be as
    large as a float goes (evaluate.reached_percent): past it the sum would overflow, and
    each is divided first (issue 14)."""
    n = len(values)
    if not n:
        return None
    try:
        return round(fsum(values) / n, 1)
    except OverflowError:
        return round(finite(fsum(v / n for v in values)), 1)


class _Past:
    """The ledger at past commits, each file version parsed once (by blob id)."""

    def __init__(self, ledger: Ledger, repo: Repo) -> None:
        self.ledger = ledger
        self.repo = repo
        self.history = History(repo)
        self.files: dict[tuple[str, str, int], FileResult] = {}
        self.at: dict[str, Ledger | None] = {}

    def _read(self, path: str, data: bytes, year: int) -> FileResult:
        """A file version parsed; the loaded ledger's own parse when its file holds these
        very bytes in the same year (the last commit's files, mostly: a 60,000-task file
        was parsed again for the trend, a second of a site; issue 14)."""
        ledger = self.ledger
        if year == ledger.settings.year and ledger.sources.get(path) == data:
            mine = ledger.file(path)
            if mine is not None:
                return mine
        return parse_ledger_bytes(data, path, year)

    def ledger_at(self, sha: str) -> Ledger | None:
        if sha in self.at:
            return self.at[sha]
        cfg = self.history.config_of(sha)
        got: Ledger | None = None
        if cfg.settings is not None:
            settings = self.history.settings(cfg.settings)
            units = self.history.units(cfg.units)
            listing = self.repo.ledger_blobs(sha)
            want = [oid for path, oid in listing if (path, oid, settings.year) not in self.files]
            data = self.repo.blobs(want) if want else {}
            results: list[FileResult] = []
            for path, oid in listing:
                key = (path, oid, settings.year)
                if key not in self.files:
                    self.files[key] = self._read(path, data.get(oid, b""), settings.year)
                results.append(self.files[key])
            got = assemble(self.ledger.root, settings, units, self.ledger.calendar, results, [])
        self.at[sha] = got
        return got


def trend(ledger: Ledger, as_of: date, *, use_git: bool = True) -> list[Point]:
    """One point per week end from the ledger's first week to `as_of`."""
    settings = ledger.settings
    first = series_start(settings.bulletin.first_week, settings.year, as_of)
    days = week_ends(min(first, as_of), as_of)
    commits: list[Commit] = []
    repo: Repo | None = None
    if use_git:
        try:
            repo = Repo(ledger.root)
            commits = repo.log(["HEAD"]) if repo.has_commits() else []
        except FatalError:
            repo, commits = None, []
    out: list[Point] = []
    try:
        past = _Past(ledger, repo) if repo is not None else None
        # Each day's source: the ledger of the last commit dated on or before it, else today's.
        source: list[tuple[Ledger, str]] = []
        for day in days:
            last = None
            for c in commits:
                if c.day <= day:
                    last = c
            old = past.ledger_at(last.sha) if past is not None and last is not None else None
            source.append((old, last.sha[:10]) if old is not None and last is not None else (ledger, ""))
        for sha in dict.fromkeys(sha for _, sha in source):  # one ledger per commit ("" today's)
            these = [d for d, (_, s) in zip(days, source, strict=True) if s == sha]
            led = next(led for led, s in source if s == sha)
            got = weekly(led.tasks, led.children, led.settings, these, led.tracking_start())
            out.extend(
                Point(day=d, source="git" if sha else "rules", commit=sha, **fields)
                for d, fields in zip(these, got, strict=True)
            )
        out.sort(key=lambda p: p.day)
    finally:
        if repo is not None:
            repo.close()
    return out


def weekly(
    tasks: Sequence[Task],
    children: dict[str, list[Task]],
    settings: Settings,
    days: Sequence[date],
    tracking_since: date | None = None,
) -> list[dict[str, Any]]:
    """The trend's counts at each of `days`, as `point(evaluate_tasks(...), day)` gives
    them, without evaluating the whole ledger again for every day.

    Each task is followed through the days (`_follow`) with the rules of FORMAT's derived
    states, its reports — a parent's are its family's — sorted once and looked up by
    bisection (`_Reports`); a parent's rolled-up value is summed from its children's day by
    day in the order `evaluate_tasks` sums them (`_rolled_values`). Tests hold the result
    equal to evaluating the ledger at every day, on ledgers with sub-tasks, targets,
    extensions, milestones, kinds, `verify_done` and git history.
    """
    by_id: dict[str, Task] = {}
    for t in tasks:
        by_id.setdefault(t.id, t)
    reports = _reports_of(by_id, children)
    values = _rolled_values(by_id, children, reports, days)
    tally = _Tally(len(days))
    table = lookup(settings)
    for t in by_id.values():
        rule = kind_of(t, table) if t.kind is not None or t.assigned is not None else None
        every = rule.report_every if rule is not None and rule.report_every is not None else settings.report_every
        _follow(
            t,
            reports.get(t.id) or _Reports(()),
            values.get(t.id),
            days,
            tally,
            margin=settings.behind_margin,
            period=_PERIOD_DAYS.get(every),
            verify=settings.verify_done,
            tracking_since=tracking_since,
        )
    return tally.rows()


_PERIOD_DAYS = {"week": 7, "month": 31}  # as evaluate's: a report is owed every so many days


class _Tally:
    """The trend's counts, one slot per day."""

    def __init__(self, n: int) -> None:
        # total and done as differences (a run of days counted in O(1)), summed in rows()
        self.total_steps = [0] * (n + 1)
        self.done_steps = [0] * (n + 1)
        self.overdue = [0] * n
        self.milestone_overdue = [0] * n
        self.behind = [0] * n
        self.no_report = [0] * n
        self.expected: list[list[float]] = [[] for _ in range(n)]  # of open tasks with a measure
        self.actual: list[list[float]] = [[] for _ in range(n)]

    def count(self, lo: int, hi: int, *, done: bool = False) -> None:
        """The task counted among the tasks (and the done ones) on the days lo..hi-1."""
        if lo < hi:
            steps = self.done_steps if done else self.total_steps
            steps[lo] += 1
            steps[hi] -= 1
            if done:
                self.total_steps[lo] += 1
                self.total_steps[hi] -= 1

    def rows(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        total = done = 0
        for i in range(len(self.expected)):
            total += self.total_steps[i]
            done += self.done_steps[i]
            m = len(self.expected[i])
            out.append(
                {
                    "tasks": total,
                    "done": done,
                    "completion_rate": None if total == 0 else round(100.0 * done / total, 1),
                    "overdue": self.overdue[i],
                    "milestone_overdue": self.milestone_overdue[i],
                    "behind": self.behind[i],
                    "no_report": self.no_report[i],
                    "measured": m,
                    "expected_mean": _mean(self.expected[i]),
                    "actual_mean": _mean(self.actual[i]),
                }
            )
        return out


class _Reports:
    """A task's progress entries (a parent's: its whole family's, in ledger order) sorted
    by date once, to say what had been reported by any day: the last entry dated on or
    before it (`upto`), and of those the latest with a percent or a value — of one date,
    the last written, as `evaluate`'s `_latest_entry` picks it."""

    __slots__ = ("dates", "entries", "last_percent", "last_value")

    def __init__(self, entries: Iterable[Progress]) -> None:
        self.entries = sorted(entries, key=lambda p: p.date)  # stable: of one date, the last written last
        self.dates = [p.date for p in self.entries]
        self.last_percent: list[int] = []
        self.last_value: list[int] = []
        lp = lv = -1
        for j, p in enumerate(self.entries):
            if p.percent is not None:
                lp = j
            if p.value is not None:
                lv = j
            self.last_percent.append(lp)
            self.last_value.append(lv)

    def upto(self, d: date) -> int:
        """The index of the last entry dated on or before `d`; -1 when there is none."""
        return bisect_right(self.dates, d) - 1

    def percent(self, k: int) -> float | None:
        """The latest percent among the entries up to index `k`."""
        j = self.last_percent[k] if k >= 0 else -1
        return self.entries[j].percent if j >= 0 else None

    def value(self, k: int) -> float | None:
        j = self.last_value[k] if k >= 0 else -1
        got = self.entries[j].value if j >= 0 else None
        return None if got is None else float(got)


def _reports_of(by_id: dict[str, Task], children: dict[str, list[Task]]) -> dict[str, _Reports]:
    """Each task's reports: its own progress, or for a parent its family's (itself and
    every task below it, in ledger order, as `evaluate_tasks` gathers them)."""
    out = {
        pid: _Reports(p for member in family for p in member.progress)
        for pid, family in families(by_id, children).items()
    }
    for tid, t in by_id.items():
        if tid not in out and t.progress:
            out[tid] = _Reports(t.progress)
    return out


def _rolled_values(
    by_id: dict[str, Task],
    children: dict[str, list[Task]],
    reports: dict[str, _Reports],
    days: Sequence[date],
) -> dict[str, list[float | None]]:
    """For each parent with a target: its value at each day, the sum of its children's
    whose target unit matches (theirs rolled up in turn), else its family's latest value.

    `evaluate_tasks` sums them in the order it meets the tasks, remembering each result
    (which decides what a cycle of parents gives): so does this, day by day."""
    parents = [t for t in by_id.values() if t.id in children and t.target is not None and not t.invalid]
    out: dict[str, list[float | None]] = {t.id: [] for t in parents}
    if not parents:
        return out
    empty = _Reports(())
    for d in days:
        memo: dict[str, float | None] = {}

        def value(t: Task, seen: frozenset[str], d: date = d, memo: dict[str, float | None] = memo) -> float | None:
            if t.id in memo:
                return memo[t.id]
            unit = t.target.unit if t.target else None
            matching = [
                c
                for c in children.get(t.id, ())
                if t.target is not None
                and c.target is not None
                and c.target.unit == unit
                and c.id not in seen
                and by_id.get(c.id) is c
            ]
            if matching:
                got: float | None = sum(value(c, seen | {t.id}) or 0.0 for c in matching)
            else:
                r = reports.get(t.id, empty)
                got = r.value(r.upto(d))
            memo[t.id] = got
            return got

        for t in parents:
            out[t.id].append(value(t, frozenset()))
    return out


def _follow(
    t: Task,
    reports: _Reports,
    rolled: list[float | None] | None,
    days: Sequence[date],
    tally: _Tally,
    *,
    margin: float,
    period: int | None,
    verify: bool,
    tracking_since: date | None,
) -> None:
    """Add one task's states at each of `days` (ascending) to `tally` (FORMAT's derived
    states, as `evaluate_tasks` gives them; due_soon and unacknowledged count in no figure
    here). Without `verify_done` a task is done from its done date on: the days split into
    runs (not started, open, done) found by bisection, and only the open days are looked at
    one by one."""
    n = len(days)
    if t.invalid:  # state invalid: counted among the tasks, in no other figure
        tally.count(0, n)
        return
    if verify:
        _follow_verified(t, reports, rolled, days, tally, margin=margin, period=period, tracking_since=tracking_since)
        return
    if t.status == "done" and t.done is None:  # done without a date: done on every day
        tally.count(0, n, done=True)
        return
    first_done = n if t.done is None else bisect_left(days, t.done)  # done_as_of: t.done <= day
    tally.count(first_done, n, done=True)
    if t.status == "cancelled":
        return  # cancelled and not done: not counted
    tally.count(0, first_done)
    if t.status == "suspended":
        return  # in no other figure
    started = bisect_left(days, t.start)  # planned (t.start > day) before it: in no other figure
    _open_days(t, reports, rolled, days, range(started, first_done), tally, margin, period, tracking_since)


def _follow_verified(
    t: Task,
    reports: _Reports,
    rolled: list[float | None] | None,
    days: Sequence[date],
    tally: _Tally,
    *,
    margin: float,
    period: int | None,
    tracking_since: date | None,
) -> None:
    """`_follow` with `verify_done`: a done counts once verified, and a returned one is open
    again, so each day is looked at."""
    open_days: list[int] = []
    for i, d in enumerate(days):
        _, is_done = done_as_of(t, d)
        pending = False
        if is_done:
            _, is_done, pending = verification_as_of(t, d)
        if not is_done and not pending and t.status == "cancelled":
            continue  # cancelled: not counted
        tally.count(i, i + 1, done=is_done)
        if is_done or pending or t.status == "suspended" or t.start > d:
            continue  # pending verification, suspended or planned: in no other figure
        open_days.append(i)
    _open_days(t, reports, rolled, days, open_days, tally, margin, period, tracking_since)


def _open_days(
    t: Task,
    reports: _Reports,
    rolled: list[float | None] | None,
    days: Sequence[date],
    which: Iterable[int],
    tally: _Tally,
    margin: float,
    period: int | None,
    tracking_since: date | None,
) -> None:
    """The figures of an open (started, not done, not suspended) task on the days `which`."""
    target = t.target
    has_target = target is not None and target.direction == "at_least"
    deadline = t.due
    span = (deadline - t.start).days if deadline is not None else 0
    begin = max(t.start, tracking_since or t.start)  # no report is owed before tracking_since
    gap = timedelta(days=period or 0)
    late_from = len(days) if deadline is None else bisect_right(days, deadline)  # deadline < day
    missed = _milestones_missed(t, days)
    dates, entries, last_percent = reports.dates, reports.entries, reports.last_percent
    if not has_target and (not last_percent or last_percent[-1] < 0):  # never a measure: never behind
        owed_from = len(days) if period is None else bisect_left(days, begin + gap)  # (d - begin).days >= period
        _unmeasured_days(dates, days, which, tally, late_from, missed, owed_from, gap)
        return
    overdue, milestone_overdue = tally.overdue, tally.milestone_overdue
    behind, no_report = tally.behind, tally.no_report
    for i in which:
        d = days[i]
        if i >= late_from:
            overdue[i] += 1
        if missed is not None and missed[i]:
            milestone_overdue[i] += 1
        k = bisect_right(dates, d) - 1  # reports.upto(d)
        j = last_percent[k] if k >= 0 else -1
        actual = entries[j].percent if j >= 0 else None  # reports.percent(k)
        has_measure = actual is not None or has_target
        if actual is None and has_target and target is not None:
            value = rolled[i] if rolled is not None else reports.value(k)
            actual = reached_percent(value, target.value)
        expected: float | None = None
        if deadline is not None:
            if span <= 0:
                expected = 100.0 if d >= deadline else 0.0
            else:
                expected = min(100.0, max(0.0, 100.0 * (d - t.start).days / span))
        if has_measure and expected is not None and (actual or 0.0) < expected - margin:
            behind[i] += 1
        if period is not None and (d - begin).days >= period and not (k >= 0 and dates[k] > d - gap):
            no_report[i] += 1
        if has_measure:
            tally.expected[i].append(expected or 0.0)
            tally.actual[i].append(actual if actual is not None else 0.0)


def _unmeasured_days(
    dates: list[date],
    days: Sequence[date],
    which: Iterable[int],
    tally: _Tally,
    late_from: int,
    missed: list[bool] | None,
    owed_from: int,
    gap: timedelta,
) -> None:
    """`_open_days`'s figures of a task that has no measure on any day (no percent reported,
    no target to reach): overdue, a milestone overdue and no report, never behind and in
    neither mean (issue 14: 100,000 one-line tasks over 47 weeks were most of the trend)."""
    overdue, milestone_overdue, no_report = tally.overdue, tally.milestone_overdue, tally.no_report
    for i in which:
        if i >= late_from:
            overdue[i] += 1
        if missed is not None and missed[i]:
            milestone_overdue[i] += 1
        if i >= owed_from:
            if not dates:
                no_report[i] += 1
                continue
            d = days[i]
            k = bisect_right(dates, d) - 1
            if not (k >= 0 and dates[k] > d - gap):
                no_report[i] += 1


def _milestones_missed(t: Task, days: Sequence[date]) -> list[bool] | None:
    """For each day, whether a milestone of the task was overdue then (its date before the
    day, not done by the day); None when the task has no milestone."""
    if not t.milestones:
        return None
    out = [False] * len(days)
    for m in t.milestones:
        lo = bisect_right(days, m.due)  # m.due < day
        hi = len(days) if m.done is None else bisect_left(days, m.done)  # day < m.done
        for i in range(lo, hi):
            out[i] = True
    return out
