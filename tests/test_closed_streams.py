"""The standard streams as a script or CI step may leave them (issue 14, p-red3a).

- `sanzhua check >&-` (stdout closed): an internal error, `'NoneType' object has no
  attribute 'isatty'`, exit 2; with fd 1 free, the next file sanzhua opened would have
  been given that number.
- `sanzhua show ID | head -1` (a reader that leaves early): exit 1 with nothing said
  (rich's own broken-pipe handling); `status` and the others exit 0.

Real ledgers in git, real `sanzhua` processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_hostile_repo import FGW, git, make_repo

AS_OF = ["--as-of", "2026-11-25"]
LATE = FGW.replace("2026-12-31", "2026-11-20")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """test_hostile_repo's repository, its one task overdue (`check --fail-on overdue`)."""
    return make_repo(tmp_path, LATE)


def env_of(root: Path) -> dict[str, str]:
    return {**os.environ, "XDG_CACHE_HOME": str(root.parent / "xdg")}


def closing(*fds: int) -> object:
    def close() -> None:
        for fd in fds:
            os.close(fd)
    return close


@pytest.mark.parametrize("fds", [(1,), (1, 2), (0, 1, 2)])
def test_a_report_with_its_streams_closed_keeps_its_exit_code(repo: Path, fds: tuple[int, ...]) -> None:
    r = subprocess.run([sys.executable, "-m", "sanzhua", "check", *AS_OF, "--fail-on", "overdue"], cwd=repo,
                       env=env_of(repo), capture_output=True, timeout=120, preexec_fn=closing(*fds))
    assert r.returncode == 1, r.stderr.decode()
    assert "内部错误".encode() not in r.stderr and b"Traceback" not in r.stderr
    ok = subprocess.run([sys.executable, "-m", "sanzhua", "status", *AS_OF], cwd=repo, env=env_of(repo),
                        capture_output=True, timeout=120, preexec_fn=closing(*fds))
    assert ok.returncode == 0, ok.stderr.decode()


def test_an_edit_with_every_stream_closed_writes_the_ledger_and_only_it(repo: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "sanzhua", "progress", "FGW-001", "--percent", "40", "--note", "推进",
                        "--date", "2026-11-24"], cwd=repo, env=env_of(repo), capture_output=True, timeout=120,
                       preexec_fn=closing(0, 1, 2))
    assert r.returncode == 0
    text = (repo / "ledgers/fgw.yaml").read_text(encoding="utf-8")
    assert text == LATE + "    progress:\n      - {date: 2026-11-24, percent: 40, note: 推进}\n"
    assert sorted(p.name for p in (repo / "ledgers").iterdir()) == ["fgw.yaml"]


@pytest.mark.parametrize(
    "argv",
    [["show", "FGW-001", *AS_OF], ["status", *AS_OF, "--all"], ["status", *AS_OF, "--by", "unit"],
     ["check", *AS_OF], ["help", "format"]],
)
def test_a_reader_that_leaves_early_is_no_failure(repo: Path, argv: list[str]) -> None:
    p = subprocess.Popen([sys.executable, "-m", "sanzhua", *argv], cwd=repo, env=env_of(repo),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()  # the reader is gone before the first line
    err = p.stderr.read()
    assert p.wait(120) == 0, err.decode()
    assert err == b""


EMOJI = "unit: fgw\ntasks:\n  - {id: E-001, title: 👨‍👩‍👧𠀀€局, owner: 😀, due: 2026-11-20}\n"


@pytest.mark.parametrize("encoding", ["gbk", "ascii", "latin-1"])
@pytest.mark.parametrize("argv", [["status", *AS_OF, "--all"], ["show", "E-001", *AS_OF], ["check", *AS_OF],
                                  ["brief", "--week", *AS_OF], ["status", *AS_OF, "-f", "json", "--all"]])
def test_an_output_in_another_encoding_shows_what_it_cannot_encode_as_a_mark(
        repo: Path, encoding: str, argv: list[str]) -> None:
    (repo / "ledgers/e.yaml").write_text(EMOJI, encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "sanzhua", *argv], cwd=repo, capture_output=True, timeout=120,
                       env={**env_of(repo), "PYTHONIOENCODING": encoding})
    assert r.returncode == 0, r.stderr.decode(encoding, "replace")
    out = r.stdout.decode(encoding)
    assert "E-001" in out
    if encoding == "gbk":
        assert "局" in out
    if "json" in argv:
        assert json.loads(out)["tasks"][0]["title"] == "👨‍👩‍👧𠀀€局"
    else:
        assert "?" in out


@pytest.mark.parametrize("encoding", ["gbk", "ascii", "latin-1"])
@pytest.mark.parametrize("argv", [["status", *AS_OF, "-f", "json", "--all"],
                                  ["status", *AS_OF, "-f", "json", "--by", "unit"],
                                  ["show", "E-001", *AS_OF, "-f", "json"], ["check", *AS_OF, "-f", "json"],
                                  ["score", *AS_OF, "-f", "json"], ["log", "E-001", "-f", "json"],
                                  ["audit", "-f", "json"], ["remind", *AS_OF, "-f", "json"]])
def test_json_in_another_encoding_escapes_what_it_cannot_encode(repo: Path, encoding: str, argv: list[str]) -> None:
    """JSON lost an emoji or a rare character to "?" on an output in GBK or ASCII: it is
    now written as JSON's own escape, and reads back as the ledger wrote it (issue 14)."""
    (repo / "ledgers/e.yaml").write_text(EMOJI, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=😀", "commit", "-qm", "表情😀")
    r = subprocess.run([sys.executable, "-m", "sanzhua", *argv], cwd=repo, capture_output=True, timeout=120,
                       env={**env_of(repo), "PYTHONIOENCODING": encoding})
    assert r.returncode in (0, 1), r.stderr.decode(encoding, "replace")
    text = r.stdout.decode(encoding)
    doc = json.loads(text)
    assert "?" not in json.dumps(doc, ensure_ascii=False).replace('"?"', ""), text[:2000]
    if argv[0] in ("status", "show") and "--by" not in argv:
        task = doc["tasks"][0] if "tasks" in doc else doc
        assert task["title"] == "👨‍👩‍👧𠀀€局" and task["owner"] == "😀"
    if argv[0] in ("check", "log", "audit"):
        assert "😀" in json.dumps(doc, ensure_ascii=False) or "𠀀" in json.dumps(doc, ensure_ascii=False) \
            or argv[0] == "audit"
