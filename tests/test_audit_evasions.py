"""Issue 13: each way a unit editor could hide a change from `sanzhua audit`, scripted as
real git histories the way an editor would make them; and honest histories that must stay
clean."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from sanzhua.commands.audit import audit
from sanzhua.errors import FatalError
from sanzhua.history.audit import collect
from sanzhua.history.timeline import history
from sanzhua.problems import Problem
from tests.test_history_repo import FGW, JTJ, SETTINGS, SUP, GitLedger

F = "ledgers/fgw.yaml"
J = "ledgers/jtj.yaml"
TITLE = "    title: 森林公园综合开发项目前期推进\n"


def found(g: GitLedger, **kw: str) -> set[tuple[str, str, str | None, str]]:
    """(code, commit, task, file) of every finding."""
    return {(f.code, f.commit, f.task, f.file) for f in collect(g.path, **kw)[0]}


def findings(g: GitLedger, **kw: str) -> list[Problem]:
    return collect(g.path, **kw)[0]


@pytest.fixture
def g(tmp_path: Path) -> GitLedger:
    repo = GitLedger(tmp_path / "台账")
    repo.baseline()
    return repo


# -- a task judged by its last version that could be built ---------------------------------


def test_a_deadline_moved_in_two_commits_through_a_broken_task(g: GitLedger) -> None:
    """Commit 1 deletes the title (the task cannot be built, so it is neither changed nor
    deleted) and moves `due`; commit 2 restores the title. The task is compared with its
    version before commit 1, and `log` does not call it new."""
    g.edit(F, TITLE, "")
    g.edit(F, "due: 2026-09-30", "due: 2026-12-31")
    broken = g.commit("整理台账", who=FGW, when="2026-04-01")
    g.edit(F, "  - id: XM-001\n", "  - id: XM-001\n" + TITLE)
    mended = g.commit("补上标题", who=FGW, when="2026-04-02")
    expected = {("deadline-moved", mended, "XM-001", F), ("extension-unauthorized", mended, "XM-001", F)}
    assert found(g) == expected
    moved = next(f for f in findings(g) if f.code == "deadline-moved")
    assert (moved.before, moved.after, moved.line) == ("2026-09-30", "2026-12-31", 6)
    # a range that starts at the broken commit still knows what the task was
    assert found(g, rev_range=f"{broken}..HEAD") == expected
    events = history(g.path, "XM-001")
    assert [e.kind for e in events] == ["created", "changed"]
    assert [(c.field, c.before, c.after) for c in events[-1].changes] == [("due", "2026-09-30", "2026-12-31")]


def test_a_broken_task_then_removed_is_deleted(g: GitLedger) -> None:
    g.edit(F, TITLE, "")
    g.commit("整理台账", who=FGW, when="2026-04-01")
    text = g.read(F)
    g.write(F, text[: text.index("  - id: XM-001")] + text[text.index("  - id: XM-002") :])
    gone = g.commit("删除无效任务", who=FGW, when="2026-04-02")
    assert found(g) == {("task-deleted", gone, "XM-001", F)}


def test_a_broken_task_mended_under_another_id(g: GitLedger) -> None:
    g.edit(F, TITLE, "")
    g.edit(F, "due: 2026-09-30", "due: 2026-12-31")
    g.commit("整理台账", who=FGW, when="2026-04-01")
    g.edit(F, "  - id: XM-001\n", "  - id: XM-001A\n" + TITLE)
    mended = g.commit("补上标题", who=FGW, when="2026-04-02")
    assert found(g) == {
        ("task-deleted", mended, "XM-001", F),
        ("deadline-moved", mended, "XM-001A", F),
        ("extension-unauthorized", mended, "XM-001A", F),
    }


def test_an_id_changed_with_the_deadline_in_one_commit(g: GitLedger) -> None:
    g.edit(F, "  - id: XM-001\n", "  - id: XM-101\n")
    g.edit(F, "due: 2026-09-30", "due: 2026-12-31")
    c = g.commit("规范编号", who=FGW, when="2026-04-01")
    assert found(g) == {
        ("task-deleted", c, "XM-001", F),
        ("deadline-moved", c, "XM-101", F),
        ("extension-unauthorized", c, "XM-101", F),
    }
    deleted = next(f for f in findings(g) if f.code == "task-deleted")
    out = io.StringIO()
    audit(g.path, fmt="json", lang="en", out=out)
    assert any("changed to XM-101" in f["message"] for f in json.loads(out.getvalue())["findings"])
    assert deleted.before["title"] == "森林公园综合开发项目前期推进"
    (event,) = [e for e in history(g.path, "XM-101") if e.commit == c]
    assert event.kind == "changed"
    assert ("id", "XM-001", "XM-101") in [(x.field, x.before, x.after) for x in event.changes]


# -- milestones ---------------------------------------------------------------------------


def test_a_milestone_renamed_and_moved_later_in_one_commit(g: GitLedger) -> None:
    g.edit(F, "{name: 完成可研批复, due: 2026-05-31}", "{name: 可研批复, due: 2026-07-31}")
    c = g.commit("调整节点", who=FGW, when="2026-04-01")
    assert found(g) == {("deadline-moved", c, "XM-001", F), ("extension-unauthorized", c, "XM-001", F)}
    moved = next(f for f in findings(g) if f.code == "deadline-moved")
    assert (moved.before, moved.after, moved.line) == ("2026-05-31", "2026-07-31", 8)
    out = io.StringIO()
    audit(g.path, lang="zh", out=out)
    assert "节点“完成可研批复”改名为“可研批复”，时限从 2026-05-31 推迟到 2026-07-31" in out.getvalue()
    (event,) = [e for e in history(g.path, "XM-001") if e.commit == c]
    assert [(x.field, x.kind, x.before["name"], x.after["due"]) for x in event.changes] == [
        ("milestones", "changed", "完成可研批复", "2026-07-31")
    ]


def test_milestones_renamed_honestly(g: GitLedger) -> None:
    # a rename alone, an added milestone, and a supervisor's rename with a recorded extension
    g.edit(F, "{name: 完成可研批复, due: 2026-05-31}", "{name: 可研批复, due: 2026-05-31}")
    g.commit("节点改名", who=FGW, when="2026-04-01")
    added = "{name: 可研批复, due: 2026-05-31}\n      - {name: 开工, due: 2026-08-31}"
    g.edit(F, "{name: 可研批复, due: 2026-05-31}", added)
    g.commit("增加节点", who=FGW, when="2026-04-02")
    g.edit(F, "{name: 可研批复, due: 2026-05-31}", "{name: 完成可研, due: 2026-06-30}")
    g.edit(F, "    progress:\n", "    extensions:\n      - {to: 2026-06-30, approved_by: 县政府}\n    progress:\n")
    g.commit("节点延期", who=SUP, when="2026-04-03")
    assert found(g) == set()


# -- status -------------------------------------------------------------------------------


def test_a_unit_editor_suspending_or_cancelling_a_task(g: GitLedger) -> None:
    g.write(
        "ledgers/jtj2.yaml",
        "责任单位: jtj\n任务清单:\n  - 编号: JT-009\n    任务: 县乡公路养护\n    时限: 2026-06-30\n",
    )
    g.commit("督查室新增任务", who=SUP, when="2026-03-02")
    g.edit(F, "    owner: 张某某\n", "    owner: 张某某\n    status: suspended\n")
    suspended = g.commit("暂缓", who=FGW, when="2026-04-01")
    g.edit(F, "    owner: 李某某\n", "    owner: 李某某\n    status: cancelled\n")
    cancelled = g.commit("取消", who=FGW, when="2026-04-02")
    g.edit(J, "    due: 年底\n", "    due: 年底\n    status: 已取消\n")
    chinese_value = g.commit("取消", who=JTJ, when="2026-04-03")
    g.edit("ledgers/jtj2.yaml", "    时限: 2026-06-30\n", "    时限: 2026-06-30\n    状态: 暂缓\n")
    chinese_key = g.commit("暂缓", who=JTJ, when="2026-04-04")
    # taking a task up again is not flagged, nor a supervisor's decision
    g.edit(F, "    status: suspended\n", "    status: active\n")
    g.commit("恢复", who=FGW, when="2026-04-05")
    g.edit(F, "    status: active\n", "    status: suspended\n")
    g.commit("督查室暂缓", who=SUP, when="2026-04-06")
    assert found(g) == {
        ("status-unauthorized", suspended, "XM-001", F),
        ("status-unauthorized", cancelled, "XM-002", F),
        ("status-unauthorized", chinese_value, "JT-001", J),
        ("status-unauthorized", chinese_key, "JT-009", "ledgers/jtj2.yaml"),
    }
    f = next(f for f in findings(g) if f.commit == chinese_key)
    assert (f.line, f.before, f.after, f.severity) == (6, "active", "suspended", "error")
    out = io.StringIO()
    assert audit(g.path, lang="zh", select=["status-unauthorized"], out=out) == 1
    assert "clerk@jtj.gov.cn 不是督查人员（supervisors），却把任务 JT-009 的状态从“推进中”改为“暂缓”" in out.getvalue()


# -- dates and identities -------------------------------------------------------------------


def test_a_forged_author_date_does_not_hide_backdated(g: GitLedger) -> None:
    g.edit(F, "note: 启动前期工作}\n", "note: 启动前期工作}\n      - {date: 2026-03-01, value: 3000}\n")
    late = g.commit("补报", who=FGW, when="2026-03-02", committed="2026-04-01")
    g.edit(F, "due: 2026-10-31\n", "due: 2026-10-31\n    done: 2026-03-20\n")
    done = g.commit("完成", who=FGW, when="2026-03-21", committed="2026-05-01")
    got = findings(g)
    assert {(f.code, f.commit, f.task) for f in got} == {("backdated", late, "XM-001"), ("backdated", done, "XM-002")}
    assert next(f for f in got if f.commit == late).date == "2026-03-02"  # the author date, as documented
    out = io.StringIO()
    audit(g.path, lang="en", out=out)
    assert "dated 2026-03-01 was added on 2026-04-01, 31 days later" in out.getvalue()
    # --since goes by either date: a commit made after the day is audited
    assert {f.commit for f in findings(g, since="2026-03-25")} == {late, done}


def test_an_editor_amending_a_supervisors_commit(g: GitLedger) -> None:
    g.edit(F, "due: 2026-09-30\n", "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31}\n")
    g.commit("延期", who=SUP, when="2026-04-01")
    # the editor amends it: git keeps the supervisor as the author, the editor is the committer
    g.edit(F, "value: 50000", "value: 5000")
    g.git("add", "-A")
    g.git("commit", "-q", "--amend", "--no-edit", who=SUP, when="2026-04-01", committer=FGW, committed="2026-04-02")
    amended = g.git("rev-parse", "HEAD")
    assert g.git("log", "-1", "--format=%ae %ce") == f"{SUP} {FGW}"
    got = findings(g)
    assert sorted((f.code, f.commit) for f in got) == [
        ("committer-not-supervisor", amended),
        ("extension-unauthorized", amended),
        ("extension-unauthorized", amended),
        ("extension-unauthorized", amended),
    ]
    flag = next(f for f in got if f.code == "committer-not-supervisor")
    assert (flag.before, flag.after, flag.file, flag.line) == (SUP, FGW, "", 0)


def test_a_supervisors_commit_made_by_a_supervisor_or_merged_cleanly(g: GitLedger) -> None:
    g.edit(F, "due: 2026-09-30\n", "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31}\n")
    g.commit("延期", who=SUP, when="2026-04-01", committer="mubiaoban@yanjin.gov.cn")
    g.git("checkout", "-q", "-b", "side")
    g.edit(J, "title: 县城道路绿化", "title: 县城道路绿化提升")
    g.commit("改标题", who=JTJ, when="2026-04-02")
    g.git("checkout", "-q", "main")
    g.edit(F, "value: 50000", "value: 60000")
    g.commit("调整目标", who=SUP, when="2026-04-03")
    # a supervisor merges through a web page: the forge is the committer, the merge changes nothing
    g.git("merge", "-q", "--no-ff", "-m", "合并", "side", who=SUP, when="2026-04-04", committer="noreply@github.com")
    settings = SETTINGS.replace("[ducha@yanjin.gov.cn]", "[ducha@yanjin.gov.cn, mubiaoban@yanjin.gov.cn]")
    g2 = GitLedger(g.path.parent / "two", settings=settings)
    g2.baseline()
    g2.edit(F, "value: 50000", "value: 60000")
    g2.commit("调整目标", who=SUP, when="2026-04-03", committer="mubiaoban@yanjin.gov.cn")
    assert found(g2) == set()
    # in the first repository the committer of 延期 is not a supervisor: flagged, and judged as theirs
    assert {f.subject for f in findings(g)} == {"延期"}
    assert {f.code for f in findings(g)} == {"committer-not-supervisor", "extension-unauthorized", "unauthorized-edit"}


# -- files that have no place in the record -------------------------------------------------


def test_symlinks_and_cache_files_committed(g: GitLedger) -> None:
    os.symlink("../units.yaml", g.path / "ledgers" / "link.yaml")
    ledger_link = g.commit("链接", who=FGW, when="2026-04-01")
    (g.path / "docs").mkdir()
    os.symlink("/etc/passwd", g.path / "docs" / "passwd")
    other_link = g.commit("文档", who=FGW, when="2026-04-02")
    g.write(".sanzhua/index.bin", "not a real cache")
    cache = g.commit("缓存", who=SUP, when="2026-04-03")
    g.commit("其他", who=SUP, when="2026-04-04")
    assert found(g) == {
        ("symlink-committed", ledger_link, None, "ledgers/link.yaml"),
        ("symlink-committed", other_link, None, "docs/passwd"),
        ("cache-committed", cache, None, ".sanzhua/index.bin"),
    }
    # a range after they came in still sees them in the tree, on its last commit
    head = g.git("rev-parse", "HEAD")
    assert found(g, rev_range=f"{cache}..HEAD") == {
        ("symlink-committed", head, None, "ledgers/link.yaml"),
        ("symlink-committed", head, None, "docs/passwd"),
        ("cache-committed", head, None, ".sanzhua/index.bin"),
    }
    g.git("rm", "-q", "-r", ".sanzhua", "docs/passwd", "ledgers/link.yaml")
    g.commit("清理", who=SUP, when="2026-04-05")
    assert found(g, rev_range="HEAD~1..HEAD") == set()


def test_a_symlink_in_the_commit_that_creates_the_ledger(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    g.write("sanzhua.yaml", g.settings)
    g.write("units.yaml", g.units)
    (g.path / "ledgers").mkdir()
    os.symlink("/etc/hostname", g.path / "ledgers" / "a.yaml")
    first = g.commit("建立台账", who=SUP, when="2026-03-01")
    assert found(g) == {("symlink-committed", first, None, "ledgers/a.yaml")}


# -- done dates ---------------------------------------------------------------------------


def test_done_dates_rewritten(g: GitLedger) -> None:
    g.edit(F, "due: 2026-10-31\n", "due: 2026-10-31\n    done: 2026-04-01\n")
    g.commit("完成", who=FGW, when="2026-04-02")
    g.edit(F, "done: 2026-04-01", "done: 2026-03-30")
    earlier = g.commit("改完成日期", who=FGW, when="2026-04-03")
    g.edit(F, "    done: 2026-03-30\n", "")
    removed = g.commit("撤销完成", who=FGW, when="2026-04-04")
    g.edit(F, "{name: 完成可研批复, due: 2026-05-31}", "{name: 完成可研批复, due: 2026-05-31, done: 2026-05-20}")
    g.commit("节点完成", who=FGW, when="2026-05-21")
    g.edit(F, "done: 2026-05-20}", "done: 2026-05-18}")
    milestone = g.commit("改节点完成日期", who=FGW, when="2026-05-22")
    # a supervisor's correction is theirs to make
    g.edit(F, "done: 2026-05-18}", "done: 2026-05-20}")
    g.commit("督查室更正", who=SUP, when="2026-05-23")
    assert found(g) == {
        ("done-rewritten", earlier, "XM-002", F),
        ("done-rewritten", removed, "XM-002", F),
        ("done-rewritten", milestone, "XM-001", F),
    }
    got = {f.commit: f for f in findings(g)}
    assert (got[earlier].before, got[earlier].after, got[earlier].line) == ("2026-04-01", "2026-03-30", 16)
    assert (got[removed].before, got[removed].after) == ("2026-03-30", None)
    assert (got[milestone].before, got[milestone].after, got[milestone].line) == ("2026-05-20", "2026-05-18", 8)


# -- bootstrapping ------------------------------------------------------------------------


def test_a_locked_history_and_the_baseline_out_of_it(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r", settings=SETTINGS.replace("[ducha@yanjin.gov.cn]", "[]"))
    g.baseline()
    g.write("sanzhua.yaml", SETTINGS)
    fix = g.commit("登记督查人员", who=SUP, when="2026-03-02")
    g.edit(F, "due: 2026-09-30\n", "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31}\n")
    extended = g.commit("延期", who=SUP, when="2026-04-01")
    g.edit(F, "due: 2026-10-31", "due: 2026-11-30")
    abuse = g.commit("偷改时限", who=FGW, when="2026-04-02")
    # locked: the fix is a non-supervisor's change, which gives no one any rights
    locked = found(g)
    assert ("unauthorized-edit", fix, None, "sanzhua.yaml") in locked
    assert ("extension-unauthorized", extended, "XM-001", F) in locked
    assert found(g, baseline=fix) == {
        ("deadline-moved", abuse, "XM-002", F),
        ("extension-unauthorized", abuse, "XM-002", F),
    }
    out = io.StringIO()
    assert audit(g.path, baseline=fix[:10], fmt="json", out=out) == 1
    assert json.loads(out.getvalue())["summary"]["commits"] == 2
    with pytest.raises(FatalError, match="no commit named"):
        collect(g.path, baseline="no-such-commit")
    g.git("checkout", "-q", "-b", "side", fix)
    g.commit("旁支", who=SUP, when="2026-04-03")
    side = g.git("rev-parse", "HEAD")
    g.git("checkout", "-q", "main")
    with pytest.raises(FatalError, match="not in the history of HEAD"):
        collect(g.path, baseline=side)
    # with a range: trust starts at the baseline, the range ends where it says
    assert found(g, rev_range=f"{fix}..{extended}", baseline=fix) == set()


# -- honest histories -----------------------------------------------------------------------


def test_an_honest_history_of_a_season(g: GitLedger) -> None:
    """Supervisor extends a deadline, editor adds progress, editor marks done, supervisor
    suspends and later resumes a task: no findings."""
    g.edit(
        F,
        "due: 2026-09-30\n",
        "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31, approved_by: 县政府}\n",
    )
    g.commit("延期", who=SUP, when="2026-04-01")
    g.edit(F, "note: 启动前期工作}\n", "note: 启动前期工作}\n      - {date: 2026-04-08, value: 3000, note: 完成设计}\n")
    g.commit("报送进展", who=FGW, when="2026-04-10")
    g.edit(F, "{name: 完成可研批复, due: 2026-05-31}", "{name: 完成可研批复, due: 2026-05-31, done: 2026-05-28}")
    g.commit("节点完成", who=FGW, when="2026-05-29")
    g.edit(F, "due: 2026-10-31\n", "due: 2026-10-31\n    status: done\n    done: 2026-06-05\n")
    g.commit("任务完成", who=FGW, when="2026-06-06")
    g.edit(J, "    due: 年底\n", "    due: 年底\n    status: suspended\n")
    g.commit("暂缓", who=SUP, when="2026-06-10")
    g.edit(J, "    status: suspended\n", "    status: active\n")
    g.commit("恢复", who=SUP, when="2026-07-01")
    g.edit(J, "    due: 年底\n", "    due: 年底\n    progress:\n      - {date: 2026-07-03, percent: 40}\n")
    g.commit("交通局报送", who=JTJ, when="2026-07-03")
    assert found(g) == set()
    assert [e.kind for e in history(g.path, "XM-002")] == ["created", "changed"]


def test_a_done_date_corrected_with_a_recorded_reason(g: GitLedger) -> None:
    """`sanzhua done --correct --reason` changes the date and adds a progress entry of the
    day saying so: still reported, as a warning that quotes the correction."""
    g.edit(F, "due: 2026-10-31\n", "due: 2026-10-31\n    done: 2026-04-01\n")
    g.commit("完成", who=FGW, when="2026-04-02")
    g.edit(F, "done: 2026-04-01", "done: 2026-03-30")
    g.edit(
        F,
        "    owner: 李某某\n",
        "    owner: 李某某\n    progress:\n"
        "      - date: 2026-04-03\n        note: 更正：完成日期由 2026-04-01 改为 2026-03-30（原因：录入错误）\n",
    )
    corrected = g.commit("correct: XM-002 done 2026-04-01 -> 2026-03-30", who=FGW, when="2026-04-03")
    (f,) = findings(g)
    assert (f.code, f.severity, f.commit, f.task, f.before, f.after) == (
        "done-corrected",
        "warning",
        corrected,
        "XM-002",
        "2026-04-01",
        "2026-03-30",
    )
    out = io.StringIO()
    assert audit(g.path, lang="zh", out=out) == 0  # a warning: the supervisors verify it
    assert "录入错误" in out.getvalue() and "[done-corrected]" in out.getvalue()


def test_both_dates_set_back_are_no_earlier_than_the_parent(g: GitLedger) -> None:
    """Author and committer dates are both text the committer chooses, but a commit is not
    made before the commit it extends: backdated goes by the later of the two."""
    g.edit(J, "title: 县城道路绿化", "title: 县城道路绿化提升")
    g.commit("改标题", who=JTJ, when="2026-04-01")
    g.edit(F, "note: 启动前期工作}\n", "note: 启动前期工作}\n      - {date: 2026-03-01, value: 3000}\n")
    forged = g.commit("补报", who=FGW, when="2026-03-02", committed="2026-03-02")
    assert g.git("log", "-1", "--format=%aI %cI").startswith("2026-03-02T10:00:00+08:00 2026-03-02")
    (f,) = findings(g)
    assert (f.code, f.commit, f.date) == ("backdated", forged, "2026-03-02")
    out = io.StringIO()
    audit(g.path, lang="en", out=out)
    assert "was added on 2026-04-01, 31 days later" in out.getvalue()


def test_a_milestone_removed_and_written_back_later(g: GitLedger) -> None:
    """Removing a milestone is a unit's own business; writing it back in a later commit under
    its name with a later date moves it, and is judged against what it was."""
    g.edit(F, "    milestones:\n      - {name: 完成可研批复, due: 2026-05-31}\n", "")
    g.commit("精简节点", who=FGW, when="2026-04-01")
    g.edit(J, "title: 县城道路绿化", "title: 县城道路绿化提升")
    g.commit("交通局改标题", who=JTJ, when="2026-04-02")
    g.edit(
        F, "    owner: 张某某\n", "    owner: 张某某\n    milestones:\n      - {name: 完成可研批复, due: 2026-08-31}\n"
    )
    back = g.commit("恢复节点", who=FGW, when="2026-04-03")
    assert found(g) == {("deadline-moved", back, "XM-001", F), ("extension-unauthorized", back, "XM-001", F)}
    (event,) = [e for e in history(g.path, "XM-001") if e.commit == back]
    assert [(x.field, x.kind) for x in event.changes] == [("milestones", "changed")]
    # written back as it was: nothing to report
    g.edit(F, "due: 2026-08-31}", "due: 2026-05-31}")
    g.commit("改回", who=SUP, when="2026-04-04")
    g.edit(F, "    milestones:\n      - {name: 完成可研批复, due: 2026-05-31}\n", "")
    g.commit("再精简", who=FGW, when="2026-04-05")
    g.edit(
        F, "    owner: 张某某\n", "    owner: 张某某\n    milestones:\n      - {name: 完成可研批复, due: 2026-05-31}\n"
    )
    g.commit("再恢复", who=FGW, when="2026-04-06")
    assert {f.commit for f in findings(g)} == {back}


# -- git's replacement objects -------------------------------------------------------------


def test_a_replace_ref_does_not_hide_a_commit(g: GitLedger) -> None:
    """`git replace X FAKE` (a ref under refs/replace/, which can be pushed and fetched)
    made git log show FAKE, a commit with the parent's files, in place of X: the moved
    deadline vanished from the audit though the files still carry it."""
    g.edit(F, "due: 2026-09-30", "due: 2026-12-31")
    moved = g.commit("更新进展", who=FGW, when="2026-04-01")
    assert ("deadline-moved", moved, "XM-001", F) in found(g)
    parent_tree = g.git("rev-parse", f"{moved}~1^{{tree}}").strip()
    fake = g.git("commit-tree", parent_tree, "-p", f"{moved}~1", "-m", "更新进展", who=FGW, when="2026-04-01").strip()
    g.git("replace", moved, fake)
    assert g.git("log", "-1", "--format=%T").strip() == parent_tree  # git itself now shows the fake
    assert ("deadline-moved", moved, "XM-001", F) in found(g)


def test_a_grafts_file_does_not_cut_a_commit_out(g: GitLedger) -> None:
    """`.git/info/grafts` (a repository received as an archive or a shared folder) giving
    the commit that moved a deadline no parent: git showed it as a first commit, and the
    audit saw the tasks created, not changed."""
    g.edit(F, "due: 2026-09-30", "due: 2026-12-31")
    moved = g.commit("更新进展", who=FGW, when="2026-04-01")
    (g.path / ".git" / "info").mkdir(exist_ok=True)
    (g.path / ".git" / "info" / "grafts").write_text(f"{moved}\n", encoding="utf-8")
    assert g.git("log", "--format=%H").split() == [moved]  # git itself now sees one commit
    assert ("deadline-moved", moved, "XM-001", F) in found(g)
