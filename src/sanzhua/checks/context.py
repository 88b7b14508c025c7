"""What the checks see of a ledger (see sanzhua.checks for the scopes)."""

from __future__ import annotations

from datetime import date

from sanzhua.evaluate import Evaluation, evaluate
from sanzhua.load import SETTINGS_FILE, Ledger
from sanzhua.load.index import Dues
from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.load.yamlfast import decode, parse
from sanzhua.model import Task, TaskRow

_UNREAD = object()


class Context:
    """What the checks see. The full evaluation is computed only if a check asks.

    `rows` (the index of every task) and `dues` are the ledger's own unless given; they
    are given when `ledger` holds only some of the files (a re-check of the files that
    changed, sanzhua.commands.check).
    """

    def __init__(
        self, ledger: Ledger, as_of: date, rows: list[TaskRow] | None = None, dues: Dues | None = None
    ) -> None:
        self.ledger = ledger
        self.as_of = as_of
        self.rows = rows if rows is not None else ledger.rows
        self.dues = dues if dues is not None else ledger.dues
        self._evaluation: Evaluation | None = None
        self._settings_doc: object = _UNREAD

    @property
    def evaluation(self) -> Evaluation:
        if self._evaluation is None:
            self._evaluation = evaluate(self.ledger, self.as_of)
        return self._evaluation

    def settings_document(self) -> tuple[str, object] | None:
        """sanzhua.yaml's text and parsed document root (with positions), read once for the
        checks that point into it; None when it cannot be read."""
        if self._settings_doc is _UNREAD:
            self._settings_doc = None
            try:
                data = read_inside(self.ledger.root / SETTINGS_FILE, self.ledger.root)
            except (OSError, UnsafeFile):
                return None
            text, _ = decode(data, SETTINGS_FILE)
            if text is not None:
                self._settings_doc = (text, parse(text, SETTINGS_FILE).root)
        return self._settings_doc if isinstance(self._settings_doc, tuple) else None

    def position(self, task: Task, field: str, default: tuple[int, int]) -> tuple[int, int]:
        """Where `field` of a task stands in its file (`default` if not written)."""
        f = self.ledger.file(task.file)
        if f is not None:
            pos = f.positions_of(task).get(field)
            if pos is not None:
                return pos
        return default


def seen(rows: tuple[TaskRow, ...], dues: Dues) -> tuple[object, ...]:
    """What a file's tasks see of the rest of the ledger (what its cached results assume),
    as plain data (dates as day numbers), which the cache keeps as it is."""
    inherited = dues.inherited
    out: list[object] = []
    for r in rows:
        due = inherited.get((r.file, r.line))
        parent = dues.parent_due(r.parent) if r.parent else None
        out.append(
            (
                dues.is_first(r.id, r.file, r.line),
                None if due is None else (_day(due[0]), due[1]),
                None if parent is None else (parent[0], _day(parent[1])),
            )
        )
    return tuple(out)


def _day(d: date | None) -> int | None:
    return None if d is None else d.toordinal()
