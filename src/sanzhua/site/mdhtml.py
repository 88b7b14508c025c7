"""Markdown → HTML for the archive's bulletins: markdown-it-py's output, with the plain
tables written directly (issue 19.5).

A bulletin is mostly tables (every open task, every unit), and markdown-it spends most of
the archive's time on them: its block rule and an inline parse for every cell. `to_html`
gives the bytes `MarkdownIt("commonmark", {"html": False}).enable("table").render(text)`
gives: a table standing on its own between blank lines, every line starting with `|`, no
backslash in it, is written here, each cell's text through markdown-it's own inline
renderer unless it holds none of the characters an inline rule starts at (then it is text,
escaped as markdown-it escapes it), and the cells remembered across the weeks' bulletins,
as are the rows after their first cell (a task's row a week later, renumbered); everything
else — and any table this does not recognise as plainly as that — goes to
markdown-it as before. A text with a fence or a link reference definition goes to
markdown-it whole (either could reach across the tables). tests/test_site_archive_html.py
holds the two equal on every week's bulletin of the bundled, a generated and a hostile
ledger, and on tables made to be awkward.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

_PARSER: list[MarkdownIt] = []

# The characters at which an enabled inline rule (newline, escape, backticks, emphasis,
# link, image, autolink, entity) can start or end; without them a cell is plain text.
_SPECIAL = re.compile(r"[\n\\`*_\[\]!<&]")
_WHOLE = re.compile(r"^ {0,3}(?:`{3}|~{3})|\]:", re.M)  # a fence, or a link reference definition
_DELIMITER = re.compile(r"^:?-+:?$")
_CELLS = 200_000  # cells remembered (each a short string)


def parser() -> MarkdownIt:
    """One markdown-it parser for every bulletin (it keeps no state between texts)."""
    if not _PARSER:
        _PARSER.append(MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table"))
    return _PARSER[0]


def to_html(text: str) -> str:
    """`parser().render(text)`, the plain tables written directly."""
    md = parser()
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")  # markdown-it's normalize
    if _WHOLE.search(text):
        whole: str = md.render(text)
        return whole
    lines = text.split("\n")
    out: list[str] = []
    chunk: list[str] = []
    i, n = 0, len(lines)
    while i < n:
        if lines[i].startswith("|") and (i == 0 or _blank(lines[i - 1])):
            j = i
            while j < n and lines[j].startswith("|"):
                j += 1
            table = _table(lines[i:j]) if j == n or _blank(lines[j]) else None
            if table is not None:
                if chunk:
                    out.append(md.render("\n".join(chunk)))
                    chunk = []
                out.append(table)
                i = j
                continue
        chunk.append(lines[i])
        i += 1
    if chunk:
        out.append(md.render("\n".join(chunk)))
    return "".join(out)


def _blank(line: str) -> bool:
    return not line.strip(" \t")


_cells: dict[str, str] = {}


def _cell(text: str) -> str:
    """A cell's HTML, as markdown-it renders its inline content."""
    got = _cells.get(text)
    if got is None:
        got = parser().renderInline(text) if _SPECIAL.search(text) else escapeHtml(text)
        if len(_cells) >= _CELLS:
            _cells.clear()
        _cells[text] = got
    return got


def _split(line: str) -> list[str] | None:
    """The cells of a row (outer pipes dropped, each trimmed), or None when the row is not
    plain: a backslash (an escaped pipe), or whitespace markdown-it trims and we would not."""
    if "\\" in line:
        return None
    line = line.strip(" \t")
    if line[-1:].isspace():
        return None
    cells = line.split("|")
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    out = []
    for c in cells:
        c = c.strip(" \t")
        if c[:1].isspace() or c[-1:].isspace():
            return None
        out.append(c)
    return out


def _aligns(line: str) -> list[str] | None:
    """The delimiter row's alignments, or None when it is not one (markdown-it's rule)."""
    if len(line) < 2 or line.strip("|-: \t"):
        return None
    parts = line.split("|")
    aligns: list[str] = []
    for k, part in enumerate(parts):
        t = part.strip(" \t")
        if not t:
            if k in (0, len(parts) - 1):
                continue
            return None
        if not _DELIMITER.match(t):
            return None
        if t.endswith(":"):
            aligns.append("center" if t.startswith(":") else "right")
        elif t.startswith(":"):
            aligns.append("left")
        else:
            aligns.append("")
    return aligns


def _table(lines: list[str]) -> str | None:
    """A table's HTML as markdown-it writes it, or None to leave the lines to markdown-it."""
    if len(lines) < 2:
        return None
    aligns = _aligns(lines[1])
    header = _split(lines[0])
    if aligns is None or header is None or not header or len(header) != len(aligns):
        return None
    style = tuple(f' style="text-align:{a}"' if a else "" for a in aligns)
    body: list[str] = []
    for line in lines[2:]:
        row = _row(line, style)
        if row is None:
            return None  # a short row: markdown-it's filling-in of cells is left to it
        body.append(row)
    out = ["<table>\n<thead>\n<tr>\n"]
    out.extend(f"<th{s}>{_cell(c)}</th>\n" for s, c in zip(style, header, strict=True))
    out.append("</tr>\n</thead>\n")
    if body:
        out.append("<tbody>\n")
        out.extend(body)
        out.append("</tbody>\n")
    out.append("</table>\n")
    return "".join(out)


_Key = tuple[str, tuple[str, ...]]
# Row tails remembered: the rows of the bulletin being written and of the one before it
# (each generation up to _ROWS rows; a week's tables at 15,000 open tasks hold about 13,000).
_rows: list[dict[_Key, str | None]] = [{}, {}]
_ROWS = 20_000
_MISSING = ""  # no tail is empty: a row has at least one cell after the first


def _row(line: str, style: tuple[str, ...]) -> str | None:
    """A body row's `<tr>` (None when it is not plain or has fewer cells than the header).

    A row of a bulletin's table is mostly the row of the same task a week before with
    another number in front: the cells after the first are written once and remembered
    with the row's text after its first cell. `line` starts with "|" (a table line), so
    its cells are its first cell's and those of the row `line[k:]` (k: the second "|")."""
    k = line.find("|", 1)
    if k < 0 or len(style) < 2:
        cells = _split(line)
        if cells is None or len(cells) < len(style):
            return None
        return _tr(cells, style)
    first = line[1:k]  # `_split(line[: k + 1])`'s one cell, without the list
    if "\\" in first:
        return None
    first = first.strip(" \t")
    if first[:1].isspace() or first[-1:].isspace():
        return None
    key = (line[k:], style)
    new, old = _rows
    tail = new.get(key, _MISSING)
    if tail == _MISSING:
        tail = old.get(key, _MISSING)
        if tail == _MISSING:
            rest = _split(line[k:])
            tail = None if rest is None or len(rest) < len(style) - 1 else _tds(rest, style[1:])
        if len(new) >= _ROWS:
            _rows[:] = [{}, new]
            new = _rows[0]
        new[key] = tail
    if tail is None:
        return None
    return f"<tr>\n<td{style[0]}>{_cell(first)}</td>\n{tail}</tr>\n"


def _tds(cells: list[str], style: tuple[str, ...]) -> str:
    return "".join(f"<td{s}>{_cell(c)}</td>\n" for s, c in zip(style, cells[: len(style)], strict=True))


def _tr(cells: list[str], style: tuple[str, ...]) -> str:
    return f"<tr>\n{_tds(cells, style)}</tr>\n"
