"""结构: balance, share, accounts, NPL and change since year start, per dimension.

A year start before the ledger's first date is unknown: its columns are null ("—").

Each dimension is an integer code per loan (from the loan or its customer), so every
breakdown is the same three grouped sums.  Fixed enums keep their code order; text
dimensions (branch, account manager, product) are sorted by balance, largest first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from reportgen.ledger.schema import (
    CORPORATE,
    CUSTOMER_TYPES,
    ENTERPRISE_SIZES,
    GUARANTEES,
    INDUSTRIES,
    codes,
)
from reportgen.metrics.context import Context, live_balance, npl_mask
from reportgen.metrics.grouped import group_sum
from reportgen.metrics.shared import shared
from reportgen.model import Breakdown, BreakdownRow, Structure, ratio

TERMS = ("short", "medium_long")
AMOUNT_BANDS = ("le_500k", "le_5m", "le_10m", "gt_10m")
_BAND_LIMITS_FEN = np.array([50_000_000, 500_000_000, 1_000_000_000])  # ≤ 500k, 5m, 10m yuan


def one_year_after(days: np.ndarray) -> np.ndarray:
    """Day numbers one calendar year later (29 February → 28 February), vectorised."""
    dates = days.astype("datetime64[D]")
    months = dates.astype("datetime64[M]")
    day_of_month = (dates - months).astype(np.int64)
    target_month = months + np.timedelta64(12, "M")
    month_length = ((target_month + np.timedelta64(1, "M")).astype("datetime64[D]")
                    - target_month.astype("datetime64[D]")).astype(np.int64)
    result = target_month.astype("datetime64[D]") + np.minimum(day_of_month, month_length - 1)
    return result.astype(np.int64)


Dimension = tuple[np.ndarray, Sequence[str], bool]
_MAX_SPAN = 1 << 20  # days: beyond this, compute per loan rather than per day


def by_day(function: Callable[[np.ndarray], np.ndarray], days: np.ndarray) -> np.ndarray:
    """``function(days)`` computed once per day of the range the days span, then looked up:
    a million loans start on a few thousand distinct days."""
    if not days.size:
        return function(days)
    first, last = int(days.min()), int(days.max())
    if last - first >= _MAX_SPAN:
        return function(days)
    table = function(np.arange(first, last + 1, dtype=np.int64))
    return table[days.astype(np.int64) - first]


def dimension_codes(ctx: Context) -> dict[str, Dimension]:
    """Per dimension: code per loan, the key of each code, and whether keys are fixed enums.

    They do not depend on the date, so they are made once per ledger (memoised on the
    engine) for every report of a run.
    """
    return shared(ctx.engine.whole, ("structure codes",), lambda: _dimension_codes(ctx))


def _dimension_codes(ctx: Context) -> dict[str, Dimension]:
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    cust = np.maximum(ctx.loan_customer, 0)
    ctype = customers["customer_type"][cust]
    size = np.where(ctype == CORPORATE, customers["enterprise_size"][cust], -1)
    short = loans["maturity_date"].astype(np.int64) <= by_day(one_year_after,
                                                              loans["start_date"])
    band = np.searchsorted(_BAND_LIMITS_FEN, loans["contract_amount"], side="left")
    # int8 codes: kept for the whole run, they cost a byte per loan each
    return {
        "industry": (customers["industry"][cust], codes(INDUSTRIES), True),
        "guarantee": (loans["guarantee"], codes(GUARANTEES), True),
        "customer_type": (ctype, codes(CUSTOMER_TYPES), True),
        "enterprise_size": (size, codes(ENTERPRISE_SIZES), True),
        "term": ((~short).astype(np.int8), TERMS, True),  # 0 short, 1 medium_long
        "amount_band": (band.astype(np.int8), AMOUNT_BANDS, True),
        "branch": (loans["branch_code"], ctx.ledger.branches, False),
        "account_manager": (loans["manager_code"], ctx.ledger.managers, False),
        "product": (loans["product_code"], ctx.ledger.products, False),
    }


@dataclass(frozen=True)
class _Values:
    """The per-loan figures every breakdown sums: balances on D and Y, NPL on D, and 1 for
    a loan live on D (the accounts)."""

    balance: np.ndarray
    year_start: np.ndarray  # zeros when the year start is unknown
    npl: np.ndarray
    live: np.ndarray  # int64 0 / 1
    total: int
    year_start_known: bool  # False: the year start is before the ledger's first date


def breakdown(dimension: str, codes_: np.ndarray, keys: Sequence[str], fixed: bool,
              v: _Values) -> Breakdown:
    n = len(keys)
    # group_sum skips a blank code (-1, e.g. the size of a non-corporate customer)
    balance = group_sum(codes_, v.balance, n)
    npl = group_sum(codes_, v.npl, n)
    year_start = group_sum(codes_, v.year_start, n)
    accounts = group_sum(codes_, v.live, n)
    shown = np.flatnonzero((accounts > 0) | (year_start > 0))
    if not fixed:
        shown = shown[np.lexsort((shown, -balance[shown]))]
    rows = tuple(
        BreakdownRow(
            key=str(keys[i]),
            balance=b,
            share=ratio(b, v.total),
            accounts=a,
            npl=m,
            npl_ratio=ratio(m, b),
            balance_year_start=y if v.year_start_known else None,
            change_year_start=b - y if v.year_start_known else None,
        )
        for i, b, a, m, y in zip(shown.tolist(), balance[shown].tolist(),
                                 accounts[shown].tolist(), npl[shown].tolist(),
                                 year_start[shown].tolist(), strict=True)
    )
    return Breakdown(dimension, rows)


def structure(ctx: Context) -> Structure:
    """Shared per (D, Y): the monthly, quarterly and yearly reports of a month end hold it."""
    return shared(ctx.engine, ("structure", ctx.d.day, ctx.y.day), lambda: _structure(ctx))


def _structure(ctx: Context) -> Structure:
    bal_d = live_balance(ctx.d)
    known = ctx.known(ctx.period.year_start)
    year_start = live_balance(ctx.y) if known else np.zeros_like(bal_d)
    values = _Values(bal_d, year_start, np.where(npl_mask(ctx.d), bal_d, 0),
                     ctx.d.live.astype(np.int64), int(bal_d.sum()), known)
    dimensions = dimension_codes(ctx)
    if (pick := ctx.engine.selected) is not None:  # a scope: sum its loans only
        values = _Values(values.balance[pick], values.year_start[pick], values.npl[pick],
                         values.live[pick], values.total, known)
        dimensions = {name: (c[pick], keys, fixed)
                      for name, (c, keys, fixed) in dimensions.items()}
    return Structure(tuple(breakdown(name, c, keys, fixed, values)
                           for name, (c, keys, fixed) in dimensions.items()))


def with_opening(ctx: Context, s: Structure) -> Structure:
    """The monthly report's structure with each row's change since O (上月末): the written
    analysis names the branches, industries and products that moved the month
    (analysis.md), and the table shows the figure it names.  A row keeps its place; a
    category live only on O has no row (the structure shows categories live on D or Y).
    An O before the ledger's first date is unknown: the rows keep ``change_opening`` null."""
    if not ctx.known(ctx.period.opening):
        return s
    return shared(ctx.engine, ("structure opening", ctx.d.day, ctx.o.day),
                  lambda: _with_opening(ctx, s))


def _with_opening(ctx: Context, s: Structure) -> Structure:
    bal_o = live_balance(ctx.o)
    pick = ctx.engine.selected  # a scope: sum its loans only
    if pick is not None:
        bal_o = bal_o[pick]
    breakdowns = []
    for b in s.breakdowns:
        codes_, keys, _ = dimension_codes(ctx)[b.dimension]
        if pick is not None:
            codes_ = codes_[pick]
        opening = group_sum(codes_, bal_o, len(keys)).tolist()
        index = {str(k): i for i, k in enumerate(keys)}
        breakdowns.append(Breakdown(b.dimension, tuple(
            replace(r, change_opening=r.balance - opening[index[r.key]])
            for r in b.rows)))
    return Structure(tuple(breakdowns))
