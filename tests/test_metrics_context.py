"""reportgen/metrics/context.py: the helpers every section uses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from ledgers import write_ledger

from reportgen.api import open_ledger
from reportgen.daykeys import key_days
from reportgen.ledger.schema import DISBURSE, REPAY, WRITEOFF
from reportgen.metrics.context import Flows, sort_keys, text_at
from reportgen.model import Report
from reportgen.render.json import report_dict
from reportgen.sample import generate_sample


def test_text_at_reads_the_cells_the_whole_column_holds(tmp_path: Path) -> None:
    folder = write_ledger(
        tmp_path / "l",
        customers="C1,甲公司,corporate,small,C,,,\nC2,乙,individual,,A,,,\n"
                  'C3,"丙,""引号""",individual,,A,,,\n',
        loans="L1,C1,B,王,,credit,100000,2026-03-01,2027-03-01,4\n"
              "L2,C2,B,王,经营贷,credit,100000,2026-03-01,2027-03-01,4\n",
        transactions="L1,2026-03-01,disburse,100000\n")  # a journal: not an empty ledger
    ledger = open_ledger(folder).ledger
    rows = np.array([2, 0, 1, -1, 2])
    for name in ("customer_id", "customer_name"):
        taken = text_at(ledger.customers, name, rows)  # from Arrow
        assert taken.to_pylist() == ledger.customers[name][rows].tolist()  # converts the column
        assert text_at(ledger.customers, name, rows).to_pylist() == taken.to_pylist()
    assert text_at(ledger.customers, "customer_name", rows).to_pylist()[0] == '丙,"引号"'
    assert text_at(ledger.loans, "product", np.array([1, 0])).to_pylist() == ["经营贷", ""]
    assert ledger.loans["product"].tolist() == ["", "经营贷"]  # blank as "" both ways


def test_sort_keys_sort_by_code_point() -> None:
    texts = ["L10", "L9", "贷2", "L1", "l1", ""]
    keys = sort_keys(pa.array(texts))
    assert [texts[i] for i in np.argsort(keys, kind="stable")] == sorted(texts)


def test_flows_from_the_balance_identity_equal_the_journal(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("flows") / "ledger"
    generate_sample(out, loans=300, seed=5)
    engine = open_ledger(out).engine
    first_writeoff = date(1970, 1, 1) + timedelta(
        days=int(key_days(engine.type_key[WRITEOFF]).min()))
    around = (first_writeoff - timedelta(days=40), first_writeoff + timedelta(days=20))
    assert engine.flow(WRITEOFF, *around).any()  # the identity is tested with write-offs
    for start, end in (around, (date(2025, 1, 1), date(2025, 12, 31)),
                       (date(2025, 12, 1), date(2025, 12, 31))):
        flows = Flows(engine, start, end)
        repaid = engine.flow(REPAY, start, end)
        written_off = engine.flow(WRITEOFF, start, end)
        assert (flows.collected == repaid).all()
        assert (flows.reduced == repaid + written_off).all()
        assert (flows.disbursed == engine.flow(DISBURSE, start, end)).all()


MakeReport = Callable[..., Report]


# -- comparisons before the ledger's first date (Context.known) ---------------------------------
#
# The ledger begins on 1 Mar 2026 (L1).  Balances by hand: L1 1,000 from 1 Mar, 200 repaid
# 10 May; L2 500 from 15 Apr, substandard from 1 Jun.  30 Jun: 800 + 500 = 1,300.
# 31 May: 1,300 as well.  The year start (31 Dec 2025) and same day last year (30 Jun
# 2025) are before the ledger: unknown, never 0.
FROM_MARCH = {
    "customers": "C1,甲公司,corporate,small,C,,,\nC2,乙,individual,,A,,,",
    "loans": "L1,C1,B1,王,,credit,1000,2026-03-01,2027-03-01,4\n"
             "L2,C2,B1,王,,credit,500,2026-04-15,2027-04-15,4",
    "transactions": "L1,2026-03-01,disburse,1000\nL2,2026-04-15,disburse,500\n"
                    "L1,2026-05-10,repay,200",
    "classifications": "L1,2026-03-01,normal,\nL2,2026-04-15,normal,\n"
                       "L2,2026-06-01,substandard,",
    "targets": "王,2026,disbursed,3000\n王,2026-Q2,disbursed,1000\n王,2026-06,disbursed,100",
}
UNKNOWN_Y_AND_L = {"year_start": None, "change_year_start": None, "last_year": None,
                   "change_last_year": None}


def _sections(report: Report) -> dict[str, Any]:
    sections: dict[str, Any] = report_dict(report)["sections"]
    return sections


def _row(table: list[dict[str, Any]], key: str) -> dict[str, Any]:
    return next(r for r in table if r["key"] == key)


def test_year_start_and_last_year_before_the_ledger_are_null(report_from: MakeReport) -> None:
    s = _sections(report_from("monthly", "2026-06", **FROM_MARCH))
    summary = s["summary"]
    assert (summary["balance"], summary["balance_opening"]) == ("1300.00", "1300.00")
    assert (summary["balance_year_start"], summary["balance_last_year"]) == (None, None)
    assert _row(summary["table"], "balance") == {
        "key": "balance", "current": "1300.00", "opening": "1300.00",
        "change_opening": "0.00", **UNKNOWN_Y_AND_L}
    assert _row(summary["table"], "accounts") == {
        "key": "accounts", "current": 2, "opening": 2, "change_opening": 0,
        **UNKNOWN_Y_AND_L}
    quality = s["quality"]
    assert (quality["npl_year_start"], quality["npl_ratio_year_start"]) == (None, None)
    assert _row(quality["table"], "substandard") == {
        "key": "substandard", "current": "500.00", "opening": "0.00",
        "change_opening": "500.00", **UNKNOWN_Y_AND_L}
    assert _row(quality["table"], "npl_ratio")["year_start"] is None
    for row in s["overdue"]["table"]:
        assert (row["year_start"], row["last_year"]) == (None, None), row
    for dimension, rows in s["structure"].items():
        assert rows, dimension
        assert {(r["balance_year_start"], r["change_year_start"]) for r in rows} == {
            (None, None)}, dimension
    inclusive = s["inclusive"]
    assert inclusive["balance"] == "800.00"  # L1: a small enterprise, 1,000 of credit
    for key in ("balance_year_start", "customers_year_start", "growth_rate",
                "total_growth_rate"):
        assert inclusive[key] is None, key
    (manager,) = s["account_managers"]["rows"]
    assert (manager["balance_year_start"], manager["change_year_start"]) == (None, None)
    # targets measured from P − 1: 31 Dec 2025 unknown; 31 Mar and 31 May known
    assert [(t["period"], t["actual"], t["completion"]) for t in manager["targets"]] == [
        ("2026", None, None),
        ("2026-Q2", "500.00", "0.500000"),  # L2's 500 of 1,000
        ("2026-06", "0.00", "0.000000"),
    ]


def test_an_opening_before_the_ledger_is_null(report_from: MakeReport) -> None:
    # March starts on the ledger's first day: its opening (28 Feb) is unknown, its flows not
    s = _sections(report_from("monthly", "2026-03", **FROM_MARCH))
    summary = s["summary"]
    assert summary["balance_opening"] is None
    assert (summary["balance"], summary["disbursed"]) == ("1000.00", "1000.00")
    balance = _row(summary["table"], "balance")
    assert (balance["opening"], balance["change_opening"]) == (None, None)
    assert _row(s["quality"]["table"], "normal")["opening"] is None


def test_migration_from_an_opening_before_the_ledger_is_null(report_from: MakeReport) -> None:
    later = {**FROM_MARCH,
             "loans": FROM_MARCH["loans"].replace("2026-03-01", "2026-04-01"),
             "transactions": FROM_MARCH["transactions"].replace("2026-03-01", "2026-04-01"),
             "classifications": FROM_MARCH["classifications"].replace("2026-03-01",
                                                                       "2026-04-01")}
    s = _sections(report_from("quarterly", "2026-Q2", **later))
    migration = s["migration"]
    for key in ("normal", "special_mention", "substandard", "doubtful", "performing"):
        assert migration[key] == {"key": key, "base": None, "moved": None, "rate": None}
    assert set(migration["cohort_opening"].values()) == {None}
    assert {v for row in migration["matrix"].values() for v in row.values()} == {None}
    # the trend's month ends lie in the quarter, after the first date: all known
    assert [p["balance"] for p in s["trend"]] == ["1500.00", "1300.00", "1300.00"]
    # L2 (substandard on D) is watched; whether it is new since O cannot be known
    watchlist = s["watchlist"]
    assert (watchlist["count"], watchlist["new_count"]) == (1, None)
    assert [(e["loan_id"], e["new"]) for e in watchlist["entries"]] == [("L2", None)]


def test_migration_from_a_known_opening(report_from: MakeReport) -> None:
    # Q2 opens on 31 Mar, after the first date: L1 is the normal cohort (1,000), 200 repaid
    s = _sections(report_from("quarterly", "2026-Q2", **FROM_MARCH))
    assert s["migration"]["normal"] == {"key": "normal", "base": "800.00", "moved": "0.00",
                                        "rate": "0.000000"}
    assert s["watchlist"]["new_count"] == 1  # L2 was normal on 31 Mar
    assert [(e["loan_id"], e["new"]) for e in s["watchlist"]["entries"]] == [("L2", True)]


def test_unknown_comparisons_render_as_a_dash_in_every_format(
        report_from: MakeReport, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from reportgen import api
    from reportgen.config import Config

    report = report_from("monthly", "2026-06", **FROM_MARCH)
    files = api.write(report, ["xlsx", "html"], tmp_path / "out", api.render_options(Config()))
    book = load_workbook(next(p for p in files if p.suffix == ".xlsx"), read_only=True)
    dashes = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
              for cell in row if cell == "—"]
    assert len(dashes) >= 4  # year start and last year, and their changes, at least
    html = next(p for p in files if p.suffix == ".html").read_text(encoding="utf-8")
    assert "—" in html
    # a watched loan whose "new" flag is unknown (the quarter opens before the ledger)
    later = {key: text.replace("2026-03-01", "2026-04-01") for key, text in FROM_MARCH.items()}
    quarter = report_from("quarterly", "2026-Q2", **later)
    (path,) = api.write(quarter, ["xlsx"], tmp_path / "q", api.render_options(Config()))
    rows = [row for sheet in load_workbook(path, read_only=True).worksheets
            for row in sheet.iter_rows(values_only=True) if "L2" in row and "—" in row]
    assert rows, "the watchlist's new column shows — for L2"
