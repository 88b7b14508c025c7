"""A merge of more than two branches (an octopus merge) left a file different from every branch
it merged: what it changed there cannot be compared task by task.
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out
from sanzhua.history.walk import Step
from sanzhua.problems import msg

CODE = "unaudited-merge"
LEVEL = "error"
SCOPE = "commit"


def audit_skipped(out: Out, step: Step) -> None:
    """Each file an octopus merge (not compared task by task) left different from every branch."""
    for path in step.unmerged:
        out.add(CODE, None, path, 0, msg("audit.unaudited-merge", file=path, n=len(step.commit.parents)))
