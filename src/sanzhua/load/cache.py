"""The parse cache: each ledger file's parsed result, index rows and check results, kept
by content so that a re-check after a small change parses and checks only what changed.

Where: outside the work tree, in `$SANZHUA_CACHE_DIR`, else `$XDG_CACHE_HOME/sanzhua`,
else `~/.cache/sanzhua`, in a folder named after a digest of the ledger root's resolved
path. Nothing committed to a ledger repository is ever read as a cache (a `.sanzhua/`
folder in the work tree is not looked at), so a hostile repository cannot plant one.

What: plain data (sanzhua.load.plain) written with `marshal`, which builds no object
but numbers, strings, bytes and containers, so even a forged cache file runs nothing.
Each file starts with a magic line and a BLAKE2b digest of the rest, checked before it
is read; inside, a stamp (format, sanzhua's version and a digest of the code whose output
is cached: all of sanzhua's sources) must match this program's. Any file that fails is ignored as a whole, and an
entry of the wrong shape is a miss: the files are parsed again, never misread.

Records are named tuples in memory (`Parsed`, `CheckEntry`, and those of the three
files), plain tuples on disk. Layout: a main file (each file's content digest and index
rows, the check results, the parsed settings files), a results file beside it (each
file's parsed result, read only when a command needs tasks), and a small delta (what a run that changed a few
files found), so a re-check after one edit does not rewrite the whole cache. The delta
and the results file name the main file they were written with (a random token).

The check results are kept in the main file as one marshalled blob of their own, read only
by a command that asks for them (`check`, the edits), not by a report. The results file is
a head (its stamp, token and each file's place) and then the files' encoded results one
after another; it is mapped rather than read where the system maps files (POSIX), and each
result is decoded from its place in the mapping: a city's 13 MB of results are neither
read into a buffer nor copied out of it into a bytes object per file (issue 17).
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
import os
import struct
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from sanzhua import __version__
from sanzhua.load.index import rows_of
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.load.plain import (
    BadCache,
    PlainFile,
    _decode_task,
    _encode_task,
    decode,
    decode_file,
    decode_problems,
    decode_rows,
    encode,
    encode_file,
    encode_problems,
    encode_rows,
    file_record,
    plain_file,
)
from sanzhua.model import Task, TaskRow
from sanzhua.problems import Problem

T = TypeVar("T")
_R = TypeVar("_R", "_Indexed", "_Stored", "_Changed")

# Bump when a record or the plain codec changes; the version and the code digest are part of the stamp too.
CACHE_FORMAT = 8
_MAGIC = b"sanzhua cache\n"
_DIGEST = 32
_MARSHAL_VERSION = 4
_HEAD_SIZE = struct.Struct("<Q")  # the results file's head, its length before it


def cache_dir(root: Path) -> Path:
    """The cache folder of the ledger at `root` (outside the work tree)."""
    base = os.environ.get("SANZHUA_CACHE_DIR") or ""
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or ""
        base = os.path.join(xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache"), "sanzhua")
    key = hashlib.blake2b(os.fsencode(os.path.realpath(root)), digest_size=12).hexdigest()
    return Path(base) / key


def code_fingerprint() -> str:
    """A digest of sanzhua's own sources: a changed parser, check or anything they use never
    reads entries that an older program wrote. The sources are read, not imported."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=8)
    found = sorted(package.rglob("*.py"))
    if not found:
        h.update(b"no sources")  # a bytecode-only install: the version decides
    for path in found:
        h.update(path.relative_to(package).as_posix().encode())
        with suppress(OSError):
            h.update(path.read_bytes())
    return h.hexdigest()


class Parsed(NamedTuple):
    """What parsing one ledger file leaves in the cache: its content digest, its result
    (encoded; decoded only by the commands that need tasks) and its index rows."""

    key: bytes
    result: bytes
    rows: tuple[TaskRow, ...]


def parsed(data: bytes, rel: str, year: int, key: bytes, *, encode: bool = True) -> tuple[Parsed, FileResult]:
    """Parse one file (the pure `parse_ledger_bytes`) and make its cache record; without
    `encode` (the cache is off) the record holds no result, which reads as a miss."""
    result = parse_ledger_bytes(data, rel, year)
    return Parsed(key, encode_result(result) if encode else b"", rows_of(result)), result


class _Indexed(NamedTuple):
    """The main file's entry of a ledger file: its digest and index rows (plain data)."""

    key: bytes
    rows: object


class _Stored(NamedTuple):
    """The results file's entry of a ledger file: its digest, and where its encoded result
    stands after the head (offset and length)."""

    key: bytes
    start: int
    length: int


class _Changed(NamedTuple):
    """The delta's entry of a ledger file parsed since the main file was written."""

    key: bytes
    result: bytes
    rows: object


def _record(cls: type[_R], raw: object) -> _R | None:
    """A record read from a cache file, or None when it is not of the shape `cls` has."""
    if type(raw) is not tuple or len(raw) != len(cls._fields) or type(raw[0]) is not bytes:
        return None
    rec = cls._make(raw)
    if "result" in cls._fields and type(rec.result) is not bytes:  # type: ignore[attr-defined]
        return None
    if "start" in cls._fields and not (type(raw[1]) is int and type(raw[2]) is int and raw[1] >= 0 and raw[2] >= 0):
        return None
    return rec


class CheckEntry(NamedTuple):
    """A file's check results (sanzhua.commands.check) and what they depend on."""

    key: bytes  # the file's content digest
    context: bytes  # digest of the as-of date and the settings files
    seen: tuple[object, ...]  # what the file's tasks see of other files (plain data)
    problems: list[Problem]
    years: frozenset[int]  # the years its open tasks need a calendar for
    lines: dict[int, str | None]  # the source lines the problems point at


def encode_result(result: FileResult) -> bytes:
    return marshal.dumps(encode_file(result), _MARSHAL_VERSION)  # type: ignore[arg-type]


def decode_result(blob: bytes | memoryview) -> FileResult:
    try:
        return decode_file(marshal.loads(blob))
    except (EOFError, TypeError, ValueError) as e:
        raise BadCache(str(e)) from e


def _check_plain(e: CheckEntry) -> tuple[object, ...]:
    return (e.key, e.context, e.seen, encode_problems(e.problems), e.years, e.lines)


def _check_of(raw: object) -> CheckEntry:
    if type(raw) is not tuple or len(raw) != 6:
        raise BadCache("a check entry is not a 6-tuple")
    key, context, seen, problems, years, lines = raw
    if type(seen) is not tuple or type(years) is not frozenset or type(lines) is not dict:
        raise BadCache("a check entry's parts")
    return CheckEntry(key, context, seen, decode_problems(problems), years, lines)


def _inside(folder: Path, root: Path) -> bool:
    real, top = os.path.realpath(folder), os.path.realpath(root)
    return real == top or real.startswith(top.rstrip(os.sep) + os.sep)


def _read(path: Path) -> object:
    """A cache file's payload, or None when it is missing, damaged or not ours."""
    try:
        with path.open("rb") as fh:
            data = fh.read()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if not data.startswith(_MAGIC) or len(data) < head:
        return None
    body = memoryview(data)[head:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != data[len(_MAGIC) : head]:
        return None
    try:
        return marshal.loads(body)
    except (EOFError, TypeError, ValueError):
        return None


def _write(path: Path, value: object) -> None:
    _write_pieces(path, [marshal.dumps(value, _MARSHAL_VERSION)])  # type: ignore[arg-type]


def _write_pieces(path: Path, pieces: list[bytes | memoryview]) -> None:
    """A cache file whose body is these pieces, one after another: the magic line, the
    body's digest, the body; written to a temporary file and renamed into place."""
    digest = hashlib.blake2b(digest_size=_DIGEST)
    for piece in pieces:
        digest.update(piece)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".files.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(digest.digest())
            for piece in pieces:
                fh.write(piece)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mapped(path: Path) -> bytes | mmap.mmap | None:
    """The file's bytes: mapped (read-only) where the system maps files, else read; None
    when it cannot be read. A cache file is only ever replaced by a rename, never written
    in place, so a mapping keeps the bytes it was made of. Not on Windows, which would
    refuse the rename over a mapped file."""
    try:
        with path.open("rb") as fh:
            if os.name == "posix":
                with suppress(OSError, ValueError):  # an empty file, a file system that maps nothing
                    return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            return fh.read()
    except OSError:
        return None


def _read_results(path: Path) -> tuple[object, memoryview] | None:
    """The results file: its head (plain data) and the bytes after it, where each file's
    result stands (`_Stored`'s offset and length); None when it is missing, damaged or not
    ours. The digest covers the head and every result."""
    data = _mapped(path)
    if data is None:
        return None
    head = len(_MAGIC) + _DIGEST
    if len(data) < head + _HEAD_SIZE.size or data[: len(_MAGIC)] != _MAGIC:
        return None
    view = memoryview(data)
    body = view[head:]
    if hashlib.blake2b(body, digest_size=_DIGEST).digest() != view[len(_MAGIC) : head]:
        return None
    (size,) = _HEAD_SIZE.unpack_from(body)
    if size > len(body) - _HEAD_SIZE.size:
        return None
    try:
        index = marshal.loads(body[_HEAD_SIZE.size : _HEAD_SIZE.size + size])
    except (EOFError, TypeError, ValueError):
        return None
    return index, body[_HEAD_SIZE.size + size :]


class Cache:
    """Parsed files and check results by (path, content digest); see the module doc.

    Entries are held as read (plain data) and decoded when looked up, so a run decodes
    only the files it uses; an entry that does not decode is a miss.
    """

    def __init__(self, root: Path, enabled: bool) -> None:
        self.folder = cache_dir(root)
        self.path = self.folder / "files.cache"
        self.results_path = self.folder / "files.results.cache"
        self.delta_path = self.folder / "files.delta.cache"
        # A cache folder inside the ledger (SANZHUA_CACHE_DIR pointed there) could be
        # committed by anyone: then there is no cache.
        self.enabled = enabled and not _inside(self.folder, root)
        self.index: dict[str, object] = {}  # rel → an _Indexed, as read
        self._checks: dict[str, object] | None = {}  # rel → an encoded CheckEntry; None: in _checks_blob
        self._checks_blob = b""  # the main file's check results, marshalled, until first asked for
        self.meta: dict[str, object] = {}  # settings, units, calendar: name → (digest, encoded value)
        self.changed: dict[str, _Changed] = {}  # files parsed since the main file was written
        self.changed_checks: dict[str, object] = {}
        self._stored: dict[str, object] | None = None  # the results file's entries, once read
        self._results: memoryview = memoryview(b"")  # the encoded results the entries point into
        self.token: bytes | None = None  # the main file's, None when there is none
        self.dirty = False
        self.stamp = f"{__version__}/{CACHE_FORMAT}/{code_fingerprint()}"
        if self.enabled:
            self._load()

    def _load(self) -> None:
        main = _read(self.path)
        if type(main) is not tuple or len(main) != 5 or main[0] != self.stamp:
            return
        _, token, index, checks, meta = main
        if type(token) is not bytes or type(checks) is not bytes or not all(type(d) is dict for d in (index, meta)):
            return
        self.index, self.meta, self.token = index, meta, token
        self._checks, self._checks_blob = None, checks
        delta = _read(self.delta_path)
        if type(delta) is not tuple or len(delta) != 5 or delta[0] != self.stamp or delta[1] != token:
            return  # no delta, or a broken one: the main file alone is still right
        _, _, changed, changed_checks, meta = delta
        if not all(type(d) is dict for d in (changed, changed_checks, meta)):
            return
        for rel, raw in changed.items():
            entry = _record(_Changed, raw)
            if entry is not None:
                self.index[rel] = (entry.key, entry.rows)
                self.changed[rel] = entry
        self.changed_checks = changed_checks  # over the main file's, when those are read (`checks`)
        self.meta = meta

    @property
    def checks(self) -> dict[str, object]:
        """Each file's check results (encoded CheckEntry) by path: the main file's, decoded
        when first asked for (a report never asks), with the delta's over them."""
        if self._checks is None:
            try:
                got = marshal.loads(self._checks_blob)
            except (EOFError, TypeError, ValueError):
                got = None
            self._checks = got if type(got) is dict else {}
            self._checks.update(self.changed_checks)
            self._checks_blob = b""
        return self._checks

    def holds(self, rel: str, key: bytes) -> bool:
        """Whether the cache has index rows for this content of the file (not decoded)."""
        hit = _record(_Indexed, self.index.get(rel))
        return hit is not None and hit.key == key

    def rows(self, rel: str, key: bytes) -> tuple[TaskRow, ...] | None:
        """The file's index rows if the cache holds this content of it."""
        hit = _record(_Indexed, self.index.get(rel))
        if hit is None or hit.key != key:
            return None
        try:
            return decode_rows(hit.rows)
        except (BadCache, TypeError, ValueError, OverflowError):
            return None

    def result(self, rel: str, key: bytes) -> FileResult | None:
        """The file's parsed result if the cache holds it for this content."""
        blob = self._blob(rel, key)
        if blob is None:
            return None
        try:
            return decode_result(blob)
        except BadCache:
            return None

    def _blob(self, rel: str, key: bytes) -> bytes | memoryview | None:
        """The file's encoded result if the cache holds it for this content: this run's, or
        its place in the results file (a view of it, not a copy)."""
        changed = self.changed.get(rel)
        if changed is not None:
            return changed.result if changed.key == key else None
        stored = _record(_Stored, self._all_stored().get(rel))
        if stored is None or stored.key != key or stored.start + stored.length > len(self._results):
            return None
        return self._results[stored.start : stored.start + stored.length]

    def _all_stored(self) -> dict[str, object]:
        if self._stored is None:
            self._stored = {}
            got = _read_results(self.results_path) if self.token is not None else None
            if got is not None:
                head, results = got
                fits = type(head) is tuple and len(head) == 3 and head[0] == self.stamp and head[1] == self.token
                if fits and type(head[2]) is dict:  # type: ignore[index]
                    self._stored, self._results = head[2], results  # type: ignore[index]
        return self._stored

    def put(self, rel: str, entry: Parsed) -> None:
        rows = encode_rows(entry.rows)
        self.changed[rel] = _Changed(entry.key, entry.result, rows)
        self.index[rel] = (entry.key, rows)
        self.dirty = True

    def get_check(self, rel: str, key: bytes, context: bytes, seen: tuple[object, ...]) -> CheckEntry | None:
        raw = self.checks.get(rel)
        if type(raw) is not tuple or len(raw) != 6 or raw[0] != key or raw[1] != context or raw[2] != seen:
            return None
        try:
            return _check_of(raw)
        except (BadCache, TypeError, ValueError, OverflowError):
            return None

    def put_check(self, rel: str, entry: CheckEntry) -> None:
        if self.enabled:
            self.checks[rel] = self.changed_checks[rel] = _check_plain(entry)
            self.dirty = True

    def memo(self, name: str, data: bytes | None, compute: Callable[[], T]) -> T:
        """A settings file's parsed form, recomputed only when its bytes change.

        This also spares a warm run importing and building the pydantic models.
        """
        key = self.digest(data)
        hit = self.meta.get(name)
        if type(hit) is tuple and len(hit) == 2 and hit[0] == key:
            try:
                return decode(hit[1])  # type: ignore[no-any-return]
            except (BadCache, TypeError, ValueError, OverflowError):
                pass
        value = compute()
        try:
            self.meta[name] = (key, encode(value))
        except TypeError:
            self.meta.pop(name, None)  # not plain data: computed every time
        self.dirty = True
        return value

    @staticmethod
    def digest(data: bytes | None) -> bytes:
        return hashlib.blake2b(data or b"<none>", digest_size=16).digest()

    def save(self, keep: set[str]) -> None:
        if not self.enabled or not self.dirty:
            return
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            small = max(32, len(keep) // 20)
            if self.token is not None and len(self.changed) <= small and len(self.changed_checks) <= small:
                changed = {rel: tuple(e) for rel, e in self.changed.items()}  # marshal takes plain tuples
                _write(self.delta_path, (self.stamp, self.token, changed, self.changed_checks, self.meta))
                return
            index = {k: v for k, v in self.index.items() if k in keep}
            checks = {k: v for k, v in self.checks.items() if k in keep}
            token = self.token
            if token is None or self.changed:
                # New parsed files: the results file is rewritten, under a new token.
                token = os.urandom(16)
                self._write_results(index, token)
            # else only check results changed (a new as-of date): the results file stands.
            checks_blob = marshal.dumps(checks, _MARSHAL_VERSION)
            _write(self.path, (self.stamp, token, index, checks_blob, self.meta))
            self.delta_path.unlink(missing_ok=True)
        except (OSError, ValueError):
            pass  # a read-only or missing home still checks, only slower next time

    def _write_results(self, index: dict[str, object], token: bytes) -> None:
        """The results file of the files in `index`: the head (stamp, token, each file's
        digest and place), its length before it, then each file's encoded result."""
        stored: dict[str, tuple[bytes, int, int]] = {}
        blobs: list[bytes | memoryview] = []
        at = 0
        for rel, raw in index.items():
            hit = _record(_Indexed, raw)
            blob = self._blob(rel, hit.key) if hit is not None else None
            if hit is not None and blob is not None:
                stored[rel] = (hit.key, at, len(blob))
                blobs.append(blob)
                at += len(blob)
        head = marshal.dumps((self.stamp, token, stored), _MARSHAL_VERSION)
        _write_pieces(self.results_path, [_HEAD_SIZE.pack(len(head)), head, *blobs])


# --- an edit's own entries (p-edit, issue 14.8 / 17: sanzhua.commands.edit_quick) -------
#
# An edit of one task in a big file works on the file's cached result as plain data (its
# tasks not built, but the one it edits), and stores the entry of the bytes it writes, so
# that the next command finds them in the cache. The entry is the old one with the task
# replaced and every line below it moved: `shift_task` knows the task codec's layout
# (sanzhua.load.plain.TASK_FIELDS), and tests/test_edit_quick.py holds the stored entry
# equal to a fresh parse of the written bytes.


def content_key(data: bytes, year: int) -> bytes:
    """A ledger file's cache key, as sanzhua.load.scan digests it."""
    return hashlib.blake2b(data, digest_size=16, person=str(year).encode()).digest()


def plain_result(store: Cache, rel: str, key: bytes) -> PlainFile | None:
    """The file's cached result as plain data (`encode_file`'s record, tasks not built), or
    None when the cache does not hold this content of it."""
    blob = store._blob(rel, key)
    if blob is None:
        return None
    try:
        raw = marshal.loads(blob)
    except (EOFError, TypeError, ValueError):
        return None
    return plain_file(raw)


def plain_task(raw: object) -> Task:
    """One task of a plain result, built (BadCache when it is not of the codec's shape)."""
    try:
        return _decode_task(raw)
    except (TypeError, ValueError) as e:
        raise BadCache(str(e)) from e


def task_plain(task: Task) -> tuple[object, ...]:
    return _encode_task(task)


def shift_task(raw: tuple[Any, ...], by: int) -> tuple[object, ...]:
    """A plain task with every line it holds moved by `by` (its own, its milestones',
    progress entries', extensions', verification's and returns')."""
    v = list(raw)
    v[4] += by
    if v[15]:
        v[15] = tuple((*m[:4], m[4] + by) for m in v[15])
    if v[17]:
        v[17] = tuple((*p[:5], p[5] + by, *p[6:]) for p in v[17])
    if v[21]:
        v[21] = tuple((*e[:5], e[5] + by) for e in v[21])
    if v[34] is not None:
        v[34] = (v[34][0], v[34][1], v[34][2] + by)
    if v[35]:
        v[35] = tuple((*r[:3], r[3] + by) for r in v[35])
    return tuple(v)


def put_plain(store: Cache, rel: str, key: bytes, raw: PlainFile, rows: tuple[TaskRow, ...]) -> None:
    """Store a file's entry made of plain data (an edit's written bytes)."""
    store.put(rel, Parsed(key, marshal.dumps(file_record(raw), _MARSHAL_VERSION), rows))  # type: ignore[arg-type]


def put_rows(store: Cache, rel: str, key: bytes, rows: tuple[TaskRow, ...]) -> None:
    """Store a file's index rows alone (a lean edit's written bytes, whose parse it never
    made): its result is empty, which no reader decodes (`Cache.result`, `plain_result`:
    a miss), so the file is parsed when its tasks are first asked for."""
    store.put(rel, Parsed(key, b"", rows))
