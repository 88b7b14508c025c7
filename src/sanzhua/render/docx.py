"""Word output: a report dataclass through a .docx template (docxtpl).

The template is data, not code: an office restyles it in Word or WPS to its own
letterhead and the tags keep working. Rendering uses the same environment and
filters as Markdown (sandboxed and bounded for a ledger's own template), with XML
autoescape so `<` or `&` in a task title cannot break the document.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import TemplateError

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
        tpl = DocxTemplate(io.BytesIO(src.data))
        if src.builtin:
            tpl.render(context, jinja_env=environment(sandboxed=False), autoescape=True)
        else:
            with limits(str(path)):
                tpl.render(context, jinja_env=environment(sandboxed=True), autoescape=True)
    except TemplateError as e:
        raise FatalError(
            msg("template.word-error", path=path, error=e), msg("template.word-error.hint", folder="templates/")
        ) from e
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


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
