"""The named checks of `sanzhua check`: one module each, registered below.

A check module has `CODE` (a stable kebab-case id users select and ignore), `LEVEL`
("error" or "warning"), `SCOPE`, a docstring that is its user documentation, and
`check(ctx)` yielding `Found` values. The runner, not the check, stamps the code
and level on each problem. Problems found while loading (syntax, encoding,
unknown-key, ...) are listed in `sanzhua.checks.parse`.

The scope says what a check may look at, which is what lets a re-check after a small
change redo only the files that changed (sanzhua.commands.check):
- "task": one task alone; runs while its file is read (sanzhua.checks.per_task);
- "file": the tasks of `ctx.ledger`, one at a time, and of the rest of the ledger
  only what `ctx.dues` tells (a parent's deadline, whether an id is the first of its
  kind); its findings for a file are all about that file;
- "ledger": `ctx.rows`, the index of every task in the ledger.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from types import ModuleType
from typing import TYPE_CHECKING

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
    milestone_after_due,
    missing_due,
    no_supervisors,
    overdue,
    parent_cycle,
    progress_regressed,
    scoring_rules,
    unknown_kind,
    unknown_parent,
    unknown_unit,
)
from sanzhua.checks import parse as parse_codes
from sanzhua.checks.found import Found, TaskFound
from sanzhua.problems import Problem

__all__ = ["ALL_CODES", "CHECKS", "Context", "Found", "TaskFound", "run_checks"]

if TYPE_CHECKING:
    from sanzhua.evaluate import Evaluation
    from sanzhua.load import Ledger
    from sanzhua.load.index import Dues
    from sanzhua.model import Task, TaskRow

CHECKS: dict[str, ModuleType] = {
    m.CODE: m
    for m in (
        unknown_unit,
        duplicate_id,
        confusable_id,
        unknown_parent,
        parent_cycle,
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


_UNREAD = object()


class Context:
    """What the checks see. The full evaluation is computed only if a check asks.

    `rows` (the index of every task) and `dues` are the ledger's own unless given; they
    are given when `ledger` holds only some of the files (see the module docstring).
    """

    def __init__(
        self, ledger: Ledger, as_of: date, rows: list[TaskRow] | None = None, dues: Dues | None = None
    ) -> None:
        self.ledger = ledger
        self.as_of = as_of
        self.rows = rows if rows is not None else ledger.rows
        self.dues = dues if dues is not None else ledger.dues
        self._evaluation: Evaluation | None = None
        self._settings_doc: object = _UNREAD

    @property
    def evaluation(self) -> Evaluation:
        if self._evaluation is None:
            from sanzhua.evaluate import evaluate

            self._evaluation = evaluate(self.ledger, self.as_of)
        return self._evaluation

    def settings_document(self) -> tuple[str, object] | None:
        """sanzhua.yaml's text and parsed document root (with positions), read once for the
        checks that point into it; None when it cannot be read."""
        if self._settings_doc is _UNREAD:
            from sanzhua.load import SETTINGS_FILE
            from sanzhua.load.safe import UnsafeFile, read_inside
            from sanzhua.load.yamlfast import decode, parse

            self._settings_doc = None
            try:
                data = read_inside(self.ledger.root / SETTINGS_FILE, self.ledger.root)
            except (OSError, UnsafeFile):
                return None
            text, _ = decode(data, SETTINGS_FILE)
            if text is not None:
                self._settings_doc = (text, parse(text, SETTINGS_FILE).root)
        return self._settings_doc if isinstance(self._settings_doc, tuple) else None

    def position(self, task: Task, field: str, default: tuple[int, int]) -> tuple[int, int]:
        """Where `field` of a task stands in its file (`default` if not written)."""
        f = self.ledger.file(task.file)
        if f is not None:
            pos = f.positions_of(task).get(field)
            if pos is not None:
                return pos
        return default


def run_checks(ctx: Context, codes: Iterable[str] | None = None, scope: str | None = None) -> list[Problem]:
    """Run the named checks (all when `codes` is None) of one scope ("file" or "ledger",
    both when None) and stamp their findings."""
    out: list[Problem] = []
    for code, module in CHECKS.items():
        if codes is not None and code not in codes:
            continue
        if module.SCOPE == "task":
            continue  # ran while the files were read (sanzhua.checks.per_task)
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
