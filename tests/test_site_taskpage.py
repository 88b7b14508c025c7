"""Task pages written by site/taskpage.py are the bytes templates/task.html gives: whole
sites built both ways are compared file by file (the bundled ledger in a git repository,
a generated one, one of hostile titles with git history), and `esc` is markupsafe's
escaping."""

from __future__ import annotations

import functools
import io
import json
import random
import shutil
from datetime import date
from pathlib import Path

import pytest
from markupsafe import Markup, escape

import sanzhua.site.build as B
from sanzhua.commands.site import site
from sanzhua.site.taskpage import esc
from tests.conftest import bench_generator
from tests.test_site import HOSTILE, _bundled, _git, _hostile


def _both(root: Path, out: Path, monkeypatch: pytest.MonkeyPatch, as_of: date) -> tuple[Path, Path]:
    fast, slow = out / "fast", out / "template"
    assert site(root, as_of=as_of, output=fast, out=io.StringIO(), archive=False) == 0
    with monkeypatch.context() as m:
        m.setattr(B, "write_core", functools.partial(B.write_core, fast=False))
        assert site(root, as_of=as_of, output=slow, out=io.StringIO(), archive=False) == 0
    return fast, slow


def _same(fast: Path, slow: Path) -> int:
    files = sorted(p.relative_to(slow) for p in slow.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(fast) for p in fast.rglob("*") if p.is_file())
    for rel in files:
        assert (fast / rel).read_bytes() == (slow / rel).read_bytes(), rel
    return sum(1 for rel in files if rel.parts[0] == "t")


def test_bundled_ledger_with_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _bundled(tmp_path)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "建立台账")
    fast, slow = _both(root, tmp_path / "out", monkeypatch, date(2026, 11, 25))
    assert _same(fast, slow) > 100
    page = (fast / "t" / "JTY-002.html").read_text(encoding="utf-8")
    assert "建立台账" in page and "<title>JTY-002 " in page  # its git history, its title in the frame


def test_hostile_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow = _both(_hostile(tmp_path), tmp_path / "out", monkeypatch, date(2026, 11, 25))
    assert _same(fast, slow) == 3
    page = (fast / "t" / "H-1.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;t&#34;)" in page


def test_hostile_unit_heads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit page (site/taskpage.unit_main) with hostile text in every field of the unit."""
    root = _hostile(tmp_path)
    units = root / "units.yaml"
    quoted = json.dumps(HOSTILE, ensure_ascii=False)
    heads = f"kind: 县直部门, head: {quoted}, deputy: {quoted}}}"
    units.write_text(units.read_text(encoding="utf-8").replace("kind: 县直部门}", heads), encoding="utf-8")
    fast, slow = _both(root, tmp_path / "out", monkeypatch, date(2026, 11, 25))
    _same(fast, slow)
    page = (fast / "u" / "fgw.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and page.count("&lt;script&gt;alert(&#34;t&#34;)") >= 3


def test_generated_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "gen"
    bench_generator().generate(root, 15, 20, 2)
    for as_of in (date(2026, 6, 30), date(2026, 11, 25)):
        fast, slow = _both(root, tmp_path / f"out-{as_of}", monkeypatch, as_of)
        assert _same(fast, slow) == 300
        shutil.rmtree(tmp_path / f"out-{as_of}")


def test_esc_is_markupsafes_escape() -> None:
    rng = random.Random(7)
    alphabet = "&<>'\"ab 中\u2028\x00;#"
    texts = [
        HOSTILE,
        "",
        "&amp;",
        "a&b<c>d'e\"f",
        *("".join(rng.choices(alphabet, k=rng.randint(0, 12))) for _ in range(500)),
    ]
    for text in texts:
        assert esc(text) == str(escape(text))
    for value in (0, 12.5, date(2026, 1, 2), None, True):
        assert esc(value) == str(escape(value))
    assert esc(Markup("<b>ours</b>")) == "<b>ours</b>"


def test_svg_esc_and_numbers_as_before() -> None:
    """render/svg's shortcuts (text without a character to escape returned as it is, a
    coordinate's text remembered by value) give what the plain functions give."""
    from xml.sax.saxutils import escape as xml_escape

    from sanzhua.render import svg

    rng = random.Random(11)
    numbers = [0.0, -0.0, 1, 1.0, -0.04, 0.04, 700.05, -3, 1e20, float("inf")]
    numbers += [rng.uniform(-1000, 1000) for _ in range(2000)] + [round(rng.uniform(-50, 50), 2) for _ in range(2000)]
    for x in numbers * 2:
        assert svg._n(x) == f"{x:.1f}".rstrip("0").rstrip("."), x
    texts = [HOSTILE, "", "中文", "a'b", 'a"b', *("".join(rng.choices("&<>\"'ab中 ", k=8)) for _ in range(500))]
    for text in texts:
        assert svg.esc(text) == xml_escape(text, {'"': "&quot;", "'": "&#39;"})
