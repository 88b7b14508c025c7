"""What one hostile value may cost (issue 14, p-hostile4): the work is counted, not timed.

- an edit of a task with thousands of progress entries runs without the cycle collector
  walking the millions of objects its reads and parses make;
- one long title costs the site and the bulletins a bounded size: they show its first
  SHOWN_CHARS characters and say how many more they left out, the task's own page keeps
  it whole (a 9 MB title was a gigabyte of site: written into every archived week).
"""

from __future__ import annotations

import gc
import io
import zipfile
from datetime import date, timedelta
from pathlib import Path

from sanzhua.commands.brief import brief
from sanzhua.commands.edit import EditRun, progress
from sanzhua.commands.site import site
from sanzhua.textsafe import SHOWN_CHARS
from tests.conftest import MakeLedger

TODAY = date(2026, 11, 25)


def _many_entries(n: int) -> str:
    lines = ["unit: fgw", "tasks:", "  - id: P-001", "    title: 大任务", "    due: 2026-12-31", "    progress:"]
    start = date(2026, 1, 1)
    for i in range(n):
        day = (start + timedelta(days=i % 300)).isoformat()
        lines.append(f"      - {{date: {day}, percent: {i % 50}, note: 第{i}次}}")
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


LONG = 200_000  # characters of one title


def _long_title_ledger(make_ledger: MakeLedger) -> Path:
    title = "督" * (LONG - 1) + "尾"
    return make_ledger(
        {
            "ledgers/x.yaml": "unit: fgw\ntasks:\n  - id: X-001\n    title: " + title + "\n    due: 2026-11-20\n"
            "    progress:\n      - {date: 2026-11-02, percent: 30, note: " + "记" * LONG + "}\n"
            "  - {id: X-002, title: 短标题, due: 2026-12-31}\n"
        },
        settings="name: 测试县督查台账\nyear: 2026\nlang: zh\nbulletin:\n  first_week: 2026-01-05\n",
    )


def test_one_long_title_costs_the_site_a_bounded_size(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = _long_title_ledger(make_ledger)
    out = tmp_path / "site"
    assert site(root, as_of=TODAY, output=out, out=io.StringIO()) == 0
    weeks = list((out / "briefs").glob("week-*.html"))
    assert len(weeks) == 47
    own = out / "t" / "X-001.html"
    assert "督" * (LONG - 1) + "尾" in own.read_text(encoding="utf-8")  # the task's page: whole
    sizes = {p: p.stat().st_size for p in out.rglob("*") if p.is_file() and p != own}
    # before: the title and the note were written whole into each week's page and
    # Markdown, the task list, the overview and the unit page: some 60 MB here
    assert sum(sizes.values()) < 4_000_000, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
    mark = f"…（以下省略 {LONG - SHOWN_CHARS} 字）"
    last = max(weeks).read_text(encoding="utf-8")
    assert "督" * SHOWN_CHARS + mark in last and "记" * (SHOWN_CHARS + 1) not in last
    assert mark in (out / "assets" / "tasks.js").read_text(encoding="utf-8")


def test_the_bulletin_shows_a_long_title_cut_and_says_so(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = _long_title_ledger(make_ledger)
    md = io.StringIO()
    assert brief(root, as_of=TODAY, out=md, charts=False) == 0
    mark = f"…（以下省略 {LONG - SHOWN_CHARS} 字）"
    assert "督" * SHOWN_CHARS + mark in md.getvalue() and "尾" not in md.getvalue()
    assert "记" * (SHOWN_CHARS + 1) not in md.getvalue()
    assert len(md.getvalue()) < 60_000
    doc = tmp_path / "b.docx"
    assert brief(root, as_of=TODAY, fmt="docx", output=doc, out=io.StringIO()) == 0
    with zipfile.ZipFile(doc) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    assert mark in xml and "尾" not in xml
