"""``Report.to_frames()``: every table of every section, money as exact Decimal yuan."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from reportgen.labels import Labels
from reportgen.model import Report
from reportgen.model_frames import _money_column, ratio, yuan
from reportgen.render.json import report_dict
from reportgen.render.tables import build_sections

# A loan of 98,765,432,109.87 yuan (beyond a float's 2-decimal range at 10^13 fen it stays
# exact here), one that turns substandard, and bank figures for the ratios.
LEDGER = {
    "customers": """
        C1,甲制造有限公司,corporate,large,C,,G1,
        C2,李四,individual_business,,F,,,
        """,
    "loans": """
        L1,C1,城东支行,王五,流动资金贷款,mortgage,98765432109.87,2024-12-01,2027-03-01,4.35
        L2,C2,城东支行,赵六,,credit,200000,2025-11-15,2026-01-20,5.00
        """,
    "transactions": """
        L1,2024-12-01,disburse,98765432109.87
        L1,2025-12-20,repay,0.01
        L2,2025-11-15,disburse,200000
        L2,2025-12-31,repay,50000
        """,
    "classifications": """
        L1,2024-12-01,normal,
        L2,2025-11-15,normal,
        L2,2025-12-31,substandard,2025-12-25
        """,
}


@pytest.fixture
def yearly(report_from: Callable[..., Report]) -> Report:
    return report_from("yearly", "2025", **LEDGER)


def test_every_table_of_every_section_is_a_frame(yearly: Report) -> None:
    frames = yearly.to_frames()
    views = build_sections(yearly, Labels("en"))
    expected = [f"{v.name}/{t.key}" for v in views for t in v.tables]
    assert list(frames) == expected  # the workbook's tables, in report order
    assert all(isinstance(f, pd.DataFrame) for f in frames.values())


def test_money_is_exact_decimal_yuan(yearly: Report) -> None:
    frames = yearly.to_frames()
    compare = frames["summary/compare"].set_index("key")
    # 98,765,432,109.87 − 0.01 + 200,000 − 50,000 = 98,765,582,109.86
    assert compare.loc["balance", "current"] == Decimal("98765582109.86")
    assert compare.loc["accounts", "current"] == 2
    branch = frames["structure/branch"].set_index("key")
    assert branch.loc["城东支行", "balance"] == Decimal("98765582109.86")
    watch = frames["watchlist/entries"]
    assert list(watch["loan_id"]) == ["L2"]
    assert watch["balance"].iloc[0] == Decimal("150000.00")
    assert isinstance(watch["balance"].iloc[0], Decimal)
    # O = 31 Dec 2024: only L1, normal then and on D.
    matrix = frames["migration/matrix"].set_index("grade")
    assert matrix.loc["normal", "normal"] == Decimal("98765432109.86")
    assert matrix.loc["special_mention", "normal"] == Decimal("0.00")


def test_migration_matrix(report_from: Callable[..., Report]) -> None:
    # Q4 2025: on O (30 Sep) only L1, normal, which stays normal: its D balance.
    frames = report_from("quarterly", "2025-Q4", **LEDGER).to_frames()
    matrix = frames["migration/matrix"].set_index("grade")
    assert matrix.loc["normal", "normal"] == Decimal("98765432109.86")
    assert matrix.loc["normal", "cohort_opening"] == Decimal("98765432109.87")
    assert matrix.loc["normal", "substandard"] == Decimal("0.00")


def test_null_figures_are_none_not_zero(yearly: Report) -> None:
    frames = yearly.to_frames()
    provision = frames["provision/figures"].set_index("key")["value"]
    assert provision["provision"] is None  # no bank_figures: unknown, not 0
    concentration = frames["concentration/ratios"].set_index("key")["value"]
    assert concentration["net_capital"] is None
    assert concentration["top1_ratio"] is None
    assert frames["concentration/top10"]["ratio"].tolist() == [None, None]


def test_frames_agree_with_the_json_document(yearly: Report) -> None:
    """Every money and ratio cell of the frames is the JSON document's figure."""
    frames = yearly.to_frames()
    document = report_dict(yearly)["sections"]
    for dimension in ("industry", "guarantee", "branch", "account_manager"):
        rows = document["structure"][dimension]
        frame = frames[f"structure/{dimension}"]
        for column in ("balance", "share", "npl", "npl_ratio", "change_year_start"):
            json_values = [None if r[column] is None else Decimal(r[column]) for r in rows]
            assert frame[column].tolist() == json_values, (dimension, column)
    grades = frames["quality/grades"].set_index("key")
    for row in document["quality"]["table"]:
        expected = None if row["current"] is None else Decimal(row["current"])
        assert grades.loc[row["key"], "current"] == expected


@pytest.mark.parametrize("fen", [0, 1, -1, 99, -250050, 9_876_543_210_987, -(10**17) + 1])
def test_money_columns_convert_through_arrow_exactly(fen: int) -> None:
    column = _money_column(np.array([fen, 5], dtype=np.int64))
    assert list(column) == [Decimal(fen).scaleb(-2), Decimal("0.05")]
    assert yuan(fen) == Decimal(fen).scaleb(-2)


@pytest.mark.parametrize(("value", "expected"), [
    (Fraction(1, 3), Decimal("0.333333")), (Fraction(2, 3), Decimal("0.666667")),
    (Fraction(-1, 8_000_000), Decimal("-0.000000")), (Fraction(1, 2_000_000), Decimal("0.000001")),
    (None, None),
])
def test_ratios_are_decimal_half_up_6_places(value: Fraction | None,
                                             expected: Decimal | None) -> None:
    assert ratio(value) == expected


def test_targets_table_money_and_counts(report_from: Callable[..., Report]) -> None:
    frames = report_from("yearly", "2025", **LEDGER, targets="""
        王五,2025,disbursed,1000000
        赵六,2025,new_customers,2
        """).to_frames()
    targets = frames["account_managers/targets"].set_index(["account_manager", "metric"])
    # 王五 lent nothing in 2025 (L1 was lent in 2024): 0.00 of 1,000,000.00, completion 0.
    assert targets.loc[("王五", "disbursed"), "target"] == Decimal("1000000.00")
    assert targets.loc[("王五", "disbursed"), "actual"] == Decimal("0.00")
    assert targets.loc[("王五", "disbursed"), "completion"] == Decimal("0.000000")
    # 赵六's C2 is a new customer of 2025: 1 of 2, a count, not money.
    assert targets.loc[("赵六", "new_customers"), "actual"] == 1
    assert targets.loc[("赵六", "new_customers"), "completion"] == Decimal("0.500000")
