"""reportgen/cli.py: generate, validate and sample as a user types them.

Every command through click's CliRunner, and once end to end as a real subprocess.  A
user's mistake exits with the status of interface.md and a message that says what to
change, never a traceback.  (``run`` and ``periods`` are tested in test_run.py.)
"""

from __future__ import annotations

import json
import os
import shutil
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
L2,2026-10-31,normal,
"""  # the month-end review of 31 Oct makes the export's data date the end of October
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
    ("yearly", "2026", "2026-01-01", "2026-12-31"),
])
def test_generate_every_report_type(tmp_path: Path, good: Path, report: str, period: str,
                                    start: str, end: str) -> None:
    out = tmp_path / "out"
    # the ledger begins on 2025-01-15 (2025 is refused, test_datadate); for 2026 it is
    # declared complete up to the year's end
    result = generate(good, out, "--as-of", "2026-12-31", report=report, period=period)
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
    ["generate", "--ledger", ".", "--report", "daily", "--period", "2026-10"],
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
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output
    debug = invoke("--debug", "generate", "--ledger", str(good), "--report", "monthly",
                   "--period", "2026-10", "--format", "json", "--out", str(tmp_path / "o"))
    assert debug.exit_code == 1
    assert "Traceback" in debug.stderr


def test_generate_prints_warnings_and_still_succeeds(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "w", customers=CUSTOMERS, loans=LOANS,
                          transactions=TRANSACTIONS,
                          classifications="L1,2025-01-15,normal,\nL1,2026-10-31,normal,")
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
                                     "3 classification rows; 0 warning(s)")


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
    made = generate(a, tmp_path / "out", period="2026-10")  # inside 2025-01-01 … 2026-11-10
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


# -- one-line exit 2, up front, nothing written (issue 9) ----------------------------------


def assert_one_line_usage_error(result: Result, *needles: str) -> None:
    """Exit 2, one line on stderr starting "reportgen:", naming what to change."""
    assert result.exit_code == 2, result.output
    assert_no_traceback(result)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("reportgen: "), lines
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A ledger with a data error: exit 2 instead of 3 proves a check ran before reading it."""
    return write_ledger(tmp_path / "broken", customers=CUSTOMERS, loans=LOANS.replace(
        "mortgage", "house"), transactions=TRANSACTIONS, classifications=CLASSIFICATIONS)


@pytest.mark.parametrize("where", ["file/sub", "file/a/b/c", "file", "file/"])
def test_out_under_or_at_a_regular_file_is_refused_before_reading_the_ledger(
        tmp_path: Path, broken: Path, where: str) -> None:
    (tmp_path / "file").write_text("a report, not a folder", encoding="utf-8")
    out = str(tmp_path / where)
    before = sorted(p.name for p in tmp_path.iterdir())
    for args in (["generate", "--ledger", str(broken), "--report", "monthly", "--period",
                  "2026-10", "--format", "json", "--out", out],
                 ["sample", "--out", out, "--loans", "3"]):
        result = invoke(*args)
        assert_one_line_usage_error(result, "--out", "file")
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "file").read_text(encoding="utf-8") == "a report, not a folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
@pytest.mark.parametrize("where", ["locked", "locked/new"])
def test_out_in_an_unwritable_folder_is_refused_up_front(tmp_path: Path, broken: Path,
                                                         where: str) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = generate(broken, tmp_path / where)
        assert_one_line_usage_error(result, "--out", "cannot write")
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_config_output_dir_under_a_file_stops_generate_and_run(tmp_path: Path,
                                                               broken: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    config = tmp_path / "r.toml"
    config.write_text(f'[ledger]\npath = "{broken}"\n[output]\ndir = "{tmp_path}/file/out"\n'
                      "formats = ['json']\n[email]\nenabled = false\n", encoding="utf-8")
    result = invoke("generate", "--config", str(config), "--ledger", str(broken), "--report",
                    "monthly", "--period", "2026-10")
    assert_one_line_usage_error(result, "output.dir", "file")
    result = invoke("run", "--config", str(config), "--date", "2026-11-01")
    assert_one_line_usage_error(result, "output.dir", "file")
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"


@pytest.mark.parametrize("where", ["missing/run.log", "missing/deeper/run.log", "file/run.log",
                                   "folder", "folder/"])
def test_log_file_that_cannot_be_opened_is_one_line_exit_2(tmp_path: Path, where: str) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    (tmp_path / "folder").mkdir()
    result = invoke("--log-file", str(tmp_path / where), "periods", "--date", "2026-11-01")
    assert_one_line_usage_error(result, "--log-file")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "file", "folder"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_log_file_in_an_existing_folder_is_written(tmp_path: Path) -> None:
    log = tmp_path / "run.log"
    result = invoke("--log-file", str(log), "periods", "--date", "2026-11-01")
    assert result.exit_code == 0, result.output
    assert log.exists()


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1900-01-01", "1900-12-31",
                                 "3000-01-01", "0001-01-02", "9999-01-01"])
@pytest.mark.parametrize("command", [["periods"], ["periods", "--catch-up"], ["run"],
                                     ["run", "--catch-up"]])
def test_run_and_periods_refuse_dates_whose_neighbours_overflow(day: str,
                                                                command: list[str]) -> None:
    result = invoke(*command, "--date", day)
    assert_one_line_usage_error(result, "--date", day, "1901-01-01", "2999-12-31")
    assert not list(Path.cwd().iterdir())


@pytest.mark.parametrize("day", ["2026-11-１", "２０２６-11-01", "20261101", "2026-11-01T00",
                                 "2026-02-30", "yesterday", "", " 2026-11-01"])
def test_run_and_periods_refuse_what_is_not_a_date(day: str) -> None:
    for command in ("periods", "run"):
        assert_one_line_usage_error(invoke(command, "--date", day), "--date", "2026-11-01")


@pytest.mark.parametrize("day", ["1901-01-01", "2999-12-31"])
def test_the_edges_of_the_date_range_work(day: str) -> None:
    result = invoke("periods", "--date", day, "--catch-up")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("option", "value"), [
    ("--start", "0001-01-01"), ("--end", "9999-12-31"), ("--start", "1899-12-31"),
    ("--end", "2200-01-01"), ("--start", "2026-1-01"), ("--seed", "-1"), ("--loans", "0"),
    ("--loans", "100000000"), ("--loans", "many"),
])
def test_sample_options_out_of_range_are_one_line_exit_2(tmp_path: Path, option: str,
                                                          value: str) -> None:
    out = tmp_path / "s"
    result = invoke("sample", "--out", str(out), option, value)
    assert_one_line_usage_error(result, option)
    assert not out.exists()


@pytest.mark.parametrize("name", ["ledger.xlsx", "ledger.XLSX", "ledger.xlsm", "ledger.csv",
                                  "ledger.xls", "ledger.parquet"])
def test_a_folder_named_like_a_ledger_file_is_a_usage_error(tmp_path: Path, good: Path,
                                                            name: str) -> None:
    folder = tmp_path / name
    folder.mkdir()
    for item in good.iterdir():  # even with the tables inside: the path is the mistake
        (folder / item.name).write_bytes(item.read_bytes())
    for args in (["validate", "--ledger", str(folder)],
                 ["generate", "--ledger", str(folder), "--report", "monthly", "--period",
                  "2026-10", "--format", "json", "--out", str(tmp_path / "out")]):
        assert_one_line_usage_error(invoke(*args), "--ledger", name, "folder")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["ledger.txt", "ledger.xls", "ledger.csv", "ledger.zip",
                                  "ledger", "ledger.xlsx.bak"])
def test_a_ledger_file_of_an_unsupported_kind_is_a_usage_error(tmp_path: Path,
                                                               name: str) -> None:
    path = tmp_path / name
    path.write_text("loan_id,amount\nL1,1\n", encoding="utf-8")
    for args in (["validate", "--ledger", str(path)],
                 ["generate", "--ledger", str(path), "--report", "monthly", "--period",
                  "2026-10", "--format", "json", "--out", str(tmp_path / "out")]):
        assert_one_line_usage_error(invoke(*args), "--ledger", name, ".xlsx workbook")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("report", "period"), [
    ("monthly", "２０２６-10"), ("monthly", "2026-1０"), ("monthly", "٢٠٢٦-10"),
    ("yearly", "२०२६"), ("dekad", "2026-10-D２"), ("quarterly", "2026-Q４"),
    ("monthly", "2026 -10"), ("monthly", " 2026-10"), ("monthly", "2026-10 "),
    ("monthly", "2026-10\n"), ("monthly", "2026-10\t"), ("monthly", "2026-\u300010"),
    ("yearly", "2026\u00a0"), ("monthly", "2026-10\x00"),
])
def test_a_period_with_non_ascii_digits_or_spaces_is_a_usage_error(
        tmp_path: Path, broken: Path, report: str, period: str) -> None:
    out = tmp_path / "out"
    result = generate(broken, out, report=report, period=period)
    assert_one_line_usage_error(result, "accepted forms")
    assert not out.exists()


@pytest.mark.parametrize("formats", ["", " ", ",", "json,,pdf", "JSON", "json;pdf"])
def test_bad_format_lists_are_one_line_exit_2(tmp_path: Path, broken: Path,
                                              formats: str) -> None:
    result = invoke("generate", "--ledger", str(broken), "--report", "monthly", "--period",
                    "2026-10", "--format", formats, "--out", str(tmp_path / "out"))
    assert_one_line_usage_error(result)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args", [
    ["generate", "--report", "monthly", "--period", "2026-10"],
    ["generate", "--ledger", "/no/such", "--report", "monthly", "--period", "2026-10"],
    ["generate", "--ledger", ".", "--report", "daily", "--period", "2026-10"],
    ["generate", "--ledger", ".", "--report", "monthly", "--period", "2026-10", "--lang", "fr"],
    ["generate", "--ledger", ".", "--report", "monthly", "--period", "2026-10",
     "--templates", "/no/such"],
    ["generate", "--ledger", ".", "--report", "monthly", "--period", "2026-10",
     "--config", "."],
    ["validate"], ["sample"], ["nosuchcommand"], ["--nosuchoption"], ["-vq", "nosuch"],
    ["run", "--nosuch"], ["periods", "--date"],
])
def test_clicks_own_usage_errors_are_one_line_too(args: list[str]) -> None:
    assert_one_line_usage_error(invoke(*args), "--help")


# -- -q: errors only -----------------------------------------------------------------------


def test_quiet_prints_no_warnings_only_errors(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "w", customers=CUSTOMERS, loans=LOANS,
                          transactions=TRANSACTIONS, classifications="L1,2025-01-15,normal,")
    # without L2's month-end row the export's data date is 8 Oct: declared complete to 31 Oct
    loud = generate(folder, tmp_path / "loud", "--as-of", "2026-10-31")
    assert "warning: loan L2 is live" in loud.stderr
    assert "no reportgen.toml" in loud.stderr
    quiet = invoke("-q", "generate", "--ledger", str(folder), "--report", "monthly",
                   "--period", "2026-10", "--format", "json", "--out", str(tmp_path / "q"),
                   "--as-of", "2026-10-31")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert quiet.stdout.strip() == str(tmp_path / "q" / "monthly_2026-10.json")
    validated = invoke("--quiet", "validate", "--ledger", str(folder))
    assert validated.exit_code == 0, validated.output
    assert validated.stderr == ""
    assert "1 warning(s)" in validated.stdout  # the result line keeps the count
    assert "warning: loan L2" in invoke("validate", "--ledger", str(folder)).stderr
    error = invoke("-q", "generate", "--ledger", str(folder), "--report", "monthly",
                   "--period", "2026-13", "--out", str(tmp_path / "e"))
    assert error.exit_code == 2
    assert "2026-13" in error.stderr  # errors still show


def test_quiet_silences_logged_warnings_too(tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "manifest.jsonl").write_bytes(b'{"kind": "run", "cov')
    config = tmp_path / "r.toml"
    config.write_text(f'[output]\ndir = "{tmp_path}/reports"\n', encoding="utf-8")
    loud = invoke("periods", "--config", str(config), "--date", "2026-11-01")
    assert loud.exit_code == 0, loud.output
    assert "line 1" in loud.stderr
    quiet = invoke("-q", "periods", "--config", str(config), "--date", "2026-11-01")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    assert "monthly    2026-10" in quiet.stdout


# -- a torn manifest costs one line, not every later run ---------------------------------


@pytest.mark.parametrize("torn", [
    '{"kind":"report","report":"monthly","period":"2026-09","figures":{"bank":"示'.encode()[:-1],
    b'{"kind":"run","covered":["2026-10-31",',
    b"\x89PNG\r\n\x1a\n garbage",
    b'{"kind":"run","covered":"nonsense"}\n',
])
def test_periods_and_run_survive_a_torn_manifest(tmp_path: Path, good: Path,
                                                 torn: bytes) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    manifest = reports / "manifest.jsonl"
    manifest.write_bytes(torn)
    config = tmp_path / "r.toml"
    config.write_text(f'[bank]\nname = "甲银行"\n[ledger]\npath = "{good}"\n'
                      f'[output]\ndir = "{reports}"\nformats = ["json"]\n'
                      '[schedule]\nreports = ["monthly"]\n[email]\nenabled = false\n',
                      encoding="utf-8")
    shown = invoke("periods", "--config", str(config), "--date", "2026-11-01")
    assert shown.exit_code == 0, shown.output
    assert "to make" in shown.stdout
    assert "line 1" in shown.stderr
    made = invoke("run", "--config", str(config), "--date", "2026-11-01")
    assert made.exit_code == 0, made.output
    assert "made monthly 2026-10" in made.stdout
    again = invoke("run", "--config", str(config), "--date", "2026-11-01")
    assert "already made monthly 2026-10" in again.stdout
    assert manifest.read_bytes().startswith(torn)  # history is never rewritten
    appended = manifest.read_bytes()[len(torn):].lstrip(b"\n").split(b"\n")
    assert appended[-1] == b""
    assert [json.loads(line)["kind"] for line in appended[:-1]] == ["report", "run", "run"]


# -- without a reportgen.toml the bank's name is blank, and the CLI says so once -----------


def test_no_config_means_a_blank_bank_name_said_once(tmp_path: Path, good: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "out"
    result = invoke("generate", "--ledger", str(good), "--report", "monthly", "--period",
                    "2026-10", "--format", "json,html,xlsx,pdf", "--out", str(out))
    assert result.exit_code == 0, result.output
    notices = [line for line in result.stderr.splitlines() if "bank's name is blank" in line]
    assert notices == ["note: no reportgen.toml: the bank's name is blank; set [bank] name "
                       "(see reportgen.example.toml)"]
    assert "warning" not in result.stderr  # a clean ledger: no data-quality warning
    document = json.loads((out / "monthly_2026-10.json").read_text(encoding="utf-8"))
    assert document["bank"] == ""
    html = (out / "monthly_2026-10.html").read_text(encoding="utf-8")
    assert "<title>信贷业务月报 2026年10月</title>" in html
    assert "示例农村商业银行" not in html
    assert "None" not in html
    assert '<div class="bank"></div>' in html
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", str(out / "monthly_2026-10.pdf")], check=True,
                              capture_output=True, text=True).stdout
        assert "Title:           信贷业务月报 2026年10月\n" in info
        text = subprocess.run(["pdftotext", str(out / "monthly_2026-10.pdf"), "-"],
                              check=True, capture_output=True, text=True).stdout
        assert "示例农村商业银行" not in text
        assert "None" not in text
    book = load_workbook(out / "monthly_2026-10.xlsx")
    cover = book.worksheets[0]
    assert cover["A1"].value == "信贷业务月报"
    rows = {r[0]: r[1] for r in cover.iter_rows(values_only=True) if r and r[0]}
    assert rows["银行"] == "—"
    subtitles = [ws["A2"].value for ws in book.worksheets[1:]
                 if isinstance(ws["A2"].value, str) and "信贷业务月报" in ws["A2"].value]
    assert subtitles
    assert all(text.startswith("信贷业务月报 · ") for text in subtitles), subtitles
    assert all("示例农村商业银行" not in str(c.value) for ws in book.worksheets
               for row in ws.iter_rows() for c in row if c.value)


def test_a_config_that_names_the_bank_gets_no_notice(tmp_path: Path, good: Path) -> None:
    config = tmp_path / "r.toml"
    config.write_text('[bank]\nname = "甲银行"\n', encoding="utf-8")
    result = generate(good, tmp_path / "out", "--config", str(config))
    assert result.exit_code == 0, result.output
    assert "bank's name" not in result.stderr
    document = json.loads((tmp_path / "out" / "monthly_2026-10.json").read_text("utf-8"))
    assert document["bank"] == "甲银行"
    no_bank = tmp_path / "n.toml"
    no_bank.write_text("[output]\nformats = ['json']\n[email]\nenabled = false\n",
                       encoding="utf-8")
    result = generate(good, tmp_path / "out2", "--config", str(no_bank))
    assert f"{no_bank} has no [bank] table: the bank's name is blank" in result.stderr


def test_one_line_errors_as_a_real_subprocess(tmp_path: Path) -> None:
    """Outside CliRunner too: the log file is opened before any command's error handling."""
    exe = Path(sys.executable).with_name("reportgen")
    if not exe.exists():
        exe = Path("/work/main/.venv/bin/reportgen")
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for args in (["--log-file", str(tmp_path / "missing" / "run.log"), "periods", "--date",
                  "2026-11-01"],
                 ["periods", "--date", "0001-01-01"],
                 ["sample", "--out", str(tmp_path / "file" / "s")]):
        done = subprocess.run([str(exe), *args], capture_output=True, text=True, timeout=120,
                              check=False, cwd=Path.cwd())
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert done.stderr.startswith("reportgen: ")
        assert done.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "file"]


# -- the assessment periods through the real CLI (assessment.md) --------------------------


@pytest.mark.parametrize(("report", "period", "start", "end", "upcoming"), [
    ("weekly", "2026-W41", "2026-10-05", "2026-10-11", 7),
    ("weekly", "2026-W01", "2025-12-29", "2026-01-04", 7),  # across the year end
    ("weekly", "2026-W53", "2026-12-28", "2027-01-03", 7),
    ("custom", "2026-10-05..2026-10-18", "2026-10-05", "2026-10-18", 10),
    ("custom", "2026-10-08..2026-10-08", "2026-10-08", "2026-10-08", 10),
    ("halfyear", "2026-H1", "2026-01-01", "2026-06-30", 30),
    ("halfyear", "2026-H2", "2026-07-01", "2026-12-31", 30),
    ("halfyear", "2025-H2", "2025-07-01", "2025-12-31", 30),
])
def test_generate_assessment_reports(tmp_path: Path, good: Path, report: str, period: str,
                                     start: str, end: str, upcoming: int) -> None:
    out = tmp_path / "out"
    # the ledger's last row is of 31 Oct 2026: a later end needs the export declared complete
    extra = ("--as-of", end) if end > "2026-10-31" else ()
    result = generate(good, out, *extra, report=report, period=period)
    assert result.exit_code == 0, result.output
    document = json.loads((out / f"{report}_{period}.json").read_text(encoding="utf-8"))
    assert (document["report"], document["period"]) == (report, period)
    assert (document["start"], document["end"]) == (start, end)
    assert document["sections"]["maturity"]["upcoming_days"] == upcoming


def test_custom_window_flows_by_hand(tmp_path: Path, good: Path) -> None:
    # 5–18 Oct 2026: L2 repays 20,000.50 on 8 Oct; O = 4 Oct: L1 400,000 + L2 100,000
    out = tmp_path / "out"
    assert generate(good, out, report="custom", period="2026-10-05..2026-10-18").exit_code == 0
    summary = json.loads((out / "custom_2026-10-05..2026-10-18.json").read_text(
        encoding="utf-8"))["sections"]["summary"]
    assert (summary["balance_opening"], summary["collected"], summary["balance"]) == (
        "500000.00", "20000.50", "479999.50")
    # the day before: nothing collected yet
    assert generate(good, out, report="custom", period="2026-10-01..2026-10-07").exit_code == 0
    early = json.loads((out / "custom_2026-10-01..2026-10-07.json").read_text(
        encoding="utf-8"))["sections"]["summary"]
    assert (early["collected"], early["balance"]) == ("0.00", "500000.00")


@pytest.mark.parametrize(("report", "period", "needle"), [
    ("weekly", "2027-W53", "2027 has no week 53"),
    ("weekly", "2026-W00", "week 00 does not exist"),
    ("weekly", "2026-W54", "week 54 does not exist"),
    ("halfyear", "2026-H3", "a half-year is H1"),
    ("halfyear", "2026-H0", "a half-year is H1"),
    ("custom", "2026-10-18..2026-10-05", "is after the end"),
    ("custom", "2026-02-29..2026-03-05", "2026-02-29 is not a calendar date"),
    ("custom", "２０２６-10-05..2026-10-18", "ASCII"),
    ("halfyear", "２０２６-H1", "ASCII"),
    ("weekly", "2026-W４５", "ASCII"),
    ("weekly", "2026-10", "not weekly"),
    ("halfyear", "2026-Q2", "not halfyear"),
    ("custom", "2026-W45", "not custom"),
    ("weekly", "2026-10-05..2026-10-11", "not weekly"),
])
def test_bad_assessment_ids_are_one_line_exit_2(tmp_path: Path, broken: Path, report: str,
                                                period: str, needle: str) -> None:
    out = tmp_path / "out"
    result = generate(broken, out, report=report, period=period)
    assert_one_line_usage_error(result, needle, "accepted forms")
    assert not out.exists()


@pytest.mark.parametrize(("report", "period", "end"), [
    ("weekly", "2026-W45", "2026-11-08"), ("halfyear", "2026-H2", "2026-12-31"),
    ("custom", "2026-10-25..2026-11-01", "2026-11-01"),
])
def test_assessment_period_past_the_data_date_is_refused(tmp_path: Path, good: Path,
                                                         report: str, period: str,
                                                         end: str) -> None:
    out = tmp_path / "out"
    result = generate(good, out, report=report, period=period)
    assert result.exit_code == 3, result.output
    assert f"{report} {period} ends on {end}, after the ledger's data date" in result.stderr
    assert not out.exists()


def test_weekly_and_custom_as_a_real_subprocess(tmp_path: Path, good: Path) -> None:
    exe = Path(sys.executable).with_name("reportgen")
    if not exe.exists():
        exe = Path("/work/main/.venv/bin/reportgen")
    out = tmp_path / "out"
    for report, period in (("weekly", "2026-W41"), ("custom", "2026-10-05..2026-10-18")):
        done = subprocess.run(
            [str(exe), "generate", "--ledger", str(good), "--report", report, "--period",
             period, "--format", "json,xlsx", "--out", str(out)],
            capture_output=True, text=True, timeout=120, check=False, cwd=Path.cwd())
        assert done.returncode == 0, done.stderr
        assert done.stdout.split() == [str(out / f"{report}_{period}.json"),
                                       str(out / f"{report}_{period}.xlsx")]
    from openpyxl import load_workbook

    cover = load_workbook(out / "custom_2026-10-05..2026-10-18.xlsx", read_only=True)["封面"]
    texts = [c for row in cover.iter_rows(values_only=True) for c in row if c]
    assert "信贷业务区间报表" in texts
    assert "2026年10月5日至10月18日" in texts
    weekly = load_workbook(out / "weekly_2026-W41.xlsx", read_only=True)["封面"]
    texts = [c for row in weekly.iter_rows(values_only=True) for c in row if c]
    assert "信贷业务周报" in texts
    assert "2026年第41周" in texts
    bad = subprocess.run(
        [str(exe), "generate", "--ledger", str(good), "--report", "weekly", "--period",
         "2027-W53", "--format", "json", "--out", str(tmp_path / "bad")],
        capture_output=True, text=True, timeout=120, check=False)
    assert bad.returncode == 2
    assert "2027 has no week 53" in bad.stderr
    assert "Traceback" not in bad.stderr
    assert not (tmp_path / "bad").exists()
