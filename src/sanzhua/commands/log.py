"""`sanzhua log ID`: one task's history from git, commit by commit.

Each entry says what the commit did to the task — created it (perhaps as a copy of
the task in another file, which stays there), moved it to another file, changed a
field (deadline, status, done, target, owner, lead, ...), added, edited or removed a
progress entry, recorded an extension, deleted it — with the commit, author, date
and subject. The task is followed by its id across files.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from sanzhua import jsontext
from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, format_option, root_and_lang
from sanzhua.history.timeline import COPIED_WORDS, KIND_WORDS, Event, change_lines, history
from sanzhua.i18n import Lang, label, say, text
from sanzhua.problems import Msg


def log(
    root: Path | None,
    task_id: str,
    *,
    fmt: str = "text",
    lang: str | None = None,
    rev_range: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Print one task's history; 1 when the task never appears in it."""
    if fmt not in ("text", "json"):
        format_option(fmt, ("text", "json"))
    where, language = root_and_lang(root, lang)
    notes: list[Msg] = []
    events = history(where, task_id, rev_range, notes)
    for note in notes:
        sys.stderr.write(text(Msg("output.note", {"note": note}), language) + "\n")
    stream = out if out is not None else sys.stdout
    if fmt == "json":
        doc = {"version": 1, "task": task_id, "events": [_event_json(e) for e in events]}
        stream.write(jsontext.dumps(doc, "\n"))
    else:
        stream.write(timeline_text(task_id, events, language))
    return EXIT_OK if events else EXIT_PROBLEMS


def _event_json(e: Event) -> dict[str, Any]:
    return {
        "commit": e.commit,
        "author": e.email,
        "author_name": e.author,
        "date": e.date,
        "subject": e.subject,
        "kind": e.kind,
        "file": e.file,
        "line": e.line,
        "from_file": e.from_file,
        "merge": e.merge,
        "changes": [{"field": c.field, "kind": c.kind, "before": c.before, "after": c.after} for c in e.changes],
    }


def timeline_text(task_id: str, events: list[Event], lang: Lang) -> str:
    if not events:
        return say("log.no-task", lang, id=task_id)
    out: list[str] = []
    for e in events:
        kind = label(KIND_WORDS, e.kind, lang)
        merge = say("log.merge", lang) if e.merge else ""
        out.append(f"{e.commit[:10]}  {e.date}  {e.author} <{e.email}>  {e.subject}{merge}")
        place = f"{e.file}:{e.line}"
        if e.from_file and e.kind == "created":
            place += COPIED_WORDS[0 if lang == "zh" else 1].format(file=e.from_file)
        elif e.from_file:
            place = f"{e.from_file} → {place}"
        out.append(f"    {kind} {place}")
        out.extend(f"    {line}" for line in change_lines(e, lang))
        out.append("")
    return "\n".join(out)
