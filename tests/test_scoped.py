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


# -- a manager's scope, section by section (scopes.md: customer-level and legal-entity rules)

def test_a_managers_concentration_ranks_their_customers_by_their_own_balance(
        tmp_path: Path) -> None:
    """C1 and C2 are one group (G1), C4 another (G2).  赵经理 holds L5 (C4, 600,000) and L6
    (C2, 100,000): C2's L2 (王经理's) is not theirs, so C2 ranks with 100,000 and their
    largest group is G2; 王经理 holds L1 (C1, 900,000) and L2 (C2, 150,000): G1 1,050,000.
    The whole bank: C1 1,200,000, G1 = 1,200,000 + 250,000 = 1,450,000."""
    folder = write_scope_ledger(tmp_path / "ledger")
    customers = folder / "customers.csv"
    lines = customers.read_text("utf-8").splitlines()
    group = {"C1": "G1", "C2": "G1", "C4": "G2"}
    rows = [lines[0]] + [",".join([*cells[:6], group.get(cells[0], ""), *cells[7:]])
                         for cells in (line.split(",") for line in lines[1:])]
    customers.write_text("\n".join(rows) + "\n", encoding="utf-8")
    session = api.open_ledger(folder)
    expected = {
        (ZHAO,): ([("C4", "600000.00"), ("C2", "100000.00")], "G2", "600000.00"),
        (WANG,): ([("C1", "900000.00"), ("C2", "150000.00")], "G1", "1050000.00"),
        (LI,): ([("C1", "300000.00"), ("C3", "300000.00")], "G1", "300000.00"),  # tie: by id
        (): ([("C1", "1200000.00"), ("C4", "600000.00"), ("C3", "300000.00"),
              ("C2", "250000.00")], "G1", "1450000.00"),
    }
    for managers, (top, group_id, group_balance) in expected.items():
        c = sections(make(session, managers=managers))["concentration"]
        assert [(t["customer_id"], t["balance"]) for t in c["top10"]] == top, managers
        assert (c["top_group_id"], c["top_group_balance"]) == (group_id, group_balance)
        assert (c["top1_balance"], c["top10_balance"]) == (
            top[0][1], f"{sum(Decimal(b) for _, b in top):.2f}")
        if managers:  # net capital is the legal entity's: no ratio in a manager's report
            assert c["net_capital"] is None
            assert c["top1_ratio"] is None
            assert all(t["ratio"] is None for t in c["top10"])


@pytest.mark.parametrize(("manager", "balance", "customers", "disbursed", "year_start"), [
    # C3 (individual business) is inclusive; C1's L4 is not: C1 has 10,100,000 of live
    # contracts at the bank on D, though 李经理 alone holds only its 500,000
    (LI, "300000.00", 1, "300000.00", "0.00"),
    # on Y (2025-12-31) C1's only live contract was L1 (9,600,000 ≤ 10,000,000): L1's
    # 1,000,000 is inclusive then; on D it is not (L4 has joined it)
    (WANG, "0.00", 0, "0.00", "1000000.00"),
    (ZHAO, "0.00", 0, "0.00", "0.00"),  # C4 is large, C2 an individual
])
def test_a_managers_inclusive_book_judges_eligibility_on_the_whole_bank(
        session: api.Session, manager: str, balance: str, customers: int, disbursed: str,
        year_start: str) -> None:
    s = sections(make(session, managers=(manager,)))["inclusive"]
    assert (s["balance"], s["customers"], s["disbursed"], s["balance_year_start"]) == (
        balance, customers, disbursed, year_start)


@pytest.mark.parametrize(("manager", "balance", "target", "actual"), [
    (LI, "600000.00", "500000.00", "300000.00"),  # L3 lent 06-05
    (WANG, "1050000.00", "100000.00", "0.00"),  # nothing lent in June
    (ZHAO, "700000.00", "200000.00", "100000.00"),  # L6 lent 06-18 (in 城西支行)
])
def test_a_managers_report_holds_only_their_own_targets(
        session: api.Session, manager: str, balance: str, target: str, actual: str) -> None:
    rows = sections(make(session, managers=(manager,)))["account_managers"]["rows"]
    assert [(r["account_manager"], r["balance"]) for r in rows] == [(manager, balance)]
    assert [(t["metric"], t["target"], t["actual"]) for t in rows[0]["targets"]] == [
        ("disbursed", target, actual)]


LEGAL_ENTITY_KEYS = {"coverage_ratio", "provision_ratio", "top1_ratio", "top10_ratio",
                     "top_group_ratio"}


@pytest.mark.parametrize("figures", [
    None,  # no bank_figures at all
    "date,item,amount\n2026-06-30,provision,100000.00\n2026-06-30,net_capital,10000000.00\n",
    # 城东支行 has rows of its own: a manager whose loans are all 城东's still has none
    (f"date,item,amount,branch\n2026-06-30,provision,100000.00,\n"
     f"2026-06-30,net_capital,10000000.00,\n2026-06-30,provision,30000.00,{EAST}\n"
     f"2026-06-30,net_capital,5000000.00,{EAST}\n"),
])
@pytest.mark.parametrize("manager", [WANG, LI])
def test_a_managers_legal_entity_indicators_are_dash_whatever_bank_figures_hold(
        tmp_path: Path, figures: str | None, manager: str) -> None:
    folder = write_scope_ledger(tmp_path / "ledger", figures=False)
    if figures is not None:
        (folder / "bank_figures.csv").write_text(figures, encoding="utf-8")
    session = api.open_ledger(folder)
    s = sections(make(session, managers=(manager,)))
    assert s["provision"]["provision"] is None
    assert s["provision"]["coverage_ratio"] is None
    assert s["provision"]["provision_ratio"] is None
    assert s["concentration"]["net_capital"] is None
    marked = {i["key"]: i for i in s["indicators"] if i.get("legal_entity")}
    assert set(marked) == LEGAL_ENTITY_KEYS
    assert all(i["value"] is None and i["breached"] is None for i in marked.values())
    npl = next(i for i in s["indicators"] if i["key"] == "npl_ratio")
    assert "legal_entity" not in npl  # the manager's own book's ratio
    assert npl["value"] == ("0.000000" if manager == WANG else "0.500000")
    whole = sections(make(session))
    assert not any(i.get("legal_entity") for i in whole["indicators"])
    if figures is not None:
        assert whole["provision"]["provision"] == "100000.00"


@pytest.mark.parametrize(("report", "period"), [("dekad", "2026-06-D3"), ("monthly", "2026-06"),
                                                ("quarterly", "2026-Q2"), ("yearly", "2026")])
def test_manager_reports_add_up_to_the_bank(session: api.Session, report: str,
                                            period: str) -> None:
    whole = sections(make(session, report, period))
    parts = [sections(make(session, report, period, managers=(m,))) for m in (LI, WANG, ZHAO)]
    for key in ("balance", "balance_opening", "balance_year_start", "disbursed", "collected",
                "written_off", "interest_received", "recovered"):
        assert sum(Decimal(p["summary"][key]) for p in parts) == Decimal(whole["summary"][key])
    for key in ("accounts", "disbursed_count"):
        assert sum(p["summary"][key] for p in parts) == whole["summary"][key]
    assert sum(p["watchlist"]["count"] for p in parts) == whole["watchlist"]["count"]
    assert sum(Decimal(p["quality"]["npl"]) for p in parts) == Decimal(whole["quality"]["npl"])
    if "inclusive" in whole:
        assert sum(Decimal(p["inclusive"]["balance"]) for p in parts) == Decimal(
            whole["inclusive"]["balance"])
    if "migration" in whole:  # the bases and the moved amounts share out too
        for grade in ("normal", "special_mention", "substandard", "doubtful"):
            for key in ("base", "moved"):
                assert sum(Decimal(p["migration"][grade][key]) for p in parts) == Decimal(
                    whole["migration"][grade][key])
    if "trend" in whole:
        for i, point in enumerate(whole["trend"]):
            for key in ("balance", "disbursed", "collected", "npl"):
                assert sum(Decimal(p["trend"][i][key]) for p in parts) == Decimal(point[key])


def test_a_managers_structure_is_their_book(session: api.Session) -> None:
    """赵经理: L5 (C4 large corporate, industry C, mortgage, contract 800,000, three years,
    城东支行, 固定资产贷款, 600,000) and L6 (C2 individual, industry A, credit, 100,000,
    one year to the day: short, 城西支行, 个人消费贷, 100,000)."""
    s = sections(make(session, managers=(ZHAO,)))["structure"]
    rows = {dim: [(r["key"], r["balance"]) for r in table]
            for dim, table in s.items() if isinstance(table, list)}
    big, small = "600000.00", "100000.00"
    assert rows == {
        "industry": [("A", small), ("C", big)],
        "guarantee": [("credit", small), ("mortgage", big)],
        "customer_type": [("corporate", big), ("individual", small)],
        "enterprise_size": [("large", big)],  # corporate loans only
        "term": [("short", small), ("medium_long", big)],
        "amount_band": [("le_500k", small), ("le_5m", big)],
        "branch": [(EAST, big), (WEST, small)],  # a manager lending in two branches
        "account_manager": [(ZHAO, "700000.00")],
        "product": [("固定资产贷款", big), ("个人消费贷", small)],
    }


def test_a_managers_inclusive_lending_is_judged_on_the_whole_bank_on_the_day(
        session: api.Session) -> None:
    """2026: 李经理 lent L4 (C1, 500,000) on 01-10, when C1 held L1's 9,600,000 too: not
    inclusive, though 李经理's own contracts with C1 are 500,000; L3 (C3, 300,000) is."""
    s = sections(make(session, "yearly", "2026", managers=(LI,)))["inclusive"]
    assert s["disbursed"] == "300000.00"
    whole = sections(make(session, "yearly", "2026"))["inclusive"]
    assert whole["disbursed"] == "300000.00"  # L1 was lent in 2025; L6 is C2's (individual)
