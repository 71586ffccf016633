"""``reportgen partition``: stream a ledger folder into per-part Parquet folders.

A customer, its loans and every journal row of those loans land in one part, chosen by a
stable hash of the (trimmed) customer id: so customer counts and top-N lists of a part are
exact, and a part is a complete ledger the normal loader and validator read.  The journals
(most of the bytes) are read a batch at a time; the customers' and loans' ids are held whole
(a loan's part is looked up from its id), which bounds memory by the loan book, not the
journal.  Each part file keeps the original row number of every record (column
``__source_row``) and the original file name, so the validator's messages name the rows of
the file the user has.  bank_figures and targets are small and copied to every part.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from reportgen.errors import LedgerError, Problem, UsageError
from reportgen.ledger import csvtext
from reportgen.ledger.schema import (
    BALANCES,
    DEPOSIT_ACCOUNTS,
    DEPOSIT_BALANCES,
    TABLES,
    Table,
    is_required,
)

MANIFEST = "partitions.json"
SOURCE_ROW = "__source_row"
SOURCE_KEY = b"reportgen.source"
BATCH_BYTES = 1 << 24  # CSV block read at a time (16 MB)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def part_name(index: int) -> str:
    return f"part-{index:03d}"


def customer_parts(ids: pa.Array | pa.ChunkedArray, parts: int) -> np.ndarray:
    """The part (0 … parts − 1) of each customer id: a polynomial hash of its UTF-8 bytes,
    computed on the whole column (same value on every machine and run, unlike ``hash()``)."""
    text = pc.fill_null(pc.utf8_trim_whitespace(ids), "")
    array = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
    array = array.cast(pa.large_string())
    n = len(array)
    if not n:
        return np.zeros(0, np.int32)
    _, offsets_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offsets_buffer, np.int64, count=n + 1, offset=8 * array.offset)
    data = (np.frombuffer(data_buffer, np.uint8) if data_buffer is not None
            else np.zeros(0, np.uint8))[offsets[0]:offsets[-1]].astype(np.uint64)
    starts = offsets[:-1] - offsets[0]
    lengths = np.diff(offsets)
    owner = np.repeat(np.arange(n), lengths)
    position = np.arange(len(data), dtype=np.int64) - starts[owner]
    longest = int(lengths.max()) if n else 0
    powers = np.ones(max(longest, 1), np.uint64)
    with np.errstate(over="ignore"):
        powers[1:] = np.uint64(1099511628211)  # FNV prime; wrapping products, on purpose
        powers = np.cumprod(powers, dtype=np.uint64)
        weighted = (data + np.uint64(1)) * powers[position]
        sums = np.zeros(n, np.uint64)
        np.add.at(sums, owner, weighted) if len(data) else None
        sums ^= sums >> np.uint64(31)
        sums *= _MIX
        sums ^= sums >> np.uint64(29)
    return (sums % np.uint64(parts)).astype(np.int32)


def _kept_metadata(path: Path) -> dict[bytes, bytes]:
    """What a part file says of its records' origin: the file's name, or what a Parquet
    input already says (a mapped export's sheet and money unit, parts/mapped.py)."""
    kept = {SOURCE_KEY: path.name.encode()}
    if path.suffix == ".parquet":
        metadata = pq.read_schema(path).metadata or {}
        kept.update({k: v for k, v in metadata.items() if k.startswith(b"reportgen.")})
    return kept


def _with_rows(schema: pa.Schema) -> pa.Schema:
    """``schema`` with the source row column (once)."""
    if SOURCE_ROW in schema.names:
        return schema
    return schema.append(pa.field(SOURCE_ROW, pa.int32()))


def _file(folder: Path, table: Table) -> Path | None:
    for suffix in (".csv", ".parquet"):
        path = folder / f"{table.name}{suffix}"
        if path.exists():
            return path
    return None


def _scan(folder: Path) -> tuple[str, dict[Path, str]]:
    """The ledger digest the loader gives the unsplit folder (files' bytes in table order),
    so a partitioned report carries the same ``ledger_sha256``; and each CSV file's
    encoding, found as the loader does (UTF-8, else GB18030), in the same pass."""
    digest = hashlib.sha256()
    encodings: dict[Path, str] = {}
    for table in TABLES:
        path = _file(folder, table)
        if path is None:
            continue
        decoder = codecs.getincrementaldecoder("utf-8")()
        utf8 = path.suffix == ".csv"
        with path.open("rb") as handle:
            while block := handle.read(1 << 22):
                digest.update(block)
                if utf8:
                    try:
                        decoder.decode(block)
                    except UnicodeDecodeError:
                        utf8 = False
        encodings[path] = "utf-8" if utf8 else "gb18030"
    return digest.hexdigest(), encodings


def _header(path: Path, encoding: str) -> list[str]:
    """The CSV file's column titles, as written (the loader maps names and aliases)."""
    import csv

    with path.open("rb") as handle:
        first = handle.readline()
    utf16 = csvtext.utf16_problem(first, path.name)
    if utf16 is not None:
        raise LedgerError([utf16])
    try:
        line = first.decode("utf-8-sig" if encoding == "utf-8" else encoding).rstrip("\r\n")
    except UnicodeDecodeError:
        raise LedgerError([Problem(path.name, 1, None, None,
                                   "neither UTF-8 nor GB18030 text")]) from None
    return next(csv.reader([line]), [])


def _batches(path: Path, encoding: str = "utf-8") -> Iterator[pa.RecordBatch]:
    """The file's records a batch at a time, as the loader sees them: CSV cells as text
    (blank = null; a GB18030 file transcoded as it streams), Parquet columns as typed."""
    if path.suffix == ".parquet":
        yield from pq.ParquetFile(path).iter_batches(batch_size=1 << 20)
        return
    names = _header(path, encoding)
    try:
        yield from pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=BATCH_BYTES, encoding=encoding),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=True,
                null_values=[""], quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise LedgerError([Problem(path.name, None, None, None,
                                   f"cannot be split: {exc}")]) from None


def _column(table: Table, batch: pa.RecordBatch | pa.Table, name: str) -> pa.Array:
    column = next(c for c in table.columns if c.name == name)
    for title in batch.schema.names:
        if title.strip().lstrip("\ufeff") in (column.name, column.alias):
            found = batch.column(title)
            return found.cast(pa.string()) if not pa.types.is_string(found.type) else found
    raise LedgerError([Problem(table.name, 1, name, None,
                               f"missing column (header {column.name} or {column.alias})")])


class _Writers:
    """One Parquet writer per part for one table, opened on the first batch."""

    def __init__(self, out: Path, table: Table, path: Path, parts: int) -> None:
        self.out, self.table, self.parts = out, table, parts
        self.metadata = _kept_metadata(path)
        self.writers: list[pq.ParquetWriter | None] = [None] * parts
        self.row = 2  # spreadsheet row of the next record (header = row 1)

    def write(self, batch: pa.RecordBatch, part: np.ndarray) -> None:
        rows = pa.array(np.arange(self.row, self.row + batch.num_rows, dtype=np.int32))
        self.row += batch.num_rows
        numbered = pa.Table.from_batches([batch])
        if SOURCE_ROW not in numbered.column_names:  # else: a mapped export's own rows
            numbered = numbered.append_column(SOURCE_ROW, rows)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(self.parts + 1))
        for p in range(self.parts):
            if bounds[p + 1] > bounds[p] or self.writers[p] is None:
                self._writer(p, numbered.schema).write_table(
                    numbered.take(pa.array(order[bounds[p]:bounds[p + 1]])))

    def _writer(self, p: int, schema: pa.Schema) -> pq.ParquetWriter:
        writer = self.writers[p]
        if writer is None:
            schema = schema.with_metadata(self.metadata)
            folder = self.out / part_name(p)
            folder.mkdir(exist_ok=True)
            writer = pq.ParquetWriter(folder / f"{self.table.name}.parquet", schema)
            self.writers[p] = writer
        return writer

    def close(self, schema: pa.Schema | None) -> None:
        for p, opened in enumerate(self.writers):
            writer = self._writer(p, schema) if opened is None and schema is not None else opened
            if writer is not None:
                writer.close()


def _unique_ids(table: Table, whole: pa.Table, path: Path, name: str) -> pa.Array:
    """The trimmed ids of column ``name`` (a loan's, a deposit account's), refused when
    one repeats."""
    ids = pc.fill_null(pc.utf8_trim_whitespace(_column(table, whole, name)), "")
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    counts = pc.value_counts(ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
    if len(repeated):
        # A repeated id could name records of two customers in two parts, where no
        # part's validator would see the pair: reported here, before anything is written.
        at = np.flatnonzero(pc.is_in(ids, value_set=repeated).to_numpy(zero_copy_only=False))
        raise LedgerError([Problem(path.name, int(i) + 2, name, str(ids[int(i)]),
                                   f"duplicate {name}") for i in at[:100]], len(at))
    return ids


def _optional_column(table: Table, batch: pa.Table, name: str) -> pa.Array | None:
    try:
        return _column(table, batch, name)
    except LedgerError:
        return None


def _account_parts(accounts: pa.Table, parts: int) -> np.ndarray:
    """The part of each deposit account: its customer's (the hash of ``customer_id``, so
    a customer's deposits and loans are in one part: 有贷户 is decided there), or for an
    account without a customer the hash of its ``account_id``."""
    account_ids = _column(DEPOSIT_ACCOUNTS, accounts, "account_id")
    customer_ids = _optional_column(DEPOSIT_ACCOUNTS, accounts, "customer_id")
    if customer_ids is None:
        return customer_parts(account_ids, parts)
    blank = pc.fill_null(pc.equal(pc.utf8_trim_whitespace(customer_ids), ""), True)
    return np.where(blank.to_numpy(zero_copy_only=False), customer_parts(account_ids, parts),
                    customer_parts(customer_ids, parts)).astype(np.int32)


def partition_ledger(ledger: Path, out: Path, parts: int) -> dict[str, object]:
    """Split the ledger folder ``ledger`` into ``out``/part-000 … (all or nothing)."""
    if parts < 1:
        raise UsageError("--parts must be at least 1")
    if not ledger.is_dir():
        raise UsageError(f"{ledger}: partition splits a ledger folder of CSV/Parquet files")
    paths = {table.name: _file(ledger, table) for table in TABLES}
    present = {name for name, path in paths.items() if path is not None}
    missing = [t.name for t in TABLES if is_required(t, present) and paths[t.name] is None]
    if missing:
        raise LedgerError([Problem(f"{name}.csv", None, None, None,
                                   f"required file missing from {ledger}") for name in missing])
    if out.exists() and (not out.is_dir() or (any(out.iterdir())
                                              and read_manifest(out) is None)):
        # Replacing an older split is expected; deleting anything else is not ours to do.
        raise UsageError(f"--out {out} exists and is not a partitioned ledger; "
                         "give a new folder (or an older partition's)")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        manifest = _split(ledger, work, parts, paths)
        if out.exists():
            shutil.rmtree(out)
        work.rename(out)
    finally:
        if work.exists():
            shutil.rmtree(work)
    return manifest


def _read_whole(path: Path, encoding: str) -> pa.Table:
    batches = list(_batches(path, encoding))
    if not batches:
        return _empty_schema(path, encoding).empty_table()  # with its source row column
    return pa.Table.from_batches(batches)


def _split(ledger: Path, out: Path, parts: int, paths: dict[str, Path | None]
           ) -> dict[str, object]:
    customers_table, loans_table, tx_table, cl_table = TABLES[:4]
    customers_path, loans_path = paths["customers"], paths["loans"]
    assert customers_path is not None
    assert loans_path is not None
    digest, encodings = _scan(ledger)
    customers = _read_whole(customers_path, encodings[customers_path])
    loans = _read_whole(loans_path, encodings[loans_path])
    loan_ids = _unique_ids(loans_table, loans, loans_path, "loan_id")
    loan_part = customer_parts(_column(loans_table, loans, "customer_id"), parts)
    _write_whole(out, parts, customers_table, customers_path, customers,
                 customer_parts(_column(customers_table, customers, "customer_id"), parts))
    _write_whole(out, parts, loans_table, loans_path, loans, loan_part)
    del customers, loans
    # The journal (or a snapshot ledger's balances) goes with its loan.
    for table in (tx_table, cl_table, BALANCES):
        _split_rows(out, parts, table, paths[table.name], encodings, "loan_id", loan_ids,
                    loan_part)
    del loan_ids, loan_part
    accounts_path = paths[DEPOSIT_ACCOUNTS.name]
    if accounts_path is not None:  # deposits: accounts with their customer, rows with them
        accounts = _read_whole(accounts_path, encodings[accounts_path])
        account_ids = _unique_ids(DEPOSIT_ACCOUNTS, accounts, accounts_path, "account_id")
        account_part = _account_parts(accounts, parts)
        _write_whole(out, parts, DEPOSIT_ACCOUNTS, accounts_path, accounts, account_part)
        del accounts
        _split_rows(out, parts, DEPOSIT_BALANCES, paths[DEPOSIT_BALANCES.name], encodings,
                    "account_id", account_ids, account_part)
    elif paths[DEPOSIT_BALANCES.name] is not None:  # the loader reports the missing half
        _split_rows(out, parts, DEPOSIT_BALANCES, paths[DEPOSIT_BALANCES.name], encodings,
                    "account_id", pa.array([], pa.string()), np.zeros(0, np.int32))
    by_row = {customers_table.name, loans_table.name, tx_table.name, cl_table.name,
              BALANCES.name, DEPOSIT_ACCOUNTS.name, DEPOSIT_BALANCES.name}
    for table in TABLES:
        small = paths[table.name]
        if small is not None and table.name not in by_row:
            whole = _read_whole(small, encodings[small])
            # Copied whole to every part: a part is then a complete ledger, and the
            # questions its sections ask (a manager's target flows) are the same in every
            # part, which the reduce relies on.  Their problems are listed once.
            rows = pa.array(np.arange(2, whole.num_rows + 2, dtype=np.int32))
            copy = (whole if SOURCE_ROW in whole.column_names
                    else whole.append_column(SOURCE_ROW, rows)).replace_schema_metadata(
                _kept_metadata(small))
            for p in range(parts):
                pq.write_table(copy, out / part_name(p) / f"{table.name}.parquet")
    manifest: dict[str, object] = {"format": 1, "parts": parts, "sha256": digest,
                                   "source": str(ledger)}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def _write_whole(out: Path, parts: int, table: Table, path: Path, whole: pa.Table,
                 part: np.ndarray) -> None:
    """A table read whole (customers, loans, deposit accounts) written to its parts."""
    writers = _Writers(out, table, path, parts)
    for batch in whole.to_batches(max_chunksize=1 << 20):
        writers.write(batch, part[writers.row - 2:writers.row - 2 + batch.num_rows])
    writers.close(_with_rows(whole.schema))


def _split_rows(out: Path, parts: int, table: Table, path: Path | None,
                encodings: dict[Path, str], key: str, ids: pa.Array, id_part: np.ndarray
                ) -> None:
    """Stream a table of rows (the journal, balances) to the part of the record each row
    names in column ``key``: a batch at a time, so memory is bounded by the ids."""
    if path is None:
        return
    writers, schema = _Writers(out, table, path, parts), None
    for batch in _batches(path, encodings[path]):
        names = pc.fill_null(pc.utf8_trim_whitespace(_column(table, batch, key)), "")
        at = pc.fill_null(pc.index_in(names, value_set=ids), -1).to_numpy(
            zero_copy_only=False)
        # A row of an unknown record goes to part-000, whose validator reports it.
        part = (np.where(at >= 0, id_part[np.maximum(at, 0)], 0).astype(np.int32)
                if len(id_part) else np.zeros(len(at), np.int32))
        writers.write(batch, part)
        schema = schema or _with_rows(batch.schema)
    writers.close(schema or _empty_schema(path, encodings[path]))


def _empty_schema(path: Path, encoding: str) -> pa.Schema:
    if path.suffix == ".parquet":
        schema = pq.read_schema(path)
    else:
        schema = pa.schema([(n, pa.string()) for n in _header(path, encoding)])
    return _with_rows(schema)


def read_manifest(parts: Path) -> dict[str, object] | None:
    """The manifest of a partitioned ledger folder, or None for an ordinary ledger."""
    path = parts / MANIFEST
    if not path.is_file():
        return None
    manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return manifest
