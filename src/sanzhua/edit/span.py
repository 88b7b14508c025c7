"""An edit of one task that reads, composes and verifies only that task's lines.

Issue 14.8 / 17: an edit of one task in a file of 60,000 used to compose the whole file
for the splice and parse it twice more to verify (about 115 s and 2.5 GB). The ledger
is already loaded (from the content-keyed parse cache when the file is unchanged), and
that parse says on which line each task of the file starts. So an edit takes the task's
lines only, from its "- " to the next task's "- " (its *span*), and:

- composes a small stand-in document: the file's `unit:` and `tasks:` keys, blank lines
  up to the task's line, then the span as written, so that every line and column libyaml
  reports is the one in the file;
- proves the stand-in reads the task exactly as the whole file did (the task, its
  problems, nothing else), or gives up (the caller then edits the whole file as before:
  refuse rather than guess);
- splices the edit into that document, checks its head is untouched, and puts the new
  span back between the file's unchanged bytes;
- verifies by parsing the new span alone (the same stand-in) and checking the whole
  ledger again with the task replaced; every byte outside the span is compared with the
  file as read.

Why the span read alone is the task read in the file: a block sequence item ends where
the next line at its dash's column starts (the next task's "- ", which the whole file's
parse put there), and the span is parsed to the end with nothing left open (no
unclosed quote or bracket), so what comes after it is read exactly as before. Files
whose line breaks libyaml and the editor could count differently (a lone CR, NEL,
U+2028/2029), with mixed endings, without a final newline or without a `unit:` take the
whole-file path.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import yaml

from sanzhua.edit.ops import Editor, tasks_node
from sanzhua.edit.session import plain
from sanzhua.edit.source import BOM, Source, unified_diff
from sanzhua.edit.tree import MappingNode, SequenceNode, compose
from sanzhua.load import FileResult, parse_ledger_bytes
from sanzhua.load import keys as K
from sanzhua.model import Task
from sanzhua.problems import Problem

# Line breaks libyaml counts and the editor's line split does not.
_ODD_BREAKS = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")
_DASH = re.compile(r"( *)-( +)")
# Tasks with lists composed one by one to learn how the file writes its lists, before the
# whole file is composed for that instead (a file whose lists are all `[…]` on one line).
_STYLE_SPANS = 64


@dataclass
class Whole:
    """What a span needs of its whole file's parse: a `FileResult` (`of_result`), or the
    parse cached as plain data, whose tasks are built only when asked for
    (sanzhua.commands.edit_quick: a file of 60,000 tasks is not built to edit one)."""

    path: str
    unit: str | None
    key_style: str
    problems: list[Problem]  # what reading the file found
    dropped: list[tuple[int, str | None]]
    lines: list[int]  # each task's first line, in file order
    positions: Mapping[str, object]  # task id → its positions (only the keys are looked at)
    lists: Callable[[int], bool]  # whether the task at an index writes progress, milestones or extensions
    result: FileResult | None = None  # the whole parse, when it is at hand
    lean: bool = False  # read from the bytes alone (sanzhua.edit.layout): never compose the whole file
    # lean: the task's lines as read after the file's own head (edit_quick._lean_read). A
    # layout edit.layout accepts has no anchor, tag or marker, so a head naming the same
    # unit reads the lines as the span's stand-in does: that parse is not made again (a
    # task of 60,000 progress entries: a third of its edit; issue 14)
    alone: FileResult | None = None

    @classmethod
    def of_result(cls, fr: FileResult) -> Whole:
        tasks = fr.tasks
        return cls(
            fr.path,
            fr.unit,
            fr.key_style,
            fr.problems,
            fr.dropped,
            [t.line for t in tasks],
            fr.positions,
            lambda i: bool(tasks[i].progress or tasks[i].milestones or tasks[i].extensions),
            fr,
        )

    def starts(self) -> list[int]:
        """The first line of every task and of every entry that could not be a task."""
        return sorted(set(self.lines) | {line for line, _ in self.dropped})


@dataclass
class Span:
    """One task's lines in a file: where they are, and the task as the file's parse read it."""

    rel: str
    data: bytes  # the whole file as read
    whole: Whole  # the whole file's parse
    task: Task  # the task, as the whole file's parse read it
    index: int  # the task's index in the file's tasks
    start: int  # byte offset in `data` of the span's first line
    end: int  # byte offset just after its last line: the next task's line, or the end
    line: int  # 1-based line of the task's first line
    next_line: int  # 1-based line just after the span
    crlf: bool
    prefix: str  # the stand-in document's head (unit, tasks key, blank lines)
    text: str  # the span's text (LF line endings)
    year: int
    problems: list[Problem] = field(default_factory=list)  # the file's problems on the span's lines

    @property
    def fr(self) -> FileResult | None:
        """The whole file's parse, when it is at hand."""
        return self.whole.result

    def parse(self, span_text: str) -> FileResult:
        """The stand-in document with `span_text` as the task's lines, parsed."""
        return parse_ledger_bytes((self.prefix + span_text).encode("utf-8"), self.rel, self.year)

    def splice(self, span_text: str) -> bytes:
        """The file's bytes with the span replaced by `span_text` (LF, as in `text`)."""
        body = span_text.replace("\n", "\r\n") if self.crlf else span_text
        data = memoryview(self.data)  # the file's bytes copied once, not sliced and added (40 MB: three copies)
        return b"".join((data[: self.start], body.encode("utf-8"), data[self.end :]))

    def diff(self, span_text: str) -> str:
        """The unified diff of the edit, as `unified_diff` of the whole file would show it
        (one line of context on each side), computed over the span and its neighbours."""
        data = self.data
        before_at = self.start
        if self.start > self._body_start:
            before_at = max(data.rfind(b"\n", 0, self.start - 1) + 1, self._body_start)
        after_to = data.find(b"\n", self.end)
        after_to = len(data) if after_to < 0 else after_to + 1
        head = data[before_at : self.start]
        tail = data[self.end : after_to]
        new = span_text.replace("\n", "\r\n") if self.crlf else span_text
        old_chunk = head + data[self.start : self.end] + tail
        new_chunk = head + new.encode("utf-8") + tail
        first = self.line - 1 - (1 if before_at < self.start else 0)
        return unified_diff(old_chunk, new_chunk, self.rel, first=first)

    @property
    def _body_start(self) -> int:
        return len(BOM) if self.data.startswith(BOM) else 0


def _line_offsets(body: bytes, base: int, wanted: list[int]) -> list[int] | None:
    """Byte offsets (plus `base`) of the starts of the 1-based lines `wanted` (increasing).

    Line breaks are counted a block at a time in C (bytes.count), then found one by one
    only inside the block where the line starts."""
    out: list[int] = []
    at, line = 0, 1
    size = len(body)
    for n in wanted:
        while line < n:
            block = body.count(b"\n", at, at + _BLOCK)
            if block and line + block < n and at + _BLOCK < size:
                at, line = at + _BLOCK, line + block
                continue
            nl = body.find(b"\n", at)
            if nl < 0:
                return None
            at, line = nl + 1, line + 1
        out.append(base + at)
    return out


_BLOCK = 1 << 16


def find_span(fr: FileResult, data: bytes, task: Task, year: int) -> Span | None:
    """The task's span in `data`, proven to read as the whole file read it; None when the
    file or the task is written so that the whole file must be edited instead."""
    index = next((i for i, t in enumerate(fr.tasks) if t is task), None)
    if index is None:
        return None
    return span_of(Whole.of_result(fr), data, task, index, year)


def span_of(whole: Whole, data: bytes, task: Task, index: int, year: int) -> Span | None:
    """`find_span` for the task at `index` of a file's parse, whole or cached."""
    if whole.unit is None or not data.endswith(b"\n"):
        return None
    base = len(BOM) if data.startswith(BOM) else 0
    body = memoryview(data)[base:].tobytes() if base else data
    if whole.lean:  # sanzhua.edit.layout has looked at the file's line breaks already
        crlf = body.endswith(b"\r\n")
    else:
        if any(b in data for b in _ODD_BREAKS):
            return None
        cr = body.count(b"\r")
        if cr and (cr != body.count(b"\r\n") or cr != body.count(b"\n")):
            return None  # a lone CR, or mixed endings: the whole file keeps them
        crlf = cr > 0
    if not 0 <= index < len(whole.lines) or whole.lines[index] != task.line:
        return None
    if task.line < 3 or task.id not in whole.positions:
        return None
    if any("\0" in k for k in whole.positions):
        return None  # an id written twice in the file
    starts = whole.starts()
    after = bisect.bisect_right(starts, task.line)
    next_line = starts[after] if after < len(starts) else None
    wanted = [task.line] + ([next_line] if next_line is not None else [])
    offsets = _line_offsets(body, base, wanted)
    if offsets is None:
        return None
    start = offsets[0]
    end = offsets[1] if next_line is not None else len(data)
    try:
        first = data[start : data.index(b"\n", start)].decode("utf-8")
        text = data[start:end].decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    dash = _DASH.fullmatch(first[: task.column - 1])
    if dash is None:
        return None
    if next_line is not None:
        following = data[end : data.find(b"\n", end)].decode("utf-8", "replace")
        lead = dash.group(1) + "-"
        if not following.startswith(lead) or following[len(lead) : len(lead) + 1] not in (" ", "\r", ""):
            return None  # the next task is not the next item of the same list
    if crlf:
        text = text.replace("\r\n", "\n")
    zh = whole.key_style == "zh"
    head = (
        f"{K.in_style('unit', K.FILE_KEYS, zh)}: {json.dumps(whole.unit, ensure_ascii=False)}\n"
        f"{K.in_style('tasks', K.FILE_KEYS, zh)}:\n"
    )
    prefix = head + "\n" * (task.line - 3)
    span = Span(
        whole.path, data, whole, task, index, start, end, task.line,
        next_line if next_line is not None else task.line + text.count("\n"),
        crlf, prefix, text, year,
    )  # fmt: skip
    span.problems = [p for p in whole.problems if span.line <= p.line < span.next_line]
    if any(
        p.line == 0 or p.line >= task.line for p in whole.problems if p not in span.problems and p.task == task.id
    ):
        return None  # a problem of the task outside its lines: the span is not the whole task
    lean = whole.alone
    alone = lean if lean is not None and len(lean.tasks) == 1 and lean.tasks[0] is task else span.parse(text)
    if not _reads_as(alone, task) or _problem_keys(alone.problems) != _problem_keys(span.problems):
        return None
    return span


def _reads_as(result: FileResult, task: Task) -> bool:
    """The stand-in holds one task, read as `task` (positions included), and nothing else."""
    if len(result.tasks) != 1 or result.dropped:
        return False
    got = result.tasks[0]
    return (
        got.line == task.line
        and got.column == task.column
        and (got == task or plain(got) == plain(task))  # equal tasks are equal plainly: that first
        and _nested_lines(got) == _nested_lines(task)
    )


def _nested_lines(t: Task) -> tuple[tuple[int, ...], ...]:
    return (
        tuple(m.line for m in t.milestones),
        tuple(p.line for p in t.progress),
        tuple(e.line for e in t.extensions),
    )


def _problem_keys(problems: list[Problem]) -> list[tuple[str, str, int, int, str | None, str]]:
    return sorted((p.code, p.severity, p.line, p.column, p.task, p.message.key) for p in problems)


class SpanEditor(Editor):
    """An `Editor` over the stand-in document of one task's span. Every edit operation
    works on it as on the whole file; `result()` gives the whole file's new bytes."""

    def __init__(self, span: Span, *, cut_progress: bool = False) -> None:
        """`cut_progress`: the edit appends to the task's progress list (or touches none of
        its entries but the first and the last): a long list is composed with the entries
        between its second and its last left out, and put back as they were (a task of
        60,000 entries was composed whole to append one; issue 14)."""
        # The head without the blank lines: splices need no file line numbers.
        self.head = span.prefix.rstrip("\n") + "\n"
        self.span = span
        self.cut_at, self.cut = -1, ""  # where in the document the left-out lines stood, and they
        text = span.text
        got = _entries_cut(span) if cut_progress else None
        if got is not None:
            lo, hi = got
            self.cut_at, self.cut = len(self.head) + lo, text[lo:hi]
            text = text[:lo] + text[hi:]
        super().__init__(Source((self.head + text).encode("utf-8")))

    def new_span(self) -> str:
        """The span's new text; the stand-in's head must be as it was."""
        new = self.new_text() if self.cut_at < 0 else self._new_text_uncut()
        if not new.startswith(self.head):
            raise SpanBroken()
        return new[len(self.head) :]

    def _new_text_uncut(self) -> str:
        """The document's new text with the left-out entries back where they were: no edit
        may reach where they stood (it could be before them or after them)."""
        at, size = self.cut_at, len(self.cut)
        out = self.text[:at] + self.cut + self.text[at:]
        for s, e, new in sorted(self.edits, key=lambda x: (x[0], x[1]), reverse=True):
            if s <= at <= e:
                raise SpanBroken()
            if s > at:
                s, e = s + size, e + size
            out = out[:s] + new + out[e:]
        return out

    def result(self) -> bytes:
        return self.span.splice(self.new_span())

    def style_tasks(self) -> Iterator[tuple[MappingNode, str]]:
        """The file's tasks that write lists, in file order, for `list_style`: the edited one
        from this document, the others composed from their own spans (the whole file once
        when many must be looked at)."""
        span = self.span
        whole = span.whole
        if any(p.code == "unknown-key" for p in whole.problems):
            yield from _whole_file_tasks(span)
            return
        cands = [i for i in range(len(whole.lines)) if i == span.index or whole.lists(i)]
        starts = whole.starts()
        base = len(BOM) if span.data.startswith(BOM) else 0
        body = span.data[base:]
        composed = 0
        for i in cands:
            if i == span.index:
                mine = self._own_task()
                if mine is not None:
                    yield mine, self.text
                continue
            line = whole.lines[i]
            if composed >= _STYLE_SPANS:
                yield from _whole_file_tasks(span, after_line=line - 1)
                return
            composed += 1
            got = _compose_task(body, line, starts, span.crlf)
            if got is None:
                yield from _whole_file_tasks(span, after_line=line - 1)
                return
            yield got

    def _own_task(self) -> MappingNode | None:
        root = self.root
        if isinstance(root, MappingNode):
            for _, v in root.value:
                if isinstance(v, SequenceNode) and v.value and isinstance(v.value[0], MappingNode):
                    return v.value[0]
        return None


# A progress list of at least this many entries is composed with its middle left out.
CUT_ENTRIES = 16


def _entries_cut(span: Span) -> tuple[int, int] | None:
    """Where, in the span's text, the lines from the task's second progress entry to its
    last one start: whole items of one block list (each line starts with the list's dash
    at the same column), which the edit of the list's end does not read. None when the
    list is short or not written so."""
    entries = span.task.progress
    if len(entries) < CUT_ENTRIES:
        return None
    lines = span.text.split("\n")
    rows = [p.line - span.line for p in (entries[0], entries[1], entries[-1])]
    if not 0 < rows[0] < rows[1] < rows[2] < len(lines):
        return None
    dashes = [_DASH.match(lines[r]) for r in rows]
    if any(d is None or len(d.group(1)) != len(lines[rows[0]]) - len(lines[rows[0]].lstrip(" ")) for d in dashes):
        return None
    lo = sum(map(len, lines[: rows[1]])) + rows[1]  # the offset of line rows[1]
    hi = lo + sum(map(len, lines[rows[1] : rows[2]])) + rows[2] - rows[1]
    return lo, hi


class SpanBroken(Exception):
    """The edit reached outside the task's span (never expected): the whole file is edited."""


class NeedFull(Exception):
    """An edit made from a file's bytes alone (`Whole.lean`) needs the whole file parsed:
    the edit starts again on the whole ledger."""


def task_node(body: bytes, line: int, starts: list[int], crlf: bool) -> tuple[MappingNode, str] | None:
    """The task that starts at `line` of a file's `body` (without BOM), composed from its
    own lines alone (for how it is written, not what it says), and that document's text."""
    return _compose_task(body, line, starts, crlf)


def _compose_task(body: bytes, line: int, starts: list[int], crlf: bool) -> tuple[MappingNode, str] | None:
    at = bisect.bisect_right(starts, line)
    lines = [line] + ([starts[at]] if at < len(starts) else [])
    offs = _line_offsets(body, 0, lines)
    if offs is None:
        return None
    chunk = body[offs[0] : offs[1] if len(offs) > 1 else len(body)]
    try:
        text = chunk.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if crlf:
        text = text.replace("\r\n", "\n")
    doc = "tasks:\n" + text
    try:
        node = compose(doc)
    except yaml.YAMLError:
        return None
    if isinstance(node, MappingNode) and node.value:
        seq = node.value[0][1]
        if isinstance(seq, SequenceNode) and len(seq.value) == 1 and isinstance(seq.value[0], MappingNode):
            return seq.value[0], doc
    return None


def _whole_file_tasks(span: Span, after_line: int = 0) -> Iterator[tuple[MappingNode, str]]:
    """The file's task nodes from the whole file (for `list_style`), from a line on."""
    if span.whole.lean:
        raise NeedFull()
    ed = Editor(Source(span.data))
    _, _, seq = tasks_node(ed)
    if isinstance(seq, SequenceNode):
        for item in seq.value:
            if isinstance(item, MappingNode) and item.start_mark.line + 1 > after_line:
                yield item, ed.text
