"""Kinds of task and their clocks (类型): 重点工作, 领导批示件, 人大代表建议, ...

A task's `kind:` names one of these, by its name or an alias; a task without `kind:`
is of the default kind, 重点工作, which has no clock of its own. A kind's clocks
count from the task's `assigned:` (交办日期): `ack_days` working days to acknowledge
(签收), and the answer deadline (`answer_days` working days or `answer_months`
months), which becomes the task's deadline when it has no `due`. sanzhua.yaml's
`kinds:` changes a built-in kind's rules or adds kinds of its own.
"""

from __future__ import annotations

import calendar as _calendar
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from sanzhua.model import KindRule, Settings, Task
from sanzhua.workdays import WorkCalendar

DEFAULT_KIND = "重点工作"
SATISFACTION: tuple[str, ...] = ("满意", "基本满意", "不满意")

BUILTIN_KINDS: tuple[KindRule, ...] = (
    KindRule(DEFAULT_KIND, aliases=("key_work", "重点任务")),
    KindRule(
        "领导批示件",
        aliases=("instruction", "批示件", "领导批示"),
        ack_days=1,
        answer_days=5,
        requires=("assigned", "source"),
    ),
    KindRule("会议议定事项", aliases=("meeting", "议定事项"), ack_days=2, requires=("assigned", "source")),
    KindRule(
        "人大代表建议",
        aliases=("npc_suggestion", "人大建议", "代表建议"),
        ack_days=5,
        answer_months=3,
        report_every="month",
        requires=("assigned", "source"),
        satisfaction=True,
    ),
    KindRule(
        "政协委员提案",
        aliases=("cppcc_proposal", "政协提案", "委员提案"),
        ack_days=5,
        answer_months=3,
        report_every="month",
        requires=("assigned", "source"),
        satisfaction=True,
    ),
    KindRule(
        "12345/信访件",
        aliases=("hotline", "12345", "信访件", "信访", "12345热线"),
        ack_days=1,
        answer_days=5,
        report_every="none",
        requires=("assigned",),
        scored=False,
    ),
)


def spelled(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().lower()


def rules_of(settings: Settings) -> tuple[KindRule, ...]:
    """The kinds of a ledger: sanzhua.yaml's (built-ins included), or the built-ins alone."""
    return settings.kinds or BUILTIN_KINDS


def lookup(settings: Settings) -> dict[str, KindRule]:
    """Every spelling of every kind (name and aliases, NFKC, lower case) → its rule."""
    out: dict[str, KindRule] = {}
    for rule in rules_of(settings):
        for n in (rule.name, *rule.aliases):
            out.setdefault(spelled(n), rule)
    return out


def kind_of(task: Task, table: dict[str, KindRule]) -> KindRule | None:
    """The task's kind; None when its `kind:` names no kind (check's unknown-kind says so)."""
    if task.kind is None:
        return table.get(spelled(DEFAULT_KIND))
    return table.get(spelled(task.kind))


def add_months(d: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (11-30 + 3 → 02-28)."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def answer_due(rule: KindRule, assigned: date, calendar: WorkCalendar) -> date | None:
    if rule.answer_days is not None:
        return calendar.add_workdays(assigned, rule.answer_days)
    if rule.answer_months is not None:
        return add_months(assigned, rule.answer_months)
    return None


def ack_due(rule: KindRule, assigned: date, calendar: WorkCalendar) -> date | None:
    """The last day to acknowledge: `ack_days` working days after `assigned`."""
    if rule.ack_days is None:
        return None
    return calendar.add_workdays(assigned, rule.ack_days)


def derive_deadlines(tasks: Iterable[Task], settings: Settings, calendar: WorkCalendar) -> list[Task]:
    """A task with `assigned:` and no `start:` starts on the day it was assigned; one without
    a deadline (own or inherited) whose kind has an answer limit gets the deadline
    `assigned` + the limit (`due_derived`)."""
    table = lookup(settings)
    out: list[Task] = []
    for t in tasks:
        if t.assigned is not None and not t.start_given:
            t = replace(t, start=t.assigned)
        if t.due is None and t.assigned is not None:
            rule = kind_of(t, table)
            due = answer_due(rule, t.assigned, calendar) if rule is not None else None
            if due is not None and rule is not None:
                t = replace(t, due=due, due_text=deadline_text(rule), due_derived=True)
        out.append(t)
    return out


def deadline_text(rule: KindRule) -> str:
    if rule.answer_days is not None:
        return f"交办后{rule.answer_days}个工作日"
    return f"交办后{rule.answer_months}个月"


def uses_kinds(tasks: Iterable[Task]) -> bool:
    """Whether any task names a kind other than the default (the bulletin's kind section)."""
    default = {spelled(n) for n in (DEFAULT_KIND, *BUILTIN_KINDS[0].aliases)}
    return any(t.kind is not None and spelled(t.kind) not in default for t in tasks)
