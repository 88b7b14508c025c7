"""A corpus of broken and odd-but-valid ledgers: each gives the right exit code and problems.

Every case is real YAML written into a temporary ledger; the assertion is on the
(file, line, code) of every problem and on the exit code of `sanzhua check`. The
ledger's settings and units are conftest's (units fgw, jyj, chengguan; year 2026).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sanzhua.commands.check import check
from sanzhua.errors import FatalError
from sanzhua.load.cache import cache_dir
from tests.conftest import MakeLedger

AS_OF = date(2026, 11, 25)
T = "unit: fgw\ntasks:\n  - id: A\n"  # a file and its first task, up to the id (3 lines)
GOOD = T + "    title: 任务甲\n    due: 年底\n"
Found = list[tuple[str, int, str]]


def run(root: Path, **kw: Any) -> tuple[int, dict[str, Any]]:
    buf = io.StringIO()
    code = check(root, as_of=AS_OF, fmt="json", out=buf, cache=kw.pop("cache", False), **kw)
    return code, json.loads(buf.getvalue())


def found(doc: dict[str, Any]) -> Found:
    return [(p["file"], p["line"], p["code"]) for p in doc["problems"]]


def a(*lines: tuple[int, str]) -> Found:
    """Problems of ledgers/a.yaml."""
    return [("ledgers/a.yaml", line, code) for line, code in lines]


# (files, expected problems, exit code)
CASES: dict[str, tuple[dict[str, str | bytes], Found, int]] = {
    # --- encodings -------------------------------------------------------------------------------
    "gbk": ({"ledgers/a.yaml": (T + "    title: 中文任务\n    due: 年底\n").encode("gbk")}, a((4, "encoding")), 1),
    "utf16-notepad-unicode": ({"ledgers/a.yaml": GOOD.encode("utf-16")}, a((1, "encoding")), 1),
    "latin1": ({"ledgers/a.yaml": (T + "    title: café\n").encode("latin-1")}, a((4, "encoding")), 1),
    "binary-junk": ({"ledgers/a.yaml": bytes(range(256)) * 4}, a((1, "encoding")), 1),
    "ctrl-z-at-end": ({"ledgers/a.yaml": GOOD + "\x1a"}, a((6, "invalid-value")), 1),
    "bom-and-crlf-valid": ({"ledgers/a.yaml": b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()}, [], 0),
    "bom-and-crlf-lines-count": (
        {"ledgers/a.yaml": b"\xef\xbb\xbf" + (GOOD + "    titel: x\n").replace("\n", "\r\n").encode()},
        a((6, "unknown-key")),
        1,
    ),
    # --- YAML syntax -----------------------------------------------------------------------------
    "tab-indentation": ({"ledgers/a.yaml": T + "\ttitle: x\n"}, a((4, "syntax")), 1),
    "tab-after-colon-valid": ({"ledgers/a.yaml": T + "    title:\t任务\n    due:\t年底\n"}, [], 0),
    "fullwidth-colon": ({"ledgers/a.yaml": T + "    title：任务\n    due: 年底\n"}, a((4, "syntax")), 1),
    "fullwidth-colon-top": ({"ledgers/a.yaml": "unit：fgw\ntasks: []\n"}, a((1, "syntax")), 1),
    "fullwidth-colon-last-line": ({"ledgers/a.yaml": T + "    title: x\n    due：年底\n"}, a((5, "syntax")), 1),
    "percent-unquoted": ({"ledgers/a.yaml": "unit: %\ntasks: []\n"}, a((1, "syntax")), 1),
    "at-sign-unquoted": ({"ledgers/a.yaml": T + "    title: @某某\n"}, a((4, "syntax")), 1),
    "ampersand-alone": ({"ledgers/a.yaml": T + "    title: &\n"}, a((4, "syntax")), 1),
    "unclosed-double-quote": ({"ledgers/a.yaml": T + '    title: "未闭合\n    due: 年底\n'}, a((4, "syntax")), 1),
    "unclosed-single-quote": ({"ledgers/a.yaml": T + "    title: '未闭合\n"}, a((4, "syntax")), 1),
    "unclosed-flow-mapping": (
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 年底\n  - {id: B, title: b}\n"},
        a((3, "syntax")),
        1,
    ),
    "unclosed-flow-sequence": ({"ledgers/a.yaml": GOOD + "    tags: [a, b\n    owner: x\n"}, a((6, "syntax")), 1),
    "unclosed-bracket-at-end": ({"ledgers/a.yaml": "unit: fgw\ntasks: [\n"}, a((2, "syntax")), 1),
    "backslash-in-double-quotes": ({"ledgers/a.yaml": T + '    title: "C:\\q"\n    due: 年底\n'}, a((4, "syntax")), 1),
    "dash-without-space": ({"ledgers/a.yaml": "unit: fgw\ntasks:\n  -id: A\n    title: x\n"}, a((3, "syntax")), 1),
    "em-dash-for-hyphen": ({"ledgers/a.yaml": "unit: fgw\ntasks:\n  — id: A\n    title: x\n"}, a((3, "syntax")), 1),
    "over-indented-key": ({"ledgers/a.yaml": T + "     title: x\n"}, a((4, "syntax")), 1),
    "under-indented-key": ({"ledgers/a.yaml": T + "   title: x\n"}, a((4, "syntax")), 1),
    "key-without-colon": ({"ledgers/a.yaml": T + "    title x\n    due: 年底\n"}, a((4, "syntax")), 1),
    "colon-space-in-value": ({"ledgers/a.yaml": T + "    title: 注意: 这里\n"}, a((4, "syntax")), 1),
    "two-documents": ({"ledgers/a.yaml": GOOD + "---\nunit: jyj\ntasks: []\n"}, a((6, "syntax")), 1),
    "document-markers-valid": ({"ledgers/a.yaml": "---\n" + GOOD + "...\n"}, [], 0),
    "duplicate-key": ({"ledgers/a.yaml": GOOD + "    due: 9月底\n"}, a((6, "duplicate-key")), 1),
    "duplicate-file-key": ({"ledgers/a.yaml": "unit: fgw\n" + GOOD}, a((2, "duplicate-key")), 1),
    "key-and-its-chinese-alias": ({"ledgers/a.yaml": GOOD + "    任务: 又一个\n"}, a((6, "duplicate-key")), 1),
    "scalar-aliases-are-fine": (
        {
            "ledgers/a.yaml": "unit: &u fgw\ntasks:\n"
            "  - {id: A, title: a, due: &d 年底}\n"
            "  - {id: B, title: b, due: *d, lead: *u}\n"
        },
        [],
        0,
    ),
    "merge-key-refused": (
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - &t {id: A, title: a, due: 年底}\n  - <<: *t\n    id: B\n"},
        a((4, "syntax")),
        1,
    ),
    "undefined-alias": ({"ledgers/a.yaml": T + "    title: *标题\n"}, a((4, "syntax")), 1),
    "complex-key": ({"ledgers/a.yaml": GOOD + "    [a, b]: x\n"}, a((6, "syntax")), 1),
    "nesting-deep-in-flow": ({"ledgers/a.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n"}, a((1, "syntax")), 1),
    "nesting-deep-in-blocks": (
        {"ledgers/a.yaml": "".join("  " * i + f"k{i}:\n" for i in range(200))},
        a((65, "syntax")),
        1,
    ),
    "nesting-under-libyaml-limit": (
        {"ledgers/a.yaml": GOOD + "    tags: " + "[" * 500 + "]" * 500 + "\n"},
        a((6, "syntax")),
        1,
    ),
    # --- the shape of a file ---------------------------------------------------------------------
    "top-level-list": ({"ledgers/a.yaml": "- id: A\n  title: a\n"}, a((1, "invalid-value")), 1),
    "top-level-text": ({"ledgers/a.yaml": "只是一段文字\n"}, a((1, "invalid-value")), 1),
    "empty-file": ({"ledgers/a.yaml": ""}, a((1, "missing-key")), 1),
    "only-comments": ({"ledgers/a.yaml": "# 待补充\n\n"}, a((1, "missing-key")), 1),
    "only-document-marker": ({"ledgers/a.yaml": "---\n"}, a((1, "missing-key")), 1),
    "only-null": ({"ledgers/a.yaml": "~\n"}, a((1, "missing-key")), 1),
    "no-tasks-key": ({"ledgers/a.yaml": "unit: fgw\n"}, a((1, "missing-key")), 1),
    "tasks-empty-valid": ({"ledgers/a.yaml": "unit: fgw\ntasks:\n", "ledgers/b.yaml": "unit: fgw\ntasks: []\n"}, [], 0),
    "tasks-one-mapping": (
        {"ledgers/a.yaml": "unit: fgw\ntasks: {id: A, title: a, due: 年底}\n"},
        a((2, "invalid-value")),
        1,
    ),
    "tasks-under-wrong-key": (
        {"ledgers/a.yaml": "unit: fgw\ntask:\n  - {id: A, title: a, due: 年底}\n"},
        a((2, "unknown-key")),
        1,
    ),
    "no-unit-and-no-lead": (
        {"ledgers/a.yaml": "tasks:\n  - {id: A, title: a, due: 年底}\n  - {id: B, title: b, due: 年底}\n"},
        a((1, "missing-key")),
        1,
    ),
    "no-unit-but-every-lead-valid": (
        {"ledgers/a.yaml": "tasks:\n  - {id: A, title: a, due: 年底, lead: fgw}\n"},
        [],
        0,
    ),
    "unit-empty": ({"ledgers/a.yaml": "unit:\ntasks:\n  - {id: A, title: a, due: 年底}\n"}, a((1, "missing-key")), 1),
    "unit-a-list": (
        {"ledgers/a.yaml": "unit: [fgw]\ntasks:\n  - {id: A, title: a, due: 年底}\n"},
        a((1, "invalid-value")),
        1,
    ),
    "task-not-a-mapping": (
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - 只写了任务名\n  - - 嵌套\n"},
        a((3, "invalid-value"), (4, "invalid-value")),
        1,
    ),
    "yml-extension": ({"ledgers/a.yml": GOOD + "    titel: x\n"}, [("ledgers/a.yml", 6, "unknown-key")], 1),
    "chinese-file-name": (
        {"ledgers/乡镇/城关镇 任务.yaml": GOOD + "    statu: x\n"},
        [("ledgers/乡镇/城关镇 任务.yaml", 6, "unknown-key")],
        1,
    ),
    # --- keys ------------------------------------------------------------------------------------
    "unknown-key-titel": ({"ledgers/a.yaml": T + "    titel: x\n    due: 年底\n"}, a((4, "unknown-key")), 1),
    "unknown-key-dua": ({"ledgers/a.yaml": T + "    title: x\n    dua: 年底\n"}, a((5, "unknown-key")), 1),
    "unknown-chinese-key": ({"ledgers/a.yaml": T + "    任物: x\n    时限: 年底\n"}, a((4, "unknown-key")), 1),
    "unknown-key-in-milestone": (
        {"ledgers/a.yaml": GOOD + "    milestones:\n      - {nmae: x, due: 9月底}\n"},
        a((7, "unknown-key")),
        1,
    ),
    "fullwidth-space-after-key": (
        {"ledgers/a.yaml": T + "    title\u3000: 任务\n    due: 年底\n"},
        a((4, "unknown-key")),
        1,
    ),
    "capitalised-keys": (
        {"ledgers/a.yaml": "Unit: fgw\ntasks:\n  - ID: A\n    title: a\n    Due: 年底\n"},
        a((1, "unknown-key"), (3, "unknown-key"), (5, "unknown-key")),
        1,
    ),
    "missing-title-and-id": (
        {"ledgers/a.yaml": T + "    due: 年底\n  - title: b\n    due: 年底\n"},
        a((3, "missing-key"), (5, "missing-key")),
        1,
    ),
    "missing-due": ({"ledgers/a.yaml": T + "    title: a\n"}, a((3, "missing-key")), 1),
    "empty-id": (
        {"ledgers/a.yaml": 'unit: fgw\ntasks:\n  - id: ""\n    title: a\n    due: 年底\n'},
        a((3, "missing-key")),
        1,
    ),
    "null-id": (
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - id:\n    title: a\n    due: 年底\n"},
        a((3, "missing-key")),
        1,
    ),
    "empty-title": ({"ledgers/a.yaml": T + '    title: ""\n    due: 年底\n'}, a((4, "missing-key")), 1),
    # --- values ----------------------------------------------------------------------------------
    "impossible-day": ({"ledgers/a.yaml": T + "    title: a\n    due: 2026-02-30\n"}, a((5, "invalid-date")), 1),
    "impossible-month": ({"ledgers/a.yaml": T + "    title: a\n    due: 2026-13-01\n"}, a((5, "invalid-date")), 1),
    "not-a-leap-year": ({"ledgers/a.yaml": T + "    title: a\n    due: 2026年2月29日\n"}, a((5, "invalid-date")), 1),
    "impossible-quarter": ({"ledgers/a.yaml": T + "    title: a\n    due: 2027-Q5\n"}, a((5, "invalid-date")), 1),
    "unreadable-date": ({"ledgers/a.yaml": T + "    title: a\n    due: 尽快\n"}, a((5, "invalid-date")), 1),
    "date-a-mapping": (
        {"ledgers/a.yaml": T + "    title: a\n    due: {date: 2026-09-30}\n"},
        a((5, "invalid-date")),
        1,
    ),
    "date-a-list": ({"ledgers/a.yaml": GOOD + "    start: [2026-01-01]\n"}, a((6, "invalid-date")), 1),
    "fullwidth-digits-valid": ({"ledgers/a.yaml": T + "    title: a\n    due: ２０２６年１２月３１日\n"}, [], 0),
    "nulls-are-not-given": (
        {"ledgers/a.yaml": GOOD + '    done:\n    start: ~\n    parent: null\n    lead: ""\n    status:\n'},
        [],
        0,
    ),
    "percent-out-of-range": (
        {
            "ledgers/a.yaml": GOOD
            + "    progress:\n      - {date: 2026-06-01, percent: 150}\n      - {date: 2026-06-02, percent: -5}\n"
        },
        a((7, "invalid-value"), (8, "invalid-value")),
        1,
    ),
    "percent-with-sign-valid": (
        {"ledgers/a.yaml": GOOD + '    progress:\n      - {date: 2026-11-20, percent: "80%"}\n'},
        [],
        0,
    ),
    "number-in-chinese": (
        {"ledgers/a.yaml": GOOD + "    target: {metric: 投资, value: 一百, unit: 万元}\n"},
        a((6, "invalid-value")),
        1,
    ),
    "status-not-one-of-five": ({"ledgers/a.yaml": GOOD + "    status: finished\n"}, a((6, "invalid-value")), 1),
    "status-yaml11-on": ({"ledgers/a.yaml": GOOD + "    status: on\n"}, a((6, "invalid-value")), 1),
    "yaml11-words-stay-text": (
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: 0012, title: yes, owner: NO, due: 年底}\n"},
        [],
        0,
    ),
    "wrong-kinds": (
        {
            "ledgers/a.yaml": GOOD
            + "    owner: [张三, 李四]\n    milestones: 9月底\n    progress: 已完成一半\n    extensions: 2026-12-31\n"
            + "    partners: {a: fgw}\n    tags: {x: y}\n    target: 50000\n"
        },
        a(*((line, "invalid-value") for line in range(6, 13))),
        1,
    ),
    "id-a-list-title-a-mapping": (
        {
            "ledgers/a.yaml": "unit: fgw\ntasks:\n"
            "  - {id: [A], title: a, due: 年底}\n"
            "  - {id: B, title: {x: 1}, due: 年底}\n"
        },
        a((3, "invalid-value"), (4, "invalid-value")),
        1,
    ),
    "id-with-space": (
        {"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A 1, title: a, due: 年底}\n"},
        a((3, "invalid-value")),
        1,
    ),
    "progress-without-date": (
        {"ledgers/a.yaml": GOOD + "    progress:\n      - {note: 没有日期}\n"},
        a((7, "missing-key")),
        1,
    ),
    "extensions-malformed": (
        {"ledgers/a.yaml": GOOD + "    extensions:\n      - {from: 2026-09-30}\n      - [2026-12-31]\n"},
        a((7, "missing-key"), (8, "invalid-value")),
        1,
    ),
    "negative-weight": ({"ledgers/a.yaml": GOOD + "    weight: -1\n"}, a((6, "invalid-value")), 1),
    "single-entries-without-dash-valid": (
        {
            "ledgers/a.yaml": GOOD
            + "    milestones: {name: 开工, due: 12月15日}\n    progress: {date: 2026-11-20, percent: 50}\n"
        },
        [],
        0,
    ),
    # --- across files ----------------------------------------------------------------------------
    "duplicate-id-in-two-files": (
        {"ledgers/a.yaml": GOOD, "ledgers/b.yaml": GOOD.replace("fgw", "jyj")},
        [("ledgers/b.yaml", 3, "duplicate-id")],
        1,
    ),
    "unknown-unit": ({"ledgers/a.yaml": GOOD.replace("unit: fgw", "unit: fgv")}, a((1, "unknown-unit")), 1),
    "unknown-lead-and-partner": (
        {"ledgers/a.yaml": GOOD + "    lead: jyjj\n    partners:\n      - fgw\n      - chengguang\n"},
        a((6, "unknown-unit"), (9, "unknown-unit")),
        1,
    ),
    "upper-case-unit": ({"ledgers/a.yaml": GOOD.replace("unit: fgw", "unit: FGW")}, a((1, "unknown-unit")), 1),
    "units-by-name-and-text-list-valid": (
        {"ledgers/a.yaml": GOOD.replace("unit: fgw", "unit: 县发改委") + "    partners: jyj、城关镇\n"},
        [],
        0,
    ),
    "unknown-parent": ({"ledgers/a.yaml": GOOD + "    parent: XM-0001\n"}, a((6, "unknown-parent")), 1),
    "parent-cycle": (
        {
            "ledgers/a.yaml": "unit: fgw\ntasks:\n"
            "  - {id: A, title: a, due: 年底, parent: B}\n"
            "  - {id: B, title: b, due: 年底, parent: A}\n"
            "  - {id: C, title: c, due: 年底, parent: C}\n"
        },
        a((3, "parent-cycle"), (5, "parent-cycle")),
        1,
    ),
    "parent-too-deep": (  # 22 tasks in one chain: the 22nd is 21 levels below the first
        {
            "ledgers/a.yaml": "unit: fgw\ntasks:\n"
            + "".join(f"  - {{id: C{i}, title: c, due: 年底{f', parent: C{i - 1}' if i else ''}}}\n" for i in range(22))
        },
        a((24, "parent-too-deep")),
        1,
    ),
    # --- semantic checks -------------------------------------------------------------------------
    "milestone-after-due-is-a-warning": (
        {"ledgers/a.yaml": GOOD + "    milestones:\n      - {name: 验收, due: 2027-01-15}\n"},
        a((7, "milestone-after-due")),
        0,
    ),
    "done-before-start": (
        {"ledgers/a.yaml": GOOD + "    start: 2026-03-01\n    done: 2026-02-01\n"},
        a((7, "done-before-start")),
        1,
    ),
    "due-before-start": (
        {"ledgers/a.yaml": T + "    title: a\n    start: 2026-12-01\n    due: 2026-06-30\n"},
        a((6, "due-before-start")),
        1,
    ),
    "progress-after-as-of": (
        {"ledgers/a.yaml": GOOD + "    progress:\n      - {date: 2026-12-01, note: 未来}\n"},
        a((7, "future-date")),
        0,
    ),
    "done-after-as-of": ({"ledgers/a.yaml": GOOD + "    done: 2026-12-20\n"}, a((6, "future-date")), 0),
    "milestone-done-after-as-of": (
        {
            "ledgers/a.yaml": GOOD
            + "    milestones:\n      - {name: 开工, due: 2026-10-01, done: 2026-09-20}\n"
            + "      - 名称: 完工\n        时限: 2026-12-01\n        完成: 2026-11-30\n"
        },
        a((10, "future-date")),  # the line of 完成, not of the milestone's first key
        0,
    ),
    "child-due-after-parent": (
        {"ledgers/a.yaml": GOOD.replace("年底", "2026-11-20") + "  - {id: B, title: b, parent: A, due: 2026-12-31}\n"},
        a((5, "overdue"), (6, "child-due-after-parent")),
        0,
    ),
    "extension-not-the-deadline": (
        {"ledgers/a.yaml": GOOD + "    extensions:\n      - {from: 2026-09-30, to: 2026-11-30}\n"},
        a((5, "extension-mismatch")),
        1,
    ),
    "done-without-date": ({"ledgers/a.yaml": GOOD + "    status: 已完成\n"}, a((6, "done-without-date")), 0),
    "long-title": (  # issue 14: pointed at the title; 1,000 characters are within the bound
        {
            "ledgers/a.yaml": T + "    title: " + "督" * 1001 + "\n    due: 年底\n",
            "ledgers/b.yaml": T.replace("id: A", "id: B") + "    title: " + "督" * 1000 + "\n    due: 年底\n",
        },
        a((4, "long-title")),
        0,
    ),
}


@pytest.mark.parametrize(("files", "expected", "exit_code"), list(CASES.values()), ids=list(CASES))
def test_corpus(make_ledger: MakeLedger, files: dict[str, str | bytes], expected: Found, exit_code: int) -> None:
    # Each case next to a valid file: a broken file never stops the others being checked.
    root = make_ledger({**files, "ledgers/zz-ok.yaml": GOOD.replace("id: A", "id: OK")})
    code, doc = run(root)
    assert found(doc) == sorted(expected), json.dumps(doc["problems"], ensure_ascii=False, indent=1)
    assert code == exit_code
    assert doc["summary"]["files"] == len(files) + 1
    for p in doc["problems"]:
        assert p["line"] >= 1 and p["column"] >= 1
        assert p["message"] and p["message"] != p["code"] and p["hint"], p


def _one(root: Path, lang: str = "zh") -> dict[str, Any]:
    _, doc = run(root, lang=lang)
    assert len(doc["problems"]) == 1, doc["problems"]
    p: dict[str, Any] = doc["problems"][0]
    return p


@pytest.mark.parametrize(
    ("content", "column", "in_message", "in_hint"),
    [
        pytest.param((T + "    title: 中文\n").encode("gbk"), 12, "GBK", "iconv -f GBK", id="gbk"),
        pytest.param(GOOD.encode("utf-16"), 1, "UTF-16", "UTF-8", id="utf16"),
        pytest.param(T + "    title：任务\n    due: 年底\n", 10, "：", ":", id="fullwidth-colon"),
        pytest.param("unit: %\ntasks: []\n", 7, "%", "引号", id="percent"),
        pytest.param(T + '    title: "未闭合\n    due: 年底\n', 12, "引号", "引号", id="quote"),
        pytest.param(T + "    title: x\n    tags: [a, b\n", 11, "[", "]", id="bracket"),
        pytest.param(T + "    titel: x\n    due: 年底\n", 5, "titel", "title", id="titel"),
        pytest.param(T + "    title\u3000: x\n    due: 年底\n", 5, "title", "空格", id="fullwidth-space"),
        pytest.param(T + "    title: a\n    due: 2026-02-30\n", 10, "30", "天数", id="impossible"),
        pytest.param(T + "    title: a\n    due: 2027-Q5\n", 10, "5", "季度", id="quarter"),
        pytest.param(GOOD + "    status: canceld\n", 13, "canceld", "cancelled", id="status"),
        pytest.param(GOOD + "    milestones: 9月底\n", 17, "milestones", "name", id="milestones-hint"),
        pytest.param(GOOD + "    lead: fgww\n", 11, "fgww", "fgw", id="unit-did-you-mean"),
        pytest.param(GOOD + "    parent: A1\n", 13, "A1", "检查", id="parent"),
    ],
)
def test_place_and_words(
    make_ledger: MakeLedger, content: str | bytes, column: int, in_message: str, in_hint: str
) -> None:
    p = _one(make_ledger({"ledgers/a.yaml": content}))
    assert p["column"] == column
    assert in_message in p["message"] and in_hint in p["hint"], p


def test_duplicate_id_names_both_places(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {"ledgers/a.yaml": GOOD, "ledgers/sub/b.yaml": "unit: jyj\ntasks:\n  - {id: A, title: b, due: 年底}\n"}
    )
    p = _one(root)
    assert (p["file"], p["line"], p["task"]) == ("ledgers/sub/b.yaml", 3, "A")
    assert "ledgers/a.yaml:3" in p["message"]


def test_english_messages(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": T + '    title: "C:\\q"\n',
            "ledgers/b.yaml": "tasks:\n  - {id: B, title: b, due: 2026-Q5}\n",
        },
        settings="name: x\nlang: fr\n",
    )
    _, doc = run(root, lang="en")
    messages = [(p["code"], p["message"]) for p in doc["problems"]]
    assert messages == [
        ("syntax", "a backslash in double quotes starts an unknown escape (as in a Windows path C:\\dir)"),
        ("missing-key", "the file has no 'unit' and the task B has no 'lead'"),
        ("invalid-date", "the date '2026-Q5' in 'due' does not exist: quarter 5 does not exist"),
        ("invalid-value", "invalid value 'fr' for 'lang': must be zh or en"),
    ]


def test_alias_bomb_refused(make_ledger: MakeLedger) -> None:
    # Expanded, this is 10^9 strings: a run that returns at all did not expand it. How fast
    # it returns is the benchmark's business, not a test's.
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    bomb = "\n".join(lines) + "\n"
    root = make_ledger({"ledgers/bomb.yaml": bomb, "ledgers/ok.yaml": GOOD}, settings="name: x\n" + bomb)
    (root / "calendar.yaml").write_text(bomb, encoding="utf-8")
    code, doc = run(root)
    assert code == 1
    assert [(f, c) for f, _, c in found(doc)] == [
        ("calendar.yaml", "syntax"),
        ("ledgers/bomb.yaml", "syntax"),
        ("sanzhua.yaml", "syntax"),
    ]


# --- sanzhua.yaml, units.yaml and calendar.yaml --------------------------------------------------

SETTINGS_CASES: dict[str, tuple[str, Found]] = {
    "unknown-key": ("name: x\ndue_son_days: 3\n", [("sanzhua.yaml", 2, "unknown-key")]),
    "unknown-bulletin-key": ("name: x\nbulletin:\n  nmae: y\n", [("sanzhua.yaml", 3, "unknown-key")]),
    "bad-lang": ("name: x\nlang: fr\n", [("sanzhua.yaml", 2, "invalid-value")]),
    "due-soon-days-text": ("name: x\ndue_soon_days: 五\n", [("sanzhua.yaml", 2, "invalid-value")]),
    "due-soon-days-negative": ("name: x\ndue_soon_days: -1\n", [("sanzhua.yaml", 2, "invalid-value")]),
    "behind-margin-too-big": ("name: x\nbehind_margin: 120\n", [("sanzhua.yaml", 2, "invalid-value")]),
    "report-every": ("name: x\nreport_every: weekly\n", [("sanzhua.yaml", 2, "invalid-value")]),
    "impossible-first-week": ("name: x\nbulletin:\n  first_week: 2026-02-30\n", [("sanzhua.yaml", 3, "invalid-date")]),
    "unreadable-first-week": ("name: x\nbulletin:\n  first_week: 下周\n", [("sanzhua.yaml", 3, "invalid-date")]),
    "bulletin-text": ("name: x\nbulletin: 政务督查\n", [("sanzhua.yaml", 2, "invalid-value")]),
    "name-missing": ("office: 督查室\nyear: 2026\n", [("sanzhua.yaml", 1, "missing-key")]),
    "name-empty": ("office: 督查室\nname:\n", [("sanzhua.yaml", 2, "missing-key")]),
    "name-a-list": ("name: [a, b]\n", [("sanzhua.yaml", 1, "invalid-value")]),
    "empty-file": ("", [("sanzhua.yaml", 1, "missing-key")]),
    "a-list": ("- name: x\n", [("sanzhua.yaml", 1, "invalid-value")]),
    "syntax": ("name: x\nlang：zh\n", [("sanzhua.yaml", 2, "syntax")]),
    "duplicate-key": ("name: x\nname: y\n", [("sanzhua.yaml", 2, "duplicate-key")]),
    "too-deep": ("name: x\nbulletin: " + "[" * 500 + "]" * 500 + "\n", [("sanzhua.yaml", 2, "syntax")]),
}


@pytest.mark.parametrize(("settings", "expected"), list(SETTINGS_CASES.values()), ids=list(SETTINGS_CASES))
def test_settings_corpus(make_ledger: MakeLedger, settings: str, expected: Found) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD + "    titel: x\n"}, settings=settings)
    code, doc = run(root)
    assert found(doc) == sorted([*expected, ("ledgers/a.yaml", 6, "unknown-key")])  # the ledger is still checked
    assert code == 1
    assert all(p["hint"] for p in doc["problems"])


def test_settings_problems_say_what_is_allowed(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD}, settings="name: x\nlang: fr\ndue_soon_days: -1\n")
    _, doc = run(root)
    lang, days = doc["problems"]
    assert "zh" in lang["message"] and "en" in lang["hint"] and "Input should" not in lang["message"]
    assert "不能小于 0" in days["message"] and "0 到 366" in days["hint"]


UNITS_CASES: dict[str, tuple[str | bytes | None, Found]] = {
    "unknown-key-keeps-the-unit": (
        "units:\n  - {id: fgw, name: 县发改委, knd: 县直部门}\n",
        [("units.yaml", 2, "unknown-key")],
    ),
    "unknown-top-key": ("units:\n  - {id: fgw, name: 县发改委}\nunit: []\n", [("units.yaml", 3, "unknown-key")]),
    "upper-case-id": ("units:\n  - {id: FGW, name: 县发改委}\n", [("units.yaml", 2, "invalid-value")]),
    "name-missing": ("units:\n  - {id: fgw}\n", [("units.yaml", 2, "missing-key")]),
    "editors-a-mapping": ("units:\n  - {id: fgw, name: x, editors: {a: b}}\n", [("units.yaml", 2, "invalid-value")]),
    "duplicate-id": (
        "units:\n  - {id: fgw, name: 县发改委}\n  - {id: fgw, name: 又一个}\n",
        [("units.yaml", 3, "duplicate-id")],
    ),
    "entry-not-a-mapping": ("units:\n  - fgw\n  - {id: fgw, name: x}\n", [("units.yaml", 2, "invalid-value")]),
    "empty-file": ("", [("units.yaml", 1, "missing-key")]),
    "a-list": ("- {id: fgw, name: 县发改委}\n", [("units.yaml", 1, "invalid-value")]),
    "units-one-mapping": ("units: {id: fgw, name: 县发改委}\n", [("units.yaml", 1, "invalid-value")]),
    "gbk": ("units:\n  - {id: fgw, name: 县发改委}\n".encode("gbk"), [("units.yaml", 2, "encoding")]),
    "missing": (None, [("units.yaml", 1, "missing-file")]),
}


@pytest.mark.parametrize(("units", "expected"), list(UNITS_CASES.values()), ids=list(UNITS_CASES))
def test_units_corpus(make_ledger: MakeLedger, units: str | bytes | None, expected: Found) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD}, units=units if isinstance(units, str) else None)
    if isinstance(units, bytes):
        (root / "units.yaml").write_bytes(units)
    code, doc = run(root)
    # A broken units.yaml is reported once, not again for every unit the ledgers name.
    assert found(doc) == expected
    assert code == 1


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        pytest.param("holiday: [2027-01-01]\n", [("calendar.yaml", 1, "unknown-key")], id="unknown-key"),
        pytest.param("holidays: [2027-02-30, 尽快]\n", [("calendar.yaml", 1, "invalid-date")] * 2, id="bad-dates"),
        pytest.param("workdays: 2027-02-14\n", [("calendar.yaml", 1, "invalid-value")], id="not-a-list"),
        pytest.param("- 2027-01-01\n", [("calendar.yaml", 1, "invalid-value")], id="a-list"),
        pytest.param("holidays: [2027-01-01\n", [("calendar.yaml", 1, "syntax")], id="unclosed"),
        pytest.param("holidays:\nworkdays:\n", [], id="empty-values-valid"),
    ],
)
def test_calendar_corpus(make_ledger: MakeLedger, calendar: str, expected: Found) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD, "calendar.yaml": calendar})
    code, doc = run(root)
    assert found(doc) == expected
    assert code == (1 if expected else 0)


# --- the run as a whole --------------------------------------------------------------------------


def test_json_is_exactly_the_format_shape(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": T + "    title: a\n    due: 尽快\n", "ledgers/b.yaml": b"\x00"})
    _, doc = run(root)
    assert list(doc) == ["version", "as_of", "problems", "summary"]
    assert (doc["version"], doc["as_of"]) == (1, "2026-11-25")
    for p in doc["problems"]:
        assert list(p) == ["code", "severity", "file", "line", "column", "task", "message", "hint"]
        assert p["severity"] in ("error", "warning") and isinstance(p["line"], int) and isinstance(p["column"], int)
    assert doc["summary"] == {"files": 2, "tasks": 1, "errors": 2, "warnings": 0, "overdue": 0}


def test_cached_run_reports_the_same(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            f"ledgers/{name}.yaml": files["ledgers/a.yaml"]
            for name, (files, _, _) in CASES.items()
            if "ledgers/a.yaml" in files
        }
    )
    cold = run(root, cache=True)
    warm = run(root, cache=True)
    assert cache_dir(root).is_dir()
    assert warm == cold == run(root)


def test_symlink_loop_in_ledgers(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD})
    os.symlink("..", root / "ledgers/loop")
    os.symlink("nowhere.yaml", root / "ledgers/broken.yaml")
    code, doc = run(root)
    assert ("ledgers/broken.yaml", 1, "encoding") in found(doc)
    assert code == 1


def test_no_ledger_root(tmp_path: Path) -> None:
    with pytest.raises(FatalError) as err:
        check(tmp_path / "nowhere", as_of=AS_OF)
    assert "sanzhua init" in str(err.value.hint)


def test_cli_never_shows_a_traceback(make_ledger: MakeLedger, tmp_path: Path) -> None:
    import sanzhua

    src = str(Path(sanzhua.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": src}
    files = {
        f"ledgers/{name}.yaml": files["ledgers/a.yaml"]
        for name, (files, _, _) in CASES.items()
        if "ledgers/a.yaml" in files
    }
    root = make_ledger(files, settings="name: x\nlang: fr\nbulletin: [\n", units="units:\n  - {id: FGW}\n")
    for args in (["--format", "json"], ["--lang", "en"], ["--format", "github"], []):
        r = subprocess.run(
            [sys.executable, "-m", "sanzhua", "check", "--as-of", "2026-11-25", "--no-cache", *args],
            cwd=root / "ledgers",
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        assert r.returncode == 1, r.stderr
        assert "Traceback" not in r.stdout + r.stderr and "internal error" not in r.stderr
    empty = tmp_path / "empty" / "sub"
    empty.mkdir(parents=True)
    r = subprocess.run(
        [sys.executable, "-m", "sanzhua", "check"], cwd=empty, capture_output=True, text=True, env=env, check=False
    )
    assert r.returncode == 2 and "sanzhua init" in r.stderr and "Traceback" not in r.stderr
