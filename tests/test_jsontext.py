"""sanzhua.jsontext.dumps writes exactly what json.dumps(ensure_ascii=False, indent=2) writes
(issue 17: score's JSON through it), for random nested values and for what it hands back."""

from __future__ import annotations

import json
import random
from collections import OrderedDict
from typing import Any

import pytest

from sanzhua.jsontext import dumps

LEAVES: list[Any] = [
    None, True, False, 0, -5, 10**20, 1.5, -0.0, 1e-9, 3.0, 1e300, "",
    "a\"b\\c\n\t\x00\x1f\u2028 中文 😀", "</script>", "\ud800",
]


def _random(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 4 or r < 0.3:
        return rng.choice(LEAVES)
    if r < 0.65:
        return {rng.choice(["a", "中", "", 'k"', "\n"]) + str(i): _random(rng, depth + 1)
                for i in range(rng.randint(0, 4))}
    items = [_random(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return tuple(items) if rng.random() < 0.2 else items


def test_random_values_give_the_json_modules_text() -> None:
    rng = random.Random(17)
    for _ in range(5000):
        value = _random(rng)
        assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


@pytest.mark.parametrize(
    "value",
    [float("nan"), {"a": float("inf")}, {1: 2}, {None: 1}, OrderedDict(a=1), [True, 1, 1.0]],
)
def test_what_it_leaves_to_the_json_module(value: Any) -> None:
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)


def test_what_json_cannot_write_is_still_refused() -> None:
    with pytest.raises(TypeError):
        dumps({"a": object()})


def test_items_are_written_as_the_list_they_make() -> None:
    from sanzhua.jsontext import Items

    rows = [{"unit": f"u{i}", "entries": [{"points": -0.5, "text": "未报送"}] * (i % 3)} for i in range(50)]
    for value, plain in [
        ({"units": Items(lambda: iter(rows))}, {"units": rows}),
        ({"units": Items(lambda: iter(()))}, {"units": []}),
        ({"units": Items(lambda: iter(rows)), "bad": float("nan")}, {"units": rows, "bad": float("nan")}),
    ]:
        assert dumps(value, end="\n") == json.dumps(plain, ensure_ascii=False, indent=2) + "\n"


def test_a_value_of_millions_of_pieces_is_written_whole() -> None:
    value = [{"n": i, "s": "中" * (i % 7)} for i in range(60_000)]
    assert dumps(value) == json.dumps(value, ensure_ascii=False, indent=2)
