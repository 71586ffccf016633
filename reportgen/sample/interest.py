"""Interest received on the sample loans: accrued day by day on the real balance.

Chinese banks settle loan interest on the 20th: of March, June, September and December for
companies and farmers (按季结息), of every month for personal business and consumer loans
(按月结息), and with the principal when a loan is repaid (利随本清).  The amount is
the day-by-day balance times the rate over 360 days, accrued since the previous settlement,
so ``interest_received`` in a report has the size a bank expects.  A loan that stopped
paying settles nothing more; a cured loan settles its arrears on its cure day.
"""

from __future__ import annotations

import numpy as np

from reportgen.ledger.schema import INTEREST
from reportgen.sample.arrays import (
    IntArray,
    Rows,
    group_cumsum,
    group_starts,
    principal_change,
    ragged_positions,
    settlement_days,
    sort_key,
)
from reportgen.sample.loans import Loans
from reportgen.sample.risk import BAD, CURED, Plan

# fen × days × (hundredths of a percent) → fen: / 100 (percent) / 100 (hundredths) / 360 days.
_SCALE = 100 * 100 * 360


def _settlement_days(loans: Loans, plan: Plan, finals: Rows, end: int) -> tuple[IntArray,
                                                                                IntArray]:
    """(loan, day) of every interest settlement: on the 20th, at payoff, and on a cure day."""
    last = np.minimum(np.where(plan.path == BAD, plan.stop - 1,
                               np.minimum(plan.payoff, loans.maturity)), end)
    parts = []
    for every, rows in ((1, loans.monthly == 1), (3, loans.monthly == 0)):
        calendar = settlement_days(int(loans.start.min()), end, every)
        first_i = np.searchsorted(calendar, loans.start, side="right")
        last_i = np.searchsorted(calendar, last, side="right")
        owner, pos = ragged_positions(np.where(rows, np.maximum(last_i - first_i, 0), 0))
        parts.append((owner, calendar[first_i[owner] + pos]))
    loan = np.concatenate([p[0] for p in parts])
    day = np.concatenate([p[1] for p in parts])
    in_arrears = (day >= plan.overdue[loan]) & (day < plan.cure[loan])
    loan, day = loan[~in_arrears], day[~in_arrears]
    cured = np.flatnonzero((plan.path == CURED) & (plan.cure <= end))
    paid_off = finals.day <= end
    return (np.concatenate([loan, finals.loan[paid_off], cured]),
            np.concatenate([day, finals.day[paid_off], plan.cure[cured]]))


def _accrued(principal: Rows, loan_m: IntArray, day_m: IntArray) -> tuple[IntArray, IntArray,
                                                                           IntArray]:
    """Balance × days accrued between consecutive settlements of each loan.

    Returns:
        (loan, day, fen-days) of each settlement, in (loan, day) order.
    """
    signed = principal_change(principal)
    loan = np.concatenate([principal.loan, loan_m])
    day = np.concatenate([principal.day, day_m])
    marker = np.concatenate([np.zeros(principal.loan.size, np.int64),
                             np.ones(loan_m.size, np.int64)])
    order = np.argsort(sort_key(loan, day, marker), kind="stable")
    loan, day, marker = loan[order], day[order], marker[order]
    balance = group_cumsum(np.concatenate([signed, np.zeros(loan_m.size, np.int64)])[order], loan)
    days = np.zeros(loan.size, np.int64)
    days[:-1] = np.where(loan[1:] == loan[:-1], day[1:] - day[:-1], 0)
    accrued = balance * days
    before = group_cumsum(accrued, loan) - accrued  # fen-days from the loan's first row
    at = np.flatnonzero(marker == 1)
    total, m_loan = before[at], loan[at]
    previous = np.zeros(at.size, np.int64)
    previous[1:] = total[:-1]
    previous[group_starts(m_loan)] = 0
    return m_loan, day[at], total - previous


def interest_rows(loans: Loans, plan: Plan, principal: Rows, finals: Rows, end: int) -> Rows:
    """``interest`` transactions of every loan up to ``end`` (none of zero amount)."""
    loan_m, day_m = _settlement_days(loans, plan, finals, end)
    loan, day, fen_days = _accrued(principal, loan_m, day_m)
    fen = (fen_days * loans.rate[loan] + _SCALE // 2) // _SCALE
    return Rows(loan, day, np.full(loan.size, INTEREST), fen).select(fen > 0)
