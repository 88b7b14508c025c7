"""Surgical edits: set a value, add a key, append a list entry or a task, in the file's own style.

Why text splicing rather than a round-trip dump: ruamel.yaml re-emits the whole file,
and a dump changes what it does not understand the way the clerk wrote it (spacing
inside flow mappings, line widths, indentation of indentless lists, quoting). Here an
edit is a few characters inserted or replaced at positions taken from libyaml's node
marks, so every other byte of the file stays as it was. The result is parsed and
validated again before anything is written (sanzhua.edit.session).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress

from sanzhua.edit import render as R
from sanzhua.edit.errors import EditError as EditError
from sanzhua.edit.source import BOM, Source
from sanzhua.edit.tree import (
    Entry,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    compose,
    entry,
    extend_over_comments,
    is_null,
    last_line,
)
from sanzhua.problems import msg

_ODD_BREAK = re.compile("[\r\x85\u2028\u2029]")

# One field of a new entry: (English key, YAML text of the value).
Field = tuple[str, str]


class Editor:
    """Edits to one file, collected as (start, end, new text) over `Source.text`."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.text = source.text
        if _ODD_BREAK.search(self.text):
            # libyaml counts these as line breaks and the line split here does not: marks
            # would point at the wrong lines (a splice in the wrong place, or a crash).
            raise EditError(msg("edit.odd-breaks"), msg("edit.odd-breaks.hint"))
        self.lines = source.lines
        self.root = compose(self.text)
        self.edits: list[tuple[int, int, str]] = []
        self.starts = [0, *accumulate(len(line) + 1 for line in self.lines)]

    def style_tasks(self) -> Iterator[tuple[MappingNode, str]]:
        """The file's tasks in order, each with the text its marks index, for `list_style`."""
        _, _, seq = tasks_node(self)
        if isinstance(seq, SequenceNode):
            for task in seq.value:
                if isinstance(task, MappingNode):
                    yield task, self.text

    # -- primitive edits -------------------------------------------------------------
    def replace(self, start: int, end: int, new: str) -> None:
        for s, e, _ in self.edits:
            if start < e and s < end:
                raise EditError(msg("edit.overlap"))
        self.edits.append((start, end, new))

    def insert_lines(self, after_line: int, lines: Sequence[str]) -> None:
        """Insert whole lines after 0-based line `after_line`."""
        at = self.starts[after_line + 1]
        self.edits.append((at, at, "".join(line + "\n" for line in lines)))

    def new_text(self) -> str:
        out = self.text
        for s, e, new in sorted(self.edits, key=lambda x: (x[0], x[1]), reverse=True):
            out = out[:s] + new + out[e:]
        return out

    def result(self) -> bytes:
        return rebuild(self.source, self.new_text())

    def indent_of(self, line: int) -> int:
        s = self.lines[line]
        return len(s) - len(s.lstrip(" "))


def rebuild(source: Source, new_text: str) -> bytes:
    """Bytes for `new_text` (LF, no BOM) in the source's BOM and line endings.

    Lines that are unchanged keep their own ending; new or changed lines take the
    file's most common one. Linear in the file's size (issue 14.8): a file with one kind
    of ending needs no matching at all, and a mixed one is matched by `same_lines`.
    """
    last_old = source.endings[-1] if source.endings else "\n"
    if source.uniform:  # one line break throughout: no line to match, the text as it is (issue 14)
        body = new_text[:-1] if new_text.endswith("\n") else new_text  # its lines joined
        if source.newline != "\n":
            body = body.replace("\n", source.newline)
        if new_text and last_old != "":
            body += source.newline
        return (BOM if source.bom else b"") + body.encode("utf-8")
    new_lines = new_text.split("\n")
    if new_lines and new_lines[-1] == "":
        new_lines.pop()
    old = source.lines
    endings: list[str] = [source.newline] * len(new_lines)
    if any(e != source.newline for e in source.endings[:-1]):
        for i, j in same_lines(old, new_lines):
            endings[j] = source.endings[i] or source.newline
    if new_lines:
        endings[-1] = "" if last_old == "" else endings[-1]
    body = "".join(line + end for line, end in zip(new_lines, endings, strict=True))
    return (BOM if source.bom else b"") + body.encode("utf-8")


def same_lines(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int]]:
    """Pairs (i, j), increasing in both, of lines that an edit left as they were.

    The common head and tail are matched first; what lies between (the edited stretch,
    small for an edit, possibly the whole file for fmt) is matched greedily on lines that
    occur once on each side, in order, and the runs between those anchors pair up from
    their ends. Linear in the number of lines, unlike difflib's quadratic worst case; an
    edit's own lines are new in any matching, so the endings of the rest are what counts.
    """
    return [(i + k, j + k) for i, j, size in same_runs(old, new) for k in range(size)]


def _ahead(a: Sequence[str], i: int, b: Sequence[str], j: int, limit: int) -> int:
    """How many lines are equal from a[i] and b[j] on (at most `limit`), compared a
    slice at a time."""
    k, step = 0, 16
    while k < limit and step:
        size = min(step, limit - k)
        if a[i + k : i + k + size] == b[j + k : j + k + size]:
            k += size
            step *= 2
        else:
            step = size // 2
    return k


def _behind(a: Sequence[str], i: int, b: Sequence[str], j: int, limit: int) -> int:
    """How many lines are equal back from a[i - 1] and b[j - 1] (at most `limit`)."""
    k, step = 0, 16
    while k < limit and step:
        size = min(step, limit - k)
        if a[i - k - size : i - k] == b[j - k - size : j - k]:
            k += size
            step *= 2
        else:
            step = size // 2
    return k


def same_runs(old: Sequence[str], new: Sequence[str]) -> list[tuple[int, int, int]]:
    """`same_lines`' pairs as runs (i, j, length): old[i:i+length] is new[j:j+length].

    The runs of equal lines are found a slice at a time and the lines that occur once
    on each side by counting in C, not line by line (fmt of a file of 6 million lines,
    issue 14)."""
    n, m = len(old), len(new)
    head = _ahead(old, 0, new, 0, min(n, m))
    tail = _behind(old, n, new, m, min(n, m) - head)
    runs = [(0, 0, head)] if head else []
    old_mid, new_mid = old[head : n - tail], new[head : m - tail]
    # The lines once on each side: those once on the shorter side, counted on the other.
    short, other = (old_mid, new_mid) if len(old_mid) <= len(new_mid) else (new_mid, old_mid)
    maybe = {line for line, c in Counter(short).items() if c == 1}
    once = {line for line, c in Counter(filter(maybe.__contains__, other)).items() if c == 1}
    last_i = head - 1
    anchors: list[tuple[int, int]] = []
    if once:
        at_old = {old[i]: i for i in compress(range(head, n - tail), map(once.__contains__, old_mid))}
        for j in compress(range(head, m - tail), map(once.__contains__, new_mid)):
            i = at_old[new[j]]
            if i > last_i:
                last_i = i
                anchors.append((i, j))
    # Between two anchors (and before the first, after the last) pair equal lines from
    # both ends of the gap.
    prev_i, prev_j = head - 1, head - 1
    for i, j in [*anchors, (n - tail, m - tail)]:
        lo_i, lo_j = prev_i + 1, prev_j + 1
        front = _ahead(old, lo_i, new, lo_j, min(i - lo_i, j - lo_j))
        if front:
            runs.append((lo_i, lo_j, front))
        back = _behind(old, i, new, j, min(i - lo_i, j - lo_j) - front)
        if back:
            runs.append((i - back, j - back, back))
        if i < n - tail:
            runs.append((i, j, 1))
        prev_i, prev_j = i, j
    if tail:
        runs.append((n - tail, m - tail, tail))
    return runs


# -- reading the tree ------------------------------------------------------------------


def eng_key(k: str, table: dict[str, str]) -> str | None:
    for e, zh in table.items():
        if k in (e, zh):
            return e
    return None


def style_of(mapping: MappingNode, table: dict[str, str], default: str) -> str:
    """ "zh" when the mapping's keys are Chinese aliases, "en" when English."""
    zh = en = 0
    for k, _ in mapping.value:
        if not isinstance(k, ScalarNode):
            continue
        for e, z in table.items():
            if k.value == z and z != e:
                zh += 1
            elif k.value == e:
                en += 1
    if zh == en:
        return default
    return "zh" if zh > en else "en"


def tasks_node(ed: Editor) -> tuple[MappingNode, ScalarNode | None, Node | None]:
    root = ed.root
    if not isinstance(root, MappingNode):
        raise EditError(msg("edit.not-ledger"))
    e = entry(root, R.names("tasks", R.FILE))
    if e is None:
        return root, None, None
    return root, e.key, e.value


def find_task(ed: Editor, task_id: str) -> MappingNode:
    _, _, seq = tasks_node(ed)
    if isinstance(seq, SequenceNode):
        for item in seq.value:
            if isinstance(item, MappingNode):
                e = entry(item, R.names("id", R.TASK))
                if (
                    e is not None
                    and isinstance(e.value, ScalarNode)
                    and e.value.value.strip() == task_id
                ):
                    return item
    raise EditError(msg("edit.no-task-in-file", id=task_id))


def scalar_source(ed: Editor, node: ScalarNode) -> str:
    """The value exactly as written (with its quotes)."""
    return ed.text[node.start_mark.index : node.end_mark.index]


# -- edits on mappings -----------------------------------------------------------------


def set_scalar(ed: Editor, node: Node, key: ScalarNode, value: str) -> None:
    """Replace a scalar value (or fill an empty one) in place."""
    if (
        not isinstance(node, ScalarNode)
        or node.style in ("|", ">")
        or node.start_mark.line != node.end_mark.line
    ):
        raise EditError(msg("edit.complex-value", key=key.value))
    if node.start_mark.index == node.end_mark.index:
        # `done:` with nothing after it: write after the colon, before any comment.
        at = _after_colon(ed, key)
        after = ed.lines[key.end_mark.line][at - ed.starts[key.end_mark.line] :]
        if after.strip().startswith("#"):
            ed.replace(at + 1, at + 1, value + " ")
        else:
            ed.replace(at, at + len(after), " " + value)
        return
    ed.replace(node.start_mark.index, node.end_mark.index, value)


def _after_colon(ed: Editor, key: ScalarNode) -> int:
    """The offset just after the ':' that follows a key."""
    return ed.text.index(":", key.end_mark.index) + 1


def _pred_index(
    mapping: MappingNode, eng: str, table: dict[str, str], order: Sequence[str]
) -> int | None:
    rank = {k: i for i, k in enumerate(order)}
    mine = rank.get(eng, len(order))
    best: int | None = None
    for i, (k, _) in enumerate(mapping.value):
        ke = eng_key(k.value, table) if isinstance(k, ScalarNode) else None
        if ke is not None and rank.get(ke, len(order)) < mine:
            best = i
    return best


def insert_key(
    ed: Editor,
    mapping: MappingNode,
    eng: str,
    table: dict[str, str],
    order: Sequence[str],
    keyname: str,
    inline: str | None,
    block: Sequence[str] = (),
    flow_value: str | None = None,
) -> None:
    """Add `keyname: inline` (and `block` lines, indented relative to the key) to a mapping.

    The key goes after the last key that comes before it in `order`. A flow mapping gets
    `, key: flow_value` instead, on the same line.
    """
    pred = _pred_index(mapping, eng, table, order)
    if pred is None and mapping.value:
        pred = len(mapping.value) - 1
    if mapping.flow_style:
        value = flow_value if flow_value is not None else inline
        if value is None:
            raise EditError(msg("edit.complex-value", key=keyname))
        if pred is None:
            at = mapping.start_mark.index + 1
            ed.replace(at, at, f"{keyname}: {value}")
        else:
            at = mapping.value[pred][1].end_mark.index
            if is_null(mapping.value[pred][1]) and mapping.value[pred][1].start_mark.index == at:
                at = mapping.value[pred][0].end_mark.index
                # "{a: , b}" is rare; put the key after the empty value's colon
                at = ed.text.index(":", at) + 1
            ed.replace(at, at, f", {keyname}: {value}")
        return
    if not mapping.value:
        raise EditError(msg("edit.complex-value", key=keyname))
    col = mapping.value[0][0].start_mark.column
    k, v = mapping.value[pred] if pred is not None else mapping.value[-1]
    last = max(last_line(k, ed.lines), last_line(v, ed.lines))
    last = extend_over_comments(last, ed.lines, col)
    first = " " * col + keyname + ":" + (" " + inline if inline else "")
    ed.insert_lines(last, [first, *(" " * col + b for b in block)])


def set_key(
    ed: Editor,
    mapping: MappingNode,
    eng: str,
    table: dict[str, str],
    order: Sequence[str],
    style: str,
    value: str,
) -> None:
    """Set a scalar key: replace the value where it is written, or add the key."""
    e = entry(mapping, R.names(eng, table))
    if e is not None:
        set_scalar(ed, e.value, e.key, value)
    else:
        insert_key(ed, mapping, eng, table, order, R.key(eng, table, style), value)


# -- lists of entries ------------------------------------------------------------------


@dataclass(frozen=True)
class ListStyle:
    flow_items: bool = True  # `- {date: …}` rather than one key per line
    offset: int = 2  # columns from the parent key to the "-"
    gap: int = 1  # spaces after the "-"
    pad: bool = False  # `{ date: … }`


def list_style(ed: Editor, prefer: Iterable[str]) -> ListStyle:
    """How this file writes its lists of entries, from the first list found (by key name)."""
    order = list(prefer)
    found: dict[str, ListStyle] = {}
    for task, text in ed.style_tasks():
        if task.flow_style:
            continue
        for k, v in task.value:
            if (
                not (isinstance(k, ScalarNode) and isinstance(v, SequenceNode))
                or v.flow_style
                or not v.value
            ):
                continue
            item = v.value[-1]
            if not isinstance(item, MappingNode):
                continue
            kind = eng_key(k.value, R.TASK) or k.value
            if kind in found:
                continue
            pad = (
                bool(item.flow_style)
                and text[item.start_mark.index + 1 : item.start_mark.index + 2] == " "
            )
            found[kind] = ListStyle(
                bool(item.flow_style),
                v.start_mark.column - k.start_mark.column,
                max(1, item.start_mark.column - v.start_mark.column - 1),
                pad,
            )
        if order and order[0] in found:
            break  # the first kind asked for decides; no later task can change that
    for kind in order:
        if kind in found:
            return found[kind]
    return next(iter(found.values()), ListStyle())


def flow_map(fields: Sequence[tuple[str, str]], pad: bool = False) -> str:
    inner = ", ".join(f"{k}: {v}" for k, v in fields)
    return "{ " + inner + " }" if pad else "{" + inner + "}"


# Where a key that the file's entries do not have yet goes among those they have.
_PLACEMENT: dict[str, tuple[str, ...]] = {
    "progress": ("date", "percent", "value", "note", "by"),
}


def _ordered(
    fields: Sequence[Field],
    template: MappingNode | None,
    table: dict[str, str],
    placement: Sequence[str] | None = None,
) -> list[Field]:
    """Fields in the order the file's last entry uses; a key it lacks goes after the key
    that comes before it in `placement` (FORMAT.md's order by default)."""
    canon = list(placement or table)
    rank = {k: i for i, k in enumerate(canon)}
    order: list[str] = []
    if template is not None:
        for k, _ in template.value:
            e = eng_key(k.value, table) if isinstance(k, ScalarNode) else None
            if e is not None and e not in order:
                order.append(e)
    for name in sorted(
        (f[0] for f in fields if f[0] not in order), key=lambda n: rank.get(n, len(rank))
    ):
        mine = rank.get(name, len(rank))
        at = 0
        for i, other in enumerate(order):
            if rank.get(other, len(rank)) < mine:
                at = i + 1
        order.insert(at, name)
    pos = {k: i for i, k in enumerate(order)}
    return sorted(fields, key=lambda f: pos[f[0]])


def append_entry(
    ed: Editor,
    task: MappingNode,
    list_eng: str,
    item_table: dict[str, str],
    fields: Sequence[Field],
    task_style: str,
) -> None:
    """Append one entry (progress, extension) to a task's list, creating the list if needed."""
    e = entry(task, R.names(list_eng, R.TASK))
    if e is not None and isinstance(e.value, MappingNode) and e.value.value:
        _append_to_single(ed, e.value, item_table, fields, task_style, list_eng)
    elif e is not None and isinstance(e.value, SequenceNode):
        _append_to_list(ed, e.value, item_table, fields, task_style, list_eng)
    elif e is not None and not is_null(e.value):
        raise EditError(msg("edit.not-a-list", key=e.key.value))
    else:
        _start_list(ed, task, e, item_table, fields, task_style, list_eng)


def _append_to_list(
    ed: Editor,
    seq: SequenceNode,
    item_table: dict[str, str],
    fields: Sequence[Field],
    task_style: str,
    list_eng: str,
) -> None:
    """The entry after the list's last, in the last entry's shape (flow or block, its
    keys' language and order, its spacing)."""
    last = seq.value[-1] if seq.value else None
    template = last if isinstance(last, MappingNode) else None
    style = style_of(template, item_table, task_style) if template is not None else task_style
    named = [
        (R.key(k, item_table, style), v) for k, v in _ordered(fields, template, item_table, _PLACEMENT.get(list_eng))
    ]
    # `{ date: …}`: the last entry's flow mapping has a space inside its braces
    pad = template is not None and ed.text[template.start_mark.index + 1 : template.start_mark.index + 2] == " "
    if seq.flow_style:
        item = flow_map(named, pad and bool(template is not None and template.flow_style))
        if last is None:
            at = seq.start_mark.index + 1
            ed.replace(at, at, item)
        else:
            at = last.end_mark.index
            ed.replace(at, at, ", " + item)
        return
    assert last is not None  # a block sequence has at least one item
    dash = seq.start_mark.column
    gap = max(1, last.start_mark.column - dash - 1)
    end = extend_over_comments(last_line(last, ed.lines), ed.lines, dash)
    if template is None or template.flow_style:
        ed.insert_lines(end, [" " * dash + "-" + " " * gap + flow_map(named, pad)])
    else:
        col = template.start_mark.column
        lines = [" " * dash + "-" + " " * (col - dash - 1) + f"{named[0][0]}: {named[0][1]}"]
        lines += [" " * col + f"{k}: {v}" for k, v in named[1:]]
        ed.insert_lines(end, lines)


def _start_list(
    ed: Editor,
    task: MappingNode,
    e: Entry | None,
    item_table: dict[str, str],
    fields: Sequence[Field],
    task_style: str,
    list_eng: str,
) -> None:
    """The list's first entry: below a key written with no value (`progress:` or `~`), or
    under a new key, in the style of the file's other lists."""
    named = [
        (R.key(k, item_table, task_style), v) for k, v in _ordered(fields, None, item_table, _PLACEMENT.get(list_eng))
    ]
    ls = list_style(ed, (list_eng, "progress", "extensions", "milestones"))
    if e is not None:
        col = e.key.start_mark.column
        v = e.value
        if task.flow_style:
            empty = v.start_mark.index == v.end_mark.index
            ed.replace(v.start_mark.index, v.end_mark.index, (" [" if empty else "[") + flow_map(named) + "]")
            return
        if v.end_mark.index > v.start_mark.index:
            ed.replace(_after_colon(ed, e.key), v.end_mark.index, "")
        ed.insert_lines(e.key.start_mark.line, _block_items(named, col + ls.offset, ls))
        return
    keyname = R.key(list_eng, R.TASK, task_style)
    insert_key(
        ed,
        task,
        list_eng,
        R.TASK,
        R.TASK_ORDER,
        keyname,
        None,
        _block_items(named, ls.offset, ls),
        flow_value="[" + flow_map(named) + "]",
    )


def _append_to_single(
    ed: Editor,
    single: MappingNode,
    item_table: dict[str, str],
    fields: Sequence[Field],
    task_style: str,
    list_eng: str,
) -> None:
    """`progress: {date: …}` (one entry written without a list) becomes a list of two.

    A flow mapping on one line is wrapped in `[…, {new}]` on that line. A block mapping
    gets a `- ` before its first key and its other lines two more spaces, and the new
    entry follows in the same shape.
    """
    style = style_of(single, item_table, task_style)
    named = [
        (R.key(k, item_table, style), v)
        for k, v in _ordered(fields, single, item_table, _PLACEMENT.get(list_eng))
    ]
    if single.flow_style:
        if single.start_mark.line != single.end_mark.line:
            raise EditError(msg("edit.complex-value", key=list_eng))
        pad = ed.text[single.start_mark.index + 1 : single.start_mark.index + 2] == " "
        ed.replace(single.start_mark.index, single.start_mark.index, "[")
        ed.replace(single.end_mark.index, single.end_mark.index, ", " + flow_map(named, pad) + "]")
        return
    first = single.start_mark.line
    col = single.value[0][0].start_mark.column
    if ed.lines[first][:col].strip():
        raise EditError(msg("edit.complex-value", key=list_eng))
    last = extend_over_comments(last_line(single, ed.lines), ed.lines, col - 1)
    at = ed.starts[first] + col
    ed.replace(at, at, "- ")
    for n in range(first + 1, last + 1):
        if ed.lines[n].strip():
            ed.replace(ed.starts[n], ed.starts[n], "  ")
    lines = [" " * col + "- " + f"{named[0][0]}: {named[0][1]}"]
    lines += [" " * (col + 2) + f"{k}: {v}" for k, v in named[1:]]
    ed.insert_lines(last, lines)


def _block_items(named: Sequence[tuple[str, str]], dash: int, ls: ListStyle) -> list[str]:
    if ls.flow_items:
        return [" " * dash + "-" + " " * ls.gap + flow_map(named, ls.pad)]
    col = dash + 1 + ls.gap
    lines = [" " * dash + "-" + " " * ls.gap + f"{named[0][0]}: {named[0][1]}"]
    lines += [" " * col + f"{k}: {v}" for k, v in named[1:]]
    return lines
