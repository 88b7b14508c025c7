"""Points in words: the reason for every entry, in the ledger's language."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sanzhua.i18n import Lang, say, text
from sanzhua.problems import msg
from sanzhua.score.compute import Entry


def number(d: Decimal | int | float, places: int | None = None) -> str:
    """An exact decimal without exponent or trailing zeros: 100, 97.5, 0.25.

    With `places` (at least `decimals(d)`), exactly that many decimals, so that a
    column of scores lines up: 100.80, 97.50, 0.25.
    """
    d = Decimal(d) if not isinstance(d, Decimal) else d
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    if places:
        whole, _, frac = s.partition(".")
        s = f"{whole}.{frac.ljust(places, '0')}"
    return "0" if s in ("-0", "") else s


def decimals(ds: Iterable[Decimal]) -> int:
    """The most decimals `number` writes for any of `ds`: the places a column needs."""
    return max((len(number(d).partition(".")[2]) for d in ds), default=0)


def signed(d: Decimal) -> str:
    s = number(d)
    return s if s.startswith("-") or s == "0" else "+" + s


def reason_text(e: Entry, lang: Lang) -> str:
    """Why the entry's points were added or taken, with the rule, weight and share."""
    a = dict(e.args)
    key = f"score.{e.reason_key}"
    if e.reason_key in ("overdue_time", "done_late_time"):
        parts: list[str] = []
        per_day = a.get("per_day")
        per_week = a.get("per_week")
        if isinstance(per_day, Decimal) and per_day != 0:
            parts.append(text(msg("score.rate.day", per_day=signed(per_day)), lang))
        if isinstance(per_week, Decimal) and per_week != 0:
            parts.append(
                text(msg("score.rate.week", per_week=signed(per_week), weeks=a.get("weeks")), lang)
            )
        rate = say("list.clause-sep", lang).join(parts)
        cap = a.get("cap")
        capped = (
            text(msg("score.capped", cap=number(cap), uncapped=signed(raw)), lang)
            if isinstance(raw := a.get("uncapped"), Decimal) and isinstance(cap, Decimal)
            else ""
        )
        a.update(rate=rate, capped=capped)
    elif e.reason_key == "milestone_missed" and a.get("done"):
        key = "score.milestone_missed.late"
    elif e.reason_key == "report_missing_unit":
        cap = a.get("cap")
        a["cap"] = number(cap) if isinstance(cap, Decimal) else ""
        if a.get("capped"):
            key = "score.report_missing_unit.capped"
    out = text(msg(key, **a), lang)
    if e.weight != 1:
        out += text(msg("score.weight", weight=number(e.weight)), lang)
    if e.role == "partner":
        out += text(msg("score.share", share=number(e.share)), lang)
    return out
