"""One task's story for its page: why it is in its state, its facts, milestones on a
timeline, progress, extensions and what git says each commit changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

from sanzhua.history.timeline import Event, change_lines
from sanzhua.model import Settings, Task, Unit
from sanzhua.render.svg import Mark, timeline
from sanzhua.site.data import TaskView
from sanzhua.site.text import Lang

_STATUS = {
    "zh": {"planned": "未启动", "active": "推进中", "done": "已完成", "suspended": "暂缓", "cancelled": "已取消"},
    "en": {
        "planned": "planned",
        "active": "active",
        "done": "done",
        "suspended": "suspended",
        "cancelled": "cancelled",
    },
}


def _n(x: float | None) -> str:
    if x is None:
        return "—"
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def why(v: TaskView, settings: Settings, lang: Lang) -> list[str]:
    """The rule behind each of the task's states, with its numbers, in a sentence each."""
    st = v.state
    t = st.task
    zh = lang == "zh"
    out: list[str] = []
    for s in st.states:
        if s == "done":
            if st.done is None:
                out.append("状态为已完成（未填完成日期）" if zh else "Its status is done (no done date written)")
            else:
                out.append(
                    f"已于 {st.done} 完成，时限 {st.deadline or '—'}"
                    if zh
                    else f"Done on {st.done}; deadline {st.deadline}"
                )
        elif s == "done_late":
            out.append(
                f"于 {st.done} 完成，比时限 {st.deadline} 晚 {st.days_late} 天"
                if zh
                else f"Done on {st.done}, {st.days_late} days after the deadline {st.deadline}"
            )
        elif s == "overdue":
            out.append(
                f"时限 {st.deadline} 已过 {st.days_overdue} 天，尚未完成"
                if zh
                else f"The deadline {st.deadline} passed {st.days_overdue} days ago and it is not done"
            )
        elif s == "milestone_overdue":
            for m in st.overdue_milestones:
                out.append(
                    f"节点“{m.name}”时限 {m.due} 已过，尚未完成"
                    if zh
                    else f"The milestone '{m.name}' was due {m.due} and is not done"
                )
        elif s == "due_soon":
            out.append(
                f"距时限 {st.deadline} 还有 {st.workdays_left} 个工作日（{settings.due_soon_days} 个工作日内为临期）"
                if zh
                else f"{st.workdays_left} working days left to the deadline {st.deadline} "
                f"(due soon within {settings.due_soon_days})"
            )
        elif s == "behind":
            gap = (st.expected_percent or 0) - (st.percent or 0)
            out.append(
                f"实际进度 {_n(st.percent)}%，时序进度 {_n(st.expected_percent)}%，落后 {_n(gap)} 个百分点"
                f"（超过 {_n(settings.behind_margin)} 个百分点为滞后）"
                if zh
                else f"Actual progress {_n(st.percent)}% against {_n(st.expected_percent)}% expected: "
                f"{_n(gap)} points behind (more than {_n(settings.behind_margin)} counts as behind)"
            )
        elif s == "no_report":
            days = 7 if settings.report_every == "week" else 31
            if st.last_report is None:
                out.append(
                    f"开始以来没有报送过进展（每{'周' if days == 7 else '月'}至少报送一次）"
                    if zh
                    else f"No progress reported since it started (one report every {settings.report_every} is due)"
                )
            else:
                out.append(
                    f"最近一次报送是 {st.last_report}，近 {days} 天内没有报送进展"
                    if zh
                    else f"Last report {st.last_report}: none in the last {days} days"
                )
        elif s == "on_track":
            out.append(
                "未逾期，进度正常，按时报送：正常推进"
                if zh
                else "Not overdue, on schedule and reported on time: on track"
            )
        elif s == "planned":
            out.append(f"计划于 {t.start} 开始" if zh else f"Starts on {t.start}")
        elif s == "suspended":
            out.append("已暂缓，不计逾期" if zh else "Suspended: never overdue")
        elif s == "cancelled":
            out.append("已取消，不计入任务数" if zh else "Cancelled: not counted")
    return out


def facts(
    v: TaskView,
    task: Task,
    units: Mapping[str, Unit],
    lang: Lang,
    unit_href: Mapping[str, str],
    task_href: Mapping[str, str],
    children: list[str],
    w: Mapping[str, str],
) -> list[tuple[str, object]]:
    """(label, value) pairs for the facts list; a value that is a dict is links (name → href)."""

    def unit_links(ids: tuple[str, ...]) -> dict[str, str] | str:
        links = {(units[u].name if u in units else u): unit_href[u] for u in ids if u in unit_href}
        return links if len(links) == len(ids) else "、".join(units[u].name if u in units else u for u in ids)

    due = str(v.deadline or "—")
    if task.due_text and task.due_text != due:
        due += f"（{task.due_text}）" if lang == "zh" else f" ({task.due_text})"
    if task.due_inherited:
        due += w["inherited"]
    out: list[tuple[str, object]] = [(w["unit"], unit_links((task.lead,)))]
    if task.partners:
        out.append((w["partners"], unit_links(task.partners)))
    for key, val in (
        ("owner", task.owner),
        ("leader", task.leader),
        ("category", task.category),
        ("source", task.source),
    ):
        if val:
            out.append((w[key], val))
    out.append((w["start"], str(task.start)))
    out.append((w["due"], due))
    if task.done:
        out.append((w["done_date"], str(task.done)))
    # The status as written, unless a done date says more (`done` implies status done).
    out.append((w["status"], _STATUS[lang]["done" if task.done else task.status]))
    if task.supervision:
        out.append((w["supervision"], task.supervision))
    if task.tags:
        out.append((w["tags"], "、".join(task.tags)))
    if task.parent:
        href = task_href.get(task.parent)
        out.append((w["parent"], {task.parent: href} if href else task.parent))
    if children:
        out.append((w["children"], {c: task_href[c] for c in children if c in task_href}))
    out.append(("文件" if lang == "zh" else "File", f"{task.file}:{task.line}"))
    return out


@dataclass(frozen=True, slots=True)
class MilestoneRow:
    name: str
    due: date
    done: date | None
    kind: str  # done | late | overdue | open
    text: str


def milestones(task: Task, as_of: date, lang: Lang) -> list[MilestoneRow]:
    zh = lang == "zh"
    out: list[MilestoneRow] = []
    for m in task.milestones:
        done = m.done if m.done is not None and m.done <= as_of else None
        if done is not None:
            kind = "late" if done > m.due else "done"
            text = ("逾期完成" if zh else "done late") if kind == "late" else ("已完成" if zh else "done")
        elif m.due < as_of:
            kind, text = "overdue", f"逾期 {(as_of - m.due).days} 天" if zh else f"{(as_of - m.due).days} days overdue"
        else:
            kind, text = "open", "未到期" if zh else "not yet due"
        out.append(MilestoneRow(m.name, m.due, done, kind, text))
    return out


def timeline_svg(v: TaskView, task: Task, rows: list[MilestoneRow], as_of: date, w: Mapping[str, str]) -> Markup:
    marks = [Mark(task.start, w["start"], "start")]
    marks.extend(Mark(r.due, r.name, r.kind) for r in rows)
    deadline = v.deadline or task.start
    if v.deadline is not None:
        marks.append(Mark(v.deadline, w["due"], "done" if v.done else ("overdue" if v.days_overdue else "deadline")))
    if v.done is not None and v.done != v.deadline:
        marks.append(Mark(v.done, w["done_date"], "done"))
    return Markup(timeline(f"{v.id} {w['timeline']}", task.start, deadline, as_of, marks, w["today"]))


def event_rows(events: list[Event], lang: Lang) -> list[dict[str, object]]:
    """A task's git history, newest first, for its page."""
    kinds = {
        "created": ("新建", "created"),
        "changed": ("修改", "changed"),
        "moved": ("移动", "moved"),
        "deleted": ("删除", "deleted"),
    }
    i = 0 if lang == "zh" else 1
    return [
        {
            "date": e.date,
            "author": e.author,
            "email": e.email,
            "kind": kinds.get(e.kind, (e.kind, e.kind))[i],
            "merge": e.merge,
            "commit": e.commit[:10],
            "subject": e.subject,
            "lines": change_lines(e, lang),
        }
        for e in reversed(events)
    ]
