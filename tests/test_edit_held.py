"""A one-task edit of a big file the parse cache holds, made from the file's bytes alone
(sanzhua.commands.edit_quick.open_lean with `held`, issue 14.8 / 17): a 60,000-task file's
cached parse is 30 MB to read and to write back, so the edit reads the task's lines from
the bytes, checks them against the cached index rows, and stores the written bytes' rows
and check results, not their parse. It writes, shows and refuses what the edit that reads
the whole file does; what it leaves in the cache is what a fresh parse and a fresh `check`
make of the written file; the commands after it say what they say on an emptied cache.

The lean path is taken for files over `LEAN_MIN` bytes; here the threshold is set to 0."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from datetime import date
from itertools import count
from pathlib import Path

import pytest

from sanzhua.commands import edit as E
from sanzhua.commands.check import check
from sanzhua.commands.edit import EditRun, done, extend
from sanzhua.load import load_ledger, parse_ledger_bytes
from sanzhua.load.cache import Cache, _check_of, cache_dir, content_key
from sanzhua.load.index import rows_of
from sanzhua.model import TaskRow
from tests.conftest import MakeLedger, bench_generator
from tests.test_cache_freshness import A, B, C, _outputs
from tests.test_edit_lean import EDITS, Edit, Outcome, _run

TODAY = date(2026, 11, 25)
gen = bench_generator()

_RUNS = count(1)


class Held:
    """Counts the lean edits of files the cache held (`open_lean(..., held=rel)`)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mp = monkeypatch
        self.taken = 0
        real = E.open_lean

        def spy(*args: object, **kw: object) -> object:
            got = real(*args, **kw)  # type: ignore[arg-type]
            self.taken += got is not None and kw.get("held") is not None
            return got

        monkeypatch.setattr(E, "open_lean", spy)

    def both(self, tmp: Path, src: Path, edit: Edit, task_id: str) -> tuple[Outcome, Outcome, bool]:
        """`check` of today, then the edit, on two fresh copies of `src` with a cache each:
        with the lean path on, and off; and whether the lean path took the held file."""
        n = next(_RUNS)
        on, off = tmp / f"held{n}", tmp / f"whole{n}"
        for d in (on, off):
            shutil.rmtree(d, ignore_errors=True)
            shutil.copytree(src, d)
            check(d, as_of=TODAY, out=io.StringIO())  # the cache now holds every file
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
    gen.generate(root, 8, 12, 7)
    return root


def test_held_lean_edits_equal_whole_edits(generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both key styles, CRLF, BOM, flow and block lists, children: the same bytes, diff,
    notes and refusals, with the file's parse in the cache or not read at all."""
    held = Held(monkeypatch)
    ids = [t.id for t in load_ledger(generated).tasks][2::7]
    taken: dict[str, int] = {}
    for name, edit in EDITS:
        for tid in ids:
            a, b, used = held.both(tmp_path, generated, edit, tid)
            assert a == b, (name, tid)
            taken[name] = taken.get(name, 0) + used
    assert all(n >= len(ids) * 0.5 for n in taken.values()), (taken, len(ids))


def test_what_a_held_lean_edit_stores_is_a_fresh_parse_and_check(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows stored for the written bytes are a fresh parse's; the check results, a
    fresh `check`'s; the parse itself is not stored (the next reader of tasks parses)."""
    monkeypatch.setattr(E, "LEAN_MIN", 0)
    held = Held(monkeypatch)
    ledger = load_ledger(generated)
    ids = [t.id for t in ledger.tasks if not t.done][3::6]
    checked = stored = 0
    for name, edit in EDITS:
        for tid in ids:
            root = tmp_path / f"{name}-{tid}"
            shutil.copytree(generated, root)
            monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / f"cache-{name}-{tid}"))
            check(root, as_of=TODAY, out=io.StringIO())
            before = held.taken
            code = _run(root, edit, tid)[0]
            if held.taken == before or code != 0:
                continue
            rel = next(t.file for t in ledger.tasks if t.id == tid)
            data = (root / rel).read_bytes()
            key = content_key(data, 2026)
            store = Cache(root, True)
            if not store.holds(rel, key):
                continue  # verified on the whole ledger after all (a child sees the new deadline)
            stored += 1
            assert store.rows(rel, key) == rows_of(parse_ledger_bytes(data, rel, 2026)), (name, tid)
            assert store.result(rel, key) is None
            raw = store.checks.get(rel)
            assert raw is not None
            entry = _check_of(raw)
            if entry.key != key:
                continue
            monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / f"fresh-{name}-{tid}"))
            check(root, as_of=TODAY, out=io.StringIO())
            fresh = _check_of(Cache(root, True).checks[rel])
            assert (entry.key, entry.context, entry.seen, entry.years, entry.lines) == (
                fresh.key,
                fresh.context,
                fresh.seen,
                fresh.years,
                fresh.lines,
            ), (name, tid)
            assert sorted(map(repr, entry.problems)) == sorted(map(repr, fresh.problems)), (name, tid)
            checked += 1
    assert stored >= 20 and checked >= 15, (stored, checked)


@pytest.mark.parametrize("name", [n for n, _ in EDITS])
def test_commands_after_a_held_lean_edit_say_what_they_say_on_an_emptied_cache(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    root = make_ledger({"ledgers/a.yaml": A, "ledgers/b.yaml": B, "ledgers/c.yaml": C})
    before = _outputs(root)  # fills the cache
    monkeypatch.setattr(E, "LEAN_MIN", 0)
    held = Held(monkeypatch)
    assert _run(root, dict(EDITS)[name], "B2")[0] == 0
    assert held.taken == 1
    warm = _outputs(root)
    shutil.rmtree(cache_dir(root))
    cold = _outputs(root)
    assert warm == cold
    assert warm != before, "the edit must show in some output, or this test could not fail"


CHILD_HERE = """\
unit: fgw
tasks:
  - id: A-1
    title: 一
    due: 2026-12-31
  - id: A-2
    title: 二（时限随上级）
    parent: A-1
"""


@pytest.mark.parametrize("cached", [False, True], ids=["not-cached", "cached"])
def test_extend_of_a_parent_whose_child_inherits_takes_the_whole_path(
    cached: bool, make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A child in the same file inherits the deadline an extension moves: the bytes alone
    cannot tell what it then sees, so the edit is verified on the whole ledger, and says
    and writes what the whole path does."""
    root = make_ledger(
        {
            "ledgers/fgw.yaml": CHILD_HERE,
            "ledgers/jyj.yaml": "unit: jyj\ntasks:\n  - id: B-1\n    title: 三\n    parent: A-1\n",
        }
    )
    edit: Edit = lambda r, t: extend(r, t, to="2027-03-31", approved_by="县政府", ref="督办〔2026〕1号")  # noqa: E731
    outcomes = []
    for lean_min in (0, 1 << 62):
        copy = tmp_path / f"copy{lean_min}"
        shutil.copytree(root, copy)
        if cached:
            check(copy, as_of=TODAY, out=io.StringIO())
        monkeypatch.setattr(E, "LEAN_MIN", lean_min)
        outcomes.append(_run(copy, edit, "A-1"))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 0 and b"2027-03-31" in outcomes[0][3]["ledgers/fgw.yaml"]


NEWS: list[tuple[str, Callable[[EditRun, str], int]]] = [
    ("plain", lambda r, u: E.new(r, E.NewTask(unit=u, title="新增任务", due="2026-12-31"))),
    (
        "full",
        lambda r, u: E.new(
            r,
            E.NewTask(
                unit=u,
                title="新增：全要素 #1",
                due="2026年底",
                owner="张三",
                target_value="12",
                target_unit="个",
                milestones=("开工=2026-12-01",),
                tags=("重点",),
            ),
        ),
    ),
    ("parent", lambda r, u: E.new(r, E.NewTask(unit=u, title="子任务", due="2026-12-20", parent="U0001-001"))),
]


@pytest.mark.parametrize("cached", [False, True], ids=["not-cached", "cached"])
def test_lean_new_equals_whole_new(
    cached: bool, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`new` after the last task of the unit's file, from the file's bytes alone (the cache
    holding the file or not): the same bytes, diff and notes as the whole path's."""
    units = sorted({t.lead for t in load_ledger(generated).tasks if t.lead})
    calls: list[bool] = []
    real = E.open_lean

    def spy(*args: object, **kw: object) -> object:
        got = real(*args, **kw)  # type: ignore[arg-type]
        calls.append(got is not None and kw.get("last") is not None)
        return got

    monkeypatch.setattr(E, "open_lean", spy)
    lean = 0
    for name, make in NEWS:
        for unit in units:
            outcomes = []
            for lean_min in (0, 1 << 62):
                copy = tmp_path / f"{name}-{unit}-{lean_min}-{cached}"
                shutil.copytree(generated, copy)
                if cached:
                    check(copy, as_of=TODAY, out=io.StringIO())
                monkeypatch.setattr(E, "LEAN_MIN", lean_min)
                calls.clear()
                outcomes.append(_run(copy, make, unit))
                if lean_min == 0:
                    lean += any(calls)
            assert outcomes[0] == outcomes[1], (name, unit)
            assert outcomes[0][0] == 0, outcomes[0][2]
    assert lean >= len(units), lean


HEAD = "unit: fgw\ntasks:\n"


def _task(tid: str, *more: str) -> str:
    return f"  - id: {tid}\n    title: 任务{tid}\n    due: 2026-12-31\n" + "".join(f"    {m}\n" for m in more)


NEW_LAYOUTS: dict[str, str] = {
    "plain": HEAD + _task("A-1") + _task("A-2"),
    "blank-lines": HEAD + _task("A-1") + "\n" + _task("A-2"),
    "block-target": HEAD + _task("A-1", "target:", "  value: 3", "  unit: 个") + _task("A-2"),
    "flow-target": HEAD + _task("A-1", "target: {value: 3, unit: 个}") + _task("A-2"),
    "quoted-id": HEAD + _task("A-1") + '  - id: "A-2"\n    title: 二\n    due: 2026-12-31\n',
    "id-in-block-scalar": HEAD + _task("A-1", "supervision: |", "  id: A-7") + _task("A-2"),
    "id-not-first": HEAD + "  - title: 一\n    id: A-1\n    due: 2026-12-31\n" + _task("A-2"),
    "look-alike": HEAD + _task("a-3") + _task("A-2"),
    "comment-last": HEAD + _task("A-1") + _task("A-2") + "  # 完\n",
}


@pytest.mark.parametrize("name", list(NEW_LAYOUTS))
def test_new_in_layouts_equals_whole_new(
    name: str, make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Targets in flow or block style, blank lines between tasks, ids the lines cannot
    read plainly, an id like the next one: lean or whole, the same outcome."""
    root = make_ledger({"ledgers/fgw.yaml": NEW_LAYOUTS[name]})
    make: Callable[[EditRun, str], int] = lambda r, u: E.new(  # noqa: E731
        r, E.NewTask(unit=u, title="新", due="2026-12-31", target_value="5")
    )
    for cached in (False, True):
        outcomes = []
        for lean_min in (0, 1 << 62):
            copy = tmp_path / f"{lean_min}-{cached}"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(root, copy)
            if cached:
                check(copy, as_of=TODAY, out=io.StringIO())
            monkeypatch.setattr(E, "LEAN_MIN", lean_min)
            outcomes.append(_run(copy, make, "fgw"))
        assert outcomes[0] == outcomes[1], (name, cached)


BASE = (
    "# 发改委 2026 年度台账\n"
    "unit: fgw  # 牵头单位\n"
    "\n"
    "tasks:   # 任务清单\n"
    "  # 第一项\n"
    "  - id: A-1\n"
    "    title: 一号任务  # 标题\n"
    "    due: 2026-12-31\n"
    "    tags: [重点, 民生]\n"
    "    progress:\n"
    "      - {date: 2026-11-01, percent: 10}\n"
    "        # 进展说明\n"
    "\n"
    "  - id: A-2\n"
    "    title: '二号: 任务'\n"
    "    due: 2026-12-20\n"
    "    milestones: [{name: 开工, due: 2026-12-01}]\n"
    "    target: {value: 100, unit: 个}\n"
    "    source: |\n"
    "      多行说明\n"
    "        - 缩进的一行\n"
    "  - {id: A-3, title: 三号, due: 2026-12-25}\n"
    "  - id: A-4\n"
    "    title: 四号\n"
    "    due: 2026-12-30\n"
    "    progress:\n"
    "    - date: 2026-11-02\n"
    "      percent: 20\n"
    "# 完\n"
)

VARIANTS: dict[str, Callable[[str], bytes]] = {
    "lf": lambda t: t.encode(),
    "crlf": lambda t: t.replace("\n", "\r\n").encode(),
    "bom": lambda t: b"\xef\xbb\xbf" + t.encode(),
    "bom-crlf": lambda t: b"\xef\xbb\xbf" + t.replace("\n", "\r\n").encode(),
    "tab-in-comment": lambda t: t.replace("# 进展说明", "# 进展\t说明").encode(),
    "margin": lambda t: re.sub(r"(?m)^  ", "", t).encode(),  # the list's dash at the margin
    "wide": lambda t: re.sub(r"(?m)^  ", "    ", t).encode(),  # the list indented four
    "chinese-keys": lambda t: re.sub(r"(?m)^unit:", "责任单位:", t).replace("tasks:", "任务清单:").encode(),
}

MORE_EDITS: list[tuple[str, Edit]] = [
    *EDITS,
    ("done-milestone", lambda r, t: done(r, t, milestone="开工", when="2026-11-20")),
    ("new", lambda r, t: E.new(r, E.NewTask(unit="fgw", title="新", due="2026-12-31", target_value="5"))),
]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_lean_equals_whole_on_written_files(
    variant: str, make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Comments everywhere, a block scalar, flow and block lists, a task in flow style, the
    list at the margin or indented deeper, CRLF, a BOM, a tab in a comment, Chinese keys:
    every edit, with the cache holding the file or not, writes, says and refuses the same
    lean or whole."""
    root = make_ledger({"ledgers/fgw.yaml": VARIANTS[variant](BASE)})
    taken: list[object] = []
    real = E.open_lean
    monkeypatch.setattr(E, "open_lean", lambda *a, **k: taken.append(real(*a, **k)) or taken[-1])
    for name, edit in MORE_EDITS:
        for tid in ("A-1", "A-2", "A-3", "A-4"):
            if name == "new" and tid != "A-1":
                continue
            for cached in (False, True):
                outcomes = []
                for lean_min in (0, 1 << 62):
                    copy = tmp_path / f"{name}-{tid}-{cached}-{lean_min}"
                    shutil.copytree(root, copy)
                    if cached:
                        check(copy, as_of=TODAY, out=io.StringIO())
                    monkeypatch.setattr(E, "LEAN_MIN", lean_min)
                    outcomes.append(_run(copy, edit, tid))
                assert outcomes[0] == outcomes[1], (variant, name, tid, cached)
    # a tab (in a comment or anywhere) is a layout the bytes alone do not vouch for
    assert (sum(q is not None for q in taken) > 10) == (variant != "tab-in-comment"), variant


@pytest.mark.parametrize("lean_min", [0, 1 << 62], ids=["held-lean", "cached-parse"])
def test_an_edit_that_moves_a_row_runs_the_ledger_wide_checks_and_seen_twice_not_three_times(
    lean_min: int, generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`extend` and `new` change an index row: the ledger-wide checks run on the rows
    before the edit (to know the file is valid) and after it. The "before" is what the
    edit found when it opened, not worked out a second time (60,000 rows: 0.1 s each;
    issue 17); so is what the file's tasks saw of the ledger (`check`'s `seen`) before the
    edit; the outcome is the whole path's."""
    from sanzhua.commands import edit_quick as Q

    ledger = load_ledger(generated)
    unit = sorted({t.lead for t in ledger.tasks if t.lead})[0]
    parents = {t.parent for t in ledger.tasks}
    task = next(
        t for t in ledger.tasks if t.lead == unit and t.parent is None and t.status == "active" and t.id not in parents
    )
    real = Q.run_checks
    scopes: list[str] = []

    def counted(ctx: object, scope: str = "ledger", **kw: object) -> object:
        scopes.append(scope)
        return real(ctx, scope=scope, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(Q, "run_checks", counted)
    real_seen = Q.seen_of
    seen_sizes: list[tuple[str, int]] = []

    def seen_counted(rows: tuple[TaskRow, ...], dues: object) -> tuple[object, ...]:
        seen_sizes.append((rows[0].file if rows else "", len(rows)))
        return real_seen(rows, dues)  # type: ignore[arg-type]

    monkeypatch.setattr(Q, "seen_of", seen_counted)
    edits: list[tuple[str, Edit]] = [
        ("extend", lambda r, t: extend(r, t, to="2027-02-28", approved_by="县政府", ref="督办〔2026〕9号")),
        ("new", lambda r, _t: E.new(r, E.NewTask(unit=unit, title="新增任务", due="2026-12-31"))),
    ]
    for name, edit in edits:
        outcomes = []
        for lm in (lean_min, None):
            copy = tmp_path / f"{name}-{lm}"
            shutil.copytree(generated, copy)
            check(copy, as_of=TODAY, out=io.StringIO())
            monkeypatch.setattr(E, "LEAN_MIN", 1 << 62 if lm is None else lm)
            scopes.clear()
            seen_sizes.clear()
            outcomes.append(_run(copy, edit, task.id))
            if lm is not None:
                assert scopes.count("ledger") == 2, (name, scopes)
            if lm == 0:  # held: what the file's tasks saw before, worked out once (then after)
                mine = next(t.file for t in ledger.tasks if t.lead == unit)
                assert sum(f == mine and n > 2 for f, n in seen_sizes) == 2, (name, seen_sizes)
        assert outcomes[0] == outcomes[1] and outcomes[0][0] == 0, (name, outcomes[0][2])
