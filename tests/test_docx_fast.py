"""sanzhua's own Word templates go through docxtpl with less work (render/docx.py: the
cleaned template XML and the compiled Jinja remembered, the listing pass skipped where it
has nothing to change): every part of the file is what plain docxtpl writes, on the
bulletins of the bundled, a generated and a hostile ledger, and on text with the tabs and
line breaks the listing pass turns into Word's runs."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docxtpl import DocxTemplate

from sanzhua.commands.common import ledger_rules, open_report
from sanzhua.render.docx import render_docx
from sanzhua.render.templating import builtin_dir, environment
from sanzhua.report.brief import Brief
from sanzhua.report.document import brief_context
from sanzhua.site import archive
from tests.conftest import bench_generator
from tests.test_site import _bundled, _hostile


def _plain(name: str, context: dict[str, object]) -> bytes:
    """What render_docx wrote before: docxtpl as it comes, a fresh environment."""
    tpl = DocxTemplate(io.BytesIO((builtin_dir() / name).read_bytes()))
    tpl.render(context, jinja_env=environment(sandboxed=False, word=True), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def _bulletins(root: Path, as_of: date) -> list[Brief]:
    opened = open_report(root, None, allow_errors=True)
    rules = ledger_rules(opened.ledger, opened.lang, as_of)
    assert rules is not None
    return [b for _p, _w, b in archive.bulletins(opened.ledger, rules, as_of, opened.lang)]


@pytest.mark.parametrize("which", ["bundled", "generated", "hostile"])
def test_bulletins_same_as_plain_docxtpl(tmp_path: Path, which: str) -> None:
    if which == "bundled":
        root = _bundled(tmp_path)
    elif which == "hostile":
        root = _hostile(tmp_path)
    else:
        root = tmp_path / "gen"
        bench_generator().generate(root, 4, 12, 3)
    briefs = _bulletins(root, date(2026, 3, 4))
    assert len(briefs) == 9
    for b in briefs:
        context = brief_context(b)
        assert _parts(render_docx("brief.docx", context, root)) == _parts(_plain("brief.docx", context))


def test_listing_characters_still_become_runs(tmp_path: Path) -> None:
    """Text the listing pass changes (a tab, a line break in a requirement) is laid out as
    plain docxtpl lays it out: the pass is skipped only where it would change nothing."""
    root = _bundled(tmp_path)
    b = _bulletins(root, date(2026, 1, 7))[0]
    for text in ("第一\t第二", "第一行\n第二行", "分\f页", "无特殊字符"):
        context = brief_context(replace(b, requirements=(text,), notice=text))
        fast = render_docx("brief.docx", context, root)
        assert _parts(fast) == _parts(_plain("brief.docx", context)), repr(text)
    body = _parts(render_docx("brief.docx", brief_context(replace(b, requirements=("第一\t第二",))), root))
    assert b"<w:tab/>" in body["word/document.xml"]
    # a line break in a value is joined as in the Markdown (a justified line ending in a
    # w:br is stretched across the page in Word: p-known)
    body = _parts(render_docx("brief.docx", brief_context(replace(b, requirements=("第一行\n第二行",))), root))
    assert "第一行 第二行".encode() in body["word/document.xml"]


@pytest.mark.parametrize("own", [False, True])
def test_the_rendered_body_is_moved_without_its_xml_attributes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, own: bool
) -> None:
    """lxml's move of the rendered body into the Word document is quadratic in its xml:
    attributes (xml:space on every run of text: 260,000 in a 20,000-task bulletin, 10 s of
    its 16): render/docx.py moves the body without them and sets them again after, for
    sanzhua's own template and a ledger's own alike, and the file is plain docxtpl's."""
    root = tmp_path / "gen"
    bench_generator().generate(root, 4, 12, 3)
    if own:  # the same template as the ledger's own: rendered in the sandbox
        (root / "templates").mkdir(exist_ok=True)
        (root / "templates/brief.docx").write_bytes((builtin_dir() / "brief.docx").read_bytes())
    context = brief_context(_bulletins(root, date(2026, 3, 4))[0])
    moved: list[int] = []
    plain_map_tree = DocxTemplate.map_tree

    def counting(self: DocxTemplate, tree: object) -> None:
        moved.append(len(tree.xpath("//@xml:*")))  # type: ignore[attr-defined]
        plain_map_tree(self, tree)

    monkeypatch.setattr(DocxTemplate, "map_tree", counting)
    fast = _parts(render_docx("brief.docx", context, root))
    assert len(moved) == 1 and moved[0] == 0
    monkeypatch.setattr(DocxTemplate, "map_tree", plain_map_tree)
    assert fast == _parts(_plain("brief.docx", context))
    assert fast["word/document.xml"].count(b'xml:space="preserve"') > 100
