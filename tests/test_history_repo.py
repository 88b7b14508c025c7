"""A real git ledger repository built commit by commit, for the history tests.

`GitLedger` writes files, commits them as a chosen author on a chosen date, and
returns the commit id, so tests can assert on (code, commit, task, file) exactly.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

SUP = "ducha@yanjin.gov.cn"
FGW = "clerk@fgw.gov.cn"
JTJ = "clerk@jtj.gov.cn"
OUTSIDER = "someone@example.com"

SETTINGS = """\
name: 测试县“三抓两促”活动
year: 2026
lang: zh
supervisors: [ducha@yanjin.gov.cn]
"""

UNITS = """\
units:
  - {id: fgw, name: 县发改委, editors: [clerk@fgw.gov.cn]}
  - {id: jtj, name: 县交通局, editors: [clerk@jtj.gov.cn]}
"""

FGW_FILE = """\
unit: fgw
tasks:
  - id: XM-001
    title: 森林公园综合开发项目前期推进
    owner: 张某某
    due: 2026-09-30
    milestones:
      - {name: 完成可研批复, due: 2026-05-31}
    target: {metric: 完成投资, value: 50000, unit: 万元}
    progress:
      - {date: 2026-03-05, value: 1000, note: 启动前期工作}
  - id: XM-002
    title: 工业园区标准化厂房建设
    owner: 李某某
    due: 2026-10-31
"""

JTJ_FILE = """\
unit: jtj
tasks:
  - id: JT-001
    title: 县城道路绿化
    due: 年底
"""


def dedent(s: str) -> str:
    return textwrap.dedent(s)


class GitLedger:
    """A ledger repository under `path`; every method runs real git."""

    def __init__(self, path: Path, *, settings: str = SETTINGS, units: str = UNITS) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "commit.gpgsign", "false")
        self.settings = settings
        self.units = units

    def git(
        self,
        *args: str,
        who: str = SUP,
        when: str = "2026-03-01",
        check: bool = True,
        committer: str | None = None,
        committed: str | None = None,
    ) -> str:
        """Run git as `who` on `when` (author and committer both, unless `committer` or
        `committed` say otherwise, as `git commit --date` or an amend by someone else does)."""
        env = dict(os.environ)

        def stamp(day: str) -> str:
            return f"{day}T10:00:00+08:00" if "T" not in day else day

        name = who.split("@")[0]
        by = committer or who
        env.update(
            {
                "GIT_AUTHOR_NAME": name,
                "GIT_AUTHOR_EMAIL": who,
                "GIT_AUTHOR_DATE": stamp(when),
                "GIT_COMMITTER_NAME": by.split("@")[0],
                "GIT_COMMITTER_EMAIL": by,
                "GIT_COMMITTER_DATE": stamp(committed or when),
                "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": str(self.path.parent),
            }
        )
        proc = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True, text=True, check=False)
        if check and proc.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
        return proc.stdout.strip()

    def write(self, rel: str, content: str) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content, encoding="utf-8")

    def read(self, rel: str) -> str:
        return (self.path / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, 1))

    def commit(
        self,
        message: str,
        *,
        who: str = SUP,
        when: str = "2026-03-01",
        sign: bool = False,
        committer: str | None = None,
        committed: str | None = None,
    ) -> str:
        self.git("add", "-A", who=who, when=when)
        args = ["commit", "-q", "--allow-empty", "-m", message]
        if sign:
            args.insert(1, "-S")
        self.git(*args, who=who, when=when, committer=committer, committed=committed)
        return self.git("rev-parse", "HEAD")

    def baseline(self, *, when: str = "2026-03-01") -> str:
        """The first commit: settings, units and two ledger files, by a supervisor."""
        self.write("sanzhua.yaml", self.settings)
        self.write("units.yaml", self.units)
        self.write("ledgers/fgw.yaml", FGW_FILE)
        self.write("ledgers/jtj.yaml", JTJ_FILE)
        return self.commit("建立台账", who=SUP, when=when)
