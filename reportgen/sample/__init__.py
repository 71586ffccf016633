"""A deterministic, realistic sample ledger: for the demo, the tests and the benchmarks.

reportgen cannot be shown, tested or timed on a real bank's ledger (it is confidential), so
it makes its own: one rural commercial bank (示例农村商业银行) with branches, account managers,
companies, shops and farmers, loans that are disbursed, repaid, revolved, go overdue, cure,
are downgraded, written off and recovered.  Every file obeys the ledger contract
(docs: ledger-format) by construction, the same arguments always give byte-identical files,
and a million loans take about 15 seconds, since everything is computed on whole arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import UsageError
from reportgen.ledger import schema
from reportgen.sample import write
from reportgen.sample.arrays import IntArray, Rows, day_number
from reportgen.sample.customers import Bank, Customers, make_bank, make_customers
from reportgen.sample.deposits import account_columns, balance_columns, make_deposits
from reportgen.sample.events import make_events
from reportgen.sample.figures import NEW_CUSTOMERS, Targets, bank_figures, targets
from reportgen.sample.loans import PRODUCTS, Loans, credit_lines, first_loan_day, make_loans
from reportgen.sample.names import BANK_NAME

__all__ = ["BANK_NAME", "SampleStats", "generate_sample"]

_STAGES = ("bank", "customers", "loans", "events", "figures", "targets", "lines")


@dataclass(frozen=True)
class SampleStats:
    """What ``generate_sample`` wrote: the folder and the rows in each file."""

    out: Path
    customers: int
    loans: int
    transactions: int
    classifications: int
    bank_figures: int
    targets: int
    deposit_accounts: int = 0
    deposit_balances: int = 0


def _check(loans: int, start: date, end: date) -> None:
    """Reject arguments no ledger can be made of, with a message that says what to change."""
    if loans < 1:
        raise UsageError(f"--loans must be at least 1, not {loans}")
    if end <= start:
        raise UsageError(f"--end ({end}) must be after --start ({start})")


def _ids(loans: Loans, n_customers: int) -> tuple[pa.Array, pa.Array, IntArray]:
    """Customer ids numbered by first loan, loan ids by start date (借据号 JJ + date + number).

    Returns:
        (customer id per customer, loan id per loan, customer rows in id order).
    """
    order = np.lexsort((np.arange(n_customers), first_loan_day(loans, n_customers)))
    number = np.empty(n_customers, np.int64)
    number[order] = np.arange(n_customers)
    customer_ids = write.numbered("KH", number + 1, max(6, len(str(n_customers))))
    start = pa.array(loans.start.astype("datetime64[D]"))
    yyyymmdd = pc.strftime(start, format="%Y%m%d")
    seq = write.numbered("", np.arange(1, loans.n + 1), max(6, len(str(loans.n))))
    loan_ids = pc.binary_join_element_wise("JJ", yyyymmdd, seq, "")
    return customer_ids, loan_ids, order


def _customer_columns(cust: Customers, ids: pa.Array, lines: IntArray,
                      order: IntArray) -> dict[str, pa.Array]:
    """customers.csv columns, rows in customer-id order."""
    width = max(4, len(str(int(cust.group.max(initial=0)) + 1)))
    group = write.numbered("JT", np.maximum(cust.group, 0) + 1, width)
    group = pc.if_else(pa.array(cust.group >= 0), group, pa.scalar(None, pa.string()))
    columns = {
        "customer_id": ids,
        "customer_name": cust.name,
        "customer_type": write.labels(schema.codes(schema.CUSTOMER_TYPES), cust.ctype),
        "enterprise_size": write.labels(schema.codes(schema.ENTERPRISE_SIZES), cust.size),
        "industry": write.labels(schema.INDUSTRY_LETTERS, cust.industry),
        "credit_line": write.two_decimals(lines),
        "group_id": group,
        "id_number": cust.id_number,
    }
    take = pa.array(order)
    return {k: v.take(take) for k, v in columns.items()}


def _loan_columns(loans: Loans, bank: Bank, cust: Customers, customer_ids: pa.Array,
                  loan_ids: pa.Array) -> dict[str, pa.Array]:
    """loans.csv columns."""
    manager = cust.manager[loans.customer]
    return {
        "loan_id": loan_ids,
        "customer_id": customer_ids.take(pa.array(loans.customer)),
        "branch": write.labels(tuple(bank.branches), bank.manager_branch[manager]),
        "account_manager": write.labels(tuple(bank.managers), manager),
        "product": write.labels(tuple(p.name for p in PRODUCTS), loans.product),
        "guarantee": write.labels(schema.codes(schema.GUARANTEES), loans.guarantee),
        "contract_amount": write.two_decimals(loans.amount),
        "start_date": write.days(loans.start),
        "maturity_date": write.days(loans.maturity),
        "rate": write.two_decimals(loans.rate),
    }


def _by_day(rows: Rows) -> Rows:
    """Rows in the order a core system exports them: by day, then loan, then type or grade."""
    key = (rows.day << 44) | (rows.loan << 3) | rows.kind
    return rows.select(np.argsort(key, kind="stable"))


def _target_columns(t: Targets, bank: Bank) -> dict[str, pa.Array]:
    """targets.csv columns: money targets as "1234.50", new customers as a count."""
    count = t.metric == NEW_CUSTOMERS
    value = pc.if_else(pa.array(count), write.integers(t.value), write.two_decimals(t.value))
    return {
        "account_manager": write.labels(tuple(bank.managers), t.manager),
        "period": write.labels(tuple(t.period_ids), t.period),
        "metric": write.labels(schema.codes(schema.TARGET_METRICS), t.metric),
        "target": value,
    }


def generate_sample(out: Path, loans: int = 2000, seed: int = 1,
                    start: date = date(2024, 1, 1),
                    end: date = date(2026, 11, 28), deposits: bool = True) -> SampleStats:
    """Write a sample ledger folder of six CSV files.

    Args:
        out: folder to write into (created if missing; the six files are replaced).
        loans: number of loans; customers, managers and branches scale with it.
        seed: random seed; the same arguments always give byte-identical files.
        start: first day of the ledger; every row is dated on or after it.
        end: last day of the ledger (the export date); no row is dated after it.
        deposits: also write deposit_accounts.csv and deposit_balances.csv (from a stream
            of their own: the loan files are the same either way).

    Returns:
        The folder and the number of rows written to each file.

    Raises:
        UsageError: ``loans`` below 1, or ``end`` not after ``start``.
    """
    _check(loans, start, end)
    rng = dict(zip(_STAGES, (np.random.default_rng(s) for s in
                             np.random.SeedSequence(seed).spawn(len(_STAGES))), strict=True))
    first, last = day_number(start), day_number(end)
    bank = make_bank(rng["bank"], loans)
    cust = make_customers(rng["customers"], loans, bank)
    book = make_loans(rng["loans"], loans, cust, first, last)
    events = make_events(rng["events"], book, last)
    tx = _by_day(events.transactions)
    states = _by_day(events.classifications)
    figures = _by_day(bank_figures(rng["figures"], book, cust.n, tx, states, first, last))
    goals = targets(rng["targets"], book, cust.manager, len(bank.managers), tx, end.year,
                    end.month, last)
    customer_ids, loan_ids, order = _ids(book, cust.n)
    out.mkdir(parents=True, exist_ok=True)
    loan_of = loan_ids.take
    counts = {
        "customers": write.write_table(out, schema.CUSTOMERS, _customer_columns(
            cust, customer_ids, credit_lines(rng["lines"], book, cust), order)),
        "loans": write.write_table(out, schema.LOANS, _loan_columns(
            book, bank, cust, customer_ids, loan_ids)),
        "transactions": write.write_table(out, schema.TRANSACTIONS, {
            "loan_id": loan_of(pa.array(tx.loan)),
            "date": write.days(tx.day),
            "type": write.labels(schema.codes(schema.TX_TYPES), tx.kind),
            "amount": write.two_decimals(tx.value),
        }),
        "classifications": write.write_table(out, schema.CLASSIFICATIONS, {
            "loan_id": loan_of(pa.array(states.loan)),
            "date": write.days(states.day),
            "grade": write.labels(schema.GRADE_CODES, states.kind),
            "overdue_since": write.days(states.value),
        }),
        "bank_figures": write.write_table(out, schema.BANK_FIGURES, {
            "date": write.days(figures.day),
            "item": write.labels(schema.codes(schema.BANK_ITEMS), figures.kind),
            "amount": write.two_decimals(figures.value),
        }),
        "targets": write.write_table(out, schema.TARGETS, _target_columns(goals, bank)),
    }
    if deposits:
        made = make_deposits(seed, cust, len(bank.managers), first, last)
        accounts = account_columns(made, bank, customer_ids)
        counts["deposit_accounts"] = write.write_table(out, schema.DEPOSIT_ACCOUNTS, accounts)
        counts["deposit_balances"] = write.write_table(
            out, schema.DEPOSIT_BALANCES, balance_columns(made, accounts["account_id"]))
    return SampleStats(out=out, **counts)

