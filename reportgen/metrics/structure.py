"""结构: balance, share, accounts, NPL and change since year start, per dimension.

Each dimension is an integer code per loan (from the loan or its customer), so every
breakdown is the same three grouped sums.  Fixed enums keep their code order; text
dimensions (branch, account manager, product) are sorted by balance, largest first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from reportgen.ledger.schema import (
    CORPORATE,
    CUSTOMER_TYPES,
    ENTERPRISE_SIZES,
    GUARANTEES,
    INDUSTRIES,
    codes,
)
from reportgen.metrics.context import Context, group_count, group_sum, live_balance, npl_mask
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


def dimension_codes(ctx: Context) -> dict[str, tuple[np.ndarray, Sequence[str], bool]]:
    """Per dimension: code per loan, the key of each code, and whether keys are fixed enums."""
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    cust = np.maximum(ctx.loan_customer, 0)
    ctype = customers["customer_type"][cust]
    size = np.where(ctype == CORPORATE, customers["enterprise_size"][cust], -1)
    short = loans["maturity_date"].astype(np.int64) <= one_year_after(loans["start_date"])
    band = np.searchsorted(_BAND_LIMITS_FEN, loans["contract_amount"], side="left")
    return {
        "industry": (customers["industry"][cust], codes(INDUSTRIES), True),
        "guarantee": (loans["guarantee"], codes(GUARANTEES), True),
        "customer_type": (ctype, codes(CUSTOMER_TYPES), True),
        "enterprise_size": (size, codes(ENTERPRISE_SIZES), True),
        "term": (np.where(short, 0, 1), TERMS, True),
        "amount_band": (band, AMOUNT_BANDS, True),
        "branch": (loans["branch_code"], ctx.ledger.branches, False),
        "account_manager": (loans["manager_code"], ctx.ledger.managers, False),
        "product": (loans["product_code"], ctx.ledger.products, False),
    }


def breakdown(ctx: Context, dimension: str, codes_: np.ndarray, keys: Sequence[str],
              fixed: bool) -> Breakdown:
    n = len(keys)
    bal_d, bal_y = live_balance(ctx.d), live_balance(ctx.y)
    balance = group_sum(codes_, bal_d, n)
    accounts = group_count(codes_, ctx.d.live, n)
    npl = group_sum(codes_, np.where(npl_mask(ctx.d), bal_d, 0), n)
    year_start = group_sum(codes_, bal_y, n)
    total = int(bal_d.sum())
    shown = np.flatnonzero((accounts > 0) | (year_start > 0))
    if not fixed:
        shown = shown[np.lexsort((shown, -balance[shown]))]
    rows = tuple(
        BreakdownRow(
            key=str(keys[i]),
            balance=int(balance[i]),
            share=ratio(int(balance[i]), total),
            accounts=int(accounts[i]),
            npl=int(npl[i]),
            npl_ratio=ratio(int(npl[i]), int(balance[i])),
            balance_year_start=int(year_start[i]),
            change_year_start=int(balance[i] - year_start[i]),
        )
        for i in shown.tolist()
    )
    return Breakdown(dimension, rows)


def structure(ctx: Context) -> Structure:
    return Structure(tuple(breakdown(ctx, name, c, keys, fixed)
                           for name, (c, keys, fixed) in dimension_codes(ctx).items()))
