"""deliver/email.py and deliver/body.py against a real SMTP server (aiosmtpd on 127.0.0.1).

The message is built from a manifest record and archived files, as a retry in a later run
builds it, so these tests need no ledger.
"""

from __future__ import annotations

import dataclasses
import email
import ssl
from datetime import date, datetime
from email.header import decode_header, make_header
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from mailserver import Handler, free_port, make_certificate, smtp_server

from reportgen.config import EmailConfig, RecipientsConfig
from reportgen.deliver.archive import Archive, ReportRecord, file_entry
from reportgen.deliver.body import period_label, render_bodies, subject
from reportgen.deliver.email import Mailer, build_message, deliver, encoded_size
from reportgen.errors import DeliveryError

TZ = ZoneInfo("Asia/Shanghai")
TEAM, RISK = "credit-team@bank.example", "risk@bank.example"
PASSWORD = "s3cret-Pa55-xyz"


def now() -> datetime:
    return datetime(2026, 11, 1, 1, 5, tzinfo=TZ)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    out = tmp_path / "reports"
    out.mkdir()
    (out / "monthly_2026-10.pdf").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 40)
    (out / "monthly_2026-10.json").write_text('{"report": "monthly"}\n', encoding="utf-8")
    return Archive(out)


def make_record(archive: Archive, recipients: tuple[str, ...] = (TEAM, RISK),
                breached: list[dict[str, Any]] | None = None) -> ReportRecord:
    files = tuple(file_entry(archive.out_dir / n, archive.out_dir)
                  for n in ("monthly_2026-10.pdf", "monthly_2026-10.json"))
    record = ReportRecord(
        report="monthly", period="2026-10", start="2026-10-01", end="2026-10-31",
        files=files, ledger_sha256="ab" * 32, version="0.1.0",
        time="2026-11-01T01:05:00+08:00", recipients=recipients,
        figures={"bank": "示例农村商业银行", "branch": "城东支行", "balance": "123456789.01",
                 "balance_year_start": "100000000.00", "npl": "2500000.00",
                 "npl_ratio": "2500000/123456789", "breached": breached or []},
    )
    archive.record_report(record)
    return record


def email_config(port: int, **changes: Any) -> EmailConfig:
    base = EmailConfig(host="127.0.0.1", port=port, security="none",
                       sender="信贷报表 <reports@bank.example>", attach=("pdf",),
                       retry_delay=0.0, timeout=5.0,
                       recipients=RecipientsConfig(monthly=(TEAM, RISK)))
    return dataclasses.replace(base, **changes)


def send(record: ReportRecord, archive: Archive, config: EmailConfig, to: list[str],
         **mailer: Any) -> list[Any]:
    return deliver(record, to, archive=archive, mailer=Mailer(config, **mailer), lang="zh",
                   unit="wan", now=now)


def test_subject_body_and_attachment(archive: Archive) -> None:
    record = make_record(archive, breached=[{"key": "npl_ratio", "value": "3/50",
                                             "limit": "1/20", "direction": "max"}])
    config = email_config(25, attach=("pdf", "json"))
    msg = build_message(record, archive.out_dir, config, [TEAM, RISK], lang="zh",
                        unit="wan", now=now())
    wire = msg.as_bytes()
    assert b"\xe4" not in wire.split(b"\n\n", 1)[0]  # headers are 7-bit (RFC 2047)
    raw_subject = wire.split(b"Subject: ", 1)[1].split(b"\nFrom", 1)[0].decode()
    assert str(make_header(decode_header(raw_subject))) == (
        "【信贷业务月报】示例农村商业银行城东支行 2026年10月")
    body = msg.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "贷款余额: 12,345.68 (比年初 +2,345.68)" in text  # 万元, rounded half up
    assert "不良贷款率: 2.03%" in text
    assert "不良贷款率: 6.00% (上限 5.00%)" in text
    html = msg.get_body(("html",))
    assert html is not None
    assert "<td align=\"right\">12,345.68</td>" in html.get_content()
    attachments = {a.get_filename(): a.get_content() for a in msg.iter_attachments()}
    assert attachments == {
        "monthly_2026-10.pdf": (archive.out_dir / "monthly_2026-10.pdf").read_bytes(),
        "monthly_2026-10.json": (archive.out_dir / "monthly_2026-10.json").read_bytes(),
    }
    assert encoded_size(msg) > len(attachments["monthly_2026-10.pdf"])


def test_labels_of_every_period_and_html_escaping(archive: Archive) -> None:
    assert period_label("dekad", date(2026, 10, 21), "zh") == "2026年10月下旬"
    assert period_label("dekad", date(2026, 2, 1), "zh") == "2026年2月上旬"
    assert period_label("quarterly", date(2026, 10, 1), "zh") == "2026年第四季度"
    assert period_label("yearly", date(2026, 1, 1), "zh") == "2026年度"
    record = make_record(archive)
    assert subject(record, "en") == (
        "[Credit Business Monthly Report] 示例农村商业银行 城东支行 October 2026")
    evil = dataclasses.replace(record, figures={**record.figures, "branch": "<b>x</b>"})
    text, html = render_bodies(evil, ["a.pdf"], lang="zh", unit="yuan")
    assert "<b>x</b>" in text
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "超限指标: 无" in text


def test_sent_to_each_recipient_once_and_recorded(archive: Archive) -> None:
    record = make_record(archive)
    with smtp_server() as server:
        outcomes = send(record, archive, email_config(server.port), [TEAM, RISK])
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert len(server.handler.messages) == 1  # one message, two envelope recipients
    received = server.handler.messages[0]
    assert received.mail_from == "reports@bank.example"
    assert sorted(received.rcpt_tos) == sorted([TEAM, RISK])
    assert received.message["Message-ID"].strip() == outcomes[0].message_id
    assert archive.pending(lambda _r: (TEAM, RISK)) == []
    assert archive.sent_to("monthly", "2026-10") == {TEAM, RISK}


def test_refused_recipient_is_owed_to_the_next_run_only(archive: Archive) -> None:
    record = make_record(archive)
    with smtp_server(handler=Handler(refuse={RISK})) as server:
        outcomes = send(record, archive, email_config(server.port), [TEAM, RISK])
        assert {o.recipient: o.status for o in outcomes} == {TEAM: "sent", RISK: "refused"}
        assert outcomes[1].code == 550
        assert [m.rcpt_tos for m in server.handler.messages] == [[TEAM]]
        pending = archive.pending(lambda _r: (TEAM, RISK))
        assert [(r.period, owed) for r, owed in pending] == [("2026-10", [RISK])]
        server.handler.refuse.clear()  # the mailbox is fixed before the next run
        for rec, owed in archive.pending(lambda _r: (TEAM, RISK)):
            send(rec, archive, email_config(server.port), owed)
        assert len(server.handler.received_by(TEAM)) == 1
        assert len(server.handler.received_by(RISK)) == 1
    assert archive.pending(lambda _r: (TEAM, RISK)) == []


def test_recipient_removed_from_config_is_no_longer_owed(archive: Archive) -> None:
    make_record(archive)
    assert [owed for _, owed in archive.pending(lambda _r: (TEAM,))] == [[TEAM]]


def test_everyone_refused_is_recorded_not_raised(archive: Archive) -> None:
    record = make_record(archive)
    with smtp_server(handler=Handler(refuse={TEAM, RISK})) as server:
        outcomes = send(record, archive, email_config(server.port), [TEAM, RISK])
    assert [(o.status, o.code) for o in outcomes] == [("refused", 550)] * 2
    assert server.handler.messages == []


def test_server_down_is_retried_with_doubling_delays_then_failed(archive: Archive) -> None:
    record = make_record(archive)
    delays: list[float] = []
    config = email_config(free_port(), retries=3, retry_delay=0.5)
    outcomes = send(record, archive, config, [TEAM], sleep=delays.append)
    assert delays == [0.5, 1.0, 2.0]
    assert (outcomes[0].status, outcomes[0].attempts) == ("failed", 4)
    assert "ConnectionRefusedError" in (outcomes[0].error or "")
    assert [owed for _, owed in archive.pending(lambda _r: (TEAM,))] == [[TEAM]]


def test_transient_failure_succeeds_on_retry(archive: Archive) -> None:
    record = make_record(archive)
    port = free_port()
    servers: list[Any] = []

    def start_server(_delay: float) -> None:  # the relay comes back during the backoff
        cm = smtp_server(port=port)
        servers.append((cm, cm.__enter__()))

    try:
        outcomes = send(record, archive, email_config(port), [TEAM], sleep=start_server)
        assert (outcomes[0].status, outcomes[0].attempts) == ("sent", 2)
        assert len(servers[0][1].handler.messages) == 1
    finally:
        for cm, _ in servers:
            cm.__exit__(None, None, None)


def test_a_4xx_reply_is_retried_within_the_run(archive: Archive) -> None:
    record = make_record(archive)
    delays: list[float] = []
    with smtp_server(handler=Handler(busy=2)) as server:
        config = email_config(server.port, retries=3, retry_delay=1.0)
        outcome = send(record, archive, config, [TEAM], sleep=delays.append)[0]
    assert (outcome.status, outcome.attempts) == ("sent", 3)
    assert delays == [1.0, 2.0]
    assert len(server.handler.messages) == 1


def test_a_5xx_reply_is_not_retried(archive: Archive) -> None:
    record = make_record(archive)
    with smtp_server(handler=Handler(refuse={TEAM})) as server:
        outcome = send(record, archive, email_config(server.port, retries=3), [TEAM])[0]
    assert (outcome.status, outcome.attempts, outcome.code) == ("refused", 1, 550)


def test_starttls_with_ca_file_works_and_without_fails_closed(archive: Archive,
                                                             tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    record = make_record(archive)
    with smtp_server(certificate=(cert, key)) as server:
        config = email_config(server.port, security="starttls", ca_file=str(cert))
        assert send(record, archive, config, [TEAM])[0].status == "sent"
        delays: list[float] = []
        untrusted = email_config(server.port, security="starttls", retries=3)
        outcome = send(record, archive, untrusted, [RISK], sleep=delays.append)[0]
        assert outcome.status == "failed"
        assert outcome.attempts == 1
        assert delays == []
        assert "CERTIFICATE_VERIFY_FAILED" in (outcome.error or "")
        assert len(server.handler.messages) == 1  # only the verified one


def test_starttls_not_offered_fails_closed(archive: Archive) -> None:
    record = make_record(archive)
    with smtp_server() as server:  # a plain server: no STARTTLS in its EHLO
        outcome = send(record, archive, email_config(server.port, security="starttls"),
                       [TEAM])[0]
    assert outcome.status == "failed"
    assert "SMTPNotSupportedError" in (outcome.error or "")
    assert server.handler.messages == []


def test_implicit_tls(archive: Archive, tmp_path: Path) -> None:
    from aiosmtpd.controller import Controller

    cert, key = make_certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    handler, port = Handler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context)
    controller.start()
    try:
        config = email_config(port, security="ssl", ca_file=str(cert))
        assert send(make_record(archive), archive, config, [TEAM])[0].status == "sent"
    finally:
        controller.stop()
    assert len(handler.messages) == 1


def test_login_with_password_from_the_environment(archive: Archive, tmp_path: Path) -> None:
    cert, key = make_certificate(tmp_path)
    record = make_record(archive)
    with smtp_server(certificate=(cert, key), login=("reports", PASSWORD)) as server:
        config = email_config(server.port, security="starttls", ca_file=str(cert),
                              username="reports", password_env="TEST_SMTP_PW")
        ok = send(record, archive, config, [TEAM], environ={"TEST_SMTP_PW": PASSWORD})
        assert ok[0].status == "sent"
        assert server.handler.logins == ["reports"]
        bad = send(record, archive, config, [RISK], environ={"TEST_SMTP_PW": PASSWORD + "x"})
        assert bad[0].status == "failed"
        assert bad[0].code == 535
        assert PASSWORD not in (bad[0].error or "")
        unset = send(record, archive, config, [RISK], environ={})
        assert "TEST_SMTP_PW" in (unset[0].error or "")
        assert unset[0].attempts == 0
    assert PASSWORD not in archive.path.read_text(encoding="utf-8")


def test_too_large_sends_nothing(archive: Archive) -> None:
    record = make_record(archive)
    with smtp_server() as server:
        outcomes = send(record, archive, email_config(server.port, max_bytes=5000),
                        [TEAM, RISK])
    assert [o.status for o in outcomes] == ["too_large", "too_large"]
    assert "email.max_bytes" in (outcomes[0].error or "")
    assert server.handler.messages == []


def test_changed_or_unmade_attachment_is_not_mailed(archive: Archive) -> None:
    record = make_record(archive)
    with pytest.raises(DeliveryError, match="no xlsx file was made"):
        build_message(record, archive.out_dir, email_config(25, attach=("xlsx",)), [TEAM],
                      lang="zh", unit="wan", now=now())
    (archive.out_dir / "monthly_2026-10.pdf").write_bytes(b"%PDF replaced by hand")
    with smtp_server() as server:
        outcome = send(record, archive, email_config(server.port), [TEAM])[0]
    assert outcome.status == "failed"
    assert "changed after it was archived" in (outcome.error or "")
    assert server.handler.messages == []


@pytest.mark.parametrize(("bank", "branch", "zh", "en"), [
    ("甲银行\r\nBcc: x@evil.example", "城东支行",
     "【信贷业务月报】甲银行 Bcc: x@evil.example城东支行 2026年10月",
     "[Credit Business Monthly Report] 甲银行 Bcc: x@evil.example 城东支行 October 2026"),
    ("甲\n银行", "", "【信贷业务月报】甲 银行 2026年10月",
     "[Credit Business Monthly Report] 甲 银行 October 2026"),
    ("甲银行\x00", "\u2028城东", "【信贷业务月报】甲银行城东 2026年10月",
     "[Credit Business Monthly Report] 甲银行 城东 October 2026"),
    ("", "", "【信贷业务月报】2026年10月", "[Credit Business Monthly Report] October 2026"),
    (None, None, "【信贷业务月报】2026年10月", "[Credit Business Monthly Report] October 2026"),
])
def test_a_record_from_before_the_config_check_still_makes_a_one_line_subject(
        archive: Archive, bank: str | None, branch: str | None, zh: str, en: str) -> None:
    """A manifest written before control characters were refused must not break every run."""
    record = make_record(archive)
    old = dataclasses.replace(record, figures={**record.figures, "bank": bank,
                                               "branch": branch})
    assert subject(old, "zh") == zh
    assert subject(old, "en") == en
    msg = build_message(old, archive.out_dir, email_config(25), [TEAM], lang="zh",
                        unit="wan", now=now())
    parsed = email.message_from_bytes(msg.as_bytes())
    assert "Bcc" not in parsed
    assert sorted(parsed.keys())[:3] == ["Content-Type", "Date", "From"]
    assert str(msg["Subject"]) == zh


@pytest.mark.parametrize("figures", [{}, {"balance": "x"}, {"balance": None},
                                     {"bank": "甲", "balance": "1", "balance_year_start": "1",
                                      "npl": "1", "npl_ratio": "1/0"}])
def test_a_record_that_cannot_become_a_message_is_a_failed_delivery_not_a_crash(
        archive: Archive, figures: dict[str, Any]) -> None:
    record = dataclasses.replace(make_record(archive), figures=figures)
    outcomes = send(record, archive, email_config(9), [TEAM])
    assert [(o.status, o.attempts) for o in outcomes] == [("failed", 0)]
    assert "cannot be mailed" in (outcomes[0].error or "")
    assert archive.records()[-1]["status"] == "failed"


def test_mail_bodies_run_in_the_sandbox_and_drop_control_characters(archive: Archive) -> None:
    from reportgen.deliver import body
    from reportgen.render.sandbox import ReportSandbox

    assert isinstance(body._ENV, ReportSandbox)
    assert isinstance(body._TEXT.environment, ReportSandbox)
    record = make_record(archive)
    odd = dataclasses.replace(record, figures={**record.figures, "branch": "城\x00东\x1b支\x85行"})
    text, html = render_bodies(odd, ["a.pdf"], lang="zh", unit="yuan")
    assert "城东支行" in text
    assert "城东支行" in html
    assert "\x00" not in text + html
    assert "\x1b" not in text + html
