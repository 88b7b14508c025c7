"""Writing under pressure (issue 14.2, 14.9): concurrent edits, killed writers, read-only
files, full disks and read-only file systems. Real processes, real locks, real mounts."""

from __future__ import annotations

import errno
import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from sanzhua.commands.edit import EditRun, progress
from sanzhua.edit import session
from sanzhua.edit.lock import ledger_lock
from tests.test_edit import TODAY, fgw, make_ledger

# 4 processes x 250 rounds: the 1,000 edits. SANZHUA_CONCURRENCY_ROUNDS lowers it
# on a slow machine (the default is what CI runs).
PROCESSES = 4
ROUNDS = int(os.environ.get("SANZHUA_CONCURRENCY_ROUNDS", "250"))

WORKER = textwrap.dedent("""\
    import io, sys
    from datetime import date
    from pathlib import Path
    from sanzhua.commands.edit import EditRun, progress

    root, name, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    failures = 0
    for i in range(rounds):
        run = EditRun(root, date(2026, 11, 25), out=io.StringIO(), err=io.StringIO())
        code = progress(run, "XM-001", note=f"{name}-{i}", when="2026-11-20")
        if code != 0:
            failures += 1
            sys.stderr.write(run.err.getvalue())
        else:
            print(f"{name}-{i}", flush=True)
    sys.exit(1 if failures else 0)
""")


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return make_ledger(tmp_path)


def run_of(root: Path) -> EditRun:
    return EditRun(root, TODAY, out=io.StringIO(), err=io.StringIO())


def err_of(run: EditRun) -> str:
    assert isinstance(run.err, io.StringIO)
    return run.err.getvalue()


def test_concurrent_progress_edits_lose_nothing(ledger: Path, tmp_path: Path) -> None:
    """N processes append progress to one task at once; every edit that said "written"
    is in the file, and none was refused (each waits for the lock)."""
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = {**os.environ, "SANZHUA_LOCK_TIMEOUT": "120"}
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(ledger), f"w{n}", str(ROUNDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for n in range(PROCESSES)
    ]
    said_written: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err
        said_written += out.split()
    assert len(said_written) == PROCESSES * ROUNDS
    text = fgw(ledger).decode("utf-8")
    missing = [note for note in said_written if f"note: {note}}}" not in text]
    assert missing == []
    assert text.count("note: w") == PROCESSES * ROUNDS
    leftovers = [p.name for p in (ledger / "ledgers").iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_second_writer_waits_then_refuses_plainly(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While another process holds the lock the edit waits its timeout and refuses (exit 1),
    naming the lock; the file is untouched."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from sanzhua.edit.lock import ledger_lock\n"
            "with ledger_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(ledger),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("SANZHUA_LOCK_TIMEOUT", "0.5")
        before = fgw(ledger)
        run = run_of(ledger)
        t0 = time.monotonic()
        assert progress(run, "XM-001", note="等锁") == 1
        assert 0.4 < time.monotonic() - t0 < 10
        assert "另一个 sanzhua 命令正在修改台账" in err_of(run)
        assert ".sanzhua/edit.lock" in err_of(run)
        assert fgw(ledger) == before
        # A dry run needs no lock.
        dry = EditRun(ledger, TODAY, dry_run=True, out=io.StringIO(), err=io.StringIO())
        assert progress(dry, "XM-001", note="预览") == 0
    finally:
        holder.kill()
        holder.wait()
    # The kernel dropped the killed holder's lock: the next edit goes through at once.
    assert progress(run_of(ledger), "XM-001", note="锁已释放") == 0
    assert "锁已释放" in fgw(ledger).decode()


def test_fmt_and_import_take_the_lock_too(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SANZHUA_LOCK_TIMEOUT", "0.2")
    with ledger_lock(ledger):
        r = CliRunner().invoke(app, ["fmt", "--root", str(ledger)])
        assert r.exit_code == 1, r.output
        assert "另一个 sanzhua 命令正在修改台账" in r.output
        csv = ledger / "in.csv"
        csv.write_text("任务名称,责任单位,完成时限\n新任务,县发改委,2026-12-31\n", encoding="utf-8")
        r = CliRunner().invoke(app, ["import", str(csv), "--root", str(ledger)])
        assert r.exit_code == 2, r.output
        assert "另一个 sanzhua 命令正在修改台账" in r.output
        # Checking needs no lock.
        r = CliRunner().invoke(app, ["fmt", "--check", "--root", str(ledger)])
        assert "另一个" not in r.output


def test_a_killed_writer_leaves_no_temporary_file_behind(ledger: Path) -> None:
    """kill -9 in the middle of a write: the temporary file it leaves is hidden from
    discovery and removed by the next edit, and the ledger file is whole."""
    folder = ledger / "ledgers"
    code = textwrap.dedent("""\
        import os, sys
        from pathlib import Path
        from sanzhua.edit import session
        real = os.fsync
        def stop(fd):
            print("writing", flush=True)
            os.kill(os.getpid(), 9)
        session.os.fsync = stop
        from sanzhua.edit.lock import ledger_lock
        root = Path(sys.argv[1])
        path = root / "ledgers" / "fgw.yaml"
        with ledger_lock(root):
            session.write_atomic(path, b"unit: fgw\\ntasks: []\\n", path.read_bytes())
    """)
    before = fgw(ledger)
    p = subprocess.run(
        [sys.executable, "-c", code, str(ledger)], capture_output=True, text=True, timeout=60
    )
    assert p.returncode == -signal.SIGKILL, p.stderr
    assert "writing" in p.stdout
    temps = [x.name for x in folder.iterdir() if x.name.endswith(".tmp")]
    assert len(temps) == 1 and temps[0].startswith(".fgw.yaml.sanzhua-")
    (folder / ".fgw.yaml.k3j4h5.tmp").write_bytes(b"half a file")  # the naming before this fix
    assert fgw(ledger) == before
    r = CliRunner().invoke(app, ["check", "--root", str(ledger), "--as-of", "2026-11-25"])
    assert ".tmp" not in r.output
    assert progress(run_of(ledger), "XM-001", note="之后") == 0
    assert [x.name for x in folder.iterdir() if x.name.endswith(".tmp")] == []


def test_a_read_only_file_is_refused_even_for_root(ledger: Path) -> None:
    path = ledger / "ledgers" / "fgw.yaml"
    before = path.read_bytes()
    path.chmod(0o444)
    run = run_of(ledger)
    assert progress(run, "XM-001", note="只读") == 1
    assert "只读文件" in err_of(run)
    assert path.read_bytes() == before
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert [x.name for x in path.parent.iterdir() if x.name.endswith(".tmp")] == []


def test_a_full_disk_is_refused_plainly_at_the_write(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC injected at the write edge (os.write): plain message after the diff, exit 1,
    the file and folder as they were."""
    real_write = os.write

    def full(fd: int, data: bytes | memoryview) -> int:
        if os.fstat(fd).st_size > 0 or len(data) > 100:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    monkeypatch.setattr(session.os, "write", full)
    before = fgw(ledger)
    run = run_of(ledger)
    assert progress(run, "XM-001", note="磁盘满") == 1
    monkeypatch.undo()
    assert isinstance(run.out, io.StringIO)
    assert "+      - {date: 2026-11-25, note: 磁盘满}" in run.out.getvalue()
    assert "磁盘空间已满" in err_of(run)
    assert "内部错误" not in err_of(run) and "Traceback" not in err_of(run)
    assert fgw(ledger) == before
    assert [x.name for x in (ledger / "ledgers").iterdir() if x.name.endswith(".tmp")] == []


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 96 KB tmpfs mounted for the test (root and mount(8) needed, else skipped)."""
    point = tmp_path / "mnt"
    point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(point)], capture_output=True
    )
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=False)


def test_a_really_full_disk_and_a_read_only_mount(tiny_tmpfs: Path) -> None:
    root = make_ledger(tiny_tmpfs)
    path = root / "ledgers" / "fgw.yaml"
    before = path.read_bytes()
    with ledger_lock(root):
        pass  # the lock file exists before the disk fills, as in a ledger edited before
    # Fill the file system to the last byte.
    filler = tiny_tmpfs / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"x" * 512)
    except OSError as e:
        assert e.errno == errno.ENOSPC
    finally:
        os.close(fd)
    r = CliRunner().invoke(
        app, ["progress", "XM-001", "--note", "满" * 2000, "--root", str(root)]
    )
    assert r.exit_code == 1, r.output
    assert "磁盘空间已满" in r.output
    assert "内部错误" not in r.output
    assert path.read_bytes() == before
    assert [x.name for x in path.parent.iterdir() if x.name.endswith(".tmp")] == []
    filler.unlink()
    # Now read-only.
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    r = CliRunner().invoke(app, ["progress", "XM-001", "--note", "只读盘", "--root", str(root)])
    assert r.exit_code == 1, r.output
    assert "只读" in r.output
    assert "内部错误" not in r.output
    assert path.read_bytes() == before
