"""The error every edit step raises when a change cannot be made as asked."""

from __future__ import annotations

from sanzhua.problems import Msg


class EditError(Exception):
    """The edit cannot be made to this file as it is written; `message` says why."""

    def __init__(self, message: Msg, hint: Msg | None = None) -> None:
        super().__init__(message.key)
        self.message = message
        self.hint = hint
