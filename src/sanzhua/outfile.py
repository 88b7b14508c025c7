"""Writing an output file (a bulletin, a workbook, a calendar, CODEOWNERS) so that nothing in
the folder can turn the write elsewhere.

A ledger repository is written by many people, and its outputs land in it: `sanzhua
codeowners` writes `CODEOWNERS` at the top, `export` writes `台账-<date>.xlsx` in the
current folder. Had someone committed `CODEOWNERS -> ~/.bashrc`, an ordinary
`open(path, "w")` would have written through the link into the CI runner's home. Here the
bytes go to a temporary file in the same folder, which then replaces the path with one
rename: a symbolic link there is replaced, never followed; a reader never sees half a file;
a crash or a full disk leaves the old file as it was and no temporary behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["file_name", "replace_bytes", "replacing", "umask"]

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


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write to; on success it replaces `path`.
    The folder must exist (the callers that make it say so).

    For writers that want a file name (openpyxl's `save`). Raises OSError as the
    writes do (the caller turns it into its message); the temporary is removed then.
    """
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
    return _UNSAFE.sub("_", name).strip(". ") or empty
