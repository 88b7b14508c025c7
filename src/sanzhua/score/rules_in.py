"""The `scoring:` section as pydantic validates it: the keys, their types and defaults.

Imported only by sanzhua.score.rules when a ledger has a `scoring:` section (building
these models takes a third of a second; a ledger that keeps the defaults never needs them).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sanzhua.model import MAX_WEIGHT
from sanzhua.score.rules import MAX_POINTS, _number

# Points and weights have bounds no county's rules come near (issue 14: a weight of 1e308
# printed 300-digit scores): a point value at most 10,000 either way, a weight at most
# MAX_WEIGHT, as a task's own `weight` (load.ledgerfile).
Points = Annotated[Decimal, BeforeValidator(_number), Field(ge=-MAX_POINTS, le=MAX_POINTS, allow_inf_nan=False)]
Share = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=1, allow_inf_nan=False)]
Weight = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=MAX_WEIGHT, allow_inf_nan=False)]
Days = Annotated[int, BeforeValidator(_number), Field(ge=1, le=366)]


class ScoringIn(BaseModel):
    """The keys of `scoring:` and their built-in defaults (docs/scoring.md)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    base: Points = Decimal(100)
    done_on_time: Points = Decimal(2)
    done_early: Points = Decimal(1)
    early_days: Days = 1
    done_late: Points = Decimal(-1)
    done_late_per_day: Points = Decimal(0)
    done_late_per_week: Points = Decimal(0)
    done_late_cap: Points | None = None
    overdue: Points = Decimal(-5)
    overdue_per_day: Points = Decimal(0)
    overdue_per_week: Points = Decimal(0)
    overdue_cap: Points | None = None
    milestone_missed: Points = Decimal(-1)
    report_missing: Points = Decimal("-0.5")
    report_missing_per: Literal["unit", "task"] = "unit"
    report_missing_cap: Points | None = Decimal(5)
    behind: Points = Decimal(-1)
    partner_share: Share = Decimal(0)
    category_weights: dict[str, Weight] = Field(default_factory=dict)


class Wrapped(BaseModel):
    model_config = ConfigDict(extra="ignore")
    scoring: ScoringIn


KNOWN: dict[tuple[str, ...], list[str]] = {
    ("scoring",): list(ScoringIn.model_fields),
}
