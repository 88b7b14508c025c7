"""A file's bytes as lines that remember their own endings, and line-level splices.

Every edit command works on `Source`: the text split into lines, each line's own
ending (LF, CRLF, or none for a last line without one) and whether the file starts
with a BOM. Edits are made on the LF text; `sanzhua.edit.ops.rebuild` writes every
unchanged line back with its own ending, so a CRLF file with a BOM stays one, and a
file with mixed endings keeps them where they were.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter

BOM = b"\xef\xbb\xbf"


class SourceError(Exception):
    """The bytes are not text that can be edited (not UTF-8)."""


class Source:
    """The text of one file as lines, with the bytes it came from."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.bom = data.startswith(BOM)
        body = data[len(BOM) :] if self.bom else data
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as e:
            raise SourceError(str(e)) from None
        self.lines: list[str] = []
        self.endings: list[str] = []
        for raw in text.split("\n"):
            self.lines.append(raw)
            self.endings.append("\n")
        # text.split leaves one piece after the last "\n": empty when the file ends with one.
        last = self.lines.pop()
        self.endings.pop()
        if last != "":
            self.lines.append(last)
            self.endings.append("")
        for i, line in enumerate(self.lines):
            if line.endswith("\r") and self.endings[i] == "\n":
                self.lines[i] = line[:-1]
                self.endings[i] = "\r\n"
        counts = Counter(e for e in self.endings if e)
        self.newline = counts.most_common(1)[0][0] if counts else "\n"

    @property
    def text(self) -> str:
        """The text with LF endings and no BOM: what positions (line, column) refer to."""
        return "".join(line + "\n" for line in self.lines)


def decode_lines(data: bytes) -> list[str]:
    """Lines for display (BOM and line endings dropped)."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return data.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")


def unified_diff(before: bytes, after: bytes, path: str, context: int = 1) -> str:
    """A short unified diff of two versions of a file, as `git diff` would show the lines.

    The common head and tail are cut off before difflib sees the lines (its matching is
    quadratic at worst, issue 14.8), and the hunks' line numbers shifted back.
    """
    if before == after:
        return ""
    a = decode_lines(before) if before else []
    b = decode_lines(after)
    if a and a[-1] == "":
        a.pop()
    if b and b[-1] == "":
        b.pop()
    head = 0
    while head < len(a) and head < len(b) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < len(a) - head and tail < len(b) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    start = max(0, head - context)
    a_mid = a[start : len(a) - max(0, tail - context)]
    b_mid = b[start : len(b) - max(0, tail - context)]
    out: list[str] = []
    for line in difflib.unified_diff(
        a_mid, b_mid, f"a/{path}" if before else "/dev/null", f"b/{path}", n=context, lineterm=""
    ):
        hunk = _HUNK.match(line)
        if hunk is not None:
            line = f"@@ -{_shift(hunk.group(1), start)} +{_shift(hunk.group(2), start)} @@{hunk.group(3)}"
        out.append(line)
    return "\n".join(out) + "\n"


_HUNK = re.compile(r"^@@ -(\S+) \+(\S+) @@(.*)$")


def _shift(span: str, by: int) -> str:
    """`12,3` → `12+by,3`; an empty range (`11,0`) shifts the same way."""
    first, _, length = span.partition(",")
    moved = int(first) + by
    return f"{moved},{length}" if length else str(moved)
