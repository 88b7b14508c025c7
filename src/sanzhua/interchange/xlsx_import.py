"""A 台账 spreadsheet → draft tasks, with one report line for every row that does not come in.

The layout is found, not assumed: the header is the row among the first fifteen with
the most known header words (columns.py), joined with a second header row when the
sheet has one; title rows above it are read for the unit's name; section rows
(一、抓具体 / （一）抓项目建设) become the category of the tasks under them. Every
non-blank row below the header ends up either as a task or as a `RowNote` saying why
not; blank rows are only counted.

A workbook that sanzhua exported also has 进展记录, 节点 and 延期 sheets keyed by 编号;
they are read back entry by entry, so export → import loses nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from openpyxl.utils import get_column_letter

from sanzhua.interchange.cells import (
    CellError,
    UnitMatcher,
    When,
    fmt_number,
    read_number,
    read_percent,
    read_when,
    text_of,
)
from sanzhua.interchange.columns import detail_field, done_or_due, field_of, normalize, sheet_kind
from sanzhua.interchange.tabular import MAX_CELL_CHARS, CellValue, Formula, Table
from sanzhua.interchange.writer import FieldValue
from sanzhua.load import keys as K
from sanzhua.model import Task, Unit
from sanzhua.problems import Msg, msg

Level = Literal["error", "warning", "info"]

HEADER_SCAN_ROWS = 15
_ID_RE = re.compile(r"^[\w.\-]+$")
_ID_NUMBER = re.compile(r"^(.*?)(\d+)$")
_CN_NUM = "一二三四五六七八九十"
_SECTION_1 = re.compile(rf"^\s*(?:第[{_CN_NUM}]+[部分类项]?|[{_CN_NUM}]+)\s*[、.．:：]\s*")
_SECTION_2 = re.compile(rf"^\s*[（(][{_CN_NUM}]+[)）]\s*[、.．]?\s*")
_SEQ_SECTION = re.compile(rf"^\s*(?:[（(]?[{_CN_NUM}]+[)）]?[、.．]?|[IVXⅠ-Ⅻ]+[、.．]?)\s*$")
_TOTALS = frozenset(("合计", "小计", "总计", "共计", "total", "subtotal"))
# The lines under a table: who filled it in, a phone number, the seal, a date of filling.
_FOOTER = re.compile(
    r"^\s*(?:填报人|填表人|制表人?|审核人?|审核|联系人|联系电话|电话|负责人签字|单位负责人|"
    r"分管领导签字|填报日期|填报时间|制表时间|单位（盖章）|单位\(盖章\)|注[：:]|备注[：:]|说明[：:])"
)
_DONE_TEXT = re.compile(
    r"^(?:已经?|均已|全部)?(?:完成|办结|落实|竣工|建成|投用|结束)|^(?:是|√|✓|✔|完成了)$"
)
_PERCENT_ONLY = re.compile(r"^(?:已?完成|进度)?\s*(\d{1,2}(?:\.\d+)?|100)\s*[%％]$")
_NOT_DONE_TEXT = re.compile(r"未|没有|尚未|正在|推进中|进行中|^否|×|部分")


@dataclass(frozen=True)
class ImportOptions:
    """What the command line decided: the ledger year, the import date, defaults."""

    year: int
    today: date
    unit: str | None = None  # default lead unit id (--unit)
    mapping: dict[str, str] = field(default_factory=dict)  # normalized header → field (--map)
    id_prefix: str | None = None
    default_due: str | None = None
    sheets: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowNote:
    """Why a row did not come in (error), came in changed (warning), or what it was (info)."""

    sheet: str
    row: int  # spreadsheet row, 1-based; 0 for the sheet as a whole
    level: Level
    message: Msg
    hint: Msg | None = None


@dataclass
class Draft:
    """A task read from one row, as ledger fields (English keys, text values)."""

    sheet: str
    row: int
    title: str
    lead: str
    id: str | None
    fields: dict[str, FieldValue]
    comments: list[str] = field(default_factory=list)

    def ordered(self) -> dict[str, FieldValue]:
        """The fields in the ledger's key order, id first."""
        out: dict[str, FieldValue] = {"id": self.id or ""}
        for key in K.TASK_KEYS:
            if key in self.fields and key != "id":
                out[key] = self.fields[key]
        return out


@dataclass
class ImportPlan:
    drafts: list[Draft] = field(default_factory=list)
    notes: list[RowNote] = field(default_factory=list)
    sheets_read: list[str] = field(default_factory=list)
    rows_seen: int = 0
    blank_rows: int = 0
    unmatched: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # name → (sheet, row)

    def note(self, sheet: str, row: int, level: Level, m: Msg, hint: Msg | None = None) -> None:
        self.notes.append(RowNote(sheet, row, level, m, hint))


@dataclass(frozen=True)
class Header:
    first: int  # 0-based index of the first header row
    last: int  # 0-based index of the last header row
    fields: list[str | None]
    unknown: list[str]
    due_from: str | None = None  # a 完成时间 column read as the deadline (there is no 时限 column)


def plan_import(
    tables: list[Table], units: dict[str, Unit], tasks: Iterable[Task], options: ImportOptions
) -> ImportPlan:
    """Read every task sheet (and the detail sheets) into drafts and notes."""
    plan = ImportPlan()
    existing = list(tasks)
    reader = _Reader(plan, UnitMatcher(units), existing, options)
    chosen = [t for t in tables if not options.sheets or t.name in options.sheets]
    details = {
        sheet_kind(t.name): t
        for t in chosen
        if sheet_kind(t.name) in ("progress", "milestones", "extensions")
    }
    for t in chosen:
        rows_cleaned: dict[int, list[int]] = {}
        for r, c in t.cleaned:
            rows_cleaned.setdefault(r, []).append(c)
        for r, cols in rows_cleaned.items():
            plan.note(t.name, r, "warning", msg("import.control-chars", columns="、".join(
                get_column_letter(c) for c in cols)), msg("import.control-chars.hint"))
    for t in chosen:  # text past MAX_CELL_CHARS is cut: said on its row, never unsaid
        rows_cut: dict[int, list[int]] = {}
        for r, c in t.cut:
            rows_cut.setdefault(r, []).append(c)
        for r, cols in rows_cut.items():
            columns = "、".join(get_column_letter(c) for c in cols)
            said = msg("import.cut", columns=columns, limit=MAX_CELL_CHARS)
            plan.note(t.name, r, "warning", said, msg("import.cut.hint"))
    for t in chosen:
        if t.hidden:  # its rows come in like any other's, and the clerk is told where from
            plan.note(t.name, 0, "warning", msg("import.hidden-sheet", sheet=t.name), msg("import.hidden-sheet.hint"))
    for t in chosen:
        kind = sheet_kind(t.name)
        if kind == "tasks":
            reader.read_sheet(t, skip_progress="progress" in details)
    for kind, t in details.items():
        reader.read_details(t, kind)
    reader.assign_ids()
    return plan


class _Reader:
    def __init__(
        self, plan: ImportPlan, matcher: UnitMatcher, existing: list[Task], options: ImportOptions
    ) -> None:
        self.plan = plan
        self.units = matcher
        self.options = options
        self.existing = existing
        self.by_id: dict[str, Task] = {}
        for t in existing:
            self.by_id.setdefault(t.id, t)
        self.by_key: dict[tuple[str, str], Task] = {}
        for t in existing:
            self.by_key.setdefault((_title_key(t.title), t.lead), t)
        self.seen_ids: dict[str, Draft] = {}
        self.seen_keys: dict[tuple[str, str], Draft] = {}

    # --- the task sheets ---------------------------------------------------------------

    def read_sheet(self, table: Table, skip_progress: bool) -> None:
        """Every row under a task sheet's header: a task drafted from each, or a note saying
        why a row is none (blank, a total, a footer, a section heading, no title ...)."""
        header = self._header(table)
        if header is None:
            return
        context_unit = self._unit_of_context(table, header)
        sections: list[str] = []  # the section headings above the row: its category
        cols: dict[str, list[int]] = {}
        for i, f in enumerate(header.fields):
            if f is not None:
                cols.setdefault(f, []).append(i)
        for idx in range(header.last + 1, len(table.rows)):
            row = table.rows[idx]
            if all(c is None or text_of(c) is None for c in row):
                self.plan.blank_rows += 1
                continue
            self.plan.rows_seen += 1
            got = _RowCells(row, cols)
            title = self._task_title(table, header, idx + 1, row, got, sections)
            if title is None:
                continue
            draft = self._task(table.name, idx + 1, got, title, context_unit, sections, skip_progress)
            if draft is not None:
                self.plan.drafts.append(draft)
                self._dropped_twins(table, header, idx + 1, got)

    def _dropped_twins(self, table: Table, header: Header, rownum: int, got: _RowCells) -> None:
        """A field of one value with two columns (two 任务名称, two 完成时限) whose cells differ
        in this row: the first is imported, and the other said, not dropped unsaid."""
        for name, idx in got.cols.items():
            if len(idx) < 2 or name in _MANY_COLUMNS:
                continue
            cells = [(i, t) for i in idx if i < len(got.row) and (t := text_of(got.row[i])) is not None]
            if len({t for _, t in cells}) < 2:
                continue
            (first, kept), (other, dropped) = cells[0], next(c for c in cells[1:] if c[1] != cells[0][1])
            said = msg(
                "import.column-twice",
                header=_label(table, header, other),
                kept=_short(kept),
                column=get_column_letter(first + 1),
                dropped=_short(dropped),
                other=get_column_letter(other + 1),
            )
            self.plan.note(table.name, rownum, "warning", said, msg("import.column-twice.hint"))

    def _header(self, table: Table) -> Header | None:
        """The sheet's header, with notes on what it says (a due column read from another,
        columns not known); None, said in a note, for a sheet with no table."""
        plan = self.plan
        header = find_header(table.rows, self.options.mapping)
        if header is None:
            filled = [r for r in table.rows if any(text_of(c) is not None for c in r)]
            if filled and all(len({text_of(c) for c in r if text_of(c) is not None}) == 1 for r in filled):
                # 填表说明: a sheet of instructions, not a table; said so, not an error
                plan.note(table.name, 0, "warning", msg("import.no-table"))
            elif filled:
                plan.note(table.name, 0, "error", msg("import.no-header"), msg("import.no-header.hint"))
            return None
        plan.sheets_read.append(table.name)
        if header.due_from is not None:
            plan.note(table.name, header.last + 1, "info", msg("import.due-column", column=header.due_from))
        if header.unknown:
            plan.note(
                table.name,
                header.last + 1,
                "warning",
                msg("import.unknown-columns", columns="、".join(header.unknown)),
                msg("import.unknown-columns.hint"),
            )
        return header

    def _task_title(
        self, table: Table, header: Header, rownum: int, row: list[CellValue], got: _RowCells, sections: list[str]
    ) -> str | None:
        """The title of the row's task; None, said in a note, for a row that is not a task:
        a total, a footer, a formula with no saved value, a section heading (which sets
        `sections`), a note, or a row with no title."""
        plan = self.plan
        texts = [t for t in (text_of(c) for c in row) if t]
        title = got.text("title")
        seq = got.text("seq")
        if _is_total(texts[0]):
            plan.note(table.name, rownum, "info", msg("import.total-row", text=_short(" ".join(dict.fromkeys(texts)))))
            return None
        if _FOOTER.search(texts[0]) and got.text("due") is None:
            footer = _short(" ".join(dict.fromkeys(texts)))
            plan.note(table.name, rownum, "info", msg("import.footer-row", text=footer))
            return None
        if (formula := got.formula()) is not None:
            plan.note(
                table.name,
                rownum,
                "error",
                msg("import.formula", column=_label(table, header, formula[0]), text=formula[1]),
                msg("import.formula.hint"),
            )
            return None
        heading = _heading_of(texts, seq, title, got, rownum in table.merged_rows)
        if heading is not None and not _is_total(heading):
            if self._section(table.name, rownum, heading, seq, sections):
                return None
            if _FOOTER.search(heading):
                plan.note(table.name, rownum, "info", msg("import.footer-row", text=_short(heading)))
                return None
            if title is None or len(set(texts)) == 1:
                plan.note(table.name, rownum, "error", msg("import.note-row", text=_short(heading)))
                return None
        if title is None:
            plan.note(
                table.name,
                rownum,
                "error",
                msg("import.no-title", content=_short("；".join(texts))),
                msg("import.no-title.hint"),
            )
            return None
        if _is_total(title) or (seq and _is_total(seq)):
            plan.note(table.name, rownum, "info", msg("import.total-row", text=_short(title)))
            return None
        return title

    def _section(self, sheet: str, rownum: int, heading: str, seq: str | None, sections: list[str]) -> bool:
        """Whether `heading` opens a section (一、, （一）, a numeral in 序号): `sections`
        becomes its name under the level above, and a note says so."""
        level2 = _SECTION_2.match(heading)
        level1 = _SECTION_1.match(heading)
        if not (level1 or level2 or (seq and _SEQ_SECTION.match(seq))):
            return False
        name = _SECTION_2.sub("", _SECTION_1.sub("", heading)).strip() or heading
        if level2 or (seq and seq.startswith(("(", "（"))):
            sections[1:] = [name]
        else:
            sections[:] = [name]
        self.plan.note(sheet, rownum, "info", msg("import.section", text=heading, category="/".join(sections)))
        return True

    def _unit_of_context(self, table: Table, header: Header) -> str | None:
        """The unit a sheet is about, from its name or the title rows above the header."""
        if self.options.unit:
            return self.options.unit
        hit = self.units.match(table.name) or self.units.find_in(table.name)
        if hit:
            return hit
        for r in table.rows[: header.first]:
            for c in r:
                s = text_of(c)
                if s and (hit := self.units.find_in(s)):
                    return hit
        return None

    def _task(
        self,
        sheet: str,
        rownum: int,
        got: _RowCells,
        title: str,
        context_unit: str | None,
        sections: list[str],
        skip_progress: bool,
    ) -> Draft | None:
        """One row as a draft task, or None (the reason noted in the plan)."""
        fields: dict[str, FieldValue] = {}
        comments: list[str] = []
        units = self._units(sheet, rownum, got, context_unit, comments)
        if units is None:
            return None
        lead, partners = units
        key = (_title_key(title), lead)
        fresh, tid = self._new_id(sheet, rownum, got, key)
        if not fresh:
            return None
        fields["title"] = title
        category = got.text("category") or ("/".join(sections) if sections else None)
        if category:
            fields["category"] = category
        for name in ("source",):
            if (s := got.text(name)) is not None:
                fields[name] = s
        if partners:
            fields["partners"] = partners
        for name in ("owner", "leader"):
            if (s := got.text(name)) is not None:
                fields[name] = s
        if not self._dates(sheet, rownum, got, fields, comments):
            return None
        self._target(sheet, rownum, got, fields, comments)
        self._status_and_progress(sheet, rownum, got, fields, comments, skip_progress)
        draft = Draft(sheet, rownum, title, lead, tid, fields, comments)
        if tid is not None:
            self.seen_ids[tid] = draft
        self.seen_keys[key] = draft
        return draft

    def _units(
        self, sheet: str, rownum: int, got: _RowCells, context_unit: str | None, comments: list[str]
    ) -> tuple[str, list[str]] | None:
        """The lead unit (the first name of the lead cell, else the sheet's) and the partners;
        None, with the row's error noted, when no lead can be named."""
        plan = self.plan
        names: list[str] = []
        for v in got.all("lead"):
            names.extend(self.units.split(v))
        lead: str | None = None
        partners: list[str] = []
        for i, name in enumerate(names):
            uid = self._match_unit(name, sheet, rownum, "import.unit-abbrev" if i == 0 else "import.partner-abbrev")
            if uid is None:
                if i > 0:
                    self._unknown(name, sheet, rownum, "warning", msg("import.unknown-partner", name=name))
                    comments.append(f"原配合单位：{name}")
                elif self.options.unit:
                    lead = self.options.unit
                    self._unknown(
                        name, sheet, rownum, "warning", msg("import.unknown-unit.default", name=name, unit=lead)
                    )
                    comments.append(f"原责任单位：{name}")
                else:
                    self._unknown(name, sheet, rownum, "error", msg("import.unknown-unit", name=name))
                    return None
                continue
            if lead is None:
                lead = uid
            elif uid != lead and uid not in partners:
                partners.append(uid)
        for v in got.all("partners"):
            for name in self.units.split(v):
                uid = self._match_unit(name, sheet, rownum, "import.partner-abbrev")
                if uid is None:
                    self._unknown(name, sheet, rownum, "warning", msg("import.unknown-partner", name=name))
                    comments.append(f"原配合单位：{name}")
                elif uid != lead and uid not in partners:
                    partners.append(uid)
        if lead is None:
            lead = context_unit
        if lead is None:
            plan.note(sheet, rownum, "error", msg("import.no-lead"), msg("import.no-lead.hint"))
            return None
        return lead, [p for p in partners if p != lead]


    def _new_id(
        self, sheet: str, rownum: int, got: _RowCells, key: tuple[str, str]
    ) -> tuple[bool, str | None]:
        """Not twice: (False, …) with the row's error noted when its id, or its title for
        the same unit, is already in the ledger or this import; else (True, its id or None)."""
        plan = self.plan
        tid = got.text("id")
        if tid is not None:
            tid = unicodedata.normalize("NFKC", tid).strip()
            if not _ID_RE.match(tid):
                plan.note(sheet, rownum, "warning", msg("import.bad-id", id=tid))
                tid = None
        if tid is not None and tid in self.by_id:
            t = self.by_id[tid]
            plan.note(
                sheet, rownum, "error", msg("import.id-exists", id=tid, where=f"{t.file}:{t.line}")
            )
            return False, tid
        if tid is not None and tid in self.seen_ids:
            plan.note(
                sheet, rownum, "error", msg("import.id-twice", id=tid, row=self.seen_ids[tid].row)
            )
            return False, tid
        if key in self.by_key:
            t = self.by_key[key]
            plan.note(
                sheet, rownum, "error", msg("import.same-task", id=t.id, where=f"{t.file}:{t.line}")
            )
            return False, tid
        if key in self.seen_keys:
            plan.note(sheet, rownum, "error", msg("import.same-row", row=self.seen_keys[key].row))
            return False, tid
        return True, tid

    def _dates(
        self, sheet: str, rownum: int, got: _RowCells, fields: dict[str, FieldValue], comments: list[str]
    ) -> bool:
        """start, due (with the milestones a due cell of several dates gives) into `fields`;
        False, with the row's error noted, when the deadline cannot be read or is missing."""
        plan = self.plan
        year = self.options.year
        start = self._when(got, "start", sheet, rownum, "开始")
        if start is not None:
            fields["start"] = start.written
        due_cell = got.first("due")
        parent = got.text("parent")
        milestones: list[dict[str, str]] = []
        if due_cell is not None:
            try:
                due = read_when(due_cell, year)
            except CellError as e:
                if self.options.default_due:
                    plan.note(
                        sheet,
                        rownum,
                        "warning",
                        msg(
                            "import.bad-due.default",
                            text=text_of(due_cell) or "",
                            detail_zh=e.zh,
                            detail_en=e.en,
                            due=self.options.default_due,
                        ),
                    )
                    comments.append(f"原时限：{text_of(due_cell)}")
                    fields["due"] = self.options.default_due
                else:
                    plan.note(
                        sheet,
                        rownum,
                        "error",
                        msg(
                            "import.bad-due",
                            text=text_of(due_cell) or "",
                            detail_zh=e.zh,
                            detail_en=e.en,
                        ),
                        msg("import.bad-due.hint"),
                    )
                    return False
            else:
                fields["due"] = due.written
                if due.original and due.original != due.written:
                    comments.append(f"原时限：{due.original}")
                for name, day in due.milestones:
                    milestones.append({"name": name, "due": day.isoformat()})
                if due.milestones:
                    plan.note(
                        sheet,
                        rownum,
                        "info",
                        msg(
                            "import.many-dates",
                            text=due.original or "",
                            due=due.day.isoformat(),
                            count=len(due.milestones),
                        ),
                    )
        elif parent is None:
            if self.options.default_due:
                fields["due"] = self.options.default_due
                plan.note(
                    sheet,
                    rownum,
                    "warning",
                    msg("import.no-due.default", due=self.options.default_due),
                )
            else:
                plan.note(sheet, rownum, "error", msg("import.no-due"), msg("import.bad-due.hint"))
                return False
        if milestones:
            fields["milestones"] = milestones

        return True

    def _target(
        self, sheet: str, rownum: int, got: _RowCells, fields: dict[str, FieldValue], comments: list[str]
    ) -> None:
        """The target (metric, value, unit, direction); one written in words is kept as a comment."""
        plan = self.plan
        target: dict[str, str] = {}
        if (s := got.text("metric")) is not None:
            target["metric"] = s
        tv = got.first("target")
        if tv is not None:
            try:
                value, unit_word = read_number(tv)
            except CellError:
                # A target written in words (引进项目1个以上) is a metric, not a number.
                if "metric" not in target:
                    target["metric"] = text_of(tv) or ""
                plan.note(
                    sheet,
                    rownum,
                    "warning",
                    msg("import.target-text", text=_short(text_of(tv) or "")),
                )
            else:
                target["value"] = fmt_number(value)
                unit_text = got.text("target_unit") or unit_word
                if unit_text:
                    target["unit"] = unit_text
                if (d := got.text("direction")) is not None:
                    direction = K.DIRECTION_ALIASES.get(d) or K.DIRECTION_ALIASES.get(d.lower())
                    if direction == "at_most":
                        target["direction"] = "at_most"
        if "value" in target:
            fields["target"] = target
        elif target.get("metric"):
            comments.append(f"目标：{target['metric']}")


    def _status_and_progress(
        self,
        sheet: str,
        rownum: int,
        got: _RowCells,
        fields: dict[str, FieldValue],
        comments: list[str],
        skip_progress: bool,
    ) -> None:
        """Status, done date, a progress entry of today from the progress, percent and value
        cells, and the rest (parent, supervision, tags, weight, remarks)."""
        status, done_when, notes = self._status(sheet, rownum, got)
        progress_text = None if skip_progress else got.text("progress")
        if progress_text:
            notes.insert(0, progress_text)
        entry = self._progress_entry(sheet, rownum, got, progress_text, notes)
        if not skip_progress and entry is not None:
            fields["progress"] = [entry]
        if status is not None and status != "active":
            fields["status"] = status
        if done_when is not None:
            fields["done"] = done_when.written
        self._other_fields(sheet, rownum, got, fields, comments)

    def _status(self, sheet: str, rownum: int, got: _RowCells) -> tuple[str | None, When | None, list[str]]:
        """The status cell, the done date, and a 完成情况 cell: a status word (and a date) it
        says, and its text as a note unless it is only the word."""
        status: str | None = None
        if (s := got.text("status")) is not None:
            status = K.STATUS_ALIASES.get(s) or K.STATUS_ALIASES.get(s.lower()) or _status_word(s)
            if status is None:
                self.plan.note(sheet, rownum, "warning", msg("import.bad-status", text=s))
        done_when = self._when(got, "done", sheet, rownum, "完成")
        notes: list[str] = []
        completion = got.text("completion")
        if completion is not None:
            c = unicodedata.normalize("NFKC", completion).strip()
            word = _status_word(c)
            if word is not None and status is None:
                status = word
            if word == "done" and done_when is None:
                with suppress(CellError):  # a word without a date: done, its day unknown
                    done_when = read_when(c, self.options.year)
            if word != "done" or len(c) > 6:
                notes.append(completion)
        return status, done_when, notes

    def _progress_entry(
        self, sheet: str, rownum: int, got: _RowCells, progress_text: str | None, notes: list[str]
    ) -> dict[str, str] | None:
        """A progress entry of today from the notes and the percent and value cells, or None
        when the row reports nothing."""
        plan = self.plan
        percent: float | None = None
        if (pc := got.first("percent")) is not None:
            try:
                percent = read_percent(pc)
            except CellError as e:
                plan.note(
                    sheet,
                    rownum,
                    "warning",
                    msg(
                        "import.bad-percent", text=text_of(pc) or "", detail_zh=e.zh, detail_en=e.en
                    ),
                )
        if percent is None and progress_text and (m := _PERCENT_ONLY.match(progress_text)):
            percent = float(m.group(1))  # 进展情况 that is only a percentage: 60%, 完成60%
        value_done: float | None = None
        if (vc := got.first("value")) is not None:
            try:
                value_done = read_number(vc)[0]
            except CellError:
                plan.note(
                    sheet,
                    rownum,
                    "warning",
                    msg("import.bad-number", column="完成值", text=text_of(vc) or ""),
                )
        if not notes and percent is None and value_done is None:
            return None
        entry: dict[str, str] = {"date": self.options.today.isoformat()}
        if value_done is not None:
            entry["value"] = fmt_number(value_done)
        if percent is not None:
            entry["percent"] = fmt_number(percent)
        if notes:
            entry["note"] = "；".join(notes)
        return entry

    def _other_fields(
        self, sheet: str, rownum: int, got: _RowCells, fields: dict[str, FieldValue], comments: list[str]
    ) -> None:
        """Parent, supervision, tags, weight, and the remarks as comments."""
        if (parent := got.text("parent")) is not None:
            fields["parent"] = parent
        if (s := got.text("supervision")) is not None:
            fields["supervision"] = s
        tags = [t for v in got.all("tags") for t in re.split(r"[、,，;；\s]+", v) if t]
        if tags:
            fields["tags"] = tags
        if (wc := got.first("weight")) is not None:
            try:
                fields["weight"] = fmt_number(read_number(wc)[0])
            except CellError:
                self.plan.note(
                    sheet,
                    rownum,
                    "warning",
                    msg("import.bad-number", column="权重", text=text_of(wc) or ""),
                )
        for r in got.all("remarks"):
            comments.append(f"备注：{r}")

    def _when(
        self, got: _RowCells, name: str, sheet: str, rownum: int, label_zh: str
    ) -> When | None:
        cell = got.first(name)
        if cell is None:
            return None
        try:
            return read_when(cell, self.options.year)
        except CellError as e:
            self.plan.note(
                sheet,
                rownum,
                "warning",
                msg(
                    "import.bad-date",
                    column=label_zh,
                    text=text_of(cell) or "",
                    detail_zh=e.zh,
                    detail_en=e.en,
                ),
            )
            return None

    def _match_unit(self, name: str, sheet: str, rownum: int, note: str) -> str | None:
        """A unit id for a written name; an abbreviation (城管局 for 县城市管理局) is taken
        with a warning that names the unit it was read as."""
        uid = self.units.match(name)
        if uid is not None:
            return uid
        uid = self.units.abbreviation(name)
        if uid is not None:
            unit = self.units.units[uid]
            self.plan.note(sheet, rownum, "warning", msg(note, name=name, unit=unit.name, id=uid))
        return uid

    def _unknown(self, name: str, sheet: str, rownum: int, level: Level, m: Msg) -> None:
        """A unit name no unit matches: listed for the report, noted with the unit it may mean."""
        self._unmatched(name, sheet, rownum)
        guess = self.units.guess(name)
        self.plan.note(
            sheet, rownum, level, m, msg("import.did-you-mean", guess=guess) if guess else msg("import.add-unit.hint")
        )

    def _unmatched(self, name: str, sheet: str, rownum: int) -> None:
        self.plan.unmatched.setdefault(name, []).append((sheet, rownum))

    # --- detail sheets (进展记录, 节点, 延期) ---------------------------------------------

    def read_details(self, table: Table, kind: str) -> None:
        """A sheet of progress entries, milestones or extensions (`kind`), each row added to
        the drafted task its 编号 names; a note for each row that cannot be."""
        found = _detail_header(table, kind)
        if found is None:
            if any(any(c is not None for c in r) for r in table.rows):
                self.plan.note(table.name, 0, "error", msg("import.no-header"), msg("import.no-header.hint"))
            return
        start, cols = found
        self.plan.sheets_read.append(table.name)
        drafts = {d.id: d for d in self.plan.drafts if d.id}
        for idx in range(start + 1, len(table.rows)):
            row = table.rows[idx]
            if all(text_of(c) is None for c in row):
                self.plan.blank_rows += 1
                continue
            self.plan.rows_seen += 1
            values = {f: row[i] for f, i in cols.items() if i < len(row)}
            tid = self._detail_task(table, start, idx + 1, kind, cols, values, drafts)
            if tid is None:
                continue
            entry = self._detail_entry(table.name, idx + 1, kind, values)
            if entry is None:
                continue
            d = drafts[tid]
            existing = d.fields.get(kind)
            if not isinstance(existing, list) or (existing and not isinstance(existing[0], dict)):
                existing = []
            d.fields[kind] = [*existing, entry]

    def _detail_task(
        self,
        table: Table,
        start: int,
        rownum: int,
        kind: str,
        cols: dict[str, int],
        values: dict[str, CellValue],
        drafts: dict[str, Draft],
    ) -> str | None:
        """The id of the drafted task a detail row belongs to; None, said in a note, for a
        row with a formula, with no id or another task's, or without what `kind` needs."""
        plan = self.plan
        formula = next((f for f, v in values.items() if isinstance(v, Formula)), None)
        if formula is not None:
            column = text_of(table.rows[start][cols[formula]]) or formula
            plan.note(
                table.name,
                rownum,
                "error",
                msg("import.formula", column=column, text=str(values[formula])),
                msg("import.formula.hint"),
            )
            return None
        tid = text_of(values.get("id"))
        if tid is None or tid not in drafts:
            if tid is not None and tid in self.by_id:
                plan.note(table.name, rownum, "error", msg("import.detail-existing", id=tid))
            else:
                plan.note(table.name, rownum, "error", msg("import.detail-unknown-id", id=tid or ""))
            return None
        missing = [f for f in _DETAIL_REQUIRED[kind] if text_of(values.get(f)) is None]
        if missing:
            plan.note(table.name, rownum, "error", msg("import.detail-missing", column="、".join(missing)))
            return None
        return tid

    def _detail_entry(self, sheet: str, rownum: int, kind: str, values: dict[str, CellValue]) -> dict[str, str] | None:
        """The entry a detail row writes, its dates and numbers read; a value that cannot be
        read is left out with a warning, or, when `kind` needs it, the row with an error."""
        entry: dict[str, str] = {}
        for f in _DETAIL_ORDER[kind]:
            v = values.get(f)
            if text_of(v) is None:
                continue
            if f in ("date", "due", "done", "to", "from"):
                try:
                    entry[f] = read_when(v, self.options.year).written
                except CellError as e:
                    needed = f in _DETAIL_REQUIRED[kind]
                    self.plan.note(
                        sheet,
                        rownum,
                        "error" if needed else "warning",
                        msg("import.bad-date", column=f, text=text_of(v) or "", detail_zh=e.zh, detail_en=e.en),
                    )
                    if needed:
                        return None
            elif f in ("value", "percent"):
                try:
                    entry[f] = fmt_number(read_percent(v) if f == "percent" else read_number(v)[0])
                except CellError:
                    self.plan.note(
                        sheet, rownum, "warning", msg("import.bad-number", column=f, text=text_of(v) or "")
                    )
            else:
                entry[f] = text_of(v) or ""
        return entry

    # --- ids ---------------------------------------------------------------------------

    def assign_ids(self) -> None:
        """Number the drafts that have no 编号, continuing each unit's own id pattern: the
        highest number taken under each prefix is kept as drafts take the next (linear: a
        60,000-row workbook must not scan every id once per row)."""
        taken = set(self.by_id) | {d.id for d in self.plan.drafts if d.id}
        highest: dict[str, int] = {}
        for t in taken:
            if m := _ID_NUMBER.match(t):
                highest[m.group(1)] = max(highest.get(m.group(1), 0), int(m.group(2)))
        patterns: dict[str, tuple[str, int]] = {}
        for d in self.plan.drafts:
            if d.id is not None:
                continue
            if d.lead not in patterns:
                patterns[d.lead] = self._pattern(d.lead)
            prefix, width = patterns[d.lead]
            n = highest.get(prefix, 0) + 1
            while f"{prefix}{n:0{width}d}" in taken:  # a number written with other padding
                n += 1
            d.id = f"{prefix}{n:0{width}d}"
            taken.add(d.id)
            highest[prefix] = n

    def _pattern(self, lead: str) -> tuple[str, int]:
        if self.options.id_prefix:
            return self.options.id_prefix, 3
        found = Counter(
            (m.group(1), len(m.group(2)))
            for t in self.existing
            if t.lead == lead and (m := _ID_NUMBER.match(t.id))
        )
        if found:
            return found.most_common(1)[0][0]
        if re.fullmatch(r"[a-z0-9_]+", lead):
            return lead.upper() + "-", 3
        return "RW-", 3


_DETAIL_ORDER: dict[str, tuple[str, ...]] = {
    "progress": ("date", "value", "percent", "note", "by"),
    "milestones": ("name", "due", "done"),
    "extensions": ("from", "to", "approved_by", "ref", "date"),
}


# Fields read from every column that has them (units, partners, tags, remarks), and the
# columns never imported: two of these are no loss.
_MANY_COLUMNS = frozenset({"lead", "partners", "tags", "remarks", "ignore", "seq"})


class _RowCells:
    """The cells of one row by field; of several columns, the first non-empty one wins."""

    def __init__(self, row: list[CellValue], cols: dict[str, list[int]]) -> None:
        self.row = row
        self.cols = cols

    def first(self, name: str) -> CellValue:
        for i in self.cols.get(name, ()):
            if i < len(self.row) and text_of(self.row[i]) is not None:
                return self.row[i]
        return None

    def text(self, name: str) -> str | None:
        return text_of(self.first(name))

    def formula(self) -> tuple[int, Formula] | None:
        """The first cell of an imported column that holds a formula without a saved result."""
        for name, idx in self.cols.items():
            if name in ("ignore", "seq"):
                continue  # never imported: what they hold does not matter
            for i in idx:
                if i < len(self.row) and isinstance(v := self.row[i], Formula):
                    return i, v
        return None

    def all(self, name: str) -> list[str]:
        out: list[str] = []
        for i in self.cols.get(name, ()):
            s = text_of(self.row[i]) if i < len(self.row) else None
            if s and s not in out:
                out.append(s)
        return out


def find_header(rows: list[list[CellValue]], mapping: dict[str, str]) -> Header | None:
    """The header row(s) among the first rows: the most known header words, a title among them."""

    def fields_of(row: list[CellValue]) -> list[str | None]:
        out: list[str | None] = []
        for c in row:
            n = normalize(c) if isinstance(c, str) else ""
            out.append(mapping.get(n) or (field_of(c) if isinstance(c, str) else None))
        return out

    best: tuple[int, int] | None = None  # (score, index)
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        fs = fields_of(row)
        score = len({f for f in fs if f})
        if "title" in fs and score >= 2 and (best is None or score > best[0]):
            best = (score, i)
    if best is None:
        return None
    first = last = best[1]
    fields = fields_of(rows[first])
    # A second header row below (责任主体 over 责任单位 | 责任人, merged headers repeated).
    if first + 1 < len(rows):
        upper, lower = rows[first], rows[first + 1]
        lower_fields = fields_of(lower)
        news = 0
        continuation = True
        for c, (u, lo, lf) in enumerate(zip(upper, lower, lower_fields, strict=False)):
            if lo is None or lo == u:
                continue
            if lf is None:
                continuation = False
                break
            if lf != fields[c]:
                news += 1
        repeated = any(lo is not None and lo == u for u, lo in zip(upper, lower, strict=False))
        if continuation and news:
            last = first + 1
            fields = [lf or f for f, lf in zip(fields, lower_fields, strict=False)]
        elif continuation and repeated:
            last = first + 1  # a header merged down over two rows, nothing new below
    # 完成时间 with no 时限 column beside it is, in a 台账, the deadline.
    due_from: str | None = None
    if "due" not in fields:
        for c, f in enumerate(fields):
            if f == "done" and c < len(rows[first]) and done_or_due(rows[first][c]):
                fields[c] = "due"
                due_from = text_of(rows[first][c])
                break
    # A column twice (two 完成时限 columns): the first keeps it, and the rest are reported unknown.
    unknown: list[str] = []
    header_rows = rows[first : last + 1]
    for c, f in enumerate(fields):
        if f is None:
            words = [text_of(r[c]) for r in header_rows if c < len(r) and text_of(r[c])]
            if words:
                unknown.append(str(words[-1]))
    return Header(first, last, fields, list(dict.fromkeys(unknown)), due_from)


def _label(table: Table, header: Header, column: int) -> str:
    """A column's header as the sheet writes it (the lower row of a two-row header)."""
    for r in reversed(table.rows[header.first : header.last + 1]):
        if column < len(r) and (t := text_of(r[column])):
            return t
    return header.fields[column] or ""


def _status_word(text: str) -> str | None:
    t = unicodedata.normalize("NFKC", text).strip()
    if t in K.STATUS_ALIASES:
        return K.STATUS_ALIASES[t]
    if "暂缓" in t:
        return "suspended"
    if "取消" in t:
        return "cancelled"
    if t in ("未启动", "未开始", "尚未启动"):
        return "planned"
    if _DONE_TEXT.search(t) and not _NOT_DONE_TEXT.search(t):
        return "done"
    if t in ("推进中", "正在推进", "进行中", "序时推进", "未完成", "正在实施", "在建"):
        return "active"
    return None


def _title_key(title: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", title))


def _heading_of(texts: list[str], seq: str | None, title: str | None, got: _RowCells, merged: bool) -> str | None:
    """A section heading: 一、抓具体 merged across (or alone in its row), or a numeral in
    序号 with a title and no unit or due; a number alone is none (a row left empty)."""
    heading: str | None = None
    if len(set(texts)) == 1 and (merged or len(texts) == 1):
        heading = texts[0]
    elif seq and _SEQ_SECTION.match(seq) and title and not got.text("due") and not got.text("lead"):
        heading = title
    if heading is not None and heading.isdigit():
        return None  # a numbered row left empty: reported as having no title
    return heading


# What a detail row must have, by sheet.
_DETAIL_REQUIRED = {"progress": ("date",), "milestones": ("name", "due"), "extensions": ("to",)}


def _detail_header(table: Table, kind: str) -> tuple[int, dict[str, int]] | None:
    """The header row of a detail sheet among its first rows (an id column and another
    known one), and the column of each field (the first, when one is repeated)."""
    for i, row in enumerate(table.rows[:HEADER_SCAN_ROWS]):
        fields = [detail_field(kind, c) for c in row]
        if "id" in fields and len({f for f in fields if f}) >= 2:
            return i, {f: c for c, f in reversed(list(enumerate(fields))) if f}
    return None


def _is_total(text: str) -> bool:
    return re.sub(r"\s+", "", text).lower() in _TOTALS


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
