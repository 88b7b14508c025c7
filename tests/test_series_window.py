"""A site's weekly series (trends and the bulletin archive) goes back at most a year:
a `bulletin.first_week` set decades back by mistake (or on purpose) must not make
`sanzhua site` build thousands of weekly ledgers, and the archive says what it left out."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.site import site
from sanzhua.load import load_ledger
from sanzhua.periods import SERIES_WEEKS, series_start
from sanzhua.report.trends import trend
from sanzhua.site import archive
from tests.conftest import SETTINGS, MakeLedger

AS_OF = date(2026, 11, 25)
TASK = """\
    unit: fgw
    tasks:
      - id: FGW-001
        title: 重点项目前期手续
        owner: 张三
        start: 2026-01-05
        due: 2026-12-31
        progress:
          - {date: 2026-11-20, value: 40, by: 张三}
        target: {metric: 项目数, value: 10, unit: 个}
"""


def _ledger(make_ledger: MakeLedger, first_week: str) -> Path:
    settings = SETTINGS + f"bulletin:\n  first_week: {first_week}\n"
    return make_ledger({"ledgers/fgw.yaml": TASK}, settings=settings)


def test_series_start_is_at_most_a_year_back() -> None:
    assert series_start(date(2026, 1, 5), 2026, AS_OF) == date(2026, 1, 5)
    far = series_start(date(1900, 1, 1), 2026, AS_OF)
    assert far.weekday() == 0 and (AS_OF - far).days < SERIES_WEEKS * 7
    assert (AS_OF - far).days >= (SERIES_WEEKS - 1) * 7
    assert series_start(None, 2026, AS_OF) == date(2026, 1, 1)


def test_trend_of_a_ledger_whose_first_week_is_1900(make_ledger: MakeLedger) -> None:
    root = _ledger(make_ledger, "1900-01-01")
    points = trend(load_ledger(root), AS_OF, use_git=False)
    assert 0 < len(points) <= SERIES_WEEKS


def test_site_archive_says_what_it_left_out(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = _ledger(make_ledger, "1900-01-01")
    out = tmp_path / "site"
    assert site(root, as_of=AS_OF, output=out, out=io.StringIO()) == 0
    weeks = sorted((out / "briefs").glob("week-*.html"))
    assert 0 < len(weeks) <= SERIES_WEEKS
    index = (out / "briefs" / "index.html").read_text(encoding="utf-8")
    assert f"存档只收最近 {SERIES_WEEKS} 周的简报" in index
    first_issue = (weeks[0].stem.removeprefix("week-"))
    skipped = (date.fromisoformat(first_issue) - date(1900, 1, 1)).days // 7
    assert f"此前的 {skipped} 期未收入" in index


def test_site_archive_of_a_normal_year_has_no_such_note(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = _ledger(make_ledger, "2026-01-05")
    out = tmp_path / "site"
    assert site(root, as_of=AS_OF, output=out, out=io.StringIO()) == 0
    assert len(list((out / "briefs").glob("week-*.html"))) == 47
    assert "存档只收" not in (out / "briefs" / "index.html").read_text(encoding="utf-8")


def test_archive_of_a_large_ledger_keeps_the_latest_weeks_and_says_so(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every bulletin lists every open task, so the archive renders at most
    ARCHIVE_TASK_WEEKS tasks x weeks: with a budget of 10 a one-task ledger keeps its last
    10 weeks, and the index names the 37 issues left out (and how to write one)."""
    monkeypatch.setattr(archive, "ARCHIVE_TASK_WEEKS", 10)
    root = _ledger(make_ledger, "2026-01-05")
    out = tmp_path / "site"
    assert site(root, as_of=AS_OF, output=out, out=io.StringIO()) == 0
    weeks = sorted((out / "briefs").glob("week-*.html"))
    assert [w.name for w in weeks[:1]] == ["week-2026-09-21.html"] and len(weeks) == 10
    index = (out / "briefs" / "index.html").read_text(encoding="utf-8")
    assert "存档只收最近 10 周的简报；此前的 37 期未收入" in index and "sanzhua brief --week --as-of" in index
