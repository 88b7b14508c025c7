"""A bulletin or notice as a document: what its templates see, its file name, and the
line that says which version of the ledger it was made from (the command `brief` and
the site's archive both make them)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from sanzhua.gitargs import GIT, git_env, not_owned
from sanzhua.history.git import worktree_changed
from sanzhua.i18n import Lang, say
from sanzhua.outfile import file_name
from sanzhua.report.brief import Brief, Notice


def issue_number(b: Brief) -> str:
    """第12期 / No. 12, or nothing when the bulletin has no number."""
    return "" if b.header.number is None else say("brief.issue-number", b.lang, number=b.header.number)


def brief_context(b: Brief) -> dict[str, object]:
    """What the brief templates see: `b` and short names for its parts."""
    issue = issue_number(b)
    return {
        "b": b,
        "h": b.header,
        "t": b.totals,
        "p": b.previous,
        "c": b.change,
        "issue": issue,
        "lang": b.lang,
    }


def notice_context(n: Notice) -> dict[str, object]:
    return {"n": n, "lang": n.lang}


def default_name(b: Brief, ext: str) -> str:
    """政务督查-2026-第47期.docx; a custom period without a number:
    工作简报-2026-11-01至2026-11-28.docx."""
    h = b.header
    if h.number is not None:
        return f"{file_name(h.name)}-{h.period_start.year}-第{h.number}期.{ext}"
    return f"{file_name(h.name)}-{h.period_start.isoformat()}至{h.period_end.isoformat()}.{ext}"


def notice_name(n: Notice, ext: str) -> str:
    return f"督办通知-{file_name(n.unit)}-{n.as_of.isoformat()}.{ext}"


_READ_PATHS = ("sanzhua.yaml", "units.yaml", "calendar.yaml", "ledgers", "templates")


def made_from(root: Path, lang: Lang) -> str:
    """据台账提交 1a2b3c4（2026-11-25）生成; with uncommitted changes to the ledger's files,
    says so; outside git, says that no version can be named."""

    refused: list[str] = []

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                [*GIT, "-C", str(root), *args], capture_output=True, text=True, env=git_env(), timeout=30, check=False
            )
        except (OSError, subprocess.SubprocessError):
            return None
        if done.returncode != 0 and not_owned(done.stderr) is not None:
            refused.append(done.stderr)
        return done.stdout.strip() if done.returncode == 0 else None

    if git("rev-parse", "--is-inside-work-tree") != "true":
        return say("document.not-owned" if refused else "document.no-git", lang)
    head = git("log", "-1", "--format=%h %cs")
    if not head:
        commit = say("document.no-commit", lang)
    else:
        sha, day = head.split(" ", 1)
        if re.fullmatch(r"\d{4,}-\d\d-\d\d", day):
            commit = say("document.commit", lang, sha=sha, day=day)
        else:  # a committer line git cannot read: it prints the placeholder itself
            commit = say("document.commit-undated", lang, sha=sha)
    if worktree_changed(root, _READ_PATHS):
        commit += say("document.dirty", lang)
    return commit + say("document.end", lang)
