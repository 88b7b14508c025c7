"""The command line as a user meets it: help everywhere, exit codes, no tracebacks, the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import typer.main

import sanzhua as sanzhua_pkg
from sanzhua.cli import app
from tests.conftest import REPO, MakeLedger

# Where the sanzhua under test lives: subprocesses import the same one.
SRC = str(Path(sanzhua_pkg.__file__).resolve().parent.parent)


def sanzhua(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if env is None:
        env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_every_command_and_option_has_help() -> None:
    group = typer.main.get_command(app)
    commands = getattr(group, "commands", {})
    assert len(commands) >= 15
    missing = []
    for name, cmd in commands.items():
        if not (cmd.help or "").strip():
            missing.append(name)
        for param in cmd.params:
            if not (getattr(param, "help", "") or "").strip():
                missing.append(f"{name} {param.opts[0] if param.opts else param.name}")
    assert missing == []


def test_no_ledger_root_exits_2_and_says_init(tmp_path: Path) -> None:
    r = sanzhua("check", cwd=tmp_path)
    assert r.returncode == 2
    assert "sanzhua init" in r.stderr and "Traceback" not in r.stderr


def test_bad_option_exits_2(make_ledger: MakeLedger) -> None:
    root = make_ledger({})
    assert sanzhua("check", "--format", "xml", cwd=root).returncode == 2
    assert sanzhua("check", "--as-of", "明天", cwd=root).returncode == 2
    assert sanzhua("check", "--no-such-option", cwd=root).returncode == 2
    r = sanzhua("show", "NOPE", cwd=root)
    assert r.returncode == 2 and "NOPE" in r.stderr


def test_broken_files_give_messages_not_tracebacks(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": b"\x00\x01\x02binary",
            "ledgers/b.yaml": "unit: fgw\ntasks:\n  - id: A\n\ttitle: x\n",
            "ledgers/c.yaml": "- just\n- a list\n",
            "ledgers/d.yaml": "unit: fgw\ntasks:\n  - {id: D, title: d, due: 2026-13-01}\n",
        }
    )
    for command in (["check"], ["status"], ["brief", "--week"], ["score"], ["show", "D"]):
        r = sanzhua(*command, "--as-of", "2026-11-25", cwd=root)
        assert "Traceback" not in r.stderr + r.stdout, command
        assert r.returncode in (0, 1, 2), command
    r = sanzhua("check", "--as-of", "2026-11-25", cwd=root)
    assert r.returncode == 1
    for f in ("ledgers/a.yaml", "ledgers/b.yaml:4", "ledgers/c.yaml:1", "ledgers/d.yaml:3"):
        assert f in r.stdout


def test_init_then_check_in_an_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "新台账"
    r = sanzhua("init", str(target), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for rel in (
        "sanzhua.yaml",
        "units.yaml",
        "ledgers/fgw.yaml",
        ".github/workflows/sanzhua.yml",
        ".pre-commit-config.yaml",
    ):
        assert (target / rel).is_file(), rel
    assert (target / ".git").is_dir()
    r = sanzhua("check", cwd=target)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sanzhua("init", str(target), cwd=tmp_path).returncode == 2  # never over an existing ledger


def test_bundled_ledger_passes_check() -> None:
    r = sanzhua("check", "--as-of", "2026-11-25", "--no-cache", cwd=REPO)
    assert r.returncode == 0, r.stdout
    assert "0 个错误" in r.stdout


def test_github_annotations_chosen_under_actions(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 尽快}\n"})
    env = {**os.environ, "GITHUB_ACTIONS": "true", "PYTHONPATH": SRC}
    r = sanzhua("check", cwd=root, env=env)
    assert r.stdout.startswith("::error file=ledgers/a.yaml,line=3")


@pytest.mark.skipif(not (REPO / "pyproject.toml").exists(), reason="needs the source tree")
def test_wheel_carries_templates_and_runs_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    wheel = next(dist.glob("sanzhua-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "sanzhua/templates/brief.md.j2" in names and "sanzhua/templates/brief.docx" in names
    assert "sanzhua/docs/format.md" in names  # `sanzhua help format` reads it
    target = tmp_path / "site"
    inst = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert inst.returncode == 0, inst.stderr
    env = {**os.environ, "PYTHONPATH": str(target)}
    ledger = tmp_path / "ledger"
    assert sanzhua("init", str(ledger), cwd=tmp_path, env=env).returncode == 0
    where = subprocess.run(
        [sys.executable, "-c", "import sanzhua; print(sanzhua.__file__)"],
        cwd=ledger,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert where.stdout.startswith(str(target))
    r = sanzhua("help", "format", cwd=ledger, env=env)
    assert r.returncode == 0 and r.stdout.startswith("# 台账格式说明") and "时限" in r.stdout, r.stderr
    r = sanzhua("brief", "--week", "--format", "docx", "-o", "b.docx", cwd=ledger, env=env)
    assert r.returncode == 0, r.stderr
    assert (ledger / "b.docx").stat().st_size > 10_000
