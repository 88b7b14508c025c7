"""Which template writes a report, and the report written through it: one choice for
`sanzhua brief` and the site's archive of bulletins, so that an archived week is what
`sanzhua brief --week --as-of` that week writes (in English with brief.en.md.j2, say)."""

from __future__ import annotations

from pathlib import Path

from sanzhua.render.markdown import render_markdown
from sanzhua.render.templating import builtin_dir


def template_name(kind: str, ext: str, english: bool, root: Path) -> str:
    """brief.md.j2, or for an English report brief.en.md.j2 (the built-in English one)
    unless the ledger has its own brief.md.j2 and no brief.en.md.j2 of its own."""
    plain, en = f"{kind}.{ext}", f"{kind}.en.{ext}"
    if not english:
        return plain
    own = root / "templates"
    if (own / en).is_file() or (not (own / plain).is_file() and (builtin_dir() / en).is_file()):
        return en
    return plain


def render_report(kind: str, fmt: str, context: dict[str, object], root: Path) -> bytes:
    """The report `kind` (brief, notice) as Markdown or Word (`fmt` "md" or "docx")."""
    english = context.get("lang") == "en"
    name = template_name(kind, "docx" if fmt == "docx" else "md.j2", english, root)
    if fmt == "docx":
        # lazy: docxtpl and python-docx (~0.3 s to import), for Word only
        from sanzhua.render.docx import render_docx
        from sanzhua.render.mddocx import markdown_to_docx

        if english and name == f"{kind}.docx" and not (root / "templates" / name).is_file():
            # No English Word template: the built-in ones are Chinese 公文; write the
            # English Markdown as a plain Word document instead.
            return markdown_to_docx(render_markdown(template_name(kind, "md.j2", True, root), context, root))
        return render_docx(name, context, root)
    return render_markdown(name, context, root).encode("utf-8")
