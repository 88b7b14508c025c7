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
