"""An open task past its deadline (a warning; `--fail-on overdue` makes it fail).

The number of days is calendar days since the deadline, as of `--as-of`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from sanzhua.dates import format_cn
from sanzhua.problems import msg

if TYPE_CHECKING:
    from sanzhua.checks import Context, Found

CODE = "overdue"
LEVEL = "warning"


def check(ctx: Context) -> Iterator[Found]:
    from sanzhua.checks import Found

    for st in ctx.evaluation.tasks.values():
        if "overdue" in st.states and st.deadline is not None:
            t = st.task
            line, col = ctx.position(t.id, t.file, "due", (t.line, t.column))
            yield Found(t.file, line, col,
                        msg("overdue.task", title=t.title, days=st.days_overdue, due=format_cn(st.deadline)),
                        msg("overdue.hint"), t.id)
