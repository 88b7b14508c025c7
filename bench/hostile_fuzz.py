# ruff: noqa: E501  (the tokens and command lines are written one per line)
"""Mutation fuzzing of the bundled ledger and of the workbooks sanzhua writes (issue 14).

    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_fuzz.py ledger [--seed S] [--rounds N] [--ops K]
    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_fuzz.py workbook [--seed S] [--rounds N]

`ledger`: each round copies the repository's own ledger (sanzhua.yaml, units.yaml, ledgers/,
templates/) into a git repository, mutates one or two of its files at random (YAML tokens
inserted, stretches cut, lines doubled, dropped or re-indented, values replaced: up to K
operations), and runs 16 reports on it (every tenth round `site` too). `workbook`: each
round takes one of the 填报表 (`form --each-unit`), the export (xlsx and CSV) or a CSV saved
from a form, mutates it (cells through openpyxl, or the XML parts raw, or the CSV's text in
UTF-8, GBK or UTF-16) and runs `collect` and `import` on it (in a clean work tree).

Every run is a forked child of one process that imported sanzhua once (a fresh interpreter
would cost more than the command). A run is flagged on an exit outside 0/1/2, a traceback, an
internal error, a control byte in a text output, or over 20 s. A flagged round's files are
kept and named; the exit code is 1 when anything was flagged.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

HERE = Path(__file__).resolve().parent.parent
A = ["--as-of", "2026-11-25"]
TOKENS = ["&a ", "*a", "!!str ", "!!binary ", "!x ", "? ", "- ", "{", "}", "[", "]", '"', "'", "|", ">", "#", "%YAML 1.2\n",
          "---\n", "...\n", "\t", "\x00", "\ufeff", "9" * 40, "2026-02-30", "null", "~", ".inf", ".nan", "0x1F", "1e999",
          "-", ": ", ",", "\n", "\n  ", "\n    - ", "\u2028", "\x85", "\r", "𠀀", "😀", "\x1b[31m", '=HYPERLINK("x")',
          "{{ 1/0 }}", "{% for x in range(10**9) %}", "<<: *a", "-1", "101", "2026-13-01", "true", "no", "2026-11-20",
          "percent: 50", "due: ", "id: ", "unit: ", "tasks:", "milestones:\n      - {name: x, due: 2026-12-01}",
          "progress:\n      - {date: 2026-11-20, percent: 30}", "status: done", "status: 暂缓", "weight: 5",
          "targets:\n      - {name: x, value: 10, unit: 个}", "partners: [jyj, xx]", "lead: xx", "\\ud800", '"\\ud800"',
          "''", "•", "　", "０", "ＦＧＷ-001", "FGW-001", "fgw", "\u202e"]
CELLS: list[object] = ["", " ", "abc", "120", "-5", "100", "50%", "0.5", "1e999", "NaN", "=1+1", '=HYPERLINK("x")', "2026-02-30",
                       "2026-11-20", "完成", "已完成", "是", "否", "x" * 40000, "\x01\x07", "😀𠀀", "\u202e", None, 45000, -1, 10**30,
                       3.5, True, "FGW-001", "FGW-999", "fgw", "2026/11/20", "11月20日", "本周", "暂缓", "\n\n", "'=1", "@x", "+1"]
XML = ["<", "&", "&amp;", "&#0;", "&#x1;", '<c r="A1" t="s"><v>99999</v></c>', "]]>", "<v>1e999</v>", 't="e"', 't="inlineStr"',
       'r="XFD1048576"', "<f>1/0</f>", '<row r="1048576"><c r="A1048576"><v>1</v></c></row>', '"', "'",
       '<!DOCTYPE x [<!ENTITY a "b">]>', '<mergeCell ref="A1:XFD1048576"/>', 's="99999"', "<v>-1</v>", "<v>2.5</v>", "x:",
       'xmlns:x="y"', "\x00", "\ufeff"]
CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]")


def mutate_text(text: str, rnd: random.Random, ops: int) -> str:
    for _ in range(rnd.randint(1, ops)):
        op = rnd.random()
        lines = text.split("\n")
        if op < 0.35 and text:
            i = rnd.randrange(len(text) + 1)
            text = text[:i] + rnd.choice(TOKENS) + text[i:]
        elif op < 0.5 and text:
            i = rnd.randrange(len(text))
            text = text[:i] + text[i + rnd.randint(1, 20) :]
        elif op < 0.65 and len(lines) > 2:
            lines.insert(rnd.randrange(len(lines)), lines[rnd.randrange(len(lines))])
            text = "\n".join(lines)
        elif op < 0.75 and len(lines) > 2:
            del lines[rnd.randrange(len(lines))]
            text = "\n".join(lines)
        elif op < 0.85 and len(lines) > 2:
            i = rnd.randrange(len(lines))
            lines[i] = " " * rnd.randint(0, 3) + lines[i].lstrip()
            text = "\n".join(lines)
        elif found := list(re.finditer(r": ([^\n,{}\[\]]+)", text)):
            x = rnd.choice(found)
            text = text[: x.start(1)] + rnd.choice(TOKENS) + text[x.end(1) :]
    return text


def mutate_cells(path: Path, rnd: random.Random) -> None:
    import openpyxl  # lazy: the workbook mode only

    try:
        wb = openpyxl.load_workbook(path)
    except Exception:  # a part broken by an earlier raw mutation: left as it is
        return
    for _ in range(rnd.randint(1, 6)):
        ws = rnd.choice(wb.worksheets)
        with contextlib.suppress(Exception):
            ws.cell(rnd.randint(1, ws.max_row + 2), rnd.randint(1, ws.max_column + 1)).value = rnd.choice(CELLS)
    if rnd.random() < 0.1:
        wb.worksheets[0].insert_rows(rnd.randint(1, 5))
    if rnd.random() < 0.1:
        wb.worksheets[0].delete_cols(rnd.randint(1, 6))
    if rnd.random() < 0.05:
        wb.create_sheet("另一张")
    with contextlib.suppress(Exception):
        wb.save(path)


def mutate_parts(path: Path, rnd: random.Random) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    for _ in range(rnd.randint(1, 3)):
        name = rnd.choice([n for n in parts if n.endswith((".xml", ".rels"))])
        text = parts[name].decode("utf-8", "replace")
        op = rnd.random()
        if op < 0.5 and text:
            i = rnd.randrange(len(text))
            text = text[:i] + rnd.choice(XML) + text[i:]
        elif op < 0.8 and text:
            i = rnd.randrange(len(text))
            text = text[:i] + text[i + rnd.randint(1, 30) :]
        elif found := list(re.finditer(r"<v>([^<]*)</v>", text)):
            x = rnd.choice(found)
            text = text[: x.start(1)] + rnd.choice(["-1", "1e308", "abc", "99999999", "", "0.1"]) + text[x.end(1) :]
        parts[name] = text.encode("utf-8", "surrogatepass")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)


def run(argv: list[str], cwd: Path, timeout: float = 60.0) -> tuple[int | None, bytes, bytes, float]:
    """`sanzhua argv` in a forked child: (exit code or None on timeout, stdout, stderr, wall)."""
    from sanzhua import cli

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        return _run(cli.main, argv, cwd, timeout, out, err)


def _run(main: Callable[[], None], argv: list[str], cwd: Path, timeout: float, out: IO[bytes], err: IO[bytes]
         ) -> tuple[int | None, bytes, bytes, float]:
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 97
        try:
            os.chdir(cwd)
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            sys.stdout, sys.stderr = open(1, "w", closefd=False), open(2, "w", closefd=False)  # noqa: SIM115
            sys.argv = ["sanzhua", *argv]
            try:
                main()
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 99)
            except BaseException:
                import traceback

                traceback.print_exc()
                code = 98
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)
    status: int | None = None
    while True:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        if time.monotonic() - t0 > timeout:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            break
        time.sleep(0.01)
    out.seek(0)
    err.seek(0)
    return (None if status is None else os.waitstatus_to_exitcode(status)), out.read(), err.read(), time.monotonic() - t0


def flags(rc: int | None, out: bytes, err: bytes, wall: float, argv: list[str]) -> list[str]:
    found = []
    both = out + err
    if rc not in (0, 1, 2):
        found.append(f"exit {rc}")
    if b"Traceback" in both:
        found.append("traceback")
    if "内部错误".encode() in both or b"internal error" in both:
        found.append("internal error")
    if not any(a.endswith((".docx", ".xlsx")) for a in argv) and CONTROL.search(both.replace(b"\r\n", b"\n")):
        found.append("control byte")
    if wall > 20:
        found.append(f"slow {wall:.0f}s")
    return found


def repository(work: Path) -> Path:
    """The bundled ledger, committed in a git repository of its own."""
    base = work / "base"
    base.mkdir()
    for name in ("sanzhua.yaml", "units.yaml", "ledgers", "templates"):
        src = HERE / name
        if src.is_dir():
            shutil.copytree(src, base / name)
        elif src.exists():
            shutil.copy(src, base / name)
    os.environ.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@x",
                      XDG_CACHE_HOME=str(work / "xdg"))
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=base, check=True, capture_output=True)
    return base


def reset(base: Path) -> None:
    subprocess.run(["git", "checkout", "-q", "."], cwd=base, check=True)
    subprocess.run(["git", "clean", "-fdqx"], cwd=base, check=True)


def ledger_round(k: int, rnd: random.Random, base: Path, work: Path, ops: int) -> list[list[str]]:
    files = [p.relative_to(base) for p in sorted([*base.rglob("*.yaml"), *base.rglob("*.j2")]) if ".git" not in p.parts]
    ids = sorted(set(re.findall(r"id: ([A-Z]+-\d+)", "".join((base / f).read_text(encoding="utf-8") for f in files))))
    for f in rnd.sample(files, rnd.randint(1, 2)):
        (base / f).write_text(mutate_text((base / f).read_text(encoding="utf-8"), rnd, ops), encoding="utf-8", errors="surrogatepass")
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    tid = rnd.choice(ids)
    cmds = [["check", *A], ["check", *A, "-f", "json"], ["status", *A, "--all", "-f", "json"], ["status", *A],
            ["show", tid, *A], ["brief", "--week", *A, "--allow-errors"], ["brief", "--month", *A],
            ["brief", "--week", *A, "-f", "docx", "-o", str(out / "b.docx"), "--allow-errors"],
            ["export", *A, "-o", str(out / "e.xlsx"), "--allow-errors"], ["score", *A, "--allow-errors"],
            ["calendar", *A, "-o", str(out / "c.ics")], ["form", "--each-unit", str(out / "f"), *A], ["fmt", "--check"],
            ["progress", tid, "--percent", "40", "--note", "x", "--dry-run"], ["status", *A, "--by", "unit", "--allow-errors"],
            ["remind", *A]]
    if k % 10 == 0:
        cmds.append(["site", *A, "-o", str(out / "site")])
    return cmds


def workbook_inputs(base: Path, work: Path) -> list[Path]:
    import openpyxl

    forms = work / "forms"
    forms.mkdir()
    run(["form", "--each-unit", str(forms), *A], base)
    run(["export", *A, "-o", str(work / "e.xlsx")], base)
    run(["export", *A, "-f", "csv", "-o", str(work / "e.csv")], base)
    made = sorted(forms.glob("*.xlsx"))
    for f in made[:3]:  # a form saved as CSV, as a clerk's spreadsheet program would
        ws = openpyxl.load_workbook(f).worksheets[0]
        with open(work / f"{f.stem}.csv", "w", newline="", encoding="utf-8-sig") as fh:
            csv.writer(fh).writerows(ws.iter_rows(values_only=True))
    return [*made, work / "e.xlsx", *sorted(work.glob("*.csv"))]


def workbook_round(rnd: random.Random, base: Path, work: Path, made: list[Path], ops: int) -> list[list[str]]:
    src = rnd.choice(made)
    t = work / f"t{src.suffix}"
    shutil.copy(src, t)
    if t.suffix == ".csv":
        text = mutate_text(src.read_bytes().decode("utf-8-sig"), rnd, ops)
        enc = rnd.choice(["utf-8-sig", "utf-8", "gbk", "utf-16"])
        t.write_bytes(text.encode(enc, "replace") if enc != "utf-8" else text.encode("utf-8", "surrogatepass"))
    else:
        for _ in range(1 + (rnd.random() < 0.4)):
            (mutate_cells if rnd.random() < 0.4 else mutate_parts)(t, rnd)
    units = re.findall(r"id: (\w+)", (base / "units.yaml").read_text(encoding="utf-8"))
    cmds = [["collect", str(t)], ["import", str(t), "--dry-run", "--unit", rnd.choice(units), "--date", "2026-11-25"]]
    if rnd.random() < 0.3:
        cmds.append(["collect", str(t), "--partial"])
    if rnd.random() < 0.2:
        cmds.append(["import", str(t), "--unit", rnd.choice(units), "--date", "2026-11-25"])
    return cmds


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["ledger", "workbook"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--ops", type=int, default=4)
    args = ap.parse_args()
    from sanzhua import cli  # noqa: F401  (imported once, before the children are forked)

    rnd = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix=f"hostile-fuzz-{args.mode}-{args.seed}-"))
    base = repository(work)
    made = workbook_inputs(base, work) if args.mode == "workbook" else []
    flagged = runs = 0
    for k in range(args.rounds):
        reset(base)
        cmds = (ledger_round(k, rnd, base, work, args.ops) if args.mode == "ledger"
                else workbook_round(rnd, base, work, made, args.ops))
        kept: Path | None = None
        for argv in cmds:
            rc, out, err, wall = run(argv, base)
            runs += 1
            found = flags(rc, out, err, wall, argv)
            if rc == 0 and argv[0] == "collect":  # what collect wrote still reads
                rc2, o2, e2, _ = run(["check", *A], base)
                if rc2 not in (0, 1) or b"Traceback" in o2 + e2:
                    found.append(f"check after collect: exit {rc2}")
            if found:
                flagged += 1
                if kept is None:
                    kept = work / f"flagged-{k}"
                    shutil.copytree(base, kept, ignore=shutil.ignore_patterns(".git"))
                    for t in work.glob("t.*"):
                        shutil.copy(t, kept)
                tail = (err or out).decode("utf-8", "replace").strip().splitlines()[-3:]
                print(f"[{k}] {' '.join(argv[:3])}: {', '.join(found)} | {' / '.join(tail)[:300]} -> {kept}", flush=True)
        if k % 50 == 0:
            print(f"-- round {k}: {runs} runs, {flagged} flagged", flush=True)
    print(f"== {args.rounds} rounds, {runs} runs, {flagged} flagged (work folder {work})")
    if not flagged:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if flagged else 0


if __name__ == "__main__":
    raise SystemExit(main())
