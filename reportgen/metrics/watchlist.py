"""风险客户: every live loan overdue or graded special mention or worse on D.

``new`` marks loans that were neither on O (including loans not live then); ``grade_check``
marks grades milder than the overdue days allow (风险分类办法: over 90 days at least
substandard, over 270 doubtful, over 360 loss).  Worst grade first, then balance descending,
then loan_id.
"""

from __future__ import annotations

import numpy as np

from reportgen.engine import Snapshot
from reportgen.ledger.schema import DOUBTFUL, LOSS, SPECIAL_MENTION, SUBSTANDARD
from reportgen.metrics.context import Context, grade_names, live_balance
from reportgen.model import Listing, WatchEntry, Watchlist


def watched(snap: Snapshot) -> np.ndarray:
    return snap.live & ((snap.overdue_days > 0) | (snap.grade >= SPECIAL_MENTION))


def required_grade(overdue_days: np.ndarray) -> np.ndarray:
    """The mildest grade the overdue days allow."""
    return np.select([overdue_days > 360, overdue_days > 270, overdue_days > 90],
                     [LOSS, DOUBTFUL, SUBSTANDARD], 0)


def watchlist(ctx: Context) -> Watchlist:
    d = ctx.d
    bal = live_balance(d)
    on = np.flatnonzero(watched(d))
    new = ~watched(ctx.o)[on]
    check = d.grade[on] < required_grade(d.overdue_days[on])
    ids = ctx.ledger.loans["loan_id"][on].astype(str)
    order = np.lexsort((ids, -bal[on], -d.grade[on].astype(np.int64)))
    on, new, check = on[order], new[order], check[order]
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    cust = ctx.loan_customer[on]
    entries = Listing(WatchEntry, {
        "loan_id": loans["loan_id"][on].tolist(),
        "customer_id": customers["customer_id"][cust].tolist(),
        "customer_name": customers["customer_name"][cust].tolist(),
        "account_manager": loans["account_manager"][on].tolist(),
        "branch": loans["branch"][on].tolist(),
        "balance": bal[on],
        "grade": grade_names(d.grade[on]),
        "overdue_days": d.overdue_days[on].astype(np.int64),
        "new": new,
        "grade_check": check,
    })
    return Watchlist(
        count=len(entries),
        balance=int(bal[on].sum()),
        new_count=int(new.sum()),
        grade_check_count=int(check.sum()),
        entries=entries,
    )
