"""Dense ledgers under 10 MB within issue 14's bound (bench/dense.py measures the time):
what does not fit is refused with a clear message, never an internal error."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhua.commands.brief import MAX_DOCX_ROWS
from sanzhua.commands.fmt import MAX_FMT_BYTES
from sanzhua.interchange.form import MAX_FORM_ROWS
from sanzhua.model import Settings, Unit
from sanzhua.remind.messages import MAX_BYTES, Item, compose
from tests.conftest import MakeLedger

HEAD = "unit: fgw\ntasks:\n"


def one_line_tasks(n: int, prefix: str = "FGW") -> str:
    return "".join(f"  - {{id: {prefix}-{i:06d}, title: 任务{i}, due: 2026-12-31}}\n" for i in range(1, n + 1))


def _run(root: Path, *args: str, limit_mb: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if limit_mb is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_mb << 20, limit_mb << 20))

    env = {**os.environ, "COLUMNS": "100", "SANZHUA_CACHE_DIR": str(root.parent / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=root, capture_output=True, text=True, env=env,
        timeout=300, preexec_fn=limit,
    )


def test_out_of_memory_is_said_as_such_not_as_an_internal_error(make_ledger: MakeLedger) -> None:
    """A run that exhausts its memory (here an address-space limit, as on a small CI box)
    says the ledger is too large for it, and exits 2; it is not a defect of sanzhua."""
    root = make_ledger({"ledgers/fgw.yaml": HEAD + one_line_tasks(120_000)})
    r = _run(root, "check", "--no-cache", "--as-of", "2026-11-25", limit_mb=300)
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert "内存不足" in r.stderr
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr


def test_form_of_more_rows_than_collect_reads_is_refused(make_ledger: MakeLedger, tmp_path: Path) -> None:
    """A unit with more open tasks than a form holds gets no form (collect could not read
    it back, and writing 100,000 rows took minutes): one message, exit 2; with
    --each-unit the other units' forms are written and the run exits 1."""
    root = make_ledger({
        "ledgers/fgw.yaml": HEAD + one_line_tasks(MAX_FORM_ROWS + 1),
        "ledgers/jyj.yaml": "unit: jyj\ntasks:\n" + one_line_tasks(3, "JYJ"),
    })
    book = tmp_path / "fgw.xlsx"
    r = _run(root, "form", "--unit", "fgw", "-o", str(book), "--as-of", "2026-11-25")
    assert r.returncode == 2, r.stderr
    assert f"{MAX_FORM_ROWS + 1} 项在推进的任务，超过一份填报表的上限 {MAX_FORM_ROWS} 行" in r.stderr
    assert not book.exists()
    out = tmp_path / "forms"
    r = _run(root, "form", "--each-unit", str(out), "--as-of", "2026-11-25")
    assert r.returncode == 1, r.stderr
    assert "超过一份填报表的上限" in r.stderr
    assert [p.name for p in out.iterdir()] == ["进展填报表-县教育局-2026-11-25.xlsx"]


def _split_by_rendering(unit: Unit, items: list[Item], channel: str) -> list[list[str]]:
    """The parts as the old `compose` chose them: each trial part rendered in full."""
    limit = MAX_BYTES[channel]
    parts: list[list[Item]] = [[]]
    for i in sorted(items, key=lambda x: ("overdue", "no_report").index(x.state)):
        trial = [*parts[-1], i]
        text = compose(unit, unit.id, channel, "x", trial, Settings(name="县"), date(2026, 11, 25), "zh")
        if parts[-1] and (len(text) > 1 or len(text[0].text.encode("utf-8")) > limit):
            parts.append([i])
        else:
            parts[-1] = trial
    return [[i.task for i in p] for p in parts]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["overdue", "no_report"]), st.integers(0, 900)), max_size=40),
       st.sampled_from(["wecom", "dingtalk"]))
def test_remind_parts_fill_as_rendering_each_trial_did(specs: list[tuple[str, int]], channel: str) -> None:
    """A unit's reminder is split into parts as long as the channel takes, each as full as
    it can be: kept by counting bytes as items are added (rendering every trial part made
    10,000 items minutes), the same parts as rendering did."""
    unit = Unit(id="fgw", name="县发改委")
    items = [Item(f"T{n}", state, f"**任务{n}** {'很长' * size}") for n, (state, size) in enumerate(specs)]
    got = compose(unit, unit.id, channel, "x", items, Settings(name="县"), date(2026, 11, 25), "zh")
    assert [[i.task for i in m.items] for m in got] == (_split_by_rendering(unit, items, channel) if items else [[]])
    for m in got:
        assert len(m.text.encode("utf-8")) <= MAX_BYTES[channel] or len(m.items) == 1


def test_word_brief_of_more_rows_than_it_holds_is_refused(make_ledger: MakeLedger, tmp_path: Path) -> None:
    """A Word bulletin listing more than MAX_DOCX_ROWS lines is refused before rendering
    (120,000 overdue tasks ran docxtpl out of 2 GB); Markdown still lists them all."""
    overdue = "".join(f"  - {{id: FGW-{i:06d}, title: 任务{i}, due: 2026-06-30}}\n" for i in range(1, 60_002))
    root = make_ledger({"ledgers/fgw.yaml": HEAD + overdue})
    doc = tmp_path / "b.docx"
    r = _run(root, "brief", "--format", "docx", "-o", str(doc), "--as-of", "2026-11-25")
    assert r.returncode == 2, r.stderr[-2000:]
    assert f"超过 Word 报告的上限 {MAX_DOCX_ROWS} 行" in r.stderr and "-f md" in r.stderr
    assert not doc.exists()
    r = _run(root, "brief", "--as-of", "2026-11-25")
    assert r.returncode == 0 and "FGW-060001" in r.stdout


def test_fmt_skips_a_file_over_its_limit_and_formats_the_others(make_ledger: MakeLedger) -> None:
    """fmt lays out a file of at most MAX_FMT_BYTES (a 7.8 MB file ran over a minute):
    a bigger one is skipped with a message naming the limit, exit 1; the others are
    formatted as before."""
    title = "很长的任务名称" * 25
    big = HEAD + "".join(f"  - {{id: FGW-{i:06d}, title: {title}{i}, due: 2026-12-31}}\n" for i in range(20_000))
    assert len(big.encode()) > MAX_FMT_BYTES
    mb = f"{len(big.encode()) / 1024 / 1024:.1f}"
    small = "unit: jyj\ntasks:\n  - {due: 2026-12-31, title: 任务,   id: JYJ-001}\n"
    root = make_ledger({"ledgers/fgw.yaml": big, "ledgers/jyj.yaml": small})
    r = _run(root, "fmt", "--check")
    assert r.returncode == 1, r.stderr
    limit = MAX_FMT_BYTES // 1024 // 1024
    assert f"ledgers/fgw.yaml 有 {mb} MB，超过 sanzhua fmt 整理单个文件的上限 {limit} MB，已跳过" in r.stderr
    assert "+  - {id: JYJ-001, title: 任务, due: 2026-12-31}" in r.stdout
    r = _run(root, "fmt")
    assert r.returncode == 1, r.stderr
    laid_out = "unit: jyj\ntasks:\n  - {id: JYJ-001, title: 任务, due: 2026-12-31}\n"
    assert (root / "ledgers/jyj.yaml").read_text() == laid_out
    assert (root / "ledgers/fgw.yaml").read_text() == big
