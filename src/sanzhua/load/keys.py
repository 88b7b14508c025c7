"""The ledger's key names: English and their Chinese aliases (FORMAT.md).

Loading maps every key to its English name; the edit commands use the same tables
to write new keys in the style a file already uses.
"""

from __future__ import annotations

import difflib

FILE_KEYS: dict[str, str] = {"unit": "责任单位", "tasks": "任务清单"}
# a status as an edit writes it into a file whose status is written in Chinese
STATUS_WORDS: dict[str, str] = {"done": "已完成"}


def is_chinese(written: str) -> bool:
    """Whether a file wrote this key or value in Chinese (it holds a Han character)."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in written)


def in_style(name: str, table: dict[str, str], chinese: bool) -> str:
    """A key or value as a file writes it: the table's Chinese word, or the English name.
    This is the file's own vocabulary (data), not a message in the run's language."""
    return table[name] if chinese else name

TASK_KEYS: dict[str, str] = {
    "id": "编号",
    "title": "任务",
    "category": "类别",
    "kind": "类型",  # issue 20: the kind of task, whose rules are in sanzhua.yaml's kinds
    "source": "依据",
    "lead": "牵头单位",
    "partners": "配合单位",
    "owner": "责任人",
    "leader": "包抓领导",
    "start": "开始",
    "assigned": "交办日期",  # issue 20: when the office assigned it; a kind's clocks count from it
    "acknowledged": "签收",  # issue 20: when the unit acknowledged it
    "due": "时限",
    "milestones": "节点",
    "target": "目标",
    "progress": "进展",
    "status": "状态",
    "done": "完成",
    "satisfaction": "满意度",  # issue 20: 满意/基本满意/不满意
    "verified": "销号",  # issue 20: {date, by}: a supervisor accepts the done
    "returned": "退回",  # issue 20: {date, by, reason}: a supervisor sends the done back
    "parent": "上级任务",
    "extensions": "延期",
    "supervision": "督办方式",
    "tags": "标签",
    "weight": "权重",
}

MILESTONE_KEYS: dict[str, str] = {"name": "名称", "due": "时限", "done": "完成"}
TARGET_KEYS: dict[str, str] = {"metric": "指标", "value": "目标值", "unit": "单位", "direction": "方向"}
PROGRESS_KEYS: dict[str, str] = {
    "date": "日期",
    "note": "情况",
    "value": "完成值",
    "percent": "进度",
    "by": "填报人",
    "notice": "通知",  # issue 20: the 督办通知 an entry answers
}
VERIFIED_KEYS: dict[str, str] = {"date": "日期", "by": "确认人"}
RETURNED_KEYS: dict[str, str] = {"date": "日期", "by": "退回人", "reason": "原因"}
EXTENSION_KEYS: dict[str, str] = {
    "from": "原时限",
    "to": "新时限",
    "approved_by": "批准人",
    "ref": "文号",
    "date": "日期",
}

STATUS_ALIASES: dict[str, str] = {
    "planned": "planned",
    "未启动": "planned",
    "active": "active",
    "推进中": "active",
    "done": "done",
    "已完成": "done",
    "suspended": "suspended",
    "暂缓": "suspended",
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "已取消": "cancelled",
}

# The colours of a 督办通知 (issue 20: notices, and sanzhua.yaml's `notices.colours`)
COLOUR_ALIASES: dict[str, str] = {
    "blue": "blue",
    "蓝": "blue",
    "蓝色": "blue",
    "yellow": "yellow",
    "黄": "yellow",
    "黄色": "yellow",
    "red": "red",
    "红": "red",
    "红色": "red",
}

DIRECTION_ALIASES: dict[str, str] = {
    "at_least": "at_least",
    "不低于": "at_least",
    "不少于": "at_least",
    "at_most": "at_most",
    "不高于": "at_most",
    "不超过": "at_most",
}


def reverse(table: dict[str, str]) -> dict[str, str]:
    """Every accepted spelling (English or Chinese) → the English key."""
    out = {k: k for k in table}
    out.update({v: k for k, v in table.items()})
    return out


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The closest known spelling, for hints: `titel` → `title`."""
    low = word.lower()
    for c in choices:
        if c.lower() == low:
            return c
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if found:
        return found[0]
    # Chinese keys are short: one wrong character in two is already far by ratio.
    for c in choices:
        if len(word) == len(c) >= 2 and sum(a != b for a, b in zip(word, c, strict=True)) == 1:
            return c
    return None
