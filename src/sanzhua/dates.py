"""Deadlines as clerks write them (时限): every form of FORMAT.md's "Dates and deadlines" table.

`parse_when("9月底", 2026)` is 2026-09-30. A deadline that names a period (a month, a
quarter, a half year, a year) means the last day of that period. Plain ISO dates take a
fast path: the loader calls this for every date of a big ledger.
"""

from __future__ import annotations

import calendar
import functools
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Literal

__all__ = ["DateError", "format_cn", "format_cn_short", "parse_when"]

Reason = Literal["impossible", "unreadable"]


class DateError(ValueError):
    """A deadline that cannot be resolved to a day.

    `reason` is "impossible" for a well-formed date that does not exist (2026-02-30,
    month 13) and "unreadable" for anything that is not a date form at all (尽快, 下周).
    `str(err)` is a short English description, `detail_zh` the same in Chinese,
    `text` the string that was given, and `part` what does not exist in an
    impossible date ("year", "month", "day", "quarter", "half"), for the hint.
    """

    def __init__(self, reason: Reason, message: str, detail_zh: str, text: str = "", part: str = "") -> None:
        super().__init__(message)
        self.reason: Reason = reason
        self.message = message
        self.detail_zh = detail_zh
        self.text = text
        self.part = part

    def __reduce__(self) -> tuple[type[DateError], tuple[Reason, str, str, str, str]]:
        # Keeps the error picklable (multiprocessing) despite the custom __init__.
        return (DateError, (self.reason, self.message, self.detail_zh, self.text, self.part))


def format_cn(d: date) -> str:
    """Return `d` as a Chinese date without leading zeros: 2026年11月28日."""
    return f"{d.year}年{d.month}月{d.day}日"


def format_cn_short(d: date) -> str:
    """Return `d` as a Chinese month and day without the year: 11月28日."""
    return f"{d.month}月{d.day}日"


def parse_when(text: str, year: int) -> date:
    """Resolve a written deadline to the day it means.

    `year` is the year that forms written without one (9月底, 第三季度, 年底) belong to.
    Raises `DateError` with reason "impossible" or "unreadable".
    """
    # Fast path: the plain ISO form is by far the most common one.
    if (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:].isdigit()
    ):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass  # impossible day: the general path says precisely what is wrong
        else:
            if YEAR_MIN <= day.year <= YEAR_MAX:
                return day
    return _resolve(text, year)


# --- the general path ------------------------------------------------------------------

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "〇": 0, "零": 0}
_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"})
# Whitespace is allowed around every part, but never between two digits ("2026 9 30").
_SPACE_AROUND_PART = re.compile(r"\s*([^0-9\s])\s*")
_BEFORE = re.compile(r"(?:之|以)?前$")

_Y = r"([0-9]{4})"
_N = r"([0-9]{1,2})"
_DAY_SEP = re.compile(rf"{_Y}([-/.]){_N}\2{_N}")
_DAY_CN = re.compile(rf"(?:{_Y}年)?{_N}月{_N}[日号]?")
_MONTH_SEP = re.compile(rf"{_Y}[-/.]{_N}")
_MONTH_CN = re.compile(rf"(?:{_Y}年)?{_N}月份?(?:底|末)?")
_QUARTER_ISO = re.compile(rf"(?:{_Y}-?)?[Qq]([0-9])")
_QUARTER_CN = re.compile(rf"(?:{_Y}年)?第?([0-9]|[一二三四五六七八九〇零])季度?(?:底|末)?")
_HALF_ISO = re.compile(rf"(?:{_Y}-?)?[Hh]([0-9])")
_HALF_CN = re.compile(rf"(?:{_Y}年)?([上下])半年(?:底|末)?")
_YEAR = re.compile(rf"{_Y}(?:年(?:年?(?:底|末))?)?")
_YEAR_END = re.compile(r"年(?:底|末)")

_MONTH_EN = ["", "January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


def _unreadable(text: str) -> DateError:
    if not text.strip():
        return DateError("unreadable", "empty date", "时限为空", text)
    return DateError(
        "unreadable",
        f"unreadable date {text!r}: write a day like 2026-09-30 or a period like 9月底, 第三季度",
        f"无法识别的时限“{text}”：应写成 2026-09-30 这样的日期，或 9月底、第三季度 这样的期限",
        text,
    )


# The years a ledger may use. Python's dates run from year 1 to 9999, but a deadline in
# year 1 or 9999 is a slip of the keyboard, and every step from it (a week on, a working
# day back, a year of weekly trends) would run past the end of the calendar.
YEAR_MIN, YEAR_MAX = 1900, 2199


def _check_year(y: int, text: str) -> int:
    if not 1 <= y <= 9999:
        raise DateError("impossible", f"year {y} does not exist", f"不存在{y}年", text, "year")
    if not YEAR_MIN <= y <= YEAR_MAX:
        raise DateError(
            "impossible",
            f"year {y} is outside the years a ledger can use ({YEAR_MIN}-{YEAR_MAX})",
            f"{y}年超出台账可用的年份（{YEAR_MIN}—{YEAR_MAX}年）",
            text,
            "year-range",
        )
    return y


def _check_month(y: int, m: int, text: str) -> None:
    _check_year(y, text)
    if not 1 <= m <= 12:
        raise DateError("impossible", f"month {m} does not exist", f"不存在{m}月", text, "month")


def _day(y: int, m: int, d: int, text: str) -> date:
    _check_month(y, m, text)
    last = calendar.monthrange(y, m)[1]
    if not 1 <= d <= last:
        raise DateError(
            "impossible",
            f"{_MONTH_EN[m]} {y} has no day {d} (it has {last} days)",
            f"{y}年{m}月没有{d}日（该月只有{last}天）",
            text,
            "day",
        )
    return date(y, m, d)


def _month_end(y: int, m: int, text: str) -> date:
    _check_month(y, m, text)
    return date(y, m, calendar.monthrange(y, m)[1])


def _number(token: str) -> int:
    return _CN_DIGITS[token] if token in _CN_DIGITS else int(token)


def _quarter_end(y: int, token: str, text: str) -> date:
    q = _number(token)
    if not 1 <= q <= 4:
        raise DateError("impossible", f"quarter {q} does not exist", f"不存在第{q}季度", text, "quarter")
    return _month_end(y, 3 * q, text)


def _half_end(y: int, h: int, text: str) -> date:
    if h not in (1, 2):
        raise DateError("impossible", f"half year H{h} does not exist", f"不存在H{h}半年", text, "half")
    return _month_end(y, 6 * h, text)


_Groups = tuple[str | None, ...]
_FORMS: list[tuple[re.Pattern[str], Callable[[_Groups, int, str], date]]] = [
    (_DAY_SEP, lambda g, y, t: _day(int(g[0] or 0), int(g[2] or 0), int(g[3] or 0), t)),
    (_DAY_CN, lambda g, y, t: _day(int(g[0] or y), int(g[1] or 0), int(g[2] or 0), t)),
    (_MONTH_SEP, lambda g, y, t: _month_end(int(g[0] or 0), int(g[1] or 0), t)),
    (_MONTH_CN, lambda g, y, t: _month_end(int(g[0] or y), int(g[1] or 0), t)),
    (_QUARTER_ISO, lambda g, y, t: _quarter_end(int(g[0] or y), g[1] or "", t)),
    (_QUARTER_CN, lambda g, y, t: _quarter_end(int(g[0] or y), g[1] or "", t)),
    (_HALF_ISO, lambda g, y, t: _half_end(int(g[0] or y), int(g[1] or 0), t)),
    (_HALF_CN, lambda g, y, t: _half_end(int(g[0] or y), 1 if g[1] == "上" else 2, t)),
    (_YEAR, lambda g, y, t: _month_end(int(g[0] or 0), 12, t)),
    (_YEAR_END, lambda g, y, t: _month_end(y, 12, t)),
]


@functools.lru_cache(maxsize=4096)
def _resolve(text: str, year: int) -> date:
    s = unicodedata.normalize("NFKC", text).translate(_DASHES)
    s = _SPACE_AROUND_PART.sub(r"\1", s).strip()
    s = _BEFORE.sub("", s)
    for pattern, build in _FORMS:
        m = pattern.fullmatch(s)
        if m is not None:
            return build(m.groups(), year, text)
    raise _unreadable(text)
