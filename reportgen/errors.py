"""One exception hierarchy, mapped to the exit codes of the interface spec in one place.

A user's mistake is a ``ReportgenError`` whose message says what to change; the CLI prints
it without a traceback.  Anything else is a bug and exits 1.
"""

from __future__ import annotations

from dataclasses import dataclass


class ReportgenError(Exception):
    """Base of every error that is the user's to fix (never shown with a traceback)."""

    exit_code = 1


class UsageError(ReportgenError):
    """A bad command-line value (period id, report type, option combination)."""

    exit_code = 2


class ConfigError(ReportgenError):
    """A bad configuration file: unknown key, wrong type, missing value."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One data problem, located the way a person finds it in a spreadsheet."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}: {self.message}{shown}"


class LedgerError(ReportgenError):
    """The ledger has data errors; nothing is written (exit 3)."""

    exit_code = 3

    def __init__(self, problems: list[Problem], total: int | None = None) -> None:
        self.problems = problems
        self.total = len(problems) if total is None else total
        shown = "\n".join(f"  {p}" for p in problems)
        more = "" if self.total <= len(problems) else (
            f"\n  … and {self.total - len(problems)} more (fix these and run again)"
        )
        super().__init__(f"the ledger has {self.total} data error(s):\n{shown}{more}")


class PeriodNotCoveredError(ReportgenError):
    """A report's period is not covered by the ledger: it ends after the data date (a
    stale export, ``stale``) or starts before the ledger's first date (exit 3)."""

    exit_code = 3

    def __init__(self, message: str, *, period: object, stale: bool) -> None:
        super().__init__(message)
        self.period = period  # a reportgen.periods.Period (errors.py imports nothing)
        self.stale = stale


class TemplateError(ReportgenError):
    """A user template is missing, broken or refers to an undefined value."""

    exit_code = 2


class DeliveryError(ReportgenError):
    """Reports were written but could not be delivered (exit 4; the next run retries)."""

    exit_code = 4


class LockedError(ReportgenError):
    """Another ``reportgen run`` holds the output folder's lock."""

    exit_code = 5


class InternalError(ReportgenError):
    """An invariant of the figures failed (e.g. the balance identity): a bug, not bad data."""

    exit_code = 1
