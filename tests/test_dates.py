"""Tests for sanzhua.dates: every written deadline form of FORMAT.md resolves to its day."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanzhua.dates import DateError, format_cn, format_cn_short, parse_when

DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
YEARS = st.integers(min_value=2000, max_value=2099)
MONTHS = st.integers(min_value=1, max_value=12)


def last_day(year: int, month: int) -> date:
    """The last day of a month, computed without the code under test."""
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def full_width(text: str) -> str:
    """ASCII digits and punctuation as their full-width forms, spaces as ideographic spaces."""
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text
    )


def num(n: int, pad: bool) -> str:
    return f"{n:02d}" if pad else str(n)


@st.composite
def decorated(draw: st.DrawFn, text: str) -> str:
    """`text` as a clerk might really type it: full-width, with 前, with stray spaces."""
    if draw(st.booleans()):
        text += draw(st.sampled_from(["前", " 前", "前 "]))
    if draw(st.booleans()):
        text = draw(st.sampled_from([" ", "\u3000", "\t"])) + text + " "
    if draw(st.booleans()):
        text = full_width(text)
    return text


@st.composite
def written_day(draw: st.DrawFn, d: date) -> str:
    """Any written form of the day `d` that carries its year."""
    pad_m, pad_d = draw(st.booleans()), draw(st.booleans())
    m, dd = num(d.month, pad_m), num(d.day, pad_d)
    form = draw(st.sampled_from(["iso", "sep", "cn", "cn_spaced"]))
    if form == "iso":
        text = d.isoformat()
    elif form == "sep":
        sep = draw(st.sampled_from(["-", "/", "."]))
        text = f"{d.year}{sep}{m}{sep}{dd}"
    elif form == "cn":
        text = f"{d.year}年{m}月{dd}{draw(st.sampled_from(['日', '号']))}"
    else:
        text = f"{d.year} 年 {m} 月 {dd} 日"
    return draw(decorated(text))


@given(DAYS, st.data())
def test_every_written_form_of_a_day_is_that_day(d: date, data: st.DataObject) -> None:
    text = data.draw(written_day(d))
    assert parse_when(text, 1999) == d


@given(DAYS, st.booleans(), st.booleans(), st.data())
def test_a_day_without_year_is_in_the_given_year(
    d: date, pad: bool, hao: bool, data: st.DataObject
) -> None:
    text = f"{num(d.month, pad)}月{num(d.day, pad)}{'号' if hao else '日'}"
    assert parse_when(data.draw(decorated(text)), d.year) == d


@pytest.mark.parametrize(
    "form",
    ["{y}-{m2}", "{y}-{m}", "{y}/{m}", "{y}年{m}月", "{y}年{m2}月", "{y}年{m}月底", "{y}年{m}月末",
     "{y} 年 {m} 月 底"],
)
@given(year=YEARS, month=MONTHS, data=st.data())
def test_month_forms_mean_the_last_day_of_the_month(
    form: str, year: int, month: int, data: st.DataObject
) -> None:
    text = data.draw(decorated(form.format(y=year, m=month, m2=f"{month:02d}")))
    assert parse_when(text, 1999) == last_day(year, month)


@given(year=YEARS, month=MONTHS, suffix=st.sampled_from(["底", "末", "底前", "月"]))
def test_month_forms_without_year(year: int, month: int, suffix: str) -> None:
    text = f"{month}月" + ("" if suffix == "月" else suffix)
    assert parse_when(text, year) == last_day(year, month)


def test_every_month_end_in_a_leap_and_a_common_year() -> None:
    ends = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    for month, end in enumerate(ends, start=1):
        assert parse_when(f"{month}月底", 2024) == date(2024, month, end)
        common_end = 28 if month == 2 else end
        assert parse_when(f"2026年{month}月", 0) == date(2026, month, common_end)


QUARTER_END = {1: date(2026, 3, 31), 2: date(2026, 6, 30), 3: date(2026, 9, 30),
               4: date(2026, 12, 31)}
CN_NUMERAL = {1: "一", 2: "二", 3: "三", 4: "四"}


@pytest.mark.parametrize("q", [1, 2, 3, 4])
@pytest.mark.parametrize(
    "form",
    ["2026-Q{q}", "2026Q{q}", "2026-q{q}", "2026年第{cn}季度", "2026年{cn}季度", "2026年第{q}季度",
     "2026年{q}季度", "2026年{cn}季度末", "2026 年 第{cn}季度 前", "第{cn}季度", "{cn}季度",
     "第{q}季度", "{q}季度前"],
)
def test_quarter_forms_mean_the_last_day_of_the_quarter(q: int, form: str) -> None:
    text = form.format(q=q, cn=CN_NUMERAL[q])
    assert parse_when(text, 2026) == QUARTER_END[q]
    assert parse_when(full_width(text), 2026) == QUARTER_END[q]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-H1", date(2026, 6, 30)),
        ("2026H1", date(2026, 6, 30)),
        ("2026年上半年", date(2026, 6, 30)),
        ("上半年", date(2026, 6, 30)),
        ("上半年前", date(2026, 6, 30)),
        ("2026-H2", date(2026, 12, 31)),
        ("2026年下半年", date(2026, 12, 31)),
        ("下半年", date(2026, 12, 31)),
        ("2026", date(2026, 12, 31)),
        ("2026年", date(2026, 12, 31)),
        ("2026年底", date(2026, 12, 31)),
        ("2026年年底", date(2026, 12, 31)),
        ("2026年末", date(2026, 12, 31)),
        ("2026年年末", date(2026, 12, 31)),
        ("2026年底前", date(2026, 12, 31)),
        ("年底", date(2026, 12, 31)),
        ("年末", date(2026, 12, 31)),
        ("年底前", date(2026, 12, 31)),
        ("２０２６年底", date(2026, 12, 31)),
    ],
)
def test_half_year_and_year_forms(text: str, expected: date) -> None:
    assert parse_when(text, 2026) == expected
    assert parse_when(full_width(text), 2026) == expected


@given(YEARS)
def test_year_forms_in_any_year(year: int) -> None:
    assert parse_when(f"{year}年上半年", 0) == date(year, 6, 30)
    assert parse_when(f"{year}-H2", 0) == date(year, 12, 31)
    assert parse_when("年底", year) == date(year, 12, 31)
    assert parse_when("第一季度", year) == date(year, 3, 31)


def test_the_cache_keeps_years_apart() -> None:
    assert parse_when("9月底", 2026) == date(2026, 9, 30)
    assert parse_when("9月底", 2027) == date(2027, 9, 30)
    assert parse_when("2月底", 2028) == date(2028, 2, 29)
    assert parse_when("2月底", 2027) == date(2027, 2, 28)


# --- impossible dates ------------------------------------------------------------------

def raises_impossible(text: str, year: int = 2026) -> DateError:
    with pytest.raises(DateError) as info:
        parse_when(text, year)
    assert info.value.reason == "impossible", (text, str(info.value))
    return info.value


@given(
    st.integers(min_value=2000, max_value=2099).filter(lambda y: y % 4 != 0),
    st.sampled_from(["{y}-02-29", "{y}/2/29", "{y}.02.29", "{y}年2月29日", "{y}年2月29号"]),
    st.booleans(),
)
def test_february_29_in_a_common_year_is_impossible(year: int, form: str, wide: bool) -> None:
    text = form.replace("{y}", str(year))
    err = raises_impossible(full_width(text) if wide else text)
    assert "29" in str(err) and "29" in err.detail_zh
    assert f"{year}年2月没有29日" in err.detail_zh


@given(st.integers(min_value=2000, max_value=2096).map(lambda y: y - y % 4))
def test_february_29_in_a_leap_year_is_fine(year: int) -> None:
    assert parse_when(f"{year}-02-29", 0) == date(year, 2, 29)
    assert parse_when("2月29日", year) == date(year, 2, 29)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("2026-02-30", "2026年2月没有30日"),
        ("2026-02-31", "2026年2月没有31日"),
        ("2026/4/31", "2026年4月没有31日"),
        ("2026年6月31日", "2026年6月没有31日"),
        ("2026年11月31号", "2026年11月没有31日"),
        ("9月31日", "2026年9月没有31日"),
        ("9月31日前", "2026年9月没有31日"),
        ("2026-01-32", "2026年1月没有32日"),
        ("2026-01-00", "2026年1月没有0日"),
        ("2026-13-01", "13月"),
        ("2026-00-10", "0月"),
        ("2026年13月1日", "13月"),
        ("13月底", "13月"),
        ("2026-13", "13月"),
        ("2026年0月", "0月"),
        ("2026-Q5", "5季度"),
        ("2026-Q0", "0季度"),
        ("第五季度", "5季度"),
        ("2026-H3", "H3"),
        ("0000-01-01", "0年"),
        ("２０２６－０２－３０", "2026年2月没有30日"),
    ],
)
def test_impossible_dates_say_what_is_wrong(text: str, named: str) -> None:
    err = raises_impossible(text)
    assert named in err.detail_zh
    assert str(err) and str(err).isascii()
    assert err.text == text


def test_impossible_messages_in_english() -> None:
    assert str(raises_impossible("2026-02-30")) == "February 2026 has no day 30 (it has 28 days)"
    assert str(raises_impossible("2026-13-01")) == "month 13 does not exist"


# --- unreadable ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["尽快", "下周", "", "   ", "前", "2026-9-30-1", "2026-09-30T00:00", "20260930", "2026 9 30",
     "2026-9/30", "26-09-30", "9/30", "九月底", "2026年9月30日后", "长期坚持", "Q3 2026",
     "2026-W40", "2026年9月3O日", "9月底前前", "20261-01-01", "2026年第三季度第四季度", "年",
     "月底"],
)
def test_unreadable_strings(text: str) -> None:
    with pytest.raises(DateError) as info:
        parse_when(text, 2026)
    assert info.value.reason == "unreadable"
    assert str(info.value)
    assert info.value.detail_zh


@given(st.text(max_size=20), st.integers(min_value=1, max_value=9999))
def test_any_text_gives_a_date_or_a_date_error(text: str, year: int) -> None:
    try:
        result = parse_when(text, year)
    except DateError as err:
        assert err.reason in ("impossible", "unreadable")
    else:
        assert isinstance(result, date)


def test_date_error_is_a_value_error_and_pickles() -> None:
    with pytest.raises(ValueError):
        parse_when("尽快", 2026)
    err = DateError("impossible", "month 13 does not exist", "不存在13月", "2026-13")
    back = pickle.loads(pickle.dumps(err))
    assert (back.reason, str(back), back.detail_zh, back.text) == (
        "impossible", "month 13 does not exist", "不存在13月", "2026-13")


# --- formatting ------------------------------------------------------------------------

def test_format_cn_has_no_leading_zeros() -> None:
    assert format_cn(date(2026, 11, 28)) == "2026年11月28日"
    assert format_cn(date(2026, 1, 5)) == "2026年1月5日"
    assert format_cn_short(date(2026, 11, 28)) == "11月28日"
    assert format_cn_short(date(2026, 3, 7)) == "3月7日"


@pytest.mark.parametrize("fmt", [format_cn, format_cn_short])
@given(d=DAYS)
def test_formatted_dates_read_back(fmt: Callable[[date], str], d: date) -> None:
    assert parse_when(fmt(d), d.year) == d
