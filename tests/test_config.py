"""config.py: every mistake in reportgen.toml is an error naming the key (exit 2)."""

from __future__ import annotations

import dataclasses
import os
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
        item = typing.get_args(hints[f.name])[:1]
        if dataclasses.is_dataclass(hints[f.name]):
            keys += _keys(hints[f.name], f"{prefix}{f.name}.")
        elif item and dataclasses.is_dataclass(item[0]):  # an array of tables: [[scopes]]
            keys += _keys(item[0], f"{prefix}{f.name}.")
        else:
            keys.append(prefix + f.name)
    return keys


def test_every_key_is_documented_in_the_example_file() -> None:
    """Fails when a setting is added without its line (and comment) in the example."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    table, documented = "", set()
    for number, line in enumerate(lines):
        if m := re.fullmatch(r"\[\[?([\w.]+)\]\]?", line.strip()):
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
    ('[email]\nhost = "h"\nsender = "a@b.c"\n[email.recipients]\ndaily = []\n',
     "unknown configuration key email.recipients.daily"),
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
    ('[schedule]\nreports = ["daily"]\n', "schedule.reports has unknown value 'daily'"),
    ('[schedule]\nreports = ["monthly", "custom"]\n',
     "schedule.reports lists 'custom', but a custom period has no calendar"),
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


# -- every key has a domain: a value that would only fail later fails at load ------------------

MAIL = '[email]\nhost = "h"\nsender = "a@b.c"\n'
THRESHOLDS = ["npl_ratio_max", "coverage_ratio_min", "provision_ratio_min", "top1_ratio_max",
              "top10_ratio_max", "top_group_ratio_max", "over_90_to_npl_max"]
CONTROLS = ["\\n", "\\r", "\\r\\n", "\\u0000", "\\t", "\\u001b", "\\u007f", "\\u0085", "\\u2028",
            "\\u202e", "\\u200b"]

OUT_OF_DOMAIN = [
    *[(f"[thresholds]\n{k} = {v}\n", f"thresholds.{k}")
      for k in THRESHOLDS for v in ("nan", "inf", "-inf", "-0.01")],
    ("[thresholds]\nnpl_ratio_max = 1.5\n", "thresholds.npl_ratio_max"),
    ("[thresholds]\ntop1_ratio_max = 5\n", "thresholds.top1_ratio_max"),
    ("[thresholds]\ncoverage_ratio_min = 1000.0\n", "thresholds.coverage_ratio_min"),
    *[(f"[output]\npdf_max_rows = {v}\n", "output.pdf_max_rows")
      for v in ("0", "-1", "-40", "1000000000")],
    *[(f"[schedule]\nlock_wait = {v}\n", "schedule.lock_wait") for v in ("nan", "inf", "-1")],
    *[(MAIL + f"{k} = {v}\n", f"email.{k}")
      for k, v in [("retry_delay", "nan"), ("retry_delay", "inf"), ("retry_delay", "-1"),
                   ("timeout", "nan"), ("timeout", "0"), ("timeout", "inf"),
                   ("max_bytes", "0"), ("max_bytes", "-5"), ("retries", "100"),
                   ("port", "0"), ("port", "-25"), ("port", "65536"),
                   ("port", "99999999999999999999")]],
    # control characters in every kind of string: headers, titles, file names, log lines
    *[(f'[bank]\nname = "示例{c}银行"\n', "bank.name") for c in CONTROLS],
    *[(f'[bank]\nbranch = "城东{c}支行"\n', "bank.branch") for c in CONTROLS[:4]],
    *[(f'[signatures]\n{k} = "张{c}三"\n', f"signatures.{k}")
      for k in ("preparer", "reviewer", "approver") for c in ("\\n", "\\u0000")],
    *[('[email]\nhost = "h"\nsender = "' + s + '"\n', "email.sender")
      for s in ("a@b.c\\r\\nBcc: x@evil.example", "a@b.c\\n", "信贷\\r\\n报表 <a@b.c>",
                "\\u0000a@b.c")],
    *[(MAIL + '[email.recipients]\nmonthly = ["' + r + '"]\n', "email.recipients.monthly")
      for r in ("x@b.c\\r\\nBcc: y@evil.example", "x@b.c\\n", "x@b\\u0000.c")],
    (MAIL.replace('"h"', '"h\\r\\nMAIL FROM"'), "email.host"),
    (MAIL + 'username = "u\\nv"\n', "email.username"),
    (MAIL + 'password_env = "X\\nY"\n', "email.password_env"),
    ('[ledger]\npath = "led\\u0000ger"\n', "ledger.path"),
    ('[output]\ndir = "rep\\norts"\n', "output.dir"),
    ('[output]\ntemplates = "t\\tx"\n', "output.templates"),
    ('[output]\nformats = ["pdf\\n"]\n', "output.formats"),
    ('[bank]\ntimezone = "Asia/Shanghai\\n"\n', "bank.timezone"),
    ('[bank]\ncurrency = "CN\\nY"\n', "bank.currency"),
    # malformed addresses: a second address, a header, a name that splits, a bad host
    *[('[email]\nhost = "h"\nsender = ' + s + "\n", "email.sender")
      for s in ('"a@b.c, c@d.e"', '"a@b.c; c@d.e"', '"a@@b.c"', '"a b@c.d"', '"@b.c"',
                '"a@"', '"a@b..c"', '"a.@b.c"', '"a@-b.c"', '"Team, Credit <a@b.c>"',
                "'\"Q\" <a@b.c>'", '"Name <a@b.c> x"', '"<a@b.c"', '"a@b.c "', '"名@b.c"')],
    *[(MAIL + "[email.recipients]\nyearly = [" + r + "]\n", "email.recipients.yearly")
      for r in ('"a@b.c, c@d.e"', '"Boss <a@b.c>"', "'a@b\"c'", '""', '" a@b.c"',
                '"a@b.c."')],
    # other domains
    (MAIL.replace('"h"', '"smtp bank"'), "email.host"),
    (MAIL.replace('"h"', '"-h"'), "email.host"),
    (MAIL + 'username = "u v"\n', "email.username"),
    ('[bank]\ntimezone = ""\n', "bank.timezone"),
    ('[bank]\ntimezone = "../../etc/passwd"\n', "bank.timezone"),
    ('[bank]\ntimezone = "Asia/Shanghai "\n', "bank.timezone"),
    *[(f'[bank]\ncurrency = "{v}"\n', "bank.currency") for v in ("cny", "CNYY", "", "人民币")],
    ('[bank]\nname = "' + "银" * 101 + '"\n', "bank.name"),
    ('[bank]\nname = " 示例银行"\n', "bank.name"),
    ('[bank]\nbranch = "城东支行 "\n', "bank.branch"),
    ('[ledger]\npath = ""\n', "ledger.path"),
    ('[ledger]\npath = "  "\n', "ledger.path"),
    ('[output]\ndir = ""\n', "output.dir"),
    ('[output]\ntemplates = "/no/such/templates"\n', "output.templates"),
]


@pytest.mark.parametrize("content", [b"", b"not a certificate", b"\x00\xff" * 100,
                                     b"-----BEGIN CERTIFICATE-----\nAAAA\n"
                                     b"-----END CERTIFICATE-----\n"])
def test_a_ca_file_that_is_not_pem_certificates_is_refused_at_load(tmp_path: Path,
                                                                   content: bytes) -> None:
    (tmp_path / "ca.pem").write_bytes(content)
    message = error_of(tmp_path, MAIL + f'ca_file = "{tmp_path / "ca.pem"}"\n')
    assert "email.ca_file" in message
    assert "not a PEM file" in message
    assert "\n" not in message


@pytest.mark.parametrize(("text", "key"), OUT_OF_DOMAIN)
def test_every_value_out_of_its_domain_is_refused_at_load_naming_the_key(
        tmp_path: Path, text: str, key: str) -> None:
    message = error_of(tmp_path, text)
    assert key in message
    assert message.startswith(str(tmp_path / "reportgen.toml"))
    assert "\n" not in message  # one line: the value is shown escaped
    assert "\r" not in message


@pytest.mark.parametrize(("text", "key"), OUT_OF_DOMAIN[::7])
def test_the_cli_exits_2_at_load_with_one_line_and_writes_nothing(
        tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    out = tmp_path / "out"
    for args in (["generate", "--config", str(path), "--ledger", str(ledger), "--report",
                  "monthly", "--period", "2026-10", "--out", str(out)],
                 ["run", "--config", str(path), "--date", "2026-11-01"],
                 ["periods", "--config", str(path), "--date", "2026-11-01"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert key in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger", "reportgen.toml"]


@pytest.mark.parametrize("text", [
    '[email]\nhost = "127.0.0.1"\nsender = "reports@localhost"\n',
    '[email]\nhost = "::1"\nsender = "信贷报表 <reports@bank.example>"\n',
    '[email]\nhost = "smtp-1.bank.example"\nsender = "Credit Reports <r.x+tag@bank.example>"\n'
    '[email.recipients]\nmonthly = ["A.B@bank.example", "risk-team@sub.bank.example"]\n',
    "[thresholds]\nnpl_ratio_max = 0\ntop1_ratio_max = 1\ncoverage_ratio_min = 2.5\n",
    '[bank]\nname = ""\nbranch = ""\ncurrency = "USD"\ntimezone = "UTC"\n',
    '[bank]\nname = "' + "银" * 100 + '"\n',
    "[output]\npdf_max_rows = 1\n[schedule]\nlock_wait = 0\n",
])
def test_values_inside_their_domain_still_load(tmp_path: Path, text: str) -> None:
    load_config(write(tmp_path, text))


def test_the_default_bank_name_is_blank_never_the_demo_bank() -> None:
    assert Config().bank.name == ""
    assert Config().bank.branch == ""


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_file_is_exit_2_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[bank]\nname = "x"\n')
    path.chmod(0o000)
    try:
        with pytest.raises(ConfigError, match="cannot be read"):
            load_config(path)
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize("data", [b"\xff\xfe[bank]\n", b'[bank]\nname = "\xe7\xa4"\n',
                                  b"[bank]\nname = 'a\x00b'\n", b"\x00" * 10])
def test_a_file_that_is_not_utf8_toml_is_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "reportgen.toml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "not valid TOML" in str(info.value)
    assert "\n" not in str(info.value)
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
