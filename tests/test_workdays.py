"""Tests for sanzhua.workdays: the official calendar, calendar.yaml overrides, fallback years."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanzhua.workdays import BUILTIN_YEARS, WorkCalendar

D = date


# --- known 2026 facts (国务院办公厅 2026 holiday notice) ------------------------------------

@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 1, 1), False),   # 元旦
        (D(2026, 1, 2), False),
        (D(2026, 1, 4), True),    # Sunday, make-up workday for 元旦
        (D(2026, 2, 14), True),   # Saturday, make-up workday for 春节
        (D(2026, 2, 15), False),  # 春节 15–23 Feb
        (D(2026, 2, 17), False),
        (D(2026, 2, 23), False),  # a Monday off
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),   # Saturday, make-up workday for 春节
        (D(2026, 4, 6), False),   # 清明 (Monday)
        (D(2026, 5, 5), False),   # 劳动节 1–5 May
        (D(2026, 5, 9), True),    # Saturday, make-up workday
        (D(2026, 6, 19), False),  # 端午
        (D(2026, 9, 20), True),   # Sunday, make-up workday for 国庆
        (D(2026, 9, 25), False),  # 中秋 (Friday)
        (D(2026, 9, 30), True),
        (D(2026, 10, 1), False),  # 国庆 1–7 Oct
        (D(2026, 10, 5), False),
        (D(2026, 10, 7), False),
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday, make-up workday for 国庆
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 3, 7), False),   # an ordinary weekend
        (D(2026, 3, 8), False),
        (D(2026, 3, 9), True),    # an ordinary Monday
    ],
)
def test_known_2026_days(day: date, working: bool) -> None:
    cal = WorkCalendar()
    assert cal.is_workday(day) is working
    assert cal.fallback_years == frozenset()


def test_national_day_week() -> None:
    cal = WorkCalendar()
    assert all(not cal.is_workday(D(2026, 10, d)) for d in range(1, 8))
    # 8, 9 (Thu, Fri), 10 (Saturday make-up), 12 (Mon)
    assert cal.count_workdays(D(2026, 9, 30), D(2026, 10, 12)) == 4
    assert cal.add_workdays(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert cal.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.add_workdays(D(2026, 9, 19), 1) == D(2026, 9, 20)


def test_working_days_in_2026() -> None:
    # 261 weekdays, minus 19 weekday holidays, plus 6 make-up weekend workdays.
    expected = sum(
        chinese_calendar.is_workday(D(2026, 1, 1) + timedelta(i)) for i in range(365)
    )
    assert WorkCalendar().count_workdays(D(2025, 12, 31), D(2026, 12, 31)) == expected == 248


def test_covers() -> None:
    cal = WorkCalendar(holidays=[D(2031, 1, 1)])
    assert range(2004, 2027) == BUILTIN_YEARS
    assert cal.covers(2004) and cal.covers(2026) and cal.covers(2031)
    assert not cal.covers(2003) and not cal.covers(2027)


# --- calendar.yaml overrides ------------------------------------------------------------

def test_overrides_add_a_year() -> None:
    cal = WorkCalendar(holidays=[D(2027, 1, 1), D(2027, 2, 5)], workdays=[D(2027, 2, 14)])
    assert not cal.is_workday(D(2027, 1, 1))   # a Friday
    assert not cal.is_workday(D(2027, 2, 5))   # a Friday
    assert cal.is_workday(D(2027, 2, 14))      # a Sunday
    assert cal.is_workday(D(2027, 1, 4))       # an ordinary Monday
    assert not cal.is_workday(D(2027, 1, 9))   # an ordinary Saturday
    assert cal.covers(2027)
    assert cal.fallback_years == frozenset()


def test_overrides_change_a_builtin_year() -> None:
    cal = WorkCalendar(holidays=[D(2026, 3, 9)], workdays=[D(2026, 10, 1), D(2026, 3, 7)])
    assert not cal.is_workday(D(2026, 3, 9))
    assert cal.is_workday(D(2026, 10, 1))
    assert cal.is_workday(D(2026, 3, 7))
    assert not cal.is_workday(D(2026, 10, 2))  # the rest of the built-in calendar stays
    assert cal.is_workday(D(2026, 10, 10))


def test_a_day_listed_as_both_is_a_holiday() -> None:
    cal = WorkCalendar(holidays=[D(2027, 3, 1)], workdays=[D(2027, 3, 1)])
    assert cal.conflicts == frozenset({D(2027, 3, 1)})
    assert not cal.is_workday(D(2027, 3, 1))


# --- fallback ---------------------------------------------------------------------------

def test_fallback_year_is_monday_to_friday_and_recorded() -> None:
    cal = WorkCalendar()
    assert cal.fallback_years == frozenset()
    assert cal.is_workday(D(2031, 1, 1))       # New Year's Day, a Wednesday: unknown, so working
    assert not cal.is_workday(D(2031, 1, 4))   # Saturday
    assert cal.fallback_years == frozenset({2031})
    cal.is_workday(D(2026, 5, 1))
    assert cal.fallback_years == frozenset({2031})
    assert not cal.covers(2031)


def test_a_count_across_years_records_each_fallback_year() -> None:
    cal = WorkCalendar(workdays=[D(2028, 1, 1)])
    cal.count_workdays(D(2026, 12, 1), D(2030, 1, 10))
    assert cal.fallback_years == frozenset({2027, 2029, 2030})


def test_empty_and_reversed_ranges() -> None:
    cal = WorkCalendar()
    assert cal.count_workdays(D(2026, 9, 30), D(2026, 9, 30)) == 0
    assert cal.count_workdays(D(2026, 10, 30), D(2026, 9, 30)) == 0
    assert cal.count_workdays(D(2026, 9, 29), D(2026, 9, 30)) == 1
    assert cal.add_workdays(D(2026, 10, 3), 0) == D(2026, 10, 3)
    with pytest.raises(ValueError):
        cal.add_workdays(D(2026, 10, 3), -1)


# --- against a naive day-by-day count ---------------------------------------------------

def reference_is_workday(d: date, holidays: set[date], workdays: set[date]) -> bool:
    """The rule written out plainly, independent of the prefix sums."""
    if d in holidays:
        return False
    if d in workdays:
        return True
    if 2004 <= d.year <= 2026:
        return bool(chinese_calendar.is_workday(d))
    return d.weekday() < 5


OVERRIDE_DAYS = st.sets(st.dates(min_value=D(2025, 6, 1), max_value=D(2029, 6, 30)), max_size=12)
START = st.dates(min_value=D(2002, 1, 1), max_value=D(2032, 12, 31))


@settings(deadline=None)
@given(OVERRIDE_DAYS, OVERRIDE_DAYS, START, st.integers(min_value=-5, max_value=900))
def test_count_equals_a_naive_count(
    holidays: set[date], workdays: set[date], after: date, length: int
) -> None:
    cal = WorkCalendar(holidays=holidays, workdays=workdays)
    upto = after + timedelta(days=length)
    naive = sum(
        reference_is_workday(after + timedelta(days=i), holidays, workdays)
        for i in range(1, length + 1)
    )
    assert cal.count_workdays(after, upto) == naive
    override_years = {d.year for d in holidays | workdays}
    asked = range(after.year, upto.year + 1) if length > 0 else range(0)
    assert cal.fallback_years == {
        y for y in asked if not 2004 <= y <= 2026 and y not in override_years
    }


@settings(deadline=None)
@given(OVERRIDE_DAYS, OVERRIDE_DAYS, START)
def test_is_workday_matches_the_rule(holidays: set[date], workdays: set[date], start: date) -> None:
    cal = WorkCalendar(holidays=holidays, workdays=workdays)
    for d in [start, *sorted(holidays | workdays)]:
        assert cal.is_workday(d) is reference_is_workday(d, holidays, workdays)


@settings(deadline=None)
@given(OVERRIDE_DAYS, OVERRIDE_DAYS, START, st.integers(min_value=0, max_value=600))
def test_add_workdays_inverts_count_workdays(
    holidays: set[date], workdays: set[date], d: date, n: int
) -> None:
    cal = WorkCalendar(holidays=holidays, workdays=workdays)
    end = cal.add_workdays(d, n)
    assert cal.count_workdays(d, end) == n
    if n > 0:
        assert cal.is_workday(end)
        assert cal.count_workdays(d, end - timedelta(days=1)) == n - 1


def test_counts_agree_with_counting_day_by_day() -> None:
    """The fast count (cumulative tables) equals walking the days one at a time."""
    cal = WorkCalendar(holidays=[D(2027, 1, 4)], workdays=[D(2027, 1, 9)])
    for i in range(0, 900, 7):
        after = D(2026, 1, 1) + timedelta(days=i)
        upto = after + timedelta(days=1 + (i * 37) % 120)
        naive = sum(cal.is_workday(after + timedelta(days=k)) for k in range(1, (upto - after).days + 1))
        assert cal.count_workdays(after, upto) == naive, (after, upto)
