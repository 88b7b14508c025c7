"""`sanzhua.model.builder`: a frozen dataclass with slots made from its fields' values in
order without its __init__ (issue 17: an evaluation makes a TaskState per task, a bulletin a
TaskLine per line). What it makes is the class's own constructor's object: equal, the same
fields, as frozen, and as hashable; and it refuses what it cannot make that way."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

import pytest

from sanzhua.evaluate import TaskState, _task_state, evaluate
from sanzhua.load import load_ledger
from sanzhua.model import builder
from sanzhua.report.brief import TaskLine, _task_line
from tests.test_site import _hostile


def _same(made: object, plain: object) -> None:
    assert type(made) is type(plain)
    assert made == plain
    assert hash(made) == hash(plain)
    for f in dataclasses.fields(plain):  # type: ignore[arg-type]
        assert getattr(made, f.name) is getattr(plain, f.name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.title = "changed"  # type: ignore[attr-defined]


def test_task_states_of_a_real_ledger(tmp_path: object) -> None:
    ledger = load_ledger(_hostile(tmp_path))  # type: ignore[arg-type]
    for at in (date(2026, 3, 1), date(2026, 6, 30), date(2026, 12, 31)):
        for ts in evaluate(ledger, at):
            values = [getattr(ts, f.name) for f in dataclasses.fields(TaskState)]
            made = _task_state(*values)
            plain = TaskState(*values)
            assert type(made) is type(plain) and made == plain and hash(made) == hash(plain)
            assert all(getattr(made, f.name) is v for f, v in zip(dataclasses.fields(TaskState), values, strict=True))
            with pytest.raises(dataclasses.FrozenInstanceError):
                made.light = "red"  # type: ignore[misc]


def test_task_lines() -> None:
    values = (3, "A-1", "题|目", "u1", "单位", "", "领导", "类", date(2026, 9, 30), None, 4, 12.5, None,
              None, None, date(2026, 9, 1), "note", ("overdue",), "逾期", "red", "红", 2)
    _same(_task_line(*values), TaskLine(*values))


def test_wrong_count_and_wrong_classes() -> None:
    with pytest.raises(TypeError):
        _task_line(1, "A-1")

    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(slots=True)
    class NotFrozen:
        a: int

    @dataclass(frozen=True, slots=True)
    class Posted:
        a: int
        b: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            pass

    for cls in (NoSlots, NotFrozen, Posted):
        with pytest.raises(TypeError):
            builder(cls)


def test_slots_other_than_the_fields_are_refused() -> None:
    """The maker is a twin class of the same slots, made a `cls` by `__class__` assignment:
    a class with a slot that is not a field (here `__weakref__`) is built with its own __init__."""

    @dataclass(frozen=True, slots=True, weakref_slot=True)
    class Weak:
        a: int

    with pytest.raises(TypeError):
        builder(Weak)


def test_the_maker_is_the_class_own_objects_equal() -> None:
    made = _task_line(*range(22))
    assert type(made) is TaskLine and made == TaskLine(*range(22))
    with pytest.raises(TypeError):
        _task_line(*range(23))
