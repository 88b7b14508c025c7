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
is cached) must match this program's. Any file that fails is ignored as a whole, and an
entry of the wrong shape is a miss: the files are parsed again, never misread.

Layout: a main file (each file's content digest and index rows, the check results, the
parsed settings files), a results file beside it (each file's full and slim results,
read only when a command needs tasks), and a small delta (what a run that changed a few
files found), so a re-check after one edit does not rewrite the whole cache. The delta
and the results file name the main file they were written with (a random token).
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import NamedTuple, TypeVar

from sanzhua import __version__
from sanzhua.load.ledgerfile import FileResult
from sanzhua.load.plain import (
    BadCache,
    decode,
    decode_file,
    decode_problems,
    decode_rows,
    encode,
    encode_file,
    encode_problems,
    encode_rows,
)
from sanzhua.model import TaskRow
from sanzhua.problems import Problem

T = TypeVar("T")

# Bump when a record or the plain codec changes; the version and the code digest are part of the stamp too.
CACHE_FORMAT = 7
_MAGIC = b"sanzhua cache\n"
_DIGEST = 32
_MARSHAL_VERSION = 4


def cache_dir(root: Path) -> Path:
    """The cache folder of the ledger at `root` (outside the work tree)."""
    base = os.environ.get("SANZHUA_CACHE_DIR") or ""
    if not base:
        xdg = os.environ.get("XDG_CACHE_HOME") or ""
        base = os.path.join(xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache"), "sanzhua")
    key = hashlib.blake2b(os.fsencode(os.path.realpath(root)), digest_size=12).hexdigest()
    return Path(base) / key


# The code whose output the cache keeps (parsed files, index rows, check results),
# relative to the package: a change to any of it makes every entry stale.
CACHED_CODE = (
    "load/*.py",
    "checks/*.py",
    "commands/check.py",
    "commands/common.py",
    "dates.py",
    "evaluate.py",
    "kinds.py",
    "model.py",
    "output.py",
    "problems.py",
)


def code_fingerprint() -> str:
    """A digest of the code that produces cached results: an edited parser or check never
    reads stale entries. The sources are read, not imported."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=8)
    for pattern in CACHED_CODE:
        found = sorted(package.glob(pattern))
        if not found:
            h.update(pattern.encode())  # no sources (a bytecode-only install): the version decides
        for path in found:
            h.update(path.relative_to(package).as_posix().encode())
            with suppress(OSError):
                h.update(path.read_bytes())
    return h.hexdigest()


class Entry(NamedTuple):
    """A parsed file: its content digest, its full and slim results (encoded, decoded only
    by the commands that need them) and its index rows."""

    key: bytes
    full: bytes
    slim: bytes
    rows: tuple[TaskRow, ...]


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


def decode_result(blob: bytes) -> FileResult:
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
    body = marshal.dumps(value, _MARSHAL_VERSION)  # type: ignore[arg-type]
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".files.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAGIC)
            fh.write(hashlib.blake2b(body, digest_size=_DIGEST).digest())
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cache:
    """Parsed files and check results by (path, content digest); see the module doc.

    Entries are held as read (plain data) and decoded when looked up, so a run decodes
    only the files it uses; an entry that does not decode is a miss.
    """

    def __init__(self, root: Path, enabled: bool) -> None:
        self.folder = cache_dir(root)
        self.path = self.folder / "files.cache"
        self.blobs_path = self.folder / "files.results.cache"
        self.delta_path = self.folder / "files.delta.cache"
        # A cache folder inside the ledger (SANZHUA_CACHE_DIR pointed there) could be
        # committed by anyone: then there is no cache.
        self.enabled = enabled and not _inside(self.folder, root)
        self.index: dict[str, tuple[bytes, object]] = {}  # rel → (content digest, encoded rows)
        self.checks: dict[str, object] = {}  # rel → an encoded CheckEntry
        self.meta: dict[str, tuple[bytes, object]] = {}  # settings, units, calendar: digest → encoded value
        self.changed: dict[str, tuple[bytes, bytes, bytes, object]] = {}  # entries not in the main file
        self.changed_checks: dict[str, object] = {}
        self._blobs: dict[str, tuple[bytes, bytes, bytes]] | None = None  # the results file, once read
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
        if type(token) is not bytes or not all(type(d) is dict for d in (index, checks, meta)):
            return
        self.index, self.checks, self.meta, self.token = index, checks, meta, token
        delta = _read(self.delta_path)
        if type(delta) is not tuple or len(delta) != 5 or delta[0] != self.stamp or delta[1] != token:
            return  # no delta, or a broken one: the main file alone is still right
        _, _, changed, changed_checks, meta = delta
        if not all(type(d) is dict for d in (changed, changed_checks, meta)):
            return
        for rel, e in changed.items():
            if type(e) is tuple and len(e) == 4:
                self.index[rel] = (e[0], e[3])
                self.changed[rel] = e
        self.checks.update(changed_checks)
        self.changed_checks = changed_checks
        self.meta = meta

    def rows(self, rel: str, key: bytes) -> tuple[TaskRow, ...] | None:
        """The file's index rows if the cache holds this content of it."""
        hit = self.index.get(rel)
        if hit is None or type(hit) is not tuple or len(hit) != 2 or hit[0] != key:
            return None
        try:
            return decode_rows(hit[1])
        except (BadCache, TypeError, ValueError, OverflowError):
            return None

    def blobs(self, rel: str, key: bytes) -> tuple[bytes, bytes] | None:
        """The file's encoded full and slim results, if the cache holds them for this content."""
        entry = self.changed.get(rel)
        if entry is None:
            entry = self._all_blobs().get(rel)  # type: ignore[assignment]
        if entry is None or entry[0] != key or type(entry[1]) is not bytes or type(entry[2]) is not bytes:
            return None
        return entry[1], entry[2]

    def _all_blobs(self) -> dict[str, tuple[bytes, bytes, bytes]]:
        if self._blobs is None:
            self._blobs = {}
            if self.token is not None:
                got = _read(self.blobs_path)
                if type(got) is tuple and len(got) == 3 and got[0] == self.stamp and got[1] == self.token:
                    blobs = got[2]
                    if type(blobs) is dict:
                        self._blobs = {k: v for k, v in blobs.items() if type(v) is tuple and len(v) == 3}
        return self._blobs

    def put(self, rel: str, entry: Entry) -> None:
        rows = encode_rows(entry.rows)
        self.changed[rel] = (entry.key, entry.full, entry.slim, rows)
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
                _write(self.delta_path, (self.stamp, self.token, self.changed, self.changed_checks, self.meta))
                return
            index = {k: v for k, v in self.index.items() if k in keep}
            checks = {k: v for k, v in self.checks.items() if k in keep}
            token = self.token
            if token is None or self.changed:
                # New parsed files: the results file is rewritten, under a new token.
                token = os.urandom(16)
                blobs: dict[str, tuple[bytes, bytes, bytes]] = {}
                for k, (key, _) in index.items():
                    got = self.blobs(k, key)
                    if got is not None:
                        blobs[k] = (key, *got)
                _write(self.blobs_path, (self.stamp, token, blobs))
            # else only check results changed (a new as-of date): the results file stands.
            _write(self.path, (self.stamp, token, index, checks, self.meta))
            self.delta_path.unlink(missing_ok=True)
        except (OSError, ValueError):
            pass  # a read-only or missing home still checks, only slower next time
