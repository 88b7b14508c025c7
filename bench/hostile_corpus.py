# ruff: noqa: E501  (the hostile files are written one per line)
"""A corpus of hostile ledger repositories run through every command (issue 14).

    PYTHONPATH=$PWD/src .venv/bin/python bench/hostile_corpus.py [--only NAME...] [--keep DIR]

Each case builds a real ledger repository (git, committed) in a temporary folder,
changes it in one hostile way, and runs every command on it with a 60 s timeout and a
2 GB address-space limit. A run is flagged when it prints a traceback or "internal
error", exits outside 0/1/2, writes a control byte to the terminal, prints the canary
text of a file outside the ledger, runs code (the canary command leaves a file), writes
outside the ledger and its output folder, or takes over 30 s. The flags are printed per
case; the exit code is 1 when anything was flagged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
CANARY = "CANARY-7f3a91-SECRET"
LIMIT_AS = 2 * 1024**3
TIMEOUT = 60.0

SETTINGS = """\
name: 测试县督查台账
office: 县政府督查室
year: 2026
lang: zh
"""
UNITS = """\
units:
  - {id: fgw, name: 县发改委, kind: 县直部门}
  - {id: jyj, name: 县教育局, kind: 县直部门}
"""
FGW = """\
unit: fgw
tasks:
  - id: FGW-001
    title: 项目前期
    due: 2026-12-31
    progress:
      - {date: 2026-11-02, percent: 30, note: 开工}
  - id: FGW-002
    title: 招商引资
    due: 2026-11-20
"""
JYJ = """\
unit: jyj
tasks:
  - id: JYJ-001
    title: 学校建设
    due: 2026-10-31
"""


@dataclass
class Case:
    name: str
    build: Callable[[Path, Path], None]  # (root, sandbox)
    git: bool = True
    # Tasks (ids) every report must list, or say it left out.
    expect_ids: tuple[str, ...] = ()
    extra: list[list[str]] = field(default_factory=list)
    # The environment of every run: {sb} and {root} are the sandbox and the ledger; None unsets.
    env: dict[str, str | None] = field(default_factory=dict)


def git(root: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@x", GIT_AUTHOR_DATE="2026-11-02T10:00:00+08:00",
               GIT_COMMITTER_DATE="2026-11-02T10:00:00+08:00")
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def base(root: Path, *, commit: bool = True) -> None:
    root.mkdir(parents=True)
    (root / "ledgers").mkdir()
    (root / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(UNITS, encoding="utf-8")
    (root / "ledgers/fgw.yaml").write_text(FGW, encoding="utf-8")
    (root / "ledgers/jyj.yaml").write_text(JYJ, encoding="utf-8")
    if commit:
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "init")


def commit_all(root: Path, message: str = "hostile") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def commands(out: Path) -> list[list[str]]:
    """Every command, as a CI job or a clerk would run it."""
    a = ["--as-of", "2026-11-25"]
    return [
        ["check", *a], ["check", *a, "-f", "json"], ["check", *a, "-f", "github"],
        ["status", *a], ["status", *a, "--all"], ["status", *a, "--by", "unit"],
        ["status", *a, "-f", "json", "--all"], ["status", *a, "-f", "csv", "--all"],
        ["show", "FGW-001", *a], ["show", "FGW-001", *a, "-f", "json"],
        ["brief", "--week", *a], ["brief", "--month", *a],
        ["brief", "--week", *a, "-f", "docx", "-o", str(out / "b.docx")],
        ["brief", "--unit", "fgw", *a], ["brief", "--each-unit", str(out / "notices"), *a],
        ["score", *a], ["score", "--month", *a, "--explain", "fgw"],
        ["export", *a, "-o", str(out / "e.xlsx")], ["export", *a, "-f", "csv", "-o", str(out / "e.csv")],
        ["form", "--each-unit", str(out / "forms"), *a],
        ["calendar", *a, "-o", str(out / "c.ics")],
        ["log", "FGW-001"], ["log", "FGW-001", "-f", "json"],
        ["audit"], ["audit", "-f", "json"], ["audit", "-f", "github"],
        ["site", *a, "-o", str(out / "site")],
        ["codeowners", "--check"], ["codeowners", "-o", str(out / "CODEOWNERS")],
        ["remind", *a], ["remind", *a, "-f", "json"],
        ["fmt", "--check"],
        ["progress", "FGW-001", "--percent", "50", "--note", "推进", "--date", "2026-11-24", "--dry-run"],
        ["progress", "FGW-001", "--percent", "50", "--note", "推进", "--date", "2026-11-24"],
        ["done", "FGW-002", "--date", "2026-11-20"],
        ["extend", "FGW-001", "--to", "2027-01-31", "--approved-by", "常务会", "--ref", "延政〔2026〕1号"],
        ["new", "--unit", "fgw", "--title", "新任务", "--due", "年底"],
        ["fmt"],
        ["help", "format"],
    ]


@dataclass
class Result:
    argv: list[str]
    rc: int | None
    out: bytes
    err: bytes
    cpu: float
    wall: float


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_AS, LIMIT_AS))


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> Result:
    t0 = time.monotonic()
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        p = subprocess.run([sys.executable, "-m", "sanzhua", *argv], cwd=cwd, env=env, capture_output=True,
                           timeout=TIMEOUT, preexec_fn=_limit, stdin=subprocess.DEVNULL)
        rc: int | None = p.returncode
        out, err = p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = None, e.stdout or b"", e.stderr or b""
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return Result(argv, rc, out, err, cpu, time.monotonic() - t0)


CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")


def flags_of(r: Result, encoding: str = "utf-8") -> list[str]:
    both = r.out + r.err
    found: list[str] = []
    if r.rc is None:
        found.append("timeout")
    elif r.rc not in (0, 1, 2):
        found.append(f"exit {r.rc}")
    if b"Traceback" in both:
        found.append("traceback")
    if r.argv[0] != "help" and (b"internal error" in both or "内部错误".encode() in both
                                or b"\\u5185\\u90e8\\u9519\\u8bef" in both or "内部错误".encode("gbk") in both):
        found.append("internal error")
    if CONTROL.search(both.replace(b"\r\n", b"\n")):
        found.append("control byte " + repr(CONTROL.search(both.replace(b"\r\n", b"\n")).group()))  # type: ignore[union-attr]
    if re.search(rb"\b[A-Z]\w*Warning: ", both):
        found.append("python warning")
    if CANARY.encode() in both:
        found.append("canary printed")
    if "json" in r.argv and r.rc in (0, 1) and r.out.strip():
        try:  # JSON as another program reads it: no Infinity, no NaN (issue 14, p-redout)
            json.loads(r.out.decode(encoding), parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
        except ValueError as e:
            found.append(f"not JSON: {str(e)[:60]}")
    # A score no reader takes in (p-known; a target written 1e308 is printed as written). The
    # score itself, not a refusal that quotes the ledger's own bad value (cut at 120 characters).
    if r.argv[0] == "score" and (long := re.search(rb"\d{60,}", r.out)) is not None:
        found.append(f"a number of {len(long.group())} digits")
    if r.wall > 30:
        found.append(f"slow {r.wall:.0f}s")
    return found


def snapshot(where: Path, skip: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(where, followlinks=False):
        d = Path(dirpath)
        if any(d == s or s in d.parents for s in skip):
            dirnames[:] = []
            continue
        for n in filenames + dirnames:
            p = d / n
            if p in skip:
                continue
            try:
                st = os.lstat(p)
            except OSError:
                continue
            seen[str(p)] = (st.st_mtime_ns, st.st_size)
    return seen


EDITS = {"progress", "done", "extend", "new", "fmt", "collect", "import", "init"}


def ledger_digest(root: Path) -> dict[str, bytes]:
    """The ledger's own files and git's configuration, which no report may change: an `-o`
    onto ledgers/fgw.yaml or .git/config once replaced them (issue 14, p-red3a)."""
    seen: dict[str, bytes] = {}
    for p in [root / "sanzhua.yaml", root / "units.yaml", root / ".git/config", root / ".git/HEAD",
              *(sorted((root / "ledgers").rglob("*.y*ml")) if (root / "ledgers").is_dir() else [])]:
        try:
            if p.is_file() and not p.is_symlink():
                seen[str(p.relative_to(root))] = p.read_bytes()
        except OSError:
            continue
    return seen


def run_case(case: Case, work: Path, verbose: bool) -> list[str]:
    sandbox = work / case.name
    sandbox.mkdir()
    root = sandbox / "ledger"
    out = sandbox / "out"
    out.mkdir()
    home = sandbox / "home"
    home.mkdir()
    (sandbox / "secret.txt").write_text(f"password: {CANARY}\n")
    (home / ".git-credentials").write_text(f"https://u:{CANARY}@example.com\n")
    base(root, commit=case.git)
    case.build(root, sandbox)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SANZHUA_", "GIT_", "XDG_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(sandbox / "cache"), PYTHONPATH=str(HERE / "src"),
               LANG="C.UTF-8", SANZHUA_LOCK_TIMEOUT="5")
    env.pop("GITHUB_ACTIONS", None)
    for k, v in case.env.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v.format(sb=sandbox, root=root)
    problems: list[str] = []
    pwned = sandbox / "PWNED"
    extra = [[a.replace("{sb}", str(sandbox)).replace("{root}", str(root)).replace("{out}", str(out)) for a in argv]
             for argv in case.extra]
    for argv in [*commands(out), *extra]:
        before = snapshot(sandbox, (root, out, sandbox / "cache"))
        own = ledger_digest(root) if argv[0] not in EDITS else None
        r = run(argv, root, env)
        after = snapshot(sandbox, (root, out, sandbox / "cache"))
        fl = flags_of(r, env.get("PYTHONIOENCODING") or "utf-8")  # JSON in the encoding the case asked for
        if own is not None and (now := ledger_digest(root)) != own:
            fl.append(f"ledger changed by a report: {sorted(k for k in set(own) | set(now) if own.get(k) != now.get(k))[:3]}")
        if pwned.exists():
            fl.append("CODE RAN")
            pwned.unlink()
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        if changed:
            fl.append(f"wrote outside: {changed[:3]}")
        if fl:
            tail = (r.err or r.out).decode("utf-8", "replace").strip().splitlines()[-3:]
            problems.append(f"{' '.join(argv[:3])} rc={r.rc}: {', '.join(fl)} | {' / '.join(tail)[:300]}")
        elif verbose:
            print(f"   ok rc={r.rc} {' '.join(argv[:3])} {r.wall:.1f}s", file=sys.stderr)
    return problems


# ---------------------------------------------------------------------------- the cases

CASES: list[Case] = []


def case(name: str, *, git_repo: bool = True, extra: list[list[str]] | None = None,
         env: dict[str, str | None] | None = None) -> Callable[
        [Callable[[Path, Path], None]], Callable[[Path, Path], None]]:
    def deco(fn: Callable[[Path, Path], None]) -> Callable[[Path, Path], None]:
        CASES.append(Case(name, fn, git_repo, extra=extra or [], env=env or {}))
        return fn
    return deco


def write(root: Path, rel: str, text: str | bytes, *, commit: bool = True) -> None:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    if commit and (root / ".git").exists():
        commit_all(root)


@case("plain")
def _plain(root: Path, sb: Path) -> None:
    pass


@case("python-tag")
def _python_tag(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", f"""\
        unit: fgw
        tasks:
          - id: X-001
            title: !!python/object/apply:os.system ["touch {sb}/PWNED"]
            due: 2026-12-31
          - id: X-002
            title: !!binary aGVsbG8=
            due: !custom 2026-12-31
    """)


@case("merge-keys")
def _merge(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", """\
        unit: fgw
        defaults: &d {due: 2026-12-31, owner: 张三}
        tasks:
          - <<: *d
            id: X-001
            title: 合并
          - <<: [*d, {title: 列表合并}]
            id: X-002
          - &t {id: X-003, title: 锚, due: 2026-12-30}
          - *t
    """)


@case("duplicate-keys")
def _dups(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", """\
        unit: fgw
        tasks:
          - id: X-001
            id: X-009
            title: 重复
            due: 2026-12-31
            due: 2026-01-01
        tasks: []
    """)


@case("deep-nesting")
def _deep(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - id: X-001\n    title: " + "[" * 50000 + "]" * 50000 + "\n")
    write(root, "ledgers/y.yaml", "unit: fgw\ntasks:\n  - id: Y-001\n    title: t\n    due: 2026-12-31\n    note: "
          + "{a: " * 20000 + "1" + "}" * 20000 + "\n")


@case("deep-block-nesting")
def _deep_block(root: Path, sb: Path) -> None:
    lines = ["unit: fgw", "tasks:", "  - id: X-001", "    title: t", "    due: 2026-12-31", "    extra:"]
    for i in range(3000):
        lines.append("  " * (i + 3) + "- a:")
    write(root, "ledgers/x.yaml", "\n".join(lines) + "\n")


def _settings_variants() -> None:
    variants = {
        "settings-list": b"- a\n- b\n",
        "settings-scalar": b"hello\n",
        "settings-empty": b"",
        "settings-null": b"~\n",
        "settings-comment": b"# only a comment\n",
        "settings-bad-yaml": b"name: [unclosed\n",
        "settings-utf16": SETTINGS.encode("utf-16"),
        "settings-tag": b"name: !!python/name:os.system x\nyear: 2026\n",
        "settings-year-huge": b"name: x\nyear: 99999999999999999999\nlang: zh\n",
        "settings-year-str": b"name: x\nyear: '2026'\nlang: klingon\n",
        "settings-bulletin-list": b"name: x\nyear: 2026\nbulletin: [1, 2]\nscoring: 7\nnotices: hello\n",
    }
    for name, data in variants.items():
        def build(root: Path, sb: Path, data: bytes = data) -> None:
            write(root, "sanzhua.yaml", data)
        CASES.append(Case(name, build))
    units = {
        "units-list": b"- {id: fgw}\n",
        "units-scalar": b"fgw\n",
        "units-empty": b"",
        "units-null": b"units: ~\n",
        "units-dict-units": b"units: {fgw: {name: x}}\n",
        "units-ids-weird": b"units:\n  - {id: [a], name: {x: 1}}\n  - {id: 12, name: 12}\n  - {id: fgw, name: x}\n",
        "units-dup": b"units:\n  - {id: fgw, name: A}\n  - {id: fgw, name: B}\n  - {id: jyj, name: B}\n",
        "units-editors-weird": b"units:\n  - {id: fgw, name: A, editors: '@everyone\\n* @evil'}\n  - {id: jyj, name: B}\n",
    }
    for name, data in units.items():
        def build_u(root: Path, sb: Path, data: bytes = data) -> None:
            write(root, "units.yaml", data)
        CASES.append(Case(name, build_u))
    ledgers = {
        "ledger-comment-only": b"# nothing here\n",
        "ledger-empty": b"",
        "ledger-list": b"- id: X-001\n  title: t\n  due: 2026-12-31\n",
        "ledger-scalar": b"just text\n",
        "ledger-tasks-scalar": b"unit: fgw\ntasks: 5\n",
        "ledger-tasks-map": b"unit: fgw\ntasks: {id: X-001, title: t, due: 2026-12-31}\n",
        "ledger-task-scalar": b"unit: fgw\ntasks:\n  - 5\n  - ~\n  - [1,2]\n",
        "ledger-bom-crlf": b"\xef\xbb\xbfunit: fgw\r\ntasks:\r\n  - id: X-001\n    title: t\r\n    due: 2026-12-31\r\n",
        "ledger-utf16": "unit: fgw\ntasks:\n  - id: X-001\n    title: 标题\n    due: 2026-12-31\n".encode("utf-16"),
        "ledger-utf16be-nobom": "unit: fgw\ntasks:\n  - id: X-001\n    title: t\n    due: 2026-12-31\n".encode("utf-16-be"),
        "ledger-nul": b"unit: fgw\ntasks:\n  - id: X-001\n    title: a\x00b\n    due: 2026-12-31\n",
        "ledger-latin1": b"unit: fgw\ntasks:\n  - id: X-001\n    title: caf\xe9\n    due: 2026-12-31\n",
        "ledger-gbk": "unit: fgw\ntasks:\n  - id: X-001\n    title: 项目建设\n    due: 2026-12-31\n".encode("gbk"),
        "ledger-multi-doc": b"unit: fgw\ntasks:\n  - {id: X-001, title: a, due: 2026-12-31}\n---\nunit: jyj\ntasks:\n  - {id: X-002, title: b, due: 2026-12-31}\n",
        "ledger-lone-surrogate": b'unit: fgw\ntasks:\n  - id: X-001\n    title: "\\ud800x"\n    due: 2026-12-31\n',
        "ledger-weird-values": (b"unit: fgw\ntasks:\n  - id: X-001\n    title: t\n    due: 2026-12-31\n"
                                b"    progress:\n      - {date: 2026-11-02, percent: .nan}\n      - {date: 2026-11-03, percent: .inf}\n"
                                b"      - {date: 2026-11-04, percent: 1e400}\n      - {date: 9999-12-31, percent: -5}\n"
                                b"    target: {metric: m, value: .inf, unit: x}\n"
                                b"    milestones: {a: b}\n    extensions: 5\n    partners: fgw\n    tags: {a: 1}\n"),
        "ledger-huge-ints": (b"unit: fgw\ntasks:\n  - id: X-001\n    title: t\n    due: 2026-12-31\n"
                             b"    target: {metric: m, value: 1" + b"0" * 4000 + b", unit: x}\n"
                             b"    progress:\n      - {date: 2026-11-02, value: 1" + b"0" * 4000 + b"}\n"),
        "ledger-id-weird": (b"unit: fgw\ntasks:\n  - id: ../../etc/passwd\n    title: t\n    due: 2026-12-31\n"
                            b"  - id: '--output=x'\n    title: t\n    due: 2026-12-31\n"
                            b"  - id: 'A B'\n    title: t\n    due: 2026-12-31\n  - id: 5\n    title: t\n    due: 2026-12-31\n"),
        "ledger-dates-weird": (b"unit: fgw\ntasks:\n  - id: X-001\n    title: t\n    due: 0001-01-01\n"
                               b"  - id: X-002\n    title: t\n    due: 9999-12-31\n"
                               b"  - id: X-003\n    title: t\n    due: 2026-12-31T25:00:00\n"
                               b"  - id: X-004\n    title: t\n    due: 99999\xe5\xb9\xb4\xe5\xba\x95\n"
                               b"  - id: X-005\n    title: t\n    start: 2027-01-01\n    due: 2026-01-01\n    done: 1900-01-01\n"),
        "ledger-parent-cycle": (b"unit: fgw\ntasks:\n  - {id: X-001, title: a, due: 2026-12-31, parent: X-002}\n"
                                b"  - {id: X-002, title: b, due: 2026-12-31, parent: X-001}\n"
                                b"  - {id: X-003, title: c, due: 2026-12-31, parent: X-003}\n"),
        "ledger-unit-unknown": b"unit: nosuch\ntasks:\n  - {id: X-001, title: a, due: 2026-12-31}\n",
        "ledger-unit-list": b"unit: [fgw, jyj]\ntasks:\n  - {id: X-001, title: a, due: 2026-12-31}\n",
        "ledger-bidi-title": b"unit: fgw\ntasks:\n  - {id: X-001, title: \"a\\u202eb\\u2066c\\x1b[31m\", due: 2026-12-31}\n",
        "ledger-markup-title": (b"unit: fgw\ntasks:\n  - id: X-001\n    title: \"<script>alert(1)</script>{{7*7}}{% raw %}\"\n"
                                b"    due: 2026-12-31\n    note: \"](javascript:alert(1)) <img src=x onerror=alert(1)>\"\n"
                                b"    owner: \"=cmd|' /C calc'!A0\"\n"),
    }
    for name, data in ledgers.items():
        def build_l(root: Path, sb: Path, data: bytes = data) -> None:
            write(root, "ledgers/x.yaml", data)
        CASES.append(Case(name, build_l))


_settings_variants()


@case("yaml-dir")
def _yaml_dir(root: Path, sb: Path) -> None:
    (root / "ledgers/d.yaml").mkdir()
    (root / "ledgers/d.yaml/inner.yaml").write_text("unit: fgw\ntasks:\n  - {id: D-001, title: a, due: 2026-12-31}\n")
    commit_all(root)


@case("settings-dir")
def _settings_dir(root: Path, sb: Path) -> None:
    (root / "units.yaml").unlink()
    (root / "units.yaml").mkdir()
    (root / "units.yaml/x").write_text("x")
    commit_all(root)


@case("case-collide")
def _case(root: Path, sb: Path) -> None:
    write(root, "ledgers/FGW.yaml", "unit: fgw\ntasks:\n  - {id: FGW-001, title: 重复, due: 2026-12-31}\n")


@case("nfc-nfd")
def _nfc(root: Path, sb: Path) -> None:
    import unicodedata
    n1 = unicodedata.normalize("NFC", "ledgers/café.yaml")
    n2 = unicodedata.normalize("NFD", "ledgers/café.yaml")
    write(root, n1, "unit: fgw\ntasks:\n  - {id: C-001, title: a, due: 2026-12-31}\n", commit=False)
    write(root, n2, "unit: fgw\ntasks:\n  - {id: C-002, title: b, due: 2026-12-31}\n")
    write(root, "ledgers/城关镇.yaml", "unit: jyj\ntasks:\n  - {id: C-003, title: c, due: 2026-12-31}\n")


@case("non-utf8-name")
def _nonutf8(root: Path, sb: Path) -> None:
    p = os.path.join(os.fsencode(root / "ledgers"), b"bad\xff\xfe.yaml")
    with open(p, "wb") as f:
        f.write(b"unit: fgw\ntasks:\n  - {id: N-001, title: a, due: 2026-12-31}\n")
    commit_all(root)


@case("name-escapes")
def _name_esc(root: Path, sb: Path) -> None:
    write(root, "ledgers/\x1b[31mred.yaml", "unit: fgw\ntasks:\n  - {id: E-001, title: a, due: 2026-12-31}\n")


@case("symlink-dir-root")
def _sym_root(root: Path, sb: Path) -> None:
    os.symlink("/", root / "ledgers/rootfs")
    os.symlink("..", root / "ledgers/up")
    os.symlink(sb, root / "ledgers/sandbox")
    commit_all(root)


@case("symlink-loop")
def _sym_loop(root: Path, sb: Path) -> None:
    os.symlink("loop2", root / "ledgers/loop1")
    os.symlink("loop1", root / "ledgers/loop2")
    os.symlink("loop.yaml", root / "ledgers/loop.yaml") if False else None
    os.symlink("self.yaml", root / "ledgers/self.yaml")
    (root / "ledgers/dirloop").mkdir()
    os.symlink("..", root / "ledgers/dirloop/back")
    commit_all(root)


@case("symlink-secret")
def _sym_secret(root: Path, sb: Path) -> None:
    os.symlink(sb / "secret.txt", root / "ledgers/s.yaml")
    os.symlink(sb / "secret.txt", root / "units.yaml.bak")
    (root / "templates").mkdir()
    os.symlink(sb / "secret.txt", root / "templates/bulletin.md.j2")
    os.symlink(sb / "secret.txt", root / "calendar.yaml")
    commit_all(root)


@case("cache-dir-file")
def _cache_file(root: Path, sb: Path) -> None:
    (root / ".sanzhua").write_text("not a folder")
    commit_all(root)
    (sb / "cache").write_text("not a folder either")


@case("cache-dir-symlink")
def _cache_sym(root: Path, sb: Path) -> None:
    (sb / "elsewhere").mkdir()
    os.symlink(sb / "elsewhere", root / ".sanzhua")
    commit_all(root)


@case("cache-dir-readonly")
def _cache_ro(root: Path, sb: Path) -> None:
    (sb / "cache").mkdir()
    (sb / "cache/sanzhua").mkdir()
    os.chmod(sb / "cache/sanzhua", 0o500)
    os.chmod(sb / "cache", 0o500)


@case("cache-in-ledger", env={"XDG_CACHE_HOME": "{root}/cache"})
def _cache_in(root: Path, sb: Path) -> None:
    # XDG_CACHE_HOME pointing at a committed folder is set through the case env below
    (root / "cache").mkdir()
    (root / "cache/sanzhua").mkdir()
    (root / "cache/sanzhua/junk").write_bytes(b"\x80\x04garbage")
    commit_all(root)


@case("templates-hostile")
def _templates(root: Path, sb: Path) -> None:
    t = root / "templates"
    t.mkdir()
    body = (
        "{% include '/etc/passwd' %}{% include '" + str(sb / "secret.txt") + "' %}\n"
        "{% import '../sanzhua.yaml' as x %}{{ self.__init__ }}{{ cycler.__init__.__globals__ }}"
        "{{ lipsum.__globals__['os'].system('touch " + str(sb / "PWNED") + "') }}"
        "{{ ''.__class__.__mro__[1].__subclasses__() }}\n"
        "{% macro r(n) %}{{ r(n) }}{% endmacro %}{{ r(1) }}\n"
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}\n"
    )
    for name in ("bulletin.md.j2", "notice.md.j2", "brief.md.j2", "week.md.j2", "month.md.j2"):
        (t / name).write_text(body)
    commit_all(root)


@case("git-option-branch")
def _git_branch(root: Path, sb: Path) -> None:
    git(root, "branch", "-c", "main", "HEAD..x") if False else None
    git(root, "update-ref", "refs/heads/--output=x", "HEAD")
    git(root, "update-ref", "refs/tags/-p", "HEAD")


@case("git-esc-author", extra=[["log", "X-001"], ["log", "X-001", "--range", "--output=/tmp/x"],
                               ["audit", "--range", "--output=../pwn"], ["audit", "--range", "HEAD.."],
                               ["audit", "--baseline", "--all"], ["audit", "--since", "-1"]])
def _git_esc(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - {id: X-001, title: a, due: 2026-12-31}\n", commit=False)
    env = dict(os.environ, GIT_AUTHOR_NAME="evil\x1b]0;pwn\x07\x1b[2J", GIT_AUTHOR_EMAIL="e\x1b[31m@x",
               GIT_COMMITTER_NAME="c\x9b31m", GIT_COMMITTER_EMAIL="c@x")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", "subj \x1b[31mred\x1b[0m\n\nbody\x07"], cwd=root, env=env, check=True)
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - {id: X-001, title: a, due: 2027-12-31}\n", commit=False)
    subprocess.run(["git", "commit", "-qam", "\x1b[2Jmove due"], cwd=root, env=env, check=True)


@case("git-config-exec")
def _git_cfg(root: Path, sb: Path) -> None:
    write(root, ".gitattributes", "*.yaml filter=evil diff=evil merge=evil\n")
    pwn = f"touch {sb}/PWNED; false"
    for k, v in (("core.fsmonitor", pwn), ("core.pager", pwn), ("diff.external", pwn),
                 ("core.sshCommand", pwn), ("core.editor", pwn), ("sequence.editor", pwn),
                 ("filter.evil.clean", pwn), ("filter.evil.smudge", pwn), ("filter.evil.process", pwn),
                 ("diff.evil.textconv", pwn), ("diff.evil.command", pwn), ("merge.evil.driver", pwn),
                 ("core.hooksPath", str(sb / "hooks")), ("gpg.program", pwn),
                 ("core.askPass", pwn), ("credential.helper", f"!{pwn}")):
        git(root, "config", k, v)
    (sb / "hooks").mkdir()
    for hook in ("pre-commit", "post-commit", "commit-msg", "prepare-commit-msg", "post-checkout", "post-index-change"):
        (sb / "hooks" / hook).write_text(f"#!/bin/sh\ntouch {sb}/PWNED\n")
        os.chmod(sb / "hooks" / hook, 0o755)
    # a stat change makes git re-read the files (through the clean filter) on the next status
    for p in (root / "ledgers").iterdir():
        os.utime(p, (1, 1))


@case("git-file-elsewhere")
def _git_file(root: Path, sb: Path) -> None:
    shutil.move(root / ".git", sb / "realgit")
    (root / ".git").write_text(f"gitdir: {sb}/realgit\n")


@case("git-file-garbage")
def _git_garbage(root: Path, sb: Path) -> None:
    shutil.rmtree(root / ".git")
    (root / ".git").write_text("gitdir: /nonexistent\n")


@case("no-git", git_repo=False)
def _nogit(root: Path, sb: Path) -> None:
    pass


@case("shallow-history")
def _shallow(root: Path, sb: Path) -> None:
    for i in range(3):
        write(root, "ledgers/fgw.yaml", FGW.replace("30, note", f"{31 + i}, note"))
    src = sb / "src"
    shutil.move(root, src)
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{src}", str(root)], check=True, capture_output=True)


@case("env-hostile", env={"SANZHUA_CACHE_DIR": "{root}/ledgers", "SANZHUA_LOCK_TIMEOUT": "-5",
                             "LANG": "xx_XX.ISO-8859-1", "LC_ALL": "C", "TERM": "\x1b[31m",
                             "COLUMNS": "-1", "GITHUB_ACTIONS": "true", "TZ": "Nowhere/Bad-99"})
def _env_hostile(root: Path, sb: Path) -> None:
    pass


@case("notices-hostile")
def _notices(root: Path, sb: Path) -> None:
    write(root, "notices/2026.yaml", b"- !!python/object/apply:os.system ['touch PWNED']\n- {id: 1}\nx: [\n")
    write(root, "notices/2025.yaml", b"notices:\n  - {number: 1, unit: fgw, date: 2026-13-40, color: \xe7\xba\xa2}\n")


@case("calendar-hostile")
def _cal(root: Path, sb: Path) -> None:
    write(root, "calendar.yaml", b"holidays: [2026-01-01, x, 9999-99-99, ~]\nworkdays: {a: 1}\n" + b"extra: " * 1 + b"1\n")


@case("calendar-all-holidays")
def _cal_all(root: Path, sb: Path) -> None:
    import datetime as dt
    d0 = dt.date(2026, 1, 1)
    days = [str(d0 + dt.timedelta(days=i)) for i in range(800)]
    write(root, "calendar.yaml", "holidays:\n" + "".join(f"  - {d}\n" for d in days))


@case("gitignored-ledger")
def _ignored(root: Path, sb: Path) -> None:
    write(root, ".gitignore", "ledgers/secret*.yaml\n", commit=False)
    write(root, "ledgers/secret1.yaml", "unit: fgw\ntasks:\n  - {id: S-001, title: a, due: 2026-12-31}\n")


@case("lock-file-hostile")
def _lock(root: Path, sb: Path) -> None:
    (root / ".sanzhua").mkdir()
    os.symlink(sb / "secret.txt", root / ".sanzhua/edit.lock")
    commit_all(root)


@case("lock-dir")
def _lockdir(root: Path, sb: Path) -> None:
    (root / ".sanzhua").mkdir()
    (root / ".sanzhua/edit.lock").mkdir()
    (root / ".sanzhua/edit.lock/x").write_text("x")
    commit_all(root)


@case("tmp-file-symlink")
def _tmpfile(root: Path, sb: Path) -> None:
    os.symlink(sb / "secret.txt", root / "ledgers/.fgw.yaml.sanzhua-aaaa.tmp")
    commit_all(root)


# ------------------------------------------------------ p-hostile3: what the corpus lacked

def _other_repo(sb: Path) -> Path:
    """A second ledger repository beside the sandbox's, whose text is the canary."""
    other = sb / "other"
    base(other)
    write(other, "ledgers/fgw.yaml", FGW.replace("项目前期", CANARY).replace("开工", CANARY))
    write(other, "units.yaml", UNITS.replace("县发改委", CANARY))
    return other


@case("env-git-elsewhere", env={"GIT_DIR": "{sb}/other/.git", "GIT_WORK_TREE": "{sb}/other",
                                "GIT_INDEX_FILE": "{sb}/other/.git/index", "GIT_CEILING_DIRECTORIES": "/"},
      extra=[["progress", "FGW-001", "--percent", "60", "--note", "提交", "--date", "2026-11-24", "--commit"]])
def _env_git(root: Path, sb: Path) -> None:
    # A hook or a CI step of another repository runs sanzhua with git's variables still set.
    _other_repo(sb)


@case("env-home-in-ledger", env={"HOME": "{root}", "XDG_CACHE_HOME": None, "XDG_CONFIG_HOME": None})
def _home_in(root: Path, sb: Path) -> None:
    # HOME is the work tree (a clerk's home folder kept as the ledger, a CI job's workspace):
    # its committed .gitconfig and .cache are the repository's, written by anyone.
    pwn = f"touch {sb}/PWNED; false"
    write(root, ".gitconfig", f"""\
        [core]
            fsmonitor = {pwn}
            pager = {pwn}
            hooksPath = {sb}/hooks
            attributesFile = {root}/.attrs
        [diff]
            external = {pwn}
        [filter "evil"]
            clean = {pwn}
            smudge = {pwn}
            process = {pwn}
        [diff "evil"]
            textconv = {pwn}
        [log]
            showSignature = true
        [gpg]
            program = {pwn}
    """, commit=False)
    write(root, ".config/git/config", f"[core]\n    fsmonitor = {pwn}\n", commit=False)
    write(root, ".attrs", "*.yaml filter=evil diff=evil\n", commit=False)
    write(root, ".gitattributes", "*.yaml filter=evil diff=evil\n", commit=False)
    write(root, ".cache/sanzhua/x/files.cache", b"sanzhua cache\n" + b"\x00" * 32 + b"\xff" * 100, commit=False)
    commit_all(root)
    for p in (root / "ledgers").iterdir():
        os.utime(p, (1, 1))


@case("settings-links-out")
def _settings_links(root: Path, sb: Path) -> None:
    # sanzhua.yaml and units.yaml are links to well-formed files outside the ledger whose
    # text is the canary: reading them is the leak.
    (sb / "s.yaml").write_text(SETTINGS.replace("测试县督查台账", CANARY).replace("县政府督查室", CANARY))
    (sb / "u.yaml").write_text(UNITS.replace("县发改委", CANARY))
    (sb / "c.yaml").write_text(f"holidays: [2026-12-01]\nnote: {CANARY}\n")
    (root / "units.yaml").unlink()
    os.symlink(sb / "u.yaml", root / "units.yaml")
    os.symlink(sb / "c.yaml", root / "calendar.yaml")
    commit_all(root)


@case("settings-file-link-out")
def _settings_link(root: Path, sb: Path) -> None:
    (sb / "s.yaml").write_text(SETTINGS.replace("测试县督查台账", CANARY).replace("县政府督查室", CANARY))
    (root / "sanzhua.yaml").unlink()
    os.symlink(sb / "s.yaml", root / "sanzhua.yaml")
    commit_all(root)


@case("templates-dir-link", extra=[["brief", "--unit", "fgw", "--as-of", "2026-11-25", "-f", "docx", "-o", "/dev/null"]])
def _tpl_link(root: Path, sb: Path) -> None:
    t = sb / "tpl"
    t.mkdir()
    for name in ("bulletin.md.j2", "notice.md.j2", "brief.md.j2", "week.md.j2", "month.md.j2", "notice.docx", "bulletin.docx"):
        (t / name).write_text(f"{CANARY}\n{{{{ 1 }}}}\n")
    os.symlink(t, root / "templates")
    commit_all(root)


@case("big-scalar")
def _big_scalar(root: Path, sb: Path) -> None:
    # One 9 MB title: every report carries it, none may take over 30 s or 2 GB.
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - id: X-001\n    title: " + "督" * 3_000_000
          + "\n    due: 2026-11-20\n    progress:\n      - {date: 2026-11-02, percent: 30, note: 开工}\n")


@case("blank-lines")
def _blank(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - id: X-001\n    title: t\n    due: 2026-12-31\n"
          + "\n" * 4_000_000 + "#\n" * 2_000_000 + "  - {id: X-002, title: u, due: 2026-12-31}\n")


@case("parent-chain")
def _chain(root: Path, sb: Path) -> None:
    lines = ["unit: fgw", "tasks:"]
    for i in range(5000):
        parent = f", parent: P-{i - 1:05d}" if i else ""
        lines.append(f"  - {{id: P-{i:05d}, title: 链{i}, due: 2026-12-31{parent}}}")
    write(root, "ledgers/p.yaml", "\n".join(lines) + "\n")


# A unit's own text in every field, as a careless or hostile editor writes it: Markdown's
# block marks at a line's start, HTML and script, links, formulas, a title over lines, bidi
# and zero-width characters, rare CJK, emoji, tabs (issue 14, p-redout). And numbers at a
# float's end: a share of a target past any float, a parent's sum of such values, a weight.
_TEXTS = ["# 标题局", "- 列表局", "1. 数字局", "+ 加号", "---", "===", "县|管道|局", "<!-- 注释",
          "</script><script>document.title='pwned'</script>", "[点我](javascript:alert(1))",
          "<img src=x onerror=alert(1)>", "=HYPERLINK(\"http://e\",\"x\")", "@SUM(1)", "-2+3", "换行\n第二行",
          "a\r\nDTSTART:19700101T000000Z\r\nX;y,z", "\u202e局反转\u202c", "零\u200b宽", "𠀀𪚥局", "👨‍👩‍👧局",
          "制\t表", "反斜杠\\", "`反引号`", "&#124;&lt;实体"]


@case("text-shapes", extra=[["score", "-f", "md", "--as-of", "2026-11-25"], ["score", "-f", "csv", "--as-of", "2026-11-25"],
                            ["status", "--by", "unit", "-f", "csv", "--as-of", "2026-11-25"]])
def _text_shapes(root: Path, sb: Path) -> None:
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731  (YAML's double quotes are JSON's)
    units = ["units:", "  - {id: fgw, name: 县发改委, kind: 县直部门}", "  - {id: jyj, name: 县教育局, kind: 县直部门}"]
    for i, t in enumerate(_TEXTS):
        units.append(f"  - {{id: t{i:02d}, name: {q(t + '单位')}, kind: {q(t)}}}")
        lines = [f"unit: t{i:02d}", "tasks:",
                 f"  - id: T{i:02d}-1", f"    title: {q(t)}", f"    owner: {q(t)}", f"    leader: {q(t)}",
                 f"    category: {q(t)}", f"    tags: [{q(t)}]", "    due: 2026-11-10",
                 f"    milestones: [{{name: {q(t)}, due: 2026-11-01}}]",
                 f"    target: {{metric: {q(t)}, value: 100, unit: {q(t)}}}",
                 f"    progress: [{{date: 2026-11-03, value: 10, note: {q(t)}}}]",
                 f"  - {{id: T{i:02d}-2, title: {q(t)}, due: 2026-12-31, done: 2026-11-24}}"]
        write(root, f"ledgers/t{i:02d}.yaml", "\n".join(lines) + "\n", commit=False)
    write(root, "units.yaml", "\n".join(units) + "\n", commit=False)
    write(root, "sanzhua.yaml", SETTINGS + f"bulletin:\n  requirements: [{q('# 要求 | <!--')}]\n")


@case("numbers-huge")
def _numbers_huge(root: Path, sb: Path) -> None:
    write(root, "ledgers/n.yaml", """\
        unit: fgw
        tasks:
          - {id: N-001, title: 巨大, due: 2026-12-31, target: {metric: 投资, value: 1e308}, progress: [{date: 2026-11-20, value: 1e308}]}
          - {id: N-002, title: 极小, due: 2026-12-31, target: {metric: 投资, value: 1e-300}, progress: [{date: 2026-11-20, value: 1e300}]}
          - {id: N-003, title: 上级, due: 2026-12-31, target: {metric: 个, value: 10, unit: 个}}
          - {id: N-004, title: 下级一, parent: N-003, target: {metric: 个, value: 1e308, unit: 个}, progress: [{date: 2026-11-20, value: 1e308}]}
          - {id: N-005, title: 下级二, parent: N-003, target: {metric: 个, value: 1e308, unit: 个}, progress: [{date: 2026-11-20, value: 1e308}]}
          - {id: N-006, title: 权重, due: 2026-11-12, weight: 100}
          - {id: N-007, title: 负目标, due: 2026-12-31, target: {metric: 个, value: -100}, progress: [{date: 2026-11-20, value: -1e308}]}
        """)


@case("weight-huge", extra=[["score", "--as-of", "2026-11-25", "--allow-errors"],
                             ["score", "--month", "--as-of", "2026-11-25", "--allow-errors", "-f", "json"]])
def _weight_huge(root: Path, sb: Path) -> None:
    """A weight of 1e308 (a task's and a category's) and points of 1e308: `score` printed
    300-digit numbers; now `check` refuses each with its bound (p-known)."""
    write(root, "ledgers/w.yaml", """\
        unit: fgw
        tasks:
          - {id: W-001, title: 权重, category: 抓具体, due: 2026-11-12, weight: 1e308}
          - {id: W-002, title: 类别权重, category: 抓具体, due: 2026-11-12}
        """, commit=False)
    write(root, "sanzhua.yaml", SETTINGS + "scoring:\n  overdue_per_day: -1e308\n  category_weights: {抓具体: 1e308}\n")


@case("odd-line-breaks")
def _odd_line_breaks(root: Path, sb: Path) -> None:
    """U+2028, U+2029, NEL and a lone CR (line breaks to libyaml, not to an editor) before
    a problem: `check` named it a line too far per break (p-known)."""
    write(root, "ledgers/odd.yaml", 'unit: fgw\ntasks:\n  - id: O-001\n    title: "甲\u2028乙\x85丙\u2029丁"\n'
          '    due: 2026-13-01\n  - {id: O-002, title: "a\rb", due: 2026-11-10}\n')


@case("git-index-lock", extra=[["progress", "FGW-001", "--note", "锁", "--commit"], ["fmt", "--commit"]])
def _index_lock(root: Path, sb: Path) -> None:
    """A `.git/index.lock` left by a killed git: `--commit` said git's own English (p-known)."""
    (root / ".git" / "index.lock").write_bytes(b"")


@case("many-files")
def _many(root: Path, sb: Path) -> None:
    for i in range(20000):
        (root / f"ledgers/m{i:05d}.yaml").write_text(f"unit: fgw\ntasks:\n  - {{id: M-{i:05d}, title: 件{i}, due: 2026-12-31}}\n")
    commit_all(root)


@case("git-odd-paths", extra=[["audit", "--range", "HEAD~3..HEAD"], ["log", "O-001"]])
def _odd_paths(root: Path, sb: Path) -> None:
    body = "unit: fgw\ntasks:\n  - {{id: {id}, title: 奇名, due: 2026-12-31}}\n"
    names = ["ledgers/a\nb.yaml", "ledgers/t\tb.yaml", 'ledgers/q"x.yaml', "ledgers/b\\s.yaml", "ledgers/a => b.yaml",
             "ledgers/{a => b}.yaml", "ledgers/-x.yaml", "ledgers/--output=y.yaml", "ledgers/ sp .yaml"]
    for i, n in enumerate(names):
        write(root, n, body.format(id=f"O-{i + 1:03d}"), commit=False)
    commit_all(root, "odd names")
    for n in names[:4]:  # renamed into one another, and one changed: the walk follows them
        os.rename(root / n, root / (n + ".yaml"))
    write(root, names[5], body.format(id="O-006").replace("2026-12-31", "2027-12-31"), commit=False)
    commit_all(root, "renames")
    write(root, "ledgers/z.yaml", body.format(id="Z-001"))


@case("gitlink-yaml")
def _gitlink(root: Path, sb: Path) -> None:
    # A submodule entry (a commit this repository does not hold) named like a ledger file,
    # and a .gitmodules whose url would run a command.
    write(root, ".gitmodules", f'[submodule "x"]\n    path = ledgers/sub.yaml\n    url = ext::sh -c touch% {sb}/PWNED\n', commit=False)
    git(root, "update-index", "--add", "--cacheinfo", "160000,1234567890123456789012345678901234567890,ledgers/sub.yaml")
    git(root, "commit", "-q", "-m", "gitlink")
    git(root, "update-index", "--cacheinfo", "160000,abcdefabcdefabcdefabcdefabcdefabcdefabcd,ledgers/sub.yaml")
    git(root, "commit", "-q", "-m", "gitlink moved")


@case("history-bomb")
def _hbomb(root: Path, sb: Path) -> None:
    # 60 commits of a 3 MB file (packed, the repository stays small): log and audit read them.
    lines = ["unit: fgw", "tasks:"] + [f"  - {{id: H-{i:05d}, title: 历史{i}, due: 2026-12-31}}" for i in range(60000)]
    for c in range(60):
        lines[2 + c * 7] = f"  - {{id: H-{c * 7:05d}, title: 改{c}, due: 2027-01-{1 + c % 28:02d}}}"
        write(root, "ledgers/h.yaml", "\n".join(lines) + "\n", commit=False)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"edit {c}")
    git(root, "gc", "-q")


@case("remind-record-links", extra=[["remind", "--as-of", "2026-11-25", "--send"]])
def _remind_links(root: Path, sb: Path) -> None:
    (root / ".sanzhua").mkdir()
    os.symlink(sb / "made-by-remind", root / ".sanzhua/remind-sent.json.lock")
    os.symlink(sb / "home/.git-credentials", root / ".sanzhua/remind-sent.json")
    write(root, "units.yaml", UNITS.replace("kind: 县直部门}", "kind: 县直部门, contact: {wecom_env: SANZHUA_WECOM_X}}"))


@case("fifos", extra=[["remind", "--as-of", "2026-11-25", "--send"], ["codeowners", "--check"]])
def _fifos(root: Path, sb: Path) -> None:
    # Special files where sanzhua reads or writes (a shared folder, not git, can hold them).
    for rel in ("notices/2026.yaml", "templates/bulletin.md.j2", "templates/notice.md.j2",
                "CODEOWNERS", ".sanzhua/edit.lock", ".sanzhua/remind-sent.json", ".sanzhua/remind-sent.json.lock",
                "ledgers/.fgw.yaml.sanzhua-abc.tmp"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)


@case("units-fifo")
def _units_fifo(root: Path, sb: Path) -> None:
    (root / "units.yaml").unlink()
    os.mkfifo(root / "units.yaml")
    os.mkfifo(root / "calendar.yaml")


@case("git-odd-dates")
def _odd_dates(root: Path, sb: Path) -> None:
    # git stores any number as a commit's time and zone; Python's datetime holds less.
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-12-31", "2027-03-31"), commit=False)
    git(root, "add", "-A")
    tree = subprocess.run(["git", "write-tree"], cwd=root, capture_output=True, check=True, text=True).stdout.strip()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, check=True, text=True).stdout.strip()
    for author, committer in (("253402300800 +9959", "99999999999 -9959"), ("99999999999999999999 +0000", "-5 +99999")):
        body = f"tree {tree}\nparent {head}\nauthor t <t@x> {author}\ncommitter t <t@x> {committer}\n\nodd\n"
        head = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"], cwd=root,
                              input=body.encode(), capture_output=True, check=True).stdout.decode().strip()
    git(root, "update-ref", "HEAD", head)


@case("git-replace-graft")
def _replace(root: Path, sb: Path) -> None:
    # A replacement object for HEAD and a grafts file that cuts the history.
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-12-31", "2027-03-31"))
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, check=True, text=True).stdout.strip()
    fake = subprocess.run(["git", "commit-tree", "HEAD~1^{tree}", "-p", "HEAD~1", "-m", "fake"], cwd=root,
                          capture_output=True, check=True, text=True,
                          env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
                                   GIT_COMMITTER_EMAIL="t@x")).stdout.strip()
    git(root, "replace", head, fake)
    (root / ".git/info").mkdir(exist_ok=True)
    (root / ".git/info/grafts").write_text(f"{head}\n")


# ------------------------------------------------ p-redin: git shapes the corpus lacked

def _commit_dated(root: Path, message: str, when: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@x", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@x", GIT_AUTHOR_DATE=when, GIT_COMMITTER_DATE=when)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, capture_output=True, env=env)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", message], cwd=root, check=True,
                   capture_output=True, env=env)


@case("git-attributes", extra=[["log", "JYJ-001"], ["audit", "--range", "HEAD~2..HEAD"]])
def _attrs(root: Path, sb: Path) -> None:
    # working-tree-encoding, eol=crlf, -text and a filter without a driver: git's view of a
    # file differs from the bytes in the work tree.
    write(root, ".gitattributes", "ledgers/fgw.yaml working-tree-encoding=UTF-16\n*.yaml eol=crlf\n"
          "ledgers/jyj.yaml -text filter=nodriver\nunits.yaml filter=nodriver diff=nodriver\n", commit=False)
    (root / "ledgers/fgw.yaml").write_bytes(FGW.replace("30, note", "40, note").encode("utf-16"))
    (root / "ledgers/jyj.yaml").write_bytes(JYJ.replace("\n", "\r\n").replace("2026-10-31", "2026-12-31").encode())
    commit_all(root, "attributes")
    write(root, "ledgers/jyj.yaml", JYJ.replace("学校建设", "学校改建").replace("\n", "\r\n"))


@case("git-mailmap", extra=[["log", "FGW-002"], ["audit", "--range", "HEAD~1..HEAD"]])
def _mailmap(root: Path, sb: Path) -> None:
    # A .mailmap that would make a clerk's commit a supervisor's, names with ESC and bidi.
    write(root, "sanzhua.yaml", SETTINGS + "supervisors: [boss@gov]\n")
    write(root, ".mailmap", "Boss \u202eevil\x1b[31m <boss@gov> <t@x>\n\x1b]0;x\x07 <t@x>\n")
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-11-20", "2027-06-30"))


@case("git-octopus", extra=[["log", "JYJ-001"], ["audit", "--range", "HEAD~1..HEAD"]])
def _octopus(root: Path, sb: Path) -> None:
    for b, (rel, old, new) in enumerate((("ledgers/fgw.yaml", "2026-11-20", "2027-01-20"),
                                         ("ledgers/jyj.yaml", "2026-10-31", "2027-02-28"),
                                         ("ledgers/k.yaml", "", ""))):
        git(root, "checkout", "-q", "-b", f"b{b}", "main")
        if old:
            text = (root / rel).read_text(encoding="utf-8").replace(old, new)
        else:
            text = "unit: jyj\ntasks:\n  - {id: K-001, title: 合并, due: 2026-12-31}\n"
        write(root, rel, text)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--no-ff", "-m", "octopus", "b0", "b1", "b2")


@case("git-dates-edge", extra=[["log", "JYJ-001"], ["audit", "--since", "1969-12-31"]])
def _dates_edge(root: Path, sb: Path) -> None:
    for i, when in enumerate(("1970-01-01T00:00:00+0000", "2099-12-31T23:59:59+1400",
                              "2026-11-24T23:30:00-1200", "2026-11-25T00:30:00+1400", "1970-01-01T00:00:01-1200")):
        write(root, "ledgers/jyj.yaml", JYJ.replace("学校建设", f"学校建设{i}"), commit=False)
        _commit_dated(root, f"dated {when}", when)


@case("git-3000-commits", extra=[["log", "JYJ-001"], ["log", "FGW-002"]])
def _many_commits(root: Path, sb: Path) -> None:
    # 3,000 tiny commits, made by fast-import (a commit a process would take minutes).
    lines = ["reset refs/heads/main", "from refs/heads/main^0"]
    for i in range(3000):
        body = JYJ.replace("学校建设", f"学校建设{i}").encode()
        msg = f"c{i}".encode()
        lines.append(f"commit refs/heads/main\ncommitter t <t@x> {1793000000 + i * 60} +0800\n"
                     f"data {len(msg)}\n{msg.decode()}\nM 100644 inline ledgers/jyj.yaml\ndata {len(body)}")
        lines.append(body.decode())
    data = ("\n".join(lines) + "\n").encode()
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=data, check=True, capture_output=True)
    git(root, "reset", "-q", "--hard", "main")


@case("git-tags", extra=[["log", "FGW-001", "--range", "v1..HEAD"], ["audit", "--range", "v1..HEAD"]])
def _tags(root: Path, sb: Path) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, check=True, text=True).stdout.strip()
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-11-20", "2027-01-20"))
    git(root, "tag", "-a", "-m", "v1", "v1", head)
    git(root, "tag", head[:12], "HEAD")        # a tag named like another commit
    git(root, "tag", "HEAD", head)             # a tag named HEAD
    git(root, "tag", "-a", "-m", "tree", "tree-tag", "HEAD^{tree}")


@case("git-rename-every-commit", extra=[["log", "FGW-001"], ["log", "FGW-002"]])
def _renames(root: Path, sb: Path) -> None:
    name = "ledgers/fgw.yaml"
    for i in range(40):
        new = f"ledgers/r{i}/fgw{i}.yaml" if i % 2 else f"ledgers/fgw{i}.yaml"
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        os.rename(root / name, root / new)
        if i % 5 == 0:
            text = (root / new).read_text(encoding="utf-8").replace("2026-11-20", f"2026-12-{1 + i % 28:02d}")
            (root / new).write_text(text, encoding="utf-8")
        commit_all(root, f"rename {i}")
        name = new


@case("git-file-folder-file", extra=[["log", "JYJ-001"]])
def _file_folder(root: Path, sb: Path) -> None:
    (root / "ledgers/jyj.yaml").unlink()
    write(root, "ledgers/jyj.yaml/inner.yaml", JYJ.replace("学校建设", "文件夹里"))
    shutil.rmtree(root / "ledgers/jyj.yaml")
    write(root, "ledgers/jyj.yaml", JYJ.replace("2026-10-31", "2026-12-31"))


@case("git-symlink-in-history", extra=[["log", "JYJ-001"], ["log", "L-001"]])
def _sym_hist(root: Path, sb: Path) -> None:
    # A ledger file that was a link (mode 120000, to a secret and to /etc/passwd) in commits
    # gone from the work tree: the walk reads the blob, the link's target, never the target.
    (root / "ledgers/jyj.yaml").unlink()
    os.symlink(sb / "secret.txt", root / "ledgers/jyj.yaml")
    os.symlink("/etc/passwd", root / "ledgers/l.yaml")
    commit_all(root, "links")
    (root / "ledgers/jyj.yaml").unlink()
    (root / "ledgers/l.yaml").unlink()
    write(root, "ledgers/jyj.yaml", JYJ, commit=False)
    write(root, "ledgers/l.yaml", "unit: fgw\ntasks:\n  - {id: L-001, title: 链接, due: 2026-12-31}\n")


@case("git-gitlink-history", extra=[["log", "JYJ-001"]])
def _gitlink_hist(root: Path, sb: Path) -> None:
    # A ledger file turned into a submodule entry and back.
    git(root, "rm", "-q", "--cached", "ledgers/jyj.yaml")
    git(root, "update-index", "--add", "--cacheinfo", "160000,1234567890123456789012345678901234567890,ledgers/jyj.yaml")
    git(root, "commit", "-q", "-m", "gitlink")
    git(root, "rm", "-q", "--cached", "ledgers/jyj.yaml")
    write(root, "ledgers/jyj.yaml", JYJ.replace("2026-10-31", "2026-12-31"))


@case("history-blob-bomb", extra=[["log", "BIG-001"], ["audit", "--range", "HEAD~2..HEAD"]])
def _blob_bomb(root: Path, sb: Path) -> None:
    # A 215 MB ledger file in one commit, gone in the next: packed, the repository is 780 KB.
    with open(root / "ledgers/big.yaml", "w", encoding="utf-8") as f:
        f.write("unit: fgw\ntasks:\n")
        f.write("  - {id: BIG-001, title: 大, due: 2026-12-31}\n" * 5_000_000)
    commit_all(root, "big")
    (root / "ledgers/big.yaml").unlink()
    commit_all(root, "gone")
    git(root, "gc", "-q")


@case("git-detached-head")
def _detached(root: Path, sb: Path) -> None:
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-11-20", "2027-01-20"))
    git(root, "checkout", "-q", "--detach", "HEAD~1")


@case("git-unborn", git_repo=False)
def _unborn(root: Path, sb: Path) -> None:
    git(root, "init", "-q", "-b", "main")


@case("git-unborn-staged", git_repo=False)
def _unborn_staged(root: Path, sb: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")


@case("git-repo-in-repo")
def _repo_in_repo(root: Path, sb: Path) -> None:
    # The ledger's repository inside another (the sandbox), which holds another ledger's
    # files, with the canary, under the same paths.
    outer_files = {"sanzhua.yaml": SETTINGS, "ledgers/fgw.yaml": FGW.replace("项目前期", CANARY)}
    for rel, text in outer_files.items():
        (sb / rel).parent.mkdir(parents=True, exist_ok=True)
        (sb / rel).write_text(text, encoding="utf-8")
    git(sb, "init", "-q", "-b", "main")
    git(sb, "add", "sanzhua.yaml", "ledgers")
    git(sb, "commit", "-q", "-m", "outer")
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-11-20", "2027-01-20"))


@case("git-ledger-subfolder", extra=[["log", "FGW-002"], ["audit", "--range", "HEAD~1..HEAD"]])
def _subfolder(root: Path, sb: Path) -> None:
    # The ledger is a folder of a bigger repository (the sandbox), not its top.
    shutil.rmtree(root / ".git")
    (sb / "README").write_text("outer\n")
    git(sb, "init", "-q", "-b", "main")
    git(sb, "add", "ledger", "README")
    git(sb, "commit", "-q", "-m", "outer")
    (root / "ledgers/fgw.yaml").write_text(FGW.replace("2026-11-20", "2027-01-20"), encoding="utf-8")
    git(sb, "add", "ledger")
    git(sb, "commit", "-q", "-m", "moved")


@case("git-worktree-root")
def _worktree(root: Path, sb: Path) -> None:
    write(root, "ledgers/fgw.yaml", FGW.replace("2026-11-20", "2027-01-20"))
    main = sb / "main-clone"
    os.rename(root, main)
    git(main, "worktree", "add", "-q", "-b", "wt", str(root), "HEAD~1")


@case("git-bare-clone-beside")
def _bare(root: Path, sb: Path) -> None:
    # The ledger's .git is a bare clone's folder named by a .git file (core.bare = true).
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(sb / "bare.git")], check=True, capture_output=True)
    shutil.rmtree(root / ".git")
    (root / ".git").write_text(f"gitdir: {sb}/bare.git\n")


# ------------------------------------------------------------- p-red3b: templates that raise or break

_DOCX_OUT = ["brief", "--unit", "fgw", "--as-of", "2026-11-25", "-f", "docx", "-o", "/dev/null"]


@case("templates-raise", extra=[_DOCX_OUT])
def _templates_raise(root: Path, sb: Path) -> None:
    # Python's own errors and a C loop no time limit stops, in a ledger's Markdown templates.
    t = root / "templates"
    t.mkdir()
    (t / "brief.md.j2").write_text("第一行\n{{ 1/0 }}\n")
    (t / "notice.md.j2").write_text("{{ ([range(2000)|list]*2000)|sum(start=[])|length }}{{ (9**9000)|string }}")
    commit_all(root)


@case("templates-docx-broken", extra=[_DOCX_OUT])
def _templates_docx(root: Path, sb: Path) -> None:
    # A .docx without its document part; one whose document holds a DTD of nested entities
    # and an external entity naming the canary; both were internal errors.
    import re
    import zipfile

    t = root / "templates"
    t.mkdir()
    with zipfile.ZipFile(HERE / "templates/notice.docx") as z:
        parts = {i: z.read(i) for i in z.namelist()}
    with zipfile.ZipFile(t / "brief.docx", "w") as z:
        for name, data in parts.items():
            if name != "word/document.xml":
                z.writestr(name, data)
    dtd = ('<!DOCTYPE w:document [<!ENTITY x SYSTEM "file://' + str(sb / "secret.txt") + '"><!ENTITY a "aaaaaaaaaa">'
           + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefg", "bcdefgh", strict=True)) + "]>").encode()
    doc = re.sub(rb"(<\?xml[^>]*\?>)", lambda m: m.group(1) + dtd, parts["word/document.xml"], count=1)
    parts["word/document.xml"] = doc.replace(b"<w:body>", b"<w:body><w:p><w:r><w:t>&x;&h;</w:t></w:r></w:p>", 1)
    with zipfile.ZipFile(t / "notice.docx", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    commit_all(root)


@case("remind-hostile-contacts", extra=[["remind", "--as-of", "2026-11-25", "--send"]])
def _remind_contacts(root: Path, sb: Path) -> None:
    # An address with CR LF and a header after it (an internal error on --send); a CA file
    # outside the ledger (read whole by OpenSSL); nothing listens on port 1.
    (root / "units.yaml").write_text(
        "units:\n  - id: fgw\n    name: \"县发改委\\r\\nBcc: evil@example.com\"\n    kind: 县直部门\n"
        "    contact: {email: [\"a@example.com\\r\\nBcc: evil2@example.com\"]}\n"
        "  - {id: jyj, name: 县教育局, kind: 县直部门, contact: {email: [b@example.com]}}\n")
    with (root / "sanzhua.yaml").open("a") as f:
        f.write(f"remind:\n  retries: 0\n  timeout: 2\n  email:\n    host: 127.0.0.1\n    port: 1\n"
                f"    sender: ducha@example.gov.cn\n    ca_file: {sb}/secret.txt\n")
    commit_all(root)


# ------------------------------------------- p-red3a: ledger repositories the corpus lacked

@case("yaml-keys-odd")
def _keys_odd(root: Path, sb: Path) -> None:
    # Keys that are not text, YAML's own tags and dates past any calendar.
    write(root, "ledgers/x.yaml", """\
        unit: fgw
        ? [a, b]
        : x
        1: x
        null: y
        true:
        tasks:
          - id: X-001
            ? {k: v}
            : x
            1: x
            null: y
            true:
            title: !!binary 5LiA
            due: 2026-12-31
            tags: !!set {a, b}
            milestones: !!omap [{a: 1}, {b: 2}]
            partners: !!pairs [{a: 1}]
          - id: X-002
            title: !!str 2026-12-31
            due: !!timestamp 0000-01-01
            start: !!timestamp 99999-01-01
          - id: X-003
            title: !!int 5
            due: !!float 2026
          - {id: !!null , title: 无编号, due: 2026-12-31}
        """)


@case("yaml-numbers-odd")
def _numbers_odd(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", """\
        unit: fgw
        tasks:
          - id: X-001
            title: 数字
            due: 2026-12-31
            weight: 0x10
            target: {metric: m, value: 0x7fffffffffffffffffff}
            progress:
              - {date: 2026-11-02, value: 1_000}
              - {date: 2026-11-03, value: 0o17}
              - {date: 2026-11-04, value: +.5}
              - {date: 2026-11-05, percent: -0.0}
              - {date: 2026-11-06, percent: "50%"}
              - {date: 2026-11-07, percent: 五十}
              - {date: 2026-11-08, percent: .NaN}
              - {date: 2026-11-09, percent: 1e308}
              - {date: 2026-11-10, percent: -.inf}
              - {date: 2026-11-11, percent: 0b101}
              - {date: 2026-11-12, percent: 1:30}
          - id: X-002
            title: 日期
            due: 2026-02-30
            start: '2026-1-1'
            done: 20261231
          - {id: X-003, title: 日期二, due: 2026-12-31 00:00:00 +14:00, start: 2026-W48-1}
          - {id: X-004, title: 负零, due: 2026-12-31, target: {metric: m, value: -0.0}, progress: [{date: 2026-11-02, value: 0}]}
        """)


@case("yaml-alias-bomb")
def _alias_bomb(root: Path, sb: Path) -> None:
    # A billion laughs (10^9 items if expanded), an alias used 100,000 times, an anchor on every node.
    lines = ["unit: fgw", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines += ["tasks:", "  - id: X-001", "    title: t", "    due: 2026-12-31", "    tags: *a8", "    note: *a8"]
    write(root, "ledgers/x.yaml", "\n".join(lines) + "\n", commit=False)
    lines = ["unit: jyj", "tasks:", "  - {id: Y-000001, title: 锚点, due: 2026-12-31, tags: &tg [a, b]}"]
    lines += [f"  - {{id: Y-{i:06d}, title: t, due: 2026-12-31, tags: *tg}}" for i in range(2, 100000)]
    write(root, "ledgers/y.yaml", "\n".join(lines) + "\n", commit=False)
    lines = ["unit: jyj", "tasks:"]
    lines += [f"  - &t{i} {{id: &i{i} Z-{i:05d}, title: &n{i} 锚{i}, due: &d{i} 2026-12-31}}" for i in range(20000)]
    write(root, "ledgers/z.yaml", "\n".join(lines) + "\n")


@case("yaml-escapes-100k")
def _escapes(root: Path, sb: Path) -> None:
    write(root, "ledgers/x.yaml", 'unit: fgw\ntasks:\n  - id: X-001\n    title: "' + "\\u4e00" * 100000 + '"\n'
          '    due: 2026-12-31\n    note: "' + "\\x41\\t\\N\\_\\L\\P" * 50000 + '"\n')


@case("yaml-block-9mb")
def _block9(root: Path, sb: Path) -> None:
    # A 9 MB keep-chomped block scalar with trailing spaces as a progress note, and a folded one.
    body = "".join(f"      第{i}行说明   \n" for i in range(400000))
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - id: X-001\n    title: 块\n    due: 2026-11-20\n"
          "    progress:\n      - date: 2026-11-02\n        percent: 30\n        note: |+\n" + body.replace("      ", "          ")
          + "\n\n\n  - id: X-002\n    title: >-\n" + "      折叠\n" * 1000 + "    due: 2026-12-31\n")


@case("yaml-stream-shapes")
def _stream(root: Path, sb: Path) -> None:
    write(root, "ledgers/a.yaml", b"%YAML 1.1\n%TAG !e! tag:evil.example,2000:\n---\nunit: fgw\ntasks:\n  - {id: A-001, title: !e!x t, due: 2026-12-31}\n", commit=False)
    write(root, "ledgers/b.yaml", b"unit: fgw\ntasks:\n  - {id: B-001, title: t, due: 2026-12-31}\n...\nnot yaml at all: [\n", commit=False)
    write(root, "ledgers/c.yaml", b"---\n---\nunit: fgw\ntasks:\n  - {id: C-001, title: t, due: 2026-12-31}\n", commit=False)
    write(root, "ledgers/d.yaml", b"unit: fgw\ntasks:\n\t- {id: D-001, title: t, due: 2026-12-31}\n", commit=False)
    write(root, "ledgers/e.yaml", b"unit: fgw\ntasks:\n  - {id: E-001, title: t\xef\xbb\xbfx, due: 2026-12-31}\n\xef\xbb\xbf  - {id: E-002, title: t, due: 2026-12-31}\n", commit=False)
    write(root, "ledgers/f.yaml", "unit: fgw\ntasks:\n  - {id: F-001, title: t, due: 2026-12-31}\n".encode("utf-32"), commit=False)
    write(root, "ledgers/g.yaml", b"unit: fgw\r\ntasks:\r\n  - id: G-001\r\n    title: a\rb\r\n    due: 2026-12-31\r  - {id: G-002, title: t, due: 2026-12-31}\n", commit=False)
    write(root, "ledgers/h.yaml", b'unit: fgw\ntasks:\n  - id: H-001\n    title: "never closed\n    due: 2026-12-31\n', commit=False)
    write(root, "ledgers/i.yaml", b"%YAML 1.3\n---\nunit: fgw\ntasks: []\n", commit=False)
    write(root, "ledgers/j.yaml", b"unit: fgw\ntasks:\n  - {id: J-001, title: 't\n", commit=False)
    write(root, "ledgers/k.yaml", "unit: fgw\ntasks:\n  - {id: K-001, title: t, due: 2026-12-31}\n".encode("utf-32-be"), commit=False)
    write(root, "ledgers/l.yaml", b"\xff\xfe\x00\x00" + b"garbage")


@case("dashes-10mb")
def _dashes(root: Path, sb: Path) -> None:
    # 9.5 MB of items with no keys, and a million tiny tasks (each lacking title and due) in 9 MB.
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n" + "- \n" * 3_200_000, commit=False)
    write(root, "ledgers/y.yaml", "unit: jyj\ntasks:\n" + "".join(f"- id: M{i}\n" for i in range(1_000_000)))


@case("entries-huge")
def _entries(root: Path, sb: Path) -> None:
    # 10,000 milestones on one task, 100,000 progress entries on another (9 MB together).
    ms = "".join(f"      - {{name: 节点{i}, due: 2026-{1 + i % 12:02d}-{1 + i % 28:02d}}}\n" for i in range(10000))
    pr = "".join(f"      - {{date: 2026-{1 + i % 11:02d}-{1 + i % 28:02d}, percent: {i % 100}, note: 进展{i}}}\n" for i in range(100000))
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - id: X-001\n    title: 节点多\n    due: 2026-12-31\n    milestones:\n" + ms
          + "  - id: X-002\n    title: 进展多\n    due: 2026-12-31\n    progress:\n" + pr,
          commit=True)


@case("ids-odd", extra=[["show", "..", "--as-of", "2026-11-25"], ["log", "."], ["progress", "..", "--percent", "5", "--note", "x", "--date", "2026-11-24"],
                        ["brief", "--unit", "-o", "--as-of", "2026-11-25"], ["brief", "--unit", "--help", "--as-of", "2026-11-25", "--issue"],
                        ["form", "--unit", "-", "--as-of", "2026-11-25", "-o", "{out}/one.xlsx"],
                        ["show", "x;touch {sb}/PWNED", "--as-of", "2026-11-25"], ["log", "$(touch {sb}/PWNED)"]])
def _ids_odd(root: Path, sb: Path) -> None:
    # Ids and unit ids that become page, notice and form file names.
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    ids = ["A" * 10000, "..", ".", "X-" + "督" * 300, "CON", "-rf", "ＡＢ-001", "index", "tasks", "x.html", "x5ec1f7e700f37c3d",
           "assets", "a\nb", "a\u0000b", "X/../../x", "x;touch PWNED", "$(touch PWNED)", "X\u2028Y"]
    lines = ["unit: fgw", "tasks:"] + [f"  - {{id: {q(t)}, title: 奇{i}, due: 2026-11-20}}" for i, t in enumerate(ids)]
    write(root, "ledgers/x.yaml", "\n".join(lines) + "\n", commit=False)
    units = ["units:", "  - {id: fgw, name: 县发改委, kind: 县直部门}", "  - {id: jyj, name: 县教育局, kind: 县直部门}"]
    for i, u in enumerate(["-o", "u" * 5000, "--help", "_", "-", "..", "a/b", "u\u0000x"]):
        units.append(f"  - {{id: {q(u)}, name: {q('单位' + str(i) + u[:50])}, kind: 县直部门}}")
        write(root, f"ledgers/u{i}.yaml", f"unit: {q(u)}\ntasks:\n  - {{id: U{i}-001, title: 单位任务, due: 2026-11-20}}\n", commit=False)
    write(root, "units.yaml", "\n".join(units) + "\n")


@case("template-text-in-fields")
def _tpl_text(root: Path, sb: Path) -> None:
    # Template syntax in every field a clerk owns: it must stay data in every output.
    evil = ("{{ 7*7 }}{% include '" + str(sb / "secret.txt") + "' %}{{ lipsum.__globals__.os.system('touch "
            + str(sb / "PWNED") + "') }}{% for x in range(99999999) %}x{% endfor %}${7*7}#{7*7}<%= 7*7 %>")
    q = json.dumps(evil, ensure_ascii=False)
    write(root, "units.yaml", f"units:\n  - {{id: fgw, name: {q}, kind: {q}}}\n  - {{id: jyj, name: 县教育局, kind: 县直部门}}\n", commit=False)
    write(root, "sanzhua.yaml", SETTINGS.replace("测试县督查台账", evil.replace("'", "''").join("''")).replace("县政府督查室", "x")
          + f"bulletin:\n  name: {q}\n  report: {q}\n  send: {q}\n  issue: {q}\n  requirements: [{q}]\n", commit=False)
    write(root, "ledgers/x.yaml", f"""\
        unit: fgw
        tasks:
          - id: X-001
            title: {q}
            owner: {q}
            leader: {q}
            category: {q}
            tags: [{q}]
            due: 2026-11-10
            milestones: [{{name: {q}, due: 2026-11-01}}]
            target: {{metric: {q}, value: 100, unit: {q}}}
            progress: [{{date: 2026-11-03, value: 10, note: {q}}}]
          - {{id: X-002, title: {q}, due: 2026-12-31, done: 2026-11-24}}
        """)


@case("settings-types-wrong")
def _settings_types(root: Path, sb: Path) -> None:
    # Every setting a value of the wrong type (lang: zh): the messages must be Chinese, no traceback.
    write(root, "sanzhua.yaml", """\
        name: [1, 2]
        office: {a: 1}
        year: 2999
        lang: zh
        due_soon_days: 五
        behind_margin: .nan
        report_every: 7
        supervisors: 5
        bulletin: {first_week: 2026-02-30, copies: 0, requirements: {a: 1}, name: [x]}
        require_signed: yes please
        backdate_days: -1
        tracking_since: 0001-01-01
        scoring: [1]
        remind: {retries: 1e9, backoff: .nan, timeout: .inf, sent_file: ../../x, email: {host: '', port: 0, sender: x}}
        kinds: {x: {ack_days: .inf, report_every: hourly}}
        notices: {ladder: [purple], prefix: 5}
        max_file_mb: 0
        verify_done: [true]
        """)


@case("settings-year-edge")
def _settings_year(root: Path, sb: Path) -> None:
    # A year the settings accept but the dates do not (2999), and tracking/first week far off.
    write(root, "sanzhua.yaml", SETTINGS.replace("2026", "2199") + "tracking_since: 2199-12-31\nbulletin: {first_week: 1900-01-01}\n"
          "due_soon_days: 366\nbackdate_days: 100000000000\n", commit=False)
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - {id: X-001, title: 年底, due: 年底}\n  - {id: X-002, title: 季度, due: 第四季度}\n")


@case("settings-small-limit")
def _small_limit(root: Path, sb: Path) -> None:
    # max_file_mb: 1 and a 1.5 MB ledger file: refused by name, not dropped unsaid.
    write(root, "sanzhua.yaml", SETTINGS + "max_file_mb: 1\n", commit=False)
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n" + "".join(f"  - {{id: S-{i:05d}, title: 限{i}, due: 2026-12-31}}\n" for i in range(30000)))


@case("calendar-100k")
def _cal100k(root: Path, sb: Path) -> None:
    import datetime as dt
    d0 = dt.date(1900, 1, 1)
    days = [str(d0 + dt.timedelta(days=i)) for i in range(100000)]
    write(root, "calendar.yaml", "holidays:\n" + "".join(f"  - {d}\n" for d in days) + "workdays:\n" + "".join(f"  - {d}\n" for d in days[::7]))


@case("outputs-onto-ledger", extra=[
    ["export", "--as-of", "2026-11-25", "-o", "ledgers/fgw.yaml"], ["export", "--as-of", "2026-11-25", "-f", "csv", "-o", "sanzhua.yaml"],
    ["calendar", "--as-of", "2026-11-25", "-o", ".git/config"], ["brief", "--week", "--as-of", "2026-11-25", "-o", "units.yaml"],
    ["brief", "--week", "--as-of", "2026-11-25", "-f", "docx", "-o", "ledgers/jyj.yaml"], ["codeowners", "-o", "ledgers/fgw.yaml"],
    ["form", "--unit", "fgw", "--as-of", "2026-11-25", "-o", ".git/HEAD"], ["site", "--as-of", "2026-11-25", "-o", "ledgers"],
    ["site", "--as-of", "2026-11-25", "-o", "."], ["site", "--as-of", "2026-11-25", "-o", ".git"],
    ["brief", "--each-unit", "ledgers", "--as-of", "2026-11-25"], ["form", "--each-unit", ".git", "--as-of", "2026-11-25"],
    ["check", "--as-of", "2026-11-25"], ["log", "FGW-001"]])
def _onto_ledger(root: Path, sb: Path) -> None:
    # -o pointed at the ledger's own files and at git's: nothing of the ledger may be lost.
    pass


@case("outputs-odd-targets", extra=[
    ["export", "--as-of", "2026-11-25", "-o", "{sb}/dev/full"], ["export", "--as-of", "2026-11-25", "-f", "csv", "-o", "{sb}/dev/null"],
    ["brief", "--week", "--as-of", "2026-11-25", "-o", "{sb}/dev/null"], ["calendar", "--as-of", "2026-11-25", "-o", "{sb}/dev/full"],
    ["codeowners", "-o", "{sb}/dev/full"], ["export", "--as-of", "2026-11-25", "-o", "{out}/missing/deep/e.xlsx"],
    ["export", "--as-of", "2026-11-25", "-o", "{out}/fifo"],
    ["export", "--as-of", "2026-11-25", "-o", "{out}"], ["export", "--as-of", "2026-11-25", "-o", ""],
    ["site", "--as-of", "2026-11-25", "-o", "{sb}/dev"]])
def _odd_targets(root: Path, sb: Path) -> None:
    # Device files made in the sandbox (as root: the very /dev/null and /dev/full), a FIFO, a missing folder.
    (sb / "dev").mkdir()
    if os.geteuid() == 0:
        os.mknod(sb / "dev/null", 0o666 | 0o020000, os.makedev(1, 3))
        os.mknod(sb / "dev/full", 0o666 | 0o020000, os.makedev(1, 7))
    os.mkfifo(sb / "out/fifo")


@case("units-same-name")
def _units_same(root: Path, sb: Path) -> None:
    # Two units of one name, and two names that are one file name: each unit's notice and form its own file.
    write(root, "units.yaml", "units:\n  - {id: fgw, name: 同名局, kind: 县直部门}\n  - {id: jyj, name: 同名局, kind: 县直部门}\n"
          "  - {id: a1, name: a/b局}\n  - {id: a2, name: a_b局}\n  - {id: l1, name: " + "局" * 200 + "}\n  - {id: l2, name: " + "局" * 199 + "乙}\n", commit=False)
    for u in ("a1", "a2", "l1", "l2"):
        write(root, f"ledgers/{u}.yaml", f"unit: {u}\ntasks:\n  - {{id: {u.upper()}-001, title: 任务, due: 2026-11-02}}\n", commit=False)
    commit_all(root)


@case("env-gbk-terminal", env={"PYTHONIOENCODING": "gbk"}, extra=[["status", "--as-of", "2026-11-25", "--all"]])
def _gbk_terminal(root: Path, sb: Path) -> None:
    # Output in GBK (a Windows console or a redirected file in cp936): text GBK has no
    # character for (emoji, Ext-B, €) in every field.
    write(root, "ledgers/x.yaml", "unit: fgw\ntasks:\n  - {id: E-001, title: 👨‍👩‍👧𠀀€局, owner: 😀, due: 2026-11-20,"
          " progress: [{date: 2026-11-02, percent: 10, note: 🚧}]}\n")


@case("env-ascii-terminal", env={"PYTHONIOENCODING": "ascii", "LANG": "C", "LC_ALL": "C"})
def _ascii_terminal(root: Path, sb: Path) -> None:
    pass


@case("env-bare", env={"HOME": None, "LANG": None, "LC_ALL": None, "TERM": "dumb", "COLUMNS": "5", "NO_COLOR": "1",
                       "PATH": "/usr/bin:/bin", "USER": None, "LOGNAME": None, "TMPDIR": "/nonexistent"})
def _env_bare(root: Path, sb: Path) -> None:
    pass


@case("env-wide", env={"LANG": "C", "LC_ALL": "C", "COLUMNS": "100000", "LINES": "-3", "TERM": "xterm-256color",
                       "FORCE_COLOR": "1", "PYTHONIOENCODING": "ascii", "SANZHUA_LOCK_TIMEOUT": "nan"})
def _env_wide(root: Path, sb: Path) -> None:
    pass


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hostile-"))
    work.mkdir(exist_ok=True)
    bad = 0
    for c in CASES:
        if args.only and c.name not in args.only:
            continue
        t0 = time.monotonic()
        try:
            found = run_case(c, work, args.v)
        except Exception as e:
            found = [f"harness: {type(e).__name__}: {e}"]
        print(f"{c.name}: {'OK' if not found else f'{len(found)} flagged'} ({time.monotonic() - t0:.0f}s)", flush=True)
        for f in found:
            print("   ", f, flush=True)
        bad += bool(found)
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
