"""Old versions of ledger files, parsed fast: one task at a time, cached by content.

A commit usually touches one task in a file of dozens. Parsing the whole file again
for every commit would make a long history slow, so a file's text is cut into its
task items (the `- ` entries under `tasks:`), and each item is parsed on its own
with the ordinary loader (`parse_ledger_bytes`) and cached by its text: a new
version of a file costs one small parse for the task that changed. Any file whose
layout the cutter is not sure about (flow style, document markers, tabs, unknown
top-level keys, an item that does not parse alone) is parsed whole, so the result
is always the loader's.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from itertools import pairwise
from typing import TypeVar

from sanzhua.load import parse_ledger_bytes
from sanzhua.load.yamlfast import decode
from sanzhua.model import Extension, Milestone, Progress, Task


@dataclass(frozen=True, slots=True)
class Placed:
    """One task of one file version. `task` is normalised (no file, no lines) so that two
    versions compare with `==`; `line` and `positions` are where it stands in this file."""

    task: Task
    raw: Task  # as parsed, with the lines of its milestones, progress and extensions
    file: str
    shift: int  # added to the lines in `rel` to give this file's lines
    rel: dict[str, tuple[int, int]]  # field → (line, column) as parsed; "__task__" the task itself

    @property
    def line(self) -> int:
        return self.rel["__task__"][0] + self.shift

    def at(self, field: str) -> int:
        """The line of a field's value in this file (the task's line if it has none)."""
        pos = self.rel.get(field)
        return pos[0] + self.shift if pos else self.line

    def entry_line(self, kind: str, entry: object) -> int:
        """The line of a milestone, progress or extension entry (equal to `entry`) in this file."""
        for norm, raw in zip(getattr(self.task, kind), getattr(self.raw, kind), strict=False):
            if norm == entry:
                return int(raw.line) + self.shift
        return self.line


@dataclass(frozen=True, slots=True)
class FileView:
    """A parsed file version: its tasks in order, and whether it could be read at all."""

    tasks: tuple[Placed, ...]
    readable: bool
    # Made from the view of another version of the file whose tasks were `base`: the tasks
    # are base's but for base[span[0]:span[2]] (the items changed), in whose place stand
    # tasks[span[0]:span[1]]; what `History._sides` compares rather than every task (issue 14).
    base: tuple[Placed, ...] | None = field(default=None, compare=False)
    span: tuple[int, int, int] = field(default=(0, 0, 0), compare=False)


_TASKS_KEY = re.compile(r"^(?:tasks|任务清单)[ \t]*:[ \t]*(?:#.*)?\r?$", re.M)
_UNIT_KEY = re.compile(r"^(?:unit|责任单位)[ \t]*:[ \t]*\S")
_CONTENT = re.compile(r"^ *[^ \r\n#]", re.M)
_TAB_INDENT = re.compile(r"^ *\t", re.M)
_ITEM_AT: dict[int, re.Pattern[str]] = {}
_END_AT: dict[int, re.Pattern[str]] = {}
_FATAL = frozenset(("syntax", "encoding"))
# A file version with at least this many items not parsed before (a new file, the root
# commit) has them parsed in one document, each cut back to its item: one parse of the
# loader costs some 70 µs besides its bytes, 60,000 items 4 s (issue 14). Not when the text
# has `&` or `*`: an alias to an anchor of another item reads there but not alone.
BATCH_MIN = 64
_CHUNK = 256  # items of small files parsed in one document (`Parser.prebatch`)


def normalise(task: Task) -> Task:
    """The task without where it stands or how its dates are spelled (`9月底` is
    2026-09-30): what two versions are compared on. `dataclasses.replace` but for running
    no __init__ (a root commit of 60,000 tasks: 1.4 s of it; issue 14): the task's fields
    copied and these set, as `_with` does; tests/test_hostile_costs.py holds it equal."""
    return _with(
        task,
        file="",
        line=0,
        column=0,
        due_text=None,
        lead_given=True,
        milestones=tuple(_with(m, line=0, due_text="") for m in task.milestones) if task.milestones else (),
        progress=tuple(_with(p, line=0) for p in task.progress) if task.progress else (),
        extensions=tuple(_with(e, line=0) for e in task.extensions) if task.extensions else (),
        verified=_with(task.verified, line=0) if task.verified is not None else None,  # issue 20
        returned=tuple(_with(r, line=0) for r in task.returned) if task.returned else (),
    )


_T = TypeVar("_T")


def _with(obj: _T, **changes: object) -> _T:
    """`replace(obj, **changes)` for a frozen dataclass without slots, __post_init__ or
    fields left out of __init__ (the model's Task and its entries): its fields' values
    copied into a new instance, these changed."""
    new: _T = object.__new__(type(obj))
    d = new.__dict__
    d.update(obj.__dict__)
    d.update(changes)
    return new


def _outside_ok(lines: list[str], unit_line: str) -> str | None:
    """The lines outside the task list: blank, comments and one `unit:` line; its text, or None."""
    for line in lines:
        line = line.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t" or not _UNIT_KEY.match(line) or unit_line:
            return None
        unit_line = line
    return unit_line


def _cut(text: str) -> tuple[str, list[int], int] | None:
    """(the file's `unit:` line or "", each item's first character then the list's end, the
    items' indent) or None if unsure; `_split`'s work without the items' text and lines.

    Regular expressions over the whole text rather than a loop over lines: a file
    version is cut once per commit that touches it, so this is on the hot path.
    """
    key = _TASKS_KEY.search(text)
    if key is None or ("\t" in text and _TAB_INDENT.search(text)):
        return None
    if ("\ntasks" in text[key.end() :] or "\n任务清单" in text[key.end() :]) and _TASKS_KEY.search(text, key.end()):
        return None
    body = key.end() + 1
    first = _CONTENT.search(text, body)
    if first is None:
        unit = _outside_ok(text[: key.start()].split("\n"), "")
        return (unit, [len(text)], 0) if unit is not None else None
    line = text[first.start() : text.find("\n", first.start()) if "\n" in text[first.start() :] else len(text)]
    m = re.match(r"( *)-(?: |\r?$)", line)
    if m is None:
        unit = _outside_ok(text[: key.start()].split("\n") + text[first.start() :].split("\n"), "")
        return (unit, [len(text)], 0) if unit is not None else None
    indent = len(m.group(1))
    item_re = _item_at(indent)
    stop = _END_AT[indent].search(text, first.start())
    end = stop.start() if stop is not None else len(text)
    unit = _outside_ok(text[: key.start()].split("\n") + text[end:].split("\n"), "")
    if unit is None:
        return None
    starts = [s.start() for s in item_re.finditer(text, first.start(), end)]
    starts.append(end)
    return unit, starts, indent


def _item_at(indent: int) -> re.Pattern[str]:
    item_re = _ITEM_AT.get(indent)
    if item_re is None:
        item_re = _ITEM_AT[indent] = re.compile(rf"^ {{{indent}}}-(?: |\r?$)", re.M)
        _END_AT[indent] = re.compile(rf"^(?! {{{indent}}}-(?: |\r?$)) {{0,{indent}}}[^ \r\n#]", re.M)
    return item_re


def _firsts(text: str, starts: list[int], line_no: int) -> list[int]:
    """The first line of each item (`starts` without the end), the first's `line_no`."""
    out: list[int] = []
    for s, e in pairwise(starts):
        out.append(line_no)
        line_no += text.count("\n", s, e)
    return out


def _split(text: str) -> tuple[str, list[tuple[int, str]]] | None:
    """(the file's `unit:` line or "", [(first line number, item text)]) or None if unsure."""
    cut = _cut(text)
    if cut is None:
        return None
    unit, starts, _indent = cut
    if len(starts) == 1:
        return unit, []
    firsts = _firsts(text, starts, text.count("\n", 0, starts[0]) + 1)
    return unit, [(f, text[s:e]) for f, s, e in zip(firsts, starts, starts[1:], strict=False)]


def _common_prefix(a: str, b: str) -> int:
    """How many characters `a` and `b` begin with alike (compared a stretch at a time, in C)."""
    n = min(len(a), len(b))
    i, step = 0, 4096
    while i < n:
        j = min(n, i + step)
        if a[i:j] != b[i:j]:
            while j - i > 1:  # the first difference lies in [i, j)
                mid = (i + j) // 2
                if a[i:mid] == b[i:mid]:
                    i = mid
                else:
                    j = mid
            return i
        i, step = j, min(step * 2, 1 << 20)
    return n


def _common_suffix(a: str, b: str, limit: int) -> int:
    """How many characters `a` and `b` end with alike, at most `limit`."""
    la, lb = len(a), len(b)
    i, step = 0, 4096
    while i < limit:
        j = min(limit, i + step)
        if a[la - j : la - i] != b[lb - j : lb - i]:
            while j - i > 1:  # the last difference lies in the j-i characters before la-i
                mid = (i + j) // 2
                if a[la - mid : la - i] == b[lb - mid : lb - i]:
                    i = mid
                else:
                    j = mid
            return i
        i, step = j, min(step * 2, 1 << 20)
    return limit


@dataclass(slots=True)
class _Layout:
    """A version of a file cut into items: what the next version of the file is cut against
    (`Parser._recut`), so that a commit changing one task of a big file costs the items it
    changed, not every item of the file (a 60,000-task file over 60 commits: issue 14)."""

    text: str
    year: int
    unit_line: str
    indent: int
    starts: list[int]  # each item's first character, then the list's end
    firsts: list[int]  # each item's first line
    keys: list[object]  # each item's key in the parser's cache (all known)
    placed: tuple[Placed, ...] | None  # the view of every (kept) task; None: not made
    counts: list[int] | None  # with `placed`: how many of it stand before item k (k = 0..n)


# Files of fewer items are cut whole every time (cheap); the layouts kept hold at most this
# many characters of text (the last version of each big file walked).
_LAYOUT_CHARS = 48_000_000


# What `Parser._item` caches for an item whose task is not one of the parser's `keep`: that it
# parses alone (so the file version reads), and nothing of the task.
_OTHER = True


class Parser:
    """Parses file versions, caching items by text and whole files by blob id.

    `keep`: the ids of the only tasks the views hold (None: every task). The other tasks'
    items are still parsed, so that a version that cannot be read reads so, but only that
    they parsed is kept, under a digest of their text: the site's walk at 100,000 tasks held
    every task of the first commit twice (normalised and as parsed, with its positions and its
    item's text), some 600 MB, to show the history of 20,000 (issue 17). `full` views (`view`)
    hold every task all the same, parsed again and not kept."""

    def __init__(self, max_files: int = 65536, keep: AbstractSet[str] | None = None) -> None:
        self.keep = keep
        # item → (normalised, as parsed, positions, the line it was parsed at less 3), None (no
        # task), or _OTHER (a task not kept); keyed by (year, unit line, text), or with `keep`
        # by a digest of the three
        self._items: dict[object, tuple[Task, Task, dict[str, tuple[int, int]], int] | bool | None] = {}
        self._files: OrderedDict[tuple[str, str, int], FileView] = OrderedDict()
        self._max_files = max_files
        self._needled: dict[tuple[str, str, int, str], FileView] = {}  # views for one task (`view`)
        self._oids: set[str] = set()
        self.parsed_items = 0
        self.parsed_files = 0
        self.parsed_bytes = 0  # of YAML handed to the loader: what the walk's budget counts
        self.cut_items = 0  # items cut from a file version's text and keyed (`_view`)
        # path → the last version of a big file cut, the next one is cut against (`_recut`)
        self._layouts: OrderedDict[str, _Layout] = OrderedDict()
        # (oid, path, year) → the version's text and cut, made by `prebatch` for `view`
        self._precut: dict[tuple[str, str, int], tuple[str, tuple[str, list[int], int]]] = {}

    def has(self, oid: str) -> bool:
        """Whether some parse of this blob is cached (its bytes are then not needed again)."""
        return oid in self._oids

    def cached(self, oid: str, path: str, year: int) -> FileView | None:
        return self._files.get((oid, path, year))

    def view(
        self, oid: str, data: bytes, path: str, year: int, needle: str | None = None, full: bool = False
    ) -> FileView:
        """The file version's tasks. `needle`: only the tasks whose item holds it are placed
        (every item is still parsed or known, so that a version that cannot be read reads
        so); such a view is not kept. A walk for one task (`sanzhua log`) placed all
        60,000 tasks of each of 60 versions of a file to find one (issue 14). `full`: every
        task, also those not in `keep`; not kept either."""
        if full and self.keep is not None:
            return self._view(data, path, year, needle, True)
        key = (oid, path, year)
        hit = self._files.get(key)
        if hit is not None:
            self._files.move_to_end(key)
            return hit
        if needle is not None:  # the last few kept apart: a version is the next commit's old side
            nkey = (oid, path, year, needle)
            got = self._needled.get(nkey)
            if got is None:
                got = self._needled[nkey] = self._view(data, path, year, needle)
                if len(self._needled) > 8:
                    del self._needled[next(iter(self._needled))]
            return got
        found = self._view(data, path, year, pre=self._precut.pop(key, None))
        self._files[key] = found
        self._oids.add(oid)
        if len(self._files) > self._max_files:
            dropped = self._files.popitem(last=False)[0]
            self._oids.discard(dropped[0])
        return found

    def _key(self, year: int, unit_line: str, item: str) -> object:
        """An item's key in the cache: its text, or with `keep` a digest of it."""
        if self.keep is None:
            return (year, unit_line, item)
        text = f"{year}\0{unit_line}\0{item}".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, digest_size=16).digest()

    def prebatch(self, files: Iterable[tuple[str, bytes, str, int]]) -> None:
        """The items of many small file versions (oid, bytes, path, year) not read before (a
        root commit of 20,000 one-task files) parsed in one document per year, unit line and
        indent, each cached as `_item` would cache it and counted as its own parse, bytes
        and all (the walk's budget stops where it stopped): 20,000 parses of the loader, some
        70 µs each besides their bytes, become one (issue 14). Each version's cut is kept for
        its `view`. Not for a text with `&` or `*` (an alias reads in one item but not alone),
        nor for a file of BATCH_MIN items or more (`_view` batches it on its own)."""
        self._precut.clear()
        groups: dict[tuple[int, str, int], dict[object, str]] = {}
        for oid, data, path, year in files:
            key = (oid, path, year)
            if key in self._files or key in self._precut or path in self._layouts:
                continue
            text, _ = decode(data, path)
            if text is None or "&" in text or "*" in text:
                continue
            cut = _cut(text)
            if cut is None or len(cut[1]) > BATCH_MIN:
                continue
            self._precut[key] = (text, cut)
            unit_line, starts, indent = cut
            group = groups.setdefault((year, unit_line, indent), {})
            for s, e in pairwise(starts):
                item = text[s:e]
                k = self._key(year, unit_line, item)
                if k not in self._items:
                    group.setdefault(k, item)
        for (year, unit_line, _indent), group in groups.items():
            items = list(group.items())
            if len(items) < BATCH_MIN:
                continue
            # in documents of at most _CHUNK items: one that cannot be read alone (a syntax
            # error: nothing of its document is cached) costs its own document's items
            n = -(-len(items) // _CHUNK)
            for k in range(n):
                self._batch(year, unit_line, items[k * len(items) // n : (k + 1) * len(items) // n], alone=True)

    def forget_cuts(self) -> None:
        """Let go of the cuts `prebatch` made that no `view` took."""
        self._precut.clear()

    def _view(
        self,
        data: bytes,
        path: str,
        year: int,
        needle: str | None = None,
        full: bool = False,
        pre: tuple[str, tuple[str, list[int], int]] | None = None,
    ) -> FileView:
        """The view of one version; `pre`: its text and cut, made by `prebatch`."""
        text = pre[0] if pre is not None else decode(data, path)[0]
        if text is None:
            return FileView((), False)
        derived = None if full else self._recut(text, path, year)
        if derived is not None:
            layout, region, base = derived
        else:
            cut = pre[1] if pre is not None else _cut(text)
            if cut is None:
                return self._whole(data, path, year, full)
            unit_line, starts, indent = cut
            n = len(starts) - 1
            firsts = _firsts(text, starts, text.count("\n", 0, starts[0]) + 1) if n else []
            keys = [self._key(year, unit_line, text[s:e]) for s, e in pairwise(starts)]
            self.cut_items += n
            layout = _Layout(text, year, unit_line, indent, starts, firsts, keys, None, None)
            region, base = range(n), None
        keys, starts, known, n = layout.keys, layout.starts, self._items, len(layout.keys)
        if (
            n >= BATCH_MIN
            and "&" not in text
            and "*" not in text
            and any(keys[i] not in known for i in (0, n // 2, -1))
        ):  # a version of a file read before (its first, middle and last items known) is not batched
            new: dict[object, str] = {}  # each text once: 3.2 million bare `- ` items were one each
            for k in region:
                if keys[k] not in known and keys[k] not in new:
                    new[keys[k]] = text[starts[k] : starts[k + 1]]
            self._batch(year, layout.unit_line, list(new.items()))
        view = self._place(layout, region, base, path, needle, full)
        if view is None:
            return self._whole(data, path, year, full)
        if not full and n >= BATCH_MIN:
            self._keep_layout(path, layout)
        return view

    def _recut(self, text: str, path: str, year: int) -> tuple[_Layout, range, tuple[_Layout, int, int, int]] | None:
        """The version `text` of `path` cut against the last version of it cut (`_layouts`):
        the items both begin and end with are taken as they were, only those between are cut
        and keyed. (the new layout, the new layout's items that may be new, (the old layout,
        the first item changed, the first item after the change in the old, the lines added));
        None when the change reaches outside the task list or might end it (the text is then
        cut whole, as `_cut` would cut it: tests/test_walk_cost.py holds the two equal)."""
        old = self._layouts.get(path)
        if old is None or old.year != year or old.text is text:
            return None
        a = old.text
        starts, n = old.starts, len(old.starts) - 1
        p = _common_prefix(a, text)
        q = _common_suffix(a, text, min(len(a), len(text)) - p)
        i0 = bisect.bisect_right(starts, p, 0, n) - 1  # the item the first difference is in
        j0 = bisect.bisect_right(starts, len(a) - q)  # the first item (or the end) after the last
        if i0 < 0 or j0 > n:
            return None
        delta = len(text) - len(a)
        lo, hi = starts[i0], starts[j0] + delta
        item_re = _item_at(old.indent)
        if _END_AT[old.indent].search(text, lo, hi) is not None:
            return None
        if text.find("\t", lo, hi) >= 0 and _TAB_INDENT.search(text, lo, hi):
            return None
        mid = [m.start() for m in item_re.finditer(text, lo, hi)]
        if not mid or mid[0] != lo:
            return None
        lines = text.count("\n", lo, hi) - a.count("\n", lo, starts[j0])
        mid.append(hi)
        firsts = _firsts(text, mid, old.firsts[i0])
        keys = [self._key(year, old.unit_line, text[s:e]) for s, e in pairwise(mid)]
        self.cut_items += len(keys)
        tail = starts[j0:]
        layout = _Layout(
            text,
            year,
            old.unit_line,
            old.indent,
            starts[:i0] + mid[:-1] + ([s + delta for s in tail] if delta else tail),
            old.firsts[:i0] + firsts + ([f + lines for f in old.firsts[j0:]] if lines else old.firsts[j0:]),
            old.keys[:i0] + keys + old.keys[j0:],
            None,
            None,
        )
        return layout, range(i0, i0 + len(keys)), (old, i0, j0, lines)

    def _keep_layout(self, path: str, layout: _Layout) -> None:
        self._layouts.pop(path, None)
        self._layouts[path] = layout
        total = sum(len(x.text) for x in self._layouts.values())
        while total > _LAYOUT_CHARS and len(self._layouts) > 1:
            total -= len(self._layouts.pop(next(iter(self._layouts))).text)

    def _place(
        self,
        layout: _Layout,
        region: range,
        base: tuple[_Layout, int, int, int] | None,
        path: str,
        needle: str | None,
        full: bool,
    ) -> FileView | None:
        """The view (None: an item does not parse alone). Derived from the old
        layout's view where it has one (the items before and after the change placed as they
        were, a line further if lines were added); with a needle, only the items holding it
        and the items changed are looked at."""
        if needle is not None:
            order: Iterable[int] = region if base is None else self._needled_items(layout, region, needle)
            got = self._place_items(layout, order, path, needle, full, False)
            return FileView(tuple(got[0]), True) if got is not None else None
        old = base[0] if base is not None else None
        if base is None or old is None or old.placed is None or old.counts is None or full:
            got = self._place_items(layout, range(len(layout.keys)), path, None, full, not full)
            if got is None:
                return None
            placed = tuple(got[0])
            if not full:
                layout.placed, layout.counts = placed, got[1]
            return FileView(placed, True)
        _, i0, j0, lines = base
        got = self._place_items(layout, region, path, None, False, True)
        if got is None:
            return None
        mid, counts = got
        at, after = old.counts[i0], old.counts[j0]
        tail = old.placed[after:]
        if lines:
            tail = tuple(Placed(p.task, p.raw, p.file, p.shift + lines, p.rel) for p in tail)
        placed = old.placed[:at] + tuple(mid) + tail
        more = at + len(mid) - after
        assert counts is not None
        layout.placed = placed
        rest = [c + more for c in old.counts[j0:]] if more else old.counts[j0:]
        layout.counts = old.counts[:i0] + [at + c for c in counts[:-1]] + rest
        return FileView(placed, True, old.placed, (at, at + len(mid), after))

    def _needled_items(self, layout: _Layout, region: range, needle: str) -> list[int]:
        """The items holding `needle` (found in the text, not item by item) and the items of
        `region`, in order."""
        text, starts = layout.text, layout.starts
        found = set(region)
        end = starts[-1]
        at = text.find(needle, starts[0], end) if needle else -1
        while at >= 0:
            k = bisect.bisect_right(starts, at) - 1
            found.add(k)
            at = text.find(needle, starts[k + 1], end)
        return sorted(found)

    def _place_items(
        self, layout: _Layout, order: Iterable[int], path: str, needle: str | None, full: bool, count: bool
    ) -> tuple[list[Placed], list[int] | None] | None:
        """The tasks of the items `order` (None: one does not parse alone); `count`: also how
        many stand before each of them, then in all."""
        text, starts, firsts, keys, unit_line = layout.text, layout.starts, layout.firsts, layout.keys, layout.unit_line
        known, year = self._items, layout.year
        placed: list[Placed] = []
        counts: list[int] | None = [] if count else None
        for k in order:
            item = text[starts[k] : starts[k + 1]]
            key = keys[k]
            if counts is not None:
                counts.append(len(placed))
            if needle is not None and needle not in item and key in known:
                continue  # read before, and not the task looked for
            got = self._item(year, unit_line, item, key, full)
            if got is False:
                return None
            if got is None or got is True or (needle is not None and needle not in item):
                continue
            placed.append(Placed(got[0], got[1], path, firsts[k] - 3 - got[3], got[2]))
        if counts is not None:
            counts.append(len(placed))
        return placed, counts

    def _kept(self, task: Task) -> bool:
        return self.keep is None or task.id in self.keep

    def _batch(self, year: int, unit_line: str, items: list[tuple[object, str]], alone: bool = False) -> None:
        """Parse `items` (key, text) in one document and cache each as `_item` would have (its
        lines those of the document: the cached offset says by how much). Nothing is cached
        when the document has a fatal problem or a task that is not one item's own: `_item`
        then parses them one by one. `alone`: the bytes counted are those of each item's own
        document (`prebatch`)."""
        if len(items) < BATCH_MIN and not alone:
            return
        head = f"{unit_line or '# -'}\ntasks:\n"
        starts: list[int] = []
        line = 3
        for _, item in items:
            starts.append(line)
            line += item.count("\n") + 1
        doc = (head + "".join(f"{item}\n" for _, item in items)).encode()
        res = parse_ledger_bytes(doc, "", year)
        if any(p.code in _FATAL for p in res.problems):
            return
        found: dict[int, Task] = {}
        for task in res.tasks:
            k = bisect.bisect_right(starts, task.line) - 1
            if k < 0 or k in found:
                return
            found[k] = task
        self.parsed_items += len(items)  # the walk's budget counts them as before
        self.parsed_bytes += len(doc) + (len(head.encode()) * (len(items) - 1) if alone else 0)
        for k, (key, _) in enumerate(items):
            one = found.get(k)
            if one is None:
                self._items[key] = None
            elif not self._kept(one):
                self._items[key] = _OTHER
            else:
                pos = dict(res.positions_of(one))
                pos["__task__"] = (one.line, one.column)
                self._items[key] = (normalise(one), one, pos, starts[k] - 3)

    def _item(
        self, year: int, unit_line: str, item: str, key: object, full: bool = False
    ) -> tuple[Task, Task, dict[str, tuple[int, int]], int] | bool | None:
        """The item's task, None if it has none, False if it does not parse alone, _OTHER if
        its task is not in `keep` (unless `full`)."""
        got = self._items.get(key, False)
        if got is not False and not (full and got is _OTHER):
            return got
        self.parsed_items += 1
        mini = f"{unit_line or '# -'}\ntasks:\n{item}\n".encode()
        self.parsed_bytes += len(mini)
        res = parse_ledger_bytes(mini, "", year)
        if any(p.code in _FATAL for p in res.problems) or len(res.tasks) > 1:
            return False
        if not res.tasks:
            self._items[key] = None
            return None
        task = res.tasks[0]
        pos = dict(res.positions_of(task))
        pos["__task__"] = (task.line, task.column)
        made = (normalise(task), task, pos, 0)
        kept = self._kept(task)
        self._items[key] = made if kept else _OTHER
        return made if kept or full else _OTHER

    def _whole(self, data: bytes, path: str, year: int, full: bool = False) -> FileView:
        self.parsed_files += 1
        self.parsed_bytes += len(data)
        res = parse_ledger_bytes(data, path, year)
        if any(p.code in _FATAL for p in res.problems):
            return FileView((), False)
        placed = []
        for t in res.tasks:
            if full or self._kept(t):
                pos = dict(res.positions_of(t))
                pos["__task__"] = (t.line, t.column)
                placed.append(Placed(normalise(t), t, path, 0, pos))
        return FileView(tuple(placed), True)


def pair_milestones(
    old: tuple[Milestone, ...], new: tuple[Milestone, ...]
) -> list[tuple[Milestone | None, Milestone | None]]:
    """Each milestone of `new` with the one of `old` it continues, then the old ones gone.

    A milestone continues the old one of its name; one whose name is new continues, in
    order, an old milestone whose name is gone (a milestone renamed is the same milestone:
    renaming it does not reset its deadline); an old one left over is removed, a new one
    left over is added.
    """
    by_name = {m.name: m for m in old}
    names = {m.name for m in new}
    gone = [m for m in old if m.name not in names]
    out: list[tuple[Milestone | None, Milestone | None]] = []
    for m in new:
        was = by_name.get(m.name)
        if was is None and gone:
            was = gone.pop(0)
        out.append((was, m))
    out.extend((m, None) for m in gone)
    return out


def entry_dict(entry: Progress | Extension | Milestone) -> dict[str, object]:
    """A progress, extension or milestone entry as JSON-ready data (dates as ISO text)."""
    out: dict[str, object] = {}
    for f in fields(entry):
        if f.name == "line":
            continue
        value = getattr(entry, f.name)
        if f.name == "from_":
            out["from"] = value.isoformat() if value is not None else None
            continue
        if f.name == "due_text":
            continue
        if f.name == "notice" and value is None:
            continue  # issue 20's reply reference: shown only when written, so older output stays as it was
        out[f.name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out
