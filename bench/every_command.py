"""Every command of sanzhua on the 100,000-task ledger: CPU, wall and peak memory (issue 17).

Issue 17's last line: "100,000 tasks through every command under 1.5 GB". This script
takes bench/run.py's generated ledger of 100,000 tasks (5,000 files; `ledger(100000)`),
copies it into a git repository of its own (bench/data/every-t100000, git-ignored, with a
short history: the ledger committed, then progress on three tasks committed by
`sanzhua progress --commit`), reused while the generator, its arguments and this script
are unchanged (bench/data/every-t100000.stamp.json, and STAMP below), and runs every command `sanzhua
--help` lists, with their main variants, each in a fresh `python -m sanzhua` process in the
ledger root (`--as-of 2026-11-25` where the command takes it). For each row it prints:

  CPU s    user + system seconds of the process and every process it started and reaped
  wall s   wall-clock seconds (on a shared machine, what else ran decides them)
  peak MB  the process tree's peak: the sum of the Pss of the process and its workers
           sampled every 50 ms, or the main process's ru_maxrss if larger (bench/run.py's
           TreeSampler, as `make bench` measures)
  exit     the exit code, and flags:
           MEM    peak over 1,500 MB (issue 17's bound)
           TRACE  a Python traceback in the output     BUG   "internal error" / 内部错误
           CODE   an exit code not 0/1/2 (or a signal)
           EXIT   an exit code other than the row expects (e.g. `form --each-unit` above
                  50,000 rows refuses with 2, as documented: that row expects 2)

The rows run in order: `check --no-cache` with the parse cache emptied, `check` filling it,
then everything else with the cache filled, as a user's commands run one after another
(`--cold` empties it before every row instead). Rows that write the ledger (progress, done,
extend, new, fmt, collect, import, `brief --issue`, codeowners) run on the repository and
are undone after each run (`git reset --hard` to the prepared commit, `git clean -fd`).
Each row's stdout and stderr are kept in bench/data/every-out/ (the outputs to compare
before and after a change); the rows are written to bench/data/every_command.json.

    nice -n 10 .venv/bin/python bench/every_command.py                  # every row (~1 hour)
    .venv/bin/python bench/every_command.py --commands score,site       # rows whose label starts so
    .venv/bin/python bench/every_command.py --tasks 2000                # a small ledger, a quick look
    .venv/bin/python bench/every_command.py --tree /tmp/before --commands score   # another src tree
    .venv/bin/python bench/every_command.py --list                      # the rows, not run

It is a report: it exits 1 when any row is flagged, else 0.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data"
AS_OF = "2026-11-25"
BOUND_MB = 1500.0
# The repository's version: raise it when prepare() makes a different repository.
STAMP = "1"

sys.path.insert(0, str(BENCH))
import run  # noqa: E402  (bench/ is a folder of scripts, not a package)

# Commands that take no --as-of (they write today's date, or read git's history).
NO_AS_OF = {"progress", "done", "extend", "new", "fmt", "log", "audit", "codeowners", "import",
            "init", "help"}
GIT_ID = {"GIT_AUTHOR_NAME": "督查室", "GIT_AUTHOR_EMAIL": "ducha@example.gov.cn",
          "GIT_COMMITTER_NAME": "督查室", "GIT_COMMITTER_EMAIL": "ducha@example.gov.cn"}


# --- the repository ----------------------------------------------------------------------


@dataclass
class Target:
    """The tasks and unit the rows name: an open task with an open milestone in the middle."""

    task: str
    milestone: str
    unit: str


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def find_target(root: Path) -> Target:
    """An open task with a milestone not done, from a file in the middle of the ledger."""
    import yaml

    paths = run.ledger_paths(root)
    for path in paths[len(paths) // 2:]:
        doc = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.CSafeLoader)
        unit = str(doc.get("unit", doc.get("责任单位", "")))
        for t in doc.get("tasks", doc.get("任务清单", [])):
            def get(k: str, zh: str, t: dict[str, Any] = t) -> Any:
                return t.get(k, t.get(zh))

            if get("done", "完成") or get("status", "状态") not in (None, "active", "推进中"):
                continue
            if get("parent", "上级任务"):
                continue
            milestones = get("milestones", "节点") or []
            open_ms = [m for m in milestones if not m.get("done", m.get("完成"))]
            if open_ms:
                name = open_ms[0].get("name", open_ms[0].get("名称"))
                return Target(str(get("id", "编号")), str(name), unit)
    raise SystemExit(f"no open task with an open milestone in {root}")


def prepare(tasks: int, env: dict[str, str]) -> tuple[Path, str, Target]:
    """The git repository of the generated ledger: (root, the commit rows reset to, target)."""
    source = run.ledger(tasks)
    root = DATA / f"every-t{tasks}"
    stamp_path = DATA / f"every-t{tasks}.stamp.json"
    source_stamp = json.loads((DATA / f"t{tasks}.stamp.json").read_text())
    stamp = {**source_stamp, "every_command": STAMP}
    try:
        old = json.loads(stamp_path.read_text())
        if old["stamp"] == stamp and (root / ".git").is_dir():
            git(root, "reset", "-q", "--hard", old["head"])
            git(root, "clean", "-fdq")
            return root, old["head"], Target(**old["target"])
    except (OSError, ValueError, KeyError, subprocess.CalledProcessError):
        pass
    print(f"making the repository {root} ...", file=sys.stderr, flush=True)
    shutil.rmtree(root, ignore_errors=True)
    stamp_path.unlink(missing_ok=True)
    shutil.copytree(source, root)
    target = find_target(root)
    genv = {**env, **GIT_ID}
    git(root, "init", "-q", "-b", "main", env=genv)
    git(root, "add", "-A", env=genv)
    git(root, "commit", "-q", "-m", "建立台账", env=genv)
    # A little history for log and audit: progress on three tasks, each its own commit.
    clerk = {**genv, "GIT_AUTHOR_EMAIL": f"clerk@{target.unit}.example.gov.cn"}
    for percent in ("30", "40", "50"):
        argv = [sys.executable, "-m", "sanzhua", "progress", target.task, "--percent", percent,
                "--note", f"基准测试进展{percent}", "--date", AS_OF, "--commit"]
        subprocess.run(argv, cwd=root, env=clerk, check=True, stdout=subprocess.DEVNULL)
    head = git(root, "rev-parse", "HEAD")
    stamp_path.write_text(json.dumps({"stamp": stamp, "head": head, "target": asdict(target)},
                                     ensure_ascii=False, indent=2) + "\n")
    return root, head, target


# --- the rows ----------------------------------------------------------------------------


@dataclass
class Spec:
    label: str
    argv: list[str]
    writes: bool = False  # the ledger is reset to the prepared commit after the run
    expect: tuple[int, ...] = (0,)
    cold: bool = False  # the parse cache emptied before the run
    cwd: Path | None = None  # another folder than the ledger root, made empty before the run
    fill: bool = False  # put the ledger's sanzhua.yaml and units.yaml into `cwd` (no ledger files)


def rows(t: Target, out: Path, tasks: int) -> Iterator[Spec]:
    """Every command of `sanzhua --help`, with its main variants; reads first, then writes."""
    task, unit = t.task, t.unit
    yield Spec("check --no-cache", ["check", "--no-cache"], cold=True)
    yield Spec("check (cache fill)", ["check"], cold=True)
    yield Spec("check (warm)", ["check"])
    yield Spec("check -f json", ["check", "--format", "json"])
    yield Spec("check -f github", ["check", "--format", "github"])
    yield Spec("check --list", ["check", "--list"])
    yield Spec("status", ["status"])
    yield Spec("status --all -f json", ["status", "--all", "--format", "json"])
    yield Spec("status -f csv --all", ["status", "--all", "--format", "csv"])
    yield Spec("status --by unit", ["status", "--by", "unit"])
    yield Spec("status --by leader", ["status", "--by", "leader"])
    yield Spec("status --unit", ["status", "--unit", unit, "--all"])
    yield Spec("show", ["show", task])
    yield Spec("show -f json", ["show", task, "--format", "json"])
    yield Spec("brief --week", ["brief", "--week"])
    # Refused above 120,000 rows with exit 2, as documented (docs/format.md): 290,000 here.
    yield Spec("brief --week -f docx", ["brief", "--week", "--format", "docx", "-o", str(out / "b.docx")],
               expect=(2,) if tasks > 40000 else (0,))
    yield Spec("brief --unit -f docx", ["brief", "--unit", unit, "--format", "docx", "-o", str(out / "n.docx")])
    yield Spec("brief --month", ["brief", "--month"])
    yield Spec("brief --quarter", ["brief", "--quarter"])
    yield Spec("brief --year", ["brief", "--year"])
    yield Spec("brief --from --to", ["brief", "--from", "2026-10-01", "--to", "2026-10-31"])
    yield Spec("brief --unit --issue", ["brief", "--unit", unit, "--issue"], writes=True)
    yield Spec("brief --each-unit --issue", ["brief", "--each-unit", str(out / "notices"), "--issue"],
               writes=True)
    yield Spec("score", ["score"])
    yield Spec("score -f json", ["score", "--format", "json"])
    yield Spec("score --explain", ["score", "--explain", unit])
    yield Spec("score --quarter -f csv", ["score", "--quarter", "--format", "csv"])
    yield Spec("score --month -f md --wide", ["score", "--month", "--format", "md", "--wide"])
    yield Spec("score --kind", ["score", "--kind", "乡镇"])
    yield Spec("export xlsx", ["export", "-o", str(out / "e.xlsx")])
    yield Spec("export csv", ["export", "--format", "csv", "-o", str(out / "e.csv")])
    yield Spec("export --by unit", ["export", "--by", "unit", "-o", str(out / "e-units.xlsx")])
    yield Spec("calendar", ["calendar", "-o", str(out / "c.ics")])
    yield Spec("calendar --unit", ["calendar", "--unit", unit, "-o", "-"])
    yield Spec("log", ["log", task])
    yield Spec("log -f json", ["log", task, "--format", "json"])
    # exit 1: it finds the history's clerk, not in units.yaml's editors, editing (as planned)
    yield Spec("audit", ["audit"], expect=(1,))
    yield Spec("audit -f json", ["audit", "--format", "json"], expect=(1,))
    yield Spec("codeowners --check", ["codeowners", "--check"], expect=(0, 1))
    yield Spec("codeowners -o -", ["codeowners", "-o", "-"])
    yield Spec("codeowners (writes)", ["codeowners"], writes=True)
    yield Spec("remind (dry run)", ["remind"])
    yield Spec("remind -f json", ["remind", "--format", "json"])
    yield Spec("form --unit", ["form", "--unit", unit, "-o", str(out / "form.xlsx")])
    # Refused above 50,000 rows with exit 2, as documented (docs/forms.md).
    yield Spec("form --each-unit", ["form", "--each-unit", str(out / "forms")],
               expect=(2,) if tasks > 50000 else (0,))
    yield Spec("collect --dry-run", ["collect", str(out / "form.xlsx"), "--dry-run"])
    # An import reads at most 50,000 rows a sheet (docs/writing.md): above, refused with exit 2.
    refused = (2,) if tasks > 50000 else (0, 1)
    yield Spec("import --dry-run", ["import", str(out / "e.xlsx"), "--dry-run", "--default-due", "年底"],
               expect=refused)
    yield Spec("import csv --dry-run", ["import", str(out / "e.csv"), "--dry-run", "--default-due", "年底"],
               expect=refused)
    yield Spec("fmt --check", ["fmt", "--check"], expect=(0, 1))
    yield Spec("fmt --dry-run --normalize-dates", ["fmt", "--dry-run", "--normalize-dates"])
    yield Spec("help format", ["help", "format"])
    yield Spec("init", ["init", "--name", "基准测试台账", "--supervisor", "ducha@example.gov.cn"],
               cwd=out / "init")
    # -- writes, each undone after it ran
    yield Spec("progress", ["progress", task, "--percent", "60", "--note", "基准测试", "--date", AS_OF],
               writes=True)
    yield Spec("progress --dry-run", ["progress", task, "--percent", "60", "--note", "基准测试",
                                      "--date", AS_OF, "--dry-run"])
    yield Spec("progress --commit", ["progress", task, "--percent", "60", "--note", "基准测试",
                                     "--date", AS_OF, "--commit"], writes=True)
    yield Spec("done --milestone", ["done", task, "--milestone", t.milestone, "--date", AS_OF],
               writes=True)
    yield Spec("done", ["done", task, "--date", AS_OF], writes=True)
    yield Spec("extend", ["extend", task, "--to", "2027-12-31", "--approved-by", "县长",
                          "--ref", "政文〔2026〕1号", "--date", AS_OF], writes=True)
    yield Spec("new", ["new", "--unit", unit, "--title", "基准测试新增任务", "--due", "2026-12-31"],
               writes=True)
    yield Spec("collect", ["collect", str(out / "form.xlsx")], writes=True)
    yield Spec("fmt", ["fmt"], writes=True)
    # The export read back into a ledger of the same units but no tasks: 100,000 new tasks.
    yield Spec("import (into an empty ledger)", ["import", str(out / "e.xlsx"), "--default-due", "年底"],
               cwd=out / "import-root", fill=True, expect=(2,) if tasks > 50000 else (0,))
    yield Spec("check (after the writes)", ["check"])
    # -- the site last: minutes each
    yield Spec("site --no-archive", ["site", "--no-archive", "-o", str(out / "site")])
    yield Spec("site --no-history", ["site", "--no-history", "-o", str(out / "site")])
    yield Spec("site", ["site", "-o", str(out / "site")])
    yield Spec("site --docx", ["site", "--docx", "-o", str(out / "site")])


# --- running -----------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    command: str
    cpu: float
    wall: float
    peak_mb: float
    code: int
    flags: list[str] = field(default_factory=list)
    tail: str = ""


def flags_of(spec: Spec, code: int, peak_mb: float, text: str, errors: str) -> list[str]:
    """The flags of a run; `errors` is its stderr (`help format` explains 内部错误 on stdout)."""
    flags = []
    if peak_mb > BOUND_MB:
        flags.append("MEM")
    if "Traceback (most recent call last)" in text:
        flags.append("TRACE")
    if "internal error" in errors or "内部错误" in errors:
        flags.append("BUG")
    if code not in (0, 1, 2):
        flags.append("CODE")
    if code not in spec.expect:
        flags.append("EXIT")
    return flags


def scan(path: Path) -> str:
    """What the flags look for in an output of any size: its first and last 64 KB."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(65536)
        if size > 131072:
            f.seek(size - 65536)
        tail = f.read()
    return (head + tail).decode("utf-8", "replace")


def measure(argv: list[str], cwd: Path, env: dict[str, str], stdout: Path,
            stderr: Path) -> tuple[float, float, float, int]:
    """(CPU s, wall s, peak MB, exit code) of one fresh process, its output written to files."""
    with stdout.open("wb") as out, stderr.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        sampler = run.TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        sampler.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = max(usage.ru_maxrss / 1024, sampler.peak_kb / 1024)
    return usage.ru_utime + usage.ru_stime, wall, peak, proc.returncode


def slug(label: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in label).strip("-")


def run_row(spec: Spec, root: Path, head: str, out: Path, env: dict[str, str], cold: bool) -> Result:
    argv = list(spec.argv)
    if argv[0] not in NO_AS_OF and argv[:2] != ["check", "--list"]:
        argv += ["--as-of", AS_OF]
    cache = Path(env["SANZHUA_CACHE_DIR"])
    if spec.cold or cold:
        shutil.rmtree(cache, ignore_errors=True)
    cwd = spec.cwd or root
    if spec.cwd is not None:
        shutil.rmtree(cwd, ignore_errors=True)
        cwd.mkdir(parents=True)
        if spec.fill:
            for name in ("sanzhua.yaml", "units.yaml"):
                shutil.copyfile(root / name, cwd / name)
            (cwd / "ledgers").mkdir()
    if (out / "site").exists():
        shutil.rmtree(out / "site")
    logs = out / "logs"
    logs.mkdir(exist_ok=True)
    stdout, stderr = logs / f"{slug(spec.label)}.stdout", logs / f"{slug(spec.label)}.stderr"
    try:
        cpu, wall, peak, code = measure([sys.executable, "-m", "sanzhua", *argv], cwd, env, stdout, stderr)
    finally:
        if spec.writes:
            git(root, "reset", "-q", "--hard", head)
            git(root, "clean", "-fdq")
    errors = scan(stderr)
    r = Result(spec.label, "sanzhua " + " ".join(argv), cpu, wall, peak, code,
               flags_of(spec, code, peak, scan(stdout) + errors, errors))
    if r.flags:
        r.tail = "\n".join(scan(stderr).strip().splitlines()[-8:])[-1500:]
    return r


def table(results: list[Result]) -> str:
    head = "| command | CPU s | wall s | peak MB | exit | flags |\n|---|---|---|---|---|---|\n"
    return head + "".join(
        f"| `{r.label}` | {r.cpu:.1f} | {r.wall:.0f} | {r.peak_mb:,.0f} | {r.code} | "
        f"{' '.join(r.flags) or 'ok'} |\n" for r in results)


_LABELS = [s.label for s in rows(Target("TASK", "MILESTONE", "UNIT"), Path("out"), 100000)]


def _chosen(label: str, asked: str) -> bool:
    """A row's label is asked for by its whole label, or else by its beginning."""
    return label == asked if asked in _LABELS else label.startswith(asked)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=100000, help="tasks in the ledger (20 a file)")
    ap.add_argument("--commands", "--only", default="",
                    help="only these rows, comma-separated: a whole label, or the beginning of labels")
    ap.add_argument("--cold", action="store_true", help="empty the parse cache before every row")
    ap.add_argument("--tree", type=Path, help="run this source tree of sanzhua (DIR/src) instead")
    ap.add_argument("--json", type=Path, help="write the rows here (default: bench/data/every_command.json)")
    ap.add_argument("--out", type=Path, default=DATA / "every-out",
                    help="the folder of the outputs and logs (emptied first)")
    ap.add_argument("--list", action="store_true", help="list the rows and exit")
    args = ap.parse_args(argv)
    chosen = [c for c in args.commands.split(",") if c]
    out = args.out.resolve()
    specs = [s for s in rows(Target("TASK", "MILESTONE", "UNIT"), out, args.tasks)
             if not chosen or any(_chosen(s.label, c) for c in chosen)]
    if args.list:
        for s in specs:
            print(f"{s.label:34} sanzhua {' '.join(s.argv)}")
        return 0
    env = run.child_env()
    src = (args.tree or REPO) / "src"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), os.environ.get("PYTHONPATH", "")) if p)
    # A cache of its own per source tree: a tree's code digest is part of the cache's stamp,
    # and two trees sharing one would each find the other's entries stale.
    tag = f"-{args.tree.name}" if args.tree else ""
    env["SANZHUA_CACHE_DIR"] = str(DATA / f"every-cache-t{args.tasks}{tag}")
    env.update(GIT_ID)
    env["COLUMNS"] = "160"
    subprocess.run([sys.executable, "-c", "import compileall, os, sanzhua; "
                    "compileall.compile_dir(os.path.dirname(sanzhua.__file__), quiet=1)"], env=env, check=False)
    root, head, target = prepare(args.tasks, env)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    specs = [s for s in rows(target, out, args.tasks) if not chosen or any(_chosen(s.label, c) for c in chosen)]
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    print(f"every command: {args.tasks} tasks ({root}), task {target.task}, unit {target.unit}; "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs, load {' '.join(load)}, "
          f"nice {os.nice(0)}, source {src}", flush=True)
    results: list[Result] = []
    for spec in specs:
        r = run_row(spec, root, head, out, env, args.cold)
        results.append(r)
        print(f"  {r.label:34} {r.cpu:7.1f} cpu {r.wall:7.1f} s {r.peak_mb:7.0f} MB  exit {r.code}  "
              f"{' '.join(r.flags)}", flush=True)
        if r.tail:
            print("      " + r.tail.replace("\n", "\n      "), flush=True)
    with open("/proc/loadavg") as f:
        load_end = f.read().split()[:3]
    print(f"\nload at the end: {' '.join(load_end)}\n")
    print(table(results))
    doc = {"tasks": args.tasks, "load": [load, load_end], "source": str(src), "rows": [asdict(r) for r in results]}
    (args.json or DATA / "every_command.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1))
    return 1 if any(r.flags for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
