"""reportgen/metrics/changes.py: each branch's, industry's and product's balance change
since O and Y, for the drivers of the reports without the structure section.

Worked by hand on small ledgers written here: the rows a dekad, weekly and custom report
carry (``Report.changes``), an item whose loans were all repaid in the period (listed, down
to 0), unknown comparison days (``None``, never 0), a branch scope (its loans only), and
the reports with the structure section (which carry none).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from ledgers import write_ledger

from reportgen import api
from reportgen.config import Config
from reportgen.model import Changes, Report
from reportgen.scope import select

MakeReport = Callable[..., Report]

CUSTOMERS = """
C1,甲制造公司,corporate,small,C,,,
C2,乙农场,individual,,A,,,
C3,丙贸易公司,corporate,small,F,,,
"""
# 2026-03-D2: O = 10 Mar, Y = 31 Dec 2025 (L0 lent and repaid in Dec 2024: known, empty).
# L1 城东 制造业 流动资金贷款 500,000 on 10 Jan, 200,000 repaid 15 Mar
# L2 城西 农业 个人经营性贷款 200,000 on 1 Feb;  L3 城西 农业 个人经营性贷款 350,000 on 18 Mar
# L4 城南 批发零售 流动资金贷款 80,000 on 1 Mar, all repaid on 12 Mar (gone by D)
LEDGER = {
    "customers": CUSTOMERS,
    "loans": """
        L0,C1,城东支行,王,流动资金贷款,credit,300000,2024-12-02,2024-12-20,4
        L1,C1,城东支行,王,流动资金贷款,credit,500000,2026-01-10,2028-01-10,4
        L2,C2,城西支行,李,个人经营性贷款,credit,200000,2026-02-01,2028-02-01,4
        L3,C2,城西支行,李,个人经营性贷款,credit,350000,2026-03-18,2028-03-18,4
        L4,C3,城南支行,赵,流动资金贷款,credit,80000,2026-03-01,2027-03-01,4
        """,
    "transactions": """
        L0,2024-12-02,disburse,300000
        L0,2024-12-20,repay,300000
        L1,2026-01-10,disburse,500000
        L1,2026-03-15,repay,200000
        L2,2026-02-01,disburse,200000
        L3,2026-03-18,disburse,350000
        L4,2026-03-01,disburse,80000
        L4,2026-03-12,repay,80000
        """,
    "classifications": """
        L1,2026-01-10,normal,
        L2,2026-02-01,normal,
        L3,2026-03-18,normal,
        L4,2026-03-01,normal,
        """,
}
FEN = 100


def rows(report: Report) -> dict[str, list[tuple[str, int | None, int | None]]]:
    assert report.changes is not None
    return {c.dimension: [(r.key, r.change_opening, r.change_year_start) for r in c.rows]
            for c in report.changes}


def test_dekad_changes_by_hand(report_from: MakeReport) -> None:
    got = rows(report_from("dekad", "2026-03-D2", **LEDGER))
    # On D (20 Mar): 城西 550,000, 城东 300,000, 城南 0.  On O (10 Mar): 城东 500,000,
    # 城西 200,000, 城南 80,000.  On Y: nothing.  Branches by balance on D, largest first;
    # 城南 is listed though it holds nothing on D: it moved (−80,000 since O).
    assert got["branch"] == [("城西支行", 350_000 * FEN, 550_000 * FEN),
                             ("城东支行", -200_000 * FEN, 300_000 * FEN),
                             ("城南支行", -80_000 * FEN, 0)]
    # industries in code order: A 农业, C 制造业, F 批发和零售业
    assert got["industry"] == [("A", 350_000 * FEN, 550_000 * FEN),
                               ("C", -200_000 * FEN, 300_000 * FEN),
                               ("F", -80_000 * FEN, 0)]
    assert got["product"] == [("个人经营性贷款", 350_000 * FEN, 550_000 * FEN),
                              ("流动资金贷款", -280_000 * FEN, 300_000 * FEN)]


def test_weekly_and_custom_compare_with_their_own_opening(report_from: MakeReport) -> None:
    # week 12 (16–22 Mar): O = Sunday 15 Mar, after the repayments of the 12th and 15th
    weekly = rows(report_from("weekly", "2026-W12", **LEDGER))
    assert weekly["branch"] == [("城西支行", 350_000 * FEN, 550_000 * FEN),
                                ("城东支行", 0, 300_000 * FEN)]
    # 1–20 Mar: O = 28 Feb, before L4 was lent: 城南 lent and repaid inside, net 0 but listed
    # only when it holds something on D, O or Y — it holds nothing on any: not listed
    custom = rows(report_from("custom", "2026-03-01..2026-03-20", **LEDGER))
    assert custom["branch"] == [("城西支行", 350_000 * FEN, 550_000 * FEN),
                                ("城东支行", -200_000 * FEN, 300_000 * FEN)]


def test_unknown_days_are_none_never_zero(report_from: MakeReport) -> None:
    # without L0 the ledger starts on 10 Jan 2026: Y (31 Dec 2025) is unknown, O is known
    ledger = {**LEDGER,
              "loans": "\n".join(LEDGER["loans"].strip().splitlines()[1:]),
              "transactions": "\n".join(LEDGER["transactions"].strip().splitlines()[2:])}
    got = rows(report_from("dekad", "2026-03-D2", **ledger))
    assert got["branch"] == [("城西支行", 350_000 * FEN, None),
                             ("城东支行", -200_000 * FEN, None),
                             ("城南支行", -80_000 * FEN, None)]
    # and the first dekad of a ledger starting on 1 Jan: O = Y = 31 Dec 2025, unknown
    first = rows(report_from("dekad", "2026-01-D1", **{
        **ledger, "transactions": "L1,2026-01-01,disburse,500000",
        "classifications": "L1,2026-01-01,normal,",
        "loans": "L1,C1,城东支行,王,流动资金贷款,credit,500000,2026-01-01,2028-01-10,4"}))
    assert first["branch"] == [("城东支行", None, None)]


def test_a_branch_scope_sums_its_own_loans(tmp_path: Path) -> None:
    session = api.open_ledger(write_ledger(tmp_path / "ledger", **LEDGER),
                              as_of=date(2026, 3, 20))
    report = api.build(session, "dekad", "2026-03-D2", Config(),
                       selection=select(session.ledger, branches=["城东支行"]))
    got = rows(report)
    assert got["branch"] == [("城东支行", -200_000 * FEN, 300_000 * FEN)]
    assert got["industry"] == [("C", -200_000 * FEN, 300_000 * FEN)]


def test_reports_with_the_structure_section_carry_no_changes(report_from: MakeReport) -> None:
    for report, period in [("monthly", "2026-03"), ("quarterly", "2026-Q1"),
                           ("halfyear", "2026-H1")]:
        made = report_from(report, period, **LEDGER)
        assert made.changes is None
        assert made.sections.structure is not None
    dekad = report_from("dekad", "2026-03-D2", **LEDGER)
    assert dekad.sections.structure is None
    assert isinstance(dekad.changes, tuple)
    assert all(isinstance(c, Changes) for c in dekad.changes)
    assert [c.dimension for c in dekad.changes] == ["branch", "industry", "product"]
