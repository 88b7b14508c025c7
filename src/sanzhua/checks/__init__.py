"""The named checks of `sanzhua check`: one module each, registered below.

A check module has `CODE` (a stable kebab-case id users select and ignore), `LEVEL`
("error" or "warning"), a docstring that is its user documentation, and
`check(ctx)` yielding `Found` values. The runner, not the check, stamps the code
and level on each problem. Problems found while loading (syntax, encoding,
unknown-key, ...) are listed in `sanzhua.checks.parse`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from types import ModuleType

from sanzhua.checks import (
    child_after_parent,
    done_before_start,
    done_without_date,
    duplicate_id,
    extension_mismatch,
    future_date,
    milestone_after_due,
    missing_due,
    overdue,
    parent_cycle,
    scoring_rules,
    unknown_parent,
    unknown_unit,
)
from sanzhua.checks import parse as parse_codes
from sanzhua.evaluate import Evaluation
from sanzhua.load import Ledger
from sanzhua.problems import Msg, Problem

CHECKS: dict[str, ModuleType] = {
    m.CODE: m
    for m in (
        unknown_unit,
        duplicate_id,
        unknown_parent,
        parent_cycle,
        missing_due,
        overdue,
        milestone_after_due,
        done_before_start,
        future_date,
        child_after_parent,
        extension_mismatch,
        done_without_date,
        scoring_rules,
    )
}

# Every code a problem can carry, with its level and one line of documentation.
ALL_CODES: dict[str, tuple[str, str]] = {
    **parse_codes.CODES,
    **{code: (m.LEVEL, (m.__doc__ or "").strip().splitlines()[0]) for code, m in CHECKS.items()},
}


@dataclass(frozen=True)
class Context:
    ledger: Ledger
    evaluation: Evaluation
    as_of: date

    def position(self, task_id: str, file: str, field: str, default: tuple[int, int]) -> tuple[int, int]:
        """Where `field` of a task stands in its file (the task's own line if not written)."""
        f = self.ledger.file(file)
        if f is not None:
            pos = f.positions.get(task_id, {}).get(field)
            if pos is not None:
                return pos
        return default


@dataclass(frozen=True)
class Found:
    file: str
    line: int
    column: int
    message: Msg
    hint: Msg | None = None
    task: str | None = None
    severity: str | None = None  # a check may lower or raise its default level for one finding


def run_checks(ctx: Context, codes: Iterable[str] | None = None) -> list[Problem]:
    """Run the named checks (all when `codes` is None) and stamp their findings."""
    out: list[Problem] = []
    for code, module in CHECKS.items():
        if codes is not None and code not in codes:
            continue
        level = module.LEVEL
        found: Iterator[Found] = module.check(ctx)
        for f in found:
            sev = f.severity or level
            out.append(Problem(code, "error" if sev == "error" else "warning", f.file, f.line, f.column,
                               f.message, f.hint, f.task))
    return out
