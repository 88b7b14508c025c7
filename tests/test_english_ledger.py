"""An English ledger from its first hour: `init --lang en` writes English files, and its
Word bulletin (English Markdown laid out by sanzhua.render.mddocx) has tables whose words
stay whole."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from docx import Document

from sanzhua.commands.init import init
from sanzhua.render.mddocx import _BLOCK, _PADDING, _PER_INCH, _longest_unbreakable, column_widths
from tests.test_brief import _pdf, needs_libreoffice
from tests.test_cli import sanzhua

HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
AS_OF = "2026-12-04"


@pytest.fixture
def english_ledger(tmp_path: Path) -> Path:
    from datetime import date

    root = tmp_path / "ledger"
    assert init(root, lang="en", supervisor="office@example.org", today=date(2026, 12, 4)) == 0
    return root


def test_init_en_writes_no_chinese(english_ledger: Path) -> None:
    written = [
        p for p in english_ledger.rglob("*") if p.is_file() and ".git" not in p.relative_to(english_ledger).parts
    ]
    assert len(written) >= 8
    chinese = {
        str(p.relative_to(english_ledger)): line
        for p in written
        for line in p.read_text(encoding="utf-8").splitlines()
        if HAN.search(line)
    }
    assert chinese == {}


def test_init_en_ledger_checks_formats_and_reports(english_ledger: Path) -> None:
    assert sanzhua("check", "--as-of", AS_OF, cwd=english_ledger).returncode == 0
    fmt = sanzhua("fmt", "--check", cwd=english_ledger)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    out = sanzhua("brief", "--week", "--as-of", AS_OF, cwd=english_ledger)
    assert out.returncode == 0, out.stderr
    # tracking starts today: last week has no data, and the bulletin says so rather than compare with zeros
    assert "No data for last week (the ledger starts on 2026-12-04): no comparison." in out.stdout
    assert "Compared with" not in out.stdout
    assert not HAN.search(out.stdout)


def test_english_bulletin_compares_once_last_week_is_tracked(english_ledger: Path) -> None:
    out = sanzhua("brief", "--week", "--as-of", "2026-12-15", cwd=english_ledger)
    assert out.returncode == 0, out.stderr
    assert "Compared with last week (as of 2026-12-13)" in out.stdout
    assert "no data" not in out.stdout


@pytest.mark.parametrize(
    "rows",
    [
        [["Rank", "Unit", "Score", "Done on time", "Done late", "Overdue", "Milestones missed", "Reports missed"],
         ["1", "Development and Reform Commission", "100", "0", "0", "0", "0", "0"]],
        [["No.", "ID", "Task", "Lead unit", "Owner", "Deadline", "Progress", "State", "Light"],
         ["1", "FGW-001", "Prepare the key projects " * 6, "Development and Reform Commission", "A. N. Other",
          "2026-12-31", "0%", "on track", "green"]],
        [["Category", "Tasks"], ["抓具体/抓项目建设" * 3, "12"]],
        [["a"] * 4, ["Interdepartmental"] * 4],  # cannot fit at 11 points: the type gets smaller
    ],
)  # fmt: skip
def test_columns_never_narrower_than_their_longest_word(rows: list[list[str]]) -> None:
    widths, size = column_widths(rows)
    assert len(widths) == len(rows[0])
    assert sum(widths) == pytest.approx(_BLOCK)
    assert size is None or size >= 7
    scale = (size or 11) / 11
    for c, width in enumerate(widths):
        word = max(_longest_unbreakable(r[c]) for r in rows)
        assert width >= word * scale / _PER_INCH + _PADDING - 1e-9, (rows[0][c], width)


@needs_libreoffice
def test_english_word_bulletin_keeps_table_words_whole(english_ledger: Path, tmp_path: Path) -> None:
    docx_path = tmp_path / "bulletin.docx"
    out = sanzhua("brief", "--week", "--as-of", AS_OF, "--format", "docx", "-o", str(docx_path), cwd=english_ledger)
    assert out.returncode == 0, out.stderr
    headers = {cell.text for table in Document(str(docx_path)).tables for cell in table.rows[0].cells}
    assert {"Category", "Completion", "Milestones missed", "Deadline", "Progress", "Rank"} <= headers
    pdf = _pdf(docx_path, tmp_path)
    words = set(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
    broken = sorted(w for h in headers for w in h.split() if len(w) > 2 and w not in words)
    assert broken == []
