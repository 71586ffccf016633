"""The deposit side of the exact reduce: the parts' per-account answers joined into one
``DepositBook`` the unchanged deposit metrics read.

Deposit accounts are split with their customer (by the hash of ``customer_id``; an account
without one by the hash of its ``account_id``), their balance rows with their account, so
each part's ``DepositBook`` holds every row of its accounts.  As for loans, each account
keeps its original row number: the parts' per-account arrays (a balance on a day, a window's
day sums) concatenated and put in that order are exactly the arrays of the one-part run, and
every sum, count, 有贷户 split and manager row the metrics make of them is that run's.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from reportgen.daykeys import day_number
from reportgen.deposit_engine import DaySum, DepositBook


class MissingAnswerError(RuntimeError):
    """The reduced engine was asked something no part was asked (a bug, exit 1)."""


class ReducedDepositBook(DepositBook):
    """A ``DepositBook`` answering from the parts' notes, in original account order."""

    def __init__(self, kind: np.ndarray, manager: np.ndarray, customer: np.ndarray,
                 answers: list[dict[tuple[object, ...], np.ndarray]], order: np.ndarray,
                 first_day: date | None) -> None:
        # No rows here (no DepositBook.__init__): only the accounts and the answers.
        self.n_accounts = len(kind)
        self.kind, self.manager, self.customer = kind, manager, customer
        self._parts_answers = answers
        self._account_order = order
        self._first = first_day
        self._joined: dict[tuple[object, ...], np.ndarray] = {}

    def first_day(self) -> date | None:
        return self._first

    def _answer(self, key: tuple[object, ...]) -> np.ndarray:
        if key not in self._joined:
            got = [answers.pop(key, None) for answers in self._parts_answers]
            if self.n_accounts and all(a is None for a in got):
                raise MissingAnswerError(f"no part computed the deposits' {key!r}")
            arrays = [a for a in got if a is not None]
            joined = np.concatenate(arrays) if arrays else np.zeros(0, np.int64)
            if len(joined) != self.n_accounts:  # a part with accounts did not answer
                raise MissingAnswerError(f"a part did not compute the deposits' {key!r}")
            self._joined[key] = joined[self._account_order]
        return self._joined[key]

    def balance(self, day: date) -> np.ndarray:
        return self._answer(("balance", day))

    def day_sum(self, start: date, end: date) -> DaySum:
        return DaySum(self._answer(("day_sum", start, end)),
                      day_number(end) - day_number(start) + 1)
