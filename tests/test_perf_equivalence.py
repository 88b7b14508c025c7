"""`score_tasks` made fast gives exactly what it gave before.

The original implementation is kept below as `_score_tasks_reference` (a verbatim copy
of the old `score_tasks` and its helpers, returning plain rows). Both run on the example
ledger and on generated ledgers — weekly and monthly reporting, with and without a
`scoring:` section, several periods and dates — and every unit's score, rank, counts,
added, taken and entries (same order, reasons and arguments) must be equal.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

from sanzhua.evaluate import Evaluation, TaskState, evaluate
from sanzhua.load import Ledger, load_ledger
from sanzhua.model import ReportEvery, Task, Unit
from sanzhua.periods import month_of, week_of
from sanzhua.score import (
    DEFAULT_RULES,
    Rules,
    Scoreboard,
    rules_from_mapping,
    rules_from_root,
    rules_from_settings,
    score_tasks,
    score_units,
)
from sanzhua.score.compute import COUNT_KEYS, REASONS, Entry
from tests.conftest import bench_generator

REPO = Path(__file__).resolve().parent.parent
_ONE = Decimal(1)

PARTNER_RULES = rules_from_mapping(
    {
        "done_early": "1",
        "early_days": "3",
        "overdue_per_day": "-0.1",
        "overdue_per_week": "-0.5",
        "overdue_cap": "4",
        "done_late_per_day": "-0.05",
        "done_late_per_week": "-0.2",
        "done_late_cap": "2",
        "report_missing": "-0.25",
        "partner_share": "0.3",
        "category_weights": {"抓具体": "1.5", "促提升": "0.5", "抓项目": "0"},
    }
)
SCORING_YAML = """\
scoring:
  done_early: 1
  early_days: 5
  done_late_per_day: -0.1
  done_late_cap: 2
  overdue_per_week: -0.3
  overdue_cap: 3
  report_missing: -0.05
  partner_share: 0.5
  category_weights:
    抓具体: 1.5
    抓具体/抓项目建设: 2
"""
PERIODS = [
    (date(2026, 1, 1), date(2026, 12, 31)),  # the year
    (date(2026, 10, 1), date(2026, 12, 31)),  # a quarter
    (date(2026, 11, 1), date(2026, 11, 30)),  # a month
    (date(2026, 9, 1), date(2026, 9, 30)),
    (date(2026, 3, 4), date(2026, 5, 20)),  # starts and ends mid-week, mid-month
    (date(2026, 11, 23), date(2026, 11, 29)),  # one week
    (date(2026, 12, 1), date(2026, 12, 31)),  # after the as-of date: nothing is scored
    (date(2025, 12, 29), date(2026, 2, 28)),  # across the turn of the year
]
AS_OFS = [date(2026, 11, 25), date(2026, 6, 30), date(2026, 3, 15)]


@dataclass(frozen=True)
class RefUnit:
    unit: str
    name: str
    kind: str
    score: Decimal
    rank: int | None
    counts: dict[str, int]
    entries: tuple[Entry, ...]
    added: Decimal
    taken: Decimal


@dataclass(frozen=True, slots=True)
class _Event:
    reason: str
    points: Decimal
    day: date
    args: dict[str, object]


def assert_same(board: Scoreboard, ref: tuple[RefUnit, ...]) -> None:
    assert [u.unit for u in board.units] == [r.unit for r in ref]
    for u, r in zip(board.units, ref, strict=True):
        assert (u.unit, u.name, u.kind, u.rank) == (r.unit, r.name, r.kind, r.rank)
        assert (str(u.score), str(u.added), str(u.taken)) == (str(r.score), str(r.added), str(r.taken))
        assert dict(u.counts) == r.counts
        assert len(u.entries) == len(r.entries)
        assert u.entries == r.entries
        assert [str(e.points) for e in u.entries] == [str(e.points) for e in r.entries]


_evaluations: dict[tuple[int, date], Evaluation] = {}


def compare(
    ledger: Ledger,
    rules: Rules,
    start: date,
    end: date,
    as_of: date,
    report_every: ReportEvery,
    kinds: Collection[str] = (),
) -> None:
    rules = _per_task(rules)
    at = min(end, as_of)
    key = (id(ledger), at)
    if key not in _evaluations:
        _evaluations[key] = evaluate(ledger, at)
    ev = _evaluations[key]
    args = (ev, ledger.units, ledger.children, rules, start, end, as_of)
    new = score_tasks(*args, report_every=report_every, kinds=kinds)
    old = _score_tasks_reference(*args, report_every=report_every, kinds=kinds)
    assert_same(new, old)


def _per_task(rules: Rules) -> Rules:
    """The reference counts missed reports per task and period: the rules that ask for that
    (the default counts them per unit and period, which the reference predates)."""
    return replace(rules, report_missing_per="task")


@cache
def example() -> Ledger:
    return load_ledger(REPO, cache=False)


@pytest.mark.parametrize("every", ["week", "month", "none"])
@pytest.mark.parametrize("rules_name", ["ledger", "default", "partners"])
def test_example_ledger(every: ReportEvery, rules_name: str) -> None:
    ledger = example()
    rules = {
        "ledger": rules_from_settings(ledger.settings),
        "default": DEFAULT_RULES,
        "partners": PARTNER_RULES,
    }[rules_name]
    for as_of in AS_OFS:
        for start, end in PERIODS:
            compare(ledger, rules, start, end, as_of, every)
    compare(ledger, rules, *PERIODS[0], AS_OFS[0], every, kinds=("乡镇",))


@pytest.fixture(scope="module")
def generator() -> ModuleType:
    return bench_generator()


@pytest.mark.parametrize(
    ("seed", "every", "scoring"),
    [(1, "week", False), (2, "week", True), (3, "month", False), (4, "month", True)],
)
def test_generated_ledgers(
    generator: ModuleType, tmp_path: Path, seed: int, every: str, scoring: bool
) -> None:
    root = tmp_path / "ledger"
    generator.generate(root, 15, 12, seed)
    settings = root / "sanzhua.yaml"
    text = settings.read_text(encoding="utf-8").replace(
        "report_every: week", f"report_every: {every}"
    )
    settings.write_text(text + (SCORING_YAML if scoring else ""), encoding="utf-8")
    ledger = load_ledger(root, cache=False)
    assert ledger.settings.report_every == every
    rules, problems = rules_from_root(root)
    assert not [p for p in problems if p.severity == "error"]
    assert (rules.partner_share != 0) == scoring
    for as_of in AS_OFS:
        for start, end in PERIODS:
            compare(ledger, rules, start, end, as_of, ledger.settings.report_every)
            compare(ledger, PARTNER_RULES, start, end, as_of, ledger.settings.report_every)
    # score_units, as `sanzhua score` and `brief` call it, agrees too.
    at = date(2026, 11, 25)
    rules = _per_task(rules)
    board = score_units(ledger, rules, date(2026, 1, 1), date(2026, 12, 31), at)
    ref = _score_tasks_reference(
        evaluate(ledger, at), ledger.units, ledger.children, rules,
        date(2026, 1, 1), date(2026, 12, 31), at, report_every=ledger.settings.report_every,
    )
    assert_same(board, ref)
    assert sum(u.counts["report_missing"] for u in board.units) > 0


# ---------------------------------------------------------------------------
# The reference: sanzhua.score.compute.score_tasks as it was before it was made fast.


def _score_tasks_reference(
    evaluation: Evaluation,
    units: Mapping[str, Unit],
    children: Mapping[str, Sequence[Task]],
    rules: Rules,
    start: date,
    end: date,
    as_of: date,
    *,
    report_every: ReportEvery = "week",
    kinds: Collection[str] = (),
) -> tuple[RefUnit, ...]:
    """The original `score_tasks` (before it was made fast), returning plain rows."""
    at = min(end, as_of)
    entries: dict[str, list[Entry]] = {}
    counts: dict[str, dict[str, int]] = {}
    scored_units: set[str] = set()  # units with at least one scored task: these are ranked

    def counts_of(uid: str) -> dict[str, int]:
        return counts.setdefault(uid, dict.fromkeys(COUNT_KEYS, 0))

    for st in sorted(evaluation.tasks.values(), key=lambda s: s.task.id):
        t = st.task
        lead = t.lead
        partners = [p for p in dict.fromkeys(t.partners) if p and p != lead]
        if lead:
            counts_of(lead)["tasks"] += 1
        for p in partners:
            counts_of(p)["partner_tasks"] += 1
        if at < start:
            continue
        weight = _weight(t, rules)
        if weight != 0 and _is_scored(st, start, at):
            if lead:
                scored_units.add(lead)
            if rules.partner_share != 0:
                scored_units.update(partners)
        events = list(_events(st, rules, start, at, report_every, _reports_of(t, children)))
        if not events:
            continue
        for ev in events:
            if lead:
                c = counts_of(lead)
                if ev.reason in c:
                    c[ev.reason] += 1
            for uid, role, share in [(lead, "lead", _ONE)] + [
                (p, "partner", rules.partner_share) for p in partners
            ]:
                if not uid:
                    continue
                points = ev.points * weight * share
                if points == 0:
                    continue
                entries.setdefault(uid, []).append(
                    Entry(
                        points=points,
                        task_id=t.id,
                        reason_key=ev.reason,
                        args=ev.args,
                        title=t.title,
                        role=role,  # type: ignore[arg-type]
                        rule_points=ev.points,
                        weight=weight,
                        share=share,
                        date=ev.day,
                    )
                )

    order = {uid: i for i, uid in enumerate(units)}
    ids = list(units) + sorted(set(counts) - set(units))
    if kinds:
        ids = [u for u in ids if u in units and (units[u].kind or "") in kinds]
    scored: list[tuple[Decimal, str]] = []
    unscored: list[tuple[Decimal, str]] = []
    for uid in ids:
        es = entries.get(uid, [])
        total = rules.base + sum((e.points for e in es), Decimal(0))
        (scored if uid in scored_units or es else unscored).append((total, uid))
    scored.sort(key=lambda x: (-x[0], order.get(x[1], len(order)), x[1]))
    rows: list[RefUnit] = []
    rank: int | None = 0
    prev: Decimal | None = None
    for i, (score, uid) in enumerate(scored + unscored, start=1):
        if i > len(scored):
            rank = None
        elif score != prev:
            rank, prev = i, score
        unit = units.get(uid)
        es = sorted(entries.get(uid, []), key=_entry_key)
        rows.append(
            RefUnit(
                unit=uid,
                name=unit.name if unit else uid,
                kind=(unit.kind or "") if unit else "",
                score=score,
                rank=rank,
                counts=dict(counts.get(uid) or dict.fromkeys(COUNT_KEYS, 0)),
                entries=tuple(es),
                added=sum((e.points for e in es if e.points > 0), Decimal(0)),
                taken=sum((e.points for e in es if e.points < 0), Decimal(0)),
            )
        )
    return tuple(rows)


def _is_scored(st: TaskState, start: date, at: date) -> bool:
    """Whether the task is scored in the period start..at, whatever its events: not
    suspended or cancelled at `at`, and either done within the period or still not
    done and started by `at`. (`st.done` is never after `at`; a task done without a
    done date scores nothing.)"""
    states = set(st.states)
    if "suspended" in states or "cancelled" in states:
        return False
    if st.done is not None:
        return start <= st.done
    return not st.is_done and st.task.start <= at


def _entry_key(e: Entry) -> tuple[date, str, int, str]:
    return (
        e.date or date.min,
        e.task_id,
        REASONS.index(e.reason_key),
        str(e.args.get("milestone", "")),
    )


def _weight(t: Task, rules: Rules) -> Decimal:
    if t.weight is not None:
        return Decimal(repr(float(t.weight)))
    w = rules.category_weight(t.category)
    return _ONE if w is None else w


def _reports_of(t: Task, children: Mapping[str, Sequence[Task]]) -> list[date]:
    """The dates of a task's progress entries and its descendants' (sorted)."""
    days = [p.date for p in t.progress]
    seen = {t.id}
    stack = list(children.get(t.id, ()))
    while stack:
        c = stack.pop()
        if c.id in seen:
            continue
        seen.add(c.id)
        days.extend(p.date for p in c.progress)
        stack.extend(children.get(c.id, ()))
    return sorted(days)


def _late_points(
    days: int, per_day: Decimal, per_week: Decimal, cap: Decimal | None
) -> tuple[Decimal, int, Decimal | None]:
    """Points for `days` late: per day plus per started week, limited to the cap
    (the third value is the uncapped amount when the cap applied)."""
    weeks = -(-days // 7)
    raw = per_day * days + per_week * weeks
    if cap is not None and abs(raw) > cap:
        return (cap if raw > 0 else -cap), weeks, raw
    return raw, weeks, None


def _events(
    st: TaskState,
    rules: Rules,
    start: date,
    at: date,
    report_every: ReportEvery,
    reports: list[date],
) -> Iterator[_Event]:
    t = st.task
    deadline = st.deadline
    done = st.done
    states = set(st.states)
    if "suspended" in states or "cancelled" in states:
        return
    iso = date.isoformat
    # Done within the period.
    if done is not None and start <= done <= at:
        if deadline is None or done <= deadline:
            early = (deadline - done).days if deadline is not None else 0
            yield _Event(
                "done_on_time",
                rules.done_on_time,
                done,
                {"deadline": iso(deadline) if deadline else "", "done": iso(done)},
            )
            if deadline is not None and early >= rules.early_days:
                yield _Event(
                    "done_early",
                    rules.done_early,
                    done,
                    {
                        "deadline": iso(deadline),
                        "done": iso(done),
                        "days": early,
                        "early_days": rules.early_days,
                    },
                )
        else:
            late = (done - deadline).days
            yield _Event(
                "done_late",
                rules.done_late,
                done,
                {"deadline": iso(deadline), "done": iso(done), "days": late},
            )
            pts, weeks, capped = _late_points(
                late, rules.done_late_per_day, rules.done_late_per_week, rules.done_late_cap
            )
            yield _Event(
                "done_late_time",
                pts,
                done,
                {
                    "deadline": iso(deadline),
                    "done": iso(done),
                    "days": late,
                    "weeks": weeks,
                    "per_day": rules.done_late_per_day,
                    "per_week": rules.done_late_per_week,
                    "cap": rules.done_late_cap,
                    "capped": capped is not None,
                    "uncapped": capped,
                },
            )
    # Overdue (and behind) as of the end of the period.
    if "overdue" in states and deadline is not None and st.days_overdue is not None:
        days = st.days_overdue
        yield _Event(
            "overdue", rules.overdue, at, {"deadline": iso(deadline), "at": iso(at), "days": days}
        )
        pts, weeks, capped = _late_points(
            days, rules.overdue_per_day, rules.overdue_per_week, rules.overdue_cap
        )
        yield _Event(
            "overdue_time",
            pts,
            at,
            {
                "deadline": iso(deadline),
                "at": iso(at),
                "days": days,
                "weeks": weeks,
                "per_day": rules.overdue_per_day,
                "per_week": rules.overdue_per_week,
                "cap": rules.overdue_cap,
                "capped": capped is not None,
                "uncapped": capped,
            },
        )
    elif "behind" in states:
        yield _Event(
            "behind",
            rules.behind,
            at,
            {"at": iso(at), "percent": _pct(st.percent), "expected": _pct(st.expected_percent)},
        )
    # Milestones: missed on the day after their date, if not done by then.
    done_no_date = st.is_done and done is None
    if not done_no_date:
        for m in t.milestones:
            missed_on = m.due + timedelta(days=1)
            if not start <= missed_on <= at or t.start > m.due:
                continue
            if m.done is not None and m.done <= min(m.due, at):
                continue
            if done is not None and done <= m.due:
                continue
            yield _Event(
                "milestone_missed",
                rules.milestone_missed,
                missed_on,
                {
                    "milestone": m.name,
                    "due": iso(m.due),
                    "done": iso(m.done) if m.done is not None and m.done <= at else "",
                },
            )
    # Reports: each calendar week (or month) that ends within the period.
    if report_every == "none" or done_no_date:
        return
    for first, last in _report_periods(report_every, start, at):
        if t.start > first:
            continue
        if done is not None and done <= last:
            break
        i = bisect.bisect_left(reports, first)
        if i < len(reports) and reports[i] <= last:
            continue
        yield _Event(
            "report_missing", rules.report_missing, last, {"from": iso(first), "to": iso(last)}
        )


def _report_periods(every: ReportEvery, start: date, at: date) -> Iterator[tuple[date, date]]:
    """Calendar weeks (Monday–Sunday) or months whose last day falls in start..at."""
    p = week_of(start) if every == "week" else month_of(start)
    while p.end <= at:
        if p.end >= start:
            yield p.start, p.end
        p = (
            week_of(p.end + timedelta(days=1))
            if every == "week"
            else month_of(p.end + timedelta(days=1))
        )


def _pct(x: float | None) -> str:
    if x is None:
        return "0"
    return f"{x:.1f}".rstrip("0").rstrip(".")
