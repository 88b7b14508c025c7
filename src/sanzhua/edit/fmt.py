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

import gc
import operator
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields
from itertools import chain, compress, repeat

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


class OddBreaks(Exception):
    """libyaml numbered a line the text's lines do not have: it breaks lines at NEL,
    U+2028, U+2029 and a lone CR too (in quoted text, say), the layout only at LF, and
    the layout cannot place what stands past its lines. fmt skips the file and says so
    ("fmt.odd-breaks"); any other exception of the layout is a defect, reported as one
    (an IndexError was taken for this whenever the file held such a break; issue 14)."""


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


# One byte a line: its kind. A line a multi-line value runs over is content.
_BLANK, _COMMENT, _CONTENT = b"b", b"c", b"x"
_BLANK_KIND, _COMMENT_KIND = _BLANK[0], _COMMENT[0]
# A line's kind by its first character past white space (as str.strip has it: `\s` is
# the same set): a line break (blank), `#` (comment), anything else (content); and where
# a run of comment or content lines ends: the first line break before a line of
# another kind (the text ends with a line break).
_LINE_HEAD = re.compile(r"[^\S\n]*")
_NOT_BLANK = re.compile(r"\S")
_COMMENTS_END = re.compile(r"\n(?![^\S\n]*#)")
_CONTENT_END = re.compile(r"\n(?=[^\S\n]*[#\n]|\Z)")
_CONTENT_LINE = re.compile(r"^[^\S\n]*[^\s#]", re.M)
_COMMENT_BODY = re.compile(r"[^\S\n]*#[^\n]*")
_SPACES = re.compile(r"[^\S\n]+")
_RUNS_AT_A_TIME = 64  # runs of blank and comment lines walked one by one, then the rest in C
_CONTENT_RUNS = re.compile(rb"x+")
_COMMENT_RUN = re.compile(rb"c+")
_SHOWN = bytes.maketrans(b"bcx", b"\x00\x01\x01")  # a line that is not blank
# Line breaks libyaml counts besides LF.
_ODD_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _line_kinds(text: str, n_lines: int) -> bytearray:
    """Each of the text's `n_lines` lines' kind (`text.split("\\n")`'s lines, a last
    empty one left out), found a run of lines of one kind at a time (and where blank and
    comment lines take turns, the rest of them up to the next content line in C)."""
    if not n_lines:
        return bytearray()
    src = text if text.endswith("\n") else text + "\n"
    parts: list[bytes] = []
    at, size, runs = 0, len(src), 0
    while at < size:
        head = _LINE_HEAD.match(src, at)
        assert head is not None  # it matches the empty string
        first = src[head.end()]
        if first not in "\n#":
            m = _CONTENT_END.search(src, at)
            end, kind, runs = m.end() if m is not None else size, _CONTENT, 0
        elif runs == _RUNS_AT_A_TIME:
            m = _CONTENT_LINE.search(src, at)
            end = m.start() if m is not None else size
            parts.append(_quiet_kinds(src[at:end]))
            at = end
            continue
        elif first == "\n":
            m = _NOT_BLANK.search(src, at)
            end, kind, runs = src.rfind("\n", at, m.start()) + 1 if m is not None else size, _BLANK, runs + 1
        else:
            m = _COMMENTS_END.search(src, at)
            end, kind, runs = m.end() if m is not None else size, _COMMENT, runs + 1
        parts.append(kind * src.count("\n", at, end))
        at = end
    return bytearray(b"".join(parts))


def _quiet_kinds(stretch: str) -> bytes:
    """The kinds of lines that are blank or comments (whole lines)."""
    marked = _SPACES.sub("", _COMMENT_BODY.sub("c", stretch))  # "c\n" a comment, "\n" a blank line
    return marked.replace("c\n", "c").replace("\n", "b").encode("ascii")


def _leading(flags: Iterable[bool], size: int) -> int:
    """How many of `size` flags, from the first, are true."""
    try:
        return operator.indexOf(flags, False)
    except ValueError:
        return size


# A run of comment lines is read and written with map() over the run: a big file's
# thousands of comments cost no Python call each (issue 14).


def _indents(texts: list[str]) -> Iterator[int]:
    """Each line's `_indent`."""
    return map(operator.sub, map(len, texts), map(len, map(str.lstrip, texts, repeat(" "))))


def _deeper(texts: list[str], limit: int) -> int:
    """How many lines, from the first, are indented deeper than `limit` (-1: all)."""
    return _leading(map(str.startswith, texts, repeat(" " * (limit + 1))), len(texts))


def _moved(texts: list[str], shifts: Iterable[int]) -> Iterator[str]:
    """Comment lines stripped, each indented by its old indentation and its shift (never
    left of the first column): `" " * max(0, ci + shift) + text.strip()`."""
    cols = map(max, repeat(0), map(operator.add, _indents(texts), shifts))
    return map(operator.add, map(" ".__mul__, cols), map(str.strip, texts))


class _Layout:
    """One pass over one file's text, writing the canonical lines to `out`."""

    def __init__(self, text: str, lines: list[str] | None = None) -> None:
        """`lines`: the text's lines when the caller has them (`Source.lines` of the text)."""
        self.text = text
        if lines is None:
            lines = text.split("\n")
            if lines and lines[-1] == "":
                lines.pop()
        self.lines = lines
        # libyaml also breaks lines at CR, NEL, LS and PS: its line numbers are then not
        # these lines', and a line's start is looked up in a table as it always was.
        self.odd_breaks = any(c in text for c in _ODD_BREAKS)
        self._starts: list[int] | None = None
        root = compose(text)
        if not isinstance(root, MappingNode) or root.flow_style or not root.value:
            raise Unsafe("root")
        self.root = root
        self.out: list[str] = []
        # Each line's kind, one byte a line (blank, comment, content), found a run of
        # lines of a kind at a time; a line a multi-line value runs over is content.
        self.kinds = _line_kinds(text, len(self.lines))
        # How many times each line is written (0, 1, or 2 for more); odd line breaks
        # number more lines than the text has.
        extra = sum(text.count(c) for c in _ODD_BREAKS) + 1 if self.odd_breaks else 0
        self.emitted = bytearray(len(self.lines) + extra)
        self.colmap: dict[int, list[tuple[int, int]]] = {}
        self.seen: set[int] = set()
        self.aliased: set[int] = set()
        if "*" in text:  # an alias is written `*name`: without one, no node stands twice (a walk saved)
            self._find_aliases(root)
        self.beyond: set[int] = set()
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
        if end > line:  # the lines it runs over are content, whatever they look like
            self.kinds[line + 1 : end + 1] = _CONTENT * (end - line)
            if end >= len(self.lines):  # odd line breaks: libyaml's lines past the text's
                self.beyond.update(range(max(line + 1, len(self.lines)), end + 1))

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

    def _comment_lines(self, lo: int, hi: int) -> list[int]:
        """The comment lines in [lo, hi), where there is no content line."""
        if hi > len(self.lines):  # libyaml counted more lines (odd line breaks): as it always went
            if self.kinds.find(_BLANK, lo, hi) < 0:
                return list(range(lo, hi))
            return list(compress(range(lo, hi), map(_COMMENT_KIND.__eq__, self.kinds[lo:hi])))
        first, last = self.kinds.find(_COMMENT, lo, hi), self.kinds.rfind(_COMMENT, lo, hi) + 1
        if first < 0:
            return []
        if self.kinds.find(_BLANK, first, last) < 0:  # one run of comment lines
            return list(range(first, last))
        return list(compress(range(first, last), map(_COMMENT_KIND.__eq__, self.kinds[first:last])))

    def _assign_comments(self) -> None:
        """Each comment line goes with the content below it, or with the content above
        when it is indented deeper than the content below (or nothing follows).

        The lines are walked a run of content lines at a time (issue 14: a file of 4
        million blank lines and 2 million comments asked each line's kind twice)."""
        n_lines = len(self.lines)
        past = range(max(self.first, n_lines), self.last + 1)
        if self.odd_breaks and self.last >= n_lines and any(i not in self.beyond for i in past):
            # libyaml counted lines the text has not (odd line breaks): the walk of the
            # lines one by one met one and failed, and so it still does
            raise OddBreaks(f"line {self.last + 1} of {n_lines}")
        prev: int | None = None
        at = self.first
        for m in _CONTENT_RUNS.finditer(self.kinds, self.first, self.last + 1):
            self._attach(self._comment_lines(at, m.start()) if m.start() > at else [], prev, m.start())
            prev, at = m.end() - 1, m.end()
        run = self._comment_lines(at, self.last + 1) if self.last + 1 > at else []
        # Comments after the last content line but indented: notes under the last entry.
        i = self.last + 1
        below = _COMMENT_RUN.match(self.kinds, i)
        if below is not None:  # the comment lines right below, up to the first not indented
            i += _deeper(self.lines[i : below.end()], 0)
            run.extend(range(self.last + 1, i))
        self._attach(run, prev, None)
        self.epilogue = i

    def _attach(self, run: list[int], prev: int | None, nxt: int | None) -> None:
        if not run:
            return
        limit = _indent(self.lines[nxt]) if nxt is not None else -1
        split = 0
        if prev is not None:
            split = _deeper(list(map(self.lines.__getitem__, run)), limit)
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
            heads = self.down.get(first)  # in the order of the lines: the first is the topmost
            if heads:
                first = min(first, heads[0])
            if first > 0 and self.kinds[first - 1] == _BLANK_KIND:
                return True
        return False

    # -- writing ---------------------------------------------------------------------------

    def emit(self, line: int, new: str, pairs: list[tuple[int, int]], strip: bool = True) -> None:
        self.out.append(new.rstrip() if strip else new)
        self.emitted[line] = 2 if self.emitted[line] else 1
        self.colmap.setdefault(line, []).extend(pairs)

    def _written(self, lines: list[int]) -> None:
        """Count comment lines as written (a run of consecutive lines in one slice)."""
        em = self.emitted
        lo, hi = lines[0], lines[-1] + 1
        if hi - lo == len(lines) and em.count(0, lo, hi) == hi - lo:
            em[lo:hi] = b"\x01" * (hi - lo)
            return
        for c in lines:
            em[c] = 2 if em[c] else 1

    def _blank(self) -> None:
        if self.out and self.out[-1] != "":
            self.out.append("")

    def _comments_before(self, line: int, col: int, ctx: str, blank: bool) -> None:
        """The comments that head the entry on `line`, at the entry's column."""
        heads = self.down.pop(line, None)
        first = min(line, heads[0]) if heads else line  # heads are in the order of the lines
        kinds = self.kinds
        if blank or (ctx == _TOP and first > 0 and kinds[first - 1] == _BLANK_KIND):
            self._blank()
        if not heads:
            return
        texts = map((" " * col).__add__, map(str.strip, map(self.lines.__getitem__, heads)))
        if ctx == _TOP:  # a blank line above a comment (but the first) is kept: "\n" before it
            above = map(kinds.__getitem__, map((-1).__add__, heads[1:]))
            gaps = map(("", "\n").__getitem__, chain((False,), map(_BLANK_KIND.__eq__, above)))
            texts = map(operator.add, gaps, texts)
        self.out.extend(texts)
        self._written(heads)
        if ctx == _TOP and kinds[line - 1] == _BLANK_KIND:
            self._blank()

    def _comments_after(self, line: int) -> None:
        ups = self.up.pop(line, None)
        if not ups:
            return
        texts = list(map(self.lines.__getitem__, ups))
        cis = list(_indents(texts))
        shift: dict[int, int] = {}  # by the comment's indentation
        for ci in set(cis):
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
            shift[ci] = new - old
        self.out.extend(_moved(texts, map(shift.__getitem__, cis)))
        self._written(ups)

    def _comments_after_entry(self, token: tuple[str, int], old: int, new: int) -> None:
        notes = self.after.pop(token, None)
        if not notes:
            return
        self.out.extend(_moved(list(map(self.lines.__getitem__, notes)), repeat(new - old)))
        self._written(notes)

    def _line_rest(self, index: int) -> str:
        """The text from `index` to the end of its line."""
        end = self.text.find("\n", index)
        return self.text[index : end if end >= 0 else len(self.text)]

    def _line_start(self, line: int, node: Node) -> int:
        """Where `line` starts in the text; `node` starts on it or below it."""
        if self.odd_breaks:  # the table, as lines were always looked up
            if self._starts is None:
                self._starts = [0]
                for text in self.lines:
                    self._starts.append(self._starts[-1] + len(text) + 1)
            return self._starts[line]
        mark = node.start_mark
        start = mark.index - mark.column
        for n in range(line, mark.line):
            start -= len(self.lines[n]) + 1
        return int(start)

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
        """A single-line flow collection written canonically, or None to keep it as written.
        (A scalar in it is its text: read here, not through `_flow_item`, 60,000 one-line
        tasks being 360,000 of them.)"""
        aliased, text = self.aliased, self.text
        if id(v) in aliased:
            return None
        if isinstance(v, MappingNode):
            if not text.startswith("{", v.start_mark.index, v.end_mark.index):
                return None
            parts: list[tuple[int, int, str]] = []
            for i, (k, x) in enumerate(v.value):
                name = _key_text(k)
                if isinstance(k, ScalarNode) and id(k) not in aliased:
                    ks: str | None = text[k.start_mark.index : k.end_mark.index]
                else:
                    ks = self._flow_item(k, {})
                if isinstance(x, ScalarNode) and id(x) not in aliased:
                    xs: str | None = text[x.start_mark.index : x.end_mark.index]
                else:
                    xs = self._flow_item(x, _nested_rank(rank, name))
                if ks is None or xs is None:
                    return None
                parts.append((rank.get(name or "", len(rank)), i, f"{ks}: {xs}" if xs else ks))
            return "{" + ", ".join(p for _, _, p in sorted(parts)) + "}"
        if isinstance(v, SequenceNode):
            if not text.startswith("[", v.start_mark.index, v.end_mark.index):
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
            self._within(end)
            body = [n for n in range(line + 1, end + 1) if self.lines[n].strip()]
            if header is None or not body:
                raise Unsafe("block scalar")
            content = min(_indent(self.lines[n]) for n in body)
            if header.group(2) or header.group(4):
                content = old + int(header.group(2) or header.group(4))
            else:
                shift = col + 2 - content
        for n in range(line + 1, end + 1):
            self._within(n)
            text = self.lines[n]
            ind = _indent(text)
            if not text.strip() and (not block or ind <= content):
                self.emit(n, "", [])
            else:
                new = max(0, ind + shift)
                self.emit(n, " " * new + text[ind:], [(ind, new)], strip=not block)
            self._comments_after(n)

    def _within(self, line: int) -> None:
        """Raise OddBreaks for a line libyaml numbered past the text's (odd line breaks)."""
        if line >= len(self.lines) and self.odd_breaks:
            raise OddBreaks(f"line {line + 1} of {len(self.lines)}")

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
            after_dash = self._line_start(line, item) + old_dash + 1
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

    def _as_written(self, lo: int, hi: int) -> None:
        """Lines [lo, hi) as written, each run of blank lines one blank line."""
        if lo >= hi:
            return
        shown = self.kinds[lo:hi].translate(_SHOWN)  # 1 for a line that is not blank
        above = (b"\x01" if self.out and self.out[-1] != "" else b"\x00") + shown[:-1]
        # a line is kept when it is not blank or the line above it is not: a blank one is ""
        self.out.extend(compress(map(str.rstrip, self.lines[lo:hi]), map(operator.or_, shown, above)))

    def _check_written(self) -> None:
        """Every line of the file is written once (blank lines aside), or nothing is."""
        n_lines = len(self.lines)
        want = bytearray(self.kinds.translate(_SHOWN))  # a line not blank is written once
        want[: self.first] = bytes(min(self.first, n_lines))
        want[self.epilogue :] = b""
        want.extend(bytes(n_lines - len(want)))
        got = self.emitted[:n_lines]
        if got == want:
            return
        # The first line written twice, or not written though it had to be.
        twice = got.find(2)
        missing = int.from_bytes(want, "little") & ~int.from_bytes(got, "little")
        bad = [n for n in (twice, ((missing & -missing).bit_length() - 1) // 8 if missing else -1) if n >= 0]
        if bad:
            raise Unsafe(f"line {min(bad) + 1}")

    def run(self) -> str:
        # Before the first key (`---`, a header comment): as written, blank lines collapsed.
        self._as_written(0, self.first)
        self.mapping(self.root, 0, _TOP, _FILE_RANK)
        self._as_written(self.epilogue, len(self.lines))
        while self.out and self.out[-1] == "":
            self.out.pop()
        self._check_written()
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


def format_text(text: str, year: int, normalize: bool = False, lines: list[str] | None = None) -> str:
    """The canonical layout of a ledger file's text (LF, no BOM); raises Unsafe.

    `lines`: the text split at its line breaks, when the caller has them (a last empty
    piece left out, as `Source.lines`)."""
    if normalize:
        dated = normalize_dates(text, year)
        if dated != text:
            text, lines = dated, None
    return _Layout(text, lines).run()


# A comment line (its first character past spaces and tabs is `#`): the comment, its
# trailing white space left out; a line with a `#` further on: the whole line.
_COMMENT_LINE = re.compile(r"^[ \t]*(#(?:[^\n]*\S)?)", re.M)
_HASH_LINE = re.compile(r"^[ \t]*[^ \t#\n][^\n]*#[^\n]*$", re.M)


def comments(text: str) -> Counter[str]:
    """The comments of a text (outside quotes, roughly), to check that none is lost."""
    # A comment line is counted whole (2 million of them were 8 s of `fmt`, and walking
    # the lines one by one to find them was 1 s more; issue 14).
    found: Counter[str] = Counter(_COMMENT_LINE.findall(text))
    for line in _HASH_LINE.findall(text):  # a `#` that may start a comment, or be in quotes
        for i, _ in outside_quotes(line):
            if starts_comment(line, i):
                found[line[i:].rstrip()] += 1
                break
    return found


def format_bytes(
    data: bytes, path: str, year: int, normalize_dates: bool = False, parsed: FileResult | None = None
) -> tuple[bytes | None, str]:
    """The formatted bytes (BOM and line endings kept), or None and why: "invalid",
    "unsafe", "odd-breaks" (unusual line breaks the layout cannot place). A defect of the
    formatter raises (the command reports it per file).

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
    a task that stands where it stood compares equal as it is, which is most of a big file;
    one moved to another line or column compares equal field by field but its own line,
    column and deadline's spelling, when its entries stand where they stood (a file
    indented anew: 60,000 tasks through `plain` were 1 s of fmt's 6; issue 14)."""
    return len(after) == len(before) and all(
        a == b or _TASK_FIELDS(a) == _TASK_FIELDS(b) or plain(a, spelling=False) == plain(b, spelling=False)
        for a, b in zip(after, before, strict=True)
    )


# A task's fields but for its position and its deadline's spelling (those `plain` leaves
# out of a task with spelling=False), read in C.
_TASK_FIELDS = operator.attrgetter(*(f.name for f in fields(Task) if f.name not in ("line", "column", "due_text")))


def _format_bytes(
    data: bytes, path: str, year: int, normalize_dates: bool, parsed: FileResult | None
) -> tuple[bytes | None, str]:
    before = parsed if parsed is not None else parse_ledger_bytes(data, path, year)
    if any(p.severity == "error" for p in file_problems(before)):
        return None, "invalid"
    src = Source(data)
    text = src.text
    try:
        new_text = format_text(text, year, normalize_dates, src.lines)
    except OddBreaks:
        # libyaml breaks lines at CR, NEL, LS and PS too: its line numbers are then not the
        # text's lines, and a layout that trips on that refuses the file (as edits do);
        # anything else raised is a defect and goes up as one
        return None, "odd-breaks"
    out = rebuild(src, new_text)
    if out == data:
        return out, ""
    after = parse_ledger_bytes(out, path, year)
    same = (
        after.unit == before.unit
        and not any(p.severity == "error" for p in file_problems(after))
        and _same_tasks(after.tasks, before.tasks)
        and comments(new_text) == comments(text)
    )
    if not same:
        return None, "unsafe"
    return out, ""
