"""Tasks whose `parent` chain comes back to themselves (A → B → A)."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.problems import msg

CODE = "parent-cycle"
LEVEL = "error"
SCOPE = "ledger"  # the index of every task (ctx.rows)


def check(ctx: Context) -> Iterator[Found]:

    by_id = ctx.dues.first
    reported: set[str] = set()
    for t in ctx.rows:
        if not t.parent or t.id in reported or by_id.get(t.id) is not t:
            continue
        chain = [t.id]
        cur = by_id.get(t.parent)
        while cur is not None and cur.id not in chain:
            chain.append(cur.id)
            cur = by_id.get(cur.parent) if cur.parent else None
        if cur is None or cur.id != t.id:
            continue  # no cycle, or a cycle further up that its own members report
        reported.update(chain)
        line, col = t.parent_pos or (t.line, t.column)
        yield Found(
            t.file, line, col, msg("parent.cycle", chain=" → ".join([*chain, t.id])), msg("parent.cycle.hint"), t.id
        )
