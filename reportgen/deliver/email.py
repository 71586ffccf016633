"""Email delivery: one message per report, built from its manifest record, sent over smtplib.

Why from the manifest record and not from the ``Report``: a delivery that failed is
retried by the *next* run, which must not need the ledger, and the mail must describe the
archived files — so the record carries the key figures and the attachments are read back
from the archive (and their sha256 checked, so a file replaced by hand is never mailed
under the archived report's name).

Rules, each against a bug peers are known for:

* the certificate is always verified (``ssl.create_default_context``, optionally with the
  internal relay's CA file); a relay that does not offer STARTTLS fails closed;
* the encoded size is checked before connecting: over ``email.max_bytes`` no mail is sent
  (never an empty one without its attachment) and the record says why;
* transient failures (connection errors, 4xx) are retried within the run with doubling
  delays; a recipient the server refuses is recorded and owed to the next run;
* each outcome is written to the manifest the moment ``send_message`` returns, before the
  next report is touched, so a crash cannot make the next run mail someone twice;
* the password is read from the environment only at login and scrubbed from any error
  text that is logged or recorded.
"""

from __future__ import annotations

import logging
import os
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid, parseaddr
from pathlib import Path

from reportgen.config import EmailConfig
from reportgen.deliver.archive import (
    FAILED,
    REFUSED,
    SENT,
    TOO_LARGE,
    Archive,
    ReportRecord,
    sha256_file,
)
from reportgen.deliver.body import render_bodies, subject
from reportgen.errors import DeliveryError

log = logging.getLogger(__name__)

MIME_TYPES = {
    "pdf": ("application", "pdf"),
    "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": ("application", "json"),
    "html": ("text", "html"),
}


@dataclass(frozen=True)
class Outcome:
    """What happened to one recipient of one report in this run."""

    recipient: str
    status: str  # sent | refused | failed | too_large
    attempts: int
    message_id: str | None
    code: int | None = None
    error: str | None = None


def build_message(record: ReportRecord, out_dir: Path, config: EmailConfig,
                  recipients: list[str], *, lang: str, unit: str,
                  now: datetime) -> EmailMessage:
    """The message for one report: subject, text + HTML body, attachments from the archive.

    Raises ``DeliveryError`` when an attachment is missing or no longer the archived file.
    """
    msg = EmailMessage()
    msg["Subject"] = subject(record, lang)
    msg["From"] = config.sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(now)
    domain = parseaddr(config.sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(idstring=f"{record.report}.{record.period}", domain=domain)
    names = attachment_names(record, out_dir, config)
    text, html = render_bodies(record, names, lang=lang, unit=unit)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    for name in names:
        maintype, subtype = MIME_TYPES[name.rpartition(".")[2]]
        msg.add_attachment((out_dir / name).read_bytes(), maintype=maintype,
                           subtype=subtype, filename=name)
    return msg


def attachment_names(record: ReportRecord, out_dir: Path, config: EmailConfig) -> list[str]:
    """The archived files of ``record`` that ``email.attach`` asks for, checked against
    their sha256; ``DeliveryError`` when one is missing or was changed."""
    names = []
    for ext in config.attach:
        entry = record.file(ext)
        if entry is None:
            raise DeliveryError(
                f"{record.report} {record.period}: no {ext} file was made, so it cannot be "
                f"attached (email.attach lists {ext!r}); re-make it with --force"
            )
        path = out_dir / entry.name
        if not path.is_file() or sha256_file(path) != entry.sha256:
            day_after = date.fromisoformat(record.end) + timedelta(days=1)
            raise DeliveryError(
                f"{path} is missing or was changed after it was archived; not mailing it. "
                f"Re-make the report with: reportgen run --date {day_after} --force"
            )
        names.append(entry.name)
    return names


def encoded_size(msg: EmailMessage) -> int:
    """Bytes on the wire (base64 attachments, CRLF line ends): what a relay's limit counts."""
    return len(msg.as_bytes(policy=SMTP_POLICY))


class Mailer:
    """Sends messages through the configured relay, retrying what may pass on a retry."""

    def __init__(self, config: EmailConfig, *, sleep: Callable[[float], None] = time.sleep,
                 environ: dict[str, str] | None = None) -> None:
        self.config = config
        self.sleep = sleep
        self._environ = os.environ if environ is None else environ

    def _password(self) -> str | None:
        if not self.config.username:
            return None
        password = self._environ.get(self.config.password_env, "")
        if not password:
            raise DeliveryError(
                f"email.username is set but the environment variable "
                f"{self.config.password_env} (email.password_env) is empty or not set; "
                "set it in the cron or systemd environment"
            )
        return password

    def send(self, msg: EmailMessage, to_addrs: list[str]) -> tuple[dict[str, tuple[int, bytes]],
                                                                    int]:
        """Send once per recipient list; returns (refused recipients, attempts made).

        Raises ``SendFailedError`` when every attempt failed or the failure is permanent.
        """
        password = self._password()
        attempts = 0
        while True:
            attempts += 1
            try:
                return self._send_once(msg, to_addrs, password), attempts
            except smtplib.SMTPRecipientsRefused as exc:
                if not _transient(exc) or attempts > self.config.retries:
                    return dict(exc.recipients), attempts  # everyone refused: owed next run
                self._wait(msg, _scrub(str(exc), password), attempts)
            except Exception as exc:
                reason = _scrub(f"{type(exc).__name__}: {exc}", password)
                code = _code(exc)
                if not _transient(exc) or attempts > self.config.retries:
                    raise SendFailedError(reason, attempts, code) from None
                self._wait(msg, reason, attempts)

    def _wait(self, msg: EmailMessage, reason: str, attempts: int) -> None:
        delay = self.config.retry_delay * 2 ** (attempts - 1)
        log.warning("sending %s failed (%s); retry %d of %d in %.1f s",
                    msg["Subject"], reason, attempts, self.config.retries, delay)
        self.sleep(delay)

    def _send_once(self, msg: EmailMessage, to_addrs: list[str],
                   password: str | None) -> dict[str, tuple[int, bytes]]:
        cfg = self.config
        context = ssl.create_default_context(cafile=cfg.ca_file or None)
        smtp: smtplib.SMTP
        if cfg.security == "ssl":
            smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=context)
        else:
            smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        try:
            smtp.ehlo()
            if cfg.security == "starttls":
                smtp.starttls(context=context)  # SMTPNotSupportedError when not offered
                smtp.ehlo()
            if password is not None:
                smtp.login(cfg.username, password)
            sender = parseaddr(cfg.sender)[1]
            return smtp.send_message(msg, from_addr=sender, to_addrs=to_addrs)
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()  # the message is already accepted or already failed


class SendFailedError(Exception):
    """Every attempt to send failed (or the failure was permanent)."""

    def __init__(self, reason: str, attempts: int, code: int | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.attempts = attempts
        self.code = code


def deliver(record: ReportRecord, recipients: list[str], *, archive: Archive,
            mailer: Mailer, lang: str, unit: str, now: Callable[[], datetime]) -> list[Outcome]:
    """Mail one report to ``recipients`` and record each outcome in the manifest at once."""
    cfg = mailer.config
    outcomes: list[Outcome]
    message_id = None
    try:
        try:
            msg = build_message(record, archive.out_dir, cfg,
                                list(record.recipients) or recipients, lang=lang, unit=unit,
                                now=now())
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            # a record this version cannot turn into a message (a hand-edited manifest):
            # one failed delivery, not a crash of this and every later run
            raise DeliveryError(
                f"{record.report} {record.period}: the manifest record cannot be mailed "
                f"({type(exc).__name__}: {exc}); re-make the report with --force") from None
        message_id = str(msg["Message-ID"])
        size = encoded_size(msg)
        if size > cfg.max_bytes:
            reason = (f"the message is {size:,} bytes encoded, over email.max_bytes "
                      f"({cfg.max_bytes:,}); nothing was sent. Attach fewer formats "
                      "(email.attach) or raise the limit if the relay allows it")
            outcomes = [Outcome(r, TOO_LARGE, 0, None, None, reason) for r in recipients]
        else:
            refused, attempts = mailer.send(msg, recipients)
            outcomes = [_outcome(r, refused, attempts, message_id) for r in recipients]
    except SendFailedError as exc:
        outcomes = [Outcome(r, FAILED, exc.attempts, None, exc.code, exc.reason)
                    for r in recipients]
    except DeliveryError as exc:
        outcomes = [Outcome(r, FAILED, 0, None, None, str(exc)) for r in recipients]
    stamp = now()
    for o in outcomes:
        archive.record_delivery(record, o.recipient, o.status, attempts=o.attempts,
                                message_id=o.message_id, time=stamp, code=o.code,
                                error=o.error)
        if o.status == SENT:
            log.info("sent %s %s to %s (%s)", record.report, record.period, o.recipient,
                     o.message_id)
        else:
            log.error("%s %s not delivered to %s: %s %s", record.report, record.period,
                      o.recipient, o.status, o.error or "")
    return outcomes


def _outcome(recipient: str, refused: dict[str, tuple[int, bytes]], attempts: int,
             message_id: str) -> Outcome:
    if recipient in refused:
        code, text = refused[recipient]
        return Outcome(recipient, REFUSED, attempts, None, code,
                       text.decode(errors="replace") if isinstance(text, bytes) else str(text))
    return Outcome(recipient, SENT, attempts, message_id)


def _code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPResponseException):
        return int(exc.smtp_code)
    return None


def _transient(exc: BaseException) -> bool:
    """Worth another try within this run: the network, a busy relay, a 4xx reply."""
    if isinstance(exc, ssl.SSLError | ssl.CertificateError | smtplib.SMTPNotSupportedError):
        return False  # an unverifiable certificate does not get better by retrying
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    return isinstance(exc, OSError)  # refused connection, timeout, DNS


def _scrub(text: str, password: str | None) -> str:
    return text.replace(password, "***") if password else text
