"""What one hostile value may cost (issue 14, p-hostile4): the work is counted, not timed.

- an edit of a task with thousands of progress entries runs without the cycle collector
  walking the millions of objects its reads and parses make;
- one long title costs the site and the bulletins a bounded size: they show its first
  SHOWN_CHARS characters and say how many more they left out, the task's own page keeps
  it whole (a 9 MB title was a gigabyte of site: written into every archived week);
- a history whose root commit holds tens of thousands of tasks: the file version's items
  parsed in one document, the tasks normalised without dataclasses.replace, the walk
  without the cycle collector, the trend reusing the loaded ledger's parse of a file its
  commit holds unchanged, each giving what the plain way gives.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import itertools
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from sanzhua.commands import edit as E
from sanzhua.commands import edit_quick
from sanzhua.commands import fmt as fmt_cmd
from sanzhua.commands.brief import brief
from sanzhua.commands.edit import EditRun, progress
from sanzhua.commands.site import site
from sanzhua.edit import fmt as fmt_mod
from sanzhua.edit import ops as ops_mod
from sanzhua.edit import span as span_mod
from sanzhua.edit.source import unified_diff
from sanzhua.history import blobs
from sanzhua.history.blobs import Parser, normalise
from sanzhua.history.timeline import histories, history
from sanzhua.load import load_ledger, parse_ledger_bytes
from sanzhua.load import scan as load_scan
from sanzhua.report import trends
from sanzhua.textsafe import SHOWN_CHARS
from tests.conftest import MakeLedger
from tests.test_history import LAYOUTS, REPO
from tests.test_history_repo import GitLedger

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


def test_an_edit_from_the_bytes_alone_reads_the_task_twice_not_three_times(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lean edit (a big file the cache does not hold) read the task's lines after the
    file's head, again after the span's stand-in head, and the edited lines: the second
    is the first (edit.layout allows no anchor, tag or marker a head could change them
    by), and the bytes written are those of the edit that parses the whole file."""
    text = _many_entries(400)
    real_quick, real_span = edit_quick.parse_ledger_bytes, span_mod.parse_ledger_bytes
    calls = 0

    def quick(*a: Any) -> Any:
        nonlocal calls
        calls += 1
        return real_quick(*a)

    def spanned(*a: Any) -> Any:
        nonlocal calls
        calls += 1
        return real_span(*a)

    outcomes = []
    for lean in (True, False):
        root: Path = make_ledger({"ledgers/p.yaml": text})
        calls = 0
        monkeypatch.setattr(edit_quick, "parse_ledger_bytes", quick)
        monkeypatch.setattr(span_mod, "parse_ledger_bytes", spanned)
        monkeypatch.setattr(E, "LEAN_MIN", 0 if lean else 1 << 62)
        out, err = io.StringIO(), io.StringIO()
        code = progress(EditRun(root, TODAY, out=out, err=err), "P-001", percent="60", note="推进")
        outcomes.append((code, out.getvalue(), (root / "ledgers/p.yaml").read_bytes()))
        monkeypatch.undo()
        if lean:
            assert calls == 2, calls  # before: 3
    assert outcomes[0] == outcomes[1] and outcomes[0][0] == 0


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


def _plain_normalise(task: Any) -> Any:
    r = dataclasses.replace
    return r(
        task, file="", line=0, column=0, due_text=None, lead_given=True,
        milestones=tuple(r(m, line=0, due_text="") for m in task.milestones),
        progress=tuple(r(p, line=0) for p in task.progress),
        extensions=tuple(r(e, line=0) for e in task.extensions),
        verified=r(task.verified, line=0) if task.verified is not None else None,
        returned=tuple(r(x, line=0) for x in task.returned),
    )  # fmt: skip


def test_normalise_is_dataclasses_replace() -> None:
    files = sorted((REPO / "ledgers").rglob("*.y*ml"))
    tasks = [t for f in files for t in parse_ledger_bytes(f.read_bytes(), "x", 2026).tasks]
    assert any(t.milestones and t.progress and t.extensions for t in tasks)
    for t in tasks:
        got, want = normalise(t), _plain_normalise(t)
        assert got == want and hash(got) == hash(want) and repr(got) == repr(want)
        assert got.file == "" and t.file == "x"  # the parsed task is left as it was


class _Calls:
    """Counts the calls of `owner.name` (patched for the test), each passed on to the real one."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> None:
        self.n = 0
        self.real = getattr(owner, name)

        def counted(*a: Any) -> Any:
            self.n += 1
            return self.real(*a)

        monkeypatch.setattr(owner, name, counted)


def _views(data: bytes, batch: int, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], Parser, int]:
    monkeypatch.setattr(blobs, "BATCH_MIN", batch)
    calls = _Calls(monkeypatch, blobs, "parse_ledger_bytes")
    p = Parser()
    view = p.view("x", data, "ledgers/x.yaml", 2026)
    kinds = ("milestones", "progress", "extensions")
    got = [
        (v.task, v.line, {k: v.at(k) for k in v.rel}, [v.entry_line(k, e) for k in kinds for e in getattr(v.task, k)])
        for v in view.tasks
    ]
    return [view.readable, got], p, calls.n


def _big_file(n: int) -> bytes:
    lines = ["unit: fgw", "tasks:"]
    for i in range(n):
        lines += [f"  - id: B-{i:04d}", f"    title: 任务{i}", "    due: 2026-12-31"]
        if i % 3 == 0:
            lines += ["    milestones:", f"      - {{name: 节点{i}, due: 2026-06-30}}", "    progress:",
                      f"      - {{date: 2026-03-0{1 + i % 9}, percent: {i % 90}, note: 第{i}次}}"]  # fmt: skip
        if i % 7 == 0:
            lines.append("    bad_key: 1")  # an error of the task: it still reads
        if i % 11 == 0:
            lines.append("  # 注释\n")
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("name", [*sorted(LAYOUTS), "big"])
def test_a_file_version_parsed_in_one_document_reads_as_item_by_item(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _big_file(300) if name == "big" else LAYOUTS[name].encode()
    one_by_one, _, _ = _views(data, 10**9, monkeypatch)
    batched, parser, calls = _views(data, 1, monkeypatch)
    assert batched == one_by_one
    if name == "big":
        assert calls == 1 and parser.parsed_items == 300  # before: 300 parses; the budget counts them the same


def test_an_alias_between_items_is_not_read_in_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _big_file(80).replace(b"title: \xe4\xbb\xbb\xe5\x8a\xa10\n", b"title: &t \xe4\xbb\xbb\xe5\x8a\xa10\n", 1)
    data = data.replace(b"title: \xe4\xbb\xbb\xe5\x8a\xa11\n", b"title: *t\n", 1)
    assert b"*t" in data and b"&t" in data
    batched, _, calls = _views(data, 1, monkeypatch)
    assert batched == _views(data, 10**9, monkeypatch)[0] and calls > 1


def _big_repo(tmp_path: Path, n: int) -> Path:
    g = GitLedger(tmp_path / "repo")
    g.baseline()
    g.write("ledgers/big.yaml", _big_file(n).decode())
    g.commit(f"一次建 {n} 项")
    g.edit("ledgers/big.yaml", "title: 任务5\n", "title: 任务五\n")
    g.commit("改一项", when="2026-03-10")
    return g.path


def test_the_walk_of_a_big_root_commit_runs_without_the_collector(tmp_path: Path) -> None:
    root = _big_repo(tmp_path, 3000)
    collections = 0

    def count(phase: str, info: dict[str, int]) -> None:
        nonlocal collections
        collections += phase == "start"

    gc.collect()
    gc.callbacks.append(count)
    try:
        got = histories(root)
    finally:
        gc.callbacks.remove(count)
    assert len(got["B-0005"]) == 2 and len(got) == 3000 + 3
    assert collections <= 3, collections  # before: some 500


def test_the_trend_reads_a_file_the_ledger_holds_unchanged_from_the_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _big_repo(tmp_path, 200)
    ledger = load_ledger(root)
    plain = trends.trend(ledger, date(2026, 3, 29))
    calls = _Calls(monkeypatch, trends, "parse_ledger_bytes")
    assert trends.trend(ledger, date(2026, 3, 29)) == plain
    # the last commit's files are the work tree's: none parsed; the commit before it holds
    # big.yaml's first version (before: 4 parses, big.yaml's second version too)
    assert calls.n == 1, calls.n
    (root / "ledgers" / "big.yaml").write_text(_big_file(199).decode(), encoding="utf-8")  # changed, not committed
    changed = load_ledger(root)
    calls.n = 0
    got = trends.trend(changed, date(2026, 3, 29))
    assert calls.n == 2  # big.yaml's two versions: neither is the work tree's
    real = calls.real
    monkeypatch.setattr(trends._Past, "_read", lambda self, path, data, year: real(data, path, year))
    assert got == trends.trend(changed, date(2026, 3, 29)) and got != plain


def test_the_walk_for_one_task_places_only_its_items(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`sanzhua log ID` over versions of a big file placed every task of each version to
    find one (60 versions of 60,000 tasks: 18 s); now only the items holding the id, and
    its events are those of the walk of every task."""
    g = GitLedger(tmp_path / "repo")
    g.baseline()
    g.write("ledgers/big.yaml", _big_file(300).decode())
    g.commit("建")
    for i in range(5):
        g.edit("ledgers/big.yaml", f"title: 任务{7 * i}\n", f"title: 任务{7 * i}改\n")
        g.commit(f"改 {i}", when=f"2026-03-1{i}")
    every = histories(g.path)
    made = _Calls(monkeypatch, blobs, "Placed")
    for tid in ("B-0007", "B-0000", "B-0299"):
        made.n = 0
        assert history(g.path, tid) == every[tid]
        assert made.n <= 2 * 7, made.n  # before: some 1,800 (300 tasks, 6 versions)


def test_comment_lines_are_counted_without_a_walk_of_their_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    """`fmt` counts a file's comments before and after, to lose none: 2 million comment
    lines (bench/hostile_corpus.py's blank-lines) were walked character by character, 8 of
    its 12 s. A line whose first character past spaces and tabs is `#` is a comment whole."""
    lines = ["# a", "  # b  ", "\t# c", "#", "x: 1 # d", "y: '#' # e", "z: '# f'", "  - {id: A} #g", "\r# h",
             "a#b", " 'q' # i", "#  '", ""]  # fmt: skip
    text = "\n".join(lines * 3)
    walked = 0
    real = fmt_mod.outside_quotes

    def counted(line: str) -> Any:
        nonlocal walked
        walked += 1
        return real(line)

    monkeypatch.setattr(fmt_mod, "outside_quotes", counted)
    got = fmt_mod.comments(text)
    assert walked == 3 * 7  # the lines with a `#` that is not their first character
    want: dict[str, int] = {}
    for line in text.split("\n"):  # the character walk for every line, as before
        for i, _ in real(line):
            if line[i] == "#" and (i == 0 or line[i - 1] in " \t"):
                want[line[i:].rstrip()] = want.get(line[i:].rstrip(), 0) + 1
                break
    assert dict(got) == want


def _blank_and_comment_lines(n: int) -> bytes:
    """A ledger file that is mostly blank and comment lines (bench/hostile_corpus.py's
    blank-lines, scaled down, in each place a comment can stand), laid out anew by fmt."""
    return (
        "# 台账\n" + "\n" * n + "unit: fgw\n\n" + "# 任务\n\n" * n + "# 又\n" * n + "tasks:\n"
        "- id: X-001\n  title: t\n  due: 2026-12-31\n  progress:\n  - {date: 2026-11-02, percent: 30}\n"
        + "      # 注\n" * n + "\n" * (2 * n) + "#\n" * n + "# 隔\n\n" * n
        + "- {id: X-002, title: u, due: 2026-12-31}\n"
        + "    # 尾\n" * n + "# 末\n\n" * n
    ).encode()


def _calls(work: Any) -> int:
    """The Python-level calls `work()` makes (functions, and builtins called from Python)."""
    made = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal made
        if event in ("call", "c_call"):
            made += 1

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return made


def test_fmt_walks_blank_and_comment_lines_a_run_at_a_time() -> None:
    """`fmt` of blank-lines (4 million blank lines, 2 million comments) asked each line's
    kind 12 million times, counted the comments line by line and wrote each with its own
    calls: 8.4 s of CPU. The lines' kinds are now found a run of lines at a time, the
    comments read, moved and counted with map() over a run, the text rebuilt and diffed
    a stretch at a time: the calls the layout, its checks and its diff make do not grow
    with the blank and comment lines."""
    made = {}
    for n in (200, 800):
        data = _blank_and_comment_lines(n)
        out: list[tuple[bytes | None, str]] = []

        def work(data: bytes = data, out: list[tuple[bytes | None, str]] = out) -> None:
            out.append(fmt_mod.format_bytes(data, "ledgers/x.yaml", 2026))
            unified_diff(data, out[0][0] or b"", "ledgers/x.yaml", context=2)

        made[n] = _calls(work)
        new, why = out[0]
        assert why == "" and new is not None and new != data
        lines = new.decode().split("\n")
        assert lines.count("          # 注") == n and lines.count("  #") == n and lines.count("      # 尾") == n
        assert list(itertools.pairwise(lines)).count(("# 任务", "")) == n  # a blank line between comments kept once
        assert "\n\n\n" not in new.decode()
    # before: 65,035 and 252,606 calls
    assert made[800] - made[200] < 100, made


def test_fmt_parses_no_file_it_will_not_lay_out(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file over MAX_FMT_BYTES is skipped by fmt, said too big: it was parsed first all
    the same (a 40 MB file of 60,000 tasks: 9 s of CPU and 900 MB, to be skipped)."""
    monkeypatch.setattr(fmt_cmd, "MAX_FMT_BYTES", 4000)
    items = (f"  - {{id: FGW-{i:04d}, title: 任务{i}, due: 2026-12-31}}\n" for i in range(200))
    big = "unit: fgw\ntasks:\n" + "".join(items)
    small = "unit: jyj\ntasks:\n  - {due: 2026-12-31, title: 任务,   id: JYJ-001}\n"
    root = make_ledger({"ledgers/fgw.yaml": big, "ledgers/jyj.yaml": small})
    parsed: list[str] = []
    real = load_scan.parse_all

    def counted(jobs: list[Any], workers: int) -> Any:
        parsed.extend(j.rel for j in jobs)
        return real(jobs, workers)

    monkeypatch.setattr(load_scan, "parse_all", counted)
    for check in (True, False):
        out, err = io.StringIO(), io.StringIO()
        assert fmt_cmd.fmt(EditRun(root, TODAY, out=out, err=err), check=check) == 1
        assert "ledgers/fgw.yaml" in err.getvalue() and "4000" not in err.getvalue()  # said in MB
        assert "JYJ-001, title: 任务, due" in out.getvalue()
    assert "ledgers/fgw.yaml" not in parsed and "ledgers/jyj.yaml" in parsed
    assert (root / "ledgers/fgw.yaml").read_text(encoding="utf-8") == big


def test_fmt_compares_tasks_moved_by_the_layout_field_by_field(monkeypatch: pytest.MonkeyPatch) -> None:
    """fmt reads the file it made and compares each task with the one it read: a task on
    another line or column went through `plain` (nested tuples of every field), 1 of the
    6 s of a 60,000-task file indented anew. Now its fields but the position and the
    deadline's spelling are compared as they are, `plain` only when they differ."""
    text = "unit: fgw\ntasks:\n" + "".join(
        f"- id: FGW-{i:03d}\n  title: 任务{i}\n  due: 2026-12-31\n  progress:\n"
        f"  - {{date: 2026-11-02, percent: {i % 90}}}\n"
        for i in range(50)
    )
    made = 0
    real = fmt_mod.plain

    def counted(value: Any, spelling: bool = True) -> Any:
        nonlocal made
        made += 1
        return real(value, spelling)

    monkeypatch.setattr(fmt_mod, "plain", counted)
    new, why = fmt_mod.format_bytes(text.encode(), "ledgers/fgw.yaml", 2026)
    assert why == "" and new is not None and new.startswith(b"unit: fgw\ntasks:\n  - id: FGW-000\n    title:")
    assert made == 0, made  # before: 100 (each task, before and after)
    # a task that did change is still told apart (the layout is checked by its result)
    before = parse_ledger_bytes(text.encode(), "ledgers/fgw.yaml", 2026).tasks
    after = list(parse_ledger_bytes(new, "ledgers/fgw.yaml", 2026).tasks)
    assert fmt_mod._same_tasks(after, before)
    after[7] = dataclasses.replace(after[7], title="别的")
    assert not fmt_mod._same_tasks(after, before)


def _entry_layouts(n: int) -> dict[str, str]:
    """A task of `n` progress entries, written in the ways a clerk writes a list."""
    flow = _many_entries(n)
    block = flow.replace("      - {date: ", "      - date: ").replace(", percent: ", "\n        percent: ")
    block = block.replace(", note: ", "\n        note: ").replace("次}\n", "次\n")
    block = block.replace("\n        note: 第7次", "\n        # 注\n        note: 第7次")
    # the second entry's dash alone on its line
    alone = flow.replace("      - {date: 2026-01-02,", "      -\n        {date: 2026-01-02,", 1)
    zh = flow.replace("unit:", "责任单位:").replace("progress:", "进展:").replace("{date:", "{日期:")
    return {"flow": flow, "block": block, "alone": alone, "zh": zh, "crlf": flow.replace("\n", "\r\n")}


def test_an_appended_progress_entry_composes_the_long_list_without_its_middle(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`progress` of a task of 60,000 entries composed all of them (libyaml's node tree) to
    find the list's end. The entries between the second and the last are left out of what
    is composed and put back as they were: the same bytes as the edit of the whole file,
    whatever the list's layout (a list the cut cannot be sure of is composed whole)."""
    real = ops_mod.compose
    for name, text in _entry_layouts(300).items():
        outcomes = []
        for cut in (True, False):
            root: Path = make_ledger({"ledgers/p.yaml": text.encode()})
            composed: list[int] = []

            def counted(doc: str, composed: list[int] = composed) -> Any:
                composed.append(len(doc))
                return real(doc)

            monkeypatch.setattr(ops_mod, "compose", counted)
            if not cut:  # the edit of the whole file, as a task's lines are not read alone
                monkeypatch.setattr(E, "_quick", lambda *a, **k: None)
            out, err = io.StringIO(), io.StringIO()
            code = progress(EditRun(root, TODAY, out=out, err=err), "P-001", percent="60", note="推进")
            outcomes.append((code, out.getvalue(), err.getvalue(), (root / "ledgers/p.yaml").read_bytes()))
            monkeypatch.undo()
            if cut and name != "alone":
                assert max(composed) < 1000, (name, composed)  # before: the 300 entries (18 KB)
        assert outcomes[0] == outcomes[1], name
        assert outcomes[0][0] == 0 and outcomes[0][3].count("推进".encode()) == 1, (name, outcomes[0][2])
