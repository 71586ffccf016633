"""Typed Arrow columns (a Parquet table's, a DataFrame's) as the text a CSV export would
hold, so that one text parser reads and checks every form of input.

A database export types its columns: NUMERIC(20,4) money, dates, tz-aware timestamps,
dictionary-encoded codes.  Each is turned into the text a person would see — a decimal
without the scale's trailing zeros (4150000.0000 is 4150000 yuan, not "more than 2
decimals"; 1.2345 still is), a timestamp as its wall-clock day in its own zone — and then
has to pass the same rules as a CSV cell.  A column that holds no such value (a list, a
struct, bytes that are not UTF-8) is refused as a column, not met as an unexpected error.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc


class NotTextError(ValueError):
    """The column's type has no text a ledger cell could hold (the message says which)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what}{NOT_TEXT}")


NOT_TEXT = ": no cell of it can be read"  # how every NotTextError message ends


def decimal_text(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Arrow writes a decimal column with one scale (2 → "2.000" next to "1.005"): trailing
    fraction zeros are dropped so that "2.000" is 2 yuan, not "more than 2 decimals"."""
    trimmed = pc.replace_substring_regex(text, r"(\.\d*?)0+$", r"\1")
    return pc.replace_substring_regex(trimmed, r"\.$", "")


def as_text(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """The column as Arrow text; raises ``NotTextError`` for a type no cell can be."""
    kind = array.type
    if pa.types.is_string(kind):
        return array
    if pa.types.is_dictionary(kind):
        decoded = (array.dictionary_decode() if isinstance(array, pa.Array)
                   else pa.chunked_array([c.dictionary_decode() for c in array.chunks],
                                         kind.value_type))
        return as_text(decoded)
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return pc.strftime(array, format="%Y-%m-%d")  # a zone's own wall-clock day
    if pa.types.is_decimal(kind):
        return decimal_text(array.cast(pa.string()))
    if pa.types.is_null(kind):
        return pa.nulls(len(array), pa.string())
    if (pa.types.is_large_string(kind) or pa.types.is_integer(kind)
            or pa.types.is_floating(kind) or pa.types.is_boolean(kind)):
        return array.cast(pa.string())
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind) \
            or pa.types.is_fixed_size_binary(kind):
        try:
            return array.cast(pa.string())
        except pa.ArrowInvalid:
            raise NotTextError("a binary column whose bytes are not UTF-8 text") from None
    raise NotTextError(f"a column of {kind} values, not text, a number or a date")
