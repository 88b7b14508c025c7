"""Finding templates and the Jinja2 environment every output format shares.

A ledger may override a built-in template by putting a file of the same name in
its own `templates/` folder. Such a template is data an office edits, so it renders
in Jinja2's sandbox; the built-in templates are ours and render in a plain
environment (the sandbox checks every attribute lookup, a third of a large
bulletin's rendering time). Both use StrictUndefined, so a typo in a variable
name is an error that names the template, not a blank in print, and the same
filters and escaping.
"""

from __future__ import annotations

import importlib.resources
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from sanzhua.errors import FatalError
from sanzhua.report.periods import cn_numeral
from sanzhua.textsafe import has_unprintable, printable


def builtin_dir() -> Path:
    """The built-in templates: package data `sanzhua/templates` in a wheel, else the
    repository's `templates/` next to `src/` (a development checkout)."""
    try:
        packaged = Path(str(importlib.resources.files("sanzhua") / "templates"))
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - unusual loaders
        pass
    return Path(__file__).resolve().parents[3] / "templates"


def find_template(name: str, ledger_root: Path | None) -> Path:
    """The ledger's `templates/<name>` if there is one, else the built-in."""
    if ledger_root is not None:
        own = ledger_root / "templates" / name
        if own.is_file():
            return own
    path = builtin_dir() / name
    if not path.is_file():
        raise FatalError(
            f"找不到模板 {name}（内置模板目录：{builtin_dir()}）",
            "请重新安装 sanzhua，或在台账的 templates/ 目录中放置同名模板。",
        )
    return path


def is_builtin(path: Path) -> bool:
    """Whether `path` is one of sanzhua's own templates (else a ledger's, to sandbox)."""
    return path.resolve().parent == builtin_dir().resolve()


# ---------------------------------------------------------------------------
# Markdown escaping


class MdSafe(str):
    """Text already escaped for Markdown; not escaped again."""

    __slots__ = ()


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Every character md_escape may change: those it escapes, "&" and str.splitlines' line breaks.
_MD_TOUCHED = re.compile(r"[\\`*_\[\]<>|~&\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def md_escape(value: object) -> MdSafe:
    """Escape ledger text for a Markdown table cell or line: `|` and `*` in a title
    cannot break a table or start emphasis; line breaks become spaces."""
    if isinstance(value, MdSafe):
        return value
    text = "" if value is None else str(value)
    if _MD_TOUCHED.search(text) is None:  # most text: nothing to do
        return MdSafe(text)
    text = " ".join(text.splitlines())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    return MdSafe(text)


def _md_finalize(value: object) -> object:
    if value is None:
        return ""
    if type(value) is str:  # the common case, checked first: printed as is unless it must change
        value = printable(value)
        return value if _MD_TOUCHED.search(value) is None else md_escape(value)
    if isinstance(value, str) and not isinstance(value, MdSafe):
        return md_escape(printable(value))
    return _printable_finalize(value)


def _printable_finalize(value: object) -> object:
    """Every printed value without control characters (issue 14.4): in Word they are not
    XML, and docxtpl's recovering parser then drops `&<>` from the rest of the document;
    "\a" is its paragraph break. Text marked safe keeps its mark."""
    if isinstance(value, str) and has_unprintable(value):
        cleaned = printable(value)
        if isinstance(value, (MdSafe, Markup)):
            return type(value)(cleaned)
        return cleaned
    return value


# ---------------------------------------------------------------------------
# Filters shared by Markdown and Word


def _cn_date(d: date | None, lang: str = "zh") -> str:
    if d is None:
        return "—"
    return d.isoformat() if lang == "en" else f"{d.year}年{d.month}月{d.day}日"


def _short_date(d: date | None, lang: str = "zh") -> str:
    if d is None:
        return "—"
    return d.strftime("%m-%d") if lang == "en" else f"{d.month}月{d.day}日"


def _tdate(d: date | None, year: int | None = None) -> str:
    """A date for a table cell: 9月30日 within `year`, 2025年9月30日 outside it."""
    if d is None:
        return "—"
    if year is not None and d.year == year:
        return f"{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


def _num(x: float | int | None) -> str:
    if x is None:
        return "—"
    if float(x).is_integer():
        return str(int(x))
    return f"{x:.1f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else _num(x) + "%"


def _delta(n: int | None, unit: str = "项", lang: str = "zh") -> str:
    """增加3项 / 减少2项 / 持平 (en: +3 / -2 / unchanged)."""
    if n is None:
        return "—"
    if lang == "en":
        return "unchanged" if n == 0 else f"{n:+d}"
    if n == 0:
        return "持平"
    return f"增加{n}{unit}" if n > 0 else f"减少{-n}{unit}"


def _points(x: float | None, lang: str = "zh") -> str:
    """提高2.5个百分点 / 下降1个百分点 / 持平."""
    if x is None:
        return "—"
    if lang == "en":
        return "unchanged" if x == 0 else f"{x:+.1f} points"
    if x == 0:
        return "持平"
    return f"提高{_num(x)}个百分点" if x > 0 else f"下降{_num(-x)}个百分点"


def _signed(x: float | int | None) -> str:
    if x is None:
        return "—"
    return ("+" if x > 0 else "") + _num(x)


FILTERS: dict[str, Callable[..., Any]] = {
    "cn_date": _cn_date,
    "short_date": _short_date,
    "tdate": _tdate,
    "num": _num,
    "pct": _pct,
    "signed": _signed,
    "delta": _delta,
    "points": _points,
    "cn_num": cn_numeral,
}


def environment(
    *, markdown: bool = False, loader_dirs: list[Path] | None = None, sandboxed: bool = True
) -> Environment:
    """A Jinja2 environment with StrictUndefined and sanzhua's filters; sandboxed unless
    `sandboxed` is False (only for the built-in templates: see `is_builtin`).

    For Markdown, every printed string is escaped unless it went through `|md`
    already (autoescape for Markdown); Word output uses XML autoescape instead,
    switched on by docxtpl.
    """
    from jinja2 import FileSystemLoader

    env = (SandboxedEnvironment if sandboxed else Environment)(
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        loader=FileSystemLoader([str(d) for d in loader_dirs]) if loader_dirs else None,
        finalize=_md_finalize if markdown else _printable_finalize,
    )
    env.filters.update(FILTERS)
    if markdown:
        env.filters["md"] = md_escape
    return env
