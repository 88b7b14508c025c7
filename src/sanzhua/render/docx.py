"""Word output: a report dataclass through a .docx template (docxtpl).

The template is data, not code: an office restyles it in Word or WPS to its own
letterhead and the tags keep working. Rendering uses the same environment and
filters as Markdown (sandboxed for a ledger's own template), with XML autoescape
so `<` or `&` in a task title cannot break the document.
"""

from __future__ import annotations

import io
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import TemplateError

from sanzhua.errors import FatalError
from sanzhua.render.templating import environment, find_template, is_builtin


def render_docx(name: str, context: dict[str, object], ledger_root: Path | None) -> bytes:
    """Render Word template `name` (the ledger's own, else the built-in) to .docx bytes."""
    path = find_template(name, ledger_root)
    try:
        tpl = DocxTemplate(str(path))
        tpl.render(
            context, jinja_env=environment(sandboxed=not is_builtin(path)), autoescape=True
        )
    except TemplateError as e:
        raise FatalError(
            f"Word 模板 {path} 出错：{e}",
            "在 Word/WPS 中修改模板时，{{ }} 和 {% %} 标签要在一次输入中完成，引号须为英文直引号；"
            "删除台账 templates/ 中的同名文件即恢复内置模板。",
        ) from e
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()
