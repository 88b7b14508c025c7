"""A long history of a big file costs the items each commit changed (issue 14).

Every version of a file was cut into its items, each item keyed (with a set of ids walked,
a BLAKE2b digest of its text) and placed, and every task of the file compared with its last
version: 60 commits of a 60,000-task file were 60 × 60,000 of each (`site` 25 s CPU, `log
ID` 8 s). A version is now cut against the last version of the file cut (`Parser._recut`):
the items both begin and end with are taken as they were; and `History._sides` compares
only the tasks of the items changed when the others are the same tasks (`walk._steady`).
These tests hold both equal to the whole cut and the whole comparison, and count the work."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from sanzhua.history.blobs import Parser
from sanzhua.history.git import Repo
from sanzhua.history.walk import History, Step
from sanzhua.model import Task
from tests.test_history_repo import SUP, GitLedger
from tests.test_hostile_costs import _big_file
from tests.test_walk_set import _more, rich


def _whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every version cut whole, as before."""
    monkeypatch.setattr(Parser, "_recut", lambda self, text, path, year: None)


def _edits(data: str, rng: random.Random) -> str:
    """One random change of a ledger file's text, some of them outside the task list or
    ending it, some making an item that does not parse alone."""
    lines = data.split("\n")
    k = rng.randrange(2, max(3, len(lines) - 1))
    kind = rng.randrange(14)
    if kind == 0:
        lines[k] = lines[k].replace("任务", "工作")
    elif kind == 1:
        lines.insert(k, "    # 注释")
    elif kind == 2:
        del lines[k]
    elif kind == 3:
        lines.insert(k, f"  - id: N-{rng.randrange(10**6)}\n    title: 新{k}\n    due: 2026-12-31")
    elif kind == 4:
        lines.insert(k, "  - id: B-0001\n    title: 重复\n    due: 2026-11-30")  # an id twice
    elif kind == 5:
        lines.insert(k, "\ttitle: 制表")  # a tab: the file cut whole, or not at all
    elif kind == 6:
        lines.insert(k, "extra: 1")  # a key at column 0: the list ends there
    elif kind == 7:
        lines[0] = "unit: jtj"  # outside the list
    elif kind == 8:
        lines.append("  - {id: Z-1, title: 末, due: 2026-12-31}")
    elif kind == 9:
        lines.insert(k, "    progress:\n      - {date: 2026-03-01, percent: 10}")
    elif kind == 10:
        lines[k] = lines[k].replace("due: 2026-12-31", "due: 2026-02-30")  # an error of the task
    elif kind == 11:
        lines.insert(k, "    title: [")  # a syntax error
    elif kind == 12:
        lines[k] = lines[k] + " &a" if rng.random() < 0.5 else lines[k].replace("任务", "*a")
    else:
        lines.insert(2, "  # 开头")
    return "\n".join(lines).rstrip("\n") + ("\n" if rng.random() < 0.9 else "")


def _versions(seed: int, n: int = 20) -> list[str]:
    rng = random.Random(seed)
    text = _big_file(120).decode()
    out = [text]
    for _ in range(n):
        good = out[-1] if rng.random() < 0.7 or "\t" not in out[-1] else out[0]
        out.append(_edits(good, rng))
    return out


MODES: list[tuple[frozenset[str] | None, str | None]] = [
    (None, None),
    (frozenset({"B-0001", "B-0005", "B-0050", "N-1"}), None),
    (None, "B-0005"),
    (None, "B-0001"),
]


def _read(versions: list[str], keep: frozenset[str] | None, needle: str | None) -> tuple[list[Any], Parser]:
    p = Parser(keep=keep)
    got = []
    for k, text in enumerate(versions):
        for year in (2026, 2026, 2027) if k % 7 == 3 else (2026,):
            v = p.view(f"o{k}-{year}", text.encode(), "ledgers/big.yaml", year, needle)
            got.append((v.readable, [(x.task, x.raw, x.file, x.line, x.rel) for x in v.tasks]))
    return got, p


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("mode", range(len(MODES)))
def test_a_version_cut_against_the_last_reads_as_one_cut_whole(
    seed: int, mode: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    keep, needle = MODES[mode]
    versions = _versions(seed)
    got, mine = _read(versions, keep, needle)
    _whole(monkeypatch)
    want, theirs = _read(versions, keep, needle)
    assert got == want
    # the walk's budget counts the same parses
    assert (mine.parsed_items, mine.parsed_files, mine.parsed_bytes) == (
        theirs.parsed_items,
        theirs.parsed_files,
        theirs.parsed_bytes,
    )


class _Count:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
        self.n = 0
        real = getattr(owner, name)

        def counted(*a: Any, **k: Any) -> Any:
            self.n += 1
            return real(*a, **k)

        monkeypatch.setattr(owner, name, counted)


def test_a_new_version_of_a_big_file_keys_only_the_items_it_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    keys = _Count(monkeypatch, Parser, "_key")
    for keep in (None, frozenset({"B-0003"})):
        keys.n = 0
        p = Parser(keep=keep)
        text = _big_file(300).decode()
        p.view("o0", text.encode(), "ledgers/big.yaml", 2026)
        assert keys.n == 300
        for k in range(1, 21):
            text = text.replace(f"title: 任务{k * 7}\n", f"title: 任务{k * 7}改\n", 1)
            v = p.view(f"o{k}", text.encode(), "ledgers/big.yaml", 2026)
            assert v.readable
        assert keys.n <= 300 + 20 * 2  # before: 300 a version, 6,300


def test_a_file_of_one_item_written_many_times_parses_that_item_once() -> None:
    """3.2 million bare `- ` items (9.6 MB) were all handed to the loader in one batch
    document, a second copy of the file in nodes: `sanzhua audit` 1.93 GB, 8.8 s. The same
    text is one item to parse (issue 14)."""
    for keep in (None, frozenset({"X-1"})):
        p = Parser(keep=keep)
        data = ("unit: fgw\ntasks:\n" + "- \n" * 20_000 + "- {id: X-1, title: t, due: 2026-12-31}\n").encode()
        v = p.view("o0", data, "ledgers/x.yaml", 2026)
        assert v.readable and [x.task.id for x in v.tasks] == ["X-1"]
        assert p.parsed_bytes < 1000  # before: 80,057, the whole list again
        assert p.parsed_items == 2


def _history(g: GitLedger) -> None:
    """A big file edited commit after commit: one task, a task moved to a small file and
    back, an id written twice, items added and removed, a file renamed."""
    g.baseline()
    g.write("ledgers/big.yaml", _big_file(150).decode())
    g.commit("大文件", who=SUP, when="2026-03-02")
    for k in range(6):
        g.edit("ledgers/big.yaml", f"title: 任务{k * 11}\n", f"title: 任务{k * 11}第{k}改\n")
        g.commit(f"改{k}", who=SUP, when=f"2026-03-{3 + k:02d}")
    g.edit("ledgers/big.yaml", "  - id: B-0020\n    title: 任务20\n    due: 2026-12-31\n", "")
    g.write("ledgers/small.yaml", "unit: fgw\ntasks:\n  - id: B-0020\n    title: 任务20\n    due: 2026-12-31\n")
    g.commit("移出", who=SUP, when="2026-03-10")
    g.edit("ledgers/big.yaml", "  - id: B-0040\n", "  - id: B-0041\n")  # B-0041 twice
    g.edit("ledgers/small.yaml", "title: 任务20\n", "title: 任务20改\n")
    g.commit("重号", who=SUP, when="2026-03-11")
    g.edit("ledgers/big.yaml", "  - id: B-0041\n", "  - id: B-0040\n")
    g.write("ledgers/small.yaml", "unit: fgw\ntasks:\n  - id: B-0060\n    title: 任务60\n    due: 2026-12-31\n")
    g.commit("复制", who=SUP, when="2026-03-12")
    progress = "    progress:\n      - {date: 2026-03-13, percent: 5}\n"
    g.edit("ledgers/big.yaml", "title: 任务99\n", "title: 任务99\n" + progress)
    g.edit("ledgers/big.yaml", "title: 任务140\n", "title: 任务一四零\n")
    g.commit("进展", who=SUP, when="2026-03-13")
    g.git("mv", "ledgers/big.yaml", "ledgers/大.yaml")
    g.edit("ledgers/大.yaml", "title: 任务3\n", "title: 任务三\n")
    g.commit("改名", who=SUP, when="2026-03-14")


def _steps(path: Path, only: str | set[str] | None) -> list[Step]:
    repo = Repo(path)
    try:
        return list(History(repo).walk(repo.log(["HEAD"]), only=only))
    finally:
        repo.close()


ONLY: list[str | set[str] | None] = [
    None,
    {"B-0000", "B-0020", "B-0040", "B-0041", "B-0060", "B-0099", "B-0140"},
    {"B-0003", "JT-001", "R-2", "B-0010"},
    "B-0020",
    "B-0041",
]


@pytest.mark.parametrize("which", ["big", "rich"])
@pytest.mark.parametrize("k", range(len(ONLY)))
def test_the_walk_over_a_big_files_history_is_the_whole_comparisons(
    tmp_path: Path, which: str, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = GitLedger(tmp_path / "r")
    if which == "big":
        _history(g)
    else:
        rich(g)
        _more(g)
    only = ONLY[k]
    got = _steps(g.path, only)
    _whole(monkeypatch)
    monkeypatch.setattr("sanzhua.history.walk._steady", lambda pairs: {})
    want = _steps(g.path, only)
    assert got == want
    if which == "big" and only is None:
        assert sum(len(s.tasks) for s in got) > 150


def test_a_commit_of_one_task_of_a_big_file_compares_that_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g = GitLedger(tmp_path / "r")
    g.baseline()
    g.write("ledgers/big.yaml", _big_file(400).decode())
    g.commit("大文件", who=SUP, when="2026-03-02")
    for k in range(10):
        g.edit("ledgers/big.yaml", f"title: 任务{k * 13}\n", f"title: 任务{k * 13}改\n")
        g.commit(f"改{k}", who=SUP, when=f"2026-03-{3 + k:02d}")
    eq = _Count(monkeypatch, Task, "__eq__")
    for only in (None, {f"B-{i:04d}" for i in range(0, 400, 2)}):
        eq.n = 0
        steps = _steps(g.path, only)
        changed = [t for s in steps[2:] for t in s.tasks]
        assert len(changed) == (10 if only is None else 5)
        assert eq.n <= 10 * 3  # before: every task of the file compared each commit, 4,000 and 2,000
