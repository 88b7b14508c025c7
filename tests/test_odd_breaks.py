"""Line breaks libyaml makes and an editor does not (issue 14, p-known).

libyaml ends a line at NEL (U+0085), LS (U+2028), PS (U+2029) and a lone CR as at LF; an
editor, `check`'s source lines and its caret end one at LF. A title pasted from a web page
or Word can hold one: `check` then named every later problem a line too far per such
character (and its column counted from it), and showed the wrong source line. The loader
now gives every position as the file's line and column.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sanzhua.load.yamlfast import YMap, YSeq, parse
from sanzhua.output import width

ODD = ["\u2028", "\u2029", "\x85", "\r"]
UNITS = "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n"


def positions(value: Any, out: list[tuple[int, ...]] | None = None) -> list[tuple[int, ...]]:
    """Every position of a parsed tree, in a fixed order."""
    out = [] if out is None else out
    if isinstance(value, YMap):
        out.append((value.line, value.col))
        for k, v in value.items():
            out.append(value.pos[k])
            positions(v, out)
    elif isinstance(value, YSeq):
        out.append((value.line, value.col))
        for i, v in enumerate(value):
            out.append(value.item_pos(i))
            positions(v, out)
    return out


TEXTS = [
    'unit: fgw\ntasks:\n  - id: A\n    title: "一{c}二"\n    due: 2026-11-10\n'
    '  - {{id: B, title: "x{c}y", due: 2026-12-01}}\n',
    'unit: fgw\ntasks:\n  - id: A\n    title: "一{c}二{c}三"\n    owner: 张三\n    milestones:\n'
    "      - {{name: 节点{c}一, due: 2026-10-01}}\n      - name: 节点二\n        due: 2026-10-02\n",
    "unit: fgw\ntasks:\n  - id: A\n    title: 'a{c}b'\n"
    '    progress: [{{date: 2026-11-01, note: "n{c}o"}}]\n    due: 2026-11-10\n',
]


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("template", TEXTS)
def test_positions_are_the_files_lines_and_columns(template: str, odd: str) -> None:
    """A break only libyaml makes takes one column, as the space an editor may show: the
    positions are those of the same file with a space in its place."""
    text = template.format(c=odd)
    plain = parse(template.format(c=" "), "ledgers/a.yaml")
    got = parse(text, "ledgers/a.yaml")
    assert got.problems == plain.problems == []
    assert positions(got.root) == positions(plain.root)


@pytest.mark.parametrize("odd", ODD)
def test_a_syntax_error_and_a_duplicate_key_after_one_name_the_files_line(odd: str) -> None:
    text = f'unit: fgw\ntasks:\n  - id: A\n    title: "一{odd}二"\n    title: again\n  - id: B\n    due: [2026\n'
    problems = parse(text, "ledgers/a.yaml").problems
    plain = parse(text.replace(odd, " "), "ledgers/a.yaml").problems
    assert [(p.code, p.line, p.column, p.message) for p in problems] == [
        (p.code, p.line, p.column, p.message) for p in plain
    ]
    dup = parse(f'unit: fgw\ntasks:\n  - id: A\n    title: "一{odd}二"\n    title: again\n', "a.yaml").problems
    assert [(p.line, p.column, p.message.args.get("first_line")) for p in dup] == [(5, 5, 4)]


def test_a_control_character_after_one_keeps_its_place() -> None:
    """A control character's problem is placed by counting the file's LFs already."""
    text = 'unit: fgw\ntasks:\n  - id: A\n    title: "一\u2028二"\n    owner: 张\x07三\n'
    problems = parse(text, "a.yaml").problems
    assert [(p.code, p.line, p.column) for p in problems] == [("invalid-value", 5, 13)]


def run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg"), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=root, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("odd", ODD)
def test_check_names_and_shows_the_line_in_every_format(tmp_path: Path, odd: str) -> None:
    root = tmp_path / "ledger"
    (root / "ledgers").mkdir(parents=True)
    settings = f'name: "测试{odd}县"\nyear: 2026\nlang: zh\ndue_soon_days: many\n'
    (root / "sanzhua.yaml").write_text(settings, encoding="utf-8", newline="")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    ledger = (
        f'unit: fgw\ntasks:\n  - id: A-1\n    title: "第一{odd}第二{odd}第三"\n    due: 2026-12-01\n'
        f"  - {{id: A-2, title: 甲{odd}乙, due: 2026-13-01}}\n"
    )
    (root / "ledgers" / "a.yaml").write_text(ledger, encoding="utf-8", newline="")
    r = run(root, "check", "--as-of", "2026-11-25")
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout.splitlines()
    i = out.index(next(s for s in out if s.startswith("ledgers/a.yaml:")))
    col = "  - {id: A-2, title: 甲 乙, due: 2026-13-01}".index("2026-13-01") + 1
    assert out[i].startswith(f"ledgers/a.yaml:6:{col}: ") and "[invalid-date]" in out[i], r.stdout
    assert out[i + 1].endswith("|   - {id: A-2, title: 甲 乙, due: 2026-13-01}"), out[i + 1]
    shown = out[i + 1]
    assert out[i + 2].index("^") == width(shown[: shown.index("2026-13-01")]), r.stdout  # the caret under the date
    settings = next(s for s in out if s.startswith("sanzhua.yaml:"))
    assert settings.startswith("sanzhua.yaml:4:16: "), r.stdout
    doc = json.loads(run(root, "check", "--as-of", "2026-11-25", "-f", "json").stdout)
    got = {(p["file"], p["line"], p["column"]) for p in doc["problems"]}
    assert got == {("ledgers/a.yaml", 6, col), ("sanzhua.yaml", 4, 16)}, doc
    gh = run(root, "check", "--as-of", "2026-11-25", "-f", "github").stdout
    assert f"file=ledgers/a.yaml,line=6,col={col}," in gh and "file=sanzhua.yaml,line=4,col=16," in gh, gh
