"""The cold parse split between this process and a forked worker (issue 17, p-check5):
the worker is forked before the settings files are parsed, so that it parses meanwhile;
what it parses is what one process parses, also when the year sanzhua.yaml was read with
at a glance turns out wrong, when the worker dies, and when nobody reads what it sent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanzhua.load import ledger_files, scan_ledger
from sanzhua.load import parallel as parallel_module
from sanzhua.load import scan as scan_module
from sanzhua.load.scan import Scan
from tests.conftest import bench_generator


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fork") / "big"
    bench_generator().generate(root, 120, 25, 5)
    size = sum(p.stat().st_size for p in ledger_files(root))
    assert size > parallel_module.PARALLEL_MIN_BYTES  # parsed by a worker and this process side by side
    return root


class Forks:
    """Records each worker forked (its pid) and the settings files' parse, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[str] = []
        self.pids: list[int] = []
        real_init = parallel_module._Child.__init__
        real_settings = scan_module._read_settings

        def init(child: parallel_module._Child, jobs: list[parallel_module.Job]) -> None:
            real_init(child, jobs)
            self.events.append("fork")
            self.pids.append(child.pid)

        def settings(*args: object) -> object:
            self.events.append("settings")
            return real_settings(*args)  # type: ignore[arg-type]

        monkeypatch.setattr(parallel_module._Child, "__init__", init)
        monkeypatch.setattr(scan_module, "_read_settings", settings)

    def all_reaped(self) -> bool:
        """Every forked worker has ended and been waited for (none left as a zombie)."""
        for pid in self.pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            return False
        return True


def _same(a: Scan, b: Scan) -> None:
    assert a.order == b.order and a.keys == b.keys and a.sources == b.sources
    assert a.settings == b.settings
    for rel in a.order:
        assert a.rows(rel) == b.rows(rel), rel
        assert a.result(rel) == b.result(rel), rel


def test_the_worker_parses_while_the_settings_are_read(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = scan_ledger(big, cache=False, jobs=1)
    forks = Forks(monkeypatch)
    both = scan_ledger(big, cache=False, jobs=2)
    assert forks.events == ["fork", "settings"]  # forked first, then sanzhua.yaml validated
    assert forks.all_reaped()
    assert set(both._results) == set(both.order)  # every file's result at hand, none parsed later
    _same(alone, both)
    cached = scan_ledger(big, cache=True, jobs=2)  # the records it sent kept their results
    _same(alone, cached)


def test_a_pool_where_no_fork_parses_the_same(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = scan_ledger(big, cache=False, jobs=1)
    forks = Forks(monkeypatch)
    monkeypatch.setattr(parallel_module, "_can_fork", lambda: False)
    pooled = scan_ledger(big, cache=False, jobs=2)
    assert forks.events == ["settings"]
    _same(alone, pooled)


def test_a_wrong_glance_is_parsed_again_with_the_settings(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dates without a year take the ledger's: parsed with another year they differ, so a
    scan that kept the worker's parse for the glanced year would differ from one process's."""
    alone = scan_ledger(big, cache=False, jobs=1)
    forks = Forks(monkeypatch)
    monkeypatch.setattr(scan_module, "_glance", lambda data: (2019, 64))
    both = scan_ledger(big, cache=False, jobs=2)
    assert forks.events == ["fork", "settings", "fork"]  # the first worker stopped, a second one
    assert forks.all_reaped()
    _same(alone, both)


def test_the_glance_reads_the_year_and_the_limit(tmp_path: Path) -> None:
    assert scan_module._glance(b"name: x\nyear: 2031\nmax_file_mb: 9\n") == (2031, 9)
    assert scan_module._glance(b"name: x\n") == (2026, 64)  # the defaults
    assert scan_module._glance(b"year: [1\n") == (2026, 64)  # not YAML: the defaults, the settings say why
    assert scan_module._glance(b"- 1\n") == (2026, 64)
    assert scan_module._glance(b"year: '2031'\nmax_file_mb: true\n") == (2031, 64)  # numbers in digits only
    assert scan_module._glance(b"year: -1\nmax_file_mb: 1e3\n") == (2026, 64)


def test_a_worker_that_dies_leaves_its_files_to_this_process(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alone = scan_ledger(big, cache=False, jobs=1)
    forks = Forks(monkeypatch)
    real_batch = parallel_module._parse_batch
    calls = [0]

    def dies(jobs: list[parallel_module.Job]) -> object:
        calls[0] += 1  # in the child (forked): its own count
        if calls[0] == 3:
            os._exit(3)
        return real_batch(jobs)

    monkeypatch.setattr(parallel_module, "_parse_batch", dies)
    both = scan_ledger(big, cache=False, jobs=2)
    assert forks.events == ["fork", "settings"] and forks.all_reaped()
    assert set(both._results) == set(both.index) == set(both.order)  # the files it never sent parsed here
    _same(alone, both)


def test_a_parse_left_unread_stops_its_worker(big: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    forks = Forks(monkeypatch)
    paths = ledger_files(big)
    jobs = [parallel_module.Job(p.read_bytes(), str(p), 2026, b"k" * 16, False) for p in paths]
    parsing = parallel_module.parse_all(jobs, 2)
    assert len(forks.pids) == 1
    got = iter(parsing)
    next(got)
    got.close()  # the reader stops early (an error in the command): the worker is stopped and reaped
    assert forks.all_reaped()
    parsing = parallel_module.parse_all(jobs, 2)
    parsing.cancel()  # never read at all
    assert len(forks.pids) == 2 and forks.all_reaped()
    assert [rel for rel, _, _ in parallel_module.parse_all(jobs, 2)] == [j.rel for j in jobs]  # all, in order
    assert forks.all_reaped()
