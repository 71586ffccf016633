"""Balances, flows and states of every loan as of any date, on whole columns.

The transactions are sorted once by (loan, date) and turned into running sums per type.
A loan's balance at the end of day D is then one binary search into that order and two
reads of the running sum (``cum[upto(D)] − cum[first]``); a flow over [S, D] is
``cum[upto(D)] − cum[upto(S − 1)]``.  The state (grade, overdue_since) on D is an as-of
join the same way over the sorted classification rows.  Everything is integer fen; no
Python loop touches a loan.  Each as-of date's ``Snapshot`` is computed once and cached,
so the reports of one run share it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from reportgen.daykeys import (
    DAY_BITS,
    DAY_OFFSET,
    day_number,
    day_of,
    key_days,
    loan_day_keys,
    query_day,
    running_sum,
    sorted_keys,
)
from reportgen.ledger.load import Ledger
from reportgen.ledger.parse import NO_DATE
from reportgen.ledger.parsed import Columns
from reportgen.ledger.schema import DISBURSE, NORMAL

FLOW_CACHE_SIZE = 12  # per-loan flow arrays kept (8 MB each at a million loans)


def remembered(cache: dict[Any, np.ndarray], key: Hashable, size: int,
               compute: Callable[[], np.ndarray]) -> np.ndarray:
    """``compute()`` kept read-only in ``cache`` under ``key``: at most ``size`` arrays,
    the least recently used dropped first.  The per-loan window arrays (flows, day sums)
    are asked for again and again by the reports and scopes of one run, and each costs a
    pass over the journal; a few windows cover a run."""
    cached = cache.pop(key, None)
    if cached is None:
        cached = compute()
        cached.setflags(write=False)
        if len(cache) >= size:
            cache.pop(next(iter(cache)))
    cache[key] = cached  # most recently used last
    return cached


_BATCH_DAYS = 6  # snapshot days searched together
_BATCH_LOANS = 1 << 18  # loans per block of those searches
PRINCIPAL_SIGN = np.array([1, -1, -1, 0, 0], dtype=np.int64)  # by transaction type code


@dataclass(frozen=True)
class Snapshot:
    """Every loan on one day: balance (fen), live, grade code, overdue days, has a state row."""

    day: date
    balance: np.ndarray  # int64
    live: np.ndarray  # bool: balance > 0
    grade: np.ndarray  # int8 (normal when no state row yet)
    overdue_days: np.ndarray  # int32, 0 when not live
    has_state: np.ndarray  # bool


@dataclass(frozen=True)
class LiveTotals:
    """Σ of a per-loan weight over each group's live loans, at the end of any day.

    Made by ``Engine.live_totals``.  A loan enters its group's total at the end of a day on
    which its balance turns positive and leaves it when the balance falls back to 0, so the
    total of a group on day d is the running sum of those entries and exits up to d: one
    binary search per (group, day) asked, whatever the number of days.
    """

    keys: np.ndarray  # int64 (group, day) keys of the entries and exits, ascending
    cum: np.ndarray  # int64 running sum of their weights (+ entry, − exit), leading 0

    def at(self, groups: np.ndarray, days: np.ndarray) -> np.ndarray:
        """For each (group, day number) pair, Σ weight of the group's loans live at the end
        of that day (int64).

        The pairs are searched in key order: numpy starts each search of an ascending run
        of needles where the last one ended, 3× faster than in the order asked at 400,000
        pairs.  The group's own part of the running sum starts at its first key (day bits
        cleared).
        """
        needles = loan_day_keys(groups, days)
        order = np.argsort(needles)
        needles = needles[order]
        upto = np.searchsorted(self.keys, needles, side="right")
        needles >>= DAY_BITS
        needles <<= DAY_BITS
        first = np.searchsorted(self.keys, needles, side="left")
        out = np.empty(len(order), dtype=np.int64)
        out[order] = self.cum[upto] - self.cum[first]
        return out


class Engine:
    """Answers "what was true on day D" and "what moved in [S, D]" for every loan at once."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.n_loans = n = ledger.n_loans
        self.loan_index = np.arange(n, dtype=np.int64)
        # The state rows are sorted on a second thread while the journal is (numpy's sorts,
        # gathers and running sums release the GIL); nothing of one reads the other.
        with ThreadPoolExecutor(max_workers=1) as beside:
            states = beside.submit(self._init_states)
            self._init_transactions(beside)
            states.result()
        # Each loan's first row in the sorted journal: the rows of the loans before it.
        counts = np.bincount(self.tx_loan, minlength=n)[:n]
        self.tx_first = np.cumsum(counts) - counts
        self._snapshots: dict[date, Snapshot] = {}
        self._flow_cache: dict[tuple[int, date, date], np.ndarray] = {}
        self._day_sums: dict[tuple[date, date], np.ndarray] = {}
        self.memo: dict[object, object] = {}  # per-day figures shared by reports (positions)

    @property
    def whole(self) -> Engine:
        """The whole bank's engine: itself; a scoped engine's base (``reportgen.scoped``).
        Figures judged on the whole bank (普惠 eligibility) read this one."""
        return self

    @property
    def selected(self) -> np.ndarray | None:
        """The indices of the loans a scoped engine covers; None for the whole bank."""
        return None

    # -- set-up ---------------------------------------------------------------------------
    def _init_transactions(self, beside: Executor) -> None:
        """The journal in (loan, day) order, its principal running sum and the per-type
        sub-journals; the sub-journals are built on ``beside`` (the second core) while this
        thread makes the principal sum: both only read the sorted keys, types and amounts."""
        tx = self.ledger.transactions
        # A row without a known loan, a date, a type or an amount is a load problem; with
        # none recorded every row is usable and the four column tests can be skipped.
        valid = None if not self.ledger.problems else (
            (tx["loan"] >= 0) & (tx["date"] != NO_DATE) & (tx["type"] >= 0)
            & ~tx["amount__blank"])
        self.tx_key, pick = sorted_keys(tx["loan"], tx["date"], valid)
        file_rows, types = beside.submit(pick, tx.rows), beside.submit(pick, tx["type"])
        amount = pick(tx["amount"])
        self.tx_row, tx_type = file_rows.result(), types.result()
        del pick, file_rows, types  # the sort order: 8 bytes a row, not kept past the picks
        reversals = bool("reversal" in tx.values and tx["reversal"].any())
        by_type = beside.submit(self._init_types, tx_type, amount, reversals)
        # Loan and day come back out of the sorted keys, written straight into int32: a
        # shift and a mask run through memory, where a gather by the sort order jumps about.
        rows = len(self.tx_key)
        self.tx_loan = np.right_shift(self.tx_key, DAY_BITS, out=np.empty(rows, np.int32),
                                      casting="unsafe")
        self.tx_day = key_days(self.tx_key, np.int32)
        signed = PRINCIPAL_SIGN[tx_type]  # disburse +, repay and writeoff −, the rest 0
        signed *= amount
        self.cum_principal = running_sum(signed)
        del signed
        by_type.result()

    def _init_types(self, tx_type: np.ndarray, amount: np.ndarray, reversals: bool) -> None:
        """Flows: per type, its own sorted keys and running sum.  Picking each type's rows
        keeps them in (loan, day) order; five compress passes beat a sort by type."""
        self.type_key: list[np.ndarray] = []
        self.type_cum: list[np.ndarray] = []
        # With reversals (a mapped export's 冲正 rows, negative amounts) a type's running
        # flow can fall below zero: the journal check needs each type row's file row.
        self.type_row: list[np.ndarray] | None = [] if reversals else None
        for t in range(len(PRINCIPAL_SIGN)):
            of_type = tx_type == t
            self.type_key.append(self.tx_key[of_type])
            self.type_cum.append(running_sum(amount[of_type]))
            if self.type_row is not None:
                self.type_row.append(self.tx_row[of_type])

    def _init_states(self) -> None:
        cl = self.ledger.classifications
        valid = (cl["loan"] >= 0) & (cl["date"] != NO_DATE) & (cl["grade"] >= 0)
        self.cl_key, pick = sorted_keys(cl["loan"], cl["date"], valid)
        self.cl_loan = pick(cl["loan"])
        self.cl_day = pick(cl["date"])
        self.cl_grade = pick(cl["grade"])
        self.cl_overdue_since = pick(cl["overdue_since"])
        self.cl_row = pick(cl.rows)

    # -- queries ---------------------------------------------------------------------------
    def _position(self, keys: np.ndarray, day: int) -> np.ndarray:
        """For each loan, the index one past its last row in ``keys`` dated ≤ day."""
        return np.searchsorted(keys, loan_day_keys(self.loan_index, query_day(day)), side="right")

    def balance(self, day: date) -> np.ndarray:
        """bal(x, day) for every loan, int64 fen (reports read it from ``snapshot``, which
        caches it)."""
        return self._balance_at(self._position(self.tx_key, day_number(day)))

    def _balance_at(self, tx_upto: np.ndarray) -> np.ndarray:
        """Balances from each loan's position one past its last transaction of the day."""
        return self.cum_principal[tx_upto] - self.cum_principal[self.tx_first]

    def _window(self, tx_type: int, start: date, end: date) -> tuple[np.ndarray, np.ndarray]:
        keys = self.type_key[tx_type]
        return (self._position(keys, day_number(start) - 1),
                self._position(keys, day_number(end)))

    def flow(self, tx_type: int, start: date, end: date) -> np.ndarray:
        """Σ amount of ``tx_type`` per loan over transactions dated in [start, end].

        Memoised (a few windows): the reports of a month-end run measure the same target
        periods (year, quarter, month to date) against the same day.
        """
        def compute() -> np.ndarray:
            before, last = self._window(tx_type, start, end)
            cum = self.type_cum[tx_type]
            return cum[last] - cum[before]

        return remembered(self._flow_cache, (tx_type, start, end), FLOW_CACHE_SIZE, compute)

    def disburse_count(self, start: date, end: date) -> np.ndarray:
        """Number of disbursements per loan dated in [start, end]."""
        before, last = self._window(DISBURSE, start, end)
        return (last - before).astype(np.int64)

    def transactions_in(self, tx_type: int, start: date, end: date
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(loan, day number, amount) of each ``tx_type`` transaction dated in [start, end],
        for figures that weigh each transaction on its own day rather than per loan."""
        keys = self.type_key[tx_type]
        days = key_days(keys)
        pick = np.flatnonzero((days >= day_number(start)) & (days <= day_number(end)))
        cum = self.type_cum[tx_type]
        return keys[pick] >> DAY_BITS, days[pick], cum[pick + 1] - cum[pick]

    def day_sums(self, start: date, end: date) -> np.ndarray:
        """Σ_{d∈[start, end]} bal(loan, d) per loan (fen·days, int64): the numerator of a
        daily average balance (贷款日均余额).

        A principal row (signed amount a, dated t ≤ end) is in the balance from t on, so it
        adds a × (end − max(t, start) + 1): one product and one running sum over the
        journal, read at each loan's first row, no loop over days.  Per loan (not one
        total) so that a scope masks it and the parts of a partitioned run join it;
        cached per window, since every scope of a burst run masks the same array.
        """
        return remembered(self._day_sums, (start, end), FLOW_CACHE_SIZE,
                          lambda: self._compute_day_sums(start, end))

    def _compute_day_sums(self, start: date, end: date) -> np.ndarray:
        signed = np.diff(self.cum_principal)
        held = self.tx_day.astype(np.int64)
        np.maximum(held, day_number(start), out=held)
        np.subtract(day_number(end) + 1, held, out=held)
        np.maximum(held, 0, out=held)
        signed *= held
        del held
        cum = running_sum(signed)
        return cum[self.tx_first + self._tx_counts()] - cum[self.tx_first]

    def _tx_counts(self) -> np.ndarray:
        """Each loan's number of usable journal rows."""
        return np.bincount(self.tx_loan, minlength=self.n_loans)[:self.n_loans]

    def balances(self, loans: np.ndarray, days: np.ndarray) -> np.ndarray:
        """bal(loan, day) for each (loan, day number) pair: one binary search each."""
        upto = np.searchsorted(self.tx_key, loan_day_keys(loans, days), side="right")
        return self.cum_principal[upto] - self.cum_principal[self.tx_first[loans]]

    def live_totals(self, loan_group: np.ndarray, weight: np.ndarray) -> LiveTotals:
        """Σ ``weight`` over the live loans of each group (``loan_group``: a code per loan,
        negative for none: such loans are left out early, so a caller that needs only a few
        groups pays for those), answerable for any (group, day) pairs (普惠: a customer's
        live contract amounts on each day it borrows).

        One pass over the journal in (loan, day) order: the balance after each loan's last
        principal row of a day (interest and recoveries, most of the rows, move nothing)
        says whether the loan is live at the end of that day; the days on which that flips
        are the entries and exits, sorted by (group, day) once.  O(n log n) in the flips,
        not loans × days.
        """
        return totals_from_flips(*self.live_flips(loan_group), loan_group, weight)

    def live_flips(self, loan_group: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(loan, day number, turns live) of each end of day on which a loan turns live or
        stops being live, in (loan, day) order; only the loans of a group (≥ 0) when
        ``loan_group`` is given.  A partitioned run reduces these across parts."""
        moves = np.flatnonzero(self.cum_principal[1:] != self.cum_principal[:-1])
        if not moves.size:
            return np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(0, bool)
        keys = self.tx_key[moves]
        ends = moves[np.append(keys[1:] != keys[:-1], True)]
        del keys
        loan = self.tx_loan[ends]
        if loan_group is not None:
            kept = np.flatnonzero(loan_group[loan] >= 0)  # the loans of no group cost nothing
            ends, loan = ends[kept], loan[kept]
        live = self.cum_principal[ends + 1] > self.cum_principal[self.tx_first[loan]]
        before = np.empty_like(live)  # live at the end of the loan's previous day
        before[:1] = False
        before[1:] = live[:-1] & (loan[1:] == loan[:-1])
        flips = np.flatnonzero(live != before)
        return loan[flips].astype(np.int64), self.tx_day[ends[flips]], live[flips]

    def state(self, day: date) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(grade, overdue_since, has_row) per loan from its latest state row dated ≤ day."""
        return self._state_at(self._position(self.cl_key, day_number(day)))

    def _state_at(self, upto: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``state`` from each loan's position one past its last state row of the day."""
        if not len(self.cl_key):
            return (np.full(self.n_loans, NORMAL, np.int8),
                    np.full(self.n_loans, NO_DATE, np.int32), np.zeros(self.n_loans, bool))
        pos = upto - 1
        safe = np.maximum(pos, 0)
        has = (pos >= 0) & (self.cl_loan[safe] == self.loan_index)
        grade = np.where(has, self.cl_grade[safe], NORMAL).astype(np.int8)
        since = np.where(has, self.cl_overdue_since[safe], NO_DATE).astype(np.int32)
        return grade, since, has

    def snapshot(self, day: date) -> Snapshot:
        """Balance, grade and overdue days of every loan at the end of ``day`` (cached)."""
        return self.snapshots([day])[0]

    def snapshots(self, days: list[date]) -> list[Snapshot]:
        """``snapshot`` of several days (a trend's month ends), cached like it.

        The days not cached yet share one binary search per journal: the needles go loan
        by loan, each loan's days together, so after a loan's first search its others land
        in memory already in cache (12 month ends cost about a third less than one by one).
        The state rows are searched on a second thread meanwhile (searchsorted releases
        the GIL), so a report's first snapshots do not leave a core idle.
        """
        missing = sorted({day for day in days if day not in self._snapshots})
        for first in range(0, len(missing), _BATCH_DAYS):  # bounded: 2 × 48 MB at 1M loans
            batch = missing[first:first + _BATCH_DAYS]
            numbers = np.array([query_day(day_number(day)) for day in batch], dtype=np.int64)
            with ThreadPoolExecutor(max_workers=1) as beside:  # the state rows' search
                states = beside.submit(self._positions, self.cl_key, numbers)
                tx_upto = self._positions(self.tx_key, numbers)
                cl_upto = states.result()
            for j, day in enumerate(batch):
                self._snapshots[day] = self._snapshot_at(day, tx_upto[:, j], cl_upto[:, j])
        return [self._snapshots[day] for day in days]

    def _positions(self, keys: np.ndarray, days: np.ndarray) -> np.ndarray:
        """``_position`` for each of ``days``: a (loans, days) array, searched a block of
        loans at a time so that the needles stay small."""
        out = np.empty((self.n_loans, len(days)), dtype=np.int64)
        for lo in range(0, self.n_loans, _BATCH_LOANS):
            hi = min(lo + _BATCH_LOANS, self.n_loans)
            needles = np.repeat(self.loan_index[lo:hi] << DAY_BITS, len(days))
            needles.reshape(hi - lo, len(days))[:] += days + DAY_OFFSET
            out[lo:hi] = np.searchsorted(keys, needles, side="right").reshape(hi - lo, -1)
        return out

    def _snapshot_at(self, day: date, tx_upto: np.ndarray, cl_upto: np.ndarray) -> Snapshot:
        d = day_number(day)
        balance = self._balance_at(tx_upto)
        live = balance > 0
        grade, since, has = self._state_at(cl_upto)
        from_state = np.where(since != NO_DATE, d - since.astype(np.int64) + 1, 0)
        maturity = self.ledger.loans["maturity_date"].astype(np.int64)
        from_contract = np.where((maturity != NO_DATE) & (d > maturity), d - maturity, 0)
        if self.ledger.snapshot_days is not None:  # the snapshot's 逾期天数 is the figure
            from_contract = np.zeros_like(from_contract)
        overdue = np.where(live, np.maximum(from_state, from_contract), 0).astype(np.int32)
        return Snapshot(day, balance, live, grade, overdue, has)

    def bank_figure(self, item: int, day: date, rows: np.ndarray | None = None) -> int | None:
        """The bank-level figure (provision, net capital) on ``day``: latest row dated ≤ day.

        ``rows``: the rows of ``bank_figures`` to read (a branch's own); by default the
        legal entity's, those without a branch.
        """
        figures = self.ledger.bank_figures
        if figures is None or not len(figures):
            return None
        days, items, amounts = figures["date"], figures["item"], figures["amount"]
        if rows is None:
            rows = entity_rows(figures)
        mask = rows & (items == item) & (days != NO_DATE) & (days <= day_number(day))
        if not mask.any():
            return None
        latest = days[mask].max()
        return int(amounts[mask & (days == latest)][-1])

    def last_day(self) -> date | None:
        """The latest transaction or state date: the data date of a ledger that declares
        none (``validate`` also checks warnings on it)."""
        days = np.concatenate((self.tx_day, self.cl_day))
        if not len(days):
            return None
        return day_of(int(days.max()))

    def first_day(self) -> date | None:
        """The ledger's first date: its earliest transaction, state or loan start date.

        A balance is the sum of a loan's transactions, so before this day the ledger holds
        no row at all and a figure "as of" an earlier day would be 0 for lack of data, not
        because the book was empty.  A loan's start date counts: no disbursement may come
        before it, so from the earliest start on the ledger holds every loan's whole life.
        """
        starts = self.ledger.loans["start_date"]
        if self.ledger.snapshot_days is not None:  # nothing is known before the first one
            starts = starts[:0]
        firsts = [int(days.min()) for days in (self.tx_day, self.cl_day,
                                               starts[starts != NO_DATE]) if len(days)]
        return day_of(min(firsts)) if firsts else None

    def has_journal(self) -> bool:
        """Whether any transaction row is usable: without one every figure would be 0."""
        return bool(len(self.tx_key))


def totals_from_flips(loan: np.ndarray, day: np.ndarray, entry: np.ndarray,
                      loan_group: np.ndarray, weight: np.ndarray) -> LiveTotals:
    """``LiveTotals`` from the flips of ``Engine.live_flips`` (every loan in a group)."""
    if not loan.size:
        return LiveTotals(np.empty(0, np.int64), np.zeros(1, np.int64))
    flip_keys = loan_day_keys(loan_group[loan], day)
    order = np.argsort(flip_keys, kind="stable")
    signed = np.where(entry, weight[loan], -weight[loan]).astype(np.int64)
    return LiveTotals(flip_keys[order], running_sum(signed[order]))


FIGURE_BRANCH_COLUMNS = ("branch_id", "branch")  # optional columns of bank_figures


def entity_rows(figures: Columns) -> np.ndarray:
    """The rows of ``bank_figures`` that are the legal entity's: no branch named."""
    rows = np.ones(len(figures), dtype=bool)
    for name in FIGURE_BRANCH_COLUMNS:
        if name in figures.present:
            rows &= figures[f"{name}__blank"]
    return rows
