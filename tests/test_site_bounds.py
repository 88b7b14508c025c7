"""The site's bounds for big ledgers (issue 14: no run over 30 s or 2 GB on inputs under
10 MB): a page of its own for at most `site/data.TASK_PAGES` tasks, the others listed
GROUP_SIZE to a page at anchors of their own; and the archive's budget of tasks × weeks
held, down to no week at all. Both shown on the bundled ledger with the bounds lowered."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from sanzhua.commands.site import site
from sanzhua.site import archive
from sanzhua.site import data as site_data
from tests.test_site import Visit, _bundled, _status, browser, needs_browser  # noqa: F401 (browser: a fixture)
from tests.test_site_taskpage import _both, _same

AS_OF = date(2026, 11, 25)
_HREF = re.compile(r'href="([^"]+)"')


def _site(tmp: Path, **kw: Any) -> Path:
    root = _bundled(tmp)
    out = tmp / "site"
    assert site(root, as_of=AS_OF, output=out, out=io.StringIO(), **kw) == 0
    return out


def _tasks_js(out: Path) -> list[dict[str, Any]]:
    text = (out / "assets" / "tasks.js").read_text(encoding="utf-8")
    doc = json.loads(text.removeprefix("window.SANZHUA_TASKS=").removesuffix(";\n"))
    return [dict(zip(doc["cols"], row, strict=True)) for row in doc["rows"]]


def _resolves(out: Path, page: Path, href: str) -> bool:
    """A relative link from `page`: its file exists, and an anchor it names is an id there
    (a filter of the task list, `tasks.html#unit=…`, is no anchor)."""
    path, _, anchor = unquote(href).partition("#")
    target = (page.parent / path).resolve() if path else page
    if not target.is_file():
        return False
    return not anchor or "=" in anchor or f'id="{anchor}"' in target.read_text(encoding="utf-8")


def test_tasks_beyond_the_cap_are_listed_at_anchors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_data, "TASK_PAGES", 10)
    monkeypatch.setattr(site_data, "GROUP_SIZE", 25)
    out = _site(tmp_path, archive=False)
    rows = _tasks_js(out)
    assert len(rows) == 111
    # The 10 most urgent have their page; the other 101 are on 5 pages of 25 (the last 1).
    assert len(list((out / "t").glob("*.html"))) == 10
    assert sorted(p.name for p in (out / "tg").glob("*.html")) == [f"{n}.html" for n in range(1, 6)]
    assert [r["href"].startswith("t/") for r in rows] == [True] * 10 + [False] * 101
    assert rows[10]["href"] == f"tg/1.html#{rows[10]['id']}" and rows[-1]["href"].startswith("tg/5.html#")
    # Every task is on exactly one page: its own, or one row of a group page.
    listed = [m for p in (out / "tg").glob("*.html") for m in re.findall(r'<tr id="([^"]+)"', p.read_text("utf-8"))]
    assert sorted(listed) == sorted(r["id"] for r in rows[10:])
    status = {t["id"]: t for t in _status(tmp_path / "bundled")["tasks"]}
    group = (out / "tg" / "1.html").read_text(encoding="utf-8")
    for r in rows[10:35]:
        assert f'data-id="{r["id"]}" data-light="{status[r["id"]]["light"]}"' in group
    # Every link of every page leads to a file, and to an anchor that is there.
    for page in out.rglob("*.html"):
        for href in _HREF.findall(page.read_text(encoding="utf-8")):
            assert _resolves(out, page, href), (page.relative_to(out), href)
    for r in rows:
        assert _resolves(out, out / "index.html", r["href"]), r["href"]


def test_unit_pages_list_at_most_unit_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A unit's page lists its UNIT_ROWS most urgent tasks and says how many more there are,
    linking to the task list filtered to it; written the same by site/taskpage.py and by
    templates/unit.html. Here 3: 城关镇 leads 7 tasks and partners in 3."""
    monkeypatch.setattr(site_data, "UNIT_ROWS", 3)
    monkeypatch.setattr(site_data, "TASK_PAGES", 30)
    root = _bundled(tmp_path)
    fast, slow = _both(root, tmp_path / "out", monkeypatch, AS_OF)
    _same(fast, slow)
    rows = _tasks_js(fast)
    page = (fast / "u" / "chengguan.html").read_text(encoding="utf-8")
    leads = [r["id"] for r in rows if r["lead"] == "chengguan"]
    assert len(leads) > 3 and page.count('<tr data-id="') == 3 + min(3, sum("chengguan" in r["partners"] for r in rows))
    assert [m for m in re.findall(r'<tr data-id="([^"]+)"', page)][:3] == leads[:3]  # the most urgent
    more = f"另有 {len(leads) - 3} 项未在此列出（上表为最紧急的任务），见"
    assert f'{more} <a href="../tasks.html#unit=chengguan">全部任务</a>' in page
    for p in fast.rglob("*.html"):
        for href in _HREF.findall(p.read_text(encoding="utf-8")):
            assert _resolves(fast, p, href), (p.relative_to(fast), href)


def test_a_ledger_within_the_cap_has_no_group_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(site_data, "TASK_PAGES", 111)
    out = _site(tmp_path, archive=False)
    assert len(list((out / "t").glob("*.html"))) == 111 and not (out / "tg").exists()
    assert all(r["href"] == f"t/{r['id']}.html" for r in _tasks_js(out))


def test_archive_over_its_budget_holds_no_week_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """111 tasks with a budget of 110 task-weeks: not even this week's bulletin (before,
    4 weeks were kept whatever the budget); the archive's index says why."""
    monkeypatch.setattr(archive, "ARCHIVE_TASK_WEEKS", 110)
    out = _site(tmp_path)
    assert not list((out / "briefs").glob("week-*"))
    index = (out / "briefs" / "index.html").read_text(encoding="utf-8")
    assert "任务较多（111 项），存档不收简报" in index and "47 期均未收入" in index


def test_archive_of_a_ledger_over_its_task_cap_holds_no_week_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ledger of more tasks than ARCHIVE_MAX_TASKS keeps no archived bulletin whatever its
    task-weeks budget (issue 14: the one week a 96,830-task ledger kept was 8 s of its site);
    the index says why, and the site is complete but for it."""
    monkeypatch.setattr(archive, "ARCHIVE_MAX_TASKS", 110)
    out = _site(tmp_path)
    assert not list((out / "briefs").glob("week-*"))
    index = (out / "briefs" / "index.html").read_text(encoding="utf-8")
    assert "任务较多（111 项），存档不收简报" in index and "47 期均未收入" in index
    assert len(list((out / "t").glob("*.html"))) == 111
    monkeypatch.setattr(archive, "ARCHIVE_MAX_TASKS", 111)  # at the cap: kept, as before
    (tmp_path / "again").mkdir()
    assert len(list((_site(tmp_path / "again") / "briefs").glob("week-*.html"))) == 47


def test_archive_budget_of_two_weeks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "ARCHIVE_TASK_WEEKS", 2 * 111 + 5)
    out = _site(tmp_path)
    assert sorted(p.name for p in (out / "briefs").glob("week-*.html")) == [
        "week-2026-11-16.html",
        "week-2026-11-23.html",
    ]
    assert "存档只收最近 2 周的简报；此前的 45 期未收入" in (out / "briefs" / "index.html").read_text("utf-8")


@needs_browser
def test_search_finds_a_grouped_task_and_its_link_opens_it(
    browser: Any,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(site_data, "TASK_PAGES", 10)
    monkeypatch.setattr(site_data, "GROUP_SIZE", 25)
    monkeypatch.setattr(site_data, "UNIT_ROWS", 3)
    out = _site(tmp_path, archive=False)
    rows = _tasks_js(out)
    last = rows[-1]
    v = Visit(browser, out)
    # A unit's page cut at 3 tasks links to the task list filtered to the unit: all of them.
    page = v.open("u/chengguan.html")
    page.click('a[href$="tasks.html#unit=chengguan"]')
    page.wait_for_load_state("load")
    page.wait_for_selector("#rows tr[data-id]")
    shown = set(page.eval_on_selector_all("#rows tr[data-id]", "els => els.map(e => e.dataset.id)"))
    assert {r["id"] for r in rows if r["lead"] == "chengguan"} <= shown
    page = v.open("tasks.html")
    page.fill("#q", last["id"])
    rows = page.eval_on_selector_all("#rows tr[data-id]", "els => els.map(e => e.dataset.id)")
    assert rows == [last["id"]]
    page.click(f'#rows tr[data-id="{last["id"]}"] a')
    page.wait_for_load_state("load")
    assert page.url.endswith(last["href"])
    assert page.eval_on_selector(":target", "e => e.dataset.id") == last["id"]
    assert page.is_visible(f'tr[id="{last["id"]}"]')
    for rel in ("tg/1.html", "tg/5.html", "u/fgw.html", "index.html"):
        v.open(rel)
    v.clean()
    v.close()


def test_only_the_tasks_with_a_page_have_their_history_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: at 100,000 tasks the events of every task (a created task lists each of its
    fields and entries) were 600 MB of the site's 1.8 GB, though only the TASK_PAGES most
    urgent show theirs. The others' events are not made; the pages are the same."""
    from sanzhua.commands import site as command
    from sanzhua.history import timeline
    from tests.test_site import _git

    monkeypatch.setattr(site_data, "TASK_PAGES", 10)
    monkeypatch.setattr(site_data, "GROUP_SIZE", 25)
    root = _bundled(tmp_path)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "建立台账")
    (root / "ledgers" / "extra.yaml").write_text(
        "unit: fgw\ntasks:\n  - {id: EXTRA-1, title: 追加任务, due: 2026-11-20}\n", encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "追加", when="2026-04-01T10:00:00+08:00")
    made: list[str] = []
    real_event = timeline._event

    def event(c: Any, tc: Any) -> Any:
        made.append(tc.id)
        return real_event(c, tc)

    monkeypatch.setattr(timeline, "_event", event)
    kept, whole = tmp_path / "kept", tmp_path / "whole"
    assert site(root, as_of=AS_OF, output=kept, out=io.StringIO(), archive=False) == 0
    paged = {r["id"] for r in _tasks_js(kept)[:10]}
    assert sorted(made) == sorted(paged) and len(made) == 10  # one commit made each
    made.clear()
    real = command.task_events
    monkeypatch.setattr(command, "task_events", lambda root, notes, keep: real(root, notes))
    assert site(root, as_of=AS_OF, output=whole, out=io.StringIO(), archive=False) == 0
    assert len(made) == 112  # 111 tasks and the one added
    _same(kept, whole)
