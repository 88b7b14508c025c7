"""sanzhua.yaml, units.yaml and calendar.yaml: the ledger's settings.

These small files are validated with pydantic models (extra keys forbidden), and
pydantic's error locations are mapped back to the file's line and column. Task
files are far more numerous and take the hand-written fast path in ledgerfile.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from sanzhua.dates import DateError, parse_when
from sanzhua.i18n import CATALOGUE
from sanzhua.kinds import BUILTIN_KINDS, spelled
from sanzhua.load.keys import COLOUR_ALIASES, TASK_KEYS, did_you_mean
from sanzhua.load.yamlfast import YMap, YSeq, decode, parse
from sanzhua.model import (
    REMIND_STATES,
    REMINDABLE,
    BulletinSettings,
    Contact,
    EmailSettings,
    KindRule,
    NoticeSettings,
    RemindSettings,
    Settings,
    Unit,
)
from sanzhua.problems import Problem, msg

_UNIT_ID = re.compile(r"^[a-z0-9_-]+$")


def _iso_date(v: Any) -> Any:
    if isinstance(v, str):
        try:
            return parse_when(v.strip(), 2000)
        except DateError as e:
            raise ValueError(f"date: {e}") from e
    return v


def _text_list(v: Any) -> Any:
    if isinstance(v, str):
        return [p for p in re.split(r"[、,，;；\s]+", v.strip()) if p]
    return v


Day = Annotated[date, BeforeValidator(_iso_date)]
# A list in the settings (supervisors, a unit's editors, the bulletin's requirements, a
# contact's addresses ...) holds at most MAX_LIST entries: a 督查室 has a few supervisors, and
# 250,000 pasted into sanzhua.yaml made CODEOWNERS (each unit's line names them all) and the
# history's per-commit standing run for minutes.
MAX_LIST = 100
TextList = Annotated[list[str], BeforeValidator(_text_list), Field(max_length=MAX_LIST)]
# An owner (a supervisor, a unit's editor) is one git account or email: CODEOWNERS writes
# them on one line after the path, so a space, a line break or a # in one would make an
# owner of its own, a rule of its own (`\n* @someone`: everything) or a comment.
Owner = Annotated[str, Field(pattern=r"^[^\s#\x00-\x1f\x7f]+$")]
OwnerList = Annotated[list[Owner], BeforeValidator(_text_list), Field(max_length=MAX_LIST)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BulletinIn(_Strict):
    name: str = "政务督查"
    first_week: Day | None = None
    report: str | None = None
    send: str | None = None
    issue: str | None = None
    requirements: TextList = Field(default_factory=list)
    copies: int | None = Field(default=None, ge=1)


# --- reminders pushed (sanzhua remind, issue 20) ---
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
EnvName = Annotated[str, Field(pattern=_ENV_NAME, max_length=128)]


class EmailIn(_Strict):
    host: str = Field(min_length=1)
    port: int = Field(default=587, ge=1, le=65535)
    sender: str = Field(min_length=3, pattern=r"^[^@\s]+@[^@\s]+$")
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user_env: EnvName | None = None
    password_env: EnvName | None = None
    ca_file: str | None = None


def _remindable(v: list[str]) -> list[str]:
    for state in v:
        if state not in REMINDABLE:
            raise ValueError(f"unknown state {state!r}: one of {', '.join(REMINDABLE)}")
    return v


class RemindIn(_Strict):
    states: Annotated[TextList, AfterValidator(_remindable)] = Field(default_factory=lambda: list(REMIND_STATES))
    email: EmailIn | None = None
    retries: int = Field(default=3, ge=0, le=10)
    backoff: float = Field(default=2.0, ge=0, le=600)
    per_minute: int = Field(default=20, ge=1, le=6000)
    timeout: float = Field(default=10.0, gt=0, le=300)
    sent_file: str = Field(default=".sanzhua/remind-sent.json", min_length=1)


class ContactIn(_Strict):
    name: str | None = None
    email: TextList = Field(default_factory=list)
    wecom_env: EnvName | None = None
    dingtalk_env: EnvName | None = None
    dingtalk_secret_env: EnvName | None = None


# --- the 督办 cycle (issue 20): kinds with clocks ---
class KindIn(_Strict):
    aliases: TextList = Field(default_factory=list)
    ack_days: int | None = Field(default=None, ge=0, le=366)
    answer_days: int | None = Field(default=None, ge=0, le=3660)
    answer_months: int | None = Field(default=None, ge=0, le=120)
    report_every: Literal["none", "week", "month"] | None = None
    requires: TextList = Field(default_factory=list)
    satisfaction: bool | None = None
    scored: bool | None = None


def _colours(v: list[str]) -> list[str]:
    out = [COLOUR_ALIASES.get(c.lower()) for c in v]
    if any(c is None for c in out) or len(set(out)) != len(out) or len(out) < 2:
        raise ValueError("two or more different colours of blue, yellow, red (蓝、黄、红)")
    return [c for c in out if c is not None]


class NoticesIn(_Strict):
    prefix: str = Field(default="", max_length=40)
    reply_days: int = Field(default=3, ge=0, le=366)
    escalate_days: int = Field(default=3, ge=0, le=366)
    ladder: Annotated[TextList, AfterValidator(_colours)] = Field(default_factory=lambda: ["blue", "yellow", "red"])
    interview_after: int = Field(default=3, ge=0, le=100)


class SettingsIn(_Strict):
    name: str = Field(min_length=1)
    office: str | None = None
    year: int = Field(default=2026, ge=1900, le=2999)
    lang: Literal["zh", "en"] = "zh"
    due_soon_days: int = Field(default=5, ge=0, le=366)
    behind_margin: float = Field(default=20.0, ge=0, le=100)
    report_every: Literal["none", "week", "month"] = "week"
    supervisors: OwnerList = Field(default_factory=list)
    bulletin: BulletinIn = Field(default_factory=BulletinIn)
    require_signed: bool = False
    backdate_days: int = Field(default=7, ge=0)
    tracking_since: Day | None = None
    scoring: dict[str, Any] | None = None
    remind: RemindIn = Field(default_factory=RemindIn)
    kinds: dict[str, KindIn] = Field(default_factory=dict)
    verify_done: bool = False
    notices: NoticesIn | None = None
    max_file_mb: int = Field(default=64, ge=1, le=4096)  # issue 14: the largest file sanzhua reads


class UnitIn(_Strict):
    id: str
    name: str = Field(min_length=1)
    kind: str | None = None
    head: str | None = None
    deputy: str | None = None
    editors: OwnerList = Field(default_factory=list)
    contact: ContactIn | None = None


class CalendarIn(_Strict):
    holidays: list[Day] = Field(default_factory=list)
    workdays: list[Day] = Field(default_factory=list)


_BOOL = {"true": True, "yes": True, "是": True, "false": False, "no": False, "否": False}


def _plain(v: Any) -> Any:
    """YMap/YSeq → dict/list for pydantic. A key with nothing after it is left out: not given."""
    if isinstance(v, YMap):
        return {k: _plain(x) for k, x in v.items() if x is not None}
    if isinstance(v, YSeq):
        return [_plain(x) for x in v]
    return v


def _locate(root: Any, loc: tuple[int | str, ...]) -> tuple[int, int, bool]:
    """(line, col, is_key) of a pydantic error location inside the YAML tree."""
    node = root
    line, col = (getattr(root, "line", 1), getattr(root, "col", 1))
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, YMap) and isinstance(part, str) and part in node:
            if last:
                _, _, vl, vc = node.pos[part]
                return vl, vc, False
            line, col = node.value_pos(part)
            node = node[part]
        elif isinstance(node, YSeq) and isinstance(part, int) and part < len(node):
            line, col = node.item_pos(part)
            node = node[part]
        else:
            return line, col, True
    return line, col, False


# pydantic's error types, said for a clerk: (中文, English); `{ge}`-style fields come from the error's ctx.
_DETAILS: dict[str, tuple[str, str]] = {
    "int_parsing": ("应该是整数", "must be a whole number"),
    "int_type": ("应该是整数", "must be a whole number"),
    "int_from_float": ("应该是整数", "must be a whole number"),
    "float_parsing": ("应该是数字", "must be a number"),
    "float_type": ("应该是数字", "must be a number"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "greater_than": ("必须大于 {gt}", "must be more than {gt}"),
    "literal_error": ("只能是 {expected}", "must be {expected}"),
    "string_type": ("应该是一段文字", "must be text"),
    "string_too_short": ("不能为空", "must not be empty"),
    "list_type": ("应该是列表，例如 [a, b]", "must be a list, e.g. [a, b]"),
    "too_long": (
        "最多 {max_length} 项（这里有 {actual_length} 项）",
        "must have at most {max_length} items (it has {actual_length})",
    ),
    "dict_type": ("应该是“键: 值”形式，下面缩进写各项", "must be a mapping: its keys indented below it"),
    "model_type": ("应该是“键: 值”形式，下面缩进写各项", "must be a mapping: its keys indented below it"),
    "model_attributes_type": ("应该是“键: 值”形式，下面缩进写各项", "must be a mapping: its keys indented below it"),
    "bool_parsing": ("应该是 true 或 false（是/否）", "must be true or false"),
    "bool_type": ("应该是 true 或 false（是/否）", "must be true or false"),
    "string_pattern_mismatch": ("写法不对", "is not written the right way"),
}


def _detail(e: Any) -> tuple[str, str]:
    """(中文, English) of one pydantic error."""
    cause = getattr(e.get("ctx", {}).get("error"), "__cause__", None)
    if isinstance(cause, DateError):
        return cause.detail_zh, str(cause)
    pair = _DETAILS.get(str(e["type"]))
    if pair is None:
        return str(e["msg"]), str(e["msg"])
    ctx = {k: _shown(v) for k, v in e.get("ctx", {}).items()}
    try:
        zh = pair[0].format(**{k: v.replace(" or ", " 或 ").replace(", ", "、") for k, v in ctx.items()})
        return zh, pair[1].format(**ctx)
    except (KeyError, IndexError):
        return str(e["msg"]), str(e["msg"])


def _shown(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("'", "")


def _node_at(root: Any, loc: tuple[int | str, ...]) -> Any:
    node = root
    for part in loc:
        if isinstance(node, YMap) and isinstance(part, str):
            node = node.get(part)
        elif isinstance(node, YSeq) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return None
    return node


def _problems_from(
    err: ValidationError,
    root: Any,
    path: str,
    known: Mapping[tuple[str, ...], list[str]],
    hints: str = "settings.hint.",
) -> list[Problem]:
    """Pydantic's errors as problems at their key or value; `hints` + key path names a key's own hint."""
    out: list[Problem] = []
    for e in err.errors():
        loc = tuple(e["loc"])
        kind = e["type"]
        # Pydantic reports a union's alternatives separately; the tuple keys make them unique.
        if kind == "extra_forbidden":
            key = str(loc[-1])
            parent = tuple(str(p) for p in loc[:-1] if isinstance(p, str))
            node = _node_at(root, loc[:-1])
            line, col = node.key_pos(key) if isinstance(node, YMap) else (1, 1)
            choices = known.get(parent, [])
            guess = did_you_mean(key, choices)
            hint = msg("key.did-you-mean", guess=guess) if guess else msg("key.known", known="、".join(choices))
            out.append(Problem("unknown-key", "error", path, line, col, msg("key.unknown", key=key), hint))
        elif kind == "missing":
            line, col, _ = _locate(root, loc[:-1])
            key = str(loc[-1])
            node = _node_at(root, loc[:-1])
            written = isinstance(node, YMap) and key in node  # `name:` with nothing after it
            if written:
                line, col = node.value_pos(key)
            out.append(
                Problem(
                    "missing-key",
                    "error",
                    path,
                    line,
                    col,
                    msg("key.empty" if written else "key.missing-plain", key=key),
                    msg("key.missing.hint", key=key, zh=""),
                )
            )
        else:
            line, col, _ = _locate(root, loc)
            where = ".".join(str(p) for p in loc)
            value = e.get("input")
            code = "invalid-date" if "date" in kind or "date:" in str(e.get("msg", "")) else "invalid-value"
            detail_zh, detail_en = _detail(e)
            named = ".".join(str(p) for p in loc if isinstance(p, str))
            hint_key = hints + named
            out.append(
                Problem(
                    code,
                    "error",
                    path,
                    line,
                    col,
                    msg(
                        "settings.invalid",
                        key=where,
                        value=str(value) if not isinstance(value, (dict, list)) else "…",
                        detail=str(e["msg"]),
                        detail_zh=detail_zh,
                        detail_en=detail_en,
                    ),
                    msg(hint_key if hint_key in CATALOGUE else "settings.invalid.hint", key=where),
                )
            )
    return out


def _read(data: bytes | None, path: str) -> tuple[Any, list[Problem]]:
    if data is None:
        return None, []
    text, problems = decode(data, path)
    if text is None:
        return None, problems
    doc = parse(text, path)
    return doc.root, doc.problems


_SETTINGS_KNOWN = {
    (): list(SettingsIn.model_fields),
    ("bulletin",): list(BulletinIn.model_fields),
    ("remind",): list(RemindIn.model_fields),
    ("remind", "email"): list(EmailIn.model_fields),
    ("kinds",): [],
    ("notices",): list(NoticesIn.model_fields),
}


def load_settings(data: bytes, path: str = "sanzhua.yaml") -> tuple[Settings, list[Problem]]:
    """sanzhua.yaml → Settings. On errors, defaults stand in for what could not be read."""
    root, problems = _read(data, path)
    if root is None:
        if not problems:
            problems.append(
                Problem(
                    "missing-key",
                    "error",
                    path,
                    1,
                    1,
                    msg("key.missing-plain", key="name"),
                    msg("key.missing.hint", key="name", zh=""),
                )
            )
        return Settings(name=""), problems
    if not isinstance(root, YMap):
        problems.append(
            Problem("invalid-value", "error", path, 1, 1, msg("file.not-mapping"), msg("settings.not-mapping.hint"))
        )
        return Settings(name=""), problems
    s = _validated(_plain(root), root, path, problems)
    if isinstance(s, str):
        return Settings(name=s), problems
    return _settings_of(s, root, path, problems), problems


def _validated(raw: dict[str, Any], root: YMap, path: str, problems: list[Problem]) -> SettingsIn | str:
    """sanzhua.yaml's keys validated, its yes/no words read as booleans; on errors the
    problems noted and the keys that are right kept. A name alone when nothing can be kept."""
    for flag in ("require_signed", "verify_done"):
        if isinstance(raw.get(flag), str):
            raw[flag] = _BOOL.get(raw[flag].lower(), raw[flag])
    kinds_raw = raw.get("kinds")
    if isinstance(kinds_raw, dict):
        for rules in kinds_raw.values():
            if isinstance(rules, dict):
                for flag in ("satisfaction", "scored"):
                    if isinstance(rules.get(flag), str):
                        rules[flag] = _BOOL.get(rules[flag].lower(), rules[flag])
    try:
        return SettingsIn.model_validate(raw)
    except ValidationError as err:
        problems.extend(_problems_from(err, root, path, _SETTINGS_KNOWN))
        # Keep what is valid: drop offending top-level keys and try once more.
        bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
        cleaned = {k: v for k, v in raw.items() if k not in bad}
        if not isinstance(cleaned.get("name"), str) or not cleaned["name"]:
            cleaned["name"] = "?"
        try:
            return SettingsIn.model_validate(cleaned)
        except ValidationError:
            return str(raw.get("name") or "")


def _settings_of(s: SettingsIn, root: YMap, path: str, problems: list[Problem]) -> Settings:
    """The validated settings as the model's frozen Settings."""
    b = s.bulletin
    return Settings(
        name=s.name,
        office=s.office,
        year=s.year,
        lang=s.lang,
        due_soon_days=s.due_soon_days,
        behind_margin=s.behind_margin,
        report_every=s.report_every,
        supervisors=tuple(s.supervisors),
        bulletin=BulletinSettings(
            name=b.name,
            first_week=b.first_week,
            recipients_report=b.report,
            recipients_send=b.send,
            recipients_issue=b.issue,
            requirements=tuple(b.requirements),
            copies=b.copies,
        ),
        require_signed=s.require_signed,
        backdate_days=s.backdate_days,
        max_file_mb=s.max_file_mb,
        tracking_since=s.tracking_since,
        extra={"scoring": s.scoring} if s.scoring is not None else {},
        remind=_remind(s.remind),
        kinds=_kinds(s.kinds, root, path, problems),
        verify_done=s.verify_done,
        notices=NoticeSettings()
        if s.notices is None
        else NoticeSettings(
            s.notices.prefix,
            s.notices.reply_days,
            s.notices.escalate_days,
            tuple(s.notices.ladder),
            s.notices.interview_after,
            True,
        ),
    )


def _kinds(given: dict[str, KindIn], root: Any, path: str, problems: list[Problem]) -> tuple[KindRule, ...]:
    """The built-in kinds with sanzhua.yaml's changes, then its own kinds; () when it has none."""
    if not given:
        return ()
    rules = list(BUILTIN_KINDS)
    node = root.get("kinds") if isinstance(root, YMap) else None
    for name, k in given.items():
        where = node.value_pos(name) if isinstance(node, YMap) and name in node else (1, 1)
        if k.answer_days is not None and k.answer_months is not None:
            problems.append(
                Problem("invalid-value", "error", path, *where, msg("kinds.two-clocks", kind=name), msg("kinds.hint"))
            )
        unknown = [r for r in k.requires if r not in TASK_KEYS and r not in TASK_KEYS.values()]
        if unknown:
            problems.append(
                Problem(
                    "invalid-value",
                    "error",
                    path,
                    *where,
                    msg("kinds.unknown-field", kind=name, fields="、".join(unknown)),
                    msg("key.known", known="、".join(TASK_KEYS)),
                )
            )
        eng = {v: key for key, v in TASK_KEYS.items()}
        changes: dict[str, Any] = {
            f: getattr(k, f)
            for f in ("ack_days", "answer_days", "answer_months", "report_every", "satisfaction", "scored")
            if f in k.model_fields_set
        }
        if "requires" in k.model_fields_set:
            changes["requires"] = tuple(eng.get(r, r) for r in k.requires if r not in unknown)
        if "answer_days" in changes and "answer_months" not in changes:
            changes["answer_months"] = None  # one clock replaces the other
        if "answer_months" in changes and "answer_days" not in changes:
            changes["answer_days"] = None
        at = next((i for i, r in enumerate(rules) if spelled(name) in {spelled(n) for n in (r.name, *r.aliases)}), None)
        if at is None:
            rules.append(replace(KindRule(name), aliases=tuple(k.aliases), **changes))
        else:
            base = rules[at]
            rules[at] = replace(base, aliases=(*base.aliases, *k.aliases), **changes)
    return tuple(rules)


def _remind(r: RemindIn) -> RemindSettings:
    e = r.email
    return RemindSettings(
        states=tuple(r.states),
        email=None
        if e is None
        else EmailSettings(e.host, e.port, e.sender, e.security, e.user_env, e.password_env, e.ca_file),
        retries=r.retries,
        backoff=r.backoff,
        per_minute=r.per_minute,
        timeout=r.timeout,
        sent_file=r.sent_file,
    )


def _contact(c: ContactIn | None) -> Contact | None:
    if c is None:
        return None
    return Contact(c.name, tuple(c.email), c.wecom_env, c.dingtalk_env, c.dingtalk_secret_env)


MAX_UNITS = 10_000  # units.yaml's entries read; more is an error (every table and score is per unit)


def load_units(data: bytes | None, path: str = "units.yaml") -> tuple[dict[str, Unit], list[Problem]]:
    """units.yaml → {id: Unit}; duplicate and malformed ids are problems."""
    root, problems = _read(data, path)
    units: dict[str, Unit] = {}
    if root is None:
        if data is not None and not problems:
            problems.append(Problem("missing-key", "error", path, 1, 1, msg("units.shape"), msg("units.shape.hint")))
        return units, problems
    if not isinstance(root, YMap) or "units" not in root or not isinstance(root["units"], YSeq):
        if isinstance(root, YMap) and "units" in root:
            line, col = root.value_pos("units")
        else:
            line, col = (1, 1)
        problems.append(Problem("invalid-value", "error", path, line, col, msg("units.shape"), msg("units.shape.hint")))
        if not isinstance(root, YMap):
            return units, problems
    for key in root:
        if key != "units":
            guess = did_you_mean(key, ["units"])
            problems.append(
                Problem(
                    "unknown-key",
                    "error",
                    path,
                    *root.key_pos(key),
                    msg("key.unknown", key=key),
                    msg("key.did-you-mean", guess=guess) if guess else msg("key.known", known="units"),
                )
            )
    seq = root.get("units")
    if not isinstance(seq, YSeq):
        return units, problems
    items = list(enumerate(seq))
    if len(items) > MAX_UNITS:  # a county has ~100 units, a city a few thousand
        line, col = root.value_pos("units")
        problems.append(
            Problem(
                "invalid-value", "error", path, line, col,
                msg("units.too-many", n=len(items), limit=MAX_UNITS), msg("units.too-many.hint"),
            )
        )
        items = items[:MAX_UNITS]
    for i, item in items:
        line, col = seq.item_pos(i)
        if not isinstance(item, YMap):
            problems.append(
                Problem("invalid-value", "error", path, line, col, msg("units.entry"), msg("units.shape.hint"))
            )
            continue
        u = _unit_in(item, path, problems)
        if u is None:
            continue
        if u.id in units:
            problems.append(
                Problem(
                    "duplicate-id",
                    "error",
                    path,
                    *item.value_pos("id"),
                    msg("units.duplicate", id=u.id, first_line=units[u.id].line),
                    msg("units.duplicate.hint"),
                )
            )
            continue
        units[u.id] = Unit(u.id, u.name, u.kind, u.head, u.deputy, tuple(u.editors), line, _contact(u.contact))
    return units, problems


_UNIT_KNOWN: dict[tuple[str, ...], list[str]] = {
    (): list(UnitIn.model_fields),
    ("contact",): list(ContactIn.model_fields),
}


def _unit_in(item: YMap, path: str, problems: list[Problem]) -> UnitIn | None:
    """One entry of units.yaml validated, its problems noted; None when it has no id to keep."""
    raw = _plain(item)
    try:
        u = UnitIn.model_validate(raw)
    except ValidationError as err:
        problems.extend(_problems_from(err, item, path, _UNIT_KNOWN, "units.hint."))
        # Keep the unit without what is wrong, so that the ledgers naming it are not also reported.
        bad = {str(e["loc"][0]) for e in err.errors() if e["loc"]}
        kept = {k: v for k, v in raw.items() if k not in bad}
        if not isinstance(kept.get("id"), str):
            return None
        kept.setdefault("name", kept["id"])
        try:
            u = UnitIn.model_validate(kept)
        except ValidationError:
            return None
    if not _UNIT_ID.match(u.id):
        # Still a unit (FGW under the id fgw it was surely meant to have), so that the
        # ledgers naming it are not reported as well.
        problems.append(
            Problem(
                "invalid-value",
                "error",
                path,
                *item.value_pos("id"),
                msg("units.bad-id", id=u.id),
                msg("units.bad-id.hint"),
            )
        )
        if _UNIT_ID.match(u.id.lower()):
            u = u.model_copy(update={"id": u.id.lower()})
    return u


def load_calendar(data: bytes | None, path: str = "calendar.yaml") -> tuple[list[date], list[date], list[Problem]]:
    """calendar.yaml → (holidays, workdays)."""
    root, problems = _read(data, path)
    if root is None:
        return [], [], problems
    if not isinstance(root, YMap):
        problems.append(Problem("invalid-value", "error", path, 1, 1, msg("file.not-mapping"), msg("calendar.hint")))
        return [], [], problems
    try:
        c = CalendarIn.model_validate(_plain(root))
    except ValidationError as err:
        known_cal: dict[tuple[str, ...], list[str]] = {(): list(CalendarIn.model_fields)}
        problems.extend(_problems_from(err, root, path, known_cal, "calendar.hint."))
        return [], [], problems
    return list(c.holidays), list(c.workdays), problems
