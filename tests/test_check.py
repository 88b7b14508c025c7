"""`sanzhua check` on broken and odd-but-valid ledgers: code, file, line, column, exit code."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.check import check
from sanzhua.errors import FatalError
from sanzhua.load.cache import cache_dir
from tests.conftest import MakeLedger

AS_OF = date(2026, 11, 25)

GOOD = """\
unit: fgw
tasks:
  - id: XM-001
    title: 森林公园综合开发项目前期推进
    due: 年底
"""


def run(root: Path, *, fmt: str = "json", **kw: object) -> tuple[int, dict[str, object] | str]:
    buf = io.StringIO()
    code = check(root, as_of=AS_OF, fmt=fmt, out=buf, cache=False, **kw)  # type: ignore[arg-type]
    return code, (json.loads(buf.getvalue()) if fmt == "json" else buf.getvalue())


def problems(root: Path, **kw: object) -> list[tuple[str, int, str]]:
    _, doc = run(root, **kw)
    assert isinstance(doc, dict)
    return [(p["file"], p["line"], p["code"]) for p in doc["problems"]]  # type: ignore[index,union-attr]


def only(root: Path) -> dict[str, object]:
    _, doc = run(root)
    assert isinstance(doc, dict)
    probs = doc["problems"]
    assert isinstance(probs, list) and len(probs) == 1, probs
    p = probs[0]
    assert isinstance(p, dict)
    return p


def test_valid_ledger_passes(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/fgw.yaml": GOOD})
    code, doc = run(root)
    assert code == 0
    assert doc == {
        "version": 1,
        "as_of": "2026-11-25",
        "problems": [],
        "summary": {"files": 1, "tasks": 1, "errors": 0, "warnings": 0, "overdue": 0},
    }


def test_bom_and_crlf_are_valid(make_ledger: MakeLedger) -> None:
    data = b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode()
    root = make_ledger({"ledgers/fgw.yaml": data})
    assert run(root)[0] == 0


def test_chinese_keys_and_mixed(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/城关镇.yaml": """\
        责任单位: chengguan
        任务清单:
          - 编号: CG-01
            任务: 引进5000万元以上工业项目
            时限: 2026年第四季度
            进展:
              - {日期: 2026-11-20, 进度: 90, 情况: 已签约}
          - id: CG-02
            任务: 拆除旧宅基
            due: 12月底前
            status: 推进中
        """
        }
    )
    code, doc = run(root)
    assert code == 0, doc


def test_gbk_file(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD, "ledgers/gbk.yaml": "unit: fgw\n# 中文注释\ntasks: []\n".encode("gbk")})
    p = only(root)
    assert (p["code"], p["file"], p["line"]) == ("encoding", "ledgers/gbk.yaml", 2)
    assert "GBK" in str(p["message"]) and "UTF-8" in str(p["hint"])


def test_binary_junk(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/junk.yaml": bytes(range(256)) * 4})
    p = only(root)
    assert (p["code"], p["file"]) == ("encoding", "ledgers/junk.yaml")


def test_tab_indentation(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/t.yaml": "unit: fgw\ntasks:\n  - id: A\n\ttitle: x\n"})
    p = only(root)
    assert (p["code"], p["line"]) == ("syntax", 4)
    assert "Tab" in str(p["message"])


def test_fullwidth_colon(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/f.yaml": "unit: fgw\ntasks:\n  - id: A\n    title：森林公园\n    due: 年底\n"})
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == ("syntax", 4, 10)
    assert "：" in str(p["message"]) and ":" in str(p["hint"])


def test_fullwidth_colon_in_flat_key_is_unknown_key_with_hint(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/f.yaml": "unit: fgw\ntasks:\n  - id: A\n    title: x\n    due：年底\n"})
    _, doc = run(root)
    assert isinstance(doc, dict)
    codes = {(p["code"], p["line"]) for p in doc["problems"]}  # type: ignore[union-attr,index]
    assert ("syntax", 5) in codes


def test_percent_sign_value_needs_quotes(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/p.yaml": "unit: %\ntasks: []\n"})
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == ("syntax", 1, 7)
    assert "引号" in str(p["hint"])


def test_duplicate_key(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/d.yaml": "unit: fgw\ntasks:\n  - id: A\n    title: x\n    due: 年底\n    title: y\n"})
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == ("duplicate-key", 6, 5)


def test_english_and_chinese_alias_of_one_key(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/d.yaml": "unit: fgw\ntasks:\n  - id: A\n    title: x\n    任务: y\n    due: 年底\n"})
    p = only(root)
    assert (p["code"], p["line"]) == ("duplicate-key", 5)


def test_duplicate_id_in_two_files_names_both(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD, "ledgers/b.yaml": GOOD.replace("unit: fgw", "unit: jyj")})
    p = only(root)
    assert (p["code"], p["file"], p["line"]) == ("duplicate-id", "ledgers/b.yaml", 3)
    assert "ledgers/a.yaml:3" in str(p["message"])


def test_unknown_unit_did_you_mean(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD.replace("    due: 年底\n", "    due: 年底\n    lead: fgww\n")})
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == ("unknown-unit", 6, 11)
    assert "fgw" in str(p["hint"])


def test_unknown_file_unit_reported_once(make_ledger: MakeLedger) -> None:
    text = "unit: nosuch\ntasks:\n  - {id: A, title: a, due: 年底}\n  - {id: B, title: b, due: 年底}\n"
    root = make_ledger({"ledgers/a.yaml": text})
    assert problems(root) == [("ledgers/a.yaml", 1, "unknown-unit")]


def test_unit_name_accepted_for_id(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD.replace("unit: fgw", "unit: 县发改委")})
    assert run(root)[0] == 0


def test_unknown_key_did_you_mean(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - id: A\n    titel: x\n    title: y\n    due: 年底\n"})
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == ("unknown-key", 4, 5)
    assert "title" in str(p["hint"])


def test_missing_required_keys(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - id: A\n    due: 年底\n  - id: B\n    title: b\n"})
    assert problems(root) == [("ledgers/a.yaml", 3, "missing-key"), ("ledgers/a.yaml", 5, "missing-key")]


@pytest.mark.parametrize(
    ("due", "code"),
    [
        ("2026-02-30", "invalid-date"),
        ("2026-13-01", "invalid-date"),
        ("尽快", "invalid-date"),
        ("9月31日", "invalid-date"),
    ],
)
def test_bad_dates(make_ledger: MakeLedger, due: str, code: str) -> None:
    root = make_ledger({"ledgers/a.yaml": f"unit: fgw\ntasks:\n  - id: A\n    title: a\n    due: {due}\n"})
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == (code, 5, 10)


def test_percent_out_of_range(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": """\
        unit: fgw
        tasks:
          - id: A
            title: a
            due: 年底
            progress:
              - {date: 2026-06-01, percent: 150}
        """
        }
    )
    p = only(root)
    assert (p["code"], p["line"], p["column"]) == ("invalid-value", 7, 37)


def test_bad_status_did_you_mean(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 年底, status: canceld}\n"})
    p = only(root)
    assert p["code"] == "invalid-value" and "cancelled" in str(p["hint"])


def test_unknown_parent_and_cycle(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": """\
        unit: fgw
        tasks:
          - {id: A, title: a, due: 年底, parent: B}
          - {id: B, title: b, due: 年底, parent: A}
          - {id: C, title: c, due: 年底, parent: ZZZ}
        """
        }
    )
    found = problems(root)
    assert ("ledgers/a.yaml", 5, "unknown-parent") in found
    assert [f for f in found if f[2] == "parent-cycle"] == [("ledgers/a.yaml", 3, "parent-cycle")]


def test_top_level_list(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "- id: A\n  title: a\n"})
    p = only(root)
    assert (p["code"], p["line"]) == ("invalid-value", 1)


def test_empty_file(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": ""})
    p = only(root)
    assert (p["code"], p["file"]) == ("missing-key", "ledgers/a.yaml")


def test_alias_bomb_refused(make_ledger: MakeLedger) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    root = make_ledger({"ledgers/bomb.yaml": "\n".join(lines) + "\n"})
    code, doc = run(root)  # returning at all means it was not expanded (10^9 strings)
    assert code == 1
    assert isinstance(doc, dict)
    assert any(p["code"] == "syntax" and p["line"] == 2 for p in doc["problems"])  # type: ignore[union-attr,index]


def test_deep_nesting(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "ledgers/deep2.yaml": "".join("  " * i + "- \n" for i in range(3000)),
            "ledgers/ok.yaml": GOOD,
        }
    )
    _, doc = run(root)
    assert isinstance(doc, dict)
    files = {p["file"] for p in doc["problems"]}  # type: ignore[union-attr,index]
    assert files == {"ledgers/deep.yaml", "ledgers/deep2.yaml"}


def test_big_file(make_ledger: MakeLedger) -> None:
    task = (
        "  - id: T{i}\n    title: 第{i}项任务\n    due: 年底\n    progress:\n"
        + "      - {{date: 2026-06-01, note: "
        + "进展" * 200
        + "}}\n"
    )
    text = "unit: fgw\ntasks:\n" + "".join(task.format(i=i) for i in range(16000))
    assert len(text.encode()) > 20_000_000
    root = make_ledger({"ledgers/big.yaml": text})
    code, doc = run(root)
    assert code == 0 and isinstance(doc, dict)
    assert doc["summary"]["tasks"] == 16000  # type: ignore[index]


def test_chinese_file_name(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {"ledgers/乡镇/城关镇.yaml": "unit: chengguan\ntasks:\n  - {id: A, title: a, due: 年底, statu: x}\n"}
    )
    p = only(root)
    assert (p["file"], p["code"]) == ("ledgers/乡镇/城关镇.yaml", "unknown-key")


def test_no_root_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(FatalError) as err:
        check(tmp_path, as_of=AS_OF)
    assert "sanzhua init" in str(err.value.hint)


def test_unknown_key_in_settings_and_units(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {"ledgers/a.yaml": GOOD},
        settings="name: x\nyear: 2026\ndue_son_days: 3\n",
        units="units:\n  - {id: fgw, name: 县发改委, knd: 县直部门}\n",
    )
    found = problems(root)
    assert ("sanzhua.yaml", 3, "unknown-key") in found
    assert ("units.yaml", 2, "unknown-key") in found
    _, doc = run(root)
    assert isinstance(doc, dict)
    hints = [p["hint"] for p in doc["problems"]]  # type: ignore[union-attr,index]
    assert any("due_soon_days" in str(h) for h in hints) and any("kind" in str(h) for h in hints)


def test_semantic_checks(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": """\
        unit: fgw
        tasks:
          - id: P
            title: 县级总任务
            due: 2026-12-31
          - id: C
            title: 分解任务
            parent: P
            start: 2026-03-01
            due: 2027-01-31
            done: 2026-02-01
            milestones:
              - {name: 节点, due: 2027-02-01}
            progress:
              - {date: 2026-12-01, note: 未来}
          - id: X
            title: 延期不一致
            due: 2026-12-31
            extensions:
              - {from: 2026-09-30, to: 2026-11-30}
          - id: S
            title: 已完成无日期
            due: 2026-12-31
            status: done
        """
        }
    )
    found = {(line, code) for _, line, code in problems(root)}
    assert found >= {
        (10, "child-due-after-parent"),
        (11, "done-before-start"),
        (13, "milestone-after-due"),
        (15, "future-date"),
        (18, "extension-mismatch"),
        (24, "done-without-date"),
    }


def test_overdue_warning_and_fail_on(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: 森林公园, due: 9月底}\n"})
    code, doc = run(root)
    assert code == 0 and isinstance(doc, dict)
    p = doc["problems"][0]  # type: ignore[index]
    assert (p["code"], p["severity"], p["line"]) == ("overdue", "warning", 3)
    assert "56" in p["message"]
    assert run(root, fail_on=["overdue"])[0] == 1
    assert doc["summary"]["overdue"] == 1  # type: ignore[index]


def test_select_and_ignore(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 9月底, lead: zz}\n"})
    assert {c for _, _, c in problems(root)} == {"overdue", "unknown-unit"}
    assert {c for _, _, c in problems(root, select=["overdue"])} == {"overdue"}
    assert {c for _, _, c in problems(root, ignore=["overdue"])} == {"unknown-unit"}
    with pytest.raises(FatalError):
        run(root, select=["nonsense"])


def test_text_format_has_caret_and_hint(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - id: 甲\n    title: 任务\n    due: 尽快\n"})
    code, out = run(root, fmt="text")
    assert code == 1 and isinstance(out, str)
    lines = out.splitlines()
    assert lines[0] == "ledgers/a.yaml:5:10: 错误 “due”的“尽快”不是能识别的日期 [invalid-date]"
    assert lines[1] == "    5 |     due: 尽快"
    assert lines[2] == "      |          ^"
    assert lines[3].strip().startswith("提示：")


def test_english_messages(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: soon}\n"})
    _, out = run(root, fmt="text", lang="en")
    assert "error" in str(out) and "is not a date sanzhua can read" in str(out)


def test_github_format(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: A, title: a, due: 尽快}\n"})
    code, out = run(root, fmt="github")
    assert code == 1
    assert str(out).startswith("::error file=ledgers/a.yaml,line=3,col=")


def test_bad_file_does_not_stop_others(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": "unit: fgw\ntasks:\n\t- x\n",
            "ledgers/b.yaml": "unit: fgw\ntasks:\n  - {id: B, title: b, due: 尽快}\n",
        }
    )
    assert {(f, c) for f, _, c in problems(root)} == {("ledgers/a.yaml", "syntax"), ("ledgers/b.yaml", "invalid-date")}


def test_yaml11_words_stay_text(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": "unit: fgw\ntasks:\n  - {id: 0012, title: NO, due: 年底, owner: on}\n"})
    from sanzhua.load import load_ledger

    ledger = load_ledger(root, cache=False)
    t = ledger.tasks[0]
    assert (t.id, t.title, t.owner) == ("0012", "NO", "on")


def test_cache_reparses_only_changed_files(make_ledger: MakeLedger) -> None:
    from sanzhua.load import load_ledger

    root = make_ledger({"ledgers/a.yaml": GOOD, "ledgers/b.yaml": GOOD.replace("XM-001", "XM-002")})
    first = load_ledger(root)
    (root / "ledgers/b.yaml").write_text(GOOD.replace("XM-001", "XM-003"), encoding="utf-8")
    second = load_ledger(root)
    assert [t.id for t in second.tasks] == ["XM-001", "XM-003"]
    assert second.files[0] is not first.files[0]  # unpickled from the cache, equal in content
    assert second.files[0].tasks == first.files[0].tasks


def test_calendar_fallback_warned_once(make_ledger: MakeLedger) -> None:
    root = make_ledger(
        {
            "ledgers/a.yaml": """\
        unit: fgw
        tasks:
          - {id: A, title: a, due: 2027-03-31}
          - {id: B, title: b, due: 2028-06-30}
        """
        }
    )
    found = [p for p in run(root)[1]["problems"] if p["code"] == "calendar-fallback"]  # type: ignore[index]
    assert len(found) == 1 and "2027" in found[0]["message"] and "2028" in found[0]["message"]
    (root / "calendar.yaml").write_text(
        "holidays: [2027-01-01, 2028-01-01]\nworkdays: [2027-02-14]\n", encoding="utf-8"
    )
    assert not [p for p in run(root)[1]["problems"] if p["code"] == "calendar-fallback"]  # type: ignore[index]


def _ids(root: Path, **kw: object) -> list[str]:
    from sanzhua.load import load_ledger

    return [t.id for t in load_ledger(root, **kw).tasks]  # type: ignore[arg-type]


def test_cache_delta_keeps_every_change(make_ledger: MakeLedger) -> None:
    """A few changed files go to the delta beside the main pickle; many rewrite the main
    one. Whatever was written, a cached load reads what an uncached one reads."""
    files: dict[str, str | bytes] = {f"ledgers/f{i:02}.yaml": GOOD.replace("XM-001", f"T{i:02}") for i in range(40)}
    root = make_ledger(files)
    cache = cache_dir(root)
    _ids(root)
    assert (cache / "files.cache").is_file() and not (cache / "files.delta.cache").exists()
    main = (cache / "files.cache").read_bytes()

    (root / "ledgers/f03.yaml").write_text(GOOD.replace("XM-001", "NEW-A"), encoding="utf-8")
    assert "NEW-A" in _ids(root)
    assert (cache / "files.cache").read_bytes() == main  # only the delta was written
    assert (cache / "files.delta.cache").is_file()

    # A second small change: the delta still carries the first one.
    (root / "ledgers/f07.yaml").write_text(GOOD.replace("XM-001", "NEW-B"), encoding="utf-8")
    (root / "ledgers/f11.yaml").unlink()
    warm = _ids(root)
    assert warm == _ids(root, cache=False)
    assert {"NEW-A", "NEW-B"} <= set(warm) and "T11" not in warm and "T03" not in warm
    assert (cache / "files.cache").read_bytes() == main

    # Changing a file back to what the main pickle holds is still read right.
    (root / "ledgers/f03.yaml").write_text(GOOD.replace("XM-001", "T03"), encoding="utf-8")
    assert _ids(root) == _ids(root, cache=False)

    # Many changes: the main pickle is rewritten and the delta goes.
    for i in range(0, 40, 1):
        if i != 11:
            (root / f"ledgers/f{i:02}.yaml").write_text(GOOD.replace("XM-001", f"U{i:02}"), encoding="utf-8")
    assert _ids(root) == _ids(root, cache=False)
    assert (cache / "files.cache").read_bytes() != main
    assert not (cache / "files.delta.cache").exists()


def test_cache_ignores_broken_pickles(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD, "ledgers/b.yaml": GOOD.replace("XM-001", "XM-002")})
    cache = cache_dir(root)
    _ids(root)
    (root / "ledgers/b.yaml").write_text(GOOD.replace("XM-001", "XM-003"), encoding="utf-8")
    _ids(root)
    (cache / "files.delta.cache").write_bytes(b"\x80\x05junk")
    assert _ids(root) == ["XM-001", "XM-003"]
    (cache / "files.cache").write_bytes(b"junk")
    assert _ids(root) == ["XM-001", "XM-003"]


def test_json_positions_start_at_one_for_whole_file_problems(make_ledger: MakeLedger) -> None:
    root = make_ledger({"ledgers/a.yaml": GOOD, "ledgers/b.yaml": b"unit: fgw\ntasks: [\xff\xfe]\n"}, units=None)
    code, doc = run(root)
    assert code == 1 and isinstance(doc, dict)
    found = {(p["file"], p["code"]): (p["line"], p["column"]) for p in doc["problems"]}  # type: ignore[union-attr]
    assert found[("units.yaml", "missing-file")] == (1, 1)
    assert all(line >= 1 and col >= 1 for line, col in found.values())
    _, text = run(root, fmt="text")
    assert "\nunits.yaml: 错误 " in "\n" + str(text)  # the text output names the file alone


def test_dates_in_lists_are_pointed_at_exactly(make_ledger: MakeLedger) -> None:
    """A future progress date, a milestone done in the future and a milestone due after its
    task: each at the line and column of the offending date, in flow and block style, also
    when the date is not the entry's first key and when a duplicated id shares the file."""
    text = """\
    unit: fgw
    tasks:
      - id: A
        title: 任务甲
        due: 2026-11-28
        milestones:
          - {name: 开工, due: 2026-11-30}
          - 名称: 完工
            完成: 2026-11-30
            时限: 2026-10-01
        progress:
          - {note: 已开工, date: 2026-12-01}
          - note: 推进中
            date: 2026-12-02
      - id: A
        title: 重复的任务
        due: 2026-11-28
        progress:
          - {date: 2026-12-03}
    """
    root = make_ledger({"ledgers/a.yaml": text})
    _, doc = run(root)
    assert isinstance(doc, dict)
    got = sorted((p["line"], p["column"], p["code"]) for p in doc["problems"])  # type: ignore[index,union-attr]
    assert got == [
        (7, 25, "milestone-after-due"),  # {name: 开工, due: 2026-11-30}
        (9, 13, "future-date"),  # 完成: 2026-11-30
        (12, 27, "future-date"),  # {note: 已开工, date: 2026-12-01}
        (14, 15, "future-date"),  # date: 2026-12-02, the entry's second key
        (15, 5, "duplicate-id"),
        (19, 16, "future-date"),  # the duplicate's own progress, not the first task's
    ]
