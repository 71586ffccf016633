"""The 借据明细 written by xlsxwriter and copied into workbooks (render/loan_pack.py).

Read back with openpyxl: the same values, data types, number formats and quote prefixes
as openpyxl's own path (render/excel_loans.py) for small ledgers written here, with cells
checked by hand (balance 12,345,678 fen = 123,456.78 yuan; 2025-01-15 = serial 45672).
"""

from __future__ import annotations

import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from factories import loan_book, make_report
from openpyxl import load_workbook

from reportgen.model import LoanBook, Report
from reportgen.render import excel, loan_pack
from reportgen.render.base import RenderOptions, render

HOSTILE_NAMES = ['=HYPERLINK("http://x","y")', "+1", "@x", "-2", "<r><t>x</t></r>",
                 "a & b <c> d", " lead and trail ", "\r=2", "two\nlines", "1e5", "0012",
                 "_x0041_", "\t@x", "客户\u3000名"]


def _book(names: list[str], balances: list[int] | None = None) -> LoanBook:
    base = loan_book()
    n = len(names)
    k = len(base)
    pick = [i % k for i in range(n)]

    def take(values: Any) -> Any:
        return (np.asarray(values)[pick] if isinstance(values, np.ndarray)
                else [values[i] for i in pick])

    cols = {key: take(getattr(base, key)) for key in LoanBook.COLUMNS}
    cols["loan_id"] = [f"L{i:04d}" for i in range(n)]
    cols["customer_name"] = names
    if balances is not None:
        cols["balance"] = np.array(balances, dtype=np.int64)
    return LoanBook(**cols)


def _write(tmp_path: Path, report: Report, writer: str, monkeypatch: pytest.MonkeyPatch,
           **options: Any) -> Path:
    monkeypatch.setattr(excel, "LOAN_WRITER", writer)
    out = tmp_path / writer
    [path] = render(report, ["xlsx"], out, RenderOptions(**options))
    return path


def _described(path: Path) -> list[list[tuple[Any, ...]]]:
    ws = load_workbook(path)["借据明细"]
    return [[(c.value, c.data_type, c.number_format, c.quotePrefix, c.font.b)
             for c in row] for row in ws.iter_rows()]


BOOKS = {
    "factories": loan_book(),
    "hostile": _book(HOSTILE_NAMES),
    "big money": _book(["甲", "乙", "丙", "丁"],
                       [123_456_789_012_345, -5, 0, 1_000_000_000_001]),
}


@pytest.mark.parametrize("book", BOOKS, ids=list(BOOKS))
def test_same_cells_as_openpyxls_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      book: str) -> None:
    report = make_report("monthly", loans=BOOKS[book])
    ours = _described(_write(tmp_path, report, "xlsxwriter", monkeypatch))
    theirs = _described(_write(tmp_path, report, "openpyxl", monkeypatch))
    assert ours == theirs
    assert len(ours) == len(BOOKS[book]) + 1


def test_hand_checked_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, make_report("monthly"), "xlsxwriter", monkeypatch)
    ws = load_workbook(path)["借据明细"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:O6"
    assert ws.print_title_rows in ("1:1", "$1:$1")
    header = [c.value for c in ws[1]]
    assert header[:3] == ["借据号", "客户号", "客户名称"]
    assert ws["A1"].font.b
    assert ws["A1"].fill.fgColor.rgb.endswith("D9E1F2")
    row4 = list(ws[5])  # L0004
    assert row4[0].value == "L0004"
    assert (row4[12].value, row4[12].number_format) == (123_456.78, "#,##0.00")
    assert (row4[8].value, row4[8].data_type) == (500_000, "n")
    assert (row4[9].value.date(), row4[9].number_format) == (date(2025, 1, 15), "yyyy-mm-dd")
    assert (row4[11].value, row4[11].number_format) == (6.25, "0.00##")
    assert row4[3].value == "城东支行"
    assert row4[3].number_format == "@"
    assert [c.value for c in ws[6]][12] == 0.99  # 99 fen
    assert ws["F6"].value is None
    assert ws["F6"].number_format == "@"


def test_money_is_written_as_its_exact_decimal_text(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    report = make_report("monthly", loans=BOOKS["big money"])
    path = _write(tmp_path, report, "xlsxwriter", monkeypatch)
    member = loan_pack.sheet_members(path)["借据明细"]
    xml = zipfile.ZipFile(path).read(member).decode()
    for text in ("<v>1234567890123.45</v>", "<v>-0.05</v>", "<v>0.00</v>",
                 "<v>10000000000.01</v>"):
        assert text in xml, text


def test_hostile_names_stay_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = make_report("monthly", loans=BOOKS["hostile"])
    path = _write(tmp_path, report, "xlsxwriter", monkeypatch)
    ws = load_workbook(path)["借据明细"]
    got = {row[0].value: row[2] for row in ws.iter_rows(min_row=2)}
    for n, name in enumerate(HOSTILE_NAMES):
        cell = got[f"L{n:04d}"]
        assert cell.data_type == "s", name
        if name != "_x0041_":  # openpyxl reads Excel's escape back in both paths
            assert cell.value == name, name
        assert cell.quotePrefix == name.startswith(("=", "+", "-", "@", "\t", "\r")), name
    assert "<f>" not in zipfile.ZipFile(path).read(
        loan_pack.sheet_members(path)["借据明细"]).decode()


def test_the_workbook_is_a_sound_zip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, make_report("quarterly"), "xlsxwriter", monkeypatch)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert len(names) == len(set(names))
    assert load_workbook(path).sheetnames[-1] == "借据明细"
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]


def test_beyond_the_row_limit_every_sheet_is_copied(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen.render import excel_loans

    monkeypatch.setattr(excel_loans, "MAX_ROWS", 4)  # 3 loans per sheet
    monkeypatch.setattr(excel_loans, "CHUNK", 2)
    wb = load_workbook(_write(tmp_path, make_report("dekad"), "xlsxwriter", monkeypatch))
    assert wb.sheetnames[-2:] == ["借据明细", "借据明细 (2)"]
    assert [r[0].value for r in wb["借据明细 (2)"].iter_rows()] == ["借据号", "L0004", "L0005"]
    assert wb["借据明细 (2)"].auto_filter.ref == "A1:O3"


def _raw_member(path: Path) -> bytes:
    member = loan_pack.sheet_members(path)["借据明细"]
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    with open(path, "rb") as fh:
        fh.seek(info.header_offset + 26)
        skip = sum(int.from_bytes(fh.read(2), "little") for _ in range(2))
        fh.seek(info.header_offset + 30 + skip)
        return fh.read(info.compress_size)


def test_reports_of_one_day_share_one_written_sheet(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "sheets"
    folder.mkdir()
    day = date(2026, 12, 31)
    reports = [replace(make_report(kind), end=day) for kind in ("dekad", "monthly", "yearly")]
    monkeypatch.setattr(excel, "LOAN_WRITER", "xlsxwriter")
    paths = [render(r, ["xlsx"], tmp_path / "out", RenderOptions(loan_sheets=folder))[0]
             for r in reports]
    assert loan_pack.written(folder) == [
        loan_pack.key_of(reports[0].ledger_sha256, "2026-12-31", "all", "zh",
                         reports[0].bank, 5)]
    raw = {_raw_member(p) for p in paths}
    assert len(raw) == 1  # the same compressed bytes in every workbook
    for path in paths:
        assert [c.value for c in load_workbook(path)["借据明细"]["A"]][1:] == [
            "L0001", "L0002", "L0003", "L0004", "L0005"]
    # another scope (or day) is another sheet
    render(replace(reports[0], scope="b880101"), ["xlsx"], tmp_path / "out",
           RenderOptions(loan_sheets=folder))
    render(replace(reports[0], end=date(2026, 12, 20)), ["xlsx"], tmp_path / "out",
           RenderOptions(loan_sheets=folder))
    assert len(loan_pack.written(folder)) == 3


def test_splice_copies_members_compressed(tmp_path: Path) -> None:
    base, other, out = tmp_path / "a.zip", tmp_path / "b.zip", tmp_path / "c.zip"
    with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("one.xml", "<one/>" * 100)
        zf.writestr("two.xml", "")
        zf.writestr("three.xml", "drei")
    payload = bytes(range(256)) * 1000
    with zipfile.ZipFile(other, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sheet.xml", payload)
    loan_pack.splice(base, other, {"two.xml": "sheet.xml"}, out)
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["one.xml", "two.xml", "three.xml"]
        assert zf.read("two.xml") == payload
        assert zf.read("one.xml") == b"<one/>" * 100
        assert zf.read("three.xml") == b"drei"


def test_no_live_loan_is_a_header_only_sheet(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    empty = _book([])
    report = make_report("dekad", loans=empty)
    ours = _described(_write(tmp_path, report, "xlsxwriter", monkeypatch))
    assert ours == _described(_write(tmp_path, report, "openpyxl", monkeypatch))
    assert len(ours) == 1
    assert ours[0][0][0] == "借据号"
