"""reportgen/metrics/quality.py: balance per grade on D, NPL and NPL ratio (and at Y).

Expected figures are worked out by hand from metrics.md ("quality"): a loan's grade on D is
its classification row with the latest date ≤ D; npl = substandard + doubtful + loss;
npl_ratio = npl / balance, null when the balance is zero.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

CUSTOMERS = """
C1,甲公司,corporate,small,C,,,
C2,乙,individual,,A,,,
"""


def _quality(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["quality"]


def _row(section: dict[str, Any], key: str) -> dict[str, Any]:
    return next(r for r in section["table"] if r["key"] == key)


FIVE_GRADES = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,400000,2025-10-01,2027-10-01,4
        L2,C1,B1,王,,credit,300000,2025-10-01,2027-10-01,4
        L3,C2,B1,李,,credit,150000,2025-10-01,2027-10-01,4
        L4,C2,B1,李,,credit,100000,2025-10-01,2027-10-01,4
        L5,C2,B1,李,,credit,80000,2025-10-01,2027-10-01,4
        """,
    "transactions": """
        L1,2025-10-01,disburse,400000
        L2,2025-10-01,disburse,300000
        L3,2025-10-01,disburse,150000
        L4,2025-10-01,disburse,100000
        L5,2025-10-01,disburse,80000
        L5,2026-04-10,writeoff,30000
        """,
    "classifications": """
        L1,2025-10-01,normal,
        L1,2026-07-01,loss,
        L2,2025-10-01,normal,
        L2,2026-02-01,special_mention,
        L3,2025-10-01,normal,
        L3,2026-06-30,substandard,
        L4,2025-10-01,normal,
        L4,2025-12-01,doubtful,
        L5,2025-10-01,normal,
        L5,2026-03-01,loss,
        """,
}


def test_balance_per_grade(report_from: MakeReport) -> None:
    # monthly 2026-06: D = 30 Jun, O = 31 May, Y = 31 Dec 2025, L = 30 Jun 2025
    q = _quality(report_from("monthly", "2026-06", **FIVE_GRADES))
    assert q["normal"] == "400000.00"  # L1 (its 1 Jul row is after D and ignored)
    assert q["special_mention"] == "300000.00"  # L2 since 1 Feb
    assert q["substandard"] == "150000.00"  # L3: its row dated D itself takes effect on D
    assert q["doubtful"] == "100000.00"  # L4
    assert q["loss"] == "50000.00"  # L5: 80,000 − 30,000 written off
    assert q["npl"] == "300000.00"  # 150,000 + 100,000 + 50,000
    assert q["npl_ratio"] == "0.300000"  # 300,000 / 1,000,000
    # Y = 31 Dec 2025: all five loans live, 1,030,000 in all; only L4 (doubtful since 1 Dec)
    assert q["npl_year_start"] == "100000.00"
    assert q["npl_ratio_year_start"] == "0.097087"  # 100,000 / 1,030,000 = 0.0970873…


def test_grades_add_up_to_the_balance(report_from: MakeReport) -> None:
    report = report_from("monthly", "2026-06", **FIVE_GRADES)
    q = report.sections.quality
    assert q.normal + q.special_mention + q.substandard + q.doubtful + q.loss == (
        report.sections.summary.balance)
    assert q.npl_ratio == Fraction(3, 10)  # exact in the model


def test_comparison_table(report_from: MakeReport) -> None:
    q = _quality(report_from("monthly", "2026-06", **FIVE_GRADES))
    # O = 31 May: L3 still normal (its substandard row is dated 30 Jun)
    assert _row(q, "normal")["opening"] == "550000.00"  # L1 400,000 + L3 150,000
    assert _row(q, "substandard") == {
        "key": "substandard", "current": "150000.00",
        "opening": "0.00", "change_opening": "150000.00",
        "year_start": "0.00", "change_year_start": "150000.00",
        # L = 30 Jun 2025 is before the ledger's first date (1 Oct 2025): unknown, not 0
        "last_year": None, "change_last_year": None,
    }
    assert _row(q, "npl")["opening"] == "150000.00"  # L4 100,000 + L5 50,000 on 31 May
    assert _row(q, "npl_ratio") == {
        "key": "npl_ratio", "current": "0.300000",
        "opening": "0.150000", "change_opening": "0.150000",  # 150,000 / 1,000,000
        # 0.3 − 100,000/1,030,000 = 209/1,030 = 0.2029126…
        "year_start": "0.097087", "change_year_start": "0.202913",
        "last_year": None, "change_last_year": None,  # no balance on 30 Jun 2025
    }


def test_state_change_on_the_periods_last_day(report_from: MakeReport) -> None:
    # the dekad 2026-06-D3 ends on 30 Jun too; D2 (11–20 Jun) does not see L3's new grade
    d3 = _quality(report_from("dekad", "2026-06-D3", **FIVE_GRADES))
    d2 = _quality(report_from("dekad", "2026-06-D2", **FIVE_GRADES))
    assert (d3["substandard"], d2["substandard"]) == ("150000.00", "0.00")
    assert d2["npl"] == "150000.00"  # L4 + L5
    assert d2["npl_ratio"] == "0.150000"


def test_loan_without_a_state_row_is_normal(report_from: MakeReport) -> None:
    report = report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,70000,2026-06-01,2027-06-01,4
        L2,C2,B1,李,,credit,30000,2026-06-01,2027-06-01,4
        """,
        transactions="""
        L1,2026-06-01,disburse,70000
        L2,2026-06-01,disburse,30000
        """,
        classifications="L2,2026-06-01,doubtful,",
    )
    q = _quality(report)
    assert (q["normal"], q["doubtful"]) == ("70000.00", "30000.00")
    assert q["npl_ratio"] == "0.300000"  # 30,000 / 100,000
    assert report.warning_count >= 1  # the validator warns about L1


def test_npl_ratio_rounds_half_away_from_zero(report_from: MakeReport) -> None:
    report = report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,19999.99,2026-01-01,2027-01-01,4
        L2,C2,B1,李,,credit,0.01,2026-01-01,2027-01-01,4
        """,
        transactions="""
        L1,2026-01-01,disburse,19999.99
        L2,2026-01-01,disburse,0.01
        """,
        classifications="""
        L1,2026-01-01,normal,
        L2,2026-01-01,substandard,
        """,
    )
    # 0.01 / 20,000.00 = 0.0000005 exactly: half away from zero gives 0.000001
    assert report.sections.quality.npl_ratio == Fraction(1, 2_000_000)
    assert _quality(report)["npl_ratio"] == "0.000001"


def test_zero_balance_gives_null_ratios(report_from: MakeReport) -> None:
    report = report_from(
        "monthly", "2026-06",
        customers=CUSTOMERS,
        loans="L1,C1,B1,王,,credit,1000,2026-02-01,2027-02-01,4",
        transactions="""
        L1,2026-02-01,disburse,1000
        L1,2026-05-15,repay,1000
        """,
        classifications="""
        L1,2026-02-01,normal,
        L1,2026-04-01,loss,2026-03-01
        """,
    )
    q = _quality(report)
    # L1 is graded loss but repaid to zero: only live loans count
    assert q["loss"] == "0.00"
    assert q["npl"] == "0.00"
    assert q["npl_ratio"] is None  # 0 / 0: null, never 0
    # Y = 31 Dec 2025 is before the ledger's first date (1 Feb 2026): unknown, not 0
    assert q["npl_ratio_year_start"] is None
    assert q["npl_year_start"] is None
