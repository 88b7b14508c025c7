"""`sanzhua check`: validate the ledger and flag what is overdue."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.checks import ALL_CODES, Context, run_checks
from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, calendar_problems, open_ledger
from sanzhua.errors import FatalError
from sanzhua.output import FORMATS, Summary
from sanzhua.problems import Problem


def _codes(values: Iterable[str], option: str) -> set[str]:
    out: set[str] = set()
    for v in values:
        for code in v.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in ALL_CODES:
                known = ", ".join(sorted(ALL_CODES))
                raise FatalError(f"{option}: 没有名为 {code} 的检查项 / no check named {code}", f"known codes: {known}")
            out.add(code)
    return out


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
    if fmt not in FORMATS:
        raise FatalError(
            f"--format 只能是 {'、'.join(FORMATS)}（收到 {fmt}）", f"--format takes one of {', '.join(FORMATS)}"
        )
    selected = _codes(select, "--select")
    ignored = _codes(ignore, "--ignore")
    failing = {c.strip() for v in fail_on for c in v.split(",") if c.strip()}
    bad = failing - {"overdue", "warning", "warnings"}
    if bad:
        raise FatalError(
            f"--fail-on 只接受 overdue 或 warning（收到 {', '.join(sorted(bad))}）",
            "--fail-on takes overdue or warning",
        )
    opened = open_ledger(root, lang, cache=cache, slim=True)
    ledger = opened.ledger
    problems: list[Problem] = list(ledger.problems)
    for f in ledger.files:
        problems.extend(f.problems)
    problems.extend(run_checks(Context(ledger, as_of)))
    problems.extend(calendar_problems(ledger, as_of))
    if selected:
        problems = [p for p in problems if p.code in selected]
    if ignored:
        problems = [p for p in problems if p.code not in ignored]
    problems.sort(key=Problem.sort_key)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    overdue = sum(p.code == "overdue" for p in problems)
    summary = Summary(len(ledger.files), len(ledger.tasks), errors, warnings, overdue)
    text = FORMATS[fmt](problems, summary, opened.lang, ledger.root, as_of, color, ledger.sources)
    stream = out if out is not None else sys.stdout
    stream.write(text)
    if errors:
        return EXIT_PROBLEMS
    if "overdue" in failing and overdue:
        return EXIT_PROBLEMS
    if failing & {"warning", "warnings"} and warnings:
        return EXIT_PROBLEMS
    return EXIT_OK
