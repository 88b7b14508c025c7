"""One ledger file (ledgers/**/*.yaml) → typed tasks and the problems found.

This is the per-file stage: it needs nothing but the file's bytes, its path and the
ledger's `year`, so it runs in worker processes and its result is cached by content.
It says only what the file says: the checks, even those about one task alone
(sanzhua.checks.per_task), are the check layer's business.
"""

from __future__ import annotations

import marshal
import re
import unicodedata
from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date
from sys import intern
from typing import TYPE_CHECKING, Any

from sanzhua.dates import DateError, parse_when
from sanzhua.load import keys as K
from sanzhua.load.yamlfast import YMap, YSeq, decode, parse
from sanzhua.model import MAX_WEIGHT, Extension, Milestone, Progress, Return, Target, Task, Verification
from sanzhua.problems import Msg, Problem, msg
from sanzhua.textsafe import SHOWN_CHARS

_FILE_KEYS = K.reverse(K.FILE_KEYS)
_TASK_KEYS = K.reverse(K.TASK_KEYS)
_MS_KEYS = K.reverse(K.MILESTONE_KEYS)
_TARGET_KEYS = K.reverse(K.TARGET_KEYS)
_PROGRESS_KEYS = K.reverse(K.PROGRESS_KEYS)
_EXT_KEYS = K.reverse(K.EXTENSION_KEYS)
_VERIFIED_KEYS = K.reverse(K.VERIFIED_KEYS)
_RETURNED_KEYS = K.reverse(K.RETURNED_KEYS)

_IMPOSSIBLE_HINTS = {"quarter": "date.quarter.hint", "half": "date.half.hint"}  # by DateError.part
_LIST_EXAMPLES = {
    "milestones": "{name: 完成可研批复, due: 2026-05-31}",
    "progress": "{date: 2026-06-05, note: …}",
    "extensions": "{from: 2026-09-30, to: 2026-12-31, approved_by: …}",
    "returned": "{date: 2026-11-20, by: ducha@example.gov.cn, reason: …}",
}
_DAYS: dict[date, date] = {}  # one object per day, shared (see _text)
# Dates as written → the day (a ledger writes the same few hundred dates again and again).
_WHEN: dict[tuple[str, int], date] = {}
_WHEN_MAX = 50_000
_ID_RE = re.compile(r"^[\w.\-]+$")
_LIST_SPLIT = re.compile(r"[、,，;；\s]+")
_ITEM_SPLIT = re.compile(r"\s*[、,，;；]\s*")


@dataclass
class FileResult:
    """What one ledger file holds. `unit` is the file's default lead unit."""

    path: str
    tasks: list[Task] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unit: str | None = None
    unit_pos: tuple[int, int] = (0, 0)
    # Where things stand, for checks that need more than a task's own line:
    # task id → {field: (line, col)} of the values a check may point at; a later task
    # with an id already used in the file is under "id\0line" (NUL is in no YAML text). Read with positions_of.
    positions: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)
    key_style: str = "en"  # "en", "zh" or "mixed": which key names the file uses
    # Task entries that could not be built (no id or title, not a mapping): (line, the id
    # if one can be read, even under a misspelt key), for reports to name what they leave out.
    dropped: list[tuple[int, str | None]] = field(default_factory=list)

    def positions_of(self, task: Task) -> dict[str, tuple[int, int]]:
        """Where the values of one task of the file stand: field → (line, column)."""
        return self.positions.get(f"{task.id}\0{task.line}") or self.positions.get(task.id) or {}

    if not TYPE_CHECKING:  # to the type checker, `positions` is the field it always is

        def __getattr__(self, name: str) -> Any:
            """`positions` of a result read from the cache, decoded when first read
            (`positions_later`): a report never reads them (issue 17)."""
            if name == "positions":
                blob = self.__dict__.pop(_POSITIONS_LATER, None)
                if blob is not None:
                    value = self.__dict__["positions"] = positions_from(blob)
                    return value
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")


_POSITIONS_LATER = "_positions_later"  # where a FileResult keeps its positions, encoded


def positions_blob(positions: dict[str, dict[str, tuple[int, int]]]) -> bytes:
    """A file's positions as the cache keeps them: marshalled on their own, so that reading
    a file's result from the cache need not build them (`positions_later`)."""
    return marshal.dumps(positions, 4)


def positions_from(blob: bytes) -> dict[str, dict[str, tuple[int, int]]]:
    """`positions_blob`'s positions back; none from a blob that is not of its making (the
    cache file's digest stands before it, so only a forged file has one)."""
    try:
        got = marshal.loads(blob)
    except (EOFError, TypeError, ValueError):
        return {}
    return got if type(got) is dict else {}


def positions_later(result: FileResult, blob: bytes) -> FileResult:
    """`result` with its positions those of `blob` (`positions_blob`), decoded when
    `result.positions` is first read: tests/test_cache_safety.py holds the two equal."""
    del result.__dict__["positions"]
    result.__dict__[_POSITIONS_LATER] = blob
    return result


# The problems one file's reading lists; past them each is counted, not made, and one
# `too-many-problems` says how many more there are (issue 14): 3.2 million bare `- ` items
# (9.6 MB) made 3.2 million problems, 43 s of CPU and 6.3 GB for `check`.
MAX_FILE_PROBLEMS = 10_000


class _Ctx:
    __slots__ = ("more_errors", "more_warnings", "path", "problems", "task_id", "year")

    def __init__(self, path: str, year: int) -> None:
        self.path = path
        self.year = year
        self.problems: list[Problem] = []
        self.task_id: str | None = None
        self.more_errors = 0
        self.more_warnings = 0

    def full(self) -> bool:
        return len(self.problems) >= MAX_FILE_PROBLEMS

    def err(self, code: str, pos: tuple[int, int], m: Msg, hint: Msg | None = None, severity: str = "error") -> None:
        if len(self.problems) >= MAX_FILE_PROBLEMS:
            if severity == "error":
                self.more_errors += 1
            else:
                self.more_warnings += 1
            return
        self.problems.append(
            Problem(
                code, "error" if severity == "error" else "warning", self.path, pos[0], pos[1], m, hint, self.task_id
            )
        )

    def unlisted(self) -> Problem | None:
        """The one problem that says how many were counted and not listed."""
        more = self.more_errors + self.more_warnings
        if not more:
            return None
        last = self.problems[-1]
        return Problem(
            "too-many-problems",
            "error" if self.more_errors else "warning",
            self.path,
            last.line,
            last.column,
            msg(
                "file.too-many-problems",
                shown=f"{len(self.problems):,}",
                more=f"{more:,}",
                errors=f"{self.more_errors:,}",
            ),
            msg("file.too-many-problems.hint"),
        )


def parse_ledger_bytes(data: bytes, path: str, year: int) -> FileResult:
    """Read one ledger file from bytes. Never raises for bad input."""
    result = FileResult(path)
    text, problems = decode(data, path)
    if text is None:
        result.problems.extend(problems)
        return result
    doc = parse(text, path, data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
    result.problems.extend(doc.problems)
    root = doc.root
    if doc.problems and root is None:
        return result
    ctx = _Ctx(path, year)
    if root is None:
        ctx.err("missing-key", (1, 1), msg("file.empty"), msg("file.empty.hint"))
        result.problems.extend(ctx.problems)
        return result
    if not isinstance(root, YMap):
        hint = _scalar_hint(root) or msg("file.not-mapping.hint")
        line, col = (root.line, root.col) if isinstance(root, YSeq) else (1, 1)
        ctx.err("invalid-value", (line, col), msg("file.not-mapping"), hint)
        result.problems.extend(ctx.problems)
        return result
    styles: set[str] = set()
    unit_invalid = False
    tasks_node: Any = None
    tasks_key = "tasks"
    got = _fields(ctx, root, _FILE_KEYS, K.FILE_KEYS, styles)
    guessed = got.guessed  # `task:` for `tasks:` is reported once, as an unknown key
    for key, eng in got.items():
        if eng == "unit":
            v = root[key]
            if isinstance(v, str) and v.strip():
                result.unit = v.strip()
                result.unit_pos = root.value_pos(key)
            elif v is not None and not isinstance(v, str):
                unit_invalid = True
                ctx.err("invalid-value", root.value_pos(key), msg("value.text", key=key), msg("file.unit.hint"))
        else:
            tasks_node = root[key]
            tasks_key = key
    if tasks_node is None:
        if "tasks" not in got.values() and "tasks" not in guessed:
            ctx.err("missing-key", (root.line, root.col), msg("file.no-tasks"), msg("file.no-tasks.hint"))
    elif not isinstance(tasks_node, YSeq):
        ctx.err(
            "invalid-value",
            root.value_pos(tasks_key),
            msg("file.tasks-not-list", key=tasks_key),
            msg("file.tasks-not-list.hint"),
        )
    else:
        for i, item in enumerate(tasks_node):
            ctx.task_id = None
            if not isinstance(item, YMap):
                pos = tasks_node.item_pos(i)
                if ctx.full():
                    ctx.more_errors += 1
                else:
                    hint = _scalar_hint(item) or msg("task.not-mapping.hint")
                    ctx.err("invalid-value", pos, msg("task.not-mapping"), hint)
                result.dropped.append((pos[0], None))
                continue
            task = _build_task(ctx, item, result, styles)
            if task is not None:
                result.tasks.append(task)
    if result.unit is None and not unit_invalid and "unit" not in guessed:
        # Said once for the file: the fix is one `unit:` line at the top (or a `lead:` per task).
        orphan = next((t for t in result.tasks if not t.lead), None)
        if orphan is not None:
            ctx.task_id = orphan.id
            ctx.err("missing-key", (root.line, root.col), msg("file.no-unit", task=orphan.id), msg("task.no-lead.hint"))
    result.problems.extend(ctx.problems)
    unlisted = ctx.unlisted()
    if unlisted is not None:
        result.problems.append(unlisted)
    result.key_style = "mixed" if len(styles) > 1 else (styles.pop() if styles else "en")
    return result


def _blank(v: Any) -> bool:
    """Nothing written (`key:`) or only an empty text: a missing value, not a wrong kind of one."""
    return v is None or (isinstance(v, str) and not v.strip())


def _scalar_hint(v: Any) -> Msg | None:
    if isinstance(v, str) and "：" in v:
        return msg("yaml.fullwidth-colon.hint")
    return None


def _unknown_key(ctx: _Ctx, m: YMap, key: str, choices: list[str]) -> str | None:
    guess = K.did_you_mean(key, choices)
    if "：" in key or ":" in key:
        hint = msg("yaml.fullwidth-colon.hint")
    elif guess:
        hint = msg("key.did-you-mean", guess=guess)
    else:
        hint = msg("key.known", known="、".join(c for c in choices if c.isascii()))
    ctx.err("unknown-key", m.key_pos(key), msg("key.unknown", key=key), hint)
    return guess


class _Fields(dict[str, str]):
    """A mapping's keys → their English names; `by`, English names → the keys; and
    `guessed`: what its unknown keys were meant to be → where they stand (so that `titel:`
    is not also reported as a missing `title`)."""

    __slots__ = ("by", "guessed")

    def __init__(self) -> None:
        super().__init__()
        self.guessed: dict[str, tuple[int, int]] = {}
        self.by: dict[str, str] = {}


def _fields(
    ctx: _Ctx, m: YMap, table: dict[str, str], choices: dict[str, str], styles: set[str] | None = None
) -> _Fields:
    """Map each key of `m` to its English name; report unknown and doubled keys.

    The result is shared between mappings with the same keys (read it, never change it)."""
    memo = (id(table), *m)
    hit = _KNOWN.get(memo)
    if hit is not None:
        if styles is not None:
            styles.update(hit[1])
        return hit[0]
    before = len(ctx.problems)
    mine: set[str] = set()
    out = _fields_of(ctx, m, table, choices, mine)
    out.by = {eng: key for key, eng in out.items()}
    if styles is not None:
        styles.update(mine)
    if len(ctx.problems) == before and not out.guessed:
        if len(_KNOWN) >= _KNOWN_MAX:
            _KNOWN.clear()
        _KNOWN[memo] = (out, frozenset(mine))
    return out


# Mappings whose keys were all known, by their keys: most tasks of a ledger are written
# with the same few sets of keys in the same order.
_KNOWN: dict[tuple[object, ...], tuple[_Fields, frozenset[str]]] = {}
_KNOWN_MAX = 10_000


def _fields_of(ctx: _Ctx, m: YMap, table: dict[str, str], choices: dict[str, str], styles: set[str]) -> _Fields:
    out = _Fields()
    for key in m:
        eng = table.get(key)
        if eng is None and key[:1] == "\u3000":
            # Indented with full-width spaces: YAML took them for part of the key.
            ctx.err("syntax", m.key_pos(key), msg("yaml.fullwidth-space"), msg("yaml.fullwidth-space.hint"))
            eng = table.get(unicodedata.normalize("NFKC", key).strip().lower())
            if eng is None or eng in out.values():
                continue
        elif eng is None:
            spelled = unicodedata.normalize("NFKC", key).strip().lower()
            eng = table.get(spelled)
            if eng is None or eng in out.values():
                guess = _unknown_key(ctx, m, key, list(choices) + list(choices.values()))
                if guess is not None:
                    out.guessed.setdefault(table[guess], m.key_pos(key))
                continue
            # `title　` (a full-width space) or `Title`: say so, but read it, so that
            # the task is not also reported as lacking its title.
            ctx.err("unknown-key", m.key_pos(key), msg("key.unknown", key=key), msg("key.spelled", guess=spelled))
        if eng in out.values():
            other = next(k for k, e in out.items() if e == eng)
            ctx.err(
                "duplicate-key",
                m.key_pos(key),
                msg("key.twice", key=key, other=other),
                msg("key.twice.hint", key=key, other=other),
            )
            continue
        styles.add("en" if key == eng else "zh")
        out[key] = eng
    return out


def _text(ctx: _Ctx, m: YMap, key: str) -> str | None:
    v = m[key]
    if v is None:
        return None
    if isinstance(v, str):
        v = v.strip()
        # Short texts repeat (units, owners, leaders, categories): one object each keeps
        # memory down and lets the cache's marshal store them once (by reference).
        return (intern(v) if len(v) <= 24 else v) or None
    ctx.err("invalid-value", m.value_pos(key), msg("value.text", key=key), msg("value.text.hint", key=key))
    return None


def _date(ctx: _Ctx, m: YMap, key: str) -> tuple[date | None, str | None]:
    v = m[key]
    if v is None:
        return None, None
    if not isinstance(v, str):
        ctx.err("invalid-date", m.value_pos(key), msg("date.not-text", key=key), msg("date.hint"))
        return None, None
    text = v.strip()
    if not text:
        return None, None
    day = _WHEN.get((text, ctx.year))
    if day is None:
        try:
            day = parse_when(text, ctx.year)
        except DateError as e:
            _bad_date(ctx, m, key, text, e)
            return None, None
        if len(_WHEN) >= _WHEN_MAX:
            _WHEN.clear()  # bounded: a file of a million distinct dates must not hold them all
        day = _WHEN[(text, ctx.year)] = _DAYS.setdefault(day, day)
    return day, text


def _bad_date(ctx: _Ctx, m: YMap, key: str, text: str, e: DateError) -> None:
    if e.part == "year-range":
        hint = msg("date.year-range.hint")
        ctx.err("invalid-date", m.value_pos(key), msg("date.year-range", key=key, text=text), hint)
    elif e.reason == "impossible":
        ctx.err(
            "invalid-date",
            m.value_pos(key),
            msg("date.impossible", key=key, text=text, detail_zh=e.detail_zh, detail_en=str(e)),
            msg(_IMPOSSIBLE_HINTS.get(e.part, "date.impossible.hint")),
        )
    else:
        hint = _unreadable_hint(key, text, ctx.year)
        ctx.err("invalid-date", m.value_pos(key), msg("date.unreadable", key=key, text=text), hint)


_YES = frozenset({"是", "已完成", "完成", "已办结", "办结", "yes", "y", "true", "ok", "√", "✓", "✔"})
_MONTH_DOT = re.compile(r"([0-9]{1,2})[./]([0-9]{1,2})")


def _unreadable_hint(key: str, text: str, year: int) -> Msg:
    """The hint for a date that cannot be read: for the slips clerks make, the fix itself."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if key in ("done", K.TASK_KEYS["done"]) and plain.lower() in _YES:
        return msg("date.done-yes.hint", key=key)
    dot = _MONTH_DOT.fullmatch(plain)
    if dot is not None and 1 <= int(dot.group(1)) <= 12 and 1 <= int(dot.group(2)) <= 31:
        return msg("date.month-dot.hint", month=int(dot.group(1)), day=int(dot.group(2)), year=year)
    return msg("date.hint")


def _number(ctx: _Ctx, m: YMap, key: str) -> float | None:
    v = m[key]
    if v is None:
        return None
    if isinstance(v, str):
        t = unicodedata.normalize("NFKC", v).strip().replace(",", "").rstrip("%").strip()
        try:
            f = float(t)
        except ValueError:
            pass
        else:
            if f == f and f not in (float("inf"), float("-inf")):
                return f
    ctx.err("invalid-value", m.value_pos(key), msg("value.number", key=key, text=str(v)), msg("value.number.hint"))
    return None


def _text_list(ctx: _Ctx, m: YMap, key: str) -> tuple[str, ...]:
    v = m[key]
    if v is None:
        return ()
    if isinstance(v, str):
        return tuple(p for p in _LIST_SPLIT.split(v.strip()) if p)
    if isinstance(v, YSeq):
        out: list[str] = []
        for i, item in enumerate(v):
            if isinstance(item, str) and item.strip():
                # `[东屯镇、城关镇]`: clerks separate with 、 or ， inside the brackets too
                out.extend(p for p in _ITEM_SPLIT.split(item.strip()) if p)
            elif item is not None:
                ctx.err(
                    "invalid-value",
                    v.item_pos(i),
                    msg("value.text-list", key=key),
                    msg("value.text-list.hint", key=key),
                )
        return tuple(out)
    ctx.err("invalid-value", m.value_pos(key), msg("value.text-list", key=key), msg("value.text-list.hint", key=key))
    return ()


def _items(ctx: _Ctx, m: YMap, key: str) -> list[tuple[YMap, tuple[int, int]]]:
    """The mappings of a list value (milestones, progress, extensions)."""
    v = m[key]
    if v is None:
        return []
    if isinstance(v, YMap):
        return [(v, (v.line, v.col))]  # a single entry written without the "- "
    example = _LIST_EXAMPLES.get(_TASK_KEYS.get(key, ""), _LIST_EXAMPLES["progress"])
    if not isinstance(v, YSeq):
        ctx.err("invalid-value", m.value_pos(key), msg("value.list", key=key), msg("value.list.hint", example=example))
        return []
    out: list[tuple[YMap, tuple[int, int]]] = []
    for i, item in enumerate(v):
        if isinstance(item, YMap):
            out.append((item, v.item_pos(i)))
        else:
            ctx.err(
                "invalid-value",
                v.item_pos(i),
                msg("value.entry", key=key),
                _scalar_hint(item) or msg("value.entry.hint", example=example),
            )
    return out


def _require(ctx: _Ctx, m: YMap, pos: tuple[int, int], got: _Fields, name: str, zh: str, where: str) -> bool:
    if name in got.values():
        return True
    if name in got.guessed:
        return False  # `titel: …` says already that `title` is missing
    ctx.err(
        "missing-key", pos, msg("key.missing", key=name, zh=zh, where=where), msg("key.missing.hint", key=name, zh=zh)
    )
    return False


def _build_task(ctx: _Ctx, m: YMap, result: FileResult, styles: set[str]) -> Task | None:
    """One task entry → a Task (None when it has no usable id or title: then it is
    listed in `result.dropped`), its values' positions kept in `result.positions`."""
    first_problem = len(ctx.problems)
    got = _fields(ctx, m, _TASK_KEYS, K.TASK_KEYS, styles)
    by = got.by
    tid = _task_id(ctx, m, by, first_problem)
    ok = _require(ctx, m, (m.line, m.col), got, "id", "编号", "task")
    ok = _require(ctx, m, (m.line, m.col), got, "title", "任务", "task") and ok
    title = _title(ctx, m, by)
    positions: dict[str, tuple[int, int]] = {}
    if title is not None and len(title) > SHOWN_CHARS:  # where check's long-title points (issue 14)
        positions["title"] = m.value_pos(by["title"])
    invalid: list[str] = []  # the fields the states depend on that cannot be read
    due, due_text = _task_date(ctx, m, by, "due", positions, invalid)
    if "due" not in by and "due" in got.guessed:
        positions["due"] = got.guessed["due"]  # `dua: 年底`: the unknown key says it, missing-key need not
    start, _ = _task_date(ctx, m, by, "start", positions, invalid)
    done, _ = _task_date(ctx, m, by, "done", positions, invalid)
    status = _status(ctx, m, by, positions, invalid)
    milestones = _milestones(ctx, m, by, positions, invalid) if "milestones" in by else []
    target = _target(ctx, m, by["target"]) if "target" in by else None
    progress = _progress(ctx, m, by, positions) if "progress" in by else []
    extensions = _extensions(ctx, m, by, positions) if "extensions" in by else []
    weight = _weight(ctx, m, by["weight"]) if "weight" in by else None
    cycle = _cycle(ctx, m, by, positions)
    lead = _text(ctx, m, by["lead"]) if "lead" in by else None
    if "lead" in by:
        positions["lead"] = m.pos[by["lead"]][2:]
    if "partners" in by:
        _partner_positions(m, by["partners"], positions)
    parent = _text(ctx, m, by["parent"]) if "parent" in by else None
    if "parent" in by:
        positions["parent"] = m.pos[by["parent"]][2:]
    if not ok or tid is None or title is None:
        result.dropped.append((m.line, tid or _stray_id(m, got)))
        return None
    # A duplicated id's later tasks keep theirs under "id\0line" (see FileResult.positions_of).
    result.positions[tid if tid not in result.positions else f"{tid}\0{m.line}"] = positions
    return _task(
        id=tid,
        title=title,
        lead=lead or result.unit or "",
        file=ctx.path,
        line=m.line,
        start=start or date(ctx.year, 1, 1),
        due=due,
        due_text=due_text,
        category=_text(ctx, m, by["category"]) if "category" in by else None,
        source=_text(ctx, m, by["source"]) if "source" in by else None,
        partners=_text_list(ctx, m, by["partners"]) if "partners" in by else (),
        owner=_text(ctx, m, by["owner"]) if "owner" in by else None,
        leader=_text(ctx, m, by["leader"]) if "leader" in by else None,
        start_given=start is not None,
        milestones=tuple(milestones),
        target=target,
        progress=tuple(progress),
        status=status,
        done=done,
        parent=parent,
        extensions=tuple(extensions),
        supervision=_text(ctx, m, by["supervision"]) if "supervision" in by else None,
        tags=_text_list(ctx, m, by["tags"]) if "tags" in by else (),
        weight=weight,
        lead_given=lead is not None,
        column=m.col,
        latest_entry=max([p.date for p in progress]) if progress else None,
        latest_mark=max((ms.done for ms in milestones if ms.done is not None), default=None),
        invalid=tuple(invalid),
        **cycle,
    )


def _task_id(ctx: _Ctx, m: YMap, by: dict[str, str], first_problem: int) -> str | None:
    """The task's id (None when it cannot be read), set as the id the problems found
    from here on name; those found before it was known are given it too."""
    tid: str | None = None
    if "id" in by:
        tid = _text(ctx, m, by["id"])
        if tid is not None and not _ID_RE.match(tid):
            ctx.err("invalid-value", m.value_pos(by["id"]), msg("task.bad-id", id=tid), msg("task.bad-id.hint"))
            tid = None
        elif tid is None and _blank(m[by["id"]]):
            hint = msg("key.missing.hint", key="id", zh="编号")
            ctx.err("missing-key", m.value_pos(by["id"]), msg("task.empty-id"), hint)
    ctx.task_id = tid
    if tid is not None and len(ctx.problems) > first_problem:
        # Keys were checked before the id was known: the problems found so far belong to this task.
        ctx.problems[first_problem:] = [p if p.task else replace(p, task=tid) for p in ctx.problems[first_problem:]]
    return tid


def _title(ctx: _Ctx, m: YMap, by: dict[str, str]) -> str | None:
    if "title" not in by:
        return None
    title = _text(ctx, m, by["title"])
    if title is None and _blank(m[by["title"]]):
        ctx.err(
            "missing-key",
            m.value_pos(by["title"]),
            msg("task.empty-title"),
            msg("key.missing.hint", key="title", zh="任务"),
        )
    return title


def _task_date(
    ctx: _Ctx, m: YMap, by: dict[str, str], name: str, positions: dict[str, tuple[int, int]], invalid: list[str]
) -> tuple[date | None, str | None]:
    """One of the task's own dates (due, start, done): "invalid" when written and unreadable."""
    if name not in by:
        return None, None
    before = len(ctx.problems)
    got = _date(ctx, m, by[name])
    if len(ctx.problems) > before:
        invalid.append(name)
    positions[name] = m.pos[by[name]][2:]  # value_pos of a key the mapping has, without a call
    return got


def _status(
    ctx: _Ctx, m: YMap, by: dict[str, str], positions: dict[str, tuple[int, int]], invalid: list[str]
) -> str:
    if "status" not in by:
        return "active"
    status = "active"
    raw = _text(ctx, m, by["status"])
    if raw is not None:
        s = K.STATUS_ALIASES.get(raw) or K.STATUS_ALIASES.get(raw.lower())
        if s is None:
            guess = K.did_you_mean(raw, list(K.STATUS_ALIASES))
            hint = msg("status.did-you-mean", guess=guess) if guess else msg("status.hint")
            ctx.err("invalid-value", m.value_pos(by["status"]), msg("status.unknown", value=raw), hint)
            invalid.append("status")
        else:
            status = s
    positions["status"] = m.pos[by["status"]][2:]
    return status


def _milestones(
    ctx: _Ctx, m: YMap, by: dict[str, str], positions: dict[str, tuple[int, int]], invalid: list[str]
) -> list[Milestone]:
    milestones: list[Milestone] = []
    for item, ipos in _items(ctx, m, by["milestones"]):
        before = len(ctx.problems)
        mg = _fields(ctx, item, _MS_KEYS, K.MILESTONE_KEYS)
        mb = mg.by
        has = _require(ctx, item, ipos, mg, "name", "名称", "milestone")
        has = _require(ctx, item, ipos, mg, "due", "时限", "milestone") and has
        name = _text(ctx, item, mb["name"]) if "name" in mb else None
        mdue, mdue_text = _date(ctx, item, mb["due"]) if "due" in mb else (None, None)
        mdone, _ = _date(ctx, item, mb["done"]) if "done" in mb else (None, None)
        if has and name is not None and mdue is not None and mdue_text is not None:
            # Where the dates stand, for the checks that point at them ("milestone:N:due").
            positions[f"milestone:{len(milestones)}:due"] = item.pos[mb["due"]][2:]
            if mdone is not None:
                positions[f"milestone:{len(milestones)}:done"] = item.pos[mb["done"]][2:]
            milestones.append(Milestone(name, mdue, mdue_text, mdone, ipos[0]))
        if len(ctx.problems) > before and "milestone" not in invalid:
            invalid.append("milestone")  # a milestone whose dates or name cannot be read
    return milestones


def _target(ctx: _Ctx, m: YMap, key: str) -> Target | None:
    tv = m[key]
    if not isinstance(tv, YMap):
        if tv is not None:
            ctx.err("invalid-value", m.value_pos(key), msg("target.not-mapping"), msg("target.not-mapping.hint"))
        return None
    tg = _fields(ctx, tv, _TARGET_KEYS, K.TARGET_KEYS)
    tb = tg.by
    if not _require(ctx, tv, (tv.line, tv.col), tg, "value", "目标值", "target"):
        return None
    value = _number(ctx, tv, tb["value"])
    direction = "at_least"
    if "direction" in tb:
        raw_dir = _text(ctx, tv, tb["direction"])
        d = K.DIRECTION_ALIASES.get(raw_dir or "")
        if d is None:
            ctx.err(
                "invalid-value",
                tv.value_pos(tb["direction"]),
                msg("direction.unknown", value=raw_dir or ""),
                msg("direction.hint"),
            )
        else:
            direction = d
    if value is None:
        return None
    return Target(
        value,
        _text(ctx, tv, tb["metric"]) if "metric" in tb else None,
        _text(ctx, tv, tb["unit"]) if "unit" in tb else None,
        direction,  # type: ignore[arg-type]
    )


def _progress(ctx: _Ctx, m: YMap, by: dict[str, str], positions: dict[str, tuple[int, int]]) -> list[Progress]:
    progress: list[Progress] = []
    for item, ipos in _items(ctx, m, by["progress"]):
        pg = _fields(ctx, item, _PROGRESS_KEYS, K.PROGRESS_KEYS)
        pb = pg.by
        if not _require(ctx, item, ipos, pg, "date", "日期", "progress"):
            continue
        pdate, _ = _date(ctx, item, pb["date"])
        pct = _number(ctx, item, pb["percent"]) if "percent" in pb else None
        if pct is not None and not 0 <= pct <= 100:
            ctx.err(
                "invalid-value",
                item.value_pos(pb["percent"]),
                msg("percent.range", value=_fmt_num(pct)),
                msg("percent.range.hint"),
            )
            pct = None
        val = _number(ctx, item, pb["value"]) if "value" in pb else None
        if pdate is not None:
            positions[f"progress:{len(progress)}"] = item.pos[pb["date"]][2:]
            # Progress(...) without its __init__ (seven object.__setattr__ calls; 80,000
            # entries in a city's ledger, issue 17): each field stored in the model's order,
            # as sanzhua.load.plain decodes one (tests/test_cache_safety.py holds the two equal).
            p = _new(Progress)
            f = p.__dict__
            f["date"] = pdate
            f["note"] = _text(ctx, item, pb["note"]) if "note" in pb else None
            f["value"] = val
            f["percent"] = pct
            f["by"] = _text(ctx, item, pb["by"]) if "by" in pb else None
            f["line"] = ipos[0]
            f["notice"] = _text(ctx, item, pb["notice"]) if "notice" in pb else None
            progress.append(p)
    return progress


_new = object.__new__
if tuple(f.name for f in fields(Progress)) != ("date", "note", "value", "percent", "by", "line", "notice"):
    raise TypeError("Progress changed: _progress stores its fields one by one")  # pragma: no cover


def _extensions(
    ctx: _Ctx, m: YMap, by: dict[str, str], positions: dict[str, tuple[int, int]]
) -> list[Extension]:
    extensions: list[Extension] = []
    ipos = (0, 0)
    for item, ipos in _items(ctx, m, by["extensions"]):
        eg = _fields(ctx, item, _EXT_KEYS, K.EXTENSION_KEYS)
        eb = eg.by
        if not _require(ctx, item, ipos, eg, "to", "新时限", "extension"):
            continue
        to, _ = _date(ctx, item, eb["to"])
        frm, _ = _date(ctx, item, eb["from"]) if "from" in eb else (None, None)
        edate, _ = _date(ctx, item, eb["date"]) if "date" in eb else (None, None)
        if to is not None:
            extensions.append(
                Extension(
                    to,
                    frm,
                    _text(ctx, item, eb["approved_by"]) if "approved_by" in eb else None,
                    _text(ctx, item, eb["ref"]) if "ref" in eb else None,
                    edate,
                    ipos[0],
                )
            )
    if extensions:
        positions["extensions"] = (extensions[-1].line, ipos[1])
    return extensions


def _weight(ctx: _Ctx, m: YMap, key: str) -> float | None:
    weight = _number(ctx, m, key)
    if weight is not None and weight < 0:
        ctx.err("invalid-value", m.value_pos(key), msg("weight.negative"), msg("weight.hint", max=MAX_WEIGHT))
        return None
    if weight is not None and weight > MAX_WEIGHT:
        too_big = msg("weight.too-big", value=str(m[key]).strip(), max=MAX_WEIGHT)
        ctx.err("invalid-value", m.value_pos(key), too_big, msg("weight.hint", max=MAX_WEIGHT))
        return None
    return weight


def _partner_positions(m: YMap, key: str, positions: dict[str, tuple[int, int]]) -> None:
    """Where the partners are written, and each unit's own place (for unknown-unit)."""
    positions["partners"] = m.value_pos(key)
    listed = m[key]
    if isinstance(listed, YSeq):
        for i, item in enumerate(listed):
            if isinstance(item, str):
                line, col = listed.item_pos(i)
                for part in _ITEM_SPLIT.split(item.strip()):
                    at = item.find(part) if part else -1
                    positions.setdefault("partner:" + part, (line, col + max(at, 0)))


_TASK_DEFAULTS: dict[str, Any] = {f.name: f.default for f in fields(Task) if f.default is not MISSING}
if hasattr(Task, "__post_init__") or any(f.default_factory is not MISSING for f in fields(Task)):
    raise TypeError("Task needs its __init__: build it with Task(...) in _build_task")  # pragma: no cover


def _task(**given: Any) -> Task:
    """A Task as `Task(**given)` builds it, without running its __init__: a frozen
    dataclass sets each of its 37 fields through object.__setattr__, a fifth of the
    time it takes to build a task. tests/test_layers.py holds the two to be the same."""
    task: Task = object.__new__(Task)
    values = task.__dict__
    values.update(_TASK_DEFAULTS)
    values.update(given)
    return task


def _stray_id(m: YMap, got: _Fields) -> str | None:
    """An id written under a misspelt key (`idd: ZJJ-001`, `编号：…`), to name a task left out."""
    for key in m:
        v = m[key]
        if key not in got and isinstance(v, str) and _ID_RE.match(v.strip()) and ("id" in key.lower() or "编号" in key):
            return v.strip()
    return None


# --- the 督办 cycle (issue 20): kind, 交办/签收, satisfaction, 销号 ---
_SATISFACTION = ("满意", "基本满意", "不满意")


def _cycle(ctx: _Ctx, m: YMap, by: dict[str, str], positions: dict[str, tuple[int, int]]) -> dict[str, Any]:
    """The task's keys of the 督办 cycle, as Task fields (only those written)."""
    out: dict[str, Any] = {}
    if "kind" in by:
        out["kind"] = _text(ctx, m, by["kind"])
        positions["kind"] = m.value_pos(by["kind"])
    for key in ("assigned", "acknowledged"):
        if key in by:
            out[key], _ = _date(ctx, m, by[key])
            positions[key] = m.value_pos(by[key])
    if "satisfaction" in by:
        raw = _text(ctx, m, by["satisfaction"])
        positions["satisfaction"] = m.value_pos(by["satisfaction"])
        if raw is not None and raw not in _SATISFACTION:
            ctx.err(
                "invalid-value",
                m.value_pos(by["satisfaction"]),
                msg("satisfaction.unknown", value=raw),
                msg("satisfaction.hint"),
            )
        elif raw is not None:
            out["satisfaction"] = raw
    if "verified" in by:
        v = m[by["verified"]]
        positions["verified"] = m.value_pos(by["verified"])
        if isinstance(v, YMap):
            vg = _fields(ctx, v, _VERIFIED_KEYS, K.VERIFIED_KEYS)
            vb = vg.by
            if _require(ctx, v, (v.line, v.col), vg, "date", "日期", "verified"):
                vdate, _ = _date(ctx, v, vb["date"])
                if vdate is not None:
                    positions["verified"] = v.value_pos(vb["date"])
                    out["verified"] = Verification(vdate, _text(ctx, v, vb["by"]) if "by" in vb else None, v.line)
        elif isinstance(v, str) and v.strip():
            vdate, _ = _date(ctx, m, by["verified"])  # `verified: 2026-11-20`: a date alone
            if vdate is not None:
                out["verified"] = Verification(vdate, None, m.value_pos(by["verified"])[0])
        elif v is not None:
            ctx.err("invalid-value", m.value_pos(by["verified"]), msg("verified.shape"), msg("verified.hint"))
    if "returned" in by:
        returns: list[Return] = []
        for item, ipos in _items(ctx, m, by["returned"]):
            rg = _fields(ctx, item, _RETURNED_KEYS, K.RETURNED_KEYS)
            rb = rg.by
            if not _require(ctx, item, ipos, rg, "date", "日期", "returned"):
                continue
            rdate, _ = _date(ctx, item, rb["date"])
            if rdate is not None:
                positions[f"returned:{len(returns)}"] = item.value_pos(rb["date"])
                returns.append(
                    Return(
                        rdate,
                        _text(ctx, item, rb["by"]) if "by" in rb else None,
                        _text(ctx, item, rb["reason"]) if "reason" in rb else None,
                        ipos[0],
                    )
                )
        out["returned"] = tuple(returns)
    return out


def _fmt_num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)
