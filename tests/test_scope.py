"""Scope ids, what a value matches, and ``generate --branch/--manager`` (reportgen/scope.py)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from scopeledger import EAST, LI, WANG, WEST, ZHAO, write_scope_ledger

from reportgen import api
from reportgen.cli import main
from reportgen.config import BankConfig, Config
from reportgen.errors import UsageError
from reportgen.scope import BRANCH, MANAGER, burst, scope_id, select


@pytest.fixture(scope="module")
def ledger_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_scope_ledger(tmp_path_factory.mktemp("scope") / "ledger")


@pytest.fixture(scope="module")
def session(ledger_dir: Path) -> api.Session:
    return api.open_ledger(ledger_dir)


@pytest.mark.parametrize(("kind", "key", "expected"), [
    (BRANCH, "880101", "b880101"),
    (MANAGER, "1023", "m1023"),
    (BRANCH, "east-1_A", "beast-1_A"),
    (BRANCH, "城东支行", "b" + hashlib.sha1("城东支行".encode()).hexdigest()[:8]),
    (MANAGER, "林红颖", "m" + hashlib.sha1("林红颖".encode()).hexdigest()[:8]),
    (BRANCH, "88 01", "b" + hashlib.sha1(b"88 01").hexdigest()[:8]),  # a space: not ASCII-safe
    (MANAGER, "a.b", "m" + hashlib.sha1(b"a.b").hexdigest()[:8]),
])
def test_scope_ids(kind: str, key: str, expected: str) -> None:
    assert scope_id(kind, key) == expected


def test_two_chinese_ids_never_collide() -> None:
    assert scope_id(MANAGER, "林红颖") != scope_id(MANAGER, "林红英")


def test_a_selection_holds_loans_customers_and_managers(session: api.Session) -> None:
    sel = select(session.ledger, branches=[WEST])
    assert sel.loans is not None
    assert sel.customers is not None
    ids = session.ledger.loans["loan_id"][sel.loans].tolist()
    assert ids == ["L3", "L4", "L6"]
    assert session.ledger.customers["customer_id"][sel.customers].tolist() == ["C1", "C2", "C3"]
    assert sorted(session.ledger.managers[m] for m in sel.managers) == [LI, ZHAO]
    assert sel.title == WEST
    assert sel.id == scope_id(BRANCH, WEST)


def test_values_unite_within_a_kind_and_intersect_across(session: api.Session) -> None:
    both = select(session.ledger, branches=[EAST, WEST])
    assert both.loans is not None
    assert int(both.loans.sum()) == 6
    mixed = select(session.ledger, branches=[EAST], managers=[WANG, ZHAO])
    assert mixed.loans is not None
    assert session.ledger.loans["loan_id"][mixed.loans].tolist() == ["L1", "L2", "L5"]
    assert select(session.ledger).is_all


@pytest.mark.parametrize(("branches", "managers", "flag", "known"), [
    (["城东"], [], "--branch '城东'", f"{EAST}, {WEST}"),
    ([" 城东支行"], [], "--branch ' 城东支行'", EAST),
    ([], ["王"], "--manager '王'", f"{LI}, {WANG}, {ZHAO}"),
    ([EAST], ["nobody"], "--manager 'nobody'", WANG),
])
def test_a_value_matching_no_loan_is_a_usage_error_listing_known_values(
        session: api.Session, branches: list[str], managers: list[str], flag: str,
        known: str) -> None:
    with pytest.raises(UsageError) as info:
        select(session.ledger, branches=branches, managers=managers)
    assert str(info.value).startswith(flag)
    assert known in str(info.value)
    assert info.value.exit_code == 2


def test_burst_makes_one_scope_per_branch_and_manager(session: api.Session) -> None:
    branches = burst(session.ledger, BRANCH)
    assert [s.title for s in branches] == [EAST, WEST]
    managers = burst(session.ledger, MANAGER)
    assert [s.title for s in managers] == [f"客户经理: {n}" for n in (LI, WANG, ZHAO)]
    assert sum(int(s.loans.sum()) for s in branches if s.loans is not None) == 6


def test_bank_branch_filters_the_bank_level_reports(session: api.Session) -> None:
    config = Config(bank=BankConfig(name="示例银行", branch=WEST))
    selection = api.scope_of(session, config)
    assert selection.id == "all"  # the bank-level report keeps its file names
    report = api.build(session, "monthly", "2026-06", config, selection=selection)
    assert report.sections.summary.balance == 700_000_00
    assert report.branch == WEST
    with pytest.raises(UsageError, match=r"bank\.branch = '城中支行' matches no loan"):
        api.scope_of(session, Config(bank=BankConfig(branch="城中支行")))


def test_bank_branch_naming_every_loan_is_the_whole_ledger(tmp_path: Path) -> None:
    from ledgers import write_ledger
    folder = write_ledger(tmp_path / "one", customers="C1,甲,individual,,A,,,",
                          loans="L1,C1,城东支行,王,p,credit,100.00,2026-01-01,2027-01-01,4",
                          transactions="L1,2026-01-01,disburse,100.00",
                          bank_figures="2026-01-31,provision,5.00")
    session = api.open_ledger(folder, as_of=date(2026, 6, 30))
    config = Config(bank=BankConfig(branch="城东支行"))
    assert api.scope_of(session, config).is_all
    report = api.build(session, "monthly", "2026-06", config)
    assert report.sections.provision is not None
    assert report.sections.provision.provision == 500  # the ledger is the branch's own


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_generate_branch_writes_the_scopes_file(ledger_dir: Path, tmp_path: Path) -> None:
    code, out = invoke("generate", "--ledger", str(ledger_dir), "--report", "monthly",
                       "--period", "2026-06", "--branch", WEST, "--format", "json",
                       "--out", str(tmp_path))
    assert code == 0, out
    path = tmp_path / f"monthly_2026-06_{scope_id(BRANCH, WEST)}.json"
    document = json.loads(path.read_text("utf-8"))
    assert document["branch"] == WEST
    assert document["sections"]["summary"]["balance"] == "700000.00"


def test_generate_manager_title_and_file(ledger_dir: Path, tmp_path: Path) -> None:
    code, out = invoke("generate", "--ledger", str(ledger_dir), "--report", "dekad",
                       "--period", "2026-06-D3", "--manager", LI, "--format", "json,html",
                       "--out", str(tmp_path))
    assert code == 0, out
    stem = f"dekad_2026-06-D3_{scope_id(MANAGER, LI)}"
    assert json.loads((tmp_path / f"{stem}.json").read_text("utf-8"))["branch"] == (
        f"客户经理: {LI}")
    assert f"客户经理: {LI}" in (tmp_path / f"{stem}.html").read_text("utf-8")


@pytest.mark.parametrize("args", [("--branch", "城南支行"), ("--manager", "钱经理"),
                                  ("--branch", EAST, "--branch", "nowhere")])
def test_generate_unknown_scope_exits_2_and_writes_nothing(ledger_dir: Path, tmp_path: Path,
                                                          args: tuple[str, ...]) -> None:
    code, out = invoke("generate", "--ledger", str(ledger_dir), "--report", "monthly",
                       "--period", "2026-06", "--format", "json", "--out",
                       str(tmp_path / "out"), *args)
    assert code == 2
    assert "matches no loan of the ledger; known" in out
    assert "Traceback" not in out
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_legal_entity_indicators_are_marked_in_html_and_pdf(ledger_dir: Path,
                                                           tmp_path: Path) -> None:
    import shutil
    import subprocess
    code, out = invoke("generate", "--ledger", str(ledger_dir), "--report", "monthly",
                       "--period", "2026-06", "--manager", LI, "--format", "html,pdf,xlsx",
                       "--out", str(tmp_path))
    assert code == 0, out
    stem = tmp_path / f"monthly_2026-06_{scope_id(MANAGER, LI)}"
    html = stem.with_suffix(".html").read_text("utf-8")
    assert html.count("法人层面指标") == 5  # coverage, provision, top1, top10, group
    from openpyxl import load_workbook
    sheet = load_workbook(stem.with_suffix(".xlsx"), read_only=True)["监管指标"]
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert cells.count("法人层面指标") == 5
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(stem.with_suffix(".pdf")), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "法人层面指标" in text
        assert f"客户经理: {LI}" in text


def test_ids_and_names_when_the_ledger_has_branch_id_and_manager_name(ledger_dir: Path
                                                                      ) -> None:
    """With the optional columns loans.branch_id and loans.account_manager_name (ledger
    mapping), a value may be the id or the name; ids name the files, names the titles."""
    import pyarrow as pa
    session = api.open_ledger(ledger_dir)
    loans = session.ledger.loans
    branch_id = {EAST: "880101", WEST: "880102"}
    staff = {WANG: ("1021", "王红"), LI: ("1023", "林红颖"), ZHAO: ("1025", "赵强")}
    branches = loans.text["branch"].to_pylist()
    managers = loans.text["account_manager"].to_pylist()
    loans.text["branch_id"] = pa.array([branch_id[b] for b in branches])
    loans.text["account_manager"] = pa.array([staff[m][0] for m in managers])
    loans.text["account_manager_name"] = pa.array([staff[m][1] for m in managers])
    loans.present |= {"branch_id", "account_manager_name"}
    by_id, by_name = (select(session.ledger, branches=[v]) for v in ("880102", WEST))
    assert by_id.id == by_name.id == "b880102"
    assert by_id.title == WEST
    assert by_id.branches == ("880102",)
    assert by_id.loans is not None
    assert by_name.loans is not None
    assert (by_id.loans == by_name.loans).all()
    lin = select(session.ledger, managers=["林红颖"])
    assert (lin.id, lin.title) == ("m1023", "客户经理: 林红颖 (1023)")
    assert select(session.ledger, managers=["1023"]).id == "m1023"
    with pytest.raises(UsageError, match=r"known account managers: 1021 \(王红\), 1023 "):
        select(session.ledger, managers=["1099"])
    assert [s.id for s in burst(session.ledger, BRANCH)] == ["b880101", "b880102"]
    assert [s.names for s in burst(session.ledger, MANAGER)][1] == ("1023", "林红颖")
    # bank_figures may name the branch by its id or its name
    report = api.build(session, "monthly", "2026-06", Config(),
                       selection=select(session.ledger, branches=["880101"]))
    assert report.sections.provision is not None
    assert report.sections.provision.provision == 30_000_00  # the row says 城东支行


def test_scoped_json_names_its_scope_and_the_cover_the_manager(ledger_dir: Path,
                                                               tmp_path: Path) -> None:
    from reportgen.labels import Labels
    from reportgen.render.tables import cover_items
    session = api.open_ledger(ledger_dir)
    report = api.build(session, "monthly", "2026-06", Config(),
                       selection=select(session.ledger, managers=[LI]))
    from reportgen.render.json import report_dict
    document = report_dict(report)
    assert (document["scope"], document["scope_kind"]) == (scope_id(MANAGER, LI), "manager")
    assert ("客户经理", LI) in cover_items(report, Labels("zh"), "wan")
    whole = report_dict(api.build(session, "monthly", "2026-06", Config()))
    assert "scope" not in whole


def test_a_scope_reads_its_own_notes_file(ledger_dir: Path, tmp_path: Path) -> None:
    from reportgen.config import AnalysisConfig
    notes = tmp_path / "notes"
    notes.mkdir()
    sid = scope_id(BRANCH, WEST)
    (notes / "monthly_2026-06.md").write_text("全行的说明。\n", encoding="utf-8")
    (notes / f"monthly_2026-06_{sid}.md").write_text("城西支行的说明。\n", encoding="utf-8")
    config = Config(analysis=AnalysisConfig(notes_dir=str(notes)))
    session = api.open_ledger(ledger_dir)
    west = api.build(session, "monthly", "2026-06", config,
                     selection=select(session.ledger, branches=[WEST]))
    assert west.notes == ("城西支行的说明。",)
    assert api.build(session, "monthly", "2026-06", config).notes == ("全行的说明。",)
    east = api.build(session, "monthly", "2026-06", config,
                     selection=select(session.ledger, branches=[EAST]))
    assert east.notes is None  # no file of its own: not the bank's notes
