"""``reportgen.open_frames`` on a ledger pulled with ``pd.read_sql`` from a real SQLite
database, as docs/python-api.md shows it; figures worked out by hand below."""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from exports import (
    BALANCE_COLUMNS,
    JOURNAL_COLUMNS,
    WRITTEN_OFF,
    codes_toml,
    columns_toml,
    with_codes,
    write_mapping,
)

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
    assert len(blocks) == 3  # the SQLite book, its report, and a mapped bank database
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


# -- frames in the bank's own headers and codes, through a mapping (mapping.md) ------------

# The same book as SCHEMA, as a core system's database holds it: Chinese column names,
# code values, codes stored as numbers (担保方式 0 for 00, 五级分类 10/30), dates as
# 20260105 integers, contract amounts in 万元, the repayment booked as 300.50 and its
# reversal (冲正) of 50.00, and an interest settlement (结息) row to ignore.
CORE_SCHEMA = """
create table kh (客户编号 text, 客户名称 text, 客户类型 text, 企业规模 text, 行业代码 text);
create table jj (借据号 text, 客户编号 text, 机构名称 text, 客户经理工号 text,
                 产品名称 text, 担保方式 integer, 合同金额 decimal(18,6), 发放日期 integer,
                 到期日期 text, "执行利率(%)" text);
create table ls (借据号 text, 交易日期 integer, 摘要 text, 发生额 decimal(18,2));
create table fl (借据号 text, 分类日期 integer, 五级分类 integer, 逾期起始日 text);
insert into kh values ('C1', '甲制造有限公司', '01', '3', 'C3311'),
                      ('C2', '李四', '04', null, 'F51');
insert into jj values
  ('L1', 'C1', '城东支行', '0107', '流动资金贷款', 0, 0.1, 20260105, '2027-01-05', '4.35%'),
  ('L2', 'C2', '城东支行', '0213', null, 30, 0.05, 20260201, '2026-12-01', '5%');
insert into ls values ('L1', 20260105, '放款', 1000.00),
                      ('L2', 20260201, '放款', 500.00),
                      ('L1', 20260310, '还本', 300.50),
                      ('L1', 20260310, '还本冲正', 50.00),
                      ('L1', 20260321, '收息', 3.62),
                      ('L1', 20260321, '结息', 3.62);
insert into fl values ('L1', 20260105, 10, null), ('L2', 20260201, 10, null),
                      ('L2', 20260320, 30, '2026-03-01');
"""
CORE_MAPPING = """
[tables.customers.columns]
customer_id = "客户编号"
customer_name = "客户名称"
customer_type = "客户类型"
enterprise_size = "企业规模"
industry = "行业代码"
[tables.loans]
money_unit = "wan"
[tables.loans.columns]
customer_id = "客户编号"
branch = "机构名称"
account_manager = "客户经理工号"
product = "产品名称"
guarantee = "担保方式"
contract_amount = "合同金额"
start_date = "发放日期"
maturity_date = "到期日期"
rate = "执行利率（%）"
""" + columns_toml("transactions", JOURNAL_COLUMNS) + """[tables.classifications.columns]
date = "分类日期"
""" + codes_toml(with_codes({"loans.guarantee": {"30": "mortgage"},
                             "transactions.type": {"收息": "interest"},
                             "classifications.grade": {"30": "substandard"}}))
CORE_TABLES = {"customers": "kh", "loans": "jj", "transactions": "ls", "classifications": "fl"}


@pytest.fixture
def core_database(tmp_path: Path) -> Path:
    path = tmp_path / "bank.db"
    with sqlite3.connect(path) as db:
        db.executescript(CORE_SCHEMA)
    return path


def _read_core(path: Path) -> dict[str, pd.DataFrame]:
    with sqlite3.connect(path) as db:
        return {name: pd.read_sql(f"select * from {table}", db)
                for name, table in CORE_TABLES.items()}


def _toml(tmp_path: Path) -> Path:
    return write_mapping(tmp_path / "core.toml", CORE_MAPPING)


@pytest.mark.parametrize("given", ["path", "text path", "dict", "loaded"])
def test_read_sql_in_the_banks_headers_and_codes_through_a_mapping(
        core_database: Path, database: Path, tmp_path: Path, given: str) -> None:
    import tomllib

    from reportgen.ledger.mapping import load_mapping

    toml = _toml(tmp_path)
    mapping: object = {"path": toml, "text path": str(toml),
                       "dict": tomllib.loads(CORE_MAPPING),
                       "loaded": load_mapping(toml)}[given]
    frames = _read_core(core_database)
    assert frames["loans"]["担保方式"].tolist() == [0, 30]  # the code lost its zero
    session = reportgen.open_frames(**frames, mapping=mapping, as_of=AS_OF)
    report = build(session, "monthly", "2026-03", Config())
    s = report.sections
    # By hand, as in the first test: the repayment 300.50 less its reversal 50.00 is
    # 250.50 collected; L1 1000.00 − 250.50 = 749.50, L2 500.00 (0.05 万元).
    assert s.summary.balance == 124950
    assert s.summary.balance_opening == 150000
    assert (s.summary.collected, s.summary.disbursed, s.summary.interest_received) == (
        25050, 0, 362)
    assert (s.quality.npl, s.quality.normal) == (50000, 74950)
    assert s.overdue.d31_90 == 50000
    # … the very report of the same book in reportgen's own names and codes.
    own = build(reportgen.open_frames(**_read(database), as_of=AS_OF), "monthly", "2026-03",
                Config())
    assert s == own.sections


def test_a_mapped_frames_error_names_the_frame_row_label_and_the_export_column(
        core_database: Path, tmp_path: Path) -> None:
    frames = _read_core(core_database)
    frames["transactions"].loc[3, "摘要"] = "还息冲正"  # in no value map
    frames["transactions"].loc[4, "摘要"] = "还息冲正"
    loans = frames["loans"].set_index("借据号", drop=False)
    loans.loc["L2", "合同金额"] = 0.0500001  # a tenth of a fen in 万元
    frames["loans"] = loans
    with pytest.raises(LedgerError) as caught:
        reportgen.open_frames(**frames, mapping=_toml(tmp_path), as_of=AS_OF)
    text = str(caught.value)
    assert ("frame transactions, column 摘要: 1 values not mapped: '还息冲正' (2 rows, "
            "first row label 3)") in text
    assert ("frame loans, row label 'L2', column contract_amount: more than 6 decimals of "
            "万元 (finer than a fen)") in text
    assert caught.value.exit_code == 3


def test_a_mapped_header_missing_from_the_frame(core_database: Path, tmp_path: Path) -> None:
    frames = _read_core(core_database)
    frames["transactions"] = frames["transactions"].rename(columns={"发生额": "金额2"})
    with pytest.raises(LedgerError, match="frame transactions, column amount: the mapping "
                                          "names column '发生额' for amount"):
        reportgen.open_frames(**frames, mapping=_toml(tmp_path), as_of=AS_OF)


def test_a_bad_mapping_argument_is_a_usage_or_config_error(core_database: Path,
                                                          tmp_path: Path) -> None:
    from reportgen.errors import ConfigError

    frames = _read_core(core_database)
    with pytest.raises(UsageError, match="mapping= must be"):
        reportgen.open_frames(**frames, mapping=42)
    with pytest.raises(ConfigError, match=r"tables\.loans\.money_unit"):
        reportgen.open_frames(**frames, mapping={"tables": {"loans": {"money_unit": "亿"}}})


def test_a_snapshot_ledger_from_the_banks_database_through_a_mapping(
        core_database: Path, tmp_path: Path) -> None:
    """借据余额 month ends instead of a journal: balances in 万元, grade codes, 核销标志 words."""
    with sqlite3.connect(core_database) as db:
        db.executescript("""
        create table ye (贷款账号 text, 数据日期 integer, "贷款余额(万元)" decimal(18,6),
                         五级分类 integer, 逾期天数 integer, 核销标志 text);
        insert into ye values ('L1', 20260131, 0.1, 10, 0, '未核销'),
                              ('L1', 20260228, 0.1, 10, 0, '未核销'),
                              ('L2', 20260228, 0.05, 10, 0, '未核销'),
                              ('L1', 20260331, 0.07495, 10, 0, '未核销'),
                              ('L2', 20260331, 0.05, 30, 31, '未核销');
        """)
        balances = pd.read_sql("select * from ye", db)
    frames = _read_core(core_database)
    del frames["transactions"], frames["classifications"]
    mapping = CORE_MAPPING + """
[tables.balances]
money_unit = "wan"
""" + columns_toml("balances", BALANCE_COLUMNS) + codes_toml(
        {"balances.grade": {"10": "normal", "30": "substandard"},
         "balances.written_off": WRITTEN_OFF})
    path = write_mapping(tmp_path / "snap.toml", mapping)
    session = reportgen.open_frames(**frames, balances=balances, mapping=path)
    s = build(session, "monthly", "2026-03", Config()).sections
    # 31 March: 749.50 + 500.00; 28 February: 1000.00 + 500.00; L1 fell by 250.50
    assert (s.summary.balance, s.summary.balance_opening) == (124950, 150000)
    assert (s.summary.collected, s.summary.disbursed) == (25050, 0)
    assert s.summary.interest_received is None  # unknown without a journal
    assert (s.quality.npl, s.overdue.d31_90) == (50000, 50000)


def test_footer_and_blank_rows_of_a_mapped_frame_are_skipped(core_database: Path,
                                                             tmp_path: Path) -> None:
    frames = _read_core(core_database)
    tx = frames["transactions"]
    frames["transactions"] = pd.concat([tx, pd.DataFrame([
        {"借据号": None, "交易日期": None, "摘要": None, "发生额": None},
        {"借据号": "合 计", "交易日期": None, "摘要": None, "发生额": 1857.74}])],
        ignore_index=True)
    mapping = CORE_MAPPING.replace("[tables.transactions.columns]",
                                   '[tables.transactions]\nskip_first_cell = ["合计"]\n'
                                   "[tables.transactions.columns]")
    path = write_mapping(tmp_path / "core.toml", mapping)
    session = reportgen.open_frames(**frames, mapping=path, as_of=AS_OF)
    assert session.ledger.skipped["transactions"] == {
        "footer rows (合计)": 1, "blank rows": 1, "摘要 = '结息' (ignore)": 1}
    assert build(session, "monthly", "2026-03", Config()).sections.summary.balance == 124950


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
