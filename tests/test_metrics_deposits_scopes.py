"""reportgen/metrics/deposits.py in a scope (scopes.md: "and their deposits"), with
reportgen/scope.py's ``deposit_mask``: a branch's or a manager's report shows the deposit
accounts whose OWN branch or manager is the scope's, worked by hand for June 2026 (30
days) on tests/scopeledger.py's loans plus these accounts (yuan):

  account cust branch   manager kind               balances
  D1      C1   城东支行 王经理  corporate_demand   10,000 from 05-01; 16,000 from 06-11
  D2      C3   城西支行 李经理  individual_time    3,000 from 06-16 (opened mid-month)
  D3      S9   城西支行 赵经理  individual_demand  6,000 from 05-01; 0 from 06-21 (closed)
  D4      C4   城西支行 赵经理  margin             900 from 05-01
  D5      C2   城西支行 王经理  individual_demand  1,200 from 06-01

June day sums (积数): D1 10 × 10,000 + 20 × 16,000 = 420,000; D2 15 × 3,000 = 45,000;
D3 20 × 6,000 = 120,000; D4 27,000; D5 36,000.  Balances on D (06-30): 16,000, 3,000, 0,
900, 1,200; on O (05-31): 10,000, 0, 6,000, 900, 0.  The table starts on 05-01, so the
year start (2025-12-31) is unknown (null).

* Bank: D 21,100; O 16,900; June average 648,000 / 30 = 21,600.
* 城东支行 (D1): D 16,000; O 10,000; average 14,000.
* 城西支行 (D2–D5): D 5,100; O 6,900; average 228,000 / 30 = 7,600.  16,000 + 5,100 =
  21,100 and 14,000 + 7,600 = 21,600: the branches add up to the bank.
* 王经理's deposits are D1 (城东) and D5 (城西), although all his loans are 城东支行's: the
  account's own manager decides.  D 17,200; average (420,000 + 36,000) / 30 = 15,200.
  赵经理: D3 + D4, D 900, average 147,000 / 30 = 4,900; 李经理: D2, D 3,000, average 1,500.
* 有贷户 is judged on the whole bank's live loans on D (C1, C2, C3, C4 all borrow): D4's
  customer C4 borrows only at 城东支行 (L5), yet D4 is 有贷户 in 城西支行's report.
  城西支行: with loans D2 D4 D5, 3 accounts with a balance, 5,100, average 108,000 / 30 =
  3,600; without loans D3, 0 accounts with a balance, 0.00, average 4,000.
* 存贷比 of a scope = its loans ÷ its deposits.  Loans on D (scopeledger): 城东支行
  1,650,000, 城西支行 700,000; June loan day sums: 城东支行 L1 14 × 1,000,000 + 16 × 900,000
  + L2 11 × 200,000 + 19 × 150,000 + L5 9 × 700,000 + 21 × 600,000 = 52,350,000 (average
  1,745,000); 城西支行 L3 26 × 300,000 + L4 19 × 500,000 + 11 × 300,000 + L6 13 × 100,000
  = 21,900,000 (average 730,000).  城东支行: 1,650,000 / 16,000 = 103.125 and 1,745,000 /
  14,000 = 124.642857…; 城西支行: 700,000 / 5,100 = 137.254901… and 730,000 / 7,600 =
  96.052631….
"""

from __future__ import annotations

import json
import textwrap
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scopeledger import EAST, LI, WANG, WEST, ZHAO, write_scope_ledger

from reportgen import api
from reportgen.cli import main
from reportgen.config import Config
from reportgen.errors import UsageError
from reportgen.render.json import report_dict
from reportgen.scope import BRANCH, burst, select

ACCOUNTS = f"""\
account_id,customer_id,branch,account_manager,kind
D1,C1,{EAST},{WANG},corporate_demand
D2,C3,{WEST},{LI},individual_time
D3,S9,{WEST},{ZHAO},individual_demand
D4,C4,{WEST},{ZHAO},margin
D5,C2,{WEST},{WANG},individual_demand
"""
BALANCES = """\
account_id,date,balance
D1,2026-05-01,10000.00
D1,2026-06-11,16000.00
D2,2026-06-16,3000.00
D3,2026-05-01,6000.00
D3,2026-06-21,0.00
D4,2026-05-01,900.00
D5,2026-06-01,1200.00
"""


def write_bank(folder: Path, accounts: str = ACCOUNTS) -> Path:
    write_scope_ledger(folder)
    (folder / "deposit_accounts.csv").write_text(accounts, encoding="utf-8")
    (folder / "deposit_balances.csv").write_text(BALANCES, encoding="utf-8")
    return folder


def with_branch_ids(folder: Path, ids: dict[str, str]) -> None:
    """Give loans.csv a branch_id column (机构号) beside each loan's branch name."""
    path = folder / "loans.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    at = header.index("branch")
    out = [lines[0] + ",branch_id"]
    out += [line + "," + ids[line.split(",")[at]] for line in lines[1:] if line]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> api.Session:
    return api.open_ledger(write_bank(tmp_path_factory.mktemp("deposit-scopes") / "ledger"),
                           as_of=date(2026, 12, 31))


def deposits_of(session: api.Session, *, branches: tuple[str, ...] = (),
                managers: tuple[str, ...] = (), report: str = "monthly") -> dict[str, Any]:
    selection = select(session.ledger, branches=branches, managers=managers)
    built = api.build(session, report, "2026-06", Config(), selection=selection)
    section: dict[str, Any] = report_dict(built)["sections"]["deposits"]
    return section


def total(section: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    balance = section["balances"][0]
    average = section["averages"][0]
    assert balance["key"] == average["key"] == "total"
    return balance["current"], balance["opening"], average["period"]


def rows(table: dict[str, Any] | list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A table as a list of row dicts, whether written row by row or column by column."""
    if isinstance(table, list):
        return table
    columns = list(table)
    return [dict(zip(columns, values, strict=True))
            for values in zip(*(table[c] for c in columns), strict=True)]


@pytest.mark.parametrize(("branch", "expected"), [
    (None, ("21100.00", "16900.00", "21600.00")),
    (EAST, ("16000.00", "10000.00", "14000.00")),
    (WEST, ("5100.00", "6900.00", "7600.00")),
])
def test_branch_deposits_by_hand(session: api.Session, branch: str | None,
                                 expected: tuple[str, str, str]) -> None:
    section = deposits_of(session, branches=(branch,) if branch else ())
    assert total(section) == expected


def test_the_branches_add_up_to_the_bank_by_kind_on_every_day(session: api.Session) -> None:
    whole = deposits_of(session)
    parts = [deposits_of(session, branches=(b,)) for b in (EAST, WEST)]
    for table, fields in (("balances", ("current", "opening")), ("averages", ("period",
                                                                             "previous"))):
        for i, row in enumerate(whole[table]):
            for name in fields:
                summed = sum(float(p[table][i][name]) for p in parts)
                assert summed == pytest.approx(float(row[name])), (table, row["key"], name)
    by_kind = {r["key"]: r["current"] for r in parts[1]["balances"]}
    assert (by_kind["individual_time"], by_kind["individual_demand"], by_kind["margin"],
            by_kind["corporate_demand"]) == ("3000.00", "1200.00", "900.00", "0.00")


def test_borrowers_are_judged_on_the_whole_bank(session: api.Session) -> None:
    west = {r["key"]: r for r in deposits_of(session, branches=(WEST,))["borrowers"]}
    # D4's customer C4 borrows only at 城东支行: still 有贷户 in 城西支行's report
    assert (west["with_loans"]["accounts"], west["with_loans"]["balance"],
            west["with_loans"]["average"]) == (3, "5100.00", "3600.00")
    assert (west["without_loans"]["accounts"], west["without_loans"]["balance"],
            west["without_loans"]["average"]) == (0, "0.00", "4000.00")
    east = {r["key"]: r for r in deposits_of(session, branches=(EAST,))["borrowers"]}
    assert (east["with_loans"]["balance"], east["without_loans"]["balance"]) == (
        "16000.00", "0.00")


@pytest.mark.parametrize(("branch", "loans", "loan_average", "ratio", "ratio_average"), [
    (EAST, "1650000.00", "1745000.00", "103.125000", "124.642857"),
    (WEST, "700000.00", "730000.00", "137.254902", "96.052632"),
])
def test_loan_to_deposit_of_a_scope_is_its_loans_over_its_deposits(
        session: api.Session, branch: str, loans: str, loan_average: str, ratio: str,
        ratio_average: str) -> None:
    section = deposits_of(session, branches=(branch,))
    assert (section["loan_balance"], section["loan_average"]) == (loans, loan_average)
    assert (section["loan_to_deposit"], section["loan_to_deposit_average"]) == (
        ratio, ratio_average)
    selection = select(session.ledger, branches=(branch,))
    summary = report_dict(api.build(session, "monthly", "2026-06", Config(),
                                    selection=selection))["sections"]["summary"]
    assert summary["avg_balance"] == loan_average  # 贷款日均余额: the scope's loans only


@pytest.mark.parametrize(("manager", "expected", "row"), [
    (WANG, ("17200.00", "10000.00", "15200.00"), (2, "17200.00", "15200.00")),
    (ZHAO, ("900.00", "6900.00", "4900.00"), (1, "900.00", "4900.00")),
    (LI, ("3000.00", "0.00", "1500.00"), (1, "3000.00", "1500.00")),
])
def test_a_manager_scope_has_the_accounts_the_manager_holds(
        session: api.Session, manager: str, expected: tuple[str, str, str],
        row: tuple[int, str, str]) -> None:
    """王经理 lends only at 城东支行 but holds D5 of 城西支行: his report has both."""
    section = deposits_of(session, managers=(manager,))
    assert total(section) == expected
    managers = rows(section["managers"])
    assert [m["account_manager"] for m in managers] == [manager]  # the scope's own row only
    assert (managers[0]["accounts"], managers[0]["balance"], managers[0]["average"]) == row


def test_branch_and_manager_together_intersect(session: api.Session) -> None:
    section = deposits_of(session, branches=(WEST,), managers=(WANG,))
    assert total(section) == ("1200.00", "0.00", "1200.00")  # D5 only


def test_bursting_by_branch_gives_each_branch_its_deposits(session: api.Session) -> None:
    made = {}
    for selection in burst(session.ledger, BRANCH):
        built = api.build(session, "monthly", "2026-06", Config(), selection=selection)
        made[selection.title] = total(report_dict(built)["sections"]["deposits"])
    assert made == {EAST: ("16000.00", "10000.00", "14000.00"),
                    WEST: ("5100.00", "6900.00", "7600.00")}


@pytest.mark.parametrize("accounts_have_ids", [True, False])
def test_a_branch_named_by_its_id_finds_its_accounts(tmp_path: Path, accounts_have_ids: bool
                                                     ) -> None:
    """``--branch 880101`` means 城东支行 when the loans say so: the accounts match by their
    own branch_id when deposit_accounts has one, else by the branch name the id stands for
    (and a blank branch_id falls back to the name)."""
    folder = write_bank(tmp_path / "ledger")
    with_branch_ids(folder, {EAST: "880101", WEST: "880102"})
    if accounts_have_ids:
        # the deposit system's own names differ; the ids agree (D2's id is blank)
        accounts = (ACCOUNTS.replace(f",{EAST},", ",城东,").replace(f",{WEST},", ",城西,")
                    .splitlines())
        ids = ["branch_id", "880101", "", "880102", "880102", "880102"]
        accounts = [f"{line},{i}" for line, i in zip(accounts, ids, strict=True)]
        accounts[2] = accounts[2].replace(",城西,", f",{WEST},")
        (folder / "deposit_accounts.csv").write_text("\n".join(accounts) + "\n",
                                                     encoding="utf-8")
    session = api.open_ledger(folder, as_of=date(2026, 12, 31))
    assert total(deposits_of(session, branches=("880101",))) == (
        "16000.00", "10000.00", "14000.00")
    assert total(deposits_of(session, branches=("880102",))) == (
        "5100.00", "6900.00", "7600.00")
    assert total(deposits_of(session, branches=(WEST,))) == ("5100.00", "6900.00", "7600.00")


def test_a_branch_with_deposits_but_no_loans_is_a_usage_error(tmp_path: Path) -> None:
    """The rule of scopes.md holds: a value must match a loan (exit 2, known values)."""
    south = ACCOUNTS + f"D6,,城南支行,{LI},individual_demand\n"
    session = api.open_ledger(write_bank(tmp_path / "ledger", south), as_of=date(2026, 12, 31))
    with pytest.raises(UsageError, match=r"城南支行.*matches no loan"):
        select(session.ledger, branches=("城南支行",))
    # its account is the bank's, in the whole-bank report only
    assert total(deposits_of(session))[0] == "21100.00"
    assert [s.title for s in burst(session.ledger, BRANCH)] == [EAST, WEST]


def test_generate_and_run_write_each_scope_its_deposits(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The real CLI: ``generate --branch`` and a month-end ``run`` bursting by branch and
    by manager; every JSON file holds its own scope's deposits."""
    write_bank(tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reportgen.toml").write_text(textwrap.dedent("""\
        [bank]
        name = "示例银行"

        [ledger]
        path = "ledger"

        [output]
        dir = "reports"
        formats = ["json"]

        [schedule]
        reports = ["monthly"]
        lock_wait = 1

        [email]                 # nobody to mail: every report is archived only
        host = "127.0.0.1"
        sender = "reports@bank.example"
        attach = ["json"]

        [burst]
        by = ["branch", "manager"]
        """), encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "--ledger", "ledger", "--report", "monthly",
                                  "--period", "2026-06",
                                  "--branch", WEST, "--format", "json", "--out", "one"],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (made,) = (tmp_path / "one").glob("*.json")
    document = json.loads(made.read_text(encoding="utf-8"))
    assert total(document["sections"]["deposits"]) == ("5100.00", "6900.00", "7600.00")
    result = runner.invoke(main, ["run", "--date", "2026-07-01"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    totals = {}
    for path in (tmp_path / "reports").glob("monthly_2026-06*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        totals[document.get("scope", "all")] = total(document["sections"]["deposits"])[0]
    assert len(totals) == 6  # the bank, two branches, three managers
    assert totals["all"] == "21100.00"
    assert sorted(totals.values()) == sorted(["21100.00", "16000.00", "5100.00", "17200.00",
                                              "900.00", "3000.00"])


@pytest.mark.parametrize(("branches", "managers", "increase", "avg_increase"), [
    ((), (), 720000, 520000),  # D1 + D5: 17,200 − 10,000; 15,200 − 10,000
    ((EAST,), (), 600000, 400000),  # D1 only: 16,000 − 10,000; 14,000 − 10,000
    ((), (WANG,), 720000, 520000),  # his own scope: both his accounts
])
def test_deposit_targets_count_the_managers_accounts_in_the_scope(
        tmp_path: Path, branches: tuple[str, ...], managers: tuple[str, ...], increase: int,
        avg_increase: int) -> None:
    folder = write_bank(tmp_path / "ledger")
    with (folder / "targets.csv").open("a", encoding="utf-8") as f:
        f.write(f"{WANG},2026-06,deposit_balance_increase,10000\n"
                f"{WANG},2026-06,deposit_avg_increase,10000\n")
    session = api.open_ledger(folder, as_of=date(2026, 12, 31))
    selection = select(session.ledger, branches=branches, managers=managers)
    built = api.build(session, "monthly", "2026-06", Config(), selection=selection)
    book = built.sections.account_managers
    assert book is not None
    results = {t.metric: t.actual for r in book.rows if r.account_manager == WANG
               for t in r.targets if t.metric.startswith("deposit")}
    assert results == {"deposit_balance_increase": increase,
                       "deposit_avg_increase": avg_increase}  # fen
