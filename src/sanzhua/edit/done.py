"""A task, or one of its milestones, marked done in the file's own words: what `sanzhua
done` writes, and `sanzhua collect` for a returned form's 完成日期 and 完成节点.

Each returns the test of the task read back after the edit (`session.verify` refuses a
change whose task does not say what was written)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sanzhua.edit import render as R
from sanzhua.edit.ops import Editor, set_key, set_scalar, style_of
from sanzhua.edit.tree import MappingNode, ScalarNode, entry, is_null
from sanzhua.load import keys as K
from sanzhua.model import Task

Ok = Callable[[Task | None], bool]


def mark_done(ed: Editor, node: MappingNode, style: str, day: date) -> Ok:
    """`done: day` on the task; a written `status:` that does not say done says it now, in
    the file's words (已完成 or done). A task without a `status:` (or with an empty one)
    stays so: its done date is what makes it done."""
    st = entry(node, R.names("status", K.TASK_KEYS))
    set_key(ed, node, "done", K.TASK_KEYS, R.TASK_ORDER, style, day.isoformat())
    if (
        st is not None
        and isinstance(st.value, ScalarNode)
        and not is_null(st.value)
        and K.STATUS_ALIASES.get(st.value.value.strip().lower(), K.STATUS_ALIASES.get(st.value.value.strip()))
        != "done"
    ):
        set_scalar(ed, st.value, st.key, K.in_style("done", K.STATUS_WORDS, K.is_chinese(st.value.value)))
    says = st is not None and not is_null(st.value)  # `status:` left empty says nothing: active

    def ok(t: Task | None) -> bool:
        return t is not None and t.done == day and (not says or t.status == "done")

    return ok


def mark_milestone_done(ed: Editor, milestone: MappingNode, name: str, style: str, day: date) -> Ok:
    """`done: day` on the milestone `name` (its mapping node), in its own keys' style."""
    set_key(
        ed,
        milestone,
        "done",
        K.MILESTONE_KEYS,
        tuple(K.MILESTONE_KEYS),
        style_of(milestone, K.MILESTONE_KEYS, style),
        day.isoformat(),
    )

    def ok(t: Task | None) -> bool:
        return t is not None and any(m.name == name and m.done == day for m in t.milestones)

    return ok
