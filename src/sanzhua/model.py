"""The ledger's values, typed: what every stage after loading works with.

Loading (sanzhua.load) turns YAML text into these models; validation problems are
collected there, so a model that exists is well-formed. Cross-task rules (unknown
unit, duplicate id, parent cycle, ...) are the checks' business (sanzhua.checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

STATUSES: tuple[str, ...] = ("planned", "active", "done", "suspended", "cancelled")
Status = Literal["planned", "active", "done", "suspended", "cancelled"]
Direction = Literal["at_least", "at_most"]
ReportEvery = Literal["none", "week", "month"]


@dataclass(frozen=True)
class Milestone:
    name: str
    due: date
    due_text: str
    done: date | None = None
    line: int = 0


@dataclass(frozen=True)
class Target:
    value: float
    metric: str | None = None
    unit: str | None = None
    direction: Direction = "at_least"


@dataclass(frozen=True)
class Progress:
    date: date
    note: str | None = None
    value: float | None = None
    percent: float | None = None
    by: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Extension:
    to: date
    from_: date | None = None
    approved_by: str | None = None
    ref: str | None = None
    date: date | None = None
    line: int = 0


@dataclass(frozen=True)
class Task:
    """One task as written in a ledger file, with its source position.

    `due` is the task's own deadline, or its parent's when it has none
    (`due_inherited` says which); `start` defaults to 1 January of the ledger's year.
    """

    id: str
    title: str
    lead: str
    file: str
    line: int
    start: date
    due: date | None
    due_text: str | None = None
    due_inherited: bool = False
    category: str | None = None
    source: str | None = None
    partners: tuple[str, ...] = ()
    owner: str | None = None
    leader: str | None = None
    start_given: bool = False
    milestones: tuple[Milestone, ...] = ()
    target: Target | None = None
    progress: tuple[Progress, ...] = ()
    status: Status = "active"
    done: date | None = None
    parent: str | None = None
    extensions: tuple[Extension, ...] = ()
    supervision: str | None = None
    tags: tuple[str, ...] = ()
    weight: float | None = None
    lead_given: bool = True
    column: int = 1
    latest_entry: date | None = None  # the latest progress date, kept when progress is left out (slim tasks)
    latest_mark: date | None = None  # the latest milestone done date, kept likewise
    # The fields its states depend on that could not be read ("due", "start", "done",
    # "milestone", "status"): such a task is in state `invalid` and nothing else.
    invalid: tuple[str, ...] = ()


class TaskRow(NamedTuple):
    """What the ledger-wide checks need of a task: a row of the index every file keeps in
    the cache, so that a re-check does not rebuild the tasks of the files that did not change.

    `due` and `due_text` are the task's own (None when it inherits its parent's).
    """

    id: str
    parent: str | None
    due: date | None
    due_text: str | None
    file: str
    line: int
    column: int
    parent_pos: tuple[int, int] | None  # where `parent` is written
    category: str | None


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str | None = None
    head: str | None = None
    deputy: str | None = None
    editors: tuple[str, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class BulletinSettings:
    name: str = "政务督查"
    first_week: date | None = None
    recipients_report: str | None = None  # 报
    recipients_send: str | None = None  # 送
    recipients_issue: str | None = None  # 发
    requirements: tuple[str, ...] = ()  # standing text for 下步工作要求
    copies: int | None = None  # 共印N份


@dataclass(frozen=True)
class Settings:
    name: str
    office: str | None = None
    year: int = 2026
    lang: Literal["zh", "en"] = "zh"
    due_soon_days: int = 5
    behind_margin: float = 20.0
    report_every: ReportEvery = "week"
    supervisors: tuple[str, ...] = ()
    bulletin: BulletinSettings = field(default_factory=BulletinSettings)
    require_signed: bool = False
    backdate_days: int = 7
    max_file_mb: int = 64  # files larger than this are not read (unsafe-file)
    tracking_since: date | None = None  # no state or score counts a missed report before it
    extra: dict[str, object] = field(default_factory=dict)  # sections other features own (scoring)
