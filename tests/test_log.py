"""`sanzhua log ID`: one task's history, followed across files."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sanzhua.commands.log import history, log
from tests.test_history_repo import FGW, SUP, GitLedger


def test_log_follows_a_task_across_files(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    created = g.baseline()
    g.edit(
        "ledgers/fgw.yaml", "note: 启动前期工作}\n", "note: 启动前期工作}\n      - {date: 2026-03-20, value: 3000}\n"
    )
    progress = g.commit("报送进展", who=FGW, when="2026-03-21")
    g.edit(
        "ledgers/fgw.yaml",
        "due: 2026-09-30\n",
        "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31}\n",
    )
    extended = g.commit("延期", who=SUP, when="2026-04-01")
    g.git("mv", "ledgers/fgw.yaml", "ledgers/县发改委.yaml")
    moved = g.commit("改名", who=FGW, when="2026-04-02")
    g.edit("ledgers/jtj.yaml", "县城道路绿化", "县城道路绿化提升")
    g.commit("无关", who=SUP, when="2026-04-03")
    events = history(g.path, "XM-001")
    assert [(e.commit, e.kind) for e in events] == [
        (created, "created"),
        (progress, "changed"),
        (extended, "changed"),
        (moved, "moved"),
    ]
    assert [(c.field, c.kind, c.after) for c in events[1].changes] == [
        ("progress", "added", {"date": "2026-03-20", "note": None, "value": 3000.0, "percent": None, "by": None})
    ]
    assert {(c.field, c.before, c.after) for c in events[2].changes if c.field == "due"} == {
        ("due", "2026-09-30", "2026-12-31")
    }
    assert events[3].from_file == "ledgers/fgw.yaml" and events[3].file == "ledgers/县发改委.yaml"
    assert events[3].changes == []

    out = io.StringIO()
    assert log(g.path, "XM-001", fmt="json", out=out) == 0
    doc = json.loads(out.getvalue())
    assert doc["version"] == 1 and doc["task"] == "XM-001"
    assert doc["events"][0]["author"] == "ducha@yanjin.gov.cn" and doc["events"][0]["kind"] == "created"
    out = io.StringIO()
    log(g.path, "XM-001", lang="zh", out=out)
    assert "时限(due): 2026-09-30 → 2026-12-31" in out.getvalue()


def test_log_of_a_deleted_and_an_unknown_task(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    g.baseline()
    g.write("ledgers/jtj.yaml", "unit: jtj\ntasks: []\n")
    gone = g.commit("删除", who=SUP, when="2026-03-02")
    assert [(e.commit, e.kind) for e in history(g.path, "JT-001")][-1] == (gone, "deleted")
    out = io.StringIO()
    assert log(g.path, "NOPE-1", out=out) == 1
    assert "NOPE-1" in out.getvalue()
