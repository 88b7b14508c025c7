"""The scoring rules (`scoring:` in sanzhua.yaml) have an unknown key or a bad value.

An error for an unknown key (with a did-you-mean hint) or a value that is not a
number in range; a warning for a reward written negative or a penalty written
positive, and for a `category_weights` entry that no task's category matches.
docs/scoring.md describes every key.
"""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.load import SETTINGS_FILE
from sanzhua.load.yamlfast import YMap
from sanzhua.problems import msg

CODE = "invalid-scoring"
LEVEL = "error"
SCOPE = "ledger"  # the index of every task (ctx.rows)


def check(ctx: Context) -> Iterator[Found]:

    doc = ctx.settings_document()
    if doc is None or "scoring" not in doc[0]:
        return  # no rules written: the built-in defaults need no checking
    text, root = doc
    # Lazy for start-up cost alone: the rules are pydantic models (about 0.3 s to import),
    # needed only when sanzhua.yaml writes `scoring:`.
    from sanzhua.score.rules import rules_from_text

    rules, problems = rules_from_text(text)
    for p in problems:
        yield Found(p.file, p.line, p.column, p.message, p.hint, None, p.severity)
    if not rules.category_weights:
        return
    categories = {t.category for t in ctx.rows if t.category}
    node = root.get("scoring") if isinstance(root, YMap) else None
    weights = node.get("category_weights") if isinstance(node, YMap) else None
    for key, _w in rules.category_weights:
        if any(_covers(key, c) for c in categories):
            continue
        line, col = weights.key_pos(key) if isinstance(weights, YMap) else (1, 1)
        yield Found(
            SETTINGS_FILE,
            line,
            col,
            msg("score.rules.unused-category", category=key),
            msg("score.rules.unused-category.hint"),
            None,
            "warning",
        )


def _covers(key: str, category: str) -> bool:
    return category == key or category.startswith(key.rstrip("/") + "/")
