"""A history built to be slow is cut, and every command that reads it says where (issue 14).

Fifty commits that each rewrite every task of a 4,000-task file (under 10 MB of git) held
`audit` for 76 s and `site` past a minute; a file that grows one line per commit makes
the walk quadratic, since every version is parsed. A walk now spends at most a budget
(sanzhua.history.walk: BUDGET_BASE plus BUDGET_PER_BYTE per byte of the ledger's files),
and past it stops: `audit` reports `history-cut` as an error (an audit that did not read
every commit must not pass), `log` warns, and every page of the site says it.

The budget is made small here so that a few commits of 60 tasks exceed it; the default
one reads the same history whole.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.audit import audit
from sanzhua.commands.log import log
from sanzhua.commands.site import site
from sanzhua.history import walk
from sanzhua.history.audit import collect
from sanzhua.history.git import Repo
from sanzhua.history.walk import History
from tests.test_history_repo import OUTSIDER, GitLedger

TASKS = 60
REWRITES = 6


def big_file(title: str) -> str:
    rows = "".join(f"  - {{id: BIG-{k:03d}, title: {title}{k}, owner: 张某, due: 2026-12-31}}\n" for k in range(TASKS))
    return "unit: fgw\ntasks:\n" + rows


@pytest.fixture
def g(tmp_path: Path) -> GitLedger:
    repo = GitLedger(tmp_path / "台账")
    repo.baseline()
    repo.write("ledgers/big.yaml", big_file("任务"))
    repo.commit("大文件")
    for n in range(REWRITES):
        repo.write("ledgers/big.yaml", big_file(f"改写{n}-"))
        repo.commit(f"改写 {n}", who=OUTSIDER, when=f"2026-03-{n + 2:02d}")
    return repo


@pytest.fixture
def small(monkeypatch: pytest.MonkeyPatch) -> int:
    """A budget that three rewrites of the file exceed."""
    one = TASKS * (walk.ITEM_COST + walk.CHANGE_COST)
    monkeypatch.setattr(walk, "BUDGET_BASE", 3 * one)
    monkeypatch.setattr(walk, "BUDGET_PER_BYTE", 0)
    return one


def rewrites_audited(findings: list) -> set[str]:  # type: ignore[type-arg]
    return {f.commit for f in findings if f.code == "unauthorized-edit"}


def test_the_default_budget_reads_an_ordinary_history_whole(g: GitLedger) -> None:
    findings, commits = collect(g.path)
    assert commits == REWRITES + 2
    assert "history-cut" not in {f.code for f in findings}
    assert len(rewrites_audited(findings)) == REWRITES


def test_audit_stops_on_its_budget_and_fails_naming_where(g: GitLedger, small: int) -> None:
    findings, _ = collect(g.path)
    cut = [f for f in findings if f.code == "history-cut"]
    assert len(cut) == 1 and cut[0].severity == "error"
    audited = rewrites_audited(findings)
    assert 0 < len(audited) < REWRITES
    assert cut[0].commit in audited or cut[0].commit == g.git("rev-parse", f"HEAD~{REWRITES}")
    out = io.StringIO()
    assert audit(g.path, out=out) == 1
    shown = out.getvalue()
    assert "history-cut" in shown and f"--range {cut[0].commit[:10]}..HEAD" in shown


def test_the_range_it_names_audits_the_rest(g: GitLedger, small: int) -> None:
    """Following each cut's --range until none is left audits every rewrite once."""
    findings, _ = collect(g.path)
    audited = [rewrites_audited(findings)]
    while cut := [f.commit for f in findings if f.code == "history-cut"]:
        findings, commits = collect(g.path, rev_range=f"{cut[0]}..HEAD")
        assert commits == len(g.git("rev-list", f"{cut[0]}..HEAD").split())
        audited.append(rewrites_audited(findings))
    assert len(audited) > 1
    assert sum(len(a) for a in audited) == REWRITES
    assert set().union(*audited) == set(g.git("rev-list", f"HEAD~{REWRITES}..HEAD").split())


def test_log_warns_that_the_history_was_cut(g: GitLedger, small: int, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert log(g.path, "BIG-001", out=out) == 0
    err = capsys.readouterr().err
    assert "修改记录只读到提交" in err and "--range" in err


def test_every_site_page_says_the_history_was_cut(g: GitLedger, small: int, tmp_path: Path) -> None:
    folder = tmp_path / "site"
    assert site(g.path, as_of=date(2026, 11, 25), output=folder, archive=False, out=io.StringIO()) == 0
    pages = list(folder.rglob("*.html"))
    assert pages
    for page in (folder / "index.html", next(p for p in pages if "BIG-001" in p.name)):
        assert "各任务页的修改记录只读到提交" in page.read_text(encoding="utf-8"), page


def test_a_growing_file_counts_its_bytes(g: GitLedger) -> None:
    """Each version of a file growing a line per commit is parsed: the bytes are counted."""
    for n in range(5):
        g.write("ledgers/big.yaml", big_file("改写5-") + "".join(f"# 第{k}行\n" for k in range(200 * (n + 1))))
        g.commit(f"加注释 {n}", when="2026-04-01")
    history = History(Repo(g.path))
    list(history.walk(history.repo.log(["HEAD"])))
    grown = sum(len(f"# 第{k}行\n".encode()) for n in range(5) for k in range(200 * (n + 1)))
    assert history.parser.parsed_bytes > grown
