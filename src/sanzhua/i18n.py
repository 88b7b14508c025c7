"""Every message a user can see, in Chinese and English.

Problems carry a catalogue key and arguments (`sanzhua.problems.Msg`); `text()`
renders them in the ledger's language. One table keeps the two languages side by
side so that neither falls behind.
"""

from __future__ import annotations

from typing import Literal

from sanzhua.problems import Msg

Lang = Literal["zh", "en"]

CATALOGUE: dict[str, tuple[str, str]] = {
    # encoding
    "enc.binary": ("文件含有二进制内容（NUL 字节），不是文本文件", "the file holds binary data (a NUL byte); it is not a text file"),
    "enc.binary.hint": ("台账文件必须是 UTF-8 文本；请检查是否误存了 Excel 或 Word 文件", "ledger files must be UTF-8 text; was an Excel or Word file saved here by mistake?"),
    "enc.gbk": ("文件不是 UTF-8 编码，看起来是 GBK（Windows 中文默认编码）", "the file is not UTF-8; it looks like GBK (the Windows Chinese default)"),
    "enc.gbk.hint": ("用记事本或 WPS 打开后“另存为”，编码选 UTF-8；或运行 iconv -f GBK -t UTF-8 原文件 > 新文件", "re-save it as UTF-8 (Notepad: Save as → Encoding UTF-8), or run: iconv -f GBK -t UTF-8 old.yaml > new.yaml"),
    "enc.not-utf8": ("文件不是有效的 UTF-8 文本", "the file is not valid UTF-8 text"),
    "enc.not-utf8.hint": ("请用文本编辑器把文件另存为 UTF-8 编码", "save the file as UTF-8 in a text editor"),
    "file.unreadable": ("无法读取文件：{detail}", "cannot read the file: {detail}"),
    # YAML syntax
    "yaml.tab": ("缩进用了制表符（Tab），YAML 只允许空格缩进", "a tab is used for indentation; YAML allows only spaces"),
    "yaml.tab.hint": ("把行首的 Tab 换成空格（每级缩进 2 个空格）；编辑器可设置“用空格代替 Tab”", "replace the tabs at the start of the line with spaces (2 per level)"),
    "yaml.reserved": ("值不能以字符“{char}”开头", "a plain value cannot start with '{char}'"),
    "yaml.reserved.hint": ("给这个值加上引号，例如 \"{char}…\"", "put the value in quotes, e.g. \"{char}...\""),
    "yaml.fullwidth-colon": ("键名后面用了中文全角冒号“：”", "a full-width colon '：' follows a key"),
    "yaml.fullwidth-colon.hint": ("把“：”改成英文半角冒号“:”，冒号后再加一个空格，例如 title: 某某任务", "use an ASCII colon and a space instead: 'title: ...'"),
    "yaml.colon-in-value": ("这里不能出现“冒号+空格”", "a colon followed by a space is not allowed here"),
    "yaml.colon-in-value.hint": ("如果值里含有“: ”，请给整个值加引号；否则检查上一行的缩进和冒号", "if the value contains ': ', quote the whole value; otherwise check the indentation and colon on this line and the one above"),
    "yaml.unclosed-quote": ("引号没有闭合", "a quote is not closed"),
    "yaml.unclosed-quote.hint": ("在值的末尾补上对应的引号", "add the matching quote at the end of the value"),
    "yaml.many-documents": ("一个文件里只能有一个 YAML 文档（出现了第二个 ---）", "a file may hold only one YAML document (a second --- was found)"),
    "yaml.many-documents.hint": ("删掉多余的 --- 行，或把第二部分移到另一个文件", "remove the extra --- line, or move the second part to a file of its own"),
    "yaml.alias": ("不允许使用锚点和别名（& 和 *）复用内容", "anchors and aliases (& and *) that reuse content are not allowed"),
    "yaml.alias.hint": ("把要复用的内容直接写出来；若值以 * 或 & 开头，请加引号", "write the content out in full; quote a value that starts with * or &"),
    "yaml.complex-key": ("键名必须是文字", "a key must be plain text"),
    "yaml.complex-key.hint": ("检查这一行是否多了“?”、方括号或花括号", "check this line for a stray '?', brackets or braces"),
    "yaml.duplicate-key": ("键“{key}”重复，第 {first_line} 行已经有了", "the key '{key}' appears twice; line {first_line} has it already"),
    "yaml.duplicate-key.hint": ("删掉其中一个“{key}”，或把它们合并", "delete one '{key}' or merge the two"),
    "yaml.too-deep": ("嵌套层次太深", "nesting is too deep"),
    "yaml.too-deep.hint": ("台账只需要几层缩进；请检查括号是否成对", "a ledger needs only a few levels; check that brackets are balanced"),
    "yaml.indent": ("缩进不对，或缺少“键: 值”中的冒号", "the indentation is wrong, or a 'key: value' lacks its colon"),
    "yaml.indent.hint": ("同一层的键要对齐（用空格），每个键后面要有英文冒号和空格", "keys of one level must line up (with spaces), and each key needs ': ' after it"),
    "yaml.generic": ("YAML 语法错误：{detail}", "YAML syntax error: {detail}"),
    "yaml.generic.hint": ("检查这一行和上一行的缩进、冒号和引号", "check the indentation, colons and quotes on this line and the one above"),
    # file shape
    "file.empty": ("文件是空的", "the file is empty"),
    "file.empty.hint": ("写上 unit:（责任单位）和 tasks:（任务清单），或删除这个文件", "add 'unit:' and 'tasks:', or delete the file"),
    "file.not-mapping": ("文件的最外层必须是“键: 值”形式（映射），而不是列表或一段文字", "the top level of the file must be a mapping (key: value), not a list or text"),
    "file.not-mapping.hint": ("台账文件以 unit: 和 tasks: 两个键开头，任务写在 tasks: 下面", "a ledger file starts with 'unit:' and 'tasks:', with the tasks listed under 'tasks:'"),
    "file.no-tasks": ("缺少 tasks（任务清单）", "'tasks' is missing"),
    "file.no-tasks.hint": ("加上 tasks:（或 任务清单:），下面用“- ”逐条列出任务", "add 'tasks:' with one '- ' entry per task"),
    "file.tasks-not-list": ("“{key}”必须是列表，每个任务以“- ”开头", "'{key}' must be a list, each task starting with '- '"),
    "file.tasks-not-list.hint": ("在每个任务的第一个键前加“- ”，例如“  - id: XM-001”", "start each task with '- ', e.g. '  - id: XM-001'"),
    # keys
    "key.unknown": ("未知的键“{key}”", "unknown key '{key}'"),
    "key.did-you-mean": ("是不是想写“{guess}”？", "did you mean '{guess}'?"),
    "key.known": ("可用的键：{known}", "known keys: {known}"),
    "key.twice": ("“{key}”和“{other}”是同一个字段，只能写一个", "'{key}' and '{other}' are the same field; keep one"),
    "key.twice.hint": ("删掉“{key}”或“{other}”之一", "delete either '{key}' or '{other}'"),
    "key.missing": ("缺少必填的“{key}”（{zh}）", "the required key '{key}' is missing"),
    "key.missing-plain": ("缺少必填的“{key}”", "the required key '{key}' is missing"),
    "key.missing.hint": ("加上“{key}: …”", "add '{key}: ...'"),
    # tasks
    "task.not-mapping": ("任务必须是“键: 值”形式的一组字段", "a task must be a mapping of keys and values"),
    "task.not-mapping.hint": ("每个任务写成“- id: …”，下一行起缩进写 title: 等字段", "write each task as '- id: ...' with its other keys indented below"),
    "task.bad-id": ("编号“{id}”含有不允许的字符", "the id '{id}' has characters that are not allowed"),
    "task.bad-id.hint": ("编号只能用字母、数字、汉字和 - _ .，不能有空格", "use letters, digits, '-', '_' and '.', no spaces"),
    "task.empty-title": ("任务名称是空的", "the title is empty"),
    "task.no-lead": ("任务没有牵头单位", "the task has no lead unit"),
    "task.no-lead.hint": ("在文件开头写 unit: 单位编号，或在任务里写 lead: 单位编号", "add 'unit: ID' at the top of the file or 'lead: ID' in the task"),
    "task.no-due": ("任务没有时限（due），也没有可继承时限的上级任务", "the task has no deadline ('due') and no parent to take one from"),
    "task.no-due.hint": ("加上 due: 2026-09-30（或 9月底、年底 等写法）", "add 'due: 2026-09-30' (or 9月底, 年底 ...)"),
    # values
    "value.text": ("“{key}”应该是一段文字", "'{key}' must be text"),
    "value.text.hint": ("“{key}”后面直接写文字，不要写成列表或子项", "write plain text after '{key}:', not a list or nested keys"),
    "value.number": ("“{key}”应该是数字，这里是“{text}”", "'{key}' must be a number, not '{text}'"),
    "value.number.hint": ("只写数字，例如 50000；单位写在 unit: 里", "write only the number, e.g. 50000; the unit goes in 'unit:'"),
    "value.text-list": ("“{key}”应该是文字列表", "'{key}' must be a list of text"),
    "value.text-list.hint": ("写成 [a, b] 或每行一个“- a”", "write [a, b] or one '- a' per line"),
    "value.list": ("“{key}”应该是列表", "'{key}' must be a list"),
    "value.list.hint": ("每一项以“- ”开头，例如“- {{date: 2026-06-05, note: …}}”", "start each entry with '- ', e.g. '- {{date: 2026-06-05, note: ...}}'"),
    "value.entry": ("“{key}”的每一项都必须是“键: 值”形式", "each entry of '{key}' must be a mapping"),
    "value.entry.hint": ("例如“- {{date: 2026-06-05, note: …}}”", "e.g. '- {{date: 2026-06-05, note: ...}}'"),
    "date.not-text": ("“{key}”应该是日期", "'{key}' must be a date"),
    "date.impossible": ("“{key}”的日期“{text}”不存在：{detail_zh}", "the date '{text}' in '{key}' does not exist: {detail_en}"),
    "date.impossible.hint": ("检查月份（1–12）和这个月的天数", "check the month (1-12) and the number of days in that month"),
    "date.unreadable": ("“{key}”的“{text}”不是能识别的日期", "'{text}' in '{key}' is not a date sanzhua can read"),
    "date.hint": ("请写成 2026-09-30、2026年9月30日、9月底、第三季度、年底 等形式", "write it as 2026-09-30, 2026年9月30日, 9月底, 第三季度, 年底 ..."),
    "status.unknown": ("状态“{value}”不是五种状态之一", "the status '{value}' is not one of the five"),
    "status.did-you-mean": ("是不是想写“{guess}”？状态只能是 planned 未启动、active 推进中、done 已完成、suspended 暂缓、cancelled 已取消", "did you mean '{guess}'? A status is one of planned, active, done, suspended, cancelled"),
    "status.hint": ("状态只能是 planned 未启动、active 推进中、done 已完成、suspended 暂缓、cancelled 已取消", "a status is one of planned, active, done, suspended, cancelled"),
    "direction.unknown": ("方向“{value}”无法识别", "the direction '{value}' is not known"),
    "direction.hint": ("写 at_least（不低于）或 at_most（不高于）", "write at_least or at_most"),
    "target.not-mapping": ("目标（target）应写成“{{metric: …, value: …, unit: …}}”", "'target' must be a mapping like '{{metric: ..., value: ..., unit: ...}}'"),
    "target.not-mapping.hint": ("例如 target: {{metric: 完成投资, value: 50000, unit: 万元}}", "e.g. target: {{metric: investment, value: 50000, unit: 万元}}"),
    "percent.range": ("进度 {value}% 超出了 0–100 的范围", "the percent {value} is outside 0-100"),
    "percent.range.hint": ("进度（percent）填 0 到 100 之间的数字；实际完成量请填在 value 里", "write a percent from 0 to 100; amounts go in 'value'"),
    "weight.negative": ("权重不能为负数", "a weight cannot be negative"),
    "weight.hint": ("写一个不小于 0 的数字，默认是 1", "write a number of 0 or more; the default is 1"),
    # settings
    "settings.invalid": ("“{key}”的值“{value}”无效：{detail}", "invalid value '{value}' for '{key}': {detail}"),
    "settings.invalid.hint": ("按 FORMAT.md 中“{key}”的说明修改", "see FORMAT.md for '{key}'"),
    "units.missing": ("没有 units.yaml（责任单位清单）", "units.yaml (the list of responsible units) is missing"),
    "units.missing.hint": ("在台账根目录建立 units.yaml，列出各责任单位的 id 和 name；`sanzhua init` 会生成示例", "create units.yaml in the ledger root listing each unit's id and name; `sanzhua init` writes an example"),
    "units.shape": ("units.yaml 应以 units: 开头，下面逐条列出单位", "units.yaml must start with 'units:' followed by a list of units"),
    "units.shape.hint": ("例如：units:\\n  - {{id: fgw, name: 县发改委, kind: 县直部门}}", "e.g. units:\\n  - {{id: fgw, name: County DRC}}"),
    "units.entry": ("单位必须写成“键: 值”形式", "a unit must be a mapping"),
    "units.bad-id": ("单位编号“{id}”只能用小写字母、数字、- 和 _", "the unit id '{id}' may use only lower-case letters, digits, '-' and '_'"),
    "units.bad-id.hint": ("例如 fgw、chengguan、jyj；中文名称写在 name: 里", "e.g. fgw, chengguan; the Chinese name goes in 'name:'"),
    "units.duplicate": ("单位编号“{id}”重复（第 {first_line} 行已有）", "the unit id '{id}' appears twice (line {first_line} has it)"),
    "units.duplicate.hint": ("每个单位的 id 必须唯一", "give each unit its own id"),
    "calendar.hint": ("calendar.yaml 写成 holidays: [2027-01-01] 和 workdays: [2027-02-14]", "calendar.yaml holds 'holidays: [...]' and 'workdays: [...]'"),
    "calendar.fallback": ("内置日历没有 {years} 年的节假日安排，按周一至周五计算工作日", "the built-in calendar has no holidays for {years}; working days are counted Monday to Friday"),
    "calendar.fallback.hint": ("在 calendar.yaml 中补充该年的 holidays 和 workdays（调休上班日）", "add that year's holidays and make-up workdays to calendar.yaml"),
    # semantic checks
    "unit.unknown": ("单位“{unit}”不在 units.yaml 中", "the unit '{unit}' is not in units.yaml"),
    "unit.did-you-mean": ("是不是“{guess}”？单位要写 units.yaml 中的 id", "did you mean '{guess}'? Use a unit id from units.yaml"),
    "unit.hint": ("在 units.yaml 中添加这个单位，或改成已有单位的 id", "add the unit to units.yaml or use an existing unit id"),
    "id.duplicate": ("任务编号“{id}”重复，{first} 已经用过", "the task id '{id}' is used twice; {first} has it already"),
    "id.duplicate.hint": ("编号在整个台账中必须唯一，请给其中一个换一个编号", "ids must be unique across the whole ledger; renumber one of them"),
    "parent.unknown": ("上级任务“{parent}”不存在", "the parent task '{parent}' does not exist"),
    "parent.unknown.hint": ("检查上级任务的编号；是不是“{guess}”？", "check the parent's id; did you mean '{guess}'?"),
    "parent.unknown.hint-plain": ("检查上级任务的编号是否写对", "check the parent's id"),
    "parent.cycle": ("上级任务形成了循环：{chain}", "the parents form a cycle: {chain}"),
    "parent.cycle.hint": ("一个任务不能是自己的上级（直接或间接），请改正其中一个 parent", "a task cannot be its own ancestor; fix one of the 'parent' keys"),
    "overdue.task": ("任务“{title}”已逾期 {days} 天（时限 {due}）", "'{title}' is {days} days overdue (due {due})"),
    "overdue.hint": ("完成后填写 done: 完成日期；确需延期的，按程序审批后在 extensions 中登记", "record 'done: DATE' when finished; an approved extension goes in 'extensions'"),
    "milestone.after-due": ("节点“{name}”的时限 {ms_due} 晚于任务时限 {due}", "the milestone '{name}' is due {ms_due}, after the task's deadline {due}"),
    "milestone.after-due.hint": ("倒排工期的节点应在任务时限之前", "milestones are worked back from the deadline and fall before it"),
    "done.before-start": ("完成日期 {done} 早于开始日期 {start}", "the done date {done} is before the start {start}"),
    "done.before-start.hint": ("检查 done 和 start 的日期", "check the 'done' and 'start' dates"),
    "future.progress": ("进展日期 {date} 晚于检查日期 {as_of}，暂不计入", "the progress entry dated {date} is after the as-of date {as_of} and is ignored"),
    "future.done": ("完成日期 {date} 晚于检查日期 {as_of}，暂不计入", "the done date {date} is after the as-of date {as_of} and is ignored"),
    "future.hint": ("检查日期是否写错；进展应在发生后再登记", "check the date; record progress after it happens"),
    "child.after-parent": ("时限 {due} 晚于上级任务“{parent}”的时限 {parent_due}", "the deadline {due} is after the parent '{parent}' deadline {parent_due}"),
    "child.after-parent.hint": ("分解任务的时限不应晚于上级任务", "a share of a task should not be due after the task itself"),
    "extension.mismatch": ("最后一次延期的新时限 {to} 与任务时限 {due} 不一致", "the last extension's new deadline {to} differs from the deadline {due}"),
    "extension.mismatch.hint": ("延期后把 due 改为新时限，或改正延期记录（sanzhua extend 会同时改两处）", "set 'due' to the new deadline, or correct the extension ('sanzhua extend' does both)"),
    "done.no-date": ("状态为已完成，但没有填写完成日期", "the status is done but there is no done date"),
    "done.no-date.hint": ("加上 done: 完成日期（或用 sanzhua done 编号）", "add 'done: DATE' (or run 'sanzhua done ID')"),
    # edit
    "edit.unchanged": ("文件未作任何改动。", "No file was changed."),
    "edit.dry-run": ("（--dry-run：只显示改动，未写入 {file}）", "(--dry-run: {file} was not written)"),
    "edit.written": ("已写入 {file}", "wrote {file}"),
    "edit.committed": ("已提交：{subject}", "committed: {subject}"),
    "edit.nothing": ("{id} 已是这个状态，无需修改", "{id} is already so; nothing to change"),
    "edit.unknown-id": ("台账中没有编号为“{id}”的任务", "no task has the id '{id}'"),
    "edit.unknown-id.hint": ("用 sanzhua status --all 查看全部任务编号", "run 'sanzhua status --all' to list the task ids"),
    "edit.unknown-id.hint-guess": ("是不是“{guess}”？", "did you mean '{guess}'?"),
    "edit.unknown-unit": ("units.yaml 中没有单位“{unit}”", "units.yaml has no unit '{unit}'"),
    "edit.unknown-unit.hint": ("--unit 填 units.yaml 中的单位代码（id）或名称", "--unit takes a unit id (or name) from units.yaml"),
    "edit.unknown-unit.hint-guess": ("是不是“{guess}”？", "did you mean '{guess}'?"),
    "edit.unknown-milestone": ("任务 {id} 没有名为“{name}”的节点（或有多个匹配）", "task {id} has no milestone named '{name}' (or several match)"),
    "edit.unknown-milestone.hint": ("现有节点：{names}", "its milestones: {names}"),
    "edit.bad-date": ("{option}：无法识别的日期“{value}”（{detail}）", "{option}: cannot read the date '{value}' ({detail})"),
    "edit.bad-date.hint": ("例如 {option} 2026-11-25、2026年11月30日 或 11月底", "e.g. {option} 2026-11-25"),
    "edit.bad-number": ("{option}：“{value}”不是数字", "{option}: '{value}' is not a number"),
    "edit.required": ("{option} 不能为空", "{option} must not be empty"),
    "edit.percent-or-value": ("--percent 和 --value 只能填一个", "give --percent or --value, not both"),
    "edit.progress-empty": ("进展没有内容", "the progress entry says nothing"),
    "edit.progress-empty.hint": ("至少填写 --note 情况，或 --percent 进度 / --value 完成值", "give --note, or --percent / --value"),
    "edit.extend-not-later": ("新时限 {to} 不晚于现时限 {due}，不是延期", "the new deadline {to} is not after the deadline {due}; that is no extension"),
    "edit.extend-not-later.hint": ("--to 填批准延期后的新时限", "--to takes the approved new deadline"),
    "edit.target-needs-value": ("填写了目标指标或单位，但没有 --target-value 目标值", "a target metric or unit is given without --target-value"),
    "edit.file-exists": ("文件 {file} 已经存在", "the file {file} exists already"),
    "edit.invalid-before": ("{file} 现在就有错误，先改正这些错误再用命令修改", "{file} has errors already; fix them before editing it with a command"),
    "edit.invalid-before.hint": ("运行 sanzhua check 查看并改正错误", "run 'sanzhua check' to see and fix them"),
    "edit.would-break": ("这次修改会使 {file} 出现错误，已拒绝", "this change would make {file} invalid; refused"),
    "edit.would-break.hint": ("检查填写的编号、单位、日期和数值", "check the ids, units, dates and numbers you gave"),
    "edit.internal": ("修改 {file} 时结果与预期不符，为安全起见未写入", "editing {file} did not give the expected result; nothing was written, to be safe"),
    "edit.internal.hint": ("这是 sanzhua 的缺陷，请把文件和命令一起报告；可先手工修改", "this is a sanzhua bug; please report it with the file and command, and edit by hand meanwhile"),
    "edit.changed-on-disk": ("{file} 在读取后被修改过（可能有人同时在编辑），未写入", "{file} changed on disk after it was read (someone editing it?); nothing written"),
    "edit.changed-on-disk.hint": ("保存或关闭编辑器中的文件后重新运行命令", "save or close the file in your editor, then run the command again"),
    "edit.not-ledger": ("这不是台账文件（缺少 tasks / 任务清单）", "this is not a ledger file (no 'tasks')"),
    "edit.no-task-in-file": ("文件中找不到任务 {id}", "task {id} is not in the file"),
    "edit.complex-value": ("“{key}”的写法（多行或嵌套）无法自动修改，请手工修改", "'{key}' is written in a form (multi-line or nested) that cannot be edited automatically; edit it by hand"),
    "edit.not-a-list": ("“{key}”不是列表（每条以“- ”开头），无法追加", "'{key}' is not a list of '- ' entries; cannot append to it"),
    "edit.overlap": ("同一处需要改两次，无法自动修改，请手工修改", "two changes fall on the same place; edit by hand"),
    "edit.no-git": ("--commit：台账目录不在 git 仓库中", "--commit: the ledger is not in a git repository"),
    "edit.no-git.hint": ("去掉 --commit，或先 git init", "drop --commit, or run 'git init' first"),
    "edit.dirty": ("--commit：{file} 有尚未提交的改动，一起提交会混淆审计记录", "--commit: {file} has uncommitted changes that would be mixed into the commit"),
    "edit.dirty.hint": ("先提交或撤销 {file} 的改动，或去掉 --commit", "commit or undo the changes to {file} first, or drop --commit"),
    "edit.git-failed": ("git 提交失败：{detail}（文件已写入）", "git commit failed: {detail} (the file was written)"),
    "fmt.needs": ("{file} 格式不规范", "{file} is not formatted"),
    "fmt.ok": ("{n} 个文件格式规范", "{n} files formatted"),
    "fmt.changed": ("已整理 {n} 个文件", "reformatted {n} files"),
    "fmt.check-fail": ("{n} 个文件需要整理，运行 sanzhua fmt", "{n} files need formatting; run 'sanzhua fmt'"),
    "fmt.unsafe": ("整理 {file} 会改变内容含义，已跳过", "formatting {file} would change what it says; skipped"),
    "fmt.invalid": ("{file} 有错误，先改正再整理格式", "{file} has errors; fix them before formatting"),
    # fatal / cli
    "cli.no-root": ("这里不是台账仓库", "this is not a ledger repository"),
    # interchange
    "import.no-header": ("找不到表头（没有“任务名称”“责任单位”“完成时限”这样的列名），这个工作表未导入", "no header row found (no columns like 任务名称, 责任单位, 完成时限); the sheet is not imported"),
    "import.no-header.hint": ("表头要有任务名称一列；列名不同的，用 --map 列名=title 指定", "the header needs a task column; name unusual ones with --map COLUMN=title"),
    "import.unknown-columns": ("未识别的列：{columns}，其内容未导入", "columns not recognised: {columns}; their contents are not imported"),
    "import.unknown-columns.hint": ("需要导入的，用 --map 列名=字段 指定，例如 --map 牵头处室=lead", "to import one, name it with --map COLUMN=FIELD, e.g. --map 牵头处室=lead"),
    "import.section": ("分类标题“{text}”，下面各项任务的类别记为“{category}”", "section heading '{text}': the tasks below get the category '{category}'"),
    "import.note-row": ("说明文字“{text}”，不是任务", "a note, '{text}', not a task"),
    "import.no-title": ("没有任务名称（这一行有：{content}）", "no task title (the row holds: {content})"),
    "import.no-title.hint": ("补上任务名称后重新导入；不是任务的说明行可以忽略", "add the title and import again; ignore this if the row is not a task"),
    "import.total-row": ("合计行“{text}”，不是任务", "a total row, '{text}', not a task"),
    "import.no-lead": ("没有责任单位", "no responsible unit"),
    "import.no-lead.hint": ("在表中填写责任单位，或用 --unit 单位编号 指定默认单位", "fill in the unit, or give a default with --unit ID"),
    "import.unknown-unit": ("责任单位“{name}”在 units.yaml 中找不到", "the unit '{name}' is not in units.yaml"),
    "import.unknown-unit.default": ("责任单位“{name}”在 units.yaml 中找不到，按 --unit 记为 {unit}", "the unit '{name}' is not in units.yaml; --unit {unit} is used"),
    "import.unknown-partner": ("配合单位“{name}”在 units.yaml 中找不到，未写入", "the cooperating unit '{name}' is not in units.yaml and is left out"),
    "import.did-you-mean": ("是不是“{guess}”？", "did you mean '{guess}'?"),
    "import.add-unit.hint": ("在 units.yaml 中添加这个单位，或改正表中的名称", "add the unit to units.yaml, or correct the name in the sheet"),
    "import.no-due": ("没有完成时限", "no deadline"),
    "import.bad-due": ("时限“{text}”无法识别：{detail_zh}", "cannot read the deadline '{text}': {detail_en}"),
    "import.bad-due.hint": ("写成 2026-09-30、9月底、第三季度、年底 等形式；或用 --default-due 年底 给没有时限的任务一个默认时限", "write it like 2026-09-30, 9月底, 第三季度, 年底; or give --default-due 年底 for tasks without one"),
    "import.bad-due.default": ("时限“{text}”无法识别（{detail_zh}），按 --default-due 记为 {due}", "cannot read the deadline '{text}' ({detail_en}); --default-due {due} is used"),
    "import.no-due.default": ("没有完成时限，按 --default-due 记为 {due}", "no deadline; --default-due {due} is used"),
    "import.many-dates": ("时限“{text}”含有多个日期：最后的 {due} 记为时限，其余 {count} 个记为节点", "the deadline '{text}' holds several dates: the last, {due}, is the deadline and {count} more become milestones"),
    "import.bad-date": ("{column}“{text}”无法识别（{detail_zh}），未写入", "cannot read the {column} date '{text}' ({detail_en}); left out"),
    "import.bad-percent": ("进度“{text}”无法识别（{detail_zh}），未写入", "cannot read the percentage '{text}' ({detail_en}); left out"),
    "import.bad-number": ("{column}“{text}”不是数字，未写入", "the {column} '{text}' is not a number; left out"),
    "import.target-text": ("目标“{text}”不是数字，记为指标说明", "the target '{text}' is not a number; kept as a remark"),
    "import.bad-status": ("状态“{text}”无法识别，按推进中导入", "cannot read the status '{text}'; imported as active"),
    "import.bad-id": ("编号“{id}”含有不允许的字符，改为自动编号", "the id '{id}' has characters that are not allowed; a new id is given"),
    "import.id-exists": ("编号 {id} 已经存在（{where}），不覆盖已有任务", "the id {id} exists already ({where}); existing tasks are never overwritten"),
    "import.id-twice": ("编号 {id} 与第{row}行重复", "the id {id} is used by row {row} already"),
    "import.same-task": ("台账中已有名称和责任单位都相同的任务 {id}（{where}），不重复导入", "the ledger has a task with the same title and unit, {id} ({where}); not imported twice"),
    "import.same-row": ("与第{row}行的任务名称和责任单位相同，不重复导入", "same title and unit as row {row}; not imported twice"),
    "import.detail-unknown-id": ("编号“{id}”不是本次导入的任务，这一行未导入", "'{id}' is not a task of this import; the row is not imported"),
    "import.detail-existing": ("编号 {id} 是台账中已有的任务，不修改已有任务", "{id} is a task the ledger has already; existing tasks are not changed"),
    "import.detail-missing": ("缺少{column}，这一行未导入", "{column} is missing; the row is not imported"),
    "import.invalid": ("写成台账后不能通过校验：{detail}", "would not pass the ledger check: {detail}"),
    "import.unmatched": ("在 units.yaml 中找不到的单位名称：{names}", "unit names not found in units.yaml: {names}"),
    "import.unmatched.hint": ("在 units.yaml 中添加这些单位（或改正表中的名称）后重新导入；已导入的任务不会重复导入", "add these units to units.yaml (or correct the names) and import again; tasks already imported are not imported twice"),
    "import.how-new": ("新文件", "new file"),
    "import.how-append": ("追加到已有文件末尾", "appended to the file"),
    "import.wrote": ("已写入 {file}：{count} 项任务（{how}）", "wrote {file}: {count} tasks ({how})"),
    "import.would-write": ("将写入 {file}：{count} 项任务（{how}）", "would write {file}: {count} tasks ({how})"),
    "import.summary": ("{file}：读取 {rows} 行，导入 {tasks} 项任务，{skipped} 行未导入（见上），另有空行 {blank} 行", "{file}: {rows} rows read, {tasks} tasks imported, {skipped} rows not imported (see above), {blank} blank rows"),
    "import.dry-run": ("（试运行：没有写入任何文件）", "(dry run: no file was written)"),
    "import.next": ("请运行 sanzhua check 检查后提交", "run 'sanzhua check', then commit"),
    "export.wrote": ("已导出 {tasks} 项任务到 {file}", "exported {tasks} tasks to {file}"),
    "calendar.wrote": ("已写出 {events} 个日程（{tasks} 项任务）到 {file}", "wrote {events} events ({tasks} tasks) to {file}"),
    # score
    "score.done_on_time": ("按时完成（时限 {deadline}，{done} 完成）", "done on time (due {deadline}, done {done})"),
    "score.done_early": ("提前 {days} 天完成（时限 {deadline}，{done} 完成；提前 {early_days} 天及以上加分）", "done {days} days early (due {deadline}, done {done}; {early_days} days or more earn this)"),
    "score.done_late": ("逾期 {days} 天完成（时限 {deadline}，{done} 完成）", "done {days} days late (due {deadline}, done {done})"),
    "score.done_late_time": ("逾期 {days} 天完成：{rate}{capped}", "done {days} days late: {rate}{capped}"),
    "score.overdue": ("逾期未完成（时限 {deadline}，截至 {at} 逾期 {days} 天）", "overdue (due {deadline}, {days} days overdue at {at})"),
    "score.overdue_time": ("逾期 {days} 天：{rate}{capped}", "{days} days overdue: {rate}{capped}"),
    "score.rate.day": ("每天 {per_day}", "{per_day} a day"),
    "score.rate.week": ("每周 {per_week}（计 {weeks} 周，不足一周按一周计）", "{per_week} a week ({weeks} weeks; a started week counts)"),
    "score.capped": ("，封顶 {cap} 分", ", capped at {cap}"),
    "score.milestone_missed": ("节点“{milestone}”未按期完成（节点时限 {due}）", "milestone '{milestone}' missed (due {due})"),
    "score.milestone_missed.late": ("节点“{milestone}”未按期完成（节点时限 {due}，{done} 才完成）", "milestone '{milestone}' missed (due {due}, done only {done})"),
    "score.report_missing": ("{from}至{to}未报送进展", "no progress report from {from} to {to}"),
    "score.behind": ("进度滞后（截至 {at} 实际进度 {percent}%，应达 {expected}%）", "behind schedule ({percent}% done at {at}, {expected}% expected)"),
    "score.weight": ("，×权重 {weight}", ", × weight {weight}"),
    "score.share": ("，×配合单位分成 {share}", ", × partner share {share}"),
    "score.rules.reward-negative": ("“{key}”是加分项，这里写成了负数 {value}，会扣分", "'{key}' is a reward but is written negative ({value}): it takes points away"),
    "score.rules.reward-negative.hint": ("加分写正数，例如 {key}: {value}；确实要扣分可忽略此警告", "write rewards as positive numbers, e.g. {key}: {value}; ignore this if a deduction is meant"),
    "score.rules.penalty-positive": ("“{key}”是扣分项，这里写成了正数 {value}，会加分", "'{key}' is a penalty but is written positive ({value}): it adds points"),
    "score.rules.penalty-positive.hint": ("扣分写负数，例如 {key}: {value}；确实要加分可忽略此警告", "write penalties as negative numbers, e.g. {key}: {value}; ignore this if a reward is meant"),
    "score.rules.invalid.hint": ("scoring 中的分值写数字（加分为正、扣分为负，如 -0.5），partner_share 在 0 到 1 之间，early_days 为正整数；详见 docs/scoring.md", "points are numbers (rewards positive, penalties negative, e.g. -0.5), partner_share is from 0 to 1, early_days a whole number of days; see docs/scoring.md"),
    "score.rules.unused-category": ("category_weights 中的类别“{category}”没有对应的任务", "no task has the category '{category}' named in category_weights"),
    "score.rules.unused-category.hint": ("类别名称要与任务的 category 一致，也可写前半段，如“抓具体”", "use a task's category, or its first part such as 抓具体"),
}


def text(m: Msg | None, lang: Lang) -> str:
    """Render a catalogue message in `lang`; unknown keys show themselves."""
    if m is None:
        return ""
    pair = CATALOGUE.get(m.key)
    if pair is None:
        return m.key
    template = pair[0] if lang == "zh" else pair[1]
    try:
        return template.format(**m.args)
    except (KeyError, IndexError, ValueError):
        return template


STATE_LABELS: dict[str, tuple[str, str]] = {
    "done": ("已完成", "done"),
    "done_late": ("逾期完成", "done late"),
    "overdue": ("逾期", "overdue"),
    "milestone_overdue": ("节点逾期", "milestone overdue"),
    "due_soon": ("临期", "due soon"),
    "behind": ("进度滞后", "behind"),
    "no_report": ("未按时报送", "not reported"),
    "on_track": ("正常推进", "on track"),
    "planned": ("未启动", "planned"),
    "suspended": ("暂缓", "suspended"),
    "cancelled": ("已取消", "cancelled"),
}

LIGHT_LABELS: dict[str, tuple[str, str]] = {
    "red": ("红灯", "red"),
    "yellow": ("黄灯", "yellow"),
    "green": ("绿灯", "green"),
    "done": ("完成", "done"),
    "none": ("—", "-"),
}

STATUS_LABELS: dict[str, tuple[str, str]] = {
    "planned": ("未启动", "planned"),
    "active": ("推进中", "active"),
    "done": ("已完成", "done"),
    "suspended": ("暂缓", "suspended"),
    "cancelled": ("已取消", "cancelled"),
}


def label(table: dict[str, tuple[str, str]], key: str, lang: Lang) -> str:
    pair = table.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def words(lang: Lang, zh: str, en: str) -> str:
    """Inline choice for short UI words (column headers, labels)."""
    return zh if lang == "zh" else en
