"""Reading YAML fast, with a source position for every key and value.

libyaml (PyYAML's C binding) scans, parses and composes; the only Python called per
scalar is `resolve`, which says "text" for everything, so YAML 1.1 surprises
(`NO`, `on`, `0012`, `2026-09-30`) stay exactly what the clerk wrote and the model
types them later. A small walker then turns nodes into `YMap`/`YSeq`: a dict and a
list that also remember where each key and item stood. This is about twice as fast
as `yaml.load(..., CSafeLoader)`, which runs its resolver regexes and constructor in
Python. The commands that edit use these same positions to splice the file's own
text (sanzhua.edit), which keeps every other byte as it was; a round-trip dump
(ruamel.yaml) would re-emit the file and move comments and spacing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.reader import ReaderError

try:
    from yaml import _yaml as _cyaml  # libyaml's binding, whose event classes `_light_events` replaces
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _cyaml = None  # type: ignore[assignment]

from sanzhua.problems import Problem, msg

_STR_TAG = "tag:yaml.org,2002:str"
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))

# (line, column) pairs are 1-based everywhere in sanzhua.
Pos = tuple[int, int]


class YMap(dict[str, Any]):
    """A mapping from the file: keys are text; `pos[key]` = (key line, key col, value line, value col)."""

    __slots__ = ("col", "line", "pos")

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line = line
        self.col = col
        self.pos: dict[str, tuple[int, int, int, int]] = {}

    def key_pos(self, key: str) -> Pos:
        p = self.pos.get(key)
        return (p[0], p[1]) if p else (self.line, self.col)

    def value_pos(self, key: str) -> Pos:
        p = self.pos.get(key)
        return (p[2], p[3]) if p else (self.line, self.col)


class YSeq(list[Any]):
    """A sequence from the file; `pos[i]` = (line, col) of item i."""

    __slots__ = ("col", "line", "pos")

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line = line
        self.col = col
        self.pos: list[Pos] = []

    def item_pos(self, i: int) -> Pos:
        return self.pos[i] if 0 <= i < len(self.pos) else (self.line, self.col)


class _TextLoader(yaml.CSafeLoader):
    """libyaml's composer with every Python callback made as cheap as it can be.

    The C composer calls `resolve(kind, value, implicit)` for each scalar and
    `descend_resolver(parent, index)` / `ascend_resolver()` for each node. Tags are
    never read here (every scalar is text), so these are C builtins that accept the
    arguments and do nothing useful: no Python frame per node.
    """

    resolve = slice
    descend_resolver = slice  # type: ignore[assignment]
    ascend_resolver = tuple  # type: ignore[assignment]


@dataclass
class Document:
    """One file read: its root value (None when unreadable) and the problems found."""

    path: str
    root: Any
    problems: list[Problem] = field(default_factory=list)
    text: str = ""


# A ledger nests five levels (tasks → task → progress → entry → value); far deeper is a
# mistake or an attack, and would overflow the recursion of every later stage.
_MAX_DEPTH = 64


class _TooDeep(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


class _Walker:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._text = text
        self._lines: list[str] | None = None
        self.problems: list[Problem] = []
        self.depth = 0

    def walk(self, n: Node) -> Any:
        cls = n.__class__
        if cls is ScalarNode:
            v = n.value
            # libyaml marks a plain scalar with style "" (pure-Python PyYAML with None).
            if not n.style and v in _NULLS:  # type: ignore[attr-defined]
                return None
            return v
        sm = n.start_mark
        depth = self.depth = self.depth + 1  # not restored on _TooDeep: the walk is abandoned then
        if depth > _MAX_DEPTH:
            raise _TooDeep(n)
        if cls is MappingNode:
            d = self._mapping(n, False)[0]
            self.depth = depth - 1
            return d
        if cls is SequenceNode:
            s = YSeq(sm.line + 1, sm.column + 1)
            ipos = s.pos
            walk = self.walk
            for v in n.value:
                if v.__class__ is MappingNode and not v.flow_style:
                    self.depth += 1
                    if self.depth > _MAX_DEPTH:
                        raise _TooDeep(v)
                    for part in self._mapping(v, True):
                        ipos.append((part.line, part.col))
                        s.append(part)
                    self.depth -= 1
                    continue
                vm = v.start_mark
                ipos.append((vm.line + 1, vm.column + 1))
                s.append(walk(v))
            self.depth = depth - 1
            return s
        return None  # pragma: no cover - libyaml composes only these three

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = self._text.splitlines()
        return self._lines

    def _mapping(self, n: Node, item: bool) -> list[YMap]:
        """A block mapping's keys and values. In a list item (`item`), the item's first
        key written again at its column starts a new item whose "- " was left out: it is
        reported once as that, and read as an item of its own, instead of as a run of
        duplicate keys that would be "fixed" by deleting the new item's lines."""
        sm = n.start_mark
        d = YMap(sm.line + 1, sm.column + 1)
        out = [d]
        pos = d.pos
        walk = self.walk
        first: tuple[str, int] | None = None
        for k, v in n.value:
            if k.__class__ is not ScalarNode:
                km = k.start_mark
                self.problems.append(
                    Problem(
                        "syntax",
                        "error",
                        self.path,
                        km.line + 1,
                        km.column + 1,
                        msg("yaml.complex-key"),
                        msg("yaml.complex-key.hint"),
                    )
                )
                continue
            key = k.value
            km = k.start_mark
            vm = v.start_mark
            if first is None:
                first = (key, km.column)
            if key in d:
                if item and first == (key, km.column):
                    self.problems.append(
                        Problem(
                            "syntax",
                            "error",
                            self.path,
                            km.line + 1,
                            km.column + 1,
                            msg("yaml.missing-dash", key=key, first_line=pos[key][0]),
                            msg("yaml.missing-dash.hint", key=key, example=_with_dash(k, self.lines)),
                        )
                    )
                    d = YMap(km.line + 1, km.column + 1)
                    out.append(d)
                    pos = d.pos
                else:
                    first_at = pos[key]
                    self.problems.append(
                        Problem(
                            "duplicate-key",
                            "error",
                            self.path,
                            km.line + 1,
                            km.column + 1,
                            msg("yaml.duplicate-key", key=key, first_line=first_at[0]),
                            msg("yaml.duplicate-key.hint", key=key),
                        )
                    )
                    continue
            d[key] = walk(v)
            pos[key] = (km.line + 1, km.column + 1, vm.line + 1, vm.column + 1)
        return out


def _with_dash(k: Node, lines: list[str]) -> str:
    """The line of key `k` as it should read, with "- " before the key."""
    mark = k.start_mark
    text = lines[mark.line][mark.column :].rstrip() if mark.line < len(lines) else f"{k.value}: …"
    return " " * max(mark.column - 2, 0) + "- " + text


class _EscapeWalker(_Walker):
    """The walk of a file with backslashes: a double-quoted value whose escapes make a
    control character is an `invalid-value` at the escape (the value is read as written)."""

    def __init__(self, path: str, text: str) -> None:
        super().__init__(path, text)
        self.text = text
        self.reported = 0

    def walk(self, n: Node) -> Any:
        if n.__class__ is ScalarNode and n.style == '"' and self.reported < _MAX_CONTROL_REPORTS:
            bad = _CONTROL.search(n.value)
            if bad is not None:
                self._report(n, bad.group())
        return super().walk(n)

    def _report(self, n: Node, ch: str) -> None:
        sm, em = n.start_mark, n.end_mark
        lines = self.text.split("\n")[sm.line : em.line + 1]
        line, col, escape = sm.line + 1, sm.column + 1, ""
        for i, source in enumerate(lines):
            start = sm.column if i == 0 else 0
            for m in _ESCAPE.finditer(source, start):
                if _unescape(m) == ch:
                    line, col, escape = sm.line + 1 + i, m.start() + 1, m.group()
                    break
            if escape:
                break
        self.reported += 1
        self.problems.append(
            Problem(
                "invalid-value",
                "error",
                self.path,
                line,
                col,
                msg("value.control-escape", char=_char_name(ch), escape=escape or "\\"),
                msg("value.control-escape.hint"),
            )
        )


def _unescape(m: re.Match[str]) -> str:
    hexa = m.group(1) or m.group(2) or m.group(3)
    if hexa is not None:
        try:
            return chr(int(hexa, 16))
        except (ValueError, OverflowError):
            return ""
    return _SIMPLE_ESCAPES.get(m.group(4) or "", "")


def _raw_controls(text: str, path: str) -> Iterator[Problem]:
    for n, m in enumerate(_CONTROL.finditer(text)):
        if n == _MAX_CONTROL_REPORTS:
            return
        i = m.start()
        line_start = text.rfind("\n", 0, i) + 1
        yield Problem(
            "invalid-value",
            "error",
            path,
            text.count("\n", 0, i) + 1,
            i - line_start + 1,
            msg("yaml.control-char", char=_char_name(m.group())),
            msg("yaml.control-char.hint"),
        )


def _surrogate_escape(e: yaml.MarkedYAMLError, text: str, path: str) -> tuple[str, Problem] | None:
    """libyaml stops at "\\ud800" (a lone surrogate: half of a UTF-16 pair, no character).
    Say so at the escape, and read the value with U+FFFD in its place (same length)."""
    mark = e.problem_mark
    if mark is None or "invalid Unicode character escape" not in (e.problem or ""):
        return None
    lines = text.split("\n")
    if not 0 <= mark.line < len(lines):
        return None
    source = lines[mark.line]
    start = source.rfind("\\", 0, mark.column + 1)
    m = _SURROGATE_ESCAPE.match(source, start) if start >= 0 else None
    if m is None:
        return None
    escape = m.group()
    replacement = "\\ufffd" if escape[1] == "u" else "\\U0000fffd"
    lines[mark.line] = source[: m.start()] + replacement + source[m.end() :]
    problem = Problem(
        "invalid-value",
        "error",
        path,
        mark.line + 1,
        start + 1,
        msg("yaml.surrogate", escape=escape),
        msg("yaml.surrogate.hint"),
    )
    return "\n".join(lines), problem


_FULLWIDTH_COLON_KEY = re.compile(r"^\s*(?:-\s+)?[^\s:：#'\"][^:：#]*：")


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text: UTF-8, an optional BOM; anything else is an `encoding` problem."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Notepad's "Unicode": UTF-16 with its BOM
        return None, [Problem("encoding", "error", path, 1, 1, msg("enc.utf16"), msg("enc.utf16.hint"))]
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return None, [Problem("encoding", "error", path, line, 1, msg("enc.binary"), msg("enc.binary.hint"))]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", "replace")) + 1
        gbk = _looks_like(data, "gb18030")
        key = "enc.gbk" if gbk else "enc.not-utf8"
        return None, [Problem("encoding", "error", path, line, col, msg(key), msg(key + ".hint"))]


def _looks_like(data: bytes, codec: str) -> bool:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return False
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Characters that have no place in ledger text (issue 14.4): C0 controls but tab and
# line breaks, DEL and the C1 controls YAML refuses, the non-characters U+FFFE/U+FFFF,
# and lone surrogates (only an escape can make those). NUL is an `encoding` problem.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff\ud800-\udfff]")
_MAX_CONTROL_REPORTS = 20  # per file: one pasted block can hold hundreds
_ESCAPE = re.compile(r"\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([0abtvfe\\\"/ N_LP]))")
_SIMPLE_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "v": "\x0b", "f": "\x0c", "e": "\x1b"}
_SURROGATE_ESCAPE = re.compile(r"\\(?:u[dD][89a-fA-F][0-9A-Fa-f]{2}|U0000[dD][89a-fA-F][0-9A-Fa-f]{2})")


def _char_name(ch: str) -> str:
    return f"U+{ord(ch):04X}"


_FAILED: Any = object()  # _compose could not read the text


def _compose(text: str, data: bytes | None, path: str) -> tuple[Any, str, list[Problem]]:
    """libyaml's node tree of `text` (or _FAILED), the text it was read from (lone
    surrogate escapes replaced), and the problems found."""
    problems: list[Problem] = []
    for _ in range(_MAX_CONTROL_REPORTS + 1):
        loader = _TextLoader(data if data is not None else text)
        try:
            return loader.get_single_node(), text, problems
        except yaml.MarkedYAMLError as e:
            fixed = _surrogate_escape(e, text, path)
            if fixed is None:
                problems.append(_syntax_problem(e, text, path))
                return _FAILED, text, problems
            text, problem = fixed
            problems.append(problem)
            data = None
        except ReaderError as e:
            problems.append(_reader_problem(e, text, data, path))
            return _FAILED, text, problems
        except yaml.YAMLError as e:  # pragma: no cover - libyaml marks all its other errors
            problems.append(
                Problem("syntax", "error", path, 1, 1, msg("yaml.generic", detail=str(e)), msg("yaml.generic.hint"))
            )
            return _FAILED, text, problems
        finally:
            loader.dispose()
    return _FAILED, text, problems  # pragma: no cover - more surrogate escapes than reports


class _Unusual(Exception):
    """The event builder met something it leaves to the composer and walker."""


_STREAM_END = yaml.StreamEndEvent
_DOCUMENT_END = yaml.DocumentEndEvent
_FAST_DEPTH = _MAX_DEPTH - 4  # deeper than this: the walker says whether it is too deep


# --- lines as libyaml numbers them and as the file has them ---
# libyaml ends a line at LF, CRLF, and also at a lone CR, NEL (U+0085), LS (U+2028) and PS
# (U+2029); an editor, `check`'s source lines and its caret end one at LF alone. In a file
# that holds one of those (a title pasted from a web page or Word), every position libyaml
# gave after it was a line too far, and its column counted from the odd break: `check`
# named the wrong line and showed it. Such a file's positions are mapped to the file's
# lines; a file without one pays one scan, shared with the search for control characters.
_CONTROL_OR_BREAK = re.compile("[\r\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")
_ODD_BREAK = re.compile("[\x85\u2028\u2029]")
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_FILE_COUNTED = frozenset(("yaml.control-char",))  # problems placed by counting LFs (_raw_controls, _reader_problem)
_LINE_ARGS = ("first_line",)  # a message's argument that names a line of libyaml's


class _LineMap:
    """libyaml's (line, column) → the file's, for a text with breaks only libyaml makes."""

    def __init__(self, text: str) -> None:
        # For each of libyaml's lines (0-based): the file's line, and how many characters
        # of that line stand before it.
        self.line: list[int] = [0]
        self.shift: list[int] = [0]
        line = start = 0
        for m in _YAML_BREAK.finditer(text):
            end = m.end()
            if text[end - 1] == "\n":
                line += 1
                start = end
            self.line.append(line)
            self.shift.append(end - start)

    def at(self, line: int, col: int) -> Pos:
        """A 1-based position of libyaml's as the file's."""
        i = line - 1
        if i < 0:
            return line, col
        last = len(self.line) - 1
        if i > last:  # past the last break (cannot be; kept in the file's count)
            return self.line[last] + 1 + (i - last), col
        return self.line[i] + 1, col + self.shift[i]

    def apply(self, doc: Document) -> Document:
        """The document with every position of its tree and problems the file's. Problems
        already counted in the file's lines (a control character's) are left as they are."""
        at = self.at
        doc.problems = [p if p.message.key in _FILE_COUNTED else self._problem(p) for p in doc.problems]
        stack = [doc.root]
        while stack:
            v = stack.pop()
            if isinstance(v, YMap):
                v.line, v.col = at(v.line, v.col)
                v.pos = {k: (*at(a, b), *at(c, d)) for k, (a, b, c, d) in v.pos.items()}
                stack.extend(x for x in v.values() if isinstance(x, (YMap, YSeq)))
            elif isinstance(v, YSeq):
                v.line, v.col = at(v.line, v.col)
                v.pos = [at(a, b) for a, b in v.pos]
                stack.extend(x for x in v if isinstance(x, (YMap, YSeq)))
        return doc

    def _problem(self, p: Problem) -> Problem:
        line, col = self.at(p.line, p.column)
        args = p.message.args
        if any(isinstance(args.get(a), int) for a in _LINE_ARGS):
            args = {k: self.at(v, 1)[0] if k in _LINE_ARGS and isinstance(v, int) else v for k, v in args.items()}
            return replace(p, line=line, column=col, message=replace(p.message, args=args))
        return replace(p, line=line, column=col)


# --- light events (issue 17) ---
# libyaml's binding makes each event by calling the Python class named in its module
# (`yaml._yaml.ScalarEvent(anchor, tag, implicit, value, start_mark, end_mark, style)`),
# whose `__init__` is Python: a sixth of a file's reading, a million calls at 20,000
# tasks. While `_Events` reads, those names are `functools.partial(partial, KIND)`, so an
# event is made in C: a `partial` whose `func` is its kind and whose `args` are what the
# class would have been given, in that order. Where the names cannot be replaced (another
# PyYAML, or another thread that might be reading YAML meanwhile) each event is converted
# to the same form instead (`_light`), slower and the same.


def _scalar_kind(*args: object) -> None:  # pragma: no cover - never called
    """The `func` of a light scalar event: args (anchor, tag, implicit, value, start, end, style)."""


def _mapping_kind(*args: object) -> None:  # pragma: no cover - never called
    """A mapping's start: args (anchor, tag, implicit, start, end, flow_style)."""


def _sequence_kind(*args: object) -> None:  # pragma: no cover - never called
    """A sequence's start: args as a mapping's."""


def _end_kind(*args: object) -> None:  # pragma: no cover - never called
    """A mapping's or a sequence's end: args (start, end)."""


def _alias_kind(*args: object) -> None:  # pragma: no cover - never called
    """An alias: args (anchor, start, end)."""


_LIGHT: dict[str, Any] = {
    "ScalarEvent": partial(partial, _scalar_kind),
    "MappingStartEvent": partial(partial, _mapping_kind),
    "SequenceStartEvent": partial(partial, _sequence_kind),
    "MappingEndEvent": partial(partial, _end_kind),
    "SequenceEndEvent": partial(partial, _end_kind),
    "AliasEvent": partial(partial, _alias_kind),
}
_new_dict = dict.__new__
_new_list = list.__new__
_patchable: bool | None = None  # whether the binding's names can be replaced: probed once


def _light(ev: Any) -> Any:
    """A real event as a light one (the events of a stream and a document stay as they are)."""
    cls = ev.__class__
    if cls is yaml.ScalarEvent:
        return partial(_scalar_kind, ev.anchor, ev.tag, ev.implicit, ev.value, ev.start_mark, ev.end_mark, ev.style)
    if cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent:
        kind = _mapping_kind if cls is yaml.MappingStartEvent else _sequence_kind
        return partial(kind, ev.anchor, ev.tag, ev.implicit, ev.start_mark, ev.end_mark, ev.flow_style)
    if cls is yaml.MappingEndEvent or cls is yaml.SequenceEndEvent:
        return partial(_end_kind, ev.start_mark, ev.end_mark)
    if cls is yaml.AliasEvent:
        return partial(_alias_kind, ev.anchor, ev.start_mark, ev.end_mark)
    return ev


@contextmanager
def _light_events() -> Iterator[bool]:
    """The binding's event classes replaced by light ones while the block runs (restored
    after it, whatever happens); yields False, replacing nothing, where that cannot be done."""
    global _patchable
    binding: Any = _cyaml
    if binding is None or threading.active_count() != 1:
        yield False
        return
    if _patchable is None:
        _patchable = False
        if all(getattr(binding, n, None) is getattr(yaml.events, n) for n in _LIGHT):
            _patchable = True  # tried below: the events must come light
            with _light_events():
                loader = _TextLoader("a: b\n")
                try:
                    evs: list[Any] = [loader.get_event() for _ in range(5)]
                finally:
                    loader.dispose()
            light = evs[3]
            _patchable = getattr(light, "func", None) is _scalar_kind and light.args[3] == "a"
        if not _patchable:
            yield False
            return
    if not _patchable:
        yield False
        return
    saved = {n: getattr(binding, n) for n in _LIGHT}
    try:
        for n, f in _LIGHT.items():
            setattr(binding, n, f)
        yield True
    finally:
        for n, f in saved.items():
            setattr(binding, n, f)
# --- end of light events ---


class _Events:
    """The YMap/YSeq tree straight from libyaml's events, without composing nodes first:
    a file read this way costs about a third less than composed and walked (issue 17).

    It reads what a well-formed ledger file holds: scalars, mappings with scalar keys
    each written once, sequences, a single document. Anything else (an anchor or alias,
    a key written twice or that is not a scalar, an escape that makes a control
    character, nesting near the depth limit, more than one document, a syntax error)
    raises `_Unusual` or libyaml's error, and `parse` reads the file again with the
    composer and the walker, which report all of these. Where it finishes, the tree is
    the walker's, key for key and position for position (tests/test_yamlfast_events.py).
    The events are light ones (`_light_events`).
    """

    def __init__(self, source: str | bytes, escapes: bool) -> None:
        self.loader = _TextLoader(source)
        self.get: Callable[[], Any] = self.loader.get_event
        self.escapes = escapes  # the text has a backslash: double-quoted escapes are looked at
        self.depth = 0

    def document(self) -> Any:
        try:
            with _light_events() as light:
                if not light:
                    raw = self.get
                    self.get = lambda: _light(raw())
                get = self.get
                get()  # the stream's start
                ev = get()
                if ev.__class__ is _STREAM_END:
                    return None
                root = self.value(get())
                if get().__class__ is not _DOCUMENT_END or get().__class__ is not _STREAM_END:
                    raise _Unusual
                return root
        finally:
            self.loader.dispose()

    def value(self, ev: Any) -> Any:
        kind = ev.func
        a = ev.args
        if kind is _scalar_kind:
            return self.scalar(a)
        if kind is _alias_kind or a[0] is not None or self.depth >= _FAST_DEPTH:
            raise _Unusual
        self.depth += 1
        sm = a[3]
        get = self.get
        value = self.value
        scalar = self.scalar
        if kind is _mapping_kind:
            # YMap(line, col) without its __init__ (a Python call and dict.__init__ through
            # super(), for 100,000 mappings at 20,000 tasks): the same three slots set here.
            d = _new_dict(YMap)
            d.line = sm.line + 1
            d.col = sm.column + 1
            pos = d.pos = {}
            while True:
                k = get()
                ka = k.args
                if k.func is not _scalar_kind:
                    if k.func is _end_kind:
                        break
                    raise _Unusual  # a mapping or a sequence as a key, or an alias
                key = ka[3]
                if key in d or ka[0] is not None:
                    raise _Unusual
                km: Any = ka[4]
                v = get()
                va = v.args
                if v.func is _scalar_kind:
                    vm = va[4]
                    # A plain scalar, the commonest value, read here: no call (issue 17).
                    if not va[6] and va[0] is None:
                        text = va[3]
                        d[key] = None if text in _NULLS else text
                    else:
                        d[key] = scalar(va)
                else:
                    d[key] = value(v)
                    vm = va[3]
                pos[key] = (km.line + 1, km.column + 1, vm.line + 1, vm.column + 1)
            self.depth -= 1
            return d
        s = _new_list(YSeq)  # a sequence (`_light` makes no other kind): YSeq(line, col) likewise
        s.line = sm.line + 1
        s.col = sm.column + 1
        ipos = s.pos = []
        while True:
            v = get()
            if v.func is _end_kind:
                break
            va = v.args
            if v.func is _scalar_kind:
                vm = va[4]
                item = scalar(va)
            else:
                item = value(v)
                vm = va[3]
            ipos.append((vm.line + 1, vm.column + 1))
            s.append(item)
        self.depth -= 1
        return s

    def scalar(self, a: tuple[Any, ...]) -> Any:
        """A scalar's value (from a light event's args): None for a plain null, else its
        text as written."""
        if a[0] is not None:
            raise _Unusual
        v = a[3]
        style = a[6]
        if not style:
            return None if v in _NULLS else v
        if self.escapes and style == '"' and _CONTROL.search(v) is not None:
            raise _Unusual
        return v


def _read_events(text: str, data: bytes | None) -> Any:
    """The tree of a file by `_Events`, or _FAILED when it is left to the composer."""
    try:
        return _Events(data if data is not None else text, "\\" in text).document()
    except (_Unusual, yaml.YAMLError):
        return _FAILED


def parse(text: str, path: str, data: bytes | None = None) -> Document:
    """Text to a `Document`; never raises for bad input.

    `data`, when given, is the same content as UTF-8 bytes: libyaml reads bytes a
    little faster than text.

    A control character written as such is an `invalid-value` at its line and column
    and the rest of the file is still read (each is read as U+FFFD, which keeps every
    column where it was); so is one written as a double-quoted escape ("\\x01", "\\e")
    and a lone surrogate escape ("\\ud800"), which libyaml cannot read at all.

    Every position is the file's line (lines end at LF) and column, as an editor and
    `check`'s source lines count them, also where libyaml breaks lines an editor does not
    (`_LineMap`).
    """
    if _CONTROL_OR_BREAK.search(text) is None:  # the common file: one scan decides
        root = _read_events(text, data)
        if root is not _FAILED:
            return Document(path, root, text=text)
        return _parse(text, path, data)
    if _ODD_BREAK.search(text) is None and text.count("\r") == text.count("\r\n"):
        return _parse(text, path, data)  # a control character, or CRLF line ends
    return _LineMap(text).apply(_parse(text, path, data))


def _parse(text: str, path: str, data: bytes | None) -> Document:
    controls: list[Problem] = []
    if _CONTROL.search(text) is not None:
        controls = list(_raw_controls(text, path))
        node, used, problems = _compose(_CONTROL.sub("\ufffd", text), None, path)
        if node is _FAILED:
            # U+FFFD where the character stood is out of place (a Ctrl-Z at the end of
            # the file, a bell in the indentation): read the file without them instead.
            node2, used2, problems2 = _compose(_CONTROL.sub("", text), None, path)
            if node2 is not _FAILED:
                node, used, problems = node2, used2, problems2
            else:  # still broken: the syntax error stands, unless it is the character itself
                spots = {(p.line, p.column) for p in controls}
                problems = [p for p in problems if p.code != "syntax" or (p.line, p.column) not in spots]
    else:
        root = _read_events(text, data)
        if root is not _FAILED:
            return Document(path, root, text=text)
        node, used, problems = _compose(text, data, path)
    text = used
    doc = Document(path, None, text=text)
    doc.problems.extend(controls)
    doc.problems.extend(problems)
    if node is _FAILED:
        return doc
    if node is None:
        return doc
    if "*" in text:
        alias = _collection_alias(text)
        if alias is not None:
            doc.problems.append(
                Problem("syntax", "error", path, alias[0], alias[1], msg("yaml.alias"), msg("yaml.alias.hint"))
            )
            return doc
    walker = _EscapeWalker(path, text) if "\\" in text else _Walker(path, text)
    try:
        doc.root = walker.walk(node)
    except _TooDeep as e:
        m = e.node.start_mark
        doc.problems.append(
            Problem("syntax", "error", path, m.line + 1, m.column + 1, msg("yaml.too-deep"), msg("yaml.too-deep.hint"))
        )
        return doc
    doc.problems.extend(walker.problems)
    return doc


def _collection_alias(text: str) -> tuple[int, int] | None:
    """Where the first alias to a mapping or sequence stands, if any.

    Expanding such aliases is how an alias bomb ("billion laughs") explodes; ledgers
    never need them, so they are refused. Events are scanned only for files that
    contain a `*` at all, and nothing is expanded while scanning.
    """
    collections: set[str] = set()
    loader = _TextLoader(text)
    try:
        while True:
            ev = loader.get_event()
            if ev is None:
                return None
            cls = ev.__class__
            anchor: str | None = getattr(ev, "anchor", None)
            if cls is yaml.AliasEvent:
                mark = ev.start_mark
                if anchor in collections and mark is not None:
                    return (mark.line + 1, mark.column + 1)
            elif (cls is yaml.MappingStartEvent or cls is yaml.SequenceStartEvent) and anchor:
                collections.add(anchor)
            elif cls is yaml.StreamEndEvent:
                return None
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


def _reader_problem(e: ReaderError, text: str, data: bytes | None, path: str) -> Problem:
    """A character YAML refuses (a control character such as Ctrl-Z or a bell): say where it is."""
    raw = data if data is not None else text.encode("utf-8")
    before = raw[: max(0, e.position)]  # libyaml counts bytes of the UTF-8 input
    line_start = before.rfind(b"\n") + 1
    line = before.count(b"\n") + 1
    col = len(before[line_start:].decode("utf-8", "replace")) + 1
    char = f"U+{e.character:04X}" if isinstance(e.character, int) else "?"
    return Problem(
        "syntax", "error", path, line, col, msg("yaml.control-char", char=char), msg("yaml.control-char.hint")
    )


_COLON_GLUED = re.compile(r"^(\s*(?:-\s+)?[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*):(?=[^\s:/])")
_FULLWIDTH_INDENT = re.compile(r"^[ \t]*\u3000")
_DASH_WITHOUT_SPACE = re.compile(r"^\s*(?:-(?=[^\s-])|[—–－﹣―])")
_KEY_AT_LINE_START = re.compile(r"^(\s*)(?:-\s+)?[^\s:#'\"{}\[\],][^:#]*:(?:\s|$)")


@dataclass(frozen=True)
class _Slip:
    """What libyaml said of a syntax error, and the text around it."""

    path: str
    lines: list[str]
    line: int  # where libyaml stopped, 1-based
    col: int
    here: str  # that line
    ch: str  # the character there, or ""
    problem: str
    context: str
    cm: yaml.Mark | None  # where the construct that failed began

    def at(self, key: str, ln: int | None = None, cl: int | None = None, **args: object) -> Problem:
        """The problem `key` (and its hint) at (ln, cl), by default where libyaml stopped."""
        where = (self.line if ln is None else ln, self.col if cl is None else cl)
        return Problem("syntax", "error", self.path, *where, msg(key, **args), msg(key + ".hint", **args))


def _syntax_problem(e: yaml.MarkedYAMLError, text: str, path: str) -> Problem:
    """A syntax error worded for a clerk: the slip most likely made (a full-width colon, a
    tab, an unclosed bracket, a missing space …) where it was made, else libyaml's words."""
    mark = e.problem_mark or e.context_mark
    line = mark.line + 1 if mark else 1
    col = mark.column + 1 if mark else 1
    lines = text.splitlines()
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    ch = here[col - 1] if 0 < col <= len(here) else ""
    slip = _Slip(path, lines, line, col, here, ch, e.problem or "", e.context or "", e.context_mark)
    for diagnose in (_input_method_slip, _token_slip, _flow_slip, _dash_or_colon_slip, _indent_slip):
        found = diagnose(slip)
        if found is not None:
            return found
    detail = slip.problem + (f" ({slip.context})" if slip.context else "")
    return Problem("syntax", "error", path, line, col, msg("yaml.generic", detail=detail), msg("yaml.generic.hint"))


def _input_method_slip(s: _Slip) -> Problem | None:
    """A full-width colon after a key (the commonest slip with a Chinese input method), or
    indentation typed with the full-width space U+3000: libyaml notices either only a
    line or two later, so look back for them."""
    for back in range(0, 3):
        n = s.line - 1 - back
        if 0 <= n < len(s.lines) and _FULLWIDTH_COLON_KEY.match(s.lines[n]):
            return s.at("yaml.fullwidth-colon", n + 1, s.lines[n].index("：") + 1)
    for back in range(0, 3):
        n = s.line - 1 - back
        if 0 <= n < len(s.lines) and _FULLWIDTH_INDENT.match(s.lines[n]):
            return s.at("yaml.fullwidth-space", n + 1, s.lines[n].index("\u3000") + 1)
    return None


def _token_slip(s: _Slip) -> Problem | None:
    """A tab, a reserved character, an escape YAML does not know, nesting too deep."""
    here, col, cm = s.here, s.col, s.cm
    if "cannot start any token" in s.problem:
        if s.ch == "\t" or (here[: col - 1].strip() == "" and "\t" in here[:col]):
            return s.at("yaml.tab")
        return s.at("yaml.reserved", char=s.ch)
    if "\t" in here[: len(here) - len(here.lstrip())]:
        return s.at("yaml.tab")
    if "exceeded maximum nesting depth" in s.problem:
        return s.at("yaml.too-deep")
    if "unknown escape character" in s.problem:
        return s.at("yaml.bad-escape", cm.line + 1 if cm else None, cm.column + 1 if cm else None)
    if "quoted scalar" in s.context and cm is not None:
        # The scalar runs to the end of the file: point at the quote that opens it.
        return s.at("yaml.unclosed-quote", cm.line + 1, cm.column + 1)
    return None


def _flow_slip(s: _Slip) -> Problem | None:
    """An unclosed `[` or `{` (or a full-width comma inside one), an anchor, alias or
    directive character, a second document."""
    if s.context.startswith("while parsing a flow"):
        found = _unclosed_bracket(s.lines, s.line, s.col)
        if found is not None:
            bl, bc, opening = found
            close = "]" if opening == "[" else "}"
            comma = _fullwidth_comma(s.lines, (bl, bc), (s.line, s.col))
            if comma is not None:
                return s.at("yaml.fullwidth-comma", comma[0], comma[1], open=opening, close=close)
            return s.at("yaml.unclosed-bracket", bl, bc, open=opening, close=close)
    cm = s.cm
    if ("anchor" in s.context or "alias" in s.context or "directive" in s.context) and cm is not None:
        inside = cm.line < len(s.lines) and cm.column < len(s.lines[cm.line])
        return s.at("yaml.reserved", cm.line + 1, cm.column + 1, char=s.lines[cm.line][cm.column] if inside else s.ch)
    if "expected a single document" in s.context:
        return s.at("yaml.many-documents")
    if "undefined alias" in s.problem:
        return s.at("yaml.alias")
    return None


def _dash_or_colon_slip(s: _Slip) -> Problem | None:
    """A "- " without its space on the line above ("-id: A", "— id: A"), which makes this
    line a value; or `due:年底`, a key whose colon has no space after it (read as text)."""
    if "mapping values are not allowed" not in s.problem and "could not find expected ':'" not in s.problem:
        return None
    lines = s.lines
    prev = s.line - 2
    while prev >= 0 and not lines[prev].strip():
        prev -= 1
    if prev >= 0 and _DASH_WITHOUT_SPACE.match(lines[prev]):
        return s.at("yaml.dash-space", prev + 1, len(lines[prev]) - len(lines[prev].lstrip()) + 1)
    for n in range(s.line - 1, min(s.line - 4, s.cm.line if s.cm else s.line) - 1, -1):
        glued = _COLON_GLUED.match(lines[n]) if 0 <= n < len(lines) else None
        if glued is not None:
            return s.at("yaml.colon-space", n + 1, glued.end(1) + 1, name=glued.group(1).strip(" -"))
    return None


def _indent_slip(s: _Slip) -> Problem | None:
    """A line indented as if it went on the value above, a key without its colon, a colon
    inside a plain value, a block that ends where libyaml did not expect it."""
    if "mapping values are not allowed" in s.problem:
        key = _KEY_AT_LINE_START.match(s.here)
        if key is not None and s.here.index(":") == s.col - 1:
            # The colon of the line's own key: the line is indented as if it went on the value above.
            return _indent_problem(s.at, s.lines, s.line, len(key.group(1)) + 1)
        return s.at("yaml.colon-in-value")
    if "could not find expected ':'" in s.problem and s.cm is not None:
        return _indent_problem(s.at, s.lines, s.cm.line + 1, s.cm.column + 1)  # the key that lacks its colon
    if any(w in s.problem for w in ("did not find expected key", "expected '-' indicator", "expected <block end>")):
        return _indent_problem(s.at, s.lines, s.line, s.col)
    return None


def outside_quotes(text: str) -> Iterator[tuple[int, str]]:
    """The characters of one line that are not quoted text, with their index. A quote
    opens where YAML starts a quoted scalar (at the start, or after a space, tab, `[`,
    `{`, `,`, `:` or `-`) and closes on its line (what is read line by line, roughly)."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"" and (i == 0 or text[i - 1] in " \t[{,:-"):
            quote = ch
        else:
            yield i, ch


def starts_comment(text: str, i: int) -> bool:
    """Whether the unquoted `#` at `i` starts a comment (at the start or after a space)."""
    return text[i] == "#" and (i == 0 or text[i - 1] in " \t")


def _unclosed_bracket(lines: list[str], line: int, col: int) -> tuple[int, int, str] | None:
    """The innermost `[` or `{` still open at (line, col), skipping quoted text and comments."""
    stack: list[tuple[int, int, str]] = []
    for n, text in enumerate(lines[:line]):
        for i, ch in outside_quotes(text[: col - 1] if n == line - 1 else text):
            if starts_comment(text, i):
                break
            if ch in "[{":
                stack.append((n + 1, i + 1, ch))
            elif ch in "]}" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _fullwidth_comma(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> tuple[int, int] | None:
    """The first unquoted full-width comma between an open bracket and where libyaml
    gave up: the real reason a `{name: A， due: B}` does not close."""
    for n in range(start[0] - 1, min(end[0], len(lines))):
        text = lines[n]
        lo = start[1] if n == start[0] - 1 else 0
        for i, ch in outside_quotes(text):
            if i < lo:
                continue
            if starts_comment(text, i):
                break
            if ch == "，":
                return (n + 1, i + 1)
    return None


def _indent_problem(at: Callable[..., Problem], lines: list[str], line: int, col: int) -> Problem:
    """A key at the wrong indentation: with the number of spaces it has and the number the
    keys above it have, when a key line above is close by."""
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    has = len(here) - len(here.lstrip(" "))
    for n in range(line - 2, max(line - 6, -1), -1):
        above = lines[n]
        if not above.strip() or above.lstrip().startswith("#"):
            continue
        key = _KEY_AT_LINE_START.match(above)
        if key is None:
            break
        want = len(key.group(1)) + (len(above.lstrip()) - len(above.lstrip().lstrip("-").lstrip()))
        if want != has and abs(want - has) <= 3:
            name = above.lstrip().lstrip("-").strip().split(":", 1)[0]
            return at("yaml.indent-off", line, col, has=has, want=want, name=name)
        break
    return at("yaml.indent", line, col)
