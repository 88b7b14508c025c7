"""The audit's rules: what in a commit's changes is a hidden move, and who may make it.

Each rule reads one `Step` (a commit with its tasks before and after, and the
settings and units as of its parent) and returns findings. The codes are stable;
`CODES` lists them with their level and the user's documentation.

Who is who: a commit's **author email** (case-insensitive) is matched against
`supervisors` in sanzhua.yaml and each unit's `editors` in units.yaml, both **as of
the commit's parent** — a commit cannot bless itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from sanzhua.history.blobs import Placed, entry_dict, pair_milestones
from sanzhua.history.git import Commit
from sanzhua.history.timeline import changed_fields
from sanzhua.history.walk import Step, TaskChange
from sanzhua.i18n import STATUS_LABELS, label
from sanzhua.model import Progress, Return, Target, Task, Unit, Verification
from sanzhua.problems import Msg, Problem, Revision, Severity, msg

CODES: dict[str, tuple[Severity, str]] = {
    "deadline-moved": (
        "error",
        "A task's or milestone's deadline moved later with no new extension entry whose `to` is the new deadline.",
    ),
    "extension-unauthorized": (
        "error",
        "An extension recorded or changed, or a deadline or target changed, by an author who is not in `supervisors`.",
    ),
    "progress-rewritten": (
        "error",
        "A progress entry that was already committed was edited or removed (progress is append-only), "
        "by an author who is not in `supervisors`.",
    ),
    "done-rewritten": (
        "error",
        "A task's or milestone's `done` date that was already committed was changed or removed, "
        "by an author who is not in `supervisors`.",
    ),
    "done-corrected": (
        "warning",
        "A committed `done` date changed by an author who is not in `supervisors`, with the correction "
        "recorded in the same commit (`sanzhua done --correct --reason`): for the supervisors to verify.",
    ),
    "status-unauthorized": (
        "error",
        "A task's status set to `suspended` or `cancelled` (暂缓, 已取消) by an author who is not in `supervisors`.",
    ),
    "committer-not-supervisor": (
        "error",
        "A commit whose author is a supervisor but whose committer is not (a supervisor's commit amended "
        "or re-applied by someone else); it is judged with the committer's standing.",
    ),
    "symlink-committed": (
        "error",
        "A symbolic link committed in the ledger's tree.",
    ),
    "cache-committed": (
        "error",
        "A file committed under `.sanzhua/`, sanzhua's own cache, which is never part of the record.",
    ),
    "task-deleted": (
        "error",
        "A task removed from the ledger instead of being given `status: cancelled`.",
    ),
    "unauthorized-edit": (
        "error",
        "A unit's tasks changed by an author who is neither one of the unit's `editors` "
        "nor a supervisor; or sanzhua.yaml, units.yaml or calendar.yaml changed by a "
        "non-supervisor.",
    ),
    "backdated": (
        "warning",
        "A `done` date, milestone `done` date or progress entry dated more than `backdate_days` "
        "(default 7) before the commit that added it, on a task that already existed.",
    ),
    "unaudited-merge": (
        "error",
        "A merge of more than two branches (an octopus merge) left a file different from every "
        "branch it merged: what it changed there cannot be compared task by task.",
    ),
    "unsigned": (
        "error",
        "A commit without a valid signature while the ledger sets `require_signed: true`.",
    ),
    # issue 20: 销号 is the office's
    "verification-unauthorized": (
        "error",
        "A task's `verified` (销号) or `returned` (退回) written, changed or removed by an author "
        "who is not in `supervisors`.",
    ),
}


Finding = Problem  # an audit finding is a Problem that names its commit (problems.Revision)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def _target(t: Target | None) -> dict[str, object] | None:
    if t is None:
        return None
    return {"metric": t.metric, "value": t.value, "unit": t.unit, "direction": t.direction}


class _Who:
    def __init__(self, step: Step) -> None:
        self.email = step.acting or step.commit.email.strip().lower()
        self.supervisor = self.email in {s.strip().lower() for s in step.settings.supervisors}
        self.units = step.units
        self.by_name = {u.name: u.id for u in step.units.values()}

    def unit(self, lead: str) -> Unit | None:
        return self.units.get(lead) or self.units.get(self.by_name.get(lead, ""))

    def may_edit(self, lead: str) -> bool:
        if self.supervisor:
            return True
        u = self.unit(lead)
        return u is not None and self.email in {e.strip().lower() for e in u.editors}


class _Out:
    """Collects one step's findings, stamping each with the commit."""

    def __init__(self, step: Step) -> None:
        self.step = step
        self.found: list[Finding] = []

    def add(
        self,
        code: str,
        task: str | None,
        file: str,
        line: int,
        message: Msg,
        before: Any = None,
        after: Any = None,
        hint: Msg | None = None,
    ) -> None:
        c = self.step.commit
        self.found.append(
            Problem(
                code,
                CODES[code][0],
                file,
                line,
                0,
                message,
                hint or msg(f"audit.{code}.hint"),
                task,
                Revision(c.sha, c.email, c.author, c.day.isoformat(), c.subject),
                before,
                after,
            )
        )


def audit_step(step: Step, signature: str | None = None) -> list[Finding]:
    """Every finding of one commit. `signature` is git's %G? letter when signing is required."""
    out = _Out(step)
    if signature is not None and step.settings.require_signed:
        _unsigned(out, signature)
    out.found.extend(specials_in_tree(step.commit, step.specials))
    if step.skipped:
        for path in step.unmerged:
            out.add(
                "unaudited-merge",
                None,
                path,
                0,
                msg("audit.unaudited-merge", file=path, n=len(step.commit.parents)),
            )
        return out.found
    if step.baseline:
        return out.found
    who = _Who(step)
    if step.impersonated and (step.tasks or step.config_changed):
        c = step.commit
        out.add(
            "committer-not-supervisor",
            None,
            "",
            0,
            msg("audit.committer-not-supervisor", author=c.email, committer=c.committer),
            c.email,
            c.committer,
        )
    if not who.supervisor:
        for path in step.config_changed:
            out.add(
                "unauthorized-edit",
                None,
                path,
                0,
                msg("audit.unauthorized-config", author=who.email, file=path),
                hint=msg("audit.unauthorized-config.hint"),
            )
    for tc in step.tasks:
        for rule in RULES:
            rule(out, who, tc)
    return out.found


def specials_in_tree(commit: Commit, entries: list[tuple[str, str]]) -> list[Finding]:
    """Symlinks and cache files standing in a commit's tree (reported on that commit)."""
    from sanzhua.model import Settings

    out = _Out(Step(commit, False, Settings(name=""), {}))
    for path, kind in entries:
        code = "symlink-committed" if kind == "symlink" else "cache-committed"
        out.add(code, None, path, 0, msg(f"audit.{code}", file=path))
    return out.found


def _unsigned(out: _Out, state: str) -> None:
    from sanzhua.history.git import SIGNED_STATES

    if state not in SIGNED_STATES:
        out.add(
            "unsigned",
            None,
            "",
            0,
            msg("audit.unsigned", state=state, why=msg(f"audit.sig.{state}")),
            after=state,
        )


# -- the rules, one function each ------------------------------------------------------

Rule = Callable[[_Out, _Who, TaskChange], None]


def task_deleted(out: _Out, who: _Who, tc: TaskChange) -> None:
    """A task gone from the ledger (its id nowhere in the commit's tree)."""
    if tc.old is None or tc.new is not None:
        return
    t = tc.old.task
    out.add(
        "task-deleted",
        tc.id,
        tc.old.file,
        tc.old.line,
        msg("audit.task-deleted", task=tc.id, title=t.title)
        if tc.renamed_to is None
        else msg("audit.task-renamed", task=tc.id, title=t.title, new=tc.renamed_to),
        before={"id": t.id, "title": t.title, "status": t.status, "due": _iso(t.due)},
    )


def unauthorized_edit(out: _Out, who: _Who, tc: TaskChange) -> None:
    """A task created, changed or removed by someone who may not edit its unit's tasks."""
    leads: list[str] = []
    if tc.old is not None:
        leads.append(tc.old.task.lead)
    if tc.new is not None and tc.new.task.lead not in leads:
        leads.append(tc.new.task.lead)
    denied = [lead for lead in leads if not who.may_edit(lead)]
    if not denied:
        return
    if tc.old is not None and tc.new is not None and tc.old.task == tc.new.task:
        return  # moved to another file as it was (a rename, a split): nothing of it changed
    where = tc.new or tc.old
    assert where is not None
    names = "、".join(u.name if (u := who.unit(lead)) else lead for lead in denied)
    out.add(
        "unauthorized-edit",
        tc.id,
        where.file,
        where.line,
        msg("audit.unauthorized-edit", author=who.email, unit=names, task=tc.id),
        after=changed_fields(tc.old.task if tc.old else None, tc.new.task if tc.new else None),
    )


def _extension_for(old: Task, new: Task, to: date) -> bool:
    added = Counter(new.extensions) - Counter(old.extensions)
    return any(e.to == to for e in added)


def deadlines(out: _Out, who: _Who, tc: TaskChange) -> None:
    """Deadlines of the task and its milestones: moved later unrecorded, or changed at all by a
    non-supervisor."""
    if tc.old is None or tc.new is None:
        return
    old, new = tc.old.task, tc.new.task
    if old.due != new.due:
        line = tc.new.at("due")
        before, after = _iso(old.due), _iso(new.due)
        if old.due is not None and new.due is not None and new.due > old.due and not _extension_for(old, new, new.due):
            out.add(
                "deadline-moved",
                tc.id,
                tc.new.file,
                line,
                msg("audit.deadline-moved", task=tc.id, before=before, after=after),
                before,
                after,
            )
        if not who.supervisor:
            out.add(
                "extension-unauthorized",
                tc.id,
                tc.new.file,
                line,
                msg(
                    "audit.unauthorized-deadline",
                    author=who.email,
                    task=tc.id,
                    before=before or "—",
                    after=after or "—",
                ),
                before,
                after,
            )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or m is None or was.due == m.due:
            continue
        line = tc.new.entry_line("milestones", m)
        before, after = was.due.isoformat(), m.due.isoformat()
        if m.due > was.due and not _extension_for(old, new, m.due):
            moved = (
                msg("audit.milestone-moved", task=tc.id, name=m.name, before=before, after=after)
                if was.name == m.name
                else msg(
                    "audit.milestone-renamed-moved", task=tc.id, old=was.name, name=m.name, before=before, after=after
                )
            )
            out.add("deadline-moved", tc.id, tc.new.file, line, moved, before, after)
        if not who.supervisor:
            out.add(
                "extension-unauthorized",
                tc.id,
                tc.new.file,
                line,
                msg(
                    "audit.unauthorized-milestone",
                    author=who.email,
                    task=tc.id,
                    name=m.name,
                    before=before,
                    after=after,
                ),
                before,
                after,
            )


def targets_and_extensions(out: _Out, who: _Who, tc: TaskChange) -> None:
    """Targets and extension entries are the supervisors' to set."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    old, new = tc.old.task, tc.new.task
    if old.target != new.target:
        out.add(
            "extension-unauthorized",
            tc.id,
            tc.new.file,
            tc.new.at("target"),
            msg("audit.unauthorized-target", author=who.email, task=tc.id),
            _target(old.target),
            _target(new.target),
        )
    if Counter(old.extensions) != Counter(new.extensions):
        added = list((Counter(new.extensions) - Counter(old.extensions)).elements())
        line = tc.new.entry_line("extensions", added[0]) if added else tc.new.at("extensions")
        out.add(
            "extension-unauthorized",
            tc.id,
            tc.new.file,
            line,
            msg("audit.unauthorized-extension", author=who.email, task=tc.id),
            [entry_dict(e) for e in old.extensions],
            [entry_dict(e) for e in new.extensions],
        )


def _progress_changes(old: Task, new: Task) -> tuple[list[tuple[Progress, Progress | None]], list[Progress]]:
    """(rewritten: (old entry, the entry that replaced it or None), truly added entries)."""
    removed = list((Counter(old.progress) - Counter(new.progress)).elements())
    added = list((Counter(new.progress) - Counter(old.progress)).elements())
    rewritten: list[tuple[Progress, Progress | None]] = []
    for r in removed:
        twin = next((a for a in added if a.date == r.date), None)
        if twin is not None:
            added.remove(twin)
        rewritten.append((r, twin))
    order = {id(p): i for i, p in enumerate(new.progress)}
    added.sort(key=lambda p: order.get(id(p), 0))
    return rewritten, added


def progress_rewritten(out: _Out, who: _Who, tc: TaskChange) -> None:
    """Progress is append-only: a committed entry edited or removed, but by a supervisor."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    rewritten, _ = _progress_changes(tc.old.task, tc.new.task)
    for before, after in rewritten:
        if after is not None:
            line = tc.new.entry_line("progress", after)
            m = msg("audit.progress-edited", task=tc.id, date=before.date.isoformat())
        else:
            line = tc.new.at("__task__")
            m = msg("audit.progress-removed", task=tc.id, date=before.date.isoformat())
        out.add(
            "progress-rewritten",
            tc.id,
            tc.new.file,
            line,
            m,
            entry_dict(before),
            entry_dict(after) if after is not None else None,
        )


_CORRECTION = ("更正", "correction")  # how the entry `sanzhua done --correct --reason` adds begins


def _correction(old: Task, new: Task) -> str | None:
    """The note of a correction entry the commit added to the task (`--correct --reason`), if any."""
    _, added = _progress_changes(old, new)
    for p in added:
        note = (p.note or "").strip()
        if note.lower().startswith(_CORRECTION):
            return note
    return None


def done_rewritten(out: _Out, who: _Who, tc: TaskChange) -> None:
    """A committed done date (the task's or a milestone's) changed or removed, but by a
    supervisor. One the same commit records as a correction (a progress entry that begins
    更正 / correction, as `sanzhua done --correct --reason` writes) is `done-corrected`, a
    warning that quotes it, for the supervisors to verify."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    now = tc.new
    old, new = tc.old.task, now.task
    note = _correction(old, new)
    # issue 20: a done the office sent back (a committed `returned` on or after it) is
    # reported again with a later date: a new request, not a rewrite
    sent_back = (
        old.done is not None
        and new.done is not None
        and new.done > old.done
        and any(r.date >= old.done for r in old.returned)
    )

    def add(line: int, change: Msg, before: str, after: str | None) -> None:
        if note is None:
            out.add("done-rewritten", tc.id, now.file, line, change, before, after)
        else:
            told = msg("audit.done-corrected", change=change, note=note)
            out.add("done-corrected", tc.id, now.file, line, told, before, after)

    if old.done is not None and new.done != old.done and not sent_back:
        add(
            now.at("done") if new.done is not None else now.at("status"),
            msg(
                "audit.done-rewritten" if new.done is not None else "audit.done-removed",
                task=tc.id,
                before=old.done.isoformat(),
                after=_iso(new.done) or "—",
            ),
            old.done.isoformat(),
            _iso(new.done),
        )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or was.done is None or (m is not None and m.done == was.done):
            continue
        after = m.done if m is not None else None
        add(
            now.entry_line("milestones", m) if m is not None else now.at("milestones"),
            msg(
                "audit.milestone-done-rewritten" if m is not None else "audit.milestone-done-removed",
                task=tc.id,
                name=was.name,
                before=was.done.isoformat(),
                after=_iso(after) or "—",
            ),
            was.done.isoformat(),
            _iso(after),
        )


_STOPPED = ("suspended", "cancelled")


def status_unauthorized(out: _Out, who: _Who, tc: TaskChange) -> None:
    """Suspending or cancelling a task stops its clock: the supervisors' decision."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    old, new = tc.old.task.status, tc.new.task.status
    if new == old or new not in _STOPPED:
        return
    out.add(
        "status-unauthorized",
        tc.id,
        tc.new.file,
        tc.new.at("status"),
        msg(
            "audit.status-unauthorized",
            author=who.email,
            task=tc.id,
            before_zh=label(STATUS_LABELS, old, "zh"),
            after_zh=label(STATUS_LABELS, new, "zh"),
            before_en=old,
            after_en=new,
        ),
        old,
        new,
    )


def backdated(out: _Out, who: _Who, tc: TaskChange) -> None:
    """Dates written well before the commit that wrote them, on a task that already existed.
    The commit's date is the day it was made (`Step.made`): its committer date, and no
    earlier than its parent's; an author date can be set to anything (git commit --date)."""
    if tc.old is None or tc.new is None:
        return
    limit = out.step.settings.backdate_days
    day = out.step.made or max(out.step.commit.day, out.step.commit.committed_day)
    old, new = tc.old.task, tc.new.task

    def late(d: date | None) -> int | None:
        if d is None:
            return None
        days = (day - d).days
        return days if days > limit else None

    _, added = _progress_changes(old, new)
    for p in added:
        days = late(p.date)
        if days is not None:
            out.add(
                "backdated",
                tc.id,
                tc.new.file,
                tc.new.entry_line("progress", p),
                msg(
                    "audit.backdated-progress",
                    task=tc.id,
                    date=p.date.isoformat(),
                    commit_date=day.isoformat(),
                    days=days,
                    limit=limit,
                ),
                None,
                entry_dict(p),
            )
    if new.done is not None and new.done != old.done:
        days = late(new.done)
        if days is not None:
            out.add(
                "backdated",
                tc.id,
                tc.new.file,
                tc.new.at("done"),
                msg(
                    "audit.backdated-done",
                    task=tc.id,
                    date=new.done.isoformat(),
                    commit_date=day.isoformat(),
                    days=days,
                    limit=limit,
                ),
                _iso(old.done),
                new.done.isoformat(),
            )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or m is None or m.done is None or m.done == was.done:
            continue
        days = late(m.done)
        if days is not None:
            out.add(
                "backdated",
                tc.id,
                tc.new.file,
                tc.new.entry_line("milestones", m),
                msg(
                    "audit.backdated-milestone",
                    task=tc.id,
                    name=m.name,
                    date=m.done.isoformat(),
                    commit_date=day.isoformat(),
                    days=days,
                    limit=limit,
                ),
                _iso(was.done),
                m.done.isoformat(),
            )


def verification(out: _Out, who: _Who, tc: TaskChange) -> None:
    """销号 (`verified`) and 退回 (`returned`) are the supervisors' to record: a unit that
    verifies its own done, or removes a return, is reported."""
    if tc.new is None or who.supervisor:
        return
    old = tc.old.task if tc.old is not None else None
    new = tc.new.task
    was_v = old.verified if old is not None else None
    if new.verified != was_v:
        out.add(
            "verification-unauthorized",
            tc.id,
            tc.new.file,
            tc.new.at("verified"),
            msg("audit.verification-unauthorized", author=who.email, task=tc.id, key="verified（销号）"),
            _verification(was_v),
            _verification(new.verified),
        )
    was_r = old.returned if old is not None else ()
    if Counter(new.returned) != Counter(was_r):
        added = list((Counter(new.returned) - Counter(was_r)).elements())
        line = tc.new.at(f"returned:{new.returned.index(added[0])}") if added else tc.new.at("returned:0")
        out.add(
            "verification-unauthorized",
            tc.id,
            tc.new.file,
            line,
            msg("audit.verification-unauthorized", author=who.email, task=tc.id, key="returned（退回）"),
            [_return(r) for r in was_r],
            [_return(r) for r in new.returned],
        )


def _verification(v: Verification | None) -> dict[str, object] | None:
    return None if v is None else {"date": v.date.isoformat(), "by": v.by}


def _return(r: Return) -> dict[str, object]:
    return {"date": r.date.isoformat(), "by": r.by, "reason": r.reason}


RULES: tuple[Rule, ...] = (
    task_deleted,
    unauthorized_edit,
    deadlines,
    targets_and_extensions,
    progress_rewritten,
    done_rewritten,
    status_unauthorized,
    backdated,
    verification,  # issue 20
)

def where(p: Placed | None) -> tuple[str, int]:
    return (p.file, p.line) if p is not None else ("", 0)
