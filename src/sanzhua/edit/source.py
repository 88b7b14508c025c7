"""A file's bytes as lines that remember their own endings, and line-level splices.

Every edit command works on `Source`: the text split into lines, each line's own
ending (LF, CRLF, or none for a last line without one) and whether the file starts
with a BOM. Edits are made on the LF text; `sanzhua.edit.ops.rebuild` writes every
unchanged line back with its own ending, so a CRLF file with a BOM stays one, and a
file with mixed endings keeps them where they were.
"""

from __future__ import annotations

import difflib
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
        self.lines: list[str] = text.split("\n")
        self.endings: list[str] = ["\n"] * len(self.lines)
        # text.split leaves one piece after the last "\n": empty when the file ends with one.
        last = self.lines.pop()
        self.endings.pop()
        if last != "":
            self.lines.append(last)
            self.endings.append("")
        self.newline = "\n"
        if "\r" in text:
            for i, line in enumerate(self.lines):
                if line.endswith("\r") and self.endings[i] == "\n":
                    self.lines[i] = line[:-1]
                    self.endings[i] = "\r\n"
            counts = Counter(e for e in self.endings if e)
            self.newline = counts.most_common(1)[0][0] if counts else "\n"
        # Every line but the last ends with the same line break (a big file is then
        # rebuilt with one join, issue 14).
        self.uniform = "\r" not in text or self.endings[:-1].count(self.newline) == len(self.endings[:-1])

    @property
    def text(self) -> str:
        """The text with LF endings and no BOM: what positions (line, column) refer to."""
        return "\n".join(self.lines) + "\n" if self.lines else ""


def decode_lines(data: bytes) -> list[str]:
    """Lines for display (BOM and line endings dropped)."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return data.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")


def unified_diff(before: bytes, after: bytes, path: str, context: int = 1, first: int = 0) -> str:
    """A short unified diff of two versions of a file, as `git diff` would show the lines.

    `first`: how many lines of the file come before `before` and `after` (a stretch of a
    file, diffed on its own: the hunks are numbered as in the whole file).

    Linear in the files' size (issue 14.8): lines are paired by `same_lines` (head, tail,
    lines that occur once on each side), and only a small stretch between two pairs is
    left to difflib's finer but quadratic matching.
    """
    if before == after:
        return ""
    a = decode_lines(before) if before else []
    b = decode_lines(after)
    if a and a[-1] == "":
        a.pop()
    if b and b[-1] == "":
        b.pop()
    out = [f"--- a/{path}" if before else "--- /dev/null", f"+++ b/{path}"]
    for group in _grouped(opcodes(a, b), context):
        last = group[-1]
        head = group[0]
        out.append(f"@@ -{_range(head[1] + first, last[2] + first)} +{_range(head[3] + first, last[4] + first)} @@")
        for tag, i1, i2, j1, j2 in group:
            # each stretch as one string: the lines joined in C (fmt's diff of a file of
            # 6 million lines; issue 14)
            if tag == "equal":
                _marked(out, " ", a, i1, i2)
                continue
            if tag in ("replace", "delete"):
                _marked(out, "-", a, i1, i2)
            if tag in ("replace", "insert"):
                _marked(out, "+", b, j1, j2)
    return "\n".join(out) + "\n"


def _marked(out: list[str], mark: str, lines: list[str], lo: int, hi: int) -> None:
    """lines[lo:hi], each after `mark`, as one string of lines."""
    if hi > lo:
        out.append(mark + ("\n" + mark).join(lines[lo:hi]))


Opcode = tuple[str, int, int, int, int]
_FINE = 250_000  # a gap of at most this many line pairs is matched by difflib


def opcodes(a: list[str], b: list[str]) -> list[Opcode]:
    """difflib-style opcodes from `same_lines`' pairs, small gaps refined by difflib."""
    # a cycle: sanzhua.edit.ops imports this module (Source) at its top
    from sanzhua.edit.ops import same_runs

    ops: list[Opcode] = []

    def add(tag: str, i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2 and j1 == j2:
            return
        if ops and ops[-1][0] == tag == "equal" and ops[-1][2] == i1 and ops[-1][4] == j1:
            ops[-1] = ("equal", ops[-1][1], i2, ops[-1][3], j2)
        else:
            ops.append((tag, i1, i2, j1, j2))

    def gap(i1: int, i2: int, j1: int, j2: int) -> None:
        if i1 == i2:
            add("insert", i1, i2, j1, j2)
        elif j1 == j2:
            add("delete", i1, i2, j1, j2)
        elif (i2 - i1) * (j2 - j1) <= _FINE:
            sm = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
            for tag, x1, x2, y1, y2 in sm.get_opcodes():
                add(tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2)
        else:
            add("replace", i1, i2, j1, j2)

    pi = pj = 0
    for i, j, size in same_runs(a, b):  # same_lines' pairs, a run of them at a time
        gap(pi, i, pj, j)
        add("equal", i, i + size, j, j + size)
        pi, pj = i + size, j + size
    gap(pi, len(a), pj, len(b))
    return ops or [("equal", 0, 0, 0, 0)]


def _grouped(ops: list[Opcode], n: int) -> list[list[Opcode]]:
    """Hunks of changes with `n` lines of context (difflib's get_grouped_opcodes)."""
    codes = list(ops)
    if codes[0][0] == "equal":
        tag, i1, i2, j1, j2 = codes[0]
        codes[0] = tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2
    if codes[-1][0] == "equal":
        tag, i1, i2, j1, j2 = codes[-1]
        codes[-1] = tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)
    nn = n + n
    groups: list[list[Opcode]] = []
    group: list[Opcode] = []
    for tag, i1, i2, j1, j2 in codes:
        if tag == "equal" and i2 - i1 > nn:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _range(start: int, stop: int) -> str:
    """A hunk's range as unified diffs write it (difflib's _format_range_unified)."""
    beginning = start + 1
    length = stop - start
    if length == 1:
        return str(beginning)
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
