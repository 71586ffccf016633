"""reportgen/ledger/read.py + load.py: one ledger, every shape it may arrive in, one answer.

The same small ledger is written as CSV (UTF-8, UTF-8 with BOM, GB18030, GBK), with English
or Chinese headers and enum labels, as Parquet files and as one .xlsx workbook (English or
Chinese sheet names, real date cells and numeric money cells).  Every shape must give the
very same monthly report figures.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ledgers import (
    Tables,
    read_tables,
    to_chinese,
    write_ledger,
    write_tables,
    write_workbook,
)

from reportgen import api
from reportgen.config import Config
from reportgen.errors import LedgerError
from reportgen.ledger.load import load_ledger
from reportgen.ledger.schema import TABLES
from reportgen.render.json import report_dict

NOW = datetime(2026, 11, 1, 8, 0, 0)

CUSTOMERS = """
C001,甲制造有限公司,corporate,medium,C,"5,000,000.00",G1,
C002,乙商贸有限公司,corporate,small,F,2000000,G1,
C003,张三,individual_business,,F,,,110101199001011234
C004,李四,micro_owner,,A,300000,,
C005,王五,individual,,O,,,
C006,丙建筑有限公司,corporate,micro,E,,G2,
"""
LOANS = """
L01,C001,城东支行,王经理,流动资金贷款,mortgage,"3,000,000.00",2025-03-10,2027-03-10,4.35
L02,C001,城东支行,王经理,流动资金贷款,guarantee,1000000,2026-10-12,2027-10-12,3.95
L03,C002,城西支行,赵经理,,credit,800000.00,2024-06-01,2026-06-01,5.2
L04,C003,城西支行,赵经理,个体经营贷,pledge,200000,2025-01-01,2026-12-31,6
L05,C004,城东支行,王经理,个体经营贷,credit,50000,2024-01-15,2025-01-15,7.2
L06,C005,城南支行,钱经理,消费贷,credit,30000.50,2026-02-01,2027-02-01,8.8
L07,C006,城南支行,钱经理,,mortgage,1500000,2023-05-20,2026-11-20,4.75
"""
TRANSACTIONS = """
L01,2025-03-10,disburse,"3,000,000.00"
L01,2025-12-20,repay,500000
L01,2026-10-20,repay,250000.25
L01,2026-10-21,interest,"¥9,876.54"
L02,2026-10-12,disburse,1000000
L03,2024-06-01,disburse,800000
L03,2025-06-01,repay,100000
L03,2026-10-25,repay,50000.01
L04,2025-01-01,disburse,200000
L04,2025-10-31,repay,20000
L04,2026-10-31,repay,20000
L05,2024-01-15,disburse,50000
L05,2024-11-30,repay,10000
L05,2026-10-15,writeoff,40000
L05,2026-10-28,recovery,1234.56
L06,2026-02-01,disburse,30000.50
L06,2026-09-30,repay,0.50
L07,2023-05-20,disburse,1500000
L07,2025-10-31,repay,300000
"""
CLASSIFICATIONS = """
L01,2025-03-10,normal,
L02,2026-10-12,normal,
L03,2024-06-01,normal,
L03,2026-07-01,special_mention,2026-06-02
L03,2026-10-01,substandard,2026-06-02
L04,2025-01-01,normal,
L05,2024-01-15,normal,
L05,2025-06-30,doubtful,2025-01-16
L05,2026-09-30,loss,2025-01-16
L06,2026-02-01,normal,
L07,2023-05-20,normal,
L07,2026-04-01,special_mention,2026-03-01
L07,2026-09-01,doubtful,2026-03-01
"""
BANK_FIGURES = """
2025-10-31,provision,150000
2025-12-31,provision,160000.00
2026-09-30,provision,"180,000.00"
2026-10-31,provision,190000
2025-12-31,net_capital,50000000
2026-09-30,net_capital,"52,000,000.00"
"""
TARGETS = """
王经理,2026-10,disbursed,1000000
赵经理,2026,balance_increase,500000.50
王经理,2026-Q4,new_customers,2
钱经理,2026-10,balance_increase,10000
"""


def figures(path: Path, report: str = "monthly", period: str = "2026-10") -> dict[str, Any]:
    """The report's JSON figures, minus what differs between runs and files."""
    session = api.open_ledger(path)
    document = report_dict(api.build(session, report, period, Config(), now=NOW))
    del document["generated_at"], document["ledger_sha256"]
    return document


@pytest.fixture(scope="module")
def base_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_ledger(tmp_path_factory.mktemp("base") / "ledger", customers=CUSTOMERS,
                        loans=LOANS, transactions=TRANSACTIONS,
                        classifications=CLASSIFICATIONS, bank_figures=BANK_FIGURES,
                        targets=TARGETS)


@pytest.fixture(scope="module")
def tables(base_folder: Path) -> Tables:
    return read_tables(base_folder)


@pytest.fixture(scope="module")
def expected(base_folder: Path) -> dict[str, Any]:
    return figures(base_folder)


def test_the_base_ledger_has_the_figures_worked_out_by_hand(expected: dict[str, Any]) -> None:
    """A few figures checked by hand, so that "all shapes agree" cannot mean "all empty"."""
    summary = expected["sections"]["summary"]
    # L01 2,249,999.75 + L02 1,000,000 + L03 649,999.99 + L04 160,000 + L06 30,000
    # + L07 1,200,000; L05 written off
    assert summary["balance"] == "5289999.74"
    assert summary["accounts"] == 6
    assert summary["disbursed"] == "1000000.00"
    assert summary["collected"] == "320000.26"
    assert summary["written_off"] == "40000.00"
    assert summary["interest_received"] == "9876.54"
    assert summary["recovered"] == "1234.56"
    quality = expected["sections"]["quality"]
    assert quality["substandard"] == "649999.99"
    assert quality["doubtful"] == "1200000.00"
    assert expected["warning_count"] == 0
    assert "structure" in expected["sections"]


def test_utf8_with_bom(tmp_path: Path, tables: Tables, expected: dict[str, Any]) -> None:
    folder = write_tables(tmp_path / "bom", tables, encoding="utf-8-sig")
    assert (folder / "loans.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert figures(folder) == expected


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_gb18030_and_gbk_are_detected_without_help(tmp_path: Path, tables: Tables,
                                                    expected: dict[str, Any],
                                                    encoding: str) -> None:
    if encoding == "gbk":  # GBK has only the full-width yuan sign
        tables = {k: (h, [[c.replace("¥", "￥") for c in r] for r in rows])
                  for k, (h, rows) in tables.items()}
    folder = write_tables(tmp_path / encoding, tables, encoding=encoding)
    data = (folder / "customers.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the test means something only if the bytes are not UTF-8
    assert figures(folder) == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_headers_and_chinese_enum_labels(tmp_path: Path, tables: Tables,
                                                  expected: dict[str, Any],
                                                  encoding: str) -> None:
    chinese = to_chinese(tables)
    assert chinese["loans"][0][0] == "借据号"
    assert "对公" in chinese["customers"][1][0]
    folder = write_tables(tmp_path / "zh", chinese, encoding=encoding)
    assert figures(folder) == expected


def test_headers_mixed_column_order_shuffled_and_extra_columns_ignored(
        tmp_path: Path, tables: Tables, expected: dict[str, Any]) -> None:
    chinese = to_chinese(tables)
    mixed: Tables = {}
    for i, (name, (header, rows)) in enumerate(tables.items()):
        zh_header = chinese[name][0]
        # odd tables: Chinese headers for every other column; all: reversed, plus extras
        titles = [zh if i % 2 and j % 2 else en
                  for j, (en, zh) in enumerate(zip(header, zh_header, strict=True))]
        mixed[name] = (["备注", *reversed(titles), "extra"],
                       [["说明", *reversed(row), "x"] for row in rows])
    folder = write_tables(tmp_path / "mixed", mixed)
    assert figures(folder) == expected


@pytest.mark.parametrize("chinese_sheets", [False, True], ids=["english", "chinese"])
def test_one_xlsx_workbook_with_date_and_number_cells(tmp_path: Path, tables: Tables,
                                                      expected: dict[str, Any],
                                                      chinese_sheets: bool) -> None:
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "ledger.xlsx", tables, chinese_sheets=chinese_sheets)
    book = load_workbook(path)
    sheet = book["借据台账" if chinese_sheets else "loans"]
    assert isinstance(sheet["H2"].value, datetime)  # start_date: a real Excel date cell
    assert sheet["G2"].data_type == "n"  # contract_amount: a number
    assert isinstance(sheet["J2"].value, float)  # rate 4.35
    if chinese_sheets:
        assert set(book.sheetnames) == {t.sheet_alias for t in TABLES if t.name in tables}
    assert figures(path) == expected


def test_xlsx_with_chinese_headers_labels_and_sheets(tmp_path: Path, tables: Tables,
                                                     expected: dict[str, Any]) -> None:
    path = write_workbook(tmp_path / "台账.xlsx", to_chinese(tables), chinese_sheets=True)
    assert figures(path) == expected


def test_xlsx_with_text_cells_only(tmp_path: Path, tables: Tables,
                                   expected: dict[str, Any]) -> None:
    path = write_workbook(tmp_path / "text.xlsx", tables, typed=False)
    assert figures(path) == expected


def _parquet_type(name: str) -> pa.DataType:
    from reportgen.ledger.schema import Kind

    kinds = {c.name: c.kind for t in TABLES for c in t.columns}
    return pa.date32() if kinds.get(name) is Kind.DATE else pa.string()


def _write_parquet(folder: Path, tables: Tables, *, money_type: pa.DataType | None = None
                   ) -> Path:
    from decimal import Decimal

    from reportgen.ledger.schema import Kind

    folder.mkdir(parents=True, exist_ok=True)
    kinds = {c.name: c.kind for t in TABLES for c in t.columns}
    for name, (header, rows) in tables.items():
        arrays = {}
        for j, column in enumerate(header):
            cells = [r[j] for r in rows]
            kind = kinds.get(column)
            if kind is Kind.DATE:
                arrays[column] = pa.array(
                    [date.fromisoformat(c) if c else None for c in cells], pa.date32())
            elif kind is Kind.MONEY and money_type is not None:
                arrays[column] = pa.array(
                    [Decimal(c.lstrip("¥").replace(",", "")) if c else None for c in cells],
                    money_type)
            else:
                arrays[column] = pa.array([c if c else None for c in cells], pa.string())
        pq.write_table(pa.table(arrays), folder / f"{name}.parquet")
    return folder


def test_parquet_folder_with_typed_dates(tmp_path: Path, tables: Tables,
                                         expected: dict[str, Any]) -> None:
    folder = _write_parquet(tmp_path / "pq", tables)
    assert pq.read_table(folder / "loans.parquet").schema.field("start_date").type == (
        pa.date32())
    assert not list(folder.glob("*.csv"))
    assert figures(folder) == expected


def test_parquet_folder_with_decimal_money(tmp_path: Path, tables: Tables,
                                          expected: dict[str, Any]) -> None:
    folder = _write_parquet(tmp_path / "pqdec", tables, money_type=pa.decimal128(18, 2))
    assert figures(folder) == expected


def test_parquet_with_timestamp_dates(tmp_path: Path, tables: Tables,
                                      expected: dict[str, Any]) -> None:
    folder = _write_parquet(tmp_path / "pqts", tables)
    table = pq.read_table(folder / "transactions.parquet")
    index = table.schema.get_field_index("date")
    table = table.set_column(index, "date", table.column("date").cast(pa.timestamp("ms")))
    pq.write_table(table, folder / "transactions.parquet")
    assert figures(folder) == expected


def test_csv_and_parquet_files_mixed_in_one_folder(tmp_path: Path, tables: Tables,
                                                   expected: dict[str, Any]) -> None:
    folder = _write_parquet(tmp_path / "mixed", {"transactions": tables["transactions"]})
    write_tables(folder, {k: v for k, v in tables.items() if k != "transactions"})
    assert figures(folder) == expected


def test_loaded_values_are_exact_and_rows_numbered_like_a_spreadsheet(base_folder: Path
                                                                      ) -> None:
    ledger = load_ledger(base_folder)
    loans = ledger.loans
    assert loans.rows.tolist() == list(range(2, 9))  # header is row 1
    assert loans["loan_id"].tolist()[:2] == ["L01", "L02"]
    assert loans["contract_amount"].tolist()[0] == 300_000_000
    assert loans["contract_amount"].tolist()[5] == 3_000_050
    assert loans["rate"].tolist()[0] == 4_350_000
    assert ledger.transactions["amount"].tolist()[3] == 987_654
    assert ledger.customers["enterprise_size__blank"].tolist() == [False, False, True, True,
                                                                   True, False]
    assert ledger.branches == sorted({"城东支行", "城西支行", "城南支行"})
    assert len(ledger.problems.items) == 0


def test_workbook_rows_match_the_sheet(tmp_path: Path, tables: Tables) -> None:
    ledger = load_ledger(write_workbook(tmp_path / "l.xlsx", tables))
    assert ledger.transactions.rows.tolist() == list(range(2, 2 + len(tables["transactions"][1])))
    assert ledger.transactions.source == "l.xlsx, sheet transactions"


def test_optional_tables_may_be_absent(tmp_path: Path, tables: Tables) -> None:
    required = {k: v for k, v in tables.items() if k not in ("bank_figures", "targets")}
    folder = write_tables(tmp_path / "req", required)
    ledger = load_ledger(folder)
    assert ledger.bank_figures is None
    assert ledger.targets is None
    document = figures(folder)
    assert document["sections"]["summary"]["balance"] == "5289999.74"
    book = load_ledger(write_workbook(tmp_path / "req.xlsx", required))
    assert book.bank_figures is None
    assert book.targets is None


def test_header_only_tables_are_an_empty_ledger_not_a_crash(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "empty", customers="", loans="", transactions="")
    ledger = load_ledger(folder)
    assert ledger.n_loans == 0
    with pytest.raises(LedgerError, match="the ledger is empty"):  # not a report of zeros
        figures(folder)


def test_crlf_line_endings_and_quoted_cells(tmp_path: Path, tables: Tables,
                                            expected: dict[str, Any]) -> None:
    folder = write_tables(tmp_path / "crlf", tables)
    for path in folder.glob("*.csv"):
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    assert figures(folder) == expected


def test_excel_datetime_cells_keep_their_day(tmp_path: Path, tables: Tables,
                                             expected: dict[str, Any]) -> None:
    """A date cell that carries a time of day (common in exports) is still that day."""
    from openpyxl import load_workbook

    path = write_workbook(tmp_path / "dt.xlsx", tables)
    book = load_workbook(path)
    sheet = book["transactions"]
    for (cell,) in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        cell.value = datetime.combine(cell.value.date(), datetime.min.time()).replace(
            hour=15, minute=30)
        cell.number_format = "yyyy-mm-dd hh:mm"
    book.save(path)
    assert figures(path) == expected


def test_ledger_digest_depends_on_the_bytes(tmp_path: Path, tables: Tables) -> None:
    a = api.open_ledger(write_tables(tmp_path / "a", tables)).ledger.sha256
    b = api.open_ledger(write_tables(tmp_path / "b", tables)).ledger.sha256
    c = api.open_ledger(write_tables(tmp_path / "c", tables, encoding="gb18030")).ledger.sha256
    assert a == b != c
    assert len(a) == 64


def test_sorted_codes_number_distinct_text_in_code_point_order_blank_first() -> None:
    from reportgen.ledger.joins import factorise, sorted_codes

    text = pa.chunked_array([pa.array(["乙", "b", None]), pa.array(["a", "乙", "B"])])
    codes, values = sorted_codes(text)
    assert values == ["", "B", "a", "b", "乙"]  # what sorted() gives for str
    assert codes.tolist() == [4, 3, 0, 2, 4, 1]
    assert factorise(text)[1].tolist() == [0, 1, -1, 2, 0, 3]  # first appearance, blank -1
    assert sorted_codes(pa.array(["x", "y"]))[1] == ["x", "y"]  # no blank, no ""


@pytest.mark.parametrize("in_runs", [False, True])  # by date, or in account order
@pytest.mark.parametrize("universe", [
    ["A2", "A0", "A1", "A3"],  # a clean accounts table: the hash join
    ["A2", "A0", "A2", "A1", "A3"],  # a repeated id (reported elsewhere): its first row
    ["A2", None, "A0", "A1", "A3"],  # a blank id: index_in
])
def test_repeated_keys_find_the_same_rows_as_one_lookup_per_key(universe: list[str | None],
                                                                in_runs: bool) -> None:
    """Balance rows name their account again and again: the distinct ids are looked up
    once (per half of the chunks, on two threads) and spread back, with the same answer
    as a lookup per row, -1 for an unknown or blank id."""
    from reportgen.ledger.joins import lookup as _lookup
    from reportgen.ledger.joins import lookup_repeated as _lookup_repeated

    ids = ["A0", "A1", "A2", "A3", "A9", None]  # A9 is no account; None is a blank
    n = 70_000  # enough rows for the repeated-key path (its cut-off is 65,536)
    column = [ids[(i * 7 + i // 5) % len(ids)] for i in range(n)]
    if in_runs:  # runs of one id, blanks among them, runs cut by the chunks' ends
        column = [ids[(i // 997) % len(ids)] for i in range(n)]
    keys = pa.chunked_array([pa.array(column[i:i + 9_000], pa.string())
                             for i in range(0, n, 9_000)])
    rows = _lookup_repeated(keys, pa.array(universe, pa.string()))
    first = {key: universe.index(key) for key in ids if key in universe}
    assert rows.tolist() == [first.get(key, -1) if key else -1 for key in column]
    once = _lookup(keys, pa.array(universe, pa.string())).tolist()
    # (a blank id in both tables is refused on load; index_in would pair the two blanks)
    assert [r for r, key in zip(rows.tolist(), column, strict=True) if key] == [
        r for r, key in zip(once, column, strict=True) if key]
