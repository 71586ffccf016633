"""The report archive's memory: ``{out}/manifest.jsonl``, one JSON record per line.

Append-only so that history is never rewritten (an auditor can replay every run), and
every line is flushed and fsync'd before the run goes on, because the manifest is what
stops the next run from making or mailing something twice: "sent" must be on disk before
anything else happens.  Three kinds of record:

``report``    one per report made: report, period, bounds, files with sha256, ledger
              sha256, version, time, the recipients it is to be mailed to, key figures
              (the email body is rebuilt from these, so a retry needs no ledger).
``delivery``  one per recipient per attempt: status (sent | refused | failed | too_large),
              attempts, message-id, SMTP code and error.
``run``       one per successful run: its date and the days of period ends it covered
              — what ``--catch-up`` looks past.
``period``    one per (report, period) a run sets out to make, written before the first
              of its reports: the ids of every scope due for it.  The period is made
              only when each of them has a ``report`` record, so a run that dies after
              some scopes (a render error, a kill) leaves the rest to the next run.

A report's delivery status is therefore a query over the records that follow its latest
``report`` record (``pending``), not a field rewritten in place.  A line torn by a crash
mid-write is skipped (and fenced off by a newline before the next append).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MANIFEST = "manifest.jsonl"
SENT, REFUSED, FAILED, TOO_LARGE = "sent", "refused", "failed", "too_large"


@dataclass(frozen=True)
class FileEntry:
    name: str  # relative to the output folder, e.g. monthly_2026-10.pdf
    sha256: str
    bytes: int


@dataclass(frozen=True)
class ReportRecord:
    """A report as the manifest remembers it (enough to mail it again without the ledger)."""

    report: str
    period: str
    start: str
    end: str
    files: tuple[FileEntry, ...]
    ledger_sha256: str
    version: str
    time: str
    recipients: tuple[str, ...]
    figures: dict[str, Any]
    scope: str = "all"  # the scope id (scopes.md); "all" for the whole bank

    @property
    def key(self) -> tuple[str, ...]:
        """(report, period), and the scope id for a scope's report: what is made once."""
        return (self.report, self.period) if self.scope == "all" else (
            self.report, self.period, self.scope)

    def file(self, extension: str) -> FileEntry | None:
        return next((f for f in self.files if f.name.endswith("." + extension)), None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ReportRecord:
        return cls(
            report=data["report"], period=data["period"], start=data["start"],
            end=data["end"], files=tuple(FileEntry(**f) for f in data["files"]),
            ledger_sha256=data["ledger_sha256"], version=data["version"], time=data["time"],
            recipients=tuple(data.get("recipients", ())), figures=data.get("figures", {}),
            scope=str(data.get("scope", "all")),
        )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_entry(path: Path, out_dir: Path) -> FileEntry:
    return FileEntry(str(path.relative_to(out_dir)), sha256_file(path), path.stat().st_size)


class Archive:
    """Reads and appends ``{out}/manifest.jsonl``.  Callers hold the run lock."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = out_dir / MANIFEST
        self._skipped: set[int] = set()  # line numbers already warned about

    # -- reading ---------------------------------------------------------------------
    def records(self) -> list[dict[str, Any]]:
        """Every readable record in file order; a torn or foreign line is skipped, logged.

        Read as bytes and decoded line by line: a kill during an append can cut a line
        inside a multi-byte character, and one such line must cost only itself, not every
        later ``run`` and ``periods``.  A line that is JSON but not a record this module
        wrote (a missing field, a date that is not a date) is skipped the same way, so
        the questions below never meet a record they cannot read.  Each skipped line is
        logged once per ``Archive``, with its line number.
        """
        if not self.path.is_file():
            return []
        out = []
        with open(self.path, "rb") as fh:
            for number, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    record = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    self._skip(number, "is not valid JSON (a torn write?)")
                    continue
                if not isinstance(record, dict) or "kind" not in record:
                    continue  # a line from elsewhere, not a record: nothing to say
                if not _readable(record):
                    self._skip(number, f"is not a readable {str(record['kind'])[:20]!r} record")
                    continue
                out.append(record)
        return out

    def _skip(self, number: int, why: str) -> None:
        if number not in self._skipped:
            self._skipped.add(number)
            log.warning("%s line %d %s; skipped", self.path, number, why)

    def reports(self) -> dict[tuple[str, ...], ReportRecord]:
        """The latest record of each (report, period) made, and of each (report, period,
        scope) for the scopes' reports."""
        latest = {}
        for rec in self.records():
            if rec["kind"] == "report":
                r = ReportRecord.from_json(rec)
                latest[r.key] = r
        return latest

    def is_made(self, report: str, period: str) -> bool:
        return (report, period) in self.made()

    def made(self) -> set[tuple[str, str]]:
        """Every (report, period) made for every scope due for it: each scope id of its
        latest ``period`` record has a ``report`` record.  A (report, period) with
        reports but no ``period`` record was made by a version that made all scopes of a
        period together (before ``period`` records existed): it counts as made."""
        due = self.scopes_due()
        out = set()
        for key, recorded in self.scopes_made().items():
            wanted = due.get(key)
            if wanted is None or wanted <= recorded:
                out.add(key)
        return out

    def scopes_made(self) -> dict[tuple[str, str], set[str]]:
        """The scope ids with a ``report`` record, per (report, period)."""
        out: dict[tuple[str, str], set[str]] = {}
        for record in self.reports().values():
            out.setdefault((record.report, record.period), set()).add(record.scope)
        return out

    def scopes_due(self) -> dict[tuple[str, str], set[str]]:
        """The scope ids of the latest ``period`` record, per (report, period)."""
        out: dict[tuple[str, str], set[str]] = {}
        for rec in self.records():
            if rec["kind"] == "period":
                out[(rec["report"], rec["period"])] = set(rec["scopes"])
        return out

    def covered(self) -> set[date]:
        """Days whose period ends a successful run has dealt with (``--catch-up`` skips them).

        A run on day T covers T − 1, a catch-up run its whole window.  A run that failed
        before recording itself (ledger errors, a crash) covers nothing.
        """
        days: set[date] = set()
        for rec in self.records():
            if rec["kind"] != "run":
                continue
            first, last = (date.fromisoformat(d) for d in rec["covered"])
            days.update(first + timedelta(days=n) for n in range((last - first).days + 1))
        return days

    def sent_to(self, report: str, period: str, scope: str = "all") -> set[str]:
        """Recipients (lower-cased) sent the latest version of this report."""
        key = (report, period) if scope == "all" else (report, period, scope)
        return self._state().get(key, (None, set()))[1]

    def pending(self, wanted: Callable[[ReportRecord], Iterable[str]]
                ) -> list[tuple[ReportRecord, list[str]]]:
        """Reports still owed to someone, oldest first, with who is owed them.

        A recipient is owed a report when its latest record lists them, no ``sent``
        delivery follows that record, and they are still configured for the report
        (``wanted``, asked with the record: its report type and scope): removing a bad
        address from the config stops the retries.  Kept per (report, period, scope,
        address).
        """
        out = []
        for record, sent in self._state().values():
            now = {a.lower() for a in wanted(record)}
            owed = [a for a in record.recipients
                    if a.lower() not in sent and a.lower() in now]
            if owed:
                out.append((record, owed))
        return sorted(out, key=lambda item: (item[0].end, item[0].report, item[0].scope))

    def _state(self) -> dict[tuple[str, ...], tuple[ReportRecord, set[str]]]:
        state: dict[tuple[str, ...], tuple[ReportRecord, set[str]]] = {}
        for rec in self.records():
            if rec["kind"] == "report":
                r = ReportRecord.from_json(rec)
                state[r.key] = (r, set())  # a re-made report is owed to everyone again
            elif rec["kind"] == "delivery" and rec.get("status") == SENT:
                scope = str(rec.get("scope", "all"))
                key = ((rec["report"], rec["period"]) if scope == "all"
                       else (rec["report"], rec["period"], scope))
                if key in state:
                    state[key][1].add(rec["recipient"].lower())
        return state

    # -- writing ---------------------------------------------------------------------
    def append(self, record: dict[str, Any]) -> None:
        """Append one record and make it durable before returning."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
        with open(self.path, "ab") as fh:
            if fh.tell() > 0 and not self._ends_with_newline():
                fh.write(b"\n")  # fence off a line torn by an earlier crash
            fh.write(line.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        if created:
            _fsync_dir(self.out_dir)

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def record_report(self, record: ReportRecord) -> None:
        self.append({
            "kind": "report", "report": record.report, "period": record.period,
            "start": record.start, "end": record.end,
            "files": [vars(f) for f in record.files], "ledger_sha256": record.ledger_sha256,
            "version": record.version, "time": record.time,
            "recipients": list(record.recipients), "figures": record.figures,
            **({} if record.scope == "all" else {"scope": record.scope}),
        })

    def record_period(self, report: str, period: str, scopes: Iterable[str]) -> None:
        """Record that a run sets out to make ``scopes`` of (report, period): written before
        the first of their reports, so the period is made only once all are recorded."""
        self.append({"kind": "period", "report": report, "period": period,
                     "scopes": list(scopes)})

    def record_delivery(self, record: ReportRecord, recipient: str, status: str, *,
                        attempts: int, message_id: str | None, time: datetime,
                        code: int | None = None, error: str | None = None) -> None:
        self.append({
            "kind": "delivery", "report": record.report, "period": record.period,
            **({} if record.scope == "all" else {"scope": record.scope}),
            "recipient": recipient, "status": status, "attempts": attempts,
            "message_id": message_id, "code": code, "error": error,
            "time": time.isoformat(timespec="seconds"),
        })

    def record_run(self, day: date, *, covered: tuple[date, date], made: list[str],
                   catch_up: bool, force: bool, delivery: str, version: str,
                   time: datetime) -> None:
        self.append({
            "kind": "run", "date": day.isoformat(),
            "covered": [covered[0].isoformat(), covered[1].isoformat()],
            "made": made, "catch_up": catch_up,
            "force": force, "delivery": delivery, "version": version,
            "time": time.isoformat(timespec="seconds"),
        })


MAX_COVERED_DAYS = 1000  # a run covers at most its catch-up window (400 days)


def _readable(record: dict[str, Any]) -> bool:
    """Whether ``record`` has the fields its kind needs, of the right types."""
    kind = record["kind"]
    try:
        if kind == "report":
            ReportRecord.from_json(record)
            date.fromisoformat(record["start"])
            date.fromisoformat(record["end"])
            return (all(isinstance(record[k], str) for k in ("report", "period", "start",
                                                               "end"))
                    and all(isinstance(r, str) for r in record.get("recipients", ()))
                    and isinstance(record.get("figures", {}), dict))
        if kind == "delivery":
            return all(isinstance(record.get(k), str)
                       for k in ("report", "period", "recipient", "status"))
        if kind == "period":
            return (isinstance(record["report"], str) and isinstance(record["period"], str)
                    and isinstance(record["scopes"], list)
                    and all(isinstance(s, str) for s in record["scopes"]))
        if kind == "run":
            first, last = (date.fromisoformat(d) for d in record["covered"])
            return 0 <= (last - first).days <= MAX_COVERED_DAYS
    except (KeyError, TypeError, ValueError, AttributeError):
        return False
    return True  # a kind from a later version: kept, and ignored by every question


def _fsync_dir(path: Path) -> None:
    """Make a new file's directory entry durable too (else a power cut can lose the file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
