"""config.py: every mistake in reportgen.toml is an error naming the key (exit 2)."""

from __future__ import annotations

import dataclasses
import re
import textwrap
import typing
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.config import Config, load_config
from reportgen.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "reportgen.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reportgen.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return str(info.value)


def test_example_file_loads_with_every_table(monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(EXAMPLE)
    assert config.bank.name == "示例农村商业银行"
    assert config.bank.unit == "wan"
    assert config.email.max_bytes == 10_000_000
    assert config.email.retry_delay == 2.0
    assert config.email.timeout == 30.0
    assert isinstance(config.email.timeout, float)
    assert config.email.recipients.for_report("monthly") == (
        "credit-team@bank.example", "risk@bank.example")
    assert config.schedule.reports == ("dekad", "monthly", "quarterly", "yearly")
    assert config.source == str(EXAMPLE)
    assert set(config.tables) >= {"bank", "ledger", "output", "schedule", "email"}


def _keys(cls: type, prefix: str = "") -> list[str]:
    hints = typing.get_type_hints(cls)
    keys = []
    for f in dataclasses.fields(cls):
        if f.name in ("source", "tables"):
            continue
        if dataclasses.is_dataclass(hints[f.name]):
            keys += _keys(hints[f.name], f"{prefix}{f.name}.")
        else:
            keys.append(prefix + f.name)
    return keys


def test_every_key_is_documented_in_the_example_file() -> None:
    """Fails when a setting is added without its line (and comment) in the example."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    table, documented = "", set()
    for number, line in enumerate(lines):
        if m := re.fullmatch(r"\[([\w.]+)\]", line.strip()):
            table = m.group(1)
        elif m := re.match(r"(\w+) = ", line):
            above = number - 1  # the comment may cover a block of related keys
            while above >= 0 and lines[above].strip() and not lines[above].startswith("#"):
                above -= 1
            assert lines[max(above, 0)].startswith("#"), (
                f"{table}.{m.group(1)} has no comment above it")
            documented.add(f"{table}.{m.group(1)}")
    assert sorted(set(_keys(Config)) - documented) == []
    assert sorted(documented - set(_keys(Config))) == []


def test_interface_spec_example_loads(tmp_path: Path) -> None:
    spec = Path("/work/shared/spec/interface.md")
    if not spec.exists():
        pytest.skip("the shared spec is not on this machine")
    block = spec.read_text(encoding="utf-8").split("```toml\n", 1)[1].split("```", 1)[0]
    config = load_config(write(tmp_path, block))
    assert config.email.sender == "信贷报表 <reports@bank.example>"
    assert config.email.recipients.dekad == ("credit-team@bank.example",)


def test_no_file_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(None) == Config()
    write(tmp_path, '[bank]\nname = "X"\n')
    assert load_config(None).bank.name == "X"  # ./reportgen.toml when present


@pytest.mark.parametrize(("text", "expected"), [
    ('[bank]\nnmae = "x"\n', "unknown configuration key bank.nmae"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\n[email.recipients]\nweekly = []\n',
     "unknown configuration key email.recipients.weekly"),
    ("[banks]\n", "unknown configuration key banks"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nport = "587"\n', "email.port must be int"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nport = true\n', "email.port must be int"),
    ('[output]\nformats = "pdf"\n', "output.formats must be a list of strings"),
    ('bank = "x"\n', "bank must be a table"),
    ('[email]\nsender = "a@b.c"\n', "missing required key email.host"),
    ('[email]\nhost = "h"\n', "missing required key email.sender"),
    ("[ledger]\n", "missing required key ledger.path"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\npassword = "hunter2"\n',
     "email.password; the password is never written in the file"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\npassword_env = "hunter2!"\n',
     "email.password_env = 'hunter2!' must be the NAME of an environment variable"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nsecurity = "tls"\n', "email.security = 'tls'"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nsecurity = "none"\nusername = "u"\n',
     "would send the password unencrypted"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nattach = ["xlsx"]\n[output]\nformats = ["pdf"]\n',
     "email.attach has 'xlsx' but output.formats (pdf) does not make it"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nca_file = "/no/such.pem"\n',
     "email.ca_file = '/no/such.pem': no such file"),
    ('[email]\nhost = "h"\nsender = "not an address"\n', "email.sender has 'not an address'"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\n[email.recipients]\nmonthly = ["Risk <r@b.c>"]\n',
     "email.recipients.monthly has 'Risk <r@b.c>'"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\n[email.recipients]\ndekad = ["a@b.c", "A@b.c"]\n',
     "email.recipients.dekad lists an address twice"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nport = 70000\n', "email.port = 70000 is out of range"),
    ('[email]\nhost = "h"\nsender = "a@b.c"\nretries = -1\n', "email.retries = -1"),
    ('[email]\nhost = ""\nsender = "a@b.c"\n', "email.host is empty"),
    ('[schedule]\nreports = ["weekly"]\n', "schedule.reports has unknown value 'weekly'"),
    ('[schedule]\nreports = ["dekad", "dekad"]\n', "schedule.reports lists a value twice"),
    ("[output]\nformats = []\n", "output.formats is empty"),
    ('[bank]\ntimezone = "Mars/Olympus"\n', "bank.timezone = 'Mars/Olympus' is not a time zone"),
    ('[bank]\nunit = "fen"\n', "bank.unit = 'fen'"),
    ('[thresholds]\nnpl_ratio_max = "5%"\n', "thresholds.npl_ratio_max must be float"),
    ("[bank\n", "not valid TOML"),
    ('[ledger]\npath = "x"\nas_of = 2026-10-31T08:00:00\n',
     "ledger.as_of must be a date like 2026-10-31"),
    ('[ledger]\npath = "x"\nas_of = "2026-02-30"\n', "ledger.as_of must be a date"),
    ('[ledger]\npath = "x"\nas_of = "31/10/2026"\n', "ledger.as_of must be a date"),
    ('[ledger]\npath = "x"\nas_of = 20261031\n', "ledger.as_of must be a date"),
    ('[ledger]\npath = "x"\nas_of = true\n', "ledger.as_of must be a date"),
])
def test_mistakes_name_the_key(tmp_path: Path, text: str, expected: str) -> None:
    message = error_of(tmp_path, text)
    assert expected in message
    assert message.startswith(str(tmp_path / "reportgen.toml"))  # and the file


def test_email_switched_off_needs_no_host(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[email]\nenabled = false\nattach = ['xlsx']\n"
                                         "[output]\nformats = ['pdf']\n"))
    assert config.email.enabled is False


def test_integer_where_float_expected_is_fine(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[thresholds]\ncoverage_ratio_min = 2\n"
                                         "[schedule]\nlock_wait = 5\n"))
    assert config.thresholds.coverage_ratio_min == 2.0
    assert config.schedule.lock_wait == 5.0


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


def test_cli_exits_2_naming_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, '[email]\nhost = "h"\nsender = "a@b.c"\nprot = 25\n')
    for args in (["run", "--config", str(path)], ["periods", "--config", str(path)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert "email.prot" in result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("as_of = 2026-10-31", date(2026, 10, 31)),  # a TOML date
    ('as_of = "2026-10-31"', date(2026, 10, 31)),  # or its text
    ('as_of = ""', None),  # "" declares nothing, as in the example file
    ("", None),
])
def test_ledger_as_of(tmp_path: Path, text: str, expected: date | None) -> None:
    path = tmp_path / "reportgen.toml"
    path.write_text(f'[ledger]\npath = "x"\n{text}\n', encoding="utf-8")
    assert load_config(path).ledger.as_of == expected
