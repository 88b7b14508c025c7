"""One YAML writer (issue 16): every text value sanzhua writes — `new`, `progress`, `done`,
`extend`, `collect`, `import` — goes through PyYAML's emitter and is read back
(sanzhua.edit.emit). Hostile values round-trip exactly, read by independent readers
(PyYAML's pure-Python BaseLoader and its typed SafeLoader), in every place a value
stands; the output stays readable (plain where safe, Chinese as it is, one line)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sanzhua.commands.edit import EditRun, NewTask, new, progress
from sanzhua.commands.importer import import_table
from sanzhua.edit import render as R
from sanzhua.edit.emit import Unwritable, dumper_for, scalar
from sanzhua.edit.errors import EditError
from sanzhua.i18n import text
from sanzhua.interchange import writer
from sanzhua.load import load_ledger
from tests.conftest import MakeLedger

TODAY = date(2026, 11, 25)

HOSTILE = [
    "yes", "no", "on", "off", "Yes", "NO", "y", "n", "null", "Null", "~", "true", "False",
    "100", "-5", "+3", "0x1F", "0o17", "017", "1e3", ".5", "1_000", ".inf", ".NaN", "12:30",
    "2026-09-30", "2026-9-1", "2026-09-30 12:00", "2026-09-30T08:00:00Z",
    "A区: 拆迁", "绿化 #2", "#开头", "a #b", "a: b", "a:b", "x:", "- 注意", "-", "--", "---", "...",
    "*别名", "&锚", "!标签", "%指令", "@at", "`tick", "|块", ">折", "?问", ":冒号", ",逗号",
    "[方括号]", "{花括号}", "{a: 1}", "'单引号'", '"双引号"', "it's", 'say "hi"', "back\\slash",
    "  前导空格", "尾随空格  ", "", " ", "\t", "tab\tin", "第一行\n第二行", "\n", "a\n\nb", "end\n",
    "a\r\nb", "\x01", "bell\x07", "esc\x1b[31m", "\x7f", "\x85", "nbsp\xa0x", "\u2028", "\u2029",
    "\ufeffbom", "\ufffe", "完成：验收，（全角）！", "“引号”‘单’【括号】《书名》——破折号……",
    "％百分", "＃号", "－全角减号", "：全角冒号开头", "<<", "=", "=SUM(A1)", "0", "00", "1.0",
    "x" * 5000, "长" * 3000, "a" + " b" * 1000,
]

# Values as users type them: any text (no lone surrogates: they are not text), and the
# hostile list above.
values = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=60),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=8),
)


def _contexts(written: str) -> list[str]:
    return [f"k: {written}\n", f"- {{k: {written}, j: 1}}\n", f"[{written}]\n", f"a:\n  - {written}\n"]


def _read(doc: str, loader: type) -> object:
    got = yaml.load(doc, Loader=loader)
    if isinstance(got, dict):
        return got["k"] if "k" in got else got["a"][0]
    assert isinstance(got, list)
    first = got[0]
    return first["k"] if isinstance(first, dict) else first


@settings(max_examples=600, deadline=None)
@given(values)
@example("x" * 20000)
def test_every_value_reads_back_exactly_everywhere(value: str) -> None:
    written = scalar(value)
    assert "\n" not in written and "\r" not in written  # edits insert whole lines
    for doc in _contexts(written):
        # PyYAML's pure-Python parser (not the libyaml the writer checks with), untyped ...
        assert _read(doc, yaml.BaseLoader) == value, doc
        # ... and typed (YAML 1.1): no value comes back as a bool, number, date or null
        assert _read(doc, yaml.SafeLoader) == value, doc
    block = writer.scalar(value)
    assert "\n" not in block
    assert _read(f"k: {block}\n", yaml.BaseLoader) == value
    assert _read(f"k: {block}\n", yaml.SafeLoader) == value


@settings(max_examples=800, deadline=None)
@given(values, st.booleans(), st.sampled_from([None, "'", '"']))
@example("😀 表情", True, None)
@example("中文：冒号 " * 40, False, '"')
def test_libyaml_writes_what_pyyaml_would(value: str, flow: bool, style: str | None) -> None:
    """Where `scalar` uses libyaml's emitter (for speed), it writes exactly what PyYAML's own
    emitter writes, in every style; elsewhere it is PyYAML's own."""
    kw = {"allow_unicode": True, "width": 1 << 30, "default_flow_style": flow, "default_style": style}
    ours = yaml.dump({"k": value}, Dumper=dumper_for(value), sort_keys=False, **kw)  # type: ignore[call-overload]
    theirs = yaml.dump({"k": value}, Dumper=yaml.SafeDumper, sort_keys=False, **kw)  # type: ignore[call-overload]
    assert ours == theirs


def test_readable_plain_where_safe() -> None:
    for plain in ["修路", "县发改委负责推进", "完成：验收，（全角）！", "完成60%", "张三", "A-1", "督办〔2026〕9号"]:
        assert scalar(plain) == plain
    assert writer.scalar("建设, 验收") == "建设, 验收"  # a comma needs no quotes in a block
    assert scalar("建设, 验收") == "'建设, 验收'"  # but does inside {…} or […]
    assert scalar("yes") == "'yes'" and scalar("2026-09-30") == "'2026-09-30'"
    assert scalar("0o17") == "'0o17'"  # text for YAML 1.1, a number for a YAML 1.2 reader
    assert scalar("第一行\n第二行") == '"第一行\\n第二行"'
    assert scalar("长" * 3000) == "长" * 3000  # no folding however long
    # one writer: the edit commands and the importer agree
    assert R.text("A区: 拆迁") == writer.scalar("A区: 拆迁", flow=True) == scalar("A区: 拆迁")


def test_a_value_that_cannot_read_back_is_refused_in_both_languages() -> None:
    with pytest.raises(Unwritable) as e:
        scalar("半个\ud800代理")
    assert isinstance(e.value, EditError)
    zh, en = text(e.value.message, "zh"), text(e.value.message, "en")
    assert "\\ud800" in zh and "\\ud800" in en and zh != en


UNITS = "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n"
OTHER = "  - id: FGW-002\n    title: 建桥\n    due: 2026-12-31\n"
FILE = "unit: fgw\ntasks:\n  - id: FGW-001\n    title: 修路\n    due: 2026-12-31\n" + OTHER

clean = st.one_of(
    st.sampled_from([v for v in HOSTILE if v.strip() and v.isprintable() and "\ufffe" not in v]),
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30),
).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=clean, title=clean)
def test_hostile_values_round_trip_through_progress_and_new(
    make_ledger: MakeLedger, note: str, title: str
) -> None:
    root = make_ledger({"ledgers/fgw.yaml": FILE}, units=UNITS)
    (root / "ledgers/fgw.yaml").write_text(FILE, encoding="utf-8")
    err = io.StringIO()
    run = EditRun(root, TODAY, out=io.StringIO(), err=err)
    assert progress(run, "FGW-001", percent="50", note=note, by=title) == 0, err.getvalue()
    assert new(run, NewTask(unit="fgw", title=title, due="2026-12-31", owner=note, tags=())) == 0, err.getvalue()
    ledger = load_ledger(root)
    assert not [p for f in ledger.files for p in f.problems if p.severity == "error"]
    entry = ledger.by_id["FGW-001"].progress[-1]
    assert entry.note == note
    added = ledger.by_id["FGW-003"]
    assert added.title == title and added.owner == note
    # the other task's bytes are as they were
    assert OTHER in (root / "ledgers/fgw.yaml").read_text(encoding="utf-8")


def test_import_writes_hostile_titles_that_read_back(make_ledger: MakeLedger, tmp_path: Path) -> None:
    titles: list[str] = []
    for v in HOSTILE:
        # cells export guards with a quote are left out, and so are titles the importer
        # takes for the same task (it compares them without spaces: "a: b" and "a:b")
        ok = v.strip() and v.isprintable() and v == v.strip() and len(v) < 100
        if ok and not v.startswith(("=", "+", "-", "@")) and "".join(v.split()) not in {
            "".join(t.split()) for t in titles
        }:
            titles.append(v)
    root = make_ledger({}, units=UNITS)
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["任务名称", "责任单位", "完成时限"])
        for t in titles:
            w.writerow([t, "县发改委", "2026-12-31"])
    assert import_table(source, root, today=TODAY, out=io.StringIO()) == 0
    ledger = load_ledger(root)
    assert [t.title for t in ledger.tasks] == titles
    assert not [p for f in ledger.files for p in f.problems if p.severity == "error"]
