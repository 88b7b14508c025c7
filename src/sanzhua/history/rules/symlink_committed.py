"""A symbolic link committed in the ledger's tree.

Reported on the commit whose tree holds it (the first walked commit that brings it in, or the last one audited).
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out
from sanzhua.problems import msg

CODE = "symlink-committed"
LEVEL = "error"
SCOPE = "tree"


KIND = "symlink"  # as Repo.specials names the entry


def audit_entry(out: Out, path: str) -> None:
    out.add(CODE, None, path, 0, msg(f"audit.{CODE}", file=path))
