"""`sanzhua collect`: forms filled by a clerk (with every kind of mistake), stale and
foreign forms, collected into a copy of the bundled ledger in a real git repository."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from sanzhua.commands.collect import collect
from sanzhua.commands.edit import EditRun
from tests.formkit import (
    bundled_repo,
    day,
    fill,
    git,
    has_calc,
    header_columns,
    make_form,
    row_of,
    soffice_convert,
)

TODAY = date(2026, 11, 27)
GOOD = {
    ("FGW-001", "完成值（累计）"): 47,
    ("FGW-001", "进展情况"): "新增2个项目完成环评",
    ("FGW-001", "完成节点1"): "45个项目完成全部前期手续",
    ("FGW-001", "节点1完成日期"): day("2026-11-24"),
    ("FGW-003", "进度（%）"): 100,
    ("FGW-003", "完成日期"): day("2026-11-23"),
    ("NYJ-004", "进展情况"): "配合完成包装设计",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return bundled_repo(tmp_path)


@pytest.fixture
def blank(repo: Path, tmp_path: Path) -> Path:
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    return book


def run_collect(root: Path, *files: Path, **kw: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    partial = bool(kw.pop("partial", False))
    unit = kw.pop("unit", None)
    er = EditRun(root, kw.pop("today", TODAY), out=out, err=err, **kw)  # type: ignore[arg-type]
    code = collect(er, list(files), partial=partial, unit=unit)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def ledger_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "ledgers").rglob("*.yaml"))}


def states(root: Path, as_of: str = "2026-11-27") -> dict[str, list[str]]:
    res = CliRunner().invoke(app, ["status", "--all", "--format", "json", "--as-of", as_of, "--root", str(root)])
    assert res.exit_code == 0, res.output
    return {t["id"]: t["states"] for t in json.loads(res.stdout)["tasks"]}


def added_and_removed(root: Path, rev: str = "HEAD") -> tuple[list[str], list[str]]:
    diff = git(root, "diff", "-U0", rev)
    added = [ln[1:] for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    removed = [ln[1:] for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    return added, removed


# -- the good path ----------------------------------------------------------------------------


def test_a_filled_form_becomes_entries_done_dates_and_a_commit(repo: Path, blank: Path, tmp_path: Path) -> None:
    before = states(repo)
    assert "no_report" in before["FGW-001"] and "no_report" in before["NYJ-004"]
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, GOOD)
    code, out, err = run_collect(repo, filled, commit=True)
    assert code == 0, err
    assert "写入 3 行" in out and "未填 1 行" in out
    subject = git(repo, "log", "-1", "--format=%s")
    assert subject.startswith("collect: 县发改委 (fgw) 2026-11-25 fgw.20261125.4.")
    assert sorted(git(repo, "show", "--name-only", "--format=", "HEAD").split()) == [
        "ledgers/fgw.yaml",
        "ledgers/nyj.yaml",
    ]
    added, removed = added_and_removed(repo, "HEAD~1")
    assert removed == []
    assert added == [
        "        done: 2026-11-24",
        "      - date: 2026-11-25",
        "        value: 47",
        "        note: 新增2个项目完成环评",
        "        by: 县发改委",
        "      - {date: 2026-11-25, percent: 100, by: 县发改委}",
        "    done: 2026-11-23",
        "      - {date: 2026-11-25, note: 配合完成包装设计, by: 县发改委}",
    ]
    after = states(repo)
    assert after["FGW-003"] == ["done"]
    assert "no_report" not in after["FGW-001"]  # a returned form counts as a report
    assert "no_report" not in after["NYJ-004"]
    assert "no_report" in after["NYJ-005"]  # its row was left blank: not reported
    # collecting the same form again adds nothing
    snapshot = ledger_bytes(repo)
    code, out, _ = run_collect(repo, filled, commit=True)
    assert code == 0 and "写入 0 行，已收过 3 行" in out
    assert ledger_bytes(repo) == snapshot
    assert git(repo, "rev-list", "--count", "HEAD") == "2\n"


def test_dry_run_shows_the_diff_and_writes_nothing(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, GOOD)
    snapshot = ledger_bytes(repo)
    code, out, _ = run_collect(repo, filled, dry_run=True)
    assert code == 0
    assert "+      - {date: 2026-11-25, note: 配合完成包装设计, by: 县发改委}" in out
    assert "--dry-run" in out
    assert ledger_bytes(repo) == snapshot


def test_english_ledger_messages(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {("FGW-003", "进度（%）"): 150})
    code, _, err = run_collect(repo, filled, lang="en")
    assert code == 1
    assert "the percent '150' is not between 0 and 100" in err


# -- a clerk's mistakes ---------------------------------------------------------------------


MISTAKES = [
    ("percent over 100", {("FGW-003", "进度（%）"): 150}, "进度（%）", "FGW-003", "不在 0 到 100 之间"),
    ("impossible date", {("FGW-003", "完成日期"): "2026-02-30"}, "完成日期", "FGW-003", "2026年2月没有30日"),
    ("note in the percent column", {("FGW-003", "进度（%）"): "基本完成"}, "进度（%）", "FGW-003", "不是数字"),
    ("edited grey cell", {("FGW-003", "任务"): "改过的任务名称"}, "任务", "FGW-003", "灰色单元格"),
    ("edited deadline", {("FGW-001", "时限"): "2027-06-30"}, "时限", "FGW-001", "灰色单元格"),
    ("future date", {("FGW-003", "完成日期"): day("2026-12-20")}, "完成日期", "FGW-003", "晚于今天"),
    (
        "both percent and value",
        {("FGW-001", "进度（%）"): 80, ("FGW-001", "完成值（累计）"): 47},
        "完成值（累计）",
        "FGW-001",
        "只能填一项",
    ),
    ("partner gives a percent", {("NYJ-004", "进度（%）"): 90}, "进度（%）", "NYJ-004", "配合的任务只填写"),
    ("a value without a target", {("FGW-003", "完成值（累计）"): 3}, "完成值（累计）", "FGW-003", "没有目标值"),
    (
        "milestone without its date",
        {("FGW-001", "节点1完成日期"): None},
        "节点1完成日期",
        "FGW-001",
        "没有填写节点完成日期",
    ),
    (
        "unknown milestone",
        {("FGW-001", "完成节点1"): "不存在的节点", ("FGW-001", "节点1完成日期"): day("2026-11-20")},
        "完成节点1",
        "FGW-001",
        "没有名为“不存在的节点”的节点",
    ),
    ("formula without a result", {("FGW-003", "进度（%）"): "=50+10"}, "进度（%）", "FGW-003", "公式"),
    ("control character", {("FGW-003", "进展情况"): "正常\u202e推进"}, "进展情况", "FGW-003", "控制字符"),
    # Excel's longest cell: it was written as its first 5,000 characters, unsaid (p-red3b)
    ("a note past the cell limit", {("FGW-003", "进展情况"): "长" * 32767}, "进展情况", "FGW-003", "有 32767 字"),
]


@pytest.mark.parametrize(("cells", "column", "task", "words"), [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_bad_cell_is_named_and_nothing_is_written(
    repo: Path, blank: Path, tmp_path: Path, cells: dict[tuple[str, str], object], column: str, task: str, words: str
) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {**GOOD, **cells})
    ws = openpyxl.load_workbook(filled)["进展填报"]
    ref = f"{openpyxl.utils.get_column_letter(header_columns(ws)[column])}{row_of(ws, task)}"
    snapshot = ledger_bytes(repo)
    code, _, err = run_collect(repo, filled, commit=True)
    assert code == 1
    lines = [ln for ln in err.splitlines() if ln.startswith(f"{filled}!{ref}: ")]
    assert any(words in ln for ln in lines), err
    assert "未写入任何文件" in err
    assert ledger_bytes(repo) == snapshot
    assert git(repo, "rev-list", "--count", "HEAD") == "1\n"


def test_partial_writes_the_good_rows(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {**GOOD, ("FGW-003", "进度（%）"): 150})
    code, _, err = run_collect(repo, filled, partial=True)
    assert code == 1 and "不在 0 到 100 之间" in err
    added, _ = added_and_removed(repo)
    assert "        value: 47" in added and "    done: 2026-11-23" not in added


def test_a_deleted_row_and_an_added_row(repo: Path, blank: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb["进展填报"]
    r = row_of(ws, "FGW-003")
    ws.delete_rows(r)
    extra = ws.max_row + 1
    ws.cell(extra, 2).value = "ZJJ-001"
    ws.cell(extra, 12).value = "顺手报一下别的单位的任务"
    wb.save(tmp_path / "edited.xlsx")
    snapshot = ledger_bytes(repo)
    code, _, err = run_collect(repo, tmp_path / "edited.xlsx")
    assert code == 1
    assert f"edited.xlsx!A{r}: 填报表的第 2 项（FGW-003）被删除了" in err
    assert f"edited.xlsx!A{extra}: 这一行不是填报表原有的行（编号 ZJJ-001）" in err
    assert ledger_bytes(repo) == snapshot


def test_a_copied_row(repo: Path, blank: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(blank)
    ws = wb["进展填报"]
    r = row_of(ws, "FGW-001")
    extra = ws.max_row + 1
    for c in range(1, ws.max_column + 1):
        ws.cell(extra, c).value = ws.cell(r, c).value
    wb.save(tmp_path / "copied.xlsx")
    code, _, err = run_collect(repo, tmp_path / "copied.xlsx")
    assert code == 1 and f"copied.xlsx!A{extra}: 任务 FGW-001 在第 {r} 行已有一行" in err


# -- stale and foreign forms -------------------------------------------------------------------


def test_a_stale_form_applies_where_it_does_not_conflict(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(
        blank,
        filled,
        {
            ("FGW-001", "进展情况"): "新增2个项目完成环评",
            ("FGW-003", "进度（%）"): 95,
            ("NYJ-004", "进展情况"): "配合完成包装设计",
            ("NYJ-005", "进展情况"): "配合召开现场会",
        },
    )
    # Since the form went out: FGW-001's deadline was extended, FGW-003 was marked done,
    # fgw was taken off NYJ-004; an unrelated entry was added to NYJ-005.
    runner = CliRunner()
    for args in (
        [
            "extend",
            "FGW-001",
            "--to",
            "2027-03-31",
            "--approved-by",
            "县政府",
            "--ref",
            "延政督〔2026〕20号",
            "--date",
            "2026-11-26",
        ],
        ["done", "FGW-003", "--date", "2026-11-26"],
        ["progress", "NYJ-005", "--percent", "86", "--date", "2026-11-26", "--note", "良种示范田验收"],
    ):
        res = runner.invoke(app, [*args, "--root", str(repo)])
        assert res.exit_code == 0, res.output
    fy = repo / "ledgers" / "nyj.yaml"
    fy.write_text(fy.read_text(encoding="utf-8").replace("partners: [fgw]", "partners: [zrzyj]", 1), encoding="utf-8")
    git(repo, "commit", "-qam", "office edits")
    code, out, err = run_collect(repo, filled, commit=True)
    assert code == 1
    assert "任务 FGW-001 的时限已由 2026-12-31 改为 2027-03-31" in err
    assert "任务 FGW-003 已于 2026-11-26 完成" in err
    assert "任务 NYJ-004 已不是县发改委的任务（现牵头单位：县农业农村局）" in err
    assert "写入 1 行" in out and "未采用 3 行" in out
    assert "填报表生成后台账有改动" in out
    added, removed = added_and_removed(repo, "HEAD~1")
    assert removed == []
    assert added == ["      - {date: 2026-11-25, note: 配合召开现场会, by: 县发改委}"]
    # again: the refusals stay refusals, nothing is added
    snapshot = ledger_bytes(repo)
    code, out, _ = run_collect(repo, filled)
    assert code == 1 and "写入 0 行，已收过 1 行" in out
    assert ledger_bytes(repo) == snapshot


def test_a_cancelled_task_is_refused(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {("FGW-003", "进展情况"): "报告已定稿"})
    fy = repo / "ledgers" / "fgw.yaml"
    text = fy.read_text(encoding="utf-8")
    fy.write_text(
        text.replace("    supervision: 跟踪督办\n", "    status: cancelled\n    supervision: 跟踪督办\n", 2).replace(
            "    status: cancelled\n", "", 1
        ),
        encoding="utf-8",
    )
    code, _, err = run_collect(repo, filled)
    assert code == 1 and "A5: 任务 FGW-003 的状态已改为“已取消”（填报表生成后），这一行未采用" in err


def test_a_form_of_another_unit_or_ledger(repo: Path, blank: Path, tmp_path: Path) -> None:
    code, _, err = run_collect(repo, blank, unit="zjj")
    assert code == 1 and "这是 县发改委 的填报表，不是 --unit zjj 的" in err
    other = tmp_path / "other"
    other.mkdir()
    import shutil

    shutil.copytree(repo, other / "l")
    s = other / "l" / "sanzhua.yaml"
    s.write_text(
        s.read_text(encoding="utf-8").replace("name:", "name: 另一县", 1).replace("另一县 ", "另一县", 1),
        encoding="utf-8",
    )
    book = tmp_path / "foreign.xlsx"
    make_form(other / "l", "fgw", book)
    snapshot = ledger_bytes(repo)
    code, _, err = run_collect(repo, book)
    assert code == 1 and "这份表来自另一个台账" in err
    assert ledger_bytes(repo) == snapshot


def test_not_a_form(repo: Path, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "任务", "进展"])  # type: ignore[union-attr]
    wb.save(tmp_path / "random.xlsx")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip at all")
    (tmp_path / "form.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    code, _, err = run_collect(repo, tmp_path / "random.xlsx", tmp_path / "bad.xlsx", tmp_path / "form.xls")
    assert code == 1
    assert f"{tmp_path / 'random.xlsx'}: 这不是 sanzhua 生成的进展填报表" in err
    assert f"{tmp_path / 'bad.xlsx'}: 无法读取这个文件" in err
    assert f"{tmp_path / 'form.xls'}: 只能收集 .xlsx 或 .csv 文件" in err


# -- hostile workbooks ---------------------------------------------------------------------------


def test_a_zip_bomb_is_not_unpacked(repo: Path, blank: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(blank) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (60 * 1024 * 1024))
    assert bomb.stat().st_size < 1024 * 1024
    code, _, err = run_collect(repo, bomb)
    # the import's guard (tabular.check_package), with a form's limits
    assert code == 1 and "部件 xl/media/padding.bin 解压后是压缩前的" in err and "（疑似压缩炸弹）" in err


def test_a_formula_note_stays_text(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {("FGW-003", "进展情况"): '=HYPERLINK("http://x","点击")'})
    code, _, err = run_collect(repo, filled)
    assert code == 0, err
    added, _ = added_and_removed(repo)
    assert added == ['      - {date: 2026-11-25, note: \'=HYPERLINK("http://x","点击")\', by: 县发改委}']


# -- other tools ----------------------------------------------------------------------------------


def test_a_csv_saved_from_the_form(repo: Path, blank: Path, tmp_path: Path) -> None:
    import csv

    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, GOOD)
    ws = openpyxl.load_workbook(filled, data_only=True)["进展填报"]
    with (tmp_path / "filled.csv").open("w", encoding="gbk", newline="") as fh:  # as Excel on a Chinese Windows
        w = csv.writer(fh)
        for row in ws.iter_rows(values_only=True):
            w.writerow(["" if v is None else v.date().isoformat() if hasattr(v, "date") else v for v in row])
    code, out, err = run_collect(repo, tmp_path / "filled.csv")
    assert code == 0, err
    assert "写入 3 行" in out
    assert states(repo)["FGW-003"] == ["done"]


def test_a_csv_with_an_edited_grey_cell(repo: Path, blank: Path, tmp_path: Path) -> None:
    import csv

    ws = openpyxl.load_workbook(blank, data_only=True)["进展填报"]
    rows = [["" if v is None else v for v in r] for r in ws.iter_rows(values_only=True)]
    r = row_of(ws, "FGW-001")
    rows[r - 1][4] = "2027-12-31"
    with (tmp_path / "f.csv").open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh).writerows(rows)
    code, _, err = run_collect(repo, tmp_path / "f.csv")
    assert code == 1 and f"f.csv!E{r}: “时限”是灰色单元格，不能修改（现为“2027-12-31”）" in err


@pytest.mark.skipif(not has_calc(), reason="LibreOffice Calc is not installed (libreoffice-calc-nogui)")
def test_forms_resaved_by_libreoffice_as_xlsx_and_csv(tmp_path: Path) -> None:
    results = {}
    for kind in ("openpyxl", "xlsx", "csv"):
        repo = bundled_repo(tmp_path, f"ledger-{kind}")
        blank = tmp_path / f"{kind}.xlsx"
        make_form(repo, "fgw", blank)
        filled = tmp_path / kind / "fgw.xlsx"
        filled.parent.mkdir()
        fill(blank, filled, GOOD)
        if kind == "xlsx":
            filled = soffice_convert(filled, tmp_path / "lo-xlsx", "xlsx", tmp_path / "profile")
        elif kind == "csv":
            filled = soffice_convert(
                filled, tmp_path / "lo-csv", "csv:Text - txt - csv (StarCalc):44,34,76,1", tmp_path / "profile"
            )
        code, out, err = run_collect(repo, filled, commit=True)
        assert code == 0, (kind, err)
        results[kind] = ledger_bytes(repo)
        assert states(repo)["FGW-003"] == ["done"]
        code, out, _ = run_collect(repo, filled)
        assert "写入 0 行，已收过 3 行" in out
    assert results["openpyxl"] == results["xlsx"] == results["csv"]


def test_cli_collect(repo: Path, blank: Path, tmp_path: Path) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, GOOD)
    res = CliRunner().invoke(app, ["collect", str(filled), "--as-of", "2026-11-27", "--root", str(repo), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "写入 3 行" in res.stdout


def test_a_row_the_ledger_checks_refuse_is_left_out_and_the_rest_of_its_file_applies(
    repo: Path, blank: Path, tmp_path: Path
) -> None:
    filled = tmp_path / "filled.xlsx"
    fill(
        blank,
        filled,
        {
            ("FGW-001", "进展情况"): "新增2个项目完成环评",
            ("FGW-003", "完成日期"): day("2026-03-01"),  # before its start, 2026-04-01
        },
    )
    code, out, err = run_collect(repo, filled)
    assert code == 1
    assert "A5: 任务 FGW-003 未写入：这次修改会使 ledgers/fgw.yaml 出现错误，已拒绝" in err
    assert "写入 1 行" in out and "未采用 1 行" in out
    added, removed = added_and_removed(repo)
    assert removed == []
    assert added == [
        "      - date: 2026-11-25",
        "        note: 新增2个项目完成环评",
        "        by: 县发改委",
    ]


def test_many_rows_of_one_file_are_checked_together(repo: Path, tmp_path: Path) -> None:
    # Every lead row of 县住建局 filled in: one check of the ledger for the file, the same
    # result as row by row.
    book = tmp_path / "zjj.xlsx"
    make_form(repo, "zjj", book)
    ws = openpyxl.load_workbook(book)["进展填报"]
    cols = header_columns(ws)
    lead = [ws.cell(r, 2).value for r in range(4, ws.max_row + 1) if ws.cell(r, cols["角色"]).value == "牵头"]
    assert len(lead) >= 3
    filled = tmp_path / "filled.xlsx"
    fill(book, filled, {(tid, "进展情况"): f"第{i}项本周推进" for i, tid in enumerate(lead)})
    code, out, err = run_collect(repo, filled)
    assert code == 0, err
    assert f"写入 {len(lead)} 行" in out
    added, removed = added_and_removed(repo)
    assert removed == [] and sum("本周推进" in a for a in added) == len(lead)
    after = states(repo)
    assert all("no_report" not in after[tid] for tid in lead)


def test_two_forms_touching_one_file_in_one_run(repo: Path, blank: Path, tmp_path: Path) -> None:
    nyj = tmp_path / "nyj.xlsx"
    make_form(repo, "nyj", nyj)
    fgw_filled, nyj_filled = tmp_path / "fgw-filled.xlsx", tmp_path / "nyj-filled.xlsx"
    fill(blank, fgw_filled, {("NYJ-004", "进展情况"): "配合完成包装设计"})
    fill(nyj, nyj_filled, {("NYJ-004", "进度（%）"): 88, ("NYJ-004", "进展情况"): "打捆项目包已修改"})
    code, _, err = run_collect(repo, fgw_filled, nyj_filled, commit=True)
    assert code == 0, err
    log = git(repo, "log", "--format=%s").splitlines()
    assert log[0].startswith("collect: 县农业农村局 (nyj)") and log[1].startswith("collect: 县发改委 (fgw)")
    added, _ = added_and_removed(repo, "HEAD~2")
    assert added == [
        "      - {date: 2026-11-25, note: 配合完成包装设计, by: 县发改委}",
        "      - {date: 2026-11-25, percent: 88, note: 打捆项目包已修改, by: 县农业农村局}",
    ]


def test_the_weekly_bulletin_counts_rows_not_returned(repo: Path, blank: Path, tmp_path: Path) -> None:
    import re

    def unreported() -> int:
        res = CliRunner().invoke(app, ["brief", "--week", "--as-of", "2026-11-27", "--root", str(repo)])
        assert res.exit_code == 0, res.output
        m = re.search(r"未按时报送进展(\d+)项", res.stdout)
        assert m, res.stdout
        return int(m.group(1))

    before = unreported()
    filled = tmp_path / "filled.xlsx"
    fill(blank, filled, {("FGW-001", "进展情况"): "新增2个项目完成环评", ("NYJ-004", "进展情况"): "配合完成包装设计"})
    assert run_collect(repo, filled)[0] == 0
    # two rows returned, two tasks fewer unreported; the blank rows stay unreported
    assert unreported() == before - 2


def test_a_sheet_past_the_row_limit_is_refused_while_streaming(repo: Path, blank: Path, tmp_path: Path) -> None:
    from sanzhua.interchange.form_read import MAX_ROWS

    wb = openpyxl.load_workbook(blank)
    ws = wb["进展填报"]
    ws.cell(MAX_ROWS + 50, 1).value = "x"  # one far cell; the sheet streams up to it
    wb.save(tmp_path / "long.xlsx")
    snapshot = ledger_bytes(repo)
    code, _, err = run_collect(repo, tmp_path / "long.xlsx")
    assert code == 1 and f"工作表超过 {MAX_ROWS} 行，超出填报表的大小限制" in err
    assert ledger_bytes(repo) == snapshot


def test_an_english_ledger_and_form(repo: Path, tmp_path: Path) -> None:
    s = repo / "sanzhua.yaml"
    s.write_text(s.read_text(encoding="utf-8").replace("lang: zh", "lang: en"), encoding="utf-8")
    git(repo, "commit", "-qam", "lang: en")
    book = tmp_path / "fgw.xlsx"
    make_form(repo, "fgw", book)
    filled = tmp_path / "filled.xlsx"
    fill(
        book,
        filled,
        {("FGW-001", "Progress note"): "two more projects", ("FGW-003", "Percent"): 150},
        sheet="Progress report",
    )
    code, _, err = run_collect(repo, filled)
    assert code == 1 and f"{filled}!J5: the percent '150' is not between 0 and 100" in err
    code, out, err = run_collect(repo, filled, partial=True, lang="zh")
    assert "1 rows written" not in out and "写入 1 行" in out
    assert "台账有改动" not in out  # the form is current, whatever language the messages are in
    added, _ = added_and_removed(repo)
    assert added == ["      - date: 2026-11-25", "        note: two more projects", "        by: 县发改委"]
