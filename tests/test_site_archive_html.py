"""The archive's Markdown → HTML (site/mdhtml.py) is markdown-it's: on every week's
bulletin of the bundled, a generated and a hostile ledger, on tables made to be awkward,
and on random documents of table-like lines."""

from __future__ import annotations

import io
import random
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.site import site
from sanzhua.site import mdhtml
from tests.conftest import bench_generator
from tests.test_site import HOSTILE, _bundled, _hostile


def _same(text: str) -> None:
    assert mdhtml.to_html(text) == mdhtml.parser().render(text), text


def _bulletins(root: Path, out: Path, as_of: date) -> list[Path]:
    assert site(root, as_of=as_of, output=out, out=io.StringIO(), history=False) == 0
    return sorted((out / "briefs").glob("*.md"))


@pytest.mark.parametrize("which", ["bundled", "hostile", "generated"])
def test_every_weeks_bulletin(tmp_path: Path, which: str) -> None:
    if which == "bundled":
        root = _bundled(tmp_path)
    elif which == "hostile":
        root = _hostile(tmp_path)
    else:
        root = tmp_path / "gen"
        bench_generator().generate(root, 8, 20, 5)
    files = _bulletins(root, tmp_path / "out", date(2026, 11, 25))
    assert len(files) == 47
    tables = 0
    rendered = set()
    for f in files:
        text = f.read_text(encoding="utf-8")
        tables += text.count("\n|---")
        _same(text)
        rendered.add(mdhtml.parser().render(text))
    assert tables > 47
    # each week's page holds that HTML, in the page's frame
    pages = sorted((tmp_path / "out" / "briefs").glob("week-*.html"))
    bodies = {
        p.read_text(encoding="utf-8").split('<article class="bulletin">\n')[1].split("\n</article>")[0] for p in pages
    }
    assert len(pages) == 47 and bodies == rendered


AWKWARD = [
    "| a | b |\n|---|--:|\n| 1 | 2 |\n",
    "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | 2 | 3 | 4 |\n| x | y | z | w | extra |\n",
    "| a | b |\n|---|---|\n| short |\n| 1 | 2 |\n",  # a short row: filled in by markdown-it
    "| a | b |\n|---|---|\n",  # a header alone
    "| a | b |\n|---|\n| 1 | 2 |\n",  # delimiter and header disagree: a paragraph
    "| a \\| b | c |\n|---|---|\n| 1 \\| 2 | \\\\| 3 |\n",  # escaped pipes
    "| *em* | **strong** | `code` | [link](http://x) | ![i](y) | <http://z> | &amp; &copy; &#1; | a_b_c |\n"
    "|---|---|---|---|---|---|---|---|\n"
    "| *em* | **strong** | `co|de` | [link](http://x) | ![i](y) | <http://z> | &amp; | _u_ |\n",
    f"| {HOSTILE} | x |\n|---|---|\n| {HOSTILE} | <b>b</b> \" ' > |\n",
    "| \u3000全角空格\u3000 | \u00a0nbsp\u00a0 | \u2003em |\n|---|---|---|\n| \u3000a | b\u00a0 | \u2028 |\n",
    "段落\n| a | b |\n|---|---|\n| 1 | 2 |\n",  # a table straight after a paragraph line
    "1. 第一项\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n2. 第二项\n",
    "- 项\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n",  # a table inside a list item
    "```\n| a | b |\n\n| a | b |\n|---|---|\n| 1 | 2 |\n```\n",  # inside a fence
    "[ref]: http://example.com\n\n| [ref] | b |\n|---|---|\n| [ref] | 2 |\n",
    "- [ref]: http://example.com\n\n| [ref] | b |\n|---|---|\n| 1 | 2 |\n",
    "| a\0b | c |\r\n|---|---|\r\n| 1\r| 2 |\r\n",
    "|\n|---|\n| 1 |\n",
    "| a |\n|---|\n|\n| 1 |\n",
    "    | indented | code |\n    |---|---|\n",
    "| a | b |\n|---|---|\n| 1 | 2 |",  # no newline at the end
    "> | quoted | table |\n> |---|---|\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "# 标题\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n| c |\n|:-:|\n| 3 |\n\n正文 *强调*\n",
    "| a | b |\n| --- | :---: |\n| 1 | 2 |\n|  |  |\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n# heading\n",
    "| a | b |\n|-|-|\n|1|2|\n",
    "|a|b|\n|---|---|\n|1  |  2|\n",
    "| a | b |\n|---|---| \n| 1 | 2 |   \n",
    # rows whose cells after the first repeat (remembered by the text after the first cell)
    "| a | b | c |\n|--:|---|---|\n| 1 | x | y |\n| 2 | x | y |\n|| x | y |\n| 3 | x | y\n| 4 | x | y |  \n",
    "| a | b |\n|---|---|\n| 1 | x |\n| 2 | x ||\n| 3 ||\n",
    "| a | b |\n|---|---|\n| 1 | x |\n| 2 |\n",  # the same tail, then a short row
    "| a |\n|---|\n| 1 | x |\n| 2 |\n|3\n",
    "| a | b |\n|---|---|\n| 1\u3000| x |\n| \u30002 | x |\n| *3* | x |\n",
]


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_tables(text: str) -> None:
    _same(text)


def test_random_documents() -> None:
    rng = random.Random(19)
    pieces = [
        "| a | b |",
        "|---|--:|",
        "|:-:|:--|",
        "| 1 | 2 |",
        "| x |",
        "| 1 | 2 | 3 |",
        "| *e* | &amp; |",
        "| \\| | b |",
        "|",
        "",
        "",
        "text",
        "1. item",
        "- item",
        "  | in | item |",
        "> quote",
        "---",
        "# h",
        "| <b> | 'q\" |",
        "| \u3000 | b |",
        "```",
    ]
    tails = ["| x | y |", "| x |", "||", "| x | y", "| x | y |  ", "| *x* | y |", "| x | y | z |"]
    firsts = ["| 1 ", "| 2 ", "|", "| \u3000 ", "| a\\ ", "|  3  "]
    for _ in range(300):
        rows = [rng.choice(firsts) + rng.choice(tails) for _ in range(rng.randint(0, 6))]
        head = [rng.choice(["| a | b |", "| a |", "| a | b | c |"]), rng.choice(["|---|--:|", "|---|", "|:-:|-|-|"])]
        _same("\n".join([*head, *rows]))
    for _ in range(800):
        _same("\n".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) + rng.choice(["", "\n"]))


def test_rows_remembered_in_two_generations(monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for two rows a generation, rows are found in either generation or made
    again: the HTML does not change."""
    monkeypatch.setattr(mdhtml, "_ROWS", 2)
    monkeypatch.setattr(mdhtml, "_rows", [{}, {}])
    rng = random.Random(5)
    tails = ["| x | y |", "| x | z |", "| *x* | y |", "| w | y |", "| x | y | extra |"]
    for _ in range(200):
        rows = [f"| {rng.randint(1, 9)} " + rng.choice(tails) for _ in range(rng.randint(1, 5))]
        _same("\n".join(["| a | b | c |", "|--:|---|---|", *rows]) + "\n")
    assert 0 < len(mdhtml._rows[0]) <= 2 and len(mdhtml._rows[1]) <= 2
