"""Deposit balances as of any day and their day sums (积数) over any window, whole-column.

The second book beside the loans' ``Engine``, on the same as-of idea.  A balance row
holds the account's end-of-day balance from its date until the account's next row (a
daily snapshot and a change-only export are read the same way); before its first row an
account holds 0.  The rows are sorted once by (account, date), and each row learns the
day its account's next row starts (``next_day``).

A daily average avg(S, D) = Σ_{d∈[S,D]} bal(d) ÷ (D − S + 1) needs the numerator, the
积数 (fen·days).  Each row contributes its balance times the days it holds inside the
window, max(0, min(next − 1, D) − max(date, S) + 1), so the whole numerator is one product
sum over the rows and a running sum per account: no Python loop over days or rows, and
exact integers throughout (the quotient is kept as a fraction until it is shown).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from reportgen.engine import day_number, day_of
from reportgen.ledger.load import Ledger
from reportgen.ledger.parse import NO_DATE

_WINDOW_CACHE = 16  # per-account day sums kept (8 MB each at a million accounts)
_NEVER = np.iinfo(np.int64).max // 4  # "no next row": held until the end of time


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
        account = balances["account"].astype(np.int64)
        day = balances["date"].astype(np.int64)
        amount = balances["balance"]
        valid = account >= 0
        valid &= day != NO_DATE
        valid &= ~balances["balance__blank"]
        valid &= ~balances["balance__bad"]
        if not bool(valid.all()):  # rows the validator refuses: only in checks of a bad ledger
            account, day, amount = account[valid], day[valid], amount[valid]
        low = int(day.min()) if day.size else 0
        span = int(day.max()) - low + 1 if day.size else 1
        key = account * span
        key += day
        key -= low
        if key.size > 1 and bool((key[1:] < key[:-1]).any()):
            # Timsort: an export in (date, account) order is one ascending run a day.
            order = np.argsort(key, kind="stable")
            account, day, amount, key = account[order], day[order], amount[order], key[order]
        self.account, self.day = account, day
        self.balance_rows = amount.astype(np.int64, copy=False)
        counts = np.bincount(account, minlength=n)[:n] if n else np.zeros(0, np.int64)
        self.row_end = np.cumsum(counts)  # one past each account's last row
        self.row_start = self.row_end - counts
        nxt = np.full(len(day), _NEVER, dtype=np.int64)
        if day.size > 1:
            np.copyto(nxt[:-1], day[1:], where=account[1:] == account[:-1])
        self.next_day = nxt
        self.key = key
        self._span, self._low = span, low
        self._first = day_of(low) if day.size else None
        self._balances: dict[date, np.ndarray] = {}
        self._sums: dict[tuple[date, date], DaySum] = {}

    def first_day(self) -> date | None:
        """The earliest balance date: before it the table says nothing (unknown, not 0)."""
        return self._first

    def known(self, day: date) -> bool:
        first = self.first_day()
        return first is not None and day >= first

    def balance(self, day: date) -> np.ndarray:
        """bal(account, day) for every account, int64 fen (0 before its first row)."""
        if day not in self._balances:
            d = day_number(day)
            if not self.day.size or d < self._low:
                out = np.zeros(self.n_accounts, dtype=np.int64)
            else:
                offset = min(d - self._low, self._span - 1)
                needles = np.arange(self.n_accounts, dtype=np.int64) * self._span + offset
                last = np.searchsorted(self.key, needles, side="right") - 1
                has = last >= self.row_start
                out = np.where(has, self.balance_rows[np.maximum(last, 0)], 0)
            self._balances[day] = out
        return self._balances[day]

    def day_sum(self, start: date, end: date) -> DaySum:
        """Σ_{d∈[start, end]} bal(account, d) for every account (积数), and the day count."""
        window = (start, end)
        if window not in self._sums:
            s, d = day_number(start), day_number(end)
            held = np.minimum(self.next_day - 1, d)
            held -= np.maximum(self.day, s)
            held += 1
            np.maximum(held, 0, out=held)
            held *= self.balance_rows
            cum = np.empty(len(held) + 1, dtype=np.int64)
            cum[0] = 0
            np.cumsum(held, out=cum[1:])
            if len(self._sums) >= _WINDOW_CACHE:
                self._sums.pop(next(iter(self._sums)))
            self._sums[window] = DaySum(cum[self.row_end] - cum[self.row_start], d - s + 1)
        return self._sums[window]


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
