"""The loader reads a ledger file from libyaml's events (issue 17), and leaves anything
unusual to libyaml's composer and the walker. Held here: the two readings give the same
tree (every key, value and position) and the same problems, on real ledgers, the
generated one, tricky snippets and thousands of random mutations of them."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sanzhua.load import yamlfast
from sanzhua.load.yamlfast import Document, YMap, YSeq, parse
from tests.conftest import REPO


def _tree(v: Any) -> Any:
    if isinstance(v, YMap):
        return ("M", v.line, v.col, [(k, v.pos[k], _tree(x)) for k, x in v.items()], len(v.pos))
    if isinstance(v, YSeq):
        return ("S", v.line, v.col, [(v.pos[i], _tree(x)) for i, x in enumerate(v)], len(v.pos))
    return (type(v).__name__, v)


def _seen(doc: Document) -> Any:
    problems = [(p.code, p.severity, p.line, p.column, p.message, p.hint) for p in doc.problems]
    return _tree(doc.root), problems, doc.text


def _composed(text: str, data: bytes | None) -> Document:
    """The reading by the composer and the walker alone."""
    saved = yamlfast._read_events
    yamlfast._read_events = lambda text, data: yamlfast._FAILED  # type: ignore[assignment]
    try:
        return parse(text, "f.yaml", data)
    finally:
        yamlfast._read_events = saved


def _same(text: str) -> bool:
    """Both readings agree; True when the events reading finished (did not hand over)."""
    data = text.encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = b""
    for given in (data or None, None):
        fast = parse(text, "f.yaml", given)
        slow = _composed(text, given)
        assert _seen(fast) == _seen(slow), text
    return yamlfast._read_events(text, None) is not yamlfast._FAILED


SNIPPETS = [
    "",
    "# only a comment\n",
    "---\n",
    "--- \n...\n",
    "a: 1\n",
    "a:\nb: ~\nc: null\nd: Null\ne: NULL\nf: ''\ng: \"\"\nh: 'null'\n",
    "unit: a\ntasks:\n  - id: A\n    title: t\n  - {id: B, title: u}\n  - [1, 2]\n  - x\n  -\n",
    "tasks:\n- id: A\n  progress:\n  - {date: 2026-01-01, note: \"a\\tb\"}\n",
    "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
    "a: &x 1\nb: *x\n",
    "a: &x [1]\nb: *x\n",
    "a: &x {k: 1}\nb: &x {k: 2}\n",
    "a: *nothing\n",
    "a: 1\na: 2\n",
    "tasks:\n  - id: A\n    title: t\n    id: B\n    title: u\n",
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: \"\\x01 bell\"\n",
    "a: \"\\e\"\nb: \"ok \\\\ \"\n",
    "a: \"\\ud800\"\n",
    "a: [\n",
    "a: b: c\n",
    "\ta: 1\n",
    "a: 1\n b: 2\n",
    "- a\n- b: c\n  d: e\n",
    "[1, 2, {a: b}]\n",
    "just text\n",
    "!!str a: !!int 1\n",
    "a: !custom x\n",
    "\ufeffa: 1\n",
    "a: 1\r\nb: [x,\r\n y]\r\n",
    "键: 值\n任务清单:\n  - 编号: A\n    任务: 名\n",
    "x: " + "[" * 70 + "]" * 70 + "\n",
    "x: " + "[" * 58 + "]" * 58 + "\n",
    "x: " + "[" * 62 + "]" * 62 + "\n",
    "".join("  " * i + f"k{i}:\n" for i in range(70)) + "  " * 70 + "v: 1\n",
    "a: 1 # comment\n# tail\n",
    "a: 'it''s'\nb: \"q\\\"\"\n",
    "a: \u3000b\n",
    "a：1\n",
    "~: 1\nnull: 2\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_read_the_same(text: str) -> None:
    _same(text)


def test_what_the_events_reading_hands_over() -> None:
    handed = [t for t in SNIPPETS if not _same(t)]
    for unusual in ("a: &x 1\nb: *x\n", "a: 1\na: 2\n", "? [a, b]\n: 1\n", "a: 1\n---\nb: 2\n", "a: [\n",
                    "a: \"\\x01 bell\"\n", "x: " + "[" * 62 + "]" * 62 + "\n"):
        assert unusual in handed
    for plain in ("a: 1\n", "", "---\n", "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
                  "a: \"\\e\"\nb: \"ok \\\\ \"\n".replace("\\e", "\\t"), "!!str a: !!int 1\n"):
        assert plain not in handed


def _ledger_texts(tmp_path: Path) -> list[str]:
    texts = [p.read_text(encoding="utf-8-sig") for p in sorted((REPO / "ledgers").rglob("*.yaml"))]
    texts += [(REPO / n).read_text(encoding="utf-8") for n in ("sanzhua.yaml", "units.yaml")]
    out = tmp_path / "gen"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate.py"), str(out), "--units", "12", "--tasks-per-unit", "8",
         "--seed", "5"],
        check=True,
        capture_output=True,
    )
    texts += [p.read_bytes().decode("utf-8-sig") for p in sorted((out / "ledgers").rglob("*.y*ml"))]
    return texts


def test_real_and_generated_ledgers_read_the_same(tmp_path: Path) -> None:
    texts = _ledger_texts(tmp_path)
    assert len(texts) > 20
    assert sum(_same(t) for t in texts) >= len(texts) - 2  # nearly all are read from the events


MUTATIONS = ["", ":", "-", " ", "\n", "&a ", "*a", "- ", "  ", "\t", "#", "'", '"', "[", "{", "}", "\\x01", "~"]


def test_random_mutations_read_the_same(tmp_path: Path) -> None:
    rng = random.Random(17)
    texts = _ledger_texts(tmp_path)
    fast = 0
    for _ in range(3000):
        text = rng.choice(texts)
        lines = text.split("\n")
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(len(lines))
            line = lines[i]
            r = rng.random()
            if r < 0.2:
                lines.insert(i, line)  # a line written twice: a duplicate key or item
            elif r < 0.3 and len(lines) > 1:
                del lines[i]
            else:
                at = rng.randint(0, len(line))
                cut = rng.randint(0, 2)
                lines[i] = line[:at] + rng.choice(MUTATIONS) + line[at + cut :]
        fast += _same("\n".join(lines))
    assert 0 < fast < 3000  # both readings were exercised
