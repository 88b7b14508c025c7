"""Tasks whose `parent` chain comes back to themselves (A → B → A)."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.model import TaskRow
from sanzhua.problems import msg

CODE = "parent-cycle"
LEVEL = "error"
SCOPE = "ledger"  # the index of every task (ctx.rows)


def check(ctx: Context) -> Iterator[Found]:
    """Each cycle once, from its member first in the files; linear in the number of tasks
    (a chain of 5,000 parents, each walked to its top, took minutes)."""
    by_id = ctx.dues.first
    members = _in_cycles(ctx)
    reported: set[str] = set()
    for t in ctx.rows:
        if t.id not in members or t.id in reported or by_id.get(t.id) is not t:
            continue
        chain = [t.id]
        cur = by_id[t.parent] if t.parent else None
        while cur is not None and cur.id != t.id:
            chain.append(cur.id)
            cur = by_id.get(cur.parent) if cur.parent else None
        reported.update(chain)
        line, col = t.parent_pos or (t.line, t.column)
        yield Found(
            t.file, line, col, msg("parent.cycle", chain=" → ".join([*chain, t.id])), msg("parent.cycle.hint"), t.id
        )


def _in_cycles(ctx: Context) -> set[str]:
    """The ids on a cycle of `parent` links: every task is walked up once, stopping at one
    an earlier walk has seen."""
    by_id = ctx.dues.first
    seen: set[str] = set()
    members: set[str] = set()
    for t in ctx.rows:
        if not t.parent or t.id in seen or by_id.get(t.id) is not t:
            continue
        path: dict[str, int] = {}
        cur: TaskRow | None = t
        while cur is not None and cur.id not in seen and cur.id not in path:
            path[cur.id] = len(path)
            cur = by_id.get(cur.parent) if cur.parent else None
        if cur is not None and cur.id in path:
            members.update(list(path)[path[cur.id] :])
        seen.update(path)
    return members
