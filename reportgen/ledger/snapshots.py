"""Snapshot ledgers: a ``balances`` table (借据余额) turned into the journal the engine reads.

Many branches receive only month-end (or daily) loan balance tables, not a journal.  Rather
than teach the engine and every metric a second kind of ledger, the load writes the journal
such a table implies, on whole columns, and everything after the load is unchanged
(mapping.md, "Snapshot ledgers (no journal)"):

* between *consecutive* snapshot dates each loan's net balance change is one derived row on
  the later date: a rise is a disbursement, a fall a repayment, or a write-off when the
  loan is marked written off on the later date;
* a loan missing from a snapshot date after it has appeared holds 0 from that date: its
  balance leaves as a repayment on the first date it is missing;
* each balances row is also a state row: its grade, and ``overdue_since`` = date −
  overdue_days + 1 (the engine counts the first overdue day as day 1), so the engine's
  grade and overdue days on every snapshot date are the table's, exactly.

Balances are thereby exact on every snapshot date (the sum of a loan's derived rows up to a
date is its balance there), and so is every figure read from a snapshot date.  The derived
rows point at the balances row they came from, so a later rule's message names a real row.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.formatting import yuan
from reportgen.ledger.parse import DECIMAL_SCALE, NO_DATE, days_to_dates
from reportgen.ledger.problems import Problems
from reportgen.ledger.schema import DISBURSE, REPAY, WRITEOFF
from reportgen.ledger.validate import iso_days

DERIVED_LABEL = "由余额变动推算"  # how every format labels flows derived from balances
TRUE_TEXT = ("true", "1", "y", "是")
FALSE_TEXT = ("false", "0", "n", "否")


def written_off(text: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """The 核销标志 column as (flag, bad) masks: true/false, 1/0, Y/N, 是/否 in any case;
    a blank cell is false (the column is optional)."""
    if text.null_count == len(text):  # no 核销标志 column, or nothing in it
        return np.zeros(len(text), dtype=bool), np.zeros(len(text), dtype=bool)
    lowered = pc.utf8_lower(pc.fill_null(text, ""))  # the loader trimmed the cells
    flag = _mask(pc.is_in(lowered, value_set=pa.array(TRUE_TEXT)))
    bad = ~flag & ~_mask(pc.is_in(lowered, value_set=pa.array((*FALSE_TEXT, ""))))
    return flag, bad


def _mask(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks() if array.num_chunks else pa.array([], pa.bool_())
    return np.asarray(array.to_numpy(zero_copy_only=False), dtype=bool)


class Derived:
    """The journal and state rows a balances table implies, as the loader's columns."""

    def __init__(self, tx: dict[str, np.ndarray], cl: dict[str, np.ndarray],
                 tx_rows: np.ndarray, cl_rows: np.ndarray, days: frozenset[date]) -> None:
        self.tx, self.cl, self.tx_rows, self.cl_rows, self.days = tx, cl, tx_rows, cl_rows, days


def check(values: dict[str, np.ndarray], loan: np.ndarray, loan_start: np.ndarray,
          source: str, rows: np.ndarray, flag_text: pa.Array | pa.ChunkedArray,
          problems: Problems) -> tuple[np.ndarray, np.ndarray]:
    """Record the balances table's rules in ``problems``; return the mask of usable rows.

    Cell problems (an unparsable balance, date or grade) were recorded while parsing; this
    adds a negative balance, overdue days that are not a whole number ≥ 0, a bad 核销标志,
    a balance dated before the loan's start date and a second row for one (loan, date).
    Also returns the rows' order by (loan, date), which ``derive`` reuses: one stable sort,
    fast on an export already in date or loan order (a few long ascending runs).
    """
    balance, day, overdue = values["balance"], values["date"], values["overdue_days"]
    parsed = {name: ~values[f"{name}__blank"] & ~values[f"{name}__bad"]
              for name in ("balance", "date", "overdue_days", "grade")}
    problems.add_mask(source, "balance", parsed["balance"] & (balance < 0), rows,
                      _Fen(balance), "must not be negative")
    bad_days = parsed["overdue_days"] & ((overdue < 0) | (overdue % DECIMAL_SCALE != 0))
    problems.add_mask(source, "overdue_days", bad_days, rows, _Whole(overdue),
                      "must be a whole number of days, 0 or more")
    flag_bad = values["written_off__flag_bad"]
    problems.add_mask(source, "written_off", flag_bad, rows, flag_text,
                      "not one of: true/false, 1/0, Y/N, 是/否")
    known = loan >= 0
    start = np.where(known, loan_start[np.where(known, loan, 0)], NO_DATE)
    early = (known & parsed["date"] & (start != NO_DATE) & (day < start)
             & parsed["balance"] & (balance > 0))
    problems.add_mask(source, "date", early, rows, iso_days(day),
                      "a balance dated before its loan's start_date")
    usable = known & parsed["date"] & parsed["balance"] & parsed["grade"] & parsed["overdue_days"]
    usable &= ~early & ~bad_days & ~flag_bad & (balance >= 0)
    # A second row for one (loan, date): every occurrence after the first is reported.
    keys = loan.astype(np.int64) << 32
    keys += day
    keys -= NO_DATE
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    repeat = np.zeros(len(keys), dtype=bool)
    repeat[order[1:]] = (ordered[1:] == ordered[:-1]) & usable[order[1:]] & usable[order[:-1]]
    problems.add_mask(source, "date", repeat, rows, iso_days(day),
                      "a second balances row for the same loan_id and date")
    return usable & ~repeat, order


def derive(values: dict[str, np.ndarray], loan: np.ndarray, usable: np.ndarray,
           order: np.ndarray, rows: np.ndarray) -> Derived:
    """The derived journal and state rows of the usable balances rows (see module doc);
    ``order`` puts the rows in (loan, date) order."""
    pick = order[usable[order]]
    loan, day = loan[pick].astype(np.int64), values["date"][pick].astype(np.int64)
    balance = values["balance"][pick].astype(np.int64)
    flag = values["written_off__flag"][pick]
    row = rows[pick]
    n = len(pick)
    # The snapshot dates, ascending, and each row's snapshot number, by a table over the
    # days spanned (at most 110,000: the loader's date range) rather than a sort.
    low = int(day.min()) if n else 0
    seen = np.bincount(day - low) > 0 if n else np.zeros(0, dtype=bool)
    dates = np.flatnonzero(seen) + low
    number = np.cumsum(seen) - 1
    index = number[day - low]
    same = np.zeros(n, dtype=bool)  # the row before is the same loan's
    same[1:] = loan[1:] == loan[:-1]
    follows = np.zeros(n, dtype=bool)  # … on the snapshot date just before
    follows[1:] = same[1:] & (index[1:] == index[:-1] + 1)
    previous = np.zeros(n, dtype=np.int64)
    previous[1:] = np.where(follows[1:], balance[:-1], 0)
    change = balance - previous
    # Closures: a row whose loan is missing from the next snapshot date (its next row is
    # later, or it has none) leaves its balance on that next date.
    gap = np.ones(n, dtype=bool)
    gap[:-1] = ~follows[1:]
    closing = np.flatnonzero(gap & (index < len(dates) - 1) & (balance > 0))
    moved = np.flatnonzero(change != 0)
    tx_loan = np.concatenate((loan[moved], loan[closing]))
    tx_day = np.concatenate((day[moved], dates[index[closing] + 1]))
    tx_type = np.concatenate((
        np.where(change[moved] > 0, DISBURSE, np.where(flag[moved], WRITEOFF, REPAY)),
        np.full(len(closing), REPAY))).astype(np.int8)
    amount = np.concatenate((np.abs(change[moved]), balance[closing]))
    tx_rows = np.concatenate((row[moved], row[closing]))
    overdue = values["overdue_days"][pick] // DECIMAL_SCALE
    since = np.where(overdue > 0, day - overdue + 1, NO_DATE)
    cl: dict[str, np.ndarray] = {"loan": loan.astype(np.int32), "date": day.astype(np.int32),
          "grade": values["grade"][pick].astype(np.int8),
          "overdue_since": since.astype(np.int32)}
    tx: dict[str, np.ndarray] = {"loan": tx_loan.astype(np.int32), "date": tx_day.astype(np.int32),
          "type": tx_type, "amount": amount}
    days = frozenset(d.item() for d in days_to_dates(dates).astype("datetime64[D]"))
    return Derived(tx, cl, tx_rows, row, days)


class _Fen:
    """Money shown in a message, formatted only for the rows shown."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __getitem__(self, i: int) -> str | None:
        return yuan(int(self.values[i]))


class _Whole:
    """Millionths shown as the number typed (overdue days are read as decimals)."""

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __getitem__(self, i: int) -> str:
        return f"{Decimal(int(self.values[i])).scaleb(-6).normalize():f}"
