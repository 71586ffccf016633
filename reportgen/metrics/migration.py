"""迁徙率 from O to D, by the CBRC off-site indicator formulas.

The cohort of grade g is every loan live on O and graded g on O (loans made during the
period belong to no cohort).  base(g) = Σ bal(x, O) − Σ (repay + writeoff in [S, D]);
moved(g) = Σ bal(x, D) over the cohort's loans graded in the target set on D.  A base of
zero or less gives a null rate.  An opening before the ledger's first date gives no
cohorts at all: every figure is null ("—"), not 0.
"""

from __future__ import annotations

import numpy as np

from reportgen.ledger.schema import DOUBTFUL, LOSS, NORMAL, SPECIAL_MENTION, SUBSTANDARD
from reportgen.metrics.context import Context, live_balance
from reportgen.metrics.grouped import group_sum
from reportgen.model import Migration, MigrationRate, ratio

RATES = (
    ("normal", (NORMAL,), (SPECIAL_MENTION, SUBSTANDARD, DOUBTFUL, LOSS)),
    ("special_mention", (SPECIAL_MENTION,), (SUBSTANDARD, DOUBTFUL, LOSS)),
    ("substandard", (SUBSTANDARD,), (DOUBTFUL, LOSS)),
    ("doubtful", (DOUBTFUL,), (LOSS,)),
    ("performing", (NORMAL, SPECIAL_MENTION), (SUBSTANDARD, DOUBTFUL, LOSS)),
)


def migration(ctx: Context) -> Migration:
    if not ctx.known(ctx.period.opening):  # no cohort can be known: every figure is null
        return Migration(tuple(MigrationRate(key, None, None, None) for key, *_ in RATES),
                         tuple((None,) * 5 for _ in range(5)), (None,) * 5)
    o, d = ctx.o, ctx.d
    live = np.flatnonzero(o.live)  # the cohorts: every loan live on O, by its grade on O
    g_o = o.grade[live].astype(np.intp)
    # Three grouped sums give every figure: per (grade on O, grade on D) the balance on D
    # (the matrix), and per grade on O the opening balance and the period's reductions.
    pairs = group_sum(g_o * 5 + d.grade[live], live_balance(d)[live], 25)
    opening = group_sum(g_o, o.balance[live], 5)
    reduced = group_sum(g_o, ctx.flows.reduced[live], 5)
    matrix = pairs.reshape(5, 5)
    rates = []
    for key, cohort_grades, targets in RATES:
        cohort = list(cohort_grades)
        base = int(opening[cohort].sum() - reduced[cohort].sum())
        moved = int(matrix[np.ix_(cohort, list(targets))].sum())
        rates.append(MigrationRate(key, base, moved, ratio(moved, base) if base > 0 else None))
    return Migration(tuple(rates), tuple(tuple(int(v) for v in row) for row in matrix),
                     tuple(int(v) for v in opening))
