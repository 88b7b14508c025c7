"""A file version in the history larger than sanzhua reads (64 MB, as `max_file_mb`'s
default): its tasks were not read, so what the commit changed in that file was not audited.
Look at the commit with git itself, and keep ledger files small.

Reported on the commit that wrote the version, as an error: an audit that did not read a
version must not pass unsaid.
"""

from __future__ import annotations

from sanzhua.history import git
from sanzhua.history.rules.base import Out
from sanzhua.history.walk import Step
from sanzhua.problems import msg

CODE = "version-too-big"
LEVEL = "error"
SCOPE = "commit"
MB = 1024 * 1024


def audit_versions(out: Out, step: Step) -> None:
    sha = step.commit.sha[:10]
    limit = f"{git.MAX_BLOB_BYTES / MB:.0f}"
    for path, size in step.too_big:
        mb = f"{size / MB:.1f}"
        out.add(
            CODE,
            None,
            path,
            0,
            msg(f"audit.{CODE}", file=path, mb=mb, sha=sha, limit=limit),
            after=size,
            hint=msg(f"audit.{CODE}.hint", file=path, command=f"git show --stat {sha}"),
        )
