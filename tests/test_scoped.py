"""A scope's figures, worked by hand on tests/scopeledger.py (reportgen/scoped.py)."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgers import write_tables
from scopeledger import EAST, LI, WANG, WEST, ZHAO, write_scope_ledger
from test_properties import DAY0, LAST, PERIODS, ledgers

from reportgen import api
from reportgen.config import Config
from reportgen.model import Report
from reportgen.periods import parse_period
from reportgen.render.json import report_dict
from reportgen.scope import select


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> api.Session:
    # complete up to the year's end (so the yearly report can be made: datadate.py)
    return api.open_ledger(write_scope_ledger(tmp_path_factory.mktemp("scoped") / "ledger"),
                           as_of=date(2026, 12, 31))


def make(session: api.Session, report: str = "monthly", period: str = "2026-06", *,
         branches: tuple[str, ...] = (), managers: tuple[str, ...] = ()) -> Report:
    selection = select(session.ledger, branches=branches, managers=managers)
    return api.build(session, report, period, Config(), selection=selection)


def sections(report: Report) -> dict[str, Any]:
    return dict(report_dict(report)["sections"])


def test_branch_summary_by_hand(session: api.Session) -> None:
    s = sections(make(session, branches=(EAST,)))["summary"]
    assert (s["balance"], s["balance_opening"], s["balance_year_start"]) == (
        "1650000.00", "1900000.00", "2000000.00")
    assert (s["disbursed"], s["collected"], s["interest_received"]) == (
        "0.00", "250000.00", "3000.00")
    assert (s["accounts"], s["customers"], s["disbursed_count"]) == (3, 3, 0)
    west = sections(make(session, branches=(WEST,)))["summary"]
    assert (west["balance"], west["balance_opening"], west["balance_year_start"]) == (
        "700000.00", "500000.00", "0.00")
    assert (west["disbursed"], west["collected"], west["disbursed_count"]) == (
        "400000.00", "200000.00", 2)


def test_a_customer_of_two_branches_counts_in_each_with_its_own_loans(session: api.Session
                                                                       ) -> None:
    east = sections(make(session, branches=(EAST,)))["concentration"]
    west = sections(make(session, branches=(WEST,)))["concentration"]
    whole = sections(make(session))["concentration"]
    assert [(c["customer_id"], c["balance"]) for c in east["top10"]] == [
        ("C1", "900000.00"), ("C4", "600000.00"), ("C2", "150000.00")]
    assert [(c["customer_id"], c["balance"]) for c in west["top10"]] == [
        ("C1", "300000.00"), ("C3", "300000.00"), ("C2", "100000.00")]
    assert whole["top10"][0]["balance"] == "1200000.00"  # C1 across both branches


def test_inclusive_eligibility_is_judged_on_the_whole_bank(session: api.Session) -> None:
    east = sections(make(session, branches=(EAST,)))["inclusive"]
    west = sections(make(session, branches=(WEST,)))["inclusive"]
    assert (east["balance"], east["customers"], east["disbursed"]) == ("0.00", 0, "0.00")
    # C1's 500,000 contract alone would pass in 城西支行; its 10,100,000 at the bank do not
    assert (west["balance"], west["customers"], west["disbursed"]) == (
        "300000.00", 1, "300000.00")


def test_branch_with_its_own_figures_uses_them(session: api.Session) -> None:
    s = sections(make(session, branches=(EAST,)))
    assert s["provision"]["provision"] == "30000.00"
    assert s["provision"]["provision_ratio"] == "0.018182"  # 30,000 / 1,650,000
    assert s["concentration"]["net_capital"] == "5000000.00"
    assert s["concentration"]["top1_ratio"] == "0.180000"  # 900,000 / 5,000,000
    assert not any(i.get("legal_entity") for i in s["indicators"])


@pytest.mark.parametrize(("branches", "managers"), [((WEST,), ()), ((), (LI,)),
                                                     ((EAST,), (WANG,))])
def test_without_own_figures_the_legal_entity_ones_are_dash_never_a_breach(
        session: api.Session, branches: tuple[str, ...], managers: tuple[str, ...]) -> None:
    s = sections(make(session, branches=branches, managers=managers))
    if branches != (EAST,):
        assert s["provision"]["provision"] is None
        assert s["provision"]["coverage_ratio"] is None
        assert s["concentration"]["net_capital"] is None
    marked = {i["key"]: i for i in s["indicators"] if i.get("legal_entity")}
    if managers:  # a manager's report never has figures of its own
        assert set(marked) == {"coverage_ratio", "provision_ratio", "top1_ratio",
                               "top10_ratio", "top_group_ratio"}
        assert all(i["value"] is None and i["breached"] is None for i in marked.values())
    npl = next(i for i in s["indicators"] if i["key"] == "npl_ratio")
    assert "legal_entity" not in npl


def test_whole_bank_reads_the_legal_entitys_rows_only(session: api.Session) -> None:
    s = sections(make(session))
    assert s["provision"]["provision"] == "100000.00"
    assert s["concentration"]["net_capital"] == "10000000.00"


def test_managers_pack_is_their_own_book(session: api.Session) -> None:
    report = make(session, managers=(LI,))
    s = sections(report)
    assert report.branch == f"客户经理: {LI}"
    assert s["summary"]["balance"] == "600000.00"
    assert (s["quality"]["npl"], s["quality"]["npl_ratio"]) == ("300000.00", "0.500000")
    assert [e["loan_id"] for e in s["watchlist"]["entries"]] == ["L4"]
    m = s["maturity"]
    assert (m["due_count"], m["due_amount"], m["due_collected"]) == (1, "500000.00",
                                                                     "200000.00")
    rows = s["account_managers"]["rows"]
    assert [r["account_manager"] for r in rows] == [LI]
    assert rows[0]["targets"] == [{"metric": "disbursed", "period": "2026-06",
                                   "target": "500000.00", "actual": "300000.00",
                                   "completion": "0.600000",
                                   # June's target on 30 June: all its time gone, 60 % done
                                   "time_progress": "1.000000", "on_pace": False,
                                   "double_half": False}]
    wang = sections(make(session, managers=(WANG,)))["maturity"]
    assert [u["loan_id"] for u in wang["upcoming"]] == ["L2"]  # matures 2026-07-10


def test_targets_are_those_of_the_scopes_managers_with_the_scopes_actuals(
        session: api.Session) -> None:
    rows = sections(make(session, branches=(EAST,)))["account_managers"]["rows"]
    assert [r["account_manager"] for r in rows] == [WANG, ZHAO]
    zhao = next(r for r in rows if r["account_manager"] == ZHAO)
    assert zhao["targets"][0]["actual"] == "0.00"  # 赵经理 lent in 城西支行 only
    west = sections(make(session, branches=(WEST,)))["account_managers"]["rows"]
    assert {r["account_manager"] for r in west} == {LI, ZHAO}
    assert next(r for r in west if r["account_manager"] == ZHAO)["targets"][0]["actual"] == (
        "100000.00")


@pytest.mark.parametrize(("report", "period"), [("dekad", "2026-06-D3"), ("monthly", "2026-06"),
                                                ("quarterly", "2026-Q2"), ("yearly", "2026")])
def test_branch_reports_add_up_to_the_bank(session: api.Session, report: str,
                                           period: str) -> None:
    whole = sections(make(session, report, period))
    parts = [sections(make(session, report, period, branches=(b,))) for b in (EAST, WEST)]
    for key in ("balance", "balance_opening", "balance_year_start", "disbursed", "collected",
                "written_off", "interest_received", "recovered"):
        assert sum(Decimal(p["summary"][key]) for p in parts) == Decimal(whole["summary"][key])
    for key in ("accounts", "disbursed_count"):
        assert sum(p["summary"][key] for p in parts) == whole["summary"][key]
    assert sum(p["watchlist"]["count"] for p in parts) == whole["watchlist"]["count"]
    if "trend" in whole:
        for i, point in enumerate(whole["trend"]):
            for key in ("balance", "disbursed", "collected", "npl"):
                assert sum(Decimal(p["trend"][i][key]) for p in parts) == Decimal(point[key])


def test_branch_and_manager_intersect(session: api.Session) -> None:
    s = sections(make(session, branches=(WEST,), managers=(ZHAO,)))
    assert s["summary"]["balance"] == "100000.00"  # L6 only


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(drawn=ledgers(), which=st.sampled_from(PERIODS))
def test_property_branch_reports_share_out_the_bank(drawn: Any, which: tuple[str, str]
                                                   ) -> None:
    """On drawn ledgers: the branches' balances, flows and counts add up to the bank's,
    and each branch's balance is its own loans' money movements, worked out directly."""
    report_type, period_id = which
    period = parse_period(period_id, report_type)
    with tempfile.TemporaryDirectory() as folder:
        session = api.open_ledger(write_tables(Path(folder), drawn.tables), as_of=LAST)
        whole = api.build(session, report_type, period_id, Config())
        parts = {b: api.build(session, report_type, period_id, Config(),
                              selection=select(session.ledger, branches=[b]))
                 for b in sorted({row[2] for row in drawn.tables["loans"][1]})}
    loans_of = {b: {j for j, row in enumerate(drawn.tables["loans"][1]) if row[2] == b}
                for b in parts}
    sign = {"disburse": 1, "repay": -1, "writeoff": -1}
    for b, report in parts.items():
        own = sum(sign.get(kind, 0) * fen for loan, when, kind, fen in drawn.events
                  if loan in loans_of[b] and when <= (period.end - DAY0).days)
        assert report.sections.summary.balance == own
    for key in ("balance", "balance_opening", "balance_year_start", "accounts", "disbursed",
                "disbursed_count", "collected", "written_off", "interest_received",
                "recovered"):
        values = [getattr(r.sections.summary, key) for r in parts.values()]
        expected = getattr(whole.sections.summary, key)
        if expected is None:  # a comparison point before the ledger's first date
            assert values == [None] * len(values), key
        else:
            assert sum(values) == expected, key
    assert sum(r.sections.quality.npl for r in parts.values()) == whole.sections.quality.npl
    assert sum(r.sections.overdue.total for r in parts.values()) == (
        whole.sections.overdue.total)


@pytest.mark.parametrize(("report", "period"), [("monthly", "2026-06"), ("quarterly", "2026-Q2"),
                                                ("custom", "2026-05-20..2026-06-10")])
def test_branch_daily_averages_add_up_to_the_bank(session: api.Session, report: str,
                                                  period: str) -> None:
    """贷款日均余额 of each branch is its own loans' (it was the whole bank's in every
    branch): over the same days, the branches' averages add up to the bank's exactly."""
    whole = make(session, report, period).sections.summary.avg_balance
    east, west = (make(session, report, period, branches=(b,)).sections.summary.avg_balance
                  for b in (EAST, WEST))
    assert whole is not None
    assert east is not None
    assert west is not None
    assert east + west == whole
    assert 0 < east < whole
    assert 0 < west < whole
