"""Problems: what is wrong with a ledger, where, and how to fix it.

Bad user data never raises; every stage returns problems as values. Messages are
kept as catalogue keys with arguments (`Msg`) and rendered in the ledger's
language only at output time (sanzhua.i18n), so one run can print zh or en.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Msg:
    key: str
    args: dict[str, object] = field(default_factory=dict)


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

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)


def msg(key: str, /, **args: object) -> Msg:
    return Msg(key, args)
