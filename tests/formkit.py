"""Helpers for the 进展填报表 tests: the bundled ledger in a real git repository, a clerk
filling a form with openpyxl, LibreOffice re-saving it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 11, 25)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "督查室",
    "GIT_AUTHOR_EMAIL": "ducha@example.gov.cn",
    "GIT_COMMITTER_NAME": "督查室",
    "GIT_COMMITTER_EMAIL": "ducha@example.gov.cn",
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    ).stdout


def bundled_repo(tmp_path: Path, name: str = "ledger") -> Path:
    """A copy of the bundled ledger, committed in a new git repository."""
    root = tmp_path / name
    root.mkdir()
    for f in ("sanzhua.yaml", "units.yaml", "calendar.yaml"):
        if (REPO / f).exists():
            shutil.copy(REPO / f, root / f)
    shutil.copytree(REPO / "ledgers", root / "ledgers")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "init")
    return root


def make_form(root: Path, unit: str, path: Path, as_of: date = AS_OF, lang: str | None = None) -> str:
    from sanzhua.commands.form import form

    out = io.StringIO()
    code = form(root, as_of=as_of, unit=unit, output=path, lang=lang, out=out)
    assert code == 0, out.getvalue()
    return out.getvalue()


def header_columns(ws: Any) -> dict[str, int]:
    return {str(c.value): c.column for c in ws[3] if c.value is not None}


def row_of(ws: Any, task_id: str) -> int:
    for r in range(4, ws.max_row + 1):
        if ws.cell(r, 2).value == task_id:
            return r
    raise KeyError(task_id)


def fill(src: Path, dst: Path, cells: dict[tuple[str, str], object], sheet: str = "进展填报") -> None:
    """Fill a form as a clerk would: {(task id, column header): value}; a datetime for dates."""
    import openpyxl

    wb = openpyxl.load_workbook(src)
    ws = wb[sheet]
    cols = header_columns(ws)
    for (tid, header), value in cells.items():
        ws.cell(row_of(ws, tid), cols[header]).value = value
    wb.save(dst)


def day(s: str) -> datetime:
    return datetime.fromisoformat(s)


def has_calc() -> bool:
    soffice = shutil.which("soffice")
    return soffice is not None and (Path(soffice).resolve().parent / "libsclo.so").exists()


def soffice_convert(src: Path, outdir: Path, target: str, profile: Path) -> Path:
    """`soffice --headless --convert-to TARGET`; the converted file."""
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{profile}",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(src),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    ext = target.split(":")[0]
    out = outdir / (src.stem + "." + ext)
    assert out.exists(), f"soffice wrote no {out}"
    return out
