"""Render report data (sanzhua.report) through templates: Markdown and Word."""

from __future__ import annotations
