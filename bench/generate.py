"""Generate a realistic, valid sanzhua ledger of N units x M tasks, deterministically.

    python bench/generate.py OUTDIR --units 1000 --tasks-per-unit 20 --seed 1

writes a complete ledger root into OUTDIR (sanzhua.yaml, units.yaml, ledgers/...).
The same arguments always give byte-identical files: every choice comes from one
`random.Random(seed)` and nothing reads the clock or the environment.

What a generated ledger exercises, the way clerks really write it:

- both key styles (English, the Chinese aliases of FORMAT.md, and files that mix them);
- every deadline form of FORMAT.md (2026-09-30, 2026/9/30, 2026年9月底, 2026-Q3, 第三季度,
  2026年上半年, 年底, 9月30日前, full-width digits ...), flow and block YAML, comments,
  a few CRLF files and byte-order marks, subfolders and Chinese file names;
- milestones, targets, cumulative progress logs, extensions, parents and children,
  partners, tags, and every status.

Everything is kept valid under FORMAT.md as of 2026-11-25 (the bench's as-of date):
milestones are due no later than their task, progress is dated between the start and
the as-of date, children are due no later than their parent and share its target unit,
the last extension's `to` is the task's `due`. Overdue tasks are left in on purpose.
"""

from __future__ import annotations

import argparse
import calendar
import json
import random
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

YEAR = 2026
AS_OF = date(2026, 11, 25)  # nothing is dated after this: progress, done, approvals
LATEST_DUE = date(2027, 6, 30)

FILE_KEYS = {"unit": "责任单位", "tasks": "任务清单"}
TASK_KEYS = {
    "id": "编号",
    "title": "任务",
    "category": "类别",
    "source": "依据",
    "lead": "牵头单位",
    "partners": "配合单位",
    "owner": "责任人",
    "leader": "包抓领导",
    "start": "开始",
    "due": "时限",
    "milestones": "节点",
    "target": "目标",
    "progress": "进展",
    "status": "状态",
    "done": "完成",
    "parent": "上级任务",
    "extensions": "延期",
    "supervision": "督办方式",
    "tags": "标签",
}
MILESTONE_KEYS = {"name": "名称", "due": "时限", "done": "完成"}
TARGET_KEYS = {"metric": "指标", "value": "目标值", "unit": "单位", "direction": "方向"}
PROGRESS_KEYS = {
    "date": "日期", "note": "情况", "value": "完成值", "percent": "进度", "by": "填报人",
}
EXTENSION_KEYS = {
    "from": "原时限",
    "to": "新时限",
    "approved_by": "批准人",
    "ref": "文号",
    "date": "日期",
}
STATUS_ZH = {"planned": "未启动", "active": "推进中", "done": "已完成", "suspended": "暂缓",
             "cancelled": "已取消"}

CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

# --- vocabulary --------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
TOWN_KINDS = ("乡", "镇")
DEPARTMENTS = (
    "县发改委", "县财政局", "县自然资源局", "县住建局", "县交通运输局", "县水务局", "县农业农村局",
    "县商务局", "县文旅局", "县卫健局", "县教育局", "县人社局", "县民政局", "县生态环境局",
    "县应急管理局", "县市场监管局", "县林草局", "县乡村振兴局", "县工信局", "县科技局",
    "县统计局", "县审计局", "县医保局", "县公安局", "县司法局", "县城管局", "县投资促进局",
    "县政务服务中心", "县融媒体中心", "县供销社",
)
CATEGORIES = (
    "抓环境/优化营商环境", "抓环境/生态环境保护", "抓项目/重大项目建设", "抓项目/招商引资",
    "抓项目/项目前期工作", "抓落实/民生实事", "抓落实/为民办实事", "促发展/产业培育",
    "促发展/乡村振兴", "促发展/县域经济", "促稳定/安全生产", "促稳定/信访维稳",
    "抓具体/抓民生改善", "抓具体/抓项目建设", "抓具体/抓基层治理",
)
SOURCES = (
    "政文〔2026〕{n}号", "县委发〔2026〕{n}号", "政办发〔2026〕{n}号", "县委办发〔2026〕{n}号",
    "县委常委会会议纪要〔2026〕{n}号", "县政府常务会议纪要〔2026〕{n}号", "市督办〔2026〕{n}号",
    "《2026年县政府工作报告》", "县“三抓两促”活动实施方案",
)
PLACES = (
    "城区", "森林公园", "工业园区", "高新区", "南部新城", "老城区", "县城北片区", "河谷川区",
    "东部山区", "农业产业园", "物流园区", "文化旅游区", "黄河沿岸", "中心城区", "经济开发区",
    "滨河新区", "火车站片区", "县医院新院区", "第一中学", "城乡结合部",
)
OBJECTS = (
    "综合开发项目", "老旧小区改造工程", "污水处理厂提标改造", "农村供水保障工程",
    "高标准农田建设", "标准化厂房建设项目", "冷链物流中心", "集中供热管网改造",
    "乡村道路硬化工程", "人居环境整治", "中小学校舍维修", "养老服务中心建设",
    "智慧城市平台", "光伏发电项目", "中药材种植基地", "肉牛养殖示范园", "农贸市场升级改造",
    "城市绿道建设", "防汛应急能力提升", "矿山生态修复", "营商环境专项整治",
    "政务服务“一网通办”", "重点人群就业帮扶", "历史文化街区保护", "公共停车场建设",
)
ACTIONS = (
    "前期推进", "建设任务", "开工建设", "全面完工", "提质增效", "攻坚行动", "验收交付",
    "手续办理", "投资计划落实", "年度目标任务", "专项督查整改", "示范创建",
)
TAILS = (
    "，确保按期完成年度目标", "并按期完成验收交付使用", "，力争提前一个月完成",
    "，形成可复制经验做法", "，实现群众满意度明显提升", "，全面完成省市下达任务",
    "并建立长效管护机制", "", "", "",
)
MILESTONE_NAMES = (
    "完成可研批复", "完成用地预审", "完成环评批复", "完成初步设计", "完成招标", "开工建设",
    "主体完工", "完成竣工验收", "完成资金拨付", "完成方案编制", "完成摸底调查", "完成年度任务过半",
    "完成整改销号", "完成设备安装调试", "投入试运行",
)
TARGETS: tuple[tuple[str, str, int, int], ...] = (
    ("完成投资", "万元", 800, 80000),
    ("新增就业", "人", 50, 3000),
    ("改造老旧小区", "户", 100, 5000),
    ("新建道路", "公里", 3, 120),
    ("植树造林", "亩", 200, 20000),
    ("招商引资到位资金", "亿元", 1, 40),
    ("培训农民", "人次", 100, 8000),
    ("建设高标准农田", "亩", 500, 30000),
    ("改造农村户厕", "座", 100, 6000),
    ("新增市场主体", "户", 50, 2500),
)
AT_MOST_TARGETS: tuple[tuple[str, str, int, int], ...] = (
    ("生产安全事故起数", "起", 1, 5),
    ("单位GDP能耗", "吨标准煤/万元", 1, 2),
    ("信访积案", "件", 1, 20),
)
NOTES = (
    "已召开专题推进会，明确责任分工和时间节点", "正在办理用地手续", "可研已批复，正在开展初步设计",
    "施工队伍已进场，完成场地平整", "主体工程完成约三成", "受雨季影响进度略有滞后，已调整施工组织",
    "资金已拨付到位，正在组织实施", "已完成摸底调查，建立工作台账", "县级领导实地督导一次",
    "完成招标挂网，等待开标", "整改问题已销号", "已形成阶段性工作总结报送县督查室",
    "协调解决群众反映问题3件", "正在组织专家评审方案", "设备已到货，正在安装调试",
    "本周完成投资进度统计，与序时进度基本持平", "配合单位已反馈意见，正在修改完善",
)
SUPERVISION = ("指导督办", "电话督办", "跟踪督办", "实地督办", "书面督办")
TAGS = ("重点项目", "民生实事", "省市考核", "县委交办", "人大建议", "政协提案", "为民办实事",
        "营商环境", "乡村振兴", "安全生产", "生态环保", "领导批示")
COMMENTS = (
    "# 以下为县委常委会新增任务", "# 2026年二季度调度会安排", "# 注：进展每周五前更新",
    "# 本节为重点项目", "# 已报县督查室备案", "# 民生实事部分",
)


# --- dates --------------------------------------------------------------------------------


def month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def days_between(lo: date, hi: date) -> int:
    return (hi - lo).days


def rand_day(rng: random.Random, lo: date, hi: date) -> date:
    return lo + timedelta(days=rng.randint(0, max(0, days_between(lo, hi))))


def day_forms(d: date) -> list[str]:
    y, m, dd = d.year, d.month, d.day
    forms = [d.isoformat(), d.isoformat(), f"{y}/{m}/{dd}", f"{y}.{m}.{dd}", f"{y}年{m}月{dd}日",
             f"{y}年{m}月{dd}日前"]
    if y == YEAR:
        forms += [f"{m}月{dd}日", f"{m}月{dd}日前"]
    return forms


def month_forms(d: date) -> list[str]:
    y, m = d.year, d.month
    forms = [f"{y}-{m:02d}", f"{y}年{m}月", f"{y}年{m}月底", f"{y}年{m}月底", f"{y}年{m}月底前"]
    if y == YEAR:
        forms += [f"{m}月底", f"{m}月底", f"{m}月底前"]
    return forms


def quarter_forms(d: date) -> list[str]:
    y, q = d.year, (d.month - 1) // 3 + 1
    forms = [f"{y}-Q{q}", f"{y}年第{CN_QUARTER[q]}季度", f"{y}年{CN_QUARTER[q]}季度"]
    if y == YEAR:
        forms += [f"第{CN_QUARTER[q]}季度", f"第{CN_QUARTER[q]}季度前"]
    return forms


def half_forms(d: date) -> list[str]:
    y = d.year
    return [f"{y}-H1", f"{y}年上半年"] if d.month == 6 else [f"{y}-H2", f"{y}年下半年"]


def year_forms(d: date) -> list[str]:
    y = d.year
    forms = [f'"{y}"', f"{y}年底", f"{y}年年底"]
    if y == YEAR:
        forms += ["年底", "年底", "年底前"]
    return forms


def month_ends(lo: date, hi: date, months: tuple[int, ...] = tuple(range(1, 13))) -> list[date]:
    out = []
    for y in range(lo.year, hi.year + 1):
        for m in months:
            e = month_end(y, m)
            if lo <= e <= hi:
                out.append(e)
    return out


DEADLINE_KINDS: tuple[tuple[str, int], ...] = (
    ("day", 34), ("month", 30), ("quarter", 12), ("half", 8), ("year", 16),
)


def pick_deadline(rng: random.Random, lo: date, hi: date, kinds: str = "all") -> tuple[date, str]:
    """A deadline in [lo, hi] (hi >= lo) and how a clerk might write it.

    The form is picked first, then a date of that form in range; a day form is
    the fallback when no month/quarter/half/year end falls in range.
    """
    if hi < lo:
        hi = lo
    table = DEADLINE_KINDS if kinds == "all" else (("day", 45), ("month", 55))
    kind = rng.choices([k for k, _ in table], [w for _, w in table])[0]
    candidates: list[date] = []
    forms: Callable[[date], list[str]] = day_forms
    if kind == "month":
        candidates, forms = month_ends(lo, hi), month_forms
    elif kind == "quarter":
        candidates, forms = month_ends(lo, hi, (3, 6, 9, 12)), quarter_forms
    elif kind == "half":
        candidates, forms = month_ends(lo, hi, (6, 12)), half_forms
    elif kind == "year":
        candidates, forms = month_ends(lo, hi, (12,)), year_forms
    if not candidates:
        candidates, forms = [rand_day(rng, lo, hi)], day_forms
    d = rng.choice(candidates)
    text = rng.choice(forms(d))
    if rng.random() < 0.01 and not text.startswith('"'):
        text = text.translate(FULL_WIDTH)  # 全角数字, as pasted from a Word document
    return d, text


def day_text(rng: random.Random, d: date) -> str:
    """A plain date (start, done, progress): mostly ISO, sometimes a Chinese form."""
    r = rng.random()
    if r < 0.85:
        return d.isoformat()
    if r < 0.93:
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.year}/{d.month}/{d.day}"


# --- YAML text ----------------------------------------------------------------------------

_UNSAFE = set(":#,[]{}&*!|>'\"%@`")


def scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when that reads back as the same string."""
    if (not text or any(c in _UNSAFE for c in text) or text[0] in "-?" or text.strip() != text
            or text.lower() in {"yes", "no", "true", "false", "null", "on", "off", "y", "n", "~"}
            or text.replace(".", "", 1).isdigit()):
        return json.dumps(text, ensure_ascii=False)
    return text


def number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


# --- the plan of one task -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Parent:
    id: str
    start: date
    due: date
    target: tuple[str, str, float] | None  # metric, unit, value (direction at_least only)


@dataclass(frozen=True, slots=True)
class UnitInfo:
    index: int
    id: str
    name: str
    kind: str
    path: str


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "某某"


def make_title(rng: random.Random) -> str:
    for _ in range(20):
        t = rng.choice(PLACES) + rng.choice(OBJECTS) + rng.choice(ACTIONS) + rng.choice(TAILS)
        if 20 <= len(t) <= 40:
            return t
    return (t + "年度目标任务推进落实")[:40]


class Keys:
    """Key spelling for one task: English or the Chinese aliases."""

    def __init__(self, chinese: bool) -> None:
        self.chinese = chinese

    def task(self, key: str) -> str:
        return TASK_KEYS[key] if self.chinese else key

    def sub(self, table: dict[str, str], key: str) -> str:
        return table[key] if self.chinese else key


class Generator:
    """One ledger's worth of choices; `run()` writes it."""

    def __init__(self, out: Path, units: int, tasks_per_unit: int, seed: int) -> None:
        self.out = out
        self.n_units = units
        self.per_unit = tasks_per_unit
        self.rng = random.Random(seed)
        self.units: list[UnitInfo] = []
        self.parents: list[Parent] = []  # recent tasks that children may point to
        self.task_count = 0

    # -- files --

    def run(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        self.units = [self.make_unit(i) for i in range(1, self.n_units + 1)]
        self.write(self.out / "sanzhua.yaml", self.settings_text())
        self.write(self.out / "units.yaml", self.units_text())
        for unit in self.units:
            text = self.ledger_text(unit)
            crlf = self.rng.random() < 0.02
            bom = self.rng.random() < 0.0125
            if crlf:
                text = text.replace("\n", "\r\n")
            self.write(self.out / unit.path, text, bom=bom)
        return self.task_count

    @staticmethod
    def write(path: Path, text: str, bom: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + data if bom else data)

    def settings_text(self) -> str:
        return (
            "# 由 bench/generate.py 生成的压力测试台账\n"
            'name: "**县“三抓两促”活动（基准测试）"\n'
            "office: 县“三抓两促”活动推进办公室\n"
            f"year: {YEAR}\n"
            "lang: zh\n"
            "due_soon_days: 5\n"
            "behind_margin: 20\n"
            "report_every: week\n"
            "bulletin:\n"
            "  name: 政务督查\n"
            "  first_week: 2026-01-05\n"
        )

    def make_unit(self, i: int) -> UnitInfo:
        rng = self.rng
        uid = f"u{i:04d}"
        if rng.random() < 0.35:
            kind = "乡镇"
            name = f"第{i}{rng.choice(TOWN_KINDS)}"
        else:
            kind = "县直部门"
            base = DEPARTMENTS[i % len(DEPARTMENTS)]
            name = base if i <= len(DEPARTMENTS) else f"{base}（{i}）"
        r = rng.random()
        if r < 0.40:
            path = f"ledgers/{uid}.yaml"
        elif r < 0.70:
            path = f"ledgers/{kind}/{name}.yaml"
        elif r < 0.90:
            path = f"ledgers/{kind}/{uid}-{name}.yaml"
        else:
            path = f"ledgers/专项/{YEAR}/{uid}.yml"
        return UnitInfo(i, uid, name, kind, path)

    def units_text(self) -> str:
        rng = self.rng
        lines = ["# 责任单位名录", "units:"]
        for u in self.units:
            lines += [
                f"  - id: {u.id}",
                f"    name: {scalar(u.name)}",
                f"    kind: {u.kind}",
                f"    head: {person(rng)}",
                f"    deputy: {person(rng)}",
            ]
            if rng.random() < 0.7:
                lines.append(f"    editors: [clerk{u.index}@{u.id}.example.gov.cn]")
        return "\n".join(lines) + "\n"

    def ledger_text(self, unit: UnitInfo) -> str:
        rng = self.rng
        r = rng.random()
        style = "en" if r < 0.77 else "zh" if r < 0.95 else "mixed"
        if unit.index <= 3:  # even a tiny ledger has every style
            style = ("en", "zh", "mixed")[unit.index - 1]
        file_zh = style == "zh" or (style == "mixed" and rng.random() < 0.5)
        lines = [f"# {unit.name} {YEAR}年度“三抓两促”重点任务台账"]
        if rng.random() < 0.3:
            lines.append(f"# 填报：{person(rng)}　审核：{person(rng)}")
        lines.append(f"{FILE_KEYS['unit'] if file_zh else 'unit'}: {unit.id}")
        lines.append(f"{FILE_KEYS['tasks'] if file_zh else 'tasks'}:")
        for j in range(1, self.per_unit + 1):
            chinese = file_zh if style != "mixed" else rng.random() < 0.5
            if rng.random() < 0.05:
                lines.append("  " + rng.choice(COMMENTS))
            lines.extend(self.task_lines(unit, j, Keys(chinese)))
        return "\n".join(lines) + "\n"

    # -- one task --

    def task_lines(self, unit: UnitInfo, j: int, k: Keys) -> Iterator[str]:
        rng = self.rng
        self.task_count += 1
        tid = f"U{unit.index:04d}-{j:03d}"
        parent: Parent | None = None
        if self.parents and rng.random() < 0.10:
            parent = rng.choice(self.parents[-300:])

        # status and dates
        status = "active"
        r = rng.random()
        if r < 0.02 and parent is None:
            status = "planned"
        elif r < 0.04:
            status = "suspended"
        elif r < 0.05:
            status = "cancelled"

        if parent is not None:
            span = days_between(parent.start, parent.due)
            start = parent.start + timedelta(days=rng.randint(0, max(0, span // 3)))
        elif status == "planned":
            start = rand_day(rng, date(2026, 12, 1), date(2027, 2, 28))
        else:
            start = rand_day(rng, date(2026, 1, 1), date(2026, 10, 31))
        start_written = status == "planned" or rng.random() < 0.85

        extensions: list[tuple[str, date, str, date]] = []  # from text, from date, to text, to
        due_text: str | None
        if parent is not None:
            if rng.random() < 0.2:
                due, due_text = parent.due, None  # inherited from the parent
            else:
                due, due_text = pick_deadline(rng, min(start + timedelta(days=14), parent.due),
                                              parent.due)
        else:
            if status == "planned" or rng.random() < 0.7 or start + timedelta(days=14) > AS_OF:
                lo, hi = max(AS_OF + timedelta(days=1), start + timedelta(days=30)), LATEST_DUE
            else:
                lo, hi = start + timedelta(days=14), AS_OF
            due, due_text = pick_deadline(rng, lo, hi)
            if rng.random() < 0.05 and status not in ("planned", "cancelled"):
                extensions, due = self.extensions(start, due, due_text)
                due_text = due.isoformat()

        done: date | None = None
        finish_chance = 0.35 if due <= AS_OF else 0.04
        if status == "active" and rng.random() < finish_chance:
            lo_done = max(start, due - timedelta(days=60))
            hi_done = min(AS_OF, due + timedelta(days=20))
            if lo_done <= hi_done:
                done = rand_day(rng, lo_done, hi_done)
                status = "done"
        last_day = min(AS_OF, done) if done else AS_OF

        # target
        target: tuple[str, str, float, str | None] | None = None
        if parent is not None and parent.target is not None and rng.random() < 0.8:
            metric, tunit, pvalue = parent.target
            target = (metric, tunit, max(1.0, float(round(pvalue / rng.randint(3, 10)))), None)
        elif parent is None and rng.random() < 0.5:
            if rng.random() < 0.05:
                metric, tunit, lo_v, hi_v = rng.choice(AT_MOST_TARGETS)
                target = (metric, tunit, float(rng.randint(lo_v, hi_v)), "at_most")
            else:
                metric, tunit, lo_v, hi_v = rng.choice(TARGETS)
                direction = "at_least" if rng.random() < 0.1 else None
                target = (metric, tunit, float(rng.randint(lo_v, hi_v)), direction)

        if (parent is None and status in ("active", "done") and due - start >= timedelta(days=45)
                and (target is None or target[3] != "at_most")):
            ptarget = (target[0], target[1], target[2]) if target else None
            self.parents.append(Parent(tid, start, due, ptarget))

        # --- write it
        kt = k.task
        yield f"  - {kt('id')}: {tid}"
        title = make_title(rng)
        if parent is not None:
            title = f"{title[:24]}（{unit.name}分解任务）"
        yield f"    {kt('title')}: {scalar(title)}"
        yield f"    {kt('category')}: {scalar(rng.choice(CATEGORIES))}"
        if rng.random() < 0.9:
            source = rng.choice(SOURCES).format(n=rng.randint(1, 300))
            yield f"    {kt('source')}: {scalar(source)}"
        if rng.random() < 0.03:
            other = rng.choice(self.units)
            yield f"    {kt('lead')}: {other.id}"
            lead = other.id
        else:
            lead = unit.id
        if rng.random() < 0.3:
            picked = {rng.choice(self.units).id for _ in range(rng.randint(1, 3))}
            partners = sorted(picked - {lead})
            if partners:
                yield f"    {kt('partners')}: [{', '.join(partners)}]"
        yield f"    {kt('owner')}: {person(rng)}"
        if rng.random() < 0.85:
            yield f"    {kt('leader')}: {person(rng)}"
        if start_written:
            yield f"    {kt('start')}: {day_text(rng, start)}"
        if due_text is not None:
            comment = "  # 县委常委会确定" if rng.random() < 0.03 else ""
            yield f"    {kt('due')}: {due_text}{comment}"
        if parent is not None:
            yield f"    {kt('parent')}: {parent.id}"

        yield from self.milestone_lines(k, start, due, last_day)

        if target is not None:
            metric, tunit, value, direction = target
            tk = {key: k.sub(TARGET_KEYS, key) for key in TARGET_KEYS}
            parts = [f"{tk['metric']}: {scalar(metric)}", f"{tk['value']}: {number(value)}",
                     f"{tk['unit']}: {scalar(tunit)}"]
            if direction is not None:
                parts.append(f"{tk['direction']}: {direction}")
            if rng.random() < 0.8:
                yield f"    {kt('target')}: {{{', '.join(parts)}}}"
            else:
                yield f"    {kt('target')}:"
                for p in parts:
                    yield f"      {p}"

        if status in ("active", "done", "suspended", "cancelled") and start <= last_day:
            yield from self.progress_lines(k, start, due, last_day, target, done is not None)

        if extensions:
            yield f"    {kt('extensions')}:"
            ek = {key: k.sub(EXTENSION_KEYS, key) for key in EXTENSION_KEYS}
            for from_text, from_day, to_text, _to in extensions:
                approved = rand_day(rng, start, min(from_day, AS_OF))
                yield (f"      - {{{ek['from']}: {from_text}, {ek['to']}: {to_text}, "
                       f"{ek['approved_by']}: {person(rng)}, "
                       f"{ek['ref']}: 督办延〔2026〕{rng.randint(1, 99)}号, "
                       f"{ek['date']}: {approved.isoformat()}}}")

        if status == "done":
            assert done is not None
            if rng.random() < 0.3:
                yield f"    {kt('status')}: {STATUS_ZH['done'] if k.chinese else 'done'}"
            yield f"    {kt('done')}: {day_text(rng, done)}"
        elif status != "active" or rng.random() < 0.1:
            shown = STATUS_ZH[status] if k.chinese and rng.random() < 0.5 else status
            yield f"    {kt('status')}: {shown}"
        if rng.random() < 0.6:
            yield f"    {kt('supervision')}: {rng.choice(SUPERVISION)}"
        if rng.random() < 0.4:
            tags = sorted(set(rng.sample(TAGS, rng.randint(1, 3))))
            yield f"    {kt('tags')}: [{', '.join(tags)}]"

    def extensions(self, start: date, due: date, due_text: str
                   ) -> tuple[list[tuple[str, date, str, date]], date]:
        """One or two extensions starting from the original deadline; the new deadline."""
        rng = self.rng
        out = []
        from_day, from_text = due, due_text
        for _ in range(1 if rng.random() < 0.8 else 2):
            to = from_day + timedelta(days=rng.randint(30, 120))
            out.append((from_text, from_day, to.isoformat(), to))
            from_day, from_text = to, to.isoformat()
        return out, from_day

    def milestone_lines(self, k: Keys, start: date, due: date, last_day: date) -> Iterator[str]:
        rng = self.rng
        n = rng.choices((0, 1, 2, 3), (45, 25, 20, 10))[0]
        if n == 0 or due <= start:
            return
        mk = {key: k.sub(MILESTONE_KEYS, key) for key in MILESTONE_KEYS}
        names = sorted(rng.sample(MILESTONE_NAMES, n), key=MILESTONE_NAMES.index)
        picked = sorted(pick_deadline(rng, start + timedelta(days=1), due, kinds="fine")
                        for _ in range(n))
        flow = rng.random() < 0.7
        yield f"    {k.task('milestones')}:"
        for name, (mdue, mtext) in zip(names, picked, strict=True):
            mdone: date | None = None
            if mdue <= AS_OF + timedelta(days=20) and start <= last_day and rng.random() < 0.7:
                mdone = rand_day(rng, max(start, mdue - timedelta(days=30)),
                                 min(last_day, mdue + timedelta(days=10)))
                if mdone < start or mdone > last_day:
                    mdone = None
            parts = [f"{mk['name']}: {name}", f"{mk['due']}: {mtext}"]
            if mdone is not None:
                parts.append(f"{mk['done']}: {day_text(rng, mdone)}")
            if flow:
                yield f"      - {{{', '.join(parts)}}}"
            else:
                yield f"      - {parts[0]}"
                for p in parts[1:]:
                    yield f"        {p}"

    def progress_lines(self, k: Keys, start: date, due: date, last_day: date,
                       target: tuple[str, str, float, str | None] | None,
                       done: bool) -> Iterator[str]:
        rng = self.rng
        n = rng.choices(range(9), (18, 22, 18, 14, 10, 7, 5, 3, 3))[0]
        span = days_between(start, last_day)
        n = min(n, span + 1)
        if n == 0:
            return
        days = sorted(rng.sample(range(span + 1), n))
        if rng.random() < 0.5 and span >= 6 and days[-1] < span - 6:
            days[-1] = span - rng.randint(0, 6)  # reported this week
        dates = sorted({start + timedelta(days=d) for d in days})
        pk = {key: k.sub(PROGRESS_KEYS, key) for key in PROGRESS_KEYS}
        use_value = target is not None and target[3] != "at_most" and rng.random() < 0.85
        use_percent = not use_value and target is None and rng.random() < 0.6
        total = max(1, days_between(start, due))
        final_share = 1.0 if done else min(1.0, max(0.05, days_between(start, last_day) / total
                                                    + rng.uniform(-0.35, 0.15)))
        flow = rng.random() < 0.8
        yield f"    {k.task('progress')}:"
        level = 0.0
        for i, d in enumerate(dates):
            share = final_share * (i + 1) / len(dates)
            level = max(level, share)
            parts = [f"{pk['date']}: {day_text(rng, d)}"]
            if use_value and target is not None:
                v = target[2] * level
                parts.append(f"{pk['value']}: {number(round(v, 1) if v < 100 else round(v))}")
            elif use_percent:
                parts.append(f"{pk['percent']}: {number(round(level * 100))}")
            note = rng.choice(NOTES)
            if rng.random() < 0.1:
                note += "，" + rng.choice(NOTES)
            if rng.random() < 0.02:
                note = f"{note}: 详见附件"  # an ASCII colon forces quoting
            parts.append(f"{pk['note']}: {scalar(note)}")
            if rng.random() < 0.2:
                parts.append(f"{pk['by']}: {person(rng)}")
            if flow:
                yield f"      - {{{', '.join(parts)}}}"
            else:
                yield f"      - {parts[0]}"
                for p in parts[1:]:
                    yield f"        {p}"


def generate(out: Path, units: int, tasks_per_unit: int, seed: int = 1) -> int:
    """Write a ledger root into `out`; return the number of tasks written."""
    return Generator(out, units, tasks_per_unit, seed).run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--tasks-per-unit", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.units < 1 or args.tasks_per_unit < 1:
        parser.error("--units and --tasks-per-unit must be at least 1")
    n = generate(args.outdir, args.units, args.tasks_per_unit, args.seed)
    print(f"wrote {n} tasks in {args.units} files to {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
