"""The audit stopped before the end of the range: the history asked for is larger than one
run may read (each commit rewriting thousands of tasks, or a file that grows with every
commit), so the commits after the one named were not audited. Audit them with
`--range <commit>..HEAD`.

Reported on the last commit audited, as an error: an audit that did not read every commit
must not pass. What one run may read grows with the ledger (sanzhua.history.walk's budget:
about ten seconds of work plus what parsing the ledger's own files twice or so would take).
"""

from __future__ import annotations

from sanzhua.history.rules.base import Out
from sanzhua.history.walk import Cut
from sanzhua.problems import msg

CODE = "history-cut"
LEVEL = "error"
SCOPE = "commit"


def audit_cut(out: Out, cut: Cut) -> None:
    sha = cut.last.sha[:10]
    out.add(
        CODE,
        None,
        "",
        0,
        msg("audit.history-cut", sha=sha, left=cut.left, mb=f"{cut.parsed / 1e6:.0f}", changes=cut.changes),
        after=cut.left,
        hint=msg("audit.history-cut.hint", sha=sha),
    )
