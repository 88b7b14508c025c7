"""`sanzhua form`: the weekly 进展填报表 of a unit (or of every unit), as an xlsx workbook.

The form lists the unit's open tasks as of the date: those it leads and those it
supports as a partner (配合单位). A partner row asks only for a note; percent, value,
done and milestone dates are the lead unit's to report. `sanzhua collect` reads the
returned forms back into the ledger.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, open_report
from sanzhua.commands.writefail import serialisation_error, write_failed
from sanzhua.errors import FatalError
from sanzhua.gitargs import GIT, git_env
from sanzhua.history.git import worktree_changed
from sanzhua.i18n import Lang, say, text
from sanzhua.interchange.form import MAX_FORM_ROWS, Form, build_form, unit_tasks, units_tasks, write_form_xlsx
from sanzhua.load import Ledger
from sanzhua.load.keys import did_you_mean
from sanzhua.model import Unit
from sanzhua.outfile import DistinctNames, file_name
from sanzhua.problems import msg

# The most task rows `--each-unit` writes in one run, over all its forms: about 0.3 ms a
# row in openpyxl (styles copied, bench/README.md "form --each-unit"), some 15 s of CPU.
# Beyond it the run writes nothing and says so (exit 2): forms by `--unit`, or progress
# reported in the ledger itself.
MAX_EACH_ROWS = 50_000


def ledger_commit(ledger: Ledger) -> str:
    """The commit the ledger's files are at, with "+" when some differ from it; "" outside git."""
    root = ledger.root
    try:
        head = subprocess.run(
            [*GIT, "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
            capture_output=True,
            text=True,
            env=git_env(),
            check=False,
        )
        if head.returncode != 0:
            return ""
    except OSError:
        return ""
    paths = ("sanzhua.yaml", "units.yaml", *(f.path for f in ledger.files))
    return head.stdout.strip() + ("+" if worktree_changed(root, paths) else "")


def find_unit(ledger: Ledger, name: str, lang: Lang) -> Unit:
    """A unit by id or by name; FatalError (exit 2) with a guess otherwise."""
    unit = ledger.units.get(name.strip()) or next((u for u in ledger.units.values() if u.name == name.strip()), None)
    if unit is None:
        guess = did_you_mean(name, list(ledger.units) + [u.name for u in ledger.units.values()])
        raise FatalError(
            msg("edit.unknown-unit", unit=name),
            msg("edit.unknown-unit.hint-guess", guess=guess) if guess else msg("edit.unknown-unit.hint"),
            lang=lang,
        )
    return unit


def default_name(unit: Unit, as_of: date, lang: Lang) -> str:
    name, uid = file_name(unit.name, "unit"), file_name(unit.id, "unit")
    return say("form.file-name", lang, name=name, id=uid, day=as_of.isoformat())


def form(
    root: Path | None,
    *,
    as_of: date,
    unit: str | None = None,
    output: Path | None = None,
    each_unit: Path | None = None,
    lang: str | None = None,
    out: TextIO | None = None,
) -> int:
    """Write one unit's form (`unit`, `output`) or every unit's (`each_unit`)."""
    stream = out or sys.stdout
    if (unit is None) == (each_unit is None):
        raise FatalError(msg("form.one-or-each"))
    # Complete or loud, as every report: a ledger whose files lose tasks (or cannot read
    # their dates) gives no form, which would leave those tasks out; the files and tasks
    # are named on stderr and the command exits 1.
    opened = open_report(root, lang)
    ledger, lg = opened.ledger, opened.lang
    commit = ledger_commit(ledger)
    if unit is not None:
        u = find_unit(ledger, unit, lg)
        path = output or Path(default_name(u, as_of, lg))
        if path.suffix.lower() != ".xlsx":
            raise FatalError(msg("form.not-xlsx", name=path.name), lang=lg)
        f = _form_of(ledger, u, as_of, commit, lg)
        if not f.rows:
            stream.write(text(msg("form.no-tasks", unit=u.name), lg) + "\n")
            return EXIT_OK
        if len(f.rows) > MAX_FORM_ROWS:
            raise FatalError(msg("form.too-many", unit=u.name, rows=len(f.rows), limit=MAX_FORM_ROWS),
                             msg("form.too-many.hint"), lang=lg)
        _write(f, path)
        stream.write(text(msg("form.wrote", file=str(path), unit=u.name, rows=len(f.rows), code=f.code), lg) + "\n")
        return EXIT_OK
    assert each_unit is not None
    return _each_unit(ledger, each_unit, as_of, commit, lg, stream)


def _each_unit(ledger: Ledger, each_unit: Path, as_of: date, commit: str, lg: Lang, stream: TextIO) -> int:
    """Every unit's form into the folder `each_unit`; 1 when some unit's form was too long.

    The units' tasks are found in one pass over the ledger, and a form is made as it is
    written: the rows (one a task) are counted first, from the tasks alone (issue 17)."""
    by_unit = units_tasks(ledger.tasks, as_of)
    sizes = [len(by_unit.get(u.id, ())) for u in ledger.units.values()]
    rows = sum(n for n in sizes if n <= MAX_FORM_ROWS)
    if rows > MAX_EACH_ROWS:
        # Checked before any form is written: a run stopped half-way would leave some units' forms.
        n = sum(1 for size in sizes if 0 < size <= MAX_FORM_ROWS)
        raise FatalError(msg("form.too-many-rows", forms=n, rows=rows, limit=MAX_EACH_ROWS),
                         msg("form.too-many-rows.hint"), lang=lg)
    written = 0
    empty: list[str] = []
    too_many = 0
    names = DistinctNames()
    s = ledger.settings
    for u in ledger.units.values():
        f = build_form(s.name, u, by_unit.get(u.id, []), as_of, commit, lg, s.office)
        if not f.rows:
            empty.append(u.name)
            continue
        if len(f.rows) > MAX_FORM_ROWS:
            too_many += 1
            sys.stderr.write(text(msg("form.too-many", unit=u.name, rows=len(f.rows), limit=MAX_FORM_ROWS), lg) + "\n")
            continue
        path = each_unit / names(default_name(u, as_of, lg), u.id)
        _write(f, path)
        written += 1
        stream.write(text(msg("form.wrote", file=str(path), unit=u.name, rows=len(f.rows), code=f.code), lg) + "\n")
    if empty:
        stream.write(text(msg("form.none-for", units="、".join(empty)), lg) + "\n")
    stream.write(text(msg("form.summary", forms=written, dir=str(each_unit)), lg) + "\n")
    if too_many:
        sys.stderr.write(text(msg("form.too-many.hint"), lg) + "\n")
        return EXIT_PROBLEMS
    return EXIT_OK


def _form_of(ledger: Ledger, u: Unit, as_of: date, commit: str, lg: Lang) -> Form:
    s = ledger.settings
    return build_form(s.name, u, unit_tasks(ledger.tasks, u, as_of), as_of, commit, lg, s.office)


def _write(f: Form, path: Path) -> None:
    try:
        write_form_xlsx(f, path)
    except OSError as e:
        raise _failed(path, e, f.lang) from None
    except Exception as e:  # lxml's SerialisationError: a full disk, a file past ulimit -f
        io = serialisation_error(e)
        if io is None:
            raise
        raise _failed(path, io, f.lang) from None


def _failed(path: Path, e: OSError, lang: Lang) -> FatalError:
    """A full disk, a file too large, no permission said as such; else form.write.hint's advice."""
    failed = write_failed(path, e, lang)
    if failed.said_hint is None:
        return FatalError(msg("write.failed", path=path, reason=e.strerror or e), msg("form.write.hint"), lang=lang)
    return failed
