"""Writing values and keys the way the file would: text through PyYAML's emitter (plain
when YAML reads it back as the same text, quoted only when it would not), numbers as
clerks write them, key names in the file's language."""

from __future__ import annotations

from sanzhua.edit.emit import NOT_TEXT, reads_back, scalar
from sanzhua.load import keys as K

# Text values are written by PyYAML's emitter and read back (sanzhua.edit.emit).
_NOT_TEXT = NOT_TEXT
_reads_back = reads_back


def text(value: str) -> str:
    """A text value as YAML, to stand anywhere (after `key: `, in `{…}`, in `[…]`): the
    emitter's plain style when that reads back as the same text, else quoted. Raises
    `Unwritable` (an EditError) for a value that cannot be written to read back."""
    return scalar(value)


def number(value: float) -> str:
    """A number as the clerks write them: 60, not 60.0."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def key(eng: str, table: dict[str, str], style: str) -> str:
    """The key name in the file's style ("zh" → the Chinese alias)."""
    return table.get(eng, eng) if style == "zh" else eng


def names(eng: str, table: dict[str, str]) -> frozenset[str]:
    """Every spelling of a key: the English name and its Chinese alias."""
    return frozenset({eng, table.get(eng, eng)})


TASK = K.TASK_KEYS
PROGRESS = K.PROGRESS_KEYS
EXTENSION = K.EXTENSION_KEYS
MILESTONE = K.MILESTONE_KEYS
TARGET = K.TARGET_KEYS
FILE = K.FILE_KEYS

# FORMAT.md's order of a task's keys, for placing a key that is not there yet.
TASK_ORDER: tuple[str, ...] = tuple(K.TASK_KEYS)
