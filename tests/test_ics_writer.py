"""The calendar's own writer (issue 17) gives the bytes the icalendar package gives for the
same calendar: the package's objects are kept here as the reference, and both are run on
the bundled ledger, a generated one and hostile text (escapes at every fold, four-octet
characters, line breaks of every kind)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from sanzhua import __version__
from sanzhua.evaluate import evaluate
from sanzhua.i18n import Lang
from sanzhua.interchange.ics import ALARM_HOUR, CalendarEvent, build_events, ical_chunks, to_ical
from sanzhua.load import load_ledger
from sanzhua.model import Settings
from sanzhua.textsafe import printable

REPO = Path(__file__).resolve().parent.parent
STAMP = datetime(2026, 11, 25, 8, 0, 7, tzinfo=UTC)


def words(lang: Lang, zh: str, en: str) -> str:
    """The reference writer keeps its own words, as written before the catalogue had them."""
    return zh if lang == "zh" else en


def reference(
    events: list[CalendarEvent],
    settings: Settings,
    lang: Lang,
    stamp: datetime,
    alarm_days: int | None,
    *,
    notice: str = "",
) -> bytes:
    """The writer as it was before issue 17, through icalendar's objects."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", f"-//sanzhua//sanzhua {__version__}//{lang.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", printable(f"{settings.name} {words(lang, '任务时限', 'deadlines')}"))
    desc = words(
        lang,
        "由 sanzhua calendar 生成：未完成任务的时限和节点",
        "made by sanzhua calendar: deadlines and milestones of open tasks",
    )
    cal.add("x-wr-caldesc", printable(f"{notice} {desc}" if notice else desc))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    for e in events:
        ev = Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", stamp)
        ev.add("dtstart", e.day)
        ev.add("dtend", e.day + timedelta(days=1))
        summary = printable(e.summary)
        ev.add("summary", summary)
        ev.add("description", printable(e.description))
        ev.add("categories", [printable(c) for c in e.categories])
        ev.add("transp", "TRANSPARENT")
        ev.add("sequence", e.sequence)
        if e.alarm_day is not None and alarm_days is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            n = alarm_days
            alarm.add(
                "description",
                words(lang, f"{summary}：还有{n}个工作日到期", f"{summary}: due in {n} working days")
                if n
                else summary,
            )
            alarm.add("trigger", timedelta(days=(e.alarm_day - e.day).days, hours=ALARM_HOUR))
            ev.add_component(alarm)
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data


def _events_of(root: Path, lang: Lang, alarm_days: int | None) -> tuple[list[CalendarEvent], Settings]:
    ledger = load_ledger(root)
    states = list(evaluate(ledger, date(2026, 11, 25)).tasks.values())
    return build_events(states, ledger.settings, ledger.units, ledger.calendar, lang, alarm_days), ledger.settings


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("alarm_days", [3, 0, None])
def test_the_bundled_ledger_gives_the_same_bytes(lang: Lang, alarm_days: int | None) -> None:
    events, settings = _events_of(REPO, lang, alarm_days)
    assert events
    for notice in ("", "注意：ledgers/坏.yaml 有错误，其中的任务没有写入"):
        assert to_ical(events, settings, lang, STAMP, alarm_days, notice=notice) == reference(
            events, settings, lang, STAMP, alarm_days, notice=notice
        )


def test_a_generated_ledger_gives_the_same_bytes(tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = tmp_path / "gen"
    generate(root, 30, 10, 7)
    events, settings = _events_of(root, "zh", 3)
    assert len(events) > 100
    assert to_ical(events, settings, "zh", STAMP, 3) == reference(events, settings, "zh", STAMP, 3)


def test_the_calendar_is_written_an_event_at_a_time(tmp_path: Path) -> None:
    """Issue 17: at 100,000 tasks the calendar is 116 MB; `sanzhua calendar` writes it in
    pieces, the head, one per event and the end, never the whole of it at once."""
    import io
    import sys

    from sanzhua.commands.calendar import calendar

    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    root = tmp_path / "gen"
    generate(root, 30, 10, 7)
    events, settings = _events_of(root, "zh", 3)
    pieces = list(ical_chunks(events, settings, "zh", STAMP, 3))
    assert len(pieces) == len(events) + 2
    assert pieces[0].startswith(b"BEGIN:VCALENDAR\r\n") and pieces[-1] == b"END:VCALENDAR\r\n"
    assert all(p.startswith(b"BEGIN:VEVENT\r\n") and p.endswith(b"END:VEVENT\r\n") for p in pieces[1:-1])
    whole = reference(events, settings, "zh", STAMP, 3)
    assert b"".join(pieces) == whole
    out = io.StringIO()
    assert calendar(root, as_of=date(2026, 11, 25), stamp=STAMP, output=tmp_path / "c.ics", out=out) == 0
    assert (tmp_path / "c.ics").read_bytes() == whole
    shown = io.StringIO()
    assert calendar(root, as_of=date(2026, 11, 25), stamp=STAMP, output=Path("-"), out=shown) == 0
    assert shown.getvalue().encode("utf-8") == whole


HOSTILE = [
    "a,b;c\\d",
    "\\N 换行\\n 和 \r\n 和 \r 和 \n",
    "^^^" * 40,
    "\\" * 200,
    "😀" * 50,
    "x" * 73 + "\\;" + "y" * 80,
    "x" * 72 + "\\," + "中" * 40,
    "中" * 24 + "\\" + "中" * 24 + "^" + "a" * 3 + ";" * 30,
    "<script>alert(1)</script>" * 5,
    "",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gives_the_same_bytes(text: str) -> None:
    # The name and the notice go in X-WR- lines, which the package wrote unescaped (and
    # refused with a line break: see the next test).
    flat = text.replace("\r", " ").replace("\n", " ")
    settings = Settings(name=flat or "x", year=2026)
    for shift in range(0, 12):  # the escapes land on every side of a fold
        t = "a" * shift + text
        events = [
            CalendarEvent(
                uid=f"T-{shift}-due@sanzhua-x",
                day=date(2026, 12, 1),
                summary=t,
                description=t + "\n" + t,
                categories=(t, "时限,节点"),
                alarm_day=date(2026, 11, 26),
                sequence=shift,
            ),
            CalendarEvent(
                uid=f"T-{shift}-ms@sanzhua-x",
                day=date(2026, 1, 1),
                summary=t,
                description=t,
                categories=(),
                alarm_day=None,
            ),
        ]
        for lang in ("zh", "en"):
            for alarm_days in (3, 0, None):
                got = to_ical(events, settings, lang, STAMP, alarm_days, notice=flat)  # type: ignore[arg-type]
                assert got == reference(events, settings, lang, STAMP, alarm_days, notice=flat)  # type: ignore[arg-type]


def test_alarms_far_before_and_after_the_day() -> None:
    settings = Settings(name="县", year=2026)
    events = [
        CalendarEvent(uid=f"T{n}@x", day=date(2026, 6, 30), summary="s", description="d",
                      categories=("c",), alarm_day=date(2026, 6, 30) - timedelta(days=n))
        for n in (0, 1, 6, 7, 60, 400)
    ]
    for alarm_days in (0, 1, 60):
        assert to_ical(events, settings, "zh", STAMP, alarm_days) == reference(
            events, settings, "zh", STAMP, alarm_days
        )


def test_a_line_break_in_the_ledger_name_stays_in_its_line(tmp_path: Path) -> None:
    """The icalendar package refused such a name with an internal error; now the calendar is
    written and reads back with the name on one line."""
    from icalendar import Calendar

    settings = Settings(name="县\n“三抓两促”\r\n活动", year=2026)
    data = to_ical([], settings, "zh", STAMP, 3, notice="一\n二")
    assert b"X-WR-CALNAME:\xe5\x8e\xbf\\n" in data
    cal = Calendar.from_ical(data)
    assert "三抓两促" in str(cal["X-WR-CALNAME"])
    assert "二" in str(cal["X-WR-CALDESC"])
