"""The history as a sequence of steps: per commit, each task before and after.

`walk()` turns the commits read by `sanzhua.history.git` into `Step`s that the
commands (`log`, `audit`) interpret. What a step holds:

- the settings and units **as of the commit's parent** (its first parent): a commit
  cannot bless itself by adding its author to `supervisors` or to a unit's `editors`;
  a commit whose parent has no sanzhua.yaml creates the ledger and is a *baseline*;
- every task the commit changed, as (before, after) pairs keyed by task id, so a task
  that moves between files or folders is one changed task, not a deletion and a
  creation. A task removed from one file is only "gone" when its id is nowhere in the
  commit's tree (removing a duplicate is not a deletion).

A merge is compared task by task with what combining its parents would have given
(a three-way merge of each task against the merge base: fields, progress entries,
extensions and milestones); only what the merge itself changed beyond that appears,
so honest merges are empty and a conflict resolution that rewrites history is not.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any

from sanzhua.history.blobs import FileView, Parser, Placed
from sanzhua.history.git import NULL_OID, Commit, FileChange, Repo, is_ledger_path
from sanzhua.load.settings import load_settings, load_units
from sanzhua.model import Settings, Task, Unit

SETTINGS_FILE = "sanzhua.yaml"
_WINDOW = 256  # commits whose file versions are fetched together
UNITS_FILE = "units.yaml"
CONFIG_FILES = ("sanzhua.yaml", "units.yaml", "calendar.yaml")


@dataclass(frozen=True, slots=True)
class TaskChange:
    """One task in one commit: `old` is None when created, `new` None when it is gone."""

    id: str
    old: Placed | None
    new: Placed | None


@dataclass
class Step:
    commit: Commit
    baseline: bool  # the commit creates the ledger (its parent has no sanzhua.yaml)
    settings: Settings  # as of the parent (the commit's own for a baseline)
    units: dict[str, Unit]  # as of the parent
    config_changed: list[str] = field(default_factory=list)  # sanzhua.yaml / units.yaml / calendar.yaml
    tasks: list[TaskChange] = field(default_factory=list)
    skipped: bool = False  # an octopus merge: not compared


@dataclass
class _Config:
    settings: str | None
    units: str | None


class History:
    """Reads commits and file versions from one repository, with every cache in one place."""

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self.parser = Parser()
        self._config: dict[str, _Config] = {}
        self._settings: dict[str | None, Settings] = {}
        self._units: dict[str | None, dict[str, Unit]] = {}
        self._trees: dict[str, list[tuple[str, str]]] = {}
        self._prefetched: dict[str, bytes] = {}

    # -- settings and units, as of any commit ---------------------------------------

    def config_of(self, sha: str) -> _Config:
        got = self._config.get(sha)
        if got is None:
            p = self.repo.prefix
            got = _Config(
                self.repo.exists(f"{sha}:{p}{SETTINGS_FILE}"),
                self.repo.exists(f"{sha}:{p}{UNITS_FILE}"),
            )
            self._config[sha] = got
        return got

    def settings(self, oid: str | None) -> Settings:
        got = self._settings.get(oid)
        if got is None:
            data = self.repo.blob(oid) if oid else None
            got = load_settings(data, SETTINGS_FILE)[0] if data is not None else Settings(name="")
            self._settings[oid] = got
        return got

    def units(self, oid: str | None) -> dict[str, Unit]:
        got = self._units.get(oid)
        if got is None:
            got = load_units(self.repo.blob(oid) if oid else None, UNITS_FILE)[0]
            self._units[oid] = got
        return got

    def _advance(self, c: Commit) -> _Config:
        base = self.config_of(c.parents[0]) if c.parents else _Config(None, None)
        cfg = _Config(base.settings, base.units)
        for ch in c.changes:
            if ch.path == SETTINGS_FILE:
                cfg.settings = ch.new
            elif ch.path == UNITS_FILE:
                cfg.units = ch.new
        self._config[c.sha] = cfg
        return cfg

    # -- file versions ---------------------------------------------------------------

    def view(self, oid: str | None, path: str, year: int, needle: bytes | None = None) -> FileView:
        if oid is None:
            return FileView((), True)
        hit = self.parser.cached(oid, path, year)
        if hit is not None:
            return hit
        data = self._prefetched.get(oid)
        if data is None:
            data = self.repo.blob(oid)
        if data is None:
            return FileView((), False)
        if needle is not None and needle not in data:
            return FileView((), True)
        return self.parser.view(oid, data, path, year)

    def view_at(self, rev: str, path: str, year: int) -> FileView:
        return self.view(self.repo.exists(f"{rev}:{self.repo.prefix}{path}"), path, year)

    def id_elsewhere(self, sha: str, task_id: str, year: int, skip: set[str]) -> bool:
        """Whether `task_id` is still in some ledger file of the commit outside `skip`."""
        needle = task_id.encode()
        tree = self._trees.get(sha)
        if tree is None:
            tree = self._trees[sha] = self.repo.ledger_blobs(sha)
        for path, oid in tree:
            if path in skip:
                continue
            v = self.view(oid, path, year, needle)
            if any(p.task.id == task_id for p in v.tasks):
                return True
        return False

    # -- the walk ---------------------------------------------------------------------

    def walk(self, commits: Iterable[Commit], only: str | None = None) -> Iterator[Step]:
        """One step per commit, parents first. `only`: a task id, to skip what cannot hold it."""
        needle = only.encode() if only else None
        commits = list(commits)
        theirs = self._second_parent_changes([c for c in commits if len(c.parents) == 2])
        for n, c in enumerate(commits):
            if n % _WINDOW == 0:
                self._prefetch(commits[n : n + _WINDOW])
            parent_cfg = self.config_of(c.parents[0]) if c.parents else _Config(None, None)
            own_cfg = self._advance(c)
            baseline = parent_cfg.settings is None
            settings = self.settings(own_cfg.settings if baseline else parent_cfg.settings)
            units = self.units(own_cfg.units if baseline else parent_cfg.units)
            step = Step(c, baseline, settings, units)
            step.config_changed = [ch.path for ch in c.changes if ch.path in CONFIG_FILES]
            if len(c.parents) > 2:
                step.skipped = True
                yield step
                continue
            old_year = settings.year
            new_year = self.settings(own_cfg.settings).year
            ledger = [ch for ch in c.changes if is_ledger_path(ch.path)]
            if c.is_merge:
                other = [ch for ch in theirs.get(c.sha, ()) if is_ledger_path(ch.path)]
                if ledger or other:
                    step.tasks = self._merge_only(c, ledger, other, old_year, new_year, needle)
            elif ledger:
                step.tasks = self._compare(c, ledger, old_year, new_year, needle)
            if only is not None:
                step.tasks = [t for t in step.tasks if t.id == only]
            yield step

    def _prefetch(self, commits: list[Commit]) -> None:
        """Fetch the ledger file versions the next commits need in one exchange with git."""
        want: dict[str, None] = {}
        for c in commits:
            for ch in c.changes:
                if is_ledger_path(ch.path):
                    for oid in (ch.old, ch.new):
                        if oid is not None and not self.parser.has(oid):
                            want[oid] = None
        self._prefetched = self.repo.blobs(list(want)) if want else {}

    def _compare(
        self,
        c: Commit,
        changes: list[FileChange],
        old_year: int,
        new_year: int,
        needle: bytes | None,
    ) -> list[TaskChange]:
        before: dict[str, Placed] = {}
        after: dict[str, Placed] = {}
        unreadable: set[str] = set()
        for ch in changes:
            old_v = self.view(ch.old, ch.path, old_year, needle)
            new_v = self.view(ch.new, ch.path, new_year, needle)
            if not old_v.readable or not new_v.readable:
                # A version that cannot be parsed (a syntax error) says nothing about its
                # tasks; compare the last readable version with the next one instead.
                unreadable.add(ch.path)
                if not new_v.readable:
                    continue
                if not old_v.readable and c.parents:
                    old_v = self._last_readable(c.parents[0], ch.path, old_year)
            for p in old_v.tasks:
                before.setdefault(p.task.id, p)
            for p in new_v.tasks:
                after.setdefault(p.task.id, p)
        out: list[TaskChange] = []
        gone_check: set[str] = {ch.path for ch in changes}
        for tid in before.keys() | after.keys():
            old, new = before.get(tid), after.get(tid)
            if old is not None and new is not None and old.task == new.task and old.file == new.file:
                continue
            if new is None and old is not None:
                if old.file in unreadable or self._still_written(c, changes, tid, new_year):
                    continue
                if self.id_elsewhere(c.sha, tid, new_year, gone_check):
                    continue
            out.append(TaskChange(tid, old, new))
        out.sort(key=_where)
        return out

    def _still_written(self, c: Commit, changes: list[FileChange], tid: str, year: int) -> bool:
        """The id is still in a changed file, in a task the loader could not build (a missing
        title, say): a broken task that `check` reports, not a deleted one."""
        needle = tid.encode()
        written = re.compile(
            rb"(?:^|[\s{,])(?:id|\xe7\xbc\x96\xe5\x8f\xb7)[ \t]*:[ \t]*[\"']?"
            + re.escape(needle)
            + rb"[\"']?[ \t]*(?:[#,}\r\n]|$)",
            re.M,
        )
        for ch in changes:
            if ch.new is None:
                continue
            data = self.repo.blob(ch.new)
            if data is not None and needle in data and written.search(data):
                return True
        return False

    def _last_readable(self, sha: str, path: str, year: int) -> FileView:
        out = self.repo.git("log", "-z", "--format=%H", "--first-parent", sha, "--", f"{self.repo.prefix}{path}")
        for rev in out.decode().split("\0"):
            rev = rev.strip()
            if not rev:
                continue
            v = self.view_at(rev, path, year)
            if v.readable:
                return v
        return FileView((), True)

    def _second_parent_changes(self, merges: list[Commit]) -> dict[str, list[FileChange]]:
        """For each two-parent merge, the files it changed against its second parent (one git call)."""
        if not merges:
            return {}
        lines = "".join(f"{c.sha} {c.parents[1]}\n" for c in merges).encode()
        out = self.repo.git("diff-tree", "--stdin", "-z", "-r", "--raw", "--no-abbrev", "--no-renames", stdin=lines)
        return {sha: list(changes) for sha, changes in parse_diff_tree(out, self.repo.rel).items()}

    def _merge_only(
        self,
        c: Commit,
        first: list[FileChange],
        second: list[FileChange],
        old_year: int,
        new_year: int,
        needle: bytes | None,
    ) -> list[TaskChange]:
        """What a two-parent merge changed beyond combining its parents, task by task."""
        p1, p2 = c.parents
        vs1 = {ch.path: ch for ch in first}
        vs2 = {ch.path: ch for ch in second}
        paths = sorted(vs1.keys() | vs2.keys())
        base = self.repo.merge_base(p1, p2)

        def merged(path: str) -> str | None:
            return vs1[path].new if path in vs1 else vs2[path].new

        def tasks(oids: dict[str, str | None], year: int) -> dict[str, Placed] | None:
            found: dict[str, Placed] = {}
            for path, oid in oids.items():
                v = self.view(oid, path, year, needle)
                if not v.readable:
                    return None
                for p in v.tasks:
                    found.setdefault(p.task.id, p)
            return found

        m = tasks({p: merged(p) for p in paths}, new_year)
        x = tasks({p: vs1[p].old if p in vs1 else merged(p) for p in paths}, old_year)
        y = tasks({p: vs2[p].old if p in vs2 else merged(p) for p in paths}, old_year)
        prefix = self.repo.prefix
        b = tasks({p: self.repo.exists(f"{base}:{prefix}{p}") if base else None for p in paths}, old_year)
        if m is None or x is None or y is None or b is None:
            return []  # an unreadable version on some side: check reports it
        out: list[TaskChange] = []
        for tid in sorted(m.keys() | x.keys() | y.keys()):
            now = m.get(tid)
            ours, theirs, at_base = x.get(tid), y.get(tid), b.get(tid)
            sides = [ours, theirs, at_base]
            expected = merge_task(
                at_base.task if at_base else None,
                ours.task if ours else None,
                theirs.task if theirs else None,
                now.task if now else None,
            )
            if expected == (now.task if now else None):
                continue
            where = next((s for s in sides if s is not None), None)
            old = replace(where, task=expected) if expected is not None and where is not None else None
            if now is None and old is not None:
                changes = [FileChange(p, None, merged(p)) for p in paths]
                if self._still_written(c, changes, tid, new_year):
                    continue
                if self.id_elsewhere(c.sha, tid, new_year, set(paths)):
                    continue
            out.append(TaskChange(tid, old, now))
        out.sort(key=_where)
        return out


def parse_diff_tree(out: bytes, rel: Callable[[str], str | None]) -> dict[str, list[FileChange]]:
    """`git diff-tree --stdin -z -r --raw` output → commit → changed files."""
    found: dict[str, list[FileChange]] = {}
    current: list[FileChange] | None = None
    tokens = out.split(b"\0")
    i = 0
    while i < len(tokens):
        tok = tokens[i].strip(b"\n")
        i += 1
        if not tok:
            continue
        if not tok.startswith(b":"):
            current = found.setdefault(tok.decode(), [])
            continue
        if i >= len(tokens) or current is None:
            break
        path = rel(tokens[i].decode("utf-8", "surrogateescape"))
        i += 1
        parts = tok[1:].decode().split(" ")
        if path is None or len(parts) < 5:
            continue
        blob = ("100644", "100755")
        current.append(
            FileChange(
                path,
                parts[2] if parts[2] != NULL_OID and parts[0] in blob else None,
                parts[3] if parts[3] != NULL_OID and parts[1] in blob else None,
            )
        )
    return found


def _where(t: TaskChange) -> tuple[str, int]:
    p = t.new or t.old
    return (p.file, p.line) if p is not None else ("", 0)


# -- three-way merge of one task ---------------------------------------------------------

_MISSING: Any = object()


def _pick(b: Any, x: Any, y: Any, r: Any) -> Any:
    """One value after merging x (ours) and y (theirs) from b; a conflict accepts r if it is
    one side."""
    if x == y:
        return x
    if b is not _MISSING and x == b:
        return y
    if b is not _MISSING and y == b:
        return x
    return r if r in (x, y) else x


def _bag(b: tuple[Any, ...], x: tuple[Any, ...], y: tuple[Any, ...]) -> tuple[Any, ...]:
    cb, cx, cy = Counter(b), Counter(x), Counter(y)
    removed = (cb - cx) | (cb - cy)
    want = (cb - removed) + ((cx - cb) | (cy - cb))
    out: list[Any] = []
    for item in (*x, *y, *b):
        if want[item] > 0:
            want[item] -= 1
            out.append(item)
    return tuple(out)


def _milestones(b: Task | None, x: Task, y: Task, r: Task | None) -> tuple[Any, ...]:
    mb = {m.name: m for m in b.milestones} if b is not None else {}
    mx = {m.name: m for m in x.milestones}
    my = {m.name: m for m in y.milestones}
    mr = {m.name: m for m in r.milestones} if r is not None else {}
    out = []
    for name in dict.fromkeys([*mx, *my, *mb]):
        v = _pick(
            mb.get(name) if b is not None else _MISSING,
            mx.get(name),
            my.get(name),
            mr.get(name),
        )
        if v is not None:
            out.append(v)
    return tuple(out)


def merge_task(b: Task | None, x: Task | None, y: Task | None, r: Task | None) -> Task | None:
    """What a clean merge of one task gives (all normalised); `r`, the merge's own version,
    settles conflicts when it equals one side."""
    if x is None or y is None:
        if x is None and y is None:
            return None
        present = x if x is not None else y
        if b is None:
            return present  # added on one side only
        if present == b:
            return None  # removed on one side, untouched on the other
        return r if r in (present, None) else present  # modify/delete conflict
    if x is y or x == y:
        return x
    if b is not None and (b is x or b == x):
        return y
    if b is not None and (b is y or b == y):
        return x
    values: dict[str, Any] = {}
    for f in fields(Task):
        name = f.name
        vx, vy = getattr(x, name), getattr(y, name)
        vb = getattr(b, name) if b is not None else _MISSING
        if name in ("progress", "extensions"):
            values[name] = _bag(vb if vb is not _MISSING else (), vx, vy) if vx != vy else vx
        elif name == "milestones":
            values[name] = _milestones(b, x, y, r) if vx != vy else vx
        else:
            values[name] = _pick(vb, vx, vy, getattr(r, name) if r is not None else _MISSING)
    return Task(**values)
