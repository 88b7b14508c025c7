"""A progress entry, done date or milestone done date after the as-of date: it has not
happened yet and is ignored."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.problems import msg

CODE = "future-date"
LEVEL = "warning"
SCOPE = "file"  # each task of ctx.ledger alone, and of other files only what ctx.dues tells


def check(ctx: Context) -> Iterator[Found]:

    as_of = ctx.as_of
    for t in ctx.ledger.tasks:
        late_entry = t.latest_entry is not None and t.latest_entry > as_of
        late_mark = t.latest_mark is not None and t.latest_mark > as_of
        if late_entry or late_mark:
            progress = t.progress if late_entry else ()
            milestones = t.milestones if late_mark else ()
        else:
            progress = milestones = ()
        for i, m in enumerate(milestones):
            if m.done is not None and m.done > as_of:
                line, col = ctx.position(t, f"milestone:{i}:done", (m.line, 1))
                yield Found(
                    t.file,
                    line,
                    col,
                    msg("future.milestone", name=m.name, date=m.done.isoformat(), as_of=as_of.isoformat()),
                    msg("future.hint"),
                    t.id,
                )
        for i, p in enumerate(progress):
            if p.date > as_of:
                line, col = ctx.position(t, f"progress:{i}", (p.line, 1))
                yield Found(
                    t.file,
                    line,
                    col,
                    msg("future.progress", date=p.date.isoformat(), as_of=as_of.isoformat()),
                    msg("future.hint"),
                    t.id,
                )
        if t.done is not None and t.done > as_of:
            line, col = ctx.position(t, "done", (t.line, t.column))
            yield Found(
                t.file,
                line,
                col,
                msg("future.done", date=t.done.isoformat(), as_of=as_of.isoformat()),
                msg("future.hint"),
                t.id,
            )
