"""A task has no deadline (`due`), and no parent to take one from."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.problems import msg

CODE = "missing-key"
LEVEL = "error"
SCOPE = "file"  # each task of ctx.ledger alone, and of other files only what ctx.dues tells


def check(ctx: Context) -> Iterator[Found]:

    for t in ctx.ledger.tasks:  # deadlines already inherited from parents
        if t.due is None:
            f = ctx.ledger.file(t.file)
            if f is not None and "due" in f.positions_of(t):
                continue  # written but unreadable: invalid-date says so
            yield Found(t.file, t.line, t.column, msg("task.no-due"), msg("task.no-due.hint"), t.id)
