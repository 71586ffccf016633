"""普惠型小微企业贷款: inclusive small-business lending.

A customer is inclusive on d when it is an individual business or a micro-business owner,
or a small or micro enterprise, AND its total credit is at most 10,000,000.00 yuan (its
credit line when given, else Σ contract_amount of its live loans on d).  The book's
balance, customers and NPL are judged on D (and on the year start).  New lending is judged
per disbursement on the day it is lent, because 单户授信 is judged when credit is extended:
a loan repaid by D, or another loan of the customer paid off since, does not make an
earlier disbursement inclusive.  The average rate of new loans is Σ(amount × rate) /
Σ amount, computed exactly by summing amounts per distinct rate (rates are few) and
multiplying in Python integers.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from reportgen.engine import LiveTotals, Snapshot
from reportgen.ledger.parse import DECIMAL_SCALE
from reportgen.ledger.schema import (
    CORPORATE,
    DISBURSE,
    INDIVIDUAL_BUSINESS,
    MICRO,
    MICRO_OWNER,
    SMALL,
)
from reportgen.metrics.context import Context, live_balance, npl_mask
from reportgen.metrics.grouped import distinct_count, group_sum
from reportgen.metrics.shared import shared
from reportgen.model import Inclusive, ratio

LIMIT_FEN = 1_000_000_000  # 10,000,000.00 yuan


def inclusive_kind(ctx: Context) -> np.ndarray:
    """Per customer: an individual business, a micro-business owner, or a small or micro
    enterprise (the half of the rule that does not depend on the day)."""
    c = ctx.ledger.customers
    ctype, size = c["customer_type"], c["enterprise_size"]
    return ((ctype == INDIVIDUAL_BUSINESS) | (ctype == MICRO_OWNER)
            | ((ctype == CORPORATE) & ((size == SMALL) | (size == MICRO))))


def inclusive_loans(ctx: Context, snap: Snapshot) -> np.ndarray:
    """Mask of loans whose customer is inclusive on the snapshot's day."""
    c = ctx.ledger.customers
    kind = inclusive_kind(ctx)
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
    # eligibility (单户授信) is the customer's at the whole bank, whatever the scope
    whole = ctx.engine.whole
    loans = shared(whole, ("inclusive loans", snap.day),
                   lambda: inclusive_loans(ctx, whole.snapshot(snap.day)))
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


def _by_contracts(ctx: Context) -> np.ndarray:
    """Per customer: of the inclusive kind and without a credit line, so that its live
    contracts decide (the only customers whose contracts are looked up)."""
    return inclusive_kind(ctx) & ctx.ledger.customers["credit_line__blank"]


def live_contracts(ctx: Context) -> LiveTotals:
    """Live contract amounts on any day of the customers ``_by_contracts`` picks: one sweep
    per run (shared by its reports)."""
    def sweep() -> LiveTotals:
        customer = ctx.loan_customer
        picked = _by_contracts(ctx)[np.maximum(customer, 0)] & (customer >= 0)
        return ctx.engine.live_totals(np.where(picked, customer, -1),
                                      ctx.ledger.loans["contract_amount"])
    return shared(ctx.engine.whole, ("inclusive", "live contracts"), sweep)


def inclusive_lending(ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(amount, loan) of each disbursement in [S, D] whose customer is inclusive on the day
    it is lent.

    Total credit on that day is the credit line when given, else the contract amounts of
    the customer's loans live at the end of the day, the lent loan always among them (a
    loan lent and repaid the same day was still credit extended).  Only disbursements of
    customers of the inclusive kind without a line are looked up: three binary searches each.
    """
    c = ctx.ledger.customers
    loan, day, amount = ctx.engine.transactions_in(DISBURSE, ctx.period.start, ctx.period.end)
    customer = ctx.loan_customer[loan]
    known = customer >= 0
    loan, day, amount, customer = loan[known], day[known], amount[known], customer[known]
    ok = inclusive_kind(ctx)[customer]
    by_contracts = np.flatnonzero(_by_contracts(ctx)[customer])
    ok &= c["credit_line"][customer] <= LIMIT_FEN  # decides where a line is given
    look, lent = customer[by_contracts], loan[by_contracts]
    credit = live_contracts(ctx).at(look, day[by_contracts])
    own = ctx.engine.balances(lent, day[by_contracts]) > 0
    credit += np.where(own, 0, ctx.ledger.loans["contract_amount"][lent])
    ok[by_contracts] = credit <= LIMIT_FEN
    return amount[ok], loan[ok]


def inclusive(ctx: Context) -> Inclusive:
    """The inclusive book on D against the year start; an unknown year start (before the
    ledger's first date) leaves its figures and both growth rates null."""
    d = _as_of(ctx, ctx.d)
    y = _as_of(ctx, ctx.y) if ctx.known(ctx.period.year_start) else None
    lent, loans = inclusive_lending(ctx)
    return Inclusive(
        balance=d.balance,
        customers=d.customers,
        balance_year_start=None if y is None else y.balance,
        customers_year_start=None if y is None else y.customers,
        growth_rate=None if y is None else ratio(d.balance - y.balance, y.balance),
        total_growth_rate=None if y is None else ratio(d.total - y.total, y.total),
        npl=d.npl,
        npl_ratio=ratio(d.npl, d.balance),
        disbursed=int(lent.sum()),
        new_loan_avg_rate=weighted_rate(lent, ctx.ledger.loans["rate"][loans]),
    )
