"""Two tasks share an id; ids must be unique across the whole ledger.

The second occurrence is reported, naming the file and line of the first.
"""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.problems import msg

CODE = "duplicate-id"
LEVEL = "error"
SCOPE = "ledger"  # the index of every task (ctx.rows)


def check(ctx: Context) -> Iterator[Found]:

    first: dict[str, tuple[str, int]] = {}
    for t in ctx.rows:
        seen = first.get(t.id)
        if seen is None:
            first[t.id] = (t.file, t.line)
            continue
        yield Found(
            t.file,
            t.line,
            t.column,
            msg("id.duplicate", id=t.id, first=f"{seen[0]}:{seen[1]}"),
            msg("id.duplicate.hint"),
            t.id,
        )
