"""Cells calamine reads as blank that hold no blank (reportgen/ledger/workbook.py
``Unread``): an Excel error such as #N/A from a failed VLOOKUP, and a formula saved
without its value.  Read as blank, an error in an optional column (a customer's group, a
loan's product) would silently change a figure; each is a data error naming the sheet,
row, column and what the cell holds.  A formula saved with its value is that value."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import badinput
import pytest
from badinput import Expected
from exports import export, loans_workbook, open_export
from hypothesis import given, settings
from hypothesis import strategies as st
from ledgers import read_tables, write_workbook

from reportgen.errors import LedgerError
from reportgen.ledger import workbook
from reportgen.ledger.load import load_ledger
from reportgen.ledger.mapped import read_mapped
from reportgen.ledger.mapping import load_mapping


def _book(tmp_path: Path, edit: object) -> Path:
    """The base ledger as a workbook, one cell changed by ``edit(openpyxl_book)``."""
    from openpyxl import load_workbook

    tables = read_tables(badinput.ledger(tmp_path / "csv"))
    path = write_workbook(tmp_path / "l.xlsx", tables)
    book = load_workbook(path)
    edit(book)  # type: ignore[operator]
    book.save(path)
    return path


def _rewrite_sheet(path: Path, title: str, old: bytes, new: bytes) -> None:
    """Replace ``old`` by ``new`` once in the XML of sheet ``title``."""
    with zipfile.ZipFile(path) as source:
        member = next(m for m, name in workbook._sheet_names(source).items() if name == title)
        items = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in items:
            if name == member:
                assert data.count(old) == 1, data
            target.writestr(name, data.replace(old, new) if name == member else data)


def _set(sheet: str, cell: str, value: object) -> object:
    def edit(book: object) -> None:
        book[sheet][cell] = value  # type: ignore[index]
    return edit


# customers: A customer_id … G group_id; loans: A loan_id … E product, G contract_amount.
@pytest.mark.parametrize(("sheet", "cell", "error", "where"), [
    ("customers", "G2", "#N/A", "sheet customers, row 2, column group_id"),
    ("loans", "E2", "#REF!", "sheet loans, row 2, column product"),
    ("loans", "G3", "#DIV/0!", "sheet loans, row 3, column contract_amount"),
])
def test_an_excel_error_is_a_data_error_not_a_blank(tmp_path: Path, sheet: str, cell: str,
                                                     error: str, where: str) -> None:
    path = _book(tmp_path, _set(sheet, cell, error))  # openpyxl writes it as an error cell
    badinput.rejected(path, tmp_path, Expected(f"l.xlsx, {where}",
                                               "an Excel error value, not data", error))


def test_a_required_cell_is_reported_once_as_what_it_holds(tmp_path: Path) -> None:
    # contract_amount must not be blank; the error is the one message for its cell.
    path = _book(tmp_path, _set("loans", "G3", "#VALUE!"))
    stderr = badinput.rejected(path, tmp_path, Expected(
        "l.xlsx, sheet loans, row 3, column contract_amount", "an Excel error value",
        "#VALUE!"))
    assert "must not be blank" not in stderr


def test_a_formula_saved_without_its_value_is_a_data_error(tmp_path: Path) -> None:
    # openpyxl does not calculate: it saves the formula with an empty value.
    path = _book(tmp_path, _set("customers", "G3", '=VLOOKUP(A3,Groups!A:B,2,FALSE)'))
    badinput.rejected(path, tmp_path, Expected(
        "l.xlsx, sheet customers, row 3, column group_id", "a formula with no saved value",
        "=VLOOKUP(A3,Groups!A:B,2,FALSE)"))


def test_a_formula_saved_with_its_value_is_that_value(tmp_path: Path) -> None:
    # As Excel saves it: the formula and its last result.  L1's contract is 500,000 yuan.
    path = _book(tmp_path, _set("loans", "G2", "=250000*2"))
    _rewrite_sheet(path, "loans", b"<f>250000*2</f><v></v>", b"<f>250000*2</f><v>500000</v>")
    ledger = load_ledger(path)
    assert ledger.loans["contract_amount"].tolist()[0] == 500_000 * 100
    badinput.accepted(path, tmp_path)


def test_a_formula_whose_text_result_is_empty_is_a_blank(tmp_path: Path) -> None:
    # =IF(…,"","") saved by Excel: a text result (t="str") that is empty; C2 has no group.
    path = _book(tmp_path, _set("customers", "G3", '=""'))
    _rewrite_sheet(path, "customers", b'<c r="G3"><f>""</f><v></v></c>',
                   b'<c r="G3" t="str"><f>""</f><v></v></c>')
    badinput.accepted(path, tmp_path)


def test_an_error_outside_the_ledger_columns_is_no_problem(tmp_path: Path) -> None:
    # A helper column the bank keeps beside the ledger's: not read, so not checked.
    path = _book(tmp_path, _set("loans", "Z2", "#N/A"))
    badinput.accepted(path, tmp_path)


def test_a_mapped_workbook_export_reports_the_sheet_row(tmp_path: Path) -> None:
    # A title row: the header is row 2, the first loan row 3.
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    loans_workbook(folder, mapping, "#N/A")
    with pytest.raises(LedgerError) as caught:
        open_export(folder, mapping)
    found = [p for p in caught.value.problems if "Excel error" in p.message]
    assert [(p.file, p.row, p.column, p.value) for p in found] == [
        ("借据_20261031.xlsx, sheet 借据", 3, "contract_amount", "#N/A")]


def test_a_mapped_workbook_keeps_its_reported_cells_when_footer_rows_go(tmp_path: Path
                                                                         ) -> None:
    # The 合计 row under JJ1 (row 4) is taken out by the mapping; JJ1's error stays its own.
    folder, mapping = export(tmp_path / "e", "JJ1,20261001,放款,1000.00\n")
    loans_workbook(folder, mapping, "#N/A", footer=True)
    with pytest.raises(LedgerError) as caught:
        open_export(folder, mapping)
    found = [(p.row, p.column, p.message.split(" (")[0]) for p in caught.value.problems
             if p.file == "借据_20261031.xlsx, sheet 借据"]
    assert found == [(3, "contract_amount", "an Excel error value, not data"),
                     (4, "contract_amount", "an Excel error value, not data")]
    # The reader's mask follows the records the mapping keeps: JJ1's, not the 合计 row's.
    loans = read_mapped(folder, load_mapping(mapping)).tables["loans"]
    assert loans.row_numbers.tolist() == [3]
    assert loans.reported["contract_amount"].tolist() == [True]


_ROWS = [
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>',
    b'<row r="2"><c r="A2"><v>1</v></c><c r="B2" t="e"><v>#N/A</v></c></row>',
    b'<row r="3" spans="1:3"><c r="C3"><f>SUM(A1:A2)</f><v></v></c></row>',
    b'<row r="4"><c r="A4" s="1"/><c r="B4"><f>A4</f><v>0</v></c></row>',
    b'<x:row r="5"><x:c r="AB5" t="e"><x:v>#DIV/0!</x:v></x:c></x:row>',
    b'<row r="6"><c r="A6" t="str"><f>""</f><v></v></c><c r="B6"><f t="shared" si="0"/>'
    b"</c></row>",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 1000), max_size=6))
def test_rows_cut_anywhere_by_the_read_blocks_give_the_same_cells(cuts: list[int]) -> None:
    text = b"<worksheet><sheetData>" + b"".join(_ROWS) + b"</sheetData></worksheet>"
    whole: list[workbook.Unread] = []
    workbook._unread_cells(text, whole)
    assert [(u.row, u.column, u.shown, u.error) for u in whole] == [
        (2, 1, "#N/A", True), (3, 2, "=SUM(A1:A2)", False), (5, 27, "#DIV/0!", True),
        (6, 1, "(a shared formula)", False)]
    streamed: list[workbook.Unread] = []
    pending = b""
    edges = sorted({min(c, len(text)) for c in cuts} | {0, len(text)})
    for start, end in itertools.pairwise(edges):
        pending = workbook._whole_rows(pending + text[start:end], streamed)
    workbook._unread_cells(pending, streamed)
    assert streamed == whole
