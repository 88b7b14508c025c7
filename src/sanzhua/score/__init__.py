"""Scoring and ranking units (考评排名): rules as data, computation, explanation.

    rules, problems = rules_from_root(ledger.root)      # or rules_from_settings(ledger.settings)
    board = score_units(ledger, rules, start, end, as_of)
    for u in board.units: u.rank, u.unit, u.score, u.counts, u.entries

docs/scoring.md documents the `scoring:` section and the exact semantics.
"""

from __future__ import annotations

from sanzhua.score.compute import (
    COUNT_KEYS,
    REASONS,
    Entry,
    Scoreboard,
    UnitScore,
    score_tasks,
    score_units,
)
from sanzhua.score.explain import decimals, number, reason_text, signed
from sanzhua.score.rules import (
    DEFAULT_RULES,
    Rules,
    rules_from_mapping,
    rules_from_root,
    rules_from_settings,
    rules_from_text,
)

__all__ = [
    "COUNT_KEYS",
    "DEFAULT_RULES",
    "REASONS",
    "Entry",
    "Rules",
    "Scoreboard",
    "UnitScore",
    "decimals",
    "number",
    "reason_text",
    "rules_from_mapping",
    "rules_from_root",
    "rules_from_settings",
    "rules_from_text",
    "score_tasks",
    "score_units",
    "signed",
]
