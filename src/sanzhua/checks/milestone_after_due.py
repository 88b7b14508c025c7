"""A milestone falls due after its task's deadline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "milestone-after-due"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    for t in ctx.ledger.tasks:
        if t.due is None:
            continue
        for m in t.milestones:
            if m.due > t.due:
                yield Found(t.file, m.line, 1, msg("milestone.after-due", name=m.name, ms_due=m.due.isoformat(),
                                                   due=t.due.isoformat()), msg("milestone.after-due.hint"), t.id)
