"""The canonical layout of a ledger file: lines moved and re-indented, never re-serialized.

The layout: keys in FORMAT.md's order, two spaces per level, lists indented under
their key (`  - `), one space after `key:` and `- `, single-line flow mappings and
lists written `{a: b, c: d}` (keys in order too), no blank lines inside a task, one
between tasks when the file separates them.

Why not a YAML round trip (ruamel.yaml): a dump decides by itself where a comment
belongs, keeps a comment's old column when the indentation changes, mangles comments
inside multi-line flow lists, drops `---`, and re-spaces trailing comments. Here the
file is walked as libyaml's node tree, and every line of the output is an input line:
a key's own text (quotes, anchors, tags and trailing comment as written) with new
indentation, a block scalar's or multi-line value's lines shifted as a whole, a
comment line re-indented to the line it belongs to. A comment belongs to the content
below it, unless it is indented deeper than that content: then to the content above
(a note under a progress entry). Values are never rewritten, except dates with
`normalize_dates` and the spacing inside single-line flow collections. The result
must read back as the same tasks with the same comments, or the file is left alone.
"""

from __future__ import annotations

import bisect
import gc
import re
from collections import Counter
from collections.abc import Sequence

from sanzhua.checks.per_task import file_problems
from sanzhua.dates import DateError, parse_when
from sanzhua.edit.ops import rebuild
from sanzhua.edit.session import plain
from sanzhua.edit.source import Source
from sanzhua.edit.tree import MappingNode, Node, ScalarNode, SequenceNode, compose, entry, last_line
from sanzhua.load import FileResult, parse_ledger_bytes
from sanzhua.load import keys as K
from sanzhua.load.yamlfast import outside_quotes, starts_comment
from sanzhua.model import Task


class Unsafe(Exception):
    """The file is written in a way this formatter does not lay out (left as it is)."""


def _order(table: dict[str, str]) -> dict[str, int]:
    rank: dict[str, int] = {}
    for i, (en, zh) in enumerate(table.items()):
        rank[en] = i
        rank[zh] = i
    return rank


_FILE_RANK = _order(K.FILE_KEYS)
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
_BLOCK_HEADER = re.compile(r"^([|>])([1-9]?)([+-]?)([1-9]?)(\s.*)?$")

# Where a mapping sits, for its key order and the blank lines around its entries.
_TOP, _TASKS, _INNER = "top", "tasks", "inner"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _entries(v: Node) -> list[MappingNode]:
    if isinstance(v, MappingNode):
        return [v]
    if isinstance(v, SequenceNode):
        return [x for x in v.value if isinstance(x, MappingNode)]
    return []


def _key_text(k: Node) -> str | None:
    return k.value if isinstance(k, ScalarNode) else None


class _Layout:
    """One pass over one file's text, writing the canonical lines to `out`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line) + 1)
        root = compose(text)
        if not isinstance(root, MappingNode) or root.flow_style or not root.value:
            raise Unsafe("root")
        self.root = root
        self.out: list[str] = []
        self.emitted: Counter[int] = Counter()
        self.colmap: dict[int, list[tuple[int, int]]] = {}
        self.seen: set[int] = set()
        self.aliased: set[int] = set()
        if "*" in text:  # an alias is written `*name`: without one, no node stands twice (a walk saved)
            self._find_aliases(root)
        # Lines that belong to a multi-line value (block scalar, long text, flow list).
        self.continued: set[int] = set()
        self._spans(root)
        self.up: dict[int, list[int]] = {}
        # Entries (a key and its value, a list item) by the line they end on:
        # (depth, column, token); comments noting an entry are written after it.
        self.ends: dict[int, list[tuple[int, int, tuple[str, int]]]] = {}
        self._collect_ends(root, 0)
        self.after: dict[tuple[str, int], list[int]] = {}
        self.down: dict[int, list[int]] = {}
        self.first = root.value[0][0].start_mark.line
        self.last = self._last(root)
        self._assign_comments()
        self.between = self._tasks_separated()

    # -- reading ---------------------------------------------------------------------------

    def _find_aliases(self, node: Node) -> None:
        if id(node) in self.seen:
            self.aliased.add(id(node))
            return
        self.seen.add(id(node))
        if isinstance(node, MappingNode):
            for k, v in node.value:
                self._find_aliases(k)
                self._find_aliases(v)
        elif isinstance(node, SequenceNode):
            for x in node.value:
                self._find_aliases(x)

    def _is_alias_here(self, node: Node, after: int) -> bool:
        """The node written here is `*name` (its marks are the anchor's, earlier)."""
        return id(node) in self.aliased and node.start_mark.index < after

    def _last(self, node: Node) -> int:
        line = last_line(node, self.lines)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            header = self._header(node)
            if header is not None and header.group(3) == "+":
                while line + 1 < len(self.lines) and not self.lines[line + 1].strip():
                    line += 1
        return line

    def _header(self, node: ScalarNode) -> re.Match[str] | None:
        line = self.lines[node.start_mark.line][node.start_mark.column :]
        return _BLOCK_HEADER.match(line.split("#", 1)[0].rstrip() + " ")

    def _spans(self, node: Node, start_line: int | None = None) -> None:
        """Mark the lines after `start_line` that a scalar or flow value runs over."""
        if isinstance(node, MappingNode) and not node.flow_style:
            for k, v in node.value:
                self._value_span(v, k.start_mark.line, k.end_mark.index)
        elif isinstance(node, SequenceNode) and not node.flow_style:
            for item in node.value:
                if id(item) in self.aliased:
                    raise Unsafe("alias in a list")
                self._value_span(item, item.start_mark.line, item.start_mark.index)

    def _value_span(self, v: Node, line: int, after: int) -> None:
        if self._is_alias_here(v, after):
            return
        if isinstance(v, MappingNode | SequenceNode) and not v.flow_style:
            self._spans(v)
            return
        end = self._last(v)
        self.continued.update(range(line + 1, end + 1))

    def _collect_ends(self, node: Node, depth: int) -> None:
        if isinstance(node, MappingNode) and not node.flow_style:
            for k, v in node.value:
                if self._is_alias_here(v, k.end_mark.index):
                    end = int(k.start_mark.line)
                else:
                    end = self._last(v)
                    self._collect_ends(v, depth + 1)
                self.ends.setdefault(end, []).append((depth, k.start_mark.column, ("k", id(k))))
        elif isinstance(node, SequenceNode) and not node.flow_style:
            for item in node.value:
                self._collect_ends(item, depth + 1)
                self.ends.setdefault(self._last(item), []).append(
                    (depth, node.start_mark.column, ("i", id(item)))
                )

    def _kind(self, n: int) -> str:
        if n in self.continued:
            return "content"
        s = self.lines[n].strip()
        if not s:
            return "blank"
        return "comment" if s.startswith("#") else "content"

    def _assign_comments(self) -> None:
        """Each comment line goes with the content below it, or with the content above
        when it is indented deeper than the content below (or nothing follows)."""
        prev: int | None = None
        run: list[int] = []
        for i in range(self.first, self.last + 1):
            kind = self._kind(i)
            if kind == "comment":
                run.append(i)
            elif kind == "content":
                self._attach(run, prev, i)
                run = []
                prev = i
        # Comments after the last content line but indented: notes under the last entry.
        i = self.last + 1
        while (
            i < len(self.lines) and self._kind(i) == "comment" and _indent(self.lines[i]) > 0
        ):
            run.append(i)
            i += 1
        self._attach(run, prev, None)
        self.epilogue = i

    def _attach(self, run: list[int], prev: int | None, nxt: int | None) -> None:
        if not run:
            return
        limit = _indent(self.lines[nxt]) if nxt is not None else -1
        split = 0
        if prev is not None:
            while split < len(run) and _indent(self.lines[run[split]]) > limit:
                split += 1
        if split:
            assert prev is not None
            # The deepest entry that ends on the line above and starts at or left of the
            # comment: the comment is written after that entry, wherever the entry goes.
            ci = _indent(self.lines[run[0]])
            fits = [e for e in self.ends.get(prev, []) if e[1] <= ci]
            if fits:
                self.after.setdefault(max(fits)[2], []).extend(run[:split])
            else:
                self.up.setdefault(prev, []).extend(run[:split])
        if split < len(run):
            if nxt is None:  # pragma: no cover - every comment before the end has content below
                raise Unsafe("comment")
            self.down.setdefault(nxt, []).extend(run[split:])

    def _tasks_separated(self) -> bool:
        e = entry(self.root, frozenset(("tasks", K.FILE_KEYS["tasks"])))
        if e is None or not isinstance(e.value, SequenceNode) or e.value.flow_style:
            return False
        for item in e.value.value[1:]:
            first = self._dash_line(item, e.value.start_mark.column)
            first = min([first, *self.down.get(first, [])])
            if first > 0 and self._kind(first - 1) == "blank":
                return True
        return False

    # -- writing ---------------------------------------------------------------------------

    def emit(self, line: int, new: str, pairs: list[tuple[int, int]], strip: bool = True) -> None:
        self.out.append(new.rstrip() if strip else new)
        self.emitted[line] += 1
        self.colmap.setdefault(line, []).extend(pairs)

    def _blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def _comments_before(self, line: int, col: int, ctx: str, blank: bool) -> None:
        """The comments that head the entry on `line`, at the entry's column."""
        heads = self.down.pop(line, [])
        first = min([line, *heads])
        if blank or (ctx == _TOP and first > 0 and self._kind(first - 1) == "blank"):
            self._blank()
        for c in heads:
            if ctx == _TOP and c != first and self._kind(c - 1) == "blank":
                self._blank()
            self.out.append(" " * col + self.lines[c].strip())
            self.emitted[c] += 1
        if ctx == _TOP and heads and self._kind(line - 1) == "blank":
            self._blank()

    def _comments_after(self, line: int) -> None:
        for c in self.up.pop(line, []):
            ci = _indent(self.lines[c])
            # Keep the comment's place relative to the nearest line above that starts at
            # or left of it (the `- ` of the entry it notes, the key it is under).
            anchor: tuple[int, int] | None = None
            n = line
            while anchor is None and n >= self.first:
                below = [p for p in self.colmap.get(n, []) if p[0] <= ci]
                if below:
                    anchor = max(below)
                n -= 1
            old, new = anchor if anchor is not None else (0, 0)
            self.out.append(" " * max(0, new + ci - old) + self.lines[c].strip())
            self.emitted[c] += 1

    def _comments_after_entry(self, token: tuple[str, int], old: int, new: int) -> None:
        for c in self.after.pop(token, []):
            ci = _indent(self.lines[c])
            self.out.append(" " * max(0, new + ci - old) + self.lines[c].strip())
            self.emitted[c] += 1

    def _line_rest(self, index: int) -> str:
        """The text from `index` to the end of its line."""
        line = bisect.bisect_right(self.starts, index) - 1
        return self.text[index : self.starts[line] + len(self.lines[line])]

    def mapping(self, m: MappingNode, col: int, ctx: str, rank: dict[str, int]) -> int:
        """Write a block mapping at `col`; return the index in `out` of its first key's line."""
        items = list(m.value)
        ordered = sorted(
            range(len(items)),
            key=lambda i: (rank.get(_key_text(items[i][0]) or "", len(rank)), i),
        )
        first_at = -1
        for i in ordered:
            k, v = items[i]
            self._comments_before(k.start_mark.line, col, ctx, False)
            if first_at < 0:
                first_at = len(self.out)
            self.key(k, v, col, ctx)
        return first_at

    def key(self, k: Node, v: Node, col: int, ctx: str) -> None:
        line = k.start_mark.line
        old = k.start_mark.column
        ktext = self.text[k.start_mark.index : k.end_mark.index]
        if not isinstance(k, ScalarNode) or "\n" in ktext:
            raise Unsafe("key")
        colon = self.text.find(":", k.end_mark.index)
        if colon < 0 or self.text[k.end_mark.index : colon].strip():
            raise Unsafe("key")
        after = self._line_rest(colon + 1)
        name = k.value
        # The order of what is below this key: a task's keys, a progress entry's keys …
        rank: dict[str, int] = {}
        if ctx == _TASKS and _TASK_ENG.get(name) in _NESTED:
            rank = _NESTED[_TASK_ENG[name]]
        elif ctx == _TOP and name in ("tasks", K.FILE_KEYS["tasks"]):
            rank = _TASK_RANK
        if (
            isinstance(v, MappingNode | SequenceNode)
            and not v.flow_style
            and not self._is_alias_here(v, k.end_mark.index)
        ):
            self.emit(line, " " * col + ktext + ":" + after.rstrip(), [(old, col)])
            self._comments_after(line)
            if isinstance(v, MappingNode):
                self.mapping(v, col + 2, _INNER, rank)
            elif ctx == _TOP and name in ("tasks", K.FILE_KEYS["tasks"]):
                self.sequence(v, col + 2, _TASKS, rank)
            else:
                self.sequence(v, col + 2, _INNER, rank)
            self._comments_after_entry(("k", id(k)), old, col)
            return
        value = self._inline(v, k.end_mark.index, line, after, rank)
        head = " " * col + ktext + ":" + (" " + value if value else "")
        self._value_lines(v, line, head, old, col, k.end_mark.index)
        self._comments_after_entry(("k", id(k)), old, col)

    def _inline(self, v: Node, after_index: int, line: int, after: str, rank: dict[str, int]) -> str:
        """The value as it goes after `key: ` or `- ` on the entry's first line."""
        if (
            isinstance(v, MappingNode | SequenceNode)
            and not self._is_alias_here(v, after_index)
            and v.start_mark.line == line
            and v.end_mark.line == line
        ):
            flow = self._flow(v, rank)
            if flow is not None:
                return flow + self._line_rest(v.end_mark.index).rstrip()
        return after.strip(" \t")

    def _flow(self, v: Node, rank: dict[str, int]) -> str | None:
        """A single-line flow collection written canonically, or None to keep it as written."""
        if id(v) in self.aliased:
            return None
        src = self.text[v.start_mark.index : v.end_mark.index]
        if isinstance(v, MappingNode):
            if not src.startswith("{"):
                return None
            parts: list[tuple[int, int, str]] = []
            for i, (k, x) in enumerate(v.value):
                ks = self._flow_item(k, {})
                xs = self._flow_item(x, _nested_rank(rank, _key_text(k)))
                if ks is None or xs is None:
                    return None
                parts.append((rank.get(_key_text(k) or "", len(rank)), i, f"{ks}: {xs}" if xs else ks))
            return "{" + ", ".join(p for _, _, p in sorted(parts)) + "}"
        if isinstance(v, SequenceNode):
            if not src.startswith("["):
                return None
            items: list[str] = []
            for x in v.value:
                xs = self._flow_item(x, rank)
                if xs is None:
                    return None
                items.append(xs)
            return "[" + ", ".join(items) + "]"
        return None

    def _flow_item(self, x: Node, rank: dict[str, int]) -> str | None:
        if id(x) in self.aliased:
            return None
        if isinstance(x, ScalarNode):
            return self.text[x.start_mark.index : x.end_mark.index]
        return self._flow(x, rank)

    def _value_lines(self, v: Node, line: int, head: str, old: int, col: int, after: int) -> None:
        """The entry's first line, then the lines its value runs over, shifted as a whole."""
        self.emit(line, head, [(old, col)])
        self._comments_after(line)
        if self._is_alias_here(v, after):
            return
        end = self._last(v)
        if end <= line:
            return
        shift = col - old
        block = isinstance(v, ScalarNode) and v.style in ("|", ">")
        content = 0  # a block scalar's indentation: its lines' spaces beyond it are text
        if block:
            assert isinstance(v, ScalarNode)
            header = self._header(v)
            body = [n for n in range(line + 1, end + 1) if self.lines[n].strip()]
            if header is None or not body:
                raise Unsafe("block scalar")
            content = min(_indent(self.lines[n]) for n in body)
            if header.group(2) or header.group(4):
                content = old + int(header.group(2) or header.group(4))
            else:
                shift = col + 2 - content
        for n in range(line + 1, end + 1):
            text = self.lines[n]
            ind = _indent(text)
            if not text.strip() and (not block or ind <= content):
                self.emit(n, "", [])
            else:
                new = max(0, ind + shift)
                self.emit(n, " " * new + text[ind:], [(ind, new)], strip=not block)
            self._comments_after(n)

    def _dash_line(self, item: Node, dash: int) -> int:
        line = int(item.start_mark.line)
        while line > 0 and self.lines[line][dash : dash + 1] != "-":
            line -= 1
        return line

    def sequence(self, s: SequenceNode, dash: int, ctx: str, rank: dict[str, int]) -> None:
        old_dash = s.start_mark.column
        if any(id(item) in self.aliased for item in s.value):
            raise Unsafe("alias in a list")
        for i, item in enumerate(s.value):
            line = self._dash_line(item, old_dash)
            self._comments_before(line, dash, ctx, ctx == _TASKS and self.between and i > 0)
            after_dash = self.starts[line] + old_dash + 1
            alias = self._is_alias_here(item, after_dash)
            if isinstance(item, MappingNode) and not item.flow_style and not alias:
                if item.start_mark.line == line:
                    at = self.mapping(item, dash + 2, ctx if ctx == _TASKS else _INNER, rank)
                    if not self.out[at].startswith(" " * (dash + 2)):  # pragma: no cover
                        raise Unsafe("item")
                    self.out[at] = " " * dash + "- " + self.out[at][dash + 2 :]
                    self.colmap[item.start_mark.line].append((old_dash, dash))
                else:
                    rest = self._line_rest(after_dash).rstrip()
                    self.emit(line, " " * dash + "-" + rest, [(old_dash, dash)])
                    self._comments_after(line)
                    self.mapping(item, dash + 2, ctx if ctx == _TASKS else _INNER, rank)
                self._comments_after_entry(("i", id(item)), old_dash, dash)
                continue
            if isinstance(item, SequenceNode) and not item.flow_style and not alias:
                raise Unsafe("nested list")
            value = self._inline(item, after_dash, line, self._line_rest(after_dash), rank)
            head = " " * dash + "-" + (" " + value if value else "")
            self._value_lines(item, line, head, old_dash, dash, after_dash)
            self._comments_after_entry(("i", id(item)), old_dash, dash)

    def run(self) -> str:
        # Before the first key (`---`, a header comment): as written, blank lines collapsed.
        for n in range(self.first):
            if self._kind(n) == "blank":
                self._blank()
            else:
                self.out.append(self.lines[n].rstrip())
        self.mapping(self.root, 0, _TOP, _FILE_RANK)
        for n in range(self.epilogue, len(self.lines)):
            if self._kind(n) == "blank":
                self._blank()
            else:
                self.out.append(self.lines[n].rstrip())
        while self.out and self.out[-1] == "":
            self.out.pop()
        # Every line of the file is written once (blank lines aside), or nothing is.
        for n in range(len(self.lines)):
            want = 0 if self._kind(n) == "blank" or n < self.first or n >= self.epilogue else 1
            if self.emitted[n] != want and not (want == 0 and self.emitted[n] <= 1):
                raise Unsafe(f"line {n + 1}")
        if self.up or self.down or self.after:
            raise Unsafe("comments")
        return "\n".join(self.out) + "\n"


def _nested_rank(rank: dict[str, int], key: str | None) -> dict[str, int]:
    """The order inside a task's flow value (`progress: [{…}]`, `target: {…}`)."""
    if rank is _TASK_RANK and key is not None and _TASK_ENG.get(key) in _NESTED:
        return _NESTED[_TASK_ENG[key]]
    if rank is _TASK_RANK:
        return {}
    return rank if key is None else {}


def normalize_dates(text: str, year: int) -> str:
    """Every date the ledger reads as a date, written YYYY-MM-DD (values only, in place)."""
    root = compose(text)
    if not isinstance(root, MappingNode):
        return text
    edits: list[tuple[int, int, str]] = []
    seen: Counter[int] = Counter()

    def walk(n: Node) -> None:
        seen[id(n)] += 1
        if isinstance(n, MappingNode):
            for k, v in n.value:
                walk(k)
                walk(v)
        elif isinstance(n, SequenceNode):
            for x in n.value:
                walk(x)

    walk(root)

    def fix(m: MappingNode, names: frozenset[str]) -> None:
        for k, v in m.value:
            if (
                isinstance(k, ScalarNode)
                and k.value in names
                and isinstance(v, ScalarNode)
                and v.style not in ("|", ">")
                and seen[id(v)] == 1
                and v.start_mark.index < v.end_mark.index
            ):
                try:
                    iso = parse_when(v.value.strip(), year).isoformat()
                except DateError:
                    continue
                if v.value != iso:  # '2026-09-30' in quotes is ISO already: left alone
                    edits.append((v.start_mark.index, v.end_mark.index, iso))

    tasks = entry(root, frozenset(("tasks", K.FILE_KEYS["tasks"])))
    if tasks is not None and isinstance(tasks.value, SequenceNode):
        for task in tasks.value.value:
            if not isinstance(task, MappingNode):
                continue
            fix(task, _DATE_KEYS["task"])
            for k, v in task.value:
                eng = _TASK_ENG.get(k.value) if isinstance(k, ScalarNode) else None
                if eng in _DATE_KEYS:
                    for item in _entries(v):
                        fix(item, _DATE_KEYS[eng])
    for s, e, new in sorted(edits, reverse=True):
        text = text[:s] + new + text[e:]
    return text


def format_text(text: str, year: int, normalize: bool = False) -> str:
    """The canonical layout of a ledger file's text (LF, no BOM); raises Unsafe."""
    if normalize:
        text = normalize_dates(text, year)
    return _Layout(text).run()


def comments(text: str) -> Counter[str]:
    """The comments of a text (outside quotes, roughly), to check that none is lost."""
    found: Counter[str] = Counter()
    for line in text.split("\n"):
        if "#" not in line:  # most lines: no comment to look for character by character
            continue
        bare = line.lstrip(" \t")
        if bare.startswith("#"):  # a comment line: its `#` is unquoted and starts the comment
            found[bare.rstrip()] += 1  # (2 million of them were 8 s of `fmt`; issue 14)
            continue
        for i, _ in outside_quotes(line):
            if starts_comment(line, i):
                found[line[i:].rstrip()] += 1
                break
    return found


def format_bytes(
    data: bytes, path: str, year: int, normalize_dates: bool = False, parsed: FileResult | None = None
) -> tuple[bytes | None, str]:
    """The formatted bytes (BOM and line endings kept), or None and why: "invalid",
    "unsafe". A defect of the formatter raises (the command reports it per file).

    `parsed`: the loader's parse of these very bytes, when the caller has it (fmt of a
    big file used to parse it three times). A file the layout leaves as it is needs no
    second parse: the same bytes read the same.

    The cycle collector is paused meanwhile: the node trees and parses are millions of
    small objects without cycles, freed by their counts when done; collecting while they
    are made took four fifths of libyaml's compose of a big file (issue 14)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _format_bytes(data, path, year, normalize_dates, parsed)
    finally:
        if enabled:
            gc.enable()


def _same_tasks(after: Sequence[Task], before: Sequence[Task]) -> bool:
    """The same tasks but for where they stand and how deadlines were spelled (`plain`):
    a task that stands where it stood compares equal as it is, which is most of a big file."""
    return len(after) == len(before) and all(
        a == b or plain(a, spelling=False) == plain(b, spelling=False) for a, b in zip(after, before, strict=True)
    )


def _format_bytes(
    data: bytes, path: str, year: int, normalize_dates: bool, parsed: FileResult | None
) -> tuple[bytes | None, str]:
    before = parsed if parsed is not None else parse_ledger_bytes(data, path, year)
    if any(p.severity == "error" for p in file_problems(before)):
        return None, "invalid"
    src = Source(data)
    new_text = format_text(src.text, year, normalize_dates)
    out = rebuild(src, new_text)
    if out == data:
        return out, ""
    after = parse_ledger_bytes(out, path, year)
    same = (
        after.unit == before.unit
        and not any(p.severity == "error" for p in file_problems(after))
        and _same_tasks(after.tasks, before.tasks)
        and comments(new_text) == comments(src.text)
    )
    if not same:
        return None, "unsafe"
    return out, ""
