"""The ledger's values, typed: what every stage after loading works with.

Loading (sanzhua.load) turns YAML text into these models; validation problems are
collected there, so a model that exists is well-formed. Cross-task rules (unknown
unit, duplicate id, parent cycle, ...) are the checks' business (sanzhua.checks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any, Literal, NamedTuple, TypeVar

_R = TypeVar("_R")


def builder(cls: type[_R]) -> Callable[..., _R]:
    """A maker of `cls` (a frozen dataclass with slots) from every field's value in order,
    equal to `cls(*values)` without running its __init__: a frozen dataclass's __init__
    sets each field through object.__setattr__, and a report or an evaluation of 20,000
    tasks makes tens of thousands of them (issue 17).

    The maker is a plain class with the same slots (a twin, its __init__ generated as
    dataclasses generates cls's own): its stores are the interpreter's fast slot stores,
    where cls's own, frozen, go through object.__setattr__ or the slots' descriptors; its
    __init__ ends by making the object a `cls` (`__class__` assignment, which Python allows
    between classes of the same layout). A quarter of the time per object of setting each
    slot through its descriptor (timeit, 40,000 TaskStates: 0.057 → 0.012 s).
    tests/test_builders.py holds what it makes to `cls(*values)`: the same type, equal,
    as frozen and as hashable."""
    params = getattr(cls, "__dataclass_params__", None)
    if not is_dataclass(cls) or params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__name__}: a frozen dataclass with slots is built with its own __init__")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__: build it with its own __init__")
    names = tuple(f.name for f in fields(cls))
    if tuple(cls.__dict__["__slots__"]) != names or not all(n.isidentifier() for n in names):
        raise TypeError(f"{cls.__name__}: its slots are not its fields")
    # The twin's source is made of the fields' names alone (identifiers, checked above).
    stores = "".join(f"\n        self.{n} = {n}" for n in names)
    source = (
        f"class _Twin:\n    __slots__ = {names!r}\n"
        f"    def __init__(self, {', '.join(names)}):{stores}\n        self.__class__ = cls\n"
    )
    space: dict[str, Any] = {"cls": cls}
    exec(source, space)  # generated from the dataclass's field names, as dataclasses does
    twin: Callable[..., _R] = space["_Twin"]
    twin.__qualname__ = twin.__name__ = f"{cls.__name__}Maker"
    twin(*(None,) * len(names))  # the layout is cls's: a TypeError now, not at first use
    return twin


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
    notice: str | None = None  # the 督办通知 this entry answers (〔2026〕3号), issue 20


@dataclass(frozen=True)
class Extension:
    to: date
    from_: date | None = None
    approved_by: str | None = None
    ref: str | None = None
    date: date | None = None
    line: int = 0


# --- the 督办 cycle (issue 20): 销号 checked by the office ---
@dataclass(frozen=True)
class Verification:
    """`verified:` — a supervisor accepts the unit's `done` (销号)."""

    date: date
    by: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Return:
    """`returned:` — a supervisor sends a `done` back (退回), which reopens the task."""

    date: date
    by: str | None = None
    reason: str | None = None
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
    latest_entry: date | None = None  # the latest progress date (worked out once, while parsing)
    latest_mark: date | None = None  # the latest milestone done date, likewise
    # The fields its states depend on that could not be read ("due", "start", "done",
    # "milestone", "status"): such a task is in state `invalid` and nothing else.
    invalid: tuple[str, ...] = ()
    # --- the 督办 cycle (issue 20) ---
    kind: str | None = None  # 类型 as written; the rules are settings.kinds (None: the default kind)
    assigned: date | None = None  # 交办日期: the clocks of a kind count from it
    acknowledged: date | None = None  # 签收: the unit took the task on
    satisfaction: str | None = None  # 满意/基本满意/不满意 (人大代表建议, 政协委员提案)
    verified: Verification | None = None
    returned: tuple[Return, ...] = ()
    due_derived: bool = False  # `due` is assigned + the kind's answer limit, not written


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


# --- reminders pushed (sanzhua remind, issue 20) ---
@dataclass(frozen=True)
class Contact:
    """Where a unit's reminders go. Webhook URLs carry their robot's token, so the
    settings only name the environment variables that hold them, never the secret."""

    name: str | None = None
    email: tuple[str, ...] = ()
    wecom_env: str | None = None  # the variable holding the WeCom (企业微信) group robot's webhook URL
    dingtalk_env: str | None = None  # the variable holding the DingTalk (钉钉) robot's webhook URL
    dingtalk_secret_env: str | None = None  # the variable holding its signing secret (加签), if any

    @property
    def channels(self) -> tuple[str, ...]:
        out: list[str] = []
        if self.wecom_env:
            out.append("wecom")
        if self.dingtalk_env:
            out.append("dingtalk")
        if self.email:
            out.append("email")
        return tuple(out)


@dataclass(frozen=True)
class EmailSettings:
    host: str
    port: int = 587
    sender: str = ""
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user_env: str | None = None
    password_env: str | None = None
    ca_file: str | None = None  # a CA bundle for a server whose certificate an internal CA signed


MAX_WEIGHT = 100  # the largest weight of a task or a category in `score` (issue 14: 1e308 printed 300 digits)

REMIND_STATES: tuple[str, ...] = (
    "overdue",
    "milestone_overdue",
    "unacknowledged",
    "due_soon",
    "no_report",
    "escalated",  # an unanswered 督办通知 past its reply date
)
REMINDABLE: tuple[str, ...] = REMIND_STATES  # what `remind.states` may name


@dataclass(frozen=True)
class RemindSettings:
    states: tuple[str, ...] = REMIND_STATES
    email: EmailSettings | None = None
    retries: int = 3  # attempts after the first, for a failure that may pass (5xx, 429, timeouts)
    backoff: float = 2.0  # seconds before the first retry, doubled for each next one
    per_minute: int = 20  # messages sent at most per minute (a DingTalk robot takes 20)
    timeout: float = 10.0  # seconds for one request
    sent_file: str = ".sanzhua/remind-sent.json"


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    kind: str | None = None
    head: str | None = None
    deputy: str | None = None
    editors: tuple[str, ...] = ()
    line: int = 0
    contact: Contact | None = None


@dataclass(frozen=True)
class BulletinSettings:
    name: str = "政务督查"
    first_week: date | None = None
    recipients_report: str | None = None  # 报
    recipients_send: str | None = None  # 送
    recipients_issue: str | None = None  # 发
    requirements: tuple[str, ...] = ()  # standing text for 下步工作要求
    copies: int | None = None  # 共印N份


# --- the 督办 cycle (issue 20): kinds with clocks ---
@dataclass(frozen=True)
class KindRule:
    """How a kind of task (领导批示件, 人大代表建议, ...) is run: its clocks count from `assigned`."""

    name: str  # the name the bulletin shows (领导批示件)
    aliases: tuple[str, ...] = ()  # other spellings a task's `kind:` may use (instruction, 批示件)
    ack_days: int | None = None  # working days to acknowledge (签收) after `assigned`
    answer_days: int | None = None  # the deadline: working days after `assigned` ...
    answer_months: int | None = None  # ... or months after it
    report_every: ReportEvery | None = None  # None: the ledger's `report_every`
    requires: tuple[str, ...] = ()  # task keys a task of this kind must have
    satisfaction: bool = False  # a done task must record satisfaction (满意度)
    scored: bool = True  # counted by `sanzhua score`


# --- the 督办 cycle (issue 20): notices as records ---
@dataclass(frozen=True)
class NoticeSettings:
    prefix: str = ""  # before 〔2026〕3号: 延政督〔2026〕3号
    reply_days: int = 3  # working days from the notice to its reply date
    escalate_days: int = 3  # working days unanswered past the reply date for each further colour
    ladder: tuple[str, ...] = ("blue", "yellow", "red")
    interview_after: int = 3  # 约谈: named in this many consecutive bulletins (0: never)
    show_interviews: bool = False  # the bulletin prints the 约谈 list (set when sanzhua.yaml has `notices:`)


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
    remind: RemindSettings = field(default_factory=RemindSettings)
    kinds: tuple[KindRule, ...] = ()  # the built-in kinds, with sanzhua.yaml's changes and additions
    verify_done: bool = False  # a unit's `done` waits for a supervisor's `verified` (销号)
    notices: NoticeSettings = field(default_factory=NoticeSettings)
