"""Delivering a reminder: WeCom and DingTalk group robots (webhooks) and email (SMTP).

The secrets (a robot's webhook URL, which carries its token; DingTalk's signing secret;
the SMTP user and password) come only from the environment variables the settings name.
A failure that may pass (a 5xx or 429 answer, a robot's "too fast" code, a timeout, a
dropped connection, an SMTP 4xx) is tried again after `backoff` seconds, doubled each
time, up to `retries` times; any other failure is final at once. Every attempt waits its
turn so that no more than `per_minute` go out in a minute. Error texts never show a URL
or a secret: they name the environment variable instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from sanzhua.load.safe import UnsafeFile, read_inside
from sanzhua.model import EmailSettings, RemindSettings, Unit
from sanzhua.remind.messages import Message

# Robot answers that mean "busy, try later": WeCom -1 (system busy) and 45009 (over the
# frequency limit); DingTalk 130101 (sending too fast) and -1.
_RETRY_CODES = {-1, 45009, 130101}
_MAX_ANSWER = 64 * 1024


class DeliveryError(Exception):
    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


@dataclass(frozen=True, slots=True)
class Delivery:
    message: Message
    ok: bool
    attempts: int
    error: str | None = None


def dingtalk_signed(url: str, secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: timestamp (ms) and base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp_ms}&sign={sign}"


def robot_body(channel: str, m: Message) -> dict[str, object]:
    if channel == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": m.text}}
    return {"msgtype": "markdown", "markdown": {"title": m.title, "text": m.text}}


def post_robot(url: str, body: dict[str, object], timeout: float, env_name: str) -> None:
    """POST one robot message; raise DeliveryError unless the robot answers errcode 0."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise DeliveryError(
            f"环境变量 {env_name} 不是 http(s) 网址 / {env_name} does not hold an http(s) URL", retry=False
        )
    request = urllib.request.Request(
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            raw = answer.read(_MAX_ANSWER)
    except urllib.error.HTTPError as e:
        raise DeliveryError(f"HTTP {e.code}", retry=e.code >= 500 or e.code == 429) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
        reason = getattr(e, "reason", e)
        raise DeliveryError(f"连接失败 / connection failed: {reason}", retry=True) from None
    try:
        got = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise DeliveryError("机器人的回答不是 JSON / the robot's answer is not JSON", retry=True) from None
    code = got.get("errcode") if isinstance(got, dict) else None
    if code == 0:
        return
    detail = str(got.get("errmsg", ""))[:200] if isinstance(got, dict) else ""
    raise DeliveryError(f"errcode {code}: {detail}", retry=code in _RETRY_CODES)


def send_email(settings: EmailSettings, env: Mapping[str, str], root: Path, m: Message, timeout: float) -> None:
    addresses = [a.strip() for a in m.target.split(",") if a.strip()]
    user = env.get(settings.user_env) if settings.user_env else None
    password = env.get(settings.password_env) if settings.password_env else None
    for name, value in ((settings.user_env, user), (settings.password_env, password)):
        if name and not value:
            raise DeliveryError(f"环境变量 {name} 未设置 / {name} is not set", retry=False)
    if password and settings.security == "none":
        raise DeliveryError(
            "security: none 时不能登录：密码会明文传送 / no login without TLS (security: none)", retry=False
        )
    msg = _email_message(settings, m, addresses)
    try:
        context = _tls_context(settings, root)
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if user and password:
                smtp.login(user, password)
            refused = smtp.send_message(msg, settings.sender, addresses)
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError("邮件服务器不支持 STARTTLS / the server does not offer STARTTLS", retry=False) from None
    except smtplib.SMTPAuthenticationError as e:
        raise DeliveryError(f"SMTP 登录失败 / login failed: {e.smtp_code}", retry=False) from None
    except smtplib.SMTPRecipientsRefused as e:
        raise DeliveryError(f"收件人被拒收 / recipients refused: {', '.join(e.recipients)}", retry=False) from None
    except smtplib.SMTPResponseException as e:
        text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) else str(e.smtp_error)
        raise DeliveryError(f"SMTP {e.smtp_code}: {text[:200]}", retry=400 <= e.smtp_code < 500) from None
    except ssl.SSLCertVerificationError as e:
        raise DeliveryError(
            f"邮件服务器证书无法验证 / the server's certificate cannot be verified: {e.verify_message}; "
            "内部 CA 签发的证书请在 remind.email.ca_file 中给出 CA / give an internal CA in remind.email.ca_file",
            retry=False,
        ) from None
    except (smtplib.SMTPException, OSError) as e:
        raise DeliveryError(f"SMTP 连接失败 / connection failed: {e}", retry=True) from None
    if refused:
        raise DeliveryError(f"部分收件人被拒收 / some recipients refused: {', '.join(refused)}", retry=False)


def _email_message(settings: EmailSettings, m: Message, addresses: list[str]) -> EmailMessage:
    """The mail, or a DeliveryError for an address or header a unit's or the office's
    settings made invalid: a line break in an address (units.yaml's contact) would add
    a header of its own (`Bcc:`), and the email library refused it with an internal error."""
    for address in [*addresses, settings.sender]:
        if not address or any(ch.isspace() or ord(ch) < 32 or ch in "<>,;" for ch in address):
            raise DeliveryError(f"邮件地址无效 / not an e-mail address: {address!r}", retry=False)
    msg = EmailMessage()
    try:
        msg["Subject"] = m.title
        msg["From"] = settings.sender
        msg["To"] = ", ".join(addresses)
        msg["Date"] = formatdate(localtime=True)
        msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
        msg.set_content(m.text)
    except (ValueError, TypeError) as e:
        raise DeliveryError(f"邮件头无效 / an invalid mail header: {e}", retry=False) from None
    return msg


def _tls_context(settings: EmailSettings, root: Path) -> ssl.SSLContext:
    """The system's CAs, or the ledger's own CA file: read like every file of the ledger
    (`read_inside`: a regular file inside the root, at most 1 MB), never one outside it,
    which a committed sanzhua.yaml could name (an absolute path, a link out, a FIFO)."""
    if settings.ca_file is None:
        return ssl.create_default_context()
    path = Path(settings.ca_file)
    path = path if path.is_absolute() else root / path
    try:
        data = read_inside(path, root, max_bytes=1024 * 1024)
    except (UnsafeFile, OSError):
        raise DeliveryError(
            f"remind.email.ca_file 须是台账目录中的证书文件 / must be a certificate file inside the ledger: "
            f"{settings.ca_file}",
            retry=False,
        ) from None
    try:
        pem = data.lstrip().startswith(b"-----")
        return ssl.create_default_context(cadata=data.decode("ascii") if pem else data)
    except (ssl.SSLError, ValueError, UnicodeDecodeError):
        raise DeliveryError(
            f"remind.email.ca_file 不是证书文件 / is not a certificate file: {settings.ca_file}", retry=False
        ) from None


class Pacer:
    """At most `per_minute` sends a minute: each waits until 60/per_minute seconds after the last."""

    def __init__(
        self,
        per_minute: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval = 60.0 / per_minute
        self.clock = clock
        self.sleep = sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            gap = self.last + self.interval - self.clock()
            if gap > 0:
                self.sleep(gap)
        self.last = self.clock()


class Sender:
    """Delivers messages with retries and a bounded rate; the environment gives the secrets."""

    def __init__(
        self,
        settings: RemindSettings,
        units: Mapping[str, Unit],
        env: Mapping[str, str],
        root: Path,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        now_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self.settings = settings
        self.units = units
        self.env = env
        self.root = root
        self.sleep = sleep
        self.now_ms = now_ms
        self.pacer = Pacer(settings.per_minute, clock, sleep)

    def deliver(self, m: Message) -> Delivery:
        attempts = 0
        delay = self.settings.backoff
        while True:
            attempts += 1
            try:
                send = self._sender(m)
                self.pacer.wait()
                send()
            except DeliveryError as e:
                if e.retry and attempts <= self.settings.retries:
                    self.sleep(delay)
                    delay *= 2
                    continue
                note = "" if attempts == 1 else f"（{attempts} 次尝试 / {attempts} attempts）"
                return Delivery(m, False, attempts, f"{e}{note}")
            return Delivery(m, True, attempts)

    def _sender(self, m: Message) -> Callable[[], None]:
        """What sends `m` once; raises DeliveryError for what no retry can mend (a missing variable)."""
        timeout = self.settings.timeout
        if m.channel == "none":
            raise DeliveryError(
                f"units.yaml 中 {m.unit} 没有 contact（联系方式）/ unit {m.unit} has no contact in units.yaml",
                retry=False,
            )
        if m.channel == "email":
            email = self.settings.email
            if email is None:
                raise DeliveryError(
                    "sanzhua.yaml 没有 remind.email（发信服务器）/ sanzhua.yaml has no remind.email", retry=False
                )
            return lambda: send_email(email, self.env, self.root, m, timeout)
        url = self._env(m.target)
        if m.channel == "dingtalk":
            unit = self.units.get(m.unit)
            secret_env = unit.contact.dingtalk_secret_env if unit is not None and unit.contact is not None else None
            if secret_env:
                secret = self._env(secret_env)
                return lambda: post_robot(
                    dingtalk_signed(url, secret, self.now_ms()), robot_body("dingtalk", m), timeout, m.target
                )
        return lambda: post_robot(url, robot_body(m.channel, m), timeout, m.target)

    def _env(self, name: str) -> str:
        value = self.env.get(name, "").strip()
        if not value:
            raise DeliveryError(f"环境变量 {name} 未设置 / {name} is not set", retry=False)
        return value
