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
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sanzhua import __version__
from sanzhua.evaluate import TaskState
from sanzhua.i18n import STATE_LABELS, Lang, label, words
from sanzhua.model import Settings, Unit
from sanzhua.textsafe import printable
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
                summary=f"【时限】{t.title}（{lead}）"
                if lang == "zh"
                else f"[Due] {t.title} ({lead})",
                description=info,
                categories=(lead, words(lang, "时限", "deadline")),
                alarm_day=alarm,
                sequence=len(t.extensions),
            )
        )
        for m in t.milestones:
            if m.done is not None:
                continue
            key = hashlib.blake2b(m.name.encode("utf-8"), digest_size=4).hexdigest()
            summary = (
                f"【节点】{m.name}｜{t.title}（{lead}）"
                if lang == "zh"
                else f"[Milestone] {m.name} | {t.title} ({lead})"
            )
            ms_info = words(lang, f"节点：{m.name}\n", f"Milestone: {m.name}\n") + info
            events.append(
                CalendarEvent(
                    uid=f"{t.id}-ms-{key}@{slug}",
                    day=m.due,
                    summary=summary,
                    description=ms_info,
                    categories=(lead, words(lang, "节点", "milestone")),
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
        words(lang, f"编号：{t.id}", f"ID: {t.id}"),
        words(lang, f"任务：{t.title}", f"Task: {t.title}"),
        words(lang, f"责任单位：{name(t.lead)}", f"Lead: {name(t.lead)}"),
    ]
    if t.partners:
        lines.append(
            words(lang, "配合单位：", "Partners: ") + "、".join(name(p) for p in t.partners)
        )
    if t.owner:
        lines.append(words(lang, f"责任人：{t.owner}", f"Owner: {t.owner}"))
    if t.leader:
        lines.append(words(lang, f"包抓领导：{t.leader}", f"Leader: {t.leader}"))
    if st.deadline:
        lines.append(
            words(lang, f"时限：{st.deadline.isoformat()}", f"Due: {st.deadline.isoformat()}")
        )
    states = "、".join(label(STATE_LABELS, s, lang) for s in st.states)
    lines.append(words(lang, f"当前状态：{states}", f"State: {states}"))
    if st.percent is not None:
        lines.append(words(lang, f"进度：{st.percent:.0f}%", f"Progress: {st.percent:.0f}%"))
    if t.source:
        lines.append(words(lang, f"依据：{t.source}", f"Source: {t.source}"))
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
    (what the ledger's errors left out) leads the calendar's description."""
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
        # No control characters in the file: calendar apps stop reading at them (14.4).
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
                words(
                    lang,
                    f"{summary}：还有{n}个工作日到期",
                    f"{summary}: due in {n} working days",
                )
                if n
                else summary,
            )
            # Relative to the all-day event's start (00:00 of the day): 09:00 of the alarm day.
            alarm.add("trigger", timedelta(days=(e.alarm_day - e.day).days, hours=ALARM_HOUR))
            ev.add_component(alarm)
        cal.add_component(ev)
    data: bytes = cal.to_ical()
    return data
