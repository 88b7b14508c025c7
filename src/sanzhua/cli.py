"""The command line: Typer at the edge, one thin wrapper per command.

Exit codes (stable): 0 success; 1 the ledger has errors (or what --fail-on names);
2 the command could not run (no ledger root, a bad option, an internal error).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
import typer.main

from sanzhua import __version__
from sanzhua.dates import DateError, parse_when
from sanzhua.errors import EXIT_CANNOT_RUN, FatalError, Refused
from sanzhua.lifetime import leave_quickly
from sanzhua.problems import msg
from sanzhua.textsafe import safe_terminal

# Each command imports its module (and clitext its help texts) inside the function that
# runs it, for start-up cost alone: a run loads the one command it runs, not all twenty
# with their libraries (rich, Jinja2, pydantic, openpyxl ...).

_APP_SETTINGS: dict[str, Any] = {
    "name": "sanzhua",
    "help": "sanzhua 三抓：督查督办台账工具 — a plain-text ledger for government task supervision.",
    "add_completion": False,
    "no_args_is_help": True,
    "rich_markup_mode": None,
    "pretty_exceptions_enable": False,
    "context_settings": {"help_option_names": ["-h", "--help"]},
}
app = typer.Typer(**_APP_SETTINGS)

T = TypeVar("T")

RootOpt = Annotated[
    Path | None,
    typer.Option("--root", help="Ledger root (default: the nearest folder above with sanzhua.yaml).", file_okay=False),
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Evaluate as of this date (default: today), e.g. 2026-11-25.")
]
LangOpt = Annotated[str | None, typer.Option("--lang", help="Message language: zh or en (default: the ledger's lang).")]

# The task filters of `status`, shared by the commands that select tasks the same way (export).
UnitFilterOpt = Annotated[
    list[str] | None, typer.Option("--unit", help="Only tasks led by (or shared with) this unit (id or name).")
]
LeaderFilterOpt = Annotated[
    str | None, typer.Option("--leader", help="Only tasks of this leader in charge (包抓领导).")
]
OwnerFilterOpt = Annotated[str | None, typer.Option("--owner", help="Only tasks of this responsible person (责任人).")]
StateFilterOpt = Annotated[
    list[str] | None, typer.Option("--state", help="Only tasks in this state (overdue, due_soon, ...).")
]
LightFilterOpt = Annotated[
    list[str] | None, typer.Option("--light", help="Only tasks with this light: red, yellow, green, done, none.")
]
CategoryFilterOpt = Annotated[
    str | None, typer.Option("--category", help="Only tasks whose category starts with this.")
]
TagFilterOpt = Annotated[list[str] | None, typer.Option("--tag", help="Only tasks with this tag.")]
# Complete or loud: every report refuses a ledger whose files lose tasks, unless this.
AllowErrorsOpt = Annotated[
    bool,
    typer.Option(
        "--allow-errors",
        help="Make the report even when ledger files have errors; it then says which tasks it left out.",
    ),
]
DueWithinOpt = Annotated[int | None, typer.Option("--due-within", help="Only open tasks due within N working days.")]


def _fail(e: FatalError) -> NoReturn:
    """Say why the command cannot run, in the run's language, and exit 2. A message that is
    still plain text written "中文 / English" gives the half in that language."""
    # lazy: loaded inside main()'s try, so a failure is said, not a traceback
    from sanzhua import clitext

    message, hint = e.text(clitext.CURRENT)
    message = clitext.one_language(message, clitext.CURRENT) or message
    hint = clitext.one_language(hint, clitext.CURRENT)
    sys.stderr.write(f"sanzhua: {message}\n")
    if hint:
        sys.stderr.write(f"  {hint}\n")
    raise typer.Exit(EXIT_CANNOT_RUN)


def as_of_date(value: str | None) -> date:
    """--as-of, in any form FORMAT.md accepts; only the CLI asks the clock."""
    if value is None:
        return date.today()
    try:
        return parse_when(value.strip(), date.today().year)
    except DateError as e:
        _fail(
            FatalError(
                msg("option.bad-date", option="--as-of", value=value, detail=e.detail_zh, detail_en=str(e)),
                msg("option.bad-date.hint", option="--as-of"),
            )
        )


@contextmanager
def _quiet_libraries() -> Iterator[None]:
    """Python warnings of the libraries sanzhua reads and writes with are not the user's:
    openpyxl's on a workbook WPS or a script wrote ("Workbook contains no default style",
    "Data Validation extension is not supported"), printed with a path into site-packages
    and a line of its source. What sanzhua has to say about a file it says itself; with
    SANZHUA_DEBUG set they are shown."""
    if os.environ.get("SANZHUA_DEBUG"):
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def run(fn: Callable[[], int], fmt: str | None = None) -> NoReturn:
    """Run a command: FatalError → message and exit 2; never a traceback. Its terminal
    output passes through `safe_terminal`: no control sequence from ledger text. `fmt`:
    the command's --format; JSON escapes what the output's encoding lacks."""
    if fmt == "json":
        from sanzhua.jsontext import escape_unencodable  # lazy: JSON runs only

        escape_unencodable(sys.stdout)
    code: int | None = None
    try:
        with safe_terminal(), _quiet_libraries():
            code = fn()
    except FatalError as e:
        _fail(e)
    except Refused:
        raise typer.Exit(1) from None
    except typer.Exit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("sanzhua: interrupted\n")
        raise typer.Exit(130) from None
    except BrokenPipeError:
        raise typer.Exit(0) from None
    except MemoryError:  # a ledger or input too large for the memory there is: said so, not a defect
        pass  # said below, once the exception (and the frames holding the memory) is let go
    except Exception as e:
        if os.environ.get("SANZHUA_DEBUG"):
            import traceback  # lazy: only to debug, and it costs every run 10 ms of start-up

            traceback.print_exc()
        _fail(FatalError(msg("cli.internal", error=f"{type(e).__name__}: {e}"), msg("cli.internal.hint")))
    if code is None:
        gc.collect()
        _fail(FatalError(msg("cli.memory"), msg("cli.memory.hint")))
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sanzhua {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Show the version and exit.", callback=_version, is_eager=True)
    ] = False,
) -> None:
    """sanzhua 三抓：督查督办台账工具."""


@app.command("check")
def check_cmd(
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="text, json or github (default: github under GitHub Actions, else text)."),
    ] = None,
    lang: LangOpt = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these problem codes (repeat or comma-separate).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Leave out these problem codes.")] = None,
    fail_on: Annotated[
        list[str] | None, typer.Option("--fail-on", help="Also fail (exit 1) on: overdue, warning.")
    ] = None,
    no_cache: Annotated[
        bool, typer.Option("--no-cache", help="Parse every file again; do not use the parse cache (~/.cache/sanzhua).")
    ] = False,
    list_codes: Annotated[bool, typer.Option("--list", help="List the problem codes and exit.")] = False,
) -> None:
    """Validate the ledger files and flag overdue tasks (校验台账，标出逾期任务)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.check import check

    if list_codes:
        # lazy: every check's module, for --list-codes only
        from sanzhua.checks import ALL_CODES
        from sanzhua.clitext import lang_for
        from sanzhua.output import list_codes as code_lines

        typer.echo(code_lines(dict(sorted(ALL_CODES.items())), lang_for(lang, root)))
        raise typer.Exit(0)
    chosen = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    day = as_of_date(as_of)
    run(
        lambda: check(
            root,
            as_of=day,
            fmt=chosen,
            lang=lang,
            select=select or (),
            ignore=ignore or (),
            fail_on=fail_on or (),
            cache=not no_cache,
            color=sys.stdout.isatty(),
        ),
        chosen,
    )


if TYPE_CHECKING:
    # lazy: the selection layer only for the commands that filter
    from sanzhua.selection import StatusFilter


def _status_filter(
    unit: list[str] | None,
    leader: str | None,
    owner: str | None,
    state: list[str] | None,
    light: list[str] | None,
    category: str | None,
    tag: list[str] | None,
    due_within: int | None,
) -> StatusFilter:
    """The filter options `status` and `export` share (`calendar` takes three of them)."""
    # lazy: the selection layer (and the evaluation under it) only for the commands that filter
    from sanzhua.selection import StatusFilter

    return StatusFilter(
        units=tuple(unit or ()),
        leader=leader,
        owner=owner,
        states=tuple(state or ()),
        lights=tuple(light or ()),
        category=category,
        tags=tuple(tag or ()),
        due_within=due_within,
    )


@app.command("status")
def status_cmd(
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or csv.")] = "table",
    lang: LangOpt = None,
    unit: UnitFilterOpt = None,
    leader: LeaderFilterOpt = None,
    owner: OwnerFilterOpt = None,
    state: StateFilterOpt = None,
    light: LightFilterOpt = None,
    category: CategoryFilterOpt = None,
    tag: TagFilterOpt = None,
    due_within: DueWithinOpt = None,
    sort: Annotated[str, typer.Option("--sort", help="urgency (default), due, unit, id, percent.")] = "urgency",
    by: Annotated[str | None, typer.Option("--by", help="Summarise per 'unit' (counts per light) or 'leader'.")] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every task: green, done, planned, suspended and cancelled too.")
    ] = False,
    allow_errors: AllowErrorsOpt = False,
) -> None:
    """Show every task's state as of a date: lights, deadlines, who is behind (任务状态)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.status import status

    day = as_of_date(as_of)
    flt = _status_filter(unit, leader, owner, state, light, category, tag, due_within)
    run(
        lambda: status(
            root, as_of=day, fmt=fmt, lang=lang, flt=flt, sort=sort, by=by, show_all=show_all, allow_errors=allow_errors
        ),
        fmt,
    )


@app.command("show")
def show_cmd(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="The task id, e.g. XM-001.")],
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    allow_errors: AllowErrorsOpt = False,
) -> None:
    """Show one task whole: milestones, progress timeline, extensions, children, states (任务详情)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.show import show

    day = as_of_date(as_of)
    run(lambda: show(root, task_id, as_of=day, lang=lang, fmt=fmt, allow_errors=allow_errors), fmt)


@app.command("init")
def init_cmd(
    directory: Annotated[
        Path, typer.Argument(metavar="[DIR]", help="Where to create the ledger (default: here).")
    ] = Path("."),
    name: Annotated[
        str | None, typer.Option("--name", help="The ledger's name, printed on bulletins (asked on a terminal).")
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="zh or en.")] = "zh",
    force: Annotated[bool, typer.Option("--force", help="Write into a folder that already has files.")] = False,
    supervisor: Annotated[
        str | None,
        typer.Option("--supervisor", help="The first supervisor's git email (default: git config user.email)."),
    ] = None,
) -> None:
    """Create a new ledger repository: settings, units, an example file, CI (新建台账仓库)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.init import init

    ask = input if name is None and sys.stdin.isatty() and sys.stdout.isatty() else None
    run(lambda: init(directory, name=name, lang=lang, force=force, ask=ask, supervisor=supervisor))


@app.command("brief")
def brief_cmd(
    week: Annotated[
        bool, typer.Option("--week", help="This week's 政务督查 (Monday-Sunday holding --as-of; the default).")
    ] = False,
    month: Annotated[bool, typer.Option("--month", help="This month's 工作简报.")] = False,
    quarter: Annotated[bool, typer.Option("--quarter", help="This quarter's 工作简报.")] = False,
    year: Annotated[bool, typer.Option("--year", help="This year's 工作简报.")] = False,
    from_: Annotated[str | None, typer.Option("--from", help="Start of a custom period, e.g. 2026-11-01.")] = None,
    to: Annotated[str | None, typer.Option("--to", help="End of a custom period (default: --as-of).")] = None,
    number: Annotated[int | None, typer.Option("--number", help="Issue number (第N期); default: computed.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="A 督办通知 (reminder notice) for this unit id.")] = None,
    each_unit: Annotated[
        Path | None,
        typer.Option("--each-unit", help="Write one 督办通知 per unit that needs one into DIR.", file_okay=False),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md (Markdown) or docx (Word).")] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Output file; Markdown goes to the screen without "
            "it, Word to a default name like 政务督查-2026-第47期.docx.",
        ),
    ] = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    root: RootOpt = None,
    allow_errors: AllowErrorsOpt = False,
    issue: Annotated[
        bool,
        typer.Option(
            "--issue",
            help="With --unit/--each-unit: number each 督办通知 (〔2026〕N号), give it its colour and record it "
            "in notices/<year>.yaml.",
        ),
    ] = False,
) -> None:
    """Write the weekly 政务督查 bulletin or a 工作简报, as Markdown or Word (简报)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.brief import brief

    kinds = [k for k, on in (("week", week), ("month", month), ("quarter", quarter), ("year", year)) if on]
    if from_ or to:
        kinds.append("custom")
    if len(kinds) > 1:
        _fail(FatalError(msg("brief.one-period")))
    day = as_of_date(as_of)
    start = as_of_date(from_) if from_ else None
    end = as_of_date(to) if to else None
    period = kinds[0] if kinds else "week"
    run(
        lambda: brief(
            root,
            as_of=day,
            period=period,
            start=start,
            end=end,
            number=number,
            unit=unit,
            each_unit=each_unit,
            fmt=fmt,
            output=output,
            lang=lang,
            allow_errors=allow_errors,
            issue=issue,
        )
    )


@app.command("score")
def score_cmd(
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    month: Annotated[bool, typer.Option("--month", help="Score the month that holds the as-of date (月度).")] = False,
    quarter: Annotated[
        bool, typer.Option("--quarter", help="Score the quarter that holds the as-of date (季度测评).")
    ] = False,
    year: Annotated[
        bool, typer.Option("--year", help="Score the year that holds the as-of date (年终考核; the default).")
    ] = False,
    start: Annotated[str | None, typer.Option("--from", help="First day of a custom period, e.g. 2026-10-01.")] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of a custom period (default: the as-of date).")
    ] = None,
    explain: Annotated[
        str | None,
        typer.Option(
            "--explain", metavar="UNIT", help="List every point a unit gained or lost, with the task and the reason."
        ),
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only units of this kind (乡镇, 县直部门), ranked among themselves."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json, csv or md.")] = "table",
    wide: Annotated[
        bool, typer.Option("--wide", help="Show the unit ids and every count in the table (json and csv always do).")
    ] = False,
    allow_errors: AllowErrorsOpt = False,
) -> None:
    """Score and rank the units over a period by the ledger's scoring rules (考评排名)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.score import resolve_period, score

    day = as_of_date(as_of)
    run(
        lambda: score(
            root,
            as_of=day,
            period=resolve_period(day, month=month, quarter=quarter, year=year, start=start, end=end),
            fmt=fmt,
            lang=lang,
            explain=explain,
            kinds=kind or (),
            color=sys.stdout.isatty(),
            wide=wide,
            allow_errors=allow_errors,
        ),
        fmt,
    )


if TYPE_CHECKING:
    # lazy: a run loads only its own command
    from sanzhua.commands.common import EditRun

DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Show the change as a diff; write nothing.")]
CommitOpt = Annotated[
    bool, typer.Option("--commit", help="Also git-commit the changed file with a conventional message.")
]
CorrectOpt = Annotated[
    bool,
    typer.Option("--correct", help="Correct what is already recorded (a done date, a done task); needs --reason."),
]
ReasonOpt = Annotated[
    str | None, typer.Option("--reason", help="Why the record is corrected (kept in the ledger with the correction).")
]
EditDateOpt = Annotated[
    str | None, typer.Option("--date", help="The date to record (default: today), e.g. 2026-11-25.")
]


def _edit_run(root: Path | None, lang: str | None, dry_run: bool, commit: bool) -> EditRun:
    # lazy: a run loads only its own command
    from sanzhua.commands.common import EditRun

    return EditRun(root, date.today(), lang=lang, dry_run=dry_run, commit=commit)


@app.command("progress")
def progress_cmd(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="The task id, e.g. XM-001.")],
    percent: Annotated[str | None, typer.Option("--percent", help="Progress in percent, 0-100 (进度).")] = None,
    value: Annotated[
        str | None, typer.Option("--value", help="Cumulative value done, in the target's unit (完成值).")
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="What was done (情况).")] = None,
    when: EditDateOpt = None,
    by: Annotated[str | None, typer.Option("--by", help="Who reports (填报人).")] = None,
    root: RootOpt = None,
    lang: LangOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    correct: CorrectOpt = False,
    reason: ReasonOpt = None,
) -> None:
    """Append a progress entry to a task (填报进展)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.edit import progress

    er = _edit_run(root, lang, dry_run, commit)
    run(
        lambda: progress(
            er, task_id, percent=percent, value=value, note=note, when=when, by=by, correct=correct, reason=reason
        )
    )


@app.command("done")
def done_cmd(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="The task id, e.g. XM-001.")],
    when: EditDateOpt = None,
    milestone: Annotated[
        str | None, typer.Option("--milestone", help="Mark this milestone done instead (节点名称).")
    ] = None,
    root: RootOpt = None,
    lang: LangOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
    correct: CorrectOpt = False,
    reason: ReasonOpt = None,
) -> None:
    """Mark a task, or one of its milestones, done (标记完成)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.edit import done

    er = _edit_run(root, lang, dry_run, commit)
    run(lambda: done(er, task_id, when=when, milestone=milestone, correct=correct, reason=reason))


@app.command("extend")
def extend_cmd(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="The task id, e.g. XM-001.")],
    to: Annotated[str, typer.Option("--to", help="The new deadline (新时限).")],
    approved_by: Annotated[str, typer.Option("--approved-by", help="Who approved the extension (批准人).")],
    ref: Annotated[str, typer.Option("--ref", help="The approving document's number (文号).")],
    when: EditDateOpt = None,
    root: RootOpt = None,
    lang: LangOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
) -> None:
    """Record an approved extension and move the deadline (登记延期)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.edit import extend

    er = _edit_run(root, lang, dry_run, commit)
    run(lambda: extend(er, task_id, to=to, approved_by=approved_by, ref=ref, when=when))


@app.command("new")
def new_cmd(
    unit: Annotated[str, typer.Option("--unit", help="The lead unit's id (or name) from units.yaml.")],
    title: Annotated[str, typer.Option("--title", help="What must be done (任务).")],
    due: Annotated[str, typer.Option("--due", help="The deadline (时限), e.g. 2026-12-31 or 年底.")],
    task_id: Annotated[
        str | None, typer.Option("--id", help="The id (default: the next free one in the file's pattern).")
    ] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Responsible person (责任人).")] = None,
    leader: Annotated[str | None, typer.Option("--leader", help="Leader in charge (包抓领导).")] = None,
    category: Annotated[str | None, typer.Option("--category", help="Category (类别), e.g. 抓具体/抓项目建设.")] = None,
    source: Annotated[str | None, typer.Option("--source", help="The document that set the task (依据).")] = None,
    start: Annotated[str | None, typer.Option("--start", help="Start date (开始).")] = None,
    partners: Annotated[
        list[str] | None, typer.Option("--partners", help="Cooperating unit ids (配合单位; repeat or comma-separate).")
    ] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Parent task id (上级任务).")] = None,
    target_value: Annotated[str | None, typer.Option("--target-value", help="Target value (目标值).")] = None,
    target_unit: Annotated[
        str | None, typer.Option("--target-unit", help="Unit of the target (单位), e.g. 万元.")
    ] = None,
    metric: Annotated[str | None, typer.Option("--metric", help="What the target measures (指标).")] = None,
    supervision: Annotated[str | None, typer.Option("--supervision", help="Form of supervision (督办方式).")] = None,
    tags: Annotated[list[str] | None, typer.Option("--tag", help="A tag (标签); repeat for more.")] = None,
    milestone: Annotated[
        list[str] | None,
        typer.Option(
            "--milestone", help="A milestone, 名称=日期 (e.g. --milestone 完成招标=9月底); repeat for more."
        ),
    ] = None,
    root: RootOpt = None,
    lang: LangOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
) -> None:
    """Add a task to its unit's ledger file, with the next free id (新增任务)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.edit import NewTask, new

    spec = NewTask(
        unit=unit,
        title=title,
        due=due,
        id=task_id,
        owner=owner,
        leader=leader,
        category=category,
        source=source,
        start=start,
        partners=tuple(partners or ()),
        parent=parent,
        target_value=target_value,
        target_unit=target_unit,
        metric=metric,
        supervision=supervision,
        tags=tuple(tags or ()),
        milestones=tuple(milestone or ()),
    )
    er = _edit_run(root, lang, dry_run, commit)
    run(lambda: new(er, spec))


@app.command("fmt")
def fmt_cmd(
    files: Annotated[
        list[Path] | None, typer.Argument(metavar="[FILE]...", help="Ledger files (default: all).")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only check: show the diff and exit 1 if a file is not formatted.")
    ] = False,
    normalize_dates: Annotated[
        bool, typer.Option("--normalize-dates", help="Also write every date as YYYY-MM-DD.")
    ] = False,
    root: RootOpt = None,
    lang: LangOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
) -> None:
    """Lay out ledger files canonically, keeping comments (整理格式)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.fmt import fmt

    er = _edit_run(root, lang, dry_run, commit)
    run(lambda: fmt(er, files or None, check=check, normalize_dates=normalize_dates))


@app.command("import")
def import_cmd(
    source: Annotated[Path, typer.Argument(metavar="FILE", help="The spreadsheet: .xlsx or .csv (UTF-8 or GBK).")],
    sheet: Annotated[
        list[str] | None,
        typer.Option("--sheet", help="Only this sheet (repeat for more; default: every sheet with a task header)."),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option("--unit", help="Lead unit (id or name) for rows without one, or whose unit is not in units.yaml."),
    ] = None,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="Name a column: 列名=field, e.g. --map 牵头处室=lead (repeat).")
    ] = None,
    id_prefix: Annotated[
        str | None, typer.Option("--id-prefix", help="Prefix of new ids (default: the unit's own pattern, e.g. FGW-).")
    ] = None,
    when: Annotated[
        str | None, typer.Option("--date", help="Date of the progress entries made from 进展情况 (default: today).")
    ] = None,
    default_due: Annotated[
        str | None, typer.Option("--default-due", help="Deadline for rows without a readable one, e.g. 年底.")
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be written; write nothing.")] = False,
    root: RootOpt = None,
    lang: LangOpt = None,
) -> None:
    """Bring a 台账 spreadsheet (xlsx/csv) into the ledger; every row not read is reported (导入台账)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.importer import import_table

    day = as_of_date(when)
    run(
        lambda: import_table(
            source,
            root,
            today=day,
            sheets=sheet or (),
            unit=unit,
            mapping=mapping or (),
            id_prefix=id_prefix,
            default_due=default_due,
            dry_run=dry_run,
            lang=lang,
        )
    )


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help="xlsx (default) or csv.")] = "xlsx",
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Output file (xlsx default: 台账-DATE.xlsx; csv default: stdout)."),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="'unit': one sheet per lead unit (default: one sheet for all).")
    ] = None,
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    unit: UnitFilterOpt = None,
    leader: LeaderFilterOpt = None,
    owner: OwnerFilterOpt = None,
    state: StateFilterOpt = None,
    light: LightFilterOpt = None,
    category: CategoryFilterOpt = None,
    tag: TagFilterOpt = None,
    due_within: DueWithinOpt = None,
    allow_errors: AllowErrorsOpt = False,
) -> None:
    """Export the 台账 as an Excel workbook or CSV to send upward (导出台账)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.export import export

    day = as_of_date(as_of)
    flt = _status_filter(unit, leader, owner, state, light, category, tag, due_within)
    run(
        lambda: export(
            root, as_of=day, fmt=fmt, output=output, lang=lang, flt=flt, by=by, allow_errors=allow_errors
        )
    )


# -- the weekly 进展填报表: form out, collect back (issue 18) ----------------------------------


@app.command("form")
def form_cmd(
    unit: Annotated[str | None, typer.Option("--unit", help="The unit (id or name) whose form to write.")] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The .xlsx file (default: 进展填报表-UNIT-DATE.xlsx).")
    ] = None,
    each_unit: Annotated[
        Path | None,
        typer.Option("--each-unit", help="Write one form per unit with open tasks into DIR.", file_okay=False),
    ] = None,
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
) -> None:
    """Write a unit's weekly progress form (进展填报表) as an xlsx workbook to send out."""
    # lazy: a run loads only its own command
    from sanzhua.commands.form import form

    day = as_of_date(as_of)
    run(lambda: form(root, as_of=day, unit=unit, output=output, each_unit=each_unit, lang=lang))


@app.command("collect")
def collect_cmd(
    files: Annotated[
        list[Path], typer.Argument(metavar="FILE...", help="Returned forms: .xlsx, or .csv saved from one.")
    ],
    partial: Annotated[
        bool, typer.Option("--partial", help="Write the rows without errors even when other cells have errors.")
    ] = False,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Refuse forms that are not this unit's (id or name).")
    ] = None,
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    dry_run: DryRunOpt = False,
    commit: CommitOpt = False,
) -> None:
    """Write the reports of returned progress forms into the ledger (收集进展填报表)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.collect import collect
    from sanzhua.commands.common import EditRun

    er = EditRun(root, as_of_date(as_of), lang=lang, dry_run=dry_run, commit=commit)
    run(lambda: collect(er, list(files), partial=partial, unit=unit))


@app.command("calendar")
def calendar_cmd(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="The .ics file (default: deadlines.ics; - for stdout).")
    ] = None,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", help="Only tasks led by (or shared with) this unit.")
    ] = None,
    leader: Annotated[
        str | None, typer.Option("--leader", help="Only tasks of this leader in charge (包抓领导).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only tasks of this responsible person (责任人).")
    ] = None,
    alarm_days: Annotated[
        int, typer.Option("--alarm-days", help="Alarm this many working days before (0: on the day, at 9:00).")
    ] = 3,
    no_alarm: Annotated[bool, typer.Option("--no-alarm", help="No alarms.")] = False,
    root: RootOpt = None,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    allow_errors: AllowErrorsOpt = False,
) -> None:
    """Write open deadlines and milestones as an iCalendar file for phone calendars (日程提醒)."""

    # lazy: a run loads only its own command
    from sanzhua.commands.calendar import calendar
    from sanzhua.selection import StatusFilter

    day = as_of_date(as_of)
    flt = StatusFilter(units=tuple(unit or ()), leader=leader, owner=owner)
    stamp = datetime.now(UTC).replace(microsecond=0)
    run(
        lambda: calendar(
            root,
            as_of=day,
            stamp=stamp,
            output=output,
            lang=lang,
            flt=flt,
            alarm_days=None if no_alarm else alarm_days,
            allow_errors=allow_errors,
        )
    )


@app.command("log")
def log_cmd(
    task_id: Annotated[str, typer.Argument(metavar="ID", help="The task id, e.g. XM-001.")],
    root: RootOpt = None,
    lang: LangOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    rev_range: Annotated[
        str | None, typer.Option("--range", help="Only these commits, e.g. v1..main (default: all of HEAD).")
    ] = None,
) -> None:
    """The history of one task from git: created, each field changed, progress added (任务修改记录)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.log import log

    run(lambda: log(root, task_id, fmt=fmt, lang=lang, rev_range=rev_range), fmt)


@app.command("audit")
def audit_cmd(
    root: RootOpt = None,
    lang: LangOpt = None,
    since: Annotated[str | None, typer.Option("--since", help="Only commits since this date, e.g. 2026-10-01.")] = None,
    rev_range: Annotated[
        str | None, typer.Option("--range", help="Only these commits, e.g. origin/main..HEAD (default: all of HEAD).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="text, json or github (default: github under GitHub Actions, else text)."),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these finding codes (repeat or comma-separate).")
    ] = None,
    ignore: Annotated[list[str] | None, typer.Option("--ignore", help="Leave out these finding codes.")] = None,
    list_codes: Annotated[bool, typer.Option("--list", help="List the finding codes and exit.")] = False,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            help="Start the record at this commit: nothing before it is judged, its settings are trusted.",
        ),
    ] = None,
) -> None:
    """Audit the git history: deadlines moved, progress rewritten, tasks deleted, unauthorized edits (审计修改记录).

    Each commit is compared with its parent, using the settings and units as of the
    parent. The commit that creates the ledger is the baseline. `backdated` only looks
    at entries added to tasks that already existed. Merges are judged on what they
    change beyond combining their parents. Exit 1 when a finding is an error.
    The rules: sanzhua help audit.
    """
    if list_codes:
        # lazy: loaded inside main()'s try, so a failure is said, not a traceback
        from sanzhua.clitext import lang_for
        from sanzhua.history.rules import CODES
        from sanzhua.output import list_codes as code_lines

        typer.echo(code_lines(CODES, lang_for(lang, root)))
        raise typer.Exit(0)
    # lazy: a run loads only its own command
    from sanzhua.commands.audit import audit

    chosen = fmt or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    run(
        lambda: audit(
            root,
            since=since,
            rev_range=rev_range,
            baseline=baseline,
            fmt=chosen,
            lang=lang,
            select=select or (),
            ignore=ignore or (),
        ),
        fmt,
    )


# --- sanzhua site (issue 19) ------------------------------------------------------------
@app.command("site")
def site_cmd(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="Folder to write the site into (new, empty, or a site written before)."),
    ],
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    root: RootOpt = None,
    allow_errors: Annotated[
        bool,
        typer.Option(
            "--allow-errors", help="Build even when the ledger has errors; every page names the files left out."
        ),
    ] = False,
    no_history: Annotated[
        bool, typer.Option("--no-history", help="Leave out each task's git history (faster on a long history).")
    ] = False,
    no_archive: Annotated[
        bool, typer.Option("--no-archive", help="Leave out the archive of weekly bulletins.")
    ] = False,
    docx: Annotated[
        bool, typer.Option("--docx", help="Put each archived bulletin's Word file beside it (about 0.2 s an issue).")
    ] = False,
) -> None:
    """Write the ledger as a static web site: overview, units, tasks, trends (works offline)."""
    # lazy: a run loads only its own command
    from sanzhua.commands.site import site

    day = as_of_date(as_of)
    run(
        lambda: site(
            root,
            as_of=day,
            output=output,
            lang=lang,
            allow_errors=allow_errors,
            history=not no_history,
            archive=not no_archive,
            docx=docx,
        )
    )


@app.command("codeowners")
def codeowners_cmd(
    root: RootOpt = None,
    lang: LangOpt = None,
    output: Annotated[
        str | None,
        typer.Option(
            "-o", "--output", help="Where to write (default: CODEOWNERS at the repository top; - for stdout)."
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if the file is missing or out of date.")
    ] = False,
) -> None:
    """Write CODEOWNERS from units.yaml: unit editors own their files, supervisors the settings."""
    # lazy: a run loads only its own command
    from sanzhua.commands.codeowners import codeowners

    run(lambda: codeowners(root, output=output, check=check, lang=lang))


# --- the 督办 cycle (issue 20) ---
@app.command("remind")
def remind_cmd(
    send: Annotated[
        bool, typer.Option("--send", help="Send the reminders (without it: print them, a dry run).")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the reminders, send nothing (the default).")
    ] = False,
    unit: Annotated[list[str] | None, typer.Option("--unit", help="Only this unit (id; repeat for more).")] = None,
    channel: Annotated[
        list[str] | None, typer.Option("--channel", help="Only this channel: wecom, dingtalk or email.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    sent_file: Annotated[
        Path | None,
        typer.Option("--sent-file", help="The record of what was sent (default: remind.sent_file in sanzhua.yaml).")
    ] = None,
    allow_errors: Annotated[
        bool, typer.Option("--allow-errors", help="Remind even though the ledger has errors (and say so).")
    ] = False,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    root: RootOpt = None,
) -> None:
    """Push reminders (督办提醒) of overdue, due-soon and unreported tasks to each unit's contact."""
    # lazy: a run loads only its own command
    from sanzhua.commands.remind import remind

    if send and dry_run:
        _fail(FatalError(msg("remind.send-or-dry-run")))
    day = as_of_date(as_of)
    run(
        lambda: remind(
            root,
            as_of=day,
            send=send,
            units=unit or (),
            channels=channel or (),
            fmt=fmt,
            lang=lang,
            sent_file=sent_file,
            allow_errors=allow_errors,
        ),
        fmt,
    )

@app.command("help")
def help_cmd(
    topic: Annotated[
        str | None, typer.Argument(metavar="[TOPIC]", help="The topic: format, scoring, audit, forms or duban.")
    ] = None,
    root: RootOpt = None,
    lang: LangOpt = None,
) -> None:
    """Show documentation: 'format' (the ledger format), 'scoring', 'audit', 'forms', 'duban' (说明文档)."""
    # lazy: loaded inside main()'s try, so a failure is said, not a traceback
    from sanzhua.clitext import lang_for
    from sanzhua.commands.helpdoc import help_topic

    chosen = lang_for(lang, root)
    run(lambda: help_topic(topic, chosen, sys.stdout))


def _app_for(args: list[str]) -> typer.Typer:
    """The app with only the command named on the command line, when one is: Typer
    builds every registered command before it parses, which costs a `check` in CI more
    than reading a cached ledger does. `sanzhua --help`, a mistyped command and no
    command at all get the whole app."""
    name = args[0] if args else None
    chosen = [c for c in app.registered_commands if c.name is not None and c.name == name]
    if not chosen:
        return app
    one = typer.Typer(**_APP_SETTINGS)
    one.registered_callback = app.registered_callback
    one.registered_commands = chosen
    return one


def main() -> None:
    """Console entry point: the help pages and usage errors in the ledger's language."""
    args = sys.argv[1:]
    try:
        # lazy: loaded inside main()'s try, so a failure is said, not a traceback
        from sanzhua import clitext
        from sanzhua.clitext import detect_lang, localize, run_command

        lang = detect_lang(args)
        clitext.CURRENT = lang
        command = typer.main.get_command(_app_for(args))
        localize(command, lang)
        code = run_command(command, args, lang)
    except SystemExit:
        raise
    except Exception as e:
        sys.stderr.write(f"sanzhua: {e}\n")
        raise SystemExit(EXIT_CANNOT_RUN) from None
    raise SystemExit(code)


def entry() -> None:
    """The `sanzhua` program (the console script and `python -m sanzhua`): `main()`, then
    out of the process once its output is flushed, without tearing the interpreter down:
    freeing the millions of objects a city's ledger is made of, one by one, is a tenth of
    a second of every report's CPU and of `check`'s wait (issue 17). Only with nothing
    else running (one thread) and nothing watching (a profiler or tracer); an exit that
    is not a plain code, or output that cannot be flushed (a closed pipe), leaves by the
    ordinary way, which reports it. Tests call
    `main()`, which never leaves this way. Leaving so, what a command made is not freed
    when it returns either (sanzhua.lifetime)."""
    _open_standard_streams()
    if not _watched():
        leave_quickly()
    try:
        main()
    except SystemExit as e:
        code = e.code
        flushed = _flushed()
        if type(code) is int and 0 <= code <= 255 and threading.active_count() == 1 and not _watched() and flushed:
            os._exit(code)
        raise


def _open_standard_streams() -> None:
    """A standard descriptor the caller closed (`sanzhua check >&-`, `<&-`) opened on
    /dev/null (issue 14, p-red3a): Python had left sys.stdout None, an internal error at
    the first write, and the next file sanzhua opened (a ledger's temporary) would have
    been given the number, where what a library or git writes to "stdout" would land. The
    output is lost, as the caller asked; the exit code stays the command's."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    for name, fd, mode in (("stdin", 0, "r"), ("stdout", 1, "w"), ("stderr", 2, "w")):
        if getattr(sys, name) is None:
            setattr(sys, name, open(fd, mode, encoding="utf-8", errors="backslashreplace", closefd=False))  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        _replace_what_cannot_be_shown(stream)


def _replace_what_cannot_be_shown(stream: object) -> None:
    """An output whose encoding is not UTF's (a Windows console or file in GBK, cp936;
    PYTHONIOENCODING=gbk or ascii) shows what it cannot encode as "?": an emoji or a rare
    character (Ext-B) in a title was an internal error, UnicodeEncodeError, and the
    internal error's own words came out as \\u escapes (issue 14, p-red3a)."""
    encoding = str(getattr(stream, "encoding", "") or "").lower().replace("_", "-")
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and not encoding.startswith("utf"):
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="replace")


def _watched() -> bool:
    """Whether a profiler or tracer runs (`python -m cProfile`, coverage, a debugger): it
    writes what it saw as the interpreter ends, which os._exit would skip."""
    if sys.getprofile() is not None or sys.gettrace() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12's, which coverage may use
    return monitoring is not None and any(monitoring.get_tool(i) is not None for i in range(6))


def _flushed() -> bool:
    """Whether the output went out. A reader that left early (`sanzhua show X | head -1`)
    is no failure of the command: what could not be written is dropped, and the command's
    own exit code stands (it was 1, from the interpreter's exit, with nothing said)."""
    try:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
    except BrokenPipeError:
        return _quieted()
    except (OSError, ValueError):  # a closed file: the ordinary exit says what it says
        return False
    return True


def _quieted() -> bool:
    """After a broken pipe: the standard output's descriptor pointed at /dev/null, so what
    is left in its buffer goes there; whether every stream then flushed."""
    try:
        fd = sys.__stdout__.fileno() if sys.__stdout__ is not None else -1
    except (AttributeError, OSError, ValueError):
        fd = -1
    if fd < 0:
        return False
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fd)
    os.close(null)
    try:
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True
