"""A task's or milestone's `done` date that was already committed was changed or removed, by an
author who is not in `supervisors`.

One the same commit records as a correction is `done-corrected` instead.
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out, Who, done_changes
from sanzhua.history.walk import TaskChange

CODE = "done-rewritten"
LEVEL = "error"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """A committed done date (the task's or a milestone's) changed or removed, but by a supervisor."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    note, changes = done_changes(tc)
    if note is not None:
        return
    for line, change, before, after in changes:
        out.add(CODE, tc.id, tc.new.file, line, change, before, after)
