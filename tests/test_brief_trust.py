"""What a bulletin says about itself (issue 13): the commit it was made from, uncommitted
changes, or that the ledger is not in git at all."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from sanzhua.cli import app
from tests.conftest import MakeLedger

TASKS = """\
unit: fgw
tasks:
  - {id: A-1, title: 修路, start: 2026-03-01, due: 2026-12-31}
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=督查室", "-c", "user.email=ducha@x.gov.cn", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _brief(root: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["brief", "--week", "--root", str(root), "--as-of", "2026-11-25", *args])
    return res.exit_code, res.stdout


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))


def test_bulletin_names_its_commit_after_the_banji(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    sha = _git(root, "rev-parse", "--short", "HEAD")
    code, md = _brief(root)
    assert code == 0
    assert md.rstrip().endswith(f"*据台账提交 {sha}（{_git(root, 'log', '-1', '--format=%cs')}）生成。*")
    docx = tmp_path / "b.docx"
    code, _ = _brief(root, "-f", "docx", "-o", str(docx))
    words = _docx_text(docx)
    assert words.index("印发") < words.index(f"据台账提交 {sha}")  # small print after the 版记
    assert "未提交的修改" not in words


def test_uncommitted_changes_are_said(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    (root / "ledgers/fgw.yaml").write_text(TASKS.replace("修路", "修桥"), encoding="utf-8")
    code, md = _brief(root)
    assert code == 0 and "生成时工作区有未提交的修改" in md.splitlines()[-1]
    docx = tmp_path / "b.docx"
    _brief(root, "-f", "docx", "-o", str(docx))
    assert "生成时工作区有未提交的修改" in _docx_text(docx)
    # A bulletin written into the repository is not a change to the ledger.
    (root / "ledgers/fgw.yaml").write_text(TASKS, encoding="utf-8")
    _brief(root, "-o", str(root / "政务督查.md"))
    assert "未提交" not in (root / "政务督查.md").read_text(encoding="utf-8")


def test_not_a_git_repository_is_said(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    code, md = _brief(root)
    assert code == 0 and "本文件生成时台账不在 git 仓库中" in md.splitlines()[-1]
    code, md = _brief(root, "--lang", "en")
    assert "not in a git repository" in md.splitlines()[-1]


def test_notice_names_its_commit_too(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    res = CliRunner().invoke(app, ["brief", "--unit", "fgw", "--root", str(root), "--as-of", "2026-11-25"])
    assert res.exit_code == 0 and "据台账提交" in res.stdout.splitlines()[-1]
