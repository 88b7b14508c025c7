"""Problems: what is wrong with a ledger, where, and how to fix it.

Bad user data never raises; every stage returns problems as values. Messages are
kept as catalogue keys with arguments (`Msg`) and rendered in the ledger's
language only at output time (sanzhua.i18n), so one run can print zh or en.

One type for both kinds: what `check` finds in the files as they are, and what
`audit` finds in their history. An audit finding also names the commit it was
found in (`revision`) and the value before and after it (`before`, `after`);
sanzhua.output prints either kind in text, JSON or GitHub annotations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Msg:
    key: str
    args: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Revision:
    """The commit an audit finding was found in."""

    sha: str
    author: str  # email
    author_name: str
    date: str  # the commit's author date, YYYY-MM-DD
    subject: str


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    file: str  # relative to the ledger root, "/" separators
    line: int  # 1-based; 0 when the file as a whole is meant
    column: int  # 1-based; 0 when unknown
    message: Msg
    hint: Msg | None = None
    task: str | None = None
    revision: Revision | None = None  # audit: the commit it was found in
    before: Any = None  # audit: the value before the commit, as JSON-ready data
    after: Any = None  # audit: and after it

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)

    # An audit finding's commit, by the names its JSON uses.
    @property
    def commit(self) -> str:
        return self.revision.sha if self.revision is not None else ""

    @property
    def author(self) -> str:
        return self.revision.author if self.revision is not None else ""

    @property
    def author_name(self) -> str:
        return self.revision.author_name if self.revision is not None else ""

    @property
    def date(self) -> str:
        return self.revision.date if self.revision is not None else ""

    @property
    def subject(self) -> str:
        return self.revision.subject if self.revision is not None else ""


def msg(key: str, /, **args: object) -> Msg:
    return Msg(key, args)
