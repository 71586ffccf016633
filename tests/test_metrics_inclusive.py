"""reportgen/metrics/inclusive.py: 普惠型小微企业贷款.

From metrics.md ("inclusive"): a customer is inclusive on d when it is an individual
business or micro-business owner, or a small or micro corporate, AND its total credit —
credit_line when given, else Σ contract_amount of its live loans on d — is at most
10,000,000.00. Interpretation the code takes: the new-loan rate weighs the period's
disbursements of customers inclusive on D.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]


def _inclusive(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["inclusive"]


# monthly 2026-06: S = 1 Jun, D = 30 Jun 2026, Y = 31 Dec 2025
SIX_LOANS = {
    "customers": """
        C1,甲商户,individual_business,,A,,,
        C2,乙,micro_owner,,A,10000000.00,,
        C3,丙公司,corporate,small,C,10000000.01,,
        C4,丁公司,corporate,micro,C,,,
        C5,戊公司,corporate,medium,C,,,
        """,
    "loans": """
        L1,C1,B1,王,,credit,1000000,2025-10-01,2027-10-01,4.35
        L2,C2,B1,王,,credit,3000000,2026-06-15,2027-06-15,5.00
        L3,C3,B1,王,,credit,500000,2026-06-05,2027-06-05,6.00
        L4,C4,B1,李,,credit,6000000,2025-11-01,2027-11-01,4.00
        L5,C4,B1,李,,credit,5000000,2026-02-01,2028-02-01,3.85
        L6,C5,B1,李,,credit,1000000,2025-07-01,2027-07-01,4.50
        """,
    "transactions": """
        L1,2025-10-01,disburse,600000
        L1,2026-06-10,disburse,400000
        L2,2026-06-15,disburse,2000000
        L3,2026-06-05,disburse,500000
        L4,2025-11-01,disburse,6000000
        L5,2026-02-01,disburse,5000000
        L6,2025-07-01,disburse,1000000
        """,
    "classifications": "L1,2026-06-20,substandard,",
}


def test_inclusive_figures(report_from: MakeReport) -> None:
    i = _inclusive(report_from("monthly", "2026-06", **SIX_LOANS))
    # On D: C1 (individual business, live contracts 1,000,000) and C2 (micro owner, credit
    # line exactly 10,000,000.00) are inclusive. C3's line is 10,000,000.01: not inclusive.
    # C4 (micro corporate, no line) has 6,000,000 + 5,000,000 = 11,000,000 live contracts.
    # C5 is medium-sized.
    assert i["balance"] == "3000000.00"  # L1 600,000 + 400,000 + L2 2,000,000
    assert i["customers"] == 2
    # On Y: C1 (L1 600,000; contracts 1,000,000) and C4 (only L4 live: 6,000,000 ≤ 10m)
    assert i["balance_year_start"] == "6600000.00"  # 600,000 + 6,000,000
    assert i["customers_year_start"] == 2
    # (3,000,000 − 6,600,000) / 6,600,000 = −0.5454545… (half away from zero)
    assert i["growth_rate"] == "-0.545455"
    # all loans: D 1,000,000 + 2,000,000 + 500,000 + 6,000,000 + 5,000,000 + 1,000,000 =
    # 15,500,000; Y 600,000 + 6,000,000 + 1,000,000 = 7,600,000; 7.9 / 7.6 = 1.0394736…
    assert i["total_growth_rate"] == "1.039474"
    assert i["npl"] == "1000000.00"  # L1, substandard from 20 Jun
    assert i["npl_ratio"] == "0.333333"  # 1,000,000 / 3,000,000
    assert i["disbursed"] == "2400000.00"  # L1 400,000 + L2 2,000,000 (L3 not inclusive)
    # (400,000 × 4.35 + 2,000,000 × 5.00) / 2,400,000 = 11,740,000 / 2,400,000 = 4.891666…
    assert i["new_loan_avg_rate"] == "4.891667"


def test_rate_is_exact_in_the_model(report_from: MakeReport) -> None:
    inclusive = report_from("monthly", "2026-06", **SIX_LOANS).sections.inclusive
    assert inclusive is not None
    assert inclusive.new_loan_avg_rate == Fraction(11_740_000, 2_400_000)
    assert inclusive.growth_rate == Fraction(-36, 66)


def test_no_inclusive_lending_gives_nulls(report_from: MakeReport) -> None:
    i = _inclusive(report_from(
        "monthly", "2026-06",
        customers="""
        C1,甲公司,corporate,medium,C,,,
        C2,乙,individual,,A,,,
        """,
        loans="""
        L1,C1,B1,王,,credit,1000,2025-06-01,2027-06-01,4
        L2,C2,B1,王,,credit,500,2026-06-01,2027-06-01,4
        """,
        transactions="""
        L1,2025-06-01,disburse,1000
        L2,2026-06-01,disburse,500
        """,
    ))
    assert (i["balance"], i["customers"], i["balance_year_start"]) == ("0.00", 0, "0.00")
    assert i["growth_rate"] is None  # year-start base 0
    assert i["npl_ratio"] is None  # inclusive balance 0
    assert i["new_loan_avg_rate"] is None  # nothing disbursed to inclusive customers
    assert i["total_growth_rate"] == "0.500000"  # (1,500 − 1,000) / 1,000


def test_credit_line_decides_over_contracts(report_from: MakeReport) -> None:
    i = _inclusive(report_from(
        "monthly", "2026-06",
        customers="""
        C1,甲,individual_business,,A,5000000,,
        C2,乙,individual_business,,A,,,
        """,
        loans="""
        L1,C1,B1,王,,credit,12000000,2026-06-01,2027-06-01,3
        L2,C2,B1,王,,credit,10000000,2026-06-01,2027-06-01,6
        """,
        transactions="""
        L1,2026-06-01,disburse,100
        L2,2026-06-01,disburse,300
        """,
    ))
    # C1: a credit line of 5,000,000 is given, so its 12,000,000 contract does not matter.
    # C2: no line; live contracts 10,000,000.00 exactly: at most 10m, inclusive
    assert (i["balance"], i["customers"]) == ("400.00", 2)
    # (100 × 3 + 300 × 6) / 400 = 2,100 / 400 = 5.25
    assert i["new_loan_avg_rate"] == "5.250000"
