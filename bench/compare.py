"""Prove that an optimised sanzhua writes what an older one wrote (issue 17).

    .venv/bin/python bench/compare.py [--base main] [--tasks 2000] [--as-of 2026-11-25 ...]

Extracts `src/` of the base revision into a temporary folder and runs both versions,
each in a fresh process with a parse cache of its own, on the bundled ledger and on a
generated one (bench/generate.py), for several --as-of dates:

- `score --format json` (the year, and the quarter and week of the date),
- `status --format json --all`,
- `brief --week` (Markdown),
- `calendar -o -` (DTSTAMP, the time the file was made, left out),
- `export -f csv -o -`, and `export -f xlsx` compared cell by cell (value, type, number
  format, font, fill, border, alignment, widths, heights, merges, panes),
- `site --no-archive --no-history` and `site --no-history` (every file, byte for byte;
  the archive's Word files are not written).

Prints one line per comparison and exits 1 if any output differs (or a command failed
in one version and not in the other).
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
from generate import generate  # noqa: E402

DATES = ["2026-03-15", "2026-06-30", "2026-11-25", "2027-01-10"]


def extract(rev: str, into: Path) -> Path:
    """src/ (and templates/, which it reads) of `rev`, extracted into `into`."""
    archive = subprocess.run(["git", "archive", rev, "src", "templates"], cwd=REPO, check=True,
                             capture_output=True).stdout
    with tempfile.TemporaryFile() as f:
        f.write(archive)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(into, filter="data")
    return into / "src"


class Side:
    def __init__(self, name: str, src: Path, cache: Path) -> None:
        self.name, self.src, self.cache = name, src, cache

    def run(self, root: Path, *args: str) -> tuple[int, bytes]:
        env = dict(os.environ)
        env.update({"PYTHONPATH": str(self.src), "XDG_CACHE_HOME": str(self.cache),
                    "NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "120"})
        env.pop("SANZHUA_CACHE_DIR", None)
        p = subprocess.run([sys.executable, "-m", "sanzhua", *args], cwd=root, env=env,
                           capture_output=True, stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout


def _no_stamp(data: bytes) -> bytes:
    return b"\r\n".join(line for line in data.split(b"\r\n") if not line.startswith(b"DTSTAMP:"))


def _cells(path: Path) -> object:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out: list[object] = []
    for ws in wb.worksheets:
        out.append((ws.title, ws.freeze_panes, ws.auto_filter.ref, ws.print_title_rows,
                    ws.print_area, sorted(map(str, ws.merged_cells.ranges)),
                    {k: d.width for k, d in ws.column_dimensions.items()},
                    {k: d.height for k, d in ws.row_dimensions.items()}))
        for row in ws.iter_rows():
            out.append([(c.value, c.data_type, c.number_format, repr(c.font), repr(c.fill),
                         repr(c.border), repr(c.alignment)) for c in row])
    return out


def _same_tree(a: Path, b: Path) -> str:
    """'' when the two folders hold the same files with the same bytes, else the first
    difference."""
    fa = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    fb = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if fa != fb:
        only = sorted(set(map(str, fa)) ^ set(map(str, fb)))
        return f"files differ: {only[:5]}"
    for rel in fa:
        if not filecmp.cmp(a / rel, b / rel, shallow=False):
            return f"{rel} differs"
    return ""


COMMANDS: list[tuple[str, list[str], Callable[[bytes], bytes] | None]] = [
    ("score json (year)", ["score", "--format", "json"], None),
    ("score json (quarter)", ["score", "--format", "json", "--quarter"], None),
    ("score json (month)", ["score", "--format", "json", "--month"], None),
    ("score --explain (a unit)", ["score", "--format", "json", "--explain", "{unit}"], None),
    ("status json --all", ["status", "--format", "json", "--all"], None),
    ("brief --week", ["brief", "--week"], None),
    ("calendar", ["calendar", "-o", "-"], _no_stamp),
    ("export csv", ["export", "-f", "csv", "-o", "-"], None),
    ("export xlsx", ["export", "-f", "xlsx"], None),  # compared cell by cell
]


def run_check(side: Side, root: Path, day: str, argv: list[str],
              post: Callable[[bytes], bytes] | None, work: Path) -> object:
    if argv[:3] == ["export", "-f", "xlsx"]:
        path = work / f"{side.name.replace('/', '_')}.xlsx"
        code, _ = side.run(root, *argv, "-o", str(path), "--as-of", day)
        return code, _cells(path) if code == 0 else None
    unit = "chengguan" if b"chengguan" in (root / "units.yaml").read_bytes() else "u0001"
    code, data = side.run(root, *(a.replace("{unit}", unit) for a in argv), "--as-of", day)
    return code, post(data) if post is not None else data


def report(ok: bool, diff: str, label: str, day: str, what: str, failures: list[str]) -> None:
    print(f"{'same' if ok else 'DIFFERENT':9} {label}, --as-of {day}: {what}"
          f"{': ' + diff if diff else ''}", flush=True)
    if not ok:
        failures.append(f"{label} {day} {what}{': ' + diff if diff else ''}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="main", help="the revision to compare with (default main)")
    ap.add_argument("--tasks", type=int, default=2000, help="tasks in the generated ledger")
    ap.add_argument("--as-of", action="append", dest="dates", help="dates (default: four)")
    ap.add_argument("--no-site", action="store_true", help="skip the site (the slowest)")
    args = ap.parse_args(argv)
    dates = args.dates or DATES
    work = Path(tempfile.mkdtemp(prefix="sanzhua-compare-"))
    failures: list[str] = []
    try:
        base = Side(args.base, extract(args.base, work / "base"), work / "cache-base")
        this = Side("this", REPO / "src", work / "cache-this")
        gen = work / "generated"
        generate(gen, max(1, args.tasks // 20), 20, 11)
        bundled = work / "bundled"
        bundled.mkdir()
        for name in ("sanzhua.yaml", "units.yaml"):
            shutil.copy(REPO / name, bundled / name)
        shutil.copytree(REPO / "ledgers", bundled / "ledgers")
        for label, root in (("bundled", bundled), (f"generated {args.tasks}", gen)):
            for day in dates:
                for check_name, argv, post in COMMANDS:
                    a, b = (run_check(side, root, day, argv, post, work) for side in (base, this))
                    report(a == b, "", label, day, check_name, failures)
                if args.no_site:
                    continue
                for site_args in (["--no-archive"], []):
                    dirs, codes = [], []
                    for side in (base, this):
                        d = work / f"site-{side.name.replace('/', '_')}"
                        shutil.rmtree(d, ignore_errors=True)
                        code, _ = side.run(root, "site", "--no-history", *site_args, "-o", str(d),
                                           "--as-of", day)
                        dirs.append(d)
                        codes.append(code)
                    diff = "" if codes[0] == codes[1] else f"exit {codes[0]} vs {codes[1]}"
                    diff = diff or _same_tree(dirs[0], dirs[1])
                    what = "site " + " ".join(site_args or ["(with archive)"])
                    report(not diff, diff, label, day, what, failures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failures:
        print(f"\n{len(failures)} output(s) differ from {args.base}", file=sys.stderr)
        return 1
    print(f"\nevery output is the same as {args.base}'s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
