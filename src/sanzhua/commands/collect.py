"""`sanzhua collect`: returned 进展填报表 into the ledger, with the edit commands' safety.

Each filled row becomes a progress entry (`by:` the unit's name) on its task; a done
date and milestone done dates are written as `sanzhua done` writes them. The edits are
the edit commands' splices (sanzhua.edit.ops) checked by the same session
(sanzhua.edit.session): the file must be valid before, every change is parsed and
checked again, other tasks must read back as they were, the write is atomic.

Three kinds of findings:
- errors (a bad cell, an edited grey cell, a row added or deleted, a form that is not
  one): reported as `FILE!C7: message`; with any error and no `--partial`, nothing is
  written;
- refusals (the ledger changed since the form was made and the row no longer fits: the
  task is done, cancelled, moved to another unit, its deadline changed; or a row about
  another unit's task): the row is left out with the reason, the rest applies;
- rows already collected (every entry and date already in the ledger): nothing to do,
  so collecting a form twice adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from sanzhua.commands.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EditRun,
    Opened,
    lang_before_loading,
    ledger_root,
    open_ledger,
)
from sanzhua.edit import render as R
from sanzhua.edit.done import Ok, mark_done, mark_milestone_done
from sanzhua.edit.lock import ledger_lock
from sanzhua.edit.ops import EditError, Editor, Field, append_entry, find_task, style_of
from sanzhua.edit.session import (
    Change,
    Refused,
    can_commit,
    commit_failure_text,
    commit_files,
    format_problems,
    require_valid,
    subject_line,
    verify,
    write_atomic,
)
from sanzhua.edit.source import Source, SourceError, unified_diff
from sanzhua.edit.tree import MappingNode, ScalarNode, SequenceNode, entry
from sanzhua.history.git import GitError
from sanzhua.i18n import STATUS_LABELS, Lang, label, say, text
from sanzhua.interchange import form as F
from sanzhua.interchange.form_read import (
    FormFileError,
    Issue,
    ReturnedForm,
    RowReport,
    read_form,
    read_row,
)
from sanzhua.load import Ledger, parse_ledger_bytes
from sanzhua.load import keys as K
from sanzhua.model import Task, Unit
from sanzhua.problems import Msg, Problem, msg


@dataclass
class FormRun:
    """One returned form on its way in."""

    path: Path
    shown: str  # the file as the user named it, for FILE!C7
    form: ReturnedForm | None = None
    reports: list[RowReport] = field(default_factory=list)
    errors: list[Issue] = field(default_factory=list)
    refused: list[Issue] = field(default_factory=list)
    applied: int = 0
    already: int = 0
    blank: int = 0
    notes: list[Problem] = field(default_factory=list)  # warnings the edits bring, shown


def _say(run: EditRun, lang: Lang, fr: FormRun, issue: Issue) -> None:
    where = f"{fr.shown}!{issue.ref}" if issue.ref else fr.shown
    run.stderr().write(f"{where}: {text(issue.message, lang)}\n")


def collect(run: EditRun, files: list[Path], *, partial: bool = False, unit: str | None = None) -> int:
    """Collect the forms; exit 0 when every filled row went in (or was in already).

    Unless it is a dry run, the whole collection runs under the ledger's edit lock
    (sanzhua.edit.lock): from the first read to the last write no other sanzhua edit
    comes in between."""
    root = ledger_root(run.root, run.lang)
    lock: AbstractContextManager[None] = nullcontext() if run.dry_run else ledger_lock(root)
    try:
        with lock:
            return _collect(run, root, files, partial=partial, unit=unit)
    except Refused as e:  # only taking the lock refuses here; the forms report their own
        lang = lang_before_loading(root, run.lang)
        run.stderr().write(text(e.message, lang) + "\n")
        if e.hint is not None:
            run.stderr().write("  " + text(e.hint, lang) + "\n")
        return EXIT_PROBLEMS


def _collect(run: EditRun, root: Path, files: list[Path], *, partial: bool, unit: str | None) -> int:
    opened = open_ledger(root, run.lang, cache=False)
    lang = opened.lang
    runs = [FormRun(p, str(p)) for p in files]
    for fr in runs:
        _read(fr, opened, run.today, unit)
    errors = sum(len(fr.errors) for fr in runs)
    for fr in runs:
        for issue in fr.errors:
            _say(run, lang, fr, issue)
    if errors and not partial:
        run.stderr().write(text(msg("collect.nothing-written", count=errors), lang) + "\n")
        return EXIT_PROBLEMS
    failed = False
    current: Opened | None = opened  # reloaded once a form has written something
    for fr in runs:
        if fr.form is None:
            continue
        try:
            if current is None:
                current = open_ledger(root, run.lang, cache=False)
            refused, wrote = _apply(run, fr, current)
            failed |= refused
            if wrote:
                current = None
        except Refused as e:
            run.stderr().write(f"{fr.shown}: {text(e.message, lang)}\n")
            if e.hint is not None:
                run.stderr().write("  " + text(e.hint, lang) + "\n")
            failed = True
            break
    return EXIT_PROBLEMS if failed or errors else EXIT_OK


# -- reading and checking cells ------------------------------------------------------------


def _read(fr: FormRun, opened: Opened, today: date, unit: str | None) -> None:
    ledger = opened.ledger
    try:
        form = read_form(fr.path)
    except FormFileError as e:
        fr.errors.append(Issue("", e.message))
        return
    fr.errors += form.issues
    fr.blank += form.blank_rows
    if form.ledger is not None and form.ledger != ledger.settings.name:
        fr.errors.append(Issue("", msg("collect.other-ledger", ledger=form.ledger, here=ledger.settings.name)))
        return
    if form.unit not in ledger.units:
        fr.errors.append(Issue("", msg("collect.unknown-unit", unit=form.unit)))
        return
    u = ledger.units[form.unit]
    if unit is not None and unit not in (u.id, u.name):
        fr.errors.append(Issue("", msg("collect.not-this-unit", unit=u.name, given=unit)))
        return
    if form.as_of > today:
        fr.errors.append(Issue("", msg("collect.form-future", as_of=form.as_of.isoformat(), today=today.isoformat())))
        return
    fr.form = form
    year = ledger.settings.year
    for row in form.rows:
        rep, issues = read_row(row, year, opened.lang)
        issues += _dated_cells(rep, today)
        task = ledger.by_id.get(row.task_id)
        if task is not None:
            issues += _against_task(rep, task)
        if issues:
            fr.errors += issues
            continue
        if rep.blank:
            fr.blank += 1
            continue
        fr.reports.append(rep)


def _dated_cells(rep: RowReport, today: date) -> list[Issue]:
    out = []
    cells = rep.row.cells
    for c, d in (("date", rep.day), ("done", rep.done)):
        if d is not None and d > today:
            out.append(Issue(cells[c][0], msg("collect.future", value=d.isoformat(), today=today.isoformat())))
    for _name, d, ref in rep.milestones:
        if d > today:
            out.append(Issue(ref, msg("collect.future", value=d.isoformat(), today=today.isoformat())))
    return out


def _against_task(rep: RowReport, task: Task) -> list[Issue]:
    out = []
    names = [m.name for m in task.milestones]
    for name, _, ref in rep.milestones:
        if name not in names:
            out.append(
                Issue(ref, msg("collect.unknown-milestone", id=task.id, name=name, names="、".join(names) or "—"))
            )
    if rep.value is not None and task.target is None:
        out.append(Issue(rep.row.cells["value"][0], msg("collect.no-target", id=task.id)))
    return out


# -- applying ----------------------------------------------------------------------------


@dataclass
class _Plan:
    rep: RowReport
    task: Task
    day: date
    entry: tuple[date, float | None, float | None, str | None, str] | None  # None: in already
    done: date | None  # to write
    milestones: list[tuple[str, date]]  # to write


def _entry_of(
    rep: RowReport, day: date, by: str, lang: Lang
) -> tuple[date, float | None, float | None, str | None, str]:
    note = rep.note
    if note is None and rep.percent is None and rep.value is None:
        parts = []
        if rep.milestones:
            parts.append(text(msg("collect.note-milestones", names="、".join(m[0] for m in rep.milestones)), lang))
        if rep.done is not None:
            parts.append(text(msg("collect.note-done"), lang))
        note = say("list.part-sep", lang).join(parts)
    return (day, rep.percent, rep.value, note, by)


def _has_entry(task: Task, e: tuple[date, float | None, float | None, str | None, str]) -> bool:
    return any((p.date, p.percent, p.value, p.note, p.by) == e for p in task.progress)


def _plan_row(rep: RowReport, ledger: Ledger, unit: Unit, form: ReturnedForm, lang: Lang) -> _Plan | Msg:
    """What this row still adds to the ledger, or why it is refused."""
    tid = rep.row.task_id
    task = ledger.by_id.get(tid)
    if task is None:
        return msg("collect.gone", id=tid)
    day = rep.day or form.as_of
    e = _entry_of(rep, day, unit.name, lang)
    new_entry = None if _has_entry(task, e) else e
    new_done = rep.done if rep.done is not None and task.done != rep.done else None
    current = {m.name: m for m in task.milestones}
    new_ms = [(n, d) for n, d, _ in rep.milestones if current[n].done != d]
    if new_entry is None and new_done is None and not new_ms:
        return _Plan(rep, task, day, None, None, [])
    if task.lead != unit.id and unit.id not in task.partners:
        lead = ledger.units[task.lead].name if task.lead in ledger.units else task.lead
        return msg("collect.moved", id=tid, unit=unit.name, lead=lead)
    if (
        rep.row.role == "lead"
        and task.lead != unit.id
        and (rep.percent is not None or rep.value is not None or rep.done is not None or rep.milestones)
    ):
        return msg("collect.now-partner", id=tid, unit=unit.name)
    if task.status in ("suspended", "cancelled"):
        return msg("collect.now-status", id=tid, status=label(STATUS_LABELS, task.status, lang))
    if task.done is not None or task.status == "done":
        return msg("collect.now-done", id=tid, date=task.done.isoformat() if task.done else "—")
    now_due = task.due.isoformat() if task.due else ""
    if rep.row.due != now_due:
        return msg("collect.due-changed", id=tid, was=rep.row.due or "—", now=now_due or "—")
    for n, _d in new_ms:
        m = current[n]
        if m.done is not None:
            return msg("collect.ms-done", id=tid, name=n, date=m.done.isoformat())
    return _Plan(rep, task, day, new_entry, new_done, new_ms)


def _apply(run: EditRun, fr: FormRun, opened: Opened) -> tuple[bool, bool]:
    """Plan, check and write one form on the ledger as it is now: (some row was refused,
    some file was written)."""
    assert fr.form is not None
    form = fr.form
    ledger, lang = opened.ledger, opened.lang
    unit = ledger.units[form.unit]
    out = run.stdout()
    out.write(
        text(msg("collect.form", file=fr.shown, unit=unit.name, code=form.code, as_of=form.as_of.isoformat()), lang)
        + "\n"
    )
    if _stale(ledger, unit, form, lang):
        out.write(text(msg("collect.stale"), lang) + "\n")
    by_file: dict[str, list[_Plan]] = {}
    for p in _plans(fr, opened, unit, form):
        by_file.setdefault(p.task.file, []).append(p)
    changes: list[tuple[str, bytes, bytes]] = []
    for rel, group in by_file.items():
        change = _file_change(run, fr, opened, rel, group)
        if change is not None:
            changes.append(change)
    for issue in fr.refused:
        _say(run, lang, fr, issue)
    for rel, before, after in changes:
        out.write(unified_diff(before, after, rel))
    if fr.notes:
        out.write(format_problems(fr.notes, lang, {}))
    summary = msg(
        "collect.summary",
        applied=fr.applied,
        already=fr.already,
        blank=fr.blank,
        refused=len(fr.refused),
        errors=len(fr.errors),
    )
    if run.dry_run:
        out.write(text(summary, lang) + "\n")
        if changes:
            out.write(text(msg("edit.dry-run", file="、".join(c[0] for c in changes)), lang) + "\n")
        return bool(fr.refused), False
    return _write(run, fr, opened, changes, summary)


def _plans(fr: FormRun, opened: Opened, unit: Unit, form: ReturnedForm) -> list[_Plan]:
    """The rows that change the ledger, planned; a refused row and a row already in the
    ledger are counted on `fr`."""
    plans: list[_Plan] = []
    for rep in fr.reports:
        p = _plan_row(rep, opened.ledger, unit, form, opened.lang)
        if isinstance(p, Msg):
            fr.refused.append(Issue(f"A{rep.row.sheet_row}", p))
        elif p.entry is None and p.done is None and not p.milestones:
            fr.already += 1
        else:
            plans.append(p)
    return plans


def _file_change(
    run: EditRun, fr: FormRun, opened: Opened, rel: str, group: list[_Plan]
) -> tuple[str, bytes, bytes] | None:
    """One file's rows applied: (file, before, after), or None when nothing changed; each
    row refused is named on `fr`."""
    ledger, lang = opened.ledger, opened.lang

    def refuse(p: _Plan, reason: Msg) -> None:
        fr.refused.append(Issue(f"A{p.rep.row.sheet_row}", reason))

    try:
        original = (ledger.root / rel).read_bytes()
    except OSError as e:
        for p in group:
            refuse(p, msg("file.unreadable", detail=e.strerror or str(e)))
        return None
    try:
        require_valid(original, rel, ledger, run.today)
    except Refused as e:
        for p in group:
            refuse(p, msg("collect.edit-refused", id=p.task.id, reason=text(e.message, lang)))
        return None
    current = _all_at_once(original, rel, group, ledger, run.today, fr.notes)
    if current is not None:
        fr.applied += len(group)
    else:
        # Something in the file's rows is refused: row by row, to say which.
        current = original
        for p in group:
            try:
                current = _edit(current, rel, p, ledger, run.today, fr.notes)
                fr.applied += 1
            except (Refused, EditError) as e:
                refuse(p, msg("collect.edit-refused", id=p.task.id, reason=text(e.message, lang)))
    return (rel, original, current) if current != original else None


def _write(
    run: EditRun, fr: FormRun, opened: Opened, changes: list[tuple[str, bytes, bytes]], summary: Msg
) -> tuple[bool, bool]:
    """The changed files written (and committed with --commit); (some row was refused,
    some file was written)."""
    assert fr.form is not None
    ledger, lang, out = opened.ledger, opened.lang, run.stdout()
    unit, form = ledger.units[fr.form.unit], fr.form
    rels = [c[0] for c in changes]
    if run.commit and changes:
        for rel in rels:
            can_commit(ledger.root, rel)
    for rel, before, after in changes:
        write_atomic(ledger.root / rel, after, before)
        out.write(text(msg("edit.written", file=rel), lang) + "\n")
    out.write(text(summary, lang) + "\n")
    if run.commit and changes:
        subject = f"collect: {unit.name} ({unit.id}) {form.as_of.isoformat()} {form.code}: {fr.applied} rows"
        try:
            commit_files(ledger.root, rels, subject)
        except GitError as e:
            run.stderr().write(commit_failure_text(e, lang))
            return True, True
        out.write(text(msg("edit.committed", subject=subject_line(subject)), lang) + "\n")
    return bool(fr.refused), bool(changes)


def _stale(ledger: Ledger, unit: Unit, form: ReturnedForm, lang: Lang) -> bool:
    """Whether the ledger now gives this unit another form for the same date (in the
    form's own language: its grey cells are worded in it)."""
    made_in: Lang = "en" if form.lang == "en" else "zh" if form.lang == "zh" else lang
    tasks = F.unit_tasks(ledger.tasks, unit, form.as_of)
    now = F.build_form(ledger.settings.name, unit, tasks, form.as_of, "", made_in)
    return now.digest[:8] != form.digest8


def _editor(data: bytes, rel: str) -> Editor:
    try:
        return Editor(Source(data))
    except (SourceError, yaml.YAMLError):
        raise Refused(msg("edit.invalid-before", file=rel), msg("edit.invalid-before.hint")) from None


def _style(ed: Editor, ledger: Ledger, rel: str, node: MappingNode) -> str:
    fr = ledger.file(rel)
    default = fr.key_style if fr is not None and fr.key_style in ("en", "zh") else "en"
    return style_of(node, R.TASK, default)


Step = Callable[[Editor, MappingNode, str], None]


def _all_at_once(
    data: bytes, rel: str, group: list[_Plan], ledger: Ledger, today: date, notes: list[Problem]
) -> bytes | None:
    """Every row of one file spliced in, then checked once (as `progress`/`done` check one
    change: no error added, no other task touched, each row reads back as meant); None
    when that fails, so the rows are taken one by one. One check of the ledger per file,
    not per row: the checks cost as much as a whole `sanzhua check`."""
    current = data
    oks: list[tuple[str, Ok]] = []
    try:
        for p in group:
            for step, ok in _steps(p):
                current = _splice(current, rel, p.task.id, step, ledger)
                oks.append((p.task.id, ok))
        change = Change(rel, data, current, "", also=frozenset(p.task.id for p in group))
        verify(change, ledger, today)
        notes.extend(change.notes)
    except (Refused, EditError):
        return None
    after = {t.id: t for t in parse_ledger_bytes(current, rel, ledger.settings.year).tasks}
    if not all(ok(after.get(tid)) for tid, ok in oks):
        return None
    return current


def _splice(data: bytes, rel: str, tid: str, step: Step, ledger: Ledger) -> bytes:
    ed = _editor(data, rel)
    node = find_task(ed, tid)
    step(ed, node, _style(ed, ledger, rel, node))
    return ed.result()


def _edit(data: bytes, rel: str, p: _Plan, ledger: Ledger, today: date, notes: list[Problem]) -> bytes:
    """One row's changes to one file's bytes, each made and checked like `progress`/`done`."""
    current = data
    for step, ok in _steps(p):
        after = _splice(current, rel, p.task.id, step, ledger)
        change = Change(rel, current, after, "", task_id=p.task.id)
        verify(change, ledger, today, ok)
        notes.extend(change.notes)
        current = after
    return current


def _steps(p: _Plan) -> list[tuple[Step, Ok]]:
    """The edits of one row: its progress entry, its milestones, its done date."""
    steps: list[tuple[Step, Ok]] = []
    if p.entry is not None:
        e = p.entry
        n_before = len(p.task.progress)

        def add_entry(ed: Editor, node: MappingNode, style: str) -> None:
            fields: list[Field] = [("date", e[0].isoformat())]
            if e[1] is not None:
                fields.append(("percent", R.number(e[1])))
            if e[2] is not None:
                fields.append(("value", R.number(e[2])))
            if e[3]:
                fields.append(("note", R.text(e[3])))
            fields.append(("by", R.text(e[4])))
            append_entry(ed, node, "progress", K.PROGRESS_KEYS, fields, style)

        def entry_ok(t: Task | None) -> bool:
            return t is not None and len(t.progress) >= n_before + 1 and _has_entry(t, e)

        steps.append((add_entry, entry_ok))
    for name, d in p.milestones:
        steps.append(_ms_step(name, d))
    if p.done is not None:
        steps.append(_done_step(p.done))
    return steps


def _done_step(day: date) -> tuple[Step, Ok]:
    """The task marked done as `sanzhua done` marks it, and read back the same way."""
    checks: list[Ok] = []

    def step(ed: Editor, node: MappingNode, style: str) -> None:
        checks.append(mark_done(ed, node, style, day))

    return step, lambda t: bool(checks) and all(ok(t) for ok in checks)


def _ms_step(name: str, d: date) -> tuple[Step, Ok]:
    """The milestone of that exact name marked done as `sanzhua done --milestone` marks it."""
    checks: list[Ok] = []

    def step(ed: Editor, node: MappingNode, style: str) -> None:
        e = entry(node, R.names("milestones", K.TASK_KEYS))
        items = e.value.value if e is not None and isinstance(e.value, SequenceNode) else []
        for item in items:
            if not isinstance(item, MappingNode):
                continue
            ne = entry(item, R.names("name", K.MILESTONE_KEYS))
            if ne is not None and isinstance(ne.value, ScalarNode) and ne.value.value.strip() == name:
                checks.append(mark_milestone_done(ed, item, name, style, d))
                return
        raise EditError(msg("edit.unknown-milestone", id="", name=name), None)

    return step, lambda t: bool(checks) and all(ok(t) for ok in checks)
