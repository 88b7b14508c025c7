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
