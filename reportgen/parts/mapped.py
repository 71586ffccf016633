"""A bank's export read through a mapping file, then split: the mapping is read once, here
in the client, and the parts are written in reportgen's own format.

``read_mapped`` gives the export's tables as text columns named as ledger-format.md names
them, with what the mapping decided beside them: each record's row in the export (the
messages name it), the money unit (万元 cells carry six decimals) and the reversal rows
(冲正).  Each table is written as one Parquet file that keeps those three (a column
``__source_row``, a column ``__reversal``, the unit and the sheet's name in the schema's
metadata), the ledger reader honours them, and ``partition_ledger`` splits that folder as
any other: so every part parses its rows exactly as the one-process load of the export
would.  The digest and the date the export's name carries are the export's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from reportgen.ledger.mapped import read_mapped
from reportgen.ledger.mapping import Mapping
from reportgen.ledger.raw import RawLedger
from reportgen.parts.split import MANIFEST, SOURCE_KEY, SOURCE_ROW, partition_ledger

MONEY_PLACES_KEY = b"reportgen.money_places"
REVERSAL = "__reversal"


@dataclass(frozen=True)
class MappedSplit:
    """What the client keeps of the export: where its parts are and the date its name
    carries (a declared data date, as in one process)."""

    parts: Path
    named_date: date | None


def read_export(export: Path, mapping: Mapping) -> RawLedger:
    """The export read once as ``mapping`` says (its problems are the caller's to show)."""
    return read_mapped(export, mapping)


def has_problems(raw: RawLedger) -> bool:
    return bool(raw.problems) or any(t.row_problems for t in raw.tables.values())


def split_export(raw: RawLedger, work: Path, parts: int) -> MappedSplit:
    """Write ``raw`` (read without problems) as a reportgen folder under ``work`` and split
    it into ``work``/parts; the manifest carries the export's digest."""
    folder = work / "mapped"
    folder.mkdir(parents=True)
    for name, table in raw.tables.items():
        rows = (table.row_numbers if table.row_numbers is not None
                else np.arange(2, table.rows + 2))
        # The mapped reader hands enum columns over dictionary-encoded, and a dictionary
        # holding null cannot be written to Parquet: the parts get plain values.
        columns: dict[str, pa.Array] = {
            key: (column.dictionary_decode() if pa.types.is_dictionary(column.type)
                  else column)
            for key, column in table.columns.items()}
        columns[SOURCE_ROW] = pa.array(np.asarray(rows, dtype=np.int32))
        if table.reversal is not None:
            columns[REVERSAL] = pa.array(np.asarray(table.reversal, dtype=bool))
        arrow = pa.table(columns).replace_schema_metadata({
            SOURCE_KEY: table.source.encode(),
            MONEY_PLACES_KEY: str(table.money_places).encode()})
        pq.write_table(arrow, folder / f"{name}.parquet")
    out = work / "parts"
    partition_ledger(folder, out, parts)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    manifest["sha256"] = raw.sha256  # the export's bytes, as one process reports them
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return MappedSplit(out, raw.named_date)
