"""Charts in the monthly, quarterly and yearly 工作简报: completion by unit, and the trend
of the year (completion rate; overdue and behind tasks) week by week.

Markdown gets SVG files beside it (drawn by sanzhua.render.svg, text as text). Word gets
PNG pictures 156 mm wide (the 版心 of GB/T 9704) drawn by matplotlib with a CJK font found
on the system, embedded in the picture; with no CJK font there is no chart and a warning
says why and what to install, rather than boxes in place of characters.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sanzhua.i18n import Lang, say
from sanzhua.load import Ledger
from sanzhua.render.svg import Series, axis_ticks, bar_chart, line_chart
from sanzhua.report.brief import Brief
from sanzhua.report.trends import Point, trend

# matplotlib, fontTools and python-docx are imported inside the functions that draw or
# place a picture, for start-up cost alone: matplotlib takes seconds to import, and only a
# Word bulletin with charts needs it.

TEXT_WIDTH_MM = 156  # 版心宽度
MAX_UNITS = 30  # bars in the completion chart; with more units, the lowest rates


@dataclass(frozen=True, slots=True)
class Charts:
    lang: Lang
    unit_title: str
    units: tuple[tuple[str, float | None], ...]  # (unit name, completion rate)
    units_note: str
    trend_title: str
    points: tuple[Point, ...]


def _words(lang: Lang) -> dict[str, str]:
    return {
        "units": say("chart.units", lang),
        "trend": say("chart.trend", lang),
        "rate": say("chart.rate", lang),
        "overdue": say("chart.overdue", lang),
        "behind": say("chart.behind", lang),
        "counts": say("chart.counts", lang),
    }


def charts_of(ledger: Ledger, b: Brief) -> Charts:
    """What the charts show, from the brief's own breakdown and the ledger's weekly trend."""
    w = _words(b.lang)
    names = {u.id: u.name for u in ledger.units.values()}
    acc: dict[str, list[int]] = {}
    at = b.evaluated_at
    for t in ledger.tasks:
        if t.status == "cancelled":
            continue
        row = acc.setdefault(t.lead, [0, 0])
        row[0] += 1
        row[1] += (t.done is not None and t.done <= at) or (t.status == "done" and t.done is None)
    rows = sorted(
        ((names.get(k, k), round(100.0 * d / n, 1) if n else None) for k, (n, d) in acc.items()),
        key=lambda r: (-(r[1] or 0.0), r[0]),
    )
    note = ""
    if len(rows) > MAX_UNITS:
        note = say("chart.lowest", b.lang, n=MAX_UNITS, total=len(rows))
        rows = rows[-MAX_UNITS:]
    points = tuple(trend(ledger, at, use_git=False))
    return Charts(b.lang, w["units"] + note, tuple(rows), note, w["trend"], points)


def svgs(c: Charts) -> list[tuple[str, str, str]]:
    """(file suffix, title, SVG text) of each chart."""
    w = _words(c.lang)
    labels = [f"{p.day.month}/{p.day.day}" for p in c.points]
    return [
        (say("chart.file.units", c.lang), c.unit_title, bar_chart(c.unit_title, c.units, standalone=True)),
        (
            say("chart.file.trend", c.lang),
            c.trend_title,
            line_chart(
                c.trend_title,
                labels,
                [
                    Series(say("chart.rate.percent", c.lang), [p.completion_rate for p in c.points], "#1f4e8c"),
                    Series(w["overdue"], [p.overdue for p in c.points], "#c62828", "6 4"),
                    Series(w["behind"], [p.behind for p in c.points], "#b26b00", "2 3"),
                ],
                y_max=100,
                standalone=True,
            ),
        ),
    ]


# ---------------------------------------------------------------------------
# Markdown: SVG files beside it


_SECOND = re.compile(r"^### (二、|2\.|II\.)", re.M)


def place_in_markdown(text: str, images: Sequence[tuple[str, str]]) -> str:
    """The image links at the end of part 一 (before the heading of part 二), else at the end."""
    block = "".join(f"![{alt}]({href})\n\n" for alt, href in images)
    m = _SECOND.search(text)
    if m is None:
        return text.rstrip("\n") + "\n\n" + block
    return text[: m.start()] + block + text[m.start() :]


# ---------------------------------------------------------------------------
# Word: PNG pictures with a CJK font


_CJK_NAMES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK JP",
    "Noto Serif CJK SC",
    "AR PL UKai CN",
    "AR PL UMing CN",
    "SimSun",
)


def find_cjk_font() -> Path | None:
    """A font file on this machine that has Chinese characters, by name (the usual
    Chinese system fonts first), else any font fontconfig says covers `zh`."""
    try:
        # lazy: matplotlib ~1 s, fontTools ~0.1 s to import; charts only
        from matplotlib import font_manager
    except ImportError:  # pragma: no cover - matplotlib is a dependency
        return None
    by_name: dict[str, str] = {}
    for f in font_manager.fontManager.ttflist:
        by_name.setdefault(f.name, f.fname)
    for name in _CJK_NAMES:
        if name in by_name and Path(by_name[name]).is_file():
            return Path(by_name[name])

    if shutil.which("fc-match"):
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh"], capture_output=True, text=True, check=False, timeout=10
        )
        path = Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None
        if path is not None and path.is_file() and _covers_chinese(path):
            return path
    return None


def _covers_chinese(path: Path) -> bool:
    try:
        # lazy: matplotlib ~1 s, fontTools ~0.1 s to import; charts only
        from fontTools.ttLib import TTCollection, TTFont
    except ImportError:  # pragma: no cover
        return False
    try:
        fonts = TTCollection(str(path)).fonts if path.suffix.lower() == ".ttc" else [TTFont(str(path), lazy=True)]
        return any(0x4E2D in (f.getBestCmap() or {}) for f in fonts)
    except Exception:  # a font file fontTools cannot read is no use to us either
        return False


def pngs(c: Charts, font: Path) -> list[tuple[str, bytes]]:
    """(title, PNG bytes) of each chart, 156 mm wide at 200 dpi, with `font` for all text."""
    # lazy: matplotlib ~1 s, fontTools ~0.1 s to import; charts only
    import matplotlib

    matplotlib.use("Agg")
    # lazy: matplotlib ~1 s, fontTools ~0.1 s to import; charts only
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    font_manager.fontManager.addfont(str(font))
    prop = font_manager.FontProperties(fname=str(font))
    family = prop.get_name()
    w = _words(c.lang)
    width_in = TEXT_WIDTH_MM / 25.4
    out: list[tuple[str, bytes]] = []
    with matplotlib.rc_context({"font.family": [family], "font.size": 9, "axes.unicode_minus": False}):
        n = max(1, len(c.units))
        fig, ax = plt.subplots(figsize=(width_in, 0.8 + 0.16 * n), dpi=200)
        labels = [name for name, _ in c.units][::-1]
        values = [v or 0.0 for _, v in c.units][::-1]
        bars = ax.barh(labels, values, color="#2f6fb0")
        for bar, (_, v) in zip(bars, list(c.units)[::-1], strict=True):
            ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2, "—" if v is None else f"{v:g}%",
                    va="center", fontsize=8)
        ax.set_xlim(0, 110)
        ax.set_xlabel(w["rate"] + " (%)")
        ax.set_title(c.unit_title, fontsize=11, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        out.append((c.unit_title, _png(fig)))
        plt.close(fig)

        xs = list(range(len(c.points)))
        fig, ax = plt.subplots(figsize=(width_in, 2.8), dpi=200)
        ax.plot(xs, [p.completion_rate or 0.0 for p in c.points], color="#1f4e8c", lw=2, label=w["rate"] + " (%)")
        ax.set_ylim(0, 100)
        ax.set_ylabel(w["rate"] + " (%)")
        ax2 = ax.twinx()
        ax2.plot(xs, [p.overdue for p in c.points], color="#c62828", lw=1.6, ls="--", label=w["overdue"])
        ax2.plot(xs, [p.behind for p in c.points], color="#b26b00", lw=1.6, ls=":", label=w["behind"])
        ax2.set_ylabel(w["counts"])
        ax2.set_ylim(bottom=0)
        if c.points:
            last = c.points[-1]
            ax.annotate(
                f"{last.completion_rate or 0:g}%",
                (xs[-1], last.completion_rate or 0.0),
                textcoords="offset points",
                xytext=(-4, 6),  # left of the point: the right-hand axis is close after it
                ha="right",
                fontsize=8,
                color="#1f4e8c",
            )
            ticks = axis_ticks(len(xs))
            ax.set_xticks(ticks, [f"{c.points[i].day.month}/{c.points[i].day.day}" for i in ticks])
        lines = ax.get_lines() + ax2.get_lines()
        ax.legend(lines, [str(x.get_label()) for x in lines], loc="upper left", fontsize=8, frameon=False)
        ax.set_title(c.trend_title, fontsize=11, loc="left")
        fig.tight_layout()
        out.append((c.trend_title, _png(fig)))
        plt.close(fig)
    return out


def _png(fig: object) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")  # type: ignore[attr-defined]
    return buf.getvalue()


def place_in_docx(data: bytes, pictures: Sequence[tuple[str, bytes]], lang: str) -> bytes:
    """The pictures, each on its own centred line 156 mm wide, at the end of part 一
    (before the paragraph that starts part 二), else before the last paragraph."""
    # lazy: python-docx ~0.3 s to import; Word only
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    doc = Document(io.BytesIO(data))
    paragraphs = doc.paragraphs
    anchor = next(
        (p for p in paragraphs if p.text.strip().startswith(("二、", "2.", "II."))),
        paragraphs[-1] if paragraphs else None,
    )
    for _title, png in pictures:
        para = anchor.insert_paragraph_before() if anchor is not None else doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.first_line_indent = Mm(0)
        para.add_run().add_picture(io.BytesIO(png), width=Mm(TEXT_WIDTH_MM))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def stamp(d: date) -> str:
    return d.isoformat()
