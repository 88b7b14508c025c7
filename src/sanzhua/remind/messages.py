"""What `sanzhua remind` says to each unit: one message per unit and channel, as data.

A pure function of the evaluated ledger: `assemble` picks every task of a unit in a
state the settings remind of (`remind.states`), one item per task and state, and
leaves out the items already sent on that channel (the `sent` set). The text is
Markdown, which both group robots render and an email shows as it is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from sanzhua.evaluate import TaskState
from sanzhua.i18n import STATE_LABELS, Lang, label, say
from sanzhua.model import Settings, Unit
from sanzhua.notices import COLOUR_NAMES, NoticeStatus

CHANNELS: tuple[str, ...] = ("wecom", "dingtalk", "email")
CHANNEL_NAMES: dict[str, tuple[str, str]] = {
    "wecom": ("企业微信", "WeCom"),
    "dingtalk": ("钉钉", "DingTalk"),
    "email": ("邮件", "email"),
    "none": ("未配置联系方式", "no contact"),
}
# A robot takes a message of at most this many bytes (WeCom 4096, DingTalk about 20000);
# a longer one is split between items, each part numbered.
MAX_BYTES: dict[str, int] = {"wecom": 4000, "dingtalk": 18000, "email": 1_000_000, "none": 1_000_000}


@dataclass(frozen=True, slots=True)
class Item:
    """One task in one state: what is sent at most once a day on each channel."""

    task: str
    state: str
    line: str  # the task's line in the message, Markdown


@dataclass(frozen=True, slots=True)
class Message:
    unit: str
    unit_name: str
    channel: str  # wecom, dingtalk, email, or none (the unit has no contact)
    target: str  # the environment variable or the addresses the message goes to
    title: str
    text: str
    items: tuple[Item, ...]
    part: int = 1
    parts: int = 1


# The order of a message's sections, most urgent first.
_SECTION_ORDER: tuple[str, ...] = (
    "escalated",
    "overdue",
    "milestone_overdue",
    "unacknowledged",
    "due_soon",
    "no_report",
)
_SECTION_NAMES: dict[str, tuple[str, str]] = {"escalated": ("督办通知逾期未回复", "notices not answered")}

# Characters that would turn a title into a link, a heading, bold or HTML in a robot's
# Markdown: replaced by their full-width forms, so that ledger text stays text.
_MARKUP = str.maketrans({"[": "［", "]": "］", "<": "＜", ">": "＞", "*": "＊", "`": "｀", "#": "＃", "|": "｜"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]+")


def plain(s: str) -> str:
    """Ledger text made safe for a robot's Markdown: one line, no markup, no control characters."""
    return _CONTROL.sub(" ", s).translate(_MARKUP).strip()


def item_line(ts: TaskState, state: str, lang: Lang) -> str:
    t = ts.task
    head = f"{plain(t.id)} {plain(t.title)}"
    if t.owner:
        head += say("remind.item.owner", lang, owner=plain(t.owner))
    if state == "overdue" and ts.deadline is not None:
        tail = say("remind.item.overdue", lang, due=ts.deadline.isoformat(), days=ts.days_overdue)
    elif state == "milestone_overdue":
        names = "、".join(f"{plain(m.name)}（{m.due.isoformat()}）" for m in ts.overdue_milestones)
        tail = say("remind.item.milestones", lang, names=names)
    elif state == "due_soon" and ts.deadline is not None:
        tail = say("remind.item.due-soon", lang, due=ts.deadline.isoformat(), days=ts.workdays_left)
    elif state == "unacknowledged" and t.assigned is not None:
        tail = say("remind.item.unacknowledged", lang, assigned=t.assigned.isoformat())
    elif state == "no_report":
        last = ts.last_report.isoformat() if ts.last_report else say("remind.item.never", lang)
        tail = say("remind.item.no-report", lang, last=last)
    else:
        tail = label(STATE_LABELS, state, lang)
    return f"{head} — {tail}"


def items_of(states: Iterable[TaskState], remind: Collection[str], lang: Lang) -> dict[str, list[Item]]:
    """{unit id: its items}, the units and their tasks in ledger order."""
    out: dict[str, list[Item]] = {}
    for ts in states:
        if not ts.is_open:
            continue
        for state in _SECTION_ORDER:
            if state in remind and state in ts.states:
                out.setdefault(ts.task.lead, []).append(Item(ts.task.id, state, item_line(ts, state, lang)))
    return out


def escalated_items(statuses: Iterable[NoticeStatus], lang: Lang) -> dict[str, list[Item]]:
    """{unit: an item per unanswered notice that has gone up the ladder}."""
    out: dict[str, list[Item]] = {}
    for s in statuses:
        if s.answered is None and s.escalated > 0:
            r = s.record
            line = say(
                "remind.item.escalated",
                lang,
                number=plain(r.number),
                issued=r.issued.isoformat(),
                reply_due=r.reply_due.isoformat(),
                colour=label(COLOUR_NAMES, s.colour, lang),
            )
            out.setdefault(r.unit, []).append(Item(r.number, "escalated", line))
    return out


def compose(
    unit: Unit | None,
    uid: str,
    channel: str,
    target: str,
    items: list[Item],
    settings: Settings,
    as_of: date,
    lang: Lang,
) -> list[Message]:
    """The message (or its parts, when too long for the channel) of one unit's items."""
    name = plain(unit.name) if unit is not None else uid
    office = plain(settings.office or settings.name)
    title = say("remind.message.title", lang, name=name, day=as_of.isoformat())
    greeting = (
        say("remind.message.greeting", lang, name=plain(unit.contact.name))
        if unit is not None and unit.contact is not None and unit.contact.name
        else ""
    )
    footer = say("remind.message.footer", lang, office=office)
    sections: list[tuple[str, list[Item]]] = []
    for state in _SECTION_ORDER:
        chosen = [i for i in items if i.state == state]
        if chosen:
            sections.append((state, chosen))

    def render(part_sections: list[tuple[str, list[Item]]], part: int, parts: int) -> str:
        head = f"### {title}" + (say("remind.message.part", lang, part=part, parts=parts) if parts > 1 else "")
        lines = [head, ""]
        if greeting:
            lines += [greeting, ""]
        for state, chosen in part_sections:
            heading = label(_SECTION_NAMES if state in _SECTION_NAMES else STATE_LABELS, state, lang)
            lines.append(say("remind.message.section", lang, heading=heading, n=len(chosen)))
            lines += [f"{n}. {i.line}" for n, i in enumerate(chosen, start=1)]
            lines.append("")
        lines.append(footer)
        return "\n".join(lines) + "\n"

    def heading(state: str, n: int) -> int:
        name = label(_SECTION_NAMES if state in _SECTION_NAMES else STATE_LABELS, state, lang)
        return _bytes(say("remind.message.section", lang, heading=name, n=n))

    empty = len(render([], 99, 99).encode("utf-8"))
    chunks = _split(sections, MAX_BYTES.get(channel, MAX_BYTES["email"]), empty, heading)
    parts = len(chunks)
    return [
        Message(
            unit=uid,
            unit_name=name,
            channel=channel,
            target=target,
            title=title + (f"（{n}/{parts}）" if parts > 1 else ""),
            text=render(chunk, n, parts),
            items=tuple(i for _, chosen in chunk for i in chosen),
            part=n,
            parts=parts,
        )
        for n, chunk in enumerate(chunks, start=1)
    ]


def _bytes(line: str) -> int:
    """What a line adds to a rendered message: its UTF-8 bytes and its line break."""
    return len(line.encode("utf-8")) + 1


def _split(
    sections: list[tuple[str, list[Item]]], limit: int, empty: int, heading: Callable[[str, int], int]
) -> list[list[tuple[str, list[Item]]]]:
    """The items in parts of at most `limit` bytes as `render` writes them (each part as
    many items as fit, in order; an item too long alone is a part of its own). `empty`:
    a part without items; `heading(state, n)`: the bytes of a section's heading line. The
    size is kept as items are added (rendering each trial made 10,000 items minutes)."""
    chunks: list[list[tuple[str, list[Item]]]] = [[]]
    size = empty
    for state, chosen in sections:
        for i in chosen:
            chunk = chunks[-1]
            same = bool(chunk) and chunk[-1][0] == state
            n = len(chunk[-1][1]) + 1 if same else 1
            grow = _bytes(f"{n}. {i.line}") + heading(state, n)
            grow += -heading(state, n - 1) if same else 1  # the heading rewritten; a new section's blank line
            if chunk and size + grow > limit:
                chunks.append([(state, [i])])
                size = empty + heading(state, 1) + _bytes(f"1. {i.line}") + 1
                continue
            if same:
                chunk[-1][1].append(i)
            else:
                chunk.append((state, [i]))
            size += grow
    return chunks


def targets(unit: Unit | None) -> list[tuple[str, str]]:
    """(channel, target) of each way a unit is reached; ("none", "") when it has no contact."""
    c = unit.contact if unit is not None else None
    if c is None or not c.channels:
        return [("none", "")]
    out: list[tuple[str, str]] = []
    if c.wecom_env:
        out.append(("wecom", c.wecom_env))
    if c.dingtalk_env:
        out.append(("dingtalk", c.dingtalk_env))
    if c.email:
        out.append(("email", ", ".join(c.email)))
    return out


def assemble(
    states: Iterable[TaskState],
    units: Mapping[str, Unit],
    settings: Settings,
    as_of: date,
    lang: Lang,
    *,
    sent: Collection[tuple[str, str, str, str]] = (),
    only_units: Collection[str] = (),
    only_channels: Collection[str] = (),
    notices: Mapping[str, list[Item]] | None = None,
) -> tuple[list[Message], list[tuple[str, str, Item]]]:
    """(the messages to send, the items left out because they were sent already today).

    `sent` holds (unit, channel, task, state) of what went out on `as_of` already;
    `notices` each unit's escalated notices (their `task` is the notice's number).
    """
    by_unit = items_of(states, settings.remind.states, lang)
    if notices and "escalated" in settings.remind.states:
        for uid, extra in notices.items():
            by_unit[uid] = [*extra, *by_unit.get(uid, [])]
    order = {uid: i for i, uid in enumerate(units)}
    messages: list[Message] = []
    skipped: list[tuple[str, str, Item]] = []
    for uid in sorted(by_unit, key=lambda u: (order.get(u, len(order)), u)):
        if only_units and uid not in only_units:
            continue
        unit = units.get(uid)
        for channel, target in targets(unit):
            if only_channels and channel not in only_channels:
                continue
            fresh: list[Item] = []
            for i in by_unit[uid]:
                if (uid, channel, i.task, i.state) in sent:
                    skipped.append((uid, channel, i))
                else:
                    fresh.append(i)
            if fresh:
                messages.extend(compose(unit, uid, channel, target, fresh, settings, as_of, lang))
    return messages, skipped
