"""Many ledger files and long histories (issue 14, p-hostile5): the work is counted, not
timed.

- whether the ledger's files differ from HEAD (the form's and the bulletin's commit line)
  gives git the files' folders, not each file: git matches every file of the repository
  against every pathspec, and 20,000 one-task files were 4.6 s of git's CPU;
- the loader resolves each folder of ledger files once, not every component of every
  file's path (20,000 files in one folder were 160,000 lstat calls), and a file that is a
  link is still resolved whole.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from sanzhua.history import git as git_mod
from sanzhua.history.git import worktree_changed
from sanzhua.load import load_ledger
from tests.conftest import MakeLedger
from tests.test_history_repo import GitLedger

ONE = "unit: fgw\ntasks:\n  - {{id: M-{i:03d}, title: 件{i}, due: 2026-12-31}}\n"


def _many(tmp_path: Path, n: int) -> tuple[GitLedger, tuple[str, ...]]:
    g = GitLedger(tmp_path / "repo")
    g.write("sanzhua.yaml", "name: 台账\nyear: 2026\n")
    g.write("units.yaml", "units:\n  - {id: fgw, name: 县发改委}\n")
    for i in range(n):
        g.write(f"ledgers/m{i:03d}.yaml", ONE.format(i=i))
    g.write("ledgers/other/notes.yaml", "x: 1\n")
    g.write("README.md", "台账\n")
    g.commit("many")
    return g, ("sanzhua.yaml", "units.yaml", *(f"ledgers/m{i:03d}.yaml" for i in range(n)))


def test_whether_many_files_changed_gives_git_their_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    g, paths = _many(tmp_path, 300)
    specs: list[int] = []
    plain_run = subprocess.run

    def counting(argv: list[str], *a: Any, **k: Any) -> Any:
        specs.append(len(argv) - argv.index("--") - 1)
        return plain_run(argv, *a, **k)

    monkeypatch.setattr(git_mod.subprocess, "run", counting)
    assert worktree_changed(g.path, paths) is False
    assert len(specs) == 3 and max(specs) <= 3, specs  # before: 302 pathspecs a call
    monkeypatch.setattr(git_mod.subprocess, "run", plain_run)
    # what is and is not one of `paths`, as before
    g.write("README.md", "改了\n")
    g.write("ledgers/other/notes.yaml", "x: 2\n")
    g.write("ledgers/untracked.yaml", "x: 3\n")
    g.write("elsewhere/new.yaml", "x: 4\n")
    assert worktree_changed(g.path, paths) is False
    assert worktree_changed(g.path, (*paths, "ledgers/untracked.yaml")) is True  # untracked
    assert worktree_changed(g.path, ("ledgers",)) is True
    g.edit("ledgers/m150.yaml", "件150", "件一五零")
    assert worktree_changed(g.path, paths) is True
    g.git("checkout", "--", "ledgers/m150.yaml")
    (g.path / "ledgers/m007.yaml").unlink()
    assert worktree_changed(g.path, paths) is True  # deleted
    g.git("checkout", "--", "ledgers/m007.yaml")
    assert worktree_changed(g.path, paths) is False
    g.git("add", "ledgers/untracked.yaml")
    assert worktree_changed(g.path, (*paths, "ledgers/untracked.yaml")) is True  # staged, not committed
    assert worktree_changed(g.path, paths) is False


def test_a_file_name_that_looks_like_a_pattern_is_only_itself(tmp_path: Path) -> None:
    g, _paths = _many(tmp_path, 3)
    g.write("ledgers/[m]*.yaml", ONE.format(i=9))
    g.commit("odd")
    g.write("ledgers/m001.yaml", "changed\n")
    assert worktree_changed(g.path, ("ledgers/[m]*.yaml",)) is False


def test_the_loader_resolves_a_folder_of_files_once(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {f"ledgers/m{i:03d}.yaml": ONE.format(i=i) for i in range(200)}
    files["ledgers/sub/s.yaml"] = ONE.format(i=201)
    root = make_ledger(files)
    outside = root.parent / "outside.yaml"
    outside.write_text(ONE.format(i=202), encoding="utf-8")
    (root / "ledgers/out.yaml").symlink_to(outside)
    (root / "ledgers/in.yaml").symlink_to(root / "ledgers/sub/s.yaml")
    resolved: list[str] = []
    plain = os.path.realpath

    def counting(path: Any, *a: Any, **k: Any) -> str:
        resolved.append(str(path))
        got: str = plain(path, *a, **k)
        return got

    monkeypatch.setattr(os.path, "realpath", counting)
    ledger = load_ledger(root, cache=False)
    ids = sorted(t.id for t in ledger.tasks)
    assert len(ids) == 202 and ids.count("M-201") == 2 and "M-202" not in ids  # the link in read, the one out not
    assert [p.code for f in ledger.files if f.path == "ledgers/out.yaml" for p in f.problems] == ["unsafe-file"]
    assert len(resolved) <= 20, len(resolved)  # the settings, the folders, the links; before: 215, one a file more


def test_asking_twice_whether_many_files_changed_reads_them_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The site asks of "." and its archive of the ledger's files: 40,000 files were read
    and hashed twice (issue 14, p-site2). An unchanged stat now answers the second time."""
    g, paths = _many(tmp_path, 300)
    old = 1_700_000_000
    for p in (g.path / "ledgers").rglob("*.yaml"):
        os.utime(p, (old, old))
    hashed: list[int] = []
    plain = git_mod._blob_id

    def counting(data: bytes, digits: int) -> str:
        hashed.append(len(data))
        return plain(data, digits)

    monkeypatch.setattr(git_mod, "_blob_id", counting)
    assert worktree_changed(g.path, (".",)) is False
    first = len(hashed)
    assert first >= 300
    assert worktree_changed(g.path, paths) is False
    assert worktree_changed(g.path, ("ledgers",)) is False
    assert len(hashed) - first <= 5  # before: every file again, 300 and 301
    # a file rewritten with bytes of the same size and its old mtime set back: still seen
    target = g.path / "ledgers/m150.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("件150", "件151"), encoding="utf-8")
    os.utime(target, (old, old))
    assert worktree_changed(g.path, paths) is True
    g.git("checkout", "--", "ledgers/m150.yaml")
    assert worktree_changed(g.path, paths) is False
    g.edit("ledgers/m007.yaml", "件7", "件七")  # a new mtime
    assert worktree_changed(g.path, ("ledgers",)) is True
