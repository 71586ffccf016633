"""总量: balances at D, O, Y, L, the period's flows, and the balance identity."""

from __future__ import annotations

from operator import attrgetter

from reportgen.errors import InternalError
from reportgen.ledger.schema import DISBURSE, INTEREST, RECOVERY, REPAY, WRITEOFF
from reportgen.metrics.context import Context
from reportgen.metrics.position import Position, at, compare, positions
from reportgen.model import Summary


def summary(ctx: Context) -> Summary:
    d, o, y, ly = positions(ctx)
    f = ctx.flows
    result = Summary(
        balance=d.balance,
        accounts=d.accounts,
        customers=d.customers,
        balance_opening=at(o, _balance),
        balance_year_start=at(y, _balance),
        balance_last_year=at(ly, _balance),
        disbursed=f.total(DISBURSE),
        disbursed_count=f.count(DISBURSE),
        collected=f.total(REPAY),
        written_off=f.total(WRITEOFF),
        interest_received=f.total(INTEREST),
        recovered=f.total(RECOVERY),
        table=tuple(compare(key, attrgetter(key), d, o, y, ly)
                    for key in ("balance", "accounts", "customers")),
    )
    check_identity(result)
    return result


def _balance(p: Position) -> int:
    return p.balance


def check_identity(s: Summary) -> None:
    """balance = opening + disbursed − collected − written_off, or the figures are wrong.

    An unknown opening (the day before the ledger's first date) has nothing to check."""
    if s.balance_opening is None:
        return
    expected = s.balance_opening + s.disbursed - s.collected - s.written_off
    if s.balance != expected:
        raise InternalError(
            f"balance identity failed: balance {s.balance} fen ≠ opening {s.balance_opening} "
            f"+ disbursed {s.disbursed} − collected {s.collected} − written off "
            f"{s.written_off} = {expected} fen. This is a bug in reportgen; please report it."
        )
