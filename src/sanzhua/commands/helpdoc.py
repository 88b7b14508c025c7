"""`sanzhua help [TOPIC]`: the user documentation that ships with the package.

docs/*.md are package data (`sanzhua/docs` in a wheel; the repository's docs/ in a
development checkout), so an installed sanzhua can print the ledger format without the
repository. A page with a Chinese part and an English part (docs/format.md, split at its
`<a id="english">` anchor) is printed in the reader's language.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TextIO

from sanzhua.errors import FatalError
from sanzhua.i18n import Lang, label, say
from sanzhua.problems import msg

EXIT_OK = 0
_ENGLISH = '<a id="english"></a>'

# topic → (file, Chinese title, English title)
TOPICS: dict[str, tuple[str, str, str]] = {
    "format": (
        "format.md",
        "台账格式：文件、每个键及其中文别名、日期写法、状态、红黄绿灯、问题代码、退出码",
        "the ledger format: files, keys and their Chinese aliases, dates, states, lights, codes, exit codes",
    ),
    "scoring": ("scoring.md", "考评计分规则（sanzhua.yaml 的 scoring:）", "the scoring rules (scoring:)"),
    "audit": ("audit.md", "审计规则（sanzhua audit）", "the audit's rules (sanzhua audit)"),
    "forms": ("forms.md", "进展填报表（sanzhua form、sanzhua collect）", "progress forms (form, collect)"),
    "duban": (
        "duban.md",
        "督办流程：任务类型与时限、签收、督办通知与升级、约谈名单、销号、督办提醒（sanzhua remind）",
        "the 督办 cycle: kinds and their clocks, 签收, notices and escalation, the 约谈 list, 销号, remind",
    ),
}
TOPIC_TITLES: dict[str, tuple[str, str]] = {name: (zh, en) for name, (_, zh, en) in TOPICS.items()}
_ALIASES = {
    "格式": "format",
    "台账格式": "format",
    "计分": "scoring",
    "考评": "scoring",
    "审计": "audit",
    "填报表": "forms",
    "form": "forms",
    "collect": "forms",
    "督办": "duban",
    "remind": "duban",
    "notices": "duban",
}


def docs_dir() -> Path:
    """The docs: package data `sanzhua/docs` in a wheel, else the repository's docs/."""
    try:
        packaged = Path(str(importlib.resources.files("sanzhua") / "docs"))
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - unusual loaders
        pass
    return Path(__file__).resolve().parents[3] / "docs"


def page(topic: str, lang: Lang) -> str:
    """The text of a topic in `lang` (the whole page when it has only one language)."""
    name = TOPICS[topic][0]
    path = docs_dir() / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise FatalError(
            msg("help.unreadable", path=path, reason=e.strerror), msg("help.unreadable.hint"), lang=lang
        ) from None
    if _ENGLISH in text:
        zh, en = text.split(_ENGLISH, 1)
        text = zh if lang == "zh" else en
    return text.strip("\n") + "\n"


def help_topic(topic: str | None, lang: Lang, out: TextIO) -> int:
    """Print a topic, or the list of topics when none is given."""
    if topic is None:
        out.write(say("help.topics", lang))
        for name in TOPICS:
            out.write(f"  {name:8} {label(TOPIC_TITLES, name, lang)}\n")
        out.write(say("help.commands", lang))
        return EXIT_OK
    key = _ALIASES.get(topic.strip(), topic.strip().lower())
    if key not in TOPICS:
        raise FatalError(
            msg("help.no-topic", topic=topic),
            msg("help.no-topic.hint", choices=say("list.sep", lang).join(TOPICS)),
            lang=lang,
        )
    out.write(page(key, lang))
    return EXIT_OK
