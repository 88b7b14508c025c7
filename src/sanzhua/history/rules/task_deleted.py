"""A task removed from the ledger instead of being given `status: cancelled`.

A task is gone when its id is nowhere in the commit's tree; one renamed (its title followed to a new id) says so.
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out, Who, iso
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "task-deleted"
LEVEL = "error"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """A task gone from the ledger (its id nowhere in the commit's tree)."""
    if tc.old is None or tc.new is not None:
        return
    t = tc.old.task
    out.add(
        CODE,
        tc.id,
        tc.old.file,
        tc.old.line,
        msg("audit.task-deleted", task=tc.id, title=t.title)
        if tc.renamed_to is None
        else msg("audit.task-renamed", task=tc.id, title=t.title, new=tc.renamed_to),
        before={"id": t.id, "title": t.title, "status": t.status, "due": iso(t.due)},
    )
