"""reportgen/metrics/structure.py: balance, share, accounts, NPL and change since Y per
dimension.

Interpretations the code takes (module docstring) and these tests pin down: fixed enums
(industry, guarantee, customer_type, enterprise_size, term, amount_band) keep their enum
order; text dimensions (branch, account_manager, product) are sorted by balance, largest
first; a key is shown when it has a live loan on D or a balance at Y; ``share`` is of the
whole balance (also for enterprise_size, which covers corporate loans only); a blank
product is the key "".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from reportgen.metrics.structure import by_day, one_year_after
from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

# monthly 2026-06: D = 30 Jun 2026, Y = 31 Dec 2025
FOUR_LOANS = {
    "customers": """
        C1,甲公司,corporate,small,C,,,
        C2,乙公司,corporate,large,F,,,
        C3,丙商户,individual_business,,A,,,
        C4,丁,individual,,A,,,
        """,
    "loans": """
        L1,C1,B1,王,P1,credit,500000.00,2026-01-15,2027-01-15,4
        L2,C2,B2,李,P2,mortgage,5000000.00,2025-06-01,2028-06-01,4
        L3,C3,B1,李,P1,guarantee,10000000.00,2025-09-01,2026-09-01,4
        L4,C4,B2,王,,pledge,10000000.01,2026-02-01,2029-02-01,4
        """,
    "transactions": """
        L1,2026-01-15,disburse,500000
        L2,2025-06-01,disburse,5000000
        L2,2026-03-01,repay,1000000
        L3,2025-09-01,disburse,2000000
        L4,2026-02-01,disburse,3500000
        """,
    "classifications": """
        L1,2026-01-15,normal,
        L2,2025-06-01,normal,
        L2,2026-05-01,substandard,
        L3,2025-09-01,normal,
        L4,2026-02-01,normal,
        """,
}
# On D: L1 500,000 · L2 4,000,000 (substandard) · L3 2,000,000 · L4 3,500,000
# = 10,000,000, npl 4,000,000. On Y: L2 5,000,000 · L3 2,000,000 = 7,000,000.


def _rows(report: Report, dimension: str) -> list[tuple[Any, ...]]:
    rows = report_dict(report)["sections"]["structure"][dimension]
    return [(r["key"], r["balance"], r["share"], r["accounts"], r["npl"], r["npl_ratio"],
             r["balance_year_start"], r["change_year_start"]) for r in rows]


def test_every_dimension_is_present(report_from: MakeReport) -> None:
    structure = report_dict(report_from("monthly", "2026-06", **FOUR_LOANS))["sections"][
        "structure"]
    assert list(structure) == ["industry", "guarantee", "customer_type", "enterprise_size",
                               "term", "amount_band", "branch", "account_manager", "product"]


def test_by_customer_attributes(report_from: MakeReport) -> None:
    report = report_from("monthly", "2026-06", **FOUR_LOANS)
    # (key, balance, share, accounts, npl, npl_ratio, balance at Y, change since Y)
    assert _rows(report, "industry") == [
        # A: L3 2,000,000 + L4 3,500,000; share 5.5m / 10m; Y: L3 2,000,000
        ("A", "5500000.00", "0.550000", 2, "0.00", "0.000000", "2000000.00", "3500000.00"),
        ("C", "500000.00", "0.050000", 1, "0.00", "0.000000", "0.00", "500000.00"),
        # F: L2, all of it NPL; 4,000,000 − 5,000,000 at Y
        ("F", "4000000.00", "0.400000", 1, "4000000.00", "1.000000", "5000000.00",
         "-1000000.00"),
    ]
    assert _rows(report, "customer_type") == [
        # corporate: L1 + L2 = 4,500,000; npl 4,000,000 / 4,500,000 = 0.888…
        ("corporate", "4500000.00", "0.450000", 2, "4000000.00", "0.888889", "5000000.00",
         "-500000.00"),
        ("individual_business", "2000000.00", "0.200000", 1, "0.00", "0.000000",
         "2000000.00", "0.00"),
        ("individual", "3500000.00", "0.350000", 1, "0.00", "0.000000", "0.00",
         "3500000.00"),
    ]
    # corporate loans only; the share is still of the whole 10,000,000
    assert _rows(report, "enterprise_size") == [
        ("large", "4000000.00", "0.400000", 1, "4000000.00", "1.000000", "5000000.00",
         "-1000000.00"),
        ("small", "500000.00", "0.050000", 1, "0.00", "0.000000", "0.00", "500000.00"),
    ]


def test_by_loan_attributes(report_from: MakeReport) -> None:
    report = report_from("monthly", "2026-06", **FOUR_LOANS)
    assert _rows(report, "guarantee") == [
        ("credit", "500000.00", "0.050000", 1, "0.00", "0.000000", "0.00", "500000.00"),
        ("guarantee", "2000000.00", "0.200000", 1, "0.00", "0.000000", "2000000.00", "0.00"),
        ("mortgage", "4000000.00", "0.400000", 1, "4000000.00", "1.000000", "5000000.00",
         "-1000000.00"),
        ("pledge", "3500000.00", "0.350000", 1, "0.00", "0.000000", "0.00", "3500000.00"),
    ]
    # short: maturity ≤ start + 1 calendar year. L1 15 Jan 2026 → 15 Jan 2027 and L3
    # 1 Sep 2025 → 1 Sep 2026 are exactly one year: short. L2 and L4 are longer.
    assert _rows(report, "term") == [
        ("short", "2500000.00", "0.250000", 2, "0.00", "0.000000", "2000000.00",
         "500000.00"),
        # 4,000,000 / 7,500,000 = 0.5333…
        ("medium_long", "7500000.00", "0.750000", 2, "4000000.00", "0.533333",
         "5000000.00", "2500000.00"),
    ]
    # contract 500,000.00 is ≤ 500k; 5,000,000.00 ≤ 5m; 10,000,000.00 ≤ 10m;
    # 10,000,000.01 > 10m
    assert _rows(report, "amount_band") == [
        ("le_500k", "500000.00", "0.050000", 1, "0.00", "0.000000", "0.00", "500000.00"),
        ("le_5m", "4000000.00", "0.400000", 1, "4000000.00", "1.000000", "5000000.00",
         "-1000000.00"),
        ("le_10m", "2000000.00", "0.200000", 1, "0.00", "0.000000", "2000000.00", "0.00"),
        ("gt_10m", "3500000.00", "0.350000", 1, "0.00", "0.000000", "0.00", "3500000.00"),
    ]


def test_text_dimensions_sorted_by_balance(report_from: MakeReport) -> None:
    report = report_from("monthly", "2026-06", **FOUR_LOANS)
    assert _rows(report, "branch") == [
        # B2: L2 4,000,000 + L4 3,500,000
        ("B2", "7500000.00", "0.750000", 2, "4000000.00", "0.533333", "5000000.00",
         "2500000.00"),
        ("B1", "2500000.00", "0.250000", 2, "0.00", "0.000000", "2000000.00", "500000.00"),
    ]
    assert _rows(report, "account_manager") == [
        # 李: L2 4,000,000 + L3 2,000,000; npl 4/6; Y 5,000,000 + 2,000,000
        ("李", "6000000.00", "0.600000", 2, "4000000.00", "0.666667", "7000000.00",
         "-1000000.00"),
        ("王", "4000000.00", "0.400000", 2, "0.00", "0.000000", "0.00", "4000000.00"),
    ]
    assert _rows(report, "product") == [
        ("P2", "4000000.00", "0.400000", 1, "4000000.00", "1.000000", "5000000.00",
         "-1000000.00"),
        ("", "3500000.00", "0.350000", 1, "0.00", "0.000000", "0.00", "3500000.00"),
        ("P1", "2500000.00", "0.250000", 2, "0.00", "0.000000", "2000000.00", "500000.00"),
    ]


def test_shares_add_up(report_from: MakeReport) -> None:
    structure = report_from("monthly", "2026-06", **FOUR_LOANS).sections.structure
    assert structure is not None
    for dimension in ("industry", "guarantee", "customer_type", "term", "amount_band",
                      "branch", "account_manager", "product"):
        rows = structure.get(dimension).rows
        assert sum(r.balance for r in rows) == 1_000_000_000, dimension  # 10,000,000 yuan
        assert sum(r.share for r in rows if r.share is not None) == 1, dimension


def test_term_from_29_february(report_from: MakeReport) -> None:
    # one year after 29 Feb 2024 is 28 Feb 2025
    report = report_from(
        "monthly", "2024-06",
        customers="C1,甲,individual,,A,,,",
        loans="""
        L1,C1,B1,王,,credit,100,2024-02-29,2025-02-28,4
        L2,C1,B1,王,,credit,200,2024-02-29,2025-03-01,4
        L3,C1,B1,王,,credit,400,2024-03-01,2025-03-01,4
        L4,C1,B1,王,,credit,800,2024-03-01,2025-03-02,4
        """,
        transactions="""
        L1,2024-02-29,disburse,100
        L2,2024-02-29,disburse,200
        L3,2024-03-01,disburse,400
        L4,2024-03-01,disburse,800
        """,
    )
    rows = {r[0]: (r[1], r[3]) for r in _rows(report, "term")}
    # short: L1 (28 Feb 2025) + L3 (exactly a year); medium_long: L2 + L4
    assert rows == {"short": ("500.00", 2), "medium_long": ("1000.00", 2)}


def test_key_with_a_year_start_balance_only(report_from: MakeReport) -> None:
    report = report_from(
        "monthly", "2026-06",
        customers="""
        C1,甲,individual,,A,,,
        C2,乙,individual,,B,,,
        """,
        loans="""
        L1,C1,B1,王,,credit,500,2025-06-01,2027-06-01,4
        L2,C2,B1,王,,credit,1000,2025-06-01,2027-06-01,4
        """,
        transactions="""
        L1,2025-06-01,disburse,500
        L2,2025-06-01,disburse,1000
        L2,2026-02-01,repay,1000
        """,
    )
    # industry B: repaid in February, so nothing on D but 1,000 at Y; its npl_ratio is
    # 0 / 0 = null; industry C never had a loan and is not shown
    assert _rows(report, "industry") == [
        ("A", "500.00", "1.000000", 1, "0.00", "0.000000", "500.00", "0.00"),
        ("B", "0.00", "0.000000", 0, "0.00", None, "1000.00", "-1000.00"),
    ]


@given(st.lists(st.integers(min_value=-40_000, max_value=60_000), max_size=50))
def test_one_year_after_per_day_equals_per_loan(days: list[int]) -> None:
    values = np.array(days, dtype=np.int32)
    assert by_day(one_year_after, values).tolist() == one_year_after(values).tolist()


def test_one_year_after_29_february() -> None:
    epoch = date(1970, 1, 1)
    days = np.array([(date(2024, 2, 29) - epoch).days, (date(2023, 3, 1) - epoch).days])
    after = [epoch + timedelta(days=int(d)) for d in by_day(one_year_after, days)]
    assert after == [date(2025, 2, 28), date(2024, 3, 1)]
