"""A commit removing many tasks at once (issue 14): each is a deletion unless its id still
stands in a file the commit left alone, as for one task removed.

20,000 tasks removed in one commit took 11 s of CPU and 50 s: for each, every file the
commit changed was read from git again and a pattern compiled, and every other file of
the tree looked through. The changed files are now read once for the commit, and once
many ids are asked about, the other files' ids are gathered once.
"""

from __future__ import annotations

from pathlib import Path

from sanzhua.history.audit import collect
from sanzhua.history.timeline import history
from tests.test_history_repo import FGW, GitLedger

N = 40


def block(prefix: str, ids: range, unit: str = "fgw") -> str:
    rows = "".join(f"  - id: {prefix}-{i:03d}\n    title: 任务{i}\n    due: 2026-12-31\n" for i in ids)
    return f"unit: {unit}\ntasks:\n" + rows


def test_many_tasks_removed_at_once(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    g.baseline()
    g.write("ledgers/many.yaml", block("M", range(N)))
    # M-005 and M-030 also stand in a file the removing commit leaves alone
    g.write("ledgers/keep.yaml", block("M", range(5, 6)) + block("M", range(30, 31)).split("tasks:\n")[1])
    g.commit("多任务")
    g.write("ledgers/many.yaml", "unit: fgw\ntasks: []\n")
    gone = g.commit("全部删除", who=FGW, when="2026-03-05")
    findings, _ = collect(g.path)
    deleted = sorted(f.task for f in findings if f.code == "task-deleted" and f.commit == gone)
    assert deleted == [f"M-{i:03d}" for i in range(N) if i not in (5, 30)]
    assert history(g.path, "M-007")[-1].kind == "deleted"
    assert [e.kind for e in history(g.path, "M-005")] == ["created"]
