"""The docs keep up with the code: every command, config key, report section and ledger
column has an entry, so a new one cannot ship undocumented."""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.config import Config
from reportgen.ledger.schema import TABLES
from reportgen.model import Sections

ROOT = Path(__file__).resolve().parent.parent


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"reportgen {command}" in _read("README.md")


def _config_keys(cls: type, prefix: str = "") -> list[str]:
    keys = []
    for f in dataclasses.fields(cls):
        if f.name in ("source", "tables"):  # bookkeeping, not keys a user writes
            continue
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else None
        item = typing.get_args(typing.get_type_hints(cls)[f.name])[:1]
        if item and dataclasses.is_dataclass(item[0]):  # an array of tables: [[scopes]]
            keys += [f"{prefix}{f.name}.{k}" for k in _config_keys(item[0])
                     if not k.startswith("recipients.")]
            continue
        if dataclasses.is_dataclass(default):
            keys += _config_keys(type(default), f"{prefix}{f.name}.")
        else:
            keys.append(f"{prefix}{f.name}")
    return keys


@pytest.mark.parametrize("key", _config_keys(Config))
def test_every_config_key_is_in_the_example(key: str) -> None:
    example = _read("reportgen.example.toml")
    section, _, name = key.rpartition(".")
    assert f"[{section}]" in example, f"[{section}] missing from reportgen.example.toml"
    assert f"\n{name} =" in example or f"\n# {name} =" in example, key


@pytest.mark.parametrize("section", Sections.ORDER)
def test_every_section_is_in_the_metrics_doc(section: str) -> None:
    assert f"## {section}" in _read("docs/metrics.md")


@pytest.mark.parametrize(("table", "column"),
                         [(t.name, c) for t in TABLES for c in t.columns])
def test_every_column_is_in_the_ledger_doc(table: str, column: object) -> None:
    doc = _read("docs/ledger-format.md")
    assert f"`{table}.csv`" in doc
    assert f"| {column.name} | {column.alias} |" in doc  # type: ignore[attr-defined]
