"""The `scoring:` section of sanzhua.yaml: a county's own scoring rules, as data.

Every amount is the number of points added to a unit for one event: rewards are
written positive, penalties negative (`overdue: -5`). Numbers are read from the
YAML text straight into `Decimal`, so a hand calculation and sanzhua agree to
the last digit. docs/scoring.md is the user documentation of every key.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.load.yamlfast import YMap, decode, parse
from sanzhua.model import Settings
from sanzhua.problems import Problem, msg

if TYPE_CHECKING:
    # lazy: pydantic's models (start-up cost), only for a ledger with scoring:
    from pydantic import ValidationError

    # lazy: pydantic's models (start-up cost), only for a ledger with scoring:
    from sanzhua.score.rules_in import ScoringIn

SETTINGS_FILE = "sanzhua.yaml"
MAX_POINTS = 10_000  # the largest points of one rule, either sign (issue 14)


def _number(v: Any) -> Any:
    """Accept what a clerk types: full-width digits, a Unicode minus, a leading plus."""
    if isinstance(v, str):
        t = unicodedata.normalize("NFKC", v).strip().replace("−", "-").replace("－", "-")
        return t.removeprefix("+")
    return v


# Keys whose points are a reward; the others (except base and the settings) a penalty.
REWARDS: tuple[str, ...] = ("done_on_time", "done_early")
PENALTIES: tuple[str, ...] = (
    "done_late",
    "done_late_per_day",
    "done_late_per_week",
    "overdue",
    "overdue_per_day",
    "overdue_per_week",
    "milestone_missed",
    "report_missing",
    "behind",
)


@dataclass(frozen=True, slots=True)
class Rules:
    """Validated scoring rules. Caps are magnitudes (the sign written is ignored)."""

    base: Decimal = Decimal(100)
    done_on_time: Decimal = Decimal(2)
    done_early: Decimal = Decimal(1)
    early_days: int = 1
    done_late: Decimal = Decimal(-1)
    done_late_per_day: Decimal = Decimal(0)
    done_late_per_week: Decimal = Decimal(0)
    done_late_cap: Decimal | None = None
    overdue: Decimal = Decimal(-5)
    overdue_per_day: Decimal = Decimal(0)
    overdue_per_week: Decimal = Decimal(0)
    overdue_cap: Decimal | None = None
    milestone_missed: Decimal = Decimal(-1)
    report_missing: Decimal = Decimal("-0.5")
    # "unit": a unit loses report_missing once for a reporting period in which it owed
    # reports and reported nothing at all; "task": once per task and period (the old way).
    report_missing_per: str = "unit"
    report_missing_cap: Decimal | None = Decimal(5)  # most a unit loses for missed reports in a score
    behind: Decimal = Decimal(-1)
    partner_share: Decimal = Decimal(0)
    category_weights: tuple[tuple[str, Decimal], ...] = ()

    def category_weight(self, category: str | None) -> Decimal | None:
        """The weight of the longest `category_weights` key that is the category or a
        leading part of it ending at a "/" (抓具体 covers 抓具体/抓项目建设)."""
        if not category:
            return None
        best: tuple[int, Decimal] | None = None
        for key, w in self.category_weights:
            if (category == key or category.startswith(key.rstrip("/") + "/")) and (
                best is None or len(key) > best[0]
            ):
                best = (len(key), w)
        return None if best is None else best[1]

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if f.name == "category_weights":
                out[f.name] = {k: _num(w) for k, w in v}
            elif isinstance(v, Decimal):
                out[f.name] = _num(v)
            else:
                out[f.name] = v
        return out


def _num(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


DEFAULT_RULES = Rules()


def _to_rules(s: ScoringIn) -> Rules:
    return Rules(
        base=s.base,
        done_on_time=s.done_on_time,
        done_early=s.done_early,
        early_days=s.early_days,
        done_late=s.done_late,
        done_late_per_day=s.done_late_per_day,
        done_late_per_week=s.done_late_per_week,
        done_late_cap=None if s.done_late_cap is None else abs(s.done_late_cap),
        overdue=s.overdue,
        overdue_per_day=s.overdue_per_day,
        overdue_per_week=s.overdue_per_week,
        overdue_cap=None if s.overdue_cap is None else abs(s.overdue_cap),
        milestone_missed=s.milestone_missed,
        report_missing=s.report_missing,
        report_missing_per=s.report_missing_per,
        report_missing_cap=None if s.report_missing_cap is None else abs(s.report_missing_cap),
        behind=s.behind,
        partner_share=s.partner_share,
        category_weights=tuple(s.category_weights.items()),
    )


def _validate(raw: Mapping[str, Any]) -> tuple[Rules, ValidationError | None]:
    """Rules from a plain mapping; keys with bad values fall back to their defaults.

    The pydantic models (sanzhua.score.rules_in) are imported here, when a ledger has a
    `scoring:` section: building them costs a third of a second of every run that
    imports them, and most ledgers keep the defaults."""
    # lazy: pydantic's models (start-up cost), only for a ledger with scoring:
    from pydantic import ValidationError

    # lazy: pydantic's models (start-up cost), only for a ledger with scoring:
    from sanzhua.score.rules_in import ScoringIn

    try:
        return _to_rules(ScoringIn.model_validate(dict(raw))), None
    except ValidationError as err:
        bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
        cleaned = {k: v for k, v in raw.items() if k not in bad}
        try:
            return _to_rules(ScoringIn.model_validate(cleaned)), err
        except ValidationError:
            return DEFAULT_RULES, err


def rules_from_mapping(raw: Mapping[str, Any] | None) -> Rules:
    """Rules from the plain `scoring:` mapping (None: the built-in defaults). Lenient:
    a key that is wrong keeps its default; `sanzhua check` reports it."""
    if raw is None:
        return DEFAULT_RULES
    return _validate(raw)[0]


def rules_from_settings(settings: Settings) -> Rules:
    """Rules from a loaded ledger's settings (`Settings.extra["scoring"]`)."""
    raw = settings.extra.get("scoring")
    return rules_from_mapping(raw if isinstance(raw, Mapping) else None)


def rules_from_text(text: str, path: str = SETTINGS_FILE) -> tuple[Rules, list[Problem]]:
    """Rules and their problems, each at the line and column of the offending key or value.

    Only the `scoring:` section is looked at; the rest of sanzhua.yaml is the
    settings loader's business (which also reports a `scoring:` that is not a mapping).
    """
    doc = parse(text, path)
    root = doc.root
    if not isinstance(root, YMap) or not isinstance(root.get("scoring"), YMap):
        return DEFAULT_RULES, []
    # lazy: pydantic's models (start-up cost), only for a ledger with scoring:
    from pydantic import ValidationError

    # lazy: pydantic's models (start-up cost), only for a ledger with scoring:
    from sanzhua.load.settings import _plain, _problems_from
    from sanzhua.score.rules_in import KNOWN, Wrapped

    node: YMap = root["scoring"]
    raw = _plain(node)
    rules, err = _validate(raw)
    problems: list[Problem] = []
    if err is not None:
        # Validate again wrapped in {"scoring": ...} so that error locations start at the root.
        try:
            Wrapped.model_validate({"scoring": raw})
        except ValidationError as wrapped:
            problems = [
                p if p.code == "unknown-key" else replace(p, hint=msg("score.rules.invalid.hint"))
                for p in _problems_from(wrapped, root, path, KNOWN)
            ]
    problems.extend(_sign_warnings(node, raw, path, err))
    problems.sort(key=Problem.sort_key)
    return rules, problems


def rules_from_root(root: Path) -> tuple[Rules, list[Problem]]:
    """Rules from the sanzhua.yaml in a ledger root."""

    try:
        data = read_inside(root / SETTINGS_FILE, root)
    except (OSError, UnsafeFile):
        return DEFAULT_RULES, []
    text, _ = decode(data, SETTINGS_FILE)
    if text is None:
        return DEFAULT_RULES, []
    return rules_from_text(text)


def _sign_warnings(
    node: YMap, raw: Mapping[str, Any], path: str, err: ValidationError | None
) -> list[Problem]:
    """A reward written negative or a penalty written positive is legal but usually a slip."""
    bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]} if err is not None else set()
    out: list[Problem] = []
    for key in (*REWARDS, *PENALTIES):
        if key not in raw or key in bad:
            continue
        try:
            value = Decimal(str(_number(raw[key])))
        except ArithmeticError:
            continue
        wrong = value < 0 if key in REWARDS else value > 0
        if wrong:
            line, col = node.value_pos(key)
            kind = (
                "score.rules.reward-negative" if key in REWARDS else "score.rules.penalty-positive"
            )
            out.append(
                Problem(
                    "invalid-scoring",
                    "warning",
                    path,
                    line,
                    col,
                    msg(kind, key=key, value=str(raw[key])),
                    msg(kind + ".hint", key=key, value=str(-value)),
                )
            )
    return out
