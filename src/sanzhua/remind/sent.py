"""The record of reminders sent: what makes a second run on the same day send nothing twice.

A JSON file (never code: it is read with `json`, checked field by field, and refused
when it is anything else), by default `.sanzhua/remind-sent.json` in the ledger root,
which `.gitignore` keeps out of git; in CI, a path the job caches between runs. Each
record is one item delivered on one channel: (day, unit, channel, task, state).
Records older than `KEEP_DAYS` are dropped when the file is written. Writes go to a
temporary file renamed over the old one, so a crash leaves the old record or the new,
never half of one; a lock file keeps two runs from sending at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import IO

from sanzhua.errors import FatalError
from sanzhua.problems import msg

FORMAT = "sanzhua-remind-sent"
VERSION = 1
KEEP_DAYS = 62
MAX_BYTES = 32 * 1024 * 1024  # about 300,000 records: far beyond two months of any county's reminders
_FIELD = re.compile(r"^[^\x00-\x1f\x7f]{1,200}$")

Key = tuple[str, str, str, str]  # (unit, channel, task, state)


@dataclass
class SentRecord:
    path: Path
    days: dict[date, set[Key]] = field(default_factory=dict)

    def sent_on(self, day: date) -> set[Key]:
        return self.days.get(day, set())

    def add(self, day: date, key: Key) -> None:
        self.days.setdefault(day, set()).add(key)

    def save(self, as_of: date) -> None:
        """Write the record atomically, without the days older than KEEP_DAYS before `as_of`."""
        oldest = as_of - timedelta(days=KEEP_DAYS)
        rows = [
            {"day": d.isoformat(), "unit": k[0], "channel": k[1], "task": k[2], "state": k[3]}
            for d in sorted(self.days)
            if d >= oldest
            for k in sorted(self.days[d])
        ]
        data = json.dumps({"format": FORMAT, "version": VERSION, "sent": rows}, ensure_ascii=False, indent=1)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".remind-sent.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(data + "\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def load_sent(path: Path) -> SentRecord:
    """Read the record; a missing file is an empty record, anything malformed is refused."""
    record = SentRecord(path)
    if not path.exists():
        return record
    if not path.is_file():
        raise _bad(path, "remind.sent.not-regular")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise _bad(path, "remind.sent.too-large", size=size)
    try:
        raw = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise _bad(path, "remind.sent.unreadable", detail=e) from e
    if not isinstance(raw, dict) or raw.get("format") != FORMAT or raw.get("version") != VERSION:
        raise _bad(path, "remind.sent.foreign")
    rows = raw.get("sent")
    if not isinstance(rows, list):
        raise _bad(path, "remind.sent.no-list", key="sent")
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or set(row) != {"day", "unit", "channel", "task", "state"}:
            raise _bad(path, "remind.sent.fields", n=n)
        values = [row["day"], row["unit"], row["channel"], row["task"], row["state"]]
        if not all(isinstance(v, str) and _FIELD.match(v) for v in values):
            raise _bad(path, "remind.sent.value", n=n)
        try:
            day = date.fromisoformat(row["day"])
        except ValueError as e:
            raise _bad(path, "remind.sent.day", n=n) from e
        record.add(day, (row["unit"], row["channel"], row["task"], row["state"]))
    return record


def _bad(path: Path, key: str, /, **args: object) -> FatalError:
    """The record of sends is not one sanzhua wrote: `key` (remind.sent.*) says how."""
    return FatalError(msg("remind.sent.bad", path=path, what=msg(key, **args)), msg("remind.sent.bad.hint"))


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold `path`.lock while sending: a second `remind --send` at the same time stops."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    f = _open_lock(lock_path)
    try:
        if not _try_lock(f):
            raise FatalError(msg("remind.busy", lock=lock_path), msg("remind.busy.hint"))
        yield
    finally:
        f.close()


def _open_lock(lock_path: Path) -> IO[bytes]:
    """The lock file, opened without following a link (a committed `.lock -> /elsewhere/x`
    had x created outside the ledger) and without waiting on a FIFO; a regular file only."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    refused = FatalError(msg("remind.lock-unsafe", lock=lock_path), msg("remind.lock-unsafe.hint", lock=lock_path))
    if lock_path.is_symlink():
        raise refused
    try:
        fd = os.open(lock_path, flags, 0o666)
    except OSError as e:
        raise refused from e
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise refused
    return os.fdopen(fd, "ab")


def _try_lock(f: IO[bytes]) -> bool:
    if sys.platform == "win32":  # each platform's own lock module: the other one does not exist
        # lazy: this platform's own module
        import msvcrt

        try:
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    # lazy: this platform's own module
    import fcntl

    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
