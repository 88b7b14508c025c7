"""The last extension's new deadline (`to`) is not the task's `due`.

An extension moves the deadline; the two must agree, or nobody can tell which holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "extension-mismatch"
LEVEL = "error"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    for t in ctx.ledger.tasks:
        if not t.extensions or t.due is None or t.due_inherited:
            continue
        last = t.extensions[-1]
        if last.to != t.due:
            line, col = ctx.position(t.id, t.file, "due", (t.line, t.column))
            yield Found(t.file, line, col, msg("extension.mismatch", to=last.to.isoformat(), due=t.due.isoformat()),
                        msg("extension.mismatch.hint"), t.id)
