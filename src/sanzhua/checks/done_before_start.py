"""A task's `done` date is before its `start`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "done-before-start"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "error"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    if t.done is not None and t.start_given and t.done < t.start:
        line, col = positions.get("done", (t.line, t.column))
        yield TaskFound(
            line,
            col,
            msg("done.before-start", done=t.done.isoformat(), start=t.start.isoformat()),
            msg("done.before-start.hint"),
        )
