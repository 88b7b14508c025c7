"""Complete or loud, for what a ledger file's own errors do not show (issue 14: hostile
input). Before: with an invalid `kinds:` value in sanzhua.yaml, `status` exited 0 and
called two tasks 正常 (green) that had no deadline at all, and `brief` only printed a
note on standard error; a task without any deadline was green in every report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = "units:\n  - id: fgw\n    name: 县发改委\n    kind: 县直部门\n"
GOOD = "  - {id: G1, title: 正常任务, owner: 李四, due: 2026-12-31}\n"


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root / ".xdg"), "COLUMNS": "120"}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args, "--as-of", "2026-11-25"],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )


def ledger(root: Path, settings: str, tasks: str) -> Path:
    (root / "sanzhua.yaml").write_text("name: 测试台账\nlang: zh\n" + settings, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "ledgers").mkdir(exist_ok=True)
    (root / "ledgers" / "k.yaml").write_text("unit: fgw\ntasks:\n" + GOOD + tasks, encoding="utf-8")
    return root


REPORTS = [["status"], ["status", "--format", "json"], ["brief", "--week"], ["score"],
           ["export", "-f", "xlsx", "-o", "e.xlsx"], ["calendar", "-o", "c.ics"], ["site", "-o", "site"]]


@pytest.mark.parametrize("args", REPORTS, ids=" ".join)
def test_a_settings_error_makes_every_report_refuse(tmp_path: Path, args: list[str]) -> None:
    root = ledger(tmp_path, "kinds:\n  专项督查: {answer_days: 999999}\n", "")
    r = run(root, *args)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "sanzhua.yaml:4:" in r.stderr and "有误的设置按默认值计算" in r.stderr
    assert not (root / "e.xlsx").exists() and not (root / "c.ics").exists() and not (root / "site").exists()


def test_with_allow_errors_the_report_says_which_settings(tmp_path: Path) -> None:
    root = ledger(tmp_path, "kinds:\n  专项督查: {answer_days: 999999}\n", "")
    r = run(root, "status", "--format", "json", "--allow-errors")
    assert r.returncode == 0, r.stderr
    files = json.loads(r.stdout)["incomplete"]["files"]
    assert [f["file"] for f in files if f["settings"]] == ["sanzhua.yaml"]
    r = run(root, "brief", "--week", "--allow-errors")
    assert r.returncode == 0
    assert "设置文件sanzhua.yaml有误，有误的设置按默认值计算" in r.stdout


def test_a_task_with_no_deadline_is_invalid_not_green(tmp_path: Path) -> None:
    root = ledger(tmp_path, "", "  - {id: N1, title: 没有时限, owner: 张三}\n")
    r = run(root, "status", "--format", "json")
    assert r.returncode == 1 and "N1" in r.stderr
    r = run(root, "status", "--format", "json", "--allow-errors")
    rows = {t["id"]: t for t in json.loads(r.stdout)["tasks"]}
    assert rows["N1"]["states"] == ["invalid"] and rows["N1"]["light"] == "none"
    assert rows["G1"]["states"] != ["invalid"]
    assert json.loads(r.stdout)["incomplete"]["invalid"] == ["N1"]
    r = run(root, "show", "N1", "--allow-errors")
    assert "没有时限（due），也没有可继承的上级时限" in r.stdout


def test_a_deadline_from_a_parent_or_a_kind_is_a_deadline(tmp_path: Path) -> None:
    tasks = (
        "  - {id: C1, title: 分解, owner: 张三, parent: G1}\n"
        "  - {id: P1, title: 批示件, owner: 张三, kind: 领导批示件, assigned: 2026-11-20, source: 批示}\n"
    )
    root = ledger(tmp_path, "", tasks)
    r = run(root, "status", "--format", "json", "--all")
    assert r.returncode == 0, r.stderr
    rows = {t["id"]: t for t in json.loads(r.stdout)["tasks"]}
    assert rows["C1"]["due"] == "2026-12-31" and "invalid" not in rows["C1"]["states"]
    assert rows["P1"]["due"] is not None and "invalid" not in rows["P1"]["states"]


def test_an_unknown_kind_is_counted_and_said(tmp_path: Path) -> None:
    root = ledger(tmp_path, "", "  - {id: U1, title: 类型写错, owner: 张三, kind: 专项督察, due: 2026-12-31}\n")
    r = run(root, "status")
    assert r.returncode == 1 and "没有名为“专项督察”的任务类型" in r.stderr
    r = run(root, "status", "--format", "json", "--allow-errors")
    files = json.loads(r.stdout)["incomplete"]["files"]
    assert files[0]["flawed"] == ["U1"]
