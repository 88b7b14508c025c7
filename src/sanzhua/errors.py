"""The one exception that means "cannot go on at all"; the CLI turns it into exit 2."""

from __future__ import annotations

from collections.abc import Iterable

from sanzhua.i18n import Lang, text
from sanzhua.problems import Msg

EXIT_CANNOT_RUN = 2  # the documented exit status for "the command could not run"


class FatalError(Exception):
    """The command cannot run (no ledger root, a bad option, an unreadable settings file).

    `message` and `hint` are catalogue messages (sanzhua.i18n), said in the ledger's
    language: the one given as `lang` where the code raising it knows it, else the one the
    CLI chose for the run (from --lang or the ledger's sanzhua.yaml). Only when no
    language is known at all (a function called outside the CLI, before any ledger was
    found) are both said, "中文 / English". Plain strings are still taken, as they are
    (text that is data, or already in the right language).
    """

    def __init__(self, message: str | Msg, hint: str | Msg | None = None, *, lang: Lang | None = None) -> None:
        self.said = message
        self.said_hint = hint
        self.lang = lang
        super().__init__(self.message)

    def text(self, lang: Lang | None = None) -> tuple[str, str | None]:
        """The message and the hint in `lang` (the error's own language first)."""
        chosen = self.lang or lang
        return _say(self.said, chosen), (None if self.said_hint is None else _say(self.said_hint, chosen))

    @property
    def message(self) -> str:
        return self.text()[0]

    @property
    def hint(self) -> str | None:
        return self.text()[1]


def _say(m: str | Msg, lang: Lang | None) -> str:
    if isinstance(m, str):
        return m
    if lang is None:
        zh, en = text(m, "zh"), text(m, "en")
        return zh if zh == en else f"{zh} / {en}"
    return text(m, lang)


def bad_choice(option: str, choices: Iterable[str], given: object) -> FatalError:
    """`option` given a value that is not one of `choices`."""
    shown = list(choices)
    return FatalError(
        Msg(
            "option.choice",
            {"option": option, "choices": "、".join(shown), "choices_en": ", ".join(shown), "given": given},
        )
    )


class Refused(Exception):
    """A report will not be made from an incomplete ledger; what is missing was already
    said on standard error. The CLI exits 1 (the ledger has errors)."""
