"""督办通知 as records: issued with `brief --issue`, answered by progress entries, escalated
blue → yellow → red, and the 约谈 list, over several weeks of a real ledger."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from sanzhua.commands.brief import brief
from sanzhua.commands.check import check
from sanzhua.errors import FatalError, Refused
from sanzhua.load import load_ledger
from sanzhua.notices import load_notices, statuses
from tests.conftest import UNITS, MakeLedger

SETTINGS = """\
name: 测试县督查台账
office: 县政府督查室
year: 2026
lang: zh
notices:
  prefix: 测督
  reply_days: 3
  escalate_days: 3
  interview_after: 2
"""

TASKS = {
    "ledgers/fgw.yaml": """\
        unit: fgw
        tasks:
          - id: FGW-1
            title: 重点项目前期工作
            start: 2026-01-01
            due: 2026-11-10
            progress:
              - {date: 2026-11-09, percent: 80}
              - {date: 2026-11-13, percent: 85}
              - {date: 2026-11-20, percent: 88}
    """,
    "ledgers/jyj.yaml": """\
        unit: jyj
        tasks:
          - id: JYJ-1
            title: 校舍改造
            start: 2026-01-01
            due: 2026-12-31
            progress:
              - {date: 2026-11-09, percent: 85}
              - {date: 2026-11-16, percent: 88}
              - {date: 2026-11-23, percent: 92}
    """,
    "ledgers/chengguan.yaml": """\
        unit: chengguan
        tasks:
          - id: CG-1
            title: 老旧小区改造
            start: 2026-01-01
            due: 2026-12-31
            progress:
              - {date: 2026-11-02, percent: 85}
              - {date: 2026-11-18, percent: 90, note: 已按督办通知整改, notice: 测督〔2026〕2号}
    """,
}


@pytest.fixture
def ledger(make_ledger: MakeLedger) -> Path:
    return make_ledger(TASKS, settings=SETTINGS, units=UNITS)


def issue(root: Path, day: str, *, unit: str | None = None, each: Path | None = None) -> tuple[str, str]:
    out = io.StringIO()
    assert brief(root, as_of=date.fromisoformat(day), unit=unit, each_unit=each, issue=True, out=out) == 0
    return out.getvalue(), (root / "notices/2026.yaml").read_text(encoding="utf-8")


def colours(root: Path, day: str) -> dict[str, tuple[str, date | None]]:
    lg = load_ledger(root, cache=False)
    records, problems = load_notices(root, lg.units, {t.id for t in lg.tasks})
    assert problems == []
    return {
        s.record.number: (s.colour, s.answered)
        for s in statuses(records, lg.tasks, date.fromisoformat(day), lg.settings.notices, lg.calendar)
    }


def test_issuing_records_each_notice(ledger: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Monday 16 November: FGW-1 is overdue, CG-1 unreported since 2 November.
    text, recorded = issue(ledger, "2026-11-16", unit="fgw")
    assert "**蓝色督办单**　　测督〔2026〕1号" in text
    assert "回复时请在相应任务的进展（progress）中注明“notice: 测督〔2026〕1号”" in text
    assert recorded.endswith(
        "notices:\n"
        "  - number: 测督〔2026〕1号\n"
        "    date: 2026-11-16\n"
        "    unit: fgw\n"
        "    tasks: [FGW-1]\n"
        "    reply_due: 2026-11-19\n"  # 3 working days
        "    colour: blue\n"
    )
    assert "已登记 测督〔2026〕1号（县发改委）→ notices/2026.yaml" in capsys.readouterr().err
    # The same day again: the notice keeps its number and is not recorded twice.
    _, again = issue(ledger, "2026-11-16", each=tmp_path / "out")
    assert again.count("测督〔2026〕1号") == 1
    assert again.count("- number:") == 2  # chengguan's is new: 〔2026〕2号
    assert "  - number: 测督〔2026〕2号\n    date: 2026-11-16\n    unit: chengguan\n    tasks: [CG-1]\n" in again
    err = capsys.readouterr().err
    assert "县发改委今天已发出 测督〔2026〕1号，不重复登记" in err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "督办通知-县发改委-2026-11-16.md",
        "督办通知-城关镇-2026-11-16.md",
    ]
    out = io.StringIO()
    assert check(ledger, as_of=date(2026, 11, 16), fmt="json", out=out, cache=False) == 0


def test_colours_climb_until_answered(ledger: Path) -> None:
    issue(ledger, "2026-11-16", unit="fgw")
    issue(ledger, "2026-11-16", unit="chengguan")
    one, two = "测督〔2026〕1号", "测督〔2026〕2号"
    assert colours(ledger, "2026-11-19")[one] == ("blue", None)  # the reply date itself
    assert colours(ledger, "2026-11-20")[one] == ("yellow", None)  # the day after
    assert colours(ledger, "2026-11-23")[one] == ("yellow", None)  # 2 working days after the reply date
    assert colours(ledger, "2026-11-24")[one] == ("red", None)  # 3 working days: one more colour
    assert colours(ledger, "2026-12-31")[one] == ("red", None)  # the top of the ladder
    # chengguan answered on 18 November (a progress entry naming the notice): blue for good
    assert colours(ledger, "2026-11-17")[two] == ("blue", None)
    assert colours(ledger, "2026-12-31")[two] == ("blue", date(2026, 11, 18))


def test_a_new_notice_starts_at_the_colour_the_unit_holds(ledger: Path) -> None:
    issue(ledger, "2026-11-16", unit="fgw")
    text, recorded = issue(ledger, "2026-11-23", unit="fgw")  # 〔2026〕1号 is yellow by then
    assert "**黄色督办单**　　测督〔2026〕2号" in text
    assert recorded.endswith("    colour: yellow\n")


def test_an_answer_from_another_unit_or_before_the_notice_does_not_count(make_ledger: MakeLedger) -> None:
    tasks = dict(TASKS)
    tasks["ledgers/jyj.yaml"] = TASKS["ledgers/jyj.yaml"].replace(
        "{date: 2026-11-23, percent: 92}", "{date: 2026-11-23, percent: 92, notice: 测督〔2026〕1号}"
    )
    root = make_ledger(tasks, settings=SETTINGS, units=UNITS)
    issue(root, "2026-11-16", unit="fgw")
    assert colours(root, "2026-11-30")["测督〔2026〕1号"] == ("red", None)


def test_bulletin_prints_the_notices_and_the_interview_list(ledger: Path) -> None:
    issue(ledger, "2026-11-16", unit="fgw")
    issue(ledger, "2026-11-16", unit="chengguan")
    out = io.StringIO()
    assert brief(ledger, as_of=date(2026, 11, 25), out=out) == 0
    text = out.getvalue()
    assert "**（四）督办通知办理情况。**本期发出和尚未回复的督办通知1件：" in text
    assert "| 测督〔2026〕1号 | 县发改委 | 2026年11月16日 | 2026年11月19日 | 红色（已升级） | 未回复 |" in text
    # fgw: a red notice, and named (FGW-1 overdue) in this week's bulletin and last week's
    assert "**（五）约谈名单。**以下单位持有红色督办单或连续2期被通报，列入约谈名单：" in text
    assert "1. 县发改委（红色督办单测督〔2026〕1号未回复；连续2期被通报）" in text
    assert "城关镇（" not in text.split("（五）约谈名单")[1].split("###")[0]


def test_interview_list_from_consecutive_bulletins_alone(ledger: Path) -> None:
    # Without any notice: fgw is named (overdue) on 18 and 25 November: two bulletins in a row.
    out = io.StringIO()
    assert brief(ledger, as_of=date(2026, 11, 18), out=out) == 0
    assert "1. 县发改委（连续2期被通报）" in out.getvalue()
    # 11 November: FGW-1 is overdue, and on 8 November (last week's bulletin) it had no report yet
    out = io.StringIO()
    assert brief(ledger, as_of=date(2026, 11, 11), out=out) == 0
    assert "1. 县发改委（连续2期被通报）" in out.getvalue()
    # 9 November: fgw has reported; chengguan is named this week (no report since 2 November),
    # but was not last week: nobody is on the list
    out = io.StringIO()
    assert brief(ledger, as_of=date(2026, 11, 9), out=out) == 0
    assert "本期没有单位列入约谈名单。" in out.getvalue()


def test_a_ledger_without_notices_settings_prints_no_such_section(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS, settings=SETTINGS.split("notices:")[0], units=UNITS)
    out = io.StringIO()
    assert brief(root, as_of=date(2026, 11, 25), out=out) == 0
    assert "督办通知办理情况" not in out.getvalue() and "约谈名单" not in out.getvalue()


def test_issue_needs_unit_or_each_unit(ledger: Path) -> None:
    with pytest.raises(FatalError, match="--issue"):
        brief(ledger, as_of=date(2026, 11, 25), issue=True, out=io.StringIO())


def test_check_validates_the_notices(ledger: Path) -> None:
    (ledger / "notices").mkdir()
    (ledger / "notices/2026.yaml").write_text(
        "notices:\n"
        "  - {number: 测督〔2026〕1号, date: 2026-11-16, unit: fgw, tasks: [FGW-1], reply_due: 2026-11-19,"
        " colour: blue}\n"
        "  - {number: 测督〔2026〕1号, date: 2026-11-17, unit: fgw, tasks: [FGW-1], reply_due: 2026-11-20,"
        " colour: 蓝}\n"
        "  - {number: 测督〔2026〕2号, date: 2026-11-17, unit: nosuch, tasks: [NOPE-1], reply_due: 2026-11-20,"
        " colour: 紫}\n"
        "  - {number: 第三号, date: 2026-11-17, unit: fgw, tasks: [FGW-1], reply_due: 2026-11-10, colour: red}\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert check(ledger, as_of=date(2026, 11, 25), fmt="json", out=out, cache=False) == 1
    got = [(p["file"], p["line"], p["code"], p["message"]) for p in json.loads(out.getvalue())["problems"]
           if p["file"].startswith("notices/")]
    assert [g[:3] for g in got] == [
        ("notices/2026.yaml", 3, "invalid-notice"),  # a number twice
        ("notices/2026.yaml", 4, "invalid-notice"),  # an unknown colour
        ("notices/2026.yaml", 5, "invalid-notice"),  # a number that cannot be read
        ("notices/2026.yaml", 5, "invalid-notice"),  # a reply date before the notice
    ]
    assert "测督〔2026〕1号 重复" in got[0][3] and "紫" in got[1][3]
    # A broken notices file: brief refuses to add to it, and the bulletin refuses (complete or loud).
    with pytest.raises(FatalError, match="不能登记新的督办通知"):
        issue(ledger, "2026-11-25", unit="fgw")
    with pytest.raises(Refused):
        brief(ledger, as_of=date(2026, 11, 25), out=io.StringIO())
    out = io.StringIO()
    assert brief(ledger, as_of=date(2026, 11, 25), out=out, allow_errors=True) == 0
    assert "督办通知登记有错误，以下未计入：notices/2026.yaml:3" in out.getvalue()


def test_check_names_an_unknown_unit_and_task(ledger: Path) -> None:
    (ledger / "notices").mkdir()
    (ledger / "notices/2026.yaml").write_text(
        "notices:\n  - number: 〔2026〕5号\n    date: 2026-11-16\n    unit: nosuch\n    tasks: [NOPE-1]\n"
        "    reply_due: 2026-11-19\n    colour: blue\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert check(ledger, as_of=date(2026, 11, 25), fmt="json", out=out, cache=False) == 1
    msgs = [p["message"] for p in json.loads(out.getvalue())["problems"] if p["code"] == "invalid-notice"]
    assert msgs == ["units.yaml 中没有单位 nosuch", "台账中没有任务 NOPE-1"]


def test_appending_keeps_what_the_file_holds(ledger: Path) -> None:
    (ledger / "notices").mkdir()
    original = (
        "# 县政府督查室 2026 年督办通知登记\n"
        "notices:\n"
        "    # 第一件\n"
        "    - number: 测督〔2026〕7号   # 手工补登\n"
        "      date: 2026-11-02\n"
        "      unit: jyj\n"
        "      tasks: JYJ-1\n"
        "      reply_due: 2026-11-05\n"
        "      colour: 黄\n"
    )
    (ledger / "notices/2026.yaml").write_text(original, encoding="utf-8")
    _, recorded = issue(ledger, "2026-11-16", unit="fgw")
    assert recorded.startswith(original)
    assert recorded[len(original):] == (
        "    - number: 测督〔2026〕8号\n"
        "      date: 2026-11-16\n"
        "      unit: fgw\n"
        "      tasks: [FGW-1]\n"
        "      reply_due: 2026-11-19\n"
        "      colour: blue\n"
    )


def test_remind_pushes_escalated_notices(ledger: Path) -> None:
    from sanzhua.commands.remind import remind

    issue(ledger, "2026-11-16", unit="fgw")
    issue(ledger, "2026-11-16", unit="chengguan")
    out = io.StringIO()
    assert remind(ledger, as_of=date(2026, 11, 20), fmt="json", env={}, out=out) == 0
    doc = json.loads(out.getvalue())
    got = [(m["unit"], [(i["task"], i["state"]) for i in m["items"]]) for m in doc["messages"]]
    # fgw's notice is past its reply date (19 November) unanswered; chengguan answered on the 18th
    assert got[0] == ("fgw", [("测督〔2026〕1号", "escalated"), ("FGW-1", "overdue")])
    assert all(u != "chengguan" or ("测督〔2026〕2号", "escalated") not in items for u, items in got)
    text = doc["messages"][0]["text"]
    assert "**督办通知逾期未回复（1项）**" in text
    assert "测督〔2026〕1号（2026-11-16 发出）应于 2026-11-19 前回复，至今未回复，已升为黄色督办单" in text
    out = io.StringIO()
    assert remind(ledger, as_of=date(2026, 11, 19), fmt="json", env={}, out=out) == 0
    assert "escalated" not in out.getvalue()  # on the reply date itself, nothing is late yet


def test_word_outputs_carry_the_number_the_notices_and_the_list(ledger: Path, tmp_path: Path) -> None:
    import docx

    def text_of(path: Path) -> str:
        d = docx.Document(str(path))
        cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in d.paragraphs] + cells)

    out = io.StringIO()
    n = tmp_path / "n.docx"
    assert brief(ledger, as_of=date(2026, 11, 16), unit="fgw", issue=True, fmt="docx", output=n, out=out) == 0
    got = text_of(n)
    assert "蓝色督办单　测督〔2026〕1号" in got and "notice: 测督〔2026〕1号" in got
    b = tmp_path / "b.docx"
    assert brief(ledger, as_of=date(2026, 11, 25), fmt="docx", output=b, out=out) == 0
    got = text_of(b)
    assert "（四）督办通知办理情况" in got and "红色（已升级）" in got
    assert "1. 县发改委（红色督办单测督〔2026〕1号未回复；连续2期被通报）" in got
    assert "{%" not in got and "{{" not in got


def test_issue_waits_for_the_edit_lock_and_refuses_past_it(
    ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`brief --issue` numbers and records notices under the ledger's edit lock: while another
    writer holds it nothing is recorded (two `--issue` runs at once gave two notices one
    number, and the notices file an error that refused every later run)."""
    from sanzhua.edit.lock import ledger_lock

    monkeypatch.setenv("SANZHUA_LOCK_TIMEOUT", "0.2")
    with ledger_lock(ledger), pytest.raises(FatalError) as e:
        brief(ledger, as_of=date(2026, 11, 25), unit="fgw", issue=True, out=io.StringIO())
    assert "另一个 sanzhua 命令正在修改台账" in e.value.message
    assert not (ledger / "notices/2026.yaml").exists()
    # The lock free, the notice is recorded; a plain notice needs no lock.
    with ledger_lock(ledger):
        out = io.StringIO()
        assert brief(ledger, as_of=date(2026, 11, 25), unit="fgw", out=out) == 0
    text = issue(ledger, "2026-11-25", unit="fgw")[1]
    assert text.count("number:") == 1
