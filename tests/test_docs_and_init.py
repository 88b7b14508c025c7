"""Docs the user has (issue 15.6), init (15.7), and fmt agreeing with both (15.5)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
import yaml

from sanzhua.checks import ALL_CODES
from sanzhua.commands.helpdoc import TOPICS, help_topic, page
from sanzhua.commands.init import init
from sanzhua.evaluate import STATE_ORDER
from sanzhua.history.rules import CODES as AUDIT_CODES
from sanzhua.load import keys as K
from sanzhua.load.settings import BulletinIn, SettingsIn, UnitIn
from tests.conftest import REPO
from tests.test_cli import sanzhua

FORMAT_MD = REPO / "docs" / "format.md"


def test_format_doc_names_every_key_code_and_state() -> None:
    text = FORMAT_MD.read_text(encoding="utf-8")
    zh, en = text.split('<a id="english"></a>', 1)
    tables = [K.FILE_KEYS, K.TASK_KEYS, K.MILESTONE_KEYS, K.TARGET_KEYS, K.PROGRESS_KEYS, K.EXTENSION_KEYS]
    for part in (zh, en):
        for table in tables:
            for key, alias in table.items():
                if key == "weight" and part is en:
                    continue  # the English part documents weight among the additions below
                assert f"`{key}`" in part or f"| {key} |" in part, key
                assert alias in part, alias
    for code in [*ALL_CODES, *AUDIT_CODES]:
        assert f"`{code}`" in zh and f"`{code}`" in en, code
    for state in STATE_ORDER:
        assert f"`{state}`" in zh and f"`{state}`" in en, state
    for model in (SettingsIn, UnitIn):
        for field in model.model_fields:
            assert f"`{field}`" in zh or f"{field}:" in zh, field
    for field in BulletinIn.model_fields:
        assert field in zh, field
    for written in ("2026年9月30号", "9月底", "第三季度", "2026-H1", "上半年", "年底", "11月15日前", "Q3"):
        assert written in zh, written
    for code in ("| 0 |", "| 1 |", "| 2 |"):
        assert code in zh


def test_no_user_facing_file_points_at_shared() -> None:
    for path in [REPO / "README.md", *(REPO / "docs").glob("*.md"), *(REPO / "templates").glob("*.j2")]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path
    for path in (REPO / "src" / "sanzhua").rglob("*.py"):
        assert "../shared" not in path.read_text(encoding="utf-8"), path


def test_help_format_prints_the_language_part() -> None:
    zh, en = io.StringIO(), io.StringIO()
    assert help_topic("format", "zh", zh) == 0 and help_topic("格式", "en", en) == 0
    assert zh.getvalue().startswith("# 台账格式说明") and "# English" not in zh.getvalue()
    assert en.getvalue().startswith("# English") and "一、台账由哪些文件组成" not in en.getvalue()
    for topic in TOPICS:
        assert page(topic, "zh").strip()
    listing = io.StringIO()
    help_topic(None, "zh", listing)
    assert "format" in listing.getvalue() and "sanzhua check -h" in listing.getvalue()


def test_init_takes_a_name_and_writes_what_the_issue_asks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "myledger"
    assert init(target, name="某某县2027年重点工作督查督办台账", year=2027) == 0
    settings = yaml.safe_load((target / "sanzhua.yaml").read_text(encoding="utf-8"))
    assert settings["name"] == "某某县2027年重点工作督查督办台账"
    said = capsys.readouterr().out
    assert "supervisors" in said and "第一次 git commit 之前" in said and "暂定" not in said
    ignore = (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    for pattern in (".sanzhua/", "out/", "*.docx", "*.xlsx", "*.ics", "!templates/*.docx"):
        assert pattern in ignore
    workflow = yaml.safe_load((target / ".github/workflows/sanzhua.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["check"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert 'pip install "$SANZHUA_SOURCE"' in runs and "vars.SANZHUA_SOURCE" in workflow["env"]["SANZHUA_SOURCE"]
    audit = next(s for s in steps if "sanzhua audit" in s.get("run", ""))
    assert audit["if"] == "github.event_name == 'pull_request'" and "--range" in audit["run"]
    assert "pull_request.base.sha" in audit["env"]["BASE"]
    for rel in ("sanzhua.yaml", "ledgers/fgw.yaml"):
        assert "FORMAT.md" not in (target / rel).read_text(encoding="utf-8")


def test_init_asks_for_the_name_or_says_it_is_a_placeholder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return "  城关镇重点工作台账 "

    init(tmp_path / "a", ask=ask, year=2026)
    assert asked and "台账名称" in asked[0]
    assert yaml.safe_load((tmp_path / "a" / "sanzhua.yaml").read_text(encoding="utf-8"))["name"] == "城关镇重点工作台账"
    capsys.readouterr()
    init(tmp_path / "b", year=2026)  # no terminal, no --name: not the folder's name, and it says so
    name = yaml.safe_load((tmp_path / "b" / "sanzhua.yaml").read_text(encoding="utf-8"))["name"]
    assert name == "2026年督查督办台账"
    assert "台账名称暂定为“2026年督查督办台账”" in capsys.readouterr().out


def test_init_files_pass_fmt_check_and_check(tmp_path: Path) -> None:
    target = tmp_path / "新台账"
    assert sanzhua("init", str(target), "--name", "测试台账", cwd=tmp_path).returncode == 0
    r = sanzhua("fmt", "--check", cwd=target)
    assert r.returncode == 0, r.stdout + r.stderr
    assert sanzhua("check", cwd=target).returncode == 0


def test_bundled_ledger_passes_fmt_check() -> None:
    r = sanzhua("fmt", "--check", cwd=REPO)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr


def test_gitignore_keeps_outputs_out_of_git(tmp_path: Path) -> None:
    target = tmp_path / "l"
    init(target, name="x", year=2026)
    made = ("政务督查-2026-第1期.docx", "台账-2026-11-25.xlsx", "deadlines.ics", "out/a.md", "templates/brief.docx")
    for rel in made:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(b"x")
    r = subprocess.run(
        ["git", "status", "--porcelain", "-uall"], cwd=target, capture_output=True, text=True, check=True
    )
    listed = r.stdout
    assert "templates/brief.docx" in listed
    for rel in ("第1期.docx", ".xlsx", ".ics", "out/a.md"):
        assert rel not in listed, rel
