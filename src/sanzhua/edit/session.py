"""One edit of one file, from reading to writing: validate, refuse, diff, write atomically, commit.

The rules every edit command follows (issue 6):
- the file must be valid before the edit (an edit never builds on a broken file);
- the result is parsed and the ledger checks run again; an edit that would add an
  error is refused, and nothing is written;
- tasks the edit did not mean to touch must read back exactly as before;
- the file is re-read right before it is replaced; if it changed since it was read,
  the edit is refused;
- the write is atomic: a temporary file in the same folder, fsync, rename, the file's
  mode kept.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanzhua.checks import Context, run_checks
from sanzhua.edit.source import unified_diff
from sanzhua.gitargs import not_owned
from sanzhua.history.git import GitError
from sanzhua.history.git import run_git as _git
from sanzhua.i18n import Lang, text
from sanzhua.load import FileResult, Ledger, assemble, parse_ledger_bytes
from sanzhua.model import Task
from sanzhua.outfile import umask
from sanzhua.output import SourceLines, problem_lines
from sanzhua.problems import Msg, Problem, msg

if TYPE_CHECKING:
    from sanzhua.edit.span import Span


class Refused(Exception):
    """The edit is refused (exit 1); nothing was written."""

    def __init__(
        self,
        message: Msg,
        hint: Msg | None = None,
        problems: list[Problem] | None = None,
        texts: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message.key)
        self.message = message
        self.hint = hint
        self.problems = problems or []
        self.texts = texts or {}


@dataclass
class Change:
    """What an edit command wants written: one file's old and new bytes."""

    rel: str  # path relative to the ledger root, "/" separators
    before: bytes  # b"" for a file that does not exist yet
    after: bytes
    subject: str  # the commit message's first line
    created: bool = False
    task_id: str | None = None  # the task the edit meant to change (others must stay as they were)
    also: frozenset[str] = frozenset()  # further tasks it means to change (collect: a form's rows)
    notes: list[Problem] = field(
        default_factory=list
    )  # warnings the edit brings, shown, not refused
    span: Span | None = None  # an edit of one task's lines only (sanzhua.edit.span)
    span_text: str = ""  # those lines as the edit leaves them

    def diff(self) -> str:
        """The unified diff shown before writing."""
        if self.span is not None:
            return self.span.diff(self.span_text)
        return unified_diff(self.before, self.after, self.rel)


def ledger_with(ledger: Ledger, result: FileResult) -> Ledger:
    """The ledger with one file's parse replaced (or added); the ledger itself when that
    parse is the one it holds already."""
    if any(f is result for f in ledger.files):
        return ledger
    files = [f for f in ledger.files if f.path != result.path]
    at = next((i for i, f in enumerate(ledger.files) if f.path == result.path), len(files))
    files.insert(at, result)
    return assemble(
        ledger.root,
        ledger.settings,
        ledger.units,
        ledger.calendar,
        files,
        list(ledger.problems),
        has_units_file=ledger.has_units_file,
        sources={k: v for k, v in ledger.sources.items() if k != result.path},
    )


def parse_in(ledger: Ledger, data: bytes, rel: str) -> FileResult:
    """`rel` parsed from `data`: the ledger's own parse when it read these very bytes (an
    edit reads its file again, and parsing a big file is most of an edit's time)."""
    if ledger.sources.get(rel) == data:
        own = ledger.file(rel)
        if own is not None:
            return own
    key = (rel, ledger.settings.year, data)
    hit = _PARSED.get(key)
    if hit is None:
        hit = parse_ledger_bytes(data, rel, ledger.settings.year)
        if len(_PARSED) >= 4:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[key] = hit
    return hit


_PARSED: dict[tuple[str, int, bytes], FileResult] = {}
_PROBLEMS: list[tuple[Ledger, date, list[Problem]]] = []


def all_problems(ledger: Ledger, as_of: date) -> list[Problem]:
    """Every problem of the ledger as of a date (kept for the last few ledgers asked about:
    an edit asks about the ledger before it twice)."""
    for seen, when, found in _PROBLEMS:
        if seen is ledger and when == as_of:
            return list(found)
    out: list[Problem] = list(ledger.problems)
    for f in ledger.files:
        out.extend(f.problems)
    out.extend(run_checks(Context(ledger, as_of)))
    _PROBLEMS.append((ledger, as_of, out))
    del _PROBLEMS[:-3]
    return list(out)


def file_errors(result: FileResult, ledger: Ledger, as_of: date) -> list[Problem]:
    """The errors that concern one file, its own and the cross-file checks'."""
    return [
        p for p in all_problems(ledger, as_of) if p.severity == "error" and p.file == result.path
    ]


def require_valid(data: bytes, rel: str, ledger: Ledger, as_of: date) -> tuple[FileResult, Ledger]:
    """Parse the file as read now; refuse when it already has errors."""
    result = parse_in(ledger, data, rel)
    current = ledger_with(ledger, result)
    errors = file_errors(result, current, as_of)
    if errors:
        texts = {rel: _decode(data)}
        raise Refused(
            msg("edit.invalid-before", file=rel), msg("edit.invalid-before.hint"), errors, texts
        )
    return result, current


def _decode(data: bytes) -> str:
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace").replace("\r\n", "\n")


def without_positions(value: Any, *, spelling: bool = True) -> Any:
    """A value with every source position zeroed, to compare tasks across an edit; with
    `spelling=False` also without how the deadline was written (`9月底` vs 2026-09-30)."""
    if is_dataclass(value) and not isinstance(value, type):
        changes = {f.name: without_positions(getattr(value, f.name), spelling=spelling) for f in fields(value)}
        for name in ("line", "column"):
            if name in changes:
                changes[name] = 0
        if not spelling and "due_text" in changes:
            changes["due_text"] = None
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(without_positions(v, spelling=spelling) for v in value)
    return value


def plain(value: Any, spelling: bool = True) -> Any:
    """A value as nested tuples without its source positions: what `without_positions`
    compares, built several times faster (an edit compares every task of its file); with
    `spelling=False` also without how deadlines were written."""
    kind = type(value)
    if kind in _LEAVES:
        return value
    names = _NAMES.get((kind, spelling))
    if names is None:
        if kind is tuple:
            return tuple(plain(v, spelling) for v in value)
        if not is_dataclass(value) or isinstance(value, type):
            _LEAVES.add(kind)
            return value
        skip = ("line", "column") if spelling else ("line", "column", "due_text")
        names = _NAMES[(kind, spelling)] = tuple(f.name for f in fields(value) if f.name not in skip)
    return (kind, *(plain(getattr(value, n), spelling) for n in names))


_NAMES: dict[tuple[type, bool], tuple[str, ...]] = {}
_LEAVES: set[type] = {str, int, float, bool, type(None), date}  # values compared as they are


def verify(
    change: Change, ledger: Ledger, as_of: date, check: Callable[[Task | None], bool] | None = None
) -> None:
    """Refuse a change that adds an error, or that changes a task it did not mean to."""
    if change.span is not None:
        verify_span(change, change.span, ledger, as_of, check)
        return
    before = parse_in(ledger, change.before, change.rel) if change.before else None
    after = parse_in(ledger, change.after, change.rel)
    old_ledger = ledger_with(ledger, before) if before is not None else ledger
    new_ledger = ledger_with(ledger, after)
    old = all_problems(old_ledger, as_of)
    new = all_problems(new_ledger, as_of)

    def key(p: Problem) -> tuple[str, str, str, str | None]:
        return (p.severity, p.code, p.file, p.task)

    seen = Counter(key(p) for p in old)
    added: list[Problem] = []
    for p in new:
        if seen[key(p)] > 0:
            seen[key(p)] -= 1
        else:
            added.append(p)
    errors = [p for p in added if p.severity == "error"]
    if errors:
        raise Refused(
            msg("edit.would-break", file=change.rel),
            msg("edit.would-break.hint"),
            errors,
            {change.rel: _decode(change.after)},
        )
    change.notes = [p for p in added if p.severity == "warning" and p.code != "overdue"]
    # The tasks the edit did not mean to touch read back as they were.
    meant = {change.task_id, *change.also}
    old_tasks = {t.id: plain(t) for t in (before.tasks if before else []) if t.id not in meant}
    new_tasks = {t.id: plain(t) for t in after.tasks if t.id not in meant}
    if old_tasks != new_tasks:
        raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))
    if check is not None:
        mine = next((t for t in after.tasks if t.id == change.task_id), None)
        if not check(mine):
            raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))


def check_splice(change: Change, span: Span) -> None:
    """Refuse (as a defect of sanzhua) new bytes that are not the file as read with the
    span replaced by the change's span text."""
    new_span = change.span_text.replace("\n", "\r\n") if span.crlf else change.span_text
    size = len(new_span.encode("utf-8"))
    after = change.after
    data = memoryview(span.data)  # compared in place (slices of a 40 MB file were copies)
    if (
        change.before != span.data
        or len(after) != span.start + size + len(span.data) - span.end
        or not after.startswith(data[: span.start])
        or not after.endswith(data[span.end :])
        or not change.span_text.endswith("\n")
    ):
        raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))


def verify_span(
    change: Change, span: Span, ledger: Ledger, as_of: date, check: Callable[[Task | None], bool] | None
) -> None:
    """`verify` for an edit of one task's span: the bytes outside the span are the file's as
    read, the new span read alone is one task at the same place (the file's other tasks are
    then read as before, see sanzhua.edit.span), and the ledger with that task replaced gains
    no error."""
    check_splice(change, span)
    after = change.after
    alone = span.parse(change.span_text)
    old = span.task
    mine = alone.tasks[0] if len(alone.tasks) == 1 else None
    if (
        mine is None
        or alone.dropped
        or mine.id != old.id
        or (mine.line, mine.column) != (old.line, old.column)
        or any(p.line < span.line for p in alone.problems)
        or mine.id not in alone.positions
    ):
        raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))
    fr = span.fr
    if fr is None:
        raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))
    tasks = list(fr.tasks)
    tasks[span.index] = mine
    positions = dict(fr.positions)
    positions[mine.id] = alone.positions[mine.id]
    kept = [p for p in fr.problems if not span.line <= p.line < span.next_line]
    style = fr.key_style if fr.key_style == "mixed" or alone.key_style == fr.key_style else "mixed"
    # The other tasks keep the line numbers of the file as read: only the problems an edit
    # adds are shown, and those below the span are moved by the lines it added.
    result = FileResult(fr.path, tasks, kept + alone.problems, fr.unit, fr.unit_pos, positions, style, fr.dropped)
    new_ledger = ledger_with(ledger, result)
    shift = change.span_text.count("\n") - span.text.count("\n")
    added = added_problems(all_problems(ledger, as_of), all_problems(new_ledger, as_of))
    if shift:
        added = [
            replace(p, line=p.line + shift)
            if p.file == fr.path and p.task != mine.id and p.line >= span.next_line
            else p
            for p in added
        ]
    errors = [p for p in added if p.severity == "error"]
    if errors:
        raise Refused(
            msg("edit.would-break", file=change.rel),
            msg("edit.would-break.hint"),
            errors,
            {change.rel: _decode(after)},
        )
    change.notes = [p for p in added if p.severity == "warning" and p.code != "overdue"]
    if check is not None and not check(mine):
        raise Refused(msg("edit.internal", file=change.rel), msg("edit.internal.hint"))


def added_problems(old: list[Problem], new: list[Problem]) -> list[Problem]:
    """The problems of `new` that `old` does not have (counted by kind, file and task)."""

    def key(p: Problem) -> tuple[str, str, str, str | None]:
        return (p.severity, p.code, p.file, p.task)

    seen = Counter(key(p) for p in old)
    added: list[Problem] = []
    for p in new:
        if seen[key(p)] > 0:
            seen[key(p)] -= 1
        else:
            added.append(p)
    return added


def os_refusal(e: OSError, file: str) -> Refused:
    """A refusal in plain words for a file-system fault (disk full, read-only, no permission)."""
    code = e.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        return Refused(msg("edit.disk-full", file=file), msg("edit.disk-full.hint"))
    if code == errno.EROFS:
        return Refused(msg("edit.read-only-fs", file=file), msg("edit.read-only-fs.hint"))
    if code == errno.EFBIG:  # past RLIMIT_FSIZE (ulimit -f) or the file system's largest file
        return Refused(msg("edit.too-large", file=file), msg("edit.too-large.hint", command="ulimit -f unlimited"))
    if code in (errno.EACCES, errno.EPERM):
        return Refused(msg("edit.no-permission", file=file), msg("edit.no-permission.hint"))
    return Refused(msg("edit.write-failed", file=file, detail=e.strerror or str(e)))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _held(path: Path, expected: bytes | None, shown: str) -> bytes | None:
    """What `path` holds now (None: nothing there), to compare with `expected`: read without
    following a link or waiting on a FIFO, and never more than one byte past `expected`.
    A file swapped mid-edit for a link to /dev/zero was read until memory ran out, for a
    FIFO waited on for ever (p-red3b); a link, FIFO, device or folder is refused by name."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None
    except OSError as e:
        if e.errno in (errno.ELOOP, errno.ENXIO):  # a link (O_NOFOLLOW); a socket
            raise Refused(msg("edit.not-regular", file=shown)) from None
        raise os_refusal(e, shown) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Refused(msg("edit.not-regular", file=shown))
        limit = (len(expected) if expected is not None else 0) + 1
        chunks: list[bytes] = []
        while limit > 0 and (chunk := os.read(fd, limit)):
            chunks.append(chunk)
            limit -= len(chunk)
        return b"".join(chunks)
    except OSError as e:
        raise os_refusal(e, shown) from None
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, expected: bytes | None) -> None:
    """Replace `path` with `data`, unless it is no longer `expected` (None: must not exist).

    Callers hold the ledger's edit lock (sanzhua.edit.lock), so the last look at the file
    and the rename cannot be overtaken by another sanzhua edit. A read-only file (no write
    bit, checked on the mode itself since root may write anything) is refused; a full disk
    or a read-only file system is refused in plain words, the file and folder as they were.
    """
    shown = str(path)
    try:
        st: os.stat_result | None = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise os_refusal(e, shown) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise Refused(msg("edit.not-regular", file=shown))
    if _held(path, expected, shown) != expected:
        raise Refused(msg("edit.changed-on-disk", file=shown), msg("edit.changed-on-disk.hint"))
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
        if not mode & 0o222:
            raise Refused(msg("edit.read-only-file", file=shown), msg("edit.read-only-file.hint"))
    else:
        mode = 0o666 & ~umask()
    tmp: str | None = None
    try:
        if st is None:
            path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.sanzhua-", suffix=".tmp")
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.chmod(tmp, mode)
        # Last look: a save from an editor between our read and now must not be lost.
        if _held(path, expected, shown) != expected:
            raise Refused(msg("edit.changed-on-disk", file=shown), msg("edit.changed-on-disk.hint"))
        os.replace(tmp, path)
        tmp = None
    except OSError as e:
        raise os_refusal(e, shown) from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# -- git -----------------------------------------------------------------------------------


def can_commit(root: Path, rel: str) -> None:
    """Refuse --commit outside a git repository or when the file has uncommitted changes."""
    r = _git(root, "rev-parse", "--is-inside-work-tree")
    owned = not_owned(r.stderr) if r.returncode != 0 else None
    if owned is not None:
        raise Refused(msg("git.not-owned", root=root), msg("git.not-owned.hint", command=owned))
    if r.returncode != 0 or r.stdout.strip() != "true":
        raise Refused(msg("edit.no-git"), msg("edit.no-git.hint"))
    r = _git(root, "status", "--porcelain", "--", rel)
    if r.returncode != 0:
        raise Refused(msg("edit.git-failed", detail=r.stderr.strip()))
    if r.stdout.strip():
        raise Refused(msg("edit.dirty", file=rel), msg("edit.dirty.hint", file=rel))


def subject_line(subject: str, limit: int = 72) -> str:
    """A commit subject on one line (a note's line breaks become spaces), cut at `limit`."""
    one = " ".join(subject.split())
    return one if len(one) <= limit else one[: limit - 1].rstrip() + "…"


class CommitFailed(GitError):
    """`git add`/`git commit` failed after the files were written: what to say about it
    (git's own words, or, for a cause sanzhua knows, the ledger's language and a remedy)."""

    def __init__(self, message: Msg, hint: Msg | None = None) -> None:
        super().__init__(message.key)
        self.message = message
        self.hint = hint


def commit_failure_text(e: GitError, lang: Lang) -> str:
    """The lines that say a commit failed (the file is written): a CommitFailed's message
    and hint, or git's own words for a git that could not start."""
    if isinstance(e, CommitFailed):
        lines = [text(e.message, lang)] + ([text(e.hint, lang)] if e.hint is not None else [])
        return "\n".join(lines) + "\n"
    return text(msg("edit.git-failed", detail=str(e)), lang) + "\n"


def _failed(root: Path, r: subprocess.CompletedProcess[str], rels: list[str]) -> CommitFailed:
    """Why `git add`/`git commit` failed. A `index.lock` left by a killed git (or held by one
    running) is said in the ledger's language with its path and what to do: git's own
    message is English (or the system's language) and names no remedy (issue 14)."""
    detail = (r.stderr or r.stdout).strip()
    where = _git(root, "rev-parse", "--git-path", "index.lock")
    lock = os.path.join(root, where.stdout.strip()) if where.returncode == 0 and where.stdout.strip() else ""
    if lock and os.path.lexists(lock):
        lock = os.path.normpath(lock)
        hint = msg("edit.git-locked.hint", lock=lock, files=" ".join(rels))
        return CommitFailed(msg("edit.git-locked", lock=lock), hint)
    return CommitFailed(msg("edit.git-failed", detail=detail))


def commit(root: Path, rel: str, subject: str) -> None:
    commit_files(root, [rel], subject)


def commit_files(root: Path, rels: list[str], subject: str) -> None:
    """One commit of several files (`sanzhua collect`: a form may touch a partner's file)."""
    subject = subject_line(subject)
    r = _git(root, "add", "--", *rels)
    if r.returncode == 0:
        r = _git(root, "commit", "-q", "-m", subject, "--", *rels)
    if r.returncode != 0:
        raise _failed(root, r, rels)


# -- output --------------------------------------------------------------------------------


def format_problems(problems: list[Problem], lang: Lang, texts: dict[str, str]) -> str:
    """The problems as `check` shows them (sanzhua.output.problem_lines), sorted, with the
    source lines of the files in `texts` (the edit's texts, before or after; no file is read)."""
    lines = SourceLines(None, {f: t.encode("utf-8", "surrogatepass") for f, t in texts.items()})
    out = problem_lines(sorted(problems, key=Problem.sort_key), lang, lines)
    return "\n".join(out) + ("\n" if out else "")
