"""A file of millions of broken items: its problems are listed up to a bound and the rest
counted in one, so `check` stays within memory and time (issue 14).

3.2 million bare `- ` items (9.6 MB) made 3.2 million problems: 43 s of CPU and 6.3 GB."""

from __future__ import annotations

import json

from sanzhua.load.ledgerfile import MAX_FILE_PROBLEMS, parse_ledger_bytes
from tests.conftest import MakeLedger
from tests.test_cli import sanzhua

GOOD = "  - {id: FGW-001, title: 项目, due: 2026-12-31}\n"


def test_past_the_bound_problems_are_counted_not_made_and_tasks_still_read() -> None:
    more = 2_500
    data = ("unit: fgw\ntasks:\n" + GOOD + "  - \n" * (MAX_FILE_PROBLEMS + more)
            + "  - {id: FGW-002, title: 后面的任务, due: 2026-12-31}\n").encode()
    r = parse_ledger_bytes(data, "ledgers/fgw.yaml", 2026)
    codes = [p.code for p in r.problems]
    assert len(r.problems) == MAX_FILE_PROBLEMS + 1
    assert codes.count("invalid-value") == MAX_FILE_PROBLEMS
    last = r.problems[-1]
    assert last.code == "too-many-problems" and last.severity == "error"
    assert f"{more:,}" in str(last.message)
    # every item past the bound is still seen: dropped (unnamed) or read
    assert len(r.dropped) == MAX_FILE_PROBLEMS + more
    assert [t.id for t in r.tasks] == ["FGW-001", "FGW-002"]


def test_a_file_under_the_bound_lists_every_problem_and_no_count() -> None:
    data = ("unit: fgw\ntasks:\n" + "  - \n" * 50).encode()
    r = parse_ledger_bytes(data, "ledgers/fgw.yaml", 2026)
    assert [p.code for p in r.problems] == ["invalid-value"] * 50


def test_check_says_how_many_more_in_the_ledgers_language(make_ledger: MakeLedger) -> None:
    items = MAX_FILE_PROBLEMS + 40
    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n" + "  - \n" * items})
    r = sanzhua("check", "--as-of", "2026-11-25", cwd=root)
    assert r.returncode == 1, r.stderr
    assert "Traceback" not in r.stderr
    assert "[too-many-problems]" in r.stdout
    assert "另有 40 个未列出" in r.stdout
    j = sanzhua("check", "--as-of", "2026-11-25", "-f", "json", cwd=root)
    found = json.loads(j.stdout)
    problems = found["problems"] if isinstance(found, dict) else found
    assert sum(1 for p in problems if p["code"] == "too-many-problems") == 1
    assert len(problems) == MAX_FILE_PROBLEMS + 1
