"""A task's `verified` (销号) or `returned` (退回) written, changed or removed by an author who is
not in `supervisors`.
"""

from __future__ import annotations

from collections import Counter

from sanzhua.history.rules.base import Out, Who, return_dict, verification_dict
from sanzhua.history.walk import TaskChange
from sanzhua.problems import msg

CODE = "verification-unauthorized"
LEVEL = "error"
SCOPE = "task"


def audit(out: Out, who: Who, tc: TaskChange) -> None:
    """销号 (`verified`) and 退回 (`returned`) are the supervisors' to record: a unit that
    verifies its own done, or removes a return, is reported."""
    if tc.new is None or who.supervisor:
        return
    old = tc.old.task if tc.old is not None else None
    new = tc.new.task
    was_v = old.verified if old is not None else None
    if new.verified != was_v:
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            tc.new.at("verified"),
            msg("audit.verification-unauthorized", author=who.email, task=tc.id, key="verified（销号）"),
            verification_dict(was_v),
            verification_dict(new.verified),
        )
    was_r = old.returned if old is not None else ()
    if Counter(new.returned) != Counter(was_r):
        added = list((Counter(new.returned) - Counter(was_r)).elements())
        line = tc.new.at(f"returned:{new.returned.index(added[0])}") if added else tc.new.at("returned:0")
        out.add(
            CODE,
            tc.id,
            tc.new.file,
            line,
            msg("audit.verification-unauthorized", author=who.email, task=tc.id, key="returned（退回）"),
            [return_dict(r) for r in was_r],
            [return_dict(r) for r in new.returned],
        )
