"""reportgen/ledger/parse.py: exact money, strict dates and enums, cell by cell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import badinput
import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.ledger import parse, text_columns
from reportgen.ledger.schema import CUSTOMER_TYPES, GRADES, INDUSTRIES, TX_TYPES


def _one(parser: Callable[[pa.Array], parse.Parsed], text: str | None
         ) -> tuple[int, bool, bool, str | None]:
    """Parse one cell; return (value, blank, bad, reason)."""
    parsed = parser(pa.array([text], pa.string()))
    return int(parsed.values[0]), bool(parsed.blank[0]), bool(parsed.bad[0]), _reason(parsed, 0)


def _reason(parsed: parse.Parsed, i: int) -> str | None:
    """The message explaining cell ``i`` (exactly one when the cell is bad, else none)."""
    found = [message for message, mask in parsed.reasons.items() if mask[i]]
    assert len(found) == int(bool(parsed.bad[i])), found
    return found[0] if found else None


def _days(day: date) -> int:
    return (day - date(1970, 1, 1)).days


# -- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("1234.5", 123450),
        ("1,234.50", 123450),
        ("¥1,234.50", 123450),
        ("￥1234", 123400),
        (" 12 ", 1200),
        ("\t12.3\t", 1230),
        ("\u300012\u3000", 1200),  # ideographic spaces around the number
        ("0", 0),
        ("0.01", 1),
        ("0.1", 10),
        ("1.", 100),
        ("+7", 700),
        ("-5", -500),  # parsed; "must be > 0" is the validator's rule, not the parser's
        ("1,000,000.00", 100_000_000),
        ("0012.30", 1230),
    ],
)
def test_money_is_exact_fen(text: str, fen: int) -> None:
    value, blank, bad, _ = _one(parse.money, text)
    assert (value, blank, bad) == (fen, False, False)


def test_money_never_goes_through_a_float() -> None:
    # 0.29 * 100 == 28.999999999999996 in binary floating point
    assert _one(parse.money, "0.29")[0] == 29
    assert _one(parse.money, "1.13")[0] == 113
    parsed = parse.money(pa.array(["0.1"] * 1000, pa.string()))
    assert int(parsed.values.sum()) == 10_000
    assert parsed.values.dtype == np.int64


@pytest.mark.parametrize("text", ["1.005", "1.000", "0.001", "¥1,234.567"])
def test_money_with_more_than_two_decimals_is_an_error_not_a_rounding(text: str) -> None:
    _, blank, bad, reason = _one(parse.money, text)
    assert bad
    assert not blank
    assert reason == "more than 2 decimals"


@pytest.mark.parametrize("text", ["abc", "12abc", "1e5", ".5", "1.2.3", "--5", "¥", "１２",
                                  "12 34", "NaN", "CNY 12"])
def test_money_that_is_not_a_number_is_an_error(text: str) -> None:
    _, blank, bad, reason = _one(parse.money, text)
    assert bad
    assert not blank
    assert "not a money amount" in reason


@pytest.mark.parametrize("text", ["", "   ", None])
def test_money_blank_is_blank_not_bad(text: str | None) -> None:
    value, blank, bad, _ = _one(parse.money, text)
    assert (value, blank, bad) == (0, True, False)


def test_huge_money_is_exact_up_to_the_limit_then_an_error() -> None:
    # 15 digits of yuan: exact in int64 fen, no float rounding at all
    assert _one(parse.money, "999,999,999,999,999.99")[:3] == (99_999_999_999_999_999, False,
                                                                 False)
    assert _one(parse.money, "123456789012345.67")[0] == 12_345_678_901_234_567
    assert _one(parse.money, "-999999999999999.99")[0] == -99_999_999_999_999_999
    _, _, bad, reason = _one(parse.money, "1,000,000,000,000,000")
    assert bad
    assert reason == "too large"
    _, _, bad, reason = _one(parse.money, "9" * 40)
    assert bad
    assert reason == "too large"


def test_money_reasons_are_per_cell() -> None:
    parsed = parse.money(pa.array(["1.005", "abc", "12", None, "9" * 20], pa.string()))
    assert parsed.bad.tolist() == [True, True, False, False, True]
    assert parsed.blank.tolist() == [False, False, False, True, False]
    assert _reason(parsed, 0) == "more than 2 decimals"
    assert "not a money amount" in (_reason(parsed, 1) or "")
    assert _reason(parsed, 2) is None
    assert _reason(parsed, 3) is None
    assert _reason(parsed, 4) == "too large"
    assert parsed.values[2] == 1200


def test_decimal_with_six_places_for_rates() -> None:
    def rate(text: str) -> tuple[int, bool]:
        parsed = parse.decimal(pa.array([text], pa.string()), 6, money=False)
        return int(parsed.values[0]), bool(parsed.bad[0])

    assert rate("4.35") == (4_350_000, False)
    assert rate("0") == (0, False)
    assert rate("4.123456") == (4_123_456, False)
    assert rate("4.1234567")[1]
    assert rate("¥4")[1]  # currency signs belong to money only
    parsed = parse.decimal(pa.array(["4.1234567"], pa.string()), 6, money=False)
    assert _reason(parsed, 0) == "more than 6 decimals"


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2026-10-05", "2026/10/05", "20261005", " 2026-10-05 ",
                                  "2026-10-5", "2026/10/5"])
def test_the_three_date_forms_are_the_same_day(text: str) -> None:
    value, blank, bad, _ = _one(parse.date_days, text)
    assert (value, blank, bad) == (_days(date(2026, 10, 5)), False, False)


def test_short_month_and_day_in_separated_forms() -> None:
    assert _one(parse.date_days, "2026/1/5")[0] == _days(date(2026, 1, 5))


@pytest.mark.parametrize(
    ("text", "day"),
    [("2024-02-29", date(2024, 2, 29)), ("20240229", date(2024, 2, 29)),
     ("2000-02-29", date(2000, 2, 29)), ("2026-12-31", date(2026, 12, 31)),
     ("1970-01-01", date(1970, 1, 1)), ("1969-12-31", date(1969, 12, 31))],
)
def test_valid_calendar_days(text: str, day: date) -> None:
    value, _, bad, _ = _one(parse.date_days, text)
    assert not bad
    assert value == _days(day)
    assert parse.days_to_dates(np.array([value], np.int32))[0] == np.datetime64(day)


@pytest.mark.parametrize(
    "text",
    ["2026-02-30", "2023-02-29", "20230229", "1900-02-29", "2026-04-31", "2026-13-01",
     "2026-00-10", "2026-10-00", "20261301", "26-10-05", "2026.10.05", "2026-10-05 00:00:00",
     "10/05/2026", "2026年10月5日", "yesterday", "2026-10", "202610051"],
)
def test_invalid_dates_are_errors(text: str) -> None:
    value, blank, bad, reason = _one(parse.date_days, text)
    assert bad
    assert not blank
    assert value == parse.NO_DATE
    assert "YYYY-MM-DD" in reason


def test_blank_date_is_blank() -> None:
    value, blank, bad, _ = _one(parse.date_days, "  ")
    assert (value, blank, bad) == (parse.NO_DATE, True, False)


# -- enums ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [("corporate", 0), ("对公", 0), ("CORPORATE", 0), ("Corporate", 0), ("  corporate  ", 0),
     (" 对公\t", 0), ("individual_business", 1), ("Individual_Business", 1), ("个体工商户", 1),
     ("micro_owner", 2), ("小微企业主", 2), ("individual", 3), ("个人", 3)],
)
def test_customer_type_by_code_or_label(text: str, code: int) -> None:
    value, blank, bad, _ = _one(lambda a: parse.enum(a, CUSTOMER_TYPES), text)
    assert (value, blank, bad) == (code, False, False)


@pytest.mark.parametrize("text", ["corp", "公司", "individual business", "0", "对 公"])
def test_unknown_enum_value_is_an_error_listing_the_choices(text: str) -> None:
    value, blank, bad, reason = _one(lambda a: parse.enum(a, CUSTOMER_TYPES), text)
    assert bad
    assert not blank
    assert value == -1
    assert "corporate 对公" in reason
    assert "individual 个人" in reason


def test_enum_blank_is_blank() -> None:
    value, blank, bad, _ = _one(lambda a: parse.enum(a, GRADES), " ")
    assert (value, blank, bad) == (-1, True, False)


def test_enum_whole_column_mixed_forms() -> None:
    parsed = parse.enum(pa.array(["Disburse", "收回", " WRITEOFF ", "收息", "核销后收回",
                                  None, "repay", "pay"], pa.string()), TX_TYPES)
    assert parsed.values.tolist() == [0, 1, 2, 3, 4, -1, 1, -1]
    assert parsed.bad.tolist() == [False] * 7 + [True]
    assert parsed.blank.tolist() == [False] * 5 + [True, False, False]


def test_industry_letters_case_insensitive_and_labels() -> None:
    parsed = parse.enum(pa.array(["C", "c", "制造业", "T", "U"], pa.string()), INDUSTRIES)
    assert parsed.values.tolist() == [2, 2, 2, 19, -1]


def test_grades_in_display_order() -> None:
    parsed = parse.enum(pa.array(["正常", "关注", "次级", "可疑", "损失", "Special_Mention"],
                                 pa.string()), GRADES)
    assert parsed.values.tolist() == [0, 1, 2, 3, 4, 1]


def test_text_is_trimmed_and_blank_cells_are_null() -> None:
    assert text_columns.clean(pa.array(["  a b ", None, "   ", "x"], pa.string())).to_pylist() == [
        "a b", None, None, "x"]


# -- the range of dates a ledger may hold (issue 9) ----------------------------------------


class TestDatesOutsideTheLedgerRange:
    """1900-01-01 … 2199-12-31, one rule for every date cell in every form; a year typed
    7026 for 2026 used to overflow the engine's key and book money on the next loan."""

    @pytest.mark.parametrize("text", ["1900-01-01", "19000101", "1900/1/1", "2199-12-31",
                                      "21991231", "2199/12/31"])
    def test_the_first_and_last_day_are_dates(self, text: str) -> None:
        value, _, bad, _ = _one(parse.date_days, text)
        assert not bad
        assert value in (_days(date(1900, 1, 1)), _days(date(2199, 12, 31)))

    @pytest.mark.parametrize("text", ["7026-10-05", "70261005", "7026/10/5", "1899-12-31",
                                      "18991231", "2200-01-01", "0000-01-01", "00000101",
                                      "0000/2/29", "0001-01-01", "9999-12-31"])
    def test_outside_is_a_cell_error_of_its_own(self, text: str) -> None:
        value, blank, bad, reason = _one(parse.date_days, text)
        assert (value, blank, bad) == (parse.NO_DATE, False, True)
        assert reason == "outside the dates a ledger may hold (1900-01-01 to 2199-12-31)"

    @pytest.mark.parametrize("text", ["0000-02-30", "0000-13-01", "00000230"])
    def test_a_year_zero_that_is_no_calendar_day_stays_not_a_date(self, text: str) -> None:
        assert "YYYY-MM-DD" in str(_one(parse.date_days, text)[3])

    @pytest.mark.parametrize("text", ["7026-10-05", "0000-01-01", "1899-12-31",
                                      "2200-01-01"])
    def test_a_column_arrow_read_as_dates_gets_the_same_rule(self, text: str) -> None:
        typed = pa.array([text, "2026-10-05", None]).cast(pa.date32())
        parsed = parse.date_days(typed)
        assert parsed.bad.tolist() == [True, False, False]
        assert parsed.values[0] == parse.NO_DATE
        assert parsed.blank.tolist() == [False, False, True]
        assert _reason(parsed, 0) == parse.OUT_OF_RANGE


_DATE_TEXT = st.builds(
    lambda y, m, d, form: form.format(y=y, m=m, d=d),
    st.integers(0, 9999), st.integers(0, 13), st.integers(0, 32),
    st.sampled_from(["{y:04d}-{m:02d}-{d:02d}", "{y:04d}/{m}/{d}", "{y:04d}{m:02d}{d:02d}"]))


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_DATE_TEXT | st.sampled_from(["0000-01-01", "7026-10-05", "1899-12-31",
                                              "2199-12-31", "1900-01-01", ""]),
                min_size=1, max_size=12))
def test_fast_and_general_date_paths_agree(texts: list[str]) -> None:
    """Arrow's typed CSV read (the fast path, taken when every cell is an ISO date) and
    the text parser (taken as soon as one cell is not) give each cell the same day and
    the same verdict, so a cell's fate never depends on the other cells of its column."""
    from reportgen.ledger.read_csv import read_typed_or_text
    from reportgen.ledger.schema import Kind

    body = "d\n" + "".join(f"{t}\n" if t else '""\n' for t in texts)
    table, _ = read_typed_or_text(body.encode(), ["d"], {"d": Kind.DATE})
    fast = parse.date_days(table.column("d").combine_chunks())
    general = parse.date_days(pa.array([t or None for t in texts], pa.string()))
    assert fast.values.tolist() == general.values.tolist()
    assert fast.bad.tolist() == general.bad.tolist()
    assert fast.blank.tolist() == general.blank.tolist()
    for text in texts:  # each cell alone: the same as within any column
        alone = parse.date_days(pa.array([text or None], pa.string()))
        index = texts.index(text)
        assert alone.values[0] == general.values[index]


_TABLE_DATES = [
    # (table, rows with the bad date, where, value)
    ("loans", badinput.LOANS.replace("2026-03-01,2027", "7026-03-01,2027"),
     "loans.csv, row 3, column start_date", "7026-03-01"),
    ("loans", badinput.LOANS.replace("2027-01-15", "0000-01-15"),
     "loans.csv, row 2, column maturity_date", "0000-01-15"),
    ("transactions", badinput.TRANSACTIONS.replace("L2,2026-08-01", "L2,7026-08-01"),
     "transactions.csv, row 5, column date", "7026-08-01"),
    ("transactions", badinput.TRANSACTIONS.replace("L2,2026-08-01", "L2,70260801"),
     "transactions.csv, row 5, column date", "70260801"),
    ("transactions", badinput.TRANSACTIONS.replace("L2,2026-08-01", "L2,1899/8/1"),
     "transactions.csv, row 5, column date", "1899/8/1"),
    ("classifications", badinput.CLASSIFICATIONS.replace("L2,2026-03-01", "L2,2200-03-01"),
     "classifications.csv, row 3, column date", "2200-03-01"),
    ("classifications", badinput.CLASSIFICATIONS.replace(
        "L2,2026-03-01,normal,", "L2,2026-03-01,substandard,0000-01-01"),
     "classifications.csv, row 3, column overdue_since", "0000-01-01"),
    ("bank_figures", badinput.BANK_FIGURES.replace("2026-09-30,provision",
                                                   "7026-09-30,provision"),
     "bank_figures.csv, row 2, column date", "7026-09-30"),
]


class TestDatesOutsideTheRangeThroughTheCli:
    @pytest.mark.parametrize(("table", "rows", "where", "value"), _TABLE_DATES,
                             ids=[w.split(",")[0] + "-" + v for _, _, w, v in _TABLE_DATES])
    def test_csv(self, tmp_path: Path, table: str, rows: str, where: str, value: str
                 ) -> None:
        path = badinput.ledger(tmp_path / "l", **{table: rows})
        badinput.rejected(path, tmp_path,
                          badinput.Expected(where, "outside the dates a ledger may hold", value))

    @pytest.mark.parametrize("other", ["2026-06-01", "2026/6/1"], ids=["iso", "slashes"])
    def test_year_zero_is_refused_whatever_the_other_cells(self, tmp_path: Path, other: str
                                                          ) -> None:
        rows = (badinput.TRANSACTIONS.replace("L2,2026-08-01", "L2,0000-08-01")
                .replace("L1,2026-06-01", f"L1,{other}"))
        path = badinput.ledger(tmp_path / "l", transactions=rows)
        badinput.rejected(path, tmp_path, badinput.Expected(
            "transactions.csv, row 5, column date", "outside the dates", "0000-08-01"))

    def test_a_typo_on_the_last_loan_names_that_loan_not_a_crash(self, tmp_path: Path
                                                                ) -> None:
        rows = badinput.TRANSACTIONS + "L2,7026-10-05,repay,5000\n"
        path = badinput.ledger(tmp_path / "l", transactions=rows)
        stderr = badinput.rejected(path, tmp_path, badinput.Expected(
            "transactions.csv, row 6, column date", "outside the dates", "7026-10-05"))
        assert "balance" not in stderr  # no money moved to (or from) another loan

    @pytest.mark.parametrize(("sheet", "column", "row", "replace"), [
        ("transactions", "date", 5, ("L2,2026-08-01", "L2,7026-08-01")),
        ("loans", "start_date", 3, ("2026-03-01,2027", "2200-03-01,2227")),
    ])
    def test_workbook_date_cells(self, tmp_path: Path, sheet: str, column: str, row: int,
                                 replace: tuple[str, str]) -> None:
        from ledgers import read_tables, write_workbook

        source = {"transactions": badinput.TRANSACTIONS, "loans": badinput.LOANS}[sheet]
        folder = badinput.ledger(tmp_path / "csv", **{sheet: source.replace(*replace)})
        book = write_workbook(tmp_path / "l.xlsx", read_tables(folder))
        value = replace[1].split(",")[1] if sheet == "transactions" else replace[1][:10]
        badinput.rejected(book, tmp_path, badinput.Expected(
            f"l.xlsx, sheet {sheet}, row {row}, column {column}", "outside the dates", value))

    def test_parquet_date_column(self, tmp_path: Path) -> None:
        import pyarrow.parquet as pq

        folder = badinput.ledger(tmp_path / "l")
        (folder / "transactions.csv").unlink()
        pq.write_table(pa.table({
            "loan_id": ["L1", "L2", "L2"],
            "date": pa.array([date(2025, 1, 15), date(2026, 3, 1), date(7026, 10, 5)]),
            "type": ["disburse", "disburse", "repay"],
            "amount": ["500000", "100000", "1"]}), folder / "transactions.parquet")
        badinput.rejected(folder, tmp_path, badinput.Expected(
            "transactions.parquet, row 4, column date", "outside the dates", "7026-10-05"))


# -- thousands separators (issue 9) --------------------------------------------------------


_MISPLACED = ["12,34", "1,2345", ",123", "1,,234", "1,234,5", "12,34.5", "¥12,34", "1234,",
              "-12,34", "1,234,5678.00", "1,23"]


class TestCommasThatDoNotGroupThousands:
    @pytest.mark.parametrize("text", _MISPLACED)
    def test_are_an_error_not_a_number(self, text: str) -> None:
        value, blank, bad, reason = _one(parse.money, text)
        assert (value, blank, bad) == (0, False, True)
        assert reason is not None
        assert reason.startswith("a comma that does not separate")

    @pytest.mark.parametrize(("text", "fen"), [("1,234,567.89", 123456789), ("1,234", 123400),
                                               ("¥12,345.6", 1234560), ("-1,000", -100000),
                                               ("999,999", 99999900)])
    def test_valid_grouping_stays_fine(self, text: str, fen: int) -> None:
        assert _one(parse.money, text)[:3] == (fen, False, False)

    def test_a_plain_column_with_one_misplaced_comma(self) -> None:
        """The fast path proves plain columns; one comma sends the column to the general
        path, which must still refuse it."""
        parsed = parse.money(pa.array(["1.00", "2.50", "12,34.00"]))
        assert parsed.bad.tolist() == [False, False, True]

    @pytest.mark.parametrize("text", ["12,34", "1,2345", "1,234,5"])
    def test_through_the_cli(self, tmp_path: Path, text: str) -> None:
        rows = badinput.TRANSACTIONS.replace("repay,20000", f'repay,"{text}"')
        path = badinput.ledger(tmp_path / "l", transactions=rows)
        badinput.rejected(path, tmp_path, badinput.Expected(
            "transactions.csv, row 5, column amount", "a comma that does not separate", text))
