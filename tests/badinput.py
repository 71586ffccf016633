"""A small valid ledger and the check every bad-input test makes through the real CLI.

``rejected`` runs ``reportgen validate`` and ``reportgen generate`` on a bad ledger as a
user does, and asserts what the contract promises for bad input: exit status 3, no
traceback, a message naming the file (or sheet), row, column and value, and no report file
written (nor an existing one changed).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner, Result
from ledgers import write_ledger

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
L2,2026-08-01,repay,20000
"""
CLASSIFICATIONS = """
L1,2025-01-15,normal,
L2,2026-03-01,normal,
"""
BANK_FIGURES = """
2026-09-30,provision,1000
2026-09-30,net_capital,5000000
"""
TARGETS = """
王五,2026-10,disbursed,100000
李四,2026-Q4,new_customers,3
"""
BASE = {
    "customers": CUSTOMERS,
    "loans": LOANS,
    "transactions": TRANSACTIONS,
    "classifications": CLASSIFICATIONS,
    "bank_figures": BANK_FIGURES,
    "targets": TARGETS,
}


def ledger(folder: Path, **tables: str) -> Path:
    """The base ledger with some tables replaced (rows without header)."""
    return write_ledger(folder, **(BASE | tables))  # type: ignore[arg-type]


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def generate(path: Path, out: Path) -> Result:
    """The monthly report of October 2026; the small ledgers here end before 31 October,
    so the export is declared complete up to that day (``--as-of``)."""
    return run("generate", "--ledger", str(path), "--report", "monthly", "--period",
               "2026-10", "--format", "json", "--out", str(out), "--as-of", "2026-10-31")


@dataclass(frozen=True)
class Expected:
    """Where the message must point: ``where`` is "file[, sheet S][, row N][, column C]"."""

    where: str
    message: str
    value: str | None = None


def rejected(path: Path, tmp: Path, *expected: Expected) -> str:
    """Both commands refuse ``path`` with exit 3 and the expected messages; no report is
    written and an existing one is left as it was.  Returns the messages (stderr)."""
    out = tmp / "out"
    out.mkdir(parents=True, exist_ok=True)
    earlier = out / "monthly_2026-10.json"
    earlier.write_text("an earlier report", encoding="utf-8")
    results = [run("validate", "--ledger", str(path)), generate(path, out)]
    for result in results:
        assert result.exit_code == 3, result.output
        assert "Traceback" not in result.output, result.output
        assert isinstance(result.exception, SystemExit), result.exc_info
        for item in expected:
            lines = [line for line in result.stderr.splitlines()
                     if f"{item.where}:" in line and item.message in line]
            assert lines, (item, result.stderr)
            if item.value is not None:
                assert any(f"(value {item.value!r})" in line for line in lines), (
                    item, result.stderr)
    assert sorted(p.name for p in out.iterdir()) == ["monthly_2026-10.json"]
    assert earlier.read_text(encoding="utf-8") == "an earlier report"
    return results[1].stderr


def accepted(path: Path, tmp: Path) -> Path:
    """``generate`` succeeds and writes the JSON report; returns its path."""
    out = tmp / "out-ok"
    result = generate(path, out)
    assert result.exit_code == 0, result.output
    report = out / "monthly_2026-10.json"
    assert report.exists()
    return report
