"""A re-check from the cache says exactly what a check without it says, after any edit.

`sanzhua check` keeps each file's problems in the cache with what they depend on and
redoes only the files whose results no longer hold (sanzhua.commands.check). What a
file's problems depend on reaches across files: a child inherits its deadline from a
parent in another file, an id duplicated elsewhere is evaluated once, a parent's
deadline makes a child's too late. So here a small ledger whose tasks point at each
other across files is edited at random — deadlines, parents, ids, statuses, units,
the calendar, the as-of date, broken and deleted files — and after every edit the
cached check (text and JSON, exit code included) must equal an uncached one.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhua.commands.check import check
from sanzhua.load.cache import cache_dir
from tests.conftest import SETTINGS, UNITS

FILES = ("ledgers/a.yaml", "ledgers/b.yaml", "ledgers/sub/c.yml", "ledgers/d.yaml")
IDS = ("A1", "A2", "B1", "B2", "C1", "C2", "D1", "D2")
DUES = (None, "2026-03-31", "2026-06-30", "2026-11-30", "2026-12-31", "2027-06-30", "年底", "9月底")
UNITS_ALT = UNITS + "  - {id: nyj, name: 县农业农村局, kind: 县直部门}\n"
LEADS = ("fgw", "jyj", "县教育局", "nyj", "nope")
DATES = (date(2026, 5, 1), date(2026, 11, 25), date(2026, 12, 20), date(2027, 2, 1))


@dataclass
class Spec:
    id: str
    due: str | None = "2026-06-30"
    parent: str | None = None
    status: str | None = None
    done: str | None = None
    lead: str | None = None
    progress: str | None = None  # the date of one progress entry

    def yaml(self) -> str:
        lines = [f"  - id: {self.id}", f"    title: 任务{self.id}"]
        for key in ("due", "parent", "status", "done", "lead"):
            value = getattr(self, key)
            if value is not None:
                lines.append(f"    {key}: {value}")
        if self.progress is not None:
            lines += ["    progress:", f"      - {{date: {self.progress}, note: 推进中}}"]
        return "\n".join(lines) + "\n"


@dataclass
class World:
    files: dict[str, list[Spec]] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    units: str = UNITS
    calendar: str | None = None
    as_of: date = date(2026, 11, 25)

    def write(self, root: Path) -> None:
        (root / "units.yaml").write_text(self.units, encoding="utf-8")
        if self.calendar is None:
            (root / "calendar.yaml").unlink(missing_ok=True)
        else:
            (root / "calendar.yaml").write_text(self.calendar, encoding="utf-8")
        for rel in FILES:
            path = root / rel
            specs = self.files.get(rel)
            if specs is None:
                path.unlink(missing_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            text = "unit: fgw\ntasks:\n" + "".join(s.yaml() for s in specs)
            if rel in self.broken:
                text += "  - id: [\n"
            path.write_text(text, encoding="utf-8")


def initial() -> World:
    w = World()
    for i, rel in enumerate(FILES):
        w.files[rel] = [Spec(IDS[2 * i]), Spec(IDS[2 * i + 1], parent=IDS[2 * i])]
    return w


# One edit: (what, which file, which task in it, a choice among that edit's values).
Edit = tuple[str, int, int, int]
edits = st.lists(
    st.tuples(
        st.sampled_from(
            ["due", "parent", "id", "status", "done", "lead", "progress", "units", "calendar", "as_of", "break",
             "delete", "add", "move"]
        ),
        st.integers(0, 7),
        st.integers(0, 3),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=12,
)


def apply(w: World, edit: Edit) -> None:
    what, which, task, choice = edit
    rel = FILES[which % len(FILES)]
    specs = w.files.get(rel)
    if what == "units":
        w.units = UNITS_ALT if w.units == UNITS else UNITS
    elif what == "calendar":
        w.calendar = None if w.calendar else "holidays: [2026-10-01]\nworkdays: [2026-09-27]\n"
    elif what == "as_of":
        w.as_of = DATES[choice % len(DATES)]
    elif what == "break":
        w.broken ^= {rel}
    elif what == "delete":
        w.files.pop(rel, None)
    elif what == "add":
        w.files.setdefault(rel, []).append(Spec(IDS[choice % len(IDS)], parent=IDS[task]))
    elif what == "move" and specs and len(specs) > 1:
        w.files.setdefault(FILES[choice % len(FILES)], []).append(specs.pop(0))
    elif specs:
        s = specs[task % len(specs)]
        if what == "due":
            s.due = DUES[choice % len(DUES)]
        elif what == "parent":
            s.parent = (*IDS, "ZZ-9", None)[choice]
        elif what == "id":
            s.id = IDS[choice % len(IDS)]
        elif what == "status":
            s.status = (None, "done", "suspended", "planned", "active")[choice % 5]
        elif what == "done":
            s.done = (None, "2026-05-01", "2026-12-20")[choice % 3]
        elif what == "lead":
            s.lead = (*LEADS, None, None, None, None, None)[choice]
        elif what == "progress":
            s.progress = (None, "2026-04-01", "2026-12-24")[choice % 3]


def run_check(root: Path, as_of: date, fmt: str, cache: bool) -> tuple[int, str]:
    buf = io.StringIO()
    code = check(root, as_of=as_of, fmt=fmt, cache=cache, out=buf)
    return code, buf.getvalue()


@contextmanager
def ledger_root() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="sanzhua-incremental-"))
    try:
        (folder / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
        (folder / "ledgers").mkdir()
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@settings(max_examples=80, deadline=None)
@given(edits)
def test_a_cached_recheck_equals_an_uncached_check(steps: list[Edit]) -> None:
    with ledger_root() as root:
        w = initial()
        w.write(root)
        run_check(root, w.as_of, "text", cache=True)  # fill the cache
        for step in steps:
            apply(w, step)
            w.write(root)
            for fmt in ("text", "json"):
                assert run_check(root, w.as_of, fmt, cache=True) == run_check(root, w.as_of, fmt, cache=False), step


def write(root: Path, files: dict[str, str]) -> None:
    """A ledger root with the shared settings and units, and `files` below it."""
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")


def tasks_with(root: Path, code: str) -> list[str | None]:
    """The tasks of the problems with this code, from a cached check."""
    _, out = run_check(root, date(2026, 11, 25), "json", cache=True)
    return sorted((p["task"] for p in json.loads(out)["problems"] if p["code"] == code), key=str)


def test_a_parent_in_another_file_changes_its_childs_problems(tmp_path: Path) -> None:
    """The plain case: B1 inherits A1's deadline; moving A1's deadline into the past makes
    B1 overdue, though b.yaml did not change (so its cached results must not be used)."""
    parent = "unit: fgw\ntasks:\n  - {{id: A1, title: 上级任务, due: {}}}\n"
    child = "unit: fgw\ntasks:\n  - {id: B1, title: 下级任务, parent: A1}\n"
    write(tmp_path, {"ledgers/a.yaml": parent.format("2026-12-31"), "ledgers/b.yaml": child})
    assert tasks_with(tmp_path, "overdue") == []
    write(tmp_path, {"ledgers/a.yaml": parent.format("2026-06-30")})
    assert tasks_with(tmp_path, "overdue") == ["A1", "B1"]
    write(tmp_path, {"ledgers/a.yaml": parent.format("2026-12-31")})
    assert tasks_with(tmp_path, "overdue") == []


def test_a_parents_earlier_deadline_in_another_file_is_seen(tmp_path: Path) -> None:
    """B1 has its own deadline; when its parent A1 (in another file) moves its deadline
    before B1's, B1 is due after its parent — though b.yaml did not change."""
    parent = "unit: fgw\ntasks:\n  - {{id: A1, title: 上级任务, due: {}}}\n"
    child = "unit: fgw\ntasks:\n  - {id: B1, title: 下级任务, parent: A1, due: 2026-12-20}\n"
    write(tmp_path, {"ledgers/a.yaml": parent.format("2026-12-31"), "ledgers/b.yaml": child})
    assert tasks_with(tmp_path, "child-due-after-parent") == []
    write(tmp_path, {"ledgers/a.yaml": parent.format("2026-12-15")})
    assert tasks_with(tmp_path, "child-due-after-parent") == ["B1"]


def test_a_unit_added_to_units_yaml_is_seen(tmp_path: Path) -> None:
    """units.yaml is not a ledger file, but the unknown-unit problems of every file hang on it."""
    write(tmp_path, {"ledgers/a.yaml": "unit: nyj\ntasks:\n  - {id: A1, title: 高标准农田建设, due: 2026-12-31}\n"})
    assert tasks_with(tmp_path, "unknown-unit") == ["A1"]
    (tmp_path / "units.yaml").write_text(UNITS_ALT, encoding="utf-8")
    assert tasks_with(tmp_path, "unknown-unit") == []
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    assert tasks_with(tmp_path, "unknown-unit") == ["A1"]


def test_a_missing_or_foreign_results_file_is_parsed_again(tmp_path: Path) -> None:
    """The parsed results live beside the index; when they are gone, broken or written with
    another index (an interrupted run), the files are parsed again, never misread."""
    from sanzhua.load import load_ledger

    def files(title: str) -> dict[str, str]:
        return {
            f"ledgers/f{i}.yaml": f"unit: fgw\ntasks:\n  - {{id: T{i}, title: {title}{i}, due: 2026-0{i + 3}-31}}\n"
            for i in range(3)
        }

    root = tmp_path
    cache = cache_dir(root)
    results = cache / "files.results.cache"
    # The foreign results: of other contents of the same files (other titles, which the
    # overdue warnings quote), under another index.
    write(root, files("旧任务"))
    run_check(root, date(2026, 11, 25), "text", cache=True)
    foreign = results.read_bytes()
    shutil.rmtree(cache)
    write(root, files("任务"))
    expected = run_check(root, date(2026, 11, 25), "text", cache=False)
    assert "旧任务" not in expected[1]
    assert run_check(root, date(2026, 11, 25), "text", cache=True) == expected
    # A new as-of date: every file is checked again, from the parsed results (the foreign
    # ones first, while no delta holds results of its own).
    for damage in (foreign, None, b"junk"):
        if damage is None:
            results.unlink()
        else:
            results.write_bytes(damage)
        fresh = run_check(root, date(2026, 11, 20), "text", cache=False)
        assert run_check(root, date(2026, 11, 20), "text", cache=True) == fresh
        assert run_check(root, date(2026, 11, 21), "text", cache=True) == run_check(
            root, date(2026, 11, 21), "text", cache=False
        )
        assert [t.id for t in load_ledger(root).tasks] == [t.id for t in load_ledger(root, cache=False).tasks]


def test_the_cache_key_covers_the_code_behind_cached_results(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every module of sanzhua that a check imports is part of the code fingerprint, so an
    edited parser or check (in a checkout, or a patched install) never serves stale problems."""
    import sys

    import sanzhua
    import sanzhua.commands.check
    import sanzhua.load.cache

    package = Path(sanzhua.__file__).resolve().parent
    read: set[str] = set()
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        read.add(self.resolve().relative_to(package).as_posix())
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    sanzhua.load.cache.code_fingerprint()
    loaded = [m for name, m in sys.modules.items() if name.startswith("sanzhua.") and getattr(m, "__file__", None)]
    assert len(loaded) > 30
    for module in loaded:
        rel = Path(str(module.__file__)).resolve().relative_to(package).as_posix()
        assert rel in read, rel
