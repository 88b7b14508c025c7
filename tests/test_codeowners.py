"""`sanzhua codeowners`: editors own their unit's files, supervisors the settings."""

from __future__ import annotations

import io
from pathlib import Path

from sanzhua.commands.codeowners import codeowners
from tests.test_history_repo import GitLedger


def test_codeowners(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "r")
    g.baseline()
    g.git("mv", "ledgers/fgw.yaml", "ledgers/县发改委 项目.yaml")
    g.commit("改名")
    out = io.StringIO()
    assert codeowners(g.path, out=out) == 0
    text = (g.path / "CODEOWNERS").read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#")]
    assert lines[0] == "* ducha@yanjin.gov.cn"
    assert "/ledgers/县发改委\\ 项目.yaml clerk@fgw.gov.cn ducha@yanjin.gov.cn" in lines
    assert "/ledgers/jtj.yaml clerk@jtj.gov.cn ducha@yanjin.gov.cn" in lines
    assert lines[-5:] == [
        f"/{p} ducha@yanjin.gov.cn" for p in ("sanzhua.yaml", "units.yaml", "calendar.yaml", "templates/", "CODEOWNERS")
    ]
    assert codeowners(g.path, check=True, out=io.StringIO()) == 0
    g.edit("units.yaml", "editors: [clerk@jtj.gov.cn]", "editors: [clerk@jtj.gov.cn, new@jtj.gov.cn]")
    assert codeowners(g.path, check=True, out=io.StringIO()) == 1
    out = io.StringIO()
    codeowners(g.path, output="-", out=out)
    assert "/ledgers/jtj.yaml clerk@jtj.gov.cn new@jtj.gov.cn ducha@yanjin.gov.cn" in out.getvalue()


def test_codeowners_for_a_ledger_in_a_subfolder(tmp_path: Path) -> None:
    g = GitLedger(tmp_path / "repo")
    (g.path / "台账").mkdir()
    inner = GitLedger.__new__(GitLedger)
    inner.path, inner.settings, inner.units = g.path / "台账", g.settings, g.units
    inner.baseline()
    out = io.StringIO()
    codeowners(inner.path, output="-", out=out)
    assert "/台账/ledgers/jtj.yaml clerk@jtj.gov.cn ducha@yanjin.gov.cn" in out.getvalue()
    assert "/台账/sanzhua.yaml ducha@yanjin.gov.cn" in out.getvalue()
