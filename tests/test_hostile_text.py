"""Control characters, lone surrogates and look-alike ids in ledger text (issue 14.4
check side, 14.10)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from sanzhua.checks.confusable_id import skeleton
from sanzhua.commands.check import check
from tests.conftest import MakeLedger

HEAD = "unit: fgw\ntasks:\n"


def _found(root: Path, lang: str = "en") -> list[dict[str, object]]:
    out = io.StringIO()
    check(root, as_of=date(2026, 11, 25), fmt="json", lang=lang, cache=False, out=out)
    return list(json.loads(out.getvalue())["problems"])


def _at(problems: list[dict[str, object]], code: str) -> list[tuple[object, object, object]]:
    return [(p["file"], p["line"], p["column"]) for p in problems if p["code"] == code]


@pytest.mark.parametrize(
    "char", ["\x01", "\x07", "\x08", "\x0b", "\x0c", "\x0e", "\x1b", "\x1f", "\x7f", "\x9b", "\ufffe", "\uffff"]
)
def test_a_control_character_written_as_such(make_ledger: MakeLedger, char: str) -> None:
    """invalid-value at its exact line and column, with a hint; the rest of the file is
    still read (the task after it is checked too)."""
    root = make_ledger(
        {
            "ledgers/a.yaml": HEAD
            + f"  - {{id: A, title: 前{char}后, due: 2026-09-30}}\n"
            + "  - {id: B, title: 其后, due: 2026-02-30}\n"
        }
    )
    problems = _found(root)
    assert _at(problems, "invalid-value") == [("ledgers/a.yaml", 3, 21)]
    hit = next(p for p in problems if p["code"] == "invalid-value")
    assert f"U+{ord(char):04X}" in str(hit["message"]) and hit["hint"]
    assert _at(problems, "invalid-date") == [("ledgers/a.yaml", 4, 29)]  # the file was read on
    assert not [p for p in problems if p["code"] == "syntax"]


@pytest.mark.parametrize(
    ("escape", "char"),
    [
        ("\\x01", 1),
        ("\\e", 0x1B),
        ("\\a", 7),
        ("\\u0007", 7),
        ("\\x7f", 0x7F),
        ("\\uFFFE", 0xFFFE),
        ("\\U0000001b", 0x1B),
    ],
)
def test_a_control_character_written_as_an_escape(make_ledger: MakeLedger, escape: str, char: int) -> None:
    root = make_ledger({"ledgers/a.yaml": HEAD + f'  - {{id: A, title: "标题{escape}[31m红", due: 2026-12-30}}\n'})
    problems = _found(root)
    assert _at(problems, "invalid-value") == [("ledgers/a.yaml", 3, 23)]
    message = str(next(p for p in problems if p["code"] == "invalid-value")["message"])
    assert f"U+{char:04X}" in message and escape in message
    zh = _found(root, "zh")
    assert "控制字符" in str(next(p for p in zh if p["code"] == "invalid-value")["message"])


def test_ordinary_escapes_and_backslashes_pass(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": HEAD
            + '  - {id: A, title: "第一行\\n第二行\\t\\u4e2d", due: 2026-12-30}\n'
            + "  - {id: B, title: C:\\new\\x01 路径, due: 2026-12-30}\n"
            + "  - {id: C, title: 'a\\x01b', due: 2026-12-30}\n"
        }
    )
    assert _at(_found(root), "invalid-value") == []


def test_a_lone_surrogate_escape_is_said_for_what_it_is(make_ledger: MakeLedger) -> None:
    """ "\\ud800" is neither an unclosed quote nor a syntax error: an invalid-value at the
    escape, and the rest of the file is read."""
    root = make_ledger(
        {
            "ledgers/a.yaml": HEAD
            + '  - {id: A, title: "x\\ud800y", due: 2026-12-30}\n'
            + '  - {id: B, title: "\\uDFFF and \\U0000d834", due: 2026-02-30}\n'
        }
    )
    problems = _found(root)
    assert not [p for p in problems if p["code"] == "syntax"]
    expected = [("ledgers/a.yaml", 3, 22), ("ledgers/a.yaml", 4, 21), ("ledgers/a.yaml", 4, 32)]
    assert _at(problems, "invalid-value") == expected
    assert "lone surrogate" in str(next(p for p in problems if p["code"] == "invalid-value")["message"])
    assert _at(problems, "invalid-date")  # B was read
    zh = _found(root, "zh")
    assert "代理" in str(next(p for p in zh if p["code"] == "invalid-value")["message"])


def test_confusable_ids(make_ledger: MakeLedger) -> None:
    """Ids differing only in case, full-width letters or Cyrillic look-alikes: a warning on
    the later, naming both; distinct ids and the same id twice (duplicate-id) are not."""
    root = make_ledger(
        {
            "ledgers/a.yaml": HEAD
            + "  - {id: XM-001, title: 原任务, due: 2026-12-30}\n"
            + "  - {id: XM-002, title: 别的任务, due: 2026-12-30}\n",
            "ledgers/b.yaml": HEAD
            + "  - {id: xm-001, title: 小写, due: 2026-12-30}\n"
            + "  - {id: ＸＭ-００１, title: 全角, due: 2026-12-30}\n"
            + "  - {id: ХМ-001, title: 西里尔字母, due: 2026-12-30}\n"
            + "  - {id: XM-003, title: 不同, due: 2026-12-30}\n"
            + "  - {id: XM-002, title: 重复, due: 2026-12-30}\n",
        }
    )
    problems = _found(root)
    found = [p for p in problems if p["code"] == "confusable-id"]
    assert [(p["line"], p["task"]) for p in found] == [(3, "xm-001"), (4, "ＸＭ-００１"), (5, "ХМ-001")]
    assert all(p["severity"] == "warning" and p["file"] == "ledgers/b.yaml" for p in found)
    assert all("XM-001" in str(p["message"]) and "ledgers/a.yaml:3" in str(p["message"]) for p in found)
    assert "U+0425" in str(found[2]["message"])  # the Cyrillic Х named
    assert _at(problems, "duplicate-id") == [("ledgers/b.yaml", 7, 5)]


def test_skeleton() -> None:
    assert skeleton("XM-001") == skeleton("xm-001") == skeleton("ＸＭ-００１") == skeleton("ХМ-001")
    assert skeleton("XM-001") != skeleton("XM-002")
    assert skeleton("任务-一") == "任务-一"
