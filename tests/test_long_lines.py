"""A source line of megabytes (a minified or hostile file) is shown under a problem as a
window around the column, not whole: a CI log must not receive the file once per problem."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhua.output import EXCERPT_CELLS, excerpt, width

UNITS = "units:\n  - id: fgw\n    name: 县发改委\n"


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root / ".xdg"), "COLUMNS": "100"}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args, "--as-of", "2026-11-25"],
        cwd=root, capture_output=True, text=True, env=env, timeout=120,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "sanzhua.yaml").write_text("name: 测试台账\nlang: zh\n", encoding="utf-8")
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    return tmp_path


def test_deep_brackets_on_one_line_are_shown_as_a_window(root: Path) -> None:
    line = "    title: " + "[" * 200_000 + "]" * 200_000
    (root / "ledgers" / "deep.yaml").write_text(f"unit: fgw\ntasks:\n  - id: D1\n{line}\n", encoding="utf-8")
    r = run(root, "check")
    assert r.returncode == 1, r.stderr
    out = r.stdout + r.stderr
    assert "ledgers/deep.yaml:4:" in out
    assert len(out) < 5_000  # the 400,000-character line is not printed
    shown = [s for s in out.splitlines() if s.startswith("    4 | ")]
    assert len(shown) == 1 and shown[0].startswith("    4 | …[[[") and shown[0].endswith("…")
    assert width(shown[0]) <= len("    4 | ") + EXCERPT_CELLS


def test_the_caret_points_at_the_column_in_the_window(root: Path) -> None:
    # A long value with a tab at column 3,001: the tab is shown as → under a caret.
    pad = "长" * 1_000 + "x" * 1_000
    text = f"unit: fgw\ntasks:\n  - id: T1\n    title: \"{pad}\"\n    owner: 张三\n    due: 2026-12-31\n\tnote: x\n"
    (root / "ledgers" / "a.yaml").write_text(text, encoding="utf-8")
    r = run(root, "check")
    out = (r.stdout + r.stderr).splitlines()
    assert r.returncode == 1
    assert len("".join(out)) < 5_000


@pytest.mark.parametrize("column", [1, 40, 5_000, 9_999, 10_000, 10_001])
def test_excerpt_keeps_the_caret_under_the_character(column: int) -> None:
    line = "".join("甲" if i % 3 == 0 else chr(ord("a") + i % 26) for i in range(10_000))
    shown, pad = excerpt(line, column)
    assert width(shown) <= EXCERPT_CELLS
    target = line[column - 1] if column <= len(line) else None
    if target is not None:
        # the characters of `shown` up to the caret have the width `pad`, and the next is the target
        cells = 0
        for ch in shown:
            if cells == pad:
                assert ch == target
                break
            cells += width(ch)
        else:
            pytest.fail("the caret is past the shown text")


def test_a_short_line_is_shown_whole() -> None:
    assert excerpt("  - id: A-1", 5) == ("  - id: A-1", 4)
    assert excerpt("标题：某某", 3) == ("标题：某某", 4)


def test_show_prints_a_long_story_whole_and_in_order(root: Path) -> None:
    # `show` printed a task's timeline one rich call a line: 200,000 progress entries
    # (12 MB) took a minute. It is one call now; every entry must still be there, in order.
    entries = "\n".join(
        f"      - {{date: 2026-{1 + i // 28 % 10:02d}-{1 + i % 28:02d}, value: {i}, note: 第{i}次}}"
        for i in range(3_000)
    )
    text = (
        "unit: fgw\ntasks:\n  - id: P1\n    title: 进展很多\n    owner: 张三\n    start: 2026-01-01\n"
        f"    due: 2026-12-31\n    target: {{value: 1000000, unit: 元}}\n    progress:\n{entries}\n"
    )
    (root / "ledgers" / "p.yaml").write_text(text, encoding="utf-8")
    r = run(root, "show", "P1")
    assert r.returncode == 0, r.stderr
    found = [int(n) for n in re.findall(r"第(\d+)次", r.stdout)]
    assert sorted(found) == list(range(3_000))
    days = re.findall(r"^  (2026-\d\d-\d\d)  ", r.stdout, flags=re.M)
    assert days == sorted(days) and len(days) >= 3_000


def test_a_quoted_value_is_clipped_in_the_message(root: Path) -> None:
    """A 5,000-digit target is quoted back by its first characters, in text and JSON."""
    digits = "9" * 5000
    task = f"  - id: D1\n    title: t\n    due: 2026-12-01\n    target: {{metric: m, value: {digits}, unit: 个}}\n"
    (root / "ledgers" / "n.yaml").write_text(f"unit: fgw\ntasks:\n{task}", encoding="utf-8")
    r = run(root, "check")
    assert r.returncode == 1, r.stderr
    line = next(x for x in r.stdout.splitlines() if "应该是数字" in x)
    assert "9" * 120 + "…”" in line and len(line) < 400
    j = run(root, "check", "--format", "json")
    assert digits not in j.stdout and "9" * 120 + "…" in j.stdout
