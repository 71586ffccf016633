"""formatting.py: every shown figure rounds once, half-up, and Excel shows the same digits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reportgen.formatting import (
    EXCEL_TEXT_MAX,
    NULL,
    SHOWN_TEXT_MAX,
    Kind,
    clean_text,
    count_text,
    excel_format,
    excel_text,
    excel_value,
    looks_like_formula,
    money_in_unit,
    money_text,
    percent,
    percent_text,
    points_text,
    rate_text,
    ratio6,
    round_fraction,
    shown_text,
    text,
    yuan,
)


def test_existing_json_forms_are_unchanged() -> None:
    assert yuan(1_000_005_000) == "10000050.00"
    assert yuan(-5) == "-0.05"
    assert ratio6(Fraction(1, 3)) == "0.333333"
    assert ratio6(None) is None
    assert money_in_unit(125_000, "wan") == Decimal("0.13")
    assert percent(Fraction(1, 20)) == Decimal("5.00")


def test_money_in_each_unit_rounds_half_up() -> None:
    # 1,000,005,000 fen = 10,000,050.00 yuan = 1,000.005 万元 = 0.10000050 亿元
    assert money_text(1_000_005_000, "yuan") == "10,000,050.00"
    assert money_text(1_000_005_000, "wan") == "1,000.01"  # half-even would say 1,000.00
    assert money_text(1_000_005_000, "yi") == "0.10"
    assert money_text(125_000, "wan") == "0.13"
    assert money_text(-125_000, "wan") == "-0.13"  # half away from zero
    assert money_text(0, "wan") == "0.00"
    assert money_text(None, "wan") == NULL


def test_percentages_points_rates_and_counts() -> None:
    assert percent_text(Fraction(1, 20)) == "5.00%"
    assert percent_text(Fraction(1, 3)) == "33.33%"
    assert percent_text(Fraction(6, 5)) == "120.00%"
    assert percent_text(Fraction(1, 20000)) == "0.01%"  # 0.005% exactly: half goes up
    assert percent_text(Fraction(-1, 20000)) == "-0.01%"  # … away from zero
    assert percent_text(Fraction(1, 8000)) == "0.01%"  # 0.0125% → 0.01
    assert percent_text(None) == "—"
    assert points_text(Fraction(1, 100)) == "1.00个百分点"
    assert points_text(Fraction(-1, 400), "en") == "-0.25 pp"
    assert rate_text(Fraction(4355, 1000)) == "4.36%"
    assert count_text(12345) == "12,345"
    assert text(Kind.LIMIT_MAX, Fraction(1, 20)) == "≤ 5.00%"
    assert text(Kind.LIMIT_MIN, Fraction(3, 2)) == "≥ 150.00%"
    assert text(Kind.DATE, date(2026, 10, 31)) == "2026-10-31"
    assert text(Kind.YUAN, 99) == "0.99"
    assert text(Kind.TEXT, "=1+1") == "=1+1"
    assert all(text(kind, None) == "—" for kind in Kind)


def test_excel_values_are_numbers_rounded_like_the_text() -> None:
    assert excel_value(Kind.MONEY, 1_000_005_000) == Decimal("1000.01")
    assert excel_value(Kind.MONEY, 1_000_005_000, "yuan") == Decimal("10000050.00")
    assert excel_value(Kind.RATIO, Fraction(1, 3)) == Decimal("0.3333")
    assert excel_value(Kind.POINTS, Fraction(1, 100)) == Decimal("1.00")
    assert excel_value(Kind.RATE, Fraction(4355, 1000)) == Decimal("0.0436")
    assert excel_value(Kind.COUNT, 7) == 7
    assert excel_value(Kind.RATIO, None) == "—"
    assert excel_format(Kind.MONEY) == "#,##0.00"
    assert excel_format(Kind.RATIO) == "0.00%"
    assert excel_format(Kind.COUNT) == "#,##0"
    assert excel_format(Kind.POINTS, "en") == '0.00" pp";-0.00" pp"'


@given(st.integers(min_value=-10**15, max_value=10**15), st.sampled_from(["yuan", "wan", "yi"]))
def test_excel_money_shows_the_digits_of_the_text(fen: int, unit: str) -> None:
    value = excel_value(Kind.MONEY, fen, unit)
    assert isinstance(value, Decimal)  # exact: openpyxl writes its decimal text
    shown = f"{value:,.2f}"  # what "#,##0.00" displays
    assert shown.replace("-0.00", "0.00") == money_text(fen, unit).replace("-0.00", "0.00")


@given(st.fractions(min_value=-10, max_value=10, max_denominator=10**9))
def test_excel_ratio_shows_the_digits_of_the_text(value: Fraction) -> None:
    cell = excel_value(Kind.RATIO, value)
    assert isinstance(cell, Decimal)
    shown = f"{cell * 100:,.2f}%".replace("-0.00%", "0.00%")
    assert shown == percent_text(value).replace("-0.00%", "0.00%")


def _round_by_fraction(value: Fraction, places: int) -> Decimal:
    """The rounding as first written, on the Fraction itself (the reference)."""
    scaled = value * 10**places
    sign = -1 if scaled < 0 else 1
    whole, rest = divmod(abs(scaled).numerator, abs(scaled).denominator)
    if 2 * rest >= abs(scaled).denominator:
        whole += 1
    return Decimal(sign * whole).scaleb(-places)


@given(st.fractions(max_denominator=10**15), st.integers(min_value=0, max_value=8))
def test_integer_rounding_equals_rounding_the_fraction(value: Fraction, places: int) -> None:
    assert round_fraction(value, places) == _round_by_fraction(value, places)
    assert str(round_fraction(value, places)) == str(_round_by_fraction(value, places))


def test_ratio6_text_at_the_edges() -> None:
    assert ratio6(Fraction(0)) == "0.000000"
    assert ratio6(Fraction(-1, 10**7)) == "0.000000"  # rounds to zero: no sign
    assert ratio6(Fraction(-1, 2 * 10**6)) == "-0.000001"  # half away from zero
    assert ratio6(Fraction(123, 1)) == "123.000000"


def test_identity_numbers_are_masked() -> None:
    from reportgen.formatting import mask_id

    assert mask_id("110101199001011234") == "110101********1234"
    assert mask_id("91330100MA2XXXXX7Q") == "913301********XX7Q"
    assert mask_id("1234567") == "******7"
    assert mask_id(None) == ""


# --- text made safe for each format ---------------------------------------------------------

REMOVED = ([chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]
           + [chr(c) for c in range(0x7F, 0xA0)]
           + ["\ud800", "\udbff", "\udc00", "\udfff", "\ufdd0", "\ufdef", "\ufffe", "\uffff",
              "\U0001fffe", "\U0001ffff", "\U0010fffe", "\U0010ffff"])
KEPT = ["\t", "\n", "\r", " ", "\u00a0", "\u00ad", "\u200b", "\ufdcf", "\ufdf0", "\ufffd",
        "\U0001fffd", "\U00020000", "名", "€"]


@pytest.mark.parametrize("ch", REMOVED, ids=[f"U+{ord(c):04X}" for c in REMOVED])
def test_unsafe_characters_are_removed(ch: str) -> None:
    assert clean_text(f"a{ch}b{ch}") == "ab"


@pytest.mark.parametrize("ch", KEPT, ids=[f"U+{ord(c):04X}" for c in KEPT])
def test_other_characters_are_kept(ch: str) -> None:
    assert clean_text(f"a{ch}b") == f"a{ch}b"


@given(st.text())
def test_cleaned_text_is_utf8_and_xml_safe_and_cleaning_twice_changes_nothing(s: str) -> None:
    cleaned = clean_text(s)
    cleaned.encode("utf-8")  # no lone surrogate
    assert clean_text(cleaned) == cleaned
    assert all(ch in "\t\n\r" or ord(ch) >= 0x20 for ch in cleaned)


@pytest.mark.parametrize(("value", "formula"), [
    ("=1+1", True), ("+1", True), ("-1", True), ("@SUM(A1)", True), ("\t=1", True),
    ("\r=1", True), ("a=1", False), (" =1", False), ("", False), ("甲=1", False)])
def test_formula_start(value: str, formula: bool) -> None:
    assert looks_like_formula(value) is formula


@pytest.mark.parametrize("value", ['\x01=HYPERLINK("http://x")', "\x00+1", "\u0085-1",
                                   "\ufffe@x", "\x7f\x1b=1"])
def test_the_formula_check_is_on_the_cleaned_text(value: str) -> None:
    assert not looks_like_formula(value)
    assert looks_like_formula(excel_text(value))
    assert looks_like_formula(shown_text(value))


@pytest.mark.parametrize("length", [SHOWN_TEXT_MAX - 1, SHOWN_TEXT_MAX, SHOWN_TEXT_MAX + 1,
                                    10_000, 100_000])
def test_shown_text_is_cut_with_an_ellipsis(length: int) -> None:
    shown = shown_text("名" * length)
    if length <= SHOWN_TEXT_MAX:
        assert shown == "名" * length
    else:
        assert shown == "名" * (SHOWN_TEXT_MAX - 1) + "…"


def test_shown_text_counts_what_remains_after_cleaning() -> None:
    assert shown_text("\x00" * 100 + "名" * SHOWN_TEXT_MAX) == "名" * SHOWN_TEXT_MAX


@pytest.mark.parametrize("length", [EXCEL_TEXT_MAX, EXCEL_TEXT_MAX + 1, 100_000])
def test_excel_text_fits_a_cell_and_says_it_was_cut(length: int) -> None:
    cut = excel_text("x" * length, "…（原文 {count} 字）")
    if length == EXCEL_TEXT_MAX:
        assert cut == "x" * length
    else:
        assert len(cut) == EXCEL_TEXT_MAX
        assert cut.endswith(f"…（原文 {length:,} 字）")
        assert cut.startswith("x" * 30_000)
