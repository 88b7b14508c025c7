"""Edits never rewrite what happened (issue 13.3): `done` on a done task and `progress` on
a done task are refused, file unchanged, unless `--correct --reason`, which records the
correction in the ledger; a percent lower than the one before is a `check` warning."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from sanzhua.cli import app
from tests.conftest import MakeLedger

LEDGER = """\
unit: fgw
tasks:
  - id: A-1
    title: 修路
    start: 2026-03-01
    due: 2026-11-15
    done: 2026-11-18   # 验收推迟
    milestones:
      - {name: 开工, due: 2026-04-30, done: 2026-04-28}
    progress:
      - {date: 2026-06-30, percent: 40}
  - id: A-2
    title: 建桥
    start: 2026-03-01
    due: 2026-12-31
    milestones:
      - {name: 开工, due: 2026-04-30, done: 2026-04-28}
    progress:
      - {date: 2026-06-30, percent: 40}
"""


def _cli(root: Path, *args: str) -> tuple[int, str, str]:
    res = CliRunner().invoke(app, [*args, "--root", str(root)])
    return res.exit_code, res.stdout, res.stderr


def test_done_on_a_done_task_is_refused_and_the_file_kept(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    path = root / "ledgers/fgw.yaml"
    before = path.read_bytes()
    code, _, err = _cli(root, "done", "A-1", "--date", "2026-11-10")
    assert code == 1 and "已于 2026-11-18 完成" in err and "--correct --reason" in err
    assert path.read_bytes() == before


def test_progress_on_a_done_task_is_refused(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    path = root / "ledgers/fgw.yaml"
    before = path.read_bytes()
    code, _, err = _cli(root, "progress", "A-1", "--percent", "60", "--date", "2026-11-20")
    assert code == 1 and "A-1 已完成" in err
    assert path.read_bytes() == before


def test_a_milestone_done_date_is_not_rewritten(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    path = root / "ledgers/fgw.yaml"
    before = path.read_bytes()
    code, _, err = _cli(root, "done", "A-2", "--milestone", "开工", "--date", "2026-04-20")
    assert code == 1 and "已于 2026-04-28 完成" in err
    assert path.read_bytes() == before


def test_correct_with_a_reason_changes_and_records_it(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    path = root / "ledgers/fgw.yaml"
    code, _, err = _cli(root, "done", "A-1", "--date", "2026-11-10", "--correct", "--reason", "以验收报告为准")
    assert code == 0, err
    text = path.read_text(encoding="utf-8")
    assert "done: 2026-11-10   # 验收推迟" in text  # the comment is kept
    assert "更正：完成日期由 2026-11-18 改为 2026-11-10（原因：以验收报告为准）" in text
    code, out, _ = _cli(root, "show", "A-1", "-f", "json", "--as-of", "2026-12-31")
    assert code == 0 and json.loads(out)["states"] == ["done"]  # now on time: and the ledger says why
    code, _, err = _cli(
        root, "done", "A-2", "--milestone", "开工", "--date", "2026-04-20", "--correct", "--reason", "笔误"
    )
    assert code == 0, err
    assert "更正：节点“开工”完成日期由 2026-04-28 改为 2026-04-20（原因：笔误）" in path.read_text(encoding="utf-8")
    code, _, err = _cli(root, "progress", "A-1", "--percent", "100", "--correct", "--reason", "补报", "--note", "完工")
    assert code == 0, err
    assert "更正（原因：补报）：完工" in path.read_text(encoding="utf-8")


def test_correct_needs_a_reason_and_a_reason_needs_correct(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    path = root / "ledgers/fgw.yaml"
    before = path.read_bytes()
    code, _, err = _cli(root, "done", "A-1", "--date", "2026-11-10", "--correct")
    assert code == 1 and "--reason" in err
    code, _, err = _cli(root, "done", "A-1", "--date", "2026-11-10", "--correct", "--reason", "  ")
    assert code == 1
    code, _, err = _cli(root, "progress", "A-2", "--percent", "50", "--reason", "x")
    assert code == 1 and "--correct" in err
    assert path.read_bytes() == before
    code, _, err = _cli(root, "progress", "A-2", "--percent", "50", "--date", "2026-07-10")
    assert code == 0, err  # an open task takes progress as before


def test_progress_going_backwards_is_a_check_warning(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/fgw.yaml": """\
            unit: fgw
            tasks:
              - id: B-1
                title: 修渠
                due: 2026-12-31
                progress:
                  - {date: 2026-06-30, percent: 60}
                  - {date: 2026-07-31, percent: 30}
                  - {date: 2026-08-31, percent: 70}
            """
        }
    )
    code, out, _ = _cli(root, "check", "-f", "json", "--as-of", "2026-09-01")
    found = [p for p in json.loads(out)["problems"] if p["code"] == "progress-regressed"]
    assert code == 0 and len(found) == 1
    assert found[0]["line"] == 8 and found[0]["severity"] == "warning"
    assert "30%" in found[0]["message"] and "60%" in found[0]["message"]
    code, out, _ = _cli(root, "check", "--list")
    assert "progress-regressed" in out
