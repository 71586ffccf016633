"""pandas DataFrames → the reader's raw tables, so frames are loaded like files.

A bank that pulls its ledger with ``pd.read_sql`` hands reportgen DataFrames, not files.
Each frame becomes a ``RawTable`` of Arrow text columns (dates may arrive already as
``date32``, as from a typed CSV), named by their English column names, and from there the
load is the one every file takes: the same parsing, the same validation, the same messages.

Money never passes through a binary float on our side: how each column's cells become
text (floats as their shortest decimal, dates as days) is frame_columns.py.

Row numbers here are positions 0, 1, …; ``frame_problem`` turns a problem's position into
the frame's index label for the message.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from reportgen.errors import Problem, UsageError
from reportgen.ledger.frame_columns import FLOAT_EXACT, frame_column
from reportgen.ledger.mapping import Mapping as LedgerMapping
from reportgen.ledger.mapping import TableMap
from reportgen.ledger.raw import RawLedger, RawTable
from reportgen.ledger.schema import TABLES, Kind, Table, is_required
from reportgen.ledger.typed_text import NOT_TEXT

if TYPE_CHECKING:
    import pandas as pd

FRAMES_PATH = Path("<DataFrames>")  # the ledger's "path" in a Session opened from frames


def source_name(table: str) -> str:
    """How a frame is named in messages (the ``file`` of its problems)."""
    return f"frame {table}"


def raw_from_frames(frames: Mapping[str, pd.DataFrame | None],
                    mapping: LedgerMapping | None = None) -> RawLedger:
    """The given frames as a ``RawLedger``; missing frames and columns are its problems.

    ``frames`` is keyed by table name; a name that is not a table of this version's schema
    is a ``UsageError`` (exit 2): a caller's mistake, not the data's.  With a ``mapping``
    the frames are in the bank's own headers and codes: each table's column map renames
    the frame's columns, and its value maps, reversals, footer words and money unit are
    applied by the code that applies them to files (``mapapply.apply_map``), so a frame
    and a file of the same export read the same.  A table's ``file``, ``sheet`` and
    ``header_row`` say where a file's table is; a frame has none, they are not used.
    """
    import pandas as pd

    known = {table.name: table for table in TABLES}
    for name, frame in frames.items():
        if frame is None:
            continue
        if name not in known:
            raise UsageError(f"open_frames: {name}= is not a table this version of reportgen "
                             f"reads (tables: {', '.join(known)})")
        if not isinstance(frame, pd.DataFrame):
            raise UsageError(f"open_frames: {name}= must be a pandas DataFrame, "
                             f"not {type(frame).__name__}")
    problems: list[Problem] = []
    tables: dict[str, RawTable] = {}
    digest = hashlib.sha256()
    present = {name for name, frame in frames.items() if frame is not None}
    for table in TABLES:
        frame = frames.get(table.name)
        if frame is None:
            if is_required(table, present):  # a balances frame stands in for the journal
                problems.append(Problem(source_name(table.name), None, None, None,
                                        f"required frame missing (open_frames({table.name}=…))"))
            continue
        tmap = mapping.table(table.name) if mapping is not None else None
        if tmap is not None:
            raw = _mapped_table(table, frame, tmap, problems)
        else:
            raw = _raw_table(table, frame, problems)
        if raw is not None:
            tables[table.name] = raw
            _digest(digest, raw)
    return RawLedger(FRAMES_PATH, digest.hexdigest(), tables, tuple(problems))


def _digest(digest: Any, raw: RawTable) -> None:
    """Feed a table's columns as read (Arrow buffers, no Python per cell) to the digest:
    the same frames give the same digest, a changed cell another."""
    digest.update(f"{raw.table.name}\x00{raw.rows}\x00".encode())
    for name, column in raw.columns.items():
        digest.update(f"{name}\x00{column.type}\x00".encode())
        chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
        chunks = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c  # mapped
                  for c in chunks]
        for chunk in chunks:
            # Text as its value lengths and bytes; dates as their day numbers.  Nulls as
            # a mask, so a blank cell and "" or 0 differ.
            digest.update(np.asarray(chunk.is_null().to_numpy(zero_copy_only=False)).tobytes())
            if pa.types.is_string(chunk.type):
                digest.update(np.asarray(pc.binary_length(chunk).fill_null(0).to_numpy(
                    zero_copy_only=False)).tobytes())
                offsets_buffer, data = chunk.buffers()[1:3]
                if data is not None and len(chunk):
                    offsets = np.frombuffer(offsets_buffer, dtype=np.int32,
                                            count=chunk.offset + len(chunk) + 1)
                    digest.update(memoryview(data)[offsets[chunk.offset]:offsets[-1]])
            else:
                digest.update(np.asarray(chunk.cast(pa.int32()).fill_null(0).to_numpy(
                    zero_copy_only=False)).tobytes())


def _mapped_table(table: Table, frame: pd.DataFrame, tmap: TableMap,
                  problems: list[Problem]) -> RawTable | None:
    """A frame in the bank's own headers and codes, through its table's map."""
    from reportgen.ledger.mapapply import apply_map
    from reportgen.ledger.shapes import header_key

    source = source_name(table.name)
    by_header: dict[str, Any] = {}
    for label in frame.columns:
        by_header.setdefault(header_key(str(label)), label)
    renamed: dict[Any, str] = {}
    for name, title in tmap.columns.items():
        label = by_header.get(header_key(title))
        if label is None:
            problems.append(Problem(source, None, name, None,
                                    f"the mapping names column {title!r} for {name}, but "
                                    "the frame has no such column"))
            continue
        renamed[label] = name
    if any(p.file == source for p in problems):
        return None
    # A column the map leaves out keeps its label (read by its usual names), unless the
    # map already gives its field another column: then the two are reported as ambiguous.
    plain = frame.rename(columns=lambda label: renamed.get(label, label))
    raw = _raw_table(table, plain, problems)
    if raw is None:
        return None
    first: pa.Array | None = None
    if len(frame.columns):
        first = frame_column(frame.iloc[:, 0], Kind.TEXT, source, "", [])
    columns = dict(raw.columns)
    if first is not None:
        columns["__first"] = first
    index = frame.index

    def row_label(position: int) -> str:
        shown = index[position]
        return f"label {shown.item() if isinstance(shown, np.generic) else shown!r}"

    return apply_map(replace(raw, columns=columns), tmap, problems, shown_row=row_label)


def _raw_table(table: Table, frame: pd.DataFrame, problems: list[Problem]) -> RawTable | None:
    source = source_name(table.name)
    names = {c.name: c.name for c in table.columns} | {c.alias: c.name for c in table.columns}
    found: dict[str, Any] = {}  # English name → the frame's column label
    for label in frame.columns:
        name = names.get(str(label).strip())
        if name is None:
            continue
        if name in found:
            problems.append(Problem(source, None, str(label), None,
                                    f"two columns for {name} ({found[name]!r} and {label!r})"))
            continue
        found[name] = label
    missing = [c for c in table.columns if c.required and c.name not in found]
    for column in missing:
        problems.append(Problem(source, None, column.name, None,
                                f"missing column (name it {column.name} or {column.alias})"))
    if missing or not frame.columns.is_unique:
        if not frame.columns.is_unique:
            problems.append(Problem(source, None, None, None, "column labels repeat"))
        return None
    rows = len(frame)
    positions = np.arange(rows, dtype=np.int64)
    cell_problems: list[Problem] = []
    columns = {name: frame_column(frame[label], table.column(name).kind, source, name,
                             cell_problems)
               for name, label in found.items()}
    return RawTable(table, source, columns, rows, positions, tuple(cell_problems))


def frame_problems(problems: list[Problem], total: int, labels: Mapping[str, pd.Index]
                   ) -> tuple[list[Problem], int]:
    """A load's problems as a frame's user reads them: index labels for row positions, and
    no "must not be blank" for a float cell already refused as inexact, or for a column
    refused whole (list, struct): they were blanked."""
    inexact = {(p.file, p.row, p.column) for p in problems if p.message == FLOAT_EXACT}
    refused = {(p.file, p.column) for p in problems if p.message.endswith(NOT_TEXT)}
    kept = [p for p in problems if not (p.message == "must not be blank"
                                        and ((p.file, p.row, p.column) in inexact
                                             or (p.file, p.column) in refused))]
    return [frame_problem(p, labels) for p in kept], total - (len(problems) - len(kept))


def frame_problem(problem: Problem, labels: Mapping[str, pd.Index]) -> Problem:
    """A problem of a frame with its row position replaced by the frame's index label."""
    for table, index in labels.items():
        if problem.file != source_name(table):
            continue
        if problem.row is None or not 0 <= problem.row < len(index):
            return problem
        label = index[problem.row]
        shown = label.item() if isinstance(label, np.generic) else label
        return Problem(f"{problem.file}, row label {shown!r}", None, problem.column,
                       problem.value, problem.message)
    return problem
