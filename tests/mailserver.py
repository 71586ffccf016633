"""A real SMTP server for the delivery tests: aiosmtpd's Controller on 127.0.0.1.

``smtp_server()`` starts one on a free port (aiosmtpd cannot pick one itself) with a
handler that keeps every accepted message, refuses chosen recipients with 550, and can
offer STARTTLS with a self-signed certificate made by ``make_certificate`` (the openssl
command line; the ``cryptography`` package is not a dependency).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.data, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Handler:
    """Records accepted messages; refuses the addresses in ``refuse`` with 550 and answers
    the first ``busy`` messages with 451."""

    refuse: set[str] = field(default_factory=set)
    busy: int = 0  # answer DATA with 451 (try again later) this many times first
    messages: list[Received] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.busy > 0:
            self.busy -= 1
            return "451 4.3.0 busy, try again later"
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      bytes(envelope.content)))
        return "250 Message accepted"

    def received_by(self, address: str) -> list[EmailMessage]:
        return [m.message for m in self.messages if address in m.rcpt_tos]


@dataclass
class Server:
    port: int
    handler: Handler


class PasswordCheck:
    """An aiosmtpd authenticator accepting one username/password pair."""

    def __init__(self, username: str, password: str, handler: Handler) -> None:
        self.username, self.password, self.handler = username, password, handler

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str,
                 auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            ok = (auth_data.login.decode() == self.username
                  and auth_data.password.decode() == self.password)
            if ok:
                self.handler.logins.append(self.username)
            return AuthResult(success=ok, handled=False)  # handled=False: reply 535
        return AuthResult(success=False, handled=False)


@contextlib.contextmanager
def smtp_server(*, handler: Handler | None = None, port: int | None = None,
                certificate: tuple[Path, Path] | None = None,
                login: tuple[str, str] | None = None) -> Iterator[Server]:
    """Run an SMTP server on 127.0.0.1 for the ``with`` block."""
    handler = handler or Handler()
    kwargs: dict[str, Any] = {}
    if certificate is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(certificate[0]), str(certificate[1]))
        kwargs.update(tls_context=context, require_starttls=True)
    if login is not None:
        # LOGIN is left out: smtplib sends it with an initial response that aiosmtpd 1.4
        # does not expect, and the session hangs until the timeout; PLAIN is what relays use.
        kwargs.update(authenticator=PasswordCheck(*login, handler), auth_required=True,
                      auth_exclude_mechanism=["LOGIN"])
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server(port, handler)
    finally:
        controller.stop()


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 / localhost: (cert.pem, key.pem)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )
    return cert, key
