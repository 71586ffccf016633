"""Bank-level figures and account managers' targets that fit the sample loans.

A report's coverage ratio, provision ratio and concentration ratios only mean something if
provision and net capital are the size of this book, and target completion only if targets
are the size of each manager's business.  So both are derived from the generated loans:
provision from each month end's non-performing balance, net capital from the largest
customer, targets from what each manager did in the last twelve months.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.ledger.schema import (
    DISBURSE,
    NET_CAPITAL,
    PROVISION,
    SUBSTANDARD,
    TARGET_METRICS,
    codes,
)
from reportgen.sample.arrays import (
    AsOf,
    IntArray,
    Rows,
    group_cumsum,
    month_ends,
    principal_change,
    sort_key,
    sum_by,
)
from reportgen.sample.loans import YUAN, Loans, first_loan_day

TOP1_PEAK = 0.09  # largest customer / net capital at its highest month end
_CAPITAL_GROWTH = 0.006  # net capital grows by retained profit, per month
_CANDIDATES = 20  # customers by contract amount that may be the largest borrower
# Shares of the year's target per quarter (开门红: the first quarter carries most).
QUARTER_SHARES = (0.35, 0.25, 0.25, 0.15)
NEW_CUSTOMERS = codes(TARGET_METRICS).index("new_customers")  # a count; the others are money


@dataclass(frozen=True)
class Targets:
    """One row per (manager, period, metric); money in fen, new customers as a count."""

    manager: IntArray
    period: IntArray  # index into period_ids
    metric: IntArray
    value: IntArray
    period_ids: list[str]


def _balance_lookup(tx: Rows) -> AsOf:
    """Each loan's balance at the end of any day."""
    order = np.argsort(sort_key(tx.loan, tx.day), kind="stable")
    loan, day = tx.loan[order], tx.day[order]
    return AsOf(loan, day, group_cumsum(principal_change(tx)[order], loan))


def _at_month_ends(lookup: AsOf, loans: IntArray, ends: IntArray, default: int) -> IntArray:
    """Matrix [loan, month end] of the lookup's value."""
    q_loan = np.repeat(loans, ends.size)
    q_day = np.tile(ends, loans.size)
    return lookup.at(q_loan, q_day, default).reshape(loans.size, ends.size)


def _npl(tx: Rows, states: Rows, ends: IntArray) -> IntArray:
    """Non-performing balance (substandard or worse) at each month end."""
    bad = np.unique(states.loan[states.kind >= SUBSTANDARD])
    order = np.argsort(sort_key(states.loan, states.day), kind="stable")
    grade = AsOf(states.loan[order], states.day[order], states.kind[order])
    grades = _at_month_ends(grade, bad, ends, 0)
    balances = _at_month_ends(_balance_lookup(tx.select(np.isin(tx.loan, bad))), bad, ends, 0)
    return np.where(grades >= SUBSTANDARD, balances, 0).sum(axis=0)


def _top_customer(tx: Rows, loans: Loans, n_customers: int, ends: IntArray) -> IntArray:
    """Largest single customer's balance at each month end."""
    exposure = sum_by(loans.customer, loans.amount, n_customers)
    candidates = np.argsort(-exposure, kind="stable")[:_CANDIDATES]
    mine = np.flatnonzero(np.isin(loans.customer, candidates))
    balances = _at_month_ends(_balance_lookup(tx.select(np.isin(tx.loan, mine))), mine, ends, 0)
    local = np.full(n_customers, -1)
    local[candidates] = np.arange(candidates.size)
    per_customer = np.zeros((candidates.size, ends.size), np.int64)
    np.add.at(per_customer, local[loans.customer[mine]], balances)
    return per_customer.max(axis=0)


def _walk(rng: np.random.Generator, n: int, centre: int, step: int, low: int,
          high: int) -> IntArray:
    """A slowly wandering integer series, like a ratio a bank steers month by month."""
    return np.clip(centre + np.cumsum(rng.integers(-step, step + 1, n)), low, high)


def bank_figures(rng: np.random.Generator, loans: Loans, n_customers: int, tx: Rows,
                 states: Rows, start: int, end: int) -> Rows:
    """``provision`` and ``net_capital`` at every month end in [start, end].

    Provision is the larger of about 140-230 % of the non-performing balance and about
    2.4-3.0 % of all loans; net capital grows steadily and is sized so that the largest
    customer peaks at about 9 % of it.  Rows are (day, item as kind, amount as value).
    """
    ends = month_ends(start, end)
    bucket = np.searchsorted(ends, tx.day, side="left")
    balance = np.cumsum(sum_by(bucket, principal_change(tx), ends.size + 1)[: ends.size])
    coverage = _walk(rng, ends.size, 1700, 50, 1400, 2300)  # permille of NPL
    ratio = _walk(rng, ends.size, 270, 8, 240, 300)  # per ten thousand of balance
    provision = np.maximum(_npl(tx, states, ends) * coverage // 1000, balance * ratio // 10000)
    growth = 1000 + round(_CAPITAL_GROWTH * 1000) * np.arange(ends.size)
    top = _top_customer(tx, loans, n_customers, ends)
    base = int((top * 1000 // growth).max(initial=0) / TOP1_PEAK) if ends.size else 0
    capital = np.maximum(base * growth // 1000 // (10_000 * YUAN), 1) * (10_000 * YUAN)
    n = ends.size
    return Rows.concat([
        Rows(np.zeros(n, np.int64), ends, np.full(n, PROVISION), provision // YUAN * YUAN),
        Rows(np.zeros(n, np.int64), ends, np.full(n, NET_CAPITAL), capital),
    ])


def _round_money(fen: IntArray) -> IntArray:
    """Targets are set in round ten-thousands of yuan, at least one."""
    unit = 10_000 * YUAN
    return np.maximum((fen + unit // 2) // unit, 1) * unit


def _split(year: IntArray, shares: tuple[float, ...], money: bool) -> list[IntArray]:
    """Each manager's year target split by shares into round money figures or counts ≥ 1."""
    parts = [year * round(s * 1000) // 1000 for s in shares]
    return [_round_money(p) if money else np.maximum(p, 1) for p in parts]


def targets(rng: np.random.Generator, loans: Loans, manager_of_customer: IntArray,
            n_managers: int, tx: Rows, end_year: int, end_month: int, end: int) -> Targets:
    """Targets of every manager for the end year, its half-years (each the sum of its two
    quarters: the 6-30 assessment), its quarters and its months so far.

    Year targets are last twelve months' disbursement and new customers plus 0-25 %, and a
    net balance increase of 6-16 % of today's balance.
    """
    manager = manager_of_customer[loans.customer]
    balance = sum_by(manager[tx.loan], principal_change(tx), n_managers)
    recent = (tx.kind == DISBURSE) & (tx.day > end - 365)
    disbursed = sum_by(manager[tx.loan[recent]], tx.value[recent], n_managers)
    first = first_loan_day(loans, manager_of_customer.size)
    new = np.bincount(manager_of_customer[first > end - 365], minlength=n_managers)
    year = (  # in TARGET_METRICS order
        _round_money((balance * rng.uniform(0.06, 0.16, n_managers)).astype(np.int64)),
        _round_money((disbursed * rng.uniform(1.0, 1.25, n_managers)).astype(np.int64)),
        np.maximum(np.round(new * rng.uniform(1.0, 1.25, n_managers)).astype(np.int64), 1),
    )
    periods = ([f"{end_year}"] + [f"{end_year}-Q{q}" for q in range(1, 5)]
               + [f"{end_year}-H{h}" for h in (1, 2)])
    columns: list[list[IntArray]] = []
    for metric, total in enumerate(year):
        money = metric != NEW_CUSTOMERS
        quarters = _split(total, QUARTER_SHARES, money)
        months = [_split(quarters[(m - 1) // 3], (1 / 3,), money)[0]
                  for m in range(1, end_month + 1)]
        halves = [quarters[0] + quarters[1], quarters[2] + quarters[3]]
        columns.append([total, *quarters, *halves, *months])
    periods += [f"{end_year}-{m:02d}" for m in range(1, end_month + 1)]
    value = np.stack([np.stack(c, axis=1) for c in columns], axis=2)  # manager, period, metric
    m_idx, p_idx, k_idx = np.indices(value.shape).reshape(3, -1)
    return Targets(m_idx, p_idx, k_idx, value.ravel(), periods)
