"""sanzhua import: real spreadsheets laid out the ways county offices lay them out."""

from __future__ import annotations

import io
import textwrap
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import Alignment

from sanzhua.commands.importer import import_table
from sanzhua.load import load_ledger

TODAY = date(2026, 11, 25)

UNITS = textwrap.dedent("""\
    units:
      - {id: fgw, name: 县发改委, kind: 县直部门}
      - {id: zjj, name: 县住建局, kind: 县直部门}
      - {id: czj, name: 县财政局, kind: 县直部门}
      - {id: zrzyj, name: 县自然资源局, kind: 县直部门}
      - {id: swj, name: 县商务局, kind: 县直部门}
      - {id: chengguan, name: 城关镇, kind: 乡镇}
""")


def make_ledger(root: Path, files: dict[str, str] | None = None) -> Path:
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text("name: 测试县台账\nyear: 2026\nlang: zh\n", encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    for name, text in (files or {}).items():
        p = root / "ledgers" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def county_workbook(path: Path) -> None:
    """A 台账 as offices make it: title rows, a two-row merged header, sections, junk rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "重点任务"
    ws["A1"] = "延津县2026年重点工作任务台账"
    ws.merge_cells("A1:I1")
    ws["A2"] = "填报单位（盖章）：            填报日期：2026年11月20日"
    ws.merge_cells("A2:I2")
    # Row 3-4: a two-row header. 序号/工作任务/包抓县领导/完成时限/进展情况/完成情况/备注 merged
    # down; 责任主体 merged across 责任单位 | 责任人.
    heads = {
        "A": "序号",
        "B": "工作任务",
        "E": "包抓县领导",
        "F": "完成时限",
        "G": "进展情况",
        "H": "完成情况",
        "I": "备  注",
    }
    for col, text in heads.items():
        ws[f"{col}3"] = text
        ws.merge_cells(f"{col}3:{col}4")
    ws["C3"] = "责任主体"
    ws.merge_cells("C3:D3")
    ws["C4"] = "责任单位"
    ws["D4"] = "责任人"
    for row in ws.iter_rows(min_row=3, max_row=4):
        for c in row:
            c.alignment = Alignment(wrap_text=True)
    ws.append(["一、抓项目建设"])  # row 5: a section heading merged across
    ws.merge_cells("A5:I5")
    ws.append(
        [
            1,
            "森林公园综合开发项目前期推进",
            "延津县发展和改革委员会",
            "贾某某",
            "陈某某",
            datetime(2026, 9, 30),
            "可研已批复，正在办理用地手续",
            "序时推进",
            None,
        ]
    )  # row 6
    ws.append(
        [2, "城北新区路网可研编制", None, "蔡某某", "陈某某", "46387", None, None, "新增任务"]
    )  # row 7: lead merged down from row 6; due a serial in a text cell
    ws.merge_cells("C6:C7")
    ws["C6"] = "县发改委"
    ws.append([None] * 9)  # row 8: blank
    ws.append(
        ["（一）", "城市建设", None, None, None, None, None, None, None]
    )  # row 9: sub-section
    ws.append(
        [
            3,
            "污水处理厂中水回用工程",
            "县住建局、县财政局",
            "余某某",
            "李某某",
            "6月底前完成主体工程，9月底前投入使用",
            "主体完工",
            "未完成",
            None,
        ]
    )  # row 10
    ws.append(
        [
            4,
            "老旧小区改造12个",
            "县住建局\n（牵头）",
            "余某某",
            "李某某",
            "2026年三季度",
            "已完成全部12个小区",
            "已完成",
            None,
        ]
    )  # row 11
    ws.append(
        [5, "招商引资签约项目", "县招商局", "王某", None, "年底前", None, None, None]
    )  # row 12
    ws.append([6, "常态化疫情防控", "县卫健委", None, None, "长期坚持", None, None, None])  # row 13
    ws.append([7, None, None, None, None, None, None, None, None])  # row 14: a numbered empty row
    ws.append(
        [8, "耕地保护专项整治", "县自然资源局", "赵某", None, "长期坚持", None, None, None]
    )  # row 15
    ws.append(["合计", "8项", None, None, None, None, None, None, None])  # row 16
    ws.append(["填报人：张三　　审核人：李四　　联系电话：1234567"])  # row 17
    ws.append(
        [9, "城关镇农贸市场改造", "城关镇人民政府", "刘某", None, 46203.0, "60%", None, None]
    )  # row 18
    wb.save(path)


def run_import(root: Path, source: Path, **kw: object) -> tuple[int, str]:
    out = io.StringIO()
    code = import_table(source, root, today=TODAY, out=out, **kw)  # type: ignore[arg-type]
    return code, out.getvalue()


def test_county_sheet_tasks_come_in_right(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    src = tmp_path / "台账.xlsx"
    county_workbook(src)
    code, _report = run_import(root, src)
    ledger = load_ledger(root, cache=False)
    assert [p for f in ledger.files for p in f.problems if p.severity == "error"] == []
    by_title = {t.title: t for t in ledger.tasks}
    assert set(by_title) == {
        "森林公园综合开发项目前期推进",
        "城北新区路网可研编制",
        "污水处理厂中水回用工程",
        "老旧小区改造12个",
        "城关镇农贸市场改造",
    }
    park = by_title["森林公园综合开发项目前期推进"]
    assert (park.lead, park.owner, park.leader, park.due) == (
        "fgw",
        "贾某某",
        "陈某某",
        date(2026, 9, 30),
    )
    assert park.category == "抓项目建设"
    assert park.progress[0].date == TODAY
    assert park.progress[0].note == "可研已批复，正在办理用地手续；序时推进"
    roads = by_title["城北新区路网可研编制"]
    assert (roads.lead, roads.due) == ("fgw", date(2026, 12, 31))  # merged unit cell; a serial
    water = by_title["污水处理厂中水回用工程"]
    assert (water.lead, water.partners, water.due) == ("zjj", ("czj",), date(2026, 9, 30))
    assert water.category == "抓项目建设/城市建设"
    assert [(m.name, m.due) for m in water.milestones] == [("完成主体工程", date(2026, 6, 30))]
    assert water.status == "active" and water.done is None
    houses = by_title["老旧小区改造12个"]
    assert houses.status == "done" and houses.due == date(2026, 9, 30)
    market = by_title["城关镇农贸市场改造"]
    assert (market.lead, market.due, market.progress[0].percent) == (
        "chengguan",
        date(2026, 6, 30),
        60.0,
    )
    # Ids continue a pattern per unit.
    assert park.id == "FGW-001" and roads.id == "FGW-002" and water.id == "ZJJ-001"
    # The remark is kept as a comment above the task.
    text = (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")
    assert "# 备注：新增任务" in text
    assert code == 1  # some rows did not come in


def test_every_row_that_does_not_come_in_is_reported(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    src = tmp_path / "台账.xlsx"
    county_workbook(src)
    _, report = run_import(root, src)
    lines = report.splitlines()

    def about(row: int) -> str:
        found = [ln for ln in lines if ln.startswith(f"第{row}行：")]
        assert found, f"row {row} is not reported:\n{report}"
        return found[0]

    assert "县招商局" in about(12) and "未导入" in about(12)
    assert "未导入" in about(13) and "县卫健委" in about(
        13
    )  # unknown unit (checked before the deadline)
    assert "没有任务名称" in about(14)
    assert "长期坚持" in about(15) and "未导入" in about(15)
    assert "合计" in about(16)
    assert "没有任务名称" in about(17) or "不是任务" in about(17)
    assert "分类标题" in about(5) and "分类标题" in about(9)
    assert "多个日期" in about(10)
    assert "找不到的单位名称" in report and "县招商局" in report and "县卫健委" in report
    assert "另有空行 1 行" in report
    assert "导入 5 项任务" in report
    # Nothing is dropped silently: every non-blank row below the header is a task or a line.
    reported = {int(ln[1 : ln.index("行")]) for ln in lines if ln.startswith("第")}
    imported = {6, 7, 10, 11, 18}
    assert set(range(5, 19)) - {8} <= reported | imported


def test_unknown_unit_falls_back_to_unit_option_with_did_you_mean(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    src = tmp_path / "a.csv"
    src.write_text(
        "任务名称,牵头单位,完成时限\n引进外资项目,县商务委,2026-10-31\n", encoding="utf-8"
    )
    code, report = run_import(root, src)
    assert code == 1 and "县商务委" in report and "是不是“县商务局”" in report
    code, report = run_import(root, src, unit="县发改委")
    assert code == 0, report
    t = load_ledger(root, cache=False).tasks[0]
    assert (t.lead, t.title, t.due) == ("fgw", "引进外资项目", date(2026, 10, 31))


def test_csv_in_gbk_with_bom_less_header_and_map(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    src = tmp_path / "gbk.csv"
    body = "序号,督办内容,牵头处室,时间节点\n1,农贸市场提升改造,城关镇,2026年10月底\n"
    src.write_bytes(body.encode("gbk"))
    code, report = run_import(root, src, mapping=["督办内容=title", "牵头处室=牵头单位"])
    assert code == 0, report
    t = load_ledger(root, cache=False).tasks[0]
    assert (t.lead, t.title, t.due, t.due_text) == (
        "chengguan",
        "农贸市场提升改造",
        date(2026, 10, 31),
        "2026年10月底",
    )


def test_appends_in_the_files_own_style_and_never_overwrites(tmp_path: Path) -> None:
    existing = textwrap.dedent("""\
        # 城关镇 任务台账（中文键名）
        责任单位: chengguan
        任务清单:
          - 编号: CG-01
            任务: 城关镇引进工业项目1个
            时限: 年底
            进展:
              - {日期: 2026-05-20, 情况: 签约}
        """)
    root = make_ledger(tmp_path / "ledger", {"乡镇/城关镇.yaml": existing})
    src = tmp_path / "b.csv"
    src.write_text(
        "\ufeff编号,任务,责任单位,时限,进展情况\n"
        "CG-01,城关镇引进工业项目1个（改）,城关镇,年底,x\n"
        ",城关镇引进工业项目1个,城关镇,年底,重复\n"
        ",农贸市场改造,城关镇,2026-10-31,已开工: 完成50%\n",
        encoding="utf-8",
    )
    code, report = run_import(root, src)
    assert "编号 CG-01 已经存在" in report and "CG-01" in report
    assert "已有名称和责任单位都相同的任务" in report
    text = (root / "ledgers" / "乡镇" / "城关镇.yaml").read_text(encoding="utf-8")
    assert text.startswith(existing)  # what was there is untouched
    added = text[len(existing) :]
    assert "  - 编号: CG-02\n    任务: 农贸市场改造\n" in added
    assert "- {日期: 2026-11-25, 情况: '已开工: 完成50%'}" in added  # quoted by PyYAML's emitter
    ledger = load_ledger(root, cache=False)
    assert [t.id for t in ledger.tasks] == ["CG-01", "CG-02"]
    assert not [p for f in ledger.files for p in f.problems]
    assert code == 1


def test_dry_run_writes_nothing_and_reimport_adds_nothing(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    src = tmp_path / "台账.xlsx"
    county_workbook(src)
    _code, report = run_import(root, src, dry_run=True)
    assert "将写入 ledgers/fgw.yaml" in report and "试运行" in report
    assert list((root / "ledgers").iterdir()) == []
    run_import(root, src)
    before = {p: p.read_text(encoding="utf-8") for p in (root / "ledgers").iterdir()}
    _, again = run_import(root, src)
    assert {p: p.read_text(encoding="utf-8") for p in (root / "ledgers").iterdir()} == before
    assert "导入 0 项任务" in again and again.count("已有名称和责任单位都相同的任务") == 5


def test_sheet_without_header_is_reported(tmp_path: Path) -> None:
    root = make_ledger(tmp_path / "ledger")
    src = tmp_path / "c.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["这是一张说明表", "没有表头"])
    wb.save(src)
    code, report = run_import(root, src)
    assert code == 1 and "找不到表头" in report


@pytest.mark.parametrize(
    "cell,expected",
    [
        (datetime(2026, 5, 31), date(2026, 5, 31)),
        (46173, date(2026, 5, 31)),
        ("46173", date(2026, 5, 31)),
        ("2026.5.31", date(2026, 5, 31)),
        ("5月底前", date(2026, 5, 31)),
        ("2026年第二季度", date(2026, 6, 30)),
        ("上半年", date(2026, 6, 30)),
        ("５月３１日前完成", date(2026, 5, 31)),
    ],
)
def test_date_cells(cell: object, expected: date) -> None:
    from sanzhua.interchange.cells import read_when

    assert read_when(cell, 2026).day == expected  # type: ignore[arg-type]
