"""Every money movement and state change of the sample loans, valid by construction.

Principal first: disbursements (one, two tranches, or two draws of a revolving loan),
instalments on the product's rhythm, and a final repayment of whatever is left, so a
balance can only reach zero, never pass it.  The risk plan then removes what a bad loan
never paid, moves what a cured loan paid late, and adds collections and write-offs of
exactly the balance left.  Interest is accrued on the resulting balances last.  Rows after
the ledger's end date are cut off: loans still running then are simply live.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.ledger.schema import DISBURSE, REPAY
from reportgen.sample import interest, risk
from reportgen.sample.arrays import (
    IntArray,
    Rows,
    add_months,
    ragged_positions,
    sum_by,
    uniform_int,
)
from reportgen.sample.loans import YUAN, Loans
from reportgen.sample.risk import Plan


@dataclass(frozen=True)
class Events:
    """All transaction rows and classification rows of the ledger, unsorted."""

    transactions: Rows
    classifications: Rows


def _round_down(fen: IntArray, unit_yuan: int) -> IntArray:
    """Fen rounded down to a multiple of ``unit_yuan`` yuan."""
    unit = unit_yuan * YUAN
    return fen // unit * unit


def _share_of(rng: np.random.Generator, amount: IntArray, low: float, high: float) -> IntArray:
    """A random share of each amount, in whole thousands of yuan, at least 1,000 yuan."""
    share = _round_down((amount * rng.uniform(low, high, amount.size)).astype(np.int64), 1_000)
    return np.minimum(np.maximum(share, 1_000 * YUAN), amount)


def _draws(rng: np.random.Generator, loans: Loans, plan: Plan) -> tuple[Rows, Rows]:
    """(disbursements, final repayments of revolving loans' first and second draws)."""
    n = loans.n
    share = rng.uniform(0.5, 0.7, n)
    first = np.where(loans.tranches == 1,
                     _round_down((loans.amount * share).astype(np.int64), 10_000), loans.amount)
    loan = np.arange(n)
    tranche = np.flatnonzero(loans.tranches == 1)
    rev = np.flatnonzero(loans.revolving == 1)
    a1 = _share_of(rng, loans.amount[rev], 0.5, 1.0)
    a2 = _share_of(rng, loans.amount[rev], 0.4, 1.0)
    length = loans.maturity[rev] - loans.start[rev]
    repaid = loans.start[rev] + (length * rng.uniform(0.3, 0.6, rev.size)).astype(np.int64)
    again = repaid + uniform_int(rng, 3, 20, rev.size)
    first[rev] = a1
    disburse = np.full(n, DISBURSE)
    draws = Rows.concat([
        Rows(loan, loans.start, disburse, first),
        Rows(tranche, plan.draw2[tranche], disburse[tranche],
             loans.amount[tranche] - first[tranche]),
        Rows(rev, again, disburse[rev], a2),
    ])
    revolving_finals = Rows.concat([
        Rows(rev, repaid, np.full(rev.size, REPAY), a1),
        Rows(rev, loans.maturity[rev], np.full(rev.size, REPAY), a2),
    ])
    return draws, revolving_finals


def _instalments(rng: np.random.Generator, loans: Loans, plan: Plan) -> Rows:
    """Principal instalments every ``interval`` months, a share of the amount in equal parts.

    Only those after the last tranche and before the payoff day are kept; a bad loan's from
    the day it stopped paying are dropped and a cured loan's arrears are paid on its cure day.
    """
    planned = np.where((loans.interval > 0) & (loans.revolving == 0),
                       loans.term // np.maximum(loans.interval, 1) - 1, 0)
    part = _round_down((loans.amount * rng.uniform(0.3, 0.8, loans.n)).astype(np.int64)
                       // np.maximum(planned, 1), 100)
    loan, pos = ragged_positions(planned)
    day = add_months(loans.start[loan], loans.interval[loan] * (pos + 1))
    in_arrears = (day >= plan.overdue[loan]) & (day < plan.cure[loan])
    day = np.where(in_arrears, plan.cure[loan], day)
    keep = ((day > plan.last_draw[loan]) & (day < plan.payoff[loan])
            & (day < plan.stop[loan]) & (part[loan] > 0))
    return Rows(loan, day, np.full(loan.size, REPAY), part[loan]).select(keep)


def make_events(rng: np.random.Generator, loans: Loans, end: int) -> Events:
    """Transactions and classification rows of every loan, up to and including ``end``.

    Args:
        rng: the generator's random source for this stage.
        loans: the loans, sorted by start date.
        end: the ledger's last day (day number).

    Returns:
        The rows, unsorted, all dated within [loan start, end].
    """
    plan = risk.plan_loans(rng, loans)
    draws, revolving_finals = _draws(rng, loans, plan)
    instalments = _instalments(rng, loans, plan)
    paid = sum_by(instalments.loan, instalments.value, loans.n)
    single = np.flatnonzero((loans.revolving == 0) & (plan.path != risk.BAD))
    finals = Rows.concat([
        Rows(single, plan.payoff[single], np.full(single.size, REPAY),
             loans.amount[single] - paid[single]),
        revolving_finals,
    ])
    bad_tx, bad_states = risk.bad_loan_rows(rng, loans, plan, loans.amount - paid)
    principal = Rows.concat([draws, instalments, finals, bad_tx])
    states = Rows.concat([risk.state_rows(rng, loans, plan), bad_states])
    principal = principal.select(principal.day <= end)
    interest_rows = interest.interest_rows(loans, plan, principal, finals, end)
    return Events(
        transactions=Rows.concat([principal, interest_rows]),
        classifications=states.select(states.day <= end),
    )
