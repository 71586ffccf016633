"""Bursting end to end: [[scopes]], [burst] and its recipients CSV, one mail per address,
against a real SMTP server (reportgen/burst.py, reportgen/deliver/batch.py)."""

from __future__ import annotations

import json
import logging
import textwrap
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from mailserver import Handler, smtp_server
from scopeledger import EAST, LI, WANG, WEST, ZHAO, write_scope_ledger

from reportgen.cli import main
from reportgen.config import load_config
from reportgen.deliver.archive import Archive
from reportgen.errors import ConfigError
from reportgen.runner import run
from reportgen.scope import MANAGER, scope_id

HEAD, TEAM = "head@bank.example", "credit-team@bank.example"
LI_MAIL, WANG_MAIL = "li@bank.example", "wang@bank.example"
M_LI, M_WANG, M_ZHAO = (scope_id(MANAGER, n) for n in (LI, WANG, ZHAO))


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_scope_ledger(tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_config(folder: Path, port: int, *, csv_rows: str | None = None,
                 reports: str = '["monthly"]') -> Path:
    (folder / "recipients.csv").write_text("scope,report,email\n" + textwrap.dedent(
        csv_rows if csv_rows is not None else f"""\
        {LI},monthly,{LI_MAIL}
        {WANG},,{WANG_MAIL}
        """), encoding="utf-8")
    path = folder / "reportgen.toml"
    path.write_text(textwrap.dedent(f"""\
        [bank]
        name = "示例银行"

        [ledger]
        path = "ledger"

        [output]
        dir = "reports"
        formats = ["json"]

        [schedule]
        reports = {reports}
        lock_wait = 1

        [email]
        host = "127.0.0.1"
        port = {port}
        security = "none"
        sender = "reports@bank.example"
        attach = ["json"]
        retries = 0
        retry_delay = 0.0
        timeout = 5

        [email.recipients]
        monthly = ["{TEAM}"]

        [[scopes]]
        id = "east"
        branches = ["{EAST}"]
        [scopes.recipients]
        monthly = ["{HEAD}"]

        [[scopes]]
        id = "west"
        branches = ["{WEST}"]
        title = "城西支行（营业部）"
        [scopes.recipients]
        monthly = ["{HEAD}"]

        [burst]
        by = ["manager"]
        recipients = "recipients.csv"
        """), encoding="utf-8")
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def files_of(msg: EmailMessage) -> list[str]:
    return sorted(str(p.get_filename()) for p in msg.iter_attachments())


def test_one_mail_per_address_with_exactly_its_files(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-07-01")
        assert result.exit_code == 0, result.output
        handler = server.handler
    head = handler.received_by(HEAD)
    assert len(head) == 1  # heads two branches: one mail with both
    assert files_of(head[0]) == ["monthly_2026-06_east.json", "monthly_2026-06_west.json"]
    assert "2 份报表" in str(head[0]["Subject"])
    assert "城东支行" in str(head[0]["Subject"])
    assert "城西支行（营业部）" in str(head[0]["Subject"])  # the scope's configured title
    assert [files_of(m) for m in handler.received_by(LI_MAIL)] == [
        [f"monthly_2026-06_{M_LI}.json"]]
    assert [files_of(m) for m in handler.received_by(WANG_MAIL)] == [
        [f"monthly_2026-06_{M_WANG}.json"]]
    assert [files_of(m) for m in handler.received_by(TEAM)] == [["monthly_2026-06.json"]]
    assert len(handler.messages) == 4
    made = sorted(p.name for p in (bank / "reports").glob("*.json"))
    assert made == sorted(["monthly_2026-06.json", "monthly_2026-06_east.json",
                           "monthly_2026-06_west.json", f"monthly_2026-06_{M_LI}.json",
                           f"monthly_2026-06_{M_WANG}.json", f"monthly_2026-06_{M_ZHAO}.json"])
    records = [r for r in Archive(bank / "reports").records() if r["kind"] == "report"]
    assert sorted(r.get("scope", "all") for r in records) == sorted(
        ["all", "east", "west", M_LI, M_WANG, M_ZHAO])
    zhao = next(r for r in records if r.get("scope") == M_ZHAO)
    assert zhao["recipients"] == []  # no recipients: archived, not mailed
    deliveries = [(r.get("scope", "all"), r["recipient"])
                  for r in Archive(bank / "reports").records() if r["kind"] == "delivery"]
    assert sorted(deliveries) == sorted([("all", TEAM), ("east", HEAD), ("west", HEAD),
                                         (M_LI, LI_MAIL), (M_WANG, WANG_MAIL)])


def test_rerun_sends_nothing(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-07-01").exit_code == 0
        sent = len(server.handler.messages)
        again = invoke("run", "--date", "2026-07-01", "--catch-up")
        assert again.exit_code == 0, again.output
        assert len(server.handler.messages) == sent
    assert "0 made" in again.output


def test_refused_address_gets_its_mail_next_run_and_nobody_a_second(bank: Path) -> None:
    with smtp_server(handler=Handler(refuse={HEAD})) as server:
        write_config(bank, server.port)
        first = invoke("run", "--date", "2026-07-01")
        assert first.exit_code == 4, first.output
        assert server.handler.received_by(HEAD) == []
        before = len(server.handler.messages)
        server.handler.refuse.clear()
        second = invoke("run", "--date", "2026-07-02")
        assert second.exit_code == 0, second.output
        new = server.handler.messages[before:]
    assert [m.rcpt_tos for m in new] == [[HEAD]]
    assert files_of(new[0].message) == ["monthly_2026-06_east.json",
                                        "monthly_2026-06_west.json"]


def test_unknown_scope_in_recipients_is_a_warning(bank: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    with smtp_server() as server:
        write_config(bank, server.port, csv_rows=f"""\
            {LI},monthly,{LI_MAIL}
            钱经理,monthly,qian@bank.example
            {EAST},monthly,east@bank.example
            """)
        with caplog.at_level(logging.WARNING):
            result = run(load_config(bank / "reportgen.toml"), today=date(2026, 7, 1))
        assert not result.undelivered
        assert server.handler.received_by("qian@bank.example") == []
    text = caplog.text
    assert "recipients.csv, row 3: scope '钱经理' matches no branch or manager" in text
    assert "row 4: scope '城东支行' is not a scope of burst.by = manager" in text


@pytest.mark.parametrize(("rows", "message"), [
    (f"{LI},custom,{LI_MAIL}\n", "row 2, column report: 'custom'"),  # run never makes custom
    (f"{LI},monthly,not-an-address\n", "row 2, column email"),
    (f",monthly,{LI_MAIL}\n", "row 2, column scope: must not be blank"),
])
def test_a_bad_recipients_row_is_exit_2(bank: Path, rows: str, message: str) -> None:
    write_config(bank, 25, csv_rows=rows)
    result = invoke("run", "--date", "2026-07-01")
    assert result.exit_code == 2
    assert message in result.output
    assert not list((bank / "reports").glob("*.json")) if (bank / "reports").exists() else True


def test_dry_run_lists_and_changes_nothing(bank: Path) -> None:
    with smtp_server() as server:
        write_config(bank, server.port)
        result = invoke("run", "--date", "2026-07-01", "--dry-run")
        assert result.exit_code == 0, result.output
        assert server.handler.messages == []
    assert not (bank / "reports").exists()
    out = result.output
    assert "would make monthly 2026-06: monthly_2026-06.json" in out
    assert "would make monthly 2026-06 [east: 城东支行]: monthly_2026-06_east.json" in out
    assert f"  would mail {HEAD}: monthly_2026-06_west.json" in out
    assert f"  would mail {LI_MAIL}: monthly_2026-06_{M_LI}.json" in out
    assert out.count("archived, not mailed") == 1  # 赵经理's pack


def test_dry_run_shows_retries(bank: Path) -> None:
    with smtp_server(handler=Handler(refuse={LI_MAIL})) as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-07-01").exit_code == 4
    result = invoke("run", "--date", "2026-07-02", "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"would re-send monthly 2026-06 [{M_LI}] to {LI_MAIL}" in result.output


@pytest.mark.parametrize(("text", "key"), [
    ('[[scopes]]\nid = "a b"\nbranches = ["x"]\n', "scopes[1].id"),
    ('[[scopes]]\nid = "all"\nbranches = ["x"]\n', "scopes[1].id"),
    ('[[scopes]]\nid = "a"\n', "names no branch or manager"),
    ('[[scopes]]\nbranches = ["x"]\n', "missing required key scopes[1].id"),
    ('[[scopes]]\nid = "a"\nbranches = ["x"]\n[[scopes]]\nid = "a"\nmanagers = ["y"]\n',
     "used by another scope"),
    ('[[scopes]]\nid = "a"\nbranches = ["x"]\ncolour = "red"\n', "scopes[1].colour"),
    ('[burst]\nby = ["region"]\n', "burst.by"),
    ('[burst]\nby = ["branch"]\nrecipients = "nowhere.csv"\n', "no such file"),
    ('scopes = "x"\n', "array of tables"),
])
def test_scope_config_mistakes_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "reportgen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_a_configured_scope_naming_no_loan_is_exit_2(bank: Path) -> None:
    write_config(bank, 25)
    text = (bank / "reportgen.toml").read_text("utf-8").replace(f'["{WEST}"]', '["城中支行"]')
    (bank / "reportgen.toml").write_text(text, encoding="utf-8")
    result = invoke("run", "--date", "2026-07-01")
    assert result.exit_code == 2
    assert "scopes[2].branches: '城中支行' matches no loan" in result.output


# -- a run that dies part-way: the period is made only when every scope is ------------------

ALL_SCOPES = ["all", "east", "west", M_LI, M_WANG, M_ZHAO]  # the order a run makes them in


def report_records(bank: Path) -> list[str]:
    return [r.get("scope", "all") for r in Archive(bank / "reports").records()
            if r["kind"] == "report"]


@pytest.mark.parametrize(("failing", "catch_up"), [
    ("west", False),  # a [[scopes]] entry in the middle
    (M_WANG, False),  # a burst scope, after the configured ones
    (M_WANG, True),  # made by the next day's --catch-up run
    ("all", False),  # the first: nothing is recorded before it
])
def test_a_run_that_dies_part_way_leaves_exactly_the_missing_scopes(
        bank: Path, failing: str, catch_up: bool) -> None:
    suffix = "" if failing == "all" else f"_{failing}"
    blocker = bank / "reports" / f"monthly_2026-06{suffix}.json"
    blocker.mkdir(parents=True)  # the target is a directory: its render fails (IsADirectory)
    before = ALL_SCOPES[:ALL_SCOPES.index(failing)]
    with smtp_server() as server:
        write_config(bank, server.port)
        if catch_up:  # an earlier successful run, so that --catch-up looks back to 06-30
            assert invoke("run", "--date", "2026-06-30").exit_code == 0
        died = invoke("run", "--date", "2026-07-01")
        assert died.exit_code == 1, died.output
        assert "IsADirectoryError" in died.output
        assert report_records(bank) == before  # what was made before it stays recorded
        assert server.handler.messages == []  # the run died before mailing anything
        periods = invoke("periods", "--date", "2026-07-01")
        assert "partly made" in periods.output or not before
        made_first = {scope: (bank / "reports" / (
            "monthly_2026-06.json" if scope == "all" else f"monthly_2026-06_{scope}.json"
        )).stat().st_mtime_ns for scope in before}
        blocker.rmdir()  # the fix
        again = invoke("run", *(("--date", "2026-07-02", "--catch-up") if catch_up
                                else ("--date", "2026-07-01")))
        assert again.exit_code == 0, again.output
        # exactly the missing scopes are made, each once; the others are not made again
        assert report_records(bank) == ALL_SCOPES
        assert f"{len(ALL_SCOPES) - len(before)} made" in again.output
        for scope, mtime in made_first.items():
            name = "monthly_2026-06.json" if scope == "all" else f"monthly_2026-06_{scope}.json"
            assert (bank / "reports" / name).stat().st_mtime_ns == mtime
        handler = server.handler
        # every address got exactly one mail with exactly its files, nobody a second
        assert [files_of(m) for m in handler.received_by(HEAD)] == [
            ["monthly_2026-06_east.json", "monthly_2026-06_west.json"]]
        assert [files_of(m) for m in handler.received_by(LI_MAIL)] == [
            [f"monthly_2026-06_{M_LI}.json"]]
        assert [files_of(m) for m in handler.received_by(WANG_MAIL)] == [
            [f"monthly_2026-06_{M_WANG}.json"]]
        assert [files_of(m) for m in handler.received_by(TEAM)] == [["monthly_2026-06.json"]]
        assert len(handler.messages) == 4
        third = invoke("run", "--date", "2026-07-02", "--catch-up")
        assert third.exit_code == 0, third.output
        assert "0 made" in third.output
        assert len(handler.messages) == 4
    assert report_records(bank) == ALL_SCOPES
    assert "already made" in invoke("periods", "--date", "2026-07-01").output


def test_dry_run_after_a_run_that_died_lists_only_the_missing_scopes(bank: Path) -> None:
    blocker = bank / "reports" / f"monthly_2026-06_{M_WANG}.json"
    blocker.mkdir(parents=True)
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-07-01").exit_code == 1
    result = invoke("run", "--date", "2026-07-01", "--dry-run")
    assert result.exit_code == 0, result.output
    made = [line for line in result.output.splitlines() if line.startswith("would make")]
    assert [line.split(": ")[-1] for line in made] == [
        f"monthly_2026-06_{M_WANG}.json", f"monthly_2026-06_{M_ZHAO}.json"]


@pytest.mark.parametrize("kept", [0, 1, 3, 5, 6])
def test_a_run_killed_after_some_records_is_finished_by_the_next(bank: Path,
                                                                  kept: int) -> None:
    """The manifest a kill leaves: the period record and the first ``kept`` report
    records, no delivery and no run record (a kill loses nothing else: each record is
    fsync'd before the next step).  The next run makes exactly the other scopes and mails
    every address once."""
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-07-01").exit_code == 0
        manifest = bank / "reports" / "manifest.jsonl"
        lines = manifest.read_text("utf-8").splitlines(keepends=True)
        assert json.loads(lines[0])["kind"] == "period"
        reports = [line for line in lines if json.loads(line)["kind"] == "report"]
        manifest.write_text("".join([lines[0], *reports[:kept]]), encoding="utf-8")
        sent = len(server.handler.messages)
        again = invoke("run", "--date", "2026-07-01")
        assert again.exit_code == 0, again.output
        assert f"{len(ALL_SCOPES) - kept} made" in again.output
        assert report_records(bank) == ALL_SCOPES
        new = server.handler.messages[sent:]
    assert sorted(a for m in new for a in m.rcpt_tos) == sorted(
        [TEAM, HEAD, LI_MAIL, WANG_MAIL])  # everything was still owed: each address once


def test_a_scope_no_longer_configured_does_not_keep_a_period_open(bank: Path) -> None:
    """A period whose latest period record names a scope today's configuration no longer
    makes (a branch closed, a [[scopes]] entry removed): the next run makes nothing, mails
    nothing, and records the period as made with today's scopes."""
    with smtp_server() as server:
        write_config(bank, server.port)
        assert invoke("run", "--date", "2026-07-01").exit_code == 0
        Archive(bank / "reports").record_period("monthly", "2026-06", [*ALL_SCOPES, "gone"])
        assert "partly made" in invoke("periods", "--date", "2026-07-01").output
        sent = len(server.handler.messages)
        again = invoke("run", "--date", "2026-07-01")
        assert again.exit_code == 0, again.output
        assert "0 made" in again.output
        assert len(server.handler.messages) == sent
    assert "already made" in invoke("periods", "--date", "2026-07-01").output
    assert Archive(bank / "reports").scopes_due()[("monthly", "2026-06")] == set(ALL_SCOPES)
