"""Reading one cell as a ledger value: dates, numbers, percentages, unit names, text.

Spreadsheet cells are messy in known ways: dates as Excel dates, as serial numbers in
text cells, or as prose (“6月底前完成主体，9月底前投入使用”); numbers with their unit
(“5000万元”); unit names with the county's name in front or a remark behind
(“延津县发改委（牵头）”). Each reader returns a value or raises `CellError` with a
reason the import report can show.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sanzhua.dates import DateError, parse_when
from sanzhua.interchange.tabular import CellValue
from sanzhua.model import Unit

_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954 … 2119: a serial in a date column


class CellError(ValueError):
    """A cell that cannot be read; `zh` and `en` say why."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


def shown(v: object) -> str:
    """A cell's value as the text it shows: a date as 2026-11-25, a whole number without
    a useless .0, line breaks as LF (what the import and the returned form both read)."""
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\r\n", "\n").replace("\r", "\n")


def text_of(v: CellValue) -> str | None:
    """A cell as one line of text: line breaks joined, numbers without a useless .0."""
    if v is None:
        return None
    s = shown(v)
    parts = [p.strip() for p in s.split("\n") if p.strip()]
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        # Chinese text runs on without a space; Latin words need one.
        out += ("" if (not out[-1].isascii() or not p[0].isascii()) else " ") + p
    return out.strip() or None


# --- dates ----------------------------------------------------------------------------


@dataclass(frozen=True)
class When:
    """A date read from a cell: `day`, what to write in the ledger, and any extra dated clauses."""

    day: date
    written: str  # the ledger text: the clerk's own form when it is one, else ISO
    original: str | None = None  # the cell's text when `written` is not it (kept as a comment)
    milestones: tuple[tuple[str, date], ...] = ()


_DATE_SPAN = re.compile(
    r"(?:\d{4}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
    r"|(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]?|[底末]|份)?"
    r"|\d{4}\s*[-/.]\s*\d{1,2}(?!\d)"
    r"|(?:\d{4}\s*年\s*)?第?[一二三四1-4]\s*季度\s*[末底]?"
    r"|(?:\d{4}\s*年\s*)?[上下]半年"
    r"|\d{4}\s*年\s*(?:年?\s*[底末])?"
    r"|年[底末])"
)
_CLAUSE_SPLIT = re.compile(r"[，,；;。\n]")
_EXPLICIT_YEAR = re.compile(r"(\d{4})\s*[年\-/.]")
_TRAILING_WORDS = re.compile(r"(?:之|以)?前?(?:完成|办结|到位|建成|实施|落实|结束|投用)?[。.!！]*$")


def serial_to_date(n: float) -> date:
    """An Excel serial day number (1900 date system) → the day."""
    return _EXCEL_EPOCH + timedelta(days=int(n))


def read_when(v: CellValue, year: int) -> When:
    """A date or deadline cell → `When`; raises `CellError` when there is no date in it."""
    if isinstance(v, datetime):
        return When(v.date(), v.date().isoformat())
    if isinstance(v, date):
        return When(v, v.isoformat())
    if isinstance(v, int | float) and not isinstance(v, bool):
        if _SERIAL_MIN <= v <= _SERIAL_MAX:
            d = serial_to_date(v)
            return When(d, d.isoformat())
        if 1900 <= v < 2200:  # 2026 or 2026.9 typed as a number
            return read_when(str(int(v)) if float(v).is_integer() else str(v), year)
        if 19000101 <= v <= 21991231 and float(v).is_integer():  # 20260630 typed as a number
            return read_when(str(int(v)), year)
        raise CellError(f"“{v}”不是日期", f"'{v}' is not a date")
    s = text_of(v)
    if s is None:
        raise CellError("是空的", "is empty")
    n = unicodedata.normalize("NFKC", s).strip()
    if n.startswith("="):
        raise CellError(
            f"“{s}”是没有计算结果的公式（在 Excel 或 WPS 中打开、保存后再导入）",
            f"'{s}' is a formula without a saved result (open and save it in Excel or WPS first)",
        )
    if re.fullmatch(r"\d{5}(?:\.\d+)?", n) and _SERIAL_MIN <= float(n) <= _SERIAL_MAX:
        d = serial_to_date(float(n))
        return When(d, d.isoformat())
    try:
        return When(parse_when(s, year), s)
    except DateError as e:
        if e.reason == "impossible":
            raise CellError(e.detail_zh, str(e)) from None
    stripped = _TRAILING_WORDS.sub("", n)
    loose = _loose_day(stripped or n, year)
    if loose is not None:
        return When(loose, loose.isoformat(), s)
    if stripped and stripped != n:
        try:
            d = parse_when(stripped, year)
            return When(d, d.isoformat(), s)
        except DateError:
            pass
    found = _dated_clauses(n, year)
    if not found:
        raise CellError(f"“{s}”中没有可识别的日期", f"no date can be read in '{s}'")
    found.sort(key=lambda c: c[1])
    last_day = found[-1][1]
    extra = tuple((name, day) for name, day in found[:-1] if day < last_day)
    return When(last_day, last_day.isoformat(), s, extra)


_TEN_DAYS = re.compile(r"^(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月\s*([上中下])旬$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH_DOT_DAY = re.compile(r"^(\d{1,2})\.(\d{1,2})$")


def _loose_day(text: str, year: int) -> date | None:
    """Forms offices write that the ledger format does not: 11月上旬 (the 10th), 中旬 (the
    20th), 下旬 (the month's end), 20260630, 6.30 (June 30 of the ledger's year), 年内."""
    try:
        if m := _TEN_DAYS.match(text):
            y, month = int(m.group(1) or year), int(m.group(2))
            if m.group(3) == "下":
                return parse_when(f"{y}-{month:02d}", year)
            return date(y, month, 10 if m.group(3) == "上" else 20)
        if m := _COMPACT.match(text):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _MONTH_DOT_DAY.match(text):
            return date(year, int(m.group(1)), int(m.group(2)))
    except (ValueError, DateError):
        return None
    if text in ("年内", "本年内", "今年内", "年度内"):
        return date(year, 12, 31)
    return None


def _dated_clauses(text: str, year: int) -> list[tuple[str, date]]:
    out: list[tuple[str, date]] = []
    current_year = year
    for clause in _CLAUSE_SPLIT.split(text):
        clause = clause.strip()
        if not clause:
            continue
        for m in _DATE_SPAN.finditer(clause):
            span = m.group(0).strip()
            y = _EXPLICIT_YEAR.match(span)
            if y:
                current_year = int(y.group(1))
            try:
                day = parse_when(span, current_year)
            except DateError:
                continue
            name = (clause[: m.start()] + clause[m.end() :]).strip()
            name = re.sub(r"^(?:之|以)?前", "", name).strip(" ：:，,") or clause
            out.append((name, day))
            break  # one date per clause
    return out


# --- numbers --------------------------------------------------------------------------

_NUMBER_WITH_UNIT = re.compile(r"^\s*([-+]?\d+(?:\.\d+)?)\s*([^\d\s]{0,8})\s*$")


def read_number(v: CellValue) -> tuple[float, str | None]:
    """A number cell, or text like "5000万元" → (5000.0, "万元"); raises `CellError`."""
    if isinstance(v, bool) or v is None or isinstance(v, date | datetime):
        raise CellError(f"“{v}”不是数字", f"'{v}' is not a number")
    if isinstance(v, int | float):
        return float(v), None
    s = unicodedata.normalize("NFKC", str(v)).replace(",", "").strip()
    m = _NUMBER_WITH_UNIT.match(s)
    if not m:
        raise CellError(f"“{text_of(v)}”不是数字", f"'{text_of(v)}' is not a number")
    return float(m.group(1)), (m.group(2) or None)


def read_percent(v: CellValue) -> float:
    """60, "60%", "完成60%" or a fraction 0.6 → 60.0; raises `CellError` outside 0–100."""
    if isinstance(v, int | float) and not isinstance(v, bool):
        p = float(v) * 100 if 0 < v < 1 else float(v)
    else:
        s = unicodedata.normalize("NFKC", text_of(v) or "")
        m = re.search(r"([-+]?\d+(?:\.\d+)?)\s*%?", s)
        if not m:
            raise CellError(f"“{s}”不是百分比", f"'{s}' is not a percentage")
        p = float(m.group(1))
    if not 0 <= p <= 100:
        raise CellError(f"进度 {p:g}% 不在 0–100 之间", f"{p:g}% is not between 0 and 100")
    return p


def fmt_number(x: float) -> str:
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


# --- units ----------------------------------------------------------------------------

_NAME_SPLIT = re.compile(r"[、,，;；/／\n]+|\s{2,}")
_REMARK = re.compile(r"[(（【\[].*?[)）】\]]")
_COUNTY_PREFIX = re.compile(r"^\S{1,4}?[县市区](?=\S)")
_GOV_SUFFIX = re.compile(r"(?:人民政府|政府|党委)$")


@dataclass
class UnitMatcher:
    """Unit names as clerks write them → ids of units.yaml, with a did-you-mean for the rest."""

    units: dict[str, Unit]
    _index: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for u in self.units.values():
            self._index.setdefault(u.id, u.id)
            self._index.setdefault(u.id.lower(), u.id)
            for key in self._variants(u.name):
                self._index.setdefault(key, u.id)

    @staticmethod
    def _variants(name: str) -> Iterable[str]:
        n = unicodedata.normalize("NFKC", name).replace(" ", "")
        for form in dict.fromkeys((n, _REMARK.sub("", n) or n)):  # 县纪委监委（县监察局）
            yield form
            bare = _GOV_SUFFIX.sub("", form)
            yield bare
            if bare.startswith("县") and len(bare) > 2:
                yield bare[1:]  # 县发改委 → 发改委

    def match(self, text: str) -> str | None:
        """The unit id a written name means, or None."""
        n = unicodedata.normalize("NFKC", text).strip().replace(" ", "").replace("\u3000", "")
        if not n:
            return None
        for cand in self._candidates(n):
            hit = self._index.get(cand) or self._index.get(cand.lower())
            if hit is not None:
                return hit
        return None

    def _candidates(self, n: str) -> Iterable[str]:
        yield n
        bare = _GOV_SUFFIX.sub("", _REMARK.sub("", n))
        yield bare
        m = _COUNTY_PREFIX.match(bare)
        if m:
            rest = bare[m.end() :]
            yield "县" + rest
            yield rest
            yield _GOV_SUFFIX.sub("", rest)

    def abbreviation(self, text: str) -> str | None:
        """The one unit that a short form names: 城管局 → 县城市管理局, 县发展改革委 → 县发改委.

        The shorter name's characters appear in order in the longer one and both begin and
        end with the same character (局, 委, 镇 …), or the shorter one (three characters or
        more) begins the longer one; and no other unit fits."""
        n = _GOV_SUFFIX.sub("", _REMARK.sub("", unicodedata.normalize("NFKC", text)))
        n = n.replace(" ", "").replace("\u3000", "").removeprefix("县")
        if len(n) < 2:
            return None
        hits: set[str] = set()
        for u in self.units.values():
            name = _GOV_SUFFIX.sub("", unicodedata.normalize("NFKC", u.name)).removeprefix("县")
            name = _REMARK.sub("", name)
            short, long_ = sorted((n, name), key=len)
            if short == long_ or len(short) < 2:
                continue
            if (short[0] == long_[0] and short[-1] == long_[-1] and _in_order(short, long_)) or (
                len(short) >= 3 and long_.startswith(short)  # 政府办 → 政府办公室
            ):
                hits.add(u.id)
        return hits.pop() if len(hits) == 1 else None

    def guess(self, text: str) -> str | None:
        """The closest unit name, for a did-you-mean."""
        names = [u.name for u in self.units.values()]
        n = _REMARK.sub("", unicodedata.normalize("NFKC", text).strip())
        found = difflib.get_close_matches(n, names, n=1, cutoff=0.6)
        if found:
            return found[0]
        for name in names:
            core = name.removeprefix("县")
            if len(core) >= 2 and (core in n or n in core):
                return name
        return None

    def split(self, text: str) -> list[str]:
        """A cell that may name several units → the names, in order."""
        return [p.strip() for p in _NAME_SPLIT.split(text) if p.strip()]

    def find_in(self, text: str) -> str | None:
        """The one unit whose name appears in a title like “县发改委2026年重点任务台账”."""
        n = unicodedata.normalize("NFKC", text).replace(" ", "")
        hits = {u.id for u in self.units.values() if len(u.name) >= 2 and u.name in n}
        if not hits:
            hits = {
                uid
                for key, uid in self._index.items()
                if len(key) >= 3 and not key.isascii() and key in n
            }
        return hits.pop() if len(hits) == 1 else None


def _in_order(short: str, long_: str) -> bool:
    """Every character of `short` appears in `long_`, in the same order."""
    it = iter(long_)
    return all(ch in it for ch in short)
