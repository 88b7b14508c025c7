"""What every audit rule works with: who made the commit (`Who`), where its findings go
(`Out`), and the readings of a task's change that several rules share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from sanzhua.history.blobs import pair_milestones
from sanzhua.history.walk import Step, TaskChange
from sanzhua.model import Progress, Return, Target, Task, Unit, Verification
from sanzhua.problems import Msg, Problem, Revision, Severity, msg


class Who:
    """The commit's author as the rules judge them: a supervisor, and which units' tasks
    they may edit, by the settings and units as of the commit's parent."""

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


class Out:
    """Collects one commit's findings, stamping each with the commit and its code's level
    (`levels`: the registry's, sanzhua.history.rules.CODES)."""

    def __init__(self, step: Step, levels: Mapping[str, Severity]) -> None:
        self.step = step
        self.levels = levels
        self.found: list[Problem] = []

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
                self.levels[code],
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


def iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def target_dict(t: Target | None) -> dict[str, object] | None:
    if t is None:
        return None
    return {"metric": t.metric, "value": t.value, "unit": t.unit, "direction": t.direction}


def verification_dict(v: Verification | None) -> dict[str, object] | None:
    return None if v is None else {"date": v.date.isoformat(), "by": v.by}


def return_dict(r: Return) -> dict[str, object]:
    return {"date": r.date.isoformat(), "by": r.by, "reason": r.reason}


def extension_for(old: Task, new: Task, to: date) -> bool:
    """Whether the change added an extension entry whose `to` is `to`."""
    added = Counter(new.extensions) - Counter(old.extensions)
    return any(e.to == to for e in added)


def progress_changes(old: Task, new: Task) -> tuple[list[tuple[Progress, Progress | None]], list[Progress]]:
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


CORRECTION = ("更正", "correction")  # how the entry `sanzhua done --correct --reason` adds begins


def correction(old: Task, new: Task) -> str | None:
    """The note of a correction entry the commit added to the task (`--correct --reason`), if any."""
    _, added = progress_changes(old, new)
    for p in added:
        note = (p.note or "").strip()
        if note.lower().startswith(CORRECTION):
            return note
    return None


def done_changes(tc: TaskChange) -> tuple[str | None, list[tuple[int, Msg, str, str | None]]]:
    """The committed done dates (the task's and its milestones') the change rewrote or
    removed, as (line, what changed, before, after), and the correction note the same
    commit recorded (`correction`), if any. Both sides of the change must exist.

    issue 20: a done the office sent back (a committed `returned` on or after it) and
    reported again with a later date is a new request, not a rewrite."""
    assert tc.old is not None and tc.new is not None
    now = tc.new
    old, new = tc.old.task, now.task
    out: list[tuple[int, Msg, str, str | None]] = []
    sent_back = (
        old.done is not None
        and new.done is not None
        and new.done > old.done
        and any(r.date >= old.done for r in old.returned)
    )
    if old.done is not None and new.done != old.done and not sent_back:
        out.append(
            (
                now.at("done") if new.done is not None else now.at("status"),
                msg(
                    "audit.done-rewritten" if new.done is not None else "audit.done-removed",
                    task=tc.id,
                    before=old.done.isoformat(),
                    after=iso(new.done) or "—",
                ),
                old.done.isoformat(),
                iso(new.done),
            )
        )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or was.done is None or (m is not None and m.done == was.done):
            continue
        after = m.done if m is not None else None
        out.append(
            (
                now.entry_line("milestones", m) if m is not None else now.at("milestones"),
                msg(
                    "audit.milestone-done-rewritten" if m is not None else "audit.milestone-done-removed",
                    task=tc.id,
                    name=was.name,
                    before=was.done.isoformat(),
                    after=iso(after) or "—",
                ),
                was.done.isoformat(),
                iso(after),
            )
        )
    return (correction(old, new) if out else None), out
