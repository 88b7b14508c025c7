"""`sanzhua log ID` walks the history for one task: it gives that task's events as the
whole walk does, and spends nothing on the other tasks (issue 14).

A `log` of one task in a 300-commit history of 200 files took over 60 s: a file version
parsed whole once (where the task was created, to see whether it was renamed) stayed
cached, and every later commit to that file compared its cached tasks with a version
the task's id let nothing through, so each of the file's tasks looked deleted and was
looked up in git blob by blob (`_still_written`), its id on a growing list of broken
tasks searched again at every commit.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sanzhua.history.git import Repo
from sanzhua.history.timeline import histories, history
from sanzhua.history.walk import History
from tests.test_history_repo import FGW, JTJ, SUP, GitLedger

OTHER = """\
unit: jtj
tasks:
  - id: JT-002
    title: 乡村公路养护
    due: 2026-11-30
  - id: JT-003
    title: 客运站改造
    due: 2026-12-31
"""


def rich(g: GitLedger) -> None:
    """A history with progress, a move, a copy, a rename, a deletion and a merge."""
    g.baseline()
    g.write("ledgers/jtj2.yaml", OTHER)
    g.commit("交通二", who=SUP, when="2026-03-02")
    g.edit("ledgers/jtj2.yaml", "due: 2026-11-30\n", "due: 2026-11-30\n    progress:\n"
           "      - {date: 2026-03-03, percent: 10}\n")
    g.edit("ledgers/fgw.yaml", "owner: 李某某", "owner: 王某某")
    g.commit("进展", who=JTJ, when="2026-03-03")
    g.edit("ledgers/jtj2.yaml", "  - id: JT-003\n    title: 客运站改造\n    due: 2026-12-31\n", "")
    g.write("ledgers/jtj3.yaml", "unit: jtj\ntasks:\n  - id: JT-003\n    title: 客运站改造\n    due: 2026-12-31\n")
    g.commit("移动", who=JTJ, when="2026-03-04")
    g.edit("ledgers/jtj3.yaml", "id: JT-003", "id: JT-033")
    g.commit("改编号", who=JTJ, when="2026-03-05")
    g.git("checkout", "-q", "-b", "side")
    g.edit("ledgers/fgw.yaml", "due: 2026-10-31", "due: 2026-11-15")
    g.commit("延期", who=SUP, when="2026-03-06")
    g.git("checkout", "-q", "main")
    g.edit("ledgers/jtj.yaml", "县城道路绿化", "县城道路绿化提升")
    g.commit("改名", who=JTJ, when="2026-03-06")
    g.git("merge", "-q", "--no-ff", "-m", "合并", "side", who=SUP, when="2026-03-07")
    g.edit("ledgers/jtj2.yaml", "title: 乡村公路养护\n", "title: 乡村公路养护工程\n")
    g.write("ledgers/fgw2.yaml", "unit: fgw\ntasks:\n  - id: XM-009\n    title: 新项目\n    due: 2026-12-31\n")
    g.commit("新增", who=FGW, when="2026-03-08")
    g.edit("ledgers/jtj2.yaml", "  - id: JT-002\n    title: 乡村公路养护工程\n    due: 2026-11-30\n", "")
    g.commit("删除", who=SUP, when="2026-03-09")


@pytest.fixture
def g(tmp_path: Path) -> GitLedger:
    repo = GitLedger(tmp_path / "r")
    rich(repo)
    return repo


IDS = ["XM-001", "XM-002", "JT-001", "JT-002", "JT-003", "JT-033", "XM-009"]


@pytest.mark.parametrize("tid", IDS)
def test_log_gives_what_the_whole_walk_gives(g: GitLedger, tid: str) -> None:
    whole = histories(g.path)
    assert history(g.path, tid) == whole[tid]
    assert whole[tid]


def _walk_one(g: GitLedger, tid: str, monkeypatch: pytest.MonkeyPatch) -> tuple[History, list[str]]:
    asked: list[str] = []
    still = History._still_written

    def spy(self: History, c: object, changes: object, t: str, year: int) -> bool:
        asked.append(t)
        return still(self, c, changes, t, year)  # type: ignore[arg-type]

    monkeypatch.setattr(History, "_still_written", spy)
    repo = Repo(g.path)
    try:
        walk = History(repo)
        for _ in walk.walk(repo.log(["HEAD"]), only=tid):
            pass
        return walk, asked
    finally:
        repo.close()


def test_a_walk_for_one_task_looks_up_no_other(g: GitLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    # XM-009 is created in a commit that also changes jtj2.yaml (parsed whole there, to
    # see whether a task was renamed); the next commit to jtj2.yaml does not hold XM-009.
    walk, asked = _walk_one(g, "XM-009", monkeypatch)
    assert set(asked) <= {"XM-009"}
    assert walk.cut is None


def test_the_first_commit_is_not_parsed_whole_for_one_task(g: GitLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    # XM-001 is created by the root commit, which can rename nothing: the files without
    # its id (jtj.yaml) are not parsed.
    walk, _ = _walk_one(g, "XM-001", monkeypatch)
    root = g.git("rev-list", "--max-parents=0", "HEAD")
    jtj = g.git("rev-parse", f"{root}:ledgers/jtj.yaml")
    assert walk.parser.cached(jtj, "ledgers/jtj.yaml", 2026) is None
    fgw = g.git("rev-parse", f"{root}:ledgers/fgw.yaml")
    # fgw.yaml is read; its view for one task is kept apart from whole views (issue 14:
    # only the items holding the id are placed), so that no other walk takes it for one
    assert walk.parser.cached(fgw, "ledgers/fgw.yaml", 2026) is None and walk.parser.parsed_items > 0
