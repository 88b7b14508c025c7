"""What a report would leave out: the one test every report command makes first.

A ledger file with an error may lose tasks (a YAML syntax error, a tab, an empty or
unreadable file loses all of them; an entry without an id or title loses itself) or
keep a task whose dates cannot be read (state `invalid`). `gaps_of(ledger)` finds
all of it per file, with the ids of the tasks left out read from the raw text (and
from the last commit when the file cannot be read at all), so that a report either
refuses naming them or says in itself what it did not count.

Only what reading the file found counts here (the codes of the loader, not the
ledger-wide checks, which leave every task in place); a task whose id is used twice
is also left out (the first one counts), and said so; and a task whose lead
unit is not in units.yaml (a typo, `fgww`) is counted under a unit that does not exist,
which would drop the real unit from every table and the ranking: that is said too (an
unknown partner only costs that partner its share, and is left to `check`).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sanzhua.gitargs import GIT, git_env
from sanzhua.i18n import Lang, say
from sanzhua.i18n import text as msg_text
from sanzhua.kinds import kind_of, lookup
from sanzhua.load import Ledger
from sanzhua.problems import Problem, msg

# `id: ZJJ-001`, `- 编号: "ZJJ-001"`, `{id: ZJJ-001, ...}`: a task's id in text YAML could not read.
_ID_IN_TEXT = re.compile(r"""(?:^|[\s{,\-])["']?(?:id|编号)["']?\s*[:：]\s*["']?([\w.\-]+)""", re.MULTILINE)
_LIST_MAX = 12  # ids listed per file in one line; the rest are counted


@dataclass(frozen=True)
class FileGap:
    """One ledger file's errors and what they cost a report."""

    file: str
    errors: tuple[Problem, ...]  # the errors reading found (a duplicated id counts as one)
    left_out: tuple[str, ...]  # ids of tasks not counted at all
    unnamed: int  # task entries not counted that have no readable id
    invalid: tuple[str, ...]  # ids counted in state invalid (台账有误)
    flawed: tuple[str, ...]  # ids counted, with a field that could not be read left out
    unread: bool  # nothing of the file could be read
    duplicates: tuple[str, ...] = ()  # of `left_out`, those left out because the id is used before
    unknown_units: tuple[tuple[str, str], ...] = ()  # (task id, unit) counted under a unit units.yaml lacks
    settings: bool = False  # a settings file (sanzhua.yaml, units.yaml, calendar.yaml) with errors


@dataclass(frozen=True)
class Gaps:
    files: tuple[FileGap, ...]

    def __bool__(self) -> bool:
        return bool(self.files)

    @property
    def errors(self) -> int:
        return sum(len(f.errors) for f in self.files)

    @property
    def left_out(self) -> tuple[str, ...]:
        return tuple(i for f in self.files for i in f.left_out)

    @property
    def invalid(self) -> tuple[str, ...]:
        return tuple(i for f in self.files for i in f.invalid)

    def file_of(self, task_id: str) -> FileGap | None:
        """The broken file a task left out stands in."""
        return next((f for f in self.files if task_id in f.left_out), None)

    def as_json(self) -> dict[str, object]:
        """The `incomplete` member reports add to their JSON (absent when nothing is missing)."""
        return {
            "errors": self.errors,
            "left_out": list(self.left_out),
            "invalid": list(self.invalid),
            "files": [
                {
                    "file": f.file,
                    "errors": len(f.errors),
                    "unread": f.unread,
                    "left_out": list(f.left_out),
                    "unnamed": f.unnamed,
                    "invalid": list(f.invalid),
                    "flawed": list(f.flawed),
                    "unknown_units": [{"id": i, "unit": u} for i, u in f.unknown_units],
                    "settings": f.settings,
                }
                for f in self.files
            ],
        }


def gaps_of(ledger: Ledger) -> Gaps:
    """Every ledger file whose errors drop or distort tasks, in ledger order."""
    out: list[FileGap] = []
    first_of: dict[str, object] = {}
    later: dict[str, list[str]] = {}  # file → ids used before (the later task is left out)
    for t in ledger.tasks:
        if first_of.setdefault(t.id, t) is not t:
            later.setdefault(t.file, []).append(t.id)
    strays = _unknown_units(ledger)
    undated = _undated(ledger)
    unkinded = _unknown_kinds(ledger)
    for f in ledger.files:
        errors = tuple(p for p in f.problems if p.severity == "error")
        dup = tuple(dict.fromkeys(later.get(f.path, ())))
        stray = strays.get(f.path, ())
        no_due = undated.get(f.path, ())
        if not errors and not dup and not stray and not no_due and f.path not in unkinded:
            continue
        kept = {t.id for t in f.tasks}
        source = ledger.sources.get(f.path)
        unread = source is None or (not f.tasks and not f.dropped and bool(errors))
        if unread:  # nothing was read: its tasks are named from its text, or from the last commit
            named = _ids_in(source) if source else []
            if not named:
                committed = _committed(ledger.root, f.path)
                named = _ids_in(committed) if committed else []
            left = [i for i in dict.fromkeys(named) if i not in kept]
            unnamed = 0
        else:
            left = [i for i in dict.fromkeys(i for _, i in f.dropped if i) if i not in kept]
            unnamed = sum(1 for _, i in f.dropped if not i)
        invalid = tuple(t.id for t in f.tasks if t.invalid) + tuple(p.task for p in no_due if p.task)
        errors += no_due + unkinded.get(f.path, ())
        hit = {p.task for p in errors if p.task}
        hit.update(p.task for p in unkinded.get(f.path, ()) if p.task)
        flawed = tuple(t.id for t in f.tasks if t.id in hit and t.id not in invalid and t.id not in left)
        out.append(
            FileGap(
                f.path,
                errors + tuple(_dup_problem(f.path, i) for i in dup) + tuple(p for _, _, p in stray if p is not None),
                tuple(left) + tuple(i for i in dup if i not in left),
                unnamed,
                invalid,
                flawed,
                unread,
                dup,
                tuple((i, u) for i, u, _ in stray),
            )
        )
    return Gaps(tuple(out) + settings_gaps(ledger))


def settings_gaps(ledger: Ledger) -> tuple[FileGap, ...]:
    """The settings files with errors: a setting that cannot be read falls back to its
    default (a kind's answer limit, the holidays, a unit), which may change any figure."""
    by_file: dict[str, list[Problem]] = {}
    for p in ledger.problems:
        if p.severity == "error":
            by_file.setdefault(p.file, []).append(p)
    return tuple(FileGap(file, tuple(ps), (), 0, (), (), False, settings=True) for file, ps in by_file.items())


def _undated(ledger: Ledger) -> dict[str, tuple[Problem, ...]]:
    """Per file, a missing-key problem for each task with no deadline at all (none written,
    inherited or given by its kind): such a task is in state invalid (see load.assemble)."""
    out: dict[str, list[Problem]] = {}
    for t in ledger.tasks:
        if t.invalid == ("no-due",):
            found = Problem("missing-key", "error", t.file, t.line, t.column, msg("task.no-due"), None, t.id)
            out.setdefault(t.file, []).append(found)
    return {k: tuple(v) for k, v in out.items()}


def _unknown_kinds(ledger: Ledger) -> dict[str, tuple[Problem, ...]]:
    """Per file, an unknown-kind problem for each task whose `kind` names no kind: it is
    counted by the default kind's rules (its clocks, whether it is scored), maybe not its own."""
    if not any(t.kind is not None for t in ledger.tasks):
        return {}
    table = lookup(ledger.settings)
    out: dict[str, list[Problem]] = {}
    for t in ledger.tasks:
        if t.kind is not None and kind_of(t, table) is None:
            said = msg("kind.unknown", kind=t.kind)
            found = Problem("unknown-kind", "error", t.file, t.line, t.column, said, None, t.id)
            out.setdefault(t.file, []).append(found)
    return {k: tuple(v) for k, v in out.items()}


def _unknown_units(ledger: Ledger) -> dict[str, list[tuple[str, str, Problem | None]]]:
    """Per file, each task whose lead unit units.yaml does not list (names were
    resolved to ids when the ledger was built): (task id, unit, the problem)."""
    if not ledger.has_units_file or not ledger.units:
        return {}  # no units file, or one that cannot be read: its own error says so
    units = ledger.units
    unit_pos = {f.path: f.unit_pos for f in ledger.files}
    out: dict[str, list[tuple[str, str, Problem | None]]] = {}
    said: set[tuple[str, str]] = set()  # a file's `unit:` is one error however many tasks take it (as check)
    for t in ledger.tasks:
        unit = t.lead
        if unit and unit not in units:
            problem: Problem | None = None
            if t.lead_given or (t.file, unit) not in said:
                line, col = (t.line, 1) if t.lead_given else unit_pos.get(t.file, (t.line, 1))
                said.add((t.file, unit))
                said_unit = msg("unit.unknown", unit=unit)
                problem = Problem("unknown-unit", "error", t.file, line, col, said_unit, None, t.id)
            out.setdefault(t.file, []).append((t.id, unit, problem))
    return out


def _strays(f: FileGap, lang: Lang) -> str:
    """FGW-001（fgww）、FGW-002（fgww） or FGW-001 (fgww), ..."""
    items = [say("gaps.stray", lang, id=i, unit=u) for i, u in f.unknown_units]
    return _ids(items, lang)


def _dup_problem(file: str, task_id: str) -> Problem:
    return Problem("duplicate-id", "error", file, 0, 0, msg("gaps.duplicate", id=task_id), None, task_id)


def _ids_in(source: bytes) -> list[str]:
    text = source.decode("utf-8", errors="replace")
    return [m.group(1) for m in _ID_IN_TEXT.finditer(text)]


def _committed(root: Path, rel: str) -> bytes | None:
    """The file as last committed, to name the tasks of a file that cannot be read now."""
    try:
        done = subprocess.run(
            [*GIT, "-C", str(root), "cat-file", "blob", f"HEAD:{rel}"],
            capture_output=True,
            env=git_env(),
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 and len(done.stdout) < 50_000_000 else None


# ---------------------------------------------------------------------------
# Words


def _ids(ids: Iterable[str], lang: Lang) -> str:
    got = list(ids)
    shown = say("list.sep", lang).join(got[:_LIST_MAX])
    if len(got) > _LIST_MAX:
        shown += say("gaps.and-more", lang, count=len(got), more=len(got) - _LIST_MAX)
    return shown


def _left_text(f: FileGap, lang: Lang) -> str:
    """ZJJ-001、ZJJ-002（ledgers/zjj.yaml） or the file as a whole."""
    parts: list[str] = []
    if f.left_out:
        parts.append(_ids(f.left_out, lang))
    if f.unnamed:
        parts.append(say("gaps.unnamed", lang, count=f.unnamed))
    if not parts:
        return say("gaps.whole-file", lang, file=f.file)
    return say("gaps.in-file", lang, items=say("list.sep", lang).join(parts), file=f.file)


def notice(gaps: Gaps, lang: Lang, *, lead: str = "") -> str:
    """One paragraph a report prints at its top: how many errors, which tasks are not
    counted, which are counted as 台账有误. `lead` goes before 台账 (本期)."""
    part_sep = say("list.part-sep", lang)

    def in_files(files: list[FileGap], ids: Callable[[FileGap], str]) -> str:
        return part_sep.join(say("gaps.in-file", lang, items=ids(f), file=f.file) for f in files)

    left = [f for f in gaps.files if f.left_out or f.unnamed or f.unread]
    invalid = [f for f in gaps.files if f.invalid]
    flawed = [f for f in gaps.files if f.flawed]
    strays = [f for f in gaps.files if f.unknown_units]
    settings = [f.file for f in gaps.files if f.settings]
    parts: list[str] = []
    if settings:
        parts.append(say("gaps.notice.settings", lang, files=say("list.sep", lang).join(settings)))
    if left:
        parts.append(say("gaps.notice.left-out", lang, tasks=part_sep.join(_left_text(f, lang) for f in left)))
    if invalid:
        parts.append(say("gaps.notice.invalid", lang, tasks=in_files(invalid, lambda f: _ids(f.invalid, lang))))
    if flawed:
        parts.append(say("gaps.notice.flawed", lang, tasks=in_files(flawed, lambda f: _ids(f.flawed, lang))))
    if strays:
        parts.append(say("gaps.notice.strays", lang, tasks=in_files(strays, lambda f: _strays(f, lang))))
    if not parts:
        parts.append(say("gaps.notice.files", lang, files=say("list.sep", lang).join(f.file for f in gaps.files)))
    return say("gaps.notice", lang, lead=lead, errors=gaps.errors, parts=part_sep.join(parts))


def stderr_lines(gaps: Gaps, lang: Lang, *, refused: bool) -> list[str]:
    """What a report command says on standard error: each file, its first error, what is
    left out; then whether the report was made."""
    out = [say("gaps.stderr.refused" if refused else "gaps.stderr.noted", lang, errors=gaps.errors)]
    for f in gaps.files:
        first = min(f.errors, key=lambda p: p.sort_key())
        where = f"{f.file}:{first.line}:{first.column}" if first.line else f.file
        out.append(f"  {where}: {msg_text(first.message, lang)}")
        if f.left_out or f.unnamed or f.unread:
            out.append(say("gaps.stderr.left-out", lang, tasks=_left_text(f, lang)))
        if f.invalid:
            out.append(say("gaps.stderr.invalid", lang, tasks=_ids(f.invalid, lang)))
        if f.flawed:
            out.append(say("gaps.stderr.flawed", lang, tasks=_ids(f.flawed, lang)))
        if f.unknown_units:
            out.append(say("gaps.stderr.strays", lang, tasks=_strays(f, lang)))
        if f.settings:
            out.append(say("gaps.stderr.settings", lang))
    if refused:
        out.append(say("gaps.stderr.refused.hint", lang))
    return out
