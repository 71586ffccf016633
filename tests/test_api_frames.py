"""``reportgen.open_frames`` on a ledger pulled with ``pd.read_sql`` from a real SQLite
database, as docs/python-api.md shows it; figures worked out by hand below."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

import reportgen
from reportgen import api
from reportgen.api import build
from reportgen.config import Config
from reportgen.errors import LedgerError, UsageError
from reportgen.render.json import report_dict

# The ledger of the bank's database, hand-written.  Money columns are DECIMAL(18,2): SQLite
# stores them as REAL, so read_sql gives float64 columns, the case that must stay exact.
SCHEMA = """
create table customers (customer_id text, customer_name text, customer_type text,
                        enterprise_size text, industry text, credit_line decimal(18,2),
                        group_id text, id_number text);
create table loans (loan_id text, customer_id text, branch text, account_manager text,
                    product text, guarantee text, contract_amount decimal(18,2),
                    start_date date, maturity_date date, rate decimal(9,6));
create table transactions (loan_id text, date date, type text, amount decimal(18,2));
create table classifications (loan_id text, date date, grade text, overdue_since date);
insert into customers values
  ('C1', '甲制造有限公司', 'corporate', 'small', 'C', null, null, null),
  ('C2', '李四', 'individual', null, 'F', null, null, null);
insert into loans values
  ('L1', 'C1', '城东支行', '0107', '流动资金贷款', 'credit', 1000.00, '2026-01-05',
   '2027-01-05', 4.35),
  ('L2', 'C2', '城东支行', '0213', null, 'mortgage', 500, '2026-02-01', '2026-12-01', 5);
insert into transactions values
  ('L1', '2026-01-05', 'disburse', 1000.00),
  ('L2', '2026-02-01', 'disburse', 500.00),
  ('L1', '2026-03-10', 'repay', 250.50),
  ('L1', '2026-03-21', 'interest', 3.62);
insert into classifications values
  ('L1', '2026-01-05', 'normal', null),
  ('L2', '2026-02-01', 'normal', null),
  ('L2', '2026-03-20', 'substandard', '2026-03-01');
"""
TABLES = ("customers", "loans", "transactions", "classifications")
AS_OF = date(2026, 3, 31)  # the export is complete up to the month end


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "core.db"
    with sqlite3.connect(path) as db:
        db.executescript(SCHEMA)
    return path


def _read(path: Path, **options: object) -> dict[str, pd.DataFrame]:
    with sqlite3.connect(path) as db:
        return {t: pd.read_sql(f"select * from {t}", db, **options) for t in TABLES}  # type: ignore[call-overload]


def test_read_sql_to_monthly_report_by_hand(database: Path) -> None:
    frames = _read(database)
    assert frames["transactions"]["amount"].dtype == "float64"  # what read_sql gives
    session = reportgen.open_frames(**frames, as_of=AS_OF)
    report = build(session, "monthly", "2026-03", Config())
    s = report.sections
    # 31 March: L1 1000.00 − 250.50 = 749.50; L2 500.00; opening (28 Feb) 1500.00.
    assert s.summary.balance == 124950
    assert s.summary.balance_opening == 150000
    assert (s.summary.collected, s.summary.disbursed, s.summary.interest_received) == (
        25050, 0, 362)
    # L2 is substandard: npl 500.00; 500 / 1249.50 = 0.40016006…
    assert s.quality.npl == 50000
    assert s.quality.substandard == 50000
    assert s.quality.normal == 74950
    # L2 overdue since 1 March: (31 − 1) + 1 = 31 days → d31_90.
    assert s.overdue.d31_90 == 50000
    assert s.overdue.d1_30 == 0

    frames_out = report.to_frames()
    compare = frames_out["summary/compare"].set_index("key")
    assert compare.loc["balance", "current"] == Decimal("1249.50")
    assert isinstance(compare.loc["balance", "current"], Decimal)
    assert compare.loc["balance", "change_opening"] == Decimal("-250.50")
    flows = frames_out["summary/flows"].set_index("key")["value"]
    assert flows["interest_received"] == Decimal("3.62")
    grades = frames_out["quality/grades"].set_index("key")
    assert grades.loc["npl_ratio", "current"] == Decimal("0.400160")
    managers = frames_out["account_managers/managers"].set_index("account_manager")
    assert managers.loc["0107", "balance"] == Decimal("749.50")  # the 工号 keeps its zero
    # The year start (31 Dec 2025) is before the ledger's first date: unknown, None, not 0.
    assert compare.loc["balance", "year_start"] is None
    assert managers.loc["0107", "balance_year_start"] is None
    assert frames_out["structure/branch"]["change_year_start"].tolist() == [None]


@pytest.mark.parametrize("options", [
    {},  # DECIMAL as float64
    {"coerce_float": False},  # DECIMAL as Python objects
    {"parse_dates": {"date": "%Y-%m-%d"}},  # journal dates as datetime64
])
def test_read_sql_variants_give_the_same_report(database: Path, options: dict[str, object]
                                                ) -> None:
    session = reportgen.open_frames(**_read(database), as_of=AS_OF)
    base = build(session, "monthly", "2026-03", Config())
    frames = _read(database, **options)
    other = build(reportgen.open_frames(**frames, as_of=AS_OF), "monthly", "2026-03",
                  Config())
    assert other.sections == base.sections


def test_text_money_from_the_database(database: Path) -> None:
    """Amounts kept as TEXT (what many core exports load as) read exactly too."""
    with sqlite3.connect(database) as db:
        db.execute("create table tx_text as select loan_id, date, type, "
                   "printf('%.2f', amount) as amount from transactions")
        frames = _read(database)
        frames["transactions"] = pd.read_sql("select * from tx_text", db)
    assert frames["transactions"]["amount"].iloc[2] == "250.50"
    session = reportgen.open_frames(**frames, as_of=AS_OF)
    report = build(session, "monthly", "2026-03", Config())
    assert report.sections.summary.balance == 124950


def test_errors_name_the_frame_row_label_and_column(database: Path) -> None:
    frames = _read(database)
    loans = frames["loans"].set_index("loan_id", drop=False)
    loans.loc["L2", "guarantee"] = "99"
    frames["loans"] = loans
    frames["transactions"].loc[2, "amount"] = 250.505
    with pytest.raises(LedgerError) as caught:
        reportgen.open_frames(**frames, as_of=AS_OF)
    text = str(caught.value)
    assert "frame loans, row label 'L2', column guarantee: not one of" in text
    assert "frame transactions, row label 2, column amount: more than 2 decimals" in text
    assert caught.value.exit_code == 3


def test_bad_arguments_are_usage_errors(database: Path) -> None:
    from reportgen.ledger.schema import TABLES as SCHEMA_TABLES

    frames = _read(database)
    if "balances" not in {t.name for t in SCHEMA_TABLES}:  # snapshot ledgers not built yet
        with pytest.raises(UsageError, match="balances"):
            reportgen.open_frames(**frames, balances=frames["transactions"])
    with pytest.raises(UsageError, match="must be a pandas DataFrame"):
        reportgen.open_frames(**{**frames, "loans": [1, 2]})  # type: ignore[arg-type]


def test_the_python_api_doc_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/python-api.md's examples, run as written: SQLite → read_sql → report → files."""
    import re

    doc = (Path(__file__).resolve().parent.parent / "docs" / "python-api.md").read_text(
        encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL)
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "docs/python-api.md", "exec"), namespace)
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "monthly_2026-03.json", "monthly_2026-03.xlsx"]


def test_the_written_analysis_is_a_frame_when_drafted(database: Path) -> None:
    session = reportgen.open_frames(**_read(database), as_of=AS_OF)
    config = Config()
    plain = build(session, "monthly", "2026-03", config).to_frames()
    assert "analysis/paragraphs" not in plain  # not drafted: no analysis to give
    drafted = build(session, "monthly", "2026-03", config,
                    options=api.render_options(config)).to_frames()
    assert next(iter(drafted)) == "analysis/paragraphs"  # first, as in the JSON
    paragraphs = drafted["analysis/paragraphs"]
    assert list(paragraphs.columns) == ["topic", "text"]
    scale = paragraphs.set_index("topic").loc["scale", "text"]
    assert "0.12万元" in scale  # 1,249.50 yuan in 万元, the default unit


@pytest.mark.parametrize(("report", "period"), [("dekad", "2026-03-D1"), ("monthly", "2026-03")])
def test_the_drivers_named_are_a_frame(database: Path, report: str, period: str) -> None:
    """``analysis/drivers``: what the drivers paragraph names, with the change in exact
    yuan, as the JSON's ``sections.analysis.drivers`` shows it."""
    session = reportgen.open_frames(**_read(database), as_of=AS_OF)
    config = Config()
    model = build(session, report, period, config, options=api.render_options(config))
    frame = model.to_frames()["analysis/drivers"]
    assert list(frame.columns) == ["side", "dimension", "key", "name", "change"]
    shown = report_dict(model)["sections"]["analysis"]["drivers"]
    assert shown  # the March ledger moves: something is named
    assert [{**row, "change": str(row["change"])} for row in frame.to_dict("records")] == shown
