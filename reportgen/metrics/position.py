"""The portfolio's position on one day: the as-of figures that summary, quality, overdue
and trend all compare across dates (D, O, Y, L, month ends).

One ``Position`` per day, memoised on the engine, so each date's totals are summed once
however many sections and reports of a run ask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import TypeVar

import numpy as np

from reportgen.engine import Snapshot
from reportgen.ledger.schema import GRADE_CODES
from reportgen.metrics.context import Context, live_balance
from reportgen.metrics.grouped import distinct_count, group_sum
from reportgen.metrics.shared import shared
from reportgen.model import Compare, Figure, ratio

T = TypeVar("T")
BUCKET_EDGES = (1, 31, 91, 181, 271, 361)  # lower bounds of d1_30 … d361_plus


@dataclass(frozen=True)
class Position:
    balance: int
    accounts: int
    customers: int
    grades: tuple[int, int, int, int, int]
    npl: int
    buckets: tuple[int, ...]  # d1_30, d31_90, d91_180, d181_270, d271_360, d361_plus
    overdue_total: int
    overdue_accounts: int
    over_30: int
    over_90: int

    @property
    def npl_ratio(self) -> Fraction | None:
        return ratio(self.npl, self.balance)


_EDGES = np.array(BUCKET_EDGES, dtype=np.int32)
_N_GRADES, _N_CELLS = len(GRADE_CODES), len(BUCKET_EDGES) + 1  # cell 0: not overdue


def bucket_of(overdue_days: np.ndarray) -> np.ndarray:
    """Bucket index 0–5 of each overdue-days value; -1 when not overdue."""
    return np.searchsorted(_EDGES, overdue_days, side="right") - 1


def position(ctx: Context, snap: Snapshot) -> Position:
    return shared(ctx.engine, ("position", snap.day), lambda: _position(ctx, snap))


def _position(ctx: Context, snap: Snapshot) -> Position:
    customer = ctx.loan_customer
    if (pick := ctx.engine.selected) is not None:  # a scope: its loans only, not masks
        snap = Snapshot(snap.day, snap.balance[pick], snap.live[pick], snap.grade[pick],
                        snap.overdue_days[pick], snap.has_state[pick])
        customer = customer[pick]
    # One grouped sum of the live balances by (grade, overdue bucket) gives the grade and
    # bucket totals, and over 30 / over 90 days (bucket edges 31 and 91), at once.
    cell = snap.grade.astype(np.intp) * _N_CELLS + (bucket_of(snap.overdue_days) + 1)
    bal = live_balance(snap)
    table = group_sum(cell, bal, _N_GRADES * _N_CELLS).reshape(_N_GRADES, _N_CELLS)
    grades = tuple(int(v) for v in table.sum(axis=1))
    buckets = tuple(int(v) for v in table[:, 1:].sum(axis=0))
    return Position(
        balance=int(bal.sum()),
        accounts=int(np.count_nonzero(snap.live)),
        customers=distinct_count(customer, snap.live),
        grades=grades,  # type: ignore[arg-type]
        npl=grades[2] + grades[3] + grades[4],
        buckets=buckets,
        overdue_total=sum(buckets),
        overdue_accounts=int(np.count_nonzero(snap.live & (snap.overdue_days > 0))),
        over_30=sum(buckets[1:]),
        over_90=sum(buckets[2:]),
    )


Known = Position | None  # None: a day before the ledger's first date (unknown)


def positions(ctx: Context) -> tuple[Position, Known, Known, Known]:
    """Positions at D, O, Y and L; a day before the ledger's first date gives None (its
    snapshot is not even taken)."""
    p = ctx.period
    return (position(ctx, ctx.d),
            position(ctx, ctx.o) if ctx.known(p.opening) else None,
            position(ctx, ctx.y) if ctx.known(p.year_start) else None,
            position(ctx, ctx.ly) if ctx.known(p.last_year) else None)


def at(p: Known, figure: Callable[[Position], T]) -> T | None:
    """``figure(p)``, or None when the position is unknown."""
    return None if p is None else figure(p)


def compare(key: str, figure: Callable[[Position], Figure],
            d: Position, o: Known, y: Known, ly: Known) -> Compare:
    """One Compare row of ``figure`` at D, O, Y and L (null where unknown)."""
    return Compare(key, figure(d), at(o, figure), at(y, figure), at(ly, figure))
