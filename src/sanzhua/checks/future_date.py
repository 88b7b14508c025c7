"""A progress entry or done date after the as-of date: it has not happened yet and is ignored."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "future-date"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    as_of = ctx.as_of
    for t in ctx.ledger.tasks:
        if t.latest_entry is not None and t.latest_entry > as_of:
            # A slim ledger (sanzhua check) leaves progress out; fetch the task whole for its lines.
            full = ctx.ledger.full_task(t) if not t.progress else t
            progress = full.progress if full is not None else ()
        else:
            progress = ()
        for p in progress:
            if p.date > as_of:
                yield Found(
                    t.file,
                    p.line,
                    1,
                    msg("future.progress", date=p.date.isoformat(), as_of=as_of.isoformat()),
                    msg("future.hint"),
                    t.id,
                )
        if t.done is not None and t.done > as_of:
            line, col = ctx.position(t.id, t.file, "done", (t.line, t.column))
            yield Found(
                t.file,
                line,
                col,
                msg("future.done", date=t.done.isoformat(), as_of=as_of.isoformat()),
                msg("future.hint"),
                t.id,
            )
