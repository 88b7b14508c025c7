"""`sanzhua form`: the workbook a unit fills in, read back with openpyxl and LibreOffice."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from sanzhua.commands.form import form
from sanzhua.errors import Refused
from sanzhua.evaluate import is_open
from sanzhua.interchange import form as F
from sanzhua.load import load_ledger
from tests.formkit import AS_OF, bundled_repo, git, has_calc, header_columns, make_form, row_of, soffice_convert


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return bundled_repo(tmp_path)


def test_form_lists_the_units_open_tasks_led_and_shared(repo: Path, tmp_path: Path) -> None:
    book = tmp_path / "fgw.xlsx"
    said = make_form(repo, "县发改委", book)  # by name as well as by id
    ledger = load_ledger(repo, cache=False)
    led = [t.id for t in ledger.tasks if t.lead == "fgw" and is_open(t, AS_OF)]
    shared = [t.id for t in ledger.tasks if t.lead != "fgw" and "fgw" in t.partners and is_open(t, AS_OF)]
    assert led and shared
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["进展填报", "填报说明", "_sanzhua"]
    ws = wb["进展填报"]
    cols = header_columns(ws)
    ids = [ws.cell(r, cols["编号"]).value for r in range(4, ws.max_row + 1)]
    assert ids == led + shared
    roles = [ws.cell(r, cols["角色"]).value for r in range(4, ws.max_row + 1)]
    assert roles == ["牵头"] * len(led) + ["配合"] * len(shared)
    # read-only facts: deadline, milestones, target, last report
    r = row_of(ws, "FGW-001")
    assert ws.cell(r, cols["时限"]).value == "2026-12-31"
    assert "45个项目完成全部前期手续（2026-12-15）" in ws.cell(r, cols["节点"]).value
    assert "已完成 2026-03-27" in ws.cell(r, cols["节点"]).value
    assert ws.cell(r, cols["目标"]).value == "完成前期手续项目数 52个"
    assert ws.cell(r, cols["上次填报"]).value.startswith("2026-11-20 45个\n剩余7个项目")
    # the report date is filled in with the as-of date, as a real date
    assert ws.cell(r, cols["填报日期"]).value.date() == AS_OF
    assert ws.cell(r, cols["填报日期"]).number_format == "yyyy-mm-dd"
    code = ws["A2"].value
    assert code.startswith("表单编号：fgw.20261125.") and F.CODE_RE.search(code)
    assert F.CODE_RE.search(code).group(0) in said  # type: ignore[union-attr]


def test_locked_cells_validation_and_print_layout(repo: Path, tmp_path: Path) -> None:
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    wb = openpyxl.load_workbook(book)
    ws = wb["进展填报"]
    cols = header_columns(ws)
    lead, partner = row_of(ws, "FGW-001"), row_of(ws, "NYJ-004")
    assert ws.protection.sheet and not ws.protection.password
    assert wb.security is not None and wb.security.lockStructure
    for header in ("序号", "编号", "任务", "角色", "时限", "节点", "目标", "上次填报", "校验"):
        assert ws.cell(lead, cols[header]).protection.locked, header
    for header in ("填报日期", "进度（%）", "完成值（累计）", "进展情况", "完成日期", "完成节点1", "节点1完成日期"):
        assert not ws.cell(lead, cols[header]).protection.locked, header
    # a partner row takes a date and a note only
    for header in ("进度（%）", "完成值（累计）", "完成日期", "完成节点1"):
        assert ws.cell(partner, cols[header]).protection.locked, header
    for header in ("填报日期", "进展情况"):
        assert not ws.cell(partner, cols[header]).protection.locked, header
    # a task without a target has no value to fill in; one without open milestones none to choose
    r3 = row_of(ws, "FGW-003")
    assert ws.cell(r3, cols["完成值（累计）"]).protection.locked
    assert ws.cell(r3, cols["完成节点1"]).protection.locked

    def rules_of(cell: str) -> list[object]:
        return [dv for dv in ws.data_validations.dataValidation if cell in dv.sqref]

    def letter(h: str) -> str:
        return openpyxl.utils.get_column_letter(cols[h])

    (pct,) = rules_of(f"{letter('进度（%）')}{lead}")
    assert (pct.type, pct.operator, pct.formula1, pct.formula2) == ("decimal", "between", "0", "100")  # type: ignore[attr-defined]
    (when,) = rules_of(f"{letter('完成日期')}{lead}")
    assert when.type == "date"  # type: ignore[attr-defined]
    (names,) = rules_of(f"{letter('完成节点1')}{lead}")
    assert names.type == "list"  # type: ignore[attr-defined]
    sheet, _, rng = names.formula1.partition("!")  # type: ignore[attr-defined]
    assert sheet == "'_sanzhua'"
    listed = [c.value for row in wb["_sanzhua"][rng.replace("$", "")] for c in row]
    assert listed == ["45个项目完成全部前期手续"]  # the milestones not yet done
    assert not rules_of(f"{letter('进度（%）')}{partner}")
    # frozen header, print layout
    assert ws.freeze_panes == "D4"
    assert ws.print_title_rows == "$1:$3"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 == "9"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions[letter("校验")].hidden


def test_hidden_sheet_carries_commit_unit_date_and_digest(repo: Path, tmp_path: Path) -> None:
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    head = git(repo, "rev-parse", "HEAD").strip()
    wb = openpyxl.load_workbook(book)
    meta_ws = wb["_sanzhua"]
    assert meta_ws.sheet_state == "hidden"
    meta = {meta_ws.cell(r, 5).value: meta_ws.cell(r, 6).value for r in range(1, 20) if meta_ws.cell(r, 5).value}
    assert meta["format"] == "sanzhua-form" and meta["unit"] == "fgw" and meta["as_of"] == "2026-11-25"
    assert meta["commit"] == head
    ws = wb["进展填报"]
    assert meta["code"] in ws["A2"].value and meta["code"].endswith(meta["digest"][:8])
    assert wb.properties.subject == meta["code"]
    # the digest follows the rows: a new progress entry gives another form
    (repo / "ledgers" / "fgw.yaml").write_text(
        (repo / "ledgers" / "fgw.yaml").read_text(encoding="utf-8").replace("value: 45\n", "value: 46\n", 1),
        encoding="utf-8",
    )
    again = tmp_path / "again.xlsx"
    make_form(repo, "fgw", again)
    meta2_ws = openpyxl.load_workbook(again)["_sanzhua"]
    meta2 = {meta2_ws.cell(r, 5).value: meta2_ws.cell(r, 6).value for r in range(1, 20) if meta2_ws.cell(r, 5).value}
    assert meta2["digest"] != meta["digest"]
    assert meta2["commit"] == head + "+"  # the files differ from the commit


def test_english_form_and_instructions(repo: Path, tmp_path: Path) -> None:
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book, lang="en")
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["Progress report", "Instructions", "_sanzhua"]
    assert "ID" in header_columns(wb["Progress report"])
    text = "\n".join(str(c.value) for c in wb["Instructions"]["A"] if c.value)
    assert "Grey cells" in text and "灰色" not in text


def test_chinese_instructions(repo: Path, tmp_path: Path) -> None:
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    text = "\n".join(str(c.value) for c in openpyxl.load_workbook(book)["填报说明"]["A"] if c.value)
    assert "灰色单元格" in text and "配合的任务" in text and "不要增加、删除" in text


def test_each_unit(repo: Path, tmp_path: Path) -> None:
    out = io.StringIO()
    folder = tmp_path / "forms"
    assert form(repo, as_of=AS_OF, each_unit=folder, out=out) == 0
    ledger = load_ledger(repo, cache=False)
    with_tasks = {
        u.id
        for u in ledger.units.values()
        if any((t.lead == u.id or u.id in t.partners) and is_open(t, AS_OF) for t in ledger.tasks)
    }
    files = sorted(folder.glob("*.xlsx"))
    assert len(files) == len(with_tasks)
    units = {openpyxl.load_workbook(f)["_sanzhua"]["F4"].value for f in files}
    assert units == with_tasks
    assert "没有在推进任务" in out.getvalue()


def test_refuses_a_ledger_with_errors(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "ledgers" / "broken.yaml").write_text("unit: fgw\ntasks:\n  - id: X-1\n    title: [\n", encoding="utf-8")
    book = tmp_path / "fgw.xlsx"
    with pytest.raises(Refused):
        form(repo, as_of=AS_OF, unit="fgw", output=book, out=io.StringIO())
    assert not book.exists()
    assert "ledgers/broken.yaml" in capsys.readouterr().err
    res = CliRunner().invoke(app, ["form", "--unit", "fgw", "-o", str(book), "--root", str(repo)])
    assert res.exit_code == 1 and not book.exists()


def test_an_error_that_loses_no_task_does_not_stop_the_forms(repo: Path, tmp_path: Path) -> None:
    # an unknown partner is an error of the ledger, but every task is read
    fy = repo / "ledgers" / "fgw.yaml"
    text = fy.read_text(encoding="utf-8").replace("partners: [nyj]", "partners: [nyj, nosuch]")
    fy.write_text(text, encoding="utf-8")
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    assert book.exists()


def test_unknown_unit_is_a_clear_message(repo: Path, tmp_path: Path) -> None:
    from sanzhua.errors import FatalError

    with pytest.raises(FatalError) as e:
        form(repo, as_of=AS_OF, unit="fgww", output=tmp_path / "x.xlsx", out=io.StringIO())
    assert "fgw" in (e.value.hint or "")


@pytest.mark.skipif(not has_calc(), reason="LibreOffice Calc is not installed (libreoffice-calc-nogui)")
def test_libreoffice_prints_it_a4_landscape_and_keeps_it_on_resave(repo: Path, tmp_path: Path) -> None:
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    profile = tmp_path / "lo"
    pdf = soffice_convert(book, tmp_path / "pdf", "pdf", profile)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    size = next(line for line in info.splitlines() if line.startswith("Page size"))
    w, h = (float(x) for x in size.split(":")[1].split("pts")[0].split("x"))
    assert (round(w), round(h)) == (842, 595)  # A4 landscape
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "县发改委任务进展填报表" in text and "FGW-001" in text and "上次填报" in text
    assert "填报说明" in text  # the instructions print too; the hidden sheet does not
    assert "sanzhua-form" not in text
    resaved = soffice_convert(book, tmp_path / "resaved", "xlsx", profile)
    wb = openpyxl.load_workbook(resaved)
    assert "_sanzhua" in wb.sheetnames and wb["_sanzhua"].sheet_state == "hidden"
    ws = wb["进展填报"]
    assert ws.protection.sheet
    cols = header_columns(ws)
    lead = row_of(ws, "FGW-001")
    assert not ws.cell(lead, cols["进展情况"]).protection.locked
    assert ws.cell(lead, cols["任务"]).protection.locked
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert {"decimal", "date", "list"} <= kinds
    # (a headless LibreOffice has no view, so it drops the frozen panes when it re-saves)
