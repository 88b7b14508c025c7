"""bench/generate.py: deterministic, the requested size, both key styles, and valid."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import bench_generator

REPO = Path(__file__).resolve().parent.parent
UNITS, PER_UNIT = 30, 8


gen = bench_generator()


@pytest.fixture(scope="module")
def ledger_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ledger")
    assert gen.generate(root, UNITS, PER_UNIT, 7) == UNITS * PER_UNIT
    return root


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _ledger_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "ledgers").rglob("*") if p.suffix in (".yaml", ".yml"))


def _documents(root: Path) -> list[dict[str, Any]]:
    return [yaml.load(p.read_text(encoding="utf-8-sig"), Loader=yaml.CSafeLoader)
            for p in _ledger_files(root)]


def test_same_arguments_give_byte_identical_output(ledger_root: Path, tmp_path: Path) -> None:
    gen.generate(tmp_path / "again", UNITS, PER_UNIT, 7)
    assert _files(tmp_path / "again") == _files(ledger_root)


def test_another_seed_gives_another_ledger(ledger_root: Path, tmp_path: Path) -> None:
    gen.generate(tmp_path / "other", UNITS, PER_UNIT, 8)
    assert _files(tmp_path / "other") != _files(ledger_root)


def test_the_command_line_writes_the_same_ledger(ledger_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "cli"
    subprocess.run([sys.executable, str(REPO / "bench" / "generate.py"), str(out),
                    "--units", str(UNITS), "--tasks-per-unit", str(PER_UNIT), "--seed", "7"],
                   check=True, capture_output=True)
    assert _files(out) == _files(ledger_root)


def test_requested_numbers_of_files_units_and_tasks(ledger_root: Path) -> None:
    settings = yaml.safe_load((ledger_root / "sanzhua.yaml").read_text(encoding="utf-8"))
    assert settings["year"] == 2026 and settings["lang"] == "zh" and settings["name"]
    units = yaml.safe_load((ledger_root / "units.yaml").read_text(encoding="utf-8"))["units"]
    assert [u["id"] for u in units] == [f"u{i:04d}" for i in range(1, UNITS + 1)]

    docs = _documents(ledger_root)
    assert len(docs) == UNITS
    tasks = [t for d in docs for t in d.get("tasks", d.get("任务清单", []))]
    assert len(tasks) == UNITS * PER_UNIT
    ids = [t.get("id") or t.get("编号") for t in tasks]
    assert len(set(ids)) == len(ids)
    file_units = sorted(str(d.get("unit", d.get("责任单位"))) for d in docs)
    assert file_units == [u["id"] for u in units]


def test_both_key_styles_subfolders_and_chinese_file_names(ledger_root: Path) -> None:
    texts = [p.read_text(encoding="utf-8-sig") for p in _ledger_files(ledger_root)]
    assert any("\n任务清单:" in t for t in texts)
    assert any("\ntasks:" in t for t in texts)
    assert any("编号:" in t and "- id:" in t for t in texts)  # a file mixing both styles
    rel = [p.relative_to(ledger_root / "ledgers") for p in _ledger_files(ledger_root)]
    assert any(len(p.parts) > 1 for p in rel)
    assert any(any(ord(c) > 0x2E80 for c in p.name) for p in rel)


def test_deadline_forms_milestones_targets_progress_parents(ledger_root: Path) -> None:
    text = "\n".join(p.read_text(encoding="utf-8-sig") for p in _ledger_files(ledger_root))
    for piece in ("年底", "月底", "季度", "-Q", "半年", "/", "年", "前", "节点:", "milestones:",
                  "target:", "目标:", "progress:", "进展:", "parent:", "extensions:", "partners:",
                  "tags:", "done:", "#"):
        assert piece in text, piece


def test_every_file_parses_with_pyyaml(ledger_root: Path) -> None:
    for path in [ledger_root / "sanzhua.yaml", ledger_root / "units.yaml",
                 *_ledger_files(ledger_root)]:
        assert isinstance(yaml.load(path.read_text(encoding="utf-8-sig"),
                                    Loader=yaml.CSafeLoader), dict), path


def test_the_ledger_loads_without_errors(ledger_root: Path) -> None:
    load = pytest.importorskip("sanzhua.load")
    if not hasattr(load, "load_ledger"):
        pytest.skip("sanzhua.load.load_ledger does not exist yet")
    ledger = load.load_ledger(ledger_root, cache=False)
    errors = [p for p in ledger.problems if p.severity == "error"]
    assert errors == []
    assert len(ledger.tasks) == UNITS * PER_UNIT


def test_sanzhua_check_finds_no_errors(ledger_root: Path) -> None:
    pytest.importorskip("sanzhua.cli")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO / "src"), os.environ.get("PYTHONPATH", "")) if p))
    run = subprocess.run(
        [sys.executable, "-m", "sanzhua", "check", "--as-of", "2026-11-25", "--format", "json"],
        cwd=ledger_root, env=env, capture_output=True, text=True, encoding="utf-8",
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    report = json.loads(run.stdout)
    assert report["summary"]["errors"] == 0
    assert report["summary"]["tasks"] == UNITS * PER_UNIT
