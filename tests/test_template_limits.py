"""A ledger's own templates cannot exhaust the machine nor reach outside (issue 14.7).

Every hostile template is rendered for real; each must stop within seconds with a
refusal that names the template, not an internal error, and the process must stay
far below the memory the unbounded expression would take.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from sanzhua.errors import FatalError
from sanzhua.render import templating
from sanzhua.render.docx import render_docx
from sanzhua.render.markdown import render_markdown
from sanzhua.render.templating import builtin_dir
from tests.conftest import REPO, MakeLedger

HOSTILE = [
    "{{ 'a' * 10**10 }}",
    "{{ [0] * 10**10 }}",
    "{{ range(10**9) | list }}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{{ 'a' | center(10**10) }}",
    "{{ 'a' | indent(10**10) }}",
    "{{ 'a'.ljust(10**10) }}",
    "{{ 'a'.zfill(10**10) }}",
    "{{ '%10000000000s' % 1 }}",
    "{{ '{:>10000000000}'.format(1) }}",
    "{{ 2 ** (10**9) }}",
    "{{ lipsum(10**9) }}",
    "{% set s = 'a' * 1000000 %}{{ s | replace('a', 'aaaaaaaaaa') | replace('a', 'aaaaaaaaaa') | replace('a', 'aa') }}",
    "{% for i in range(100000) %}{{ 'x' * 1000000 }}{% endfor %}",
]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "templates").mkdir()
    return tmp_path


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_expressions_stop_with_a_clear_refusal(root: Path, source: str) -> None:
    (root / "templates" / "brief.md.j2").write_text(source, encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(FatalError) as err:
        render_markdown("brief.md.j2", {"x": 1}, root)
    assert time.monotonic() - started < templating.MAX_SECONDS + 5
    assert "brief.md.j2" in err.value.message
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grew_mb < 1200, grew_mb


def test_nested_loops_hit_the_time_limit(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(templating, "MAX_SECONDS", 1)
    (root / "templates" / "brief.md.j2").write_text(
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", encoding="utf-8"
    )
    started = time.monotonic()
    with pytest.raises(FatalError, match="longer than 1 s"):
        render_markdown("brief.md.j2", {}, root)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(
    "source",
    [
        "{{ x.__class__ }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ p.read_text() }}",
        "{{ p.parent.parent }}",
        "{{ self._TemplateReference__context }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    ],
)
def test_nothing_reaches_files_or_internals(root: Path, source: str) -> None:
    (root / "templates" / "brief.md.j2").write_text(source, encoding="utf-8")
    with pytest.raises(FatalError):
        render_markdown("brief.md.j2", {"x": 1, "p": Path("/etc/passwd")}, root)


def test_ordinary_templates_still_render(root: Path) -> None:
    (root / "templates" / "brief.md.j2").write_text(
        "{% for i in range(3) %}{{ i }}{{ '-' * 3 }}{% endfor %} {{ 'a,b'.replace(',', '、') }} {{ (2 ** 10) }}"
        " {{ '%5s' % 'x' }} {{ 'x' | center(5) }}|\n",
        encoding="utf-8",
    )
    assert render_markdown("brief.md.j2", {}, root) == "0---1---2--- a、b 1024     x   x  |\n"


def test_a_hostile_word_template(make_ledger: MakeLedger) -> None:
    """The same limits in a .docx template, and a zip bomb refused before it is opened."""
    from datetime import date

    from sanzhua.evaluate import evaluate
    from sanzhua.load import load_ledger
    from sanzhua.report.brief import assemble_notice
    from sanzhua.report.document import notice_context

    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n  - {id: F-1, title: 项目, due: 2026-03-31}\n"})
    ledger = load_ledger(root, cache=False)
    as_of = date(2026, 11, 25)
    context = notice_context(assemble_notice(ledger, evaluate(ledger, as_of), "fgw", as_of))
    (root / "templates").mkdir()
    with zipfile.ZipFile(builtin_dir() / "notice.docx") as z:
        parts = {i: z.read(i) for i in z.namelist()}
    import re

    xml = parts["word/document.xml"].decode("utf-8")
    parts["word/document.xml"] = re.sub(
        r"(<w:t(?: [^>]*)?>)[^<]*(</w:t>)", r"\1{{ 'a' * 10**10 }}\2", xml, count=1
    ).encode("utf-8")
    own = root / "templates" / "notice.docx"
    with zipfile.ZipFile(own, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(FatalError, match=r"notice\.docx"):
        render_docx("notice.docx", context, root)
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
        z.writestr("word/media/zeros.bin", b"\0" * (300 * 1024 * 1024))
    own.write_bytes(bomb.getvalue())
    assert own.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(FatalError, match="unpack"):
        render_docx("notice.docx", context, root)


def test_brief_with_a_hostile_template_exits_2(make_ledger: MakeLedger) -> None:
    """The real command: a refusal (exit 2) naming the template, quickly, no traceback."""
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 2026-09-30}\n"})
    (root / "templates").mkdir()
    (root / "templates" / "brief.md.j2").write_text("{{ 'a' * 10**10 }}{{ range(10**9) }}", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "sanzhua", "brief", "--week", "--as-of", "2026-11-25"],
        cwd=root, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "brief.md.j2" in done.stderr and "Traceback" not in done.stderr
    assert time.monotonic() - started < 30


def test_a_ledger_template_is_compiled_once_and_still_bounded(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site's archive renders a ledger's own brief.md.j2 for every week: it is compiled
    once for the same bytes (again when they change), and every render is still bounded."""
    compiled: list[str] = []
    real = templating.LimitedSandbox.compile

    def compile(self, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        compiled.append(source)
        return real(self, source, *args, **kwargs)

    monkeypatch.setattr(templating.LimitedSandbox, "compile", compile)
    own = root / "templates" / "brief.md.j2"
    own.write_text("第{{ n }}期\n", encoding="utf-8")
    assert [render_markdown("brief.md.j2", {"n": n}, root) for n in (1, 2, 3)] == ["第1期\n", "第2期\n", "第3期\n"]
    assert len(compiled) == 1
    own.write_text("第{{ n }}期 {{ 'x' * n }}\n", encoding="utf-8")
    assert render_markdown("brief.md.j2", {"n": 2}, root) == "第2期 xx\n"
    assert len(compiled) == 2
    for _ in range(2):  # the compiled template, kept, is still bounded on every render
        with pytest.raises(FatalError) as err:
            render_markdown("brief.md.j2", {"n": 10**10}, root)
        assert "brief.md.j2" in err.value.message
    assert len(compiled) == 2


# --- p-red3b: what a template raises, a C loop no time limit stops, a broken .docx (issue 14)


@pytest.mark.parametrize(
    ("source", "line", "error"),
    [
        ("{{ 1/0 }}", 1, "ZeroDivisionError"),
        ("第一行\n{% set n = 9 ** 9000 %}\n{{ n | string }}", 3, "ValueError"),
        ("{{ 'a'.encode('rot13') }}", 1, "LookupError"),
        ("\n{{ [1, 'a'] | sort }}", 2, "TypeError"),
    ],
)
def test_what_a_template_raises_is_a_refusal_naming_its_line(root: Path, source: str, line: int, error: str) -> None:
    """Python's own errors in a ledger's template (a division by zero, a number too long
    to print, an unknown codec, a sort of mixed values) were internal errors, exit 2 with
    "a sanzhua bug"; now a refusal naming the template, the line and the error."""
    (root / "templates" / "brief.md.j2").write_text(source, encoding="utf-8")
    with pytest.raises(FatalError) as err:
        render_markdown("brief.md.j2", {}, root)
    said = err.value.message
    assert "brief.md.j2" in said and f"line {line}" in said and error in said, said


def test_a_sum_of_lists_is_bounded_and_numbers_still_add_up(root: Path) -> None:
    """Python's sum() of 2,000 lists of 2,000 copies every partial sum in one C call that
    no time limit can stop: 54 s of wall time, the 15 s limit firing only after it."""
    own = root / "templates" / "brief.md.j2"
    own.write_text("{{ ([range(2000) | list] * 2000) | sum(start=[]) | length }}", encoding="utf-8")
    started = time.monotonic()
    with pytest.raises(FatalError, match="sum"):
        render_markdown("brief.md.j2", {}, root)
    assert time.monotonic() - started < 5
    own.write_text("{{ [1, 2, 3] | sum }} {{ [[1], [2]] | sum(start=[]) }} {{ rows | sum(attribute='a') }}",
                   encoding="utf-8")  # fmt: skip
    assert render_markdown("brief.md.j2", {"rows": [{"a": 2}, {"a": 3}]}, root) == "6 [1, 2] 5"


def test_a_product_of_huge_numbers_is_refused(root: Path) -> None:
    """`**` was bounded, `*` not: squaring a 100-million-bit number is seconds of C."""
    (root / "templates" / "brief.md.j2").write_text("{{ (3 ** 30000) * (3 ** 30000) }}", encoding="utf-8")
    with pytest.raises(FatalError, match=r"brief\.md\.j2"):
        render_markdown("brief.md.j2", {}, root)


def _notice_parts() -> dict[str, bytes]:
    with zipfile.ZipFile(builtin_dir() / "notice.docx") as z:
        return {i: z.read(i) for i in z.namelist()}


LAUGHS = (
    b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
)


def _laughs(parts: dict[str, bytes]) -> None:
    doc = parts["word/document.xml"]
    end = doc.index(b"?>") + 2
    doc = doc[:end] + LAUGHS + doc[end:]
    parts["word/document.xml"] = doc.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>&h;</w:t></w:r></w:p>", 1)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda p: p.pop("word/document.xml"),
        lambda p: p.pop("[Content_Types].xml"),
        _laughs,
        lambda p: p.update({"word/document.xml": p["word/document.xml"].replace(b"<w:body>", b"<w:body><w:p>", 1)}),
        lambda p: p.update({"_rels/.rels": p["_rels/.rels"].replace(
            b'Target="word/document.xml"', b'Target="file:///etc/passwd" TargetMode="External"')}),
        lambda p: p.update({"word/document.xml": p["word/document.xml"].replace(
            b"<w:body>", b"<w:body><w:p><w:r><w:t>{{ 1/0 }}</w:t></w:r></w:p>", 1)}),
    ],
    ids=["no-document", "no-content-types", "billion-laughs", "broken-xml", "external-main-part", "division"],
)
def test_a_broken_word_template_is_a_refusal_naming_it(make_ledger: MakeLedger, spoil: Any) -> None:
    """A ledger's .docx without its document part or [Content_Types].xml, with a DTD of
    nested entities, XML that does not parse, its main part an external link, or a tag
    that divides by zero: each was an internal error (KeyError, XMLSyntaxError,
    ValueError, ZeroDivisionError); now a refusal naming the template."""
    from datetime import date

    from sanzhua.evaluate import evaluate
    from sanzhua.load import load_ledger
    from sanzhua.report.brief import assemble_notice
    from sanzhua.report.document import notice_context

    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n  - {id: F-1, title: 项目, due: 2026-03-31}\n"})
    ledger = load_ledger(root, cache=False)
    as_of = date(2026, 11, 25)
    context = notice_context(assemble_notice(ledger, evaluate(ledger, as_of), "fgw", as_of))
    (root / "templates").mkdir()
    parts = _notice_parts()
    spoil(parts)
    with zipfile.ZipFile(root / "templates" / "notice.docx", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(FatalError) as err:
        render_docx("notice.docx", context, root)
    assert "notice.docx" in err.value.message and "line" not in err.value.message.split(":")[0]
