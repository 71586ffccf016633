"""The rules of reportgen.toml a type cannot say: allowed values, ranges, addresses.

``load_config`` calls ``check`` on the config it built, so that a value which would only
fail later (a NaN threshold in a comparison, a line break in a mail header after the
report was made) stops the command before any work, naming the key.  Kept apart from the
schema (config.py) and the generic loader (config_build.py); ``check_address`` also
checks the addresses of a burst's recipients file (burst.py).
"""

from __future__ import annotations

import dataclasses
import math
import re
import ssl
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reportgen.config import FORMATS, REPORTS, SCHEDULABLE
from reportgen.errors import ConfigError

if TYPE_CHECKING:
    from reportgen.config import BankConfig, Config, EmailConfig

NAME_MAX = 100  # characters of a name shown in titles, headers and subjects
SHARE_MAX = {"coverage_ratio_min": 100.0, "over_90_to_npl_max": 100.0}  # others are 0–1
SHARE_MAX["loan_to_deposit_max"] = 100.0  # 存贷比 may exceed 1
# An address as smtplib can send it without SMTPUTF8: ASCII local part and host name.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
ADDRESS = re.compile(rf"{_LOCAL}@{_HOST}")
HOST = re.compile(rf"{_HOST}|[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*")  # a name, IPv4 or IPv6


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
                check_address(f"{key}.recipients.{report}", address, bare=True)
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
    check_address("email.sender", email.sender)
    for report in SCHEDULABLE:
        key = f"email.recipients.{report}"
        addresses = email.recipients.for_report(report)
        for address in addresses:
            check_address(key, address, bare=True)
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


def check_address(key: str, value: str, *, bare: bool = False) -> None:
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
