"""Two source trees of sanzhua, run side by side on one ledger, alternating, in one run:
wall and CPU seconds (the process and its workers) of check, status and brief, cold and
warm, as ratios to the CSafeLoader baseline of bench/run.py measured in the same run.

    .venv/bin/python bench/side_by_side.py [--site [--archive]] [--reports] [--only TEXT] LEDGER ROUNDS TREE...

With --site the rows are the site's instead (issue 19.5): `site --no-archive` cold and
warm, and with --archive also the whole site (every week's bulletin), each written to a
fresh temporary folder (the previous one removed before, untimed). With --reports the
rest of bench/run.py's rows follow: `check` warm (as it is, and with a comment appended to
one ledger file after the cache is filled, bench/run.py's row), `score --format json`, `export -f xlsx`
and `calendar` cold (bench/run.py's --trees compares only the edit rows). With --only TEXT
only the rows whose name starts with TEXT run (e.g. `--only check`). Each row prints the
best and, after it, the median of its runs (a busy machine's spread, p-check5).

Each TREE is a folder holding `src/sanzhua` (and `templates/`), e.g. made with
`git archive REV src templates | tar -x -C TREE`; it is put first on PYTHONPATH.
The parse cache goes to a temporary folder, emptied before every cold run.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BASELINE = (BENCH / "run.py").read_text(encoding="utf-8").split('BASELINE = """')[1].split('"""')[0]
ROWS = [
    ("check cold (--no-cache)", ["check", "--no-cache"], False),
    ("status --format json cold", ["status", "--format", "json"], False),
    ("status --format json warm", ["status", "--format", "json"], True),
    ("brief --week cold", ["brief", "--week"], False),
    ("brief --week warm", ["brief", "--week"], True),
]


# --- the site's rows (p-site, issue 19.5) ---
OUT = "{out}"  # replaced by a fresh folder for each run
SITE_ROWS = [
    ("site --no-archive cold", ["site", "--no-archive", "-o", OUT], False),
    ("site --no-archive warm", ["site", "--no-archive", "-o", OUT], True),
]
ARCHIVE_ROWS = [("site (with the archive) cold", ["site", "-o", OUT], False)]
# --- end of the site's rows ---

# --- --reports (p-brief2): the other rows of bench/run.py's tables, for both trees in one run ---
TMP = "{tmp}"  # replaced by a temporary folder that exists (the outputs refuse a missing one)
CHANGED = "changed"  # warm, then a comment appended to one ledger file before the timed run (bench/run.py's row)
REPORT_ROWS = [
    ("check warm", ["check"], True),
    ("check warm, 1 file changed", ["check"], CHANGED),
    ("score --format json cold", ["score", "--format", "json"], False),
    ("export -f xlsx cold", ["export", "-f", "xlsx", "-o", TMP + "/x.xlsx"], False),
    ("calendar cold", ["calendar", "-o", TMP + "/c.ics"], False),
]
# --- end of --reports ---


def _run(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


@contextlib.contextmanager
def _touched(root: Path, touch: bool) -> Iterator[None]:
    """With `touch`, a comment line appended to the middle ledger file (as bench/run.py's
    warm_run does) while the block runs, the file restored after it."""
    if not touch:
        yield
        return
    paths = sorted(p for p in (root / "ledgers").rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    victim = paths[len(paths) // 2]
    original = victim.read_bytes()
    newline = b"\r\n" if b"\r\n" in original else b"\n"
    try:
        victim.write_bytes(original + b"# bench: touched" + newline)
        yield
    finally:
        victim.write_bytes(original)


def main() -> None:
    args = sys.argv[1:]
    rows = ROWS
    if "--site" in args:
        rows = SITE_ROWS + (ARCHIVE_ROWS if "--archive" in args else [])
    if "--reports" in args:
        rows = rows + REPORT_ROWS
    if "--only" in args:
        at = args.index("--only")
        rows = [r for r in rows if r[0].startswith(args[at + 1])]
        del args[at : at + 2]
    args = [a for a in args if a not in ("--site", "--archive", "--reports")]
    root, rounds, trees = args[0], int(args[1]), args[2:]
    cache = tempfile.mkdtemp(prefix="sanzhua-side-by-side-")
    out = Path(tempfile.mkdtemp(prefix="sanzhua-side-by-side-out-")) / "site"
    res: dict[tuple[str, str], list[tuple[float, float]]] = {}
    try:
        for _ in range(rounds):
            res.setdefault(("baseline", ""), []).append(_run([sys.executable, "-c", BASELINE], root, dict(os.environ)))
            for name, cmd, warm in rows:
                for tree in trees:
                    env = dict(os.environ, PYTHONPATH=str(Path(tree) / "src"), SANZHUA_CACHE_DIR=cache)
                    argv = [sys.executable, "-m", "sanzhua",
                            *[str(out) if c == OUT else c.replace(TMP, str(out.parent)) for c in cmd],
                            "--as-of", "2026-11-25"]
                    shutil.rmtree(cache, ignore_errors=True)
                    if warm:
                        _run(argv, root, env)
                    shutil.rmtree(out, ignore_errors=True)
                    with _touched(Path(root), warm == CHANGED):
                        res.setdefault((name, tree), []).append(_run(argv, root, env))
            res[("baseline", "")].append(_run([sys.executable, "-c", BASELINE], root, dict(os.environ)))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out.parent, ignore_errors=True)
    base = res[("baseline", "")]
    bw, bc = min(w for w, _ in base), min(c for _, c in base)
    mw, mc = statistics.median(w for w, _ in base), statistics.median(c for _, c in base)
    print(f"baseline: wall {bw:.2f} s, CPU {bc:.2f} s (best of {len(base)}; median {mw:.2f} s, {mc:.2f} s)")
    for (name, tree), got in res.items():
        if name != "baseline":
            w, c = min(x for x, _ in got), min(y for _, y in got)
            w2, c2 = statistics.median(x for x, _ in got), statistics.median(y for _, y in got)
            print(
                f"{name:28} {Path(tree).name:10} wall {w:6.2f} s {w / bw:5.2f} x   CPU {c:6.2f} s {c / bc:5.2f} x"
                f"   median: wall {w2:6.2f} s {w2 / mw:5.2f} x   CPU {c2:6.2f} s {c2 / mc:5.2f} x"
            )


if __name__ == "__main__":
    main()
