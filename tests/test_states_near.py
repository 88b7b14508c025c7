"""`evaluate.states_near` (the previous period's states for a bulletin's totals, worked out
from this period's evaluation, issue 17) equals evaluating the ledger at that date: every
task's states, openness and deadline, in the same order, on the bundled ledger and on
generated ones with the hand-written cases of tests/test_trend_weekly.py (销号 with
`verify_done`, kinds with their own clocks, values rolled up over three levels of
sub-tasks, suspended, cancelled and dateless done tasks, milestones, extensions), for
many pairs of dates a day to months apart; and a bulletin made with it equals one made
with a second evaluation.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from sanzhua.evaluate import Counted, Evaluation, States, evaluate, states_near
from sanzhua.load import Ledger, load_ledger
from sanzhua.periods import period_of
from sanzhua.report.brief import assemble_brief, totals
from sanzhua.score import Scoreboard, score_units
from sanzhua.score.rules import DEFAULT_RULES
from tests.conftest import REPO
from tests.test_trend_weekly import _ledger

BACK = (0, 1, 2, 3, 4, 6, 7, 10, 14, 31, 90)


def _same(ledger: Ledger, known: Evaluation, day: date) -> int:
    """Asserts states_near at `day` from `known` equals evaluate at `day`; how many tasks
    it did not evaluate again (a Counted, or known's own state)."""
    full = evaluate(ledger, day)
    near = states_near(ledger, day, known)
    assert near.as_of == day
    assert list(near.tasks) == list(full.tasks)
    kept = 0
    for tid, want in full.tasks.items():
        got = near.tasks[tid]
        assert got.task is want.task, (day, known.as_of, tid)
        assert (got.states, got.is_open, got.deadline) == (want.states, want.is_open, want.deadline), (
            day,
            known.as_of,
            tid,
        )
        kept += isinstance(got, Counted) or got is known.tasks.get(tid)
    return kept


def _pairs(ledger: Ledger, knowns: list[date]) -> int:
    kept = 0
    for k in knowns:
        known = evaluate(ledger, k)
        for back in BACK:
            kept += _same(ledger, known, k - timedelta(days=back))
    return kept


def test_bundled_ledger() -> None:
    ledger = load_ledger(REPO, cache=False)
    knowns = [date(2026, 1, 5) + timedelta(days=9 * i) for i in range(45)] + [date(2027, 1, 10)]
    assert _pairs(ledger, knowns) > 0  # not every task evaluated again: the shortcut is taken


@pytest.mark.parametrize(
    ("seed", "extra"),
    [
        (4, "supervisors: [ducha@example.gov.cn]\nverify_done: true\n"),
        (5, ""),
        (6, "tracking_since: 2026-06-10\nreport_every: month\ndue_soon_days: 10\nbehind_margin: 5\n"),
    ],
)
def test_generated_ledgers(tmp_path: Path, seed: int, extra: str) -> None:
    root = _ledger(tmp_path / "gen", seed, verify=False)
    settings = root / "sanzhua.yaml"
    text = settings.read_text(encoding="utf-8")
    for line in extra.splitlines():  # a setting the generator writes is replaced, else added
        key = line.split(":", 1)[0] + ":"
        kept = [old for old in text.splitlines() if not old.startswith(key)]
        text = "\n".join(kept) + "\n" + line + "\n"
    settings.write_text(text, encoding="utf-8")
    ledger = load_ledger(root, cache=False)
    assert not [p for p in ledger.problems if p.severity == "error"], ledger.problems
    knowns = [date(2026, 1, 3) + timedelta(days=5 * i) for i in range(80)]
    assert _pairs(ledger, knowns) > 0


def test_a_later_date_is_evaluated() -> None:
    """Asked for a date after the known evaluation's, every task is evaluated."""
    ledger = load_ledger(REPO, cache=False)
    known = evaluate(ledger, date(2026, 6, 30))
    assert _same(ledger, known, date(2026, 7, 14)) == 0


def _both(ledger: Ledger, as_of: date) -> int:
    """The week's bulletin as of `as_of` made both ways is the same; how many units its
    约谈 list names."""
    week = period_of("week", as_of)
    made: dict[date, Evaluation] = {}

    def evaluate_at(d: date) -> Evaluation:
        if d not in made:
            made[d] = evaluate(ledger, d)
        return made[d]

    def score_at(d: date) -> Scoreboard:
        year = period_of("year", d)
        return score_units(ledger, DEFAULT_RULES, year.start, year.end, d, evaluation=evaluate_at(d))

    def near(d: date) -> States:
        return states_near(ledger, d, evaluate_at(as_of))

    plain = assemble_brief(ledger, evaluate_at, week, as_of, score_at=score_at)
    quick = assemble_brief(ledger, evaluate_at, week, as_of, score_at=score_at, states_at=near)
    assert quick == plain
    prev = period_of("week", as_of - timedelta(days=7)).end
    assert totals(near(prev), prev) == totals(evaluate(ledger, prev), prev)
    return len(plain.interviews)


@pytest.mark.parametrize("interviews", [False, True])
def test_bulletin_the_same(tmp_path: Path, interviews: bool) -> None:
    """A week's bulletin with the previous week's states from states_near is the one made
    with a second evaluation (the totals, their change, everything else); with the 约谈
    list, which looks back on the units named in the last three bulletins, too."""
    root = _ledger(tmp_path / "gen", 7, verify=False)
    if interviews:
        with (root / "sanzhua.yaml").open("a", encoding="utf-8") as f:
            f.write("notices:\n  interview_after: 3\n")
    ledger = load_ledger(root, cache=False)
    assert ledger.settings.notices.show_interviews is interviews
    named = [_both(ledger, d) for d in (date(2026, 3, 18), date(2026, 9, 2), date(2026, 11, 25), date(2026, 12, 31))]
    assert any(named) is interviews
