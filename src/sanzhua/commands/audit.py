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
import sys
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, root_and_lang
from sanzhua.errors import FatalError
from sanzhua.history.audit import collect
from sanzhua.history.rules import CODES, Finding
from sanzhua.i18n import Lang, text
from sanzhua.problems import Msg

FORMATS = ("text", "json", "github")


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
    where, language = root_and_lang(root, lang)
    notes: list[Msg] = []
    findings, commits = collect(where, since=since, rev_range=rev_range, baseline=baseline, notes=notes)
    for note in notes:
        sys.stderr.write(("警告：" if language == "zh" else "warning: ") + text(note, language) + "\n")
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
        "message": text(f.message, lang),
        "before": f.before,
        "after": f.after,
        "author_name": f.author_name,
        "subject": f.subject,
        "hint": text(f.hint, lang) if f.hint is not None else None,
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
        out.append(f"{_where(f)}: {level} {text(f.message, lang)} [{f.code}]")
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
            out.append(("      提示：" if lang == "zh" else "      hint: ") + text(f.hint, lang))
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
        body = f"{text(f.message, lang)} ({f.commit[:10]} {f.author} {f.date})"
        out.append(f"::{f.severity} {','.join(props)}::{_gh(body)}")
    out.append(_tail(findings, commits, lang))
    return "\n".join(out) + "\n"


FORMATTERS = {"text": format_text, "json": format_json, "github": format_github}
