"""A task's deadline (`due`) is before its `start`: it could never be done in time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "due-before-start"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "error"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    # Only a start that is written: the default (1 January) is never after a deadline of the year.
    if t.due is not None and t.start_given and t.due < t.start:
        line, col = positions.get("due", (t.line, t.column))
        yield TaskFound(
            line,
            col,
            msg("due.before-start", due=t.due.isoformat(), start=t.start.isoformat()),
            msg("due.before-start.hint"),
        )
