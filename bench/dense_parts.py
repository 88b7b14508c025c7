"""The parts of issue 14's dense runs that p-dense2 made faster, timed alone, side by side.

    .venv/bin/python bench/dense_parts.py TREE...

Each TREE holds `src/sanzhua` (`git archive REV src | tar -x -C TREE`). For each part and
tree, in one process of that tree (CPU seconds of the part alone, user+sys, and the peak
RSS of the process):

- `form 5000`: `write_form_xlsx` of one form of 5,000 rows (openpyxl's styles per cell);
- `fmt flat 2MB` / `fmt progress 2MB`: `format_bytes` of the first 2 MB of the dense
  `flat` and `progress` files (bench/dense.py makes them), laid out from scratch;
- `fmt 10MB`: `format_bytes` of a 10 MB file of 166,000 one-line tasks, one out of order;
- `audit 20000 gone`: `collect` (sanzhua audit) of two commits, the second removing a file's
  20,000 tasks while 50 files of 100 tasks stay.

Run it at nice 10 beside other work; compare trees within one run, not across runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DENSE = BENCH / "data" / "dense"

# One part, in the tree's own process: prints {"cpu": s, "rss_mb": n, "note": ...}.
PART = r"""
import json, resource, sys
from datetime import date
from pathlib import Path
part, arg = sys.argv[1], sys.argv[2]

def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime

note = ""
if part == "form":
    from sanzhua.interchange.form import build_form, write_form_xlsx
    from sanzhua.model import Task, Unit
    unit = Unit(id="u1", name="单位1")
    tasks = [Task(id=f"T-{i:05d}", title=f"任务{i}", lead="u1", due=date(2026, 12, 31), file="x", line=i,
                  start=date(2026, 1, 1))
             for i in range(5000)]
    form = build_form("台账", unit, tasks, date(2026, 11, 25), "", "zh")
    import openpyxl  # imported before the clock starts
    t0 = cpu()
    write_form_xlsx(form, Path(arg) / "f.xlsx")
else:
    from sanzhua.edit.fmt import format_bytes
    from sanzhua.history.audit import collect
    if part == "fmt":
        data = Path(arg).read_bytes()
        if len(sys.argv) > 3:
            data = data[: int(sys.argv[3])]
            data = data[: data.rfind(b"\n  - ") + 1]
        t0 = cpu()
        out, why = format_bytes(data, "ledgers/x.yaml", 2026)
        note = f"{len(data) / 1e6:.1f} MB, {'unchanged' if out == data else why or 'laid out'}"
    else:
        t0 = cpu()
        findings, commits = collect(Path(arg))
        note = f"{commits} commits, {len(findings)} findings"
print(json.dumps({"cpu": cpu() - t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
                  "note": note}))
"""


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=ducha", "-c", "user.email=ducha@example.gov.cn", *args],
                   cwd=root, check=True, stdout=subprocess.DEVNULL)


def make_inputs(tmp: Path) -> dict[str, list[str]]:
    settings = (DENSE / "flat" / "sanzhua.yaml").read_text(encoding="utf-8")
    units = (DENSE / "flat" / "units.yaml").read_text(encoding="utf-8")
    big = ["unit: u0001\ntasks:\n"] + [
        f"  - {{id: U0001-{i:06d}, title: 任务{i}, due: {('2026-06-30', '2026-12-31')[i % 2]}}}\n"
        for i in range(1, 166_000)]
    big[1] = "  - {title: 任务1, id: U0001-000001,   due: 2026-12-31}\n"
    (tmp / "big.yaml").write_text("".join(big), encoding="utf-8")
    repo = tmp / "gone"
    (repo / "ledgers").mkdir(parents=True)
    (repo / "sanzhua.yaml").write_text(settings, encoding="utf-8")
    (repo / "units.yaml").write_text(units, encoding="utf-8")
    rows = "".join(f"  - id: U1-{i:05d}\n    title: 任务{i}\n    due: 2026-12-31\n" for i in range(20_000))
    (repo / "ledgers/u0001.yaml").write_text("unit: u0001\ntasks:\n" + rows, encoding="utf-8")
    for f in range(50):
        rows = "".join(f"  - id: G{f:02d}-{i:03d}\n    title: 任务{i}\n    due: 2026-12-31\n" for i in range(100))
        (repo / f"ledgers/g{f:02d}.yaml").write_text("unit: u0002\ntasks:\n" + rows, encoding="utf-8")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "台账")
    (repo / "ledgers/u0001.yaml").write_text("unit: u0001\ntasks: []\n", encoding="utf-8")
    git(repo, "commit", "-q", "-am", "删除")
    return {
        "form 5000": ["form", str(tmp)],
        "fmt flat 2MB": ["fmt", str(DENSE / "flat/ledgers/u0001.yaml"), "2000000"],
        "fmt progress 2MB": ["fmt", str(DENSE / "progress/ledgers/u0001.yaml"), "2000000"],
        "fmt 10MB": ["fmt", str(tmp / "big.yaml")],
        "audit 20000 gone": ["audit", str(repo)],
    }


def main(argv: list[str]) -> int:
    trees = [Path(t).resolve() for t in argv]
    if not trees or not (DENSE / "flat").is_dir() or not (DENSE / "progress").is_dir():
        print(__doc__)
        print("(and make the dense data first: bench/dense.py --only flat,progress --generate-only)")
        return 2
    print("| part | tree | CPU s | peak MB | |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        parts = make_inputs(Path(tmp))
        for label, args in parts.items():
            for tree in trees:
                r = subprocess.run([sys.executable, "-c", PART, *args], capture_output=True, text=True,
                                   env=dict(os.environ, PYTHONPATH=str(tree / "src")), check=False)
                if r.returncode != 0:
                    print(f"| {label} | {tree.name} | — | — | failed: {r.stderr.strip().splitlines()[-1:]} |")
                    continue
                got = json.loads(r.stdout.strip().splitlines()[-1])
                print(f"| {label} | {tree.name} | {got['cpu']:.2f} | {got['rss_mb']} | {got['note']} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
