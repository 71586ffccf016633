"""reportgen/ledger/parse.py: exact money, strict dates and enums, cell by cell."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pyarrow as pa
import pytest

from reportgen.ledger import parse
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
    assert parse.clean(pa.array(["  a b ", None, "   ", "x"], pa.string())).to_pylist() == [
        "a b", None, None, "x"]
