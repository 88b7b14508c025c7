"""A commit of many small ledger files parses them together (issue 14, p-site2).

The root commit of a ledger of 20,000 one-task files was 20,000 parses of the loader, one
item each, some 70 µs apiece besides their bytes: most of the site's history walk.
`Parser.prebatch` parses the items of a commit's small file versions in one document per
year, unit line and indent, and counts each as its own parse, so that the walk's budget
stops where it stopped. These tests count the loader's parses and hold the steps, and what
the budget counted after each, equal to the walk that parses each file alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sanzhua.history import blobs
from sanzhua.history.blobs import Parser, Placed
from sanzhua.history.git import Repo
from sanzhua.history.walk import History
from tests.test_history_repo import SUP, GitLedger

ONE = "unit: fgw\ntasks:\n  - {{id: M-{i:03d}, title: 件{i}, due: 2026-12-31}}\n"
BLOCK = (
    "unit: jtj\ntasks:\n- id: J-{i:03d}\n  title: 交{i}\n  due: 2026-11-30\n"
    "  progress:\n    - {{date: 2026-03-01, percent: {i}}}\n"
)
ODD = {
    "ledgers/syntax.yaml": "unit: fgw\ntasks:\n  - {id: S-001, title: [坏, due: 2026-12-31}\n",
    "ledgers/alias.yaml": "unit: fgw\ntasks:\n  - &a {id: A-001, title: 锚, due: 2026-12-31}\n",
    "ledgers/twice.yaml": "unit: fgw\ntasks:\n  - {id: M-007, title: 又一个, due: 2026-12-31}\n",
    "ledgers/broken.yaml": "unit: fgw\ntasks:\n  - {id: X-001, due: 2026-12-31}\n",
    "ledgers/two.yaml": (
        "unit: fgw\ntasks:\n  - {id: T-001, title: 一, due: 2026-12-31}\n  - {id: T-002, title: 二, due: 9月底}\n"
    ),
    "ledgers/nounit.yaml": "tasks:\n  - {id: N-001, title: 无单位, lead: fgw, due: 2026-12-31}\n",
    "ledgers/tab.yaml": "unit: fgw\ntasks:\n\t- {id: B-001, title: 制表, due: 2026-12-31}\n",
}


def _repo(tmp_path: Path) -> GitLedger:
    g = GitLedger(tmp_path / "r")
    g.baseline()
    for i in range(150):
        g.write(f"ledgers/m{i:03d}.yaml", ONE.format(i=i))
    for i in range(70):
        g.write(f"ledgers/j{i:03d}.yaml", BLOCK.format(i=i))
    for rel, text in ODD.items():
        g.write(rel, text)
    g.commit("许多小文件", who=SUP, when="2026-03-02")
    for i in range(0, 150, 2):  # 75 files changed in one commit, two files gone, three new
        g.edit(f"ledgers/m{i:03d}.yaml", f"件{i},", f"件{i}改,")
    (g.path / "ledgers/m001.yaml").unlink()
    (g.path / "ledgers/twice.yaml").unlink()
    for i in range(150, 153):
        g.write(f"ledgers/m{i:03d}.yaml", ONE.format(i=i))
    g.write("ledgers/broken.yaml", "unit: fgw\ntasks:\n  - {id: X-001, title: 补上, due: 2026-12-31}\n")
    g.commit("改一半", who=SUP, when="2026-03-03")
    g.edit("ledgers/m003.yaml", "件3,", "件三,")
    g.commit("改一个", who=SUP, when="2026-03-04")
    return g


def _placed(p: Placed | None) -> object:
    """A task where it stands: its lines as the file's (a batch parses it at other lines)."""
    if p is None:
        return None
    entries = [x.line + p.shift for kind in ("progress", "milestones", "extensions") for x in getattr(p.raw, kind)]
    return p.task, p.file, p.line, sorted((k, v[0] + p.shift, v[1]) for k, v in p.rel.items()), entries


def _walk(path: Path, only: str | set[str] | None) -> tuple[list[object], list[int], Parser]:
    repo = Repo(path)
    try:
        w = History(repo)
        steps: list[object] = []
        spent: list[int] = []
        for s in w.walk(repo.log(["HEAD"]), only=only):
            steps.append(
                [(t.id, _placed(t.old), _placed(t.new), t.copied, t.renamed_from, t.renamed_to) for t in s.tasks]
            )
            spent.append(w.spent())
        return steps, spent, w.parser
    finally:
        repo.close()


class _Parses:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.n = 0
        plain = blobs.parse_ledger_bytes

        def counting(*a: Any, **k: Any) -> Any:
            self.n += 1
            return plain(*a, **k)

        monkeypatch.setattr(blobs, "parse_ledger_bytes", counting)


SOME = {f"M-{i:03d}" for i in range(0, 153, 3)} | {"J-001", "X-001", "T-002"}
ONLY: list[str | set[str] | None] = [None, SOME, "M-000"]


@pytest.mark.parametrize("k", range(len(ONLY)))
def test_a_commit_of_many_small_files_parses_them_together(
    tmp_path: Path, k: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    g = _repo(tmp_path)
    only = ONLY[k]
    monkeypatch.setattr(blobs, "_CHUNK", 64, raising=False)  # the syntax error spoils a document of 64 items at most
    parses = _Parses(monkeypatch)
    got, spent, parser = _walk(g.path, only)
    batched = parses.n
    monkeypatch.setattr(Parser, "prebatch", lambda self, files: None, raising=False)
    parses.n = 0
    want, want_spent, alone = _walk(g.path, only)
    assert got == want
    assert spent == want_spent  # the budget counts each item as its own parse: it stops where it did
    assert (parser.parsed_items, parser.parsed_bytes) == (alone.parsed_items, alone.parsed_bytes)
    assert sum(len(s) for s in got) >= (150 if only is None else 10 if isinstance(only, set) else 2)
    if isinstance(only, str):
        assert batched == parses.n  # a walk for one id reads only the files holding it, as before
    else:
        # 226 files, then 79 versions: 305 parses of one file each before; now a document
        # for each 64 items, and the items of the one a syntax error spoils, one by one. With
        # a set, the third commit's files are read again whole, item by item, as before
        # (`History._only`: a task made there may be another renamed).
        assert parses.n >= 300
        assert batched <= (80 if only is None else parses.n - 200), (batched, parses.n)
