"""A ledger file whose name holds a line break or a control character (issue 14: hostile
input). Printed as it was, the name `a<newline>::error file=x.yaml::…` forged a line of its
own in the CI log (GitHub reads a line that starts with :: as a command), and an ESC in it
reached the terminal. Such a file is now named escaped, on one line, and not read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = "units:\n  - id: fgw\n    name: 县发改委\n"
NAME = "a\n::error file=x.yaml,line=1::pwn\x1b[2J.yaml"
SHOWN = "ledgers/a\\n::error file=x.yaml,line=1::pwn\\x1b[2J.yaml"


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root / ".xdg")}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args, "--as-of", "2026-11-25"],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "sanzhua.yaml").write_text("name: 测试台账\nlang: zh\n", encoding="utf-8")
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "ok.yaml").write_text(
        "unit: fgw\ntasks:\n  - {id: A-1, title: 好, owner: 张三, due: 2026-12-31}\n", encoding="utf-8")
    (tmp_path / "ledgers" / NAME).write_text(
        "unit: fgw\ntasks:\n  - {id: B-1, title: 坏, owner: 张三, due: 2026-12-31}\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_check_names_the_file_escaped_on_one_line(root: Path, fmt: str) -> None:
    r = run(root, "check", "--format", fmt)
    assert r.returncode == 1
    assert "\x1b" not in r.stdout
    lines = [s for s in r.stdout.splitlines() if "pwn" in s]
    if fmt == "json":
        doc = json.loads(r.stdout)
        assert [p["file"] for p in doc["problems"] if p["code"] == "unsafe-file"] == [SHOWN]
    else:
        assert lines and all(s.startswith(SHOWN) or s.startswith("::error file=ledgers/a\\n") for s in lines)
        assert not any(s.startswith("::error file=x.yaml") for s in r.stdout.splitlines())


def test_reports_refuse_and_name_it(root: Path) -> None:
    r = run(root, "status")
    assert r.returncode == 1
    assert SHOWN in r.stderr and "\x1b" not in r.stderr
    assert not any(s.startswith("::") for s in r.stderr.splitlines())


@pytest.mark.parametrize("name", ["B.YAML", "b.Yml", "b.yaml "])
def test_a_name_that_only_looks_like_a_ledger_file_is_named_not_skipped(tmp_path: Path, name: str) -> None:
    """`B.YAML` (a Windows editor's upper case), `b.yaml ` (a trailing space): read by no
    command. Skipped in silence, its tasks were missing from every report; now an
    `unsafe-file` error, and a report names the file whose tasks it leaves out."""
    (tmp_path / "sanzhua.yaml").write_text("name: 测试台账\nlang: zh\n", encoding="utf-8")
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "ok.yaml").write_text(
        "unit: fgw\ntasks:\n  - {id: A-1, title: 好, owner: 张三, due: 2026-12-31}\n", encoding="utf-8")
    (tmp_path / "ledgers" / name).write_text(
        "unit: fgw\ntasks:\n  - {id: B-1, title: 坏, owner: 张三, due: 2026-12-31}\n", encoding="utf-8")
    (tmp_path / "ledgers" / "notes.md").write_text("not a ledger file\n", encoding="utf-8")
    r = run(tmp_path, "check", "--format", "json")
    assert r.returncode == 1, r.stdout + r.stderr
    assert [p["file"] for p in json.loads(r.stdout)["problems"] if p["code"] == "unsafe-file"] == [f"ledgers/{name}"]
    r = run(tmp_path, "status")
    assert r.returncode == 1 and f"ledgers/{name}" in r.stderr, r.stderr
