"""Stale results served from the cache were this project's commonest bug: after any one
edit, a warm run of check, status and brief says what a run without the cache says.

Each case fills the cache with all three commands, makes one edit (a ledger file, a
parent's deadline in another file, sanzhua.yaml, units.yaml, calendar.yaml), and compares
the next warm run of each command with a run on an emptied cache; the edit must change
at least one command's output, so that the comparison can fail.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.brief import brief
from sanzhua.commands.check import check
from sanzhua.commands.status import status
from sanzhua.load.cache import cache_dir
from tests.conftest import MakeLedger

AS_OF = date(2026, 11, 25)

A = """\
unit: fgw
tasks:
  - id: A1
    title: 总体任务
    start: 2026-02-01
    due: 2026-12-31
    target: {value: 100, unit: 个}
    progress:
      - {date: 2026-11-10, percent: 60, value: 50}
"""
B = """\
unit: jyj
tasks:
  - id: B1
    title: 子任务（时限随上级）
    parent: A1
    start: 2026-03-01
    progress:
      - {date: 2026-11-12, percent: 50}
  - id: B2
    title: 学校改造
    due: 2026-12-10
    start: 2026-03-01
"""
C = """\
unit: chengguan
tasks:
  - id: C1
    title: 城关镇道路
    due: 2026-12-04
    start: 2026-04-01
    milestones:
      - {name: 开工, due: 2026-06-30, done: 2026-06-20}
"""


def _outputs(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, run in (
        ("check", lambda s: check(root, as_of=AS_OF, fmt="json", out=s)),
        ("status", lambda s: status(root, as_of=AS_OF, fmt="json", out=s, allow_errors=True)),
        ("brief", lambda s: brief(root, as_of=AS_OF, out=s, allow_errors=True)),
    ):
        stream = io.StringIO()
        run(stream)
        out[name] = stream.getvalue()
    return out


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


EDITS: dict[str, Callable[[Path], None]] = {
    "one ledger file": lambda r: _edit(r, "ledgers/c.yaml", "due: 2026-12-04", "due: 2026-11-04"),
    "a parent in another file": lambda r: _edit(r, "ledgers/a.yaml", "due: 2026-12-31", "due: 2026-11-20"),
    "a task's id, seen as a parent elsewhere": lambda r: _edit(r, "ledgers/a.yaml", "id: A1", "id: A9"),
    "sanzhua.yaml": lambda r: _edit(r, "sanzhua.yaml", "lang: zh", "lang: zh\ndue_soon_days: 30"),
    "sanzhua.yaml's year": lambda r: _edit(r, "sanzhua.yaml", "year: 2026", "year: 2025"),
    "units.yaml": lambda r: _edit(r, "units.yaml", "  - {id: jyj, name: 县教育局, kind: 县直部门}\n", ""),
    "calendar.yaml": lambda r: (r / "calendar.yaml").write_text(
        "holidays: [2026-11-26, 2026-11-27, 2026-11-30, 2026-12-01, 2026-12-02, 2026-12-03]\n", encoding="utf-8"
    ),
}


@pytest.mark.parametrize("what", sorted(EDITS))
def test_a_warm_run_after_an_edit_says_what_a_cold_run_says(make_ledger: MakeLedger, what: str) -> None:
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    before = _outputs(root)
    assert _outputs(root) == before  # warm, nothing changed
    EDITS[what](root)
    warm = _outputs(root)
    shutil.rmtree(cache_dir(root))
    cold = _outputs(root)
    assert warm == cold
    assert warm != before, "the edit must show in some output, or this test could not fail"


def test_a_loaded_ledger_has_the_rows_of_its_files_cold_and_warm(make_ledger: MakeLedger) -> None:
    """load_ledger takes the index rows from the scan (the cache's index when warm, issue 17)
    instead of making them from the tasks: they must be the rows of the files it assembles,
    a task written twice, a child of a task in another file and a file not YAML included."""
    from sanzhua.load import load_ledger
    from sanzhua.load.index import rows_of

    twice = B + "  - id: B2\n    title: 重复的编号\n    due: 2026-10-01\n    parent: C1\n"
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": twice, "ledgers/c.yaml": C, "ledgers/d.yaml": "[: bad"})
    cold = load_ledger(root, cache=False)
    assert len(cold.rows) == 5
    for _ in range(2):  # the first fills the cache, the second reads it
        ld = load_ledger(root)
        assert ld.rows == [r for f in ld.files for r in rows_of(f)] == cold.rows
        assert ld.tasks == cold.tasks
