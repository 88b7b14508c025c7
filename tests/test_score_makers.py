"""A year's score makes a task's reporting gaps and its events (`_Gaps`, `_TaskEvents`,
frozen dataclasses with slots) with `sanzhua.model.builder`'s makers, not through their
frozen __init__ (issue 17: one of each per task, 20,000 in a city's bulletin), and the
scoreboard is the one their own constructors make: the same ranking, scores, counts and
entries, word for word."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sanzhua.commands.common import ledger_rules
from sanzhua.load import load_ledger
from sanzhua.score import compute, score_units
from tests.conftest import bench_generator
from tests.test_site import _hostile

AS_OF = date(2026, 11, 25)


def _board(root: Path, at: date) -> list[tuple[Any, ...]]:
    ledger = load_ledger(root)
    rules = ledger_rules(ledger, "zh", at)
    assert rules is not None
    board = score_units(ledger, rules, date(at.year, 1, 1), date(at.year, 12, 31), at)
    return [(r.unit, r.rank, r.score, r.counts, r.added, r.taken, r.entries) for r in board.units]


def _counted(real: Any, name: str, made: list[str]) -> Any:
    def counted(self: object, *args: object) -> None:
        made.append(name)
        real(self, *args)

    return counted


@pytest.mark.parametrize("at", [date(2026, 6, 30), AS_OF])
def test_the_score_makes_no_gaps_or_events_through_their_init(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, at: date
) -> None:
    generated = tmp_path / "generated"
    bench_generator().generate(generated, 10, 12, 4)
    for root in (generated, _hostile(tmp_path)):
        made: list[str] = []
        for cls in (compute._Gaps, compute._TaskEvents):
            monkeypatch.setattr(cls, "__init__", _counted(cls.__init__, cls.__name__, made))
        fast = _board(root, at)
        assert made == []  # not one through the frozen __init__
        assert any(entries for *_, entries in fast)  # events were made, and listed
        # The same scoreboard with each made by its own class's constructor.
        monkeypatch.setattr(compute, "_gaps", compute._Gaps)
        monkeypatch.setattr(compute, "_task_events", compute._TaskEvents)
        plain = _board(root, at)
        assert made.count("_Gaps") > 0 and made.count("_TaskEvents") > 0
        assert fast == plain
        monkeypatch.undo()
