"""metrics/warnings.py: the data-quality warnings of a report's as-of date, as data.

The ledger below is worked by hand for D = 2026-06-30 (overdue days = D − overdue_since + 1,
metrics.md; more than 90 needs at least substandard):

* L1 is live and has no state row                          → no_state
* L2 overdue since 2026-03-28: 94 + 1 = 95 days, special_mention → grade_too_mild
* L3 overdue since 2026-04-01: 90 + 1 = 91 days, substandard       → fine
* L4 overdue since 2026-04-02: 89 + 1 = 90 days, special_mention   → fine (not > 90)
* L5 has no state row but was repaid in full on 2026-06-10 (not live) → nothing

L3's interest on 2026-06-30 makes D the ledger's last day (its data date).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from ledgers import write_ledger
from openpyxl import load_workbook

from reportgen.cli import main
from reportgen.labels import Labels
from reportgen.model import DataWarning, Report
from reportgen.render.json import report_dict
from reportgen.scope import BRANCH, MANAGER, scope_id

MakeReport = Callable[..., Report]

D = date(2026, 6, 30)

LEDGER = {
    "customers": "C1,甲公司,corporate,small,C,,,\n",
    "loans": """
    L1,C1,B1,王,,credit,10000,2026-01-05,2027-01-05,4
    L2,C1,B1,王,,credit,20000,2026-01-05,2027-01-05,4
    L3,C1,B1,王,,credit,30000,2026-01-05,2027-01-05,4
    L4,C1,B1,王,,credit,40000,2026-01-05,2027-01-05,4
    L5,C1,B1,王,,credit,50000,2026-01-05,2027-01-05,4
    """,
    "transactions": """
    L1,2026-01-05,disburse,10000
    L2,2026-01-05,disburse,20000
    L3,2026-01-05,disburse,30000
    L4,2026-01-05,disburse,40000
    L5,2026-01-05,disburse,50000
    L5,2026-06-10,repay,50000
    L3,2026-06-30,interest,100
    """,
    "classifications": """
    L2,2026-04-01,special_mention,2026-03-28
    L3,2026-04-01,substandard,2026-04-01
    L4,2026-04-02,special_mention,2026-04-02
    """,
}

EXPECTED = (
    DataWarning("no_state", "L1", D),
    DataWarning("grade_too_mild", "L2", D, (("overdue_days", 95), ("grade", "special_mention"),
                                            ("expected", "substandard"))),
)


@pytest.fixture
def report(report_from: MakeReport) -> Report:
    return report_from("monthly", "2026-06", **LEDGER)


def test_warnings_are_data_on_the_as_of_date(report: Report) -> None:
    assert report.warnings == EXPECTED
    assert report.warning_count == 2


def test_warnings_are_worded_in_each_language() -> None:
    zh, en = Labels("zh"), Labels("en")
    assert zh.warning(EXPECTED[0]) == ("借据 L1 在 2026-06-30 未结清，但没有五级分类记录"
                                       "（按正常类、未逾期计）")
    assert zh.warning(EXPECTED[1]) == ("借据 L2 在 2026-06-30 逾期 95 天，分类为关注类，"
                                       "应至少为次级类")
    assert en.warning(EXPECTED[0]) == ("loan L1 is live on 2026-06-30 but has no classification "
                                       "row (treated as normal, not overdue)")
    assert en.warning(EXPECTED[1]) == ("loan L2 is 95 days overdue on 2026-06-30 but graded "
                                       "special_mention; at least substandard expected")


def test_json_lists_the_warnings_as_data(report: Report) -> None:
    document = report_dict(report)
    assert document["warning_count"] == 2
    assert document["warnings"] == [
        {"kind": "no_state", "loan_id": "L1", "day": "2026-06-30", "params": {}},
        {"kind": "grade_too_mild", "loan_id": "L2", "day": "2026-06-30",
         "params": {"overdue_days": 95, "grade": "special_mention",
                    "expected": "substandard"}},
    ]


def test_validate_prints_them_in_english(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "l", **LEDGER)
    result = CliRunner().invoke(main, ["validate", "--ledger", str(folder)])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "warning: loan L1 is live on 2026-06-30 but has no classification row "
        "(treated as normal, not overdue)",
        "warning: loan L2 is 95 days overdue on 2026-06-30 but graded special_mention; "
        "at least substandard expected"]
    assert "2 warning(s)" in result.stdout


def test_the_ledger_layer_does_not_import_the_metrics() -> None:
    source = (Path(__file__).parent.parent / "reportgen" / "ledger" / "validate.py").read_text()
    assert "reportgen.metrics" not in source


# -- a scoped report's warnings are its own loans' (scopes.md) -----------------------------
#
# Branch 东 holds the two loans that raise warnings on D (WARNA1 has no state row,
# WARNA2 is 95 days overdue and graded special_mention); branch 西's loans are clean
# (WESTB1 graded, WESTB2 repaid).  So 东's report and the whole bank's list both, 西's
# lists none and names no loan of 东 anywhere.

TWO_BRANCHES = {
    "customers": "C1,甲公司,corporate,small,C,,,\nC2,乙公司,corporate,small,C,,,\n",
    "loans": """
    WARNA1,C1,东,王,,credit,10000,2026-01-05,2027-01-05,4
    WARNA2,C1,东,王,,credit,20000,2026-01-05,2027-01-05,4
    WESTB1,C2,西,李,,credit,30000,2026-01-05,2027-01-05,4
    WESTB2,C2,西,李,,credit,40000,2026-01-05,2027-01-05,4
    """,
    "transactions": """
    WARNA1,2026-01-05,disburse,10000
    WARNA2,2026-01-05,disburse,20000
    WESTB1,2026-01-05,disburse,30000
    WESTB2,2026-01-05,disburse,40000
    WESTB2,2026-06-10,repay,40000
    WESTB1,2026-06-30,interest,100
    """,
    "classifications": """
    WARNA2,2026-04-01,special_mention,2026-03-28
    WESTB1,2026-01-05,normal,
    """,
}


@pytest.mark.parametrize(("flags", "scope", "listed"), [
    ([], "", ["WARNA1", "WARNA2"]),
    (["--branch", "东"], scope_id(BRANCH, "东"), ["WARNA1", "WARNA2"]),
    (["--branch", "西"], scope_id(BRANCH, "西"), []),
    (["--manager", "李"], scope_id(MANAGER, "李"), []),
    (["--manager", "王"], scope_id(MANAGER, "王"), ["WARNA1", "WARNA2"]),
])
def test_a_scoped_report_warns_only_of_its_own_loans(
        tmp_path: Path, flags: list[str], scope: str, listed: list[str]) -> None:
    suffix = f"_{scope}" if scope else ""
    folder = write_ledger(tmp_path / "l", **TWO_BRANCHES)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["generate", "--ledger", str(folder), "--report",
                                       "monthly", "--period", "2026-06", "--format",
                                       "json,xlsx,pdf", "--out", str(out), *flags])
    assert result.exit_code == 0, result.output
    for loan in ("WARNA1", "WARNA2"):  # the terminal's warning lines too
        assert (f"loan {loan}" in result.stderr or f"借据 {loan}" in result.stderr) == (
            loan in listed), result.stderr
    document = json.loads((out / f"monthly_2026-06{suffix}.json").read_text("utf-8"))
    assert [w["loan_id"] for w in document["warnings"]] == listed
    assert document["warning_count"] == len(listed)
    sheet = load_workbook(out / f"monthly_2026-06{suffix}.xlsx", read_only=True)["数据质量"]
    loans = [row[2] for row in sheet.iter_rows(values_only=True)
             if len(row) > 2 and isinstance(row[2], str) and row[2].startswith(("WARN", "WEST"))]
    assert loans == listed
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out / f"monthly_2026-06{suffix}.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        flat = "".join(text.split())
        for loan in ("WARNA1", "WARNA2"):
            # the warning's sentence (no_state / grade_too_mild) in 东's and the bank's PDF;
            # 西's PDF does not name 东's loans anywhere
            sentence = {"WARNA1": "借据WARNA1在2026-06-30未结清",
                        "WARNA2": "借据WARNA2在2026-06-30逾期95天"}[loan]
            assert (sentence in flat) == (loan in listed), loan
            if not listed:
                assert loan not in flat
