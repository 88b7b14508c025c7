"""An extension recorded or changed, or a deadline or target changed, by an author who is not
in `supervisors`.
"""

from __future__ import annotations

from collections import Counter

from sanzhua.history.blobs import entry_dict, pair_milestones
from sanzhua.history.rules.base import Out, Who, iso, target_dict
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "extension-unauthorized"
LEVEL = "error"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """Deadlines, targets and extension entries are the supervisors' to set."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    old, new = tc.old.task, tc.new.task
    if old.due != new.due:
        before, after = iso(old.due), iso(new.due)
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            tc.new.at("due"),
            msg("audit.unauthorized-deadline", author=who.email, task=tc.id, before=before or "—", after=after or "—"),
            before,
            after,
        )
    for was, m in pair_milestones(old.milestones, new.milestones):
        if was is None or m is None or was.due == m.due:
            continue
        before, after = was.due.isoformat(), m.due.isoformat()
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            tc.new.entry_line("milestones", m),
            msg("audit.unauthorized-milestone", author=who.email, task=tc.id, name=m.name, before=before, after=after),
            before,
            after,
        )
    if old.target != new.target:
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            tc.new.at("target"),
            msg("audit.unauthorized-target", author=who.email, task=tc.id),
            target_dict(old.target),
            target_dict(new.target),
        )
    if Counter(old.extensions) != Counter(new.extensions):
        added = list((Counter(new.extensions) - Counter(old.extensions)).elements())
        line = tc.new.entry_line("extensions", added[0]) if added else tc.new.at("extensions")
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            line,
            msg("audit.unauthorized-extension", author=who.email, task=tc.id),
            [entry_dict(e) for e in old.extensions],
            [entry_dict(e) for e in new.extensions],
        )
