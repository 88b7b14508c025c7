"""Column headers: the words county offices put above a 台账, and the ones sanzhua exports.

`field_of(header)` says which ledger field a header means, or None. Matching goes from
strict to loose: the whole header, the header without its bracketed remark
(完成时限（时间节点） → 完成时限), then key words inside it (…牵头单位… → lead).
Export uses `MAIN_COLUMNS`, whose headers are in the same tables, so sanzhua reads
back every workbook it writes.
"""

from __future__ import annotations

import re
import unicodedata

# 完成时间 and its like: the day a task was done, or, in a 台账 with no deadline column of
# its own, the deadline (`done_or_due`). 实际完成时间 is only ever the day it was done.
_DONE_OR_DUE = ("完成", "完成日期", "完成时间", "办结时间", "办结日期")

# field → (exact header words, key words contained in a longer header)
# Order matters for the key words: more specific fields come first (配合单位 before 单位).
_FIELDS: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        "ignore",
        (
            "灯",
            "红黄绿灯",
            "亮灯",
            "亮灯情况",
            "灯号",
            "当前状态",
            "逾期天数",
            "实际进度",
            "时序进度",
            "剩余工作日",
            "light",
            "states",
            "daysoverdue",
            "actual%",
            "expected%",
            "workdaysleft",
            "最新进展日期",
            "lastreport",
        ),
        ("时序进度", "实际进度", "逾期天数", "亮灯"),
    ),
    ("seq", ("序号", "序", "顺序号", "no", "no.", "#", "seq"), ()),
    ("id", ("编号", "任务编号", "id", "代码", "任务代码", "督办编号"), ("编号",)),
    (
        "title",
        (
            "任务",
            "工作任务",
            "任务名称",
            "重点任务",
            "重点工作",
            "工作内容",
            "任务内容",
            "具体任务",
            "项目名称",
            "项目",
            "事项",
            "督办事项",
            "工作事项",
            "目标任务",
            "主要任务",
            "任务事项",
            "建设内容",
            "具体工作",
            "工作事项名称",
            "重点工作任务",
            "title",
            "task",
        ),
        (
            "任务名称",
            "工作任务",
            "重点任务",
            "任务内容",
            "督办事项",
            "工作内容",
            "项目名称",
            "具体任务",
        ),
    ),
    (
        "category",
        ("类别", "任务类别", "分类", "类型", "所属类别", "工作类别", "任务类型", "category"),
        ("类别",),
    ),
    (
        "source",
        ("依据", "文件依据", "任务来源", "来源", "交办依据", "文件", "source"),
        ("依据", "来源"),
    ),
    (
        "partners",
        ("配合单位", "协办单位", "配合部门", "协作单位", "协助单位", "参与单位", "partners"),
        ("配合", "协办", "协助"),
    ),
    (
        "lead",
        (
            "责任单位",
            "牵头单位",
            "主责单位",
            "承办单位",
            "牵头部门",
            "责任部门",
            "责任主体",
            "单位",
            "牵头责任单位",
            "lead",
            "unit",
        ),
        ("牵头", "责任单位", "责任部门", "承办单位", "主责"),
    ),
    (
        "leader",
        (
            "包抓领导",
            "县级领导",
            "分管领导",
            "包抓县领导",
            "联系领导",
            "牵头领导",
            "责任领导",
            "县级包抓领导",
            "包抓县级领导",
            "分包领导",
            "县领导",
            "包联领导",
            "leader",
        ),
        ("领导",),
    ),
    (
        "owner",
        ("责任人", "具体责任人", "第一责任人", "负责人", "具体负责人", "经办人", "owner"),
        ("责任人", "负责人"),
    ),
    ("start", ("开始", "开始时间", "开始日期", "启动时间", "计划开始时间", "start"), ("开始",)),
    (
        "due",
        (
            "时限",
            "完成时限",
            "时间节点",
            "完成时间节点",
            "截止时间",
            "截止日期",
            "办结时限",
            "完成期限",
            "时间要求",
            "期限",
            "完成时间要求",
            "计划完成时间",
            "要求完成时间",
            "due",
            "deadline",
        ),
        ("时限", "时间节点", "截止", "期限"),
    ),
    (
        "done",
        (*_DONE_OR_DUE, "实际完成时间", "实际完成日期", "done"),
        (),
    ),
    ("status", ("状态", "任务状态", "status"), ()),
    (
        "completion",
        ("完成情况", "办结情况", "是否完成", "是否办结", "办理结果", "完成结果"),
        ("完成情况", "办结情况"),
    ),
    (
        "progress",
        (
            "进展情况",
            "进展",
            "工作进展",
            "推进情况",
            "最新进展",
            "进度情况",
            "落实情况",
            "工作推进情况",
            "目前进展",
            "工作进展情况",
            "progress",
            "latestprogress",
        ),
        ("进展", "推进情况", "落实情况"),
    ),
    (
        "percent",
        ("进度", "完成进度", "完成比例", "完成率", "进度百分比", "percent"),
        ("完成率", "百分比"),
    ),
    ("value", ("完成值", "累计完成", "实际完成", "累计完成值", "value"), ("累计完成",)),
    ("metric", ("目标指标", "指标", "metric"), ()),
    ("target", ("目标值", "目标", "年度目标", "目标任务数", "target"), ("目标值",)),
    ("target_unit", ("目标单位", "计量单位", "targetunit"), ("计量单位",)),
    ("direction", ("目标方向", "方向", "direction"), ()),
    ("weight", ("权重", "分值", "weight"), ()),
    ("supervision", ("督办方式", "督查方式", "supervision"), ("督办方式",)),
    ("tags", ("标签", "tags"), ()),
    ("parent", ("上级任务", "上级编号", "上级任务编号", "parent"), ("上级任务",)),
    ("remarks", ("备注", "说明", "remarks", "remark", "note", "notes"), ("备注",)),
]

FIELDS: tuple[str, ...] = tuple(f for f, _, _ in _FIELDS)
"""Every field a main-sheet column can map to (what `--map 列名=field` accepts)."""

# The detail sheets of an export (and of any workbook laid out the same way).
PROGRESS_SHEETS = ("进展记录", "进展", "progress")
MILESTONE_SHEETS = ("节点", "时间节点", "milestones")
EXTENSION_SHEETS = ("延期", "延期记录", "extensions")
SUMMARY_SHEETS = ("汇总", "统计", "summary")

_DETAIL_FIELDS: dict[str, dict[str, str]] = {
    "progress": {
        "编号": "id",
        "id": "id",
        "日期": "date",
        "date": "date",
        "情况": "note",
        "note": "note",
        "进展情况": "note",
        "完成值": "value",
        "value": "value",
        "进度": "percent",
        "percent": "percent",
        "填报人": "by",
        "by": "by",
    },
    "milestones": {
        "编号": "id",
        "id": "id",
        "名称": "name",
        "节点": "name",
        "节点名称": "name",
        "name": "name",
        "时限": "due",
        "due": "due",
        "完成": "done",
        "完成日期": "done",
        "done": "done",
    },
    "extensions": {
        "编号": "id",
        "id": "id",
        "原时限": "from",
        "from": "from",
        "新时限": "to",
        "to": "to",
        "批准人": "approved_by",
        "approvedby": "approved_by",
        "文号": "ref",
        "ref": "ref",
        "日期": "date",
        "date": "date",
    },
}

_EXACT: dict[str, str] = {}
for _field, _words, _ in _FIELDS:
    for _w in _words:
        _EXACT.setdefault(_w, _field)

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SPACE = re.compile(r"[\s\u3000*＊:：]+")


def normalize(header: object) -> str:
    """Header text as compared: NFKC, no spaces or line breaks, lower case."""
    if header is None:
        return ""
    s = unicodedata.normalize("NFKC", str(header))
    return _SPACE.sub("", s).lower()


def field_of(header: object) -> str | None:
    """The ledger field a column header means, or None when it means nothing known."""
    h = normalize(header)
    if not h:
        return None
    if h in _EXACT:
        return _EXACT[h]
    bare = _BRACKETS.sub("", h)
    if bare and bare in _EXACT:
        return _EXACT[bare]
    if len(h) > 16:  # a long cell is data, not a header
        return None
    for field, _, keys in _FIELDS:
        if any(k in bare or k in h for k in keys):
            return field
    return None


def done_or_due(header: object) -> bool:
    """Whether a 完成 header (完成时间, 办结日期 …) may be read as the deadline when the
    table has no deadline column."""
    return _BRACKETS.sub("", normalize(header)) in _DONE_OR_DUE


def detail_field(kind: str, header: object) -> str | None:
    """The field of a detail-sheet column (kind: progress, milestones, extensions)."""
    h = _BRACKETS.sub("", normalize(header))
    return _DETAIL_FIELDS[kind].get(h)


def sheet_kind(name: str) -> str:
    """What a sheet holds, by its name: progress, milestones, extensions, summary or tasks."""
    n = normalize(name)
    if n in PROGRESS_SHEETS:
        return "progress"
    if n in MILESTONE_SHEETS:
        return "milestones"
    if n in EXTENSION_SHEETS:
        return "extensions"
    if n in SUMMARY_SHEETS:
        return "summary"
    return "tasks"


# What export writes, in order: (field, zh header, en header). Fields named "ignore" are
# derived (as of the export date) and skipped by import.
MAIN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    # printed: what a reader upstairs looks at
    ("seq", "序号", "No."),
    ("id", "编号", "ID"),
    ("title", "任务", "Task"),
    ("lead", "牵头单位", "Lead"),
    ("partners", "配合单位", "Partners"),
    ("owner", "责任人", "Owner"),
    ("leader", "包抓领导", "Leader"),
    ("due", "时限", "Due"),
    ("done", "完成", "Done"),
    ("light", "灯", "Light"),
    ("states", "当前状态", "States"),
    ("days_overdue", "逾期天数", "Days overdue"),
    ("percent", "实际进度", "Actual %"),
    ("latest", "最新进展", "Latest progress"),
    # on screen only: the rest of each task, so that import rebuilds it
    ("category", "类别", "Category"),
    ("start", "开始", "Start"),
    ("status", "状态", "Status"),
    ("expected", "时序进度", "Expected %"),
    ("source", "依据", "Source"),
    ("parent", "上级任务", "Parent"),
    ("metric", "目标指标", "Metric"),
    ("target", "目标值", "Target"),
    ("target_unit", "目标单位", "Target unit"),
    ("direction", "目标方向", "Direction"),
    ("supervision", "督办方式", "Supervision"),
    ("tags", "标签", "Tags"),
    ("weight", "权重", "Weight"),
)
PRINTED_COLUMNS = 14
"""The first columns, which the print area holds."""
