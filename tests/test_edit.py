"""The edit commands on real files: exactly the intended lines change, refusals change nothing."""

from __future__ import annotations

import difflib
import io
import subprocess
import textwrap
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanzhua.cli import app
from sanzhua.commands.edit import EditRun, NewTask, done, extend, new, progress
from sanzhua.commands.fmt import fmt

TODAY = date(2026, 11, 25)

SETTINGS = "name: 测试县\nyear: 2026\nlang: zh\n"
UNITS = textwrap.dedent("""\
    units:
      - {id: fgw, name: 县发改委, kind: 县直部门}
      - {id: zjj, name: 县住建局, kind: 县直部门}
      - {id: cgj, name: 县城管局, kind: 县直部门}
      - {id: chengguan, name: 城关镇, kind: 乡镇}
      - {id: dongtun, name: 东屯镇, kind: 乡镇}
    """)

FGW = textwrap.dedent("""\
    # 县发改委 任务台账
    unit: fgw   # 单位代码
    tasks:
      - id: XM-001
        title: 森林公园综合开发项目前期推进
        owner:   张某某       # odd spacing kept
        start: 2026-03-01
        due: 2026年9月底
        milestones:
          - {name: 完成可研批复, due: 2026-05-31, done: 2026-05-28}
          - { name: 开工建设, due: 2026-09-30 }
        target: {metric: 完成投资, value: 50000, unit: 万元}
        progress:
          - {date: 2026-06-05, value: 12000, note: 可研已批复，正在办理用地手续}
          # 下一条进展请写在这里
        supervision: 跟踪督办

      - id: XM-002
        title: "重点项目申报"
        status: active
        due: '2026-12-31'
        progress:
          - date: 2026-10-01
            percent: 40
            note: 完成筛选
        tags: [重点项目]
    """)

# Chinese keys, CRLF and a BOM.
CG = (
    (
        "\ufeff"
        + textwrap.dedent("""\
    # 城关镇 任务台账
    责任单位: chengguan
    任务清单:
      - 编号: CG-01
        任务: 城关镇引进工业项目1个
        时限: 2026年11月30日
        状态: 推进中
        进展:
          - {日期: 2026-06-30, 完成值: 0.7}

      - 编号: CG-02
        任务: 城关镇完成市外内资1.5亿元
        时限: 年底
    """)
    )
    .replace("\n", "\r\n")
    .encode("utf-8")
)


def make_ledger(tmp: Path) -> Path:
    (tmp / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp / "ledgers" / "乡镇").mkdir(parents=True)
    (tmp / "ledgers" / "fgw.yaml").write_text(FGW, encoding="utf-8")
    (tmp / "ledgers" / "乡镇" / "城关镇.yaml").write_bytes(CG)
    return tmp


def run_of(root: Path, **kw: object) -> EditRun:
    return EditRun(root, TODAY, out=io.StringIO(), err=io.StringIO(), **kw)  # type: ignore[arg-type]


def changes(before: bytes, after: bytes) -> tuple[list[str], list[str]]:
    """(removed lines, added lines), byte-exact (endings included)."""
    a = before.splitlines(keepends=True)
    b = after.splitlines(keepends=True)
    removed: list[str] = []
    added: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            removed += [x.decode() for x in a[i1:i2]]
            added += [x.decode() for x in b[j1:j2]]
    return removed, added


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    return make_ledger(tmp_path)


def fgw(root: Path) -> bytes:
    return (root / "ledgers" / "fgw.yaml").read_bytes()


def cg(root: Path) -> bytes:
    return (root / "ledgers" / "乡镇" / "城关镇.yaml").read_bytes()


# -- progress ---------------------------------------------------------------------------


def test_progress_appends_one_flow_line_after_the_entries_comment_kept(ledger: Path) -> None:
    before = fgw(ledger)
    assert progress(run_of(ledger), "XM-001", percent="60", note="可研已批复") == 0
    removed, added = changes(before, fgw(ledger))
    assert removed == []
    assert added == ["      - {date: 2026-11-25, percent: 60, note: 可研已批复}\n"]
    assert fgw(ledger).index(b"percent: 60") < fgw(ledger).index(b"# \xe4\xb8\x8b")


def test_progress_block_entries_get_a_block_entry(ledger: Path) -> None:
    before = fgw(ledger)
    assert (
        progress(run_of(ledger), "XM-002", value="3", note="a: b # c", when="2026-11-20", by="李四")
        == 0
    )
    removed, added = changes(before, fgw(ledger))
    assert removed == []
    assert added == [
        "      - date: 2026-11-20\n",
        "        value: 3\n",
        "        note: 'a: b # c'\n",
        "        by: 李四\n",
    ]


def test_progress_chinese_keys_crlf_bom(ledger: Path) -> None:
    before = cg(ledger)
    assert progress(run_of(ledger), "CG-01", value="1.2", note="签约") == 0
    after = cg(ledger)
    assert after.startswith(b"\xef\xbb\xbf")
    removed, added = changes(before, after)
    assert removed == []
    assert added == ["      - {日期: 2026-11-25, 完成值: 1.2, 情况: 签约}\r\n"]


def test_progress_creates_the_list_in_the_files_style(ledger: Path) -> None:
    before = cg(ledger)
    assert progress(run_of(ledger), "CG-02", percent="10", note="启动") == 0
    removed, added = changes(before, cg(ledger))
    assert removed == []
    assert added == ["    进展:\r\n", "      - {日期: 2026-11-25, 进度: 10, 情况: 启动}\r\n"]


@pytest.mark.parametrize(
    ("args", "kw"),
    [
        (("XM-404",), {"percent": "10", "note": "x"}),
        (("XM-001",), {"percent": "150", "note": "x"}),
        (("XM-001",), {"percent": "abc", "note": "x"}),
        (("XM-001",), {"percent": "10", "note": "x", "when": "2026-02-30"}),
        (("XM-001",), {"percent": "10", "value": "3"}),
        (("XM-001",), {}),
    ],
)
def test_progress_refusals_leave_the_file_alone(
    ledger: Path, args: tuple[str], kw: dict[str, str]
) -> None:
    before = fgw(ledger)
    r = run_of(ledger)
    assert progress(r, *args, **kw) == 1
    assert fgw(ledger) == before
    assert r.err.getvalue()  # type: ignore[union-attr]


def test_refuses_a_file_that_is_already_invalid(ledger: Path) -> None:
    path = ledger / "ledgers" / "fgw.yaml"
    bad = FGW.replace("due: 2026年9月底", "due: 2026-02-30").encode()
    path.write_bytes(bad)
    r = run_of(ledger)
    assert progress(r, "XM-001", percent="10", note="x") == 1
    assert path.read_bytes() == bad
    assert "2026-02-30" in r.err.getvalue()  # type: ignore[union-attr]


def test_a_refusal_shows_a_long_line_cut_around_the_column(ledger: Path) -> None:
    # A hostile or minified line of a megabyte: the refusal shows the window around the
    # error with a caret under it, as `check` does, never the whole line.
    path = ledger / "ledgers" / "fgw.yaml"
    bad = FGW.replace("due: 2026年9月底", "due: 2026-02-30   # " + "长" * 500_000).encode()
    path.write_bytes(bad)
    r = run_of(ledger)
    assert progress(r, "XM-001", percent="10", note="x") == 1
    assert path.read_bytes() == bad
    err = r.err.getvalue()  # type: ignore[union-attr]
    lines = err.splitlines()
    shown = next(i for i, line in enumerate(lines) if " | " in line and "2026-02-30" in line)
    assert len(lines[shown]) < 200 and lines[shown].endswith("…")
    caret = lines[shown + 1]
    assert caret.rstrip().endswith("^")
    assert max(len(line) for line in lines) < 400


def test_refuses_when_the_file_changed_in_between(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanzhua.edit import session

    path = ledger / "ledgers" / "fgw.yaml"
    real = session.write_atomic

    def meddle(p: Path, data: bytes, expected: bytes | None) -> None:
        path.write_bytes(path.read_bytes() + b"# someone else\n")
        real(p, data, expected)

    monkeypatch.setattr("sanzhua.commands.edit.write_atomic", meddle)
    assert progress(run_of(ledger), "XM-001", percent="10", note="x") == 1
    assert path.read_bytes() == FGW.encode() + b"# someone else\n"


def test_dry_run_writes_nothing_and_shows_the_diff(ledger: Path) -> None:
    before = fgw(ledger)
    r = run_of(ledger, dry_run=True)
    assert progress(r, "XM-001", percent="60", note="x") == 0
    assert fgw(ledger) == before
    assert "+      - {date: 2026-11-25, percent: 60, note: x}" in r.out.getvalue()  # type: ignore[union-attr]


# -- done ---------------------------------------------------------------------------------


def test_done_inserts_the_key_in_canonical_place(ledger: Path) -> None:
    before = fgw(ledger)
    assert done(run_of(ledger), "XM-001", when="2026-11-20") == 0
    after = fgw(ledger)
    removed, added = changes(before, after)
    assert removed == []
    assert added == ["    done: 2026-11-20\n"]
    text = after.decode()
    assert text.index("done: 2026-11-20") > text.index("# 下一条进展请写在这里")
    assert text.index("done: 2026-11-20") < text.index("supervision: 跟踪督办")


def test_done_sets_status_only_when_present(ledger: Path) -> None:
    before = cg(ledger)
    assert done(run_of(ledger), "CG-01", when="2026-11-20") == 0
    removed, added = changes(before, cg(ledger))
    assert removed == ["    状态: 推进中\r\n"]
    assert added == ["    状态: 已完成\r\n", "    完成: 2026-11-20\r\n"]


def test_done_leaves_an_empty_status_empty(ledger: Path) -> None:
    """`status:` with nothing after it says nothing (the task is active): done writes the
    date and is not refused for a status it did not write (edit.done, shared with collect)."""
    path = ledger / "ledgers" / "fgw.yaml"
    path.write_text(FGW.replace("    status: active\n", "    status:\n"), encoding="utf-8")
    before = fgw(ledger)
    assert done(run_of(ledger), "XM-002", when="2026-11-20") == 0
    removed, added = changes(before, fgw(ledger))
    assert removed == [] and added == ["    done: 2026-11-20\n"]


def test_done_milestone_in_a_padded_flow_mapping(ledger: Path) -> None:
    before = fgw(ledger)
    assert done(run_of(ledger), "XM-001", milestone="开工建设", when="2026-09-28") == 0
    removed, added = changes(before, fgw(ledger))
    assert removed == ["      - { name: 开工建设, due: 2026-09-30 }\n"]
    assert added == ["      - { name: 开工建设, due: 2026-09-30, done: 2026-09-28 }\n"]


def test_done_before_start_is_refused(ledger: Path) -> None:
    before = fgw(ledger)
    assert done(run_of(ledger), "XM-001", when="2026-01-05") == 1
    assert fgw(ledger) == before


def test_done_unknown_milestone(ledger: Path) -> None:
    before = fgw(ledger)
    r = run_of(ledger)
    assert done(r, "XM-001", milestone="竣工") == 1
    assert fgw(ledger) == before
    assert "开工建设" in r.err.getvalue()  # type: ignore[union-attr]


# -- extend -------------------------------------------------------------------------------


def test_extend_moves_due_and_records_the_extension(ledger: Path) -> None:
    before = fgw(ledger)
    assert (
        extend(
            run_of(ledger),
            "XM-001",
            to="2026-11-30",
            approved_by="县政府常务会议",
            ref="延政督〔2026〕12号",
            when="2026-09-20",
        )
        == 0
    )
    removed, added = changes(before, fgw(ledger))
    assert removed == ["    due: 2026年9月底\n"]
    assert added == [
        "    due: 2026-11-30\n",
        "    extensions:\n",
        "      - {from: 2026年9月底, to: 2026-11-30, approved_by: 县政府常务会议, "
        "ref: 延政督〔2026〕12号, date: 2026-09-20}\n",
    ]


def test_extend_keeps_quotes_of_the_old_due_in_from(ledger: Path) -> None:
    assert extend(run_of(ledger), "XM-002", to="2027-03-31", approved_by="王", ref="文1") == 0
    text = fgw(ledger).decode()
    assert "from: '2026-12-31'" in text
    assert "    due: 2027-03-31\n" in text


def test_extend_to_an_earlier_date_is_refused(ledger: Path) -> None:
    before = fgw(ledger)
    assert extend(run_of(ledger), "XM-001", to="2026-08-31", approved_by="王", ref="文1") == 1
    assert fgw(ledger) == before


# -- new ----------------------------------------------------------------------------------


def test_new_appends_with_next_id_and_blank_line(ledger: Path) -> None:
    before = fgw(ledger)
    spec = NewTask(
        unit="fgw",
        title="新任务",
        due="2026-12-31",
        owner="赵某",
        partners=("zjj,cgj",),
        target_value="5",
        target_unit="个",
        metric="项目数",
    )
    assert new(run_of(ledger), spec) == 0
    removed, added = changes(before, fgw(ledger))
    assert removed == []
    assert added == [
        "\n",
        "  - id: XM-003\n",
        "    title: 新任务\n",
        "    partners: [zjj, cgj]\n",
        "    owner: 赵某\n",
        "    due: 2026-12-31\n",
        "    target: {metric: 项目数, value: 5, unit: 个}\n",
    ]


def test_new_chinese_keys_crlf(ledger: Path) -> None:
    before = cg(ledger)
    assert (
        new(run_of(ledger), NewTask(unit="城关镇", title="新任务", due="年底", parent="XM-001"))
        == 0
    )
    removed, added = changes(before, cg(ledger))
    assert removed == []
    assert added == [
        "\r\n",
        "  - 编号: CG-03\r\n",
        "    任务: 新任务\r\n",
        "    时限: 年底\r\n",
        "    上级任务: XM-001\r\n",
    ]


def test_new_creates_a_file_like_its_peers(ledger: Path) -> None:
    assert new(run_of(ledger), NewTask(unit="dongtun", title="东屯任务", due="2026-12-31")) == 0
    made = (ledger / "ledgers" / "乡镇" / "东屯镇.yaml").read_bytes()
    assert (
        made
        == (
            "\ufeff# 东屯镇 任务台账\r\n责任单位: dongtun\r\n任务清单:\r\n  - 编号: DONGTUN-01\r\n"
            "    任务: 东屯任务\r\n    时限: 2026-12-31\r\n"
        ).encode()
    )


@pytest.mark.parametrize(
    "spec",
    [
        NewTask(unit="nosuch", title="x", due="2026-12-31"),
        NewTask(unit="fgw", title="x", due="2026-13-01"),
        NewTask(unit="fgw", title="x", due="2026-12-31", parent="NOPE-1"),
        NewTask(unit="fgw", title="x", due="2026-12-31", partners=("nosuch",)),
        NewTask(unit="fgw", title="x", due="2026-12-31", id="CG-01"),
    ],
)
def test_new_refusals(ledger: Path, spec: NewTask) -> None:
    before = fgw(ledger)
    assert new(run_of(ledger), spec) == 1
    assert fgw(ledger) == before


# -- fmt ----------------------------------------------------------------------------------


def test_fmt_check_and_write(ledger: Path) -> None:
    path = ledger / "ledgers" / "fgw.yaml"
    path.write_text(
        FGW.replace("    owner:   张某某       # odd spacing kept\n", "").replace(
            "    supervision: 跟踪督办\n", "    supervision: 跟踪督办\n    owner: 张某某  # moved\n"
        ),
        encoding="utf-8",
    )
    r = run_of(ledger)
    assert fmt(r, check=True) == 1
    assert "owner" in r.out.getvalue()  # type: ignore[union-attr]
    assert fmt(run_of(ledger)) == 0
    text = path.read_text(encoding="utf-8")
    assert text.index("owner: 张某某  # moved") < text.index("start:")
    assert "# 下一条进展请写在这里" in text
    assert fmt(run_of(ledger), check=True) == 0
    assert cg(ledger).startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in cg(ledger) and b"\n" not in cg(ledger).replace(b"\r\n", b"")


def test_fmt_reports_its_own_defect_per_file_and_goes_on(ledger: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A formatter bug is not passed off as "would change what it says": it is said to be
    an internal error, that file is left alone, the others are formatted, and the exit
    status is 2 (the command could not do its work)."""
    import sanzhua.edit.fmt as fmt_module

    real = fmt_module.format_text
    fgw_path = ledger / "ledgers" / "fgw.yaml"
    before = fgw_path.read_bytes()
    others = {p: p.read_bytes() for p in (ledger / "ledgers").rglob("*.y*ml") if p != fgw_path}

    def broken(text: str, year: int, normalize: bool = False, lines: list[str] | None = None) -> str:
        if "fgw" in text or "发改" in text:
            raise IndexError("list index out of range")
        return real(text, year, normalize, lines)

    monkeypatch.setattr(fmt_module, "format_text", broken)
    r = run_of(ledger)
    assert fmt(r, normalize_dates=True) == 2
    said = r.err.getvalue()  # type: ignore[union-attr]
    assert "内部错误" in said and "ledgers/fgw.yaml" in said and "IndexError" in said and "请连同" in said
    assert "会改变内容含义" not in said
    assert fgw_path.read_bytes() == before
    assert any(p.read_bytes() != data for p, data in others.items())  # the others were formatted


def test_fmt_normalize_dates(ledger: Path) -> None:
    assert fmt(run_of(ledger), normalize_dates=True) == 0
    assert "    due: 2026-09-30\n" in fgw(ledger).decode()


# -- CLI and git --------------------------------------------------------------------------


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True
    ).stdout


def test_cli_commit(ledger: Path) -> None:
    git(ledger, "init", "-q")
    git(ledger, "-c", "user.email=t@x", "-c", "user.name=t", "add", ".")
    git(ledger, "-c", "user.email=t@x", "-c", "user.name=t", "commit", "-q", "-m", "init")
    runner = CliRunner()
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@x",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@x",
    }
    res = runner.invoke(
        app,
        [
            "extend",
            "XM-001",
            "--to",
            "2026-11-30",
            "--approved-by",
            "王",
            "--ref",
            "延政督〔2026〕12号",
            "--root",
            str(ledger),
            "--commit",
        ],
        env=env,
    )
    assert res.exit_code == 0, res.output
    assert (
        git(ledger, "log", "-1", "--format=%s").strip()
        == "extend: XM-001 2026-09-30 → 2026-11-30 (延政督〔2026〕12号)"
    )
    assert git(ledger, "status", "--porcelain").strip() == ""
    res = runner.invoke(
        app, ["progress", "XM-001", "--percent", "150", "--note", "x", "--root", str(ledger)]
    )
    assert res.exit_code == 1


def test_cli_commit_refuses_a_dirty_file(ledger: Path) -> None:
    git(ledger, "init", "-q")
    path = ledger / "ledgers" / "fgw.yaml"
    res = CliRunner().invoke(
        app, ["done", "XM-001", "--root", str(ledger), "--commit", "--date", "2026-11-20"]
    )
    assert res.exit_code == 1
    assert path.read_bytes() == FGW.encode()


# -- new --milestone (issue 15.8) -------------------------------------------------------


def test_new_with_milestones_in_each_style(ledger: Path) -> None:
    before = fgw(ledger)
    spec = NewTask(unit="fgw", title="新任务", due="年底", milestones=("完成招标=9月底", "开工建设＝2026-10-15"))
    assert new(run_of(ledger), spec) == 0
    removed, added = changes(before, fgw(ledger))
    assert removed == []
    assert added[-4:] == [
        "    due: 年底\n",
        "    milestones:\n",
        "      - {name: 完成招标, due: 9月底}\n",
        "      - {name: 开工建设, due: 2026-10-15}\n",
    ]
    before = cg(ledger)
    assert new(run_of(ledger), NewTask(unit="城关镇", title="新任务", due="年底", milestones=("验收=12月20日",))) == 0
    removed, added = changes(before, cg(ledger))
    assert added[-2:] == ["    节点:\r\n", "      - {名称: 验收, 时限: 12月20日}\r\n"]


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("完成招标", "要写成“名称=日期”"),
        ("=9月底", "要写成“名称=日期”"),
        ("完成招标=", "要写成“名称=日期”"),
        ("完成招标=9月35日", "9月没有35日"),
        ("完成招标=尽快", "无法识别的日期"),
    ],
)
def test_new_milestone_refusals(ledger: Path, given: str, says: str) -> None:
    before = fgw(ledger)
    r = run_of(ledger)
    assert new(r, NewTask(unit="fgw", title="x", due="年底", milestones=(given,))) == 1
    assert fgw(ledger) == before
    err = r.err.getvalue()  # type: ignore[union-attr]
    assert says in err and "名称=日期" in err, err
