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
import operator
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from types import ModuleType
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound, pass_environment
from jinja2.exceptions import SecurityError
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from sanzhua.errors import FatalError
from sanzhua.i18n import Lang, say
from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.periods import cn_numeral
from sanzhua.problems import msg
from sanzhua.textsafe import DOCUMENT_UNSAFE_CHARS, document_text, has_document_unsafe


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


@dataclass(frozen=True)
class Source:
    """A template found and read: where it is, its bytes, and whether it is sanzhua's own."""

    path: Path
    data: bytes
    builtin: bool


def read_template(name: str, ledger_root: Path | None) -> Source:
    """The ledger's `templates/<name>` (read safely) if there is one, else the built-in."""
    if ledger_root is not None:
        own = ledger_root / "templates" / name
        if os.path.lexists(own):
            data = _read_own(own, ledger_root)
            if data is not None:
                return Source(own, data, is_builtin(own))
    path = builtin_dir() / name
    if not path.is_file():
        raise FatalError(
            msg("template.missing", name=name, folder=builtin_dir()), msg("template.missing.hint", folder="templates/")
        )
    return Source(path, path.read_bytes(), True)


def _read_own(path: Path, root: Path) -> bytes | None:
    """A ledger template's bytes (None if it vanished); a refusal for an unsafe one."""
    try:
        return read_inside(path, root, max_bytes=MAX_TEMPLATE_BYTES)
    except FileNotFoundError:
        return None
    except UnsafeFile as e:
        rel = path.relative_to(root).as_posix()
        m = msg(f"unsafe.{e.reason}", path=rel, detail=e.detail, limit=MAX_TEMPLATE_BYTES >> 20)
        raise FatalError(msg("template.unsafe", what=m), msg("template.unsafe.hint", folder="templates/")) from None


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
# Those, or a character `document_text` removes: text with none is printed as it is, found
# with one search instead of two (a bulletin prints 300,000 values at 20,000 tasks, issue 17).
_MD_OR_UNPRINTABLE = re.compile(
    "[\\\\`*_\\[\\]<>|~&\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff\u202a-\u202e\u2066-\u2069]"
)


# What starts a block when a value begins a line (a unit's name before its table, a title
# after "3. "): a heading "# ", a list item "- ", "+ " or "1. " (issue 14). A backslash
# before its mark keeps it text; `*`, `_`, `>`, `<`, backticks and `~` are escaped wherever
# they stand. A value that is a whole line of "---" or "===" (a rule, a setext underline)
# is left as it is: no built-in template prints a value alone on a line, and a ledger's own
# template may print `{{ '-' * 3 }}` for its rule.
_BLOCK_START = re.compile(r"[ \t]*(?:(#)#{0,5}(?:[ \t]|$)|([-+])(?:[ \t]|$)|\d{1,9}([.)])(?:[ \t]|$))")
_LEAD_CHARS = frozenset("#-+=0123456789 \t")
_BLOCK_MATCH = _BLOCK_START.match
_DIGITS = frozenset("0123456789")


def _block_start_escaped(text: str) -> str:
    """`text` with a backslash before the mark that would make it start a block."""
    m = _BLOCK_START.match(text)
    if m is None:
        return text
    at = next(m.start(g) for g in range(1, 4) if m.start(g) >= 0)
    return text[:at] + "\\" + text[at:]


def md_escape(value: object) -> MdSafe:
    """Escape ledger text for a Markdown table cell or line: `|` and `*` in a title
    cannot break a table or start emphasis, nor "# " a heading; line breaks become spaces."""
    if isinstance(value, MdSafe):
        return value
    text = "" if value is None else str(value)
    if _MD_TOUCHED.search(text) is None:  # most text: nothing to do
        return MdSafe(_block_start_escaped(text) if text[:1] in _LEAD_CHARS else text)
    text = " ".join(text.splitlines())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = _ENTITY.sub(r"\\&", text)
    return MdSafe(_block_start_escaped(text) if text[:1] in _LEAD_CHARS else text)


def _md_finalize(value: object) -> object:
    if value is None:
        return ""
    if type(value) is str:  # the common case, checked first: printed as is unless it must change
        if _MD_OR_UNPRINTABLE.search(value) is None:
            # A block's marks and digits are all below ">": one comparison passes text that
            # starts with a letter or a Han character (most); a date or a number sanzhua
            # wrote has no "." or ")" of a list's "1." (issue 17's pace).
            if value >= ">" or value[:1] not in _LEAD_CHARS:
                return value
            if value[:1] in _DIGITS and "." not in value and ")" not in value:
                return value
            return value if _BLOCK_MATCH(value) is None else md_escape(value)
        value = document_text(value)
        if _MD_TOUCHED.search(value) is None and _BLOCK_MATCH(value) is None:
            return value
        return md_escape(value)
    if isinstance(value, str) and not isinstance(value, MdSafe):
        return md_escape(document_text(value))
    return _printable_finalize(value)


def md_cell(value: object) -> str:
    """`{{ value }}` in a Markdown template: what the environment prints for it."""
    return str(_md_finalize(value))


def _printable_finalize(value: object) -> object:
    """Every printed value without control characters (issue 14.4): in Word they are not
    XML, and docxtpl's recovering parser then drops `&<>` from the rest of the document;
    "\a" is its paragraph break. Nor a bidirectional control (textsafe.document_text): an
    unclosed override reversed the rest of its line. Text marked safe keeps its mark."""
    if isinstance(value, str) and has_document_unsafe(value):
        cleaned = document_text(value)
        if isinstance(value, (MdSafe, Markup)):
            return type(value)(cleaned)
        return cleaned
    return value


# Line breaks in a printed value: docxtpl makes each a Word line break (`w:br`), and Word
# stretches a justified line that ends in one across the whole line (a title written over two
# lines read "项 目 前 期 工 作" in its cell). The Markdown bulletin joins them (md_escape).
_WORD_UNSAFE = re.compile(f"[{DOCUMENT_UNSAFE_CHARS}\n\r\u2028\u2029]")


def _word_finalize(value: object) -> object:
    """A value printed in Word: as `_printable_finalize`, and its lines joined as the
    Markdown joins them (one space), so no line of a justified paragraph ends in a break."""
    if type(value) is str:
        if _WORD_UNSAFE.search(value) is None:
            return value
        return " ".join(document_text(value).splitlines())
    return _printable_finalize(value)


# ---------------------------------------------------------------------------
# Filters shared by Markdown and Word


def _lang(lang: str) -> Lang:
    """A template's `lang` argument (any text) as a language: English, or else Chinese."""
    return "en" if lang == "en" else "zh"


# A bulletin prints the same few hundred dates tens of thousands of times (issue 17):
# each date's words are worked out once per language. Bounded: cleared when full. Only a
# `date` itself is remembered (a datetime equals its date but is not one).
_DATES: dict[tuple[date, str, bool], str] = {}
_DATES_KEPT = 20_000


def _cn_date(d: date | None, lang: str = "zh") -> str:
    return _date_words(d, lang, True)


def _short_date(d: date | None, lang: str = "zh") -> str:
    return _date_words(d, lang, False)


def _date_words(d: date | None, lang: str, long: bool) -> str:
    """A date's words (`template.date.long` or `.short`), remembered in _DATES."""
    if d is None:
        return "—"
    key = (d, lang, long)
    remember = type(d) is date and type(lang) is str
    got = _DATES.get(key) if remember else None
    if got is None:
        if long:
            got = say("template.date.long", _lang(lang), iso=d.isoformat(), year=d.year, month=d.month, day=d.day)
        else:
            got = say("template.date.short", _lang(lang), month_day=d.strftime("%m-%d"), month=d.month, day=d.day)
        if remember:
            if len(_DATES) >= _DATES_KEPT:
                _DATES.clear()
            _DATES[key] = got
    return got


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
    if n == 0:
        return say("template.unchanged", _lang(lang))
    key = "template.delta.up" if n > 0 else "template.delta.down"
    return say(key, _lang(lang), n=abs(n), unit=unit, signed=f"{n:+d}")


def _points(x: float | None, lang: str = "zh") -> str:
    """提高2.5个百分点 / 下降1个百分点 / 持平."""
    if x is None:
        return "—"
    if x == 0:
        return say("template.unchanged", _lang(lang))
    key = "template.points.up" if x > 0 else "template.points.down"
    return say(key, _lang(lang), n=_num(abs(x)), signed=f"{x:+.1f}")


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


# ---------------------------------------------------------------------------
# Limits on a ledger's own templates (issue 14.7): data an office edits must not be
# able to exhaust the machine. The sandbox already refuses `range()` over 100,000
# items and every private attribute; on top of that:

MAX_TEMPLATE_BYTES = 4 * 1024 * 1024  # a template file (a .docx with pictures is ~100 KB)
MAX_TEXT = 1_000_000  # characters (or items) one `*` / `+` / `%` / call may produce
MAX_NUMBER = 1_000_000  # the largest number a call into a string method may take (a width)
MAX_OUTPUT = 64 * 1024 * 1024  # characters of rendered output
MAX_SECONDS = 15  # wall time of one render (signal-based, in the main thread)
MAX_EXTRA_MEMORY = 1 << 30  # address space a render may add (RLIMIT_AS, Linux)
MAX_DOCX_UNPACKED = 256 * 1024 * 1024  # a .docx template's parts, uncompressed
MAX_INT_BITS = 64 * 1024  # a number `**` or `*` may build (about 20,000 digits)
_BIG_WIDTH = re.compile(r"%[-+ #0]*(?:\*|\d{7,})|\{[^{}]*(?::[^{}]*\d{7,})[^{}]*\}")


class TemplateLimit(SecurityError):
    """A user template went past one of the limits above."""


class LimitedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox with bounds on what one expression may build and on the
    objects a template may touch (no paths, files or modules at all)."""

    intercepted_binops = frozenset(["*", "**", "+", "%", "//"])

    def call_binop(self, context: Any, op: str, left: Any, right: Any) -> Any:
        if op == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple | bytes) and isinstance(n, int) and len(seq) * n > MAX_TEXT:
                    raise TemplateLimit(f"'{op}' would build {len(seq) * n} items (the limit is {MAX_TEXT})")
            if _ints(left, right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise TemplateLimit("a product too large a number")  # one such product is seconds of C
        elif op == "**" and _ints(left, right) and abs(left) > 1 and right > 0:
            if max(left.bit_length(), 1) * right > MAX_INT_BITS:
                raise TemplateLimit(f"{left} ** {right} is too large a number")
        elif op == "+" and _seqs(left, right) and len(left) + len(right) > MAX_TEXT:
            raise TemplateLimit(f"'+' would build {len(left) + len(right)} items (the limit is {MAX_TEXT})")
        elif op == "%" and isinstance(left, str) and _BIG_WIDTH.search(left):
            raise TemplateLimit("a format width over 6 digits")
        try:
            return _BINOPS[op](left, right)
        except (OverflowError, MemoryError) as e:
            raise TemplateLimit(f"'{op}': {type(e).__name__}") from None

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        for v in (*args, *kwargs.values()):
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_NUMBER:
                raise TemplateLimit(f"a number over {MAX_NUMBER} passed to {getattr(__obj, '__name__', 'a call')}")
            if isinstance(v, str) and len(v) > MAX_TEXT:
                raise TemplateLimit(f"a text over {MAX_TEXT} characters passed to a call")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and _BIG_WIDTH.search(owner) and getattr(__obj, "__name__", "") in _FORMATS:
            raise TemplateLimit("a format width over 6 digits")
        return super().call(__context, __obj, *args, **kwargs)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath | ModuleType) or isinstance(value, ModuleType) or hasattr(obj, "fileno"):
            return False
        if callable(value) and attr in _UNSAFE_CALLS:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def is_safe_callable(self, obj: Any) -> bool:
        if getattr(obj, "__module__", None) in _UNSAFE_MODULES or obj in (open, exec, eval, compile, __import__):
            return False
        return bool(super().is_safe_callable(obj))


_FORMATS = ("format", "format_map")


def _ints(a: object, b: object) -> bool:
    return isinstance(a, int) and isinstance(b, int)


def _seqs(a: object, b: object) -> bool:
    return isinstance(a, str | list | tuple) and isinstance(b, str | list | tuple)


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "*": operator.mul,
    "**": operator.pow,
    "+": operator.add,
    "%": operator.mod,
    "//": operator.floordiv,
}
_UNSAFE_CALLS = frozenset(
    {"open", "read_text", "read_bytes", "write_text", "write_bytes", "unlink", "rmdir", "mkdir", "touch", "chmod"}
    | {"symlink_to", "hardlink_to", "iterdir", "glob", "rglob", "readlink", "system", "popen", "fileno"}
)
_UNSAFE_MODULES = frozenset({"os", "posix", "io", "_io", "pathlib", "shutil", "subprocess", "builtins", "sys"})


@pass_environment
def _bounded_sum(environment: Environment, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
    """Jinja's `|sum`, but lists, tuples or texts added up one at a time in Python, each
    sum bounded by MAX_TEXT: Python's sum() of a thousand lists of a thousand copies
    every partial sum in one C call, quadratic, that no time limit can stop (a 2,000 x
    2,000 `|sum(start=[])` took 54 s). Numbers are summed as before."""
    if attribute is not None:
        # lazy: Jinja's own helper, as its sum filter uses it
        from jinja2.filters import make_attrgetter

        iterable = map(make_attrgetter(environment, attribute), iterable)
    if not isinstance(start, str | list | tuple | bytes):
        return sum(iterable, start)
    total = start
    for item in iterable:
        if isinstance(item, str | list | tuple | bytes) and len(total) + len(item) > MAX_TEXT:
            raise TemplateLimit(f"|sum would build more than {MAX_TEXT} items")
        total = total + item
    return total



def _wrap_filter(f: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A built-in filter whose numbers and result are bounded (center(10**10) would
    build ten gigabytes before anything could stop it)."""

    def bounded(*args: Any, **kwargs: Any) -> Any:
        for v in (*args[1:], *kwargs.values()):
            if isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_NUMBER:
                raise TemplateLimit(f"a number over {MAX_NUMBER} passed to |{name}")
        out = f(*args, **kwargs)
        if isinstance(out, str) and len(out) > MAX_OUTPUT:
            raise TemplateLimit(f"|{name} built more than {MAX_OUTPUT} characters")
        return out

    for attr in ("jinja_pass_arg",):  # Jinja's markers (pass_context ...) must survive
        if hasattr(f, attr):
            setattr(bounded, attr, getattr(f, attr))
    return bounded


class _TimeUp(Exception):
    pass


@contextmanager
def limits(name: str) -> Iterator[None]:
    """Run a user template's render under a time limit (SIGALRM, main thread only) and
    an address-space limit (RLIMIT_AS, Linux); either is a refusal naming `name`."""
    timer = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    old_handler: Any = None
    old_as: tuple[int, int] | None = None
    if timer:

        def up(signum: int, frame: object) -> None:
            raise _TimeUp

        old_handler = signal.signal(signal.SIGALRM, up)
        signal.setitimer(signal.ITIMER_REAL, MAX_SECONDS)
    try:
        # lazy: POSIX only
        import resource  # Unix only: where it is missing, templates run with no memory cap

        size = _address_space()
        if size:
            old_as = resource.getrlimit(resource.RLIMIT_AS)
            cap = size + MAX_EXTRA_MEMORY
            hard = old_as[1]
            if hard == resource.RLIM_INFINITY or cap < hard:
                if old_as[0] == resource.RLIM_INFINITY or cap < old_as[0]:
                    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
                else:
                    old_as = None
            else:
                old_as = None
    except (ImportError, OSError, ValueError):
        old_as = None
    try:
        yield
    except _TimeUp:
        raise _refusal(name, "template.limit.time", seconds=MAX_SECONDS) from None
    except MemoryError:
        raise _refusal(name, "template.limit.memory") from None
    except TemplateLimit as e:
        raise _refusal(name, "template.limit.other", detail=e) from None
    except (OverflowError, RecursionError) as e:
        raise _refusal(name, "template.limit.other", detail=f"{type(e).__name__}: {e}") from None
    finally:
        if timer:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_handler)
        if old_as is not None:
            # lazy: POSIX only
            import resource

            resource.setrlimit(resource.RLIMIT_AS, old_as)


def _address_space() -> int:
    if not sys.platform.startswith("linux"):
        return 0
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def own_template_failed(path: Path, e: BaseException, hint: str, *, at_line: bool = True) -> FatalError:
    """A ledger's own template raised `e` while it was read or rendered (a division by
    zero, a number too long to print, a part missing from its .docx, XML it cannot parse):
    a refusal naming the template and, when the error arose in the template's own code,
    its line (issue 14: never an internal error). A .docx template's line is of its
    rendered XML, which no one editing it in Word sees: `at_line` False leaves it out."""
    line = 0
    tb = e.__traceback__ if at_line else None
    while tb is not None:  # Jinja gives its templates' frames their file name and line
        if tb.tb_frame.f_code.co_filename in ("<template>", str(path)):
            line = tb.tb_lineno
        tb = tb.tb_next
    error = f"{type(e).__name__}: {e}"[:300]
    folder = "templates/"
    if line:
        return FatalError(msg("template.error-at", path=path, line=line, error=error), msg(hint, folder=folder))
    return FatalError(msg("template.error", path=path, error=error), msg(hint, folder=folder))


def _refusal(name: str, key: str, /, **args: object) -> FatalError:
    """A template stopped at a limit: `key` (template.limit.*) says which."""
    return FatalError(
        msg("template.stopped", name=name, why=msg(key, **args)), msg("template.stopped.hint", folder="templates/")
    )


class SafeLoader(BaseLoader):
    """Templates for `{% include %}` and `{% extends %}`, read like every ledger file
    (sanzhua.load.safe): regular files inside `boundary`, never through a link out."""

    def __init__(self, folders: list[Path], boundary: Path | None) -> None:
        self.folders = folders
        self.boundary = boundary

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)  # refuses ".."
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            if self.boundary is None:
                data = path.read_bytes()
            else:
                got = _read_own(path, self.boundary)
                if got is None:
                    continue
                data = got
            try:
                return data.decode("utf-8-sig"), str(path), lambda: True
            except UnicodeDecodeError:
                raise FatalError(msg("template.not-utf8", path=path), msg("template.not-utf8.hint")) from None
        raise TemplateNotFound(template)


def environment(
    *,
    markdown: bool = False,
    loader_dirs: list[Path] | None = None,
    sandboxed: bool = True,
    boundary: Path | None = None,
    word: bool = False,
) -> Environment:
    """A Jinja2 environment with StrictUndefined and sanzhua's filters; sandboxed unless
    `sandboxed` is False (only for the built-in templates: see `is_builtin`).

    For Markdown, every printed string is escaped unless it went through `|md`
    already (autoescape for Markdown); Word output (`word`) uses XML autoescape instead,
    switched on by docxtpl, and joins a value's lines (`_word_finalize`).
    """
    env = (LimitedSandbox if sandboxed else Environment)(
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        loader=SafeLoader(loader_dirs, boundary) if loader_dirs else None,
        finalize=_md_finalize if markdown else _word_finalize if word else _printable_finalize,
    )
    env.filters.update(FILTERS)
    if markdown:
        env.filters["md"] = md_escape
    if sandboxed:
        for name in _BOUNDED_FILTERS:
            if name in env.filters:
                env.filters[name] = _wrap_filter(env.filters[name], name)
        env.filters["sum"] = _bounded_sum
        env.globals.pop("lipsum", None)
    return env


_BOUNDED_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "replace", "join", "batch", "slice", "list")
