"""A file past the size a process may write (RLIMIT_FSIZE, `ulimit -f`: a CI runner's or a
shared host's quota, the unprivileged way to a full disk) is said as such, in the ledger's
language, exit 1 for an edit and 2 for an output file: never "internal error" (the site,
the forms: lxml's SerialisationError IO_EFBIG), never the system's English words, never
"changed while recording" for a notice (issue 14)."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MakeLedger

LIMIT = 8192  # bytes: the ledger file below is larger


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit,
        env={**os.environ, "COLUMNS": "200"},
    )


@pytest.fixture
def big(make_ledger: MakeLedger) -> Path:
    tasks = "".join(f"  - {{id: FGW-{i:03d}, title: 任务{i}, due: 2026-11-{1 + i % 28:02d}}}\n" for i in range(1, 200))
    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n" + tasks})
    assert (root / "ledgers/fgw.yaml").stat().st_size > LIMIT
    return root


def said_plainly(r: subprocess.CompletedProcess[str], code: int) -> None:
    both = r.stdout + r.stderr
    assert r.returncode == code, both
    assert "ulimit -f unlimited" in both, both
    assert "内部错误" not in both and "Traceback" not in both and "File too large" not in both, both


def test_an_edit_past_the_limit_is_refused_and_the_file_kept(big: Path) -> None:
    before = (big / "ledgers/fgw.yaml").read_bytes()
    r = run(big, "progress", "FGW-001", "--percent", "50", "--note", "推进", "--date", "2026-11-24")
    said_plainly(r, 1)
    assert "超过了本进程允许写入的文件大小上限" in r.stdout + r.stderr
    assert (big / "ledgers/fgw.yaml").read_bytes() == before
    assert not [p.name for p in (big / "ledgers").iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    "argv",
    [
        ("site", "--as-of", "2026-11-25", "--no-archive", "-o", "{out}/site"),
        ("form", "--unit", "fgw", "--as-of", "2026-11-25", "-o", "{out}/f.xlsx"),
        ("calendar", "--as-of", "2026-11-25", "-o", "{out}/c.ics"),
    ],
    ids=["site", "form", "calendar"],
)
def test_an_output_past_the_limit_is_said_plainly(big: Path, tmp_path: Path, argv: tuple[str, ...]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    r = run(big, *(a.format(out=out) for a in argv))
    said_plainly(r, 2)
    assert not (out / "site").exists()


def test_a_notice_record_past_the_limit_is_not_said_to_have_changed(big: Path) -> None:
    assert run(big, "brief", "--unit", "fgw", "--issue", "--as-of", "2026-11-25").returncode == 0
    notices = big / "notices/2026.yaml"
    notices.write_text("# " + "注" * 3000 + "\n" + notices.read_text(encoding="utf-8"), encoding="utf-8")
    before = notices.read_bytes()
    r = run(big, "brief", "--unit", "fgw", "--issue", "--as-of", "2026-11-26")
    said_plainly(r, 2)
    assert "在登记时被修改" not in r.stderr
    assert notices.read_bytes() == before
