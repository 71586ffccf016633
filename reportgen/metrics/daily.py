"""The whole book's transactions summed per type and day: the period's flows over all loans.

The summary shows the period's total disbursed, collected, written off, interest received
and recovered, and how many disbursements; the trend shows each month's disbursed and
collected.  None of these needs a per-loan split, yet a per-loan flow costs two binary
searches per loan (and the interest journal holds most of the rows).  One grouped sum over
the journal gives each (type, day) its total and row count; running sums over the days then
answer any window [S, D] with two lookups, for every report of a run (memoised on the
engine).

The rows summed are the engine's own per-type journals (``Engine.type_key``, whose keys
hold the day, and ``Engine.type_cum``), so the totals equal the sums of the engine's
per-loan flows (tests/test_metrics_daily.py); the summary's balance identity checks it again
on every report.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from reportgen.daykeys import day_number, key_days, key_loans
from reportgen.engine import Engine
from reportgen.metrics.grouped import group_sum
from reportgen.metrics.shared import shared


@dataclass(frozen=True)
class DailyTotals:
    """Running sums per transaction type over consecutive days from ``first_day``."""

    first_day: int  # the day before the first transaction: column 0, where every sum is 0
    amount: np.ndarray  # int64 (types, days): [t, i] = Σ amount of type t dated ≤ first_day + i
    count: np.ndarray  # int64, the same for the number of rows

    def _window(self, start: date, end: date) -> tuple[int, int]:
        last = self.amount.shape[1] - 1
        lo = min(max(day_number(start) - 1 - self.first_day, 0), last)
        hi = min(max(day_number(end) - self.first_day, 0), last)
        return lo, hi

    def total(self, tx_type: int, start: date, end: date) -> int:
        """Σ amount of ``tx_type`` over every loan, dated in [start, end]."""
        lo, hi = self._window(start, end)
        return int(self.amount[tx_type, hi] - self.amount[tx_type, lo])

    def rows(self, tx_type: int, start: date, end: date) -> int:
        """How many ``tx_type`` transactions are dated in [start, end]."""
        lo, hi = self._window(start, end)
        return int(self.count[tx_type, hi] - self.count[tx_type, lo])


def daily_totals(engine: Engine) -> DailyTotals:
    """The ledger's daily totals, computed once per engine from its per-type journals
    (a scoped engine's from the rows of its loans only)."""
    return shared(engine, ("daily_totals",), lambda: _daily_totals(engine))


def _daily_totals(engine: Engine) -> DailyTotals:
    n_types = len(engine.type_key)
    selected = engine.selected
    if selected is None:
        days = [key_days(keys) for keys in engine.type_key]
        amounts = [np.diff(cum) for cum in engine.type_cum]
    else:  # a scope: the rows of its loans, picked by one mask over each journal
        in_scope = np.zeros(engine.n_loans, dtype=bool)
        in_scope[selected] = True
        days, amounts = [], []
        for keys, cum in zip(engine.type_key, engine.type_cum, strict=True):
            pick = np.flatnonzero(in_scope[key_loans(keys)])
            days.append(key_days(keys[pick]))
            amounts.append(cum[pick + 1] - cum[pick])
    present = [d for d in days if d.size]
    first = min(int(d.min()) for d in present) if present else 0
    span = max(int(d.max()) for d in present) - first + 2 if present else 1  # + column 0
    amount = np.zeros((n_types, span), dtype=np.int64)
    count = np.zeros((n_types, span), dtype=np.int64)
    for t, (day, values) in enumerate(zip(days, amounts, strict=True)):
        column = day - (first - 1)  # column i holds the rows dated first - 1 + i
        amount[t] = group_sum(column, values, span)
        count[t] = np.bincount(column, minlength=span)
    return DailyTotals(first_day=first - 1, amount=np.cumsum(amount, axis=1),
                       count=np.cumsum(count, axis=1))
