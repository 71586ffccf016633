"""逾期: balances by overdue-day bucket on D, over-90, and portfolio at risk (PAR30/PAR90).

PAR counts the whole balance of each late loan, not only the late instalment.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from reportgen.metrics.context import Context
from reportgen.metrics.position import Position, compare, positions
from reportgen.model import BUCKETS, Overdue, ratio


def overdue(ctx: Context) -> Overdue:
    d, o, y, ly = positions(ctx)
    table = [compare(name, _bucket(i), d, o, y, ly) for i, name in enumerate(BUCKETS)]
    table.append(compare("total", attrgetter("overdue_total"), d, o, y, ly))
    table.append(compare("over_90", attrgetter("over_90"), d, o, y, ly))
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


def _bucket(i: int) -> Callable[[Position], int]:
    return lambda p: p.buckets[i]
