"""The audit over a range of history: every commit compared with its parent, and the
findings of the rules (sanzhua.history.rules) on each. `sanzhua audit` prints them."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from pathlib import Path

from sanzhua.errors import FatalError
from sanzhua.history.git import Repo
from sanzhua.history.rules import audit_step, cut_finding, specials_in_tree
from sanzhua.history.walk import History
from sanzhua.problems import Msg, Problem, msg

_DAY = re.compile(r"\s*([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?\s*")
_NOW_WORDS = frozenset(("now", "today"))


def since_day(repo: Repo, since: str) -> tuple[str, date | None]:
    """`--since` as git should read it, and the first day to keep when it names a day.

    A day (2026-10-01, 2026/10/1, 2026年10月1日) keeps the commits whose author date, in
    the author's time zone, is that day or later — the date every finding shows. Git
    would read it as that day at the current time of day, in this machine's time zone,
    and compare committer dates; so git is asked for a few days more and the commits
    are kept by their own date. Anything else (`2 weeks ago`) goes to git as it is.
    """
    m = _DAY.fullmatch(since)
    if m is not None:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as e:
            raise FatalError(msg("audit.no-such-day", since=since), msg("audit.no-such-day.hint")) from e
        return (day - timedelta(days=3)).isoformat(), day
    if since.strip().lower() not in _NOW_WORDS:
        # git reads any text it does not understand as "now", which would silently audit nothing
        out = repo.git("rev-parse", f"--since={since}").decode().strip()
        stamp = out.removeprefix("--max-age=")
        if stamp.isdigit() and abs(int(stamp) - time.time()) < 5:
            raise FatalError(
                msg("audit.unreadable-since", since=since), msg("audit.unreadable-since.hint", example="'2 weeks ago'")
            )
    return since, None


def baseline_of(repo: Repo, baseline: str, tip: str) -> str:
    """The commit `--baseline` names; it must be in the history being audited."""
    sha = repo.commit_id(baseline)
    if sha is None:
        raise FatalError(
            msg("audit.no-baseline", baseline=baseline), msg("audit.no-baseline.hint", command="git log --oneline")
        )
    if not repo.is_ancestor(sha, tip):
        raise FatalError(msg("audit.baseline-elsewhere", sha=sha[:10], tip=tip), msg("audit.baseline-elsewhere.hint"))
    return sha


def collect(
    root: Path,
    *,
    since: str | None = None,
    rev_range: str | None = None,
    baseline: str | None = None,
    notes: list[Msg] | None = None,
) -> tuple[list[Problem], int]:
    """Every finding over the range (default: all of the history of HEAD), and the commits seen.
    `baseline`: a commit the record starts at (nothing before it is judged). `notes` receives
    warnings about the run itself (a shallow clone)."""
    repo = Repo(root)
    try:
        git_since, first_day = since_day(repo, since) if since else (None, None)
        if not repo.has_commits():
            if baseline is not None:
                baseline_of(repo, baseline, "HEAD")
            return [], 0
        if notes is not None and repo.is_shallow():
            notes.append(Msg("audit.shallow", {}))
        revisions = [rev_range] if rev_range else ["HEAD"]
        if baseline is not None:
            tip = rev_range.split("..")[-1].lstrip(".") if rev_range and ".." in rev_range else (rev_range or "HEAD")
            revisions.append("^" + baseline_of(repo, baseline, tip or "HEAD"))
        commits = repo.log(revisions, git_since)
        if first_day is not None:
            # by either date: a commit made on or after the day is audited whatever its author date says
            commits = [c for c in commits if c.day >= first_day or c.committed_day >= first_day]
        history = History(repo)
        steps = list(history.walk(commits))
        signed = repo.signatures([s.commit.sha for s in steps if s.settings.require_signed])
        findings: list[Problem] = []
        for step in steps:
            findings.extend(audit_step(step, signed.get(step.commit.sha)))
        if history.cut is not None:
            findings.extend(cut_finding(history.cut))
        if commits:
            # symlinks and cache files the walked commits did not bring in, but the tree holds
            seen = {path for step in steps for path, _ in step.specials}
            left = [(p, k) for p, k in repo.specials(commits[-1].sha) if p not in seen]
            findings.extend(specials_in_tree(commits[-1], left))
        return findings, len(commits)
    finally:
        repo.close()
