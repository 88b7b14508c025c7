# ruff: noqa: E501  (spreadsheet rows are long)
"""sanzhua import on spreadsheets laid out the ways county offices lay them out.

Every row below the header ends up exactly once: as a task, or as a note with its row
number and why (a section heading, a total, a footer, or the reason it could not come
in). The tests assert that outcome row by row.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from sanzhua.commands.importer import import_table
from sanzhua.interchange.cells import UnitMatcher
from sanzhua.interchange.tabular import Formula, read_table_file
from sanzhua.interchange.writer import append_to_file, file_style, render_task
from sanzhua.interchange.xlsx_import import ImportOptions, ImportPlan, find_header, plan_import
from sanzhua.load import load_ledger

TODAY = date(2026, 7, 1)

UNITS = textwrap.dedent("""\
    units:
      - {id: chengguan, name: 城关镇, kind: 乡镇}
      - {id: dongtun, name: 东屯镇, kind: 乡镇}
      - {id: fgw, name: 县发改委, kind: 县直部门}
      - {id: swj, name: 县商务局, kind: 县直部门}
      - {id: zjj, name: 县住建局, kind: 县直部门}
      - {id: jtysj, name: 县交通运输局, kind: 县直部门}
      - {id: cgj, name: 县城市管理局, kind: 县直部门}
      - {id: slj, name: 县水利局, kind: 县直部门}
      - {id: zrzyj, name: 县自然资源局, kind: 县直部门}
      - {id: jtj, name: 县教体局, kind: 县直部门}
      - {id: wjw, name: 县卫健委, kind: 县直部门}
      - {id: rsj, name: 县人社局, kind: 县直部门}
      - {id: nyj, name: 县农业农村局, kind: 县直部门}
      - {id: wgj, name: 县文广旅局, kind: 县直部门}
      - {id: czj, name: 县财政局, kind: 县直部门}
    """)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "ledger"
    (r / "ledgers").mkdir(parents=True)
    (r / "sanzhua.yaml").write_text("name: 测试县\nyear: 2026\nlang: zh\n", encoding="utf-8")
    (r / "units.yaml").write_text(UNITS, encoding="utf-8")
    return r


# -- the spreadsheets ----------------------------------------------------------------------


def merged_title_workbook(path: Path) -> None:
    """A big merged title, a subtitle row, a two-row header with 责任单位 split into 牵头 and
    配合, 一、 section rows, dates as serials, datetimes and text, a 合计 row and a footer."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["延津县2026年重点工作任务台账"])
    ws.merge_cells("A1:I1")
    ws.append(["填报单位：县政府督查室", None, None, None, None, None, "填报时间：2026年6月30日"])
    ws.append(["序号", "工作任务", "责任单位", None, "责任人", "包抓领导", "完成时限", "进展情况", "备注"])
    ws.append([None, None, "牵头单位", "配合单位", None, None, None, None, None])
    for col in "ABEFGHI":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("C3:D3")
    ws.append(["一、抓具体"])  # 5
    ws.merge_cells("A5:I5")
    ws.append([1, "森林公园综合开发项目前期推进", "县发改委", "县财政局、县自然资源局", "张某某", "赵某某", 46295, "可研已批复", None])
    ws.append([2, "老旧小区改造", "县住建局", None, "王某某", "钱某某", datetime(2026, 11, 30), "完成60%", "重点"])
    ws.append([3, "农村公路提质", "县交通运输局", "县财政局", "李某", "孙某", "9月底", "正在施工", None])
    ws.append(["二、抓民生"])  # 9
    ws.merge_cells("A9:I9")
    ws.append([4, "新建幼儿园2所", "县教体局", None, None, None, "2026.6.30", None, None])
    ws.append([5, "医保扩面", "县卫健委", None, None, None, "年底前", "序时推进", None])
    ws.append([6, "长期性工作", "县人社局", None, None, None, "长期", None, None])  # 12
    ws.append([None] * 9)  # 13: blank
    ws.append(["合计", "6项"])  # 14
    ws.append(["填报人：张三    联系电话：0373-1234567"])  # 15
    ws.merge_cells("A15:I15")
    wb.save(path)


def other_words_workbook(path: Path) -> None:
    """Headers in other words, 一/二 in 序号 as section rows, unit names written loosely."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "重点任务"
    ws.append(["2026年“三抓两促”具体任务清单"])
    ws.merge_cells("A1:G1")
    ws.append(["序号", "主要任务", "责任领导", "牵头单位", "时限要求", "目前进展", "备注"])
    ws.append(["一", "抓项目建设", None, None, None, None, None])  # 3
    ws.append([1, "产业集聚区标准厂房建设", "副县长 周某", "发改委", "2026年第三季度", "主体完工", None])
    ws.append([2, "城区污水管网改造", "副县长 吴某", "县发展改革委、县住建局", "2026年10月", None, None])
    ws.append([3, "文旅项目招商", "副县长 郑某", "文广旅局", "10月31日", None, "新增"])
    ws.append(["二", "抓民生改善", None, None, None, None, None])  # 7
    ws.append([4, "城乡低保提标", "副县长 王某", "县民政局", "2026-12-31", None, None])  # 8
    ws.append([5, None, None, "县财政局", "2026-12-31", None, None])  # 9: no title
    ws.append([6, "  ", None, None, None, None, None])  # 10: junk
    ws.append([7, "垃圾分类", None, "城管局", date(2026, 12, 15), None, None])  # 11
    wb.save(path)


def unit_sheet_workbook(path: Path) -> None:
    """A unit's own sheet (the unit in the sheet name), 完成时间 as the only date column,
    a formula without a saved result, an impossible date, a 总计 row."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "县水利局"
    ws.append(["县水利局2026年重点工作台账"])
    ws.merge_cells("A1:E1")
    ws.append(["单位（盖章）：", None, None, "2026年7月1日"])
    ws.append(["序号", "具体任务", "分管领导", "完成时间", "推进情况"])
    ws.append([1, "河道清淤", "刘某", 46203, "已完成50%"])
    ws.append([2, "灌区改造", "刘某", "2026年下半年", "推进中"])
    ws.append([3, "水毁修复", "刘某", "=DATE(2026,8,31)", None])
    ws.append([4, "抗旱保障", "刘某", "2026-13-01", None])
    ws.append(["总计", None, None, None, None])
    wb.save(path)


def sections_workbook(path: Path) -> None:
    """Every header cell merged down over an empty second row; 一、 and （一） sections;
    完成情况; the same task twice."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "台账"
    ws.append(["序号", "任务名称", "责任单位", "完成时限", "完成情况", "备注"])
    ws.append([None] * 6)
    for col in "ABCDEF":
        ws.merge_cells(f"{col}1:{col}2")
    ws.append(["一、抓具体"])
    ws.merge_cells("A3:F3")
    ws.append(["（一）抓项目建设"])
    ws.merge_cells("A4:F4")
    ws.append(["1", "高铁站前广场", "县城市管理局", "2026年8月", "已完成", None])
    ws.append(["2", "工业园区道路", "县住建局", "2026年12月", "未完成", None])
    ws.append(["（二）抓招商引资"])
    ws.merge_cells("A7:F7")
    ws.append(["3", "引进亿元项目3个", "县商务局", "2026年年底", "完成2个", None])
    ws.append(["4", "重复任务", "县商务局", "2026年年底", None, None])
    ws.append(["5", "重复任务", "县商务局", "2026年年底", None, None])
    wb.save(path)


def sheets_workbook(path: Path) -> None:
    """An instructions sheet, then one sheet per town, named after it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "填表说明"
    ws.append(["填表说明：1. 时限请填写具体日期；2. 进展每周五更新"])
    ws2 = wb.create_sheet("城关镇")
    ws2.append(["城关镇三抓两促任务台账"])
    ws2.merge_cells("A1:D1")
    ws2.append(["序号", "重点工作", "时限", "进展情况"])
    ws2.append([1, "城关镇引进工业项目1个", "2026年11月30日", "洽谈中"])
    ws2.append([2, "城关镇完成市外内资1.5亿元", "年底", None])
    ws3 = wb.create_sheet("东屯镇")
    ws3.append(["序号", "重点工作", "时限", "进展情况"])
    ws3.append([1, "东屯镇人居环境整治", datetime(2026, 10, 31), "持续推进"])
    ws3.append(["填报人：李四", None, None, None])
    wb.save(path)


CSV_ROWS = [
    ["序号", "工作任务", "牵头单位", "配合单位", "责任人", "完成时限", "进展情况"],
    ["1", "雨污分流", "县住建局", "县城市管理局", "周某", "2026/9/30", "开工"],
    ["2", "电商进农村", "商务局", "", "吴某", "2026年三季度", ""],
    ["", "", "", "", "", "", ""],
    ["3", "无单位任务", "", "", "", "2026-10-31", ""],
    ["合计", "", "", "", "", "", ""],
]


def csv_utf8_bom(path: Path) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(CSV_ROWS)


def csv_gbk(path: Path) -> None:
    rows = [
        ["序号", "任务", "责任单位", "时间节点", "进展"],
        ["1", "秸秆禁烧", "县农业农村局", "2026年6月底", "全面巡查"],
        ["2", "高标准农田", "农业农村局", "2026年12月", ""],
        ["3", "错日期", "县农业农村局", "9月31日", ""],
    ]
    with path.open("w", encoding="gbk", newline="") as f:
        csv.writer(f).writerows(rows)


def plan_of(root: Path, path: Path, **kw: object) -> ImportPlan:
    ledger = load_ledger(root, cache=False)
    options = ImportOptions(year=2026, today=TODAY, **kw)  # type: ignore[arg-type]
    return plan_import(read_table_file(path), ledger.units, ledger.tasks, options)


Outcome = tuple[str, int, str, str]


def outcomes(plan: ImportPlan) -> list[Outcome]:
    """(sheet, row, what, detail): a task (its id and due) or a note (its level and key)."""
    out: list[Outcome] = [
        (d.sheet, d.row, "task", f"{d.id} {d.lead} {d.fields.get('due')}") for d in plan.drafts
    ]
    out += [(n.sheet, n.row, n.level, n.message.key) for n in plan.notes]
    return sorted(out, key=lambda o: (o[0], o[1], o[2]))


def accounted(plan: ImportPlan, path: Path) -> None:
    """Every non-blank row below a sheet's header is a task or has a note: none dropped."""
    for table in read_table_file(path):
        header = find_header(table.rows, {})
        if header is None:
            continue
        rows = {
            i + 1
            for i in range(header.last + 1, len(table.rows))
            if any(c is not None and str(c).strip() for c in table.rows[i])
        }
        seen = {d.row for d in plan.drafts if d.sheet == table.name}
        seen |= {n.row for n in plan.notes if n.sheet == table.name and n.level != "warning"}
        assert rows <= seen, (table.name, sorted(rows - seen))
        # a row is a task or it is not: never both
        assert not {d.row for d in plan.drafts if d.sheet == table.name} & {
            n.row for n in plan.notes if n.sheet == table.name and n.level == "error"
        }


# -- row by row ----------------------------------------------------------------------------

CASES: list[tuple[str, Callable[[Path], None], list[Outcome]]] = [
    (
        "t1.xlsx",
        merged_title_workbook,
        [
            ("Sheet", 5, "info", "import.section"),
            ("Sheet", 6, "task", "FGW-001 fgw 2026-09-30"),
            ("Sheet", 7, "task", "ZJJ-001 zjj 2026-11-30"),
            ("Sheet", 8, "task", "JTYSJ-001 jtysj 9月底"),
            ("Sheet", 9, "info", "import.section"),
            ("Sheet", 10, "task", "JTJ-001 jtj 2026.6.30"),
            ("Sheet", 11, "task", "WJW-001 wjw 年底前"),
            ("Sheet", 12, "error", "import.bad-due"),
            ("Sheet", 14, "info", "import.total-row"),
            ("Sheet", 15, "info", "import.footer-row"),
        ],
    ),
    (
        "t2.xlsx",
        other_words_workbook,
        [
            ("重点任务", 3, "info", "import.section"),
            ("重点任务", 4, "task", "FGW-001 fgw 2026年第三季度"),
            ("重点任务", 5, "task", "FGW-002 fgw 2026年10月"),
            ("重点任务", 5, "warning", "import.unit-abbrev"),
            ("重点任务", 6, "task", "WGJ-001 wgj 10月31日"),
            ("重点任务", 7, "info", "import.section"),
            ("重点任务", 8, "error", "import.unknown-unit"),
            ("重点任务", 9, "error", "import.no-title"),
            ("重点任务", 10, "error", "import.no-title"),
            ("重点任务", 11, "task", "CGJ-001 cgj 2026-12-15"),
            ("重点任务", 11, "warning", "import.unit-abbrev"),
        ],
    ),
    (
        "t3.xlsx",
        unit_sheet_workbook,
        [
            ("县水利局", 3, "info", "import.due-column"),
            ("县水利局", 4, "task", "SLJ-001 slj 2026-06-30"),
            ("县水利局", 5, "task", "SLJ-002 slj 2026年下半年"),
            ("县水利局", 6, "error", "import.formula"),
            ("县水利局", 7, "error", "import.bad-due"),
            ("县水利局", 8, "info", "import.total-row"),
        ],
    ),
    (
        "t4.xlsx",
        sections_workbook,
        [
            ("台账", 3, "info", "import.section"),
            ("台账", 4, "info", "import.section"),
            ("台账", 5, "task", "CGJ-001 cgj 2026年8月"),
            ("台账", 6, "task", "ZJJ-001 zjj 2026年12月"),
            ("台账", 7, "info", "import.section"),
            ("台账", 8, "task", "SWJ-001 swj 2026年年底"),
            ("台账", 9, "task", "SWJ-002 swj 2026年年底"),
            ("台账", 10, "error", "import.same-row"),
        ],
    ),
    (
        "t5.csv",
        csv_utf8_bom,
        [
            ("t5", 2, "task", "ZJJ-001 zjj 2026/9/30"),
            ("t5", 3, "task", "SWJ-001 swj 2026年三季度"),
            ("t5", 5, "error", "import.no-lead"),
            ("t5", 6, "info", "import.total-row"),
        ],
    ),
    (
        "t6.csv",
        csv_gbk,
        [
            ("t6", 2, "task", "NYJ-001 nyj 2026年6月底"),
            ("t6", 3, "task", "NYJ-002 nyj 2026年12月"),
            ("t6", 4, "error", "import.bad-due"),
        ],
    ),
    (
        "t7.xlsx",
        sheets_workbook,
        [
            ("东屯镇", 2, "task", "DONGTUN-001 dongtun 2026-10-31"),
            ("东屯镇", 3, "info", "import.footer-row"),
            ("城关镇", 3, "task", "CHENGGUAN-001 chengguan 2026年11月30日"),
            ("城关镇", 4, "task", "CHENGGUAN-002 chengguan 年底"),
            ("填表说明", 0, "warning", "import.no-table"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "make", "want"), CASES, ids=[c[0] for c in CASES])
def test_every_row_comes_in_or_is_reported(
    root: Path, tmp_path: Path, name: str, make: Callable[[Path], None], want: list[Outcome]
) -> None:
    path = tmp_path / name
    make(path)
    plan = plan_of(root, path)
    got = outcomes(plan)
    # the default sheet of a new workbook is "Sheet"; of a csv, the file's stem
    assert got == want
    accounted(plan, path)


def test_the_fields_come_in_right(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "t1.xlsx"
    merged_title_workbook(path)
    drafts = {d.row: d for d in plan_of(root, path).drafts}
    assert drafts[6].ordered() == {
        "id": "FGW-001",
        "title": "森林公园综合开发项目前期推进",
        "category": "抓具体",
        "partners": ["czj", "zrzyj"],
        "owner": "张某某",
        "leader": "赵某某",
        "due": "2026-09-30",
        "progress": [{"date": "2026-07-01", "note": "可研已批复"}],
    }
    assert drafts[7].fields["progress"] == [{"date": "2026-07-01", "percent": "60", "note": "完成60%"}]
    assert drafts[7].comments == ["备注：重点"]
    assert drafts[11].fields["category"] == "抓民生"


def test_two_level_sections_and_completion(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "t4.xlsx"
    sections_workbook(path)
    drafts = {d.row: d for d in plan_of(root, path).drafts}
    assert drafts[5].fields["category"] == "抓具体/抓项目建设"
    assert drafts[5].fields["status"] == "done"
    assert drafts[8].fields["category"] == "抓具体/抓招商引资"
    assert "status" not in drafts[6].fields  # 未完成 is simply open


def test_report_names_every_row_and_the_unmatched_units(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "t2.xlsx"
    other_words_workbook(path)
    out = io.StringIO()
    code = import_table(path, root, today=TODAY, dry_run=True, out=out)
    report = out.getvalue()
    assert code == 1
    for line in (
        "第5行：注意 — 责任单位“县发展改革委”按简称认作“县发改委”（fgw），请核对",
        "第8行：未导入 — 责任单位“县民政局”在 units.yaml 中找不到",
        "第9行：未导入 — 没有任务名称（这一行有：5；县财政局；2026-12-31）",
        "第10行：未导入 — 没有任务名称（这一行有：6）",
        "第11行：注意 — 责任单位“城管局”按简称认作“县城市管理局”（cgj），请核对",
        "在 units.yaml 中找不到的单位名称：县民政局（1行）",
        "读取 9 行，导入 4 项任务，3 行未导入",
    ):
        assert line in report, report
    assert not list((root / "ledgers").iterdir())  # --dry-run


def test_formula_and_impossible_date_say_why(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "t3.xlsx"
    unit_sheet_workbook(path)
    out = io.StringIO()
    assert import_table(path, root, today=TODAY, dry_run=True, out=out) == 1
    report = out.getvalue()
    assert "第6行：未导入 — 完成时间“=DATE(2026,8,31)”是没有计算结果的公式（在 Excel 或 WPS 中打开、保存后再导入）" in report
    assert "第7行：未导入 — 时限“2026-13-01”无法识别：不存在13月" in report


def test_only_footers_and_instructions_exit_0(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "t7.xlsx"
    sheets_workbook(path)
    res = CliRunner().invoke(app, ["import", str(path), "--root", str(root), "--date", "2026-07-01"])
    assert res.exit_code == 0, res.output
    assert "工作表“填表说明”：注意 — 这个工作表只有说明文字" in res.output
    ledger = load_ledger(root, cache=False)
    assert sorted(t.id for t in ledger.tasks) == ["CHENGGUAN-001", "CHENGGUAN-002", "DONGTUN-001"]
    assert not [p for f in ledger.files for p in f.problems if p.severity == "error"]


@pytest.mark.parametrize(
    ("written", "uid"),
    [
        ("发改委", "fgw"),  # exact after 县
        ("延津县发改委", "fgw"),
        ("县发展改革委", "fgw"),  # abbreviation, the other way round
        ("城管局", "cgj"),
        ("交通局", "jtysj"),
        ("县民政局", None),
        ("局", None),
    ],
)
def test_unit_names_as_clerks_write_them(written: str, uid: str | None) -> None:
    from sanzhua.model import Unit

    units = {
        u["id"]: Unit(id=u["id"], name=u["name"])
        for u in (
            {"id": "fgw", "name": "县发改委"},
            {"id": "cgj", "name": "县城市管理局"},
            {"id": "jtysj", "name": "县交通运输局"},
            {"id": "czj", "name": "县财政局"},
        )
    }
    m = UnitMatcher(units)
    assert (m.match(written) or m.abbreviation(written)) == uid


# -- writing into existing files -----------------------------------------------------------

NASTY_CG = (
    "\ufeff# 城关镇 任务台账\r\n责任单位: chengguan\r\n任务清单:\r\n"
    "    - 编号: CG-01   # 第一\r\n      任务: 城关镇引进工业项目1个\r\n      时限: 2026年12月31日\r\n"
    "      进展:\r\n        - {日期: 2026-06-30, 进度: 30}   # 上次\r\n        # 下一条写这里\r\n"
    "\r\n    - 编号: CG-02\r\n      任务: 最后一个\r\n      时限: 2026-12-31\r\n      进展:\r\n"
    "        - {日期: 2026-07-01, 进度: 10, 情况: 最后}"
).encode()


def test_append_keeps_every_byte_of_the_file(root: Path, tmp_path: Path) -> None:
    path = root / "ledgers" / "chengguan.yaml"
    path.write_bytes(NASTY_CG)
    src = tmp_path / "new.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "城关镇"
    ws.append(["序号", "重点工作", "时限", "进展情况", "备注"])
    ws.append([1, "城关镇新任务甲", "2026年11月30日", "洽谈中", "原定10月"])
    ws.append([2, "城关镇引进工业项目1个", "年底", None, None])  # there already
    wb.save(src)
    out = io.StringIO()
    assert import_table(src, root, today=TODAY, out=out) == 1
    assert "第3行：未导入 — 台账中已有名称和责任单位都相同的任务 CG-01" in out.getvalue()
    after = path.read_bytes()
    # what was there is there, byte for byte; the last line only gains its line ending
    assert after.startswith(NASTY_CG + b"\r\n")
    assert after[len(NASTY_CG) :].decode() == (
        "\r\n"
        "\r\n"
        "    # 备注：原定10月\r\n"
        "    - 编号: CG-03\r\n"
        "      任务: 城关镇新任务甲\r\n"
        "      时限: 2026年11月30日\r\n"
        "      进展:\r\n"
        "        - {日期: 2026-07-01, 情况: 洽谈中}"
    )
    ledger = load_ledger(root, cache=False)
    assert [t.id for t in ledger.tasks] == ["CG-01", "CG-02", "CG-03"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # indentless list, a comment after the last task
            "unit: fgw\ntasks:\n- id: FGW-001\n  title: 甲\n  due: 年底\n  # 甲的备注\n# 文件末尾\n",
            "unit: fgw\ntasks:\n- id: FGW-001\n  title: 甲\n  due: 年底\n  # 甲的备注\n\n- id: FGW-002\n  title: 乙\n  due: 2026-12-31\n# 文件末尾\n",
        ),
        (
            "unit: fgw\ntasks: []   # 还没有任务\n",
            "unit: fgw\ntasks:   # 还没有任务\n  - id: FGW-002\n    title: 乙\n    due: 2026-12-31\n",
        ),
        (
            "---\nunit: fgw\ntasks:\n",
            "---\nunit: fgw\ntasks:\n  - id: FGW-002\n    title: 乙\n    due: 2026-12-31\n",
        ),
    ],
)
def test_append_to_odd_files(before: str, after: str) -> None:
    style, appendable = file_style(before.encode(), "en")
    assert appendable
    block = render_task({"id": "FGW-002", "title": "乙", "due": "2026-12-31"}, [], style)
    assert append_to_file(before.encode(), [block], style).decode() == after


def test_a_flow_task_list_gets_a_new_file_and_an_invalid_one_is_left_alone(
    root: Path, tmp_path: Path
) -> None:
    flow = b"unit: dongtun\ntasks: [{id: DT-01, title: x, due: 2026-12-31}]\n"
    (root / "ledgers" / "dongtun.yaml").write_bytes(flow)
    bad = b"unit: chengguan\ntasks:\n- id: CG-01\n  title: y\n  due: 2026-02-30\n"
    (root / "ledgers" / "chengguan.yaml").write_bytes(bad)
    path = tmp_path / "t7.xlsx"
    sheets_workbook(path)
    out = io.StringIO()
    assert import_table(path, root, today=TODAY, out=out) == 1
    report = out.getvalue()
    assert "工作表“城关镇”第3行：未导入 — ledgers/chengguan.yaml 现在就有错误" in report
    assert "工作表“城关镇”第4行：未导入 — ledgers/chengguan.yaml 现在就有错误" in report
    assert "任务清单写成一行 [...]" in report
    assert (root / "ledgers" / "dongtun.yaml").read_bytes() == flow
    assert (root / "ledgers" / "chengguan.yaml").read_bytes() == bad
    assert "DT-02" in (root / "ledgers" / "dongtun-2.yaml").read_text(encoding="utf-8")


# -- the round trip ------------------------------------------------------------------------


def test_export_then_import_into_an_empty_ledger_agrees_on_every_task(
    root: Path, tmp_path: Path
) -> None:
    for make, name in ((merged_title_workbook, "t1.xlsx"), (sections_workbook, "t4.xlsx")):
        make(tmp_path / name)
        import_table(tmp_path / name, root, today=TODAY, out=io.StringIO())
    empty = tmp_path / "empty"
    (empty / "ledgers").mkdir(parents=True)
    for f in ("sanzhua.yaml", "units.yaml"):
        (empty / f).write_bytes((root / f).read_bytes())
    runner = CliRunner()
    for by in ([], ["--by", "unit"]):
        book = tmp_path / f"export{len(by)}.xlsx"
        res = runner.invoke(
            app, ["export", "--root", str(root), "--as-of", "2026-07-01", "-o", str(book), *by]
        )
        assert res.exit_code == 0, res.output
        target = tmp_path / f"empty{len(by)}"
        (target / "ledgers").mkdir(parents=True)
        for f in ("sanzhua.yaml", "units.yaml"):
            (target / f).write_bytes((root / f).read_bytes())
        out = io.StringIO()
        assert import_table(book, target, today=TODAY, out=out) == 0, out.getvalue()

        def status(r: Path) -> list[dict[str, object]]:
            res = runner.invoke(
                app, ["status", "--root", str(r), "--as-of", "2026-07-01", "--format", "json"]
            )
            tasks: list[dict[str, object]] = json.loads(res.stdout)["tasks"]
            return sorted(
                ({k: v for k, v in t.items() if k not in ("file", "line")} for t in tasks),
                key=lambda t: str(t["id"]),
            )

        assert status(target) == status(root)
        assert len(status(root)) == 9


@pytest.mark.parametrize(
    ("cell", "day", "written"),
    [
        (46295, date(2026, 9, 30), "2026-09-30"),  # an Excel serial
        ("46295", date(2026, 9, 30), "2026-09-30"),  # a serial in a text cell
        (datetime(2026, 6, 30, 0, 0), date(2026, 6, 30), "2026-06-30"),
        ("2026.6.30", date(2026, 6, 30), "2026.6.30"),  # FORMAT.md forms are kept as written
        ("9月底", date(2026, 9, 30), "9月底"),
        ("年底前", date(2026, 12, 31), "年底前"),
        ("2026年第三季度", date(2026, 9, 30), "2026年第三季度"),
        ("6月底前完成", date(2026, 6, 30), "2026-06-30"),  # others as ISO, the text kept aside
        ("11月上旬前", date(2026, 11, 10), "2026-11-10"),
        ("12月中旬", date(2026, 12, 20), "2026-12-20"),
        ("2026年11月下旬", date(2026, 11, 30), "2026-11-30"),
        ("20260630", date(2026, 6, 30), "2026-06-30"),
        (20260630, date(2026, 6, 30), "2026-06-30"),  # 20260630 typed into a number cell
        ("6.3", date(2026, 6, 3), "2026-06-03"),  # month.day: June 3, not a decimal
        ("6.30前", date(2026, 6, 30), "2026-06-30"),
        ("年内完成", date(2026, 12, 31), "2026-12-31"),
        ("2026/6/30 0:00", date(2026, 6, 30), "2026-06-30"),
    ],
)
def test_dates_as_offices_write_them(cell: object, day: date, written: str) -> None:
    from sanzhua.interchange.cells import read_when

    w = read_when(cell, 2026)  # type: ignore[arg-type]
    assert (w.day, w.written) == (day, written)


@pytest.mark.parametrize(
    "cell",
    ["长期", "长期坚持", "持续推进", "每月", "2026-13-01", "9月31日", "=DATE(2026,8,31)", 20261301, 20260230, 12345678, 6.3],
)
def test_dates_that_cannot_be_read(cell: object) -> None:
    from sanzhua.interchange.cells import CellError, read_when

    with pytest.raises(CellError):
        read_when(cell, 2026)  # type: ignore[arg-type]


def test_footer_lines_not_merged_are_footers(root: Path, tmp_path: Path) -> None:
    path = tmp_path / "t9.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "县水利局"
    ws.append(["序号", "具体任务", "时限", "进展情况"])
    ws.append([1, "河道清淤", "9月底", "已完成50%"])
    ws.append(["填报人：张三", "联系电话：123", None, "审核：李四"])
    ws.append(["注：时限以县政府文件为准"])
    ws.append(["制表：王五"])
    wb.save(path)
    plan = plan_of(root, path)
    assert outcomes(plan) == [
        ("县水利局", 2, "task", "SLJ-001 slj 9月底"),
        ("县水利局", 3, "info", "import.footer-row"),
        ("县水利局", 4, "info", "import.footer-row"),
        ("县水利局", 5, "info", "import.footer-row"),
    ]


# -- formulas without a saved result -------------------------------------------------------


def formula_workbook(path: Path) -> None:
    """Formulas as a program writes them (openpyxl saves no result): in the title, the
    owner, the target; one in 时序进度, which import ignores; a task sheet and 进展记录."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "任务"
    ws.append(["编号", "任务", "责任单位", "责任人", "时限", "目标值", "时序进度"])
    ws.append(["FGW-001", '="完成"&"投资"', "县发改委", None, "2026-09-30", None, None])  # 2
    ws.append(["FGW-002", "招商引资", "县发改委", "=B2", "2026-09-30", None, None])  # 3
    ws.append(["FGW-003", "项目开工", "县发改委", None, "2026-09-30", "=2*25", None])  # 4
    ws.append(["FGW-004", "项目谋划", "县发改委", None, 20260630, None, "=ROUND(0.5,0)"])  # 5
    pr = wb.create_sheet("进展记录")
    pr.append(["编号", "日期", "情况"])
    pr.append(["FGW-004", "2026-06-01", '="已"&"谋划"'])  # 2
    pr.append(["FGW-004", "2026-06-20", "完成谋划"])  # 3
    wb.save(path)


def test_a_formula_without_a_saved_result_is_reported_in_any_column(
    root: Path, tmp_path: Path
) -> None:
    path = tmp_path / "f.xlsx"
    formula_workbook(path)
    plan = plan_of(root, path)
    assert outcomes(plan) == [
        ("任务", 2, "error", "import.formula"),
        ("任务", 3, "error", "import.formula"),
        ("任务", 4, "error", "import.formula"),
        ("任务", 5, "task", "FGW-004 fgw 2026-06-30"),  # 时序进度 is never imported
        ("进展记录", 2, "error", "import.formula"),
    ]
    accounted(plan, path)
    (draft,) = plan.drafts
    assert draft.fields["progress"] == [{"date": "2026-06-20", "note": "完成谋划"}]  # row 3 only
    out = io.StringIO()
    assert import_table(path, root, today=TODAY, dry_run=True, out=out) == 1
    report = out.getvalue()
    assert "title: =" not in report and '完成"&' not in report.split("将写入")[1]
    hint = "（在 Excel 或 WPS 中打开、保存后再导入）"
    for line in (
        f'工作表“任务”第2行：未导入 — 任务“="完成"&"投资"”是没有计算结果的公式{hint}',
        f"工作表“任务”第3行：未导入 — 责任人“=B2”是没有计算结果的公式{hint}",
        f"工作表“任务”第4行：未导入 — 目标值“=2*25”是没有计算结果的公式{hint}",
        f'工作表“进展记录”第2行：未导入 — 情况“="已"&"谋划"”是没有计算结果的公式{hint}',
    ):
        assert line in report, report


def with_saved_results(path: Path, results: dict[str, str]) -> None:
    """The workbook as Excel would save it: each formula cell given its result (cell → text)."""
    import re
    import zipfile

    sheet = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[sheet].decode("utf-8")
    for ref, value in results.items():
        xml, n = re.subn(
            rf'<c r="{ref}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?</c>',
            rf'<c r="{ref}"\1 t="str"><f>\2</f><v>{value}</v></c>',
            xml,
        )
        assert n == 1, ref
    parts[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_workbook_is_loaded_once_unless_a_formula_has_no_saved_result(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[bool] = []
    real = openpyxl.load_workbook

    def counting(path: Path, data_only: bool = False, **kw: object) -> object:
        loads.append(data_only)
        return real(path, data_only=data_only, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(openpyxl, "load_workbook", counting)

    plain = tmp_path / "t1.xlsx"
    merged_title_workbook(plain)
    before = read_table_file(plain)
    assert loads == [True]  # no formula at all

    saved = tmp_path / "saved.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["任务", "责任单位", "时限"])
    ws.append(['="完成"&"投资"', "县发改委", "2026-09-30"])
    wb.save(saved)
    with_saved_results(saved, {"A2": "完成投资"})
    loads.clear()
    assert read_table_file(saved)[0].rows[1] == ["完成投资", "县发改委", "2026-09-30"]
    assert loads == [True]  # formulas, every one with its result saved

    unsaved = tmp_path / "f.xlsx"
    formula_workbook(unsaved)
    loads.clear()
    rows = read_table_file(unsaved)[0].rows
    assert loads == [True, False]
    assert rows[1][1] == '="完成"&"投资"' and isinstance(rows[1][1], Formula)
    assert rows[4][4] == 20260630 and rows[1][0] == "FGW-001"
    # the same tables as before the change: merged cells, dates, numbers
    assert before[0].rows[5][:3] == [1, "森林公园综合开发项目前期推进", "县发改委"]


# -- writing: from the bytes the ledger was loaded from, all files or none -------------------

FGW = "unit: fgw\ntasks:\n  - id: FGW-001\n    title: 甲\n    due: 年底\n"
SWJ = "unit: swj\ntasks:\n  - id: SWJ-001\n    title: 乙\n    due: 年底\n"


def two_units_workbook(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["任务", "责任单位", "时限"])
    ws.append(["发改委新任务", "县发改委", "2026-09-30"])
    ws.append(["商务局新任务", "县商务局", "2026-10-31"])
    wb.save(path)


def test_a_file_changed_after_loading_means_no_file_is_written(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanzhua.commands import importer
    from sanzhua.errors import FatalError

    fgw, swj = root / "ledgers" / "fgw.yaml", root / "ledgers" / "swj.yaml"
    fgw.write_text(FGW, encoding="utf-8")
    swj.write_text(SWJ, encoding="utf-8")
    src = tmp_path / "two.xlsx"
    two_units_workbook(src)
    real = importer._compose

    def compose_while_a_clerk_saves(t: importer._Target, *a: object) -> bytes:
        data = real(t, *a)  # type: ignore[arg-type]
        if t.path.endswith("swj.yaml"):
            swj.write_text(SWJ + "  # 刚改的\n", encoding="utf-8")
        return data

    monkeypatch.setattr(importer, "_compose", compose_while_a_clerk_saves)
    with pytest.raises(FatalError) as e:
        import_table(src, root, today=TODAY, out=io.StringIO())
    assert "ledgers/swj.yaml 在读取后被修改过" in e.value.message
    assert fgw.read_text(encoding="utf-8") == FGW  # the first one is not written either
    assert swj.read_text(encoding="utf-8") == SWJ + "  # 刚改的\n"


def test_a_write_refused_midway_names_the_files_written_before_it(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanzhua.commands import importer
    from sanzhua.errors import FatalError

    fgw, swj = root / "ledgers" / "fgw.yaml", root / "ledgers" / "swj.yaml"
    fgw.write_text(FGW, encoding="utf-8")
    swj.write_text(SWJ, encoding="utf-8")
    src = tmp_path / "two.xlsx"
    two_units_workbook(src)
    real = importer.write_atomic

    def write_while_a_clerk_saves(path: Path, data: bytes, expected: bytes | None) -> None:
        if path == swj:
            swj.write_text(SWJ + "  # 刚改的\n", encoding="utf-8")
        real(path, data, expected)

    monkeypatch.setattr(importer, "write_atomic", write_while_a_clerk_saves)
    with pytest.raises(FatalError) as e:
        import_table(src, root, today=TODAY, out=io.StringIO())
    assert e.value.message == (
        "ledgers/swj.yaml 在读取后被修改过（可能有人同时在编辑），未写入；在它之前已写入：ledgers/fgw.yaml"
    )
    assert "FGW-002" in fgw.read_text(encoding="utf-8")
    assert swj.read_text(encoding="utf-8") == SWJ + "  # 刚改的\n"


def test_import_composes_from_the_loaded_bytes_and_reports_after_writing(
    root: Path, tmp_path: Path
) -> None:
    fgw = root / "ledgers" / "fgw.yaml"
    fgw.write_bytes("\ufeffunit: fgw\r\ntasks:\r\n    - id: FGW-001\r\n      title: 甲\r\n      due: 2026-12-31\r\n".encode())
    src = tmp_path / "two.xlsx"
    two_units_workbook(src)
    out = io.StringIO()
    assert import_table(src, root, today=TODAY, out=out) == 0
    assert "已写入 ledgers/fgw.yaml：1 项任务（追加到已有文件末尾）" in out.getvalue()
    assert "已写入 ledgers/swj.yaml：1 项任务（新文件）" in out.getvalue()
    assert fgw.read_bytes().endswith(
        "\r\n\r\n    - id: FGW-002\r\n      title: 发改委新任务\r\n      due: 2026-09-30\r\n".encode()
    )
    ledger = load_ledger(root, cache=False)
    assert [t.id for t in ledger.tasks] == ["FGW-001", "FGW-002", "SWJ-001"]


@pytest.mark.parametrize(
    ("text", "item", "key", "blank", "newline", "appendable"),
    [
        ("unit: fgw\ntasks:\n    - id: A\n      title: a\n    - id: B\n      title: b\n", 4, 6, False, "\n", True),
        ("unit: fgw\r\ntasks:\r\n- id: A\r\n  title: a\r\n\r\n- id: B\r\n", 0, 2, True, "\r\n", True),
        # another list below, with a blank line in it, says nothing about the tasks
        ("unit: fgw\ntasks:\n  -   id: A\n  -   id: B\nother:\n  - x\n\n  - y\n", 2, 6, False, "\n", True),
        ("unit: fgw\ntasks: [{id: A, title: a, due: 年底}]\n", 2, 4, True, "\n", False),
        ("unit: fgw\ntasks: 没有\n", 2, 4, True, "\n", False),
        ("unit: fgw\ntasks: [\n", 2, 4, True, "\n", False),  # does not parse
    ],
)
def test_file_style_reads_the_task_list_and_says_whether_it_takes_more(
    text: str, item: int, key: int, blank: bool, newline: str, appendable: bool
) -> None:
    from sanzhua.interchange.writer import CannotAppend

    style, ok = file_style(text.encode(), "en")
    assert (style.item_indent, style.key_indent, style.blank_between, style.newline, ok) == (
        item,
        key,
        blank,
        newline,
        appendable,
    )
    if not ok and "[\n" not in text:
        with pytest.raises(CannotAppend):
            append_to_file(text.encode(), [], style)


@pytest.mark.parametrize(
    ("header", "due"),
    [("完成时间", True), ("完成时间（填日期）", True), ("办结日期", True), ("实际完成时间", False), ("done", False)],
)
def test_which_done_headers_may_be_the_deadline(header: str, due: bool) -> None:
    from sanzhua.interchange.columns import done_or_due, field_of

    assert field_of(header) == "done"
    assert done_or_due(header) is due
