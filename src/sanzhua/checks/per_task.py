"""The checks that need only one task: they run while each file is read.

Their findings are part of the file's result and so are cached with it; a re-check
after a small change runs them only for the files that changed.
"""

from __future__ import annotations

from types import ModuleType

from sanzhua.checks import (
    done_before_start,
    done_without_date,
    due_before_start,
    extension_mismatch,
    milestone_after_due,
    progress_regressed,
)

TASK_CHECKS: tuple[ModuleType, ...] = (
    milestone_after_due,
    done_before_start,
    due_before_start,
    extension_mismatch,
    done_without_date,
    progress_regressed,
)
