"""The ledger's index: one small row per task, and the deadlines children inherit.

A file's rows depend on its content alone, so they are cached with it; the ledger-wide
checks and the deadline inheritance work on rows, and a re-check after a small change
rebuilds whole tasks only for the files that changed (sanzhua.commands.check).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sanzhua.load.ledgerfile import FileResult
from sanzhua.model import TaskRow

Due = tuple[date | None, str | None]  # a deadline and how it was written


def rows_of(result: FileResult) -> tuple[TaskRow, ...]:
    """One row per task of a parsed (not yet assembled) file, in file order."""
    out: list[TaskRow] = []
    for t in result.tasks:
        pos = result.positions_of(t)
        out.append(
            TaskRow(
                t.id,
                t.parent,
                None if t.due_inherited else t.due,
                None if t.due_inherited else t.due_text,
                t.file,
                t.line,
                t.column,
                pos.get("parent"),
                t.category,
            )
        )
    return tuple(out)


@dataclass
class Dues:
    """Who is who across the ledger, and the deadline of every task after inheritance.

    `first` is each id's first task in ledger order (a duplicated id means that one);
    `final` its deadline after inheritance; `inherited` the deadline taken from a parent,
    by (file, line), for every task that has none of its own and an ancestor that has one.
    """

    first: dict[str, TaskRow]
    final: dict[str, Due]
    inherited: dict[tuple[str, int], Due]

    def parent_due(self, parent: str) -> tuple[str, date | None] | None:
        """The parent's id and deadline (after inheritance), or None for an unknown id."""
        row = self.first.get(parent)
        if row is None:
            return None
        return row.id, self.final[row.id][0]

    def is_first(self, task_id: str, file: str, line: int) -> bool:
        """Whether the task at file:line is the first of its id (the one a duplicate means)."""
        row = self.first.get(task_id)
        return row is not None and row.file == file and row.line == line


def resolve(rows: Iterable[TaskRow]) -> Dues:
    """A child without a deadline takes its nearest ancestor's (following `parent` upward,
    through each id's first task, and stopping where the chain comes back on itself)."""
    rows = list(rows)
    first: dict[str, TaskRow] = {}
    for r in rows:
        first.setdefault(r.id, r)
    final: dict[str, Due] = {i: (r.due, r.due_text) for i, r in first.items()}
    inherited: dict[tuple[str, int], Due] = {}
    for r in rows:
        if r.due is not None or not r.parent:
            continue
        seen = {r.id}
        p = first.get(r.parent)
        while p is not None and final[p.id][0] is None and p.parent and p.parent not in seen:
            seen.add(p.id)
            p = first.get(p.parent)
        if p is not None and final[p.id][0] is not None:
            due = final[p.id]
            inherited[(r.file, r.line)] = due
            if first[r.id] is r:
                final[r.id] = due  # later children see it as their parent's own
    return Dues(first, final, inherited)
