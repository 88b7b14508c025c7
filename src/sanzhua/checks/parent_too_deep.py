"""A task more than MAX_PARENT_DEPTH levels below its top task (`parent` of `parent` ...):
a parent's progress is its family's, counted that deep and no deeper."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.evaluate import MAX_PARENT_DEPTH
from sanzhua.model import TaskRow
from sanzhua.problems import msg

CODE = "parent-too-deep"
LEVEL = "error"
SCOPE = "ledger"  # the index of every task (ctx.rows)


def check(ctx: Context) -> Iterator[Found]:
    """The first task of each chain that goes deeper than the limit (not every task below
    it: one error says what to mend)."""
    depth = _depths(ctx)
    by_id = ctx.dues.first
    for t in ctx.rows:
        if by_id.get(t.id) is t and depth.get(t.id) == MAX_PARENT_DEPTH + 1:
            line, col = t.parent_pos or (t.line, t.column)
            yield Found(
                t.file,
                line,
                col,
                msg("parent.too-deep", task=t.id, depth=MAX_PARENT_DEPTH + 1, limit=MAX_PARENT_DEPTH),
                msg("parent.too-deep.hint"),
                t.id,
            )


def _depths(ctx: Context) -> dict[str, int]:
    """Each task's number of ancestors, every task walked up once (a cycle, which
    parent-cycle reports, counts as a top)."""
    by_id = ctx.dues.first
    depth: dict[str, int] = {}
    for t in ctx.rows:
        if t.id in depth or by_id.get(t.id) is not t:
            continue
        if not t.parent:  # a top task (most are): no walk (60,000 rows: 0.05 -> 0.02 s; issue 17)
            depth[t.id] = 0
            continue
        path: list[TaskRow] = []
        on_path: set[str] = set()
        cur: TaskRow | None = t
        while cur is not None and cur.id not in depth and cur.id not in on_path:
            path.append(cur)
            on_path.add(cur.id)
            cur = by_id.get(cur.parent) if cur.parent else None
        if cur is not None and cur.id in on_path:  # a cycle: its members are tops
            start = next(i for i, p in enumerate(path) if p.id == cur.id)
            depth.update((p.id, 0) for p in path[start:])
            path, level = path[:start], 0
        else:
            level = depth[cur.id] if cur is not None else -1
        for p in reversed(path):
            level += 1
            depth[p.id] = level
    return depth
