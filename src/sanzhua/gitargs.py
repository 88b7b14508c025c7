"""How sanzhua starts git: the one command line and environment of every git it runs.

A repository's own configuration (`.git/config`, which a ledger received as an archive
or a shared folder brings along) can name programs for git to run: `core.fsmonitor` runs
whenever git reads the index (`status`, `ls-files`, `commit`), `core.pager` when it
pages. sanzhua's reports read the history and the files, and must not run any of them,
so every git it starts is told `core.fsmonitor=false` (and the rest below). What git
runs for a file's attributes (a `filter=` driver's clean command on `git status`) is
avoided by not asking git to read the working tree at all when only reading:
`history.git.worktree_changed` compares the files' bytes with HEAD's itself.

git's own variables that name a repository (`GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`
and the object stores), which a hook or a CI step of another repository leaves set, are
dropped: every git sanzhua runs is about the repository that holds the ledger folder it
found, so a bulletin names the ledger's own commit and `--commit` commits there.

Replacement objects (`refs/replace/*`, which can be pushed and fetched like any ref) are
not honoured (`GIT_NO_REPLACE_OBJECTS`): `git replace X FAKE` made git show FAKE in
place of X, and a moved deadline vanished from the audit. Nor is a `.git/info/grafts`
file (`GIT_GRAFT_FILE` names one that cannot exist), which could give that commit no parent.

Options that are not git's (a `--range` value such as `--output=x`) must come after
`--end-of-options` on every git command that takes revisions (history.git).
"""

from __future__ import annotations

import os

GIT: tuple[str, ...] = (
    "git",
    "-c",
    "core.fsmonitor=false",  # a program run on every read of the index
    "-c",
    "core.pager=cat",
    "-c",
    "pager.log=false",
    "-c",
    "core.untrackedCache=false",
)

# Variables that would point git at another repository than the ledger's (see above).
ELSEWHERE: tuple[str, ...] = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_PREFIX",
)


def not_owned(stderr: str | bytes) -> str | None:
    """The command that lets git read a repository it refused because another user owns
    it (git's "dubious ownership", `safe.directory`: a ledger on a shared folder, copied
    as root, or mounted from a server), taken from git's own message; None for any other
    failure. sanzhua does not lift the guard itself: a repository of another user may
    name programs in its config; the user decides."""
    text = stderr.decode("utf-8", "replace") if isinstance(stderr, bytes) else stderr
    if "safe.directory" not in text:
        return None
    for line in text.splitlines():
        if "safe.directory" in line and "git config" in line:
            return line.strip()
    return "git config --global --add safe.directory <DIR>"


def git_env() -> dict[str, str]:
    """The environment for git: the ledger's own repository (no variable naming another),
    no prompt for a password (a CI job would hang on it), and no optional write of the
    index by a command that only reads."""
    env = {k: v for k, v in os.environ.items() if k not in ELSEWHERE}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    env["GIT_PAGER"] = "cat"
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env["GIT_GRAFT_FILE"] = os.path.join(os.devnull, "no-grafts")
    env.pop("GIT_EXTERNAL_DIFF", None)
    return env
