"""What a unit's own text and numbers do to the shape of every output (issue 14, p-redout).

A title, a unit's name or a number is written by whoever edits the ledger; whatever it
holds, the bulletin keeps its tables and headings, a spreadsheet runs nothing, a problem
stays on its line, and JSON stays JSON. Each test runs the real command on a real git
ledger and reads the output back (markdown-it for the Markdown, python-docx for Word,
the csv and json modules).
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AS_OF = "2026-11-25"


def _git(root: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@x", "GIT_AUTHOR_DATE": "2026-11-02T10:00:00+08:00",
           "GIT_COMMITTER_DATE": "2026-11-02T10:00:00+08:00"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def ledger(tmp_path: Path, units: str, files: dict[str, str], settings: str = "") -> Path:
    """A committed ledger: `units` the lines of units.yaml's list, `files` ledger files."""
    root = tmp_path / "ledger"
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text(
        "name: 测试县督查台账\noffice: 县政府督查室\nyear: 2026\nlang: zh\ntracking_since: 2026-10-01\n" + settings,
        encoding="utf-8",
    )
    (root / "units.yaml").write_text("units:\n" + units, encoding="utf-8")
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "init")
    return root


def sanzhua(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=root, capture_output=True, text=True,
        env={**os.environ, "COLUMNS": "200"}, timeout=120,
    )
    assert r.returncode in (0, 1), r.stderr
    assert "Traceback" not in r.stderr
    return r


def strict_json(text: str) -> object:
    """JSON as any other program reads it: no Infinity, no NaN."""

    def refuse(name: str) -> object:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


# --- numbers -----------------------------------------------------------------------------

HUGE = """\
unit: a
tasks:
  - id: A-1
    title: 巨大目标
    due: 2026-12-31
    target: {metric: 投资, value: 1e308, unit: 万元}
    progress:
      - {date: 2026-11-20, value: 1e308}
  - id: A-2
    title: 上级
    due: 2026-12-31
    target: {metric: 个数, value: 10, unit: 个}
  - id: A-3
    title: 下级一
    parent: A-2
    target: {metric: 个数, value: 1e308, unit: 个}
    progress: [{date: 2026-11-20, value: 1e308}]
  - id: A-4
    title: 下级二
    parent: A-2
    target: {metric: 个数, value: 1e308, unit: 个}
    progress: [{date: 2026-11-20, value: 1e308}]
  - id: A-5
    title: 极小目标
    due: 2026-12-31
    target: {metric: 投资, value: 1e-300, unit: 万元}
    progress:
      - {date: 2026-11-20, value: 1e300}
"""


def test_huge_targets_and_values_give_json_and_no_inf(tmp_path: Path) -> None:
    root = ledger(tmp_path, "  - {id: a, name: 甲局}\n", {"ledgers/a.yaml": HUGE})
    doc = strict_json(sanzhua(root, "status", "--all", "-f", "json", "--as-of", AS_OF).stdout)
    percent = {t["id"]: t["percent"] for t in doc["tasks"]}  # type: ignore[index]
    assert percent["A-1"] == 100.0  # 1e308 of 1e308, not 100 × 1e308 / 1e308 = inf
    assert percent["A-3"] == percent["A-4"] == 100.0
    assert percent["A-2"] == percent["A-5"] == sys.float_info.max  # past any float: the largest
    shown = strict_json(sanzhua(root, "show", "A-2", "-f", "json", "--as-of", AS_OF).stdout)
    assert "Infinity" not in json.dumps(shown)
    for args in (("brief", "--week"), ("status", "--all"), ("show", "A-2"), ("export", "-f", "csv", "-o", "-")):
        out = sanzhua(root, *args, "--as-of", AS_OF).stdout
        assert "inf" not in out and "nan" not in out, args
    sanzhua(root, "site", "-o", str(tmp_path / "site"), "--as-of", AS_OF)
    for page in (tmp_path / "site").rglob("*"):
        if page.suffix in (".js", ".html", ".json"):
            assert "Infinity" not in page.read_text(encoding="utf-8"), page


# --- CSV: nothing a spreadsheet runs -------------------------------------------------------

FORMULAS = ["=1+1", "+2+3", "-2+3", "@SUM(1)", '=HYPERLINK("http://e","x")']


def _formula_ledger(tmp_path: Path) -> Path:
    units = "".join(f"  - {{id: u{i}, name: {json.dumps(f)}, kind: {json.dumps(f)}}}\n" for i, f in enumerate(FORMULAS))
    files = {
        f"ledgers/u{i}.yaml": (
            f"unit: u{i}\ntasks:\n  - id: F-{i}\n    title: {json.dumps(f)}\n    owner: {json.dumps(f)}\n"
            f"    leader: {json.dumps(f)}\n    category: {json.dumps(f)}\n    tags: [{json.dumps(f)}]\n"
            "    due: 2026-11-10\n"
        )
        for i, f in enumerate(FORMULAS)
    }
    return ledger(tmp_path, units, files)


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--all", "-f", "csv"),
        ("status", "--by", "unit", "-f", "csv"),
        ("status", "--by", "leader", "-f", "csv"),
        ("score", "-f", "csv"),
        ("score", "--explain", "u4", "-f", "csv"),
        ("export", "-f", "csv", "-o", "-"),
    ],
)
def test_no_csv_cell_is_a_formula(tmp_path: Path, args: tuple[str, ...]) -> None:
    """status, score and export as CSV (status's and score's wrote the text as it was)."""
    root = _formula_ledger(tmp_path)
    out = sanzhua(root, *args, "--as-of", AS_OF).stdout
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    cells = [c for row in rows[1:] for c in row]
    assert any("HYPERLINK" in c or "=1+1" in c for c in cells), out  # the text is there
    for c in cells:
        assert not c.startswith(("=", "+", "@", "\t", "\r")), (args, c)
        assert not c.startswith("-") or c.lstrip("-").replace(".", "").isdigit(), (args, c)


def test_score_markdown_escapes_ledger_text(tmp_path: Path) -> None:
    """score -f md wrote a unit's name into its table as it was: HTML, a link, a comment."""
    from markdown_it import MarkdownIt

    names = ["<img src=x onerror=alert(1)>局", "[点我](javascript:alert(1))局", "<!-- 注释局", "反引号`x`局"]
    units = "".join(f"  - {{id: u{i}, name: {json.dumps(n)}}}\n" for i, n in enumerate(names))
    files = {f"ledgers/u{i}.yaml": f"unit: u{i}\ntasks:\n  - {{id: M-{i}, title: {json.dumps(n)}, due: 2026-11-10}}\n"
             for i, n in enumerate(names)}
    root = ledger(tmp_path, units, files)
    md = MarkdownIt("commonmark").enable("table")  # raw HTML allowed, as a Markdown viewer may
    for args in (("score", "-f", "md"), ("score", "--explain", "u0", "-f", "md")):
        text = sanzhua(root, *args, "--as-of", AS_OF).stdout
        html = md.render(text)
        assert "<img" not in html and "<!--" not in html and "<a " not in html, html
        assert "onerror=alert(1)" in html  # shown as text
    table = sanzhua(root, "score", "-f", "md", "--as-of", AS_OF).stdout
    assert sum(1 for t in md.parse(table) if t.type == "tr_open") == 1 + len(names)


# --- the Markdown bulletin: a value never starts a block ----------------------------------

BLOCK_NAMES = ["# 标题局", "- 列表局", "+ 加号局", "1. 数字局", "2) 括号局", "---", "==="]


def test_a_value_at_the_start_of_a_line_starts_no_block(tmp_path: Path) -> None:
    """A unit named "# 标题局" printed before its table of overdue tasks was a heading as
    big as the bulletin's name; "- …", "1. …" a list; a title after "5. " a heading or a
    list inside the list of tasks done. Every one is text now, and every unit still has
    its line and its table."""
    from markdown_it import MarkdownIt

    units = "".join(f"  - {{id: u{i}, name: {json.dumps(n)}, kind: 县直部门}}\n" for i, n in enumerate(BLOCK_NAMES))
    files = {
        f"ledgers/u{i}.yaml": (
            f"unit: u{i}\ntasks:\n"
            f"  - {{id: B-{i}a, title: {json.dumps(n)}, owner: {json.dumps(n)}, due: 2026-11-10}}\n"
            f"  - {{id: B-{i}b, title: {json.dumps(n)}, due: 2026-12-31, done: 2026-11-24}}\n"
            f"  - {{id: B-{i}c, title: {json.dumps(n)}, start: 2026-01-01, due: 2026-12-20,"
            " progress: [{date: 2026-10-05, percent: 5}]}\n"
        )
        for i, n in enumerate(BLOCK_NAMES)
    }
    settings = 'bulletin:\n  requirements:\n    - "# 要求一"\n    - "- 要求二"\n'
    root = ledger(tmp_path, units, files, settings)
    md = MarkdownIt("commonmark").enable("table")
    for args in (("brief", "--week"), ("brief", "--month"), ("brief", "--unit", "u0")):
        text = sanzhua(root, *args, "--as-of", AS_OF).stdout
        tokens = md.parse(text)
        headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
        marks = ("标题局", "列表局", "加号局", "数字局", "括号局", "要求一", "要求二", "-", "=")
        assert not any(h.startswith(m) for h in headings for m in marks), headings  # a value's own heading
        assert not any(t.type == "bullet_list_open" for t in tokens), args
        assert not any(t.type == "hr" and t.map and t.map[0] > 10 and t.map[0] < len(text.splitlines()) - 8
                       for t in tokens), args
        for t in tokens:  # no list inside a list item
            if t.type in ("ordered_list_open", "bullet_list_open"):
                assert t.level == 0, (args, t.map)
    week = sanzhua(root, "brief", "--week", "--as-of", AS_OF).stdout
    tokens = md.parse(week)
    inline = " ".join(t.content for t in tokens if t.type == "inline")
    for n in BLOCK_NAMES:  # every unit's line before its table of overdue tasks, as text
        assert f"{n}（逾期任务1项" in inline.replace("\\", ""), n
    rows = sum(1 for t in tokens if t.type == "tr_open")
    assert rows == sum(1 for line in week.splitlines() if line.startswith("|") and not line.startswith("|-"))


# --- check: one problem, one line ----------------------------------------------------------

FORGED = "项目\nledgers/b.yaml:1:1: 错误 伪造的问题 [syntax]\u2028第三行\r第四行"


def test_a_title_over_lines_cannot_forge_a_problem_line(tmp_path: Path) -> None:
    """check quoted a title written over two lines as it was: its second line stood on its
    own in the output, where it read as a problem of another file."""
    units = "  - {id: a, name: 甲局}\n"
    task = f"  - {{id: A-1, title: {json.dumps(FORGED)}, due: 2026-11-10}}\n"
    root = ledger(tmp_path, units, {"ledgers/a.yaml": "unit: a\ntasks:\n" + task})
    for lang in ("zh", "en"):
        out = sanzhua(root, "check", "--as-of", AS_OF, "--lang", lang).stdout
        assert "伪造的问题" in out  # the title is quoted
        lines = out.splitlines()
        assert not any(line.startswith("ledgers/b.yaml") for line in lines), out
        assert not any(line.startswith(("第三行", "第四行")) for line in lines), out
        assert len([line for line in lines if line.startswith("ledgers/a.yaml:")]) == 1, out


# --- Word: a row taller than a page may break ----------------------------------------------


def test_a_row_taller_than_a_page_may_break_across_pages(tmp_path: Path) -> None:
    """The tables' rows are kept on one page (cantSplit), and Word clips a row that cannot
    fit on any page: a long title's row lost its end on paper. Such a row may split now;
    an ordinary row is still kept whole."""
    from docx import Document

    long_title = "国" * 900 + "完"
    names = "、".join(["张三"] * 60)
    files = {"ledgers/a.yaml": (
        "unit: a\ntasks:\n"
        f"  - {{id: A-1, title: {long_title}, owner: 李四, due: 2026-11-10}}\n"
        f"  - {{id: A-2, title: 普通任务, owner: {json.dumps(names)}, due: 2026-11-10}}\n"
        "  - {id: A-3, title: 另一项普通任务, owner: 王五, due: 2026-11-10}\n"
    )}
    root = ledger(tmp_path, "  - {id: a, name: 甲局}\n", files)
    out = tmp_path / "b.docx"
    sanzhua(root, "brief", "--week", "--as-of", AS_OF, "-f", "docx", "-o", str(out))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    seen = {}
    for table in Document(str(out)).tables:
        for row in table.rows:
            text = "".join(t.text or "" for t in row._tr.iter(f"{w}t"))
            for tid in ("A-1", "A-2", "A-3"):
                if text.startswith(("1" + tid, "2" + tid, "3" + tid)) or f"{tid}" in text[:8]:
                    seen.setdefault(tid, []).append(row._tr.find(f"{w}trPr/{w}cantSplit") is not None)
    assert seen["A-1"] and not any(seen["A-1"]), seen  # 900 characters in the task column
    assert seen["A-2"] and not any(seen["A-2"]), seen  # 180 in the narrow 责任人 column
    assert seen["A-3"] and all(seen["A-3"]), seen


def test_tall_rows_are_measured_by_their_cells() -> None:
    from lxml import etree

    from sanzhua.render.docx import TALL_LINES, let_tall_rows_split

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def row(width: int, text: str) -> str:
        return (f'<w:tr><w:trPr><w:cantSplit/></w:trPr><w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc></w:tr>")

    # 2,600 twips less the margins hold 9 wide characters a line
    rows = [row(2600, "国" * 9 * TALL_LINES), row(2600, "国" * (9 * TALL_LINES + 1)), row(2600, "a" * 18 * TALL_LINES),
            row(2600, "a" * 18 * (TALL_LINES + 1)), row(900, "国" * 61)]
    body = etree.fromstring(f'<w:body xmlns:w="{w}"><w:tbl>{"".join(rows)}</w:tbl></w:body>')
    assert let_tall_rows_split(body) == 3
    kept = [r.find(f"{{{w}}}trPr/{{{w}}}cantSplit") is not None for r in body.iter(f"{{{w}}}tr")]
    assert kept == [True, False, True, False, False]


# --- bidirectional controls: no document shows its own words reversed ----------------------

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_bidirectional_controls_reach_no_document(tmp_path: Path) -> None:
    """An unclosed U+202E in a title reversed the rest of its line in the bulletin: the
    template's own words and numbers ("比时限提前37天") read backwards."""
    import openpyxl
    from docx import Document

    title = "\u202e局反转\u2067隔离"
    files = {"ledgers/a.yaml": (
        "unit: a\ntasks:\n"
        f"  - {{id: R-1, title: {json.dumps(title)}, owner: {json.dumps(title)}, due: 2026-12-31, done: 2026-11-24}}\n"
        f"  - {{id: R-2, title: {json.dumps(title)}, due: 2026-11-10,\n"
        f"      milestones: [{{name: {json.dumps(title)}, due: 2026-11-01}}]}}\n"
    )}
    root = ledger(tmp_path, f"  - {{id: a, name: {json.dumps(title + '单位')}}}\n", files)
    texts = {}
    sanzhua(root, "brief", "--week", "--as-of", AS_OF, "-o", str(tmp_path / "b.md"))  # a file: no terminal filter
    texts["md"] = (tmp_path / "b.md").read_text(encoding="utf-8")
    sanzhua(root, "export", "-f", "csv", "-o", str(tmp_path / "e.csv"), "--as-of", AS_OF)
    texts["csv"] = (tmp_path / "e.csv").read_text(encoding="utf-8-sig")
    sanzhua(root, "brief", "--week", "--as-of", AS_OF, "-f", "docx", "-o", str(tmp_path / "b.docx"))
    texts["docx"] = "\n".join(p.text for t in Document(str(tmp_path / "b.docx")).tables for r in t.rows for p in
                              (c for c in r.cells))
    sanzhua(root, "export", "-o", str(tmp_path / "e.xlsx"), "--as-of", AS_OF)
    wb = openpyxl.load_workbook(tmp_path / "e.xlsx")
    texts["xlsx"] = "\n".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value)
    sanzhua(root, "calendar", "-o", str(tmp_path / "c.ics"), "--as-of", AS_OF)
    texts["ics"] = (tmp_path / "c.ics").read_text(encoding="utf-8")
    for name, text in texts.items():
        assert "局反转" in text, name  # the title is there
        assert not any(ch in text for ch in BIDI), name


# --- a title over lines in Word -----------------------------------------------------------


@pytest.mark.parametrize("own_template", [False, True])
def test_a_value_over_lines_is_one_line_in_word(tmp_path: Path, own_template: bool) -> None:
    """A title written over lines kept its line break in Word (docxtpl's `w:br`), and Word
    stretches a justified line ending in one across its cell ("项 目 前 期 工 作"). Its lines
    are joined as the Markdown joins them, in sanzhua's template and a ledger's own."""
    from docx import Document

    files = {"ledgers/a.yaml": (
        "unit: a\ntasks:\n"
        "  - id: L-1\n    title: |-\n      推进森林公园综合开发项目前期工作\n      完成可研批复\n"
        "    owner: \"张三\\r\\n李四\"\n    due: 2026-11-10\n"
        "    milestones: [{name: \"里程\\u2028一\", due: 2026-11-01}]\n"
        "    progress: [{date: 2026-11-03, percent: 10, note: \"第一行\\n第二行\"}]\n"
    )}
    root = ledger(tmp_path, "  - {id: a, name: 甲局}\n", files)
    if own_template:
        (root / "templates").mkdir()
        builtin = Path(__file__).resolve().parent.parent / "templates" / "brief.docx"
        (root / "templates" / "brief.docx").write_bytes(builtin.read_bytes())
    out = tmp_path / "b.docx"
    sanzhua(root, "brief", "--week", "--as-of", AS_OF, "-f", "docx", "-o", str(out))
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = Document(str(out)).element.body
    joined = [p for p in body.iter(f"{w}p") if "推进森林" in "".join(t.text or "" for t in p.iter(f"{w}t"))]
    assert joined, "the title is in the bulletin"
    for p in joined:
        text = "".join(t.text or "" for t in p.iter(f"{w}t"))
        assert text.count("推进森林公园综合开发项目前期工作 完成可研批复") == 1, text
    for p in body.iter(f"{w}p"):
        if p.find(f".//{w}br") is not None:  # the template's own header breaks ("逾期\n天数") only
            text = "".join(t.text or "" for t in p.iter(f"{w}t"))
            assert len(text) <= 8 and not any(s in text for s in ("推进", "张三", "里程", "第一行")), text


def test_bidirectional_controls_reach_no_page_of_the_site(tmp_path: Path) -> None:
    """The site kept them: an unclosed U+202E in a unit's name reversed the unit's kind
    beside its link ("县直部门" read "门部直县"), in a milestone's name the template's own
    words around it on the task page ("尚未完成，已过时限 2026-11-01" backwards), in the
    timeline's SVG and the change record. Every page, script and chart drops them now."""
    title = "\u202e反转标题\u2067隔离"
    files = {"ledgers/a.yaml": (
        "unit: a\ntasks:\n"
        f"  - {{id: R-1, title: {json.dumps(title)}, owner: {json.dumps(title)}, due: 2026-11-10,\n"
        f"      milestones: [{{name: {json.dumps(title)}, due: 2026-11-01}}],\n"
        f"      progress: [{{date: 2026-11-03, percent: 10, note: {json.dumps(title)}}}]}}\n"
        f"  - {{id: R-2, title: {json.dumps(title)}, due: 2026-12-31, done: 2026-11-24}}\n"
    )}
    root = ledger(tmp_path, f"  - {{id: a, name: {json.dumps('甲局' + title)}, kind: 县直部门}}\n", files)
    site = tmp_path / "site"
    sanzhua(root, "site", "--as-of", AS_OF, "-o", str(site))
    seen = 0
    for path in site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".svg"):
            text = path.read_text(encoding="utf-8")
            assert not any(ch in text for ch in BIDI), path
            seen += "反转标题" in text
    assert seen >= 5  # the title is on the overview, the lists, the task pages and in tasks.js
