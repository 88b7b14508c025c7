"""Parsing many ledger files at once: worker processes, and no garbage collection while
loading. Only the loader uses it; what it returns is what the cache keeps (`Parsed`)."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

from sanzhua.load.cache import Parsed, decode_result, parsed
from sanzhua.load.ledgerfile import FileResult
from sanzhua.load.plain import BadCache

# Below this many bytes to parse, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
# This process's share of the files, times the number of processes: an equal share. It was
# 0.9 (this process decodes what the workers send); but a worker also encodes each result
# to send it, and measured per process (bench/README.md, p-brief2) the worker was then the
# longer by a fifth of a second at 20,000 tasks, this process waiting for it.
MAIN_SHARE = 1.0
# Batches per worker process: this process decodes each as it comes, all but the last
# while the workers parse.
CHUNKS = 6


class Job(NamedTuple):
    """One file to parse: its bytes, path (relative to the root), the ledger's year, the
    content digest its cache record is kept under, and whether the record is kept."""

    data: bytes
    rel: str
    year: int
    key: bytes
    # Whether the record parsed in this process needs its result encoded: not when the
    # cache is off (check --no-cache), where nothing is written and the result is at hand.
    encode: bool = True


def parse_all(jobs: list[Job], workers: int) -> Iterator[tuple[str, Parsed, FileResult | None]]:
    """Each file's cache record, and its result (None only for a worker's result that
    does not decode).

    With much to parse and more than one CPU, `workers - 1` processes parse a share and
    this process parses its own meanwhile: its results need no encoding, sending and
    decoding, and it would only wait otherwise. The workers' results come in batches,
    each decoded as it comes."""
    if workers < 2 or len(jobs) < 4 or sum(len(j.data) for j in jobs) < PARALLEL_MIN_BYTES:
        for j in jobs:
            record, result = parsed(j.data, j.rel, j.year, j.key, encode=j.encode)
            yield j.rel, record, result
        return
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when parsing much (issue 17)

    mine = int(len(jobs) * MAIN_SHARE / workers)
    theirs = jobs[mine:]
    with ProcessPoolExecutor(max_workers=workers - 1, initializer=gc.disable) as pool:
        futures = [pool.submit(_parse_batch, chunk) for chunk in _chunks(theirs, (workers - 1) * CHUNKS)]
        for j in jobs[:mine]:
            record, result = parsed(j.data, j.rel, j.year, j.key, encode=j.encode)
            yield j.rel, record, result
        # Each batch's results decoded as it comes, while the workers parse the next ones:
        # this process is done with its own share first (the workers also encode theirs),
        # so only the last batch's decoding is left after the workers end (issue 17).
        for future in futures:
            for rel, record in future.result():
                yield rel, record, _decoded(record)


def _decoded(record: Parsed) -> FileResult | None:
    """A worker's result for a file, decoded; None if it does not decode (the file is
    then parsed again when asked for, as a damaged cache entry is)."""
    try:
        return decode_result(record.result)
    except BadCache:
        return None


def _parse_batch(jobs: list[Job]) -> list[tuple[str, Parsed]]:
    """Worker: parse, and return each file's cache record (its result travels encoded)."""
    return [(j.rel, parsed(j.data, j.rel, j.year, j.key)[0]) for j in jobs]


def _chunks(items: list[Job], n: int) -> Iterable[list[Job]]:
    size = max(1, -(-len(items) // n))
    for i in range(0, len(items), size):
        yield items[i : i + size]


@contextmanager
def frozen_gc() -> Iterator[None]:
    """No garbage collection while loading: millions of small objects and no cycles, the
    collector only costs time; what was loaded is frozen (lives as long as the command),
    so later collections need not walk it."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if gc_was_enabled:
            gc.enable()


def cpu_count() -> int:
    return os.cpu_count() or 1
