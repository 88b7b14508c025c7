# ruff: noqa: E501  (the command lines are written one per line)
"""Every command on ledgers just under the issue's 10 MB, with wall, CPU and peak memory
(issue 14: "no run takes over 30 s or 2 GB on inputs under 10 MB").

    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_big.py [--only NAME...] [--keep DIR]

The ledgers (each a git repository, built by hostile_corpus's `base`):
- `valid-17-files`: 170,000 valid tasks in 17 files (9.6 MB), a fifth of them overdue;
- `valid-one-file`: the same tasks in one file, then 5 commits changing one task each;
- `bare-items`: 3.2 million `- ` items with no keys in one file (9.6 MB);
- `tiny-tasks`: 700,000 tasks of one key each (`- id: M1`, 9.7 MB);
- `entries-huge`: 10,000 milestones on one task, 100,000 progress entries on another.

Each command runs as `python -m sanzhua` in a child of its own, 2 GB of address space at
most (the corpus's limit), and is flagged over 30 s of wall, over 2 GB of peak memory, on a
traceback or an internal error, or on an exit outside 0, 1, 2. Exit 1 when one was flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hostile_corpus as hc

A = ["--as-of", "2026-11-25"]
# One child: the command under the corpus's 2 GB limit; prints its rc, CPU and peak memory.
MEASURE = """\
import json, resource, subprocess, sys
def limit():
    resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))
p = subprocess.run([sys.executable, "-m", "sanzhua", *sys.argv[1:]], stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=limit, timeout=120)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": p.returncode, "cpu": u.ru_utime + u.ru_stime, "kb": u.ru_maxrss,
                  "err": p.stderr.decode("utf-8", "replace")[-300:]}))
"""


def commands(out: Path, task: str) -> list[list[str]]:
    return [
        ["check", *A], ["status", *A], ["status", *A, "--all", "-f", "json"], ["show", task, *A],
        ["brief", "--week", *A], ["brief", "--week", *A, "-f", "docx", "-o", str(out / "b.docx")],
        ["brief", "--month", *A], ["brief", "--unit", "fgw", *A], ["brief", "--each-unit", str(out / "notices"), *A],
        ["score", *A], ["export", *A, "-o", str(out / "e.xlsx")], ["export", *A, "-f", "csv", "-o", str(out / "e.csv")],
        ["form", "--each-unit", str(out / "forms"), *A], ["calendar", *A, "-o", str(out / "c.ics")],
        ["log", task], ["audit"], ["site", *A, "-o", str(out / "site")], ["codeowners", "--check"], ["remind", *A],
        ["fmt", "--check"], ["progress", task, "--percent", "50", "--note", "推进", "--date", "2026-11-24"],
        ["done", task, "--date", "2026-11-20"], ["new", "--unit", "fgw", "--title", "新任务", "--due", "年底"], ["fmt"],
    ]


def _valid(n: int, at: int = 0) -> list[str]:
    return [f"  - {{id: V-{k:06d}, title: 任务{k}, due: {'2026-11-20' if k % 5 == 0 else '2026-12-31'}}}" for k in range(at, at + n)]


def valid_17_files(root: Path) -> None:
    for f in range(17):
        lines = ["unit: fgw" if f % 2 == 0 else "unit: jyj", "tasks:", *_valid(10_000, f * 10_000)]
        (root / f"ledgers/v{f:02d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    hc.commit_all(root)


def valid_one_file(root: Path) -> None:
    lines = ["unit: fgw", "tasks:", *_valid(170_000)]
    hc.write(root, "ledgers/one.yaml", "\n".join(lines) + "\n")
    for c in range(5):
        lines[2 + c * 30_000] = f"  - {{id: V-{c * 30_000:06d}, title: 改{c}, due: 2027-01-0{c + 1}}}"
        hc.write(root, "ledgers/one.yaml", "\n".join(lines) + "\n")


def bare_items(root: Path) -> None:
    hc.write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n" + "- \n" * 3_200_000)


def tiny_tasks(root: Path) -> None:
    hc.write(root, "ledgers/y.yaml", "unit: jyj\ntasks:\n" + "".join(f"- id: M{i}\n" for i in range(700_000)))


def entries_huge(root: Path) -> None:
    hc._entries(root, root.parent)


LEDGERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "valid-17-files": (valid_17_files, "V-000001"),
    "valid-one-file": (valid_one_file, "V-000001"),
    "bare-items": (bare_items, "FGW-001"),
    "tiny-tasks": (tiny_tasks, "M1"),
    "entries-huge": (entries_huge, "X-002"),
}


def size_of(root: Path) -> int:
    return sum(p.stat().st_size for p in (root / "ledgers").rglob("*.yaml"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hostile-big-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "XDG_CACHE_HOME": str(work / "cache"), "LANG": "C.UTF-8"}
    flagged = 0
    try:
        for name, (build, task) in LEDGERS.items():
            if args.only and name not in args.only:
                continue
            root = work / name
            shutil.rmtree(root, ignore_errors=True)
            hc.base(root)
            build(root)
            print(f"{name}: {size_of(root) / 1e6:.1f} MB of ledger files", flush=True)
            out = work / f"{name}-out"
            for argv in commands(out, task):
                shutil.rmtree(out, ignore_errors=True)
                out.mkdir()
                t0 = time.monotonic()
                p = subprocess.run([sys.executable, "-c", MEASURE, *argv], cwd=root, env=env, capture_output=True, text=True)
                wall = time.monotonic() - t0
                got = json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else {"rc": None, "cpu": 0, "kb": 0, "err": p.stderr[-300:]}
                flags = []
                if got["rc"] not in (0, 1, 2):
                    flags.append(f"exit {got['rc']}")
                if wall > 30:
                    flags.append("over 30 s")
                if got["kb"] > 2 * 1024**2:
                    flags.append("over 2 GB")
                if "Traceback" in got["err"] or "内部错误" in got["err"] or "internal error" in got["err"]:
                    flags.append("internal error")
                flagged += bool(flags)
                mark = "  FLAGGED " + ", ".join(flags) if flags else ""
                print(f"  {wall:6.1f} s wall {got['cpu']:6.1f} s cpu {got['kb'] / 1024:6.0f} MB rc={got['rc']}  {' '.join(argv[:3])}{mark}", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{flagged} flagged")
    return 1 if flagged else 0


if __name__ == "__main__":
    raise SystemExit(main())
