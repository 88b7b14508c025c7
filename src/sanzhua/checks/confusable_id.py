"""Two task ids that look alike but differ: only in case (xm-001 and XM-001), full-width
letters (ＸＭ-001) or look-alike Cyrillic or Greek letters (ХМ-001 written with Cyrillic
Х and М). A `parent:` naming one means a task other than the one the reader sees.

The later id is reported, naming the first and where it stands.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.problems import msg

CODE = "confusable-id"
LEVEL = "warning"
SCOPE = "ledger"  # the index of every task (ctx.rows)

# Cyrillic and Greek letters drawn like Latin ones (after NFKC and casefold: lower case).
_LOOK_ALIKE = str.maketrans(
    {
        "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
        "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
        "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "v", "ο": "o",
        "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ѵ": "v",
        "０": "0", "ⅼ": "l", "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "－": "-", "﹣": "-",
    }
)  # fmt: skip


def skeleton(task_id: str) -> str:
    """What an id looks like: the same for ids a reader cannot tell apart."""
    if task_id.isascii():
        return task_id.lower()
    return unicodedata.normalize("NFKC", task_id).casefold().translate(_LOOK_ALIKE)


def check(ctx: Context) -> Iterator[Found]:

    first: dict[str, tuple[str, str, int]] = {}  # skeleton → the first id, its file and line
    told: set[str] = set()
    for t in ctx.rows:
        key = skeleton(t.id)
        seen = first.get(key)
        if seen is None:
            first[key] = (t.id, t.file, t.line)
            continue
        if seen[0] == t.id or t.id in told:
            continue  # the same id twice is duplicate-id's business; each look-alike is told once
        told.add(t.id)
        yield Found(
            t.file,
            t.line,
            t.column,
            msg("id.confusable", id=t.id, other=seen[0], where=f"{seen[1]}:{seen[2]}", chars=_odd(t.id)),
            msg("id.confusable.hint"),
            t.id,
        )


def _odd(task_id: str) -> str:
    """The characters of an id that are not half-width ASCII, named (for the message)."""
    odd = [f"{c} U+{ord(c):04X}" for c in dict.fromkeys(task_id) if not c.isascii()]
    return "、".join(odd) if odd else "—"
