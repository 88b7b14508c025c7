"""The orders users read: every list a clerk or a leader looks at first is sorted on
purpose, and each of these tests fails when its order is reversed or lost.

- `status`: red first, the most days late first among the red, then yellow, green, done;
- the bulletin's 逾期未完成 list: the unit with the most overdue tasks first, then the
  most overdue milestones, then the longest delay; inside a unit the longest delay first,
  numbered 1, 2, 3 ... across units;
- `score`: the highest score first, ranks 1, 2, 3 with ties sharing a rank;
- `check`: problems by file, then line, then column, then code, in every format.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

from sanzhua.commands.brief import brief
from sanzhua.commands.check import check
from sanzhua.commands.score import score
from sanzhua.commands.status import status
from sanzhua.periods import period_of
from tests.conftest import REPO, MakeLedger

AS_OF = date(2026, 11, 25)
RANK = {"red": 0, "yellow": 1, "green": 2, "done": 3, "none": 4}


def _status_json(root: Path) -> list[dict[str, object]]:
    buf = io.StringIO()
    assert status(root, as_of=AS_OF, fmt="json", out=buf) == 0
    tasks: list[dict[str, object]] = json.loads(buf.getvalue())["tasks"]
    return tasks


def test_status_lists_red_first_and_the_longest_late_first() -> None:
    tasks = _status_json(REPO)
    lights = [str(t["light"]) for t in tasks]
    assert len(set(lights)) >= 4, "the bundled ledger shows every light"
    assert [RANK[x] for x in lights] == sorted(RANK[x] for x in lights)
    assert lights[0] == "red"
    late = [int(t["days_overdue"] or 0) for t in tasks if t["light"] == "red"]
    assert late == sorted(late, reverse=True) and late[0] > late[-1]


def test_status_table_shows_the_same_order() -> None:
    """The table a clerk reads: its task ids in the order of the JSON."""
    order = [str(t["id"]) for t in _status_json(REPO)]
    buf = io.StringIO()
    assert status(REPO, as_of=AS_OF, fmt="table", out=buf, width=200, show_all=True) == 0
    shown = [m.group(0) for m in re.finditer(r"\b[A-Z]{2,5}-\d{3}\b", buf.getvalue())]
    firsts = list(dict.fromkeys(shown))
    assert firsts == [i for i in order if i in set(firsts)]
    assert firsts[:3] == order[:3]


def test_bulletin_overdue_list_worst_unit_first_longest_delay_first() -> None:
    buf = io.StringIO()
    assert brief(REPO, as_of=AS_OF, out=buf) == 0
    md = buf.getvalue()
    section = md.split("**（一）逾期未完成任务。**", 1)[1].split("**（二）", 1)[0]
    heads = list(re.finditer(r"^(\S+?)（(?:逾期任务(\d+)项)?，?(?:逾期节点(\d+)个)?）：$", section, re.M))
    assert len(heads) >= 4
    keys: list[tuple[int, int, int]] = []
    numbers: list[int] = []
    for i, h in enumerate(heads):
        body = section[h.end() : heads[i + 1].start() if i + 1 < len(heads) else len(section)]
        rows = [r for r in body.splitlines() if re.match(r"^\| \d+ \|", r)]
        days = [int(r.rstrip(" |").rsplit("|", 1)[1]) for r in rows]
        numbers += [int(r.split("|")[1]) for r in rows]
        assert days == sorted(days, reverse=True), h.group(1)
        keys.append((int(h.group(2) or 0), int(h.group(3) or 0), max(days)))
    assert keys == sorted(keys, reverse=True)
    assert keys[0] > keys[-1]
    assert numbers == list(range(1, len(numbers) + 1))


def test_score_ranks_the_highest_first() -> None:
    buf = io.StringIO()
    assert score(REPO, as_of=AS_OF, period=period_of("year", AS_OF), fmt="json", out=buf) == 0
    units = [u for u in json.loads(buf.getvalue())["units"] if u.get("rank") is not None]
    scores = [float(u["score"]) for u in units]
    assert len(units) > 10 and scores[0] > scores[-1]
    assert scores == sorted(scores, reverse=True)
    ranks = [int(u["rank"]) for u in units]
    assert ranks[0] == 1
    for (a, ra), (b, rb) in zip(zip(scores, ranks, strict=True), zip(scores[1:], ranks[1:], strict=True), strict=False):
        assert (rb == ra) if b == a else (rb > ra)
    # the text table a leader reads lists the units in the same order
    table = io.StringIO()
    assert score(REPO, as_of=AS_OF, period=period_of("year", AS_OF), fmt="md", out=table) == 0
    names = [str(u["name"]) for u in units]
    at = [table.getvalue().index(f"| {n} |") for n in names]
    assert at == sorted(at)


PROBLEMS = {
    # b before a on purpose: the order is the files' names, not the order written
    "ledgers/b.yaml": """\
        tasks:
          - id: B-1
            title: 乙
            lead: nobody
            due: 2026-13-01
          - id: B-2
            title: 乙二
            lead: fgw
            due: 2026-10-01
        """,
    "ledgers/a.yaml": """\
        tasks:
          - id: A-1
            title: 甲
            lead: fgw
            due: 2026-10-01
          - id: A-2
            title: 甲二
            lead: nobody
            start: 2026-12-01
            due: 2026-11-01
        """,
}


def test_check_problems_by_file_line_column_code(make_ledger: MakeLedger) -> None:
    root = make_ledger(PROBLEMS)
    buf = io.StringIO()
    check(root, as_of=AS_OF, fmt="json", out=buf, cache=False)
    problems = json.loads(buf.getvalue())["problems"]
    keys = [(p["file"], p["line"], p["column"], p["code"]) for p in problems]
    assert len({k[0] for k in keys}) == 2 and len(keys) >= 5
    assert keys == sorted(keys)
    assert keys[0][0] == "ledgers/a.yaml"
    # text and GitHub annotations in the same order
    for fmt, pattern in (
        ("text", r"^(ledgers/\S+?):(\d+):(\d+): "),
        ("github", r"file=(ledgers/[^,]+),line=(\d+),col=(\d+)"),
    ):
        out = io.StringIO()
        check(root, as_of=AS_OF, fmt=fmt, out=out, cache=False)
        seen = [(m.group(1), int(m.group(2)), int(m.group(3))) for m in re.finditer(pattern, out.getvalue(), re.M)]
        assert seen == [k[:3] for k in keys], fmt
