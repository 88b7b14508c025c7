"""The parser's shortcuts (sanzhua.load.ledgerfile) change nothing it says: a task built
without its __init__ is the task `Task(...)` builds; the keys of a mapping and the days
of dates written before are remembered, but every problem is still reported, in every
file, every time; and what is remembered is bounded."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from sanzhua.load import ledgerfile
from sanzhua.load.ledgerfile import parse_ledger_bytes
from sanzhua.model import Task
from tests.test_cache_safety import RICH


def test_a_parsed_task_is_what_its_constructor_builds() -> None:
    result = parse_ledger_bytes(RICH.encode(), "ledgers/a.yaml", 2026)
    names = {f.name for f in dataclasses.fields(Task)}
    assert result.tasks
    for t in result.tasks:
        assert set(vars(t)) == names
        assert Task(**{n: getattr(t, n) for n in names}) == t
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.tasks[0].title = "x"  # type: ignore[misc]


GOOD = "unit: fgw\ntasks:\n  - id: A1\n    title: 一\n    due: 2026-09-30\n    start: 2026-01-05\n"
BAD_KEY = "unit: fgw\ntasks:\n  - id: A1\n    title: 一\n    due: 2026-09-30\n    titel: 二\n"
BAD_DATE = "unit: fgw\ntasks:\n  - id: A1\n    title: 一\n    due: 尽快\n    start: 2026-01-05\n"


def _codes(text: str, path: str = "ledgers/a.yaml") -> list[tuple[str, int, int]]:
    return [(p.code, p.line, p.column) for p in parse_ledger_bytes(text.encode(), path, 2026).problems]


def test_remembered_keys_and_dates_hide_no_problem() -> None:
    assert _codes(GOOD) == []
    assert _codes(GOOD) == []
    for _ in range(2):  # the same keys as GOOD's but one, in two files, twice
        assert _codes(BAD_KEY) == [("unknown-key", 6, 5)]
        assert _codes(BAD_KEY, "ledgers/b.yaml") == [("unknown-key", 6, 5)]
    for _ in range(2):  # the same keys as GOOD's, a date never read
        assert _codes(BAD_DATE) == [("invalid-date", 5, 10)]
        assert _codes(BAD_DATE, "ledgers/b.yaml") == [("invalid-date", 5, 10)]
    assert _codes(GOOD) == []
    # A date read under another year means another day
    other = parse_ledger_bytes("unit: fgw\ntasks:\n  - {id: A1, title: 一, due: 9月底}\n".encode(), "x.yaml", 2025)
    this = parse_ledger_bytes("unit: fgw\ntasks:\n  - {id: A1, title: 一, due: 9月底}\n".encode(), "x.yaml", 2026)
    assert (other.tasks[0].due, this.tasks[0].due) == (date(2025, 9, 30), date(2026, 9, 30))


def test_what_the_parser_remembers_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledgerfile, "_WHEN", {})  # as a fresh process has them
    monkeypatch.setattr(ledgerfile, "_KNOWN", {})
    monkeypatch.setattr(ledgerfile, "_WHEN_MAX", 10)
    monkeypatch.setattr(ledgerfile, "_KNOWN_MAX", 3)
    lines = ["unit: fgw", "tasks:"]
    for i in range(40):
        extra = ["category: c", "owner: o", "leader: l", "source: s", "tags: t"][: i % 5]
        lines += [f"  - id: T{i}", f"    title: t{i}", f"    due: 2026-{1 + i % 12:02d}-{1 + i // 12:02d}"]
        lines += [f"    {e}" for e in extra]
    result = parse_ledger_bytes("\n".join(lines).encode(), "ledgers/a.yaml", 2026)
    assert len(result.tasks) == 40 and not result.problems
    assert len(ledgerfile._WHEN) <= 10
    assert len(ledgerfile._KNOWN) <= 3
