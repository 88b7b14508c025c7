"""A file committed under `.sanzhua/`, sanzhua's own cache, which is never part of the record.

Reported on the commit whose tree holds it (the first walked commit that brings it in, or the last one audited).
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out
from sanzhua.problems import msg

CODE = "cache-committed"
LEVEL = "error"
SCOPE = "tree"


KIND = "cache"  # as Repo.specials names the entry


def audit_entry(out: Out, path: str) -> None:
    out.add(CODE, None, path, 0, msg(f"audit.{CODE}", file=path))
