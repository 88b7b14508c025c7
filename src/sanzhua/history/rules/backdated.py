"""A `done` date, milestone `done` date or progress entry dated more than `backdate_days`
(default 7) before the commit that added it, on a task that already existed.
"""

from __future__ import annotations

from datetime import date

from sanzhua.history.blobs import entry_dict, pair_milestones
from sanzhua.history.rules.base import Out, Who, iso, progress_changes
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "backdated"
LEVEL = "warning"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """Dates written well before the commit that wrote them, on a task that already existed.
    The commit's date is the day it was made (`Step.made`): its committer date, and no
    earlier than its parent's; an author date can be set to anything (git commit --date)."""
    if tc.old is None or tc.new is None:
        return
    limit = out.step.settings.backdate_days
    day = out.step.made or max(out.step.commit.day, out.step.commit.committed_day)
    old, new = tc.old.task, tc.new.task

    def late(d: date | None) -> int | None:
        if d is None:
            return None
        days = (day - d).days
        return days if days > limit else None

    _, added = progress_changes(old, new)
    for p in added:
        days = late(p.date)
        if days is not None:
            out.add(
                CODE,
                tc.id,
                tc.new.file,
                tc.new.entry_line("progress", p),
                msg(
                    "audit.backdated-progress",
                    task=tc.id,
                    date=p.date.isoformat(),
                    commit_date=day.isoformat(),
                    days=days,
                    limit=limit,
                ),
                None,
                entry_dict(p),
            )
    if new.done is not None and new.done != old.done:
        days = late(new.done)
        if days is not None:
            out.add(
                CODE,
                tc.id,
                tc.new.file,
                tc.new.at("done"),
                msg(
                    "audit.backdated-done",
                    task=tc.id,
                    date=new.done.isoformat(),
                    commit_date=day.isoformat(),
                    days=days,
                    limit=limit,
                ),
                iso(old.done),
                new.done.isoformat(),
            )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or m is None or m.done is None or m.done == was.done:
            continue
        days = late(m.done)
        if days is not None:
            out.add(
                CODE,
                tc.id,
                tc.new.file,
                tc.new.entry_line("milestones", m),
                msg(
                    "audit.backdated-milestone",
                    task=tc.id,
                    name=m.name,
                    date=m.done.isoformat(),
                    commit_date=day.isoformat(),
                    days=days,
                    limit=limit,
                ),
                iso(was.done),
                m.done.isoformat(),
            )
