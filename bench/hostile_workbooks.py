# ruff: noqa: E501  (the hostile files are written one per line)
"""Hostile workbooks and CSV files through `import` and `collect` (issue 14).

    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_workbooks.py [--only NAME...] [--keep DIR]

Each file is built by hand (zipfile, raw XML, raw bytes) and given to `import --dry-run`,
`import` and `collect --dry-run` on a fresh ledger, with the limits of bench/hostile_corpus.py
(60 s, 2 GB address space). Flagged: a traceback or "internal error", an exit outside
0/1/2, control bytes on the terminal, the canary of a file outside the ledger printed,
over 30 s, a ledger left broken (`check` no longer exits 0 or 1 without errors it had).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_corpus import CANARY, base, flags_of, run

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
{over}
</Types>"""
SHEET_CT = ('<Override PartName="/xl/worksheets/{n}" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
SST_CT = ('<Override PartName="/xl/sharedStrings.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WS_REL = ('<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
          'relationships/worksheet" Target="{target}"/>')
SST_REL = ('<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
           'relationships/sharedStrings" Target="sharedStrings.xml"/>')

HEAD = ('<row r="1"><c r="A1" t="inlineStr"><is><t>任务名称</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>责任单位</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>完成时限</t></is></c>'
        '<c r="D1" t="inlineStr"><is><t>进展情况</t></is></c></row>')


def row(r: int, *cells: str) -> str:
    return f'<row r="{r}">' + "".join(cells) + "</row>"


def s(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def GOOD(r: int = 2) -> str:
    return row(r, s(f"A{r}", "新任务"), s(f"B{r}", "县发改委"), s(f"C{r}", "2026-12-31"), s(f"D{r}", "已开工"))


def sheet(rows: str, dim: str = "A1:D2", after: str = "", prolog: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet {NS}>'
            f'<dimension ref="{dim}"/><sheetData>{rows}</sheetData>{after}</worksheet>')


def book(path: Path, sheets: list[tuple[str, str, str]], shared: str | None = None,
         extra: dict[str, str | bytes] | None = None, wb_extra: str = "", names: str = "") -> Path:
    """sheets: (sheet name, target relative to xl/, xml or "" for a missing part)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        over = "".join(SHEET_CT.format(n=t.split("/")[-1]) for _, t, _ in sheets) + (SST_CT if shared else "")
        z.writestr("[Content_Types].xml", CT.format(over=over))
        z.writestr("_rels/.rels", RELS)
        sheets_xml = "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"{wb_extra}/>'
                             for i, (n, _, _) in enumerate(sheets))
        z.writestr("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}>'
                   f"<sheets>{sheets_xml}</sheets>{f'<definedNames>{names}</definedNames>' if names else ''}</workbook>")
        rels = "".join(WS_REL.format(i=i + 1, target=t) for i, (_, t, _) in enumerate(sheets))
        z.writestr("xl/_rels/workbook.xml.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   + rels + (SST_REL if shared else "") + "</Relationships>")
        for _, t, xml in sheets:
            if xml:
                z.writestr("xl/" + t if not t.startswith("/") else t.lstrip("/"), xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


CASES: dict[str, Callable[[Path, Path], Path]] = {}


def case(name: str) -> Callable[[Callable[[Path, Path], Path]], Callable[[Path, Path], Path]]:
    def deco(fn: Callable[[Path, Path], Path]) -> Callable[[Path, Path], Path]:
        CASES[name] = fn
        return fn
    return deco


def _csv(name: str, data: bytes) -> None:
    CASES[name] = lambda d, sb: (d / f"{name}.csv").write_bytes(data) or d / f"{name}.csv"  # type: ignore[func-returns-value]


HEADER_CSV = "任务名称,责任单位,完成时限,进展情况\n"
_csv("csv-gbk", (HEADER_CSV + "新任务,县发改委,2026-12-31,已开工\n").encode("gbk"))
_csv("csv-gb18030-4byte", (HEADER_CSV + "新任务𠀀,县发改委,2026-12-31,已开工\n").encode("gb18030"))
_csv("csv-utf16-tsv", (HEADER_CSV.replace(",", "\t") + "新任务\t县发改委\t2026-12-31\t已开工\n").encode("utf-16"))
_csv("csv-utf16le-nobom", (HEADER_CSV + "新任务,县发改委,2026-12-31,已开工\n").encode("utf-16-le"))
_csv("csv-big5", (HEADER_CSV + "新任務,县发改委,2026-12-31,已開工\n").encode("big5", "replace"))
_csv("csv-latin1", b"title,lead,due\ncaf\xe9,fgw,2026-12-31\n")
_csv("csv-million-empty", (HEADER_CSV + "新任务,县发改委,2026-12-31,已开工\n").encode() + b"\n" * 1_000_000)
_csv("csv-million-commas", (HEADER_CSV + "新任务,县发改委,2026-12-31,已开工\n").encode() + b",,,,\n" * 1_000_000)
_csv("csv-wide", HEADER_CSV.encode() + b"," * 5_000_000 + b"\n")
_csv("csv-one-quote", HEADER_CSV.encode() + b'"' + b"x" * 9_000_000 + b"\n")
_csv("csv-cr-only", (HEADER_CSV + "新任务,县发改委,2026-12-31,已开工\n").replace("\n", "\r").encode())
_csv("csv-semicolon", "任务名称;责任单位;完成时限\n新任务;县发改委;2026-12-31\n".encode())
_csv("csv-formulas", (HEADER_CSV + '=1+1,县发改委,=TODAY(),"=HYPERLINK(""http://x"",""y"")"\n'
                      "@SUM(1),+cmd,-2,\t=x\n").encode())
_csv("csv-dates", (HEADER_CSV + "a,县发改委,1e10,x\nb,县发改委,99999,x\nc,县发改委,-1,x\n"
                   "d,县发改委,2026-02-30,x\ne,县发改委,0,x\nf,县发改委,nan,x\ng,县发改委,inf,x\n").encode())
_csv("csv-escapes", (HEADER_CSV + "a\x1b[31m\u202e,县发改委,2026-12-31,\x07\x00\n").encode())
_csv("csv-empty", b"")
_csv("csv-bom-only", b"\xef\xbb\xbf")
_csv("csv-binary", bytes(range(256)) * 1000)
_csv("csv-long-ids", (HEADER_CSV.replace("任务名称", "编号,任务名称") + "../../x,a,县发改委,2026-12-31,x\n"
                      + "--output=x,b,县发改委,2026-12-31,x\n" + "FGW-001,dup,县发改委,2026-12-31,x\n").encode())


@case("xlsx-good")
def _good(d: Path, sb: Path) -> Path:
    return book(d / "good.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))])


@case("xlsx-formulas")
def _formulas(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, s("A2", "新任务"), s("B2", "县发改委"), '<c r="C2"><f>TODAY()+30</f></c>',
                      '<c r="D2" t="str"><f>WEBSERVICE("http://x")</f><v>x</v></c>')
    rows += row(3, '<c r="A3"><f>A2</f></c>', s("B3", "县发改委"), s("C3", "2026-12-31"),
                '<c r="D3" t="e"><v>#REF!</v></c>')
    return book(d / "f.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:D3"))])


@case("xlsx-sst-out-of-range")
def _sst(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, '<c r="A2" t="s"><v>99999</v></c>', '<c r="B2" t="s"><v>-1</v></c>',
                      '<c r="C2" t="s"><v>abc</v></c>', '<c r="D2" t="s"><v>0</v></c>')
    shared = f'<?xml version="1.0"?><sst {NS} count="1" uniqueCount="1"><si><t>x</t></si></sst>'
    return book(d / "sst.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))], shared=shared)


@case("xlsx-sheet-name-traversal")
def _name(d: Path, sb: Path) -> Path:
    return book(d / "n.xlsx", [("../../../etc/passwd", "worksheets/sheet1.xml", sheet(HEAD + GOOD())),
                               ("\x1b[31mred", "worksheets/sheet2.xml", sheet(HEAD + GOOD()))])


@case("xlsx-target-outside")
def _target(d: Path, sb: Path) -> Path:
    return book(d / "t.xlsx", [("台账", "../../../../" + str(sb / "secret.txt"), ""),
                               ("二", "/etc/passwd", "")])


@case("xlsx-missing-sheet-part")
def _missing(d: Path, sb: Path) -> Path:
    return book(d / "m.xlsx", [("台账", "worksheets/nothere.xml", "")])


@case("xlsx-date-serials")
def _serials(d: Path, sb: Path) -> Path:
    rows = HEAD
    for i, v in enumerate(["1e10", "-5", "99999999", "NaN", "INF", "1e308", "0", "60", "2958466"], start=2):
        rows += row(i, s(f"A{i}", f"任务{i}"), s(f"B{i}", "县发改委"), f'<c r="C{i}" s="1"><v>{v}</v></c>')
    styles = (f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
              '</numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>')
    return book(d / "d.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:C10"))],
                extra={"xl/styles.xml": styles})


@case("xlsx-hidden-sheet")
def _hidden(d: Path, sb: Path) -> Path:
    return book(d / "h.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))], wb_extra=' state="veryHidden"')


@case("xlsx-bad-refs")
def _refs(d: Path, sb: Path) -> Path:
    rows = HEAD + '<row r="2"><c r="ZZZZZZ2" t="inlineStr"><is><t>x</t></is></c><c r="A0"><v>1</v></c></row>'
    rows += '<row r="-3"><c r="B-3"><v>1</v></c></row><row r="abc"><c><v>1</v></c></row>'
    return book(d / "r.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:ZZZZZZ99999999"))])


@case("xlsx-not-zip")
def _notzip(d: Path, sb: Path) -> Path:
    p = d / "x.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    return p


@case("xlsx-encrypted")
def _enc(d: Path, sb: Path) -> Path:
    p = d / "e.xlsx"
    p.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 4000)  # an OLE2 container: encrypted xlsx / xls
    return p


@case("xls-renamed-csv")
def _xls(d: Path, sb: Path) -> Path:
    p = d / "old.xls"
    p.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 4000)
    return p


@case("xlsx-zip-traversal-names")
def _zipnames(d: Path, sb: Path) -> Path:
    return book(d / "z.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))],
                extra={"../../evil.txt": "x", "/abs/evil.txt": "y"})


@case("xlsx-huge-inline-string")
def _bigstr(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, s("A2", "x" * 8_000_000), s("B2", "县发改委"), s("C2", "2026-12-31"))
    return book(d / "big.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))])


@case("xlsx-many-rich-runs")
def _runs(d: Path, sb: Path) -> Path:
    cell = '<c r="A2" t="inlineStr"><is>' + "<r><t>a</t></r>" * 300_000 + "</is></c>"
    rows = HEAD + row(2, cell, s("B2", "县发改委"), s("C2", "2026-12-31"))
    return book(d / "runs.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))])


@case("xlsx-deep-xml")
def _deep(d: Path, sb: Path) -> Path:
    cell = '<c r="A2" t="inlineStr"><is><t>x</t>' + "<x>" * 200_000 + "</x>" * 200_000 + "</is></c>"
    return book(d / "deep.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + row(2, cell)))])


@case("xlsx-many-sheets-empty")
def _many(d: Path, sb: Path) -> Path:
    return book(d / "many.xlsx", [(f"s{i}", f"worksheets/sheet{i}.xml", sheet(HEAD)) for i in range(190)])


@case("xlsx-dup-sheet-names")
def _dupnames(d: Path, sb: Path) -> Path:
    return book(d / "dup.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD())),
                                 ("台账", "worksheets/sheet2.xml", sheet(HEAD + GOOD()))])


@case("xlsx-external-link")
def _ext(d: Path, sb: Path) -> Path:
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/externalLinkPath" '
            f'Target="file://{sb}/secret.txt" TargetMode="External"/></Relationships>')
    link = (f'<?xml version="1.0"?><externalLink {NS} {RNS}><externalBook r:id="rId1"><sheetNames><sheetName val="x"/>'
            '</sheetNames></externalBook></externalLink>')
    return book(d / "ext.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))],
                extra={"xl/externalLinks/externalLink1.xml": link, "xl/externalLinks/_rels/externalLink1.xml.rels": rels})


# ------------------------------------------------------------- p-redin: what was not tried

_csv("csv-bom-gbk", b"\xef\xbb\xbf" + (HEADER_CSV + "新任务,县发改委,2026-12-31,已开工\n").encode("gbk"))
_csv("csv-header-repeated", (HEADER_CSV * 3 + "新任务,县发改委,2026-12-31,已开工\n" + HEADER_CSV).encode())
_csv("csv-dup-headers", ("任务名称,任务名称,责任单位,责任单位,完成时限,完成时限\n"
                         "甲,乙,县发改委,县教育局,2026-12-31,2027-01-31\n").encode())
_csv("csv-10000-columns", (HEADER_CSV.rstrip("\n") + ",x" * 10_000 + "\n" + "新任务,县发改委,2026-12-31,已开工"
                           + ",1" * 10_000 + "\n").encode())
_csv("csv-ids-as-dates", ("编号,任务名称,责任单位,完成时限\n2026-12-31,新任务,县发改委,2026-12-31\n"
                          "45000,二,县发改委,2026-12-31\n1e308,三,县发改委,-0\n").encode())
_csv("csv-mixed-line-ends", (HEADER_CSV + "甲,县发改委,2026-12-31,x\r乙,县发改委,2026-12-31,y\r\n"
                             "丙,县发改委,2026-12-31,\"多\r行\n\"\n").encode())
_csv("csv-nul-in-quotes", (HEADER_CSV + '甲,县发改委,2026-12-31,"a\x00b"\n').encode())


def _styles(n: int) -> str:
    fmts = "".join(f'<numFmt numFmtId="{164 + i}" formatCode="yyyy-mm-dd;@{i}"/>' for i in range(min(n, 60_000)))
    xfs = "".join(f'<xf numFmtId="{164 + i % 60_000}" applyNumberFormat="1"/>' for i in range(n))
    return (f'<?xml version="1.0"?><styleSheet {NS}><numFmts count="{min(n, 60_000)}">{fmts}</numFmts>'
            f'<cellXfs count="{n}">{xfs}</cellXfs></styleSheet>')


@case("xlsx-100k-styles")
def _many_styles(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, s("A2", "新任务"), s("B2", "县发改委"), '<c r="C2" s="99999"><v>46387</v></c>')
    return book(d / "styles.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))], extra={"xl/styles.xml": _styles(100_000)})


@case("xlsx-1m-styles")
def _million_styles(d: Path, sb: Path) -> Path:
    # 2.7 MB packed: a million varied cell formats (a run of one packs past the zip-bomb ratio).
    import random
    rnd = random.Random(1)
    xfs = "".join(f'<xf numFmtId="{rnd.randrange(50)}" fontId="0" borderId="{rnd.randrange(9)}" applyNumberFormat="1"/>'
                  for _ in range(1_000_000))
    st = f'<?xml version="1.0"?><styleSheet {NS}><cellXfs count="1000000">{xfs}</cellXfs></styleSheet>'
    return book(d / "styles1m.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))], extra={"xl/styles.xml": st})


@case("xlsx-1m-varied-strings")
def _varied_sst(d: Path, sb: Path) -> Path:
    # 4 MB packed: a million distinct shared strings (a run of one packs past the zip-bomb ratio).
    import random
    rnd = random.Random(5)
    sis = "".join(f"<si><t>{rnd.randrange(36**4):x}</t></si>" for _ in range(1_000_000))
    shared = f'<?xml version="1.0"?><sst {NS}>{sis}<si><t>新任务</t></si><si><t>县发改委</t></si></sst>'
    rows = HEAD + row(2, '<c r="A2" t="s"><v>1000000</v></c>', '<c r="B2" t="s"><v>1000001</v></c>', s("C2", "2026-12-31"))
    return book(d / "sst1m.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))], shared=shared)


@case("xlsx-300k-names")
def _names(d: Path, sb: Path) -> Path:
    import random
    rnd = random.Random(2)
    names = "".join(f'<definedName name="n{i}_{rnd.randrange(10**6)}">台账!$A${rnd.randrange(1, 999)}</definedName>'
                    for i in range(300_000))
    return book(d / "names.xlsx", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))],
                wb_extra="", extra={}, names=names)


@case("xlsx-16384-columns")
def _wide(d: Path, sb: Path) -> Path:
    from openpyxl.utils import get_column_letter
    cells = "".join(f'<c r="{get_column_letter(i)}2"><v>{i}</v></c>' for i in range(1, 16385))
    rows = HEAD + f'<row r="2">{cells}</row>' + row(3, s("A3", "新任务"), s("B3", "县发改委"), s("C3", "2026-12-31"))
    return book(d / "wide.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:XFD3"))])


@case("xlsx-far-cell")
def _far(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, s("A2", "新任务"), s("B2", "县发改委"), s("C2", "2026-12-31"), '<c r="XFD2"><v>1</v></c>')
    rows += '<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
    return book(d / "far.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:XFD1048576"))])


@case("xlsx-million-shared-strings")
def _million_sst(d: Path, sb: Path) -> Path:
    sis = "<si><t>x</t></si>" * 1_000_000 + "<si><t>新任务</t></si><si><t>县发改委</t></si>"
    shared = f'<?xml version="1.0"?><sst {NS} count="1000002" uniqueCount="1000002">{sis}</sst>'
    rows = HEAD + row(2, '<c r="A2" t="s"><v>1000000</v></c>', '<c r="B2" t="s"><v>1000001</v></c>', s("C2", "2026-12-31"))
    return book(d / "sst.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))], shared=shared)


@case("xlsx-one-line-sheet")
def _one_line(d: Path, sb: Path) -> Path:
    rows = HEAD + "".join(row(r, s(f"A{r}", f"任务{r}" + "长" * 300), s(f"B{r}", "县发改委"), s(f"C{r}", "2026-12-31"))
                          for r in range(2, 9000))
    return book(d / "line.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:D9000"))])


@case("xlsm-vba")
def _vba(d: Path, sb: Path) -> Path:
    return book(d / "macro.xlsm", [("台账", "worksheets/sheet1.xml", sheet(HEAD + GOOD()))],
                extra={"xl/vbaProject.bin": bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 2000})


@case("ods-file")
def _ods(d: Path, sb: Path) -> Path:
    import zipfile as zf
    p = d / "t.ods"
    with zf.ZipFile(p, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    return p


@case("xls-biff-as-xlsx")
def _biff(d: Path, sb: Path) -> Path:
    p = d / "biff.xlsx"
    p.write_bytes(bytes.fromhex("0908100000060500") + b"\x00" * 4000)  # a BIFF8 record stream, renamed
    return p


@case("xlsx-odd-numbers")
def _odd_numbers(d: Path, sb: Path) -> Path:
    rows = HEAD
    for i, v in enumerate(["1e308", "-0", "60", "59", "61", "-1e308", "4.9e-324", "2958465.9999999", "1E+400"], start=2):
        rows += row(i, s(f"A{i}", f"任务{i}"), s(f"B{i}", "县发改委"), f'<c r="C{i}" s="1"><v>{v}</v></c>',
                    f'<c r="D{i}"><v>{v}</v></c>')
    styles = (f'<?xml version="1.0"?><styleSheet {NS}><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
    return book(d / "n.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:D10"))], extra={"xl/styles.xml": styles})


@case("xlsx-1904-dates")
def _d1904(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, s("A2", "新任务"), s("B2", "县发改委"), '<c r="C2" s="1"><v>44925</v></c>')
    styles = (f'<?xml version="1.0"?><styleSheet {NS}><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
    return book(d / "d1904.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows))], extra={"xl/styles.xml": styles},
                wb_extra="")


@case("xlsx-error-cached")
def _err_cached(d: Path, sb: Path) -> Path:
    rows = HEAD + row(2, '<c r="A2" t="e"><f>1/0</f><v>#DIV/0!</v></c>', '<c r="B2" t="e"><f>X</f><v>#NAME?</v></c>',
                      '<c r="C2" t="e"><f>Y</f><v>#VALUE!</v></c>', '<c r="D2" t="e"><v>#N/A</v></c>')
    rows += row(3, s("A3", "新任务"), s("B3", "县发改委"), '<c r="C3" t="e"><v>#NUM!</v></c>')
    return book(d / "err.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:D3"))])


@case("xlsx-dates-as-ids")
def _dates_ids(d: Path, sb: Path) -> Path:
    head = HEAD.replace('<row r="1">', '<row r="1"><c r="E1" t="inlineStr"><is><t>编号</t></is></c>')
    rows = head + row(2, s("A2", "新任务"), s("B2", "县发改委"), s("C2", "2026-12-31"), s("D2", "x"),
                      '<c r="E2" s="1"><v>46387</v></c>')
    rows += row(3, s("A3", "二"), s("B3", "县发改委"), s("C3", "2026-12-31"), s("D3", "x"), '<c r="E3" t="b"><v>1</v></c>')
    styles = (f'<?xml version="1.0"?><styleSheet {NS}><cellXfs count="2"><xf numFmtId="0"/>'
              '<xf numFmtId="14" applyNumberFormat="1"/></cellXfs></styleSheet>')
    return book(d / "ids.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:E3"))], extra={"xl/styles.xml": styles})


@case("xlsx-header-repeated")
def _head_rep(d: Path, sb: Path) -> Path:
    rows = HEAD + GOOD(2) + HEAD.replace('r="1"', 'r="3"').replace("1\"", "3\"") + GOOD(4)
    return book(d / "rep.xlsx", [("台账", "worksheets/sheet1.xml", sheet(rows, "A1:D4"))])


# ------------------------------------------------------------- p-red3b: parts by other names, forms tampered

def _parts(good_sheet: str, *, sheet_part: str = "xl/worksheets/sheet1.xml", shared: str | None = None,
           shared_part: str = "xl/sharedStrings.xml", extra: tuple[tuple[str, str | bytes], ...] = ()) -> list[tuple[str, str | bytes]]:
    """A workbook's parts, the sheet and the shared strings at the paths given."""
    over = SHEET_CT.format(n="x").replace("/xl/worksheets/x", "/" + sheet_part)
    rels = WS_REL.format(i=1, target=sheet_part[3:])
    if shared is not None:
        over += SST_CT.replace("/xl/sharedStrings.xml", "/" + shared_part)
        rels += SST_REL.replace("sharedStrings.xml", shared_part[3:])
    return [("[Content_Types].xml", CT.format(over=over)), ("_rels/.rels", RELS),
            ("xl/workbook.xml", f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} {RNS}><sheets>'
             '<sheet name="台账" sheetId="1" r:id="rId1"/></sheets></workbook>'),
            ("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships '
             f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'),
            (sheet_part, good_sheet), *(((shared_part, shared),) if shared is not None else ()), *extra]


def _zip(path: Path, parts: list[tuple[str, str | bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            z.writestr(name, data)
    return path


@case("xlsx-sst-not-named-xml")
def _sst_bin(d: Path, sb: Path) -> Path:
    # A million shared strings in xl/strs.bin: only .xml parts were counted (import 9.6 s CPU, collect > 90 s).
    import random
    rnd = random.Random(5)
    sis = "".join(f"<si><t>{rnd.randrange(36**4):x}</t></si>" for _ in range(1_000_000))
    shared = f'<?xml version="1.0"?><sst {NS}>{sis}<si><t>新任务</t></si><si><t>县发改委</t></si></sst>'
    rows = HEAD + row(2, '<c r="A2" t="s"><v>1000000</v></c>', '<c r="B2" t="s"><v>1000001</v></c>', s("C2", "2026-12-31"))
    return _zip(d / "sstbin.xlsx", _parts(sheet(rows), shared=shared, shared_part="xl/strs.bin"))


@case("xlsx-sheet-odd-path-1m-rows")
def _odd_rows(d: Path, sb: Path) -> Path:
    rows = HEAD + GOOD() + "".join(f'<row r="{r}"/>' for r in range(3, 1_048_577))
    return _zip(d / "oddrows.xlsx", _parts(sheet(rows, "A1:D1048576"), sheet_part="xl/data/s1.bin"))


@case("xlsx-dtd-in-package-parts")
def _dtd_parts(d: Path, sb: Path) -> Path:
    # A parameter entity naming the canary in every part openpyxl parses: never read (strace), never printed.
    dtd = f'<!DOCTYPE x [<!ENTITY % p SYSTEM "file://{sb}/secret.txt"> %p; <!ENTITY a "aaaa">]>'
    return _zip(d / "dtd.xlsx", [(n, v.replace("?>", "?>" + dtd, 1) if isinstance(v, str) and n != "xl/worksheets/sheet1.xml" else v)
                                 for n, v in _parts(sheet(HEAD + GOOD()))])


@case("xlsx-package-odd")
def _pkg_odd(d: Path, sb: Path) -> Path:
    # No [Content_Types].xml; a cell typed n holding text and d holding a non-date; a 9 MB stored part.
    rows = HEAD + row(2, '<c r="A2" t="n"><v>abc</v></c>', s("B2", "县发改委"), '<c r="C2" t="d"><v>x</v></c>')
    parts = [p for p in _parts(sheet(rows)) if p[0] != "[Content_Types].xml"]
    return _zip(d / "odd.xlsx", [*parts, ("xl/media/image1.png", bytes(9_000_000))])


@case("xlsx-bombs-in-unread-parts")
def _bombs(d: Path, sb: Path) -> Path:
    return _zip(d / "bombs.xlsx", _parts(sheet(HEAD + GOOD()), extra=(
        ("docProps/app.xml", "<a>" + " " * 120_000_000 + "</a>"),
        ("xl/printerSettings/printerSettings1.bin", b"\0" * 50_000_000),
        ("xl\\..\\..\\evil.txt", "x"))))


@case("xlsx-worksheet-rel-external")
def _rel_ext(d: Path, sb: Path) -> Path:
    parts = _parts(sheet(HEAD + GOOD()))
    return _zip(d / "relext.xlsx", [(n, v.replace('Target="worksheets/sheet1.xml"', 'Target="http://169.254.169.254/x" TargetMode="External"')
                                     if n == "xl/_rels/workbook.xml.rels" and isinstance(v, str) else v) for n, v in parts])


def _form(sb: Path) -> Path:
    """The real form of fgw, as `sanzhua form` writes it in the case's ledger."""
    import os
    import subprocess
    out = sb / "form.xlsx"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src"), "XDG_CACHE_HOME": str(sb / "cache")}
    subprocess.run([sys.executable, "-m", "sanzhua", "form", "--unit", "fgw", "-o", str(out), "--as-of", "2026-11-25"],
                   cwd=sb / "ledger", env=env, check=True, capture_output=True)
    return out


@case("form-note-32767")
def _form_long(d: Path, sb: Path) -> Path:
    # Excel's longest cell as a note: it was written as its first 5,000 characters, unsaid.
    import openpyxl
    wb = openpyxl.load_workbook(_form(sb))
    ws = wb["进展填报"]
    ws.cell(4, 10).value, ws.cell(4, 12).value = 60, "长" * 32767
    wb.save(d / "long.xlsx")
    return d / "long.xlsx"


@case("form-tampered-ids")
def _form_ids(d: Path, sb: Path) -> Path:
    # Another unit's task, a task that is not there, one row copied: grey cells and the identity sheet both changed.
    import openpyxl
    wb = openpyxl.load_workbook(_form(sb))
    ws, meta = wb["进展填报"], wb["_sanzhua"]
    for r, tid in ((4, "JYJ-001"), (5, "FGW-999")):
        ws.cell(r, 2).value = meta.cell(r, 2).value = tid
        ws.cell(r, 10).value, ws.cell(r, 12).value = 50, "推进"
    wb.save(d / "ids.xlsx")
    return d / "ids.xlsx"


def run_file(name: str, build: Callable[[Path, Path], Path], work: Path) -> list[str]:
    import os
    sb = work / name
    sb.mkdir()
    (sb / "secret.txt").write_text(f"password: {CANARY}\n")
    root = sb / "ledger"
    base(root)
    src = build(sb, sb)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANZHUA_", "GIT_", "XDG_"))}
    env.update(HOME=str(sb), XDG_CACHE_HOME=str(sb / "cache"), PYTHONPATH=str(Path(__file__).resolve().parent.parent / "src"),
               LANG="C.UTF-8")
    found: list[str] = []
    for argv in (["import", str(src), "--dry-run", "--unit", "fgw"], ["import", str(src), "--unit", "fgw"],
                 ["collect", str(src), "--dry-run"], ["collect", str(src)], ["check"]):
        r = run(argv, root, env)
        fl = flags_of(r)
        if fl:
            tail = (r.err or r.out).decode("utf-8", "replace").strip().splitlines()[-3:]
            found.append(f"{argv[0]} {argv[2:3]} rc={r.rc}: {', '.join(fl)} | {' / '.join(tail)[:300]}")
        if argv[0] == "check" and r.rc not in (0, 1):
            found.append(f"check after rc={r.rc}")
    return found


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hostile-wb-"))
    work.mkdir(exist_ok=True)
    bad = 0
    for name, build in CASES.items():
        if args.only and name not in args.only:
            continue
        t0 = time.monotonic()
        try:
            found = run_file(name, build, work)
        except Exception as e:
            found = [f"harness: {type(e).__name__}: {e}"]
        print(f"{name}: {'OK' if not found else f'{len(found)} flagged'} ({time.monotonic() - t0:.0f}s)", flush=True)
        for f in found:
            print("   ", f, flush=True)
        bad += bool(found)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
