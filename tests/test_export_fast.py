"""The workbook's rows written as sheet XML (issue 17) make the same workbook as openpyxl's
cells: every cell's value, type and look, row heights, widths, merges, frozen panes,
filters and print settings, read back with openpyxl, on the bundled ledger, a generated
one and hostile text."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sanzhua.evaluate import evaluate
from sanzhua.interchange.export import Export, write_xlsx
from sanzhua.load import load_ledger

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 25)


def _export(root: Path, lang: str = "zh") -> Export:
    ledger = load_ledger(root)
    states = list(evaluate(ledger, AS_OF).tasks.values())
    return Export(ledger.settings, ledger.units, AS_OF, states, lang)  # type: ignore[arg-type]


def _look(c: Any) -> tuple[object, ...]:
    return (
        c.value,
        c.data_type,
        c.number_format,
        repr(c.font),
        repr(c.fill),
        repr(c.border),
        repr(c.alignment),
    )


def same_workbooks(a: Path, b: Path) -> None:
    wa, wb = openpyxl.load_workbook(a), openpyxl.load_workbook(b)
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        sa, sb = wa[name], wb[name]
        assert sa.max_row == sb.max_row and sa.max_column == sb.max_column, name
        assert sa.freeze_panes == sb.freeze_panes
        assert sa.auto_filter.ref == sb.auto_filter.ref
        assert sorted(map(str, sa.merged_cells.ranges)) == sorted(map(str, sb.merged_cells.ranges))
        assert sa.print_title_rows == sb.print_title_rows
        assert sa.print_area == sb.print_area
        assert {k: d.width for k, d in sa.column_dimensions.items()} == {
            k: d.width for k, d in sb.column_dimensions.items()
        }
        assert {k: d.height for k, d in sa.row_dimensions.items()} == {
            k: d.height for k, d in sb.row_dimensions.items()
        }
        for ra, rb in zip(sa.iter_rows(), sb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                assert ca.has_style == cb.has_style, (name, ca.coordinate)
                assert _look(ca) == _look(cb), (name, ca.coordinate)


@pytest.mark.parametrize("by_unit", [False, True])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_bundled_ledger(tmp_path: Path, by_unit: bool, lang: str) -> None:
    ex = _export(REPO, lang)
    write_xlsx(ex, tmp_path / "fast.xlsx", by_unit, fast=True)
    write_xlsx(ex, tmp_path / "slow.xlsx", by_unit, fast=False)
    same_workbooks(tmp_path / "fast.xlsx", tmp_path / "slow.xlsx")


def test_generated_ledger(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    from generate import generate

    generate(tmp_path / "gen", 12, 15, 3)
    ex = _export(tmp_path / "gen")
    write_xlsx(ex, tmp_path / "fast.xlsx", fast=True)
    write_xlsx(ex, tmp_path / "slow.xlsx", fast=False)
    same_workbooks(tmp_path / "fast.xlsx", tmp_path / "slow.xlsx")


HOSTILE = [
    "  leading and trailing  ",
    "   ",
    "a & b < c > d \" ' ",
    "=HYPERLINK(\"http://x\",\"y\")",
    "line\r\nbreak\rand\nmore\ttab",
    "控制\x01字符\x1b[31m",
    "长" * 40000,
    "😀 emoji",
    "]]> <![CDATA[ x ]]>",
]


def test_hostile_text(tmp_path: Path) -> None:
    root = tmp_path / "ledger"
    root.mkdir()
    for name in ("sanzhua.yaml", "units.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    ex = _export(root)
    states = []
    from dataclasses import replace

    for i, st in enumerate(ex.states):
        text = HOSTILE[i % len(HOSTILE)]
        task = replace(st.task, title=text, owner=text, source=text)
        states.append(replace(st, task=task))
    hostile = replace(ex, states=states)
    write_xlsx(hostile, tmp_path / "fast.xlsx", fast=True)
    write_xlsx(hostile, tmp_path / "slow.xlsx", fast=False)
    same_workbooks(tmp_path / "fast.xlsx", tmp_path / "slow.xlsx")
    titles = {c.value for c in openpyxl.load_workbook(tmp_path / "fast.xlsx")["台账"]["C"][3:]}
    assert "  leading and trailing  " in titles and "a & b < c > d \" ' " in titles
    assert "长" * 32767 in titles
