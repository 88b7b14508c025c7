"""Word output for an English report: the English Markdown laid out with python-docx.

The built-in Word templates are Chinese official documents (公文, GB/T 9704); an English
ledger's bulletin or notice is its English Markdown template (the one source of its
words) written as a plain Word document: headings, paragraphs with bold and italic,
block quotes and tables. Only the Markdown those templates produce is read: `#` to
`###` headings, `---` rules, `> ` quotes, pipe tables and paragraphs; backslash escapes
(sanzhua.render.templating.md_escape) are undone.
"""

from __future__ import annotations

import io
import re

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt

_INLINE = re.compile(r"(\*\*.+?\*\*|(?<![\\*])\*(?!\*).+?(?<!\\)\*)")
_ESCAPED = re.compile(r"\\([\\`*_\[\]<>|~&])")
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
            # Columns as wide as their text asks, within the 6.5-inch text block.
            need = [
                max(
                    min(max(len(_unescape(r[c])) if c < len(r) else 0 for r in [header, *body]), 40),
                    max((len(w) for w in header[c].split()), default=0),
                )
                + 3
                for c in range(len(header))
            ]
            for c, share in enumerate(need):
                width = Inches(6.5 * share / sum(need))
                table.columns[c].width = width
                for row in table.rows:
                    row.cells[c].width = width
            for r, cells in enumerate([header, *body]):
                for c, value in enumerate(cells[: len(header)]):
                    cell = table.rows[r].cells[c]
                    p = cell.paragraphs[0]
                    _runs(p, value, bold=r == 0)
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
