"""Help pages and usage errors in the ledger's language (issue 15.1)."""

from __future__ import annotations

import os
from pathlib import Path

import typer.main

from sanzhua.checks import ALL_CODES
from sanzhua.cli import app
from sanzhua.clitext import CODE_DOCS_ZH, HELP_ZH, LONG_HELP_ZH, detect_lang, missing_help, wrap
from sanzhua.history.rules import CODES as AUDIT_CODES
from tests.conftest import MakeLedger
from tests.test_cli import sanzhua

EN_SETTINGS = "name: Test ledger\nyear: 2026\nlang: en\n"


def _env(**extra: str) -> dict[str, str]:
    from tests.test_cli import SRC

    env = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")}
    return {**env, "PYTHONPATH": SRC, **extra}


def test_every_command_and_option_has_help_in_both_languages() -> None:
    """sqlite-utils style: a new command or option without help, in English (where it
    is declared) or in Chinese (clitext.HELP_ZH), fails here."""
    group = typer.main.get_command(app)
    assert len(getattr(group, "commands", {})) >= 15
    english_missing = []
    for name, cmd in getattr(group, "commands", {}).items():
        if not (cmd.help or "").strip():
            english_missing.append(name)
        for p in cmd.params:
            if not (getattr(p, "help", "") or "").strip():
                english_missing.append(f"{name} {p.opts[0] if p.opts else p.name}")
    assert english_missing == []
    assert missing_help(group) == []
    for zh in [*HELP_ZH.values(), *LONG_HELP_ZH.values()]:
        assert any("\u4e00" <= c <= "\u9fff" for c in zh), zh


def test_every_problem_code_is_described_in_chinese() -> None:
    assert sorted(set(ALL_CODES) - set(CODE_DOCS_ZH)) == []
    assert sorted(set(AUDIT_CODES) - set(CODE_DOCS_ZH)) == []


def test_help_follows_the_ledger_language(make_ledger: MakeLedger) -> None:
    zh_root = make_ledger({})
    r = sanzhua("check", "-h", cwd=zh_root, env=_env(LANG="en_US.UTF-8"))
    assert r.returncode == 0
    assert "用法：sanzhua check" in r.stdout and "选项：" in r.stdout
    assert "校验台账文件" in r.stdout and "显示本帮助并退出" in r.stdout
    assert "Show this message" not in r.stdout and "Options:" not in r.stdout
    # --lang wins over the ledger
    r = sanzhua("check", "-h", "--lang", "en", cwd=zh_root, env=_env())
    assert "Options:" in r.stdout and "Validate the ledger" in r.stdout
    # the whole app's help lists every command in Chinese
    r = sanzhua("-h", cwd=zh_root, env=_env())
    assert "命令：" in r.stdout and "登记经批准的延期" in r.stdout
    # an English ledger (make_ledger rewrites the same folder): English, whatever LANG says
    en_root = make_ledger({}, settings=EN_SETTINGS)
    r = sanzhua("status", "--help", cwd=en_root, env=_env(LANG="zh_CN.UTF-8"))
    assert "Options:" in r.stdout and "选项：" not in r.stdout


def test_help_without_a_ledger_follows_lang(tmp_path: Path) -> None:
    r = sanzhua("init", "-h", cwd=tmp_path, env=_env(LANG="en_US.UTF-8"))
    assert "Options:" in r.stdout
    r = sanzhua("init", "-h", cwd=tmp_path, env=_env(LANG="zh_CN.UTF-8"))
    assert "选项：" in r.stdout and "台账名称" in r.stdout
    r = sanzhua("init", "-h", cwd=tmp_path, env=_env(LC_ALL="en_GB.UTF-8", LANG="zh_CN.UTF-8"))
    assert "Options:" in r.stdout


def test_detect_lang_reads_root_and_options(tmp_path: Path) -> None:
    (tmp_path / "sanzhua.yaml").write_text("name: x\nlang: en   # English\n", encoding="utf-8")
    (tmp_path / "ledgers").mkdir()
    assert detect_lang([], {}, tmp_path / "ledgers") == "en"
    assert detect_lang(["check", "--lang", "zh"], {}, tmp_path) == "zh"
    assert detect_lang(["check", "--lang=zh"], {}, tmp_path) == "zh"
    assert detect_lang(["check", "--root", str(tmp_path)], {"LANG": "zh_CN"}, Path("/")) == "en"
    other = tmp_path / "other"
    other.mkdir()
    assert detect_lang([], {"LANG": "C.UTF-8"}, other.parent.parent) in ("zh", "en")


def test_usage_errors_in_chinese(make_ledger: MakeLedger) -> None:
    root = make_ledger({})
    env = _env(LANG="en_US.UTF-8")
    r = sanzhua("extend", "XM-001", "--to", "年底", cwd=root, env=env)
    assert r.returncode == 2
    assert "缺少必填的选项" in r.stderr and "--approved-by（批准人）" in r.stderr and "--ref" in r.stderr
    assert "Missing option" not in r.stderr and "Traceback" not in r.stderr
    assert "运行 sanzhua extend -h" in r.stderr
    r = sanzhua("check", "--no-such-option", cwd=root, env=env)
    assert r.returncode == 2 and "没有选项 --no-such-option" in r.stderr and "No such option" not in r.stderr
    r = sanzhua("brief", "--number", "abc", cwd=root, env=env)
    assert r.returncode == 2 and "--number 的值无效：“abc”不是整数" in r.stderr
    r = sanzhua("progress", "XM-001", "完成", "3", "项", cwd=root, env=env)
    assert r.returncode == 2 and "多出了参数：完成 3 项" in r.stderr and "加引号" in r.stderr
    r = sanzhua("status", "--sort", cwd=root, env=env)
    assert r.returncode == 2 and "选项 --sort 后面要写一个值" in r.stderr
    r = sanzhua("show", cwd=root, env=env)
    assert r.returncode == 2 and "缺少必填的参数：ID" in r.stderr
    r = sanzhua("chek", cwd=root, env=env)
    assert r.returncode == 2 and "没有命令“chek”" in r.stderr
    # English where the ledger is English
    r = sanzhua("extend", "XM-001", "--lang", "en", cwd=root, env=env)
    assert r.returncode == 2 and "Missing option" in r.stderr


def test_check_list_in_chinese(make_ledger: MakeLedger) -> None:
    root = make_ledger({})
    r = sanzhua("check", "--list", cwd=root, env=_env())
    assert r.returncode == 0
    line = next(x for x in r.stdout.splitlines() if x.startswith("duplicate-id"))
    assert "错误" in line and "编号" in line
    r = sanzhua("audit", "--list", cwd=root, env=_env())
    assert "task-deleted" in r.stdout and "删除" in r.stdout
    r = sanzhua("check", "--list", "--lang", "en", cwd=root, env=_env())
    assert "error" in r.stdout and "错误" not in r.stdout


def test_wrap_measures_han_as_two_columns() -> None:
    lines = wrap("把台账表格（xlsx/csv）导入台账；没有导入的每一行都会说明原因（导入台账）", 30)
    assert all(sum(2 if "\u4e00" <= c <= "\u9fff" or c in "（）；" else 1 for c in x) <= 30 for x in lines)
    assert not any(x.startswith(("）", "；", "，")) or x.endswith("（") for x in lines)
    assert "".join(lines) == "把台账表格（xlsx/csv）导入台账；没有导入的每一行都会说明原因（导入台账）"


def test_one_language_of_a_two_language_message() -> None:
    from sanzhua.clitext import one_language

    both = "检查 --range / --since 是否写对 / check --range and --since"
    assert one_language(both, "zh") == "检查 --range / --since 是否写对"
    assert one_language(both, "en") == "check --range and --since"
    assert one_language("--range a / b", "en") == "--range a / b"  # no Chinese half: as it is
    assert one_language(both, None) == both


def test_fatal_messages_in_one_language(make_ledger: MakeLedger) -> None:
    root = make_ledger({})
    r = sanzhua("status", "--sort", "紧急", cwd=root, env=_env())
    assert r.returncode == 2 and "--sort 只能是" in r.stderr and "takes" not in r.stderr
    r = sanzhua("status", "--sort", "x", "--lang", "en", cwd=root, env=_env())
    assert "--sort takes" in r.stderr and "只能" not in r.stderr
