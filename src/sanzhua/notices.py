"""督办通知 as records: notices/YYYY.yaml, their colours as of a date, and the 约谈 list.

`sanzhua brief --unit X --issue` (or `--each-unit DIR --issue`) records each notice it
issues: its number (〔2026〕3号), date, unit, tasks, reply date and colour. A unit
replies with a progress entry that names the notice (`notice: 〔2026〕3号`) on one of
its tasks. A notice not answered by its reply date goes up one colour of the ladder
(blue → yellow → red by default), and one more for every `escalate_days` working days
it stays unanswered; an answer freezes its colour. A unit holding a red notice, or
named (overdue or unreported) in `interview_after` consecutive weekly bulletins, is on
the 约谈 list.

Everything here is a function of the ledger, the notices and a date.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sanzhua.dates import DateError, parse_when
from sanzhua.edit.render import text as scalar
from sanzhua.errors import FatalError
from sanzhua.load.keys import COLOUR_ALIASES
from sanzhua.load.safe import TOO_BIG, UNREADABLE, UnsafeFile, read_inside
from sanzhua.load.yamlfast import YMap, YSeq, decode, parse
from sanzhua.model import NoticeSettings, Task, Unit
from sanzhua.problems import Problem, msg
from sanzhua.workdays import WorkCalendar

NOTICE_DIR = "notices"
COLOUR_NAMES: dict[str, tuple[str, str]] = {
    "blue": ("蓝色", "blue"),
    "yellow": ("黄色", "yellow"),
    "red": ("红色", "red"),
}
NOTICE_KEYS: dict[str, str] = {
    "number": "文号",
    "date": "日期",
    "unit": "单位",
    "tasks": "任务",
    "reply_due": "回复期限",
    "colour": "颜色",
}
_ENG = {**{k: k for k in NOTICE_KEYS}, **{v: k for k, v in NOTICE_KEYS.items()}}
_NUMBER = re.compile(r"^(?P<prefix>.*?)〔(?P<year>\d{4})〕(?P<n>\d{1,6})号$")
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class NoticeRecord:
    number: str  # 〔2026〕3号, with the settings' prefix
    n: int  # 3
    year: int
    issued: date
    unit: str
    tasks: tuple[str, ...]
    reply_due: date
    colour: str  # the colour it was issued with
    file: str
    line: int


@dataclass(frozen=True, slots=True)
class NoticeStatus:
    """A notice as of a date."""

    record: NoticeRecord
    colour: str  # its colour now
    answered: date | None  # the first reply on or before the date
    escalated: int  # ladder steps above its issued colour


def canonical(number: str) -> str:
    """One spelling of a notice number: NFKC, no spaces, 〔〕 for the brackets people type."""
    s = unicodedata.normalize("NFKC", number).replace(" ", "")
    s = re.sub(r"[\[［(（【](\d{4})[\]］)）】]", r"〔\1〕", s)
    return s


def number_text(prefix: str, year: int, n: int) -> str:
    return f"{prefix}〔{year}〕{n}号"


# -- reading -------------------------------------------------------------------------------


def notice_files(root: Path) -> list[str]:
    """notices/*.yaml (regular files only, not links), by name."""
    base = root / NOTICE_DIR
    if not base.is_dir() or base.is_symlink():
        return []
    out = []
    for entry in sorted(os.scandir(base), key=lambda e: e.name):
        if entry.name.endswith((".yaml", ".yml")) and entry.is_file(follow_symlinks=False):
            out.append(f"{NOTICE_DIR}/{entry.name}")
    return out


def notice_links(root: Path) -> list[str]:
    """notices/ itself, or the *.yaml in it, when not a regular file (a link, a FIFO, a
    folder, a device): not read, and said (check), never skipped unsaid."""
    base = root / NOTICE_DIR
    if base.is_symlink():
        return [NOTICE_DIR]
    if not base.is_dir():
        return []
    return sorted(
        f"{NOTICE_DIR}/{e.name}"
        for e in os.scandir(base)
        if e.name.endswith((".yaml", ".yml")) and not e.is_file(follow_symlinks=False)
    )


def _not_read(root: Path, rel: str) -> Problem:
    """The problem of a notices path that is not a regular file: a link, or what it is."""
    if os.path.islink(root / rel):
        return _p(rel, 0, 0, "notice.link", "notice.link.hint", file=rel)
    return _p(rel, 0, 0, "notice.special", "notice.special.hint", file=rel)


def load_notices(
    root: Path, units: Mapping[str, Unit] | None = None, task_ids: Iterable[str] | None = None
) -> tuple[list[NoticeRecord], list[Problem]]:
    """Every notice recorded under notices/, and what is wrong with them (check reports it).

    `units` and `task_ids`, when given, are what a notice's unit and tasks must name.
    """
    records: list[NoticeRecord] = []
    problems: list[Problem] = []
    known_tasks = set(task_ids) if task_ids is not None else None
    seen: dict[str, tuple[str, int]] = {}
    problems.extend(_not_read(root, rel) for rel in notice_links(root))
    for rel in notice_files(root):
        try:
            data = read_inside(root / rel, root, max_bytes=MAX_BYTES)
        except UnsafeFile as e:
            if e.reason == TOO_BIG:
                problems.append(_p(rel, 1, 1, "notice.too-big", "notice.shape.hint"))
            elif e.reason == UNREADABLE:
                problems.append(Problem("invalid-notice", "error", rel, 0, 0, msg("file.unreadable", detail=e.detail)))
            else:  # swapped for a link or a FIFO since the folder was listed
                problems.append(_not_read(root, rel))
            continue
        except OSError as e:
            problems.append(Problem("invalid-notice", "error", rel, 0, 0, msg("file.unreadable", detail=str(e))))
            continue
        got, found = parse_notices(data, rel)
        problems.extend(found)
        for r in got:
            key = canonical(r.number)
            if key in seen:
                problems.append(_p(rel, r.line, 1, "notice.duplicate", "notice.duplicate.hint", number=r.number,
                                   other=f"{seen[key][0]}:{seen[key][1]}"))
                continue
            seen[key] = (rel, r.line)
            if units is not None and r.unit not in units:
                problems.append(_p(rel, r.line, 1, "notice.unknown-unit", "notice.unknown-unit.hint", unit=r.unit))
            if known_tasks is not None:
                missing = [t for t in r.tasks if t not in known_tasks]
                if missing:
                    problems.append(
                        _p(rel, r.line, 1, "notice.unknown-task", "notice.unknown-task.hint", ids="、".join(missing))
                    )
            records.append(r)
    return records, problems


def _p(rel: str, line: int, col: int, message: str, hint: str, **args: object) -> Problem:
    return Problem("invalid-notice", "error", rel, line, col, msg(message, **args), msg(hint))


def parse_notices(data: bytes, rel: str) -> tuple[list[NoticeRecord], list[Problem]]:
    text, problems = decode(data, rel)
    if text is None:
        return [], problems
    doc = parse(text, rel, data)
    problems = list(doc.problems)
    root = doc.root
    if root is None:
        return [], problems
    if not isinstance(root, YMap) or not isinstance(root.get("notices", root.get("督办通知")), YSeq):
        problems.append(_p(rel, 1, 1, "notice.shape", "notice.shape.hint"))
        return [], problems
    key = "notices" if "notices" in root else "督办通知"
    seq: YSeq = root[key]
    out: list[NoticeRecord] = []
    for i, item in enumerate(seq):
        line, col = seq.item_pos(i)
        if not isinstance(item, YMap):
            problems.append(_p(rel, line, col, "notice.entry", "notice.shape.hint"))
            continue
        r = _record(item, rel, line, problems)
        if r is not None:
            out.append(r)
    return out, problems


def _record(m: YMap, rel: str, line: int, problems: list[Problem]) -> NoticeRecord | None:
    by: dict[str, str] = {}
    for k in m:
        eng = _ENG.get(k)
        if eng is None:
            problems.append(
                Problem("invalid-notice", "error", rel, *m.key_pos(k), msg("key.unknown", key=k),
                        msg("key.known", known="、".join(NOTICE_KEYS)))
            )
            continue
        by[eng] = k
    missing = [k for k in ("number", "date", "unit", "tasks", "reply_due", "colour") if k not in by]
    if missing:
        problems.append(_p(rel, line, 1, "notice.missing", "notice.shape.hint", keys="、".join(missing)))
        return None

    def text(k: str) -> str | None:
        v = m[by[k]]
        if isinstance(v, str) and v.strip():
            return v.strip()
        problems.append(_p(rel, *m.value_pos(by[k]), "notice.bad-value", "notice.shape.hint", key=k))
        return None

    def day(k: str) -> date | None:
        v = text(k)
        if v is None:
            return None
        try:
            return parse_when(v, 2000)
        except DateError:
            problems.append(_p(rel, *m.value_pos(by[k]), "notice.bad-value", "notice.shape.hint", key=k))
            return None

    number, unit, colour_raw = text("number"), text("unit"), text("colour")
    issued, reply = day("date"), day("reply_due")
    tv = m[by["tasks"]]
    tasks: tuple[str, ...] | None = None
    if isinstance(tv, YSeq) and all(isinstance(x, str) and x.strip() for x in tv):
        tasks = tuple(x.strip() for x in tv)
    elif isinstance(tv, str) and tv.strip():
        tasks = tuple(p for p in re.split(r"[、,，;；\s]+", tv.strip()) if p)
    else:
        problems.append(_p(rel, *m.value_pos(by["tasks"]), "notice.bad-value", "notice.shape.hint", key="tasks"))
    colour = COLOUR_ALIASES.get((colour_raw or "").lower()) if colour_raw else None
    if colour_raw is not None and colour is None:
        problems.append(
            _p(rel, *m.value_pos(by["colour"]), "notice.bad-colour", "notice.bad-colour.hint", value=colour_raw)
        )
    parsed = _NUMBER.match(canonical(number)) if number else None
    if number is not None and parsed is None:
        problems.append(_p(rel, *m.value_pos(by["number"]), "notice.bad-number", "notice.bad-number.hint",
                           value=number))
    if issued is not None and reply is not None and reply < issued:
        problems.append(_p(rel, *m.value_pos(by["reply_due"]), "notice.reply-before", "notice.shape.hint"))
        return None
    if None in (number, unit, colour, issued, reply, tasks, parsed):
        return None
    assert number and unit and colour and issued and reply and tasks is not None and parsed
    return NoticeRecord(number, int(parsed["n"]), int(parsed["year"]), issued, unit, tasks, reply, colour, rel, line)


# -- colours as of a date ------------------------------------------------------------------


def replies(tasks: Iterable[Task]) -> dict[str, list[tuple[date, str]]]:
    """canonical notice number → (date, task's lead unit) of each progress entry naming it."""
    out: dict[str, list[tuple[date, str]]] = {}
    for t in tasks:
        for p in t.progress:
            if p.notice:
                out.setdefault(canonical(p.notice), []).append((p.date, t.lead))
    return out


def status_of(
    r: NoticeRecord,
    as_of: date,
    answers: Mapping[str, list[tuple[date, str]]],
    settings: NoticeSettings,
    calendar: WorkCalendar,
) -> NoticeStatus:
    """The notice's colour on `as_of`: its issued colour, one step up once the reply date
    has passed unanswered, and one more for each further `escalate_days` working days; an
    answer (a progress entry of the notice's unit naming it, dated from the notice on)
    stops the climb at the colour it had that day."""
    ladder = settings.ladder
    answered = min(
        (d for d, unit in answers.get(canonical(r.number), ()) if unit == r.unit and r.issued <= d <= as_of),
        default=None,
    )
    until = answered if answered is not None else as_of
    steps = 0
    if until > r.reply_due:
        steps = 1
        if settings.escalate_days > 0:
            steps += calendar.count_workdays(r.reply_due, until) // settings.escalate_days
            # the first step is the day after the reply date; each escalate_days more is one more
            steps = min(steps, len(ladder))
    start = ladder.index(r.colour) if r.colour in ladder else 0
    at = min(start + steps, len(ladder) - 1)
    return NoticeStatus(r, ladder[at], answered, at - start)


def statuses(
    records: Iterable[NoticeRecord],
    tasks: Iterable[Task],
    as_of: date,
    settings: NoticeSettings,
    calendar: WorkCalendar,
) -> list[NoticeStatus]:
    """Every notice issued on or before `as_of`, as of then."""
    answers = replies(tasks)
    return [status_of(r, as_of, answers, settings, calendar) for r in records if r.issued <= as_of]


# -- the 约谈 list --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Interview:
    unit: str
    unit_name: str
    red_notices: tuple[str, ...]  # numbers of the red notices it holds
    consecutive: int  # bulletins in a row (this one included) that named it; 0 if fewer than the limit


def interview_list(
    units: Mapping[str, Unit],
    held: Iterable[NoticeStatus],
    named_in: Callable[[int], set[str]],
    after: int,
) -> list[Interview]:
    """Units holding an unanswered red notice, or named in
    the last `after` bulletins in a row. `named_in(k)` is the set of units the bulletin k
    periods back (0: this one) names."""
    red: dict[str, list[str]] = {}
    for s in held:
        if s.colour == "red" and s.answered is None:
            red.setdefault(s.record.unit, []).append(s.record.number)
    streak: dict[str, int] = {}
    if after > 0:
        now = named_in(0)
        for uid in now:
            k = 1
            while k < after and uid in named_in(k):
                k += 1
            if k >= after:
                streak[uid] = k
    chosen = set(red) | set(streak)
    order = {uid: i for i, uid in enumerate(units)}
    return [
        Interview(uid, units[uid].name if uid in units else uid, tuple(red.get(uid, ())), streak.get(uid, 0))
        for uid in sorted(chosen, key=lambda u: (order.get(u, len(order)), u))
    ]


def named_units(states: Iterable[Any]) -> set[str]:
    """The units a bulletin names in 存在问题: overdue tasks or milestones, or unreported tasks."""
    wanted = {"overdue", "milestone_overdue", "no_report"}
    return {ts.task.lead for ts in states if wanted & set(ts.states)}


# -- writing -------------------------------------------------------------------------------

_HEADER = """\
# 督办通知登记：sanzhua brief --unit/--each-unit --issue 发出通知时自动登记。
# 已登记的通知不要修改或删除；单位回复时在任务的 progress 中写 notice: 文号。
notices:
"""


def next_number(records: Iterable[NoticeRecord], year: int) -> int:
    return max((r.n for r in records if r.year == year), default=0) + 1


def record_text(r: NoticeRecord, indent: str) -> str:
    """One notice as a block list item, every scalar written by the edit machinery's emitter."""
    pad = indent + "  "
    tasks = "[" + ", ".join(scalar(t) for t in r.tasks) + "]"
    return (
        f"{indent}- number: {scalar(r.number)}\n"
        f"{pad}date: {r.issued.isoformat()}\n"
        f"{pad}unit: {scalar(r.unit)}\n"
        f"{pad}tasks: {tasks}\n"
        f"{pad}reply_due: {r.reply_due.isoformat()}\n"
        f"{pad}colour: {r.colour}\n"
    )


# What one run last wrote to each notices file: (its bytes, the notices they read as).
Written = dict[str, tuple[bytes, list[NoticeRecord]]]


def append_record(root: Path, r: NoticeRecord, written: Written | None = None) -> str:
    """Add `r` to notices/<year>.yaml, atomically, changing nothing else in the file.

    Refused (FatalError) when the file is not a valid notices file, or when the result
    would not read back as the old notices and this one: nothing is written then.

    `written`, kept by a caller that records many notices in one run (`brief --each-unit
    --issue`: thousands), remembers what this function wrote. When the file is still
    those bytes, read whole and verified then, the file is not read as YAML again (that
    made a run of N notices N² records long): it ends with an item `record_text` wrote,
    whose last line is a plain `colour:` scalar, so an item appended after it at the same
    indent is one more item of the same list and leaves every earlier one as it read; the
    new item alone is read back and compared."""
    # Lazy for start-up cost alone: the edit session (about 0.1 s, with the checks it runs
    # after a write) is needed only by `brief --issue`, the one command that records a notice.
    from sanzhua.edit.session import Refused, write_atomic

    rel = f"{NOTICE_DIR}/{r.year}.yaml"
    path = root / rel
    if (root / NOTICE_DIR).is_symlink():  # `notices -> ../elsewhere`: the record would be written there
        raise FatalError(msg("notice.record.folder-link", folder=NOTICE_DIR))
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise FatalError(msg("notice.record.not-regular", file=rel))
    before = path.read_bytes() if path.exists() else None
    known = written.get(rel) if written is not None else None
    mine = known is not None and known[0] == before  # still the bytes this run wrote and verified
    indent = "  "
    if before is None:
        old: list[NoticeRecord] = []
        new_text = _HEADER + record_text(r, "  ")
    else:
        old, problems = (known[1], []) if known is not None and mine else parse_notices(before, rel)
        if problems:
            raise FatalError(
                msg("brief.notice-file-error", file=rel, line=problems[0].line), msg("brief.notice-file-error.hint")
            )
        text = before.decode("utf-8")
        if not text.endswith("\n"):
            text += "\n"
        if not old and re.search(r"^(notices|督办通知):\s*\[\s*\]\s*$", text, re.M):
            text = re.sub(r"^(notices|督办通知):\s*\[\s*\]\s*$", r"\1:", text, count=1, flags=re.M)
        found = re.search(r"^( *)- ", text, re.M) if old else None
        indent = found.group(1) if found else "  "
        new_text = text + record_text(r, indent)
    data = new_text.encode("utf-8")
    want = [*old, r]
    if mine:  # the new item alone is read back (see above)
        got, problems = parse_notices((_HEADER + record_text(r, indent)).encode("utf-8"), rel)
        same = _fields(got) == _fields([r])
    else:
        got, problems = parse_notices(data, rel)
        same = _fields(got) == _fields(want)
    if problems or not same:
        raise FatalError(msg("notice.record.unsafe", file=rel), msg("notice.record.unsafe.hint"))
    try:
        write_atomic(path, data, before)
    except Refused as e:  # changed meanwhile, or a full disk, a file too large, a read-only one
        if e.message.key == "edit.changed-on-disk":
            raise FatalError(msg("notice.record.changed", file=rel)) from e
        raise FatalError(e.message, e.hint) from e
    if written is not None:
        written[rel] = (data, want)
    return rel


def _fields(records: Iterable[NoticeRecord]) -> list[tuple[object, ...]]:
    """What a notice says, without where it stands (file, line)."""
    return [(x.number, x.issued, x.unit, x.tasks, x.reply_due, x.colour) for x in records]
