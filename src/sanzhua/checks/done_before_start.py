"""A task's `done` date is before its `start`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "done-before-start"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    for t in ctx.ledger.tasks:
        if t.done is not None and t.start_given and t.done < t.start:
            line, col = ctx.position(t.id, t.file, "done", (t.line, t.column))
            yield Found(t.file, line, col, msg("done.before-start", done=t.done.isoformat(), start=t.start.isoformat()),
                        msg("done.before-start.hint"), t.id)
