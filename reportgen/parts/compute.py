"""One part's work: load and validate it, build the run's reports on it, and keep what the
engine answered, per loan, for the reduce.

The metrics are not changed for partitions: they run on each part through a
``RecordingEngine`` (an ``Engine`` that notes every per-loan answer it gives: snapshots,
states, flows, day sums, the period's disbursements, balances at given days, the
live-contract flips; and, through a ``RecordingDepositBook``, every per-account deposit
balance and day sum), and
once more on the reduced engine, which answers the same questions from the parts' notes
joined in the original loan order.  The part's own figures are thrown away: metrics cost
about a tenth of a report, so this doubles that tenth, and buys an exact reduce for every
section without one reducer per section.

A part's notes are per-loan arrays (about 15 bytes a loan per as-of day, 8 per flow), not
its journal: that is what the client holds for all parts at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa

from reportgen.config import Config
from reportgen.datadate import DataDate, check_declared
from reportgen.daykeys import loan_day_keys
from reportgen.deposit_engine import DaySum, DepositBook
from reportgen.engine import Engine, Snapshot
from reportgen.errors import LedgerError
from reportgen.journal_checks import check_journal
from reportgen.ledger import text_columns
from reportgen.ledger.load import Ledger, load_ledger
from reportgen.ledger.parsed import Columns
from reportgen.ledger.schema import CUSTOMERS, LOANS, Table
from reportgen.ledger.validate import validate_ledger
from reportgen.metrics.build import build_report
from reportgen.metrics.daily import DailyTotals, daily_totals
from reportgen.periods import parse_period

FIXED_NOW = datetime(2000, 1, 1, tzinfo=UTC)  # the parts' own reports are thrown away
EARLIEST = date(1900, 1, 1)  # the earliest date a ledger may hold
DEPOSIT_BOOK_COLUMNS = ("kind", "manager_code", "customer")  # what ``DepositBook`` reads
BESIDE = (("manager_code", "account_manager_name"), ("branch_code", "branch_id"))


@dataclass
class PartFigures:
    """What one part hands to the reduce (picklable: it crosses to a Dask client)."""

    customers: Columns
    loans: Columns
    bank_figures: Columns | None
    targets: Columns | None
    branches: list[str]
    managers: list[str]
    products: list[str]
    groups: list[str]
    snapshots: dict[date, Snapshot]
    per_loan: dict[tuple[object, ...], np.ndarray]  # ("flow", type, S, D) → one per loan
    transactions: dict[tuple[int, date, date], tuple[np.ndarray, np.ndarray, np.ndarray]]
    balance_keys: np.ndarray  # (loan, day) keys asked of ``balances``, part loan numbers
    balance_values: np.ndarray
    flips: tuple[np.ndarray, np.ndarray, np.ndarray] | None  # loan, day, turns live
    daily: DailyTotals
    last_day: date | None
    first_day: date | None
    journal_source: str  # the transactions file's name, for the reduce's messages
    has_journal: bool
    snapshot_days: frozenset[date] | None  # a snapshot ledger's dates (None: a journal)
    deposits: PartDeposits | None
    path: str = ""  # the part's folder: the client reads listed rows' text from its files
    text_columns: tuple[list[str], list[str]] = ([], [])  # the loans', the customers'
    # Per optional column beside a code (a manager's name, a branch's id), the part's
    # codes that have one, the first such loan's row number and its value: the client
    # keeps, per code, the value of the earliest row over the parts (``load._beside``).
    beside: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = field(default_factory=dict)
    pid: int = field(default_factory=os.getpid)  # where the part was computed


@dataclass
class PartDeposits:
    """One part's deposit accounts and the per-account answers its reports asked."""

    accounts: Columns
    managers: list[str]
    first_day: date | None
    per_account: dict[tuple[object, ...], np.ndarray]  # ("balance", day) → one per account


class RecordingDepositBook(DepositBook):
    """A ``DepositBook`` over one part that notes each per-account answer it gives."""

    def __init__(self, ledger: Ledger) -> None:
        super().__init__(ledger)
        self.per_account: dict[tuple[object, ...], np.ndarray] = {}

    def first_day(self) -> date | None:
        """Every day known, as for the loans (``RecordingEngine.first_day``): the part is
        asked every question the whole book is; the reduce decides with the true day."""
        return EARLIEST

    def balance(self, day: date) -> np.ndarray:
        out = super().balance(day)
        self.per_account[("balance", day)] = out
        return out

    def day_sum(self, start: date, end: date) -> DaySum:
        out = super().day_sum(start, end)
        self.per_account[("day_sum", start, end)] = out.fen_days
        return out


class RecordingEngine(Engine):
    """An ``Engine`` over one part that notes each per-loan answer it gives."""

    def __init__(self, engine: Engine) -> None:
        self.__dict__.update(engine.__dict__)
        self.per_loan: dict[tuple[object, ...], np.ndarray] = {}
        ledger = engine.ledger
        self.deposit_book = (RecordingDepositBook(ledger) if ledger.deposit_accounts is not None
                             and ledger.deposit_balances is not None else None)
        if self.deposit_book is not None:  # what ``metrics.deposits.deposit_book`` reads
            self.memo[("deposit_book",)] = self.deposit_book
        self.transactions: dict[tuple[int, date, date],
                                tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self.asked: list[tuple[np.ndarray, np.ndarray]] = []
        self.wants_flips = False

    def flow(self, tx_type: int, start: date, end: date) -> np.ndarray:
        out = super().flow(tx_type, start, end)
        self.per_loan[("flow", tx_type, start, end)] = out
        return out

    def disburse_count(self, start: date, end: date) -> np.ndarray:
        out = super().disburse_count(start, end)
        self.per_loan[("disburse_count", start, end)] = out
        return out

    def day_sums(self, start: date, end: date) -> np.ndarray:
        out = super().day_sums(start, end)
        self.per_loan[("day_sums", start, end)] = out
        return out

    def state(self, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = super().state(day)
        for i, array in enumerate(out):
            self.per_loan[("state", day, i)] = array
        return out

    def balance(self, day: date) -> np.ndarray:
        """From the (recorded) snapshot: the same array ``Engine.balance`` computes."""
        return self.snapshot(day).balance

    def transactions_in(self, tx_type: int, start: date, end: date
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        out = super().transactions_in(tx_type, start, end)
        self.transactions[(tx_type, start, end)] = out
        return out

    def balances(self, loans: np.ndarray, days: np.ndarray) -> np.ndarray:
        out = super().balances(loans, days)
        self.asked.append((loan_day_keys(loans, days), out))
        return out

    def live_flips(self, loan_group: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self.wants_flips = True  # the part hands over every loan's flips (loan_group None)
        return super().live_flips(loan_group)

    def first_day(self) -> date | None:
        """Every day known: a part's first date may be later than the ledger's, and the
        sections must ask the part every question the whole ledger's run asks (they skip
        the days before the first date, which the reduce decides with the true one)."""
        return EARLIEST


def part_figures(path: str, jobs: list[tuple[str, str, bool]], config: Config,
                 declared: DataDate | None = None, first: bool = True
                 ) -> PartFigures | LedgerError:
    """Load, validate and compute one part for ``jobs`` (report, period, with loan book);
    ``declared``: the data date the user stated, which no row may pass.  Only the
    ``first`` part hands back the tables copied whole into every part (bank_figures,
    targets: 170,000 target rows at a million loans would otherwise be held N times).

    A part's data errors come back as the value (not raised), so the client can list the
    problems of every part together.  A part may be empty: whether the whole ledger is, is
    the reduce's question.
    """
    try:
        ledger = load_ledger(Path(path))
        engine = Engine(ledger)
        if declared is not None:
            check_declared(ledger, declared)
        validate_ledger(ledger)
        check_journal(engine)
        ledger.problems.raise_if_any()
    except LedgerError as error:
        return error
    ledger.transactions.release()
    ledger.classifications.release()
    if ledger.balances is not None:  # a snapshot part: its derived journal is the engine's
        ledger.balances.release()
    recorder = RecordingEngine(engine)
    for report, period, include_loans in jobs:
        build_report(recorder, parse_period(period, report), config, now=FIXED_NOW,
                     include_loans=include_loans)
    keys = np.concatenate([k for k, _ in recorder.asked]) if recorder.asked else np.zeros(0,
                                                                                         np.int64)
    values = (np.concatenate([v for _, v in recorder.asked]) if recorder.asked
              else np.zeros(0, np.int64))
    book, accounts = recorder.deposit_book, ledger.deposit_accounts
    deposits = None if book is None or accounts is None else PartDeposits(
        accounts=_only(accounts, DEPOSIT_BOOK_COLUMNS), managers=ledger.deposit_managers,
        first_day=DepositBook.first_day(book), per_account=book.per_account)
    text_columns = (list(ledger.loans.text), list(ledger.customers.text))
    beside = {column: _first_given(ledger.loans, code, column)
              for code, column in BESIDE if column in ledger.loans.present}
    return PartFigures(
        customers=_lean(ledger.customers, CUSTOMERS), loans=_lean(ledger.loans, LOANS),
        bank_figures=ledger.bank_figures if first else None,
        targets=ledger.targets if first else None, branches=ledger.branches,
        managers=ledger.managers,
        products=ledger.products, groups=ledger.groups,
        snapshots=dict(engine._snapshots), per_loan=recorder.per_loan,
        transactions=recorder.transactions, balance_keys=keys, balance_values=values,
        flips=Engine.live_flips(engine) if recorder.wants_flips else None,
        daily=daily_totals(engine), last_day=engine.last_day(), first_day=engine.first_day(),
        journal_source=ledger.transactions.source, has_journal=engine.has_journal(),
        snapshot_days=ledger.snapshot_days, deposits=deposits, path=path,
        text_columns=text_columns, beside=beside)


def _only(columns: Columns, names: tuple[str, ...]) -> Columns:
    """Just the coded columns a reduce reads (no text: a million account ids, names and
    branches would be held for all parts at once, and no section shows them)."""
    return Columns(columns.source, columns.rows, {n: columns.values[n] for n in names},
                   set(columns.present))


def _lean(columns: Columns, table: Table) -> Columns:
    """The columns without their text (the client reads the few rows it lists from the
    part's file: parts/text.py), without the validator's masks of bad cells and blank
    required cells (a part with one never gets here) and without what is rebuilt on use:
    a text column turned into Python strings for a check (a million ``str`` objects:
    60 MB a column), factorised codes."""
    required = {c.name for c in table.columns if c.required}
    for name in list(columns.values):
        if name in columns.text or name.endswith(("__codes", "__bad")) or (
                name.endswith("__blank") and name.removesuffix("__blank") in required):
            # A bad cell, or a blank required one, stops the run: past validation these
            # masks are all False, and the metrics read only optional columns' blanks.
            del columns.values[name]
    columns.text.clear()
    return columns


def _first_given(loans: Columns, code: str, column: str
                 ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The part's codes with a non-blank ``column`` beside them, the row number of the
    first such loan and its value (the one-process rule, ``load._beside``, per part)."""
    rows = np.flatnonzero(~text_columns.blank_mask(loans.text[column]))
    found, first = np.unique(loans.values[code][rows], return_index=True)
    values = loans.text[column].take(pa.array(rows[first], type=pa.int64())).to_pylist()
    return found, loans.rows[rows[first]], [str(v) for v in values]
