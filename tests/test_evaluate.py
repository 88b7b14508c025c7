"""The derived states of FORMAT.md, rule by rule, on real YAML ledgers."""

from __future__ import annotations

from datetime import date

from sanzhua.evaluate import TaskState, evaluate
from sanzhua.load import load_ledger
from tests.conftest import MakeLedger

SETTINGS = "name: 测试\nyear: 2026\ndue_soon_days: 5\nbehind_margin: 20\nreport_every: week\n"


def states(make_ledger: MakeLedger, tasks: str, as_of: date, settings: str = SETTINGS) -> dict[str, TaskState]:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n" + tasks}, settings=settings)
    ledger = load_ledger(root, cache=False)
    errors = [p for f in ledger.files for p in f.problems if p.severity == "error"]
    assert not ledger.problems and not errors, errors
    return evaluate(ledger, as_of).tasks


RECENT = "    progress: [{date: 2026-11-20, percent: 95}]\n"


def test_overdue_starts_the_day_after(make_ledger: MakeLedger) -> None:
    tasks = "  - {id: A, title: a, start: 2026-01-01, due: 2026-11-20, progress: [{date: 2026-11-20, percent: 99}]}\n"
    on_day = states(make_ledger, tasks, date(2026, 11, 20))["A"]
    assert "overdue" not in on_day.states and "due_soon" in on_day.states and on_day.workdays_left == 0
    next_day = states(make_ledger, tasks, date(2026, 11, 21))["A"]
    assert next_day.states == ("overdue",) and next_day.days_overdue == 1 and next_day.light == "red"


def test_due_soon_counts_working_days_over_national_day(make_ledger: MakeLedger) -> None:
    tasks = "  - {id: A, title: a, due: 2026-10-12, progress: [{date: 2026-09-28, percent: 90}]}\n"
    st = states(make_ledger, tasks, date(2026, 9, 30))["A"]
    # Oct 1-7 are holidays; Oct 8, 9, 10 (a make-up Saturday) and 12 are working days.
    assert st.workdays_left == 4 and "due_soon" in st.states
    tasks6 = "  - {id: A, title: a, due: 2026-10-14, progress: [{date: 2026-09-28, percent: 90}]}\n"
    assert "due_soon" not in states(make_ledger, tasks6, date(2026, 9, 30))["A"].states


def test_behind_uses_latest_percent_against_time(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - id: A\n    title: a\n    start: 2026-01-01\n    due: 2026-12-31\n"
        "    progress:\n      - {date: 2026-06-01, percent: 50}\n      - {date: 2026-11-20, percent: 60}\n"
    )
    st = states(make_ledger, tasks, date(2026, 11, 25))["A"]
    assert (
        st.percent == 60 and st.expected_percent is not None and round(st.expected_percent, 2) == 90.11
    )  # 328 of 364 days
    assert "behind" in st.states and st.light == "yellow"
    # As of June the 50% stands against 41% expected: not behind.
    early = states(make_ledger, tasks, date(2026, 6, 1))["A"]
    assert "behind" not in early.states and early.percent == 50


def test_behind_from_target_value_and_no_progress_counts_zero(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, start: 2026-01-01, due: 2026-12-31, target: {value: 100, unit: 个},"
        " progress: [{date: 2026-11-20, value: 95}]}\n"
        "  - {id: B, title: b, start: 2026-01-01, due: 2026-12-31, target: {value: 100},"
        " progress: [{date: 2026-11-20, note: 无数值}]}\n"
        "  - {id: C, title: c, start: 2026-01-01, due: 2026-12-31, target: {value: 10, direction: at_most},"
        " progress: [{date: 2026-11-20, note: 无数值}]}\n"
    )
    s = states(make_ledger, tasks, date(2026, 11, 25))
    assert s["A"].percent == 95 and s["A"].states == ("on_track",)
    assert s["B"].percent == 0 and "behind" in s["B"].states
    assert s["C"].percent is None and s["C"].states == ("on_track",)


def test_no_report_window_is_seven_days(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, start: 2026-01-01, due: 2026-12-31, progress: [{date: 2026-11-19, percent: 90}]}\n"
        "  - {id: B, title: b, start: 2026-01-01, due: 2026-12-31, progress: [{date: 2026-11-18, percent: 90}]}\n"
        "  - {id: C, title: c, start: 2026-11-19, due: 2026-12-31}\n"
        "  - {id: D, title: d, start: 2026-11-18, due: 2026-12-31}\n"
    )
    s = states(make_ledger, tasks, date(2026, 11, 25))
    assert "no_report" not in s["A"].states
    assert "no_report" in s["B"].states
    assert "no_report" not in s["C"].states  # started less than a week ago
    assert "no_report" in s["D"].states


def test_report_every_none_and_month(make_ledger: MakeLedger) -> None:
    tasks = "  - {id: A, title: a, start: 2026-01-01, due: 2026-12-31, progress: [{date: 2026-11-01, percent: 90}]}\n"
    assert (
        "no_report" not in states(make_ledger, tasks, date(2026, 11, 25), SETTINGS.replace("week", "none"))["A"].states
    )
    assert (
        "no_report" not in states(make_ledger, tasks, date(2026, 11, 25), SETTINGS.replace("week", "month"))["A"].states
    )
    assert "no_report" in states(make_ledger, tasks, date(2026, 12, 2), SETTINGS.replace("week", "month"))["A"].states


def test_future_entries_are_ignored(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, start: 2026-01-01, due: 2026-09-30, done: 2026-10-20,"
        " milestones: [{name: m, due: 2026-06-30, done: 2026-10-01}],"
        " progress: [{date: 2026-10-20, percent: 100}]}\n"
    )
    before = states(make_ledger, tasks, date(2026, 9, 15))["A"]
    assert before.done is None and before.percent is None
    assert set(before.states) == {"milestone_overdue", "no_report"}  # 9 working days left: not due soon
    after = states(make_ledger, tasks, date(2026, 10, 25))["A"]
    assert after.states == ("done_late",) and after.days_late == 20 and after.light == "done"


def test_planned_status_after_start_is_open(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, status: planned, start: 2026-12-01, due: 2026-12-31}\n"
        "  - {id: B, title: b, status: planned, start: 2026-10-01, due: 2026-11-01}\n"
    )
    s = states(make_ledger, tasks, date(2026, 11, 25))
    assert s["A"].states == ("planned",) and s["A"].light == "none" and not s["A"].is_open
    assert "overdue" in s["B"].states and s["B"].is_open


def test_suspended_and_cancelled_are_never_overdue(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, status: suspended, due: 2026-01-31}\n"
        "  - {id: B, title: b, status: cancelled, due: 2026-01-31}\n"
    )
    s = states(make_ledger, tasks, date(2026, 11, 25))
    assert s["A"].states == ("suspended",) and s["B"].states == ("cancelled",)
    assert s["A"].light == s["B"].light == "none"


def test_done_on_time_late_and_without_date(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, due: 2026-09-30, done: 2026-09-30}\n"
        "  - {id: B, title: b, due: 2026-09-30, done: 2026-10-01}\n"
        "  - {id: C, title: c, due: 2026-09-30, status: done}\n"
    )
    s = states(make_ledger, tasks, date(2026, 11, 25))
    assert s["A"].states == ("done",) and s["B"].states == ("done_late",) and s["C"].states == ("done",)
    assert s["B"].days_overdue is None and s["B"].days_late == 1


def test_milestone_overdue_from_the_day_after(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: A, title: a, start: 2026-01-01, due: 2026-12-31,"
        " milestones: [{name: m, due: 2026-11-24}], progress: [{date: 2026-11-24, percent: 95}]}\n"
    )
    assert states(make_ledger, tasks, date(2026, 11, 24))["A"].states == ("on_track",)
    late = states(make_ledger, tasks, date(2026, 11, 25))["A"]
    assert late.states == ("milestone_overdue",) and late.light == "red"


def test_parent_rolls_up_children_and_their_reports(make_ledger: MakeLedger) -> None:
    tasks = (
        "  - {id: P, title: 县级, start: 2026-01-01, due: 2026-12-31, target: {value: 2388, unit: 万美元}}\n"
        "  - {id: C1, title: 甲, parent: P, start: 2026-01-01, target: {value: 1200, unit: 万美元},"
        " progress: [{date: 2026-06-01, value: 500}, {date: 2026-11-20, value: 1100}]}\n"
        "  - {id: C2, title: 乙, parent: P, start: 2026-01-01, target: {value: 1188, unit: 万美元},"
        " progress: [{date: 2026-11-01, value: 1000}]}\n"
        "  - {id: C3, title: 丙, parent: P, start: 2026-01-01, target: {value: 5, unit: 个},"
        " progress: [{date: 2026-11-01, value: 5}]}\n"
    )
    s = states(make_ledger, tasks, date(2026, 11, 25))
    assert s["P"].value == 2100 and s["P"].percent is not None and round(s["P"].percent, 2) == round(210000 / 2388, 2)
    assert s["P"].last_report == date(2026, 11, 20) and "no_report" not in s["P"].states
    assert s["C1"].deadline == date(2026, 12, 31)  # inherited
    assert "no_report" in s["C2"].states


def test_light_priority(make_ledger: MakeLedger) -> None:
    tasks = "  - {id: A, title: a, start: 2026-01-01, due: 2026-11-01}\n"
    st = states(make_ledger, tasks, date(2026, 11, 25))["A"]
    assert set(st.states) == {"overdue", "no_report"} and st.light == "red"  # no measure: never behind


def test_fallback_calendar_year_is_recorded(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 2031-03-31}\n"})
    ledger = load_ledger(root, cache=False)
    evaluate(ledger, date(2031, 3, 28))
    assert 2031 in ledger.calendar.fallback_years
