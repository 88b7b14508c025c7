"""Dates at the ends of the calendar (issue 14: hostile input). Python's dates run from
year 1 to 9999; a ledger's run from 1900 to 2199. A deadline of 9999-12-31 made
`calendar` stop with an internal error (a working day after the last day), and the
calendar warning listed every year from 2027 to 9999 one by one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhua.commands.common import year_spans
from sanzhua.dates import DateError, parse_when

UNITS = "units:\n  - id: fgw\n    name: 县发改委\n    kind: 县直部门\n"
LEDGER = """\
unit: fgw
tasks:
  - id: X1
    title: 极端日期
    owner: 张三
    start: 0001-01-01
    due: 9999-12-31
    milestones:
      - {name: 一, due: 0001-01-02}
      - {name: 二, due: 9999-12-30}
    progress:
      - {date: 0001-01-03, percent: 10, note: 早}
  - id: X2
    title: 正常
    owner: 李四
    due: 2026-12-31
"""


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root / ".xdg"), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "sanzhua.yaml").write_text("name: 测试台账\nlang: zh\n", encoding="utf-8")
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "ledgers" / "x.yaml").write_text(LEDGER, encoding="utf-8")
    return tmp_path


def test_check_names_every_date_outside_the_ledger_years(root: Path) -> None:
    r = run(root, "check", "--as-of", "2026-11-25")
    assert r.returncode == 1
    out = r.stdout
    for line, col, text in [(6, 12, "0001-01-01"), (7, 10, "9999-12-31"), (9, 24, "0001-01-02"),
                            (10, 24, "9999-12-30"), (12, 16, "0001-01-03")]:
        assert f"ledgers/x.yaml:{line}:{col}: 错误 “" in out
        assert f"“{text}”超出台账可用的年份（1900—2199年） [invalid-date]" in out
    assert "检查年份是否写错" in out
    assert "9998" not in out  # no calendar warning for the years up to 9999


COMMANDS = [
    ["status"], ["show", "X1"], ["brief", "--week"], ["brief", "--year", "-o", "b.md"],
    ["brief", "--week", "-o", "b.docx"], ["score"], ["calendar", "-o", "c.ics"],
    ["export", "-f", "xlsx", "-o", "e.xlsx"], ["export", "-f", "csv", "-o", "e.csv"],
    ["site", "-o", "site"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0] + ("-" + a[-1] if len(a) > 1 else ""))
def test_every_report_refuses_then_runs_with_allow_errors(root: Path, args: list[str]) -> None:
    r = run(root, *args, "--as-of", "2026-11-25")
    assert r.returncode == 1, r.stderr
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr
    r = run(root, *args, "--as-of", "2026-11-25", "--allow-errors")
    assert r.returncode == 0, r.stderr
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr
    assert "X1" in r.stderr  # the task left out is named


def test_the_form_refuses(root: Path) -> None:
    r = run(root, "form", "--each-unit", "forms", "--as-of", "2026-11-25")
    assert r.returncode == 1 and "X1" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "9999年12月31日"])
def test_as_of_outside_the_years_is_a_usage_error(root: Path, day: str) -> None:
    r = run(root, "status", "--as-of", day)
    assert r.returncode == 2
    assert "超出台账可用的年份" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("text", ["1900-01-01", "2199-12-31", "2199年底", "2199-Q4"])
def test_the_ends_of_the_range_are_dates(text: str) -> None:
    assert parse_when(text, 2026).year in (1900, 2199)


@pytest.mark.parametrize("text", ["1899-12-31", "2200-01-01", "0001-01-01", "9999年", "2200年底", "2200-Q1"])
def test_outside_the_range_is_refused(text: str) -> None:
    with pytest.raises(DateError) as e:
        parse_when(text, 2026)
    assert e.value.part == "year-range"


def test_year_spans() -> None:
    assert year_spans([]) == []
    assert year_spans([2027]) == ["2027"]
    assert year_spans([2027, 2028, 2029, 2031, 2033, 2034]) == ["2027–2029", "2031", "2033–2034"]


def test_the_calendar_warning_collapses_years(root: Path) -> None:
    (root / "ledgers" / "x.yaml").write_text(
        "unit: fgw\ntasks:\n  - {id: Y1, title: 远期, owner: 张三, due: 2199-12-31}\n", encoding="utf-8")
    r = run(root, "check", "--as-of", "2026-11-25")
    assert "内置日历没有 2027–2199 年的节假日安排" in r.stdout, r.stdout
    (root / "sanzhua.yaml").write_text("name: t\nlang: en\n", encoding="utf-8")
    r = run(root, "check", "--as-of", "2026-11-25")
    assert "no holidays for 2027–2199;" in r.stdout, r.stdout
