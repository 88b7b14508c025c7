"""A progress entry's percent is lower than the one before it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "progress-regressed"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "warning"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    # By date; of two entries on one day, in the order written (as "latest" is read).
    entries = sorted(
        ((p.date, i, p.percent) for i, p in enumerate(t.progress) if p.percent is not None), key=lambda e: e[:2]
    )
    for (day, _, before), (_, i, now) in itertools.pairwise(entries):
        assert before is not None and now is not None
        if now < before:
            line, col = positions.get(f"progress:{i}", (t.progress[i].line, t.column))
            yield TaskFound(
                line,
                col,
                msg("progress.regressed", percent=_num(now), previous=_num(before), previous_date=day.isoformat()),
                msg("progress.regressed.hint"),
            )


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)
