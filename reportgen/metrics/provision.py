"""拨备: provision coverage (provision / NPL) and provision ratio (provision / loans) on D."""

from __future__ import annotations

from reportgen.ledger.schema import PROVISION
from reportgen.metrics.context import Context
from reportgen.metrics.position import position
from reportgen.model import Provision, ratio


def provision(ctx: Context) -> Provision:
    d = position(ctx, ctx.d)
    amount = ctx.engine.bank_figure(PROVISION, ctx.period.end)
    return Provision(
        provision=amount,
        npl=d.npl,
        balance=d.balance,
        coverage_ratio=None if amount is None else ratio(amount, d.npl),
        provision_ratio=None if amount is None else ratio(amount, d.balance),
    )
