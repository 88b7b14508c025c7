# ruff: noqa: E501  (the command lines are written one per line)
"""Concurrent edits of one file lose nothing (issue 14): 4 `progress` writers, a `new`
writer and an `fmt` writer at once, each in a process of its own, ROUNDS rounds each.

    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_concurrency.py [ROUNDS]   # default 250
    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_concurrency.py --kill ROUNDS   # writers killed (kill_main)
    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_concurrency.py --cli ROUNDS    # 4 CLI writers (cli_main)

Every progress note and every new task a writer said it wrote must be in the file at the
end, the file must check without errors, and no temporary file may be left behind.
(tests/test_edit_concurrency.py runs the progress writers alone, in the test suite.)
"""

from __future__ import annotations

import os
import random
import signal
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


KILL_UNITS = "units:\n  - {id: fgw, name: 县发改委, kind: 县直部门}\n  - {id: jyj, name: 县教育局, kind: 县直部门}\n"


def _kill_argv(i: int, rnd: random.Random, root: Path) -> tuple[list[str], str | None]:
    """One writer's command line and the text it leaves in the ledger when it completes."""
    kind = rnd.choice(["progress", "progress", "new", "done", "extend", "fmt", "import", "commit", "issue"])
    note = f"k{i}"
    if kind == "progress":
        return ["progress", rnd.choice(["FGW-001", "FGW-002"]), "--note", note, "--date", "2026-11-20"], note
    if kind == "commit":
        return ["progress", "FGW-001", "--note", note, "--date", "2026-11-20", "--commit"], note
    if kind == "new":
        return ["new", "--unit", rnd.choice(["fgw", "jyj"]), "--title", note, "--due", "2026-12-31"], note
    if kind == "done":
        return ["done", "FGW-002", "--date", "2026-11-20"], None
    if kind == "extend":
        return ["extend", "FGW-001", "--to", f"2027-0{1 + i % 9}-28", "--approved-by", "常务会", "--ref", f"延政〔2026〕{i}号"], None
    if kind == "import":
        csv = root.parent / f"in{i}.csv"
        csv.write_text(f"任务名称,责任单位,完成时限\n{note},县发改委,2026-12-31\n", encoding="utf-8")
        return ["import", str(csv), "--unit", "fgw"], note
    if kind == "issue":
        return ["brief", "--unit", "jyj", "--issue", "--as-of", f"2026-12-{1 + i % 28:02d}", "-o", str(root.parent / f"n{i}.md")], None
    return ["fmt"], None


def _kill_ledger(work: Path) -> tuple[Path, dict[str, str]]:
    root = work / "ledger"
    (root / "ledgers").mkdir(parents=True)
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(KILL_UNITS, encoding="utf-8")
    (root / "ledgers" / "fgw.yaml").write_text(FGW, encoding="utf-8")
    (root / "ledgers" / "jyj.yaml").write_text("unit: jyj\ntasks:\n  - {id: JYJ-001, title: 学校, due: 2026-11-30}\n",
                                                 encoding="utf-8")
    git_env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@x", "GIT_COMMITTER_NAME": "t",
               "GIT_COMMITTER_EMAIL": "t@x"}
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "init"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=git_env)
    return root, {**git_env, "SANZHUA_LOCK_TIMEOUT": "60", "XDG_CACHE_HOME": str(work / "cache")}


def _kill_round(i: int, rnd: random.Random, root: Path, env: dict[str, str], written: list[str],
                problems: list[str]) -> int:
    procs = []
    for j in range(2):
        argv, mark = _kill_argv(2 * i + j, rnd, root)
        p = subprocess.Popen([sys.executable, "-m", "sanzhua", *argv], cwd=root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append((argv, mark, p, rnd.uniform(0.0, 2.5)))
    start = time.monotonic()
    killed = 0
    for argv, mark, p, at in procs:
        try:
            p.wait(timeout=max(0.0, at - (time.monotonic() - start)))
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGKILL)
            killed += 1
        _out, err = p.communicate()
        if p.returncode == 0 and mark is not None:
            written.append(mark)
        elif p.returncode not in (0, 1, 2, -signal.SIGKILL) or b"Traceback" in err or "内部错误".encode() in err:
            problems.append(f"{argv[:2]} rc={p.returncode}: {err.decode(errors='replace')[-300:]}")
    return killed


def kill_main(rounds: int) -> int:
    """Writers run through the CLI (the real program), two at a time, and killed with SIGKILL
    at a random moment: every edit that said it was written (exit 0) is in the ledger at the
    end, the ledger checks without errors after every round, and no temporary file is left
    once a later writer ran."""
    rnd = random.Random(14)
    work = Path(tempfile.mkdtemp(prefix="hostile-kill-"))
    root, env = _kill_ledger(work)
    written: list[str] = []
    problems: list[str] = []
    killed = 0
    t0 = time.monotonic()
    for i in range(rounds):
        killed += _kill_round(i, rnd, root, env, written, problems)
        c = subprocess.run([sys.executable, "-m", "sanzhua", "check", "--as-of", "2026-11-25", "-f", "json"], cwd=root,
                           env=env, capture_output=True, text=True)
        if c.returncode not in (0, 1) or '"severity": "error"' in c.stdout:
            problems.append(f"round {i}: check rc={c.returncode}: {(c.stdout + c.stderr)[-400:]}")
            break
    # one last writer sweeps what the killed ones left
    subprocess.run([sys.executable, "-m", "sanzhua", "progress", "FGW-001", "--note", "last", "--date", "2026-11-20"],
                   cwd=root, env=env, capture_output=True)
    text = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "ledgers").glob("*.yaml")))
    lost = [m for m in written if m not in text]
    leftovers = [str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts
                 and (p.name.endswith(".tmp") or "sanzhua-tmp" in p.name)]
    print(f"{rounds} rounds x 2 writers in {time.monotonic() - t0:.0f} s: {killed} killed, {len(written)} edits "
          f"written, {len(lost)} lost, {len(leftovers)} temporary files left, {len(problems)} problems")
    for x in (problems + [f"lost {m}" for m in lost] + [f"left {x}" for x in leftovers])[:20]:
        print("   ", x)
    return 1 if problems or lost or leftovers else 0


def _cli_writer(name: str, rounds: int, root: Path, env: dict[str, str], said: list[str], refused: list[str],
                problems: list[str]) -> None:
    """One clerk's shell loop: `sanzhua progress` ROUNDS times, each a process of its own."""
    for i in range(rounds):
        note = f"{name}-{i}"
        argv = ["progress", "FGW-001" if i % 2 else "FGW-002", "--note", note, "--date", "2026-11-20"]
        p = subprocess.run([sys.executable, "-m", "sanzhua", *argv], cwd=root, env=env, capture_output=True)
        err = p.stderr.decode(errors="replace")
        if p.returncode == 0:
            said.append(note)
        elif p.returncode in (1, 2) and "Traceback" not in err and "内部错误" not in err and err.strip():
            refused.append(f"{note}: rc={p.returncode}: {err.strip()[:200]}")
        else:
            problems.append(f"{note}: rc={p.returncode}: {err[-300:]}")


def cli_main(rounds: int, writers: int = 4) -> int:
    """`writers` clerks each run `sanzhua progress` (the installed program, a process a
    round, the default lock timeout) ROUNDS times on one file at once: every note whose
    command exited 0 is in the file at the end, every other run refused with a message and
    exit 1 or 2 (never a traceback), the file checks, and no temporary file is left."""
    import threading

    work = Path(tempfile.mkdtemp(prefix="hostile-cli-"))
    root, env = _kill_ledger(work)
    env.pop("SANZHUA_LOCK_TIMEOUT", None)
    said: list[str] = []
    refused: list[str] = []
    problems: list[str] = []
    t0 = time.monotonic()
    threads = [threading.Thread(target=_cli_writer, args=(f"c{w}", rounds, root, env, said, refused, problems))
               for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    text = (root / "ledgers" / "fgw.yaml").read_text(encoding="utf-8")
    lost = [n for n in said if f"note: {n}}}" not in text and f"note: {n}\n" not in text]
    check = subprocess.run([sys.executable, "-m", "sanzhua", "check", "--as-of", "2026-11-25"], cwd=root,
                           capture_output=True, text=True, env=env)
    leftovers = [str(p.relative_to(root)) for p in root.rglob("*") if ".git" not in p.parts
                 and (p.name.endswith(".tmp") or "sanzhua-tmp" in p.name)]
    print(f"{rounds} rounds x {writers} CLI writers in {time.monotonic() - t0:.0f} s: {len(said)} notes written, "
          f"{len(lost)} lost, {len(refused)} refused, {len(problems)} problems; check exit {check.returncode}; "
          f"{len(leftovers)} temporary files left")
    for x in (problems + refused + [f"lost {m}" for m in lost] + [f"left {x}" for x in leftovers])[:20]:
        print("   ", x)
    return 1 if problems or lost or leftovers or check.returncode != 0 else 0


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--kill":
        return kill_main(int(sys.argv[2]))
    if len(sys.argv) > 2 and sys.argv[1] == "--cli":
        return cli_main(int(sys.argv[2]))
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
