"""Vectorised, exact parsing of text columns: money to fen, decimals, strict dates, enums.

Each parser takes an Arrow string array and returns numpy values plus a mask of the cells
that could not be parsed and why.  Money never passes through a binary float: the integer
and fraction digits are cut apart as text and combined as integers, so "1,234.50" is exactly
123450 fen and "1.005" is an error, not a rounding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger import textscan
from reportgen.ledger.text_columns import blank_mask, clean, distinct, to_numpy
from reportgen.ledger.typed_text import as_text

EPOCH = np.datetime64("1970-01-01", "D")
NO_DATE = np.iinfo(np.int32).min  # a blank optional date (e.g. not overdue)
DECIMAL_PLACES = 6  # rates and targets are parsed as integers of millionths
DECIMAL_SCALE = 10**DECIMAL_PLACES

_DATE = re.compile(r"^(\d{4})(?:(\d{2})(\d{2})|[-/](\d{1,2})[-/](\d{1,2}))$")
_EPOCH_DATE = date(1970, 1, 1)
# The dates a ledger may hold.  A year outside is a typo (7026 for 2026, 0000 for a blank
# a system filled in), never a loan; the engine's (loan, day) keys are sized from this
# range, so no accepted date can spill into another loan's bits.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2199, 12, 31)
MIN_DAY = (FIRST_DATE - _EPOCH_DATE).days
MAX_DAY = (LAST_DATE - _EPOCH_DATE).days
OUT_OF_RANGE = f"outside the dates a ledger may hold ({FIRST_DATE} to {LAST_DATE})"
NOT_A_DATE = "not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)"
_GROUPED = r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"  # 1,234,567.89: commas every 3 digits
_NUMBER = r"^(?P<sign>[-+]?)(?P<whole>\d+)(?:\.(?P<frac>\d*))?$"
_MAX_WHOLE_DIGITS = 15  # 10^15 yuan: beyond any loan, and far from int64's end in fen


@dataclass(frozen=True)
class Parsed:
    """Values of one column; ``bad`` marks cells with a problem, ``reasons`` says which.

    ``reasons`` maps a message to the mask of the bad cells it explains (masks, not a
    per-cell message array: a million good cells cost no strings).
    """

    values: np.ndarray
    blank: np.ndarray  # the cell was empty
    bad: np.ndarray  # not empty and not parseable
    reasons: dict[str, np.ndarray]


def _max_whole_digits(places: int) -> int:
    """Whole digits allowed: 10^15 yuan is beyond any loan, and the value in 10^-places
    units must stay inside int64 (about 9.2 × 10^18)."""
    return min(_MAX_WHOLE_DIGITS, 18 - places)


def _plain_decimal(array: pa.Array, places: int) -> Parsed | None:
    """The fast path for columns as core systems export them: every value ``1234.50``.

    When every non-blank cell is digits, a point and 1 to ``places`` decimals (proved on
    the raw bytes by ``textscan``), Arrow's decimal cast gives the exact integer in
    10^-places units, chunk by chunk on two threads.  Any other column (commas, ¥, signs,
    integers, spaces, errors) returns None and takes the general path, so both paths
    accept exactly the same values.

    Two places (every money column) are read without the decimal cast, chunk by chunk
    (``textscan.chunk_fen``): at thirty million deposit balances the cast alone cost
    3 s of CPU, the point-cut and integer cast 1.4 s.
    """
    whole = _max_whole_digits(places)
    if places == 2 and pa.types.is_string(array.type):
        fen = textscan.map_chunks_or_none(lambda chunk: textscan.chunk_fen(chunk, whole),
                                          array)
        if fen is None:
            return None
        return Parsed(fen, blank_mask(array), np.zeros(len(fen), bool), {})
    if not textscan.plain_decimals(array, places, whole):
        return None
    decimal_type = pa.decimal128(whole + places, places)

    def units(chunk: pa.Array) -> np.ndarray:
        cast = pc.cast(chunk, decimal_type)
        # A decimal128 is two little-endian int64 words; these values fit the low one.
        words = np.frombuffer(cast.buffers()[1], np.int64, count=2 * len(cast),
                              offset=16 * cast.offset)
        low = words[::2]
        return np.where(np.asarray(to_numpy(cast.is_null())), 0, low)

    values = textscan.map_chunks(units, array)
    blank = blank_mask(array)
    return Parsed(values.astype(np.int64, copy=False), blank, np.zeros(len(values), bool), {})


def decimal(array: pa.Array, places: int, *, money: bool, grouped: bool | None = None
            ) -> Parsed:
    """A decimal with at most ``places`` decimals as an integer of 10^-places units.

    ``money`` accepts a leading ¥ or ￥; ``grouped`` (default: as ``money``) accepts
    thousands separators, only where they really group thousands.
    """
    plain = _plain_decimal(array, places)
    return plain if plain is not None else general_decimal(array, places, money=money,
                                                           grouped=grouped)


def _ungrouped(cleaned: pa.Array) -> tuple[pa.Array, np.ndarray | None]:
    """The text without its thousands separators, and the mask of cells whose commas do
    not group thousands (``12,34``, ``1,2345``, ``,123``, ``1,,234``, ``12,34.5``): read as
    1234 they would be a silent wrong figure.  None when no cell has a comma."""
    commas = pc.match_substring(cleaned, ",")
    if not pc.any(commas).as_py():
        return cleaned, None
    grouped = pc.match_substring_regex(cleaned, _GROUPED)
    misplaced = pc.and_(commas, pc.invert(grouped))
    mask = np.asarray(to_numpy(pc.fill_null(misplaced, False)), dtype=bool)
    return pc.replace_substring(cleaned, ",", ""), mask


def general_decimal(array: pa.Array, places: int, *, money: bool, grouped: bool | None = None
                    ) -> Parsed:
    """``decimal`` for any column: every accepted form, and the reason for each bad cell."""
    cleaned = clean(array)
    if money:
        cleaned = pc.replace_substring_regex(cleaned, r"^[¥￥]", "")
    misplaced = None
    if money if grouped is None else grouped:
        cleaned, misplaced = _ungrouped(cleaned)
    blank = blank_mask(cleaned)
    parts = pc.extract_regex(pc.fill_null(cleaned, ""), _NUMBER)
    matched = np.asarray(to_numpy(pc.is_valid(parts)), dtype=bool)
    whole = pc.fill_null(pc.struct_field(parts, "whole"), "0")
    frac = pc.fill_null(pc.struct_field(parts, "frac"), "")
    sign = pc.fill_null(pc.struct_field(parts, "sign"), "")
    whole_len = to_numpy(pc.utf8_length(whole))
    frac_len = to_numpy(pc.utf8_length(frac))
    too_precise = matched & (frac_len > places)
    too_large = matched & (whole_len > _max_whole_digits(places))
    ok = matched & ~too_precise & ~too_large
    if misplaced is not None:
        ok &= ~misplaced
    whole_ok = pc.if_else(pa.array(ok), whole, "0")
    frac_ok = pc.if_else(pa.array(ok), pc.utf8_rpad(frac, places, "0"), "0")
    frac_ok = pc.if_else(pc.equal(frac_ok, ""), "0", frac_ok)
    scale = 10**places
    values = (to_numpy(pc.cast(whole_ok, pa.int64())) * scale
              + to_numpy(pc.cast(frac_ok, pa.int64())))
    values = np.where(np.asarray(to_numpy(pc.equal(sign, "-"))), -values,
                      values)
    values = np.where(ok, values, 0).astype(np.int64)
    bad = ~blank & ~ok
    generic = "not a money amount (e.g. 1234.50 or ¥1,234.50)" if money else "not a number"
    comma = (bad & misplaced) if misplaced is not None else np.zeros(len(bad), bool)
    reasons = {generic: bad & ~too_precise & ~too_large & ~comma,
               f"more than {places} decimals": too_precise & ~comma,
               "too large": too_large & ~comma,
               "a comma that does not separate thousands (write 1,234.50 or 1234.50)": comma}
    return Parsed(values, blank, bad, reasons)


def _typed_money(array: pa.Array | pa.ChunkedArray) -> Parsed:
    """A typed number column of yuan (a Parquet decimal or integer column) → fen, with no
    text: exact (Arrow's safe cast to two decimals refuses any value it would change).
    A column that does not fit (more than 2 places, more than 15 whole digits) is read
    as the text it shows (``typed_text.as_text``), for the same messages."""
    fen_type = pa.decimal128(_max_whole_digits(2) + 2, 2)
    if pa.types.is_decimal(array.type) and array.type.scale > 2:
        return money(as_text(array))
    try:
        cast = array.cast(fen_type)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return money(as_text(array))

    def low_words(chunk: pa.Array) -> np.ndarray:
        # A decimal128 is two little-endian int64 words; these values fit the low one.
        words = np.frombuffer(chunk.buffers()[1], np.int64, count=2 * len(chunk),
                              offset=16 * chunk.offset)
        return np.where(np.asarray(to_numpy(chunk.is_null()), bool), 0, words[::2])

    values = textscan.map_chunks(low_words, cast)
    blank = blank_mask(array)
    return Parsed(values.astype(np.int64, copy=False), blank, np.zeros(len(values), bool), {})


def currency_mask(array: pa.Array) -> np.ndarray:
    """Cells written with a currency sign (¥ or ￥), blanks around them ignored."""
    if not pa.types.is_string(array.type):
        return np.zeros(len(array), bool)
    marked = pc.match_substring_regex(pc.utf8_ltrim_whitespace(array), r"^[¥￥]")
    return np.asarray(to_numpy(pc.fill_null(marked, False)), dtype=bool)


def money(array: pa.Array) -> Parsed:
    """Money in yuan → integer fen."""
    return decimal(array, 2, money=True)


def money_column(array: pa.Array | pa.ChunkedArray) -> Parsed:
    """``money`` for a text column or a typed one: a Parquet decimal or integer column of
    yuan needs no text at all (``_typed_money``), for the deposit balances' thirty
    million rows at a million accounts."""
    if pa.types.is_decimal(array.type) or pa.types.is_integer(array.type):
        return _typed_money(array)
    return money(array)


def _day_number(text: str | None) -> int | None:
    """Strict calendar parse of one distinct date text; None when it is not a date.

    The year is checked against the ledger's range by the caller, on day numbers, the
    same way for text and for columns Arrow read as dates: so year 0000 (which Python's
    calendar refuses and Arrow's accepts) gets the same answer whatever its column holds.
    """
    if text is None:
        return None
    match = _DATE.match(text.strip())
    if match is None:
        return None
    y, m1, d1, m2, d2 = match.groups()
    year, month, day = int(y), int(m1 or m2), int(d1 or d2)
    try:
        # Year 0 does not exist in Python's calendar: check the month and day in year
        # 2000, which has the same leap day as proleptic year 0, so the range rule decides.
        (date(2000, month, day) if year == 0 else date(year, month, day))
    except ValueError:
        return None
    return _days_from_civil(year, month, day)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date, year 0 included (the formula
    Arrow uses), so a text column and a date column give the same number."""
    year -= month <= 2
    era = year // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _in_range(days: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Mask of parsed days outside [FIRST_DATE, LAST_DATE] (day numbers, int64)."""
    return ok & ((days < MIN_DAY) | (days > MAX_DAY))


def date_days(array: pa.Array) -> Parsed:
    """YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD → int32 days since 1970-01-01 (strict calendar).

    A column that Arrow already read as dates (or a Parquet date column) only needs its
    nulls marked as blanks and its range checked.  Either way a date outside
    [FIRST_DATE, LAST_DATE] is a bad cell, its value NO_DATE like any other bad cell.
    """
    if pa.types.is_date32(array.type):
        blank = blank_mask(array)
        numbers = pc.cast(array, pa.int32())
        if numbers.null_count:  # filling costs a copy (0.45 s at thirty million) when none
            numbers = pc.fill_null(numbers, NO_DATE)
        days = np.asarray(to_numpy(numbers), dtype=np.int32)
        outside = _in_range(days, ~blank)
        if outside.any():
            days = np.where(outside, NO_DATE, days).astype(np.int32)
        return Parsed(days, blank, outside, {OUT_OF_RANGE: outside})
    values, indices = distinct(array)
    parsed = [_day_number(v) for v in values]
    is_blank = np.array([v is None or not v.strip() for v in values], dtype=bool)
    numbers = np.array([NO_DATE if p is None else p for p in parsed], dtype=np.int64)
    ok = np.array([p is not None for p in parsed], dtype=bool)
    outside = _in_range(numbers, ok)
    days = np.where(ok & ~outside, numbers, NO_DATE).astype(np.int32)
    blank = is_blank[indices]
    not_date = ~blank & ~ok[indices]
    out_of_range = outside[indices]
    return Parsed(days[indices], blank, not_date | out_of_range,
                  {NOT_A_DATE: not_date, OUT_OF_RANGE: out_of_range})


def enum(array: pa.Array, labels: tuple[tuple[str, str], ...]) -> Parsed:
    """English code or Chinese label, case-insensitive → int8 code (-1 blank or unknown)."""
    lookup = {code.lower(): i for i, (code, _) in enumerate(labels)}
    lookup |= {label.lower(): i for i, (_, label) in enumerate(labels)}
    values, indices = distinct(array)
    keys = [None if v is None else v.strip().lower() for v in values]
    is_blank = np.array([not k for k in keys], dtype=bool)
    codes = np.array([lookup.get(k, -1) if k else -1 for k in keys], dtype=np.int8)
    blank = is_blank[indices]
    bad = ~blank & (codes[indices] < 0)
    allowed = ", ".join(f"{code} {label}" for code, label in labels)
    return Parsed(codes[indices], blank, bad, {f"not one of: {allowed}": bad})


def without_percent(array: pa.Array) -> pa.Array:
    """A rate column with a trailing % removed (4.35% is 4.35: the column is in percent)."""
    if not pa.types.is_string(array.type):
        return array
    return pc.replace_substring_regex(array, r"\s*[%％]\s*$", "")


# GB/T 4754-2017: the sections' two-digit division ranges (divisions 01–97).
_DIVISIONS = ((1, 5, "A"), (6, 12, "B"), (13, 43, "C"), (44, 46, "D"), (47, 50, "E"),
              (51, 52, "F"), (53, 60, "G"), (61, 62, "H"), (63, 65, "I"), (66, 69, "J"),
              (70, 70, "K"), (71, 72, "L"), (73, 75, "M"), (76, 79, "N"), (80, 82, "O"),
              (83, 83, "P"), (84, 85, "Q"), (86, 90, "R"), (91, 96, "S"), (97, 97, "T"))
_SECTION_BY_DIVISION = {d: letter for lo, hi, letter in _DIVISIONS for d in range(lo, hi + 1)}
_INDUSTRY_CODE = re.compile(r"^([A-Ta-t])?(\d{2}(?:\d{1,2})?)?$")


def industry_section(text: str) -> str | None:
    """The section letter of a GB/T 4754-2017 code (C3311, C33, C, 3311, 33, 331), or
    None when the text is no such code (a Chinese label is read by ``enum`` as before).

    A code with a letter must agree with its division (C3311, not A3311): a letter that
    contradicts its digits is no code.
    """
    match = _INDUSTRY_CODE.match(text.strip())
    if match is None or not any(match.groups()):
        return None
    letter, digits = match.groups()
    section = _SECTION_BY_DIVISION.get(int(digits[:2])) if digits else letter.upper()
    if section is None or (letter and letter.upper() != section):
        return None
    return section


def industry_sections(array: pa.Array) -> pa.Array:
    """An industry column with every GB/T 4754 code replaced by its section letter, on
    the distinct values (a few hundred codes, whatever the number of rows)."""
    values, indices = distinct(array)
    out = [None if v is None else (industry_section(v) or v) for v in values]
    return pa.array(out, type=pa.string()).take(pa.array(indices))


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """int32 day numbers → numpy datetime64[D]."""
    return EPOCH + days.astype("timedelta64[D]")
