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


# -- every key of the JSON document is documented (issue 10: branch_id, account_manager_name)

JSON_DOCS = ("docs/metrics.md", "docs/python-api.md")
DEMO_REPORTS = [("dekad", "2026-10-D2"), ("weekly", "2026-W41"), ("monthly", "2026-10"),
                ("quarterly", "2026-Q3"), ("halfyear", "2026-H1"), ("yearly", "2025"),
                ("custom", "2026-10-05..2026-10-18")]


def _json_keys(value: object, path: str, found: dict[str, str]) -> None:
    """Every key of every object in ``value`` (lists walked through), with a path to it."""
    if isinstance(value, dict):
        for key, item in value.items():
            found.setdefault(key, f"{path}.{key}")
            _json_keys(item, f"{path}.{key}", found)
    elif isinstance(value, list):
        for item in value:
            _json_keys(item, f"{path}[]", found)


def test_every_json_key_of_the_demo_reports_is_documented(tmp_path: Path) -> None:
    """The demo ledger's reports of every type, whole-bank and scoped (a branch and a
    manager: `scope`, `legal_entity`), written as JSON files and read back: each key of
    each object appears as a word in docs/metrics.md or docs/python-api.md."""
    import json
    import re

    from reportgen import api
    from reportgen.config import load_config
    from reportgen.scope import select

    config = load_config(ROOT / "sample_ledgers" / "demo.toml")
    session = api.open_ledger(ROOT / "sample_ledgers" / "demo")
    loans = session.ledger.loans.text
    scopes = [select(session.ledger),
              select(session.ledger, branches=[str(loans["branch"][0])]),
              select(session.ledger, managers=[str(loans["account_manager"][0])])]
    found: dict[str, str] = {}
    options = api.render_options(config)
    for n, (report, period) in enumerate(DEMO_REPORTS):
        for selection in scopes if report == "monthly" else scopes[:1]:
            model = api.build(session, report, period, config, selection=selection)
            out = tmp_path / str(n)
            (path,) = api.write(model, ["json"], out, options)
            _json_keys(json.loads(path.read_text("utf-8")), f"{report}", found)
    assert {"branch_id", "account_manager_name", "scope", "legal_entity"} <= set(found)
    docs = "\n".join(_read(name) for name in JSON_DOCS)
    missing = {key: where for key, where in found.items()
               if not re.search(rf"(?<![A-Za-z0-9_]){re.escape(key)}(?![A-Za-z0-9_])", docs)}
    assert not missing, f"JSON keys missing from {' and '.join(JSON_DOCS)}: {missing}"
