"""Word output for an English report: the English Markdown laid out with python-docx.

The built-in Word templates are Chinese official documents (公文, GB/T 9704); an English
ledger's bulletin or notice is its English Markdown template (the one source of its
words) written as a plain Word document: headings, paragraphs with bold and italic,
block quotes and tables. Only the Markdown those templates produce is read: `#` to
`###` headings, `---` rules, `> ` quotes, pipe tables and paragraphs; backslash escapes
(sanzhua.render.templating.md_escape, a block's mark at the start of a value too) are undone.
"""

from __future__ import annotations

import io
import re
import unicodedata

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt

_INLINE = re.compile(r"(\*\*.+?\*\*|(?<![\\*])\*(?!\*).+?(?<!\\)\*)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|~&#+=.)-])")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def _runs(paragraph: docx.text.paragraph.Paragraph, text: str, bold: bool = False) -> None:  # type: ignore[name-defined]
    for part in _INLINE.split(text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**") and len(part) > 4:
            run = paragraph.add_run(_unescape(part[2:-2]))
            run.bold = True
        elif part.startswith("*") and part.endswith("*") and len(part) > 2:
            run = paragraph.add_run(_unescape(part[1:-1]))
            run.italic = True
            run.bold = bold
        else:
            run = paragraph.add_run(_unescape(part))
            run.bold = bold


def _cells(line: str) -> list[str]:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return [c.strip() for c in _CELL_SPLIT.split(inner)]


_BLOCK = 6.5  # inches of text between the margins of python-docx's Letter page
_PER_INCH = 8.5  # 11 points: Calibri sets about twelve characters an inch, a wide fallback (DejaVu Sans Bold) 8.5
_PADDING = 0.16  # inches of a cell's left and right margins together
_WANT_CAP = 40  # a column asks for at most this many characters on one line


def _width(text: str) -> int:
    """Display width in Latin characters: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _longest_unbreakable(text: str) -> int:
    """The widest piece of `text` a line cannot break inside: a word of Latin letters or
    digits (CJK text breaks between any two characters)."""
    pieces = re.findall(r"[^\s\u2e80-\u9fff\uff00-\uffef]+|[\u2e80-\u9fff\uff00-\uffef]", text)
    return max((_width(p) for p in pieces), default=0)


def column_widths(rows: list[list[str]]) -> tuple[list[float], float | None]:
    """Column widths in inches that fill the text block, and a smaller font size when the
    table cannot fit at 11 points.

    Every column gets at least its longest word (so "Deadline" or "2026-12-31" never
    breaks inside), and the space left goes to the columns whose text asks for more,
    in proportion to what they ask (the task titles, mostly)."""
    cols = max((len(r) for r in rows), default=0)
    texts = [[_unescape(r[c]) if c < len(r) else "" for r in rows] for c in range(cols)]
    least = [max((_longest_unbreakable(t) for t in col), default=0) / _PER_INCH + _PADDING for col in texts]
    want = [min(max((_width(t) for t in col), default=0), _WANT_CAP) / _PER_INCH + _PADDING for col in texts]
    want = [max(w, m) for w, m in zip(want, least, strict=True)]
    if not cols:
        return [], None
    if sum(want) <= _BLOCK:
        return [w * _BLOCK / sum(want) for w in want], None
    if sum(least) <= _BLOCK:
        extra = sum(w - m for w, m in zip(want, least, strict=True))
        room = _BLOCK - sum(least)
        return [m + (w - m) * room / extra for w, m in zip(want, least, strict=True)], None
    # Even the words do not fit: a smaller type (the cell margins stay), never a broken word,
    # down to 7 points; a table too wide even then breaks its words.
    words = [(m - _PADDING) * _PER_INCH for m in least]
    size = max(int((_BLOCK - cols * _PADDING) * 11 * _PER_INCH / sum(words) * 10) / 10, 7.0)
    need = [w * size / 11 / _PER_INCH + _PADDING for w in words]
    return [n * _BLOCK / sum(need) for n in need], size


def markdown_to_docx(text: str) -> bytes:
    """The .docx bytes of a report's Markdown."""
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    lines = text.splitlines()
    i = 0
    para: list[str] = []

    def flush() -> None:
        if para:
            _runs(document.add_paragraph(), " ".join(para))
            para.clear()

    while i < len(lines):
        line = lines[i].rstrip()
        if not line.strip():
            flush()
        elif line.startswith("#"):
            flush()
            level = len(line) - len(line.lstrip("#"))
            heading = document.add_heading("", level=0 if level == 1 else min(level - 1, 3))
            _runs(heading, line[level:].strip())
        elif line.strip() == "---":
            flush()
        elif line.startswith("> "):
            flush()
            _runs(document.add_paragraph(style="Intense Quote"), line[2:].strip())
        elif line.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            header, body = rows[0], [r for r in rows[2:]] if len(rows) > 1 else []
            aligns = [c.endswith(":") for c in rows[1]] if len(rows) > 1 else []
            table = document.add_table(rows=1 + len(body), cols=len(header))
            table.style = "Table Grid"
            table.autofit = False
            widths, size = column_widths([header, *body])
            for c, width in enumerate(widths):
                table.columns[c].width = Inches(width)
                for row in table.rows:
                    row.cells[c].width = Inches(width)
            for r, cells in enumerate([header, *body]):
                for c, value in enumerate(cells[: len(header)]):
                    cell = table.rows[r].cells[c]
                    p = cell.paragraphs[0]
                    _runs(p, value, bold=r == 0)
                    if size is not None:
                        for run in p.runs:
                            run.font.size = Pt(size)
                    if c < len(aligns) and aligns[c] and r > 0:
                        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            continue
        else:
            para.append(line.strip())
        i += 1
    flush()
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
