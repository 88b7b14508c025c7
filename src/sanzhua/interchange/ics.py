"""Open deadlines and milestones as an iCalendar feed (RFC 5545) for the leaders' phones.

Every open task gives an all-day event on its deadline (【时限】), every milestone not
yet done one on its date (【节点】), each with an alarm a number of *working* days
before, at 9 o'clock. UIDs depend only on the task id, the kind of date and the
ledger's name, so importing the file again updates the events instead of duplicating
them; SEQUENCE counts the deadline's extensions, so a moved deadline wins over the
old one in calendars that check it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sanzhua import __version__
from sanzhua.evaluate import TaskState
from sanzhua.i18n import STATE_LABELS, Lang, label, say
from sanzhua.model import Settings, Unit
from sanzhua.textsafe import document_text
from sanzhua.workdays import WorkCalendar

ALARM_HOUR = 9


@dataclass(frozen=True)
class CalendarEvent:
    """One dated thing to put in a calendar (data first; `to_ical` lays it out)."""

    uid: str
    day: date
    summary: str
    description: str
    categories: tuple[str, ...]
    alarm_day: date | None
    sequence: int = 0


def ledger_slug(settings: Settings) -> str:
    """A stable, ASCII name for the ledger, for UIDs: the same in every clone."""
    return "sanzhua-" + hashlib.blake2b(settings.name.encode("utf-8"), digest_size=5).hexdigest()


def workdays_before(calendar: WorkCalendar, day: date, n: int) -> date:
    """The n-th working day before `day` (`day` itself when n == 0)."""
    d = day
    left = n
    while left > 0:
        d -= timedelta(days=1)
        if calendar.is_workday(d):
            left -= 1
    return d


def build_events(
    states: list[TaskState],
    settings: Settings,
    units: dict[str, Unit],
    calendar: WorkCalendar,
    lang: Lang,
    alarm_days: int | None = 3,
) -> list[CalendarEvent]:
    """The events of every open deadline and every milestone not done, in date order."""
    slug = ledger_slug(settings)
    events: list[CalendarEvent] = []
    for st in states:
        t = st.task
        if st.is_done or set(st.states) & {"suspended", "cancelled"} or st.deadline is None:
            continue
        lead = units[t.lead].name if t.lead in units else t.lead
        info = _description(st, units, lang)
        alarm = None if alarm_days is None else workdays_before(calendar, st.deadline, alarm_days)
        events.append(
            CalendarEvent(
                uid=f"{t.id}-due@{slug}",
                day=st.deadline,
                summary=say("ics.due", lang, title=t.title, lead=lead),
                description=info,
                categories=(lead, say("ics.category.due", lang)),
                alarm_day=alarm,
                sequence=len(t.extensions),
            )
        )
        for m in t.milestones:
            if m.done is not None:
                continue
            key = hashlib.blake2b(m.name.encode("utf-8"), digest_size=4).hexdigest()
            summary = say("ics.milestone", lang, name=m.name, title=t.title, lead=lead)
            ms_info = say("ics.milestone.line", lang, name=m.name) + info
            events.append(
                CalendarEvent(
                    uid=f"{t.id}-ms-{key}@{slug}",
                    day=m.due,
                    summary=summary,
                    description=ms_info,
                    categories=(lead, say("ics.category.milestone", lang)),
                    alarm_day=None
                    if alarm_days is None
                    else workdays_before(calendar, m.due, alarm_days),
                )
            )
    events.sort(key=lambda e: (e.day, e.uid))
    return events


def _description(st: TaskState, units: dict[str, Unit], lang: Lang) -> str:
    t = st.task

    def name(uid: str) -> str:
        return units[uid].name if uid in units else uid

    lines = [
        say("ics.id", lang, id=t.id),
        say("ics.task", lang, title=t.title),
        say("ics.lead", lang, lead=name(t.lead)),
    ]
    if t.partners:
        lines.append(say("ics.partners", lang, partners=say("list.sep", lang).join(name(p) for p in t.partners)))
    if t.owner:
        lines.append(say("ics.owner", lang, owner=t.owner))
    if t.leader:
        lines.append(say("ics.leader", lang, leader=t.leader))
    if st.deadline:
        lines.append(say("ics.deadline", lang, day=st.deadline.isoformat()))
    states = say("list.sep", lang).join(label(STATE_LABELS, s, lang) for s in st.states)
    lines.append(say("ics.states", lang, states=states))
    if st.percent is not None:
        lines.append(say("ics.percent", lang, percent=st.percent))
    if t.source:
        lines.append(say("ics.source", lang, source=t.source))
    return "\n".join(lines)


def to_ical(
    events: list[CalendarEvent],
    settings: Settings,
    lang: Lang,
    stamp: datetime,
    alarm_days: int | None,
    *,
    notice: str = "",
) -> bytes:
    """The calendar file. `stamp` (UTC) is DTSTAMP: when the file was made; `notice`
    (what the ledger's errors left out) leads the calendar's description.

    The lines are written here rather than through the icalendar package's objects
    (issue 17: those took 20 s for 25,000 events); the bytes are the same as the
    package writes for the same calendar, in the same order: a component's properties
    in RFC 5545's customary order and the rest alphabetically, text escaped as in
    RFC 5545 3.3.11, lines folded at 75 octets (tests/test_ics_writer.py holds the two
    equal)."""
    return b"".join(ical_chunks(events, settings, lang, stamp, alarm_days, notice=notice))


def ical_chunks(
    events: Iterable[CalendarEvent],
    settings: Settings,
    lang: Lang,
    stamp: datetime,
    alarm_days: int | None,
    *,
    notice: str = "",
) -> Iterator[bytes]:
    """`to_ical`'s bytes in pieces, each line ended by CRLF: the calendar's head, then one
    piece per event, then its end. `sanzhua calendar` writes them as they come (issue 17:
    at 100,000 tasks the file is 116 MB, and its 2 million lines held at once, then
    joined, were a third of the command's 1.2 GB)."""
    desc = say("ics.description", lang)
    lines: list[bytes] = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        _line("PRODID", _text(f"-//sanzhua//sanzhua {__version__}//{lang.upper()}")),
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        # The X-WR- properties are not RFC 5545's: calendar apps read them unescaped.
        _line("X-WR-CALDESC", _unbroken(document_text(f"{notice} {desc}" if notice else desc))),
        _line(
            "X-WR-CALNAME",
            _unbroken(document_text(say("ics.name", lang, name=settings.name))),
        ),
        b"X-WR-TIMEZONE:Asia/Shanghai",
    ]
    lines.append(b"")
    yield b"\r\n".join(lines)
    dtstamp = b"DTSTAMP:" + _utc(stamp)
    one_day = timedelta(days=1)
    for e in events:
        lines = []
        append = lines.append
        # No control characters in the file: calendar apps stop reading at them (14.4).
        summary = document_text(e.summary)
        append(b"BEGIN:VEVENT")
        append(_line("SUMMARY", _text(summary)))
        append(b"DTSTART;VALUE=DATE:" + _day(e.day))
        append(b"DTEND;VALUE=DATE:" + _day(e.day + one_day))
        append(dtstamp)
        append(_line("UID", _text(e.uid)))
        append(b"SEQUENCE:" + str(e.sequence).encode())
        append(_line("CATEGORIES", ",".join(_text(document_text(c)) for c in e.categories)))
        append(_line("DESCRIPTION", _text(document_text(e.description))))
        append(b"TRANSP:TRANSPARENT")
        if e.alarm_day is not None and alarm_days is not None:
            n = alarm_days
            said = say("ics.alarm", lang, summary=summary, n=n) if n else summary
            # Relative to the all-day event's start (00:00 of the day): 09:00 of the alarm day.
            trigger = timedelta(days=(e.alarm_day - e.day).days, hours=ALARM_HOUR)
            append(b"BEGIN:VALARM")
            append(b"ACTION:DISPLAY")
            append(_line("DESCRIPTION", _text(said)))
            append(b"TRIGGER:" + _duration(trigger))
            append(b"END:VALARM")
        append(b"END:VEVENT")
        append(b"")
        yield b"\r\n".join(lines)
    yield b"END:VCALENDAR\r\n"


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 3.3.11 says (and as the icalendar package does:
    a literal \\N is taken for a line break first)."""
    return (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _unbroken(value: str) -> str:
    """A value written as it is, but for line breaks, which would end the line: \\n."""
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


_FOLD_AT = 74  # octets of a line before its fold (75 with the leading space of the next)


def _line(name: str, value: str) -> bytes:
    """A content line, folded: each piece the most whole characters that fit in 74
    octets, never ending on the backslash (or caret) of an escape unless it is alone."""
    data = f"{name}:{value}".encode()
    if len(data) <= _FOLD_AT:
        return data
    pieces: list[bytes] = []
    start, size = 0, len(data)
    while size - start > _FOLD_AT:
        end = start + _FOLD_AT
        while data[end] & 0xC0 == 0x80:  # inside a character: back to its first octet
            end -= 1
        if data[end - 1] in b"\\^" and _chars(data, start, end) > 1:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def _chars(data: bytes, start: int, end: int) -> int:
    """How many characters data[start:end] holds (at most two are counted)."""
    n = 0
    for i in range(start, end):
        if data[i] & 0xC0 != 0x80:
            n += 1
            if n > 1:
                break
    return n


def _day(d: date) -> bytes:
    return f"{d.year:04d}{d.month:02d}{d.day:02d}".encode()


def _utc(t: datetime) -> bytes:
    """A date-time in UTC (a time without a zone is written as it is, floating)."""
    zone = ""
    if t.tzinfo is not None:
        t, zone = t.astimezone(UTC), "Z"
    return f"{t.year:04d}{t.month:02d}{t.day:02d}T{t.hour:02d}{t.minute:02d}{t.second:02d}{zone}".encode()


def _duration(td: timedelta) -> bytes:
    """A DURATION value (RFC 5545 3.3.6) as the icalendar package writes it."""
    sign = ""
    if td.days < 0:
        sign = "-"
        td = -td
    timepart = ""
    if td.seconds:
        hours, minutes, seconds = td.seconds // 3600, td.seconds % 3600 // 60, td.seconds % 60
        timepart = "T"
        if hours:
            timepart += f"{hours}H"
        if minutes or (hours and seconds):
            timepart += f"{minutes}M"
        if seconds:
            timepart += f"{seconds}S"
    if td.days == 0 and timepart:
        return f"{sign}P{timepart}".encode()
    return f"{sign}P{abs(td.days)}D{timepart}".encode()
