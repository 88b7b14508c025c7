"""What every command does first: find the ledger, pick the language, load it."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sanzhua.errors import FatalError, Refused, bad_choice
from sanzhua.evaluate import is_open
from sanzhua.i18n import Lang, say
from sanzhua.lifetime import keep
from sanzhua.load import Ledger, find_root, load_ledger
from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.model import Task
from sanzhua.output import Summary, format_text
from sanzhua.problems import Problem, msg
from sanzhua.report.gaps import Gaps, gaps_of, settings_gaps, stderr_lines
from sanzhua.workdays import WorkCalendar

if TYPE_CHECKING:
    from rich.console import Console

    from sanzhua.score.rules import Rules

EXIT_OK = 0
EXIT_PROBLEMS = 1


def console(stream: TextIO, **options: Any) -> Console:
    """A rich Console writing to `stream` whose reader left early (`sanzhua show X | head -1`)
    is a BrokenPipeError, as any other write's (`cli.run`: exit 0, nothing said): rich's own
    handling raised SystemExit(1), a failure with no word said (issue 14, p-red3a)."""
    # lazy: rich only for the commands that print tables (start-up cost)
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return _Console(file=stream, **options)


@dataclass
class EditRun:
    """What every edit command shares: where, when, how loud, whether to write and commit."""

    root: Path | None
    today: date
    lang: str | None = None
    dry_run: bool = False
    commit: bool = False
    out: TextIO | None = None
    err: TextIO | None = None

    def stdout(self) -> TextIO:
        return self.out if self.out is not None else sys.stdout

    def stderr(self) -> TextIO:
        return self.err if self.err is not None else sys.stderr


def lang_before_loading(root: Path, lang: str | None) -> Lang:
    """The language of a refusal made before the ledger is loaded (the lock is busy)."""
    if lang in ("zh", "en"):
        return "en" if lang == "en" else "zh"
    try:
        from sanzhua.load.settings import load_settings  # lazy: pydantic's models, only when no --lang

        settings, _ = load_settings((root / "sanzhua.yaml").read_bytes())
    except Exception:  # any trouble with the settings is reported by the edit itself
        return "zh"
    return "en" if settings.lang == "en" else "zh"


@dataclass
class Opened:
    ledger: Ledger
    lang: Lang
    gaps: Gaps = field(default_factory=lambda: Gaps(()))  # what a report leaves out (open_report)


def open_ledger(root: Path | None, lang: str | None = None, *, cache: bool = True) -> Opened:
    """Find and load the ledger; `lang` overrides the ledger's own setting."""
    ledger = load_ledger(ledger_root(root, lang), cache=cache)
    chosen: Lang = "en" if (lang or ledger.settings.lang) == "en" else "zh"
    return Opened(ledger, chosen)


def open_report(root: Path | None, lang: str | None = None, *, allow_errors: bool = False) -> Opened:
    """Load the ledger for a report (status, show, brief, score, export, calendar).

    Complete or loud: when a file's errors drop or distort tasks, each file and task
    left out is named on standard error, and the report is refused (`Refused`, exit 1)
    unless `allow_errors`; then `Opened.gaps` says what the report must say it left out.
    """
    opened = open_ledger(root, lang)
    keep(opened)  # freed by the process's end, not by the command's return (issue 17)
    return gate(opened, allow_errors=allow_errors)


def open_settings(root: Path | None, lang: str | None = None) -> Opened:
    """Load the ledger for what is made from its settings and units alone (CODEOWNERS):
    refused (`Refused`, exit 1) when sanzhua.yaml, units.yaml or calendar.yaml has an
    error, since a setting that cannot be read is taken at its default (no supervisors)."""
    opened = open_ledger(root, lang)
    gaps = Gaps(settings_gaps(opened.ledger))
    if gaps:
        files = stderr_lines(gaps, opened.lang, refused=True)[1:-1]  # each file, without the report's words
        said = [say("settings.refused", opened.lang), *files, say("settings.refused.hint", opened.lang)]
        sys.stderr.write("\n".join(said) + "\n")
        raise Refused()
    return opened


def gate(opened: Opened, *, allow_errors: bool) -> Opened:
    """`open_report`'s test, on a ledger already open."""
    opened.gaps = gaps_of(opened.ledger)
    if opened.gaps:
        sys.stderr.write("\n".join(stderr_lines(opened.gaps, opened.lang, refused=not allow_errors)) + "\n")
        if not allow_errors:
            raise Refused()
    return opened


def ledger_root(root: Path | None, lang: str | None) -> Path:
    """The ledger root a command works on: `--root`, or the nearest above the working folder."""
    if lang not in (None, "zh", "en"):
        raise bad_choice("--lang", ("zh", "en"), lang)
    return find_root(root or Path.cwd(), lang) if root is None else _given_root(root, lang)


def _given_root(root: Path, lang: str | None) -> Path:
    if (root / "sanzhua.yaml").is_file():
        return root.resolve()
    return find_root(root, lang)


def calendar_problems(ledger: Ledger, as_of: date) -> list[Problem]:
    """One warning for the years that no calendar covers but working days are counted in."""
    return calendar_warning(ledger.root, ledger.calendar, years_counted(ledger.tasks, as_of))


def years_counted(tasks: Iterable[Task], as_of: date) -> set[int]:
    """The years working days are counted in for these tasks: from the as-of date to the
    deadline of every open task not yet overdue (the due-soon rule)."""
    needed: set[int] = set()
    for t in tasks:
        if t.due is not None and t.due >= as_of and is_open(t, as_of):
            needed.update(range(as_of.year, t.due.year + 1))
    return needed


def year_spans(years: list[int]) -> list[str]:
    """Sorted years written with runs collapsed: [2027, 2028, 2029, 2031] → 2027–2029, 2031."""
    spans: list[str] = []
    i = 0
    while i < len(years):
        j = i
        while j + 1 < len(years) and years[j + 1] == years[j] + 1:
            j += 1
        spans.append(str(years[i]) if i == j else f"{years[i]}–{years[j]}")
        i = j + 1
    return spans


def calendar_warning(root: Path, calendar: WorkCalendar, counted: Iterable[int]) -> list[Problem]:
    """The warning for the counted years (and the calendar's own) that no calendar covers."""
    needed = set(calendar.fallback_years) | set(counted)
    years = sorted(y for y in needed if not calendar.covers(y))
    if not years:
        return []
    spans = year_spans(years)
    return [
        Problem(
            "calendar-fallback",
            "warning",
            "calendar.yaml" if (root / "calendar.yaml").exists() else "sanzhua.yaml",
            0,
            0,
            msg("calendar.fallback", years_zh="、".join(spans), years_en=", ".join(spans)),
            msg("calendar.fallback.hint"),
        )
    ]


# -- for the commands that score (score, brief, site) ------------------------------------


def ledger_rules(ledger: Ledger, lang: Lang, as_of: date) -> Rules | None:
    """The ledger's scoring rules; None, with the errors written to standard error, when
    `scoring:` in sanzhua.yaml has errors (nothing is scored with broken rules)."""
    from sanzhua.score import rules_from_root  # pydantic's models: only for the commands that score

    rules, problems = rules_from_root(ledger.root)
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return rules
    sys.stderr.write(format_text(errors, Summary(1, len(ledger.tasks), len(errors), 0, 0), lang, ledger.root, as_of))
    sys.stderr.write(
        say("score.out.rules-broken", lang)
    )
    return None


# -- for the commands that read git history (audit, log) -------------------------------


def root_and_lang(root: Path | None, lang: str | None) -> tuple[Path, Lang]:
    """The ledger root and the message language, without loading the whole ledger."""
    if lang not in (None, "zh", "en"):
        raise bad_choice("--lang", ("zh", "en"), lang)
    start = root or Path.cwd()
    where = start.resolve() if (start / "sanzhua.yaml").is_file() else find_root(start, lang)
    if lang is None:
        from sanzhua.load.settings import load_settings  # pydantic's models: only here, not for every command

        try:
            lang = load_settings(read_inside(where / "sanzhua.yaml", where))[0].lang
        except (OSError, UnsafeFile):
            lang = "zh"
    return where, ("en" if lang == "en" else "zh")


# -- options every problem-reporting command shares (check, audit) -------------------------


def code_option(values: Iterable[str], option: str, known: Iterable[str], kind: str) -> set[str]:
    """The codes of --select / --ignore (each value may list several, comma-separated);
    an unknown code stops the run, naming the known ones. `kind` is "check" or "audit"."""
    names = list(known)
    out: set[str] = set()
    for v in values:
        for code in v.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in names:
                listed = ", ".join(sorted(names) if kind == "check" else names)
                raise FatalError(
                    msg(f"option.unknown-{kind}", option=option, code=code),
                    msg(f"option.unknown-{kind}.hint", known=listed),
                )
            out.add(code)
    return out


def choice_option(value: str | None, option: str, choices: Iterable[str | None]) -> None:
    """Refuse a value of `option` that is not one of `choices` (None: the option not given)."""
    names = list(choices)
    if value not in names:
        raise bad_choice(option, [c for c in names if c is not None], value)


def format_option(fmt: str, choices: Iterable[str]) -> str:
    """--format, one of `choices`."""
    choice_option(fmt, "--format", choices)
    return fmt


def to_before_from(start: object, end: object) -> FatalError:
    return FatalError(msg("option.to-before-from", start=start, end=end), msg("option.to-before-from.hint"))
