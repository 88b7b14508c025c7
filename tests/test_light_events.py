"""While the loader reads a file from libyaml's events, the binding makes each event in C
(a light event: `functools.partial` of its kind and the class's arguments) instead of
through PyYAML's Python event classes, a million `__init__` calls at 20,000 tasks
(issue 17). Held here: no Python event object is made while a ledger file is read; the
binding is left as it was, after a good file, a bad one and one handed to the composer;
and where the classes may not be replaced (another thread running) each event is
converted instead, to the same tree. tests/test_yamlfast_events.py holds the tree to the
composer's and the walker's."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml import _yaml as binding  # type: ignore[attr-defined]

from sanzhua.load import yamlfast
from sanzhua.load.yamlfast import parse
from tests.conftest import REPO
from tests.test_yamlfast_events import _composed, _seen

NAMES = ("ScalarEvent", "MappingStartEvent", "MappingEndEvent", "SequenceStartEvent", "SequenceEndEvent", "AliasEvent")


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8-sig") for p in sorted((REPO / "ledgers").rglob("*.yaml"))]


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """How many of PyYAML's Python event objects were made (their `__init__` counted)."""
    counts = dict.fromkeys(NAMES, 0)
    for name in NAMES:
        cls = getattr(yaml.events, name)
        real = cls.__init__

        def counted(self: Any, *args: Any, _real: Any = real, _name: str = name, **kw: Any) -> None:
            counts[_name] += 1
            _real(self, *args, **kw)

        monkeypatch.setattr(cls, "__init__", counted)
    yield counts


def _as_before() -> None:
    for name in NAMES:
        assert getattr(binding, name) is getattr(yaml.events, name), name


def test_a_ledger_file_is_read_without_python_event_objects(made: dict[str, int]) -> None:
    texts = _texts()
    assert len(texts) > 10
    for text in texts:
        doc = parse(text, "f.yaml", text.encode("utf-8"))
        assert doc.root is not None and not doc.problems
    assert made == dict.fromkeys(NAMES, 0)
    _as_before()
    # the binding itself is untouched: PyYAML's own loader still makes its classes
    assert yaml.load("a: [1, {b: c}]\n", Loader=yaml.CSafeLoader) == {"a": [1, {"b": "c"}]}
    assert made["ScalarEvent"] == 0  # CSafeLoader composes nodes without events
    loader = yaml.CSafeLoader("a: b\n")
    try:
        events = [loader.get_event() for _ in range(5)]
    finally:
        loader.dispose()
    assert isinstance(events[3], yaml.events.ScalarEvent) and events[3].value == "a"
    assert made["ScalarEvent"] == 2


def test_the_trees_are_made_without_their_init(monkeypatch: pytest.MonkeyPatch) -> None:
    """YMap and YSeq made and their three slots set by the reader, without a Python call
    each (100,000 mappings at 20,000 tasks): the same line, column and positions."""
    texts = _texts()
    want = [_seen(_composed(t, None)) for t in texts]
    inits = {"YMap": 0, "YSeq": 0}
    for cls in (yamlfast.YMap, yamlfast.YSeq):
        real = cls.__init__

        def counted(self: Any, line: int, col: int, _real: Any = real, _name: str = cls.__name__) -> None:
            inits[_name] += 1
            _real(self, line, col)

        monkeypatch.setattr(cls, "__init__", counted)
    assert [_seen(parse(t, "f.yaml")) for t in texts] == want
    assert inits == {"YMap": 0, "YSeq": 0}
    assert yamlfast.YMap(3, 4).pos == {} and yamlfast.YSeq(3, 4).pos == []  # the class's own, as before


@pytest.mark.parametrize(
    "text",
    [
        "a: [\n",  # a syntax error, raised by libyaml in the middle of the events
        "a: &x 1\nb: *x\n",  # an anchor: handed to the composer
        "a: 1\na: 2\n",  # a key written twice: likewise
        "a: \"\\x01\"\n",  # an escape that makes a control character
        "x: " + "[" * 62 + "]" * 62 + "\n",  # nesting near the depth limit
    ],
)
def test_the_binding_is_left_as_it_was(text: str) -> None:
    fast = parse(text, "f.yaml")
    _as_before()
    assert _seen(fast) == _seen(_composed(text, None))


def test_with_another_thread_running_the_events_are_converted(made: dict[str, int], tmp_path: Path) -> None:
    texts = _texts()
    alone = [_seen(parse(t, "f.yaml")) for t in texts]
    assert made["ScalarEvent"] == 0
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        beside = [_seen(parse(t, "f.yaml")) for t in texts]
        _as_before()  # nothing replaced while another thread might read YAML
    finally:
        stop.set()
        other.join()
    assert made["ScalarEvent"] > 1000  # PyYAML's own objects, each converted
    assert beside == alone


def test_a_binding_that_cannot_be_replaced_is_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another PyYAML whose binding does not name the classes: converted, the same trees."""
    texts = _texts()
    alone = [_seen(parse(t, "f.yaml")) for t in texts]
    monkeypatch.setattr(yamlfast, "_patchable", None)
    monkeypatch.delattr(binding, "AliasEvent")
    assert [_seen(parse(t, "f.yaml")) for t in texts] == alone
    assert yamlfast._patchable is False


def test_the_parser_reads_its_positions_without_a_call_each(monkeypatch: pytest.MonkeyPatch) -> None:
    """A task's dates, status, lead, parent, milestones and progress entries are placed by
    their mapping's own positions (`pos[key][2:]`), not by a `value_pos` call each (five
    and more per task before): the same positions, held to the cache's and the checks'
    tests elsewhere; here, only where a value is looked at for another reason."""
    from sanzhua.load.ledgerfile import parse_ledger_bytes

    files = sorted((REPO / "ledgers").rglob("*.yaml"))
    want = [parse_ledger_bytes(p.read_bytes(), p.name, 2026) for p in files]
    calls = [0]
    real = yamlfast.YMap.value_pos

    def counted(self: Any, key: str) -> Any:
        calls[0] += 1
        return real(self, key)

    monkeypatch.setattr(yamlfast.YMap, "value_pos", counted)
    got = [parse_ledger_bytes(p.read_bytes(), p.name, 2026) for p in files]
    assert [(r.tasks, r.positions, r.problems) for r in got] == [(r.tasks, r.positions, r.problems) for r in want]
    tasks = sum(len(r.tasks) for r in got)
    assert tasks > 100 and calls[0] < tasks
