"""`sanzhua` (the console script, `python -m sanzhua`) leaves with `os._exit` once its output
is flushed, skipping the interpreter's teardown (issue 17): the output must be whole and
the exit code the command's, through a pipe, a file and a closed pipe; and it must not leave
that way when something else still runs or the output cannot be flushed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sanzhua import cli
from tests.conftest import REPO, MakeLedger, bench_generator

ENV = {**os.environ, "PYTHONPATH": str(REPO / "src")}
BAD = """\
unit: fgw
tasks:
  - id: A1
    title: 没有时限
  - id: A1
    title: 重复编号
    due: 2026-12-31
"""


def _sanzhua(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "sanzhua", *args], cwd=root, env=ENV, capture_output=True, check=False)


def test_the_whole_output_and_the_exit_code(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = tmp_path / "big"
    bench_generator().generate(root, 40, 20, 5)
    brief = _sanzhua(root, "brief", "--week", "--as-of", "2026-11-25")
    assert brief.returncode == 0 and brief.stdout.endswith(b"\n") and len(brief.stdout) > 200_000
    # the same bytes as main() run in a process that tears down as usual
    plain = subprocess.run(
        [sys.executable, "-c", "import sys; from sanzhua.cli import main; sys.argv[0] = 'sanzhua'; main()",
         "brief", "--week", "--as-of", "2026-11-25"],
        cwd=root, env=ENV, capture_output=True, check=False,
    )  # fmt: skip
    assert plain.returncode == 0 and plain.stdout == brief.stdout
    out = tmp_path / "out.md"
    argv = [sys.executable, "-m", "sanzhua", "brief", "--week", "--as-of", "2026-11-25"]
    with out.open("wb") as fh:
        assert subprocess.run(argv, cwd=root, env=ENV, stdout=fh, check=False).returncode == 0
    assert out.read_bytes() == brief.stdout
    bad = make_ledger({"ledgers/fgw.yaml": BAD})
    check = _sanzhua(bad, "check", "--as-of", "2026-11-25")
    assert check.returncode == 1 and b"duplicate-id" in check.stdout
    assert _sanzhua(bad, "status", "--no-such-option").returncode == 2


def test_a_closed_pipe_leaves_as_before(tmp_path: Path) -> None:
    root = tmp_path / "big"
    bench_generator().generate(root, 40, 20, 5)
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert reader.stdin is not None
    done = subprocess.run(
        [sys.executable, "-m", "sanzhua", "brief", "--week", "--as-of", "2026-11-25"],
        cwd=root, env=ENV, stdout=reader.stdin, stderr=subprocess.PIPE, check=False,
    )  # fmt: skip
    reader.stdin.close()
    reader.wait()
    assert done.returncode in (0, 120) and b"Traceback" not in done.stderr


def _leave(monkeypatch: pytest.MonkeyPatch, code: object) -> list[int]:
    left: list[int] = []
    monkeypatch.setattr(os, "_exit", left.append)

    def main() -> None:
        raise SystemExit(code)

    monkeypatch.setattr(cli, "main", main)
    return left


def test_it_leaves_quickly_only_with_a_plain_code_and_nothing_else_running(monkeypatch: pytest.MonkeyPatch) -> None:
    left = _leave(monkeypatch, 1)
    with pytest.raises(SystemExit):  # os._exit, replaced here, returns: entry then leaves as before
        cli.entry()
    assert left == [1]
    for code in ("a message", None, True, 300):
        left = _leave(monkeypatch, code)
        with pytest.raises(SystemExit):
            cli.entry()
        assert left == []
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        left = _leave(monkeypatch, 0)
        with pytest.raises(SystemExit):
            cli.entry()
        assert left == []
    finally:
        stop.set()
        other.join()


def test_output_that_cannot_be_flushed_leaves_the_ordinary_way(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def flush(self) -> None:
            raise BrokenPipeError(32, "Broken pipe")

    left = _leave(monkeypatch, 0)
    monkeypatch.setattr(sys, "stdout", Broken())
    with pytest.raises(SystemExit):
        cli.entry()
    assert left == []


def test_the_program_runs_with_the_collector_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """`__main__.run` imports the CLI with the garbage collector off, and turns it back on
    before the command runs (a command of many cycles must still have them collected)."""
    import gc

    from sanzhua import __main__ as program

    seen: list[bool] = []
    monkeypatch.setattr(cli, "entry", lambda: seen.append(gc.isenabled()))
    program.run()
    assert seen == [True] and gc.isenabled()


def test_a_profiler_still_writes_what_it_saw(make_ledger: MakeLedger, tmp_path: Path) -> None:
    """`python -m cProfile -o FILE -m sanzhua …` (how bench/README.md says to look for time)
    writes FILE as the interpreter ends, which os._exit would skip: with a profiler or a
    tracer watching, sanzhua leaves the ordinary way."""
    root = make_ledger({"ledgers/fgw.yaml": BAD})
    prof = tmp_path / "check.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(prof), "-m", "sanzhua", "check", "--as-of", "2026-11-25"]
    done = subprocess.run(argv, cwd=root, env=ENV, capture_output=True, check=False)
    assert b"duplicate-id" in done.stdout  # (cProfile's own exit code is 0: it swallows SystemExit)
    assert prof.is_file() and prof.stat().st_size > 1000
    monkeypatch = pytest.MonkeyPatch()
    try:
        left = _leave(monkeypatch, 0)
        sys.setprofile(lambda *a: None)
        try:
            with pytest.raises(SystemExit):
                cli.entry()
        finally:
            sys.setprofile(None)
        assert left == []
    finally:
        monkeypatch.undo()
