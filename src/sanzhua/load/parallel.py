"""Parsing many ledger files at once: worker processes, and no garbage collection while
loading. Only the loader uses it; what it returns is what the cache keeps (`Parsed`).

Where the system can fork (Linux and the like), each worker is a child forked when the
parse is started: it has the files' bytes already (nothing is sent to it), parses its
share while this process finishes reading the settings files and parses its own, and
writes its results, batch by batch, into a pipe this process empties between its own
files. Elsewhere (Windows, macOS, or other threads running) a process pool does the same
with the files sent to it (issue 17)."""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from typing import NamedTuple

from sanzhua.load.cache import Parsed, decode_result, parsed
from sanzhua.load.ledgerfile import FileResult
from sanzhua.load.plain import BadCache

# Below this many bytes to parse, starting processes costs more than it saves.
PARALLEL_MIN_BYTES = 2_000_000
# This process's share of the files, times the number of processes. It was 0.9, then 1.0
# (a worker also encodes each result to send it: bench/README.md, p-brief2); since a forked
# worker parses while this process reads the settings files (a tenth of a second), and
# this process decodes what the workers send, a little less than an equal share (p-check5).
MAIN_SHARE = 0.95
# Batches per worker process: this process decodes each as it comes, all but the last
# while the workers parse.
CHUNKS = 6
# A forked worker's pipe is widened to this (Linux's default limit for a user) so that it
# can write a whole batch without waiting for this process to read it.
PIPE_BYTES = 1 << 20
_FRAME = 8  # bytes of a batch's length before it in the pipe


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


Got = tuple[str, Parsed, FileResult | None]


def parse_all(jobs: list[Job], workers: int) -> Parsing:
    """Start parsing `jobs`: with much to parse and more than one CPU, the workers start
    now (a forked worker parses while this process goes on reading); iterate the returned
    `Parsing` for each file's cache record and result, and `cancel` it if its results are
    not wanted after all."""
    return Parsing(jobs, workers)


class Parsing:
    """A parse under way. Iterating it gives each file's cache record and its result
    (None only for a worker's result that does not decode): this process's share first,
    parsed as it iterates, then each worker's, decoded batch by batch as it comes."""

    def __init__(self, jobs: list[Job], workers: int) -> None:
        self.mine = jobs
        self.children: list[_Child] = []
        self.pooled: list[Job] = []
        self.workers = workers - 1
        if workers < 2 or len(jobs) < 4 or sum(len(j.data) for j in jobs) < PARALLEL_MIN_BYTES:
            return
        share = int(len(jobs) * MAIN_SHARE / workers)
        self.mine, theirs = jobs[:share], jobs[share:]
        if not _can_fork():
            self.pooled = theirs
            return
        size = -(-len(theirs) // (workers - 1))
        try:
            for i in range(0, len(theirs), size):
                self.children.append(_Child(theirs[i : i + size]))
        except OSError:  # no process or pipe to be had: the rest parsed here, as by one
            self.cancel()
            self.mine = jobs

    def __iter__(self) -> Iterator[Got]:
        if self.pooled:
            yield from _pooled(self.mine, self.pooled, self.workers)
            return
        try:
            for j in self.mine:
                record, result = parsed(j.data, j.rel, j.year, j.key, encode=j.encode)
                yield j.rel, record, result
                for child in self.children:
                    child.drain()  # so that it never waits to write a batch
            for child in self.children:
                yield from child.results()
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Stop the workers still running and wait for them (nothing is left behind)."""
        for child in self.children:
            child.close()


def _can_fork() -> bool:
    """A child forked from this process is safe: a system that forks (not macOS, whose
    libraries may not survive it) and no other thread (which the child would not have)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


class _Child:
    """A forked worker parsing `jobs`: it writes each batch's records to a pipe; this
    process reads them as they come. What the child did not send (it died, or could
    not write) is parsed by this process."""

    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self.sent = 0  # jobs whose records were read
        self.buf = bytearray()
        self.eof = False
        r, w = os.pipe()
        with suppress(OSError, AttributeError):  # F_SETPIPE_SZ: Linux's; elsewhere the pipe's own size
            import fcntl  # lazy: only where a worker is forked

            fcntl.fcntl(w, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
        try:
            self.pid = os.fork()
        except OSError:
            os.close(r)
            os.close(w)
            raise
        if self.pid == 0:  # the child: parse, write, leave (never returns)
            os.close(r)
            _child_main(w, jobs)
        os.close(w)
        self.fd: int | None = r
        os.set_blocking(r, False)

    def drain(self) -> None:
        """Read what the child has written, without waiting."""
        while self.fd is not None and not self.eof:
            try:
                chunk = os.read(self.fd, PIPE_BYTES)
            except BlockingIOError:
                return
            if not chunk:
                self.eof = True
            self.buf += chunk

    def results(self) -> Iterator[Got]:
        """Every job's record and result: the child's batches as they come, then what it
        did not send parsed here."""
        while not self.eof or len(self.buf) >= _FRAME:
            batch = self._batch()
            if batch is None:
                if self.eof:
                    break
                if self.fd is not None:
                    select.select([self.fd], [], [])
                self.drain()
                continue
            for rel, record in batch:
                yield rel, record, _decoded(record)
            self.sent += len(batch)
        self.close()
        for j in self.jobs[self.sent :]:
            record, result = parsed(j.data, j.rel, j.year, j.key, encode=j.encode)
            yield j.rel, record, result

    def _batch(self) -> list[tuple[str, Parsed]] | None:
        """The next whole batch read, or None while it is not all there."""
        if len(self.buf) < _FRAME:
            return None
        size = int.from_bytes(self.buf[:_FRAME], "little")
        if len(self.buf) < _FRAME + size:
            return None
        data = bytes(self.buf[_FRAME : _FRAME + size])
        del self.buf[: _FRAME + size]
        got: list[tuple[str, Parsed]] = pickle.loads(data)  # from our own child, over our own pipe
        return got

    def close(self) -> None:
        """The child stopped (if still running) and waited for; the pipe closed."""
        if self.fd is None:
            return
        os.close(self.fd)
        self.fd = None
        self.eof = True
        if not self._reaped():
            with suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with suppress(ChildProcessError):
                os.waitpid(self.pid, 0)

    def _reaped(self) -> bool:
        """Whether the child has ended (and is now waited for): it ends after its last batch."""
        try:
            pid, _ = os.waitpid(self.pid, os.WNOHANG if self.sent < len(self.jobs) else 0)
        except ChildProcessError:
            return True
        return pid != 0


def _child_main(w: int, jobs: list[Job]) -> None:
    """A forked worker's whole life: each batch parsed and written, then `os._exit`
    (nothing of the parent's is flushed, freed or run at exit twice)."""
    code = 1  # an error (or an interrupt) ends the child without a word: what it did not
    try:  # send, the parent parses, and says what goes wrong then
        gc.disable()
        for batch in _chunks(jobs, CHUNKS):
            data = pickle.dumps(_parse_batch(batch), protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(len(data).to_bytes(_FRAME, "little") + data)
            while view:
                view = view[os.write(w, view) :]
        code = 0
    finally:
        os._exit(code)


def _pooled(mine: list[Job], theirs: list[Job], workers: int) -> Iterator[Got]:
    """The parse with a process pool (no fork): the workers' files sent to them."""
    from concurrent.futures import ProcessPoolExecutor  # multiprocessing: only when parsing much (issue 17)

    with ProcessPoolExecutor(max_workers=workers, initializer=gc.disable) as pool:
        futures = [pool.submit(_parse_batch, chunk) for chunk in _chunks(theirs, workers * CHUNKS)]
        for j in mine:
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
