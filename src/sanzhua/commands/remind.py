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
from sanzhua.i18n import Lang, words
from sanzhua.load import Ledger
from sanzhua.load.keys import did_you_mean
from sanzhua.notices import load_notices, statuses
from sanzhua.problems import msg
from sanzhua.remind.channels import Delivery, Sender
from sanzhua.remind.messages import CHANNEL_NAMES, CHANNELS, Item, Message, assemble, escalated_items
from sanzhua.remind.sent import SentRecord, load_sent, locked

SenderFactory = Callable[[Ledger, Mapping[str, str]], Sender]


def sent_path(ledger: Ledger, given: Path | None) -> Path:
    """--sent-file as given, or `remind.sent_file` inside the ledger root (never outside it)."""
    if given is not None:
        return given
    rel = Path(ledger.settings.remind.sent_file)
    path = (ledger.root / rel).resolve()
    if rel.is_absolute() or not path.is_relative_to(ledger.root.resolve()):
        raise FatalError(
            msg("remind.sent-outside", file=rel), msg("remind.sent-outside.hint"), lang=ledger.settings.lang
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
        return words(lang, "units.yaml 中没有 contact（联系方式）", "no contact in units.yaml")
    if m.channel == "email":
        e = ledger.settings.remind.email
        if e is None:
            return words(lang, "sanzhua.yaml 没有 remind.email（发信服务器）", "sanzhua.yaml has no remind.email")
        names = [n for n in (e.user_env, e.password_env) if n]
    else:
        names = [m.target]
        unit = ledger.units.get(m.unit)
        if m.channel == "dingtalk" and unit is not None and unit.contact and unit.contact.dingtalk_secret_env:
            names.append(unit.contact.dingtalk_secret_env)
    missing = [n for n in names if not env.get(n, "").strip()]
    if missing:
        return words(lang, f"环境变量 {'、'.join(missing)} 未设置", f"{', '.join(missing)} not set")
    return None


def _channel(m: Message, lang: Lang) -> str:
    name = words(lang, *CHANNEL_NAMES[m.channel])
    return f"{name}（{m.target}）" if m.target and lang == "zh" else (f"{name} ({m.target})" if m.target else name)


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
                words(
                    chosen,
                    f"督办通知登记有错误（{broken[0].file} 第 {broken[0].line} 行），不发送提醒；"
                    "请运行 sanzhua check 修正，或加 --allow-errors\n",
                    f"the notices have errors ({broken[0].file} line {broken[0].line}); no reminders: run sanzhua "
                    "check, or pass --allow-errors\n",
                )
            )
            return EXIT_PROBLEMS
        left_out.extend(sorted({p.file for p in broken}))
    escalated = escalated_items(
        statuses(records, ledger.tasks, as_of, ledger.settings.notices, ledger.calendar), chosen
    )

    def plan(record: SentRecord) -> tuple[list[Message], list[tuple[str, str, Item]]]:
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

    notice = (
        words(
            chosen,
            f"注意：台账有 {opened.gaps.errors + len(broken)} 处错误，以下文件中的任务和通知未计入或不完整，"
            f"可能漏提醒：{'、'.join(left_out)}",
            f"Note: the ledger has {opened.gaps.errors + len(broken)} errors; tasks and notices of these files are "
            "left out or incomplete "
            f"and may not be reminded of: {', '.join(left_out)}",
        )
        if left_out
        else None
    )
    if not send:
        messages, skipped = plan(load_sent(path))
        reasons = {id(m): _unreachable(m, ledger, env, chosen) for m in messages}
        if fmt == "json":
            _json(out, as_of, "dry-run", [(m, None) for m in messages], skipped, reasons, notice)
        else:
            _dry_text(out, messages, skipped, reasons, notice, chosen)
        return EXIT_OK

    make = sender or (lambda lg, e: Sender(lg.settings.remind, lg.units, e, lg.root))
    deliveries: list[Delivery] = []
    with locked(path):
        record = load_sent(path)
        messages, skipped = plan(record)
        courier = make(ledger, env)
        for m in messages:
            d = courier.deliver(m)
            deliveries.append(d)
            if d.ok:
                for i in m.items:
                    record.add(as_of, (m.unit, m.channel, i.task, i.state))
                record.save(as_of)  # after each message: a crash later does not send this one again
    failed = [d for d in deliveries if not d.ok]
    if fmt == "json":
        _json(out, as_of, "send", [(d.message, d) for d in deliveries], skipped, {}, notice)
    else:
        _send_text(out, deliveries, skipped, path, notice, chosen)
    return EXIT_PROBLEMS if failed else EXIT_OK


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
            out.write(words(lang, f"!! 无法发送：{why}\n", f"!! cannot be sent: {why}\n"))
        out.write(m.text + "\n")
    items = sum(len(m.items) for m in messages)
    blocked = sum(1 for m in messages if reasons.get(id(m)))
    out.write(
        words(
            lang,
            f"预览（未发送，加 --send 才发送）：{len(messages)} 条消息，{items} 项",
            f"Preview (nothing sent; --send sends): {len(messages)} messages, {items} items",
        )
    )
    if skipped:
        out.write(
            words(lang, f"；今天已发送过、不再重发 {len(skipped)} 项", f"; {len(skipped)} items already sent today")
        )
    if blocked:
        out.write(words(lang, f"；{blocked} 条无法发送（见 !!）", f"; {blocked} cannot be sent (see !!)"))
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
            out.write(words(lang, f"✓ 已发送 {head}：{len(m.items)} 项\n", f"✓ sent {head}: {len(m.items)} items\n"))
        else:
            out.write(words(lang, f"✗ 发送失败 {head}：{d.error}\n", f"✗ FAILED {head}: {d.error}\n"))
    ok = sum(1 for d in deliveries if d.ok)
    failed = len(deliveries) - ok
    out.write(
        words(
            lang,
            f"已发送 {ok} 条，失败 {failed} 条；今天已发送过、不再重发 {len(skipped)} 项。发送记录：{path}\n",
            f"sent {ok}, failed {failed}; {len(skipped)} items already sent today. Record: {path}\n",
        )
    )
    if failed:
        out.write(
            words(
                lang,
                "失败的消息没有记为已发送：修正后再次运行 sanzhua remind --send 只补发它们。\n",
                "Failed messages are not recorded as sent: run sanzhua remind --send again to send only them.\n",
            )
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
