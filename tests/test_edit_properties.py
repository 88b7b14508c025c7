"""Property tests: random valid edits to random valid ledgers leave a valid ledger whose
unchanged parts are byte-identical."""

from __future__ import annotations

import difflib
import io
import itertools
import re
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanzhua.commands.edit import EditRun, NewTask, done, extend, new, progress
from sanzhua.edit.fmt import comments, format_bytes
from sanzhua.load import load_ledger

TODAY = date(2026, 11, 25)
EN = {
    "id": "id",
    "title": "title",
    "due": "due",
    "start": "start",
    "progress": "progress",
    "status": "status",
    "date": "date",
    "note": "note",
    "percent": "percent",
    "owner": "owner",
    "unit": "unit",
    "tasks": "tasks",
}
ZH = {
    "id": "编号",
    "title": "任务",
    "due": "时限",
    "start": "开始",
    "progress": "进展",
    "status": "状态",
    "date": "日期",
    "note": "情况",
    "percent": "进度",
    "owner": "责任人",
    "unit": "责任单位",
    "tasks": "任务清单",
}

words = st.sampled_from(
    ["修路", "项目前期", "A区: 拆迁", "绿化 #2", "yes", "100", "建设, 验收", "'引号'", "完成60%"]
)
day = st.dates(min_value=date(2026, 3, 1), max_value=date(2026, 10, 31))


@st.composite
def ledgers(draw: st.DrawFn) -> tuple[bytes, list[tuple[str, date, date]]]:
    k = EN if draw(st.booleans()) else ZH
    crlf = draw(st.booleans())
    bom = draw(st.booleans())
    flow = draw(st.booleans())
    blank = draw(st.booleans())
    dash = draw(st.sampled_from([0, 2, 4]))
    gap = draw(st.sampled_from([1, 1, 3]))  # spaces after "- "
    col = dash + 1 + gap
    off = draw(st.sampled_from([0, 2, 4]))  # a progress list's "-" right of its key
    trailing = draw(st.sampled_from(["", "   # 注释", "  #\t制表符 注释"]))
    lines = ["---"] if draw(st.booleans()) else []
    lines += ["# 测试台账"] if draw(st.booleans()) else []
    lines += [f"{k['unit']}: fgw" + trailing, f"{k['tasks']}:"]
    tasks: list[tuple[str, date, date]] = []
    n = draw(st.integers(1, 4))
    for i in range(n):
        start = draw(day)
        due = start + timedelta(days=draw(st.integers(10, 200)))
        tid = f"T-{i + 1:03d}"
        tasks.append((tid, start, due))
        if blank and i:
            lines.append("")
        if draw(st.integers(0, 5)) == 0:
            # the whole task as one flow mapping
            lines.append(
                " " * dash
                + f"- {{{k['id']}: {tid}, {k['title']}: 任务{i}, {k['start']}: {start.isoformat()}, "
                + f"{k['due']}: {due.isoformat()}"
                + (f", {k['progress']}: []" if draw(st.booleans()) else "")
                + "}"
                + trailing
            )
            continue
        lines.append(" " * dash + "-" + " " * gap + f"{k['id']}: {tid}")
        lines.append(
            " " * col + f"{k['title']}: 任务{i}" + ("   # 备注" if draw(st.booleans()) else "")
        )
        if draw(st.booleans()):
            lines.append(" " * col + f"{k['owner']}:  张某")
        lines.append(" " * col + f"{k['start']}: {start.isoformat()}")
        lines.append(
            " " * col
            + f"{k['due']}: "
            + (f"'{due.isoformat()}'" if draw(st.booleans()) else due.isoformat())
            + trailing
        )
        if draw(st.booleans()):
            lines.append(
                " " * col + f"{k['status']}: " + ("active" if k is EN else "推进中") + trailing
            )
        shape = draw(st.sampled_from(["none", "list", "list", "empty"]))
        if shape == "empty":
            lines.append(" " * col + f"{k['progress']}: []" + trailing)
        if shape == "list":
            lines.append(" " * col + f"{k['progress']}:" + trailing)
            for _ in range(draw(st.integers(1, 2))):
                if flow:
                    lines.append(
                        " " * (col + off)
                        + f"- {{{k['date']}: {start.isoformat()}, {k['percent']}: 10}}"
                        + trailing
                    )
                else:
                    lines.append(" " * (col + off) + f"- {k['date']}: {start.isoformat()}")
                    lines.append(" " * (col + off + 2) + f"{k['percent']}: 10")
                    if draw(st.booleans()):
                        lines.append(" " * (col + off + 2) + f"{k['note']}: |")
                        lines.append(" " * (col + off + 4) + "多行情况")
                        lines.append(" " * (col + off + 4) + "# 不是注释")
            if draw(st.booleans()):
                lines.append(" " * (col + off) + "# 进展写在上面")
    text = "\n".join(lines) + ("\n" if draw(st.booleans()) else "")
    if crlf:
        text = text.replace("\n", "\r\n")
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"), tasks


def setup(root: Path, data: bytes) -> Path:
    (root / "sanzhua.yaml").write_text("name: t\nyear: 2026\n", encoding="utf-8")
    (root / "units.yaml").write_text("units:\n  - {id: fgw, name: 县发改委}\n", encoding="utf-8")
    (root / "ledgers").mkdir()
    path = root / "ledgers" / "fgw.yaml"
    path.write_bytes(data)
    return path


_TASK_LINE = re.compile(r"^\s*-\s+\{?(?:id|编号): (T-\d+)")


def task_lines(data: bytes, tid: str) -> range:
    """0-based line range of one task in the file (its '- id' line up to the next task)."""
    lines = data.splitlines()
    starts = [i for i, line in enumerate(lines) if _TASK_LINE.match(line.decode("utf-8-sig"))]
    me = next(i for i in starts if line_id(lines[i]) == tid)
    nxt = next((i for i in starts if i > me), len(lines))
    return range(me, nxt + 1)


def line_id(line: bytes) -> str:
    m = _TASK_LINE.match(line.decode("utf-8-sig"))
    assert m is not None
    return m.group(1)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(), st.data())
def test_random_edits_keep_everything_else(
    ledger: tuple[bytes, list[tuple[str, date, date]]], data: st.DataObject
) -> None:
    raw, tasks = ledger
    tid, start, due = data.draw(st.sampled_from(tasks))
    kind = data.draw(st.sampled_from(["progress", "done", "extend", "new"]))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        path = setup(root, raw)
        assert not [
            p
            for f in load_ledger(root, cache=False).files
            for p in f.problems
            if p.severity == "error"
        ]
        run = EditRun(root, TODAY, out=io.StringIO(), err=io.StringIO())
        when = (start + timedelta(days=data.draw(st.integers(0, 30)))).isoformat()
        if kind == "progress":
            code = progress(
                run,
                tid,
                percent=str(data.draw(st.integers(0, 100))),
                note=data.draw(words),
                when=when,
            )
        elif kind == "done":
            code = done(run, tid, when=when)
        elif kind == "extend":
            code = extend(
                run,
                tid,
                to=(due + timedelta(days=30)).isoformat(),
                approved_by=data.draw(words),
                ref=data.draw(words),
                when=when,
            )
        else:
            code = new(run, NewTask(unit="fgw", title=data.draw(words), due="2026-12-31"))
        assert code == 0, run.err.getvalue()  # type: ignore[union-attr]
        after = path.read_bytes()
        ledger_after = load_ledger(root, cache=False)
        assert not [p for f in ledger_after.files for p in f.problems if p.severity == "error"]
        assert after.startswith(b"\xef\xbb\xbf") == raw.startswith(b"\xef\xbb\xbf")
        if b"\r\n" in raw:
            assert b"\n" not in after.replace(b"\r\n", b"")
        a = raw.splitlines(keepends=True)
        b = after.splitlines(keepends=True)
        allowed = task_lines(raw, tid) if kind != "new" else range(len(a) - 1, len(a) + 1)
        for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(
            None, a, b, autojunk=False
        ).get_opcodes():
            if tag == "equal":
                continue
            # only the edited task's lines change (a last line may gain its newline)
            assert i1 in allowed or (i1 == len(a) and len(a) - 1 in allowed), (tag, i1, i2, kind)
            if tag != "insert":
                assert all(i in allowed for i in range(i1, i2))
        if kind in ("progress", "new"):
            removed = [
                x
                for t, i1, i2, _, _ in difflib.SequenceMatcher(
                    None, a, b, autojunk=False
                ).get_opcodes()
                if t in ("replace", "delete")
                for x in a[i1:i2]
            ]
            # only a last line without a newline may be rewritten (it gains one), or the
            # line of a flow value that the entry goes into (`[]`, a task in flow style)
            assert all(
                not x.endswith(b"\n") or b"[]" in x or x.lstrip().startswith(b"- {")
                for x in removed
            ), removed
        by_id = {t.id: t for t in ledger_after.tasks}
        if kind == "done":
            assert by_id[tid].done == date.fromisoformat(when)
        if kind == "extend":
            assert by_id[tid].due == due + timedelta(days=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_fmt_keeps_tasks_and_comments_and_is_idempotent(
    ledger: tuple[bytes, list[tuple[str, date, date]]],
) -> None:
    raw, _ = ledger
    once, why = format_bytes(raw, "ledgers/fgw.yaml", 2026)
    assert once is not None, why  # format_bytes itself checks the tasks read back the same
    assert once.startswith(b"\xef\xbb\xbf") == raw.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in raw:
        assert b"\n" not in once.replace(b"\r\n", b"")
    text = once.decode("utf-8-sig").replace("\r\n", "\n")
    assert comments(text) == comments(raw.decode("utf-8-sig").replace("\r\n", "\n"))
    assert format_bytes(once, "ledgers/fgw.yaml", 2026) == (once, "")
    # two spaces a level, lists under their key
    for line in text.split("\n"):
        if line.strip() and not line.lstrip().startswith("#"):
            assert (len(line) - len(line.lstrip(" "))) % 2 == 0, line


# -- the linear line matching and diff (issue 14.8) -------------------------------------

_LINES = st.lists(st.sampled_from(["a", "b", "c", "  - x", "", "# c"]), max_size=25)


@given(_LINES, st.lists(st.tuples(st.integers(0, 30), st.sampled_from(["ins", "del", "set"]),
                                  st.sampled_from(["a", "z", "new"])), max_size=4))
@settings(max_examples=300, deadline=None)
def test_same_lines_pairs_equal_lines_in_order(old: list[str], ops: list[tuple[int, str, str]]) -> None:
    from sanzhua.edit.ops import same_lines
    from sanzhua.edit.source import unified_diff

    new = list(old)
    for at, op, line in ops:
        k = min(at, len(new))
        if op == "ins":
            new.insert(k, line)
        elif new:
            k = min(k, len(new) - 1)
            if op == "del":
                del new[k]
            else:
                new[k] = line
    pairs = same_lines(old, new)
    assert all(old[i] == new[j] for i, j in pairs)
    assert all(a[0] < b[0] and a[1] < b[1] for a, b in itertools.pairwise(pairs))
    # An edit that touches one stretch leaves its head and tail paired.
    head = next((k for k in range(min(len(old), len(new))) if old[k] != new[k]), min(len(old), len(new)))
    assert [(k, k) for k in range(head)] == pairs[:head]
    # The shortened diff says the same as difflib's over the whole files.
    before = "".join(x + "\n" for x in old).encode()
    after = "".join(x + "\n" for x in new).encode()
    ours = unified_diff(before, after, "f.yaml")
    assert (ours == "") == (before == after)
    if ours:
        removed = [ln[1:] for ln in ours.splitlines()[2:] if ln.startswith("-")]
        added = [ln[1:] for ln in ours.splitlines()[2:] if ln.startswith("+")]
        assert len(removed) - len(added) == len(old) - len(new)


def test_rebuild_keeps_mixed_endings_of_a_big_file_fast() -> None:
    """60,000 lines with mixed endings and one line changed: each unchanged line keeps its
    own ending (the old difflib matching took minutes on such files)."""
    import time

    from sanzhua.edit.ops import rebuild
    from sanzhua.edit.source import Source

    lines = [f"    - {{date: 2026-01-01, note: 第{i}条}}" for i in range(60_000)]
    data = "".join(line + ("\r\n" if i % 3 == 0 else "\n") for i, line in enumerate(lines)).encode()
    source = Source(data)
    text = source.text.replace("note: 第30000条}", "note: 改}", 1)
    t0 = time.process_time()
    out = rebuild(source, text)
    assert time.process_time() - t0 < 5
    # the changed line takes the file's most common ending, the others keep their own
    want = data.replace("note: 第30000条}\r\n".encode(), "note: 改}\n".encode(), 1)
    assert out == want
