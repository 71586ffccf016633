"""Deposit balances as of any day and their day sums (积数) over any window, whole-column.

The second book beside the loans' ``Engine``, on the same as-of idea.  A balance row
holds the account's end-of-day balance from its date until the account's next row (a
daily snapshot and a change-only export are read the same way); before its first row an
account holds 0.  The rows are sorted once by (account, date) (an export already in that
order is not), and each row is held until the day its account's next row starts.

A daily average avg(S, D) = Σ_{d∈[S,D]} bal(d) ÷ (D − S + 1) needs the numerator, the
积数 (fen·days).  Each row holds its balance for (next − date) days, so a running sum over
the sorted rows of balance × held days gives, per account, Σ_{d≤t} bal(d) for any day t
from two lookups: the full rows before the one holding on t, plus that row from its date
to t.  A window's numerator is that at D less that at S − 1: no Python loop over days or
rows, no pass over the rows per window, and exact integers throughout (the quotient is
kept as a fraction until it is shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from reportgen.daykeys import day_number, day_of
from reportgen.ledger.load import Ledger
from reportgen.ledger.parse import NO_DATE

_WINDOW_CACHE = 16  # per-account day sums kept (8 MB each at a million accounts)


@dataclass(frozen=True)
class DaySum:
    """Σ over the days of a window of each account's balance (fen·days), and the days."""

    fen_days: np.ndarray  # int64 per account
    days: int


class DepositBook:
    """Every deposit account's balance on a day and day sums over a window, at once."""

    def __init__(self, ledger: Ledger) -> None:
        accounts, balances = ledger.deposit_accounts, ledger.deposit_balances
        assert accounts is not None
        assert balances is not None
        self.n_accounts = n = len(accounts)
        self.kind = accounts["kind"].astype(np.int64)
        self.manager = accounts["manager_code"].astype(np.int64)
        self.customer = accounts["customer"].astype(np.int64)
        # The columns as parsed (int32 accounts and days, int64 fen) are used as they are:
        # at thirty million rows each int64 copy costs 250 MB and a pass over it.
        account, day = balances["account"], balances["date"]
        amount = balances["balance"]
        refused = account < 0
        refused |= day == NO_DATE
        refused |= balances["balance__blank"]
        refused |= balances["balance__bad"]
        if bool(refused.any()):  # rows the validator refuses: only in checks of a bad ledger
            valid = ~refused
            account, day, amount = account[valid], day[valid], amount[valid]
        del refused
        low = int(day.min()) if day.size else 0
        span = int(day.max()) - low + 1 if day.size else 1
        # (account, day) as one number, int32 while it fits (a million accounts over a
        # year): half the bytes of every pass, and the searches by day stay in its type.
        key = account.astype(np.int32 if n * span < 1 << 31 else np.int64)
        np.multiply(key, span, out=key)
        np.subtract(key, low, out=key)  # before the days: the sum stays below n × span
        np.add(key, day, out=key)
        if key.size > 1 and bool(np.less(key[1:], key[:-1]).any()):
            # Timsort: an export in (date, account) order is one ascending run a day.
            # An export in (account, date) order (a core system's usual) needs no sort.
            order = np.argsort(key, kind="stable")
            account, day, amount, key = account[order], day[order], amount[order], key[order]
        self.account, self.day = account, day
        self.balance_rows = amount.astype(np.int64, copy=False)
        self.row_start, self.row_end = _account_rows(account, n)
        # Made in place in the running sum's own array: one 64-bit column, not two.
        self._cum = np.zeros(len(day) + 1, dtype=np.int64)
        held = self._cum[1:]
        if day.size > 1:
            np.subtract(day[1:], day[:-1], out=held[:-1], dtype=np.int64)
        held[self.row_end[self.row_end > self.row_start] - 1] = 0
        held *= self.balance_rows
        np.cumsum(held, out=held)
        self.key = key
        self._span, self._low = span, low
        self._first = day_of(low) if day.size else None
        self._balances: dict[date, np.ndarray] = {}
        self._sums: dict[tuple[date, date], DaySum] = {}
        self._last: dict[int, np.ndarray] = {}

    def first_day(self) -> date | None:
        """The earliest balance date: before it the table says nothing (unknown, not 0)."""
        return self._first

    def known(self, day: date) -> bool:
        first = self.first_day()
        return first is not None and day >= first

    def _last_rows(self, d: int) -> np.ndarray:
        """Per account, its last row dated ≤ day number ``d`` (below its ``row_start``
        when it has none); ``d`` is at least the table's first day."""
        if d not in self._last:  # a report asks for D and O twice: balances and day sums
            offset = min(d - self._low, self._span - 1)
            needles = np.arange(self.n_accounts, dtype=self.key.dtype)
            needles *= self._span
            needles += offset
            if len(self._last) >= _WINDOW_CACHE:
                self._last.pop(next(iter(self._last)))
            self._last[d] = np.searchsorted(self.key, needles, side="right") - 1
        return self._last[d]

    def balance(self, day: date) -> np.ndarray:
        """bal(account, day) for every account, int64 fen (0 before its first row)."""
        if day not in self._balances:
            d = day_number(day)
            if not self.day.size or d < self._low:
                out = np.zeros(self.n_accounts, dtype=np.int64)
            else:
                last = self._last_rows(d)
                has = last >= self.row_start
                out = np.where(has, self.balance_rows[np.maximum(last, 0)], 0)
            self._balances[day] = out
        return self._balances[day]

    def _fen_days_to(self, d: int) -> np.ndarray:
        """Σ over every day up to day number ``d`` of each account's balance: the rows
        before the one holding on ``d`` in full (their running 积数), that one from its
        date to ``d``."""
        if not self.day.size or d < self._low:
            return np.zeros(self.n_accounts, dtype=np.int64)
        last = self._last_rows(d)
        has = last >= self.row_start
        at = np.maximum(last, 0)
        out = self._cum[at] - self._cum[self.row_start]
        out += self.balance_rows[at] * (d - self.day[at] + 1)
        out[~has] = 0
        return out

    def day_sum(self, start: date, end: date) -> DaySum:
        """Σ_{d∈[start, end]} bal(account, d) for every account (积数), and the day count."""
        window = (start, end)
        if window not in self._sums:
            s, d = day_number(start), day_number(end)
            fen_days = self._fen_days_to(d)
            fen_days -= self._fen_days_to(s - 1)
            if len(self._sums) >= _WINDOW_CACHE:
                self._sums.pop(next(iter(self._sums)))
            self._sums[window] = DaySum(fen_days, d - s + 1)
        return self._sums[window]


def _account_rows(account: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each account's first row and one past its last in rows sorted by account (an
    account without rows: an empty range where it would be), from where the account
    changes: a pass over the rows in their own type, where a ``bincount`` copies thirty
    million ids to 64 bits first."""
    end = np.zeros(n, dtype=np.int64)
    if account.size:
        last = np.flatnonzero(account[1:] != account[:-1])
        last = np.append(last, account.size - 1)
        end[account[last]] = last + 1
    np.maximum.accumulate(end, out=end)
    start = np.empty_like(end)
    if n:
        start[0] = 0
        start[1:] = end[:-1]
    return start, end


class ScopedDepositBook(DepositBook):
    """The deposit book of one scope: the whole bank's rows and sort, shared not copied,
    with the accounts outside ``mine`` at no balance on every day (so at 0 in every sum,
    count and day sum); which days are known stays the whole table's."""

    def __init__(self, base: DepositBook, mine: np.ndarray) -> None:
        self.__dict__.update(base.__dict__)
        self.base, self.mine = base, mine
        self._balances, self._sums = {}, {}

    def balance(self, day: date) -> np.ndarray:
        if day not in self._balances:
            self._balances[day] = np.where(self.mine, self.base.balance(day), 0)
        return self._balances[day]

    def day_sum(self, start: date, end: date) -> DaySum:
        window = (start, end)
        if window not in self._sums:
            whole = self.base.day_sum(start, end)
            if len(self._sums) >= _WINDOW_CACHE:
                self._sums.pop(next(iter(self._sums)))
            self._sums[window] = DaySum(np.where(self.mine, whole.fen_days, 0), whole.days)
        return self._sums[window]
