"""Which tasks a report lists and in what order, and a task as one row of data.

`status` owns the options (--unit, --state, --light, ...) but export, calendar and
show select and order tasks the same way, so the filter, the sort orders and the
row shape live here, below every command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sanzhua.errors import FatalError, bad_choice
from sanzhua.evaluate import Evaluation, TaskState
from sanzhua.filters import (
    light_choices,
    light_code,
    state_choices,
    state_code,
    unit_choices,
    unit_id,
    unknown_unit,
)
from sanzhua.i18n import Lang
from sanzhua.load import Ledger
from sanzhua.problems import msg

LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "done": 3, "none": 4}


@dataclass(frozen=True)
class StatusFilter:
    """Which tasks to show; empty fields filter nothing."""

    units: tuple[str, ...] = ()
    leader: str | None = None
    owner: str | None = None
    states: tuple[str, ...] = ()
    lights: tuple[str, ...] = ()
    category: str | None = None
    tags: tuple[str, ...] = ()
    due_within: int | None = None

    def validate(self, ledger: Ledger, lang: Lang = "zh") -> StatusFilter:
        """Read the values given as clerks type them (sanzhua.filters): states and lights
        by code or label, units by id or name; refuse what matches nothing."""
        states: list[str] = []
        for s in self.states:
            code = state_code(s)
            if code is None:
                raise FatalError(
                    msg("option.unknown-state", value=s),
                    msg("option.unknown-state.hint", choices=state_choices(lang)),
                    lang=lang,
                )
            states.append(code)
        lights: list[str] = []
        for x in self.lights:
            code = light_code(x)
            if code is None:
                raise FatalError(
                    msg("option.unknown-light", value=x),
                    msg("option.unknown-light.hint", choices=light_choices(lang)),
                    lang=lang,
                )
            lights.append(code)
        if self.due_within is not None and self.due_within < 0:
            raise FatalError(
                msg("option.due-within", value=self.due_within), msg("option.due-within.hint"), lang=lang
            )
        units: list[str] = []
        for u in self.units:
            uid = unit_id(ledger.units, u)
            if uid is None:
                raise unknown_unit("--unit", u, None, unit_choices(ledger.units, lang), lang)
            units.append(uid)
        return StatusFilter(
            tuple(units),
            self.leader,
            self.owner,
            tuple(states),
            tuple(lights),
            self.category,
            self.tags,
            self.due_within,
        )

    @property
    def picks_rows(self) -> bool:
        """True when the filter itself says which lights or states to list (the table then lists them all)."""
        return bool(self.states or self.lights or self.due_within is not None)

    def keep(self, st: TaskState) -> bool:
        t = st.task
        if self.units and t.lead not in self.units and not set(t.partners) & set(self.units):
            return False
        if self.leader and (t.leader is None or self.leader not in t.leader):
            return False
        if self.owner and (t.owner is None or self.owner not in t.owner):
            return False
        if self.states and not set(self.states) & set(st.states):
            return False
        if self.lights and st.light not in self.lights:
            return False
        if self.category and not (t.category or "").startswith(self.category):
            return False
        if self.tags and not set(self.tags) & set(t.tags):
            return False
        return not (self.due_within is not None and (st.workdays_left is None or st.workdays_left > self.due_within))


def urgency(st: TaskState) -> tuple[Any, ...]:
    """Most urgent first: red by days late, then yellow by time left, then the rest by deadline."""
    return (
        LIGHT_RANK[st.light],
        -(st.days_overdue or 0),
        -len(st.overdue_milestones),
        st.workdays_left if st.workdays_left is not None else 10**6,
        st.deadline or date.max,
        st.task.id,
    )


SORTS: dict[str, Callable[[TaskState], Any]] = {
    "urgency": urgency,
    "due": lambda st: (st.deadline or date.max, st.task.id),
    "unit": lambda st: (st.task.lead, urgency(st)),
    "id": lambda st: st.task.id,
    "percent": lambda st: (st.percent if st.percent is not None else 1000.0, st.task.id),
}


def task_row(st: TaskState) -> dict[str, Any]:
    """One task in FORMAT.md's `status --format json` shape (fields may be added, never removed)."""
    t = st.task
    return {
        "id": t.id,
        "title": t.title,
        "lead": t.lead,
        "partners": list(t.partners),
        "owner": t.owner,
        "leader": t.leader,
        "start": t.start.isoformat(),
        "due": st.deadline.isoformat() if st.deadline else None,
        "done": st.done.isoformat() if st.done else None,
        "status": t.status,
        "states": list(st.states),
        "light": st.light,
        "days_overdue": st.days_overdue,
        "percent": _round(st.percent),
        "expected_percent": _round(st.expected_percent),
        "file": t.file,
        "line": t.line,
        "category": t.category,
        "parent": t.parent,
        "days_late": st.days_late,
        "workdays_left": st.workdays_left,
        "last_report": st.last_report.isoformat() if st.last_report else None,
        "overdue_milestones": [{"name": m.name, "due": m.due.isoformat()} for m in st.overdue_milestones],
        "tags": list(t.tags),
    }


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def selected(evaluation: Evaluation, flt: StatusFilter, sort: str = "urgency") -> list[TaskState]:
    if sort not in SORTS:
        raise bad_choice("--sort", SORTS, sort)
    rows = [st for st in evaluation.tasks.values() if flt.keep(st)]
    rows.sort(key=SORTS[sort])
    return rows


def in_ledger_order(states: list[TaskState], ledger: Ledger) -> list[TaskState]:
    """Units in units.yaml order, each unit's tasks in the order its files list them."""
    rank = {uid: i for i, uid in enumerate(ledger.units)}
    pos = {id(t): i for i, t in enumerate(ledger.tasks)}
    return sorted(
        states,
        key=lambda st: (rank.get(st.task.lead, len(rank)), st.task.lead, pos.get(id(st.task), 0)),
    )
