"""Small SVG charts drawn at build time: a line chart, horizontal bars and a timeline.

Our own few functions rather than a JavaScript chart library: the charts are static,
print as they show, need no script and carry their numbers as text. Every piece of
text goes through `esc`, so a unit or milestone name cannot break out of the picture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC','WenQuanYi Micro Hei',sans-serif"


_ESCAPED = re.compile("[&<>\"']")


def esc(text: object) -> str:
    """Text for an SVG element or attribute value (double-quoted)."""
    s = str(text)
    if not _ESCAPED.search(s):  # nothing to escape (most texts: 40,000 timelines at 20,000 tasks)
        return s
    return escape(s, {'"': "&quot;", "'": "&#39;"})


_NUMBERS: dict[float, str] = {}  # a coordinate as written, by value: a chart repeats a few hundred


def _n(x: float) -> str:
    got = _NUMBERS.get(x) if x else None  # not by value for 0: -0.0 == 0.0 but writes "-0"
    if got is None:
        got = f"{x:.1f}".rstrip("0").rstrip(".")
        if len(_NUMBERS) >= 20_000:
            _NUMBERS.clear()
        _NUMBERS[x] = got
    return got


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: Sequence[float | None]
    colour: str
    dash: str = ""  # an SVG dash pattern: lines differ in more than colour


def _open(width: int, height: int, title: str, standalone: bool) -> list[str]:
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    font = f' font-family="{esc(FONT)}"' if standalone else ""
    return [
        f'<svg{ns} viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{esc(title)}" class="chart"{font} font-size="12">',
        f"<title>{esc(title)}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#fff"/>' if standalone else "",
    ]


def axis_ticks(n: int) -> list[int]:
    """Which of `n` points along a time axis get a label: about ten, evenly spaced, and the
    last (the latest week) always; a regular one closer to the last than the spacing is
    left out, so that the last two labels do not run into each other."""
    if n <= 0:
        return []
    step = -(-n // 10)  # at most ten regular labels
    return [i for i in range(0, n - 1, step) if n - 1 - i >= step] + [n - 1]


def line_chart(
    title: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    *,
    y_max: float | None = None,
    y_suffix: str = "",
    width: int = 960,
    height: int = 300,
    standalone: bool = False,
) -> str:
    """Lines over evenly spaced x labels. The legend above the plot names each line with
    its own dash pattern and its latest value, so the chart reads without colour."""
    left, right, top, bottom = 48, 24, 52, 30
    pw, ph = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else _nice(max([1.0, *values]))
    n = max(1, len(x_labels) - 1)

    def x(i: int) -> float:
        return left + pw * i / n

    def y(v: float) -> float:
        return top + ph * (1 - v / top_value)

    out = _open(width, height, title, standalone)
    out.append(f'<text x="0" y="16" font-weight="bold" font-size="14">{esc(title)}</text>')
    lx = 0.0
    for s in series:
        last = next((v for v in reversed(s.values) if v is not None), None)
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        text = f"{s.label} {'—' if last is None else _n(last) + y_suffix}"
        out.append(f'<line x1="{lx}" y1="34" x2="{lx + 24}" y2="34" stroke="{s.colour}" stroke-width="2.5"{dash}/>')
        out.append(f'<text x="{lx + 28}" y="38">{esc(text)}</text>')
        lx += 28 + 13 * _width(text) + 24
    for k in range(5):
        v = top_value * k / 4
        yy = y(v)
        out.append(f'<line x1="{left}" y1="{_n(yy)}" x2="{left + pw}" y2="{_n(yy)}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{_n(yy + 4)}" text-anchor="end" fill="#555">{_n(v)}{esc(y_suffix)}</text>')
    for i in axis_ticks(len(x_labels)):
        xi = _n(x(i))
        out.append(f'<line x1="{xi}" y1="{top + ph}" x2="{xi}" y2="{top + ph + 4}" stroke="#888"/>')
        out.append(f'<text x="{xi}" y="{top + ph + 18}" text-anchor="middle" fill="#555">{esc(x_labels[i])}</text>')
    out.append(f'<line x1="{left}" y1="{top + ph}" x2="{left + pw}" y2="{top + ph}" stroke="#888"/>')
    for s in series:
        pts = [(x(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        if not pts:
            continue
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        path = " ".join(f"{'M' if j == 0 else 'L'}{_n(px)},{_n(py)}" for j, (px, py) in enumerate(pts))
        out.append(f'<path d="{path}" fill="none" stroke="{s.colour}" stroke-width="2.5"{dash}/>')
        px, py = pts[-1]
        out.append(f'<circle cx="{_n(px)}" cy="{_n(py)}" r="3.5" fill="{s.colour}"/>')
    out.append("</svg>")
    return "".join(p for p in out if p)


def _width(text: str) -> float:
    """Roughly how many ems `text` takes: CJK characters one, others about half."""
    return sum(1.0 if ord(c) > 0x2E80 else 0.55 for c in text)


def _nice(v: float) -> float:
    for step in (5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if v <= step * 4:
            return float(step * 4)
    return float(int(v) + 1)


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, float | None]],
    *,
    max_value: float = 100.0,
    suffix: str = "%",
    width: int = 720,
    standalone: bool = False,
    label_width: int = 150,
) -> str:
    """Horizontal bars, one per row, its label on the left and its value as text at its end."""
    bar_h, gap, top = 16, 6, 28
    height = top + len(rows) * (bar_h + gap) + 10
    pw = width - label_width - 60
    out = _open(width, height, title, standalone)
    out.append(f'<text x="0" y="16" font-weight="bold">{esc(title)}</text>')
    for i, (label, value) in enumerate(rows):
        yy = top + i * (bar_h + gap)
        text = label if len(label) <= 12 else label[:11] + "…"
        out.append(
            f'<text x="{label_width - 6}" y="{yy + bar_h - 4}" text-anchor="end"><title>{esc(label)}</title>'
            f"{esc(text)}</text>"
        )
        out.append(f'<rect x="{label_width}" y="{yy}" width="{pw}" height="{bar_h}" fill="#eef1f5"/>')
        if value is not None:
            w = pw * max(0.0, min(value, max_value)) / max_value
            out.append(f'<rect x="{label_width}" y="{yy}" width="{_n(w)}" height="{bar_h}" fill="#2f6fb0"/>')
        shown = "—" if value is None else f"{_n(value)}{suffix}"
        out.append(f'<text x="{label_width + pw + 6}" y="{yy + bar_h - 4}">{esc(shown)}</text>')
    out.append("</svg>")
    return "".join(p for p in out if p)


@dataclass(frozen=True, slots=True)
class Mark:
    day: date
    label: str
    kind: str  # done | late | overdue | open | deadline | start


_MARK_COLOUR = {
    "done": "#1d7a3a",
    "late": "#b26b00",
    "overdue": "#c62828",
    "open": "#555",
    "deadline": "#222",
    "start": "#555",
}
_MARK_SHAPE = {"done": "✓", "late": "!", "overdue": "✗", "open": "○", "deadline": "◆", "start": "▶"}


def timeline(title: str, start: date, end: date, as_of: date, marks: Sequence[Mark], as_of_label: str) -> str:
    """The task's span with its milestones, deadline and the as-of date; each mark is a
    symbol and a label (name and date), on alternating rows so that close ones do not overlap."""
    lo = min([start, as_of, *(m.day for m in marks)])
    hi = max([end, as_of, *(m.day for m in marks)])
    span = max(1, (hi - lo).days)
    width, left, right = 720, 20, 20
    rows = 2 if len(marks) < 3 else 3
    top = 28
    axis = top + 10
    height = axis + 24 + rows * 30
    pw = width - left - right

    def x(d: date) -> float:
        return left + pw * (d - lo).days / span

    out = _open(width, height, title, False)
    out.append(f'<line x1="{left}" y1="{axis}" x2="{left + pw}" y2="{axis}" stroke="#888" stroke-width="2"/>')
    ax = x(as_of)
    out.append(
        f'<line x1="{_n(ax)}" y1="{axis - 18}" x2="{_n(ax)}" y2="{height}" stroke="#2f6fb0" stroke-dasharray="4 3"/>'
    )
    anchor = "end" if ax > width * 0.7 else "start"
    dx = -4 if anchor == "end" else 4
    out.append(
        f'<text x="{_n(ax + dx)}" y="{axis - 8}" fill="#2f6fb0" text-anchor="{anchor}">'
        f"{esc(as_of_label)} {as_of.isoformat()}</text>"
    )
    for i, m in enumerate(sorted(marks, key=lambda m: m.day)):
        mx = x(m.day)
        colour = _MARK_COLOUR.get(m.kind, "#555")
        ly = axis + 22 + (i % rows) * 30
        out.append(f'<line x1="{_n(mx)}" y1="{axis}" x2="{_n(mx)}" y2="{ly - 10}" stroke="#bbb"/>')
        out.append(f'<circle cx="{_n(mx)}" cy="{axis}" r="5" fill="{colour}"/>')
        anchor = "end" if mx > width * 0.6 else "start"
        out.append(
            f'<text x="{_n(mx)}" y="{ly}" fill="{colour}" text-anchor="{anchor}">'
            f"{_MARK_SHAPE.get(m.kind, '')} {esc(m.label)}</text>"
        )
        out.append(
            f'<text x="{_n(mx)}" y="{ly + 13}" fill="#555" font-size="11" text-anchor="{anchor}">'
            f"{m.day.isoformat()}</text>"
        )
    out.append("</svg>")
    return "".join(p for p in out if p)
