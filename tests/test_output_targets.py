"""Where `-o` may point (issue 14, p-red3a): an output never replaces the ledger's own files,
git's, or a device.

- `export -o ledgers/fgw.yaml` replaced the ledger file with a workbook (exit 0), and
  `codeowners -o ledgers/x.yaml` did the same for CODEOWNERS; `calendar -o .git/config`
  wrote the calendar over git's configuration (every later git command: "bad config").
- `-o /dev/full` printed 已导出 and exited 0; run as root (a CI container) the output's
  temporary was renamed over the device, so /dev/full (and /dev/null, the common
  `-o /dev/null`) became a regular file for every program on the machine.
- A FIFO named by `-o` is written into (a shell's `>`), and one nobody reads is said, not
  waited on.
- `-o /dev/stdout` as root replaced the link /dev/stdout with a regular file; the process's
  own streams are now written through, and other links in /dev, /proc or /sys refused.

Real ledgers in git, real `sanzhua` processes. The device cases make their own device
nodes in the test's folder (mknod: as root only), never touch /dev.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from tests.test_hostile_repo import FGW, git, sanzhua
from tests.test_hostile_repo import repo as repo  # the same git repository, a fixture

AS_OF = ["--as-of", "2026-11-25"]


@pytest.mark.parametrize(
    ("argv", "target"),
    [
        (["export", *AS_OF, "-o", "ledgers/fgw.yaml"], "ledgers/fgw.yaml"),
        (["export", *AS_OF, "-f", "csv", "-o", "units.yaml"], "units.yaml"),
        (["brief", "--week", *AS_OF, "-o", "sanzhua.yaml"], "sanzhua.yaml"),
        (["brief", "--week", *AS_OF, "-f", "docx", "-o", "ledgers/fgw.yaml"], "ledgers/fgw.yaml"),
        (["calendar", *AS_OF, "-o", "ledgers/fgw.yaml"], "ledgers/fgw.yaml"),
        (["codeowners", "-o", "ledgers/fgw.yaml"], "ledgers/fgw.yaml"),
        (["form", "--unit", "fgw", *AS_OF, "-o", ".git/form.xlsx"], ".git/form.xlsx"),
        (["calendar", *AS_OF, "-o", ".git/config"], ".git/config"),
        (["codeowners", "-o", ".git/CODEOWNERS"], ".git/CODEOWNERS"),
        (["export", *AS_OF, "-o", ".git/hooks/pre-commit"], ".git/hooks/pre-commit"),
    ],
)
def test_an_output_onto_the_ledgers_files_or_into_git_is_refused(repo: Path, argv: list[str], target: str) -> None:
    path = repo / target
    before = path.read_bytes() if path.exists() else None
    r = sanzhua(repo, *argv)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "不能把输出写到" in r.stderr and target in r.stderr, r.stderr
    assert "内部错误" not in r.stderr and "Traceback" not in r.stderr
    assert (path.read_bytes() if path.exists() else None) == before
    assert git(repo, "status", "--porcelain") == ""
    assert sanzhua(repo, "check", *AS_OF).returncode == 0


def test_an_output_beside_the_ledger_files_is_still_written(repo: Path) -> None:
    r = sanzhua(repo, "export", *AS_OF, "-o", "ledgers/out.xlsx")
    assert r.returncode == 0, r.stderr
    assert (repo / "ledgers/out.xlsx").read_bytes()[:2] == b"PK"


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root (the case the defect was: a CI container)")


@needs_root
@pytest.mark.parametrize(
    "argv",
    [
        ["export", *AS_OF, "-o", "{dev}"],
        ["export", *AS_OF, "-f", "csv", "-o", "{dev}"],
        ["brief", "--week", *AS_OF, "-f", "docx", "-o", "{dev}"],
        ["calendar", *AS_OF, "-o", "{dev}"],
        ["codeowners", "-o", "{dev}"],
    ],
)
def test_a_device_named_by_o_is_written_into_not_replaced(repo: Path, tmp_path: Path, argv: list[str]) -> None:
    null = tmp_path / "null"
    full = tmp_path / "full"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    ok = sanzhua(repo, *[a.replace("{dev}", str(null)) for a in argv])
    assert ok.returncode == 0, ok.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode), "the device was replaced by a file"
    bad = sanzhua(repo, *[a.replace("{dev}", str(full)) for a in argv])
    assert bad.returncode == 2, (bad.stdout, bad.stderr)
    assert "磁盘已满" in bad.stderr, bad.stderr
    assert stat.S_ISCHR(os.lstat(full).st_mode), "the device was replaced by a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "ledger", "null", "xdg"]


def test_a_fifo_nobody_reads_is_said_not_waited_on(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    r = sanzhua(repo, "calendar", *AS_OF, "-o", str(fifo))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "管道" in r.stderr and "Traceback" not in r.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_fifo_being_read_gets_the_output(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    # open the reader first without waiting for a writer, then read until the writer closes
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)

    def read() -> None:
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as f:
            got.append(f.read())

    r = sanzhua(repo, "export", *AS_OF, "-f", "csv", "-o", str(fifo))
    reader = threading.Thread(target=read)
    reader.start()
    reader.join(30)
    assert r.returncode == 0, r.stderr
    assert "FGW-001" in got[0].decode("utf-8-sig")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_the_process_own_stdout_named_by_o_gets_the_output_through_the_stream(repo: Path, name: str) -> None:
    """/dev/stdout is a link: as root its temporary was renamed over it, a regular file
    where every program's /dev/stdout stood."""
    r = sanzhua(repo, "export", *AS_OF, "-f", "csv", "-o", name)
    assert r.returncode == 0, r.stderr
    assert "FGW-001" in r.stdout
    assert os.path.islink("/dev/stdout") and os.readlink("/dev/stdout") == "/proc/self/fd/1"


@pytest.mark.skipif(not os.access("/dev/shm", os.W_OK), reason="needs a writable /dev/shm")
def test_a_link_in_a_system_folder_is_refused_not_replaced(repo: Path, tmp_path: Path) -> None:
    link = Path(f"/dev/shm/sanzhua-test-{os.getpid()}")
    link.symlink_to(tmp_path / "x.ics")
    try:
        r = sanzhua(repo, "calendar", *AS_OF, "-o", str(link))
        assert r.returncode == 2, (r.stdout, r.stderr)
        assert "不是普通文件" in r.stderr and "Traceback" not in r.stderr
        assert link.is_symlink() and not (tmp_path / "x.ics").exists()
    finally:
        link.unlink()


TWO_UNITS = "units:\n  - {id: fgw, name: NAME, kind: 县直部门}\n  - {id: jyj, name: OTHER, kind: 县直部门}\n"
JYJ = "unit: jyj\ntasks:\n  - id: JYJ-001\n    title: 学校建设\n    due: 2026-10-31\n"
FGW_LATE = FGW.replace("2026-12-31", "2026-11-02")


def two_units(repo: Path, name: str, other: str) -> None:
    (repo / "units.yaml").write_text(TWO_UNITS.replace("OTHER", other).replace("NAME", name), encoding="utf-8")
    (repo / "ledgers/fgw.yaml").write_text(FGW_LATE, encoding="utf-8")
    (repo / "ledgers/jyj.yaml").write_text(JYJ, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "units")


@pytest.mark.parametrize(("name", "other"), [("同名局", "同名局"), ("a/b局", "a_b局"), ("局" * 200, "局" * 199 + "乙")])
def test_every_units_notice_and_form_is_its_own_file(repo: Path, tmp_path: Path, name: str, other: str) -> None:
    two_units(repo, name, other)
    r = sanzhua(repo, "brief", "--each-unit", str(tmp_path / "n"), *AS_OF)
    assert r.returncode == 0, r.stderr
    notices = sorted((tmp_path / "n").iterdir())
    assert len(notices) == 2, notices
    assert ["FGW-001" in p.read_text(encoding="utf-8") for p in notices].count(True) == 1
    assert ["JYJ-001" in p.read_text(encoding="utf-8") for p in notices].count(True) == 1
    f = sanzhua(repo, "form", "--each-unit", str(tmp_path / "f"), *AS_OF)
    assert f.returncode == 0, f.stderr
    assert len(list((tmp_path / "f").iterdir())) == 2
    assert all(len(p.name.encode()) <= 255 for p in [*notices, *(tmp_path / "f").iterdir()])


def test_a_units_long_name_still_names_its_form_and_notice(repo: Path) -> None:
    two_units(repo, "局" * 200, "县教育局")
    for argv in (["form", "--unit", "fgw", *AS_OF], ["brief", "--unit", "fgw", *AS_OF, "-f", "docx"]):
        r = sanzhua(repo, *argv)
        assert r.returncode == 0, r.stderr
    made = [p for p in repo.iterdir() if p.suffix in (".xlsx", ".docx")]
    assert len(made) == 2 and all(len(p.name.encode()) <= 255 and "局局局" in p.name for p in made), made


def test_file_name_keeps_a_short_name_and_cuts_a_long_one_apart() -> None:
    from sanzhua.outfile import NAME_BYTES, DistinctNames, file_name

    assert file_name("县发改委") == "县发改委"
    assert file_name("../../x") == "_.._x"
    a, b = file_name("局" * 200), file_name("局" * 199 + "乙")
    assert a != b and len(a.encode()) <= NAME_BYTES and len(b.encode()) <= NAME_BYTES
    names = DistinctNames()
    assert [names("n-同名.md", "a"), names("n-同名.md", "b"), names("N-同名.md", "b")] == [
        "n-同名.md", "n-同名-b.md", "N-同名-b-3.md"]


@pytest.mark.parametrize("folder", ["ledgers", ".", "public"])
def test_a_committed_site_marker_does_not_let_site_replace_the_ledger(repo: Path, folder: str) -> None:
    (repo / "public").mkdir()
    (repo / "public/notes.yml").write_text("a: 1\n", encoding="utf-8")
    (repo / folder / ".sanzhua-site").write_text("sanzhua site\n", encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "marker")
    r = sanzhua(repo, "site", *AS_OF, "-o", folder)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "不能覆盖" in r.stderr and "Traceback" not in r.stderr
    assert git(repo, "status", "--porcelain") == ""


def test_a_site_written_before_is_still_replaced(repo: Path, tmp_path: Path) -> None:
    for _ in range(2):
        r = sanzhua(repo, "site", *AS_OF, "-o", str(tmp_path / "site"))
        assert r.returncode == 0, r.stderr
    assert (tmp_path / "site/index.html").is_file()
