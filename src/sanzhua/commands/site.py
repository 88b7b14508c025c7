"""`sanzhua site -o DIR`: the ledger as a static web site (overview, units, tasks,
trends, the bulletin archive) that works offline, from a folder or any web server.

load → evaluate → group (sanzhua.site.data) → pages (sanzhua.site.build): this module
only gathers the inputs, refuses a ledger with errors unless told, and says what it wrote.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TextIO

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, open_ledger
from sanzhua.commands.log import Event, histories
from sanzhua.errors import FatalError
from sanzhua.evaluate import evaluate
from sanzhua.history.git import Repo
from sanzhua.load import Ledger
from sanzhua.site import build as B
from sanzhua.site.text import WORDS, Lang
from sanzhua.site.trends import trend


def _errors(ledger: Ledger) -> tuple[int, list[str]]:
    found = [*ledger.problems, *(p for f in ledger.files for p in f.problems)]
    errors = [p for p in found if p.severity == "error"]
    return len(errors), sorted({p.file for p in errors})


def _git(ledger: Ledger, notes: list[str]) -> tuple[dict[str, list[Event]] | None, str]:
    """Every task's events and the commit the site is built from; (None, "") outside git."""
    try:
        repo = Repo(ledger.root)
    except FatalError:
        return None, ""
    try:
        if not repo.has_commits():
            return {}, ""
        head = repo.git("rev-parse", "--short=10", "HEAD").decode().strip()
        dirty = repo.git("status", "--porcelain", "--", ".").strip() != b""
    finally:
        repo.close()
    return histories(ledger.root), head + ("+" if dirty else "")


def site(
    root: Path | None,
    *,
    as_of: date,
    output: Path,
    lang: str | None = None,
    allow_errors: bool = False,
    history: bool = True,
    out: TextIO | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> int:
    """Build the site into `output`; 1 (and nothing written) when the ledger has errors,
    unless `allow_errors`, when every page says which files were left out."""
    stream = out or sys.stdout
    t0 = clock()
    opened = open_ledger(root, lang)
    ledger, chosen = opened.ledger, opened.lang
    lang_: Lang = chosen
    n_errors, files = _errors(ledger)
    zh = lang_ == "zh"
    if n_errors and not allow_errors:
        sys.stderr.write(
            (
                f"台账有 {n_errors} 处错误（{'、'.join(files)}），未生成网站。\n"
                "  请先运行 sanzhua check 修正；或加 --allow-errors 生成，每页都会注明未计入的文件。\n"
            )
            if zh
            else (
                f"the ledger has {n_errors} errors ({', '.join(files)}): no site written.\n"
                "  Run sanzhua check and fix them, or pass --allow-errors: every page then names the files left out.\n"
            )
        )
        return EXIT_PROBLEMS
    notes: list[str] = []
    events, commit = _git(ledger, notes) if history else (None, "")
    info = B.SiteInfo(
        name=ledger.settings.name,
        office=ledger.settings.office or "",
        as_of=as_of,
        lang=lang_,
        commit=commit,
        errors=WORDS["errors_banner"][0 if zh else 1].format(
            n=n_errors, files="、".join(files) if zh else ", ".join(files)
        )
        if n_errors
        else "",
    )
    evaluation = evaluate(ledger, as_of)
    counted: list[int] = []

    def core(wr: B.Writer) -> None:
        ov = B.write_core(wr, ledger, evaluation, events, lang_)
        counted.append(len(ov.tasks))
        B.write_trends(wr, ov, trend(ledger, as_of, use_git=history))

    built = B.build(output, info, [core])
    seconds = clock() - t0
    stream.write(
        (
            f"网站已生成：{built.folder}（{built.pages} 页，{counted[0]} 项任务，{seconds:.1f} 秒）\n"
            f"  用浏览器打开 {built.folder / 'index.html'}\n"
        )
        if zh
        else (
            f"site written: {built.folder} ({built.pages} pages, {counted[0]} tasks, {seconds:.1f} s)\n"
            f"  open {built.folder / 'index.html'} in a browser\n"
        )
    )
    for note in notes:
        sys.stderr.write(note + "\n")
    return EXIT_OK
