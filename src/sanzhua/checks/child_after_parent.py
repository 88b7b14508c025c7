"""A share of a task (a child) is due after its parent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "child-due-after-parent"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    by_id = ctx.ledger.by_id
    for t in ctx.ledger.tasks:
        p = by_id.get(t.parent) if t.parent else None
        if p is None or t.due is None or p.due is None or t.due_inherited:
            continue
        if t.due > p.due:
            line, col = ctx.position(t.id, t.file, "due", (t.line, t.column))
            yield Found(
                t.file,
                line,
                col,
                msg("child.after-parent", due=t.due.isoformat(), parent=p.id, parent_due=p.due.isoformat()),
                msg("child.after-parent.hint"),
                t.id,
            )
