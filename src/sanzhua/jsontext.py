"""`json.dumps(value, ensure_ascii=False, indent=2)`, the same text, several times faster.

Python's json module encodes in C only without `indent`; with it, a generator per level
in Python yields every token, which took seconds for the 15 MB of `score --format json`
on 20,000 tasks (issue 17). `dumps` here walks the value once, lays out containers as
the module does (two spaces a level, ", " never, ": " after keys, "[]" and "{}" when
empty) and leaves strings to the module's C escaper. Anything it does not know (a
subclass it cannot vouch for, a key that is not a string, a float that is not finite)
goes to `json.dumps` itself, so the text is always the module's.
"""

from __future__ import annotations

import codecs
import contextlib
import json
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring  # the C escaper, where the interpreter has it
from typing import Any

_INDENT = "  "
_CHUNK = 50_000  # pieces joined into one string at a time: a big value is never a list of
# millions of small strings (100,000 tasks' scoreboard would be a gigabyte of them)


class Items:
    """A JSON array made item by item when written, never held whole: `make` gives the
    items (called once). The text is that of the list of them."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Iterable[object]]) -> None:
        self.make = make


def _default(o: object) -> object:
    if isinstance(o, Items):
        return list(o.make())
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


class _Unknown(Exception):
    """A value `dumps` leaves to the json module."""


def dumps(value: object, end: str = "") -> str:
    """The text of json.dumps(value, ensure_ascii=False, indent=2), and `end`."""
    try:
        out: list[str] = []
        chunks: list[str] = []
        _value(value, "\n", out, chunks)
        chunks.append("".join(out))
        chunks.append(end)
        out.clear()
        return "".join(chunks)
    except (_Unknown, RecursionError):
        return json.dumps(value, ensure_ascii=False, indent=2, default=_default) + end


def _value(v: Any, nl: str, out: list[str], chunks: list[str]) -> None:
    """Append v's text; `nl` is a line break and the indentation of v's own line."""
    if len(out) > _CHUNK:
        chunks.append("".join(out))
        out.clear()
    t = type(v)
    if t is str:
        out.append(encode_basestring(v))
    elif t is dict:
        if not v:
            out.append("{}")
            return
        inner = nl + _INDENT
        sep = "{" + inner
        for k, x in v.items():
            if type(k) is not str:
                raise _Unknown
            out.append(sep)
            out.append(encode_basestring(k))
            out.append(": ")
            _value(x, inner, out, chunks)
            sep = "," + inner
        out.append(nl + "}")
    elif t is list or t is tuple or t is Items:
        inner = nl + _INDENT
        sep = "[" + inner
        for x in v.make() if t is Items else v:
            out.append(sep)
            _value(x, inner, out, chunks)
            sep = "," + inner
        out.append("[]" if sep[0] == "[" else nl + "]")
    elif v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif t is int:
        out.append(int.__repr__(v))
    elif t is float:
        if v != v or v in (float("inf"), float("-inf")):
            raise _Unknown
        out.append(float.__repr__(v))
    else:
        raise _Unknown


def _escaped(err: UnicodeError) -> tuple[str, int]:
    """A character the output's encoding lacks, as JSON's own escape (`\\u00e9`, a
    surrogate pair beyond the BMP): the text stays JSON, and says what the ledger says."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out: list[str] = []
    for ch in err.object[err.start : err.end]:
        c = ord(ch)
        if c > 0xFFFF:
            c -= 0x10000
            out.append(f"\\u{0xD800 | (c >> 10):04x}\\u{0xDC00 | (c & 0x3FF):04x}")
        else:
            out.append(f"\\u{c:04x}")
    return "".join(out), err.end


codecs.register_error("sanzhua.json", _escaped)


def escape_unencodable(stream: object) -> None:
    """JSON on an output whose encoding is not UTF's (a console or file in GBK; ASCII): what
    it cannot encode is written as JSON escapes, where the terminal's "?" stood for it and
    the JSON lost an emoji or a rare character (Ext-B) of a title (issue 14)."""
    encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and not encoding.startswith("utf"):
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="sanzhua.json")
