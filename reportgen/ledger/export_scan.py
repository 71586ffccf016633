"""Reads a core system's export as it comes, for ``reportgen map``: every file or sheet as
rows of text, with the header row found and the footer (合计) rows told apart.

The ledger reader (read.py) is told where the header is by the mapping file; here nothing
is known yet, so the first rows of each file are looked at to find it: the header is the
row with the most cells that are known column names (any table's), or, when no cell is
known, the first row as wide as the widest of the first rows.  The body below it is read
whole into Arrow text columns (a CSV by Arrow's reader, so a big export costs seconds).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reportgen.errors import LedgerError, Problem
from reportgen.ledger import csvtext
from reportgen.ledger.read_workbook import cell_text
from reportgen.ledger.shapes import fill_merged
from reportgen.ledger.typed_text import NotTextError, as_text
from reportgen.ledger.workbook import check_workbook

HEAD_ROWS = 30  # title rows above a header are few; the header is within the first rows
FOOTER_WORDS = ("合计", "总计", "小计")
_SPACES = re.compile(r"\s+")
_UNIT = re.compile(r"[(（](%|％|元|万元|人民币元|人民币万元|天)[)）]$")


def normalise(title: str) -> str:
    """A header as compared with known names: no spaces or BOM, ASCII brackets, no unit
    suffix such as (%) or (元), lower case."""
    text = _SPACES.sub("", str(title).replace("\ufeff", ""))
    return _UNIT.sub("", text).lower()


@dataclass
class Grid:
    """One file or sheet of the export."""

    source: str  # for messages and comments: "借据.csv" or "export.xlsx, sheet 借据"
    file: str | None  # the file's name in the export folder (a CSV or Parquet file)
    sheet: str | None  # the sheet's name (a workbook)
    head: list[list[str]]  # the first rows as text ("" for a blank cell)
    read_body: Callable[[int, int], list[pa.Array]]  # (header row, width) → columns
    skipped: list[str] = field(default_factory=list)  # CSV rows of another width, as text


@dataclass
class Body:
    """The rows below the header: text columns, and which rows are footers or blank."""

    header: list[str]
    columns: list[pa.Array]
    footer: np.ndarray  # bool per row: its first cell starts with 合计/总计/小计
    blank: np.ndarray  # bool per row: every cell blank
    footer_words: list[str]  # the distinct first cells of the footer rows
    short_footers: int = 0  # footer rows of another width (a lone "合计"), not in columns

    @property
    def records(self) -> np.ndarray:
        return ~self.footer & ~self.blank


def scan(path: Path) -> list[Grid]:
    """Every file (CSV, Parquet) of a folder, or every sheet of a workbook, in name order."""
    if path.is_dir():
        grids: list[Grid] = []
        for file in sorted(path.iterdir()):
            suffix = file.suffix.lower()
            if suffix == ".csv":
                grids.append(_csv_grid(file))
            elif suffix == ".parquet":
                grids.append(_parquet_grid(file))
        return grids
    return _workbook_grids(path)


def header_row(head: list[list[str]], known: set[str]) -> int:
    """The 1-based row of the header among the first rows (see the module docstring)."""
    scores = [_known(row, known) for row in head]
    if scores and max(scores) > 0:
        best = scores.index(max(scores)) + 1
        # A header merged over two rows (金额 over 合同金额 | 余额, 借据号 down both): the
        # lower row, its blanks filled from above, names more columns than the upper.
        while best < len(head) and _known(fill_merged(head[:best + 1]), known) > _known(
                fill_merged(head[:best]), known):
            best += 1
        return best
    widths = [sum(1 for cell in row if cell) for row in head]
    return widths.index(max(widths)) + 1 if widths else 1


def _known(row: list[str], known: set[str]) -> int:
    return sum(1 for cell in row if cell and normalise(cell) in known)


def body(grid: Grid, header: int) -> Body:
    """The header's titles and the text columns below it."""
    # A cell blank under a header merged over two rows takes the text above (shapes.py)
    titles = fill_merged(grid.head[:header]) if header <= len(grid.head) else []
    while titles and not titles[-1]:
        titles.pop()
    columns = grid.read_body(header, len(titles))
    rows = len(columns[0]) if columns else 0
    if not columns:
        return Body(titles, [], np.zeros(0, bool), np.zeros(0, bool), [])
    blank = np.ones(rows, dtype=bool)
    for column in columns:
        blank &= np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)
    first = pc.fill_null(pc.utf8_trim_whitespace(columns[0]), "")
    compact = pc.replace_substring_regex(first, r"\s+", "")
    footer = np.zeros(rows, dtype=bool)
    for word in FOOTER_WORDS:
        footer |= np.asarray(pc.starts_with(compact, word).to_numpy(zero_copy_only=False),
                             dtype=bool)
    words = set(first.filter(pa.array(footer)).to_pylist()) if footer.any() else set()
    short = [next(csv.reader([t]), [""])[0].strip() for t in grid.skipped]
    short = [w for w in short if _SPACES.sub("", w).startswith(FOOTER_WORDS)]
    return Body(titles, columns, footer, blank, sorted(str(w) for w in words | set(short)),
                len(short))


# --- CSV ------------------------------------------------------------------------------


def _decoded(path: Path) -> bytes:
    """The file as UTF-8 bytes (a GB18030/GBK file is transcoded), without a BOM."""
    data = path.read_bytes()
    utf16 = csvtext.utf16_problem(data, path.name)
    if utf16 is not None:
        raise LedgerError([utf16])
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data = data.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise LedgerError([Problem(path.name, None, None, None,
                                       f"neither UTF-8 nor GB18030 text ({exc.reason})")]
                              ) from None
    return data.removeprefix(b"\xef\xbb\xbf")


def _csv_grid(path: Path) -> Grid:
    text = _decoded(path)
    lines = text.split(b"\n", HEAD_ROWS)[:HEAD_ROWS]
    head = [[cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(b"\n".join(lines).decode("utf-8", "replace")))]

    grid = Grid(path.name, path.name, None, head, lambda header, width: [])

    def skip_row(row: pacsv.InvalidRow) -> str:
        """A row of another width than the header (a lone 合计, a note): kept aside."""
        grid.skipped.append(row.text or "")
        return "skip"

    def read(header: int, width: int) -> list[pa.Array]:
        names = [f"c{i}" for i in range(width)]
        if not names:
            return []
        table = pacsv.read_csv(
            pa.BufferReader(text),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=header),
            parse_options=pacsv.ParseOptions(invalid_row_handler=skip_row),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))
        return [_trimmed(table.column(i).combine_chunks()) for i in range(width)]

    grid.read_body = read
    return grid


def _trimmed(array: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(array)
    return pc.if_else(pc.equal(pc.binary_length(trimmed), 0), pa.scalar(None, pa.string()),
                      trimmed)


def _parquet_grid(path: Path) -> Grid:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    head = [list(table.column_names)]

    def read(header: int, width: int) -> list[pa.Array]:
        del header, width
        return [_trimmed(_as_text(table.column(i).combine_chunks()))
                for i in range(table.num_columns)]

    return Grid(path.name, path.name, None, head, read)


def _as_text(array: pa.Array) -> pa.Array:
    """A typed column as the text the proposal looks at (none for a list or struct)."""
    try:
        return as_text(array)
    except NotTextError:
        return pa.nulls(len(array), pa.string())


# --- workbook -------------------------------------------------------------------------


def _workbook_grids(path: Path) -> list[Grid]:
    from python_calamine import CalamineError, CalamineWorkbook

    check_workbook(path)  # a bomb is refused before calamine inflates anything
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except CalamineError as exc:
        raise LedgerError([Problem(path.name, None, None, None,
                                   f"not a readable .xlsx workbook ({exc})")]) from None
    grids = []
    for name in workbook.sheet_names:
        rows = [[_cell(v) for v in row]
                for row in workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        grids.append(_rows_grid(f"{path.name}, sheet {name}", name, rows))
    return grids


def _rows_grid(source: str, sheet: str, rows: list[list[str]]) -> Grid:
    def read(header: int, width: int) -> list[pa.Array]:
        below = rows[header:]
        return [pa.array([(r[i] if i < len(r) and r[i] else None) for r in below],
                         type=pa.string()) for i in range(width)]

    return Grid(source, None, sheet, rows[:HEAD_ROWS], read)


def _cell(value: object) -> str:
    """A workbook cell as the reader takes it (``read_workbook.cell_text``), "" for none,
    trimmed for the header search."""
    return (cell_text(value) or "").strip()


def value_counts(array: pa.Array, rows: np.ndarray) -> list[tuple[str, int]]:
    """Distinct non-blank values of the given rows with their counts, most frequent first
    (then by value), by Arrow's hash count."""
    kept = array.filter(pa.array(rows))
    counts = pc.value_counts(kept.drop_null()) if len(kept) else pa.array(
        [], pa.struct([("values", pa.string()), ("counts", pa.int64())]))
    pairs: Iterable[tuple[str, int]] = zip(
        counts.field("values").to_pylist(), counts.field("counts").to_pylist(), strict=True)
    return sorted(((str(v), int(c)) for v, c in pairs), key=lambda p: (-p[1], p[0]))
