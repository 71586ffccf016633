"""reportgen/metrics/migration.py: 迁徙率 from O to D (CBRC off-site formulas).

From metrics.md ("migration"): the cohort of grade g is every loan live on O and graded g
on O; base(g) = Σ bal(x, O) − Σ (repay + writeoff in [S, D]); moved(g) = Σ bal(x, D) over
the cohort's loans graded in the target set on D; rate = moved / base, null when the base
is zero. Interpretation the code takes (module docstring): a negative base (a cohort loan
drawn further and repaid more than its opening balance) also gives a null rate.
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

# quarterly 2026-Q2: S = 1 Apr, D = 30 Jun, O = 31 Mar 2026
SIX_LOANS = {
    "customers": CUSTOMERS,
    "loans": """
        L1,C1,B1,王,,credit,2000000,2025-10-01,2028-10-01,4
        L2,C1,B1,王,,credit,500000,2025-10-01,2028-10-01,4
        L3,C2,B1,李,,credit,400000,2025-10-01,2028-10-01,4
        L4,C2,B1,李,,credit,300000,2025-10-01,2028-10-01,4
        L5,C2,B1,李,,credit,200000,2025-10-01,2028-10-01,4
        L6,C1,B1,王,,credit,100000,2026-04-15,2028-10-01,4
        """,
    "transactions": """
        L1,2025-10-01,disburse,1000000
        L1,2026-04-20,disburse,200000
        L1,2026-05-05,repay,100000
        L2,2025-10-01,disburse,500000
        L2,2026-06-01,repay,50000
        L3,2025-10-01,disburse,400000
        L4,2025-10-01,disburse,300000
        L4,2026-05-20,writeoff,300000
        L5,2025-10-01,disburse,200000
        L5,2026-04-10,repay,20000
        L6,2026-04-15,disburse,100000
        """,
    "classifications": """
        L1,2025-10-01,normal,
        L1,2026-05-10,special_mention,
        L2,2025-10-01,normal,
        L3,2025-10-01,normal,
        L3,2026-02-01,special_mention,
        L3,2026-06-30,substandard,
        L4,2025-10-01,normal,
        L4,2026-01-15,substandard,
        L4,2026-05-01,doubtful,
        L5,2025-10-01,normal,
        L5,2025-12-01,doubtful,
        L5,2026-06-01,loss,
        L6,2026-04-15,normal,
        L6,2026-06-01,loss,
        """,
}
# On O: normal L1 1,000,000 · L2 500,000; special_mention L3 400,000; substandard L4
# 300,000; doubtful L5 200,000. L6 is lent during the period: in no cohort.
# On D: L1 1,100,000 special_mention · L2 450,000 normal · L3 400,000 substandard (row
# dated D) · L4 0 (written off) · L5 180,000 loss · L6 100,000 loss.


def _migration(report: Report) -> dict[str, Any]:
    return report_dict(report)["sections"]["migration"]


def test_rates(report_from: MakeReport) -> None:
    m = _migration(report_from("quarterly", "2026-Q2", **SIX_LOANS))
    # normal: base 1,500,000 − (100,000 + 50,000) = 1,350,000 (L1's new drawing is not
    # added); moved = L1's period-end 1,100,000; 1,100,000 / 1,350,000 = 0.8148148…
    assert m["normal"] == {"key": "normal", "base": "1350000.00", "moved": "1100000.00",
                           "rate": "0.814815"}
    # special_mention: L3 400,000, substandard on D (its row is dated D)
    assert m["special_mention"] == {"key": "special_mention", "base": "400000.00",
                                    "moved": "400000.00", "rate": "1.000000"}
    # substandard: L4 300,000 − 300,000 written off = 0 → null (moved: L4 is doubtful on
    # D but its balance there is 0)
    assert m["substandard"] == {"key": "substandard", "base": "0.00", "moved": "0.00",
                                "rate": None}
    # doubtful: L5 200,000 − 20,000 = 180,000, all of it loss on D
    assert m["doubtful"] == {"key": "doubtful", "base": "180000.00", "moved": "180000.00",
                             "rate": "1.000000"}
    # performing (normal + special_mention): base 1,350,000 + 400,000 = 1,750,000;
    # moved to substandard or worse: L3 400,000 only (L1 went to special_mention)
    assert m["performing"] == {"key": "performing", "base": "1750000.00",
                               "moved": "400000.00", "rate": "0.228571"}


def test_matrix_and_cohorts(report_from: MakeReport) -> None:
    m = _migration(report_from("quarterly", "2026-Q2", **SIX_LOANS))
    grades = ("normal", "special_mention", "substandard", "doubtful", "loss")
    zero = dict.fromkeys(grades, "0.00")
    # Σ bal(x, D) per (grade on O, grade on D); L6 (not live on O) is in no row
    assert m["matrix"] == {
        "normal": {**zero, "normal": "450000.00", "special_mention": "1100000.00"},
        "special_mention": {**zero, "substandard": "400000.00"},
        "substandard": zero,  # L4 is doubtful on D with balance 0
        "doubtful": {**zero, "loss": "180000.00"},
        "loss": zero,
    }
    assert m["cohort_opening"] == {"normal": "1500000.00", "special_mention": "400000.00",
                                   "substandard": "300000.00", "doubtful": "200000.00",
                                   "loss": "0.00"}


def test_redrawn_loan_and_negative_base(report_from: MakeReport) -> None:
    m = _migration(report_from(
        "quarterly", "2026-Q2",
        customers=CUSTOMERS,
        loans="""
        L1,C1,B1,王,,credit,500000,2025-10-01,2028-10-01,4
        L2,C2,B1,李,,credit,500000,2025-10-01,2028-10-01,4
        """,
        transactions="""
        L1,2025-10-01,disburse,100000
        L1,2026-04-10,disburse,200000
        L1,2026-05-10,repay,250000
        L2,2025-10-01,disburse,100000
        L2,2026-03-01,repay,100000
        L2,2026-04-10,disburse,100000
        """,
        classifications="""
        L1,2025-10-01,normal,
        L1,2026-06-01,substandard,
        L2,2025-10-01,normal,
        L2,2026-06-01,special_mention,
        """,
    ))
    # L2 was repaid to zero before O and drawn again in the period: not live on O, so in
    # no cohort. L1: base 100,000 − 250,000 repaid = −150,000 → null rate;
    # moved = its period-end balance 100,000 + 200,000 − 250,000 = 50,000
    assert m["normal"] == {"key": "normal", "base": "-150000.00", "moved": "50000.00",
                           "rate": None}
    assert m["performing"]["rate"] is None
    assert m["special_mention"] == {"key": "special_mention", "base": "0.00",
                                    "moved": "0.00", "rate": None}  # empty cohort
    assert m["matrix"]["normal"]["substandard"] == "50000.00"
    assert m["matrix"]["normal"]["special_mention"] == "0.00"  # L2 is not in the matrix
    assert m["cohort_opening"]["normal"] == "100000.00"


def test_yearly_migration_starts_at_year_start(report_from: MakeReport) -> None:
    # yearly 2026: O = 31 Dec 2025, the year start
    m = _migration(report_from("yearly", "2026", **SIX_LOANS))
    # normal on O: L1 1,000,000, L2 500,000, L3 400,000 (special_mention only from 1 Feb);
    # L4 normal on O too (substandard from 15 Jan); L5 doubtful since 1 Dec 2025.
    # base = 2,200,000 − (L1 100,000 + L2 50,000 + L4 300,000) = 1,750,000
    # moved (special_mention or worse on D): L1 1,100,000 + L3 400,000 + L4 0 = 1,500,000
    assert m["normal"] == {"key": "normal", "base": "1750000.00", "moved": "1500000.00",
                           "rate": "0.857143"}  # 1,500,000 / 1,750,000 = 0.857142857…
