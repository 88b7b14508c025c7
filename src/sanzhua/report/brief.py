"""Assemble a briefing (政务督查 / 工作简报) or a reminder notice (督办通知) as data.

`assemble_brief` turns a ledger, its evaluation at the as-of date and at the end of
the previous period into a frozen `Brief`; `assemble_notice` does the same for one
unit's 督办通知. Templates only lay these out: Markdown and Word read the same data.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar

from sanzhua.i18n import LIGHT_LABELS as _LIGHT_WORDS
from sanzhua.i18n import STATE_LABELS as _STATE_WORDS
from sanzhua.i18n import say, shown
from sanzhua.kinds import DEFAULT_KIND, kind_of, lookup, rules_of, uses_kinds
from sanzhua.model import Milestone, Settings, Task, Unit, builder
from sanzhua.notices import COLOUR_NAMES, interview_list, named_units, statuses
from sanzhua.periods import (
    Period,
    PeriodKind,
    following,
    issue_number,
    period_label,
    previous,
    span_cn,
)
from sanzhua.score import Scoreboard, UnitScore, decimals
from sanzhua.score import number as points_text
from sanzhua.textsafe import SHOWN_CHARS

if TYPE_CHECKING:
    from sanzhua.notices import NoticeRecord
    from sanzhua.workdays import WorkCalendar

Lang = Literal["zh", "en"]

STATE_LABELS: dict[str, dict[str, str]] = {  # i18n's one table, by language
    lang: {code: pair[0 if lang == "zh" else 1] for code, pair in _STATE_WORDS.items()} for lang in ("zh", "en")
}

LIGHT_LABELS: dict[str, dict[str, str]] = {  # i18n's one table, by language
    lang: {code: pair[0 if lang == "zh" else 1] for code, pair in _LIGHT_WORDS.items()} for lang in ("zh", "en")
}

_LIGHT_ORDER = {"red": 0, "yellow": 1, "green": 2, "done": 3, "none": 4}
_UNCATEGORISED = {"zh": "未分类", "en": "uncategorised"}
_OTHER_KIND = {"zh": "其他", "en": "other"}


# ---------------------------------------------------------------------------
# What the assembler reads. The loader and evaluator define the real types;
# these protocols name only the attributes a briefing needs.


class TaskStateLike(Protocol):
    @property
    def task(self) -> Task: ...
    @property
    def states(self) -> tuple[str, ...]: ...
    @property
    def light(self) -> str: ...
    @property
    def deadline(self) -> date | None: ...
    @property
    def days_overdue(self) -> int | None: ...
    @property
    def percent(self) -> float | None: ...
    @property
    def expected_percent(self) -> float | None: ...
    @property
    def done(self) -> date | None: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def overdue_milestones(self) -> tuple[Milestone, ...]: ...
    @property
    def workdays_left(self) -> int | None: ...
    @property
    def last_report(self) -> date | None: ...


class EvaluationLike(Protocol):
    @property
    def tasks(self) -> Mapping[str, TaskStateLike]: ...


class CountedLike(Protocol):
    """What a task's counts at a date read (a TaskState, or evaluate.Counted)."""

    @property
    def task(self) -> Task: ...
    @property
    def states(self) -> tuple[str, ...]: ...
    @property
    def is_open(self) -> bool: ...
    @property
    def deadline(self) -> date | None: ...


class StatesLike(Protocol):
    """Every task's states at a date: an evaluation, or `evaluate.states_near`'s States."""

    @property
    def tasks(self) -> Mapping[str, CountedLike]: ...


class LedgerLike(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def units(self) -> Mapping[str, Unit]: ...
    @property
    def tasks(self) -> Sequence[Task]: ...
    @property
    def calendar(self) -> WorkCalendar: ...


Evaluator = Callable[[date], EvaluationLike]
# Every task's states at a date, and no more: what the previous period's totals read.
StatesAt = Callable[[date], StatesLike]
# The year-to-date scoreboard at a date: what `sanzhua score --year --as-of D` computes.
Scorer = Callable[[date], Scoreboard]


# ---------------------------------------------------------------------------
# The report's data


@dataclass(frozen=True, slots=True)
class Header:
    name: str  # 政务督查 / 工作简报 (the red name)
    number: int | None  # 第N期
    office: str  # 编印单位
    written: date  # the date written: the as-of date
    campaign: str  # settings.name
    title: str  # 方正小标宋 title
    title_lines: tuple[str, ...]  # the title broken where a 二号 line would overflow
    subtitle: str  # （2026年11月23日—29日）
    kind: PeriodKind
    period_start: date
    period_end: date
    period_label: str
    previous_name: str  # 上期 / 上月 / 上季度 / 上年: what 与…相比 compares with


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts over the whole ledger at one date; rates are percentages or None when undefined."""

    tasks: int  # every task except cancelled ones
    open: int
    done: int  # done + done_late
    done_on_time: int
    done_late: int
    overdue: int
    milestone_overdue: int
    due_soon: int
    behind: int
    no_report: int
    on_track: int
    planned: int
    suspended: int
    cancelled: int
    due_by_now: int  # tasks (not suspended/cancelled) whose deadline is on or before the date
    completion_rate: float | None  # done / tasks
    on_time_rate: float | None  # done on time among due_by_now / due_by_now
    invalid: int = 0  # tasks whose dates cannot be read (台账有误): in `tasks`, in no other count


@dataclass(frozen=True, slots=True)
class Change:
    """This period's totals minus the previous period's (rates in percentage points)."""

    done: int
    done_on_time: int
    overdue: int
    milestone_overdue: int
    due_soon: int
    behind: int
    no_report: int
    tasks: int
    completion_rate: float | None
    on_time_rate: float | None


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    label: str
    tasks: int
    done: int
    overdue: int
    due_soon: int
    behind: int
    no_report: int
    completion_rate: float | None


@dataclass(frozen=True, slots=True)
class TaskLine:
    """One task as a briefing shows it."""

    no: int  # 序号 within its list
    id: str
    title: str
    unit_id: str
    unit: str  # lead unit's name
    owner: str
    leader: str
    category: str
    deadline: date | None
    days_overdue: int | None
    workdays_left: int | None
    percent: float | None
    expected_percent: float | None
    done: date | None
    early_days: int | None  # days done before the deadline (0 = on the day), None if not done
    last_report: date | None
    note: str  # latest progress note as of the date
    states: tuple[str, ...]
    state_text: str  # 逾期、未按时报送
    light: str
    light_text: str
    overdue_milestones: int


_task_line = builder(TaskLine)  # TaskLine(*fields) without its __init__ (issue 17)


@dataclass(frozen=True, slots=True)
class Item:
    """A deadline item in 通报 or 下步工作: a task, or one milestone of a task."""

    no: int
    id: str
    title: str
    milestone: str  # "" for the task itself
    unit_id: str
    unit: str
    owner: str
    leader: str
    deadline: date
    days_overdue: int  # 0 when not overdue
    workdays_left: int | None
    note: str
    overdue_milestones: tuple[str, ...] = ()  # names of a task's own overdue milestones


_item = builder(Item)  # Item(*fields) without its __init__: 11,000 of them at 20,000 tasks (issue 17)


@dataclass(frozen=True, slots=True)
class UnitGroup:
    """One unit's share of a 通报 list, worst units first."""

    unit_id: str
    unit: str
    kind: str
    head: str
    items: tuple[Item, ...]
    tasks: int  # how many items are whole tasks
    milestones: int  # how many are milestones
    max_days: int


@dataclass(frozen=True, slots=True)
class UnreportedGroup:
    unit_id: str
    unit: str
    tasks: tuple[TaskLine, ...]


@dataclass(frozen=True, slots=True)
class RankRow:
    """One unit's line of the ranking: its score and counts as `sanzhua score` gives them."""

    rank: int
    unit_id: str
    unit: str
    kind: str
    score: Decimal
    score_text: str  # the score as `sanzhua score` prints it, decimals aligned: 97.50, 100.00
    done_on_time: int
    done_late: int
    overdue: int
    milestone_missed: int
    report_missing: int  # reporting periods without a progress entry


@dataclass(frozen=True, slots=True)
class Ranking:
    """The year-to-date scores (`sanzhua score --year --as-of end`) as the bulletin shows them."""

    start: date  # 1 January of the evaluated year
    end: date  # the evaluated date
    base: str  # the base score, as text
    rows: tuple[RankRow, ...]  # ranked units in rank order
    top: tuple[RankRow, ...]  # the first three ranks (more on a tie)
    bottom: tuple[RankRow, ...]  # the last three ranks, not also in `top` (more on a tie)
    unranked: int  # units with no task scored in the period


# --- the 督办 cycle (issue 20): a section per kind of task ---
@dataclass(frozen=True, slots=True)
class KindLine:
    """A task of a kind with clocks, as its kind's section lists it."""

    no: int
    id: str
    title: str
    unit: str
    assigned: date | None
    acknowledged: date | None  # as of the evaluated date
    deadline: date | None
    done: date | None
    satisfaction: str
    state_text: str
    light: str


@dataclass(frozen=True, slots=True)
class KindSection:
    """One kind of task present in the ledger: its counts, and (for a kind other than the
    default) its tasks."""

    name: str
    tasks: int
    done: int
    overdue: int
    unacknowledged: int
    pending_verification: int
    completion_rate: float | None
    items: tuple[KindLine, ...]


# --- the 督办 cycle (issue 20): notices and the 约谈 list ---
@dataclass(frozen=True, slots=True)
class NoticeLine:
    number: str
    unit: str
    issued: date
    reply_due: date
    colour: str  # blue, yellow, red: as of the evaluated date
    colour_text: str
    answered: date | None
    escalated: int  # steps up the ladder since it was issued


@dataclass(frozen=True, slots=True)
class InterviewLine:
    no: int
    unit: str
    red_notices: tuple[str, ...]
    consecutive: int  # bulletins in a row that named it (0: on the list for a red notice only)


@dataclass(frozen=True, slots=True)
class Brief:
    lang: Lang
    as_of: date  # the date written
    evaluated_at: date  # min(as_of, period end): the date the states are computed at
    period: Period
    previous_period: Period
    next_period: Period
    header: Header
    totals: Totals
    previous: Totals
    change: Change
    by_category: tuple[BreakdownRow, ...]
    by_unit_kind: tuple[BreakdownRow, ...]
    completed: tuple[TaskLine, ...]  # done within the period (up to evaluated_at)
    done_early: tuple[TaskLine, ...]  # of those, done before the deadline
    overdue: tuple[UnitGroup, ...]  # overdue tasks and milestones, by unit, worst first
    overdue_tasks: int
    overdue_milestones: int
    behind: tuple[TaskLine, ...]
    unreported: tuple[UnreportedGroup, ...]
    unreported_tasks: int
    coming_due: tuple[
        Item, ...
    ]  # open tasks and milestones due from evaluated_at to next period's end
    requirements: tuple[str, ...]
    appendix: tuple[TaskLine, ...]  # every open task with its light
    ranking: Ranking
    recipients_report: str
    recipients_send: str
    recipients_issue: str
    copies: int | None
    has_previous: bool = True  # False when the previous period ended before tracking_since: 上期无数据
    tracking_since: date | None = None  # when the ledger began to be kept
    notice: str = ""  # 本期台账有N处错误，以下任务未计入：… (made with --allow-errors), shown at the top
    made_from: str = ""  # 据提交 abc1234 生成（工作区有未提交的修改）: small print after the 版记
    by_task_kind: tuple[KindSection, ...] = ()  # issue 20: only when a task names a kind other than the default
    show_notices: bool = False  # issue 20: sanzhua.yaml has `notices:`, or notices were issued
    notices: tuple[NoticeLine, ...] = ()  # issued this period, or not answered by the evaluated date
    interviews: tuple[InterviewLine, ...] = ()  # the 约谈 list, computed
    interview_after: int = 0


@dataclass(frozen=True, slots=True)
class Notice:
    """督办通知: one unit's overdue, due-soon and unreported tasks."""

    lang: Lang
    as_of: date
    unit_id: str
    unit: str
    head: str
    office: str
    campaign: str
    overdue: tuple[Item, ...]
    milestone_overdue: tuple[Item, ...]
    due_soon: tuple[Item, ...]
    unreported: tuple[TaskLine, ...]
    reply_by: date
    behind: tuple[TaskLine, ...] = ()  # lagging: actual progress below the schedule
    notice: str = ""  # what the ledger's errors left out (made with --allow-errors), shown at the top
    made_from: str = ""  # the commit it was made from, small print at the end
    number: str = ""  # issue 20: 〔2026〕3号 when issued (--issue) and recorded in notices/
    colour: str = ""  # issue 20: blue, yellow or red (三色督办单), when issued
    colour_text: str = ""  # 蓝色 / 黄色 / 红色

    @property
    def task_ids(self) -> tuple[str, ...]:
        """The tasks the notice names, each once, in its order."""
        ids = [x.id for x in (*self.overdue, *self.milestone_overdue, *self.due_soon)]
        ids += [x.id for x in self.unreported]
        return tuple(dict.fromkeys(ids))

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.milestone_overdue or self.due_soon or self.behind or self.unreported)


# ---------------------------------------------------------------------------
# Counting


def totals(evaluation: StatesLike, at: date) -> Totals:
    """Counts and rates of the whole ledger in `evaluation`, computed at `at`."""
    n: dict[str, int] = dict.fromkeys(STATE_LABELS["zh"], 0)
    tasks = open_ = due_by_now = on_time_due = 0
    for ts in evaluation.tasks.values():
        states = ts.states
        for s in set(states) if len(states) > 1 else states:
            if s in n:
                n[s] += 1
        if "cancelled" in states:
            continue
        tasks += 1
        open_ += ts.is_open
        if "suspended" not in states and ts.deadline is not None and ts.deadline <= at:
            due_by_now += 1
            on_time_due += "done" in states
    done = n["done"] + n["done_late"]
    return Totals(
        tasks=tasks,
        open=open_,
        done=done,
        done_on_time=n["done"],
        done_late=n["done_late"],
        overdue=n["overdue"],
        milestone_overdue=n["milestone_overdue"],
        due_soon=n["due_soon"],
        behind=n["behind"],
        no_report=n["no_report"],
        on_track=n["on_track"],
        planned=n["planned"],
        suspended=n["suspended"],
        cancelled=n["cancelled"],
        due_by_now=due_by_now,
        completion_rate=_pct(done, tasks),
        on_time_rate=_pct(on_time_due, due_by_now),
        invalid=n["invalid"],
    )


def _change(now: Totals, before: Totals) -> Change:
    def rate(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None else round(a - b, 1)

    return Change(
        done=now.done - before.done,
        done_on_time=now.done_on_time - before.done_on_time,
        overdue=now.overdue - before.overdue,
        milestone_overdue=now.milestone_overdue - before.milestone_overdue,
        due_soon=now.due_soon - before.due_soon,
        behind=now.behind - before.behind,
        no_report=now.no_report - before.no_report,
        tasks=now.tasks - before.tasks,
        completion_rate=rate(now.completion_rate, before.completion_rate),
        on_time_rate=rate(now.on_time_rate, before.on_time_rate),
    )


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def ranking(board: Scoreboard, n: int = 3) -> Ranking:
    """The bulletin's ranking: `board`'s ranked units, the top and bottom `n` (ties kept
    whole, as `Scoreboard.top` and `bottom` keep them) and how many units are not ranked."""

    places = decimals(u.score for u in board.ranked)  # one column: 100.80 under 104.95

    def row(u: UnitScore) -> RankRow:
        assert u.rank is not None
        c = u.counts
        return RankRow(
            rank=u.rank,
            unit_id=u.unit,
            unit=u.name,
            kind=u.kind,
            score=u.score,
            score_text=points_text(u.score, places),
            done_on_time=c.get("done_on_time", 0),
            done_late=c.get("done_late", 0),
            overdue=c.get("overdue", 0),
            milestone_missed=c.get("milestone_missed", 0),
            report_missing=c.get("report_missing", 0),
        )

    top = board.top(n)
    shown = {u.unit for u in top}
    return Ranking(
        start=board.start,
        end=board.evaluated_at,
        base=points_text(board.rules.base),
        rows=tuple(row(u) for u in board.ranked),
        top=tuple(row(u) for u in top),
        bottom=tuple(row(u) for u in board.bottom(n) if u.unit not in shown),
        unranked=len(board.unranked),
    )


# ---------------------------------------------------------------------------
# Building lines


class _Lines:
    """Turns task states into report lines, with the ledger's unit names and language."""

    def __init__(self, ledger: LedgerLike, lang: Lang, at: date) -> None:
        self.units = ledger.units
        self.order = {uid: i for i, uid in enumerate(ledger.units)}
        self.lang = lang
        self.at = at
        self._notes: dict[str, str] = {}  # a task is in several lists: its note is found once
        self._state_texts: dict[tuple[str, ...], str] = {}
        self._fields: dict[int, tuple[TaskStateLike, tuple[Any, ...]]] = {}

    def unit_name(self, uid: str) -> str:
        unit = self.units.get(uid)
        return unit.name if unit else uid

    def unit_key(self, uid: str) -> int:
        return self.order.get(uid, len(self.order))

    def note(self, task: Task) -> str:
        """The latest progress note as of the date (of several on that day, the first)."""
        got = self._notes.get(task.id)
        if got is None:
            best = None
            for p in task.progress:
                if p.note and p.date <= self.at and (best is None or p.date > best.date):
                    best = p
            got = self._notes[task.id] = shown(best.note or "", self.lang) if best is not None else ""
        return got

    def title(self, task: Task) -> str:
        """The task's title as the bulletin shows it: cut past SHOWN_CHARS, saying so (i18n.shown)."""
        return task.title if len(task.title) <= SHOWN_CHARS else shown(task.title, self.lang)

    def state_text(self, states: tuple[str, ...]) -> str:
        """逾期、未按时报送: the states in words (a few combinations recur in every list)."""
        got = self._state_texts.get(states)
        if got is None:
            labels = STATE_LABELS[self.lang]
            got = self._state_texts[states] = say("list.sep", self.lang).join(labels.get(s, s) for s in states)
        return got

    def numbered(self, states: Iterable[TaskStateLike]) -> tuple[TaskLine, ...]:
        return tuple(self.task_line(ts, no) for no, ts in enumerate(states, start=1))

    def task_line(self, ts: TaskStateLike, no: int = 0) -> TaskLine:
        """The task's line, numbered `no`. A task is in several lists of one briefing (the
        appendix, and behind or unreported): its fields are worked out once."""
        got = self._fields.get(id(ts))
        if got is None or got[0] is not ts:
            got = self._fields[id(ts)] = (ts, self._line_fields(ts))  # `ts` kept: its id stays its own
        return _task_line(no, *got[1])

    def _line_fields(self, ts: TaskStateLike) -> tuple[Any, ...]:
        """TaskLine's fields after `no`, in their order."""
        t = ts.task
        early = None
        if ts.done is not None and ts.deadline is not None:
            early = (ts.deadline - ts.done).days
        states = tuple(ts.states)
        return (
            t.id,
            self.title(t),
            t.lead,
            self.unit_name(t.lead),
            t.owner or "",
            t.leader or "",
            t.category or "",
            ts.deadline,
            ts.days_overdue,
            ts.workdays_left,
            ts.percent,
            ts.expected_percent,
            ts.done,
            early,
            ts.last_report,
            self.note(t),
            states,
            self.state_text(states),
            ts.light,
            LIGHT_LABELS[self.lang].get(ts.light, ts.light),
            len(ts.overdue_milestones),
        )

    def task_item(self, ts: TaskStateLike, no: int = 0) -> Item:
        t = ts.task
        assert ts.deadline is not None
        return _item(  # Item's fields in order
            no,
            t.id,
            self.title(t),
            "",
            t.lead,
            self.unit_name(t.lead),
            t.owner or "",
            t.leader or "",
            ts.deadline,
            max(0, (self.at - ts.deadline).days),
            ts.workdays_left,
            self.note(t),
            tuple(m.name for m in ts.overdue_milestones),
        )

    def milestone_item(
        self, ts: TaskStateLike, m: Milestone, workdays_left: int | None = None, no: int = 0
    ) -> Item:
        t = ts.task
        return _item(  # Item's fields in order
            no,
            t.id,
            self.title(t),
            shown(m.name, self.lang),
            t.lead,
            self.unit_name(t.lead),
            t.owner or "",
            t.leader or "",
            m.due,
            max(0, (self.at - m.due).days),
            workdays_left,
            self.note(t),
            (),
        )


def _numbered_lines(lines: Iterable[TaskLine]) -> tuple[TaskLine, ...]:
    return tuple(_renumber(x, i) for i, x in enumerate(lines, start=1))


_T = TypeVar("_T", TaskLine, Item)


def _renumber(x: _T, no: int) -> _T:
    return replace(x, no=no)


def _category(category: str | None, lang: Lang) -> str:
    return (category or "").replace("／", "/").strip() or _UNCATEGORISED[lang]


_Overdue = tuple[int, date, TaskStateLike, Milestone | None]


def _overdue_groups(
    evaluation: EvaluationLike, lines: _Lines, ledger: LedgerLike
) -> tuple[tuple[UnitGroup, ...], int, int]:
    # (days overdue, deadline, task, milestone or None for the task itself), per unit.
    found: dict[str, list[_Overdue]] = {}
    at = lines.at
    n_tasks = n_milestones = 0
    for ts in evaluation.tasks.values():
        if "overdue" in ts.states:
            assert ts.deadline is not None
            found.setdefault(ts.task.lead, []).append(
                (max(0, (at - ts.deadline).days), ts.deadline, ts, None)
            )
            n_tasks += 1
        elif "milestone_overdue" in ts.states:
            for m in ts.overdue_milestones:
                found.setdefault(ts.task.lead, []).append((max(0, (at - m.due).days), m.due, ts, m))
                n_milestones += 1
    order: list[tuple[tuple[int, int, int, int], str, list[_Overdue]]] = []
    for uid, its in found.items():
        its.sort(key=lambda x: (-x[0], x[1]))
        tasks = sum(1 for x in its if x[3] is None or not x[3].name)  # as `Item.milestone` tells
        # Worst first: most overdue tasks, then most overdue milestones, then the longest delay.
        key = (-tasks, -(len(its) - tasks), -max(x[0] for x in its), lines.unit_key(uid))
        order.append((key, uid, its))
    order.sort(key=lambda g: g[0])
    groups: list[UnitGroup] = []
    no = 0
    for key, uid, its in order:
        items: list[Item] = []
        for _, _, ts, ms in its:
            no += 1
            items.append(lines.task_item(ts, no) if ms is None else lines.milestone_item(ts, ms, no=no))
        unit = ledger.units.get(uid)
        groups.append(
            UnitGroup(
                unit_id=uid,
                unit=lines.unit_name(uid),
                kind=(unit.kind or "") if unit else "",
                head=(unit.head or "") if unit else "",
                items=tuple(items),
                tasks=-key[0],
                milestones=-key[1],
                max_days=-key[2],
            )
        )
    return tuple(groups), n_tasks, n_milestones


def _coming_due(
    evaluation: EvaluationLike, lines: _Lines, at: date, until: date, cal: WorkCalendar
) -> tuple[Item, ...]:
    # (sort key, task, milestone or None for the task itself), numbered once in order.
    found: list[tuple[tuple[date, int, str, str], TaskStateLike, Milestone | None]] = []
    for ts in evaluation.tasks.values():
        if not ts.is_open:
            continue
        t = ts.task
        if ts.deadline is not None and at <= ts.deadline <= until:
            found.append(((ts.deadline, lines.unit_key(t.lead), t.id, ""), ts, None))
        for m in t.milestones:
            done = m.done is not None and m.done <= at
            if not done and at <= m.due <= until and m.due != ts.deadline:
                found.append(((m.due, lines.unit_key(t.lead), t.id, m.name), ts, m))
    found.sort(key=lambda x: x[0])
    return tuple(
        lines.task_item(ts, no)
        if m is None
        else lines.milestone_item(ts, m, cal.count_workdays(at, m.due), no)
        for no, (_, ts, m) in enumerate(found, start=1)
    )


def _titles(settings: Settings, period: Period, lang: Lang) -> tuple[str, str, str]:
    """(red name, title, subtitle) for the period."""
    campaign = settings.name
    span = span_cn(period.start, period.end)
    # not written: the default name, said in the report's language
    default = settings.bulletin.name == "政务督查"
    weekly = say("brief.name.default", lang) if default else settings.bulletin.name
    name = weekly if period.kind == "week" else say("brief.name.briefing", lang)
    if period.kind == "week":
        title = say("brief.title.week", lang, campaign=campaign)
    elif period.kind == "custom":
        title = say("brief.title.custom", lang, campaign=campaign)
    else:
        title = say("brief.title.period", lang, campaign=campaign, period=period_label(period))
    return name, title, say("brief.subtitle", lang, span=span, label=period_label(period, "en"))


_PREVIOUS_NAME: dict[str, dict[str, str]] = {
    "zh": {"week": "上期", "month": "上月", "quarter": "上季度", "year": "上年", "custom": "上期"},
    "en": {
        "week": "last week",
        "month": "last month",
        "quarter": "last quarter",
        "year": "last year",
        "custom": "the previous period",
    },
}

_TITLE_LINE_CHARS = 20  # 二号 characters in the 156 mm text block


def _title_lines(campaign: str, title: str) -> tuple[str, ...]:
    """Break a long title after the campaign's name rather than mid-word."""
    if len(title) <= _TITLE_LINE_CHARS or not title.startswith(campaign) or title == campaign:
        return (title,)
    return (campaign, title[len(campaign) :])


def assemble_brief(
    ledger: LedgerLike,
    evaluate_at: Evaluator,
    period: Period,
    as_of: date,
    *,
    score_at: Scorer,
    lang: Lang | None = None,
    number: int | None = None,
    notices: Sequence[NoticeRecord] = (),
    tracking_since: date | None = None,
    states_at: StatesAt | None = None,
) -> Brief:
    """Everything a briefing for `period` says, as of `as_of` (the date written).

    `evaluate_at(d)` evaluates the ledger at `d`; it is called for the as-of date
    (or the period's end, if earlier). The previous period's end, whose totals give
    the change since the last issue, and the ends of the periods before it that the
    约谈 list looks back on, need only each task's states: `states_at(d)` (by default
    `evaluate_at`). `score_at(d)` scores the units
    for the year to `d` (`sanzhua score --year --as-of d`); the ranking shows it.
    A previous period that ended before `tracking_since` has no data to compare with.
    """
    settings = ledger.settings
    lang = lang or settings.lang
    at = min(as_of, period.end)
    now = evaluate_at(at)
    prev_period = previous(period)
    next_period = following(period)
    lines = _Lines(ledger, lang, at)
    states_of: StatesAt = states_at or evaluate_at
    t_now, t_before = totals(now, at), totals(states_of(prev_period.end), prev_period.end)
    states = list(now.tasks.values())
    completed = _completed(states, period, at, lines)
    overdue, n_overdue, n_ms = _overdue_groups(now, lines, ledger)
    unreported = _unreported(states, lines)
    by_category, by_unit_kind = _breakdowns(ledger, now, lang)
    b = settings.bulletin
    parts = _notice_parts(ledger, states_of, notices, period, at, lines)
    return Brief(
        lang=lang,
        as_of=as_of,
        evaluated_at=at,
        period=period,
        previous_period=prev_period,
        next_period=next_period,
        header=_header(settings, period, as_of, lang, number),
        totals=t_now,
        previous=t_before,
        change=_change(t_now, t_before),
        by_category=by_category,
        by_unit_kind=by_unit_kind,
        completed=completed,
        done_early=_numbered_lines(x for x in completed if x.early_days is not None and x.early_days > 0),
        overdue=overdue,
        overdue_tasks=n_overdue,
        overdue_milestones=n_ms,
        behind=_behind(states, lines),
        unreported=unreported,
        unreported_tasks=sum(len(g.tasks) for g in unreported),
        coming_due=_coming_due(now, lines, at, next_period.end, ledger.calendar),
        requirements=tuple(b.requirements),
        appendix=_appendix(states, lines),
        ranking=ranking(score_at(at)),
        recipients_report=b.recipients_report or "",
        recipients_send=b.recipients_send or "",
        recipients_issue=b.recipients_issue or "",
        copies=b.copies,
        by_task_kind=_kind_sections(ledger, now, lines, at),
        show_notices=parts is not None,
        notices=parts[0] if parts else (),
        interviews=parts[1] if parts else (),
        interview_after=ledger.settings.notices.interview_after,
        has_previous=tracking_since is None or prev_period.end >= tracking_since,
        tracking_since=tracking_since,
    )


def _header(settings: Settings, period: Period, as_of: date, lang: Lang, number: int | None) -> Header:
    """The bulletin's masthead and title: its name, issue number, office and period."""
    name, title, subtitle = _titles(settings, period, lang)
    if number is None:
        number = issue_number(period, first_week=settings.bulletin.first_week, year=settings.year)
    return Header(
        name=name,
        number=number,
        office=settings.office or "",
        written=as_of,
        campaign=settings.name,
        title=title,
        title_lines=_title_lines(settings.name, title),
        subtitle=subtitle,
        kind=period.kind,
        period_start=period.start,
        period_end=period.end,
        period_label=period_label(period, lang),
        previous_name=_PREVIOUS_NAME[lang][period.kind],
    )


def _completed(states: list[TaskStateLike], period: Period, at: date, lines: _Lines) -> tuple[TaskLine, ...]:
    """The tasks done within the period, by done date, then unit."""
    done = [ts for ts in states if ts.done is not None and period.start <= ts.done <= at]
    done.sort(key=lambda ts: (ts.done or at, lines.unit_key(ts.task.lead)))
    return lines.numbered(done)


def _behind(states: list[TaskStateLike], lines: _Lines) -> tuple[TaskLine, ...]:
    """The tasks behind schedule, furthest behind first."""
    behind = [ts for ts in states if "behind" in ts.states]
    behind.sort(key=lambda ts: (-((ts.expected_percent or 0) - (ts.percent or 0)), lines.unit_key(ts.task.lead)))
    return lines.numbered(behind)


def _unreported(states: list[TaskStateLike], lines: _Lines) -> tuple[UnreportedGroup, ...]:
    """The tasks without a report in their period, by unit, the unit with most first."""
    unrep: dict[str, list[TaskStateLike]] = {}
    for ts in states:
        if "no_report" in ts.states:
            unrep.setdefault(ts.task.lead, []).append(ts)
    ordered = sorted(unrep.items(), key=lambda kv: (-len(kv[1]), lines.unit_key(kv[0])))
    return tuple(UnreportedGroup(uid, lines.unit_name(uid), lines.numbered(tss)) for uid, tss in ordered)


def _breakdowns(
    ledger: LedgerLike, now: EvaluationLike, lang: Lang
) -> tuple[tuple[BreakdownRow, ...], tuple[BreakdownRow, ...]]:
    """The counts by category and by kind of unit (乡镇, 县直部门), in one pass over the
    tasks (issue 17); each category's and unit's label worked out once."""
    # Categories in the ledger's order, those under one heading (抓具体/…, 抓规范/…)
    # together: the heading's first appearance, then the category's.
    label_of: dict[str | None, str] = {}
    cats: dict[str, tuple[int, int]] = {}
    heads: dict[str, int] = {}
    for t in ledger.tasks:
        if t.category not in label_of:
            c = label_of[t.category] = _category(t.category, lang)
            if c not in cats:
                cats[c] = (heads.setdefault(c.split("/", 1)[0], len(heads)), len(cats))
    other = _OTHER_KIND[lang]
    kinds: list[str] = []
    for u in ledger.units.values():
        k = u.kind or other
        if k not in kinds:
            kinds.append(k)
    kind_of: dict[str, str] = {}
    by_cat: dict[str, list[int]] = {}
    by_kind: dict[str, list[int]] = {}
    for ts in now.tasks.values():
        states = ts.states  # a few states: looked through, not made a set
        if "cancelled" in states:
            continue
        t = ts.task
        cat = label_of.get(t.category)
        if cat is None:
            cat = label_of[t.category] = _category(t.category, lang)
        kind = kind_of.get(t.lead)
        if kind is None:
            unit = ledger.units.get(t.lead)
            kind = kind_of[t.lead] = (unit.kind if unit else None) or other
        done = "done" in states or "done_late" in states
        overdue, soon, behind = "overdue" in states, "due_soon" in states, "behind" in states
        silent = "no_report" in states
        for row in (by_cat.setdefault(cat, [0] * 6), by_kind.setdefault(kind, [0] * 6)):
            row[0] += 1
            row[1] += done
            row[2] += overdue
            row[3] += soon
            row[4] += behind
            row[5] += silent
    return (
        _breakdown_rows(by_cat, lambda c: cats.get(c, (len(heads), len(cats)))),
        _breakdown_rows(by_kind, lambda k: (kinds.index(k) if k in kinds else len(kinds), 0)),
    )


def _breakdown_rows(acc: dict[str, list[int]], order: Callable[[str], tuple[int, int]]) -> tuple[BreakdownRow, ...]:
    return tuple(
        BreakdownRow(label, r[0], r[1], r[2], r[3], r[4], r[5], _pct(r[1], r[0]))
        for label, r in sorted(acc.items(), key=lambda kv: order(kv[0]))
    )


def _appendix(states: list[TaskStateLike], lines: _Lines) -> tuple[TaskLine, ...]:
    """Every open task, by unit, red first."""
    open_ = [ts for ts in states if ts.is_open]
    open_.sort(key=lambda ts: (lines.unit_key(ts.task.lead), _LIGHT_ORDER.get(ts.light, 9)))
    return lines.numbered(open_)


def _notice_parts(
    ledger: LedgerLike,
    states_at: StatesAt,
    records: Sequence[NoticeRecord],
    period: Period,
    at: date,
    lines: _Lines,
) -> tuple[tuple[NoticeLine, ...], tuple[InterviewLine, ...]] | None:
    """The bulletin's 督办通知 table and 约谈 list, when the ledger uses notices (else None)."""
    settings = ledger.settings.notices
    if not settings.show_interviews and not records:
        return None
    held = statuses(records, ledger.tasks, at, settings, ledger.calendar)
    shown = [s for s in held if s.answered is None or period.start <= s.record.issued]
    notices = tuple(
        NoticeLine(
            number=s.record.number,
            unit=lines.unit_name(s.record.unit),
            issued=s.record.issued,
            reply_due=s.record.reply_due,
            colour=s.colour,
            colour_text=COLOUR_NAMES[s.colour][0 if lines.lang == "zh" else 1],
            answered=s.answered,
            escalated=s.escalated,
        )
        for s in sorted(shown, key=lambda s: (s.record.issued, s.record.n))
    )
    ends: list[date] = [at]
    p = period
    for _ in range(max(settings.interview_after - 1, 0)):
        p = previous(p)
        ends.append(p.end)
    named: dict[int, set[str]] = {}

    def named_in(k: int) -> set[str]:
        if k not in named:
            named[k] = named_units(states_at(ends[k]).tasks.values())
        return named[k]

    chosen = interview_list(ledger.units, held, named_in, settings.interview_after)
    return notices, tuple(
        InterviewLine(i, c.unit_name, c.red_notices, c.consecutive) for i, c in enumerate(chosen, start=1)
    )


def _kind_sections(ledger: LedgerLike, now: EvaluationLike, lines: _Lines, at: date) -> tuple[KindSection, ...]:
    """A section per kind present, in the order of the ledger's kinds; none when every
    task is of the default kind (so that such a ledger's bulletin stays as it was)."""
    if not uses_kinds(ledger.tasks):
        return ()
    table = lookup(ledger.settings)
    groups: dict[str, list[TaskStateLike]] = {}
    for ts in now.tasks.values():
        if "cancelled" in ts.states:
            continue
        rule = kind_of(ts.task, table)
        groups.setdefault(rule.name if rule is not None else (ts.task.kind or DEFAULT_KIND), []).append(ts)
    order = [r.name for r in rules_of(ledger.settings)]
    out: list[KindSection] = []
    for name in sorted(groups, key=lambda n: (order.index(n) if n in order else len(order), n)):
        tss = groups[name]
        done = sum(1 for ts in tss if {"done", "done_late"} & set(ts.states))
        items: tuple[KindLine, ...] = ()
        if name != DEFAULT_KIND:
            tss_sorted = sorted(tss, key=lambda ts: (ts.task.assigned or date.max, lines.unit_key(ts.task.lead)))
            items = tuple(
                KindLine(
                    no=n,
                    id=ts.task.id,
                    title=lines.title(ts.task),
                    unit=lines.unit_name(ts.task.lead),
                    assigned=ts.task.assigned,
                    acknowledged=ts.task.acknowledged
                    if ts.task.acknowledged is not None and ts.task.acknowledged <= at
                    else None,
                    deadline=ts.deadline,
                    done=ts.done,
                    satisfaction=ts.task.satisfaction or "",
                    state_text=lines.state_text(tuple(ts.states)),
                    light=ts.light,
                )
                for n, ts in enumerate(tss_sorted, start=1)
            )
        out.append(
            KindSection(
                name=name,
                tasks=len(tss),
                done=done,
                overdue=sum(1 for ts in tss if "overdue" in ts.states),
                unacknowledged=sum(1 for ts in tss if "unacknowledged" in ts.states),
                pending_verification=sum(1 for ts in tss if "pending_verification" in ts.states),
                completion_rate=_pct(done, len(tss)),
                items=items,
            )
        )
    return tuple(out)


# Every state that lights a task yellow or red: a notice covers each of them.
NOTICE_STATES = frozenset({"overdue", "milestone_overdue", "due_soon", "behind", "no_report"})


def units_needing_notice(evaluation: EvaluationLike) -> list[str]:
    """Lead units with any yellow or red task (overdue, milestone overdue, due soon,
    behind or unreported), in ledger order."""
    wanted = NOTICE_STATES
    out: list[str] = []
    for ts in evaluation.tasks.values():
        if wanted & set(ts.states) and ts.task.lead not in out:
            out.append(ts.task.lead)
    return out


def assemble_notice(
    ledger: LedgerLike,
    evaluation: EvaluationLike,
    unit_id: str,
    as_of: date,
    *,
    lang: Lang | None = None,
    reply_workdays: int | None = None,
) -> Notice:
    """督办通知 for `unit_id`: every yellow or red task it leads as of `as_of` (overdue,
    milestone overdue, due soon, behind, unreported)."""
    settings = ledger.settings
    lang = lang or settings.lang
    lines = _Lines(ledger, lang, as_of)
    mine = [ts for ts in evaluation.tasks.values() if ts.task.lead == unit_id]
    overdue = [lines.task_item(ts) for ts in mine if "overdue" in ts.states]
    overdue.sort(key=lambda x: (-x.days_overdue, x.deadline))
    ms = [
        lines.milestone_item(ts, m)
        for ts in mine
        if "milestone_overdue" in ts.states and "overdue" not in ts.states
        for m in ts.overdue_milestones
    ]
    ms.sort(key=lambda x: (-x.days_overdue, x.deadline))
    soon = [lines.task_item(ts) for ts in mine if "due_soon" in ts.states]
    soon.sort(key=lambda x: (x.deadline, x.id))
    unrep = [lines.task_line(ts) for ts in mine if "no_report" in ts.states]
    lagging = [ts for ts in mine if "behind" in ts.states]
    lagging.sort(key=lambda ts: (-((ts.expected_percent or 0) - (ts.percent or 0)), ts.task.id))
    unit = ledger.units.get(unit_id)
    return Notice(
        lang=lang,
        as_of=as_of,
        unit_id=unit_id,
        unit=unit.name if unit else unit_id,
        head=(unit.head or "") if unit else "",
        office=settings.office or "",
        campaign=settings.name,
        overdue=tuple(_renumber(x, i) for i, x in enumerate(overdue, 1)),
        milestone_overdue=tuple(_renumber(x, i) for i, x in enumerate(ms, len(overdue) + 1)),
        due_soon=tuple(_renumber(x, i) for i, x in enumerate(soon, 1)),
        unreported=_numbered_lines(unrep),
        reply_by=ledger.calendar.add_workdays(
            as_of, settings.notices.reply_days if reply_workdays is None else reply_workdays
        ),
        behind=lines.numbered(lagging),
    )
