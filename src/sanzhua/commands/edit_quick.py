"""An edit of one task that builds no other task of the ledger (issue 14.8 / 17).

`progress`, `done` and `extend` change one task's lines (sanzhua.edit.span). In a file
of 60,000 tasks, building every task from the cache, assembling the ledger and running
every check before and after the edit cost seconds, the edit itself milliseconds. Here
the edit works on what the ledger's scan already has (sanzhua.load.scan): every task's
index row, the file's parse as plain data (only the edited task is built), and the
file's check results as `check` caches them. The rules of sanzhua.edit.session hold,
each by its own means:

- *the file is valid before the edit*: the file's own check results (the loader's
  problems, the per-task and per-file checks: found in the cache for this content, date
  and settings, or worked out now and cached, as `check` does) and the ledger-wide
  checks, which read index rows only;
- *the edit adds no error*: the checks are scoped (sanzhua.checks): a task-scope or
  file-scope check looks at one task at a time, so only the edited task's findings can
  change, and they are worked out before and after on that task alone, with the
  ledger's deadlines (`Dues`). When the task's index row changes (its deadline, its
  parent), the ledger-wide checks run on the rows before and after, and if another
  task's view of the ledger changes (a child inheriting the new deadline) the edit is
  verified on the whole ledger, as before;
- *tasks it did not mean to touch read back as they were*: the span's proof
  (sanzhua.edit.span), every byte outside it compared with the file as read.

Anything else (the task not found once in the index, the file not in the cache, an
error before the edit, a span the file cannot stand for) returns None, and the edit
takes the whole-ledger path, which also words every refusal.

After writing, the cache entry of the written bytes is stored: the old entry with the
task replaced and the lines below it moved (sanzhua.load.cache.shift_task), and the
file's check results likewise when they are known. tests/test_edit_quick.py holds both
equal to what a fresh parse and `check` make of the written file.

A big file (over `LEAN_MIN`) is edited from its bytes alone (`open_lean`), whether the
cache holds it or not; when it does, the written file's index rows and check results are
stored, not its parse (`_store_rows`; tests/test_edit_held.py).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sanzhua.checks import Context, run_checks
from sanzhua.checks.confusable_id import skeleton
from sanzhua.checks.context import seen as seen_of
from sanzhua.checks.per_task import task_problems
from sanzhua.commands.common import years_counted
from sanzhua.edit.layout import Layout, defines, find_layout, owns, referenced
from sanzhua.edit.session import Refused, added_problems, plain
from sanzhua.edit.span import NeedFull, Span, Whole, span_of
from sanzhua.load import FileResult, Ledger, Scan, assemble_scan, parse_ledger_bytes
from sanzhua.load.cache import (
    CheckEntry,
    content_key,
    plain_result,
    plain_task,
    put_plain,
    put_rows,
    shift_task,
    task_plain,
)
from sanzhua.load.index import Dues, resolve, rows_of
from sanzhua.load.plain import (
    PLAIN_PROBLEM_LINE,
    PLAIN_TASK_ID,
    BadCache,
    PlainFile,
    decode_file,
    decode_problems,
    encode_problem,
)
from sanzhua.model import Task, TaskRow
from sanzhua.output import SourceLines
from sanzhua.problems import Problem, msg


class NeedWhole(Exception):
    """The edit changes what other tasks see of the ledger: verify it on the whole ledger."""


@dataclass
class Quick:
    """A one-task edit's view of the ledger, and what it found before the edit."""

    scan: Scan
    as_of: date
    rel: str
    raw: PlainFile  # the file's parse as plain data (sanzhua.load.plain.encode_file)
    rows: list[TaskRow]  # every task's index row, in ledger order
    at: int  # the task's index in `rows`
    dues: Dues
    context: bytes
    entry: CheckEntry | None  # the file's check results before the edit (None: `lean`)
    own: Task  # the task as its file's parse read it
    task: Task  # the task as the ledger has it (unit names resolved, deadline inherited)
    span: Span
    before: list[Problem]  # the task's own problems before the edit
    lean: bool = False  # made from the file's bytes alone (`open_lean`): no parse of it at hand
    held: str | None = None  # lean, of a file whose index rows the cache holds (`open_lean`'s `held`)
    layout: Layout | None = None  # lean: where the file's items stand
    ids: frozenset[str] | None = None  # lean `new`: the file's ids
    # The ledger-wide checks' findings on `rows` with `dues` (as `open_quick`/`open_lean`
    # found them): the "before" of an edit that changes a row, not worked out again
    # (60,000 rows: a tenth of a second; issue 17)
    wide: list[Problem] | None = None
    # What the file's tasks saw of the ledger before the edit (`check`'s `seen`), when the
    # edit worked it out (a held lean edit, to find the file's check results): not again
    # when the edit's row changes (`_others_see_a_change`; 60,000 rows: 0.035 s)
    seen: tuple[object, ...] | None = None

    @property
    def file_rows(self) -> tuple[TaskRow, ...]:
        return self.scan.rows(self.rel)

    def count(self, rel: str) -> int:
        """How many of `rows` are the file's (a lean edit's own file: the task's alone, unless held)."""
        if rel == self.rel and self.lean and self.held is None:
            return 1
        return len(self.scan.rows(rel))


def open_quick(scan: Scan, task_id: str, as_of: date, data: bytes) -> Quick | None:
    """The quick edit of `task_id` in a file read as `data`, or None (see the module doc)."""
    rows = scan.all_rows()
    found = [i for i, r in enumerate(rows) if r.id == task_id]
    if len(found) != 1:
        return None
    at = found[0]
    row = rows[at]
    rel = row.file
    key = scan.keys.get(rel)
    if key is None or scan.sources.get(rel) != data:
        return None
    raw = plain_result(scan.store, rel, key)
    if raw is None:
        return None
    file_rows = scan.rows(rel)
    index = next((i for i, r in enumerate(file_rows) if r is row or r == row), None)
    if index is None or index >= len(raw.tasks):
        return None
    try:
        own = plain_task(raw.tasks[index])
        parse_problems = decode_problems(raw.problems)
    except BadCache:
        return None
    if own.id != task_id or own.line != row.line or own.file != rel:
        return None
    dues = resolve(rows)
    context = _context(scan, as_of)
    entry = _file_checks(scan, rel, key, raw, rows, dues, context, as_of)
    if entry is None:
        return None
    ledger_wide = run_checks(Context(_ledger(scan, [], dues, []), as_of, rows, dues), scope="ledger")
    if any(p.severity == "error" and p.file == rel for p in [*entry.problems, *ledger_wide, *scan.problems]):
        return None  # the whole-ledger path refuses, in its words
    tasks = raw.tasks
    whole = Whole(
        rel,
        raw.unit,
        raw.key_style,
        parse_problems,
        raw.dropped,
        [r.line for r in file_rows],
        raw.positions,
        lambda i: bool(tasks[i][15] or tasks[i][17] or tasks[i][21]),
    )
    span = span_of(whole, data, own, index, scan.settings.year)
    if span is None:
        return None
    mini = _one(rel, raw, own, raw.positions.get(own.id, {}))
    ledger = _ledger(scan, [mini], dues, [row])
    task = ledger.tasks[0]
    before = [*span.problems, *_task_findings(ledger, mini, as_of, rows, dues)]
    return Quick(scan, as_of, rel, raw, rows, at, dues, context, entry, own, task, span, before, wide=ledger_wide)


# A file bigger than this is edited from its bytes alone when it can be (`open_lean`),
# whether the cache holds it or not; a smaller one is read from the cache or parsed whole,
# which is then the quicker way.
LEAN_MIN = 1 << 20


def open_lean(
    scan: Scan, task_id: str | None, as_of: date, held: str | None = None, last: str | None = None
) -> Quick | None:
    """The edit of `task_id` in a file the scan has not parsed (`Scan.deferred`), read from
    its bytes alone (sanzhua.edit.layout), or None (the whole-ledger path then parses it).

    The task's lines are read after the file's head as a document of their own, and the
    edit verified on them as `open_quick` does, with the index rows of every other file;
    the file's other tasks are neither read nor written (their bytes are kept as read).
    The task's index row must come out of the edit the same (a moved deadline takes the
    whole path), its parents be known from other files, and the task itself, as read, be
    free of errors.

    `held`: the task's file, which the cache holds (its index rows, and perhaps its check
    results, but not its parse: a 60,000-task file's is 30 MB to read and write back). The
    task's row read from the bytes must then be the cached one, and every row is known, so
    that the edit may move the task's deadline (extend).

    `last`: the last task of that file, whichever it is (`new` appends after it)."""
    found = _lean_read(scan, task_id, held, last)
    if found is None:
        return None
    rel, data, lay, mini = found
    task_id = mini.tasks[0].id
    own = mini.tasks[0]
    row = rows_of(mini)[0]
    i = scan.order.index(rel)
    head = [r for other in scan.order[:i] for r in scan.rows(other)]
    mine: tuple[TaskRow, ...] = (row,)
    if held is not None:
        mine = scan.rows(rel)
        if len(mine) != len(lay.items) or mine[lay.index] != row:
            return None  # the file's items are not its tasks one to one, or the cache is not this file's
    at = len(head) + (lay.index if held is not None else 0)
    rows = [*head, *mine, *(r for other in scan.order[i + 1 :] for r in scan.rows(other))]
    if not _parents_known(rows, at):
        return None
    dues = resolve(rows)
    wide = run_checks(Context(_ledger(scan, [], dues, []), as_of, rows, dues), scope="ledger")
    if any(p.severity == "error" and (p.file == rel or p.task == task_id) for p in wide):
        return None
    raw = PlainFile(rel, [], [], mini.unit, mini.unit_pos, mini.positions, mini.key_style, [])
    whole = Whole(
        rel, mini.unit, mini.key_style, mini.problems, [], lay.items, mini.positions, lambda i: True, lean=True,
        alone=mini,
    )  # fmt: skip
    span = span_of(whole, data, own, lay.index, scan.settings.year)
    if span is None:
        return None
    one = _one(rel, raw, own, mini.positions.get(own.id, {}))
    ledger = _ledger(scan, [one], dues, [row])
    before = [*span.problems, *_task_findings(ledger, one, as_of, rows, dues)]
    if any(p.severity == "error" for p in before):
        return None
    entry: CheckEntry | None = None
    context = b""
    seen: tuple[object, ...] | None = None
    if held is not None:  # the file's check results as cached, if they hold: kept up to date after the write
        context = _context(scan, as_of)
        seen = seen_of(mine, dues)
        entry = scan.store.get_check(rel, scan.keys[rel], context, seen)
    task = ledger.tasks[0]
    q = Quick(scan, as_of, rel, raw, rows, at, dues, context, entry, own, task, span, before, lean=True, held=held,
              wide=wide, seen=seen)  # fmt: skip
    q.layout = lay
    return q


def _lean_read(
    scan: Scan, task_id: str | None, held: str | None, last: str | None
) -> tuple[str, bytes, Layout, FileResult] | None:
    """`open_lean`'s file, its layout, and the task's lines read alone after its head (one
    task, the one meant, on the line its item starts, without an error of the file's)."""
    if last is not None:
        rel = last
    elif held is None:
        files = [rel for rel in scan.order if rel in scan.deferred and defines(scan.sources[rel], str(task_id))]
        if len(files) != 1:
            return None
        rel = files[0]
    else:
        rel = held
    data = scan.sources[rel]
    lay = find_layout(data, task_id)
    if lay is None:
        return None
    mini = parse_ledger_bytes(lay.stand_in(data), rel, scan.settings.year)
    if task_id is None:
        task_id = mini.tasks[0].id if len(mini.tasks) == 1 else ""
        if not task_id or not owns(data, lay, task_id):
            return None
    if (
        len(mini.tasks) != 1
        or mini.dropped
        or mini.tasks[0].id != task_id
        or mini.tasks[0].line != lay.items[lay.index]
        or any(p.severity == "error" for p in [*mini.problems, *scan.problems] if p.file == rel)
    ):
        return None
    return rel, data, lay, mini


def _context(scan: Scan, as_of: date) -> bytes:
    """What a file's cached check results depend on besides its content: the date, the settings."""
    return hashlib.blake2b(as_of.isoformat().encode() + scan.settings_key, digest_size=16).digest()


def _parents_known(rows: list[TaskRow], at: int) -> bool:
    """Whether the task at `at` has its ids alone among `rows` and its chain of parents
    all there, ending (no cycle)."""
    by_id: dict[str, TaskRow] = {}
    for r in rows:
        if r.id in by_id:
            if r.id == rows[at].id:
                return False
            continue
        by_id[r.id] = r
    seen = {rows[at].id}
    parent = rows[at].parent
    while parent is not None:
        up = by_id.get(parent)
        if up is None or up.id in seen:
            return False
        seen.add(up.id)
        parent = up.parent
    return True


def _one(rel: str, raw: PlainFile, task: Task, positions: dict[str, tuple[int, int]]) -> FileResult:
    """The file as if it held this one task (for the checks that look at one task)."""
    return FileResult(rel, [task], [], raw.unit, raw.unit_pos, {task.id: positions}, raw.key_style, [])


def _ledger(scan: Scan, files: list[FileResult], dues: Dues, rows: list[TaskRow]) -> Ledger:
    return assemble_scan(scan, files, dues=dues, rows=rows)


def _task_findings(ledger: Ledger, fr: FileResult, as_of: date, rows: list[TaskRow], dues: Dues) -> list[Problem]:
    """The per-task and per-file checks' findings for the one task of `ledger`."""
    scoped = run_checks(Context(ledger, as_of, rows, dues), scope="file")
    return [*task_problems(fr), *(p for p in scoped if p.file == fr.path)]


def _file_checks(
    scan: Scan,
    rel: str,
    key: bytes,
    raw: PlainFile,
    rows: list[TaskRow],
    dues: Dues,
    context: bytes,
    as_of: date,
) -> CheckEntry | None:
    """The file's check results as `check` caches them: from the cache, or worked out now
    (every task of the file built) and cached."""
    seen = seen_of(scan.rows(rel), dues)
    hit = scan.store.get_check(rel, key, context, seen)
    if hit is not None:
        return hit
    try:
        fr = decode_file(raw)
    except BadCache:
        return None
    ledger = _ledger(scan, [fr], dues, list(scan.rows(rel)))
    found = run_checks(Context(ledger, as_of, rows, dues), scope="file")
    mine = [*fr.problems, *task_problems(fr), *(p for p in found if p.file == rel)]
    need = frozenset(years_counted(ledger.tasks, as_of))
    lines = SourceLines(scan.root, scan.sources)
    shown = {p.line: lines.get(rel, p.line) for p in mine if p.line and p.file == rel}
    entry = CheckEntry(key, context, seen, mine, need, shown)
    scan.store.put_check(rel, entry)
    return entry


@dataclass
class Verified:
    """What the quick verification found: the span's tasks as written (the edited one, and
    the task `new` adds after it), and how the index changed."""

    tasks: list[Task]
    positions: dict[str, dict[str, tuple[int, int]]]
    problems: list[Problem]  # the parse problems of the new span
    key_style: str
    after: list[Problem]  # the span's tasks' own problems after the edit
    rows: tuple[TaskRow, ...]  # the span's tasks' index rows
    dues: Dues  # the ledger's deadlines after the edit
    notes: list[Problem]

    @property
    def mine(self) -> Task:
        return self.tasks[0]


def verify_quick(q: Quick, span_text: str, after: bytes, new_id: str | None = None) -> Verified:
    """Refuse an edit that adds an error (NeedWhole when only the whole ledger can tell).
    With `new_id`, the span holds the task as it was and, after it, the task `new` adds."""
    span = q.span
    alone = span.parse(span_text)
    tasks = alone.tasks
    old = q.own
    internal = Refused(msg("edit.internal", file=q.rel), msg("edit.internal.hint"))
    if (
        len(tasks) != (2 if new_id else 1)
        or alone.dropped
        or tasks[0].id != old.id
        or (tasks[0].line, tasks[0].column) != (old.line, old.column)
        or any(p.line < span.line for p in alone.problems)
        or any(t.id not in alone.positions for t in tasks)
    ):
        raise internal
    if new_id is not None and (
        tasks[1].id != new_id or plain(tasks[0]) != plain(old) or alone.positions[old.id] != q.raw.positions.get(old.id)
    ):
        raise internal  # the task before the new one reads as it did
    positions = {t.id: alone.positions[t.id] for t in tasks}
    fr = FileResult(q.rel, list(tasks), [], q.raw.unit, q.raw.unit_pos, positions, q.raw.key_style, [])
    rows_part = rows_of(fr)
    same_row = new_id is None and _bare(rows_part[0]) == _bare(q.rows[q.at])
    rows, dues = q.rows, q.dues
    old_wide: list[Problem] = []
    new_wide: list[Problem] = []
    if not same_row:
        if q.lean and q.held is None and not (_new_alone(q, rows_part) if new_id else _due_moved(q, rows_part[0])):
            raise NeedFull()  # the ledger-wide checks would need the file's other rows
        rows = [*q.rows[: q.at], *rows_part, *q.rows[q.at + 1 :]]
        dues = resolve(rows)
        if _others_see_a_change(q, rows, dues, len(rows_part) - 1):
            raise NeedWhole()
        mini = _ledger(q.scan, [], q.dues, [])
        old_wide = q.wide if q.wide is not None else run_checks(Context(mini, q.as_of, q.rows, q.dues), scope="ledger")
        new_wide = run_checks(Context(mini, q.as_of, rows, dues), scope="ledger")
    ledger = _ledger(q.scan, [fr], dues, list(rows_part))
    found = [*alone.problems, *_task_findings(ledger, fr, q.as_of, rows, dues)]
    added = added_problems([*q.before, *old_wide], [*found, *new_wide])
    shift = span_text.count("\n") - span.text.count("\n")
    meant = {t.id for t in tasks}
    if shift:
        added = [
            replace(p, line=p.line + shift)
            if p.file == q.rel and p.task not in meant and p.line >= span.next_line
            else p
            for p in added
        ]
    errors = [p for p in added if p.severity == "error"]
    if errors:
        text = after.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").replace("\r\n", "\n")
        raise Refused(msg("edit.would-break", file=q.rel), msg("edit.would-break.hint"), errors, {q.rel: text})
    notes = [p for p in added if p.severity == "warning" and p.code != "overdue"]
    style = q.raw.key_style if q.raw.key_style == "mixed" or alone.key_style == q.raw.key_style else "mixed"
    return Verified(list(tasks), positions, alone.problems, style, found, rows_part, dues, notes)


def _due_moved(q: Quick, row: TaskRow) -> bool:
    """Whether a lean edit of a file whose rows are not known changed only the task's own
    deadline, and no task of the file names it as its parent (extend): the ledger-wide
    checks read ids and parents, not deadlines, and the tasks of other files that see the
    new deadline are known from their rows (`_others_see_a_change`)."""
    old = q.rows[q.at]
    same = _bare(old)._replace(due=None, due_text=None) == _bare(row)._replace(due=None, due_text=None)
    return same and not referenced(q.span.data, q.own.id)


def _new_alone(q: Quick, rows: tuple[TaskRow, ...]) -> bool:
    """Whether a lean `new` in a file whose rows are not known adds a task the ledger-wide
    checks can judge without them: no parent, an id unlike (`confusable-id`) every id of
    the file (whose ids `item_ids` read), the task before it as it was."""
    if q.ids is None or len(rows) != 2 or rows[1].parent is not None:
        return False
    look = skeleton(rows[1].id)
    return _bare(rows[0]) == _bare(q.rows[q.at]) and all(skeleton(i) != look for i in q.ids)


def _bare(row: TaskRow) -> TaskRow:
    """A row without where it stands (what the ledger-wide checks compare)."""
    return row._replace(line=0, column=0, parent_pos=None)


def _others_see_a_change(q: Quick, rows: list[TaskRow], dues: Dues, more: int) -> bool:
    """Whether a task other than the span's sees the ledger differently (`check`'s `seen`:
    first of its id, inherited deadline, parent's deadline); `more`: tasks the span gained."""
    start = 0
    scan = q.scan
    for rel in scan.order:
        n = q.count(rel)
        grow = more if rel == q.rel else 0
        known = q.seen if rel == q.rel else None
        old = known if known is not None and len(known) == n else seen_of(tuple(q.rows[start : start + n]), q.dues)
        new = seen_of(tuple(rows[start + (0 if start <= q.at else more) :][: n + grow]), dues)
        if rel != q.rel:
            if old != new:
                return True
        else:
            i = q.at - start
            if old[:i] != new[:i] or old[i + 1 :] != new[i + 1 + grow :]:
                return True
        start += n
    return False


# -- the cache entry of the written bytes ---------------------------------------------------


def store_written(q: Quick, v: Verified, span_text: str, after: bytes) -> None:
    """Store the parse (and the check results) of the bytes just written and verified, so
    that the next command finds them in the cache."""
    if q.lean:
        if q.held is not None:
            _store_rows(q, v, span_text, after)
        return
    if v.key_style != q.raw.key_style or q.entry is None:
        return  # a fresh parse may word the file's problems otherwise (or none is at hand): parsed next time
    span = q.span
    shift = span_text.count("\n") - span.text.count("\n")
    index = span.index
    raw = q.raw
    tasks: list[Any] = raw.tasks
    later = tasks[index + 1 :]
    moved = [shift_task(t, shift) for t in later] if shift else later
    new_tasks = [*tasks[:index], *(task_plain(t) for t in v.tasks), *moved]
    positions = dict(raw.positions)
    positions.update(v.positions)
    if shift:
        for t in later:
            spots = positions.get(t[PLAIN_TASK_ID])
            if spots is not None:
                positions[t[PLAIN_TASK_ID]] = {k: (ln + shift, col) for k, (ln, col) in spots.items()}
    lo, hi = span.line, span.next_line
    problems: list[Any] = []
    placed = False
    for p in raw.problems:
        line = p[PLAIN_PROBLEM_LINE]
        if lo <= line < hi:
            continue
        if line >= hi:
            if not placed:
                problems.extend(encode_problem(x) for x in v.problems)
                placed = True
            p = (*p[:3], line + shift, *p[4:])
        problems.append(p)
    if not placed:
        problems.extend(encode_problem(x) for x in v.problems)
    dropped = [(ln + shift if ln >= hi else ln, i) for ln, i in raw.dropped]
    new_raw = PlainFile(raw.path, new_tasks, problems, raw.unit, raw.unit_pos, positions, raw.key_style, dropped)
    old_rows = q.file_rows
    new_rows = (*old_rows[:index], *v.rows, *(_row_moved(r, shift) for r in old_rows[index + 1 :]))
    store = q.scan.store
    key = content_key(after, q.scan.settings.year)
    put_plain(store, q.rel, key, new_raw, new_rows)
    _store_checks(q, v, key, shift, span_text)


def _store_rows(q: Quick, v: Verified, span_text: str, after: bytes) -> None:
    """A lean edit of a file the cache held (`Quick.held`): the written bytes' index rows
    (the old ones, the task's replaced and those below moved) and, when the file's check
    results were cached, those; not its parse, which the edit never read (a 60,000-task
    file's is 30 MB to read and write back): the next command that builds the file's
    tasks parses it (sanzhua.load.scan.Scan.result). `check` needs only rows and results."""
    shift = span_text.count("\n") - q.span.text.count("\n")
    index = q.span.index
    old_rows = q.file_rows
    new_rows = (*old_rows[:index], *v.rows, *(_row_moved(r, shift) for r in old_rows[index + 1 :]))
    key = content_key(after, q.scan.settings.year)
    put_rows(q.scan.store, q.rel, key, new_rows)
    _store_checks(q, v, key, shift, span_text)


def _store_checks(q: Quick, v: Verified, key: bytes, shift: int, span_text: str) -> None:
    """The written file's check results: the old ones with the span's tasks' replaced and
    the lines below moved; not stored when that cannot be known exactly."""
    as_of = q.as_of
    old = q.entry
    if old is None:
        return
    fr = FileResult(q.rel, list(v.tasks), [], q.raw.unit, q.raw.unit_pos, v.positions, q.raw.key_style, [])
    assembled = _ledger(q.scan, [fr], v.dues, list(v.rows)).tasks
    if years_counted([q.task], as_of) != years_counted(assembled[:1], as_of):
        return  # the file's years without the task's are not known
    years = old.years | frozenset(years_counted(assembled[1:], as_of))
    span = q.span
    lo, hi, tid = span.line, span.next_line, q.own.id
    # Problems hold their messages' arguments in dicts: the task's are matched by their repr.
    left = Counter(repr(p) for p in q.before)
    kept: list[Problem] = []
    for p in old.problems:
        if p.task == tid or lo <= p.line < hi:
            k = repr(p)
            if left[k] > 0:
                left[k] -= 1
                continue
        kept.append(p)
    if sum(left.values()):
        return  # the task's findings are not among the file's as cached: worked out next time
    if q.lean and sum(p.task == tid or lo <= p.line < hi for p in kept):
        return  # the cached results say more of the task's lines than its lines read alone
    moved = [_moved(p, shift) if shift and p.file == q.rel and p.line >= hi else p for p in kept]
    problems = [*moved, *v.after]
    lines: dict[int, str | None] = {}
    for ln, txt in old.lines.items():
        if ln < lo:
            lines[ln] = txt
        elif ln >= hi:
            lines[ln + shift] = txt
    own = span_text.split("\n")
    for p in v.after:
        if p.line and p.file == q.rel and lo <= p.line < hi + shift:
            lines[p.line] = own[p.line - lo]
    # What the other tasks see of the ledger is what it was (verify_quick made sure); the
    # span's tasks' own part is worked out with the ledger after the edit.
    i = span.index
    seen = (*old.seen[:i], *seen_of(v.rows, v.dues), *old.seen[i + 1 :])
    entry = CheckEntry(key, q.context, seen, problems, years, lines)
    q.scan.store.put_check(q.rel, entry)


_new = object.__new__


def _moved(p: Problem, by: int) -> Problem:
    """The problem `by` lines further down (a frozen dataclass, copied as pickle would)."""
    out: Problem = _new(Problem)
    out.__dict__.update(p.__dict__)
    out.__dict__["line"] = p.line + by
    return out


def _row_moved(r: TaskRow, by: int) -> TaskRow:
    pos = r.parent_pos
    return TaskRow(r[0], r[1], r[2], r[3], r[4], r[5] + by, r[6], None if pos is None else (pos[0] + by, pos[1]), r[8])
