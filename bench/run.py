"""`make bench`: sanzhua's speed and memory as ratios to a bare CSafeLoader load.

    .venv/bin/python bench/run.py [--tasks 20000] [--big 100000] [--skip-big] [--repeat 3]

Generates ledgers with bench/generate.py into bench/data/ (reused while the generator
and its arguments are unchanged), runs every command in a fresh subprocess with the
ledger root as working directory, and prints for each the best wall time of `--repeat`
runs, its ratio to the baseline measured in the same run, and its peak memory.
Writes the numbers to bench/results.json as well.

Exit status: 0 when every command ran (even if a target is missed: this is a report),
1 when a command failed.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import importlib.util
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DATA = BENCH / "data"
RESULTS = BENCH / "results.json"
AS_OF = "2026-11-25"
TASKS_PER_UNIT = 20
SEED = 1

sys.path.insert(0, str(BENCH))
from generate import generate  # noqa: E402  (bench/ is a folder of scripts, not a package)

# The baseline: what any tool must at least do, read every ledger file and parse it
# with libyaml, keeping the documents (a tool has to hold the ledger too).
BASELINE = """
import pathlib, sys, time, yaml
t0 = time.perf_counter()
docs = []
for p in sorted(pathlib.Path("ledgers").rglob("*")):
    if p.suffix in (".yaml", ".yml") and p.is_file():
        docs.append(yaml.load(p.read_text(encoding="utf-8-sig"), Loader=yaml.CSafeLoader))
print(f"{len(docs)} {time.perf_counter() - t0:.6f}")
"""


# --- running one command --------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_mb: float  # the whole process tree: main process and any worker processes
    main_rss_mb: float  # ru_maxrss of the main process (and its largest reaped child)
    returncode: int
    stdout: str
    stderr: str
    cpu: float = 0.0  # user + system CPU seconds of the process and the children it reaped


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def _memory_kb(pid: int) -> int:
    """Proportional set size (shared pages split between sharers), else RSS."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
    except (OSError, IndexError, ValueError):
        return 0


_KCMP = {"x86_64": 312, "aarch64": 272}.get(platform.machine())  # kcmp(2)'s syscall number
_KCMP_VM = 1


@functools.cache
def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None, use_errno=True)


def same_memory(pid: int, other: int) -> bool:
    """Whether two processes share one address space: a child made by vfork (as Python's
    subprocess starts git) until it execs. Its smaps then show the parent's memory, whole:
    summed, a 700 MB process starting git was counted as 1.4 GB (issue 17, p-100k)."""
    if _KCMP is None:
        return False
    try:
        return int(_libc().syscall(_KCMP, pid, other, _KCMP_VM, 0, 0)) == 0
    except OSError:
        return False


class TreeSampler(threading.Thread):
    """Samples the memory of a process and all its descendants until stopped (a child that
    shares its parent's address space, a vfork before exec, is not counted again)."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            total, todo, seen = 0, [(self.pid, 0)], set()
            while todo:
                pid, parent = todo.pop()
                if pid in seen:
                    continue
                seen.add(pid)
                if not (parent and same_memory(pid, parent)):
                    total += _memory_kb(pid)
                todo.extend((child, pid) for child in _children(pid))
            self.peak_kb = max(self.peak_kb, total)
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _read(f: IO[bytes]) -> str:
    f.seek(0)
    return f.read().decode("utf-8", "replace")


def measure(argv: Sequence[str], cwd: Path, env: dict[str, str], keep_stdout: bool = True) -> Run:
    """Run argv once in a fresh process; wall time, peak memory, exit code, output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        stdout: IO[bytes] | int = out if keep_stdout else subprocess.DEVNULL
        t0 = time.perf_counter()
        proc = subprocess.Popen(list(argv), cwd=cwd, env=env, stdout=stdout, stderr=err,
                                stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        main_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
        return Run(
            cpu=usage.ru_utime + usage.ru_stime,
            seconds=seconds,
            peak_mb=max(main_mb, sampler.peak_kb / 1024),
            main_rss_mb=main_mb,
            returncode=proc.returncode,
            stdout=_read(out) if keep_stdout else "",
            stderr=_read(err),
        )


# --- the ledgers ------------------------------------------------------------------------


# Hashed once, at start-up: the code that was imported is the code that generates.
GENERATOR_SHA256 = hashlib.sha256((BENCH / "generate.py").read_bytes()).hexdigest()


def ledger(tasks: int) -> Path:
    """The generated ledger root for `tasks` tasks, generated now unless already current."""
    return ledger_of(f"t{tasks}", max(1, tasks // TASKS_PER_UNIT), TASKS_PER_UNIT)


def ledger_of(name: str, units: int, per_unit: int) -> Path:
    """A generated ledger root of `units` x `per_unit` tasks, generated now unless current."""
    root = DATA / name
    stamp_path = DATA / f"{name}.stamp.json"
    stamp = {"units": units, "tasks_per_unit": per_unit, "seed": SEED,
             "generator_sha256": GENERATOR_SHA256}
    try:
        current = json.loads(stamp_path.read_text()) == stamp and (root / "sanzhua.yaml").exists()
    except (OSError, ValueError):
        current = False
    if not current:
        print(f"generating {units} units x {per_unit} tasks into {root} ...",
              file=sys.stderr, flush=True)
        shutil.rmtree(root, ignore_errors=True)
        stamp_path.unlink(missing_ok=True)
        generate(root, units, per_unit, SEED)
        stamp_path.write_text(json.dumps(stamp, indent=2) + "\n")
    return root


def ledger_paths(root: Path) -> list[Path]:
    return sorted(p for p in (root / "ledgers").rglob("*")
                  if p.suffix in (".yaml", ".yml") and p.is_file())


def site_dir(tasks: int) -> Path:
    """Where `sanzhua site` writes in the bench (outside the ledger root)."""
    return DATA / f"site-t{tasks}"


def site_sizes(tasks: int) -> dict[str, Any]:
    """The size of the bench site's pages: the index must stay under 1 MB."""
    folder = site_dir(tasks)
    index = folder / "index.html"
    if not index.is_file():
        return {}
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {
        "index_kb": round(index.stat().st_size / 1024, 1),
        "tasks_js_kb": round((folder / "assets" / "tasks.js").stat().st_size / 1024, 1),
        "files": len(files),
        "megabytes": round(sum(p.stat().st_size for p in files) / 1e6, 1),
    }


# The parse cache lives outside the ledger, under $XDG_CACHE_HOME/sanzhua; the bench
# points that at a folder of its own, which a cold run deletes.
CACHE_HOME = DATA / "xdg-cache"


def clear_cache(root: Path) -> None:
    shutil.rmtree(root / ".sanzhua", ignore_errors=True)  # where older versions kept it
    shutil.rmtree(CACHE_HOME, ignore_errors=True)


# --- the measurements -------------------------------------------------------------------


@dataclass
class Row:
    name: str
    command: str
    seconds: float
    peak_mb: float
    main_rss_mb: float
    runs: list[float]
    target: str = ""
    cpu: float = 0.0  # the least CPU seconds of the runs
    cpu_ratio: float | None = None  # CPU seconds / baseline CPU seconds
    ratio: float | None = None  # seconds / baseline seconds
    mem_ratio: float | None = None  # peak MB / baseline peak MB
    passed: bool | None = None
    failed: str | None = None  # why the command failed, if it did


@dataclass
class Case:
    """One thing to time: how to run it, and its runs so far."""

    name: str
    argv: list[str]
    cold: bool = False  # delete the cache before each run
    warm: bool = False  # fill the cache, change one file, then run
    keep_stdout: bool = True
    runs: list[Run] = field(default_factory=list)
    cwd: Path | None = None  # another ledger root than the one being measured
    restore: Path | None = None  # a file the command writes, put back after each run
    ok: tuple[int, ...] = (0,)  # exit codes that are a result (fmt --check: 1, "would change")
    # -- perf-edit: a case with a ledger copy and a cache of its own (edit_case below)
    env: dict[str, str] | None = None  # added to the environment (its own SANZHUA_CACHE_DIR)
    before: Any = None  # called (untimed) before each run, with the case

    @property
    def failed(self) -> bool:
        return any(r.returncode not in self.ok for r in self.runs)


@dataclass
class Bench:
    python: str
    env: dict[str, str]
    repeat: int
    failures: list[str] = field(default_factory=list)

    def sanzhua(self, *args: str) -> list[str]:
        return [self.python, "-m", "sanzhua", *args]

    def baseline_case(self) -> Case:
        return Case("baseline", [self.python, "-c", BASELINE])

    def rounds(self, root: Path, cases: list[Case], times: int | None = None) -> None:
        """Run every case `repeat` times (or `times`), interleaved, so that a busy moment
        of the machine does not land on one command only; a case that failed is not rerun."""
        for _ in range(self.repeat if times is None else times):
            for case in cases:
                if case.failed:
                    continue
                if case.cold or case.warm:
                    clear_cache(root)
                if case.before is not None:
                    case.before(self, case)
                if case.warm:
                    case.runs.append(self.warm_run(root, case))
                else:
                    original = case.restore.read_bytes() if case.restore is not None else None
                    try:
                        env = self.env if case.env is None else {**self.env, **case.env}
                        case.runs.append(measure(case.argv, case.cwd or root, env, case.keep_stdout))
                    finally:
                        if case.restore is not None and original is not None:
                            case.restore.write_bytes(original)

    def warm_run(self, root: Path, case: Case) -> Run:
        """Fill the cache (untimed), append a comment to one file, time the command."""
        fill = measure(case.argv, root, self.env)
        if fill.returncode != 0:
            return fill
        paths = ledger_paths(root)
        victim = paths[len(paths) // 2]
        original = victim.read_bytes()
        newline = b"\r\n" if b"\r\n" in original else b"\n"
        try:
            victim.write_bytes(original + b"# bench: touched" + newline)
            return measure(case.argv, root, self.env, case.keep_stdout)
        finally:
            victim.write_bytes(original)

    def row(self, case: Case) -> Row:
        """The best time of a case's runs, and the largest peak memory of them."""
        cmd = " ".join(a if a != self.python else "python" for a in case.argv)
        if len(cmd) > 120:
            cmd = cmd[:117] + "..."
        runs = case.runs
        row = Row(case.name, cmd, min(r.seconds for r in runs), max(r.peak_mb for r in runs),
                  max(r.main_rss_mb for r in runs), [round(r.seconds, 3) for r in runs])
        row.cpu = min(r.cpu for r in runs)
        bad = [r for r in runs if r.returncode not in case.ok]
        if bad:
            r = bad[0]
            tail = "\n".join((r.stderr.strip() or r.stdout.strip()).splitlines()[-15:])
            row.failed = f"exit {r.returncode}: {tail}"
            self.failures.append(f"{case.name}: {row.failed}")
            print(f"\n!! {case.name} failed ({cmd}), exit {r.returncode}:\n{tail}\n",
                  file=sys.stderr, flush=True)
        return row

    @staticmethod
    def loading_seconds(baseline: Case) -> float:
        """The fastest time the baseline spent loading YAML (without Python start-up)."""
        inner = [float(r.stdout.split()[1]) for r in baseline.runs if r.returncode == 0]
        return min(inner, default=0.0)

    def accepts_no_cache(self, root: Path) -> bool:
        run = measure(self.sanzhua("check", "--help"), root, self.env)
        return run.returncode == 0 and "--no-cache" in run.stdout

    def check_summary(self, root: Path) -> dict[str, Any] | None:
        """One untimed `check --format json`: how many tasks, errors and warnings it saw."""
        clear_cache(root)
        run = measure(self.sanzhua("check", "--as-of", AS_OF, "--format", "json"), root,
                      self.env)
        try:
            data = json.loads(run.stdout)
        except ValueError:
            return None
        summary = data.get("summary")
        if isinstance(summary, dict) and summary.get("errors"):
            errors = [p for p in data.get("problems", []) if p.get("severity") == "error"]
            for p in errors[:10]:
                print(f"  {p.get('file')}:{p.get('line')}:{p.get('column')}: {p.get('code')} "
                      f"{p.get('message')}", file=sys.stderr)
        return summary if isinstance(summary, dict) else None


def judge(row: Row, base: Row, limit: float | None) -> None:
    if base.seconds > 0:
        row.ratio = row.seconds / base.seconds
    if base.peak_mb > 0:
        row.mem_ratio = row.peak_mb / base.peak_mb
    if base.cpu > 0:
        row.cpu_ratio = row.cpu / base.cpu
    if limit is not None:
        row.target = f"<= {limit:g} x"
        row.passed = row.failed is None and row.ratio is not None and row.ratio <= limit


def verdict(passed: bool | None, failed: str | None = None) -> str:
    if failed is not None:
        return "FAIL"
    return "" if passed is None else "PASS" if passed else "MISS"


def print_table(headers: list[str], rows: list[list[str]]) -> None:
    widths = [max(_width(h), *(_width(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True))

    print(line(headers).rstrip())
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r).rstrip())


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(c) >= 0x1100 else 1 for c in text)


def folder_stats(root: Path) -> dict[str, Any]:
    paths = ledger_paths(root)
    return {"files": len(paths), "megabytes": round(sum(p.stat().st_size for p in paths) / 1e6, 2)}


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "200", "XDG_CACHE_HOME": str(CACHE_HOME)})
    env.pop("SANZHUA_CACHE_DIR", None)
    if importlib.util.find_spec("sanzhua") is None and (REPO / "src" / "sanzhua").is_dir():
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO / "src"), env.get("PYTHONPATH", "")) if p)
    return env


def compile_bytecode(bench: Bench) -> None:
    """Compile sanzhua's bytecode, as `pip install` does: an editable checkout under
    PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run, which
    no installed copy does, and every command would be timed with that."""
    code = "import compileall, os, sanzhua; compileall.compile_dir(os.path.dirname(sanzhua.__file__), quiet=1)"
    subprocess.run([bench.python, "-c", code], env=bench.env, check=False)


@functools.cache  # a 60,000-task file takes PyYAML 15 s to read: once per run
def one_file_ledger(tasks: int) -> tuple[Path, Path, str]:
    """A ledger of one unit whose one file holds `tasks` tasks; its file and a task id in
    the middle of it."""
    root = ledger_of(f"f{tasks}", 1, tasks)
    path = ledger_paths(root)[0]
    import yaml

    doc = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=yaml.CSafeLoader)
    items = next(v for k, v in doc.items() if k in ("tasks", "任务清单"))
    # an open task from the middle: progress on a done one is refused
    task = next(t for t in items[len(items) // 2:]
                if not ({"done", "完成"} & set(t)) and t.get("status", t.get("状态", "")) in
                ("", "active", "推进中", "planned", "未启动"))
    return root, path, str(next(v for k, v in task.items() if k in ("id", "编号")))


# --- perf-edit (issues 14.8 and 17): one-task edits, new and fmt of one big file ------


def _row_kind(name: str) -> str:
    """warm, hand, cold, new, fmt, or one of p-edit2's (checked, done, extend, new3): which
    of edit_cases' rows (--edit-rows)."""
    if name.startswith(("done ", "extend ", "new ")):
        return name.split(" ")[0] if not name.startswith("new ") else "new3"
    kinds = (("checked", "after check"), ("warm", "warm"), ("hand", "hand change"), ("cold", "cold cache"),
             ("new", "new,"), ("fmt", "fmt"))
    for kind, word in kinds:
        if word in name:
            return kind
    return name


# p-edit2: every one-task edit command in three states of the cache, the file put back
# before each run: "after check" (a `check` of today, untimed, fills the cache: the file's
# rows, parse and check results), "after a hand change" (the same, then a comment appended
# to the file: the cache holds the file as it was), "cold" (the cache emptied).
STATES = {"checked": "after check", "hand": "after a hand change", "cold": "cold cache"}


def state_case(bench: Bench, size: int, tree: Path | None, command: str, argv: list[str],
               state: str) -> Case:
    tag = f" [{tree.name}]" if tree is not None else ""
    slug = f"{command}-{state}" + (f"-{tree.name}" if tree else "")
    root, path, _task_id, env = edit_copy(size, slug, tree)
    pristine = path.read_bytes()
    case = Case(f"{command} ({STATES[state]}), {size}-task file{tag}", argv, cwd=root, env=env)

    def prepare(b: Bench, c: Case, path: Path = path, pristine: bytes = pristine) -> None:
        path.write_bytes(pristine)
        cache = (c.env or {})["SANZHUA_CACHE_DIR"]
        if state == "cold":
            shutil.rmtree(cache, ignore_errors=True)
            return
        measure(b.sanzhua("check"), c.cwd or DATA, {**b.env, **(c.env or {})}, keep_stdout=False)
        if state == "hand":
            with path.open("ab") as f:
                f.write(b"# bench: edited by hand\n")

    case.before = prepare
    return case


def command_cases(bench: Bench, size: int, tree: Path | None) -> list[tuple[Case, str, float | None, float | None]]:
    """done, extend and new on the task (or the unit) of the one-file ledger, in each state."""
    limit = 0.5 if size <= 5000 else 2.0
    _, _, task_id = one_file_ledger(size)
    commands = {
        "done": bench.sanzhua("done", task_id, "--date", AS_OF),
        "extend": bench.sanzhua("extend", task_id, "--to", "2027-06-30", "--approved-by", "县政府",
                                "--ref", "督办〔2026〕9号", "--date", AS_OF),
        "new": bench.sanzhua("new", "--unit", "U0001", "--title", "bench 新任务", "--due", "2026-12-31"),
    }
    return [(state_case(bench, size, tree, name, argv, state), f"<= {limit:g} s CPU", None, limit)
            for name, argv in commands.items() for state in STATES]


def edit_copy(size: int, slug: str, tree: Path | None = None) -> tuple[Path, Path, str, dict[str, str]]:
    """A fresh copy of the one-file ledger of `size` tasks for one case: its root, its file,
    the task to edit, and the environment that gives it a parse cache of its own."""
    src, path, task_id = one_file_ledger(size)
    root = DATA / f"f{size}-{slug}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(src, root)
    cache = DATA / f"cache-f{size}-{slug}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"SANZHUA_CACHE_DIR": str(cache)}
    if tree is not None:  # another source tree of sanzhua (--trees), first on the path
        env["PYTHONPATH"] = str(tree / "src")
    return root, root / path.relative_to(src), task_id, env


def edit_cases(bench: Bench, size: int, tree: Path | None = None) -> list[tuple[Case, str, float | None, float | None]]:
    """The edit rows of one file size: progress warm (edits one after the other, as a clerk
    makes them), the first edit after a hand change, with an emptied cache, `new`, `fmt --check`;
    with `tree`, of that source tree of sanzhua (the rows' names say which)."""
    limit = 0.5 if size <= 5000 else 2.0
    tag = f" [{tree.name}]" if tree is not None else ""
    progress_args = ("--note", "bench", "--date", AS_OF)
    out: list[tuple[Case, str, float | None, float | None]] = []

    root, path, task_id, env = edit_copy(size, "warm" + (f"-{tree.name}" if tree else ""), tree)
    warm = Case(f"progress, warm, {size}-task file{tag}", bench.sanzhua("progress", task_id, *progress_args),
                cwd=root, env=env)

    def fill_once(b: Bench, case: Case) -> None:
        if not case.runs:  # the first edit fills the cache (untimed); the timed ones follow it
            measure(case.argv, case.cwd or DATA, {**b.env, **(case.env or {})}, keep_stdout=False)

    warm.before = fill_once
    out.append((warm, f"<= {limit:g} s CPU", None, limit))

    checked = state_case(bench, size, tree, "progress", bench.sanzhua("progress", task_id, *progress_args), "checked")
    checked.name = f"progress, first edit after check, {size}-task file{tag}"
    out.append((checked, f"<= {limit:g} s CPU", None, limit))

    root, path, task_id, env = edit_copy(size, "hand" + (f"-{tree.name}" if tree else ""), tree)
    pristine = path.read_bytes()
    hand = Case(f"progress, first edit after a hand change, {size}-task file{tag}",
                bench.sanzhua("progress", task_id, *progress_args), cwd=root, env=env)

    def hand_change(b: Bench, case: Case, path: Path = path, pristine: bytes = pristine) -> None:
        # the cache holds the file as the last command left it; then someone edits it by hand
        path.write_bytes(pristine)
        measure(case.argv, case.cwd or DATA, {**b.env, **(case.env or {})}, keep_stdout=False)
        with path.open("ab") as f:
            f.write(f"# bench: edited by hand {len(case.runs)}\n".encode())

    hand.before = hand_change
    out.append((hand, f"<= {limit:g} s CPU", None, limit))

    root, path, task_id, env = edit_copy(size, "cold" + (f"-{tree.name}" if tree else ""), tree)
    cold = Case(f"progress, cold cache, {size}-task file{tag}", bench.sanzhua("progress", task_id, *progress_args),
                cwd=root, env=env, restore=path)

    def empty_cache(b: Bench, case: Case, cache: str = env["SANZHUA_CACHE_DIR"]) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    cold.before = empty_cache
    out.append((cold, "", None, None))

    root, path, task_id, env = edit_copy(size, "new" + (f"-{tree.name}" if tree else ""), tree)
    new = Case(f"new, {size}-task file{tag}", bench.sanzhua("new", "--unit", "U0001", "--title", "bench 新任务",
                                                       "--due", "2026-12-31"),
               cwd=root, env=env, restore=path)
    new.before = fill_once
    out.append((new, "", None, None))

    root, path, task_id, env = edit_copy(size, "fmt" + (f"-{tree.name}" if tree else ""), tree)
    out.append((Case(f"fmt --check, {size}-task file{tag}", bench.sanzhua("fmt", "--check"), cwd=root, env=env,
                     keep_stdout=False, ok=(0, 1)), "", None, None))
    return out + command_cases(bench, size, tree)


def writing_and_interchange(bench: Bench, root: Path, base: Row,
                            args: argparse.Namespace) -> dict[str, Any]:
    """Issue 14.8 and 17: an edit and fmt --check of one big file; ratios to the main
    ledger's baseline, CPU seconds too."""
    out_dir = Path(tempfile.mkdtemp(prefix="sanzhua-bench-"))
    # perf-edit: the 60,000-task file is part of every run (issue 17's table has it), unless
    # --skip-big-edit
    sizes = [args.edit_tasks] + ([] if args.skip_big_edit else [args.edit_big])
    # export -f xlsx and calendar: in reports_and_site (below), with score and the site
    cases: list[tuple[Case, str, float | None, float | None]] = []
    trees: list[Path | None] = [Path(t).resolve() for t in args.trees] if args.trees else [None]
    wanted = {w.strip() for w in args.edit_rows.split(",") if w.strip()}
    for size in sizes:
        for tree in trees:
            cases += [c for c in edit_cases(bench, size, tree) if not wanted or _row_kind(c[0].name) in wanted]
    try:
        bench.rounds(root, [c for c, _, _, _ in cases])
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    rows: list[Row] = []
    cells: list[list[str]] = []
    for case, target, ratio_limit, seconds_limit in cases:
        row = bench.row(case)
        judge(row, base, ratio_limit)
        row.target = target
        if seconds_limit is not None:  # perf-edit: CPU seconds, and under 2 GB
            row.passed = row.failed is None and row.cpu <= seconds_limit and row.peak_mb < 2048
        rows.append(row)
        cells.append([row.name, f"{row.seconds:.2f}", f"{row.ratio:.2f}" if row.ratio else "",
                      f"{row.cpu:.2f}", f"{row.cpu_ratio:.2f}" if row.cpu_ratio else "",
                      f"{row.peak_mb:.0f}", row.target, verdict(row.passed, row.failed)])
    print(f"\n== writing and interchange, best of {bench.repeat} (ratios to the baseline above; "
          f"baseline CPU {base.cpu:.2f} s)\n")
    print_table(["command", "seconds", "x baseline", "cpu s", "x base cpu", "peak MB", "target",
                 "result"], cells)
    print("each edit row has a copy of the ledger and a parse cache of its own (bench/data/fN-*); "
          "warm: edits one after the other, the first untimed; after a hand change: a comment "
          "appended to the file before each run; cold: the cache emptied before each run")
    return {"rows": [asdict(r) for r in rows]}


# --- perf-report (issue 17's reports, issue 19's site) ---------------------------------
#
# score, export -f xlsx, calendar and the site, each with the parse cache cleared first,
# as ratios to the main ledger's baseline, with CPU seconds and peak memory; status and
# brief with the cache filled (one file changed); then, with the big ledgers, the same
# reports of the 100,000-task ledger (one run each: time and memory only, < 1,500 MB).

REPORT_PEAK_MB = {"score --format json": 400.0}  # issue 17: score's peak under 400 MB


def report_cases(bench: Bench, out_dir: Path, *, site: bool) -> list[tuple[Case, float | None]]:
    """The report commands and their targets (x baseline); `site`: site --no-archive too
    (the main table has it for the main ledger)."""
    cases: list[tuple[Case, float | None]] = [
        (Case("score --format json", bench.sanzhua("score", "--as-of", AS_OF, "--format", "json"),
              cold=True, keep_stdout=False), 1.5),
        (Case("export -f xlsx", bench.sanzhua("export", "-f", "xlsx", "--as-of", AS_OF,
                                                "-o", str(out_dir / "x.xlsx")), cold=True), 3.0),
        (Case("calendar", bench.sanzhua("calendar", "--as-of", AS_OF, "-o", str(out_dir / "c.ics")),
              cold=True), None),
    ]
    if site:
        cases.append((Case("site --no-archive", bench.sanzhua("site", "--as-of", AS_OF, "--no-archive",
                                                              "-o", str(out_dir / "site")),
                           cold=True, keep_stdout=False), 3.0))
    return cases


def archive_case(bench: Bench, out_dir: Path) -> Case:
    """The whole site, as `sanzhua site` makes it by default: with the archive of bulletins
    (at 20,000 tasks its last 5 weeks, site/archive.ARCHIVE_TASK_WEEKS). One run, and only
    for the main ledger; judged against the baseline of the same run (target 3 x)."""
    return Case("site (with the archive), 1 run", bench.sanzhua("site", "--as-of", AS_OF,
                                                                "-o", str(out_dir / "site-archive")),
                cold=True, keep_stdout=False)


# --- p-site (issue 19.5): the archive at half the tasks, to see it grow linearly ---


def archive_half_case(bench: Bench, out_dir: Path, tasks: int) -> Case:
    """The site with its archive for a ledger of half the tasks (its own generated root)."""
    return Case(f"site (with the archive), {tasks} tasks, 1 run",
                bench.sanzhua("site", "--as-of", AS_OF, "-o", str(out_dir / "site-archive-half")),
                cold=True, keep_stdout=False, cwd=ledger(tasks))


def archive_growth(full: Row, half: Row, tasks: int) -> dict[str, Any]:
    """CPU seconds per 1000 tasks of the archive at N and N/2: linear when the first is at
    most 1.25 x the second (the archive is weeks x tasks; Python's start-up is hidden)."""
    per_full, per_half = full.cpu / (tasks / 1000), half.cpu / (tasks // 2 / 1000)
    linear = per_full <= 1.25 * per_half
    print(f"archive: {per_full:.2f} CPU s / 1000 tasks at {tasks}, {per_half:.2f} at {tasks // 2} "
          f"(linear: at most 1.25 x) {verdict(linear)}")
    return {"cpu_per_1000_full": per_full, "cpu_per_1000_half": per_half, "linear": linear}

# --- end p-site ---


def reports_and_site(bench: Bench, root: Path, base: Row, args: argparse.Namespace) -> dict[str, Any]:
    out_dir = Path(tempfile.mkdtemp(prefix="sanzhua-bench-reports-"))
    results: dict[str, Any] = {}
    try:
        cases = [
            *report_cases(bench, out_dir, site=False),
            (Case("status --format json (warm)",
                  bench.sanzhua("status", "--as-of", AS_OF, "--format", "json"),
                  warm=True, keep_stdout=False), 0.3),
            (Case("brief --week (warm)", bench.sanzhua("brief", "--week", "--as-of", AS_OF),
                  warm=True, keep_stdout=False), 0.4),
        ]
        bench.rounds(root, [c for c, _ in cases])
        if not args.skip_archive:
            archive = archive_case(bench, out_dir)
            bench.rounds(root, [archive], times=1)
            cases.append((archive, 3.0))  # issue 19.5: the whole site, as a user runs it, <= 3 x
            half = archive_half_case(bench, out_dir, args.tasks // 2)
            bench.rounds(root, [half], times=1)
            cases.append((half, None))
        clear_cache(root)
        rows: list[Row] = []
        cells: list[list[str]] = []
        for case, limit in cases:
            row = bench.row(case)
            judge(row, base, limit)
            cap = REPORT_PEAK_MB.get(case.name)
            if cap is not None:
                row.target += f", <= {cap:g} MB"
                row.passed = bool(row.passed) and row.peak_mb <= cap
            rows.append(row)
            cells.append(_report_cells(row))
        print(f"\n== reports and the site, {args.tasks} tasks, best of {bench.repeat} (ratios to "
              f"the baseline above; baseline CPU {base.cpu:.2f} s)\n")
        print_table(REPORT_HEADERS, cells)
        print("cold: the parse cache cleared first; warm: filled, then one ledger file changed")
        results["rows"] = [asdict(r) for r in rows]
        if not args.skip_archive:
            results["archive_growth"] = archive_growth(rows[-2], rows[-1], args.tasks)

        if not args.skip_big:
            broot = ledger(args.big)
            big_dir = out_dir / "big"
            big_dir.mkdir()
            bcases = [(bench.baseline_case(), None), *report_cases(bench, big_dir, site=True)]
            bench.rounds(broot, [c for c, _ in bcases], times=1)
            clear_cache(broot)
            bbase = bench.row(bcases[0][0])
            brows: list[Row] = [bbase]
            bcells = [_report_cells(bbase)]
            for case, _ in bcases[1:]:
                row = bench.row(case)
                judge(row, bbase, None)
                row.target = "< 1500 MB"
                row.passed = row.failed is None and row.peak_mb < 1500
                brows.append(row)
                bcells.append(_report_cells(row))
            print(f"\n== reports and the site, {args.big} tasks, one run each (time and memory)\n")
            print_table(REPORT_HEADERS, bcells)
            results["big"] = {"tasks": args.big, "rows": [asdict(r) for r in brows]}
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    return results


REPORT_HEADERS = ["command", "seconds", "x baseline", "cpu s", "x base cpu", "peak MB", "target",
                  "result"]


def _report_cells(row: Row) -> list[str]:
    return [row.name, f"{row.seconds:.2f}", f"{row.ratio:.2f}" if row.ratio else "",
            f"{row.cpu:.2f}", f"{row.cpu_ratio:.2f}" if row.cpu_ratio else "",
            f"{row.peak_mb:.0f}", row.target, verdict(row.passed, row.failed)]

# --- end perf-report --------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="sanzhua benchmarks (make bench)")
    parser.add_argument("--tasks", type=int, default=20000, help="tasks in the main ledger")
    parser.add_argument("--big", type=int, default=100000,
                        help="tasks in the big ledger (also measured at half that size)")
    parser.add_argument("--skip-big", action="store_true", help="skip the big ledgers")
    parser.add_argument("--edit-tasks", type=int, default=5000,
                        help="tasks in the one file that edits and fmt are timed on")
    parser.add_argument("--edit-big", type=int, default=60000,
                        help="tasks in the big one-file ledger an edit is timed on (with --big)")
    parser.add_argument("--edits-only", action="store_true",
                        help="only the baseline and the edit, new and fmt rows (perf-edit)")
    parser.add_argument("--trees", nargs="*", default=[],
                        help="source trees of sanzhua (each holding src/sanzhua) whose edit rows are "
                             "measured side by side, e.g. the commit before a change and after it")
    parser.add_argument("--edit-rows", default="",
                        help="only these edit rows, comma-separated: warm, checked, hand, cold, new, fmt, "
                             "done, extend, new3 (default: all)")
    parser.add_argument("--skip-big-edit", action="store_true",
                        help="skip the --edit-big one-file ledger (generated once, about 40 MB)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (best wins)")
    parser.add_argument("--skip-archive", action="store_true",
                        help="skip the site with every week's bulletin (minutes at 20,000 tasks)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.tasks < TASKS_PER_UNIT:
        parser.error(f"--repeat must be >= 1 and --tasks >= {TASKS_PER_UNIT}")

    import yaml  # the runner needs PyYAML only for the version line

    bench = Bench(sys.executable, child_env(), args.repeat)
    compile_bytecode(bench)
    machine = {
        "python": platform.python_version(),
        "pyyaml": yaml.__version__,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
    }
    print(f"sanzhua bench: Python {machine['python']}, PyYAML {machine['pyyaml']} "
          f"(libyaml: {machine['libyaml']}), {machine['cpus']} CPUs, {machine['platform']}")
    results: dict[str, Any] = {"as_of": AS_OF, "repeat": args.repeat, "machine": machine}

    # -- the main ledger
    root = ledger(args.tasks)
    if args.edits_only:  # perf-edit: the baseline, for the ratios, and the edit rows
        baseline = bench.baseline_case()
        bench.rounds(root, [baseline])
        base = bench.row(baseline)
        results["writing"] = writing_and_interchange(bench, root, base, args)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        return 1 if bench.failures else 0
    stats = folder_stats(root)
    print(f"\n== {args.tasks} tasks in {stats['files']} files ({stats['megabytes']} MB of YAML), "
          f"best of {args.repeat}, as of {AS_OF}\n", flush=True)
    no_cache = bench.accepts_no_cache(root)
    summary = bench.check_summary(root)
    cold = ["--no-cache"] if no_cache else []
    baseline = bench.baseline_case()
    cases: list[tuple[Case, float | None]] = [
        (baseline, None),
        (Case("check (cold)", bench.sanzhua("check", "--as-of", AS_OF, *cold), cold=True), 1.0),
        (Case("status --format json",
              bench.sanzhua("status", "--as-of", AS_OF, "--format", "json"),
              cold=True, keep_stdout=False), 1.5),
        (Case("brief --week", bench.sanzhua("brief", "--week", "--as-of", AS_OF),
              cold=True, keep_stdout=False), 1.5),
        (Case("check (warm, 1 file changed)", bench.sanzhua("check", "--as-of", AS_OF),
              warm=True), 0.1),
        # The bulletin archive re-assembles every week's bulletin (47 here): measured apart.
        (Case("site --no-archive",
              bench.sanzhua("site", "--as-of", AS_OF, "--no-archive", "-o", str(site_dir(args.tasks))),
              cold=True, keep_stdout=False), 3.0),
    ]
    bench.rounds(root, [c for c, _ in cases])
    clear_cache(root)
    inner = bench.loading_seconds(baseline)
    rows = [(bench.row(c), limit) for c, limit in cases]
    base = rows[0][0]
    for row, limit in rows:
        judge(row, base, limit)

    print_table(
        ["command", "seconds", "x baseline", "peak MB", "x base mem", "target", "result"],
        [[r.name, f"{r.seconds:.2f}", f"{r.ratio:.2f}" if r.ratio is not None else "",
          f"{r.peak_mb:.0f}", f"{r.mem_ratio:.2f}" if r.mem_ratio is not None else "",
          r.target, verdict(r.passed, r.failed)] for r, _ in rows],
    )
    print(f"\nbaseline = a fresh Python reading every ledger file and yaml.load(text, "
          f"Loader=CSafeLoader); {inner:.2f} s of it is the loading itself.")
    print(f"cold runs clear the parse cache first{' and pass --no-cache' if no_cache else ''}; "
          "peak MB is the whole process tree (PSS, sampled) or ru_maxrss, whichever is larger.")
    if summary is not None:
        print(f"check saw: {json.dumps(summary, ensure_ascii=False)}")
    sizes_of_site = site_sizes(args.tasks)
    if sizes_of_site:
        small = sizes_of_site["index_kb"] < 1024
        print(f"site: index.html {sizes_of_site['index_kb']} KB (target < 1024 KB) {verdict(small)}; "
              f"tasks.js {sizes_of_site['tasks_js_kb']} KB; {sizes_of_site['files']} files, "
              f"{sizes_of_site['megabytes']} MB")
        results["site"] = {**sizes_of_site, "index_under_1mb": small}
    results["main"] = {"tasks": args.tasks, **stats, "no_cache_flag": no_cache,
                       "baseline_inner_seconds": round(inner, 3), "check_summary": summary,
                       "rows": [asdict(r) for r, _ in rows]}

    results["writing"] = writing_and_interchange(bench, root, base, args)
    results["reports"] = reports_and_site(bench, root, base, args)  # perf-report

    # -- the big ledgers: does time grow linearly, does memory stay under 1.5 GB?
    if not args.skip_big:
        big_rows: list[dict[str, Any]] = []
        cells: list[list[str]] = []
        sizes = [args.big // 2, args.big]
        per_1000: dict[int, float] = {}
        main_check = rows[1][0]
        if main_check.failed is None:
            per_1000[args.tasks] = main_check.seconds / args.tasks * 1000
        # Both sizes are measured in alternation, round after round, so that the machine
        # getting busier or quieter in between does not pass for growth.
        broots = {size: ledger(size) for size in sizes}
        bcases = {size: [bench.baseline_case(),
                         Case(f"check (cold), {size} tasks",
                              bench.sanzhua("check", "--as-of", AS_OF, *cold), cold=True)]
                  for size in sizes}
        for size in sizes:
            bstats = folder_stats(broots[size])
            print(f"\n.. {size} tasks in {bstats['files']} files ({bstats['megabytes']} MB)",
                  file=sys.stderr, flush=True)
        for _ in range(args.repeat):
            for size in sizes:
                bench.rounds(broots[size], bcases[size], times=1)
        for size in sizes:
            broot = broots[size]
            bstats = folder_stats(broot)
            clear_cache(broot)
            bbase, bcheck = bench.row(bcases[size][0]), bench.row(bcases[size][1])
            judge(bcheck, bbase, None)
            if bcheck.failed is None:
                per_1000[size] = bcheck.seconds / size * 1000
            bcheck.target = "< 1500 MB" if size == args.big else ""
            bcheck.passed = (bcheck.failed is None and bcheck.peak_mb < 1500
                             if size == args.big else None)
            big_rows.append({"tasks": size, **bstats, "baseline": asdict(bbase),
                             "check": asdict(bcheck)})
            cells.append([f"{size}", f"{bbase.seconds:.2f}", f"{bcheck.seconds:.2f}",
                          f"{bcheck.ratio:.2f}" if bcheck.ratio is not None else "",
                          f"{per_1000.get(size, float('nan')):.3f}", f"{bbase.peak_mb:.0f}",
                          f"{bcheck.peak_mb:.0f}", bcheck.target,
                          verdict(bcheck.passed, bcheck.failed)])
        print(f"\n== check (cold) as the ledger grows, best of {args.repeat}\n")
        print_table(["tasks", "baseline s", "check s", "x baseline", "s / 1000 tasks",
                     "base MB", "check MB", "target", "result"], cells)
        linear: bool | None = None
        if per_1000:
            print("\ntime per 1000 tasks: " + ", ".join(
                f"{n}: {s:.3f} s" for n, s in sorted(per_1000.items())))
        if all(n in per_1000 for n in sizes) and per_1000[sizes[0]] > 0:
            # Between the two big sizes start-up time no longer flatters the per-task cost.
            growth = per_1000[sizes[1]] / per_1000[sizes[0]]
            linear = growth <= 1.25
            print(f"linearity: per-task time at {sizes[1]} is x{growth:.2f} that at {sizes[0]}"
                  f" (target <= 1.25) {verdict(linear)}")
        results["big"] = {"sizes": big_rows, "seconds_per_1000_tasks": per_1000,
                          "linear": linear}

    results["failures"] = bench.failures
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {RESULTS.relative_to(REPO)}")
    if bench.failures:
        print(f"{len(bench.failures)} command(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
