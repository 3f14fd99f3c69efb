"""How an outbox row leaves: a MIME message over a Flask-Mail SMTP connection, or the dev mailbox.

Flask-Mail's own `Connection` opens `smtplib.SMTP(server, port)` with no timeout (a stuck server
hangs the worker for ever) and reads the host from the settings captured when the app was
created. `SMTPConnection` reads every setting from `current_app.config` when it connects.

The message itself is built with the standard library's `email.mime` classes rather than
`flask_mail.Message`: Flask-Mail renders through the modern email policy, which measured 3.8 ms
a message against 0.9 ms here, more than the SMTP exchange itself (bench/outbox_bench.py).
"""

from __future__ import annotations

import functools
import re
import smtplib
import ssl
from dataclasses import dataclass
from email import charset as email_charset
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate, parseaddr
from types import TracebackType

import flask_mail
import sqlalchemy as sa
from flask import current_app

from app.extensions import db
from app.models import OutboxAttachment, OutboxMessage

OUTBOX_ID_HEADER = "X-Undersigned-Outbox-Id"
# Quoted-printable keeps every line under SMTP's 998-octet limit, whatever the template wrote.
_UTF8 = email_charset.Charset("utf-8")
_UTF8.body_encoding = email_charset.QP
# smtplib sends bytes as they are: the message must already use SMTP's CRLF line ends.
_SMTP_POLICY = compat32.clone(linesep="\r\n")


def dev_mailbox_enabled() -> bool:
    """The /dev/mail pages exist. Never in production: they show everyone's links."""
    cfg = current_app.config
    return bool(cfg.get("DEV_MAILBOX")) and cfg.get("APP_ENV") != "production"


def delivers_to_dev_mailbox() -> bool:
    """Development without an SMTP server: the worker marks messages sent into /dev/mail."""
    return dev_mailbox_enabled() and not current_app.config.get("MAIL_SERVER")


@dataclass(frozen=True)
class OutgoingEmail:
    """A rendered message and its envelope."""

    envelope_from: str
    recipients: list[str]
    data: bytes
    subject: str
    # A message that cannot be written (a newline in a header) fails when it is sent, so the
    # worker records it like any other refusal.
    error: Exception | None = None


def _address(value: str) -> str:
    """An address header, its display name encoded when it is not ASCII."""
    name, address = parseaddr(value)
    if any(ch in value for ch in "\r\n"):
        raise flask_mail.BadHeaderError
    return formataddr((name, address), charset="utf-8") if name else address


def _header(value: str) -> str | Header:
    if any(ch in value for ch in "\r\n"):
        raise flask_mail.BadHeaderError
    return value if value.isascii() else Header(value, "utf-8")


def build_message(row: OutboxMessage) -> OutgoingEmail:
    """The email for one outbox row: a text and an HTML part, tagged with the row's id."""
    try:
        return _build(row)
    except flask_mail.BadHeaderError as exc:
        return OutgoingEmail("", [row.to_addr], b"", row.subject, error=exc)


# Headers a row may add; the ones the transport writes itself can never be replaced.
_EXTRA_HEADER = re.compile(r"(List-[A-Za-z-]+|X-[A-Za-z0-9-]+)")
_OWN_HEADERS = {OUTBOX_ID_HEADER.lower()}


def _from(row: OutboxMessage, sender: _Sender) -> str:
    """The site's address, with the row's display name when it has one ("<Lead> via …").

    formataddr quotes a name with commas or quotes and encodes one that is not ASCII.
    """
    if not row.from_name:
        return sender.header
    if any(ch in row.from_name for ch in "\r\n"):
        raise flask_mail.BadHeaderError
    return formataddr((row.from_name, sender.address), charset="utf-8")


def _extra_headers(message: MIMEMultipart, headers: dict[str, str] | None) -> None:
    for name, value in (headers or {}).items():
        if not _EXTRA_HEADER.fullmatch(name) or name.lower() in _OWN_HEADERS:
            raise flask_mail.BadHeaderError
        message[name] = _header(str(value))


def _build(row: OutboxMessage) -> OutgoingEmail:
    sender = _sender(current_app.config["MAIL_DEFAULT_SENDER"])
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(row.text_body, "plain", _UTF8))
    alternative.attach(MIMEText(row.html_body, "html", _UTF8))
    message = _with_attachments(row, alternative) if row.has_attachments else alternative
    message["Subject"] = _header(row.subject)
    message["From"] = _from(row, sender)
    message["To"] = _address(row.to_addr)
    recipients = [parseaddr(row.to_addr)[1]]
    if row.cc_addrs:
        copies = [a.strip() for a in row.cc_addrs.split(",") if a.strip()]
        message["Cc"] = ", ".join(_address(a) for a in copies)
        recipients += [parseaddr(a)[1] for a in copies]
    if row.reply_to:
        message["Reply-To"] = _address(row.reply_to)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = _header(row.message_id or _message_id(row, sender.domain))
    message[OUTBOX_ID_HEADER] = str(row.id)
    _extra_headers(message, row.headers)
    return OutgoingEmail(
        envelope_from=sender.address,
        recipients=recipients,
        data=message.as_bytes(policy=_SMTP_POLICY),
        subject=row.subject,
    )


def _with_attachments(row: OutboxMessage, body: MIMEMultipart) -> MIMEMultipart:
    """multipart/mixed: the text and HTML alternatives, then each file as it was stored."""
    mixed = MIMEMultipart("mixed")
    mixed.attach(body)
    files = db.session.scalars(
        sa.select(OutboxAttachment)
        .where(OutboxAttachment.message_id == row.id)
        .order_by(OutboxAttachment.id)
    )
    for item in files:
        maintype, _, subtype = item.mimetype.partition("/")
        part = MIMEApplication(item.content, _subtype=subtype or "octet-stream")
        if maintype != "application":
            part.replace_header("Content-Type", item.mimetype)
        part.add_header("Content-Disposition", "attachment", filename=_header(item.filename))
        mixed.attach(part)
    return mixed


@dataclass(frozen=True)
class _Sender:
    header: str
    address: str
    domain: str


@functools.lru_cache(maxsize=8)
def _sender(value: str | tuple[str, str]) -> _Sender:
    """MAIL_DEFAULT_SENDER parsed once, not for every message of a batch."""
    if isinstance(value, tuple):
        value = formataddr(value)
    address = parseaddr(value)[1]
    return _Sender(_address(value), address, address.rpartition("@")[2] or "localhost")


def _message_id(row: OutboxMessage, domain: str) -> str:
    """Stable across retries, so a receiver can drop a copy sent twice after a worker crash."""
    return f"<outbox.{row.id}.{int(row.created_at.timestamp())}@{domain}>"


class SMTPConnection(flask_mail.Connection):
    """One SMTP session, reused for a whole batch of messages."""

    def __init__(self) -> None:
        super().__init__(current_app.extensions["mail"])
        self.suppressed = bool(current_app.config.get("MAIL_SUPPRESS_SEND"))

    def open(self) -> SMTPConnection:
        self.host = None if self.suppressed else self.configure_host()
        self.num_emails = 0
        return self

    def __enter__(self) -> SMTPConnection:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def send(self, message: OutgoingEmail) -> str | None:  # type: ignore[override]
        """Send; for a message to several addresses that the server took for only some of
        them, the refusals (smtplib raises only when every address is refused)."""
        if message.error is not None:
            raise message.error
        if self.host is not None:
            refused = self.host.sendmail(message.envelope_from, message.recipients, message.data)
            if refused:
                return "; ".join(
                    f"{addr}: {code} {_text(text)}" for addr, (code, text) in refused.items()
                )
        return None

    @property
    def is_open(self) -> bool:
        """False once the server hung up (smtplib closes its socket on a 421 or a disconnect)."""
        return self.suppressed or (self.host is not None and self.host.sock is not None)

    def answers(self) -> bool:
        """Whether the server still answers on this connection (one NOOP)."""
        if self.suppressed:
            return True
        if self.host is None or self.host.sock is None:
            return False
        try:
            return self.host.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def close(self) -> None:
        host, self.host = self.host, None
        if host is None:
            return
        try:
            if host.sock is not None:
                host.quit()
        except (smtplib.SMTPException, OSError):
            pass  # the server is gone already; the socket is closed below either way
        finally:
            host.close()

    def configure_host(self) -> smtplib.SMTP:
        cfg = current_app.config
        timeout = float(cfg["MAIL_TIMEOUT"])
        # Verify the server's certificate: smtplib's default STARTTLS context does not.
        context = ssl.create_default_context()
        host: smtplib.SMTP
        if cfg.get("MAIL_USE_SSL"):
            host = smtplib.SMTP_SSL(timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(timeout=timeout)
        host.set_debuglevel(int(bool(cfg.get("MAIL_DEBUG"))))
        try:
            host.connect(cfg["MAIL_SERVER"], int(cfg["MAIL_PORT"]))
            if cfg.get("MAIL_USE_TLS"):
                host.starttls(context=context)
            if cfg.get("MAIL_USERNAME") and cfg.get("MAIL_PASSWORD"):
                host.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        except BaseException:
            host.close()
            raise
        return host


def connect() -> SMTPConnection:
    """An open connection to MAIL_SERVER; the caller closes it."""
    return SMTPConnection().open()


@dataclass(frozen=True)
class Failure:
    """Why a message was not sent, and whether trying again could help."""

    permanent: bool
    reason: str
    # The SMTP session can carry the next message (smtplib sent RSET after a refusal).
    session_ok: bool = False


def classify(exc: BaseException) -> Failure:
    """Permanent only when the server refused this message (5xx); anything else is retried."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refusals = exc.recipients.items()
        reason = "; ".join(f"{addr}: {code} {_text(text)}" for addr, (code, text) in refusals)
        codes = [code for code, _ in exc.recipients.values()]
        permanent = bool(codes) and all(code >= 500 for code in codes)
        return Failure(permanent=permanent, reason=reason, session_ok=True)
    if isinstance(exc, flask_mail.BadHeaderError):
        reason = "a header (subject, address or name) contains a newline or is not allowed"
        return Failure(permanent=True, reason=reason, session_ok=True)
    if isinstance(
        exc,
        smtplib.SMTPConnectError
        | smtplib.SMTPHeloError
        | smtplib.SMTPAuthenticationError
        | smtplib.SMTPSenderRefused,
    ):
        # The server refused us (our host name, credentials or sender), not this message:
        # once the setting is fixed, the message can still go.
        return Failure(permanent=False, reason=f"{exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
        return Failure(permanent=exc.smtp_code >= 500, reason=reason, session_ok=True)
    # Refused connections, timeouts, disconnects, TLS errors: the server, not the message.
    return Failure(permanent=False, reason=f"{type(exc).__name__}: {exc}")


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
