"""`sanzhua audit` on real git repositories: every abuse found, no honest commit flagged."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from sanzhua.commands.audit import audit
from sanzhua.history.audit import collect
from sanzhua.history.rules import CODES
from sanzhua.problems import Problem
from tests.test_history_repo import FGW, JTJ, OUTSIDER, SETTINGS, SUP, GitLedger


def found(g: GitLedger, **kw: str) -> set[tuple[str, str, str | None, str]]:
    """(code, commit, task, file) of every finding."""
    findings, _ = collect(g.path, **kw)
    return {(f.code, f.commit, f.task, f.file) for f in findings}


def findings(g: GitLedger) -> list[Problem]:
    return collect(g.path)[0]


def append_progress(g: GitLedger, day: str, value: int, path: str = "ledgers/fgw.yaml") -> None:
    g.edit(path, "note: 启动前期工作}\n", f"note: 启动前期工作}}\n      - {{date: {day}, value: {value}}}\n")


@pytest.fixture
def g(tmp_path: Path) -> GitLedger:
    repo = GitLedger(tmp_path / "台账")
    repo.baseline()
    return repo


# -- honest histories ---------------------------------------------------------------------


def test_honest_history_has_no_findings(g: GitLedger) -> None:
    # a clerk appends progress, dated a few days before the commit
    append_progress(g, "2026-03-18", 3000)
    g.commit("报送进展", who=FGW, when="2026-03-20")
    # the supervisor extends the deadline, recording the extension
    g.edit(
        "ledgers/fgw.yaml",
        "due: 2026-09-30\n",
        "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31, approved_by: 县政府}\n",
    )
    g.commit("延期", who=SUP, when="2026-04-01")
    # the supervisor moves another deadline earlier and changes a target
    g.edit("ledgers/fgw.yaml", "due: 2026-10-31", "due: 2026-10-15")
    g.edit("ledgers/fgw.yaml", "value: 50000", "value: 60000")
    g.commit("调整目标", who=SUP, when="2026-04-02")
    # the same date written another way is no change
    g.edit("ledgers/jtj.yaml", "due: 年底", "due: 2026-12-31")
    g.commit("统一日期格式", who=JTJ, when="2026-04-03")
    # a clerk marks a milestone done on time and adds a comment
    g.edit(
        "ledgers/fgw.yaml",
        "{name: 完成可研批复, due: 2026-05-31}",
        "{name: 完成可研批复, due: 2026-05-31, done: 2026-05-28}  # 已批复",
    )
    g.commit("节点完成", who=FGW, when="2026-05-29")
    # a clerk creates a new task with its earlier history (an import)
    g.edit(
        "ledgers/jtj.yaml",
        "    due: 2026-12-31\n",
        "    due: 2026-12-31\n  - id: JT-002\n    title: 县乡公路养护\n"
        "    due: 2026-11-30\n    progress:\n      - {date: 2026-02-01, percent: 10}\n",
    )
    g.commit("补录任务", who=JTJ, when="2026-06-01")
    # the supervisor cancels a task: the honest way to drop one
    g.edit("ledgers/jtj.yaml", "    title: 县乡公路养护\n", "    title: 县乡公路养护\n    status: cancelled\n")
    g.commit("取消任务", who=SUP, when="2026-06-02")
    # a task moves between files, and a file is renamed to a Chinese name
    g.git("mv", "ledgers/fgw.yaml", "ledgers/县发改委.yaml")
    g.commit("文件改名", who=FGW, when="2026-06-03")
    text = g.read("ledgers/县发改委.yaml")
    cut = text.index("  - id: XM-002")
    g.write("ledgers/县发改委.yaml", text[:cut])
    g.write("ledgers/项目/厂房.yaml", "unit: fgw\ntasks:\n" + text[cut:])
    g.commit("拆分文件", who=FGW, when="2026-06-04")
    # the task is done on time; a supervisor edits a unit's task
    g.edit("ledgers/项目/厂房.yaml", "due: 2026-10-15\n", "due: 2026-10-15\n    done: 2026-06-08\n")
    g.commit("完成", who=FGW, when="2026-06-09")
    g.edit("ledgers/项目/厂房.yaml", "owner: 李某某", "owner: 王某某")
    g.commit("更换责任人", who=SUP, when="2026-06-10")
    assert findings(g) == []


def test_broken_yaml_is_not_a_deletion(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "unit: fgw\n", "unit: fgw\n\tbad: [\n")
    g.commit("写错了", who=FGW, when="2026-03-10")
    g.edit("ledgers/fgw.yaml", "unit: fgw\n\tbad: [\n", "unit: fgw\n")
    append_progress(g, "2026-03-10", 2000)
    g.commit("改正", who=FGW, when="2026-03-11")
    assert findings(g) == []


def test_a_task_missing_its_title_is_broken_not_deleted(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "    title: 工业园区标准化厂房建设\n", "")
    g.commit("漏了标题", who=FGW, when="2026-03-10")
    assert findings(g) == []


def test_removing_a_duplicate_is_not_a_deletion(g: GitLedger) -> None:
    g.write("ledgers/copy.yaml", "unit: jtj\ntasks:\n  - id: JT-001\n    title: 县城道路绿化\n    due: 年底\n")
    g.commit("复制", who=JTJ, when="2026-03-10")
    g.git("rm", "-q", "ledgers/copy.yaml")
    g.commit("删除重复", who=JTJ, when="2026-03-11")
    assert findings(g) == []


# -- each abuse -----------------------------------------------------------------------------


def test_deadline_moved_without_extension(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "due: 2026-09-30", "due: 2026-12-31")
    by_sup = g.commit("调整时限", who=SUP, when="2026-04-01")
    g.edit("ledgers/fgw.yaml", "due: 2026-10-31", "due: 2026年12月底")
    by_clerk = g.commit("调整时限", who=FGW, when="2026-04-02")
    assert found(g) == {
        ("deadline-moved", by_sup, "XM-001", "ledgers/fgw.yaml"),
        ("deadline-moved", by_clerk, "XM-002", "ledgers/fgw.yaml"),
        ("extension-unauthorized", by_clerk, "XM-002", "ledgers/fgw.yaml"),
    }
    f = next(f for f in findings(g) if f.commit == by_sup)
    assert (f.line, f.before, f.after, f.severity) == (6, "2026-09-30", "2026-12-31", "error")


def test_milestone_moved_and_extension_to_another_date(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "{name: 完成可研批复, due: 2026-05-31}", "{name: 完成可研批复, due: 2026-06-30}")
    ms = g.commit("节点推迟", who=SUP, when="2026-04-01")
    g.edit(
        "ledgers/fgw.yaml",
        "due: 2026-09-30\n",
        "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-11-30}\n",
    )
    wrong = g.commit("延期", who=SUP, when="2026-04-02")
    assert found(g) == {
        ("deadline-moved", ms, "XM-001", "ledgers/fgw.yaml"),
        ("deadline-moved", wrong, "XM-001", "ledgers/fgw.yaml"),
    }


def test_extension_by_a_non_supervisor(g: GitLedger) -> None:
    g.edit(
        "ledgers/fgw.yaml",
        "due: 2026-09-30\n",
        "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31}\n",
    )
    c = g.commit("自行延期", who=FGW, when="2026-04-01")
    codes = [(f.code, f.commit) for f in findings(g)]
    assert sorted(codes) == [("extension-unauthorized", c)] * 2  # the deadline, and the extension entry


def test_deadline_earlier_or_target_by_a_non_supervisor(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "due: 2026-09-30", "due: 2026-08-31")
    earlier = g.commit("提前", who=FGW, when="2026-04-01")
    g.edit("ledgers/fgw.yaml", "value: 50000", "value: 30000")
    target = g.commit("调低目标", who=FGW, when="2026-04-02")
    assert found(g) == {
        ("extension-unauthorized", earlier, "XM-001", "ledgers/fgw.yaml"),
        ("extension-unauthorized", target, "XM-001", "ledgers/fgw.yaml"),
    }
    t = next(f for f in findings(g) if f.commit == target)
    assert t.before["value"] == 50000 and t.after["value"] == 30000


def test_progress_rewritten_or_removed(g: GitLedger) -> None:
    append_progress(g, "2026-03-20", 3000)
    g.commit("进展", who=FGW, when="2026-03-21")
    g.edit("ledgers/fgw.yaml", "{date: 2026-03-20, value: 3000}", "{date: 2026-03-20, value: 8000}")
    edited = g.commit("改进展", who=FGW, when="2026-03-25")
    g.edit("ledgers/fgw.yaml", "      - {date: 2026-03-05, value: 1000, note: 启动前期工作}\n", "")
    removed = g.commit("删进展", who=FGW, when="2026-03-26")
    # a supervisor's correction of a committed entry is theirs to make
    g.edit("ledgers/fgw.yaml", "{date: 2026-03-20, value: 8000}", "{date: 2026-03-20, value: 3000}")
    g.commit("督查室更正进展", who=SUP, when="2026-03-27")
    assert found(g) == {
        ("progress-rewritten", edited, "XM-001", "ledgers/fgw.yaml"),
        ("progress-rewritten", removed, "XM-001", "ledgers/fgw.yaml"),
    }
    e = next(f for f in findings(g) if f.commit == edited)
    assert (e.before["value"], e.after["value"], e.line) == (3000, 8000, 12)
    r = next(f for f in findings(g) if f.commit == removed)
    assert r.before["note"] == "启动前期工作" and r.after is None


def test_task_deleted(g: GitLedger) -> None:
    text = g.read("ledgers/fgw.yaml")
    g.write("ledgers/fgw.yaml", text[: text.index("  - id: XM-002")])
    c = g.commit("删除任务", who=FGW, when="2026-04-01")
    g.git("rm", "-q", "ledgers/jtj.yaml")
    whole = g.commit("删除文件", who=SUP, when="2026-04-02")
    assert found(g) == {
        ("task-deleted", c, "XM-002", "ledgers/fgw.yaml"),
        ("task-deleted", whole, "JT-001", "ledgers/jtj.yaml"),
    }
    f = next(f for f in findings(g) if f.commit == c)
    assert f.line == 12 and f.before["title"] == "工业园区标准化厂房建设"


def test_unauthorized_edits(g: GitLedger) -> None:
    append_progress(g, "2026-03-20", 3000)
    other_unit = g.commit("代报进展", who=JTJ, when="2026-03-21")
    g.edit("ledgers/jtj.yaml", "title: 县城道路绿化", "title: 县城道路绿化工程")
    outsider = g.commit("改标题", who=OUTSIDER, when="2026-03-22")
    g.edit("units.yaml", "editors: [clerk@jtj.gov.cn]", "editors: [clerk@jtj.gov.cn, someone@example.com]")
    units = g.commit("加联络员", who=JTJ, when="2026-03-23")
    assert found(g) == {
        ("unauthorized-edit", other_unit, "XM-001", "ledgers/fgw.yaml"),
        ("unauthorized-edit", outsider, "JT-001", "ledgers/jtj.yaml"),
        ("unauthorized-edit", units, None, "units.yaml"),
    }


def test_settings_as_of_the_parent(g: GitLedger) -> None:
    """Adding yourself to supervisors blesses neither the same commit nor later ones: a change
    to the settings by a non-supervisor gives no rights. A supervisor's change counts from
    the next commit."""
    g.write(
        "sanzhua.yaml",
        SETTINGS.replace("supervisors: [ducha@yanjin.gov.cn]", "supervisors: [ducha@yanjin.gov.cn, clerk@fgw.gov.cn]"),
    )
    g.edit("ledgers/fgw.yaml", "value: 50000", "value: 10")
    c = g.commit("自封督查", who=FGW, when="2026-04-01")
    g.edit("ledgers/fgw.yaml", "value: 10", "value: 5")
    again = g.commit("再改", who=FGW, when="2026-04-02")
    g.edit("units.yaml", "editors: [clerk@jtj.gov.cn]", "editors: [clerk@jtj.gov.cn, clerk@fgw.gov.cn]")
    units = g.commit("自加联络员", who=FGW, when="2026-04-03")
    g.edit("ledgers/jtj.yaml", "title: 县城道路绿化", "title: 县城道路绿化工程")
    other_unit = g.commit("改别单位任务", who=FGW, when="2026-04-04")
    g.write(
        "sanzhua.yaml",
        g.read("sanzhua.yaml").replace(
            "[ducha@yanjin.gov.cn, clerk@fgw.gov.cn]", "[ducha@yanjin.gov.cn, zhang@yanjin.gov.cn]"
        ),
    )
    g.commit("督查室改名单", who=SUP, when="2026-04-05")
    g.edit("ledgers/fgw.yaml", "value: 5", "value: 8")
    g.commit("新督查改目标", who="zhang@yanjin.gov.cn", when="2026-04-06")
    assert found(g) == {
        ("unauthorized-edit", c, None, "sanzhua.yaml"),
        ("extension-unauthorized", c, "XM-001", "ledgers/fgw.yaml"),
        ("extension-unauthorized", again, "XM-001", "ledgers/fgw.yaml"),
        ("unauthorized-edit", units, None, "units.yaml"),
        ("unauthorized-edit", other_unit, "JT-001", "ledgers/jtj.yaml"),
    }


def test_backdated(g: GitLedger) -> None:
    append_progress(g, "2026-03-01", 3000)
    late = g.commit("补报", who=FGW, when="2026-04-01")
    g.edit("ledgers/fgw.yaml", "due: 2026-10-31\n", "due: 2026-10-31\n    done: 2026-03-20\n")
    done = g.commit("完成", who=FGW, when="2026-04-01")
    g.edit(
        "ledgers/fgw.yaml",
        "{name: 完成可研批复, due: 2026-05-31}",
        "{name: 完成可研批复, due: 2026-05-31, done: 2026-05-01}",
    )
    ms = g.commit("节点完成", who=FGW, when="2026-05-09")
    append_progress(g, "2026-05-02", 4000)  # seven days: within the limit
    g.commit("进展", who=FGW, when="2026-05-09")
    got = findings(g)
    assert {(f.code, f.commit, f.task, f.severity) for f in got} == {
        ("backdated", late, "XM-001", "warning"),
        ("backdated", done, "XM-002", "warning"),
        ("backdated", ms, "XM-001", "warning"),
    }
    assert next(f for f in got if f.commit == late).after["date"] == "2026-03-01"


def test_backdate_days_is_configurable(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r", settings=SETTINGS + "backdate_days: 40\n")
    g.baseline()
    append_progress(g, "2026-03-01", 3000)
    g.commit("补报", who=FGW, when="2026-04-01")
    assert findings(g) == []


def test_baseline_and_a_ledger_added_to_an_existing_repository(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    g.write("README.md", "hello\n")
    g.commit("init", who=OUTSIDER, when="2026-01-01")
    g.baseline(when="2026-03-01")
    assert findings(g) == []


# -- merges ---------------------------------------------------------------------------------


def test_merges(g: GitLedger) -> None:
    g.git("checkout", "-q", "-b", "fgw")
    append_progress(g, "2026-03-09", 2000)
    g.commit("进展", who=FGW, when="2026-03-10")
    g.edit("ledgers/fgw.yaml", "due: 2026-10-31", "due: 2026-12-31")
    sneaky = g.commit("偷改", who=FGW, when="2026-03-11")
    g.git("checkout", "-q", "main")
    g.edit(
        "ledgers/fgw.yaml",
        "due: 2026-09-30\n",
        "due: 2026-12-31\n    extensions:\n      - {from: 2026-09-30, to: 2026-12-31}\n",
    )
    g.commit("延期", who=SUP, when="2026-03-12")
    g.edit("ledgers/jtj.yaml", "title: 县城道路绿化", "title: 县城道路绿化提升")
    g.commit("改标题", who=JTJ, when="2026-03-12")
    # a clerk merges: their own branch plus the supervisor's commits, resolved cleanly
    g.git("merge", "-q", "--no-ff", "-m", "合并", "fgw", who=FGW, when="2026-03-13")
    g.git("checkout", "-q", "-b", "jtj", "HEAD~1")
    g.edit("ledgers/jtj.yaml", "due: 年底", "due: 2026-11-30")
    g.commit("提前", who=SUP, when="2026-03-14")
    g.git("checkout", "-q", "main")
    # an evil merge: the resolution moves a deadline that neither side moved
    g.git("merge", "-q", "--no-ff", "--no-commit", "jtj", who=FGW, when="2026-03-15")
    g.edit("ledgers/fgw.yaml", "{name: 完成可研批复, due: 2026-05-31}", "{name: 完成可研批复, due: 2026-08-31}")
    g.git("add", "-A")
    g.git("commit", "-q", "-m", "合并", who=FGW, when="2026-03-15")
    evil = g.git("rev-parse", "HEAD")
    assert found(g) == {
        ("deadline-moved", sneaky, "XM-002", "ledgers/fgw.yaml"),
        ("extension-unauthorized", sneaky, "XM-002", "ledgers/fgw.yaml"),
        ("deadline-moved", evil, "XM-001", "ledgers/fgw.yaml"),
        ("extension-unauthorized", evil, "XM-001", "ledgers/fgw.yaml"),
    }


def test_octopus_merges(g: GitLedger) -> None:
    """A clean octopus merge takes each file from one branch: nothing to report (the
    branches' commits are audited on their own). One edited by hand leaves a file unlike
    every branch: that is reported, since a change could hide there."""
    base = g.git("rev-parse", "HEAD")
    g.git("checkout", "-q", "-b", "a")
    append_progress(g, "2026-03-09", 2000)
    g.commit("进展", who=FGW, when="2026-03-10")
    g.git("checkout", "-q", "-b", "b", base)
    g.edit("ledgers/jtj.yaml", "title: 县城道路绿化", "title: 县城道路绿化提升")
    g.commit("改标题", who=JTJ, when="2026-03-10")
    g.git("checkout", "-q", "main")
    g.git("merge", "-q", "--no-ff", "-m", "合并两个分支", "a", "b", who=FGW, when="2026-03-11")
    clean = g.git("rev-parse", "HEAD")
    assert len(g.git("log", "-1", "--format=%P").split()) == 3
    assert found(g) == set()

    g.git("checkout", "-q", "-b", "c", clean)
    g.edit("ledgers/jtj.yaml", "due: 年底", "due: 2026-11-30")
    g.commit("提前", who=SUP, when="2026-03-12")
    g.git("checkout", "-q", "-b", "d", clean)
    append_progress(g, "2026-03-12", 2100)
    g.commit("进展", who=FGW, when="2026-03-12")
    g.git("checkout", "-q", "main")
    g.git("merge", "-q", "--no-ff", "--no-commit", "c", "d", who=FGW, when="2026-03-13")
    g.edit("ledgers/fgw.yaml", "{name: 完成可研批复, due: 2026-05-31}", "{name: 完成可研批复, due: 2026-08-31}")
    g.git("add", "-A")
    g.git("commit", "-q", "-m", "合并", who=FGW, when="2026-03-13")
    evil = g.git("rev-parse", "HEAD")
    assert evil != clean
    # jtj.yaml is branch c's as it was: not reported; fgw.yaml is unlike branch d's
    assert found(g) == {("unaudited-merge", evil, None, "ledgers/fgw.yaml")}


def test_conflict_resolution_that_drops_progress(g: GitLedger) -> None:
    g.git("checkout", "-q", "-b", "side")
    append_progress(g, "2026-03-09", 2000)
    g.commit("进展A", who=FGW, when="2026-03-10")
    g.git("checkout", "-q", "main")
    append_progress(g, "2026-03-10", 2500)
    g.commit("进展B", who=FGW, when="2026-03-10")
    g.git("merge", "-q", "-m", "合并", "side", who=FGW, when="2026-03-11", check=False)
    text = g.read("ledgers/fgw.yaml")
    assert "<<<<<<<" in text
    # keep only our side: the other side's committed entry disappears
    lines = text.splitlines(keepends=True)
    out, skip = [], False
    for line in lines:
        if line.startswith("<<<<<<<") or line.startswith(">>>>>>>"):
            skip = False
            continue
        if line.startswith("======="):
            skip = True
            continue
        if not skip:
            out.append(line)
    g.write("ledgers/fgw.yaml", "".join(out))
    g.git("add", "-A")
    g.git("commit", "-q", "--no-edit", who=FGW, when="2026-03-11")
    merge = g.git("rev-parse", "HEAD")
    assert found(g) == {("progress-rewritten", merge, "XM-001", "ledgers/fgw.yaml")}


# -- signatures -----------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="ssh-keygen is needed to sign commits")
def test_unsigned(tmp_path: Path) -> None:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", SUP, "-f", str(key)], check=True)
    g = GitLedger(tmp_path / "r", settings=SETTINGS + "require_signed: true\n")
    allowed = tmp_path / "allowed_signers"
    allowed.write_text(f"{SUP} {key.with_suffix('.pub').read_text()}")
    g.git("config", "gpg.format", "ssh")
    g.git("config", "user.signingkey", str(key))
    g.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
    g.write("sanzhua.yaml", g.settings)
    g.write("units.yaml", g.units)
    g.write("ledgers/fgw.yaml", "unit: fgw\ntasks: []\n")
    g.commit("建立", who=SUP, when="2026-03-01", sign=True)
    g.edit("ledgers/fgw.yaml", "tasks: []\n", "tasks:\n  - {id: A-1, title: 甲, due: 年底}\n")
    g.commit("签名提交", who=SUP, when="2026-03-02", sign=True)
    g.edit("ledgers/fgw.yaml", "甲", "乙")
    unsigned = g.commit("未签名提交", who=SUP, when="2026-03-03")
    got = findings(g)
    assert [(f.code, f.commit, f.after) for f in got] == [("unsigned", unsigned, "N")]


# -- the command ----------------------------------------------------------------------------


def test_json_shape_exit_code_and_range(g: GitLedger) -> None:
    g.edit("ledgers/fgw.yaml", "due: 2026-09-30", "due: 2026-12-31")
    moved = g.commit("调整时限", who=SUP, when="2026-04-01")
    append_progress(g, "2026-04-01", 100)
    g.commit("进展", who=FGW, when="2026-04-02")
    out = io.StringIO()
    assert audit(g.path, fmt="json", lang="en", out=out) == 1
    doc = json.loads(out.getvalue())
    assert doc["version"] == 1
    assert doc["summary"]["errors"] == 1 and doc["summary"]["commits"] == 3
    (f,) = doc["findings"]
    assert {
        "code",
        "severity",
        "commit",
        "author",
        "date",
        "task",
        "file",
        "line",
        "message",
        "before",
        "after",
    } <= set(f)
    assert (f["code"], f["commit"], f["author"], f["date"], f["task"], f["file"], f["line"]) == (
        "deadline-moved",
        moved,
        SUP,
        "2026-04-01",
        "XM-001",
        "ledgers/fgw.yaml",
        6,
    )
    assert "moved from 2026-09-30 to 2026-12-31" in f["message"]
    out = io.StringIO()
    assert audit(g.path, rev_range=f"{moved}..HEAD", fmt="json", out=out) == 0
    assert json.loads(out.getvalue())["findings"] == []
    assert found(g, since="2026-04-02") == set()
    out = io.StringIO()
    assert audit(g.path, fmt="github", lang="en", out=out) == 1
    assert out.getvalue().startswith("::error file=ledgers/fgw.yaml,line=6,title=deadline-moved::")
    out = io.StringIO()
    assert audit(g.path, fmt="text", ignore=["deadline-moved"], out=out) == 0
    out = io.StringIO()
    audit(g.path, fmt="text", out=out)
    assert out.getvalue().splitlines()[0] == (
        "ledgers/fgw.yaml:6: 错误 任务 XM-001 的时限从 2026-09-30 推迟到 2026-12-31，但没有登记延期 [deadline-moved]"
    )


def test_ledger_in_a_subfolder(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "repo")
    inner = GitLedger.__new__(GitLedger)
    inner.path = g.path / "台账"
    inner.settings, inner.units = g.settings, g.units
    inner.baseline()
    inner.edit("ledgers/fgw.yaml", "due: 2026-09-30", "due: 2026-12-31")
    c = inner.commit("调整", who=SUP, when="2026-04-01")
    assert found(inner) == {("deadline-moved", c, "XM-001", "ledgers/fgw.yaml")}


def test_codes_are_documented() -> None:
    assert set(CODES) == {
        "deadline-moved",
        "extension-unauthorized",
        "progress-rewritten",
        "task-deleted",
        "unauthorized-edit",
        "backdated",
        "unsigned",
        "unaudited-merge",
        "done-rewritten",
        "done-corrected",
        "status-unauthorized",
        "committer-not-supervisor",
        "symlink-committed",
        "cache-committed",
        "verification-unauthorized",
        "history-cut",
        "version-too-big",
    }
    assert all(doc for _, doc in CODES.values())
    documented = (Path(__file__).parents[1] / "docs" / "audit.md").read_text(encoding="utf-8")
    assert all(f"| `{code}` | {level} |" in documented for code, (level, _) in CODES.items())
