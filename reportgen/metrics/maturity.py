"""到期: loans due this period with their collection rate, and the upcoming list.

Due this period: maturity_date in [S, D] and something to collect (bal(x, O) plus the
period's disbursements is above zero — a loan repaid in full before the period is not
"due").  Upcoming: live loans maturing in (D, D + 30 days], 10 days for the dekad report,
soonest first, then balance descending, then loan_id.
"""

from __future__ import annotations

import numpy as np

from reportgen.engine import day_number
from reportgen.ledger.parse import days_to_dates
from reportgen.metrics.context import Context, grade_names, live_balance
from reportgen.model import Listing, Maturity, UpcomingLoan, ratio


def upcoming_days(report: str) -> int:
    return 10 if report == "dekad" else 30


def maturity(ctx: Context) -> Maturity:
    loans = ctx.ledger.loans
    start, end = day_number(ctx.period.start), day_number(ctx.period.end)
    mat = loans["maturity_date"]
    due_amounts = live_balance(ctx.o) + ctx.flows.disbursed
    due = (mat >= start) & (mat <= end) & (due_amounts > 0)
    due_amount = int(due_amounts[due].sum())
    due_collected = int(ctx.flows.collected[due].sum())

    days = upcoming_days(ctx.period.report)
    bal = live_balance(ctx.d)
    soon = np.flatnonzero(ctx.d.live & (mat > end) & (mat <= end + days))
    soon = soon[np.lexsort((loans["loan_id"][soon].astype(str), -bal[soon], mat[soon]))]
    return Maturity(
        due_count=int(due.sum()),
        due_amount=due_amount,
        due_collected=due_collected,
        due_collection_rate=ratio(due_collected, due_amount),
        upcoming_days=days,
        upcoming_count=len(soon),
        upcoming_balance=int(bal[soon].sum()),
        upcoming=_listing(ctx, soon, bal),
    )


def _listing(ctx: Context, idx: np.ndarray, bal: np.ndarray) -> Listing[UpcomingLoan]:
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    cust = ctx.loan_customer[idx]
    return Listing(UpcomingLoan, {
        "loan_id": loans["loan_id"][idx].tolist(),
        "customer_id": customers["customer_id"][cust].tolist(),
        "customer_name": customers["customer_name"][cust].tolist(),
        "account_manager": loans["account_manager"][idx].tolist(),
        "branch": loans["branch"][idx].tolist(),
        "balance": bal[idx],
        "maturity_date": days_to_dates(loans["maturity_date"][idx]),
        "grade": grade_names(ctx.d.grade[idx]),
    })
