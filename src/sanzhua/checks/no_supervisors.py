"""`supervisors` in sanzhua.yaml is written but empty: no one may change deadlines, targets or extensions.

`sanzhua audit` judges each change to a deadline, target, extension, status or the settings
by the `supervisors` of the commit's parent. With none, the commit that names them is itself
a non-supervisor's change to the settings and is given no effect, so the history locks:
every later deadline change is an audit error. Name the supervisors' git emails before
the first commit; a history that is already locked is audited from the commit that names
them with `sanzhua audit --baseline COMMIT` (docs/audit.md). A sanzhua.yaml that does not
write the key at all is not reported (a ledger kept without `audit`).
"""

from __future__ import annotations

from collections.abc import Iterator

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.load import SETTINGS_FILE
from sanzhua.load.yamlfast import YMap
from sanzhua.problems import msg

CODE = "no-supervisors"
LEVEL = "error"
SCOPE = "ledger"  # the settings file, whatever the tasks


def check(ctx: Context) -> Iterator[Found]:

    if any(s.strip() for s in ctx.ledger.settings.supervisors):
        return
    doc = ctx.settings_document()
    if doc is None or not isinstance(doc[1], YMap) or "supervisors" not in doc[1]:
        return
    line, col = doc[1].value_pos("supervisors")
    yield Found(SETTINGS_FILE, line, col, msg("check.no-supervisors"), msg("check.no-supervisors.hint"))
