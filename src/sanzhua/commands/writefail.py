"""Why an output file could not be written, by its cause, in the user's language."""

from __future__ import annotations

import errno
from pathlib import Path

from sanzhua.errors import FatalError
from sanzhua.i18n import Lang, words


def write_failed(path: Path, e: OSError, lang: Lang, app: str = "Excel/WPS") -> FatalError:
    """The message for a failed write of `path`: a missing folder, a folder in the way,
    no permission (often the file open in `app` on Windows), a full or read-only disk."""
    parent = path.parent if str(path.parent) else Path(".")
    code = e.errno
    if code == errno.ENOENT or (code is None and not parent.is_dir()):
        return FatalError(
            words(lang, f"无法写入 {path}：文件夹 {parent} 不存在", f"cannot write {path}: no folder {parent}"),
            words(
                lang,
                f"先建立文件夹（mkdir -p {parent}），或用 -o 写到已有的文件夹",
                f"create the folder first (mkdir -p {parent}), or give -o a path in an existing folder",
            ),
        )
    if code == errno.ENOTDIR:
        return FatalError(
            words(lang, f"无法写入 {path}：路径中有一段是文件而不是文件夹", f"cannot write {path}: a file in the path"),
            words(lang, "检查 -o 后面的路径", "check the path after -o"),
        )
    if code == errno.EISDIR:
        return FatalError(
            words(lang, f"无法写入 {path}：这是一个文件夹", f"cannot write {path}: it is a folder"),
            words(lang, f"在后面加上文件名，例如 -o {path / 'out'}", f"add a file name, e.g. -o {path / 'out'}"),
        )
    if code in (errno.EACCES, errno.EPERM):
        return FatalError(
            words(lang, f"无法写入 {path}：没有权限", f"cannot write {path}: permission denied"),
            words(
                lang,
                f"文件可能正在 {app} 中打开，关闭后重试；或用 -o 写到自己有权限的文件夹",
                f"is the file open in {app}? close it and retry, or write to a folder of your own with -o",
            ),
        )
    if code == errno.ENOSPC:
        return FatalError(
            words(lang, f"无法写入 {path}：磁盘已满", f"cannot write {path}: the disk is full"),
            words(lang, "清理磁盘空间后重试", "free some space and retry"),
        )
    if code == errno.EROFS:
        return FatalError(
            words(lang, f"无法写入 {path}：磁盘是只读的", f"cannot write {path}: the disk is read-only"),
            words(lang, "用 -o 写到可写的文件夹", "write to a writable folder with -o"),
        )
    reason = e.strerror or str(e)
    return FatalError(words(lang, f"无法写入 {path}：{reason}", f"cannot write {path}: {reason}"))
