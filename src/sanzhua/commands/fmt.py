"""`sanzhua fmt`: the canonical layout of every ledger file; `--check` for pre-commit and CI."""

from __future__ import annotations

import os
import traceback
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from sanzhua.commands.common import EXIT_OK, EXIT_PROBLEMS, EditRun, lang_before_loading, ledger_root
from sanzhua.edit.fmt import format_bytes
from sanzhua.edit.lock import ledger_lock
from sanzhua.edit.session import Refused, commit_failure_text, commit_files, write_atomic
from sanzhua.edit.source import unified_diff
from sanzhua.errors import EXIT_CANNOT_RUN, FatalError
from sanzhua.history.git import GitError, run_git
from sanzhua.i18n import Lang, text
from sanzhua.load import Scan, frozen_gc, ledger_files, scan_ledger
from sanzhua.problems import msg

# The largest file fmt lays out (issue 14's bound: 30 s and 2 GB a run, on inputs under
# 10 MB). Laying out takes about 1 s of CPU and 100 MB per MB (libyaml's node tree, the
# layout's walks, the new text parsed again; 2-4 s per MB with the cycle collector
# running: bench/README.md, p-dense2); a unit's file is rarely over a few hundred KB.
MAX_FMT_BYTES = 10 * 1024 * 1024


class _TooBig(Exception):
    """The file is over MAX_FMT_BYTES and not known to be laid out already."""


def _formatted(scan: Scan, rel: str, data: bytes, normalize_dates: bool) -> tuple[bytes | None, str]:
    """`format_bytes` of one file, unless the cache says these very bytes are laid out
    already (with this year and this --normalize-dates): `fmt --check` in CI or a
    pre-commit hook then reads and digests each unchanged file, and lays out none.
    Raises _TooBig for a file over MAX_FMT_BYTES that the cache does not know."""
    year = scan.settings.year
    done: list[tuple[bytes | None, str]] = []

    def lay_out() -> bool:
        if len(data) > MAX_FMT_BYTES:
            raise _TooBig
        done.append(format_bytes(data, rel, year, normalize_dates, scan.result(rel)))
        return done[0][0] == data

    same = scan.store.memo(f"fmt:{year}:{int(normalize_dates)}:{rel}", data, lay_out)
    if done:
        return done[0]
    if same:
        return data, ""
    if len(data) > MAX_FMT_BYTES:
        raise _TooBig
    return format_bytes(data, rel, year, normalize_dates, scan.result(rel))


def fmt(
    run: EditRun,
    paths: list[Path] | None = None,
    *,
    check: bool = False,
    normalize_dates: bool = False,
) -> int:
    """Lay out ledger files canonically; with `check`, only report (exit 1 if any would change)."""
    root = ledger_root(run.root, run.lang)
    lock: AbstractContextManager[None] = nullcontext() if check or run.dry_run else ledger_lock(root)
    try:
        with lock:
            return _fmt(run, root, paths, check=check, normalize_dates=normalize_dates)
    except Refused as e:  # only taking the lock refuses here
        lang = lang_before_loading(root, run.lang)
        run.stderr().write(text(e.message, lang) + "\n")
        if e.hint is not None:
            run.stderr().write(text(e.hint, lang) + "\n")
        return EXIT_PROBLEMS


def _fmt(
    run: EditRun, root: Path, paths: list[Path] | None, *, check: bool, normalize_dates: bool
) -> int:
    with frozen_gc():
        # through the content-keyed parse cache; tasks built only when needed, and a file
        # over MAX_FMT_BYTES, which is not laid out, never parsed (a 40 MB file of 60,000
        # tasks was 9 s of CPU and 900 MB to be told it is too big; issue 14)
        scan = scan_ledger(root, defer=MAX_FMT_BYTES)
    try:
        return _fmt_files(run, scan, paths, check=check, normalize_dates=normalize_dates)
    finally:
        scan.save()


def _chosen(files: list[Path], paths: list[Path] | None, lang: Lang) -> list[Path]:
    """The ledger files named on the command line (all without a name)."""
    if not paths:
        return files
    chosen = {p.resolve() for p in paths}
    unknown = [p for p in chosen if p not in {f.resolve() for f in files}]
    if unknown:
        bad = unknown[0]
        if not bad.exists():
            raise FatalError(msg("fmt.no-file", file=bad), msg("fmt.no-file.hint"), lang=lang)
        raise FatalError(msg("fmt.not-ledger", file=bad), msg("fmt.not-ledger.hint", folder="ledgers/"), lang=lang)
    return [f for f in files if f.resolve() in chosen]


def _fmt_files(
    run: EditRun, scan: Scan, paths: list[Path] | None, *, check: bool, normalize_dates: bool
) -> int:
    lang: Lang = "en" if (run.lang or scan.settings.lang) == "en" else "zh"
    root = scan.root
    out, err = run.stdout(), run.stderr()
    files = _chosen(ledger_files(root), paths, lang)
    changed: list[tuple[str, bytes, bytes]] = []
    failed = 0
    broke = 0
    for path in files:
        rel = path.relative_to(root).as_posix()
        data = scan.sources.get(rel)  # what the loader read (a link out, a FIFO, a huge file: nothing)
        if data is None:
            failed += 1
            err.write(text(msg("fmt.invalid", file=rel), lang) + "\n")
            continue
        try:
            new, why = _formatted(scan, rel, data, normalize_dates)
        except _TooBig:
            failed += 1
            mb = f"{len(data) / 1024 / 1024:.1f}"
            err.write(text(msg("fmt.too-big", file=rel, mb=mb, limit=MAX_FMT_BYTES // 1024 // 1024), lang) + "\n")
            err.write(text(msg("fmt.too-big.hint"), lang) + "\n")
            continue
        except Exception as e:  # a defect of sanzhua: said as one, the file left alone, the others go on
            if os.environ.get("SANZHUA_DEBUG"):
                traceback.print_exc()
            broke += 1
            err.write(text(msg("fmt.bug", file=rel, detail=f"{type(e).__name__}: {e}"), lang) + "\n")
            continue
        if new is None:
            failed += 1
            if why == "odd-breaks":
                err.write(text(msg("fmt.odd-breaks", file=rel), lang) + "\n")
                err.write(text(msg("edit.odd-breaks.hint"), lang) + "\n")
            else:
                err.write(text(msg("fmt.invalid" if why == "invalid" else "fmt.unsafe", file=rel), lang) + "\n")
            continue
        if new != data:
            changed.append((rel, data, new))
    for rel, data, new in changed:
        out.write(unified_diff(data, new, rel, context=2))
    if broke:
        err.write(text(msg("fmt.bug.hint"), lang) + "\n")
    if check or run.dry_run:
        if changed:
            err.write(text(msg("fmt.check-fail", n=len(changed)), lang) + "\n")
        else:
            out.write(text(msg("fmt.ok", n=len(files) - failed), lang) + "\n")
        if broke:
            return EXIT_CANNOT_RUN
        return EXIT_PROBLEMS if (check and changed) or failed else EXIT_OK
    if run.commit and changed:
        r = run_git(root, "status", "--porcelain", "--", *(rel for rel, _, _ in changed))
        if r.returncode != 0 or r.stdout.strip():
            err.write(text(msg("edit.dirty", file=", ".join(rel for rel, _, _ in changed)), lang) + "\n")
            return EXIT_PROBLEMS
    for rel, data, new in changed:
        try:
            write_atomic(root / rel, new, data)
        except Refused as e:
            err.write(text(e.message, lang) + "\n")
            if e.hint is not None:
                err.write(text(e.hint, lang) + "\n")
            failed += 1
    written = [rel for rel, _, _ in changed]
    out.write(text(msg("fmt.changed", n=len(written)), lang) + "\n")
    if run.commit and written:
        subject = f"fmt: {written[0]}" if len(written) == 1 else f"fmt: {len(written)} ledger files"
        try:
            commit_files(root, written, subject)
        except GitError as e:
            err.write(commit_failure_text(e, lang))
            return EXIT_PROBLEMS
        out.write(text(msg("edit.committed", subject=subject), lang) + "\n")
    if broke:
        return EXIT_CANNOT_RUN
    return EXIT_PROBLEMS if failed else EXIT_OK
