"""Problem reports in every format, chosen by name: text, json, github.

One layer for both kinds of problem (sanzhua.problems): `FORMATS` prints what `check`
finds in the files, `AUDIT_FORMATS` what `audit` finds in their history. Both share the
words for the levels and the hint, the GitHub annotation and its escaping; their JSON
shapes are the ones docs/format.md documents, a contract with users.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from sanzhua import jsontext
from sanzhua.clitext import CODE_DOCS_ZH
from sanzhua.i18n import Lang, say, text
from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.problems import Msg, Problem


@dataclass(frozen=True)
class Summary:
    files: int
    tasks: int
    errors: int
    warnings: int
    overdue: int


# A light on a terminal (status, show): its rich style, its dot, and a character that reads
# without colour too (a pipe, a printout, a chat message), in each language.
LIGHT_STYLE = {"red": "bold red", "yellow": "bold yellow", "green": "green", "done": "blue", "none": "dim"}
LIGHT_DOT = {"red": "●", "yellow": "●", "green": "●", "done": "✓", "none": "·"}
LIGHT_MARK = {"red": ("红", "R"), "yellow": ("黄", "Y"), "green": ("绿", "G"), "done": ("✓ ", "✓"), "none": ("· ", "·")}


def width(s: str) -> int:
    """Display width in a terminal: CJK characters take two columns."""
    if s.isascii():
        return len(s)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def clip(s: str, cells: int) -> str:
    """`s` cut to at most `cells` display columns, with "…" where it was cut."""
    if width(s) <= cells:
        return s
    out, used = [], 0
    for ch in s:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > cells - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" if cells > 0 else ""


def fit(full: str, short: str, cells: int) -> str:
    """The full form if it fits in `cells` columns, else the short one, cut only as a last resort."""
    if width(full) <= cells:
        return full
    return clip(short, cells)


EXCERPT_CELLS = 100  # the widest source line shown under a problem, in terminal columns


def excerpt(line: str, column: int, cells: int = EXCERPT_CELLS) -> tuple[str, int]:
    """The part of a source line shown under a problem, and the caret's offset in it.
    A line wider than `cells` columns (a minified or hostile file may have one of
    megabytes) is cut to a window around the column, with "…" where it was cut."""
    before = line[: max(0, column - 1)]
    if width(line) <= cells:
        return line, width(before)
    start = max(0, len(before) - cells // 2)
    head = "…" if start > 0 else ""
    shown = clip(head + line[start:], cells)
    return shown, width(head + line[start : len(before)])


Known = Mapping[str, Mapping[int, str | None]]  # file → line number → the line, as shown


class SourceLines:
    """Source lines of the files that have problems, split once each; only shown lines
    are decoded. Lines already known (kept with cached results) are taken as they are;
    else the bytes the loader read are used when given, else the file is read (unless
    `root` is None: then a file not given shows no line)."""

    def __init__(
        self, root: Path | None, sources: Mapping[str, bytes] | None = None, known: Known | None = None
    ) -> None:
        self.root = root
        self.sources = sources or {}
        self.known = known or {}
        self.cache: dict[str, list[bytes]] = {}

    def get(self, file: str, line: int) -> str | None:
        known = self.known.get(file)
        if known is not None and line in known:
            return known[line]
        lines = self.cache.get(file)
        if lines is None:
            raw = self.sources.get(file)
            if raw is None:
                try:
                    raw = b"" if self.root is None else read_inside(self.root / file, self.root)
                except (OSError, UnsafeFile):
                    raw = b""
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            lines = self.cache[file] = raw.split(b"\n")
        if not 0 < line <= len(lines):
            return None
        try:
            return lines[line - 1].rstrip(b"\r").decode("utf-8")
        except UnicodeDecodeError:
            return None


def level_word(p: Problem, lang: Lang) -> str:
    """错误 / 警告, error / warning."""
    return text(Msg(f"output.{p.severity}"), lang)


def list_codes(codes: Mapping[str, tuple[str, str]], lang: Lang) -> str:
    """The lines of `check --list` / `audit --list`: code, level, what it means (in Chinese
    clitext.CODE_DOCS_ZH's line, in English the check's or rule's docstring)."""
    return "\n".join(
        say(
            "codes.line",
            lang,
            code=code,
            level=text(Msg(f"output.{level}"), lang),
            doc_zh=CODE_DOCS_ZH.get(code, doc),
            doc=doc,
        )
        for code, (level, doc) in codes.items()
    )


def hint_line(p: Problem, lang: Lang) -> str | None:
    """The hint under a problem, indented, or None when it has none."""
    return None if p.hint is None else text(Msg("output.hint", {"hint": one_line(text(p.hint, lang))}), lang)


# The line breaks of str.splitlines. A message quotes ledger text (a title written over two
# lines, a unit's name): printed as it is, its second half would start a line of its own,
# one that could read as a problem sanzhua never found (issue 14).
_BREAKS = re.compile("\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]")


def one_line(s: str) -> str:
    """`s` on one line: each line break a space."""
    return s if _BREAKS.search(s) is None else _BREAKS.sub(" ", s)


def gh_escape(s: str, prop: bool = False) -> str:
    """GitHub workflow-command escaping (a property value also escapes : and ,)."""
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def annotation(p: Problem, lang: Lang) -> str:
    """One GitHub Actions annotation: `::error file=…,line=…,col=…,title=CODE::body`. The
    body is the message and, for a finding in the history, the commit that made it (its
    place, as file and line are a problem's in the files), else the hint."""
    props = []
    if p.file:
        props.append(f"file={gh_escape(p.file, True)}")
        if p.line:
            props.append(f"line={p.line}")
        if p.column:
            props.append(f"col={p.column}")
    props.append(f"title={gh_escape(p.code, True)}")
    message = text(p.message, lang)
    if p.revision is not None:
        body = say("output.github.commit", lang, message=message, commit=p.commit[:10], author=p.author, date=p.date)
    elif p.hint is not None:
        body = say("output.github.hint", lang, message=message, hint=text(p.hint, lang))
    else:
        body = message
    return f"::{p.severity} {','.join(props)}::{gh_escape(body)}"


def github_annotations(problems: list[Problem], lang: Lang, tail: str) -> str:
    """GitHub Actions workflow commands, one annotation per problem, then the summary line:
    the one GitHub format of `check` and `audit`."""
    return "\n".join([*(annotation(p, lang) for p in problems), tail]) + "\n"


def problem_lines(problems: list[Problem], lang: Lang, lines: SourceLines, color: bool = False) -> list[str]:
    """Each problem as `path:line:col: level message [code]`, the source line (cut to a
    window around the column) with a caret, and the hint: the one way `check`, `audit`
    and the edit commands show a problem."""
    out: list[str] = []
    for p in problems:
        level = level_word(p, lang)
        if color:
            level = ("\x1b[1;31m" if p.severity == "error" else "\x1b[1;33m") + level + "\x1b[0m"
        where = f"{p.file}:{p.line}:{p.column}" if p.line else p.file
        out.append(f"{where}: {level} {one_line(text(p.message, lang))} [{p.code}]")
        src = lines.get(p.file, p.line) if p.line else None
        if src is not None:
            # A break only libyaml makes (a lone CR, U+2028) shown as the space it takes,
            # so the caret stays under the column (the loader counts it as one).
            shown, pad = excerpt(one_line(src).replace("\t", "→"), p.column)
            gutter = f"{p.line:>5} | "
            out.append(gutter + shown)
            if p.column:
                out.append(" " * (len(gutter) - 2) + "| " + " " * pad + "^")
        hint = hint_line(p, lang)
        if hint is not None:
            out.append(hint)
    return out


def format_text(
    problems: list[Problem],
    summary: Summary,
    lang: Lang,
    root: Path,
    as_of: date,
    color: bool = False,
    lines: SourceLines | None = None,
) -> str:
    """`path:line:col: level message [code]`, the source line with a caret, and a hint.
    `lines` gives the source lines (by default each file is read from disk)."""
    out = problem_lines(problems, lang, lines if lines is not None else SourceLines(root), color)
    if problems:
        out.append("")
    out.append(_check_tail(summary, lang, as_of))
    return "\n".join(out) + "\n"


def _check_tail(summary: Summary, lang: Lang, as_of: date) -> str:
    return say(
        "output.summary",
        lang,
        as_of=as_of.isoformat(),
        files=summary.files,
        tasks=summary.tasks,
        errors=summary.errors,
        warnings=summary.warnings,
        overdue=summary.overdue,
    )


def format_json(
    problems: list[Problem],
    summary: Summary,
    lang: Lang,
    root: Path,
    as_of: date,
    color: bool = False,
    lines: SourceLines | None = None,
) -> str:
    """The shape of FORMAT.md's "Machine-readable output"."""
    doc = {
        "version": 1,
        "as_of": as_of.isoformat(),
        "problems": [
            {
                "code": p.code,
                "severity": p.severity,
                "file": p.file,
                # FORMAT.md: lines and columns start at 1; a problem with the file as a
                # whole (a missing units.yaml, an unreadable file) points at its start.
                "line": p.line or 1,
                "column": p.column or 1,
                "task": p.task,
                "message": text(p.message, lang),
                "hint": text(p.hint, lang) if p.hint is not None else None,
            }
            for p in problems
        ],
        "summary": {
            "files": summary.files,
            "tasks": summary.tasks,
            "errors": summary.errors,
            "warnings": summary.warnings,
            "overdue": summary.overdue,
        },
    }
    return jsontext.dumps(doc) + "\n"


def format_github(
    problems: list[Problem],
    summary: Summary,
    lang: Lang,
    root: Path,
    as_of: date,
    color: bool = False,
    lines: SourceLines | None = None,
) -> str:
    """GitHub Actions workflow commands: one annotation per problem (`github_annotations`)."""
    return github_annotations(problems, lang, _check_tail(summary, lang, as_of))


class Formatter(Protocol):
    def __call__(
        self,
        problems: list[Problem],
        summary: Summary,
        lang: Lang,
        root: Path,
        as_of: date,
        color: bool = False,
        lines: SourceLines | None = None,
    ) -> str: ...


FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "github": format_github,
}


# -- the audit's findings (problems found in a commit: Problem.revision) --------------------


def audit_row(f: Problem, lang: Lang) -> dict[str, Any]:
    """One finding in the `audit --format json` shape (docs/audit.md)."""
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


def _audit_summary(findings: list[Problem], commits: int) -> dict[str, Any]:
    errors = sum(f.severity == "error" for f in findings)
    return {
        "commits": commits,
        "findings": len(findings),
        "errors": errors,
        "warnings": len(findings) - errors,
        "codes": dict(sorted(Counter(f.code for f in findings).items())),
    }


def _audit_tail(findings: list[Problem], commits: int, lang: Lang) -> str:
    s = _audit_summary(findings, commits)
    return text(Msg("audit.summary", {"commits": commits, "errors": s["errors"], "warnings": s["warnings"]}), lang)


def audit_json(findings: list[Problem], commits: int, lang: Lang) -> str:
    doc = {
        "version": 1,
        "findings": [audit_row(f, lang) for f in findings],
        "summary": _audit_summary(findings, commits),
    }
    return jsontext.dumps(doc, "\n")


def audit_text(findings: list[Problem], commits: int, lang: Lang) -> str:
    """`path:line: level message [code]`, the commit under it, and a hint."""
    out: list[str] = []
    for f in findings:
        where = (f"{f.file}:{f.line}" if f.line else f.file) if f.file else f.commit[:10]
        out.append(f"{where}: {level_word(f, lang)} {one_line(text(f.message, lang))} [{f.code}]")
        said: dict[str, object] = {
            "commit": f.commit[:10],
            "date": f.date,
            "name": f.author_name,
            "email": f.author,
            "subject": f.subject,
        }
        out.append("      " + one_line(text(Msg("audit.commit-line", said), lang)))
        hint = hint_line(f, lang)
        if hint is not None:
            out.append(hint)
    if findings:
        out.append("")
    out.append(_audit_tail(findings, commits, lang))
    return "\n".join(out) + "\n"


def audit_github(findings: list[Problem], commits: int, lang: Lang) -> str:
    """GitHub Actions workflow commands: one annotation per finding (`github_annotations`)."""
    return github_annotations(findings, lang, _audit_tail(findings, commits, lang))


class AuditFormatter(Protocol):
    def __call__(self, findings: list[Problem], commits: int, lang: Lang) -> str: ...


AUDIT_FORMATS: dict[str, AuditFormatter] = {"text": audit_text, "json": audit_json, "github": audit_github}
