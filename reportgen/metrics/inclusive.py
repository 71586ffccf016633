"""普惠型小微企业贷款: inclusive small-business lending.

A customer is inclusive on d when it is an individual business or a micro-business owner,
or a small or micro enterprise, AND its total credit is at most 10,000,000.00 yuan (its
credit line when given, else Σ contract_amount of its live loans on d).  The average rate
of new loans is Σ(amount × rate) / Σ amount, computed exactly by summing amounts per
distinct rate (rates are few) and multiplying in Python integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.engine import Snapshot
from reportgen.ledger.parse import DECIMAL_SCALE
from reportgen.ledger.schema import CORPORATE, INDIVIDUAL_BUSINESS, MICRO, MICRO_OWNER, SMALL
from reportgen.metrics.context import Context, live_balance, npl_mask
from reportgen.metrics.grouped import distinct_count, group_sum
from reportgen.metrics.shared import shared
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


@dataclass(frozen=True)
class _AsOf:
    """The inclusive book on one day: which loans, their balance, NPL and customers."""

    loans: np.ndarray
    balance: int
    npl: int
    customers: int
    total: int  # the whole book's balance


def _as_of(ctx: Context, snap: Snapshot) -> _AsOf:
    """Shared per day: the reports of a run share D and the year start."""
    return shared(ctx.engine, ("inclusive", snap.day), lambda: _inclusive_on(ctx, snap))


def _inclusive_on(ctx: Context, snap: Snapshot) -> _AsOf:
    loans = inclusive_loans(ctx, snap)
    bal = live_balance(snap)
    return _AsOf(
        loans=loans,
        balance=int(bal[loans].sum()),
        npl=int(bal[loans & npl_mask(snap)].sum()),
        customers=distinct_count(ctx.loan_customer, loans & snap.live),
        total=int(bal.sum()),
    )


def weighted_rate(amounts: np.ndarray, rates: np.ndarray) -> Fraction | None:
    """Σ(amount × rate) / Σ amount, exact; rates in millionths of a percent."""
    lent = np.flatnonzero(amounts)  # a loan with nothing lent weighs nothing
    amounts, rates = amounts[lent], rates[lent]
    total = int(amounts.sum())
    if total == 0:
        return None
    distinct, inverse = np.unique(rates, return_inverse=True)
    per_rate = group_sum(inverse, amounts, len(distinct))
    numerator = sum(int(r) * int(a) for r, a in zip(distinct.tolist(), per_rate.tolist(),
                                                    strict=True))
    return Fraction(numerator, total * DECIMAL_SCALE)


def inclusive(ctx: Context) -> Inclusive:
    """The inclusive book on D against the year start; an unknown year start (before the
    ledger's first date) leaves its figures and both growth rates null."""
    d = _as_of(ctx, ctx.d)
    y = _as_of(ctx, ctx.y) if ctx.known(ctx.period.year_start) else None
    disbursed = np.where(d.loans, ctx.flows.disbursed, 0)
    return Inclusive(
        balance=d.balance,
        customers=d.customers,
        balance_year_start=None if y is None else y.balance,
        customers_year_start=None if y is None else y.customers,
        growth_rate=None if y is None else ratio(d.balance - y.balance, y.balance),
        total_growth_rate=None if y is None else ratio(d.total - y.total, y.total),
        npl=d.npl,
        npl_ratio=ratio(d.npl, d.balance),
        disbursed=int(disbursed.sum()),
        new_loan_avg_rate=weighted_rate(disbursed, ctx.ledger.loans["rate"]),
    )
