"""A task's latest report, latest value and latest percent are found in one pass over its
reports (issue 17): held here to their definitions (FORMAT.md's "Derived states": the
latest date; of the entries with a value, and with a percent, the latest, of equal dates
the one written last), on real ledger files of entries in every order, equal dates
included, with and without a target."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sanzhua.evaluate import evaluate
from sanzhua.load import load_ledger
from sanzhua.model import Progress
from tests.conftest import MakeLedger

SETTINGS = "name: 测试\nyear: 2026\nreport_every: week\n"


def _latest(entries: list[Progress], attr: str) -> Progress | None:
    best = None
    for p in entries:
        if getattr(p, attr) is not None and (best is None or p.date >= best.date):
            best = p
    return best


def _task(rng: random.Random, i: int) -> str:
    lines = [f"  - id: T{i:03d}", f"    title: 任务{i}", "    start: 2026-01-05", "    due: 2026-12-31"]
    if rng.random() < 0.4:
        lines.append(f"    target: {{value: {rng.choice([0, 50, 200])}, unit: 个}}")
    entries = []
    for _ in range(rng.randrange(0, 7)):
        day = date(2026, 3, 1) + timedelta(days=rng.randrange(0, 12))  # equal dates are common
        parts = [f"date: {day.isoformat()}", f"note: 第{rng.randrange(100)}次"]
        if rng.random() < 0.5:
            parts.append(f"value: {rng.randrange(0, 300)}")
        if rng.random() < 0.5:
            parts.append(f"percent: {rng.randrange(0, 101)}")
        entries.append("      - {" + ", ".join(parts) + "}")
    if entries:
        lines += ["    progress:", *entries]
    return "\n".join(lines)


def test_latest_report_value_and_percent(make_ledger: MakeLedger) -> None:
    rng = random.Random(17)
    tasks = "\n".join(_task(rng, i) for i in range(300))
    root = make_ledger({"ledgers/a.yaml": f"unit: fgw\ntasks:\n{tasks}\n"}, settings=SETTINGS)
    ledger = load_ledger(root)
    seen = 0
    for at in (date(2026, 3, 1), date(2026, 3, 6), date(2026, 3, 20)):
        for st in evaluate(ledger, at):
            reports = [p for p in st.task.progress if p.date <= at]
            assert st.last_report == max((p.date for p in reports), default=None)
            v = _latest(reports, "value")
            assert st.value == (None if v is None else float(v.value))  # type: ignore[arg-type]
            pe = _latest(reports, "percent")
            target = st.task.target
            if pe is not None:
                assert (st.has_measure, st.percent) == (True, pe.percent)
            elif target is not None and target.direction == "at_least":
                want = 100.0 * (st.value or 0.0) / target.value if target.value else 0.0
                assert (st.has_measure, st.percent) == (True, want)
            else:
                assert (st.has_measure, st.percent) == (False, None)
            seen += pe is not None and v is not None and v is not pe
    assert seen > 20  # the latest value and the latest percent in different entries
