"""Work done once that was done per message (issue 17, p-speed5), counted: a message's
quoted arguments (clipped to QUOTE_MAX characters) are found once per catalogue template,
not by a regular expression per message rendered (15,344 messages in `check`'s text at
20,000 tasks)."""

from __future__ import annotations

import re

import pytest

from sanzhua import i18n
from sanzhua.problems import msg


def test_quoted_arguments_are_found_once_per_template(monkeypatch: pytest.MonkeyPatch) -> None:
    real: re.Pattern[str] = i18n._QUOTED
    finds = [0]

    class Pattern:
        """The pattern, its searches counted."""

        def findall(self, template: str) -> list[str]:
            finds[0] += 1
            return real.findall(template)

    monkeypatch.setattr(i18n, "_QUOTED_KEYS", {})
    monkeypatch.setattr(i18n, "_QUOTED", Pattern())
    long = "字" * 500
    shown = [i18n.text(msg("value.number", key="weight", text=long), "zh") for _ in range(50)]
    shown += [i18n.text(msg("date.unreadable", key="due", text=str(n)), "en") for n in range(50)]
    assert finds[0] == 2
    assert shown[0] == shown[49] and long not in shown[0] and "字" * i18n.QUOTE_MAX + "…" in shown[0]
    assert all(str(n) in shown[50 + n] for n in range(50))
