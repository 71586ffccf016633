"""普惠型小微企业贷款: inclusive small-business lending.

A customer is inclusive on d when it is an individual business or a micro-business owner,
or a small or micro enterprise, AND its total credit is at most 10,000,000.00 yuan (its
credit line when given, else Σ contract_amount of its live loans on d).  The average rate
of new loans is Σ(amount × rate) / Σ amount, computed exactly by summing amounts per
distinct rate (rates are few) and multiplying in Python integers.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from reportgen.engine import Snapshot
from reportgen.ledger.parse import DECIMAL_SCALE
from reportgen.ledger.schema import CORPORATE, INDIVIDUAL_BUSINESS, MICRO, MICRO_OWNER, SMALL
from reportgen.metrics.context import (
    Context,
    distinct_count,
    group_sum,
    live_balance,
    npl_mask,
)
from reportgen.model import Inclusive, ratio

LIMIT_FEN = 1_000_000_000  # 10,000,000.00 yuan


def inclusive_loans(ctx: Context, snap: Snapshot) -> np.ndarray:
    """Mask of loans whose customer is inclusive on the snapshot's day."""
    c = ctx.ledger.customers
    ctype, size = c["customer_type"], c["enterprise_size"]
    kind = ((ctype == INDIVIDUAL_BUSINESS) | (ctype == MICRO_OWNER)
            | ((ctype == CORPORATE) & ((size == SMALL) | (size == MICRO))))
    live_contracts = group_sum(ctx.loan_customer,
                               np.where(snap.live, ctx.ledger.loans["contract_amount"], 0),
                               ctx.n_customers)
    total_credit = np.where(c["credit_line__blank"], live_contracts, c["credit_line"])
    customer_ok = kind & (total_credit <= LIMIT_FEN)
    return customer_ok[np.maximum(ctx.loan_customer, 0)] & (ctx.loan_customer >= 0)


def weighted_rate(amounts: np.ndarray, rates: np.ndarray) -> Fraction | None:
    """Σ(amount × rate) / Σ amount, exact; rates in millionths of a percent."""
    total = int(amounts.sum())
    if total == 0:
        return None
    distinct, inverse = np.unique(rates, return_inverse=True)
    per_rate = group_sum(inverse, amounts, len(distinct))
    numerator = sum(int(r) * int(a) for r, a in zip(distinct.tolist(), per_rate.tolist(),
                                                    strict=True))
    return Fraction(numerator, total * DECIMAL_SCALE)


def inclusive(ctx: Context) -> Inclusive:
    in_d, in_y = inclusive_loans(ctx, ctx.d), inclusive_loans(ctx, ctx.y)
    bal_d, bal_y = live_balance(ctx.d), live_balance(ctx.y)
    balance = int(bal_d[in_d].sum())
    balance_y = int(bal_y[in_y].sum())
    npl = int(bal_d[in_d & npl_mask(ctx.d)].sum())
    disbursed = np.where(in_d, ctx.flows.disbursed, 0)
    total_d, total_y = int(bal_d.sum()), int(bal_y.sum())
    return Inclusive(
        balance=balance,
        customers=distinct_count(ctx.loan_customer, in_d & ctx.d.live),
        balance_year_start=balance_y,
        customers_year_start=distinct_count(ctx.loan_customer, in_y & ctx.y.live),
        growth_rate=ratio(balance - balance_y, balance_y),
        total_growth_rate=ratio(total_d - total_y, total_y),
        npl=npl,
        npl_ratio=ratio(npl, balance),
        disbursed=int(disbursed.sum()),
        new_loan_avg_rate=weighted_rate(disbursed, ctx.ledger.loans["rate"]),
    )
