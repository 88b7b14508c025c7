"""`sanzhua fmt` of a big file (issue 14): a 5 MB file is laid out, not skipped.

Laying out took 2-4 s of CPU per MB, so fmt skipped files over 4 MB. Four fifths of
libyaml's compose of a big file was the cycle collector walking the millions of nodes
being made (none of them in a cycle); it is paused while a file is laid out, and the
tasks read back are compared as they are where they stand where they stood. The limit
is now 10 MB (issue 14's inputs are under 10 MB): bench/README.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sanzhua.commands.fmt import MAX_FMT_BYTES
from tests.conftest import MakeLedger

HEAD = "unit: fgw\ntasks:\n"


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "100", "SANZHUA_CACHE_DIR": str(root.parent / "cache")}
    return subprocess.run([sys.executable, "-m", "sanzhua", *args], cwd=root, capture_output=True, text=True,
                          env=env, timeout=300)


def test_a_five_megabyte_file_is_laid_out(make_ledger: MakeLedger) -> None:
    title = "很长的任务名称" * 10
    rows = [f"  - {{id: FGW-{i:06d}, title: {title}{i}, due: 2026-12-31}}\n" for i in range(20_000)]
    rows[1] = f"  - {{due: 2026-12-31,   title: {title}1, id: FGW-000001}}\n"  # keys out of order
    big = HEAD + "".join(rows)
    assert 4 * 1024 * 1024 < len(big.encode()) <= MAX_FMT_BYTES
    root = make_ledger({"ledgers/fgw.yaml": big})
    r = _run(root, "fmt", "--check")
    assert r.returncode == 1, r.stderr
    assert "超过" not in r.stderr
    assert f"+  - {{id: FGW-000001, title: {title}1, due: 2026-12-31}}" in r.stdout
    r = _run(root, "fmt")
    assert r.returncode == 0, r.stderr
    rows[1] = f"  - {{id: FGW-000001, title: {title}1, due: 2026-12-31}}\n"
    assert (root / "ledgers/fgw.yaml").read_text(encoding="utf-8") == HEAD + "".join(rows)
    r = _run(root, "fmt", "--check")
    assert r.returncode == 0, r.stderr
