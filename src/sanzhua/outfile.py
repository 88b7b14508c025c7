"""Writing an output file (a bulletin, a workbook, a calendar, CODEOWNERS) so that nothing in
the folder can turn the write elsewhere.

A ledger repository is written by many people, and its outputs land in it: `sanzhua
codeowners` writes `CODEOWNERS` at the top, `export` writes `台账-<date>.xlsx` in the
current folder. Had someone committed `CODEOWNERS -> ~/.bashrc`, an ordinary
`open(path, "w")` would have written through the link into the CI runner's home. Here the
bytes go to a temporary file in the same folder, which then replaces the path with one
rename: a symbolic link there is replaced, never followed; a reader never sees half a file;
a crash or a full disk leaves the old file as it was and no temporary behind.

Two kinds of path are not replaced (issue 14, p-red3a). A device or a pipe named there
(`-o /dev/null`, `-o /dev/full`, a FIFO) is written into, as a shell's `>` would: replacing
it left a regular file where /dev/null stood, for every program on the machine, when
sanzhua ran as root (as in a CI container). And a path sanzhua never writes an output to is
refused (`NotAnOutput`): an existing YAML file (sanzhua's outputs are Markdown, Word,
xlsx, CSV, iCalendar and CODEOWNERS, so a YAML file there is a ledger file, the settings or
the units: `export -o ledgers/fgw.yaml` replaced the ledger with a workbook), and any path
inside a `.git` folder (`calendar -o .git/config`).

The process's own streams named by path (`-o /dev/stdout`, `/dev/stderr`, `/dev/fd/N`,
`/proc/self/fd/N`) are written into through the stream itself; any other link in a system
folder (/dev, /proc, /sys) is refused: /dev/stdout is a link, and as root its replacement
left a regular file where every program's /dev/stdout stood.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["DistinctNames", "NotAnOutput", "file_name", "replace_bytes", "replacing", "umask"]

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def umask() -> int:
    """The process's umask (reading it means setting it: set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _mode(path: Path) -> int:
    """The mode the new file gets: a regular file's own; otherwise what the umask gives."""
    try:
        st = os.lstat(path)
    except OSError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        return stat.S_IMODE(st.st_mode)
    return 0o666 & ~umask()


class NotAnOutput(OSError):
    """A path sanzhua will not write an output to; `why` names the reason ("ledger-yaml",
    "in-git", "not-a-file"), the last part of its catalogue key `write.<why>`."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(errno.EPERM, why, str(path))
        self.why = why


_LEDGER_SUFFIXES = (".yaml", ".yml")


def _refuse(path: Path, st: os.stat_result | None) -> None:
    """Raise NotAnOutput when `path` (its lstat `st`) is no place for an output."""
    if st is not None and (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)) \
            and path.suffix.lower() in _LEDGER_SUFFIXES:
        raise NotAnOutput(path, "ledger-yaml")
    try:
        folder = Path(os.path.realpath(path.parent if str(path.parent) else "."))
    except (OSError, ValueError):
        folder = path.parent
    if ".git" in folder.parts:
        raise NotAnOutput(path, "in-git")
    if st is not None and (stat.S_ISBLK(st.st_mode) or stat.S_ISSOCK(st.st_mode)):
        raise NotAnOutput(path, "not-a-file")
    if st is not None and stat.S_ISLNK(st.st_mode) and (folder.parts[1:2] or ("",))[0] in _SYSTEM:
        raise NotAnOutput(path, "not-a-file")


_SYSTEM = ("dev", "proc", "sys")
_OWN_STREAM = re.compile(r"/dev/std(out|err)|/(?:dev/fd|proc/self/fd)/(\d{1,6})")


def _own_stream(path: Path) -> int | None:
    """The descriptor `path` names when it is one of this process's own streams."""
    m = _OWN_STREAM.fullmatch(os.path.normpath(os.path.abspath(path)))
    if m is None:
        return None
    return (1 if m.group(1) == "out" else 2) if m.group(1) else int(m.group(2))


def _into_device(path: Path, fifo: bool) -> int:
    """Open the device or FIFO at `path` for writing, never creating, never following a link
    (a FIFO without a reader is ENXIO at once, not a wait)."""
    flags = os.O_WRONLY | os.O_NOCTTY | os.O_NOFOLLOW | (os.O_NONBLOCK if fifo else 0)
    fd = os.open(path, flags)
    if fifo:
        os.set_blocking(fd, True)
    return fd


@contextlib.contextmanager
def _through_device(path: Path, fifo: bool, own: int | None = None) -> Iterator[Path]:
    """A temporary in the system's temporary folder (never beside a device, in /dev), whose
    bytes go into the device once written; `own`: into that descriptor of this process."""
    fd = _into_device(path, fifo) if own is None else os.dup(own)
    try:
        tfd, tmp = tempfile.mkstemp(suffix=".sanzhua-tmp")
        os.close(tfd)
        try:
            yield Path(tmp)
            with open(tmp, "rb") as src, os.fdopen(os.dup(fd), "wb") as dst:
                shutil.copyfileobj(src, dst)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; on success it replaces `path`.
    The folder must exist (the callers that make it say so).

    For writers that want a file name (openpyxl's `save`). Raises OSError as the
    writes do (the caller turns it into its message); the temporary is removed then.
    """
    own = _own_stream(path)
    if own is not None:
        with _through_device(path, False, own) as staged:
            yield staged
        return
    try:
        st: os.stat_result | None = os.lstat(path)
    except OSError:
        st = None
    _refuse(path, st)
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        with _through_device(path, stat.S_ISFIFO(st.st_mode)) as staged:
            yield staged
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:64]}.", suffix=".sanzhua-tmp")
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, _mode(path))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def replace_bytes(path: Path, data: bytes) -> None:
    """Write `data` as the whole of `path`, replacing (not following) whatever is there."""
    with replacing(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def file_name(name: str, empty: str = "_") -> str:
    """A name from the settings or units.yaml made one file name in the output folder: no
    folder separators (`bulletin.name: ../../x` once wrote outside it), none of the characters
    Windows refuses, no control characters, no leading or trailing dots and spaces."""
    name = _UNSAFE.sub("_", name).strip(". ") or empty
    return name if len(name.encode("utf-8", "surrogatepass")) <= NAME_BYTES else _cut(name)


# A name's share of a file name, in UTF-8 bytes: a file name is at most 255 bytes, and a
# form's or a notice's holds a unit's name beside a word and a date. A unit named with 200
# Han characters (600 bytes) made `brief --each-unit` and `form` stop at that unit, "File
# name too long" (issue 14, p-red3a).
NAME_BYTES = 96


def _cut(name: str) -> str:
    """`name` cut to its first characters that fit NAME_BYTES with "~" and 8 hex digits of
    the whole name's digest (two long names alike in their first 80 bytes stay apart)."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    room, kept = NAME_BYTES - 9, []
    for ch in name:
        room -= len(ch.encode("utf-8", "surrogatepass"))
        if room < 0:
            break
        kept.append(ch)
    return "".join(kept).rstrip(". ") + "~" + digest


class DistinctNames:
    """The file names one run writes into one folder (`brief --each-unit`, `form
    --each-unit`), each once: two units of one name (units.yaml does not forbid it), or two
    names made one file name, wrote the same file, and the first unit's notice or form was
    replaced by the second's while both were said written (issue 14, p-red3a). A name
    given before gets its unit's id before the extension, then a number."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def __call__(self, name: str, key: str) -> str:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        tail = f".{ext}" if dot else ""
        got, n = name, 1
        while got.casefold() in self._taken:
            n += 1
            got = f"{stem}-{file_name(key)}{tail}" if n == 2 else f"{stem}-{file_name(key)}-{n}{tail}"
        self._taken.add(got.casefold())
        return got
