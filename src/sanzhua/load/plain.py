"""Parsed results ↔ plain data (None, bool, int, float, str, bytes, tuple, list, dict,
frozenset): what the cache stores with `marshal`, which cannot build an object of any
other type, so reading a cache file can never run code (pickle can).

Tasks, problems and index rows have a codec of their own, written out field by field
(the cache's hot path); everything else (the parsed settings files, a message's
arguments) goes through `encode`/`decode`, which tag what marshal has no type for. Every
decoder checks the shape it is given and raises `BadCache` (a ValueError) on anything
else, so a damaged entry is a miss, never a wrong result or a crash.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any, NamedTuple

from sanzhua.load.ledgerfile import FileResult, positions_blob, positions_from, positions_later
from sanzhua.model import (
    BulletinSettings,
    Contact,
    EmailSettings,
    Extension,
    KindRule,
    Milestone,
    NoticeSettings,
    Progress,
    RemindSettings,
    Return,
    Settings,
    Target,
    Task,
    TaskRow,
    Unit,
    Verification,
)
from sanzhua.problems import Msg, Problem


class BadCache(ValueError):
    """A cache entry that is not what this version writes."""


_SCALARS = (type(None), bool, int, float, str, bytes)
_DAYS: dict[int, date] = {}  # one object per day, shared (as the parser does)
_new = object.__new__


def day(ordinal: int | None) -> date | None:
    if ordinal is None:
        return None
    got = _DAYS.get(ordinal)
    if got is None:
        if type(ordinal) is not int:
            raise BadCache("a date is not a day number")
        got = _DAYS[ordinal] = date.fromordinal(ordinal)
    return got


def _o(d: date | None) -> int | None:
    return None if d is None else d.toordinal()


def _fill(cls: type, names: tuple[str, ...], values: tuple[object, ...]) -> Any:
    """An instance of a (frozen) dataclass with these field values, as pickle builds one."""
    obj: Any = _new(cls)
    obj.__dict__.update(zip(names, values, strict=True))
    return obj


def _names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


# --- the generic codec: tagged lists for what marshal has no type of -------------------

_CLASSES: dict[str, type] = {
    c.__name__: c
    for c in (
        Settings,
        BulletinSettings,
        Unit,
        Problem,
        Msg,
        Task,
        Milestone,
        Target,
        Progress,
        Extension,
        # the 督办 cycle (issue 20)
        Contact,
        EmailSettings,
        RemindSettings,
        KindRule,
        NoticeSettings,
        Verification,
        Return,
    )
}


def encode(value: object) -> object:
    """Any value built of plain data, dates and sanzhua's model classes → plain data.
    Raises TypeError for anything else (then it is not cached)."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is dict:
        d: dict[Any, Any] = value  # type: ignore[assignment]
        if all(type(k) is str for k in d):
            return {k: encode(v) for k, v in d.items()}
        return ["M", [[encode(k), encode(v)] for k, v in d.items()]]
    if t is list:
        return ["l", *(encode(v) for v in value)]  # type: ignore[attr-defined]
    if t is tuple:
        return ["t", *(encode(v) for v in value)]  # type: ignore[attr-defined]
    if t is date:
        return ["d", value.toordinal()]  # type: ignore[attr-defined]
    if t is datetime:
        return ["T", value.isoformat()]  # type: ignore[attr-defined]
    if t is frozenset:
        return ["f", *(encode(v) for v in value)]  # type: ignore[attr-defined]
    if t.__name__ in _CLASSES and _CLASSES[t.__name__] is t:
        return ["D", t.__name__, {f: encode(getattr(value, f)) for f in _names(t)}]
    raise TypeError(f"not cacheable: {t.__name__}")


def decode(value: object) -> Any:
    """The inverse of `encode`; BadCache on anything `encode` does not write."""
    t = type(value)
    if t in _SCALARS:
        return value
    if t is dict:
        return {k: decode(v) for k, v in value.items()}  # type: ignore[attr-defined]
    if t is not list or not value:
        raise BadCache(f"unexpected {t.__name__}")
    items: list[Any] = value  # type: ignore[assignment]
    tag = items[0]
    rest = items[1:]
    if tag == "l":
        return [decode(v) for v in rest]
    if tag == "t":
        return tuple(decode(v) for v in rest)
    if tag == "d" and len(rest) == 1:
        return day(rest[0])
    if tag == "T" and len(rest) == 1 and type(rest[0]) is str:
        return datetime.fromisoformat(rest[0])
    if tag == "f":
        return frozenset(decode(v) for v in rest)
    if tag == "M" and len(rest) == 1 and type(rest[0]) is list:
        return {decode(k): decode(v) for k, v in rest[0]}
    if tag == "D" and len(rest) == 2 and type(rest[1]) is dict and rest[0] in _CLASSES:
        cls = _CLASSES[rest[0]]
        fields = rest[1]
        if set(fields) != set(_names(cls)):
            raise BadCache(f"fields of {rest[0]} differ")
        return cls(**{k: decode(v) for k, v in fields.items()})
    raise BadCache(f"unknown tag {tag!r}")


# --- problems ------------------------------------------------------------------------

_PROBLEM = _names(Problem)


def _args(args: dict[str, object]) -> object:
    for v in args.values():
        if type(v) not in _SCALARS:
            return encode(args)
    return args


def _msg(key: object, args: object) -> Msg:
    if type(key) is not str or type(args) is not dict:
        raise BadCache("a message is not a key and its arguments")
    for v in args.values():
        if type(v) not in _SCALARS:
            args = decode(args)
            break
    return _fill(Msg, ("key", "args"), (key, args))  # type: ignore[no-any-return]


def encode_problem(p: Problem) -> tuple[object, ...]:
    h = p.hint
    return (
        p.code,
        p.severity,
        p.file,
        p.line,
        p.column,
        p.message.key,
        _args(p.message.args),
        None if h is None else h.key,
        None if h is None else _args(h.args),
        p.task,
    )


def decode_problem(raw: object) -> Problem:
    if type(raw) is not tuple or len(raw) != 10:
        raise BadCache("a problem is not a 10-tuple")
    code, severity, file, line, column, mk, ma, hk, ha, task = raw
    if type(code) is not str or type(file) is not str or type(line) is not int or type(column) is not int:
        raise BadCache("a problem's code or position")
    hint = None if hk is None else _msg(hk, ha)
    # revision, before, after: what an audit finding adds; a ledger's problem has none
    values = (code, severity, file, line, column, _msg(mk, ma), hint, task, None, None, None)
    return _fill(Problem, _PROBLEM, values)  # type: ignore[no-any-return]


def encode_problems(problems: list[Problem]) -> list[tuple[object, ...]]:
    return [encode_problem(p) for p in problems]


def decode_problems(raw: object) -> list[Problem]:
    if type(raw) is not list:
        raise BadCache("problems are not a list")
    return [decode_problem(p) for p in raw]


# --- index rows ----------------------------------------------------------------------


def encode_rows(rows: tuple[TaskRow, ...]) -> tuple[tuple[object, ...], ...]:
    return tuple((r[0], r[1], _o(r[2]), *r[3:]) for r in rows)


def decode_rows(raw: object) -> tuple[TaskRow, ...]:
    if type(raw) is not tuple:
        raise BadCache("rows are not a tuple")
    out: list[TaskRow] = []
    for r in raw:
        if type(r) is not tuple or len(r) != 9:
            raise BadCache("a row is not a 9-tuple")
        out.append(TaskRow(r[0], r[1], day(r[2]), r[3], r[4], r[5], r[6], r[7], r[8]))
    return tuple(out)


# --- tasks and files -----------------------------------------------------------------

_TARGET = _names(Target)
_EXTENSION = _names(Extension)
_VERIFICATION = _names(Verification)
_RETURN = _names(Return)
# The codec below writes the fields in this order; a test holds it to the model.
TASK_FIELDS = (
    "id", "title", "lead", "file", "line", "start", "due", "due_text", "due_inherited", "category", "source",
    "partners", "owner", "leader", "start_given", "milestones", "target", "progress", "status", "done", "parent",
    "extensions", "supervision", "tags", "weight", "lead_given", "column", "latest_entry", "latest_mark", "invalid",
    "kind", "assigned", "acknowledged", "satisfaction", "verified", "returned", "due_derived",
)  # fmt: skip


def _encode_task(t: Task) -> tuple[object, ...]:
    target = t.target
    return (
        t.id,
        t.title,
        t.lead,
        t.file,
        t.line,
        _o(t.start),
        _o(t.due),
        t.due_text,
        t.due_inherited,
        t.category,
        t.source,
        t.partners,
        t.owner,
        t.leader,
        t.start_given,
        tuple((m.name, _o(m.due), m.due_text, _o(m.done), m.line) for m in t.milestones),
        None if target is None else (target.value, target.metric, target.unit, target.direction),
        tuple((p.date.toordinal(), p.note, p.value, p.percent, p.by, p.line, p.notice) for p in t.progress),
        t.status,
        _o(t.done),
        t.parent,
        tuple((e.to.toordinal(), _o(e.from_), e.approved_by, e.ref, _o(e.date), e.line) for e in t.extensions),
        t.supervision,
        t.tags,
        t.weight,
        t.lead_given,
        t.column,
        _o(t.latest_entry),
        _o(t.latest_mark),
        t.invalid,
        t.kind,
        _o(t.assigned),
        _o(t.acknowledged),
        t.satisfaction,
        None if t.verified is None else (t.verified.date.toordinal(), t.verified.by, t.verified.line),
        tuple((r.date.toordinal(), r.by, r.reason, r.line) for r in t.returned),
        t.due_derived,
    )


def _decode_task(raw: object) -> Task:
    if type(raw) is not tuple or len(raw) != 37:
        raise BadCache("a task is not a 37-tuple")
    (tid, title, lead, file, line, start, due, due_text, due_inherited, category, source, partners, owner, leader,
     start_given, milestones, target, progress, status, done, parent, extensions, supervision, tags, weight,
     lead_given, column, latest_entry, latest_mark, invalid, kind, assigned, acknowledged, satisfaction, verified,
     returned, due_derived) = raw  # fmt: skip
    if type(tid) is not str or type(file) is not str or type(line) is not int:
        raise BadCache("a task's id or position")
    days = _DAYS  # day() for the days seen before, without a call
    task: Task = _new(Task)
    # Each field stored in the instance's dictionary in the model's order, one store each:
    # 20,000 tasks and 80,000 progress entries in a city's warm report (issue 17).
    f = task.__dict__
    f["id"] = tid
    f["title"] = title
    f["lead"] = lead
    f["file"] = file
    f["line"] = line
    f["start"] = days.get(start) or day(start)
    f["due"] = None if due is None else days.get(due) or day(due)
    f["due_text"] = due_text
    f["due_inherited"] = due_inherited
    f["category"] = category
    f["source"] = source
    f["partners"] = partners
    f["owner"] = owner
    f["leader"] = leader
    f["start_given"] = start_given
    f["milestones"] = _milestones(milestones) if milestones else ()
    f["target"] = None if target is None else _fill(Target, _TARGET, target)
    f["progress"] = _progress(progress) if progress else ()
    f["status"] = status
    f["done"] = None if done is None else days.get(done) or day(done)
    f["parent"] = parent
    f["extensions"] = tuple(
        _fill(Extension, _EXTENSION, (day(to), day(fr), ab, ref, day(dt), ln)) for to, fr, ab, ref, dt, ln in extensions
    ) if extensions else ()
    f["supervision"] = supervision
    f["tags"] = tags
    f["weight"] = weight
    f["lead_given"] = lead_given
    f["column"] = column
    f["latest_entry"] = None if latest_entry is None else days.get(latest_entry) or day(latest_entry)
    f["latest_mark"] = None if latest_mark is None else days.get(latest_mark) or day(latest_mark)
    f["invalid"] = invalid
    f["kind"] = kind
    f["assigned"] = None if assigned is None else day(assigned)
    f["acknowledged"] = None if acknowledged is None else day(acknowledged)
    f["satisfaction"] = satisfaction
    f["verified"] = None if verified is None else _fill(Verification, _VERIFICATION, (day(verified[0]), *verified[1:]))
    f["returned"] = (
        tuple(_fill(Return, _RETURN, (day(d), by, reason, ln)) for d, by, reason, ln in returned) if returned else ()
    )
    f["due_derived"] = due_derived
    return task


def _progress(raw: Any) -> tuple[Progress, ...]:
    """A task's progress entries, built in one loop (80,000 of them in a city's ledger),
    each field stored in the model's order (the instances keep CPython's shared keys)."""
    days, out = _DAYS, []
    for d, note, value, percent, by, line, notice in raw:
        p = _new(Progress)
        f = p.__dict__
        f["date"] = days.get(d) or day(d)
        f["note"] = note
        f["value"] = value
        f["percent"] = percent
        f["by"] = by
        f["line"] = line
        f["notice"] = notice
        out.append(p)
    return tuple(out)


def _milestones(raw: Any) -> tuple[Milestone, ...]:
    days, out = _DAYS, []
    for name, due, due_text, done, line in raw:
        m = _new(Milestone)
        f = m.__dict__
        f["name"] = name
        f["due"] = days.get(due) or day(due)
        f["due_text"] = due_text
        f["done"] = None if done is None else day(done)
        f["line"] = line
        out.append(m)
    return tuple(out)


class PlainFile(NamedTuple):
    """A file's parse as plain data, as the cache keeps it (`encode_file`; marshal keeps it
    as a plain tuple, so `plain_file` names its parts on reading and `tuple()` unnames them
    for writing). Tasks and problems stay in the codec's tuples (`plain_task`,
    `task_plain`, `encode_problem`; `PLAIN_TASK_ID`, `PLAIN_PROBLEM_LINE` name the fields
    an edit reads of them)."""

    path: str
    tasks: list[tuple[Any, ...]]
    problems: list[tuple[Any, ...]]
    unit: str | None
    unit_pos: tuple[int, int]
    positions: dict[str, dict[str, tuple[int, int]]]
    key_style: str
    dropped: list[tuple[int, str | None]]


PLAIN_TASK_ID = 0  # a plain task's id (_encode_task's first field)
PLAIN_TASK_TARGET = 16  # a plain task's target (None: the task has none)
PLAIN_PROBLEM_LINE = 3  # a plain problem's line (encode_problem's fourth field)


def encode_file(f: FileResult) -> tuple[object, ...]:
    """`PlainFile`'s parts, as the plain tuple marshal writes: the positions marshalled
    on their own (`positions_blob`), decoded only by what reads them."""
    return (
        f.path,
        [_encode_task(t) for t in f.tasks],
        encode_problems(f.problems),
        f.unit,
        f.unit_pos,
        positions_blob(f.positions),
        f.key_style,
        f.dropped,
    )


def file_record(raw: PlainFile) -> tuple[object, ...]:
    """A PlainFile as the plain tuple the cache writes (`encode_file`'s shape)."""
    return (*raw[:5], positions_blob(raw.positions), *raw[6:])


def plain_file(raw: object) -> PlainFile | None:
    """A cached file record read back as plain data, its parts named (tasks not built), or
    None when it is not of encode_file's shape."""
    if type(raw) is not tuple or len(raw) != 8:
        return None
    _, tasks, problems, unit, unit_pos, positions, key_style, dropped = raw
    if type(positions) is bytes:
        positions = positions_from(positions)
    if (
        type(tasks) is not list
        or type(problems) is not list
        or type(positions) is not dict
        or type(dropped) is not list
        or type(key_style) is not str
        or not (unit is None or type(unit) is str)
        or type(unit_pos) is not tuple
        or not all(type(d) is tuple and len(d) == 2 and type(d[0]) is int for d in dropped)
    ):
        return None
    return PlainFile._make((*raw[:5], positions, *raw[6:]))


def decode_file(raw: object) -> FileResult:
    if not isinstance(raw, tuple) or len(raw) != 8:  # a plain tuple, or a PlainFile
        raise BadCache("a file result is not an 8-tuple")
    path, tasks, problems, unit, unit_pos, positions, key_style, dropped = raw
    later = type(positions) is bytes  # as the cache writes them (encode_file); a PlainFile's are a dict
    if type(path) is not str or type(tasks) is not list or not (later or type(positions) is dict):
        raise BadCache("a file result's parts")
    if type(dropped) is not list:
        raise BadCache("a file result's parts")
    try:
        decoded = [_decode_task(t) for t in tasks]
    except (TypeError, ValueError) as e:  # a nested part of the wrong shape
        raise BadCache(str(e)) from e
    problems_ = decode_problems(problems)
    if later:
        return positions_later(FileResult(path, decoded, problems_, unit, unit_pos, {}, key_style, dropped), positions)
    return FileResult(path, decoded, problems_, unit, unit_pos, positions, key_style, dropped)
