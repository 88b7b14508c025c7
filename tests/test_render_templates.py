"""Templates: the built-in ones render without the sandbox, a ledger's own inside it;
`md_escape`'s fast path changes nothing."""

from __future__ import annotations

import io
import random
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from sanzhua.errors import FatalError
from sanzhua.evaluate import evaluate
from sanzhua.load import load_ledger
from sanzhua.render.docx import render_docx
from sanzhua.render.markdown import render_markdown
from sanzhua.render.templating import (
    _BLOCK_START,
    _MD_TOUCHED,
    MdSafe,
    _md_finalize,
    builtin_dir,
    environment,
    is_builtin,
    md_escape,
)
from sanzhua.report.brief import assemble_notice
from sanzhua.report.document import notice_context
from sanzhua.textsafe import document_text
from tests.conftest import MakeLedger

AS_OF = date(2026, 11, 25)

PROBE = "{{ x.__class__.__mro__ }}\n"


class Thing:
    name = "甲"


def _slow_md_escape(value: object) -> str:
    """md_escape as it was, without the fast path: the reference."""
    text = "" if value is None else str(value)
    text = " ".join(text.splitlines())
    text = re.sub(r"([\\`*_\[\]<>|~])", r"\\\1", text)
    return re.sub(r"&(?=#?\w+;)", r"\\&", text)


def test_builtin_templates_are_ours(tmp_path: Path) -> None:
    assert is_builtin(builtin_dir() / "brief.md.j2")
    assert is_builtin(builtin_dir() / "notice.docx")
    (tmp_path / "templates").mkdir()
    own = tmp_path / "templates" / "brief.md.j2"
    own.write_text("x", encoding="utf-8")
    assert not is_builtin(own)


def test_ledger_template_is_sandboxed(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "brief.md.j2").write_text(PROBE, encoding="utf-8")
    with pytest.raises(FatalError, match="unsafe"):
        render_markdown("brief.md.j2", {"x": Thing()}, tmp_path)
    (tmp_path / "templates" / "brief.md.j2").write_text("{{ x.name }}\n", encoding="utf-8")
    assert render_markdown("brief.md.j2", {"x": Thing()}, tmp_path) == "甲\n"
    # The probe does reach internals outside the sandbox: the test above means something.
    plain = environment(markdown=True, sandboxed=False).from_string(PROBE)
    assert "object" in plain.render(x=Thing())


def test_ledger_word_template_is_sandboxed(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_ledger(
        {"ledgers/fgw.yaml": "unit: fgw\ntasks:\n  - {id: F-1, title: 项目, start: 2026-01-01, due: 2026-03-31}\n"}
    )
    ledger = load_ledger(root, cache=False)
    context = notice_context(assemble_notice(ledger, evaluate(ledger, AS_OF), "fgw", AS_OF))
    assert render_docx("notice.docx", context, root)  # the built-in
    (root / "templates").mkdir()
    own = root / "templates" / "notice.docx"
    shutil.copy(builtin_dir() / "notice.docx", own)
    with zipfile.ZipFile(builtin_dir() / "notice.docx") as z:
        parts = {i: z.read(i) for i in z.namelist()}
    xml = parts["word/document.xml"].decode("utf-8")
    # Replace the first paragraph's text with the probe (one run, so docxtpl sees one tag).
    xml = re.sub(r"(<w:t(?: [^>]*)?>)[^<]*(</w:t>)", r"\1{{ n.__class__.__mro__ }}\2", xml, count=1)
    parts["word/document.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(own, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(FatalError, match="unsafe"):
        render_docx("notice.docx", context, root)
    # Were it not sandboxed, the probe would print the class hierarchy.
    monkeypatch.setattr("sanzhua.render.templating.is_builtin", lambda path: True)
    data = render_docx("notice.docx", context, root)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "sanzhua.report.brief.Notice" in z.read("word/document.xml").decode("utf-8")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "普通的任务名称",
        "项目 A|B *重点* <前期> & 手续",
        "&amp; &#12; & x",
        "a\nb\r\nc\rd\x0be\x0cf\x1cg\x1dh\x1ei\x85j\u2028k\u2029l",
        "ends with a newline\n",
        "\\`*_[]<>|~",
        "全角｜＊＿不转义",
    ],
)
def test_md_escape_fast_path_changes_nothing(text: str) -> None:
    assert md_escape(text) == _slow_md_escape(text)
    assert isinstance(md_escape(text), MdSafe)


def test_md_escape_every_character() -> None:
    for i in [*range(0x250), *range(0x2000, 0x2100), *range(0x3000, 0x3100), *range(0xFF00, 0xFFF0)]:
        s = f"a{chr(i)}b"
        assert md_escape(s) == _slow_md_escape(s), hex(i)
    assert md_escape(None) == "" and md_escape(12) == "12"
    assert md_escape(MdSafe("*")) == "*"


def test_builtin_render_escapes_as_before() -> None:
    env = environment(markdown=True, sandboxed=False)
    out = env.from_string("{{ a }}|{{ b|md }}|{{ c }}|{{ n }}").render(a="x*y", b="p_q", c=None, n=3)
    assert out == r"x\*y|p\_q||3"


def test_markdown_finalize_prints_text_as_the_two_searches_did() -> None:
    """The Markdown finalize passes text on unchanged after one search (issue 17); what it
    prints is what the two steps print: `document_text`, then `md_escape` if anything is left
    to escape. Random text over the characters either step touches, and plain text."""
    def two_steps(text: str) -> object:
        cleaned = document_text(text)
        plain = _MD_TOUCHED.search(cleaned) is None and _BLOCK_START.match(cleaned) is None
        return cleaned if plain else md_escape(cleaned)

    alphabet = [*"a任 |*_`[]<>~&\\#\n\r\v\f\t", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
    alphabet += ["\x00", "\x07", "\x1b", "\x7f", "\x9f", "\xa0", "\ufffe", "\uffff", "\ud800", "\u3000"]
    alphabet += [*"-+=1.)", "\u202e", "\u2067"]  # a block's marks at the start (issue 14), bidi controls
    rng = random.Random(17)
    texts = ["", "县住建局", "完成率11.1%", "a|b", "\x1b[31m", "&amp;", "&#1;"]
    texts += ["1. 数字局", "# 标题", "- a", "+", "---", "===", "2026年11月10日", "33.3%", "12) x", "-74", "+3"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(10))) for _ in range(5000)]
    for text in texts:
        got, want = _md_finalize(text), two_steps(text)
        assert got == want and type(got) is type(want), repr(text)
