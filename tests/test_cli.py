"""reportgen/cli.py: generate, validate and sample as a user types them.

Every command through click's CliRunner, and once end to end as a real subprocess.  A
user's mistake exits with the status of interface.md and a message that says what to
change, never a traceback.  (``run`` and ``periods`` are tested in test_run.py.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result
from ledgers import write_ledger

from reportgen import __version__
from reportgen.cli import main

CUSTOMERS = """
C1,甲公司,corporate,small,C,1000000,G1,
C2,张三,individual,,A,,,
"""
LOANS = """
L1,C1,城东支行,王五,流贷,mortgage,500000,2025-01-15,2027-01-15,4.35
L2,C2,城西支行,李四,,credit,100000,2026-03-01,2027-03-01,5.5
"""
TRANSACTIONS = """
L1,2025-01-15,disburse,500000
L1,2026-06-01,repay,100000
L2,2026-03-01,disburse,100000
L2,2026-10-08,repay,20000.50
"""
CLASSIFICATIONS = """
L1,2025-01-15,normal,
L2,2026-03-01,normal,
"""
COMMANDS = ("generate", "validate", "sample", "run", "periods")


@pytest.fixture(autouse=True)
def _no_config_from_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                       ) -> None:
    """./reportgen.toml is read when present: run every test in an empty folder."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_ledger(tmp_path / "ledger", customers=CUSTOMERS, loans=LOANS,
                        transactions=TRANSACTIONS, classifications=CLASSIFICATIONS)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def generate(ledger: Path, out: Path, *extra: str, report: str = "monthly",
             period: str = "2026-10") -> Result:
    return invoke("generate", "--ledger", str(ledger), "--report", report, "--period", period,
                  "--format", "json", "--out", str(out), *extra)


def assert_no_traceback(result: Result) -> None:
    """The command ended by exiting with a message, not by an escaped exception."""
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exc_info)


# -- help ----------------------------------------------------------------------------------


def test_main_help_lists_the_commands_with_an_example() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in COMMANDS:
        assert command in result.output
    assert "Example:" in result.output
    assert "reportgen generate --ledger" in result.output


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert __version__ in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_of_each_command_has_an_example(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"reportgen {command} " in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_help_explains_every_option_with_an_example(command: str) -> None:
    """interface.md: `--help` on every command explains every option with an example."""
    cmd = main.commands[command]  # type: ignore[attr-defined]
    for param in cmd.params:
        if not isinstance(param, click.Option) or param.name == "help":
            continue
        assert param.help, f"{command} {param.opts} has no help"
        if param.name == "period":  # its help is a list of examples
            assert "2026-10-D2" in param.help
            continue
        assert "e.g." in param.help, f"{command} {param.opts}: no example in {param.help!r}"
    shown = invoke(command, "-h").output
    for param in cmd.params:
        for opt in param.opts:
            assert opt in shown


# -- generate ------------------------------------------------------------------------------


def test_generate_writes_the_json_report_and_prints_its_path(tmp_path: Path, good: Path
                                                             ) -> None:
    out = tmp_path / "reports" / "new"  # created when missing
    result = generate(good, out)
    assert result.exit_code == 0, result.output
    path = out / "monthly_2026-10.json"
    assert result.stdout.strip() == str(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["report"] == "monthly"
    assert document["period"] == "2026-10"
    assert (document["start"], document["end"]) == ("2026-10-01", "2026-10-31")
    assert document["currency"] == "CNY"
    assert document["sections"]["summary"]["balance"] == "479999.50"
    assert document["sections"]["summary"]["collected"] == "20000.50"
    assert sorted(p.name for p in out.iterdir()) == ["monthly_2026-10.json"]


@pytest.mark.parametrize(("report", "period", "start", "end"), [
    ("dekad", "2026-10-D2", "2026-10-11", "2026-10-20"),
    ("dekad", "2026-02-D3", "2026-02-21", "2026-02-28"),
    ("quarterly", "2026-Q3", "2026-07-01", "2026-09-30"),
    ("yearly", "2025", "2025-01-01", "2025-12-31"),
])
def test_generate_every_report_type(tmp_path: Path, good: Path, report: str, period: str,
                                    start: str, end: str) -> None:
    out = tmp_path / "out"
    result = generate(good, out, report=report, period=period)
    assert result.exit_code == 0, result.output
    document = json.loads((out / f"{report}_{period}.json").read_text(encoding="utf-8"))
    assert (document["report"], document["start"], document["end"]) == (report, start, end)


def test_generate_from_a_workbook(tmp_path: Path, good: Path) -> None:
    from ledgers import read_tables, write_workbook

    book = write_workbook(tmp_path / "台账.xlsx", read_tables(good), chinese_sheets=True)
    out = tmp_path / "out"
    result = generate(book, out)
    assert result.exit_code == 0, result.output
    document = json.loads((out / "monthly_2026-10.json").read_text(encoding="utf-8"))
    assert document["sections"]["summary"]["balance"] == "479999.50"


def test_generate_replaces_an_existing_report(tmp_path: Path, good: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "monthly_2026-10.json").write_text("old", encoding="utf-8")
    assert generate(good, out).exit_code == 0
    assert json.loads((out / "monthly_2026-10.json").read_text(encoding="utf-8"))


def test_generate_uses_the_config_output_dir(tmp_path: Path, good: Path) -> None:
    config = tmp_path / "r.toml"
    out = tmp_path / "from-config"
    config.write_text(f'[output]\ndir = "{out.as_posix()}"\n', encoding="utf-8")
    result = invoke("generate", "--ledger", str(good), "--report", "monthly", "--period",
                    "2026-10", "--format", "json", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert (out / "monthly_2026-10.json").exists()


@pytest.mark.parametrize("period", ["2026-13", "2026/10", "Oct 2026", "2026-10-01", "26-10",
                                    "2026-Q5", "2026-10-D4", "", "2026-00"])
def test_bad_period_id_is_a_usage_error_listing_the_accepted_forms(tmp_path: Path,
                                                                   good: Path,
                                                                   period: str) -> None:
    out = tmp_path / "out"
    result = generate(good, out, period=period)
    assert result.exit_code == 2, result.output
    assert "accepted forms" in result.stderr
    for form in ("2026-10-D1", "2026-10", "2026-Q4", "2026"):
        assert form in result.stderr
    assert_no_traceback(result)
    assert not out.exists()


@pytest.mark.parametrize(("report", "period"), [
    ("monthly", "2026-Q4"), ("monthly", "2026"), ("quarterly", "2026-10"),
    ("dekad", "2026-10"), ("yearly", "2026-10-D1"),
])
def test_report_and_period_mismatch_is_a_usage_error(tmp_path: Path, good: Path, report: str,
                                                     period: str) -> None:
    out = tmp_path / "out"
    result = generate(good, out, report=report, period=period)
    assert result.exit_code == 2, result.output
    assert f"not {report}" in result.stderr
    assert "accepted forms" in result.stderr
    assert_no_traceback(result)
    assert not out.exists()


def test_usage_errors_come_before_reading_the_ledger(tmp_path: Path) -> None:
    bad = write_ledger(tmp_path / "bad", customers="C1,,,,,,,", loans="", transactions="")
    result = generate(bad, tmp_path / "out", period="2026-13")
    assert result.exit_code == 2, result.output
    result = invoke("generate", "--ledger", str(bad), "--report", "monthly", "--period",
                    "2026-10", "--format", "doc", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    assert "unknown format 'doc'" in result.stderr
    assert "json" in result.stderr


@pytest.mark.parametrize("args", [
    ["generate", "--report", "monthly", "--period", "2026-10"],  # no --ledger
    ["generate", "--ledger", "/no/such/ledger", "--report", "monthly", "--period", "2026-10"],
    ["generate", "--ledger", ".", "--report", "weekly", "--period", "2026-10"],
    ["generate", "--ledger", ".", "--report", "monthly", "--period", "2026-10", "--lang",
     "fr"],
    ["validate"],
    ["validate", "--ledger", "/no/such/ledger"],
    ["sample"],
    ["sample", "--out", "x", "--loans", "0"],
    ["sample", "--out", "x", "--start", "2026-02-30"],
    ["sample", "--out", "x", "--start", "2026-01-01", "--end", "2025-01-01"],
    ["nosuchcommand"],
])
def test_click_usage_errors_exit_2_without_traceback(args: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    assert result.stderr.strip()


def test_bad_config_file_exits_2(tmp_path: Path, good: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[output]\nformatz = ['json']\n", encoding="utf-8")
    result = generate(good, tmp_path / "out", "--config", str(config))
    assert result.exit_code == 2, result.output
    assert "formatz" in result.stderr
    assert "Traceback" not in result.output


def test_bad_ledger_exits_3(tmp_path: Path, good: Path) -> None:
    (good / "loans.csv").write_text(
        (good / "loans.csv").read_text(encoding="utf-8").replace("mortgage", "house"),
        encoding="utf-8")
    out = tmp_path / "out"
    result = generate(good, out)
    assert result.exit_code == 3, result.output
    assert "loans.csv, row 2, column guarantee" in result.stderr
    assert "'house'" in result.stderr
    assert not out.exists()


def test_unexpected_error_exits_1_with_one_line_and_traceback_only_with_debug(
        tmp_path: Path, good: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from reportgen import api

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "build", broken)
    result = generate(good, tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "unexpected error: RuntimeError: boom" in result.stderr
    assert "--debug" in result.stderr
    assert "Traceback" not in result.output
    debug = invoke("--debug", "generate", "--ledger", str(good), "--report", "monthly",
                   "--period", "2026-10", "--format", "json", "--out", str(tmp_path / "o"))
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr


def test_generate_prints_warnings_and_still_succeeds(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "w", customers=CUSTOMERS, loans=LOANS,
                          transactions=TRANSACTIONS, classifications="L1,2025-01-15,normal,")
    out = tmp_path / "out"
    result = generate(folder, out)
    assert result.exit_code == 0, result.output
    assert "warning: loan L2 is live" in result.stderr
    assert "warning:" not in result.stdout
    assert (out / "monthly_2026-10.json").exists()


# -- validate ------------------------------------------------------------------------------


def test_validate_ok(good: Path) -> None:
    result = invoke("validate", "--ledger", str(good))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("ok: 2 customers, 2 loans, 4 transactions, "
                                     "2 classification rows; 0 warning(s)")


def test_validate_lists_every_problem_and_exits_3(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "bad", customers=CUSTOMERS.replace(",A,", ",a1,"),
                          loans=LOANS.replace("2027-03-01", "2027-02-29"),
                          transactions=TRANSACTIONS.replace("20000.50", "20000.505"),
                          classifications=CLASSIFICATIONS)
    result = invoke("validate", "--ledger", str(folder))
    assert result.exit_code == 3, result.output
    assert "the ledger has 3 data error(s)" in result.stderr
    assert "customers.csv, row 3, column industry" in result.stderr
    assert "loans.csv, row 3, column maturity_date" in result.stderr
    assert "transactions.csv, row 5, column amount" in result.stderr
    assert "ok:" not in result.stdout


def test_validate_writes_nothing(tmp_path: Path, good: Path) -> None:
    before = sorted(p.name for p in good.iterdir())
    assert invoke("validate", "--ledger", str(good)).exit_code == 0
    assert sorted(p.name for p in good.iterdir()) == before
    assert not list(Path.cwd().iterdir())


# -- sample --------------------------------------------------------------------------------


def test_sample_writes_a_valid_deterministic_ledger(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    args = ["--loans", "40", "--seed", "3", "--start", "2025-01-01", "--end", "2026-11-10"]
    first = invoke("sample", "--out", str(a), *args)
    assert first.exit_code == 0, first.output
    assert first.stdout.strip()
    assert invoke("sample", "--out", str(b), *args).exit_code == 0
    names = sorted(p.name for p in a.iterdir())
    for required in ("customers.csv", "loans.csv", "transactions.csv", "classifications.csv"):
        assert required in names
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    validated = invoke("validate", "--ledger", str(a))
    assert validated.exit_code == 0, validated.output
    assert "40 loans" in validated.stdout
    made = generate(a, tmp_path / "out", period="2026-10")
    assert made.exit_code == 0, made.output


def test_sample_end_must_be_after_start(tmp_path: Path) -> None:
    result = invoke("sample", "--out", str(tmp_path / "s"), "--start", "2026-01-01", "--end",
                    "2026-01-01")
    assert result.exit_code == 2, result.output
    assert "--end 2026-01-01 must be after --start 2026-01-01" in result.stderr
    assert not (tmp_path / "s").exists()


# -- end to end ----------------------------------------------------------------------------


def test_generate_as_a_real_subprocess(tmp_path: Path, good: Path) -> None:
    exe = Path(sys.executable).with_name("reportgen")
    if not exe.exists():
        exe = Path("/work/main/.venv/bin/reportgen")
    out = tmp_path / "out"
    done = subprocess.run(
        [str(exe), "generate", "--ledger", str(good), "--report", "monthly", "--period",
         "2026-10", "--format", "json", "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False, cwd=Path.cwd())
    assert done.returncode == 0, done.stderr
    path = Path(done.stdout.strip())
    assert path == out / "monthly_2026-10.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["sections"]["summary"]["balance"] == "479999.50"
    assert len(document["ledger_sha256"]) == 64
    assert not list(out.glob("*.tmp*"))
    assert len(list(out.iterdir())) == 1

    bad = subprocess.run(
        [str(exe), "generate", "--ledger", str(good), "--report", "monthly", "--period",
         "2026-Q4", "--format", "json", "--out", str(out)],
        capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2
    assert "accepted forms" in bad.stderr
    assert "Traceback" not in bad.stderr
