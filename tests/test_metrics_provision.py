"""reportgen/metrics/provision.py: provision coverage and provision ratio on D.

From metrics.md ("provision"): provision is the bank_figures row with the latest date ≤ D;
coverage_ratio = provision / npl; provision_ratio = provision / balance; a ratio whose
denominator is zero or unknown is null.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

TWO_LOANS = {
    "customers": """
        C1,甲公司,corporate,small,C,,,
        C2,乙,individual,,A,,,
        """,
    "loans": """
        L1,C1,B1,王,,credit,9800000,2025-06-01,2028-06-01,4
        L2,C2,B1,李,,credit,200000,2025-06-01,2028-06-01,4
        """,
    "transactions": """
        L1,2025-06-01,disburse,9800000
        L2,2025-06-01,disburse,200000
        """,
    "classifications": """
        L1,2025-06-01,normal,
        L2,2026-01-01,substandard,
        """,
}


def _provision(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["provision"]


def test_coverage_and_provision_ratio(report_from: MakeReport) -> None:
    ledger = {**TWO_LOANS, "bank_figures": """
        2026-05-31,provision,250000
        2026-06-30,provision,300000
        2026-07-01,provision,999
        2026-06-30,net_capital,8000000
        """}
    p = _provision(report_from("monthly", "2026-06", **ledger))
    # D = 30 Jun: the row dated D applies (300,000); the 1 Jul row is after D
    assert p == {
        "provision": "300000.00",
        "npl": "200000.00",  # L2, substandard
        "balance": "10000000.00",  # 9,800,000 + 200,000
        "coverage_ratio": "1.500000",  # 300,000 / 200,000
        "provision_ratio": "0.030000",  # 300,000 / 10,000,000
    }
    # the monthly 2026-05 report (D = 31 May) reads the 31 May row: 250,000
    may = _provision(report_from("monthly", "2026-05", **ledger))
    assert may["provision"] == "250000.00"
    assert may["coverage_ratio"] == "1.250000"  # 250,000 / 200,000
    assert may["provision_ratio"] == "0.025000"  # 250,000 / 10,000,000


def test_zero_npl_gives_null_coverage(report_from: MakeReport) -> None:
    ledger = {**TWO_LOANS, "classifications": "L2,2026-01-01,special_mention,",
              "bank_figures": "2026-01-01,provision,300000"}
    p = _provision(report_from("monthly", "2026-06", **ledger))
    assert p["npl"] == "0.00"
    assert p["coverage_ratio"] is None  # 300,000 / 0: null, never 0 or an error
    assert p["provision_ratio"] == "0.030000"


def test_zero_provision_is_a_real_zero(report_from: MakeReport) -> None:
    ledger = {**TWO_LOANS, "bank_figures": "2026-01-01,provision,0"}
    p = _provision(report_from("monthly", "2026-06", **ledger))
    assert (p["provision"], p["coverage_ratio"], p["provision_ratio"]) == (
        "0.00", "0.000000", "0.000000")


def test_no_provision_row_gives_nulls(report_from: MakeReport) -> None:
    # no bank_figures.csv at all
    p = _provision(report_from("monthly", "2026-06", **TWO_LOANS))
    assert (p["provision"], p["coverage_ratio"], p["provision_ratio"]) == (None, None, None)
    assert p["npl"] == "200000.00"
    # only a net_capital row, or a provision row after D
    ledger = {**TWO_LOANS, "bank_figures": """
        2026-01-01,net_capital,8000000
        2026-07-01,provision,300000
        """}
    p = _provision(report_from("monthly", "2026-06", **ledger))
    assert (p["provision"], p["coverage_ratio"], p["provision_ratio"]) == (None, None, None)


def test_zero_balance_gives_null_ratios(report_from: MakeReport) -> None:
    ledger = {**TWO_LOANS, "transactions": TWO_LOANS["transactions"] + """
        L1,2026-03-01,repay,9800000
        L2,2026-03-01,writeoff,200000
        """, "bank_figures": "2026-01-01,provision,300000"}
    p = _provision(report_from("monthly", "2026-06", **ledger))
    assert (p["balance"], p["npl"]) == ("0.00", "0.00")
    assert (p["coverage_ratio"], p["provision_ratio"]) == (None, None)
