"""客户经理: each account manager's book on D, and completion of targets.

A target counts when its period (year, half-year, quarter or month) contains D, and is
measured from that period's start P to D: balance increase = Σ bal(D) − Σ bal(P − 1);
disbursed = Σ disburse in [P, D]; new customers = customers with a live loan of the
manager on D and none on P − 1 (all unknown, null, when P − 1 is before the ledger's first
date, as is the change since a year start before it).  Each result also says how much of
its period's time has gone (时间进度, days of [P, D] ÷ days of the period) and whether
completion keeps pace.  Target values are parsed in millionths: money targets become fen,
counts whole numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction

import numpy as np

from reportgen.ledger.parse import DECIMAL_SCALE
from reportgen.ledger.parsed import Columns
from reportgen.ledger.schema import DISBURSE, TARGET_METRICS
from reportgen.metrics.context import (
    Context,
    live_balance,
    npl_mask,
    sorted_contains,
    sorted_unique,
)
from reportgen.metrics.deposits import deposit_target_actual
from reportgen.metrics.grouped import group_count, group_sum
from reportgen.metrics.shared import shared
from reportgen.model import AccountManagers, ManagerRow, TargetResult, ratio
from reportgen.periods import Period, target_periods, time_progress


def _manager_customers(ctx: Context, live: np.ndarray) -> np.ndarray:
    """The distinct (manager, customer) pairs with a live loan, as ascending int64 keys."""
    manager = ctx.ledger.loans["manager_code"].astype(np.int64)
    return sorted_unique(manager[live] * max(ctx.n_customers, 1) + ctx.loan_customer[live])


def _per_manager(pairs: np.ndarray, ctx: Context) -> np.ndarray:
    """How many of the (manager, customer) ``pairs`` each manager has."""
    n_m = len(ctx.ledger.managers)
    managers = (pairs // max(ctx.n_customers, 1)).astype(np.int64)
    return np.bincount(managers, minlength=n_m)[:n_m].astype(np.int64)


def _actuals(ctx: Context, p: Period, balance: np.ndarray, now: np.ndarray
             ) -> dict[str, np.ndarray]:
    """Per-manager actuals from P to D for one target period (``balance``: each manager's
    balance on D; ``now``: the (manager, customer) pairs live on D)."""
    manager = ctx.ledger.loans["manager_code"]
    n_m = len(ctx.ledger.managers)
    before = ctx.engine.snapshot(p.start - timedelta(days=1))
    increase = balance - group_sum(manager, live_balance(before), n_m)
    disbursed = group_sum(manager, ctx.engine.flow(DISBURSE, p.start, ctx.period.end), n_m)
    then = _manager_customers(ctx, before.live)
    return {"balance_increase": increase, "disbursed": disbursed,
            "new_customers": _per_manager(now[~sorted_contains(then, now)], ctx)}


def _targets(ctx: Context, names: list[str], balance: np.ndarray, now: np.ndarray
             ) -> dict[int, list[TargetResult]]:
    """Target results per manager code. A manager with a target but no loan in the ledger
    (say, a new hire) is appended to ``names``; its actuals are all 0."""
    targets = ctx.ledger.targets
    out: dict[int, list[TargetResult]] = {}
    if targets is None or not len(targets):
        return out
    n_m = len(ctx.ledger.managers)
    index = {name: i for i, name in enumerate(names)}
    metrics = [name for name, *_ in TARGET_METRICS]
    for p in target_periods(ctx.period.end):
        rows = np.flatnonzero((targets["period"] == p.id) & _in_scope(ctx, targets))
        if not rows.size:
            continue
        # Measured from P − 1: before the ledger's first date the actuals are unknown.
        known = ctx.known(p.start - timedelta(days=1))
        actuals = {metric: values.tolist()
                   for metric, values in _actuals(ctx, p, balance, now).items()} if known else {}
        for name, code, value in zip(targets["account_manager"][rows].tolist(),
                                     targets["metric"][rows].tolist(),
                                     targets["target"][rows].tolist(), strict=True):
            m = index.setdefault(str(name), len(names))
            if m == len(names):
                names.append(str(name))
            metric = metrics[code]
            scale = DECIMAL_SCALE if metric == "new_customers" else DECIMAL_SCALE // 100
            target = int(value) // scale
            actual: int | Fraction | None
            if metric.startswith("deposit_"):  # the deposit book's own managers and dates
                actual = deposit_target_actual(ctx, p, str(name), metric)
            else:
                actual = None if not known else int(actuals[metric][m]) if m < n_m else 0
            out.setdefault(m, []).append(_progress(ctx, p, metric, target, actual))
    return out


def _in_scope(ctx: Context, targets: Columns) -> np.ndarray | bool:
    """The target rows a report shows: every one for the whole bank; in a scope, those of
    the managers with a loan in it (their actuals are then over the scope's loans)."""
    selection = ctx.selection
    if selection.is_all:
        return True
    codes = shared(ctx.engine.whole, ("target manager codes",),
                   lambda: _target_codes(ctx, targets))
    return np.isin(codes, np.array(sorted(selection.managers), dtype=np.int64))


def _target_codes(ctx: Context, targets: Columns) -> np.ndarray:
    """Each target row's manager code in the ledger (-1: a manager without loans)."""
    index = {name: i for i, name in enumerate(ctx.ledger.managers)}
    return np.array([index.get(str(n), -1) for n in targets["account_manager"].tolist()],
                    dtype=np.int64)


def _progress(ctx: Context, p: Period, metric: str, target: int,
              actual: int | Fraction | None) -> TargetResult:
    """A target's completion against the time gone (assessment.md, Target progress); an
    unknown actual has an unknown completion and pace, but its time still goes by."""
    completion = None if actual is None or not target else Fraction(actual) / target
    elapsed = ratio(*time_progress(p, ctx.period.end))
    on_pace = None if completion is None or elapsed is None else completion >= elapsed
    end = ctx.period.end
    double_half = bool(on_pace) and p.report == "yearly" and (end.month, end.day) == (6, 30)
    return TargetResult(metric, p.id, target, actual, completion, elapsed, on_pace,
                        double_half)


@dataclass(frozen=True)
class _Book:
    """Each manager's book on D against the year start, and the targets' results: all
    depend on D and Y only, so the reports of a month end share them (memoised)."""

    names: list[str]  # the ledger's managers, then those known only from targets.csv
    balance: np.ndarray
    year_start: np.ndarray | None  # None: the year start is before the ledger's first date
    accounts: np.ndarray
    customers: np.ndarray
    npl: np.ndarray
    targets: dict[int, list[TargetResult]]


def _book(ctx: Context) -> _Book:
    return shared(ctx.engine, ("managers", ctx.d.day, ctx.y.day), lambda: _book_on(ctx))


def _book_on(ctx: Context) -> _Book:
    manager = ctx.ledger.loans["manager_code"]
    n_m = len(ctx.ledger.managers)
    bal_d = live_balance(ctx.d)
    npl_d = np.where(npl_mask(ctx.d), bal_d, 0)
    known = ctx.known(ctx.period.year_start)
    bal_y, live_d = live_balance(ctx.y), ctx.d.live
    now = _manager_customers(ctx, ctx.d.live)
    if (pick := ctx.engine.selected) is not None:  # a scope: sum its loans only
        manager, bal_d, npl_d, bal_y, live_d = (a[pick] for a in (manager, bal_d, npl_d,
                                                                   bal_y, live_d))
    balance = group_sum(manager, bal_d, n_m)
    year_start = group_sum(manager, bal_y, n_m) if known else None
    accounts = group_count(manager, live_d, n_m)
    customers = _per_manager(now, ctx)
    npl = group_sum(manager, npl_d, n_m)
    names = list(ctx.ledger.managers)
    targets = _targets(ctx, names, balance, now)
    size = len(names)
    return _Book(names, _padded(balance, size),
                 None if year_start is None else _padded(year_start, size),
                 _padded(accounts, size), _padded(customers, size), _padded(npl, size),
                 targets)


def _padded(figures: np.ndarray, size: int) -> np.ndarray:
    """Zero figures for the managers known only from targets.csv."""
    return np.concatenate((figures, np.zeros(size - len(figures), dtype=np.int64)))


def account_managers(ctx: Context) -> AccountManagers:
    book = _book(ctx)
    names, targets = book.names, book.targets
    balance, year_start, accounts = book.balance, book.year_start, book.accounts
    customers, npl = book.customers, book.npl
    n_m = len(ctx.ledger.managers)
    disbursed = _padded(group_sum(ctx.ledger.loans["manager_code"], ctx.flows.disbursed, n_m),
                        len(names))
    shown = [m for m in range(len(names))
             if accounts[m] or (year_start is not None and year_start[m]) or disbursed[m]
             or m in targets]
    shown.sort(key=lambda m: (-int(balance[m]), names[m]))
    rows = tuple(
        ManagerRow(
            account_manager=names[m],
            balance=int(balance[m]),
            balance_year_start=None if year_start is None else int(year_start[m]),
            change_year_start=None if year_start is None else int(balance[m] - year_start[m]),
            accounts=int(accounts[m]),
            customers=int(customers[m]),
            disbursed=int(disbursed[m]),
            npl=int(npl[m]),
            npl_ratio=ratio(int(npl[m]), int(balance[m])),
            targets=tuple(sorted(targets.get(m, []), key=lambda t: (t.metric, len(t.period)))),
            account_manager_name=ctx.ledger.manager_names[m]
            if m < len(ctx.ledger.manager_names) else None,
        )
        for m in shown
    )
    return AccountManagers(rows, has_targets=bool(targets))
