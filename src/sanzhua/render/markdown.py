"""Markdown output: a report dataclass through a Jinja2 template (`*.md.j2`)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import TemplateError

from sanzhua.errors import FatalError
from sanzhua.render.templating import environment, find_template, is_builtin


def render_markdown(name: str, context: dict[str, object], ledger_root: Path | None) -> str:
    """Render template `name` (the ledger's own, sandboxed, else the built-in) with `context`."""
    path = find_template(name, ledger_root)
    env = environment(markdown=True, loader_dirs=[path.parent], sandboxed=not is_builtin(path))
    try:
        return env.get_template(path.name).render(context)
    except TemplateError as e:
        raise FatalError(
            f"模板 {path} 出错：{e}",
            "请检查模板中的变量名和 {% %} 标签；删除台账 templates/ 中的同名文件即恢复内置模板。",
        ) from e
