"""Reporting periods: the week, month, quarter or year a briefing covers, and its issue number.

A period is plain data (kind, first and last day, 第N期); everything here is a
pure function of the as-of date and the ledger's settings, so `--as-of` makes a
briefing reproducible.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from sanzhua.i18n import Lang, say

PeriodKind = Literal["week", "month", "quarter", "year", "custom"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "month", "quarter", "year", "custom")

_CN_NUMERALS = "〇一二三四五六七八九十"


@dataclass(frozen=True, slots=True)
class Period:
    """The days a briefing covers, first and last day included."""

    kind: PeriodKind
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


def week_of(d: date) -> Period:
    """Monday to Sunday of the week that holds `d`."""
    start = monday_of(d)
    return Period("week", start, start + timedelta(days=6))


def month_of(d: date) -> Period:
    last = calendar.monthrange(d.year, d.month)[1]
    return Period("month", d.replace(day=1), d.replace(day=last))


def quarter_of(d: date) -> Period:
    q = (d.month - 1) // 3
    first = date(d.year, 3 * q + 1, 1)
    last_month = 3 * q + 3
    return Period(
        "quarter", first, date(d.year, last_month, calendar.monthrange(d.year, last_month)[1])
    )


def year_of(d: date) -> Period:
    return Period("year", date(d.year, 1, 1), date(d.year, 12, 31))


def period_of(
    kind: PeriodKind, as_of: date, start: date | None = None, end: date | None = None
) -> Period:
    """The period of `kind` that holds `as_of`; for "custom", `start`..`end`."""
    if kind == "week":
        return week_of(as_of)
    if kind == "month":
        return month_of(as_of)
    if kind == "quarter":
        return quarter_of(as_of)
    if kind == "year":
        return year_of(as_of)
    if start is None or end is None:
        raise ValueError("a custom period needs a start and an end")
    return Period("custom", start, end)


def previous(period: Period) -> Period:
    """The period of the same kind just before; a custom period's is as long as itself."""
    before = period.start - timedelta(days=1)
    if period.kind == "custom":
        return Period("custom", period.start - timedelta(days=period.days), before)
    return period_of(period.kind, before)


def following(period: Period) -> Period:
    """The period of the same kind just after; a custom period's is as long as itself."""
    after = period.end + timedelta(days=1)
    if period.kind == "custom":
        return Period("custom", after, period.end + timedelta(days=period.days))
    return period_of(period.kind, after)


def default_first_week(year: int) -> date:
    """Week 1 of the weekly numbering when `bulletin.first_week` is not set:
    the first Monday on or after 1 January of the ledger's year."""
    jan1 = date(year, 1, 1)
    return jan1 + timedelta(days=(7 - jan1.weekday()) % 7)


SERIES_WEEKS = 53  # how far back a site's trends and bulletin archive go at most


def series_start(first_week: date | None, year: int, as_of: date) -> date:
    """The first day of the weekly series a site draws (trends, the bulletin archive):
    the week of issue 1 (`bulletin.first_week`, else 1 January of the ledger's year),
    but no more than SERIES_WEEKS weeks before `as_of`, so that a first week set years
    back (or 1900 by mistake) cannot make a site of thousands of weekly ledgers."""
    first = first_week or date(year, 1, 1)
    return max(first, as_of - timedelta(weeks=SERIES_WEEKS - 1, days=as_of.weekday()))


def issue_number(period: Period, *, first_week: date | None, year: int) -> int | None:
    """第N期: weeks since `first_week` (week 1) for a weekly bulletin; the month,
    quarter or year's ordinal for the others (the year counted from the ledger's
    `year` as 1). None for a custom period, or for a week before week 1."""
    if period.kind == "week":
        base = monday_of(first_week or default_first_week(year))
        n = (period.start - base).days // 7 + 1
        return n if n >= 1 else None
    if period.kind == "month":
        return period.start.month
    if period.kind == "quarter":
        return (period.start.month - 1) // 3 + 1
    if period.kind == "year":
        n = period.start.year - year + 1
        return n if n >= 1 else None
    return None


def cn_numeral(n: int) -> str:
    """1..99 as Chinese numerals (三, 十二, 二十一), for quarters and headings."""
    if n < 0 or n > 99:
        return str(n)
    if n <= 10:
        return _CN_NUMERALS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_NUMERALS[tens]
    return head + "十" + (_CN_NUMERALS[ones] if ones else "")


def period_label(period: Period, lang: Lang = "zh") -> str:
    """How a briefing names its period: 2026年11月23日—29日, 2026年11月, 2026年第四季度, 2026年."""
    s, e = period.start, period.end
    if period.kind == "month":
        return say("period.month", lang, year=s.year, month=s.month, month_name=s.strftime("%B"))
    if period.kind == "quarter":
        q = (s.month - 1) // 3 + 1
        return say("period.quarter", lang, year=s.year, quarter=q, quarter_cn=cn_numeral(q))
    if period.kind == "year":
        return say("period.year", lang, year=s.year)
    return say("period.span", lang, span_cn=span_cn(s, e), start=s.isoformat(), end=e.isoformat())


def span_cn(s: date, e: date) -> str:
    """2026年11月23日—29日 / 2026年11月23日—12月6日 / 2026年12月28日—2027年1月3日."""
    head = f"{s.year}年{s.month}月{s.day}日"
    if s.year != e.year:
        return f"{head}—{e.year}年{e.month}月{e.day}日"
    if s.month != e.month:
        return f"{head}—{e.month}月{e.day}日"
    if s.day != e.day:
        return f"{head}—{e.day}日"
    return head
