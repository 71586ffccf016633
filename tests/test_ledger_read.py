"""reportgen/ledger/read.py under hostile and tired input (issue 9): silent choices between
two columns, files or sheets; encodings that change midway; CR-only line ends; lines and
fields no ledger has.  Every case runs through the real CLI (``badinput.rejected``)."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import badinput
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from badinput import Expected
from ledgers import TX_HEADER, read_tables, to_chinese, write_tables, write_workbook


def _replace_file(folder: Path, name: str, text: str, encoding: str = "utf-8") -> None:
    (folder / name).write_bytes(text.encode(encoding))


class TestTwoColumnsForOneField:
    @pytest.mark.parametrize(("header", "first", "second"), [
        ("loan_id,date,type,amount,金额", "amount", "金额"),
        ("loan_id,date,type,amount,amount", "amount", "amount"),
        ("借据号,loan_id,date,type,amount", "借据号", "loan_id"),
        ("loan_id,date,日期,type,amount", "date", "日期"),
    ])
    def test_csv(self, tmp_path: Path, header: str, first: str, second: str) -> None:
        folder = badinput.ledger(tmp_path / "l")
        rows = [r.split(",") for r in badinput.TRANSACTIONS.strip().splitlines()]
        names = header.split(",")
        body = []
        for loan, day, kind, amount in rows:
            values = {"loan_id": loan, "借据号": loan, "date": day, "日期": day,
                      "type": kind, "amount": amount, "金额": amount}
            body.append(",".join(values[n] for n in names))
        _replace_file(folder, "transactions.csv", header + "\n" + "\n".join(body) + "\n")
        column = {"金额": "amount", "借据号": "loan_id", "日期": "date"}.get(second, second)
        badinput.rejected(folder, tmp_path, Expected(
            f"transactions.csv, row 1, column {column}",
            f"two columns for {column}: {first!r} and {second!r}"))

    def test_workbook_and_parquet(self, tmp_path: Path) -> None:
        tables = read_tables(badinput.ledger(tmp_path / "csv"))
        header, rows = tables["loans"]
        tables["loans"] = ([*header, "合同金额"], [[*r, r[6]] for r in rows])
        book = write_workbook(tmp_path / "l.xlsx", tables)
        badinput.rejected(book, tmp_path / "xlsx", Expected(
            "l.xlsx, sheet loans, row 1, column contract_amount",
            "two columns for contract_amount: 'contract_amount' and '合同金额'"))
        folder = badinput.ledger(tmp_path / "pq")
        (folder / "loans.csv").unlink()
        pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}
                                | {"合同金额": [r[6] for r in rows]}),
                       folder / "loans.parquet")
        badinput.rejected(folder, tmp_path / "pqout", Expected(
            "loans.parquet, row 1, column contract_amount", "two columns for contract_amount"))

    def test_an_unknown_column_twice_is_still_ignored(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l")
        text = (folder / "transactions.csv").read_text(encoding="utf-8").splitlines()
        lines = [text[0] + ",note,note"] + [line + ",a,b" for line in text[1:]]
        _replace_file(folder, "transactions.csv", "\n".join(lines) + "\n")
        badinput.accepted(folder, tmp_path)


class TestTwoFilesForOneTable:
    @pytest.mark.parametrize("second", ["借据台账.csv", "loans.parquet", "LOANS.CSV",
                                        "借据台账.parquet"])
    def test_both_are_named(self, tmp_path: Path, second: str) -> None:
        folder = badinput.ledger(tmp_path / "l")
        original = folder / "loans.csv"
        if second.endswith(".parquet"):
            header, rows = read_tables(folder)["loans"]
            pq.write_table(pa.table({h: [r[i] for r in rows] for i, h in enumerate(header)}),
                           folder / second)
        else:
            (folder / second).write_bytes(original.read_bytes())
        if not (folder / second).exists() or len(list(folder.iterdir())) < 7:
            pytest.skip("a case-insensitive file system holds one of the two names")
        stderr = badinput.rejected(folder, tmp_path, Expected(
            "loans.csv", "two files for table loans"))
        assert second in stderr
        assert "loans.csv and" in stderr or "and loans.csv" in stderr

    def test_a_chinese_file_name_alone_is_read(self, tmp_path: Path) -> None:
        reference = json.loads(badinput.accepted(badinput.ledger(tmp_path / "en"),
                                                 tmp_path / "a").read_text(encoding="utf-8"))
        folder = badinput.ledger(tmp_path / "zh")
        (folder / "loans.csv").rename(folder / "借据台账.csv")
        (folder / "transactions.csv").rename(folder / "贷款流水.csv")
        report = json.loads(badinput.accepted(folder, tmp_path / "b").read_text(
            encoding="utf-8"))
        assert report["sections"] == reference["sections"]

    def test_a_folder_named_like_a_table_file(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l")
        (folder / "bank_figures.csv").unlink()
        (folder / "bank_figures.csv").mkdir()
        badinput.rejected(folder, tmp_path, Expected("bank_figures.csv", "is a folder"))


class TestTwoSheetsForOneTable:
    @pytest.mark.parametrize("second", ["借据台账", "Loans ", " loans"])
    def test_both_are_named(self, tmp_path: Path, second: str) -> None:
        from openpyxl import load_workbook

        tables = read_tables(badinput.ledger(tmp_path / "csv"))
        path = write_workbook(tmp_path / "l.xlsx", tables)
        book = load_workbook(path)
        book.copy_worksheet(book["loans"]).title = second
        book.save(path)
        stderr = badinput.rejected(path, tmp_path, Expected(
            "l.xlsx", "two sheets for table loans"))
        assert f"loans and {second}" in stderr, stderr


_GB_LINE = "C3,王五商行,individual,,F,,,\n"


class TestEncodingThatBreaksMidway:
    """A line in another encoding is an error naming its row, never mojibake."""

    @staticmethod
    def _customers(many: int, odd_at: int, odd: bytes, encoding: str) -> bytes:
        lines = [badinput.CUSTOMERS.strip().splitlines()[0].replace("C1", f"C{i}") + "\n"
                 for i in range(1, many + 1)]
        header = "customer_id,customer_name,customer_type,enterprise_size,industry," \
                 "credit_line,group_id,id_number\n"
        data = [line.encode(encoding) for line in [header, *lines]]
        data.insert(odd_at - 1, odd)
        return b"".join(data)

    @pytest.mark.parametrize(("encoding", "odd", "many", "row"), [
        ("gb18030", _GB_LINE.encode("utf-8"), 3, 3),
        ("gb18030", _GB_LINE.encode("utf-8"), 120_000, 119_000),
        ("utf-8", _GB_LINE.encode("gbk"), 3, 2),
        ("utf-8", _GB_LINE.encode("gb18030"), 120_000, 120_001),
    ], ids=["utf8-line-in-gb18030-early", "utf8-line-in-gb18030-far",
            "gbk-line-in-utf8-early", "gb-line-in-utf8-far"])
    def test_the_odd_row_is_named(self, tmp_path: Path, encoding: str, odd: bytes,
                                  many: int, row: int) -> None:
        folder = badinput.ledger(tmp_path / "l")
        (folder / "customers.csv").write_bytes(self._customers(many, row, odd, encoding))
        badinput.rejected(folder, tmp_path, Expected(
            f"customers.csv, row {row}", "save the whole file in one encoding"))

    def test_a_bom_file_with_a_gbk_line(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l")
        data = (folder / "customers.csv").read_bytes()
        (folder / "customers.csv").write_bytes(b"\xef\xbb\xbf" + data + _GB_LINE.encode("gbk"))
        badinput.rejected(folder, tmp_path, Expected(
            "customers.csv, row 4", "not UTF-8 like the rest of the file"))

    @pytest.mark.parametrize("name", ["阿卜杜·热合曼", "王五商行（东区）", "李四"])
    def test_a_utf8_line_with_other_characters(self, tmp_path: Path, name: str) -> None:
        folder = badinput.ledger(tmp_path / "l")
        data = (folder / "customers.csv").read_text(encoding="utf-8").encode("gb18030")
        odd = f"C3,{name},individual,,F,,,\n".encode()
        (folder / "customers.csv").write_bytes(data + odd)
        badinput.rejected(folder, tmp_path, Expected(
            "customers.csv, row 4", "a UTF-8 line in a GB18030/GBK file"))

    def test_a_real_gb18030_export_raises_no_false_alarm(self, tmp_path: Path) -> None:
        """Short GB18030 names are sometimes valid UTF-8 by chance (郑颖 reads as two
        Hebrew and Cyrillic letters): that is no UTF-8 line."""
        folder = tmp_path / "sample"
        assert badinput.run("sample", "--out", str(folder), "--loans", "3000").exit_code == 0
        accidental = 0
        for path in folder.glob("*.csv"):
            data = path.read_text(encoding="utf-8").encode("gb18030")
            path.write_bytes(data)
            for line in data.splitlines():
                with contextlib.suppress(UnicodeDecodeError):
                    accidental += line.decode("utf-8") != line.decode("ascii", "replace")
        assert accidental > 0  # the case this test is about is really in the files
        result = badinput.run("validate", "--ledger", str(folder))
        assert result.exit_code == 0, result.output

    @pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8"])
    def test_one_encoding_throughout_is_fine(self, tmp_path: Path, encoding: str) -> None:
        folder = badinput.ledger(tmp_path / "l")
        data = (folder / "customers.csv").read_text(encoding="utf-8") + _GB_LINE
        (folder / "customers.csv").write_bytes(data.encode(encoding))
        badinput.accepted(folder, tmp_path)


class TestLineEnds:
    """Old Mac exports end lines with CR alone; row numbers must stay right."""

    @pytest.mark.parametrize("ending", ["\r", "\r\n", "mixed"])
    @pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
    def test_read_and_rows_right(self, tmp_path: Path, ending: str, encoding: str) -> None:
        folder = badinput.ledger(tmp_path / "l", transactions=badinput.TRANSACTIONS.replace(
            "repay,20000", "repay,abc"))
        for path in folder.iterdir():
            lines = path.read_text(encoding="utf-8").splitlines()
            ends = ([ending] * len(lines) if ending != "mixed"
                    else ["\r", "\r\n", "\n"] * len(lines))
            text = "".join(line + end for line, end in zip(lines, ends, strict=False))
            path.write_bytes(text.encode(encoding))
        badinput.rejected(folder, tmp_path, Expected(
            "transactions.csv, row 5, column amount", "not a money amount", "abc"))

    @pytest.mark.parametrize("ending", ["\r", "\r\n"])
    def test_cr_only_ledger_gives_the_same_report(self, tmp_path: Path, ending: str) -> None:
        reference = badinput.accepted(badinput.ledger(tmp_path / "lf"), tmp_path / "a")
        folder = badinput.ledger(tmp_path / "cr")
        for path in folder.iterdir():
            path.write_bytes(path.read_bytes().replace(b"\n", ending.encode()))
        report = badinput.accepted(folder, tmp_path / "b")
        expected = json.loads(reference.read_text(encoding="utf-8"))
        got = json.loads(report.read_text(encoding="utf-8"))
        assert got["sections"] == expected["sections"]

    def test_blank_cr_lines_keep_row_numbers(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l")
        text = f"{TX_HEADER}\rL1,2025-01-15,disburse,500000\r\r\rL2,2026-03-01,disburse,x\r"
        _replace_file(folder, "transactions.csv", text)
        badinput.rejected(folder, tmp_path, Expected(
            "transactions.csv, row 5, column amount", "not a money amount", "x"))


class TestLongFieldsAndLines:
    @pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
    @pytest.mark.parametrize("length", [32_768, 200_000])
    def test_a_field_over_excels_cell_limit(self, tmp_path: Path, encoding: str, length: int
                                            ) -> None:
        name = "名" * length
        folder = badinput.ledger(tmp_path / "l", customers=badinput.CUSTOMERS.replace(
            "张三", name))
        if encoding != "utf-8":
            path = folder / "customers.csv"
            path.write_bytes(path.read_text(encoding="utf-8").encode(encoding))
        stderr = badinput.rejected(folder, tmp_path, Expected(
            "customers.csv, row 3, column customer_name", "longer than 32,767 characters"))
        assert len(stderr) < 2000  # the value is shown cut, with its length
        assert f"({length:,} characters)" in stderr

    def test_a_field_at_the_limit_is_fine(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l", customers=badinput.CUSTOMERS.replace(
            "张三", "名" * 32_767))
        badinput.accepted(folder, tmp_path)

    @pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
    def test_an_absurd_line_is_located(self, tmp_path: Path, encoding: str) -> None:
        folder = badinput.ledger(tmp_path / "l", transactions=badinput.TRANSACTIONS.replace(
            "L1,2026-06-01,repay,100000", "L1,2026-06-01,收回,100000"))
        body = (folder / "transactions.csv").read_text(encoding="utf-8")
        absurd = "L1,2025-02-01,repay," + "9" * (40 << 20) + "\n"
        (folder / "transactions.csv").write_bytes(
            (body + absurd + "L1,2025-03-01,repay,1\n").encode(encoding))
        badinput.rejected(folder, tmp_path, Expected("transactions.csv, row 6",
                                                     "a line longer than 16 MB"))

    def test_a_header_without_line_end(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l")
        _replace_file(folder, "transactions.csv", "x" * (2 << 20))
        badinput.rejected(folder, tmp_path, Expected("transactions.csv, row 1",
                                                     "header line is longer than 1 MB"))


def test_chinese_tables_with_cr_line_ends(tmp_path: Path) -> None:
    """The GB18030 path counts CR-only lines like the UTF-8 one."""
    tables = to_chinese(read_tables(badinput.ledger(tmp_path / "csv")))
    folder = write_tables(tmp_path / "zh", tables, encoding="gb18030")
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    badinput.accepted(folder, tmp_path)


class TestTheWrongKindOfText:
    """Excel's other "save as" choices under a .csv name, each said as what it is."""

    @staticmethod
    def _customers(separator: str) -> str:
        header = ("customer_id,customer_name,customer_type,enterprise_size,industry,"
                  "credit_line,group_id,id_number\n")
        return (header + badinput.CUSTOMERS.lstrip("\n")).replace(",", separator)

    @pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
    def test_unicode_text_is_named_utf16(self, tmp_path: Path, encoding: str) -> None:
        folder = badinput.ledger(tmp_path / "l")
        text = self._customers("\t")
        # Python's "utf-16" writes the byte-order mark; the big-endian form gets it by hand.
        data = (text.encode(encoding) if encoding == "utf-16"
                else b"\xfe\xff" + text.encode(encoding))
        (folder / "customers.csv").write_bytes(data)
        badinput.rejected(folder, tmp_path, Expected("customers.csv", 'UTF-16 text (Excel\'s '
                                                     '"Unicode Text"), not UTF-8 or GB18030'))

    @pytest.mark.parametrize(("separator", "name"), [("\t", "tabs"), (";", "semicolons")])
    def test_a_file_separated_otherwise_is_said_so_once(self, tmp_path: Path, separator: str,
                                                       name: str) -> None:
        folder = badinput.ledger(tmp_path / "l")
        _replace_file(folder, "customers.csv", self._customers(separator))
        stderr = badinput.rejected(folder, tmp_path, Expected(
            "customers.csv, row 1", f"the header is one value with {name} in it"))
        assert "missing column" not in stderr  # not one message per column

    def test_a_gb18030_file_is_no_utf16(self, tmp_path: Path) -> None:
        folder = badinput.ledger(tmp_path / "l")
        _replace_file(folder, "customers.csv", self._customers(","), "gb18030")
        badinput.accepted(folder, tmp_path)
