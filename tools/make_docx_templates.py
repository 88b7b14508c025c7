#!/usr/bin/env python3
"""(Re)generate the built-in Word templates templates/brief.docx and templates/notice.docx.

The generated files are committed: they are data that an office may open in Word
or WPS and restyle to its own letterhead (fonts, the red name, the rule, the
版记), keeping the {{ }} / {%p %} / {%tr %} tags. Run this script only to start
over from the standard layout:

    .venv/bin/python tools/make_docx_templates.py [OUTDIR]

The layout follows GB/T 9704-2012 as county offices use it: A4; margins 37 mm
top, 28 mm binding side, 35 mm bottom, 26 mm right (版心 156 × 225 mm); body
仿宋_GB2312 三号 with exact 28.95 pt lines (22 lines a page: no widow control,
which would leave 21) and −0.25 pt character spacing (28 characters a line, no
punctuation past the margin); title 方正小标宋简体 二号; headings 一、 黑体,
（一） 楷体_GB2312; page numbers "— 1 —" in 宋体 四号, odd pages right, even pages
left, one character in. Every style names its fonts (East Asian included); no
theme or Japanese font is left from python-docx's default template.

Check the result with tools/render_pdf.sh and the PDF tests in tests/test_brief.py.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.styles.style import BaseStyle
from docx.table import Table

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"

RED = "FF0000"
TEXT_WIDTH_MM = 156
TEXT_WIDTH_TWIPS = 8844  # 156 mm
LINE_TWIPS = 579  # exact line pitch: 22 lines in the 225 mm text block
BODY_PT = 16  # 三号
TABLE_PT = 12  # 小四
PAGE_NO_PT = 14  # 四号

_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish",
    "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight",
    "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
    "eastAsianLayout", "specVanish", "oMath",
]
_TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
]
_PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
    "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku",
    "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi",
    "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents",
    "suppressOverlap", "jc", "textDirection", "textAlignment", "textboxTightWrap",
    "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]


# ---------------------------------------------------------------------------
# XML helpers: python-docx has no API for these; children must keep schema order.


def _put(parent: object, tag: str, order: Sequence[str], **attrs: str) -> object:
    """Replace or insert child `w:tag` of `parent` in schema order, with `attrs`."""
    el = parent  # lxml element
    for old in el.findall(qn(f"w:{tag}")):  # type: ignore[attr-defined]
        el.remove(old)  # type: ignore[attr-defined]
    child = OxmlElement(f"w:{tag}")
    for k, v in attrs.items():
        child.set(qn(f"w:{k}"), v)
    pos = order.index(tag)
    later = {qn(f"w:{t}") for t in order[pos + 1 :]}
    for i, sib in enumerate(el):  # type: ignore[attr-defined]
        if sib.tag in later:
            el.insert(i, child)  # type: ignore[attr-defined]
            break
    else:
        el.append(child)  # type: ignore[attr-defined]
    return child


def set_run_fonts(rpr: object, font: str, *, east_asia: str | None = None) -> None:
    """Latin and East Asian fonts, explicitly, with no theme-font attributes."""
    _put(rpr, "rFonts", _RPR_ORDER, ascii=font, hAnsi=font, eastAsia=east_asia or font, cs=font)


def set_rpr(
    rpr: object,
    *,
    font: str | None = None,
    size: float | None = None,
    color: str | None = None,
    bold: bool | None = None,
    spacing_twentieths: int | None = None,
) -> None:
    if font:
        set_run_fonts(rpr, font)
    if bold is not None:
        _put(rpr, "b", _RPR_ORDER, val="1" if bold else "0")
        _put(rpr, "bCs", _RPR_ORDER, val="1" if bold else "0")
    if color:
        _put(rpr, "color", _RPR_ORDER, val=color)
    if spacing_twentieths is not None:
        _put(rpr, "spacing", _RPR_ORDER, val=str(spacing_twentieths))
    if size is not None:
        half = str(round(size * 2))
        _put(rpr, "sz", _RPR_ORDER, val=half)
        _put(rpr, "szCs", _RPR_ORDER, val=half)
    _put(rpr, "lang", _RPR_ORDER, val="en-US", eastAsia="zh-CN", bidi="ar-SA")


def style_rpr(style: BaseStyle) -> object:
    return style.element.get_or_add_rPr()


def style_ppr(style: BaseStyle) -> object:
    return style.element.get_or_add_pPr()


def paragraph_style(
    doc: Document,  # type: ignore[valid-type]
    name: str,
    *,
    font: str,
    size: float,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    line_twips: int | None = LINE_TWIPS,
    first_line_chars: int = 0,
    color: str | None = None,
    bold: bool = False,
    spacing: int | None = None,
    outline: int | None = None,
    keep_next: bool = False,
    snap: bool = True,
    autospace: bool | None = None,
    base: str = "Normal",
) -> BaseStyle:
    styles = doc.styles  # type: ignore[attr-defined]
    style = (
        styles[name]
        if name in [s.name for s in styles]
        else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    )
    if name != "Normal":
        style.base_style = styles[base]
        style.quick_style = True
    pf = style.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    if line_twips is None:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Twips(line_twips)
    pf.keep_with_next = keep_next
    # No widow/orphan control: every full page has its 22 lines, as GB/T 9704 counts
    # them; headings are kept with what follows instead (keep_next).
    pf.widow_control = False
    ppr = style_ppr(style)
    # Indent in characters (Word and WPS keep it in step with the font size) and in twips.
    _put(
        ppr,
        "ind",
        _PPR_ORDER,
        firstLineChars=str(first_line_chars * 100),
        firstLine=str(round(first_line_chars * size * 20)),
        left="0",
        right="0",
    )
    if outline is not None:
        _put(ppr, "outlineLvl", _PPR_ORDER, val=str(outline))
    if not (snap if autospace is None else autospace):
        # No extra space between Chinese and digits, so "11月30日" fits a narrow
        # date column.
        _put(ppr, "autoSpaceDE", _PPR_ORDER, val="0")
        _put(ppr, "autoSpaceDN", _PPR_ORDER, val="0")
    if not snap:
        # Off the 22-line grid: tables, the title, the red name, page numbers, the 版记.
        # LibreOffice gives a line taller than the grid pitch (a 二号 title) two grid
        # lines even at exact spacing; Word keeps it at one.
        _put(ppr, "snapToGrid", _PPR_ORDER, val="0")
    set_rpr(
        style_rpr(style), font=font, size=size, color=color, bold=bold, spacing_twentieths=spacing
    )
    return style


def border(
    ppr: object, side: str, *, size_eighths: int, color: str = "000000", space: int = 1
) -> None:
    pbdr = ppr.find(qn("w:pBdr"))  # type: ignore[attr-defined]
    if pbdr is None:
        pbdr = _put(ppr, "pBdr", _PPR_ORDER)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size_eighths))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), color)
    pbdr.append(el)  # type: ignore[attr-defined]


def right_tab(ppr: object, pos_twips: int = TEXT_WIDTH_TWIPS) -> None:
    tabs = _put(ppr, "tabs", _PPR_ORDER)
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(pos_twips))
    tabs.append(tab)  # type: ignore[attr-defined]


def add_field(paragraph: object, instr: str) -> None:
    """A complex field (PAGE): begin, instruction, separate, placeholder result, end."""
    p = paragraph._p  # type: ignore[attr-defined]

    def run_with(child: object) -> None:
        r = OxmlElement("w:r")
        r.append(child)
        p.append(r)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    run_with(it)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    t = OxmlElement("w:t")
    t.text = "1"
    run_with(t)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


# ---------------------------------------------------------------------------
# The document skeleton shared by both templates


def new_document() -> Document:  # type: ignore[valid-type]
    doc = Document()
    styles_el = doc.styles.element
    # Document defaults: explicit fonts (no theme fonts, whose Japanese entry is ＭＳ 明朝),
    # zh-CN, no space after paragraphs.
    defaults = styles_el.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    set_rpr(rpr, font=FANGSONG, size=BODY_PT)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is not None:
        defaults.remove(ppr_default)
    ppr_default = OxmlElement("w:pPrDefault")
    ppr_el = OxmlElement("w:pPr")
    sp = OxmlElement("w:spacing")
    sp.set(qn("w:after"), "0")
    sp.set(qn("w:line"), str(LINE_TWIPS))
    sp.set(qn("w:lineRule"), "exact")
    ppr_el.append(sp)
    ppr_default.append(ppr_el)
    defaults.append(ppr_default)

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.header_distance = Mm(15)
    sec.footer_distance = Mm(22)
    doc.settings.odd_and_even_pages_header_footer = True
    # Grid: 22 lines of 579 twips; Word's page-setup dialog then shows 22 行.
    grid = sec._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sec._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_TWIPS))

    normal = paragraph_style(
        doc, "Normal", font=FANGSONG, size=BODY_PT, first_line_chars=2, spacing=-5
    )
    # Punctuation at the end of a line: Word and WPS let it hang past the right edge
    # by default (中文版式, 允许标点溢出边界), and "1" keeps that default for them. LibreOffice
    # reads this element inverted: it hangs punctuation when the element is absent or
    # "0" and keeps every line inside the 156 mm block only with "1". So "1" is the one
    # value that prints as county offices expect in all three.
    _put(style_ppr(normal), "overflowPunct", _PPR_ORDER, val="1")
    paragraph_style(
        doc,
        "简报名称",
        font=XIAOBIAOSONG,
        size=42,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_twips=1300,
        color=RED,
        spacing=20,
        snap=False,
    )
    paragraph_style(doc, "期号", font=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    head = paragraph_style(
        doc, "编印单位", font=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT
    )
    right_tab(style_ppr(head))
    border(style_ppr(head), "bottom", size_eighths=24, color=RED, space=4)
    paragraph_style(
        doc,
        "文件标题",
        font=XIAOBIAOSONG,
        size=22,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        outline=0,
        keep_next=True,
        snap=False,
        autospace=True,
    )
    paragraph_style(doc, "副标题", font=KAITI, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph_style(
        doc,
        "一级标题",
        font=HEITI,
        size=BODY_PT,
        first_line_chars=2,
        outline=1,
        keep_next=True,
        spacing=-5,
    )
    paragraph_style(
        doc,
        "二级标题",
        font=KAITI,
        size=BODY_PT,
        first_line_chars=2,
        outline=2,
        keep_next=True,
        spacing=-5,
    )
    paragraph_style(
        doc,
        "表格文字",
        font=FANGSONG,
        size=TABLE_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_twips=360,
        snap=False,
    )
    paragraph_style(
        doc,
        "表格文字左",
        font=FANGSONG,
        size=TABLE_PT,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        line_twips=360,
        snap=False,
    )
    paragraph_style(
        doc,
        "表头",
        font=HEITI,
        size=TABLE_PT,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_twips=360,
        snap=False,
    )
    paragraph_style(
        doc,
        "附表文字",
        font=FANGSONG,
        size=10.5,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        line_twips=300,
        snap=False,
    )
    paragraph_style(
        doc,
        "附表文字居中",
        font=FANGSONG,
        size=10.5,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_twips=300,
        snap=False,
    )
    paragraph_style(
        doc,
        "附表表头",
        font=HEITI,
        size=10.5,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line_twips=300,
        snap=False,
    )
    paragraph_style(
        doc,
        "版记",
        font=FANGSONG,
        size=14,
        align=WD_ALIGN_PARAGRAPH.LEFT,
        line_twips=None,
        snap=False,
    )
    paragraph_style(doc, "落款", font=FANGSONG, size=BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT)
    paragraph_style(
        doc,
        "页码",
        font=SONGTI,
        size=PAGE_NO_PT,
        line_twips=None,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        snap=False,
    )

    _footers(doc)
    _explicit_fonts(doc)
    # The default template's empty first paragraph.
    body = doc.element.body
    for p in list(body.findall(qn("w:p"))):
        body.remove(p)
    doc.core_properties.author = "sanzhua"
    doc.core_properties.language = "zh-CN"
    return doc


# The font table tells Word and WPS what a missing font is (charset 86 = GB2312) and
# what else it is called, so a computer with only 仿宋 still finds a Chinese serif.
_FONT_TABLE = (
    (FANGSONG, "仿宋", "modern", "fixed"),
    (XIAOBIAOSONG, "宋体", "script", "fixed"),
    (HEITI, "SimHei", "modern", "fixed"),
    (KAITI, "楷体", "modern", "fixed"),
    (SONGTI, "SimSun", "auto", "variable"),
)


def _explicit_fonts(doc: Document) -> None:  # type: ignore[valid-type]
    """No style or part of the file names a theme font or a Japanese font.

    The default template's built-in styles (标题 1, 标题 …) take their fonts from the
    theme, whose East Asian entries are ＭＳ 明朝 / ＭＳ ゴシック; an office that applies
    one would get a Japanese font. Give them 黑体 / 仿宋_GB2312 explicitly, point the
    theme at the same fonts, and list the fonts the templates use in the font table.
    """
    from lxml import etree

    theme_attrs = [qn(f"w:{a}") for a in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")]
    for rfonts in doc.styles.element.iter(qn("w:rFonts")):
        themed = [rfonts.get(a) for a in theme_attrs]
        if not any(themed):
            continue
        font = HEITI if any(t and t.startswith("major") for t in themed) else FANGSONG
        for a in theme_attrs:
            rfonts.attrib.pop(a, None)
        for a in ("ascii", "hAnsi", "eastAsia", "cs"):
            rfonts.set(qn(f"w:{a}"), font)
    for rfonts in doc.styles.element.iter(qn("w:rFonts")):
        if rfonts.get(qn("w:ascii")) and not rfonts.get(qn("w:eastAsia")):
            rfonts.set(qn("w:eastAsia"), FANGSONG)  # Courier-only styles (宏文本)
    # stylesWithEffects.xml is Word 2010's copy of the styles, themed; Word 2013 and
    # later, WPS and LibreOffice read styles.xml.
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rid)
        elif rel.reltype.endswith("/fontTable"):
            w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
            root = etree.Element(f"{{{w}}}fonts", nsmap={"w": w})
            for name, alt, family, pitch in _FONT_TABLE:
                font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
                for tag, val in (("altName", alt), ("charset", "86"), ("family", family), ("pitch", pitch)):
                    etree.SubElement(font, f"{{{w}}}{tag}", {f"{{{w}}}val": val})
            tnr = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": "Times New Roman"})
            for tag, val in (("charset", "00"), ("family", "roman"), ("pitch", "variable")):
                etree.SubElement(tnr, f"{{{w}}}{tag}", {f"{{{w}}}val": val})
            rel.target_part._blob = etree.tostring(
                root, xml_declaration=True, encoding="UTF-8", standalone=True
            )
        elif rel.reltype.endswith("/theme"):
            a = "http://schemas.openxmlformats.org/drawingml/2006/main"
            theme = etree.fromstring(rel.target_part.blob)
            for kind, font in (("majorFont", HEITI), ("minorFont", FANGSONG)):
                for el in theme.iter(f"{{{a}}}{kind}"):
                    el.find(f"{{{a}}}ea").set("typeface", font)
                    for f in el.findall(f"{{{a}}}font"):
                        if f.get("script") in ("Jpan", "Hans"):
                            f.set("typeface", font)
            rel.target_part._blob = etree.tostring(
                theme, xml_declaration=True, encoding="UTF-8", standalone=True
            )


def _footers(doc: Document) -> None:  # type: ignore[valid-type]
    sec = doc.sections[0]
    one_char = str(PAGE_NO_PT * 20)  # one 四号 character, in twips
    for footer, align, side in (
        (sec.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
        (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left"),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.style = doc.styles["页码"]
        p.alignment = align
        ppr = p._p.get_or_add_pPr()
        _put(ppr, "ind", _PPR_ORDER, **{side: one_char, "firstLine": "0", "firstLineChars": "0"})
        p.add_run("— ")
        add_field(p, "PAGE")
        p.add_run(" —")
    for header in (sec.header, sec.even_page_header):
        header.is_linked_to_previous = False


def para(doc: Document, text: str, style: str = "Normal") -> object:  # type: ignore[valid-type]
    return doc.add_paragraph(text, style=doc.styles[style])


def lead_in(doc: Document, text: str) -> object:  # type: ignore[valid-type]
    """A paragraph kept on the page of what follows (a table's first rows)."""
    p = para(doc, text)
    p.paragraph_format.keep_with_next = True  # type: ignore[attr-defined]
    return p


def new_page(paragraph: object) -> None:
    """Start `paragraph` on a new page. A page-break paragraph of its own would, when
    the page before is full, fall onto an empty page and break again."""
    paragraph.paragraph_format.page_break_before = True  # type: ignore[attr-defined]


LIGHT_COLOURS = (("red", RED), ("yellow", "C07800"), ("green", "008A3E"))


def light_cell(cell: object, doc: Document, style: str, light: str, text: str) -> None:  # type: ignore[valid-type]
    """A cell whose first paragraph is the light (红灯 in red, 黄灯 in amber, 绿灯 in
    green, bold) and whose second is `text`. Each colour is its own run between
    {%r if %} tags, so an office can recolour the runs in Word."""
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    for r in list(p.runs):
        r._r.getparent().remove(r._r)
    p.style = doc.styles[style]
    for i, (name, colour) in enumerate(LIGHT_COLOURS):
        p.add_run(f"{{%r {'if' if i == 0 else 'elif'} {light} == '{name}' %}}")
        run = p.add_run(f"{{{{ {light}_text }}}}")
        run.bold = True
        run.font.color.rgb = RGBColor.from_string(colour)
    p.add_run("{%r else %}")
    p.add_run(f"{{{{ {light}_text }}}}")
    p.add_run("{%r endif %}")
    q = cell.add_paragraph(text, style=doc.styles[style])  # type: ignore[attr-defined]
    del q


def warning(doc: Document, var: str) -> None:  # type: ignore[valid-type]
    """What a report made with --allow-errors left out: bold red, at the top, only when set."""
    para(doc, f"{{%p if {var} %}}")
    p = para(doc, "")
    run = p.add_run(f"{{{{ {var} }}}}")  # type: ignore[attr-defined]
    run.bold = True
    run.font.color.rgb = RGBColor.from_string(RED)
    para(doc, "{%p endif %}")


def made_from(doc: Document, var: str) -> None:  # type: ignore[valid-type]
    """Small print: the commit the document was made from (after the 版记 or the 落款)."""
    para(doc, f"{{%p if {var} %}}")
    p = para(doc, "", "版记")
    p.paragraph_format.space_before = Pt(6)  # type: ignore[attr-defined]
    run = p.add_run(f"{{{{ {var} }}}}")  # type: ignore[attr-defined]
    run.font.size = Pt(9)
    para(doc, "{%p endif %}")


def red_header(doc: Document, name: str, issue: str, office: str, date: str) -> None:  # type: ignore[valid-type]
    """The 简报 header: red name, 第N期, office left and date right over a thick red rule."""
    para(doc, name, "简报名称")
    if issue:
        para(doc, issue, "期号")
    para(doc, f"{office}\t{date}", "编印单位")


def _cell_margins(table: Table, twips: int = 60) -> None:
    mar = _put(table._tbl.tblPr, "tblCellMar", _TBLPR_ORDER)
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(twips))
        el.set(qn("w:type"), "dxa")
        mar.append(el)  # type: ignore[attr-defined]


def _table_borders(table: Table, size_eighths: int = 4) -> None:
    borders = _put(table._tbl.tblPr, "tblBorders", _TBLPR_ORDER)
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size_eighths))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
        borders.append(el)  # type: ignore[attr-defined]


def _fix_widths(table: Table, widths_mm: Sequence[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tblpr = table._tbl.tblPr
    _put(tblpr, "tblW", _TBLPR_ORDER, w=str(round(sum(widths_mm) / 25.4 * 1440)), type="dxa")
    _put(tblpr, "tblLayout", _TBLPR_ORDER, type="fixed")
    look = tblpr.find(qn("w:tblLook"))  # python-docx puts it before jc: move it last
    if look is not None:
        tblpr.remove(look)
        tblpr.append(look)
    for i, col in enumerate(table.columns):
        col.width = Mm(widths_mm[i])
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            cell.width = Mm(widths_mm[i])


def _set_cell(cell: object, text: str, style: str, doc: Document) -> None:  # type: ignore[valid-type]
    p = cell.paragraphs[0]  # type: ignore[attr-defined]
    p.style = doc.styles[style]
    if text:
        p.add_run(text)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    trpr.append(el)
    cant = OxmlElement("w:cantSplit")
    trpr.append(cant)


def loop_table(
    doc: Document,  # type: ignore[valid-type]
    headers: Sequence[str],
    cells: Sequence[str],
    widths_mm: Sequence[float],
    *,
    loop: str,
    var: str = "x",
    group: tuple[str, str] | None = None,
    left_cols: Sequence[int] = (),
    small: bool = False,
) -> Table:
    """A table with a repeated header row and one `{%tr for %}` row per item.

    With `group` = (outer loop, group caption), each group gets a merged caption row
    and the inner `loop` runs over its items.
    """
    head_style = "附表表头" if small else "表头"
    text_style = "附表文字居中" if small else "表格文字"
    left_style = "附表文字" if small else "表格文字左"
    n = len(headers)
    table = doc.add_table(rows=1, cols=n)
    _table_borders(table)
    _cell_margins(table)
    for i, h in enumerate(headers):
        _set_cell(table.rows[0].cells[i], h, head_style, doc)
    _repeat_header(table.rows[0])

    def tag_row(tag: str) -> None:
        row = table.add_row()
        _set_cell(row.cells[0], tag, text_style, doc)

    if group:
        tag_row(f"{{%tr for g in {group[0]} %}}")
        row = table.add_row()
        merged = row.cells[0].merge(row.cells[n - 1])
        for extra in merged.paragraphs[1:]:
            extra._p.getparent().remove(extra._p)
        _set_cell(merged, group[1], "表格文字左", doc)
        merged.paragraphs[0].runs[0].bold = True
        merged.paragraphs[
            0
        ].paragraph_format.keep_with_next = True  # the caption stays with its rows
    tag_row(f"{{%tr for {var} in {loop} %}}")
    row = table.add_row()
    for i, text in enumerate(cells):
        _set_cell(row.cells[i], text, left_style if i in left_cols else text_style, doc)
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    tag_row("{%tr endfor %}")
    if group:
        tag_row("{%tr endfor %}")
    _fix_widths(table, widths_mm)
    return table


def banji(  # type: ignore[valid-type]
    doc: Document, rows: Sequence[tuple[str, str]], last: str, copies: tuple[str, str] | None = None
) -> Table:
    """版记: thick rules first and last, thin between; `rows` are (condition, text)."""
    table = doc.add_table(rows=0, cols=1)
    borders = _put(table._tbl.tblPr, "tblBorders", _TBLPR_ORDER)
    # Schema order; thick (1 pt) first and last rules, thin (0.5 pt) between.
    for side, sz in (
        ("top", 8), ("left", 0), ("bottom", 8), ("right", 0), ("insideH", 4), ("insideV", 0)
    ):
        el = OxmlElement(f"w:{side}")
        if sz:
            el.set(qn("w:val"), "single")
            el.set(qn("w:sz"), str(sz))
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        else:
            el.set(qn("w:val"), "nil")
        borders.append(el)  # type: ignore[attr-defined]
    _cell_margins(table, 0)
    for cond, text in rows:
        if cond:
            table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr if {cond} %}}")
        cell = table.add_row().cells[0]
        p = cell.paragraphs[0]
        p.style = doc.styles["版记"]
        _put(
            p._p.get_or_add_pPr(),
            "ind",
            _PPR_ORDER,
            left="280",
            right="280",
            firstLine="0",
            firstLineChars="0",
        )
        p.add_run(text)
        if cond:
            table.add_row().cells[0].paragraphs[0].add_run("{%tr endif %}")
    cell = table.add_row().cells[0]
    p = cell.paragraphs[0]
    p.style = doc.styles["版记"]
    ppr = p._p.get_or_add_pPr()
    _put(ppr, "ind", _PPR_ORDER, left="280", right="280", firstLine="0", firstLineChars="0")
    right_tab(ppr, TEXT_WIDTH_TWIPS - 280)
    p.add_run(last)
    if copies:
        table.add_row().cells[0].paragraphs[0].add_run(f"{{%tr if {copies[0]} %}}")
        p = table.add_row().cells[0].paragraphs[0]
        p.style = doc.styles["版记"]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _put(
            p._p.get_or_add_pPr(),
            "ind",
            _PPR_ORDER,
            left="280",
            right="280",
            firstLine="0",
            firstLineChars="0",
        )
        p.add_run(copies[1])
        table.add_row().cells[0].paragraphs[0].add_run("{%tr endif %}")
    # One block on one page: no row split, every row kept with the next.
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        for cell_p in row.cells[0].paragraphs:
            cell_p.paragraph_format.keep_with_next = True
    table.rows[-1].cells[0].paragraphs[0].paragraph_format.keep_with_next = False
    _fix_widths(table, [TEXT_WIDTH_MM])
    return table


# ---------------------------------------------------------------------------
# The two templates

# Column widths in mm (they add up to the 156 mm text block) for 小四 table text, in
# the fonts an office has and in LibreOffice's wider substitutes: 序号, FGW-003,
# 11月30日 and 副县长 李某某 each on one line; two-line headers where a header is
# wider than its numbers.
OVERDUE_HEADERS = ["序号", "编号", "任务", "责任人", "包抓领导", "时限", "逾期\n天数"]
OVERDUE_WIDTHS = [11, 21, 46, 15, 29, 22, 12]


def build_brief() -> Document:  # type: ignore[valid-type]
    doc = new_document()
    red_header(doc, "{{ h.name }}", "{{ issue }}", "{{ h.office }}", "{{ h.written|cn_date }}")
    warning(doc, "b.notice")
    para(doc, "", "Normal")
    para(doc, "{%p for line in h.title_lines %}")
    para(doc, "{{ line }}", "文件标题")
    para(doc, "{%p endfor %}")
    para(doc, "{{ h.subtitle }}", "副标题")
    para(doc, "", "Normal")

    para(doc, "一、总体情况", "一级标题")
    para(
        doc,
        "截至{{ b.evaluated_at|cn_date }}，台账共有任务{{ t.tasks }}项"
        "{% if t.cancelled %}（另有已取消{{ t.cancelled }}项，不计入）{% endif %}。"
        "其中已完成{{ t.done }}项（按期完成{{ t.done_on_time }}项、逾期完成{{ t.done_late }}项），"
        "完成率{{ t.completion_rate|pct }}；正在推进{{ t.open }}项"
        "{% if t.planned or t.suspended %}，未启动{{ t.planned }}项，暂缓{{ t.suspended }}项{% endif %}"
        "{% if t.invalid %}，台账有误（日期或状态无法识别）{{ t.invalid }}项{% endif %}。"
        "已到时限的{{ t.due_by_now }}项任务中按期完成率{{ t.on_time_rate|pct }}。",
    )
    para(
        doc,
        "在推进的任务中，逾期未完成{{ t.overdue }}项，节点逾期{{ t.milestone_overdue }}项，"
        "临期{{ t.due_soon }}项，进度滞后{{ t.behind }}项，未按时报送进展{{ t.no_report }}项，"
        "正常推进{{ t.on_track }}项。",
    )
    para(doc, "{%p if b.has_previous %}")
    para(
        doc,
        "与{{ h.previous_name }}（截至{{ b.previous_period.end|cn_date }}）相比：已完成{{ c.done|delta }}，"
        "逾期未完成{{ c.overdue|delta }}，节点逾期{{ c.milestone_overdue|delta }}，"
        "临期{{ c.due_soon|delta }}，进度滞后{{ c.behind|delta }}，"
        "未按时报送{{ c.no_report|delta }}；完成率{{ c.completion_rate|points }}。",
    )
    para(doc, "{%p else %}")
    para(doc, "{{ h.previous_name }}无数据（台账自{{ b.tracking_since|cn_date }}起建立），不作比较。")
    para(doc, "{%p endif %}")
    breakdown_headers = ["任务", "已完成", "逾期", "临期", "滞后", "未报送", "完成率"]
    breakdown_cells = [
        "{{ r.tasks }}",
        "{{ r.done }}",
        "{{ r.overdue }}",
        "{{ r.due_soon }}",
        "{{ r.behind }}",
        "{{ r.no_report }}",
        "{{ r.completion_rate|pct }}",
    ]
    widths = [44, 16, 16, 16, 16, 16, 16, 16]
    lead_in(doc, "各类别任务推进情况如下：")
    loop_table(
        doc,
        ["类别", *breakdown_headers],
        ["{{ r.label }}", *breakdown_cells],
        widths,
        loop="b.by_category",
        var="r",
        left_cols=(0,),
    )
    lead_in(doc, "各类单位任务推进情况如下：")
    loop_table(
        doc,
        ["单位类型", *breakdown_headers],
        ["{{ r.label }}", *breakdown_cells],
        widths,
        loop="b.by_unit_kind",
        var="r",
        left_cols=(0,),
    )
    # issue 20: a section per kind of task, only when a task names a kind other than 重点工作
    para(doc, "{%p if b.by_task_kind %}")
    lead_in(doc, "各类型任务办理情况如下：")
    loop_table(
        doc,
        ["任务类型", "任务", "已完成", "逾期", "未签收", "待销号", "完成率"],
        [
            "{{ k.name }}",
            "{{ k.tasks }}",
            "{{ k.done }}",
            "{{ k.overdue }}",
            "{{ k.unacknowledged }}",
            "{{ k.pending_verification }}",
            "{{ k.completion_rate|pct }}",
        ],
        [40, 18, 18, 18, 18, 18, 26],
        loop="b.by_task_kind",
        var="k",
        left_cols=(0,),
    )
    lead_in(doc, "分类督办事项：")
    loop_table(
        doc,
        ["序号", "事项", "承办单位", "交办", "签收", "时限", "状态"],
        [
            "{{ x.no }}",
            "{{ x.title }}{% if x.satisfaction %}（{{ x.satisfaction }}）{% endif %}",
            "{{ x.unit }}",
            "{{ x.assigned|tdate(b.as_of.year) if x.assigned else '—' }}",
            "{{ x.acknowledged|tdate(b.as_of.year) if x.acknowledged else '未签收' }}",
            "{{ x.deadline|tdate(b.as_of.year) if x.deadline else '—' }}",
            "{{ x.state_text }}",
        ],
        [10, 38, 22, 21, 21, 21, 23],
        loop="g.items",
        group=("b.by_task_kind if g.items", "{{ g.name }}（{{ g.tasks }}件）"),
        left_cols=(1, 2),
    )
    para(doc, "{%p endif %}")

    para(doc, "二、进展较好", "一级标题")
    para(doc, "{%p if b.completed %}")
    para(
        doc,
        "本期（{{ b.period.start|short_date }}至{{ b.evaluated_at|short_date }}）完成任务"
        "{{ b.completed|length }}项{% if b.done_early %}，其中提前完成{{ b.done_early|length }}项{% endif %}：",
    )
    para(doc, "{%p for x in b.completed %}")
    para(
        doc,
        "{{ x.no }}. {{ x.title }}（{{ x.unit }}）：{{ x.done|short_date }}完成"
        "{% if x.early_days is none %}。{% elif x.early_days > 0 %}，比时限提前{{ x.early_days }}天。"
        "{% elif x.early_days == 0 %}，按期完成。{% else %}，逾期{{ -x.early_days }}天完成。{% endif %}",
    )
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "本期没有完成的任务。")
    para(doc, "{%p endif %}")

    para(doc, "三、存在问题", "一级标题")
    para(doc, "（一）逾期未完成任务", "二级标题")
    para(doc, "{%p if b.overdue %}")
    lead_in(
        doc,
        "截至{{ b.evaluated_at|cn_date }}，逾期未完成任务{{ b.overdue_tasks }}项"
        "{% if b.overdue_milestones %}、其他任务逾期节点{{ b.overdue_milestones }}个{% endif %}，"
        "涉及{{ b.overdue|length }}个单位，现予通报：",
    )
    loop_table(
        doc,
        OVERDUE_HEADERS,
        [
            "{{ x.no }}",
            "{{ x.id }}",
            "{{ x.title }}{% if x.milestone %}（节点：{{ x.milestone }}）{% endif %}"
            "{% if x.overdue_milestones %}（逾期节点：{{ x.overdue_milestones|join('、') }}）{% endif %}",
            "{{ x.owner }}",
            "{{ x.leader }}",
            "{{ x.deadline|tdate(b.as_of.year) }}",
            "{{ x.days_overdue }}",
        ],
        OVERDUE_WIDTHS,
        loop="g.items",
        group=(
            "b.overdue",
            "{{ g.unit }}（{% if g.tasks %}逾期任务{{ g.tasks }}项{% endif %}{% if g.tasks and g.milestones %}，"
            "{% endif %}{% if g.milestones %}逾期节点{{ g.milestones }}个{% endif %}）",
        ),
        left_cols=(2, 4),
    )
    para(doc, "{%p else %}")
    para(doc, "本期没有逾期未完成的任务和节点。")
    para(doc, "{%p endif %}")

    para(doc, "（二）进度滞后任务", "二级标题")
    para(doc, "{%p if b.behind %}")
    lead_in(doc, "以下{{ b.behind|length }}项任务实际进度低于时序进度：")
    loop_table(
        doc,
        ["序号", "编号", "任务", "牵头单位", "责任人", "实际\n进度", "时序\n进度"],
        [
            "{{ x.no }}",
            "{{ x.id }}",
            "{{ x.title }}",
            "{{ x.unit }}",
            "{{ x.owner }}",
            "{{ x.percent|pct }}",
            "{{ x.expected_percent|pct }}",
        ],
        [11, 21, 51, 28, 15, 15, 15],
        loop="b.behind",
        left_cols=(2, 3),
    )
    para(doc, "{%p else %}")
    para(doc, "本期没有进度滞后的任务。")
    para(doc, "{%p endif %}")

    para(doc, "（三）未按时报送进展", "二级标题")
    para(doc, "{%p if b.unreported %}")
    para(doc, "{{ b.unreported|length }}个单位的{{ b.unreported_tasks }}项任务本期未报送进展：")
    para(doc, "{%p for g in b.unreported %}")
    para(
        doc,
        "{{ loop.index }}. {{ g.unit }}（{{ g.tasks|length }}项）：{% for x in g.tasks %}{{ x.title }}"
        "（最近报送：{{ x.last_report|short_date if x.last_report else '从未报送' }}）"
        "{{ '；' if not loop.last else '。' }}{% endfor %}",
    )
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "各单位均按时报送了任务进展。")
    para(doc, "{%p endif %}")

    # issue 20: notices as records and the 约谈 list computed from them
    para(doc, "{%p if b.show_notices %}")
    para(doc, "（四）督办通知办理情况", "二级标题")
    para(doc, "{%p if b.notices %}")
    lead_in(doc, "本期发出和尚未回复的督办通知{{ b.notices|length }}件：")
    loop_table(
        doc,
        ["文号", "单位", "发出日期", "回复期限", "督办单", "回复情况"],
        [
            "{{ x.number }}",
            "{{ x.unit }}",
            "{{ x.issued|tdate(b.as_of.year) }}",
            "{{ x.reply_due|tdate(b.as_of.year) }}",
            "{{ x.colour_text }}{% if x.escalated %}（已升级）{% endif %}",
            "{% if x.answered %}{{ x.answered|short_date }}已回复{% else %}未回复{% endif %}",
        ],
        [40, 28, 22, 22, 26, 18],
        loop="b.notices",
        left_cols=(0, 1),
    )
    para(doc, "{%p else %}")
    para(doc, "本期没有发出或尚未回复的督办通知。")
    para(doc, "{%p endif %}")
    para(doc, "（五）约谈名单", "二级标题")
    para(doc, "{%p if b.interviews %}")
    para(
        doc,
        "以下单位持有红色督办单{% if b.interview_after %}或连续{{ b.interview_after }}期被通报{% endif %}，"
        "列入约谈名单：",
    )
    para(doc, "{%p for x in b.interviews %}")
    para(
        doc,
        "{{ x.no }}. {{ x.unit }}（{% if x.red_notices %}红色督办单{{ x.red_notices|join('、') }}未回复{% endif %}"
        "{% if x.red_notices and x.consecutive %}；{% endif %}"
        "{% if x.consecutive %}连续{{ x.consecutive }}期被通报{% endif %}）",
    )
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "本期没有单位列入约谈名单。")
    para(doc, "{%p endif %}")
    para(doc, "{%p endif %}")

    para(doc, "四、下步工作要求", "一级标题")
    para(doc, "（一）下期到期事项", "二级标题")
    para(doc, "{%p if b.coming_due %}")
    lead_in(
        doc,
        "截至下期末（{{ b.next_period.end|cn_date }}），以下{{ b.coming_due|length }}项任务和节点"
        "将到期，请责任单位倒排工期，确保按期完成：",
    )
    loop_table(
        doc,
        ["序号", "编号", "任务", "牵头单位", "责任人", "时限", "剩余\n工作日"],
        [
            "{{ x.no }}",
            "{{ x.id }}",
            "{{ x.title }}{% if x.milestone %}（节点：{{ x.milestone }}）{% endif %}",
            "{{ x.unit }}",
            "{{ x.owner }}",
            "{{ x.deadline|tdate(b.as_of.year) }}",
            "{{ x.workdays_left|num }}",
        ],
        [11, 21, 44, 28, 15, 22, 15],
        loop="b.coming_due",
        left_cols=(2, 3),
    )
    para(doc, "{%p else %}")
    para(doc, "截至下期末（{{ b.next_period.end|cn_date }}），没有到期的任务和节点。")
    para(doc, "{%p endif %}")
    para(doc, "（二）工作要求", "二级标题")
    para(doc, "{%p if b.requirements %}")
    para(doc, "{%p for r in b.requirements %}")
    para(doc, "{{ loop.index }}. {{ r }}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p else %}")
    para(doc, "请各责任单位对照时间节点，加快推进；对本期通报的问题，认真分析原因，限期整改到位。")
    para(doc, "{%p endif %}")

    para(doc, "五、各单位考评排名", "一级标题")
    para(doc, "{%p if b.ranking.rows %}")
    lead_in(
        doc,
        "按照考评计分办法，{{ b.ranking.start|cn_date }}至{{ b.ranking.end|cn_date }}各单位"
        "考评得分及排名如下（基础分{{ b.ranking.base }}分，得分相同者名次相同）：",
    )
    # 单位 holds the longest name (县纪委监委（县监察局）, 11 characters of 小四) on one
    # line; the count headers take two lines each.
    loop_table(
        doc,
        ["名次", "单位", "得分", "按期\n完成", "逾期\n完成", "逾期\n未完成", "节点\n未按期", "未报送\n(次)"],
        [
            "{{ x.rank }}",
            "{{ x.unit }}",
            "{{ x.score_text }}",
            "{{ x.done_on_time }}",
            "{{ x.done_late }}",
            "{{ x.overdue }}",
            "{{ x.milestone_missed }}",
            "{{ x.report_missing }}",
        ],
        [12, 49, 17, 15.6, 15.6, 15.6, 15.6, 15.6],
        loop="b.ranking.rows",
        left_cols=(1,),
    )
    # The last sentence, the blank line and 附件说明 stay together: 附件说明 never
    # stands alone on a page.
    lead_in(
        doc,
        "得分前三名：{% for x in b.ranking.top %}{{ x.unit }}（{{ x.score_text }}分）"
        "{{ '、' if not loop.last }}{% endfor %}{% if b.ranking.bottom %}；后三名："
        "{% for x in b.ranking.bottom %}{{ x.unit }}（{{ x.score_text }}分）"
        "{{ '、' if not loop.last }}{% endfor %}{% endif %}。"
        "{% if b.ranking.unranked %}另有{{ b.ranking.unranked }}个单位在此期间无考评任务，"
        "不参加排名。{% endif %}",
    )
    para(doc, "{%p else %}")
    lead_in(doc, "{{ b.ranking.start|cn_date }}至{{ b.ranking.end|cn_date }}各单位均无考评任务，暂不排名。")
    para(doc, "{%p endif %}")

    lead_in(doc, "")
    para(doc, "附件：在推进任务一览表", "Normal")

    p = para(doc, "附件", "一级标题")
    new_page(p)
    _put(p._p.get_or_add_pPr(), "ind", _PPR_ORDER, firstLine="0", firstLineChars="0")  # type: ignore[attr-defined]
    para(doc, "", "Normal")
    para(doc, "在推进任务一览表", "文件标题")
    lead_in(doc, "（截至{{ b.evaluated_at|cn_date }}）").style = doc.styles["副标题"]  # type: ignore[attr-defined]
    lead_in(doc, "")
    para(doc, "{%p if b.appendix %}")
    appendix = loop_table(
        doc,
        ["序号", "编号", "任务", "牵头单位", "责任人", "时限", "进度", "状态"],
        [
            "{{ x.no }}",
            "{{ x.id }}",
            "{{ x.title }}",
            "{{ x.unit }}",
            "{{ x.owner }}",
            "{{ x.deadline|tdate(b.as_of.year) }}",
            "{{ x.percent|pct }}",
            "",
        ],
        # 时限 holds 12月31日 and 状态 未按时报送 on one line of 五号, also in LibreOffice,
        # which puts a gap between Chinese and digits whatever autoSpaceDE says.
        [9.5, 18.5, 37.5, 24.5, 13.5, 20.5, 13, 19],
        loop="b.appendix",
        left_cols=(2, 3, 7),
        small=True,
    )
    light_cell(appendix.rows[2].cells[7], doc, "附表文字", "x.light", "{{ x.state_text }}")
    para(doc, "{%p else %}")
    para(doc, "目前没有在推进的任务。")
    para(doc, "{%p endif %}")

    lead_in(doc, "")  # the blank line before the 版记 goes with it
    banji(
        doc,
        [
            ("b.recipients_report", "报：{{ b.recipients_report }}"),
            ("b.recipients_send", "送：{{ b.recipients_send }}"),
            ("b.recipients_issue", "发：{{ b.recipients_issue }}"),
        ],
        "{{ h.office }}\t{{ h.written|cn_date }}印发",
        copies=("b.copies", "（共印{{ b.copies }}份）"),
    )
    made_from(doc, "b.made_from")
    return doc


def build_notice() -> Document:  # type: ignore[valid-type]
    doc = new_document()
    red_header(doc, "督办通知", "", "{{ n.office }}", "{{ n.as_of|cn_date }}")
    warning(doc, "n.notice")
    para(doc, "{%p if n.number %}")  # issue 20: a notice issued with --issue
    para(doc, "{{ n.colour_text }}督办单　{{ n.number }}", "Normal")
    para(doc, "{%p endif %}")
    para(doc, "", "Normal")
    para(doc, "关于督促{{ n.unit }}加快推进重点任务的通知", "文件标题")
    para(doc, "", "Normal")
    p = para(doc, "{{ n.unit }}：")
    _put(p._p.get_or_add_pPr(), "ind", _PPR_ORDER, firstLine="0", firstLineChars="0")  # type: ignore[attr-defined]
    para(
        doc,
        "根据{{ n.campaign }}督查督办台账，截至{{ n.as_of|cn_date }}，你单位牵头的以下任务"
        "存在逾期、临期、进度滞后或未按时报送进展的情况，现予督办。",
    )

    def section(title: str, cond: str, empty: str, build: object) -> None:
        para(doc, title, "一级标题")
        para(doc, f"{{%p if {cond} %}}")
        build()  # type: ignore[operator]
        para(doc, "{%p else %}")
        para(doc, empty)
        para(doc, "{%p endif %}")

    section(
        "一、逾期未完成{{ '任务和节点' if n.milestone_overdue else '任务' }}",
        "n.overdue or n.milestone_overdue",
        "你单位没有逾期未完成的任务。",
        lambda: loop_table(
            doc,
            OVERDUE_HEADERS,
            [
                "{{ x.no }}",
                "{{ x.id }}",
                "{{ x.title }}{% if x.milestone %}（节点：{{ x.milestone }}）{% endif %}",
                "{{ x.owner }}",
                "{{ x.leader }}",
                "{{ x.deadline|tdate(n.as_of.year) }}",
                "{{ x.days_overdue }}",
            ],
            OVERDUE_WIDTHS,
            loop="n.overdue + n.milestone_overdue",
            left_cols=(2, 4),
        ),
    )
    section(
        "二、临期任务",
        "n.due_soon",
        "你单位没有临期任务。",
        lambda: loop_table(
            doc,
            ["序号", "编号", "任务", "责任人", "包抓领导", "时限", "剩余\n工作日"],
            [
                "{{ x.no }}",
                "{{ x.id }}",
                "{{ x.title }}",
                "{{ x.owner }}",
                "{{ x.leader }}",
                "{{ x.deadline|tdate(n.as_of.year) }}",
                "{{ x.workdays_left|num }}",
            ],
            [11, 21, 43, 15, 29, 22, 15],
            loop="n.due_soon",
            left_cols=(2, 4),
        ),
    )
    section(
        "三、进度滞后的任务",
        "n.behind",
        "你单位没有进度滞后的任务。",
        lambda: loop_table(
            doc,
            ["序号", "编号", "任务", "责任人", "时限", "实际\n进度", "时序\n进度"],
            [
                "{{ x.no }}",
                "{{ x.id }}",
                "{{ x.title }}",
                "{{ x.owner }}",
                "{{ x.deadline|tdate(n.as_of.year) }}",
                "{{ x.percent|pct }}",
                "{{ x.expected_percent|pct }}",
            ],
            [11, 21, 56, 15, 22, 15, 16],
            loop="n.behind",
            left_cols=(2,),
        ),
    )
    section(
        "四、未按时报送进展的任务",
        "n.unreported",
        "你单位各项任务均按时报送了进展。",
        lambda: loop_table(
            doc,
            ["序号", "编号", "任务", "责任人", "时限", "最近\n报送"],
            [
                "{{ x.no }}",
                "{{ x.id }}",
                "{{ x.title }}",
                "{{ x.owner }}",
                "{{ x.deadline|tdate(n.as_of.year) }}",
                "{{ x.last_report|tdate(n.as_of.year) if x.last_report else '从未报送' }}",
            ],
            [11, 21, 66, 15, 22, 21],
            loop="n.unreported",
            left_cols=(2,),
        ),
    )
    para(
        doc,
        "请你单位接此通知后，对照时间节点认真分析原因，制定整改措施，加快推进，"
        "并于{{ n.reply_by|cn_date }}前将办理情况书面报送{{ n.office }}。"
        "{% if n.number %}回复时请在相应任务的进展（progress）中注明“notice: {{ n.number }}”；"
        "逾期未回复的，督办单将升级。{% endif %}",
    )
    para(doc, "", "Normal")
    para(doc, "", "Normal")
    p = para(doc, "{{ n.office }}", "落款")
    _put(p._p.get_or_add_pPr(), "ind", _PPR_ORDER, right="640")  # type: ignore[attr-defined]
    p = para(doc, "{{ n.as_of|cn_date }}", "落款")
    _put(p._p.get_or_add_pPr(), "ind", _PPR_ORDER, right="1280")  # type: ignore[attr-defined]
    made_from(doc, "n.made_from")
    return doc


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parents[1] / "templates"
    out.mkdir(parents=True, exist_ok=True)
    build_brief().save(str(out / "brief.docx"))
    build_notice().save(str(out / "notice.docx"))
    print(f"wrote {out / 'brief.docx'} and {out / 'notice.docx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
