"""`fmt --check` remembers, by content, the files it found laid out already (issue 14.8):
a second run lays out none of the unchanged ones, and a changed byte, another year or
--normalize-dates lays the file out again."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands import fmt as F
from sanzhua.commands.edit import EditRun
from sanzhua.edit.fmt import OddBreaks, _Layout, format_text
from tests.conftest import MakeLedger

LAID_OUT = """\
unit: fgw
tasks:
  - id: A-1
    title: 一
    due: 2026-12-31

  - id: A-2
    title: 二
    due: 2026年9月底
"""


def _check(root: Path, **kw: bool) -> tuple[int, str]:
    out = io.StringIO()
    code = F.fmt(EditRun(root, date(2026, 11, 25), out=out, err=out), check=True, **kw)
    return code, out.getvalue()


def test_a_second_check_lays_out_no_unchanged_file(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LAID_OUT})
    calls: list[str] = []
    real = F.format_bytes

    def counted(data: bytes, rel: str, *a: object, **k: object) -> tuple[bytes | None, str]:
        calls.append(rel)
        return real(data, rel, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(F, "format_bytes", counted)
    first = _check(root)
    assert first[0] == 0 and calls == ["ledgers/fgw.yaml"], first
    assert _check(root) == first and len(calls) == 1  # from the cache
    assert _check(root, normalize_dates=True)[0] == 1 and len(calls) == 2  # another question
    path = root / "ledgers/fgw.yaml"
    path.write_text(LAID_OUT.replace("    title: 二", "    title:   二"), encoding="utf-8")
    code, out = _check(root)
    assert code == 1 and "title:   二" in out and len(calls) == 3  # a changed file is laid out again
    assert _check(root)[0] == 1 and len(calls) == 4  # one that would change is never taken as laid out


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_a_quoted_line_separator_is_refused_plainly_not_an_internal_error(make_ledger: MakeLedger, brk: str) -> None:
    """A title pasted from a web page or Word may hold U+2028 in quotes: libyaml counts
    it as a line break, the layout's lines do not. fmt said "internal error, a sanzhua
    bug" (IndexError) and exit 2; it now skips the file as edits refuse it, exit 1, and
    lays out the other files."""
    text = f'unit: fgw\ntasks:\n  - id: A-1\n    title: "甲{brk}乙"\n    due: 2026-12-31\n'
    other = LAID_OUT.replace("fgw", "jyj").replace("A-", "B-")
    root = make_ledger({"ledgers/fgw.yaml": text, "ledgers/jyj.yaml": other})
    code, out = _check(root)
    assert code == 1, out
    assert "ledgers/fgw.yaml 含有特殊换行字符" in out and "内部错误" not in out
    assert "1 个文件格式规范" in out  # the other file was laid out and found right
    err = io.StringIO()
    assert F.fmt(EditRun(root, date(2026, 11, 25), out=io.StringIO(), err=err)) == 1
    assert (root / "ledgers/fgw.yaml").read_text(encoding="utf-8") == text  # untouched
    assert "内部错误" not in err.getvalue()


def test_a_flow_list_broken_by_a_paragraph_separator_is_skipped_as_odd_breaks(make_ledger: MakeLedger) -> None:
    """libyaml numbers the flow list's last line past the text's lines: the layout's walk
    of the value's lines stops there with OddBreaks (the same verdict as before, when an
    IndexError stood for it), not with an error taken for a defect."""
    text = "unit: fgw\ntasks:\n  - id: A-1\n    title: 一\n    due: 2026-12-31\n    tags: [a, \u2029b]\n"
    root = make_ledger({"ledgers/fgw.yaml": text})
    code, out = _check(root)
    assert code == 1 and "ledgers/fgw.yaml 含有特殊换行字符" in out and "内部错误" not in out, out
    with pytest.raises(OddBreaks):
        format_text(text, 2026)


def test_an_unrelated_index_error_in_a_file_with_odd_breaks_is_a_defect_not_odd_breaks(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any IndexError of the layout of a file holding U+2028 was reported as "odd line
    breaks" (the file skipped, exit 1), hiding a defect. Only OddBreaks says that now;
    anything else is the internal error it is (exit 2, the other files laid out)."""
    text = 'unit: fgw\ntasks:\n  - id: A-1\n    title: "甲\u2028乙"\n    due: 2026-12-31\n'
    root = make_ledger({"ledgers/fgw.yaml": text})

    def broken(self: _Layout) -> None:
        raise IndexError("list index out of range")

    monkeypatch.setattr(_Layout, "_assign_comments", broken)
    code, out = _check(root)
    assert code == 2, out
    assert "特殊换行字符" not in out and "内部错误" in out and "IndexError" in out, out
