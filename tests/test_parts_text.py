"""The loans' and customers' text on the client of a partitioned run: no part hands it
back; the rows a section lists are read from their part's file, cleaned as the loader
cleans them, in the order asked.  Expected texts are the ledgers' own cells, by hand."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from ledgers import read_tables, to_chinese, write_ledger, write_tables
from test_parts_reduce import assert_same_json, two_banks_ledger

from reportgen import api
from reportgen.config import Config
from reportgen.parts.compute import PartFigures, part_figures
from reportgen.parts.split import customer_parts, partition_ledger
from reportgen.parts.text import PartText

JOB = [("monthly", "2026-10", True)]


def padded_ledger(folder: Path) -> Path:
    """Four customers over the parts; ids and names padded with blanks, one product
    blank, headers in Chinese (the aliases the loader maps)."""
    ledger = write_ledger(
        folder / "english",
        customers="""
            C1,  甲公司 ,corporate,small,C,,G1,
            C2,乙公司,corporate,micro,F,,G1,
            C3,  张三,individual,,A,,,
            C4,丁四,individual,,A,,,
        """,
        loans="""
             L1 ,C1,城东支行,王经理,流动资金贷款,mortgage,1000000.00,2025-06-01,2027-06-01,4.35
            L2,C2,城西支行,李经理,流动资金贷款,credit,200000.00,2025-12-15,2027-09-15,5.00
            L3,C3 ,城东支行,李经理,  ,guarantee,300000.00,2026-10-05,2027-09-05,4.80
            L4,C4,城西支行,王经理,项目贷款,pledge,400000.00,2026-07-01,2028-07-01,4.00
            L5,C1,城东支行,王经理,项目贷款,pledge,500000.00,2026-07-01,2028-07-01,4.00
        """,
        transactions="""
            L1,2025-06-01,disburse,1000000.00
            L2,2025-12-15,disburse,200000.00
            L3,2026-10-05,disburse,300000.00
            L4,2026-07-01,disburse,400000.00
            L5,2026-07-01,disburse,500000.00
        """,
        classifications="""
            L1,2025-06-01,normal,
            L2,2025-12-15,normal,
            L3,2026-10-05,normal,
            L4,2026-07-01,normal,
            L5,2026-07-01,normal,
            L1,2026-11-30,normal,
        """,
    )
    return write_tables(folder / "chinese", to_chinese(read_tables(ledger)))


def _split(ledger: Path, parts: int) -> api.Session:
    return api.open_partitioned(ledger, JOB, Config(), partitions=parts)


@pytest.mark.parametrize("parts", [2, 4, 7])  # C1…C4 in 2, 3 and 3 parts
def test_listed_rows_are_read_from_their_parts(tmp_path: Path, parts: int) -> None:
    ledger = padded_ledger(tmp_path)
    loans = _split(ledger, parts).ledger.loans
    ids = loans.values["loan_id"]
    assert isinstance(ids, PartText)  # not held: read when asked
    assert ids[np.array([4, 0, 2, 0])].tolist() == ["L5", "L1", "L3", "L1"]
    assert ids[np.array([-1, -5])].tolist() == ["L5", "L1"]
    assert ids[np.array([False, True, False, True, False])].tolist() == ["L2", "L4"]
    assert ids[1:3].tolist() == ["L2", "L3"]
    assert ids[np.zeros(0, np.int64)].tolist() == []
    assert (ids[0], ids[-1], ids[np.int64(3)]) == ("L1", "L5", "L4")
    with pytest.raises(IndexError):
        ids[5]
    assert loans["account_manager"][np.array([3, 1])].tolist() == ["王经理", "李经理"]
    assert loans["customer_id"][np.array([2])].tolist() == ["C3"]  # trimmed


@pytest.mark.parametrize("parts", [2, 4])
def test_blank_text_is_empty_and_whole_column_is_in_ledger_order(tmp_path: Path,
                                                                 parts: int) -> None:
    ledger = _split(padded_ledger(tmp_path), parts).ledger
    customers, loans = ledger.customers, ledger.loans
    assert customers["customer_name"][np.arange(4)].tolist() == ["甲公司", "乙公司", "张三", "丁四"]
    assert loans["product"][np.array([2, 3])].tolist() == ["", "项目贷款"]
    whole = loans.text["product"]  # as Arrow, the loader's form: null = blank
    assert isinstance(whole, pa.Array)
    assert whole.to_pylist() == ["流动资金贷款", "流动资金贷款", None, "项目贷款", "项目贷款"]
    assert customers.text["group_id"].to_pylist() == ["G1", "G1", None, None]
    assert "customer_name" in customers.text
    assert sorted(customers.text) == sorted(api.open_ledger(padded_ledger(
        tmp_path / "again")).ledger.customers.text)


def test_padded_chinese_ledger_same_json(tmp_path: Path) -> None:
    ledger = padded_ledger(tmp_path)
    assert len(set(customer_parts(pa.array(["C1", "C2", "C3", "C4"]), 4).tolist())) == 3
    for parts in (2, 4):
        assert_same_json(ledger, parts, [("monthly", "2026-10"), ("yearly", "2025")])


def test_typed_parquet_cells_are_read_as_the_loader_reads_them(tmp_path: Path) -> None:
    """A Parquet ledger whose loan ids are integers: the parts keep them typed, and the
    listed ids are their text, as in one process ("1001", not 1001 or "1001.0")."""
    csv = write_ledger(
        tmp_path / "csv",
        customers="C1,甲公司,corporate,small,C,,,\nC2,乙公司,corporate,micro,F,,,",
        loans="""
            1001,C1,城东支行,王经理,流动资金贷款,credit,100000.00,2026-01-01,2027-01-01,4.00
            1002,C2,城东支行,王经理,流动资金贷款,credit,200000.00,2026-01-01,2027-01-01,4.00
        """,
        transactions="1001,2026-01-01,disburse,100000.00\n1002,2026-01-01,disburse,200000.00",
        classifications="1001,2026-01-01,normal,\n1002,2026-01-01,normal,")
    folder = tmp_path / "parquet"
    folder.mkdir()
    for table in ("customers", "loans", "transactions", "classifications"):
        typed = {"loan_id": pa.int64()} if table != "customers" else {}
        arrow = pacsv.read_csv(csv / f"{table}.csv", convert_options=pacsv.ConvertOptions(
            column_types=typed, strings_can_be_null=True))
        if table != "customers":
            arrow = arrow.set_column(0, "loan_id", arrow.column("loan_id").cast(pa.int64()))
        pq.write_table(arrow, folder / f"{table}.parquet")
    loans = _split(folder, 2).ledger.loans
    assert loans["loan_id"][np.array([1, 0])].tolist() == ["1002", "1001"]
    one = api.open_ledger(folder).ledger.loans
    assert loans.text["loan_id"].to_pylist() == one.text["loan_id"].to_pylist()


def test_parts_hand_back_no_text(tmp_path: Path) -> None:
    """What crosses from a part to the client is numbers (the point of the split)."""
    partition_ledger(two_banks_ledger(tmp_path / "ledger"), tmp_path / "parts", 2)
    figures = part_figures(str(tmp_path / "parts" / "part-000"), [("monthly", "2026-10",
                                                                    True)], Config())
    assert isinstance(figures, PartFigures)
    assert figures.loans.text == {}
    assert figures.customers.text == {}
    assert not any(a.dtype == object for a in figures.loans.values.values())
    assert "loan_id" in figures.text_columns[0]
    assert "customer_name" in figures.text_columns[1]
    # Past validation a bad cell or a blank required one cannot be: those masks stay;
    # an optional column's blanks are figures (a credit line not given) and go along.
    assert not [n for n in figures.loans.values if n.endswith("__bad")]
    assert "loan_id__blank" not in figures.loans.values
    assert "customer_id__blank" not in figures.customers.values
    assert "product__blank" in figures.loans.values
    assert "credit_line__blank" in figures.customers.values


def beside_ledger(folder: Path) -> Path:
    """Loans with the optional 客户经理姓名 and 机构号 columns: 王经理's first loan (L1,
    C1) gives no name, L2 (C2) gives 王一, L3 (C3) 王二; 城东支行's id is first given on L3
    (B03) and 城西支行's on L2 (B02) though L4 (C1) says B09 later."""
    ledger = two_banks_ledger(folder / "base")
    tables = read_tables(ledger)
    header, rows = tables["loans"]
    extra = {"L1": ("", ""), "L2": ("B02", "王一"), "L3": ("B03", "王二"),
             "L4": ("B09", "王九"), "L5": ("", "")}
    for row in rows:
        row[3] = "王经理"
    tables["loans"] = ([*header, "branch_id", "account_manager_name"],
                       [[*row, *extra[row[0]]] for row in rows])
    return write_tables(folder / "with_names", tables)


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_names_and_ids_beside_codes_are_the_earliest_given(tmp_path: Path,
                                                           parts: int) -> None:
    ledger = beside_ledger(tmp_path)
    split = api.open_partitioned(ledger, [("monthly", "2026-10", False)], Config(),
                                 partitions=parts).ledger
    assert split.managers == ["王经理"]
    assert split.manager_names == ["王一"]
    assert split.branches == ["城东支行", "城西支行"]
    assert split.branch_ids == ["B03", "B02"]
    one = api.open_ledger(ledger).ledger
    assert (one.manager_names, one.branch_ids) == (split.manager_names, split.branch_ids)


def test_temporary_split_lives_as_long_as_the_engine(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """``--partitions N`` splits into a temporary folder: the listings read their text
    from it while the reports are built, and it goes with the engine."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.setenv("REPORTGEN_PARTS_DIR", str(work))
    session = _split(two_banks_ledger(tmp_path / "ledger"), 2)
    assert len(list(work.iterdir())) == 1
    report = api.build(session, "monthly", "2026-10", Config(), formats=["json"])
    assert report.sections.concentration is not None
    assert report.sections.concentration.top10[0].customer_name == "甲公司"
    del session, report
    gc.collect()
    assert list(work.iterdir()) == []
