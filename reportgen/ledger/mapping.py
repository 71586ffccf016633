"""The mapping file: how a bank's own export maps onto the ledger format (mapping.md).

A core system exports its ledger with its own headers, title rows, footer rows, code
values and units.  The mapping file says, per table, where the table is (a file glob or a
sheet), where its header is, which footer rows to skip, the unit of its money, which of
the export's headers is which reportgen column and, per enum column, which export value
is which reportgen value.  It is read and checked here, once, before any data is read:
an unknown key, an unknown reportgen column or a bad regex is a ``ConfigError`` (exit 2)
naming the key, so a typo never silently turns into "column read by its usual name".
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen.errors import ConfigError
from reportgen.ledger.schema import TABLES, TX_TYPES, Column, Kind, Table, codes

IGNORE = "ignore"
REVERSE = "reverse:"
MONEY_UNITS = ("yuan", "wan")
_TABLE_KEYS = frozenset({"file", "sheet", "header_row", "skip_first_cell", "money_unit",
                         "columns"})
_SOURCE_KEYS = frozenset({"date_from_name"})
# A text column read as a flag (balances.written_off: true/false, 1/0, Y/N, 是/否) takes a
# value map like an enum (a core's 已核销/未核销 = "true"/"false"); its values as an enum.
FLAGS: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("balances", "written_off"): (("true", "是"), ("false", "否"), ("1", "y"), ("0", "n")),
}


def value_enum(table: str, column: Column) -> tuple[tuple[str, str], ...]:
    """The values a mapped column may hold: its enum, or a flag column's spellings."""
    return FLAGS.get((table, column.name), column.enum)


@dataclass(frozen=True)
class ValueMap:
    """One enum column's map: export value → reportgen value, ``ignore`` or a reversal.

    ``targets`` holds reportgen codes (``credit``, ``repay``); ``ignored`` the export
    values whose rows are skipped and counted; ``reversed`` export value → the type
    (``repay``) the row subtracts from.
    """

    targets: dict[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()
    reversed: dict[str, str] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.targets) + len(self.ignored) + len(self.reversed)


@dataclass(frozen=True)
class TableMap:
    """Where one table is in the export and how its columns and values read."""

    name: str
    file: str | None = None  # a glob in the ledger folder
    sheet: str | None = None  # a sheet of the workbook (the file, or the ledger itself)
    header_row: int = 1  # 1-based; the rows above are titles
    skip_first_cell: tuple[str, ...] = ()  # footer rows (合计): skipped and counted
    money_unit: str = "yuan"
    columns: dict[str, str] = field(default_factory=dict)  # reportgen column → export header
    values: dict[str, ValueMap] = field(default_factory=dict)  # reportgen column → map

    @property
    def money_places(self) -> int:
        """Decimals a money cell may carry: 2 in yuan (fen), 6 in 万元 (still the fen)."""
        return 6 if self.money_unit == "wan" else 2


@dataclass(frozen=True)
class Mapping:
    """A whole mapping file; a table it leaves out is read by its usual names."""

    path: Path | None
    tables: dict[str, TableMap] = field(default_factory=dict)
    date_from_name: re.Pattern[str] | None = None

    def table(self, name: str) -> TableMap | None:
        return self.tables.get(name)


_BY_NAME: dict[str, Table] = {t.name: t for t in TABLES}


def load_mapping(path: Path | str) -> Mapping:
    """Read and check a mapping file; ``ConfigError`` (exit 2) names the bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"mapping file {path} not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"mapping file {path}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"mapping file {path}: not valid TOML ({exc})") from None
    return parse_mapping(data, path)


def parse_mapping(data: dict[str, Any], path: Path | None = None) -> Mapping:
    """Check a mapping already read as TOML (``open_frames`` passes a dict)."""
    where = f"mapping file {path}" if path is not None else "mapping"

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(f"{where}: {key}: {message}")

    unknown = set(data) - {"source", "tables", "values"}
    if unknown:
        key = sorted(unknown)[0]
        raise fail(key, "unknown key (expected source, tables, values)")
    source = _section(data, "source", fail)
    for key in source:
        if key not in _SOURCE_KEYS:
            raise fail(f"source.{key}", "unknown key (expected date_from_name)")
    date_pattern = _date_pattern(source.get("date_from_name"), fail)
    tables: dict[str, dict[str, Any]] = {}
    for name, spec in _section(data, "tables", fail).items():
        table = _table(name, f"tables.{name}", fail)
        if not isinstance(spec, dict):
            raise fail(f"tables.{name}", "must be a table of settings")
        tables[table.name] = _table_settings(table, spec, fail)
    values: dict[str, dict[str, ValueMap]] = {}
    for name, columns in _section(data, "values", fail).items():
        table = _table(name, f"values.{name}", fail)
        if not isinstance(columns, dict):
            raise fail(f"values.{name}", "must be a table of columns")
        for column, mapping in columns.items():
            key = f"values.{name}.{column}"
            values.setdefault(name, {})[column] = _value_map(table, column, mapping, key, fail)
    names = set(tables) | set(values)
    out = {
        name: TableMap(name=name, **tables.get(name, {}), values=values.get(name, {}))
        for name in (t.name for t in TABLES) if name in names
    }
    return Mapping(path, out, date_pattern)


def _section(data: dict[str, Any], key: str, fail: Any) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise fail(key, "must be a table")
    return value


def _table(name: str, key: str, fail: Any) -> Table:
    table = _BY_NAME.get(name)
    if table is None:
        raise fail(key, f"unknown table (expected one of {', '.join(_BY_NAME)})")
    return table


def _date_pattern(value: object, fail: Any) -> re.Pattern[str] | None:
    if value is None:
        return None
    key = "source.date_from_name"
    if not isinstance(value, str):
        raise fail(key, "must be a regular expression (text)")
    try:
        pattern = re.compile(value)
    except re.error as exc:
        raise fail(key, f"not a valid regular expression ({exc})") from None
    if "date" not in pattern.groupindex:
        raise fail(key, "needs a group named date, e.g. '(?P<date>\\d{8})'")
    return pattern


def _outside_folder(pattern: str) -> bool:
    """A table's glob that would look outside the ledger folder (the spec: "a glob in the
    ledger folder"): absolute, drive-rooted or climbing with ``..``."""
    parts = pattern.replace("\\", "/").split("/")
    return pattern.startswith(("/", "\\", "~")) or ":" in parts[0] or ".." in parts


def _table_settings(table: Table, spec: dict[str, Any], fail: Any) -> dict[str, Any]:
    base = f"tables.{table.name}"
    out: dict[str, Any] = {}
    for key, value in spec.items():
        where = f"{base}.{key}"
        if key not in _TABLE_KEYS:
            raise fail(where, f"unknown key (expected {', '.join(sorted(_TABLE_KEYS))})")
        if key in ("file", "sheet"):
            if not isinstance(value, str) or not value.strip():
                raise fail(where, "must be a non-empty text")
            if key == "file" and _outside_folder(value.strip()):
                raise fail(where, f"{value.strip()!r} is not a glob inside the ledger folder "
                                  "(no absolute path, no ..): give e.g. \"借据明细_*.csv\"")
            out[key] = value.strip()
        elif key == "header_row":
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise fail(where, "must be a whole number, 1 or more")
            out[key] = value
        elif key == "skip_first_cell":
            words = [value] if isinstance(value, str) else value
            if not isinstance(words, list) or not all(
                    isinstance(v, str) and v.strip() for v in words):
                raise fail(where, "must be a list of texts, e.g. [\"合计\", \"总计\"]")
            out[key] = tuple(v.strip() for v in words)
        elif key == "money_unit":
            if value not in MONEY_UNITS:
                raise fail(where, f"must be one of {', '.join(MONEY_UNITS)}, not {value!r}")
            out[key] = value
        else:  # columns
            out[key] = _columns(table, value, where, fail)
    return out


def _columns(table: Table, value: object, where: str, fail: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise fail(where, "must be a table: reportgen column = the export's header")
    known = {c.name for c in table.columns}
    headers: dict[str, str] = {}
    out: dict[str, str] = {}
    for column, header in value.items():
        key = f"{where}.{column}"
        if column not in known:
            raise fail(key, f"unknown column of {table.name} (expected one of "
                            f"{', '.join(c.name for c in table.columns)})")
        if not isinstance(header, str) or not header.strip():
            raise fail(key, "must be the export's header (a non-empty text)")
        title = header.strip()
        if title in headers:  # one header cannot be two fields
            raise fail(key, f"header {title!r} is already mapped to {headers[title]}")
        headers[title] = column
        out[column] = title
    return out


def _value_map(table: Table, column: str, mapping: object, key: str, fail: Any) -> ValueMap:
    found = [c for c in table.columns if c.name == column]
    if not found:
        raise fail(key, f"unknown column of {table.name}")
    flag = (table.name, column) in FLAGS
    if found[0].kind is not Kind.ENUM and not flag:
        raise fail(key, f"{table.name}.{column} is not a column with a fixed set of values")
    if not isinstance(mapping, dict):
        raise fail(key, "must be a table: the export's value = reportgen's value")
    allowed = ("true", "false") if flag else codes(found[0].enum)
    targets: dict[str, str] = {}
    ignored: set[str] = set()
    reversed_: dict[str, str] = {}
    for raw, target in mapping.items():
        where = f"{key}.{raw!r}" if not raw.isidentifier() else f"{key}.{raw}"
        export = raw.strip()
        if not isinstance(target, str):
            raise fail(where, "must be text: a reportgen value, ignore or reverse:<type>")
        value = target.strip()
        if value == IGNORE:
            ignored.add(export)
        elif value.startswith(REVERSE):
            kind = value[len(REVERSE):].strip()
            if (table.name, column) != ("transactions", "type"):
                raise fail(where, "reverse:<type> is for transactions.type only")
            if kind not in codes(TX_TYPES):
                raise fail(where, f"reverse:{kind}: the type must be one of "
                                  f"{', '.join(codes(TX_TYPES))}")
            reversed_[export] = kind
        elif value in allowed:
            targets[export] = value
        else:
            extra = ", ignore" + (", reverse:<type>" if column == "type" else "")
            raise fail(where, f"{value!r} is not one of {', '.join(allowed)}{extra}")
    return ValueMap(targets, frozenset(ignored), reversed_)
