"""What every section reads: the period, its four as-of snapshots and the period's flows.

Built once per report; the snapshots come from the engine's cache, so reports of one run
that share an as-of date (a month end is also a dekad end) compute it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.config import Config
from reportgen.engine import Engine, Snapshot
from reportgen.ledger.load import Ledger
from reportgen.ledger.parsed import Columns
from reportgen.ledger.schema import DISBURSE, GRADE_CODES, SUBSTANDARD, WRITEOFF
from reportgen.metrics.daily import daily_totals
from reportgen.metrics.shared import shared
from reportgen.periods import Period
from reportgen.scope import WHOLE_BANK, Selection


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Distinct integers, ascending: a sort and a neighbour test (numpy's hash-based unique
    is several times slower on a million int64 keys)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def sorted_contains(haystack: np.ndarray, needles: np.ndarray) -> np.ndarray:
    """For each needle, whether it is in the ascending, distinct ``haystack``."""
    if not haystack.size:
        return np.zeros(needles.size, dtype=bool)
    pos = np.minimum(np.searchsorted(haystack, needles), haystack.size - 1)
    return haystack[pos] == needles


class Flows:
    """The period's flows: per loan, each made on first use (two binary searches per loan,
    so a report pays only for the ones its sections read; repayments come from the
    balance identity instead), and over the whole book, from the daily totals (two
    lookups)."""

    def __init__(self, engine: Engine, start: date, end: date) -> None:
        self.engine, self.start, self.end = engine, start, end

    @cached_property
    def disbursed(self) -> np.ndarray:
        return self.engine.flow(DISBURSE, self.start, self.end)

    @cached_property
    def reduced(self) -> np.ndarray:
        """Repaid plus written off, per loan, from the balance identity: a balance moves
        only by disbursements, repayments and write-offs, so what left it is opening +
        disbursed − closing, exactly.  The two balances are the period's O and D snapshots
        every report holds anyway; the repayment journal (the second largest) is not read."""
        opening = self.engine.snapshot(self.start - timedelta(days=1)).balance
        closing = self.engine.snapshot(self.end).balance
        return opening + self.disbursed - closing

    @cached_property
    def collected(self) -> np.ndarray:
        """Repaid per loan: ``reduced`` less the write-offs (a journal of a few rows)."""
        return self.reduced - self.written_off

    @cached_property
    def written_off(self) -> np.ndarray:
        return self.engine.flow(WRITEOFF, self.start, self.end)

    def total(self, tx_type: int) -> int:
        """Σ amount of ``tx_type`` over the period and every loan (of a scope: the sum of
        the whole bank's per-loan flow over its loans, a flow every scope shares)."""
        if (pick := self.engine.selected) is not None:
            return int(self.engine.whole.flow(tx_type, self.start, self.end)[pick].sum())
        return daily_totals(self.engine).total(tx_type, self.start, self.end)

    def count(self, tx_type: int) -> int:
        """How many ``tx_type`` transactions the period holds."""
        if (pick := self.engine.selected) is not None and tx_type == DISBURSE:
            whole = self.engine.whole
            counts = shared(whole, ("disburse count", self.start, self.end),
                            lambda: whole.disburse_count(self.start, self.end))
            return int(counts[pick].sum())
        return daily_totals(self.engine).rows(tx_type, self.start, self.end)


@dataclass
class Context:
    engine: Engine  # a scope's (``reportgen.scoped``) for a branch or manager report
    period: Period
    config: Config
    selection: Selection = WHOLE_BANK

    @property
    def ledger(self) -> Ledger:
        return self.engine.ledger

    @cached_property
    def first_day(self) -> date | None:
        """The ledger's first date (``Engine.first_day``), found once per ledger."""
        return shared(self.engine, ("first day",), self.engine.first_day)

    def known(self, day: date) -> bool:
        """Whether the ledger covers the end of ``day``.  Before its first date it holds no
        row, so a snapshot there is 0 for lack of data: a comparison on such a day (年初,
        同期, 期初, a target period's start) is unknown, shown "—", never 0."""
        days = self.ledger.snapshot_days  # a snapshot ledger knows its snapshot dates only
        if days is not None:
            return day in days
        return self.first_day is not None and day >= self.first_day

    @cached_property
    def d(self) -> Snapshot:
        return self.engine.snapshot(self.period.end)

    @cached_property
    def o(self) -> Snapshot:
        return self.engine.snapshot(self.period.opening)

    @cached_property
    def y(self) -> Snapshot:
        return self.engine.snapshot(self.period.year_start)

    @cached_property
    def ly(self) -> Snapshot:
        return self.engine.snapshot(self.period.last_year)

    @cached_property
    def flows(self) -> Flows:
        return Flows(self.engine, self.period.start, self.period.end)

    @cached_property
    def loan_customer(self) -> np.ndarray:
        return self.ledger.loans["customer"]

    @cached_property
    def n_customers(self) -> int:
        return len(self.ledger.customers)


def npl_mask(snap: Snapshot) -> np.ndarray:
    """Live loans graded substandard, doubtful or loss."""
    return snap.live & (snap.grade >= SUBSTANDARD)


def live_balance(snap: Snapshot) -> np.ndarray:
    """Balances with non-live loans zeroed (a balance is never negative after validation)."""
    return np.where(snap.live, snap.balance, 0)


_GRADE_NAMES = np.array(GRADE_CODES, dtype=object)


def grade_names(grades: np.ndarray) -> list[str]:
    """Grade codes (int8) as their names, by one array lookup."""
    names: list[str] = _GRADE_NAMES[grades].tolist()
    return names


def text_at(columns: Columns, name: str, rows: np.ndarray) -> pa.Array:
    """The text column ``name`` at ``rows`` ("" where blank), as an Arrow string array.

    A ledger keeps a text column in Arrow until it is asked for as numpy; turning a whole
    column of a million loans into Python strings costs about a tenth of a second, where a
    listing needs a few thousand of its cells, and the JSON writer reads them as Arrow.
    """
    if name in columns.values or name not in columns.text:
        return pa.array(columns[name][rows], type=pa.string())
    rows = np.where(rows < 0, rows + len(columns), rows)  # numpy's meaning of -1
    taken = pc.fill_null(pc.take(columns.text[name], pa.array(rows, type=pa.int64())), "")
    if isinstance(taken, pa.ChunkedArray):
        taken = taken.combine_chunks()
    return taken.cast(pa.string())


def sort_keys(texts: pa.Array) -> np.ndarray:
    """Strings as a numpy array that sorts them as Python does (by code point)."""
    return np.array(texts.to_pylist(), dtype=str)
