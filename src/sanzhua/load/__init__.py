"""Loading a ledger: files → typed tasks, units and settings, with problems.

`load_ledger(root)` reads sanzhua.yaml, units.yaml, calendar.yaml and every
ledgers/**/*.y{a,}ml and assembles one `Ledger`, which nothing changes afterwards.
The stages, each a module of its own:

- discovery (here): the ledger root, and the ledger files below it;
- sanzhua.load.scan: every file read and digested; each ledger file's `FileResult`
  found in the cache or parsed (sanzhua.load.parallel: in worker processes when there
  are many);
- sanzhua.load.ledgerfile: the pure parse of one file's bytes (what the file says,
  never a check: checks are sanzhua.checks' business);
- sanzhua.load.cache: parsed results, index rows and check results kept by content,
  as plain data that cannot run code;
- `assemble` (here): files → one ledger, unit names resolved, deadlines inherited.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sanzhua.errors import FatalError
from sanzhua.gitargs import GIT, git_env
from sanzhua.kinds import derive_deadlines
from sanzhua.load.index import Dues, resolve, rows_of
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.load.parallel import frozen_gc
from sanzhua.load.safe import inside
from sanzhua.load.scan import (
    CALENDAR_FILE,
    LEDGER_SUFFIXES,
    SETTINGS_FILE,
    UNITS_FILE,
    Scan,
    scan_files,
    unsafe_problem,
)
from sanzhua.model import Settings, Task, TaskRow, Unit
from sanzhua.problems import Problem, msg
from sanzhua.workdays import WorkCalendar

__all__ = [
    "CALENDAR_FILE",
    "LEDGER_DIR",
    "SETTINGS_FILE",
    "UNITS_FILE",
    "FileResult",
    "Ledger",
    "Scan",
    "assemble",
    "assemble_scan",
    "find_root",
    "frozen_gc",
    "ledger_files",
    "load_ledger",
    "parse_ledger_bytes",
    "scan_ledger",
    "unsafe_problem",
]

LEDGER_DIR = "ledgers"


@dataclass(frozen=True, eq=False)
class Ledger:
    """A loaded ledger: what every command works on. Built once by `assemble`, never
    changed afterwards (a command that needs another ledger assembles another)."""

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
    sources: dict[str, bytes] = field(default_factory=dict, repr=False)  # path → the bytes read, for messages
    rows: list[TaskRow] = field(default_factory=list, repr=False)  # the index rows of `files`
    dues: Dues = field(default_factory=lambda: resolve(()), repr=False)  # the inheritance the tasks were assembled with
    # Worked out on first use (the ledger itself stays as built):
    _by_path: dict[str, FileResult] = field(default_factory=dict, repr=False)
    _since: list[date | None] = field(default_factory=list, repr=False)  # tracking_start

    def tracking_start(self) -> date | None:
        """When tracking began: `tracking_since`, else the day the ledger's first commit
        added sanzhua.yaml; None (every task from its start) outside git. No state or
        score counts a report missed before it."""
        if not self._since:
            self._since.append(self.settings.tracking_since or _first_commit(self.root))
        return self._since[0]

    def file(self, path: str) -> FileResult | None:
        if len(self._by_path) != len(self.files):
            self._by_path.update((f.path, f) for f in self.files)
        return self._by_path.get(path)


def _first_commit(root: Path) -> date | None:
    """The committer date of the commit that added the ledger's sanzhua.yaml."""
    try:
        done = subprocess.run(
            [*GIT, "-C", str(root), "log", "--diff-filter=A", "--format=%cs", "--", SETTINGS_FILE],
            capture_output=True,
            env=git_env(),
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
    raise FatalError(
        msg("root.not-found", start=str(start), file=SETTINGS_FILE),
        msg("root.not-found.hint"),
        lang="en" if lang == "en" else "zh",  # no ledger, so no language of its own: --lang or Chinese
    )


def ledger_files(root: Path) -> list[Path]:
    """Every *.yaml / *.yml below ledgers/, in a stable order (by relative path), and the
    names that only look like one (`X.YAML`, `x.yml `: not read, an `unsafe-file` error,
    so that no task of them is left out of a report unsaid).

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
            elif e.name.endswith(LEDGER_SUFFIXES) or e.name.lower().rstrip().endswith(LEDGER_SUFFIXES):
                # `X.YAML`, `x.yaml ` are listed too, to be named as not read (load.scan)
                found.append(e.path)
    cut = len(str(root)) + 1
    found.sort(key=lambda p: p[cut:].replace(os.sep, "/"))
    return [Path(p) for p in found]


def load_ledger(root: Path, *, cache: bool = True, jobs: int | None = None) -> Ledger:
    """Read the whole ledger under `root`. Bad data becomes problems, never exceptions.
    Many files are parsed in worker processes."""
    with frozen_gc():
        found = scan_files(root, ledger_files(root), cache=cache, jobs=jobs)
        found.save()
        files = [found.result(rel) for rel in found.order]
        # The rows from the cache's index (or this run's parse), not made again from every
        # task and its values' positions: a third of the time, and a warm report then never
        # reads the positions at all (issue 17).
        return assemble_scan(found, files, rows=found.all_rows())


def assemble_scan(
    scan: Scan, files: list[FileResult], *, dues: Dues | None = None, rows: list[TaskRow] | None = None
) -> Ledger:
    """`assemble` of these files (some or all of the scan's) with the scan's settings,
    units, calendar, problems and bytes."""
    return assemble(
        scan.root,
        scan.settings,
        scan.units,
        scan.calendar,
        files,
        scan.problems,
        has_units_file=scan.has_units_file,
        dues=dues,
        sources=scan.sources,
        rows=rows,
    )


def scan_ledger(root: Path, *, cache: bool = True, jobs: int | None = None, defer: int | None = None) -> Scan:
    """Read, digest and parse (or find in the cache) every file; assemble nothing. Files of
    more than `defer` bytes that the cache does not hold are parsed only when asked for."""
    with frozen_gc():
        return scan_files(root, ledger_files(root), cache=cache, jobs=jobs, defer=defer)


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
    sources: dict[str, bytes] | None = None,
    rows: list[TaskRow] | None = None,
) -> Ledger:
    """Files → one ledger: unit names resolved to ids, deadlines inherited from parents.

    `dues` is the inheritance worked out over a larger ledger than `files` (the check
    of a few changed files among many); by default it is worked out over `files`.
    `sources` are the bytes the files were read from (for messages and edits); `rows` the
    index rows of `files`, when they are known already.
    """
    if rows is None:
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
            if t.partners and any(p not in units and p in by_name for p in t.partners):
                t = replace(t, partners=tuple(by_name.get(p, p) if p not in units else p for p in t.partners))
            if t.due is None and t.parent:
                due = inherited.get((t.file, t.line))
                if due is not None:
                    t = replace(t, due=due[0], due_text=due[1], due_inherited=True)
            tasks.append(t)
    if any(t.assigned is not None for t in tasks):
        # issue 20: an assigned task starts then, and a kind with an answer limit gives it its deadline
        tasks = derive_deadlines(tasks, settings, calendar)
    # A task with no deadline at all (none written, inherited or given by its kind) cannot
    # be judged: it is in state `invalid` like one whose deadline cannot be read, not 正常.
    tasks = [t if t.due is not None or t.invalid else replace(t, invalid=("no-due",)) for t in tasks]
    by_id: dict[str, Task] = {}
    for t in tasks:
        by_id.setdefault(t.id, t)
    children: dict[str, list[Task]] = {}
    for t in tasks:
        if t.parent and by_id.get(t.id) is t:
            children.setdefault(t.parent, []).append(t)
    return Ledger(
        root,
        settings,
        units,
        tasks,
        by_id,
        children,
        calendar,
        files,
        problems,
        has_units_file,
        sources=sources if sources is not None else {},
        rows=rows,
        dues=dues,
    )
