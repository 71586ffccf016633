"""趋势: balance, NPL, overdue and the month's flows at each month end of the period."""

from __future__ import annotations

from reportgen.ledger.schema import DISBURSE, REPAY
from reportgen.metrics.context import Context
from reportgen.metrics.daily import daily_totals
from reportgen.metrics.position import position
from reportgen.model import Trend, TrendPoint


def trend(ctx: Context) -> Trend:
    points = []
    totals = daily_totals(ctx.engine)
    ctx.engine.snapshots(list(ctx.period.month_ends()))  # the month ends in one batch
    for end in ctx.period.month_ends():
        start = end.replace(day=1)
        p = position(ctx, ctx.engine.snapshot(end))
        points.append(TrendPoint(
            month=f"{end.year:04d}-{end.month:02d}",
            end=end,
            balance=p.balance,
            npl=p.npl,
            npl_ratio=p.npl_ratio,
            overdue_total=p.overdue_total,
            disbursed=totals.total(DISBURSE, start, end),
            collected=totals.total(REPAY, start, end),
        ))
    return Trend(tuple(points))
