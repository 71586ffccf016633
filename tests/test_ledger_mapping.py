"""The mapping file is read and checked before any data: a bad one is exit 2 naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from exports import write_mapping

from reportgen.errors import ConfigError
from reportgen.ledger.mapping import load_mapping

GOOD = '''
[source]
date_from_name = '(?P<date>\\d{8})'

[tables.loans]
file = "借据明细_*.csv"
header_row = 3
skip_first_cell = ["合计", "总计"]
money_unit = "wan"
[tables.loans.columns]
loan_id = "借据号"
start_date = "发放日期"

[values.loans.guarantee]
"00" = "credit"
"10" = "guarantee"

[values.transactions.type]
"放款" = "disburse"
"还本冲正" = "reverse:repay"
"结息" = "ignore"
'''


def _write(tmp_path: Path, text: str) -> Path:
    return write_mapping(tmp_path / "core.toml", text)


def test_a_full_mapping_reads(tmp_path: Path) -> None:
    mapping = load_mapping(_write(tmp_path, GOOD))
    loans = mapping.tables["loans"]
    assert loans.file == "借据明细_*.csv"
    assert loans.header_row == 3
    assert loans.skip_first_cell == ("合计", "总计")
    assert loans.money_places == 6
    assert loans.columns == {"loan_id": "借据号", "start_date": "发放日期"}
    assert loans.values["guarantee"].targets == {"00": "credit", "10": "guarantee"}
    tx = mapping.tables["transactions"].values["type"]
    assert tx.targets == {"放款": "disburse"}
    assert tx.reversed == {"还本冲正": "repay"}
    assert tx.ignored == frozenset({"结息"})
    assert mapping.date_from_name is not None
    assert mapping.tables["transactions"].header_row == 1


@pytest.mark.parametrize(("text", "key"), [
    ("[tables.loans]\nfiel = 'x.csv'\n", "tables.loans.fiel"),
    ("[tables.loan]\nfile = 'x.csv'\n", "tables.loan"),
    ("[tables.loans.columns]\nloan_number = '借据号'\n", "tables.loans.columns.loan_number"),
    ("[tables.loans.columns]\nloan_id = '借据号'\ncustomer_id = '借据号'\n",
     "tables.loans.columns.customer_id"),
    ("[tables.loans]\nheader_row = 0\n", "tables.loans.header_row"),
    ("[tables.loans]\nmoney_unit = 'yi'\n", "tables.loans.money_unit"),
    ("[source]\ndate_from_name = '(?P<date>\\d{8}'\n", "source.date_from_name"),
    ("[source]\ndate_from_name = '(\\d{8})'\n", "source.date_from_name"),
    ("[source]\nformat = 'x'\n", "source.format"),
    ("[values.loans.guarantee]\n'00' = 'unsecured'\n", "values.loans.guarantee"),
    ("[values.loans.branch]\n'00' = 'x'\n", "values.loans.branch"),
    ("[values.loans.guarantee]\n'00' = 'reverse:repay'\n", "values.loans.guarantee"),
    ("[values.transactions.type]\n'冲' = 'reverse:lend'\n", "values.transactions.type"),
    ("[mapping]\nx = 1\n", "mapping"),
    # "a glob in the ledger folder": nothing outside it
    ("[tables.loans]\nfile = '/etc/passwd'\n", "tables.loans.file"),
    ("[tables.loans]\nfile = '../other/借据*.csv'\n", "tables.loans.file"),
    ("[tables.loans]\nfile = 'exports/../../x.csv'\n", "tables.loans.file"),
    ("[tables.loans]\nfile = '~/x.csv'\n", "tables.loans.file"),
    ("[tables.loans]\nfile = 'C:\\\\exports\\\\x.csv'\n", "tables.loans.file"),
])
def test_a_bad_mapping_is_a_config_error_naming_the_key(tmp_path: Path, text: str,
                                                         key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_mapping(_write(tmp_path, text))
    assert key in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_missing_or_broken_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_mapping(tmp_path / "none.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_mapping(_write(tmp_path, "[tables\n"))
