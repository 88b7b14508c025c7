"""`sanzhua brief --week` writes its Markdown with the appendix's rows written directly
(sanzhua.render.bulletin, issue 17): the output is held byte for byte to the same command
with the whole bulletin through the template (brief.md.j2 by Jinja, as before), on the
bundled ledger, a hostile one, a generated one, an English one, and a ledger with its own
template (which is never taken apart)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands import brief as brief_command
from sanzhua.commands.brief import brief
from sanzhua.render import bulletin
from sanzhua.render.markdown import render_markdown
from sanzhua.report.brief import Brief
from sanzhua.report.document import brief_context
from tests.conftest import bench_generator
from tests.test_site import _bundled, _hostile

AS_OF = date(2026, 11, 25)


def _plain(b: Brief, root: Path | None, name: str = "brief.md.j2") -> str:
    return render_markdown(name, brief_context(b), root)


def _both(root: Path, monkeypatch: pytest.MonkeyPatch, as_of: date = AS_OF) -> tuple[str, str, int]:
    """The bulletin as the command writes it, as the template writes it whole, and how
    many appendix rows were written directly."""
    rows = 0
    real_row = bulletin.appendix_row

    def counted(x: object) -> str:
        nonlocal rows
        rows += 1
        return real_row(x)  # type: ignore[arg-type]

    with monkeypatch.context() as m:
        m.setattr(bulletin, "appendix_row", counted)
        fast = io.StringIO()
        assert brief(root, as_of=as_of, period="week", fmt="md", out=fast, allow_errors=True) == 0
    with monkeypatch.context() as m:
        m.setattr(brief_command, "bulletin_pieces", lambda b, r, name="brief.md.j2": iter([_plain(b, r, name)]))
        plain = io.StringIO()
        assert brief(root, as_of=as_of, period="week", fmt="md", out=plain, allow_errors=True) == 0
    return fast.getvalue(), plain.getvalue(), rows


def _generated(tmp: Path, english: bool = False) -> Path:
    root = tmp / "generated"
    bench_generator().generate(root, 12, 15, 5)
    if english:
        settings = root / "sanzhua.yaml"
        text = settings.read_text(encoding="utf-8")
        settings.write_text(text.replace("lang: zh", "lang: en") if "lang:" in text else text + "lang: en\n",
                            encoding="utf-8")
    return root


@pytest.mark.parametrize("as_of", [date(2026, 6, 30), AS_OF])
def test_bundled_and_generated_the_same_as_the_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_of: date
) -> None:
    for root in (_bundled(tmp_path), _generated(tmp_path)):
        fast, plain, rows = _both(root, monkeypatch, as_of)
        assert fast == plain
        assert rows > 0  # the direct path was taken
        assert "### 附件" in fast


def test_hostile_texts_the_same_as_the_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _hostile(tmp_path)
    for as_of in (date(2026, 5, 27), date(2026, 7, 15)):
        fast, plain, rows = _both(root, monkeypatch, as_of)
        assert fast == plain
        assert rows > 0


def test_english_ledger_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, plain, _rows = _both(_generated(tmp_path, english=True), monkeypatch)
    assert fast == plain
    assert "Appendix" in fast or "appendix" in fast.lower()


def test_own_template_rendered_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A ledger's own brief.md.j2 is never taken apart, even one that writes the appendix
    row exactly as the built-in one does."""
    root = _bundled(tmp_path)
    own = root / "templates"
    own.mkdir()
    builtin = (Path(bulletin.__file__).resolve().parents[3] / "templates" / "brief.md.j2").read_text(encoding="utf-8")
    (own / "brief.md.j2").write_text(builtin.replace("在推进任务一览表", "在推进任务一览表（本县）"), encoding="utf-8")
    fast, plain, rows = _both(root, monkeypatch)
    assert fast == plain
    assert rows == 0
    assert "在推进任务一览表（本县）" in fast


class _Writes(io.StringIO):
    """A stream that counts what is written to it, write by write."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def write(self, s: str) -> int:
        self.sizes.append(len(s))
        return super().write(s)


def test_the_bulletin_on_the_screen_is_written_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On the screen the bulletin is written piece by piece (the template's text before and
    after the appendix, the appendix ROWS_PER_PIECE rows at a time), never as one string
    made into bytes and back (issue 17); the text is the same as the whole template's."""
    root = _generated(tmp_path)
    _, plain, rows = _both(root, monkeypatch)
    monkeypatch.setattr(bulletin, "ROWS_PER_PIECE", 40)
    out = _Writes()
    assert brief(root, as_of=AS_OF, period="week", fmt="md", out=out, allow_errors=True) == 0
    assert out.getvalue() == plain
    assert len(out.sizes) >= 2 + -(-rows // 40)  # before, the rows 40 at a time, after
    assert max(out.sizes) < len(plain) * 3 // 4  # no write holds the whole text
