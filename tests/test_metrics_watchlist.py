"""reportgen/metrics/watchlist.py: live loans overdue or special_mention-or-worse on D.

From metrics.md ("watchlist"): ``new`` when the loan was neither overdue nor special_mention
or worse on O; ``grade_check`` when its grade is milder than its overdue days allow (> 90
days: at least substandard; > 270: doubtful; > 360: loss); sorted by grade, worst first,
then balance descending (then loan_id, the code's tie-break).
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

# monthly 2026-06: D = 30 Jun, O = 31 May 2026
SIX_LOANS = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,500000,2025-06-01,2028-06-01,4
        L2,C2,B2,李,,credit,100000,2025-06-01,2028-06-01,4
        L3,C2,B2,李,,credit,300000,2025-06-01,2028-06-01,4
        L4,C1,B1,王,,credit,50000,2025-06-01,2028-06-01,4
        L5,C1,B1,王,,credit,800000,2025-06-01,2028-06-01,4
        L6,C2,B2,李,,credit,200000,2025-06-01,2028-06-01,4
        """,
    "transactions": """
        L1,2025-06-01,disburse,500000
        L2,2025-06-01,disburse,100000
        L3,2025-06-01,disburse,300000
        L4,2025-06-01,disburse,50000
        L5,2025-06-01,disburse,800000
        L6,2025-06-01,disburse,200000
        """,
    "classifications": """
        L1,2025-06-01,normal,
        L1,2026-03-01,special_mention,
        L2,2025-06-01,normal,
        L2,2026-06-30,normal,2026-06-30
        L3,2025-06-01,normal,
        L3,2026-04-01,special_mention,2026-03-23
        L4,2025-06-01,normal,
        L4,2025-08-01,doubtful,2025-07-01
        L5,2025-06-01,normal,
        L6,2025-06-01,normal,
        L6,2026-06-30,special_mention,
        """,
}


def _watchlist(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["watchlist"]


def _entry(loan: str, customer: tuple[str, str], manager: tuple[str, str], balance: str,
           grade: str, days: int, new: bool, check: bool) -> dict[str, Any]:
    return {"loan_id": loan, "customer_id": customer[0], "customer_name": customer[1],
            "account_manager": manager[0], "branch": manager[1], "balance": balance,
            "grade": grade, "overdue_days": days, "new": new, "grade_check": check}


def test_watchlist(report_from: MakeReport) -> None:
    w = _watchlist(report_from("monthly", "2026-06", **SIX_LOANS))
    c1, c2 = ("C1", "甲公司"), ("C2", "乙")
    wang, li = ("王", "B1"), ("李", "B2")
    assert w["entries"] == [
        # L4: doubtful, (30 Jun 2026 − 1 Jul 2025) + 1 = 365 days > 360 needs loss;
        # on O it was already doubtful and 335 days late: not new
        _entry("L4", c1, wang, "50000.00", "doubtful", 365, new=False, check=True),
        # special_mention, balance descending
        _entry("L1", c1, wang, "500000.00", "special_mention", 0, new=False, check=False),
        # L3: (30 Jun − 23 Mar) + 1 = 100 days > 90 needs substandard; 70 days late on O
        _entry("L3", c2, li, "300000.00", "special_mention", 100, new=False, check=True),
        # L6: special_mention from a row dated D; normal and current on O: new
        _entry("L6", c2, li, "200000.00", "special_mention", 0, new=True, check=False),
        # L2: normal but overdue_since = D: 1 day late; current on O: new
        _entry("L2", c2, li, "100000.00", "normal", 1, new=True, check=False),
    ]
    # L5 (normal, current) is not listed
    assert w["count"] == 5
    assert w["balance"] == "1150000.00"  # 50,000 + 500,000 + 300,000 + 200,000 + 100,000
    assert w["new_count"] == 2  # L6, L2
    assert w["grade_check_count"] == 2  # L4, L3


def test_loans_lent_in_the_period_are_new(report_from: MakeReport) -> None:
    w = _watchlist(report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,1000,2026-06-01,2026-06-20,4
        L2,C2,B1,王,,credit,1000,2025-06-01,2026-06-20,4
        L3,C2,B1,王,,credit,1000,2025-06-01,2028-06-01,4
        """,
        transactions="""
        L1,2026-06-01,disburse,1000
        L2,2025-06-01,disburse,1000
        L3,2025-06-01,disburse,1000
        L3,2026-06-10,repay,1000
        """,
        classifications="""
        L1,2026-06-01,normal,
        L2,2025-06-01,normal,
        L3,2026-01-01,loss,2025-12-01
        """,
    ))
    # L1 and L2: past their 20 Jun maturity, 30 Jun − 20 Jun = 10 days late by contract;
    # L1 was not live on O (lent 1 Jun) and L2 was current: both new.
    # L3 (loss) was repaid in full on 10 Jun: not live, not listed.
    assert [(e["loan_id"], e["overdue_days"], e["new"]) for e in w["entries"]] == [
        ("L1", 10, True), ("L2", 10, True)]  # same grade and balance: by loan_id


@pytest.mark.parametrize(
    ("since", "days", "grade", "check"),
    [
        # D = 30 Jun 2026; overdue days = (D − since) + 1
        ("2026-04-02", 90, "special_mention", False),
        ("2026-04-01", 91, "special_mention", True),
        ("2026-04-01", 91, "substandard", False),
        ("2025-10-04", 270, "substandard", False),
        ("2025-10-03", 271, "substandard", True),
        ("2025-10-03", 271, "doubtful", False),
        ("2025-07-06", 360, "doubtful", False),
        ("2025-07-05", 361, "doubtful", True),
        ("2025-07-05", 361, "loss", False),
        ("2025-07-05", 361, "normal", True),
    ],
)
def test_grade_check_thresholds(report_from: MakeReport, since: str, days: int, grade: str,
                                check: bool) -> None:
    w = _watchlist(report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="L1,C1,B1,王,,credit,1000,2025-01-01,2028-01-01,4",
        transactions="L1,2025-01-01,disburse,1000",
        classifications=f"L1,2026-06-30,{grade},{since}",
    ))
    [entry] = w["entries"]
    assert (entry["overdue_days"], entry["grade"], entry["grade_check"]) == (days, grade, check)
    assert w["grade_check_count"] == int(check)
