"""`sanzhua brief`: periods, the assembled Brief, Markdown (golden file), Word read back
and, where LibreOffice is installed, the Word file printed to PDF and measured.

Regenerate the golden Markdown deliberately with SANZHUA_REGEN=1.
"""

from __future__ import annotations

import io
import itertools
import os
import textwrap
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from sanzhua.commands.brief import brief
from sanzhua.evaluate import evaluate
from sanzhua.load import load_ledger
from sanzhua.periods import (
    Period,
    issue_number,
    month_of,
    previous,
    quarter_of,
    week_of,
    year_of,
)
from sanzhua.render.docx import render_docx
from sanzhua.render.markdown import render_markdown
from sanzhua.render.templating import builtin_dir, md_escape
from sanzhua.report.brief import assemble_brief, assemble_notice, units_needing_notice
from sanzhua.report.document import brief_context
from sanzhua.score import rules_from_settings, score_units

FIXTURES = Path(__file__).parent / "fixtures" / "brief"
AS_OF = date(2026, 11, 25)  # a Wednesday; week 47 counted from 2026-01-05

SETTINGS = """\
name: 测试县“三抓两促”活动
office: 县“三抓两促”活动推进办公室
year: 2026
lang: zh
due_soon_days: 5
behind_margin: 20
report_every: week
bulletin:
  name: 政务督查
  first_week: 2026-01-05
  report: 县委、县政府主要领导
  send: 县委、县政府各位领导
  issue: 各乡（镇）人民政府，县直各部门
  requirements:
    - 对逾期任务，责任单位要在3个工作日内书面说明原因。
  copies: 30
scoring:
  report_missing: -0.1
  overdue_per_day: -0.1
  overdue_cap: 2
"""

UNITS = """\
units:
  - {id: fgw, name: 县发改委, kind: 县直部门, head: 王某某}
  - {id: zjj, name: 县住建局, kind: 县直部门, head: 余某某}
  - {id: cg, name: 城关镇, kind: 乡镇, head: 刘某某}
"""

FGW = """\
unit: fgw
tasks:
  - id: FGW-1
    title: 项目 A|B *重点* <前期> & 手续
    category: 抓具体/抓项目建设
    owner: 张某某
    leader: 副县长 赵某某
    start: 2026-03-01
    due: 2026-10-31
    progress:
      - {date: 2026-11-24, percent: 80, note: 正在办理用地手续}
  - id: FGW-2
    title: 完成可研批复
    category: 抓具体/抓项目建设
    owner: 贾某某
    start: 2026-03-01
    due: 2026-12-31
    done: 2026-11-24
  - id: FGW-3
    title: 森林公园开工建设
    category: 抓具体/抓项目建设
    owner: 贾某某
    leader: 副县长 赵某某
    start: 2026-03-01
    due: 2026-12-31
    milestones:
      - {name: 完成设计, due: 2026-11-10}
    progress:
      - {date: 2026-11-23, percent: 85}
"""

ZJJ = """\
unit: zjj
tasks:
  - id: ZJJ-1
    title: 污水处理厂建成投用
    category: 抓具体/抓民生改善
    owner: 余某某
    leader: 副县长 李某某
    start: 2026-01-01
    due: 2026-09-30
    progress:
      - {date: 2026-11-20, percent: 88}
  - id: ZJJ-2
    title: 老旧小区供热整改
    category: 抓具体/抓民生改善
    owner: 余某某
    start: 2026-01-01
    due: 2026-11-30
    progress:
      - {date: 2026-11-24, percent: 90}
  - id: ZJJ-3
    title: 廉租房建设
    category: 抓具体/抓民生改善
    owner: 阎某某
    start: 2026-01-01
    due: 2026-12-31
    progress:
      - {date: 2026-10-01, percent: 20}
"""

CG = """\
unit: cg
tasks:
  - id: CG-1
    title: 城关镇招商引资
    category: 抓具体/抓项目建设
    owner: 宋某某
    start: 2026-01-01
    due: 2026-12-31
    progress:
      - {date: 2026-11-24, percent: 95}
"""


def write_ledger(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def ledger_root(tmp_path: Path) -> Path:
    return write_ledger(
        tmp_path,
        {
            "sanzhua.yaml": SETTINGS,
            "units.yaml": UNITS,
            "ledgers/fgw.yaml": FGW,
            "ledgers/zjj.yaml": ZJJ,
            "ledgers/cg.yaml": CG,
        },
    )


def _brief(root: Path, period: Period | None = None, as_of: date = AS_OF):  # type: ignore[no-untyped-def]
    ledger = load_ledger(root, cache=False)
    assert [p for p in ledger.problems if p.severity == "error"] == []
    rules = rules_from_settings(ledger.settings)

    def score_at(d: date):  # type: ignore[no-untyped-def]
        year = year_of(d)
        return score_units(ledger, rules, year.start, year.end, d)

    b = assemble_brief(
        ledger, lambda d: evaluate(ledger, d), period or week_of(as_of), as_of, score_at=score_at
    )
    return ledger, b


# ---------------------------------------------------------------------------
# Periods and issue numbers


def test_week_is_monday_to_sunday() -> None:
    p = week_of(date(2026, 11, 25))
    assert (p.start, p.end) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week_of(date(2026, 11, 29)) == p
    assert previous(p).end == date(2026, 11, 22)


@pytest.mark.parametrize(
    ("as_of", "first_week", "number"),
    [
        (date(2026, 1, 5), date(2026, 1, 5), 1),
        (date(2026, 1, 11), date(2026, 1, 5), 1),
        (date(2026, 1, 12), date(2026, 1, 5), 2),
        (date(2026, 11, 25), date(2026, 1, 5), 47),
        (date(2026, 11, 25), date(2026, 1, 7), 47),  # any day of week 1 will do
        (date(2026, 11, 25), None, 47),  # default: first Monday of the ledger's year
        (date(2027, 1, 4), date(2026, 1, 5), 53),
        (date(2026, 1, 2), date(2026, 1, 5), None),  # before week 1
    ],
)
def test_weekly_issue_number(as_of: date, first_week: date | None, number: int | None) -> None:
    assert issue_number(week_of(as_of), first_week=first_week, year=2026) == number


def test_other_issue_numbers_are_ordinals() -> None:
    assert issue_number(month_of(date(2026, 11, 25)), first_week=None, year=2026) == 11
    assert issue_number(quarter_of(date(2026, 11, 25)), first_week=None, year=2026) == 4
    q = quarter_of(date(2026, 8, 1))
    assert (q.start, q.end) == (date(2026, 7, 1), date(2026, 9, 30))


# ---------------------------------------------------------------------------
# The assembled data: exactly FORMAT.md's states


def test_brief_sections_follow_the_states(ledger_root: Path) -> None:
    _, b = _brief(ledger_root)
    assert b.header.name == "政务督查"
    assert b.header.number == 47
    overdue = [
        (g.unit_id, [(x.id, x.milestone, x.days_overdue) for x in g.items]) for g in b.overdue
    ]
    # Two overdue tasks (zjj 56 days, fgw 25 days) and one overdue milestone; worst unit first.
    assert overdue == [
        ("fgw", [("FGW-1", "", 25), ("FGW-3", "完成设计", 15)]),
        ("zjj", [("ZJJ-1", "", 56)]),
    ] or overdue == [
        ("zjj", [("ZJJ-1", "", 56)]),
        ("fgw", [("FGW-1", "", 25), ("FGW-3", "完成设计", 15)]),
    ]
    assert b.overdue_tasks == 2 and b.overdue_milestones == 1
    assert [x.id for x in b.completed] == ["FGW-2"]
    assert b.completed[0].early_days == 37
    assert [x.id for x in b.coming_due] == ["ZJJ-2"]
    assert [g.unit_id for g in b.unreported] == ["zjj"]
    assert [x.id for x in b.unreported[0].tasks] == ["ZJJ-3"]
    assert "ZJJ-3" in [x.id for x in b.behind]
    assert b.totals.tasks == 7 and b.totals.done == 1 and b.totals.overdue == 2
    assert {x.id for x in b.appendix} == {"FGW-1", "FGW-3", "ZJJ-1", "ZJJ-2", "ZJJ-3", "CG-1"}


def test_ranking_is_the_year_to_date_score(ledger_root: Path) -> None:
    """The bulletin ranks by `sanzhua score --year --as-of <evaluated date>`: same scores,
    same ranks, same counts; units without a scored task are counted, not ranked."""
    (ledger_root / "units.yaml").write_text(
        UNITS + "  - {id: czj, name: 县财政局, kind: 县直部门}\n", encoding="utf-8"
    )
    ledger, b = _brief(ledger_root)
    board = score_units(
        ledger, rules_from_settings(ledger.settings), date(2026, 1, 1), date(2026, 12, 31), AS_OF
    )
    r = b.ranking
    assert (r.start, r.end, r.base) == (date(2026, 1, 1), AS_OF, "100")
    assert [(x.rank, x.unit_id, x.score) for x in r.rows] == [
        (u.rank, u.unit, u.score) for u in board.ranked
    ]
    for x in r.rows:
        u = board.unit(x.unit_id)
        assert u is not None and Decimal(x.score_text) == u.score
        assert (x.done_on_time, x.done_late, x.overdue, x.milestone_missed, x.report_missing) == (
            u.counts["done_on_time"],
            u.counts["done_late"],
            u.counts["overdue"],
            u.counts["milestone_missed"],
            u.counts["report_missing"],
        )
    assert [(x.unit_id, x.score_text) for x in r.rows] == [
        ("cg", "95.4"),
        ("fgw", "91.2"),  # missed reports count per unit and week, capped (docs/scoring.md)
        ("zjj", "87.6"),
    ]
    # Three ranked units: all are the top three, none is left for the bottom three.
    assert [x.unit_id for x in r.top] == ["cg", "fgw", "zjj"] and r.bottom == ()
    assert r.unranked == 1  # czj leads no task and partners none
    md = render_markdown("brief.md.j2", brief_context(b), ledger_root)
    assert "另有1个单位在此期间无考评任务，不参加排名。" in md
    assert "县财政局" not in md.split("五、各单位考评排名")[1].split("附件")[0]


def test_notice_lists_only_the_units_own_problems(ledger_root: Path) -> None:
    ledger = load_ledger(ledger_root, cache=False)
    ev = evaluate(ledger, AS_OF)
    n = assemble_notice(ledger, ev, "zjj", AS_OF)
    assert [x.id for x in n.overdue] == ["ZJJ-1"]
    assert [x.id for x in n.due_soon] == ["ZJJ-2"]
    assert [x.id for x in n.unreported] == ["ZJJ-3"]
    assert n.reply_by == date(2026, 11, 30)
    assert units_needing_notice(ev) == ["fgw", "zjj"]
    md = render_markdown("notice.md.j2", {"n": n, "lang": "zh"}, ledger.root)
    assert "县住建局：" in md and "ZJJ-1" in md and "FGW-1" not in md


# ---------------------------------------------------------------------------
# Markdown


def test_markdown_golden(ledger_root: Path) -> None:
    _, b = _brief(ledger_root)
    md = render_markdown("brief.md.j2", brief_context(b), ledger_root)
    golden = FIXTURES / "week.md"
    if os.environ.get("SANZHUA_REGEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(md, encoding="utf-8")
    assert md == golden.read_text(encoding="utf-8")


def test_markdown_escapes_ledger_text(ledger_root: Path) -> None:
    _, b = _brief(ledger_root)
    md = render_markdown("brief.md.j2", brief_context(b), ledger_root)
    assert r"项目 A\|B \*重点\* \<前期\> & 手续" in md
    for line in md.splitlines():
        if line.startswith("| ") and "FGW-1" in line:
            assert line.replace(r"\|", "").count("|") == line.count("|") - line.count(r"\|")
    assert md_escape("a|b*c_d") == r"a\|b\*c\_d"
    assert md_escape("&amp;") == r"\&amp;"


def test_empty_sections_say_so(tmp_path: Path) -> None:
    root = write_ledger(
        tmp_path,
        {
            "sanzhua.yaml": "name: 空县\nyear: 2026\nreport_every: none\n",
            "units.yaml": UNITS,
            "ledgers/cg.yaml": """\
                unit: cg
                tasks:
                  - {id: CG-1, title: 招商引资, start: 2026-01-01, due: 2026-12-31}
                """,
        },
    )
    _, b = _brief(root)
    md = render_markdown("brief.md.j2", brief_context(b), root)
    for sentence in (
        "本期没有完成的任务。",
        "本期没有逾期未完成的任务和节点。",
        "本期没有进度滞后的任务。",
        "各单位均按时报送了任务进展。",
        "没有到期的任务和节点。",
    ):
        assert sentence in md


def test_user_template_overrides_and_is_sandboxed(ledger_root: Path) -> None:
    own = ledger_root / "templates"
    own.mkdir()
    (own / "brief.md.j2").write_text("{{ h.name }} 第{{ h.number }}期\n", encoding="utf-8")
    out = io.StringIO()
    assert brief(ledger_root, as_of=AS_OF, period="week", fmt="md", out=out) == 0
    assert out.getvalue() == "政务督查 第47期\n"
    (own / "brief.md.j2").write_text("{{ h.__class__.__mro__ }}\n", encoding="utf-8")
    from sanzhua.errors import FatalError

    with pytest.raises(FatalError):
        brief(ledger_root, as_of=AS_OF, period="week", fmt="md", out=io.StringIO())


# ---------------------------------------------------------------------------
# Word


def _docx(ledger_root: Path) -> Document:  # type: ignore[valid-type]
    _, b = _brief(ledger_root)
    data = render_docx("brief.docx", brief_context(b), ledger_root)
    return Document(io.BytesIO(data))


def test_docx_page_setup_and_fonts(ledger_root: Path) -> None:
    doc = _docx(ledger_root)
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28
    assert round(sec.bottom_margin.mm) == 35 and round(sec.right_margin.mm) == 26
    assert abs(sec.page_width - sec.left_margin - sec.right_margin - Mm(156)) < Mm(0.1)
    normal = doc.styles["Normal"]
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert rfonts.get(qn("w:ascii")) == "仿宋_GB2312"
    assert normal.font.size.pt == 16
    assert normal.paragraph_format.line_spacing.twips == 579  # 22 lines a page
    assert doc.styles["一级标题"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "黑体"
    assert (
        doc.styles["二级标题"].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))
        == "楷体_GB2312"
    )
    title = doc.styles["文件标题"]
    assert title.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "方正小标宋简体"
    assert title.font.size.pt == 22


def test_docx_header_footer_and_content(ledger_root: Path) -> None:
    doc = _docx(ledger_root)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "政务督查"
    assert texts[1] == "第47期"
    assert texts[2] == "县“三抓两促”活动推进办公室\t2026年11月25日"
    assert doc.paragraphs[0].style.font.color.rgb is not None
    assert str(doc.paragraphs[0].style.font.color.rgb) == "FF0000"
    rule = doc.paragraphs[2].style.element.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "FF0000"
    # odd/even page numbers "— N —"
    assert doc.settings.odd_and_even_pages_header_footer
    sec = doc.sections[0]
    for footer, align in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and "— " in xml and " —" in xml
        assert footer.paragraphs[0].alignment is not None
        assert align in str(footer.paragraphs[0].alignment).lower()
    # the overdue tasks in the 通报 table, escaped text intact
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert "ZJJ-1" in cells and "FGW-1" in cells
    assert "项目 A|B *重点* <前期> & 手续" in cells
    assert not any("{%" in c or "{{" in c for c in cells)
    assert not any("{%" in t or "{{" in t for t in texts)
    body = "\n".join(texts)
    assert "报：县委、县政府主要领导" in cells
    assert "本期没有" not in body or "进度滞后" in body


def _xml(data: bytes, part: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(part).decode("utf-8")


def test_docx_grid_and_text_block(ledger_root: Path) -> None:
    """22 lines of 28 characters: exact 28.95 pt lines, −0.25 pt character spacing, the
    docGrid Word's page setup reads, no widow control (it would leave 21 lines) and no
    punctuation past the right margin; the 版心 is 156 × 225 mm."""
    doc = _docx(ledger_root)
    sec = doc.sections[0]
    assert abs(sec.page_height - sec.top_margin - sec.bottom_margin - Mm(225)) < Mm(0.1)
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert (grid.get(qn("w:type")), grid.get(qn("w:linePitch"))) == ("lines", "579")
    # the page number sits about 7 mm under the text block: footer 22 mm above the edge
    assert round(sec.footer_distance.mm) == 22
    normal = doc.styles["Normal"]
    ppr = normal.element.pPr
    spacing = ppr.find(qn("w:spacing"))
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("579", "exact")
    assert normal.element.rPr.find(qn("w:spacing")).get(qn("w:val")) == "-5"
    assert normal.paragraph_format.widow_control is False
    assert ppr.find(qn("w:overflowPunct")).get(qn("w:val")) == "1"  # LibreOffice: no hanging commas
    assert normal.paragraph_format.alignment is not None
    assert "justify" in str(normal.paragraph_format.alignment).lower()
    assert ppr.find(qn("w:ind")).get(qn("w:firstLineChars")) == "200"  # 2 characters
    # LibreOffice gives a 二号 title two grid lines unless it is off the grid
    assert doc.styles["文件标题"].element.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) == "0"
    # every table fits the 版心, at fixed widths
    for table in doc.tables:
        cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
        assert sum(int(c.get(qn("w:w"))) for c in cols) <= 8845
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"


def test_docx_fonts_are_explicit(ledger_root: Path) -> None:
    """Every style names its East Asian font; no theme font, no Japanese font anywhere."""
    _, b = _brief(ledger_root)
    data = render_docx("brief.docx", brief_context(b), ledger_root)
    doc = Document(io.BytesIO(data))
    expected = {
        "Normal": "仿宋_GB2312",
        "简报名称": "方正小标宋简体",
        "文件标题": "方正小标宋简体",
        "一级标题": "黑体",
        "二级标题": "楷体_GB2312",
        "表格文字": "仿宋_GB2312",
        "表头": "黑体",
        "附表文字": "仿宋_GB2312",
        "版记": "仿宋_GB2312",
        "页码": "宋体",
    }
    for name, font in expected.items():
        rfonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert (name, rfonts.get(qn("w:eastAsia")), rfonts.get(qn("w:ascii"))) == (name, font, font)
    assert doc.styles["页码"].font.size.pt == 14  # 四号
    styles = _xml(data, "word/styles.xml")
    assert "Theme=" not in styles and "ＭＳ" not in styles
    assert 'w:eastAsia="zh-CN"' in styles  # w:lang
    fonts = _xml(data, "word/fontTable.xml")
    assert "ＭＳ" not in fonts and 'w:name="仿宋_GB2312"' in fonts and 'w:val="86"' in fonts
    assert "ＭＳ" not in _xml(data, "word/theme/theme1.xml")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "word/stylesWithEffects.xml" not in z.namelist()


def test_docx_page_numbers(ledger_root: Path) -> None:
    """"— N —": a PAGE field between em dashes, odd pages right and even pages left, one
    四号 character in; the setting for different odd and even footers is on."""
    _, b = _brief(ledger_root)
    data = render_docx("brief.docx", brief_context(b), ledger_root)
    assert "<w:evenAndOddHeaders/>" in _xml(data, "word/settings.xml")
    doc = Document(io.BytesIO(data))
    sec = doc.sections[0]
    for footer, side in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        p = footer.paragraphs[0]
        assert p.style.name == "页码"
        kinds = [el.get(qn("w:fldCharType")) for el in p._p.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        assert [el.text.strip() for el in p._p.iter(qn("w:instrText"))] == ["PAGE"]
        assert p.text == "— 1 —"  # the field's placeholder result between the dashes
        assert side in str(p.alignment).lower()
        assert p._p.pPr.find(qn("w:ind")).get(qn(f"w:{side}")) == "280"


def test_docx_pagination_and_lights(ledger_root: Path) -> None:
    """The appendix starts a page by itself (no page-break paragraph that could fall on
    an empty page); what introduces a table stays with it; lights are coloured; the
    版记 is the document's last block and holds together."""
    doc = _docx(ledger_root)
    body = doc.element.body
    assert not [br for br in body.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
    annex = [p for p in doc.paragraphs if p.text == "附件"]
    assert len(annex) == 1 and annex[0].paragraph_format.page_break_before
    for tbl in body.iter(qn("w:tbl")):
        if tbl.getparent() is not body:
            continue
        before = tbl.getprevious()
        assert before is not None and before.tag == qn("w:p")
        kept = before.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
        style = before.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        kept = kept or (
            style is not None and doc.styles[style.get(qn("w:val"))].paragraph_format.keep_with_next
        )
        assert kept, "".join(before.itertext())
    colours = {}
    for t in doc.tables:
        for row in t.rows:
            for run in row.cells[-1].paragraphs[0].runs:
                if run.text in ("红灯", "黄灯", "绿灯"):
                    colours[run.text] = str(run.font.color.rgb)
    assert colours.get("红灯") == "FF0000" and colours.get("绿灯") is not None
    blocks = [el for el in body if el.tag != qn("w:sectPr")]
    assert blocks[-1].tag == qn("w:tbl")
    banji = doc.tables[-1]
    assert banji.rows[0].cells[0].text.startswith("报：")
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in banji.rows)
    assert all(r.cells[0].paragraphs[0].paragraph_format.keep_with_next for r in banji.rows[:-1])


def test_shipped_templates_render(ledger_root: Path, tmp_path: Path) -> None:
    """Every built-in template renders (catches curly quotes or split tags after editing)."""
    names = sorted(p.name for p in builtin_dir().iterdir() if p.suffix in (".docx", ".j2"))
    assert {"brief.docx", "notice.docx", "brief.md.j2", "notice.md.j2"} <= set(names)
    for name in ("brief.docx", "notice.docx"):
        with zipfile.ZipFile(builtin_dir() / name) as z:
            xml = z.read("word/document.xml").decode("utf-8")
        assert "“ }}" not in xml and "‘" not in xml.split("{%")[0]
    outdir = tmp_path / "out"
    assert (
        brief(
            ledger_root,
            as_of=AS_OF,
            period="month",
            fmt="docx",
            output=outdir / "m.docx",
            out=io.StringIO(),
        )
        == 0
    )
    assert (
        brief(
            ledger_root,
            as_of=AS_OF,
            unit="zjj",
            fmt="docx",
            output=outdir / "n.docx",
            out=io.StringIO(),
        )
        == 0
    )
    assert (
        brief(ledger_root, as_of=AS_OF, each_unit=outdir / "each", fmt="md", out=io.StringIO()) == 0
    )
    assert sorted(p.name for p in (outdir / "each").iterdir()) == [
        "督办通知-县住建局-2026-11-25.md",
        "督办通知-县发改委-2026-11-25.md",
    ]
    n = Document(str(outdir / "n.docx"))
    assert any(c.text == "ZJJ-1" for t in n.tables for row in t.rows for c in row.cells)


def test_default_docx_name(
    ledger_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert brief(ledger_root, as_of=AS_OF, period="week", fmt="docx", out=out) == 0
    assert out.getvalue().strip() == "政务督查-2026-第47期.docx"
    assert (tmp_path / "政务督查-2026-第47期.docx").is_file()


def test_no_briefing_with_broken_scoring_rules(ledger_root: Path) -> None:
    settings = ledger_root / "sanzhua.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("overdue_cap: 2", "overdue_cap: 二"),
        encoding="utf-8",
    )
    out = io.StringIO()
    assert brief(ledger_root, as_of=AS_OF, period="week", fmt="md", out=out) == 1
    assert out.getvalue() == ""
    # 督办通知 have no ranking and are still written.
    assert brief(ledger_root, as_of=AS_OF, unit="zjj", fmt="md", out=out) == 0


# ---------------------------------------------------------------------------
# The Word bulletin as LibreOffice prints it (tools/render_pdf.sh). `make test`
# installs the Debian packages when it runs as root; elsewhere these tests skip.

TOOLS = Path(__file__).resolve().parents[1] / "tools"
_VIEWERS = ("soffice", "pdftotext", "pdfinfo", "pdftoppm", "fc-list", "python3")


def _have_viewers() -> bool:
    import shutil
    import subprocess

    if not all(shutil.which(t) for t in _VIEWERS):
        return False
    zh = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(zh.stdout.strip())


needs_libreoffice = pytest.mark.skipif(
    not _have_viewers(),
    reason="needs LibreOffice, poppler-utils and CJK fonts (Debian: libreoffice-writer-nogui "
    "poppler-utils fonts-noto-cjk fonts-arphic-ukai; `make test` installs them as root)",
)
PT_MM = 25.4 / 72


def _pdf(docx: Path, out: Path) -> Path:
    import subprocess

    subprocess.run(
        ["sh", str(TOOLS / "render_pdf.sh"), str(docx), str(out)],
        check=True,
        capture_output=True,
        env={**os.environ, "TMPDIR": str(out), "DPI": "20"},
        timeout=180,
    )
    return out / (docx.stem + ".pdf")


def _pdf_pages(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's text lines as (x0, y0, x1, y1, text) in points, from the top left."""
    import re
    import subprocess

    html = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        lines = []
        for m in re.finditer(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
            page,
            re.S,
        ):
            text = "".join(re.findall(r">([^<]*)</word>", m.group(5)))
            lines.append((*(float(v) for v in m.groups()[:4]), text))
        pages.append(lines)
    return pages


@needs_libreoffice
def test_pdf_body_pages_have_22_lines_of_28(tmp_path: Path) -> None:
    """Body text alone in the shipped template's styles: every full page holds 22 lines
    28.95 pt apart, full lines hold 28 characters between 28 mm and 26 mm margins."""
    doc = Document(str(builtin_dir() / "brief.docx"))
    body = doc.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    text = "各乡镇各部门要对照时间节点倒排工期加快推进确保各项任务按期完成" * 4
    for i in range(30):
        doc.add_paragraph(text[: 50 + i * 3], style=doc.styles["Normal"])
    doc.save(str(tmp_path / "body.docx"))
    pages = _pdf_pages(_pdf(tmp_path / "body.docx", tmp_path / "pdf"))
    assert len(pages) >= 3
    for lines in pages[:-1]:
        body_lines = sorted((ln for ln in lines if ln[1] < 742), key=lambda ln: ln[1])
        assert len(body_lines) == 22
        tops = [ln[1] for ln in body_lines]
        assert all(abs(b - a - 28.95) < 0.1 for a, b in itertools.pairwise(tops))
        for x0, _, x1, _, t in body_lines:
            assert abs(x0 * PT_MM - 28) < 0.6 or abs(x0 * PT_MM - 39.3) < 0.6  # 2-char indent
            assert (595.28 - x1) * PT_MM > 25.5, t
        full = [  # lines from margin to margin, not a paragraph's first or last
            t
            for x0, _, x1, _, t in body_lines
            if abs(x0 * PT_MM - 28) < 0.6 and (595.28 - x1) * PT_MM < 27
        ]
        assert len(full) >= 3 and all(len(t) == 28 for t in full), full


@needs_libreoffice
def test_pdf_bulletin_pages(ledger_root: Path, tmp_path: Path) -> None:
    """The weekly bulletin: A4 pages, text and tables inside the 版心, the header on the
    first page, "— N —" on odd pages right and even pages left, no page without text,
    the 版记 on the last page."""
    import re
    import subprocess

    docx = tmp_path / "week.docx"
    assert brief(ledger_root, as_of=AS_OF, fmt="docx", output=docx, out=io.StringIO()) == 0
    pdf = _pdf(docx, tmp_path / "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info)
    assert size and (round(float(size[1])), round(float(size[2]))) == (595, 842)
    pages = _pdf_pages(pdf)
    assert len(pages) >= 3
    first = " ".join(t for *_, t in pages[0])
    assert "政务督查" in first and "第47期" in first and "2026年11月25日" in first
    for n, lines in enumerate(pages, start=1):
        numbers = [ln for ln in lines if ln[1] > 745]
        assert [t for *_, t in numbers] == [f"—{n}—"]
        x0, y0, x1, _, _ = numbers[0]
        if n % 2:
            assert abs((595.28 - x1) * PT_MM - 31) < 1  # 26 mm margin + one 四号 character
        else:
            assert abs(x0 * PT_MM - 33) < 1  # 28 mm margin + one character
        assert 5 < (y0 - 742.7) * PT_MM < 9  # about 7 mm under the text block
        text = [ln for ln in lines if ln[1] <= 745]
        assert text, f"page {n} is empty"
        for x0, y0, x1, y1, t in text:
            assert x0 * PT_MM > 27.5 and (595.28 - x1) * PT_MM > 25.5, (n, t)
            assert y0 * PT_MM > 36 and y1 * PT_MM < 262.5, (n, t)
    assert "印发" in " ".join(t for *_, t in pages[-1])
