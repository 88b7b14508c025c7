"""An independent oracle for FORMAT.md's derived states, held against `sanzhua status`.

Everything in the first half of this file is written from the text of FORMAT.md
("Dates and deadlines", "Derived states"), not from sanzhua's code: the ledger is read
with PyYAML, deadlines are parsed by FORMAT.md's table, working days come from the
`chinese_calendar` package plus calendar.yaml and are counted one day at a time, and
each state is its row of the table, spelled out. Where FORMAT.md leaves a choice, the
oracle takes the one docs/format.md writes down (noted where it happens).

The second half compares the oracle with `sanzhua status --format json --as-of D` and
`sanzhua.evaluate.evaluate` on the bundled ledger, on ledgers from bench/generate.py and
on hand-written edge cases, at as-of dates around 2026's holidays, make-up workdays
(调休), month and quarter ends and the turn of the year.
"""

from __future__ import annotations

import calendar as month_calendar
import importlib.util
import io
import json
import math
import re
import subprocess
import sys
import textwrap
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest
import yaml

from sanzhua.commands.check import check
from sanzhua.commands.status import status
from sanzhua.evaluate import evaluate
from sanzhua.load import load_ledger
from tests.conftest import REPO, MakeLedger

# --- reading a ledger, by FORMAT.md ----------------------------------------------------------

FILE_KEYS = {"责任单位": "unit", "任务清单": "tasks"}
TASK_KEYS = {
    "编号": "id",
    "任务": "title",
    "类别": "category",
    "依据": "source",
    "牵头单位": "lead",
    "配合单位": "partners",
    "责任人": "owner",
    "包抓领导": "leader",
    "开始": "start",
    "时限": "due",
    "节点": "milestones",
    "目标": "target",
    "进展": "progress",
    "状态": "status",
    "完成": "done",
    "上级任务": "parent",
    "延期": "extensions",
    "督办方式": "supervision",
    "标签": "tags",
}
MILESTONE_KEYS = {"名称": "name", "时限": "due", "完成": "done"}
TARGET_KEYS = {"指标": "metric", "目标值": "value", "单位": "unit", "方向": "direction"}
PROGRESS_KEYS = {"日期": "date", "情况": "note", "完成值": "value", "进度": "percent", "填报人": "by"}
STATUS_WORDS = {
    "planned": "planned",
    "未启动": "planned",
    "active": "active",
    "推进中": "active",
    "done": "done",
    "已完成": "done",
    "suspended": "suspended",
    "暂缓": "suspended",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "已取消": "cancelled",
}
DIRECTION_WORDS = {
    "at_least": "at_least",
    "不低于": "at_least",
    "不少于": "at_least",
    "at_most": "at_most",
    "不高于": "at_most",
    "不超过": "at_most",
}
CN_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def month_end(y: int, m: int) -> date:
    return date(y, m, month_calendar.monthrange(y, m)[1])


def when(value: Any, year: int) -> date:
    """A deadline or date, by FORMAT.md's table (plus docs/format.md's 号/末/份/以前)."""
    if isinstance(value, date):
        return value
    if isinstance(value, int):
        return date(value, 12, 31)  # `2026`
    s = unicodedata.normalize("NFKC", str(value)).strip()
    for tail in ("以前", "之前", "前"):
        if s.endswith(tail):
            s = s[: -len(tail)].strip()
            break
    if not re.match(r"\d{4}", s):
        s = (f"{year}-" if s[:1] in ("Q", "H") else f"{year}年") + s
    if m := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", s):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?", s):
        return date(int(m[1]), int(m[2]), int(m[3]))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
        return month_end(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})年(\d{1,2})月(底|末|份)?", s):
        return month_end(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", s):
        return month_end(int(m[1]), 3 * int(m[2]))
    if m := re.fullmatch(r"(\d{4})年第?([一二三四1-4])季度", s):
        return month_end(int(m[1]), 3 * CN_QUARTER[m[2]])
    if m := re.fullmatch(r"(\d{4})-H([12])", s):
        return month_end(int(m[1]), 6 * int(m[2]))
    if m := re.fullmatch(r"(\d{4})年([上下])半年", s):
        return month_end(int(m[1]), 6 if m[2] == "上" else 12)
    if m := re.fullmatch(r"(\d{4})(年年?[底末])?", s):
        return date(int(m[1]), 12, 31)
    raise ValueError(f"oracle cannot read the date {value!r}")


def number(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    s = unicodedata.normalize("NFKC", str(value)).replace(",", "").strip().rstrip("%")
    return float(s)


def _keys(m: Any, aliases: dict[str, str]) -> dict[str, Any]:
    return {aliases.get(str(k), str(k)): v for k, v in (m or {}).items()}


def _list(v: Any) -> list[Any]:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


@dataclass
class OMilestone:
    due: date
    done: date | None


@dataclass
class OEntry:
    date: date
    value: float | None
    percent: float | None


@dataclass
class OTask:
    id: str
    lead: str
    start: date
    due: date | None
    status: str
    done: date | None
    parent: str | None
    milestones: list[OMilestone]
    entries: list[OEntry]  # its own, in the order written
    target_value: float | None
    target_unit: str | None
    direction: str | None
    order: int  # position in the ledger


@dataclass
class OLedger:
    year: int
    due_soon_days: int
    behind_margin: float
    report_every: str
    holidays: frozenset[date]
    workdays: frozenset[date]
    tasks: dict[str, OTask] = field(default_factory=dict)
    tracking_since: date | None = None  # no report is owed before it


def read_ledger(root: Path) -> OLedger:
    """The ledger root as the oracle sees it: PyYAML, FORMAT.md's keys and their 中文 aliases."""

    def load(path: Path) -> Any:
        return yaml.safe_load(path.read_text(encoding="utf-8-sig")) if path.exists() else None

    settings = load(root / "sanzhua.yaml") or {}
    year = int(settings.get("year", 2026))
    cal = load(root / "calendar.yaml") or {}
    units = (load(root / "units.yaml") or {}).get("units") or []
    unit_ids = {str(u["name"]): str(u["id"]) for u in units}
    led = OLedger(
        year=year,
        due_soon_days=int(settings.get("due_soon_days", 5)),
        behind_margin=float(settings.get("behind_margin", 20)),
        report_every=str(settings.get("report_every", "week")),
        holidays=frozenset(when(d, year) for d in cal.get("holidays") or []),
        workdays=frozenset(when(d, year) for d in cal.get("workdays") or []),
        tracking_since=None if settings.get("tracking_since") is None else when(settings["tracking_since"], year),
    )
    files = sorted(
        (p for p in (root / "ledgers").rglob("*") if p.suffix in (".yaml", ".yml")),
        key=lambda p: p.relative_to(root).as_posix(),
    )
    due_written: dict[str, date | None] = {}
    for path in files:
        doc = _keys(load(path), FILE_KEYS)
        for raw in doc.get("tasks") or []:
            t = _keys(raw, TASK_KEYS)
            tid = str(t["id"])
            if tid in led.tasks:  # a duplicated id: the first one counts (docs/format.md)
                continue
            target = _keys(t.get("target"), TARGET_KEYS) if t.get("target") else None
            entries = []
            for e in _list(t.get("progress")):
                e = _keys(e, PROGRESS_KEYS)
                entries.append(
                    OEntry(
                        when(e["date"], year),
                        None if e.get("value") is None else number(e["value"]),
                        None if e.get("percent") is None else number(e["percent"]),
                    )
                )
            milestones = [
                OMilestone(when(m["due"], year), None if m.get("done") is None else when(m["done"], year))
                for m in (_keys(x, MILESTONE_KEYS) for x in _list(t.get("milestones")))
            ]
            lead = str(t.get("lead") or doc["unit"])
            due = None if t.get("due") is None else when(t["due"], year)
            due_written[tid] = due
            led.tasks[tid] = OTask(
                id=tid,
                lead=unit_ids.get(lead, lead),
                start=date(year, 1, 1) if t.get("start") is None else when(t["start"], year),
                due=due,
                status=STATUS_WORDS[str(t.get("status") or "active")],
                done=None if t.get("done") is None else when(t["done"], year),
                parent=None if t.get("parent") is None else str(t["parent"]),
                milestones=milestones,
                entries=entries,
                target_value=None if target is None else number(target["value"]),
                target_unit=None if target is None or target.get("unit") is None else str(target["unit"]),
                direction=None if target is None else DIRECTION_WORDS[str(target.get("direction") or "at_least")],
                order=len(led.tasks),
            )
    # `due` is "required unless `parent` gives one": a share without one has its parent's.
    for t in led.tasks.values():
        p, seen = t, {t.id}
        while t.due is None and p.parent in led.tasks and p.parent not in seen:
            p = led.tasks[p.parent]
            seen.add(p.id)
            t.due = due_written[p.id]
    return led


# --- working days ----------------------------------------------------------------------------


class Days:
    """The official calendar (chinese_calendar), calendar.yaml over it, Monday–Friday beyond it."""

    def __init__(self, holidays: frozenset[date], workdays: frozenset[date]) -> None:
        self.holidays = holidays
        self.workdays = workdays
        self.is_workday = cache(self._is_workday)

    def _is_workday(self, d: date) -> bool:
        if d in self.holidays:
            return False
        if d in self.workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(d))
        except NotImplementedError:  # a year the package does not cover
            return d.weekday() < 5

    def after_upto(self, after: date, upto: date) -> int:
        """Working days d with after < d <= upto, one by one."""
        n, d = 0, after + timedelta(days=1)
        while d <= upto:
            n += self.is_workday(d)
            d += timedelta(days=1)
        return n


# --- the derived states, row by row ----------------------------------------------------------

TABLE_ORDER = (
    "done",
    "done_late",
    "overdue",
    "milestone_overdue",
    "due_soon",
    "behind",
    "no_report",
    "on_track",
    "planned",
    "suspended",
    "cancelled",
)


@dataclass
class Expect:
    states: list[str]
    light: str
    days_overdue: int | None
    percent: float | None
    expected_percent: float | None
    due: date | None
    done: date | None
    workdays_left: int | None


class Oracle:
    def __init__(self, led: OLedger) -> None:
        self.led = led
        self.days = Days(led.holidays, led.workdays)
        self.children: dict[str, list[OTask]] = {}
        for t in sorted(led.tasks.values(), key=lambda t: t.order):
            if t.parent is not None:
                self.children.setdefault(t.parent, []).append(t)

    def family(self, t: OTask) -> list[OTask]:
        """The task and everything below it (a parent's entries include its children's).

        In ledger order: of two entries on one date, the one written last is the latest.
        """
        out, todo, seen = [t], list(self.children.get(t.id, [])), {t.id}
        while todo:
            c = todo.pop(0)
            if c.id in seen:
                continue
            seen.add(c.id)
            out.append(c)
            todo.extend(self.children.get(c.id, []))
        return sorted(out, key=lambda x: x.order)

    def entries(self, t: OTask, as_of: date) -> list[OEntry]:
        """Progress that has happened by as_of, its own and its children's."""
        return [e for x in self.family(t) for e in x.entries if e.date <= as_of]

    @staticmethod
    def latest(entries: list[OEntry], attr: str) -> float | None:
        """The latest entry by date that has `attr`; of equal dates, the one written last."""
        having = [e for e in entries if getattr(e, attr) is not None]
        if not having:
            return None
        last = max(e.date for e in having)
        value: float = [getattr(e, attr) for e in having if e.date == last][-1]
        return value

    def value(self, t: OTask, as_of: date) -> float | None:
        """Latest value; for a parent, the sum of its children's latest values whose unit matches."""
        if t.target_value is not None:
            matching = [
                c for c in self.children.get(t.id, []) if c.target_value is not None and c.target_unit == t.target_unit
            ]
            if matching:
                return sum(self.value(c, as_of) or 0.0 for c in matching)
        return self.latest(self.entries(t, as_of), "value")

    def expect(self, t: OTask, as_of: date) -> Expect:
        led = self.led
        deadline = t.due
        assert deadline is not None, t.id
        done_date = t.done if t.done is not None and t.done <= as_of else None
        # `done` implies status done; status done without a date counts as done.
        counts_done = done_date is not None or (t.status == "done" and t.done is None)
        suspended = t.status == "suspended" and not counts_done
        cancelled = t.status == "cancelled" and not counts_done
        started = t.start <= as_of
        is_open = not counts_done and not suspended and not cancelled and started

        entries = self.entries(t, as_of)
        latest_percent = self.latest(entries, "percent")
        has_measure = latest_percent is not None or t.direction == "at_least"
        actual: float | None = None
        if latest_percent is not None:
            actual = latest_percent
        elif t.direction == "at_least" and t.target_value:
            actual = 100.0 * (self.value(t, as_of) or 0.0) / t.target_value
        elif t.direction == "at_least":
            actual = 0.0
        span = (deadline - t.start).days
        if span > 0:
            expected = min(100.0, max(0.0, 100.0 * (as_of - t.start).days / span))
        else:  # FORMAT.md's formula divides by zero; on the deadline day it would say 100
            expected = 100.0 if as_of >= deadline else 0.0

        overdue = is_open and deadline < as_of
        left = self.days.after_upto(as_of, deadline) if is_open and not overdue else None
        period = {"week": 7, "month": 31}.get(led.report_every)
        rule = {
            "done": counts_done and (done_date is None or done_date <= deadline),
            "done_late": counts_done and done_date is not None and done_date > deadline,
            "overdue": overdue,
            "milestone_overdue": is_open
            and any(m.due < as_of and (m.done is None or m.done > as_of) for m in t.milestones),
            "due_soon": is_open and not overdue and left is not None and left <= led.due_soon_days,
            "behind": is_open and has_measure and (actual or 0.0) < expected - led.behind_margin,
            "no_report": is_open
            and period is not None
            and max(t.start, led.tracking_since or t.start) <= as_of - timedelta(days=period)
            and not any(as_of - timedelta(days=period - 1) <= e.date <= as_of for e in entries),
            "planned": not counts_done and not suspended and not cancelled and t.start > as_of,
            "suspended": suspended,
            "cancelled": cancelled,
        }
        rule["on_track"] = is_open and not any(
            rule[s] for s in ("overdue", "milestone_overdue", "due_soon", "behind", "no_report")
        )
        states = [s for s in TABLE_ORDER if rule[s]]
        if rule["overdue"] or rule["milestone_overdue"]:
            light = "red"
        elif rule["due_soon"] or rule["behind"] or rule["no_report"]:
            light = "yellow"
        elif rule["on_track"]:
            light = "green"
        elif rule["done"] or rule["done_late"]:
            light = "done"
        else:
            light = "none"
        return Expect(
            states=states,
            light=light,
            days_overdue=(as_of - deadline).days if overdue else None,
            percent=actual if has_measure else None,
            expected_percent=expected,
            due=deadline,
            done=done_date,
            workdays_left=left,
        )


# --- comparing -------------------------------------------------------------------------------


def _iso(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def _near(a: float | None, b: float | None, tol: float) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, abs_tol=tol)


def diff_json(doc: dict[str, Any], oracle: Oracle, as_of: date) -> list[str]:
    """Every disagreement between `status --format json` and the oracle, as readable lines."""
    assert doc["as_of"] == as_of.isoformat()
    rows = {r["id"]: r for r in doc["tasks"]}
    out: list[str] = []
    if set(rows) != set(oracle.led.tasks):
        out.append(f"{as_of}: ids differ: {sorted(set(rows) ^ set(oracle.led.tasks))[:10]}")
    for tid, t in oracle.led.tasks.items():
        r = rows.get(tid)
        if r is None:
            continue
        e = oracle.expect(t, as_of)
        got = {
            "states": r["states"],
            "light": r["light"],
            "days_overdue": r["days_overdue"],
            "due": r["due"],
            "done": r["done"],
            "start": r["start"],
            "lead": r["lead"],
            "workdays_left": r["workdays_left"],
        }
        want = {
            "states": e.states,
            "light": e.light,
            "days_overdue": e.days_overdue,
            "due": _iso(e.due),
            "done": _iso(e.done),
            "start": t.start.isoformat(),
            "lead": t.lead,
            "workdays_left": e.workdays_left,
        }
        for k in got:
            if got[k] != want[k]:
                out.append(f"{as_of} {tid} {k}: sanzhua {got[k]!r}, oracle {want[k]!r}")
        for k, w in (("percent", e.percent), ("expected_percent", e.expected_percent)):
            # JSON rounds to one decimal.
            if not _near(r[k], None if w is None else w, 0.05 + 1e-9):
                out.append(f"{as_of} {tid} {k}: sanzhua {r[k]!r}, oracle {w!r}")
    return out


def diff_evaluation(root: Path, oracle: Oracle, dates: Iterable[date]) -> list[str]:
    """`sanzhua.evaluate.evaluate` (unrounded) against the oracle."""
    ledger = load_ledger(root, cache=False)
    out: list[str] = []
    for as_of in dates:
        ev = evaluate(ledger, as_of)
        for tid, t in oracle.led.tasks.items():
            st = ev.tasks[tid]
            e = oracle.expect(t, as_of)
            got = (list(st.states), st.light, st.days_overdue, st.deadline, st.done, st.workdays_left)
            want = (e.states, e.light, e.days_overdue, e.due, e.done, e.workdays_left)
            if got != want:
                out.append(f"{as_of} {tid}: sanzhua {got}, oracle {want}")
            if not _near(st.percent, e.percent, 1e-9) or not _near(st.expected_percent, e.expected_percent, 1e-9):
                out.append(
                    f"{as_of} {tid}: percent/expected sanzhua {st.percent}/{st.expected_percent},"
                    f" oracle {e.percent}/{e.expected_percent}"
                )
    return out


def status_json(root: Path, as_of: date) -> dict[str, Any]:
    buf = io.StringIO()
    assert status(root, as_of=as_of, fmt="json", out=buf) == 0
    doc: dict[str, Any] = json.loads(buf.getvalue())
    return doc


def _holiday_edges(year: int) -> list[date]:
    """Each holiday run's eve, first and last day and the day after; every make-up workday and its neighbours."""
    days: set[date] = set()
    off = sorted(d for d in chinese_calendar.holidays if d.year == year)
    for d in off:
        if d - timedelta(days=1) not in chinese_calendar.holidays:
            days |= {d - timedelta(days=1), d}
        if d + timedelta(days=1) not in chinese_calendar.holidays:
            days |= {d, d + timedelta(days=1)}
    for d in (d for d in chinese_calendar.workdays if d.year == year):
        days |= {d - timedelta(days=1), d, d + timedelta(days=1)}
    return sorted(days)


def _month_ends(year: int) -> list[date]:
    return [month_end(year, m) for m in range(1, 13)] + [date(year, m, 1) for m in range(1, 13)]


# 2026: New Year 1/1–3 (make-up Sunday 1/4), Spring Festival 2/15–23 (make-up Saturdays 2/14,
# 2/28), Qingming 4/4–6, May Day 5/1–5 (make-up 5/9), Dragon Boat 6/19–21, Mid-Autumn 9/25–27
# (make-up Sunday 9/20), National Day 10/1–7 (make-up Saturday 10/10).
AS_OF_DATES: list[date] = sorted(
    {
        *_holiday_edges(2026),
        *_month_ends(2026),
        date(2025, 12, 31),
        date(2026, 11, 20),
        date(2026, 11, 24),
        date(2026, 11, 25),
        date(2026, 11, 26),
        date(2026, 12, 24),
        date(2026, 12, 25),
        date(2026, 12, 28),
        date(2027, 1, 1),
        date(2027, 1, 4),
        date(2027, 3, 31),
        date(2027, 6, 30),
        date(2027, 7, 1),
    }
)


def test_the_as_of_dates_cover_2026s_holidays() -> None:
    assert date(2026, 2, 14) in AS_OF_DATES and date(2026, 10, 10) in AS_OF_DATES  # make-up Saturdays
    assert date(2026, 9, 20) in AS_OF_DATES and date(2026, 1, 4) in AS_OF_DATES  # make-up Sundays
    assert date(2026, 10, 8) in AS_OF_DATES and date(2026, 2, 24) in AS_OF_DATES  # first days back
    assert len(AS_OF_DATES) > 60


# --- the oracle checked by hand, so that it is worth comparing with -------------------------


def test_oracle_dates_and_days() -> None:
    assert when("2026-09", 2026) == date(2026, 9, 30)
    assert when("2026年第三季度", 2026) == when("第三季度前", 2026) == when("2026-Q3", 2026) == date(2026, 9, 30)
    assert when("２０２６年２月底", 2026) == date(2026, 2, 28)
    assert when("上半年", 2026) == when("2026-H1", 2026) == date(2026, 6, 30)
    assert when(2026, 2026) == when("年底", 2026) == when("2026年年底", 2026) == date(2026, 12, 31)
    days = Days(frozenset(), frozenset())
    assert not days.is_workday(date(2026, 10, 1)) and days.is_workday(date(2026, 10, 10))  # 调休 Saturday
    assert days.after_upto(date(2026, 9, 30), date(2026, 10, 12)) == 4  # Oct 8, 9, 10, 12
    assert days.after_upto(date(2026, 12, 31), date(2027, 1, 8)) == 6  # 2027: Monday–Friday, 1-1 included
    over = Days(frozenset({date(2027, 1, 1)}), frozenset({date(2026, 10, 7)}))
    assert over.after_upto(date(2026, 12, 31), date(2027, 1, 8)) == 5 and over.is_workday(date(2026, 10, 7))


_FORMS = [
    "2026-09-30",
    "2026/9/30",
    "2026.9.30",
    "2026年9月30日",
    "2026-09",
    "2026年9月",
    "2026年9月底",
    "2026-Q3",
    "2026年第三季度",
    "2026年三季度",
    "2026-H1",
    "2026年上半年",
    "2026-H2",
    "2026年下半年",
    "2026",
    "2026年底",
    "2026年年底",
    "9月30日",
    "9月底",
    "第三季度",
    "年底",
    "2月底",
    "2028年2月底",
    "2027-Q1",
    "12月31日前",
    "年底前",
    "第四季度前",
]
_FULL_WIDTH = {ord(c): ord(c) + 0xFEE0 for c in "0123456789-/."}


@pytest.mark.parametrize("form", [*_FORMS, *(f.translate(_FULL_WIDTH) for f in _FORMS)])
def test_deadline_forms_agree_with_the_oracle(form: str) -> None:
    from sanzhua.dates import parse_when

    assert parse_when(form, 2026) == when(form, 2026)


# --- the bundled ledger ----------------------------------------------------------------------


def test_bundled_ledger_matches_the_oracle() -> None:
    oracle = Oracle(read_ledger(REPO))
    assert len(oracle.led.tasks) > 100
    problems: list[str] = []
    for as_of in AS_OF_DATES:
        problems += diff_json(status_json(REPO, as_of), oracle, as_of)
    assert not problems, "\n".join(problems[:40])


def test_bundled_ledger_through_the_real_cli() -> None:
    as_of = date(2026, 11, 25)
    run = subprocess.run(
        [sys.executable, "-m", "sanzhua", "status", "--format", "json", "--as-of", as_of.isoformat()],
        cwd=REPO / "ledgers",  # the root is found by walking up
        capture_output=True,
        check=True,
    )
    problems = diff_json(json.loads(run.stdout.decode("utf-8")), Oracle(read_ledger(REPO)), as_of)
    assert not problems, "\n".join(problems[:40])


# --- generated ledgers -----------------------------------------------------------------------


def _generate(out: Path, units: int, per_unit: int, seed: int) -> None:
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    module.generate(out, units, per_unit, seed)


@pytest.mark.parametrize("seed", [1, 7])
def test_generated_ledger_matches_the_oracle(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "gen"
    _generate(root, 30, 10, seed)
    oracle = Oracle(read_ledger(root))
    assert len(oracle.led.tasks) == 300
    problems = diff_evaluation(root, oracle, AS_OF_DATES)
    for as_of in (date(2026, 9, 30), date(2026, 10, 8), date(2026, 11, 25), date(2026, 12, 31)):
        problems += diff_json(status_json(root, as_of), oracle, as_of)
    assert not problems, "\n".join(problems[:40])


def test_generated_ledger_with_a_calendar_and_monthly_reports(tmp_path: Path) -> None:
    root = tmp_path / "gen"
    _generate(root, 20, 10, 3)
    settings = (root / "sanzhua.yaml").read_text(encoding="utf-8")
    (root / "sanzhua.yaml").write_text(
        settings.replace("report_every: week", "report_every: month").replace("due_soon_days: 5", "due_soon_days: 3"),
        encoding="utf-8",
    )
    (root / "calendar.yaml").write_text(
        "holidays: [2026-11-26, 2026-11-27, 2027-01-01, 2027-02-05]\nworkdays: [2026-11-28, 2027-02-14]\n",
        encoding="utf-8",
    )
    oracle = Oracle(read_ledger(root))
    assert oracle.led.report_every == "month" and oracle.led.holidays
    problems = diff_evaluation(root, oracle, AS_OF_DATES)
    assert not problems, "\n".join(problems[:40])


# --- hand-written edge cases -----------------------------------------------------------------

EDGE_SETTINGS = "name: 边界\nyear: 2026\ndue_soon_days: 5\nbehind_margin: 20\nreport_every: week\n"

EDGES = """\
unit: fgw
tasks:
  # the deadline day and the day after, on and around holidays
  - {id: D-TODAY, title: 当天到期, start: 2026-01-05, due: 2026-11-25}
  - {id: D-HOLIDAY, title: 时限在国庆, start: 2026-01-05, due: 2026-10-03}
  - {id: D-MAKEUP, title: 时限在调休日, start: 2026-01-05, due: 2026-10-10}
  - {id: D-SPRING, title: 春节后, start: 2026-01-05, due: 2026-02-24}
  - {id: D-NEWYEAR, title: 跨年, start: 2026-06-01, due: 2027-01-05}
  - {id: D-2030, title: 未覆盖年份, start: 2026-06-01, due: 2030-01-04}
  - {id: D-MONTH, title: 月底, start: 2026-01-05, due: 2026年2月底}
  - {id: D-QUARTER, title: 季度, start: 2026-01-05, due: 第一季度前}
  - {id: D-HALF, title: 半年, start: 2026-01-05, due: 上半年}
  - {id: D-YEAR, title: 年底, due: 年底}
  # start on the as-of date, planned status after its start, suspended and cancelled
  - {id: S-START, title: 当天开始, start: 2026-10-08, due: 2026-12-31}
  - {id: S-PLANNED, title: 登记未启动, status: planned, start: 2026-03-01, due: 2026-06-30}
  - {id: S-SUSP, title: 暂缓, status: suspended, start: 2026-01-05, due: 2026-03-31}
  - {id: S-CANC, title: 取消, status: 已取消, start: 2026-01-05, due: 2026-03-31,
     milestones: [{name: m, due: 2026-02-10}]}
  - {id: S-SAMEDAY, title: 一天, start: 2026-05-06, due: 2026-05-06}
  # done: on time, late, without a date, dated after the as-of date
  - {id: F-ONTIME, title: 按期, start: 2026-01-05, due: 2026-09-30, done: 2026-09-30}
  - {id: F-LATE, title: 逾期完成, start: 2026-01-05, due: 2026-09-30, done: 2026-10-08}
  - {id: F-NODATE, title: 无日期, start: 2026-01-05, due: 2026-09-30, status: done}
  - {id: F-SUSPDONE, title: 暂缓后完成, start: 2026-01-05, due: 2026-09-30, status: suspended,
     done: 2026-11-02}
  # milestones
  - id: M-ONE
    title: 节点
    start: 2026-01-05
    due: 2026-12-31
    milestones:
      - {name: 一, due: 2026-04-30, done: 2026-05-06}
      - {name: 二, due: 9月底}
    progress: [{date: 2026-04-01, percent: 30}, {date: 2026-09-28, percent: 70}]
  # behind: percent, value, at_most, no progress, a percent after as-of
  - id: B-PCT
    title: 百分比
    start: 2026-01-05
    due: 2026-12-31
    progress: [{date: 2026-03-01, percent: 10}, {date: 2026-07-01, percent: 30}, {date: 2026-12-01, percent: 99}]
  - id: B-VAL
    title: 完成值
    start: 2026-01-05
    due: 2026-12-31
    target: {metric: 投资, value: 5000, unit: 万元}
    progress: [{date: 2026-06-30, value: 1000}, {date: 2026-10-31, value: 4000}]
  - id: B-ATMOST
    title: 不超过
    start: 2026-01-05
    due: 2026-12-31
    target: {metric: 事故, value: 3, unit: 起, direction: at_most}
    progress: [{date: 2026-06-30, value: 1}]
  - id: B-ATMOST-PCT
    title: 不超过但报百分比
    start: 2026-01-05
    due: 2026-12-31
    target: {metric: 事故, value: 3, unit: 起, direction: 不超过}
    progress: [{date: 2026-06-30, value: 1, percent: 10}]
  - id: B-NONE
    title: 无进展有目标
    start: 2026-01-05
    due: 2026-12-31
    target: {value: 10, unit: 个}
  - id: B-SAMEDAY
    title: 同日两条
    start: 2026-01-05
    due: 2026-12-31
    progress: [{date: 2026-09-01, percent: 90}, {date: 2026-09-01, percent: 20}]
  # a parent and its shares: roll-up, inherited deadline, reports counted for the parent
  - {id: P, title: 全县, start: 2026-01-05, due: 2026-12-31, target: {value: 1000, unit: 万元}}
  - {id: P-1, title: 甲乡, parent: P, start: 2026-01-05, target: {value: 600, unit: 万元},
     progress: [{date: 2026-05-29, value: 200}, {date: 2026-09-28, value: 500}]}
  - {id: P-2, title: 乙乡, parent: P, start: 2026-01-05, due: 2026-10-31, target: {value: 400, unit: 万元},
     progress: [{date: 2026-10-09, value: 100}]}
  - {id: P-3, title: 丙乡, parent: P, start: 2026-01-05, target: {value: 3, unit: 个},
     progress: [{date: 2026-11-20, value: 3}]}
  - {id: P-1-1, title: 甲乡一村, parent: P-1, start: 2026-02-01, progress: [{date: 2026-12-30, note: 已报}]}
  - {id: Q, title: 单位不同, start: 2026-01-05, due: 2026-12-31, target: {value: 50, unit: 个}}
  - {id: Q-1, title: 丁乡, parent: Q, target: {value: 20, unit: 户}, progress: [{date: 2026-08-03, value: 20}]}
  - {id: R, title: 子任务报百分比, start: 2026-01-05, due: 2026-12-31}
  - {id: R-1, title: 戊乡, parent: R, start: 2026-01-05, progress: [{date: 2026-07-06, percent: 50}]}
  - {id: T, title: 同日两个分解任务报百分比, start: 2026-01-05, due: 2026-12-31}
  - {id: T-1, title: 甲, parent: T, progress: [{date: 2026-07-06, percent: 20}]}
  - {id: T-2, title: 乙, parent: T, progress: [{date: 2026-07-06, percent: 70}]}
  - {id: T-3, title: 丙, parent: T, progress: [{date: 2026-07-01, percent: 10}]}
  - id: V
    title: 上级自报完成值
    start: 2026-01-05
    due: 2026-12-31
    target: {value: 100, unit: 个}
    progress: [{date: 2026-11-23, value: 99}]
  - {id: V-1, title: 甲, parent: V, target: {value: 60, unit: 个},
     progress: [{date: 2026-06-01, value: 30}, {date: 2026-12-01, value: 60}]}
  - {id: V-2, title: 乙, parent: V, target: {value: 40, unit: 个}}
  - {id: V-2-1, title: 乙一, parent: V-2, target: {value: 40, unit: 个}, progress: [{date: 2026-10-12, value: 25}]}
  - {id: F-FUTURE, title: 登记已完成但日期未到, start: 2026-01-05, due: 2026-12-31, status: done, done: 2026-12-15}
  - {id: W-WEEKEND, title: 时限在周日, start: 2026-01-05, due: 2026-11-29, progress: [{date: 2026-11-24, percent: 96}]}
  # an extension: the deadline is the one the file holds now
  - id: X-EXT
    title: 延期
    start: 2026-01-05
    due: 2026-11-30
    extensions: [{from: 2026-09-30, to: 2026-11-30, approved_by: 赵某某, date: 2026-09-15}]
    progress: [{date: 2026-09-25, percent: 40}]
  # reports: started exactly one week / one month before
  - {id: N-WEEK, title: 一周前开始, start: 2026-11-18, due: 2026-12-31}
  - {id: N-6, title: 六天前开始, start: 2026-11-19, due: 2026-12-31}
  - id: N-EDGE
    title: 窗口边上
    start: 2026-01-05
    due: 2026-12-31
    progress: [{date: 2026-11-19, percent: 90}, {date: 2026-12-29, percent: 95}]
"""

CALENDAR = "holidays: [2026-11-26, 2026-12-31, 2030-01-02]\nworkdays: [2026-10-07, 2026-11-29]\n"


@pytest.fixture
def edge_root(make_ledger: MakeLedger) -> Path:
    return make_ledger({"ledgers/edge.yaml": EDGES}, settings=EDGE_SETTINGS)


EDGE_DATES = sorted(
    {
        *AS_OF_DATES,
        *(date(2026, 11, 18) + timedelta(days=i) for i in range(16)),
        *(date(2026, 9, 25) + timedelta(days=i) for i in range(20)),
        date(2026, 5, 6),
        date(2026, 5, 7),
        date(2029, 12, 28),
        date(2029, 12, 31),
        date(2030, 1, 4),
        date(2030, 1, 5),
    }
)


@pytest.mark.parametrize("settings", ["week", "month", "none"])
@pytest.mark.parametrize("with_calendar", [False, True])
def test_edge_cases_match_the_oracle(make_ledger: MakeLedger, settings: str, with_calendar: bool) -> None:
    files: dict[str, str | bytes] = {"ledgers/edge.yaml": EDGES}
    if with_calendar:
        files["calendar.yaml"] = CALENDAR
    root = make_ledger(files, settings=EDGE_SETTINGS.replace("week", settings))
    ledger = load_ledger(root, cache=False)
    errors = [p for f in ledger.files for p in f.problems if p.severity == "error"] + [
        p for p in ledger.problems if p.severity == "error"
    ]
    assert not errors, errors
    oracle = Oracle(read_ledger(root))
    problems = diff_evaluation(root, oracle, EDGE_DATES)
    for as_of in (date(2026, 10, 8), date(2026, 11, 25), date(2026, 12, 30)):
        problems += diff_json(status_json(root, as_of), oracle, as_of)
    assert not problems, "\n".join(problems[:40])


def _st(root: Path, as_of: date) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in status_json(root, as_of)["tasks"]}


def test_edge_cases_by_hand(edge_root: Path) -> None:
    """A few answers worked out on paper, so the oracle itself is checked too."""
    s = _st(edge_root, date(2026, 11, 25))
    assert s["D-TODAY"]["states"][:1] == ["due_soon"] and s["D-TODAY"]["workdays_left"] == 0
    assert s["D-HOLIDAY"]["days_overdue"] == 53 and s["D-HOLIDAY"]["light"] == "red"
    assert s["S-PLANNED"]["states"][0] == "overdue"  # status planned, but started: open
    assert s["S-SUSP"]["states"] == ["suspended"] and s["S-CANC"]["states"] == ["cancelled"]
    assert s["F-NODATE"]["states"] == ["done"] and s["F-NODATE"]["light"] == "done"
    assert s["F-SUSPDONE"]["states"] == ["done_late"]
    assert s["B-ATMOST"]["percent"] is None and "behind" not in s["B-ATMOST"]["states"]
    assert s["B-ATMOST-PCT"]["percent"] == 10 and "behind" in s["B-ATMOST-PCT"]["states"]
    assert s["B-NONE"]["percent"] == 0 and "behind" in s["B-NONE"]["states"]
    assert s["B-SAMEDAY"]["percent"] == 20  # of two entries on one date, the one written last
    assert s["P"]["percent"] == 60.0  # 500 + 100 of 1000 万元; 丙乡's 个 do not add
    assert "no_report" not in s["P"]["states"]  # 丙乡 reported on 11-20: the parent's entries include it
    # 户 ≠ 个: nothing rolls up, and the parent's latest value is that of its entries, which
    # include its share's (FORMAT.md): 20 of 50.
    assert s["Q"]["percent"] == 40 and "behind" in s["Q"]["states"]
    assert s["R"]["percent"] == 50  # a share's percent is the parent's latest percent
    assert s["T"]["percent"] == 70  # two shares on one date: the one written last
    assert s["V"]["percent"] == 55  # 30 + 25 (a grandchild's, through 乙); V's own 99 is not a sum of shares
    assert s["F-FUTURE"]["states"] == ["no_report"] and s["F-FUTURE"]["done"] is None
    assert _st(edge_root, date(2026, 12, 15))["F-FUTURE"]["states"] == ["done"]
    assert s["W-WEEKEND"]["workdays_left"] == 2 and "due_soon" in s["W-WEEKEND"]["states"]
    assert _st(edge_root, date(2026, 11, 29))["W-WEEKEND"]["workdays_left"] == 0  # due today, a Sunday
    assert _st(edge_root, date(2026, 11, 30))["W-WEEKEND"]["days_overdue"] == 1
    assert s["P-1"]["due"] == "2026-12-31" and s["P-1-1"]["due"] == "2026-12-31"  # inherited, through two levels
    assert s["X-EXT"]["due"] == "2026-11-30" and "due_soon" in s["X-EXT"]["states"]
    assert "no_report" in s["N-WEEK"]["states"] and "no_report" not in s["N-6"]["states"]
    assert "no_report" not in s["N-EDGE"]["states"]  # 11-19 is as-of − 6
    assert "no_report" in _st(edge_root, date(2026, 11, 26))["N-EDGE"]["states"]
    # Dated after the as-of date: not happened yet.
    sep = _st(edge_root, date(2026, 9, 30))
    assert sep["B-PCT"]["percent"] == 30 and sep["F-LATE"]["states"][0] == "due_soon"
    assert sep["F-SUSPDONE"]["states"] == ["suspended"]
    assert "milestone_overdue" not in sep["M-ONE"]["states"]  # 二 is due 9月底: late from 10-01
    assert "milestone_overdue" in _st(edge_root, date(2026, 10, 1))["M-ONE"]["states"]
    # 一 was due 4-30 and done 5-06: overdue until it is done.
    assert "milestone_overdue" in _st(edge_root, date(2026, 5, 5))["M-ONE"]["states"]
    assert "milestone_overdue" not in _st(edge_root, date(2026, 5, 6))["M-ONE"]["states"]
    # Start on the as-of date: open, and not yet "a week without a report".
    oct8 = _st(edge_root, date(2026, 10, 8))
    assert oct8["S-START"]["states"] == ["on_track"] and _st(edge_root, date(2026, 10, 7))["S-START"]["states"] == [
        "planned"
    ]
    assert oct8["F-LATE"]["states"] == ["done_late"] and oct8["F-ONTIME"]["states"] == ["done"]
    # A task due on a holiday: due soon through the holiday, overdue the day after it.
    assert _st(edge_root, date(2026, 10, 3))["D-HOLIDAY"]["workdays_left"] == 0
    assert _st(edge_root, date(2026, 10, 4))["D-HOLIDAY"]["days_overdue"] == 1
    # Over National Day: from 9-30 to a deadline on the make-up Saturday 10-10 there are 3 working days.
    assert sep["D-MAKEUP"]["workdays_left"] == 3
    # One day long: expected 100% on that day.
    assert _st(edge_root, date(2026, 5, 6))["S-SAMEDAY"]["expected_percent"] == 100.0


def test_calendar_yaml_overrides_the_builtin_calendar(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/edge.yaml": EDGES, "calendar.yaml": CALENDAR}, settings=EDGE_SETTINGS)
    s = _st(root, date(2026, 9, 30))
    assert s["D-MAKEUP"]["workdays_left"] == 4  # 10-07 made a working day
    nov = _st(root, date(2026, 11, 25))
    assert nov["X-EXT"]["workdays_left"] == 3  # 11-26 a holiday, 11-29 (Sunday) a working day: 27, 29, 30


def test_uncovered_year_falls_back_with_one_warning(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/edge.yaml": EDGES}, settings=EDGE_SETTINGS)
    s = _st(root, date(2029, 12, 28))
    assert s["D-2030"]["workdays_left"] == 5 and "due_soon" in s["D-2030"]["states"]  # 12-31, 1-1 .. 1-4
    buf = io.StringIO()
    check(root, as_of=date(2029, 12, 28), fmt="json", out=buf)
    fallback = [p for p in json.loads(buf.getvalue())["problems"] if p["code"] == "calendar-fallback"]
    assert len(fallback) == 1 and "2030" in fallback[0]["message"]
    with_cal = make_ledger({"ledgers/edge.yaml": EDGES, "calendar.yaml": CALENDAR}, settings=EDGE_SETTINGS)
    assert _st(with_cal, date(2029, 12, 28))["D-2030"]["workdays_left"] == 4  # 2030-01-02 listed as a holiday


def test_check_counts_the_same_overdue_tasks(edge_root: Path) -> None:
    oracle = Oracle(read_ledger(edge_root))
    for as_of in (date(2026, 10, 8), date(2026, 11, 25)):
        buf = io.StringIO()
        check(edge_root, as_of=as_of, fmt="json", out=buf)
        doc = json.loads(buf.getvalue())
        want = {t.id for t in oracle.led.tasks.values() if "overdue" in oracle.expect(t, as_of).states}
        assert doc["summary"]["overdue"] == len(want)
        assert {p["task"] for p in doc["problems"] if p["code"] == "overdue"} == want


def test_edge_ledger_text_is_valid_yaml() -> None:
    assert yaml.safe_load(textwrap.dedent(EDGES))["tasks"]


# --- random ledgers, nastier than the bench's ------------------------------------------------


def _fuzz_ledger(seed: int) -> tuple[str, str, list[date]]:
    """(ledger file, calendar.yaml, as-of dates): random tasks around holidays and year ends.

    Unlike bench/generate.py, anything may be dated after any as-of date, deadlines and
    milestones fall on holidays, weekends and make-up days, and shares nest.
    """
    import random

    rng = random.Random(seed)
    lo, hi = date(2025, 12, 20), date(2027, 1, 20)
    hot = [d for d in _holiday_edges(2026) if lo <= d <= hi] + _month_ends(2026) + [date(2027, 1, 1)]

    def day() -> date:
        if rng.random() < 0.4:
            return rng.choice(hot)
        return lo + timedelta(days=rng.randint(0, (hi - lo).days))

    forms = ("{d}", "{y}年{m}月{dd}日", "{y}/{m}/{dd}", "{m}月{dd}日前")
    lines = ["unit: fgw", "tasks:"]
    ids: list[str] = []
    units = ("万元", "个", None)
    for i in range(160):
        tid = f"Z-{i:03d}"
        start = day()
        due = start + timedelta(days=rng.choice((0, 1, 3, 7, 20, 60, 200)))
        parent = rng.choice(ids) if ids and rng.random() < 0.3 else None
        f = rng.choice(forms) if due.year == 2026 else "{d}"
        lines += [f"  - id: {tid}", f"    title: 任务{i}", f"    start: {start.isoformat()}"]
        if parent is None or rng.random() < 0.5:
            lines.append("    due: " + f.format(d=due.isoformat(), y=due.year, m=due.month, dd=due.day))
        if parent is not None:
            lines.append(f"    parent: {parent}")
        r = rng.random()
        if r < 0.06:
            lines.append("    status: suspended")
        elif r < 0.1:
            lines.append("    status: cancelled")
        elif r < 0.15:
            lines.append("    status: planned")
        elif r < 0.2:
            lines.append("    status: done")
        elif r < 0.4:
            lines.append(f"    done: {(start + timedelta(days=rng.randint(0, 240))).isoformat()}")
        if rng.random() < 0.5:
            u = rng.choice(units)
            direction = ", direction: at_most" if rng.random() < 0.15 else ""
            unit = f", unit: {u}" if u else ""
            lines.append(f"    target: {{value: {rng.choice((1, 10, 100, 2388))}{unit}{direction}}}")
        if rng.random() < 0.4:
            lines.append("    milestones:")
            for k in range(rng.randint(1, 3)):
                m_due = start + timedelta(days=rng.randint(0, 200))
                m_done = ""
                if rng.random() < 0.5:
                    m_done = f", done: {(m_due + timedelta(days=rng.randint(-10, 30))).isoformat()}"
                lines.append(f"      - {{name: 节点{k}, due: {m_due.isoformat()}{m_done}}}")
        n = rng.choice((0, 0, 1, 2, 4, 8))
        if n:
            lines.append("    progress:")
            for _ in range(n):
                d = start + timedelta(days=rng.randint(-3, 250))
                parts = [f"date: {d.isoformat()}"]
                if rng.random() < 0.5:
                    parts.append(f"percent: {rng.randint(0, 100)}")
                if rng.random() < 0.5:
                    parts.append(f"value: {rng.randint(0, 3000)}")
                lines.append("      - {" + ", ".join(parts) + "}")
        ids.append(tid)
    cal_days = sorted({day() for _ in range(12)})
    holidays = [d.isoformat() for d in cal_days[::2]]
    workdays = [d.isoformat() for d in cal_days[1::2]]
    cal = f"holidays: [{', '.join(holidays)}]\nworkdays: [{', '.join(workdays)}]\n"
    dues = [when(x.split("due: ")[1], 2026) for x in lines if x.startswith("    due: ")]
    picked = rng.sample(dues, 15)
    dates = sorted({day() for _ in range(25)} | {d + timedelta(days=rng.choice((-3, -1, 0, 1))) for d in picked})
    return "\n".join(lines) + "\n", cal, dates


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_random_ledgers_match_the_oracle(make_ledger: MakeLedger, seed: int) -> None:
    text, cal, dates = _fuzz_ledger(seed)
    report = "week" if seed % 2 else "month"
    root = make_ledger({"ledgers/z.yaml": text, "calendar.yaml": cal}, settings=EDGE_SETTINGS.replace("week", report))
    oracle = Oracle(read_ledger(root))
    problems = diff_evaluation(root, oracle, dates)
    problems += diff_json(status_json(root, dates[len(dates) // 2]), oracle, dates[len(dates) // 2])
    assert not problems, "\n".join(problems[:40])
