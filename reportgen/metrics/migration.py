"""迁徙率 from O to D, by the CBRC off-site indicator formulas.

The cohort of grade g is every loan live on O and graded g on O (loans made during the
period belong to no cohort).  base(g) = Σ bal(x, O) − Σ (repay + writeoff in [S, D]);
moved(g) = Σ bal(x, D) over the cohort's loans graded in the target set on D.  A base of
zero or less gives a null rate.
"""

from __future__ import annotations

import numpy as np

from reportgen.ledger.schema import DOUBTFUL, LOSS, NORMAL, SPECIAL_MENTION, SUBSTANDARD
from reportgen.metrics.context import Context, live_balance
from reportgen.model import Migration, MigrationRate, ratio

RATES = (
    ("normal", (NORMAL,), (SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS)),
    ("special_mention", (SPECIAL_MENTION,), (SUBSTANDARD, DOUBTFUL, LOSS)),
    ("substandard", (SUBSTANDARD,), (DOUBTFUL, LOSS)),
    ("doubtful", (DOUBTFUL,), (LOSS,)),
    ("performing", (NORMAL, SPECIAL_MENTION), (SUBSTANDARD, DOUBTFUL, LOSS)),
)


def migration(ctx: Context) -> Migration:
    o, d = ctx.o, ctx.d
    bal_o, bal_d = live_balance(o), live_balance(d)
    reduced = ctx.flows.collected + ctx.flows.written_off
    rates = []
    for key, cohort_grades, targets in RATES:
        cohort = o.live & np.isin(o.grade, cohort_grades)
        base = int(bal_o[cohort].sum() - reduced[cohort].sum())
        moved = int(bal_d[cohort & np.isin(d.grade, targets)].sum())
        rates.append(MigrationRate(key, base, moved, ratio(moved, base) if base > 0 else None))
    # matrix[g_o][g_d] as one grouped sum over the 25 (g_o, g_d) pairs
    pair = o.grade.astype(np.int64) * 5 + d.grade
    sums = np.zeros(25, dtype=np.int64)
    np.add.at(sums, pair[o.live], bal_d[o.live])
    matrix = tuple(tuple(int(v) for v in sums[g * 5:(g + 1) * 5]) for g in range(5))
    cohort_opening = tuple(int(bal_o[o.live & (o.grade == g)].sum()) for g in range(5))
    return Migration(tuple(rates), matrix, cohort_opening)
