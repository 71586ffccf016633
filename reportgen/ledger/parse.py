"""Vectorised, exact parsing of text columns: money to fen, decimals, strict dates, enums.

Each parser takes an Arrow string array and returns numpy values plus a mask of the cells
that could not be parsed and why.  Money never passes through a binary float: the integer
and fraction digits are cut apart as text and combined as integers, so "1,234.50" is exactly
123450 fen and "1.005" is an error, not a rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

EPOCH = np.datetime64("1970-01-01", "D")
NO_DATE = np.iinfo(np.int32).min  # a blank optional date (e.g. not overdue)

_NUMBER = r"^(?P<sign>[-+]?)(?P<whole>\d+)(?:\.(?P<frac>\d*))?$"
_MAX_WHOLE_DIGITS = 15  # 10^15 yuan: beyond any loan, and far from int64's end in fen


@dataclass(frozen=True)
class Parsed:
    """Values of one column; ``bad`` marks cells with a problem described by ``reason``."""

    values: np.ndarray
    blank: np.ndarray  # the cell was empty
    bad: np.ndarray  # not empty and not parseable
    reason: np.ndarray | None = None  # per-cell message for bad cells (object array)


def clean(array: pa.Array) -> pa.Array:
    """Trim blanks; an all-blank cell becomes null."""
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def blank_mask(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.is_null(array).to_numpy(zero_copy_only=False), dtype=bool)


def text(array: pa.Array) -> np.ndarray:
    """Trimmed text as a numpy object array ("" for blank)."""
    return np.asarray(pc.fill_null(clean(array), "").to_numpy(zero_copy_only=False), dtype=object)


def decimal(array: pa.Array, places: int, *, money: bool) -> Parsed:
    """A decimal with at most ``places`` decimals as an integer of 10^-places units."""
    cleaned = clean(array)
    if money:
        cleaned = pc.replace_substring_regex(cleaned, r"^[¥￥]|,", "")
    blank = blank_mask(cleaned)
    parts = pc.extract_regex(pc.fill_null(cleaned, ""), _NUMBER)
    matched = np.asarray(pc.is_valid(parts).to_numpy(zero_copy_only=False), dtype=bool)
    whole = pc.fill_null(pc.struct_field(parts, "whole"), "0")
    frac = pc.fill_null(pc.struct_field(parts, "frac"), "")
    sign = pc.fill_null(pc.struct_field(parts, "sign"), "")
    whole_len = pc.utf8_length(whole).to_numpy(zero_copy_only=False)
    frac_len = pc.utf8_length(frac).to_numpy(zero_copy_only=False)
    too_precise = matched & (frac_len > places)
    too_large = matched & (whole_len > _MAX_WHOLE_DIGITS)
    ok = matched & ~too_precise & ~too_large
    whole_ok = pc.if_else(pa.array(ok), whole, "0")
    frac_ok = pc.if_else(pa.array(ok), pc.utf8_rpad(frac, places, "0"), "0")
    frac_ok = pc.if_else(pc.equal(frac_ok, ""), "0", frac_ok)
    scale = 10**places
    values = (pc.cast(whole_ok, pa.int64()).to_numpy() * scale
              + pc.cast(frac_ok, pa.int64()).to_numpy())
    values = np.where(np.asarray(pc.equal(sign, "-").to_numpy(zero_copy_only=False)), -values,
                      values)
    values = np.where(ok, values, 0).astype(np.int64)
    bad = ~blank & ~ok
    reason = np.full(len(values), "not a number", dtype=object)
    if money:
        reason[:] = "not a money amount (e.g. 1234.50 or ¥1,234.50)"
    reason[too_precise] = f"more than {places} decimals"
    reason[too_large] = "too large"
    return Parsed(values, blank, bad, reason)


def money(array: pa.Array) -> Parsed:
    """Money in yuan → integer fen."""
    return decimal(array, 2, money=True)


def date_days(array: pa.Array) -> Parsed:
    """YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD → int32 days since 1970-01-01 (strict calendar)."""
    cleaned = clean(array)
    blank = blank_mask(cleaned)
    parts = pc.extract_regex(
        pc.fill_null(cleaned, ""),
        r"^(?P<y>\d{4})(?:(?P<m1>\d{2})(?P<d1>\d{2})|[-/](?P<m2>\d{1,2})[-/](?P<d2>\d{1,2}))$",
    )
    matched = np.asarray(pc.is_valid(parts).to_numpy(zero_copy_only=False), dtype=bool)
    year = pc.fill_null(pc.struct_field(parts, "y"), "1970")

    def field(a: str, b: str) -> pa.Array:
        first = pc.struct_field(parts, a)
        chosen = pc.if_else(pc.equal(pc.fill_null(first, ""), ""), pc.struct_field(parts, b),
                            first)
        return pc.utf8_lpad(pc.fill_null(chosen, "01"), 2, "0")

    iso = pc.binary_join_element_wise(year, field("m1", "m2"), field("d1", "d2"), "-")
    stamps = pc.strptime(iso, format="%Y-%m-%d", unit="s", error_is_null=True)
    # strptime rolls 2026-02-30 over to March; a round trip catches it.
    roundtrip = pc.equal(pc.fill_null(pc.strftime(stamps, format="%Y-%m-%d"), ""), iso)
    ok = matched & np.asarray(pc.fill_null(roundtrip, False).to_numpy(zero_copy_only=False),
                              dtype=bool)
    days = pc.fill_null(pc.cast(pc.cast(stamps, pa.date32()), pa.int32()), 0).to_numpy()
    values = np.where(ok, days, NO_DATE).astype(np.int32)
    bad = ~blank & ~ok
    reason = np.full(len(values), "not a date (YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)",
                     dtype=object)
    return Parsed(values, blank, bad, reason)


def enum(array: pa.Array, labels: tuple[tuple[str, str], ...]) -> Parsed:
    """English code or Chinese label, case-insensitive → int8 code (-1 blank or unknown)."""
    lookup = {code.lower(): i for i, (code, _) in enumerate(labels)}
    lookup |= {label.lower(): i for i, (_, label) in enumerate(labels)}
    cleaned = clean(array)
    blank = blank_mask(cleaned)
    encoded = pc.dictionary_encode(pc.utf8_lower(pc.fill_null(cleaned, "")))
    dictionary = encoded.dictionary.to_pylist()  # the distinct values: few
    mapped = np.array([lookup.get(v, -1) for v in dictionary] + [-1], dtype=np.int8)
    indices = pc.fill_null(encoded.indices, len(dictionary)).to_numpy(zero_copy_only=False)
    values = mapped[indices]
    bad = ~blank & (values < 0)
    allowed = ", ".join(f"{code} {label}" for code, label in labels)
    reason = np.full(len(values), f"not one of: {allowed}", dtype=object)
    return Parsed(values, blank, bad, reason)


def days_to_dates(days: np.ndarray) -> np.ndarray:
    """int32 day numbers → numpy datetime64[D]."""
    return EPOCH + days.astype("timedelta64[D]")
