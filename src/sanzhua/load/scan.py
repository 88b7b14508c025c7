"""Reading a ledger's files: the settings files parsed, every ledger file read, digested
and parsed, or found in the cache (sanzhua.load.cache) by its digest.

A `Scan` holds each file's bytes, digest and index rows; a file's tasks (its parsed
`FileResult`) are decoded or parsed only when asked for, so that `check` can work on the
rows of every file and the tasks of only the files whose check results do not hold.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import NamedTuple, TypeVar

from sanzhua.errors import FatalError
from sanzhua.load.cache import Cache, parsed
from sanzhua.load.ledgerfile import FileResult
from sanzhua.load.parallel import Job, cpu_count, parse_all
from sanzhua.load.safe import DEFAULT_MAX_BYTES, TOO_BIG, UNREADABLE, UnsafeFile, read_inside, read_optional
from sanzhua.load.yamlfast import decode, parse
from sanzhua.model import Settings, TaskRow, Unit
from sanzhua.problems import Problem, msg
from sanzhua.textsafe import has_unprintable
from sanzhua.workdays import WorkCalendar

SETTINGS_FILE = "sanzhua.yaml"
UNITS_FILE = "units.yaml"
CALENDAR_FILE = "calendar.yaml"
LEDGER_SUFFIXES = (".yaml", ".yml")  # a ledger file's name ends in one, in lower case
T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Scan:
    """Every file of a ledger read and digested, its rows known, before any is turned
    into tasks."""

    root: Path
    settings: Settings
    units: dict[str, Unit]
    calendar: WorkCalendar
    problems: list[Problem]  # of the settings files
    has_units_file: bool
    order: list[str]  # every ledger file, relative to the root
    keys: dict[str, bytes]  # content digests of the files that could be read
    sources: dict[str, bytes]  # the bytes read
    index: dict[str, tuple[TaskRow, ...]]  # the rows of the readable files, once known (see `rows`)
    settings_key: bytes  # digest of sanzhua.yaml, units.yaml and calendar.yaml
    store: Cache
    _results: dict[str, FileResult] = field(default_factory=dict, repr=False)  # parsed, decoded or unreadable
    # Files over `scan_files`' `defer` bytes the cache did not hold: parsed only when asked
    # for (a one-task edit may need only their bytes: sanzhua.commands.edit_quick.open_lean).
    deferred: frozenset[str] = frozenset()

    def rows(self, rel: str) -> tuple[TaskRow, ...]:
        """The file's index rows: decoded from the cache when first asked for (a command
        that assembles tasks makes them from the results and never asks), else from its
        result; () for a file that could not be read."""
        got = self.index.get(rel)
        if got is None:
            key = self.keys.get(rel)
            if key is None:
                return ()
            got = self.store.rows(rel, key)
            if got is None:  # a damaged entry: the file is parsed again
                self._results.pop(rel, None)
                record, self._results[rel] = parsed(self.sources[rel], rel, self.settings.year, key)
                self.store.put(rel, record)
                got = record.rows
            self.index[rel] = got
        return got

    def all_rows(self) -> list[TaskRow]:
        return [r for rel in self.order for r in self.rows(rel)]

    def result(self, rel: str) -> FileResult:
        """The file as parsed: from this run, else the cache, else parsed now."""
        got = self._results.get(rel)
        if got is None:
            key = self.keys[rel]
            got = self.store.result(rel, key)
            if got is None:  # the results file is missing, older than the index, or damaged
                record, got = parsed(self.sources[rel], rel, self.settings.year, key)
                self.store.put(rel, record)
            self._results[rel] = got
        return got

    def save(self) -> None:
        self.store.save(set(self.keys))


def settings_files() -> ModuleType:
    """The settings parser, imported only when a settings file changed: it builds pydantic
    models, which a warm run need not import at all (not a cycle: a cost)."""
    # lazy: pydantic's models, for start-up cost
    from sanzhua.load import settings

    return settings


def unsafe_problem(rel: str, e: UnsafeFile, max_mb: int) -> Problem:
    """The problem for a file sanzhua.load.safe would not read."""
    hint = {TOO_BIG: "unsafe.too-big.hint", UNREADABLE: "unsafe.unreadable.hint"}.get(e.reason, "unsafe.hint")
    key = "unsafe.denied" if e.errno in (errno.EACCES, errno.EPERM) else f"unsafe.{e.reason}"
    m = msg(key, path=rel, detail=e.detail, limit=max_mb)
    return Problem("unsafe-file", "error", rel, 0, 0, m, msg(hint))


def _fatal(name: str, e: UnsafeFile) -> FatalError:
    """sanzhua.yaml cannot be read: the command cannot run (in the language of --lang;
    without it, as the ledger's own language is not known, in both)."""
    p = unsafe_problem(name, e, DEFAULT_MAX_BYTES >> 20)
    return FatalError(p.message, p.hint)


class _SettingsRead(NamedTuple):
    """The three settings files read (parsed, or found in the cache by their bytes)."""

    settings: Settings
    units: dict[str, Unit]
    calendar: WorkCalendar
    problems: list[Problem]
    has_units_file: bool
    key: bytes  # digest of sanzhua.yaml, units.yaml and calendar.yaml


class _FilesRead(NamedTuple):
    """The ledger files read and digested, before any is parsed."""

    order: list[str]
    keys: dict[str, bytes]
    sources: dict[str, bytes]
    results: dict[str, FileResult]  # the files that could not be read, as problems
    todo: list[Job]  # to parse now
    deferred: set[str]  # to parse when first asked for


def scan_files(root: Path, paths: list[Path], *, cache: bool, jobs: int | None, defer: int | None = None) -> Scan:
    """Read the settings files and the ledger files `paths` under `root`; parse what the
    cache does not hold (in worker processes when there is much of it), but for files of
    more than `defer` bytes, which are parsed when first asked for (`Scan.deferred`).

    The ledger files are read, and their parse started, before the settings files are
    parsed (pydantic's models, a tenth of a second), so that a worker parses meanwhile
    (issue 17): with the year and size limit sanzhua.yaml says at a glance. Should the
    settings then say otherwise, the parse is stopped and done again with theirs."""
    store = Cache(root, cache)
    settings_bytes = _settings_bytes(root)
    workers = jobs if jobs is not None else cpu_count()
    year, max_mb = _glance(settings_bytes)
    files = _read_files(root, paths, store, year, max_mb, defer)
    parsing = parse_all(files.todo, workers)
    try:
        s = _read_settings(root, store, settings_bytes)
    except BaseException:
        parsing.cancel()
        raise
    if (s.settings.year, s.settings.max_file_mb) != (year, max_mb):
        parsing.cancel()
        files = _read_files(root, paths, store, s.settings.year, s.settings.max_file_mb, defer)
        parsing = parse_all(files.todo, workers)
    index: dict[str, tuple[TaskRow, ...]] = {}
    results = files.results
    for rel, record, result in parsing:
        index[rel] = record.rows
        store.put(rel, record)
        if result is not None:
            results[rel] = result
    return Scan(
        root,
        s.settings,
        s.units,
        s.calendar,
        s.problems,
        s.has_units_file,
        files.order,
        files.keys,
        files.sources,
        index,
        s.key,
        store,
        results,
        frozenset(files.deferred),
    )


def _settings_bytes(root: Path) -> bytes:
    """sanzhua.yaml's bytes (FatalError when it is missing or refused)."""
    try:
        settings_bytes = read_optional(root / SETTINGS_FILE, root)
    except UnsafeFile as e:
        raise _fatal(SETTINGS_FILE, e) from None
    if settings_bytes is None:
        missing = msg("root.settings-missing", path=str(root / SETTINGS_FILE))
        raise FatalError(missing, msg("root.settings-missing.hint"))
    return settings_bytes


def _glance(settings_bytes: bytes) -> tuple[int, int]:
    """The year and the size limit (MB) sanzhua.yaml gives, read without validating it (the
    defaults where it gives no number in digits): what the ledger files are read and parsed
    with while the settings are validated. Only a guess: `scan_files` holds it to them."""
    defaults = Settings(name="")
    text, _ = decode(settings_bytes, SETTINGS_FILE)
    root = parse(text, SETTINGS_FILE).root if text is not None else None
    got = root if isinstance(root, dict) else {}

    def number(key: str, default: int) -> int:
        v = got.get(key)
        return int(v) if isinstance(v, str) and v.isascii() and v.isdigit() and len(v) < 6 else default

    return number("year", defaults.year), number("max_file_mb", defaults.max_file_mb)


def _read_settings(root: Path, store: Cache, settings_bytes: bytes) -> _SettingsRead:
    """sanzhua.yaml (its bytes read), units.yaml and calendar.yaml."""
    problems: list[Problem] = []
    # Each settings file is parsed again only when its bytes change (pydantic models are slow to build).
    settings, p = store.memo("settings", settings_bytes, lambda: settings_files().load_settings(settings_bytes))
    problems.extend(p)
    limit = settings.max_file_mb << 20

    def optional(name: str) -> tuple[bytes | None, bool]:
        """A settings file's bytes (None when missing or not read), and whether it was refused."""
        try:
            return read_optional(root / name, root, max_bytes=limit), False
        except UnsafeFile as e:
            problems.append(unsafe_problem(name, e, settings.max_file_mb))
            return None, True

    units_bytes, units_refused = optional(UNITS_FILE)
    units, p = store.memo("units", units_bytes, lambda: settings_files().load_units(units_bytes))
    problems.extend(p)
    if units_bytes is None and not units_refused:
        problems.append(
            Problem("missing-file", "error", UNITS_FILE, 0, 0, msg("units.missing"), msg("units.missing.hint"))
        )
    calendar_bytes, _ = optional(CALENDAR_FILE)
    holidays, workdays, p = store.memo(
        "calendar", calendar_bytes, lambda: settings_files().load_calendar(calendar_bytes)
    )
    problems.extend(p)
    calendar = WorkCalendar(holidays=holidays, workdays=workdays)
    settings_key = b"".join(store.digest(d) for d in (settings_bytes, units_bytes, calendar_bytes))
    return _SettingsRead(settings, units, calendar, problems, units_bytes is not None, settings_key)


def _read_files(root: Path, paths: list[Path], store: Cache, year: int, max_mb: int, defer: int | None) -> _FilesRead:
    """Each ledger file read (within the size limit, `max_mb`) and digested; those the cache
    does not hold are to be parsed (for the ledger's `year`), now or, over `defer` bytes,
    when first asked for."""
    limit = max_mb << 20
    person = str(year).encode()
    files = _FilesRead([], {}, {}, {}, [], set())
    cut = len(str(root)) + 1
    real_root = os.path.realpath(root)
    real_dirs: dict[str, str] = {}
    for path in paths:
        rel = str(path)[cut:].replace(os.sep, "/")
        if has_unprintable(rel) or "\n" in rel or "\r" in rel:
            # A name with a line break or control character would forge lines in the CI log
            # (`::error file=...`) or rewrite the terminal: it is named escaped, and not read.
            rel = rel.encode("unicode_escape", "backslashreplace").decode("ascii")
            files.order.append(rel)
            bad = Problem("unsafe-file", "error", rel, 0, 0, msg("unsafe.name", path=rel), msg("unsafe.name.hint"))
            files.results[rel] = FileResult(rel, problems=[bad])
            continue
        files.order.append(rel)
        if not rel.endswith(LEDGER_SUFFIXES):
            # `X.YAML` (a Windows editor), `x.yaml `: read by no command, so said, not skipped.
            bad = Problem("unsafe-file", "error", rel, 0, 0, msg("unsafe.suffix", path=rel), msg("unsafe.suffix.hint"))
            files.results[rel] = FileResult(rel, problems=[bad])
            continue
        try:
            data = read_inside(path, root, max_bytes=limit, real_root=real_root, real_dirs=real_dirs)
        except (OSError, UnsafeFile) as e:
            files.results[rel] = FileResult(rel, problems=[_unread(rel, e, max_mb)])
            continue
        key = hashlib.blake2b(data, digest_size=16, person=person).digest()
        files.keys[rel] = key
        files.sources[rel] = data
        if not store.holds(rel, key):
            if defer is not None and len(data) > defer:
                files.deferred.add(rel)
            else:
                files.todo.append(Job(data, rel, year, key, store.enabled))
    return files


def _unread(rel: str, e: OSError | UnsafeFile, max_mb: int) -> Problem:
    """The problem of a ledger file that could not be read."""
    if isinstance(e, UnsafeFile) and e.reason != UNREADABLE:
        return unsafe_problem(rel, e, max_mb)
    # a dangling link, a file that went away, no permission: as before
    detail = e.detail if isinstance(e, UnsafeFile) else e.strerror or str(e)
    denied = e.errno in (errno.EACCES, errno.EPERM)
    m = msg("unsafe.denied", path=rel) if denied else msg("file.unreadable", detail=detail)
    return Problem("encoding", "error", rel, 0, 0, m, msg("unsafe.unreadable.hint") if denied else None)
