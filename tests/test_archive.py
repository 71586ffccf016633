"""deliver/archive.py: the append-only, fsync'd manifest and the questions asked of it."""

from __future__ import annotations

import calendar
import hashlib
import json
import os
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from reportgen.deliver.archive import Archive, FileEntry, ReportRecord, file_entry

NOW = datetime(2026, 11, 1, 1, 5, tzinfo=ZoneInfo("Asia/Shanghai"))
A, B = "a@bank.example", "b@bank.example"


def record(period: str = "2026-10", recipients: tuple[str, ...] = (A, B)) -> ReportRecord:
    return ReportRecord(
        report="monthly", period=period, start=f"{period}-01",
        end=f"{period}-{calendar.monthrange(*map(int, period.split('-')))[1]}",
        files=(FileEntry(f"monthly_{period}.pdf", "0" * 64, 10),), ledger_sha256="f" * 64,
        version="0.1.0", time=NOW.isoformat(), recipients=recipients,
        figures={"balance": "1.00"},
    )


def deliver(archive: Archive, rec: ReportRecord, who: str, status: str = "sent") -> None:
    archive.record_delivery(rec, who, status, attempts=1, message_id="<m@x>", time=NOW)


def test_round_trip_and_one_json_object_per_line(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "reports")
    archive.record_report(record())
    deliver(archive, record(), A)
    archive.record_run(date(2026, 11, 1), covered=(date(2026, 10, 31), date(2026, 10, 31)),
                       made=["monthly 2026-10"], catch_up=False, force=False,
                       delivery="on", version="0.1.0", time=NOW)
    lines = archive.path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["report", "delivery", "run"]
    assert archive.reports()[("monthly", "2026-10")] == record()
    assert archive.is_made("monthly", "2026-10")
    assert not archive.is_made("monthly", "2026-09")
    assert archive.covered() == {date(2026, 10, 31)}


def test_every_append_is_fsynced_and_only_appends(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    archive = Archive(tmp_path / "reports")
    archive.record_report(record())
    before = archive.path.read_bytes()
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    deliver(archive, record(), A)
    deliver(archive, record(), B)
    assert len(synced) == 2
    assert archive.path.read_bytes().startswith(before)


def test_a_torn_last_line_is_skipped_and_fenced_off(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "reports")
    archive.record_report(record())
    with open(archive.path, "ab") as fh:
        fh.write(b'{"kind": "delivery", "report": "monthly", "per')  # power cut mid-write
    assert len(archive.records()) == 1
    deliver(archive, record(), A)
    assert [r["kind"] for r in archive.records()] == ["report", "delivery"]
    assert archive.sent_to("monthly", "2026-10") == {A}


def test_pending_follows_the_latest_report_record(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "reports")
    everyone = lambda _report: (A, B)  # noqa: E731
    assert archive.pending(everyone) == []
    archive.record_report(record("2026-09"))
    archive.record_report(record("2026-10"))
    deliver(archive, record("2026-09"), A)
    deliver(archive, record("2026-09"), B, status="refused")
    deliver(archive, record("2026-10"), "A@BANK.EXAMPLE")  # addresses compare case-blind
    owed = [(r.period, who) for r, who in archive.pending(everyone)]
    assert owed == [("2026-09", [B]), ("2026-10", [B])]
    deliver(archive, record("2026-09"), B)
    assert [(r.period, who) for r, who in archive.pending(everyone)] == [("2026-10", [B])]
    archive.record_report(record("2026-09"))  # re-made with --force: owed to all again
    owed = [(r.period, who) for r, who in archive.pending(everyone)]
    assert owed == [("2026-09", [A, B]), ("2026-10", [B])]
    assert archive.pending(lambda _r: ()) == []  # nobody configured any more: nobody owed


def test_report_made_without_email_is_owed_to_nobody(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "reports")
    archive.record_report(record(recipients=()))
    assert archive.pending(lambda _r: (A, B)) == []


def test_covered_days_span_catch_up_windows(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "reports")
    for day, first, last in [(date(2026, 10, 7), date(2026, 10, 6), date(2026, 10, 6)),
                             (date(2026, 11, 1), date(2026, 10, 29), date(2026, 10, 31))]:
        archive.record_run(day, covered=(first, last), made=[], catch_up=True, force=False,
                           delivery="on", version="0.1.0", time=NOW)
    assert sorted(archive.covered()) == [date(2026, 10, 6), date(2026, 10, 29),
                                         date(2026, 10, 30), date(2026, 10, 31)]


def test_file_entry_hashes_the_bytes(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF" * 1000)
    entry = file_entry(tmp_path / "x.pdf", tmp_path)
    assert entry == FileEntry("x.pdf", hashlib.sha256(b"%PDF" * 1000).hexdigest(), 4000)


def test_lines_from_elsewhere_are_ignored(tmp_path: Path) -> None:
    archive = Archive(tmp_path)
    archive.path.write_text('\n"just a string"\n{"no": "kind"}\nnot json\n', encoding="utf-8")
    assert archive.records() == []


TORN = [
    # a kill during an append: cut inside the 3-byte UTF-8 of a Chinese character
    pytest.param(lambda good: good[: good.index("示".encode()) + 1], id="cut-in-a-character"),
    pytest.param(lambda good: good[: len(good) // 2], id="truncated-json"),
    pytest.param(lambda good: b"\x00\x00\x00\xff\xfe garbage", id="garbage-bytes"),
    pytest.param(lambda good: b"not json at all", id="garbage-text"),
    pytest.param(lambda good: b'{"kind": "report", "report": "monthly"}', id="report-no-fields"),
    pytest.param(lambda good: b'{"kind": "report", "report": "monthly", "period": "2026-10", '
                              b'"start": "2026-10-01", "end": "2026-13-45", "files": [], '
                              b'"ledger_sha256": "", "version": "", "time": ""}',
                 id="report-bad-date"),
    pytest.param(lambda good: b'{"kind": "run", "covered": ["2026-10-31"]}', id="run-one-day"),
    pytest.param(lambda good: b'{"kind": "run", "covered": ["0001-01-01", "9999-12-31"]}',
                 id="run-huge-span"),
    pytest.param(lambda good: b'{"kind": "delivery", "report": "monthly"}',
                 id="delivery-no-fields"),
]


@pytest.mark.parametrize("torn", TORN)
@pytest.mark.parametrize("where", ["middle", "end"])
def test_a_torn_or_foreign_line_is_skipped_with_its_line_number(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, torn: Any, where: str) -> None:
    archive = Archive(tmp_path / "reports")
    rec = record()
    rec = ReportRecord(**{**vars(rec), "figures": {"bank": "示例银行", "balance": "1.00"}})
    archive.record_report(rec)  # line 1
    good = archive.path.read_bytes()
    with open(archive.path, "ab") as fh:
        fh.write(torn(good.rstrip(b"\n")))  # line 2, torn
        if where == "middle":
            fh.write(b"\n")
    if where == "middle":
        deliver(archive, rec, B)  # line 3
    with caplog.at_level("WARNING", logger="reportgen"):
        kinds = [r["kind"] for r in archive.records()]
        archive.records()  # asked again: not logged again
    assert kinds == ["report"] + (["delivery"] if where == "middle" else [])
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 1, warned
    assert "line 2 " in warned[0]
    assert "skipped" in warned[0]
    # the next append starts on a line of its own and every question still works
    deliver(archive, rec, A)
    lines = archive.path.read_bytes().split(b"\n")
    assert json.loads(lines[-2])["recipient"] == A
    assert lines[-1] == b""
    assert archive.sent_to("monthly", "2026-10") == ({A, B} if where == "middle" else {A})
    assert archive.covered() == set()
    assert list(archive.reports()) == [("monthly", "2026-10")]
    assert archive.pending(lambda _r: (A, B)) == ([] if where == "middle" else
                                                   [(archive.reports()[rec.key], [B])])


# -- a period is made when every scope due for it is recorded ------------------------------

def scoped(scope: str, period: str = "2026-10") -> ReportRecord:
    from dataclasses import replace

    return replace(record(period), scope=scope)


@pytest.mark.parametrize(("due", "recorded", "made"), [
    (["all", "east", "west"], ["all", "east", "west"], True),
    (["all", "east", "west"], ["all", "east"], False),  # died before west
    (["all", "east", "west"], [], False),  # died before its first report
    (["all", "east", "west"], ["west", "east", "all"], True),  # order does not matter
    (["all"], ["all"], True),  # a run without scopes
    (None, ["all"], True),  # no period record: an earlier version's manifest
    (None, ["all", "east"], True),
])
def test_a_period_is_made_when_every_due_scope_is_recorded(
        tmp_path: Path, due: list[str] | None, recorded: list[str], made: bool) -> None:
    archive = Archive(tmp_path / "reports")
    if due is not None:
        archive.record_period("monthly", "2026-10", due)
    for scope in recorded:
        archive.record_report(scoped(scope))
    assert archive.is_made("monthly", "2026-10") is made
    assert archive.scopes_made().get(("monthly", "2026-10"), set()) == set(recorded)
    assert not archive.is_made("monthly", "2026-09")


def test_the_latest_period_record_says_what_is_due(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "reports")
    archive.record_period("monthly", "2026-10", ["all", "east"])
    archive.record_report(scoped("all"))
    archive.record_report(scoped("east"))
    assert archive.is_made("monthly", "2026-10")
    archive.record_period("monthly", "2026-10", ["all", "east", "west"])  # --force, new branch
    assert not archive.is_made("monthly", "2026-10")
    archive.record_report(scoped("west"))
    assert archive.is_made("monthly", "2026-10")
    assert archive.scopes_due() == {("monthly", "2026-10"): {"all", "east", "west"}}


@pytest.mark.parametrize("line", [
    '{"kind":"period","report":"monthly","period":"2026-10"}',
    '{"kind":"period","report":"monthly","period":"2026-10","scopes":"all"}',
    '{"kind":"period","report":"monthly","period":"2026-10","scopes":[1]}',
])
def test_an_unreadable_period_record_is_skipped(tmp_path: Path, line: str) -> None:
    archive = Archive(tmp_path / "reports")
    archive.record_report(scoped("all"))
    with open(archive.path, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    assert archive.scopes_due() == {}
    assert archive.is_made("monthly", "2026-10")
