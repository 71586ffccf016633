"""The dates a ledger covers: its data date (the last day it is complete for) and its first
date (before which it knows nothing), and the rules built on them.

A report of a period the export does not cover yet (it ends after the data date) would show
the missing days as days without activity; a report of a period that starts before the
ledger's first date would show the missing history as an empty book.  Both are refused
(exit 3) rather than printed as normal-looking figures.  A comparison date before the
first date is unknown: the metrics show it as "—" (``Context.known``).

The data date is decided in ONE place, ``decide``, from its sources in the order of
mapping.md ("Data date and stale exports"): ``--as-of``, then the date a file name carries
(a later issue adds it as a further argument, between the two), then ``[ledger] as_of``,
then the latest date of the journal and classifications.  The first two or three are
*declared*: a row dated after a declared data date is a data error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reportgen.daykeys import day_number
from reportgen.engine import Engine
from reportgen.errors import LedgerError, PeriodNotCoveredError, Problem
from reportgen.ledger.load import Ledger
from reportgen.ledger.parse import NO_DATE
from reportgen.ledger.parsed import Columns
from reportgen.ledger.validate import iso_days
from reportgen.periods import Period

AS_OF_OPTION = "--as-of"
AS_OF_CONFIG = "[ledger] as_of"
FILE_NAME = "the export's file name (source.date_from_name)"
LATEST_ROW = "the latest date of its transactions and classifications"
LATEST_SNAPSHOT = "the latest snapshot date of its balances"  # a snapshot ledger's LATEST_ROW


@dataclass(frozen=True)
class DataDate:
    """The last day the ledger is complete for, and where that day came from."""

    day: date
    source: str  # AS_OF_OPTION, AS_OF_CONFIG or LATEST_ROW

    @property
    def declared(self) -> bool:
        """Stated by the user (option, config), not read from the rows themselves."""
        return self.source not in (LATEST_ROW, LATEST_SNAPSHOT)

    def __str__(self) -> str:
        return f"{self.day} (from {self.source})"


def decide(*, as_of: date | None, configured: date | None,
           latest: date | None, named: date | None = None) -> DataDate | None:
    """The data date: the first source that gives one, in the spec's order.

    ``named`` is the date a mapped export's file or folder name carries
    (``source.date_from_name``): between ``as_of`` and ``configured``.
    """
    sources = ((AS_OF_OPTION, as_of), (FILE_NAME, named), (AS_OF_CONFIG, configured),
               (LATEST_ROW, latest))
    for source, day in sources:
        if day is not None:
            return DataDate(day, source)
    return None


def check_declared(ledger: Ledger, data_date: DataDate) -> None:
    """Record every row dated after a declared data date as a data error.

    An export said to be complete up to D cannot hold a movement of D + 1: either the
    declared date or the row is wrong.  The journal and the classifications count, the
    tables whose latest date is the data date when none is declared; bank_figures.csv is
    kept by finance apart from the export and may hold a figure dated after it (a report
    reads the latest figure on or before its own date).
    """
    if not data_date.declared:
        return
    limit = day_number(data_date.day)
    message = f"dated after the data date {data_date}"
    deposits = () if ledger.deposit_balances is None else (ledger.deposit_balances,)
    journal = ((ledger.transactions, ledger.classifications) if ledger.balances is None
               else (ledger.balances,))  # a snapshot ledger's journal is derived from it
    for table in (*journal, *deposits):
        if len(table):
            _after(ledger, table, limit, message)


def _after(ledger: Ledger, table: Columns, limit: int, message: str) -> None:
    days = table["date"]
    late = (days != NO_DATE) & (days > limit)
    if late.any():
        ledger.problems.add_mask(table.source, "date", late, table.rows, iso_days(days),
                                 message)


def check_not_empty(ledger: Ledger, engine: Engine) -> None:
    """An export without a single usable transaction is refused: every figure would be 0,
    which a reader cannot tell from a real empty book (a wrong export, a failed job)."""
    if engine.has_journal():
        return
    if not ledger.n_loans:
        what = "the ledger is empty (its tables have headers but no rows)"
    else:
        what = (f"the ledger has {ledger.n_loans} loan(s) but no transactions at all, so "
                "every balance and flow would be 0")
    raise LedgerError([Problem(ledger.transactions.source, None, None, None,
                               f"{what}; check that the export is complete")])


def check_period(period: Period, first: date, data_date: DataDate) -> None:
    """Refuse a period the ledger does not cover: ending after the data date (stale), or
    starting before the first date (early).  Raises ``PeriodNotCoveredError`` (exit 3)."""
    if period.end > data_date.day:
        raise PeriodNotCoveredError(
            f"{period.report} {period.id} ends on {period.end}, after the ledger's data date "
            f"{data_date}: the export does not cover the period's last days yet. Wait for "
            f"an export that reaches {period.end}, or, if this one is complete up to a "
            f"later day, say so with --as-of or [ledger] as_of",
            period=period, stale=True)
    if period.start < first:
        raise PeriodNotCoveredError(
            f"{period.report} {period.id} starts on {period.start}, before the ledger's "
            f"first date {first} (its earliest loan start, transaction or classification): "
            "the ledger cannot tell what the book held before it",
            period=period, stale=False)


def check_snapshots(period: Period, snapshot_days: frozenset[date] | None) -> None:
    """A snapshot ledger knows balances only on its snapshot dates: a report needs one on
    its opening day O and its end D (mapping.md, "Snapshot ledgers"), else it is refused
    naming the missing date.  A ledger with a journal (``None``) passes."""
    if snapshot_days is None:
        return
    missing = [(name, day) for name, day in (("opening day", period.opening),
                                             ("end", period.end)) if day not in snapshot_days]
    if missing:
        what = " and ".join(f"its {name} {day}" for name, day in missing)
        raise PeriodNotCoveredError(
            f"{period.report} {period.id} needs balance snapshots on its opening day "
            f"{period.opening} and its end {period.end}; the snapshot ledger has none on "
            f"{what}. Add the 借据余额 rows of that date to the export",
            period=period, stale=False)


def snapshot_source(data_date: DataDate) -> DataDate:
    """A snapshot ledger's undeclared data date named as what it is: its latest snapshot
    date (the derived journal's latest date is the same day)."""
    if data_date.source != LATEST_ROW:
        return data_date
    return DataDate(data_date.day, LATEST_SNAPSHOT)
