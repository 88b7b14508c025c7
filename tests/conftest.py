"""Shared helpers: real ledgers written into temporary folders."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parent.parent

SETTINGS = """\
name: 测试县督查台账
office: 县政府督查室
year: 2026
lang: zh
"""

UNITS = """\
units:
  - {id: fgw, name: 县发改委, kind: 县直部门}
  - {id: jyj, name: 县教育局, kind: 县直部门}
  - {id: chengguan, name: 城关镇, kind: 乡镇}
"""

MakeLedger = Callable[..., Path]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's parse cache in a folder of its own (sanzhua keeps it outside the ledger,
    under $XDG_CACHE_HOME): no test sees another's, nor the user's."""
    monkeypatch.delenv("SANZHUA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture
def make_ledger(tmp_path: Path) -> MakeLedger:
    """Write a ledger: `files` maps paths to text (dedented) or bytes (written as is)."""

    def make(files: dict[str, str | bytes] | None = None, *, settings: str | None = SETTINGS,
             units: str | None = UNITS) -> Path:
        root = tmp_path / "ledger"
        root.mkdir(exist_ok=True)
        if settings is not None:
            (root / "sanzhua.yaml").write_text(textwrap.dedent(settings), encoding="utf-8")
        if units is not None:
            (root / "units.yaml").write_text(textwrap.dedent(units), encoding="utf-8")
        (root / "ledgers").mkdir(exist_ok=True)
        for rel, content in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content), encoding="utf-8")
        return root

    return make


@cache
def bench_generator() -> ModuleType:
    """bench/generate.py (a script, not a package), imported once."""
    spec = importlib.util.spec_from_file_location("bench_generate", REPO / "bench" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module
