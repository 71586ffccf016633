"""reportgen/metrics/overdue.py: balances by overdue-day bucket, over_90, PAR30/PAR90.

overdue_days(x, D) is the larger of (D − overdue_since) + 1 from the state row and
(D − maturity_date) when D > maturity_date (metrics.md, "overdue"). Expected figures below
are worked out by hand; the day counts are written next to each loan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

CUSTOMERS = """
C1,甲公司,corporate,small,C,,,
C2,乙,individual,,A,,,
"""

# monthly 2026-06: D = 30 Jun 2026, O = 31 May 2026
LATE = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,100000,2025-05-01,2027-05-01,4
        L2,C1,B1,王,,credit,200000,2025-05-01,2027-05-01,4
        L3,C2,B1,李,,credit,50000,2025-05-01,2026-06-30,4
        L4,C2,B1,李,,credit,300000,2025-05-01,2026-03-31,4
        L5,C2,B1,李,,credit,40000,2025-05-01,2027-05-01,4
        L6,C1,B1,王,,credit,310000,2025-05-01,2027-05-01,4
        """,
    "transactions": """
        L1,2025-05-01,disburse,100000
        L2,2025-05-01,disburse,200000
        L3,2025-05-01,disburse,50000
        L4,2025-05-01,disburse,300000
        L5,2025-05-01,disburse,40000
        L6,2025-05-01,disburse,310000
        """,
    "classifications": """
        L1,2025-05-01,normal,
        L1,2026-06-30,normal,2026-06-30
        L2,2025-05-01,normal,
        L2,2026-05-10,substandard,2026-05-01
        L3,2025-05-01,normal,
        L4,2025-05-01,normal,
        L4,2026-04-20,substandard,2026-04-15
        L5,2025-05-01,normal,
        L5,2025-07-01,doubtful,2025-06-01
        L6,2025-05-01,normal,
        """,
}


def _overdue(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["overdue"]


def test_overdue_days_per_loan(report_from: MakeReport) -> None:
    report = report_from("monthly", "2026-06", **LATE)
    assert report.loans is not None
    days = dict(zip(report.loans.loan_id, report.loans.overdue_days.tolist(), strict=True))
    assert days == {
        "L1": 1,  # overdue_since = D: (30 Jun − 30 Jun) + 1 = 1 day
        "L2": 61,  # (30 Jun − 1 May) + 1 = 60 + 1
        "L3": 0,  # matures on D: not overdue by contract on D
        "L4": 91,  # by contract 30 Jun − 31 Mar = 91 > by state (30 Jun − 15 Apr) + 1 = 77
        "L5": 395,  # (30 Jun 2026 − 1 Jun 2025) + 1 = 394 + 1
        "L6": 0,
    }


def test_buckets_and_ratios(report_from: MakeReport) -> None:
    o = _overdue(report_from("monthly", "2026-06", **LATE))
    assert o["d1_30"] == "100000.00"  # L1 (1 day)
    assert o["d31_90"] == "200000.00"  # L2 (61)
    assert o["d91_180"] == "300000.00"  # L4 (91)
    assert o["d181_270"] == "0.00"
    assert o["d271_360"] == "0.00"
    assert o["d361_plus"] == "40000.00"  # L5 (395)
    assert o["total"] == "640000.00"  # 100,000 + 200,000 + 300,000 + 40,000
    assert o["accounts"] == 4
    assert o["over_90"] == "340000.00"  # L4 + L5
    # npl = L2 200,000 + L4 300,000 (substandard) + L5 40,000 (doubtful) = 540,000
    assert o["over_90_to_npl"] == "0.629630"  # 340,000 / 540,000 = 0.6296296…
    assert o["par30"] == "0.540000"  # (200,000 + 300,000 + 40,000) / 1,000,000
    assert o["par90"] == "0.340000"  # 340,000 / 1,000,000


def test_comparison_with_opening(report_from: MakeReport) -> None:
    o = _overdue(report_from("monthly", "2026-06", **LATE))
    rows = {r["key"]: r for r in o["table"]}
    # O = 31 May: L1 not yet late; L2 (31 May − 1 May) + 1 = 31; L4 by contract 61 (> 47);
    # L5 365; L3 not yet mature
    assert rows["d31_90"]["opening"] == "500000.00"  # L2 200,000 + L4 300,000
    assert rows["d91_180"]["opening"] == "0.00"
    assert rows["d361_plus"]["opening"] == "40000.00"
    assert rows["total"]["opening"] == "540000.00"
    assert rows["total"]["change_opening"] == "100000.00"  # 640,000 − 540,000
    assert rows["over_90"]["opening"] == "40000.00"  # L5 only
    assert rows["over_90"]["change_opening"] == "300000.00"


def test_loan_past_maturity_is_overdue_by_contract(report_from: MakeReport) -> None:
    # L3 matures on 30 Jun; in the dekad 2026-07-D1 (D = 10 Jul) it is 10 Jul − 30 Jun = 10
    # days overdue although its state row says nothing about it
    report = report_from("dekad", "2026-07-D1", **LATE)
    assert report.loans is not None
    days = dict(zip(report.loans.loan_id, report.loans.overdue_days.tolist(), strict=True))
    assert days["L3"] == 10
    assert days["L1"] == 11  # (10 Jul − 30 Jun) + 1
    o = _overdue(report)
    assert o["d1_30"] == "150000.00"  # L1 100,000 + L3 50,000


@pytest.mark.parametrize(
    ("since", "days", "bucket"),
    [
        # D = 30 Jun 2026; overdue days = (D − since) + 1
        ("2026-06-01", 30, "d1_30"),
        ("2026-05-31", 31, "d31_90"),
        ("2026-04-02", 90, "d31_90"),
        ("2026-04-01", 91, "d91_180"),
        ("2026-01-02", 180, "d91_180"),
        ("2026-01-01", 181, "d181_270"),
        ("2025-10-04", 270, "d181_270"),
        ("2025-10-03", 271, "d271_360"),
        ("2025-07-06", 360, "d271_360"),
        ("2025-07-05", 361, "d361_plus"),
    ],
)
def test_bucket_boundaries(report_from: MakeReport, since: str, days: int,
                           bucket: str) -> None:
    report = report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,1000,2025-01-01,2028-01-01,4
        L2,C2,B1,李,,credit,3000,2025-01-01,2028-01-01,4
        """,
        transactions="""
        L1,2025-01-01,disburse,1000
        L2,2025-01-01,disburse,3000
        """,
        classifications=f"""
        L1,2026-06-30,loss,{since}
        L2,2025-01-01,normal,
        """,
    )
    assert report.loans is not None
    assert report.loans.overdue_days.tolist()[0] == days
    o = _overdue(report)
    buckets = ("d1_30", "d31_90", "d91_180", "d181_270", "d271_360", "d361_plus")
    assert {b: o[b] for b in buckets} == {b: "1000.00" if b == bucket else "0.00"
                                          for b in buckets}
    # PAR counts the whole balance of the late loan: 1,000 / (1,000 + 3,000)
    assert o["par30"] == ("0.250000" if days > 30 else "0.000000")
    assert o["par90"] == ("0.250000" if days > 90 else "0.000000")
    assert o["over_90"] == ("1000.00" if days > 90 else "0.00")


def test_repaid_loan_is_not_overdue(report_from: MakeReport) -> None:
    report = report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,1000,2025-01-01,2026-01-01,4
        L2,C2,B1,李,,credit,3000,2025-01-01,2028-01-01,4
        """,
        transactions="""
        L1,2025-01-01,disburse,1000
        L1,2026-06-15,repay,1000
        L2,2025-01-01,disburse,3000
        """,
        classifications="""
        L1,2026-03-01,substandard,2026-01-02
        L2,2025-01-01,normal,
        """,
    )
    o = _overdue(report)
    assert o["total"] == "0.00"  # L1 was late, but repaid to zero on 15 Jun
    assert o["accounts"] == 0
    assert o["over_90_to_npl"] is None  # npl 0: null, never 0
    assert o["par30"] == "0.000000"  # balance 3,000: a real zero


def test_zero_denominators_give_null(report_from: MakeReport) -> None:
    # over 90 days late but still graded normal: over_90 > 0 and npl = 0 → null ratio
    report = report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="L1,C1,B1,王,,credit,1000,2025-01-01,2026-01-01,4",
        transactions="L1,2025-01-01,disburse,1000",
        classifications="L1,2025-01-01,normal,",
    )
    o = _overdue(report)
    assert o["d91_180"] == "1000.00"  # by contract: 30 Jun − 1 Jan = 180 days
    assert o["over_90"] == "1000.00"
    assert o["over_90_to_npl"] is None
    assert o["par90"] == "1.000000"
    empty = _overdue(report_from(  # nothing owed on D: L0 repaid in May, L1 lent after D
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="L0,C1,B1,王,,credit,500,2026-05-01,2027-05-01,4\n"
              "L1,C1,B1,王,,credit,1000,2026-07-01,2027-01-01,4",
        transactions="L0,2026-05-01,disburse,500\nL0,2026-05-20,repay,500\n"
                     "L1,2026-07-01,disburse,1000",
    ))
    assert (empty["par30"], empty["par90"], empty["over_90_to_npl"]) == (None, None, None)
    assert empty["total"] == "0.00"
