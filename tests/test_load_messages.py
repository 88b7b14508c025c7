"""The loader's fatal messages come from the i18n catalogue like every other (issue 16):
in the language asked for, in both when none is known, never an English-only string."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sanzhua.errors import FatalError
from sanzhua.load import find_root, load_ledger
from tests.conftest import MakeLedger


def test_no_ledger_root_is_said_in_chinese_or_as_asked(tmp_path: Path) -> None:
    with pytest.raises(FatalError) as e:
        find_root(tmp_path)
    message, hint = e.value.text()
    assert message == f"在 {tmp_path.resolve()} 及其上级目录中都没有找到 sanzhua.yaml，这里不是台账仓库"
    assert hint is not None and "sanzhua init" in hint and "--root" in hint
    with pytest.raises(FatalError) as e:
        find_root(tmp_path, "en")
    assert e.value.text() == (
        f"no sanzhua.yaml found in {tmp_path.resolve()} or any folder above it",
        "run sanzhua inside a ledger repository, pass --root DIR, or create one with `sanzhua init`",
    )


def test_a_missing_sanzhua_yaml_is_said_in_both_languages_until_one_is_known(tmp_path: Path) -> None:
    (tmp_path / "ledgers").mkdir()
    with pytest.raises(FatalError) as e:
        load_ledger(tmp_path, cache=False)
    path = tmp_path / "sanzhua.yaml"
    assert e.value.message == f"没有找到 {path} / {path} not found"
    assert e.value.text("en")[0] == f"{path} not found"
    assert e.value.text("zh")[1] == "台账根目录要有 sanzhua.yaml；新建台账请运行 `sanzhua init`"


def test_an_unreadable_sanzhua_yaml_is_said_in_both_languages(make_ledger: MakeLedger, tmp_path: Path) -> None:
    root = make_ledger({})
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("year: 2026\n", encoding="utf-8")
    (root / "sanzhua.yaml").unlink()
    os.symlink(outside, root / "sanzhua.yaml")  # a link out of the ledger: not read
    with pytest.raises(FatalError) as e:
        load_ledger(root, cache=False)
    zh, en = e.value.text("zh"), e.value.text("en")
    assert zh[0] != en[0] and e.value.message == f"{zh[0]} / {en[0]}"
    assert e.value.hint == f"{zh[1]} / {en[1]}"
    assert "sanzhua.yaml" in zh[0] and "sanzhua.yaml" in en[0]
