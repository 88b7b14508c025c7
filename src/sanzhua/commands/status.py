"""`sanzhua status`: every task's state as of a date, for a person or a script."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sanzhua.commands.common import EXIT_OK, open_ledger
from sanzhua.dates import format_cn
from sanzhua.errors import FatalError
from sanzhua.evaluate import LIGHTS, STATE_ORDER, Evaluation, TaskState, evaluate
from sanzhua.i18n import STATE_LABELS, Lang, label, words
from sanzhua.load import Ledger

LIGHT_STYLE = {"red": "bold red", "yellow": "bold yellow", "green": "green", "done": "blue", "none": "dim"}
LIGHT_DOT = {"red": "●", "yellow": "●", "green": "●", "done": "✓", "none": "·"}
_LIGHT_RANK = {"red": 0, "yellow": 1, "green": 2, "done": 3, "none": 4}


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

    def validate(self, ledger: Ledger) -> StatusFilter:
        """Check the names given; unit names are turned into ids."""
        bad_states = [s for s in self.states if s not in STATE_ORDER]
        if bad_states:
            raise FatalError(
                f"--state: 没有“{bad_states[0]}”这种状态 / unknown state {bad_states[0]}",
                "states: " + ", ".join(STATE_ORDER),
            )
        bad_lights = [x for x in self.lights if x not in LIGHTS]
        if bad_lights:
            raise FatalError(
                f"--light: 没有“{bad_lights[0]}” / unknown light {bad_lights[0]}", "lights: " + ", ".join(LIGHTS)
            )
        by_name = {u.name: u.id for u in ledger.units.values()}
        units: list[str] = []
        for u in self.units:
            if u in ledger.units:
                units.append(u)
            elif u in by_name:
                units.append(by_name[u])
            else:
                raise FatalError(
                    f"--unit: units.yaml 中没有单位“{u}” / no unit {u}", "units: " + ", ".join(ledger.units)
                )
        return StatusFilter(
            tuple(units), self.leader, self.owner, self.states, self.lights, self.category, self.tags, self.due_within
        )

    @property
    def names_closed(self) -> bool:
        """True when the filter asks for tasks that are not open (done, planned ...)."""
        return bool(
            set(self.states) - {"overdue", "milestone_overdue", "due_soon", "behind", "no_report", "on_track"}
            or set(self.lights) & {"done", "none"}
        )

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
        _LIGHT_RANK[st.light],
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
        raise FatalError(f"--sort 只能是 {'、'.join(SORTS)} / --sort takes {', '.join(SORTS)}")
    rows = [st for st in evaluation.tasks.values() if flt.keep(st)]
    rows.sort(key=SORTS[sort])
    return rows


def status(
    root: Path | None,
    *,
    as_of: date,
    fmt: str = "table",
    lang: str | None = None,
    flt: StatusFilter | None = None,
    sort: str = "urgency",
    by: str | None = None,
    show_all: bool = False,
    out: TextIO | None = None,
    width: int | None = None,
) -> int:
    """Print the tasks' states; always exit 0 (problems are `check`'s business)."""
    renderers = {"table": _table, "json": _json, "csv": _csv}
    if fmt not in renderers:
        raise FatalError(f"--format 只能是 table、json 或 csv（收到 {fmt}）", "--format takes table, json or csv")
    if by not in (None, "unit", "leader"):
        raise FatalError(f"--by 只能是 unit 或 leader（收到 {by}）", "--by takes unit or leader")
    opened = open_ledger(root, lang)
    ledger = opened.ledger
    flt = (flt or StatusFilter()).validate(ledger)
    evaluation = evaluate(ledger, as_of)
    rows = selected(evaluation, flt, sort)
    stream = out or sys.stdout
    if by is not None:
        _summary(stream, ledger, evaluation, rows, by, fmt, opened.lang, width)
        return EXIT_OK
    renderers[fmt](stream, ledger, evaluation, rows, opened.lang, show_all or flt.names_closed, width)
    return EXIT_OK


def _json(
    stream: TextIO, ledger: Ledger, ev: Evaluation, rows: list[TaskState], lang: Lang, show_all: bool, width: int | None
) -> None:
    doc = {"version": 1, "as_of": ev.as_of.isoformat(), "tasks": [task_row(st) for st in rows]}
    stream.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")


CSV_FIELDS = (
    "id",
    "title",
    "lead",
    "partners",
    "owner",
    "leader",
    "start",
    "due",
    "done",
    "status",
    "states",
    "light",
    "days_overdue",
    "percent",
    "expected_percent",
    "category",
    "file",
    "line",
)


def _csv(
    stream: TextIO, ledger: Ledger, ev: Evaluation, rows: list[TaskState], lang: Lang, show_all: bool, width: int | None
) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for st in rows:
        r = task_row(st)
        w.writerow(["|".join(r[f]) if isinstance(r[f], list) else ("" if r[f] is None else r[f]) for f in CSV_FIELDS])
    stream.write(buf.getvalue())


def counts_line(ev: Evaluation, rows: Iterable[TaskState], lang: Lang) -> str:
    rows = list(rows)
    c = {k: sum(st.light == k for st in rows) for k in LIGHTS}
    overdue = sum("overdue" in st.states for st in rows)
    if lang == "zh":
        return (
            f"截至{format_cn(ev.as_of)}：共 {len(rows)} 项任务，红灯 {c['red']}（逾期 {overdue}），黄灯 {c['yellow']}，"
            f"绿灯 {c['green']}，已完成 {c['done']}，未启动/暂缓/取消 {c['none']}"
        )
    return (
        f"As of {ev.as_of.isoformat()}: {len(rows)} tasks; red {c['red']} ({overdue} overdue), yellow {c['yellow']}, "
        f"green {c['green']}, done {c['done']}, planned/suspended/cancelled {c['none']}"
    )


def when_text(st: TaskState, lang: Lang) -> str:
    """逾期9天 / 剩3个工作日 / 11月20日完成."""
    if st.days_overdue is not None:
        return words(lang, f"逾期{st.days_overdue}天", f"{st.days_overdue}d late")
    if st.is_done:
        if st.done is None:
            return words(lang, "已完成", "done")
        late = f"，晚{st.days_late}天" if st.days_late else ""
        return words(
            lang,
            f"{st.done.month}月{st.done.day}日完成{late}",
            f"done {st.done.isoformat()}" + (f", {st.days_late}d late" if st.days_late else ""),
        )
    if st.workdays_left is not None:
        return words(lang, f"剩{st.workdays_left}个工作日", f"{st.workdays_left} workdays left")
    return ""


def _unit_name(ledger: Ledger, uid: str) -> str:
    u = ledger.units.get(uid)
    return u.name if u else uid


def _table(
    stream: TextIO, ledger: Ledger, ev: Evaluation, rows: list[TaskState], lang: Lang, show_all: bool, width: int | None
) -> None:
    console = Console(file=stream, width=width, highlight=False, soft_wrap=False)
    shown = rows if show_all else [st for st in rows if st.is_open]
    hidden = len(rows) - len(shown)
    cols = console.width
    w = partial(words, lang)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", collapse_padding=True)
    id_width = max((len(st.task.id) for st in shown), default=4)
    table.add_column(w("状态", "State"), no_wrap=True, overflow="ellipsis", max_width=18)
    table.add_column(w("编号", "ID"), no_wrap=True, min_width=id_width)
    with_owner = cols >= 100
    with_leader = cols >= 116
    state_width = min(18, max((_width(_states_text(st, lang)) + 2 for st in shown), default=6))
    fixed = state_width + id_width + 6 + 9 + 8 + 10 + (9 if with_owner else 0) + (13 if with_leader else 0) + 8
    table.add_column(w("任务", "Task"), no_wrap=True, overflow="ellipsis", max_width=max(10, cols - fixed))
    table.add_column(w("时限", "Due"), no_wrap=True)
    table.add_column(w("逾期/剩余", "Late/left"), no_wrap=True, justify="right")
    table.add_column(w("进度/应达", "Done/plan"), no_wrap=True, justify="right")
    table.add_column(w("牵头单位", "Lead"), no_wrap=True, overflow="ellipsis", max_width=10)
    if with_owner:
        table.add_column(w("责任人", "Owner"), no_wrap=True, overflow="ellipsis", max_width=8)
    if with_leader:
        table.add_column(w("包抓领导", "Leader"), no_wrap=True, overflow="ellipsis", max_width=12)
    for st in shown:
        t = st.task
        style = LIGHT_STYLE[st.light]
        states = _states_text(st, lang)
        pct = "" if st.percent is None else f"{st.percent:.0f}"
        if st.expected_percent is not None and st.is_open and st.percent is not None:
            pct += f"/{st.expected_percent:.0f}"
        if pct:
            pct += "%"
        due = "—"
        if st.deadline is not None:
            due = st.deadline.strftime("%m-%d") if st.deadline.year == ev.as_of.year else st.deadline.isoformat()
        cells: list[Text | str] = [
            Text(f"{LIGHT_DOT[st.light]} {states}", style=style),
            t.id,
            t.title,
            due,
            Text(short_when(st, lang), style="red" if st.days_overdue else ""),
            pct,
            _unit_name(ledger, t.lead),
        ]
        if with_owner:
            cells.append(t.owner or "")
        if with_leader:
            cells.append(t.leader or "")
        table.add_row(*cells)
    console.print(counts_line(ev, rows, lang))
    if shown:
        console.print(table)
    else:
        console.print(w("没有需要跟进的任务。", "No open tasks match."))
    if hidden:
        console.print(
            Text(
                w(
                    f"另有 {hidden} 项已完成、未启动、暂缓或已取消的任务未列出（加 --all 显示）。",
                    f"{hidden} done, planned, suspended or cancelled tasks not shown (--all shows them).",
                ),
                style="dim",
            )
        )


_SHORT_ZH = {"milestone_overdue": "节点逾期", "behind": "滞后", "no_report": "未报送", "on_track": "正常"}


def _states_text(st: TaskState, lang: Lang) -> str:
    if lang == "zh":
        return "、".join(_SHORT_ZH.get(s) or label(STATE_LABELS, s, lang) for s in st.states)
    return ", ".join(label(STATE_LABELS, s, lang) for s in st.states)


def _width(s: str) -> int:
    from sanzhua.output import width

    return width(s)


def short_when(st: TaskState, lang: Lang) -> str:
    """Compact form for the table: 逾期56天 / 剩3工作日 / 11-20完成."""
    if st.days_overdue is not None:
        return words(lang, f"逾期{st.days_overdue}天", f"{st.days_overdue}d late")
    if st.is_done:
        if st.done is None:
            return words(lang, "已完成", "done")
        return st.done.strftime("%m-%d") + words(lang, "完成", " done")
    if st.workdays_left is not None:
        return words(lang, f"剩{st.workdays_left}工作日", f"{st.workdays_left} wd left")
    return ""


def _summary(
    stream: TextIO,
    ledger: Ledger,
    ev: Evaluation,
    rows: list[TaskState],
    by: str,
    fmt: str,
    lang: Lang,
    width: int | None,
) -> None:
    groups: dict[str, list[TaskState]] = {}
    for st in rows:
        key = st.task.lead if by == "unit" else (st.task.leader or "—")
        groups.setdefault(key, []).append(st)
    data: list[dict[str, Any]] = []
    for key, sts in groups.items():
        c = {k: sum(s.light == k for s in sts) for k in LIGHTS}
        data.append(
            {
                by: key,
                "name": _unit_name(ledger, key) if by == "unit" else key,
                "kind": (ledger.units[key].kind if by == "unit" and key in ledger.units else None),
                "tasks": len(sts),
                **c,
                "overdue": sum("overdue" in s.states for s in sts),
                "no_report": sum("no_report" in s.states for s in sts),
            }
        )
    data.sort(key=lambda d: (-d["red"], -d["yellow"], -d["overdue"], str(d[by])))
    if fmt == "json":
        stream.write(
            json.dumps(
                {"version": 1, "as_of": ev.as_of.isoformat(), "by": by, "groups": data}, ensure_ascii=False, indent=2
            )
            + "\n"
        )
        return
    cols = [by, "name", "kind", "tasks", "red", "yellow", "green", "done", "none", "overdue", "no_report"]
    if fmt == "csv":
        buf = io.StringIO()
        wr = csv.writer(buf, lineterminator="\n")
        wr.writerow(cols)
        for d in data:
            wr.writerow(["" if d.get(c) is None else d.get(c) for c in cols])
        stream.write(buf.getvalue())
        return
    console = Console(file=stream, width=width, highlight=False)
    w = partial(words, lang)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column(w("单位", "Unit") if by == "unit" else w("包抓领导", "Leader"))
    if by == "unit":
        table.add_column(w("类别", "Kind"))
    for _col, zh, en, style in (
        ("tasks", "任务", "Tasks", ""),
        ("red", "红灯", "Red", "bold red"),
        ("yellow", "黄灯", "Yellow", "bold yellow"),
        ("green", "绿灯", "Green", "green"),
        ("done", "已完成", "Done", "blue"),
        ("none", "其他", "Other", "dim"),
        ("overdue", "逾期", "Overdue", "red"),
        ("no_report", "未报送", "Unreported", "yellow"),
    ):
        table.add_column(w(zh, en), justify="right", style=style)
    for d in data:
        cells = [str(d["name"])]
        if by == "unit":
            cells.append(str(d["kind"] or ""))
        cells += [str(d[c]) for c in ("tasks", "red", "yellow", "green", "done", "none", "overdue", "no_report")]
        table.add_row(*cells)
    console.print(counts_line(ev, rows, lang))
    console.print(table)
