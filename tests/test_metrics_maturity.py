"""reportgen/metrics/maturity.py: loans due this period with their collection rate, and the
upcoming list.

From metrics.md ("maturity"): due this period = maturity_date in [S, D]; due_amount =
Σ (bal(x, O) + disburse in [S, D]); due_collected = Σ repay of those loans in [S, D];
upcoming = live loans maturing in (D, D + 30 days], (D, D + 10 days] in the dekad report,
soonest first. Interpretations the code takes (module docstring): a loan with nothing to
collect (repaid in full before the period) is not "due"; upcoming ties go by balance
descending, then loan_id.
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

# monthly 2026-06: S = 1 Jun, D = 30 Jun, O = 31 May 2026
SIX_LOANS = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,100000,2025-06-30,2026-06-30,4
        L2,C1,B1,王,,credit,200000,2025-06-15,2026-06-15,4
        L3,C2,B2,李,,credit,50000,2026-06-02,2026-06-10,4
        L4,C2,B2,李,,credit,30000,2025-05-31,2026-05-31,4
        L5,C2,B2,李,,credit,70000,2025-07-30,2026-07-30,4
        L6,C1,B1,王,,credit,10000,2025-07-01,2026-07-01,4
        """,
    "transactions": """
        L1,2025-06-30,disburse,100000
        L1,2026-06-30,repay,60000
        L2,2025-06-15,disburse,200000
        L2,2026-06-15,repay,200000
        L2,2026-06-15,interest,5000
        L3,2026-06-02,disburse,50000
        L4,2025-05-31,disburse,30000
        L5,2025-07-30,disburse,70000
        L6,2025-07-01,disburse,10000
        """,
    "classifications": """
        L1,2025-06-30,normal,
        L2,2025-06-15,normal,
        L3,2026-06-02,normal,
        L4,2025-05-31,normal,
        L5,2025-07-30,normal,
        L5,2026-06-01,special_mention,
        L6,2025-07-01,normal,
        """,
}


def _maturity(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["maturity"]


def test_due_this_period(report_from: MakeReport) -> None:
    m = _maturity(report_from("monthly", "2026-06", **SIX_LOANS))
    # due: L1 (matures on D), L2 (15 Jun), L3 (lent 2 Jun, due 10 Jun); L4 matured on O
    assert m["due_count"] == 3
    # L1 100,000 on O + L2 200,000 on O + L3 0 on O + 50,000 lent in the period
    assert m["due_amount"] == "350000.00"
    # L1 60,000 + L2 200,000 (L2's interest is not principal collected); L3 nothing
    assert m["due_collected"] == "260000.00"
    assert m["due_collection_rate"] == "0.742857"  # 260,000 / 350,000 = 0.7428571…


def test_upcoming_list(report_from: MakeReport) -> None:
    m = _maturity(report_from("monthly", "2026-06", **SIX_LOANS))
    # (30 Jun, 30 Jul]: L6 (1 Jul) then L5 (30 Jul, the window's last day). L1 matures on
    # D itself, which is not after D.
    assert m["upcoming_days"] == 30
    assert m["upcoming_count"] == 2
    assert m["upcoming_balance"] == "80000.00"  # 10,000 + 70,000
    assert m["upcoming"] == [
        {"loan_id": "L6", "customer_id": "C1", "customer_name": "甲公司",
         "account_manager": "王", "branch": "B1", "balance": "10000.00",
         "maturity_date": "2026-07-01", "grade": "normal"},
        {"loan_id": "L5", "customer_id": "C2", "customer_name": "乙",
         "account_manager": "李", "branch": "B2", "balance": "70000.00",
         "maturity_date": "2026-07-30", "grade": "special_mention"},
    ]


def test_loan_maturing_on_D_is_due_but_not_overdue(report_from: MakeReport) -> None:
    report = report_from("monthly", "2026-06", **SIX_LOANS)
    assert report.loans is not None
    days = dict(zip(report.loans.loan_id, report.loans.overdue_days.tolist(), strict=True))
    assert days["L1"] == 0  # D = maturity: not overdue by contract on D
    assert days["L3"] == 20  # matured 10 Jun: 30 Jun − 10 Jun
    assert days["L4"] == 30  # matured 31 May: 30 Jun − 31 May
    watch = report_dict(report)["sections"]["watchlist"]
    assert "L1" not in [e["loan_id"] for e in watch["entries"]]


def test_dekad_windows(report_from: MakeReport) -> None:
    # dekad 2026-06-D3: S = 21 Jun, D = 30 Jun, O = 20 Jun
    m = _maturity(report_from("dekad", "2026-06-D3", **SIX_LOANS))
    assert m["due_count"] == 1  # only L1 matures in [21 Jun, 30 Jun]
    assert m["due_amount"] == "100000.00"  # L1 on 20 Jun
    assert m["due_collected"] == "60000.00"
    assert m["due_collection_rate"] == "0.600000"
    # the dekad looks 10 days ahead: (30 Jun, 10 Jul] holds L6 only
    assert m["upcoming_days"] == 10
    assert [u["loan_id"] for u in m["upcoming"]] == ["L6"]
    # dekad 2026-06-D2 (11–20 Jun): L2 falls due on 15 Jun and is repaid in full
    d2 = _maturity(report_from("dekad", "2026-06-D2", **SIX_LOANS))
    assert (d2["due_count"], d2["due_amount"], d2["due_collected"],
            d2["due_collection_rate"]) == (1, "200000.00", "200000.00", "1.000000")
    # (20 Jun, 30 Jun]: L1 matures on 30 Jun
    assert [u["loan_id"] for u in d2["upcoming"]] == ["L1"]
    assert d2["upcoming_balance"] == "100000.00"  # L1 before its repayment on 30 Jun


def test_nothing_due_and_upcoming_ties(report_from: MakeReport) -> None:
    m = _maturity(report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,1000,2025-06-20,2026-06-20,4
        L2,C1,B1,王,,credit,1000,2025-07-31,2026-07-31,4
        L3,C2,B1,王,,credit,1000,2025-07-05,2026-07-05,4
        L4,C2,B1,王,,credit,1000,2025-07-05,2026-07-05,4
        L5,C2,B1,王,,credit,1000,2025-07-05,2026-07-05,4
        """,
        transactions="""
        L1,2025-06-20,disburse,1000
        L1,2026-05-20,repay,1000
        L2,2025-07-31,disburse,1000
        L3,2025-07-05,disburse,300
        L4,2025-07-05,disburse,300
        L5,2025-07-05,disburse,500
        """,
    ))
    # L1 matures on 20 Jun but was repaid in full on 20 May: nothing to collect, not due
    assert (m["due_count"], m["due_amount"], m["due_collected"]) == (0, "0.00", "0.00")
    assert m["due_collection_rate"] is None  # 0 / 0
    # L2 matures on 31 Jul = D + 31 days: outside the window. Same maturity: balance
    # descending (L5 500 first), then loan_id (L3 before L4)
    assert [(u["loan_id"], u["balance"]) for u in m["upcoming"]] == [
        ("L5", "500.00"), ("L3", "300.00"), ("L4", "300.00")]


def test_weekly_looks_seven_days_ahead(report_from: MakeReport) -> None:
    # weekly 2026-W26: S = Mon 22 Jun, D = Sun 28 Jun; nothing matures in [22 Jun, 28 Jun]
    m = _maturity(report_from("weekly", "2026-W26", **SIX_LOANS))
    assert (m["due_count"], m["due_amount"], m["due_collection_rate"]) == (0, "0.00", None)
    # (28 Jun, 5 Jul]: L1 on 30 Jun (100,000 on D), L6 on 1 Jul (10,000); L5 (30 Jul) is not
    assert m["upcoming_days"] == 7
    assert [u["loan_id"] for u in m["upcoming"]] == ["L1", "L6"]
    assert m["upcoming_balance"] == "110000.00"
    # weekly 2026-W27: 29 Jun – 5 Jul, O = 28 Jun: L1 (100,000 on O, 60,000 collected) and
    # L6 (10,000, nothing collected) fall due: 60,000 / 110,000 = 0.5454545… → 0.545455
    w27 = _maturity(report_from("weekly", "2026-W27", **SIX_LOANS))
    assert (w27["due_count"], w27["due_amount"], w27["due_collected"],
            w27["due_collection_rate"]) == (2, "110000.00", "60000.00", "0.545455")
    assert w27["upcoming"] == []  # (5 Jul, 12 Jul] holds no maturity


def test_custom_window_looks_ten_days_ahead(report_from: MakeReport) -> None:
    # custom 12–21 Jun, O = 11 Jun: L2 (200,000 on O) falls due on 15 Jun, repaid in full
    m = _maturity(report_from("custom", "2026-06-12..2026-06-21", **SIX_LOANS))
    assert (m["due_count"], m["due_amount"], m["due_collected"],
            m["due_collection_rate"]) == (1, "200000.00", "200000.00", "1.000000")
    # (21 Jun, 1 Jul]: L1 (30 Jun) and L6 (1 Jul, the window's last day); 7 days would
    # have held neither
    assert m["upcoming_days"] == 10
    assert [u["loan_id"] for u in m["upcoming"]] == ["L1", "L6"]
