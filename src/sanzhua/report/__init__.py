"""Assemble report data from an evaluated ledger: briefings and notices (data, no formatting)."""

from __future__ import annotations
