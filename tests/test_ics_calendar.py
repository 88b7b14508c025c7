"""sanzhua calendar: an RFC 5545 file that two independent readers parse, with stable UIDs."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest

from sanzhua.commands.calendar import calendar
from sanzhua.evaluate import evaluate
from sanzhua.interchange.ics import workdays_before
from sanzhua.load import load_ledger
from sanzhua.selection import StatusFilter

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 25)
STAMP = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


@pytest.fixture()
def root(tmp_path: Path) -> Path:
    r = tmp_path / "ledger"
    r.mkdir()
    for name in ("sanzhua.yaml", "units.yaml"):
        shutil.copy(REPO / name, r / name)
    shutil.copytree(REPO / "ledgers", r / "ledgers")
    return r


def make(root: Path, out: Path, **kw: object) -> bytes:
    calendar(root, as_of=AS_OF, stamp=STAMP, output=out, out=io.StringIO(), **kw)  # type: ignore[arg-type]
    return out.read_bytes()


def test_every_open_deadline_and_milestone_is_an_all_day_event(root: Path, tmp_path: Path) -> None:
    data = make(root, tmp_path / "d.ics")
    cal = icalendar.Calendar.from_ical(data)
    events = list(cal.walk("VEVENT"))
    ledger = load_ledger(root, cache=False)
    ev = evaluate(ledger, AS_OF)
    open_tasks = [
        st
        for st in ev.tasks.values()
        if not st.is_done and not set(st.states) & {"suspended", "cancelled"}
    ]
    due_events = {str(e["UID"]).split("-due@")[0]: e for e in events if "-due@" in str(e["UID"])}
    assert set(due_events) == {st.task.id for st in open_tasks}
    open_ms = sum(1 for st in open_tasks for m in st.task.milestones if m.done is None)
    assert len(events) == len(open_tasks) + open_ms
    for st in open_tasks:
        e = due_events[st.task.id]
        start = e.decoded("DTSTART")
        assert type(start) is date and start == st.deadline
        assert e.decoded("DTEND") == st.deadline + timedelta(days=1)
        assert str(e["SUMMARY"]).startswith("【时限】")
        alarm = e.subcomponents[0]
        trigger = alarm.decoded("TRIGGER")
        assert start + trigger == workdays_before(ledger.calendar, start, 3) + timedelta(hours=9)
    assert str(cal["X-WR-CALNAME"]).endswith("任务时限")


def test_uids_are_stable_and_unique(root: Path, tmp_path: Path) -> None:
    a = icalendar.Calendar.from_ical(make(root, tmp_path / "a.ics"))
    calendar(
        root,
        as_of=AS_OF,
        stamp=STAMP + timedelta(days=3),
        output=tmp_path / "b.ics",
        out=io.StringIO(),
    )
    b = icalendar.Calendar.from_ical((tmp_path / "b.ics").read_bytes())
    uids_a = [str(e["UID"]) for e in a.walk("VEVENT")]
    assert len(uids_a) == len(set(uids_a))
    assert uids_a == [str(e["UID"]) for e in b.walk("VEVENT")]


def test_an_independent_reader_parses_it(root: Path, tmp_path: Path) -> None:
    vobject = pytest.importorskip("vobject")
    data = make(root, tmp_path / "d.ics").decode("utf-8")
    cal = vobject.readOne(data)
    events = cal.vevent_list
    assert events and all(isinstance(e.dtstart.value, date) for e in events)
    assert any("【节点】" in e.summary.value for e in events)
    first = events[0]
    assert first.valarm.trigger.value < timedelta(0)
    assert "编号：" in first.description.value


def test_filters_and_alarm_days(root: Path, tmp_path: Path) -> None:
    data = make(root, tmp_path / "d.ics", flt=StatusFilter(units=("fgw",)), alarm_days=0)
    events = list(icalendar.Calendar.from_ical(data).walk("VEVENT"))
    assert events and all("县发改委" in str(e["DESCRIPTION"]) for e in events)
    assert all(e.subcomponents[0].decoded("TRIGGER") == timedelta(hours=9) for e in events)
    none = make(root, tmp_path / "n.ics", alarm_days=None)
    assert b"VALARM" not in none
