"""Loading a ledger: files → typed tasks, units and settings, with problems.

`load_ledger(root)` reads sanzhua.yaml, units.yaml, calendar.yaml and every
ledgers/**/*.y{a,}ml. Each ledger file is parsed on its own (ledgerfile.py), in worker
processes when there are many, and its result is cached by content under
`.sanzhua/cache/`, so a re-check after a small change parses only what changed.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

from sanzhua import __version__
from sanzhua.errors import FatalError
from sanzhua.load.index import Dues, resolve, rows_of
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.model import Settings, Task, TaskRow, Unit
from sanzhua.problems import Problem, msg
from sanzhua.workdays import WorkCalendar

__all__ = ["FileResult", "Ledger", "Scan", "find_root", "load_ledger", "parse_ledger_bytes", "scan_ledger"]

SETTINGS_FILE = "sanzhua.yaml"
UNITS_FILE = "units.yaml"
CALENDAR_FILE = "calendar.yaml"
LEDGER_DIR = "ledgers"
CACHE_DIR = ".sanzhua/cache"
# Bump when FileResult or parsing changes; the package version is part of the key too.
_CACHE_FORMAT = 6
_PARALLEL_MIN_BYTES = 2_000_000
T = TypeVar("T")


@dataclass
class Ledger:
    """A loaded ledger: what every command works on."""

    root: Path
    settings: Settings
    units: dict[str, Unit]
    tasks: list[Task]
    by_id: dict[str, Task]
    children: dict[str, list[Task]]
    calendar: WorkCalendar
    files: list[FileResult]
    problems: list[Problem] = field(default_factory=list)
    has_units_file: bool = True
    # Set when the tasks are slim, without milestones, progress and extensions (what
    # `check` builds): a file's full result, by path.
    whole: Callable[[str], FileResult] | None = field(default=None, repr=False)
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)  # path → the bytes read, for messages
    rows: list[TaskRow] = field(default_factory=list, repr=False)  # the index rows of `files`
    dues: Dues = field(default_factory=lambda: resolve(()), repr=False)  # the inheritance the tasks were assembled with
    _by_path: dict[str, FileResult] = field(default_factory=dict, repr=False)
    _full: dict[str, FileResult] = field(default_factory=dict, repr=False)  # files fetched by full_task
    _since: list[date | None] = field(default_factory=list, repr=False)  # tracking_start, once worked out

    def tracking_start(self) -> date | None:
        """When tracking began: `tracking_since`, else the day the ledger's first commit
        added sanzhua.yaml; None (every task from its start) outside git. No state or
        score counts a report missed before it."""
        if not self._since:
            self._since.append(self.settings.tracking_since or _first_commit(self.root))
        return self._since[0]

    def full_task(self, task: Task) -> Task | None:
        """The task whole, also when its tasks are slim (its file fetched once)."""
        if self.whole is None:
            return task
        full = self._full.get(task.file)
        if full is None:
            full = self._full[task.file] = self.whole(task.file)
        for t in full.tasks:
            if t.id == task.id and t.line == task.line:
                return t
        return None

    def file(self, path: str) -> FileResult | None:
        if len(self._by_path) != len(self.files):
            self._by_path = {f.path: f for f in self.files}
        return self._by_path.get(path)


def _first_commit(root: Path) -> date | None:
    """The committer date of the commit that added the ledger's sanzhua.yaml."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", str(root), "log", "--diff-filter=A", "--format=%cs", "--", SETTINGS_FILE],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    days = done.stdout.split() if done.returncode == 0 else []
    try:
        return date.fromisoformat(days[-1]) if days else None
    except ValueError:
        return None


def find_root(start: Path, lang: str | None = None) -> Path:
    """The nearest folder at or above `start` holding sanzhua.yaml (like git's root)."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    if lang == "en":
        raise FatalError(
            f"no {SETTINGS_FILE} found in {start} or any folder above it",
            "run sanzhua inside a ledger repository, pass --root DIR, or create one with `sanzhua init`",
        )
    raise FatalError(
        f"在 {start} 及其上级目录中都没有找到 {SETTINGS_FILE}，这里不是台账仓库",
        "请在台账仓库内运行，或用 --root 指定台账目录；新建台账请运行 `sanzhua init`",
    )


def ledger_files(root: Path) -> list[Path]:
    """Every *.yaml / *.yml below ledgers/, in a stable order (by relative path)."""
    base = os.path.join(root, LEDGER_DIR)
    found: list[str] = []
    stack = [base]
    seen: set[tuple[int, int]] = set()  # folders by (device, inode): a symlink loop is walked once
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for e in entries:
            if e.name.startswith("."):
                continue
            try:
                is_dir = e.is_dir()
            except OSError:
                continue
            if is_dir:
                stack.append(e.path)
            elif e.name.endswith((".yaml", ".yml")):
                found.append(e.path)
    cut = len(str(root)) + 1
    found.sort(key=lambda p: p[cut:].replace(os.sep, "/"))
    return [Path(p) for p in found]


def _read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _chunks(items: list[T], n: int) -> Iterable[list[T]]:
    size = max(1, -(-len(items) // n))
    for i in range(0, len(items), size):
        yield items[i : i + size]


# The code whose output the cache keeps (parsed files, index rows, check results),
# relative to the package: a change to any of it makes every entry stale.
_CACHED_CODE = (
    "load/*.py",
    "checks/*.py",
    "commands/check.py",
    "commands/common.py",
    "dates.py",
    "evaluate.py",
    "model.py",
    "output.py",
    "problems.py",
)


def _code_fingerprint() -> str:
    """A digest of the code that produces cached results: an edited parser or check never
    reads stale entries. The sources are read, not imported (that would build the
    settings parser's pydantic models on every run)."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=8)
    for pattern in _CACHED_CODE:
        found = sorted(package.glob(pattern))
        if not found:
            h.update(pattern.encode())  # no sources (a bytecode-only install): the version decides
        for path in found:
            h.update(path.relative_to(package).as_posix().encode())
            with suppress(OSError):
                h.update(path.read_bytes())
    return h.hexdigest()


# A file's cache entry: its content digest, its full and slim results pickled (each
# unpickled only by the commands that need it) and its index rows.
Entry = tuple[bytes, bytes, bytes, tuple[TaskRow, ...]]
Blobs = tuple[bytes, bytes, bytes]  # content digest, full result, slim result (pickled)
# A file's check results (sanzhua.commands.check): content digest, what else they
# depend on (the date, the settings files, what the file's tasks see of other files),
# its problems, the years its open tasks need a calendar for, and the source lines
# the problems point at (line number → the line).
CheckEntry = tuple[bytes, bytes, tuple[object, ...], list[Problem], frozenset[int], dict[int, str | None]]


class _Cache:
    """Parsed files by (path, content digest): a main pickle and a small delta beside it.

    Each file has its content digest and index rows in the main pickle, and its full
    result (unpickled only by commands that need progress, milestones and extensions)
    and slim one (what `check` needs) pickled in a second file beside it, read only
    when a command asks for a result (a re-check whose results all hold never does).
    A run that changed a few files writes only the delta (what differs from the main
    pickle, results included), so a re-check after a small edit does not rewrite the
    whole cache; the main pickle is rewritten when the delta grows past a twentieth
    of it. The delta and the results file name the main pickle they were written with
    (a random token), so neither is ever applied to another main; results that are
    missing or stale are parsed again. Entries of files that no longer exist are
    dropped when the main pickle is rewritten; until then they are never looked up.
    `check` keeps each file's problems here as well (`checks`), keyed by everything
    they depend on.
    """

    def __init__(self, root: Path, enabled: bool) -> None:
        self.path = root / CACHE_DIR / "files.pickle"
        self.blobs_path = root / CACHE_DIR / "files.results.pickle"
        self.delta_path = root / CACHE_DIR / "files.delta.pickle"
        self.enabled = enabled
        self.index: dict[str, tuple[bytes, tuple[TaskRow, ...]]] = {}
        self.checks: dict[str, CheckEntry] = {}
        self.meta: dict[str, tuple[bytes, Any]] = {}  # settings, units, calendar: digest → parsed
        self.changed: dict[str, Entry] = {}  # entries not in the main pickle
        self.changed_checks: dict[str, CheckEntry] = {}
        self._blobs: dict[str, Blobs] | None = None  # the results file, once read
        self.token: bytes | None = None  # the main pickle's, None when there is none
        self.dirty = False
        self.stamp = f"{__version__}/{_CACHE_FORMAT}/{_code_fingerprint()}"
        if enabled:
            self._read()

    def _read(self) -> None:
        try:
            with self.path.open("rb") as fh:
                stamp, token, index, checks, meta = pickle.load(fh)
            if stamp != self.stamp or not all(isinstance(d, dict) for d in (index, checks, meta)):
                return
            self.index, self.checks, self.meta, self.token = index, checks, meta, token
        except Exception:
            return
        try:
            with self.delta_path.open("rb") as fh:
                stamp, token, changed, changed_checks, meta = pickle.load(fh)
            if stamp == self.stamp and token == self.token and isinstance(changed, dict):
                self.index.update((rel, (e[0], e[3])) for rel, e in changed.items())
                self.checks.update(changed_checks)
                self.meta = meta
                self.changed = changed
                self.changed_checks = changed_checks
        except Exception:
            pass  # no delta, or a broken one: the main pickle alone is still right

    def rows(self, rel: str, key: bytes) -> tuple[TaskRow, ...] | None:
        """The file's index rows if the cache holds this content of it."""
        hit = self.index.get(rel)
        return hit[1] if hit is not None and hit[0] == key else None

    def blobs(self, rel: str, key: bytes) -> Blobs | None:
        """The file's pickled results, if the cache holds them for this content."""
        entry = self.changed.get(rel)
        if entry is not None:
            return (entry[0], entry[1], entry[2]) if entry[0] == key else None
        got = self._all_blobs().get(rel)
        return got if got is not None and got[0] == key else None

    def _all_blobs(self) -> dict[str, Blobs]:
        if self._blobs is None:
            self._blobs = {}
            if self.token is not None:
                try:
                    with self.blobs_path.open("rb") as fh:
                        stamp, token, blobs = pickle.load(fh)
                    if stamp == self.stamp and token == self.token and isinstance(blobs, dict):
                        self._blobs = blobs
                except Exception:
                    pass  # missing or broken: the files are parsed again
        return self._blobs

    def put(self, rel: str, entry: Entry) -> None:
        self.changed[rel] = entry
        self.index[rel] = (entry[0], entry[3])
        self.dirty = True

    def get_check(self, rel: str, key: bytes, context: bytes, seen: tuple[object, ...]) -> CheckEntry | None:
        hit = self.checks.get(rel)
        if hit is not None and hit[0] == key and hit[1] == context and hit[2] == seen:
            return hit
        return None

    def put_check(self, rel: str, entry: CheckEntry) -> None:
        if self.enabled:
            self.checks[rel] = self.changed_checks[rel] = entry
            self.dirty = True

    def memo(self, name: str, data: bytes | None, compute: Callable[[], T]) -> T:
        """A settings file's parsed form, recomputed only when its bytes change.

        This also spares a warm run importing and building the pydantic models.
        """
        key = self.digest(data)
        hit = self.meta.get(name)
        if hit is not None and hit[0] == key:
            return cast(T, hit[1])
        value = compute()
        self.meta[name] = (key, value)
        self.dirty = True
        return value

    @staticmethod
    def digest(data: bytes | None) -> bytes:
        return hashlib.blake2b(data or b"<none>", digest_size=16).digest()

    def save(self, keep: set[str]) -> None:
        if not self.enabled or not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            small = max(32, len(keep) // 20)
            if self.token is not None and len(self.changed) <= small and len(self.changed_checks) <= small:
                delta = (self.stamp, self.token, self.changed, self.changed_checks, self.meta)
                self._write(self.delta_path, delta)
                return
            index = {k: v for k, v in self.index.items() if k in keep}
            checks = {k: v for k, v in self.checks.items() if k in keep}
            token = self.token
            if token is None or self.changed:
                # New parsed files: the results file is rewritten, under a new token.
                token = os.urandom(16)
                blobs = {k: b for k in index if (b := self.blobs(k, index[k][0])) is not None}
                self._write(self.blobs_path, (self.stamp, token, blobs))
            # else only check results changed (a new as-of date): the results file stands.
            self._write(self.path, (self.stamp, token, index, checks, self.meta))
            self.delta_path.unlink(missing_ok=True)
        except OSError:
            pass  # a read-only checkout still checks, only slower next time

    def _write(self, path: Path, value: object) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".files.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


_NO_LISTS = {"milestones": (), "progress": (), "extensions": ()}


def _without_lists(t: Task) -> Task:
    # dataclasses.replace re-runs __init__ with every field; a copied __dict__ is ten times cheaper.
    new: Task = object.__new__(Task)
    new.__dict__.update(t.__dict__)
    new.__dict__.update(_NO_LISTS)
    return new


def slim_of(result: FileResult) -> FileResult:
    """The same file without the per-task lists that only reports need."""
    tasks = [_without_lists(t) if (t.milestones or t.progress or t.extensions) else t for t in result.tasks]
    return FileResult(
        result.path,
        tasks,
        result.problems,
        result.unit,
        result.unit_pos,
        result.positions,
        result.key_style,
        result.dropped,
    )


def _entry(key: bytes, full: FileResult) -> tuple[Entry, FileResult]:
    """A parsed file's cache entry, and its slim result."""
    slim = slim_of(full)
    proto = pickle.HIGHEST_PROTOCOL
    return (key, pickle.dumps(full, protocol=proto), pickle.dumps(slim, protocol=proto), rows_of(slim)), slim


def _parse_job(jobs: list[tuple[bytes, str, int, bytes]]) -> list[tuple[str, Entry]]:
    """Worker: parse, and return each file's cache entry."""
    return [(path, _entry(key, parse_ledger_bytes(data, path, year))[0]) for data, path, year, key in jobs]


@dataclass
class Scan:
    """Every file of a ledger read, digested and parsed (or found in the cache), before
    any is turned into tasks: what `load_ledger` assembles, and what `check` uses to
    rebuild only the files that changed."""

    root: Path
    settings: Settings
    units: dict[str, Unit]
    calendar: WorkCalendar
    problems: list[Problem]  # of the settings files
    has_units_file: bool
    order: list[str]  # every ledger file, relative to the root
    keys: dict[str, bytes]  # content digests of the files that could be read
    sources: dict[str, bytes]  # the bytes read
    index: dict[str, tuple[TaskRow, ...]]  # each readable file's rows
    unreadable: dict[str, FileResult]
    settings_key: bytes  # digest of sanzhua.yaml, units.yaml and calendar.yaml
    store: _Cache
    parsed: dict[str, FileResult] = field(default_factory=dict)  # full results parsed in this run
    slims: dict[str, FileResult] = field(default_factory=dict)  # slim results parsed or unpickled

    def rows(self, rel: str) -> tuple[TaskRow, ...]:
        return self.index.get(rel, ())

    def slim(self, rel: str) -> FileResult:
        """The file without progress, milestones and extensions (unpickled once)."""
        got = self.slims.get(rel) or self.unreadable.get(rel)
        if got is None:
            got = self.slims[rel] = pickle.loads(self._blobs(rel)[2])
        return got

    def full(self, rel: str) -> FileResult:
        got = self.parsed.get(rel) or self.unreadable.get(rel)
        return got if got is not None else cast(FileResult, pickle.loads(self._blobs(rel)[1]))

    def _blobs(self, rel: str) -> Blobs:
        key = self.keys[rel]
        got = self.store.blobs(rel, key)
        if got is None:  # the results file is missing or older than the index: parse again
            full = self.parsed[rel] = parse_ledger_bytes(self.sources[rel], rel, self.settings.year)
            entry, self.slims[rel] = _entry(key, full)
            self.store.put(rel, entry)
            got = (entry[0], entry[1], entry[2])
        return got

    def save(self) -> None:
        self.store.save(set(self.keys))


def load_ledger(root: Path, *, cache: bool = True, jobs: int | None = None) -> Ledger:
    """Read the whole ledger under `root`. Bad data becomes problems, never exceptions.
    Many files are parsed in worker processes."""
    with frozen_gc():
        scan = _scan(root, cache=cache, jobs=jobs)
        scan.save()
        files = [scan.full(rel) for rel in scan.order]
        ledger = assemble(
            root, scan.settings, scan.units, scan.calendar, files, scan.problems, has_units_file=scan.has_units_file
        )
        ledger.sources = scan.sources
        return ledger


def scan_ledger(root: Path, *, cache: bool = True, jobs: int | None = None) -> Scan:
    """Read, digest and parse (or find in the cache) every file; assemble nothing."""
    with frozen_gc():
        return _scan(root, cache=cache, jobs=jobs)


@contextmanager
def frozen_gc() -> Iterator[None]:
    """No garbage collection while loading: millions of small objects and no cycles,
    the collector only costs time; what was loaded is frozen (lives as long as the
    command), so later collections need not walk it."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if gc_was_enabled:
            gc.enable()


def _settings() -> ModuleType:
    """The settings parser, imported only when a settings file changed (it builds pydantic models)."""
    from sanzhua.load import settings

    return settings


def _scan(root: Path, *, cache: bool, jobs: int | None) -> Scan:
    store = _Cache(root, cache)
    problems: list[Problem] = []
    settings_bytes = _read_optional(root / SETTINGS_FILE)
    if settings_bytes is None:
        raise FatalError(f"{root / SETTINGS_FILE} not found")
    settings, p = store.memo("settings", settings_bytes, lambda: _settings().load_settings(settings_bytes))
    problems.extend(p)
    units_bytes = _read_optional(root / UNITS_FILE)
    units, p = store.memo("units", units_bytes, lambda: _settings().load_units(units_bytes))
    problems.extend(p)
    if units_bytes is None:
        problems.append(
            Problem("missing-file", "error", UNITS_FILE, 0, 0, msg("units.missing"), msg("units.missing.hint"))
        )
    calendar_bytes = _read_optional(root / CALENDAR_FILE)
    holidays, workdays, p = store.memo("calendar", calendar_bytes, lambda: _settings().load_calendar(calendar_bytes))
    problems.extend(p)
    calendar = WorkCalendar(holidays=holidays, workdays=workdays)
    settings_key = b"".join(store.digest(d) for d in (settings_bytes, units_bytes, calendar_bytes))

    year = settings.year
    person = str(year).encode()
    index: dict[str, tuple[TaskRow, ...]] = {}
    unreadable: dict[str, FileResult] = {}
    parsed: dict[str, FileResult] = {}
    slims: dict[str, FileResult] = {}
    todo: list[tuple[bytes, str, int, bytes]] = []
    keys: dict[str, bytes] = {}
    sources: dict[str, bytes] = {}
    order: list[str] = []
    cut = len(str(root)) + 1
    for path in ledger_files(root):
        rel = str(path)[cut:].replace(os.sep, "/")
        order.append(rel)
        try:
            data = path.read_bytes()
        except OSError as e:
            unreadable[rel] = FileResult(
                rel,
                problems=[
                    Problem("encoding", "error", rel, 0, 0, msg("file.unreadable", detail=e.strerror or str(e)), None)
                ],
            )
            continue
        key = hashlib.blake2b(data, digest_size=16, person=person).digest()
        keys[rel] = key
        sources[rel] = data
        rows = store.rows(rel, key)
        if rows is not None:
            index[rel] = rows
        else:
            todo.append((data, rel, year, key))
    if todo:
        total = sum(len(d) for d, _, _, _ in todo)
        workers = jobs if jobs is not None else (os.cpu_count() or 1)
        if workers > 1 and total >= _PARALLEL_MIN_BYTES and len(todo) >= 4:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable) as pool:
                for batch in pool.map(_parse_job, _chunks(todo, workers * 4)):
                    for rel, entry in batch:
                        index[rel] = entry[3]
                        store.put(rel, entry)
        else:
            for data, rel, y, key in todo:
                full = parsed[rel] = parse_ledger_bytes(data, rel, y)
                entry, slims[rel] = _entry(key, full)
                index[rel] = entry[3]
                store.put(rel, entry)
    return Scan(
        root,
        settings,
        units,
        calendar,
        problems,
        units_bytes is not None,
        order,
        keys,
        sources,
        index,
        unreadable,
        settings_key,
        store,
        parsed,
        slims,
    )


def assemble(
    root: Path,
    settings: Settings,
    units: dict[str, Unit],
    calendar: WorkCalendar,
    files: list[FileResult],
    problems: list[Problem],
    *,
    has_units_file: bool = True,
    dues: Dues | None = None,
) -> Ledger:
    """Files → one ledger: unit names resolved to ids, deadlines inherited from parents.

    `dues` is the inheritance worked out over a larger ledger than `files` (the check
    of a few changed files among many); by default it is worked out over `files`.
    """
    rows = [r for f in files for r in rows_of(f)]
    if dues is None:
        dues = resolve(rows)
    by_name = {u.name: u.id for u in units.values()}
    inherited = dues.inherited
    tasks: list[Task] = []
    for f in files:
        for t in f.tasks:
            if t.lead not in units and t.lead in by_name:
                t = replace(t, lead=by_name[t.lead])
            if any(p not in units and p in by_name for p in t.partners):
                t = replace(t, partners=tuple(by_name.get(p, p) if p not in units else p for p in t.partners))
            if t.due is None and t.parent:
                due = inherited.get((t.file, t.line))
                if due is not None:
                    t = replace(t, due=due[0], due_text=due[1], due_inherited=True)
            tasks.append(t)
    by_id: dict[str, Task] = {}
    for t in tasks:
        by_id.setdefault(t.id, t)
    children: dict[str, list[Task]] = {}
    for t in tasks:
        if t.parent and by_id.get(t.id) is t:
            children.setdefault(t.parent, []).append(t)
    return Ledger(
        root, settings, units, tasks, by_id, children, calendar, files, problems, has_units_file, rows=rows, dues=dues
    )
