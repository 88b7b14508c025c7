"""`sanzhua export`: the 台账 as an xlsx workbook (or CSV) to send upward."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, choice_option, format_option, open_report
from sanzhua.commands.writefail import write_failed
from sanzhua.errors import FatalError
from sanzhua.evaluate import evaluate
from sanzhua.i18n import say, text
from sanzhua.interchange.export import Export, write_csv, write_xlsx
from sanzhua.outfile import replace_bytes
from sanzhua.problems import msg
from sanzhua.report.gaps import notice
from sanzhua.selection import StatusFilter, in_ledger_order

FORMATS = ("xlsx", "csv")


def export(
    root: Path | None,
    *,
    as_of: date,
    fmt: str = "xlsx",
    output: Path | None = None,
    lang: str | None = None,
    flt: StatusFilter | None = None,
    by: str | None = None,
    out: TextIO | None = None,
    allow_errors: bool = False,
) -> int:
    """Write the workbook (or CSV) of the tasks the filter keeps. A ledger whose files
    lose tasks is refused (exit 1) unless `allow_errors`; then the workbook opens on a
    sheet that says what it left out (a CSV has no place: standard error says it)."""
    if fmt not in FORMATS:
        format_option(fmt, FORMATS)
    choice_option(by, "--by", (None, "unit", "all"))
    stream = out or sys.stdout
    opened = open_report(root, lang, allow_errors=allow_errors)
    ledger, lg = opened.ledger, opened.lang
    flt = (flt or StatusFilter()).validate(ledger, lg)
    evaluation = evaluate(ledger, as_of)
    states = in_ledger_order([st for st in evaluation.tasks.values() if flt.keep(st)], ledger)
    ex = Export(ledger.settings, ledger.units, as_of, states, lg, notice(opened.gaps, lg) if opened.gaps else "")
    if fmt == "csv":
        data = write_csv(ex)
        if output is None or str(output) == "-":
            stream.write(data.lstrip("\ufeff"))
            return EXIT_OK
        try:
            replace_bytes(output, data.encode("utf-8"))
        except OSError as e:
            raise write_failed(output, e, lg) from None
    else:
        if output is None:
            output = Path(say("export.file-name", lg, day=as_of.isoformat()))
        if str(output) == "-":
            raise FatalError(msg("export.xlsx-terminal"), lang=lg)
        try:
            write_xlsx(ex, output, by_unit=by == "unit")
        except OSError as e:
            raise write_failed(output, e, lg) from None
    stream.write(text(msg("export.wrote", tasks=len(states), file=str(output)), lg) + "\n")
    return EXIT_OK
