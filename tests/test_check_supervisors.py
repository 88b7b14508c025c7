"""`sanzhua check` on a sanzhua.yaml whose `supervisors` list is empty (issue 13.5): an
error, since a ledger committed so locks its own audit."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SETTINGS, MakeLedger
from tests.test_check import GOOD, only, problems, run


def test_an_empty_supervisors_list_is_an_error(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": GOOD}, settings=SETTINGS + "supervisors: []   # 督查室\n")
    p = only(root)
    assert (p["code"], p["severity"], p["file"], p["line"], p["column"]) == (
        "no-supervisors",
        "error",
        "sanzhua.yaml",
        5,
        14,
    )
    assert "supervisors（督查人员）是空的" in str(p["message"])
    assert "sanzhua audit --baseline" in str(p["hint"])
    code, _ = run(root)
    assert code == 1
    _, text = run(root, fmt="text", lang="en")
    assert "sanzhua.yaml:5:14" in str(text) and "supervisors is empty" in str(text)


def test_empty_in_every_spelling(make_ledger: MakeLedger, tmp_path: Path) -> None:
    for written in ('supervisors: ""\n', "supervisors:\n  - ''\n", "supervisors: []\n"):
        root = make_ledger({"ledgers/fgw.yaml": GOOD}, settings=SETTINGS + written)
        got = [(f, line) for f, line, c in problems(root) if c == "no-supervisors"]
        assert got in ([("sanzhua.yaml", 5)], [("sanzhua.yaml", 6)]), written


def test_supervisors_named_or_not_written(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": GOOD}, settings=SETTINGS + "supervisors: [ducha@yanjin.gov.cn]\n")
    assert problems(root) == []
    root = make_ledger({"ledgers/fgw.yaml": GOOD}, settings=SETTINGS)
    assert problems(root) == []  # a ledger kept without audit


def test_the_bundled_ledger_names_its_supervisors() -> None:
    root = Path(__file__).resolve().parents[1]
    assert "no-supervisors" not in {c for _, _, c in problems(root)}


def test_init_names_the_person_running_it(tmp_path: Path) -> None:
    """`sanzhua init` writes the email git puts on its user's commits as the first supervisor;
    with none known (and no --supervisor) it refuses, and never writes an empty list."""
    import os

    from tests.test_cli import SRC, sanzhua

    bare = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "EMAIL"}
    bare |= {"PYTHONPATH": SRC, "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    named = bare | {"GIT_AUTHOR_EMAIL": "ducha@yanjin.gov.cn", "GIT_AUTHOR_NAME": "督查室"}
    assert sanzhua("init", "甲", cwd=tmp_path, env=named).returncode == 0
    assert "  - ducha@yanjin.gov.cn" in (tmp_path / "甲" / "sanzhua.yaml").read_text(encoding="utf-8")
    assert sanzhua("check", cwd=tmp_path / "甲", env=named).returncode == 0
    r = sanzhua("init", "乙", cwd=tmp_path, env=bare)
    assert r.returncode == 2 and "--supervisor" in r.stderr
    assert not (tmp_path / "乙" / "sanzhua.yaml").exists()
    assert sanzhua("init", "丙", "--supervisor", "d@x.gov.cn", cwd=tmp_path, env=bare).returncode == 0
    assert sanzhua("check", cwd=tmp_path / "丙", env=bare).returncode == 0
