"""The year week by week: completion rate, overdue, behind and unreported counts at the
end of each week, from the ledger as it stood then.

Where the ledger's git history reaches back to a week, that week is the ledger as
committed by its end (the last commit dated on or before it), evaluated at that day:
what the office knew then. Before the first commit, the current ledger is evaluated
with the as-of rules (progress and done dates up to the day, today's deadlines). Each
point says which of the two it is.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from math import fsum
from typing import Any

from sanzhua.errors import FatalError
from sanzhua.evaluate import Evaluation, evaluate_tasks
from sanzhua.history.git import Commit, Repo
from sanzhua.history.walk import History
from sanzhua.load import Ledger, assemble
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.model import Settings, Task
from sanzhua.report.brief import totals
from sanzhua.workdays import WorkCalendar


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
        expected_mean=round(fsum(s.expected_percent or 0.0 for s in measured) / n, 1) if n else None,
        actual_mean=round(fsum(s.percent or 0.0 for s in measured) / n, 1) if n else None,
    )


class _Past:
    """The ledger at past commits, each file version parsed once (by blob id)."""

    def __init__(self, ledger: Ledger, repo: Repo) -> None:
        self.ledger = ledger
        self.repo = repo
        self.history = History(repo)
        self.files: dict[tuple[str, str, int], FileResult] = {}
        self.at: dict[str, Ledger | None] = {}

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
                    self.files[key] = parse_ledger_bytes(data.get(oid, b""), path, settings.year)
                results.append(self.files[key])
            got = assemble(self.ledger.root, settings, units, self.ledger.calendar, results, [])
        self.at[sha] = got
        return got


def trend(ledger: Ledger, as_of: date, *, use_git: bool = True) -> list[Point]:
    """One point per week end from the ledger's first week to `as_of`."""
    settings = ledger.settings
    first = settings.bulletin.first_week or date(settings.year, 1, 1)
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
            got = weekly(led.tasks, led.children, led.settings, led.calendar, these, led.tracking_start())
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
    calendar: WorkCalendar,
    days: Sequence[date],
    tracking_since: date | None = None,
) -> list[dict[str, Any]]:
    """The trend's counts at each of `days`, as `point(evaluate(ledger, day), ...)` gives
    them, without evaluating the whole ledger again for every day.

    A task without sub-tasks (nearly all) is followed through the days with its progress
    sorted once and looked up by bisection; a task with sub-tasks, whose progress and value
    roll up from its family, is left to `evaluate_tasks` with its family. The rules are
    FORMAT's derived states; tests hold the result equal to the full evaluation.
    """
    by_id: dict[str, Task] = {}
    for t in tasks:
        by_id.setdefault(t.id, t)
    family: dict[str, Task] = {}
    for pid in children:
        parent = by_id.get(pid)
        if parent is None:
            continue
        stack = [parent]
        while stack:
            x = stack.pop()
            if x.id in family or by_id.get(x.id) is not x:
                continue
            family[x.id] = x
            stack.extend(children.get(x.id, ()))
    n = len(days)
    total = [0] * n
    done = [0] * n
    overdue = [0] * n
    ms_overdue = [0] * n
    behind = [0] * n
    no_report = [0] * n
    expected_sum: list[list[float]] = [[] for _ in range(n)]
    actual_sum: list[list[float]] = [[] for _ in range(n)]
    margin = settings.behind_margin
    period = {"week": 7, "month": 31}.get(settings.report_every)

    for t in by_id.values():
        if t.id in children and t.id in family:
            continue  # a parent: below, with its family
        if t.invalid:
            for i in range(n):
                total[i] += 1
            continue
        prog = sorted(t.progress, key=lambda p: p.date)  # stable: of one date, the last written last
        dates = [p.date for p in prog]
        last_pct: list[int] = []
        last_val: list[int] = []
        lp = lv = -1
        for j, p in enumerate(prog):
            if p.percent is not None:
                lp = j
            if p.value is not None:
                lv = j
            last_pct.append(lp)
            last_val.append(lv)
        target = t.target
        has_target = target is not None and target.direction == "at_least"
        deadline = t.due
        span = (deadline - t.start).days if deadline is not None else 0
        for i, d in enumerate(days):
            is_done = (t.done is not None and t.done <= d) or (t.status == "done" and t.done is None)
            if not is_done and t.status == "cancelled":
                continue
            total[i] += 1
            if is_done:
                done[i] += 1
                continue
            if t.status == "suspended" or t.start > d:
                continue
            if deadline is not None and deadline < d:
                overdue[i] += 1
            if any(m.due < d and (m.done is None or m.done > d) for m in t.milestones):
                ms_overdue[i] += 1
            k = bisect_right(dates, d) - 1
            pi = last_pct[k] if k >= 0 else -1
            has_measure = pi >= 0 or has_target
            actual: float | None = None
            if pi >= 0:
                actual = prog[pi].percent
            elif has_target and target is not None:
                vi = last_val[k] if k >= 0 else -1
                value = prog[vi].value if vi >= 0 else None
                actual = 100.0 * float(value or 0.0) / target.value if target.value else 0.0
            expected: float | None = None
            if deadline is not None:
                if span <= 0:
                    expected = 100.0 if d >= deadline else 0.0
                else:
                    expected = min(100.0, max(0.0, 100.0 * (d - t.start).days / span))
            if has_measure and expected is not None and (actual or 0.0) < expected - margin:
                behind[i] += 1
            recent = k >= 0 and dates[k] > d - timedelta(days=period or 0)
            begin = max(t.start, tracking_since or t.start)  # no report is owed before tracking_since
            if period is not None and (d - begin).days >= period and not recent:
                no_report[i] += 1
            if has_measure:
                expected_sum[i].append(expected or 0.0)
                actual_sum[i].append(actual if actual is not None else 0.0)

    if family:
        members = list(family.values())
        for i, d in enumerate(days):
            ev = evaluate_tasks(members, children, settings, calendar, d, tracking_since=tracking_since)
            for pid in children:
                st = ev.tasks.get(pid)
                if st is None or family.get(pid) is None:
                    continue
                states = st.states
                if "cancelled" in states:
                    continue
                total[i] += 1
                done[i] += "done" in states or "done_late" in states
                overdue[i] += "overdue" in states
                ms_overdue[i] += "milestone_overdue" in states
                behind[i] += "behind" in states
                no_report[i] += "no_report" in states
                if st.is_open and st.has_measure:
                    expected_sum[i].append(st.expected_percent or 0.0)
                    actual_sum[i].append(st.percent or 0.0)

    out: list[dict[str, Any]] = []
    for i in range(n):
        m = len(expected_sum[i])
        out.append(
            {
                "tasks": total[i],
                "done": done[i],
                "completion_rate": None if total[i] == 0 else round(100.0 * done[i] / total[i], 1),
                "overdue": overdue[i],
                "milestone_overdue": ms_overdue[i],
                "behind": behind[i],
                "no_report": no_report[i],
                "measured": m,
                "expected_mean": round(fsum(expected_sum[i]) / m, 1) if m else None,
                "actual_mean": round(fsum(actual_sum[i]) / m, 1) if m else None,
            }
        )
    return out
