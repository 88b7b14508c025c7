"""`sanzhua audit`: read the git history and report what should not have happened.

Each commit is compared with its parent, task by task (see sanzhua.history); the
rules (sanzhua.history.rules) turn the changes into findings with stable codes.
Output as text, JSON or GitHub annotations; exit 1 when a finding is an error.

Decisions (docs/audit.md gives the reasons):

- who may do what is judged by the commit's **author email** against the settings
  and units **as of the commit's parent**: adding yourself to `supervisors` does not
  bless the same commit;
- a commit whose parent has no sanzhua.yaml (the root commit, or the one that
  creates the ledger) is the **baseline**: nothing in it is flagged but `unsigned`;
- `backdated` looks at entries added to a task that **already existed**: a new task
  may bring its history with it (an import), a done date or progress entry written
  weeks late on an existing task may not;
- a **merge** is judged only on what it changed beyond combining its parents (a
  three-way merge of every task against the merge base); an octopus merge (more
  than two parents) is not compared task by task, and each file it leaves different
  from every branch it merged is an `unaudited-merge` error;
- dates are the commit's **author date** in the author's time zone; `backdated` and
  `--since` also go by the committer date, which an author date set back cannot hide;
- `--baseline COMMIT` starts the record at a named commit, as if it created the ledger:
  nothing before it is judged, its settings and units are trusted (the way out of a
  history locked by an empty `supervisors` list).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS
from sanzhua.errors import FatalError
from sanzhua.history.git import Repo
from sanzhua.history.rules import CODES, Finding, audit_step, specials_in_tree
from sanzhua.history.walk import History
from sanzhua.i18n import Lang, text
from sanzhua.load import find_root
from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.load.settings import load_settings
from sanzhua.problems import Msg

FORMATS = ("text", "json", "github")


def render(m: Msg | None, lang: Lang) -> str:
    """A catalogue message whose arguments may themselves be messages."""
    if m is None:
        return ""
    if any(isinstance(v, Msg) for v in m.args.values()):
        m = Msg(m.key, {k: render(v, lang) if isinstance(v, Msg) else v for k, v in m.args.items()})
    return text(m, lang)


def resolve(root: Path | None, lang: str | None) -> tuple[Path, Lang]:
    """The ledger root and the message language, without loading the whole ledger."""
    if lang not in (None, "zh", "en"):
        raise FatalError(f"--lang 只能是 zh 或 en（收到 {lang}）", "--lang takes zh or en")
    start = root or Path.cwd()
    where = start.resolve() if (start / "sanzhua.yaml").is_file() else find_root(start, lang)
    if lang is None:
        try:
            lang = load_settings(read_inside(where / "sanzhua.yaml", where))[0].lang
        except (OSError, UnsafeFile):
            lang = "zh"
    return where, ("en" if lang == "en" else "zh")


def _codes(values: tuple[str, ...] | list[str], option: str) -> set[str]:
    out: set[str] = set()
    for v in values:
        for code in v.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in CODES:
                raise FatalError(
                    f"{option}: 没有名为 {code} 的审计项 / no audit finding named {code}",
                    f"known codes: {', '.join(CODES)}",
                )
            out.add(code)
    return out


_DAY = re.compile(r"\s*([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?\s*")
_NOW_WORDS = frozenset(("now", "today"))


def since_day(repo: Repo, since: str) -> tuple[str, date | None]:
    """`--since` as git should read it, and the first day to keep when it names a day.

    A day (2026-10-01, 2026/10/1, 2026年10月1日) keeps the commits whose author date, in
    the author's time zone, is that day or later — the date every finding shows. Git
    would read it as that day at the current time of day, in this machine's time zone,
    and compare committer dates; so git is asked for a few days more and the commits
    are kept by their own date. Anything else (`2 weeks ago`) goes to git as it is.
    """
    m = _DAY.fullmatch(since)
    if m is not None:
        try:
            day = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError as e:
            raise FatalError(
                f"--since：没有这一天（{since}） / no such day: {since}",
                "请写成 2026-10-01 这样的日期 / write a day like 2026-10-01",
            ) from e
        return (day - timedelta(days=3)).isoformat(), day
    if since.strip().lower() not in _NOW_WORDS:
        # git reads any text it does not understand as "now", which would silently audit nothing
        out = repo.git("rev-parse", f"--since={since}").decode().strip()
        stamp = out.removeprefix("--max-age=")
        if stamp.isdigit() and abs(int(stamp) - time.time()) < 5:
            raise FatalError(
                f"--since：无法识别的日期“{since}” / cannot read the date {since!r}",
                "请写成 2026-10-01 这样的日期，或 git 的写法如 '2 weeks ago' / "
                "write a day like 2026-10-01, or a git date like '2 weeks ago'",
            )
    return since, None


def baseline_of(repo: Repo, baseline: str, tip: str) -> str:
    """The commit `--baseline` names; it must be in the history being audited."""
    sha = repo.commit_id(baseline)
    if sha is None:
        raise FatalError(
            f"--baseline：找不到提交“{baseline}” / no commit named {baseline!r}",
            "写提交号（git log --oneline 中的那一列）或分支、标签名 / give a commit id, branch or tag",
        )
    if not repo.is_ancestor(sha, tip):
        raise FatalError(
            f"--baseline：提交 {sha[:10]} 不在 {tip} 的历史中 / commit {sha[:10]} is not in the history of {tip}",
            "基准提交必须是要审计的历史中的一个提交 / the baseline must be a commit of the history audited",
        )
    return sha


def collect(
    root: Path,
    *,
    since: str | None = None,
    rev_range: str | None = None,
    baseline: str | None = None,
    notes: list[Msg] | None = None,
) -> tuple[list[Finding], int]:
    """Every finding over the range (default: all of the history of HEAD), and the commits seen.
    `baseline`: a commit the record starts at (nothing before it is judged). `notes` receives
    warnings about the run itself (a shallow clone)."""
    repo = Repo(root)
    try:
        git_since, first_day = since_day(repo, since) if since else (None, None)
        if not repo.has_commits():
            if baseline is not None:
                baseline_of(repo, baseline, "HEAD")
            return [], 0
        if notes is not None and repo.is_shallow():
            notes.append(Msg("audit.shallow", {}))
        revisions = [rev_range] if rev_range else ["HEAD"]
        if baseline is not None:
            tip = rev_range.split("..")[-1].lstrip(".") if rev_range and ".." in rev_range else (rev_range or "HEAD")
            revisions.append("^" + baseline_of(repo, baseline, tip or "HEAD"))
        commits = repo.log(revisions, git_since)
        if first_day is not None:
            # by either date: a commit made on or after the day is audited whatever its author date says
            commits = [c for c in commits if c.day >= first_day or c.committed_day >= first_day]
        history = History(repo)
        steps = list(history.walk(commits))
        signed = repo.signatures([s.commit.sha for s in steps if s.settings.require_signed])
        findings: list[Finding] = []
        for step in steps:
            findings.extend(audit_step(step, signed.get(step.commit.sha)))
        if commits:
            # symlinks and cache files the walked commits did not bring in, but the tree holds
            seen = {path for step in steps for path, _ in step.specials}
            left = [(p, k) for p, k in repo.specials(commits[-1].sha) if p not in seen]
            findings.extend(specials_in_tree(commits[-1], left))
        return findings, len(commits)
    finally:
        repo.close()


def audit(
    root: Path | None,
    *,
    since: str | None = None,
    rev_range: str | None = None,
    baseline: str | None = None,
    fmt: str = "text",
    lang: str | None = None,
    select: tuple[str, ...] | list[str] = (),
    ignore: tuple[str, ...] | list[str] = (),
    out: TextIO | None = None,
) -> int:
    """Audit the history and print the findings; 1 when one is an error, else 0."""
    if fmt not in FORMATS:
        raise FatalError(
            f"--format 只能是 {'、'.join(FORMATS)}（收到 {fmt}）",
            f"--format takes one of {', '.join(FORMATS)}",
        )
    chosen_codes = _codes(select, "--select")
    ignored = _codes(ignore, "--ignore")
    where, language = resolve(root, lang)
    notes: list[Msg] = []
    findings, commits = collect(where, since=since, rev_range=rev_range, baseline=baseline, notes=notes)
    for note in notes:
        sys.stderr.write(("警告：" if language == "zh" else "warning: ") + render(note, language) + "\n")
    if chosen_codes:
        findings = [f for f in findings if f.code in chosen_codes]
    findings = [f for f in findings if f.code not in ignored]
    stream = out if out is not None else sys.stdout
    stream.write(FORMATTERS[fmt](findings, commits, language))
    return EXIT_PROBLEMS if any(f.severity == "error" for f in findings) else EXIT_OK


def as_json(f: Finding, lang: Lang) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity,
        "commit": f.commit,
        "author": f.author,
        "date": f.date,
        "task": f.task,
        "file": f.file,
        "line": f.line,
        "message": render(f.message, lang),
        "before": f.before,
        "after": f.after,
        "author_name": f.author_name,
        "subject": f.subject,
        "hint": render(f.hint, lang) if f.hint is not None else None,
    }


def _summary(findings: list[Finding], commits: int) -> dict[str, Any]:
    errors = sum(f.severity == "error" for f in findings)
    return {
        "commits": commits,
        "findings": len(findings),
        "errors": errors,
        "warnings": len(findings) - errors,
        "codes": dict(sorted(Counter(f.code for f in findings).items())),
    }


def format_json(findings: list[Finding], commits: int, lang: Lang) -> str:
    doc = {
        "version": 1,
        "findings": [as_json(f, lang) for f in findings],
        "summary": _summary(findings, commits),
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _tail(findings: list[Finding], commits: int, lang: Lang) -> str:
    s = _summary(findings, commits)
    return text(
        Msg("audit.summary", {"commits": commits, "errors": s["errors"], "warnings": s["warnings"]}),
        lang,
    )


def _where(f: Finding) -> str:
    if not f.file:
        return f.commit[:10]
    return f"{f.file}:{f.line}" if f.line else f.file


def format_text(findings: list[Finding], commits: int, lang: Lang) -> str:
    """`path:line: level message [code]`, the commit under it, and a hint."""
    out: list[str] = []
    levels = {"error": ("错误", "error"), "warning": ("警告", "warning")}
    for f in findings:
        level = levels[f.severity][0 if lang == "zh" else 1]
        out.append(f"{_where(f)}: {level} {render(f.message, lang)} [{f.code}]")
        out.append(
            "      "
            + text(
                Msg(
                    "audit.commit-line",
                    {
                        "commit": f.commit[:10],
                        "date": f.date,
                        "name": f.author_name,
                        "email": f.author,
                        "subject": f.subject,
                    },
                ),
                lang,
            )
        )
        if f.hint is not None:
            out.append(("      提示：" if lang == "zh" else "      hint: ") + render(f.hint, lang))
    if findings:
        out.append("")
    out.append(_tail(findings, commits, lang))
    return "\n".join(out) + "\n"


def _gh(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return s.replace(":", "%3A").replace(",", "%2C") if prop else s


def format_github(findings: list[Finding], commits: int, lang: Lang) -> str:
    """GitHub Actions workflow commands, one annotation per finding."""
    out: list[str] = []
    for f in findings:
        props = []
        if f.file:
            props.append(f"file={_gh(f.file, True)}")
            if f.line:
                props.append(f"line={f.line}")
        props.append(f"title={_gh(f.code, True)}")
        body = f"{render(f.message, lang)} ({f.commit[:10]} {f.author} {f.date})"
        out.append(f"::{f.severity} {','.join(props)}::{_gh(body)}")
    out.append(_tail(findings, commits, lang))
    return "\n".join(out) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
