"""The sample bank's people: branches, account managers and customers.

Proportions follow a county-level rural commercial bank: most borrowers are farmers,
individual businesses (个体工商户) and owners of small firms, so inclusive small-business
lending (普惠小微) is a visible share; a few large and medium companies carry the big
balances that make concentration worth reporting, some of them in groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger.schema import CORPORATE, INDIVIDUAL_BUSINESS, INDUSTRY_LETTERS, LARGE
from reportgen.sample import names
from reportgen.sample.arrays import IntArray, choose, day_number

# customer_type order of schema.CUSTOMER_TYPES: corporate, individual_business, micro_owner,
# individual.
TYPE_WEIGHTS = (0.17, 0.33, 0.18, 0.32)
SIZE_WEIGHTS = (0.05, 0.17, 0.40, 0.38)  # large, medium, small, micro (corporate only)
LOANS_PER_CUSTOMER = 1.45
# Industry letter weights per customer type (letters not named weigh 0).
_INDUSTRY: tuple[dict[str, float], ...] = (
    {"C": 30, "F": 18, "E": 12, "A": 6, "G": 5, "K": 4, "H": 4, "L": 4, "I": 3, "D": 2,
     "M": 2, "N": 2, "B": 1, "Q": 1, "P": 1, "R": 1, "O": 1, "J": 0.5},
    {"F": 40, "H": 18, "O": 12, "A": 12, "C": 6, "G": 5, "E": 3, "R": 2, "Q": 1, "P": 1},
    {"F": 25, "C": 20, "A": 15, "E": 10, "H": 10, "G": 8, "O": 6, "L": 3, "I": 2, "M": 1},
    {"A": 55, "F": 12, "O": 10, "H": 6, "E": 5, "C": 5, "G": 4, "Q": 1, "P": 1, "R": 1},
)
# Share of corporate customers in a group, by enterprise size.
_GROUP_SHARE = (0.4, 0.35, 0.08, 0.02)


@dataclass(frozen=True)
class Bank:
    """Branches and account managers; ``manager_branch`` indexes ``branches``."""

    branches: list[str]
    managers: list[str]
    manager_branch: IntArray


@dataclass(frozen=True)
class Customers:
    """One row per customer; codes index the schema's enums, -1 for blank."""

    ctype: IntArray
    size: IntArray
    industry: IntArray
    manager: IntArray
    group: IntArray
    name: pa.Array
    id_number: pa.Array

    @property
    def n(self) -> int:
        """Number of customers."""
        return int(self.ctype.size)


def make_bank(rng: np.random.Generator, loans: int) -> Bank:
    """About 5 branches and 30 managers at 2,000 loans, growing more slowly than the book."""
    n_branches = max(1, round(5 * (loans / 2000) ** 0.5))
    n_managers = max(2, round(30 * (loans / 2000) ** 0.75))
    branches = names.branch_names(rng, n_branches)
    size = rng.lognormal(0.0, 0.3, n_branches)
    size[0] *= 1.5  # 城东支行 sits in the old town centre and is the biggest
    manager_branch = np.concatenate([
        np.arange(min(n_branches, n_managers)),
        choose(rng, size, max(0, n_managers - n_branches)),
    ]).astype(np.int64)
    return Bank(branches, names.unique_person_names(rng, n_managers), manager_branch)


def _industries(rng: np.random.Generator, ctype: IntArray) -> IntArray:
    """Industry index (0 = A) per customer, weighted by its type."""
    industry = np.zeros(ctype.size, dtype=np.int64)
    for t, weights in enumerate(_INDUSTRY):
        rows = np.flatnonzero(ctype == t)
        w = [weights.get(letter, 0.0) for letter in INDUSTRY_LETTERS]
        industry[rows] = choose(rng, w, rows.size)
    return industry


def _managers(rng: np.random.Generator, n: int, n_managers: int) -> IntArray:
    """Every manager gets a customer first; the rest go to managers of uneven reach."""
    first = rng.permutation(n_managers)[: min(n, n_managers)]
    rest = choose(rng, rng.lognormal(0.0, 0.4, n_managers), max(0, n - n_managers))
    return np.concatenate([first, rest]).astype(np.int64)


def _groups(rng: np.random.Generator, ctype: IntArray, size: IntArray) -> IntArray:
    """Dense group numbers for corporate customers in a group, -1 for the others."""
    share = np.where(ctype == CORPORATE, np.asarray(_GROUP_SHARE)[np.maximum(size, 0)], 0.0)
    member = rng.random(ctype.size) < share
    n_groups = max(1, int(member.sum()) // 3)
    group = np.where(member, rng.integers(n_groups, size=ctype.size), -1)
    dense = np.unique(group[member], return_inverse=True)[1]
    group[member] = dense
    return group


def _names(rng: np.random.Generator, ctype: IntArray, size: IntArray, industry: IntArray,
           group: IntArray) -> pa.Array:
    """Company names (group members share a brand), shop names, or person names."""
    n = ctype.size
    brand = rng.integers(names.brand_count(), size=n)
    group_brand = rng.integers(names.brand_count(), size=int(group.max(initial=0)) + 1)
    brand = np.where(group >= 0, group_brand[np.maximum(group, 0)], brand)
    company = names.company_names(rng, industry, brand, size == LARGE)
    shop = names.shop_names(rng, industry)
    person = names.person_names(rng, n)
    out = pc.if_else(pa.array(ctype == CORPORATE), company, person)
    return pc.if_else(pa.array(ctype == INDIVIDUAL_BUSINESS), shop, out)


def _id_numbers(rng: np.random.Generator, ctype: IntArray) -> pa.Array:
    """Resident IDs for people; a credit code for 70 % of companies, blank for the rest."""
    n = ctype.size
    born = day_number(date(1962, 1, 1)), day_number(date(2003, 12, 31))
    person = names.person_id_numbers(rng, n, *born)
    company = names.credit_codes(rng, n)
    blank = pa.nulls(n, pa.string())
    company = pc.if_else(pa.array(rng.random(n) < 0.7), company, blank)
    return pc.if_else(pa.array(ctype == CORPORATE), company, person)


def make_customers(rng: np.random.Generator, loans: int, bank: Bank) -> Customers:
    """About one customer per 1.45 loans, with types, sizes, industries, groups and names."""
    n = max(1, min(loans, round(loans / LOANS_PER_CUSTOMER)))
    ctype = choose(rng, TYPE_WEIGHTS, n)
    size = np.where(ctype == CORPORATE, choose(rng, SIZE_WEIGHTS, n), -1)
    industry = _industries(rng, ctype)
    group = _groups(rng, ctype, size)
    return Customers(
        ctype=ctype,
        size=size,
        industry=industry,
        manager=_managers(rng, n, len(bank.managers)),
        group=group,
        name=_names(rng, ctype, size, industry, group),
        id_number=_id_numbers(rng, ctype),
    )

