"""The last extension's new deadline (`to`) is not the task's `due`.

An extension moves the deadline; the two must agree, or nobody can tell which holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "extension-mismatch"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "error"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    # A task's own deadline only: an inherited one (no `due` written) has nothing to match.
    if not t.extensions or t.due is None:
        return
    last = t.extensions[-1]
    if last.to != t.due:
        line, col = positions.get("due", (t.line, t.column))
        yield TaskFound(
            line,
            col,
            msg("extension.mismatch", to=last.to.isoformat(), due=t.due.isoformat()),
            msg("extension.mismatch.hint"),
        )
