"""A held-out style audit: a ledger repository scripted commit by commit, every abuse
hidden among honest commits, and the exact findings asserted.

The history has four units and two supervisors, Chinese file and folder names, a
file in Chinese keys, renames and moves, reformatting (key order, flow and block
style, Chinese and English keys, CRLF and a byte-order mark), YAML syntax errors
and their fixes, clean merges, a conflict resolved honestly, a merge across a
rename, a merge whose resolution moves a deadline, and signed commits (SSH keys)
with one unsigned. `build()` returns the commit of every subject.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

import sanzhua as sanzhua_pkg
from sanzhua.commands.audit import audit
from sanzhua.commands.codeowners import codeowners
from sanzhua.history.audit import collect
from sanzhua.history.timeline import history
from sanzhua.problems import Msg

SRC = str(Path(sanzhua_pkg.__file__).resolve().parent.parent)

SUP = "ducha@yanjin.gov.cn"
SUP2 = "mubiaoban@yanjin.gov.cn"
FGW = "clerk@fgw.gov.cn"
FGW2 = "clerk2@fgw.gov.cn"
JTJ = "clerk@jtj.gov.cn"
ZRZ = "clerk@zrzyj.gov.cn"
CG = "clerk@chengguan.gov.cn"
EVERYONE = (SUP, SUP2, FGW, FGW2, JTJ, ZRZ, CG)

SETTINGS = """\
name: 测试县“三抓两促”活动
year: 2026
lang: zh
supervisors: [ducha@yanjin.gov.cn, mubiaoban@yanjin.gov.cn]
"""

UNITS = """\
units:
  - {id: fgw, name: 县发改委, editors: [clerk@fgw.gov.cn]}
  - {id: jtj, name: 县交通局, editors: [clerk@jtj.gov.cn]}
  - {id: zrzyj, name: 县自然资源局, editors: [clerk@zrzyj.gov.cn]}
  - {id: chengguan, name: 城关镇, kind: 乡镇, editors: [clerk@chengguan.gov.cn]}
"""

FGW_FILE = """\
unit: fgw
tasks:
  - id: XM-001
    title: 森林公园综合开发项目前期推进
    owner: 张某某
    leader: 赵某某
    start: 2026-01-01
    due: 2026-09-30
    milestones:
      - {name: 完成可研批复, due: 2026-05-31}
      - {name: 开工建设, due: 2026-08-31}
    target: {metric: 完成投资, value: 50000, unit: 万元}
    progress:
      - {date: 2026-02-27, value: 1000, note: 启动前期工作}
  - id: XM-002
    title: 工业园区标准化厂房建设
    owner: 李某某
    due: 9月底
  - id: XM-003
    title: 招商引资项目签约
    owner: 王某某
    due: 2026-11-30
  - id: XM-006
    title: 高铁站前广场配套道路
    lead: jtj
    partners: [fgw]
    owner: 赵某某
    due: 2026-12-31
"""

JTJ_FILE = """\
unit: jtj
tasks:
  - id: JT-001
    title: 县城道路绿化
    owner: 孙某某
    due: 年底
    progress:
      - {date: 2026-02-25, percent: 5, note: 完成设计}
  - id: JT-002
    title: 农村公路危桥改造
    owner: 周某某
    due: 2026-10-31
"""

JTJ_CHINESE = """\
责任单位: jtj
任务清单:
  - 编号: JT-001
    任务: 县城道路绿化
    责任人: 孙某某
    时限: 2026年年底
    进展:
      - {日期: 2026-02-25, 进度: 5, 情况: 完成设计}
      - {日期: 2026-03-07, 进度: 12, 情况: 苗木进场}
  - 编号: JT-002
    任务: 农村公路危桥改造
    责任人: 周某某
    时限: 2026年10月31日
    状态: 已取消
"""

CG_FILE = """\
责任单位: chengguan
任务清单:
  - 编号: CG-001
    任务: 老旧小区改造
    责任人: 吴某某
    时限: 2026年10月底
    节点:
      - 名称: 完成入户调查
        时限: 2026年4月30日
    目标:
      指标: 改造户数
      目标值: 800
      单位: 户
    进展:
      - 日期: 2026-02-26
        完成值: 50
        情况: 启动入户调查
  - 编号: CG-002
    任务: 背街小巷整治
    时限: 2026年三季度
"""

ZRZ_FILE = """\
unit: zrzyj
tasks:
  - id: ZR-001
    title: 土地增减挂钩项目
    due: 2026-12-31
    target: {metric: 新增耕地, value: 300, unit: 亩}
  - id: ZR-002
    title: 矿山生态修复
    due: 2026-11-30
    progress:
      - {date: 2026-02-20, percent: 10}
  - id: ZR-003
    title: 国土空间规划编制
    due: 2026-06-30
"""

FGW_PATH = "ledgers/fgw.yaml"
FGW_CN = "ledgers/县直部门/县发改委.yaml"
FGW_CN2 = "ledgers/县直部门/发展和改革委员会.yaml"
JTJ_PATH = "ledgers/jtj.yaml"
CG_PATH = "ledgers/乡镇/城关镇.yaml"
ZRZ_PATH = "ledgers/zrzyj.yaml"
MINE_PATH = "ledgers/县直部门/自然资源局/矿山.yaml"
LAND_PATH = "ledgers/县直部门/自然资源局/土地.yaml"
CG_EXTRA = "ledgers/乡镇/城关镇补充.yaml"


class Repo:
    """A ledger repository in `path`, built with real git, every commit signed unless told."""

    def __init__(self, path: Path, key: Path | None) -> None:
        self.path = path
        self.key = key
        self.commits: dict[str, str] = {}
        path.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")
        self.git("config", "merge.conflictStyle", "merge")
        if key is not None:
            allowed = path.parent / "allowed_signers"
            allowed.write_text(f"{','.join(EVERYONE)} {key.with_suffix('.pub').read_text()}")
            self.git("config", "gpg.format", "ssh")
            self.git("config", "user.signingkey", str(key))
            self.git("config", "gpg.ssh.allowedSignersFile", str(allowed))
            self.git("config", "commit.gpgsign", "true")

    def git(self, *args: str, who: str = SUP, when: str = "2026-03-01", check: bool = True) -> str:
        stamp = f"{when}T10:00:00+08:00"
        name = who.split("@")[0]
        env = dict(os.environ)
        env.update(
            GIT_AUTHOR_NAME=name,
            GIT_AUTHOR_EMAIL=who,
            GIT_AUTHOR_DATE=stamp,
            GIT_COMMITTER_NAME=name,
            GIT_COMMITTER_EMAIL=who,
            GIT_COMMITTER_DATE=stamp,
            GIT_CONFIG_NOSYSTEM="1",
            HOME=str(self.path.parent),
        )
        proc = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {proc.stderr.decode()}")
        return proc.stdout.decode().strip()

    def write(self, rel: str, content: str | bytes) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content.encode() if isinstance(content, str) else content)

    def read(self, rel: str) -> str:
        return (self.path / rel).read_bytes().decode()

    def edit(self, rel: str, old: str, new: str) -> None:
        """Replace text once, in the file's own line endings."""
        text = self.read(rel)
        if "\r\n" in text:
            old, new = old.replace("\n", "\r\n"), new.replace("\n", "\r\n")
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def after(self, rel: str, anchor: str, text: str) -> None:
        """Insert text after the first `anchor`."""
        self.edit(rel, anchor, anchor + text)

    def commit(self, subject: str, who: str, when: str, *, signed: bool = True, key: Path | None = None) -> str:
        """Commit everything; `signed=False` leaves it unsigned, `key` signs with another key."""
        assert subject not in self.commits, subject
        self.git("add", "-A", who=who, when=when)
        sign = "-S" if signed and self.key is not None else "--no-gpg-sign"
        other = ["-c", f"user.signingkey={key}"] if key is not None else []
        self.git(*other, "commit", sign, "-q", "--allow-empty", "-m", subject, who=who, when=when)
        return self._record(subject)

    def merge(self, branch: str, subject: str, who: str, when: str, *, resolve: bool = False) -> str:
        """Merge `branch`; with `resolve`, stop before committing (the caller edits, then `conclude`)."""
        args = ["merge", "-q", "--no-ff", "-m", subject, branch]
        if resolve:
            args.insert(1, "--no-commit")
        self.git(*args, who=who, when=when, check=not resolve)
        if resolve:
            return ""
        return self._record(subject)

    def conclude(self, subject: str, who: str, when: str) -> str:
        self.git("add", "-A", who=who, when=when)
        self.git("commit", "-q", "-m", subject, who=who, when=when)
        return self._record(subject)

    def _record(self, subject: str) -> str:
        sha = self.git("rev-parse", "HEAD")
        self.commits[subject] = sha
        return sha


def build(path: Path, key: Path | None) -> Repo:
    """The scripted history. Subjects are unique; the abuses are marked in comments."""
    r = Repo(path, key)
    settings = SETTINGS + ("require_signed: true\n" if key is not None else "")
    r.write("sanzhua.yaml", settings)
    r.write("units.yaml", UNITS)
    r.write(FGW_PATH, FGW_FILE)
    r.write(JTJ_PATH, JTJ_FILE)
    r.write(CG_PATH, CG_FILE)
    r.write(ZRZ_PATH, ZRZ_FILE)
    r.commit("建立台账", SUP, "2026-03-01")

    xm1_progress = "      - {date: 2026-02-27, value: 1000, note: 启动前期工作}\n"
    r.edit(FGW_PATH, xm1_progress, xm1_progress + "      - {date: 2026-03-02, value: 3000, note: 用地预审}\n")
    r.commit("发改委报送第1周进展", FGW, "2026-03-03")

    cg_progress = "        情况: 启动入户调查\n"
    r.after(CG_PATH, cg_progress, "      - 日期: 2026-03-03\n        完成值: 120\n        情况: 入户调查过半\n")
    r.commit("城关镇报送进展", CG, "2026-03-04")

    r.edit(
        FGW_PATH,
        "    due: 9月底\n",
        "    due: 2026-11-30\n    extensions:\n"
        "      - {from: 2026-09-30, to: 2026年11月底, approved_by: 县政府, ref: 政督〔2026〕3号, date: 2026-03-05}\n",
    )
    r.commit("督查室批准XM-002延期", SUP, "2026-03-05")

    r.edit(FGW_PATH, "value: 50000", "value: 60000")
    r.commit("督查室调整XM-001目标", SUP2, "2026-03-06")

    # ABUSE: the deadline in a Chinese-key file moved later, hidden in a progress report
    r.edit(CG_PATH, "时限: 2026年10月底", "时限: 2026年12月底")
    r.after(CG_PATH, "        情况: 入户调查过半\n", "      - 日期: 2026-03-06\n        完成值: 200\n")
    r.commit("城关镇更新入户调查情况", CG, "2026-03-07")

    jt_progress = "      - {date: 2026-02-25, percent: 5, note: 完成设计}\n"
    r.edit(JTJ_PATH, jt_progress, jt_progress + "      - {date: 2026-03-07, percent: 12, note: 苗木进场}\n")
    r.commit("交通局报送进展", JTJ, "2026-03-08")

    r.after(JTJ_PATH, "    owner: 周某某\n", "    status: cancelled\n")
    r.commit("取消JT-002", SUP, "2026-03-09")

    (r.path / FGW_CN).parent.mkdir(parents=True, exist_ok=True)
    r.git("mv", FGW_PATH, FGW_CN)
    r.commit("台账文件改用中文名", FGW, "2026-03-10")

    # ABUSE: a milestone's deadline moved later by a supervisor, with no extension entry
    r.edit(FGW_CN, "{name: 开工建设, due: 2026-08-31}", "{name: 开工建设, due: 2026-09-30}")
    r.commit("督查室调整节点", SUP, "2026-03-11")

    r.edit(
        FGW_CN,
        "      - {name: 完成可研批复, due: 2026-05-31}\n",
        "      - {name: 完成可研批复, due: 2026-06-30}\n",
    )
    r.edit(
        FGW_CN,
        "    target: {metric: 完成投资, value: 60000, unit: 万元}\n",
        "    target: {metric: 完成投资, value: 60000, unit: 万元}\n"
        "    extensions:\n      - {from: 2026-05-31, to: 2026-06-30, approved_by: 县政府督查室}\n",
    )
    r.commit("督查室批准节点延期", SUP, "2026-03-12")

    # honest: the clerk reformats the file — key order, block style — nothing changes
    r.write(
        FGW_CN,
        """\
unit: fgw
tasks:
  - id: XM-001
    title: 森林公园综合开发项目前期推进
    start: 2026-01-01
    due: 2026年9月30日
    owner: 张某某
    leader: 赵某某
    target:
      metric: 完成投资
      value: 60000
      unit: 万元
    milestones:
      - name: 完成可研批复
        due: 2026-06-30
      - name: 开工建设
        due: 2026-09-30
    extensions:
      - from: 2026-05-31
        to: 2026-06-30
        approved_by: 县政府督查室
    progress:
      - date: 2026-02-27
        value: 1000
        note: 启动前期工作
      - date: 2026-03-02
        value: 3000
        note: 用地预审
  - id: XM-002
    title: 工业园区标准化厂房建设
    owner: 李某某
    due: 2026-11-30
    extensions:
      - {from: 2026-09-30, to: 2026-11-30, approved_by: 县政府, ref: 政督〔2026〕3号, date: 2026-03-05}
  - id: XM-003
    title: 招商引资项目签约
    owner: 王某某
    due: 2026-11-30
  - id: XM-006
    title: 高铁站前广场配套道路
    lead: jtj
    partners: [fgw]
    owner: 赵某某
    due: 2026-12-31
""",
    )
    r.commit("整理格式", FGW, "2026-03-13")

    r.write(JTJ_PATH, JTJ_CHINESE)
    r.commit("交通局台账改用中文键", JTJ, "2026-03-14")

    r.write(CG_PATH, b"\xef\xbb\xbf" + r.read(CG_PATH).replace("\n", "\r\n").encode())
    r.commit("城关镇台账换行符", CG, "2026-03-15")

    # ABUSE: a clerk records an extension (and moves the deadline) themselves
    r.edit(JTJ_PATH, "    时限: 2026年年底\n", "    时限: 2027年3月底\n")
    r.after(JTJ_PATH, "    时限: 2027年3月底\n", "    延期:\n      - {原时限: 2026-12-31, 新时限: 2027-03-31}\n")
    r.edit(
        JTJ_PATH,
        "      - {日期: 2026-03-07, 进度: 12, 情况: 苗木进场}\n",
        "      - {日期: 2026-03-07, 进度: 12, 情况: 苗木进场}\n      - {日期: 2026-03-15, 进度: 20}\n",
    )
    r.commit("交通局报送进展并登记延期", JTJ, "2026-03-16")

    # ABUSE: a clerk lowers their own target, with a progress report
    r.edit(ZRZ_PATH, "value: 300", "value: 200")
    r.after(ZRZ_PATH, "    due: 2026-12-31\n", "    progress:\n      - {date: 2026-03-16, value: 80}\n")
    r.commit("自然资源局报送进展", ZRZ, "2026-03-17")

    # honest: a task moves to a new file in a Chinese-named folder, with a progress entry
    text = r.read(ZRZ_PATH)
    start, end = text.index("  - id: ZR-002"), text.index("  - id: ZR-003")
    moved = text[start:end].replace(
        "      - {date: 2026-02-20, percent: 10}\n",
        "      - {date: 2026-02-20, percent: 10}\n      - {date: 2026-03-17, percent: 25}\n",
    )
    r.write(ZRZ_PATH, text[:start] + text[end:])
    r.write(MINE_PATH, "unit: zrzyj\ntasks:\n" + moved)
    r.commit("矿山修复任务移入新文件", ZRZ, "2026-03-18")

    r.edit(
        FGW_CN,
        "  - id: XM-006\n",
        "  - id: XM-004\n    title: 新签约项目落地\n    due: 2026-12-31\n    progress:\n"
        "      - {date: 2026-01-15, value: 2, note: 签约两个项目}\n  - id: XM-006\n",
    )
    r.commit("新增招商任务", FGW, "2026-03-19")

    r.after(FGW_CN, "    owner: 李某某\n    due: 2026-11-30\n", "    done: 2026-03-19\n")
    r.commit("厂房完工", FGW, "2026-03-20")

    # ABUSE: a committed progress note edited, hidden in a new report
    r.edit(FGW_CN, "        note: 启动前期工作\n", "        note: 完成前期工作\n")
    r.after(FGW_CN, "        note: 用地预审\n", "      - date: 2026-03-20\n        value: 5000\n")
    r.commit("发改委报送第3周进展", FGW, "2026-03-21")

    # ABUSE: a committed progress entry removed
    r.edit(JTJ_PATH, "      - {日期: 2026-02-25, 进度: 5, 情况: 完成设计}\n", "")
    r.commit("交通局整理进展", JTJ, "2026-03-22")

    # ABUSE: a committed progress value changed (CRLF file)
    r.edit(CG_PATH, "        完成值: 120\n", "        完成值: 150\n")
    r.commit("城关镇修正数据", CG, "2026-03-23")

    # ABUSE: a task deleted
    text = r.read(ZRZ_PATH)
    r.write(ZRZ_PATH, text[: text.index("  - id: ZR-003")])
    r.commit("自然资源局精简台账", ZRZ, "2026-03-24")

    # ABUSE: a task deleted while another is added in the same commit
    r.edit(
        FGW_CN,
        "  - id: XM-003\n    title: 招商引资项目签约\n    owner: 王某某\n    due: 2026-11-30\n",
        "  - id: XM-005\n    title: 数字经济产业园招商\n    owner: 王某某\n    due: 2026-11-30\n",
    )
    r.commit("发改委调整任务", FGW, "2026-03-25")

    # ABUSE: the clerk of one unit edits another unit's task
    r.after(FGW_CN, "        value: 5000\n", "      - date: 2026-03-25\n        value: 5600\n")
    r.commit("交通局代报进展", JTJ, "2026-03-26")

    # honest: the lead unit's clerk reports on its task kept in another unit's file
    r.after(
        FGW_CN, "    owner: 赵某某\n    due: 2026-12-31\n", "    progress:\n      - {date: 2026-03-26, percent: 5}\n"
    )
    r.commit("交通局更新站前广场进展", JTJ, "2026-03-27")

    # ABUSE: a clerk edits a task in their own file whose lead is another unit
    r.edit(FGW_CN, "    owner: 赵某某\n    due: 2026-12-31\n", "    owner: 钱某某\n    due: 2026-12-31\n")
    r.commit("发改委更新站前广场责任人", FGW, "2026-03-28")

    # ABUSE: progress dated 30 days before the commit
    r.after(FGW_CN, "        value: 5600\n", "      - date: 2026-02-28\n        value: 1500\n        note: 补报\n")
    r.commit("发改委补报进展", FGW, "2026-03-30")

    # ABUSE: a done date 21 days before the commit
    r.after(JTJ_PATH, "    时限: 2027年3月底\n", "    完成: 2026-03-10\n")
    r.commit("交通局完成绿化", JTJ, "2026-03-31")

    r.edit(CG_PATH, "任务: 背街小巷整治", "任务: 背街小巷综合整治")
    r.commit("督查室修改城关镇任务", SUP2, "2026-04-01")

    # honest: a syntax error, then its fix with a new report
    r.edit(ZRZ_PATH, "      - {date: 2026-03-16, value: 80}\n", "      - {date: 2026-03-16, value: 80\n")
    r.commit("自然资源局报送进展（格式错误）", ZRZ, "2026-04-02")
    r.edit(ZRZ_PATH, "      - {date: 2026-03-16, value: 80\n", "      - {date: 2026-03-16, value: 80}\n")
    r.after(ZRZ_PATH, "      - {date: 2026-03-16, value: 80}\n", "      - {date: 2026-04-02, value: 120}\n")
    r.commit("自然资源局修正格式", ZRZ, "2026-04-03")

    # ABUSE: a syntax error, then a "fix" that silently drops an old entry
    r.edit(CG_PATH, "        情况: 启动入户调查\n", "        情况: [启动入户调查\n")
    r.commit("城关镇报送进展（格式有误）", CG, "2026-04-04")
    r.edit(CG_PATH, "      - 日期: 2026-02-26\n        完成值: 50\n        情况: [启动入户调查\n", "")
    r.commit("城关镇修正格式", CG, "2026-04-05")

    # honest: a branch and a clean merge
    r.git("checkout", "-q", "-b", "cg")
    r.after(CG_PATH, "        完成值: 200\n", "      - 日期: 2026-04-05\n        完成值: 320\n")
    r.commit("城关镇分支进展", CG, "2026-04-06")
    r.git("checkout", "-q", "main")
    r.edit(ZRZ_PATH, "value: 200", "value: 250")
    r.commit("督查室调整目标值", SUP, "2026-04-06")
    r.merge("cg", "合并城关镇分支", CG, "2026-04-07")

    # honest: a branch edits a file that main renames; git merges across the rename
    r.git("checkout", "-q", "-b", "fgw")
    r.after(FGW_CN, "        note: 补报\n", "      - date: 2026-04-07\n        value: 6500\n")
    r.commit("发改委分支进展", FGW, "2026-04-08")
    r.git("checkout", "-q", "main")
    r.git("mv", FGW_CN, FGW_CN2)
    r.commit("督查室统一文件名", SUP, "2026-04-08")
    r.merge("fgw", "合并发改委分支", FGW, "2026-04-09")

    # honest: both sides report on the same task; the clerk keeps both in the resolution
    r.git("checkout", "-q", "-b", "jtj")
    last = "      - {日期: 2026-03-15, 进度: 20}\n"
    r.edit(JTJ_PATH, last, last + "      - {日期: 2026-04-09, 进度: 30, 情况: 分支A}\n")
    r.commit("交通局分支进展A", JTJ, "2026-04-10")
    r.git("checkout", "-q", "main")
    r.edit(JTJ_PATH, last, last + "      - {日期: 2026-04-10, 进度: 32, 情况: 主线B}\n")
    r.commit("交通局主线进展B", JTJ, "2026-04-10")
    r.merge("jtj", "", JTJ, "2026-04-11", resolve=True)
    text = r.read(JTJ_PATH)
    assert "<<<<<<<" in text
    kept = [line for line in text.splitlines(keepends=True) if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))]
    r.write(JTJ_PATH, "".join(kept))
    r.conclude("合并交通局分支（保留双方）", JTJ, "2026-04-11")

    # ABUSE: a merge whose resolution moves a deadline neither side moved
    r.git("checkout", "-q", "-b", "cg2")
    r.after(CG_PATH, "        完成值: 320\n", "      - 日期: 2026-04-11\n        完成值: 400\n")
    r.commit("城关镇分支进展2", CG, "2026-04-12")
    r.git("checkout", "-q", "main")
    r.edit(FGW_CN2, "    leader: 赵某某\n", "    leader: 钱某某\n")
    r.commit("督查室更新包抓领导", SUP, "2026-04-12")
    r.merge("cg2", "", CG, "2026-04-13", resolve=True)
    r.edit(CG_PATH, "时限: 2026年三季度", "时限: 2026年四季度")
    r.conclude("合并城关镇分支2", CG, "2026-04-13")

    # ABUSE on a branch, merged cleanly: the finding is the branch commit's, not the merge's
    r.git("checkout", "-q", "-b", "zr")
    r.edit(ZRZ_PATH, "      - {date: 2026-04-02, value: 120}\n", "      - {date: 2026-04-02, value: 140}\n")
    r.commit("自然资源局分支修改进展", ZRZ, "2026-04-14")
    r.git("checkout", "-q", "main")
    r.after(FGW_CN2, "        value: 6500\n", "      - date: 2026-04-13\n        value: 7000\n")
    r.commit("发改委报送第6周进展", FGW, "2026-04-14")
    r.merge("zr", "督查室合并自然资源局分支", SUP, "2026-04-15")

    # honest: a supervisor hands a task to another unit, whose clerk then reports
    r.after(FGW_CN2, "    title: 数字经济产业园招商\n", "    lead: jtj\n")
    r.commit("督查室调整牵头单位", SUP, "2026-04-16")
    r.after(
        FGW_CN2,
        "    lead: jtj\n    owner: 王某某\n    due: 2026-11-30\n",
        "    progress:\n      - {date: 2026-04-16}\n",
    )
    r.commit("交通局报送XM-005进展", JTJ, "2026-04-17")

    # ABUSE (with require_signed): an honest change, but unsigned
    r.after(FGW_CN2, "        value: 7000\n", "      - date: 2026-04-17\n        value: 7600\n")
    r.commit("发改委报送进展（未签名）", FGW, "2026-04-18", signed=False)

    r.edit("units.yaml", "editors: [clerk@fgw.gov.cn]", "editors: [clerk@fgw.gov.cn, clerk2@fgw.gov.cn]")
    r.commit("督查室增加联络员", SUP, "2026-04-19")
    r.after(FGW_CN2, "        value: 7600\n", "      - date: 2026-04-19\n        value: 8000\n")
    r.commit("新联络员报送进展", FGW2, "2026-04-20")

    # ABUSE: a clerk changes units.yaml
    r.edit("units.yaml", "editors: [clerk@jtj.gov.cn]", "editors: [clerk@jtj.gov.cn, clerk@chengguan.gov.cn]")
    r.commit("城关镇更新联络员", CG, "2026-04-21")
    # ABUSE: ... and then edits that unit's task: a change by a non-supervisor grants nothing
    r.after(JTJ_PATH, "      - {日期: 2026-03-15, 进度: 20}\n", "      - {日期: 2026-04-20, 进度: 35}\n")
    r.commit("城关镇代交通局报送进展", CG, "2026-04-21")

    r.after(FGW_CN2, "        value: 8000\n", "      - date: 2026-04-21\n        value: 8200\n")
    r.commit("发改委报送第7周进展", "Clerk@FGW.gov.cn", "2026-04-22")

    r.write(
        ZRZ_PATH,
        "unit: zrzyj\ntasks: [{id: ZR-001, title: 土地增减挂钩项目, due: 2026-12-31,\n"
        "  target: {metric: 新增耕地, value: 250, unit: 亩},\n"
        "  progress: [{date: 2026-03-16, value: 80}, {date: 2026-04-02, value: 140}]}]\n",
    )
    r.commit("自然资源局台账改为紧凑格式", ZRZ, "2026-04-23")

    text = r.read(FGW_CN2)
    a, b = text.index("  - id: XM-002"), text.index("  - id: XM-004")
    r.write(FGW_CN2, text[:a] + text[b:] + text[a:b])
    r.commit("调整任务顺序", FGW, "2026-04-24")

    r.edit(CG_PATH, "时限: 2026年四季度", "时限: 2026-12-31")
    r.commit("统一时限写法", CG, "2026-04-25")

    xm4 = "    title: 新签约项目落地\n"
    r.edit(FGW_CN2, xm4 + "    due: 2026-12-31\n", xm4 + "    due: 2026-11-30\n")
    r.commit("督查室提前时限", SUP, "2026-04-26")

    r.after(FGW_CN2, xm4 + "    due: 2026-11-30\n", "    milestones:\n      - {name: 项目开工, due: 2026-08-31}\n")
    r.commit("发改委细化节点", FGW, "2026-04-27")

    r.after(CG_PATH, "        时限: 2026年4月30日\n", "        完成: 2026-04-27\n")
    r.commit("城关镇入户调查完成", CG, "2026-04-28")

    # ABUSE: a deadline moved later, its extension recorded only in the next commit
    r.edit(FGW_CN2, xm4 + "    due: 2026-11-30\n", xm4 + "    due: 2027-03-31\n")
    r.commit("督查室调整XM-004时限", SUP, "2026-04-29")
    r.after(FGW_CN2, "    due: 2027-03-31\n", "    extensions:\n      - {from: 2026-11-30, to: 2027-03-31}\n")
    r.commit("督查室补登记延期", SUP, "2026-04-30")

    # ABUSE: a file broken, then deleted while broken — its task is gone all the same
    r.edit(MINE_PATH, "      - {date: 2026-03-17, percent: 25}\n", "      - {date: 2026-03-17, percent: 25\n")
    r.commit("自然资源局报送矿山进展（格式错误）", ZRZ, "2026-05-01")
    r.git("rm", "-q", MINE_PATH)
    r.commit("自然资源局删除矿山台账", ZRZ, "2026-05-02")

    # ABUSE: a task copied to a new file with a later deadline, then the original removed
    text = r.read(CG_PATH)
    copy = text[text.index("  - 编号: CG-002") :].replace("时限: 2026-12-31", "时限: 2027-06-30")
    r.write(CG_EXTRA, "责任单位: chengguan\n任务清单:\n" + copy.replace("\r\n", "\n"))
    r.commit("城关镇补充台账", CG, "2026-05-03")
    r.write(CG_PATH, text[: text.index("  - 编号: CG-002")])
    r.commit("城关镇删除重复任务", CG, "2026-05-04")

    # ABUSE: a merge that moves a deadline while a file on the other side does not parse
    r.git("checkout", "-q", "-b", "jtj2")
    r.edit(JTJ_PATH, "    任务: 县城道路绿化\n", "    任务: [县城道路绿化\n")
    r.commit("交通局分支（格式错误）", JTJ, "2026-05-05")
    r.git("checkout", "-q", "main")
    r.after(FGW_CN2, "        value: 8200\n", "      - date: 2026-05-04\n        value: 8800\n")
    r.commit("发改委报送第9周进展", FGW, "2026-05-05")
    r.merge("jtj2", "", FGW, "2026-05-06", resolve=True)
    r.edit(FGW_CN2, "    due: 2026年9月30日\n", "    due: 2026年12月31日\n")
    r.conclude("合并交通局分支2", FGW, "2026-05-06")
    r.edit(JTJ_PATH, "    任务: [县城道路绿化\n", "    任务: 县城道路绿化\n")
    r.commit("交通局修正格式", JTJ, "2026-05-07")

    if r.key is not None:
        # ABUSE (with require_signed): signed, but with a key in no allowed-signers file
        stranger = r.key.with_name("stranger")
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(stranger)], check=True)
        r.after(FGW_CN2, "        value: 8800\n", "      - date: 2026-05-07\n        value: 9000\n")
        r.commit("发改委报送进展（他人密钥签名）", FGW, "2026-05-08", key=stranger)

    # ABUSE: a clerk edits a recorded extension
    r.edit(JTJ_PATH, "新时限: 2027-03-31", "新时限: 2027-06-30")
    r.commit("交通局修改延期记录", JTJ, "2026-05-09")

    # ABUSE: a task's id changed: the old task is gone
    r.edit(FGW_CN2, "  - id: XM-004\n", "  - id: XM-004A\n")
    r.commit("发改委规范任务编号", FGW, "2026-05-10")

    # ABUSE: a ledger file moved out of ledgers/: its tasks are gone
    (r.path / "archive").mkdir()
    r.git("mv", JTJ_PATH, "archive/jtj.yaml")
    r.commit("交通局归档台账", JTJ, "2026-05-11")

    # ABUSE: a task moved to another file, one progress entry left behind
    r.write(ZRZ_PATH, "unit: zrzyj\ntasks: []\n")
    r.write(
        LAND_PATH,
        "unit: zrzyj\ntasks:\n  - id: ZR-001\n    title: 土地增减挂钩项目\n    due: 2026-12-31\n"
        "    target: {metric: 新增耕地, value: 250, unit: 亩}\n"
        "    progress:\n      - {date: 2026-04-02, value: 140}\n      - {date: 2026-05-11, value: 160}\n",
    )
    r.commit("自然资源局移动任务", ZRZ, "2026-05-12")

    # honest: comments only
    r.edit(FGW_CN2, "  - id: XM-001\n", "  # 重点项目\n  - id: XM-001  # 县级重点\n")
    r.commit("发改委台账加注释", FGW, "2026-05-13")
    return r


# (code, commit subject, task, file, line) of every abuse; a commit may have several of one code.
EXPECTED = Counter(
    [
        ("deadline-moved", "城关镇更新入户调查情况", "CG-001", CG_PATH, 6),
        ("extension-unauthorized", "城关镇更新入户调查情况", "CG-001", CG_PATH, 6),
        ("deadline-moved", "督查室调整节点", "XM-001", FGW_CN, 11),
        ("extension-unauthorized", "交通局报送进展并登记延期", "JT-001", JTJ_PATH, 6),  # the deadline
        ("extension-unauthorized", "交通局报送进展并登记延期", "JT-001", JTJ_PATH, 8),  # the extension entry
        ("extension-unauthorized", "自然资源局报送进展", "ZR-001", ZRZ_PATH, 3),
        ("progress-rewritten", "发改委报送第3周进展", "XM-001", FGW_CN, 23),
        ("progress-rewritten", "交通局整理进展", "JT-001", JTJ_PATH, 3),
        ("progress-rewritten", "城关镇修正数据", "CG-001", CG_PATH, 18),
        ("task-deleted", "自然资源局精简台账", "ZR-003", ZRZ_PATH, 9),
        ("task-deleted", "发改委调整任务", "XM-003", FGW_CN, 38),
        ("unauthorized-edit", "交通局代报进展", "XM-001", FGW_CN, 3),
        ("unauthorized-edit", "发改委更新站前广场责任人", "XM-006", FGW_CN, 49),
        ("backdated", "发改委补报进展", "XM-001", FGW_CN, 33),
        ("backdated", "交通局完成绿化", "JT-001", JTJ_PATH, 7),
        ("progress-rewritten", "城关镇修正格式", "CG-001", CG_PATH, 3),
        ("deadline-moved", "合并城关镇分支2", "CG-002", CG_PATH, 26),
        ("extension-unauthorized", "合并城关镇分支2", "CG-002", CG_PATH, 26),
        ("progress-rewritten", "自然资源局分支修改进展", "ZR-001", ZRZ_PATH, 8),
        ("unauthorized-edit", "城关镇更新联络员", None, "units.yaml", 0),
        ("unauthorized-edit", "城关镇代交通局报送进展", "JT-001", JTJ_PATH, 3),
        ("deadline-moved", "督查室调整XM-004时限", "XM-004", FGW_CN2, 48),
        ("task-deleted", "自然资源局删除矿山台账", "ZR-002", MINE_PATH, 3),
        ("deadline-moved", "城关镇补充台账", "CG-002", CG_EXTRA, 5),
        ("extension-unauthorized", "城关镇补充台账", "CG-002", CG_EXTRA, 5),
        ("deadline-moved", "合并交通局分支2", "XM-001", FGW_CN2, 6),
        ("extension-unauthorized", "合并交通局分支2", "XM-001", FGW_CN2, 6),
        ("extension-unauthorized", "交通局修改延期记录", "JT-001", JTJ_PATH, 9),
        ("task-deleted", "发改委规范任务编号", "XM-004", FGW_CN2, 50),
        ("task-deleted", "交通局归档台账", "JT-001", JTJ_PATH, 3),
        ("task-deleted", "交通局归档台账", "JT-002", JTJ_PATH, 16),
        ("progress-rewritten", "自然资源局移动任务", "ZR-001", LAND_PATH, 3),
    ]
)
SIGNATURES = Counter(
    [
        ("unsigned", "发改委报送进展（未签名）", None, "", 0),
        ("unsigned", "发改委报送进展（他人密钥签名）", None, "", 0),
    ]
)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    base = tmp_path_factory.mktemp("scenario")
    key: Path | None = None
    if shutil.which("ssh-keygen") is not None:
        key = base / "key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    return build(base / "台账仓库", key)


def subjects(r: Repo) -> dict[str, str]:
    return {sha: subject for subject, sha in r.commits.items()}


def test_every_abuse_found_and_no_honest_commit_flagged(scenario: Repo) -> None:
    findings, commits = collect(scenario.path)
    by_sha = subjects(scenario)
    got = Counter((f.code, by_sha[f.commit], f.task, f.file, f.line) for f in findings)
    want = EXPECTED + (SIGNATURES if scenario.key is not None else Counter())
    assert got == want
    assert commits == len(scenario.commits)
    # every commit not named above is honest
    flagged = {subject for _, subject, *_ in want}
    assert len(scenario.commits) - len(flagged) >= 45


def test_findings_carry_the_values(scenario: Repo) -> None:
    findings, _ = collect(scenario.path)
    by = {(f.code, f.subject, f.line): f for f in findings}
    moved = by[("deadline-moved", "城关镇更新入户调查情况", 6)]
    assert (moved.before, moved.after, moved.author, moved.date) == ("2026-10-31", "2026-12-31", CG, "2026-03-07")
    target = by[("extension-unauthorized", "自然资源局报送进展", 3)]
    assert (target.before["value"], target.after["value"]) == (300, 200)
    edited = by[("progress-rewritten", "城关镇修正数据", 18)]
    assert (edited.before["value"], edited.after["value"]) == (120, 150)
    late = by[("backdated", "发改委补报进展", 33)]
    assert late.after["date"] == "2026-02-28" and late.severity == "warning"
    if scenario.key is not None:
        assert {f.after for f in findings if f.code == "unsigned"} == {"N", "E"}


def test_since_and_range(scenario: Repo) -> None:
    everything, _ = collect(scenario.path)
    since, commits = collect(scenario.path, since="2026-04-20")
    assert since == [f for f in everything if f.date >= "2026-04-20"]
    assert commits == sum(1 for s in scenario.commits if s in _from_day(scenario, "2026-04-20"))
    first = scenario.commits["督查室增加联络员"]
    ranged, _ = collect(scenario.path, rev_range=f"{first}..HEAD")
    assert ranged == [f for f in everything if f.date >= "2026-04-20"]
    merge = scenario.commits["合并城关镇分支2"]
    one, commits = collect(scenario.path, rev_range=f"{merge}^1..{merge}")
    assert commits == 2  # the merge and the branch commit it brings in
    assert {(f.code, f.subject) for f in one} == {
        ("deadline-moved", "合并城关镇分支2"),
        ("extension-unauthorized", "合并城关镇分支2"),
    }


def _from_day(r: Repo, day: str) -> set[str]:
    out = r.git("log", "--format=%ad%x09%s", "--date=short")
    return {line.split("\t", 1)[1] for line in out.splitlines() if line.split("\t", 1)[0] >= day}


def test_output_formats(scenario: Repo) -> None:
    out = io.StringIO()
    assert audit(scenario.path, fmt="json", lang="en", out=out) == 1
    doc = json.loads(out.getvalue())
    keys = {"code", "severity", "commit", "author", "date", "task", "file", "line", "message", "before", "after"}
    assert all(keys <= set(f) for f in doc["findings"])
    assert doc["summary"]["codes"]["task-deleted"] == 6
    out = io.StringIO()
    assert audit(scenario.path, fmt="github", select=["deadline-moved"], out=out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0].startswith(f"::error file={CG_PATH},line=6,title=deadline-moved::")
    assert len(lines) == 6 + 1  # six findings and the summary
    out = io.StringIO()
    assert audit(scenario.path, select=["backdated"], out=out) == 0  # warnings pass
    assert f"{FGW_CN}:33: 警告" in out.getvalue()


def test_log_follows_the_task_across_renames_and_merges(scenario: Repo) -> None:
    events = history(scenario.path, "XM-001")
    by_sha = subjects(scenario)
    moves = [(by_sha[e.commit], e.from_file, e.file) for e in events if e.kind == "moved"]
    assert moves == [
        ("台账文件改用中文名", FGW_PATH, FGW_CN),
        ("督查室统一文件名", FGW_CN, FGW_CN2),
    ]
    kinds = {by_sha[e.commit]: e.kind for e in events}
    assert kinds["建立台账"] == "created"
    assert "整理格式" not in kinds and "发改委台账加注释" not in kinds  # layout only
    evil = next(e for e in events if by_sha[e.commit] == "合并交通局分支2")
    assert evil.merge and [(c.field, c.before, c.after) for c in evil.changes] == [("due", "2026-09-30", "2026-12-31")]
    edited = next(e for e in events if by_sha[e.commit] == "发改委报送第3周进展")
    assert [(c.field, c.kind) for c in edited.changes] == [("progress", "edited"), ("progress", "added")]
    mine = history(scenario.path, "ZR-002")
    assert [(by_sha[e.commit], e.kind) for e in mine] == [
        ("建立台账", "created"),
        ("矿山修复任务移入新文件", "moved"),
        ("自然资源局删除矿山台账", "deleted"),
    ]


def test_codeowners_of_the_scenario(scenario: Repo, tmp_path: Path) -> None:
    out = io.StringIO()
    target = tmp_path / "CODEOWNERS"
    assert codeowners(scenario.path, output=str(target), out=out) == 0
    text = target.read_text(encoding="utf-8")
    # units.yaml as it is now: with the editor a clerk added to jtj (flagged, but not reverted)
    assert f"/{FGW_CN2} {FGW} {FGW2} {JTJ} {CG} {SUP} {SUP2}\n" in text
    assert f"/{CG_PATH} {CG} {SUP} {SUP2}\n" in text
    assert f"/units.yaml {SUP} {SUP2}\n" in text


def test_a_shallow_clone_starts_its_record_at_the_cut(scenario: Repo, tmp_path: Path) -> None:
    clone = tmp_path / "浅克隆"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "3", f"file://{scenario.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    notes: list[Msg] = []
    findings, commits = collect(clone, notes=notes)
    assert commits == 3 and [n.key for n in notes] == ["audit.shallow"]
    # the cut commit is the baseline; what follows is audited as usual
    assert [(f.code, f.subject, f.task) for f in findings if f.code != "unsigned"] == [
        ("progress-rewritten", "自然资源局移动任务", "ZR-001")
    ]
    # the clone has no allowed-signers file: its signatures cannot be checked
    signatures = [f.after for f in findings if f.code == "unsigned"]
    assert signatures == (["E", "E", "E"] if scenario.key is not None else [])


def test_the_command_line_on_odd_repositories(tmp_path: Path) -> None:
    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sanzhua", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": SRC},
            check=False,
        )

    plain = tmp_path / "不在git里"
    plain.mkdir()
    (plain / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    for args in (["audit"], ["log", "XM-001"]):
        got = run(*args, cwd=plain)
        # said in the ledger's language (lang: zh), and in it alone, a path with Han in it too
        assert got.returncode == 2 and "不在 git 仓库中" in got.stderr and "Traceback" not in got.stderr
        assert "not in a git repository" not in got.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=empty, check=True)
    (empty / "sanzhua.yaml").write_text(SETTINGS, encoding="utf-8")
    got = run("audit", "--format", "json", cwd=empty)
    assert got.returncode == 0 and json.loads(got.stdout)["summary"]["commits"] == 0
    for bad in (["--since", "2026-02-30"], ["--since", "垃圾"], ["--format", "xml"]):
        got = run("audit", *bad, cwd=empty)
        assert got.returncode == 2 and "Traceback" not in got.stderr, bad


def test_bad_options_on_a_real_history(scenario: Repo) -> None:
    from sanzhua.errors import FatalError

    for kw in ({"rev_range": "nosuch..HEAD"}, {"since": "2026-13-01"}, {"since": "garbage"}):
        with pytest.raises(FatalError):
            collect(scenario.path, **kw)
