"""A task's or milestone's deadline moved later with no new extension entry whose `to` is the
new deadline.

An extension recorded in the same commit (`sanzhua extend`) makes the move visible;
whether its author may record one is `extension-unauthorized`.
"""

from __future__ import annotations

from sanzhua.history.blobs import pair_milestones
from sanzhua.history.rules.base import Out, Who, extension_for, iso
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "deadline-moved"
LEVEL = "error"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """The task's deadline, or a milestone's, moved later with no extension to the new date."""
    if tc.old is None or tc.new is None:
        return
    old, new = tc.old.task, tc.new.task
    late = old.due is not None and new.due is not None and new.due > old.due
    if late and new.due is not None and not extension_for(old, new, new.due):
        before, after = iso(old.due), iso(new.due)
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            tc.new.at("due"),
            msg("audit.deadline-moved", task=tc.id, before=before, after=after),
            before,
            after,
        )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or m is None or was.due == m.due:
            continue
        if m.due > was.due and not extension_for(old, new, m.due):
            before, after = was.due.isoformat(), m.due.isoformat()
            moved = (
                msg("audit.milestone-moved", task=tc.id, name=m.name, before=before, after=after)
                if was.name == m.name
                else msg(
                    "audit.milestone-renamed-moved", task=tc.id, old=was.name, name=m.name, before=before, after=after
                )
            )
            out.add(CODE, tc.id, tc.new.file, tc.new.entry_line("milestones", m), moved, before, after)
