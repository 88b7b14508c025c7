"""The history package's pieces: item-by-item parsing equals the loader, git output parsing,
ledger trees built from the changes equal git's."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sanzhua.history import walk
from sanzhua.history.blobs import Parser, normalise
from sanzhua.history.git import Repo, parse_log
from sanzhua.history.walk import History, merge_task
from sanzhua.load import parse_ledger_bytes
from sanzhua.model import Progress, Task
from tests.test_history_repo import FGW, JTJ, SUP, GitLedger

REPO = Path(__file__).resolve().parent.parent

LAYOUTS = {
    "zh-keys": "责任单位: fgw\n任务清单:\n  - 编号: A-1\n    任务: 甲\n    时限: 9月底\n    进展:\n"
    "      - {日期: 2026-03-01, 进度: 10}\n  - 编号: A-2\n    任务: 乙\n    时限: 年底\n",
    "indent-0-unit-after": "tasks:\n- id: A-1\n  title: 甲\n  due: 2026-09-30\n# 注释\n- id: A-2\n  title: 乙\n"
    "  due: 2026-10-31\nunit: fgw\n",
    "crlf-bom": "\ufeffunit: fgw\r\ntasks:\r\n  - id: A-1\r\n    title: 甲\r\n    due: 2026-09-30\r\n",
    "flow": "unit: fgw\ntasks: [{id: A-1, title: 甲, due: 2026-09-30}]\n",
    "block-scalar": "unit: fgw\ntasks:\n  - id: A-1\n    title: 甲\n    due: 2026-09-30\n    progress:\n"
    "      - date: 2026-03-01\n        note: |\n          第一行\n          - 不是任务\n",
    "bad-task": "unit: fgw\ntasks:\n  - id: A-1\n    due: 2026-09-30\n"
    "  - id: A-2\n    title: 乙\n    due: 2026-02-30\n",
    "unknown-top": "unit: fgw\nextra: 1\ntasks:\n  - {id: A-1, title: 甲, due: 年底}\n",
    "syntax": "unit: fgw\ntasks:\n  - id: A-1\n\ttitle: 甲\n",
    "empty": "unit: fgw\ntasks:\n",
}


def _same(data: bytes, path: str) -> None:
    view = Parser().view("x", data, path, 2026)
    whole = parse_ledger_bytes(data, path, 2026)
    fatal = any(p.code in ("syntax", "encoding") for p in whole.problems)
    assert view.readable is not fatal
    got = [(p.task, p.line, {k: p.at(k) for k in p.rel if k != "__task__"}) for p in view.tasks]
    want = [(normalise(t), t.line, {k: v[0] for k, v in whole.positions.get(t.id, {}).items()}) for t in whole.tasks]
    assert got == want


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_item_parsing_equals_the_loader(name: str) -> None:
    _same(LAYOUTS[name].encode(), f"ledgers/{name}.yaml")


def test_item_parsing_equals_the_loader_on_the_example_ledger() -> None:
    files = sorted((REPO / "ledgers").rglob("*.y*ml"))
    assert files
    for f in files:
        _same(f.read_bytes(), f.relative_to(REPO).as_posix())


def test_items_are_cached_across_versions() -> None:
    p = Parser()
    a = LAYOUTS["zh-keys"]
    p.view("a", a.encode(), "f.yaml", 2026)
    before = p.parsed_items
    p.view("b", a.replace("任务: 乙", "任务: 丙").encode(), "f.yaml", 2026)
    assert p.parsed_items == before + 1


def test_parse_log_with_chinese_paths_and_merges() -> None:
    out = (
        b"\x01" + b"a" * 40 + b"\0\0A\0a@x\0" + b"2026-03-01T10:00:00+08:00\0\xe5\xbb\xba\0c@x\0"
        b"2026-03-09T10:00:00+08:00\0\n"
        b":000000 100644 " + b"0" * 40 + b" " + b"1" * 40 + b" A\0ledgers/\xe5\x8e\xbf.yaml\0"
        b"\x01" + b"b" * 40 + b"\0" + b"a" * 40 + b" " + b"c" * 40 + b"\0B\0b@x\0"
        b"2026-03-02T10:00:00+08:00\0merge\0b@x\x002026-03-02T10:00:00+08:00\0"
    )
    first, second = parse_log(out)
    assert first.changes[0].path == "ledgers/县.yaml" and first.changes[0].old is None
    assert first.subject == "建" and first.day.isoformat() == "2026-03-01"
    assert first.committer == "c@x" and first.committed_day.isoformat() == "2026-03-09"
    assert second.is_merge and second.changes == ()


def _task(*progress: Progress, due: str = "2026-09-30") -> Task:
    from datetime import date

    return Task(
        id="A",
        title="甲",
        lead="fgw",
        file="",
        line=0,
        start=date(2026, 1, 1),
        due=date.fromisoformat(due),
        progress=progress,
    )


def test_merge_task_combines_both_sides() -> None:
    from datetime import date

    p1, p2 = Progress(date(2026, 3, 1)), Progress(date(2026, 3, 2))
    base = _task()
    ours = _task(p1)
    theirs = _task(p2, due="2026-12-31")
    merged = merge_task(base, ours, theirs, None)
    assert merged is not None and set(merged.progress) == {p1, p2} and merged.due == date(2026, 12, 31)
    assert merge_task(base, None, base, None) is None  # deleted on one side
    assert merge_task(None, ours, None, None) == ours  # added on one side


def _count_calls(monkeypatch: pytest.MonkeyPatch, repo: Repo) -> list[str]:
    """The commits whose tree is listed by git from now on."""
    listed: list[str] = []
    real: Callable[[str], list[tuple[str, str]]] = repo.ledger_blobs

    def ls_tree(sha: str) -> list[tuple[str, str]]:
        listed.append(sha)
        return real(sha)

    monkeypatch.setattr(repo, "ledger_blobs", ls_tree)
    return listed


def test_trees_built_from_changes_equal_git_ls_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = GitLedger(tmp_path / "r")
    g.baseline()
    g.write("ledgers/sub/new.yaml", "unit: jtj\ntasks: []\n")
    g.commit("新增", who=JTJ, when="2026-03-02")
    g.git("checkout", "-q", "-b", "side")
    g.git("mv", "ledgers/fgw.yaml", "ledgers/县发改委.yaml")
    g.commit("改名", who=FGW, when="2026-03-03")
    g.git("checkout", "-q", "main")
    g.edit("ledgers/jtj.yaml", "县城道路绿化", "县城道路绿化提升")
    g.git("rm", "-q", "ledgers/sub/new.yaml")
    g.write("notes.txt", "不是台账\n")
    g.commit("修改", who=JTJ, when="2026-03-04")
    g.git("merge", "-q", "--no-ff", "-m", "合并", "side", who=SUP, when="2026-03-05")
    g.write("ledgers/.hidden.yaml", "unit: fgw\ntasks: []\n")
    g.commit("隐藏文件", who=SUP, when="2026-03-06")
    for kept in (1024, 2):  # every tree kept, and most of them evicted
        monkeypatch.setattr(walk, "_TREES", kept)
        repo = Repo(g.path)
        try:
            commits = repo.log(["HEAD"])
            want = {c.sha: dict(repo.ledger_blobs(c.sha)) for c in commits}
            listed = _count_calls(monkeypatch, repo)
            h = History(repo)
            h._tree(commits[0].sha)  # the one tree listed by git; the others follow from it
            list(h.walk(commits))
            for c in reversed(commits):
                assert h._tree(c.sha) == want[c.sha], c.subject
            if kept > len(commits):
                assert listed == [commits[0].sha]
        finally:
            repo.close()
