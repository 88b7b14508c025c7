"""`sanzhua calendar`: open deadlines and milestones as an iCalendar (.ics) file."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, open_report
from sanzhua.commands.writefail import write_failed
from sanzhua.errors import FatalError
from sanzhua.evaluate import evaluate
from sanzhua.i18n import text
from sanzhua.interchange.ics import build_events, ical_chunks
from sanzhua.outfile import replacing
from sanzhua.problems import msg
from sanzhua.report.gaps import notice
from sanzhua.selection import StatusFilter


def calendar(
    root: Path | None,
    *,
    as_of: date,
    stamp: datetime,
    output: Path | None = None,
    lang: str | None = None,
    flt: StatusFilter | None = None,
    alarm_days: int | None = 3,
    out: TextIO | None = None,
    allow_errors: bool = False,
) -> int:
    """Write the .ics file (or to stdout with -o -). A ledger whose files lose tasks is
    refused (exit 1) unless `allow_errors`; then the calendar's description says what
    it left out."""
    if alarm_days is not None and not 0 <= alarm_days <= 60:
        raise FatalError(msg("calendar.alarm-days", given=alarm_days))
    stream = out or sys.stdout
    opened = open_report(root, lang, allow_errors=allow_errors)
    ledger, lg = opened.ledger, opened.lang
    flt = (flt or StatusFilter()).validate(ledger, lg)
    evaluation = evaluate(ledger, as_of)
    states = [st for st in evaluation.tasks.values() if flt.keep(st)]
    events = build_events(states, ledger.settings, ledger.units, ledger.calendar, lg, alarm_days)
    warning = notice(opened.gaps, lg) if opened.gaps else ""
    # Written piece by piece (one event each, lines whole: never a character split), not
    # made whole first: 116 MB at 100,000 tasks (issue 17).
    chunks = ical_chunks(events, ledger.settings, lg, stamp, alarm_days, notice=warning)
    if output is not None and str(output) == "-":
        for chunk in chunks:
            stream.write(chunk.decode("utf-8"))
        return EXIT_OK
    target = output or Path("deadlines.ics")
    try:
        with replacing(target) as tmp, open(tmp, "wb") as f:
            f.writelines(chunks)
    except OSError as e:
        raise write_failed(target, e, lg) from None
    tasks = len({e.uid.split("-due@")[0] for e in events if "-due@" in e.uid})
    stream.write(
        text(msg("calendar.wrote", events=len(events), tasks=tasks, file=str(target)), lg) + "\n"
    )
    return EXIT_OK
