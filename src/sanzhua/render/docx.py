"""Word output: a report dataclass through a .docx template (docxtpl).

The template is data, not code: an office restyles it in Word or WPS to its own
letterhead and the tags keep working. Rendering uses the same environment and
filters as Markdown (sandboxed and bounded for a ledger's own template), with XML
autoescape so `<` or `&` in a task title cannot break the document.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment, Template, TemplateError
from lxml import etree

from sanzhua.errors import FatalError
from sanzhua.problems import msg
from sanzhua.render.templating import MAX_DOCX_UNPACKED, environment, limits, own_template_failed, read_template


def render_docx(name: str, context: dict[str, object], ledger_root: Path | None) -> bytes:
    """Render Word template `name` (the ledger's own, else the built-in) to .docx bytes."""
    src = read_template(name, ledger_root)
    path = src.path
    if src.builtin:
        try:
            tpl: DocxTemplate = _OwnTemplate(io.BytesIO(src.data))
            tpl.render(context, jinja_env=_own_environment(), autoescape=True)
        except TemplateError as e:
            raise FatalError(
                msg("template.word-error", path=path, error=e), msg("template.word-error.hint", folder="templates/")
            ) from e
        buf = io.BytesIO()
        tpl.save(buf)
        return buf.getvalue()
    _check_package(path, src.data)
    try:
        tpl = _Template(io.BytesIO(src.data))
        with limits(str(path)):
            tpl.render(context, jinja_env=environment(sandboxed=True, word=True), autoescape=True)
        buf = io.BytesIO()
        tpl.save(buf)
        return buf.getvalue()
    except FatalError:
        raise
    except TemplateError as e:
        raise FatalError(
            msg("template.word-error", path=path, error=e), msg("template.word-error.hint", folder="templates/")
        ) from e
    except Exception as e:  # a ledger's own .docx is data: a part missing, XML it cannot parse, what its tags raise
        raise own_template_failed(path, e, "template.word-error.hint", at_line=False) from e


# --- the rendered body put in the document without lxml's quadratic move ------------------
# docxtpl parses the rendered body into a document of its own, then `map_tree` puts it in
# place of the template's body: lxml moves it into the Word document, mapping each node's
# namespace through a cache. An attribute in the xml: namespace (xml:space="preserve" on
# every run of text) is never found there: lxml (through 6.2, proxy.pxi `_fixCNs`) caches
# it under its new namespace, not its old one, so each such attribute scans the cache and
# adds one more entry to it, quadratic in their number. A bulletin of 20,000 tasks has
# 260,000 of them: the move was 10 s of its 16. They are taken off before the move (lxml
# strips them in C) and set again after it, each element's attributes in their order: the
# same bytes (tests/test_docx_fast.py).

_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
_XML_ATTRIBUTED = etree.XPath("descendant-or-self::*[@xml:*]")


class _Template(DocxTemplate):  # type: ignore[misc]
    def map_tree(self, tree: Any) -> None:
        let_tall_rows_split(tree)
        marked: list[tuple[Any, tuple[tuple[str, str], ...]]] = []
        names: set[str] = set()
        # an element's attributes -> (those from its first xml: one on, the others of them)
        seen: dict[tuple[tuple[str, str], ...], tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {}
        for el in _XML_ATTRIBUTED(tree):
            items = tuple(el.items())
            got = seen.get(items)
            if got is None:
                first = next(i for i, (k, _v) in enumerate(items) if k.startswith(_XML_NS))
                tail = items[first:]
                names.update(k for k, _v in tail if k.startswith(_XML_NS))
                got = seen[items] = (tail, tuple(k for k, _v in tail if not k.startswith(_XML_NS)))
            for k in got[1]:  # set again after the xml: ones, to keep the order
                del el.attrib[k]
            marked.append((el, got[0]))
        etree.strip_attributes(tree, *names)
        super().map_tree(tree)
        for el, tail in marked:
            for k, v in tail:
                el.set(k, v)


# --- a row taller than a page may break across pages ------------------------------------
# The templates keep each row of a table on one page (w:cantSplit): a task's row is not
# cut in two at a page's foot. Word clips a row that cannot fit on a page at all (its text
# past the foot is not shown nor printed: LibreOffice splits it anyway), and a title of a
# thousand characters, or a person's name of hundreds, makes one (issue 14). Such a row
# loses its cantSplit. Its height is estimated from each cell's width and text at 小四
# (12 pt, the body tables' size; the smaller appendix tables fit more), a wide character an
# em and another half of one; past TALL_LINES lines (a page of 225 mm holds about 42 at
# single spacing) it may split. Only the rows holding a run of text longer than
# _SHORT_CELL characters are measured (the narrowest column of names holds two a line: 60
# make 30 lines); finding them is one pass over the text runs, 0.16 s at 20,000 tasks
# (an XPath on each cell's length took 0.58 s).

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_SHORT_CELL = 60
TALL_LINES = 30
_EM = 240  # twips of a 12-point character
_CELL_MARGINS = 2 * 108  # twips: Word's default left and right cell margins


def _lines(cell: Any) -> int:
    """The lines a table cell's paragraphs take at 小四 in its width (tcW, twips)."""
    width = cell.find(f"{_W}tcPr/{_W}tcW")
    try:
        twips = int(width.get(f"{_W}w")) if width is not None and width.get(f"{_W}type", "dxa") == "dxa" else 0
    except (TypeError, ValueError):
        twips = 0
    per_line = max(1, (twips - _CELL_MARGINS) // _EM)  # ems a line holds
    total = 0
    for p in cell.iter(f"{_W}p"):
        text = "".join(t.text or "" for t in p.iter(f"{_W}t"))
        ems = sum(1.0 if ord(ch) > 0x2E7F else 0.5 for ch in text)
        total += max(1, -int(-ems // per_line))
    return total


def let_tall_rows_split(body: Any) -> int:
    """Take cantSplit off each row too tall for a page; the number of rows changed."""
    changed = 0
    rows: dict[Any, None] = {}
    for t in body.iter(f"{_W}t"):
        if t.text is not None and len(t.text) > _SHORT_CELL:
            row = next(t.iterancestors(f"{_W}tr"), None)
            if row is not None and row.find(f"{_W}trPr/{_W}cantSplit") is not None:
                rows[row] = None
    for row in rows:
        if max((_lines(c) for c in row.iterfind(f"{_W}tc")), default=0) > TALL_LINES:
            for el in row.findall(f"{_W}trPr/{_W}cantSplit"):
                el.getparent().remove(el)
            changed += 1
    return changed


# --- sanzhua's own Word templates, rendered as docxtpl renders them with less work ---------
# The site's archive renders brief.docx once a week of the year (issue 19): each time
# docxtpl cleaned the same template XML (`patch_xml`), compiled the same Jinja source, and
# ran its "listing" pass (tab, bell, form feed and line feed characters in text made into
# Word's own runs) over the whole rendered document, a Python call per paragraph and run.
# The cleaning and the compiling give the same result for the same text, so they are
# remembered; the listing pass changes nothing in a document without those characters,
# so it is skipped there (the printed values have had control characters removed:
# templating._printable_finalize). tests/test_docx_fast.py holds the parts of the file
# equal to plain docxtpl's.

_LISTING = re.compile(r"[\t\a\f\n]")
_PATCHED: dict[str, str] = {}
_COMPILED: dict[str, Template] = {}
_ENV: list[Environment] = []
_REMEMBERED = 64  # template texts remembered (a .docx has a few parts)


class _OwnTemplate(_Template):
    def patch_xml(self, src_xml: str) -> str:
        got = _PATCHED.get(src_xml)
        if got is None:
            got = super().patch_xml(src_xml)
            if len(_PATCHED) >= _REMEMBERED:
                _PATCHED.clear()
            _PATCHED[src_xml] = got
        return got

    def resolve_listing(self, xml: str) -> str:
        if _LISTING.search(xml) is None:
            return xml  # nothing for the pass to change
        got: str = super().resolve_listing(xml)
        return got


def _own_environment() -> Environment:
    """One environment for the built-in Word templates, whose `from_string` compiles each
    text once (docxtpl sets `autoescape` on it before compiling: always True here)."""
    if not _ENV:
        env = environment(sandboxed=False, word=True)
        plain = env.from_string

        def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Template:
            if globals is not None or template_class is not None or not isinstance(source, str):
                return plain(source, globals, template_class)
            got = _COMPILED.get(source)
            if got is None:
                got = plain(source)
                if len(_COMPILED) >= _REMEMBERED:
                    _COMPILED.clear()
                _COMPILED[source] = got
            return got

        env.from_string = from_string  # type: ignore[method-assign]
        _ENV.append(env)
    return _ENV[0]


def _check_package(path: Path, data: bytes) -> None:
    """A ledger's .docx is a zip: refuse one that is not, or that would unpack to more
    than MAX_DOCX_UNPACKED (a zip bomb), before docxtpl opens it."""
    why = ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            if len(infos) > 10_000 or sum(i.file_size for i in infos) > MAX_DOCX_UNPACKED:
                why = "template.docx.too-big"
    except (zipfile.BadZipFile, OSError, ValueError):
        why = "template.docx.not-docx"
    if why:
        raise FatalError(
            msg("template.docx.unusable", path=path, why=msg(why)),
            msg("template.docx.unusable.hint", folder="templates/"),
        )
