"""`sanzhua show ID`: one task whole, with each state it is in and why."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.text import Text

from sanzhua.commands.common import EXIT_OK, format_option, gate, open_ledger
from sanzhua.commands.common import console as common_console
from sanzhua.dates import format_cn
from sanzhua.errors import FatalError, Refused
from sanzhua.evaluate import Evaluation, TaskState, evaluate
from sanzhua.i18n import LIGHT_LABELS, STATE_LABELS, STATUS_LABELS, Lang, label, say
from sanzhua.i18n import text as message_text
from sanzhua.load import Ledger
from sanzhua.load.keys import did_you_mean
from sanzhua.model import Settings, Task
from sanzhua.output import LIGHT_DOT, LIGHT_MARK, LIGHT_STYLE
from sanzhua.problems import msg
from sanzhua.report.gaps import gaps_of, notice
from sanzhua.selection import task_row, urgency


def _num(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:g}"


def reasons(st: TaskState, settings: Settings, as_of: date, lang: Lang) -> list[tuple[str, str]]:
    """(state, why) for each state the task is in, spelled out for a person."""
    t = st.task
    out: list[tuple[str, str]] = []
    dl = st.deadline
    for s in st.states:
        if s == "overdue" and dl is not None:
            why = say("show.why.overdue", lang, days=st.days_overdue, due_cn=format_cn(dl), due=dl.isoformat())
        elif s == "done" and st.done is not None and dl is not None:
            early = (dl - st.done).days
            when = say("show.why.early", lang, days=early) if early > 0 else say("show.why.on-time", lang)
            why = say("show.why.done", lang, done_cn=format_cn(st.done), done=st.done.isoformat(), when=when)
        elif s == "done":
            why = say("show.why.done-no-date", lang)
        elif s == "done_late" and st.done is not None and dl is not None:
            why = say(
                "show.why.done-late",
                lang,
                done_cn=format_cn(st.done),
                done=st.done.isoformat(),
                due_cn=format_cn(dl),
                due=dl.isoformat(),
                days=st.days_late,
            )
        elif s == "milestone_overdue":
            why = _why_milestones(st, as_of, lang)
        elif s == "due_soon" and dl is not None:
            why = say(
                "show.why.due-soon",
                lang,
                due_cn=format_cn(dl),
                due=dl.isoformat(),
                days=st.workdays_left,
                line=settings.due_soon_days,
            )
        elif s == "behind":
            actual = st.percent or 0.0
            exp = st.expected_percent or 0.0
            why = say(
                "show.why.behind",
                lang,
                actual=_num(actual),
                expected=_num(round(exp, 1)),
                margin=_num(settings.behind_margin),
            )
        elif s == "no_report":
            why = _why_no_report(st, settings, as_of, lang)
        elif s == "on_track":
            why = say("show.why.on-track", lang)
        elif s == "planned":
            why = say("show.why.planned", lang, start_cn=format_cn(t.start), start=t.start.isoformat())
        elif s == "suspended":
            why = say("show.why.suspended", lang)
        elif s == "cancelled":
            why = say("show.why.cancelled", lang)
        elif s == "invalid" and t.invalid == ("no-due",):
            why = say("show.why.no-due", lang)
        elif s == "invalid":
            fields = "、".join(_INVALID_FIELDS.get(f, (f, f))[0] for f in t.invalid)
            fields_en = ", ".join(_INVALID_FIELDS.get(f, (f, f))[1] for f in t.invalid)
            why = say("show.why.invalid", lang, fields=fields, fields_en=fields_en)
        else:
            why = ""
        out.append((s, why))
    return out


def _why_milestones(st: TaskState, as_of: date, lang: Lang) -> str:
    parts = [
        say(
            "show.why.milestone",
            lang,
            name=m.name,
            due_cn=format_cn(m.due),
            due=m.due.isoformat(),
            days=(as_of - m.due).days,
        )
        for m in st.overdue_milestones
    ]
    return say("show.why.milestones", lang) + say("list.part-sep", lang).join(parts)


def _why_no_report(st: TaskState, settings: Settings, as_of: date, lang: Lang) -> str:
    days = 7 if settings.report_every == "week" else 31
    frm = as_of - timedelta(days=days - 1)
    last = (
        say("show.why.last-report", lang, day_cn=format_cn(st.last_report), day=st.last_report.isoformat())
        if st.last_report
        else say("show.why.never-reported", lang)
    )
    return say(
        "show.why.no-report",
        lang,
        last=last,
        from_month=frm.month,
        from_day=frm.day,
        to_month=as_of.month,
        to_day=as_of.day,
        span=f"{frm.isoformat()}..{as_of.isoformat()}",
    )


_INVALID_FIELDS = {
    "due": ("时限", "deadline"),
    "start": ("开始日期", "start"),
    "done": ("完成日期", "done date"),
    "milestone": ("节点", "milestone"),
    "status": ("状态", "status"),
}


@dataclass
class _Event:
    day: date
    order: int
    text: str
    style: str = ""


def timeline(t: Task, as_of: date, lang: Lang) -> list[_Event]:
    ev: list[_Event] = [_Event(t.start, 0, say("show.event.start", lang))]
    for m in t.milestones:
        if m.done is not None and m.done <= as_of:
            late = (m.done - m.due).days
            when = dict(month=m.due.month, day=m.due.day, due=m.due.isoformat())
            note = say("show.event.late", lang, late=late, **when) if late > 0 else say("show.event.due", lang, **when)
            text = say("show.event.milestone-done", lang, name=m.name, note=note)
            ev.append(_Event(m.done, 2, text, "green" if late <= 0 else "yellow"))
        else:
            missed = say("show.event.not-done", lang) if m.due < as_of else ""
            text = say("show.event.milestone-open", lang, name=m.name, missed=missed)
            ev.append(_Event(m.due, 3, text, "red" if m.due < as_of else ""))
    for p in t.progress:
        parts = []
        if p.percent is not None:
            parts.append(f"{_num(p.percent)}%")
        if p.value is not None:
            parts.append(_num(p.value) + (t.target.unit or "" if t.target else ""))
        head = say("show.event.progress", lang) + (" " + " ".join(parts) if parts else "")
        by = say("show.event.by", lang, by=p.by) if p.by else ""
        text = head + (f" — {p.note}" if p.note else "") + by
        ev.append(_Event(p.date, 1, text, "dim" if p.date > as_of else ""))
    for x in t.extensions:
        frm = x.from_.isoformat() if x.from_ else "?"
        who = "，".join(v for v in (x.approved_by, x.ref) if v)
        by = say("show.event.by", lang, by=who) if who else ""
        ev.append(_Event(x.date or x.to, 4, say("show.event.extension", lang, frm=frm, to=x.to.isoformat()) + by))
    if t.due is not None:
        as_written = t.due_text if t.due_text and t.due_text != t.due.isoformat() else ""
        written = say("show.event.due-text", lang, text=as_written) if as_written else ""
        ev.append(_Event(t.due, 5, say("show.event.deadline", lang) + written))
    if t.done is not None:
        ev.append(_Event(t.done, 6, say("show.event.done", lang), "blue"))
    ev.sort(key=lambda e: (e.day, e.order))
    return ev


def show(
    root: Path | None,
    task_id: str,
    *,
    as_of: date,
    lang: str | None = None,
    fmt: str = "text",
    out: TextIO | None = None,
    width: int | None = None,
    allow_errors: bool = False,
) -> int:
    """Print one task; an unknown id is a FatalError with a did-you-mean, a task in a
    file that cannot be read is named with its file (exit 1)."""
    if fmt not in ("text", "json"):
        format_option(fmt, ("text", "json"))
    opened = open_ledger(root, lang)
    ledger, lg = opened.ledger, opened.lang
    broken = gaps_of(ledger).file_of(task_id)
    if broken is not None:
        first = min(broken.errors, key=lambda p: p.sort_key())
        where = f"{broken.file}:{first.line}:{first.column}" if first.line else broken.file
        sys.stderr.write(
            say(
                "show.file-broken",
                lg,
                id=task_id,
                file=broken.file,
                where=where,
                problem=message_text(first.message, lg),
            )
        )
        raise Refused()
    gate(opened, allow_errors=allow_errors)
    if task_id not in ledger.by_id:
        guess = did_you_mean(task_id, list(ledger.by_id))
        raise FatalError(
            msg("option.no-task", id=task_id),
            msg("option.unit.did-you-mean", guess=guess) if guess else msg("option.no-task.hint"),
            lang=lg,
        )
    evaluation = evaluate(ledger, as_of)
    st = evaluation.tasks[task_id]
    stream = out or sys.stdout
    if fmt == "json":
        doc = _json(st, ledger, evaluation, lg)
        if opened.gaps:
            doc["incomplete"] = opened.gaps.as_json()
        stream.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    if opened.gaps:
        stream.write(notice(opened.gaps, lg) + "\n\n")
    _text(stream, st, ledger, evaluation, lg, width)
    return EXIT_OK


def _json(st: TaskState, ledger: Ledger, ev: Evaluation, lang: Lang) -> dict[str, Any]:
    t = st.task
    row = task_row(st)
    row.update(
        {
            "as_of": ev.as_of.isoformat(),
            "source": t.source,
            "supervision": t.supervision,
            "due_text": t.due_text,
            "due_inherited": t.due_inherited,
            "target": None
            if t.target is None
            else {
                "metric": t.target.metric,
                "value": t.target.value,
                "unit": t.target.unit,
                "direction": t.target.direction,
            },
            "value": st.value,
            "milestones": [
                {"name": m.name, "due": m.due.isoformat(), "done": m.done.isoformat() if m.done else None}
                for m in t.milestones
            ],
            "progress": [
                {"date": p.date.isoformat(), "note": p.note, "value": p.value, "percent": p.percent, "by": p.by}
                for p in t.progress
            ],
            "extensions": [
                {
                    "from": x.from_.isoformat() if x.from_ else None,
                    "to": x.to.isoformat(),
                    "approved_by": x.approved_by,
                    "ref": x.ref,
                    "date": x.date.isoformat() if x.date else None,
                }
                for x in t.extensions
            ],
            "children": [task_row(ev.tasks[c.id]) for c in ledger.children.get(t.id, []) if c.id in ev.tasks],
            "reasons": [{"state": s, "why": why} for s, why in reasons(st, ledger.settings, ev.as_of, lang)],
        }
    )
    return row


def _text(stream: TextIO, st: TaskState, ledger: Ledger, ev: Evaluation, lang: Lang, width: int | None) -> None:
    console = common_console(stream, width=width, highlight=False)
    t = st.task
    w = partial(say, lang=lang)
    head = Text()
    head.append(f"{t.id}  ", style="bold")
    head.append(t.title, style="bold")
    console.print(head)
    light = Text(f"{LIGHT_DOT[st.light]} {label(LIGHT_LABELS, st.light, lang)}", style=LIGHT_STYLE[st.light])
    light.append(
        "  " + w("show.list-sep").join(label(STATE_LABELS, s, lang) for s in st.states),
        style=LIGHT_STYLE[st.light],
    )
    console.print(light)
    for name, value in _fields(st, ledger, lang):
        if value:
            console.print(f"  {name}{w('show.sep')}{value}")
    console.print()
    _print_states(console, st, ledger, ev, lang)
    console.print()
    console.print(Text(w("show.timeline"), style="bold"))
    # One print for the whole timeline: rich costs about a millisecond a call, and a task
    # may have a progress entry a day for years (200,000 entries took a minute line by line).
    story = Text()
    for e in timeline(t, ev.as_of, lang):
        story.append(f"\n  {e.day.isoformat()}  " if story else f"  {e.day.isoformat()}  ")
        story.append(e.text, style=e.style)
    if story:
        console.print(story, soft_wrap=True)
    kids = ledger.children.get(t.id, [])
    if kids:
        console.print()
        console.print(Text(w("show.shares", n=len(kids)), style="bold"))
        _print_shares(console, kids, ledger, ev, lang)


def _unit_text(ledger: Ledger, uid: str, lang: Lang) -> str:
    """A unit by name, with its kind when units.yaml gives one; its id when unknown."""
    u = ledger.units.get(uid)
    return say("show.unit-kind", lang, name=u.name, kind=u.kind) if u and u.kind else (u.name if u else uid)


def _fields(st: TaskState, ledger: Ledger, lang: Lang) -> list[tuple[str, str | None]]:
    """The task's fields as (name, value); an empty value is not shown."""
    t = st.task
    w = partial(say, lang=lang)

    def unit(uid: str) -> str:
        return _unit_text(ledger, uid, lang)

    deadline = None
    if st.deadline is not None:
        deadline = w("show.deadline", due_cn=format_cn(st.deadline), due=st.deadline.isoformat())
        if t.due_inherited:
            deadline += w("show.field.inherited")
    fields: list[tuple[str, str | None]] = [
        (w("show.field.lead"), unit(t.lead)),
        (w("show.field.partners"), "、".join(unit(p) for p in t.partners) or None),
        (w("show.field.owner"), t.owner),
        (w("show.field.leader"), t.leader),
        (w("show.field.category"), t.category),
        (w("show.field.source"), t.source),
        (w("show.field.supervision"), t.supervision),
        (w("show.field.status"), label(STATUS_LABELS, t.status, lang)),
        (w("show.field.start"), t.start.isoformat() + ("" if t.start_given else w("show.field.default"))),
        (w("show.field.deadline"), deadline),
        (w("show.field.done"), t.done.isoformat() if t.done else None),
        (
            w("show.field.parent"),
            f"{t.parent} {ledger.by_id[t.parent].title}" if t.parent and t.parent in ledger.by_id else t.parent,
        ),
        (w("show.field.tags"), "、".join(t.tags) or None),
    ]
    if t.target is not None:
        tg = t.target
        unit_txt = tg.unit or ""
        got = f"{_num(st.value)}{unit_txt}" if st.value is not None else w("show.target.none-yet")
        arrow = w("show.target.at-least") if tg.direction == "at_least" else w("show.target.at-most")
        target = w("show.target", metric=tg.metric or "", arrow=arrow, value=f"{_num(tg.value)}{unit_txt}", got=got)
        fields.append((w("show.field.target"), target))
    if st.percent is not None:
        exp = w("show.expected", percent=st.expected_percent) if st.expected_percent is not None else ""
        fields.append((w("show.field.progress"), f"{st.percent:.0f}%{exp}"))
    fields.append((w("show.field.where"), f"{t.file}:{t.line}"))
    return fields


def _print_states(console: Console, st: TaskState, ledger: Ledger, ev: Evaluation, lang: Lang) -> None:
    """Each state the task is in, and why."""
    w = partial(say, lang=lang)
    sep = w("show.sep")
    console.print(Text(w("show.states", day_cn=format_cn(ev.as_of), day=ev.as_of.isoformat()), style="bold"))
    for s, why in reasons(st, ledger.settings, ev.as_of, lang):
        line = Text("  · ")
        name = label(STATE_LABELS, s, lang)
        if why.startswith(name):  # 逾期56天：… says its state already; no "逾期：逾期56天"
            line.append(name, style=LIGHT_STYLE[st.light])
            line.append(why[len(name) :])
        else:
            line.append(name, style=LIGHT_STYLE[st.light])
            line.append(f"{sep}{why}" if why else "")
        console.print(line)


def _print_shares(console: Console, kids: list[Task], ledger: Ledger, ev: Evaluation, lang: Lang) -> None:
    """The children's shares of the task's target, most urgent first."""

    def unit(uid: str) -> str:
        return _unit_text(ledger, uid, lang)

    shares = sorted((ev.tasks[c.id] for c in kids if c.id in ev.tasks), key=urgency)
    id_width = max(len(cs.task.id) for cs in shares) if shares else 0
    for cs in shares:
        c = cs.task
        share = ""
        if c.target is not None:
            share = f"{_num(c.target.value)}{c.target.unit or ''}"
            if cs.value is not None:
                share = f"{_num(cs.value)}/{share}"
        # The light as a character (红/黄/绿), so that it reads without colour too.
        line = Text(f"  {label(LIGHT_MARK, cs.light, lang)} ", style=LIGHT_STYLE[cs.light])
        line.append(f"{c.id:<{id_width}}  {unit(c.lead)}  {share}  ")
        line.append("、".join(label(STATE_LABELS, s, lang) for s in cs.states), style=LIGHT_STYLE[cs.light])
        console.print(line)
