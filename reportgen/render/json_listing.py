"""The JSON text of a long listing (upcoming maturities, the watchlist), column by column.

``json.dumps`` of a list of rows first needs a dict per row: at a million loans the two
listings hold tens of thousands of rows, and making those dicts cost more than the rest of
the report.  Here each column becomes JSON text in one pass (money by whole-array integer
division, strings by the json module's own C escaper) and the rows are joined from the
column texts.  The result is byte for byte what ``json.dumps(rows, ensure_ascii=False,
separators=(",", ":"))`` writes for the same rows as dicts (tests/test_render_json.py).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Mapping
from enum import Enum
from json.encoder import encode_basestring
from typing import Any

import numpy as np

from reportgen.formatting import ratio6
from reportgen.model import Listing, ListingColumn

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


class Form(Enum):
    """How a column is written."""

    MONEY = "money"  # int fen → "1234.50" (yuan, 2 places: formatting.yuan)
    COUNT = "count"  # int → 12
    TEXT = "text"  # str → "…", escaped as json.dumps escapes it
    DATE = "date"  # date → "2026-10-31"
    FLAG = "flag"  # bool → true / false
    RATIO = "ratio"  # Fraction | None → "0.123457" (6 places: formatting.ratio6) / null
    OTHER = "other"  # anything else: json.dumps of the converter's value, cell by cell


def _values(column: ListingColumn) -> list[Any]:
    return column.tolist() if isinstance(column, np.ndarray) else column


def money_texts(column: ListingColumn) -> list[str]:
    """Each amount of integer fen as a JSON string of yuan with 2 places."""
    fen = np.asarray(column, dtype=np.int64)
    whole, cents = np.divmod(np.abs(fen), 100)
    return [f'"-{w}.{c:02d}"' if negative else f'"{w}.{c:02d}"'
            for w, c, negative in zip(whole.tolist(), cents.tolist(), (fen < 0).tolist(),
                                      strict=True)]


def column_texts(form: Form, column: ListingColumn,
                 convert: Callable[[Any], Any] | None = None) -> list[str]:
    """The JSON text of each cell of one column."""
    if form is Form.MONEY:
        return money_texts(column)
    values = _values(column)
    if form is Form.COUNT:
        return list(map(str, values))
    if form is Form.TEXT:
        return list(map(encode_basestring, values))
    if form is Form.DATE:
        return [f'"{day.isoformat()}"' for day in values]
    if form is Form.FLAG:
        return ["true" if flag else "false" for flag in values]
    if form is Form.RATIO:
        return ["null" if value is None else f'"{ratio6(value)}"' for value in values]
    if convert is None:
        raise ValueError("Form.OTHER needs a converter")
    return [_dumps(convert(value)) for value in values]


def listing_json(listing: Listing[Any],
                 forms: Mapping[str, tuple[Form, Callable[[Any], Any] | None]]) -> str:
    """The listing as a JSON array of objects, one key per field in field order."""
    parts: list[Any] = []
    for i, (name, column) in enumerate(listing.columns.items()):
        form, convert = forms[name]
        parts.append(itertools.repeat(("{" if i == 0 else ",") + encode_basestring(name) + ":"))
        parts.append(column_texts(form, column, convert))
    if not parts or not len(listing):
        return "[]"
    parts.append(itertools.repeat("}"))
    # not strict: the repeated key texts are endless; the columns' lengths are equal
    return "[" + ",".join(map("".join, zip(*parts, strict=False))) + "]"
