"""A task lacks a key its kind requires, or a done 人大建议/政协提案 has no satisfaction.

The keys are the kind's `requires` (e.g. `assigned` and `source` for a 领导批示件); a
kind with `satisfaction: true` (人大代表建议, 政协委员提案) needs `satisfaction`
(满意度) once the task is done."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.evaluate import done_as_of
from sanzhua.kinds import kind_of, lookup
from sanzhua.load.keys import TASK_KEYS
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.model import Task

CODE = "kind-requires"
LEVEL = "error"
SCOPE = "file"  # each task of ctx.ledger alone, with the settings' kinds


def _has(t: Task, key: str) -> bool:
    if key == "lead":
        return t.lead_given
    if key == "progress":
        return bool(t.progress)
    value = getattr(t, key, None)
    return value is not None and value != ()


def check(ctx: Context) -> Iterator[Found]:
    table = lookup(ctx.ledger.settings)
    for t in ctx.ledger.tasks:
        if t.kind is None and t.assigned is None:
            continue
        rule = kind_of(t, table)
        if rule is None:
            continue  # unknown-kind says so
        missing = [k for k in rule.requires if not _has(t, k)]
        if rule.satisfaction and t.satisfaction is None and done_as_of(t, ctx.as_of)[1]:
            missing.append("satisfaction")
        if missing:
            line, col = ctx.position(t, "kind", (t.line, t.column))
            shown = "、".join(f"{k}（{TASK_KEYS.get(k, k)}）" for k in missing)
            yield Found(
                t.file,
                line,
                col,
                msg("kind.requires", kind=rule.name, keys=shown),
                msg("kind.requires.hint", kind=rule.name),
                t.id,
            )
