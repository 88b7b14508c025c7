"""The trend week by week (`report.trends`) equals evaluating the ledger at every week's
end, as `status --as-of` would: without git, on generated ledgers with a hand-written
file of the cases the generator does not write (销号 with `verify_done`, kinds with their
own report periods, values rolled up over three levels of sub-tasks, suspended,
cancelled and dateless done tasks, milestones, extensions); and with git, each week read
from the ledger as committed by then, checked against that commit's files checked out
and evaluated on their own.
"""

from __future__ import annotations

import os
import subprocess
import tarfile
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from sanzhua.evaluate import evaluate, evaluate_tasks
from sanzhua.load import Ledger, load_ledger
from sanzhua.periods import series_start
from sanzhua.report.trends import Point, point, trend, week_ends
from tests.conftest import bench_generator

CASES = """\
unit: u0001
tasks:
  - id: V-1
    title: 报完成，待销号
    start: 2026-02-01
    due: 2026-06-30
    done: 2026-05-20
  - id: V-2
    title: 已销号
    start: 2026-02-01
    due: 2026-06-30
    done: 2026-05-20
    verified: {date: 2026-06-03, by: ducha@example.gov.cn}
  - id: V-3
    title: 退回后重报，再销号
    start: 2026-02-01
    due: 2026-08-31
    done: 2026-08-26
    returned:
      - {date: 2026-07-10, by: ducha@example.gov.cn, reason: 材料不全}
    verified: {date: 2026-09-02, by: ducha@example.gov.cn}
  - id: V-4
    title: 退回，未重报
    start: 2026-02-01
    due: 2026-07-31
    done: 2026-07-20
    returned: {date: 2026-07-25, by: ducha@example.gov.cn, reason: 未验收}
    progress: [{date: 2026-07-28, percent: 90}]
  - id: K-1
    title: 人大代表建议（按月报送）
    kind: 人大代表建议
    assigned: 2026-03-02
    source: 人大建议第12号
    progress: [{date: 2026-04-01, percent: 30}]
  - id: K-2
    title: 领导批示件
    kind: 领导批示件
    assigned: 2026-05-11
    source: 县长批示
  - id: R-1
    title: 总目标（值由子任务汇总）
    start: 2026-01-10
    due: 2026-12-31
    target: {metric: 投资, value: 1000, unit: 万元}
    progress: [{date: 2026-03-01, value: 50}]
  - id: R-2
    title: 子任务一
    parent: R-1
    start: 2026-01-10
    due: 2026-10-31
    target: {metric: 投资, value: 600, unit: 万元}
    progress: [{date: 2026-04-01, value: 100}, {date: 2026-08-01, value: 400}]
  - id: R-3
    title: 子任务二
    parent: R-1
    start: 2026-01-10
    due: 2026-11-30
    target: {metric: 投资, value: 400, unit: 万元}
  - id: R-4
    title: 孙任务
    parent: R-3
    start: 2026-02-01
    due: 2026-09-30
    target: {metric: 投资, value: 400, unit: 万元}
    progress: [{date: 2026-05-01, value: 100, percent: 20}, {date: 2026-05-01, value: 150}]
  - id: R-5
    title: 子任务三（计量单位不同，不汇总）
    parent: R-1
    start: 2026-01-10
    due: 2026-12-31
    target: {metric: 面积, value: 10, unit: 亩}
    progress: [{date: 2026-06-01, percent: 50}]
  - id: S-1
    title: 暂缓
    status: suspended
    start: 2026-01-10
    due: 2026-05-31
  - id: S-2
    title: 取消
    status: cancelled
    start: 2026-01-10
    due: 2026-05-31
  - id: S-3
    title: 已完成，未写日期
    status: done
    start: 2026-01-10
    due: 2026-05-31
    milestones:
      - {name: 节点一, due: 2026-03-31}
  - id: S-4
    title: 节点逾期后完成，延期一次
    start: 2026-01-10
    due: 2026-12-31
    milestones:
      - {name: 节点一, due: 2026-03-31, done: 2026-05-10}
      - {name: 节点二, due: 2026-08-31}
    extensions:
      - {date: 2026-06-01, from: 2026-09-30, to: 2026-12-31, approved_by: 县长, ref: 延政督〔2026〕1号}
"""


def _ledger(root: Path, seed: int, *, verify: bool) -> Path:
    bench_generator().generate(root, 6, 20, seed)
    (root / "ledgers" / "cases.yaml").write_text(CASES, encoding="utf-8")
    if verify:
        with (root / "sanzhua.yaml").open("a", encoding="utf-8") as f:
            f.write("supervisors: [ducha@example.gov.cn]\nverify_done: true\n")
    return root


def _days(ledger: Ledger, as_of: date) -> list[date]:
    s = ledger.settings
    first = series_start(s.bulletin.first_week, s.year, as_of)  # at most a year back
    return week_ends(min(first, as_of), as_of)


@pytest.mark.parametrize(("seed", "verify"), [(4, True), (5, False)])
def test_trend_equals_evaluating_every_week(tmp_path: Path, seed: int, verify: bool) -> None:
    root = _ledger(tmp_path / "gen", seed, verify=verify)
    ledger = load_ledger(root, cache=False)
    assert not [p for p in ledger.problems if p.severity == "error"], ledger.problems
    assert {"V-1", "K-1", "R-4", "S-4"} <= {t.id for t in ledger.tasks}
    for as_of in (date(2026, 11, 25), date(2027, 3, 1)):
        full = [point(evaluate(ledger, d), d, "rules") for d in _days(ledger, as_of)]
        assert trend(ledger, as_of, use_git=False) == full
    if verify:  # the case the trend once got wrong: a done waiting for 销号 is not done yet
        june = next(p for p in full if p.day == date(2026, 5, 24))
        assert june.done == sum(1 for s in evaluate(ledger, june.day) if set(s.states) & {"done", "done_late"})


def _git(root: Path, *args: str, when: str = "") -> bytes:
    env = {**os.environ, "GIT_AUTHOR_NAME": "ducha", "GIT_AUTHOR_EMAIL": "ducha@example.gov.cn"}
    env |= {"GIT_COMMITTER_NAME": "ducha", "GIT_COMMITTER_EMAIL": "ducha@example.gov.cn"}
    if when:
        env |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True).stdout


def _checked_out(root: Path, sha: str, into: Path) -> Path:
    """The files of commit `sha`, as a folder of their own (no git)."""
    into.mkdir()
    with tarfile.open(fileobj=BytesIO(_git(root, "archive", "--format=tar", sha))) as tar:
        tar.extractall(into, filter="data")
    return into


def test_trend_from_git_equals_each_weeks_commit_evaluated(tmp_path: Path) -> None:
    """Three commits in the year, each a different ledger (other progress, deadlines,
    extensions, sub-tasks): a week after a commit is that commit's ledger at the week's end,
    a week before the first commit is today's ledger under the as-of rules."""
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    commits: list[tuple[str, date]] = []
    for seed, day in ((6, "2026-03-04"), (7, "2026-06-17"), (8, "2026-09-09")):
        for old in (root / "ledgers").rglob("*.y*ml") if (root / "ledgers").exists() else ():
            old.unlink()
        _ledger(root, seed, verify=seed == 7)
        _git(root, "add", "-A")
        _git(root, "commit", "-q", "-m", f"ledger {seed}", when=f"{day}T10:00:00+08:00")
        commits.append((_git(root, "rev-parse", "HEAD").decode().strip(), date.fromisoformat(day)))
    as_of = date(2026, 11, 25)
    ledger = load_ledger(root, cache=False)
    since = ledger.tracking_start()
    assert since == date(2026, 3, 4)  # the commit that added sanzhua.yaml

    at: dict[str, Ledger] = {}
    expected: list[Any] = []
    for d in _days(ledger, as_of):
        sha = next((s for s, when in reversed(commits) if when <= d), None)
        if sha is None:
            expected.append(point(evaluate(ledger, d), d, "rules"))
            continue
        if sha not in at:
            at[sha] = load_ledger(_checked_out(root, sha, tmp_path / sha), cache=False)
        old = at[sha]
        ev = evaluate_tasks(old.tasks, old.children, old.settings, old.calendar, d, tracking_since=since)
        expected.append(point(ev, d, "git", sha[:10]))
    got: list[Point] = trend(ledger, as_of)
    assert [p.source for p in got].count("rules") == 8  # the weeks of January and February
    assert got == expected
