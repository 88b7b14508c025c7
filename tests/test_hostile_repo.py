"""Hostile repositories (issue 14, the held-out corpus of tools/hostile_corpus.py): what a
repository brings besides its files must not make sanzhua run a program or write
outside the ledger. Real git repositories, real `sanzhua` processes.

- a `--range` that looks like an option (`--output=FILE`) was read by git as one, and
  `audit`/`log` wrote git's output over FILE;
- a repository's own `.git/config` (a ledger received as an archive) naming programs:
  `core.fsmonitor`, and a `filter=` driver of a committed .gitattributes, ran on the
  `git status` that `brief`, `form` and `site` asked to say whether the files were
  committed;
- a committed `.sanzhua -> /elsewhere` had the edit lock and its .gitignore written there.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhua.history.git import worktree_changed

SETTINGS = "name: 测试县督查台账\noffice: 县政府督查室\nyear: 2026\nlang: zh\n"
UNITS = "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n"
FGW = "unit: fgw\ntasks:\n  - id: FGW-001\n    title: 项目前期\n    due: 2026-12-31\n"


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@x",
    }
    return subprocess.run(
        ["git", "-c", "core.fsmonitor=false", *args], cwd=root, check=True, capture_output=True, text=True, env=env
    ).stdout


def sanzhua(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=root, capture_output=True, text=True, env=env, timeout=120
    )


def make_repo(tmp_path: Path, fgw: str = FGW) -> Path:
    """A one-unit ledger in git, `fgw` its unit's file, committed."""
    root = tmp_path / "ledger"
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "ledgers" / "fgw.yaml").write_text(fgw, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--range", "--output={out}"],
        ["audit", "--range", "--output={out}", "--format", "json"],
        ["log", "FGW-001", "--range", "--output={out}"],
        ["log", "FGW-001", "--range=--output={out}"],
    ],
)
def test_a_range_that_looks_like_an_option_is_not_one(repo: Path, argv: list[str]) -> None:
    out = repo.parent / "written-by-git"
    r = sanzhua(repo, *(a.format(out=out) for a in argv))
    assert not out.exists(), "git read the range as --output and wrote a file outside the ledger"
    assert r.returncode == 2, r.stdout + r.stderr
    assert "bad revision" in r.stderr and "Traceback" not in r.stderr


@pytest.fixture
def armed(repo: Path) -> tuple[Path, Path]:
    """The repository's own config names a program for fsmonitor and for a filter driver
    a committed .gitattributes uses; the files' stat data is stale, so a `git status`
    re-reads them (through the filter)."""
    ran = repo.parent / "PROGRAM-RAN"
    (repo / ".gitattributes").write_text("*.yaml filter=evil\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "attributes")
    for key in ("core.fsmonitor", "filter.evil.clean", "filter.evil.process"):
        git(repo, "config", key, f"touch {ran}; false")
    for p in [*(repo / "ledgers").iterdir(), repo / "sanzhua.yaml", repo / "units.yaml"]:
        os.utime(p, (1, 1))
    return repo, ran


@pytest.mark.parametrize(
    "argv",
    [
        ["brief", "--week", "--as-of", "2026-11-25"],
        ["brief", "--unit", "fgw", "--as-of", "2026-11-25"],
        ["form", "--unit", "fgw", "--as-of", "2026-11-25", "-o", "{tmp}/form.xlsx"],
        ["site", "--as-of", "2026-11-25", "-o", "{tmp}/site", "--no-archive"],
        ["audit"],
        ["log", "FGW-001"],
        ["check"],
    ],
)
def test_no_program_of_the_repository_config_runs(armed: tuple[Path, Path], argv: list[str]) -> None:
    repo, ran = armed
    r = sanzhua(repo, *(a.format(tmp=repo.parent) for a in argv))
    assert r.returncode in (0, 1), r.stdout + r.stderr
    assert not ran.exists(), f"{argv[0]} ran a program the repository's config names"


def test_the_bulletin_still_says_whether_the_files_are_committed(armed: tuple[Path, Path]) -> None:
    repo, ran = armed
    r = sanzhua(repo, "brief", "--week", "--as-of", "2026-11-25")
    assert "据台账提交" in r.stdout and "未提交" not in r.stdout, r.stdout[-300:]
    (repo / "ledgers" / "fgw.yaml").write_text(FGW.replace("项目前期", "项目后期"), encoding="utf-8")
    r = sanzhua(repo, "brief", "--week", "--as-of", "2026-11-25")
    assert "未提交" in r.stdout, r.stdout[-300:]
    assert not ran.exists()


def test_worktree_changed_is_what_git_status_says(repo: Path) -> None:
    paths = ("sanzhua.yaml", "units.yaml", "ledgers")
    assert worktree_changed(repo, paths) is False
    f = repo / "ledgers" / "fgw.yaml"
    f.write_text(FGW + "  # a comment\n", encoding="utf-8")
    assert worktree_changed(repo, paths) is True
    git(repo, "checkout", "--", "ledgers/fgw.yaml")
    assert worktree_changed(repo, paths) is False
    (repo / "ledgers" / "new.yaml").write_text("unit: fgw\ntasks: []\n", encoding="utf-8")
    assert worktree_changed(repo, paths) is True  # untracked
    assert worktree_changed(repo, ("sanzhua.yaml",)) is False
    (repo / ".gitignore").write_text("ledgers/new.yaml\n", encoding="utf-8")
    assert worktree_changed(repo, paths) is False  # ignored, as git status leaves it out
    git(repo, "add", "-f", "ledgers/new.yaml")
    assert worktree_changed(repo, paths) is True  # staged, not committed
    git(repo, "rm", "-q", "--cached", "ledgers/new.yaml")
    f.unlink()
    assert worktree_changed(repo, paths) is True  # deleted
    git(repo, "checkout", "--", "ledgers/fgw.yaml")
    f.write_bytes(FGW.replace("\n", "\r\n").encode())  # core.autocrlf on Windows
    assert worktree_changed(repo, paths) is False
    sub = repo / "sub"
    assert worktree_changed(repo.parent, paths) is None  # not a repository
    sub.mkdir()
    (sub / "ledgers").mkdir()
    (sub / "ledgers" / "a.yaml").write_text("x\n", encoding="utf-8")
    git(repo, "add", "sub")
    git(repo, "commit", "-q", "-m", "sub")
    assert worktree_changed(sub, ("ledgers",)) is False  # a ledger in a subfolder of the repository
    (sub / "ledgers" / "a.yaml").write_text("y\n", encoding="utf-8")
    assert worktree_changed(sub, ("ledgers",)) is True


def test_a_committed_lock_folder_link_is_refused(repo: Path) -> None:
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (repo / ".sanzhua").symlink_to(elsewhere)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    before = (repo / "ledgers" / "fgw.yaml").read_bytes()
    r = sanzhua(repo, "progress", "FGW-001", "--percent", "50", "--date", "2026-11-24")
    assert r.returncode == 1, r.stdout + r.stderr
    assert ".sanzhua" in r.stderr and "Traceback" not in r.stderr
    assert list(elsewhere.iterdir()) == [], "the lock was written outside the ledger"
    assert (repo / "ledgers" / "fgw.yaml").read_bytes() == before


FORGED_UNITS = 'units:\n  - {id: fgw, name: "县发改委\\n::error file=units.yaml::forged-unit", kind: 县直部门}\n'
FORGED_FGW = (
    "unit: fgw\ntasks:\n  - id: FGW-001\n"
    '    title: "项目\\n  ::error file=x,line=1::forged-title"\n'
    "    due: 2026-11-01\n"
    '    owner: "张三\\n\\u3000::add-mask::forged-owner"\n'
    '    progress:\n      - {date: 2026-10-01, percent: 5, note: "n\\n::stop-commands::forged-note"}\n'
)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--format", "text"],
        ["status", "--all"],
        ["status", "--all", "--format", "csv"],
        ["show", "FGW-001"],
        ["export", "-f", "csv", "-o", "-"],
        ["log", "FGW-001"],
        ["audit"],
    ],
)
def test_ledger_text_forges_no_workflow_command_in_a_ci_log(repo: Path, argv: list[str]) -> None:
    """A value with a line break and `::` (GitHub Actions reads a line starting with `::`,
    after white space, as a workflow command) printed by a command in CI: before, the line
    `::error file=x,line=1::forged-title` stood on its own in the log."""
    (repo / "units.yaml").write_text(FORGED_UNITS, encoding="utf-8")
    (repo / "ledgers" / "fgw.yaml").write_text(FORGED_FGW, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=x\n::error::forged-author", "commit", "-q", "-m", "s\n\n::error::forged-body")
    r = sanzhua(repo, *argv, *([] if argv[0] in ("log", "audit") else ["--as-of", "2026-11-25"]))
    assert "Traceback" not in r.stderr
    shown = r.stdout + r.stderr
    assert "::" in shown or argv[0] == "audit", shown  # the value reached the output
    commands = [line for line in shown.splitlines() if line.lstrip().startswith("::")]
    assert commands == []


def test_sanzhuas_own_annotations_still_pass(repo: Path) -> None:
    (repo / "ledgers" / "fgw.yaml").write_text(FORGED_FGW, encoding="utf-8")
    r = sanzhua(repo, "check", "--format", "github", "--as-of", "2026-11-25")
    lines = [line for line in r.stdout.splitlines() if line.startswith("::")]
    assert len(lines) == 1 and lines[0].startswith("::warning file=ledgers/fgw.yaml,line=5"), r.stdout
    assert "%0A" in lines[0]


@pytest.mark.parametrize(
    ("units", "settings"),
    [
        ('units:\n  - {id: fgw, name: 县发改委, editors: ["@ok\\n* @evil"]}\n', SETTINGS),
        ("units:\n  - {id: fgw, name: 县发改委, editors: ['@ok # all']}\n", SETTINGS),
        ("units:\n  - {id: fgw, name: 县发改委, editors: ['@a @b']}\n", SETTINGS),
        (UNITS, SETTINGS + 'supervisors: ["ducha@x.gov\\n/ledgers/ @evil"]\n'),
    ],
    ids=["editor-line-break", "editor-hash", "editor-space", "supervisor-line-break"],
)
def test_an_owner_cannot_write_a_codeowners_rule(repo: Path, units: str, settings: str) -> None:
    """An editor or supervisor with a line break, a space or a # made a CODEOWNERS rule of
    its own (`* @evil`: every file), an owner of its own or a comment: now an error of the
    settings, and codeowners writes nothing."""
    (repo / "units.yaml").write_text(units, encoding="utf-8")
    (repo / "sanzhua.yaml").write_text(settings, encoding="utf-8")
    r = sanzhua(repo, "check")
    assert r.returncode == 1 and "invalid-value" in r.stdout, r.stdout
    r = sanzhua(repo, "codeowners")
    assert r.returncode == 1, r.stdout + r.stderr
    assert not (repo / "CODEOWNERS").exists()


def test_a_unit_name_with_a_line_break_stays_in_its_comment(repo: Path) -> None:
    (repo / "units.yaml").write_text(
        'units:\n  - {id: fgw, name: "县发改委\\n* @evil", editors: ["@ok"]}\n', encoding="utf-8"
    )
    r = sanzhua(repo, "codeowners", "-o", "-")
    assert r.returncode == 0, r.stderr
    rules = [line for line in r.stdout.splitlines() if line and not line.startswith("#")]
    assert not any("@evil" in line for line in rules), r.stdout


HOSTILE_UNITS = (
    "units:\n  - {id: cg, name: 城关镇, kind: 乡镇}\n"
    '  - {id: "../../byid", name: 某局, kind: 县直部门}\n'
    '  - {id: zz, name: "../../byname", kind: 乡镇}\n'
)


@pytest.mark.parametrize(
    "argv",
    [["new", "--unit", "zz", "--title", "新任务", "--due", "年底"], ["import", "{tmp}/in.csv"]],
    ids=["new-named-like-its-peers", "import"],
)
def test_a_new_file_is_named_inside_the_ledger(tmp_path: Path, argv: list[str]) -> None:
    """A unit whose name or id in units.yaml is `../../x`: `new` (whose file is named like
    its peers', here by the unit's name) and `import` wrote ledgers/../../x.yaml, outside
    the ledger. Now the name is one file name inside ledgers/."""
    root = tmp_path / "ledger"
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(HOSTILE_UNITS, encoding="utf-8")
    (root / "ledgers" / "城关镇.yaml").write_text(
        "unit: cg\ntasks:\n  - {id: CG-001, title: a, due: 2026-12-31}\n", encoding="utf-8"
    )
    (tmp_path / "in.csv").write_text("任务名称,责任单位,完成时限\n新任务,某局,2026-12-31\n", encoding="utf-8")
    r = sanzhua(root, *(a.format(tmp=tmp_path) for a in argv))
    assert r.returncode == 0, r.stdout + r.stderr
    outside = [p.name for p in tmp_path.iterdir() if p.suffix == ".yaml"]
    assert outside == [], "written outside the ledger"
    written = sorted(p.name for p in (root / "ledgers").iterdir())
    assert len(written) == 2 and "城关镇.yaml" in written, written


def test_a_ledgers_folder_linked_out_of_the_ledger_is_not_written_through(tmp_path: Path) -> None:
    """`ledgers -> ../elsewhere` committed: `new` wrote its file there, and the sweep of
    stale temporaries every edit makes removed `.x.yaml.sanzhua-*.tmp` files there."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / ".victim.yaml.sanzhua-abc123.tmp"
    victim.write_text("keep me\n", encoding="utf-8")
    root = tmp_path / "ledger"
    root.mkdir()
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "ledgers").symlink_to("../elsewhere")
    r = sanzhua(root, "new", "--unit", "fgw", "--title", "新任务", "--due", "年底")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "ledgers" in r.stderr and "Traceback" not in r.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == [victim.name]


def test_a_notices_folder_link_is_neither_written_through_nor_skipped_unsaid(repo: Path) -> None:
    """`notices -> ../elsewhere`: `brief --issue` recorded the notice there; the notices it
    holds were left out of every count without a word. Now the record is refused, and check
    names the link."""
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (repo / "sanzhua.yaml").write_text(SETTINGS + "notices: {prefix: 延政督}\n", encoding="utf-8")
    (repo / "ledgers" / "fgw.yaml").write_text(FGW.replace("2026-12-31", "2026-11-01"), encoding="utf-8")
    (repo / "notices").symlink_to("../elsewhere")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    r = sanzhua(repo, "brief", "--unit", "fgw", "--issue", "--as-of", "2026-11-25")
    assert r.returncode == 2, r.stdout + r.stderr
    assert list(elsewhere.iterdir()) == []
    r = sanzhua(repo, "check", "--as-of", "2026-11-25")
    assert r.returncode == 1 and "notices" in r.stdout and "invalid-notice" in r.stdout, r.stdout


def test_a_notices_file_link_is_named(repo: Path) -> None:
    (repo / "notices").mkdir()
    (repo / "notices" / "2026.yaml").symlink_to("../units.yaml")
    r = sanzhua(repo, "check", "--as-of", "2026-11-25")
    assert r.returncode == 1 and "notices/2026.yaml" in r.stdout, r.stdout


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_notices_file_that_is_not_a_file_is_named(repo: Path, kind: str) -> None:
    """A FIFO or a folder named notices/2026.yaml was skipped unsaid: check passed, and
    remind and the bulletins counted none of the notices it should hold."""
    (repo / "notices").mkdir()
    if kind == "fifo":
        os.mkfifo(repo / "notices" / "2026.yaml")
    else:
        (repo / "notices" / "2026.yaml").mkdir()
    r = sanzhua(repo, "check", "--as-of", "2026-11-25")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "notices/2026.yaml" in r.stdout and "invalid-notice" in r.stdout and "不是普通文件" in r.stdout, r.stdout
    r = sanzhua(repo, "remind", "--as-of", "2026-11-25")
    assert r.returncode == 1 and "notices/2026.yaml" in r.stderr, r.stdout + r.stderr


# git's own variables, as a hook or a CI step of another repository leaves them set


@pytest.fixture
def elsewhere(repo: Path) -> tuple[Path, dict[str, str]]:
    other = repo.parent / "other"
    (other / "ledgers").mkdir(parents=True)
    (other / "notes.txt").write_text("another repository\n", encoding="utf-8")
    git(other, "init", "-q", "-b", "main")
    git(other, "add", "-A")
    git(other, "commit", "-q", "-m", "other")
    env = {
        "GIT_DIR": str(other / ".git"),
        "GIT_WORK_TREE": str(other),
        "GIT_INDEX_FILE": str(other / ".git" / "index"),
    }
    return other, env


def _run_with(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg"), **env}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=root, capture_output=True, text=True, env=full, timeout=120
    )


def test_git_variables_of_another_repository_do_not_move_a_commit(
    repo: Path, elsewhere: tuple[Path, dict[str, str]]
) -> None:
    """`progress --commit` refused ("the ledger is not in a git repository") while `log`
    read the ledger's own history: the commit asked git with GIT_DIR still set."""
    other, env = elsewhere
    other_head = git(other, "rev-parse", "HEAD")
    edit = ("progress", "FGW-001", "--percent", "50", "--note", "推进", "--date", "2026-11-24", "--commit")
    r = _run_with(repo, env, *edit)
    assert r.returncode == 0, r.stdout + r.stderr
    assert git(other, "rev-parse", "HEAD") == other_head, "the commit went into another repository"
    assert len(git(repo, "log", "--format=%H").split()) == 2
    assert "推进" in git(repo, "show", "HEAD")


def test_a_bulletin_names_the_ledgers_own_commit(repo: Path, elsewhere: tuple[Path, dict[str, str]]) -> None:
    """The line 据台账提交 X named the other repository's commit (and compared the ledger's
    files with that commit's), while the bulletin's history came from the ledger's own."""
    other, env = elsewhere
    r = _run_with(repo, env, "brief", "--week", "--as-of", "2026-11-25")
    assert r.returncode == 0, r.stdout + r.stderr
    own = git(repo, "rev-parse", "--short=7", "HEAD").strip()
    theirs = git(other, "rev-parse", "--short=7", "HEAD").strip()
    assert f"据台账提交 {own}" in r.stdout and theirs not in r.stdout
    assert "未提交的修改" not in r.stdout


def test_init_makes_the_new_ledgers_own_repository(tmp_path: Path) -> None:
    """With GIT_DIR left set, `init` asked that repository whether the folder was in a work
    tree (it said yes) and made no repository for the new ledger."""
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    git(other, "commit", "-q", "--allow-empty", "-m", "other")
    r = _run_with(tmp_path, {"GIT_DIR": str(other / ".git")}, "init", "new", "--name", "新台账")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (tmp_path / "new" / ".git").is_dir(), "the new ledger has no repository"


@pytest.fixture
def reminding(repo: Path) -> Path:
    """A unit with a channel (its webhook variable unset), and a .sanzhua folder."""
    unit = "{id: fgw, name: 县发改委, kind: 县直部门, contact: {wecom_env: SANZHUA_WECOM_T}}"
    (repo / "units.yaml").write_text(f"units:\n  - {unit}\n", encoding="utf-8")
    (repo / "ledgers" / "fgw.yaml").write_text(FGW.replace("2026-12-31", "2026-11-01"), encoding="utf-8")
    (repo / ".sanzhua").mkdir()
    return repo


def test_a_committed_send_lock_link_writes_nothing_outside(reminding: Path) -> None:
    """`.sanzhua/remind-sent.json.lock -> /elsewhere/x` (a dangling link, which git commits):
    `remind --send` created /elsewhere/x, opening the lock through the link."""
    target = reminding.parent / "made-by-remind"
    (reminding / ".sanzhua" / "remind-sent.json.lock").symlink_to(target)
    git(reminding, "add", "-A")
    git(reminding, "commit", "-q", "-m", "lock link")
    r = sanzhua(reminding, "remind", "--send", "--as-of", "2026-11-25")
    assert not target.exists(), "remind --send created a file outside the ledger"
    assert r.returncode == 2 and "remind-sent.json.lock" in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_a_send_lock_fifo_is_refused_not_waited_on(reminding: Path) -> None:
    os.mkfifo(reminding / ".sanzhua" / "remind-sent.json.lock")
    r = sanzhua(reminding, "remind", "--send", "--as-of", "2026-11-25")
    assert r.returncode == 2 and "remind-sent.json.lock" in r.stderr, r.stderr


def test_a_record_of_sends_linked_out_names_the_link(reminding: Path) -> None:
    """The refusal blamed `remind.sent_file in sanzhua.yaml`, which the ledger does not set:
    the record itself is a link out of the ledger, and the message says so."""
    (reminding.parent / "outside.json").write_text("{}", encoding="utf-8")
    (reminding / ".sanzhua" / "remind-sent.json").symlink_to(reminding.parent / "outside.json")
    r = sanzhua(reminding, "remind", "--as-of", "2026-11-25")
    assert r.returncode == 2, r.stderr
    assert ".sanzhua/remind-sent.json" in r.stderr and "链接" in r.stderr, r.stderr
    assert "remind.sent_file" not in r.stderr, r.stderr


def _odd_commit(repo: Path, author: str, committer: str) -> str:
    """A commit (written as git would store any) whose author and committer lines carry
    `author` and `committer` as their date and zone: git prints dates Python cannot hold."""
    (repo / "ledgers" / "fgw.yaml").write_text(FGW.replace("2026-12-31", "2027-03-31"), encoding="utf-8")
    git(repo, "add", "-A")
    tree = git(repo, "write-tree").strip()
    head = git(repo, "rev-parse", "HEAD").strip()
    body = f"tree {tree}\nparent {head}\nauthor t <t@x> {author}\ncommitter t <t@x> {committer}\n\n推迟\n"
    sha = subprocess.run(
        ["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"],
        cwd=repo, input=body.encode(), capture_output=True, check=True,
    ).stdout.decode().strip()
    git(repo, "update-ref", "HEAD", sha)
    return sha


@pytest.mark.parametrize(
    ("author", "committer"),
    [
        ("253402300800 +9959", "99999999999 -9959"),  # the year 10000; a zone of 99 hours
        ("99999999999999999999 +0000", "-5 +99999"),  # what git cannot read at all
    ],
)
def test_a_commit_date_python_cannot_hold_is_no_internal_error(repo: Path, author: str, committer: str) -> None:
    """`git commit` accepts `--date '@253402300800 +9959'`; log, audit and site stopped
    with an internal error (datetime.fromisoformat on git's 10000-01-05T03:59:00+99:59)."""
    sha = _odd_commit(repo, author, committer)
    for argv in (["log", "FGW-001"], ["audit"], ["audit", "-f", "json"], ["site", "-o", str(repo.parent / "site")]):
        r = sanzhua(repo, *argv, "--as-of", "2026-11-25") if argv[0] == "site" else sanzhua(repo, *argv)
        assert r.returncode in (0, 1), (argv, r.stdout + r.stderr)
        assert "内部错误" not in r.stderr and "Traceback" not in r.stderr, r.stderr
    r = sanzhua(repo, "log", "FGW-001")
    assert sha[:10] in r.stdout and "2027-03-31" in r.stdout, r.stdout
    r = sanzhua(repo, "brief", "--week", "--as-of", "2026-11-25")  # git printed "%cs" for the day
    assert r.returncode == 0 and f"据台账提交 {sha[:7]}" in r.stdout and "%c" not in r.stdout, r.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="giving the repository to another user needs root")
def test_a_repository_another_user_owns_is_named_not_called_missing(repo: Path) -> None:
    """git refuses a repository another user owns (safe.directory: a ledger on a shared folder
    or copied as root). log and audit said 不在 git 仓库中 with the advice `git init`, and the
    bulletin that it was not in git; now git's refusal is named with its own remedy, and
    sanzhua does not lift the guard itself."""
    for dirpath, dirnames, filenames in os.walk(repo):
        for n in [*dirnames, *filenames]:
            os.lchown(os.path.join(dirpath, n), 65534, 65534)
    os.lchown(repo, 65534, 65534)
    for argv in (["log", "FGW-001"], ["audit"]):
        r = sanzhua(repo, *argv)
        assert r.returncode == 2, r.stdout + r.stderr
        assert "仓库属于另一个用户" in r.stderr and "safe.directory" in r.stderr, r.stderr
        assert "git init" not in r.stderr and "不在 git 仓库中" not in r.stderr
    r = sanzhua(repo, "brief", "--week", "--as-of", "2026-11-25")
    assert r.returncode == 0, r.stderr
    assert "git 拒绝读取台账仓库" in r.stdout and "不在 git 仓库中" not in r.stdout
    before = (repo / "ledgers/fgw.yaml").read_bytes()
    r = sanzhua(repo, "progress", "FGW-001", "--note", "推进", "--commit")
    assert r.returncode == 1 and "safe.directory" in r.stderr, r.stderr
    assert (repo / "ledgers/fgw.yaml").read_bytes() == before
    r = sanzhua(repo, "site", "--as-of", "2026-11-25", "--no-archive", "-o", str(repo.parent / "site"))
    assert r.returncode == 0, r.stderr
    assert "safe.directory" in r.stderr
    assert "safe.directory" in (repo.parent / "site/index.html").read_text(encoding="utf-8")


def test_a_blob_over_the_limit_is_not_read_and_the_next_one_is(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger file of 215 MB in a commit of a 780 KB repository (repeated lines pack a
    thousand times) took `audit` past 2 GB: a blob over MAX_BLOB_BYTES is read past, not kept,
    and the walk takes that version as unreadable; the objects after it still read right."""
    from sanzhua.history import git as G

    big = "unit: fgw\ntasks:\n" + "  - {id: BIG-001, title: 大, due: 2026-12-31}\n" * 2000  # 90 KB
    (repo / "ledgers" / "big.yaml").write_text(big, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "big")
    big_oid = git(repo, "rev-parse", "HEAD:ledgers/big.yaml").strip()
    small_oid = git(repo, "rev-parse", "HEAD:ledgers/fgw.yaml").strip()
    git(repo, "rm", "-q", "ledgers/big.yaml")
    git(repo, "commit", "-q", "-m", "gone")
    monkeypatch.setattr(G, "MAX_BLOB_BYTES", 50_000)
    r = G.Repo(repo)
    try:
        assert r.blob(big_oid) is None
        assert r.blob(small_oid) == FGW.encode()
        got = r.blobs([big_oid, small_oid, big_oid, small_oid])
        assert got == {small_oid: FGW.encode()}
        assert r.blob(small_oid) == FGW.encode()
    finally:
        r.close()


def _commit_with_message(repo: Path, message: str) -> None:
    (repo / "ledgers" / "fgw.yaml").write_text(FGW + f"# {len(message)}\n", encoding="utf-8")
    git(repo, "add", "-A")
    (repo.parent / "msg.txt").write_text(message, encoding="utf-8")
    git(repo, "commit", "-q", "-F", str(repo.parent / "msg.txt"))


def test_a_huge_commit_message_is_cut_by_git_and_an_ordinary_long_one_kept(repo: Path) -> None:
    """A commit message of 200 MB packs into 200 KB and whole took `audit` and `log` past a
    gigabyte each. In a repository with a commit over BIG_COMMIT_BYTES, git cuts subjects,
    names and e-mails to so many columns; otherwise every subject stays whole."""
    from sanzhua.history.git import BIG_COMMIT_BYTES, SUBJECT_COLUMNS, Repo

    long = "长" * 600 + "x" * 900  # 2,100 columns: over the cut, under the big commit
    _commit_with_message(repo, long)
    subjects = [c.subject for c in Repo(repo).log(["HEAD"])]
    assert subjects == ["init", long]

    _commit_with_message(repo, "y" * (BIG_COMMIT_BYTES + 10) + "\n\nbody")
    commits = Repo(repo).log(["HEAD"])
    assert [c.subject[:4] for c in commits] == ["init", "长长长长", "yyyy"]
    assert commits[0].subject == "init" and commits[0].author == "t" and commits[0].email == "t@x"
    for c in commits[1:]:
        assert c.subject.endswith("..") and len(c.subject) <= SUBJECT_COLUMNS
    assert commits[1].subject.startswith("长" * 600)
    done = sanzhua(repo, "audit", "-f", "json")
    assert done.returncode in (0, 1), done.stderr
    assert "y" * (SUBJECT_COLUMNS + 1) not in done.stdout


def test_a_git_lock_left_behind_is_said_in_the_ledgers_language_and_the_edit_kept(repo: Path) -> None:
    """A `.git/index.lock` left by a killed git: `--commit` printed git's own English
    ("fatal: Unable to create …index.lock': File exists. Another git process seems…").
    It is said in the ledger's language, with the lock's path and the remedy; exit 1, the
    edit written (not committed), as before."""
    lock = repo / ".git" / "index.lock"
    lock.write_bytes(b"")
    r = sanzhua(repo, "progress", "FGW-001", "--note", "推进", "--commit")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "锁文件" in r.stderr and str(lock) in r.stderr and "删除" in r.stderr, r.stderr
    assert "Unable to create" not in r.stderr and "fatal" not in r.stderr, r.stderr
    assert "推进" in (repo / "ledgers/fgw.yaml").read_text(encoding="utf-8")
    assert git(repo, "log", "--format=%s").count("\n") == 1  # nothing committed
    r = sanzhua(repo, "progress", "FGW-001", "--note", "again", "--commit")
    assert r.returncode == 1 and "尚未提交的改动" in r.stderr, r.stderr  # the written file is left to commit
    lock.unlink()
    (repo / "sanzhua.yaml").write_text(SETTINGS.replace("lang: zh", "lang: en"), encoding="utf-8")
    (repo / "ledgers/fgw.yaml").write_text(FGW.replace("    title:", "    title:  "), encoding="utf-8")
    git(repo, "commit", "-qam", "unformatted")
    lock.write_bytes(b"")
    r = sanzhua(repo, "fmt", "--commit")
    assert r.returncode == 1, r.stdout + r.stderr
    assert "lock file" in r.stderr and str(lock) in r.stderr and "remove" in r.stderr, r.stderr
    assert "fatal" not in r.stderr, r.stderr


def test_a_version_over_the_blob_limit_is_an_audit_finding(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A version of a ledger file over MAX_BLOB_BYTES is read past (not kept): the walk
    skipped it without a word, so what its commit changed in that file went unaudited.
    `audit` now names it (version-too-big, an error: complete or loud) on the commit that
    wrote it, with the file and its size; the versions it can read are audited as before."""
    import io
    import json

    from sanzhua.commands.audit import audit
    from sanzhua.history import git as G

    big = "unit: fgw\ntasks:\n" + "  - {id: BIG-001, title: 大, due: 2026-12-31}\n" + "# 填充\n" * 12_000
    (repo / "ledgers" / "big.yaml").write_text(big, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "big")
    first = git(repo, "rev-parse", "HEAD").strip()
    (repo / "ledgers" / "big.yaml").write_text(big.replace("2026-12-31", "2027-06-30"), encoding="utf-8")
    (repo / "ledgers" / "fgw.yaml").write_text(FGW.replace("2026-12-31", "2027-03-31"), encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "moved")
    second = git(repo, "rev-parse", "HEAD").strip()
    size = (repo / "ledgers" / "big.yaml").stat().st_size
    out = io.StringIO()
    assert audit(repo, fmt="json", lang="en", out=out) == 1
    codes = {(f["code"], f["commit"]) for f in json.loads(out.getvalue())["findings"]}
    assert not any(code == "version-too-big" for code, _ in codes)  # under the limit: read
    monkeypatch.setattr(G, "MAX_BLOB_BYTES", 50_000)
    out = io.StringIO()
    assert audit(repo, fmt="json", lang="en", out=out) == 1
    findings = json.loads(out.getvalue())["findings"]
    named = [(f["commit"], f["file"], f["after"], f["severity"]) for f in findings if f["code"] == "version-too-big"]
    assert named == [
        (first, "ledgers/big.yaml", len(big.encode()), "error"), (second, "ledgers/big.yaml", size, "error")
    ]
    assert any(f["code"] == "deadline-moved" and f["file"] == "ledgers/fgw.yaml" for f in findings)  # still audited
    out = io.StringIO()
    audit(repo, fmt="text", lang="zh", out=out)
    shown = out.getvalue()
    assert "超过读取上限（0 MB）" in shown and "ledgers/big.yaml" in shown and f"git show --stat {second[:10]}" in shown
