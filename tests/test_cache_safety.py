"""The parse cache is data that can never run code, and never comes from the repository.

Issue 14.1: a pickle committed at .sanzhua/cache/files.pickle used to be unpickled by
`sanzhua check` in any clone. These tests commit hostile cache files to a real git
repository, clone it, and run the real command.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
import pickle
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from sanzhua.load import load_ledger
from sanzhua.load.cache import _MAGIC, Cache, cache_dir
from sanzhua.load.ledgerfile import FileResult, parse_ledger_bytes
from sanzhua.load.plain import (
    PLAIN_PROBLEM_LINE,
    PLAIN_TASK_ID,
    PLAIN_TASK_TARGET,
    TASK_FIELDS,
    BadCache,
    decode,
    decode_file,
    encode,
    encode_file,
    plain_file,
)
from sanzhua.model import Milestone, Progress, Settings, Task
from sanzhua.problems import Problem, msg
from tests.conftest import REPO, MakeLedger

RICH = """\
unit: fgw
tasks:
  - id: XM-001
    title: 建设产业园区
    due: 2026-09-30
    partners: [jyj]
    milestones:
      - {name: 完成可研批复, due: 2026-05-31, done: 2026-05-20}
      - {name: 开工, due: 6月底}
    target: {value: 100, unit: 亩, direction: at_least}
    progress:
      - {date: 2026-06-05, note: 已开工, value: 40, percent: 40}
    extensions:
      - {from: 2026-09-30, to: 2026-12-31, approved_by: 县长, ref: 县督〔2026〕3号, date: 2026-09-01}
    tags: [重点]
    weight: 2
  - {id: XM-002, title: 子任务, parent: XM-001, status: done, done: 2026-05-01}
  - {id: XM-003, title: 坏日期, due: 2026-02-30}
  - {id: XM-004}
"""


class _Boom:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _sanzhua(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    return subprocess.run(
        [sys.executable, "-m", "sanzhua", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_a_committed_pickle_runs_nothing(make_ledger: MakeLedger, tmp_path: Path) -> None:
    """Pickles that run a command when unpickled, committed where older versions kept
    the cache (and under the new names), in a clone: check runs and nothing else does."""
    root = make_ledger({"ledgers/a.yaml": RICH})
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Boom(marker))
    assert b"system" in payload
    cache = root / ".sanzhua" / "cache"
    cache.mkdir(parents=True)
    for name in ("files.pickle", "files.results.pickle", "files.delta.pickle", "files.cache", "files.results.cache"):
        (cache / name).write_bytes(payload)
    _git(root, "init", "-q")
    _git(root, "add", "-f", ".")
    _git(root, "commit", "-q", "-m", "hostile cache")
    clone = tmp_path / "clone"
    _git(tmp_path, "clone", "-q", str(root), str(clone))
    assert (clone / ".sanzhua/cache/files.pickle").read_bytes() == payload

    for _ in range(2):  # cold, then warm
        done = _sanzhua(clone, "check", "--as-of", "2026-11-25")
        assert done.returncode == 1, done.stderr  # the bad date in XM-003
        assert "XM-003" in done.stdout and "Traceback" not in done.stderr
    assert not marker.exists()
    # The cache went outside the work tree; the committed files are as they were.
    assert cache_dir(clone).is_dir()
    assert (clone / ".sanzhua/cache/files.pickle").read_bytes() == payload
    status = subprocess.run(["git", "status", "--porcelain"], cwd=clone, capture_output=True, text=True, check=True)
    assert status.stdout == ""


def test_a_cache_folder_inside_the_ledger_is_not_used(
    make_ledger: MakeLedger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SANZHUA_CACHE_DIR pointed into the work tree (where anyone may commit files): no cache."""
    root = make_ledger({"ledgers/a.yaml": RICH})
    monkeypatch.setenv("SANZHUA_CACHE_DIR", str(root / ".cache"))
    assert not Cache(root, True).enabled
    load_ledger(root)
    assert not (root / ".cache").exists()


def _forge(path: Path, value: object) -> None:
    """A cache file with the right magic and digest around `value` (marshalled)."""
    body = marshal.dumps(value)
    path.write_bytes(_MAGIC + hashlib.blake2b(body, digest_size=32).digest() + body)


def _problems(root: Path, cache: bool) -> list[tuple[str, int, str]]:
    import io

    from sanzhua.commands.check import check

    out = io.StringIO()
    check(root, as_of=date(2026, 11, 25), fmt="json", cache=cache, out=out)
    import json

    return [(p["file"], p["line"], p["code"]) for p in json.loads(out.getvalue())["problems"]]


def test_crafted_cache_files_are_ignored(make_ledger: MakeLedger) -> None:
    """Cache files in the real cache folder that are pickles, code objects, truncated,
    or of the right digest but the wrong shape: each is ignored, and the results are
    those of a run without the cache."""
    root = make_ledger({"ledgers/a.yaml": RICH, "ledgers/b.yaml": RICH.replace("XM-", "YM-")})
    expected = _problems(root, cache=False)
    assert _problems(root, cache=True) == expected  # fills the cache
    folder = cache_dir(root)
    main = folder / "files.cache"
    good = main.read_bytes()
    stamp = Cache(root, False).stamp
    code = compile("open('/tmp/x', 'w')", "x", "exec")
    forgeries: list[bytes | object] = [
        pickle.dumps(_Boom(root / "pwned")),
        good[: len(good) // 2],  # truncated: the digest fails
        good[:-1] + bytes([good[-1] ^ 1]),  # one bit flipped
        (stamp, os.urandom(16), {"ledgers/a.yaml": code}, {}, {}),
        (stamp, os.urandom(16), {"ledgers/a.yaml": (b"x", code)}, {"ledgers/a.yaml": code}, {"settings": code}),
        (stamp, os.urandom(16), [], {}, {}),
        (stamp, b"token"),
        code,
    ]
    for forged in forgeries:
        if isinstance(forged, bytes):
            main.write_bytes(forged)
        else:
            _forge(main, forged)
        for name in ("files.results.cache", "files.delta.cache"):
            (folder / name).unlink(missing_ok=True)
        assert _problems(root, cache=True) == expected
        assert not (root / "pwned").exists()
    # An index of the right stamp whose rows are code objects and whose results are not
    # file results: a miss for each, the files parsed again.
    token = os.urandom(16)
    key = {}
    ledger = load_ledger(root, cache=False)
    for f in ("ledgers/a.yaml", "ledgers/b.yaml"):
        data = (root / f).read_bytes()
        key[f] = hashlib.blake2b(data, digest_size=16, person=str(ledger.settings.year).encode()).digest()
    _forge(main, (stamp, token, {f: (k, code) for f, k in key.items()}, {}, {}))
    results = {f: (k, b"junk", marshal.dumps(code)) for f, k in key.items()}
    _forge(folder / "files.results.cache", (stamp, token, results))
    assert _problems(root, cache=True) == expected
    assert [t.id for t in load_ledger(root).tasks] == [t.id for t in ledger.tasks]


def test_the_cache_is_plain_data_that_reads_back_equal() -> None:
    """Every field of a task, milestone, target, progress entry and extension, problems
    with hints, positions: encoded to plain data and back, equal; the codec lists the
    task's fields in the model's order."""
    assert tuple(f.name for f in dataclasses.fields(Task)) == TASK_FIELDS
    full = parse_ledger_bytes(RICH.encode(), "ledgers/a.yaml", 2026)
    assert full.problems and full.tasks[0].milestones and full.tasks[0].extensions and full.tasks[0].target
    assert full.dropped and any(t.invalid for t in full.tasks)
    raw = encode_file(full)
    assert len(raw) == len(dataclasses.fields(FileResult))  # a new field must be added to the codec
    back = decode_file(marshal.loads(marshal.dumps(raw)))
    assert back == full
    assert back.tasks == full.tasks and back.positions == full.positions
    scoring = {"weights": [1, 2.5], "since": date(2026, 1, 5)}
    settings = Settings(name="x", supervisors=("a",), extra={"scoring": scoring})
    value = (settings, [Problem("p", "error", "f", 1, 2, msg("k", when=date(2026, 1, 1)), None)])
    assert decode(marshal.loads(marshal.dumps(encode(value)))) == value


def test_a_plain_file_record_names_its_parts() -> None:
    """An edit reads a cached file record without building its tasks (load.plain.PlainFile):
    each named part is FileResult's field of that name, and the task and problem fields an
    edit reads by position (PLAIN_TASK_ID, PLAIN_TASK_TARGET, PLAIN_PROBLEM_LINE) are the
    task's id and target and the problem's line."""
    full = parse_ledger_bytes(RICH.encode(), "ledgers/a.yaml", 2026)
    named = plain_file(marshal.loads(marshal.dumps(encode_file(full))))
    assert named is not None
    assert named._fields == tuple(f.name for f in dataclasses.fields(FileResult))
    back = decode_file(named)  # as an edit builds the file's tasks from it
    assert decode_file(marshal.loads(marshal.dumps(tuple(named)))) == back
    for name in named._fields:
        if name not in ("tasks", "problems"):
            assert getattr(named, name) == getattr(back, name) == getattr(full, name), name
    assert [t[PLAIN_TASK_ID] for t in named.tasks] == [t.id for t in full.tasks]
    assert [t[PLAIN_TASK_TARGET] is None for t in named.tasks] == [t.target is None for t in full.tasks]
    assert any(t.target is not None for t in full.tasks)
    assert [p[PLAIN_PROBLEM_LINE] for p in named.problems] == [p.line for p in full.problems]
    assert len({p.line for p in full.problems}) > 1
    assert plain_file((1, 2, 3)) is None and plain_file(named[:7]) is None


def test_decoded_tasks_hold_exactly_the_models_fields_in_order() -> None:
    """The decoder stores each field of a task, a milestone and a progress entry by name
    (issue 17): every field of the model, no other, in the model's order, each equal to
    the parser's; and a cached entry of the wrong length is a miss, not a short object."""
    full = parse_ledger_bytes(RICH.encode(), "ledgers/a.yaml", 2026)
    back = decode_file(marshal.loads(marshal.dumps(encode_file(full))))
    for cls, made, parsed in [
        (Task, back.tasks, full.tasks),
        (Milestone, [m for t in back.tasks for m in t.milestones], [m for t in full.tasks for m in t.milestones]),
        (Progress, [p for t in back.tasks for p in t.progress], [p for t in full.tasks for p in t.progress]),
    ]:
        assert made, cls
        names = [f.name for f in dataclasses.fields(cls)]
        for got, want in zip(made, parsed, strict=True):
            assert list(vars(got)) == names
            assert [getattr(got, n) for n in names] == [getattr(want, n) for n in names]
    raw = encode_file(full)
    task = next(t for t in raw[1] if t[15] and t[17])  # with milestones and progress
    for short in (
        (*task[:15], tuple(m[:4] for m in task[15]), *task[16:]),
        (*task[:17], tuple(p[:6] for p in task[17]), *task[18:]),
        (*task[:17], tuple((*p, None) for p in task[17]), *task[18:]),
    ):
        with pytest.raises(BadCache):
            decode_file((*raw[:1], [short], *raw[2:]))


def test_parsed_progress_entries_are_the_models_own() -> None:
    """The parser stores a progress entry's fields one by one, without Progress's __init__
    (issue 17): each is a Progress equal to the one its __init__ makes, its fields in the
    model's order, as frozen."""
    full = parse_ledger_bytes(RICH.encode(), "ledgers/a.yaml", 2026)
    entries = [p for t in full.tasks for p in t.progress]
    assert entries
    names = [f.name for f in dataclasses.fields(Progress)]
    for p in entries:
        assert type(p) is Progress and list(vars(p)) == names
        assert p == Progress(*(getattr(p, n) for n in names)) and hash(p) == hash(Progress(**vars(p)))
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.note = "changed"  # type: ignore[misc]


def test_the_cache_stays_out_of_the_work_tree(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": RICH})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    load_ledger(root)
    _problems(root, cache=True)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert (cache_dir(root) / "files.cache").is_file()
    assert not str(cache_dir(root).resolve()).startswith(str(root.resolve()))
