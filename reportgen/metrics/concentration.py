"""集中度: the largest customers and the largest group against net capital, on D.

Ranked by balance descending, ties by customer_id ascending (the id's sort rank is
precomputed, so ranking is one integer lexsort).
"""

from __future__ import annotations

import numpy as np

from reportgen.ledger.schema import NET_CAPITAL
from reportgen.metrics.context import Context, group_sum, live_balance
from reportgen.model import Concentration, TopCustomer, ratio


def customer_balances(ctx: Context) -> np.ndarray:
    return group_sum(ctx.loan_customer, live_balance(ctx.d), ctx.n_customers)


def concentration(ctx: Context) -> Concentration:
    customers = ctx.ledger.customers
    balances = customer_balances(ctx)
    net_capital = ctx.engine.bank_figure(NET_CAPITAL, ctx.period.end)
    with_balance = np.flatnonzero(balances > 0)
    order = with_balance[np.lexsort((customers["id_rank"][with_balance],
                                     -balances[with_balance]))]
    top = order[:10]
    top10 = tuple(
        TopCustomer(rank + 1, str(customers["customer_id"][i]),
                    str(customers["customer_name"][i]), int(balances[i]),
                    ratio(int(balances[i]), net_capital))
        for rank, i in enumerate(top.tolist())
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
