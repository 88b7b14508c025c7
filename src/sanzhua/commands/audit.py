"""`sanzhua audit`: read the git history and report what should not have happened.

Each commit is compared with its parent, task by task (see sanzhua.history); the
rules (sanzhua.history.rules) turn the changes into findings with stable codes.
Output as text, JSON or GitHub annotations; exit 1 when a finding is an error.

Decisions (docs/audit.md gives the reasons):

- who may do what is judged by the commit's **author email** against the settings
  and units **as of the commit's parent**: adding yourself to `supervisors` does not
  bless the same commit;
- a commit whose parent has no sanzhua.yaml (the root commit, or the one that
  creates the ledger) is the **baseline**: nothing in it is flagged but `unsigned`;
- `backdated` looks at entries added to a task that **already existed**: a new task
  may bring its history with it (an import), a done date or progress entry written
  weeks late on an existing task may not;
- a **merge** is judged only on what it changed beyond combining its parents (a
  three-way merge of every task against the merge base); an octopus merge (more
  than two parents) is not compared task by task, and each file it leaves different
  from every branch it merged is an `unaudited-merge` error;
- dates are the commit's **author date** in the author's time zone; `backdated` and
  `--since` also go by the committer date, which an author date set back cannot hide;
- `--baseline COMMIT` starts the record at a named commit, as if it created the ledger:
  nothing before it is judged, its settings and units are trusted (the way out of a
  history locked by an empty `supervisors` list).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, code_option, format_option, root_and_lang
from sanzhua.history.audit import collect
from sanzhua.history.rules import CODES
from sanzhua.i18n import text
from sanzhua.output import AUDIT_FORMATS
from sanzhua.problems import Msg
from sanzhua.textsafe import workflow_commands


def audit(
    root: Path | None,
    *,
    since: str | None = None,
    rev_range: str | None = None,
    baseline: str | None = None,
    fmt: str = "text",
    lang: str | None = None,
    select: tuple[str, ...] | list[str] = (),
    ignore: tuple[str, ...] | list[str] = (),
    out: TextIO | None = None,
) -> int:
    """Audit the history and print the findings; 1 when one is an error, else 0."""
    format_option(fmt, AUDIT_FORMATS)
    chosen_codes = code_option(select, "--select", CODES, "audit")
    ignored = code_option(ignore, "--ignore", CODES, "audit")
    where, language = root_and_lang(root, lang)
    notes: list[Msg] = []
    findings, commits = collect(where, since=since, rev_range=rev_range, baseline=baseline, notes=notes)
    for note in notes:
        sys.stderr.write(text(Msg("output.note", {"note": note}), language) + "\n")
    if chosen_codes:
        findings = [f for f in findings if f.code in chosen_codes]
    findings = [f for f in findings if f.code not in ignored]
    stream = out if out is not None else sys.stdout
    if fmt == "github":
        stream = workflow_commands(stream)
    stream.write(AUDIT_FORMATS[fmt](findings, commits, language))
    return EXIT_PROBLEMS if any(f.severity == "error" for f in findings) else EXIT_OK
