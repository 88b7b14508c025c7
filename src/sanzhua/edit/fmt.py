"""The canonical layout of a ledger file, with ruamel.yaml's round trip (comments kept).

Here a whole-file re-emit is the point, so ruamel.yaml fits: keys in FORMAT.md's
order, two-space mappings, lists indented under their key (`  - `), flow mappings kept
as flow, quotes kept as written, no line wrapping. Every scalar is read as text (as
the loader does), so `0012`, `NO` or `2026-09-30` come back exactly as written; dates
change only with `normalize_dates`. The result must read back as the same tasks with
the same comments, or the file is left alone.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.tag import Tag

from sanzhua.dates import DateError, parse_when
from sanzhua.edit.ops import rebuild
from sanzhua.edit.source import Source
from sanzhua.edit.tree import MappingNode, Node, SequenceNode, compose, entry
from sanzhua.edit.tree import ScalarNode as TScalar
from sanzhua.load import keys as K
from sanzhua.load import parse_ledger_bytes

_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class _TextResolver(VersionedResolver):
    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is ScalarNode and implicit[0]:
            return Tag(
                suffix="tag:yaml.org,2002:null" if value in _NULLS else "tag:yaml.org,2002:str"
            )
        return super().resolve(kind, value, implicit)


def _yaml() -> YAML:
    y = YAML(typ="rt")
    y.Resolver = _TextResolver
    y.preserve_quotes = True
    y.width = 1_000_000
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def _order(table: dict[str, str]) -> dict[str, int]:
    rank: dict[str, int] = {}
    for i, (en, zh) in enumerate(table.items()):
        rank[en] = i
        rank[zh] = i
    return rank


_TASK_RANK = _order(K.TASK_KEYS)
_NESTED: dict[str, dict[str, int]] = {
    "milestones": _order(K.MILESTONE_KEYS),
    # FORMAT.md's example (and every clerk) writes the amount before the note.
    "progress": _order({k: K.PROGRESS_KEYS[k] for k in ("date", "percent", "value", "note", "by")}),
    "extensions": _order(K.EXTENSION_KEYS),
    "target": _order(K.TARGET_KEYS),
}
_TASK_ENG = K.reverse(K.TASK_KEYS)
_DATE_KEYS: dict[str, frozenset[str]] = {
    "task": frozenset({"start", "开始", "due", "时限", "done", "完成"}),
    "milestones": frozenset({"due", "时限", "done", "完成"}),
    "progress": frozenset({"date", "日期"}),
    "extensions": frozenset({"from", "原时限", "to", "新时限", "date", "日期"}),
}


def _reorder(m: CommentedMap, rank: dict[str, int]) -> None:
    keys = list(m.keys())
    if not keys:
        return
    wanted = sorted(keys, key=lambda k: (rank.get(k, len(rank)), keys.index(k)))
    if wanted == keys:
        return
    # A blank line kept as a moved key's trailing comment is dropped by _blank_lines.
    for k in wanted:
        m.move_to_end(k)


def _normalize(m: CommentedMap, names: frozenset[str], year: int) -> None:
    for k in list(m.keys()):
        v = m[k]
        if k in names and isinstance(v, str) and not getattr(v, "style", None):
            with contextlib.suppress(DateError):
                m[k] = parse_when(v.strip(), year).isoformat()


def _entries(v: Any) -> list[CommentedMap]:
    if isinstance(v, CommentedMap):
        return [v]
    if isinstance(v, CommentedSeq):
        return [x for x in v if isinstance(x, CommentedMap)]
    return []


def format_text(text: str, year: int, normalize_dates: bool = False) -> str:
    """The canonical layout of a ledger file's text (LF, no BOM)."""
    y = _yaml()
    doc = y.load(text)
    if not isinstance(doc, CommentedMap):
        return text
    _reorder(doc, _order(K.FILE_KEYS))
    tasks = next((doc[k] for k in ("tasks", K.FILE_KEYS["tasks"]) if k in doc), None)
    for task in _entries(tasks) if isinstance(tasks, CommentedSeq) else []:
        _reorder(task, _TASK_RANK)
        if normalize_dates:
            _normalize(task, _DATE_KEYS["task"], year)
        for k in list(task.keys()):
            eng = _TASK_ENG.get(k)
            if eng in _NESTED:
                for item in _entries(task[k]):
                    _reorder(item, _NESTED[eng])
                    if normalize_dates and eng in _DATE_KEYS:
                        _normalize(item, _DATE_KEYS[eng], year)
    out = io.StringIO()
    y.dump(doc, out)
    return _blank_lines(out.getvalue(), _blank_between_tasks(text))


def _task_starts(text: str) -> tuple[list[int], set[int]]:
    """0-based lines where tasks start, and the lines inside block scalars (left alone)."""
    node = compose(text)
    starts: list[int] = []
    inside: set[int] = set()
    if not isinstance(node, MappingNode):
        return starts, inside
    e = entry(node, frozenset(("tasks", K.FILE_KEYS["tasks"])))
    if e is not None and isinstance(e.value, SequenceNode) and not e.value.flow_style:
        starts = [int(t.start_mark.line) for t in e.value.value]
    stack: list[Node] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, TScalar) and n.style in ("|", ">"):
            inside.update(range(n.start_mark.line, n.end_mark.line + 1))
        elif isinstance(n, MappingNode):
            for k, v in n.value:
                stack += [k, v]
        elif isinstance(n, SequenceNode):
            stack += list(n.value)
    return starts, inside


def _blank_between_tasks(text: str) -> bool:
    starts, _ = _task_starts(text)
    lines = text.split("\n")
    return any(s > 0 and not lines[s - 1].strip() for s in starts[1:])


def _blank_lines(text: str, between: bool) -> str:
    """Blank lines inside the task list: none within a task, one between tasks when the file
    separates them so (ruamel keeps a blank line with the key it followed, wherever it moves)."""
    starts, inside = _task_starts(text)
    if not starts:
        return text
    lines = text.split("\n")
    first = starts[0]
    dash = len(lines[first]) - len(lines[first].lstrip())
    begin = set(starts[1:])
    out: list[str] = lines[:first]
    pending: list[str] = []
    for i in range(first, len(lines)):
        line = lines[i]
        if i in begin:
            # Comments indented under the task above stay with it; those at the list's
            # own indentation head the next task, below the blank line.
            kept = [x for x in pending if len(x) - len(x.lstrip()) > dash]
            lead = [x for x in pending if len(x) - len(x.lstrip()) <= dash]
            out += kept
            if between and out and out[-1].strip():
                out.append("")
            out += lead
            pending = []
            out.append(line)
            continue
        if not line.strip() and i not in inside:
            continue
        if line.lstrip().startswith("#") and i not in inside:
            pending.append(line)
            continue
        out += pending
        pending = []
        out.append(line)
    out += [x for x in pending if x.strip()]
    while len(out) > 1 and out[-1] == "" and out[-2] == "":
        out.pop()
    result = "\n".join(out)
    return result if result.endswith("\n") else result + "\n"


_COMMENT = re.compile(r"(?:^|\s)(#.*)$")


def comments(text: str) -> Counter[str]:
    """The comments of a text (outside quotes, roughly), to check that none is lost."""
    found: Counter[str] = Counter()
    for line in text.split("\n"):
        quote = ""
        for i, ch in enumerate(line):
            if quote:
                if ch == quote:
                    quote = ""
            elif ch in "'\"" and (i == 0 or line[i - 1] in " [{,:-"):
                quote = ch
            elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
                found[line[i:].rstrip()] += 1
                break
    return found


def _same(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: _same(getattr(value, f.name)) for f in fields(value)}
        for name in ("line", "column", "due_text"):
            if name in changes:
                changes[name] = 0 if name != "due_text" else None
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_same(v) for v in value)
    return value


def format_bytes(
    data: bytes, path: str, year: int, normalize_dates: bool = False
) -> tuple[bytes | None, str]:
    """The formatted bytes (BOM and line endings kept), or None and why: "invalid", "unsafe"."""
    before = parse_ledger_bytes(data, path, year)
    if any(p.severity == "error" for p in before.problems):
        return None, "invalid"
    src = Source(data)
    try:
        new_text = format_text(src.text, year, normalize_dates)
    except Exception:
        return None, "unsafe"
    out = rebuild(src, new_text)
    after = parse_ledger_bytes(out, path, year)
    same = (
        after.unit == before.unit
        and not any(p.severity == "error" for p in after.problems)
        and [_same(t) for t in after.tasks] == [_same(t) for t in before.tasks]
        and comments(new_text) == comments(src.text)
    )
    if not same:
        return None, "unsafe"
    return out, ""
