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
from sanzhua.render.templating import MAX_DOCX_UNPACKED, environment, limits, read_template


def render_docx(name: str, context: dict[str, object], ledger_root: Path | None) -> bytes:
    """Render Word template `name` (the ledger's own, else the built-in) to .docx bytes."""
    src = read_template(name, ledger_root)
    path = src.path
    if not src.builtin:
        _check_package(path, src.data)
    try:
        if src.builtin:
            tpl: DocxTemplate = _OwnTemplate(io.BytesIO(src.data))
            tpl.render(context, jinja_env=_own_environment(), autoescape=True)
        else:
            tpl = _Template(io.BytesIO(src.data))
            with limits(str(path)):
                tpl.render(context, jinja_env=environment(sandboxed=True), autoescape=True)
    except TemplateError as e:
        raise FatalError(
            msg("template.word-error", path=path, error=e), msg("template.word-error.hint", folder="templates/")
        ) from e
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


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
        env = environment(sandboxed=False)
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
