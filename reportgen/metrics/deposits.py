"""存款: deposit balances, daily averages (日均), 有贷户/无贷户, 存贷比 and managers' deposits.

Balances on D, O, the year start and the same day last year come from
``DepositBook.balance``; every daily average is a day sum (积数, fen·days) from
``DepositBook.day_sum`` over the window's days, kept as an exact ``Average`` (a fraction of
fen) until a renderer rounds it.  A date before the deposit table's first date is unknown
(null, "—"), as it is for loans; so is an average whose window starts before it.

The loans' daily average (贷款日均余额) is the same numerator over the loan journal: a
principal row of amount a dated t adds a × (D − max(t, S) + 1) to Σ_{d∈[S,D]} bal(d),
one product sum over the journal, no loop over days.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from fractions import Fraction

import numpy as np

from reportgen.deposit_engine import DepositBook, ScopedDepositBook
from reportgen.engine import Engine
from reportgen.ledger.schema import DEPOSIT_KINDS, codes
from reportgen.metrics.context import Context, live_balance
from reportgen.metrics.grouped import group_count, group_sum
from reportgen.metrics.shared import shared
from reportgen.model import (
    Average,
    Compare,
    DepositAverageRow,
    DepositBorrowerRow,
    DepositManagerRow,
    Deposits,
    average_change,
    ratio,
)
from reportgen.periods import Period, period_ending

KIND_CODES = codes(DEPOSIT_KINDS)
N_KINDS = len(KIND_CODES)
# The rows of the section, in order, and the kinds each sums (储蓄 = individual_*,
# 对公 = corporate_*, 保证金 = margin).
GROUPS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("total", tuple(range(N_KINDS))),
    ("savings", (0, 1)),
    ("individual_demand", (0,)),
    ("individual_time", (1,)),
    ("corporate", (2, 3)),
    ("corporate_demand", (2,)),
    ("corporate_time", (3,)),
    ("margin", (4,)),
    ("other", (5,)),
)
WITH_MANAGERS = ("monthly", "quarterly", "halfyear", "yearly")


def has_deposits(ctx: Context) -> bool:
    ledger = ctx.ledger
    return ledger.deposit_accounts is not None and ledger.deposit_balances is not None


def deposit_book(ctx: Context) -> DepositBook:
    """The deposit book of the report's scope: the whole bank's, built once per ledger
    load (on the whole bank's engine, so fifty branch reports share one sort of the
    balance rows); a scope's masks it with its accounts (``Selection.deposits``)."""
    whole = ctx.engine.whole
    book = shared(whole, ("deposit_book",), lambda: DepositBook(ctx.ledger))
    mine = ctx.selection.deposits
    if ctx.selection.is_all or mine is None:
        return book
    return shared(ctx.engine, ("deposit_book", ctx.selection.id),
                  lambda: ScopedDepositBook(book, mine))


def loan_day_sum(engine: Engine, start: date, end: date) -> int:
    """Σ_{d∈[start, end]} of the book's loan balance (fen·days): the engine's per-loan day
    sums (``Engine.day_sums``), added; once per window and engine."""
    return shared(engine, ("loan_day_sum", start, end),
                  lambda: int(engine.day_sums(start, end).sum()))


def loan_average(ctx: Context, start: date, end: date) -> Average | None:
    """贷款日均余额 over [start, end]; None when the window starts before the ledger."""
    if not ctx.known(start):
        return None
    return Average.of(loan_day_sum(ctx.engine, start, end), (end - start).days + 1)


def previous_window(period: Period) -> tuple[date, date]:
    """The previous period: the one of the same type ending on O; for a window of no
    named type (a custom range), the window of the same length ending on O."""
    before = period_ending(period.report, period.opening)
    if before is not None:
        return before.start, before.end
    length = period.end - period.start
    return period.opening - length, period.opening


def _by_kind(book: DepositBook, values: np.ndarray) -> list[int]:
    sums: list[int] = group_sum(book.kind, values, N_KINDS).tolist()
    return sums


def _grouped(per_kind: list[int] | None) -> list[int | None]:
    return [None if per_kind is None else sum(per_kind[k] for k in kinds)
            for _, kinds in GROUPS]


def _average(book: DepositBook, start: date, end: date) -> list[Average | None]:
    if not book.known(start):
        return [None] * len(GROUPS)
    window = book.day_sum(start, end)
    return [None if v is None else Average.of(v, window.days)
            for v in _grouped(_by_kind(book, window.fen_days))]


def _balances(book: DepositBook, day: date) -> list[int | None]:
    return _grouped(_by_kind(book, book.balance(day)) if book.known(day) else None)


def deposits(ctx: Context) -> Deposits | None:
    """The section, or None when the ledger has no deposit tables."""
    if not has_deposits(ctx):
        return None
    book, p = deposit_book(ctx), ctx.period
    now, opening = _balances(book, p.end), _balances(book, p.opening)
    year, last = _balances(book, p.year_start), _balances(book, p.last_year)
    balances = tuple(Compare(key, *values) for (key, _), *values
                     in zip(GROUPS, now, opening, year, last, strict=True))
    period_avg = _average(book, p.start, p.end)
    ytd = _average(book, date(p.end.year, 1, 1), p.end)
    prev = _average(book, *previous_window(p))
    averages = tuple(DepositAverageRow(key, a, y, b, average_change(a, b))
                     for (key, _), a, y, b in zip(GROUPS, period_avg, ytd, prev, strict=True))
    loan_balance = int(live_balance(ctx.d).sum())
    loan_avg = loan_average(ctx, p.start, p.end)
    deposit_now, deposit_avg = now[0], period_avg[0]
    return Deposits(
        balances=balances,
        averages=averages,
        borrowers=_borrowers(ctx, book),
        loan_balance=loan_balance,
        loan_average=loan_avg,
        loan_to_deposit=ratio(loan_balance, deposit_now),
        loan_to_deposit_average=(None if loan_avg is None or not deposit_avg
                                 else Fraction(loan_avg) / deposit_avg),
        base_date=ctx.config.deposits.base_date,
        managers=_managers(ctx, book) if p.report in WITH_MANAGERS else None,
    )


def borrower_accounts(ctx: Context, book: DepositBook) -> np.ndarray:
    """Per deposit account: whether its customer has a live loan on D (有贷户).

    Judged on the whole bank's loans, in a scope too: whether a depositor borrows is a
    fact about the customer (as 普惠 eligibility is), not about which branch lent."""
    live = np.zeros(max(ctx.n_customers, 1), dtype=bool)
    whole = ctx.engine.whole
    customer = ctx.loan_customer[whole.snapshot(ctx.period.end).live]
    live[customer[customer >= 0]] = True
    linked = book.customer >= 0
    return linked & live[np.where(linked, book.customer, 0)]


def _borrowers(ctx: Context, book: DepositBook) -> tuple[DepositBorrowerRow, ...]:
    p = ctx.period
    group = np.where(borrower_accounts(ctx, book), 0, 1)
    bal = book.balance(p.end)
    balance = group_sum(group, bal, 2).tolist()
    accounts = group_count(group, bal > 0, 2).tolist()
    if book.known(p.start):
        window = book.day_sum(p.start, p.end)
        sums = group_sum(group, window.fen_days, 2).tolist()
        avgs: list[Average | None] = [Average.of(v, window.days) for v in sums]
    else:
        avgs = [None, None]
    known = book.known(p.end)
    return tuple(DepositBorrowerRow(key, accounts[i], balance[i] if known else 0, avgs[i])
                 for i, key in enumerate(("with_loans", "without_loans")))


def _weights(ctx: Context) -> tuple[list[int], int]:
    """The kinds' weights as integers over one common denominator (exact: 0.3 is 3/10)."""
    config = ctx.config.deposits.weights
    exact = [Fraction(str(getattr(config, code))) for code in KIND_CODES]
    common = math.lcm(*(w.denominator for w in exact))
    return [int(w * common) for w in exact], common


def _managers(ctx: Context, book: DepositBook) -> tuple[DepositManagerRow, ...]:
    p = ctx.period
    names = ctx.ledger.deposit_managers
    n = len(names)
    bal = book.balance(p.end)
    balance = group_sum(book.manager, bal, n)
    accounts = group_count(book.manager, bal > 0, n)
    average: list[Average | None] = [None] * n
    weighted: list[Average | None] = [None] * n
    new: list[Average | None] = [None] * n
    if book.known(p.start):
        window = book.day_sum(p.start, p.end)
        cell = np.where(book.manager >= 0, book.manager * N_KINDS + book.kind, -1)
        per_kind = group_sum(cell, window.fen_days, n * N_KINDS).reshape(n, N_KINDS)
        weights, common = _weights(ctx)
        weighted_sums = per_kind.astype(object) @ np.array(weights, dtype=object)
        totals = per_kind.sum(axis=1).tolist()
        average = [Average.of(v, window.days) for v in totals]
        weighted = [Average(int(v), window.days * common) for v in weighted_sums.tolist()]
        base = ctx.config.deposits.base_date or p.year_start
        if book.known(base):
            at_base = group_sum(book.manager, book.balance(base), n).tolist()
            new = [Average.of(v - b * window.days, window.days)
                   for v, b in zip(totals, at_base, strict=True)]
    shown = [m for m in range(n) if accounts[m] or (average[m] or 0)]
    shown.sort(key=lambda m: (-int(balance[m]), names[m]))
    return tuple(DepositManagerRow(names[m], int(accounts[m]), int(balance[m]), average[m],
                                   weighted[m], new[m]) for m in shown)


def deposit_target_actual(ctx: Context, p: Period, manager: str, metric: str
                          ) -> int | Average | None:
    """存款净增 or 日均净增 of one manager for a target period ``p`` up to D.

    deposit_balance_increase = Σ bal(D) − Σ bal(P − 1); deposit_avg_increase = Σ over the
    days of [P, D] of (bal(d) − bal(B)) ÷ days, B = ``[deposits] base_date`` when set, else
    P − 1.  None when a date it needs is before the deposit table's first date, or when
    the ledger has no deposit tables.
    """
    if not has_deposits(ctx):
        return None
    book = deposit_book(ctx)
    names = ctx.ledger.deposit_managers
    if manager not in names:
        return 0
    mine = book.manager == names.index(manager)
    eve = p.start - timedelta(days=1)
    end = ctx.period.end
    if metric == "deposit_balance_increase":
        if not book.known(eve):
            return None
        return int(book.balance(end)[mine].sum() - book.balance(eve)[mine].sum())
    base = ctx.config.deposits.base_date or eve
    if not book.known(base) or not book.known(p.start):
        return None
    window = book.day_sum(p.start, end)
    fen_days = int(window.fen_days[mine].sum())
    return Average.of(fen_days - int(book.balance(base)[mine].sum()) * window.days,
                      window.days)
