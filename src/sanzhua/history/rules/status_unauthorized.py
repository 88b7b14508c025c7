"""A task's status set to `suspended` or `cancelled` (暂缓, 已取消) by an author who is not in
`supervisors`.
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out, Who
from sanzhua.history.walk import TaskChange
from sanzhua.i18n import STATUS_LABELS, label
from sanzhua.problems import msg

CODE = "status-unauthorized"
LEVEL = "error"
SCOPE = "task"


_STOPPED = ("suspended", "cancelled")


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """Suspending or cancelling a task stops its clock: the supervisors' decision."""
    if tc.old is None or tc.new is None or who.supervisor:
        return
    old, new = tc.old.task.status, tc.new.task.status
    if new == old or new not in _STOPPED:
        return
    out.add(
        CODE,
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
