"""A unit's tasks changed by an author who is neither one of the unit's `editors` nor a
supervisor; or sanzhua.yaml, units.yaml or calendar.yaml changed by a non-supervisor.

Scope `task` for a unit's tasks (`audit`); the settings files are judged once per commit (`audit_commit`).
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out, Who
from sanzhua.history.timeline import changed_fields
from sanzhua.history.walk import Step, TaskChange
from sanzhua.problems import msg

CODE = "unauthorized-edit"
LEVEL = "error"
SCOPE = "task"


def audit_commit(out: Out, who: Who, step: Step) -> None:
    """sanzhua.yaml, units.yaml or calendar.yaml changed by a non-supervisor."""
    if who.supervisor:
        return
    for path in step.config_changed:
        out.add(
            CODE,
            None,
            path,
            0,
            msg("audit.unauthorized-config", author=who.email, file=path),
            hint=msg("audit.unauthorized-config.hint"),
        )


def audit(out: Out, who: Who, tc: TaskChange) -> None:
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
        CODE,
        tc.id,
        where.file,
        where.line,
        msg("audit.unauthorized-edit", author=who.email, unit=names, task=tc.id),
        after=changed_fields(tc.old.task if tc.old else None, tc.new.task if tc.new else None),
    )
