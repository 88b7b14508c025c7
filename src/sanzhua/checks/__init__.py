"""The named checks of `sanzhua check`: one module each, registered below.

A check module has `CODE` (a stable kebab-case id users select and ignore), `LEVEL`
("error" or "warning"), `SCOPE`, a docstring that is its user documentation, and
`check(ctx)` yielding `Found` values. The runner, not the check, stamps the code
and level on each problem. Problems found while loading (syntax, encoding,
unknown-key, ...) are listed in `sanzhua.checks.parse`.

The scope says what a check may look at, which is what lets a re-check after a small
change redo only the files that changed (sanzhua.commands.check):
- "task": one task alone, as its file wrote it (sanzhua.checks.per_task);
- "file": the tasks of `ctx.ledger`, one at a time, and of the rest of the ledger
  only what `ctx.dues` tells (a parent's deadline, whether an id is the first of its
  kind); its findings for a file are all about that file;
- "ledger": `ctx.rows`, the index of every task in the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from types import ModuleType

from sanzhua.checks import (
    child_after_parent,
    confusable_id,
    done_before_start,
    done_without_date,
    due_before_start,
    duplicate_id,
    extension_mismatch,
    future_date,
    kind_requires,
    long_title,
    milestone_after_due,
    missing_due,
    no_supervisors,
    overdue,
    parent_cycle,
    parent_too_deep,
    progress_regressed,
    scoring_rules,
    unknown_kind,
    unknown_parent,
    unknown_unit,
)
from sanzhua.checks import parse as parse_codes
from sanzhua.checks.context import Context
from sanzhua.checks.found import Found, TaskFound
from sanzhua.checks.per_task import TASK_CODES, task_problems
from sanzhua.problems import Problem

__all__ = ["ALL_CODES", "CHECKS", "Context", "Found", "TaskFound", "run_checks"]

CHECKS: dict[str, ModuleType] = {
    m.CODE: m
    for m in (
        unknown_unit,
        duplicate_id,
        confusable_id,
        unknown_parent,
        parent_cycle,
        parent_too_deep,
        missing_due,
        overdue,
        milestone_after_due,
        done_before_start,
        due_before_start,
        future_date,
        child_after_parent,
        extension_mismatch,
        done_without_date,
        progress_regressed,
        long_title,  # issue 14
        scoring_rules,
        no_supervisors,
        unknown_kind,  # issue 20
        kind_requires,  # issue 20
    )
}

# Every code a problem can carry, with its level and one line of documentation.
ALL_CODES: dict[str, tuple[str, str]] = {
    **{code: (m.LEVEL, (m.__doc__ or "").strip().splitlines()[0]) for code, m in CHECKS.items()},
    **parse_codes.CODES,  # the loader's description wins where a check shares its code (missing-key)
}


def run_checks(ctx: Context, codes: Iterable[str] | None = None, scope: str | None = None) -> list[Problem]:
    """Run the named checks (all when `codes` is None) of one scope ("task", "file" or
    "ledger", all three when None) and stamp their findings."""
    wanted = None if codes is None else set(codes)
    out: list[Problem] = []
    if scope in (None, "task") and (wanted is None or wanted & TASK_CODES):
        for fr in ctx.ledger.files:
            out.extend(p for p in task_problems(fr) if wanted is None or p.code in wanted)
    for code, module in CHECKS.items():
        if wanted is not None and code not in wanted:
            continue
        if module.SCOPE == "task":
            continue  # above
        if scope is not None and scope != module.SCOPE:
            continue
        level = module.LEVEL
        found: Iterator[Found] = module.check(ctx)
        for f in found:
            sev = f.severity or level
            out.append(
                Problem(
                    code, "error" if sev == "error" else "warning", f.file, f.line, f.column, f.message, f.hint, f.task
                )
            )
    return out
