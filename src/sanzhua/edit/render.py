"""Writing values and keys the way the file would: plain when YAML reads them back as
the same text, quoted only when it would not, key names in the file's language."""

from __future__ import annotations

import json
import re

import yaml

from sanzhua.edit.tree import MappingNode, ScalarNode, SequenceNode, compose
from sanzhua.load import keys as K

# What a YAML 1.1 or 1.2 reader (ruamel, PyYAML, an editor's linter) would not take as text.
_NOT_TEXT = re.compile(
    r"""^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N
    |[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |0[0-7_]+|0o[0-7]+|0x[0-9a-fA-F_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$""",
    re.VERBOSE,
)


def _reads_back(text: str, value: str) -> bool:
    for doc in (f"k: {text}\n", f"- {{k: {text}, j: 1}}\n", f"[{text}]\n"):
        try:
            node = compose(doc)
        except yaml.YAMLError:
            return False
        if isinstance(node, MappingNode):
            got = node.value[0][1]
        elif isinstance(node, SequenceNode) and node.value:
            first = node.value[0]
            got = first.value[0][1] if isinstance(first, MappingNode) else first
        else:
            return False
        if not isinstance(got, ScalarNode) or got.value != value:
            return False
    return True


def text(value: str) -> str:
    """A text value as YAML: plain if that reads back as the same text everywhere, else quoted."""
    if (
        value
        and value == value.strip()
        and not _NOT_TEXT.match(value)
        and "\n" not in value
        and value[0] not in "-?:,[]{}#&*!|>'\"%@`"
        and _reads_back(value, value)
    ):
        return value
    single = "'" + value.replace("'", "''") + "'"
    if "\n" not in value and _reads_back(single, value):
        return single
    return json.dumps(value, ensure_ascii=False)


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
