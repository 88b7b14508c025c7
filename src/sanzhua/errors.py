"""The one exception that means "cannot go on at all"; the CLI turns it into exit 2."""

from __future__ import annotations

EXIT_CANNOT_RUN = 2  # the documented exit status for "the command could not run"


class FatalError(Exception):
    """The command cannot run (no ledger root, a bad option, an unreadable settings file).

    `message` and `hint` are already in the user's language.
    """

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class Refused(Exception):
    """A report will not be made from an incomplete ledger; what is missing was already
    said on standard error. The CLI exits 1 (the ledger has errors)."""
