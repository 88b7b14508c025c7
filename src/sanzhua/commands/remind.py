"""`sanzhua remind`: push what is overdue, due soon or unreported to each unit's contact.

load → evaluate → assemble the messages (sanzhua.remind.messages) → print them
(`--dry-run`, the default) or deliver them (`--send`, sanzhua.remind.channels), keeping
a record of what went out so that nothing is sent twice for the same task, state and day.

Exit codes: 0 every message was sent (or, without --send, the messages were printed);
1 the ledger's files lose tasks (without --allow-errors), or a message could not be delivered
(the report names each one and why); 2 the command could not run (bad option, a
malformed send record, another `remind --send` running).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, open_report
from sanzhua.errors import FatalError, bad_choice
from sanzhua.evaluate import evaluate
from sanzhua.i18n import Lang, label, say
from sanzhua.load import Ledger
from sanzhua.load.keys import did_you_mean
from sanzhua.notices import load_notices, statuses
from sanzhua.problems import msg
from sanzhua.remind.channels import Delivery, Sender
from sanzhua.remind.messages import CHANNEL_NAMES, CHANNELS, Item, Message, assemble, escalated_items
from sanzhua.remind.sent import SentRecord, load_sent, locked

SenderFactory = Callable[[Ledger, Mapping[str, str]], Sender]
Plan = tuple[list[Message], list[tuple[str, str, Item]]]  # the messages to send, and the items sent already


def sent_path(ledger: Ledger, given: Path | None) -> Path:
    """--sent-file as given, or `remind.sent_file` inside the ledger root (never outside it)."""
    if given is not None:
        return given
    rel = Path(ledger.settings.remind.sent_file)
    path = (ledger.root / rel).resolve()
    top = ledger.root.resolve()
    if rel.is_absolute() or not Path(os.path.normpath(top / rel)).is_relative_to(top):
        raise FatalError(
            msg("remind.sent-outside", file=rel), msg("remind.sent-outside.hint"), lang=ledger.settings.lang
        )
    if not path.is_relative_to(top):  # the setting is fine, a link on the way leads out
        raise FatalError(
            msg("unsafe.outside", path=rel.as_posix(), detail=path), msg("unsafe.hint"), lang=ledger.settings.lang
        )
    return path


def _check_options(ledger: Ledger, units: Sequence[str], channels: Sequence[str]) -> None:
    for c in channels:
        if c not in CHANNELS:
            raise bad_choice("--channel", CHANNELS, c)
    by_name = {u.name: uid for uid, u in ledger.units.items()}
    for u in units:
        if u in ledger.units:
            continue
        if u in by_name:
            raise FatalError(msg("remind.unit-name", name=u, id=by_name[u]), f"--unit {by_name[u]}")
        guess = did_you_mean(u, list(ledger.units))
        raise FatalError(
            msg("remind.no-unit", id=u),
            msg("option.unit.did-you-mean", guess=guess) if guess else msg("remind.no-unit.hint"),
        )


def _unreachable(m: Message, ledger: Ledger, env: Mapping[str, str], lang: Lang) -> str | None:
    """Why `m` could not be delivered, seen without sending it (for --dry-run)."""
    if m.channel == "none":
        return say("remind.out.no-contact", lang)
    if m.channel == "email":
        e = ledger.settings.remind.email
        if e is None:
            return say("remind.out.no-email", lang)
        names = [n for n in (e.user_env, e.password_env) if n]
    else:
        names = [m.target]
        unit = ledger.units.get(m.unit)
        if m.channel == "dingtalk" and unit is not None and unit.contact and unit.contact.dingtalk_secret_env:
            names.append(unit.contact.dingtalk_secret_env)
    missing = [n for n in names if not env.get(n, "").strip()]
    if missing:
        return say("remind.out.unset", lang, names="、".join(missing), names_en=", ".join(missing))
    return None


def _channel(m: Message, lang: Lang) -> str:
    """The channel and its address on one line: a line break in a unit's address
    (units.yaml) is shown as a space, not as a line of its own."""
    name = label(CHANNEL_NAMES, m.channel, lang)
    return say("remind.out.channel", lang, name=name, target=" ".join(m.target.split())) if m.target else name


def remind(
    root: Path | None,
    *,
    as_of: date,
    send: bool = False,
    units: Sequence[str] = (),
    channels: Sequence[str] = (),
    fmt: str = "text",
    lang: str | None = None,
    sent_file: Path | None = None,
    allow_errors: bool = False,
    env: Mapping[str, str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    sender: SenderFactory | None = None,
) -> int:
    """Print (or with `send`, deliver) the reminders due on `as_of`."""
    out = out or sys.stdout
    err = err or sys.stderr
    env = os.environ if env is None else env
    if fmt not in ("text", "json"):
        raise bad_choice("--format", ("text", "json"), fmt)
    # Complete or loud, as every report: a ledger whose files lose tasks is refused (exit 1,
    # each file and task named on stderr) unless --allow-errors, and then the output says so.
    opened = open_report(root, lang, allow_errors=allow_errors)
    ledger, chosen = opened.ledger, opened.lang
    _check_options(ledger, units, channels)
    left_out = [f.file for f in opened.gaps.files]
    path = sent_path(ledger, sent_file)
    evaluation = evaluate(ledger, as_of)
    records, broken = load_notices(ledger.root)
    if broken:  # complete or loud: an unreadable notice would not be reminded of
        if not allow_errors:
            err.write(
                say("remind.out.notices-broken", chosen, file=broken[0].file, line=broken[0].line)
            )
            return EXIT_PROBLEMS
        left_out.extend(sorted({p.file for p in broken}))
    escalated = escalated_items(
        statuses(records, ledger.tasks, as_of, ledger.settings.notices, ledger.calendar), chosen
    )

    def plan(record: SentRecord) -> Plan:
        return assemble(
            evaluation,
            ledger.units,
            ledger.settings,
            as_of,
            chosen,
            sent=record.sent_on(as_of),
            only_units=units,
            only_channels=channels,
            notices=escalated,
        )

    notice = _left_out(left_out, opened.gaps.errors + len(broken), chosen)
    if not send:
        messages, skipped = plan(load_sent(path))
        reasons = {id(m): _unreachable(m, ledger, env, chosen) for m in messages}
        if fmt == "json":
            _json(out, as_of, "dry-run", [(m, None) for m in messages], skipped, reasons, notice)
        else:
            _dry_text(out, messages, skipped, reasons, notice, chosen)
        return EXIT_OK

    make = sender or (lambda lg, e: Sender(lg.settings.remind, lg.units, e, lg.root))
    deliveries, skipped = _deliver(path, plan, make(ledger, env), as_of)
    failed = [d for d in deliveries if not d.ok]
    if fmt == "json":
        _json(out, as_of, "send", [(d.message, d) for d in deliveries], skipped, {}, notice)
    else:
        _send_text(out, deliveries, skipped, path, notice, chosen)
    return EXIT_PROBLEMS if failed else EXIT_OK


def _left_out(files: list[str], errors: int, lang: Lang) -> str | None:
    """The line saying which files' tasks the reminders leave out (--allow-errors)."""
    if not files:
        return None
    return say("remind.out.left-out", lang, errors=errors, files="、".join(files), files_en=", ".join(files))


def _deliver(
    path: Path, plan: Callable[[SentRecord], Plan], courier: Sender, as_of: date
) -> tuple[list[Delivery], list[tuple[str, str, Item]]]:
    """Send what the record of sends does not hold yet, one `remind --send` at a time (the
    record locked), recording each message as soon as it went out."""
    deliveries: list[Delivery] = []
    with locked(path):
        record = load_sent(path)
        messages, skipped = plan(record)
        for m in messages:
            d = courier.deliver(m)
            deliveries.append(d)
            if d.ok:
                for i in m.items:
                    record.add(as_of, (m.unit, m.channel, i.task, i.state))
                record.save(as_of)  # after each message: a crash later does not send this one again
    return deliveries, skipped


def _dry_text(
    out: TextIO,
    messages: list[Message],
    skipped: list[tuple[str, str, Item]],
    reasons: Mapping[int, str | None],
    notice: str | None,
    lang: Lang,
) -> None:
    if notice:
        out.write(notice + "\n\n")
    for m in messages:
        out.write(f"── {m.unit} {m.unit_name} → {_channel(m, lang)}\n")
        why = reasons.get(id(m))
        if why:
            out.write(say("remind.out.unsendable", lang, why=why))
        out.write(m.text + "\n")
    items = sum(len(m.items) for m in messages)
    blocked = sum(1 for m in messages if reasons.get(id(m)))
    out.write(
        say("remind.out.preview", lang, messages=len(messages), items=items)
    )
    if skipped:
        out.write(say("remind.out.preview-skipped", lang, n=len(skipped)))
    if blocked:
        out.write(say("remind.out.preview-blocked", lang, n=blocked))
    out.write("\n")


def _send_text(
    out: TextIO,
    deliveries: list[Delivery],
    skipped: list[tuple[str, str, Item]],
    path: Path,
    notice: str | None,
    lang: Lang,
) -> None:
    if notice:
        out.write(notice + "\n")
    for d in deliveries:
        m = d.message
        part = f" ({m.part}/{m.parts})" if m.parts > 1 else ""
        head = f"{m.unit} {m.unit_name} → {_channel(m, lang)}{part}"
        if d.ok:
            out.write(say("remind.out.sent", lang, head=head, n=len(m.items)))
        else:
            out.write(say("remind.out.failed", lang, head=head, error=d.error))
    ok = sum(1 for d in deliveries if d.ok)
    failed = len(deliveries) - ok
    out.write(
        say("remind.out.summary", lang, ok=ok, failed=failed, skipped=len(skipped), path=path)
    )
    if failed:
        out.write(
            say("remind.out.failed-hint", lang)
        )


def _json(
    out: TextIO,
    as_of: date,
    mode: str,
    rows: list[tuple[Message, Delivery | None]],
    skipped: list[tuple[str, str, Item]],
    reasons: Mapping[int, str | None],
    notice: str | None,
) -> None:
    def one(m: Message, d: Delivery | None) -> dict[str, object]:
        row: dict[str, object] = {
            "unit": m.unit,
            "unit_name": m.unit_name,
            "channel": m.channel,
            "target": m.target,
            "title": m.title,
            "text": m.text,
            "part": m.part,
            "parts": m.parts,
            "items": [{"task": i.task, "state": i.state} for i in m.items],
        }
        if d is None:
            row["status"] = "preview"
            row["error"] = reasons.get(id(m))
        else:
            row["status"] = "sent" if d.ok else "failed"
            row["attempts"] = d.attempts
            row["error"] = d.error
        return row

    doc = {
        "as_of": as_of.isoformat(),
        "mode": mode,
        "notice": notice,
        "messages": [one(m, d) for m, d in rows],
        "already_sent": [{"unit": u, "channel": c, "task": i.task, "state": i.state} for u, c, i in skipped],
    }
    out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
