"""With the cache off (`check --no-cache`) the files parsed in this process keep no encoded
result (issue 17: nothing is written, and the result is at hand). Such a record must read
as a miss wherever it is looked up, and `check --no-cache` must say what `check` says,
with its work split between processes as with one."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.check import check
from sanzhua.load import scan as scan_module
from sanzhua.load import scan_ledger
from sanzhua.load.cache import Cache, cache_dir, decode_result, parsed, plain_result
from sanzhua.load.parallel import PARALLEL_MIN_BYTES, _decoded
from tests.conftest import bench_generator

AS_OF = date(2026, 11, 25)
TEXT = "unit: fgw\ntasks:\n  - id: A1\n    title: 任务\n    due: 2026-12-31\n"


def test_an_unencoded_record_is_a_miss(tmp_path: Path) -> None:
    (tmp_path / "sanzhua.yaml").write_text("name: t\nyear: 2026\n", encoding="utf-8")
    store = Cache(tmp_path, True)
    record, result = parsed(TEXT.encode(), "ledgers/a.yaml", 2026, b"k" * 16, encode=False)
    assert record.result == b"" and [t.id for t in result.tasks] == ["A1"]
    assert [r.id for r in record.rows] == ["A1"]
    store.put("ledgers/a.yaml", record)
    assert store.holds("ledgers/a.yaml", b"k" * 16)  # its rows are there
    assert store.result("ledgers/a.yaml", b"k" * 16) is None  # its result is not
    assert plain_result(store, "ledgers/a.yaml", b"k" * 16) is None
    encoded, _ = parsed(TEXT.encode(), "ledgers/a.yaml", 2026, b"k" * 16)
    assert encoded.result != b""


def _big(tmp: Path) -> Path:
    root = tmp / "big"
    bench_generator().generate(root, 120, 25, 3)
    size = sum(p.stat().st_size for p in (root / "ledgers").rglob("*") if p.is_file())
    assert size > PARALLEL_MIN_BYTES  # parsed by a worker and this process side by side
    return root


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_cache_says_what_check_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> None:
    root = _big(tmp_path)
    monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(scan_module, "cpu_count", lambda: 2)
    off, cold, warm = io.StringIO(), io.StringIO(), io.StringIO()
    assert check(root, as_of=AS_OF, fmt=fmt, cache=False, out=off) == 0
    assert not cache_dir(root).exists()  # nothing written with the cache off
    assert check(root, as_of=AS_OF, fmt=fmt, out=cold) == 0
    assert check(root, as_of=AS_OF, fmt=fmt, out=warm) == 0
    assert off.getvalue() == cold.getvalue() == warm.getvalue()
    assert "overdue" in off.getvalue()  # it says something to compare


def test_tasks_of_a_scan_with_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file's tasks are had from a scan without the cache: this process's from its
    own parse, the worker's decoded from what it sent."""
    root = _big(tmp_path)
    monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(scan_module, "cpu_count", lambda: 2)
    off = scan_ledger(root, cache=False)
    on = scan_ledger(root, cache=True)
    assert off.order == on.order and len(off.order) == 120
    for rel in off.order:
        assert off.result(rel) == on.result(rel)
        assert off.rows(rel) == on.rows(rel)
    assert not (tmp_path / "cache").exists()  # neither saved: scan_ledger alone writes nothing


def test_the_workers_results_come_decoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The files a worker parsed are decoded as each batch comes (issue 17: all but the
    last while the worker parses on), so the scan holds every file's result before any
    is asked for, each equal to this process's own parse of the file; a worker's result
    that does not decode is left to be parsed again."""
    root = _big(tmp_path)
    monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(scan_module, "cpu_count", lambda: 2)
    for cache in (False, True):
        scan = scan_ledger(root, cache=cache)
        assert set(scan._results) == set(scan.order)  # none left to decode when asked for
        for rel in scan.order:
            alone, _ = parsed(scan.sources[rel], rel, 2026, scan.keys[rel])
            assert scan._results[rel] == decode_result(alone.result)
    record, result = parsed(TEXT.encode(), "ledgers/a.yaml", 2026, b"k" * 16)
    assert _decoded(record) == result
    assert _decoded(record._replace(result=b"not marshal")) is None
