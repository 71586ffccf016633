"""五级分类: balance per grade on D, NPL and NPL ratio (and at year start)."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from reportgen.ledger.schema import GRADE_CODES
from reportgen.metrics.context import Context
from reportgen.metrics.position import Position, at, compare, positions
from reportgen.model import Quality


def quality(ctx: Context) -> Quality:
    d, o, y, ly = positions(ctx)
    table = [compare(code, _grade(g), d, o, y, ly) for g, code in enumerate(GRADE_CODES)]
    table.append(compare("npl", attrgetter("npl"), d, o, y, ly))
    table.append(compare("npl_ratio", attrgetter("npl_ratio"), d, o, y, ly))
    return Quality(
        *d.grades,
        npl=d.npl,
        npl_ratio=d.npl_ratio,
        npl_year_start=at(y, attrgetter("npl")),
        npl_ratio_year_start=at(y, attrgetter("npl_ratio")),
        table=tuple(table),
    )


def _grade(g: int) -> Callable[[Position], int]:
    return lambda p: p.grades[g]
