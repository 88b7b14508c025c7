"""Problems found while reading files, before any named check runs.

These come from the loader (sanzhua.load); they are listed here so that
`--select`, `--ignore` and `sanzhua check --list` know them.
"""

from __future__ import annotations

CODES: dict[str, tuple[str, str]] = {
    "syntax": ("error", "The file is not valid YAML (tabs, a full-width colon, an unquoted %, an alias ...)."),
    "encoding": ("error", "The file is not UTF-8 text (GBK from a Windows editor, binary data)."),
    "unknown-key": ("error", "A key that the format does not know, with a did-you-mean."),
    "missing-key": ("error", "A required key is missing (id, title, due, tasks, name ...)."),
    "duplicate-key": ("error", "The same key twice in one mapping (also an English key and its Chinese alias)."),
    "invalid-value": (
        "error",
        "A value of the wrong kind: a percent outside 0-100, an unknown status, a list where text belongs.",
    ),
    "invalid-date": ("error", "A date that does not exist (2026-02-30) or cannot be read (尽快)."),
    "missing-file": ("error", "A file the ledger needs (units.yaml) is missing."),
    "too-many-problems": (
        "error",
        "A file with over 10,000 problems: the first 10,000 are listed, the rest counted in this one.",
    ),
    "unsafe-file": (
        "error",
        "A file not read: a link out of the ledger, a FIFO, device or folder, over max_file_mb, unreadable, or X.YAML.",
    ),
    "calendar-fallback": ("warning", "A year that no calendar covers; working days are counted Monday to Friday."),
    # issue 20: notices/*.yaml, the 督办通知 recorded by `brief --issue` (sanzhua.notices)
    "invalid-notice": (
        "error",
        "A recorded 督办通知 is malformed, twice numbered, or names an unknown unit or task.",
    ),
}
