"""`sanzhua init [DIR]`: a new ledger repository that passes `sanzhua check` at once."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sanzhua import __version__
from sanzhua.commands.common import EXIT_OK
from sanzhua.edit import render as R
from sanzhua.errors import FatalError, bad_choice
from sanzhua.gitargs import GIT, git_env
from sanzhua.i18n import Lang, say
from sanzhua.outfile import replace_bytes
from sanzhua.problems import msg

SETTINGS_ZH = """\
# sanzhua 台账设置（格式说明：运行 sanzhua help format）
name: "{name}"                    # 台账名称，印在简报上
office: 县政府督查室                # 编印单位
year: {year}                        # 只写月日的日期（如 9月底）属于这一年
lang: {lang}                        # zh 中文提示 | en 英文提示
due_soon_days: 5                    # 距时限不超过几个工作日算“临期”
behind_margin: 20                   # 实际进度低于应达进度多少个百分点算“滞后”
report_every: week                  # none | week | month：多久必须报送一次进展
supervisors:                        # 督查室人员的 git 邮箱：只有他们可以改时限、目标和延期
  - {supervisor}
tracking_since: {today}          # 台账启用日：此前的未报送不计入状态和考评
bulletin:
  name: 政务督查                    # 每周简报的名称
  first_week: {monday}           # 第1期所在的那一周（本周的周一）
"""

UNITS_ZH = """\
# 责任单位清单：任务里的 unit / lead / partners 写这里的 id
units:
  - id: ducha
    name: 县政府督查室
    kind: 县直部门
    head: 某某某
    editors: []                     # 可以修改本单位任务的 git 邮箱
  - id: fgw
    name: 县发改委
    kind: 县直部门
  - id: chengguan
    name: 城关镇
    kind: 乡镇
"""

LEDGER_ZH = """\
# 每个牵头单位一个文件；字段说明：运行 sanzhua help format
unit: fgw                           # 本文件任务的默认牵头单位
tasks:
  - id: FGW-001
    title: 重点项目前期推进工作
    category: 抓具体/抓项目建设
    partners: [chengguan]           # 配合单位，多个写成 [chengguan, 县教育局]
    owner: 某某某                    # 责任人
    leader: 副县长 某某某            # 包抓领导
    start: {today}
    due: 年底                       # 也可写 2026-09-30、9月底、第三季度 等
    milestones:
      - {{name: 完成项目筛选, due: {year}-12-31}}
    target: {{metric: 完成前期项目, value: 10, unit: 个}}
    progress:                       # 只追加、不修改；可用 sanzhua progress 追加
      - {{date: {today}, value: 0, note: 已部署，正在筛选项目}}
    supervision: 跟踪督办
"""

# --- the same files for `init --lang en`: every comment and example in English ---
SETTINGS_EN = """\
# sanzhua ledger settings (the format: run sanzhua help format)
name: "{name}"                    # the ledger's name, printed on bulletins
office: Supervision Office          # the office that issues the bulletin
year: {year}                        # a date written without a year falls in this year
lang: {lang}                        # zh Chinese | en English: the language of messages and templates
due_soon_days: 5                    # working days before a deadline when a task is "due soon"
behind_margin: 20                   # percentage points under the expected progress that count as "behind"
report_every: week                  # none | week | month: how often a task must report progress
supervisors:                        # the office's git emails: only they may change deadlines, targets, extensions
  - {supervisor}
tracking_since: {today}          # the day tracking starts: reports missed before it do not count
bulletin:
  name: Supervision Bulletin        # the weekly bulletin's name
  first_week: {monday}           # a day in the week of issue No. 1 (this week's Monday)
"""

UNITS_EN = """\
# The responsible units: a task's unit / lead / partners name these ids
units:
  - id: ducha
    name: Supervision Office
    kind: county department
    head: A. N. Other
    editors: []                     # git emails that may change this unit's tasks
  - id: fgw
    name: Development and Reform Commission
    kind: county department
  - id: chengguan
    name: Chengguan Town
    kind: township
"""

LEDGER_EN = """\
# One file per lead unit; every key is explained by: sanzhua help format
unit: fgw                           # the lead unit of this file's tasks, unless a task says otherwise
tasks:
  - id: FGW-001
    title: Prepare the key projects
    category: Projects
    partners: [chengguan]           # partner units; several: [chengguan, ducha]
    owner: A. N. Other              # the person responsible
    leader: Deputy County Head A. N. Other   # the leader in charge
    start: {today}
    due: {year}-12-31               # also 2026-09 (end of September), 2026-Q3, 2026-H1
    milestones:
      - {{name: Shortlist the projects, due: {year}-12-31}}
    target: {{metric: projects prepared, value: 10, unit: projects}}
    progress:                       # append only, never change; sanzhua progress appends
      - {{date: {today}, value: 0, note: Work assigned; shortlisting the projects}}
    supervision: followed weekly
"""

GITIGNORE_EN = """\
# sanzhua's cache and what it generates (bulletins, exported workbooks, calendars): made again at any time
.sanzhua/
out/
*.docx
*.xlsx
*.ics
# your own bulletin templates are committed
!templates/*.docx
"""

WORKFLOW = """\
# sanzhua 检查：每次推送和合并请求（pull request）都运行 sanzhua check，台账必须始终有效；
# 合并请求还审计它的新提交（sanzhua audit --range）：私改时限、改写进展、删除任务、越权修改。
#
# 从哪里安装 sanzhua：SANZHUA_SOURCE，固定到你们单位掌握的一个版本，不要跟随最新版。
# 在仓库 Settings → Secrets and variables → Actions → Variables 中新建变量 SANZHUA_SOURCE，
# 或直接改下面 env 中的值，例如：
#   git+https://git.example.gov.cn/tools/sanzhua.git@v{version}   （单位 git 服务器上带标签的版本）
#   ./tools/sanzhua-{version}-py3-none-any.whl                     （提交在本仓库中的 wheel 文件）
#   sanzhua=={version}                                            （软件源中的固定版本）
name: sanzhua
on: [push, pull_request]
env:
  SANZHUA_SOURCE: ${{{{ vars.SANZHUA_SOURCE || 'sanzhua=={version}' }}}}
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0            # the whole history, for `sanzhua audit`
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: install sanzhua (pinned, see SANZHUA_SOURCE above)
        run: pip install "$SANZHUA_SOURCE"
      - name: sanzhua check
        run: sanzhua check --format github
      - name: sanzhua audit (the pull request's new commits)
        if: github.event_name == 'pull_request'
        run: sanzhua audit --format github --range "$BASE..$HEAD"
        env:
          BASE: ${{{{ github.event.pull_request.base.sha }}}}
          HEAD: ${{{{ github.event.pull_request.head.sha }}}}
"""

WORKFLOW_HEADER_EN = """\
# sanzhua check: every push and pull request runs sanzhua check, so the ledger is always valid;
# a pull request's new commits are also audited (sanzhua audit --range): deadlines moved without
# an extension, progress rewritten, tasks deleted, changes by someone not allowed to make them.
#
# Where sanzhua comes from: SANZHUA_SOURCE, pinned to a version your office controls, never "latest".
# Set the repository variable SANZHUA_SOURCE (Settings → Secrets and variables → Actions → Variables),
# or change the value under env below, e.g.:
#   git+https://git.example.gov.cn/tools/sanzhua.git@v{version}   (a tagged version on your git server)
#   ./tools/sanzhua-{version}-py3-none-any.whl                     (a wheel committed in this repository)
#   sanzhua=={version}                                            (a pinned version from the package index)
"""

PRE_COMMIT = """\
# `pre-commit install` once; then every commit is checked by sanzhua.
repos:
  - repo: local
    hooks:
      - id: sanzhua-check
        name: sanzhua check
        entry: sanzhua check
        language: system
        pass_filenames: false
        files: ^(sanzhua\\.yaml|units\\.yaml|calendar\\.yaml|ledgers/.*\\.ya?ml)$
"""

GITIGNORE = """\
# sanzhua 的缓存，以及用它生成的文件（简报、导出的表格、日历）：随时可以重新生成，不进版本库
.sanzhua/
out/
*.docx
*.xlsx
*.ics
# 自己的简报模板要提交
!templates/*.docx
"""

# --- the 督办 cycle (issue 20): reminders pushed on a schedule ---
REMIND_WORKFLOW = """\
# Sends the day's reminders (sanzhua remind) every working-day morning, 09:00 Beijing time.
# The webhook URLs, DingTalk secrets and SMTP login are repository secrets, named in
# units.yaml (contact: wecom_env / dingtalk_env / dingtalk_secret_env) and sanzhua.yaml
# (remind.email.user_env / password_env); add each name below under env.
# The record of what was sent is kept in the Actions cache, so a re-run sends nothing twice.
name: sanzhua-remind
on:
  schedule:
    - cron: "0 1 * * 1-5"         # 01:00 UTC = 09:00 Beijing, Monday to Friday
  workflow_dispatch: {}
concurrency: sanzhua-remind       # never two senders at once
env:
  # the sanzhua to install, pinned as in sanzhua.yml (the repository variable SANZHUA_SOURCE)
  SANZHUA_SOURCE: ${{ vars.SANZHUA_SOURCE || 'sanzhua' }}
jobs:
  remind:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: pip install "$SANZHUA_SOURCE"
      - uses: actions/cache/restore@v4
        with:
          path: .sanzhua/remind-sent.json
          key: sanzhua-remind-sent-${{ github.run_id }}
          restore-keys: sanzhua-remind-sent-
      - run: sanzhua remind --send
        env:
          SANZHUA_SMTP_USER: ${{ secrets.SANZHUA_SMTP_USER }}
          SANZHUA_SMTP_PASSWORD: ${{ secrets.SANZHUA_SMTP_PASSWORD }}
          # SANZHUA_WECOM_FGW: ${{ secrets.SANZHUA_WECOM_FGW }}
      - uses: actions/cache/save@v4
        if: always()                # what was sent stays recorded even when a message failed
        with:
          path: .sanzhua/remind-sent.json
          key: sanzhua-remind-sent-${{ github.run_id }}
"""


def _git_email(where: Path) -> str | None:
    """The email git puts on this user's commits (user.email, or what git works out), if any."""
    if not shutil.which("git"):
        return None
    while not where.exists():
        where = where.parent
    got = subprocess.run(
        [*GIT, "var", "GIT_AUTHOR_IDENT"], cwd=where, capture_output=True, text=True, env=git_env(), check=False
    )
    m = re.search(r"<([^<>\s]+@[^<>\s]+)>", got.stdout) if got.returncode == 0 else None
    return m.group(1) if m else None


def init(
    directory: Path,
    *,
    name: str | None = None,
    lang: str = "zh",
    force: bool = False,
    year: int | None = None,
    ask: Callable[[str], str] | None = None,
    supervisor: str | None = None,
    today: date | None = None,
) -> int:
    """Write the files of a new ledger into `directory` and `git init` it if needed.

    Without `name`, `ask` (the terminal's input, when there is one) asks for it. The
    supervisors list is never empty (an empty one, once committed, locks the audit):
    `supervisor`, else `git config user.email`, else the command refuses. Tracking starts
    `today`, and the first bulletin is 第1期."""
    if lang not in ("zh", "en"):
        raise bad_choice("--lang", ("zh", "en"), lang)
    chosen: Lang = "en" if lang == "en" else "zh"
    directory = directory.resolve()
    _refuse_a_used_folder(directory, force)
    supervisor = _supervisor(supervisor, directory)
    today = today or date.today()
    year = year or today.year
    name, named = _ledger_name(name, chosen, year, ask)
    files = _files(chosen, name, year, supervisor, today)
    for rel, text in files.items():
        path = directory / rel
        if path.exists() or path.is_symlink():
            continue  # never overwrite what is there (only with --force can we get here)
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_bytes(path, text.encode("utf-8"))
    in_repo = _git_init(directory)
    write = sys.stdout.write
    write(say("init.out.created", chosen, folder=directory) + "".join(f"  {rel}\n" for rel in files))
    if not in_repo and shutil.which("git"):
        write(say("init.out.git-init", chosen))
    write(_next_steps(name, named, chosen, supervisor))
    return EXIT_OK


def _refuse_a_used_folder(directory: Path, force: bool) -> None:
    """A file, a ledger already, or (without --force) a folder with files in it: refused."""
    if directory.exists() and not directory.is_dir():
        raise FatalError(msg("init.not-a-folder", folder=directory))
    if (directory / "sanzhua.yaml").exists():
        raise FatalError(msg("init.already", folder=directory), msg("init.already.hint"))
    visible = [p for p in directory.iterdir() if p.name != ".git"] if directory.exists() else []
    if visible and not force:
        raise FatalError(msg("init.not-empty", folder=directory), msg("init.not-empty.hint"))


def _files(lang: Lang, name: str, year: int, supervisor: str, today: date) -> dict[str, str]:
    """Every file a new ledger starts with, by its path, in `lang` (whole files chosen by
    language: they are data, not messages)."""
    monday = today - timedelta(days=today.weekday())
    check_job = WORKFLOW if lang == "zh" else _in_english(WORKFLOW, WORKFLOW_HEADER_EN)
    site_job = SITE_WORKFLOW if lang == "zh" else _in_english(SITE_WORKFLOW, SITE_HEADER_EN)
    files = {
        "sanzhua.yaml": (SETTINGS_ZH if lang == "zh" else SETTINGS_EN).format(
            name=name.replace('"', "'"),
            year=year,
            lang=lang,
            supervisor=R.text(supervisor),
            today=today.isoformat(),
            monday=monday.isoformat(),
        ),
        "units.yaml": UNITS_ZH if lang == "zh" else UNITS_EN,
        "ledgers/fgw.yaml": (LEDGER_ZH if lang == "zh" else LEDGER_EN).format(year=year, today=today.isoformat()),
        ".github/workflows/sanzhua.yml": check_job.format(version=__version__),
        ".pre-commit-config.yaml": PRE_COMMIT,
        ".gitignore": GITIGNORE if lang == "zh" else GITIGNORE_EN,
        ".github/workflows/sanzhua-site.yml": site_job.replace(
            "|| 'sanzhua' }}",
            "|| 'sanzhua==" + __version__ + "' }}",  # pinned, as sanzhua.yml
        ),
        ".github/workflows/sanzhua-remind.yml": REMIND_WORKFLOW.replace(
            "|| 'sanzhua' }}",
            "|| 'sanzhua==" + __version__ + "' }}",  # pinned, as sanzhua.yml
        ),  # issue 20
    }
    return files


def _git_init(directory: Path) -> bool:
    """`git init` the folder unless it is inside a work tree already; whether it was."""
    if not shutil.which("git"):
        return False
    # git_env: a GIT_DIR left set by another repository's hook would answer for it, and
    # `git init` would initialise it instead of the new ledger's folder.
    probe = subprocess.run(
        [*GIT, "-C", str(directory), "rev-parse", "--is-inside-work-tree"],
        capture_output=True,
        text=True,
        env=git_env(),
        check=False,
    )
    if probe.returncode == 0:
        return True
    subprocess.run([*GIT, "init", "-q", str(directory)], env=git_env(), check=False)
    return False


def _ledger_name(name: str | None, lang: Lang, year: int, ask: Callable[[str], str] | None) -> tuple[str, bool]:
    """The ledger's title and whether the user gave it (else a placeholder to change)."""
    if name is None and ask is not None:
        try:
            name = ask(say("init.out.ask-name", lang)).strip() or None
        except EOFError:
            name = None
    if name is not None and name.strip():
        return name.strip(), True
    return say("init.out.default-name", lang, year=year), False


def _next_steps(name: str, named: bool, lang: Lang, email: str | None = None) -> str:
    lines = [] if named else [say("init.out.unnamed", lang, name=name)]
    lines.append(say("init.out.supervisor", lang, email=email) if email else say("init.out.no-supervisor", lang))
    lines.append(say("init.out.next", lang))
    return "\n".join(lines) + "\n"


# --- the site job (issue 19): its own workflow file, so that it can be dropped or changed alone
SITE_WORKFLOW = """\
# sanzhua 网站：每次推送到 main 分支，用 sanzhua site 生成台账网站（总览、各单位、每项任务、趋势），
# 并用 GitHub Pages 发布（仓库 Settings → Pages → Source 选 GitHub Actions）。
# 网站是一个普通文件夹，不需要服务器程序；也可以下载本作业的 public 产物，放到内网共享目录，打开 index.html。
# GitLab / Gitea：在 .gitlab-ci.yml 中写一个 pages 作业，script 为
#   pip install sanzhua && sanzhua site -o public
# 并把 public 设为 artifacts 路径即可。
name: sanzhua site
on:
  push:
    branches: [main]
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: sanzhua-pages
  cancel-in-progress: true
env:
  SANZHUA_SOURCE: ${{ vars.SANZHUA_SOURCE || 'sanzhua' }}
jobs:
  site:
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deploy.outputs.page_url }}
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0            # the whole history: each task's changes and the weekly trend
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: install sanzhua
        run: pip install "$SANZHUA_SOURCE"
      - name: sanzhua site
        run: sanzhua site -o public
      - uses: actions/upload-pages-artifact@v3
        with:
          path: public
      - id: deploy
        uses: actions/deploy-pages@v4
"""


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _supervisor(given: str | None, directory: Path) -> str:
    """The first supervisor: --supervisor, else the email git puts on this user's commits;
    refused without one (a ledger committed with no supervisors locks its own audit)."""
    email = (given or "").strip() or _git_email(directory) or ""
    if not email:
        raise FatalError(
            msg("init.no-supervisor"), msg("init.no-supervisor.hint", command="git config --global user.email")
        )
    if not _EMAIL.match(email):
        raise FatalError(msg("init.bad-supervisor", email=email), msg("init.bad-supervisor.hint"))
    return email


SITE_HEADER_EN = """\
# sanzhua site: on every push to main, sanzhua site builds the ledger's web site (overview, units,
# each task, trends) and publishes it with GitHub Pages (Settings → Pages → Source: GitHub Actions).
# The site is a plain folder and needs no server program: the job's public artifact can also be
# downloaded, put on an intranet share and opened at index.html.
# GitLab / Gitea: a pages job whose script is
#   pip install sanzhua && sanzhua site -o public
# with public as its artifacts path.
"""


def _in_english(workflow: str, header: str) -> str:
    """A workflow with its header comment (every line before `name:`) in English; the job is the same."""
    return header + workflow[workflow.index("\nname: ") + 1 :]
