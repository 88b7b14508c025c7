"""An edit of one task in a big file the parse cache does not hold, made from the file's
bytes alone (sanzhua.edit.layout, sanzhua.commands.edit_quick.open_lean; issue 14.8 / 17):
it writes, shows and refuses exactly what the edit that parses the whole file does, it
gives way to that edit on every layout it cannot read plainly, and a hand change
elsewhere in the file is kept byte for byte.

The lean path is taken for files over `LEAN_MIN` bytes; here the threshold is set to 0
so that small, readable files exercise it."""

from __future__ import annotations

import io
import shutil
from collections.abc import Callable
from datetime import date
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanzhua.commands import edit as E
from sanzhua.commands.check import check
from sanzhua.commands.edit import EditRun, done, extend, progress
from sanzhua.edit.layout import closed, find_layout
from sanzhua.load import load_ledger
from tests.conftest import MakeLedger, bench_generator

TODAY = date(2026, 11, 25)
gen = bench_generator()

Edit = Callable[[EditRun, str], int]
Outcome = tuple[int, str, str, dict[str, bytes]]

EDITS: list[tuple[str, Edit]] = [
    ("progress", lambda r, t: progress(r, t, percent="70", note="过半: 进展 #2 'yes'")),
    ("progress-value", lambda r, t: progress(r, t, value="12.5", note="- 注意\n第二行", by="张三")),
    ("done", lambda r, t: done(r, t, when="2026-11-20")),
    ("extend", lambda r, t: extend(r, t, to="2027-02-28", approved_by="县政府", ref="督办〔2026〕9号")),
]


def _run(root: Path, edit: Edit, task_id: str) -> Outcome:
    out, err = io.StringIO(), io.StringIO()
    code = edit(EditRun(root, TODAY, out=out, err=err), task_id)
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "ledgers").rglob("*.y*ml"))}
    return code, out.getvalue(), err.getvalue(), files


_RUNS = count(1)


class Lean:
    """Runs an edit with the lean path on (counting the times it was taken) and off."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mp = monkeypatch
        self.taken = 0
        real = E.open_lean

        def spy(*args: object, **kw: object) -> object:
            got = real(*args, **kw)  # type: ignore[arg-type]
            self.taken += got is not None
            return got

        monkeypatch.setattr(E, "open_lean", spy)

    def both(self, tmp: Path, src: Path, edit: Edit, task_id: str) -> tuple[Outcome, Outcome, bool]:
        """The edit on two fresh copies of `src` (each with an empty cache of its own): with
        the lean path on, and with it off; and whether the lean path was taken."""
        n = next(_RUNS)  # new folders: the parse cache is kept by the ledger's path
        on, off = tmp / f"lean{n}", tmp / f"whole{n}"
        for d in (on, off):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(src, d)
        before = self.taken
        self.mp.setattr(E, "LEAN_MIN", 0)
        a = _run(on, edit, task_id)
        taken = self.taken > before
        self.mp.setattr(E, "LEAN_MIN", 1 << 62)
        b = _run(off, edit, task_id)
        return a, b, taken


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("gen")
    gen.generate(root, 8, 12, 5)
    return root


def test_generated_ledger_lean_edits_equal_whole_edits(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both key styles, CRLF, BOM, flow and block lists, children: the same bytes, diff,
    notes and refusals; the lean path is the usual one for progress, done and extend (a
    moved deadline: unless a task of the file inherits it)."""
    lean = Lean(monkeypatch)
    ids = [t.id for t in load_ledger(generated).tasks][::5]
    taken: dict[str, int] = {}
    for name, edit in EDITS:
        for tid in ids:
            a, b, used = lean.both(tmp_path, generated, edit, tid)
            assert a == b, (name, tid)
            taken[name] = taken.get(name, 0) + used
    assert all(n >= len(ids) * 0.6 for n in taken.values()), (taken, len(ids))


HEAD = "unit: fgw\ntasks:\n"


def _task(tid: str, *more: str) -> str:
    return f"  - id: {tid}\n    title: 任务{tid}\n    due: 2026-12-31\n" + "".join(f"    {m}\n" for m in more)


PLAIN = HEAD + _task("A-1") + _task("A-2", "progress:", "  - {date: 2026-11-01, percent: 10}") + _task("A-3")

HOSTILE: dict[str, str | bytes] = {
    # a block scalar whose lines look like the task's item
    "block-scalar-item": HEAD + _task("A-1", "supervision: |", "  - id: A-2", "  x") + _task("A-3"),
    "block-scalar-and-task": HEAD + _task("A-1", "supervision: |", "  - id: A-2") + _task("A-2") + _task("A-3"),
    # a comment that looks like an item
    "comment-item": HEAD + _task("A-1") + "  # - id: A-2\n" + _task("A-2") + _task("A-3"),
    "comment-at-margin": HEAD + _task("A-1") + "# - id: A-2 旧的\n" + _task("A-2") + _task("A-3"),
    # the id twice, in whatever spelling
    "duplicate-id": HEAD + _task("A-1") + _task("A-2") + _task("A-2"),
    "duplicate-quoted": HEAD + _task("A-1") + _task("A-2") + '  - id: "A-2"\n    title: 又\n    due: 2026-12-31\n',
    "duplicate-flow": HEAD + _task("A-2") + "  - {id: A-2, title: 又, due: 2026-12-31}\n",
    "duplicate-key-case": HEAD + _task("A-2") + "  - ID: A-2\n    title: 又\n    due: 2026-12-31\n",
    # anchors, aliases, tags, merge keys
    "anchor": HEAD + _task("A-1", "owner: &who 张三") + _task("A-2", "owner: *who"),
    "tag": HEAD + _task("A-1") + _task("A-2", "owner: !!str 张三"),
    "merge": HEAD + "  - &base\n    id: A-1\n    title: 一\n    due: 2026-12-31\n  - <<: *base\n    id: A-2\n",
    # a quoted value running over lines, its second line at the dash's column
    "multiline-quote": HEAD + '  - id: A-1\n    title: "一\n  - id: A-2\n    due: 2026-12-31"\n    due: 2026-12-31\n'
    + _task("A-3"),
    "multiline-flow": HEAD + _task("A-1", "tags: [甲,", "  乙]") + _task("A-2"),
    # flow style, multi-document, tabs, directives, escapes
    "flow-tasks": "unit: fgw\ntasks: [{id: A-2, title: 二, due: 2026-12-31}]\n",
    "two-documents": HEAD + _task("A-1") + "---\n" + HEAD + _task("A-2"),
    "tab": HEAD + _task("A-1") + _task("A-2", "owner:\t张三"),
    "escape": HEAD + _task("A-1") + '  - id: "A\\x2d2"\n    title: 二\n    due: 2026-12-31\n' + _task("A-2"),
    # something at the margin after the list, a stray line at the dash's column
    "key-after-tasks": HEAD + _task("A-2") + "unit: jyj\n",
    "stray-at-dash-column": HEAD + _task("A-1") + "  stray: 1\n" + _task("A-2"),
    # what the loader would not read at all, in another task
    "control-character": HEAD + _task("A-1", "owner: 张\x01三") + _task("A-2"),
    "nel": HEAD + _task("A-1", "owner: 张\x85三") + _task("A-2"),
    "not-utf8": (HEAD + _task("A-1", "owner: 张三") + _task("A-2")).encode().replace("张".encode(), b"\xff"),
    # the id as a word in a text
    "id-in-text": HEAD + _task("A-1", "source: 见 A-2") + _task("A-2"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_layouts_give_way_to_the_whole_file(
    name: str, make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every layout the bytes alone cannot vouch for takes the whole path: the lean path
    is not taken, and the outcome (written, or refused in the whole path's words) is the
    whole path's."""
    root = make_ledger({"ledgers/fgw.yaml": HOSTILE[name]})
    lean = Lean(monkeypatch)
    for edit in (lambda r, t: progress(r, t, note="好"), lambda r, t: done(r, t, when="2026-11-20")):
        a, b, used = lean.both(tmp_path, root, edit, "A-2")
        assert not used, name
        assert a == b, name


@pytest.mark.parametrize(
    "data",
    [
        PLAIN.encode(),
        PLAIN.replace("\n", "\r\n").encode(),
        b"\xef\xbb\xbf" + PLAIN.encode(),
        ("# 台账\nunit: fgw  # 单位\n\ntasks:   # 清单\n\n" + PLAIN[len(HEAD) :]).encode(),
        PLAIN.replace("  - ", "- ").replace("\n    ", "\n  ").encode(),  # the dash at the margin
        (PLAIN + "  # 完\n").encode(),
    ],
    ids=["lf", "crlf", "bom", "comments", "margin", "trailing-comment"],
)
def test_plain_layouts_are_edited_lean(
    data: bytes, make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_ledger({"ledgers/fgw.yaml": data})
    lean = Lean(monkeypatch)
    for tid in ("A-1", "A-2", "A-3"):
        a, b, used = lean.both(tmp_path, root, lambda r, t: progress(r, t, percent="50", note="好"), tid)
        assert used and a == b and a[0] == 0, (tid, a[2])


def test_duplicate_in_another_file_gives_way(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id also in another file: the lean path is not taken (the whole path decides)."""
    root = make_ledger({"ledgers/fgw.yaml": PLAIN, "ledgers/jyj.yaml": "unit: jyj\ntasks:\n" + _task("A-2")})
    lean = Lean(monkeypatch)
    a, b, used = lean.both(tmp_path, root, lambda r, t: progress(r, t, note="好"), "A-2")
    assert not used and a == b


def test_refusals_are_the_whole_paths(make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A done task, an unknown id, a task with an error of its own, an edit that would add
    an error: the same words, the file as it was."""
    bad = _task("A-3").replace("due: 2026-12-31", "due: 2026-13-01")
    text = PLAIN + _task("A-4", "done: 2026-11-01") + _task("A-5", "start: 2026-12-01")
    root = make_ledger({"ledgers/fgw.yaml": text})
    broken = tmp_path / "broken"
    shutil.copytree(root, broken)
    (broken / "ledgers/fgw.yaml").write_text(text.replace(_task("A-3"), bad), encoding="utf-8")
    lean = Lean(monkeypatch)
    cases: list[tuple[Path, Edit, str]] = [
        (root, lambda r, t: progress(r, t, note="好"), "A-4"),
        (root, lambda r, t: done(r, t, when="2026-11-20"), "A-5"),
        (root, lambda r, t: progress(r, t, note="好"), "A-9"),
        (broken, lambda r, t: progress(r, t, note="好"), "A-3"),
    ]
    for src, edit, tid in cases:
        a, b, _ = lean.both(tmp_path, src, edit, tid)
        assert a == b, tid
        assert a[0] == 1 and a[3]["ledgers/fgw.yaml"] == (src / "ledgers/fgw.yaml").read_bytes(), tid


def test_an_error_in_another_task_is_left_to_check(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the lean path does not look at: another task's error. The whole path refuses
    to edit a file with an error anywhere; the lean path, which reads the task's lines
    only, makes the edit, keeps the broken task's bytes as they were, and `check` still
    reports the error (the edit neither adds nor hides it)."""
    bad = _task("A-3").replace("due: 2026-12-31", "due: 2026-13-01")
    root = make_ledger({"ledgers/fgw.yaml": PLAIN.replace(_task("A-3"), bad)})
    lean = Lean(monkeypatch)
    a, b, used = lean.both(tmp_path, root, lambda r, t: progress(r, t, note="好"), "A-1")
    assert used and a[0] == 0 and b[0] == 1
    written = a[3]["ledgers/fgw.yaml"].decode()
    assert written.endswith(bad) and written.startswith(HEAD + _task("A-1"))
    out = io.StringIO()
    assert check(next(tmp_path.glob("lean*")), as_of=TODAY, out=out) == 1 and "2026-13-01" in out.getvalue()


def test_a_hand_change_elsewhere_is_kept(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache holds the file; a clerk changes another task and adds a comment by hand;
    the next edit reads the file's bytes alone and writes them back as they are, with only
    the task's new lines added."""
    monkeypatch.setattr(E, "LEAN_MIN", 0)
    lean = Lean(monkeypatch)
    root = make_ledger({"ledgers/fgw.yaml": PLAIN})
    path = root / "ledgers/fgw.yaml"
    assert check(root, as_of=TODAY, out=io.StringIO()) == 0  # the cache now holds the file
    by_hand = PLAIN.replace("任务A-1", "任务A-1（已改）") + "  # 手改\n"
    path.write_text(by_hand, encoding="utf-8")
    code, _, err, files = _run(root, lambda r, t: progress(r, t, note="好"), "A-3")
    assert code == 0 and lean.taken == 1, err
    added = "    progress:\n      - {date: 2026-11-25, note: 好}\n"
    at = by_hand.index("  # 手改\n")
    assert files["ledgers/fgw.yaml"].decode() == by_hand[:at] + added + by_hand[at:]
    assert check(root, as_of=TODAY, out=io.StringIO()) == 0


def test_closed_lines() -> None:
    assert closed(b"") and closed(b"[]") and closed(b"{[]}") and closed(b'"[\'"') and closed(b"''''")
    assert not closed(b'"') and not closed(b"[") and not closed(b"]") and not closed(b"\\") and not closed(b"'")


def test_layout_finds_the_task() -> None:
    data = PLAIN.encode()
    lay = find_layout(data, "A-2")
    assert lay is not None and lay.items == [3, 6, 11] and lay.index == 1
    assert data[lay.start : lay.end].decode() == _task("A-2", "progress:", "  - {date: 2026-11-01, percent: 10}")
    assert find_layout(data, "A-9") is None and find_layout(data, "A") is None
    assert find_layout(data.replace(b"tasks:", b"tasks:#x"), "A-2") is None
    assert find_layout(data.replace(b"tasks:", b"tasks:  # x"), "A-2") is not None
    many = (HEAD + "".join(_task(f"A-{i}", "owner: 1") for i in range(1, 10_002))).encode()
    assert find_layout(many, "A-5") is not None and find_layout(many.replace(b"A-5\n", b"1\n"), "1") is None


NOTES = (
    st.lists(
        st.sampled_from([*"甲乙丙 :#-'\"[]{},&*!?|>%@`\\", "进展", "- id: A-1", "\n", "A-2", "：", "。"]),
        min_size=1,
        max_size=12,
    )
    .map("".join)
    .filter(lambda s: bool(s.strip()))
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.integers(0, 200),
    kind=st.sampled_from(["percent", "value", "note", "done"]),
    note=NOTES,
    number=st.integers(0, 100),
)
def test_lean_equals_whole_over_random_edits(
    generated: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    which: int,
    kind: str,
    note: str,
    number: int,
) -> None:
    """Random edits of random tasks of the generated ledger: byte for byte the same file,
    the same output, lean or whole."""
    ids = [t.id for t in load_ledger(generated).tasks]
    tid = ids[which % len(ids)]
    edit: Edit
    if kind == "done":
        edit = lambda r, t: done(r, t, when=f"2026-11-{1 + number % 25:02d}")  # noqa: E731
    elif kind == "percent":
        edit = lambda r, t: progress(r, t, percent=str(number), note=note)  # noqa: E731
    elif kind == "value":
        edit = lambda r, t: progress(r, t, value=str(number * 7), note=note)  # noqa: E731
    else:
        edit = lambda r, t: progress(r, t, note=note, by=note[:4])  # noqa: E731
    with monkeypatch.context() as mp:
        a, b, _ = Lean(mp).both(tmp_path, generated, edit, tid)
    assert a == b


class _Scanned(bytes):
    """A file's bytes that note what is searched for in them and over which range."""

    searched: list[tuple[bytes, int]]

    def _note(self, needle: object, start: int | None = None, end: int | None = None) -> None:
        lo, hi, _ = slice(start, end).indices(len(self))
        self.searched.append((bytes(needle) if isinstance(needle, bytes | bytearray) else b"", hi - lo))

    def find(self, sub: bytes, start: int | None = None, end: int | None = None) -> int:  # type: ignore[override]
        self._note(sub, start, end)
        return super().find(sub, start, end)

    def __contains__(self, sub: object) -> bool:
        self._note(sub)
        return super().__contains__(sub)  # type: ignore[operator]


def test_layout_looks_for_no_marker_the_file_does_not_hold_nor_past_the_tasks_key() -> None:
    """The layout of a file without `<`, `&`, `*`, `!` or `?` searches it for none of them
    (the markers are kept by the closure test's pass over the file), and for the other
    spelling of the tasks key only before the first; `item_ids` tries its pattern at the
    items' lines, not at every line of the file (a 40 MB file: find_layout 0.40 -> 0.30 s,
    item_ids 0.27 -> 0.10 s; issue 17). Counted in bytes handed to each search."""
    import re as _re

    from sanzhua.edit import layout as L

    one = "  - id: A-{0}\n    title: 任务{0}\n    due: 2026-12-31\n    tags: [甲, 乙]\n"
    tasks = "".join(one.format(i) for i in range(2000))
    plain = ("unit: fgw\ntasks:\n" + tasks).encode()
    data = _Scanned(plain)
    data.searched = []
    lay = find_layout(data, "A-1000")
    assert lay is not None and lay.index == 1000
    size = len(plain)
    whole = [needle for needle, n in data.searched if n > size // 2]
    assert not any(m in needle for needle in whole for m in (b"<", b"&", b"*", b"!", b"?")), whole
    assert not any("任务清单".encode() in needle for needle, n in data.searched if n > 100), data.searched
    tried: list[int] = []
    real = _re.compile

    class Counting:
        def __init__(self, p: _re.Pattern[bytes]) -> None:
            self.p = p

        def match(self, s: bytes, pos: int = 0) -> _re.Match[bytes] | None:
            tried.append(s.find(b"\n", pos) + 1 - pos)
            return self.p.match(s, pos)

        def finditer(self, s: bytes, pos: int = 0) -> object:
            tried.append(len(s) - pos)
            return self.p.finditer(s, pos)

    class Re:
        def __getattr__(self, name: str) -> object:
            return getattr(_re, name)

        def compile(self, *a: object) -> Counting:
            return Counting(real(*a))  # type: ignore[call-overload]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(L, "re", Re())
        ids = L.item_ids(plain, lay)
    assert ids == [f"A-{i}" for i in range(2000)]
    assert sum(tried) < size // 2, (sum(tried), size)  # the items' first lines alone
