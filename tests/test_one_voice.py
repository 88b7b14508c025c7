"""One way to say things (issue 16): one light-label table for every output, one problem
type and output layer for `check` and `audit`, and a fatal error said in one language."""

from __future__ import annotations

import ast
import io
import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest

from sanzhua.commands.audit import audit
from sanzhua.commands.check import check
from sanzhua.commands.show import show
from sanzhua.errors import FatalError
from sanzhua.i18n import LIGHT_LABELS, STATE_LABELS
from sanzhua.output import AUDIT_FORMATS, FORMATS
from sanzhua.problems import Msg, Problem, Revision, msg
from sanzhua.report import brief as report_brief
from tests.conftest import REPO, MakeLedger
from tests.test_cli import sanzhua
from tests.test_lang_purity import EN_UNITS
from tests.test_orderings import AS_OF

EN_SETTINGS = """\
name: Riverside County key tasks 2026
office: County Supervision Office
year: 2026
lang: en
"""


def test_a_done_light_is_called_as_the_bulletin_and_the_format_call_it() -> None:
    """完成 and 已完成 disagreed between show/export and the bulletin: 已完成 everywhere now."""
    assert LIGHT_LABELS["done"][0] == "已完成"
    doc = (REPO / "docs" / "format.md").read_text(encoding="utf-8")
    assert "| `done` | 已完成 | 已完成，且完成日期不晚于时限 | 已完成 |" in doc  # the light column
    for lang, i in (("zh", 0), ("en", 1)):
        assert report_brief.LIGHT_LABELS[lang] == {k: v[i] for k, v in LIGHT_LABELS.items()}
        assert report_brief.STATE_LABELS[lang] == {k: v[i] for k, v in STATE_LABELS.items()}
    buf = io.StringIO()
    show(REPO, "NYJ-002", as_of=AS_OF, out=buf, width=120)
    assert "✓ 已完成" in buf.getvalue()


def test_check_and_audit_problems_are_one_type_printed_by_one_layer() -> None:
    found = Problem(
        "backdated",
        "warning",
        "ledgers/a.yaml",
        3,
        0,
        Msg("audit.summary", {"commits": 1, "errors": 0, "warnings": 1}),
        msg("audit.backdated.hint"),
        "A-1",
        Revision("0123456789abcdef", "li@example.org", "李四", "2026-03-02", "补报"),
        None,
        {"date": "2026-01-01"},
    )
    row = json.loads(AUDIT_FORMATS["json"]([found], 1, "zh"))["findings"][0]
    assert (row["commit"], row["author"], row["author_name"], row["date"], row["subject"]) == (
        "0123456789abcdef",
        "li@example.org",
        "李四",
        "2026-03-02",
        "补报",
    )
    assert row["after"] == {"date": "2026-01-01"} and row["before"] is None
    # the hint line and the level read the same under both commands
    audit_text = AUDIT_FORMATS["text"]([found], 1, "zh")
    assert "ledgers/a.yaml:3: 警告 " in audit_text and "\n      提示：" in audit_text
    assert set(FORMATS) == set(AUDIT_FORMATS) == {"text", "json", "github"}
    gh = AUDIT_FORMATS["github"]([found], 1, "en")
    assert gh.startswith("::warning file=ledgers/a.yaml,line=3,title=backdated::")


def test_unknown_codes_are_refused_the_same_way_in_the_ledgers_language(make_ledger: MakeLedger) -> None:
    root = make_ledger({})
    for command in (check, audit):
        with pytest.raises(FatalError) as e:
            command(root, select=["nope"], out=io.StringIO(), **({"as_of": AS_OF} if command is check else {}))
        zh, hint = e.value.text("zh")
        assert zh.startswith("--select：没有名为 nope 的") and hint is not None and hint.startswith("可用的代码")
        en, hint_en = e.value.text("en")
        assert en.startswith("--select: no ") and hint_en is not None and hint_en.startswith("known codes: ")
        # no language known (called outside the CLI): both, glued
        assert e.value.message == f"{zh} / {en}"
    # through the CLI: the audit's hint was English under a Chinese ledger before
    r = sanzhua("audit", "--select", "nope", cwd=REPO)
    assert r.returncode == 2
    assert r.stderr.splitlines()[1].startswith("  可用的代码") and " / " not in r.stderr


def test_a_fatal_error_is_said_in_the_language_it_knows() -> None:
    e = FatalError(msg("option.choice", option="--format", choices="a、b", choices_en="a, b", given="x"), lang="en")
    assert e.message == "--format takes one of a, b (got x)" and e.hint is None
    assert e.text("zh")[0] == "--format takes one of a, b (got x)"  # its own language first
    plain = FatalError("文件不存在：x", "请检查")
    assert plain.text("en") == ("文件不存在：x", "请检查")  # plain text is data: as it is


def test_an_english_ledger_hears_english_only(make_ledger: MakeLedger) -> None:
    root = make_ledger({}, settings=EN_SETTINGS)
    r = sanzhua("check", "--format", "xml", cwd=root)
    assert r.returncode == 2
    assert r.stderr == "sanzhua: --format takes one of text, json, github (got xml)\n"
    r = sanzhua("check", "--format", "xml", cwd=make_ledger({}))
    assert r.returncode == 2


def test_audit_rules_are_one_module_each_registered_like_the_checks() -> None:
    from sanzhua.history import rules

    folder = REPO / "src" / "sanzhua" / "history" / "rules"
    files = {p.stem for p in folder.glob("*.py")} - {"__init__", "base"}
    assert files == {code.replace("-", "_") for code in rules.RULES}, "every rule module is registered"
    entry = {"task": "audit", "commit": "audit_commit", "tree": "audit_entry"}
    for code, m in rules.RULES.items():
        assert m.__name__.endswith("." + code.replace("-", "_"))
        assert m.LEVEL in ("error", "warning") and rules.CODES[code][0] == m.LEVEL
        assert m.SCOPE in entry
        others = ("audit_signature", "audit_skipped", "audit_cut", "audit_versions")
        assert any(hasattr(m, f) for f in (entry[m.SCOPE], *others)), code
        assert len(rules.CODES[code][1]) > 40, "its docstring documents it"
    assert {m.CODE for m in rules.TASK_RULES} == {c for c, m in rules.RULES.items() if m.SCOPE == "task"}


def test_every_message_key_written_in_the_code_is_in_the_catalogue() -> None:
    """A key missing from the catalogue would print itself: every literal key is there."""
    import re

    from sanzhua.i18n import CATALOGUE

    src = REPO / "src" / "sanzhua"
    keys = {
        (p.relative_to(src).as_posix(), m.group(1))
        for p in src.rglob("*.py")
        for m in re.finditer(r'\b(?:msg|Msg)\(\s*"([a-z][\w.-]*)"', p.read_text(encoding="utf-8"))
    }
    assert len(keys) > 300
    assert sorted((f, k) for f, k in keys if k not in CATALOGUE) == []


def _said(tree: ast.AST) -> Iterator[tuple[int, str, set[str] | None]]:
    """(line, key, argument names) of every `say("key", lang, ...)` and of the `w("key", ...)`
    a module makes of it with `partial(say, lang=lang)`; None for names given as **mapping."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id not in ("say", "w"):
            continue
        if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
            continue
        names = {k.arg for k in node.keywords if k.arg is not None and k.arg != "lang"}
        yield node.lineno, node.args[0].value, None if any(k.arg is None for k in node.keywords) else names


def test_every_said_key_is_in_the_catalogue_with_the_arguments_it_names() -> None:
    """say() formats its entry at once: a missing key, a placeholder no argument fills or an
    argument no placeholder takes would be a wrong line in some output, so none may exist."""
    from sanzhua.i18n import CATALOGUE

    src = REPO / "src" / "sanzhua"
    wrong = []
    calls = 0
    for p in sorted(src.rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for line, key, names in _said(tree):
            calls += 1
            where = f"{p.relative_to(src).as_posix()}:{line}"
            if key not in CATALOGUE:
                wrong.append((where, key, "not in the catalogue"))
                continue
            fields = {
                f.split(".")[0].split("[")[0]
                for template in CATALOGUE[key]
                for _, f, _, _ in string.Formatter().parse(template)
                if f
            }
            if names is not None and names != fields:
                wrong.append((where, key, f"arguments {sorted(names)}, placeholders {sorted(fields)}"))
    assert calls > 200
    assert wrong == []


def test_inline_pairs_are_gone() -> None:
    """The one way to say a thing in two languages is a catalogue key: words(lang, zh, en) is gone."""
    import sanzhua.i18n

    assert not hasattr(sanzhua.i18n, "words")
    src = REPO / "src" / "sanzhua"
    assert [p.name for p in src.rglob("*.py") if "import words" in p.read_text(encoding="utf-8")
            and "site" not in p.parts] == []


def test_one_github_annotation_for_check_and_audit() -> None:
    """output.github_annotations writes both commands' annotations: a problem in the files
    says its hint, a finding in the history the commit it was found in, in place of a hint."""
    from sanzhua.output import github_annotations

    in_files = Problem("overdue", "warning", "ledgers/a.yaml", 3, 7, Msg("output.error"), Msg("output.warning"))
    in_history = Problem(
        "backdated", "error", "", 0, 0, Msg("output.error"), Msg("output.warning"), "A-1",
        Revision("0123456789abcdef", "li@example.org", "李四", "2026-03-02", "补报"),
    )
    assert github_annotations([in_files, in_history], "zh", "完") == (
        "::warning file=ledgers/a.yaml,line=3,col=7,title=overdue::错误。提示：警告\n"
        "::error title=backdated::错误 (0123456789 li@example.org 2026-03-02)\n"
        "完\n"
    )
    assert github_annotations([in_files], "en", "end") == (
        "::warning file=ledgers/a.yaml,line=3,col=7,title=overdue::error. Hint: warning\nend\n"
    )


def _is_language_test(test: ast.expr) -> bool:
    """`lang == "zh"`, `b.lang != "en"`, `zh` (a flag made of one): a choice by language."""
    if isinstance(test, ast.Compare):
        return any(isinstance(c, ast.Constant) and c.value in ("zh", "en") for c in (test.left, *test.comparators))
    return isinstance(test, ast.Name) and test.id == "zh"


def _words_in(node: ast.AST) -> bool:
    """Whether a branch holds text of its own (a language code is no text: `"en" if … else "zh"`)."""
    return any(
        (isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value not in ("zh", "en", ""))
        or isinstance(n, ast.JoinedStr)
        for n in ast.walk(node)
    )


# Whole blocks chosen by language that stay: none. The last three (a form's page of
# instructions, `--list-codes`' Chinese columns, the periods' names) say catalogue entries
# now (form.help.*, codes.line, period.*).
_WHOLE_BLOCKS: set[str] = set()


def inline_choices(tree: ast.AST) -> list[int]:
    """The lines of every `"中文" if lang == "zh" else "English"` (or a tuple, an f-string, a
    `zh` flag), and of every `if lang == "zh":` block with text in it: text chosen by
    language where it is said, instead of a catalogue key."""
    found = [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.IfExp) and _is_language_test(n.test) and (_words_in(n.body) or _words_in(n.orelse))
    ]
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or fn.name in _WHOLE_BLOCKS:
            continue
        found.extend(
            n.lineno
            for n in ast.walk(fn)
            if isinstance(n, ast.If)
            and _is_language_test(n.test)
            and any(_words_in(statement) for statement in (*n.body, *n.orelse))
        )
    return sorted(set(found))


def test_no_text_is_chosen_by_language_where_it_is_said() -> None:
    """Issue 16: one way to say a message in two languages, a catalogue key said with
    `say`/`msg`. An inline choice between two texts fails here; choosing a language (`"en"
    if lang == "en" else "zh"`) or a table's column by it is not text and passes."""
    src = REPO / "src" / "sanzhua"
    found = {
        p.relative_to(src).as_posix(): lines
        for p in sorted(src.rglob("*.py"))
        if (lines := inline_choices(ast.parse(p.read_text(encoding="utf-8"))))
    }
    assert found == {}


def test_the_inline_choice_finder_finds_them() -> None:
    tree = ast.parse(
        'a = "是" if lang == "zh" else "yes"\n'
        'b = (f"{n}项" if zh else f"{n} tasks")\n'
        'c = ("、", "x") if b.lang != "en" else (", ", "x")\n'
        'd = "en" if lang == "en" else "zh"\n'
        'e = pair[0 if lang == "zh" else 1]\n'
        'def f(lang):\n'
        '    if lang == "en":\n'
        '        return "unchanged"\n'
        '    if lang == "zh":\n'
        '        return say("key", lang)\n'
    )
    assert inline_choices(tree) == [1, 2, 3, 7, 9]


EN_LATE = """\
unit: drc
tasks:
  - id: D-1
    title: Open the bus station
    partners: [edu, river]
    start: 2026-01-01
    due: 2026-10-31
    milestones:
      - {name: Design, due: 2026-06-30}
    progress:
      - {date: 2026-11-20, percent: 10}
"""


def test_an_english_calendar_and_export_list_in_english(make_ledger: MakeLedger) -> None:
    """A task's partners and states in the calendar, its states in the export: joined by
    list.sep, ", " in English (they were joined by 、 in both languages). The export's
    partners column stays as import reads it back."""
    from datetime import datetime

    from sanzhua.commands.calendar import calendar
    from sanzhua.commands.export import export

    root = make_ledger({"ledgers/drc.yaml": EN_LATE}, settings=EN_SETTINGS, units=EN_UNITS)
    ics = io.StringIO()
    calendar(root, as_of=AS_OF, stamp=datetime(2026, 11, 25, 8, 0), output=Path("-"), out=ics)
    unfolded = ics.getvalue().replace("\r\n ", "")
    assert "Education Bureau\\, Riverside Town" in unfolded and "、" not in unfolded
    csv_out = io.StringIO()
    export(root, as_of=AS_OF, fmt="csv", output=Path("-"), out=csv_out)
    assert '"overdue, milestone overdue, behind"' in csv_out.getvalue()  # the partners column is data: 、 kept
