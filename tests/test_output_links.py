"""Outputs never write through a link someone committed (issue 14: hostile input).

A ledger repository is written by many people, and the commands write their outputs into
it: `codeowners` writes CODEOWNERS at the top, `export` writes 台账-<date>.xlsx where it
runs. A committed `CODEOWNERS -> ~/.bashrc` made `sanzhua codeowners` overwrite the file
outside, and `bulletin.name: ../../x` in sanzhua.yaml put the Word bulletin two folders up.

Each command here runs twice on a copy of the bundled ledger: once to learn which files it
writes, then again with each of those files replaced by a link to a file outside the
ledger. The file outside must be untouched and the output a regular file again.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-25"

COMMANDS: dict[str, list[str]] = {
    "codeowners": ["codeowners"],
    "export-xlsx": ["export", "--as-of", AS_OF],
    "export-csv": ["export", "-f", "csv", "-o", "out.csv", "--as-of", AS_OF],
    "calendar": ["calendar", "--as-of", AS_OF],
    "brief-docx": ["brief", "--week", "-f", "docx", "--as-of", AS_OF],
    "brief-md-charts": ["brief", "--month", "-o", "month.md", "--as-of", AS_OF],
    "notices": ["brief", "--each-unit", "notices", "--as-of", AS_OF],
    "form": ["form", "--unit", "fgw", "--as-of", AS_OF],
    "forms": ["form", "--each-unit", "forms", "--as-of", AS_OF],
}


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bundled") / "ledger"
    root.mkdir()
    for name in ("sanzhua.yaml", "units.yaml", "ledgers", "templates"):
        src = HERE / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy2(src, root / name)
    return root


def run(root: Path, args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.is_dir() or p.is_symlink()}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_committed_link_is_replaced_not_written_through(bundled: Path, tmp_path: Path, name: str) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(bundled, root, symlinks=True)
    before = files(root)
    first = run(root, COMMANDS[name])
    assert first.returncode == 0, first.stderr
    written = sorted(files(root) - before)
    assert written, f"{name} wrote no file"
    outside = tmp_path / "outside"
    outside.mkdir()
    victims = {}
    for i, path in enumerate(written):
        victim = outside / f"victim-{i}"
        victim.write_text("not yours\n", encoding="utf-8")
        path.unlink()
        path.symlink_to(victim)
        victims[path] = victim
    again = run(root, COMMANDS[name])
    assert again.returncode == 0, again.stderr
    for path, victim in victims.items():
        assert victim.read_text(encoding="utf-8") == "not yours\n", f"{name} wrote through {path.name}"
        assert not path.is_symlink() and path.is_file(), path
    assert not [p for p in files(root) if ".sanzhua-tmp" in p.name], "a temporary was left behind"


def test_a_new_output_has_the_umask_mode_not_a_temporary_files(bundled: Path, tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    shutil.copytree(bundled, root, symlinks=True)
    assert run(root, ["calendar", "--as-of", AS_OF]).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((root / "deadlines.ics").stat().st_mode) == 0o666 & ~umask


def test_the_bulletin_name_cannot_lead_out_of_the_folder(bundled: Path, tmp_path: Path) -> None:
    root = tmp_path / "a" / "b" / "ledger"
    shutil.copytree(bundled, root, symlinks=True)
    settings = root / "sanzhua.yaml"
    text = settings.read_text(encoding="utf-8").replace("  name: 政务督查", '  name: "../../pwn"', 1)
    assert "pwn" in text
    settings.write_text(text, encoding="utf-8")
    r = run(root, ["brief", "--week", "-f", "docx", "--as-of", AS_OF])
    assert r.returncode == 0, r.stderr
    made = list(tmp_path.rglob("*pwn*.docx"))
    assert [p.parent for p in made] == [root], made
