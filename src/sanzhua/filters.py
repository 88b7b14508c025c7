"""Filter values as clerks type them: a state, a light or a unit, by code or by its label.

`status --state 逾期`, `--light 红灯` (or 红, red), `--unit 小潭乡` (a name as well as an id):
one parser serves every command that selects tasks (status, export, calendar, brief).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from sanzhua.errors import FatalError
from sanzhua.evaluate import LIGHTS, STATE_ORDER
from sanzhua.i18n import LIGHT_LABELS, STATE_LABELS, Lang, label, say
from sanzhua.model import Unit
from sanzhua.problems import msg

# Labels beyond STATE_LABELS that a clerk reads in `status` or writes from habit.
_STATE_EXTRA = {
    "滞后": "behind",
    "进度滞后": "behind",
    "未报送": "no_report",
    "未按时报送": "no_report",
    "正常": "on_track",
    "正常推进": "on_track",
    "临期": "due_soon",
    "即将到期": "due_soon",
    "节点逾期": "milestone_overdue",
    "逾期未完成": "overdue",
    "完成": "done",
    "已办结": "done",
    "办结": "done",
    "取消": "cancelled",
    "canceled": "cancelled",
}
_LIGHT_EXTRA = {
    "红": "red",
    "黄": "yellow",
    "绿": "green",
    "已完成": "done",
    "完成": "done",
    "无": "none",
    "-": "none",
    "—": "none",
}


def _norm(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().lower().replace("-", "_").replace(" ", "_")


def state_code(value: str) -> str | None:
    """The state code for a code, an English or Chinese label (`逾期`, `due soon`), else None."""
    v = _norm(value)
    if v in STATE_ORDER:
        return v
    for code, (zh, en) in STATE_LABELS.items():
        if v in (_norm(zh), _norm(en)):
            return code
    return _STATE_EXTRA.get(v) or _STATE_EXTRA.get(value.strip())


def light_code(value: str) -> str | None:
    """The light for `red`, `红灯`, `红` ..., else None."""
    v = _norm(value)
    if v in LIGHTS:
        return v
    for code, (zh, en) in LIGHT_LABELS.items():
        if v in (_norm(zh), _norm(en)):
            return code
    return _LIGHT_EXTRA.get(value.strip()) or _LIGHT_EXTRA.get(v)


def unit_id(units: Mapping[str, Unit], value: str) -> str | None:
    """The unit id for an id or a full name (`小潭乡`); a part of a name that only one
    unit's name holds (`发改委` for 县发改委) too. None when none or several match."""
    v = unicodedata.normalize("NFKC", value).strip()
    if v in units:
        return v
    if v.lower() in units:
        return v.lower()
    exact = [uid for uid, u in units.items() if unicodedata.normalize("NFKC", u.name) == v]
    if len(exact) == 1:
        return exact[0]
    if not v:
        return None
    partial = [uid for uid, u in units.items() if v in unicodedata.normalize("NFKC", u.name)]
    return partial[0] if len(partial) == 1 else None


def state_choices(lang: Lang) -> str:
    """The states, as --state takes them: their Chinese labels, or their codes."""
    return say("filters.list-sep", lang).join(
        label(STATE_LABELS, s, "zh") if lang == "zh" else s for s in STATE_ORDER
    )


def light_choices(lang: Lang) -> str:
    return say("filters.lights", lang, codes=", ".join(LIGHTS))


def unit_choices(units: Mapping[str, Unit], lang: Lang, limit: int = 12) -> str:
    shown = [say("filters.unit", lang, name=u.name, id=uid) for uid, u in list(units.items())[:limit]]
    more = len(units) - len(shown)
    if more > 0:
        shown.append(say("filters.more", lang, n=len(units), more=more))
    return say("filters.list-sep", lang).join(shown)


def unknown_unit(option: str, unit: str, guess: str | None, choices: str, lang: Lang) -> FatalError:
    """A unit named in `option` that units.yaml does not have: a guess, or some it has
    (`choices`, from `unit_choices`), said in `lang`."""
    hint = msg("option.unit.did-you-mean", guess=guess) if guess else msg("option.unit.hint", choices=choices)
    return FatalError(msg("option.unknown-unit", option=option, unit=unit), hint, lang=lang)
