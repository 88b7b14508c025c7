"""No text of the other language (issue 15.2): every built-in template rendered in both
languages (bulletin for week, month, quarter, year and a custom period; notices; Markdown
and Word read back), and every message of the catalogue.

English output may hold Han characters only where they are ledger data (an English
ledger here has none) or the syntax of Chinese data itself (a date form such as 9月底, a
full-width character being named). Chinese output may hold Latin words only where they
are codes and data: task and unit ids, keys, states, problem codes, commands, file and
product names.
"""

from __future__ import annotations

import io
import re
import subprocess
import textwrap
from datetime import date
from pathlib import Path

import docx
import pytest

from sanzhua.checks import ALL_CODES
from sanzhua.commands.brief import brief
from sanzhua.evaluate import LIGHTS, STATE_ORDER
from sanzhua.history.rules import CODES as AUDIT_CODES
from sanzhua.i18n import CATALOGUE
from sanzhua.load import keys as K
from sanzhua.load.settings import BulletinIn, ContactIn, EmailIn, KindIn, NoticesIn, RemindIn, SettingsIn, UnitIn
from sanzhua.notices import NOTICE_KEYS
from tests.conftest import REPO

AS_OF = date(2026, 11, 25)
HAN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
LATIN = re.compile(r"[A-Za-z][A-Za-z_]+")

EN_SETTINGS = """\
name: Riverside County key tasks 2026
office: County Supervision Office
year: 2026
lang: en
report_every: week
bulletin:
  first_week: 2026-01-05
  report: County leaders
  send: County departments
  issue: Towns
  copies: 40
"""

EN_UNITS = """\
units:
  - {id: drc, name: Development and Reform Commission, kind: department}
  - {id: edu, name: Education Bureau, kind: department}
  - {id: river, name: Riverside Town, kind: town}
"""

EN_TASKS = """\
unit: drc
tasks:
  - id: DRC-001
    title: Prepare the forest park project
    category: projects/infrastructure
    owner: Zhang Wei
    leader: Deputy Mayor Zhao
    start: 2026-03-01
    due: 2026-09-30
    milestones:
      - {name: Feasibility approved, due: 2026-05-31, done: 2026-05-28}
      - {name: Construction starts, due: 2026-08-31}
    target: {metric: investment, value: 100, unit: million}
    progress:
      - {date: 2026-11-20, value: 40, note: land procedures under way}
  - id: DRC-002
    title: Open the new bus station
    partners: [river]
    start: 2026-01-01
    due: 2026-11-30
    progress:
      - {date: 2026-11-24, percent: 95, note: final inspection}
  - id: DRC-003
    title: Finish the school canteen
    lead: edu
    start: 2026-01-01
    due: 2026-12-31
    milestones:
      - {name: Kitchen fitted, due: 2026-11-20}
    progress:
      - {date: 2026-10-01, percent: 20}
  - id: DRC-004
    title: Publish the market rules
    lead: river
    due: 2026-12-15
    done: 2026-11-24
  - id: DRC-005
    title: Repair the river bank
    lead: river
    start: 2026-02-01
    due: 2026-10-31
    done: 2026-11-10
  - id: DRC-006
    title: Study a new ring road
    due: 2027-06-30
    status: suspended
  - id: DRC-007
    title: Plan the sports hall
    start: 2027-01-10
    due: 2027-12-31
"""


def _git(root: Path) -> None:
    for args in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@x", "commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="module")
def en_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("en")
    (root / "sanzhua.yaml").write_text(EN_SETTINGS, encoding="utf-8")
    (root / "units.yaml").write_text(EN_UNITS, encoding="utf-8")
    (root / "ledgers").mkdir()
    (root / "ledgers" / "drc.yaml").write_text(textwrap.dedent(EN_TASKS), encoding="utf-8")
    _git(root)
    return root


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    for section in d.sections:
        for part in (section.header, section.footer):
            parts.extend(p.text for p in part.paragraphs)
    return "\n".join(parts)


def _renders(root: Path, tmp: Path, units: tuple[str, ...]) -> dict[str, str]:
    """Every built-in template's output for this ledger, Markdown and Word read back."""
    out: dict[str, str] = {}
    periods: list[dict[str, object]] = [{"period": p} for p in ("week", "month", "quarter", "year")]
    periods.append({"period": "custom", "start": date(2026, 11, 1), "end": date(2026, 11, 25)})
    for kw in [*periods, *({"unit": u} for u in units)]:
        name = "-".join(str(v) for v in kw.values())
        md = io.StringIO()
        assert brief(root, as_of=AS_OF, fmt="md", out=md, **kw) == 0  # type: ignore[arg-type]
        out[f"{name}.md"] = md.getvalue()
        path = tmp / f"{name}.docx"
        assert brief(root, as_of=AS_OF, fmt="docx", output=path, out=io.StringIO(), **kw) == 0  # type: ignore[arg-type]
        out[f"{name}.docx"] = _docx_text(path)
    return out


def test_english_output_has_no_chinese(en_root: Path, tmp_path: Path) -> None:
    found = {}
    for name, text in _renders(en_root, tmp_path, ("drc", "edu", "river")).items():
        han = HAN.findall(text)
        if han:
            found[name] = sorted(set(han))
    assert found == {}


# Latin words that Chinese output may hold: codes and names, never English prose.
_CODES = {
    *(k for table in (K.FILE_KEYS, K.TASK_KEYS, K.MILESTONE_KEYS, K.TARGET_KEYS, K.PROGRESS_KEYS, K.EXTENSION_KEYS)
      for k in table),
    *SettingsIn.model_fields, *BulletinIn.model_fields, *UnitIn.model_fields,
    *STATE_ORDER, *LIGHTS, *K.STATUS_ALIASES, *K.DIRECTION_ALIASES, *ALL_CODES, *AUDIT_CODES,
    "units", "holidays", "workdays", "zh", "en", "true", "false", "none", "week", "month",
    "category_weights", "partner_share", "early_days", "format", "init", "help",
    # the 督办 cycle: the keys of remind:, kinds:, notices:, a unit's contact and a notice record
    *RemindIn.model_fields, *EmailIn.model_fields, *ContactIn.model_fields, *KindIn.model_fields,
    *NoticesIn.model_fields, *NOTICE_KEYS, "starttls", "ssl", "blue", "duban",
}
_NAMES = {  # products, commands and formats a clerk meets by these names
    "YAML", "UTF", "GBK", "Unicode", "NUL", "Tab", "Excel", "WPS", "Word", "Windows", "CI", "git", "gpg", "ssh",
    "iconv", "commit", "merge", "fetch", "depth", "shallow", "clone", "allowedSignersFile", "SANZHUA_DEBUG",
    "rm", "gitignore",  # git rm, .gitignore
    "HEAD",  # git's name for the current commit (--range X..HEAD)
    "CSV", "XML",  # the formats a spreadsheet comes in
    "SANZHUA_LOCK_TIMEOUT", "chmod",  # the edit lock's setting, the command that makes a file writable
    "ls",  # ls -l, to look at a file's owner and mode
    "SANZHUA_SOURCE", "add", "config", "user", "ledgers",  # init's next steps: CI, git add/config, ledgers/
    "MB", "KB", "GB",  # sizes
    "XM", "fgw", "jyj", "chengguan", "ducha", "clerk", "example", "gov", "cn",  # ids and addresses in examples
    "SMTP", "webhook", "access_token", "SEC",  # what the mail server and the robots call these
    "SANZHUA_SMTP_USER", "SANZHUA_SMTP_PASSWORD", "SANZHUA_WECOM_FGW", "SANZHUA_DINGTALK_FGW",  # example variables
}


def _latin_words(zh: str) -> set[str]:
    t = re.sub(r"\{[a-z_]+(?::[^}]*)?\}", "", zh)  # placeholders (with a format): filled with data
    t = re.sub(r"[\w./-]*\.(yaml|yml|md|xlsx|xls|et|docx|csv|ics|j2|json)\b", "", t)  # file names, paths, kinds
    t = re.sub(r"--[a-z-]+", "", t)  # options
    t = re.sub(r"sanzhua( [a-z]+){0,2}", "", t)  # commands
    return {w for w in LATIN.findall(t) if w not in _CODES and w not in _NAMES}


# Han text that English messages may hold: the Chinese data syntax they name or show.
_DATA_SYNTAX = {
    "：", "，",  # the full-width characters a message names
    "月底", "年底", "第一季度", "第四季度", "第三季度", "上半年", "下半年", "年", "月", "日",  # date forms
    "任务名称", "责任单位", "完成时限", "牵头处室",  # spreadsheet headers import reads
    "抓具体",  # a category as the ledger writes it
    "蓝", "黄", "红", "〔", "〕", "号", "领导批示件",  # notice colours, a notice's number, a kind's name
    "满意", "基本满意", "不满意",  # the satisfaction values a ledger writes
}


def test_every_message_is_in_its_own_language() -> None:
    latin_in_zh = {k: sorted(_latin_words(zh)) for k, (zh, _) in CATALOGUE.items() if _latin_words(zh)}
    assert latin_in_zh == {}
    han_in_en = {k: h for k, (_, en) in CATALOGUE.items() if (h := set(HAN.findall(en)) - _DATA_SYNTAX)}
    assert han_in_en == {}


def test_chinese_output_has_no_english(tmp_path: Path) -> None:
    """The bundled ledger (Chinese data), every template: Latin only in task ids and the commit."""
    renders = _renders(REPO, tmp_path, ("zjj", "fgw"))
    found = {}
    for name, text in renders.items():
        t = re.sub(r"\b[A-Z]+-\d+\b", "", text)  # task ids
        t = re.sub(r"\b[0-9a-f]{7,40}\b", "", t)  # the commit a bulletin was made from
        words = set(LATIN.findall(t))
        if words:
            found[name] = sorted(words)
    assert found == {}
