"""reportgen/metrics/concentration.py: the largest customers and group against net capital.

From metrics.md ("concentration"): customers ranked by balance descending, ties by
customer_id ascending; net_capital is the bank_figures row with the latest date ≤ D; a
ratio without net capital is null. Interpretations the code takes: a group of one customer
is a group; groups tied on balance go to the smallest group_id; when no group has a balance
on D the top group is null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.metrics.concentration import largest
from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]


def _concentration(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["concentration"]


# monthly 2026-06: D = 30 Jun 2026
SIX_LOANS = {
    "customers": """
        C1,甲公司,corporate,medium,C,,G1,
        C2,乙公司,corporate,small,C,,G1,
        C3,丙公司,corporate,large,F,,G2,
        C4,丁,individual,,A,,,
        C5,戊,individual,,A,,,
        C6,己,individual,,A,,G3,
        """,
    "loans": """
        L1,C1,B1,王,,credit,300000,2026-01-10,2027-01-10,4
        L2,C1,B1,王,,credit,250000,2026-01-10,2027-01-10,4
        L3,C2,B1,王,,credit,100000,2026-01-10,2027-01-10,4
        L4,C3,B1,李,,credit,550000,2026-01-10,2027-01-10,4
        L5,C4,B1,李,,credit,100000,2026-01-10,2027-01-10,4
        L6,C5,B1,李,,credit,100000,2026-01-10,2027-01-10,4
        """,
    "transactions": """
        L1,2026-01-10,disburse,300000
        L2,2026-01-10,disburse,250000
        L2,2026-06-10,repay,50000
        L3,2026-01-10,disburse,100000
        L4,2026-01-10,disburse,550000
        L5,2026-01-10,disburse,100000
        L6,2026-01-10,disburse,100000
        """,
    "bank_figures": """
        2026-01-01,net_capital,4000000
        2026-06-30,net_capital,5000000
        2026-07-01,net_capital,9999999
        2026-06-30,provision,1
        """,
}


def test_top_customers_and_group(report_from: MakeReport) -> None:
    c = _concentration(report_from("monthly", "2026-06", **SIX_LOANS))
    # customer balances: C1 300,000 + (250,000 − 50,000) = 500,000; C2 100,000;
    # C3 550,000; C4 100,000; C5 100,000; C6 none. Ties at 100,000 by customer_id.
    # net capital on D: the 30 Jun row (5,000,000); the 1 Jul row is after D
    assert c["top10"] == [
        {"rank": 1, "customer_id": "C3", "customer_name": "丙公司", "balance": "550000.00",
         "ratio": "0.110000"},  # 550,000 / 5,000,000
        {"rank": 2, "customer_id": "C1", "customer_name": "甲公司", "balance": "500000.00",
         "ratio": "0.100000"},
        {"rank": 3, "customer_id": "C2", "customer_name": "乙公司", "balance": "100000.00",
         "ratio": "0.020000"},
        {"rank": 4, "customer_id": "C4", "customer_name": "丁", "balance": "100000.00",
         "ratio": "0.020000"},
        {"rank": 5, "customer_id": "C5", "customer_name": "戊", "balance": "100000.00",
         "ratio": "0.020000"},
    ]
    assert c["top1_balance"] == "550000.00"
    assert c["top10_balance"] == "1350000.00"  # 550,000 + 500,000 + 3 × 100,000
    assert c["net_capital"] == "5000000.00"
    assert c["top1_ratio"] == "0.110000"
    assert c["top10_ratio"] == "0.270000"  # 1,350,000 / 5,000,000
    # G1 = C1 500,000 + C2 100,000 = 600,000 > G2 (C3) 550,000 > G3 (C6) 0
    assert c["top_group_id"] == "G1"
    assert c["top_group_balance"] == "600000.00"
    assert c["top_group_ratio"] == "0.120000"  # 600,000 / 5,000,000


def test_net_capital_is_the_latest_row_on_or_before_D(report_from: MakeReport) -> None:
    # monthly 2026-05: D = 31 May; the 1 Jan row (4,000,000) applies
    c = _concentration(report_from("monthly", "2026-05", **SIX_LOANS))
    assert c["net_capital"] == "4000000.00"
    # 31 May: L2 not yet partly repaid, C1 = 550,000 ties C3; C1 < C3 by customer_id
    assert [(t["customer_id"], t["balance"]) for t in c["top10"][:2]] == [
        ("C1", "550000.00"), ("C3", "550000.00")]
    assert c["top1_ratio"] == "0.137500"  # 550,000 / 4,000,000


def test_only_ten_customers(report_from: MakeReport) -> None:
    customers = "\n".join(f"K{i:02d},客户{i},individual,,A,,," for i in range(1, 12))
    loans = "\n".join(f"L{i:02d},K{i:02d},B1,王,,credit,{i * 100},2026-01-10,2027-01-10,4"
                      for i in range(1, 12))
    transactions = "\n".join(f"L{i:02d},2026-01-10,disburse,{i * 100}" for i in range(1, 12))
    c = _concentration(report_from("monthly", "2026-06", customers=customers, loans=loans,
                                   transactions=transactions))
    # eleven customers with 100, 200, …, 1,100: the ten largest are K11 … K02
    assert [t["customer_id"] for t in c["top10"]] == [f"K{i:02d}" for i in range(11, 1, -1)]
    assert c["top1_balance"] == "1100.00"
    assert c["top10_balance"] == "6500.00"  # 200 + 300 + … + 1,100 = (200 + 1,100) × 10 / 2
    # no bank_figures.csv: net capital unknown, every ratio null; no groups at all
    assert c["net_capital"] is None
    assert (c["top1_ratio"], c["top10_ratio"], c["top_group_ratio"]) == (None, None, None)
    assert all(t["ratio"] is None for t in c["top10"])
    assert (c["top_group_id"], c["top_group_balance"]) == (None, None)


def test_no_net_capital_row_before_D(report_from: MakeReport) -> None:
    ledger = {**SIX_LOANS, "bank_figures": "2026-07-01,net_capital,5000000"}
    c = _concentration(report_from("monthly", "2026-06", **ledger))
    assert c["net_capital"] is None
    assert (c["top1_ratio"], c["top10_ratio"], c["top_group_ratio"]) == (None, None, None)
    assert c["top_group_id"] == "G1"  # the group is known, its ratio is not
    assert c["top_group_balance"] == "600000.00"


def test_group_tie_goes_to_the_smallest_group_id(report_from: MakeReport) -> None:
    c = _concentration(report_from(
        "monthly", "2026-06",
        customers="""
        C1,甲,individual,,A,,GB,
        C2,乙,individual,,A,,GA,
        """,
        loans="""
        L1,C1,B1,王,,credit,500,2026-01-10,2027-01-10,4
        L2,C2,B1,王,,credit,500,2026-01-10,2027-01-10,4
        """,
        transactions="""
        L1,2026-01-10,disburse,500
        L2,2026-01-10,disburse,500
        """,
        bank_figures="2026-01-01,net_capital,0",
    ))
    assert (c["top_group_id"], c["top_group_balance"]) == ("GA", "500.00")
    # net capital 0 is a zero denominator: null, never an error
    assert (c["top1_ratio"], c["top_group_ratio"]) == (None, None)
    assert c["net_capital"] == "0.00"


def test_groups_without_balance_give_no_top_group(report_from: MakeReport) -> None:
    c = _concentration(report_from(
        "monthly", "2026-06",
        customers="""
        C1,甲,individual,,A,,G1,
        C2,乙,individual,,A,,,
        """,
        loans="""
        L1,C1,B1,王,,credit,500,2026-01-10,2027-01-10,4
        L2,C2,B1,王,,credit,300,2026-01-10,2027-01-10,4
        """,
        transactions="""
        L1,2026-01-10,disburse,500
        L1,2026-03-10,repay,500
        L2,2026-01-10,disburse,300
        """,
        bank_figures="2026-01-01,net_capital,1000",
    ))
    # C1 (the only grouped customer) repaid in full: no group has a balance on D
    assert (c["top_group_id"], c["top_group_balance"], c["top_group_ratio"]) == (
        None, None, None)
    assert [t["customer_id"] for t in c["top10"]] == ["C2"]  # C1 has no balance on D
    assert c["top1_ratio"] == "0.300000"  # 300 / 1,000


@given(st.lists(st.integers(min_value=-3, max_value=6), max_size=40), st.integers(0, 12))
def test_largest_equals_ranking_every_customer(balances: list[int], n: int) -> None:
    """Partitioning first picks the same customers, in the same order, as sorting all."""
    values = np.array(balances, dtype=np.int64)
    id_rank = np.random.default_rng(len(balances)).permutation(len(balances))
    positive = np.flatnonzero(values > 0)
    expected = positive[np.lexsort((id_rank[positive], -values[positive]))][:n]
    assert largest(values, id_rank, n).tolist() == expected.tolist()


@pytest.mark.parametrize("ids", [
    # one fixed form: ordered by their digits (ledger/idkeys.order_keys)
    ["KH000010", "KH000002", "KH000100", "KH000001", "KH000011", "KH000003", "KH000009",
     "KH000020", "KH000012", "KH000004", "KH000005", "KH000006"],
    ["9B07", "1B99", "0B00", "5B50", "1B98", "2B01", "0B01", "3B33", "9B06", "4B44", "6B66",
     "7B77"],
    # mixed widths and letters: ordered as text ("K10" before "K9")
    ["K9", "K10", "K1", "K100", "K11", "K2", "K20", "Ka", "K09", "K3", "KA", "K4"],
    ["乙公司", "甲公司", "C1", "c1", "丙", "C10", "C2", "A", "B", "AA", "Ab", "Z"],
])
def test_ties_go_to_the_smaller_customer_id_as_text(report_from: MakeReport,
                                                    ids: list[str]) -> None:
    """Twelve customers with the same balance: the ten listed are the ten smallest ids in
    code-point order (the order Python's sorted gives), whatever form the ids take."""
    customers = "\n".join(f"{cid},客户{i},individual,,A,,," for i, cid in enumerate(ids))
    loans = "\n".join(f"L{i:02d},{cid},B1,王,,credit,500,2026-01-10,2027-01-10,4"
                      for i, cid in enumerate(ids))
    transactions = "\n".join(f"L{i:02d},2026-01-10,disburse,500" for i in range(len(ids)))
    c = _concentration(report_from("monthly", "2026-06", customers=customers, loans=loans,
                                   transactions=transactions))
    assert [t["customer_id"] for t in c["top10"]] == sorted(ids)[:10]
