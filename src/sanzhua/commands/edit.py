"""`sanzhua progress`, `done`, `extend`, `new`: the common changes, made for the clerk.

Each command finds the task and its file, splices the change into the file's text in
the file's own style (sanzhua.edit.ops), and hands the result to sanzhua.edit.session,
which validates it, shows the diff, writes atomically and optionally commits.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from sanzhua.checks.per_task import file_problems
from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, EditRun, lang_before_loading, ledger_root
from sanzhua.commands.edit_quick import (
    LEAN_MIN,
    NeedWhole,
    Quick,
    Verified,
    open_lean,
    open_quick,
    store_written,
    verify_quick,
)
from sanzhua.dates import DateError, parse_when
from sanzhua.edit import render as R
from sanzhua.edit.done import mark_done, mark_milestone_done
from sanzhua.edit.layout import blank_between, item_ids, target_style
from sanzhua.edit.lock import ledger_lock
from sanzhua.edit.ops import (
    EditError,
    Editor,
    Field,
    append_entry,
    find_task,
    scalar_source,
    set_key,
    set_scalar,
    style_of,
    tasks_node,
)
from sanzhua.edit.render import _reads_back
from sanzhua.edit.session import (
    Change,
    Refused,
    can_commit,
    check_splice,
    commit,
    commit_failure_text,
    format_problems,
    require_valid,
    subject_line,
    verify,
    write_atomic,
)
from sanzhua.edit.source import BOM, Source, SourceError
from sanzhua.edit.span import NeedFull, SpanBroken, SpanEditor, find_span, task_node
from sanzhua.edit.tree import (
    MappingNode,
    ScalarNode,
    SequenceNode,
    compose,
    entry,
    is_null,
    last_line,
)
from sanzhua.filters import unit_id
from sanzhua.history.git import GitError
from sanzhua.i18n import Lang, say, text
from sanzhua.interchange.writer import FieldValue, Style, render_task, render_task_flow
from sanzhua.load import FileResult, Ledger, Scan, assemble_scan, frozen_gc, ledger_files, scan_ledger
from sanzhua.load import keys as K
from sanzhua.load.cache import plain_result
from sanzhua.load.plain import PLAIN_TASK_TARGET, BadCache, decode_file
from sanzhua.model import Task, Unit
from sanzhua.outfile import file_name
from sanzhua.problems import Msg, msg

# -- shared steps ------------------------------------------------------------------------


class Workspace:
    """What an edit works on: the ledger's scan (every file read, digested and indexed,
    sanzhua.load.scan), and the whole ledger built only when asked for. A one-task edit
    that can be made from the scan alone (sanzhua.commands.edit_quick) never asks."""

    def __init__(self, scan: Scan, lang: Lang, lean: bool = False, big: bool = False) -> None:
        self.scan = scan
        self.lang: Lang = lang
        self.lean = lean  # a big file the cache does not hold may be edited from its bytes alone
        self.big = big  # and a big file it holds too (its parse is not read: open_lean's `held`)
        self._ledger: Ledger | None = None
        self.quick: Quick | None = None  # the edit's quick view, when it has one
        self.verified: Verified | None = None
        self.new_id: str | None = None  # the task `new` adds, when made from the scan alone

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            scan = self.scan
            with frozen_gc():
                self._ledger = assemble_scan(scan, [scan.result(rel) for rel in scan.order])
        return self._ledger


Check = Callable[[Task | None], bool]
Body = Callable[[Workspace], tuple[Change | None, Check | None]]


def _guard(run: EditRun, body: Body, *, lean: bool = False) -> int:
    """Run one edit; unless it is a dry run, under the ledger's edit lock from the first
    read to the rename, so that concurrent edits queue instead of overwriting each other.
    `lean`: an edit of one task (progress, done, extend), which a big file may take from
    the file's bytes alone (open_lean), whether the cache holds the file or not."""
    root = ledger_root(run.root, run.lang)
    lock: AbstractContextManager[None] = nullcontext() if run.dry_run else ledger_lock(root)
    try:
        with lock:
            return _edit(run, root, body, lean)
    except Refused as e:  # only taking the lock refuses here; the edit reports its own
        _report(run, lang_before_loading(root, run.lang), e)
        return EXIT_PROBLEMS


def _edit(run: EditRun, root: Path, body: Body, lean: bool) -> int:
    # The parse cache is keyed by content (sanzhua.load.cache): a file unchanged since the
    # last command is not parsed again, and an edit of one task then reads only its lines.
    with frozen_gc():
        scan = scan_ledger(root, defer=LEAN_MIN if lean else None)
    lang: Lang = "en" if (run.lang or scan.settings.lang) == "en" else "zh"
    ws = Workspace(scan, lang, lean=bool(scan.deferred), big=lean)
    try:
        # The collector paused: an edit reads, composes and parses the file (a task of
        # 60,000 progress entries is millions of small objects, none in a cycle), and
        # collecting while they are made was half of its time (issue 14).
        with frozen_gc():
            try:
                return _attempt(run, ws, body)
            except NeedFull:  # the file's bytes alone would not do: the whole ledger, parsed
                ws = Workspace(scan, lang)
                return _attempt(run, ws, body)
    except Refused as e:
        _report(run, ws.lang, e)
        return EXIT_PROBLEMS
    except EditError as e:
        _report(run, ws.lang, Refused(e.message, e.hint))
        return EXIT_PROBLEMS
    finally:
        scan.save()  # what this run parsed, and the entry of the bytes it wrote


def _attempt(run: EditRun, ws: Workspace, body: Body) -> int:
    change, check = body(ws)
    if change is None:
        return EXIT_OK
    _verify(ws, change, run.today, check)
    return _finish(run, ws, change)


def _verify(ws: Workspace, change: Change, today: date, check: Check | None) -> None:
    """`verify`, on the task alone when the edit was made from the scan (edit_quick)."""
    q = ws.quick
    if q is None or change.span is not q.span:
        verify(change, ws.ledger, today, check)
        return
    check_splice(change, q.span)
    try:
        v = verify_quick(q, change.span_text, change.after, ws.new_id)
    except NeedWhole:
        if q.lean:
            raise NeedFull() from None
        ws.quick = None
        try:
            q.span.whole.result = decode_file(q.raw)
        except BadCache:
            raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint")) from None
        verify(change, ws.ledger, today, check)
        return
    change.notes = v.notes
    if check is not None and not check(v.tasks[-1]):
        raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))
    ws.verified = v


def _report(run: EditRun, lang: Lang, e: Refused) -> None:
    err = run.stderr()
    err.write(say("edit.refused", lang, message=text(e.message, lang)) + "\n")
    if e.problems:
        err.write(format_problems(e.problems, lang, e.texts))
    if e.hint is not None:
        err.write(say("edit.refused.hint", lang, hint=text(e.hint, lang)) + "\n")
    err.write(text(msg("edit.unchanged"), lang) + "\n")


def _finish(run: EditRun, ws: Workspace, change: Change) -> int:
    lang = ws.lang
    out = run.stdout()
    root = ws.scan.root
    out.write(change.diff())
    if change.notes:
        out.write(format_problems(change.notes, lang, {}))
    if run.dry_run:
        out.write(text(msg("edit.dry-run", file=change.rel), lang) + "\n")
        return EXIT_OK
    if run.commit:
        can_commit(root, change.rel)
    write_atomic(root / change.rel, change.after, None if change.created else change.before)
    if ws.quick is not None and ws.verified is not None and change.span is ws.quick.span:
        store_written(ws.quick, ws.verified, change.span_text, change.after)
    out.write(text(msg("edit.written", file=change.rel), lang) + "\n")
    if run.commit:
        try:
            commit(root, change.rel, change.subject)
        except GitError as e:
            run.stderr().write(commit_failure_text(e, lang))
            return EXIT_PROBLEMS
        out.write(text(msg("edit.committed", subject=subject_line(change.subject)), lang) + "\n")
    return EXIT_OK


def _locate(
    ws: Workspace, task_id: str, today: date, *, cut_progress: bool = False
) -> tuple[Task, str, bytes, Editor, str]:
    """The task, its file, the file's bytes as read now, an editor on them, the task's key
    style. `cut_progress`: the edit appends a progress entry (SpanEditor's cut_progress)."""
    got = _quick(ws, task_id, today, cut_progress)
    if got is not None:
        return got
    ledger = ws.ledger
    task = ledger.by_id.get(task_id)
    if task is None:
        _in_a_broken_file(ws, task_id, today)
        guess = K.did_you_mean(task_id, list(ledger.by_id))
        raise Refused(
            msg("edit.unknown-id", id=task_id),
            msg("edit.unknown-id.hint-guess", guess=guess)
            if guess
            else msg("edit.unknown-id.hint"),
        )
    rel = task.file
    data = _read(ledger.root / rel, rel)
    fr, _ = require_valid(data, rel, ledger, today)
    ed = _span_editor(ledger, fr, data, task) or _editor(data, rel)
    node = find_task(ed, task_id)
    default = fr.key_style if fr.key_style in ("en", "zh") else "en"
    return task, rel, data, ed, style_of(node, R.TASK, default)


def _quick_editor(q: Quick, cut_progress: bool = False) -> SpanEditor | None:
    """An editor of the quick view's task lines; None (the whole file is edited instead)
    when they do not compose alone, or NeedFull when the file is too big for that."""
    try:
        return SpanEditor(q.span, cut_progress=cut_progress)
    except yaml.YAMLError:
        if q.lean:
            raise NeedFull() from None
        return None


def _quick(
    ws: Workspace, task_id: str, today: date, cut_progress: bool = False
) -> tuple[Task, str, bytes, Editor, str] | None:
    """`_locate` from the scan alone, when it can be (sanzhua.commands.edit_quick)."""
    scan = ws.scan
    known = (rel for rel in scan.order if rel not in scan.deferred)
    rel = next((r.file for rel in known for r in scan.rows(rel) if r.id == task_id), None)
    q: Quick | None = None
    if rel is None and ws.lean:
        q = open_lean(scan, task_id, today)
        if q is None:
            raise NeedFull()
        rel = q.rel
    elif rel is not None and ws.big and len(scan.sources.get(rel, b"")) > LEAN_MIN:
        q = open_lean(scan, task_id, today, held=rel)  # None: from the file's cached parse, below
    if rel is None:
        rel = next((r.file for rel in scan.order for r in scan.rows(rel) if r.id == task_id), None)
        if rel is None:
            return None
    # The bytes the scan read (under the edit lock): the write refuses if the file has
    # changed since (write_atomic compares it with them).
    data = scan.sources.get(rel)
    if data is None:
        return None
    if q is None:
        q = open_quick(scan, task_id, today, data)
    if q is None:
        return None
    ed = _quick_editor(q, cut_progress)
    if ed is None:
        return None
    ws.quick = q
    node = find_task(ed, task_id)
    default = q.raw.key_style if q.raw.key_style in ("en", "zh") else "en"
    return q.task, rel, data, ed, style_of(node, R.TASK, default)


def _span_editor(ledger: Ledger, fr: FileResult, data: bytes, task: Task) -> SpanEditor | None:
    """An editor of the task's own lines, when the file read now is the one the ledger
    parsed and the task's lines read alone as in the file (sanzhua.edit.span)."""
    if ledger.file(fr.path) is not fr or ledger.sources.get(fr.path) != data:
        return None
    mine = next((t for t in fr.tasks if t.id == task.id and t.line == task.line), None)
    if mine is None:
        return None
    span = find_span(fr, data, mine, ledger.settings.year)
    if span is None:
        return None
    try:
        return SpanEditor(span)
    except yaml.YAMLError:
        return None


def _change(ed: Editor, rel: str, data: bytes, subject: str, task_id: str) -> Change:
    """The change an edit of one task makes, with its span when only the span was edited."""
    if isinstance(ed, SpanEditor):
        try:
            new_span = ed.new_span()
        except SpanBroken:
            raise Refused(msg("edit.internal", file=rel), msg("edit.internal.hint")) from None
        change = Change(rel, data, ed.span.splice(new_span), subject, task_id=task_id)
        change.span, change.span_text = ed.span, new_span
        return change
    return Change(rel, data, ed.result(), subject, task_id=task_id)


def _broken_files(ledger: Ledger) -> Iterator[tuple[FileResult, str]]:
    """The ledger files that have errors, with their text as the loader read it."""
    for f in ledger.files:
        data = ledger.sources.get(f.path)
        if data is not None and any(p.severity == "error" for p in file_problems(f)):
            yield f, data.decode("utf-8", "replace")


def _in_a_broken_file(opened: Workspace, task_id: str, today: date) -> None:
    """Refuse as "the file has errors" when an unknown id is written in a file that does not
    load (a syntax error, an unknown key): the clerk's task may be there, the file is the
    problem. A refusal, so a mention of the id anywhere in such a file is enough."""
    ledger = opened.ledger
    word = re.compile(r"(?<![\w.-])" + re.escape(task_id) + r"(?![\w.-])")
    for f, written in _broken_files(ledger):
        if word.search(written):
            require_valid(ledger.sources[f.path], f.path, ledger, today)


def _read(path: Path, rel: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise Refused(msg("file.unreadable", detail=e.strerror or str(e))) from None


def _editor(data: bytes, rel: str) -> Editor:
    try:
        return Editor(Source(data))
    except (SourceError, yaml.YAMLError):
        raise Refused(
            msg("edit.invalid-before", file=rel), msg("edit.invalid-before.hint")
        ) from None


def _day(value: str, option: str, year: int) -> date:
    try:
        return parse_when(value.strip(), year)
    except DateError as e:
        raise Refused(
            msg("edit.bad-date", option=option, value=value, detail=e.detail_zh),
            msg("edit.bad-date.hint", option=option),
        ) from None


def _date_text(value: str, option: str, year: int) -> tuple[date, str]:
    """A deadline as the clerk typed it, when YAML reads it back as typed; else ISO."""
    d = _day(value, option, year)
    typed = (
        unicodedata.normalize("NFKC", value.strip()) if value.strip().isascii() else value.strip()
    )
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", typed) or (
        not R._NOT_TEXT.match(typed) and _reads_back(typed, typed)
    ):
        return d, typed
    return d, d.isoformat()


def _number(value: str, option: str) -> float:
    t = unicodedata.normalize("NFKC", value).strip().replace(",", "").rstrip("%").strip()
    try:
        f = float(t)
    except ValueError:
        raise Refused(
            msg("edit.bad-number", option=option, value=value), msg("edit.bad-number.hint", option=option)
        ) from None
    if f != f or f in (float("inf"), float("-inf")):
        raise Refused(
            msg("edit.bad-number", option=option, value=value), msg("edit.bad-number.hint", option=option)
        )
    return f


# -- progress --------------------------------------------------------------------------


def progress(
    run: EditRun,
    task_id: str,
    *,
    percent: str | None = None,
    value: str | None = None,
    note: str | None = None,
    when: str | None = None,
    by: str | None = None,
    correct: bool = False,
    reason: str | None = None,
) -> int:
    """Append a progress entry (进展) to a task. A done task takes none, unless `correct`
    (with `reason`): the entry then says it is a correction, and why."""

    def body(opened: Workspace) -> tuple[Change | None, Check | None]:
        year = opened.scan.settings.year
        why = _correction(correct, reason)
        if percent is not None and value is not None:
            raise Refused(msg("edit.percent-or-value"))
        if percent is None and value is None and not (note and note.strip()):
            raise Refused(msg("edit.progress-empty"), msg("edit.progress-empty.hint"))
        pct = _number(percent, "--percent") if percent is not None else None
        if pct is not None and not 0 <= pct <= 100:
            raise Refused(msg("percent.range", value=R.number(pct)), msg("percent.range.hint"))
        val = _number(value, "--value") if value is not None else None
        day = _day(when, "--date", year) if when else run.today
        task, rel, data, ed, style = _locate(opened, task_id, run.today, cut_progress=True)
        if _is_done(task) and why is None:
            raise Refused(
                msg("edit.progress-on-done", id=task_id, done=task.done.isoformat() if task.done else "status: done"),
                msg("edit.correct.hint"),
            )
        said = (note or "").strip()
        if why is not None:  # the entry says it corrects, and why
            said = text(msg("edit.correction.progress", reason=why), opened.lang) + (f"：{said}" if said else "")
        fields: list[Field] = [("date", day.isoformat())]
        if pct is not None:
            fields.append(("percent", R.number(pct)))
        if val is not None:
            fields.append(("value", R.number(val)))
        if said:
            fields.append(("note", R.text(said)))
        if by and by.strip():
            fields.append(("by", R.text(by.strip())))
        append_entry(ed, find_task(ed, task_id), "progress", K.PROGRESS_KEYS, fields, style)
        amount = (
            f"{R.number(pct)}%"
            if pct is not None
            else (
                R.number(val) + (task.target.unit or "" if task.target else "")
                if val is not None
                else ""
            )
        )
        subject = " ".join(x for x in (f"progress: {task_id}", amount, (note or "").strip()) if x)
        n = len(task.progress)

        def check(t: Task | None) -> bool:
            if t is None or len(t.progress) != n + 1:
                return False
            p = t.progress[-1]
            return p.date == day and p.percent == pct and p.value == val and p.note == (said or None)

        return _change(ed, rel, data, subject, task_id), check

    return _guard(run, body, lean=True)


# -- done ----------------------------------------------------------------------------------


def done(
    run: EditRun,
    task_id: str,
    *,
    when: str | None = None,
    milestone: str | None = None,
    correct: bool = False,
    reason: str | None = None,
) -> int:
    """Mark a task done (完成), or one of its milestones. A done date already written is
    not changed, unless `correct` (with `reason`): the correction is then recorded as a
    progress entry of the day that says what changed, and why."""

    def body(opened: Workspace) -> tuple[Change | None, Check | None]:
        year = opened.scan.settings.year
        why = _correction(correct, reason)
        day = _day(when, "--date", year) if when else run.today
        task, rel, data, ed, style = _locate(opened, task_id, run.today)
        node = find_task(ed, task_id)
        iso = day.isoformat()

        def record(m: Msg) -> None:
            """The correction, as a progress entry of the day (written after the change)."""
            fields: list[Field] = [("date", run.today.isoformat()), ("note", R.text(text(m, opened.lang)))]
            append_entry(ed, find_task(ed, task_id), "progress", K.PROGRESS_KEYS, fields, style)

        if milestone is not None:
            ms_node, name = _milestone(ed, node, task, milestone)
            current = next((m for m in task.milestones if m.name == name), None)
            if current is not None and current.done == day:
                _say(run, opened.lang, msg("edit.nothing", id=f"{task_id} {name}"))
                return None, None
            if current is not None and current.done is not None and why is None:
                raise Refused(
                    msg("edit.milestone-done-again", id=task_id, name=name, done=current.done.isoformat()),
                    msg("edit.correct.hint"),
                )
            check_ms = mark_milestone_done(ed, ms_node, name, style, day)
            subject = f"done: {task_id} {name} {iso}"
            if why is not None and current is not None and current.done is not None:
                old = current.done.isoformat()
                record(msg("edit.correction.milestone", name=name, old=old, new=iso, reason=why))
                subject = f"correct: {task_id} {name} done {old} -> {iso}"
            return _change(ed, rel, data, subject, task_id), check_ms
        st = entry(node, R.names("status", K.TASK_KEYS))
        if task.done == day and (st is None or task.status == "done"):
            _say(run, opened.lang, msg("edit.nothing", id=task_id))
            return None, None
        if task.done is not None and why is None:
            raise Refused(msg("edit.done-again", id=task_id, done=task.done.isoformat()), msg("edit.correct.hint"))
        check = mark_done(ed, node, style, day)
        subject = f"done: {task_id} {iso}"
        if why is not None and task.done is not None:
            old = task.done.isoformat()
            record(msg("edit.correction.done", old=old, new=iso, reason=why))
            subject = f"correct: {task_id} done {old} -> {iso}"
        return _change(ed, rel, data, subject, task_id), check

    return _guard(run, body, lean=True)


def _correction(correct: bool, reason: str | None) -> str | None:
    """The reason of a correction (`--correct --reason`), None when not correcting."""
    why = (reason or "").strip()
    if correct and not why:
        raise Refused(msg("edit.reason-needed"))
    if why and not correct:
        raise Refused(msg("edit.reason-without-correct"))
    return why or None


def _is_done(task: Task) -> bool:
    """Done, whenever: a done date, or `status: done` (what happened is not added to)."""
    return task.done is not None or task.status == "done"


def _say(run: EditRun, lang: Lang, m: Msg) -> None:
    run.stdout().write(text(m, lang) + "\n")


def _milestone(ed: Editor, node: MappingNode, task: Task, name: str) -> tuple[MappingNode, str]:
    e = entry(node, R.names("milestones", K.TASK_KEYS))
    items: list[tuple[MappingNode, str]] = []
    if e is not None:
        seq = e.value.value if isinstance(e.value, SequenceNode) else [e.value]
        for item in seq:
            if isinstance(item, MappingNode):
                ne = entry(item, R.names("name", K.MILESTONE_KEYS))
                if ne is not None and isinstance(ne.value, ScalarNode):
                    items.append((item, ne.value.value.strip()))
    exact = [it for it in items if it[1] == name.strip()]
    if not exact:
        exact = [it for it in items if name.strip() and name.strip() in it[1]]
    if not items:
        raise Refused(msg("edit.no-milestones", id=task.id), msg("edit.no-milestones.hint", id=task.id))
    if len(exact) != 1:
        names = "、".join(n for _, n in items) or "—"
        raise Refused(
            msg("edit.unknown-milestone", id=task.id, name=name),
            msg("edit.unknown-milestone.hint", names=names),
        )
    return exact[0]


# -- extend --------------------------------------------------------------------------------


def extend(
    run: EditRun, task_id: str, *, to: str, approved_by: str, ref: str, when: str | None = None
) -> int:
    """Record an extension (延期) and move the deadline, in one change."""

    def body(opened: Workspace) -> tuple[Change | None, Check | None]:
        year = opened.scan.settings.year
        new_due, new_text = _date_text(to, "--to", year)
        day = _day(when, "--date", year) if when else run.today
        if not approved_by.strip():
            raise Refused(msg("edit.required", option="--approved-by"))
        if not ref.strip():
            raise Refused(msg("edit.required", option="--ref"))
        task, rel, data, ed, style = _locate(opened, task_id, run.today)
        node = find_task(ed, task_id)
        if task.due is not None and new_due <= task.due:
            raise Refused(
                msg("edit.extend-not-later", to=new_due.isoformat(), due=task.due.isoformat()),
                msg("edit.extend-not-later.hint"),
            )
        due_entry = entry(node, R.names("due", K.TASK_KEYS))
        if (
            due_entry is not None
            and isinstance(due_entry.value, ScalarNode)
            and not is_null(due_entry.value)
        ):
            old_text = scalar_source(ed, due_entry.value)
            set_scalar(ed, due_entry.value, due_entry.key, new_text)
        else:
            old_text = task.due_text or ""
            set_key(ed, node, "due", K.TASK_KEYS, R.TASK_ORDER, style, new_text)
        fields: list[Field] = []
        if old_text:
            fields.append(("from", old_text))
        fields += [
            ("to", new_text),
            ("approved_by", R.text(approved_by.strip())),
            ("ref", R.text(ref.strip())),
            ("date", day.isoformat()),
        ]
        append_entry(ed, node, "extensions", K.EXTENSION_KEYS, fields, style)
        old_shown = task.due.isoformat() if task.due else "—"
        subject = f"extend: {task_id} {old_shown} → {new_due.isoformat()} ({ref.strip()})"
        n = len(task.extensions)

        def check(t: Task | None) -> bool:
            return (
                t is not None
                and t.due == new_due
                and len(t.extensions) == n + 1
                and t.extensions[-1].to == new_due
            )

        return _change(ed, rel, data, subject, task_id), check

    return _guard(run, body, lean=True)


# -- new -----------------------------------------------------------------------------------


@dataclass
class NewTask:
    unit: str
    title: str
    due: str
    id: str | None = None
    owner: str | None = None
    leader: str | None = None
    category: str | None = None
    source: str | None = None
    start: str | None = None
    partners: tuple[str, ...] = ()
    parent: str | None = None
    target_value: str | None = None
    target_unit: str | None = None
    metric: str | None = None
    supervision: str | None = None
    tags: tuple[str, ...] = ()
    milestones: tuple[str, ...] = ()  # 名称=日期, as typed after --milestone


_ID_TAIL = re.compile(r"^(.*?)(\d+)$")


def next_id(file_ids: list[str], all_ids: set[str], unit: Unit) -> str:
    """The next free id in the ledger's own pattern: ZJ-012 → ZJ-013."""
    numbered = [m for m in (_ID_TAIL.match(i) for i in file_ids) if m]
    if numbered:
        prefix, digits = numbered[-1].group(1), numbered[-1].group(2)
    else:
        everywhere = [m for m in (_ID_TAIL.match(i) for i in sorted(all_ids)) if m]
        seps = Counter(re.sub(r"^.*?([-_.]?)$", r"\1", m.group(1)) for m in everywhere)
        widths = Counter(len(m.group(2)) for m in everywhere)
        sep = seps.most_common(1)[0][0] if seps else "-"
        width = widths.most_common(1)[0][0] if widths else 3
        prefix, digits = re.sub(r"[^A-Za-z0-9]", "", unit.id).upper() + sep, "0" * width
    width = len(digits)
    used = [
        int(m.group(2)) for m in (_ID_TAIL.match(i) for i in all_ids) if m and m.group(1) == prefix
    ]
    n = max(used, default=0) + 1
    while f"{prefix}{n:0{width}d}" in all_ids:
        n += 1
    return f"{prefix}{n:0{width}d}"


def new(run: EditRun, spec: NewTask) -> int:
    """Add a task to its unit's ledger file, creating the file when the unit has none."""

    def body(opened: Workspace) -> tuple[Change | None, Check | None]:
        scan = opened.scan
        year = scan.settings.year
        units = scan.units
        uid = unit_id(units, spec.unit)  # an id, a name or a part of one name, as status --unit
        unit = units.get(uid) if uid is not None else None
        if unit is None:
            guess = K.did_you_mean(
                spec.unit, list(units) + [u.name for u in units.values()]
            )
            raise Refused(
                msg("edit.unknown-unit", unit=spec.unit),
                msg("edit.unknown-unit.hint-guess", guess=guess)
                if guess
                else msg("edit.unknown-unit.hint"),
            )
        if not spec.title.strip():
            raise Refused(msg("edit.required", option="--title"))
        due_d, due_text = _date_text(spec.due, "--due", year)
        start_text = _date_text(spec.start, "--start", year)[1] if spec.start else None
        if spec.target_value is not None:
            _number(spec.target_value, "--target-value")
        elif spec.target_unit or spec.metric:
            raise Refused(msg("edit.target-needs-value"))
        milestones = _milestones(spec.milestones, year)

        def subject_of(tid: str) -> str:
            return f"new: {tid} {spec.title.strip()}"

        def check(t: Task | None) -> bool:
            return t is not None and t.title == spec.title.strip() and t.due == due_d

        quick = _quick_new(opened, unit, run.today)
        if quick is not None:  # after the file's last task, from the scan alone (edit_quick)
            sed, q_ids, q_all, flow_target, blank = quick
            tid = spec.id.strip() if spec.id else next_id(q_ids, q_all, unit)
            if tid in q_all:
                first = next(r.file for rel in scan.order for r in scan.rows(rel) if r.id == tid)
                raise Refused(msg("id.duplicate", id=tid, first=first), msg("id.duplicate.hint"))
            _append_task(sed, tid, spec, due_text, start_text, 2, milestones, flow_target=flow_target, blank=blank)
            opened.new_id = tid
            return _change(sed, sed.span.rel, sed.span.data, subject_of(tid), tid), check
        ledger = opened.ledger
        files = [f for f in ledger.files if f.unit in (unit.id, unit.name)]
        all_ids = {t.id for t in ledger.tasks}
        if files:
            fr = files[0]
            rel = fr.path
            data = _read(ledger.root / rel, rel)
            require_valid(data, rel, ledger, run.today)
            ed = _editor(data, rel)
            indent = 2
            file_ids = [t.id for t in fr.tasks]
            created = False
        else:
            _unit_file_broken(opened, unit, run.today)
            rel, data, ed, indent = _new_file(opened, unit)
            file_ids, created = [], True
        tid = spec.id.strip() if spec.id else next_id(file_ids, all_ids, unit)
        if tid in all_ids:
            raise Refused(
                msg("id.duplicate", id=tid, first=ledger.by_id[tid].file), msg("id.duplicate.hint")
            )
        _append_task(ed, tid, spec, due_text, start_text, indent, milestones)
        after = ed.result()
        return Change(
            rel, b"" if created else data, after, subject_of(tid), created=created, task_id=tid
        ), check

    return _guard(run, body, lean=True)


def _lean_new(ws: Workspace, q: Quick) -> tuple[SpanEditor, list[str], set[str], bool | None, bool]:
    """`_quick_new` of a big file, from its bytes alone (open_lean on its last task): the
    file's ids from its rows when the cache holds them, else from its `id:` lines; the
    style of its targets and blank lines from its lines. NeedFull when they cannot be told."""
    scan = ws.scan
    path, held = q.rel, q.held
    data = scan.sources[path]
    lay = q.layout
    ids = [r.id for r in scan.rows(path)] if held is not None else item_ids(data, lay) if lay else None
    flow_target = target_style(data, lay) if lay else None
    if ids is None or flow_target is None or lay is None:
        raise NeedFull()
    try:
        ed = SpanEditor(q.span)
    except yaml.YAMLError:
        raise NeedFull() from None
    q.ids = frozenset(ids)
    ws.quick = q
    others = {r.id for other in scan.order if other != path for r in scan.rows(other)}
    return ed, ids, others | set(ids), flow_target, blank_between(data, lay)


def _quick_new(
    ws: Workspace, unit: Unit, today: date
) -> tuple[SpanEditor, list[str], set[str], bool | None, bool] | None:
    """`new` from the scan alone (sanzhua.commands.edit_quick): an editor of the last task's
    span in the unit's file, the file's ids and the ledger's, and what `_append_task` would
    read of the whole file (whether targets are written `{…}`, blank lines between tasks);
    None when the whole ledger must be loaded (no file yet, an empty list, and the like)."""
    scan = ws.scan
    store = scan.store
    rel: str | None = None
    names = (unit.id.encode(), unit.name.encode())
    for path in scan.order:
        data = scan.sources.get(path)
        key = scan.keys.get(path)
        if data is None or key is None:
            continue
        if not any(n in data for n in names) and b"\\" not in data:
            continue  # the unit is not written in it (nor could be, escaped)
        if ws.big and len(data) > LEAN_MIN:
            q = open_lean(scan, None, today, held=None if path in scan.deferred else path, last=path)
            if q is None:
                raise NeedFull()
            if q.raw.unit in (unit.id, unit.name):
                return _lean_new(ws, q)
            continue
        raw = plain_result(store, path, key)
        if raw is None:
            return None
        if raw.unit in (unit.id, unit.name):
            rel = path
            break
    if rel is None:
        return None
    file_rows = scan.rows(rel)
    if not file_rows:
        return None
    data = scan.sources[rel]
    q = open_quick(scan, file_rows[-1].id, today, data)
    if q is None or q.span.index != len(file_rows) - 1:
        return None
    ed = _quick_editor(q)
    if ed is None:
        return None
    ws.quick = q
    flow_target: bool | None = None
    whole = q.span.whole
    starts = whole.starts()
    body = data[len(BOM) :] if data.startswith(BOM) else data
    for i, t in enumerate(q.raw.tasks):
        if t[PLAIN_TASK_TARGET] is not None:
            got = task_node(body, whole.lines[i], starts, q.span.crlf)
            if got is None:
                return None
            te = entry(got[0], R.names("target", K.TASK_KEYS))
            if te is not None and isinstance(te.value, MappingNode):
                flow_target = bool(te.value.flow_style)
                break
    lines = body.split(b"\n")
    blank = any(
        not lines[n - 2].rstrip(b"\r").decode("utf-8", "replace").strip() for n in whole.lines[1:] if n >= 2
    )
    all_ids = {r.id for path in scan.order for r in scan.rows(path)}
    return ed, [r.id for r in file_rows], all_ids, flow_target, blank


def _milestones(given: tuple[str, ...], year: int) -> list[tuple[str, str]]:
    """--milestone 名称=日期 (repeatable): each name and its date as it will be written."""
    out: list[tuple[str, str]] = []
    for raw in given:
        text = raw.replace("＝", "=")
        name, sep, when = text.rpartition("=")
        if not sep or not name.strip() or not when.strip():
            raise Refused(msg("edit.bad-milestone", value=raw), msg("edit.bad-milestone.hint"))
        if any(n == name.strip() for n, _ in out):
            raise Refused(msg("edit.milestone-twice", name=name.strip()), msg("edit.bad-milestone.hint"))
        try:
            written = _date_text(when, "--milestone", year)[1]
        except Refused as e:
            raise Refused(e.message, msg("edit.bad-milestone.hint")) from None
        out.append((name.strip(), written))
    return out


def _unit_file_broken(opened: Workspace, unit: Unit, today: date) -> None:
    """Refuse to start a new file for a unit whose own file does not load right now."""
    ledger = opened.ledger
    names = "|".join(re.escape(n) for n in (unit.id, unit.name))
    declares = re.compile(
        rf"^\ufeff?(?:unit|{K.FILE_KEYS['unit']})[ \t]*:[ \t]*['\"]?(?:{names})['\"]?[ \t]*(?:#.*)?\r?$",
        re.M,
    )
    for f, written in _broken_files(ledger):
        if f.unit is None and (Path(f.path).stem in (unit.id, unit.name) or declares.search(written)):
            require_valid(ledger.sources[f.path], f.path, ledger, today)


def _task_fields(
    tid: str,
    spec: NewTask,
    due_text: str,
    start_text: str | None,
    milestones: list[tuple[str, str]] | None = None,
) -> dict[str, FieldValue]:
    """The new task's fields (English keys, in the order they are written), for the one
    task-block writer (sanzhua.interchange.writer)."""
    out: dict[str, FieldValue] = {}

    def add(eng: str, value: str | None) -> None:
        if value is not None and value.strip() != "":
            out[eng] = value.strip()

    add("id", tid)
    add("title", spec.title)
    add("category", spec.category)
    add("source", spec.source)
    parts = [p for v in spec.partners for p in re.split(r"[、,，\s]+", v) if p]
    if parts:
        out["partners"] = parts
    add("owner", spec.owner)
    add("leader", spec.leader)
    add("start", start_text)
    add("due", due_text)
    if milestones:
        out["milestones"] = [{"name": name, "due": when} for name, when in milestones]
    if spec.target_value is not None:
        target: dict[str, str] = {}
        if spec.metric and spec.metric.strip():
            target["metric"] = spec.metric.strip()
        target["value"] = R.number(_number(spec.target_value, "--target-value"))
        if spec.target_unit and spec.target_unit.strip():
            target["unit"] = spec.target_unit.strip()
        out["target"] = target
    add("parent", spec.parent)
    add("supervision", spec.supervision)
    tags = [p.strip() for v in spec.tags for p in re.split(r"[、,，]+", v) if p.strip()]
    if tags:
        out["tags"] = tags
    return out


def _append_task(
    ed: Editor,
    tid: str,
    spec: NewTask,
    due_text: str,
    start_text: str | None,
    indent: int = 2,
    milestones: list[tuple[str, str]] | None = None,
    *,
    flow_target: bool | None = None,
    blank: bool | None = None,
) -> None:
    """Append the new task to the file's task list, in the file's style. `flow_target` and
    `blank` are what the whole file says (how targets are written, blank lines between
    tasks) when `ed` holds only its last task (`new` from the scan alone)."""
    target_style = flow_target
    between = blank
    _, key, seq = tasks_node(ed)
    tasks = (
        [t for t in seq.value if isinstance(t, MappingNode)]
        if isinstance(seq, SequenceNode)
        else []
    )
    style = "en"
    flow_target = True
    if tasks:
        style = style_of(tasks[-1], K.TASK_KEYS, "en")
        for t in tasks:
            te = entry(t, R.names("target", K.TASK_KEYS))
            if te is not None and isinstance(te.value, MappingNode):
                flow_target = bool(te.value.flow_style)
                break
        if target_style is not None or between is not None:  # only the last task at hand
            flow_target = target_style if target_style is not None else True
    elif key is not None:
        style = "zh" if key.value == K.FILE_KEYS["tasks"] else "en"
    fields = _task_fields(tid, spec, due_text, start_text, milestones or [])
    house = Style(keys="zh" if style == "zh" else "en", flow_entries=True, flow_target=flow_target)
    if isinstance(seq, SequenceNode) and seq.flow_style:
        item = render_task_flow(fields, house)
        if seq.value:
            ed.replace(seq.value[-1].end_mark.index, seq.value[-1].end_mark.index, ", " + item)
        else:
            ed.replace(seq.start_mark.index + 1, seq.start_mark.index + 1, item)
        return
    if isinstance(seq, SequenceNode) and seq.value:
        last = seq.value[-1]
        dash = seq.start_mark.column
        if isinstance(last, MappingNode) and last.flow_style:
            end = last_line(last, ed.lines)
            ed.insert_lines(end, [" " * dash + "- " + render_task_flow(fields, house)])
            return
        col = last.start_mark.column if isinstance(last, MappingNode) else dash + 2
        blank = (
            between
            if between is not None
            else any(not ed.lines[t.start_mark.line - 1].strip() for t in seq.value[1:])
            if len(seq.value) > 1
            else False
        )
        end = last_line(last, ed.lines)
        lines = [""] if blank else []
        lines += render_task(fields, [], replace(house, item_indent=dash, key_indent=col))
        ed.insert_lines(end, lines)
        return
    if key is None:
        raise EditError(msg("edit.not-ledger"))
    # `tasks:` with no tasks yet (empty, ~ or []): the first task goes below the key.
    if seq is not None and seq.end_mark.index > seq.start_mark.index:
        at = ed.text.index(":", key.end_mark.index) + 1
        ed.replace(at, seq.end_mark.index, "")
    kcol = key.start_mark.column
    first = replace(house, item_indent=kcol + indent, key_indent=kcol + indent + 2)
    ed.insert_lines(key.start_mark.line, render_task(fields, [], first))


def _new_file(opened: Workspace, unit: Unit) -> tuple[str, bytes, Editor, int]:
    """A new ledger file for `unit`, named and styled like the files of its peers."""
    ledger = opened.ledger
    root = ledger.root
    peers = [f for f in ledger.files if f.unit in ledger.units and f.tasks]
    same_kind = [
        f for f in peers if f.unit is not None and ledger.units[f.unit].kind == unit.kind
    ] or peers
    model = same_kind[0] if same_kind else None
    folder = "ledgers"
    stem = unit.id
    if model is not None and model.unit is not None:
        mp = Path(model.path)
        folder = mp.parent.as_posix()
        peer_unit = ledger.units[model.unit]
        stem = unit.name if mp.stem == peer_unit.name and mp.stem != peer_unit.id else unit.id
    # A unit's name or id from units.yaml (`name: ../../x`) is one file name in the folder.
    rel = f"{folder}/{file_name(stem, file_name(unit.id))}.yaml"
    if (root / rel).exists() or any(
        p.relative_to(root).as_posix() == rel for p in ledger_files(root)
    ):
        raise Refused(msg("edit.file-exists", file=rel))
    header: list[str] = []
    zh = False
    bom = False
    newline = "\n"
    indent = 2
    if model is not None and model.unit is not None:
        mdata = (root / model.path).read_bytes()
        msrc = Source(mdata)
        bom, newline = msrc.bom, msrc.newline
        zh = model.key_style == "zh"
        peer_name = ledger.units[model.unit].name
        for line in msrc.lines:
            if not line.startswith("#"):
                break
            if peer_name in line:
                header.append(line.replace(peer_name, unit.name))
        try:
            node = compose(msrc.text)
        except yaml.YAMLError:
            node = None
        if isinstance(node, MappingNode):
            te = entry(node, R.names("tasks", K.FILE_KEYS))
            if te is not None and isinstance(te.value, SequenceNode):
                indent = te.value.start_mark.column - te.key.start_mark.column
    ukey = K.in_style("unit", K.FILE_KEYS, zh)
    tkey = K.in_style("tasks", K.FILE_KEYS, zh)
    body = "\n".join([*header, f"{ukey}: {R.text(unit.id)}", f"{tkey}:"]) + "\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + body.replace("\n", newline).encode("utf-8")
    return rel, data, Editor(Source(data)), indent
