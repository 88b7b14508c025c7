"""Writing a new task as ledger-file text, in the house style of the file it joins: the
one task-block writer of `sanzhua import` and `sanzhua new` (issue 16: `new` used to lay
out its block by rules of its own).

Import only ever adds: a new file per lead unit, or new items at the end of an existing
file's `tasks:` list, with that file's indentation, key language (title / 任务), list
style (block or `- {…}`), BOM and line endings. Nothing already written is touched: the
new lines are spliced in with the editing commands' `Editor` (sanzhua.edit.ops). Every
text value is written by PyYAML's emitter and read back (sanzhua.edit.emit); a number
(a target's value, a progress entry's percent or value) is written as a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import yaml

from sanzhua.edit import emit
from sanzhua.edit.ops import EditError, Editor, tasks_node
from sanzhua.edit.source import Source
from sanzhua.edit.tree import MappingNode, Node, SequenceNode, extend_over_comments, is_null, last_line
from sanzhua.load import keys as K

FieldValue = str | list[str] | dict[str, str] | list[dict[str, str]]

_SUB_KEYS: dict[str, dict[str, str]] = {
    "milestones": K.MILESTONE_KEYS,
    "progress": K.PROGRESS_KEYS,
    "extensions": K.EXTENSION_KEYS,
    "target": K.TARGET_KEYS,
}


@dataclass(frozen=True)
class Style:
    """How a ledger file is written: key language, indents, list style, line ending."""

    keys: str = "en"  # "en" or "zh"
    item_indent: int = 2  # columns before "- " of a task
    key_indent: int = 4  # columns before a task's keys
    nested_offset: int = 2  # a nested list's "- " relative to its key
    flow_entries: bool = False  # milestones/progress written as "- {…}"
    blank_between: bool = True
    newline: str = "\n"
    flow_target: bool = True  # the target written `{…}` on its key's line, else as a block below it


def scalar(value: str, flow: bool = False) -> str:
    """A text value as YAML, through the one writer every command uses (sanzhua.edit.emit):
    PyYAML's emitter, read back; `flow` when it stands in `{…}` or `[…]`."""
    return emit.scalar(value, flow)


# Keys whose values are dates (a task's, and its milestones', progress entries' and
# extensions'): an ISO date is written plain, as ledgers write dates.
_DATE_KEYS = frozenset(("due", "start", "done", "date", "from", "to"))


# Keys whose values are numbers (a target's value, a progress entry's percent and value):
# a decimal number is written plain, as a number.
_NUMBER_KEYS = frozenset(("value", "percent"))
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")


def _value(eng: str, value: str, flow: bool = False) -> str:
    if eng in _DATE_KEYS:
        return emit.day(value, flow)
    if eng in _NUMBER_KEYS and _NUMBER.fullmatch(value):
        return value
    return emit.scalar(value, flow)


def _key(eng: str, style: Style, table: Mapping[str, str]) -> str:
    return table[eng] if style.keys == "zh" and eng in table else eng


def _flow_map(entry: Mapping[str, str], table: Mapping[str, str], style: Style) -> str:
    inner = ", ".join(f"{_key(k, style, table)}: {_value(k, v, flow=True)}" for k, v in entry.items())
    return "{" + inner + "}"


def render_task(
    fields: Mapping[str, FieldValue], comments: Sequence[str], style: Style
) -> list[str]:
    """One task as lines (without line endings), keys in the given order."""
    pad_item = " " * style.item_indent
    pad_key = " " * style.key_indent
    lines = [f"{pad_item}# {c}" for c in comments]
    first = True
    for eng, value in fields.items():
        key = _key(eng, style, K.TASK_KEYS)
        lead = (
            f"{pad_item}- " + " " * (style.key_indent - style.item_indent - 2) if first else pad_key
        )
        first = False
        if isinstance(value, str):
            lines.append(f"{lead}{key}: {_value(eng, value)}")
        elif isinstance(value, dict) and eng == "target" and not style.flow_target:
            table = _SUB_KEYS.get(eng, {})
            lines.append(f"{lead}{key}:")
            lines += [f"{pad_key}  {_key(k, style, table)}: {_value(k, v)}" for k, v in value.items()]
        elif isinstance(value, dict):
            lines.append(f"{lead}{key}: {_flow_map(value, _SUB_KEYS.get(eng, {}), style)}")
        elif value and isinstance(value[0], dict):
            lines.append(f"{lead}{key}:")
            table = _SUB_KEYS.get(eng, {})
            pad_sub = " " * (style.key_indent + style.nested_offset)
            for entry in value:
                assert isinstance(entry, dict)
                if style.flow_entries:
                    lines.append(f"{pad_sub}- {_flow_map(entry, table, style)}")
                    continue
                for i, (k, v) in enumerate(entry.items()):
                    head = f"{pad_sub}- " if i == 0 else pad_sub + "  "
                    lines.append(f"{head}{_key(k, style, table)}: {_value(k, v)}")
        else:
            items = ", ".join(scalar(str(v), flow=True) for v in value)
            lines.append(f"{lead}{key}: [{items}]")
    return lines


def render_task_flow(fields: Mapping[str, FieldValue], style: Style) -> str:
    """One task as a flow mapping on one line (`{id: …, title: …}`), for a file whose tasks
    are written so: nested mappings in `{…}`, lists in `[…]`."""
    parts: list[str] = []
    for eng, value in fields.items():
        key = _key(eng, style, K.TASK_KEYS)
        table = _SUB_KEYS.get(eng, {})
        if isinstance(value, str):
            parts.append(f"{key}: {_value(eng, value, flow=True)}")
        elif isinstance(value, dict):
            parts.append(f"{key}: {_flow_map(value, table, style)}")
        elif value and isinstance(value[0], dict):
            items = [_flow_map(e, table, style) for e in value if isinstance(e, dict)]
            parts.append(f"{key}: [" + ", ".join(items) + "]")
        else:
            parts.append(f"{key}: [" + ", ".join(scalar(str(v), flow=True) for v in value) + "]")
    return "{" + ", ".join(parts) + "}"


_ITEM = re.compile(r"^(\s*)-(\s+)(\{)?")
_NESTED_KEY = re.compile(r"^(\s*)(milestones|progress|extensions|节点|进展|延期)\s*:\s*(#.*)?$")


class CannotAppend(Exception):
    """The file's task list is written so that whole tasks cannot be added below it."""


def file_style(data: bytes, keys: str) -> tuple[Style, bool]:
    """The style an existing ledger file is written in (`keys` from the loader's key_style),
    and whether whole tasks can be added at the end of its task list: not when it is one
    flow list (`tasks: [{…}, {…}]`), is not a list at all, or the file does not parse."""
    src = Source(data)
    lines = src.lines
    nested_offset = 2
    for i, ln in enumerate(lines[:-1]):
        m = _NESTED_KEY.match(ln)
        if m and (n := _ITEM.match(lines[i + 1])):
            nested_offset = len(n.group(1)) - len(m.group(1))
            break
    flow = sum(1 for ln in lines if re.match(r"^\s+- \{", ln)) > sum(
        1
        for i, ln in enumerate(lines[:-1])
        if _NESTED_KEY.match(ln) and re.match(r"^\s+- [^{]", lines[i + 1])
    )
    style = Style(
        keys="zh" if keys == "zh" else "en",
        nested_offset=max(0, nested_offset),
        flow_entries=flow,
        newline="\r\n" if src.newline == "\r\n" else "\n",
    )
    try:
        ed = Editor(src)
        _, key, seq = tasks_node(ed)
    except (yaml.YAMLError, EditError):
        return style, False
    if isinstance(seq, SequenceNode) and not seq.flow_style and seq.value:
        # The task list's own indentation; blank lines between tasks if any two have one.
        first = seq.value[0]
        dash = seq.start_mark.column
        key_col = first.start_mark.column if isinstance(first, MappingNode) else dash + 2
        items = [
            i
            for i in range(seq.start_mark.line, min(seq.end_mark.line + 1, len(lines)))
            if (m := _ITEM.match(lines[i])) and len(m.group(1)) == dash
        ]
        style = replace(
            style,
            item_indent=dash,
            key_indent=max(key_col, dash + 2),
            blank_between=len(items) < 2 or any(not lines[i - 1].strip() for i in items[1:]),
        )
    return style, _cannot_append(ed, key, seq) is None


def _cannot_append(ed: Editor, key: Node | None, seq: Node | None) -> str | None:
    """Why whole tasks cannot be added at the end of the file's task list, or None."""
    if isinstance(seq, SequenceNode):
        return "flow" if seq.flow_style and seq.value else None
    if seq is not None and not is_null(seq):
        return "not a list"
    if key is None and not any(ln.strip() for ln in ed.lines):
        return "empty"
    return None


def append_to_file(data: bytes, blocks: Sequence[list[str]], style: Style) -> bytes:
    """`data` with the task blocks added at the end of its task list; every other byte kept
    (BOM, line endings, comments, a last line without a newline gains only its newline)."""
    src = Source(data)
    ed = Editor(src)
    _, key, seq = tasks_node(ed)
    why = _cannot_append(ed, key, seq)
    if why is not None:
        raise CannotAppend(why)
    added: list[str] = []
    if isinstance(seq, SequenceNode) and seq.value:
        last = seq.value[-1]
        end = extend_over_comments(last_line(last, ed.lines), ed.lines, seq.start_mark.column)
        for block in blocks:
            if style.blank_between:
                added.append("")
            added.extend(block)
        ed.insert_lines(end, added)
        return ed.result()
    for i, block in enumerate(blocks):
        if i and style.blank_between:
            added.append("")
        added.extend(block)
    if key is None:
        tasks_key = K.in_style("tasks", K.FILE_KEYS, style.keys == "zh")
        last = len(ed.lines) - 1
        while not ed.lines[last].strip():
            last -= 1
        ed.insert_lines(last, [f"{tasks_key}:", *added])
        return ed.result()
    if seq is not None and seq.end_mark.index > seq.start_mark.index:
        # `tasks: []`: the empty list goes, the tasks come below the key
        at = ed.text.index(":", key.end_mark.index) + 1
        ed.replace(at, seq.end_mark.index, "")
    ed.insert_lines(key.start_mark.line, added)
    return ed.result()


def new_file(unit: str, header: Sequence[str], blocks: Sequence[list[str]], style: Style) -> str:
    """A new ledger file for one lead unit."""
    unit_key = K.in_style("unit", K.FILE_KEYS, style.keys == "zh")
    tasks_key = K.in_style("tasks", K.FILE_KEYS, style.keys == "zh")
    lines = [f"# {h}" for h in header]
    lines += [f"{unit_key}: {scalar(unit)}", f"{tasks_key}:"]
    for i, block in enumerate(blocks):
        if i and style.blank_between:
            lines.append("")
        lines.extend(block)
    return style.newline.join(lines) + style.newline
