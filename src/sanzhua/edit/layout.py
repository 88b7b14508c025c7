"""A ledger file's top-level layout read from its bytes alone, without YAML (issue 14.8 / 17).

A one-task edit of a file the parse cache does not hold (never read, or changed by hand
since) used to parse the whole file first: 20 s and 2.3 GB for 60,000 tasks. When the
file is laid out plainly, the task's lines can be found by a few linear passes over the
bytes in C (`bytes.translate`, `bytes.find`, compiled regular expressions), and read,
edited and verified alone (sanzhua.edit.span). "Plainly" means (anything else: None, and
the edit parses the whole file as before):

- UTF-8 lines all ending in LF, or all in CRLF; no tab, control character, lone CR,
  NEL, U+2028/2029, U+FFFE/FFFF (the loader would not read the file at all);
- no anchor, alias, tag, merge key, complex key, directive or document marker, and no
  backslash (an escape could spell an id without its bytes);
- every line closed on itself: its quotes and brackets, counted as if every quote began
  a quoted scalar, pair up on the line. So no quoted scalar or flow collection runs
  over a line break, and a line that starts with the list's dash is never inside one;
- one `tasks:` (`任务清单:`) key at the left margin; after it, every line that is not
  blank or a comment is indented at least as far as the list's first dash, and those
  at the dash's column start with `- ` (a new task: nothing else can begin there, since
  block scalars and plain scalars inside a task are indented further);
- the task's id written once, as the value of an `id:` (`编号:`) key, and its other
  occurrences in the file only as `parent:` (`上级任务:`) values: a second task with
  that id, in whatever style, makes the file take the whole path.

Under these, the parser is at the start of a new item of the tasks list at every line
that begins with the dash, so the lines from the task's dash to the next dash read alone
(after the file's head) exactly as in the whole file. What this does not look at is the
rest of the file's content: errors in other tasks are left to `check` (the edit can
neither add nor hide them: the bytes outside the task's lines are written as read).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from itertools import pairwise, repeat
from operator import methodcaller

from sanzhua.load import keys as K

BOM = b"\xef\xbb\xbf"
# What the closure test looks at: line breaks, quotes, brackets and the backslash.
_KEEP = b'\n"\'[]{}\\'
_DROP = bytes(b for b in range(256) if b not in _KEEP)
# The markers `_risky` looks for around (an anchor, alias, tag, complex or merge key): kept
# with the closure test's bytes by the same pass over the file, so that a marker the file
# does not hold is not looked for in it (a 40 MB file: a pass each; issue 17).
_MARKS = b"&*!?<"
_DROP_MARKS = bytes(b for b in range(256) if b not in _KEEP + _MARKS)
# Every byte but the C0 controls (tab and NUL among them) and DEL: what is left after
# deleting these is a control character, which libyaml refuses (or a tab, which can indent).
_NOT_CONTROL = bytes(b for b in range(256) if not ((b < 0x20 and b not in (0x0A, 0x0D)) or b == 0x7F))
_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # C1 controls, NEL (a line break to libyaml) among them
# U+2028, U+2029 (line breaks to libyaml), U+FFFE, U+FFFF: looked for in the decoded text,
# where each is one code unit (`str.find`), not a pattern over the bytes
_ODD_CHARS = "\u2028\u2029\ufffe\uffff"
_ANCHOR_BEFORE = (b" ", b"[", b"{", b",", b"\n", b"")
_NAME_END = (b" ", b"\r", b"\n", b",", b"]", b"}", b"")
_MANY = 10_000  # occurrences of a marker looked at one by one before giving up


def _alts(names: list[str]) -> bytes:
    return b"|".join(re.escape(n.encode()) for n in names)


_TASKS_NAMES = [n.encode() for n in ("tasks", K.FILE_KEYS["tasks"])]
_TASKS_LINE = re.compile(rb"(?:" + _alts(["tasks", K.FILE_KEYS["tasks"]]) + rb")[ ]*:(?:[ ]+#[^\r\n]*)?[ ]*\r?")
_ID_KEYS = _alts(["id", K.TASK_KEYS["id"]])
_PARENT_KEYS = _alts(["parent", K.TASK_KEYS["parent"]])
_ITEM = re.compile(rb"^( *)- ", re.M)
_CONTENT = re.compile(rb"^ *[^ \r\n#]", re.M)


@dataclass(frozen=True)
class Layout:
    """Where a file's tasks list and one task of it stand."""

    items: list[int]  # 1-based line of every item of the tasks list, in file order
    index: int  # the task's item, an index into `items`
    head_end: int  # byte offset (BOM included) where the first item's line begins
    start: int  # byte offset (BOM included) of the task's item's first line
    end: int  # byte offset just after its last line: the next item's first line, or the end
    dash: int = 0  # the column of the list's dash
    offsets: tuple[int, ...] = ()  # byte offset (no BOM) of every item's first line

    def stand_in(self, data: bytes) -> bytes:
        """The file's head, blank lines, and the task's lines: a document that puts the
        task on its own lines (LF line endings)."""
        pad = b"\n" * (self.items[self.index] - self.items[0])
        doc = data[: self.head_end] + pad + data[self.start : self.end]
        return doc.replace(b"\r\n", b"\n") if b"\r" in doc else doc


def closed(pattern: bytes) -> bool:
    """Whether a line whose quotes, brackets and backslashes are `pattern` leaves nothing
    open: every quote taken to begin a quoted scalar, no backslash at all."""
    depth = 0
    quote = 0
    for b in pattern:
        if quote:
            if b == quote:
                quote = 0
        elif b in (0x22, 0x27):
            quote = b
        elif b in (0x5B, 0x7B):
            depth += 1
        elif b in (0x5D, 0x7D):
            depth -= 1
            if depth < 0:
                return False
        else:
            return False  # a backslash
    return not quote and depth == 0


def plain_lines(body: bytes) -> bool:
    """Every line of `body` (no BOM) closed on itself, and nothing YAML could read across
    lines; the file UTF-8 without a character libyaml refuses (the loader would not read
    it at all)."""
    if not body.endswith(b"\n") or body.translate(None, _NOT_CONTROL):
        return False
    if b"\xc2" in body and _C1.search(body):
        return False
    try:
        text = str(body, "utf-8")
    except UnicodeDecodeError:
        return False
    if any(c in text for c in _ODD_CHARS):
        return False
    del text
    cr = body.count(b"\r")
    if cr and (cr != body.count(b"\r\n") or cr != body.count(b"\n")):
        return False
    kept = body.translate(None, _DROP_MARKS)
    marks = kept.translate(None, _KEEP)
    if _risky(body, marks, b"\\" in kept):
        return False
    patterns = set((kept.translate(None, _MARKS) if marks else kept).split(b"\n"))
    return all(closed(p) for p in patterns)


def _risky(body: bytes, marks: bytes | None = None, escape: bool | None = None) -> bool:
    """Whether `body` may hold an anchor, alias, tag, merge key, complex key, directive,
    document marker or escape (looked for with `bytes.find`, which runs at memory speed).
    `marks`: the marker bytes (`_MARKS`) the body holds, in any order, when known: the
    others are not looked for; `escape`: whether it holds a backslash, when known."""
    if marks is None:
        marks = _MARKS
    if escape is None:
        escape = b"\\" in body
    if escape or (b"<" in marks and b"<<" in body):
        return True
    for mark in (b"&", b"*", b"!", b"?"):
        if mark not in marks:
            continue
        at = body.find(mark)
        seen = 0
        while at >= 0:
            seen += 1
            if seen > _MANY:
                return True
            before = body[at - 1 : at] if at else b""
            after = body[at + 1 : at + 2]
            if mark == b"?":
                if before in (b" ", b"-", b"\n", b"") and after in _NAME_END:
                    return True
            elif before in _ANCHOR_BEFORE and after not in _NAME_END:
                return True
            at = body.find(mark, at + 1)
    return False


def _tasks_key(body: bytes) -> int | None:
    """The offset just after the line of the file's first `tasks:` key at the left margin.

    A second one further down stands left of the list's dash (or at its column, not as an
    item), which `_stray` finds: the file is then not laid out plainly either way. So the
    file is not searched past the first (the second name's search, and the rest of a
    40 MB file, were two passes over it; issue 17)."""
    first: int | None = None
    for name in _TASKS_NAMES:
        limit = len(body) if first is None else first
        at = 0 if body.startswith(name) else body.find(b"\n" + name, 0, limit) + 1
        while 0 < at < limit or (at == 0 and body.startswith(name)):
            end = body.find(b"\n", at)
            if _TASKS_LINE.fullmatch(body, at, end):
                first = at
                break
            at = body.find(b"\n" + name, at + 1, limit) + 1
            if at == 0:
                break
    return None if first is None else body.find(b"\n", first) + 1


def find_layout(data: bytes, task_id: str | None) -> Layout | None:
    """The layout of the file `data` and where the task `task_id` stands in it (None: the
    last item, whose id `owns` then proves), or None when the file is not laid out plainly
    (see the module doc)."""
    base = len(BOM) if data.startswith(BOM) else 0
    body = data[base:] if base else data
    if not plain_lines(body):
        return None
    after = _tasks_key(body)
    if after is None:
        return None
    head = body[:after]  # after the tasks key, `_stray` finds markers and directives
    if head.startswith((b"---", b"...", b"%")) or any(m in head for m in (b"\n---", b"\n...", b"\n%")):
        return None
    first = _CONTENT.search(body, after)
    if first is None:
        return None
    item = _ITEM.match(body, first.start())
    if item is None:
        return None
    n = len(item.group(1))
    if _stray(body, after, n):
        return None
    starts, lines = _item_starts(body, first.start(), n)
    at = len(starts) - 1 if task_id is None else _task_item(body, starts, task_id)
    if at is None:
        return None
    end = starts[at + 1] if at + 1 < len(starts) else len(body)
    return Layout(lines, at, base + starts[0], base + starts[at], base + end, n, tuple(starts))


def owns(data: bytes, lay: Layout, task_id: str) -> bool:
    """Whether `task_id` is written once as an `id:` value, in the layout's item (as
    `find_layout` with the id would find it), and elsewhere only as a `parent:` value."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    return _task_item(body, list(lay.offsets), task_id) == lay.index


def item_ids(data: bytes, lay: Layout) -> list[str] | None:
    """Every item's id, in file order, read from the lines that write a task's `id:` (at
    the item's dash, or at its keys' column): None unless every item has exactly one such
    line, with a value plain enough to read as written (no quote, no flow, no comment)."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    n = lay.dash
    value = rb"([^ \r\n#'\"\[\]{},&*!|>%@`]+)[ ]*\r?$"
    pattern = re.compile(rb"^(?:[ ]{%d}-[ ]|[ ]{%d})(?:%s)[ ]*:[ ]+" % (n, n + 2, _ID_KEYS) + value, re.M)
    starts = list(lay.offsets)
    # The lines the pattern can match: those that begin an item (at the dash) and those
    # whose key stands at the items' keys' column, found with `bytes.find`; the pattern
    # is then tried at their starts alone (it was searched for at every line of the file:
    # 0.26 s of a 40 MB file's `new`; issue 17).
    at_keys = []
    for key in ("id", K.TASK_KEYS["id"]):
        needle = b"\n" + b" " * (n + 2) + key.encode()
        at = body.find(needle, starts[0])
        while at >= 0:
            at_keys.append(at + 1)
            at = body.find(needle, at + 1)
    match = pattern.match
    found = [m for m in map(match, repeat(body), [*starts, *sorted(at_keys)]) if m is not None]
    if len(found) != len(starts):
        return None
    if not at_keys:  # every item's id on its dash's line: the k-th match is the k-th item's
        return [m.group(1).decode("utf-8") for m in found]
    found.sort(key=_start)
    ids: list[str] = []
    for m in found:
        if bisect.bisect_right(starts, m.start()) - 1 != len(ids):
            return None  # an item without one, or with two
        ids.append(m.group(1).decode("utf-8"))
    return ids


_start = methodcaller("start")


def target_style(data: bytes, lay: Layout) -> bool | None:
    """Whether the file's first task with a target writes it `{…}` (True) or as a block
    (False); None when that cannot be told from the lines alone."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    n = lay.dash
    keys = _alts(["target", K.TASK_KEYS["target"]])
    line = re.compile(rb"^(?:[ ]{%d}-[ ]|[ ]{%d})(?:%s)[ ]*:(.*?)\r?$" % (n, n + 2, keys), re.M)
    m = line.search(body, lay.offsets[0])
    if m is None:
        return True  # no target anywhere: the writer's default
    rest = m.group(1).strip()
    if rest.startswith(b"{"):
        return True
    if rest:
        return None
    below = re.compile(rb"\n(?:[ ]*\r?\n)*([ ]*)[^ \r\n#-][^\r\n]*:").match(body, m.end())
    return False if below is not None and len(below.group(1)) > n + 2 else None


def blank_between(data: bytes, lay: Layout) -> bool:
    """Whether a blank line stands before any item after the first."""
    body = data[len(BOM) :] if data.startswith(BOM) else data
    return re.compile(rb"\n[ ]*\r?\n[ ]{%d}- " % lay.dash).search(body, lay.offsets[0]) is not None


def _stray(body: bytes, at: int, n: int) -> bool:
    """Whether a line after the tasks key, not blank nor a comment, stands left of the
    list's dash, or at its column without starting a new item."""
    less = rb"[ ]{0,%d}[^ \r\n#]|" % (n - 1) if n else b""
    pattern = rb"\n(?:" + less + rb"[ ]{%d}(?:[^ \r\n#\-]|-(?:[^ \r\n]|\r?\n)))" % n
    return re.compile(pattern).search(body, at - 1) is not None


def _item_starts(body: bytes, first: int, n: int) -> tuple[list[int], list[int]]:
    """Byte offsets of the lines that begin an item (the dash at column `n`), and their
    1-based line numbers (`bytes.find` and `bytes.count` in C, no copy of the file)."""
    needle = b"\n" + b" " * n + b"- "  # one line break, at its start: no two overlap
    starts = [first]
    find = body.find
    at = find(needle, first)
    while at >= 0:
        starts.append(at + 1)
        at = find(needle, at + 1)
    count = body.count
    line = count(b"\n", 0, first) + 1
    lines = [line]
    for a, b in pairwise(starts):
        line += count(b"\n", a, b)
        lines.append(line)
    return starts, lines


def _is_word(b: bytes) -> bool:
    return bool(b) and (b.isalnum() or b in (b"_", b".", b"-") or b[0] >= 0x80)


def _tokens(body: bytes, raw: bytes) -> list[int] | None:
    """Offsets of `raw` in `body` where it is a whole token (not part of a longer id);
    None when it occurs too often to look at each (an id like `1`)."""
    out: list[int] = []
    at = body.find(raw)
    seen = 0
    while at >= 0:
        seen += 1
        if seen > _MANY:
            return None
        if not _is_word(body[at - 1 : at]) and not _is_word(body[at + len(raw) : at + len(raw) + 1]):
            out.append(at)
        at = body.find(raw, at + 1)
    return out


def _value_lines(task_id: str, keys: bytes) -> re.Pattern[bytes]:
    tid = re.escape(task_id.encode("utf-8"))
    value = rb"[ ]*:[ ]*(?:" + tid + rb"|\"" + tid + rb"\"|'" + tid + rb"')[ ]*(?:#[^\r\n]*)?\r?"
    return re.compile(rb"[ ]*(?:-[ ]+)?(?:" + keys + rb")" + value)


def _id_lines(body: bytes, task_id: str) -> tuple[list[int], bool]:
    """The starts of the lines that write `task_id` as an `id:` value, and whether the id
    also stands anywhere else than as a `parent:` value."""
    define, refer = _value_lines(task_id, _ID_KEYS), _value_lines(task_id, _PARENT_KEYS)
    found: list[int] = []
    other = False
    tokens = _tokens(body, task_id.encode("utf-8"))
    if tokens is None:
        return found, True
    for at in tokens:
        start = body.rfind(b"\n", 0, at) + 1
        end = body.find(b"\n", at)
        if define.fullmatch(body, start, end):
            found.append(start)
        elif not refer.fullmatch(body, start, end):
            other = True
    return found, other


def defines(data: bytes, task_id: str) -> bool:
    """Whether the file may define the task: `task_id` written as an `id:` value, or
    anywhere but as a `parent:` value (a file that only names it as a parent does not)."""
    found, other = _id_lines(data, task_id)
    return bool(found) or other


def referenced(data: bytes, task_id: str) -> bool:
    """Whether `task_id` may stand in the file as another task's `parent:` (or anywhere
    else than as an `id:` value): a task of the file may then inherit its deadline."""
    tokens = _tokens(data, task_id.encode("utf-8"))
    if tokens is None:
        return True
    define = _value_lines(task_id, _ID_KEYS)
    for at in tokens:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        if not define.fullmatch(data, start, end if end >= 0 else len(data)):
            return True
    return False


def _task_item(body: bytes, starts: list[int], task_id: str) -> int | None:
    """The item whose `id:` line names the task; None unless that line is the id's one
    definition and every other occurrence of the id is a `parent:` value."""
    found, other = _id_lines(body, task_id)
    if other or len(found) != 1 or found[0] < starts[0]:
        return None
    return bisect.bisect_right(starts, found[0]) - 1
