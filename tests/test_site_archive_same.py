"""The site's archive of bulletins writes what it wrote before it was made fast (issue 19):
every week's Markdown, HTML page and Word file are held equal to the plain way of making
them — the ledger evaluated and scored afresh at each week's end, the bulletin rendered
whole through brief.md.j2 (and brief.docx), its HTML by markdown-it — on the bundled
ledger, a generated ledger with a git history of several weeks, and a hostile one."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.common import ledger_rules, open_report
from sanzhua.commands.site import site
from sanzhua.evaluate import evaluate
from sanzhua.load import Ledger
from sanzhua.notices import load_notices
from sanzhua.periods import Period, period_of, series_start
from sanzhua.render import bulletin
from sanzhua.render.markdown import render_markdown
from sanzhua.report.brief import Brief, assemble_brief
from sanzhua.report.document import brief_context, default_name, made_from
from sanzhua.score import Rules, score_units
from sanzhua.site import archive, mdhtml
from tests.conftest import bench_generator
from tests.test_site import _bundled, _hostile

AS_OF = date(2026, 11, 25)


def _reference(ledger: Ledger, rules: Rules, as_of: date) -> Iterator[tuple[Period, Brief]]:
    """Each week's bulletin the plain way: nothing kept from one week to the next."""
    settings = ledger.settings
    first = series_start(settings.bulletin.first_week, settings.year, as_of)
    stamp = made_from(ledger.root, ledger.settings.lang)
    records = load_notices(ledger.root)[0]
    for p in archive.weeks(first, as_of):
        written = min(p.end, as_of)

        def score_at(d: date) -> object:
            year = period_of("year", d)
            return score_units(ledger, rules, year.start, year.end, d, evaluation=evaluate(ledger, d))

        b = assemble_brief(
            ledger, lambda d: evaluate(ledger, d), p, written, score_at=score_at, lang=settings.lang,  # type: ignore[arg-type]
            notices=records, tracking_since=ledger.tracking_start(),
        )
        yield p, replace(b, notice="", made_from=stamp)


def _git(root: Path, *args: str, when: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "ducha",
        "GIT_AUTHOR_EMAIL": "ducha@example.gov.cn",
        "GIT_COMMITTER_NAME": "ducha",
        "GIT_COMMITTER_EMAIL": "ducha@example.gov.cn",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _generated_with_history(tmp: Path) -> Path:
    """A generated ledger committed in several weeks, its tasks' progress growing."""
    root = tmp / "gen"
    bench_generator().generate(root, 6, 15, 11)
    files = sorted((root / "ledgers").rglob("*.y*ml"))
    kept = {f: f.read_bytes() for f in files}
    for f in files:  # the first commit: every file without its last lines of progress
        f.write_bytes(kept[f][: len(kept[f]) * 2 // 3].rsplit(b"\n  - ", 1)[0] + b"\n")
    _git(root, "init", "-q", "-b", "main", when="2026-02-02T10:00:00+08:00")
    _git(root, "add", "-A", when="2026-02-02T10:00:00+08:00")
    _git(root, "commit", "-q", "-m", "建立台账", when="2026-02-02T10:00:00+08:00")
    for k, f in enumerate(files):  # the rest, a file or two a week
        f.write_bytes(kept[f])
        when = f"2026-{3 + k // 2:02d}-{10 + k % 2 * 7:02d}T09:00:00+08:00"
        _git(root, "commit", "-q", "-am", f"报送进展 {k}", when=when)
    return root


def _ledger(root: Path) -> tuple[Ledger, Rules]:
    opened = open_report(root, None, allow_errors=False)
    rules = ledger_rules(opened.ledger, opened.lang, AS_OF)
    assert rules is not None
    return opened.ledger, rules


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("which", ["bundled", "generated", "hostile"])
def test_archive_same_as_the_plain_way(tmp_path: Path, which: str) -> None:
    make = {"bundled": _bundled, "generated": _generated_with_history, "hostile": _hostile}[which]
    root = make(tmp_path)
    out = tmp_path / "site"
    assert site(root, as_of=AS_OF, output=out, out=io.StringIO(), history=True) == 0
    ledger, rules = _ledger(root)
    weeks = 0
    for p, b in _reference(ledger, rules, AS_OF):
        text = render_markdown("brief.md.j2", brief_context(b), ledger.root)
        assert (out / "briefs" / default_name(b, "md")).read_text(encoding="utf-8") == text, p
        page = (out / "briefs" / f"week-{p.start.isoformat()}.html").read_text(encoding="utf-8")
        body = page.split('<article class="bulletin">\n')[1].split("\n</article>")[0]
        assert body == mdhtml.parser().render(text), p
        weeks += 1
    assert weeks == 47 and len(list((out / "briefs").glob("week-*.html"))) == 47


@pytest.mark.parametrize("which", ["generated", "hostile"])
def test_archive_word_files_same_as_the_plain_way(tmp_path: Path, which: str) -> None:
    from sanzhua.render.docx import render_docx

    make = {"generated": _generated_with_history, "hostile": _hostile}[which]
    root = make(tmp_path)
    out = tmp_path / "site"
    as_of = date(2026, 3, 18)  # eleven weeks: Word files are slow to make
    assert site(root, as_of=as_of, output=out, out=io.StringIO(), docx=True) == 0
    ledger, rules = _ledger(root)
    weeks = 0
    for _p, b in _reference(ledger, rules, as_of):
        want = _docx_text(render_docx("brief.docx", brief_context(b), ledger.root))
        assert _docx_text((out / "briefs" / default_name(b, "docx")).read_bytes()) == want
        weeks += 1
    assert weeks == 11


def test_appendix_rows_as_the_template_writes_them() -> None:
    """The appendix rows written directly are the template's for awkward texts too."""
    token = "x"
    probe = bulletin.probe_line(token)
    texts = ["a|b", "*星*", "_u_", "<b>", "&amp;", "a\\b", "\x01ctl", "line\nbreak", "`c`", "~s~", "[l](u)", ""]
    lines = tuple(
        replace(probe, no=i + 1, id=t, title=t + "题", unit=t, owner=t or "", state_text=t, light_text=t,
                percent=[None, 0.0, 33.3, 100.0][i % 4], deadline=[None, date(2026, 9, 30)][i % 2])
        for i, t in enumerate(texts)
    )
    from sanzhua.render.templating import environment

    env = environment(markdown=True, sandboxed=False)
    row = (
        "{% for x in rows %}| {{ x.no }} | {{ x.id }} | {{ x.title }} | {{ x.unit }} | {{ x.owner }} | "
        "{{ x.deadline|cn_date }} | {{ x.percent|pct }} | {{ x.state_text }} | {{ x.light_text }} |\n{% endfor %}"
    )
    assert env.from_string(row).render(rows=lines) == "".join(map(bulletin.appendix_row, lines))


def test_task_line_fields_in_their_order(tmp_path: Path) -> None:
    """A briefing's line is built from its fields by position (once per task, numbered per
    list): each field is the one it names."""
    from sanzhua.report.brief import LIGHT_LABELS, _Lines

    ledger, _rules = _ledger(_hostile(tmp_path))
    at = date(2026, 6, 30)
    lines = _Lines(ledger, "zh", at)
    for ts in evaluate(ledger, at):
        t = ts.task
        got = lines.task_line(ts, 7)
        assert lines.task_line(ts, 8) == replace(got, no=8)
        want = {
            "no": 7, "id": t.id, "title": t.title, "unit_id": t.lead, "unit": lines.unit_name(t.lead),
            "owner": t.owner or "", "leader": t.leader or "", "category": t.category or "",
            "deadline": ts.deadline, "days_overdue": ts.days_overdue, "workdays_left": ts.workdays_left,
            "percent": ts.percent, "expected_percent": ts.expected_percent, "done": ts.done,
            "last_report": ts.last_report, "note": lines.note(t), "states": tuple(ts.states),
            "state_text": lines.state_text(tuple(ts.states)), "light": ts.light,
            "light_text": LIGHT_LABELS["zh"].get(ts.light, ts.light),
            "overdue_milestones": len(ts.overdue_milestones),
        }
        assert {k: getattr(got, k) for k in want} == want


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _forking(monkeypatch: pytest.MonkeyPatch) -> list[list[int]]:
    """The archive written by forked children whatever its size and the machine's CPUs;
    for each build, the process ids of the children it forked."""
    from sanzhua.site import forked

    if not sys.platform.startswith("linux"):
        pytest.skip("sanzhua forks on Linux only")
    monkeypatch.setattr(archive, "FORK_MIN_TASK_WEEKS", 0)
    monkeypatch.setattr(forked, "usable_cpus", lambda: 3)
    monkeypatch.setattr(forked, "can_fork", lambda: True)  # a thread another test left is no matter here
    pids: list[list[int]] = []
    real = forked.start

    def start(parts, *args):  # type: ignore[no-untyped-def]
        started = real(parts, *args)
        pids.append([c.pid for c in started.children])
        return started

    monkeypatch.setattr(forked, "start", start)
    return pids


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_archive_written_by_forked_children_is_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big archive's weeks are written by forked children in runs of weeks (site/forked.py):
    every file of the site is byte for byte what one process writes, and the page count."""
    root = _generated_with_history(tmp_path)
    said_plain, said_forked = io.StringIO(), io.StringIO()
    assert site(root, as_of=AS_OF, output=tmp_path / "plain", out=said_plain) == 0
    pids = _forking(monkeypatch)
    assert site(root, as_of=AS_OF, output=tmp_path / "forked", out=said_forked) == 0
    assert len(pids) == 1 and len(pids[0]) == 3 and all(map(_reaped, pids[0]))
    assert _files(tmp_path / "forked") == _files(tmp_path / "plain")
    pages = [re.search(r"（(\d+) 页", said.getvalue()) for said in (said_plain, said_forked)]
    assert pages[0] and pages[1] and pages[0][1] == pages[1][1]  # 网站已生成：…（N 页


def test_a_child_that_dies_is_made_up_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A child killed before it reports (or sending what does not decode): its weeks are
    written again by the parent, and the site is whole."""
    root = _generated_with_history(tmp_path)
    assert site(root, as_of=AS_OF, output=tmp_path / "plain", out=io.StringIO()) == 0
    pids = _forking(monkeypatch)
    sent = archive.issue_data

    def dying(issues: list[archive.Issue], pages: int) -> object:  # runs in the children only
        if issues[0].html < "week-2026-02":
            os._exit(3)  # the first child dies
        if issues[-1].html > "week-2026-09":
            return ("garbage", None)  # the last sends what does not decode
        return sent(issues, pages)  # the middle one does its part

    monkeypatch.setattr(archive, "issue_data", dying)
    assert site(root, as_of=AS_OF, output=tmp_path / "forked", out=io.StringIO()) == 0
    assert _files(tmp_path / "forked") == _files(tmp_path / "plain")
    assert len(pids) == 1 and len(pids[0]) == 3 and all(map(_reaped, pids[0]))  # none left behind


def test_no_fork_while_another_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A thread holding a lock at a fork leaves it held for ever in the child: with another
    thread running, the archive is written in this process alone."""
    from sanzhua.site import forked

    if not sys.platform.startswith("linux"):
        pytest.skip("sanzhua forks on Linux only")
    monkeypatch.setattr(forked, "usable_cpus", lambda: 2)
    assert forked.can_fork() == (threading.active_count() == 1)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not forked.can_fork()
    finally:
        stop.set()
        other.join()
