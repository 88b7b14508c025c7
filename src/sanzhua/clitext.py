"""The command line's own words in the ledger's language: help pages and usage errors.

The language is chosen before the command runs, cheaply (no ledger is loaded):
`--lang` on the command line; else the `lang:` of the nearest sanzhua.yaml (at
`--root` or above the working folder; a ledger without one is Chinese); else, with no
ledger at all, LC_ALL / LC_MESSAGES / LANG (English only when they say English).

Help texts are written in English where the command is declared; `HELP_ZH` holds each
one's Chinese (tests/test_cli_help.py fails when one is missing). Click's fixed words
(Usage, Options, [default: …]) and its usage errors are put into Chinese here, from the
exception's own fields rather than by parsing its English where it has them.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from typer._click import exceptions as click_exc
from typer._click.core import Command, Context, Parameter
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup as Group
from typer.exceptions import Abort

Lang = Literal["zh", "en"]

_LANG_LINE = re.compile(r"^lang[ \t]*:[ \t]*[\"']?(zh|en)\b", re.MULTILINE)


def detect_lang(args: Sequence[str], env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Lang:
    """The language of the CLI's own words for this command line (see the module docstring)."""
    env = os.environ if env is None else env
    given = _option_value(args, "--lang")
    if given in ("zh", "en"):
        return "zh" if given == "zh" else "en"
    root = _option_value(args, "--root")
    start = Path(root) if root else (cwd or Path.cwd())
    settings = _nearest_settings(start)
    if settings is not None:
        try:
            with open(settings, "rb") as f:
                head = f.read(65536).decode("utf-8", "replace")
        except OSError:
            return "zh"
        m = _LANG_LINE.search(head)
        return "en" if m and m.group(1) == "en" else "zh"
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "en" if value.lower().startswith("en") else "zh"
    return "zh"


# The language main() chose for this run (None when the app runs without main, as in tests).
CURRENT: Lang | None = None

_HAN = re.compile(r"[\u4e00-\u9fff]")


def one_language(text: str | None, lang: Lang | None) -> str | None:
    """Of a message written "中文 / English" (as messages from before the ledger's
    language is known are), the half in `lang`; other text as it is."""
    if text is None or lang is None or " / " not in text:
        return text
    at = 0
    while (i := text.find(" / ", at)) >= 0:
        left, right = text[:i], text[i + 3 :]
        if _HAN.search(left) and not _HAN.search(right):
            return left if lang == "zh" else right
        at = i + 3
    return text


def lang_for(lang: str | None, root: Path | None) -> Lang:
    """The language of a command's own listings (`check --list`) from its options."""
    args: list[str] = []
    if lang:
        args += ["--lang", lang]
    if root is not None:
        args += ["--root", str(root)]
    return detect_lang(args)


def _option_value(args: Sequence[str], name: str) -> str | None:
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1 :]
    return None


def _nearest_settings(start: Path) -> Path | None:
    try:
        here = start.resolve()
    except (OSError, RuntimeError):
        return None
    for folder in (here, *here.parents):
        candidate = folder / "sanzhua.yaml"
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            return None
    return None


# ---------------------------------------------------------------------------------------
# Help texts: the English as declared in cli.py → its Chinese.

HELP_ZH: dict[str, str] = {
    # the app
    "sanzhua 三抓：督查督办台账工具 — a plain-text ledger for government task supervision.": "sanzhua 三抓：督查督办台账工具。台账是 git 仓库中的 YAML 文本文件；各命令在台账目录（或其下级目录）中运行。台账格式说明：sanzhua help format",
    "Show the version and exit.": "显示版本号并退出。",
    "Show this message and exit.": "显示本帮助并退出。",
    # added at integration: options other branches brought
    "The first supervisor's git email (default: git config user.email).": "第一位督查人员提交时所用的 git 邮箱（默认：git config user.email）。",
    "Correct what is already recorded (a done date, a done task); needs --reason.": "更正已经记录的内容（完成日期、已完成的任务）；须同时写 --reason。",
    "Why the record is corrected (kept in the ledger with the correction).": "更正的原因（与更正一起记入台账）。",
    # shared options
    "Ledger root (default: the nearest folder above with sanzhua.yaml).": "台账根目录（默认：当前目录或上级目录中最近的含 sanzhua.yaml 的目录）。",
    "Evaluate as of this date (default: today), e.g. 2026-11-25.": "按哪一天计算（默认：今天），例如 2026-11-25。",
    "Message language: zh or en (default: the ledger's lang).": "提示语言：zh 中文或 en 英文（默认：台账设置的 lang）。",
    "Only tasks led by (or shared with) this unit (id or name).": "只看这个单位牵头（或配合）的任务（填单位编号或名称）。",
    "Only tasks of this leader in charge (包抓领导).": "只看这位包抓领导的任务。",
    "Only tasks of this responsible person (责任人).": "只看这位责任人的任务。",
    "Only tasks in this state (overdue, due_soon, ...).": "只看这种状态的任务：逾期、临期、进度滞后、未按时报送、正常推进、已完成、逾期完成、节点逾期、未启动、暂缓、已取消（也可写英文代码 overdue、due_soon 等）。",
    "Only tasks with this light: red, yellow, green, done, none.": "只看这种灯的任务：红灯、黄灯、绿灯、已完成、无（也可写 红、完成、red 等）。",
    "Only tasks whose category starts with this.": "只看类别以此开头的任务。",
    "Only tasks with this tag.": "只看带这个标签的任务。",
    "Only open tasks due within N working days.": "只看 N 个工作日内到期的未完成任务。",
    "The task id, e.g. XM-001.": "任务编号，例如 XM-001。",
    "Show the change as a diff; write nothing.": "只显示改动（diff），不写入文件。",
    "Also git-commit the changed file with a conventional message.": "同时用规范的提交说明 git commit 改动的文件。",
    "The date to record (default: today), e.g. 2026-11-25.": "登记的日期（默认：今天），例如 2026-11-25。",
    # check
    "Validate the ledger files and flag overdue tasks (校验台账，标出逾期任务).": "校验台账文件，标出逾期任务。",
    "text, json or github (default: github under GitHub Actions, else text).": "输出格式：text、json 或 github（默认：在 GitHub Actions 中为 github，否则为 text）。",
    "Only these problem codes (repeat or comma-separate).": "只报告这些问题代码（可重复，或用逗号分隔）。",
    "Leave out these problem codes.": "不报告这些问题代码。",
    "Also fail (exit 1) on: overdue, warning.": "遇到这些情况也按失败退出（退出码 1）：overdue 逾期、warning 警告。",
    "Parse every file again; do not use the parse cache (~/.cache/sanzhua).": "重新读取每个文件，不使用解析缓存（~/.cache/sanzhua）。",
    "List the problem codes and exit.": "列出全部问题代码并退出。",
    # status
    "Show every task's state as of a date: lights, deadlines, who is behind (任务状态).": "查看任务状态：红黄绿灯、时限、谁落后了。",
    "table, json or csv.": "输出格式：table 表格、json 或 csv。",
    "urgency (default), due, unit, id, percent.": "排序：urgency 紧急程度（默认）、due 时限、unit 单位、id 编号、percent 进度。",
    "Summarise per 'unit' (counts per light) or 'leader'.": "按 unit 单位（各灯数量）或 leader 包抓领导汇总。",
    "List every task: green, done, planned, suspended and cancelled too.": "列出全部任务：也包括绿灯、已完成、未启动、暂缓和已取消的任务。",
    # show
    "Show one task whole: milestones, progress timeline, extensions, children, states (任务详情).": "查看一项任务的全部情况：节点、进展、延期、分解任务和状态。",
    "text or json.": "输出格式：text 文本或 json。",
    # init
    "Create a new ledger repository: settings, units, an example file, CI (新建台账仓库).": "新建台账仓库：设置、单位名录、示例台账文件和 CI 检查。",
    "Where to create the ledger (default: here).": "在哪个目录新建台账（默认：当前目录）。",
    "The ledger's name, printed on bulletins (asked on a terminal).": "台账名称，印在简报上，如 某某县重点工作督查督办台账（在终端中运行时不写会询问）。",
    "zh or en.": "zh 中文或 en 英文。",
    "Write into a folder that already has files.": "目录中已有文件时也写入。",
    # brief
    "Write the weekly 政务督查 bulletin or a 工作简报, as Markdown or Word (简报).": "编写每周《政务督查》或月度、季度、年度工作简报，输出 Markdown 或 Word。",
    "This week's 政务督查 (Monday-Sunday holding --as-of; the default).": "本周《政务督查》（--as-of 所在的周一至周日；默认）。",
    "This month's 工作简报.": "本月工作简报。",
    "This quarter's 工作简报.": "本季度工作简报。",
    "This year's 工作简报.": "本年度工作简报。",
    "Start of a custom period, e.g. 2026-11-01.": "自定义期间的开始日期，例如 2026-11-01。",
    "End of a custom period (default: --as-of).": "自定义期间的结束日期（默认：--as-of）。",
    "Issue number (第N期); default: computed.": "期数（第N期），1 到 99999；默认自动计算。",
    "A 督办通知 (reminder notice) for this unit id.": "给这个单位（编号或名称）的督办通知。",
    "Write one 督办通知 per unit that needs one into DIR.": "给每个需要督办的单位各写一份督办通知，放到这个目录。",
    "md (Markdown) or docx (Word).": "输出格式：md（Markdown）或 docx（Word）。",
    "Output file; Markdown goes to the screen without it, Word to a default name like 政务督查-2026-第47期.docx.": "输出文件；不写时 Markdown 显示在屏幕上，Word 写到默认文件名，如 政务督查-2026-第47期.docx。",
    # score
    "Score and rank the units over a period by the ledger's scoring rules (考评排名).": "按台账的计分规则给各单位计分、排名（考评排名）。",
    "Score the month that holds the as-of date (月度).": "计算 --as-of 所在月份的得分（月度）。",
    "Score the quarter that holds the as-of date (季度测评).": "计算 --as-of 所在季度的得分（季度测评）。",
    "Score the year that holds the as-of date (年终考核; the default).": "计算 --as-of 所在年度的得分（年终考核；默认）。",
    "First day of a custom period, e.g. 2026-10-01.": "自定义期间的第一天，例如 2026-10-01。",
    "Last day of a custom period (default: the as-of date).": "自定义期间的最后一天（默认：--as-of）。",
    "List every point a unit gained or lost, with the task and the reason.": "列出这个单位每一项加分、扣分及对应任务和原因。",
    "Only units of this kind (乡镇, 县直部门), ranked among themselves.": "只看这一类单位（如 乡镇、县直部门），在本类中排名。",
    "table, json, csv or md.": "输出格式：table 表格、json、csv 或 md。",
    "Show the unit ids and every count in the table (json and csv always do).": "表格中也显示单位编号和各项计数（json 和 csv 总是包括）。",
    # progress / done / extend / new
    "Append a progress entry to a task (填报进展).": "给任务追加一条进展（填报进展）。",
    "Progress in percent, 0-100 (进度).": "进度百分比，0 到 100。",
    "Cumulative value done, in the target's unit (完成值).": "累计完成值，单位同目标的单位。",
    "What was done (情况).": "进展情况。",
    "Who reports (填报人).": "填报人。",
    "Mark a task, or one of its milestones, done (标记完成).": "把任务或其中一个节点标记为完成。",
    "Mark this milestone done instead (节点名称).": "改为把这个节点（填节点名称）标记为完成。",
    "Record an approved extension and move the deadline (登记延期).": "登记经批准的延期，并改为新时限。",
    "The new deadline (新时限).": "新时限，例如 2026-12-31 或 年底。",
    "Who approved the extension (批准人).": "批准人。",
    "The approving document's number (文号).": "批准文件的文号。",
    "Add a task to its unit's ledger file, with the next free id (新增任务).": "在牵头单位的台账文件中新增一项任务，自动取下一个编号。",
    "The lead unit's id (or name) from units.yaml.": "牵头单位：units.yaml 中的单位编号或名称。",
    "What must be done (任务).": "任务名称（做什么）。",
    "The deadline (时限), e.g. 2026-12-31 or 年底.": "时限，例如 2026-12-31 或 年底。",
    "The id (default: the next free one in the file's pattern).": "任务编号（默认：按文件中的编号规则取下一个）。",
    "Responsible person (责任人).": "责任人。",
    "Leader in charge (包抓领导).": "包抓领导。",
    "Category (类别), e.g. 抓具体/抓项目建设.": "类别，例如 抓具体/抓项目建设。",
    "The document that set the task (依据).": "任务依据（文件名称或文号）。",
    "Start date (开始).": "开始日期。",
    "Cooperating unit ids (配合单位; repeat or comma-separate).": "配合单位（编号或名称；可重复，或用逗号、顿号分隔）。",
    "Parent task id (上级任务).": "上级任务的编号。",
    "Target value (目标值).": "目标值（数字）。",
    "Unit of the target (单位), e.g. 万元.": "目标值的计量单位，例如 万元。",
    "What the target measures (指标).": "目标指标，例如 完成投资。",
    "Form of supervision (督办方式).": "督办方式。",
    "A tag (标签); repeat for more.": "标签；可重复填写多个。",
    "A milestone, 名称=日期 (e.g. --milestone 完成招标=9月底); repeat for more.": "节点，写成 名称=日期（如 --milestone 完成招标=9月底）；可重复填写多个。",
    # fmt
    "Lay out ledger files canonically, keeping comments (整理格式).": "按统一格式整理台账文件，保留注释（整理格式）。",
    "Ledger files (default: all).": "要整理的台账文件（默认：全部）。",
    "Only check: show the diff and exit 1 if a file is not formatted.": "只检查：显示需要的改动，有文件不规范时退出码为 1。",
    "Also write every date as YYYY-MM-DD.": "同时把所有日期改写为 YYYY-MM-DD。",
    # import
    "Bring a 台账 spreadsheet (xlsx/csv) into the ledger; every row not read is reported (导入台账).": "把台账表格（xlsx/csv）导入台账；没有导入的每一行都会说明原因（导入台账）。",
    "The spreadsheet: .xlsx or .csv (UTF-8 or GBK).": "表格文件：.xlsx 或 .csv（UTF-8 或 GBK 编码）。",
    "Only this sheet (repeat for more; default: every sheet with a task header).": "只导入这个工作表（可重复；默认：每个有任务表头的工作表）。",
    "Lead unit (id or name) for rows without one, or whose unit is not in units.yaml.": "没有写责任单位、或单位不在 units.yaml 中的行，按这个单位（编号或名称）导入。",
    "Name a column: 列名=field, e.g. --map 牵头处室=lead (repeat).": "指定列的含义：列名=字段，例如 --map 牵头处室=lead（可重复）。",
    "Prefix of new ids (default: the unit's own pattern, e.g. FGW-).": "新编号的前缀（默认：按单位已有的编号规则，如 FGW-）。",
    "Date of the progress entries made from 进展情况 (default: today).": "由“进展情况”列生成的进展的日期（默认：今天）。",
    "Deadline for rows without a readable one, e.g. 年底.": "没有可识别时限的行使用的时限，例如 年底。",
    "Show what would be written; write nothing.": "只显示将写入的内容，不写入文件。",
    # export
    "Export the 台账 as an Excel workbook or CSV to send upward (导出台账).": "把台账导出为 Excel 工作簿或 CSV，便于上报（导出台账）。",
    "xlsx (default) or csv.": "输出格式：xlsx（默认）或 csv。",
    "Output file (xlsx default: 台账-DATE.xlsx; csv default: stdout).": "输出文件（xlsx 默认：台账-日期.xlsx；csv 默认：显示在屏幕上）。",
    "'unit': one sheet per lead unit (default: one sheet for all).": "写 unit 时每个牵头单位一个工作表（默认：全部在一个工作表）。",
    # calendar
    "Write open deadlines and milestones as an iCalendar file for phone calendars (日程提醒).": "把未完成任务的时限和节点写成日历文件（.ics），可导入手机日历提醒（日程提醒）。",
    "The .ics file (default: deadlines.ics; - for stdout).": "输出的 .ics 文件（默认：deadlines.ics；写 - 表示显示在屏幕上）。",
    "Only tasks led by (or shared with) this unit.": "只看这个单位牵头（或配合）的任务。",
    "Alarm this many working days before (0: on the day, at 9:00).": "提前几个工作日提醒（0：当天 9:00 提醒）。",
    "No alarms.": "不设提醒。",
    # log / audit / codeowners
    "The history of one task from git: created, each field changed, progress added (任务修改记录).": "从 git 历史查看一项任务的修改记录：何时建立、每个字段的改动、追加的进展。",
    "Only these commits, e.g. v1..main (default: all of HEAD).": "只看这些提交，例如 v1..main（默认：HEAD 的全部历史）。",
    "Audit the git history: deadlines moved, progress rewritten, tasks deleted, unauthorized edits (审计修改记录).": "审计 git 修改记录：擅自推迟时限、改写进展、删除任务、越权修改（审计修改记录）。",
    "Only commits since this date, e.g. 2026-10-01.": "只看这一天以后的提交，例如 2026-10-01。",
    "Only commits since this date, e.g. 2026-10-01": "只看这一天以后的提交，例如 2026-10-01。",
    "Only these commits, e.g. origin/main..HEAD (default: all of HEAD).": "只看这些提交，例如 origin/main..HEAD（默认：HEAD 的全部历史）。",
    "Only these finding codes (repeat or comma-separate).": "只报告这些问题代码（可重复，或用逗号分隔）。",
    "Leave out these finding codes.": "不报告这些问题代码。",
    "List the finding codes and exit.": "列出全部审计问题代码并退出。",
    "Write CODEOWNERS from units.yaml: unit editors own their files, supervisors the settings.": "按 units.yaml 生成 CODEOWNERS：各单位联络员负责本单位文件，督查人员负责设置文件。",
    "Where to write (default: CODEOWNERS at the repository top; - for stdout).": "写到哪里（默认：仓库根目录的 CODEOWNERS；写 - 表示显示在屏幕上）。",
    "Write nothing; exit 1 if the file is missing or out of date.": "不写文件；文件缺失或过时时退出码为 1。",
    # audit --baseline (i13-audit)
    "Start the record at this commit: nothing before it is judged, its settings are trusted.": "从这个提交开始审计：不审查它之前的提交，以它的设置和单位名录为准。",
    # complete or loud (i13-reports)
    "Make the report even when ledger files have errors; it then says which tasks it left out.": "台账文件有错误时也生成报告，并在报告中注明漏掉了哪些任务（默认拒绝生成）。",
    # form (i18-form)
    "Write a unit's weekly progress form (进展填报表) as an xlsx workbook to send out.": "为一个单位生成每周进展填报表（xlsx 工作簿），发给单位填写。",
    "The unit (id or name) whose form to write.": "为哪个单位生成填报表（单位编号或名称）。",
    "The .xlsx file (default: 进展填报表-UNIT-DATE.xlsx).": "输出的 .xlsx 文件（默认：进展填报表-单位-日期.xlsx）。",
    "Write one form per unit with open tasks into DIR.": "给每个有未完成任务的单位各生成一份填报表，放到这个目录。",
    # collect (i18-form)
    "Write the reports of returned progress forms into the ledger (收集进展填报表).": "把交回的进展填报表中的填报写入台账（收集进展填报表）。",
    "Returned forms: .xlsx, or .csv saved from one.": "交回的填报表：.xlsx，或由它另存的 .csv。",
    "Write the rows without errors even when other cells have errors.": "其他单元格有错误时，也写入没有错误的行。",
    "Refuse forms that are not this unit's (id or name).": "不是这个单位（编号或名称）的填报表一律拒收。",
    # site (i19-site)
    "Write the ledger as a static web site: overview, units, tasks, trends (works offline).": "把台账生成静态网站：总览、各单位、每项任务、趋势（不联网也能打开）。",
    "Folder to write the site into (new, empty, or a site written before).": "网站写到哪个文件夹（新的、空的，或以前生成过网站的文件夹）。",
    "Build even when the ledger has errors; every page names the files left out.": "台账有错误时也生成网站，每一页注明漏掉了哪些文件。",
    "Leave out each task's git history (faster on a long history).": "不写每项任务的 git 修改记录（历史很长时更快）。",
    "Leave out the archive of weekly bulletins.": "不生成每周简报的存档。",
    "Put each archived bulletin's Word file beside it (about 0.2 s an issue).": "每期存档简报旁边同时放 Word 文件（每期约 0.2 秒）。",
    # help
    "Show documentation: 'format' (the ledger format), 'scoring', 'audit', 'forms', 'duban' (说明文档).": "查看说明文档：format 台账格式（每个键、日期写法、状态、问题代码、退出码）、scoring 计分规则、audit 审计规则、forms 进展填报表、duban 督办流程。",
    "The topic: format, scoring, audit, forms or duban.": "主题：format（台账格式）、scoring（计分）、audit（审计）、forms（填报表）或 duban（督办流程）；不写则列出全部主题。",
    # the 督办 cycle (issue 20)
    "With --unit/--each-unit: number each 督办通知 (〔2026〕N号), give it its colour and record it in notices/<year>.yaml.": "与 --unit 或 --each-unit 一起用：给每份督办通知编文号（〔2026〕N号）、定督办单颜色，并登记到 notices/<年份>.yaml。",
    "Push reminders (督办提醒) of overdue, due-soon and unreported tasks to each unit's contact.": "向各单位联系人推送督办提醒：已逾期、即将到期、未报送进展、未签收和已升级督办的任务（企业微信、钉钉机器人或邮件）。",
    "Send the reminders (without it: print them, a dry run).": "真正发送提醒（不加时只显示将要发送的内容，不发送）。",
    "Print the reminders, send nothing (the default).": "只显示将要发送的提醒，不发送（默认）。",
    "Only this unit (id; repeat for more).": "只提醒这个单位（编号；可重复写多个）。",
    "Only this channel: wecom, dingtalk or email.": "只用这个渠道：wecom（企业微信）、dingtalk（钉钉）或 email（邮件）。",
    "The record of what was sent (default: remind.sent_file in sanzhua.yaml).": "已发送记录文件（默认为 sanzhua.yaml 中 remind.sent_file 的设置）。",
    "Remind even though the ledger has errors (and say so).": "台账有错误时也发送提醒（并在提醒中注明漏掉了哪些文件）。",
}

# The long help of a command past its first paragraph (audit's), keyed by the command.
LONG_HELP_ZH: dict[str, str] = {
    "audit": (
        "审计 git 修改记录：擅自推迟时限、改写进展、删除任务、越权修改（审计修改记录）。\n\n"
        "每个提交都与它的上一个提交比较，按上一个提交时的设置和单位名录判断。建立台账的"
        "那个提交是基准。backdated（补登）只看已有任务新增的记录。合并提交只看它在合并"
        "双方之外另做的改动。发现错误时退出码为 1。审计规则：sanzhua help audit。"
    ),
}

_METAVARS = {
    "<directory>": "<目录>",
    "<str>": "<文字>",
    "<integer>": "<整数>",
    "<int>": "<整数>",
    "<float>": "<数字>",
    "<path>": "<路径>",
    "<file>": "<文件>",
    "[OPTIONS]": "[选项]",
    "[TOPIC]": "[主题]",
    "{ID}": "<编号>",
    "ID": "<编号>",
    "{FILE...}": "<文件>...",
    "FILE...": "<文件>...",
    "{FILE}": "<文件>",
    "FILE": "<文件>",
    "UNIT": "<单位>",
    "[FILE]...": "[文件]...",
    "[DIR]": "[目录]",
    "COMMAND [ARGS]...": "命令 [参数]...",
    "[ARGS]...": "[参数]...",
}
_METAVAR_ORDER = sorted(_METAVARS.items(), key=lambda kv: -len(kv[0]))  # "[FILE]..." before "FILE"
_SECTIONS = {"Options": "选项", "Arguments": "参数", "Commands": "命令"}


def missing_help(cmd: Command) -> list[str]:
    """Every help text of the command tree without a Chinese (for the test)."""
    out: list[str] = []
    for where, text in _help_texts(cmd, "sanzhua"):
        if where in LONG_HELP_ZH:
            continue
        if text.strip() and text not in HELP_ZH and _first_paragraph(text) not in HELP_ZH:
            out.append(f"{where}: {text}")
    return out


def _help_texts(cmd: Command, path: str) -> Iterator[tuple[str, str]]:
    yield path, cmd.help or ""
    for p in cmd.params:
        yield f"{path} {p.opts[0] if p.opts else p.name}", getattr(p, "help", None) or ""
    if isinstance(cmd, Group):
        for name, sub in cmd.commands.items():
            yield from _help_texts(sub, name)


def _first_paragraph(text: str) -> str:
    return text.split("\n\n", 1)[0].strip()


def localize(cmd: Command, lang: Lang) -> None:
    """Put the command tree's help into `lang` (it is written in English)."""
    if lang != "zh":
        return
    _localize(cmd, cmd.name or "")


def _zh(text: str | None) -> str | None:
    if not text:
        return text
    return HELP_ZH.get(text) or HELP_ZH.get(_first_paragraph(text)) or text


def _localize(cmd: Command, name: str) -> None:
    long = LONG_HELP_ZH.get(name)
    cmd.help = long if long is not None else _zh(cmd.help)
    cmd.short_help = _first_paragraph(cmd.help or "").split("。")[0] if cmd.help else None
    cmd.context_class = ZhContext
    for p in cmd.params:
        _localize_param(p)
    if isinstance(cmd, Group):
        for sub_name, sub in cmd.commands.items():
            _localize(sub, sub_name)


def _localize_param(p: Parameter) -> None:
    text = getattr(p, "help", None)
    if isinstance(text, str):
        p.help = _zh(text)  # type: ignore[attr-defined]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


_NO_LINE_START = set("，。、；：）》」』】？！,.;:)")
_NO_LINE_END = set("（《「『【“(")


def wrap(text: str, width: int) -> list[str]:
    """Wrap mixed Chinese and Latin text to a display width: breaks between Han
    characters or at spaces, never before closing punctuation."""
    lines: list[str] = []
    for para in text.split("\n"):
        tokens = re.findall(r"[A-Za-z0-9_./:<>'\"=\-…%@\[\]{}|+*]+|\s+|.", para)
        line = ""
        for tok in tokens:
            if tok.isspace():
                if line and display_width(line) + 1 <= width:
                    line += " "
                continue
            if line and display_width(line + tok) > width:
                carry = ""
                if tok[0] in _NO_LINE_START and len(line) > 1:
                    carry, line = line[-1], line[:-1]  # the character before goes down with it
                while len(line) > 1 and line[-1] in _NO_LINE_END:
                    carry, line = line[-1] + carry, line[:-1]
                lines.append(line.rstrip())
                line = carry + tok
            else:
                line += tok
        lines.append(line.rstrip())
    return lines


class ZhHelpFormatter(HelpFormatter):
    """Click's help layout with Chinese headings, measured in display columns."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for en, zh in _METAVAR_ORDER:
            args = args.replace(en, zh)
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{_SECTIONS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        width = max(self.width - self.current_indent, 20)
        for para in text.split("\n\n"):
            for line in wrap(" ".join(para.split("\n")), width):
                self.write(f"{indent}{line}\n")
            self.write("\n")
        self.buffer[-1] = ""  # no blank line after the last paragraph

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        fixed = [(_first_col(a), _second_col(b)) for a, b in rows]
        first_col = min(max((display_width(a) for a, _ in fixed), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - self.current_indent - 2, 16)
        pad = " " * (first_col + self.current_indent)
        for first, second in fixed:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if display_width(first) <= first_col - col_spacing:
                self.write(" " * (first_col - display_width(first)))
            else:
                self.write("\n" + pad)
            lines = wrap(second, text_width)
            self.write(lines[0] + "\n")
            for line in lines[1:]:
                self.write(pad + line + "\n")


def _first_col(text: str) -> str:
    for en, zh in _METAVAR_ORDER:
        text = text.replace(en, zh)
    return text


def _second_col(text: str) -> str:
    text = HELP_ZH.get(text, text)
    text = re.sub(r"\[default: ([^\]]*)\]", r"[默认：\1]", text)
    text = text.replace("[required]", "[必填]")
    text = text.replace("Show this message and exit.", HELP_ZH["Show this message and exit."])
    return text


class ZhContext(Context):
    formatter_class = ZhHelpFormatter


# ---------------------------------------------------------------------------------------
# Usage errors


def usage_error_zh(e: click_exc.UsageError) -> str:
    """A usage error in Chinese: what is wrong, then how to fix it."""
    return _what_zh(e)


def _param_name(param: Parameter | None, ctx: Context | None) -> str:
    if param is None:
        return ""
    if param.param_type_name == "argument":
        return str(param.human_readable_name)
    opts = [o for o in param.opts if o.startswith("--")] or list(param.opts)
    return opts[0] if opts else str(param.name)


def _param_help(param: Parameter | None) -> str:
    text = getattr(param, "help", None)
    if not isinstance(text, str):
        return ""
    zh = _zh(text) or ""
    return zh.rstrip("。")


_TYPE_ZH = {"integer": "整数", "int": "整数", "float": "数字", "boolean": "是或否（true/false）", "text": "文字"}


def _what_zh(e: click_exc.UsageError) -> str:
    if isinstance(e, click_exc.MissingParameter):
        missing = _all_missing(e) or ([e.param] if e.param is not None else [])
        parts = []
        for p in missing:
            about = _param_help(p)
            parts.append(_param_name(p, e.ctx) + (f"（{about}）" if about else ""))
        kind = "参数" if e.param is not None and e.param.param_type_name == "argument" else "选项"
        return f"缺少必填的{kind}：" + "；".join(parts)
    if isinstance(e, click_exc.NoSuchOption):
        text = f"没有选项 {e.option_name}"
        if e.possibilities:
            text += "；是不是想写 " + "、".join(sorted(e.possibilities)) + "？"
        return text
    if isinstance(e, click_exc.BadOptionUsage):
        m = re.match(r"Option '([^']+)' requires (an argument|\d+ arguments)", e.message)
        if m:
            return f"选项 {m.group(1)} 后面要写一个值"
        m = re.match(r"Option '([^']+)' does not take a value", e.message)
        if m:
            return f"选项 {m.group(1)} 后面不能写值（它是开关，写上就表示“是”）"
        return f"选项用法不对：{e.message}"
    if isinstance(e, click_exc.BadParameter):
        name = _param_name(e.param, e.ctx)
        return f"{name} 的值无效：{_value_problem_zh(e.message)}"
    m = re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.*)\)$", e.message, re.DOTALL)
    if m:
        return (
            f"多出了参数：{m.group(1)}。每个值前面要写选项名（如 --note 完成筛选）；"
            '值里有空格的要加引号（如 --note "完成 3 项"）'
        )
    m = re.match(r"No such command '(.*?)'\.(?: Did you mean '(.*)'\?)?$", e.message)
    if m:
        guess = f"是不是想写“{m.group(2)}”？" if m.group(2) else ""
        return f"没有命令“{m.group(1)}”；{guess}运行 sanzhua -h 查看全部命令"
    if e.message.startswith("Missing command"):
        return "缺少命令；运行 sanzhua -h 查看全部命令"
    return e.message


def _all_missing(e: click_exc.MissingParameter) -> list[Parameter]:
    """Every required option the command line lacks, not only the first click met."""
    if e.ctx is None or e.param is None or e.param.param_type_name == "argument":
        return []
    given = set()
    for a in sys.argv[1:]:
        given.add(a.split("=", 1)[0])
    return [
        p
        for p in e.ctx.command.params
        if p.required and p.param_type_name == "option" and not given.intersection(p.opts)
    ]


def _value_problem_zh(message: str) -> str:
    m = re.match(r"'(.*)' is not a valid (\w+)\.?$", message, re.DOTALL)
    if m:
        return f"“{m.group(1)}”不是{_TYPE_ZH.get(m.group(2), m.group(2))}"
    m = re.match(r"(.*) is not in the range (.*)\.$", message)
    if m:
        return f"{m.group(1)} 不在允许的范围 {m.group(2)} 内"
    m = re.match(r"(File|Directory|Path) '(.*)' (does not exist|is a file|is a directory)\.?$", message)
    if m:
        what = {"does not exist": "不存在", "is a file": "是文件，不是目录", "is a directory": "是目录，不是文件"}
        return f"“{m.group(2)}”{what[m.group(3)]}"
    return message


def show_usage_error(e: click_exc.UsageError, lang: Lang) -> int:
    """Print a usage error as the user reads it, in `lang`; the exit code (2)."""
    if lang != "zh" or isinstance(e, click_exc.NoArgsIsHelpError):
        e.show()
        return e.exit_code
    out = sys.stderr
    if e.ctx is not None:
        out.write(e.ctx.get_usage() + "\n")
    out.write(f"sanzhua: 用法错误：{usage_error_zh(e)}\n")
    if e.ctx is not None and not isinstance(e.ctx.command, Group):
        out.write(f"  运行 {e.ctx.command_path} -h 查看这个命令的全部选项\n")
    elif e.ctx is not None and "没有命令" not in usage_error_zh(e):
        out.write("  运行 sanzhua -h 查看全部命令和选项\n")
    elif e.ctx is None and sys.argv[1:2] and not sys.argv[1].startswith("-"):
        out.write(f"  运行 sanzhua {sys.argv[1]} -h 查看这个命令的全部选项\n")
    return e.exit_code


def run_command(cmd: Command, args: list[str], lang: Lang, **extra: Any) -> int:
    """Run the click command as `main()` does, showing usage errors in `lang`; the exit code."""
    try:
        rv = cmd.main(args, prog_name="sanzhua", standalone_mode=False, **extra)
    except click_exc.UsageError as e:
        return show_usage_error(e, lang)
    except click_exc.ClickException as e:  # a file that could not be opened and such
        e.show()
        return e.exit_code
    except Abort:
        sys.stderr.write("sanzhua: 已中止 / aborted\n")
        return 1
    return rv if isinstance(rv, int) else 0


# ---------------------------------------------------------------------------------------
# Problem codes (`check --list`, `audit --list`)

CODE_DOCS_ZH: dict[str, str] = {
    # check: found while reading
    "syntax": "文件不是有效的 YAML：用了 Tab 缩进、全角冒号或全角空格、未加引号的 %、别名等。",
    "encoding": "文件不是 UTF-8 文本（例如 Windows 编辑器存成的 GBK，或二进制文件）。",
    "unknown-key": "格式中没有的键名，并提示可能想写的键。",
    "missing-key": "缺少必填的键（id、title、due、tasks、name 等）。",
    "duplicate-key": "同一层里同一个键写了两次（英文键和它的中文别名也算重复）。",
    "invalid-value": "值的类型不对：进度超出 0–100、不认识的状态、该写文字的地方写了列表等。",
    "invalid-date": "日期不存在（2026-02-30）或无法识别（尽快）。",
    "missing-file": "缺少台账必需的文件（units.yaml）。",
    "calendar-fallback": "没有这一年的节假日安排，工作日按周一至周五计算。",
    "too-many-problems": "一个文件的问题超过 10,000 个：只列出前 10,000 个，其余的个数由这一条说明。",
    "unsafe-file": "未读取的文件：指向台账目录之外的链接、管道（FIFO）、设备或文件夹，超过 max_file_mb 的文件，无权读取的文件，或扩展名不是小写 .yaml/.yml 的台账文件（如 X.YAML）。",
    # check: named checks
    "unknown-unit": "任务的牵头单位或配合单位不在 units.yaml 中。",
    "duplicate-id": "两项任务用了同一个编号；编号在整个台账中必须唯一。",
    "unknown-parent": "任务的 parent（上级任务）指向不存在的编号。",
    "parent-cycle": "上级任务形成循环（A → B → A）。",
    "parent-too-deep": "上级任务（parent）链超过 20 层：更深的任务不计入上级的进度。",
    "overdue": "未完成的任务已过时限（警告；加 --fail-on overdue 时按失败处理）。",
    "milestone-after-due": "节点时限晚于任务时限。",
    "done-before-start": "完成日期（done）早于开始日期（start）。",
    "due-before-start": "时限（due）早于开始日期（start），不可能按时完成。",
    "future-date": "进展、完成日期或节点完成日期晚于检查日期，暂不计入。",
    "child-due-after-parent": "分解任务（下级任务）的时限晚于上级任务。",
    "extension-mismatch": "最后一次延期的新时限（to）与任务的时限（due）不一致。",
    "done-without-date": "状态为已完成（status: done），但没有完成日期（按已完成计算）。",
    "long-title": "标题超过 1000 字：简报和网站各页只显示前 1000 字，其后写“…（以下省略 N 字）”；任务自己的页面、show 和导出仍是全文。",
    "confusable-id": "两个任务编号只差大小写、全角字母或形近的西里尔/希腊字母（警告），容易看成同一个。",
    "invalid-scoring": "计分规则（sanzhua.yaml 中的 scoring:）有不认识的键或无效的值。",
    "no-supervisors": "sanzhua.yaml 中写了 supervisors，但名单是空的：没有人有权修改时限、目标和延期。",
    "progress-regressed": "一条进展的进度比上一条低（进度只增不减，倒退请在情况中说明）。",
    # check: the 督办 cycle
    "unknown-kind": "任务的类型（kind）不是内置类型，也不是 sanzhua.yaml 的 kinds 中自定义的类型。",
    "kind-requires": "缺少该类任务必须填写的键（如领导批示件的交办日期、来源），或建议提案办结后没有填写满意度。",
    "invalid-notice": "督办通知登记（notices/ 下的文件）写法不对、文号重复，或写了不存在的单位、任务。",
    # audit
    "deadline-moved": "任务或节点的时限被推迟，却没有新增一条 to 为新时限的延期记录。",
    "extension-unauthorized": "不在 supervisors（督查人员）名单中的人登记或修改了延期，或修改了时限、目标。",
    "progress-rewritten": "已提交的进展被改写或删除（进展只能追加）。",
    "task-deleted": "任务被从台账中删除，而不是标记 status: cancelled（已取消）。",
    "unauthorized-edit": "既不是本单位联络员（editors）也不是督查人员的人修改了单位的任务；或非督查人员修改了 sanzhua.yaml、units.yaml、calendar.yaml。",
    "backdated": "已有任务新增的完成日期、节点完成日期或进展，日期比提交时间早 backdate_days（默认 7）天以上。",
    "unaudited-merge": "一次合并两个以上分支（章鱼式合并），且合并后的文件与每个分支都不同，无法逐项比对。",
    "history-cut": "要审计的历史超过一次运行的上限（例如每个提交都改写成千上万项任务），审计在所列提交之后停止，其后的提交未审计；用 --range 该提交..HEAD 审计其余部分。",
    "version-too-big": "历史中某个文件版本超过读取上限（64 MB），未读取，所在提交对该文件的修改未审计；用 git 人工核对该提交。",
    "unsigned": "台账要求签名（require_signed: true），但提交没有有效签名。",
    "done-rewritten": "不在 supervisors 名单中的人改动或删除了已提交的任务或节点完成日期（done）。",
    "status-unauthorized": "不在 supervisors 名单中的人把任务状态改为 suspended 暂缓或 cancelled 已取消。",
    "committer-not-supervisor": "提交的作者是督查人员，但提交者不是（督查人员的提交被别人修改或重新提交）；按提交者的身份判断。",
    "symlink-committed": "台账中提交了符号链接。",
    "cache-committed": "提交了 .sanzhua/ 下的文件（sanzhua 自己的缓存，不属于台账记录）。",
    "done-corrected": "非督查人员改动了已提交的完成日期，同一次提交中登记了更正（sanzhua done --correct --reason），请督查室核实。",
    "verification-unauthorized": "不在 supervisors 名单中的人写入、修改或删除了销号（verified）或退回（returned）记录；销号只能由督查室确认。",
}


