"""Loading a ledger: files → typed tasks, units and settings, with problems.

`load_ledger(root)` reads sanzhua.yaml, units.yaml, calendar.yaml and every
ledgers/**/*.y{a,}ml. Each ledger file is parsed on its own (ledgerfile.py), in worker
processes when there are many, and its result is cached by content (sanzhua.load.cache,
outside the work tree), so a re-check after a small change parses only what changed.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from sanzhua.errors import FatalError
from sanzhua.i18n import text
from sanzhua.load.cache import Cache, Entry, decode_result, encode_result
from sanzhua.load.index import Dues, resolve, rows_of
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.load.plain import BadCache
from sanzhua.load.safe import DEFAULT_MAX_BYTES, TOO_BIG, UNREADABLE, UnsafeFile, inside, read_inside, read_optional
from sanzhua.model import Settings, Task, TaskRow, Unit
from sanzhua.problems import Problem, msg
from sanzhua.workdays import WorkCalendar

__all__ = ["FileResult", "Ledger", "Scan", "find_root", "load_ledger", "parse_ledger_bytes", "scan_ledger"]

SETTINGS_FILE = "sanzhua.yaml"
UNITS_FILE = "units.yaml"
CALENDAR_FILE = "calendar.yaml"
LEDGER_DIR = "ledgers"
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
        if os.path.lexists(folder / SETTINGS_FILE):  # whatever it is: reading it says what is wrong
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
    """Every *.yaml / *.yml below ledgers/, in a stable order (by relative path).

    A folder that is a link out of the ledger root is not walked but listed itself, so
    that reading it reports it (`unsafe-file`); one that leads back inside is walked once.
    """
    base = os.path.join(root, LEDGER_DIR)
    top = os.path.realpath(root)
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
                if e.is_symlink() and not inside(os.path.realpath(e.path), top):
                    found.append(e.path)
                else:
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


def unsafe_problem(rel: str, e: UnsafeFile, max_mb: int) -> Problem:
    """The problem for a file sanzhua.load.safe would not read."""
    hint = {TOO_BIG: "unsafe.too-big.hint", UNREADABLE: "unsafe.unreadable.hint"}.get(e.reason, "unsafe.hint")
    key = "unsafe.denied" if e.errno in (errno.EACCES, errno.EPERM) else f"unsafe.{e.reason}"
    m = msg(key, path=rel, detail=e.detail, limit=max_mb)
    return Problem("unsafe-file", "error", rel, 0, 0, m, msg(hint))


def _fatal(name: str, e: UnsafeFile) -> FatalError:
    """sanzhua.yaml cannot be read: the command cannot run (its language is not known
    yet, so the message is in both)."""
    p = unsafe_problem(name, e, DEFAULT_MAX_BYTES >> 20)
    return FatalError(
        f"{text(p.message, 'zh')} / {text(p.message, 'en')}",
        f"{text(p.hint, 'zh')} / {text(p.hint, 'en')}",
    )


def _chunks(items: list[T], n: int) -> Iterable[list[T]]:
    size = max(1, -(-len(items) // n))
    for i in range(0, len(items), size):
        yield items[i : i + size]


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
    return Entry(key, encode_result(full), encode_result(slim), rows_of(slim)), slim


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
    store: Cache
    parsed: dict[str, FileResult] = field(default_factory=dict)  # full results parsed in this run
    slims: dict[str, FileResult] = field(default_factory=dict)  # slim results parsed or decoded

    def rows(self, rel: str) -> tuple[TaskRow, ...]:
        return self.index.get(rel, ())

    def slim(self, rel: str) -> FileResult:
        """The file without progress, milestones and extensions (decoded once)."""
        got = self.slims.get(rel) or self.unreadable.get(rel)
        if got is None:
            blobs = self.store.blobs(rel, self.keys[rel])
            got = _decoded(blobs[1]) if blobs is not None else None
            if got is None:
                return self._parse(rel)[1]
            self.slims[rel] = got
        return got

    def full(self, rel: str) -> FileResult:
        got = self.parsed.get(rel) or self.unreadable.get(rel)
        if got is None:
            blobs = self.store.blobs(rel, self.keys[rel])
            got = _decoded(blobs[0]) if blobs is not None else None
            if got is None:
                return self._parse(rel)[0]
        return got

    def _parse(self, rel: str) -> tuple[FileResult, FileResult]:
        """The results file is missing, older than the index or damaged: parse again."""
        full = self.parsed[rel] = parse_ledger_bytes(self.sources[rel], rel, self.settings.year)
        entry, slim = _entry(self.keys[rel], full)
        self.slims[rel] = slim
        self.store.put(rel, entry)
        return full, slim

    def save(self) -> None:
        self.store.save(set(self.keys))


def _decoded(blob: bytes) -> FileResult | None:
    try:
        return decode_result(blob)
    except BadCache:
        return None


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
    store = Cache(root, cache)
    problems: list[Problem] = []
    try:
        settings_bytes = read_optional(root / SETTINGS_FILE, root)
    except UnsafeFile as e:
        raise _fatal(SETTINGS_FILE, e) from None
    if settings_bytes is None:
        raise FatalError(f"{root / SETTINGS_FILE} not found")
    settings, p = store.memo("settings", settings_bytes, lambda: _settings().load_settings(settings_bytes))
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
    units, p = store.memo("units", units_bytes, lambda: _settings().load_units(units_bytes))
    problems.extend(p)
    if units_bytes is None and not units_refused:
        problems.append(
            Problem("missing-file", "error", UNITS_FILE, 0, 0, msg("units.missing"), msg("units.missing.hint"))
        )
    calendar_bytes, _ = optional(CALENDAR_FILE)
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
            data = read_inside(path, root, max_bytes=limit)
        except (OSError, UnsafeFile) as e:
            if isinstance(e, UnsafeFile) and e.reason != UNREADABLE:
                problem = unsafe_problem(rel, e, settings.max_file_mb)
            else:  # a dangling link, a file that went away, no permission: as before
                detail = e.detail if isinstance(e, UnsafeFile) else e.strerror or str(e)
                denied = e.errno in (errno.EACCES, errno.EPERM)
                m = msg("unsafe.denied", path=rel) if denied else msg("file.unreadable", detail=detail)
                problem = Problem("encoding", "error", rel, 0, 0, m, msg("unsafe.unreadable.hint") if denied else None)
            unreadable[rel] = FileResult(rel, problems=[problem])
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
                        index[rel] = entry.rows
                        store.put(rel, entry)
        else:
            for data, rel, y, key in todo:
                full = parsed[rel] = parse_ledger_bytes(data, rel, y)
                entry, slims[rel] = _entry(key, full)
                index[rel] = entry.rows
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
    if any(t.assigned is not None for t in tasks):
        # issue 20: an assigned task starts then, and a kind with an answer limit gives it its deadline
        from sanzhua.kinds import derive_deadlines

        tasks = derive_deadlines(tasks, settings, calendar)
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
