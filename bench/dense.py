"""Dense and hostile ledgers under 10 MB, through every command, within 30 s and 2 GB.

Issue 14's bound: "a held-out corpus of hostile repositories and workbooks run through
every command: no run takes over 30 s or 2 GB on inputs under 10 MB". This script makes
such inputs (bench/data/dense/<scenario>/, regenerated when this file changes), runs every
command of sanzhua on each (but `site`, measured elsewhere) with a 60 s timeout and a 2 GB
address-space limit (RLIMIT_AS, set in every process of the run), and prints one row per
run: wall and CPU seconds, the peak RSS of the largest process, the exit code and a flag:

  SLOW   over 30 s wall        KILLED  the 60 s timeout was reached
  MEM    peak RSS over 2 GB    TRACE   a Python traceback in the output
  CODE   an exit code not 0/1/2 (or a signal)      BUG  "internal error" / 内部错误

It is a report, not a test: it exits 1 when any row is flagged, else 0.

    .venv/bin/python bench/dense.py                       # every scenario
    .venv/bin/python bench/dense.py --only flat,long      # some of them
    .venv/bin/python bench/dense.py --commands fmt,check  # rows whose label starts so
    .venv/bin/python bench/dense.py --trees /tmp/before /tmp/after   # side by side
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data" / "dense"
AS_OF = "2026-11-25"
LIMIT_BYTES = 2 * 1024**3
TIMEOUT = 60.0
BOUND_S = 30.0
UNITS = 100
STAMP = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]

SETTINGS = """\
name: 压力测试台账
office: 县督查室
year: 2026
lang: zh
supervisors: [ducha@example.gov.cn]
bulletin:
  name: 政务督查
  first_week: 2026-01-05
"""


def units_yaml(n: int = UNITS) -> str:
    rows = "".join(
        f"  - {{id: u{i:04d}, name: 单位{i}, kind: {'乡镇' if i % 3 else '县直部门'}, "
        f"editors: [clerk{i}@example.gov.cn]}}\n" for i in range(1, n + 1))
    return "units:\n" + rows


def one_line_tasks(unit: str, prefix: str, count: int, start: int = 1) -> str:
    """`count` one-line flow tasks: the minimal valid task (id, title, due), half overdue."""
    due = ("2026-06-30", "2026-12-31")
    return "".join(
        f"  - {{id: {prefix}-{i:06d}, title: 任务{i}, due: {due[i % 2]}}}\n"
        for i in range(start, start + count))


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def base_root(root: Path, units: int = UNITS) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "ledgers").mkdir(parents=True)
    write(root, "sanzhua.yaml", SETTINGS)
    write(root, "units.yaml", units_yaml(units))


# --- the scenarios: each writes a root and names a task to show and edit ---------------


def gen_flat(root: Path, tasks: int) -> str:
    """(a) One file of `tasks` one-line flow-style minimal tasks."""
    base_root(root)
    write(root, "ledgers/u0001.yaml", "unit: u0001\ntasks:\n" + one_line_tasks("u0001", "U0001", tasks))
    return f"U0001-{tasks // 2 + 1:06d}"  # odd: due 2026-12-31, open


def gen_files(root: Path, tasks: int) -> str:
    """(b) The same spread over 10,000 small files (units cycled)."""
    base_root(root)
    per = max(1, tasks // 10_000)
    for f in range(10_000):
        unit = f"u{f % UNITS + 1:04d}"
        write(root, f"ledgers/d{f // 1000}/f{f:05d}.yaml",
              f"unit: {unit}\ntasks:\n" + one_line_tasks(unit, f"F{f:05d}", per))
    return "F05000-000001"


def gen_progress(root: Path, tasks: int) -> str:
    """(c) 60 tasks with 2,000 progress entries each, 10 with 2,000 milestones."""
    base_root(root)
    out = ["unit: u0001\ntasks:\n"]
    for t in range(1, 61):
        out.append(f"  - id: P-{t:03d}\n    title: 进展很多的任务{t}\n    start: 2020-01-01\n"
                   "    due: 2026-12-31\n    target: {metric: 完成投资, value: 100000, unit: 万元}\n")
        if t <= 10:
            out.append("    milestones:\n")
            out.extend(f"      - {{name: 节点{m}, due: 2026-12-{1 + m % 28:02d}}}\n" for m in range(2000))
        out.append("    progress:\n")
        out.extend(
            f"      - {{date: {2020 + d // 360}-{1 + d // 30 % 12:02d}-{1 + d % 28:02d}, "
            f"value: {d * 10}, note: 第{d}次}}\n" for d in range(2000))
    write(root, "ledgers/u0001.yaml", "".join(out))
    return "P-030"


def gen_long(root: Path, tasks: int) -> str:
    """(d) Long values: a 5 MB title, 100,000 partners, 100,000 tags, a 1 MB note."""
    base_root(root)
    partners = ", ".join(f"u{i % UNITS + 1:04d}" for i in range(100_000))
    tags = ", ".join(f"标签{i}" for i in range(100_000))
    text = ("unit: u0001\ntasks:\n"
            f"  - id: L-001\n    title: {'很长的标题' * 350_000}\n    due: 2026-12-31\n"
            f"  - id: L-002\n    title: 配合单位很多\n    due: 2026-12-31\n    partners: [{partners}]\n"
            f"  - id: L-003\n    title: 标签很多\n    due: 2026-12-31\n    tags: [{tags}]\n"
            f"  - id: L-004\n    title: 进展很长\n    due: 2026-12-31\n"
            f"    progress:\n      - {{date: 2026-11-01, percent: 5, note: {'情况' * 300_000}}}\n"
            "  - id: L-005\n    title: 普通任务\n    due: 2026-12-31\n")
    write(root, "ledgers/u0001.yaml", text)
    return "L-005"


def gen_deep(root: Path, tasks: int) -> str:
    """(d') Deep values: a flow list nested 100,000 deep, a block map nested 2,000 deep,
    a million-character line of brackets in a comment."""
    base_root(root)
    block = "".join(f"{'  ' * (i + 2)}k{i}:\n" for i in range(2_000))
    text = ("unit: u0001\ntasks:\n"
            "  - id: D-001\n    title: 正常\n    due: 2026-12-31\n"
            f"  - id: D-002\n    title: 嵌套\n    due: 2026-12-31\n    note: {'[' * 100_000}{']' * 100_000}\n"
            f"  - id: D-003\n    title: 深\n    due: 2026-12-31\n    extra:\n{block}"
            f"# {'[{' * 500_000}\n")
    write(root, "ledgers/u0001.yaml", text)
    write(root, "ledgers/u0002.yaml", "unit: u0002\ntasks:\n" + one_line_tasks("u0002", "U0002", 100))
    return "D-001"


def gen_units(root: Path, tasks: int) -> str:
    """(e) units.yaml of 50,000 units, a ledger of 1,000 tasks."""
    base_root(root, units=50_000)
    write(root, "ledgers/u0001.yaml", "unit: u0001\ntasks:\n" + one_line_tasks("u0001", "U0001", 1000))
    return "U0001-000501"


def gen_history(root: Path, tasks: int) -> str:
    """(f) A git history of 300 commits: 200 files of 100 block tasks (about 3 MB), each
    commit a progress entry in one file; every tenth by a supervisor moving a deadline."""
    base_root(root)
    files = {f"ledgers/f{f:03d}.yaml": [
        f"  - id: H{f:03d}-{t:03d}\n    title: 任务{t}\n    start: 2026-01-05\n    due: 2026-12-31\n"
        "    progress:\n      - {date: 2026-02-01, percent: 1}\n" for t in range(100)] for f in range(200)}

    def text(rel: str) -> bytes:
        unit = f"u{int(rel[9:12]) % UNITS + 1:04d}"
        return (f"unit: {unit}\ntasks:\n" + "".join(files[rel])).encode()

    stream = [b"blob\nmark :1\n" + data(SETTINGS.encode()), b"blob\nmark :2\n" + data(units_yaml().encode())]
    mark = 3
    for rel in files:
        stream.append(b"blob\nmark :%d\n" % mark + data(text(rel)))
        mark += 1
    commit = ["M 100644 :1 sanzhua.yaml\n", "M 100644 :2 units.yaml\n"] + [
        f"M 100644 :{3 + i} {rel}\n" for i, rel in enumerate(files)]
    stream.append(_commit("refs/heads/main", "ducha", 0, "初始台账", "".join(commit)))
    for c in range(1, 300):
        rel = f"ledgers/f{c % 200:03d}.yaml"
        t = c % 100
        old = files[rel][t]
        if c % 10 == 0:
            files[rel][t] = old.replace("due: 2026-12-31", "due: 2027-06-30")
            who = "ducha"
        else:
            files[rel][t] = old + f"      - {{date: 2026-{3 + c % 9:02d}-01, percent: {2 + c % 90}}}\n"
            who = f"clerk{int(rel[9:12]) % UNITS + 1}"
        stream.append(b"blob\nmark :%d\n" % mark + data(text(rel)))
        stream.append(_commit("refs/heads/main", who, c, f"进展 {c}", f"M 100644 :{mark} {rel}\n"))
        mark += 1
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)
    return "H005-005"


def data(b: bytes) -> bytes:
    return b"data %d\n" % len(b) + b + b"\n"


def _commit(ref: str, who: str, n: int, message: str, changes: str) -> bytes:
    when = 1767225600 + n * 3600 * 12
    head = (f"commit {ref}\nauthor {who} <{who}@example.gov.cn> {when} +0800\n"
            f"committer {who} <{who}@example.gov.cn> {when} +0800\n").encode()
    return head + data(message.encode()) + changes.encode() + b"\n"


@dataclass
class Scenario:
    name: str
    make: Callable[[Path, int], str]
    tasks: int = 0
    git: bool = True  # commit the generated files once (log, audit need a repository)


SCENARIOS = [
    Scenario("flat", gen_flat, 120_000),
    Scenario("files", gen_files, 120_000),
    Scenario("progress", gen_progress),
    Scenario("long", gen_long),
    Scenario("deep", gen_deep),
    Scenario("units", gen_units),
    Scenario("history", gen_history, git=False),
]


def prepare(s: Scenario) -> tuple[Path, str]:
    root = DATA / s.name
    stamp = DATA / f"{s.name}.stamp"
    if stamp.is_file() and stamp.read_text().startswith(STAMP):
        return root, stamp.read_text().split()[1]
    task = s.make(root, s.tasks)
    if s.git:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "-c", "user.name=ducha", "-c", "user.email=ducha@example.gov.cn",
            "commit", "-q", "-m", "台账")
    stamp.write_text(f"{STAMP} {task}\n")
    return root, task


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, stdout=subprocess.DEVNULL)


def size_mb(root: Path) -> float:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and ".git" not in p.parts) / 1e6


# --- the commands -----------------------------------------------------------------------


def commands(task: str, out: Path) -> Iterator[tuple[str, list[str], bool]]:
    """(label, arguments, writes the ledger). Read-only first, in the order a user might
    run them (the first `check --no-cache` cold, the next fills the cache), then writes."""
    yield "check --no-cache", ["check", "--no-cache", "--format", "json"], False
    yield "check", ["check"], False
    yield "check (warm)", ["check", "--format", "github"], False
    yield "status", ["status"], False
    yield "status --all json", ["status", "--all", "--format", "json"], False
    yield "status --by unit", ["status", "--by", "unit"], False
    yield "show", ["show", task], False
    yield "show json", ["show", task, "--format", "json"], False
    yield "brief md", ["brief", "--week"], False
    yield "brief --year", ["brief", "--year"], False
    yield "brief docx", ["brief", "--format", "docx", "-o", str(out / "b.docx")], False
    yield "brief --unit (notice)", ["brief", "--unit", "u0001"], False
    yield "brief --each-unit --issue", ["brief", "--each-unit", str(out / "notices"), "--issue"], True
    yield "score", ["score"], False
    yield "score --explain", ["score", "--explain", "u0001"], False
    yield "export xlsx", ["export", "-o", str(out / "e.xlsx")], False
    yield "export csv", ["export", "--format", "csv", "-o", str(out / "e.csv")], False
    yield "calendar", ["calendar", "-o", str(out / "c.ics")], False
    yield "log", ["log", task], False
    yield "audit", ["audit", "--format", "json"], False
    yield "codeowners --check", ["codeowners", "--check"], False
    yield "codeowners", ["codeowners", "-o", "-"], False
    yield "remind (dry run)", ["remind"], False
    yield "form --unit", ["form", "--unit", "u0001", "-o", str(out / "form.xlsx")], False
    yield "form --each-unit", ["form", "--each-unit", str(out / "forms")], False
    yield "collect (the form back)", ["collect", str(out / "form.xlsx"), "--dry-run"], False
    yield "import (the export, dry run)", ["import", str(out / "e.xlsx"), "--dry-run",
                                           "--default-due", "年底"], False
    yield "fmt --check", ["fmt", "--check"], False
    yield "progress", ["progress", task, "--percent", "50", "--note", "压测", "--date", AS_OF], True
    yield "progress (again)", ["progress", task, "--percent", "60", "--note", "压测", "--date", AS_OF], True
    yield "done", ["done", task, "--date", AS_OF], True
    yield "extend", ["extend", task, "--to", "2027-06-30", "--approved-by", "县长",
                     "--ref", "政文〔2026〕1号", "--date", AS_OF], True
    yield "new", ["new", "--unit", "u0001", "--title", "新增任务", "--due", "2026-12-31"], True
    yield "fmt", ["fmt"], True
    yield "fmt --check (after fmt)", ["fmt", "--check"], False
    yield "check (after edits)", ["check"], False


# --- running ----------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    label: str
    tree: str
    wall: float
    cpu: float
    peak_mb: float
    code: int
    flags: list[str] = field(default_factory=list)
    tail: str = ""


# A wrapper between this script and sanzhua: sets the limit for itself and every process
# it starts, runs sanzhua, and reports the CPU and largest RSS of the whole tree it reaped.
WRAPPER = r"""
import json, os, resource, subprocess, sys
resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[1]), int(sys.argv[1])))
r = subprocess.run(sys.argv[3:])
u = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[2], "w") as f:
    json.dump({"code": r.returncode, "cpu": u.ru_utime + u.ru_stime, "rss_kb": u.ru_maxrss}, f)
"""


def run_one(python: str, argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, dict[str, float], str]:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "r.json"
        log = Path(tmp) / "out"
        t0 = time.perf_counter()
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                [python, "-c", WRAPPER, str(LIMIT_BYTES), str(report), python, "-m", "sanzhua", *argv],
                cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
            try:
                proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        wall = time.perf_counter() - t0
        text = log.read_bytes().decode("utf-8", "replace")
        if report.is_file():
            info = json.loads(report.read_text())
        else:
            info = {"code": -9, "cpu": float("nan"), "rss_kb": 0, "killed": 1}  # not reaped: unknown
        return wall, info, text


def flags_of(wall: float, info: dict[str, float], text: str) -> list[str]:
    flags = []
    if info.get("killed"):
        flags.append("KILLED")
    elif wall > BOUND_S:
        flags.append("SLOW")
    if info["rss_kb"] > LIMIT_BYTES / 1024:
        flags.append("MEM")
    if "Traceback (most recent call last)" in text:
        flags.append("TRACE")
    if info["code"] not in (0, 1, 2):
        flags.append("CODE")
    if "internal error" in text or "内部错误" in text:
        flags.append("BUG")
    return flags


def run_scenario(s: Scenario, python: str, trees: list[Path | None], only_cmds: list[str]) -> list[Result]:
    root, task = prepare(s)
    results: list[Result] = []
    for tree in trees:
        name = tree.name if tree else "this"
        with tempfile.TemporaryDirectory(prefix=f"dense-{s.name}-") as tmp:
            work = Path(tmp) / "root"
            shutil.copytree(root, work, symlinks=True)
            out = Path(tmp) / "out"
            out.mkdir()
            env = dict(os.environ, NO_COLOR="1", TERM="dumb", COLUMNS="160",
                       SANZHUA_CACHE_DIR=str(Path(tmp) / "cache"), GIT_AUTHOR_EMAIL="ducha@example.gov.cn",
                       GIT_COMMITTER_EMAIL="ducha@example.gov.cn", GIT_AUTHOR_NAME="ducha",
                       GIT_COMMITTER_NAME="ducha")
            src = (tree or REPO) / "src"
            env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH", "")) if p)
            for label, argv, _writes in commands(task, out):
                if only_cmds and not any(label.startswith(c) for c in only_cmds):
                    continue
                argv = [*argv, *([] if argv[0] in NO_AS_OF else ["--as-of", AS_OF])]
                wall, info, text = run_one(python, argv, work, env)
                r = Result(s.name, label, name, wall, info["cpu"], info["rss_kb"] / 1024,
                           int(info["code"]), flags_of(wall, info, text))
                if r.flags:
                    r.tail = "\n".join(text.strip().splitlines()[-6:])[-1500:]
                results.append(r)
                print(f"  {s.name:9} {label:30} {name:8} {wall:6.1f} s {r.cpu:6.1f} cpu "
                      f"{r.peak_mb:6.0f} MB  exit {r.code}  {' '.join(r.flags)}", flush=True)
                if r.tail:
                    print("      " + r.tail.replace("\n", "\n      "), flush=True)
    return results


NO_AS_OF = {"progress", "done", "extend", "new", "fmt", "log", "audit", "codeowners", "import"}


def table(results: list[Result]) -> str:
    head = ("| scenario | command | tree | wall s | CPU s | peak MB | exit | flags |\n"
            "|---|---|---|---|---|---|---|---|\n")
    return head + "".join(
        f"| {r.scenario} | {r.label} | {r.tree} | {r.wall:.1f} | {r.cpu:.1f} | {r.peak_mb:.0f} | {r.code} | "
        f"{' '.join(r.flags) or 'ok'} |\n" for r in results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="scenarios, comma-separated: " + ",".join(s.name for s in SCENARIOS))
    ap.add_argument("--commands", default="", help="only rows whose label starts with one of these")
    ap.add_argument("--trees", nargs="*", type=Path, default=[], help="other source trees (DIR/src)")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the rows here")
    args = ap.parse_args(argv)
    only = [x for x in args.only.split(",") if x]
    cmds = [x for x in args.commands.split(",") if x]
    chosen = [s for s in SCENARIOS if not only or s.name in only]
    DATA.mkdir(parents=True, exist_ok=True)
    for s in chosen:
        root, task = prepare(s)
        print(f"{s.name}: {size_mb(root):.1f} MB of YAML, task {task}", flush=True)
    if args.generate_only:
        return 0
    trees: list[Path | None] = list(args.trees) or [None]
    results: list[Result] = []
    for s in chosen:
        results.extend(run_scenario(s, sys.executable, trees, cmds))
    print()
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in results], ensure_ascii=False, indent=1))
    return 1 if any(r.flags for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
