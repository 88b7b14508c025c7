"""The layers of loading, checking and the cache, read off the imports (issue 16).

load parses and caches and knows nothing above it; checks see the ledger and the
evaluation; evaluate sees the loaded ledger; score sees evaluate but no report. Every
import counts, at the top of a module or inside a function: a function-local import
that hides a cycle is exactly what this test is for. A module may import a lower
layer lazily for start-up cost alone (sanzhua.load.scan's settings parser, which
builds pydantic models), which stays within its layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "sanzhua"


def _imports(path: Path) -> list[tuple[str, bool]]:
    """Every sanzhua module a file imports, and whether the import is inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[str, bool]] = []

    def visit(node: ast.AST, local: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = local or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("sanzhua"):
                out.append((child.module, inner))
                out.extend((f"{child.module}.{a.name}", inner) for a in child.names)
            elif isinstance(child, ast.Import):
                out.extend((a.name, inner) for a in child.names if a.name.startswith("sanzhua"))
            visit(child, inner)

    visit(tree, False)
    return out


def _modules(*parts: str) -> list[Path]:
    found: list[Path] = []
    for part in parts:
        p = SRC / part
        found.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p.with_suffix(".py")])
    return found


# module (or package) → what it must not import, at any depth of its own code
FORBIDDEN = {
    "load": ("sanzhua.checks", "sanzhua.evaluate", "sanzhua.score", "sanzhua.report", "sanzhua.commands"),
    "evaluate": ("sanzhua.checks", "sanzhua.score", "sanzhua.report", "sanzhua.commands"),
    "checks": ("sanzhua.score.compute", "sanzhua.report", "sanzhua.commands", "sanzhua.render"),
    "score": ("sanzhua.report", "sanzhua.commands", "sanzhua.render"),
    "periods": ("sanzhua.report", "sanzhua.score", "sanzhua.commands"),
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_each_layer_imports_only_downward(layer: str) -> None:
    bad = [
        f"{path.relative_to(SRC)} imports {name}"
        for path in _modules(layer)
        for name, _ in _imports(path)
        if name.startswith(FORBIDDEN[layer])
    ]
    assert not bad


def test_no_function_local_import_hides_a_cycle_in_load_checks_evaluate_score() -> None:
    """Inside functions, these modules import nothing of sanzhua but the few lazy imports
    kept for start-up cost (named here)."""
    allowed = {
        ("load/scan.py", "sanzhua.load"),  # the settings parser: pydantic, only when a settings file changed
        ("load/scan.py", "sanzhua.load.settings"),
        ("checks/scoring_rules.py", "sanzhua.score.rules"),  # pydantic too, only when `scoring:` is written
        ("checks/scoring_rules.py", "sanzhua.score.rules.rules_from_text"),
    }
    local = [
        (path.relative_to(SRC).as_posix(), name)
        for path in _modules("load", "checks", "evaluate", "score/compute", "kinds", "periods")
        for name, inner in _imports(path)
        if inner
    ]
    assert [x for x in local if x not in allowed] == []


def test_the_parser_runs_no_check() -> None:
    """A file whose task is done before it starts: parsing says nothing about it; the
    check layer does."""
    from sanzhua.checks.per_task import file_problems, task_problems
    from sanzhua.load.ledgerfile import parse_ledger_bytes

    data = (
        "unit: fgw\ntasks:\n  - id: A-1\n    title: t\n"
        "    start: 2026-05-01\n    done: 2026-04-01\n    due: 2026-06-30\n"
    )
    result = parse_ledger_bytes(data.encode(), "ledgers/a.yaml", 2026)
    assert result.problems == []
    assert [p.code for p in task_problems(result)] == ["done-before-start"]
    assert [p.code for p in file_problems(result)] == ["done-before-start"]


def test_a_ledger_is_not_changed_after_it_is_built(make_ledger) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from sanzhua.load import load_ledger

    ledger = load_ledger(make_ledger())
    with pytest.raises(dataclasses.FrozenInstanceError):
        ledger.sources = {}  # type: ignore[misc]
    assert not hasattr(ledger, "full_task") and not hasattr(ledger, "whole")


def test_no_name_in_a_package_hides_one_of_its_modules() -> None:
    """`sanzhua.load.scan` was a function imported into sanzhua.load, not the module of that
    name: every module of every package is what its dotted name says."""
    import importlib
    import types

    hidden = []
    for init in sorted(SRC.rglob("__init__.py")):
        package = ".".join(("sanzhua", *init.parent.relative_to(SRC).parts))
        outer = importlib.import_module(package)
        for path in sorted(init.parent.glob("*.py")):
            if path.stem in ("__init__", "__main__"):
                continue
            inner = importlib.import_module(f"{package}.{path.stem}")
            if getattr(outer, path.stem) is not inner:
                hidden.append(f"{package}.{path.stem}: {type(getattr(outer, path.stem)).__name__}")
    assert hidden == []
    assert isinstance(importlib.import_module("sanzhua.load").scan, types.ModuleType)


def test_a_command_imports_no_other_command() -> None:
    """What two commands share lives in the layer below them or in commands.common (the
    edit commands' EditRun among it) and commands.writefail. commands.edit_quick is the
    edit commands' fast path, imported by commands.edit alone. A new one fails here, and
    lint-imports' independence contract says the same (see the next test)."""
    shared = {"sanzhua.commands.common", "sanzhua.commands.writefail"}
    allowed = {("edit", "edit_quick")}
    found = set()
    for path in _modules("commands"):
        for name, _ in _imports(path):
            parts = name.split(".")
            own = len(parts) < 3 or parts[2] == path.stem
            if not own and parts[1] == "commands" and ".".join(parts[:3]) not in shared:
                found.add((path.stem, parts[2]))
    assert found == allowed


def test_every_command_is_in_the_independence_contract() -> None:
    """pyproject.toml's "commands" contract lists the commands by name (import-linter's
    independence contract cannot leave out the shared helpers from a wildcard): a new
    command module must be added there, or it could import another unseen."""
    import tomllib

    config = tomllib.loads((SRC.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["id"] == "commands")
    helpers = {"__init__", "common", "writefail", "edit_quick"}
    commands = {f"sanzhua.commands.{p.stem}" for p in _modules("commands")} - {f"sanzhua.commands.{h}" for h in helpers}
    assert set(contract["modules"]) == commands


def _unexplained_lazy_imports(path: Path) -> list[int]:
    """The lines of imports inside a function with no comment saying why: on the line
    itself, or on the line above the run of imports it belongs to."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    found: set[int] = set()
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(fn):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            at = node.lineno - 1
            if "#" in lines[at]:
                continue
            above = at - 1
            while (above >= 0 and lines[above].strip().startswith(("from ", "import ", ")"))) or (
                above >= 0 and lines[above].rstrip().endswith((",", "("))
            ):
                above -= 1
            if above < 0 or not lines[above].strip().startswith("#"):
                found.add(node.lineno)
    return sorted(found)


def test_an_import_inside_a_function_says_why() -> None:
    """Imports stand at the top of a module. One inside a function is there for start-up
    cost (openpyxl, matplotlib, python-docx, pydantic's models, a command's module in
    cli.py), a platform's own module, or a cycle, and a comment says which (issue 16.3)."""
    found = {
        rel: lines
        for path in sorted(SRC.rglob("*.py"))
        if (lines := _unexplained_lazy_imports(path)) and (rel := path.relative_to(SRC).as_posix())
    }
    assert found == {}
