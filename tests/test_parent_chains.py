"""Long `parent` chains (issue 14): a 200 KB file of 5,000 tasks, each the parent of the
next, made `check` run for minutes (the cycle check walked every task up to the top,
testing membership in a list) and status, brief, site and every edit time out (each
parent's family, all the tasks below it, was 12.5 million tasks in all). The work is
counted here, not timed: linear in the tasks, the families bounded by MAX_PARENT_DEPTH."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sanzhua.checks import parent_cycle, parent_too_deep
from sanzhua.evaluate import MAX_PARENT_DEPTH, families
from sanzhua.model import Task, TaskRow


class Counting(dict[str, Any]):
    """A dict that counts its lookups."""

    gets = 0

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        Counting.gets += 1
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        Counting.gets += 1
        return super().__getitem__(key)


def _rows(n: int, *, cycle: bool = False) -> list[TaskRow]:
    out = []
    for i in range(n):
        parent = f"C{i - 1}" if i else (f"C{n - 1}" if cycle else None)
        out.append(SimpleNamespace(id=f"C{i}", parent=parent, file="ledgers/c.yaml", line=3 + i, column=5,
                                   parent_pos=(3 + i, 20)))
    return out  # type: ignore[return-value]


def _ctx(rows: list[TaskRow]) -> Any:
    first = Counting()
    for r in rows:
        first.setdefault(r.id, r)
    return SimpleNamespace(rows=rows, dues=SimpleNamespace(first=first))


def test_the_cycle_check_walks_each_task_once() -> None:
    for cycle in (False, True):
        Counting.gets = 0
        found = list(parent_cycle.check(_ctx(_rows(300, cycle=cycle))))
        assert len(found) == int(cycle)
        assert Counting.gets <= 4 * 300, Counting.gets  # was 45,000: every task walked to the top


def test_the_depth_check_names_the_first_task_too_deep_once() -> None:
    Counting.gets = 0
    found = list(parent_too_deep.check(_ctx(_rows(300))))
    assert [f.task for f in found] == [f"C{MAX_PARENT_DEPTH + 1}"]
    assert Counting.gets <= 4 * 300, Counting.gets
    assert list(parent_too_deep.check(_ctx(_rows(MAX_PARENT_DEPTH + 1)))) == []  # 20 levels below: allowed
    assert list(parent_too_deep.check(_ctx(_rows(300, cycle=True)))) == []  # a cycle is parent-cycle's


def test_families_are_bounded_by_the_depth_limit() -> None:
    n = 3000
    tasks = [SimpleNamespace(id=f"C{i}") for i in range(n)]
    by_id: dict[str, Task] = {t.id: t for t in tasks}  # type: ignore[misc]
    children: dict[str, list[Task]] = {f"C{i}": [tasks[i + 1]] for i in range(n - 1)}  # type: ignore[misc]
    fam = families(by_id, children)
    assert sum(len(f) for f in fam.values()) <= (MAX_PARENT_DEPTH + 1) * n  # was n²/2: 4.5 million
    assert [t.id for t in fam["C0"]] == [f"C{i}" for i in range(MAX_PARENT_DEPTH + 1)]


def test_the_depth_check_walks_no_path_for_a_task_without_a_parent() -> None:
    """Most tasks have no parent: each is a top of depth 0, found without a path walked
    (a list and a set made, filled, reversed: 60,000 rows of which 54,000 tops were a
    third of an edit's ledger-wide checks; issue 17). Counted in calls made in C."""
    import sys

    rows = _rows(1)
    rows = [SimpleNamespace(**{**vars(rows[0]), "id": f"T{i}", "parent": None}) for i in range(1000)]  # type: ignore[misc]
    rows += _rows(20)
    ctx = _ctx(rows)
    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        calls += event == "c_call"

    sys.setprofile(count)
    try:
        depth = parent_too_deep._depths(ctx)
    finally:
        sys.setprofile(None)
    assert all(depth[f"T{i}"] == 0 for i in range(1000)) and depth["C19"] == 19
    assert calls < 1300, calls  # a look-up a task, and the chain's walk
