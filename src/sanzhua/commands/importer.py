"""`sanzhua import`: a 台账 spreadsheet (xlsx or csv) → ledger files, every unread row reported."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.checks.per_task import file_problems
from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, lang_before_loading, ledger_root, open_ledger
from sanzhua.edit.emit import Unwritable
from sanzhua.edit.lock import ledger_lock
from sanzhua.edit.session import Refused, without_positions, write_atomic
from sanzhua.errors import FatalError
from sanzhua.filters import unknown_unit
from sanzhua.i18n import Lang, say, text
from sanzhua.interchange.cells import UnitMatcher
from sanzhua.interchange.columns import FIELDS, normalize
from sanzhua.interchange.tabular import read_table_file
from sanzhua.interchange.writer import (
    Style,
    append_to_file,
    file_style,
    new_file,
    render_task,
)
from sanzhua.interchange.xlsx_import import Draft, ImportOptions, ImportPlan, RowNote, plan_import
from sanzhua.load import LEDGER_DIR, Ledger, parse_ledger_bytes
from sanzhua.load import keys as K
from sanzhua.model import Task
from sanzhua.outfile import file_name
from sanzhua.problems import msg


@dataclass
class _Target:
    path: str  # relative to the root
    unit: str
    style: Style
    data: bytes | None  # the file as it is, None for a new file
    drafts: list[Draft]
    blocks: list[list[str]]
    unit_name: str = ""
    before: list[Task] = field(default_factory=list)  # the file's tasks as loaded


def import_table(
    source: Path,
    root: Path | None,
    *,
    today: date,
    sheets: Sequence[str] = (),
    unit: str | None = None,
    mapping: Sequence[str] = (),
    id_prefix: str | None = None,
    default_due: str | None = None,
    dry_run: bool = False,
    lang: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Read `source` into the ledger; exit 1 when any row could not come in, else 0."""
    where = ledger_root(root, lang)
    lock: AbstractContextManager[None] = nullcontext() if dry_run else ledger_lock(where)
    try:
        with lock:
            return _import(
                source, where, today=today, sheets=sheets, unit=unit, mapping=mapping,
                id_prefix=id_prefix, default_due=default_due, dry_run=dry_run, lang=lang, out=out,
            )
    except Refused as e:  # only taking the lock refuses here
        lg = lang_before_loading(where, lang)
        raise FatalError(e.message, e.hint, lang=lg) from None


def _import(
    source: Path,
    root: Path,
    *,
    today: date,
    sheets: Sequence[str],
    unit: str | None,
    mapping: Sequence[str],
    id_prefix: str | None,
    default_due: str | None,
    dry_run: bool,
    lang: str | None,
    out: TextIO | None,
) -> int:
    stream = out or sys.stdout
    opened = open_ledger(root, lang, cache=False)
    ledger, lg = opened.ledger, opened.lang
    matcher = UnitMatcher(ledger.units)
    unit_id: str | None = None
    if unit is not None:
        unit_id = matcher.match(unit)
        if unit_id is None:
            guess = matcher.guess(unit)
            raise unknown_unit("--unit", unit, guess, ", ".join(ledger.units), lg)
    tables = read_table_file(source)
    names = [t.name for t in tables]
    for s in sheets:
        if s not in names:
            raise FatalError(
                msg("import.no-sheet", sheet=s), msg("import.no-sheet.hint", choices="、".join(names)), lang=lg
            )
    options = ImportOptions(
        year=ledger.settings.year,
        today=today,
        unit=unit_id,
        mapping=_mapping(mapping, lg),
        id_prefix=id_prefix,
        default_due=default_due,
        sheets=tuple(sheets),
    )
    plan = plan_import(tables, ledger.units, ledger.tasks, options)
    targets = _targets(ledger, plan, source.name, today, lg)
    # Every file is composed and read back before the first one is written.
    results = [(t, _compose(t, source.name, today, ledger.settings.year)) for t in targets]
    if not dry_run:
        _write(ledger.root, results, lg)
    _report(stream, plan, targets, source, lg, dry_run, several=len(plan.sheets_read) > 1)
    return EXIT_PROBLEMS if any(n.level == "error" for n in plan.notes) else EXIT_OK


def _write(root: Path, results: list[tuple[_Target, bytes]], lg: Lang) -> None:
    """Write every file, or none when one of them has changed on disk since it was read.

    All are checked first; each write checks again (`write_atomic`), and should one still
    be refused, the message names the files written before it."""
    for t, _ in results:
        path = root / t.path
        try:
            current: bytes | None = path.read_bytes()
        except FileNotFoundError:
            current = None
        if current != t.data:
            raise FatalError(msg("edit.changed-on-disk", file=t.path), msg("edit.changed-on-disk.hint"), lang=lg)
    written: list[str] = []
    for t, data in results:
        try:
            write_atomic(root / t.path, data, t.data)
        except Refused as e:
            message = (
                text(msg("import.partly-written", file=t.path, written="、".join(written)), lg)
                if written
                else text(e.message, lg)
            )
            raise FatalError(message, text(e.hint, lg) if e.hint else None) from None
        written.append(t.path)


def _mapping(items: Sequence[str], lg: Lang) -> dict[str, str]:
    """--map 列名=field (field in English or as the ledger's Chinese key)."""
    aliases = {f: f for f in FIELDS}
    aliases.update({zh: eng for eng, zh in K.TASK_KEYS.items() if eng in FIELDS})
    out: dict[str, str] = {}
    for item in items:
        head, sep, fld = item.partition("=")
        fld = fld.strip()
        if not sep or not head.strip() or fld not in aliases:
            raise FatalError(
                msg("import.bad-map", item=item),
                msg("import.bad-map.hint", choices=", ".join(f for f in FIELDS if f != "seq")),
                lang=lg,
            )
        out[normalize(head)] = aliases[fld]
    return out


def _targets(ledger: Ledger, plan: ImportPlan, source: str, today: date, lg: Lang) -> list[_Target]:
    """Each draft's file (its lead unit's, else a new one), rendered and checked."""
    by_unit: dict[str, _Target] = {}
    styles = [f.key_style for f in ledger.files if f.tasks]
    new_keys = "zh" if styles.count("zh") > styles.count("en") else "en"
    files_of: dict[str, list[str]] = {}
    for f in ledger.files:
        if f.unit:
            files_of.setdefault(f.unit, []).append(f.path)
    kept: list[Draft] = []
    broken: dict[str, str] = {}  # unit → its file that has errors now
    for d in plan.drafts:
        if d.lead in broken:
            plan.notes.append(
                RowNote(d.sheet, d.row, "error", msg("import.file-invalid", file=broken[d.lead]))
            )
            continue
        tgt = by_unit.get(d.lead)
        if tgt is None:
            paths = files_of.get(d.lead, [])
            preferred = f"{LEDGER_DIR}/{file_name(d.lead)}.yaml"  # an id of units.yaml: one name
            path = preferred if preferred in paths else (paths[0] if paths else preferred)
            name = ledger.units[d.lead].name if d.lead in ledger.units else d.lead
            fr = ledger.file(path) if paths else None
            if fr is not None and any(p.severity == "error" for p in file_problems(fr)):
                broken[d.lead] = path
                plan.notes.append(
                    RowNote(d.sheet, d.row, "error", msg("import.file-invalid", file=path))
                )
                continue
            # The bytes the ledger was loaded from: what is written is composed from them,
            # and the file on disk must still be them when it is written.
            style = Style(keys=new_keys)
            raw: bytes | None = None
            if fr is not None and (data := ledger.sources.get(path)) is not None:
                style, appendable = file_style(data, fr.key_style)
                if appendable:
                    raw = data
                else:
                    # `tasks: [{…}, {…}]` on one line: the new tasks get a file of their own
                    plan.notes.append(
                        RowNote(d.sheet, d.row, "info", msg("import.flow-file", file=path))
                    )
            if fr is not None and raw is not None:
                tgt = _Target(path, d.lead, style, raw, [], [], before=fr.tasks)
            else:
                if (ledger.root / path).exists():  # another unit's file: never overwritten
                    path = _free_name(ledger.root, d.lead)
                tgt = _Target(path, d.lead, style, None, [], [], name)
            by_unit[d.lead] = tgt
        try:
            block = render_task(d.ordered(), d.comments, tgt.style)
        except Unwritable as e:  # a value that would not read back as itself: the row is left out
            plan.notes.append(RowNote(d.sheet, d.row, "error", e.message))
            continue
        problem = _check_block(block, tgt, ledger.settings.year)
        if problem is not None:
            plan.notes.append(
                RowNote(d.sheet, d.row, "error", msg("import.invalid", detail=problem))
            )
            continue
        tgt.drafts.append(d)
        tgt.blocks.append(block)
        kept.append(d)
    plan.drafts = kept
    return [t for t in by_unit.values() if t.blocks]


def _free_name(root: Path, unit: str) -> str:
    n = 2
    stem = file_name(unit)
    while (root / LEDGER_DIR / f"{stem}-{n}.yaml").exists():
        n += 1
    return f"{LEDGER_DIR}/{stem}-{n}.yaml"


def _check_block(block: list[str], tgt: _Target, year: int) -> str | None:
    """Parse one rendered task on its own: what the loader would say, or None when it is clean."""
    doc = new_file(tgt.unit, [], [block], tgt.style)
    res = parse_ledger_bytes(doc.encode("utf-8"), "import.yaml", year)
    errors = [p for p in file_problems(res) if p.severity == "error"]
    if errors:
        return text(errors[0].message, "zh")
    if len(res.tasks) != 1:
        return "no task"
    return None


def _compose(t: _Target, source: str, today: date, year: int) -> bytes:
    if t.data is None:
        header = [
            f"{t.unit_name or t.unit} 任务台账",
            f"由 sanzhua import 从 {source} 导入（{today.isoformat()}）",
        ]
        result = new_file(t.unit, header, t.blocks, t.style).encode("utf-8")
    else:
        result = append_to_file(t.data, t.blocks, t.style)
    # The whole file must still load, with what was there unchanged and the new tasks added.
    before = t.before
    after = parse_ledger_bytes(result, t.path, year)
    same = [without_positions(x) for x in after.tasks[: len(before)]] == [without_positions(x) for x in before]
    if (
        len(after.tasks) != len(before) + len(t.blocks)
        or not same
        or any(p.severity == "error" for p in file_problems(after))
    ):
        raise FatalError(msg("import.internal", file=t.path), msg("import.internal.hint"))
    return result


_LEVEL = {
    "error": ("未导入", "not imported"),
    "warning": ("注意", "note"),
    "info": ("说明", "info"),
}


def where(n: RowNote, lg: Lang, several: bool) -> str:
    sheet = say("import.where.sheet", lg, sheet=n.sheet) if several or n.row == 0 else ""
    return say("import.where.row", lg, sheet=sheet, row=n.row) if n.row else sheet.strip()


def _report(
    stream: TextIO,
    plan: ImportPlan,
    targets: list[_Target],
    source: Path,
    lg: Lang,
    dry_run: bool,
    several: bool,
) -> None:
    order = {
        name: i
        for i, name in enumerate(dict.fromkeys([*plan.sheets_read, *(n.sheet for n in plan.notes)]))
    }
    notes = sorted(plan.notes, key=lambda n: (order.get(n.sheet, 0), n.row))
    for n in notes:
        level = _LEVEL[n.level][0 if lg == "zh" else 1]
        line = say("import.note", lg, where=where(n, lg, several), level=level, message=text(n.message, lg))
        if n.hint is not None:
            line += say("import.note.hint", lg, hint=text(n.hint, lg))
        stream.write(line + "\n")
    if plan.unmatched:
        matcher_names = say("list.sep", lg).join(
            say("import.unmatched.sheet", lg, name=name, rows=len(rows)) for name, rows in plan.unmatched.items()
        )
        stream.write(text(msg("import.unmatched", names=matcher_names), lg) + "\n")
        stream.write("  " + text(msg("import.unmatched.hint"), lg) + "\n")
    if notes or plan.unmatched:
        stream.write("\n")
    for t in targets:
        how = msg("import.how-new") if t.data is None else msg("import.how-append")
        stream.write(
            text(
                msg(
                    "import.wrote" if not dry_run else "import.would-write",
                    file=t.path,
                    count=len(t.blocks),
                    how=text(how, lg),
                ),
                lg,
            )
            + "\n"
        )
        if dry_run:
            for block in t.blocks:
                for ln in block:
                    stream.write("    " + ln + "\n")
                stream.write("\n")
    errors = sum(n.level == "error" for n in plan.notes)
    stream.write(
        text(
            msg(
                "import.summary",
                file=source.name,
                rows=plan.rows_seen,
                tasks=len(plan.drafts),
                skipped=errors,
                blank=plan.blank_rows,
            ),
            lg,
        )
        + "\n"
    )
    if dry_run:
        stream.write(text(msg("import.dry-run"), lg) + "\n")
    elif plan.drafts:
        stream.write(text(msg("import.next"), lg) + "\n")
