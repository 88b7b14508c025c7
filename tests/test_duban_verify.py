"""销号 checked by the office: with `verify_done: true` a unit's done is a request (待销号)
until a supervisor records `verified`, or sends it back with `returned`; the audit
reports either written by anyone else (a real git repository)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.audit import audit
from sanzhua.evaluate import evaluate
from sanzhua.history.audit import collect
from sanzhua.load import load_ledger
from tests.conftest import UNITS, MakeLedger
from tests.test_history_repo import FGW, SUP, GitLedger

SETTINGS = """\
name: 测试县督查台账
year: 2026
lang: zh
verify_done: true
"""

TASKS = {
    "ledgers/fgw.yaml": """\
        unit: fgw
        tasks:
          - id: A-1
            title: 单位报完成，尚未销号
            due: 2026-11-30
            done: 2026-11-20
          - id: A-2
            title: 已销号
            due: 2026-11-30
            done: 2026-11-20
            verified: {date: 2026-11-23, by: ducha@yanjin.gov.cn}
          - id: A-3
            title: 被退回后重新报完成
            due: 2026-11-30
            done: 2026-11-26
            returned:
              - {date: 2026-11-23, by: ducha@yanjin.gov.cn, reason: 佐证材料不全}
          - id: A-4
            title: 被退回，尚未重报
            due: 2026-11-21
            done: 2026-11-20
            退回: {日期: 2026-11-23, 退回人: ducha@yanjin.gov.cn, 原因: 未完成验收}
            progress: [{date: 2026-11-24, percent: 90}]
          - id: A-5
            title: 逾期报完成后销号
            due: 2026-11-10
            done: 2026-11-12
            销号: {日期: 2026-11-13, 确认人: ducha@yanjin.gov.cn}
    """
}


def states(root: Path, day: str) -> dict[str, tuple[tuple[str, ...], str, date | None]]:
    ev = evaluate(load_ledger(root, cache=False), date.fromisoformat(day))
    return {tid: (ts.states, ts.light, ts.done) for tid, ts in ev.tasks.items()}


def test_done_waits_for_the_office(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS, settings=SETTINGS, units=UNITS)
    at = states(root, "2026-11-25")
    assert at["A-1"] == (("pending_verification",), "green", None)
    assert at["A-2"] == (("done",), "done", date(2026, 11, 20))
    assert "pending_verification" not in at["A-3"][0]  # sent back on the 23rd; its new done is dated the 26th
    assert at["A-3"][2] is None
    assert at["A-4"][0][0] == "overdue"  # sent back: open again, and past its deadline
    assert at["A-5"] == (("done_late",), "done", date(2026, 11, 12))
    assert states(root, "2026-11-27")["A-3"] == (("pending_verification",), "green", None)  # done again
    # before the office verified A-2, it was pending too; before A-4 was returned, pending
    at = states(root, "2026-11-22")
    assert at["A-2"][0] == ("pending_verification",)
    assert at["A-4"][0] == ("pending_verification",)


def test_without_verify_done_a_done_is_done(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS, settings=SETTINGS.replace("verify_done: true\n", ""), units=UNITS)
    at = states(root, "2026-11-25")
    assert at["A-1"][0] == ("done",) and at["A-4"][0] == ("done",)


def test_bulletin_counts_pending_in_the_kind_table_and_status_shows_it(make_ledger: MakeLedger) -> None:
    from sanzhua.commands.status import status
    from sanzhua.selection import StatusFilter

    root = make_ledger(TASKS, settings=SETTINGS, units=UNITS)
    out = io.StringIO()
    status(root, as_of=date(2026, 11, 27), fmt="json", flt=StatusFilter(states=("pending_verification",)), out=out)
    assert [t["id"] for t in json.loads(out.getvalue())["tasks"]] == ["A-1", "A-3"]


# -- the audit: 销号 is the office's ------------------------------------------------------


@pytest.fixture
def g(tmp_path: Path) -> GitLedger:
    settings = "name: 测试县\nyear: 2026\nlang: zh\nsupervisors: [ducha@yanjin.gov.cn]\nverify_done: true\n"
    repo = GitLedger(tmp_path / "台账", settings=settings)
    repo.baseline()
    return repo


def test_a_unit_that_verifies_its_own_done_is_an_audit_error(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "    due: 2026-10-31\n", "    due: 2026-10-31\n    done: 2026-03-18\n")
    honest = g.commit("报完成", who=FGW, when="2026-03-20")
    g.edit(
        "ledgers/fgw.yaml", "    done: 2026-03-18\n", "    done: 2026-03-18\n    verified: {date: 2026-03-20, by: 我}\n"
    )
    cheat = g.commit("销号", who=FGW, when="2026-03-21")
    findings, _ = collect(g.path)
    got = {(f.code, f.commit, f.task, f.file, f.line) for f in findings}
    assert got == {("verification-unauthorized", cheat, "XM-002", "ledgers/fgw.yaml", 17)}
    assert honest not in {f.commit for f in findings}
    out = io.StringIO()
    assert audit(g.path, fmt="json", out=out) == 1
    doc = json.loads(out.getvalue())
    f = next(x for x in doc["findings"] if x["code"] == "verification-unauthorized")
    assert f["after"] == {"date": "2026-03-20", "by": "我"} and f["before"] is None


def test_the_office_verifies_and_returns_without_findings(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "    due: 2026-10-31\n", "    due: 2026-10-31\n    done: 2026-03-18\n")
    g.commit("报完成", who=FGW, when="2026-03-20")
    g.edit(
        "ledgers/fgw.yaml",
        "    done: 2026-03-18\n",
        "    done: 2026-03-18\n    returned:\n      - {date: 2026-03-21, by: ducha, reason: 材料不全}\n",
    )
    g.commit("退回", who=SUP, when="2026-03-21")
    g.edit("ledgers/fgw.yaml", "    done: 2026-03-18\n", "    done: 2026-03-25\n")
    g.commit("重新报完成", who=FGW, when="2026-03-25")
    g.edit("ledgers/fgw.yaml", "    done: 2026-03-25\n", "    done: 2026-03-25\n    verified: {date: 2026-03-26}\n")
    g.commit("销号", who=SUP, when="2026-03-26")
    # no finding at all: re-reporting done after a return is a new request, not a rewritten done
    assert collect(g.path)[0] == []


def test_a_unit_that_moves_its_done_without_a_return_is_still_a_rewrite(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "    due: 2026-10-31\n", "    due: 2026-10-31\n    done: 2026-03-18\n")
    g.commit("报完成", who=FGW, when="2026-03-20")
    g.edit("ledgers/fgw.yaml", "    done: 2026-03-18\n", "    done: 2026-03-25\n")
    cheat = g.commit("改完成日期", who=FGW, when="2026-03-25")
    assert {(f.code, f.commit) for f in collect(g.path)[0]} == {("done-rewritten", cheat)}


def test_a_unit_that_removes_a_return_is_an_audit_error(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "    due: 2026-10-31\n", "    due: 2026-10-31\n    done: 2026-03-18\n")
    g.commit("报完成", who=FGW, when="2026-03-20")
    g.edit(
        "ledgers/fgw.yaml",
        "    done: 2026-03-18\n",
        "    done: 2026-03-18\n    returned: {date: 2026-03-21, by: ducha, reason: 材料不全}\n",
    )
    g.commit("退回", who=SUP, when="2026-03-21")
    g.edit("ledgers/fgw.yaml", "    returned: {date: 2026-03-21, by: ducha, reason: 材料不全}\n", "")
    cheat = g.commit("删掉退回", who=FGW, when="2026-03-22")
    got = {(f.code, f.commit, f.task) for f in collect(g.path)[0]}
    assert ("verification-unauthorized", cheat, "XM-002") in got


def test_check_flags_a_returned_task_past_its_deadline(make_ledger: MakeLedger) -> None:
    from sanzhua.commands.check import check

    root = make_ledger(TASKS, settings=SETTINGS, units=UNITS)
    out = io.StringIO()
    check(root, as_of=date(2026, 11, 25), fmt="json", out=out, cache=False)
    overdue = [p["task"] for p in json.loads(out.getvalue())["problems"] if p["code"] == "overdue"]
    assert overdue == ["A-4"]  # sent back, due on the 21st; the pending ones are not overdue
