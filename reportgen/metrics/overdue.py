"""逾期: balances by overdue-day bucket on D, over-90, and portfolio at risk (PAR30/PAR90).

PAR counts the whole balance of each late loan, not only the late instalment.
"""

from __future__ import annotations

from reportgen.metrics.context import Context
from reportgen.metrics.position import positions
from reportgen.model import BUCKETS, Compare, Overdue, ratio


def overdue(ctx: Context) -> Overdue:
    d, o, y, ly = positions(ctx)
    table = [Compare(name, d.buckets[i], o.buckets[i], y.buckets[i], ly.buckets[i])
             for i, name in enumerate(BUCKETS)]
    table.append(Compare("total", d.overdue_total, o.overdue_total, y.overdue_total,
                         ly.overdue_total))
    table.append(Compare("over_90", d.over_90, o.over_90, y.over_90, ly.over_90))
    b = d.buckets
    return Overdue(
        d1_30=b[0], d31_90=b[1], d91_180=b[2], d181_270=b[3], d271_360=b[4], d361_plus=b[5],
        total=d.overdue_total,
        accounts=d.overdue_accounts,
        over_90=d.over_90,
        over_90_to_npl=ratio(d.over_90, d.npl),
        par30=ratio(d.over_30, d.balance),
        par90=ratio(d.over_90, d.balance),
        table=tuple(table),
    )
