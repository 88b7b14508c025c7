"""What a warm report reads of the cache, and no more (issue 17): the files' results from
their places in the results file (mapped where the system maps files, never copied out
into a bytes object per file), each file's values' positions left encoded until something
reads them (the checks, the edits; a report never does), and the check results left
encoded in the main file until `check` or an edit asks for them. Each is held equal to
what a fresh parse and a fresh check say."""

from __future__ import annotations

import io
import marshal
import os
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.check import check
from sanzhua.commands.status import status
from sanzhua.load import ledgerfile as ledgerfile_module
from sanzhua.load import load_ledger, scan_ledger
from sanzhua.load.cache import Cache, cache_dir, encode_result, plain_result
from sanzhua.load.ledgerfile import parse_ledger_bytes
from tests.conftest import bench_generator

AS_OF = date(2026, 11, 25)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SANZHUA_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "ledger"
    bench_generator().generate(root, 12, 6, 5)
    out = io.StringIO()
    check(root, as_of=AS_OF, fmt="json", out=out)  # fills the cache: index, results, check results
    return root


def _parsed(root: Path, rel: str, year: int) -> ledgerfile_module.FileResult:
    return parse_ledger_bytes((root / rel).read_bytes(), rel, year)


def test_a_report_leaves_the_positions_encoded(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    decoded: list[bytes] = []
    real = ledgerfile_module.positions_from

    def counted(blob: bytes) -> dict[str, dict[str, tuple[int, int]]]:
        decoded.append(blob)
        return real(blob)

    monkeypatch.setattr(ledgerfile_module, "positions_from", counted)
    ledger = load_ledger(root)
    assert len(ledger.files) == 12 and ledger.tasks
    assert decoded == []  # not one file's positions built
    assert all("positions" not in vars(f) for f in ledger.files)
    assert status(root, as_of=AS_OF, fmt="json", out=io.StringIO()) == 0
    assert decoded == []
    # Read, they are the parse's, decoded once.
    for f in ledger.files:
        fresh = _parsed(root, f.path, ledger.settings.year)
        assert f.positions == fresh.positions and f.positions
        assert f.positions_of(f.tasks[0]) == fresh.positions_of(fresh.tasks[0])
        assert f == fresh
    assert len(decoded) == 12
    assert all(f.positions for f in ledger.files) and len(decoded) == 12


def test_an_edit_reads_the_positions_as_plain_data(root: Path) -> None:
    scan = scan_ledger(root)
    rel = scan.order[0]
    raw = plain_result(scan.store, rel, scan.keys[rel])
    assert raw is not None
    assert raw.positions == _parsed(root, rel, scan.settings.year).positions


def test_a_report_leaves_the_check_results_encoded(root: Path) -> None:
    scan = scan_ledger(root)
    load_ledger(root)
    assert scan.store._checks is None  # still the main file's blob
    checks = scan.store.checks
    assert set(checks) == set(scan.order)
    assert scan.store._checks is checks and scan.store.checks is checks  # decoded once
    main = Cache(root, True)
    assert main.checks == checks


def test_a_changed_files_check_results_stand_over_the_main_files(root: Path) -> None:
    """A run that changed one file writes a delta; its check results are the ones read."""
    rel = scan_ledger(root).order[3]
    path = root / rel
    before = Cache(root, True).checks[rel]
    path.write_bytes(path.read_bytes() + b"# a comment\n")
    check(root, as_of=AS_OF, fmt="json", out=io.StringIO())
    assert (cache_dir(root) / "files.delta.cache").exists()
    store = Cache(root, True)
    assert store._checks is None and store.changed_checks
    assert store.checks[rel] != before and store.checks[rel] == store.changed_checks[rel]
    out, fresh = io.StringIO(), io.StringIO()
    check(root, as_of=AS_OF, fmt="json", out=out)
    check(root, as_of=AS_OF, fmt="json", out=fresh, cache=False)
    assert out.getvalue() == fresh.getvalue()


@pytest.mark.skipif(os.name != "posix", reason="the results file is read, not mapped, elsewhere")
def test_the_results_are_read_from_their_place_in_the_file(root: Path) -> None:
    scan = scan_ledger(root)
    views = [scan.store._blob(rel, scan.keys[rel]) for rel in scan.order]
    assert all(type(v) is memoryview for v in views)  # no copy of each file's bytes
    bases = {id(v.obj) for v in views if isinstance(v, memoryview)}
    assert len(bases) == 1  # one mapping of the whole file
    for rel, view in zip(scan.order, views, strict=True):
        assert view is not None
        fresh = _parsed(root, rel, scan.settings.year)
        assert marshal.loads(view) == marshal.loads(encode_result(fresh))
        assert scan.result(rel) == fresh


def test_a_damaged_results_file_is_parsed_again(root: Path) -> None:
    results = cache_dir(root) / "files.results.cache"
    good = results.read_bytes()
    expected = [t for f in load_ledger(root, cache=False).files for t in f.tasks]
    for damaged in (good[:-1] + bytes([good[-1] ^ 1]), good[: len(good) // 2], good[:40], b""):
        results.write_bytes(damaged)
        assert [t for f in load_ledger(root).files for t in f.tasks] == expected
        results.write_bytes(good)
