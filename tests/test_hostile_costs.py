"""What one hostile value may cost (issue 14, p-hostile4): the work is counted, not timed.

- an edit of a task with thousands of progress entries runs without the cycle collector
  walking the millions of objects its reads and parses make;
"""

from __future__ import annotations

import gc
import io
from datetime import date, timedelta
from pathlib import Path

from sanzhua.commands.edit import EditRun, progress
from tests.conftest import MakeLedger

TODAY = date(2026, 11, 25)


def _many_entries(n: int) -> str:
    lines = ["unit: fgw", "tasks:", "  - id: P-001", "    title: 大任务", "    due: 2026-12-31", "    progress:"]
    start = date(2026, 1, 1)
    for i in range(n):
        lines.append(f"      - {{date: {(start + timedelta(days=i % 300)).isoformat()}, percent: {i % 50}, note: 第{i}次}}")
    lines.append("  - {id: P-002, title: 小任务, due: 2026-12-31}")
    return "\n".join(lines) + "\n"


def test_an_edit_of_a_long_progress_list_does_not_run_the_collector(make_ledger: MakeLedger) -> None:
    root: Path = make_ledger({"ledgers/p.yaml": _many_entries(3000)})
    collections = 0

    def count(phase: str, info: dict[str, int]) -> None:
        nonlocal collections
        if phase == "start":
            collections += 1

    out, err = io.StringIO(), io.StringIO()
    gc.collect()
    gc.callbacks.append(count)
    try:
        code = progress(EditRun(root, TODAY, out=out, err=err), "P-001", percent="60", note="推进")
    finally:
        gc.callbacks.remove(count)
    assert code == 0, err.getvalue()
    assert "2026-11-25" in (root / "ledgers/p.yaml").read_text(encoding="utf-8")
    # before: some 400 collections (one each 700 objects made: the file read, composed and
    # parsed three times over); the edit now pauses the collector, as loading does
    assert collections <= 3, collections
