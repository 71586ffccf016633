"""``reportgen.toml`` read with tomllib into one typed, frozen config object.

An unknown key, a wrong type or a missing required value is a ``ConfigError`` that names
the key (exit 2).  The dataclasses below *are* the schema: each field's type and default
say what the file may hold, so the loader is generic and cannot drift from them.  A field
marked ``required`` must be written whenever its table is (an ``[email]`` table without a
``host`` is a mistake, not a wish for ``localhost``).  The SMTP password is never in the
file: ``email.password_env`` names the environment variable that holds it.

Relative paths (ledger, output folder, CA file, templates) are relative to the working
directory, as in the crontab line ``cd /srv/reports && reportgen run``.
"""

from __future__ import annotations

import dataclasses
import math
import re
import ssl
import tomllib
import types
import typing
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportgen.errors import ConfigError

DEFAULT_CONFIG = Path("reportgen.toml")
REPORTS = ("dekad", "monthly", "quarterly", "yearly")  # the default schedule.reports
# What `run` can make (assessment.md): custom windows are made only by hand.
SCHEDULABLE = ("dekad", "weekly", "monthly", "quarterly", "halfyear", "yearly")
FORMATS = ("xlsx", "pdf", "json", "html", "docx")
REQUIRED: dict[str, bool] = {"required": True}
# Unicode categories no configuration string may hold: controls (CR/LF/NUL/TAB …), format
# characters (bidi overrides, zero-width), line and paragraph separators.  Every string of
# the file reaches a mail header, a file name, a log line or a report title somewhere.
FORBIDDEN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")
NAME_MAX = 100  # characters of a name shown in titles, headers and subjects
SHARE_MAX = {"coverage_ratio_min": 100.0, "over_90_to_npl_max": 100.0}  # others are 0–1
SHARE_MAX["loan_to_deposit_max"] = 100.0  # 存贷比 may exceed 1
# An address as smtplib can send it without SMTPUTF8: ASCII local part and host name.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
ADDRESS = re.compile(rf"{_LOCAL}@{_HOST}")
HOST = re.compile(rf"{_HOST}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")  # a name, IPv4 or IPv6


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
    try:
        tables = tuple(k for k, v in data.items() if isinstance(v, dict))
        config = _build(Config, {**data, "source": str(path), "tables": list(tables)}, "")
        check(config)
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return config


def check(config: Config) -> None:
    """The rules a type cannot say: allowed values, ranges, addresses, consistency.

    Every key has a domain checked here, at load, so that a value which would only fail
    later (a NaN threshold in a comparison, a line break in a mail header after the report
    was made) stops the command before any work, naming the key.  Control characters in
    strings are refused for every key by ``_coerce``.
    """
    choices = {
        "bank.unit": (config.bank.unit, ("yuan", "wan", "yi")),
        "output.lang": (config.output.lang, ("zh", "en")),
        "email.security": (config.email.security, ("starttls", "ssl", "none")),
    }
    for key, (value, allowed) in choices.items():
        if value not in allowed:
            raise ConfigError(f"{key} = {value!r}; expected one of {', '.join(allowed)}")
    _check_bank(config.bank)
    _check_path("ledger.path", config.ledger.path)
    _check_path("output.dir", config.output.dir)
    if config.output.templates:
        _check_path("output.templates", config.output.templates)
        if not Path(config.output.templates).is_dir():
            raise ConfigError(f"output.templates = {config.output.templates!r}: no such folder")
    if "custom" in config.schedule.reports:
        raise ConfigError("schedule.reports lists 'custom', but a custom period has no "
                          "calendar for `run` to follow: make it by hand with reportgen "
                          "generate --report custom --period 2026-10-05..2026-10-18, and "
                          "remove it from schedule.reports")
    _check_list("schedule.reports", config.schedule.reports, SCHEDULABLE)
    _check_list("output.formats", config.output.formats, FORMATS)
    _check_list("email.attach", config.email.attach, FORMATS)
    if not config.output.formats:
        raise ConfigError("output.formats is empty; list at least one of " + ", ".join(FORMATS))
    _check_range("output.pdf_max_rows", config.output.pdf_max_rows, 1, 100_000)
    _check_range("schedule.lock_wait", config.schedule.lock_wait, 0, 3600)
    for f in dataclasses.fields(config.thresholds):
        if getattr(config.thresholds, f.name) is None:  # optional, not set
            continue
        _check_range(f"thresholds.{f.name}", getattr(config.thresholds, f.name), 0,
                     SHARE_MAX.get(f.name, 1.0))
    for f in dataclasses.fields(config.deposits.weights):
        _check_range(f"deposits.weights.{f.name}", getattr(config.deposits.weights, f.name),
                     0, 100.0)
    for f in dataclasses.fields(config.signatures):
        _check_name(f"signatures.{f.name}", getattr(config.signatures, f.name))
    _check_email(config.email, config.output.formats)
    _check_scopes(config)
    _check_range("engine.memory_gb", config.engine.memory_gb, 0, 1_000_000)


SCOPE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _check_scopes(config: Config) -> None:
    """[[scopes]] and [burst]: ids usable in file names, each scope naming something."""
    seen: set[str] = set()
    for n, scope in enumerate(config.scopes, 1):
        key = f"scopes[{n}]"
        if not SCOPE_ID.fullmatch(scope.id) or scope.id == "all":
            raise ConfigError(f"{key}.id = {scope.id!r}; expected 1 to 64 ASCII letters, "
                              "digits, - or _ (it is part of the file names), not \"all\"")
        if scope.id in seen:
            raise ConfigError(f"{key}.id = {scope.id!r} is used by another scope")
        seen.add(scope.id)
        if not scope.branches and not scope.managers:
            raise ConfigError(f"{key} (id {scope.id!r}) names no branch or manager; "
                              "write branches = [\"…\"] or managers = [\"…\"]")
        _check_name(f"{key}.title", scope.title)
        for report in REPORTS:
            addresses = scope.recipients.for_report(report)
            for address in addresses:
                _check_address(f"{key}.recipients.{report}", address, bare=True)
    _check_list("burst.by", config.burst.by, ("branch", "manager"))
    if config.burst.recipients:
        if not config.burst.by:
            raise ConfigError("burst.recipients is set but burst.by is empty; write "
                              "by = [\"branch\"], [\"manager\"] or both")
        if not Path(config.burst.recipients).is_file():
            raise ConfigError(f"burst.recipients = {config.burst.recipients!r}: no such file")


def _check_bank(bank: BankConfig) -> None:
    _check_name("bank.name", bank.name)
    _check_name("bank.branch", bank.branch)
    if not re.fullmatch(r"[A-Z]{3}", bank.currency):
        raise ConfigError(f"bank.currency = {bank.currency!r}; expected a three-letter ISO "
                          "4217 code such as \"CNY\"")
    try:
        ZoneInfo(bank.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"bank.timezone = {bank.timezone!r} is not a time zone; "
            "write an IANA name such as \"Asia/Shanghai\""
        ) from None


def _check_name(key: str, value: str) -> None:
    """A name shown in titles, page headers and mail subjects: one line, not too long."""
    if value != value.strip():
        raise ConfigError(f"{key} = {value!r} starts or ends with a space; remove it")
    if len(value) > NAME_MAX:
        raise ConfigError(f"{key} is {len(value)} characters long; at most {NAME_MAX} fit "
                          "a title or a mail subject")


def _check_path(key: str, value: str) -> None:
    if not value.strip():
        raise ConfigError(f"{key} is empty; write a path")


def _check_email(email: EmailConfig, formats: tuple[str, ...]) -> None:
    _check_range("email.port", email.port, 1, 65535)
    _check_range("email.max_bytes", email.max_bytes, 1, 2**31)
    _check_range("email.retries", email.retries, 0, 10)
    _check_range("email.retry_delay", email.retry_delay, 0, 600)
    _check_range("email.timeout", email.timeout, 1, 600)
    _check_relay(email)
    _check_address("email.sender", email.sender)
    for report in SCHEDULABLE:
        key = f"email.recipients.{report}"
        addresses = email.recipients.for_report(report)
        for address in addresses:
            _check_address(key, address, bare=True)
        seen = {a.lower() for a in addresses}
        if len(seen) != len(addresses):
            raise ConfigError(f"{key} lists an address twice")
    if email.enabled:
        for name in email.attach:
            if name not in formats:
                raise ConfigError(
                    f"email.attach has {name!r} but output.formats ({', '.join(formats)}) "
                    "does not make it; add it to output.formats or remove it from email.attach"
                )


def _check_relay(email: EmailConfig) -> None:
    """Host, login and CA file: what the connection to the relay needs."""
    if not email.host.strip():
        raise ConfigError("email.host is empty; write the SMTP relay's host name")
    if not HOST.fullmatch(email.host):
        raise ConfigError(f"email.host = {email.host!r} is not a host name or IP address; "
                          "write e.g. \"smtp.bank.example\"")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", email.password_env):
        raise ConfigError(
            f"email.password_env = {email.password_env!r} must be the NAME of an environment "
            "variable (e.g. \"REPORTGEN_SMTP_PASSWORD\"), never the password itself"
        )
    if email.username and email.security == "none":
        raise ConfigError(
            "email.username is set but email.security = \"none\" would send the password "
            "unencrypted; use \"starttls\" or \"ssl\""
        )
    if email.username != email.username.strip() or " " in email.username:
        raise ConfigError(f"email.username = {email.username!r} has a space; remove it")
    if email.ca_file and not Path(email.ca_file).is_file():
        raise ConfigError(f"email.ca_file = {email.ca_file!r}: no such file")
    if email.ca_file:
        try:  # else every run fails at the first mail, after making the reports
            ssl.create_default_context(cafile=email.ca_file)
        except (ssl.SSLError, OSError, ValueError) as exc:
            raise ConfigError(f"email.ca_file = {email.ca_file!r} is not a PEM file of CA "
                              f"certificates ({' '.join(str(exc).split())})") from None


def _check_address(key: str, value: str, *, bare: bool = False) -> None:
    """One address, ``a@b.example``; the sender may carry a display name, ``名称 <a@b>``.

    Strict on purpose: whatever passes here goes into a To/From header and an SMTP
    envelope, where a comma, a second address or a quote in a name changes who gets the
    mail or makes the server refuse it after the report was made.
    """
    text = value.strip()
    address, name = text, ""
    if not bare and (m := re.fullmatch(r"([^<>]*?)\s*<([^<>]*)>", text)):
        name, address = m.group(1), m.group(2)
    ok = bool(ADDRESS.fullmatch(address)) and len(address) <= 254 and text == value
    if re.search(r'[,;:@"()\[\]\\<>]', name):
        ok = False
    if not ok:
        want = "an address like credit-team@bank.example" if bare else (
            "an address like reports@bank.example or \"信贷报表 <reports@bank.example>\" "
            "(no comma, quote or @ in the name)"
        )
        raise ConfigError(f"{key} has {value!r}; expected {want}")


def _check_list(key: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> None:
    for value in values:
        if value not in allowed:
            raise ConfigError(f"{key} has unknown value {value!r}; expected among "
                              + ", ".join(allowed))
    if len(set(values)) != len(values):
        raise ConfigError(f"{key} lists a value twice")


def _check_range(key: str, value: float, low: float, high: float) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{key} = {value!r} is not a finite number; expected {low} to {high}")
    if not low <= value <= high:
        raise ConfigError(f"{key} = {value!r} is out of range; expected {low} to {high}")


def _check_text(key: str, value: str) -> None:
    """No configuration string may hold a control character (see FORBIDDEN_CATEGORIES)."""
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise ConfigError(
                f"{key} has a control character (U+{ord(char):04X}) at character {position} "
                f"of {value!r}; write it on one line without control characters"
            )


def _build(cls: type[Any], data: dict[str, Any], prefix: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix.rstrip('.')} must be a table like [{prefix.rstrip('.')}]")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in data:
        if key not in fields:
            hint = ""
            if f"{prefix}{key}" == "email.password":
                hint = ("; the password is never written in the file: put it in the "
                        "environment variable that email.password_env names")
            raise ConfigError(
                f"unknown configuration key {prefix}{key}{hint}; known keys here: "
                + ", ".join(sorted(k for k in fields if k not in ("source", "tables")))
            )
    switched_off = data.get("enabled") is False  # [email] enabled = false needs no host
    for name, f in fields.items():
        if f.metadata.get("required") and name not in data and not switched_off:
            raise ConfigError(f"missing required key {prefix}{name} in [{prefix.rstrip('.')}]")
    values = {}
    for name, value in data.items():
        values[name] = (None if _unset(hints[name], value)
                        else _coerce(hints[name], value, f"{prefix}{name}"))
    return cls(**values)


def _unset(hint: Any, value: Any) -> bool:
    """An optional number (``float | None``) written "" is not set, as "" is no date."""
    return hint == float | None and isinstance(value, str) and not value.strip()


def _coerce(hint: Any, value: Any, key: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return _build(typing.cast(type[Any], hint), value, key + ".")
    origin = typing.get_origin(hint)
    item = typing.get_args(hint)[0] if origin is tuple else None
    if dataclasses.is_dataclass(item):  # an array of tables: [[scopes]]
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be an array of tables like [[{key}]]")
        return tuple(_build(typing.cast(type[Any], item), entry, f"{key}[{n}].")
                     for n, entry in enumerate(value, 1))
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"configuration key {key} must be a list of strings, "
                              f"like [\"a\", \"b\"], not {value!r}")
        for item in value:
            _check_text(key, item)
        return tuple(value)
    if origin in (types.UnionType, typing.Union):
        hint = next(a for a in typing.get_args(hint) if a is not type(None))
    if hint is date:
        return _date(value, key)
    if isinstance(value, bool) and hint is not bool:
        raise ConfigError(f"configuration key {key} must be {hint.__name__}, not {value!r}")
    if hint is float and isinstance(value, int):
        return float(value)
    if not isinstance(value, hint):
        raise ConfigError(
            f"configuration key {key} must be {hint.__name__}, not {type(value).__name__} "
            f"({value!r})"
        )
    if isinstance(value, str):
        _check_text(key, value)
    return value


def _date(value: Any, key: str) -> date | None:
    """A TOML date (``as_of = 2026-10-31``) or its quoted text; "" is none (as for the
    other optional settings).  A time of day is refused: a data date is a whole day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and not value.strip():
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"configuration key {key} must be a date like 2026-10-31, "
                      f"not {value!r}")
