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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

from sanzhua import __version__
from sanzhua.errors import FatalError
from sanzhua.load.index import Dues, resolve, rows_of
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.model import Settings, Task, Unit
from sanzhua.problems import Problem, msg
from sanzhua.workdays import WorkCalendar

__all__ = ["FileResult", "Ledger", "find_root", "load_ledger", "parse_ledger_bytes"]

SETTINGS_FILE = "sanzhua.yaml"
UNITS_FILE = "units.yaml"
CALENDAR_FILE = "calendar.yaml"
LEDGER_DIR = "ledgers"
CACHE_DIR = ".sanzhua/cache"
# Bump when FileResult or parsing changes; the package version is part of the key too.
_CACHE_FORMAT = 2
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
    slim: bool = False  # tasks without milestones, progress and extensions (what `check` needs)
    full_files: dict[str, bytes] = field(default_factory=dict, repr=False)  # path → pickled full FileResult
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)  # path → the bytes read, for messages
    _by_path: dict[str, FileResult] = field(default_factory=dict, repr=False)
    _full: dict[str, FileResult] = field(default_factory=dict, repr=False)  # files unpickled by full_task

    def full_task(self, task: Task) -> Task | None:
        """The task whole, also when the ledger was loaded slim (its file unpickled once)."""
        if not self.slim:
            return task
        full = self._full.get(task.file)
        if full is None:
            blob = self.full_files.get(task.file)
            if blob is None:
                return None
            full = self._full[task.file] = pickle.loads(blob)
        for t in full.tasks:
            if t.id == task.id and t.line == task.line:
                return t
        return None

    def file(self, path: str) -> FileResult | None:
        if len(self._by_path) != len(self.files):
            self._by_path = {f.path: f for f in self.files}
        return self._by_path.get(path)


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


def _chunks(items: list[tuple[bytes, str, int]], n: int) -> Iterable[list[tuple[bytes, str, int]]]:
    size = max(1, -(-len(items) // n))
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _code_fingerprint() -> str:
    """A digest of the code that produces cached results: an edited parser never reads stale entries."""
    import sanzhua.checks.done_before_start
    import sanzhua.checks.done_without_date
    import sanzhua.checks.due_before_start
    import sanzhua.checks.extension_mismatch
    import sanzhua.checks.milestone_after_due
    import sanzhua.dates
    import sanzhua.load.keys
    import sanzhua.load.ledgerfile
    import sanzhua.load.yamlfast
    import sanzhua.model

    h = hashlib.blake2b(digest_size=8)
    # The settings parser by its source alone: importing it would build its pydantic models.
    try:
        h.update((Path(__file__).parent / "settings.py").read_bytes())
    except OSError:
        h.update(b"settings")
    for mod in (
        sanzhua.dates,
        sanzhua.load.keys,
        sanzhua.load.ledgerfile,
        sanzhua.load.yamlfast,
        sanzhua.model,
        sanzhua.checks.done_before_start,
        sanzhua.checks.done_without_date,
        sanzhua.checks.due_before_start,
        sanzhua.checks.extension_mismatch,
        sanzhua.checks.milestone_after_due,
    ):
        try:
            h.update(Path(str(mod.__file__)).read_bytes())
        except OSError:
            h.update(str(mod.__name__).encode())
    return h.hexdigest()


class _Cache:
    """Parsed files by (path, content digest): a main pickle and a small delta beside it.

    Each entry keeps the full result pickled (unpickled only by commands that need
    progress, milestones and extensions) and a slim one that `check` uses directly.
    A run that changed a few files writes only the delta (what differs from the main
    pickle), so a re-check after a small edit does not rewrite the whole cache; the
    main pickle is rewritten when the delta grows past a twentieth of it. The delta
    names the main pickle it was written against (a random token), so a delta is
    never applied to another main. Entries of files that no longer exist are dropped
    when the main pickle is rewritten; until then they are never looked up.
    """

    def __init__(self, root: Path, enabled: bool) -> None:
        self.path = root / CACHE_DIR / "files.pickle"
        self.delta_path = root / CACHE_DIR / "files.delta.pickle"
        self.enabled = enabled
        self.entries: dict[str, tuple[bytes, bytes, FileResult]] = {}
        self.meta: dict[str, tuple[bytes, Any]] = {}  # settings, units, calendar: digest → parsed
        self.changed: dict[str, tuple[bytes, bytes, FileResult]] = {}  # entries not in the main pickle
        self.token: bytes | None = None  # the main pickle's, None when there is none
        self.dirty = False
        self.stamp = f"{__version__}/{_CACHE_FORMAT}/{_code_fingerprint()}"
        if enabled:
            self._read()

    def _read(self) -> None:
        try:
            with self.path.open("rb") as fh:
                stamp, token, entries, meta = pickle.load(fh)
            if stamp != self.stamp or not isinstance(entries, dict) or not isinstance(meta, dict):
                return
            self.entries, self.meta, self.token = entries, meta, token
        except Exception:
            return
        try:
            with self.delta_path.open("rb") as fh:
                stamp, token, changed, meta = pickle.load(fh)
            if stamp == self.stamp and token == self.token and isinstance(changed, dict):
                self.entries.update(changed)
                self.meta = meta
                self.changed = changed
        except Exception:
            pass  # no delta, or a broken one: the main pickle alone is still right

    def get(self, rel: str, key: bytes) -> tuple[bytes, FileResult] | None:
        hit = self.entries.get(rel)
        return (hit[1], hit[2]) if hit is not None and hit[0] == key else None

    def put(self, rel: str, key: bytes, full: bytes, slim: FileResult) -> None:
        self.entries[rel] = self.changed[rel] = (key, full, slim)
        self.dirty = True

    def memo(self, name: str, data: bytes | None, compute: Callable[[], T]) -> T:
        """A settings file's parsed form, recomputed only when its bytes change.

        This also spares a warm run importing and building the pydantic models.
        """
        key = hashlib.blake2b(data or b"<none>", digest_size=16).digest()
        hit = self.meta.get(name)
        if hit is not None and hit[0] == key:
            return cast(T, hit[1])
        value = compute()
        self.meta[name] = (key, value)
        self.dirty = True
        return value

    def save(self, keep: set[str]) -> None:
        if not self.enabled or not self.dirty:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.path.parent.parent / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("*\n", encoding="utf-8")
            if self.token is not None and len(self.changed) <= max(32, len(keep) // 20):
                self._write(self.delta_path, (self.stamp, self.token, self.changed, self.meta))
                return
            token = os.urandom(16)
            entries = {k: v for k, v in self.entries.items() if k in keep}
            self._write(self.path, (self.stamp, token, entries, self.meta))
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
        result.path, tasks, result.problems, result.unit, result.unit_pos, result.positions, result.key_style
    )


def _parse_job(jobs: list[tuple[bytes, str, int]]) -> list[tuple[str, bytes, FileResult, FileResult | None]]:
    """Worker: parse, and return (path, pickled full result, slim result, full result or None)."""
    out: list[tuple[str, bytes, FileResult, FileResult | None]] = []
    for data, path, year in jobs:
        full = parse_ledger_bytes(data, path, year)
        out.append((path, pickle.dumps(full, protocol=pickle.HIGHEST_PROTOCOL), slim_of(full), None))
    return out


def load_ledger(root: Path, *, cache: bool = True, jobs: int | None = None, slim: bool = False) -> Ledger:
    """Read the whole ledger under `root`. Bad data becomes problems, never exceptions.

    `slim=True` leaves each task's milestones, progress and extensions out (they stay
    reachable through `Ledger.full_task`): all that `sanzhua check` needs, and much
    faster from the cache. Many files are parsed in worker processes.
    """
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: the collector only costs time here
    try:
        return _load(root, cache=cache, jobs=jobs, slim=slim)
    finally:
        # What was loaded lives as long as the command: later collections need not walk it.
        gc.freeze()
        if gc_was_enabled:
            gc.enable()


def _settings() -> ModuleType:
    """The settings parser, imported only when a settings file changed (it builds pydantic models)."""
    from sanzhua.load import settings

    return settings


def _load(root: Path, *, cache: bool, jobs: int | None, slim: bool) -> Ledger:
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

    year = settings.year
    results: dict[str, FileResult] = {}
    blobs: dict[str, bytes] = {}
    todo: list[tuple[bytes, str, int]] = []
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
            results[rel] = FileResult(
                rel,
                problems=[
                    Problem("encoding", "error", rel, 0, 0, msg("file.unreadable", detail=e.strerror or str(e)), None)
                ],
            )
            continue
        key = hashlib.blake2b(data, digest_size=16, person=str(year).encode()).digest()
        keys[rel] = key
        sources[rel] = data
        hit = store.get(rel, key)
        if hit is not None:
            blobs[rel] = hit[0]
            results[rel] = hit[1] if slim else pickle.loads(hit[0])
        else:
            todo.append((data, rel, year))
    if todo:
        total = sum(len(d) for d, _, _ in todo)
        workers = jobs if jobs is not None else (os.cpu_count() or 1)
        parallel = workers > 1 and total >= _PARALLEL_MIN_BYTES and len(todo) >= 4
        if parallel:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable) as pool:
                done = [r for batch in pool.map(_parse_job, _chunks(todo, workers * 4)) for r in batch]
            for rel, blob, small, _ in done:
                blobs[rel] = blob
                results[rel] = small if slim else pickle.loads(blob)
                store.put(rel, keys[rel], blob, small)
        else:
            for data, rel, y in todo:
                full = parse_ledger_bytes(data, rel, y)
                small = slim_of(full)
                blob = pickle.dumps(full, protocol=pickle.HIGHEST_PROTOCOL)
                blobs[rel] = blob
                results[rel] = small if slim else full
                store.put(rel, keys[rel], blob, small)
    store.save(set(keys))

    files = [results[rel] for rel in order]
    ledger = assemble(root, settings, units, calendar, files, problems, has_units_file=units_bytes is not None)
    ledger.slim = slim
    ledger.full_files = blobs
    ledger.sources = sources
    return ledger


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
    if dues is None:
        dues = resolve(r for f in files for r in rows_of(f))
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
    return Ledger(root, settings, units, tasks, by_id, children, calendar, files, problems, has_units_file)
