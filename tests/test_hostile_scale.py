"""Inputs far beyond any real ledger, as a careless paste or a hostile commit makes them:
each is refused or bounded with a clear message, never a run of minutes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sanzhua.load.settings import MAX_LIST, MAX_UNITS
from sanzhua.output import width
from tests.conftest import MakeLedger

TASK = """\
    unit: fgw
    tasks:
      - id: FGW-001
        title: 重点项目前期手续
        owner: 张三
        due: 2026-12-31
"""


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args, "--as-of", "2026-11-25"],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )


def test_units_yaml_of_a_hundred_thousand_units(make_ledger: MakeLedger) -> None:
    """units.yaml is read up to MAX_UNITS entries; more is one error naming the count, and
    the reports refuse (a settings error), instead of scoring 100,000 units for minutes."""
    many = "".join(f"  - {{id: u{i}, name: 单位{i}}}\n" for i in range(MAX_UNITS + 90_000))
    root = make_ledger({"ledgers/fgw.yaml": TASK}, units="units:\n  - {id: fgw, name: 县发改委}\n" + many)
    r = _run(root, "check")
    assert r.returncode == 1, r.stderr
    assert f"units.yaml 列了 {MAX_UNITS + 90_001} 个单位，超过上限 {MAX_UNITS} 个" in r.stdout
    assert "unknown-unit" not in r.stdout  # fgw is among the first units read
    for args in (("status",), ("score",)):
        r = _run(root, *args)
        assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr
        assert "units.yaml" in r.stderr


def test_status_table_of_many_rows_is_laid_out_like_a_table(make_ledger: MakeLedger) -> None:
    """The status table is laid out by sanzhua (rich.Table took 0.5 ms a row): every row is
    as wide as the header, columns line up, nothing trails."""
    tasks = "".join(
        f"  - id: FGW-{i:04d}\n    title: 任务{i}{'很长的标题' * (i % 7)}\n"
        f"    owner: 张三\n    due: 2026-11-{1 + i % 20:02d}\n"
        for i in range(300)
    )
    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n" + tasks})
    r = _run(root, "status", "--all")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[1].startswith("灯 状态")
    table = lines[2:302]
    assert all(line == line.rstrip() for line in lines)
    assert all("FGW-" in line for line in table), r.stdout[:2000]
    assert {width(line[: line.index(" 11-")]) for line in table} == {width(lines[1][: lines[1].index(" 时限")])}
    ids = [width(line[: line.index("FGW-")]) for line in table]
    assert len(set(ids)) == 1  # the id column starts at the same place on every row
    assert sum("逾期" in line for line in table) == 300


def test_settings_lists_are_bounded_and_codeowners_refuses_them(make_ledger: MakeLedger) -> None:
    """250,000 supervisors pasted into sanzhua.yaml made `codeowners` write each unit's line
    with all of them (minutes, hundreds of MB) and the history's per-commit standing crawl.
    A list in the settings holds at most MAX_LIST entries; more is an error at the list, and
    `codeowners`, made from the settings alone, refuses rather than write a CODEOWNERS with
    no supervisors (what an unreadable list falls back to)."""
    many = "".join(f"  - u{i}@x.cn\n" for i in range(MAX_LIST * 50))
    settings = "name: 测试\nlang: zh\nsupervisors:\n" + many
    root = make_ledger({"ledgers/fgw.yaml": TASK}, settings=settings)
    r = _run(root, "check")
    assert r.returncode == 1
    assert f"“supervisors”的值“…”无效：最多 {MAX_LIST} 项（这里有 {MAX_LIST * 50} 项）" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "sanzhua", "codeowners"], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert "设置文件有错误，未生成" in r.stderr and "supervisors" in r.stderr
    assert not (root / "CODEOWNERS").exists()
    fine = settings.replace(many, "".join(f"  - u{i}@x.cn\n" for i in range(MAX_LIST)))
    (root / "sanzhua.yaml").write_text(fine, encoding="utf-8")
    r = subprocess.run(
        [sys.executable, "-m", "sanzhua", "codeowners"], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr
    assert f"u{MAX_LIST - 1}@x.cn" in (root / "CODEOWNERS").read_text(encoding="utf-8")
