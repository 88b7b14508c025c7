"""Reading a file of the ledger without following it anywhere: the one reader of every
file a ledger repository holds (ledger files, settings, units, calendar, templates,
import sources).

A repository is written by many hands, and a committed symlink or special file would
otherwise make sanzhua read what it must not: `ledgers/z.yaml -> /dev/zero` (memory
without end), `-> ~/.git-credentials` (a secret printed in a CI log), a FIFO (a read
that never returns). `read_inside` reads a file only when its real path (every symlink
resolved) lies inside the ledger root and it is a regular file, and never more than a
cap of bytes (the `max_file_mb` setting); anything else raises `UnsafeFile`, which
callers turn into a problem (code `unsafe-file`) or a plain refusal naming the path.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # the max_file_mb setting's default (64 MB)

# Why a file was not read (UnsafeFile.reason); the message catalogue has "unsafe.<reason>".
OUTSIDE = "outside"  # its real path is outside the ledger root (a symlink out)
SPECIAL = "special"  # not a regular file: a FIFO, a device, a socket
FOLDER = "folder"  # a folder where a file belongs
TOO_BIG = "too-big"  # larger than the cap
UNREADABLE = "unreadable"  # the system refused (permissions, I/O error)


class UnsafeFile(Exception):
    """A file that was not read, and why. `detail` is the link target, the size or the
    system's reason; `path` the path as asked for."""

    def __init__(self, path: Path, reason: str, detail: str = "", code: int | None = None) -> None:
        super().__init__(f"{path}: {reason} {detail}".strip())
        self.path = path
        self.reason = reason
        self.detail = detail
        self.errno = code  # the system's error number, for UNREADABLE


def inside(path: str, root: str) -> bool:
    """Whether the real path `path` is `root` or below it (both already resolved)."""
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def read_inside(
    path: Path,
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    real_root: str | None = None,
    real_dirs: dict[str, str] | None = None,
) -> bytes:
    """The bytes of the regular file `path`, whose real path must lie inside `root`.

    Raises FileNotFoundError when there is no such file (nor a dangling link), and
    UnsafeFile for a link out of the root, a special file or folder, a file over
    `max_bytes` (at most max_bytes + 1 bytes are ever read), or a system error.
    `real_root` is `os.path.realpath(root)` when the caller reads many files of one root
    (the loader: a thousand files, a thousand resolutions of the same folder), and
    `real_dirs` the real paths of the folders read so far, filled as they are resolved.
    """
    real = os.path.realpath(path) if real_dirs is None else _real_path(str(path), real_dirs)
    if not inside(real, real_root if real_root is not None else os.path.realpath(root)):
        if not os.path.lexists(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
        raise UnsafeFile(path, OUTSIDE, real)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise
    except OSError as e:
        raise UnsafeFile(path, UNREADABLE, e.strerror or str(e), e.errno) from e
    _regular(path, st.st_mode)
    if st.st_size > max_bytes:
        raise UnsafeFile(path, TOO_BIG, str(st.st_size))
    # O_NONBLOCK: a FIFO swapped in since the stat cannot block the open;
    # O_NOFOLLOW: nor can a symlink swapped in for the resolved path be followed.
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(real, flags | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise UnsafeFile(path, OUTSIDE, real) from e
        raise UnsafeFile(path, UNREADABLE, e.strerror or str(e), e.errno) from e
    try:
        _regular(path, os.fstat(fd).st_mode)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise UnsafeFile(path, UNREADABLE, e.strerror or str(e), e.errno) from e
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise UnsafeFile(path, TOO_BIG, f">{max_bytes}")
    return data


def _real_path(path: str, real_dirs: dict[str, str]) -> str:
    """`os.path.realpath(path)`, its folder resolved once for all the files in it: a file
    that is no link is its real folder and its name. os.path.realpath looks up every
    component of every path: 20,000 files in one folder were 160,000 lstat calls."""
    folder, name = os.path.split(path)
    if name in ("", ".", ".."):
        return os.path.realpath(path)
    real_folder = real_dirs.get(folder)
    if real_folder is None:
        real_folder = real_dirs[folder] = os.path.realpath(folder)
    real = os.path.join(real_folder, name)
    try:
        if not stat.S_ISLNK(os.lstat(real).st_mode):
            return real
    except OSError:
        pass
    return os.path.realpath(path)


def _regular(path: Path, mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise UnsafeFile(path, FOLDER)
    if not stat.S_ISREG(mode):
        raise UnsafeFile(path, SPECIAL, _kind(mode))


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "special"


def read_optional(path: Path, root: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes | None:
    """`read_inside`, or None when the file does not exist."""
    try:
        return read_inside(path, root, max_bytes=max_bytes)
    except FileNotFoundError:
        return None
