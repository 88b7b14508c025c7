"""`sanzhua site -o DIR`: the ledger as a static web site (overview, units, tasks,
trends, the bulletin archive) that works offline, from a folder or any web server.

load → evaluate → group (sanzhua.site.data) → pages (sanzhua.site.build): this module
only gathers the inputs, refuses a ledger with errors unless told, and says what it wrote.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, ledger_rules, open_report
from sanzhua.commands.writefail import write_failed
from sanzhua.errors import FatalError
from sanzhua.evaluate import evaluate
from sanzhua.history.git import Repo, worktree_changed
from sanzhua.history.timeline import task_events
from sanzhua.i18n import say, text
from sanzhua.load import Ledger
from sanzhua.problems import Msg
from sanzhua.report.gaps import notice
from sanzhua.report.trends import trend
from sanzhua.site import build as B
from sanzhua.site.data import paged_tasks
from sanzhua.site.story import PageEvent, page_event
from sanzhua.site.text import Lang


def _git(
    ledger: Ledger, notes: list[Msg], keep: AbstractSet[str] | None, lang: Lang
) -> tuple[dict[str, list[PageEvent]] | None, str]:
    """The events of the tasks in `keep` (of every task: None), as their pages show them,
    and the commit the site is built from; (None, "") outside git. `notes` receives a
    warning when the history was too long to read whole."""
    try:
        repo = Repo(ledger.root)
    except FatalError as e:  # outside git: no history; a repository git refuses: said on every page
        if isinstance(e.said, Msg) and e.said.key == "git.not-owned":
            notes.extend(m for m in (e.said, e.said_hint) if isinstance(m, Msg))
        return None, ""
    try:
        if not repo.has_commits():
            return {}, ""
        head = repo.git("rev-parse", "--short=10", "HEAD").decode().strip()
        dirty = bool(worktree_changed(ledger.root, (".",)))
    finally:
        repo.close()
    rows: dict[str, list[PageEvent]] = {}
    for tid, event in task_events(ledger.root, notes, keep):
        rows.setdefault(tid, []).append(page_event(event, lang))
    return rows, head + ("+" if dirty else "")


def site(
    root: Path | None,
    *,
    as_of: date,
    output: Path,
    lang: str | None = None,
    allow_errors: bool = False,
    history: bool = True,
    archive: bool = True,
    docx: bool = False,
    out: TextIO | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> int:
    """Build the site into `output`. A ledger with errors is refused (`Refused`, exit 1,
    nothing written) unless `allow_errors`; then every page says what was left out."""
    stream = out or sys.stdout
    t0 = clock()
    opened = open_report(root, lang, allow_errors=allow_errors)  # refuses (exit 1) unless allowed
    ledger, chosen = opened.ledger, opened.lang
    lang_: Lang = chosen
    said: list[Msg] = []
    evaluation = evaluate(ledger, as_of)
    # Only the tasks with a page of their own show their history (site/data.TASK_PAGES).
    events, commit = _git(ledger, said, paged_tasks(evaluation), lang_) if history else (None, "")
    # A history too long to read whole: every page says so, as it says what errors left out.
    notes = [text(Msg("site.history-cut", m.args), lang_) for m in said if m.key == "history.cut"]
    notes += [text(m, lang_) for m in said if m.key in ("git.not-owned", "git.not-owned.hint")]
    banner = [notice(opened.gaps, lang_)] if opened.gaps else []
    info = B.SiteInfo(
        name=ledger.settings.name,
        office=ledger.settings.office or "",
        as_of=as_of,
        lang=lang_,
        commit=commit,
        errors=" ".join(banner + notes),
    )
    rules = ledger_rules(ledger, lang_, as_of) if archive else None
    if archive and rules is None:
        notes.append(say("site.out.no-archive", lang_))
    info.has_archive = rules is not None
    counted: list[int] = []

    def core(wr: B.Writer) -> None:
        job: B.Archive | None = None
        try:
            if rules is not None:  # first: a big archive is written by forked children meanwhile
                warning = notice(opened.gaps, lang_, lead=say("brief.out.lead", lang_)) if opened.gaps else ""
                job = B.start_archive(wr, ledger, as_of, lang_, rules, docx=docx, notice=warning, evaluation=evaluation)
            ov = B.write_core(wr, ledger, evaluation, events, lang_)
            counted.append(len(ov.tasks))
            B.write_trends(wr, ov, trend(ledger, as_of, use_git=history))
            if job is not None:
                B.finish_archive(wr, job)
                job = None
        finally:
            B.stop_archive(job)

    try:
        built = B.build(output, info, [core])
    except OSError as e:  # a full disk, a file too large, no permission: the old site is as it was
        raise write_failed(output, e, lang_) from None
    seconds = clock() - t0
    stream.write(
        say(
            "site.out.written",
            lang_,
            folder=built.folder,
            pages=built.pages,
            tasks=counted[0],
            seconds=seconds,
            index=built.folder / "index.html",
        )
    )
    for note in notes:
        sys.stderr.write(note + "\n")
    return EXIT_OK
