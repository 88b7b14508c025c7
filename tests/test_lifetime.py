"""`sanzhua.lifetime` (issue 17): a command's ledger and evaluations are held to the process's
end when `sanzhua` leaves by os._exit (sanzhua.cli.entry), so they are not freed object by
object when the command returns; a process that runs commands through `main()` (the tests,
any caller) keeps nothing, and frees each command's objects as before."""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import weakref
from contextlib import redirect_stdout

import pytest

from sanzhua import lifetime
from sanzhua.cli import main
from tests.conftest import REPO, MakeLedger

LEDGER = """\
unit: fgw
tasks:
  - id: A1
    title: 修路
    due: 2026-03-31
    progress:
      - {date: 2026-02-01, note: 开工}
"""


class _Thing:
    pass


def _run(argv: list[str]) -> int:
    sys.argv = ["sanzhua", *argv]
    with redirect_stdout(io.StringIO()), pytest.raises(SystemExit) as e:
        main()
    return int(e.value.code or 0)


def test_main_keeps_nothing(make_ledger: MakeLedger, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    monkeypatch.chdir(root)
    monkeypatch.setattr(lifetime, "_kept", [])
    for argv in (["status", "--format", "json"], ["brief", "--week"], ["check"]):
        assert _run([*argv, "--as-of", "2026-11-25"]) in (0, 1)
    assert lifetime._kept == []  # each command's ledger freed as it returned


def test_kept_only_when_leaving_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lifetime, "_kept", [])
    monkeypatch.setattr(lifetime, "_quick", [False])
    thing = _Thing()
    ref = weakref.ref(thing)
    lifetime.keep(thing)
    del thing
    assert ref() is None
    lifetime.leave_quickly()
    thing = _Thing()
    ref = weakref.ref(thing)
    lifetime.keep(thing)
    del thing
    gc.collect()
    assert ref() is not None


def test_the_program_keeps_its_ledger_to_the_end(make_ledger: MakeLedger) -> None:
    """Through entry (as the console script), the ledgers of status, brief and check are
    held when the command returns, and the output is the command's."""
    root = make_ledger({"ledgers/fgw.yaml": LEDGER})
    probe = (
        "import os, sys; import sanzhua.lifetime as l; import sanzhua.cli as c\n"
        "real = os._exit\n"
        "def leave(code):\n"
        "    sys.stderr.write('kept ' + ' '.join(sorted(type(o).__name__ for o in l._kept)) + '\\n')\n"
        "    real(code)\n"
        "os._exit = leave\n"
        "sys.argv[0] = 'sanzhua'\n"
        "c.entry()\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    plain = "import sys; from sanzhua.cli import main; sys.argv[0] = 'sanzhua'; main()"
    for argv, kept in (
        (["status", "--format", "json"], "kept Evaluation Opened"),
        (["brief", "--week"], "kept Brief Opened _Evaluations"),
        (["check"], "kept Scan"),
    ):
        args = [*argv, "--as-of", "2026-11-25"]
        got = subprocess.run([sys.executable, "-c", probe, *args], cwd=root, env=env, capture_output=True, check=False)
        assert got.stderr.decode().strip().splitlines()[-1] == kept
        before = subprocess.run(
            [sys.executable, "-c", plain, *args], cwd=root, env=env, capture_output=True, check=False
        )
        assert (got.returncode, got.stdout) == (before.returncode, before.stdout)
