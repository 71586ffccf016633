"""A table as read (text) parsed into ``Columns``: exact fen, day numbers, enum codes and
trimmed text, each column with its blank and bad masks, and every cell that does not parse
a problem naming its file, row, column and value.

One table at a time and the same rules whatever the source (CSV, Parquet, workbook, a
mapped export, a DataFrame); the joins between tables and the text codes are ``load``'s.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import InternalError
from reportgen.ledger import parse, text_columns
from reportgen.ledger.csvtext import MAX_FIELD_CHARS
from reportgen.ledger.joins import factorise
from reportgen.ledger.problems import Problems
from reportgen.ledger.raw import RawLedger, RawTable
from reportgen.ledger.schema import TARGET_METRICS, Column, Kind, codes


@dataclass
class Columns:
    """The parsed columns of one table, with the source and row numbers for messages."""

    source: str
    rows: np.ndarray  # spreadsheet row number of each record (header = row 1)
    values: dict[str, np.ndarray] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)  # columns the file actually has
    text: dict[str, pa.Array] = field(default_factory=dict)  # trimmed text, null = blank

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, name: str) -> np.ndarray:
        """A column as numpy; text columns are converted on first use (the transactions'
        ten million loan ids are only ever needed as Arrow, for the join)."""
        if name not in self.values and name in self.text:
            self.values[name] = np.asarray(
                text_columns.to_numpy(pc.fill_null(self.text[name], "")), dtype=object)
        return self.values[name]

    def release(self) -> None:
        """Drop every column but the row numbers (which keep ``len``): once the engine
        holds the journal in (loan, day) order and validation is done, the ten million
        rows as read are dead weight, about 400 MB at a million loans."""
        self.values.clear()
        self.text.clear()

    def codes(self, name: str) -> np.ndarray:
        """A text column as int32 codes 0, 1, … in order of first appearance, -1 for a
        blank: what duplicate checks need, without turning a million ids into Python
        strings.  The largest code + 1 is the number of distinct values."""
        key = f"{name}__codes"
        if key not in self.values:
            self.values[key] = factorise(self.text[name])[1]
        return self.values[key]


def _parse_typed(column: Column, array: pa.Array, money_places: int = 2) -> parse.Parsed:
    if column.kind is Kind.MONEY or (column.money_form and money_places != 2):
        # In 万元 a cell carries up to 6 decimals: its millionths of 万元 are exactly fen
        # (a target too: load scales its money metrics to millionths of yuan).
        # A typed Parquet amount (the deposit balances keep theirs) needs no text.
        return parse.money_column(array) if money_places == 2 else _finer_than_a_fen(
            parse.decimal(array, money_places, money=True), money_places)
    if column.kind is Kind.DATE:
        return parse.date_days(array)
    if column.kind is Kind.DECIMAL:
        if not column.money_form:  # a rate may carry % (4.35%): the column is in percent
            array = parse.without_percent(array)
        return parse.decimal(array, parse.DECIMAL_PLACES, money=column.money_form)
    if column.name == "industry":  # GB/T 4754-2017 codes (C3311, C33, 3311) → section
        array = parse.industry_sections(array)
    return parse.enum(array, column.enum)


def parse_tables(raw: RawLedger) -> dict[str, tuple[Columns, Problems]]:
    """Parse every table, the biggest first and two at a time: the parsers spend their
    time in numpy and Arrow, which release the GIL, so the journal's ten million rows are
    parsed on one core while the loans and customers are parsed on the other."""
    order = sorted(raw.tables, key=lambda name: -raw.tables[name].rows)
    with ThreadPoolExecutor(max_workers=2) as pool:
        parsed = dict(zip(order, pool.map(lambda name: _parse_table(raw.tables[name]), order),
                          strict=True))
    return {name: parsed[name] for name in raw.tables}  # back in table order


def _parse_table(raw: RawTable) -> tuple[Columns, Problems]:
    problems = Problems()
    rows = raw.row_numbers if raw.row_numbers is not None else (
        np.arange(2, raw.rows + 2, dtype=np.int32))  # int32: half the memory
    for problem in raw.row_problems:
        problems.add(problem)
    out = Columns(raw.source, rows, present=set(raw.columns))
    for column in raw.table.columns:
        array = raw.columns.get(column.name, pa.nulls(raw.rows, pa.string()))
        long = _too_long(array)  # reported here, then read as a bad cell, not a blank
        if long is not None:
            array = text_columns.decoded(array)
            problems.add_mask(raw.source, column.name, long, rows, _Text(array),
                              f"longer than {MAX_FIELD_CHARS:,} characters (Excel's cell limit)")
            array = pc.if_else(pa.array(long), pa.scalar(None, pa.string()), array)
        if column.kind in (Kind.TEXT, Kind.PERIOD):
            cleaned = _cleaned(column, array, out)
            out.text[column.name] = cleaned
            blank = text_columns.blank_mask(cleaned)
            bad = np.zeros(len(blank), dtype=bool)
        else:
            parsed = _parse_typed(column, array, raw.money_places)
            out.values[column.name] = parsed.values
            if column.money_form:  # a count target must not be written as money
                out.values[f"{column.name}__currency"] = parse.currency_mask(array)
            blank, bad = parsed.blank, parsed.bad
            if parsed.bad.any():
                # Dates Arrow read are shown as the ISO text of the file (year 0000
                # included, which Python's date cannot hold).
                text = array.cast(pa.string()) if pa.types.is_date32(array.type) else array
                shown = np.asarray(text_columns.to_numpy(text), dtype=object)
                for reason, mask in parsed.reasons.items():
                    problems.add_mask(raw.source, column.name, mask, rows, shown, reason)
        blank, bad = _said_already(blank, bad, long, raw.reported.get(column.name))
        if column.required:
            problems.add_mask(raw.source, column.name, blank, rows, None, "must not be blank")
        out.values[f"{column.name}__blank"] = blank
        out.values[f"{column.name}__bad"] = bad  # reported here; later rules skip the cell
    if raw.money_places != 2 and raw.table.name == "targets" and "target" in out.values:
        _targets_in_wan(out)
    if raw.reversal is not None and "amount" in out.values:
        # A reversal is written positive and subtracts from its type's flow: from here on
        # it is a negative amount of that type, so running sums and balances follow.
        out.values["reversal"] = raw.reversal
        out.values["amount"] = np.where(raw.reversal, -out.values["amount"],
                                        out.values["amount"])
    return out, problems


def _said_already(blank: np.ndarray, bad: np.ndarray, *reported: np.ndarray | None
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Cells reported already (over Excel's cell limit; an Excel error or a formula without
    its value, by the workbook reader) are bad cells, not blanks: never "must not be blank"
    as well, and later rules skip them."""
    for mask in reported:
        if mask is not None:
            if mask.shape != blank.shape:  # numpy would broadcast a 1-record column
                raise InternalError(f"a mask of {mask.size} cells for {blank.size} records")
            blank, bad = blank & ~mask, bad | mask
    return blank, bad


def _cleaned(column: Column, array: pa.Array | pa.ChunkedArray,
             out: Columns) -> pa.Array | pa.ChunkedArray:
    """A text column trimmed.  A key in runs (the deposit balances' account ids: a million
    ids, each on its rows, 31 a month in a daily snapshot) is cleaned run by run, and the
    runs kept for the join, which looks up each run's first id (``text_columns.clean_repeated``)."""
    if not column.runs:
        return text_columns.clean(array)
    cleaned, starts = text_columns.clean_repeated(array)
    if starts is not None:
        out.values[f"{column.name}__runs"] = starts
    return cleaned


def _finer_than_a_fen(parsed: parse.Parsed, places: int) -> parse.Parsed:
    """A 万元 cell with more than 6 decimals is said as what it is: finer than a fen."""
    reason = f"more than {places} decimals"
    if reason not in parsed.reasons:
        return parsed
    reasons = dict(parsed.reasons)
    reasons[f"{reason} of 万元 (finer than a fen)"] = reasons.pop(reason)
    return replace(parsed, reasons=reasons)


_NEW_CUSTOMERS = codes(TARGET_METRICS).index("new_customers")  # a count, never money


def _targets_in_wan(out: Columns) -> None:
    """A targets table in 万元 (mapping ``money_unit = "wan"``): its money targets are
    millionths of 万元 as parsed, i.e. fen; as the millionths of yuan every target is
    held in, ×10,000.  A count (new_customers) is never scaled."""
    metric, target = out.values["metric"], out.values["target"]
    money = (metric >= 0) & (metric != _NEW_CUSTOMERS) & ~out.values["target__bad"]
    out.values["target"] = np.where(money, target * 10_000, target)


def _too_long(array: pa.Array | pa.ChunkedArray) -> np.ndarray | None:
    """Mask of cells over Excel's cell limit, or None when there is none.  The byte
    lengths come from the offsets alone; characters are counted only when some value
    has more bytes than the limit has characters."""
    if text_columns.coded_text(array):  # each dictionary value looked at once
        over = _too_long(text_columns.dictionaries(array))
        if over is None:
            return None
        found: np.ndarray = over  # per dictionary value, spread to the cells
        return text_columns.per_cell(array, lambda _: found, False)
    if not pa.types.is_string(array.type) or not len(array):
        return None
    longest = pc.max(pc.binary_length(array)).as_py()
    if longest is None or longest <= MAX_FIELD_CHARS:
        return None
    chars = pc.fill_null(pc.greater(pc.utf8_length(array), MAX_FIELD_CHARS), False)
    mask = np.asarray(text_columns.to_numpy(chars), dtype=bool)
    return mask if mask.any() else None


class _Text:
    """A text column's i-th value, converted only when a message shows it."""

    def __init__(self, array: pa.Array | pa.ChunkedArray) -> None:
        self.array = array

    def __getitem__(self, i: int) -> object:
        return self.array[i].as_py()
