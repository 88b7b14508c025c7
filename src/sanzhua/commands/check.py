"""`sanzhua check`: validate the ledger and flag what is overdue.

A re-check after a small change does the work of the changed files only. Each file's
problems (the loader's and those of the file-scope checks, see sanzhua.checks) are
cached with what they depend on: the file's content, the as-of date, the settings
files, and what its tasks see of the rest of the ledger (whether each id is the first
of its kind, the deadline a task inherits, its parent's deadline). That last part is
read off the index of every task (sanzhua.load.index), which the ledger-wide checks
use too, so the tasks of a file whose results still hold are never rebuilt.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.checks import ALL_CODES, Context, run_checks
from sanzhua.checks.context import seen as seen_of
from sanzhua.checks.per_task import task_problems
from sanzhua.commands.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    calendar_warning,
    code_option,
    format_option,
    ledger_root,
    years_counted,
)
from sanzhua.errors import FatalError
from sanzhua.i18n import Lang
from sanzhua.lifetime import keep
from sanzhua.load import Scan, assemble_scan, frozen_gc, scan_ledger
from sanzhua.load.cache import CheckEntry
from sanzhua.load.index import resolve
from sanzhua.model import Task, TaskRow
from sanzhua.notices import load_notices, notice_files, notice_links
from sanzhua.output import FORMATS, SourceLines, Summary
from sanzhua.problems import Problem, msg
from sanzhua.textsafe import workflow_commands


def check(
    root: Path | None,
    *,
    as_of: date,
    fmt: str = "text",
    lang: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    fail_on: Iterable[str] = (),
    cache: bool = True,
    color: bool = False,
    out: TextIO | None = None,
) -> int:
    """Validate every file, print the problems, and return the exit code (0, 1; 2 is raised)."""
    format_option(fmt, FORMATS)
    selected = code_option(select, "--select", ALL_CODES, "check")
    ignored = code_option(ignore, "--ignore", ALL_CODES, "check")
    failing = {c.strip() for v in fail_on for c in v.split(",") if c.strip()}
    bad = failing - {"overdue", "warning", "warnings"}
    if bad:
        raise FatalError(
            msg(
                "option.fail-on",
                choices="overdue、warning",
                choices_en="overdue or warning",
                given=", ".join(sorted(bad)),
            )
        )
    where = ledger_root(root, lang)
    with frozen_gc():
        scan = scan_ledger(where, cache=cache)
        keep(scan)  # its files' tasks: freed by the process's end, not by the command's return (issue 17)
        problems, tasks, shown = _problems(scan, as_of)
    scan.save()
    chosen: Lang = "en" if (lang or scan.settings.lang) == "en" else "zh"
    if selected:
        problems = [p for p in problems if p.code in selected]
    if ignored:
        problems = [p for p in problems if p.code not in ignored]
    problems.sort(key=Problem.sort_key)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    overdue = sum(p.code == "overdue" for p in problems)
    summary = Summary(len(scan.order), tasks, errors, warnings, overdue)
    lines = SourceLines(scan.root, scan.sources, shown)
    text = FORMATS[fmt](problems, summary, chosen, scan.root, as_of, color, lines)
    stream = out if out is not None else sys.stdout
    if fmt == "github":
        stream = workflow_commands(stream)
    stream.write(text)
    if errors:
        return EXIT_PROBLEMS
    if "overdue" in failing and overdue:
        return EXIT_PROBLEMS
    if failing & {"warning", "warnings"} and warnings:
        return EXIT_PROBLEMS
    return EXIT_OK


def _problems(scan: Scan, as_of: date) -> tuple[list[Problem], int, dict[str, dict[int, str | None]]]:
    """Every problem of the ledger, how many tasks it has, and the source lines of the
    problems in ledger files."""
    rows: list[TaskRow] = scan.all_rows()
    dues = resolve(rows)
    context = hashlib.blake2b(as_of.isoformat().encode() + scan.settings_key, digest_size=16).digest()
    store = scan.store
    problems: list[Problem] = list(scan.problems)
    years: set[int] = set()
    kept: dict[str, tuple[list[Problem], frozenset[int]]] = {}
    shown: dict[str, dict[int, str | None]] = {}
    todo: list[str] = []
    seen: dict[str, tuple[object, ...]] = {}
    for rel in scan.order:
        key = scan.keys.get(rel)
        if key is None:
            todo.append(rel)  # unreadable: nothing to cache
            continue
        seen[rel] = seen_of(scan.rows(rel), dues)
        hit = store.get_check(rel, key, context, seen[rel])
        if hit is None:
            todo.append(rel)
        else:
            kept[rel] = (hit.problems, hit.years)
            shown[rel] = hit.lines
    # Only the files whose results do not hold are rebuilt into tasks and checked.
    files = [scan.result(rel) for rel in todo]
    ledger = assemble_scan(scan, files, dues=dues, rows=[r for rel in todo for r in scan.rows(rel)])
    ctx = Context(ledger, as_of, rows, dues)
    found: dict[str, list[Problem]] = {}
    for p in run_checks(ctx, scope="file"):
        found.setdefault(p.file, []).append(p)
    tasks: dict[str, list[Task]] = {}
    for t in ledger.tasks:
        tasks.setdefault(t.file, []).append(t)
    lines = SourceLines(scan.root, scan.sources)
    for f in files:
        rel = f.path
        mine = [*f.problems, *task_problems(f), *found.get(rel, ())]
        need = frozenset(years_counted(tasks.get(rel, ()), as_of))
        kept[rel] = (mine, need)
        shown[rel] = {p.line: lines.get(rel, p.line) for p in mine if p.line and p.file == rel}
        key = scan.keys.get(rel)
        if key is not None:
            store.put_check(rel, CheckEntry(key, context, seen[rel], mine, need, shown[rel]))
    for rel in scan.order:
        mine, need = kept[rel]
        problems.extend(mine)
        years |= need
    checked = set(todo)
    for rel, other in found.items():
        if rel not in checked:
            problems.extend(other)  # about a file other than its task's (none now): kept, not cached
    problems.extend(run_checks(ctx, scope="ledger"))
    problems.extend(calendar_warning(scan.root, scan.calendar, years))
    problems.extend(_notice_problems(scan, rows))
    return problems, len(rows), shown


def _notice_problems(scan: Scan, rows: list[TaskRow]) -> list[Problem]:
    """What is wrong with the recorded 督办通知 (notices/*.yaml), issue 20."""
    if not notice_files(scan.root) and not notice_links(scan.root):
        return []
    return load_notices(scan.root, scan.units, {r.id for r in rows})[1]


