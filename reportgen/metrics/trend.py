"""趋势: balance, NPL, overdue and the month's flows at each month end of the period."""

from __future__ import annotations

from datetime import timedelta

from reportgen.ledger.schema import DISBURSE, REPAY
from reportgen.metrics.context import Context
from reportgen.metrics.daily import daily_totals
from reportgen.metrics.position import position
from reportgen.model import Trend, TrendPoint


def trend(ctx: Context) -> Trend:
    points = []
    totals = daily_totals(ctx.engine)
    ctx.engine.snapshots(list(ctx.period.month_ends()))  # the month ends in one batch
    snapshots = ctx.ledger.snapshot_days  # a snapshot ledger knows its snapshot dates only
    for end in ctx.period.month_ends():
        start = end.replace(day=1)
        if snapshots is not None and end not in snapshots:
            points.append(TrendPoint(f"{end.year:04d}-{end.month:02d}", end,
                                     None, None, None, None, None, None))
            continue
        flows_known = snapshots is None or start - timedelta(days=1) in snapshots
        p = position(ctx, ctx.engine.snapshot(end))
        points.append(TrendPoint(
            month=f"{end.year:04d}-{end.month:02d}",
            end=end,
            balance=p.balance,
            npl=p.npl,
            npl_ratio=p.npl_ratio,
            overdue_total=p.overdue_total,
            disbursed=totals.total(DISBURSE, start, end) if flows_known else None,
            collected=totals.total(REPAY, start, end) if flows_known else None,
        ))
    return Trend(tuple(points))
