"""`sanzhua remind`: reminders pushed to real local servers.

A WeCom/DingTalk robot is played by an http.server on 127.0.0.1 that checks DingTalk's
signature and can answer 500 before it answers 200; the mail server is aiosmtpd with
STARTTLS (a certificate from trustme) and a login. Nothing leaves the machine.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import os
import shutil
import socket
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sanzhua.commands.remind import remind
from sanzhua.errors import FatalError
from sanzhua.remind.channels import Pacer, dingtalk_signed
from sanzhua.remind.sent import load_sent, locked
from tests.conftest import MakeLedger

AS_OF = date(2026, 11, 25)  # a Wednesday

SECRET = "SEC0123456789abcdef"


# --------------------------------------------------------------------------- servers


@dataclass
class Robot:
    """A group robot: records what it was sent; `script` gives the HTTP codes to answer first."""

    url: str = ""
    script: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(robot: Robot) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length).decode("utf-8"))
            parts = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parts.query)
            with robot.lock:
                code = robot.script.pop(0) if robot.script else 200
                robot.received.append({"path": parts.path, "query": query, "body": body, "code": code})
            answer: dict[str, object] = {"errcode": 0, "errmsg": "ok"}
            if parts.path == "/dingtalk/signed":
                # DingTalk's check: sign == urlencode(base64(HMAC-SHA256(secret, "timestamp\nsecret")))
                ts = query.get("timestamp", [""])[0]
                sign = query.get("sign", [""])[0]
                want = base64.b64encode(
                    hmac.new(SECRET.encode(), f"{ts}\n{SECRET}".encode(), hashlib.sha256).digest()
                ).decode()
                if not ts or sign != want:
                    answer = {"errcode": 310000, "errmsg": "sign not match"}
            if code != 200:
                self.send_response(code)
                self.end_headers()
                self.wfile.write(b"busy")
                return
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(r))
    r.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield r
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Mailbox:
    port: int
    ca_file: Path
    mails: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)
    tls_seen: list[bool] = field(default_factory=list)


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    trustme = pytest.importorskip("trustme")
    aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
    from aiosmtpd.smtp import AuthResult, LoginPassword

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    import ssl

    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    box = Mailbox(0, ca_file)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            box.mails.append(message_from_bytes(envelope.content))
            box.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            box.tls_seen.append(session.ssl is not None)
            return "250 OK"

    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login == b"ducha" and data.password == b"s3cret"
        if ok:
            box.logins.append(data.login.decode())
        # handled=False with a message: aiosmtpd's default for a failure says nothing and the client waits
        return AuthResult(success=True) if ok else AuthResult(success=False, handled=False, message="535 5.7.8 no")

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = aiosmtpd_controller.Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    controller.start()
    box.port = port
    try:
        yield box
    finally:
        controller.stop()


# --------------------------------------------------------------------------- the ledger

UNITS = """\
units:
  - id: fgw
    name: 县发改委
    contact: {name: 王某某, wecom_env: T_WECOM_FGW}
  - id: jyj
    name: 县教育局
    contact: {dingtalk_env: T_DING_JYJ, dingtalk_secret_env: T_DING_SECRET}
  - id: chengguan
    name: 城关镇
    contact: {email: [clerk@chengguan.example.gov.cn, head@chengguan.example.gov.cn]}
  - {id: nyj, name: 县农业农村局}
  - id: slj
    name: 县水利局
    contact: {wecom_env: T_WECOM_SLJ}
"""


def settings(port: int = 25, ca: str = "", extra: str = "") -> str:
    ca_line = f"    ca_file: {ca}\n" if ca else ""
    return f"""\
name: 测试县督查台账
office: 县政府督查室
year: 2026
lang: zh
due_soon_days: 5
remind:
  retries: 2
  backoff: 0.01
  per_minute: 6000
  timeout: 5
  email:
    host: 127.0.0.1
    port: {port}
    sender: ducha@example.gov.cn
    user_env: T_SMTP_USER
    password_env: T_SMTP_PASSWORD
{ca_line}{extra}"""


TASKS = {
    "ledgers/fgw.yaml": """\
        unit: fgw
        tasks:
          - id: FGW-1
            title: 重点项目前期工作
            owner: 张某
            start: 2026-01-01
            due: 2026-11-10
            progress: [{date: 2026-11-20, percent: 60}]
          - id: FGW-2
            title: 招商引资
            start: 2026-01-01
            due: 2026-11-30
            progress: [{date: 2026-11-23, percent: 95}]
          - id: FGW-3
            title: 已完成的任务
            start: 2026-01-01
            due: 2026-11-30
            done: 2026-11-20
    """,
    "ledgers/jyj.yaml": """\
        unit: jyj
        tasks:
          - id: JYJ-1
            title: 校舍改造
            start: 2026-01-01
            due: 2026-12-31
            progress: [{date: 2026-11-02, percent: 85}]
          - id: JYJ-2
            title: 正常推进的任务
            start: 2026-01-01
            due: 2026-12-31
            progress: [{date: 2026-11-24, percent: 95}]
    """,
    "ledgers/chengguan.yaml": """\
        unit: chengguan
        tasks:
          - id: CG-1
            title: 老旧小区改造
            start: 2026-01-01
            due: 2026-12-31
            milestones: [{name: 完成招标, due: 2026-10-31}]
            progress: [{date: 2026-11-24, percent: 90}]
    """,
    "ledgers/nyj.yaml": """\
        unit: nyj
        tasks:
          - id: NYJ-1
            title: 高标准农田
            start: 2026-01-01
            due: 2026-11-20
            progress: [{date: 2026-11-24, percent: 80}]
    """,
    "ledgers/slj.yaml": """\
        unit: slj
        tasks:
          - id: SLJ-1
            title: 河道治理
            start: 2026-01-01
            due: 2026-12-31
            progress: [{date: 2026-11-24, percent: 95}]
    """,
}


@pytest.fixture
def ledger(make_ledger: MakeLedger) -> Path:
    return make_ledger(TASKS, settings=settings(), units=UNITS)


def env_for(robot: Robot, mailbox: Mailbox | None = None, **more: str) -> dict[str, str]:
    env = {
        "T_WECOM_FGW": f"{robot.url}/wecom/fgw?key=abc",
        "T_WECOM_SLJ": f"{robot.url}/wecom/slj?key=def",
        "T_DING_JYJ": f"{robot.url}/dingtalk/signed?access_token=xyz",
        "T_DING_SECRET": SECRET,
        "T_SMTP_USER": "ducha",
        "T_SMTP_PASSWORD": "s3cret",
    }
    env.update(more)
    return env


def run(root: Path, **kw: Any) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    kw.setdefault("as_of", AS_OF)
    code = remind(root, out=out, err=err, **kw)
    return code, out.getvalue(), err.getvalue()


def plan(root: Path, **kw: Any) -> list[tuple[str, str, list[tuple[str, str]]]]:
    code, out, _ = run(root, fmt="json", **kw)
    assert code == 0
    doc = json.loads(out)
    return [(m["unit"], m["channel"], [(i["task"], i["state"]) for i in m["items"]]) for m in doc["messages"]]


# --------------------------------------------------------------------------- dry run

EXPECTED = [
    ("fgw", "wecom", [("FGW-1", "overdue"), ("FGW-2", "due_soon")]),
    ("jyj", "dingtalk", [("JYJ-1", "no_report")]),
    ("chengguan", "email", [("CG-1", "milestone_overdue")]),
    ("nyj", "none", [("NYJ-1", "overdue")]),
]


def test_dry_run_lists_exactly_the_expected_messages(ledger: Path) -> None:
    assert plan(ledger, env={}) == EXPECTED


def test_dry_run_text_shows_each_message_and_what_cannot_be_sent(ledger: Path, robot: Robot) -> None:
    code, out, _ = run(ledger, env=env_for(robot))
    assert code == 0
    assert "── fgw 县发改委 → 企业微信（T_WECOM_FGW）" in out
    assert "### 【督办提醒】县发改委 2026-11-25" in out
    assert "王某某：" in out
    assert "**逾期（1项）**" in out
    assert "1. FGW-1 重点项目前期工作（责任人：张某） — 时限 2026-11-10，已逾期 15 天" in out
    assert "1. FGW-2 招商引资 — 时限 2026-11-30，还剩 3 个工作日" in out
    assert "1. JYJ-1 校舍改造 — 最近一次报送进展：2026-11-02" in out
    assert "完成招标（2026-10-31）" in out
    assert "── nyj 县农业农村局 → 未配置联系方式\n!! 无法发送：units.yaml 中没有 contact（联系方式）" in out
    assert out.rstrip().endswith("预览（未发送，加 --send 才发送）：4 条消息，5 项；1 条无法发送（见 !!）")
    assert robot.received == []  # a dry run sends nothing


def test_dry_run_names_a_missing_environment_variable(ledger: Path, robot: Robot) -> None:
    env = env_for(robot)
    del env["T_DING_SECRET"]
    code, out, _ = run(ledger, env=env)
    assert code == 0
    assert "── jyj 县教育局 → 钉钉（T_DING_JYJ）\n!! 无法发送：环境变量 T_DING_SECRET 未设置" in out


def test_filters_by_unit_and_channel(ledger: Path) -> None:
    assert plan(ledger, env={}, units=["jyj", "nyj"]) == [EXPECTED[1], EXPECTED[3]]
    assert plan(ledger, env={}, channels=["email"]) == [EXPECTED[2]]


def test_unknown_unit_or_channel_cannot_run(ledger: Path) -> None:
    with pytest.raises(FatalError, match="县发改委 的代码是 fgw"):
        run(ledger, units=["县发改委"])
    with pytest.raises(FatalError, match="--channel"):
        run(ledger, channels=["sms"])


def test_states_setting_chooses_what_is_reminded(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS, settings=settings(extra="  states: [overdue]\n"), units=UNITS)
    assert plan(root, env={}) == [("fgw", "wecom", [("FGW-1", "overdue")]), ("nyj", "none", [("NYJ-1", "overdue")])]


def test_ledger_text_cannot_become_markup(make_ledger: MakeLedger) -> None:
    tasks = {
        "ledgers/fgw.yaml": """\
            unit: fgw
            tasks:
              - id: FGW-9
                title: "点这里 [领奖](http://evil.example/) <font color=red>**紧急**</font>\\n# 标题"
                start: 2026-01-01
                due: 2026-11-10
        """
    }
    root = make_ledger(tasks, settings=settings(), units=UNITS)
    code, out, _ = run(root, fmt="json", env={})
    assert code == 0
    text = json.loads(out)["messages"][0]["text"]
    assert "[领奖](" not in text and "<font" not in text and "**紧急**" not in text
    assert "点这里 ［领奖］(http://evil.example/) ＜font color=red＞＊＊紧急＊＊＜/font＞ ＃ 标题" in text


def test_a_ledger_with_errors_is_refused_unless_allowed(
    make_ledger: MakeLedger, capsys: pytest.CaptureFixture[str]
) -> None:
    from sanzhua.errors import Refused

    tasks = dict(TASKS)
    tasks["ledgers/bad.yaml"] = "unit: fgw\ntasks:\n  - id: X-1\n    title: [unclosed\n"
    root = make_ledger(tasks, settings=settings(), units=UNITS)
    with pytest.raises(Refused):
        run(root, env={})
    err = capsys.readouterr().err
    assert "ledgers/bad.yaml" in err and "X-1" in err and "--allow-errors" in err
    code, out, _ = run(root, env={}, allow_errors=True)
    assert code == 0
    assert out.startswith("注意：台账有") and "ledgers/bad.yaml" in out and "可能漏提醒" in out


def test_a_long_list_is_split_for_wecom(make_ledger: MakeLedger) -> None:
    rows = "".join(
        f"  - {{id: FGW-{n:03}, title: {'很长的任务名称' * 8}{n}, start: 2026-01-01, due: 2026-11-10}}\n"
        for n in range(60)
    )
    root = make_ledger({"ledgers/fgw.yaml": "unit: fgw\ntasks:\n" + rows}, settings=settings(), units=UNITS)
    code, out, _ = run(root, fmt="json", env={})
    assert code == 0
    messages = [m for m in json.loads(out)["messages"] if m["unit"] == "fgw"]
    assert len(messages) > 1
    assert all(len(m["text"].encode()) <= 4096 for m in messages)
    assert [m["part"] for m in messages] == list(range(1, len(messages) + 1))
    assert messages[0]["title"].endswith(f"（1/{len(messages)}）")
    items = [(i["task"], i["state"]) for m in messages for i in m["items"]]
    # every task and state once, in order: none has reported progress either
    assert items == [(f"FGW-{n:03}", s) for s in ("overdue", "no_report") for n in range(60)]


# --------------------------------------------------------------------------- sending


def test_send_delivers_on_every_channel_and_not_twice(ledger: Path, robot: Robot, mailbox: Mailbox) -> None:
    root = ledger
    shutil.copy(mailbox.ca_file, root / "ca.pem")  # the CA file is the ledger's own (relative to its root)
    (root / "sanzhua.yaml").write_text(settings(mailbox.port, "ca.pem"), encoding="utf-8")
    env = env_for(robot, mailbox)
    code, out, _ = run(root, send=True, env=env)
    assert code == 1  # nyj has no contact
    assert "✓ 已发送 fgw 县发改委 → 企业微信（T_WECOM_FGW）：2 项" in out
    assert "✓ 已发送 jyj 县教育局 → 钉钉（T_DING_JYJ）：1 项" in out
    assert "✓ 已发送 chengguan 城关镇 → 邮件" in out
    assert "✗ 发送失败 nyj 县农业农村局 → 未配置联系方式：units.yaml 中 nyj 没有 contact" in out
    assert "已发送 3 条，失败 1 条" in out

    wecom = [r for r in robot.received if r["path"] == "/wecom/fgw"]
    assert len(wecom) == 1
    assert wecom[0]["query"] == {"key": ["abc"]}
    assert wecom[0]["body"]["msgtype"] == "markdown"
    assert "FGW-1 重点项目前期工作" in wecom[0]["body"]["markdown"]["content"]
    ding = [r for r in robot.received if r["path"] == "/dingtalk/signed"]
    assert len(ding) == 1 and ding[0]["query"]["access_token"] == ["xyz"]
    assert ding[0]["body"]["markdown"]["title"] == "【督办提醒】县教育局 2026-11-25"
    assert "JYJ-1 校舍改造" in ding[0]["body"]["markdown"]["text"]

    assert len(mailbox.mails) == 1 and mailbox.tls_seen == [True] and mailbox.logins == ["ducha"]
    mail = mailbox.mails[0]
    assert mailbox.envelopes[0] == (
        "ducha@example.gov.cn",
        ["clerk@chengguan.example.gov.cn", "head@chengguan.example.gov.cn"],
    )
    assert "【督办提醒】城关镇" in str(mail["Subject"]) or "=?utf-8?" in str(mail["Subject"]).lower()
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert "CG-1 老旧小区改造" in payload.decode("utf-8")

    record = json.loads((root / ".sanzhua/remind-sent.json").read_text(encoding="utf-8"))
    assert record["format"] == "sanzhua-remind-sent"
    assert sorted((r["unit"], r["channel"], r["task"], r["state"]) for r in record["sent"]) == [
        ("chengguan", "email", "CG-1", "milestone_overdue"),
        ("fgw", "wecom", "FGW-1", "overdue"),
        ("fgw", "wecom", "FGW-2", "due_soon"),
        ("jyj", "dingtalk", "JYJ-1", "no_report"),
    ]

    # The same day again: only what failed is tried again.
    before = len(robot.received)
    code, out, _ = run(root, send=True, env=env)
    assert code == 1
    assert len(robot.received) == before and len(mailbox.mails) == 1
    assert "已发送 0 条，失败 1 条；今天已发送过、不再重发 4 项" in out
    assert plan(root, env=env) == [EXPECTED[3]]

    # The next day, what is still due is sent again.
    code, out, _ = run(root, send=True, env=env, as_of=date(2026, 11, 26), units=["fgw"])
    assert code == 0
    assert len([r for r in robot.received if r["path"] == "/wecom/fgw"]) == 2


def test_a_new_state_of_a_task_is_sent_the_same_day(ledger: Path, robot: Robot) -> None:
    env = env_for(robot)
    code, _, _ = run(ledger, send=True, env=env, units=["fgw"])
    assert code == 0
    # A later edit adds a milestone that is overdue: that state is new today, the rest is not.
    path = ledger / "ledgers/fgw.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "    owner: 张某\n", "    owner: 张某\n    milestones: [{name: 完成可研, due: 2026-11-01}]\n"
    )
    path.write_text(text, encoding="utf-8")
    assert plan(ledger, env=env, units=["fgw"]) == [("fgw", "wecom", [("FGW-1", "milestone_overdue")])]


def test_retries_after_a_500_then_succeeds(ledger: Path, robot: Robot) -> None:
    robot.script = [500]
    code, out, _ = run(ledger, send=True, env=env_for(robot), units=["fgw"])
    assert code == 0, out
    assert [r["code"] for r in robot.received] == [500, 200]
    assert "✓ 已发送 fgw" in out


def test_gives_up_after_the_retries_and_says_so(ledger: Path, robot: Robot) -> None:
    robot.script = [503, 503, 503, 503]
    code, out, _ = run(ledger, send=True, env=env_for(robot), units=["fgw"])
    assert code == 1
    assert len(robot.received) == 3  # the first try and retries: 2
    assert "✗ 发送失败 fgw 县发改委 → 企业微信（T_WECOM_FGW）：HTTP 503（3 次尝试 / 3 attempts）" in out
    assert "失败的消息没有记为已发送" in out
    assert load_sent(ledger / ".sanzhua/remind-sent.json").sent_on(AS_OF) == set()
    # The robot is back: the next run sends it.
    code, out, _ = run(ledger, send=True, env=env_for(robot), units=["fgw"])
    assert code == 0 and robot.received[-1]["code"] == 200


def test_a_4xx_is_not_retried_and_the_url_is_never_shown(ledger: Path, robot: Robot) -> None:
    robot.script = [404]
    code, out, _ = run(ledger, send=True, env=env_for(robot), units=["fgw"])
    assert code == 1 and len(robot.received) == 1
    assert "HTTP 404" in out and "key=abc" not in out and robot.url not in out


def test_a_wrong_dingtalk_secret_is_refused_by_the_robot(ledger: Path, robot: Robot) -> None:
    code, out, _ = run(ledger, send=True, env=env_for(robot, T_DING_SECRET="SECwrong"), units=["jyj"])
    assert code == 1
    assert len(robot.received) == 1  # a signature error is not retried
    assert "errcode 310000: sign not match" in out
    assert "SECwrong" not in out


def test_dingtalk_signature_is_the_documented_one() -> None:
    # DingTalk's documented procedure, step by step, against the function.
    url = dingtalk_signed("https://robot.example/send?access_token=T", "SECabc", 1_700_000_000_000)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    digest = hmac.new(b"SECabc", b"1700000000000\nSECabc", hashlib.sha256).digest()
    assert q["timestamp"] == ["1700000000000"]
    assert q["sign"] == [base64.b64encode(digest).decode()]
    assert q["access_token"] == ["T"]
    assert "%2B" in url or "%2F" in url or "%3D" in url  # the base64 is URL-encoded


def test_a_webhook_that_is_not_http_is_refused(ledger: Path, robot: Robot) -> None:
    target = ledger / "secret.txt"
    target.write_text("x", encoding="utf-8")
    code, out, _ = run(ledger, send=True, env=env_for(robot, T_WECOM_FGW=f"file://{target}"), units=["fgw"])
    assert code == 1 and "不是 http(s) 网址" in out


def test_missing_secret_is_a_reported_failure(ledger: Path, robot: Robot) -> None:
    env = env_for(robot)
    del env["T_WECOM_FGW"]
    code, out, _ = run(ledger, send=True, env=env, units=["fgw", "slj"])
    assert code == 1
    assert "✗ 发送失败 fgw 县发改委 → 企业微信（T_WECOM_FGW）：环境变量 T_WECOM_FGW 未设置" in out
    # slj had nothing to be reminded of; fgw's failure did not stop the run
    assert "已发送 0 条，失败 1 条" in out


def test_smtp_wrong_password_fails_without_retry(ledger: Path, robot: Robot, mailbox: Mailbox) -> None:
    shutil.copy(mailbox.ca_file, ledger / "ca.pem")
    (ledger / "sanzhua.yaml").write_text(settings(mailbox.port, "ca.pem"), encoding="utf-8")
    code, out, _ = run(ledger, send=True, env=env_for(robot, T_SMTP_PASSWORD="nope"), units=["chengguan"])
    assert code == 1
    assert "SMTP 登录失败 / login failed: 535" in out and "nope" not in out, out
    assert mailbox.mails == []


def test_smtp_with_an_untrusted_certificate_fails_clearly(ledger: Path, robot: Robot, mailbox: Mailbox) -> None:
    other = ledger / "other-ca.pem"
    trustme = pytest.importorskip("trustme")
    trustme.CA().cert_pem.write_to_path(str(other))
    (ledger / "sanzhua.yaml").write_text(settings(mailbox.port, "other-ca.pem"), encoding="utf-8")
    code, out, _ = run(ledger, send=True, env=env_for(robot), units=["chengguan"])
    assert code == 1
    assert "证书无法验证" in out and "remind.email.ca_file" in out
    assert mailbox.mails == []


def test_a_ca_file_outside_the_ledger_is_not_read(
    ledger: Path, robot: Robot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """remind.email.ca_file is a file of the ledger (docs/format.md: relative to its root):
    an absolute path, or a link out of the root, named a file outside the ledger that a
    committed sanzhua.yaml chose, and OpenSSL read it whole (p-red3b). Now refused by
    name before any connection; a FIFO is never waited on."""
    import ssl

    outside = tmp_path / "outside-ca.pem"
    trustme = pytest.importorskip("trustme")
    trustme.CA().cert_pem.write_to_path(str(outside))
    os.symlink(outside, ledger / "linked-ca.pem")
    os.mkfifo(ledger / "fifo-ca.pem")
    files: list[object] = []
    real_context = ssl.create_default_context

    def spy(*args: Any, **kwargs: Any) -> Any:
        files.append(kwargs.get("cafile"))
        return real_context(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", spy)
    for ca in (str(outside), "linked-ca.pem", "fifo-ca.pem", "../outside-ca.pem"):
        (ledger / "sanzhua.yaml").write_text(settings(1, ca), encoding="utf-8")
        code, out, _ = run(ledger, send=True, env=env_for(robot), units=["chengguan"])
        assert code == 1, out
        assert "remind.email.ca_file" in out and "台账目录" in out, out
    assert files == [], files


def test_a_line_break_in_an_address_is_a_failed_send_not_an_internal_error(ledger: Path, robot: Robot) -> None:
    """A unit's address (units.yaml, which any unit's editor may touch) with CR LF and a
    header after it: the email library refused the header with a ValueError that reached
    the user as an internal error, and the preview printed the header on a line of its
    own (p-red3b). Now that message fails by name, the others are sent, nothing is
    connected to for it, and the preview keeps it on one line."""
    units = (ledger / "units.yaml").read_text(encoding="utf-8")
    units = units.replace("[clerk@chengguan.example.gov.cn, head@chengguan.example.gov.cn]",
                          '["clerk@chengguan.example.gov.cn\\r\\nBcc: evil@example.com"]')  # fmt: skip
    assert "Bcc" in units
    (ledger / "units.yaml").write_text(units, encoding="utf-8")
    (ledger / "sanzhua.yaml").write_text(settings(1), encoding="utf-8")  # port 1: nothing listens
    code, out, _ = run(ledger)
    assert code == 0 and "Bcc" in out
    assert not any(line.startswith("Bcc") for line in out.splitlines()), out
    code, out, _ = run(ledger, send=True, env=env_for(robot))
    assert code == 1, out
    assert "not an e-mail address" in out and "内部错误" not in out, out
    assert len(robot.received) == 2  # the robots' messages still went


def test_smtp_server_down_is_retried_then_reported(ledger: Path, robot: Robot) -> None:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    (ledger / "sanzhua.yaml").write_text(settings(port), encoding="utf-8")
    code, out, _ = run(ledger, send=True, env=env_for(robot), units=["chengguan"])
    assert code == 1
    assert "SMTP 连接失败" in out and "（3 次尝试 / 3 attempts）" in out


# --------------------------------------------------------------------------- the record


def test_a_malformed_record_is_refused_not_guessed(ledger: Path) -> None:
    path = ledger / ".sanzhua/remind-sent.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    for bad in (
        "{not json",
        '{"format": "sanzhua-remind-sent", "version": 1, "sent": [{"day": "x"}]}',
        '{"format": "sanzhua-remind-sent", "version": 1, "sent": [{"day": "2026-13-01", "unit": "a",'
        ' "channel": "wecom", "task": "t", "state": "overdue"}]}',
        '{"format": "pickle", "version": 1, "sent": []}',
        "[" * 100_000,
    ):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(FatalError, match="发送记录"):
            run(ledger, env={})


def test_records_older_than_two_months_are_dropped(ledger: Path, robot: Robot) -> None:
    path = ledger / ".sanzhua/remind-sent.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"day": "2026-08-01", "unit": "fgw", "channel": "wecom", "task": "FGW-1", "state": "overdue"},
        {"day": "2026-11-24", "unit": "fgw", "channel": "wecom", "task": "FGW-1", "state": "overdue"},
    ]
    path.write_text(json.dumps({"format": "sanzhua-remind-sent", "version": 1, "sent": rows}), encoding="utf-8")
    code, _, _ = run(ledger, send=True, env=env_for(robot), units=["fgw"])
    assert code == 0
    days = sorted({r["day"] for r in json.loads(path.read_text(encoding="utf-8"))["sent"]})
    assert days == ["2026-11-24", "2026-11-25"]


def test_sent_file_option_and_setting(make_ledger: MakeLedger, robot: Robot, tmp_path: Path) -> None:
    cache = tmp_path / "ci-cache" / "sent.json"
    root = make_ledger(TASKS, settings=settings(), units=UNITS)
    code, _, _ = run(root, send=True, env=env_for(robot), units=["fgw"], sent_file=cache)
    assert code == 0 and cache.is_file() and not (root / ".sanzhua/remind-sent.json").exists()
    (root / "sanzhua.yaml").write_text(
        settings().replace("remind:\n", "remind:\n  sent_file: ../outside.json\n"), encoding="utf-8"
    )
    with pytest.raises(FatalError, match="台账目录以外"):
        run(root, env={})


def test_a_second_sender_at_the_same_time_stops(ledger: Path, robot: Robot) -> None:
    with locked(ledger / ".sanzhua/remind-sent.json"), pytest.raises(FatalError, match="另一个 sanzhua remind"):
        run(ledger, send=True, env=env_for(robot))
    assert robot.received == []


def test_pacer_keeps_the_rate() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    pacer = Pacer(20, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        pacer.wait()
        now[0] += 0.5  # each send takes half a second
    assert slept == [2.5, 2.5, 2.5]  # 3 s apart: 20 a minute


# --------------------------------------------------------------------------- settings and CLI


def test_a_url_written_where_a_variable_name_belongs_is_an_error(make_ledger: MakeLedger) -> None:
    from sanzhua.commands.check import check

    units = UNITS.replace("wecom_env: T_WECOM_FGW", "wecom_env: https://qyapi.weixin.qq.com/cgi-bin/webhook/send")
    root = make_ledger(TASKS, settings=settings(), units=units)
    out = io.StringIO()
    code = check(root, as_of=AS_OF, fmt="json", lang="zh", out=out)
    problems = json.loads(out.getvalue())["problems"]
    found = [(p["file"], p["line"], p["code"]) for p in problems]
    assert ("units.yaml", 4, "invalid-value") in found
    assert code == 1
    hint = next(p["hint"] for p in problems if p["file"] == "units.yaml")
    assert "不要写地址本身" in hint


def test_cli_dry_run_is_the_default_and_exit_codes(ledger: Path, robot: Robot) -> None:
    from tests.test_cli import sanzhua

    env = {**os.environ, **env_for(robot)}
    env["PYTHONPATH"] = __import__("tests.test_cli", fromlist=["SRC"]).SRC
    r = sanzhua("remind", "--as-of", "2026-11-25", cwd=ledger, env=env)
    assert r.returncode == 0, r.stderr
    assert "预览（未发送" in r.stdout and robot.received == []
    r = sanzhua("remind", "--send", "--dry-run", cwd=ledger, env=env)
    assert r.returncode == 2
    r = sanzhua("remind", "--as-of", "2026-11-25", "--send", "--unit", "fgw", cwd=ledger, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(robot.received) == 1
    (ledger / ".sanzhua/remind-sent.json").write_text("garbage", encoding="utf-8")
    r = sanzhua("remind", "--as-of", "2026-11-25", cwd=ledger, env=env)
    assert r.returncode == 2 and "发送记录" in r.stderr and "Traceback" not in r.stderr


def test_english_ledger_gets_english_messages(make_ledger: MakeLedger) -> None:
    root = make_ledger(TASKS, settings=settings().replace("lang: zh", "lang: en"), units=UNITS)
    code, out, _ = run(root, env={})
    assert code == 0
    assert "### [Reminder] 县发改委 2026-11-25" in out
    assert "FGW-1 重点项目前期工作 (owner: 张某) — due 2026-11-10, 15 days overdue" in out
    assert "Preview (nothing sent; --send sends): 4 messages, 5 items" in out


def test_init_writes_a_scheduled_remind_job(tmp_path: Path) -> None:
    import yaml

    from sanzhua.commands.init import init
    from sanzhua.model import RemindSettings

    target = tmp_path / "新台账"
    assert init(target, year=2026) == 0
    job = yaml.safe_load((target / ".github/workflows/sanzhua-remind.yml").read_text(encoding="utf-8"))
    assert job[True]["schedule"] == [{"cron": "0 1 * * 1-5"}]  # YAML 1.1 reads the key `on` as true
    steps = job["jobs"]["remind"]["steps"]
    assert any(s.get("run") == "sanzhua remind --send" for s in steps)
    cached = [s["with"]["path"] for s in steps if str(s.get("uses", "")).startswith("actions/cache")]
    assert cached == [RemindSettings().sent_file] * 2
    assert ".sanzhua/" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    code, out, _ = run(target, env={})
    assert code == 0 and "预览（未发送" in out
