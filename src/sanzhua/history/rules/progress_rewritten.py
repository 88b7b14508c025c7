"""A progress entry that was already committed was edited or removed (progress is append-only),
by an author who is not in `supervisors`.
"""

from __future__ import annotations

from sanzhua.history.blobs import entry_dict
from sanzhua.history.rules.base import Out, Who, progress_changes
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "progress-rewritten"
LEVEL = "error"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """Progress is append-only: a committed entry edited or removed, but by a supervisor."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    rewritten, _ = progress_changes(tc.old.task, tc.new.task)
    for before, after in rewritten:
        if after is not None:
            line = tc.new.entry_line("progress", after)
            m = msg("audit.progress-edited", task=tc.id, date=before.date.isoformat())
        else:
            line = tc.new.at("__task__")
            m = msg("audit.progress-removed", task=tc.id, date=before.date.isoformat())
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            line,
            m,
            entry_dict(before),
            entry_dict(after) if after is not None else None,
        )
