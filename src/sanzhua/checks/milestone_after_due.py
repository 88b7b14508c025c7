"""A milestone falls due after its task's deadline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "milestone-after-due"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "warning"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    if t.due is None:
        return
    for i, m in enumerate(t.milestones):
        if m.due > t.due:
            line, col = positions.get(f"milestone:{i}:due", (m.line, 1))
            yield TaskFound(
                line,
                col,
                msg("milestone.after-due", name=m.name, ms_due=m.due.isoformat(), due=t.due.isoformat()),
                msg("milestone.after-due.hint"),
            )
