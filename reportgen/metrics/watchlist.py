"""风险客户: every live loan overdue or graded special mention or worse on D.

``new`` marks loans that were neither on O (including loans not live then; null when O is
before the ledger's first date); ``grade_check``
marks grades milder than the overdue days allow (风险分类办法: over 90 days at least
substandard, over 270 doubtful, over 360 loss).  Worst grade first, then balance descending,
then loan_id.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reportgen.engine import Snapshot
from reportgen.ledger.schema import DOUBTFUL, LOSS, SPECIAL_MENTION, SUBSTANDARD
from reportgen.metrics.context import Context, grade_names, live_balance, sort_keys, text_at
from reportgen.metrics.shared import shared
from reportgen.model import Listing, ListingColumn, WatchEntry, Watchlist


def watched(snap: Snapshot) -> np.ndarray:
    return snap.live & ((snap.overdue_days > 0) | (snap.grade >= SPECIAL_MENTION))


def required_grade(overdue_days: np.ndarray) -> np.ndarray:
    """The mildest grade the overdue days allow."""
    return np.select([overdue_days > 360, overdue_days > 270, overdue_days > 90],
                     [LOSS, DOUBTFUL, SUBSTANDARD], 0)


@dataclass(frozen=True)
class _OnD:
    """The watched loans on D in list order, with their columns: shared per D, since
    only the ``new`` flag (against O) differs between the reports of a month end."""

    loans: np.ndarray
    balance: int
    check: np.ndarray
    columns: dict[str, ListingColumn]


def _on_d(ctx: Context) -> _OnD:
    return shared(ctx.engine, ("watchlist", ctx.d.day), lambda: _watched_on_d(ctx))


def _watched_on_d(ctx: Context) -> _OnD:
    d = ctx.d
    bal = live_balance(d)
    on = np.flatnonzero(watched(d))
    loans, customers = ctx.ledger.loans, ctx.ledger.customers
    ids = sort_keys(text_at(loans, "loan_id", on))
    on = on[np.lexsort((ids, -bal[on], -d.grade[on].astype(np.int64)))]
    check = d.grade[on] < required_grade(d.overdue_days[on])
    cust = ctx.loan_customer[on]
    columns: dict[str, ListingColumn] = {
        "loan_id": text_at(loans, "loan_id", on),
        "customer_id": text_at(customers, "customer_id", cust),
        "customer_name": text_at(customers, "customer_name", cust),
        "account_manager": text_at(loans, "account_manager", on),
        "branch": text_at(loans, "branch", on),
        "balance": bal[on],
        "grade": grade_names(d.grade[on]),
        "overdue_days": d.overdue_days[on].astype(np.int64),
    }
    return _OnD(on, int(bal[on].sum()), check, columns)


def watchlist(ctx: Context) -> Watchlist:
    on_d = _on_d(ctx)
    known = ctx.known(ctx.period.opening)  # before the ledger's first date: "new" unknown
    new = (~watched(ctx.o)[on_d.loans] if known
           else np.full(len(on_d.loans), None, dtype=object))
    entries = Listing(WatchEntry, {**on_d.columns, "new": new, "grade_check": on_d.check})
    return Watchlist(
        count=len(entries),
        balance=on_d.balance,
        new_count=int(new.sum()) if known else None,
        grade_check_count=int(on_d.check.sum()),
        entries=entries,
    )
