"""Every text value sanzhua writes into a ledger file, emitted by PyYAML's emitter and read back.

One place decides how a value is written, for `new`, `progress`, `done`, `extend`,
`collect` and `import` alike (issue 16: the edit commands and the importer used to quote
by two sets of hand rules that disagreed). PyYAML's emitter picks the style — plain when
YAML reads the text back as that same text, single quotes when only quoting is needed,
double quotes with escapes for line breaks and control characters — with Chinese left as
it is (allow_unicode) and no line folding (a very wide width), so a clerk reads the file
as written. Two rules are added on top of the emitter's YAML 1.1 view:

- a plain value that a YAML 1.2 reader or an editor's linter would take as something
  other than text (`0o17`, `.5`, `2026-09-30 12:00`) is quoted too;
- a value is written on one line (double quotes when it holds line breaks), since edits
  insert whole lines.

Every emitted value is then read back with libyaml in each place it may stand (after
`key: `, inside `{…}` and inside `[…]`) and compared with the value; a value that does
not read back exactly raises `Unwritable`, and the command refuses instead of writing it.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from sanzhua.edit.errors import EditError
from sanzhua.edit.tree import MappingNode, ScalarNode, SequenceNode, compose
from sanzhua.problems import msg

__all__ = ["Unwritable", "day", "reads_back", "scalar"]

# What a YAML 1.1 or 1.2 reader (ruamel, PyYAML, an editor's linter) would not take as text.
NOT_TEXT = re.compile(
    r"""^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N
    |[-+]?(?:0|[1-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|[-+]?\.[0-9_]+(?:[eE][-+]?[0-9]+)?
    |0[0-7_]+|0o[0-7]+|0x[0-9a-fA-F_]+|0b[01_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)
    |[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$""",
    re.VERBOSE,
)

_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")  # what YAML reads as a line break
_WIDTH = 1 << 30  # no folding: one value, one line


class Unwritable(EditError):
    """A value the emitter could not write so that it reads back as itself (a lone
    surrogate, say): the command refuses, and says which value."""

    def __init__(self, value: str) -> None:
        shown = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in value[:60])
        super().__init__(msg("edit.unwritable", value=shown), msg("edit.unwritable.hint"))
        self.value = value


# libyaml's emitter (PyYAML's CSafeDumper) writes a one-line value in a seventh of the
# time; it writes printable text of the Basic Multilingual Plane exactly as PyYAML's own
# emitter does (tests/test_emit.py holds the two equal), but escapes an emoji or another
# character beyond it ("\U0001F600") where PyYAML writes the character: such text, and any
# with a character that is not printable, goes through PyYAML's emitter.
_C_DUMPER: type[yaml.SafeDumper] | None = getattr(yaml, "CSafeDumper", None)
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def dumper_for(value: str) -> type[yaml.SafeDumper]:
    """The emitter that writes `value`: libyaml's where it writes as PyYAML's does."""
    if _C_DUMPER is not None and value.isprintable() and _ASTRAL.search(value) is None:
        return _C_DUMPER
    return yaml.SafeDumper


def _emitted(value: str, flow: bool, style: str | None) -> str:
    """The value as PyYAML's emitter writes it as a mapping's value (block or flow)."""
    out = yaml.dump(
        {"k": value},
        Dumper=dumper_for(value),
        allow_unicode=True,
        width=_WIDTH,
        default_flow_style=flow,
        default_style=style,
        sort_keys=False,
    )
    head = ("{" if flow else "") + (f"{style}k{style}: " if style else "k: ")
    tail = ("}" if flow else "") + "\n"
    if not (out.startswith(head) and out.endswith(tail)):
        raise Unwritable(value)
    return out[len(head) : -len(tail)]


@lru_cache(maxsize=65536)
def scalar(value: str, flow: bool = True) -> str:
    """`value` as YAML text for one line: where it may stand in `{…}` or `[…]` as well as
    after `key: ` (`flow`, the default), or only after `key: ` in a block (`flow=False`).
    Raises `Unwritable` when no writing reads back as the value."""
    written = _emitted(value, flow, None)
    if written == value and NOT_TEXT.match(value):
        written = _emitted(value, flow, "'")
    if _BREAKS.search(written) or not reads_back(written, value, flow):
        written = _emitted(value, flow, '"')  # escapes for every break and control character
        if _BREAKS.search(written) or not reads_back(written, value, flow):
            raise Unwritable(value)
    return written


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def day(value: str, flow: bool = True) -> str:
    """A date as ledgers write them: `2026-09-30` plain (sanzhua reads every value as text
    and parses the date; a YAML 1.1 reader sees a date, which it is); any other spelling
    (`年底`, `2026年9月底`) as text, through `scalar`."""
    if _ISO_DAY.fullmatch(value) and reads_back(value, value, flow):
        return value
    return scalar(value, flow)


def reads_back(written: str, value: str, flow: bool = True) -> bool:
    """Whether `written` reads as `value` after `key: `, and (with `flow`) inside `{…}`
    next to another key and inside `[…]`."""
    docs = [f"k: {written}\n"]
    if flow:
        docs += [f"- {{k: {written}, j: 1}}\n", f"[{written}]\n"]
    for doc in docs:
        try:
            node = compose(doc)
        except yaml.YAMLError:
            return False
        if isinstance(node, MappingNode) and node.value:
            got = node.value[0][1]
        elif isinstance(node, SequenceNode) and len(node.value) == 1:
            first = node.value[0]
            got = first.value[0][1] if isinstance(first, MappingNode) and first.value else first
        else:
            return False
        if not isinstance(got, ScalarNode) or got.value != value:
            return False
    return True
