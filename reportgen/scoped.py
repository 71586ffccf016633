"""A scope's view of the engine: the whole bank's per-day arrays, masked by a selection.

``ScopedEngine`` shares every array of the whole bank's ``Engine`` (the sorted journal,
its running sums, the cached snapshots and flows) and answers the same questions for the
loans of one ``Selection`` only: a snapshot's loans outside the scope have no balance and
are not live, a flow is 0 outside it, a window's transactions are the scope's.  So every
section, written for the whole bank, computes a branch's or a manager's figures exactly,
and fifty branches cost fifty masks over arrays made once, not fifty loads.

Figures judged on the whole bank (普惠 eligibility: a customer's total credit at the
bank) read ``engine.whole``.  Figures of the legal entity (provision, net capital) come
from the branch's own rows of ``bank_figures`` when it has them, else they are unknown.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np

from reportgen.engine import FIGURE_BRANCH_COLUMNS, Engine, Snapshot, remembered
from reportgen.scope import BRANCH, Selection, aliases

_OWN_FLOWS = 16  # masked flows a scope keeps (the base engine keeps the unmasked ones)


def masked(snap: Snapshot, loans: np.ndarray) -> Snapshot:
    """``snap`` with the loans outside ``loans`` at no balance, not live, not overdue."""
    return replace(snap, balance=np.where(loans, snap.balance, 0), live=snap.live & loans,
                   overdue_days=np.where(loans, snap.overdue_days, 0).astype(np.int32))


class ScopedEngine(Engine):
    """The ``Engine`` of one scope (see the module docstring)."""

    def __init__(self, base: Engine, selection: Selection) -> None:
        # Every array of the base is shared, not copied; only the caches are the scope's.
        self.__dict__.update(base.__dict__)
        assert selection.loans is not None
        self.base = base
        self.selection = selection
        self.mask: np.ndarray = selection.loans
        self._selected = np.flatnonzero(self.mask)
        self._snapshots = {}
        self._flow_cache = {}
        self.memo = {}

    @property
    def whole(self) -> Engine:
        return self.base

    @property
    def selected(self) -> np.ndarray | None:
        return self._selected

    def snapshots(self, days: list[date]) -> list[Snapshot]:
        missing = sorted({day for day in days if day not in self._snapshots})
        for day, snap in zip(missing, self.base.snapshots(missing), strict=True):
            self._snapshots[day] = masked(snap, self.mask)
        return [self._snapshots[day] for day in days]

    def balance(self, day: date) -> np.ndarray:
        return self.snapshot(day).balance

    def flow(self, tx_type: int, start: date, end: date) -> np.ndarray:
        return remembered(self._flow_cache, (tx_type, start, end), _OWN_FLOWS,
                          lambda: np.where(self.mask, self.base.flow(tx_type, start, end), 0))

    def disburse_count(self, start: date, end: date) -> np.ndarray:
        return np.where(self.mask, self.base.disburse_count(start, end), 0)

    def day_sums(self, start: date, end: date) -> np.ndarray:
        """The scope's loans' day sums (贷款日均余额's numerator), 0 outside it."""
        return np.where(self.mask, self.base.day_sums(start, end), 0)

    def transactions_in(self, tx_type: int, start: date, end: date
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        loan, day, amount = self.base.transactions_in(tx_type, start, end)
        keep = self.mask[loan]
        return loan[keep], day[keep], amount[keep]

    def bank_figure(self, item: int, day: date, rows: np.ndarray | None = None) -> int | None:
        """A branch scope's own figure: the sum over its branches of each one's latest row
        (unknown when a branch has none); a manager's scope has none (legal-entity)."""
        if rows is not None:
            return self.base.bank_figure(item, day, rows)
        figures = self.ledger.bank_figures
        sel = self.selection
        if (figures is None or sel.kind != BRANCH or not sel.branches
                or not any(name in figures.present for name in FIGURE_BRANCH_COLUMNS)):
            return None
        total = 0
        for branch in sel.branches:
            own = self._own_rows(branch)
            value = self.base.bank_figure(item, day, own) if own.any() else None
            if value is None:
                return None
            total += value
        return total

    def _own_rows(self, branch: str) -> np.ndarray:
        """The rows of ``bank_figures`` naming ``branch`` by its id or its name."""
        figures = self.ledger.bank_figures
        assert figures is not None
        names = np.array(sorted(aliases(self.ledger, BRANCH, branch)), dtype=object)
        own = np.zeros(len(figures), dtype=bool)
        for name in FIGURE_BRANCH_COLUMNS:
            if name in figures.present:
                own |= np.isin(figures[name], names)
        return own

    def own_figures(self) -> bool:
        """Whether this scope has rows of its own in ``bank_figures``."""
        figures = self.ledger.bank_figures
        if figures is None or self.selection.kind != BRANCH or not self.selection.branches:
            return False
        if not any(name in figures.present for name in FIGURE_BRANCH_COLUMNS):
            return False
        return all(bool(self._own_rows(b).any()) for b in self.selection.branches)


def scoped(engine: Engine, selection: Selection) -> Engine:
    """The engine a report of ``selection`` reads: ``engine`` itself for the whole bank."""
    return engine if selection.is_all else ScopedEngine(engine, selection)
