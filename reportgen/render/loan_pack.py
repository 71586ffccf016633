"""The 借据明细 written once with xlsxwriter and copied, as compressed bytes, into workbooks.

The loan sheet is by far the biggest part of a report workbook (620,000 rows at a million
loans, ~50 s of the ~65 s an xlsx took with openpyxl), and every report of one run that
shares an as-of day and a scope holds the very same rows: the year-end run's dekad,
monthly, quarterly and yearly workbooks all list the live loans of 31 December.  So:

* the sheet is written by xlsxwriter in ``constant_memory`` mode (a streaming writer about
  twice openpyxl's write-only speed on these rows; bench/xlsx_loans.py), into a workbook
  of its own that holds nothing else (``write_loan_workbook``);
* every report workbook is written by openpyxl as before, with an empty placeholder sheet
  of the same name (its auto filter and print titles give workbook.xml the defined names),
  and ``splice`` then builds the final zip by copying each member's *compressed* bytes:
  the placeholder's member is taken from the loan workbook instead.  Nothing is inflated
  or deflated again, so a copy costs what reading and writing ~50 MB costs;
* the cell style ids in the copied XML must mean the same in every workbook: both the
  loan workbook and each report workbook register the loan sheet's styles FIRST
  (``register_styles``), so they are ids 1..k everywhere, and the xlsxwriter formats are
  pinned to those ids;
* within one run, ``LoanSheets`` keeps each (ledger, as-of day, scope, language) sheet in
  a folder shared by the render processes; a file lock makes the first one write it and
  the others wait and reuse it.  A lone ``generate`` writes it into a temporary file.

The rows themselves are built column by column as XML text and handed to xlsxwriter's
row-data file (``_LoanWorksheet.append_rows``): its per-cell calls cost as much as
openpyxl's, and its own text path would turn ``_x0041_``-like text and control characters
into escapes that read back differently, and write a text that looks like ``<r>…</r>``
unescaped, as rich text.  Text cells are inline strings with plain XML escaping, never
formulas; money is written as its exact yuan text ("1234.56"), never through a float.

The print header of the shared sheet names the bank, the sheet and the as-of day (not the
report, which differs between the workbooks that share the bytes); the cells are the same
as openpyxl's path (tests/test_render_loan_pack.py reads both back).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any, BinaryIO

import xlsxwriter
from openpyxl.cell import WriteOnlyCell
from openpyxl.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from reportgen.formatting import TEXT_FORMAT
from reportgen.labels import Labels
from reportgen.model import LoanBook
from reportgen.render import excel_loans, sheet_rows
from reportgen.render.base import temporary
from reportgen.render.excel_loans import (
    COLUMNS,
    FORMATS,
    HEADER_ALIGN,
    HEADER_FILL,
    HEADER_FONT,
)

ZIP_LIMIT = 0xFFFFFFFF  # sizes and offsets of a zip without the zip64 extension


@dataclass(frozen=True)
class LoanStyles:
    """Cell style ids of the loan sheet: the header's, and per column the plain and the
    quote-prefixed one (text that looks like a formula)."""

    header: int
    plain: tuple[int, ...]
    quoted: tuple[int, ...]


def register_styles(wb: Workbook) -> LoanStyles:
    """Register the loan sheet's styles in ``wb``; called first on every workbook, so the
    ids are the same (1..k) in the loan workbook and in each report workbook."""
    sheet = SimpleNamespace(parent=wb)  # a cell's styles live in its sheet's workbook
    header = WriteOnlyCell(sheet)
    header.font, header.fill, header.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGN
    plain, quoted = [], []
    for kind, _ in COLUMNS.values():
        cell = WriteOnlyCell(sheet)
        cell.number_format = FORMATS[kind]
        plain.append(cell.style_id)
    for kind, _ in COLUMNS.values():
        if kind in "se":
            cell = WriteOnlyCell(sheet)
            cell.number_format, cell.quotePrefix = TEXT_FORMAT, True
            quoted.append(cell.style_id)
        else:
            quoted.append(plain[len(quoted)])
    return LoanStyles(header.style_id, tuple(plain), tuple(quoted))


def expected_styles() -> LoanStyles:
    """The ids ``register_styles`` gives on a fresh workbook: what the bytes refer to."""
    return register_styles(Workbook(write_only=True))


class _LoanWorksheet(Worksheet):  # type: ignore[misc]
    """xlsxwriter's worksheet, taking whole chunks of rows as ready XML.

    xlsxwriter's per-cell calls (``write_string`` → a cell tuple → ``_write_cell``) cost
    about what openpyxl's own path costs on these rows; the rows are therefore built
    column by column (``_rows_xml``) and appended to the worksheet's row-data file, where
    constant_memory mode keeps the rows it has written, with its dimensions updated.
    xlsxwriter writes everything else: the sheet frame, widths, filter, panes, print
    setup, the zip.  Pinned by setup.cfg to XlsxWriter 3.x; tests/test_render_loan_pack.py
    reads every cell back.
    """

    previous_row: int  # xlsxwriter's: the row it holds in constant_memory mode

    def append_rows(self, xml: str, first: int, last: int, last_col: int) -> None:
        """Append rows ``first``..``last`` (0-based), given as ``<row>`` elements."""
        if self.previous_row < first:
            self._write_single_row(first)  # flush the row xlsxwriter still holds
        self.fh.write(xml)
        self._check_dimensions(last, last_col)
        self.previous_row = last


@dataclass(frozen=True)
class PrintHeader:
    """Header and footer of the shared sheet (already in Excel's &-code escaping)."""

    left: str = ""
    center: str = ""
    right: str = ""
    footer: str = ""


def write_loan_workbook(loans: LoanBook, labels: Labels, path: Path,
                        header: PrintHeader = PrintHeader()) -> list[str]:
    """Write a workbook holding only the 借据明细 sheet(s) to ``path``; returns their names.

    Cells as openpyxl's path writes them (excel_loans): text stays text (write_string,
    quote-prefixed when it looks like a formula), money is the exact yuan number, dates
    are serials with a date format.
    """
    wb = xlsxwriter.Workbook(str(path), {
        "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
        "strings_to_numbers": False, "tmpdir": str(path.parent)})
    styles = expected_styles()
    formats: dict[int, Any] = {}

    def fmt(style_id: int, num_format: str, **extra: Any) -> Any:
        if style_id not in formats:
            made = wb.add_format({"num_format": num_format, **extra})
            made.xf_index = style_id  # pinned: the id the report workbooks registered
            formats[style_id] = made
        return formats[style_id]

    head = fmt(styles.header, "General", bold=True, bg_color="#D9E1F2", pattern=1,
               align="center", valign="vcenter", text_wrap=True)
    kinds = [kind for kind, _ in COLUMNS.values()]
    for style, kind in zip(styles.plain, kinds, strict=True):
        fmt(style, FORMATS[kind])
    for style, kind in zip(styles.quoted, kinds, strict=True):
        if kind in "se":
            fmt(style, TEXT_FORMAT, quote_prefix=True)
    names = []
    chunks = excel_loans._chunks(loans, labels)
    pending: list[tuple[Any, ...]] = []
    for name, rows in excel_loans.sheet_plan(len(loans), labels):
        ws = wb.add_worksheet(name, worksheet_class=_LoanWorksheet)
        names.append(name)
        _setup(ws, rows, header)
        for col, key in enumerate(COLUMNS):
            ws.write_string(0, col, labels.field("loans", key), head)
        row = 1
        left = rows
        while left:
            if not pending:
                pending = next(chunks)
            take, pending = pending[:left], pending[left:]
            ws.append_rows(_rows_xml(take, row + 1, kinds, styles.plain, styles.quoted),
                           row, row + len(take) - 1, len(COLUMNS) - 1)
            row += len(take)
            left -= len(take)
    wb.close()
    return names


def _setup(ws: Any, rows: int, header: PrintHeader) -> None:
    """Widths, frozen header, auto filter and print setup as excel.py gives every sheet."""
    for col, (_, width) in enumerate(COLUMNS.values()):
        ws.set_column(col, col, width)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, rows, len(COLUMNS) - 1)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    parts = [f"&{at}{text}" for at, text in (("L", header.left), ("C", header.center),
                                            ("R", header.right)) if text]
    if parts:
        ws.set_header("".join(parts))
    if header.footer:
        ws.set_footer(f"&C{header.footer}")


def _rows_xml(rows: list[tuple[Any, ...]], first: int, kinds: list[str],
              plain: tuple[int, ...], quoted: tuple[int, ...]) -> str:
    """``<row>`` elements for ``rows``, the first one being sheet row ``first`` (1-based);
    built column by column (render/sheet_rows.py).  Money arrives as its exact yuan text
    and is written as it is; a rate as Python's shortest repr of its float, as openpyxl
    writes it."""
    numbers = [str(n) for n in range(first, first + len(rows))]
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(kinds)
    cells: list[list[str]] = []
    for n, (kind, values) in enumerate(zip(kinds, columns, strict=True)):
        where = sheet_rows.refs(n, numbers)
        if kind in "se":
            cells.append(sheet_rows.text_cells(list(values), where, plain[n], quoted[n]))
        else:
            shown = map(repr, values) if kind == "r" else map(str, values)
            cells.append(sheet_rows.number_cells(shown, where, plain[n]))
    return sheet_rows.rows_xml(numbers, cells)


# --- copying compressed members between zips -------------------------------------------

def _dos_time(info: zipfile.ZipInfo) -> tuple[int, int]:
    year, month, day, hour, minute, second = info.date_time
    return (hour << 11 | minute << 5 | second // 2,
            max(0, year - 1980) << 9 | month << 5 | day)


def _copy_member(src: BinaryIO, info: zipfile.ZipInfo, name: str, out: BinaryIO) -> bytes:
    """Copy one member's compressed bytes to ``out`` under ``name``; returns its central
    directory record (the caller appends it after the last member)."""
    src.seek(info.header_offset)
    local = src.read(30)
    if local[:4] != b"PK\x03\x04":
        raise ValueError(f"not a zip member header at {info.header_offset}")
    skip_name, skip_extra = struct.unpack("<2H", local[26:30])
    src.seek(info.header_offset + 30 + skip_name + skip_extra)
    offset = out.tell()
    if max(offset, info.compress_size, info.file_size) >= ZIP_LIMIT:
        raise ValueError("a workbook member beyond 4 GB needs zip64, which splice does not "
                         "write")
    encoded = name.encode("utf-8")
    flags = (info.flag_bits & ~0x08) | (0 if encoded.isascii() else 0x800)
    tm, dt = _dos_time(info)
    fixed = (20, flags, info.compress_type, tm, dt, info.CRC, info.compress_size,
             info.file_size, len(encoded))
    out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", *fixed, 0) + encoded)
    left = info.compress_size
    while left:
        block = src.read(min(left, 1 << 20))
        if not block:
            raise ValueError("a zip member ends early")
        out.write(block)
        left -= len(block)
    return struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, *fixed, 0, 0, 0, 0,
                       info.external_attr & 0xFFFFFFFF, offset) + encoded


def splice(base: Path, sheets: Path, replace: dict[str, str], out: Path) -> None:
    """Write ``out``: the members of the zip ``base`` in order, each one named in
    ``replace`` (member of ``base`` → member of ``sheets``) taken from ``sheets``; every
    member is copied compressed, as it is."""
    with (zipfile.ZipFile(base) as zb, zipfile.ZipFile(sheets) as zs,
          open(base, "rb") as fb, open(sheets, "rb") as fs, open(out, "wb") as fo):
        central = []
        for info in zb.infolist():
            if info.filename in replace:
                central.append(_copy_member(fs, zs.getinfo(replace[info.filename]),
                                            info.filename, fo))
            else:
                central.append(_copy_member(fb, info, info.filename, fo))
        start = fo.tell()
        for record in central:
            fo.write(record)
        size = fo.tell() - start
        if start + size >= ZIP_LIMIT:
            raise ValueError("a workbook beyond 4 GB needs zip64, which splice does not write")
        fo.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central),
                             size, start, 0))


def sheet_members(path: Path) -> dict[str, str]:
    """Sheet name → its member in the zip of a workbook (from workbook.xml and its rels)."""
    from lxml import etree

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as zf:
        book = etree.fromstring(zf.read("xl/workbook.xml"))
        rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    members = {}
    for sheet in book.iter(f"{main}sheet"):
        target = targets[sheet.get(rel)].lstrip("/")
        members[sheet.get("name")] = target if target.startswith("xl/") else f"xl/{target}"
    return members


# --- one sheet per as-of day ---------------------------------------------------------

def key_of(ledger_sha256: str, as_of: str, scope: str, lang: str, bank: str,
           rows: int) -> str:
    """File name of one shared loan sheet: the day and scope to read, a digest for the
    rest (a different ledger, language or bank header is a different sheet)."""
    digest = hashlib.sha256(f"{ledger_sha256}|{lang}|{bank}|{rows}".encode()).hexdigest()
    return f"loans_{as_of}_{scope}_{digest[:12]}.xlsx"


@contextlib.contextmanager
def loan_workbook(loans: LoanBook, labels: Labels, header: PrintHeader, *,
                  folder: Path | None, key: str, beside: Path) -> Iterator[Path]:
    """The loan workbook for ``key``: from ``folder`` (written there by the first caller
    of a run, under a file lock), or written into a temporary file beside ``beside`` (named
    as render/base.py names temporaries, so an interrupted one is cleaned up later) and
    removed afterwards."""
    if folder is None:
        path = temporary(beside)
        try:
            write_loan_workbook(loans, labels, path, header)
            yield path
        finally:
            path.unlink(missing_ok=True)
        return
    target = folder / key
    with open(folder / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not target.exists():
            fd, name = tempfile.mkstemp(prefix=f".{key}.", suffix=".tmp", dir=folder)
            os.close(fd)
            try:
                write_loan_workbook(loans, labels, Path(name), header)
                os.replace(name, target)
            finally:
                Path(name).unlink(missing_ok=True)
    yield target


def written(folder: Path) -> list[str]:
    """The loan sheets written into a run's folder (one file each)."""
    return sorted(p.name for p in folder.glob("loans_*.xlsx"))


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
