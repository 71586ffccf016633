"""The sample bank's loans (借据): products, guarantees, amounts, terms and rates.

Each customer type borrows through its own products (farmers take 农户小额信用贷款, companies
流动资金贷款 and 固定资产贷款, …), and a product fixes the plausible terms, guarantees and
repayment rhythm.  Amounts are log-normal per customer type and size, from 30,000 yuan for a
farmer to a few 20,000,000+ corporate loans, so every amount band of the reports is used.
Start dates follow the Chinese banking year: busiest in the first quarter (开门红), quiet in
October, and on working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from reportgen.ledger.schema import CORPORATE, INDIVIDUAL_BUSINESS, MICRO_OWNER
from reportgen.sample.arrays import (
    IntArray,
    add_months,
    choose,
    day_number,
    sum_by,
    uniform_int,
)
from reportgen.sample.customers import Customers

YUAN = 100  # fen


@dataclass(frozen=True)
class Product:
    """What a product implies about a loan."""

    name: str
    terms: dict[int, float]  # term in months → weight
    guarantees: tuple[float, float, float, float]  # credit, guarantee, mortgage, pledge
    intervals: dict[int, float]  # principal instalment every n months (0: all at maturity)
    revolving: float = 0.0  # share repaid to zero and drawn again within the term
    tranches: float = 0.0  # share disbursed in two tranches
    amount_factor: float = 1.0
    max_yuan: int = 100_000_000
    rate_shift: float = 0.0  # percentage points on top of the customer's rate
    monthly_interest: float = 0.0  # share settling interest monthly, the rest quarterly


PRODUCTS = (
    Product("流动资金贷款", {12: 0.75, 6: 0.1, 24: 0.1, 36: 0.05}, (0.1, 0.45, 0.38, 0.07),
            {0: 0.6, 3: 0.2, 6: 0.2}, revolving=0.15),
    Product("固定资产贷款", {24: 0.25, 36: 0.4, 60: 0.35}, (0.0, 0.25, 0.7, 0.05), {6: 1.0},
            tranches=0.5, amount_factor=1.3),
    Product("项目贷款", {36: 0.4, 60: 0.6}, (0.0, 0.2, 0.6, 0.2), {6: 1.0}, tranches=0.7,
            amount_factor=1.8),
    Product("个人经营性贷款", {12: 0.75, 24: 0.12, 36: 0.13}, (0.15, 0.45, 0.38, 0.02),
            {0: 0.4, 3: 0.4, 6: 0.2}, revolving=0.1, monthly_interest=0.4),
    Product("创业担保贷款", {12: 0.2, 24: 0.6, 36: 0.2}, (0.0, 1.0, 0.0, 0.0), {0: 0.5, 3: 0.5},
            max_yuan=300_000, rate_shift=-2.0, monthly_interest=1.0),
    Product("农户小额信用贷款", {12: 0.8, 36: 0.2}, (1.0, 0.0, 0.0, 0.0), {0: 0.8, 6: 0.2},
            revolving=0.1, max_yuan=300_000),
    Product("农户联保贷款", {12: 1.0}, (0.0, 1.0, 0.0, 0.0), {0: 1.0}, max_yuan=500_000),
    Product("个人消费贷款", {12: 0.5, 24: 0.2, 36: 0.2, 60: 0.1}, (0.7, 0.15, 0.1, 0.05),
            {0: 0.3, 1: 0.2, 3: 0.5}, amount_factor=0.6, max_yuan=1_000_000, rate_shift=0.8,
            monthly_interest=1.0),
)
# Product weights per customer type (schema order).
PRODUCT_MIX = (
    {0: 0.72, 1: 0.22, 2: 0.06},
    {3: 0.80, 4: 0.10, 6: 0.05, 7: 0.05},
    {3: 0.85, 4: 0.05, 7: 0.10},
    {5: 0.50, 7: 0.30, 6: 0.12, 3: 0.08},
)
BLANK_PRODUCT = 0.01  # the spec allows a blank product; a few exports have one
# Contract amount in yuan per (customer type, enterprise size): median, sigma, min, max.
_AMOUNT = {
    "large": (22_000_000, 0.45, 5_000_000, 60_000_000),
    "medium": (6_000_000, 0.5, 1_000_000, 30_000_000),
    "small": (2_500_000, 0.6, 300_000, 12_000_000),
    "micro": (1_200_000, 0.6, 100_000, 5_000_000),
    "individual_business": (400_000, 0.7, 30_000, 3_000_000),
    "micro_owner": (900_000, 0.7, 50_000, 5_000_000),
    "individual": (100_000, 0.6, 30_000, 500_000),
}
BORROWERS = ("large", "medium", "small", "micro", "individual_business", "micro_owner",
                "individual")
# Percentage points over the guarantee's base rate, same row order as BORROWERS.
_RATE_SHIFT = (-0.5, -0.25, 0.0, 0.2, 0.4, 0.3, 0.3)
_BASE_RATE = (5.6, 4.8, 4.0, 3.8)  # credit, guarantee, mortgage, pledge, in 2024
_RATE_CUT_PER_YEAR = 0.25  # loan prime rate cuts since 2024
_RATE_YEAR_ZERO = day_number(date(2024, 1, 1))
# Relative disbursement by calendar month: 开门红 in Q1, quarter-end pushes, golden week lull.
_SEASON = (1.6, 1.2, 1.5, 1.0, 1.0, 1.2, 0.9, 0.9, 1.1, 0.7, 0.9, 1.0)
_GROWTH_PER_MONTH = 0.01


@dataclass(frozen=True)
class Loans:
    """One row per loan, sorted by start date; codes index the schema's enums."""

    customer: IntArray
    product: IntArray  # index into PRODUCTS, -1 blank
    guarantee: IntArray
    amount: IntArray  # fen
    start: IntArray  # day numbers
    maturity: IntArray
    term: IntArray  # months
    rate: IntArray  # hundredths of a percent: 435 is 4.35 %
    interval: IntArray  # months between principal instalments, 0 = at maturity
    revolving: IntArray  # 1 when drawn twice
    tranches: IntArray  # 1 when disbursed in two tranches
    borrower: IntArray  # row of BORROWERS: enterprise size, or customer type for people
    monthly: IntArray  # 1 when interest is settled monthly

    @property
    def n(self) -> int:
        """Number of loans."""
        return int(self.customer.size)


def _customers_of_loans(rng: np.random.Generator, n: int, cust: Customers) -> IntArray:
    """Every customer gets one loan; companies and businesses are likelier to get more."""
    reach = np.asarray([3.0, 1.2, 1.5, 0.5])[cust.ctype] * rng.lognormal(0.0, 0.5, cust.n)
    return np.concatenate([np.arange(cust.n), choose(rng, reach, n - cust.n)]).astype(np.int64)


def _by_category(rng: np.random.Generator, category: IntArray,
                 mixes: list[dict[int, float]]) -> IntArray:
    """Per row, a key drawn from the weights of its category (a loop over few categories)."""
    out = np.zeros(category.size, dtype=np.int64)
    for c, mix in enumerate(mixes):
        rows = np.flatnonzero(category == c)
        keys = np.asarray(list(mix), dtype=np.int64)
        out[rows] = keys[choose(rng, list(mix.values()), rows.size)]
    return out


def _start_days(rng: np.random.Generator, n: int, start: int, end: int) -> IntArray:
    """Start dates in [start, end], seasonal and growing, moved off weekends."""
    first = np.datetime64(start, "D").astype("datetime64[M]")
    months = np.arange(first, np.datetime64(end, "D").astype("datetime64[M]") + 1)
    lo = np.maximum(months.astype("datetime64[D]").astype(np.int64), start)
    hi = np.minimum((months + 1).astype("datetime64[D]").astype(np.int64) - 1, end)
    days_open = hi - lo + 1
    calendar_month = months.astype(np.int64) % 12
    weight = (np.asarray(_SEASON)[calendar_month] * days_open
              * (1 + _GROWTH_PER_MONTH * np.arange(months.size)))
    month = choose(rng, weight, n)
    day = uniform_int(rng, lo[month], hi[month], n)
    weekday = (day + 3) % 7  # 0 = Monday; 1970-01-01 was a Thursday
    day = day - (weekday == 5) + (weekday == 6)
    return np.clip(day, start, end)


def _amounts(rng: np.random.Generator, borrower: IntArray, product: IntArray) -> IntArray:
    """Contract amounts in fen: log-normal per borrower class, capped per product, rounded."""
    table = np.asarray([_AMOUNT[k] for k in BORROWERS], dtype=np.float64)
    median, sigma, lo, hi = (table[borrower, i] for i in range(4))
    factor = np.asarray([p.amount_factor for p in PRODUCTS])[product]
    cap = np.asarray([p.max_yuan for p in PRODUCTS], dtype=np.float64)[product]
    yuan = np.clip(median * factor * rng.lognormal(0.0, 1.0, borrower.size) ** sigma, lo,
                   np.minimum(hi * factor, np.maximum(cap, lo)))
    unit = np.where(yuan >= 100_000, 10_000, 1_000)
    return (np.round(yuan / unit).astype(np.int64) * unit) * YUAN


def _rates(rng: np.random.Generator, borrower: IntArray, guarantee: IntArray,
           product: IntArray, start: IntArray) -> IntArray:
    """Annual rates in hundredths of a percent, on a 0.05 grid, falling with the LPR."""
    years = np.clip((start - _RATE_YEAR_ZERO) / 365.25, 0.0, 3.0)
    shift = np.asarray([p.rate_shift for p in PRODUCTS])[product]
    pct = (np.asarray(_BASE_RATE)[guarantee] + np.asarray(_RATE_SHIFT)[borrower] + shift
           - _RATE_CUT_PER_YEAR * years + rng.normal(0.0, 0.25, borrower.size))
    return np.clip(np.round(pct * 20).astype(np.int64) * 5, 150, 1800)


def _borrower(cust: Customers, customer: IntArray) -> IntArray:
    """Row of BORROWERS: companies by enterprise size, others by customer type."""
    ctype = cust.ctype[customer]
    other = np.select([ctype == INDIVIDUAL_BUSINESS, ctype == MICRO_OWNER], [4, 5], 6)
    return np.where(ctype == CORPORATE, cust.size[customer], other)


def make_loans(rng: np.random.Generator, n: int, cust: Customers, start: int,
               end: int) -> Loans:
    """``n`` loans over the customers, sorted by start date."""
    customer = _customers_of_loans(rng, n, cust)
    product = _by_category(rng, cust.ctype[customer], list(PRODUCT_MIX))
    term = _by_category(rng, product, [p.terms for p in PRODUCTS])
    interval = _by_category(rng, product, [p.intervals for p in PRODUCTS])
    guarantee = _by_category(rng, product, [dict(enumerate(p.guarantees)) for p in PRODUCTS])
    day = _start_days(rng, n, start, end)
    borrower = _borrower(cust, customer)
    amount = _amounts(rng, borrower, product)
    rate = _rates(rng, borrower, guarantee, product, day)
    chance = rng.random((2, n))
    revolving = ((chance[0] < np.asarray([p.revolving for p in PRODUCTS])[product])
                 & (interval == 0) & (term >= 12))
    tranches = (chance[1] < np.asarray([p.tranches for p in PRODUCTS])[product]) & (term >= 24)
    monthly = rng.random(n) < np.asarray([p.monthly_interest for p in PRODUCTS])[product]
    product = np.where(rng.random(n) < BLANK_PRODUCT, -1, product)
    order = np.lexsort((np.arange(n), day))
    return Loans(
        customer=customer[order],
        product=product[order],
        guarantee=guarantee[order],
        amount=amount[order],
        start=day[order],
        maturity=add_months(day, term)[order],
        term=term[order],
        rate=rate[order],
        interval=interval[order],
        revolving=revolving[order].astype(np.int64),
        tranches=tranches[order].astype(np.int64),
        borrower=borrower[order],
        monthly=monthly[order].astype(np.int64),
    )


def credit_lines(rng: np.random.Generator, loans: Loans, cust: Customers) -> IntArray:
    """Credit line (授信额度) in fen per customer, -1 where the export leaves it blank.

    Given for most companies and fewer people; it covers the customer's largest loan, or
    most of all its loans together, with some headroom, in round figures.
    """
    largest = np.zeros(cust.n, np.int64)
    np.maximum.at(largest, loans.customer, loans.amount)
    total = sum_by(loans.customer, loans.amount, cust.n)
    need = np.maximum(largest, total * 6 // 10) * rng.uniform(1.0, 1.5, cust.n)
    unit = np.where(need >= 1_000_000 * YUAN, 100_000, 10_000) * YUAN
    line = np.ceil(need / unit).astype(np.int64) * unit
    given = rng.random(cust.n) < np.asarray([0.85, 0.6, 0.6, 0.35])[cust.ctype]
    return np.where(given & (largest > 0), line, -1)


def first_loan_day(loans: Loans, n_customers: int) -> IntArray:
    """Start date of each customer's first loan (when it became the bank's customer)."""
    first = np.full(n_customers, np.iinfo(np.int64).max)
    np.minimum.at(first, loans.customer, loans.start)
    return first
