"""五级分类: balance per grade on D, NPL and NPL ratio (and at year start)."""

from __future__ import annotations

from reportgen.ledger.schema import GRADE_CODES
from reportgen.metrics.context import Context
from reportgen.metrics.position import positions
from reportgen.model import Compare, Quality


def quality(ctx: Context) -> Quality:
    d, o, y, ly = positions(ctx)
    table = [Compare(code, d.grades[g], o.grades[g], y.grades[g], ly.grades[g])
             for g, code in enumerate(GRADE_CODES)]
    table.append(Compare("npl", d.npl, o.npl, y.npl, ly.npl))
    table.append(Compare("npl_ratio", d.npl_ratio, o.npl_ratio, y.npl_ratio, ly.npl_ratio))
    return Quality(
        *d.grades,
        npl=d.npl,
        npl_ratio=d.npl_ratio,
        npl_year_start=y.npl,
        npl_ratio_year_start=y.npl_ratio,
        table=tuple(table),
    )
