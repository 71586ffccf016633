"""Reads a bank's export as it comes, through a mapping file, into the usual ``RawLedger``.

Everything the export does differently ends here: its files found by glob (the newest
dated one), title rows above the header, footer rows (合计) below the data, its headers,
its code values, rows to ignore and reversal rows.  What comes out is the same text
tables ``read.py`` gives for a ledger in reportgen's own format, so parsing, validation
and everything after the load see the same ``Ledger`` (style.md: the export is a reader
concern).  Value maps work on the distinct values of a column (Arrow's dictionary), never
on its rows one by one.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from reportgen.errors import LedgerError, Problem, UsageError
from reportgen.ledger import csvtext, parse
from reportgen.ledger.mapping import Mapping, TableMap, ValueMap, value_enum
from reportgen.ledger.read import (
    RawLedger,
    RawTable,
    _cell_text,
    _combine,
    _header_map,
    _journal_hint,
    _numbered,
    _table_files,
    _table_sheets,
)
from reportgen.ledger.schema import JOURNAL_TABLES, TABLES, Kind, Table
from reportgen.ledger.shapes import fill_merged, header_key, lookup, serial_dates
from reportgen.ledger.workbook import check_workbook

_WORKBOOK = (".xlsx", ".xlsm")
JOURNAL = next(t for t in TABLES if t.name == JOURNAL_TABLES[0])
_SHOWN_VALUES = 10  # distinct unmapped values a message lists
_SHORT = 8  # bytes: a cell this short may be only spaces (a blank line's cells)


def read_mapped(path: Path, mapping: Mapping) -> RawLedger:
    """Read the export at ``path`` (a folder or a workbook) as ``mapping`` says."""
    problems: list[Problem] = []
    digest = hashlib.sha256()
    tables: dict[str, RawTable] = {}
    defaults: dict[str, Path | None] = {}
    books: dict[Path, object] = {}
    dates: list[date] = []
    # A missing journal table is a problem only when no balances table stands in for it
    # (a snapshot export): those problems wait until every table has been looked for.
    journal_missing: list[Problem] = []
    for table in TABLES:
        tmap = mapping.table(table.name) or TableMap(table.name)
        before = len(problems)
        file = _locate(path, table, tmap, mapping, defaults, problems)
        if table.name in JOURNAL_TABLES and file is None:
            journal_missing += problems[before:]
            del problems[before:]
        if file is None:
            continue
        if file != path and (day := file_date(file.name, mapping.date_from_name)):
            dates.append(day)
        if file.suffix.lower() in _WORKBOOK:
            raw = _read_sheet(table, tmap, file, books, digest, problems)
            if table.name in JOURNAL_TABLES and raw is None and problems[before:] and (
                    problems[-1].message.endswith("is missing")):
                journal_missing.append(problems.pop())
        elif file.suffix.lower() == ".csv":
            data = file.read_bytes()
            digest.update(data)
            raw = _read_csv(table, tmap, file.name, data, problems)
        else:
            raw = _read_parquet(table, tmap, file, digest, problems)
        if raw is not None:
            tables[table.name] = apply_map(raw, tmap, problems)
    if "balances" not in tables:
        problems.extend(replace(p, message=p.message + _journal_hint(JOURNAL))
                        for p in journal_missing)
    # The ledger's own name first (信贷台账_20261031.xlsx, a folder 20261031/); else the
    # oldest date of its files: the export is complete only as far as its oldest table.
    named = file_date(path.name, mapping.date_from_name) or min(dates, default=None)
    return RawLedger(path, digest.hexdigest(), tables, tuple(problems), named)


def _locate(path: Path, table: Table, tmap: TableMap, mapping: Mapping,
            defaults: dict[str, Path | None], problems: list[Problem]) -> Path | None:
    """The file a table is read from: its glob, else its usual name in the folder, else
    the ledger itself (a workbook).  ``defaults`` caches the folder's usual names."""
    if not path.is_dir():
        return path
    if tmap.file is not None:
        return _glob_one(path, tmap.file, table, mapping, problems)
    if not defaults:
        defaults.update(_table_files(path, problems))
        defaults.setdefault("", None)  # looked at once, even when the folder has none
    if table.name not in defaults and table.required:
        problems.append(Problem(f"{table.name}.csv", None, None, None,
                                f"required file missing from {path}"))
    return defaults.get(table.name)


def resolve_ledger(path: Path, pattern: re.Pattern[str] | None) -> Path:
    """A ledger path that is a glob (``/srv/export/信贷台账_*.xlsx``, or a folder glob)
    → its newest dated match.  No match, or two matches with the newest date (or without
    dates to tell them apart), is a ``UsageError`` naming them, never a silent pick."""
    text = str(path)
    if not any(c in text for c in "*?["):
        return path
    import glob

    matches = sorted(Path(p) for p in glob.glob(text))
    if not matches:
        raise UsageError(f"--ledger {text}: no file or folder matches")
    if len(matches) == 1:
        return matches[0]
    dated = [(file_date(p.name, pattern or _EIGHT_DIGITS), p) for p in matches]
    undated = [p.name for d, p in dated if d is None]
    if undated:
        raise UsageError(f"--ledger {text}: {len(matches)} matches and no date in the name of "
                         f"{', '.join(undated)}; keep one, or name them by date")
    newest = max(d for d, _ in dated if d is not None)
    best = [p for d, p in dated if d == newest]
    if len(best) > 1:
        raise UsageError(f"--ledger {text}: two matches with the same date {newest}: "
                         f"{' and '.join(p.name for p in best)} (keep one)")
    return best[0]


_EIGHT_DIGITS = re.compile(r"(?P<date>\d{4}-?\d{2}-?\d{2})")


def file_date(name: str, pattern: re.Pattern[str] | None) -> date | None:
    """The date a file or folder name carries (``信贷台账_20261031.xlsx``), or None."""
    if pattern is None:
        return None
    match = pattern.search(name)
    if match is None:
        return None
    digits = re.sub(r"\D", "", match.group("date"))
    if len(digits) != 8:
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _glob_one(folder: Path, pattern: str, table: Table, mapping: Mapping,
              problems: list[Problem]) -> Path | None:
    """The one file a table's glob names: the newest dated match when the mapping reads
    dates from names; two matches that cannot be told apart are an error, never a pick."""
    matches = sorted(p for p in folder.glob(pattern) if p.is_file())
    if not matches:
        if table.required:
            problems.append(Problem(pattern, None, None, None,
                                    f"no file in {folder} matches {pattern!r} "
                                    f"(table {table.name})"))
        return None
    if len(matches) == 1:
        return matches[0]
    dated = [(file_date(p.name, mapping.date_from_name), p) for p in matches]
    if any(d is None for d, _ in dated):
        names = " and ".join(p.name for p in matches)
        problems.append(Problem(pattern, None, None, None,
                                f"{len(matches)} files match {pattern!r} for table "
                                f"{table.name}: {names} (keep one, or give source."
                                "date_from_name to take the newest)"))
        return None
    newest = max(d for d, _ in dated if d is not None)
    best = [p for d, p in dated if d == newest]
    if len(best) > 1:
        names = " and ".join(p.name for p in best)
        problems.append(Problem(pattern, None, None, None,
                                f"two files with the same date {newest} for table "
                                f"{table.name}: {names} (keep one)"))
        return None
    return best[0]


def _utf8(data: bytes, source: str, problems: list[Problem]) -> bytes | None:
    """The text as UTF-8 bytes: UTF-8 as it is (Arrow checks it while parsing, in
    parallel), GB18030 (GBK) transcoded once."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if data.isascii() or _looks_utf8(data):
        return data
    try:
        return data.decode("gb18030").encode("utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(source, None, None, None,
                                f"neither UTF-8 nor GB18030 text ({exc.reason})"))
        return None


def _looks_utf8(data: bytes) -> bool:
    """UTF-8 or not, decided on the first MB (a GBK file fails there: its Chinese headers
    come first); Arrow's own check while parsing catches a file that changes midway."""
    head = data[:1 << 20]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # a character cut by the 1 MB boundary
    return True


def _line_starts(text: bytes, count: int) -> int:
    """Byte offset after the first ``count`` lines (title rows are single lines)."""
    at = 0
    for _ in range(count):
        end = csvtext.header_end(text[at:at + (1 << 20)])
        if end < 0:
            return len(text)
        at += end + 1
        if text[at - 1:at] == b"\r" and text[at:at + 1] == b"\n":
            at += 1
    return at


def _header_names(table: Table, tmap: TableMap, header: list[str]) -> list[str]:
    """The export's header with each mapped title replaced by its reportgen name."""
    renamed = {header_key(title): name for name, title in tmap.columns.items()}
    return [renamed.get(key, key) for key in (header_key(str(title)) for title in header)]


def _check_mapped(table: Table, tmap: TableMap, source: str, header: list[str],
                  problems: list[Problem]) -> dict[int, str] | None:
    titles = {header_key(str(t)) for t in header}
    for name, title in tmap.columns.items():
        if header_key(title) not in titles:
            problems.append(Problem(source, tmap.header_row, name, None,
                                    f"the mapping names header {title!r} for {name}, "
                                    f"but row {tmap.header_row} has no such header"))
    found = _header_map(table, source, _header_names(table, tmap, header), problems)
    if any(p.file == source for p in problems):
        return None
    return found


def _read_csv(table: Table, tmap: TableMap, source: str, data: bytes,
              problems: list[Problem]) -> RawTable | None:
    text = _utf8(data, source, problems)
    if text is None:
        return None
    start = _line_starts(text, tmap.header_row - 1)
    titles = list(csv.reader(io.StringIO(text[:start].decode("utf-8", "replace"))))
    text = text[start:]
    newline = csvtext.header_end(text)
    first = text[:newline if newline >= 0 else len(text)].decode("utf-8")
    header = fill_merged([*titles, next(csv.reader([first]), [])])
    found = _check_mapped(table, tmap, source, header, problems)
    if found is None:
        return None
    names = [f"c{i}" for i in range(len(header))]
    keep = sorted({0, *found})
    invalid: list[int] = []

    def skip_invalid(_row: object) -> str:
        invalid.append(1)
        return "skip"

    try:
        arrow = pacsv.read_csv(
            pa.BufferReader(text),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=1 << 24),
            parse_options=pacsv.ParseOptions(invalid_row_handler=skip_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                include_columns=[names[i] for i in keep], strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        problems.append(Problem(source, None, None, None, f"not a readable CSV file: {exc}"))
        return None
    columns = {name: _combine(arrow.column(names[i])) for i, name in found.items()}
    columns["__first"] = _combine(arrow.column(names[0]))
    raw = _numbered(source, table, columns, arrow.num_rows, len(header), bool(invalid),
                    csvtext.body_lines(text), lambda: text)
    numbers = raw.row_numbers if raw.row_numbers is not None else np.arange(
        2, raw.rows + 2, dtype=np.int64)
    offset = tmap.header_row - 1
    shifted = tuple(replace(p, row=p.row + offset) if p.row is not None else p
                    for p in raw.row_problems if not _footer_text(p.value, tmap))
    skipped = dict(raw.skipped)
    if len(shifted) < len(raw.row_problems):  # a lone 合计 line, narrower than the header
        skipped[_footer_key(tmap)] = len(raw.row_problems) - len(shifted)
    return replace(raw, row_numbers=numbers + offset, row_problems=shifted, skipped=skipped)


def _footer_key(tmap: TableMap) -> str:
    return "footer rows (" + ", ".join(tmap.skip_first_cell) + ")"


def _footer_text(text: str | None, tmap: TableMap) -> bool:
    """Whether a line that could not be read as a record is a footer (合计：…)."""
    if text is None or not tmap.skip_first_cell:
        return False
    first = header_key(next(csv.reader([text]), [""])[0] if text.strip() else "")
    return any(first.startswith(header_key(word)) for word in tmap.skip_first_cell)


def _read_parquet(table: Table, tmap: TableMap, file: Path, digest: hashlib._Hash,
                  problems: list[Problem]) -> RawTable | None:
    import pyarrow.parquet as pq

    from reportgen.ledger.read import _as_text

    data = file.read_bytes()
    digest.update(data)
    try:
        arrow = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError) as exc:
        problems.append(Problem(file.name, None, None, None,
                                f"not a readable Parquet file ({exc})"))
        return None
    found = _check_mapped(table, tmap, file.name, arrow.column_names, problems)
    if found is None:
        return None
    columns = {name: _as_text(_combine(arrow.column(i))) for i, name in found.items()}
    if arrow.num_columns:
        columns["__first"] = _as_text(_combine(arrow.column(0)))
    return RawTable(table, file.name, columns, arrow.num_rows)


def _read_sheet(table: Table, tmap: TableMap, file: Path, books: dict[Path, object],
                digest: hashlib._Hash, problems: list[Problem]) -> RawTable | None:
    from python_calamine import CalamineError, CalamineWorkbook

    if file not in books:
        check_workbook(file)
        data = file.read_bytes()
        digest.update(data)
        try:
            books[file] = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except CalamineError as exc:
            raise LedgerError([Problem(file.name, None, None, None,
                                       f"not a readable .xlsx workbook ({exc})")]) from None
    book = books[file]
    assert isinstance(book, CalamineWorkbook)
    if tmap.sheet is not None:
        sheet: str | None = tmap.sheet if tmap.sheet in book.sheet_names else None
        if sheet is None:
            problems.append(Problem(file.name, None, None, None,
                                    f"no sheet {tmap.sheet!r} (table {table.name}); the "
                                    f"sheets are {', '.join(book.sheet_names)}"))
            return None
    else:
        sheet = _table_sheets(file.name, book.sheet_names, problems).get(table.name)
        if not sheet:
            if sheet is None and table.required:
                problems.append(Problem(file.name, None, None, None,
                                        f"sheet {table.name} ({table.sheet_alias}) is missing"))
            return None
    source = f"{file.name}, sheet {sheet}"
    try:
        rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except CalamineError as exc:
        problems.append(Problem(source, None, None, None, f"not a readable sheet ({exc})"))
        return None
    at = tmap.header_row - 1
    header = fill_merged([[_cell_text(v) or "" for v in row] for row in rows[:at + 1]]
                         ) if len(rows) > at else []
    found = _check_mapped(table, tmap, source, header, problems)
    if found is None:
        return None
    numbered = [(number, row) for number, row in enumerate(rows[at + 1:], start=at + 2)
                if any(v is not None and v != "" for v in row)]
    body = [row for _, row in numbered]
    columns = {
        name: pa.array([_cell_text(r[i]) if i < len(r) else None for r in body],
                       type=pa.string())
        for i, name in {**found, 0: "__first"}.items()
    }
    if 0 in found:
        columns[found[0]] = columns["__first"]
    return RawTable(table, source, columns, len(body),
                    np.array([n for n, _ in numbered], dtype=np.int64))


def apply_map(raw: RawTable, tmap: TableMap, problems: list[Problem],
              shown_row: Callable[[int], str] = str) -> RawTable:
    """Footer and blank rows and ignored values out (counted), Excel's serial dates read,
    value maps and reversals applied: a file's table and a frame (``open_frames``) alike.

    ``shown_row`` turns a row number into how a message shows it ("14"; a frame's
    "label 'a'").
    """
    columns = dict(raw.columns)
    first = columns.pop("__first", None)
    rows = raw.row_numbers if raw.row_numbers is not None else np.arange(
        2, raw.rows + 2, dtype=np.int64)
    drop = np.zeros(raw.rows, dtype=bool)
    skipped: dict[str, int] = dict(raw.skipped)
    if tmap.skip_first_cell and first is not None and raw.rows:
        footer = _footers(first, tmap.skip_first_cell)
        if footer.any():
            key = _footer_key(tmap)
            skipped[key] = skipped.get(key, 0) + int(footer.sum())
        drop |= footer
    blank = _blank_rows(columns, raw.rows) & ~drop
    if blank.any():  # a blank line (",,,,") between or below the records
        skipped["blank rows"] = int(blank.sum())
        drop |= blank
    for column in raw.table.columns:
        if column.kind is Kind.DATE and column.name in columns:
            columns[column.name] = serial_dates(columns[column.name])
    reversal: np.ndarray | None = None
    for name, vmap in tmap.values.items():
        if name not in columns:
            continue
        header = tmap.columns.get(name, name)
        column = raw.table.column(name)
        mapped, ignored, reversed_ = _map_values(
            columns[name], vmap, value_enum(raw.table.name, column), raw.source, header, rows,
            ~drop, problems, shown_row)
        columns[name] = mapped
        if ignored.any():
            for value, count in _counts(columns_text := raw.columns[name], ignored).items():
                skipped[f"{header} = {value!r} (ignore)"] = count
            del columns_text
        drop |= ignored
        if reversed_ is not None:
            reversal = reversed_
    keep = ~drop
    if drop.any():
        columns = _kept(columns, keep)
        rows = rows[keep]
        if reversal is not None:
            reversal = reversal[keep]
    return replace(raw, columns=columns, rows=int(keep.sum()), row_numbers=rows,
                   money_places=tmap.money_places, reversal=reversal, skipped=skipped)


def _kept(columns: dict[str, pa.Array], keep: np.ndarray) -> dict[str, pa.Array]:
    kept = int(keep.sum())
    if keep[:kept].all():  # only footer rows at the end, the usual case: a slice
        return {name: array.slice(0, kept) for name, array in columns.items()}
    mask = pa.array(keep)
    return {name: pc.filter(array, mask) for name, array in columns.items()}


def _footers(first: pa.Array | pa.ChunkedArray, words: tuple[str, ...]) -> np.ndarray:
    """Rows whose first cell starts with a footer word: 合计, "合 计" and "合计：" alike
    (the cell without its spaces)."""
    text = pc.fill_null(pc.cast(first, pa.string()), "")
    footer = np.zeros(len(first), dtype=bool)
    # Only cells that are not plain ASCII (合计 is not) are looked at closely: an ASCII
    # check over a million loan ids costs little, a regular expression does not.
    near = np.ones(len(first), dtype=bool)
    if all(word.isascii() is False for word in words):
        near = ~np.asarray(parse.to_numpy(pc.string_is_ascii(text)), dtype=bool)
    if not near.any():
        return footer
    at = np.flatnonzero(near)
    cell = pc.replace_substring_regex(text.take(pa.array(at)), r"\s+", "")
    hit = np.zeros(len(at), dtype=bool)
    for word in words:
        hit |= np.asarray(parse.to_numpy(pc.starts_with(cell, header_key(word))), dtype=bool)
    footer[at[hit]] = True
    return footer


def _blank_rows(columns: dict[str, pa.Array], rows: int) -> np.ndarray:
    """Rows where every column read is blank (or only spaces), found from the columns'
    null masks; only rows blank so far have their text looked at."""
    # Rows whose every cell is null or short (a few spaces) are candidates, by the
    # columns' null masks and value lengths alone; only those have their text trimmed.
    blank = np.ones(rows, dtype=bool) if columns else np.zeros(rows, dtype=bool)
    for array in columns.values():
        short = (pc.less_equal(pc.binary_length(array), _SHORT)
                 if pa.types.is_string(array.type) else pc.is_null(array))
        blank &= np.asarray(parse.to_numpy(pc.fill_null(short, True)), dtype=bool)
        if not blank.any():
            return blank
    at = np.flatnonzero(blank)
    empty = np.ones(len(at), dtype=bool)
    for array in columns.values():
        picked = array.take(pa.array(at))
        if pa.types.is_string(picked.type):
            picked = pc.if_else(pc.equal(pc.utf8_trim_whitespace(picked), ""),
                                pa.scalar(None, pa.string()), picked)
        empty &= np.asarray(parse.to_numpy(pc.is_null(picked)), dtype=bool)
    blank[at] = empty
    return blank


def _counts(text: pa.Array | pa.ChunkedArray, mask: np.ndarray) -> dict[str, int]:
    picked = pc.filter(pc.utf8_trim_whitespace(text), pa.array(mask))
    counted = pc.value_counts(picked).to_pylist()
    return {str(c["values"]): int(c["counts"]) for c in counted}


def _map_values(text: pa.Array | pa.ChunkedArray, vmap: ValueMap,
                enum: tuple[tuple[str, str], ...], source: str, header: str,
                rows: np.ndarray, live: np.ndarray, problems: list[Problem],
                shown_row: Callable[[int], str] = str
                ) -> tuple[pa.Array, np.ndarray, np.ndarray | None]:
    """One enum column through its value map, on its distinct values.

    Returns the column as reportgen values (a reversal row as its type), the mask of
    ignored rows and, for a map with reversals, the mask of reversal rows.  A value that
    is neither mapped nor a valid reportgen value fails closed, grouped by value.
    """
    values, indices = parse.distinct(pc.utf8_trim_whitespace(text)
                                     if pa.types.is_string(text.type) else text)
    valid = {code.lower() for code, _ in enum} | {label.lower() for _, label in enum}
    out: list[str | None] = []
    ignored = np.zeros(len(values), dtype=bool)
    reversed_ = np.zeros(len(values), dtype=bool)
    unmapped = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        if value is None or value == "":
            out.append(None)
        elif value in vmap.targets:
            out.append(vmap.targets[value])
        elif value in vmap.ignored:
            ignored[i] = True
            out.append(None)
        elif value in vmap.reversed:
            reversed_[i] = True
            out.append(vmap.reversed[value])
        elif (found := lookup(vmap, value)) is not None:  # 00 that Excel saved as 0
            kind, target = found
            ignored[i] = kind == "ignore"
            reversed_[i] = kind == "reverse"
            out.append(target or None)
        else:
            out.append(value)
            unmapped[i] = value.lower() not in valid
    if unmapped.any():
        per_row = unmapped[indices] & live
        listed = []
        for i in np.flatnonzero(unmapped).tolist():
            hit = np.flatnonzero((indices == i) & live)
            if len(hit):
                listed.append((values[i], len(hit), int(rows[hit[0]])))
        listed.sort(key=lambda item: item[2])
        if per_row.any():
            shown = ", ".join(f"{v!r} ({n} rows, first row {shown_row(r)})"
                              for v, n, r in listed[:_SHOWN_VALUES])
            more = ", …" if len(listed) > _SHOWN_VALUES else ""
            problems.append(Problem(source, None, header, None,
                                    f"{len(listed)} values not mapped: {shown}{more}"))
    mapped = pa.array(out, type=pa.string()).take(pa.array(indices))
    return (mapped, ignored[indices],
            reversed_[indices] if vmap.reversed else None)
