# ruff: noqa: E501  (long lines are part of what is tested)
"""The edit commands on nasty but valid files, judged by `git diff`: exactly the intended
lines change, byte for byte, and every refusal leaves every file as it was."""

from __future__ import annotations

import hashlib
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
from sanzhua.edit.fmt import comments, format_text

TODAY = date(2026, 11, 2)

SETTINGS = "name: 测试县\nyear: 2026\nlang: zh\nreport_every: none\n"
UNITS = textwrap.dedent("""\
    units:
      - {id: fgw, name: 县发改委, kind: 县直部门}
      - {id: zjj, name: 县住建局, kind: 县直部门}
      - {id: chengguan, name: 城关镇, kind: 乡镇}
      - {id: dongtun, name: 东屯镇, kind: 乡镇}
      - {id: czj, name: 县财政局, kind: 县直部门}
    """)

# English keys; a document start; list items not indented under their key; trailing
# comments on the lines that get edited; tabs in comments; quotes of both kinds; a block
# scalar; a task written as one flow mapping; a task without `progress:`; `progress: []`;
# one entry written without a list; a long line; a task in the middle of the file.
FGW = textwrap.dedent("""\
    ---
    # 县发改委 台账\t(tab in comment)
    unit: fgw    # 单位
    tasks:
    - id: XM-001   # first task
      title: 森林公园综合开发项目前期推进  # 标题
      owner: "张某某"
      start: 2026-03-01
      due: 2026年12月底   # 时限 trailing
      milestones:
      - {name: 完成可研批复, due: 2026-05-31, done: 2026-05-28}   # done
      - { name: 开工建设 , due: 2026-09-30 }  # not yet
      target: {metric: 完成投资, value: 50000, unit: 万元}
      progress:
      - {date: 2026-06-05, value: 12000, note: 可研已批复}  # 第一条
      # 下一条写这里\ttab
      supervision: 跟踪督办  # 方式
    - id: XM-002
      title: '重点项目申报'
      due: "2026-12-31"    # quoted
      progress:
          -   date: 2026-10-01
              percent: 40
              note: |
                  完成筛选
                  第二行
      tags: [重点项目]
    - {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}]}   # flow task
    - id: XM-004
      title: 没有进展键的任务 # comment
      due: 年底
      status: active   # st
    - id: XM-005
      title: 空进展列表
      due: 2026-11-30
      progress: []    # empty
    - id: XM-006
      title: 一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的标题
      due: 2026-12-31
      progress:
      - {date: 2026-09-01, percent: 20, note: "引号 'single' inside"}
    - id: XM-007
      title: 单条进展
      due: 2026-12-31
      progress: {date: 2026-10-01, percent: 10}  # one
    """).encode()

# Chinese keys, a BOM, CRLF, 4-space indentation, blank lines between tasks, and the
# file ending in a progress list without a final newline.
CG = (
    "\ufeff# 城关镇 任务台账\r\n责任单位: chengguan\r\n任务清单:\r\n"
    "    - 编号: CG-01   # 第一\r\n      任务: 城关镇引进工业项目1个\r\n"
    "      时限: 2026年12月31日  # 时限\r\n      状态: 推进中\r\n      节点:\r\n"
    "        - {名称: 签约, 时限: 2026-10-31}\r\n      进展:\r\n"
    "        - {日期: 2026-06-30, 进度: 30}   # 上次\r\n\r\n"
    "    - 编号: CG-02\r\n      任务: 城关镇完成市外内资1.5亿元\r\n      时限: 年底\r\n\r\n"
    "    - 编号: CG-03\r\n      任务: 最后一个\r\n      时限: 2026-12-31\r\n      进展:\r\n"
    "        - {日期: 2026-07-01, 进度: 10, 情况: 最后}"
).encode()

# The whole task list as one flow sequence.
DT = (
    b"unit: dongtun\n"
    b"tasks: [{id: DT-01, title: \xe4\xb8\x9c\xe5\xb1\xaf\xe4\xbb\xbb\xe5\x8a\xa1, due: 2026-12-31}, "
    b"{id: DT-02, title: DT2, due: 2026-12-31, progress: []}]   # all flow\n"
)

FILES = {"ledgers/fgw.yaml": FGW, "ledgers/chengguan.yaml": CG, "ledgers/dongtun.yaml": DT}


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.email=t@x", "-c", "user.name=t", *args],
        check=True,
        capture_output=True,
    ).stdout.decode("utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    (tmp_path / "units.yaml").write_text(UNITS, encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    for rel, data in FILES.items():
        (tmp_path / rel).write_bytes(data)
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "init")
    return tmp_path


def run_of(root: Path, **kw: object) -> EditRun:
    return EditRun(root, TODAY, out=io.StringIO(), err=io.StringIO(), **kw)  # type: ignore[arg-type]


def diff(root: Path) -> list[str]:
    """`git diff -U0`'s changed lines, `-`/`+` and the text (a CR shown as `\\r`)."""
    out = git(root, "diff", "-U0", "--no-color", "--no-ext-diff")
    return [
        line.replace("\r", "\\r")
        for line in out.split("\n")
        if line and line[0] in "+-\\" and not line.startswith(("+++", "---"))
    ]


def status(root: Path) -> str:
    return git(root, "status", "--porcelain")


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted((root / "ledgers").rglob("*")):
        if p.is_file():
            h.update(p.as_posix().encode() + p.read_bytes())
    return h.hexdigest()


# -- progress ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tid", "kw", "want"),
    [
        (  # an indentless flow list, a comment after it at the key's column
            "XM-001",
            {"value": "20000", "note": "用地手续办结"},
            ["+  - {date: 2026-11-01, value: 20000, note: 用地手续办结}"],
        ),
        (  # block entries with odd spacing and a block scalar last
            "XM-002",
            {"percent": "60", "note": "完成"},
            ["+      -   date: 2026-11-01", "+          percent: 60", "+          note: 完成"],
        ),
        (  # the whole task in one flow mapping, a trailing comment
            "XM-003",
            {"percent": "50", "note": "x"},
            [
                "-- {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}]}   # flow task",
                "+- {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}, {date: 2026-11-01, percent: 50, note: x}]}   # flow task",
            ],
        ),
        (  # no progress key yet: it goes in FORMAT.md's place, before status
            "XM-004",
            {"percent": "50", "note": "首次"},
            ["+  progress:", "+  - {date: 2026-11-01, percent: 50, note: 首次}"],
        ),
        (
            "XM-005",
            {"percent": "50", "note": "首次"},
            [
                "-  progress: []    # empty",
                "+  progress: [{date: 2026-11-01, percent: 50, note: 首次}]    # empty",
            ],
        ),
        (  # a note YAML would misread is quoted; --by
            "XM-006",
            {"percent": "50", "note": "带'引号\"的 note: yes", "by": "李四"},
            ["+  - {date: 2026-11-01, percent: 50, note: '带''引号\"的 note: yes', by: 李四}"],
        ),
        (  # one entry written without a list becomes a list of two, on its own line
            "XM-007",
            {"percent": "20", "note": "再一条"},
            [
                "-  progress: {date: 2026-10-01, percent: 10}  # one",
                "+  progress: [{date: 2026-10-01, percent: 10}, {date: 2026-11-01, percent: 20, note: 再一条}]  # one",
            ],
        ),
        (  # Chinese keys, CRLF kept on the new line
            "CG-01",
            {"percent": "50", "note": "进展"},
            ["+        - {日期: 2026-11-01, 进度: 50, 情况: 进展}\\r"],
        ),
        (
            "CG-02",
            {"percent": "50", "note": "进展"},
            ["+      进展:\\r", "+        - {日期: 2026-11-01, 进度: 50, 情况: 进展}\\r"],
        ),
        (  # the last line of the file had no newline: it gains one, the new line has none
            "CG-03",
            {"percent": "50", "note": "进展"},
            [
                "-        - {日期: 2026-07-01, 进度: 10, 情况: 最后}",
                "\\ No newline at end of file",
                "+        - {日期: 2026-07-01, 进度: 10, 情况: 最后}\\r",
                "+        - {日期: 2026-11-01, 进度: 50, 情况: 进展}",
                "\\ No newline at end of file",
            ],
        ),
        (
            "DT-02",
            {"percent": "50", "note": "进展"},
            [
                "-tasks: [{id: DT-01, title: 东屯任务, due: 2026-12-31}, {id: DT-02, title: DT2, due: 2026-12-31, progress: []}]   # all flow",
                "+tasks: [{id: DT-01, title: 东屯任务, due: 2026-12-31}, {id: DT-02, title: DT2, due: 2026-12-31, progress: [{date: 2026-11-01, percent: 50, note: 进展}]}]   # all flow",
            ],
        ),
    ],
)
def test_progress_diff_is_exactly_the_new_entry(
    repo: Path, tid: str, kw: dict[str, str], want: list[str]
) -> None:
    r = run_of(repo)
    assert progress(r, tid, when="2026-11-01", **kw) == 0, r.err.getvalue()  # type: ignore[union-attr]
    assert diff(repo) == want
    assert (repo / "ledgers/chengguan.yaml").read_bytes().startswith(b"\xef\xbb\xbf")


# -- done ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tid", "milestone", "want"),
    [
        ("XM-001", None, ["+  done: 2026-11-01"]),
        (  # status set in place, its trailing comment kept
            "XM-004",
            None,
            ["-  status: active   # st", "+  status: done   # st", "+  done: 2026-11-01"],
        ),
        (
            "XM-003",
            None,
            [
                "-- {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}]}   # flow task",
                "+- {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}], done: 2026-11-01}   # flow task",
            ],
        ),
        (
            "CG-01",
            None,
            ["-      状态: 推进中\\r", "+      状态: 已完成\\r", "+      完成: 2026-11-01\\r"],
        ),
        (
            "XM-001",
            "开工建设",
            [
                "-  - { name: 开工建设 , due: 2026-09-30 }  # not yet",
                "+  - { name: 开工建设 , due: 2026-09-30, done: 2026-11-01 }  # not yet",
            ],
        ),
        (
            "CG-01",
            "签约",
            [
                "-        - {名称: 签约, 时限: 2026-10-31}\\r",
                "+        - {名称: 签约, 时限: 2026-10-31, 完成: 2026-11-01}\\r",
            ],
        ),
    ],
)
def test_done_diff(repo: Path, tid: str, milestone: str | None, want: list[str]) -> None:
    r = run_of(repo)
    assert done(r, tid, when="2026-11-01", milestone=milestone) == 0, r.err.getvalue()  # type: ignore[union-attr]
    assert diff(repo) == want


def test_keys_written_empty_take_the_first_entry(repo: Path) -> None:
    path = repo / "ledgers/fgw.yaml"
    path.write_bytes(
        FGW + "- id: XM-010\n  title: 空键\n  due: 2026-12-31\n  progress:\n"
        "  extensions: ~   # 无\n  supervision: 电话督办\n".encode()
    )
    git(repo, "commit", "-qam", "empty keys")
    assert progress(run_of(repo), "XM-010", percent="5", note="x", when="2026-11-01") == 0
    assert diff(repo) == ["+  - {date: 2026-11-01, percent: 5, note: x}"]
    git(repo, "checkout", "-q", ".")
    r = run_of(repo)
    assert extend(r, "XM-010", to="2027-01-31", approved_by="a", ref="b", when="2026-11-01") == 0
    assert diff(repo) == [
        "-  due: 2026-12-31",
        "+  due: 2027-01-31",
        "-  extensions: ~   # 无",
        "+  extensions:   # 无",
        "+  - {from: 2026-12-31, to: 2027-01-31, approved_by: a, ref: b, date: 2026-11-01}",
    ]


def test_done_twice_changes_nothing(repo: Path) -> None:
    assert done(run_of(repo), "XM-004", when="2026-11-01") == 0
    before = digest(repo)
    r = run_of(repo)
    assert done(r, "XM-004", when="2026-11-01") == 0
    assert digest(repo) == before
    assert "无需修改" in r.out.getvalue()  # type: ignore[union-attr]


# -- extend --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tid", "to", "want"),
    [
        (
            "XM-001",
            "2027-03-31",
            [
                "-  due: 2026年12月底   # 时限 trailing",
                "+  due: 2027-03-31   # 时限 trailing",
                "+  extensions:",
                "+  - {from: 2026年12月底, to: 2027-03-31, approved_by: 县长, ref: 延政〔2026〕1号, date: 2026-11-01}",
            ],
        ),
        (  # the deadline as the clerk typed it
            "XM-002",
            "2027年3月底",
            [
                '-  due: "2026-12-31"    # quoted',
                "+  due: 2027年3月底    # quoted",
                "+  extensions:",
                '+  - {from: "2026-12-31", to: 2027年3月底, approved_by: 县长, ref: 延政〔2026〕1号, date: 2026-11-01}',
            ],
        ),
        (
            "XM-003",
            "2027-03-31",
            [
                "-- {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}]}   # flow task",
                "+- {id: XM-003, title: 全流式任务, due: 2027-03-31, progress: [{date: 2026-10-01, percent: 10}], extensions: [{from: 2026-12-31, to: 2027-03-31, approved_by: 县长, ref: 延政〔2026〕1号, date: 2026-11-01}]}   # flow task",
            ],
        ),
        (
            "CG-02",
            "2027年上半年",
            [
                "-      时限: 年底\\r",
                "+      时限: 2027年上半年\\r",
                "+      延期:\\r",
                "+        - {原时限: 年底, 新时限: 2027年上半年, 批准人: 县长, 文号: 延政〔2026〕1号, 日期: 2026-11-01}\\r",
            ],
        ),
        (
            "CG-03",
            "2027-01-31",
            [
                "-      时限: 2026-12-31\\r",
                "+      时限: 2027-01-31\\r",
                "-        - {日期: 2026-07-01, 进度: 10, 情况: 最后}",
                "\\ No newline at end of file",
                "+        - {日期: 2026-07-01, 进度: 10, 情况: 最后}\\r",
                "+      延期:\\r",
                "+        - {原时限: 2026-12-31, 新时限: 2027-01-31, 批准人: 县长, 文号: 延政〔2026〕1号, 日期: 2026-11-01}",
                "\\ No newline at end of file",
            ],
        ),
    ],
)
def test_extend_diff(repo: Path, tid: str, to: str, want: list[str]) -> None:
    r = run_of(repo)
    code = extend(r, tid, to=to, approved_by="县长", ref="延政〔2026〕1号", when="2026-11-01")
    assert code == 0, r.err.getvalue()  # type: ignore[union-attr]
    assert diff(repo) == want


# -- new -----------------------------------------------------------------------------------


def test_new_in_an_indentless_file(repo: Path) -> None:
    r = run_of(repo)
    assert new(r, NewTask(unit="fgw", title="新任务", due="年底", owner="王五")) == 0
    assert diff(repo) == ["+- id: XM-008", "+  title: 新任务", "+  owner: 王五", "+  due: 年底"]


def test_new_in_a_crlf_file_with_blank_lines_between_tasks(repo: Path) -> None:
    spec = NewTask(
        unit="城关镇", title="新任务", due="2026-12-31", target_value="100", target_unit="万元"
    )
    assert new(run_of(repo), spec) == 0
    assert diff(repo) == [
        "-        - {日期: 2026-07-01, 进度: 10, 情况: 最后}",
        "\\ No newline at end of file",
        "+        - {日期: 2026-07-01, 进度: 10, 情况: 最后}\\r",
        "+\\r",
        "+    - 编号: CG-04\\r",
        "+      任务: 新任务\\r",
        "+      时限: 2026-12-31\\r",
        "+      目标: {目标值: 100, 单位: 万元}",
        "\\ No newline at end of file",
    ]


def test_new_in_a_flow_task_list(repo: Path) -> None:
    assert new(run_of(repo), NewTask(unit="dongtun", title="新任务", due="2026-12-31")) == 0
    assert diff(repo)[1].endswith(
        "progress: []}, {id: DT-03, title: 新任务, due: 2026-12-31}]   # all flow"
    )


def test_new_creates_the_units_file(repo: Path) -> None:
    r = run_of(repo, commit=True)
    assert new(r, NewTask(unit="zjj", title="住建新任务", due="2026-12-31", partners=("fgw,czj",))) == 0
    assert (repo / "ledgers/zjj.yaml").read_text(encoding="utf-8") == (
        "unit: zjj\ntasks:\n- id: ZJJ-001\n  title: 住建新任务\n  partners: [fgw, czj]\n  due: 2026-12-31\n"
    )
    assert git(repo, "log", "-1", "--format=%s").strip() == "new: ZJJ-001 住建新任务"
    assert status(repo) == ""


# -- refusals ------------------------------------------------------------------------------

BAD: list[tuple[list[str], str]] = [
    (["progress", "XM-999", "--percent", "10", "--note", "x"], "没有编号为“XM-999”"),
    (["progress", "xm-001", "--percent", "10", "--note", "x"], "是不是“XM-001”"),
    (["progress", "XM-001", "--percent", "150", "--note", "x"], "超出了 0–100"),
    (["progress", "XM-001", "--percent", "-5", "--note", "x"], "超出了 0–100"),
    (["progress", "XM-001", "--percent", "abc", "--note", "x"], "不是数字"),
    (["progress", "XM-001", "--percent", "10", "--value", "3"], "只能填一个"),
    (["progress", "XM-001", "--note", "  "], "没有内容"),
    (["progress", "XM-001", "--note", "x", "--date", "2026-02-30"], "2026年2月没有30日"),
    (["progress", "XM-001", "--note", "x", "--date", "明天"], "无法识别的日期“明天”"),
    (["done", "XM-999"], "没有编号为“XM-999”"),
    (["done", "XM-001", "--date", "2026-13-01"], "不存在13月"),
    (["done", "XM-001", "--date", "2026-01-01"], "早于开始日期"),
    (["done", "XM-001", "--milestone", "不存在"], "没有名为“不存在”的节点"),
    (["extend", "XM-001", "--to", "2026-01-01", "--approved-by", "x", "--ref", "y"], "不是延期"),
    (["extend", "XM-001", "--to", "2026-02-30", "--approved-by", "x", "--ref", "y"], "没有30日"),
    (["extend", "XM-001", "--to", "2027-01-31", "--approved-by", " ", "--ref", "y"], "不能为空"),
    (["extend", "XM-404", "--to", "2027-01-31", "--approved-by", "x", "--ref", "y"], "XM-404"),
    (["new", "--unit", "nosuch", "--title", "x", "--due", "年底"], "没有单位“nosuch”"),
    (["new", "--unit", "fgw", "--title", "x", "--due", "2026-02-30"], "没有30日"),
    (["new", "--unit", "fgw", "--title", " ", "--due", "年底"], "--title 不能为空"),
    (["new", "--unit", "fgw", "--title", "x", "--due", "年底", "--id", "CG-01"], "重复"),
]


@pytest.mark.parametrize(("args", "says"), BAD)
def test_bad_input_is_refused_with_exit_1_and_nothing_changes(
    repo: Path, args: list[str], says: str
) -> None:
    before = digest(repo)
    res = CliRunner().invoke(app, [*args, "--root", str(repo)])
    assert res.exit_code == 1, res.output
    assert says in res.output
    assert "文件未作任何改动" in res.output
    assert "Traceback" not in res.output
    assert digest(repo) == before
    assert status(repo) == ""


@pytest.mark.parametrize(
    "broken",
    [
        b"unit: fgw\ntasks:\n- id: XM-001\n  title: [broken\n",  # not YAML
        b"unit: fgw\ntasks:\n- id: XM-001\n  titl: x\n  due: 2026-12-31\n",  # unknown key
        FGW.replace(b"due: 2026-11-30", b"due: 2026-02-30"),  # a date that does not exist
        FGW + b"\xff\xfe\n",  # not UTF-8
    ],
)
@pytest.mark.parametrize(
    "args",
    [
        ["progress", "XM-001", "--percent", "10", "--note", "x"],
        ["done", "XM-001"],
        ["extend", "XM-001", "--to", "2027-06-30", "--approved-by", "x", "--ref", "y"],
        ["new", "--unit", "fgw", "--title", "x", "--due", "年底"],
    ],
)
def test_a_file_that_is_invalid_is_not_edited(repo: Path, broken: bytes, args: list[str]) -> None:
    path = repo / "ledgers/fgw.yaml"
    path.write_bytes(broken)
    before = digest(repo)
    res = CliRunner().invoke(app, [*args, "--root", str(repo)])
    assert res.exit_code == 1, res.output
    assert "ledgers/fgw.yaml" in res.output and "有错误" in res.output, res.output
    assert digest(repo) == before


def test_a_file_changed_in_between_is_not_overwritten(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sanzhua.commands.edit as E

    path = repo / "ledgers/chengguan.yaml"
    real = E.write_atomic

    def meddle(p: Path, data: bytes, expected: bytes | None) -> None:
        path.write_bytes(CG + "\r\n# 另一人的修改".encode())
        real(p, data, expected)

    monkeypatch.setattr(E, "write_atomic", meddle)
    r = run_of(repo)
    assert progress(r, "CG-01", percent="40", note="x") == 1
    assert path.read_bytes() == CG + "\r\n# 另一人的修改".encode()
    assert "在读取后被修改过" in r.err.getvalue()  # type: ignore[union-attr]


def test_dry_run_everywhere_writes_nothing(repo: Path) -> None:
    before = digest(repo)
    cmds = [
        ["progress", "CG-03", "--percent", "50", "--note", "x"],
        ["done", "XM-004"],
        ["done", "XM-001", "--milestone", "开工建设"],
        ["extend", "XM-002", "--to", "2027-06-30", "--approved-by", "x", "--ref", "y"],
        ["new", "--unit", "zjj", "--title", "x", "--due", "年底"],
        ["fmt"],
    ]
    for args in cmds:
        res = CliRunner().invoke(app, [*args, "--root", str(repo), "--dry-run", "--commit"])
        assert res.exit_code == 0, res.output
        assert "+" in res.output
    assert digest(repo) == before
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"


def test_commit_message_is_one_conventional_line(repo: Path) -> None:
    res = CliRunner().invoke(
        app,
        [
            *("progress", "XM-001", "--percent", "10", "--note", "第一行\n第二行"),
            *("--root", str(repo), "--date", "2026-11-01", "--commit"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert git(repo, "log", "-1", "--format=%B").strip() == "progress: XM-001 10% 第一行 第二行"
    assert status(repo) == ""
    assert git(repo, "show", "--stat", "--format=", "HEAD").strip().startswith("ledgers/fgw.yaml")
    res = CliRunner().invoke(
        app,
        [
            *("extend", "CG-02", "--to", "2027-06-30", "--approved-by", "县长"),
            *("--ref", "延政〔2026〕1号", "--date", "2026-11-01", "--commit", "--root", str(repo)),
        ],
    )
    assert res.exit_code == 0, res.output
    assert (
        git(repo, "log", "-1", "--format=%s").strip()
        == "extend: CG-02 2026-12-31 → 2027-06-30 (延政〔2026〕1号)"
    )


# -- fmt -----------------------------------------------------------------------------------

FGW_FORMATTED = textwrap.dedent("""\
    ---
    # 县发改委 台账\t(tab in comment)
    unit: fgw    # 单位
    tasks:
      - id: XM-001   # first task
        title: 森林公园综合开发项目前期推进  # 标题
        owner: "张某某"
        start: 2026-03-01
        due: 2026年12月底   # 时限 trailing
        milestones:
          - {name: 完成可研批复, due: 2026-05-31, done: 2026-05-28}   # done
          - {name: 开工建设, due: 2026-09-30}  # not yet
        target: {metric: 完成投资, value: 50000, unit: 万元}
        progress:
          - {date: 2026-06-05, value: 12000, note: 可研已批复}  # 第一条
        # 下一条写这里\ttab
        supervision: 跟踪督办  # 方式
      - id: XM-002
        title: '重点项目申报'
        due: "2026-12-31"    # quoted
        progress:
          - date: 2026-10-01
            percent: 40
            note: |
              完成筛选
              第二行
        tags: [重点项目]
      - {id: XM-003, title: 全流式任务, due: 2026-12-31, progress: [{date: 2026-10-01, percent: 10}]}   # flow task
      - id: XM-004
        title: 没有进展键的任务 # comment
        due: 年底
        status: active   # st
      - id: XM-005
        title: 空进展列表
        due: 2026-11-30
        progress: []    # empty
      - id: XM-006
        title: 一个很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长的标题
        due: 2026-12-31
        progress:
          - {date: 2026-09-01, percent: 20, note: "引号 'single' inside"}
      - id: XM-007
        title: 单条进展
        due: 2026-12-31
        progress: {date: 2026-10-01, percent: 10}  # one
    """)

NASTY = textwrap.dedent("""\
    # 头部注释

    unit: zjj

    # 任务开始
    tasks:

        # 第一个任务的说明
        - title: 任务一      # 对齐的注释
          id: ZJ-01
          due: 2026-12-31    # 对齐的注释2
          progress:
              - note: >
                    折叠的
                    文字
                date: 2026-10-01   # 日期

              # 属于上一条的注释
        # 第二个任务前的注释
        - id: ZJ-02
          status: active
          title: "任务二 # 不是注释"
          owner: 'O''Brien'
          due: 9月底
          progress: [
              {percent: 10, date: 2026-09-01},  # 流内注释
              {date: 2026-09-15, percent: 20}
          ]
          tags:
          - a
          - b
    # 文件末尾注释
    """)

NASTY_FORMATTED = textwrap.dedent("""\
    # 头部注释

    unit: zjj

    # 任务开始
    tasks:
      # 第一个任务的说明
      - id: ZJ-01
        title: 任务一      # 对齐的注释
        due: 2026-12-31    # 对齐的注释2
        progress:
          - date: 2026-10-01   # 日期
            note: >
              折叠的
              文字
          # 属于上一条的注释
      # 第二个任务前的注释
      - id: ZJ-02
        title: "任务二 # 不是注释"
        owner: 'O''Brien'
        due: 9月底
        progress: [
            {percent: 10, date: 2026-09-01},  # 流内注释
            {date: 2026-09-15, percent: 20}
        ]
        status: active
        tags:
          - a
          - b
    # 文件末尾注释
    """)


def test_fmt_lays_out_the_nasty_files_and_keeps_every_comment(repo: Path) -> None:
    assert format_text(FGW.decode(), 2026) == FGW_FORMATTED
    assert format_text(NASTY, 2026) == NASTY_FORMATTED
    for text in (FGW.decode(), NASTY, CG.decode("utf-8-sig").replace("\r\n", "\n")):
        once = format_text(text, 2026)
        assert format_text(once, 2026) == once
        assert comments(once) == comments(text)


def test_fmt_check_then_write_keeps_bom_crlf_and_is_idempotent(repo: Path) -> None:
    (repo / "ledgers/zjj.yaml").write_text(NASTY, encoding="utf-8")
    r = run_of(repo)
    assert fmt(r, check=True) == 1
    assert "-    - id: ZJ-02" in r.out.getvalue()  # type: ignore[union-attr]
    assert "需要整理" in r.err.getvalue()  # type: ignore[union-attr]
    assert status(repo).strip() == "?? ledgers/zjj.yaml"
    assert fmt(run_of(repo)) == 0
    assert (repo / "ledgers/zjj.yaml").read_text(encoding="utf-8") == NASTY_FORMATTED
    assert (repo / "ledgers/fgw.yaml").read_bytes() == FGW_FORMATTED.encode()
    data = (repo / "ledgers/chengguan.yaml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    # Only the indentation (4 → 2) and 状态 moved to its place after 进展.
    assert data.decode("utf-8-sig").split("\r\n")[3:11] == [
        "  - 编号: CG-01   # 第一",
        "    任务: 城关镇引进工业项目1个",
        "    时限: 2026年12月31日  # 时限",
        "    节点:",
        "      - {名称: 签约, 时限: 2026-10-31}",
        "    进展:",
        "      - {日期: 2026-06-30, 进度: 30}   # 上次",
        "    状态: 推进中",
    ]
    r = run_of(repo)
    assert fmt(r, check=True) == 0
    assert "4 个文件格式规范" in r.out.getvalue()  # type: ignore[union-attr]


def test_fmt_normalize_dates_changes_only_dates(repo: Path) -> None:
    assert fmt(run_of(repo)) == 0
    git(repo, "commit", "-qam", "fmt")
    assert fmt(run_of(repo), normalize_dates=True) == 0
    assert diff(repo) == [
        "-    时限: 2026年12月31日  # 时限\\r",
        "+    时限: 2026-12-31  # 时限\\r",
        "-    时限: 年底\\r",
        "+    时限: 2026-12-31\\r",
        "-    due: 2026年12月底   # 时限 trailing",
        "+    due: 2026-12-31   # 时限 trailing",
        "-    due: 年底",
        "+    due: 2026-12-31",
    ]


def test_fmt_refuses_an_invalid_file_and_check_fails(repo: Path) -> None:
    path = repo / "ledgers/fgw.yaml"
    path.write_bytes(FGW.replace(b"due: 2026-11-30", b"due: 2026-02-30"))
    r = run_of(repo)
    assert fmt(r) == 1  # the other files are laid out; this one is left as it is
    assert "ledgers/fgw.yaml 有错误" in r.err.getvalue()  # type: ignore[union-attr]
    assert path.read_bytes() == FGW.replace(b"due: 2026-11-30", b"due: 2026-02-30")
    assert fmt(run_of(repo), check=True) == 1


SWAP = """\
import os, sys
from pathlib import Path
from sanzhua.edit import session
path, kind = Path(sys.argv[1]), sys.argv[2]
expected = path.read_bytes()
real_chmod = os.chmod


def swap(p, mode, **kw):  # right before the last look: the file becomes a FIFO or a link
    real_chmod(p, mode, **kw)
    if str(p) != str(path):
        os.unlink(path)
        os.mkfifo(path) if kind == "fifo" else os.symlink("/dev/zero", path)


os.chmod = swap
try:
    session.write_atomic(path, expected + b"# new\\n", expected)
except session.Refused as e:
    print("refused:", e)
"""


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_file_swapped_mid_edit_for_a_fifo_or_a_link_to_dev_zero_is_refused(tmp_path: Path, kind: str) -> None:
    """The last look before the replace read the file through links and without a bound:
    swapped mid-edit for a FIFO it waited for ever, for a link to /dev/zero it read until
    memory ran out (p-red3b). Now read without following a link or waiting, at most one
    byte past what it must hold, and refused by name; no temporary file is left."""
    import os
    import resource
    import sys

    from tests.conftest import REPO

    led = tmp_path / "ledgers"
    led.mkdir()
    path = led / "fgw.yaml"
    path.write_text("unit: fgw\ntasks: []\n", encoding="utf-8")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    done = subprocess.run(
        [sys.executable, "-c", SWAP, str(path), kind], capture_output=True, text=True, timeout=30,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")}, preexec_fn=limit,
    )  # fmt: skip
    assert done.returncode == 0 and "refused:" in done.stdout, done.stdout + done.stderr
    assert "not-regular" in done.stdout, done.stdout
    assert [p.name for p in led.iterdir()] == ["fgw.yaml"]
