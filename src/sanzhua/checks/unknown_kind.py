"""A task's `kind` (类型) names no kind: neither a built-in one nor one of sanzhua.yaml's `kinds`."""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.kinds import kind_of, lookup, rules_of
from sanzhua.load.keys import did_you_mean
from sanzhua.problems import msg

CODE = "unknown-kind"
LEVEL = "error"
SCOPE = "file"  # each task of ctx.ledger alone, with the settings' kinds


def check(ctx: Context) -> Iterator[Found]:
    table = lookup(ctx.ledger.settings)
    names = [r.name for r in rules_of(ctx.ledger.settings)]
    for t in ctx.ledger.tasks:
        if t.kind is None or kind_of(t, table) is not None:
            continue
        line, col = ctx.position(t, "kind", (t.line, t.column))
        guess = did_you_mean(t.kind, names)
        yield Found(
            t.file,
            line,
            col,
            msg("kind.unknown", kind=t.kind),
            msg("key.did-you-mean", guess=guess) if guess else msg("kind.unknown.hint", known="、".join(names)),
            t.id,
        )
