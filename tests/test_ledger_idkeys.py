"""reportgen/ledger/idkeys.py: ids of one fixed form joined as integers, same rows as text.

The integer join may only decline work, never change a row: for any two id columns it
either declines (None) or gives, for every key, the row of its first equal id in the
universe (-1 when there is none), which is what Arrow's ``index_in`` on the text gives.
Hypothesis draws ids of a few fixed forms mixed with the near misses that matter: another
width, a letter where the others have a digit, another prefix, blanks, full-width digits,
repeated ids, more varying digits than an int64 holds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.ledger import idkeys
from reportgen.ledger.joins import lookup as _lookup


def _by_text(keys: pa.Array | pa.ChunkedArray, universe: pa.Array | pa.ChunkedArray
             ) -> list[int]:
    """The answer worked out the slow, obvious way: first equal id's row, else -1."""
    first: dict[str, int] = {}
    for row, value in enumerate(universe.to_pylist()):
        if value is not None:
            first.setdefault(value, row)
    return [-1 if k is None else first.get(k, -1) for k in keys.to_pylist()]


def _chunked(values: list[str | None], cut: int) -> pa.ChunkedArray:
    """Two chunks; the first a slice (offset 1) of a bigger array, as readers hand over."""
    cut = min(cut, len(values))
    first = pa.array(["JJ999", *values[:cut]], pa.string()).slice(1)
    return pa.chunked_array([first, pa.array(values[cut:], pa.string())], pa.string())


_FIXED = st.one_of(
    st.from_regex(r"\AJJ2024[0-9]{4}\Z"),  # prefix + date-like digits
    st.from_regex(r"\AJJ2024000[0-9]\Z"),
    st.sampled_from(["JJ20240001", "JJ20240002", "JJ20249999"]),
)
_NEAR = st.sampled_from([
    "JJ2024001", "JJ202400011", "JJ2024000A", "KK20240001", "jj20240001", "JJ-2024-001",
    "JJ２０２４0001", "JJ2024000１", " J20240001", "JJ20240001 ", "", "1234567890",
    "JJ1234567890123456789", "张三2024001",
])
_ID = st.one_of(_FIXED, _FIXED, _FIXED, _NEAR, st.none())


@settings(max_examples=300, deadline=None)
@given(st.lists(_ID, max_size=25), st.lists(_ID, max_size=40), st.integers(0, 40))
def test_integer_join_gives_the_rows_the_text_join_gives(
        universe: list[str | None], keys: list[str | None], cut: int) -> None:
    u = pa.array(universe, pa.string())
    k = _chunked(keys, cut)
    fast = idkeys.lookup(k, u)
    expected = _by_text(k, u)
    if fast is not None:
        assert fast.tolist() == expected
    # A blank key is reported as a blank (a required column), whatever row it gets.
    given = [i for i, key in enumerate(k.to_pylist()) if key is not None]
    assert _lookup(k, u)[given].tolist() == [expected[i] for i in given]


def test_fixed_form_ids_take_the_integer_join() -> None:
    universe = pa.array(["JJ202401010000003", "JJ202401010000001", "JJ202512310000002"])
    keys = pa.array(["JJ202401010000001", "JJ202512310000002", "JJ202401010000009",
                     "JJ202401010000003", "JJ202401010000001"])
    assert idkeys.lookup(keys, universe).tolist() == [1, 2, -1, 0, 1]


def test_a_repeated_id_keeps_its_first_row() -> None:
    universe = pa.array(["KH000002", "KH000001", "KH000002"])
    assert idkeys.lookup(pa.array(["KH000002", "KH000001"]), universe).tolist() == [0, 1]


@pytest.mark.parametrize(("universe", "keys"), [
    (["JJ0001", "JJ0002"], ["JJ0001", "JJ001"]),  # another width
    (["JJ0001", "JJ0002"], ["JJ0001", "JJ000A"]),  # a letter where the others have a digit
    (["JJ0001", "JJ0002"], ["KK0001"]),  # another prefix
    (["JJ0001", "JJ0002"], ["JJ0001", None]),  # a blank
    (["JJ0001", None], ["JJ0001"]),  # a blank in the universe
    (["JJ０1", "JJ１1"], ["JJ１1"]),  # full-width digits are no digits
    (["9999999999999999999", "0000000000000000000"], ["0000000000000000000"]),  # 19 digits
    (["张三", "李四"], ["李四"]),
])
def test_other_forms_are_left_to_the_text_join(universe: list[str | None],
                                               keys: list[str | None]) -> None:
    u, k = pa.array(universe, pa.string()), pa.array(keys, pa.string())
    assert idkeys.lookup(k, u) is None
    given = [i for i, key in enumerate(keys) if key is not None]
    assert _lookup(k, u)[given].tolist() == [_by_text(k, u)[i] for i in given]


def test_constant_bytes_of_any_kind_are_part_of_the_form() -> None:
    universe = pa.array(["张三-0001", "张三-0002", "张三-0010"])
    keys = pa.array(["张三-0010", "张三-0001", "张三-0003"])
    assert idkeys.lookup(keys, universe).tolist() == [2, 0, -1]


def test_18_varying_digits_still_fit() -> None:
    universe = pa.array(["999999999999999999", "000000000000000000", "123456789012345678"])
    keys = pa.array(["123456789012345678", "999999999999999999", "999999999999999998"])
    assert idkeys.lookup(keys, universe).tolist() == [2, 0, -1]


def test_sparse_ids_are_hashed_and_dense_ids_looked_up_in_a_table() -> None:
    rng = np.random.default_rng(7)
    sparse = rng.choice(10**15, size=2000, replace=False)
    for numbers in (sparse, np.arange(5000, 7000)):
        universe = pa.array([f"JJ{n:015d}" for n in numbers.tolist()])
        picks = rng.integers(0, len(numbers), size=3000)
        keys = pa.array([f"JJ{n:015d}" for n in numbers[picks].tolist()]
                        + ["JJ999999999999999"])
        assert idkeys.lookup(keys, universe).tolist() == [*picks.tolist(), -1]


def _dated(day: int, number: int) -> str:
    """A loan id as core systems write it: JJ, the date lent, a running number."""
    return f"JJ{day}{number:07d}"


@pytest.mark.parametrize(("ids", "suffix"), [
    # a running number across days: its digits alone tell the ids apart
    ([_dated(20240101 + i // 7, i) for i in range(1, 3000)], True),
    ([_dated(20240101 + i % 28, 10_000 + i) for i in range(500)], True),
    # the number restarts each day: suffixes repeat, the hash join answers
    ([_dated(20240101 + d, i) for d in range(3) for i in range(1, 400)], False),
    # one id twice (a data error): its first row, as the text join gives
    ([_dated(20240101, i) for i in range(1, 300)] + [_dated(20240101, 7)], False),
])
def test_ids_told_apart_by_their_last_digits_are_looked_up_by_them(ids: list[str],
                                                                   suffix: bool) -> None:
    universe = pa.array(ids)
    rng = np.random.default_rng(11)
    probes = [ids[i] for i in rng.integers(0, len(ids), size=4000)]
    # same last digits, another date or prefix digit: no such loan
    probes += ["JJ20991231" + ids[0][-7:], "JJ20240101" + ids[-1][-7:], "JJ201901010000001",
               ids[0][:-1] + ("0" if ids[0][-1] != "0" else "1")]
    keys = _chunked(probes, 1500)
    varying = idkeys._varying(idkeys._form(universe, 17), idkeys._form(keys, 17))
    assert varying is not None
    assert (idkeys._suffix_table(idkeys._keys(universe, 17, varying)) is not None) is suffix
    assert idkeys.lookup(keys, universe).tolist() == _by_text(keys, universe)


def test_the_suffix_probe_split_over_two_threads_gives_the_same_rows() -> None:
    built = np.array([20240101_0000003, 20240102_0000001, 20240103_0000002], dtype=np.int64)
    table = idkeys._suffix_table(built)
    assert table is not None
    probe = np.array([20240102_0000001, 20250102_0000001, 20240101_0000003, 20240103_0000002,
                      5, 20240101_0000003], dtype=np.int64)
    whole = idkeys._in_suffix_table(probe, built, *table)
    split = idkeys._in_suffix_table(probe, built, *table, split=2)
    assert split.tolist() == whole.tolist() == [1, -1, 0, 2, -1, 0]


@settings(max_examples=200, deadline=None)
@given(st.lists(_FIXED, min_size=1, max_size=40), st.integers(0, 40))
def test_order_keys_sort_fixed_form_ids_as_their_text(ids: list[str], cut: int) -> None:
    keys = idkeys.order_keys(_chunked(ids, cut))
    assert keys is not None
    assert [ids[i] for i in np.argsort(keys, kind="stable")] == sorted(ids)
    for i in range(len(ids) - 1):  # equal ids, equal keys; else not
        assert (ids[i] == ids[i + 1]) == (keys[i] == keys[i + 1])


@pytest.mark.parametrize("ids", [
    ["JJ1", "JJ10"], ["JJ01", None], ["JJ0A", "JJ01"], ["JJ01", "KK01"], [], ["1" * 19, "2" * 19],
])
def test_order_keys_leave_other_forms_to_the_text_sort(ids: list[str | None]) -> None:
    assert idkeys.order_keys(pa.array(ids, pa.string())) is None


def test_the_hashed_probe_split_over_two_threads_gives_the_same_rows() -> None:
    built = np.array([50, 10, 30, 10], dtype=np.int64)
    probe = np.array([10, 30, 40, 50, 10, 99, 30], dtype=np.int64)
    whole = pc.fill_null(pc.index_in(pa.array(probe), value_set=pa.array(built)), -1)
    split = idkeys._hashed(probe, pa.array(built), split=2)
    assert split.tolist() == whole.to_pylist() == [1, 2, -1, 0, 1, -1, 2]


# A whole ledger through the load: ids of one fixed form take the integer join, amounts in
# the forms people type take the general money parser; every row must get the loan and the
# fen worked out here by hand, and every bad cell its message.
_MONEY = {  # text → fen (None: a bad cell)
    "1234.50": 123450, "1,234.50": 123450, "¥12": 1200, "￥1,234.5": 123450, "12": 1200,
    "0.01": 1, "１２": None, "1.234": None, "12,34": None,
}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.sampled_from(sorted(_MONEY))),
                min_size=1, max_size=12),
       st.sampled_from(["L{:04d}", "JJ2026{:06d}", "{:08d}"]))
def test_a_whole_ledger_loads_the_rows_and_fen_worked_out_by_hand(
        tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[int, str]],
        form: str) -> None:
    from ledgers import CL_HEADER, CUSTOMERS_HEADER, LOANS_HEADER, TX_HEADER, write_tables

    from reportgen.ledger.load import load_ledger

    loan_ids = [form.format(n) for n in (7, 3, 12, 5, 9)]  # not in order; row 5 is unknown
    tables = {
        "customers": (CUSTOMERS_HEADER.split(","),
                      [["KH0001", "张三", "individual", "", "", "", "", ""]]),
        "loans": (LOANS_HEADER.split(","),
                  [[i, "KH0001", "城东支行", "王经理", "", "credit", "100000",
                    "2026-01-01", "2027-01-01", "4.35"] for i in loan_ids]),
        "transactions": (TX_HEADER.split(","),
                         [[form.format(99) if k == 5 else loan_ids[k], "2026-02-01",
                           "disburse", text] for k, text in rows]),
        "classifications": (CL_HEADER.split(","), [[loan_ids[0], "2026-01-01", "normal", ""]]),
    }
    folder = write_tables(tmp_path_factory.mktemp("ledger"), tables)
    ledger = load_ledger(folder)
    tx = ledger.transactions
    assert tx["loan"].tolist() == [-1 if k == 5 else k for k, _ in rows]
    bad = [_MONEY[text] is None for _, text in rows]
    assert tx["amount__bad"].tolist() == bad
    assert [int(v) for v, b in zip(tx["amount"].tolist(), bad, strict=True) if not b] == [
        _MONEY[text] for _, text in rows if _MONEY[text] is not None]
    problems = {(p.row, p.column) for p in ledger.problems.items}
    expected = {(i + 2, "amount") for i, b in enumerate(bad) if b} | {
        (i + 2, "loan_id") for i, (k, _) in enumerate(rows) if k == 5}
    assert problems == expected
    assert ledger.problems.total == len(expected)


@pytest.mark.parametrize("rows", [1, 255, 256, 257, 1001, 4097, 70_001])
def test_the_byte_bounds_are_the_smallest_and_largest_byte_of_each_position(rows: int) -> None:
    matrix = np.random.default_rng(rows).integers(0, 256, size=(rows, 7), dtype=np.uint8)
    assert idkeys._fold(matrix, np.minimum).tolist() == matrix.min(axis=0).tolist()
    assert idkeys._fold(matrix, np.maximum).tolist() == matrix.max(axis=0).tolist()


def test_keys_of_more_rows_than_a_block_are_each_rows_digits() -> None:
    numbers = np.random.default_rng(3).choice(10**12, size=(1 << 15) + 77, replace=False)
    ids = pa.array([f"KH{n:012d}" for n in numbers.tolist()])
    keys = idkeys._keys(ids, 14, np.arange(2, 14))
    assert keys.tolist() == numbers.tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(_ID, max_size=25), st.integers(0, 25), st.integers(-1, 24))
def test_keys_that_are_the_universe_in_its_order_are_its_rows(
        universe: list[str | None], cut: int, changed: int) -> None:
    """The distinct ids of an export in its accounts' order are the accounts' ids
    themselves (row i is row i, taken without a join when they ascend); one id changed,
    or a repeated id in the universe, must still give the first equal row or -1."""
    keys = list(universe)
    if 0 <= changed < len(keys):
        keys[changed] = "JJ20240000" if keys[changed] != "JJ20240000" else "JJ20240001"
    k, u = _chunked(keys, cut), pa.array(universe, pa.string())
    expected = _by_text(k, u)
    given = [i for i, key in enumerate(keys) if key is not None]
    rows = _lookup(k, u)
    assert [rows[i] for i in given] == [expected[i] for i in given]
    ascending = sorted({v for v in universe if v is not None})
    a = pa.array(ascending, pa.string())
    assert _lookup(_chunked(ascending, cut), a).tolist() == list(range(len(ascending)))
