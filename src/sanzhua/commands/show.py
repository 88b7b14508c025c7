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
from sanzhua.commands.status import LIGHT_DOT, LIGHT_MARK, LIGHT_STYLE
from sanzhua.dates import format_cn
from sanzhua.errors import FatalError, Refused
from sanzhua.evaluate import Evaluation, TaskState, evaluate
from sanzhua.i18n import LIGHT_LABELS, STATE_LABELS, STATUS_LABELS, Lang, label, words
from sanzhua.i18n import text as message_text
from sanzhua.load import Ledger
from sanzhua.load.keys import did_you_mean
from sanzhua.model import Settings, Task
from sanzhua.problems import msg
from sanzhua.report.gaps import gaps_of, notice
from sanzhua.selection import task_row, urgency


def _num(x: float) -> str:
    return f"{x:.0f}" if x == int(x) else f"{x:g}"


def reasons(st: TaskState, settings: Settings, as_of: date, lang: Lang) -> list[tuple[str, str]]:
    """(state, why) for each state the task is in, spelled out for a person."""
    t = st.task
    out: list[tuple[str, str]] = []
    zh = lang == "zh"
    dl = st.deadline
    for s in st.states:
        if s == "overdue" and dl is not None:
            why = (
                f"逾期{st.days_overdue}天：时限{format_cn(dl)}，未报完成"
                if zh
                else f"overdue {st.days_overdue} days: due {dl.isoformat()}, not reported done"
            )
        elif s == "done" and st.done is not None and dl is not None:
            early = (dl - st.done).days
            why = (
                f"{format_cn(st.done)}完成" + (f"，比时限提前{early}天" if early > 0 else "，按时完成")
                if zh
                else f"done {st.done.isoformat()}" + (f", {early} days early" if early > 0 else ", on time")
            )
        elif s == "done":
            why = words(lang, "状态为已完成（未填写完成日期）", "status done (no done date)")
        elif s == "done_late" and st.done is not None and dl is not None:
            why = (
                f"{format_cn(st.done)}完成，超过时限{format_cn(dl)} {st.days_late}天"
                if zh
                else f"done {st.done.isoformat()}, {st.days_late} days after the deadline {dl.isoformat()}"
            )
        elif s == "milestone_overdue":
            parts = [
                (
                    f"“{m.name}”时限{format_cn(m.due)}，逾期{(as_of - m.due).days}天"
                    if zh
                    else f"'{m.name}' due {m.due.isoformat()}, {(as_of - m.due).days} days late"
                )
                for m in st.overdue_milestones
            ]
            why = words(lang, "节点未按期完成：", "milestones not done on time: ") + "；".join(parts)
        elif s == "due_soon" and dl is not None:
            why = (
                f"距时限{format_cn(dl)}还有{st.workdays_left}个工作日（临期线{settings.due_soon_days}个工作日）"
                if zh
                else f"{st.workdays_left} working days to the deadline {dl.isoformat()} "
                f"(due soon within {settings.due_soon_days})"
            )
        elif s == "behind":
            actual = st.percent or 0.0
            exp = st.expected_percent or 0.0
            why = (
                f"实际进度{_num(actual)}%，按时间应达{_num(round(exp, 1))}%，"
                f"落后超过{_num(settings.behind_margin)}个百分点"
                if zh
                else f"actual {_num(actual)}% against {_num(round(exp, 1))}% expected by now "
                f"(more than {_num(settings.behind_margin)} points behind)"
            )
        elif s == "no_report":
            days = 7 if settings.report_every == "week" else 31
            frm = as_of - timedelta(days=days - 1)
            last = (
                words(lang, f"最近一次进展是{format_cn(st.last_report)}", f"last report {st.last_report.isoformat()}")
                if st.last_report
                else words(lang, "从未报送进展", "no progress ever reported")
            )
            why = (
                f"{last}，{frm.month}月{frm.day}日至{as_of.month}月{as_of.day}日无进展报送"
                if zh
                else f"{last}; nothing reported {frm.isoformat()}..{as_of.isoformat()}"
            )
        elif s == "on_track":
            why = words(
                lang,
                "按计划推进，无逾期、临期、滞后或漏报",
                "on schedule: nothing overdue, due soon, behind or unreported",
            )
        elif s == "planned":
            why = f"开始日期{format_cn(t.start)}尚未到" if zh else f"starts {t.start.isoformat()}"
        elif s == "suspended":
            why = words(lang, "已暂缓，不计逾期", "suspended: never overdue")
        elif s == "cancelled":
            why = words(lang, "已取消，不计逾期", "cancelled: never overdue")
        elif s == "invalid":
            fields = "、".join(_INVALID_FIELDS.get(f, (f, f))[0] for f in t.invalid)
            fields_en = ", ".join(_INVALID_FIELDS.get(f, (f, f))[1] for f in t.invalid)
            why = words(
                lang,
                f"{fields}无法识别，无法判断状态；请运行 sanzhua check 查看并修正",
                f"the {fields_en} cannot be read, so no state can be worked out; run sanzhua check",
            )
        else:
            why = ""
        out.append((s, why))
    return out


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
    zh = lang == "zh"
    ev: list[_Event] = [_Event(t.start, 0, words(lang, "开始", "start"))]
    for m in t.milestones:
        if m.done is not None and m.done <= as_of:
            late = (m.done - m.due).days
            note = (
                (f"（时限{m.due.month}月{m.due.day}日" + (f"，晚{late}天）" if late > 0 else "）"))
                if zh
                else (f" (due {m.due.isoformat()}" + (f", {late}d late)" if late > 0 else ")"))
            )
            ev.append(
                _Event(
                    m.done,
                    2,
                    ("✓ 节点“" if zh else "✓ milestone '") + m.name + ("”完成" if zh else "' done") + note,
                    "green" if late <= 0 else "yellow",
                )
            )
        else:
            style = "red" if m.due < as_of else ""
            ev.append(
                _Event(
                    m.due,
                    3,
                    ("◇ 节点“" if zh else "◇ milestone '")
                    + m.name
                    + ("”时限" if zh else "' due")
                    + (words(lang, "（未完成）", " (not done)") if m.due < as_of else ""),
                    style,
                )
            )
    for p in t.progress:
        parts = []
        if p.percent is not None:
            parts.append(f"{_num(p.percent)}%")
        if p.value is not None:
            parts.append(_num(p.value) + (t.target.unit or "" if t.target else ""))
        head = words(lang, "进展", "progress") + (" " + " ".join(parts) if parts else "")
        text = (
            head
            + (f" — {p.note}" if p.note else "")
            + (f"（{p.by}）" if p.by and zh else (f" ({p.by})" if p.by else ""))
        )
        ev.append(_Event(p.date, 1, text, "dim" if p.date > as_of else ""))
    for x in t.extensions:
        frm = x.from_.isoformat() if x.from_ else "?"
        who = "，".join(v for v in (x.approved_by, x.ref) if v)
        ev.append(
            _Event(
                x.date or x.to,
                4,
                words(lang, "延期 ", "extension ")
                + f"{frm} → {x.to.isoformat()}"
                + (f"（{who}）" if who and zh else (f" ({who})" if who else "")),
            )
        )
    if t.due is not None:
        ev.append(
            _Event(
                t.due,
                5,
                words(lang, "时限", "deadline")
                + (f"（{t.due_text}）" if t.due_text and zh and t.due_text != t.due.isoformat() else ""),
            )
        )
    if t.done is not None:
        ev.append(_Event(t.done, 6, words(lang, "完成", "done"), "blue"))
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
            words(
                lg,
                f"sanzhua: 任务 {task_id} 在 {broken.file} 中，但这个文件有错误，无法读取这项任务：\n"
                f"  {where}: {message_text(first.message, lg)}\n  请运行 sanzhua check 查看并修正。\n",
                f"sanzhua: the task {task_id} is in {broken.file}, but that file has an error and the task "
                f"cannot be read:\n  {where}: {message_text(first.message, lg)}\n"
                "  run sanzhua check to see and fix it.\n",
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
    console = Console(file=stream, width=width, highlight=False)
    t = st.task
    w = partial(words, lang)
    sep = "：" if lang == "zh" else ": "

    def unit(uid: str) -> str:
        u = ledger.units.get(uid)
        return f"{u.name}（{u.kind}）" if u and u.kind and lang == "zh" else (u.name if u else uid)

    head = Text()
    head.append(f"{t.id}  ", style="bold")
    head.append(t.title, style="bold")
    console.print(head)
    light = Text(f"{LIGHT_DOT[st.light]} {label(LIGHT_LABELS, st.light, lang)}", style=LIGHT_STYLE[st.light])
    light.append(
        "  " + ("、" if lang == "zh" else ", ").join(label(STATE_LABELS, s, lang) for s in st.states),
        style=LIGHT_STYLE[st.light],
    )
    console.print(light)
    fields: list[tuple[str, str | None]] = [
        (w("牵头单位", "Lead"), unit(t.lead)),
        (w("配合单位", "Partners"), "、".join(unit(p) for p in t.partners) or None),
        (w("责任人", "Owner"), t.owner),
        (w("包抓领导", "Leader"), t.leader),
        (w("类别", "Category"), t.category),
        (w("依据", "Source"), t.source),
        (w("督办方式", "Supervision"), t.supervision),
        (w("状态（登记）", "Status (as written)"), label(STATUS_LABELS, t.status, lang)),
        (w("开始", "Start"), t.start.isoformat() + ("" if t.start_given else w("（默认）", " (default)"))),
        (
            w("时限", "Deadline"),
            (format_cn(st.deadline) if lang == "zh" else st.deadline.isoformat()) if st.deadline else None,
        ),
        (w("完成", "Done"), t.done.isoformat() if t.done else None),
        (
            w("上级任务", "Parent"),
            f"{t.parent} {ledger.by_id[t.parent].title}" if t.parent and t.parent in ledger.by_id else t.parent,
        ),
        (w("标签", "Tags"), "、".join(t.tags) or None),
    ]
    if st.deadline is not None and t.due_inherited:
        fields[9] = (fields[9][0], f"{fields[9][1]}" + w("（继承上级任务）", " (from the parent)"))
    if t.target is not None:
        tg = t.target
        unit_txt = tg.unit or ""
        got = f"{_num(st.value)}{unit_txt}" if st.value is not None else w("尚无", "none yet")
        arrow = w("不低于", "at least") if tg.direction == "at_least" else w("不高于", "at most")
        fields.append(
            (
                w("目标", "Target"),
                f"{tg.metric or ''} {arrow} {_num(tg.value)}{unit_txt}；" + w("已完成 ", "reached ") + got,
            )
        )
    if st.percent is not None:
        exp = f"，{w('按时间应达', 'expected')} {st.expected_percent:.0f}%" if st.expected_percent is not None else ""
        fields.append((w("进度", "Progress"), f"{st.percent:.0f}%{exp}"))
    fields.append((w("位置", "Where"), f"{t.file}:{t.line}"))
    for name, value in fields:
        if value:
            console.print(f"  {name}{sep}{value}")
    console.print()
    console.print(Text(w(f"判定（截至{format_cn(ev.as_of)}）", f"States as of {ev.as_of.isoformat()}"), style="bold"))
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
    console.print()
    console.print(Text(w("时间线", "Timeline"), style="bold"))
    for e in timeline(t, ev.as_of, lang):
        line = Text(f"  {e.day.isoformat()}  ")
        line.append(e.text, style=e.style)
        console.print(line)
    kids = ledger.children.get(t.id, [])
    if kids:
        console.print()
        console.print(Text(w(f"分解任务（{len(kids)}项）", f"Shares ({len(kids)})"), style="bold"))
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
            line = Text(f"  {LIGHT_MARK[cs.light][0 if lang == 'zh' else 1]} ", style=LIGHT_STYLE[cs.light])
            line.append(f"{c.id:<{id_width}}  {unit(c.lead)}  {share}  ")
            line.append("、".join(label(STATE_LABELS, s, lang) for s in cs.states), style=LIGHT_STYLE[cs.light])
            console.print(line)
