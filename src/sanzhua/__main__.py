from __future__ import annotations

from sanzhua.cli import entry

entry()
