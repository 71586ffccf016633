"""Whole-array helpers the generator is built from: ragged ranges, grouped sums, as-of lookups.

The generator never loops over loans or customers.  Each of these turns a per-loan question
("its quarterly interest dates", "its balance on each month end") into a few numpy calls over
every loan at once, which is what keeps a million loans to seconds.  Dates are int64
day numbers since 1970-01-01 throughout, so they sort and subtract like integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from reportgen.ledger.schema import DISBURSE, REPAY, WRITEOFF

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

EPOCH = date(1970, 1, 1)
# Day numbers stay below 2**16 until the year 2149, so (owner, day) packs into one int64 key.
_DAY_BITS = 16


def day_number(d: date) -> int:
    """Days since 1970-01-01, the generator's date representation."""
    return (d - EPOCH).days


def ragged_positions(counts: IntArray) -> tuple[IntArray, IntArray]:
    """Expand per-owner counts into (owner, position) pairs.

    Args:
        counts: how many items each owner gets, e.g. ``[2, 0, 3]``.

    Returns:
        owner ``[0, 0, 2, 2, 2]`` and position within the owner ``[0, 1, 0, 1, 2]``.
    """
    counts = counts.astype(np.int64)
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.size, dtype=np.int64) - starts[owner]


def group_starts(groups: IntArray) -> BoolArray:
    """True where a run of equal values begins in an array sorted by group."""
    first = np.ones(groups.size, dtype=bool)
    first[1:] = groups[1:] != groups[:-1]
    return first


def group_cumsum(values: IntArray, groups: IntArray) -> IntArray:
    """Running total of ``values`` restarting at each group (``groups`` sorted)."""
    total = np.cumsum(values)
    first = group_starts(groups)
    offsets = (total - values)[first]
    return total - offsets[np.cumsum(first) - 1]


def sum_by(groups: IntArray, values: IntArray, n: int) -> IntArray:
    """Exact integer sum of ``values`` per group 0..n-1 (no float on the way)."""
    out = np.zeros(n, dtype=np.int64)
    np.add.at(out, groups, values)
    return out


def uniform_int(rng: np.random.Generator, low: IntArray | int, high: IntArray | int,
                size: int) -> IntArray:
    """Uniform integers in [low, high] per element; an empty range gives ``low``."""
    low_a = np.broadcast_to(np.asarray(low, dtype=np.int64), (size,))
    span = np.maximum(np.broadcast_to(np.asarray(high, dtype=np.int64), (size,)) - low_a, 0)
    return low_a + np.floor(rng.random(size) * (span + 1)).astype(np.int64)


def choose(rng: np.random.Generator, weights: npt.ArrayLike, size: int) -> IntArray:
    """Draw category indices with the given (unnormalised) weights."""
    p = np.asarray(weights, dtype=np.float64)
    return rng.choice(p.size, size=size, p=p / p.sum()).astype(np.int64)


def add_months(days: IntArray, months: IntArray) -> IntArray:
    """Same day of month ``months`` later, clamped to the month's last day (1-31 + 1 → 2-28)."""
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    day_of_month = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = month + months.astype("timedelta64[M]")
    first = target.astype("datetime64[D]").astype(np.int64)
    last = (target + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - 1
    return np.minimum(first + day_of_month, last)


def month_ends(start: int, end: int) -> IntArray:
    """Every last day of a month within [start, end]."""
    first = np.datetime64(start, "D").astype("datetime64[M]")
    last = np.datetime64(end, "D").astype("datetime64[M]")
    months = np.arange(first, last + np.timedelta64(1, "M"))
    ends = (months + np.timedelta64(1, "M")).astype("datetime64[D]").astype(np.int64) - 1
    return ends[(ends >= start) & (ends <= end)]


def settlement_days(start: int, end: int, every: int) -> IntArray:
    """The 20th of every month (``every`` 1) or of each quarter's last month (``every`` 3).

    The 20th is when Chinese banks settle loan interest (结息日).
    """
    first = np.datetime64(start, "D").astype("datetime64[Y]").astype(np.int64) * 12
    last = (np.datetime64(end, "D").astype("datetime64[Y]").astype(np.int64) + 1) * 12
    months = np.arange(first + every - 1, last, every)
    days = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + 19
    return days[(days >= start) & (days <= end)]


class AsOf:
    """Latest value at or before a date, per owner, for many (owner, date) questions at once.

    Built from rows sorted by (owner, date); ``values`` belong to those rows.  A balance is
    asked of the running total of signed principal, a grade of the classification rows.
    """

    def __init__(self, owner: IntArray, day: IntArray, values: IntArray) -> None:
        self._owner = owner
        self._keys = (owner << _DAY_BITS) | day
        self._values = values

    def at(self, owner: IntArray, day: IntArray, default: int) -> IntArray:
        """Value of each owner's latest row dated ≤ ``day``; ``default`` where it has none."""
        if not self._owner.size:
            return np.full(owner.size, default, dtype=np.int64)
        idx = np.searchsorted(self._keys, (owner << _DAY_BITS) | day, side="right") - 1
        safe = np.maximum(idx, 0)
        found = (idx >= 0) & (self._owner[safe] == owner)
        return np.where(found, self._values[safe], default)


def sort_key(owner: IntArray, day: IntArray, minor: IntArray | None = None) -> IntArray:
    """One int64 that sorts rows by (owner, day[, minor < 8])."""
    key = ((owner << _DAY_BITS) | day) << 3
    return key if minor is None else key | minor


@dataclass(frozen=True)
class Rows:
    """Ledger rows as parallel arrays: transactions (kind = type) or states (kind = grade)."""

    loan: IntArray
    day: IntArray
    kind: IntArray
    value: IntArray  # amount in fen, or overdue_since (-1 blank)

    @staticmethod
    def concat(parts: list[Rows]) -> Rows:
        """All parts' rows in one."""
        return Rows(*(np.concatenate([getattr(p, f) for p in parts]).astype(np.int64)
                      for f in ("loan", "day", "kind", "value")))

    def select(self, rows: BoolArray | IntArray) -> Rows:
        """The rows a mask or an index array picks, in that order."""
        return Rows(self.loan[rows], self.day[rows], self.kind[rows], self.value[rows])


def principal_change(tx: Rows) -> IntArray:
    """Each transaction's effect on its loan's balance, in fen: + disburse, − repay, − write-off.

    Interest and recovery rows change nothing.
    """
    down = np.isin(tx.kind, (REPAY, WRITEOFF))
    return np.where(tx.kind == DISBURSE, tx.value, np.where(down, -tx.value, 0))
