"""The walk of the history for a set of task ids (issue 17): the site shows the history of
at most TASK_PAGES tasks, and its walk of the whole history held every task of each file
version it compared (the whole ledger of the first commit, twice, with its positions and
its items' text: some 600 MB at 100,000 tasks). `History.walk(only=set)` gives the steps
of the whole walk, those tasks' changes alone, and keeps no other task."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest

from sanzhua.commands import site as command
from sanzhua.commands.site import site
from sanzhua.history.blobs import Parser
from sanzhua.history.git import Repo
from sanzhua.history.timeline import histories
from sanzhua.history.walk import History, Step
from sanzhua.site import data as site_data
from tests.test_history_repo import JTJ, SUP, GitLedger
from tests.test_hostile_costs import _big_file
from tests.test_log_walk import rich
from tests.test_site import _bundled, _git
from tests.test_site_bounds import AS_OF, _tasks_js
from tests.test_site_taskpage import _same


def _more(g: GitLedger) -> None:
    """After `rich`: a task broken and mended, a copy, an id removed from one file of two
    with a task of its title made beside it (not a rename: the id is still elsewhere), a
    rename across two ids, and a file of more than BATCH_MIN items, in several versions."""
    g.edit("ledgers/jtj.yaml", "    title: 县城道路绿化提升\n", "")
    g.commit("写坏", who=JTJ, when="2026-03-10")
    g.edit("ledgers/jtj.yaml", "    due: 年底\n", "    title: 县城道路绿化提升\n    due: 2026-12-20\n")
    g.commit("修好", who=JTJ, when="2026-03-11")
    g.write(
        "ledgers/copy.yaml", "unit: jtj\ntasks:\n  - id: JT-001\n    title: 县城道路绿化提升\n    due: 2027-06-30\n"
    )
    g.write("ledgers/dup1.yaml", "unit: fgw\ntasks:\n  - id: D-1\n    title: 重复任务\n    due: 2026-12-31\n")
    g.write("ledgers/dup2.yaml", "unit: fgw\ntasks:\n  - id: D-1\n    title: 重复任务\n    due: 2026-12-31\n")
    g.write("ledgers/ren.yaml", "unit: fgw\ntasks:\n  - id: R-1\n    title: 改号任务\n    due: 2026-12-31\n")
    g.write("ledgers/big.yaml", _big_file(100).decode())
    g.commit("复制", who=SUP, when="2026-03-12")
    g.edit("ledgers/dup1.yaml", "id: D-1\n", "id: D-2\n")
    g.edit(
        "ledgers/ren.yaml", "id: R-1\n    title: 改号任务\n    due: 2026-12-31",
        "id: R-2\n    title: 改号任务\n    due: 2027-01-31"
    )
    g.edit("ledgers/big.yaml", "title: 任务3\n", "title: 任务3改\n")
    g.edit("ledgers/big.yaml", "  - id: B-0010\n    title: 任务10\n    due: 2026-12-31\n", "")
    g.commit("改号", who=SUP, when="2026-03-13")
    g.edit("ledgers/big.yaml", "title: 任务4\n", "title: 任务4改\n")
    g.commit("再改", who=SUP, when="2026-03-14")


@pytest.fixture
def g(tmp_path: Path) -> GitLedger:
    repo = GitLedger(tmp_path / "r")
    rich(repo)
    _more(repo)
    return repo


def _steps(g: GitLedger, only: set[str] | None) -> tuple[History, list[Step]]:
    repo = Repo(g.path)
    try:
        walk = History(repo)
        return walk, list(walk.walk(repo.log(["HEAD"]), only=only))
    finally:
        repo.close()


def _held(parser: Parser) -> set[str]:
    """The ids of the tasks whose versions the parser holds: its items and its file views."""
    items = {v[0].id for v in parser._items.values() if isinstance(v, tuple)}
    return items | {p.task.id for v in parser._files.values() for p in v.tasks}


SETS = [
    {"D-2"},  # made beside D-1, which stays in dup2.yaml: created, not renamed
    {"R-2"},  # R-1 given a new id: compared with R-1 although R-1 is not asked for
    {"R-1", "JT-033"},  # JT-003 renamed JT-033 by `rich`
    {"JT-001", "XM-002"},  # broken and mended, copied; changed in a merge's branch
    {"B-0003", "B-0010", "B-0050"},  # a file of 100 items (parsed in one document)
    {"XM-001", "XM-009", "JT-002", "JT-003"},
]


@pytest.mark.parametrize("only", SETS, ids=["+".join(sorted(s)) for s in SETS])
def test_the_walk_for_a_set_gives_the_whole_walks_steps_for_those_tasks(g: GitLedger, only: set[str]) -> None:
    _, whole = _steps(g, None)
    walk, got = _steps(g, only)
    assert len(got) == len(whole) == 15
    for mine, every in zip(got, whole, strict=True):
        assert mine == replace(every, tasks=[t for t in every.tasks if t.id in only])
    assert any(t.renamed_from for s in whole for t in s.tasks if t.id in only) == bool(only & {"R-2", "JT-033"})
    # Nothing of the other tasks is kept: before, every task of every version read.
    assert _held(walk.parser) <= only
    assert _held(History(Repo(g.path)).parser) == set()
    every_walk, _ = _steps(g, None)
    assert len(_held(every_walk.parser)) > 100


def test_the_events_of_a_set_are_those_of_the_whole_walk(g: GitLedger) -> None:
    whole = histories(g.path)
    ids = {"R-2", "D-2", "JT-001", "JT-033", "B-0003", "B-0010"}
    assert histories(g.path, keep=ids) == {k: v for k, v in whole.items() if k in ids}


def test_the_walk_lets_go_of_each_blob_once_walked(g: GitLedger) -> None:
    """The first commit's file versions (at 100,000 tasks the ledger's 78 MB) were held
    until the walk's next window of commits, 256 later: now each is let go once the last
    commit of the window that changed it is compared, before its step is read."""
    repo = Repo(g.path)
    try:
        commits = repo.log(["HEAD"])
        walk = History(repo)
        held = []
        for k, _ in enumerate(walk.walk(commits, only={"XM-001"})):
            later = {oid for c in commits[k + 1 :] for ch in c.changes for oid in (ch.old, ch.new)}
            assert set(walk._prefetched) <= later  # before: every blob of the window
            held.append(len(walk._prefetched))
        assert held[0] > 0 and held[-1] == 0
    finally:
        repo.close()


def test_a_site_over_a_history_is_the_same_with_the_set_walked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The bundled ledger's 111 tasks with 10 pages of their own, in a history of a few
    commits (a file added, a title changed on a branch and merged, a task moved): every
    file of the site as when every task was walked and had its events made."""
    monkeypatch.setattr(site_data, "TASK_PAGES", 10)
    monkeypatch.setattr(site_data, "GROUP_SIZE", 25)
    root = _bundled(tmp_path)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "建立台账")
    kept = tmp_path / "kept"
    assert site(root, as_of=AS_OF, output=kept, out=io.StringIO(), archive=False) == 0
    rows = _tasks_js(kept)
    paged = [r["id"] for r in rows[:10]]
    (root / "ledgers" / "extra.yaml").write_text(
        "unit: fgw\ntasks:\n  - {id: EXTRA-1, title: 追加任务, due: 2026-11-20}\n", encoding="utf-8"
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "追加", when="2026-04-01T10:00:00+08:00")
    _git(root, "checkout", "-q", "-b", "side")
    for rel in sorted((root / "ledgers").glob("*.yaml")):
        text = rel.read_text(encoding="utf-8")
        for tid in [*paged[:3], rows[-1]["id"]]:
            text = text.replace(f"id: {tid}\n", f"id: {tid}\n    tags: [分支]\n", 1)
        rel.write_text(text, encoding="utf-8")
    _git(root, "commit", "-q", "-am", "分支", when="2026-05-01T10:00:00+08:00")
    _git(root, "checkout", "-q", "main")
    _git(root, "mv", "ledgers/extra.yaml", "ledgers/extra2.yaml")
    _git(root, "commit", "-q", "-m", "改名", when="2026-05-02T10:00:00+08:00")
    _git(root, "merge", "-q", "--no-ff", "-m", "合并", "side", when="2026-05-03T10:00:00+08:00")
    walked: list[object] = []
    real_walk = History.walk

    def walk(self: History, commits: object, only: object = None) -> object:
        walked.append(only)
        return real_walk(self, commits, only)  # type: ignore[arg-type]

    monkeypatch.setattr(History, "walk", walk)
    assert site(root, as_of=AS_OF, output=kept, out=io.StringIO(), archive=False) == 0
    assert walked == [set(r["id"] for r in _tasks_js(kept)[:10])]
    real = command.task_events
    monkeypatch.setattr(command, "task_events", lambda root, notes, keep: real(root, notes))
    whole = tmp_path / "whole"
    assert site(root, as_of=AS_OF, output=whole, out=io.StringIO(), archive=False) == 0
    assert walked[-1] is None
    _same(kept, whole)
    assert "分支" in (kept / _tasks_js(kept)[0]["href"]).read_text(encoding="utf-8")


def test_a_page_event_holds_the_lines_of_the_event() -> None:
    """The site holds each event of a paged task as the row its page shows (`PageEvent`),
    its lines joined into one string unless a line holds a line feed: the rows are the
    lines `change_lines` gives, in both languages, a note of several lines kept whole."""
    from sanzhua.history.timeline import Change, Event, change_lines
    from sanzhua.i18n import shown
    from sanzhua.site.story import event_rows, page_event

    def event(*changes: Change) -> Event:
        return Event("a" * 40, "张三", "z@x.cn", "2026-03-01", "进展", "changed", "ledgers/a.yaml", 3,
                     changes=list(changes))  # fmt: skip

    one = Change("title", "旧", "新")
    note = Change("progress", None, {"date": "2026-03-01", "note": "第一行\n第二行"}, "added")
    for e in (event(), event(one), event(one, note), event(note), event(one, Change("tags", None, ["甲"]))):
        for lang in ("zh", "en"):
            want = [shown(line, lang) for line in change_lines(e, lang)]
            row = page_event(e, lang)
            assert row.line_list() == want
            assert event_rows([row])[0]["lines"] == want
            assert isinstance(row.lines, str) == (bool(want) and not any("\n" in x for x in want))
