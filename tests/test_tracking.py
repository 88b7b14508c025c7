"""Tracking starts when the ledger starts (issue 13.6): no state or score counts a report
missed before `tracking_since` (default: the commit that added sanzhua.yaml); missed
reports are scored per unit and week, capped, not per task and week."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from sanzhua.cli import app
from tests.conftest import SETTINGS, MakeLedger

# Two units: fgw leads three tasks since March and reports on one of them in some weeks;
# jyj leads one task and never reports.
TASKS = {
    "ledgers/fgw.yaml": """\
    unit: fgw
    tasks:
      - id: F-1
        title: 修路
        start: 2026-03-02
        due: 2026-12-31
        progress:
          - {date: 2026-11-04, percent: 70}
          - {date: 2026-11-18, percent: 80}
      - {id: F-2, title: 建桥, start: 2026-03-02, due: 2026-12-31}
      - {id: F-3, title: 修渠, start: 2026-03-02, due: 2026-12-31}
    """,
    "ledgers/jyj.yaml": """\
    unit: jyj
    tasks:
      - {id: J-1, title: 建校, start: 2026-03-02, due: 2026-12-31}
    """,
}


def _cli(root: Path, *args: str) -> tuple[int, str]:
    res = CliRunner().invoke(app, [*args, "--root", str(root)])
    assert res.exit_code == 0, res.stderr
    return res.exit_code, res.stdout


def _score(root: Path, as_of: str, *extra: str) -> dict[str, dict[str, object]]:
    _, out = _cli(root, "score", "-f", "json", "--as-of", as_of, *extra)
    return {u["unit"]: u for u in json.loads(out)["units"]}


def _commit(root: Path, day: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": f"{day}T09:00:00+08:00", "GIT_COMMITTER_DATE": f"{day}T09:00:00+08:00"}
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "建立台账"]):
        subprocess.run(
            ["git", "-c", "user.name=督查室", "-c", "user.email=d@x.gov.cn", *args],
            cwd=root,
            env=env,
            check=True,
            capture_output=True,
        )


def test_a_ledger_scored_on_its_first_day_loses_nothing_for_reports(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS)
    _commit(root, "2026-11-23")  # the ledger begins on Monday 23 November; its tasks in March
    units = _score(root, "2026-11-23")
    assert all(u["counts"]["report_missing"] == 0 for u in units.values())  # type: ignore[index]
    assert units["jyj"]["score"] == 100 and units["fgw"]["score"] == 100
    _, out = _cli(root, "status", "-f", "json", "--as-of", "2026-11-23", "--all")
    assert all("no_report" not in t["states"] for t in json.loads(out)["tasks"])
    # A week later the first week is owed.
    _, out = _cli(root, "status", "-f", "json", "--as-of", "2026-11-30", "--all")
    states = {t["id"]: t["states"] for t in json.loads(out)["tasks"]}
    assert "no_report" in states["J-1"]


def test_tracking_since_setting_wins_over_the_first_commit(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS, settings=SETTINGS + "tracking_since: 2026-11-02\n")
    _commit(root, "2026-06-01")
    units = _score(root, "2026-11-29")
    # Weeks of 2, 9, 16 and 23 November are owed. jyj reported in none: 4.
    assert units["jyj"]["counts"]["report_missing"] == 4  # type: ignore[index]
    # fgw reported (on F-1) in the weeks of 2 and 16 November: F-2 and F-3 do not count apart.
    assert units["fgw"]["counts"]["report_missing"] == 2  # type: ignore[index]
    assert units["fgw"]["score"] == 99  # 2 × −0.5


def test_outside_git_every_task_owes_from_its_start_and_the_cap_holds(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS)
    units = _score(root, "2026-11-29")
    jyj = units["jyj"]
    weeks = jyj["counts"]["report_missing"]  # type: ignore[index]
    assert weeks == 39  # every week from 2 March to 29 November, once: not per task
    assert jyj["score"] == 95  # −0.5 a week, capped at 5
    assert units["fgw"]["counts"]["report_missing"] == 37  # type: ignore[index]
    _, out = _cli(root, "score", "--explain", "jyj", "--as-of", "2026-11-29")
    assert "本单位牵头的任务（J-1）均未报送进展" in out and "已达上限 5 分" in out


def test_per_task_counting_is_still_there_on_request(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        TASKS,
        settings=SETTINGS + "tracking_since: 2026-11-02\nscoring:\n  report_missing_per: task\n",
    )
    units = _score(root, "2026-11-29")
    assert units["fgw"]["counts"]["report_missing"] == 2 + 4 + 4  # type: ignore[index]
