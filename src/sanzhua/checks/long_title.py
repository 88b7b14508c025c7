"""A title longer than the bulletins and the site's pages show (textsafe.SHOWN_CHARS
characters): they show its first part and how many characters they left out; the task's
own page, `show` and the exports keep it whole (issue 14)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.found import TaskFound
from sanzhua.problems import msg
from sanzhua.textsafe import SHOWN_CHARS

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "long-title"
SCOPE = "task"  # needs only the task itself: runs while each file is read, cached with it
LEVEL = "warning"


def check_task(t: Task, positions: dict[str, tuple[int, int]]) -> Iterator[TaskFound]:
    if len(t.title) > SHOWN_CHARS:
        line, col = positions.get("title", (t.line, t.column))
        yield TaskFound(line, col, msg("title.long", chars=len(t.title), limit=SHOWN_CHARS), msg("title.long.hint"))
