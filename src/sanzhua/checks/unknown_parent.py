"""A task's `parent` names a task id that does not exist."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.load.keys import did_you_mean
from sanzhua.problems import msg

CODE = "unknown-parent"
LEVEL = "error"
SCOPE = "ledger"  # the index of every task (ctx.rows)


def check(ctx: Context) -> Iterator[Found]:

    ids = ctx.dues.first
    for t in ctx.rows:
        if t.parent and t.parent not in ids:
            line, col = t.parent_pos or (t.line, t.column)
            guess = did_you_mean(t.parent, list(ids))
            hint = msg("parent.unknown.hint", guess=guess) if guess else msg("parent.unknown.hint-plain")
            yield Found(t.file, line, col, msg("parent.unknown", parent=t.parent), hint, t.id)
