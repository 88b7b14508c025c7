"""`sanzhua log ID`: one task's history, followed across files."""

from __future__ import annotations

import io
import json
from pathlib import Path

from sanzhua.commands.log import log
from sanzhua.history.timeline import history
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


XM_001 = """\
  - id: XM-001
    title: 森林公园综合开发项目前期推进
    owner: 张某某
    due: 2026-09-30
    milestones:
      - {name: 完成可研批复, due: 2026-05-31}
    target: {metric: 完成投资, value: 50000, unit: 万元}
    progress:
      - {date: 2026-03-05, value: 1000, note: 启动前期工作}
"""


def text_of(g: GitLedger, lang: str) -> str:
    out = io.StringIO()
    log(g.path, "XM-001", lang=lang, out=out)
    return out.getvalue()


def test_log_tells_a_copy_from_a_move(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    created = g.baseline()
    # A copy (with a later deadline) while the original stays in fgw.yaml
    g.write("ledgers/xm.yaml", "unit: fgw\ntasks:\n" + XM_001.replace("due: 2026-09-30", "due: 2026-12-31"))
    copied = g.commit("复制", who=FGW, when="2026-03-10")
    # Removing the copy again is neither a deletion nor an event
    g.git("rm", "-q", "ledgers/xm.yaml")
    g.commit("删除重复", who=FGW, when="2026-03-11")
    # A real move: taken out of fgw.yaml and written into xm.yaml in one commit
    g.edit("ledgers/fgw.yaml", XM_001, "")
    g.write("ledgers/xm.yaml", "unit: fgw\ntasks:\n" + XM_001)
    moved = g.commit("移到新台账", who=FGW, when="2026-03-12")
    events = history(g.path, "XM-001")
    assert [(e.commit, e.kind, e.from_file, e.file) for e in events] == [
        (created, "created", None, "ledgers/fgw.yaml"),
        (copied, "created", "ledgers/fgw.yaml", "ledgers/xm.yaml"),
        (moved, "moved", "ledgers/fgw.yaml", "ledgers/xm.yaml"),
    ]
    # A copy lists how it differs from the task it copies; a move as it was, nothing
    assert [(c.field, c.before, c.after) for c in events[1].changes] == [("due", "2026-09-30", "2026-12-31")]
    assert events[2].changes == []

    zh, en = text_of(g, "zh"), text_of(g, "en")
    assert "新建 ledgers/xm.yaml:3（复制自 ledgers/fgw.yaml，原任务仍在）" in zh
    assert "移动 ledgers/fgw.yaml → ledgers/xm.yaml:3" in zh
    assert zh.count("移动") == 1
    assert "created ledgers/xm.yaml:3 (copied from ledgers/fgw.yaml; the original stays there)" in en
    assert "moved ledgers/fgw.yaml → ledgers/xm.yaml:3" in en and en.count("moved") == 1
    out = io.StringIO()
    log(g.path, "XM-001", fmt="json", out=out)
    doc = json.loads(out.getvalue())
    assert [(e["kind"], e["from_file"]) for e in doc["events"]] == [
        ("created", None),
        ("created", "ledgers/fgw.yaml"),
        ("moved", "ledgers/fgw.yaml"),
    ]


def test_log_a_copy_written_while_the_original_file_changes(tmp_path: Path) -> None:
    # The copy's file sorts before fgw.yaml, and fgw.yaml (still holding the original)
    # changes in the same commit: still a copy, not a move.
    g = GitLedger(tmp_path / "r")
    g.baseline()
    g.write("ledgers/aaa.yaml", "unit: fgw\ntasks:\n" + XM_001)
    g.edit("ledgers/fgw.yaml", "    owner: 李某某\n", "    owner: 王某某\n")
    copied = g.commit("复制并修改", who=FGW, when="2026-03-10")
    # The original then removed: the id still stands in aaa.yaml, nothing to show
    g.edit("ledgers/fgw.yaml", XM_001, "")
    g.commit("删除原任务", who=FGW, when="2026-03-11")
    events = history(g.path, "XM-001")
    assert [(e.commit, e.kind, e.from_file, e.file, e.changes) for e in events[1:]] == [
        (copied, "created", "ledgers/fgw.yaml", "ledgers/aaa.yaml", []),
    ]
