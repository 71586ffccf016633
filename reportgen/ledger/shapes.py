"""The shapes an export takes on its way through Excel, undone before its values are read.

A core system's export rarely reaches reportgen untouched: a clerk opens it in Excel and
saves it again, or a report writer builds it with merged header cells.  What that does,
and what this module undoes (mapping.md, "Code-like values … are text"):

* headers: spelled with full-width brackets or spaces (``执行利率（%）``, ``借 据 号``),
  or merged over two header rows (the lower row blank under a merged cell): matched on
  ``header_key`` and filled from the cell above;
* codes read as numbers: ``00`` saved as ``0``, ``01`` as ``1``: a value map's key is
  also found by its number when the export's value is all digits and exactly one key
  (or several keys with one target) has that number; a full-width ``１０`` is ``10``;
* dates saved as Excel serial numbers (``46326``) or as ``20261031`` integers (the
  latter is a date as it is; a serial is turned into its ISO date here, on the column's
  distinct values).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.ledger.mapping import ValueMap

_SPACES = re.compile(r"\s+")
# Excel's serial day 25569 is 1970-01-01 (its day 0 is 1899-12-30, after the 1900 leap
# bug); the five-digit serials cover 1927-05-18 … 2173-10-14, which holds every date a
# ledger may carry (an eight-digit 20261031 is never one of them).
_EXCEL_EPOCH = 25569
_SERIAL = r"^\d{5}(\.\d+)?$"


def header_key(title: str) -> str:
    """A header as the mapping and the export are compared: NFKC (full-width brackets and
    letters as ASCII), no spaces or BOM."""
    text = unicodedata.normalize("NFKC", str(title).replace("\ufeff", ""))
    return _SPACES.sub("", text)


def fill_merged(rows: list[list[str]]) -> list[str]:
    """The header (the last of ``rows``) with each blank cell taken from the nearest
    non-blank cell above it: a header cell merged over two rows (借据号 over a row of
    合同金额 | 余额) is blank in the lower row when read."""
    if not rows:
        return []
    header = list(rows[-1])
    for i, title in enumerate(header):
        if str(title or "").strip():
            continue
        for above in reversed(rows[:-1]):
            if i < len(above) and str(above[i] or "").strip():
                header[i] = str(above[i]).strip()
                break
    return header


def lookup(vmap: ValueMap, value: str) -> tuple[str, str] | None:
    """The map's entry for an export value that Excel may have read as a number: the key
    with the same digits but its leading zeros (``0`` → ``00``).  Returns (kind, target):
    kind is ``target``, ``ignore`` or ``reverse``; None when no key, or keys that disagree,
    have that number."""
    text = unicodedata.normalize("NFKC", value).strip()  # １０ (full-width) is 10
    if text != value:
        for key, target in vmap.targets.items():
            if unicodedata.normalize("NFKC", key).strip() == text:
                return ("target", target)
    if not text.isdigit():
        return None
    number = int(text)
    found: set[tuple[str, str]] = set()
    for key, target in vmap.targets.items():
        if key.isdigit() and int(key) == number:
            found.add(("target", target))
    for key in vmap.ignored:
        if key.isdigit() and int(key) == number:
            found.add(("ignore", ""))
    for key, kind in vmap.reversed.items():
        if key.isdigit() and int(key) == number:
            found.add(("reverse", kind))
    return found.pop() if len(found) == 1 else None


def serial_dates(text: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A date column with Excel serial numbers (``46326``, ``46326.5`` with a time of
    day) written as ISO dates; other cells unchanged."""
    if not pa.types.is_string(text.type) or not len(text):
        return text
    # The regular expression runs only when some cell could be a serial: five characters
    # long, or with a point (46326.5); a column of 20261031 or 2026-10-31 pays two scans.
    five = pc.any(pc.equal(pc.binary_length(text), 5)).as_py()
    if not five and not pc.any(pc.match_substring(text, ".")).as_py():
        return text
    trimmed = pc.utf8_trim_whitespace(text)
    serial = pc.fill_null(pc.match_substring_regex(trimmed, _SERIAL), False)
    if not pc.any(serial).as_py():
        return text
    whole = pc.replace_substring_regex(pc.if_else(serial, trimmed, "0"), r"\..*$", "")
    days = np.asarray(pc.cast(whole, pa.int64()).to_numpy(zero_copy_only=False)) - _EXCEL_EPOCH
    iso = pa.array(days.astype(np.int32), pa.int32()).cast(pa.date32()).cast(pa.string())
    if isinstance(serial, pa.ChunkedArray):
        serial = serial.combine_chunks()
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    return pc.if_else(serial, iso, text)
