"""Complete or loud (issue 13.1, 13.2): a report made from a ledger whose files lose tasks
refuses (exit 1, no file written, each file and task named on standard error), or, with
--allow-errors, says in itself what it left out. A task whose dates cannot be read is in
state `invalid`, never green.

Every case breaks the bundled county ledger's ledgers/zjj.yaml (11 tasks, ZJJ-001..011)
in a real git repository the way a clerk would, and runs every report command.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from tests.conftest import REPO, MakeLedger

AS_OF = "2026-11-25"
ZJJ = [f"ZJJ-{i:03d}" for i in range(1, 12)]


def _git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=督查室", "-c", "user.email=ducha@yanjin.gov.cn", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def county(tmp_path: Path) -> Path:
    """The bundled ledger, committed in a fresh repository."""
    root = tmp_path / "county"
    root.mkdir()
    for name in ("sanzhua.yaml", "units.yaml", "calendar.yaml"):
        if (REPO / name).exists():
            shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    return root


def _edit(path: Path, change: Callable[[str], str]) -> None:
    text = path.read_text(encoding="utf-8")
    new = change(text)
    assert new != text
    path.write_text(new, encoding="utf-8")


# The ways issue 13 names: each loses every task of the file.
BREAKS: dict[str, Callable[[str], str]] = {
    "indent": lambda t: t.replace("\n    owner: 余某某", "\n       owner: 余某某", 1),
    "unclosed-quote": lambda t: t.replace("title: 集中供热", 'title: "集中供热', 1),
    "fullwidth-colon": lambda t: t.replace("owner: 余某某", "owner：余某某", 1),
    "tab": lambda t: t.replace("\n    owner: 余某某", "\n\towner: 余某某", 1),
    "empty": lambda t: "",
    # a typo in the file's unit: every task is counted under a unit that does not exist, and
    # 县住建局 drops out of every table and the ranking (the ids all stay)
    "unknown-unit": lambda t: t.replace("\nunit: zjj\n", "\nunit: zjjj\n", 1),
}


def _run(root: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [*args, "--root", str(root), "--as-of", AS_OF])
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    return res.exit_code, res.stdout, res.stderr


def _commands(out: Path) -> dict[str, list[str]]:
    return {
        "status": ["status"],
        "status-json": ["status", "-f", "json"],
        "show": ["show", "NYJ-004"],
        "brief-md": ["brief", "--week", "-o", str(out / "b.md")],
        "brief-docx": ["brief", "--week", "-f", "docx", "-o", str(out / "b.docx")],
        "notice": ["brief", "--unit", "zjj", "-o", str(out / "n.md")],
        "each-unit": ["brief", "--each-unit", str(out / "notices")],
        "score": ["score"],
        "export": ["export", "-o", str(out / "x.xlsx")],
        "export-csv": ["export", "-f", "csv", "-o", str(out / "x.csv")],
        "calendar": ["calendar", "-o", str(out / "c.ics")],
    }


@pytest.mark.parametrize("how", list(BREAKS))
def test_every_report_refuses_a_broken_file_naming_it_and_its_tasks(county: Path, tmp_path: Path, how: str) -> None:
    _edit(county / "ledgers/zjj.yaml", BREAKS[how])
    out = tmp_path / "out"
    out.mkdir()
    for name, args in _commands(out).items():
        code, stdout, stderr = _run(county, *args)
        assert code == 1, (name, code, stdout, stderr)
        assert "ledgers/zjj.yaml" in stderr, (name, stderr)
        for tid in ZJJ:  # the empty file's tasks are named from the last commit
            assert tid in stderr, (name, tid, stderr)
        assert "--allow-errors" in stderr
        assert "Traceback" not in stderr
    assert list(out.iterdir()) == [], "a refused report wrote a file"


def test_show_of_a_task_in_a_broken_file_says_the_file_is_broken(county: Path) -> None:
    _edit(county / "ledgers/zjj.yaml", BREAKS["indent"])
    code, _, stderr = _run(county, "show", "ZJJ-001")
    assert code == 1
    assert "ZJJ-001" in stderr and "ledgers/zjj.yaml" in stderr
    assert "没有编号" not in stderr  # not "no such task"
    assert "ledgers/zjj.yaml:10:" in stderr  # where the error is


def test_allow_errors_makes_the_bulletin_with_a_notice_at_its_top(county: Path, tmp_path: Path) -> None:
    _edit(county / "ledgers/zjj.yaml", BREAKS["unclosed-quote"])
    md, docx = tmp_path / "b.md", tmp_path / "b.docx"
    code, _, stderr = _run(county, "brief", "--week", "--allow-errors", "-o", str(md))
    assert code == 0
    assert "ZJJ-001" in stderr and "ledgers/zjj.yaml" in stderr
    text = md.read_text(encoding="utf-8")
    head = text[: text.index("一、总体情况")]
    assert "本期台账有1处错误，以下任务未计入：" in head
    assert all(t in head for t in ZJJ)
    code, _, _ = _run(county, "brief", "--week", "--allow-errors", "-f", "docx", "-o", str(docx))
    assert code == 0
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode("utf-8")
    import re

    words = re.sub(r"<[^>]+>", "", body)
    assert words.index("本期台账有1处错误，以下任务未计入：") < words.index("一、总体情况")
    assert "ZJJ-011" in words[: words.index("一、总体情况")]


def test_allow_errors_status_score_export_calendar_say_what_is_missing(county: Path, tmp_path: Path) -> None:
    _edit(county / "ledgers/zjj.yaml", BREAKS["tab"])
    code, out, _ = _run(county, "status", "--allow-errors")
    assert code == 0 and "台账有1处错误，以下任务未计入：ZJJ-001" in out.replace("\n", "")
    code, out, _ = _run(county, "status", "-f", "json", "--allow-errors")
    doc = json.loads(out)
    assert code == 0 and doc["incomplete"]["left_out"] == ZJJ and doc["incomplete"]["errors"] == 1
    assert {"version", "as_of", "tasks"} <= set(doc)  # the shape is kept: a field is added
    code, out, _ = _run(county, "score", "-f", "json", "--allow-errors")
    assert code == 0 and json.loads(out)["incomplete"]["files"][0]["file"] == "ledgers/zjj.yaml"
    code, out, _ = _run(county, "score", "--allow-errors")
    assert code == 0 and out.startswith("台账有1处错误")
    from openpyxl import load_workbook

    xlsx = tmp_path / "x.xlsx"
    code, _, _ = _run(county, "export", "--allow-errors", "-o", str(xlsx))
    wb = load_workbook(xlsx)
    assert code == 0 and wb.active is not None and wb.active.title == "注意"
    assert "ZJJ-001" in str(wb.active["A1"].value)
    ics = tmp_path / "c.ics"
    code, _, _ = _run(county, "calendar", "--allow-errors", "-o", str(ics))
    raw = ics.read_text(encoding="utf-8").replace("\r\n ", "")
    assert code == 0 and "台账有1处错误" in raw


def test_tasks_that_parse_keep_counting_only_the_broken_one_is_left_out(county: Path) -> None:
    # A misspelt title drops one task; the other ten of the file still count.
    _edit(
        county / "ledgers/zjj.yaml",
        lambda t: t.replace("  - id: ZJJ-002\n    title:", "  - id: ZJJ-002\n    titel:", 1),
    )
    code, _, stderr = _run(county, "status")
    assert code == 1 and "ZJJ-002" in stderr and "ZJJ-003" not in stderr
    code, out, _ = _run(county, "status", "-f", "json", "--all", "--allow-errors")
    ids = {t["id"] for t in json.loads(out)["tasks"]}
    assert "ZJJ-002" not in ids and set(ZJJ) - {"ZJJ-002"} <= ids


def test_a_misspelt_id_key_still_names_the_task(county: Path) -> None:
    _edit(county / "ledgers/zjj.yaml", lambda t: t.replace("- id: ZJJ-001", "- idd: ZJJ-001", 1))
    code, _, stderr = _run(county, "status")
    assert code == 1 and "ZJJ-001" in stderr


def test_a_file_that_cannot_be_read_is_refused(county: Path) -> None:
    path = county / "ledgers/zjj.yaml"
    path.unlink()
    os.symlink(county / "nowhere.yaml", path)  # a dangling link: reading it fails
    for args in (["status"], ["score"], ["brief", "--week"]):
        code, _, stderr = _run(county, *args)
        assert code == 1, args
        assert "ledgers/zjj.yaml" in stderr and "ZJJ-001" in stderr  # named from the last commit


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_a_file_without_read_permission_is_refused(county: Path) -> None:
    path = county / "ledgers/zjj.yaml"
    path.chmod(0)
    try:
        code, _, stderr = _run(county, "status")
    finally:
        path.chmod(0o644)
    assert code == 1 and "ledgers/zjj.yaml" in stderr


def test_a_clean_ledger_passes_without_a_word(county: Path) -> None:
    code, out, stderr = _run(county, "status", "-f", "json")
    assert code == 0 and stderr == "" and "incomplete" not in json.loads(out)


def test_english_ledger_gets_english_words(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - id: A-1\n    title: x\n    due: 2026-12-31\n  - id: A-2\n"},
        settings="name: T\nyear: 2026\nlang: en\n",
    )
    code, _, stderr = _run(root, "status")
    assert code == 1
    assert "left out: A-2" in stderr and "ledgers/a.yaml" in stderr and "台账" not in stderr


# ---------------------------------------------------------------------------
# 13.2: an unreadable deadline never turns a task green


def test_an_impossible_deadline_is_invalid_not_green(county: Path) -> None:
    _edit(county / "ledgers/zjj.yaml", lambda t: t.replace("due: 11月15日前", "due: 2026年9月31日", 1))
    code, _, stderr = _run(county, "status")
    assert code == 1 and "ZJJ-001" in stderr and "台账有误" in stderr
    code, out, _ = _run(county, "status", "-f", "json", "--all", "--allow-errors")
    row = next(t for t in json.loads(out)["tasks"] if t["id"] == "ZJJ-001")
    assert row["states"] == ["invalid"] and row["light"] == "none"
    code, out, _ = _run(county, "show", "ZJJ-001", "--allow-errors")
    assert code == 0 and "台账有误" in out and "时限无法识别" in out


def test_invalid_state_for_start_done_milestone_and_status(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/fgw.yaml": """\
            unit: fgw
            tasks:
              - {id: S-1, title: 开始日期错, start: 2026-02-30, due: 2026-12-31}
              - {id: S-2, title: 完成日期错, due: 2026-06-30, done: 2026-13-01}
              - id: S-3
                title: 节点日期错
                due: 2026-12-31
                milestones:
                  - {name: 开工, due: 2026-04-31}
              - {id: S-4, title: 状态错, due: 2026-01-31, status: 完工了}
              - {id: S-5, title: 正常, due: 2026-01-31}
            """
        }
    )
    code, out, _ = _run(root, "status", "-f", "json", "--all", "--allow-errors")
    assert code == 0
    states = {t["id"]: (t["states"], t["light"]) for t in json.loads(out)["tasks"]}
    for tid in ("S-1", "S-2", "S-3", "S-4"):
        assert states[tid] == (["invalid"], "none"), tid
    assert states["S-5"] == (["overdue", "no_report"], "red")
    _, out, _ = _run(root, "brief", "--week", "--allow-errors")
    assert "台账有误（日期或状态无法识别）4项" in out
    _, out, _ = _run(root, "score", "-f", "json", "--allow-errors")
    fgw = next(u for u in json.loads(out)["units"] if u["unit"] == "fgw")
    assert fgw["counts"]["overdue"] == 1  # S-5 only: an invalid task neither gains nor loses


def test_a_unit_typo_is_said_in_the_bulletin_and_json(county: Path, tmp_path: Path) -> None:
    """A clerk's typo in `unit:` would move 县住建局's tasks under a unit that does not exist
    (and out of its row in every table and the ranking): with --allow-errors, the bulletin
    and the JSON say which tasks and which unit."""
    _edit(county / "ledgers/zjj.yaml", BREAKS["unknown-unit"])
    md = tmp_path / "b.md"
    code, _, stderr = _run(county, "brief", "--week", "--allow-errors", "-o", str(md))
    assert code == 0, stderr
    top = md.read_text(encoding="utf-8").split("---", 1)[0]
    assert "本期台账有1处错误" in top and "不在 units.yaml 中" in top
    assert "ZJJ-001（zjjj）" in top and "ledgers/zjj.yaml" in top
    code, stdout, _ = _run(county, "status", "-f", "json", "--allow-errors")
    assert code == 0
    strays = json.loads(stdout)["incomplete"]["files"][0]["unknown_units"]
    assert [s["id"] for s in strays] == ZJJ and {s["unit"] for s in strays} == {"zjjj"}
