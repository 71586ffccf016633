"""Start a report on both cores: the figures every section reads first, made two at a time.

The sections run one after another on one thread, each reading what it needs from the
engine's caches (``Engine.snapshots``, ``metrics.shared``).  The first few of those are
large and independent of each other: the as-of snapshots of the period (a binary search
per loan into each journal) and the book's daily totals, the period's per-loan day sums
and, for a monthly or longer report, the 普惠 live-contract sweep (each a pass over the
journal).  numpy releases the GIL in all of them, so here the snapshots are made on this
thread while the others are made on a second one; both are done before any section runs,
so the sections find every figure cached and nothing is computed twice or concurrently.

Only figures a report certainly reads are made (the same calls, with the same cache keys,
as the sections make), so no work is wasted and every figure is the one the sections
would have computed.  A scoped or partitioned engine answers through its own classes and
is left to the sections.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from reportgen.engine import Engine
from reportgen.metrics.context import Context
from reportgen.metrics.daily import daily_totals
from reportgen.metrics.deposits import loan_day_sum
from reportgen.metrics.inclusive import live_contracts


def warm(ctx: Context, *, inclusive: bool) -> None:
    """Fill the engine's caches with the period's snapshots (this thread) and its journal
    sweeps (a second thread); returns when both are done.  ``inclusive``: the report has
    the inclusive section (monthly and longer)."""
    engine = ctx.engine
    if type(engine) is not Engine:  # a scope's or a part's engine: left to the sections
        return
    p = ctx.period
    days = [p.end] + [day for day in (p.opening, p.year_start, p.last_year) if ctx.known(day)]
    with ThreadPoolExecutor(max_workers=1) as beside:
        sweeps = beside.submit(_sweeps, ctx, inclusive)
        engine.snapshots(list(dict.fromkeys(days)))
        sweeps.result()


def _sweeps(ctx: Context, inclusive: bool) -> None:
    """What the summary (every report) and the inclusive section (monthly and longer)
    read first: each a pass over the journal, cached under the key the section uses."""
    daily_totals(ctx.engine)
    if ctx.known(ctx.period.start):  # the period's 贷款日均余额 (summary)
        loan_day_sum(ctx.engine, ctx.period.start, ctx.period.end)
    if inclusive:
        live_contracts(ctx)
