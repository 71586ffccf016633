"""集中度: the largest customers and the largest group against net capital, on D.

Ranked by balance descending, ties by customer_id ascending (the id's sort rank is
precomputed, so ranking is one integer lexsort).
"""

from __future__ import annotations

import numpy as np

from reportgen.ledger.schema import NET_CAPITAL
from reportgen.metrics.context import Context, live_balance, text_at
from reportgen.metrics.grouped import group_sum
from reportgen.metrics.shared import shared
from reportgen.model import Concentration, TopCustomer, ratio


def customer_balances(ctx: Context) -> np.ndarray:
    return group_sum(ctx.loan_customer, live_balance(ctx.d), ctx.n_customers)


def largest(balances: np.ndarray, id_rank: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` customers with the largest positive balance, ties by id, largest first.

    Only the customers at or above the n-th largest balance are sorted (a partition finds
    it), not every customer with a balance.
    """
    with_balance = np.flatnonzero(balances > 0)
    if 0 < n < with_balance.size:
        values = balances[with_balance]
        nth = np.partition(values, values.size - n)[values.size - n]
        with_balance = with_balance[values >= nth]
    order = with_balance[np.lexsort((id_rank[with_balance], -balances[with_balance]))]
    return order[:n]


def concentration(ctx: Context) -> Concentration:
    """Shared per D: the reports of a month end hold the same."""
    return shared(ctx.engine, ("concentration", ctx.period.end), lambda: _concentration(ctx))


def _concentration(ctx: Context) -> Concentration:
    customers = ctx.ledger.customers
    balances = customer_balances(ctx)
    net_capital = ctx.engine.bank_figure(NET_CAPITAL, ctx.period.end)
    top = largest(balances, customers["id_rank"], 10)
    ranked = top.tolist()
    ids = text_at(customers, "customer_id", top).to_pylist()
    names = text_at(customers, "customer_name", top).to_pylist()
    top10 = tuple(
        TopCustomer(rank + 1, ids[rank], names[rank], int(balances[i]),
                    ratio(int(balances[i]), net_capital))
        for rank, i in enumerate(ranked)
    )
    top1 = int(balances[top[0]]) if len(top) else 0
    top10_balance = int(balances[top].sum())

    groups = customers["group"]
    group_balance = group_sum(groups, balances, len(ctx.ledger.groups))
    top_group_id: str | None = None
    top_group_balance: int | None = None
    if len(group_balance) and group_balance.max() > 0:
        # ties: the smallest group_id (groups are sorted, so the lowest code)
        g = int(np.argmax(group_balance))
        top_group_id, top_group_balance = ctx.ledger.groups[g], int(group_balance[g])
    return Concentration(
        top10=top10,
        top1_balance=top1,
        top10_balance=top10_balance,
        net_capital=net_capital,
        top1_ratio=ratio(top1, net_capital),
        top10_ratio=ratio(top10_balance, net_capital),
        top_group_id=top_group_id,
        top_group_balance=top_group_balance,
        top_group_ratio=None if top_group_balance is None
        else ratio(top_group_balance, net_capital),
    )
