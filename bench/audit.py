"""`sanzhua audit` over a long history, against `git log -p` over the same history.

    python bench/audit.py [--commits 2000] [--units 30] [--tasks-per-unit 20] [--repeat 3] [--keep DIR]

Builds a ledger repository in a temporary folder with `git fast-import` (so building
is quick and the history is exact): a baseline commit by a supervisor, then
`--commits` commits by the units' clerks and the supervisors — progress entries
appended, milestones and tasks done, extensions recorded, files renamed to
Chinese names, a branch merged every 50 commits — and a handful of abuses.
Then it times, in the same run, each best of `--repeat`:

- `git log -p` over the whole history, output discarded (the yardstick);
- `sanzhua audit --format json` in a fresh Python process, output kept.

It prints both, the ratio, and the findings the audit reported by code
(the planted abuses must all be there). Exit 0 when the audit ran.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SUP = "ducha@example.gov.cn"


def clerk(unit: int) -> str:
    return f"clerk{unit:02d}@example.gov.cn"


def file_text(unit: int, tasks: list[dict[str, object]]) -> str:
    out = [f"unit: u{unit:02d}", "tasks:"]
    for t in tasks:
        out += [f"  - id: {t['id']}", f"    title: {t['title']}", f"    owner: 张某{unit}", f"    due: {t['due']}"]
        if t.get("done"):
            out.append(f"    done: {t['done']}")
        out.append("    milestones:")
        for name, due, done in t["milestones"]:  # type: ignore[attr-defined]
            extra = f", done: {done}" if done else ""
            out.append(f"      - {{name: {name}, due: {due}{extra}}}")
        out.append(f"    target: {{metric: 完成投资, value: {t['target']}, unit: 万元}}")
        if t["extensions"]:
            out.append("    extensions:")
            for frm, to in t["extensions"]:  # type: ignore[attr-defined]
                out.append(f"      - {{from: {frm}, to: {to}, approved_by: 县政府, ref: 政文〔2026〕{len(to)}号}}")
        out.append("    progress:")
        for d, v, note in t["progress"]:  # type: ignore[attr-defined]
            out.append(f"      - {{date: {d}, value: {v}, note: {note}}}")
    return "\n".join(out) + "\n"


class Builder:
    """Writes a `git fast-import` stream: commits with inline file contents."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.mark = 0

    def commit(
        self,
        branch: str,
        who: str,
        when: date,
        message: str,
        files: Mapping[str, str | None],
        parent: int | None = None,
        merge: int | None = None,
    ) -> int:
        self.mark += 1
        stamp = int(time.mktime(when.timetuple())) + 36000
        msg = message.encode()
        head = [
            f"commit refs/heads/{branch}",
            f"mark :{self.mark}",
            f"author {who.split('@')[0]} <{who}> {stamp} +0800",
            f"committer {who.split('@')[0]} <{who}> {stamp} +0800",
            f"data {len(msg)}",
        ]
        self.chunks.append(("\n".join(head) + "\n").encode() + msg + b"\n")
        if parent is not None:
            self.chunks.append(f"from :{parent}\n".encode())
        if merge is not None:
            self.chunks.append(f"merge :{merge}\n".encode())
        for path, content in files.items():
            if content is None:
                self.chunks.append(f'D "{path}"\n'.encode())
            else:
                data = content.encode()
                self.chunks.append(f'M 100644 inline "{path}"\ndata {len(data)}\n'.encode() + data + b"\n")
        self.chunks.append(b"\n")
        return self.mark


def build(where: Path, commits: int, units: int, per_unit: int, seed: int = 1) -> dict[str, int]:
    """The repository; returns the abuses planted, by code."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(where)], check=True)
    settings = f"name: 基准县\nyear: 2026\nsupervisors: [{SUP}]\nreport_every: none\n"
    unit_lines = ["units:"] + [f"  - {{id: u{u:02d}, name: 单位{u}, editors: [{clerk(u)}]}}" for u in range(units)]
    ledgers: dict[int, list[dict[str, object]]] = {}
    paths: dict[int, str] = {}
    for u in range(units):
        ledgers[u] = [
            {
                "id": f"T{u:02d}-{i:03d}",
                "title": f"第{u}单位重点项目{i}",
                "due": f"2026-{rng.randint(6, 12):02d}-28",
                "milestones": [("完成可研批复", "2026-04-30", None), ("开工建设", "2026-05-31", None)],
                "target": rng.randint(1000, 90000),
                "extensions": [],
                "progress": [("2026-01-10", 0, "启动")],
            }
            for i in range(per_unit)
        ]
        paths[u] = f"ledgers/u{u:02d}.yaml"
    b = Builder()
    files: dict[str, str | None] = {"sanzhua.yaml": settings, "units.yaml": "\n".join(unit_lines) + "\n"}
    files.update({paths[u]: file_text(u, ledgers[u]) for u in range(units)})
    day = date(2026, 1, 15)
    main = b.commit("main", SUP, day, "建立台账", files)
    side: int | None = None
    side_unit = -1
    planted: dict[str, int] = {}
    abuses = [
        "deadline-moved",
        "progress-rewritten",
        "task-deleted",
        "unauthorized-edit",
        "backdated",
        "extension-unauthorized",
    ]
    abuse_at = {commits * (k + 1) // (len(abuses) + 1): code for k, code in enumerate(abuses)}
    for n in range(1, commits + 1):
        day += timedelta(days=1) if n % 10 == 0 else timedelta(0)
        u = rng.randrange(units)
        while u == side_unit:  # the side branch's file is left alone on main until the merge
            u = rng.randrange(units)
        on_side = n % 50 == 25 and abuse_at.get(n) is None
        tasks = ledgers[u]
        t = rng.choice(tasks)
        who = clerk(u)
        message = "报送进展"
        renamed: str | None = None
        code = abuse_at.get(n)
        if code == "deadline-moved":
            t["due"] = "2026-12-31" if t["due"] != "2026-12-31" else "2027-03-31"
            who, message = SUP, "调整时限"
        elif code == "progress-rewritten":
            p = t["progress"][0]  # type: ignore[index]
            t["progress"][0] = (p[0], p[1], "已改写")  # type: ignore[index]
        elif code == "task-deleted":
            tasks.remove(t)
        elif code == "unauthorized-edit":
            who = clerk((u + 1) % units)
            t["progress"].append((day.isoformat(), rng.randint(1, 100), "代报"))  # type: ignore[attr-defined]
        elif code == "backdated":
            t["done"] = (day - timedelta(days=40)).isoformat()
        elif code == "extension-unauthorized":
            t["target"] = int(t["target"]) // 2  # type: ignore[call-overload]
        else:
            r = rng.random()
            if r < 0.75:
                t["progress"].append(  # type: ignore[attr-defined]
                    (
                        (day - timedelta(days=rng.randint(0, 3))).isoformat(),
                        rng.randint(1, 100000),
                        f"第{n}次进展，按计划推进",
                    )
                )
            elif r < 0.85:
                ms = t["milestones"]
                if ms[0][2] is None:  # type: ignore[index]  # done once: a done date is not rewritten
                    ms[0] = (ms[0][0], ms[0][1], day.isoformat())  # type: ignore[index]
                    message = "节点完成"
                else:
                    t["progress"].append((day.isoformat(), rng.randint(1, 100000), "节点已完成，继续推进"))  # type: ignore[attr-defined]
            elif r < 0.95:
                old = str(t["due"])
                new = f"2027-{rng.randint(1, 6):02d}-30"
                t["extensions"].append((old, new))  # type: ignore[attr-defined]
                t["due"] = new
                who, message = SUP, "批准延期"
            elif not on_side and not paths[u].startswith("ledgers/单位"):
                renamed = paths[u]
                paths[u] = f"ledgers/单位/{u:02d}号单位.yaml"
                message = "文件改名"
        if code is not None:
            planted[code] = planted.get(code, 0) + 1
        change: dict[str, str | None] = {paths[u]: file_text(u, tasks)}
        if renamed:
            change[renamed] = None
        if on_side:  # a side branch off main, merged 25 commits later
            side = b.commit("side", who, day, message, change, parent=main)
            side_unit = u
            continue
        main = b.commit("main", who, day, message, change, parent=main)
        if side is not None and n % 50 == 0:
            merged = {paths[side_unit]: file_text(side_unit, ledgers[side_unit])}
            main = b.commit("main", SUP, day, "合并分支", merged, parent=main, merge=side)
            side, side_unit = None, -1
    stream = b"".join(b.chunks)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=where, input=stream, check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=where, check=True)
    return planted


def timed(cmd: list[str], cwd: Path, repeat: int, env: dict[str, str] | None = None) -> tuple[float, bytes]:
    best = float("inf")
    out = b""
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, env=env, check=False)
        best = min(best, time.perf_counter() - t0)
        if proc.returncode not in (0, 1):
            sys.stderr.write(proc.stderr.decode(errors="replace"))
            raise SystemExit(f"failed: {' '.join(cmd)}")
        out = proc.stdout
    return best, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--commits", type=int, default=2000)
    ap.add_argument("--units", type=int, default=30)
    ap.add_argument("--tasks-per-unit", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="build the repository here and keep it")
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="sanzhua-audit-bench-"))
    where = args.keep or tmp / "ledger"
    try:
        if where.exists():
            shutil.rmtree(where)
        t0 = time.perf_counter()
        planted = build(where, args.commits, args.units, args.tasks_per_unit)
        built = time.perf_counter() - t0
        count = subprocess.run(
            ["git", "rev-list", "--count", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        env = dict(os.environ)
        env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
        git_s, _ = timed(["git", "log", "-p", "--no-color"], where, args.repeat)
        audit_s, out = timed([sys.executable, "-m", "sanzhua", "audit", "--format", "json"], where, args.repeat, env)
        summary = json.loads(out)["summary"]
        print(f"history: {count} commits, {args.units} units x {args.tasks_per_unit} tasks (built in {built:.1f} s)")
        print(f"git log -p          {git_s:8.2f} s   1.00")
        print(f"sanzhua audit       {audit_s:8.2f} s   {audit_s / git_s:5.2f} x git log -p")
        print(f"planted abuses:     {dict(sorted(planted.items()))}")
        print(f"findings by code:   {summary['codes']}")
        missed = [c for c in planted if c not in summary["codes"]]
        if missed:
            print(f"MISSED: {missed}")
            return 1
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
