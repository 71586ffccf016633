"""到期: loans due this period with their collection rate, and the upcoming list.

Due this period: maturity_date in [S, D] and something to collect (bal(x, O) plus the
period's disbursements is above zero — a loan repaid in full before the period is not
"due").  Upcoming: live loans maturing in (D, D + 30 days], 10 days for the dekad and
custom reports, 7 for the weekly one, soonest first, then balance descending, then loan_id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.daykeys import day_number
from reportgen.ledger.parse import days_to_dates
from reportgen.metrics.context import Context, grade_names, live_balance, sort_keys, text_at
from reportgen.metrics.shared import shared
from reportgen.model import Listing, Maturity, UpcomingLoan, ratio

UPCOMING_DAYS = {"weekly": 7, "dekad": 10, "custom": 10}  # assessment.md; else 30


def upcoming_days(report: str) -> int:
    return UPCOMING_DAYS.get(report, 30)


def maturity(ctx: Context) -> Maturity:
    loans = ctx.ledger.loans
    start, end = day_number(ctx.period.start), day_number(ctx.period.end)
    mat = loans["maturity_date"]
    in_period = np.flatnonzero((mat >= start) & (mat <= end))
    amounts = live_balance(ctx.o)[in_period] + ctx.flows.disbursed[in_period]
    due = in_period[amounts > 0]
    due_amount = int(amounts[amounts > 0].sum())
    due_collected = int(ctx.flows.collected[due].sum())
    upcoming = _upcoming(ctx, upcoming_days(ctx.period.report))
    return Maturity(
        due_count=len(due),
        due_amount=due_amount,
        due_collected=due_collected,
        due_collection_rate=ratio(due_collected, due_amount),
        upcoming_days=upcoming.days,
        upcoming_count=len(upcoming.loans),
        upcoming_balance=upcoming.balance,
        upcoming=upcoming.loans,
    )


@dataclass(frozen=True)
class _Upcoming:
    days: int
    balance: int
    loans: Listing[UpcomingLoan]


def _upcoming(ctx: Context, days: int) -> _Upcoming:
    """Live loans maturing in (D, D + days]: shared per (D, days), since the monthly,
    quarterly and yearly reports of a month end list the same loans."""
    return shared(ctx.engine, ("upcoming", ctx.period.end, days),
                  lambda: _upcoming_on(ctx, days))


def _upcoming_on(ctx: Context, days: int) -> _Upcoming:
    loans = ctx.ledger.loans
    end, mat = day_number(ctx.period.end), loans["maturity_date"]
    bal = live_balance(ctx.d)
    soon = np.flatnonzero(ctx.d.live & (mat > end) & (mat <= end + days))
    ids = sort_keys(text_at(loans, "loan_id", soon))
    soon = soon[np.lexsort((ids, -bal[soon], mat[soon]))]
    return _Upcoming(days, int(bal[soon].sum()), _listing(ctx, soon, bal))


def _listing(ctx: Context, idx: np.ndarray, bal: np.ndarray) -> Listing[UpcomingLoan]:
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    cust = ctx.loan_customer[idx]
    return Listing(UpcomingLoan, {
        "loan_id": text_at(loans, "loan_id", idx),
        "customer_id": text_at(customers, "customer_id", cust),
        "customer_name": text_at(customers, "customer_name", cust),
        "account_manager": text_at(loans, "account_manager", idx),
        "branch": text_at(loans, "branch", idx),
        "balance": bal[idx],
        "maturity_date": days_to_dates(loans["maturity_date"][idx]),
        "grade": grade_names(ctx.d.grade[idx]),
    })
