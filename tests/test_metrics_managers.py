"""reportgen/metrics/managers.py: each account manager's book on D and target completion.

From metrics.md ("account_managers"): a target counts when its period (the year, quarter or
month of D) contains D, measured from that period's start P to D: balance_increase =
Σ bal(D) − Σ bal(P − 1 day) of the manager's loans; disbursed = Σ disburse in [P, D];
new_customers = customers with a live loan of the manager on D and none on P − 1 day;
completion = actual / target (null when the target is 0). Rows by balance descending.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

# monthly 2026-05: S = 1 May, D = 31 May 2026, Y = 31 Dec 2025. Target periods containing D:
# 2026 (P − 1 = 31 Dec 2025), 2026-Q2 (P − 1 = 31 Mar), 2026-05 (P − 1 = 30 Apr)
FIVE_LOANS = {
    "customers": """
        C1,甲公司,corporate,small,C,,,
        C2,乙,individual,,A,,,
        C3,丙,individual,,A,,,
        C4,丁,individual,,A,,,
        """,
    "loans": """
        L1,C1,B1,王,,credit,1000000,2025-06-01,2028-06-01,4
        L2,C2,B1,王,,credit,500000,2026-04-10,2028-06-01,4
        L3,C3,B1,王,,credit,300000,2026-05-15,2028-06-01,4
        L4,C1,B1,李,,credit,400000,2026-01-20,2028-06-01,4
        L5,C4,B1,李,,credit,600000,2025-03-01,2028-06-01,4
        """,
    "transactions": """
        L1,2025-06-01,disburse,1000000
        L1,2026-02-10,repay,200000
        L1,2026-05-20,repay,100000
        L2,2026-04-10,disburse,500000
        L3,2026-05-15,disburse,300000
        L4,2026-01-20,disburse,400000
        L4,2026-05-31,repay,400000
        L5,2025-03-01,disburse,600000
        """,
    "classifications": "L3,2026-05-31,substandard,",
    "targets": """
        王,2026,balance_increase,1000000
        王,2026-Q2,disbursed,1000000
        王,2026-05,new_customers,2
        王,2026-Q1,disbursed,100000
        王,2026-06,disbursed,100000
        李,2026,new_customers,3
        李,2026-Q2,balance_increase,0
        李,2026,disbursed,800000.50
        """,
}
# Balances — L1: 1,000,000 on Y; 800,000 on 31 Mar and 30 Apr; 700,000 on D.
# L2: 500,000 from 10 Apr. L3: 300,000 from 15 May. L4: 400,000 from 20 Jan to D − 1,
# repaid on D. L5: 600,000 throughout.


def _managers(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["account_managers"]


def _without_targets(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "targets"}


def test_manager_rows(report_from: MakeReport) -> None:
    m = _managers(report_from("monthly", "2026-05", **FIVE_LOANS))
    rows = m["rows"]
    assert [r["account_manager"] for r in rows] == ["王", "李"]  # 1,500,000 > 600,000
    assert _without_targets(rows[0]) == {
        "account_manager": "王",
        "balance": "1500000.00",  # 700,000 + 500,000 + 300,000
        "balance_year_start": "1000000.00",  # L1 only
        "change_year_start": "500000.00",
        "accounts": 3,
        "customers": 3,  # C1, C2, C3
        "disbursed": "300000.00",  # L3 in May
        "npl": "300000.00",  # L3, substandard on D
        "npl_ratio": "0.200000",  # 300,000 / 1,500,000
    }
    assert _without_targets(rows[1]) == {
        "account_manager": "李",
        "balance": "600000.00",  # L5; L4 was repaid on D
        "balance_year_start": "600000.00",  # L5 (L4 lent in January)
        "change_year_start": "0.00",
        "accounts": 1,
        "customers": 1,
        "disbursed": "0.00",
        "npl": "0.00",
        "npl_ratio": "0.000000",
    }
    assert m["has_targets"] is True


def test_targets_of_periods_containing_D(report_from: MakeReport) -> None:
    rows = _managers(report_from("monthly", "2026-05", **FIVE_LOANS))["rows"]
    # Time progress on 31 May: the year 151/365 (31+28+31+30+31 days) = 0.41369863…, Q2
    # 61/91 (April 30 + May 31 of 91 days) = 0.67032967…, May 31/31.
    year, q2, may = "0.413699", "0.670330", "1.000000"
    # 王's 2026-Q1 and 2026-06 targets do not contain 31 May: left out
    assert rows[0]["targets"] == [
        # 1,500,000 on D − 1,000,000 on 31 Dec 2025 = 500,000; 500,000 / 1,000,000 ≥ 151/365
        {"metric": "balance_increase", "period": "2026", "target": "1000000.00",
         "actual": "500000.00", "completion": "0.500000", "time_progress": year,
         "on_pace": True, "double_half": False},
        # [1 Apr, 31 May]: L2 500,000 + L3 300,000 = 800,000; / 1,000,000 ≥ 61/91
        {"metric": "disbursed", "period": "2026-Q2", "target": "1000000.00",
         "actual": "800000.00", "completion": "0.800000", "time_progress": q2,
         "on_pace": True, "double_half": False},
        # live on D: C1, C2, C3; live on 30 Apr: C1, C2 → C3 only; 1 / 2 < all the month gone
        {"metric": "new_customers", "period": "2026-05", "target": 2, "actual": 1,
         "completion": "0.500000", "time_progress": may, "on_pace": False,
         "double_half": False},
    ]
    assert rows[1]["targets"] == [
        # 600,000 on D − (L4 400,000 + L5 600,000) on 31 Mar = −400,000; target 0 → null,
        # and so is being on pace (time still goes by)
        {"metric": "balance_increase", "period": "2026-Q2", "target": "0.00",
         "actual": "-400000.00", "completion": None, "time_progress": q2, "on_pace": None,
         "double_half": False},
        # [1 Jan, 31 May]: L4 400,000; 40,000,000 / 80,000,050 fen = 0.49999968… → 0.500000
        {"metric": "disbursed", "period": "2026", "target": "800000.50",
         "actual": "400000.00", "completion": "0.500000", "time_progress": year,
         "on_pace": True, "double_half": False},
        # live on D: C4, also live on 31 Dec 2025 (C1's loan with 李 is repaid): 0 / 3
        {"metric": "new_customers", "period": "2026", "target": 3, "actual": 0,
         "completion": "0.000000", "time_progress": year, "on_pace": False,
         "double_half": False},
    ]


def test_yearly_report_counts_year_quarter_and_month_targets(report_from: MakeReport) -> None:
    rows = _managers(report_from(
        "yearly", "2026",
        customers="C1,甲,individual,,A,,,",
        # L0 (2025, repaid) makes the ledger cover the whole year; it moves no 2026 figure
        loans="""
        L0,C1,B1,王,,credit,50,2025-12-01,2028-01-01,4
        L1,C1,B1,王,,credit,100,2026-03-01,2028-01-01,4
        L2,C1,B1,王,,credit,200,2026-11-15,2028-01-01,4
        L3,C1,B1,王,,credit,300,2026-12-10,2028-01-01,4
        """,
        transactions="""
        L0,2025-12-01,disburse,50
        L0,2025-12-02,repay,50
        L1,2026-03-01,disburse,100
        L2,2026-11-15,disburse,200
        L3,2026-12-10,disburse,300
        """,
        targets="""
        王,2026-Q3,disbursed,1
        王,2026-12,disbursed,300
        王,2026-Q4,disbursed,1000
        王,2026,disbursed,1200
        王,2025,disbursed,1
        """,
    ))["rows"]
    # D = 31 Dec 2026 lies in 2026, 2026-Q4 and 2026-12 (not 2026-Q3, not 2025)
    assert [(t["period"], t["actual"], t["completion"]) for t in rows[0]["targets"]] == [
        ("2026", "600.00", "0.500000"),  # 100 + 200 + 300 of 1,200
        ("2026-Q4", "500.00", "0.500000"),  # 200 + 300 of 1,000
        ("2026-12", "300.00", "1.000000"),  # 300 of 300
    ]


def test_without_targets(report_from: MakeReport) -> None:
    ledger = {k: v for k, v in FIVE_LOANS.items() if k != "targets"}
    m = _managers(report_from("monthly", "2026-05", **ledger))
    assert m["has_targets"] is False
    assert [r["targets"] for r in m["rows"]] == [[], []]


def test_manager_with_only_a_year_start_balance_is_shown(report_from: MakeReport) -> None:
    m = _managers(report_from(
        "monthly", "2026-05",
        customers="C1,甲,individual,,A,,,",
        loans="""
        L1,C1,B1,王,,credit,100,2025-06-01,2028-01-01,4
        L2,C1,B1,李,,credit,300,2025-06-01,2028-01-01,4
        """,
        transactions="""
        L1,2025-06-01,disburse,100
        L2,2025-06-01,disburse,300
        L2,2026-03-01,repay,300
        """,
    ))
    # 李's only loan was repaid in March: balance 0 on D, 300 at Y; sorted after 王
    assert [(r["account_manager"], r["balance"], r["change_year_start"], r["npl_ratio"])
            for r in m["rows"]] == [("王", "100.00", "0.00", "0.000000"),
                                     ("李", "0.00", "-300.00", None)]


def test_target_of_a_manager_without_loans_is_measured(report_from: MakeReport) -> None:
    m = _managers(report_from(
        "monthly", "2026-05",
        customers="C1,甲,individual,,A,,,",
        loans="L1,C1,B1,王,,credit,100,2025-06-01,2028-01-01,4",
        transactions="L1,2025-06-01,disburse,100",
        targets="""
        张,2026,disbursed,5000
        张,2026-05,new_customers,1
        """,
    ))
    # 张 (a new manager) has targets but no loan yet: a row with zero figures, and each
    # target measured at 0 (completion 0, not a silently dropped target)
    assert m["has_targets"] is True
    assert [(r["account_manager"], r["balance"], r["accounts"]) for r in m["rows"]] == [
        ("王", "100.00", 1), ("张", "0.00", 0)]
    assert m["rows"][1]["targets"] == [
        {"metric": "disbursed", "period": "2026", "target": "5000.00", "actual": "0.00",
         "completion": "0.000000", "time_progress": "0.413699", "on_pace": False,
         "double_half": False},  # 151/365 of the year gone
        {"metric": "new_customers", "period": "2026-05", "target": 1, "actual": 0,
         "completion": "0.000000", "time_progress": "1.000000", "on_pace": False,
         "double_half": False},
    ]
    assert m["rows"][1]["npl_ratio"] is None


def test_new_customer_is_new_to_the_manager(report_from: MakeReport) -> None:
    m = _managers(report_from(
        "monthly", "2026-05",
        customers="C1,甲,individual,,A,,,",
        loans="""
        L1,C1,B1,王,,credit,100,2025-06-01,2028-01-01,4
        L2,C1,B1,李,,credit,300,2026-05-10,2028-01-01,4
        """,
        transactions="""
        L1,2025-06-01,disburse,100
        L2,2026-05-10,disburse,300
        """,
        targets="""
        李,2026-05,new_customers,1
        王,2026-05,new_customers,1
        """,
    ))
    actual = {r["account_manager"]: r["targets"][0]["actual"] for r in m["rows"]}
    # C1 already borrowed from the bank (through 王) on 30 Apr, but had no live loan with 李:
    # new for 李; for 王 it is not new
    assert actual == {"李": 1, "王": 0}


# --- target progress (assessment.md): time_progress, on_pace, 双过半 on 30 June ------------

MID_YEAR = {  # 赵's loan of 2025 (no target) makes 31 Dec 2025 a day the ledger knows
    "customers": """
        C1,甲公司,corporate,small,C,,,
        C2,乙,individual,,A,,,
        C3,丙,individual,,A,,,
        """,
    "loans": """
        L0,C3,B1,赵,,credit,50000,2025-06-01,2028-06-01,4
        L1,C1,B1,王,,credit,600000,2026-03-01,2028-06-01,4
        L2,C2,B1,李,,credit,400000,2026-06-01,2028-06-01,4
        L3,C2,B1,张,,credit,181000,2026-02-01,2028-06-01,4
        """,
    "transactions": """
        L0,2025-06-01,disburse,50000
        L1,2026-03-01,disburse,600000
        L2,2026-06-01,disburse,400000
        L3,2026-02-01,disburse,181000
        """,
    "targets": """
        王,2026,disbursed,1000000
        王,2026-H1,disbursed,1000000
        王,2026,new_customers,2
        李,2026,disbursed,1000000
        李,2026,balance_increase,0
        张,2026,disbursed,365000
        """,
}


def _progress(report: Report) -> dict[tuple[str, str, str], tuple[Any, ...]]:
    return {(r["account_manager"], t["metric"], t["period"]):
            (t["completion"], t["time_progress"], t["on_pace"], t["double_half"])
            for r in _managers(report)["rows"] for t in r["targets"]}


def test_target_progress_on_30_june(report_from: MakeReport) -> None:
    # 30 Jun 2026: 181 days of 2026's 365 are gone (31+28+31+30+31+30): 0.49589041… →
    # "0.495890"; all 181 days of 2026-H1
    year = "0.495890"
    for report, period in (("monthly", "2026-06"), ("halfyear", "2026-H1"),
                           ("quarterly", "2026-Q2")):
        assert _progress(report_from(report, period, **MID_YEAR)) == {
            # 600,000 / 1,000,000 = 0.6 ≥ 181/365: on pace on 30 June, so 双过半
            ("王", "disbursed", "2026"): ("0.600000", year, True, True),
            # the same 600,000 against a half-year target whose time is all gone: behind
            ("王", "disbursed", "2026-H1"): ("0.600000", "1.000000", False, False),
            # C1 is new (no live loan on 31 Dec 2025): 1 / 2 = 0.5 ≥ 181/365
            ("王", "new_customers", "2026"): ("0.500000", year, True, True),
            # 400,000 / 1,000,000 = 0.4 < 181/365: behind
            ("李", "disbursed", "2026"): ("0.400000", year, False, False),
            # a zero target has no completion, hence no pace either
            ("李", "balance_increase", "2026"): (None, year, None, False),
            # 181,000 / 365,000 is exactly 181/365: completion ≥ time progress is on pace
            ("张", "disbursed", "2026"): ("0.495890", year, True, True),
        }


def test_double_half_is_the_30_june_of_a_yearly_target(report_from: MakeReport) -> None:
    # 31 May: 151/365 of the year gone; 王's 0.6 is on pace but it is not 30 June yet
    may = _progress(report_from("monthly", "2026-05", **MID_YEAR))
    assert may[("王", "disbursed", "2026")] == ("0.600000", "0.413699", True, False)
    assert may[("王", "disbursed", "2026-H1")] == ("0.600000", "0.834254", False, False)
    # 151/181 = 0.83425414… of the first half-year
    # 1 July (custom one-day window has no managers): the monthly July report of the
    # ledger has only yearly targets left; H1 no longer contains D
    july = _progress(report_from("monthly", "2026-07", **MID_YEAR))
    assert ("王", "disbursed", "2026-H1") not in july
    assert july[("王", "disbursed", "2026")] == ("0.600000", "0.580822", True, False)
    # 212/365 = 0.58082191…


def test_exact_time_progress_in_the_model(report_from: MakeReport) -> None:
    from fractions import Fraction

    book = report_from("halfyear", "2026-H1", **MID_YEAR).sections.account_managers
    assert book is not None
    targets = {(r.account_manager, t.period, t.metric): t for r in book.rows for t in r.targets}
    target = targets[("张", "2026", "disbursed")]
    assert target.time_progress == Fraction(181, 365)
    assert target.completion == Fraction(181, 365)
    assert target.on_pace is True
