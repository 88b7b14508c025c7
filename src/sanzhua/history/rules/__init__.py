"""The audit's rules: what in a commit's changes is a hidden move, and who may make it.

One module per finding code, registered below, as the checks of `sanzhua check` are
(sanzhua.checks). A rule module has `CODE` (stable, what users select and ignore),
`LEVEL` ("error" or "warning"), `SCOPE`, and a docstring whose first paragraph is its
user documentation (`CODES`, `sanzhua audit --list`). The scope says what it reads and
so which function it has:

- "task": `audit(out, who, tc)`, one task's change in a commit (most rules);
- "commit": the commit as a whole — `audit_commit(out, who, step)`, or for those that
  are not about its changes, `audit_signature(out, state)` (unsigned),
  `audit_skipped(out, step)` (an octopus merge not compared task by task) and
  `audit_versions(out, step)` (a file version too big to read);
- "tree": `audit_entry(out, path)`, an entry standing in a commit's tree.

A rule adds findings to `out` (sanzhua.history.rules.base.Out) under its own code; `Out`
stamps the level and the commit. Findings are `Problem`s (sanzhua.problems) that name
their commit, printed by sanzhua.output like the checks' problems.

Who is who: a commit's **author email** (case-insensitive) is matched against
`supervisors` in sanzhua.yaml and each unit's `editors` in units.yaml, both **as of
the commit's parent** — a commit cannot bless itself.

Order: a commit's findings come as `audit_step` runs the rules — signature, tree
entries, then the commit-scope rules, then each changed task through `TASK_RULES` in
the order below.
"""

from __future__ import annotations

from types import ModuleType

from sanzhua.history.git import Commit
from sanzhua.history.rules import (
    backdated,
    cache_committed,
    committer_not_supervisor,
    deadline_moved,
    done_corrected,
    done_rewritten,
    extension_unauthorized,
    history_cut,
    progress_rewritten,
    status_unauthorized,
    symlink_committed,
    task_deleted,
    unaudited_merge,
    unauthorized_edit,
    unsigned,
    verification_unauthorized,
    version_too_big,
)
from sanzhua.history.rules.base import Out, Who
from sanzhua.history.walk import Cut, Step
from sanzhua.model import Settings
from sanzhua.problems import Problem, Severity

__all__ = ["CODES", "RULES", "TASK_RULES", "audit_step", "cut_finding", "specials_in_tree"]

# In the order `sanzhua audit --list` and the docs show them.
RULES: dict[str, ModuleType] = {
    m.CODE: m
    for m in (
        deadline_moved,
        extension_unauthorized,
        progress_rewritten,
        done_rewritten,
        done_corrected,
        status_unauthorized,
        committer_not_supervisor,
        symlink_committed,
        cache_committed,
        task_deleted,
        unauthorized_edit,
        backdated,
        unaudited_merge,
        unsigned,
        verification_unauthorized,  # issue 20: 销号 is the office's
        history_cut,
        version_too_big,  # issue 14: a version over the blob limit, named, not skipped unsaid
    )
}


def _description(m: ModuleType) -> str:
    first = (m.__doc__ or "").strip().split("\n\n", 1)[0]
    return " ".join(first.split())


CODES: dict[str, tuple[Severity, str]] = {code: (m.LEVEL, _description(m)) for code, m in RULES.items()}
LEVELS: dict[str, Severity] = {code: level for code, (level, _) in CODES.items()}

# Each changed task goes through these, in this order.
TASK_RULES: tuple[ModuleType, ...] = (
    task_deleted,
    unauthorized_edit,
    deadline_moved,
    extension_unauthorized,
    progress_rewritten,
    done_rewritten,
    done_corrected,
    status_unauthorized,
    backdated,
    verification_unauthorized,
)
TREE_RULES: dict[str, ModuleType] = {m.KIND: m for m in (symlink_committed, cache_committed)}


def audit_step(step: Step, signature: str | None = None) -> list[Problem]:
    """Every finding of one commit. `signature` is git's %G? letter when signing is required."""
    out = Out(step, LEVELS)
    if signature is not None and step.settings.require_signed:
        unsigned.audit_signature(out, signature)
    out.found.extend(specials_in_tree(step.commit, step.specials))
    version_too_big.audit_versions(out, step)
    if step.skipped:
        unaudited_merge.audit_skipped(out, step)
        return out.found
    if step.baseline:
        return out.found
    who = Who(step)
    committer_not_supervisor.audit_commit(out, who, step)
    unauthorized_edit.audit_commit(out, who, step)
    for tc in step.tasks:
        for rule in TASK_RULES:
            rule.audit(out, who, tc)
    return out.found


def cut_finding(cut: Cut) -> list[Problem]:
    """The error that says where a walk stopped on its budget (history-cut)."""
    out = Out(Step(cut.last, False, Settings(name=""), {}), LEVELS)
    history_cut.audit_cut(out, cut)
    return out.found


def specials_in_tree(commit: Commit, entries: list[tuple[str, str]]) -> list[Problem]:
    """Symlinks and cache files standing in a commit's tree (reported on that commit)."""
    out = Out(Step(commit, False, Settings(name=""), {}), LEVELS)
    for path, kind in entries:
        TREE_RULES["symlink" if kind == "symlink" else "cache"].audit_entry(out, path)
    return out.found
