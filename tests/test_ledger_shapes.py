"""Export shapes (ledger/shapes.py and the mapped reader): what a core system's export looks
like after Excel or a report writer had it: other header spellings, title rows, 合计/小计
footers, blank lines, codes that lost their leading zeros, merged header cells, dates as
Excel serials or 20261031 integers.  Real files (GBK CSV, xlsx), figures by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from exports import LOANS, MAPPING, export, open_export
from openpyxl import Workbook

from reportgen.errors import LedgerError
from reportgen.ledger.mapping import ValueMap
from reportgen.ledger.shapes import fill_merged, header_key, lookup, serial_dates

LOAN_HEADER = ("借据号,客户编号,机构号,机构名称,客户经理工号,担保方式,合同金额,发放日期,到期日期,"
               "执行利率(%)")
JOURNAL = "JJ1,20261001,放款,1000.00\nJJ1,20261005,还本,400.00\n"


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


# -- header spellings ------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["执行利率（%）", "执行利率 (%)", " 执行利率(%) ",
                                    "执行利率(％)", "执行利率 ( % )"])
def test_a_mapped_header_in_another_spelling(tmp_path: Path, header: str) -> None:
    loans = LOANS.replace("执行利率(%)", header)
    folder, mapping = export(tmp_path / "e", JOURNAL, loans=loans)
    assert open_export(folder, mapping).ledger.loans["rate"].tolist() == [4_350_000]


@pytest.mark.parametrize(("title", "key"), [("借 据 号", "借据号"), ("（万元）", "(万元)"),
                                            ("ＡＢＣ", "ABC"), ("\ufeffloan_id", "loan_id")])
def test_header_key(title: str, key: str) -> None:
    assert header_key(title) == key


# -- title rows, footers, blank lines -------------------------------------------------------


@pytest.mark.parametrize(("titles", "footer"), [
    ("借据明细表\n", "合计,,,,,,1000.00,,,\n"),
    ("借据明细表\n", "合 计：,,,,,,1000.00,,,\n"),
    ("借据明细表\n", "合计\n"),  # a lone 合计, narrower than the header
    ("借据明细表\n", "小计,,,,,,1000.00,,,\n合计,,,,,,1000.00,,,\n"),
    ("借据明细表\n", "\n,,,,,,,,,\n合计：1 笔,,,,,,1000.00,,,\n\n"),
])
def test_titles_footers_and_blank_lines_are_skipped(tmp_path: Path, titles: str,
                                                    footer: str) -> None:
    loans = (titles + LOAN_HEADER + "\n"
             "JJ1,KH01,0101,城东支行,0107,00,1000.00,20261001,20271001,4.35%\n" + footer)
    text = MAPPING.replace('skip_first_cell = ["合计"]', 'skip_first_cell = ["合计", "小计"]')
    folder, mapping = export(tmp_path / "e", JOURNAL, loans=loans, mapping=text)
    session = open_export(folder, mapping)
    assert session.ledger.loans["contract_amount"].tolist() == [100000]
    assert session.ledger.loans.rows.tolist() == [3]  # the header is row 2
    skipped = session.ledger.skipped["loans"]
    assert skipped["footer rows (合计, 小计)"] == footer.count("计")


def test_a_subtotal_between_records_and_blank_lines_in_the_journal(tmp_path: Path) -> None:
    text = MAPPING.replace('[tables.transactions]\n',
                           '[tables.transactions]\nskip_first_cell = ["小计", "合计"]\n')
    journal = ("JJ1,20261001,放款,1000.00\n,,,\n小计,,,1000.00\n  ,  ,,\n"
               "JJ1,20261005,还本,400.00\n合计,,,1400.00\n")
    folder, mapping = export(tmp_path / "e", journal, mapping=text)
    session = open_export(folder, mapping)
    assert session.engine.balance(date(2026, 10, 31)).tolist() == [60000]
    assert session.ledger.transactions.rows.tolist() == [2, 6]
    assert session.ledger.skipped["transactions"] == {"footer rows (小计, 合计)": 2,
                                                      "blank rows": 2}


def test_a_footer_without_skip_first_cell_is_still_an_error(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", JOURNAL + "合计,,,1400.00\n")
    with pytest.raises(LedgerError, match=r"流水_20261031.csv, row 4, column date: must not"):
        open_export(folder, mapping)


# -- codes that Excel read as numbers ---------------------------------------------------------


@pytest.mark.parametrize(("value", "expected"), [
    ("0", ("target", "credit")), ("00", ("target", "credit")), ("000", ("target", "credit")),
    ("10", ("target", "guarantee")), ("010", ("target", "guarantee")), ("7", None),
    ("x", None), ("9", ("ignore", "")), ("1", ("reverse", "repay")),
    ("１０", ("target", "guarantee")), ("０", ("target", "credit")),
])
def test_lookup_finds_a_code_by_its_number(value: str, expected: tuple[str, str] | None
                                          ) -> None:
    vmap = ValueMap({"00": "credit", "10": "guarantee"}, frozenset({"09"}), {"01": "repay"})
    assert lookup(vmap, value) == expected


def test_keys_that_disagree_on_a_number_are_not_a_guess() -> None:
    assert lookup(ValueMap({"01": "credit", "1": "guarantee"}), "001") is None


def _workbook_export(tmp_path: Path, rows: list[list[object]], *, header_row: int = 2,
                     merges: tuple[str, ...] = ()) -> tuple[Path, Path]:
    folder, mapping = export(tmp_path / "e", JOURNAL)
    (folder / "借据_20261031.csv").unlink()
    book = Workbook()
    sheet = book.active
    sheet.title = "借据"
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    book.save(folder / "借据_20261031.xlsx")
    text = mapping.read_text(encoding="utf-8").replace(
        'file = "借据_*.csv"\nheader_row = 2',
        f'file = "借据_*.xlsx"\nsheet = "借据"\nheader_row = {header_row}')
    mapping.write_text(text, encoding="utf-8")
    return folder, mapping


HEADER = LOAN_HEADER.split(",")


@pytest.mark.parametrize(("guarantee", "start"), [
    (0, 20261001),  # 00 saved as a number; the date a 20261001 number
    ("00", 46296),  # the date an Excel serial number (General format)
    (0.0, "46296"),  # as text
    ("0", date(2026, 10, 1)),  # a real date cell
])
def test_numeric_codes_and_dates_in_a_workbook(tmp_path: Path, guarantee: object,
                                               start: object) -> None:
    folder, mapping = _workbook_export(tmp_path, [
        ["借据明细表"], HEADER,
        ["JJ1", "KH01", "0101", "城东支行", "0107", guarantee, 1000, start, 20271001, 4.35],
        ["合计", None, None, None, None, None, 1000]])
    loans = open_export(folder, mapping).ledger.loans
    assert loans["guarantee"].tolist() == [0]  # credit
    assert loans["start_date"].tolist() == [_days(date(2026, 10, 1))]
    assert loans["maturity_date"].tolist() == [_days(date(2027, 10, 1))]


@pytest.mark.parametrize(("text", "iso"), [
    ("46296", "2026-10-01"), ("46296.5", "2026-10-01"), ("45658", "2025-01-01"),
    ("20261001", "20261001"), ("2026-10-01", "2026-10-01"), ("2026.10.01", "2026.10.01"),
    ("4629", "4629"), (None, None),
])
def test_serial_dates(text: str | None, iso: str | None) -> None:
    import pyarrow as pa

    assert serial_dates(pa.array([text, "46296"], pa.string())).to_pylist() == [
        iso, "2026-10-01"]


def test_serial_dates_in_a_gbk_csv_journal(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "e", "JJ1,46296,放款,1000.00\nJJ1,46300,还本,400.00\n")
    engine = open_export(folder, mapping).engine
    assert engine.balance(date(2026, 10, 4)).tolist() == [100000]
    assert engine.balance(date(2026, 10, 5)).tolist() == [60000]


# -- merged header cells ----------------------------------------------------------------------


def test_merged_header_cells_over_two_rows(tmp_path: Path) -> None:
    folder, mapping = _workbook_export(tmp_path, [
        ["借据明细表"],
        ["借据号", "客户编号", "机构", None, "客户经理工号", "担保方式", "金额", None, "日期", None,
         "执行利率(%)"],
        [None, None, "机构号", "机构名称", None, None, "合同金额", "余额", "发放日期", "到期日期",
         None],
        ["JJ1", "KH01", "0101", "城东支行", "0107", "00", 1000, 600, 20261001, 20271001, 4.35],
    ], header_row=3, merges=("A1:K1", "A2:A3", "B2:B3", "C2:D2", "E2:E3", "F2:F3", "G2:H2",
                             "I2:J2", "K2:K3"))
    session = open_export(folder, mapping)
    loans = session.ledger.loans
    assert loans["contract_amount"].tolist() == [100000]
    assert loans.text["branch"].to_pylist() == ["城东支行"]
    assert loans.rows.tolist() == [4]


def test_fill_merged() -> None:
    assert fill_merged([["表"], ["借据号", "金额", ""], ["", "合同金额", "余额"]]) == [
        "借据号", "合同金额", "余额"]
    assert fill_merged([["借据号", ""]]) == ["借据号", ""]
    assert fill_merged([]) == []


def test_merged_header_in_a_csv(tmp_path: Path) -> None:
    loans = ("借据明细表\n"
             "借据号,客户编号,机构号,机构名称,客户经理工号,担保方式,金额,日期,,执行利率(%)\n"
             ",,,,,,合同金额,发放日期,到期日期,\n"
             "JJ1,KH01,0101,城东支行,0107,00,1000.00,20261001,20271001,4.35%\n")
    text = MAPPING.replace("header_row = 2", "header_row = 3")
    folder, mapping = export(tmp_path / "e", JOURNAL, loans=loans, mapping=text)
    assert open_export(folder, mapping).ledger.loans["maturity_date"].tolist() == [
        _days(date(2027, 10, 1))]


def test_a_gbk_journal_whose_first_megabyte_is_ascii(tmp_path: Path) -> None:
    """The encoding is decided on the first MB; GBK text met only after it is transcoded
    then, not refused as an unreadable file."""
    repaid = "JJ1,20261002,repay,0.01\n" * 50_000  # 1.2 MB of ASCII (English type codes)
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    (folder / "流水_20261031.csv").write_bytes(
        b"loan_id,date,type,amount\nJJ1,20261001,disburse,1000.00\n"
        + repaid.encode("ascii") + "JJ1,20261003,还本,1.00\n".encode("gbk"))
    text = mapping.read_text(encoding="utf-8").replace(
        'date = "交易日期"\ntype = "摘要"\namount = "发生额"\n', "")
    mapping.write_text(text, encoding="utf-8")
    engine = open_export(folder, mapping).engine
    # 1000.00 − 50,000 × 0.01 − 1.00 = 499.00
    assert engine.balance(date(2026, 10, 31)).tolist() == [49900]
