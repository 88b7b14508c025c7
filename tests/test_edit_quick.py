"""A one-task edit made from the ledger's scan alone (sanzhua.commands.edit_quick, issue
14.8 / 17): the cache entry it stores for the bytes it wrote is what a fresh parse and a
fresh `check` make of them, the commands after it say what they say on an emptied cache,
and its refusals leave the file as it was, byte for byte."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands import edit as E
from sanzhua.commands.check import check
from sanzhua.commands.edit import EditRun, done, extend, progress
from sanzhua.load import load_ledger, parse_ledger_bytes
from sanzhua.load.cache import Cache, CheckEntry, _check_of, cache_dir, content_key
from sanzhua.load.index import rows_of
from tests.conftest import MakeLedger, bench_generator
from tests.test_cache_freshness import A, B, C, _outputs

TODAY = date(2026, 11, 25)
gen = bench_generator()

Edit = Callable[[EditRun, str], int]

EDITS: list[tuple[str, Edit]] = [
    ("progress", lambda r, t: progress(r, t, percent="70", note="过半: 进展 #2 'yes'")),
    ("progress-value", lambda r, t: progress(r, t, value="12.5", note="- 注意\n第二行", by="张三")),
    ("done", lambda r, t: done(r, t, when="2026-11-20")),
    ("extend", lambda r, t: extend(r, t, to="2027-02-28", approved_by="县政府", ref="督办〔2026〕9号")),
]


def _run(root: Path, edit: Edit, task_id: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = edit(EditRun(root, TODAY, out=out, err=err), task_id)
    return code, out.getvalue(), err.getvalue()


class Spy:
    """Counts the edits made from the scan alone."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.quick = 0
        real = E.open_quick

        def spy(*args: object, **kw: object) -> object:
            got = real(*args, **kw)  # type: ignore[arg-type]
            self.quick += got is not None
            return got

        monkeypatch.setattr(E, "open_quick", spy)


def _entries(root: Path, rel: str) -> tuple[object, CheckEntry | None, bytes]:
    """The parse and check entries the cache holds for the file as it is now."""
    data = (root / rel).read_bytes()
    store = Cache(root, True)
    key = content_key(data, 2026)
    assert store.holds(rel, key), "no entry for the bytes just written"
    result = store.result(rel, key)
    raw = store.checks.get(rel)
    entry = _check_of(raw) if raw is not None else None
    return result, entry, data


def _same_checks(a: CheckEntry, b: CheckEntry) -> None:
    assert a.key == b.key and a.context == b.context and a.seen == b.seen
    assert sorted(map(repr, a.problems)) == sorted(map(repr, b.problems))
    assert a.years == b.years
    assert a.lines == b.lines


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    gen.generate(root, 6, 14, 5)
    return root


def test_the_entry_an_edit_stores_is_a_fresh_parse_and_a_fresh_check(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = load_ledger(generated)
    ids = [t.id for t in ledger.tasks if not t.done][1::5]
    spy = Spy(monkeypatch)
    checked = stored = 0
    for name, edit in EDITS:
        for tid in ids:
            root = tmp_path / f"{name}-{tid}"
            shutil.copytree(generated, root)
            monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / f"cache-{name}-{tid}"))
            before = spy.quick
            code, _out, _err = _run(root, edit, tid)
            if spy.quick == before or code != 0:
                continue  # the whole-ledger path (or a refusal): nothing of the quick path's stored
            rel = next(t.file for t in ledger.tasks if t.id == tid)
            result, entry, data = _entries(root, rel)
            fresh = parse_ledger_bytes(data, rel, 2026)
            assert result == fresh, (name, tid)
            assert Cache(root, True).rows(rel, content_key(data, 2026)) == rows_of(fresh)
            stored += 1
            if entry is None or entry.key != content_key(data, 2026):
                continue
            # what `check` of today makes of the written file, on a cache of its own
            monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / f"fresh-{name}-{tid}"))
            check(root, as_of=TODAY, out=io.StringIO())
            _, own, _ = _entries(root, rel)
            assert own is not None
            _same_checks(entry, own)
            checked += 1
    assert stored >= 20 and checked >= 15, (stored, checked)


@pytest.mark.parametrize("name", [n for n, _ in EDITS])
def test_commands_after_an_edit_say_what_they_say_on_an_emptied_cache(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """tests/test_cache_freshness.py's check for a hand edit, for an edit by sanzhua, which
    stores the cache entry of what it wrote."""
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    before = _outputs(root)
    spy = Spy(monkeypatch)
    edit = dict(EDITS)[name]
    assert _run(root, edit, "B2")[0] == 0
    assert spy.quick == 1
    warm = _outputs(root)
    shutil.rmtree(cache_dir(root))
    cold = _outputs(root)
    assert warm == cold
    assert warm != before, "the edit must show in some output, or this test could not fail"


def test_the_next_edit_finds_everything_in_the_cache(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    """Edits one after the other: the second parses nothing and checks nothing again."""
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    assert _run(root, dict(EDITS)["progress"], "B2")[0] == 0
    import importlib

    from sanzhua.commands import edit_quick

    scan_module = importlib.import_module("sanzhua.load.scan")  # the module, not its function

    real_parse_all = scan_module.parse_all

    def boom(*args: object, **kw: object) -> object:
        raise AssertionError("parsed or checked again")

    def parse_none(todo: list[object], workers: int) -> object:
        assert not todo, "parsed again"
        return real_parse_all(todo, workers)

    monkeypatch.setattr(scan_module, "parse_all", parse_none)
    monkeypatch.setattr(edit_quick, "decode_file", boom)
    spy = Spy(monkeypatch)
    assert _run(root, lambda r, t: progress(r, t, note="再一次"), "B2")[0] == 0
    assert spy.quick == 1
    assert (root / "ledgers/b.yaml").read_text(encoding="utf-8").count("再一次") == 1


BROKEN_ELSEWHERE = """\
unit: fgw
tasks:
  - id: A-1
    title: 一
    start: 2026-10-01
    due: 2026-09-30
  - id: A-2
    title: 二
    due: 2026-12-31
"""


def test_a_file_with_an_error_elsewhere_is_refused_unchanged(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file's check results say it has an error (a deadline before the start, in
    another task): the edit is refused as before, the file as it was."""
    root = make_ledger({"ledgers/fgw.yaml": BROKEN_ELSEWHERE})
    path = root / "ledgers/fgw.yaml"
    before = path.read_bytes()
    spy = Spy(monkeypatch)
    for _ in range(2):  # the second time, with the file's check results in the cache
        code, _, err = _run(root, lambda r, t: progress(r, t, note="好"), "A-2")
        assert code == 1 and "有错误" in err and "due-before-start" in err, err
        assert path.read_bytes() == before
    assert spy.quick == 0


def test_an_edit_that_would_add_an_error_is_refused_unchanged(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = BROKEN_ELSEWHERE.replace("    start: 2026-10-01\n", "").replace("二\n", "二\n    start: 2026-03-01\n")
    root = make_ledger({"ledgers/fgw.yaml": text})
    path = root / "ledgers/fgw.yaml"
    before = path.read_bytes()
    spy = Spy(monkeypatch)
    check(root, as_of=TODAY, out=io.StringIO())  # the file's check results in the cache
    code, _out, err = _run(root, lambda r, t: done(r, t, when="2026-01-05"), "A-2")
    assert spy.quick == 1
    assert code == 1 and "会使 ledgers/fgw.yaml 出现错误" in err and "done-before-start" in err, err
    assert path.read_bytes() == before
    # nothing of the refused edit is in the cache: the next command parses the file as it is
    store = Cache(root, True)
    assert store.holds("ledgers/fgw.yaml", content_key(before, 2026))


def test_a_file_changed_between_read_and_write_is_left_as_the_other_writer_left_it(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    path = root / "ledgers/b.yaml"
    real = E.write_atomic

    def meddle(p: Path, data: bytes, expected: bytes | None) -> None:
        path.write_bytes(path.read_bytes() + b"# someone else\n")
        real(p, data, expected)

    monkeypatch.setattr(E, "write_atomic", meddle)
    spy = Spy(monkeypatch)
    code, _, err = _run(root, lambda r, t: progress(r, t, note="好"), "B2")
    assert spy.quick == 1 and code == 1, err
    assert path.read_bytes() == B.encode() + b"# someone else\n"
    monkeypatch.setattr(E, "write_atomic", real)
    assert _run(root, lambda r, t: progress(r, t, note="好"), "B2")[0] == 0
    text = path.read_text(encoding="utf-8")
    assert "# someone else" in text and "note: 好" in text


def test_a_parents_new_deadline_seen_by_its_child_is_verified_on_the_whole_ledger(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A1's deadline is inherited by B1 in another file: the quick path gives way to the
    whole ledger's verification, and the outputs after it are those of an emptied cache."""
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    _outputs(root)
    code, _out, err = _run(
        root, lambda r, t: extend(r, t, to="2027-03-31", approved_by="县政府", ref="督办〔2026〕1号"), "A1"
    )
    assert code == 0, err
    warm = _outputs(root)
    shutil.rmtree(cache_dir(root))
    assert warm == _outputs(root)


def test_a_damaged_cache_falls_back_to_parsing(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    check(root, as_of=TODAY, out=io.StringIO())
    for name in os.listdir(cache_dir(root)):
        f = cache_dir(root) / name
        f.write_bytes(f.read_bytes()[:-7] + b"garbage")
    assert _run(root, lambda r, t: progress(r, t, note="好"), "B2")[0] == 0
    assert "note: 好" in (root / "ledgers/b.yaml").read_text(encoding="utf-8")


def _new(unit: str, **kw: str) -> Edit:
    from sanzhua.commands.edit import NewTask, new

    spec = NewTask(unit=unit, title="新增任务: 补短板 #1", due="2026年12月底", owner="李四", **kw)  # type: ignore[arg-type]
    return lambda r, _t: new(r, spec)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "ledgers").rglob("*.y*ml"))}


def _quick_and_whole(
    src: Path, tmp: Path, edit: Edit, monkeypatch: pytest.MonkeyPatch
) -> tuple[tuple[int, str, str, dict[str, bytes]], tuple[int, str, str, dict[str, bytes]], int]:
    fast, slow = tmp / "fast", tmp / "slow"
    for d in (fast, slow):
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(src, d)
    spy = Spy(monkeypatch)
    a = (*_run(fast, edit, ""), _files(fast))
    with monkeypatch.context() as m:
        m.setattr(E, "_quick_new", lambda *a, **k: None)
        m.setattr(E, "open_quick", lambda *a, **k: None)
        b = (*_run(slow, edit, ""), _files(slow))
    return a, b, spy.quick  # type: ignore[return-value]


def test_new_from_the_scan_writes_what_the_whole_file_edit_writes(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = load_ledger(generated)
    units = sorted({f.unit for f in ledger.files if f.unit})
    quick = 0
    for i, unit in enumerate(units):
        kw = {"target_value": "30", "target_unit": "个"} if i % 2 else {"milestones": ("开工=2026-12-01",)}
        fast, slow, used = _quick_and_whole(generated, tmp_path, _new(unit, **kw), monkeypatch)  # type: ignore[arg-type]
        assert fast == slow, unit
        assert fast[0] == 0, fast[2]
        quick += used
        if used:
            root = tmp_path / "fast"
            rel = next(f.path for f in ledger.files if f.unit == unit)
            result, _, data = _entries(root, rel)
            assert result == parse_ledger_bytes(data, rel, 2026)
    assert quick >= len(units) // 2, (quick, len(units))


NEW_CASES = {
    "blank lines, block target": (
        "unit: fgw\ntasks:\n  - id: A-1\n    title: 一\n    due: 2026-12-31\n    target:\n      value: 5\n\n"
        "  - id: A-2\n    title: 二\n    due: 2026-12-31\n# 文件末尾的注释\n"
    ),
    "flow tasks, crlf, bom": (
        "\ufeffunit: fgw\r\ntasks:\r\n  - {id: A-1, title: 一, due: 2026-12-31}\r\n"
        "  - {id: A-2, title: 二, due: 2026-12-31}\r\n"
    ),
    "chinese keys": (
        "责任单位: fgw\n任务清单:\n  - 编号: A-1\n    任务: 一\n    时限: 2026-12-31\n"
        "  - 编号: A-2\n    任务: 二\n    时限: 2026-12-31\n"
    ),
    "wide indent, last task with lists": (
        "unit: fgw\ntasks:\n    -   id: A-1\n        title: 一\n        due: 2026-12-31\n    -   id: A-2\n"
        "        title: 二\n        due: 2026-12-31\n        progress:\n            - date: 2026-11-01\n"
        "              note: 开始\n"
    ),
}


@pytest.mark.parametrize("name", sorted(NEW_CASES))
def test_new_from_the_scan_on_hand_written_files(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    root = make_ledger({"ledgers/fgw.yaml": NEW_CASES[name].encode()})
    used = 0
    for kw in ({"target_value": "30", "target_unit": "个"}, {"milestones": ("开工=2026-12-01",)}, {"id": "A-2"}):
        fast, slow, quick = _quick_and_whole(root, tmp_path, _new("fgw", **kw), monkeypatch)  # type: ignore[arg-type]
        assert fast == slow, (name, kw)
        used += quick
        if "id" in kw:
            assert fast[0] == 1 and "A-2" in fast[2]
            assert fast[3] == _files(root)
    assert used >= 2, "the quick path was not taken"


def test_new_and_import_write_a_task_block_with_the_one_writer(make_ledger: MakeLedger) -> None:
    """issue 16: `new` lays its block out with sanzhua.interchange.writer.render_task, as
    import does; a number is written as a number, text through the emitter, read back."""
    from sanzhua.commands.edit import NewTask, _task_fields
    from sanzhua.interchange.writer import Style, render_task

    spec = NewTask(unit="fgw", title="a, b: c #d", due="2026年12月底", target_value="12.5", target_unit="个")
    fields = _task_fields("A-3", spec, "2026年12月底", None, [("开工", "2026-12-01")])
    lines = render_task(fields, [], Style(flow_entries=True, flow_target=False))
    root = make_ledger({"ledgers/fgw.yaml": NEW_CASES["blank lines, block target"].encode()})
    assert _run(root, _new("fgw", target_value="12.5", target_unit="个", milestones=("开工=2026-12-01",)), "")[0] == 0
    text = (root / "ledgers/fgw.yaml").read_text(encoding="utf-8")
    assert "      value: 12.5\n" in text and "'12.5'" not in text
    for line in lines[2:]:  # from the deadline on, the same lines (the title differs)
        assert line + "\n" in text, (line, text)
    fresh = parse_ledger_bytes(text.encode(), "ledgers/fgw.yaml", 2026)
    assert fresh.tasks[-1].target is not None and fresh.tasks[-1].target.value == 12.5
