"""Charts in the monthly, quarterly and yearly 工作简报: SVG files beside the Markdown, PNG
pictures 156 mm wide in Word, drawn with a CJK font; none (and a warning) without one."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from itertools import pairwise
from pathlib import Path

import pytest

from sanzhua.commands.brief import brief
from sanzhua.render import charts as C
from sanzhua.render.svg import Series, line_chart
from tests.conftest import REPO

AS_OF = date(2026, 11, 25)


def _bundled(tmp: Path) -> Path:
    root = tmp / "bundled"
    root.mkdir()
    for name in ("sanzhua.yaml", "units.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    return root


def test_markdown_gets_svg_files_beside_it(tmp_path: Path) -> None:
    root = _bundled(tmp_path)
    out = tmp_path / "out" / "月报.md"
    assert brief(root, as_of=AS_OF, period="month", output=out, out=io.StringIO()) == 0
    text = out.read_text(encoding="utf-8")
    one, two = text.index("### 一、"), text.index("### 二、")
    for name in ("月报-完成率.svg", "月报-走势.svg"):
        link = f"]({name})"
        assert one < text.index(link) < two  # at the end of part 一
        svg = ET.parse(out.with_name(name)).getroot()
        words = "".join(svg.itertext())
        assert svg.tag.endswith("svg")
        if "完成率" in name:
            assert "县住建局" in words and "%" in words
        else:
            assert "完成率" in words and "逾期" in words


def test_weekly_bulletin_has_no_charts(tmp_path: Path) -> None:
    root = _bundled(tmp_path)
    out = tmp_path / "周报.md"
    assert brief(root, as_of=AS_OF, period="week", output=out, out=io.StringIO()) == 0
    assert ".svg" not in out.read_text(encoding="utf-8")
    assert not list(tmp_path.glob("*.svg"))


def test_markdown_to_the_screen_says_where_the_charts_went(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bundled(tmp_path)
    buf = io.StringIO()
    assert brief(root, as_of=AS_OF, period="quarter", out=buf) == 0
    assert ".svg" not in buf.getvalue()
    assert "-o" in capsys.readouterr().err


@pytest.mark.skipif(C.find_cjk_font() is None, reason="no CJK font on this machine (apt-get install fonts-noto-cjk)")
def test_word_gets_pictures_the_width_of_the_text_block(tmp_path: Path) -> None:
    from docx import Document
    from docx.shared import Mm
    from PIL import Image

    font = C.find_cjk_font()
    assert font is not None and C._covers_chinese(font)
    root = _bundled(tmp_path)
    out = tmp_path / "年报.docx"
    assert brief(root, as_of=AS_OF, period="year", fmt="docx", output=out, out=io.StringIO()) == 0
    doc = Document(str(out))
    shapes = doc.inline_shapes
    assert len(shapes) == 2
    for s in shapes:
        assert abs(s.width - Mm(156)) < Mm(0.5)
    # The pictures stand before part 二, and are real PNGs with something drawn in them.
    texts = [p.text for p in doc.paragraphs]
    second = next(i for i, t in enumerate(texts) if t.strip().startswith("二、"))
    with_pictures = [i for i, p in enumerate(doc.paragraphs) if p._p.xpath(".//pic:pic")]
    assert with_pictures and all(i < second for i in with_pictures)
    blobs = [r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype]
    for blob in blobs:
        im = Image.open(io.BytesIO(blob))
        assert im.format == "PNG" and im.size[0] > 1000
        low, high = im.convert("L").getextrema()
        assert high - low > 100  # not a blank picture


def test_word_without_a_cjk_font_has_no_charts_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from docx import Document

    monkeypatch.setattr(C, "find_cjk_font", lambda: None)
    root = _bundled(tmp_path)
    out = tmp_path / "年报.docx"
    assert brief(root, as_of=AS_OF, period="year", fmt="docx", output=out, out=io.StringIO()) == 0
    assert len(Document(str(out)).inline_shapes) == 0
    err = capsys.readouterr().err
    assert "中文字体" in err and "fonts-noto-cjk" in err


def test_charts_place_themselves_without_the_heading() -> None:
    text = "# 简报\n\n正文\n"
    assert C.place_in_markdown(text, [("图", "a.svg")]).endswith("![图](a.svg)\n\n")
    hostile = C.place_in_markdown("### 一、\n\n### 二、x\n", [("图", "a.svg")])
    assert hostile.index("a.svg") < hostile.index("### 二、")


@pytest.mark.parametrize("weeks", [5, 12, 19, 20, 33, 47, 52, 53])
def test_week_labels_on_a_trend_do_not_run_into_each_other(weeks: int) -> None:
    # 47 weeks (the bundled ledger's year to late November) labelled "11/15" two weeks
    # before "11/25": printed on top of each other in the 简报's picture.
    labels = [f"L{i}" for i in range(weeks)]
    svg = ET.fromstring(line_chart("t", labels, [Series("s", [1.0] * weeks, "#000")]))
    shown = [int(t.text[1:]) for t in svg.iter() if t.tag.endswith("text") if (t.text or "").startswith("L")]
    assert shown[0] == 0 and shown[-1] == weeks - 1  # the first week and the latest
    step = -(-weeks // 10)
    assert all(b - a >= step for a, b in pairwise(shown))
    assert len(shown) <= 11
