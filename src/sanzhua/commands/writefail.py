"""Why an output file could not be written, by its cause, in the user's language."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from sanzhua.errors import FatalError
from sanzhua.i18n import Lang
from sanzhua.outfile import NotAnOutput
from sanzhua.problems import msg

# errno → the catalogue key of the message (its hint is the key + ".hint")
_CAUSES = {
    errno.ENOTDIR: "write.not-a-folder",
    errno.EISDIR: "write.is-a-folder",
    errno.EACCES: "write.denied",
    errno.EPERM: "write.denied",
    errno.ENOSPC: "write.disk-full",
    errno.EROFS: "write.read-only",
    errno.EDQUOT: "write.disk-full",
    errno.EFBIG: "write.too-large",  # past RLIMIT_FSIZE (ulimit -f)
    errno.ENXIO: "write.no-reader",  # a FIFO nobody reads (opened without waiting)
}


def write_failed(path: Path, e: OSError, lang: Lang, app: str = "Excel/WPS") -> FatalError:
    """The message for a failed write of `path`: a missing folder, a folder in the way,
    no permission (often the file open in `app` on Windows), a full or read-only disk."""
    parent = path.parent if str(path.parent) else Path(".")
    if isinstance(e, NotAnOutput):
        return FatalError(
            msg(f"write.{e.why}", path=path),
            msg(f"write.{e.why}.hint"),
            lang=lang,
        )
    code = e.errno
    if code == errno.ENOENT or (code is None and not parent.is_dir()):
        return FatalError(
            msg("write.no-folder", path=path, parent=parent),
            msg("write.no-folder.hint", command=f"mkdir -p {parent}"),
            lang=lang,
        )
    key = _CAUSES.get(code) if code is not None else None
    if key is not None:
        return FatalError(
            msg(key, path=path, command="ulimit -f"),
            msg(f"{key}.hint", app=app, example=path / "out", command="ulimit -f unlimited"),
            lang=lang,
        )
    return FatalError(msg("write.failed", path=path, reason=e.strerror or str(e)), lang=lang)


def serialisation_error(e: Exception) -> OSError | None:
    """lxml's `SerialisationError("IO_EFBIG")` (openpyxl saving a workbook through lxml onto a
    full disk or past `ulimit -f`) as the OSError it stands for; None for any other error."""
    if type(e).__name__ != "SerialisationError":
        return None
    name = str(e).removeprefix("IO_")
    code = getattr(errno, name, None)
    return OSError(code, os.strerror(code) if isinstance(code, int) else str(e))
