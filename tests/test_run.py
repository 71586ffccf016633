"""``reportgen run`` end to end: ledger → reports → manifest → mail, against a real SMTP
server (aiosmtpd on 127.0.0.1), through click's CliRunner and as a real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mailserver import Handler, free_port, make_certificate, smtp_server
from runsetup import BOSS, PASSWORD, RISK, TEAM, write_bank_ledger, write_config

from reportgen.cli import main
from reportgen.cli_schedule import CRON_EXAMPLE
from reportgen.config import load_config
from reportgen.deliver.archive import Archive, sha256_file
from reportgen.runner import run

REPORTGEN = Path(sys.executable).parent / "reportgen"
SUBJECT_D3 = "【信贷业务旬报】示例农村商业银行城东支行 2026年10月下旬"
SUBJECT_M10 = "【信贷业务月报】示例农村商业银行城东支行 2026年10月"


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder like /srv/reports: ledger/ and (per test) reportgen.toml; the cwd."""
    write_bank_ledger(tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def manifest(bank: Path, kind: str) -> list[dict[str, object]]:
    return [r for r in Archive(bank / "reports").records() if r["kind"] == kind]


def subjects(handler: Handler, address: str) -> list[str]:
    return sorted(str(m["Subject"]) for m in handler.received_by(address))


def attachment(msg: EmailMessage) -> tuple[str | None, bytes]:
    part = next(iter(msg.iter_attachments()))
    return part.get_filename(), part.get_content()


def test_run_help_prints_the_crontab_line() -> None:
    result = invoke("run", "--help")
    assert CRON_EXAMPLE in result.output
    assert "5 1 * * * cd /srv/reports && reportgen run --catch-up >>run.log 2>&1" in result.output


def test_run_without_a_config_file_exits_2(bank: Path) -> None:
    result = invoke("run", "--date", "2026-11-01")
    assert result.exit_code == 2
    assert "needs a configuration file with a [ledger] table" in result.output
    assert not (bank / "reports").exists()


def test_run_makes_dekad_and_monthly_and_mails_each(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-11-01")
        assert result.exit_code == 0, result.output
        handler = server.handler
    assert subjects(handler, TEAM) == sorted([SUBJECT_D3, SUBJECT_M10])
    assert subjects(handler, RISK) == [SUBJECT_M10]
    assert handler.received_by(BOSS) == []
    records = {r["period"]: r for r in manifest(bank, "report")}
    assert set(records) == {"2026-10-D3", "2026-10"}
    for msg in handler.received_by(TEAM):
        name, data = attachment(msg)
        period = "2026-10-D3" if "旬报" in str(msg["Subject"]) else "2026-10"
        archived = bank / "reports" / str(name)
        assert data == archived.read_bytes()  # the attachment is the archived file
        assert records[period]["files"] == [
            {"name": name, "sha256": sha256_file(archived), "bytes": len(data)}]
        body = msg.get_body(("plain",))
        assert body is not None
        assert "贷款余额: 135.00 (比年初 +15.00)" in body.get_content()
    report = json.loads((bank / "reports" / "monthly_2026-10.json").read_text("utf-8"))
    assert report["sections"]["summary"]["balance"] == "1350000.00"
    assert records["2026-10"]["ledger_sha256"] == report["ledger_sha256"]
    assert "made monthly 2026-10" in result.output
    assert f"sent monthly 2026-10 to {RISK}" in (
        result.output)
    sent = [(d["period"], d["recipient"]) for d in manifest(bank, "delivery")]
    assert sorted(sent) == sorted([("2026-10-D3", TEAM), ("2026-10", TEAM), ("2026-10", RISK)])
    assert [r["date"] for r in manifest(bank, "run")] == ["2026-11-01"]


def test_second_run_the_same_day_makes_and_sends_nothing(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-11-01").exit_code == 0
        first = (bank / "reports" / "monthly_2026-10.json").stat().st_mtime_ns
        result = invoke("run", "--date", "2026-11-01", "--catch-up")
        assert result.exit_code == 0, result.output
        assert len(server.handler.messages) == 2
    assert "0 made, 2 already made" in result.output
    assert (bank / "reports" / "monthly_2026-10.json").stat().st_mtime_ns == first
    assert len(manifest(bank, "report")) == 2


def test_catch_up_after_a_25_day_gap_makes_exactly_the_missed_reports(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-10-07").exit_code == 0  # nothing due that day
        plain = invoke("run", "--date", "2026-11-01")  # the missed ones are not made
        assert "2 made" in plain.output
        result = invoke("run", "--date", "2026-11-01", "--catch-up")
        assert result.exit_code == 0, result.output
        again = invoke("run", "--date", "2026-11-02", "--catch-up")
        assert "0 made" in again.output
        handler = server.handler
    made = [(r["report"], r["period"]) for r in manifest(bank, "report")]
    assert made == [("dekad", "2026-10-D3"), ("monthly", "2026-10"),
                    ("dekad", "2026-10-D1"), ("dekad", "2026-10-D2")]
    assert subjects(handler, TEAM) == sorted(
        [SUBJECT_M10] + [f"【信贷业务旬报】示例农村商业银行城东支行 2026年10月{x}旬"
                         for x in "上中下"])
    assert subjects(handler, RISK) == [SUBJECT_M10]


def test_refused_recipient_gets_it_next_run_and_nobody_twice(bank: Path) -> None:
    with smtp_server(handler=Handler(refuse={RISK})) as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-11-01")
        assert result.exit_code == 4, result.output
        assert f"monthly 2026-10 to {RISK}: refused (550)" in result.output
        assert subjects(server.handler, TEAM) == sorted([SUBJECT_D3, SUBJECT_M10])
        assert server.handler.received_by(RISK) == []
        server.handler.refuse.clear()
        result = invoke("run", "--date", "2026-11-02")
        assert result.exit_code == 0, result.output
        assert subjects(server.handler, RISK) == [SUBJECT_M10]
        assert subjects(server.handler, TEAM) == sorted([SUBJECT_D3, SUBJECT_M10])
        assert invoke("run", "--date", "2026-11-03").exit_code == 0
        assert len(server.handler.messages) == 3


def test_server_down_archives_exits_4_and_the_next_run_delivers(bank: Path) -> None:
    port = free_port()
    write_config(bank, port)
    result = invoke("run", "--date", "2026-11-01")
    assert result.exit_code == 4, result.output
    assert "ConnectionRefusedError" in result.output
    assert "the next run retries" in result.output
    assert (bank / "reports" / "monthly_2026-10.json").exists()
    assert len(manifest(bank, "report")) == 2
    with smtp_server(port=port) as server:
        result = invoke("run", "--date", "2026-11-02")
        assert result.exit_code == 0, result.output
        assert invoke("run", "--date", "2026-11-02").exit_code == 0
    assert subjects(server.handler, TEAM) == sorted([SUBJECT_D3, SUBJECT_M10])
    assert subjects(server.handler, RISK) == [SUBJECT_M10]


def test_ledger_with_errors_makes_nothing_and_exits_3(bank: Path) -> None:
    write_bank_ledger(bank / "ledger", broken=True)
    with smtp_server() as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-11-01")
    assert result.exit_code == 3, result.output
    assert not list((bank / "reports").glob("*.json"))
    assert manifest(bank, "report") == []
    assert manifest(bank, "run") == []
    assert server.handler.messages == []


def test_no_email_archives_and_never_mails_unless_forced(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-11-01", "--no-email")
        assert result.exit_code == 0
        assert "email: off" in result.output
        assert invoke("run", "--date", "2026-11-02").exit_code == 0
        assert server.handler.messages == []
        result = invoke("run", "--date", "2026-11-01", "--force")
        assert result.exit_code == 0
        assert "2 made" in result.output
        assert len(server.handler.messages) == 2
        assert invoke("run", "--date", "2026-11-01", "--force").exit_code == 0
        assert len(server.handler.messages) == 4  # --force re-sends, on purpose


def test_today_is_taken_in_the_configured_time_zone(bank: Path) -> None:
    """01:30 in Shanghai on 1 November is still 31 October in UTC: the reports are due."""
    write_config(bank, free_port())
    clock = datetime(2026, 10, 31, 17, 30, tzinfo=UTC)
    result = run(load_config(None), email=False, clock=lambda: clock)
    assert result.today.isoformat() == "2026-11-01"
    assert [m.due.period for m in result.made] == ["2026-10-D3", "2026-10"]


def test_pdf_attachment_is_the_archived_pdf(bank: Path) -> None:
    pytest.importorskip("reportgen.render.pdf")
    with smtp_server() as server:
        write_config(bank, server.port, formats=["pdf", "json"], attach=["pdf"],
                     reports=["monthly"])
        result = invoke("run", "--date", "2026-11-01")
        assert result.exit_code == 0, result.output
    (msg,) = server.handler.received_by(RISK)
    name, data = attachment(msg)
    assert name == "monthly_2026-10.pdf"
    assert data.startswith(b"%PDF")
    assert data == (bank / "reports" / "monthly_2026-10.pdf").read_bytes()


def test_password_never_appears_in_output_logs_or_manifest(bank: Path) -> None:
    """A real subprocess with -vv and --log-file, STARTTLS with the CA file, a login."""
    cert, key = make_certificate(bank)
    env = {**os.environ, "REPORTGEN_SMTP_PASSWORD": PASSWORD}
    with smtp_server(certificate=(cert, key), login=("reports", PASSWORD)) as server:
        write_config(bank, server.port, security="starttls", ca_file=str(cert),
                     username="reports")
        ok = subprocess.run([str(REPORTGEN), "-vv", "--log-file", "run.log", "run", "--date",
                             "2026-11-01"], cwd=bank, env=env, capture_output=True,
                            text=True, timeout=120, check=False)
        assert ok.returncode == 0, ok.stderr
        assert server.handler.logins == ["reports", "reports"]
        env["REPORTGEN_SMTP_PASSWORD"] = PASSWORD + "-wrong"
        bad = subprocess.run([str(REPORTGEN), "-vv", "--log-file", "run.log", "run", "--date",
                              "2026-11-01", "--force"], cwd=bank, env=env,
                             capture_output=True, text=True, timeout=120, check=False)
        assert bad.returncode == 4
        assert "535" in bad.stderr
    assert len(server.handler.messages) == 2
    texts = [ok.stdout, ok.stderr, bad.stdout, bad.stderr,
             (bank / "run.log").read_text("utf-8"),
             (bank / "reports" / "manifest.jsonl").read_text("utf-8")]
    assert "INFO" in texts[4]
    assert "sent monthly 2026-10" in texts[4]
    for text in texts:
        assert PASSWORD not in text


def test_docs_describe_the_cron_line_timer_and_every_exit_status() -> None:
    docs = Path(__file__).resolve().parent.parent / "docs"
    scheduling = (docs / "scheduling.md").read_text(encoding="utf-8")
    assert CRON_EXAMPLE in scheduling
    assert "OnCalendar=" in scheduling
    assert "Persistent=true" in scheduling
    for status in (0, 1, 2, 3, 4, 5):
        assert f"\n| {status} |" in scheduling, f"exit status {status} undocumented"
    mail = (docs / "email.md").read_text(encoding="utf-8")
    for key in ("host", "port", "security", "ca_file", "username", "password_env", "sender",
                "attach", "max_bytes", "retries", "retry_delay", "timeout"):
        assert f"{key} = " in mail, f"email.{key} missing from docs/email.md"


@pytest.mark.parametrize("command", ["run", "periods"])
def test_help_explains_every_option_with_an_example(command: str) -> None:
    """interface.md: `--help` on every command explains every option with an example."""
    import click

    result = invoke(command, "--help")
    assert "Example:" in result.output
    assert f"reportgen {command} " in result.output
    for param in main.commands[command].params:  # type: ignore[attr-defined]
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help
            assert "e.g." in param.help, f"{command} {param.opts}"


# -- stale and early periods (reportgen/datadate.py) ------------------------------------------


def test_a_stale_export_makes_nothing_and_a_rerun_on_a_fresh_one_makes_it(bank: Path) -> None:
    write_bank_ledger(bank / "ledger", until="2026-10-30")  # 31 Oct is not exported yet
    with smtp_server() as server:
        write_config(bank, server.port)
        stale = invoke("run", "--date", "2026-11-01")
        assert stale.exit_code == 0, stale.output  # the normal morning before the export
        assert "2 due, 0 made" in stale.output
        for report, period in (("dekad", "2026-10-D3"), ("monthly", "2026-10")):
            line = (f"not made {report} {period}: {report} {period} ends on 2026-10-31, "
                    "after the ledger's data date 2026-10-30")
            assert line in stale.output
            assert f"WARNING reportgen.runner: not made: {report} {period} ends on " in (
                stale.stderr)
        assert not list((bank / "reports").glob("*.json"))
        assert manifest(bank, "report") == []
        assert server.handler.messages == []
        write_bank_ledger(bank / "ledger")  # the export of 31 Oct lands
        fresh = invoke("run", "--date", "2026-11-01")  # cron's retry, the same morning
        assert fresh.exit_code == 0, fresh.output
        assert "2 made" in fresh.output
        assert subjects(server.handler, TEAM) == sorted([SUBJECT_D3, SUBJECT_M10])
    assert [(r["report"], r["period"]) for r in manifest(bank, "report")] == [
        ("dekad", "2026-10-D3"), ("monthly", "2026-10")]


def test_a_period_skipped_as_stale_is_made_by_the_next_days_catch_up(bank: Path) -> None:
    write_bank_ledger(bank / "ledger", until="")  # data date 2026-10-25
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-10-21").exit_code == 0  # 2026-10-D2 made
        stale = invoke("run", "--date", "2026-11-01", "--catch-up")
        assert "0 made" in stale.output
        assert "data date 2026-10-25" in stale.output
        write_bank_ledger(bank / "ledger")
        later = invoke("run", "--date", "2026-11-02", "--catch-up")
        assert later.exit_code == 0, later.output
        assert "made dekad 2026-10-D3" in later.output
        assert "made monthly 2026-10" in later.output
        again = invoke("run", "--date", "2026-11-03", "--catch-up")
        assert "0 made" in again.output
        assert sorted(subjects(server.handler, RISK)) == [SUBJECT_M10]
    made = [(r["report"], r["period"]) for r in manifest(bank, "report")]
    assert made == [("dekad", "2026-10-D2"), ("dekad", "2026-10-D3"), ("monthly", "2026-10")]


def test_as_of_declares_a_quiet_last_week_complete(bank: Path) -> None:
    write_bank_ledger(bank / "ledger", until="")  # nothing moved after 2026-10-25
    with smtp_server() as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-11-01", "--as-of", "2026-10-31")
        assert result.exit_code == 0, result.output
        assert "2 made" in result.output
        report = json.loads((bank / "reports" / "monthly_2026-10.json").read_text("utf-8"))
        assert report["sections"]["summary"]["balance"] == "1350000.00"
        too_early = invoke("run", "--date", "2026-11-01", "--force", "--as-of", "2026-10-20")
        assert too_early.exit_code == 3, too_early.output  # L3's interest of 25 Oct is after
    assert "transactions.csv, row 7, column date: dated after the data date 2026-10-20" in (
        too_early.stderr)


def test_a_period_before_the_ledger_is_skipped_with_a_warning_once(bank: Path) -> None:
    # The ledger begins on 2025-06-01 (L1): May 2025 cannot be reported from it.
    with smtp_server() as server:
        write_config(bank, server.port, reports=["monthly"])
        result = invoke("run", "--date", "2025-06-01")
        assert result.exit_code == 0, result.output
        assert ("not made monthly 2025-05: monthly 2025-05 starts on 2025-05-01, before the "
                "ledger's first date 2025-06-01") in result.output
        again = invoke("run", "--date", "2025-06-02", "--catch-up")  # not retried
        assert "0 due" in again.output
        assert server.handler.messages == []
    assert manifest(bank, "report") == []


def test_a_year_start_before_the_ledger_is_a_dash_in_the_mail(bank: Path) -> None:
    # The ledger begins on 2025-06-01: for July 2025 the year start (2024-12-31) is unknown.
    with smtp_server() as server:
        write_config(bank, server.port, reports=["monthly"])
        result = invoke("run", "--date", "2025-08-01")
        assert result.exit_code == 0, result.output
        (msg,) = server.handler.received_by(TEAM)
    body = msg.get_body(("plain",))
    assert body is not None
    assert "贷款余额: 100.00 (比年初 —)" in body.get_content()  # L1's 1,000,000 in 万元
    (record,) = manifest(bank, "report")
    assert record["figures"]["balance_year_start"] is None  # type: ignore[index]


def test_a_first_run_on_a_stale_export_still_anchors_the_catch_up(bank: Path) -> None:
    write_bank_ledger(bank / "ledger", until="2026-10-30")
    with smtp_server() as server:
        write_config(bank, server.port)
        first = invoke("run", "--date", "2026-11-01", "--catch-up")  # the very first run
        assert "0 made" in first.output
        write_bank_ledger(bank / "ledger")
        assert "2 made" in invoke("run", "--date", "2026-11-02", "--catch-up").output
        assert subjects(server.handler, TEAM) == sorted([SUBJECT_D3, SUBJECT_M10])


def test_the_cron_line_on_a_stale_then_a_fresh_export_as_a_real_process(bank: Path) -> None:
    write_bank_ledger(bank / "ledger", until="2026-10-30")

    def cron(day: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(REPORTGEN), "--log-file", "run.log", "run", "--catch-up",
                               "--date", day], cwd=bank, capture_output=True, text=True,
                              timeout=120, check=False)

    with smtp_server() as server:
        write_config(bank, server.port)
        stale = cron("2026-11-01")
        assert stale.returncode == 0, stale.stderr
        assert "not made monthly 2026-10" in stale.stdout
        write_bank_ledger(bank / "ledger")
        fresh = cron("2026-11-02")
        assert fresh.returncode == 0, fresh.stderr
        assert "made monthly 2026-10" in fresh.stdout
        assert len(server.handler.messages) == 2  # the dekad and the monthly, once each
    log = (bank / "run.log").read_text("utf-8")
    assert "WARNING reportgen.runner: not made: monthly 2026-10 ends on 2026-10-31, after " \
           "the ledger's data date 2026-10-30" in log


def test_run_makes_half_year_and_weekly_reports_and_catches_up(bank: Path) -> None:
    """assessment.md: halfyear after 30 June, weekly after each Sunday, when listed."""
    with smtp_server() as server:
        config = write_config(bank, server.port, reports=["weekly", "halfyear"])
        with config.open("a", encoding="utf-8") as f:  # [email.recipients] is the last table
            f.write(f'weekly = ["{TEAM}"]\nhalfyear = ["{BOSS}"]\n')
        result = invoke("run", "--date", "2026-07-01")  # a Wednesday
        assert result.exit_code == 0, result.output
        assert (bank / "reports" / "halfyear_2026-H1.json").exists()
        assert sorted(p.name for p in (bank / "reports").glob("*.json")) == [
            "halfyear_2026-H1.json"]
        # down until Tuesday 14 July: the weeks of 29 Jun – 5 Jul and 6 – 12 Jul are owed
        result = invoke("run", "--date", "2026-07-14", "--catch-up")
        assert result.exit_code == 0, result.output
        handler = server.handler
    assert [(r["report"], r["period"]) for r in manifest(bank, "report")] == [
        ("halfyear", "2026-H1"), ("weekly", "2026-W27"), ("weekly", "2026-W28")]
    assert subjects(handler, BOSS) == ["【信贷业务半年报】示例农村商业银行城东支行 2026年上半年"]
    assert subjects(handler, TEAM) == ["【信贷业务周报】示例农村商业银行城东支行 2026年第27周",
                                       "【信贷业务周报】示例农村商业银行城东支行 2026年第28周"]
    week = json.loads((bank / "reports" / "weekly_2026-W28.json").read_text(encoding="utf-8"))
    assert (week["start"], week["end"]) == ("2026-07-06", "2026-07-12")
