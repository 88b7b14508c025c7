"""Working days (工作日) by the official Chinese calendar, holidays and make-up workdays (调休).

The built-in calendar is the `chinesecalendar` package's. `calendar.yaml` adds years or
overrides days: a year in which it lists any day is covered, as Monday–Friday plus the
listed days. A year that nothing covers is answered Monday–Friday and remembered in
`WorkCalendar.fallback_years`, so the caller can warn once per year.

Counting is O(1): each year gets a lazily built prefix-sum of working days by day of year.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import accumulate

import chinese_calendar

__all__ = ["BUILTIN_YEARS", "WorkCalendar"]


def _builtin_data() -> tuple[range, frozenset[date], frozenset[date]]:
    holidays = frozenset(chinese_calendar.holidays)
    workdays = frozenset(chinese_calendar.workdays)
    # The package itself supports exactly the years between its first and last holiday.
    years = range(min(holidays).year, max(holidays).year + 1)
    return years, holidays, workdays


_BUILTIN_YEARS, _BUILTIN_HOLIDAYS, _BUILTIN_WORKDAYS = _builtin_data()

BUILTIN_YEARS: range = _BUILTIN_YEARS
"""The years the built-in Chinese calendar covers (2004–2026 with chinesecalendar 1.11)."""


class _Year:
    """One year's working days: `flags[i]` for day of year i+1, `cum[i]` = count in days 1..i."""

    __slots__ = ("cum", "first", "flags", "total")

    def __init__(self, first: date, flags: bytes) -> None:
        self.first = first
        self.flags = flags
        self.cum: list[int] = [0, *accumulate(flags)]
        self.total = self.cum[-1]


class WorkCalendar:
    """The working-day calendar: the built-in Chinese one plus calendar.yaml's overrides."""

    def __init__(self, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> None:
        """Build a calendar; listed holidays are days off, listed workdays are working days.

        The lists override the built-in calendar. A day listed in both is a holiday (see
        `conflicts`, for the caller to report).
        """
        self._holidays = frozenset(holidays)
        self._workdays = frozenset(workdays)
        self.conflicts: frozenset[date] = self._holidays & self._workdays
        self._override_years = frozenset(d.year for d in self._holidays | self._workdays)
        self._years: dict[int, _Year] = {}
        self._fallback: set[int] = set()

    @property
    def fallback_years(self) -> frozenset[int]:
        """Years asked about and answered Monday–Friday because nothing covers them."""
        return frozenset(self._fallback)

    def covers(self, year: int) -> bool:
        """Whether the built-in calendar or an override list covers `year`."""
        return year in _BUILTIN_YEARS or year in self._override_years

    def is_workday(self, d: date) -> bool:
        """Whether `d` is a working day."""
        y = self._year(d.year)
        return y.flags[d.toordinal() - y.first.toordinal()] == 1

    def count_workdays(self, after: date, upto: date) -> int:
        """Count the working days d with `after` < d <= `upto`; 0 when `upto` <= `after`."""
        if upto <= after:
            return 0
        a = self._year(after.year)
        u = self._year(upto.year)
        a_doy = after.toordinal() - a.first.toordinal() + 1
        u_doy = upto.toordinal() - u.first.toordinal() + 1
        if after.year == upto.year:
            return u.cum[u_doy] - a.cum[a_doy]
        count = a.total - a.cum[a_doy] + u.cum[u_doy]
        for year in range(after.year + 1, upto.year):
            count += self._year(year).total
        return count

    def add_workdays(self, d: date, n: int) -> date:
        """Return the n-th working day after `d` (`d` itself when n == 0).

        Raises ValueError when n is negative.
        """
        if n < 0:
            raise ValueError(f"add_workdays needs n >= 0, got {n}")
        if n == 0:
            return d
        y = self._year(d.year)
        doy = d.toordinal() - y.first.toordinal() + 1
        need = n
        while True:
            remaining = y.total - y.cum[doy]
            if need <= remaining:
                # First day of year whose cumulative count reaches the target.
                i = bisect.bisect_left(y.cum, y.cum[doy] + need)
                return y.first + timedelta(days=i - 1)
            need -= remaining
            if y.first.year == 9999:
                raise OverflowError("add_workdays went past the last representable date")
            y = self._year(y.first.year + 1)
            doy = 0

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        built = self._build(year)
        self._years[year] = built
        return built

    def _build(self, year: int) -> _Year:
        first = date(year, 1, 1)
        ndays = (date(year, 12, 31) - first).days + 1
        builtin = year in _BUILTIN_YEARS
        if not builtin and year not in self._override_years:
            self._fallback.add(year)
        flags = bytearray(ndays)
        weekday = first.weekday()
        for i in range(ndays):
            flags[i] = 1 if (weekday + i) % 7 < 5 else 0
        listed: list[tuple[frozenset[date], int]] = [(self._workdays, 1), (self._holidays, 0)]
        if builtin:
            listed = [(_BUILTIN_WORKDAYS, 1), (_BUILTIN_HOLIDAYS, 0), *listed]
        # Later lists win: built-in, then calendar.yaml's workdays, then its holidays.
        for days, value in listed:
            for d in days:
                if d.year == year:
                    flags[(d - first).days] = value
        return _Year(first, bytes(flags))
