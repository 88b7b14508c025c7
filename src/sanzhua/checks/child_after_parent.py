"""A share of a task (a child) is due after its parent."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.problems import msg

CODE = "child-due-after-parent"
LEVEL = "warning"
SCOPE = "file"  # each task of ctx.ledger alone, and of other files only what ctx.dues tells


def check(ctx: Context) -> Iterator[Found]:

    for t in ctx.ledger.tasks:
        p = ctx.dues.parent_due(t.parent) if t.parent else None
        if p is None or t.due is None or t.due_inherited:
            continue
        parent, parent_due = p
        if parent_due is not None and t.due > parent_due:
            line, col = ctx.position(t, "due", (t.line, t.column))
            yield Found(
                t.file,
                line,
                col,
                msg("child.after-parent", due=t.due.isoformat(), parent=parent, parent_due=parent_due.isoformat()),
                msg("child.after-parent.hint"),
                t.id,
            )
