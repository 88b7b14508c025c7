"""A task's history from git: what each commit did to it, as events.

`sanzhua log` prints them, the site shows them on each task's page. Each event says
what the commit did to the task — created it (perhaps as a copy of the task in
another file, which stays there), moved it to another file, changed a field, added,
edited or removed a progress entry, recorded an extension, deleted it. The task is
followed by its id across files. Which fields changed is `changed_fields`, the one
comparison the audit's findings use too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from sanzhua.history.blobs import entry_dict, pair_milestones
from sanzhua.history.git import Repo
from sanzhua.history.walk import Cut, History, TaskChange
from sanzhua.i18n import STATUS_LABELS, Lang, label
from sanzhua.load import keys as K
from sanzhua.model import Target, Task
from sanzhua.problems import Msg

# The fields a clerk or a supervisor cares about, in the order they are shown.
FIELDS = (
    "id",  # changed only with the task's id (followed by its title, see history.walk.pair_renamed)
    "title",
    "lead",
    "partners",
    "owner",
    "leader",
    "start",
    "due",
    "status",
    "done",
    "target",
    "parent",
    "category",
    "source",
    "supervision",
    "tags",
    "weight",
)


@dataclass
class Change:
    field: str  # a task key, or "progress" / "extensions" / "milestones"
    before: Any
    after: Any
    kind: str = "changed"  # changed | added | edited | removed


@dataclass
class Event:
    commit: str
    author: str
    email: str
    date: str
    subject: str
    kind: str  # created | changed | moved | deleted
    file: str
    line: int
    from_file: str | None = None  # moved: the file it left; created: the file of the task it copies
    merge: bool = False
    changes: list[Change] = field(default_factory=list)


def _value(v: Any) -> Any:
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, Target):
        return {"metric": v.metric, "value": v.value, "unit": v.unit, "direction": v.direction}
    if isinstance(v, tuple):
        return [_value(x) for x in v]
    return v


# Where a task stands in its file and how its values were written, not what it says.
_NOT_CONTENT = frozenset(
    ("file", "line", "column", "start_given", "lead_given", "due_text", "due_inherited", "due_derived")
)


def changed_fields(old: Task | None, new: Task | None) -> list[str]:
    """The names of the task's fields whose values differ (["created"] or ["deleted"] when
    one side is missing), in the order of `Task`'s fields."""
    if old is None or new is None:
        return ["created"] if old is None else ["deleted"]
    return [
        f.name for f in fields(Task) if f.name not in _NOT_CONTENT and getattr(old, f.name) != getattr(new, f.name)
    ]


def diff(old: Task | None, new: Task | None) -> list[Change]:
    """What changed in one task (both normalised); a created task lists what it was created with."""
    base = old if old is not None else None
    out: list[Change] = []
    if base is not None and new is not None:
        changed = set(changed_fields(base, new))
        if base.start_given != new.start_given:
            changed.add("start")  # a start written where it was derived (or the other way) shows
    else:
        changed = {*FIELDS, "milestones", "extensions", "progress"}
    for name in FIELDS:
        if name not in changed:
            continue
        a = getattr(base, name) if base is not None else None
        b = getattr(new, name) if new is not None else None
        if name == "start":
            a = a if base is not None and base.start_given else None
            b = b if new is not None and new.start_given else None
        if name == "status" and new is not None and base is None and b == "active":
            continue
        if name == "id" and (base is None or new is None):
            continue
        if a != b and not (a in (None, ()) and b in (None, ())):
            out.append(Change(name, _value(a), _value(b)))
    if new is None:
        return out
    # a milestone renamed is the same milestone (pair_milestones), as the audit sees it
    for was, m in pair_milestones(base.milestones if base is not None else (), new.milestones):
        if m is None:
            assert was is not None
            out.append(Change("milestones", entry_dict(was), None, "removed"))
        elif was != m:
            out.append(
                Change(
                    "milestones",
                    entry_dict(was) if was else None,
                    entry_dict(m),
                    "added" if was is None else "changed",
                )
            )
    for name in ("extensions", "progress"):
        if base is None:  # created: every entry added, in order (what the counting below gives)
            out.extend(Change(name, None, entry_dict(entry), "added") for entry in getattr(new, name))
            continue
        before = Counter(getattr(base, name))
        after = Counter(getattr(new, name))
        removed = list((before - after).elements())
        for entry in getattr(new, name):
            if after[entry] > before[entry]:
                after[entry] -= 1
                twin = next(
                    (r for r in removed if getattr(r, "date", None) == getattr(entry, "date", 0)),
                    None,
                )
                if twin is not None:
                    removed.remove(twin)
                    out.append(Change(name, entry_dict(twin), entry_dict(entry), "edited"))
                else:
                    out.append(Change(name, None, entry_dict(entry), "added"))
        out.extend(Change(name, entry_dict(r), None, "removed") for r in removed)
    return out


def history(root: Path, task_id: str, rev_range: str | None = None, notes: list[Msg] | None = None) -> list[Event]:
    """The events of one task, oldest first. `notes` receives warnings (a shallow clone)."""
    repo = Repo(root)
    try:
        if not repo.has_commits():
            return []
        if notes is not None and repo.is_shallow():
            notes.append(Msg("audit.shallow", {}))
        commits = repo.log([rev_range] if rev_range else ["HEAD"])
        events: list[Event] = []
        walk = History(repo)
        for step in walk.walk(commits, only=task_id):
            for tc in step.tasks:
                events.append(_event(step.commit, tc))
        if walk.cut is not None and notes is not None:
            notes.append(cut_note(walk.cut))
        return events
    finally:
        repo.close()


def histories(
    root: Path, notes: list[Msg] | None = None, keep: AbstractSet[str] | None = None
) -> dict[str, list[Event]]:
    """Every task's events from one walk of the whole history (HEAD), oldest first, by task id
    (`task_events`, gathered)."""
    out: dict[str, list[Event]] = {}
    for tid, event in task_events(root, notes, keep):
        out.setdefault(tid, []).append(event)
    return out


def task_events(
    root: Path, notes: list[Msg] | None = None, keep: AbstractSet[str] | None = None
) -> Iterator[tuple[str, Event]]:
    """(task id, event) of every task from one walk of the whole history (HEAD), oldest
    first, as the walk makes them: a caller keeps what it needs of each (the site, the rows
    of its pages).

    What `history` gives for one task, for all of them at the cost of one walk (the site's
    task pages). Nothing when the repository has no commit yet. With `keep`, only the events
    of those tasks are made (the site's pages show at most 20,000 tasks' histories: at
    100,000 tasks the events of all of them, each created task listing every field and
    entry, were 600 MB of the site's 1.8 GB; issue 17), and the walk keeps only their tasks
    of each file version (the whole ledger of the first commit, held to compare the next
    with, was some 600 MB more: `History.walk`'s `only`).
    """
    repo = Repo(root)
    try:
        if not repo.has_commits():
            return
        if notes is not None and repo.is_shallow():
            notes.append(Msg("audit.shallow", {}))
        walk = History(repo)
        for step in walk.walk(repo.log(["HEAD"]), only=keep):
            for tc in step.tasks:
                if keep is None or tc.id in keep:
                    yield tc.id, _event(step.commit, tc)
        if walk.cut is not None and notes is not None:
            notes.append(cut_note(walk.cut))
    finally:
        repo.close()


def cut_note(cut: Cut) -> Msg:
    """The warning that a walk stopped on its budget (sanzhua.history.walk.Cut)."""
    return Msg("history.cut", {"sha": cut.last.sha[:10], "day": cut.last.day.isoformat(), "left": cut.left})


def _event(c: Any, tc: TaskChange) -> Event:
    old, new = tc.old, tc.new
    if old is None or tc.copied:
        kind = "created"  # a copy lists how it differs from the task it copies
    elif new is None:
        kind = "deleted"
    elif old.file != new.file:
        kind = "moved"
    else:
        kind = "changed"
    where = new or old
    assert where is not None
    return Event(
        c.sha,
        c.author,
        c.email,
        c.day.isoformat(),
        c.subject,
        kind,
        where.file,
        where.line,
        old.file if old is not None and (kind == "moved" or tc.copied) else None,
        c.is_merge,
        diff(old.task if old else None, new.task if new else None) if kind != "deleted" else [],
    )


KIND_WORDS = {
    "created": ("新建", "created"),
    "changed": ("修改", "changed"),
    "moved": ("移动", "moved"),
    "deleted": ("删除", "deleted"),
}
COPIED_WORDS = ("（复制自 {file}，原任务仍在）", " (copied from {file}; the original stays there)")
_ENTRY = {"added": ("+", "+"), "removed": ("-", "-"), "edited": ("~", "~"), "changed": ("~", "~")}


def _name(field: str, lang: Lang) -> str:
    zh = K.TASK_KEYS.get(field)
    return f"{zh}({field})" if lang == "zh" and zh else field


def _show(v: Any, lang: Lang, field: str = "") -> str:
    if v is None or v == []:
        return "—"
    if field == "status" and isinstance(v, str):
        return label(STATUS_LABELS, v, lang)
    if isinstance(v, dict):
        return " ".join(f"{k}={_show(x, lang)}" for k, x in v.items() if x is not None)
    if isinstance(v, list):
        return "、".join(_show(x, lang) for x in v)
    if isinstance(v, float) and v == int(v):
        return str(int(v))
    return str(v)


def change_lines(e: Event, lang: Lang) -> list[str]:
    """What an event changed, one line per field or entry (as `sanzhua log` prints them)."""
    out: list[str] = []
    for c in e.changes:
        if c.field in ("progress", "extensions", "milestones"):
            mark = _ENTRY[c.kind][0]
            body = _show(c.after if c.after is not None else c.before, lang)
            if c.kind in ("edited", "changed") and c.before is not None:
                body = f"{_show(c.before, lang)} → {_show(c.after, lang)}"
            out.append(f"{mark} {_name(c.field, lang)}: {body}")
        else:
            before, after = _show(c.before, lang, c.field), _show(c.after, lang, c.field)
            out.append(f"{_name(c.field, lang)}: {before} → {after}")
    return out
