"""A task with `status: done` but no `done` date (it counts as done)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "done-without-date"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    for t in ctx.ledger.tasks:
        if t.status == "done" and t.done is None:
            line, col = ctx.position(t.id, t.file, "status", (t.line, t.column))
            yield Found(t.file, line, col, msg("done.no-date"), msg("done.no-date.hint"), t.id)
