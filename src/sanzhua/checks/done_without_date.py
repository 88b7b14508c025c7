"""A task with `status: done` but no `done` date (it counts as done)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "done-without-date"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "warning"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    if t.status == "done" and t.done is None:
        line, col = positions.get("status", (t.line, t.column))
        yield TaskFound(line, col, msg("done.no-date"), msg("done.no-date.hint"))
