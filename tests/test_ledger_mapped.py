"""A bank's export read as it comes, through a mapping file (mapping.md): real files
(GBK CSV, xlsx with title and 合计 rows), figures worked out by hand."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from exports import (
    CORE,
    LOANS,
    MAPPING,
    OWN,
    ROOT,
    export,
    loans_workbook,
    open_export,
    write_mapping,
)

from reportgen import api
from reportgen.cli import main
from reportgen.config import Config
from reportgen.errors import LedgerError, UsageError
from reportgen.ledger.mapped import resolve_ledger
from reportgen.ledger.mapping import load_mapping
from reportgen.ledger.parse import industry_section
from reportgen.ledger.schema import REPAY


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


# -- the sample export gives the same reports as the same book in reportgen's format -------


def _json(session: api.Session, report: str, period: str, out: Path) -> dict[str, object]:
    model = api.build(session, report, period, Config(), formats=["json"])
    [path] = api.write(model, ["json"], out, api.render_options(Config()))
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("generated_at", "ledger_sha256"):
        data.pop(key)
    return data


def test_the_core_export_reports_equal_its_own_format_twin_to_the_fen(tmp_path: Path) -> None:
    core = open_export(CORE, CORE / "mapping.toml")
    own = api.open_ledger(OWN, as_of=date(2026, 10, 31))
    assert core.data_date.day == date(2026, 10, 31)  # from the file names
    for report, period in (("dekad", "2026-10-D3"), ("monthly", "2026-10"),
                           ("quarterly", "2026-Q3"), ("yearly", "2025")):
        assert (_json(core, report, period, tmp_path / "core")
                == _json(own, report, period, tmp_path / "own")), report


def test_the_core_export_validates_and_counts_what_it_skips() -> None:
    result = invoke("validate", "--ledger", str(CORE), "--mapping", str(CORE / "mapping.toml"))
    assert result.exit_code == 0, result.output
    assert "skipped: loans: 1 row(s): footer rows (合计)" in result.output
    assert "skipped: transactions: 1 row(s): 摘要 = '结息' (ignore)" in result.output


# -- reversals -----------------------------------------------------------------------------


def test_a_reversal_subtracts_from_its_flow_and_raises_the_balance(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n"
                                             "JJ1,20261005,还本,400.00\n"
                                             "JJ1,20261005,还本冲正,100.00\n"
                                             "JJ1,20261007,还本冲正,50.00\n"
                                             "JJ1,20261009,结息,3.00\n")
    engine = open_export(folder, mapping).engine
    # 1000 − 400 + 100 = 700 fen·100 on the 5th; the later reversal of 50 raises it to 750
    assert engine.balance(date(2026, 10, 5)).tolist() == [70000]
    assert engine.balance(date(2026, 10, 7)).tolist() == [75000]
    assert engine.flow(REPAY, date(2026, 10, 1), date(2026, 10, 31)).tolist() == [25000]
    assert engine.flow(REPAY, date(2026, 10, 6), date(2026, 10, 31)).tolist() == [-5000]


@pytest.mark.parametrize("journal", [
    "JJ1,20261001,放款,1000.00\nJJ1,20261005,还本冲正,1.00\n",  # nothing repaid yet
    "JJ1,20261001,放款,1000.00\nJJ1,20261005,还本,10.00\nJJ1,20261006,还本冲正,10.01\n",
    "JJ1,20261001,放款,1000.00\nJJ1,20261005,还本冲正,5.00\nJJ1,20261009,还本,5.00\n",
])
def test_a_reversal_of_more_than_was_booked_is_a_data_error(tmp_path: Path,
                                                            journal: str) -> None:
    folder, mapping = export(tmp_path / "e", journal)
    with pytest.raises(LedgerError) as caught:
        open_export(folder, mapping)
    assert "a reversal makes the loan's repay flow negative" in str(caught.value)
    assert "column amount" in str(caught.value)


def test_a_same_day_reversal_pair_is_fine(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n"
                                             "JJ1,20261005,还本冲正,5.00\n"
                                             "JJ1,20261005,还本,5.00\n")
    assert open_export(folder, mapping).engine.balance(date(2026, 10, 5)).tolist() == [100000]


# -- fail closed, ambiguity ------------------------------------------------------------------


def test_unmapped_values_are_grouped_with_counts_and_first_row(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n"
                                             "JJ1,20261002,还息冲正,1.00\n"
                                             "JJ1,20261003,利息调整,1.00\n"
                                             "JJ1,20261004,还息冲正,1.00\n")
    with pytest.raises(LedgerError) as caught:
        open_export(folder, mapping)
    text = str(caught.value)
    assert ("流水_20261031.csv, column 摘要: 2 values not mapped: '还息冲正' (2 rows, first "
            "row 3), '利息调整' (1 rows, first row 4)") in text


def test_an_unmapped_value_is_exit_3_in_the_cli(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\nJJ1,20261002,转贷,1\n")
    result = invoke("validate", "--ledger", str(folder), "--mapping", str(mapping))
    assert result.exit_code == 3
    assert "'转贷' (1 rows, first row 3)" in result.output
    assert "Traceback" not in result.output


def test_two_columns_for_one_field_are_an_error(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    path = folder / "流水_20261031.csv"
    path.write_bytes("借据号,交易日期,摘要,发生额,金额\nJJ1,20261001,放款,1000.00,1\n"
                     .encode("gbk"))
    with pytest.raises(LedgerError, match="two columns for amount"):
        open_export(folder, mapping)


def test_the_newest_dated_file_is_read_and_gives_the_data_date(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    (folder / "流水_20260930.csv").write_bytes("借据号,交易日期,摘要,发生额\n".encode("gbk"))
    (folder / "流水_20261031.csv").rename(folder / "流水_20261101.csv")
    session = open_export(folder, mapping)
    assert session.engine.balance(date(2026, 10, 31)).tolist() == [100000]
    assert session.data_date.day == date(2026, 10, 31)  # the oldest table's date


def test_two_files_with_the_same_date_are_an_error(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    (folder / "流水_20261031 (1).csv").write_bytes("借据号,交易日期,摘要,发生额\n".encode("gbk"))
    with pytest.raises(LedgerError, match="two files with the same date 2026-10-31"):
        open_export(folder, mapping)


def test_a_row_after_the_file_name_date_is_a_data_error(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n"
                                             "JJ1,20261102,还本,1.00\n")
    with pytest.raises(LedgerError, match="dated after the data date 2026-10-31"):
        open_export(folder, mapping)


def test_a_ledger_glob_takes_the_newest_dated_match(tmp_path: Path) -> None:
    for stamp in ("20260930", "20261031"):
        (tmp_path / f"信贷台账_{stamp}.xlsx").write_bytes(b"")
    assert resolve_ledger(tmp_path / "信贷台账_*.xlsx", None).name == "信贷台账_20261031.xlsx"
    (tmp_path / "信贷台账_2026-10-31.xlsx").write_bytes(b"")
    with pytest.raises(UsageError, match="same date 2026-10-31"):
        resolve_ledger(tmp_path / "信贷台账_*.xlsx", None)
    with pytest.raises(UsageError, match="no file or folder matches"):
        resolve_ledger(tmp_path / "nothing_*.xlsx", None)


# -- a workbook with title and 合计 rows; units; codes stay text ------------------------------


def test_an_xlsx_export_with_titles_and_totals_in_wan(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    loans_workbook(folder, mapping, "0.1", footer=True, extra='\nmoney_unit = "wan"')
    session = open_export(folder, mapping)
    loans = session.ledger.loans
    assert loans["contract_amount"].tolist() == [100000]  # 0.1 万元 = 1000 yuan
    assert loans.rows.tolist() == [3]
    assert session.ledger.skipped["loans"] == {"footer rows (合计)": 1}
    assert loans.text["branch_id"].to_pylist() == ["0101"]
    assert loans.text["account_manager"].to_pylist() == ["0107"]


@pytest.mark.parametrize(("amount", "fen"), [("1.234567", 1234567), ("1.23456", 1234560),
                                             ("12", 12000000), ("0.000001", 1),
                                             ("1.2345678", None)])
def test_wan_is_exact_to_the_fen(tmp_path: Path, amount: str, fen: int | None) -> None:
    from reportgen.ledger.load import load_ledger

    loans = LOANS.replace("1000.00,2026", f"{amount},2026")
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,0.01\n", loans=loans,
                             mapping=MAPPING.replace('header_row = 2',
                                                     'header_row = 2\nmoney_unit = "wan"'))
    ledger = load_ledger(folder, mapping=load_mapping(mapping))
    if fen is None:
        assert [p.message for p in ledger.problems.items] == [
            "more than 6 decimals of 万元 (finer than a fen)"]
        assert ledger.problems.items[0].row == 3
    else:
        assert ledger.problems.lines() == []
        assert ledger.loans["contract_amount"].tolist() == [fen]


@pytest.mark.parametrize(("code", "section"), [
    ("C3311", "C"), ("C33", "C"), ("C", "C"), ("3311", "C"), ("33", "C"), ("331", "C"),
    ("0111", "A"), ("05", "A"), ("06", "B"), ("12", "B"), ("13", "C"), ("43", "C"),
    ("44", "D"), ("46", "D"), ("47", "E"), ("50", "E"), ("51", "F"), ("52", "F"),
    ("53", "G"), ("60", "G"), ("61", "H"), ("62", "H"), ("63", "I"), ("65", "I"),
    ("66", "J"), ("69", "J"), ("70", "K"), ("71", "L"), ("72", "L"), ("73", "M"),
    ("75", "M"), ("76", "N"), ("79", "N"), ("80", "O"), ("82", "O"), ("83", "P"),
    ("84", "Q"), ("85", "Q"), ("86", "R"), ("90", "R"), ("91", "S"), ("96", "S"),
    ("97", "T"), ("f5123", "F"),
    ("00", None), ("98", None), ("A3311", None), ("C33111", None), ("制造", None),
])
def test_gbt_4754_codes_read_as_their_section(code: str, section: str | None) -> None:
    assert industry_section(code) == section


def test_a_bad_mapping_file_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n",
                             mapping=MAPPING.replace("amount = \"发生额\"", "amout = \"发生额\""))
    result = invoke("validate", "--ledger", str(folder), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "tables.transactions.columns.amout" in result.output


# -- branch ids and manager names -------------------------------------------------------------


def test_manager_rows_carry_the_id_and_the_name_branch_rows_the_branch_id(
        tmp_path: Path) -> None:
    data = _json(open_export(CORE, CORE / "mapping.toml"), "monthly", "2026-10", tmp_path)
    sections = data["sections"]
    assert isinstance(sections, dict)
    managers = {r["account_manager"]: r["account_manager_name"]
                for r in sections["account_managers"]["rows"]}
    assert managers == {"0107": "王五", "0108": "李四"}  # grouped by 工号, leading 0 kept
    breakdowns = sections["structure"]
    assert {(r["branch_id"], r["branch"]) for r in breakdowns["branch"]} == {
        ("0101", "城东支行"), ("0102", "城西支行")}
    assert {(r["account_manager"], r["account_manager_name"])
            for r in breakdowns["account_manager"]} == {("0107", "王五"), ("0108", "李四")}
    # JJ00002 (张三, an individual without an industry) is in 个人贷款: 100,000 − 20,000.50
    industry = {r["key"]: r["balance"] for r in breakdowns["industry"]}
    assert industry["personal"] == "79999.50"


def test_without_the_optional_columns_the_name_and_id_are_null(tmp_path: Path) -> None:
    data = _json(api.open_ledger(ROOT / "sample_ledgers" / "demo"), "monthly", "2026-10",
                 tmp_path)
    sections = data["sections"]
    assert isinstance(sections, dict)
    assert {r["account_manager_name"] for r in sections["account_managers"]["rows"]} == {None}
    breakdowns = sections["structure"]
    assert {r["branch_id"] for r in breakdowns["branch"]} == {None}


# -- money in 万元 in every table: targets (money metrics only) and bank figures -------------

TARGETS_MAPPING = MAPPING + '''
[tables.targets]
file = "考核目标_*.csv"
money_unit = "wan"
[tables.targets.columns]
account_manager = "客户经理工号"
period = "考核期间"
metric = "指标代码"
target = "目标值(万元)"
[values.targets.metric]
"01" = "balance_increase"
"02" = "disbursed"
"03" = "new_customers"
[tables.bank_figures]
file = "机构指标_*.csv"
money_unit = "wan"
[tables.bank_figures.columns]
date = "数据日期"
item = "指标"
amount = "金额(万元)"
'''


def _wan_export(tmp_path: Path, targets: str) -> Path:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n",
                             mapping=TARGETS_MAPPING)
    (folder / "考核目标_20261031.csv").write_bytes(
        ("客户经理工号,考核期间,指标代码,目标值(万元)\n" + targets).encode("gbk"))
    (folder / "机构指标_20261031.csv").write_bytes(
        "数据日期,指标,金额(万元)\n20261001,资本净额,1234.5678\n20261001,贷款损失准备,0.000001\n"
        .encode("gbk"))
    return mapping


def test_targets_and_bank_figures_in_wan(tmp_path: Path) -> None:
    from reportgen.ledger.load import load_ledger

    mapping = _wan_export(tmp_path, "0107,2026,01,0.5\n0107,2026,02,1.234567\n"
                                    "0107,2026,03,3\n0107,2026-10,01,12\n")
    ledger = load_ledger(tmp_path / "e", mapping=load_mapping(mapping))
    assert ledger.problems.lines() == []
    # targets are millionths of yuan: 0.5 万元 = 5,000 yuan; 1.234567 万元 = 12,345.67
    # yuan; a count (new_customers) is never scaled; 12 万元 = 120,000 yuan.
    assert ledger.targets["target"].tolist() == [5_000_000_000, 12_345_670_000, 3_000_000,
                                                 120_000_000_000]
    # 1234.5678 万元 = 12,345,678.00 yuan; 0.000001 万元 = 1 fen
    assert ledger.bank_figures["amount"].tolist() == [1_234_567_800, 1]


def test_a_wan_target_on_the_manager_row(tmp_path: Path) -> None:
    mapping = _wan_export(tmp_path, "0107,2026-10,02,0.2\n")
    session = open_export(tmp_path / "e", mapping, as_of=date(2026, 10, 31))
    report = api.build(session, "monthly", "2026-10", Config())
    [manager] = report.sections.account_managers.rows
    [target] = [t for t in manager.targets if t.metric == "disbursed"]
    # 0.2 万元 = 2,000.00 yuan in fen; the actual is unknown (the ledger starts on the 1st)
    assert (target.target, target.actual) == (200000, None)


@pytest.mark.parametrize(("row", "message"), [
    ("0107,2026,01,0.1234567", "more than 6 decimals of 万元 (finer than a fen)"),
    ("0107,2026,03,2.5", "new_customers needs a whole number"),
    ("0107,2026,02,-1", "must not be negative"),
])
def test_a_wan_target_finer_than_a_fen_names_the_cell(tmp_path: Path, row: str,
                                                      message: str) -> None:
    mapping = _wan_export(tmp_path, "0107,2026,01,1\n" + row + "\n")
    with pytest.raises(LedgerError) as caught:
        open_export(tmp_path / "e", mapping)
    assert f"考核目标_20261031.csv, row 3, column target: {message}" in str(caught.value)


# -- reversals of every type -------------------------------------------------------------------


@pytest.mark.parametrize(("journal", "kind", "flow", "balance"), [
    # 1000 lent, 200 of it reversed: 800 lent, 800 owed
    ("JJ1,20261001,放款,1000.00\nJJ1,20261003,放款冲正,200.00\n", "disburse", 80000, 80000),
    # 10 interest received, 4 reversed: 6; the balance is untouched
    ("JJ1,20261001,放款,1000.00\nJJ1,20261003,收息,10.00\nJJ1,20261004,收息冲正,4.00\n",
     "interest", 600, 100000),
    # 1000 written off, 300 of it reversed: 700 written off, 300 owed again
    ("JJ1,20261001,放款,1000.00\nJJ1,20261003,核销,1000.00\nJJ1,20261004,核销冲正,300.00\n",
     "writeoff", 70000, 30000),
])
def test_a_reversal_of_each_type(tmp_path: Path, journal: str, kind: str, flow: int,
                                 balance: int) -> None:
    from reportgen.ledger.schema import TX_TYPES, codes

    text = MAPPING.replace('"还本冲正" = "reverse:repay"',
                           '"还本冲正" = "reverse:repay"\n"放款冲正" = "reverse:disburse"\n'
                           '"收息" = "interest"\n"收息冲正" = "reverse:interest"\n'
                           '"核销" = "writeoff"\n"核销冲正" = "reverse:writeoff"')
    folder, mapping = export(tmp_path / "e", journal, mapping=text)
    engine = open_export(folder, mapping).engine
    code = codes(TX_TYPES).index(kind)
    assert engine.flow(code, date(2026, 10, 1), date(2026, 10, 31)).tolist() == [flow]
    assert engine.balance(date(2026, 10, 31)).tolist() == [balance]


# -- the ledger itself a workbook; a Parquet table; the deposit tables -----------------------


def test_a_whole_workbook_export_with_named_sheets(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheets = {
        "客户": [["客户信息"], ["客户编号", "客户名称", "客户类型", "企业规模", "行业代码"],
                 ["KH01", "甲公司", "01", "3", "C3311"]],
        "借据": [["借据明细表"], LOANS.splitlines()[1].split(","),
                 ["JJ1", "KH01", "0101", "城东支行", "0107", 0, 0.1, 20261001, 20271001,
                  "4.35%"], ["合计", None, None, None, None, None, 0.1]],
        "流水": [["借据号", "交易日期", "摘要", "发生额"], ["JJ1", 46296, "放款", 1000],
                 ["JJ1", 46300, "还本冲正", 0], ["JJ1", 46300, "还本", 400]],
        "分类": [["借据号", "日期", "五级分类", "逾期起始日"], ["JJ1", 20261001, 10, None]],
    }
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    path = tmp_path / "信贷台账_20261031.xlsx"
    book.save(path)
    text = (MAPPING.replace('file = "客户_*.csv"', 'sheet = "客户"\nheader_row = 2')
            .replace('file = "借据_*.csv"', 'sheet = "借据"\nmoney_unit = "wan"')
            .replace('file = "流水_*.csv"', 'sheet = "流水"')
            .replace('file = "分类_*.csv"', 'sheet = "分类"'))
    mapping = write_mapping(tmp_path / "core.toml", text)
    with pytest.raises(LedgerError, match="流水, row 3, column amount: must be greater"):
        api.open_ledger(path, mapping=load_mapping(mapping))  # a reversal of 0
    sheet = book["流水"]
    sheet.delete_rows(3)
    book.save(path)
    session = api.open_ledger(path, mapping=load_mapping(mapping))
    assert session.data_date.day == date(2026, 10, 31)  # the workbook's name
    assert session.ledger.loans["contract_amount"].tolist() == [100000]
    assert session.engine.balance(date(2026, 10, 5)).tolist() == [60000]  # serial 46300


def test_a_parquet_table_through_a_mapping(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    (folder / "流水_20261031.csv").unlink()
    pq.write_table(pa.table({"借据号": ["JJ1", "JJ1", "JJ1"],
                             "交易日期": pa.array([date(2026, 10, 1), date(2026, 10, 5),
                                               date(2026, 10, 5)]),
                             "摘要": ["放款", "还本", "还本冲正"],
                             "发生额": pa.array([1000, 400, 100], pa.int64())}),
                   folder / "流水_20261031.parquet")
    mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        'file = "流水_*.csv"', 'file = "流水_*.parquet"'), encoding="utf-8")
    engine = open_export(folder, mapping).engine
    assert engine.balance(date(2026, 10, 5)).tolist() == [70000]  # 1000 − 400 + 100


def test_the_deposit_tables_map_like_the_others(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    (folder / "存款账户_20261031.csv").write_bytes(
        "存款账户信息\n账号,客户编号,机构名称,客户经理工号,储种\n6001,KH01,城东支行,0107,01\n"
        "6002,,城东支行,0107,21\n合计,,,,\n".encode("gbk"))
    (folder / "存款余额_20261031.csv").write_bytes(
        "账号,数据日期,余额(万元)\n6001,20261001,1.5\n6002,20261001,0.000001\n".encode("gbk"))
    mapping.write_text(mapping.read_text(encoding="utf-8") + '''
[tables.deposit_accounts]
file = "存款账户_*.csv"
header_row = 2
skip_first_cell = ["合计"]
[tables.deposit_accounts.columns]
account_id = "账号"
customer_id = "客户编号"
branch = "机构名称"
account_manager = "客户经理工号"
kind = "储种"
[tables.deposit_balances]
file = "存款余额_*.csv"
money_unit = "wan"
[tables.deposit_balances.columns]
account_id = "账号"
date = "数据日期"
balance = "余额(万元)"
[values.deposit_accounts.kind]
"01" = "individual_demand"
"21" = "corporate_time"
''', encoding="utf-8")
    ledger = open_export(folder, mapping).ledger
    assert ledger.deposit_accounts is not None
    assert ledger.deposit_balances is not None
    assert ledger.deposit_accounts["kind"].tolist() == [0, 3]
    assert ledger.deposit_balances["balance"].tolist() == [1_500_000, 1]  # 15,000 yuan; 1 fen


@pytest.mark.parametrize(("data", "message"), [
    (("借据号\t交易日期\t摘要\t发生额\nJJ1\t20261001\t放款\t1000.00\n").encode("utf-16"),
     'UTF-16 text (Excel\'s "Unicode Text")'),
    ("借据号\t交易日期\t摘要\t发生额\nJJ1\t20261001\t放款\t1000.00\n".encode("gbk"),
     "the header is one value with tabs in it"),
], ids=["utf16", "tabs"])
def test_an_export_in_the_wrong_kind_of_text_is_said_so(tmp_path: Path, data: bytes,
                                                        message: str) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    (folder / "流水_20261031.csv").write_bytes(data)
    with pytest.raises(LedgerError) as caught:
        open_export(folder, mapping)
    found = [p for p in caught.value.problems if message in p.message]
    assert [p.file for p in found] == ["流水_20261031.csv"], caught.value.problems
    assert not any("missing column" in p.message or "no such header" in p.message
                   for p in caught.value.problems if p.file == "流水_20261031.csv")
