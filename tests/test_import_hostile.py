# ruff: noqa: E501  (the OOXML fixtures are one line each, as Excel writes them)
"""Hostile workbooks and CSV files for `sanzhua import` (issue 14.6): each is built by hand
with zipfile, imported in a subprocess limited to 2 GB of address space and 60 s, and
must be refused with a plain message (exit 2) and nothing written, or come in cleaned."""

from __future__ import annotations

import os
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from sanzhua.interchange.tabular import MAX_ROWS

LIMIT_BYTES = 2 * 1024**3
TIMEOUT = 60

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
{extra}
</Types>"""
RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="台账" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
{extra}
</Relationships>"""
SST_REL = (
    '<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
SST_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>任务名称</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>责任单位</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>完成时限</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>新任务</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>县发改委</t></is></c>'
    '<c r="C2" t="inlineStr"><is><t>2026-12-31</t></is></c></row>'
)


def sheet(rows: str, after: str = "", dimension: str = "A1:C2", prolog: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<worksheet {NS}><dimension ref="{dimension}"/><sheetData>{rows}</sheetData>{after}'
        "</worksheet>"
    )


def workbook(path: Path, sheet_xml: str | bytes, shared: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=SST_TYPE if shared else ""))
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=SST_REL if shared else ""))
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            z.writestr("xl/sharedStrings.xml", shared)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "ledger"
    (r / "ledgers").mkdir(parents=True)
    (r / "sanzhua.yaml").write_text("name: 测试县\nyear: 2026\nlang: zh\n", encoding="utf-8")
    (r / "units.yaml").write_text(
        "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n", encoding="utf-8"
    )
    return r


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


def run_import(root: Path, source: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    t0 = time.monotonic()
    r = subprocess.run(
        [sys.executable, "-m", "sanzhua", "import", str(source), "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        preexec_fn=_limits,
        env={**os.environ, "COLUMNS": "200"},
    )
    return r, time.monotonic() - t0


def ledger_files(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "ledgers").rglob("*"))


def assert_refused(r: subprocess.CompletedProcess[str], *words: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    for w in words:
        assert w in r.stderr, r.stderr


def test_a_plain_workbook_comes_in(root: Path, tmp_path: Path) -> None:
    """The hand-built package itself is a good workbook: what the others break is theirs."""
    book = workbook(tmp_path / "ok.xlsx", sheet(HEADER_ROWS))
    r, _ = run_import(root, book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "新任务" in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_a_cell_at_the_last_column_and_row(root: Path, tmp_path: Path) -> None:
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    book = workbook(tmp_path / "far.xlsx", sheet(HEADER_ROWS + far, dimension="A1:XFD1048576"))
    assert book.stat().st_size < 5000
    r, seconds = run_import(root, book)
    assert_refused(r, "未导入", str(MAX_ROWS))
    assert seconds < 30
    assert ledger_files(root) == []


def test_a_value_far_to_the_right(root: Path, tmp_path: Path) -> None:
    wide = '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>'
    book = workbook(tmp_path / "wide.xlsx", sheet(HEADER_ROWS + wide, dimension="A1:XFD3"))
    r, seconds = run_import(root, book)
    assert_refused(r, "未导入", "第 3 行有第 16384 列")
    assert seconds < 30


def test_a_merge_over_the_whole_sheet(root: Path, tmp_path: Path) -> None:
    merge = '<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'
    book = workbook(tmp_path / "merge.xlsx", sheet(HEADER_ROWS, merge, dimension="A1:XFD1048576"))
    r, seconds = run_import(root, book)
    # The merge is clipped to the cells the sheet has: the task comes in, quickly.
    assert r.returncode == 0, r.stdout + r.stderr
    assert seconds < 30
    assert "新任务" in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_a_zip_bomb(root: Path, tmp_path: Path) -> None:
    filler = " " * (300 * 1024 * 1024)  # 300 MB of spaces packs to a few hundred KB
    book = workbook(tmp_path / "bomb.xlsx", sheet(HEADER_ROWS + filler))
    assert book.stat().st_size < 2 * 1024 * 1024
    del filler
    r, seconds = run_import(root, book)
    assert_refused(r, "压缩炸弹")
    assert seconds < 30
    assert ledger_files(root) == []


def test_xxe_is_not_resolved(root: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    prolog = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    rows = HEADER_ROWS.replace("新任务", "&xxe;")
    book = workbook(tmp_path / "xxe.xlsx", sheet(rows, prolog=prolog))
    r, _ = run_import(root, book)
    assert_refused(r, "无法安全读取")
    assert "TOP-SECRET" not in r.stdout + r.stderr
    assert ledger_files(root) == []


def test_billion_laughs_in_the_shared_strings(root: Path, tmp_path: Path) -> None:
    ents = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{ents}]>'
        f'<sst {NS} count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    rows = HEADER_ROWS.replace('<c r="A2" t="inlineStr"><is><t>新任务</t></is></c>', '<c r="A2" t="s"><v>0</v></c>')
    book = workbook(tmp_path / "lol.xlsx", sheet(rows), shared)
    r, seconds = run_import(root, book)
    assert_refused(r, "无法安全读取")
    assert seconds < 30
    assert ledger_files(root) == []


def test_a_shared_string_index_past_the_table(root: Path, tmp_path: Path) -> None:
    """A cell naming shared string 99999 of a table of one: a plain refusal naming the
    file (exit 2), not an internal error (openpyxl's IndexError); nothing written."""
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>任务名称</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>责任单位</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>完成时限</t></is></c></row>'
        '<row r="2"><c r="A2" t="s"><v>99999</v></c><c r="B2" t="s"><v>0</v></c>'
        '<c r="C2" t="inlineStr"><is><t>2026-12-31</t></is></c></row>'
    )
    shared = f'<?xml version="1.0"?><sst {NS} count="1" uniqueCount="1"><si><t>县发改委</t></si></sst>'
    book = workbook(tmp_path / "sst.xlsx", sheet(rows), shared)
    r, _ = run_import(root, book)
    assert_refused(r, "sst.xlsx")
    assert ledger_files(root) == []


def test_csv_nul_and_escape_bytes_are_removed_and_reported(root: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        "任务名称,责任单位,完成时限\n新\x00任务\x1b[31m,县发改委,2026-12-31\n".encode()
    )
    r, _ = run_import(root, source)
    assert r.returncode == 0, r.stdout + r.stderr
    written = (root / "ledgers" / "fgw.yaml").read_bytes()
    assert b"\x00" not in written and b"\x1b" not in written
    assert "新任务[31m" in written.decode("utf-8")
    assert "控制字符" in r.stdout + r.stderr


def test_a_cell_cut_at_the_limit_is_said_on_its_row(root: Path, tmp_path: Path) -> None:
    """A workbook's cell over MAX_CELL_CHARS is imported as its first MAX_CELL_CHARS
    characters: that was said nowhere (p-red3b); now a warning on its row names the column."""
    from sanzhua.interchange.tabular import MAX_CELL_CHARS

    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>任务名称</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>责任单位</t></is></c>'
        '<c r="C1" t="inlineStr"><is><t>完成时限</t></is></c></row>'
        f'<row r="2"><c r="A2" t="inlineStr"><is><t>{"长" * (MAX_CELL_CHARS + 10)}</t></is></c>'
        '<c r="B2" t="inlineStr"><is><t>县发改委</t></is></c><c r="C2" t="inlineStr"><is><t>2026-12-31</t></is></c></row>'
    )
    r, _ = run_import(root, workbook(tmp_path / "long.xlsx", sheet(rows)))
    said = r.stdout + r.stderr
    assert r.returncode == 0, said
    assert f"A 列的单元格超过 {MAX_CELL_CHARS} 字" in said, said
    assert "长" * MAX_CELL_CHARS in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_csv_cell_over_the_field_limit_is_refused_by_name(root: Path, tmp_path: Path) -> None:
    """A 6 MB cell (the csv module stops at 131,072 characters): a refusal naming the row,
    not an internal error; nothing is written."""
    source = tmp_path / "long.csv"
    source.write_text("任务名称,责任单位,完成时限\n" + "长" * 2_000_000 + ",县发改委,2026-12-31\n", encoding="utf-8")
    before = ledger_files(root)
    r, _ = run_import(root, source)
    assert_refused(r, "第 2 行", "131072")
    assert ledger_files(root) == before


def test_csv_cells_guarded_by_export_come_back_unguarded(root: Path, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(
        "任务名称,责任单位,完成时限\n\"'=SUM(1,2)\",县发改委,2026-12-31\n", encoding="utf-8"
    )
    r, _ = run_import(root, source)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "title: =SUM(1,2)\n" in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_openpyxl_parses_without_entities() -> None:
    """defusedxml is installed, and openpyxl uses it."""
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


def test_more_rows_than_a_sheet_may_hold_are_refused_before_reading_them(root: Path, tmp_path: Path) -> None:
    """50,001 rows of 20 cells (a 120,000-task export is such a sheet): refused from the
    count of its row elements, before openpyxl loads the sheet and reads a million cells
    one by one (30 s and more, only to refuse at the 50,001st row)."""
    cells = "".join(f'<c r="{chr(65 + j)}{{r}}" t="inlineStr"><is><t>任务{j}</t></is></c>' for j in range(20))
    rows = "".join(f'<row r="{r}">' + cells.replace("{r}", str(r)) + "</row>" for r in range(3, MAX_ROWS + 2))
    book = workbook(tmp_path / "rows.xlsx", sheet(HEADER_ROWS + rows, dimension=f"A1:T{MAX_ROWS + 1}"))
    r, seconds = run_import(root, book)
    assert_refused(r, "未导入", str(MAX_ROWS))
    assert seconds < 30
    assert ledger_files(root) == []


def test_a_hidden_sheet_is_named(root: Path, tmp_path: Path) -> None:
    """A sheet Excel does not show (veryHidden): its rows came in like any other's with no
    word of where from; now the import warns, naming the sheet."""
    book = workbook(tmp_path / "hidden.xlsx", sheet(HEADER_ROWS))
    with zipfile.ZipFile(book) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b'r:id="rId1"/>', b'r:id="rId1" state="veryHidden"/>')
    with zipfile.ZipFile(book, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    r, _ = run_import(root, book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "隐藏" in r.stdout + r.stderr and "台账" in r.stdout + r.stderr, r.stdout + r.stderr
    assert "新任务" in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_excels_unicode_text_comes_in(root: Path, tmp_path: Path) -> None:
    """Excel's “Unicode 文本” (UTF-16 with a BOM, tab separated), common from WPS and
    Excel in China: refused before as neither UTF-8 nor GBK."""
    source = tmp_path / "台账.txt"
    source.write_bytes("任务名称\t责任单位\t完成时限\r\n新任务\t县发改委\t2026-12-31\r\n".encode("utf-16"))
    r, _ = run_import(root, source)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "title: 新任务" in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_a_librarys_python_warning_is_not_printed(root: Path, tmp_path: Path) -> None:
    """A workbook written by a script or WPS (here: no styles part) made openpyxl print a
    UserWarning with a path into site-packages and a line of its source; sanzhua says what
    it has to say itself."""
    book = workbook(tmp_path / "nostyle.xlsx", sheet(HEADER_ROWS))
    with zipfile.ZipFile(book, "a") as z:  # cell formats, but no named style "Normal"
        z.writestr("xl/styles.xml", f'<?xml version="1.0"?><styleSheet {NS}><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>')
    r, _ = run_import(root, book)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Warning" not in r.stderr and "site-packages" not in r.stderr and "warn(" not in r.stderr, r.stderr
    assert "新任务" in (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")


def test_a_stylesheet_of_a_million_formats_is_refused_before_it_is_read(root: Path, tmp_path: Path) -> None:
    """openpyxl reads xl/styles.xml whole before any cell: a 2.7 MB workbook of a million cell
    formats took 23 s of CPU and 1.85 GB to import (collect opens it twice). Excel holds
    64,000; past MAX_STYLES it is refused by name, for import and collect alike."""
    from sanzhua.interchange.tabular import MAX_STYLES

    book = workbook(tmp_path / "styles.xlsx", sheet(HEADER_ROWS))
    rnd = random.Random(7)  # varied, as a real stylesheet is: a run of one packs past the zip-bomb ratio
    xfs = "".join(f'<xf numFmtId="{rnd.randrange(50)}" borderId="{rnd.randrange(9)}"/>' for _ in range(MAX_STYLES + 1))
    with zipfile.ZipFile(book, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/styles.xml", f'<?xml version="1.0"?><styleSheet {NS}><cellXfs>{xfs}</cellXfs></styleSheet>')
    r, _ = run_import(root, book)
    assert_refused(r, "样式表", str(MAX_STYLES + 1), "新工作簿")
    assert ledger_files(root) == []
    c = subprocess.run(
        [sys.executable, "-m", "sanzhua", "collect", str(book), "--root", str(root)],
        capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limits,
    )
    assert c.returncode == 1 and "样式表" in c.stderr + c.stdout, c.stdout + c.stderr
    assert "内部错误" not in c.stderr and "Traceback" not in c.stderr


def test_shared_strings_or_names_past_their_limits_are_refused_before_they_are_read(root: Path, tmp_path: Path) -> None:
    """openpyxl reads the shared strings and the defined names whole, each time it opens a
    workbook: a 4 MB workbook of a million strings took an import 9 s of CPU and a form's
    collect 19 s; 300,000 names in 2.8 MB, collect 8.5 s. Past MAX_STRINGS (a form:
    form_read.MAX_STRINGS) or MAX_NAMES they are refused by name, whatever the part is called."""
    from sanzhua.interchange import form_read
    from sanzhua.interchange.tabular import MAX_NAMES, MAX_STRINGS

    rnd = random.Random(5)
    sis = "".join(f"<si><t>{rnd.randrange(36**4):x}</t></si>" for _ in range(MAX_STRINGS + 1))
    book = workbook(tmp_path / "sst.xlsx", sheet(HEADER_ROWS), shared=f'<?xml version="1.0"?><sst {NS}>{sis}</sst>')
    r, _ = run_import(root, book)
    assert_refused(r, "共享字符串表", str(MAX_STRINGS + 1))
    small = "".join(f"<si><t>{rnd.randrange(36**4):x}</t></si>" for _ in range(form_read.MAX_STRINGS + 1))
    book = workbook(tmp_path / "form.xlsx", sheet(HEADER_ROWS), shared=f'<?xml version="1.0"?><sst {NS}>{small}</sst>')
    c = subprocess.run(
        [sys.executable, "-m", "sanzhua", "collect", str(book), "--root", str(root)],
        capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limits,
    )
    assert c.returncode == 1 and "共享字符串表" in c.stdout + c.stderr, c.stdout + c.stderr
    names = "".join(f'<definedName name="n{i}">台账!$A${rnd.randrange(1, 999)}</definedName>' for i in range(MAX_NAMES + 1))
    book = tmp_path / "names.xlsx"
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=""))
        z.writestr("_rels/.rels", RELS.replace("xl/workbook.xml", "xl/book.xml"))  # the part by another name
        z.writestr("xl/book.xml", WORKBOOK.replace("</sheets>", f"</sheets><definedNames>{names}</definedNames>"))
        z.writestr("xl/_rels/book.xml.rels", WORKBOOK_RELS.format(extra=""))
        z.writestr("xl/worksheets/sheet1.xml", sheet(HEADER_ROWS))
    r, _ = run_import(root, book)
    assert_refused(r, "名称", str(MAX_NAMES + 1))
    assert ledger_files(root) == []


def test_shared_strings_in_a_part_not_named_xml_are_counted_too(root: Path, tmp_path: Path) -> None:
    """openpyxl finds the shared strings by their content type, whatever the part is named:
    in `xl/strs.bin` a million of them were not counted (only `.xml` parts were), and took
    an import 9.6 s of CPU, a form's collect past 90 s of wall time (p-red3b)."""
    from sanzhua.interchange.tabular import MAX_STRINGS

    rnd = random.Random(7)
    sis = "".join(f"<si><t>{rnd.randrange(36**4):x}</t></si>" for _ in range(MAX_STRINGS + 1))
    book = tmp_path / "odd.xlsx"
    sst_type = SST_TYPE.replace("/xl/sharedStrings.xml", "/xl/strs.bin")
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES.format(extra=sst_type))
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.format(extra=SST_REL.replace("sharedStrings.xml", "strs.bin")))
        z.writestr("xl/worksheets/sheet1.xml", sheet(HEADER_ROWS))
        z.writestr("xl/strs.bin", f'<?xml version="1.0"?><sst {NS}>{sis}</sst>')
    r, _ = run_import(root, book)
    assert_refused(r, "共享字符串表", str(MAX_STRINGS + 1))
    assert ledger_files(root) == []


def test_a_field_in_two_columns_that_differ_is_said_not_dropped_unsaid(root: Path, tmp_path: Path) -> None:
    """Two 任务名称 (or two 完成时限) columns: the first non-empty cell was imported and the
    other dropped without a word. Now the row says what was left out; equal cells (a merged
    header's copies) say nothing."""
    csv = tmp_path / "dup.csv"
    csv.write_text("任务名称,任务名称,责任单位,完成时限,完成时限\n甲,乙,县发改委,2026-12-31,2026-12-31\n"
                   "丙,丙,县发改委,2026-12-31,2027-01-31\n", encoding="utf-8")
    r, _ = run_import(root, csv)
    assert r.returncode == 0, r.stdout + r.stderr
    both = r.stdout + r.stderr
    assert "“任务名称”有两列且内容不同：导入了 A 列的“甲”，未导入 B 列的“乙”" in both, both
    assert "“完成时限”有两列且内容不同：导入了 D 列的“2026-12-31”，未导入 E 列的“2027-01-31”" in both, both
    assert both.count("有两列且内容不同") == 2
