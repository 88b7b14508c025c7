"""Talking to git: the history read once, blobs through one `git cat-file --batch`.

This is the edge of the history package: every other module works on the plain
`Commit` values read here. One `git log --raw` gives every commit with the blob ids
of the files it changed (against its first parent); file contents are fetched on
demand from a long-running `git cat-file --batch`, so a history of thousands of
commits costs two processes, not thousands.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO

from sanzhua.errors import FatalError
from sanzhua.gitargs import GIT, git_env, not_owned
from sanzhua.problems import msg

NULL_OID = "0" * 40
_BLOB_MODES = ("100644", "100755")
_LINK_MODE = "120000"
CACHE_DIR = ".sanzhua/"  # sanzhua's own cache: never part of the record
# The signature states that count as signed: G good, U good with unknown trust,
# X good but expired, Y good by an expired key. N none, B bad, R revoked key and
# E cannot be checked (e.g. no allowed-signers file) do not.
SIGNED_STATES = frozenset("GUXY")


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file a commit changed; paths are relative to the ledger root, oids None when absent."""

    path: str
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str  # name
    email: str
    when: datetime  # author date, with the author's offset
    subject: str
    changes: tuple[FileChange, ...]  # against the first parent (all files for a root commit)
    committer: str = ""  # email
    committed: datetime | None = None  # committer date, with the committer's offset
    # Tree entries the commit added or changed that have no place in a ledger's record:
    # (path, "symlink" | "cache"); see `special_kind`.
    specials: tuple[tuple[str, str], ...] = ()

    @property
    def day(self) -> date:
        return self.when.date()

    @property
    def committed_day(self) -> date:
        """The day the commit was made (committer date); the author date can be set to anything."""
        return self.committed.date() if self.committed is not None else self.day

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


def _env() -> dict[str, str]:
    env = git_env()
    env["LC_ALL"] = "C"
    return env


# Configuration that would change git's output must not leak in from the user's config.
_GIT = [
    *GIT,
    "-c",
    "core.quotepath=off",
    "-c",
    "log.showSignature=false",
    "-c",
    "diff.noprefix=false",
    "-c",
    "color.ui=never",
]


class Repo:
    """The git repository holding a ledger root (which may be a subfolder of it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        try:
            out = subprocess.run(
                [*_GIT, "rev-parse", "--show-toplevel", "--show-prefix"],
                cwd=root,
                capture_output=True,
                env=_env(),
                check=False,
            )
        except FileNotFoundError as e:
            raise FatalError(msg("git.missing"), msg("git.missing.hint")) from e
        if out.returncode != 0:
            owned = not_owned(out.stderr)
            if owned is not None:
                raise FatalError(msg("git.not-owned", root=root), msg("git.not-owned.hint", command=owned))
            raise FatalError(
                msg("git.no-repo", root=root), msg("git.no-repo.hint", command="git init && git add . && git commit")
            )
        lines = out.stdout.decode("utf-8", "surrogateescape").split("\n")
        self.toplevel = Path(lines[0])
        self.prefix = lines[1] if len(lines) > 1 else ""  # "" or "sub/dir/"
        self._blobs: _CatFile | None = None
        self._check: _CatFile | None = None

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run one git command at the top level and return its output; failures are fatal."""
        proc = subprocess.run(
            [*_GIT, *args],
            cwd=self.toplevel,
            input=stdin,
            capture_output=True,
            env=_env(),
            check=False,
        )
        if proc.returncode != 0:
            detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise FatalError(
                msg("git.failed", command=f"git {args[0]}", detail=detail[-1] if detail else proc.returncode),
                msg("git.failed.hint"),
            )
        return proc.stdout

    def has_commits(self) -> bool:
        proc = subprocess.run(
            [*_GIT, "rev-parse", "--verify", "-q", "HEAD"],
            cwd=self.toplevel,
            capture_output=True,
            env=_env(),
            check=False,
        )
        return proc.returncode == 0

    def rel(self, repo_path: str) -> str | None:
        """A path relative to the repository top → relative to the ledger root (None if outside)."""
        if not self.prefix:
            return repo_path
        return repo_path[len(self.prefix) :] if repo_path.startswith(self.prefix) else None

    def log(self, revisions: list[str], since: str | None = None) -> list[Commit]:
        """Every commit of `revisions`, parents before children, with its changed files."""
        cut = self._has_big_commit(revisions, since)
        args = [
            "log",
            "-z",
            "--raw",
            "--no-abbrev",
            "--no-renames",
            "--diff-merges=first-parent",
            "--no-ext-diff",
            "--no-textconv",
            "--reverse",
            "--topo-order",
            _LOG_FORMAT_CUT if cut else _LOG_FORMAT,
        ]
        if since:
            args.append(f"--since={since}")
        # A revision is never read as an option (a --range of "--output=x" writes a file).
        args.append("--end-of-options")
        args.extend(revisions)
        args.append("--")
        return parse_log(self.git(*args), self.rel, cut=cut)

    def _has_big_commit(self, revisions: list[str], since: str | None) -> bool:
        """Whether any commit of `revisions` is over BIG_COMMIT_BYTES (a long message or
        name): git's sizes of those commits, without their content."""
        args = ["rev-list", *([f"--since={since}"] if since else []), "--end-of-options", *revisions, "--"]
        sizes = self.git("cat-file", "--batch-check=%(objectsize)", stdin=self.git(*args))
        # A commit git cannot find (a partial clone) answers "<id> missing": not big.
        return any(size.isdigit() and int(size) > BIG_COMMIT_BYTES for size in sizes.split())

    def _batch(self) -> _CatFile:
        """The one `git cat-file --batch` that reads every object's content (blobs, commits)."""
        if self._blobs is None:
            self._blobs = _CatFile(self.toplevel, "--batch")
        return self._blobs

    def blob(self, spec: str) -> bytes | None:
        """A blob's bytes by object id, or by `REV:path` (path from the repository top)."""
        return self._batch().get(spec)

    def blobs(self, specs: list[str]) -> dict[str, bytes]:
        """Many blobs in one exchange: requests are written by a thread while answers are read."""
        return self._batch().many(specs)

    def too_big(self, oid: str) -> int | None:
        """The size of a blob asked for and read past as over MAX_BLOB_BYTES, or None."""
        return self._blobs.too_big.get(oid) if self._blobs is not None else None

    def exists(self, spec: str) -> str | None:
        """The object id `spec` names (e.g. `REV:path`), or None."""
        if self._check is None:
            self._check = _CatFile(self.toplevel, "--batch-check")
        return self._check.check(spec)

    def ledger_blobs(self, commit: str) -> list[tuple[str, str]]:
        """(path relative to the ledger root, oid) of every ledger file in a commit's tree."""
        out = self.git("ls-tree", "-r", "-z", "--full-tree", commit, "--", f"{self.prefix}ledgers/")
        found: list[tuple[str, str]] = []
        for entry in out.split(b"\0"):
            if not entry:
                continue
            meta, _, raw_path = entry.partition(b"\t")
            mode, kind, oid = meta.decode().split(" ")
            path = self.rel(raw_path.decode("utf-8", "surrogateescape"))
            if kind == "blob" and mode in _BLOB_MODES and path is not None and is_ledger_path(path):
                found.append((path, oid))
        return found

    def specials(self, commit: str) -> list[tuple[str, str]]:
        """(path relative to the ledger root, kind) of every symlink and cache file in a
        commit's tree under the ledger root (see `special_kind`)."""
        args = ["ls-tree", "-r", "-z", "--full-tree", commit]
        if self.prefix:
            args += ["--", self.prefix]
        found: list[tuple[str, str]] = []
        for entry in self.git(*args).split(b"\0"):
            if not entry:
                continue
            meta, _, raw_path = entry.partition(b"\t")
            path = self.rel(raw_path.decode("utf-8", "surrogateescape"))
            kind = special_kind(path, meta.decode().split(" ")[0]) if path is not None else None
            if path is not None and kind is not None:
                found.append((path, kind))
        return found

    def commit_id(self, rev: str) -> str | None:
        """The commit `rev` names, or None when it names none."""
        proc = subprocess.run(
            [*_GIT, "rev-parse", "--verify", "-q", "--end-of-options", f"{rev}^{{commit}}"],
            cwd=self.toplevel,
            capture_output=True,
            env=_env(),
            check=False,
        )
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def is_ancestor(self, a: str, b: str) -> bool:
        args = [*_GIT, "merge-base", "--is-ancestor", "--end-of-options", a, b]
        proc = subprocess.run(args, cwd=self.toplevel, capture_output=True, env=_env(), check=False)
        return proc.returncode == 0

    def merge_base(self, a: str, b: str) -> str | None:
        proc = subprocess.run(
            [*_GIT, "merge-base", "--end-of-options", a, b],
            cwd=self.toplevel,
            capture_output=True,
            env=_env(),
            check=False,
        )
        return proc.stdout.decode().strip() or None if proc.returncode == 0 else None

    def signatures(self, shas: list[str]) -> dict[str, str]:
        """sha → git's %G? letter, asked only for the commits that need it (verifying is slow).

        A commit with no signature is N without asking git to verify it. git says N for a
        signed commit it could not check (an SSH signature and no gpg.ssh.allowedSignersFile)
        and U for an SSH signature whose key is in no allowed-signers file — a key anyone can
        make; both are E here (cannot be verified). U stays good for GPG (a known key, trust
        unknown). Verifying runs in a few git processes at once, one per processor.
        """
        if not shas:
            return {}
        raw = self._batch().many(shas, b"commit")
        kinds = {sha: _signature_kind(raw[sha]) if sha in raw else None for sha in shas}
        signed = [sha for sha in shas if kinds[sha] is not None]
        states = {sha: "N" for sha in shas if kinds[sha] is None}
        if signed:
            n = max(1, min(os.cpu_count() or 1, 8, len(signed) // 16 or 1))
            chunks = [signed[i::n] for i in range(n)]
            with ThreadPoolExecutor(n) as pool:
                outs = list(pool.map(self._verify, chunks))
            verified: dict[str, str] = {}
            for out in outs:
                for line in out.decode().splitlines():
                    sha, _, state = line.partition(" ")
                    if sha:
                        verified[sha] = state.strip() or "N"
            for sha in signed:
                state = verified.get(sha, "N")
                if state == "N" or (state == "U" and kinds[sha] == "ssh"):
                    state = "E"
                states[sha] = state
        return states

    def _verify(self, shas: list[str]) -> bytes:
        return self.git(
            "log",
            "--no-walk=unsorted",
            "--stdin",
            "--format=%H %G?",
            stdin=("\n".join(shas) + "\n").encode(),
        )

    def is_shallow(self) -> bool:
        """Whether the clone is shallow: its history is cut off, and the cut looks like a root."""
        out = self.git("rev-parse", "--is-shallow-repository")
        return out.strip() == b"true"

    def close(self) -> None:
        for cat in (self._blobs, self._check):
            if cat is not None:
                cat.close()
        self._blobs = self._check = None


def special_kind(path: str, mode: str) -> str | None:
    """Why a tree entry has no place in a ledger's record: "symlink" (it could point the
    loader outside the ledger), "cache" (a file under .sanzhua/, sanzhua's own cache,
    which must come from the ledger files, never from git), or None."""
    if mode == _LINK_MODE:
        return "symlink"
    if path.startswith(CACHE_DIR) and mode != "000000":
        return "cache"
    return None


def is_ledger_path(path: str) -> bool:
    """Whether a path (relative to the ledger root) is a ledger file, by the loader's rules."""
    if not path.startswith("ledgers/") or not path.endswith((".yaml", ".yml")):
        return False
    return not any(part.startswith(".") for part in path.split("/")[1:])


def _signature_kind(commit: bytes) -> str | None:
    """Whether a commit object carries a signature header: "ssh", "gpg" or None."""
    header = commit.split(b"\n\n", 1)[0]
    for line in header.split(b"\n"):
        if line.startswith((b"gpgsig ", b"gpgsig-sha256 ")):
            return "ssh" if b"BEGIN SSH SIGNATURE" in line else "gpg"
    return None


_LOG_FORMAT = "--format=%x01%H%x00%P%x00%an%x00%ae%x00%aI%x00%s%x00%ce%x00%cI%x00"
# A commit message of 200 MB packs into 200 KB, and whole it took `audit` and `log` past a
# gigabyte each (issue 14). In a repository with a commit over BIG_COMMIT_BYTES, git itself
# cuts each commit's subject, names and e-mails to so many columns (ending the cut text in
# ".."), padding them with spaces that parse_log takes off. Only then: the padding costs
# about a kilobyte a commit, and an ordinary repository's subjects stay whole.
BIG_COMMIT_BYTES = 64 * 1024
SUBJECT_COLUMNS = 2000
NAME_COLUMNS = 200
EMAIL_COLUMNS = 320
_LOG_FORMAT_CUT = (
    f"--format=%x01%H%x00%P%x00%<({NAME_COLUMNS},trunc)%an%x00%<({EMAIL_COLUMNS},trunc)%ae%x00%aI%x00"
    f"%<({SUBJECT_COLUMNS},trunc)%s%x00%<({EMAIL_COLUMNS},trunc)%ce%x00%cI%x00"
)


def parse_log(out: bytes, rel: Callable[[str], str | None] | None = None, *, cut: bool = False) -> list[Commit]:
    """The output of `git log -z --raw --format=%x01…` → commits. `rel` maps repository paths."""
    to_rel: Callable[[str], str | None] = rel if rel is not None else (lambda p: p)
    commits: list[Commit] = []
    for record in out.split(b"\x01"):
        if not record:
            continue
        fields = record.split(b"\0", 8)
        if len(fields) < 9:
            continue
        sha, parents, name, email, when, subject, c_email, c_when, rest = fields
        if cut:  # the padding of _LOG_FORMAT_CUT
            name, email, subject, c_email = (f.rstrip(b" ") for f in (name, email, subject, c_email))
        changes: list[FileChange] = []
        specials: list[tuple[str, str]] = []
        tokens = rest.split(b"\0")
        i = 0
        while i < len(tokens):
            meta = tokens[i].lstrip(b"\n")
            if not meta.startswith(b":") or i + 1 >= len(tokens):
                i += 1
                continue
            raw_path = tokens[i + 1]
            i += 2
            parts = meta[1:].decode().split(" ")
            if len(parts) < 5:
                continue
            old_mode, new_mode, old_oid, new_oid = parts[0], parts[1], parts[2], parts[3]
            path = to_rel(raw_path.decode("utf-8", "surrogateescape"))
            if path is None:
                continue
            kind = special_kind(path, new_mode)
            if kind is not None:
                specials.append((path, kind))
            changes.append(
                FileChange(
                    path,
                    old_oid if old_oid != NULL_OID and old_mode in _BLOB_MODES else None,
                    new_oid if new_oid != NULL_OID and new_mode in _BLOB_MODES else None,
                )
            )
        commits.append(
            Commit(
                sha.decode(),
                tuple(parents.decode().split()),
                name.decode("utf-8", "replace"),
                email.decode("utf-8", "replace"),
                git_date(when),
                subject.decode("utf-8", "replace"),
                tuple(changes),
                c_email.decode("utf-8", "replace"),
                git_date(c_when) if c_when else None,
                tuple(specials),
            )
        )
    return commits


_ISO = re.compile(r"^(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-])(\d\d):(\d\d)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # what git shows for a date it cannot read
_LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def git_date(raw: bytes) -> datetime:
    """A date of `git log --format=%aI`: git stores any number as a commit's time and zone
    (`git commit --date '@253402300800 +9959'`), and prints what Python's datetime cannot
    hold (the year 10000, a zone of 99 hours, the placeholder itself for a line it cannot
    read). Such a date is the same instant in UTC; past the year 9999, that year's end;
    unreadable, 1970-01-01 (git's own reading) - never an internal error."""
    text = raw.decode("ascii", "replace")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    m = _ISO.match(text)
    if m is None:
        return _EPOCH
    year, month, day, hour, minute, second, sign, zh, zm = m.groups()
    if int(year) > 9999:
        return _LAST
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC)
        offset = timedelta(hours=int(zh), minutes=int(zm))
        return local - offset if sign == "+" else local + offset
    except (ValueError, OverflowError):
        return _EPOCH


# A blob larger than this is not read (the `max_file_mb` default, which the working tree's
# files are held to): a 780 KB repository can hold a 215 MB ledger file in its history
# (repeated lines pack a thousand times), and reading and parsing it took `audit` past
# 2 GB. The walk takes such a version as unreadable, like one that does not parse.
MAX_BLOB_BYTES = 64 * 1024 * 1024


class _CatFile:
    """One long-running `git cat-file --batch` (or `--batch-check`)."""

    def __init__(self, cwd: Path, mode: str, max_blob: int | None = None) -> None:
        self.max_blob = MAX_BLOB_BYTES if max_blob is None else max_blob
        # The blobs read past for their size, by the spec asked: {spec: size} (the audit
        # names each version it could not read: version-too-big).
        self.too_big: dict[str, int] = {}
        self.proc = subprocess.Popen(
            [*_GIT, "cat-file", mode],
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=_env(),
        )
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout

    def _ask(self, spec: str) -> list[bytes]:
        self.stdin.write(spec.encode("utf-8", "surrogateescape") + b"\n")
        self.stdin.flush()
        return self.stdout.readline().rstrip(b"\n").split(b" ")

    def read(self, spec: str) -> tuple[bytes, bytes] | None:
        """(object type, content) of any object, or None; one over `max_blob` is None."""
        head = self._ask(spec)
        if len(head) != 3:  # "<spec> missing" / "ambiguous"
            return None
        data = self._content(int(head[2]))
        if data is None:
            if head[1] == b"blob":
                self.too_big[spec] = int(head[2])
            return None
        return (head[1], data)

    def _content(self, size: int) -> bytes | None:
        """The object's bytes (and the line feed after them, read past); an object over
        `max_blob` (a blob, or a commit whose message is that long) is read past a megabyte
        at a time and None: a commit's signature is then not found (unsigned)."""
        if size <= self.max_blob:
            return self.stdout.read(size + 1)[:size]
        left = size + 1
        while left > 0:
            n = len(self.stdout.read(min(left, 1 << 20)))
            if n == 0:
                break
            left -= n
        return None

    def get(self, spec: str) -> bytes | None:
        got = self.read(spec)
        return got[1] if got is not None and got[0] == b"blob" else None

    def many(self, specs: list[str], kind: bytes = b"blob") -> dict[str, bytes]:
        def feed() -> None:
            try:
                self.stdin.write(b"".join(s.encode("utf-8", "surrogateescape") + b"\n" for s in specs))
                self.stdin.flush()
            except OSError:
                pass

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        found: dict[str, bytes] = {}
        for spec in specs:
            head = self.stdout.readline().rstrip(b"\n").split(b" ")
            if len(head) != 3:
                continue
            data = self._content(int(head[2]))
            if head[1] == kind and data is not None:
                found[spec] = data
            elif data is None and head[1] == b"blob":
                self.too_big[spec] = int(head[2])
        writer.join()
        return found

    def check(self, spec: str) -> str | None:
        head = self._ask(spec)
        return head[0].decode() if len(head) == 3 and head[1] == b"blob" else None

    def close(self) -> None:
        try:
            self.stdin.close()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


# -- plain git runs, for the commands that commit what they wrote (edit, fmt) ---------------


class GitError(Exception):
    """git could not be run at all (not installed, not executable)."""


def run_git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`git -C root ARGS`, its output as text; a failing git is the caller's to read from
    the return code, a git that cannot start is a GitError."""
    try:
        argv = [*GIT, "-C", str(root), *args]
        return subprocess.run(argv, capture_output=True, text=True, env=git_env(), check=False)
    except OSError as e:
        raise GitError(str(e)) from None


# -- whether the files differ from HEAD, without git reading the working tree ----------------


def worktree_changed(root: Path, paths: tuple[str, ...]) -> bool | None:
    """Whether the files below `paths` (relative to `root`) differ from HEAD's: changed,
    added, deleted or untracked (not ignored). None when `root` is not in a repository
    with a commit.

    `git status` would answer, but it reads changed files through their attributes'
    `filter=` drivers, programs a repository's own configuration names; sanzhua only
    reading a ledger must run none. Git lists what HEAD and the index hold; the files'
    bytes are hashed here as git hashes a blob, and a text file whose only difference is
    CRLF line endings (core.autocrlf) counts as unchanged.
    """
    env = git_env()

    def git(*args: str) -> bytes | None:
        try:
            done = subprocess.run([*GIT, *args], cwd=root, capture_output=True, env=env, timeout=60, check=False)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    # Git is given each path's folder, not the paths: it matches every file against every
    # pathspec, and a form of 20,000 one-task files was 4.6 s of git's CPU (issue 14). What
    # it lists is kept here when it is one of `paths` or below one.
    folders = sorted({p.rpartition("/")[0] or p for p in paths})
    wanted = {os.fsencode(p.rstrip("/")) for p in paths}
    tree = git("--literal-pathspecs", "ls-tree", "-r", "-z", "HEAD", "--", *folders)
    extra = git("--literal-pathspecs", "ls-files", "-z", "--others", "--exclude-standard", "--", *folders)
    staged = git("--literal-pathspecs", "ls-files", "-z", "--cached", "--", *folders)
    if tree is None or extra is None or staged is None:
        return None
    if any(_below(name, wanted) for name in extra.split(b"\0") if name):
        return True
    committed: dict[bytes, tuple[bytes, str]] = {}
    for entry in tree.split(b"\0"):
        if b"\t" not in entry:
            continue
        meta, name = entry.split(b"\t", 1)
        if _below(name, wanted):
            mode, _kind, oid = meta.split(b" ")
            committed[name] = (mode, oid.decode())
    if any(name not in committed for name in staged.split(b"\0") if name and _below(name, wanted)):
        return True
    return any(_differs(root, name, mode, oid) for name, (mode, oid) in committed.items())


def _below(name: bytes, wanted: set[bytes]) -> bool:
    """Whether git's `name` (relative to the ledger) is one of `wanted` or in one of them."""
    if b"." in wanted or b"" in wanted:
        return True
    while name not in wanted:
        name, slash, _rest = name.rpartition(b"/")
        if not slash:
            return False
    return True


# file → (its mode and blob id in HEAD, its stat) when its bytes were found to be that blob. The site
# asks whether the ledger changed twice (its commit stamp, over ".", and its archive's, over
# the ledger's files): 40,000 one-task files were read and hashed twice (issue 14). The second
# time an unchanged stat answers. Only for a file last modified over _SETTLED ago (a file
# rewritten within the same tick of a coarse clock keeps its mtime: git's "racily clean").
_SAME: dict[bytes, tuple[bytes, str, int, int, int, int]] = {}
_SAME_MAX = 1 << 18
_SETTLED = 2_000_000_000  # ns


def _differs(root: Path, name: bytes, mode: bytes, oid: str) -> bool:
    path = os.path.join(os.fsencode(root), name)
    try:
        st = os.lstat(path)
        if mode == b"120000":
            data = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
        elif stat.S_ISREG(st.st_mode) and mode != b"160000":
            seen = (mode, oid, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            if _SAME.get(path) == seen:
                return False
            with open(path, "rb") as f:
                data = f.read()
            if _blob_id(data, len(oid)) == oid:
                if time.time_ns() - st.st_mtime_ns > _SETTLED:
                    if len(_SAME) >= _SAME_MAX:
                        _SAME.clear()
                    _SAME[path] = seen
                return False
            return b"\r\n" not in data or _blob_id(data.replace(b"\r\n", b"\n"), len(oid)) != oid
        else:
            return mode != b"160000" or not stat.S_ISDIR(st.st_mode)  # a submodule: its folder is enough
    except OSError:
        return True
    if data is None:
        return True
    if _blob_id(data, len(oid)) == oid:
        return False
    return b"\r\n" not in data or _blob_id(data.replace(b"\r\n", b"\n"), len(oid)) != oid


def _blob_id(data: bytes, digits: int) -> str:
    h = hashlib.sha256() if digits == 64 else hashlib.sha1(usedforsecurity=False)
    h.update(b"blob %d\0" % len(data))
    h.update(data)
    return h.hexdigest()
