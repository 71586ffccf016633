"""The parsers' fast paths (reportgen/ledger/textscan.py) agree with the general paths.

A fast path may only decline work, never change a result: for any column, ``decimal`` and
``clean`` must give exactly what ``general_decimal`` and ``trim`` give.  Hypothesis draws
columns mixing plain amounts with the near misses that matter (exponents, a leading
point, three decimals, signs, blanks, full-width and no-break spaces).
"""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.ledger import parse, text_columns, textscan

_PLAIN = st.from_regex(r"\A[0-9]{1,17}\.[0-9]{1,3}\Z")
_NEAR = st.sampled_from(["1e3", ".5", "5.", "+5.00", "-5.00", "5.500", "1,234.50", " 5.00",
                         "5.00 ", "¥5.00", "5..0", "05.00", "0.00", "5", "", "\u30005.00",
                         "5.00\u00a0", "1234567890123456.00", "123456789012345.12"])
_AMOUNT = st.one_of(_PLAIN, _NEAR, st.none(), st.text(max_size=6))


def _chunked(values: list[str | None], cut: int) -> pa.ChunkedArray:
    """Two chunks; the first a slice (offset 1) of a bigger array, as readers may hand over."""
    cut = min(cut, len(values))
    first = pa.array([" junk ", *values[:cut]], pa.string()).slice(1)
    return pa.chunked_array([first, pa.array(values[cut:], pa.string())], pa.string())


def _same(fast: parse.Parsed, general: parse.Parsed) -> None:
    np.testing.assert_array_equal(fast.blank, general.blank)
    np.testing.assert_array_equal(fast.bad, general.bad)
    ok = ~general.bad
    np.testing.assert_array_equal(fast.values[ok], general.values[ok])


@settings(max_examples=300, deadline=None)
@given(st.lists(_AMOUNT, max_size=30), st.integers(0, 30), st.sampled_from([2, 6]))
def test_decimal_fast_path_gives_what_the_general_path_gives(
        values: list[str | None], cut: int, places: int) -> None:
    array = _chunked(values, cut)
    _same(parse.decimal(array, places, money=places == 2),
          parse.general_decimal(array, places, money=places == 2))


def test_plain_amounts_take_the_fast_path_and_are_exact() -> None:
    array = _chunked(["1234.50", "0.5", None, "999999999999999.99"], 2)
    assert textscan.plain_decimals(array, 2, 15)
    assert parse.money(array).values.tolist() == [123450, 50, 0, 99999999999999999]


def test_near_misses_do_not_take_the_fast_path() -> None:
    for text in ["1e3", ".5", "5.", "+5.00", "5.500", "5", " 5.00", "1234567890123456.00"]:
        assert not textscan.plain_decimals(pa.array([text]), 2, 15), text


_TEXT = st.one_of(st.none(), st.text(max_size=8),
                  st.sampled_from(["JJ0001", " JJ0001", "JJ0001\t", "\u3000张三", "张三\u3000",
                                   "李四\u00a0", "\u2003x", "é", "x\u0085", "😀", "", " "]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_TEXT, max_size=30), st.integers(0, 30))
def test_clean_fast_path_gives_what_trim_gives(values: list[str | None], cut: int) -> None:
    array = _chunked(values, cut)
    assert text_columns.clean(array).to_pylist() == text_columns.trim(array).to_pylist()


def test_ids_and_chinese_names_need_no_trim() -> None:
    assert textscan.already_trimmed(pa.array(["JJ0001", "张三（个体）", "Ünal", "a", None]))
    for text in [" a", "a ", "\u3000张三", "张三\u3000", "a\u00a0", "\u2003a", ""]:
        assert not textscan.already_trimmed(pa.array([text])), repr(text)


_PLAIN_MONEY = st.from_regex(r"\A[0-9]{1,15}\.[0-9]{1,2}\Z")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PLAIN_MONEY, _PLAIN_MONEY, st.none(), _AMOUNT), max_size=40),
       st.integers(0, 40))
def test_money_column_gives_what_the_general_path_gives(
        values: list[str | None], cut: int) -> None:
    array = _chunked(values, cut)
    _same(parse.money_column(array), parse.general_decimal(array, 2, money=True))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PLAIN_MONEY, st.none()), min_size=1, max_size=40),
       st.integers(0, 40))
def test_plain_fen_reads_every_plain_amount_exactly(values: list[str | None], cut: int) -> None:
    array = _chunked(values, cut)
    fen = np.concatenate([textscan.plain_fen(c) for c in array.chunks])
    expected = [0 if v is None else int(v.split(".")[0]) * 100
                + int(v.split(".")[1].ljust(2, "0")) for v in values]
    assert fen.tolist() == expected


def test_plain_fen_by_hand() -> None:
    # Worked by hand: 1 to 15 whole digits (one word and two), one and two decimals,
    # zeros, a null between values.
    array = pa.array(["0.0", "7.5", "12.34", None, "99999999.99", "100000000.01",
                      "999999999999999.99", "000123.4", "40000000.05"], pa.string())
    assert textscan.plain_decimals(array, 2, 15)
    assert textscan.plain_fen(array).tolist() == [
        0, 750, 1234, 0, 9_999_999_999, 10_000_000_001, 99_999_999_999_999_999, 12_340,
        4_000_000_005]


_TWO_PLACES = st.from_regex(r"\A[0-9]{1,16}\.[0-9]{2}\Z")
# The usual export's shape with something wrong inside it: what the point-cut and the
# integer cast must refuse (a sign, a second point, blanks, an exponent, letters).
_TWO_PLACES_NEAR = st.from_regex(r"\A[0-9+\-. eE]{1,6}\.[0-9]{2}\Z")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_TWO_PLACES, _TWO_PLACES, st.none(), _TWO_PLACES_NEAR),
                max_size=40), st.integers(0, 40))
def test_two_decimal_chunks_give_what_the_general_path_gives(
        values: list[str | None], cut: int) -> None:
    array = _chunked(values, cut)
    _same(parse.money_column(array), parse.general_decimal(array, 2, money=True))


def test_two_decimal_fen_by_hand() -> None:
    # Worked by hand: the point cut out, the digits left read as fen; a null is 0.
    array = pa.array(["0.00", "7.50", None, "12.34", "999999999999999.99", "000123.40"])
    assert textscan._two_decimal_fen(array, 15).tolist() == [
        0, 750, 0, 1234, 99_999_999_999_999_999, 12_340]
    for text in ["1..00", "12.3.45", "-1.00", "+1.00", " 1.00", "1 2.00", ".00", "1e2.00",
                 "7.5", "1234567890123456.00", "1,234.00"]:
        assert textscan._two_decimal_fen(pa.array(["1.00", text]), 15) is None, text


@pytest.mark.parametrize("odd", [None, " A7", "A7\u3000", "  ", ""])
def test_ids_in_runs_are_cleaned_by_their_runs_first_cells(odd: str | None) -> None:
    """A deposit export in account order (each id on 31 rows): the trim is decided on
    each run's first cell; any run that needs one (a blank before or after the id, a
    blank cell) makes the whole column trimmed as ``trim`` does."""
    ids: list[str | None] = [f"A{i // 31}" for i in range(70_000)]
    ids[100:110] = [None] * 10
    if odd is not None:
        ids[217:248] = [odd] * 31  # the run of A7
    array = _chunked(ids, 30_001)
    cleaned, starts = text_columns.clean_repeated(array)
    assert cleaned.to_pylist() == text_columns.trim(array).to_pylist()
    assert starts is not None
    assert starts.tolist() == [i for i in range(len(ids)) if i == 0 or ids[i] != ids[i - 1]
                               or ids[i] is None]


def test_ids_not_in_runs_are_cleaned_as_any_text() -> None:
    ids = [f" A{i % 5000}" for i in range(70_000)]
    cleaned, starts = text_columns.clean_repeated(_chunked(ids, 100))
    assert starts is None
    assert cleaned.to_pylist() == [v.strip() for v in ids]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["A", "B", "AB", ""])), max_size=30),
       st.lists(st.integers(0, 30), max_size=4))
def test_runs_start_where_a_key_differs_from_the_one_before(
        keys: list[str | None], cuts: list[int]) -> None:
    """Chunked anywhere (empty chunks too): a run starts at the first key, at a key
    unequal to the one before, and at every blank."""
    edges = [0, *sorted(min(c, len(keys)) for c in cuts), len(keys)]
    array = pa.chunked_array([pa.array(keys[a:b], pa.string())
                              for a, b in itertools.pairwise(edges)], pa.string())
    expected = [i for i, key in enumerate(keys)
                if i == 0 or key is None or keys[i - 1] is None or key != keys[i - 1]]
    assert textscan.runs(array).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=30),
       st.lists(st.integers(0, 30), max_size=4), st.data())
def test_take_sorted_is_take(keys: list[str | None], cuts: list[int],
                             data: st.DataObject) -> None:
    edges = [0, *sorted(min(c, len(keys)) for c in cuts), len(keys)]
    array = pa.chunked_array([pa.array(keys[a:b], pa.string())
                              for a, b in itertools.pairwise(edges)], pa.string())
    rows = sorted(data.draw(st.sets(st.integers(0, max(len(keys) - 1, 0)))) if keys else [])
    picked = textscan.take_sorted(array, np.array(rows, dtype=np.int64))
    assert picked.to_pylist() == [keys[r] for r in rows]
