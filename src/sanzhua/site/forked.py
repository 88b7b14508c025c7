"""Work done in forked child processes while this one goes on: the site's archive of
bulletins, whose weeks are independent of each other and of the site's other pages.

A child is a copy of this process made by `os.fork` (the ledger already loaded and
evaluated, nothing sent to it); it writes its files into the site's folder and sends back
only a small, plain result, encoded with `marshal` (data, never code). Whatever goes wrong
in a child — an exception, a signal, a result that does not decode — the work is done
again here, in this process, where an error is raised and reported as it would have been
without the children: the children only ever make a build faster, never different.

Only where `os.fork` is the platform's way (Linux), more than one CPU is ours, and no
other thread is running (none is in sanzhua by then: the loader's worker pool is shut and
the history reader's feeding thread joined; `can_fork` holds to it).
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MAX_CHILDREN = 4  # each child touches (copies) some of the parent's memory


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Linux, more than one CPU, and no other thread in this process: a thread holding a
    lock at the fork would leave it held for ever in the child."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and usable_cpus() > 1
        and threading.active_count() == 1
    )


@dataclass
class _Child(Generic[T]):
    part: T
    pid: int
    fd: int


@dataclass
class Started(Generic[T, R]):
    """Children at work on `parts`; `collect` gives their results in order."""

    work: Callable[[T], R]
    encode: Callable[[R], Any]  # to marshal-able plain data
    decode: Callable[[Any], R]
    children: list[_Child[T]] = field(default_factory=list)

    def collect(self) -> list[R]:
        """Each part's result, in the parts' order: a child's, or made here if it failed."""
        out: list[R] = []
        try:
            while self.children:
                child = self.children.pop(0)
                got = _receive(child)
                try:
                    if got is None:
                        raise ValueError("the child failed")
                    out.append(self.decode(got))
                except (ValueError, TypeError):
                    out.append(self.work(child.part))
        finally:
            self.stop()
        return out

    def stop(self) -> None:
        """End the children not yet collected (an error here: their work is not wanted)."""
        for child in self.children:
            with contextlib.suppress(OSError):
                os.kill(child.pid, signal.SIGKILL)
            _reap(child)
        self.children.clear()


def start(
    parts: Sequence[T], work: Callable[[T], R], encode: Callable[[R], Any], decode: Callable[[Any], R]
) -> Started[T, R]:
    """Fork a child for each part, each running `work(part)`. Nothing here is waited for."""
    started: Started[T, R] = Started(work, encode, decode)
    gc.freeze()  # the children's collections would otherwise walk (and copy) every object
    for part in parts:
        started.children.append(_fork(part, work, encode))
    return started


def _fork(part: T, work: Callable[[T], R], encode: Callable[[R], Any]) -> _Child[T]:
    sys.stdout.flush()
    sys.stderr.flush()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(r)
        code = 1
        try:
            data = marshal.dumps(encode(work(part)))
            view = memoryview(data)
            while view:
                view = view[os.write(w, view) :]
            code = 0
        except BaseException:  # the parent does this part again, and reports what fails
            pass
        finally:
            os._exit(code)
    os.close(w)
    return _Child(part, pid, r)


def _receive(child: _Child[Any]) -> Any | None:
    """What the child sent, or None if it failed."""
    chunks: list[bytes] = []
    try:
        while True:
            got = os.read(child.fd, 1 << 20)
            if not got:
                break
            chunks.append(got)
    finally:
        status = _reap(child)
    if status != 0:
        return None
    try:
        return marshal.loads(b"".join(chunks))
    except (EOFError, ValueError, TypeError):
        return None


def _reap(child: _Child[Any]) -> int:
    """Wait for the child; its exit status (0: it finished)."""
    with contextlib.suppress(OSError):
        os.close(child.fd)
    try:
        _pid, status = os.waitpid(child.pid, 0)
    except ChildProcessError:
        return -1
    return os.waitstatus_to_exitcode(status)
