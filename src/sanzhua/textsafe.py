"""Ledger text made safe for the places it is printed (issue 14.4).

A title may hold control characters written as YAML escapes ("\\x01", "\\e", "\\a"):
`check` reports them, but every report must still come out whole. In a Word document
they are not XML at all (docxtpl's recovering parser then drops `&<>` from every later
task, and "\\a" is its paragraph break), openpyxl refuses them, a calendar or CSV reader
may stop at them, and in a terminal ESC starts a control sequence that can rewrite the
screen or the CI log. `printable` removes them from text bound for a document; the
terminal streams of every command pass through `SafeStream`.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast

# What one value of the ledger (a title, a progress note) may put on a page or into a
# bulletin: its first SHOWN_CHARS characters, then how many more were left out
# (i18n.shown). A title of 3 million characters was written into every archived week's
# page, a gigabyte of site from a 9 MB file (issue 14); `check` warns past it (long-title),
# and the task's own page, `show` and the exports keep the value whole.
SHOWN_CHARS = 1000

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; the
# noncharacters U+FFFE/U+FFFF; lone surrogates (which no encoder writes).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
# For a terminal also a carriage return that does not end a line (it overwrites one), and
# the bidirectional embedding, override and isolate controls, which reorder what a line
# shows (a commit subject in `audit` could read as something else: "Trojan Source").
_TERMINAL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)
_TERMINAL = re.compile(f"{_TERMINAL_CHARS.pattern}|\r(?!\n)")
# The same test in two steps, each of which the regex engine runs fast (a character class
# alone is searched by a quick scan; with the alternation every position is tried): half
# the time on a large output (status --format json of 20,000 tasks, issue 17).
_BARE_CR = re.compile("\r(?!\n)")
# A line that GitHub Actions reads as a workflow command: `::` after any leading white space
# (the runner trims it). A ledger value with a line break (`title: "a\n::error::x"`, a unit's
# name, a commit's author) printed by `status`, `show`, `check -f text` or `export -o -` in a
# CI job would otherwise forge an annotation, mask a value (`::add-mask::`) or switch the
# commands off (`::stop-commands::`). A zero-width space before the `::` leaves the line as it
# reads and keeps it from being one; sanzhua's own annotations (`--format github`, where
# every value is escaped) pass through `workflow_commands`.
_COMMAND_AT_START = re.compile(r"(?:(?<=\n)|\A)([^\S\n]*)::")
_COMMAND_AFTER_BREAK = re.compile(r"(?<=\n)([^\S\n]*)::")
NOT_A_COMMAND = "\u200b"
# What sanzhua itself writes to a terminal that is one: colours (SGR) only.
_SGR = re.compile("\x1b\\[[0-9;]*m")


def printable(text: str) -> str:
    """`text` without the characters no document format may hold."""
    if _UNPRINTABLE.search(text) is None:
        return text
    return _UNPRINTABLE.sub("", text)


# A cell a spreadsheet would take for a formula (OWASP, CSV injection): = + - @, and a
# tab or carriage return, which some readers skip before looking for one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """Text for a CSV cell: no control characters, and a `'` before anything a
    spreadsheet would run as a formula (`sanzhua import` takes the `'` off again).
    Every CSV sanzhua writes (`export`, `status`, `score`) passes its text through it."""
    value = document_text(value)
    return "'" + value if value.startswith(FORMULA_START) else value


# For a document (a bulletin in Markdown or Word, a workbook, CSV, a calendar) also the
# bidirectional embedding, override and isolate controls: an unclosed U+202E in a title
# reversed the rest of its line, the template's own words and numbers with it ("提前37天"
# shown as "天73前提"), in an official bulletin (issue 14).
DOCUMENT_UNSAFE_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069"
_DOCUMENT_UNSAFE = re.compile(f"[{DOCUMENT_UNSAFE_CHARS}]")


def document_text(text: str) -> str:
    """`text` without what `printable` removes, nor the bidirectional controls."""
    if _DOCUMENT_UNSAFE.search(text) is None:
        return text
    return _DOCUMENT_UNSAFE.sub("", text)


def has_document_unsafe(text: str) -> bool:
    return _DOCUMENT_UNSAFE.search(text) is not None


def has_unprintable(text: str) -> bool:
    return _UNPRINTABLE.search(text) is not None


def for_terminal(text: str, colours: bool = False) -> str:
    """`text` as it may reach a terminal: no control character but tab and line breaks,
    and with `colours`, the colour sequences sanzhua's own output uses."""
    if _TERMINAL_CHARS.search(text) is None and ("\r" not in text or _BARE_CR.search(text) is None):
        return text  # `_TERMINAL.search(text) is None`, faster
    if not colours:
        return _TERMINAL.sub("", text)
    out: list[str] = []
    at = 0
    for m in _SGR.finditer(text):
        out.append(_TERMINAL.sub("", text[at : m.start()]))
        out.append(m.group())
        at = m.end()
    out.append(_TERMINAL.sub("", text[at:]))
    return "".join(out)


class SafeStream:
    """A text stream that passes everything through `for_terminal` (colours kept only
    when the stream is a terminal, where sanzhua itself colours its output)."""

    def __init__(self, raw: TextIO, *, commands: bool = False) -> None:
        self._raw = raw
        self._commands = commands  # whether a line may be a GitHub workflow command
        self._line_start = True  # whether the next character written starts a line
        try:
            self._colours = bool(raw.isatty())
        except (AttributeError, ValueError, OSError):
            self._colours = False

    def write(self, text: str) -> int:
        shown = for_terminal(text, self._colours)
        if not self._commands and "::" in shown:
            pattern = _COMMAND_AT_START if self._line_start else _COMMAND_AFTER_BREAK
            shown = pattern.sub(lambda m: m.group(1) + NOT_A_COMMAND + "::", shown)
        if shown:
            self._line_start = shown.endswith("\n")
        self._raw.write(shown)
        return len(text)

    def with_commands(self) -> SafeStream:
        """The same stream, letting workflow commands through (`workflow_commands`)."""
        return SafeStream(self._raw, commands=True)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


def workflow_commands(stream: TextIO) -> TextIO:
    """`stream`, through which sanzhua's own GitHub annotations (`check`/`audit --format
    github`, every ledger value in them escaped) pass as workflow commands."""
    return cast(TextIO, stream.with_commands()) if isinstance(stream, SafeStream) else stream


@contextlib.contextmanager
def safe_terminal() -> Iterator[None]:
    """Run a command with sys.stdout and sys.stderr behind `SafeStream`."""
    out, err = sys.stdout, sys.stderr
    if isinstance(out, SafeStream) or out is None or err is None:
        yield
        return
    sys.stdout = SafeStream(out)
    sys.stderr = SafeStream(err)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = out, err
