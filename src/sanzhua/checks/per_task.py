"""The checks that need only one task as its file wrote it (scope "task").

They run on a parsed file's own tasks (before a parent's deadline is inherited or a unit
name resolved), in file order, each task's findings in the order of TASK_CHECKS. The
check command caches their findings with the file's other results; the commands that
refuse to write a file with errors ask `file_problems` (what reading found and these).
"""

from __future__ import annotations

from types import ModuleType

from sanzhua.checks import (
    done_before_start,
    done_without_date,
    due_before_start,
    extension_mismatch,
    long_title,
    milestone_after_due,
    progress_regressed,
)
from sanzhua.load.ledgerfile import FileResult
from sanzhua.problems import Problem

TASK_CHECKS: tuple[ModuleType, ...] = (
    milestone_after_due,
    done_before_start,
    due_before_start,
    extension_mismatch,
    done_without_date,
    progress_regressed,
    long_title,
)
TASK_CODES = frozenset(m.CODE for m in TASK_CHECKS)


def task_problems(result: FileResult) -> list[Problem]:
    """The per-task checks' findings for the tasks of one parsed file."""
    out: list[Problem] = []
    path = result.path
    for task in result.tasks:
        positions = result.positions_of(task)
        for check in TASK_CHECKS:
            for f in check.check_task(task, positions):
                out.append(Problem(check.CODE, check.LEVEL, path, f.line, f.column, f.message, f.hint, task.id))
    return out


def file_problems(result: FileResult) -> list[Problem]:
    """Everything wrong with one file taken alone: what reading it found, and the per-task checks."""
    return [*result.problems, *task_problems(result)]
