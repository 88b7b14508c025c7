"""`sanzhua site` on a ledger of one big file of one-line tasks (issue 14's bound: no run
over 30 s or 2 GB on inputs under 10 MB), timed with /usr/bin/time.

    .venv/bin/python bench/big_site.py [--mb 5.5 10] [--tree DIR] [--keep] [-- SITE-ARGS…]

For each size it writes (once, into bench/data/flat-<MB>mb/, reused while this script is
unchanged) a ledger root whose `ledgers/all.yaml` holds one-line flow-style tasks,

    - {id: T000001, title: x, owner: a, due: 2026-02-02}

until the file is that many MB (5.5 MB: about 98,000 tasks; 10 MB: about 178,000), their
deadlines spread over the year so that as of 2026-11-25 some are overdue, some due soon and
some done; then it runs `/usr/bin/time -f "%e %U %S %M" python -m sanzhua site --as-of
2026-11-25 -o <a fresh folder>` with the parse cache emptied first, and prints wall, CPU
(user + system) and peak memory (MB, the process's maximum resident set), the number of
files written, against the bound (30 s, 2 GB). `--tree DIR` runs another source tree
(`DIR/src` first on PYTHONPATH, e.g. made with `git archive REV src templates | tar -x -C
DIR`). It exits 0 when the commands ran (a report, not a test), 1 when one failed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
AS_OF = "2026-11-25"
STAMP = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def task_line(i: int) -> str:
    """The i-th task (from 1): a deadline on one of the year's days, every 10th done."""
    month, day = 1 + i % 12, 1 + i % 28
    done = f", done: 2026-{month:02d}-{max(1, day - 1):02d}" if i % 10 == 0 else ""
    return f"  - {{id: T{i:06d}, title: x, owner: a, due: 2026-{month:02d}-{day:02d}{done}}}\n"


def write_ledger(root: Path, megabytes: float) -> int:
    """A ledger root at `root` with one file of one-line tasks, `megabytes` MB; its tasks."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text("name: 一个文件的台账\nyear: 2026\nlang: zh\n", encoding="utf-8")
    (root / "units.yaml").write_text("units:\n  - id: u1\n    name: 单位一\n", encoding="utf-8")
    limit = int(megabytes * 1_000_000)
    parts = ["unit: u1\ntasks:\n"]
    size = len(parts[0].encode())
    i = 0
    while True:
        line = task_line(i + 1)
        n = len(line.encode())
        if size + n > limit:
            break
        parts.append(line)
        size += n
        i += 1
    (root / "ledgers" / "all.yaml").write_text("".join(parts), encoding="utf-8")
    (root / "stamp").write_text(STAMP)
    return i


def ledger_root(megabytes: float) -> Path:
    root = DATA / f"flat-{megabytes:g}mb"
    stamp = root / "stamp"
    if not (stamp.is_file() and stamp.read_text() == STAMP):
        print(f"writing {root} ...", file=sys.stderr, flush=True)
        write_ledger(root, megabytes)
    return root


def run(root: Path, tree: Path | None, extra: list[str]) -> tuple[list[str], int]:
    """One timed `sanzhua site`: (wall, user, sys, peak KB as text, files written); files -1 on failure."""
    out = Path(tempfile.mkdtemp(prefix="sanzhua-big-site-")) / "site"
    cache = Path(tempfile.mkdtemp(prefix="sanzhua-big-site-cache-"))
    env = dict(os.environ, SANZHUA_CACHE_DIR=str(cache))
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")
    timing = out.parent / "time.txt"
    argv = ["/usr/bin/time", "-o", str(timing), "-f", "%e %U %S %M", sys.executable, "-m", "sanzhua", "site",
            "--as-of", AS_OF, "-o", str(out), *extra]
    try:
        done = subprocess.run(argv, cwd=root, env=env, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
            return [], -1
        files = sum(len(f) for _, _, f in os.walk(out))
        return timing.read_text().split()[-4:], files
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, nargs="+", default=[5.5, 10.0], help="file sizes in MB")
    parser.add_argument("--tree", type=Path, default=None, help="another source tree of sanzhua")
    parser.add_argument("site_args", nargs="*", help="more options for `sanzhua site` (after --)")
    args = parser.parse_args(argv)
    failed = False
    for mb in args.mb:
        root = ledger_root(mb)
        tasks = (root / "ledgers" / "all.yaml").read_text(encoding="utf-8").count("\n  - ")
        got, files = run(root, args.tree, args.site_args)
        if files < 0:
            failed = True
            print(f"{mb:g} MB ({tasks} tasks): site FAILED")
            continue
        wall, user, system, kb = float(got[0]), float(got[1]), float(got[2]), int(got[3])
        ok = wall < 30 and kb < 2 * 1024 * 1024
        print(f"{mb:g} MB ({tasks} tasks): wall {wall:.1f} s, CPU {user + system:.1f} s (user {user:.1f}, "
              f"sys {system:.1f}), peak {kb / 1024:.0f} MB, {files} files — bound 30 s, 2 GB: "
              f"{'met' if ok else 'NOT met'}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
