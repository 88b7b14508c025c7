"""A bulletin's Markdown through the built-in brief.md.j2 with its biggest table written
directly: the appendix (every open task: 17,000 rows at 20,000 tasks) is a Jinja
expression per value and a finalize per value through the template, and a fifth of a
`brief --week`'s CPU once the ledger is in the cache (issue 17). `sanzhua brief` and the
site's archive of bulletins (every week's, issue 19) both write their Markdown here.
tests/test_site_archive_same.py and tests/test_brief_fast.py hold it equal to the whole
template through Jinja.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

from sanzhua.render.markdown import render_markdown
from sanzhua.render.templating import FILTERS, md_cell, read_template
from sanzhua.report.brief import Brief, TaskLine
from sanzhua.report.document import brief_context

# The appendix row of the built-in brief.md.j2, written here (see bulletin_markdown).
_CN_DATE, _PCT = FILTERS["cn_date"], FILTERS["pct"]


_TAILS: dict[tuple[object, ...], str] = {}  # a row after its number, by what it shows
_TAILS_KEPT = 50_000


def appendix_row(x: TaskLine) -> str:
    """`| {{ x.no }} | {{ x.id }} | … |` of brief.md.j2's appendix, as the template prints it."""
    key = (x.id, x.title, x.unit, x.owner, x.deadline, x.percent, x.state_text, x.light_text)
    tail = _TAILS.get(key)
    if tail is None:
        tail = (
            f" | {md_cell(x.id)} | {md_cell(x.title)} | {md_cell(x.unit)} | {md_cell(x.owner)} | "
            f"{md_cell(_CN_DATE(x.deadline))} | {md_cell(_PCT(x.percent))} | {md_cell(x.state_text)} | "
            f"{md_cell(x.light_text)} |\n"
        )
        if len(_TAILS) >= _TAILS_KEPT:
            _TAILS.clear()
        _TAILS[key] = tail
    return f"| {x.no}{tail}"


def probe_line(token: str) -> TaskLine:
    """An appendix line whose texts cannot occur in a ledger's bulletin by chance."""
    return TaskLine(
        no=1,
        id=f"id-{token}",
        title=f"title-{token}",
        unit_id="",
        unit=f"unit-{token}",
        owner=f"owner-{token}",
        leader="",
        category="",
        deadline=date(1901, 2, 3),
        days_overdue=None,
        workdays_left=None,
        percent=12.5,
        expected_percent=None,
        done=None,
        early_days=None,
        last_report=None,
        note="",
        states=(),
        state_text=f"state-{token}",
        light=f"light-{token}",
        light_text=f"light-{token}",
        overdue_milestones=0,
    )


def bulletin_markdown(b: Brief, root: Path | None, name: str = "brief.md.j2") -> str:
    """`render_markdown(name, brief_context(b), root)`, the appendix's rows (every
    open task, in every week's bulletin) written by `appendix_row` rather than by Jinja:
    `bulletin_pieces` joined."""
    return "".join(bulletin_pieces(b, root, name))


# Appendix rows joined into one piece at a time: a piece is a few hundred kilobytes, never
# the whole bulletin (3.4 million characters at 20,000 tasks, issue 17).
ROWS_PER_PIECE = 1000


def bulletin_pieces(b: Brief, root: Path | None, name: str = "brief.md.j2") -> Iterator[str]:
    """The bulletin's Markdown in pieces, in order (joined, `bulletin_markdown`): what
    `sanzhua brief` writes out piece by piece, so that the text of a city's bulletin is
    never one string, then bytes, then a string again (issue 17).

    Only with the built-in template are the appendix's rows written here: it is rendered
    with one made-up appendix line, whose row must come out once and exactly as
    `appendix_row` writes it, and that row is then replaced by the real rows; otherwise (a
    ledger's own template, or a built-in one that writes the row differently) the whole
    bulletin goes through Jinja as before. The template is rendered before the first piece
    is given, so its errors come before anything is written."""
    if not b.appendix or not read_template(name, root).builtin:
        yield render_markdown(name, brief_context(b), root)
        return
    probe = probe_line(secrets.token_hex(16))
    text = render_markdown(name, brief_context(replace(b, appendix=(probe,))), root)
    row = appendix_row(probe)
    at = text.find(row)
    if at < 0 or text.find(row, at + 1) >= 0 or text.count(probe.id) != 1:
        yield render_markdown(name, brief_context(b), root)
        return
    yield text[:at]
    rows = b.appendix
    for i in range(0, len(rows), ROWS_PER_PIECE):
        yield "".join(map(appendix_row, rows[i : i + ROWS_PER_PIECE]))
    yield text[at + len(row) :]
