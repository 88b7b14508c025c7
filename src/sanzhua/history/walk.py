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

import contextlib
import gc
import os
import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields, replace
from datetime import date
from operator import attrgetter
from pathlib import Path
from typing import Any

from sanzhua.history.blobs import FileView, Parser, Placed, pair_milestones
from sanzhua.history.git import NULL_OID, Commit, FileChange, Repo, is_ledger_path
from sanzhua.load.settings import load_settings, load_units
from sanzhua.model import Milestone, Settings, Task, Unit

SETTINGS_FILE = "sanzhua.yaml"
_WINDOW = 256  # commits whose file versions are fetched together
# What one walk may spend, so that a history built to be slow (each commit rewriting every
# task, or a task growing a line each commit: each version is parsed, so that is quadratic
# in the commits while git's packs stay small) cannot hold a run for minutes. The cost is
# counted in about a microsecond of this machine's work each: a byte of old versions parsed
# costs 1/PARSE_BYTES, a task item parsed ITEM_COST, a task change found CHANGE_COST (the
# rules and the output). Allowed: BUDGET_BASE (some 10 s) plus BUDGET_PER_BYTE for each
# byte of ledger files in the work tree, so a large ledger's ordinary history stays whole.
# Past it the walk stops, and says where (`History.cut`).
PARSE_BYTES = 10
ITEM_COST = 100
CHANGE_COST = 100
BUDGET_BASE = 10_000_000
BUDGET_PER_BYTE = 0.5
_TREES = 1024  # commit trees kept
_PREBATCH = 64  # a commit changing this many files has their small versions parsed together
_FIND_ALONE = 16  # ids of one commit looked up file by file before its files' ids are gathered
UNITS_FILE = "units.yaml"
CONFIG_FILES = ("sanzhua.yaml", "units.yaml", "calendar.yaml")


def ledger_budget(root: Path) -> int:
    """What a walk may spend for the ledger at `root` (see BUDGET_BASE)."""
    size = 0
    for folder, dirs, files in os.walk(root / "ledgers"):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.endswith((".yaml", ".yml")):
                with contextlib.suppress(OSError):
                    size += os.lstat(os.path.join(folder, name)).st_size
    return BUDGET_BASE + int(BUDGET_PER_BYTE * size)


@dataclass(frozen=True, slots=True)
class Cut:
    """Where a walk stopped on its budget: `last` the last commit walked, `left` how many of
    the commits asked for were not, `parsed` the bytes of old versions parsed, `changes` the
    task changes found."""

    last: Commit
    left: int
    parsed: int
    changes: int


@dataclass(frozen=True, slots=True)
class TaskChange:
    """One task in one commit: `old` is None when created, `new` None when it is gone.

    `copied`: the task was written into `new.file` while its id still stands in `old.file`
    after the commit; `old` is the task it copies (what the audit compares it with), and
    the commit created a copy rather than moving the task.

    `old` is the task's last version that could be built: a task broken in one commit (its
    title deleted, say) and mended in a later one is compared across both, not taken as new.
    """

    id: str
    old: Placed | None
    new: Placed | None
    copied: bool = False
    renamed_from: str | None = None  # the id the task had before this commit changed it
    renamed_to: str | None = None  # a task gone: the id it was given instead (see `pair_renamed`)


@dataclass
class Step:
    commit: Commit
    baseline: bool  # the commit creates the ledger (its parent has no sanzhua.yaml)
    settings: Settings  # as of the parent (the commit's own for a baseline)
    units: dict[str, Unit]  # as of the parent
    config_changed: list[str] = field(default_factory=list)  # sanzhua.yaml / units.yaml / calendar.yaml
    tasks: list[TaskChange] = field(default_factory=list)
    skipped: bool = False  # an octopus merge: not compared task by task
    # Whose standing the commit is judged by: its author's, unless the author is a
    # supervisor and the committer is not (a supervisor's commit amended or re-applied by
    # someone else): then the committer's, and `impersonated` is set.
    acting: str = ""
    impersonated: bool = False
    # Symlinks and cache files (.sanzhua/) the commit added or changed: (path, kind).
    specials: list[tuple[str, str]] = field(default_factory=list)
    # The day the commit was made, at the earliest: the latest of its author date, its
    # committer date and the day its parents were made (no commit is made before its
    # parent; both dates are set at will, but not before the history they extend).
    made: date | None = None
    # An octopus merge's files (ledger and config) that match none of its parents: what
    # it changed beyond taking each file from one branch, which the audit cannot judge.
    unmerged: list[str] = field(default_factory=list)
    # The files the commit changed whose new version is over history.git.MAX_BLOB_BYTES:
    # (path, size). Not read, so not compared: the audit names each (version-too-big).
    too_big: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Config:
    """The sanzhua.yaml and units.yaml blobs of a commit's tree, and the ones the audit
    goes by: a change made by a non-supervisor (flagged) gives no one any rights."""

    settings: str | None
    units: str | None
    trusted_settings: str | None
    trusted_units: str | None


_NO_CONFIG = _Config(None, None, None, None)


class History:
    """Reads commits and file versions from one repository, with every cache in one place."""

    def __init__(self, repo: Repo, budget: int | None = None) -> None:
        self.repo = repo
        self.parser = Parser()
        self.budget = budget  # None: BUDGET_BASE + BUDGET_PER_BYTE × the work tree's ledger bytes
        self.cut: Cut | None = None
        self.changes = 0
        self._config: dict[str, _Config] = {}
        self._settings: dict[str | None, Settings] = {}
        self._units: dict[str | None, dict[str, Unit]] = {}
        # path → oid of the ledger files of a commit's tree, least recently used first. Once
        # one is known (git ls-tree), every later commit walked keeps only its first parent
        # and its changes in `_deltas`, and a tree is built from them when `find` asks.
        self._trees: OrderedDict[str, dict[str, str]] = OrderedDict()
        self._deltas: dict[str, tuple[str, tuple[FileChange, ...]]] = {}
        # Every task id met so far, and whether the walk holds the whole history (every
        # parent walked first): then an id never met cannot be in a parent's tree, and a
        # new task needs no look-up there.
        self._seen: set[str] = set()
        self._whole = False
        self._prefetched: dict[str, bytes] = {}
        self._release: dict[int, list[str]] = {}  # commit number → blobs last needed there
        # For the commit being walked: blobs read outside the window's fetch, and the ids
        # of its files outside those it changed once `id_elsewhere` is asked often.
        self._fetched: dict[str, bytes] = {}
        self._asked: dict[tuple[str, int, frozenset[str]], int] = {}
        self._elsewhere: dict[tuple[str, int, frozenset[str]], set[str]] = {}
        # commit → the tasks written in its tree that cannot be built (a title deleted),
        # each with its last version that could: what the task is judged against once it
        # builds again. Kept only where non-empty, shared between commits while unchanged.
        self._broken: dict[str, dict[str, Placed]] = {}
        # commit → task id → the milestones removed from that task, by name, as they last
        # stood: one written back later under its name is compared with this version (a
        # milestone removed in one commit and re-added with a later date in the next is moved).
        self._dropped: dict[str, dict[str, dict[str, Milestone]]] = {}
        self._walked: set[str] = set()
        self._made: dict[str, date] = {}
        # Comparing every task of a commit's changed files although a set of ids is walked
        # (`_only`): the views then hold every task, not only those of the set.
        self._full = False

    # -- settings and units, as of any commit ---------------------------------------

    def config_of(self, sha: str) -> _Config:
        got = self._config.get(sha)
        if got is None:
            p = self.repo.prefix
            settings = self.repo.exists(f"{sha}:{p}{SETTINGS_FILE}")
            units = self.repo.exists(f"{sha}:{p}{UNITS_FILE}")
            got = _Config(settings, units, settings, units)
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

    def _advance(self, c: Commit, supervisor: bool) -> _Config:
        """The commit's config. `supervisor`: whether its author is one, as of its parent."""
        base = self.config_of(c.parents[0]) if c.parents else _NO_CONFIG
        other = self.config_of(c.parents[1]) if len(c.parents) == 2 else None
        settings, units = base.settings, base.units
        for ch in c.changes:
            if ch.path == SETTINGS_FILE:
                settings = ch.new
            elif ch.path == UNITS_FILE:
                units = ch.new
        trust = supervisor or base.settings is None  # the commit that creates the ledger

        def trusted(
            now: str | None, mine: tuple[str | None, str | None], theirs: tuple[str | None, str | None]
        ) -> str | None:
            """(blob, trusted blob) of the first and second parent → the trusted blob now."""
            if now == mine[0]:
                return mine[1]
            if other is not None and now == theirs[0]:
                return theirs[1]
            return now if trust else mine[1]

        o = other or _NO_CONFIG
        cfg = _Config(
            settings,
            units,
            trusted(settings, (base.settings, base.trusted_settings), (o.settings, o.trusted_settings)),
            trusted(units, (base.units, base.trusted_units), (o.units, o.trusted_units)),
        )
        self._config[c.sha] = cfg
        return cfg

    # -- file versions ---------------------------------------------------------------

    def view(self, oid: str | None, path: str, year: int, needle: bytes | None = None) -> FileView:
        """A file version's tasks (with a set `only` walked, those tasks' alone unless
        `_full`); `needle`: only the tasks whose text holds it (see Parser.view)."""
        if oid is None:
            return FileView((), True)
        full = self._full and self.parser.keep is not None
        hit = None if full else self.parser.cached(oid, path, year)
        if hit is not None:
            return hit
        data = self._prefetched.get(oid)
        if data is None:
            data = self.repo.blob(oid)
        if data is None:
            return FileView((), False)
        if needle is not None and needle not in data:
            return FileView((), True)
        return self.parser.view(oid, data, path, year, needle.decode() if needle is not None else None, full)

    def view_at(self, rev: str, path: str, year: int) -> FileView:
        return self.view(self.repo.exists(f"{rev}:{self.repo.prefix}{path}"), path, year)

    def find(self, sha: str, task_id: str, year: int, skip: set[str]) -> Placed | None:
        """The task `task_id` in some ledger file of the commit outside `skip`, or None."""
        needle = task_id.encode()
        for path, oid in self._tree(sha).items():
            if path in skip:
                continue
            v = self.view(oid, path, year, needle)
            for p in v.tasks:
                if p.task.id == task_id:
                    return p
        return None

    def _tree(self, sha: str) -> dict[str, str]:
        """The commit's ledger files (path → oid): kept, built from the nearest kept tree
        of its first-parent line and the changes since, or listed by git."""
        tree = self._trees.get(sha)
        if tree is not None:
            self._trees.move_to_end(sha)
            return tree
        chain: list[tuple[FileChange, ...]] = []
        at = sha
        while at not in self._trees and at in self._deltas:
            at, changes = self._deltas[at]
            chain.append(changes)
        base = self._trees.get(at)
        if base is None:  # never known, or no longer kept
            tree = dict(self.repo.ledger_blobs(sha))
        else:
            tree = dict(base)
            for changes in reversed(chain):
                for ch in changes:
                    if is_ledger_path(ch.path):
                        if ch.new is None:
                            tree.pop(ch.path, None)
                        else:
                            tree[ch.path] = ch.new
        self._trees[sha] = tree
        if len(self._trees) > _TREES:
            self._trees.popitem(last=False)
        return tree

    def _carry_tree(self, c: Commit) -> None:
        """Keep what builds the commit's ledger tree from its first parent's, once a tree
        of its line is known; the tree itself is only built if `find` needs it."""
        if not c.parents or c.sha in self._trees or c.sha in self._deltas:
            return
        parent = c.parents[0]
        if parent in self._trees or parent in self._deltas:
            self._deltas[c.sha] = (parent, c.changes)

    def id_elsewhere(self, sha: str, task_id: str, year: int, skip: set[str]) -> bool:
        """Whether `task_id` is still in some ledger file of the commit outside `skip`.

        Asked about many ids of one commit (thousands of tasks removed at once), the ids of
        those files are gathered once: a look through every file for each id was quadratic."""
        key = (sha, year, frozenset(skip))
        ids = self._elsewhere.get(key)
        if ids is None:
            asked = self._asked[key] = self._asked.get(key, 0) + 1
            if asked <= _FIND_ALONE:
                return self.find(sha, task_id, year, skip) is not None
            ids = self._elsewhere[key] = {
                p.task.id
                for path, oid in self._tree(sha).items()
                if path not in skip
                for p in self.view(oid, path, year).tasks
            }
        return task_id in ids

    # -- the walk ---------------------------------------------------------------------

    def spent(self) -> int:
        """The walk's cost so far, in the budget's units (see BUDGET_BASE)."""
        p = self.parser
        parsed = p.parsed_bytes // PARSE_BYTES + ITEM_COST * (p.parsed_items + p.parsed_files)
        return parsed + CHANGE_COST * self.changes

    def walk(self, commits: Iterable[Commit], only: str | AbstractSet[str] | None = None) -> Iterator[Step]:
        """One step per commit, parents first. `only`: a task id, to skip what cannot hold it;
        or a set of ids, whose tasks alone are kept from each file version (the other tasks'
        items are parsed, so that a version that cannot be read reads so, and forgotten: see
        blobs.Parser's `keep`). The steps hold only those tasks, as the whole walk gives them;
        the budget counts the changes of those tasks, as for one id.

        The cycle collector is paused meanwhile (and while the caller reads the steps): the
        file versions parsed are millions of small objects without cycles, and collecting
        while they were made was a third of a walk (a root commit of 60,000 tasks; issue 14)."""
        enabled = gc.isenabled()
        gc.disable()
        try:
            yield from self._walk(commits, only)
        finally:
            if enabled:
                gc.enable()

    def _walk(self, commits: Iterable[Commit], only: str | AbstractSet[str] | None) -> Iterator[Step]:
        commits = list(commits)
        one = only if isinstance(only, str) else None  # a needle: files without it are skipped
        if only is not None and one is None and self.parser.keep != only:
            self.parser = Parser(keep=frozenset(only))
        shas = {c.sha for c in commits}
        self._whole = all(p in shas for c in commits for p in c.parents)
        theirs = self._second_parent_changes([c for c in commits if len(c.parents) == 2])
        budget = self.budget if self.budget is not None else ledger_budget(self.repo.root)
        for n, c in enumerate(commits):
            if n and self.spent() > budget:
                self.cut = Cut(commits[n - 1], len(commits) - n, self.parser.parsed_bytes, self.changes)
                return
            if n % _WINDOW == 0:
                self._prefetch(commits[n : n + _WINDOW], n)
            self._fetched.clear()
            self._asked.clear()
            self._elsewhere.clear()
            parent_cfg = self.config_of(c.parents[0]) if c.parents else _NO_CONFIG
            baseline = parent_cfg.settings is None
            before = self.settings(parent_cfg.trusted_settings)
            acting, impersonated = standing(c, before.supervisors)
            own_cfg = self._advance(c, acting in {e.strip().lower() for e in before.supervisors})
            settings = self.settings(own_cfg.trusted_settings) if baseline else before
            units = self.units(own_cfg.trusted_units if baseline else parent_cfg.trusted_units)
            step = Step(c, baseline, settings, units, acting=acting, impersonated=impersonated)
            step.config_changed = [ch.path for ch in c.changes if ch.path in CONFIG_FILES]
            step.specials = list(c.specials)
            if len(c.parents) == 2 and step.specials:
                # a merge adds only what it did not take from its second parent
                mine = {ch.path for ch in theirs.get(c.sha, ())}
                step.specials = [s for s in step.specials if s[0] in mine]
            step.made = self._made[c.sha] = max(
                [c.day, c.committed_day, *(self._made[p] for p in c.parents if p in self._made)]
            )
            self._carry_tree(c)
            self._walked.add(c.sha)
            broken = self._broken_of(c)
            if broken:
                self._broken[c.sha] = broken
            dropped = self._dropped_of(c)
            if dropped:
                self._dropped[c.sha] = dropped
            if len(c.parents) > 2:
                step.skipped = True
                step.unmerged = self._octopus_own(c)
                step.too_big = self._too_big(c)
                self._let_go(n)
                yield step
                continue
            old_year = settings.year
            new_year = self.settings(own_cfg.trusted_settings).year
            ledger = [ch for ch in c.changes if is_ledger_path(ch.path)]
            if c.is_merge:
                other = [ch for ch in theirs.get(c.sha, ()) if is_ledger_path(ch.path)]
                if ledger or other:
                    step.tasks = self._merge_only(c, ledger, other, old_year, new_year, one)
            elif ledger:
                step.tasks = self._compare(c, ledger, old_year, new_year, one, broken)
            if only is not None:
                step.tasks = self._only(c, ledger, old_year, new_year, only, step.tasks, broken)
            self.changes += len(step.tasks)
            step.too_big = self._too_big(c)
            self._let_go(n)
            yield step

    def _too_big(self, c: Commit) -> list[tuple[str, int]]:
        """The files `c` changed whose new version git's reader passed over for its size."""
        out: list[tuple[str, int]] = []
        for ch in c.changes:
            size = self.repo.too_big(ch.new) if ch.new is not None else None
            if size is not None:
                out.append((ch.path, size))
        return out

    def _let_go(self, n: int) -> None:
        """The blobs the walk no longer needs once commit `n` is compared: let go before its
        step is read (at 100,000 tasks the first commit's events were made while its 78 MB
        of files were still held)."""
        for oid in self._release.pop(n, ()):
            self._prefetched.pop(oid, None)
        self._fetched.clear()

    def _only(
        self,
        c: Commit,
        ledger: list[FileChange],
        old_year: int,
        new_year: int,
        only: str | AbstractSet[str],
        tasks: list[TaskChange],
        broken: dict[str, Placed],
    ) -> list[TaskChange]:
        """The changes of the tasks asked for (`walk`'s `only`) among the commit's `tasks`,
        compared again with every task of the changed files where one may be paired with
        another (`pair_renamed`) that the needle or the set let through not."""
        wanted = {only} if isinstance(only, str) else only
        tasks = [t for t in tasks if t.id in wanted]
        if c.is_merge or not any(ch.old is not None for ch in ledger):  # a root commit renames nothing
            return tasks
        if isinstance(only, str):
            # new here, or given this id here: the old id is not in the files the needle
            # let through, so look again at every task of the changed files
            again = any(t.old is None for t in tasks)
        else:  # a task gone or made is paired, or not, by the titles of all tasks gone and made
            again = any(
                t.old is None or t.new is None or t.renamed_from is not None or t.renamed_to is not None for t in tasks
            )
        if not again:
            return tasks
        self._full = True
        self._asked.clear()
        self._elsewhere.clear()
        try:
            every = self._compare(c, ledger, old_year, new_year, None, broken)
        finally:
            self._full = False
            self._asked.clear()
            self._elsewhere.clear()
        return [t for t in every if t.id in wanted]

    def _broken_of(self, c: Commit) -> dict[str, Placed]:
        """The broken tasks the commit inherits from its parents (not copied: `_compare`
        copies before it changes them)."""
        got: dict[str, Placed] = {}
        for parent in reversed(c.parents):
            mine = self._broken.get(parent)
            if mine:
                got = mine if not got else {**got, **mine}
        return got

    def _prefetch(self, commits: list[Commit], start: int) -> None:
        """Fetch the ledger file versions the next commits (`start` the first's number in the
        walk) need in one exchange with git; each is let go once the last of them that
        changed it is walked (`_release`): the first commit's were the whole ledger's bytes."""
        last: dict[str, int] = {}
        for k, c in enumerate(commits, start):
            for ch in c.changes:
                if is_ledger_path(ch.path):
                    for oid in (ch.old, ch.new):
                        if oid is not None and not self.parser.has(oid):
                            last[oid] = k
        self._prefetched = self.repo.blobs(list(last)) if last else {}
        self._release = {}
        for oid, k in last.items():
            self._release.setdefault(k, []).append(oid)

    def _sides(
        self, c: Commit, changes: list[FileChange], old_year: int, new_year: int, only: str | None
    ) -> tuple[dict[str, Placed], dict[str, Placed], dict[str, FileView], set[str], set[str]]:
        """The tasks of the changed files before and after the commit (`only`: that one),
        the files after it where readable, every id met in them, and the ids left as they
        were (`_steady`: not in `before` or `after`, which hold only what may have changed)."""
        needle = only.encode() if only is not None else None
        before: dict[str, Placed] = {}
        after: dict[str, Placed] = {}
        now: dict[str, FileView] = {}
        met: set[str] = set()
        pairs: list[tuple[FileView, FileView]] = []
        if needle is None and len(changes) >= _PREBATCH and not (self._full and self.parser.keep is not None):
            self._prebatch(changes, old_year, new_year)
        for ch in changes:
            old_v = self.view(ch.old, ch.path, old_year, needle)
            new_v = self.view(ch.new, ch.path, new_year, needle)
            # A version that cannot be parsed (a syntax error) says nothing about its
            # tasks: an unreadable new version is compared once it is fixed, and a fixed
            # (or deleted) file is compared with its last readable version.
            if not new_v.readable:
                continue
            now[ch.path] = new_v
            if not old_v.readable and c.parents:
                old_v = self._last_readable(c.parents[0], ch.path, old_year)
            pairs.append((old_v, new_v))
        self.parser.forget_cuts()
        steady = _steady(pairs) if only is None else {}
        kept: set[str] = set()
        for k, (old_v, new_v) in enumerate(pairs):
            olds, news = old_v.tasks, new_v.tasks
            same = steady.get(k)
            if same is not None and new_v.base is not None:
                a, e, b = new_v.span
                olds, news = new_v.base[a:b], news[a:e]  # the others are the same tasks, one line on
                kept |= same
                met |= same
            met.update(map(_ID, olds))
            met.update(map(_ID, news))
            for p in olds:
                if only is None or p.task.id == only:
                    before.setdefault(p.task.id, p)
            for p in news:
                if only is None or p.task.id == only:
                    after.setdefault(p.task.id, p)
        return before, after, now, met, kept

    def _prebatch(self, changes: list[FileChange], old_year: int, new_year: int) -> None:
        """The commit's small file versions fetched with the window's, parsed together
        (`Parser.prebatch`): the root commit of 20,000 one-task files (issue 14)."""
        got = self._prefetched
        self.parser.prebatch(
            (oid, got[oid], ch.path, year)
            for ch in changes
            for oid, year in ((ch.old, old_year), (ch.new, new_year))
            if oid is not None and oid in got
        )

    def _compare(
        self,
        c: Commit,
        changes: list[FileChange],
        old_year: int,
        new_year: int,
        only: str | None,
        broken: dict[str, Placed] | None = None,
    ) -> list[TaskChange]:
        """The tasks of the changed files the commit changed. `only`: a task id; the files
        without it are skipped and only that task is compared (a file version parsed whole
        for another walk would otherwise give its other tasks as deleted or created)."""
        inherited = broken if broken is not None else {}
        broken = dict(inherited)
        before, after, now, met, steady = self._sides(c, changes, old_year, new_year, only)
        out: list[TaskChange] = []
        changed: set[str] = {ch.path for ch in changes}
        # in the ids' order: two tasks at one place (one gone, one made there) are listed alike
        # whatever the hash seed (tests/test_walk_cost.py compares two walks)
        for tid in sorted(before.keys() | after.keys()):
            old, new = before.get(tid), after.get(tid)
            copied = False
            if old is None and tid in broken:
                old = broken.pop(tid)  # broken in the parent: judged against its last good version
            elif old is None and c.parents and c.parents[0] not in self._walked:
                old = self._last_built(c, changes, tid, old_year)
            if old is None and c.parents and (tid in self._seen or not self._whole):
                # Written into a file while the id stands unchanged in another: a copy,
                # compared with the task it copies (so a copy with a later deadline is seen).
                # `find` looks only in files the commit left as they were: the original stays.
                old = self.find(c.parents[0], tid, old_year, changed)
                copied = old is not None
            if old is not None and new is not None and old.file != new.file and not copied:
                # Taken from a file the commit changed: a copy if the id is still there.
                kept = now.get(old.file)
                copied = kept is not None and any(p.task.id == tid for p in kept.tasks)
            # `is` first: the unchanged items of a big file are placed with the same task (issue 14)
            if (
                old is not None
                and new is not None
                and old.file == new.file
                and (old.task is new.task or old.task == new.task)
            ):
                continue
            if new is None and old is not None:
                if self._still_written(c, changes, tid, new_year):
                    broken[tid] = old  # written but not buildable: compared once it is mended
                    continue
                if self.id_elsewhere(c.sha, tid, new_year, changed):
                    continue
            out.append(TaskChange(tid, old, new, copied))
        # A broken task whose id is now gone from the tree: deleted, as it last stood. Only an
        # id written in a file the commit changed can have gone.
        waiting = [t for t in broken if t not in after and t not in before and t not in steady]
        if waiting:
            olds = [self._data(ch.old) or b"" for ch in changes if ch.old]
            for tid in waiting:
                if not any(tid.encode() in data for data in olds):
                    continue
                if self._still_written(c, changes, tid, new_year) or self.id_elsewhere(c.sha, tid, new_year, changed):
                    continue
                out.append(TaskChange(tid, broken.pop(tid), None))
        if broken != inherited:
            if broken:
                self._broken[c.sha] = broken
            else:
                self._broken.pop(c.sha, None)
        self._seen.update(met)
        out = self._readded(c, pair_renamed(out))
        out.sort(key=_where)
        return out

    def _readded(self, c: Commit, changes: list[TaskChange]) -> list[TaskChange]:
        """Remember the milestones the commit removed; a milestone written back under the name
        of one removed earlier makes the task's old version hold that milestone again."""
        dropped = dict(self._dropped_of(c))
        out: list[TaskChange] = []
        for tc in changes:
            if tc.old is None or tc.new is None:
                out.append(tc)
                continue
            gone = dict(dropped.get(tc.id, {}))
            back: list[Milestone] = []
            for was, m in pair_milestones(tc.old.task.milestones, tc.new.task.milestones):
                if m is None and was is not None:
                    gone[was.name] = was
                elif was is None and m is not None and m.name in gone:
                    back.append(gone.pop(m.name))
                elif was is not None and m is not None:
                    gone.pop(m.name, None)
            if gone != dropped.get(tc.id, {}):
                if gone:
                    dropped[tc.id] = gone
                else:
                    dropped.pop(tc.id, None)
            if back:
                task = replace(tc.old.task, milestones=tc.old.task.milestones + tuple(back))
                tc = replace(tc, old=replace(tc.old, task=task))
            out.append(tc)
        if dropped:
            self._dropped[c.sha] = dropped
        else:
            self._dropped.pop(c.sha, None)
        return out

    def _dropped_of(self, c: Commit) -> dict[str, dict[str, Milestone]]:
        """The removed milestones the commit inherits from its parents."""
        got: dict[str, dict[str, Milestone]] = {}
        for parent in reversed(c.parents):
            mine = self._dropped.get(parent)
            if mine:
                got = mine if not got else {**got, **mine}
        return got

    def _last_built(self, c: Commit, changes: list[FileChange], tid: str, year: int) -> Placed | None:
        """At the start of a range (the parent was not walked): when the id is written in the
        parent's version of a changed file but could not be built there, its last version that
        could, on the file's first-parent line (the nearest 64 versions)."""
        old = [ch for ch in changes if ch.old is not None]
        if not old or not self._still_written(c, [FileChange(ch.path, None, ch.old) for ch in old], tid, year):
            return None
        for ch in old:
            out = self.repo.git(
                "log", "-z", "-n", "64", "--format=%H", "--first-parent", c.parents[0], "--",
                f"{self.repo.prefix}{ch.path}",
            )
            for rev in out.decode().split("\0"):
                rev = rev.strip()
                if rev:
                    for p in self.view_at(rev, ch.path, year).tasks:
                        if p.task.id == tid:
                            return p
        return None

    def _still_written(self, c: Commit, changes: list[FileChange], tid: str, year: int) -> bool:
        """The id is still in a changed file, in a task the loader could not build (a missing
        title, say): a broken task that `check` reports, not a deleted one."""
        needle = tid.encode()
        written: re.Pattern[bytes] | None = None
        for ch in changes:
            if ch.new is None:
                continue
            data = self._data(ch.new)
            if data is None or needle not in data:
                continue
            if written is None:  # compiled only for an id still in the bytes: rarely
                written = re.compile(
                    rb"(?:^|[\s{,])(?:id|\xe7\xbc\x96\xe5\x8f\xb7)[ \t]*:[ \t]*[\"']?"
                    + re.escape(needle)
                    + rb"[\"']?[ \t]*(?:[#,}\r\n]|$)",
                    re.M,
                )
            if written.search(data):
                return True
        return False

    def _data(self, oid: str) -> bytes | None:
        """A blob's bytes: fetched with the window's, else once for the commit being walked
        (a commit removing thousands of tasks asks about each of its files for each)."""
        got = self._prefetched.get(oid)
        if got is None:
            got = self._fetched.get(oid)
        if got is None:
            got = self.repo.blob(oid)
            if got is not None:
                self._fetched[oid] = got
        return got

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

    def _octopus_own(self, c: Commit) -> list[str]:
        """The files an octopus merge left different from every one of its parents (it
        changed them vs the first, `c.changes`, and vs each other parent too)."""
        own = {ch.path for ch in c.changes if is_ledger_path(ch.path) or ch.path in CONFIG_FILES}
        for parent in c.parents[1:]:
            if not own:
                break
            out = self.repo.git(
                "diff-tree", "--stdin", "-z", "-r", "--raw", "--no-abbrev", "--no-renames",
                stdin=f"{c.sha} {parent}\n".encode(),
            )
            own &= {ch.path for ch in parse_diff_tree(out, self.repo.rel).get(c.sha, ())}
        return sorted(own)

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
        only: str | None,
    ) -> list[TaskChange]:
        """What a two-parent merge changed beyond combining its parents, task by task
        (`only`: that task alone, as in `_compare`)."""
        needle = only.encode() if only is not None else None
        p1, p2 = c.parents
        vs1 = {ch.path: ch for ch in first}
        vs2 = {ch.path: ch for ch in second}
        paths = sorted(vs1.keys() | vs2.keys())
        base = self.repo.merge_base(p1, p2)

        def merged(path: str) -> str | None:
            return vs1[path].new if path in vs1 else vs2[path].new

        prefix = self.repo.prefix
        versions = (
            ({p: merged(p) for p in paths}, new_year),
            ({p: vs1[p].old if p in vs1 else merged(p) for p in paths}, old_year),
            ({p: vs2[p].old if p in vs2 else merged(p) for p in paths}, old_year),
            ({p: self.repo.exists(f"{base}:{prefix}{p}") if base else None for p in paths}, old_year),
        )
        views = [{p: self.view(oid, p, year, needle) for p, oid in oids.items()} for oids, year in versions]
        # A file unreadable on some side (a syntax error: check reports it) cannot be merged
        # task by task; the other files still are.
        bad = {p for vs in views for p, v in vs.items() if not v.readable}

        def tasks(vs: dict[str, FileView]) -> dict[str, Placed]:
            found: dict[str, Placed] = {}
            for path, v in vs.items():
                if path not in bad:
                    for p in v.tasks:
                        found.setdefault(p.task.id, p)
            return found

        m, x, y, b = (tasks(vs) for vs in views)
        self._seen.update(m, x, y)
        out: list[TaskChange] = []
        for tid in sorted(m.keys() | x.keys() | y.keys()):
            if only is not None and tid != only:
                continue
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
                if self.id_elsewhere(c.sha, tid, new_year, set(paths) - bad):
                    continue
            out.append(TaskChange(tid, old, now))
        out.sort(key=_where)
        return out


def standing(c: Commit, supervisors: Iterable[str]) -> tuple[str, bool]:
    """(the email a commit is judged by, whether its author is a supervisor its committer is not).

    A supervisor's commit amended, rebased or re-applied by someone else carries the
    supervisor as author and the other person as committer: it has the committer's
    standing, so editing a supervisor's commit does not borrow the supervisor's rights.
    """
    sups = {e.strip().lower() for e in supervisors}
    author = c.email.strip().lower()
    committer = c.committer.strip().lower() or author
    if author in sups and committer not in sups:
        return committer, True
    return author, False


def pair_renamed(changes: list[TaskChange]) -> list[TaskChange]:
    """A task gone and a task created in one commit with the same title (the only ones of
    that title on either side) are one task whose id changed. The old id is still gone
    (a deletion: bulletins, notices and children name tasks by id), and the task under its
    new id is compared with what it was, not taken as new: changing the id while moving
    the deadline does not hide the move."""
    gone: dict[str, list[TaskChange]] = {}
    made: dict[str, list[TaskChange]] = {}
    for tc in changes:
        if tc.new is None and tc.old is not None:
            gone.setdefault(tc.old.task.title.strip(), []).append(tc)
        elif tc.old is None and tc.new is not None:
            made.setdefault(tc.new.task.title.strip(), []).append(tc)
    paired: dict[int, TaskChange] = {}
    for title, olds in gone.items():
        news = made.get(title, [])
        if len(olds) != 1 or len(news) != 1 or not title:
            continue
        (o,), (n,) = olds, news
        paired[id(n)] = TaskChange(n.id, o.old, n.new, renamed_from=o.id)
        paired[id(o)] = replace(o, renamed_to=n.id)
    if not paired:
        return changes
    return [paired.get(id(tc), tc) for tc in changes]


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


_ID = attrgetter("task.id")


def _steady(pairs: list[tuple[FileView, FileView]]) -> dict[int, frozenset[str]]:
    """Of the (before, after) views of a commit's changed files, those whose after view was
    made from the before view (`FileView.base`, a big file of which the commit changed a few
    items): k → the ids of the items it left as they were, when none of those ids is in the
    items changed or in another file (the first of each id on either side is then the same
    task in the same file, which `_compare` would find unchanged). {} when one is: every
    task is compared (tests/test_walk_cost.py holds the two equal)."""
    derived = {k for k, (old, new) in enumerate(pairs) if new.base is not None and new.base is old.tasks}
    if not derived:
        return {}
    out: dict[int, frozenset[str]] = {}
    seen: list[frozenset[str]] = []
    for k, (old, new) in enumerate(pairs):
        if k not in derived:
            seen.append(frozenset(map(_ID, old.tasks)) | frozenset(map(_ID, new.tasks)))
            continue
        assert new.base is not None
        a, e, b = new.span
        same = frozenset(map(_ID, new.base[:a])) | frozenset(map(_ID, new.base[b:]))
        changed = frozenset(map(_ID, new.base[a:b])) | frozenset(map(_ID, new.tasks[a:e]))
        if same & changed:
            return {}
        out[k] = same
        seen.append(same | changed)
    for k, same in out.items():
        if any(same & ids for j, ids in enumerate(seen) if j != k):
            return {}
    return out


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
