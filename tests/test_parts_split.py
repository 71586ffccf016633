"""``reportgen partition``: customers, their loans and every journal row of those loans
land together; parts keep the original file name and row numbers; problems are reported
as the unsplit ledger's validation would, naming the original rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from ledgers import read_tables, to_chinese, write_ledger, write_tables
from test_parts_reduce import two_banks_ledger

from reportgen import api
from reportgen.cli import main
from reportgen.config import Config
from reportgen.errors import LedgerError
from reportgen.parts import split
from reportgen.parts.split import SOURCE_ROW, customer_parts, partition_ledger, read_manifest


def parts_table(folder: Path, name: str, parts: int) -> list[pa.Table]:
    return [pq.read_table(folder / f"part-{p:03d}" / f"{name}.parquet") for p in range(parts)]


def test_customer_parts_are_stable_and_ignore_blanks_around_ids() -> None:
    ids = pa.array(["C1", " C1", "C1 ", "KH000001", "", None, "客户甲"])
    parts = customer_parts(ids, 7)
    assert parts[0] == parts[1] == parts[2]
    assert parts[4] == parts[5]  # blank and missing: the same (empty) id
    assert ((parts >= 0) & (parts < 7)).all()
    again = customer_parts(pa.chunked_array([ids[:3], ids[3:]]), 7)
    assert again.tolist() == parts.tolist()
    # spread: a thousand ids over 4 parts, none empty and none with most of them
    many = customer_parts(pa.array([f"KH{i:06d}" for i in range(1000)]), 4)
    counts = np.bincount(many, minlength=4)
    assert counts.min() > 150


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_customer_loans_and_journal_rows_land_together(tmp_path: Path, parts: int,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(split, "BATCH_BYTES", 256)  # several journal batches
    ledger = two_banks_ledger(tmp_path / "ledger")
    out = tmp_path / "parts"
    manifest = partition_ledger(ledger, out, parts)
    assert manifest["parts"] == parts
    assert read_manifest(out) == manifest
    where: dict[str, int] = {}
    for p, table in enumerate(parts_table(out, "customers", parts)):
        for customer in table.column("customer_id").to_pylist():
            where[customer] = p
    assert sorted(where) == ["C1", "C2", "C3"]
    loan_part: dict[str, int] = {}
    for p, table in enumerate(parts_table(out, "loans", parts)):
        for loan, customer in zip(table.column("loan_id").to_pylist(),
                                  table.column("customer_id").to_pylist(), strict=True):
            assert where[customer] == p
            loan_part[loan] = p
    seen_rows: list[int] = []
    for p, table in enumerate(parts_table(out, "transactions", parts)):
        for loan in table.column("loan_id").to_pylist():
            assert loan_part[loan] == p
        seen_rows += table.column(SOURCE_ROW).to_pylist()
    assert sorted(seen_rows) == list(range(2, 12))  # 10 journal rows, header = row 1
    for p, table in enumerate(parts_table(out, "classifications", parts)):
        assert all(loan_part[loan] == p for loan in table.column("loan_id").to_pylist())
    # small tables copied whole to every part
    for table in parts_table(out, "targets", parts):
        assert table.num_rows == 2


def test_rows_keep_their_original_order_and_numbers(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    partition_ledger(ledger, tmp_path / "parts", 2)
    original = pacsv.read_csv(ledger / "transactions.csv",
                              convert_options=pacsv.ConvertOptions(
                                  column_types={"amount": pa.string(), "date": pa.string()}))
    for table in parts_table(tmp_path / "parts", "transactions", 2):
        rows = table.column(SOURCE_ROW).to_pylist()
        assert rows == sorted(rows)
        for row, loan, amount in zip(rows, table.column("loan_id").to_pylist(),
                                     table.column("amount").to_pylist(), strict=True):
            assert original.column("loan_id")[row - 2].as_py() == loan
            assert original.column("amount")[row - 2].as_py() == amount
        assert pq.read_schema(tmp_path / "parts" / "part-000" / "transactions.parquet"
                              ).metadata[b"reportgen.source"] == b"transactions.csv"


def test_same_digest_as_the_unsplit_ledger(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    manifest = partition_ledger(ledger, tmp_path / "parts", 3)
    assert manifest["sha256"] == api.open_ledger(ledger).ledger.sha256


def test_parquet_ledger_splits_too(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "csv")
    as_parquet = tmp_path / "parquet"
    as_parquet.mkdir()
    for csv_file in ledger.glob("*.csv"):
        table = pacsv.read_csv(csv_file, convert_options=pacsv.ConvertOptions(
            strings_can_be_null=True))
        pq.write_table(table, as_parquet / f"{csv_file.stem}.parquet")
    one = api.open_ledger(as_parquet)
    split_session = api.open_partitioned(as_parquet, [("monthly", "2026-10", False)],
                                         Config(), partitions=3)
    config = Config()
    a = api.build(one, "monthly", "2026-10", config, formats=["json"]).sections
    b = api.build(split_session, "monthly", "2026-10", config, formats=["json"]).sections
    assert a == b


@pytest.mark.parametrize(("loans", "transactions", "expected"), [
    # a loan of an unknown customer: reported on the loans file's own row
    ("L1,C1,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4\n"
     "L2,C9,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4",
     "L1,2026-01-01,disburse,100.00\nL2,2026-01-01,disburse,100.00",
     "loans.csv, row 3, column customer_id"),
    # a journal row of an unknown loan: the journal's own row
    ("L1,C1,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4",
     "L1,2026-01-01,disburse,100.00\nL7,2026-01-02,disburse,100.00",
     "transactions.csv, row 3, column loan_id"),
    # a bad amount in the journal
    ("L1,C1,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4",
     "L1,2026-01-01,disburse,100.00\nL1,2026-01-02,repay,abc",
     "transactions.csv, row 3, column amount"),
])
def test_problems_name_the_original_file_and_row(tmp_path: Path, loans: str,
                                                 transactions: str, expected: str) -> None:
    ledger = write_ledger(tmp_path / "ledger", customers="C1,甲,individual,,A,,,",
                          loans=loans, transactions=transactions)
    with pytest.raises(LedgerError) as unsplit:
        api.open_ledger(ledger)
    assert expected in str(unsplit.value)
    for parts in (2, 3):
        with pytest.raises(LedgerError) as split_error:
            api.open_partitioned(ledger, [("monthly", "2026-01", False)], Config(),
                                 partitions=parts)
        assert expected in str(split_error.value)
        assert str(split_error.value).count(expected) == 1


def test_repeated_loan_id_is_reported_before_splitting(tmp_path: Path) -> None:
    ledger = write_ledger(
        tmp_path / "ledger", customers="C1,甲,individual,,A,,,\nC2,乙,individual,,A,,,",
        loans="L1,C1,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4\n"
              "L1,C2,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4",
        transactions="L1,2026-01-01,disburse,100.00")
    with pytest.raises(LedgerError) as error:
        partition_ledger(ledger, tmp_path / "parts", 2)
    assert "loans.csv, row 2, column loan_id" in str(error.value)
    assert "loans.csv, row 3, column loan_id" in str(error.value)
    assert not (tmp_path / "parts").exists()


def test_partition_command(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    runner = CliRunner()
    result = runner.invoke(main, ["partition", "--ledger", str(ledger), "--out",
                                  str(tmp_path / "parts"), "--parts", "3"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [
        "part-000", "part-001", "part-002", "partitions.json"]
    result = runner.invoke(main, ["partition", "--ledger", str(ledger), "--out",
                                  str(ledger / "parts"), "--parts", "3"])
    assert result.exit_code == 2
    result = runner.invoke(main, ["partition", "--ledger", str(ledger), "--out",
                                  str(tmp_path / "p0"), "--parts", "0"])
    assert result.exit_code == 2


def test_generate_from_parts_folder_and_with_partitions(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    runner = CliRunner()
    assert runner.invoke(main, ["partition", "--ledger", str(ledger), "--out",
                                str(tmp_path / "parts"), "--parts", "2"]).exit_code == 0
    outputs = []
    for name, args in (("one", ["--ledger", str(ledger)]),
                       ("folder", ["--ledger", str(tmp_path / "parts")]),
                       ("option", ["--ledger", str(ledger), "--partitions", "3"])):
        result = runner.invoke(main, ["generate", *args, "--report", "monthly", "--period",
                                      "2026-10", "--format", "json", "--out",
                                      str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        text = (tmp_path / name / "monthly_2026-10.json").read_text(encoding="utf-8")
        outputs.append(text.split('"generated_at"')[0] + text.split('"ledger_sha256"')[1])
    assert outputs[0] == outputs[1] == outputs[2]


def test_declared_data_date_is_checked_in_every_part(tmp_path: Path) -> None:
    """--as-of 2026-10-29: L4's write-off of 2026-10-30 (transactions.csv row 9) and the
    state row of 2026-11-30 (classifications.csv row 8) are after it, in any part."""
    from datetime import date

    ledger = two_banks_ledger(tmp_path / "ledger")
    with pytest.raises(LedgerError) as unsplit:
        api.open_ledger(ledger, as_of=date(2026, 10, 29))
    for parts in (2, 4):
        with pytest.raises(LedgerError) as split_error:
            api.open_partitioned(ledger, [("monthly", "2026-09", False)], Config(),
                                 partitions=parts, as_of=date(2026, 10, 29))
        text = str(split_error.value)
        assert "transactions.csv, row 9, column date" in text
        assert "classifications.csv, row 8, column date" in text
        assert sorted(text.splitlines()) == sorted(str(unsplit.value).splitlines())


def test_a_ledger_without_transactions_is_refused_in_parts_too(tmp_path: Path) -> None:
    ledger = write_ledger(tmp_path / "ledger", customers="C1,甲,individual,,A,,,",
                          loans="L1,C1,城东支行,王经理,,credit,100.00,2026-01-01,2027-01-01,4",
                          transactions="")
    with pytest.raises(LedgerError) as unsplit:
        api.open_ledger(ledger)
    with pytest.raises(LedgerError) as split_error:
        api.open_partitioned(ledger, [("monthly", "2026-01", False)], Config(), partitions=3)
    assert str(split_error.value) == str(unsplit.value)


def test_validate_names_a_partitioned_folder(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    partition_ledger(ledger, tmp_path / "parts", 2)
    result = CliRunner().invoke(main, ["validate", "--ledger", str(tmp_path / "parts")])
    assert result.exit_code == 2
    assert "partitioned ledger" in result.output


def test_partition_never_replaces_a_folder_it_did_not_write(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    precious = tmp_path / "reports"
    precious.mkdir()
    (precious / "monthly_2026-10.xlsx").write_bytes(b"keep me")
    result = CliRunner().invoke(main, ["partition", "--ledger", str(ledger), "--out",
                                       str(precious), "--parts", "2"])
    assert result.exit_code == 2
    assert (precious / "monthly_2026-10.xlsx").read_bytes() == b"keep me"
    # an older split is replaced whole
    partition_ledger(ledger, tmp_path / "parts", 3)
    partition_ledger(ledger, tmp_path / "parts", 2)
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [
        "part-000", "part-001", "partitions.json"]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_chinese_headers_and_other_encodings_split_too(tmp_path: Path, encoding: str) -> None:
    """The same ledger with Chinese headers and labels, as GB18030 or UTF-8 with a BOM."""
    from test_parts_reduce import assert_same_json

    plain = two_banks_ledger(tmp_path / "plain")
    ledger = write_tables(tmp_path / encoding, to_chinese(read_tables(plain)),
                          encoding=encoding)
    for parts in (2, 3):
        assert_same_json(ledger, parts, [("monthly", "2026-10"), ("yearly", "2025")])


@pytest.mark.parametrize("parts", [2, 3, 5])
def test_deposit_accounts_go_with_their_customer_and_rows_with_their_account(
        tmp_path: Path, parts: int) -> None:
    """An account with a customer id is in that customer's part (so 有贷户 is decided
    where the customer's loans are); A5, without one, by its own id; each balance row is
    in its account's part, with its row number in deposit_balances.csv."""
    from test_parts_reduce import deposits_ledger

    ledger = deposits_ledger(tmp_path / "ledger")
    partition_ledger(ledger, tmp_path / "parts", parts)
    customer_of = {"A1": "C1", "A2": "C2", "A3": "C3", "A4": "C9", "A6": "C3"}
    where = {}
    for p, table in enumerate(parts_table(tmp_path / "parts", "deposit_accounts", parts)):
        for account, customer in zip(table.column("account_id").to_pylist(),
                                     table.column("customer_id").to_pylist(), strict=True):
            where[account] = p
            expected = customer_parts(pa.array([customer or account]), parts)[0]
            assert p == expected, account
    assert sorted(where) == ["A1", "A2", "A3", "A4", "A5", "A6"]
    assert where["A5"] == customer_parts(pa.array(["A5"]), parts)[0]
    for account, customer in customer_of.items():
        assert where[account] == customer_parts(pa.array([customer]), parts)[0]
    rows = 0
    for p, table in enumerate(parts_table(tmp_path / "parts", "deposit_balances", parts)):
        rows += table.num_rows
        assert all(where[a] == p for a in table.column("account_id").to_pylist())
    assert rows == 10


def test_repeated_account_id_is_reported_before_splitting(tmp_path: Path) -> None:
    """A1 of C1 and A1 of C3 could land in two parts, where no validator sees both."""
    from test_parts_reduce import deposits_ledger

    ledger = deposits_ledger(tmp_path / "ledger")
    accounts = ledger / "deposit_accounts.csv"
    accounts.write_text(accounts.read_text(encoding="utf-8")
                        + "A1,C3,城东支行,李经理,individual_demand\n", encoding="utf-8")
    with pytest.raises(LedgerError) as error:
        partition_ledger(ledger, tmp_path / "parts", 3)
    assert "deposit_accounts.csv, row 2, column account_id" in str(error.value)
    assert "deposit_accounts.csv, row 8, column account_id" in str(error.value)
    assert not (tmp_path / "parts").exists()


def test_unicode_text_is_named_utf16_before_any_part_is_written(tmp_path: Path) -> None:
    """Excel's "Unicode Text" saved as customers.csv: exit 3 naming UTF-16, as the loader
    says it, and no part written."""
    ledger = two_banks_ledger(tmp_path / "ledger")
    path = ledger / "customers.csv"
    path.write_bytes(path.read_text(encoding="utf-8").replace(",", "\t").encode("utf-16"))
    result = CliRunner().invoke(main, ["partition", "--ledger", str(ledger), "--out",
                                       str(tmp_path / "parts"), "--parts", "2"])
    assert result.exit_code == 3, result.output
    assert 'customers.csv: UTF-16 text (Excel\'s "Unicode Text")' in result.output
    assert not (tmp_path / "parts").exists() or not any((tmp_path / "parts").iterdir())
