"""The sample ledger generator: deterministic, and valid against ledger-format.md.

Each rule is checked independently of the generator's own code, with plain pandas on the
CSV text it wrote, so a bug in the generator's arrays cannot hide behind the same bug in
the check.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from reportgen.errors import UsageError
from reportgen.ledger import schema
from reportgen.sample import generate_sample

START, END = date(2024, 1, 1), date(2026, 11, 28)
FILES = {t.name: t for t in schema.TABLES}
MONEY = re.compile(r"^\d+\.\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _read(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)
            for name in FILES}


def _fen(text: pd.Series) -> pd.Series:
    """'1234.50' → 123450, exactly (no float on the way)."""
    whole, cents = text.str.split(".", n=1, expand=True).T.values
    return pd.Series(whole, index=text.index).astype("int64") * 100 + pd.Series(
        cents, index=text.index).astype("int64")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sample") / "ledger"
    stats = generate_sample(out, loans=300, seed=7)
    assert stats.loans == 300
    return out


@pytest.fixture(scope="module")
def ledger(small: Path) -> dict[str, pd.DataFrame]:
    return _read(small)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh ledger made with the arguments of sample_ledgers/README.md."""
    out = tmp_path_factory.mktemp("demo") / "ledger"
    generate_sample(out, loans=2000, seed=20261128)
    return out


@pytest.fixture(scope="module")
def demo_size(demo_folder: Path) -> dict[str, pd.DataFrame]:
    return _read(demo_folder)


def test_same_arguments_give_identical_bytes(small: Path, tmp_path: Path) -> None:
    again = generate_sample(tmp_path / "again", loans=300, seed=7)
    for name in FILES:
        assert (small / f"{name}.csv").read_bytes() == (tmp_path / "again" / f"{name}.csv"
                                                         ).read_bytes(), name
    assert again.transactions == sum(1 for _ in (small / "transactions.csv").open()) - 1


def test_another_seed_gives_another_ledger(small: Path, tmp_path: Path) -> None:
    generate_sample(tmp_path / "other", loans=300, seed=8)
    assert (small / "loans.csv").read_bytes() != (tmp_path / "other" / "loans.csv").read_bytes()


def test_headers_are_exactly_the_spec_columns(small: Path) -> None:
    for name, table in FILES.items():
        header = (small / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0]
        written = header.split(",")  # the spec's columns in order; optional ones may be left out
        assert written == [c.name for c in table.columns if c.required or c.name in written]
        assert {c.name for c in table.columns if c.required} <= set(written)


def test_ids_are_unique_and_references_exist(ledger: dict[str, pd.DataFrame]) -> None:
    customers, loans = ledger["customers"], ledger["loans"]
    assert customers.customer_id.is_unique
    assert loans.loan_id.is_unique
    assert (customers.customer_id != "").all()
    assert loans.customer_id.isin(customers.customer_id).all()
    assert ledger["transactions"].loan_id.isin(loans.loan_id).all()
    assert ledger["classifications"].loan_id.isin(loans.loan_id).all()
    assert (loans.branch != "").all()
    assert (loans.account_manager != "").all()


def test_enums_hold_only_english_codes(ledger: dict[str, pd.DataFrame]) -> None:
    c = ledger["customers"]
    assert set(c.customer_type) <= set(schema.codes(schema.CUSTOMER_TYPES))
    assert set(c.industry) <= set(schema.INDUSTRY_LETTERS)
    assert set(ledger["loans"].guarantee) <= set(schema.codes(schema.GUARANTEES))
    assert set(ledger["transactions"].type) <= set(schema.codes(schema.TX_TYPES))
    assert set(ledger["classifications"].grade) <= set(schema.GRADE_CODES)
    assert set(ledger["bank_figures"].item) == set(schema.codes(schema.BANK_ITEMS))
    assert set(ledger["targets"].metric) == set(schema.codes(schema.TARGET_METRICS))


def test_enterprise_size_exactly_for_corporate(ledger: dict[str, pd.DataFrame]) -> None:
    c = ledger["customers"]
    corporate = c.customer_type == "corporate"
    assert c.enterprise_size[corporate].isin(schema.codes(schema.ENTERPRISE_SIZES)).all()
    assert (c.enterprise_size[~corporate] == "").all()


def test_money_has_two_decimals_and_is_positive(ledger: dict[str, pd.DataFrame]) -> None:
    for frame, column in (("loans", "contract_amount"), ("transactions", "amount")):
        text = ledger[frame][column]
        assert text.str.match(MONEY).all(), column
        assert (_fen(text) > 0).all(), column
    line = ledger["customers"].credit_line
    assert line[line != ""].str.match(MONEY).all()
    assert (line != "").any()
    assert (line == "").any()
    assert ledger["bank_figures"].amount.str.match(MONEY).all()


def test_rates_and_dates(ledger: dict[str, pd.DataFrame]) -> None:
    loans = ledger["loans"]
    assert loans.rate.str.match(MONEY).all()
    assert (_fen(loans.rate) < 100_00).all()
    for column in ("start_date", "maturity_date"):
        assert loans[column].str.match(DATE).all()
    assert (loans.maturity_date > loans.start_date).all()
    for frame in ("transactions", "classifications", "bank_figures"):
        day = ledger[frame].date
        assert day.str.match(DATE).all(), frame
        assert day.between(START.isoformat(), END.isoformat()).all(), frame


def test_balance_never_negative_on_any_day(ledger: dict[str, pd.DataFrame]) -> None:
    tx = ledger["transactions"]
    sign = tx.type.map({"disburse": 1, "repay": -1, "writeoff": -1}).fillna(0).astype("int64")
    daily = (_fen(tx.amount) * sign).groupby([tx.loan_id, tx.date]).sum().sort_index()
    running = daily.groupby(level="loan_id").cumsum()
    assert (running >= 0).all()
    first = tx.sort_values("date", kind="stable").groupby("loan_id").type.first()
    assert (first == "disburse").all()


def test_classifications_are_one_per_day_and_overdue_not_in_future(
        ledger: dict[str, pd.DataFrame]) -> None:
    cl = ledger["classifications"]
    assert not cl.duplicated(["loan_id", "date"]).any()
    overdue = cl[cl.overdue_since != ""]
    assert overdue.overdue_since.str.match(DATE).all()
    assert (overdue.overdue_since <= overdue.date).all()


def test_targets_periods_and_values(ledger: dict[str, pd.DataFrame]) -> None:
    t = ledger["targets"]
    assert t.period.str.match(r"^2026(-Q[1-4]|-H[12]|-(0[1-9]|1[0-2]))?$").all()
    assert {"2026", "2026-H1", "2026-H2", "2026-Q4", "2026-11"} <= set(t.period)
    counts = t.metric == "new_customers"
    assert t.target[counts].str.match(r"^\d+$").all()
    assert t.target[~counts].str.match(MONEY).all()
    assert set(t.account_manager) <= set(ledger["loans"].account_manager)


def test_demo_size_ledger_has_the_interesting_cases(
        demo_size: dict[str, pd.DataFrame]) -> None:
    loans, tx, cl = demo_size["loans"], demo_size["transactions"], demo_size["classifications"]
    assert set(tx.type) == set(schema.codes(schema.TX_TYPES))
    assert set(cl.grade) == set(schema.GRADE_CODES)
    amount = _fen(loans.contract_amount) // 100
    assert (amount <= 500_000).any()
    assert ((amount > 5_000_000) & (amount <= 10_000_000)).any()
    assert (amount > 20_000_000).any()
    without_rows = ~loans.loan_id.isin(cl.loan_id)
    assert 1 <= without_rows.sum() <= 20
    cured = cl[(cl.grade == "normal") & cl.loan_id.duplicated()]
    assert len(cured) > 0
    draws = tx[tx.type == "disburse"].groupby("loan_id").size()
    assert (draws >= 2).any()  # revolving loans and tranches
    customers = demo_size["customers"]
    assert (customers.group_id != "").sum() >= 2
    assert customers.customer_type.value_counts().index[0] != "corporate"


def test_committed_demo_is_what_the_generator_makes(demo_folder: Path) -> None:
    committed = Path(__file__).resolve().parents[1] / "sample_ledgers" / "demo"
    for name in FILES:
        assert (committed / f"{name}.csv").read_bytes() == (demo_folder / f"{name}.csv"
                                                             ).read_bytes(), (
            f"sample_ledgers/demo/{name}.csv is stale: run the command in "
            "sample_ledgers/README.md again and update the figures there")


@pytest.mark.parametrize(("loans", "start", "end"), [
    (0, START, END),
    (10, END, START),
])
def test_rejects_impossible_arguments(tmp_path: Path, loans: int, start: date,
                                      end: date) -> None:
    with pytest.raises(UsageError):
        generate_sample(tmp_path, loans=loans, start=start, end=end)


def test_tiny_and_short_ledgers_are_still_valid(tmp_path: Path) -> None:
    generate_sample(tmp_path, loans=3, seed=3, start=date(2026, 1, 1), end=date(2026, 1, 5))
    ledger = _read(tmp_path)
    assert len(ledger["loans"]) == 3
    assert ledger["transactions"].date.between("2026-01-01", "2026-01-05").all()
