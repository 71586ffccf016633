"""reportgen/datadate.py: the data date and first date of a ledger, and the periods,
rows and ledgers they refuse (mapping.md, "Data date and stale exports").

Every case runs as a user runs it (``reportgen generate`` / ``validate`` through click):
exit 3, a message naming both dates (or file, row, column and value), and no report file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from ledgers import write_ledger

from reportgen import api
from reportgen.cli import main
from reportgen.config import Config
from reportgen.datadate import AS_OF_CONFIG, AS_OF_OPTION, LATEST_ROW, DataDate, decide
from reportgen.errors import LedgerError, PeriodNotCoveredError

# The ledger begins on 2026-03-10 (L1's start and first disbursement); its latest rows are
# of 2026-06-20 (L1's repayment) and 2026-06-25 (L2's classification).
LEDGER = {
    "customers": "C1,甲,individual,,A,,,\nC2,乙,individual,,A,,,",
    "loans": "L1,C1,B1,王,,credit,1000,2026-03-10,2027-03-10,4\n"
             "L2,C2,B1,王,,credit,500,2026-04-02,2027-04-02,4",
    "transactions": "L1,2026-03-10,disburse,1000\nL2,2026-04-02,disburse,500\n"
                    "L1,2026-06-20,repay,100",
    "classifications": "L1,2026-03-10,normal,\nL2,2026-06-25,special_mention,",
}


@pytest.fixture(autouse=True)
def _empty_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """./reportgen.toml is read when present: run every test in an empty folder."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)


def generate(ledger: Path, out: Path, report: str, period: str, *extra: str) -> Result:
    return CliRunner().invoke(main, ["generate", "--ledger", str(ledger), "--report", report,
                                     "--period", period, "--format", "json", "--out",
                                     str(out), *extra])


def assert_refused(result: Result, out: Path, *texts: str) -> None:
    assert result.exit_code == 3, result.output
    assert "Traceback" not in result.output
    for text in texts:
        assert text in result.stderr, result.stderr
    assert not out.exists() or not any(out.iterdir()), "a refused report writes no file"


# -- deciding the data date -----------------------------------------------------------------


@pytest.mark.parametrize(("as_of", "configured", "latest", "expected"), [
    (date(2026, 6, 30), date(2026, 5, 31), date(2026, 6, 25),
     DataDate(date(2026, 6, 30), AS_OF_OPTION)),
    (None, date(2026, 5, 31), date(2026, 6, 25), DataDate(date(2026, 5, 31), AS_OF_CONFIG)),
    (None, None, date(2026, 6, 25), DataDate(date(2026, 6, 25), LATEST_ROW)),
    (date(2026, 1, 1), None, None, DataDate(date(2026, 1, 1), AS_OF_OPTION)),
    (None, None, None, None),
])
def test_the_first_source_that_gives_a_date_decides(
        as_of: date | None, configured: date | None, latest: date | None,
        expected: DataDate | None) -> None:
    assert decide(as_of=as_of, configured=configured, latest=latest) == expected


def test_a_session_knows_its_first_date_and_data_date(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "l", **LEDGER)
    session = api.open_ledger(folder)
    assert session.first_day == date(2026, 3, 10)
    assert session.data_date == DataDate(date(2026, 6, 25), LATEST_ROW)  # classification
    declared = api.open_ledger(folder, as_of=date(2026, 6, 30), config_as_of=date(2026, 7, 31))
    assert declared.data_date == DataDate(date(2026, 6, 30), AS_OF_OPTION)
    configured = api.open_ledger(folder, config_as_of=date(2026, 7, 31))
    assert configured.data_date == DataDate(date(2026, 7, 31), AS_OF_CONFIG)


def test_a_loan_start_before_any_row_is_the_first_date(tmp_path: Path) -> None:
    # L3 starts on 1 Feb but is drawn only on 1 May: the ledger knows the loan since 1 Feb
    tables = dict(LEDGER)
    tables["loans"] += "\nL3,C1,B1,王,,credit,700,2026-02-01,2027-02-01,4"
    tables["transactions"] += "\nL3,2026-05-01,disburse,700"
    session = api.open_ledger(write_ledger(tmp_path / "l", **tables))
    assert session.first_day == date(2026, 2, 1)


# -- stale periods: ending after the data date ------------------------------------------------


@pytest.mark.parametrize(("report", "period", "end"), [
    ("monthly", "2026-07", "2026-07-31"),  # wholly after the data date
    ("monthly", "2026-06", "2026-06-30"),  # its last five days are missing
    ("dekad", "2026-06-D3", "2026-06-30"),
    ("quarterly", "2026-Q2", "2026-06-30"),
    ("yearly", "2026", "2026-12-31"),
])
def test_a_period_ending_after_the_data_date_is_refused(
        tmp_path: Path, report: str, period: str, end: str) -> None:
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, report, period)
    assert_refused(result, out, f"ends on {end}", "data date 2026-06-25",
                   "latest date of its transactions and classifications")


def test_a_period_ending_on_the_data_date_is_made(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "dekad", "2026-06-D3",
                      "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output
    assert (out / "dekad_2026-06-D3.json").exists()


@pytest.mark.parametrize(("extra", "config", "named"), [
    (("--as-of", "2026-06-29"), "", "data date 2026-06-29 (from --as-of)"),
    ((), "as_of = 2026-06-29", "data date 2026-06-29 (from [ledger] as_of)"),
    ((), 'as_of = "2026-06-29"', "data date 2026-06-29 (from [ledger] as_of)"),
    (("--as-of", "2026-06-29"), "as_of = 2026-12-31", "data date 2026-06-29 (from --as-of)"),
])
def test_a_declared_data_date_refuses_what_ends_after_it(
        tmp_path: Path, extra: tuple[str, ...], config: str, named: str) -> None:
    path = tmp_path / "r.toml"
    path.write_text(f'[ledger]\npath = "x"\n{config}\n', encoding="utf-8")
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "monthly", "2026-06",
                      *extra, "--config", str(path))
    assert_refused(result, out, "ends on 2026-06-30", named)


def test_a_stale_report_does_not_replace_an_earlier_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "monthly_2026-06.json").write_text("made from a complete export", encoding="utf-8")
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "monthly", "2026-06")
    assert result.exit_code == 3, result.output
    assert (out / "monthly_2026-06.json").read_text(encoding="utf-8") == (
        "made from a complete export")


# -- early periods: starting before the first date --------------------------------------------


@pytest.mark.parametrize(("report", "period", "start"), [
    ("monthly", "2026-03", "2026-03-01"),  # the ledger begins on the 10th
    ("dekad", "2026-03-D1", "2026-03-01"),
    ("quarterly", "2026-Q1", "2026-01-01"),
    ("monthly", "2025-12", "2025-12-01"),  # wholly before it
])
def test_a_period_starting_before_the_first_date_is_refused(
        tmp_path: Path, report: str, period: str, start: str) -> None:
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, report, period,
                      "--as-of", "2026-06-30")
    assert_refused(result, out, f"starts on {start}", "first date 2026-03-10")


def test_a_period_starting_on_the_first_date_is_made(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "dekad", "2026-03-D2",
                      "--as-of", "2026-06-30")
    assert result.exit_code == 0, result.output


def test_the_api_raises_the_refusal_with_its_kind(tmp_path: Path) -> None:
    session = api.open_ledger(write_ledger(tmp_path / "l", **LEDGER))
    with pytest.raises(PeriodNotCoveredError) as stale:
        api.build(session, "monthly", "2026-06", Config())
    assert stale.value.stale
    assert stale.value.exit_code == 3
    with pytest.raises(PeriodNotCoveredError) as early:
        api.build(session, "monthly", "2026-03", Config())
    assert not early.value.stale


# -- rows after a declared data date ------------------------------------------------------------


def test_rows_after_a_declared_data_date_are_data_errors_all_at_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "monthly", "2026-05",
                      "--as-of", "2026-06-19")
    assert_refused(result, out, "the ledger has 2 data error(s)",
                   "transactions.csv, row 4, column date: dated after the data date 2026-06-19 "
                   "(from --as-of) (value '2026-06-20')",
                   "classifications.csv, row 3, column date: dated after the data date "
                   "2026-06-19 (from --as-of) (value '2026-06-25')")


def test_rows_after_the_configured_data_date_are_data_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    path.write_text('[ledger]\npath = "x"\nas_of = 2026-06-22\n', encoding="utf-8")
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "monthly", "2026-05",
                      "--config", str(path))
    assert_refused(result, out, "the ledger has 1 data error(s)", "classifications.csv, row 3",
                   "(from [ledger] as_of) (value '2026-06-25')")


def test_rows_after_the_data_date_come_with_the_other_problems(tmp_path: Path) -> None:
    tables = dict(LEDGER)
    tables["transactions"] += "\nL1,2026-05-05,repay,1.005"  # more than 2 decimals
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **tables), out, "monthly", "2026-05",
                      "--as-of", "2026-06-19")
    assert_refused(result, out, "the ledger has 3 data error(s)", "row 5, column amount",
                   "row 4, column date", "classifications.csv, row 3, column date")


def test_validate_takes_as_of_too(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "l", **LEDGER)
    ok = CliRunner().invoke(main, ["validate", "--ledger", str(folder), "--as-of",
                                   "2026-06-25"])
    assert ok.exit_code == 0, ok.output
    bad = CliRunner().invoke(main, ["validate", "--ledger", str(folder), "--as-of",
                                    "2026-06-24"])
    assert bad.exit_code == 3, bad.output
    assert "classifications.csv, row 3, column date" in bad.stderr


def test_an_undeclared_data_date_has_no_rows_after_it(tmp_path: Path) -> None:
    tables = dict(LEDGER, bank_figures="2026-09-30,provision,10")  # finance's own file
    session = api.open_ledger(write_ledger(tmp_path / "l", **tables), as_of=date(2026, 6, 30))
    assert session.data_date.day == date(2026, 6, 30)  # bank figures may run ahead


@pytest.mark.parametrize("value", ["2026-6-30", "30/06/2026", "tomorrow"])
def test_a_bad_as_of_is_a_usage_error(tmp_path: Path, value: str) -> None:
    out = tmp_path / "out"
    result = generate(write_ledger(tmp_path / "l", **LEDGER), out, "monthly", "2026-05",
                      "--as-of", value)
    assert result.exit_code == 2, result.output
    assert "--as-of" in result.stderr
    assert not out.exists()


# -- empty ledgers --------------------------------------------------------------------------------


@pytest.mark.parametrize(("tables", "message"), [
    ({"customers": "", "loans": "", "transactions": ""},
     "the ledger is empty (its tables have headers but no rows)"),
    ({"customers": LEDGER["customers"], "loans": LEDGER["loans"], "transactions": ""},
     "the ledger has 2 loan(s) but no transactions at all"),
    ({"customers": LEDGER["customers"], "loans": LEDGER["loans"], "transactions": "",
      "classifications": LEDGER["classifications"]},
     "the ledger has 2 loan(s) but no transactions at all"),
])
def test_an_empty_ledger_is_refused_not_reported_as_zeros(
        tmp_path: Path, tables: dict[str, str], message: str) -> None:
    folder = write_ledger(tmp_path / "l", **tables)  # type: ignore[arg-type]
    out = tmp_path / "out"
    for extra in ((), ("--as-of", "2026-06-30")):
        result = generate(folder, out, "monthly", "2026-05", *extra)
        assert_refused(result, out, "transactions.csv: " + message)
    validated = CliRunner().invoke(main, ["validate", "--ledger", str(folder)])
    assert validated.exit_code == 3, validated.output
    assert message in validated.stderr
    with pytest.raises(LedgerError):
        api.open_ledger(folder)
