"""A committed `done` date changed by an author who is not in `supervisors`, with the
correction recorded in the same commit (`sanzhua done --correct --reason`): for the
supervisors to verify.

A correction is a progress entry the same commit adds that begins 更正 / correction,
as `sanzhua done --correct --reason` writes; the finding quotes it.
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out, Who, done_changes
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "done-corrected"
LEVEL = "warning"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """A committed done date (the task's or a milestone's) changed or removed, but by a supervisor."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    note, changes = done_changes(tc)
    if note is None:
        return
    for line, change, before, after in changes:
        out.add(CODE, tc.id, tc.new.file, line, msg("audit.done-corrected", change=change, note=note), before, after)
