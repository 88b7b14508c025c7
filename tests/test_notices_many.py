"""`brief --each-unit --issue` to many units: each notice recorded without reading every
record again (issue 17: at 100,000 tasks, 5,000 units, the run read notices/2026.yaml whole
twice per notice and every task's progress once per notice, N² work that had not ended
after 21 minutes with 2,800 notices recorded)."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import sanzhua.commands.brief as brief_module
import sanzhua.notices as notices
from sanzhua.commands.brief import brief
from sanzhua.errors import FatalError
from sanzhua.load import load_ledger
from sanzhua.notices import NoticeRecord, append_record, load_notices, record_text, statuses
from tests.conftest import MakeLedger

SETTINGS = """\
name: 测试县督查台账
office: 县政府督查室
year: 2026
lang: zh
notices:
  prefix: 测督
  reply_days: 3
  escalate_days: 3
"""

UNITS = 40
HAND_WRITTEN = (
    "# 县政府督查室 2026 年督办通知登记\n"
    "notices:\n"
    "    # 第一件\n"
    "    - number: 测督〔2026〕7号   # 手工补登\n"
    "      date: 2026-11-02\n"
    "      unit: u01\n"
    "      tasks: U01-1\n"
    "      reply_due: 2026-11-05\n"
    "      colour: 黄\n"
)


def _ledger(make_ledger: MakeLedger) -> Path:
    units = "units:\n" + "".join(f"  - {{id: u{i:02}, name: 第{i}单位, kind: 县直部门}}\n" for i in range(1, UNITS + 1))
    files = {
        f"ledgers/u{i:02}.yaml": f"""\
            unit: u{i:02}
            tasks:
              - id: U{i:02}-1
                title: 重点项目前期工作
                start: 2026-01-01
                due: 2026-11-10
                progress:
                  - {{date: 2026-11-02, percent: 50}}
        """
        for i in range(1, UNITS + 1)
    }
    root = make_ledger(files, settings=SETTINGS, units=units)
    (root / "notices").mkdir()
    (root / "notices/2026.yaml").write_text(HAND_WRITTEN, encoding="utf-8")
    return root


class _Count:
    """Notices read from YAML by parse_notices, and notices whose colour was worked out."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.parsed = 0
        self.coloured = 0
        parse, colour = notices.parse_notices, notices.status_of

        def counted_parse(data: bytes, rel: str) -> Any:
            got = parse(data, rel)
            self.parsed += len(got[0])
            return got

        def counted_colour(*args: Any, **kwargs: Any) -> Any:
            self.coloured += 1
            return colour(*args, **kwargs)

        monkeypatch.setattr(notices, "parse_notices", counted_parse)
        monkeypatch.setattr(notices, "status_of", counted_colour)
        monkeypatch.setattr(brief_module, "status_of", counted_colour, raising=False)


def test_each_unit_issue_reads_each_notice_a_bounded_number_of_times(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _ledger(make_ledger)
    count = _Count(monkeypatch)
    out = io.StringIO()
    assert brief(root, as_of=date(2026, 11, 16), each_unit=tmp_path / "out", issue=True, out=out) == 0
    assert len(list((tmp_path / "out").iterdir())) == UNITS
    # Every notice read back once after it is written (and the hand-written one a few times),
    # not every notice again for each new one (40 notices were 1,681 reads before).
    assert count.parsed <= 2 * UNITS + 4
    assert count.coloured <= 2
    # The file: the hand-written record as it was, then one record per unit in order, each as
    # record_text writes it at the file's indent.
    text = (root / "notices/2026.yaml").read_text(encoding="utf-8")
    lg = load_ledger(root, cache=False)
    records, problems = load_notices(root, lg.units, {t.id for t in lg.tasks})
    assert problems == []
    assert [r.number for r in records] == [f"测督〔2026〕{n}号" for n in range(7, 8 + UNITS)]
    assert text == HAND_WRITTEN + "".join(record_text(r, "    ") for r in records[1:])
    # The unit holding the yellow notice, unanswered and red by now, gets its next one red.
    assert {r.unit: r.colour for r in records[1:]} == {f"u{i:02}": "red" if i == 1 else "blue"
                                                      for i in range(1, UNITS + 1)}
    held = statuses(records, lg.tasks, date(2026, 11, 16), lg.settings.notices, lg.calendar)
    assert len(held) == UNITS + 1


def _record(n: int, unit: str) -> NoticeRecord:
    return NoticeRecord(f"测督〔2026〕{n}号", n, 2026, date(2026, 11, 16), unit, (f"{unit.upper()}-1",),
                        date(2026, 11, 19), "blue", "", 0)


def test_a_file_changed_since_this_run_wrote_it_is_read_whole_again(
    make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _ledger(make_ledger)
    path = root / "notices/2026.yaml"
    written: dict[str, tuple[bytes, list[NoticeRecord]]] = {}  # notices.Written
    append_record(root, _record(8, "u02"), written)
    count = _Count(monkeypatch)
    append_record(root, _record(9, "u03"), written)
    assert count.parsed == 1  # its own file: the new notice alone read back
    # Someone appends a notice by hand between two of this run's writes.
    path.write_text(path.read_text(encoding="utf-8") + "    - {number: 测督〔2026〕10号, date: 2026-11-16, unit: u04, "
                    "tasks: [U04-1], reply_due: 2026-11-19, colour: red}\n", encoding="utf-8")
    append_record(root, _record(11, "u05"), written)
    assert count.parsed == 1 + 4 + 5  # the changed file read whole before and after
    records, problems = load_notices(root)
    assert problems == []
    assert [(r.number, r.colour) for r in records] == [
        ("测督〔2026〕7号", "yellow"), ("测督〔2026〕8号", "blue"), ("测督〔2026〕9号", "blue"),
        ("测督〔2026〕10号", "red"), ("测督〔2026〕11号", "blue")]


def test_a_hand_edit_that_breaks_the_list_is_still_refused(make_ledger: MakeLedger) -> None:
    root = _ledger(make_ledger)
    path = root / "notices/2026.yaml"
    written: dict[str, tuple[bytes, list[NoticeRecord]]] = {}  # notices.Written
    append_record(root, _record(8, "u02"), written)
    # A block scalar left open at the end would swallow an appended notice as its text.
    path.write_text(path.read_text(encoding="utf-8")[:-len("colour: blue\n")] + "colour: |\n      blue\n",
                    encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(FatalError):
        append_record(root, _record(9, "u03"), written)
    assert path.read_bytes() == before
