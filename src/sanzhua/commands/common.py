"""What every command does first: find the ledger, pick the language, load it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sanzhua.errors import FatalError
from sanzhua.evaluate import is_open
from sanzhua.i18n import Lang
from sanzhua.load import Ledger, find_root, load_ledger
from sanzhua.problems import Problem, msg

EXIT_OK = 0
EXIT_PROBLEMS = 1


@dataclass
class Opened:
    ledger: Ledger
    lang: Lang


def open_ledger(root: Path | None, lang: str | None = None, *, cache: bool = True, slim: bool = False) -> Opened:
    """Find and load the ledger; `lang` overrides the ledger's own setting."""
    if lang not in (None, "zh", "en"):
        raise FatalError(f"--lang 只能是 zh 或 en（收到 {lang}）", "--lang takes zh or en")
    where = find_root(root or Path.cwd(), lang) if root is None else _given_root(root, lang)
    ledger = load_ledger(where, cache=cache, slim=slim)
    chosen: Lang = "en" if (lang or ledger.settings.lang) == "en" else "zh"
    return Opened(ledger, chosen)


def _given_root(root: Path, lang: str | None) -> Path:
    if (root / "sanzhua.yaml").is_file():
        return root.resolve()
    return find_root(root, lang)


def calendar_problems(ledger: Ledger, as_of: date) -> list[Problem]:
    """One warning for the years that no calendar covers but working days are counted in.

    Working days are counted from the as-of date to the deadline of every open task
    not yet overdue (the due-soon rule), so those are the years that matter.
    """
    needed: set[int] = set(ledger.calendar.fallback_years)
    for t in ledger.tasks:
        if t.due is not None and t.due >= as_of and is_open(t, as_of):
            needed.update(range(as_of.year, t.due.year + 1))
    years = sorted(y for y in needed if not ledger.calendar.covers(y))
    if not years:
        return []
    return [
        Problem(
            "calendar-fallback",
            "warning",
            "calendar.yaml" if (ledger.root / "calendar.yaml").exists() else "sanzhua.yaml",
            0,
            0,
            msg("calendar.fallback", years="、".join(str(y) for y in years)),
            msg("calendar.fallback.hint"),
        )
    ]
