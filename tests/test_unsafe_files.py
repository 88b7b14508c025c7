"""Links, special files, huge files and unreadable settings (issue 14.3 and 14.9).

Each case is made for real in a temporary ledger (symlinks, os.mkfifo, a folder where
a file belongs) and run through the real command, in a subprocess with a timeout
where the old behaviour was to hang or to eat memory.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sanzhua.load.safe import FOLDER, OUTSIDE, SPECIAL, TOO_BIG, UnsafeFile, read_inside
from tests.conftest import REPO, MakeLedger

GOOD = "unit: fgw\ntasks:\n  - {id: XM-001, title: 建设产业园区, due: 2026-09-30}\n"
SECRET = "https://unit:s3cr3t-t0ken@example.org"


def _run(root: Path, *args: str, timeout: float = 60, drop_dac: bool = False) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"), NO_COLOR="1", COLUMNS="120")
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=_drop_dac if drop_dac else None,
    )


def _drop_dac() -> None:
    """In the child: give up root's right to ignore file modes (CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH), so that a chmod 000 file is unreadable even to root."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def _problems(out: str) -> list[tuple[str, str]]:
    return [(p["file"], p["code"]) for p in json.loads(out)["problems"]]


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "git-credentials"
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


def test_links_out_and_special_files_in_ledgers(make_ledger: MakeLedger, secret: Path) -> None:
    """/dev/zero, a credentials file outside the root, a FIFO, a folder link to / :
    each is one unsafe-file error naming it; nothing is read from them, nothing hangs,
    and the good file is still checked."""
    root = make_ledger({"ledgers/a.yaml": GOOD.replace("XM-001", "XM-009") + "  - {id: BAD, title: x, due: 尽快}\n"})
    os.symlink("/dev/zero", root / "ledgers/z.yaml")
    os.symlink(secret, root / "ledgers/c.yaml")
    os.symlink("/", root / "ledgers/everything")
    os.mkfifo(root / "ledgers/x.yaml")
    for fmt in ("text", "json"):
        done = _run(root, "check", "--as-of", "2026-11-25", "--format", fmt, timeout=30)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "s3cr3t" not in done.stdout + done.stderr
    found = _problems(done.stdout)
    for rel in ("ledgers/z.yaml", "ledgers/c.yaml", "ledgers/x.yaml", "ledgers/everything"):
        assert (rel, "unsafe-file") in found, found
    assert ("ledgers/a.yaml", "invalid-date") in found  # the other files go on
    text = _run(root, "check", "--as-of", "2026-11-25", "--lang", "en", timeout=30).stdout
    assert "ledgers/c.yaml" in text and "outside the ledger" in text and "not a regular file (fifo)" in text


def test_reports_and_fmt_do_not_follow_them(make_ledger: MakeLedger, secret: Path) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD})
    os.symlink(secret, root / "ledgers/c.yaml")
    os.mkfifo(root / "ledgers/x.yaml")
    for args in (
        ["status", "--as-of", "2026-11-25", "--allow-errors"],
        ["brief", "--week", "--as-of", "2026-11-25", "--allow-errors"],
        ["fmt", "--check"],
    ):
        done = _run(root, *args, timeout=30)
        assert done.returncode in (0, 1, 2), done.stderr
        assert "Traceback" not in done.stderr and "s3cr3t" not in done.stdout + done.stderr, args


def test_settings_files_that_are_links_out_or_special(make_ledger: MakeLedger, secret: Path) -> None:
    """units.yaml and calendar.yaml: an unsafe-file error each (exit 1), no units read;
    sanzhua.yaml: the command cannot run (exit 2), a plain message in both languages."""
    root = make_ledger({"ledgers/a.yaml": GOOD})
    (root / "units.yaml").unlink()
    os.symlink(secret, root / "units.yaml")
    os.mkfifo(root / "calendar.yaml")
    done = _run(root, "check", "--as-of", "2026-11-25", "--format", "json", timeout=30)
    assert done.returncode == 1 and "s3cr3t" not in done.stdout
    found = _problems(done.stdout)
    assert ("units.yaml", "unsafe-file") in found and ("calendar.yaml", "unsafe-file") in found
    assert ("units.yaml", "missing-file") not in found
    assert not any(code == "unknown-unit" for _, code in found)  # no flood: the units were not read

    (root / "units.yaml").unlink()
    (root / "units.yaml").mkdir()
    done = _run(root, "check", "--as-of", "2026-11-25", "--lang", "en", timeout=30)
    assert done.returncode == 1 and "units.yaml is a folder where a file belongs" in done.stdout, done.stdout

    (root / "sanzhua.yaml").rename(root / "real.yaml")
    os.symlink("/etc/passwd", root / "sanzhua.yaml")
    done = _run(root, "check", "--as-of", "2026-11-25", timeout=30)
    assert done.returncode == 2 and "Traceback" not in done.stderr and "root:" not in done.stdout + done.stderr
    assert "sanzhua.yaml" in done.stderr and ("outside the ledger" in done.stderr or "台账目录之外" in done.stderr)
    (root / "sanzhua.yaml").unlink()
    os.mkfifo(root / "sanzhua.yaml")
    done = _run(root, "status", "--as-of", "2026-11-25", timeout=30)
    assert done.returncode == 2 and "fifo" in done.stderr and "Traceback" not in done.stderr


def test_the_size_cap(make_ledger: MakeLedger) -> None:
    """A file over max_file_mb is an error, read no further than the cap."""
    root = make_ledger({"ledgers/a.yaml": GOOD})
    (root / "sanzhua.yaml").write_text("name: 测试\nyear: 2026\nmax_file_mb: 1\n", encoding="utf-8")
    big = "unit: fgw\ntasks:\n" + "".join(f"  - {{id: T{i}, title: 任务{i}, due: 2026-09-30}}\n" for i in range(30000))
    assert len(big.encode()) > 1 << 20
    (root / "ledgers/big.yaml").write_text(big, encoding="utf-8")
    done = _run(root, "check", "--as-of", "2026-11-25", "--format", "json", "--lang", "en", timeout=60)
    assert ("ledgers/big.yaml", "unsafe-file") in _problems(done.stdout)
    assert "max_file_mb" in done.stdout
    with pytest.raises(UnsafeFile) as err:
        read_inside(root / "ledgers/big.yaml", root, max_bytes=1000)
    assert err.value.reason == TOO_BIG


def test_read_inside(tmp_path: Path, secret: Path) -> None:
    root = tmp_path / "root"
    (root / "sub").mkdir(parents=True)
    (root / "sub/a.yaml").write_bytes(b"x: 1\n")
    os.symlink("sub/a.yaml", root / "in.yaml")  # a link that stays inside is fine
    os.symlink(secret, root / "out.yaml")
    os.symlink("../sub/../../git-credentials", root / "sub/sneaky.yaml")
    os.mkfifo(root / "fifo.yaml")
    assert read_inside(root / "in.yaml", root) == b"x: 1\n"
    for name, reason in (("out.yaml", OUTSIDE), ("sub/sneaky.yaml", OUTSIDE), ("fifo.yaml", SPECIAL), ("sub", FOLDER)):
        with pytest.raises(UnsafeFile) as err:
            read_inside(root / name, root)
        assert err.value.reason == reason, name
    with pytest.raises(UnsafeFile):
        read_inside(Path("/dev/zero"), Path("/dev"))
    with pytest.raises(FileNotFoundError):
        read_inside(root / "missing.yaml", root)


def test_a_user_template_that_is_a_link_out_or_special(make_ledger: MakeLedger, secret: Path) -> None:
    """templates/brief.md.j2 -> a secret: brief refuses (exit 2) naming the template and
    prints nothing of it; an {% include %} of a link out is refused the same way."""
    root = make_ledger({"ledgers/a.yaml": GOOD})
    (root / "templates").mkdir()
    os.symlink(secret, root / "templates/brief.md.j2")
    done = _run(root, "brief", "--week", "--as-of", "2026-11-25", timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "s3cr3t" not in done.stdout + done.stderr and "templates/brief.md.j2" in done.stderr
    assert "Traceback" not in done.stderr
    (root / "templates/brief.md.j2").unlink()
    (root / "templates/brief.md.j2").write_text("{% include 'part.md.j2' %}\n", encoding="utf-8")
    os.symlink(secret, root / "templates/part.md.j2")
    done = _run(root, "brief", "--week", "--as-of", "2026-11-25", timeout=30)
    assert done.returncode == 2 and "s3cr3t" not in done.stdout + done.stderr and "part.md.j2" in done.stderr
    (root / "templates/part.md.j2").unlink()
    os.mkfifo(root / "templates/notice.docx")
    done = _run(root, "brief", "--unit", "fgw", "--as-of", "2026-11-25", "--format", "docx", "-o", "n.docx", timeout=30)
    assert done.returncode in (1, 2) and "Traceback" not in done.stderr


def _capabilities_can_be_dropped() -> bool:
    try:
        done = subprocess.run([sys.executable, "-c", "pass"], preexec_fn=_drop_dac, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@pytest.mark.skipif(
    os.geteuid() == 0 and not _capabilities_can_be_dropped(),
    reason="running as root without the right to drop CAP_DAC_OVERRIDE: file modes cannot be made to bite",
)
def test_unreadable_settings_files(make_ledger: MakeLedger) -> None:
    """chmod 000 units.yaml / sanzhua.yaml: a plain message, exit 1 or 2, no internal error.
    Run as root (the tests are), the child gives up CAP_DAC_OVERRIDE so the modes count."""
    root = make_ledger({"ledgers/a.yaml": GOOD})
    (root / "units.yaml").chmod(0)
    try:
        done = _run(root, "check", "--as-of", "2026-11-25", "--format", "json", drop_dac=True)
        assert done.returncode == 1, done.stderr
        assert ("units.yaml", "unsafe-file") in _problems(done.stdout)
        assert "Permission denied" in done.stdout or "权限" in done.stdout
        (root / "sanzhua.yaml").chmod(0)
        done = _run(root, "status", "--as-of", "2026-11-25", drop_dac=True)
        assert done.returncode == 2 and "sanzhua.yaml" in done.stderr and "Traceback" not in done.stderr
        assert "internal error" not in done.stderr.lower() and "内部错误" not in done.stderr
    finally:
        (root / "units.yaml").chmod(0o644)
        (root / "sanzhua.yaml").chmod(0o644)
