"""The exact reduce: a ledger computed in N parts gives the JSON of the one-part run, byte
for byte, for every report type (the one-part figures are themselves checked by hand in
the metrics tests; here they are the oracle).  Ledgers: sample banks, a hand-written one
whose customers fall into different parts, one with most parts empty, and generated ones
(hypothesis) with every text form the ledger format allows."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledgers import write_ledger, write_tables
from test_properties import FAST, LAST, Drawn, ledgers

from reportgen import api
from reportgen.config import Config
from reportgen.engine import Engine
from reportgen.errors import PeriodNotCoveredError
from reportgen.parts.compute import RecordingEngine
from reportgen.parts.reduce import ReducedEngine
from reportgen.parts.split import customer_parts
from reportgen.render.json import report_json
from reportgen.sample import generate_sample

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
JOBS = [("dekad", "2026-10-D2"), ("weekly", "2026-W43"), ("monthly", "2026-10"),
        ("quarterly", "2026-Q3"), ("halfyear", "2026-H1"), ("yearly", "2025"),
        ("custom", "2026-10-05..2026-10-18")]  # one of every report type


def _json_or_refusal(session: api.Session, report: str, period: str) -> str:
    try:
        return report_json(api.build(session, report, period, Config(), now=NOW))
    except PeriodNotCoveredError as refused:  # a period the ledger does not cover
        return f"refused: {refused}"


def assert_same_json(ledger: Path, parts: int, jobs: list[tuple[str, str]] = JOBS,
                     as_of: date | None = None) -> None:
    one = api.open_ledger(ledger, as_of=as_of)
    split = api.open_partitioned(ledger, [(r, p, True) for r, p in jobs], Config(),
                                 partitions=parts, as_of=as_of)
    assert (split.data_date, split.first_day) == (one.data_date, one.first_day)
    for report, period in jobs:
        expected = _json_or_refusal(one, report, period)
        assert _json_or_refusal(split, report, period) == expected, (
            f"{report} {period} in {parts} parts")


def test_jobs_cover_every_report_type() -> None:
    from reportgen.model import REPORT_TYPES

    assert sorted(report for report, _ in JOBS) == sorted(REPORT_TYPES)


@pytest.fixture(scope="module")
def sample_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sample") / "ledger"
    generate_sample(folder, loans=300, seed=5)
    return folder


@pytest.mark.parametrize("parts", [1, 2, 3, 8])
def test_sample_bank_same_json_in_any_number_of_parts(sample_bank: Path, parts: int) -> None:
    assert_same_json(sample_bank, parts)


def two_banks_ledger(folder: Path) -> Path:
    """C1 and C2 (same group G1) and C3, chosen to land in different parts of 2; C1 is
    the largest borrower, L2 is overdue and substandard, manager targets and net capital.
    L5 (repaid in 2025) and a state row of 2026-11-30 make the ledger cover 2024-12-01 …
    2026-11-30, so every period of JOBS is covered."""
    return write_ledger(
        folder,
        customers="""
            C1,甲公司,corporate,small,C,5000000.00,G1,
            C2,乙公司,corporate,micro,F,,G1,
            C3,张三,individual,,A,,,
        """,
        loans="""
            L1,C1,城东支行,王经理,流动资金贷款,mortgage,1000000.00,2025-06-01,2027-06-01,4.35
            L2,C2,城西支行,李经理,流动资金贷款,credit,200000.00,2025-12-15,2026-09-15,5.00
            L3,C3,城东支行,李经理,个人消费贷,guarantee,300000.00,2026-10-05,2027-09-05,4.80
            L4,C1,城西支行,王经理,项目贷款,pledge,400000.00,2026-07-01,2028-07-01,4.00
            L5,C3,城东支行,李经理,个人消费贷,credit,100000.00,2024-12-01,2025-12-01,5.00
        """,
        transactions="""
            L1,2025-06-01,disburse,1000000.00
            L2,2025-12-15,disburse,200000.00
            L1,2026-09-15,repay,100000.00
            L4,2026-07-01,disburse,400000.00
            L3,2026-10-05,disburse,300000.00
            L2,2026-10-12,repay,50000.00
            L3,2026-10-25,interest,1200.00
            L4,2026-10-30,writeoff,10000.00
            L5,2024-12-01,disburse,100000.00
            L5,2025-03-01,repay,100000.00
        """,
        classifications="""
            L1,2025-06-01,normal,
            L2,2025-12-15,normal,
            L2,2026-10-05,substandard,2026-09-16
            L3,2026-10-05,normal,
            L4,2026-07-01,special_mention,
            L5,2024-12-01,normal,
            L1,2026-11-30,normal,
        """,
        bank_figures="""
            2026-09-30,net_capital,20000000.00
            2026-09-30,provision,300000.00
        """,
        targets="""
            王经理,2026,balance_increase,2000000
            李经理,2026-10,disbursed,100000
        """,
    )


def test_customers_in_different_parts_same_json(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    import pyarrow as pa

    assert len(set(customer_parts(pa.array(["C1", "C2", "C3"]), 2).tolist())) == 2
    for parts in (2, 3, 5):
        assert_same_json(ledger, parts)


def test_customer_counts_add_and_top_list_merges(tmp_path: Path) -> None:
    """By hand: on 2026-10-31 C1 owes 900,000 + 390,000, C2 150,000 and C3 300,000
    (1,740,000 in all), so the top borrower is C1 with 1,290,000, three customers borrow,
    and group G1 owes 1,440,000 (C1 and C2, whichever parts they are in)."""
    ledger = two_banks_ledger(tmp_path / "ledger")
    split = api.open_partitioned(ledger, [("monthly", "2026-10", False)], Config(),
                                 partitions=3)
    report = api.build(split, "monthly", "2026-10", Config(), now=NOW, formats=["json"])
    s = report.sections
    assert s.summary.customers == 3
    assert s.summary.balance == 174_000_000  # fen: 1,740,000 yuan
    assert s.concentration is not None
    assert s.concentration.top10[0].customer_id == "C1"
    assert s.concentration.top10[0].balance == 129_000_000
    assert s.concentration.top_group_id == "G1"
    assert s.concentration.top_group_balance == 144_000_000


def test_most_parts_empty_same_json(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    assert_same_json(ledger, 16)


@settings(FAST, max_examples=20)  # each example: 5 loads and 8 reports
@given(drawn=ledgers(), parts=st.integers(2, 4))
def test_generated_ledgers_same_json(drawn: Drawn, parts: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        ledger = write_tables(Path(folder) / "ledger", drawn.tables)
        assert_same_json(ledger, parts, [("monthly", "2026-10"), ("quarterly", "2026-Q3"),
                                          ("yearly", "2025"), ("dekad", "2026-10-D2")],
                         as_of=LAST)


def test_loan_book_is_the_same_row_for_row(sample_bank: Path) -> None:
    """The Excel 借据明细 (not in the JSON) comes from the same joined columns."""
    config = Config()
    one = api.build(api.open_ledger(sample_bank), "monthly", "2026-10", config, now=NOW)
    split = api.build(api.open_partitioned(sample_bank, [("monthly", "2026-10", True)],
                                           config, partitions=3),
                      "monthly", "2026-10", config, now=NOW)
    assert one.loans is not None
    assert split.loans is not None
    assert list(one.loans.rows()) == list(split.loans.rows())
    assert len(list(one.loans.rows())) > 100


DEMO = Path(__file__).resolve().parents[1] / "sample_ledgers" / "demo"


def test_demo_ledger_same_json() -> None:
    """The shipped demo bank (2,000 loans, deposits, targets) in 4 parts."""
    assert_same_json(DEMO, 4)


def deposits_ledger(folder: Path) -> Path:
    """``two_banks_ledger`` with deposits: accounts of borrowers C1, C2, C3 (two for C3),
    of C9 (a depositor who borrows nothing) and A5 without a customer, in three managers'
    books; balance rows from 2024-12-01 on, and 王经理's 存款净增 target for 2026."""
    two_banks_ledger(folder)
    (folder / "targets.csv").write_text(
        "account_manager,period,metric,target\n王经理,2026,balance_increase,2000000\n"
        "李经理,2026-10,disbursed,100000\n王经理,2026,deposit_balance_increase,500000\n",
        encoding="utf-8")
    (folder / "deposit_accounts.csv").write_text(
        "account_id,customer_id,branch,account_manager,kind\n"
        "A1,C1,城东支行,王经理,corporate_demand\n"
        "A2,C2,城西支行,李经理,corporate_time\n"
        "A3,C3,城东支行,李经理,individual_demand\n"
        "A4,C9,城东支行,赵经理,individual_time\n"
        "A5,,城西支行,王经理,margin\n"
        "A6,C3,城东支行,王经理,individual_time\n", encoding="utf-8")
    (folder / "deposit_balances.csv").write_text(
        "account_id,date,balance\n"
        "A1,2024-12-01,100000.00\nA1,2025-12-31,300000.00\nA1,2026-10-15,250000.00\n"
        "A2,2025-06-30,500000.00\nA3,2026-01-01,20000.00\nA3,2026-10-20,30000.00\n"
        "A4,2025-03-01,80000.00\nA5,2026-09-01,60000.00\nA6,2026-10-01,10000.00\n"
        "A6,2026-11-30,0.00\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_deposits_same_json(tmp_path: Path, parts: int) -> None:
    assert_same_json(deposits_ledger(tmp_path / "ledger"), parts)


def test_deposits_reduced_by_hand(tmp_path: Path) -> None:
    """On 2026-10-31: A1 250,000 + A2 500,000 + A3 30,000 + A4 80,000 + A5 60,000 + A6
    10,000 = 930,000 yuan; 有贷户 (C1, C2, C3 have live loans) A1, A2, A3, A6 = 790,000,
    the rest (C9 borrows nothing, A5 has no customer) 140,000; the accounts lie in
    several parts of 3."""
    import pyarrow as pa

    from reportgen.parts.split import partition_ledger

    ledger = deposits_ledger(tmp_path / "ledger")
    assert len(set(customer_parts(pa.array(["C1", "C2", "C3", "C9", "A5"]), 3).tolist())) > 1
    partition_ledger(ledger, tmp_path / "parts", 3)
    split = api.open_partitioned(tmp_path / "parts", [("monthly", "2026-10", False)],
                                 Config())
    report = api.build(split, "monthly", "2026-10", Config(), now=NOW, formats=["json"])
    deposits = report.sections.deposits
    assert deposits is not None
    assert deposits.balances[0].current == 93_000_000
    with_loans, without = deposits.borrowers
    assert (with_loans.accounts, with_loans.balance) == (4, 79_000_000)
    assert (without.accounts, without.balance) == (2, 14_000_000)


def test_snapshot_ledger_same_json(tmp_path: Path) -> None:
    """A snapshot ledger (a balances table, no journal): its month-end reports, and the
    refusals of the periods without a snapshot on their opening day and end."""
    from test_ledger_snapshots import _journal, _month_end_balances, write_snapshot_ledger

    balances = _month_end_balances(_journal(tmp_path / "journal"))
    ledger = write_snapshot_ledger(tmp_path / "ledger", balances)
    jobs = [("monthly", "2026-01"), ("monthly", "2026-02"), ("monthly", "2026-03"),
            ("quarterly", "2026-Q1"), ("dekad", "2026-03-D3"), ("weekly", "2026-W10"),
            ("halfyear", "2025-H2"), ("yearly", "2025"), ("custom", "2026-02-01..2026-03-31")]
    for parts in (2, 3):
        assert_same_json(ledger, parts, jobs)


# -- the surface: what the metrics may ask of an engine, the reduced engine answers ---------

# Public ``Engine`` members the reduced engine inherits on purpose: each is computed from
# another answer the reduce carries, or from a table every part holds whole.
INHERITED = {
    "snapshot": "one day of snapshots()",
    "live_totals": "sums live_flips()",
    "bank_figure": "reads ledger.bank_figures, copied whole into every part",
    "whole": "the engine itself",
    "selected": "None: the whole bank",
}
# Answers the reduce takes from the part's own engine, not from what the recorder noted.
FROM_THE_PART = {
    "snapshots": "the part engine's snapshot cache",
    "last_day": "PartFigures.last_day",
    "has_journal": "PartFigures.has_journal",
}
# Raw journal arrays read only to build a memo entry the reduce fills itself.
MEMO_BUILDERS = {("daily.py", "type_key"), ("daily.py", "type_cum")}


def _public(cls: type) -> set[str]:
    return {name for name, _ in inspect.getmembers(cls) if not name.startswith("_")}


def test_reduced_engine_answers_every_public_engine_method() -> None:
    """A method added to ``Engine`` fails here until the reduced engine answers it (and
    the recording engine notes it in each part), or it is listed above with why not."""
    missing = sorted(name for name in _public(Engine) - set(INHERITED)
                     if name not in vars(ReducedEngine))
    assert not missing, f"ReducedEngine lacks Engine's {missing}"
    unrecorded = sorted(name for name in _public(Engine) - set(INHERITED) - set(FROM_THE_PART)
                        if callable(getattr(Engine, name)) and name not in vars(RecordingEngine))
    assert not unrecorded, f"RecordingEngine does not note {unrecorded}"
    for name in (*INHERITED, *FROM_THE_PART):
        assert name in _public(Engine), f"{name} is no longer an Engine member: drop it"


def _engine_reads() -> set[tuple[str, str]]:
    """(file, attribute) of every ``engine.X`` / ``ctx.engine.X`` / ``whole.X`` read in
    the layers above the engine."""
    root = Path(__file__).resolve().parents[1] / "reportgen"
    files = [*(root / "metrics").glob("*.py"), *(root / "analysis").glob("*.py"),
             root / "model.py", root / "model_frames.py", root / "datadate.py",
             root / "api.py", *(root / "render").glob("*.py")]
    reads = set()
    for file in files:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Attribute):
                continue
            owner = node.value
            name = (owner.id if isinstance(owner, ast.Name)
                    else owner.attr if isinstance(owner, ast.Attribute) else None)
            settings = isinstance(owner, ast.Attribute) and "config" in ast.unparse(owner.value)
            if name in ("engine", "eng", "whole") and not settings:  # not config.engine
                reads.add((file.name, node.attr))
    return reads


def test_metrics_read_only_what_the_reduced_engine_has(tmp_path: Path) -> None:
    """Every attribute the metrics, model, analysis and renderers read off an engine
    exists on a real reduced engine (a journal array would not: the reduce has none)."""
    ledger = deposits_ledger(tmp_path / "ledger")
    engine = api.open_partitioned(ledger, [("monthly", "2026-10", True)], Config(),
                                  partitions=2).engine
    reads = _engine_reads()
    assert ("deposits.py", "day_sums") in reads  # the scan sees the metrics' reads
    lacking = sorted((f, a) for f, a in reads - MEMO_BUILDERS if not hasattr(engine, a))
    assert not lacking, f"read off an engine but not on the reduced one: {lacking}"


@pytest.mark.parametrize("kind", ["journal", "deposits", "snapshots"])
def test_reduced_ledger_has_every_field_of_the_one_part_ledger(tmp_path: Path,
                                                               kind: str) -> None:
    """Each ``Ledger`` field set in one process is set on the reduced ledger, and the code
    lists (branches, managers, their names and ids, deposit managers) are the same."""
    if kind == "snapshots":
        from test_ledger_snapshots import _journal, _month_end_balances, write_snapshot_ledger

        ledger = write_snapshot_ledger(
            tmp_path / "ledger", _month_end_balances(_journal(tmp_path / "journal")))
        job = ("monthly", "2026-03", False)
    else:
        ledger = (deposits_ledger if kind == "deposits" else two_banks_ledger)(
            tmp_path / "ledger")
        job = ("monthly", "2026-10", False)
    one = api.open_ledger(ledger).ledger
    split = api.open_partitioned(ledger, [job], Config(), partitions=3).ledger
    for f in dataclasses.fields(one):
        mine, theirs = getattr(one, f.name), getattr(split, f.name)
        assert (mine is None) == (theirs is None), f.name
        if isinstance(mine, list | frozenset | str):
            assert theirs == mine, f.name


def test_reduced_deposit_book_answers_what_the_deposit_metrics_read(tmp_path: Path) -> None:
    """The deposit side of the same check: every public ``DepositBook`` method is the
    reduced book's own (or derived, as ``known`` is from ``first_day``), and every
    ``book.X`` the deposit metrics read exists on a real reduced book."""
    from reportgen.deposit_engine import DepositBook
    from reportgen.parts.deposits import ReducedDepositBook

    derived = {"known": "first_day() compared"}
    missing = sorted(n for n in _public(DepositBook) - set(derived)
                     if callable(getattr(DepositBook, n)) and n not in vars(ReducedDepositBook))
    assert not missing, f"ReducedDepositBook lacks DepositBook's {missing}"
    root = Path(__file__).resolve().parents[1] / "reportgen"
    source = (root / "metrics" / "deposits.py").read_text(encoding="utf-8")
    reads = {node.attr for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
             and node.value.id == "book"}
    assert {"balance", "day_sum", "kind", "manager", "customer"} <= reads
    engine = api.open_partitioned(deposits_ledger(tmp_path / "ledger"),
                                  [("monthly", "2026-10", False)], Config(),
                                  partitions=2).engine
    book = engine.memo[("deposit_book",)]
    assert isinstance(book, ReducedDepositBook)
    assert not sorted(a for a in reads if not hasattr(book, a))
