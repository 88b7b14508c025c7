"""`sanzhua site`: pages built from real ledgers (the bundled one and a hostile one in a
real git repository), opened in headless Chromium from disk.

The browser tests need Debian's `chromium` and Playwright for Python (`make viewers`
installs the first, the dev extras the second); without them they skip. Screenshots
at desktop and phone width go to build/test-artifacts/site/ (not committed).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest

from sanzhua.commands.site import site
from sanzhua.commands.status import status
from sanzhua.errors import Refused
from sanzhua.site.build import script_json
from sanzhua.site.data import Names
from tests.conftest import REPO

AS_OF = "2026-11-25"
ARTIFACTS = REPO / "build" / "test-artifacts" / "site"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright

    HAVE_PLAYWRIGHT = True
except ImportError:  # pragma: no cover - depends on the machine
    HAVE_PLAYWRIGHT = False

needs_browser = pytest.mark.skipif(
    CHROMIUM is None or not HAVE_PLAYWRIGHT,
    reason="needs Debian's chromium (make viewers) and playwright (pip install -e '.[dev]')",
)

HOSTILE = '<script>alert("t")</script>"\'><img src=x onerror=alert(1)></script><!--'


def _date(d: str) -> Any:
    from datetime import date

    return date.fromisoformat(d)


def _bundled(tmp: Path) -> Path:
    root = tmp / "bundled"
    root.mkdir()
    for name in ("sanzhua.yaml", "units.yaml"):
        shutil.copy(REPO / name, root / name)
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    return root


def _git(root: Path, *args: str, when: str = "2026-03-02T10:00:00+08:00", who: str = "ducha@example.gov.cn") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": who.split("@")[0],
        "GIT_AUTHOR_EMAIL": who,
        "GIT_COMMITTER_NAME": who.split("@")[0],
        "GIT_COMMITTER_EMAIL": who,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


SETTINGS = """\
name: 测试县<b>督查</b>台账
office: 县政府督查室
year: 2026
lang: zh
supervisors: [ducha@example.gov.cn]
bulletin: {first_week: 2026-01-05}
"""

UNITS = f"""\
units:
  - {{id: fgw, name: {json.dumps("县发改委" + HOSTILE, ensure_ascii=False)}, kind: 县直部门}}
  - {{id: jyj, name: 县教育局, kind: 县直部门}}
"""


def _hostile_files(progress: str = "") -> dict[str, str]:
    title = json.dumps(HOSTILE, ensure_ascii=False)
    return {
        "ledgers/fgw.yaml": f"""\
unit: fgw
tasks:
  - id: H-1
    title: {title}
    leader: {json.dumps("副县长" + HOSTILE, ensure_ascii=False)}
    owner: 张某
    category: 抓具体/抓项目建设
    start: 2026-01-10
    due: 2026-06-30
    milestones:
      - {{name: {title}, due: 2026-04-30}}
    target: {{metric: 投资, value: 100, unit: 万元}}
    progress:
      - {{date: 2026-02-20, value: 10, note: {title}}}
{progress}
  - id: H-2
    title: 已完成的任务
    leader: 副县长李某
    start: 2026-01-10
    due: 2026-05-31
    done: 2026-05-20
""",
        "ledgers/jyj.yaml": """\
unit: jyj
tasks:
  - id: J-1
    title: 学校建设
    leader: 副县长李某
    start: 2026-02-01
    due: 2026-12-31
    progress:
      - {date: 2026-06-20, percent: 40, note: 主体完工}
""",
    }


def _hostile(tmp: Path) -> Path:
    root = tmp / "hostile"
    root.mkdir()
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    for rel, text in _hostile_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "建立台账")
    more = "      - {date: 2026-05-25, value: 60, note: 进展顺利}"
    (root / "ledgers/fgw.yaml").write_text(_hostile_files(more)["ledgers/fgw.yaml"], encoding="utf-8")
    _git(
        root, "commit", "-q", "-am", "fgw 报送进展 <script>", when="2026-05-26T09:00:00+08:00", who="clerk@fgw.example"
    )
    return root


def _build(root: Path, out: Path, as_of: str = AS_OF, **kw: Any) -> str:
    buf = io.StringIO()
    assert site(root, as_of=_date(as_of), output=out, out=buf, **kw) == 0
    return buf.getvalue()


def _status(root: Path, as_of: str = AS_OF) -> dict[str, Any]:
    buf = io.StringIO()
    status(root, as_of=_date(as_of), fmt="json", out=buf)
    doc: dict[str, Any] = json.loads(buf.getvalue())
    return doc


# --- without a browser -----------------------------------------------------------------


def test_script_json_cannot_end_a_script() -> None:
    text = script_json({"t": "</script><script>alert(1)</script><!-- \u2028"})
    assert "<" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><script>alert(1)</script><!-- \u2028"}


def test_page_names_stay_in_their_folder() -> None:
    names = Names()
    assert names("t", "XM-001") == "XM-001"
    for hostile in ("../../etc/passwd", "a/b", "..", ".hidden", "CON:", "x" * 200):
        name = names("t", hostile)
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._~-]*", name), name
        assert "/" not in name and not name.startswith(".")
    assert names("t", "ab") != names("t", "AB")  # one disk may not tell them apart
    assert names("u", "ab") == "ab"  # another kind of page, another folder


def test_site_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    from sanzhua.errors import FatalError

    root = _bundled(tmp_path)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "report.docx").write_text("keep me")
    with pytest.raises(FatalError):
        _build(root, out)
    assert (out / "report.docx").read_text() == "keep me"
    # A site written before is replaced whole.
    site_dir = tmp_path / "site"
    _build(root, site_dir)
    (site_dir / "t" / "stale.html").write_text("old")
    _build(root, site_dir)
    assert not (site_dir / "t" / "stale.html").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]  # no temporary folder left


def test_site_refuses_a_ledger_with_errors_unless_told(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _bundled(tmp_path)
    (root / "ledgers" / "broken.yaml").write_text(
        "unit: fgw\ntasks:\n  - id: B-1\n    title: 坏\n    due: 2026-02-30\n"
    )
    out = tmp_path / "site"
    with pytest.raises(Refused):  # the CLI exits 1
        site(root, as_of=_date(AS_OF), output=out, out=io.StringIO())
    assert not out.exists()
    assert "ledgers/broken.yaml" in capsys.readouterr().err
    _build(root, out, allow_errors=True)
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'role="alert"' in index and "ledgers/broken.yaml" in index


def test_pages_escape_ledger_text(tmp_path: Path) -> None:
    root = _hostile(tmp_path)
    out = tmp_path / "site"
    _build(root, out, as_of="2026-07-01")
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html, page
        assert "<img src=x" not in html, page
        assert "<b>督查</b>" not in html, page
    data = (out / "assets" / "tasks.js").read_text(encoding="utf-8")
    assert "<" not in data
    task = (out / "t" / "H-1.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in task


def test_english_site(tmp_path: Path) -> None:
    root = _bundled(tmp_path)
    out = tmp_path / "site"
    _build(root, out, lang="en")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in index and "Completion rate" in index and "完成率" not in index


def test_task_history_and_trend_come_from_git(tmp_path: Path) -> None:
    root = _hostile(tmp_path)
    out = tmp_path / "site"
    _build(root, out, as_of="2026-07-01")
    task = (out / "t" / "H-1.html").read_text(encoding="utf-8")
    assert "clerk@fgw.example" in task and "fgw 报送进展 &lt;script&gt;" in task
    assert "进展(progress): date=2026-05-25" in task
    trends = (out / "trends.html").read_text(encoding="utf-8")
    # Weeks before the first commit (2 March) follow the as-of rules, the others git.
    assert "git 历史" in trends
    rows = re.findall(r'<td class="date">(2026-\d\d-\d\d)</td>.*?<td>(git 历史|推算)', trends)
    by_day = dict(rows)
    assert by_day["2026-03-01"] == "推算" and by_day["2026-03-08"] == "git 历史" and by_day["2026-07-01"] == "git 历史"


def test_trend_reads_the_ledger_as_committed(tmp_path: Path) -> None:
    """The week ending 24 May is the ledger of the first commit: H-1 at 10 of 100 (behind);
    by 31 May the second commit's 60 counts. The current ledger at 24 May would say the same
    10 (the 25 May entry is later), so the test asks the week after as well."""
    from sanzhua.load import load_ledger
    from sanzhua.report.trends import trend

    root = _hostile(tmp_path)
    # A third commit, after the as-of date, rewrites history: the current file no longer
    # has the 25 May entry. The git points must still see it (the ledger as it stood).
    (root / "ledgers/fgw.yaml").write_text(_hostile_files()["ledgers/fgw.yaml"], encoding="utf-8")
    _git(root, "commit", "-q", "-am", "撤回进展", when="2026-07-05T09:00:00+08:00")
    points = {p.day.isoformat(): p for p in trend(load_ledger(root, cache=False), _date("2026-07-01"))}
    assert points["2026-05-31"].source == "git"
    assert points["2026-05-31"].actual_mean is not None
    with_entry = points["2026-05-31"].actual_mean
    rules = {p.day.isoformat(): p for p in trend(load_ledger(root, cache=False), _date("2026-07-01"), use_git=False)}
    assert rules["2026-05-31"].source == "rules"
    assert with_entry > (rules["2026-05-31"].actual_mean or 0)


# --- in a browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None or not HAVE_PLAYWRIGHT:
        pytest.skip("needs chromium and playwright")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Visit:
    """A page with every console error, page error, dialog and request recorded; any
    request for something outside the site folder is refused and remembered."""

    def __init__(self, browser: Any, folder: Path, width: int = 1280) -> None:
        self.folder = folder.resolve()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.route("**/*", self._route)

    def _dialog(self, d: Any) -> None:
        self.dialogs.append(d.message)
        d.dismiss()

    def _route(self, route: Any) -> None:
        url = route.request.url
        prefix = self.folder.as_uri() + "/"
        if url.startswith(prefix):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, rel: str) -> Any:
        self.page.goto(f"{self.folder.as_uri()}/{rel}")
        self.page.wait_for_load_state("load")
        return self.page

    def clean(self) -> None:
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        assert self.dialogs == [], self.dialogs

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.page.close()


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("bundled")
    root = _bundled(tmp)
    out = tmp / "site"
    _build(root, out)
    return root, out


@needs_browser
def test_every_page_loads_clean_and_offline(browser: Any, bundled_site: tuple[Path, Path]) -> None:
    _, out = bundled_site
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert len(pages) > 100
    v = Visit(browser, out)
    for rel in pages:
        v.open(rel)
        # Every link and script stays in the folder, and each file it names exists.
        for href in v.page.eval_on_selector_all(
            "a[href], link[href], script[src]", "els => els.map(e => e.href || e.src)"
        ):
            assert href.startswith(out.resolve().as_uri()), (rel, href)
            target = unquote(href.split("#")[0][len(out.resolve().as_uri()) + 1 :])
            assert (out / target).exists(), (rel, href)
    v.clean()
    v.close()


@needs_browser
def test_numbers_equal_status_json(browser: Any, bundled_site: tuple[Path, Path]) -> None:
    root, out = bundled_site
    doc = _status(root)
    tasks = doc["tasks"]
    lights = Counter(t["light"] for t in tasks)
    states = Counter(s for t in tasks for s in t["states"])
    not_cancelled = [t for t in tasks if "cancelled" not in t["states"]]
    done = sum(1 for t in not_cancelled if t["light"] == "done")
    v = Visit(browser, out)
    page = v.open("index.html")
    cards = {
        el.get_attribute("data-count"): el.query_selector(".v").inner_text()
        for el in page.query_selector_all(".card[data-count]")
    }
    assert cards["tasks"] == str(len(not_cancelled))
    assert cards["done"] == str(done)
    assert cards["completion_rate"] == f"{round(100 * done / len(not_cancelled), 1):g}%"
    for state in ("overdue", "due_soon", "behind", "no_report", "on_track"):
        assert cards[state] == str(states[state]), state
    bar = {
        el.get_attribute("data-light"): int(el.get_attribute("data-n"))
        for el in page.query_selector_all(".lightbar .seg")
    }
    assert bar == {k: n for k, n in lights.items() if n}
    # Lights by unit: the first table's rows against the status rows grouped by lead unit.
    by_unit: dict[str, Counter[str]] = {}
    for t in tasks:
        by_unit.setdefault(t["lead"], Counter())[t["light"]] += 1
    rows = page.query_selector_all("#by-unit + .scroll tbody tr")
    assert len(rows) == len(by_unit)
    shown = []
    for r in rows:
        key = r.get_attribute("data-key")
        got = {k: int(r.get_attribute(f"data-{k}")) for k in ("red", "yellow", "green", "done", "none")}
        assert got == {k: by_unit[key][k] for k in got}, key
        assert int(r.get_attribute("data-tasks")) == sum(by_unit[key].values())
        shown.append((-got["red"], -got["yellow"]))
    assert shown == sorted(shown)  # worst first
    # Each task page shows the light and percent status gives.
    for t in tasks[:40]:
        p = v.open(f"t/{t['id']}.html")
        assert p.inner_text(".state .light").strip()
        assert f"l-{t['light']}" in p.get_attribute(".state .light", "class")
        if t["percent"] is not None:
            assert f"{t['percent']:g}%" in p.inner_text("main")
    v.clean()
    v.close()


def _rows(page: Any) -> list[dict[str, str]]:
    return page.eval_on_selector_all(
        "#rows tr[data-id]", "els => els.map(e => ({id: e.dataset.id, light: e.dataset.light, text: e.innerText}))"
    )


@needs_browser
def test_filter_and_search(browser: Any, bundled_site: tuple[Path, Path]) -> None:
    root, out = bundled_site
    tasks = _status(root)["tasks"]
    v = Visit(browser, out)
    page = v.open("tasks.html")
    assert len(_rows(page)) == len(tasks)
    page.select_option("#f-light", "red")
    red = _rows(page)
    assert sorted(r["id"] for r in red) == sorted(t["id"] for t in tasks if t["light"] == "red")
    page.select_option("#f-light", "")
    page.select_option("#f-state", "no_report")
    assert sorted(r["id"] for r in _rows(page)) == sorted(t["id"] for t in tasks if "no_report" in t["states"])
    page.click("#reset")
    page.fill("#q", "城关镇")
    got = {r["id"] for r in _rows(page)}
    assert got and all("城关镇" in r["text"] for r in _rows(page))
    page.fill("#q", "ZJJ-002")
    assert [r["id"] for r in _rows(page)] == ["ZJJ-002"]
    # The filter is kept in the address: a link to tasks.html#light=red shows the red ones.
    page.fill("#q", "")
    v.open("tasks.html#light=yellow")
    page.reload()
    assert {r["light"] for r in _rows(page)} == {"yellow"}
    page.fill("#q", "没有这样的任务")
    assert page.inner_text("#rows").strip() != "" and _rows(page) == []
    v.clean()
    v.close()


@needs_browser
def test_hostile_titles_render_as_text(browser: Any, tmp_path: Path) -> None:
    root = _hostile(tmp_path)
    out = tmp_path / "site"
    _build(root, out, as_of="2026-07-01")
    v = Visit(browser, out)
    for rel in ("index.html", "tasks.html", "t/H-1.html", "u/fgw.html", "units.html", "trends.html"):
        page = v.open(rel)
        assert page.query_selector("main img") is None, rel
        assert page.eval_on_selector_all("main script", "els => els.length") == 0, rel
    page = v.open("t/H-1.html")
    assert HOSTILE in page.inner_text("h1")
    page = v.open("tasks.html")
    page.fill("#q", "onerror")
    rows = _rows(page)
    assert [r["id"] for r in rows] == ["H-1", "H-2"]  # H-2's unit has the name too
    assert HOSTILE in rows[0]["text"]
    v.clean()
    v.close()


@needs_browser
@pytest.mark.parametrize("width,name", [(1280, "desktop"), (390, "phone")])
def test_screenshots(browser: Any, bundled_site: tuple[Path, Path], width: int, name: str) -> None:
    """Screenshots for a person to look at; at phone width nothing but a table or chart
    may be wider than the screen."""
    _, out = bundled_site
    v = Visit(browser, out, width)
    for rel in ("index.html", "tasks.html", "trends.html", "units.html", "u/zjj.html", "t/JTY-002.html"):
        page = v.open(rel)
        wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
        assert not wide, f"{rel} is wider than the window at {width}px"
        v.shot(f"{name}-{rel.replace('/', '-').removesuffix('.html')}")
    v.close()
    assert (ARTIFACTS / f"{name}-index.png").stat().st_size > 10_000


@needs_browser
def test_task_lists_fit_a_phone(browser: Any, bundled_site: tuple[Path, Path]) -> None:
    """At phone width every cell of a task list (light, id, title, unit, deadline, state,
    progress) is on the screen without scrolling sideways: a leader reading the overdue
    list on a phone sees each task's deadline and state, not only its title."""
    _, out = bundled_site
    v = Visit(browser, out, 390)
    for rel in ("index.html", "tasks.html", "u/zjj.html"):
        page = v.open(rel)
        cells = page.evaluate(
            """() => Array.from(document.querySelectorAll('table.tasks tbody td')).map(td => {
                const r = td.getBoundingClientRect();
                return [td.textContent.trim(), r.left, r.right, r.width];
            })"""
        )
        assert len(cells) > 20, rel
        cut = [c for c in cells if c[1] < 0 or c[2] > 390 or (c[0] and c[3] == 0)]
        assert cut == [], f"{rel}: {cut[:5]}"
    v.clean()
    v.close()


@needs_browser
def test_unit_names_stay_while_the_lights_scroll_on_a_phone(browser: Any, bundled_site: tuple[Path, Path]) -> None:
    """The lights by unit are wider than a phone: scrolled to their last column (the
    completion rate), each row still shows its unit's name at the left."""
    _, out = bundled_site
    v = Visit(browser, out, 390)
    page = v.open("units.html")
    names = page.evaluate(
        """() => {
            const box = document.querySelector('table.lights').closest('.scroll');
            box.scrollLeft = box.scrollWidth;
            return Array.from(document.querySelectorAll('table.lights tbody th')).map(th => {
                const r = th.getBoundingClientRect();
                return [th.textContent.trim(), r.left, r.right];
            });
        }"""
    )
    assert len(names) > 20 and box_scrolled(page)
    assert [n for n in names if n[1] < 0 or n[2] > 390] == []
    v.clean()
    v.close()


def box_scrolled(page: Any) -> bool:
    return bool(page.evaluate("() => document.querySelector('table.lights').closest('.scroll').scrollLeft > 100"))


def test_site_command_line(tmp_path: Path) -> None:
    """The command as a user runs it: exit 0 and where to look; a ledger with errors, exit 1."""
    root = _bundled(tmp_path)
    out = tmp_path / "site"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "sanzhua", "site", "--root", str(root), "--as-of", AS_OF, *args]
        return subprocess.run(argv, capture_output=True, text=True, check=False, env=env)

    proc = run("-o", str(out), "--no-archive")
    assert proc.returncode == 0, proc.stderr
    assert "网站已生成" in proc.stdout and (out / "index.html").is_file()
    (root / "ledgers" / "broken.yaml").write_text("unit: fgw\ntasks: [\n", encoding="utf-8")
    proc = run("-o", str(tmp_path / "other"))
    assert proc.returncode == 1 and "ledgers/broken.yaml" in proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "other").exists()


# --- the bulletin archive ----------------------------------------------------------------


def test_archive_holds_every_week_as_brief_writes_it(tmp_path: Path) -> None:
    from sanzhua.commands.brief import brief

    root = _bundled(tmp_path)
    out = tmp_path / "site"
    _build(root, out)
    pages = sorted((out / "briefs").glob("week-*.html"))
    # bulletin.first_week is 2026-01-05: weeks 1 to 48 (the week holding 2026-11-25).
    assert len(pages) == 47
    assert pages[0].name == "week-2026-01-05.html" and pages[-1].name == "week-2026-11-23.html"
    buf = io.StringIO()
    assert brief(root, as_of=_date(AS_OF), period="week", out=buf) == 0
    md = sorted((out / "briefs").glob("*第47期.md"))
    assert len(md) == 1 and md[0].read_text(encoding="utf-8") == buf.getvalue()
    html = pages[-1].read_text(encoding="utf-8")
    assert "<table>" in html and "<h1>政务督查</h1>" in html
    index = (out / "briefs" / "index.html").read_text(encoding="utf-8")
    assert index.count('href="week-') == 47 and ".docx" not in index  # Word files only with --docx


def test_archive_with_word_files(tmp_path: Path) -> None:
    from docx import Document

    root = _hostile(tmp_path)
    out = tmp_path / "site"
    _build(root, out, as_of="2026-01-20", docx=True)
    files = sorted((out / "briefs").glob("*.docx"))
    assert len(files) == 3  # the weeks of 5, 12 and 19 January
    text = "\n".join(p.text for p in Document(str(files[-1])).paragraphs)
    assert "政务督查" in text
    index = (out / "briefs" / "index.html").read_text(encoding="utf-8")
    assert index.count('.docx" download') == 3


# --- sanzhua init's CI job ----------------------------------------------------------------


def test_init_writes_a_site_job_that_builds(tmp_path: Path) -> None:
    import yaml

    from sanzhua.commands.init import init

    target = tmp_path / "台账"
    assert init(target, name="测试台账", year=2026) == 0
    job = yaml.safe_load((target / ".github/workflows/sanzhua-site.yml").read_text(encoding="utf-8"))
    assert job[True]["push"]["branches"] == ["main"]  # `on:` reads as True in YAML 1.1
    steps = job["jobs"]["site"]["steps"]
    runs = [s.get("run", "") for s in steps]
    assert "sanzhua site -o public" in runs
    assert any(s.get("uses", "").startswith("actions/upload-pages-artifact") for s in steps)
    assert steps[0]["with"]["fetch-depth"] == 0  # the whole history, for the trend and task histories
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "init")
    out = target / "public"
    _build(target, out, as_of="2026-03-01")
    assert (out / "index.html").is_file() and (out / "t" / "FGW-001.html").is_file()


# --- the trend's shortcut equals the full evaluation ---------------------------------------


def _full_points(ledger: Any, as_of: str) -> list[Any]:
    from sanzhua.evaluate import evaluate
    from sanzhua.periods import series_start
    from sanzhua.report.trends import point, week_ends

    s = ledger.settings
    first = series_start(s.bulletin.first_week, s.year, _date(as_of))  # at most a year back
    return [point(evaluate(ledger, d), d, "rules") for d in week_ends(min(first, _date(as_of)), _date(as_of))]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_weekly_trend_equals_evaluating_every_week(tmp_path: Path, seed: int) -> None:
    """`trends.weekly` follows each task through the weeks instead of evaluating the whole
    ledger every week: on generated ledgers (parents and sub-tasks, every status, targets,
    percent and value entries, extensions) and the bundled one, every number is the same."""
    from sanzhua.load import load_ledger
    from sanzhua.report.trends import trend
    from tests.conftest import bench_generator

    root = tmp_path / "gen"
    bench_generator().generate(root, 12, 20, seed)
    for r, as_of in ((root, "2026-11-25"), (root, "2027-03-01"), (_bundled(tmp_path), AS_OF)):
        ledger = load_ledger(r, cache=False)
        assert trend(ledger, _date(as_of), use_git=False) == _full_points(ledger, as_of)


@pytest.mark.parametrize(("lang", "week_end"), [("zh", "2026-11-08"), ("zh", "2026-11-15"), ("en", "2026-11-22")])
def test_archived_week_is_what_brief_writes_that_week(tmp_path: Path, lang: str, week_end: str) -> None:
    """The archive's note says each issue is `sanzhua brief --week --as-of` its week's last
    day: so also in English (brief.en.md.j2) and in the weeks around tracking_since (the
    bundled ledger's 2026-11-02, before which a missed report counts for nothing)."""
    from sanzhua.commands.brief import brief

    root = _bundled(tmp_path)
    out = tmp_path / "site"
    _build(root, out, lang=lang)
    buf = io.StringIO()
    assert brief(root, as_of=_date(week_end), period="week", lang=lang, out=buf) == 0
    written = buf.getvalue()
    pages = [p for p in (out / "briefs").glob("*.md") if p.read_text(encoding="utf-8") == written]
    assert len(pages) == 1, sorted(p.name for p in (out / "briefs").glob("*.md"))[-3:]
