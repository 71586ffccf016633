"""Sample deposits: demand and time accounts of the bank's customers, margin accounts of
borrowers, and savers who borrow nothing, with change-only balance rows.

Made from their own random stream (``seed`` and a fixed tag), after the loans, so adding
deposits changes no loan, transaction or classification of a sample ledger.  Every array
is built whole: each account gets a random opening day and a fixed budget of change
points (about one a month), the points past the export date dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from reportgen.ledger import schema
from reportgen.sample import write
from reportgen.sample.arrays import IntArray
from reportgen.sample.customers import Bank, Customers

_TAG = 13  # the deposits' stream: np.random.default_rng([seed, _TAG])
INDIVIDUAL_DEMAND, INDIVIDUAL_TIME, CORPORATE_DEMAND, CORPORATE_TIME, MARGIN, OTHER = range(6)
_MEDIAN_YUAN = {  # typical balance of a kind, in yuan: 存贷比 near 0.7, as in a county bank
    INDIVIDUAL_DEMAND: 30_000, INDIVIDUAL_TIME: 200_000, CORPORATE_DEMAND: 1_000_000,
    CORPORATE_TIME: 3_500_000, MARGIN: 500_000, OTHER: 50_000,
}


@dataclass(frozen=True)
class Deposits:
    """Accounts (customer row, -1 for a saver outside customers.csv) and balance rows."""

    customer: IntArray
    saver: IntArray  # number of the saver who borrows nothing, -1 for a customer
    manager: IntArray
    kind: IntArray
    row_account: IntArray
    row_day: IntArray
    row_balance: IntArray  # fen


def make_deposits(seed: int, cust: Customers, n_managers: int, first: int, last: int
                  ) -> Deposits:
    rng = np.random.default_rng([seed, _TAG])
    corporate = cust.ctype == schema.CORPORATE
    business = cust.ctype != schema.INDIVIDUAL  # companies, shops and owners borrow on margin
    rows = np.arange(cust.n)
    time_owner = rng.random(cust.n) < np.where(corporate, 0.4, 0.5)
    margin_owner = business & (rng.random(cust.n) < 0.2)
    n_savers = cust.n // 2
    customer = np.concatenate((rows, rows[time_owner], rows[margin_owner],
                               np.full(n_savers, -1)))
    kind = np.concatenate((
        np.where(corporate, CORPORATE_DEMAND, INDIVIDUAL_DEMAND),
        np.where(corporate[time_owner], CORPORATE_TIME, INDIVIDUAL_TIME),
        np.full(int(margin_owner.sum()), MARGIN),
        np.where(rng.random(n_savers) < 0.6, INDIVIDUAL_DEMAND, INDIVIDUAL_TIME)))
    saver = np.concatenate((np.full(len(customer) - n_savers, -1), np.arange(n_savers)))
    manager = np.where(customer >= 0, cust.manager[np.maximum(customer, 0)],
                       rng.integers(0, n_managers, len(customer)))
    n = len(customer)
    span = last - first
    opened = first + (rng.random(n) ** 2 * span * 0.9).astype(np.int64)  # most open early
    budget = max(2, span // 30 + 1)  # change points per account: about one a month
    gaps = rng.integers(15, 46, (n, budget))
    gaps[:, 0] = 0
    days = opened[:, None] + np.cumsum(gaps, axis=1)
    median = np.array([_MEDIAN_YUAN[k] for k in range(6)])[kind] * 100
    level = median[:, None] * rng.lognormal(0.0, 0.8, (n, 1))
    walk = np.exp(np.cumsum(rng.normal(0.0, 0.15, (n, budget)), axis=1))
    balance = (level * walk).astype(np.int64)
    closes = rng.random(n) < 0.08  # some accounts are closed: a last row of 0
    balance[closes, -1] = 0
    keep = days <= last
    account = np.broadcast_to(np.arange(n)[:, None], days.shape)
    return Deposits(customer, saver, manager, kind, account[keep], days[keep], balance[keep])


def account_columns(d: Deposits, bank: Bank, customer_ids: pa.Array) -> dict[str, pa.Array]:
    """deposit_accounts.csv columns: 账号 CK + number, savers as customers KHS + number."""
    width = max(7, len(str(len(d.customer))))
    linked = customer_ids.take(pa.array(np.maximum(d.customer, 0)))
    saver_ids = write.numbered("KHS", np.maximum(d.saver, 0) + 1, width)
    return {
        "account_id": write.numbered("CK", np.arange(1, len(d.customer) + 1), width),
        "customer_id": pa.array(np.where(d.customer >= 0, linked.to_numpy(zero_copy_only=False),
                                         saver_ids.to_numpy(zero_copy_only=False))),
        "branch": write.labels(tuple(bank.branches), bank.manager_branch[d.manager]),
        "account_manager": write.labels(tuple(bank.managers), d.manager),
        "kind": write.labels(schema.codes(schema.DEPOSIT_KINDS), d.kind),
    }


def balance_columns(d: Deposits, account_ids: pa.Array) -> dict[str, pa.Array]:
    """deposit_balances.csv columns, in the order a core system exports them: by day."""
    order = np.lexsort((d.row_account, d.row_day))
    return {
        "account_id": account_ids.take(pa.array(d.row_account[order])),
        "date": write.days(d.row_day[order]),
        "balance": write.two_decimals(d.row_balance[order]),
    }
