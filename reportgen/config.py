"""``reportgen.toml`` read with tomllib into one typed, frozen config object.

An unknown key, a wrong type or a missing required value is a ``ConfigError`` that names
the key (exit 2).  The dataclasses below *are* the schema: each field's type and default
say what the file may hold, so the loader is generic and cannot drift from them.  A field
marked ``required`` must be written whenever its table is (an ``[email]`` table without a
``host`` is a mistake, not a wish for ``localhost``).  The SMTP password is never in the
file: ``email.password_env`` names the environment variable that holds it.

Relative paths (ledger, output folder, CA file, templates) are relative to the working
directory, as in the crontab line ``cd /srv/reports && reportgen run``.

This module is the schema and ``load_config``; the generic loader is config_build.py and
the rules a type cannot say are config_check.py.
"""

from __future__ import annotations

import dataclasses
import tomllib
import typing
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from pathlib import Path

from reportgen.config_build import build
from reportgen.errors import ConfigError

DEFAULT_CONFIG = Path("reportgen.toml")
REPORTS = ("dekad", "monthly", "quarterly", "yearly")  # the default schedule.reports
# What `run` can make (assessment.md): custom windows are made only by hand.
SCHEDULABLE = ("dekad", "weekly", "monthly", "quarterly", "halfyear", "yearly")
FORMATS = ("xlsx", "pdf", "json", "html", "docx")
REQUIRED: dict[str, bool] = {"required": True}


@dataclass(frozen=True)
class BankConfig:
    name: str = ""  # blank until a reportgen.toml names the bank (never the demo's name)
    branch: str = ""
    currency: str = "CNY"
    unit: str = "wan"  # yuan | wan (万元) | yi (亿元)
    timezone: str = "Asia/Shanghai"  # decides which day "today" is for `run`


@dataclass(frozen=True)
class LedgerConfig:
    path: str = field(default="sample_ledgers/demo", metadata=REQUIRED)
    # The data date, when the export is complete up to a day its rows do not show
    # (`as_of = 2026-10-31`); None ("" in the file): the latest journal/classification date.
    as_of: date | None = None
    # A mapping file for a bank's own export (mapping.md), e.g. "core.toml"; "" for none.
    mapping: str = ""


@dataclass(frozen=True)
class OutputConfig:
    dir: str = "reports"
    formats: tuple[str, ...] = ("xlsx", "pdf")
    lang: str = "zh"
    templates: str = ""  # a folder searched before the built-in templates
    pdf_max_rows: int = 40  # long lists in the PDF are capped; the full list is in Excel


@dataclass(frozen=True)
class ScheduleConfig:
    reports: tuple[str, ...] = REPORTS
    lock_wait: float = 30.0  # seconds a second `run` waits for the first before giving up


@dataclass(frozen=True)
class RecipientsConfig:
    dekad: tuple[str, ...] = ()
    monthly: tuple[str, ...] = ()
    quarterly: tuple[str, ...] = ()
    yearly: tuple[str, ...] = ()
    weekly: tuple[str, ...] = ()
    halfyear: tuple[str, ...] = ()

    def for_report(self, report: str) -> tuple[str, ...]:
        """The addresses for ``report``; none for a report `run` never makes (custom)."""
        return typing.cast(tuple[str, ...], getattr(self, report, ()))


@dataclass(frozen=True)
class EmailConfig:
    enabled: bool = True
    host: str = field(default="localhost", metadata=REQUIRED)
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none
    ca_file: str = ""  # CA bundle for an internal relay's certificate ("" = system CAs)
    username: str = ""  # login only when set
    password_env: str = "REPORTGEN_SMTP_PASSWORD"
    sender: str = field(default="reports@localhost", metadata=REQUIRED)
    attach: tuple[str, ...] = ("pdf",)
    max_bytes: int = 10_000_000  # the encoded message, attachments included
    retries: int = 3  # extra attempts after a transient failure, within one run
    retry_delay: float = 2.0  # seconds before the first retry; doubled each time
    timeout: float = 30.0  # seconds per SMTP operation
    recipients: RecipientsConfig = field(default_factory=RecipientsConfig)


@dataclass(frozen=True)
class ThresholdsConfig:
    npl_ratio_max: float = 0.05
    coverage_ratio_min: float = 1.50
    provision_ratio_min: float = 0.025
    top1_ratio_max: float = 0.10
    top10_ratio_max: float = 0.50
    top_group_ratio_max: float = 0.15
    over_90_to_npl_max: float = 1.00
    loan_to_deposit_max: float | None = None  # 存贷比: a monitoring ratio, no default limit

    def limits(self) -> list[tuple[str, Fraction, str]]:
        """(indicator key, exact limit, direction) in report order.

        Limits are read from TOML as floats; ``Fraction(str(x))`` turns 0.05 back into the
        exact 1/20 the user wrote, so a ratio exactly at its limit is not a breach.
        """
        out = []
        for f in dataclasses.fields(self):
            if getattr(self, f.name) is None:  # an optional limit not set: no indicator
                continue
            key, _, direction = f.name.rpartition("_")
            out.append((key, Fraction(str(getattr(self, f.name))), direction))
        return out


@dataclass(frozen=True)
class DepositWeightsConfig:
    """[deposits.weights]: the coefficient per kind of a manager's weighted daily average."""

    individual_demand: float = 1.0
    individual_time: float = 1.0
    corporate_demand: float = 1.0
    corporate_time: float = 1.0
    margin: float = 1.0
    other: float = 1.0


@dataclass(frozen=True)
class DepositsConfig:
    """[deposits]: the base date of the new average (新增日均) and the kind weights."""

    base_date: date | None = None
    weights: DepositWeightsConfig = field(default_factory=DepositWeightsConfig)


@dataclass(frozen=True)
class SignaturesConfig:
    preparer: str = ""  # 制表人
    reviewer: str = ""  # 复核人
    approver: str = ""  # 负责人


@dataclass(frozen=True)
class EngineConfig:
    # 0: load the whole ledger in one process.  Else the largest memory (GiB) one part may
    # take: the ledger is split into as many parts as that needs (docs/scale.md).
    memory_gb: float = 0.0
    cluster: str = ""  # a Dask scheduler address, or local:N; "" computes parts in-process


@dataclass(frozen=True)
class AnalysisConfig:
    notes_dir: str = ""  # folder of the clerk's notes, {report}_{period}.md (analysis.md)


@dataclass(frozen=True)
class ScopeConfig:
    """One ``[[scopes]]`` entry: a branch's or manager's pack and who gets it (scopes.md)."""

    id: str = field(default="", metadata=REQUIRED)  # ASCII: part of the file names
    branches: tuple[str, ...] = ()  # branch ids or names
    managers: tuple[str, ...] = ()  # account manager ids or names
    title: str = ""  # default: the branch's or manager's name
    recipients: RecipientsConfig = field(default_factory=RecipientsConfig)


@dataclass(frozen=True)
class BurstConfig:
    """``[burst]``: one scope per branch and/or manager of the ledger, without listing each."""

    by: tuple[str, ...] = ()  # "branch", "manager"
    recipients: str = ""  # CSV with columns scope, report, email ("" = archive only)


@dataclass(frozen=True)
class Config:
    bank: BankConfig = field(default_factory=BankConfig)
    ledger: LedgerConfig = field(default_factory=LedgerConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    email: EmailConfig = field(default_factory=EmailConfig)
    thresholds: ThresholdsConfig = field(default_factory=ThresholdsConfig)
    signatures: SignaturesConfig = field(default_factory=SignaturesConfig)
    deposits: DepositsConfig = field(default_factory=DepositsConfig)
    engine: EngineConfig = field(default_factory=EngineConfig)
    analysis: AnalysisConfig = field(default_factory=AnalysisConfig)
    scopes: tuple[ScopeConfig, ...] = ()  # [[scopes]]
    burst: BurstConfig = field(default_factory=BurstConfig)
    source: str = ""  # the file it was read from ("" for defaults)
    tables: tuple[str, ...] = ()  # the top-level tables the file wrote, e.g. ("bank", "email")


def load_config(path: Path | None) -> Config:
    """Read ``path`` (or ``./reportgen.toml`` when present, else defaults)."""
    if path is None:
        if not DEFAULT_CONFIG.exists():
            return Config()
        path = DEFAULT_CONFIG
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"configuration file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"configuration file {path} is a folder, not a file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {' '.join(str(exc).split())}") from None
    except OSError as exc:  # unreadable: permissions, a FIFO, a broken disk
        raise ConfigError(f"configuration file {path} cannot be read: "
                          f"{exc.strerror or exc}") from None
    for reserved in ("source", "tables"):
        if reserved in data:
            raise ConfigError(f"{path}: unknown configuration key {reserved!r}")
    from reportgen.config_check import check  # here: the rules read this module's names

    try:
        tables = tuple(k for k, v in data.items() if isinstance(v, dict))
        config = build(Config, {**data, "source": str(path), "tables": list(tables)}, "")
        check(config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return config
