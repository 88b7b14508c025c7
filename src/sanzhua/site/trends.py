"""The year week by week: completion rate, overdue, behind and unreported counts at the
end of each week, from the ledger as it stood then.

Where the ledger's git history reaches back to a week, that week is the ledger as
committed by its end (the last commit dated on or before it), evaluated at that day:
what the office knew then. Before the first commit, the current ledger is evaluated
with the as-of rules (progress and done dates up to the day, today's deadlines). Each
point says which of the two it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sanzhua.errors import FatalError
from sanzhua.evaluate import Evaluation, evaluate, evaluate_tasks
from sanzhua.history.git import Commit, Repo
from sanzhua.history.walk import History
from sanzhua.load import Ledger, assemble
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
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
        expected_mean=round(sum(s.expected_percent or 0.0 for s in measured) / n, 1) if n else None,
        actual_mean=round(sum(s.percent or 0.0 for s in measured) / n, 1) if n else None,
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
        for day in days:
            last = None
            for c in commits:
                if c.day <= day:
                    last = c
            old = past.ledger_at(last.sha) if past is not None and last is not None else None
            if old is not None and last is not None:
                ev = evaluate_tasks(old.tasks, old.children, old.settings, old.calendar, day)
                out.append(point(ev, day, "git", last.sha[:10]))
            else:
                out.append(point(evaluate(ledger, day), day, "rules"))
    finally:
        if repo is not None:
            repo.close()
    return out
