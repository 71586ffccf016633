"""reportgen/analysis/shown.py: a figure as the tables show it, and the sign of that."""

from __future__ import annotations

from fractions import Fraction

import pytest

from reportgen.analysis import shown


@pytest.mark.parametrize(("fen", "unit", "text", "sign"), [
    (18_796_900_000, "wan", "18,796.90", 1),  # 187,969,000 yuan
    (-1_380_610_000, "wan", "1,380.61", -1),
    (4_999, "wan", "0.00", 0),  # 49.99 yuan = 0.004999 万元: shown 0.00, so 持平
    (5_000, "wan", "0.01", 1),  # 50 yuan = 0.005 万元 rounds half up
    (-5_000, "wan", "0.01", -1),  # half away from zero
    (4_000, "yuan", "40.00", 1),
    (123_456_789_012, "yi", "12.35", 1),
])
def test_money(fen: int, unit: str, text: str, sign: int) -> None:
    value = shown.money(fen, unit)
    assert value is not None
    assert (value.text, value.sign, str(value)) == (text, sign, text)
    assert value.exact_sign == (fen > 0) - (fen < 0)
    assert value.signed == ("-" if sign < 0 else "") + text


@pytest.mark.parametrize(("change", "base", "expected"), [
    (18_796_90, 92_558_61, "20.31"),  # 18,796.90 / 92,558.61 = 0.203082… → 20.31 %
    (-1, 3, "33.33"),
    (5, 0, None),  # no rate on a zero base
    (5, None, None),  # nor on an unknown one
    (None, 100, None),
])
def test_growth(change: int | None, base: int | None, expected: str | None) -> None:
    value = shown.growth(change, base)
    assert (None if value is None else value.text) == expected


def test_points_and_unknown() -> None:
    change = shown.ratio_change(Fraction(436, 10000), Fraction(421, 10000))
    assert change is not None
    assert (change.text, change.sign) == ("0.15", 1)
    assert shown.ratio_change(Fraction(1, 2), None) is None
    assert shown.pct(None) is None
    assert shown.money(None, "wan") is None
    tiny = shown.ratio_change(Fraction(1, 10**6), 0)  # 0.0001 pp shows 0.00: 持平
    assert tiny is not None
    assert tiny.sign == 0
    count = shown.count(12_345)
    assert count is not None
    assert count.text == "12,345"
