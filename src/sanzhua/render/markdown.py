"""Markdown output: a report dataclass through a Jinja2 template (`*.md.j2`)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Template, TemplateError

from sanzhua.errors import FatalError
from sanzhua.problems import msg
from sanzhua.render.templating import (
    MAX_OUTPUT,
    TemplateLimit,
    environment,
    limits,
    own_template_failed,
    read_template,
)

_BUILTIN: dict[tuple[str, bytes], Template] = {}
# A ledger's own template, compiled (in its sandbox) once per process for the same bytes.
_OWN: dict[tuple[str, bytes, str], Template] = {}


def render_markdown(name: str, context: dict[str, object], ledger_root: Path | None) -> str:
    """Render template `name` (the ledger's own, sandboxed and bounded, else the built-in)
    with `context`."""
    src = read_template(name, ledger_root)
    path = src.path
    if src.builtin:
        # A built-in template is compiled once per process: the site's archive renders the
        # bulletin for every week of the year, and compiling took a sixth of its time.
        key = (str(path), src.data)
        template = _BUILTIN.get(key)
        if template is None:
            env = environment(markdown=True, loader_dirs=[path.parent], sandboxed=False)
            try:
                template = env.from_string(src.data.decode("utf-8-sig"))
            except (UnicodeDecodeError, TemplateError):
                template = None  # the path below says what is wrong
            if template is not None:
                _BUILTIN.clear()  # one at a time: they differ only between commands
                _BUILTIN[key] = template
        if template is not None:
            try:
                return template.render(context)
            except TemplateError as e:
                raise FatalError(
                    msg("template.error", path=path, error=e), msg("template.error.hint", folder="templates/")
                ) from e
        env = environment(markdown=True, loader_dirs=[path.parent], sandboxed=False)
    else:
        env = environment(markdown=True, loader_dirs=[path.parent], sandboxed=True, boundary=ledger_root)
    try:
        try:
            source = src.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FatalError(msg("template.not-utf8", path=path), msg("template.not-utf8.hint")) from None
        if src.builtin:
            return env.from_string(source).render(context)
        own = (str(path), src.data, str(ledger_root))
        with limits(str(path)):
            template = _OWN.get(own) or env.from_string(source)
            if own not in _OWN:  # the site's archive renders it for every week: compiled once
                _OWN.clear()
                _OWN[own] = template
            out: list[str] = []
            size = 0
            for piece in template.generate(context):
                size += len(piece)
                if size > MAX_OUTPUT:
                    raise TemplateLimit(f"the output passed {MAX_OUTPUT} characters")
                out.append(piece)
            return "".join(out)
    except FatalError:
        raise
    except TemplateError as e:
        raise FatalError(
            msg("template.error", path=path, error=e), msg("template.error.hint", folder="templates/")
        ) from e
    except Exception as e:  # a ledger's own template is data: whatever it raises is its fault
        if src.builtin:
            raise
        raise own_template_failed(path, e, "template.error.hint") from e
