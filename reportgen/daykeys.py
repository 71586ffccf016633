"""(loan, day) keys: days as numbers, one int64 that holds a loan row and a day, and the
order of a table by it.

The engine's as-of searches, the journal checks, the daily figures and the partitioned
reduce all build or read these keys; one module holds their layout so that none of them
can drift from it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from reportgen.errors import InternalError
from reportgen.ledger.parse import MAX_DAY, MIN_DAY

# A key is loan << DAY_BITS | (day + DAY_OFFSET).  The day field is sized from the dates
# the loader accepts, with one spare value below (MIN_DAY − 1, the eve of any window that
# starts on the first date) so that every stored day and every query day fits: a day
# outside could carry into the loan bits and book money on the next loan.
_LOWEST_DAY = MIN_DAY - 1
DAY_OFFSET = -_LOWEST_DAY
DAY_BITS = (MAX_DAY + DAY_OFFSET).bit_length()
EPOCH = date(1970, 1, 1)
_RUN_LENGTH = 64  # average sorted run, in rows, from which a merge sort beats radix passes


def day_number(day: date) -> int:
    return (day - EPOCH).days


def day_of(number: int) -> date:
    """The date of a day number (days since 1970)."""
    return date.fromordinal(EPOCH.toordinal() + number)


def key_days(keys: np.ndarray, dtype: type[np.signedinteger] = np.int64) -> np.ndarray:
    """The day number each (loan, day) key holds, written straight into ``dtype``."""
    days = np.bitwise_and(keys, (1 << DAY_BITS) - 1, out=np.empty(len(keys), dtype),
                          casting="unsafe")
    days -= DAY_OFFSET
    return days


def key_loans(keys: np.ndarray) -> np.ndarray:
    """The loan row each (loan, day) key holds, as int64."""
    return np.right_shift(keys, DAY_BITS)


def query_day(day: int) -> int:
    """A query day as the key's day field can hold it: nothing is stored before MIN_DAY
    or after MAX_DAY, so clamping changes no answer and keeps the search inside the loan."""
    return min(max(day, _LOWEST_DAY), MAX_DAY)


def check_days(days: np.ndarray) -> None:
    """Refuse days the key cannot hold: the loader rejects them as data errors, so one
    here is a bug, and an error is better than money booked on another loan."""
    if days.size and (int(days.min()) < _LOWEST_DAY or int(days.max()) > MAX_DAY):
        raise InternalError(f"a day outside {MIN_DAY}..{MAX_DAY} reached the engine's keys "
                            f"({int(days.min())}..{int(days.max())})")


def loan_day_keys(loans: np.ndarray, days: np.ndarray | int) -> np.ndarray:
    """loan << DAY_BITS | (day + DAY_OFFSET): built in one int64 array, in place (ten
    million rows)."""
    keys = loans.astype(np.int64)
    keys <<= DAY_BITS
    keys += days
    keys += DAY_OFFSET
    return keys


def sorted_keys(loans: np.ndarray, days: np.ndarray, valid: np.ndarray | None
                 ) -> tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """(loan, day) keys of the valid rows in ascending order, and a function that puts any
    column of the table in that same order.

    Exports usually come sorted by loan and date already; then no sort and no copy is made
    (a stable argsort of ten million keys costs about a second).
    """
    everything = valid is None or bool(valid.all())  # None: every row is valid
    check_days(days if everything else days[valid])
    keys = loan_day_keys(loans, days) if everything else loan_day_keys(loans[valid], days[valid])
    descents = int(np.count_nonzero(keys[1:] < keys[:-1])) if keys.size > 1 else 0
    if not descents:
        if everything:
            return keys, lambda column: column
        return keys, lambda column: column[valid]
    if descents * _RUN_LENGTH <= keys.size:
        # Long ascending runs (a date-ordered journal whose loan codes rise within each
        # day, as sequential loan ids give): timsort merges them, 2.5× faster than radix.
        order = np.argsort(keys, kind="stable")
    else:
        order = radix_order(loans if everything else loans[valid],
                             days if everything else days[valid])
    if everything:
        return keys[order], lambda column: column[order]
    return keys[order], lambda column: column[valid][order]


def radix_order(loans: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Stable order by (loan, day) from 16-bit digits, least significant first.

    numpy sorts 16-bit integers with a radix sort: three such passes (day, then the loan
    code's low and high halves) beat one comparison sort of 64-bit keys by about 2×, and
    the day pass is skipped when the file is in date order (as transaction journals are).
    """
    order: np.ndarray | None = None
    if not bool((days[1:] >= days[:-1]).all()):
        low = int(days.min())
        if int(days.max()) - low >= 1 << 16:
            return np.argsort(loan_day_keys(loans, days), kind="stable")
        order = np.argsort((days - low).astype(np.uint16), kind="stable")
    for shift in (0, 16):
        if shift and int(loans.max()) < 1 << 16:
            break
        current = loans if order is None else loans[order]
        step = np.argsort(((current >> shift) & 0xFFFF).astype(np.uint16), kind="stable")
        order = step if order is None else order[step]
    assert order is not None
    return order


def running_sum(values: np.ndarray) -> np.ndarray:
    """Running sum with a leading 0 (``out[i]`` = Σ values[:i]), written in place: no
    second copy of a ten-million-row array as ``concatenate`` would make."""
    out = np.empty(len(values) + 1, dtype=np.int64)
    out[0] = 0
    np.cumsum(values, dtype=np.int64, out=out[1:])
    return out
