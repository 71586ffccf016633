"""reportgen/ledger/workbook.py: workbook bombs are refused before calamine reads them.

Each bomb is a small file built here that would abort the process (a Rust abort) or
exhaust memory if calamine read it; it must end in exit 3 naming the sheet or member and
the limit, with no report written.
"""

from __future__ import annotations

import random
import re
import string
import subprocess
import sys
import zipfile
from pathlib import Path

import badinput
import pytest
from badinput import Expected
from ledgers import read_tables, write_workbook

from reportgen.ledger import workbook


def _book(tmp_path: Path, name: str = "l.xlsx", *, chinese: bool = False) -> Path:
    tables = read_tables(badinput.ledger(tmp_path / "csv"))
    return write_workbook(tmp_path / name, tables, chinese_sheets=chinese)


def _rewrite(path: Path, member: str, change: object) -> None:
    """Rewrite one member of the zip with ``change(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            target.writestr(info.filename,
                            change(data) if info.filename == member else data)  # type: ignore[operator]


def _add_shared_strings(path: Path, xml: bytes) -> None:
    """Give the workbook a shared strings part (openpyxl wrote its text inline)."""
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/sharedStrings.xml", xml)
    _rewrite(path, "[Content_Types].xml", lambda types: types.replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    _rewrite(path, "xl/_rels/workbook.xml.rels", lambda rels: rels.replace(
        b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org'
        b'/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        b"</Relationships>"))


def _sheet_member(path: Path, title: str) -> str:
    names = workbook._sheet_names(zipfile.ZipFile(path))
    return next(member for member, name in names.items() if name == title)


class TestSheetTooLarge:
    @pytest.mark.parametrize(("chinese", "cell", "limit"), [
        (True, "XFD1048576", "702 columns"),
        (False, "XFD2", "702 columns"),
        (False, "AAA2", "702 columns"),
        (True, "AH1048576", "33,554,432 cells"),
    ])
    def test_a_far_cell(self, tmp_path: Path, chinese: bool, cell: str, limit: str) -> None:
        from openpyxl import load_workbook

        path = _book(tmp_path, chinese=chinese)
        book = load_workbook(path)
        title = "借据台账" if chinese else "loans"
        book[title][cell] = 1
        book.save(path)
        badinput.rejected(path, tmp_path, Expected(
            "l.xlsx", f"sheet {title} too large: ", None))
        stderr = badinput.generate(path, tmp_path / "o").stderr
        assert f"(the limit is {limit}" in stderr, stderr

    def test_a_dimension_that_lies_or_is_missing(self, tmp_path: Path) -> None:
        path = _book(tmp_path)
        member = _sheet_member(path, "transactions")
        # the dimension claims a small sheet; a cell sits at row 2,000,000
        _rewrite(path, member, lambda xml: xml.replace(
            b"</sheetData>", b'<row r="2000000"><c r="A2000000"><v>1</v></c></row></sheetData>'))
        badinput.rejected(path, tmp_path / "lie", Expected(
            "l.xlsx", "sheet transactions too large: 2,000,000 rows"))
        _rewrite(path, member, lambda xml: re.sub(rb"<dimension [^>]*/>", b"", xml))
        badinput.rejected(path, tmp_path / "none", Expected(
            "l.xlsx", "sheet transactions too large: 2,000,000 rows",))

    def test_a_declared_dimension_too_large(self, tmp_path: Path) -> None:
        path = _book(tmp_path)
        member = _sheet_member(path, "customers")
        _rewrite(path, member, lambda xml: re.sub(rb'<dimension ref="[^"]*"',
                                                  b'<dimension ref="A1:XFD1048576"', xml))
        badinput.rejected(path, tmp_path, Expected(
            "l.xlsx", "sheet customers too large: 1,048,576 rows × 16,384 columns "
            "(the limit is 702 columns)"))

    def test_in_a_real_process(self, tmp_path: Path) -> None:
        """No Rust abort: the process itself exits 3 with one line per problem."""
        from openpyxl import load_workbook

        path = _book(tmp_path)
        book = load_workbook(path)
        book["loans"]["XFD1048576"] = 1
        book.save(path)
        done = subprocess.run([sys.executable, "-m", "reportgen", "validate", "--ledger",
                               str(path)], capture_output=True, text=True, timeout=120,
                              check=False)
        assert done.returncode == 3, done.stderr
        assert "sheet loans too large" in done.stderr
        assert "Traceback" not in done.stderr


class TestSharedStringsAndMembers:
    def test_a_huge_shared_string_referred_to_thousands_of_times(self, tmp_path: Path
                                                                 ) -> None:
        path = _book(tmp_path)
        huge = "".join(random.Random(9).choices(string.ascii_letters, k=300_000)).encode()
        index = 0
        _add_shared_strings(path, b'<sst xmlns="http://schemas.openxmlformats.org/'
                            b'spreadsheetml/2006/main"><si><t>' + huge + b"</t></si></sst>")
        cells = b"".join(b'<row r="%d"><c r="T%d" t="s"><v>%d</v></c></row>' % (r, r, index)
                         for r in range(4, 3004))  # one shared string, 3,000 cells
        _rewrite(path, _sheet_member(path, "customers"),
                 lambda xml: xml.replace(b"</sheetData>", cells + b"</sheetData>"))
        assert path.stat().st_size < 2_000_000
        badinput.rejected(path, tmp_path, Expected(
            "l.xlsx", "a shared string too large: "))

    def test_a_member_that_inflates_too_much(self, tmp_path: Path) -> None:
        path = _book(tmp_path)
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, \
                archive.open("xl/media/image1.png", "w") as stream:
            block = bytes(1 << 20)
            for _ in range(64):
                stream.write(block)
        badinput.rejected(path, tmp_path, Expected(
            "l.xlsx", "member xl/media/image1.png too large: compressed"))

    def test_a_member_declared_huge(self, tmp_path: Path) -> None:
        path = _book(tmp_path)
        data = bytearray(path.read_bytes())
        at = data.find(b"PK\x01\x02")  # the first central directory entry
        data[at + 24:at + 28] = (3 << 30).to_bytes(4, "little")  # uncompressed size
        path.write_bytes(bytes(data))
        badinput.rejected(path, tmp_path, Expected(
            "l.xlsx", "too large: 3,221,225,472 bytes uncompressed"))


class TestNotAWorkbook:
    @pytest.mark.parametrize("content", [b"hello", b"PK\x03\x04 not really", b""],
                             ids=["text", "zip-magic", "empty"])
    def test_not_a_zip(self, tmp_path: Path, content: bytes) -> None:
        path = tmp_path / "l.xlsx"
        path.write_bytes(content)
        badinput.rejected(path, tmp_path, Expected("l.xlsx", "not a readable .xlsx workbook"))

    def test_a_cut_workbook(self, tmp_path: Path) -> None:
        path = _book(tmp_path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        badinput.rejected(path, tmp_path, Expected("l.xlsx", "not a readable .xlsx workbook"))

    def test_a_sheet_with_broken_xml(self, tmp_path: Path) -> None:
        path = _book(tmp_path, chinese=True)
        _rewrite(path, _sheet_member(path, "贷款流水"), lambda xml: xml[: len(xml) // 2])
        badinput.rejected(path, tmp_path, Expected("l.xlsx, sheet 贷款流水",
                                                   "not a readable sheet"))

    def test_a_zip_that_is_no_workbook(self, tmp_path: Path) -> None:
        path = tmp_path / "l.xlsx"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
        badinput.rejected(path, tmp_path, Expected("l.xlsx", "not a readable .xlsx workbook"))


def test_a_normal_workbook_passes_the_checks(tmp_path: Path) -> None:
    path = _book(tmp_path, chinese=True)
    workbook.check_workbook(path)
    badinput.accepted(path, tmp_path)
