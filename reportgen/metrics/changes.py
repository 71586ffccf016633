"""变动: each branch's, industry's and product's balance change since O and since Y.

The written analysis names the items that moved the balance (analysis.md, topic
``drivers``).  The monthly and longer reports read them from the structure section; the
ten-day report and the reports holding its sections (weekly, custom) have no structure
section (interface.md), so this computes just what their drivers need, with the structure's
own codes (``structure.dimension_codes``) and grouped sums.

An item is listed when it has a balance on D, O or Y, so a branch whose loans were all
repaid during the period is still seen moving (down to 0).  A comparison day before the
ledger's first date is unknown: that side's changes are ``None``, never 0.
"""

from __future__ import annotations

import numpy as np

from reportgen.metrics.context import Context, live_balance
from reportgen.metrics.grouped import group_sum
from reportgen.metrics.shared import shared
from reportgen.metrics.structure import dimension_codes
from reportgen.model import ChangeRow, Changes

DRIVER_DIMENSIONS = ("branch", "industry", "product")


def changes(ctx: Context) -> tuple[Changes, ...]:
    """Per driver dimension, the change of every item since O and Y (shared per D, O, Y)."""
    return shared(ctx.engine, ("changes", ctx.period.end, ctx.period.opening,
                               ctx.period.year_start), lambda: _changes(ctx))


def _changes(ctx: Context) -> tuple[Changes, ...]:
    bal_d = live_balance(ctx.d)
    known_o = ctx.known(ctx.period.opening)
    known_y = ctx.known(ctx.period.year_start)
    bal_o = live_balance(ctx.o) if known_o else np.zeros_like(bal_d)
    bal_y = live_balance(ctx.y) if known_y else np.zeros_like(bal_d)
    pick = ctx.engine.selected  # a scope: sum its loans only
    if pick is not None:
        bal_d, bal_o, bal_y = bal_d[pick], bal_o[pick], bal_y[pick]
    out = []
    for dim in DRIVER_DIMENSIONS:
        codes, keys, fixed = dimension_codes(ctx)[dim]
        if pick is not None:
            codes = codes[pick]
        n = len(keys)
        d, o, y = (group_sum(codes, b, n) for b in (bal_d, bal_o, bal_y))
        listed = np.flatnonzero((d != 0) | (o != 0) | (y != 0))
        if not fixed:  # as the structure orders them: balance on D, largest first
            listed = listed[np.lexsort((listed, -d[listed]))]
        out.append(Changes(dim, tuple(
            ChangeRow(key=str(keys[i]),
                      change_opening=dd - oo if known_o else None,
                      change_year_start=dd - yy if known_y else None)
            for i, dd, oo, yy in zip(listed.tolist(), d[listed].tolist(),
                                     o[listed].tolist(), y[listed].tolist(), strict=True))))
    return tuple(out)
