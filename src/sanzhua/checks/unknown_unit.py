"""A task's lead or partner unit is not in units.yaml.

Units are referred to by id (`fgw`); a unit's full name (县发改委) is accepted too.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from sanzhua.checks.context import Context
from sanzhua.checks.found import Found
from sanzhua.load.keys import did_you_mean
from sanzhua.problems import Msg, msg

if TYPE_CHECKING:
    from sanzhua.model import Unit

CODE = "unknown-unit"
LEVEL = "error"
SCOPE = "file"  # each task of ctx.ledger alone, and of other files only what ctx.dues tells


def check(ctx: Context) -> Iterator[Found]:

    ledger = ctx.ledger
    if not ledger.has_units_file:
        return
    if not ledger.units and any(p.file == "units.yaml" for p in ledger.problems):
        return  # units.yaml could not be read: its own problem says so, every unit name would only repeat it
    units = ledger.units
    names = {u.name for u in units.values()}
    choices = [*units, *names]
    for f in ledger.files:
        reported_file_unit = False
        for t in f.tasks:
            if not t.lead:
                continue  # no unit at all: the loader reports the file's missing `unit` (missing-key)
            if t.lead not in units and t.lead not in names:
                if t.lead_given:
                    line, col = ctx.position(t, "lead", (t.line, 1))
                elif reported_file_unit:
                    continue
                else:
                    line, col = f.unit_pos
                    reported_file_unit = True
                yield Found(t.file, line, col, msg("unit.unknown", unit=t.lead), _hint(t.lead, choices, units), t.id)
            for p in t.partners:
                if p not in units and p not in names:
                    near = ctx.position(t, "partners", (t.line, 1))
                    line, col = ctx.position(t, "partner:" + p, near)
                    yield Found(t.file, line, col, msg("unit.unknown", unit=p), _hint(p, choices, units), t.id)


def _hint(name: str, choices: list[str], units: Mapping[str, Unit]) -> Msg:
    guess = did_you_mean(name, choices)
    if guess is None:
        return msg("unit.hint")
    if guess not in units:  # a name: point at its id
        for uid, u in units.items():
            if u.name == guess:
                guess = uid
    return msg("unit.did-you-mean", guess=guess)
