"""A task's page written by a function rather than a template: 20,000 of them are most of
a site's build, and Jinja's per-page machinery (contexts, macros, a Markup object per
escaped value) was most of that (issue 19.5).

`task_main` writes the same bytes as the `main` block of templates/task.html, `unit_main`
as that of templates/unit.html (1,000 unit pages at 20,000 tasks), and `task_table` the same
as macros.html's `task_table` on the unit pages (each lists all its unit's tasks); the
templates and the macro stay as the reference: `write_core(..., fast=False)` renders
through them, and
tests/test_site_taskpage.py builds sites both ways and compares them file by file (the
bundled ledger, a generated one, one of hostile titles). Every value from the ledger goes
through `esc`, markupsafe's escaping (tests hold the two equal); the labels in `w` are
already escaped (`Markup`), and the timeline is SVG our own code drew with its texts
escaped (`render.svg`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from markupsafe import Markup

from sanzhua.i18n import say
from sanzhua.render.templating import FILTERS
from sanzhua.site.text import Lang

_num = FILTERS["num"]
_FUTURE = ' class="future"'


def esc(value: object) -> str:
    """`markupsafe.escape(value)` as a plain string: & < > ' " as markupsafe writes them; a
    `Markup` (HTML our own code made) as it is."""
    if type(value) is str:  # the most of 1.5 million values at 20,000 tasks
        s = value
    elif hasattr(value, "__html__"):
        return str(value.__html__())
    else:
        s = str(value)
    if "&" in s:
        s = s.replace("&", "&amp;")
    return s.replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")


def _clamp(x: float) -> int:
    return int(min(max(x, 0), 100))


def light(v: Any) -> str:
    """macros.html's `light`."""
    return (
        f'<span class="light l-{esc(v.light)}"><span class="dot" aria-hidden="true"></span>{esc(v.light_text)}</span>'
    )


def pct(x: float | None) -> str:
    """macros.html's `pct`."""
    return "—" if x is None else f"{esc(_num(x))}%"


def bar(actual: float | None, expected: float | None) -> str:
    """macros.html's `bar`."""
    if actual is None:
        return ""
    out = (
        f'<span class="pbar" title="{esc(_num(actual))}% / {esc(_num(expected or 0))}%">'
        f'<span class="pfill" style="width:{_clamp(actual)}%"></span>'
    )
    if expected is not None:
        out += f'<span class="pexp" style="left:{_clamp(expected)}%"></span>'
    return out + "</span>"


def title(v: Any) -> str:
    """The page's title block."""
    return f"{esc(v.id)} {esc(v.title)}"


def task_main(
    *,
    w: Mapping[str, Markup],
    root: str,
    v: Any,
    unit_href: str,
    why: Sequence[str],
    facts: Sequence[tuple[str, object]],
    target: str,
    milestones: Sequence[Any],
    timeline: Markup,
    progress: Sequence[Mapping[str, Any]],
    extensions: Sequence[Any],
    events: Sequence[Mapping[str, Any]] | None,
) -> str:
    """The `main` block of templates/task.html, for the same values."""
    out: list[str] = []
    _head(out, w, esc(root), v, unit_href, why)
    _facts(out, esc(root), facts)
    if v.percent is not None:
        _percent(out, w, v, target)
    out.append(f'<section><h2>{w["timeline"]}</h2>\n<figure class="timeline">{esc(timeline)}</figure>\n')
    if milestones:
        _milestones(out, w, milestones)
    out.append(f"</section>\n<section><h2>{w['progress']}</h2>\n")
    _progress(out, w, progress)
    out.append("</section>\n")
    if extensions:
        _extensions(out, w, extensions)
    out.append(f"<section><h2>{w['history']}</h2>\n")
    _history(out, w, events)
    out.append("</section>\n")
    return "".join(out)


def _head(out: list[str], w: Mapping[str, Markup], r: str, v: Any, unit_href: str, why: Sequence[str]) -> None:
    """Where the task stands (crumbs), its id and title, its state and why."""
    out.append(
        f'<p class="crumbs"><a href="{r}index.html">{w["overview"]}</a> › '
        f'<a href="{r}{esc(unit_href)}">{esc(v.unit)}</a></p>\n'
        f'<h1><span class="tid">{esc(v.id)}</span> {esc(v.state.task.title)}</h1>\n'
        f'<p class="state">{light(v)} <strong>{esc(v.state_text)}</strong></p>\n'
        f'<section class="why" aria-labelledby="why"><h2 id="why">{w["why"]}</h2>\n<ul>'
    )
    out.extend(f"<li>{esc(line)}</li>" for line in why)
    out.append("</ul></section>\n")


def _facts(out: list[str], r: str, facts: Sequence[tuple[str, object]]) -> None:
    """The facts list: a value that is a mapping is links (name → href)."""
    out.append('<dl class="facts">\n')
    for k, val in facts:
        out.append(f"<dt>{esc(k)}</dt><dd>")
        if isinstance(val, Mapping):
            out.append("、".join(f'<a href="{r}{esc(href)}">{esc(name)}</a>' for name, href in val.items()))
        else:
            out.append(esc(val))
        out.append("</dd>\n")
    out.append("</dl>\n")


def _percent(out: list[str], w: Mapping[str, Markup], v: Any, target: str) -> None:
    out.append(
        f"<section><h2>{w['percent']}</h2>\n<p>{w['actual']} <strong>{pct(v.percent)}</strong> · "
        f"{w['expected']} {pct(v.expected)}"
    )
    if target:
        out.append(f" · {w['target']} {esc(target)}")
    out.append(f'</p>\n<p class="bigbar">{bar(v.percent, v.expected)}</p></section>\n')


def _milestones(out: list[str], w: Mapping[str, Markup], milestones: Sequence[Any]) -> None:
    out.append(
        f'<div class="scroll"><table><caption>{w["milestones"]}</caption>\n'
        f'<thead><tr><th scope="col">{w["name"]}</th><th scope="col">{w["due"]}</th>'
        f'<th scope="col">{w["done_date"]}</th><th scope="col">{w["states"]}</th></tr></thead><tbody>\n'
    )
    out.extend(
        f'<tr class="ms-{esc(m.kind)}"><td>{esc(m.name)}</td><td class="date">{esc(m.due)}</td>'
        f'<td class="date">{esc(m.done or "—")}</td><td>{esc(m.text)}</td></tr>\n'
        for m in milestones
    )
    out.append("</tbody></table></div>")


def _progress(out: list[str], w: Mapping[str, Markup], progress: Sequence[Mapping[str, Any]]) -> None:
    if not progress:
        out.append(f'<p class="muted">{w["none_yet"]}</p>')
        return
    out.append(
        f'<div class="scroll"><table><thead><tr><th scope="col">{w["date"]}</th>'
        f'<th scope="col">{w["note"]}</th><th scope="col" class="n">{w["value"]}</th>'
        f'<th scope="col" class="n">{w["percent"]}</th><th scope="col">{w["by"]}</th></tr></thead><tbody>\n'
    )
    for p in progress:
        value = "" if p["value"] is None else esc(_num(p["value"]))
        percent = "" if p["percent"] is None else esc(_num(p["percent"]) + "%")
        out.append(
            f'<tr{_FUTURE if p["future"] else ""}><td class="date">{esc(p["date"])}</td>'
            f'<td>{esc(p["note"] or "")}</td><td class="n">{value}</td><td class="n">{percent}</td>'
            f"<td>{esc(p['by'] or '')}</td></tr>\n"
        )
    out.append("</tbody></table></div>")


def _extensions(out: list[str], w: Mapping[str, Markup], extensions: Sequence[Any]) -> None:
    out.append(
        f'<section><h2>{w["extensions"]}</h2>\n<div class="scroll"><table><thead><tr>'
        f'<th scope="col">{w["date"]}</th><th scope="col">{w["from"]}</th><th scope="col">{w["to"]}</th>'
        f'<th scope="col">{w["approved_by"]}</th><th scope="col">{w["ref"]}</th></tr></thead><tbody>\n'
    )
    out.extend(
        f'<tr><td class="date">{esc(e.date or "—")}</td><td class="date">{esc(e.from_ or "—")}</td>'
        f'<td class="date">{esc(e.to)}</td><td>{esc(e.approved_by or "")}</td><td>{esc(e.ref or "")}</td></tr>\n'
        for e in extensions
    )
    out.append("</tbody></table></div></section>")


def _history(out: list[str], w: Mapping[str, Markup], events: Sequence[Mapping[str, Any]] | None) -> None:
    """The task's git history, newest first; none without git, or none yet."""
    if events is None:
        out.append(f'<p class="muted">{w["no_history"]}</p>\n')
        return
    if not events:
        out.append(f'<p class="muted">{w["no_events"]}</p>\n')
        return
    out.append('<ol class="events">\n')
    for e in events:
        out.append(
            f'<li><div class="ev-head"><span class="date">{esc(e["date"])}</span> '
            f'<strong>{esc(e["author"])}</strong> <span class="muted">&lt;{esc(e["email"])}&gt;</span> · '
            f"{esc(e['kind'])}{w['merge'] if e['merge'] else ''} · <code>{esc(e['commit'])}</code></div>\n"
            f'<div class="ev-subject">{esc(e["subject"])}</div>\n'
        )
        if e["lines"]:
            out.append('<ul class="ev-changes">')
            out.extend(f"<li>{esc(line)}</li>" for line in e["lines"])
            out.append("</ul>")
        out.append("</li>\n")
    out.append("</ol>")


def task_table(views: Sequence[Any], w: Mapping[str, Markup], root: str, lang: Lang, caption: str = "") -> Markup:
    """macros.html's `task_table`, for the unit pages (each lists every task of its unit)."""
    r = esc(root)
    days = say("site.days", lang)
    out = ['<div class="scroll"><table class="tasks">\n']
    if caption:
        out.append(f"<caption>{esc(caption)}</caption>")
    out.append(
        f'<thead><tr><th scope="col">{w["light"]}</th><th scope="col">{w["id"]}</th>'
        f'<th scope="col">{w["title"]}</th><th scope="col">{w["unit"]}</th><th scope="col">{w["due"]}</th>'
        f'<th scope="col">{w["states"]}</th><th scope="col" class="n">{w["percent"]}</th></tr></thead>\n<tbody>\n'
    )
    for v in views:
        href = esc(v.href)
        late = f' <span class="muted">{esc(v.days_overdue)}{days}</span>' if v.days_overdue else ""
        out.append(
            f'<tr data-id="{esc(v.id)}" data-light="{esc(v.light)}">\n<td>{light(v)}</td>'
            f'<td class="id"><a href="{r}{href}">{esc(v.id)}</a></td>'
            f'<td class="title"><a href="{r}{href}">{esc(v.title)}</a></td>\n'
            f'<td>{esc(v.unit)}</td><td class="date">{esc(v.deadline or "—")}</td><td>{esc(v.state_text)}{late}</td>\n'
            f'<td class="n">{pct(v.percent)} {bar(v.percent, v.expected)}</td></tr>\n'
        )
    out.append("</tbody></table></div>")
    return Markup("".join(out))


def unit_main(u: Any, w: Mapping[str, Markup], root: str, lang: Lang) -> str:
    """The `main` block of templates/unit.html: the unit's facts, its lights, and the tables
    of the tasks it leads and shares (`task_table`)."""
    r, row = esc(root), u.row
    out = [
        f'<p class="crumbs"><a href="{r}index.html">{w["overview"]}</a> › '
        f'<a href="{r}units.html">{w["units"]}</a></p>\n'
        f'<h1>{esc(u.name)} <span class="muted">{esc(u.kind)}</span></h1>\n<dl class="facts">\n'
    ]
    if u.head:
        out.append(f"<dt>{w['head']}</dt><dd>{esc(u.head)}</dd>")
    if u.deputy:
        out.append(f"<dt>{w['deputy']}</dt><dd>{esc(u.deputy)}</dd>")
    dot = '<span class="dot" aria-hidden="true"></span>'
    out.append(
        f"<dt>{w['total']}</dt><dd>{esc(row.tasks)}</dd>\n"
        f"<dt>{w['completion_rate']}</dt><dd>{pct(row.completion_rate)}</dd>\n</dl>\n"
        f'<p class="chips"><span class="light l-red">{dot}{w["red"]} {esc(row.red)}</span>\n'
        f'<span class="light l-yellow">{dot}{w["yellow"]} {esc(row.yellow)}</span>\n'
        f'<span class="light l-green">{dot}{w["green"]} {esc(row.green)}</span>\n'
        f'<span class="light l-done">{dot}{w["light_done"]} {esc(row.done)}</span>\n'
        f'<span class="light l-none">{w["light_none"]} {esc(row.none)}</span></p>\n'
        f"<h2>{w['lead_tasks']}</h2>\n"
    )
    if u.lead:
        out.append(task_table(u.lead, w, root, lang))
    else:
        out.append(f'<p class="muted">{w["none_yet"]}</p>')
    if u.lead_more:
        out.append(_more(u.lead_more, u.tasks_href, w, r))
    if u.partner:
        out.append(f"<h2>{w['partner_tasks']}</h2>\n{task_table(u.partner, w, root, lang)}")
    if u.partner_more:
        out.append(_more(u.partner_more, u.tasks_href, w, r))
    return "".join(out)


def _more(n: int, href: str, w: Mapping[str, Markup], r: str) -> str:
    """unit.html's line under a table cut at site/data.UNIT_ROWS tasks."""
    return (
        f'<p class="muted">{w["unit_more"].replace("{n}", str(n))} '
        f'<a href="{r}{esc(href)}">{w["all_tasks"]}</a></p>'
    )


def group_main(
    views: Sequence[Any],
    first: int,
    w: Mapping[str, Markup],
    raw: Mapping[str, str],
    root: str,
    lang: Lang,
    unit_href: Mapping[str, str],
    pages: int,
    size: int,
) -> tuple[str, str]:
    """(title, main) of a page of the tasks without a page of their own (those after the
    `pages` most urgent, site/data.TASK_PAGES): each a row at the anchor its link names
    (`tg/<n>.html#<name>`), with what the task list shows of it. `first`: the place of the
    first of `views` in the task list, from 1."""
    r = esc(root)
    days = say("site.days", lang)
    heading = esc(raw["grouped_title"].format(first=first, last=first + len(views) - 1))
    out = [
        f'<p class="crumbs"><a href="{r}index.html">{w["overview"]}</a> › '
        f'<a href="{r}tasks.html">{w["all_tasks"]}</a></p>\n<h1>{heading}</h1>\n'
        f'<p class="muted">{esc(raw["grouped"].format(pages=pages, size=size))}</p>\n'
        '<div class="scroll"><table class="tasks">\n'
        f'<thead><tr><th scope="col">{w["light"]}</th><th scope="col">{w["id"]}</th>'
        f'<th scope="col">{w["title"]}</th><th scope="col">{w["unit"]}</th><th scope="col">{w["due"]}</th>'
        f'<th scope="col">{w["states"]}</th><th scope="col" class="n">{w["percent"]}</th>'
        f'<th scope="col">{w["owner"]}</th><th scope="col">{w["leader"]}</th></tr></thead>\n<tbody>\n'
    ]
    for v in views:
        anchor = esc(v.href.partition("#")[2])
        late = f' <span class="muted">{esc(v.days_overdue)}{days}</span>' if v.days_overdue else ""
        out.append(
            f'<tr id="{anchor}" data-id="{esc(v.id)}" data-light="{esc(v.light)}">\n<td>{light(v)}</td>'
            f'<td class="id">{esc(v.id)}</td><td class="title">{esc(v.title)}</td>\n'
            f'<td><a href="{r}{esc(unit_href.get(v.lead, "units.html"))}">{esc(v.unit)}</a></td>'
            f'<td class="date">{esc(v.deadline or "—")}</td><td>{esc(v.state_text)}{late}</td>\n'
            f'<td class="n">{pct(v.percent)} {bar(v.percent, v.expected)}</td>'
            f"<td>{esc(v.owner)}</td><td>{esc(v.leader)}</td></tr>\n"
        )
    out.append("</tbody></table></div>")
    return heading, "".join(out)
