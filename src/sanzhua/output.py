"""Problem reports in every format, chosen by name: text, json, github."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from sanzhua.i18n import Lang, text
from sanzhua.problems import Problem


@dataclass(frozen=True)
class Summary:
    files: int
    tasks: int
    errors: int
    warnings: int
    overdue: int


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


Known = Mapping[str, Mapping[int, str | None]]  # file → line number → the line, as shown


class SourceLines:
    """Source lines of the files that have problems, split once each; only shown lines
    are decoded. Lines already known (kept with cached results) are taken as they are;
    else the bytes the loader read are used when given, else the file is read."""

    def __init__(self, root: Path, sources: Mapping[str, bytes] | None = None, known: Known | None = None) -> None:
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
                from sanzhua.load.safe import UnsafeFile, read_inside

                try:
                    raw = read_inside(self.root / file, self.root)
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
    if lines is None:
        lines = SourceLines(root)
    out: list[str] = []
    level_words = {"error": ("错误", "error"), "warning": ("警告", "warning")}
    hint_word = "提示" if lang == "zh" else "hint"
    for p in problems:
        level = level_words[p.severity][0 if lang == "zh" else 1]
        if color:
            level = ("\x1b[1;31m" if p.severity == "error" else "\x1b[1;33m") + level + "\x1b[0m"
        where = f"{p.file}:{p.line}:{p.column}" if p.line else p.file
        out.append(f"{where}: {level} {text(p.message, lang)} [{p.code}]")
        src = lines.get(p.file, p.line) if p.line else None
        if src is not None:
            shown = src.replace("\t", "→")
            gutter = f"{p.line:>5} | "
            out.append(gutter + shown)
            if p.column:
                pad = width(shown[: max(0, p.column - 1)])
                out.append(" " * (len(gutter) - 2) + "| " + " " * pad + "^")
        if p.hint is not None:
            out.append(
                f"      {hint_word}：{text(p.hint, lang)}"
                if lang == "zh"
                else f"      {hint_word}: {text(p.hint, lang)}"
            )
    if lang == "zh":
        tail = (
            f"检查日期 {as_of.isoformat()}：共 {summary.files} 个文件、{summary.tasks} 项任务；"
            f"{summary.errors} 个错误，{summary.warnings} 个警告，{summary.overdue} 项逾期"
        )
    else:
        tail = (
            f"as of {as_of.isoformat()}: {summary.files} files, {summary.tasks} tasks; "
            f"{summary.errors} errors, {summary.warnings} warnings, {summary.overdue} overdue"
        )
    if problems:
        out.append("")
    out.append(tail)
    return "\n".join(out) + "\n"


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
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _gh_escape(s: str, prop: bool = False) -> str:
    s = s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        s = s.replace(":", "%3A").replace(",", "%2C")
    return s


def format_github(
    problems: list[Problem],
    summary: Summary,
    lang: Lang,
    root: Path,
    as_of: date,
    color: bool = False,
    lines: SourceLines | None = None,
) -> str:
    """GitHub Actions workflow commands: one annotation per problem."""
    out: list[str] = []
    for p in problems:
        level = "error" if p.severity == "error" else "warning"
        props = [f"file={_gh_escape(p.file, True)}"]
        if p.line:
            props.append(f"line={p.line}")
        if p.column:
            props.append(f"col={p.column}")
        props.append(f"title={_gh_escape(p.code, True)}")
        body = text(p.message, lang)
        if p.hint is not None:
            body += ("。提示：" if lang == "zh" else ". Hint: ") + text(p.hint, lang)
        out.append(f"::{level} {','.join(props)}::{_gh_escape(body)}")
    out.append(format_text([], summary, lang, root, as_of).strip())
    return "\n".join(out) + "\n"


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
