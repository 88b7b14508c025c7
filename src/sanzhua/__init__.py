"""sanzhua: a plain-text ledger for government task supervision (督查督办台账)."""

from __future__ import annotations

__version__ = "0.1.0"
