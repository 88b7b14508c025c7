"""What a command made, kept to the process's end when the process leaves without tearing
the interpreter down (issue 17).

`sanzhua` leaves by `os._exit` once its output is flushed (sanzhua.cli.entry), so nothing a
command made needs freeing. But a command's objects are freed as soon as its function
returns, before that exit: a city's ledger (20,000 tasks, their 80,000 progress entries,
their texts) freed object by object is a tenth of a second of a warm report's CPU, and it
follows `check`'s output. `keep(obj)` holds `obj` to the end when the program leaves that
way (`leave_quickly()`, called by entry), and does nothing otherwise: tests and callers
that run commands in one process (`sanzhua.cli.main`) free what each made, as before.
"""

from __future__ import annotations

_kept: list[object] = []
_quick = [False]


def leave_quickly() -> None:
    """The process leaves by os._exit after this command (sanzhua.cli.entry)."""
    _quick[0] = True


def keep(obj: object) -> None:
    """Hold `obj` to the process's end if it leaves quickly (nothing freed for nothing)."""
    if _quick[0]:
        _kept.append(obj)
