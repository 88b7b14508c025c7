"""What a bulletin says about itself (issue 13): the commit it was made from, uncommitted
changes, or that the ledger is not in git at all."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from sanzhua.cli import app
from tests.conftest import MakeLedger

TASKS = """\
unit: fgw
tasks:
  - {id: A-1, title: 修路, start: 2026-03-01, due: 2026-12-31}
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=督查室", "-c", "user.email=ducha@x.gov.cn", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def _brief(root: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, ["brief", "--week", "--root", str(root), "--as-of", "2026-11-25", *args])
    return res.exit_code, res.stdout


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return re.sub(r"<[^>]+>", "", z.read("word/document.xml").decode("utf-8"))


def test_bulletin_names_its_commit_after_the_banji(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    sha = _git(root, "rev-parse", "--short", "HEAD")
    code, md = _brief(root)
    assert code == 0
    assert md.rstrip().endswith(f"*据台账提交 {sha}（{_git(root, 'log', '-1', '--format=%cs')}）生成。*")
    docx = tmp_path / "b.docx"
    code, _ = _brief(root, "-f", "docx", "-o", str(docx))
    words = _docx_text(docx)
    assert words.index("印发") < words.index(f"据台账提交 {sha}")  # small print after the 版记
    assert "未提交的修改" not in words


def test_uncommitted_changes_are_said(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    (root / "ledgers/fgw.yaml").write_text(TASKS.replace("修路", "修桥"), encoding="utf-8")
    code, md = _brief(root)
    assert code == 0 and "生成时工作区有未提交的修改" in md.splitlines()[-1]
    docx = tmp_path / "b.docx"
    _brief(root, "-f", "docx", "-o", str(docx))
    assert "生成时工作区有未提交的修改" in _docx_text(docx)
    # A bulletin written into the repository is not a change to the ledger.
    (root / "ledgers/fgw.yaml").write_text(TASKS, encoding="utf-8")
    _brief(root, "-o", str(root / "政务督查.md"))
    assert "未提交" not in (root / "政务督查.md").read_text(encoding="utf-8")


def test_not_a_git_repository_is_said(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    code, md = _brief(root)
    assert code == 0 and "本文件生成时台账不在 git 仓库中" in md.splitlines()[-1]
    code, md = _brief(root, "--lang", "en")
    assert "not in a git repository" in md.splitlines()[-1]


def test_notice_names_its_commit_too(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": TASKS})
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "台账")
    res = CliRunner().invoke(app, ["brief", "--unit", "fgw", "--root", str(root), "--as-of", "2026-11-25"])
    assert res.exit_code == 0 and "据台账提交" in res.stdout.splitlines()[-1]


# ---------------------------------------------------------------------------
# 13.7: a 督办通知 covers every yellow or red task of the unit, lagging ones included


def test_notice_covers_lagging_tasks_and_each_unit_writes_one_for_them(tmp_path: Path) -> None:
    from tests.conftest import REPO

    out = tmp_path / "notices"
    res = CliRunner().invoke(app, ["brief", "--unit", "xiaotan", "--root", str(REPO), "--as-of", "2026-11-25"])
    assert res.exit_code == 0, res.stderr
    section = res.stdout[res.stdout.index("### 三、进度滞后的任务") : res.stdout.index("### 四、")]
    for tid in ("XT-01", "XT-02", "XT-04"):
        assert tid in section
    assert "| 90.1% |" in section
    res = CliRunner().invoke(app, ["brief", "--each-unit", str(out), "--root", str(REPO), "--as-of", "2026-11-25"])
    assert res.exit_code == 0, res.stderr
    names = {p.name for p in out.iterdir()}
    for unit in ("小潭乡", "马庄乡", "县城市管理局"):
        assert f"督办通知-{unit}-2026-11-25.md" in names
    docx = tmp_path / "n.docx"
    res = CliRunner().invoke(
        app, ["brief", "--unit", "xiaotan", "-f", "docx", "-o", str(docx), "--root", str(REPO), "--as-of", "2026-11-25"]
    )
    words = _docx_text(docx)
    assert words.index("三、进度滞后的任务") < words.index("XT-01") < words.index("四、未按时报送进展的任务")


def test_every_unit_with_a_yellow_or_red_task_gets_a_notice() -> None:
    from datetime import date

    from sanzhua.evaluate import evaluate
    from sanzhua.load import load_ledger
    from sanzhua.report.brief import assemble_notice, units_needing_notice
    from tests.conftest import REPO

    ledger = load_ledger(REPO)
    ev = evaluate(ledger, date(2026, 11, 25))
    wanted = {ts.task.lead for ts in ev if ts.light in ("red", "yellow")}
    assert set(units_needing_notice(ev)) == wanted
    for uid in wanted:
        n = assemble_notice(ledger, ev, uid, date(2026, 11, 25))
        shown = {x.id for x in (*n.overdue, *n.milestone_overdue, *n.due_soon, *n.behind, *n.unreported)}
        mine = {ts.id for ts in ev if ts.task.lead == uid and ts.light in ("red", "yellow")}
        assert shown == mine, uid


# ---------------------------------------------------------------------------
# 13.8: no comparison with a period before the ledger; a new ledger's first bulletin is 第1期


def test_a_new_ledger_first_bulletin_is_issue_1_without_a_comparison(tmp_path: Path) -> None:
    from datetime import date

    from sanzhua.commands.init import init

    root = tmp_path / "新台账"
    assert init(root, supervisor="ducha@x.gov.cn", today=date(2026, 11, 25)) == 0
    settings = (root / "sanzhua.yaml").read_text(encoding="utf-8")
    assert "  - ducha@x.gov.cn" in settings and "supervisors: []" not in settings
    assert "tracking_since: 2026-11-25" in settings and "first_week: 2026-11-23" in settings
    code, md = _brief(root)
    assert code == 0
    assert "第1期" in md.split("---")[0]
    assert "上期无数据（台账自2026年11月25日起建立），不作比较。" in md
    assert "相比" not in md.split("### 二、")[0]
    docx = tmp_path / "b.docx"
    _brief(root, "-f", "docx", "-o", str(docx))
    words = _docx_text(docx)
    assert "上期无数据" in words and "第1期" in words and "相比：" not in words
    # A yearly brief compares with nothing before the ledger either.
    res = CliRunner().invoke(app, ["brief", "--year", "--root", str(root), "--as-of", "2026-12-20"])
    assert "上年无数据" in res.stdout and "+1" not in res.stdout.split("按类别")[0]
    # The next week compares with the first.
    code, md = _brief(root, "--as-of", "2026-12-02")
    assert "第2期" in md and "与上期（截至2026年11月29日）相比" in md


def test_a_new_ledger_scored_on_its_first_day_loses_no_points(tmp_path: Path) -> None:
    import json
    from datetime import date

    from sanzhua.commands.init import init

    root = tmp_path / "t"
    init(root, supervisor="ducha@x.gov.cn", today=date.today())
    res = CliRunner().invoke(app, ["score", "-f", "json", "--root", str(root)])
    assert res.exit_code == 0, res.stderr
    assert all(u["score"] == 100 for u in json.loads(res.stdout)["units"])
    res = CliRunner().invoke(app, ["check", "--root", str(root)])
    assert res.exit_code == 0, res.stdout


def test_init_refuses_without_a_supervisor(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_SYSTEM": os.devnull, "HOME": str(tmp_path)}
    proc = subprocess.run(
        ["git", "config", "user.email"], capture_output=True, text=True, env=env, cwd=tmp_path, check=False
    )
    assert proc.stdout.strip() == ""
    res = CliRunner(env=env).invoke(app, ["init", str(tmp_path / "x")])
    assert res.exit_code == 2 and "--supervisor" in res.stderr
    assert not (tmp_path / "x" / "sanzhua.yaml").exists()
    res = CliRunner(env=env).invoke(app, ["init", str(tmp_path / "y"), "--supervisor", "not-an-email"])
    assert res.exit_code == 2 and not (tmp_path / "y" / "sanzhua.yaml").exists()
    res = CliRunner(env=env).invoke(app, ["init", str(tmp_path / "z"), "--supervisor", "ducha@x.gov.cn"])
    assert res.exit_code == 0 and "ducha@x.gov.cn" in (tmp_path / "z/sanzhua.yaml").read_text(encoding="utf-8")
