"""What a check reports, before the runner stamps its code and level on it."""

from __future__ import annotations

from dataclasses import dataclass

from sanzhua.problems import Msg


@dataclass(frozen=True)
class Found:
    """A finding of a ledger-wide check."""

    file: str
    line: int
    column: int
    message: Msg
    hint: Msg | None = None
    task: str | None = None
    severity: str | None = None  # a check may lower or raise its default level for one finding


@dataclass(frozen=True)
class TaskFound:
    """A finding of a per-task check (file and task are known to the caller)."""

    line: int
    column: int
    message: Msg
    hint: Msg | None = None
