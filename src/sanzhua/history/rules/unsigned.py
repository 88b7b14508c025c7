"""A commit without a valid signature while the ledger sets `require_signed: true`."""

from __future__ import annotations

from sanzhua.history.git import SIGNED_STATES
from sanzhua.history.rules.base import Out
from sanzhua.problems import msg

CODE = "unsigned"
LEVEL = "error"
SCOPE = "commit"


def audit_signature(out: Out, state: str) -> None:
    """`state` is git's %G? letter for the commit."""
    if state not in SIGNED_STATES:
        out.add(CODE, None, "", 0, msg("audit.unsigned", state=state, why=msg(f"audit.sig.{state}")), after=state)
