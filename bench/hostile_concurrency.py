"""Concurrent edits of one file lose nothing (issue 14): 4 `progress` writers, a `new`
writer and an `fmt` writer at once, each in a process of its own, ROUNDS rounds each.

    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_concurrency.py [ROUNDS]   # default 250

Every progress note and every new task a writer said it wrote must be in the file at the
end, the file must check without errors, and no temporary file may be left behind.
(tests/test_edit_concurrency.py runs the progress writers alone, in the test suite.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

WORKER = textwrap.dedent("""\
    import io, sys
    from datetime import date
    from pathlib import Path
    from sanzhua.commands.common import EditRun
    from sanzhua.commands.edit import NewTask, new, progress
    from sanzhua.commands.fmt import fmt

    root, name, kind, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
    failures = 0
    for i in range(rounds):
        run = EditRun(root, date(2026, 11, 25), out=io.StringIO(), err=io.StringIO())
        if kind == "progress":
            task = "FGW-001" if i % 2 else "FGW-002"
            code = progress(run, task, note=f"{name}-{i}", when="2026-11-20")
        elif kind == "new":
            code = new(run, NewTask(unit="fgw", title=f"{name}-{i}", due="2026-12-31"))
        else:
            code = fmt(run)
        if code != 0:
            failures += 1
            sys.stderr.write(run.err.getvalue())
        elif kind != "fmt":
            print(f"{name}-{i}", flush=True)
    sys.exit(1 if failures else 0)
""")

SETTINGS = "name: 测试县\nyear: 2026\nlang: zh\n"
UNITS = "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n"
# Not laid out as fmt writes it (flow mappings, extra blank lines): fmt has work to do.
FGW = """\
unit: fgw
tasks:


  - {id: FGW-001, title: 项目前期, due: 2026-12-31}
  - id: FGW-002
    title:   招商引资
    due: 2026-12-31
"""


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    work = Path(tempfile.mkdtemp(prefix="hostile-conc-"))
    root = work / "ledger"
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "ledgers" / "fgw.yaml").write_text(FGW, encoding="utf-8")
    script = work / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    env = {**os.environ, "SANZHUA_LOCK_TIMEOUT": "600", "XDG_CACHE_HOME": str(work / "cache")}
    kinds = [("p0", "progress"), ("p1", "progress"), ("p2", "progress"), ("p3", "progress"),
             ("n", "new"), ("f", "fmt")]
    t0 = time.monotonic()
    procs = [
        (name, kind, subprocess.Popen([sys.executable, str(script), str(root), name, kind, str(rounds)],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env))
        for name, kind in kinds
    ]
    said: dict[str, list[str]] = {}
    bad = 0
    for name, _kind, p in procs:
        out, err = p.communicate(timeout=7200)
        said[name] = out.split()
        if p.returncode != 0:
            bad += 1
            print(f"{name}: exit {p.returncode}: {err[-500:]}")
    text = (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")
    notes = [n for k in ("p0", "p1", "p2", "p3") for n in said[k]]
    lost = [n for n in notes if f"note: {n}}}" not in text and f"note: {n}\n" not in text]
    titles = said["n"]
    lost_new = [t for t in titles if f"title: {t}\n" not in text and f"title: {t}," not in text]
    check = subprocess.run([sys.executable, "-m", "sanzhua", "check", "--root", str(root), "--as-of", "2026-11-25"],
                           capture_output=True, text=True, env=env)
    leftovers = [p.name for p in (root / "ledgers").iterdir() if p.name.endswith(".tmp")]
    print(f"{rounds} rounds x 6 writers in {time.monotonic() - t0:.0f} s: {len(notes)} progress notes written, "
          f"{len(lost)} lost; {len(titles)} new tasks written, {len(lost_new)} lost; check exit {check.returncode}; "
          f"{len(leftovers)} temporary files left; {bad} writers failed")
    if lost or lost_new:
        print("lost:", (lost + lost_new)[:10])
    ok = not (lost or lost_new or leftovers or bad) and check.returncode == 0 and len(notes) == 4 * rounds
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
