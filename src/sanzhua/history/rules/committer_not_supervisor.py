"""A commit whose author is a supervisor but whose committer is not (a supervisor's commit
amended or re-applied by someone else); it is judged with the committer's standing.
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out, Who
from sanzhua.history.walk import Step
from sanzhua.problems import msg

CODE = "committer-not-supervisor"
LEVEL = "error"
SCOPE = "commit"


def audit_commit(out: Out, who: Who, step: Step) -> None:
    if step.impersonated and (step.tasks or step.config_changed):
        c = step.commit
        out.add(
            CODE,
            None,
            "",
            0,
            msg("audit.committer-not-supervisor", author=c.email, committer=c.committer),
            c.email,
            c.committer,
        )
