"""reportgen/metrics/trend.py: balance, NPL, overdue and the month's flows at each month end.

From metrics.md ("trend"): quarterly reports have 3 month-end points, yearly 12; disbursed
and collected are the `disburse` and `repay` transactions of that month (a write-off is
not collected).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

CUSTOMERS = """
C1,甲公司,corporate,small,C,,,
C2,乙,individual,,A,,,
"""


def _trend(report: Report) -> list[dict[str, Any]]:
    return report_dict(report)["sections"]["trend"]


def test_quarterly_trend(report_from: MakeReport) -> None:
    points = _trend(report_from(
        "quarterly", "2026-Q1",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,1000000,2025-12-01,2028-12-01,4
        L2,C2,B1,李,,credit,500000,2026-02-10,2028-12-01,4
        """,
        transactions="""
        L1,2025-12-01,disburse,1000000
        L1,2026-01-15,repay,100000
        L1,2026-03-10,repay,100000
        L2,2026-02-10,disburse,500000
        """,
        classifications="""
        L1,2025-12-01,normal,
        L2,2026-02-10,normal,
        L2,2026-03-01,substandard,2026-03-01
        """,
    ))
    assert points == [
        {"month": "2026-01", "end": "2026-01-31", "balance": "900000.00",  # 1,000,000 − 100,000
         "npl": "0.00", "npl_ratio": "0.000000", "overdue_total": "0.00",
         "disbursed": "0.00", "collected": "100000.00"},
        {"month": "2026-02", "end": "2026-02-28", "balance": "1400000.00",  # + L2 500,000
         "npl": "0.00", "npl_ratio": "0.000000", "overdue_total": "0.00",
         "disbursed": "500000.00", "collected": "0.00"},
        # L2 substandard and 31 days overdue on 31 Mar; 500,000 / 1,300,000 = 0.3846153…
        {"month": "2026-03", "end": "2026-03-31", "balance": "1300000.00",
         "npl": "500000.00", "npl_ratio": "0.384615", "overdue_total": "500000.00",
         "disbursed": "0.00", "collected": "100000.00"},
    ]


def test_yearly_trend_in_a_leap_year(report_from: MakeReport) -> None:
    points = _trend(report_from(
        "yearly", "2024",
        customers=CUSTOMERS,
        # L0, drawn and repaid in 2023, makes the ledger begin before the year (a year it
        # does not cover is refused); it moves no figure of 2024
        loans="""
        L0,C1,B1,王,,credit,70,2023-12-01,2024-12-01,4
        L1,C1,B1,王,,credit,1000,2024-02-29,2028-12-01,4
        L2,C2,B1,李,,credit,500,2024-05-01,2028-12-01,4
        """,
        transactions="""
        L0,2023-12-01,disburse,70
        L0,2023-12-15,repay,70
        L1,2024-02-29,disburse,1000
        L1,2024-03-01,repay,100
        L1,2024-12-31,repay,900
        L2,2024-05-01,disburse,500
        L2,2024-06-15,writeoff,500
        """,
    ))
    assert [p["end"] for p in points] == [
        "2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31", "2024-06-30",
        "2024-07-31", "2024-08-31", "2024-09-30", "2024-10-31", "2024-11-30", "2024-12-31"]
    assert [(p["balance"], p["disbursed"], p["collected"]) for p in points] == [
        ("0.00", "0.00", "0.00"),  # nothing lent yet
        ("1000.00", "1000.00", "0.00"),  # L1 drawn on 29 Feb, the month's last day
        ("900.00", "0.00", "100.00"),
        ("900.00", "0.00", "0.00"),
        ("1400.00", "500.00", "0.00"),  # + L2
        ("900.00", "0.00", "0.00"),  # L2 written off: not collected
        ("900.00", "0.00", "0.00"),
        ("900.00", "0.00", "0.00"),
        ("900.00", "0.00", "0.00"),
        ("900.00", "0.00", "0.00"),
        ("900.00", "0.00", "0.00"),
        ("0.00", "0.00", "900.00"),  # L1 repaid in full on 31 Dec
    ]
    # a month end with no balance has a null NPL ratio
    ratios = [p["npl_ratio"] for p in points]
    assert ratios == [None] + ["0.000000"] * 10 + [None]
