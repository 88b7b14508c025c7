"""The YAML node tree of a file with start and end positions, for finding where to splice.

libyaml composes the text (everything resolved as text, as the loader does); each node
keeps `start_mark` and `end_mark` with 0-based line and column in `Source.text`.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MappingNode", "Node", "ScalarNode", "SequenceNode", "compose", "entry", "last_line"]


class _Loader(yaml.CSafeLoader):
    def resolve(self, kind: object, value: object, implicit: object) -> str:
        return "tag:yaml.org,2002:str"


def compose(text: str) -> Node | None:
    """The node tree of `text` (raises yaml.YAMLError when it is not YAML)."""
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


def is_null(node: Node) -> bool:
    # libyaml gives a plain scalar the style "" (the pure-Python composer: None)
    return isinstance(node, ScalarNode) and not node.style and node.value in _NULLS


@dataclass(frozen=True)
class Entry:
    """One `key: value` of a mapping node, found by any of its spellings."""

    index: int
    key: ScalarNode
    value: Node


def entry(mapping: MappingNode, names: tuple[str, ...] | frozenset[str] | set[str]) -> Entry | None:
    for i, (k, v) in enumerate(mapping.value):
        if isinstance(k, ScalarNode) and k.value in names:
            return Entry(i, k, v)
    return None


def last_line(node: Node, lines: list[str]) -> int:
    """The 0-based line of the last character that belongs to `node` (not the next token)."""
    if isinstance(node, ScalarNode):
        end = node.end_mark
        if node.style in ("|", ">"):
            line = end.line if end.column > 0 else end.line - 1
            while line > node.start_mark.line and not lines[line].strip():
                line -= 1
            return int(line)
        if end.column == 0 and end.line > node.start_mark.line:
            return int(end.line) - 1
        return int(end.line)
    if isinstance(node, MappingNode | SequenceNode) and node.flow_style:
        return int(node.end_mark.line)
    if isinstance(node, MappingNode):
        if not node.value:
            return int(node.start_mark.line)
        k, v = node.value[-1]
        return max(last_line(k, lines), last_line(v, lines))
    if isinstance(node, SequenceNode):
        if not node.value:
            return int(node.start_mark.line)
        return last_line(node.value[-1], lines)
    return int(node.end_mark.line)  # pragma: no cover


def extend_over_comments(line: int, lines: list[str], deeper_than: int) -> int:
    """Move past comment-only lines right below `line` indented deeper than a column.

    Such comments belong to the entry above (a note under a progress item), so a new line
    goes after them.
    """
    n = line + 1
    last = line
    while n < len(lines):
        s = lines[n]
        stripped = s.lstrip(" ")
        if stripped.startswith("#") and len(s) - len(stripped) > deeper_than:
            last = n
            n += 1
            continue
        break
    return last
