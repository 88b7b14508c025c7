"""An open task past its deadline (a warning; `--fail-on overdue` makes it fail).

The number of days is calendar days since the deadline, as of `--as-of`.
"""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.dates import format_cn
from sanzhua.evaluate import days_overdue, verification_as_of
from sanzhua.problems import msg

CODE = "overdue"
LEVEL = "warning"
SCOPE = "file"  # each task of ctx.ledger alone, and of other files only what ctx.dues tells


def check(ctx: Context) -> Iterator[Found]:

    # The same rule as the evaluation's `overdue` state, without evaluating everything else.
    is_first = ctx.dues.is_first
    verify = ctx.ledger.settings.verify_done
    for t in ctx.ledger.tasks:
        if not is_first(t.id, t.file, t.line):
            continue  # a duplicated id is evaluated once, as in sanzhua.evaluate
        days = days_overdue(t, ctx.as_of)
        if days is None and verify and t.returned and t.due is not None and t.due < ctx.as_of:
            # issue 20: a done sent back (returned) is open again, as the evaluation has it
            _, done, pending = verification_as_of(t, ctx.as_of)
            if not done and not pending and t.status not in ("suspended", "cancelled") and not t.invalid:
                days = (ctx.as_of - t.due).days
        if days is not None and t.due is not None:
            line, col = ctx.position(t, "due", (t.line, t.column))
            yield Found(
                t.file,
                line,
                col,
                msg("overdue.task", title=t.title, days=days, due=format_cn(t.due), due_iso=t.due.isoformat()),
                msg("overdue.hint"),
                t.id,
            )
