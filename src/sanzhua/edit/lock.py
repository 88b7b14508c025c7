"""The ledger's edit lock: one writer at a time, from the first read to the last rename.

Every command that writes ledger files (progress, done, extend, new, fmt, import) takes
an exclusive `flock` on `.sanzhua/edit.lock` under the ledger root before it loads the
ledger, and keeps it until its last file is replaced. Without it two edits of one file
that run at once both read the same bytes and the later rename silently drops the
earlier edit (issue 14.2). A second edit waits for the first (up to `SANZHUA_LOCK_TIMEOUT`
seconds, default 30) and then refuses; the kernel drops the lock of a process that dies,
so a `kill -9` never leaves the ledger locked.

Temporary files of an atomic write are named `.<file>.sanzhua-<random>.tmp`: discovery
skips names that start with a dot, and a writer that holds the lock removes the ones a
killed process left behind (no other writer can be using them).
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sanzhua.edit.session import Refused, os_refusal
from sanzhua.load.safe import inside
from sanzhua.problems import msg

LOCK_DIR = ".sanzhua"
LOCK_NAME = "edit.lock"
DEFAULT_TIMEOUT = 30.0

# `.name.yaml.sanzhua-abc123.tmp` (this version) and `.name.yaml.abc123.tmp` (before it).
STALE_TMP = re.compile(r"^\..+\.ya?ml\.(sanzhua-)?[A-Za-z0-9_]+\.tmp$")


def lock_timeout() -> float:
    raw = os.environ.get("SANZHUA_LOCK_TIMEOUT", "")
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 else DEFAULT_TIMEOUT


@contextmanager
def ledger_lock(root: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the ledger's edit lock; refuse when another writer keeps it past `timeout`."""
    wait = lock_timeout() if timeout is None else timeout
    folder = root / LOCK_DIR
    path = folder / LOCK_NAME
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        # A committed `.sanzhua -> /elsewhere` would have the lock and its .gitignore written there.
        raise Refused(msg("edit.lock-folder", folder=LOCK_DIR), msg("edit.lock-folder.hint", folder=LOCK_DIR))
    ledgers = root / "ledgers"
    if ledgers.is_symlink() and not inside(os.path.realpath(ledgers), os.path.realpath(root)):
        # A committed `ledgers -> ../elsewhere`: `new` wrote its file there, and the sweep of
        # stale temporaries removed files there.
        raise Refused(msg("edit.folder-outside", folder="ledgers"), msg("edit.folder-outside.hint", folder="ledgers"))
    try:
        if not folder.is_dir():
            folder.mkdir(exist_ok=True)
            ignore = folder / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    except OSError as e:
        raise os_refusal(e, f"{LOCK_DIR}/{LOCK_NAME}") from None
    try:
        if not _acquire(fd, wait):
            raise Refused(
                msg("edit.locked", file=f"{LOCK_DIR}/{LOCK_NAME}", seconds=f"{wait:g}"),
                msg("edit.locked.hint"),
            )
        sweep_stale_temporaries(root)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


class _TimedOut(Exception):
    pass


def _acquire(fd: int, wait: float) -> bool:
    """Take the lock within `wait` seconds. In the main thread a blocking flock under a
    timer: the kernel wakes a waiter the moment the lock is free, so an edit is not starved
    by others that take the lock in a loop; elsewhere (no signals) by polling."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as e:
        if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise os_refusal(e, f"{LOCK_DIR}/{LOCK_NAME}") from None
    if wait <= 0:
        return False
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def expire(signum: int, frame: object) -> None:
            raise _TimedOut

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, wait)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return True
        except _TimedOut:
            return False
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        time.sleep(0.01)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise os_refusal(e, f"{LOCK_DIR}/{LOCK_NAME}") from None
    return False


def sweep_stale_temporaries(root: Path) -> None:
    """Remove temporary files that a killed writer left below ledgers/ (the lock is held)."""
    stack = [root / "ledgers"]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    if not e.name.startswith("."):
                        stack.append(Path(e.path))
                elif STALE_TMP.match(e.name) and e.is_file(follow_symlinks=False):
                    os.unlink(e.path)
            except OSError:
                continue
