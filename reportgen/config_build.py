"""A TOML table → a config dataclass, key by key: the generic loader behind load_config.

The dataclasses of config.py *are* the schema, so this module knows no key: it walks a
dataclass's fields and type hints, refuses an unknown key or a missing required one,
coerces each value to its field's type (a nested table, an array of tables, a list of
strings, a date, a number) and refuses control characters in every string, naming the
key each time.  Kept apart from the schema and from the rules (config_check.py) a type
cannot say.
"""

from __future__ import annotations

import dataclasses
import types
import typing
import unicodedata
from datetime import date, datetime
from typing import Any

from reportgen.errors import ConfigError

# Unicode categories no configuration string may hold: controls (CR/LF/NUL/TAB …), format
# characters (bidi overrides, zero-width), line and paragraph separators.  Every string of
# the file reaches a mail header, a file name, a log line or a report title somewhere.
FORBIDDEN_CATEGORIES = ("Cc", "Cf", "Zl", "Zp")


def check_text(key: str, value: str) -> None:
    """No configuration string may hold a control character (see FORBIDDEN_CATEGORIES)."""
    for position, char in enumerate(value, 1):
        if unicodedata.category(char) in FORBIDDEN_CATEGORIES:
            raise ConfigError(
                f"{key} has a control character (U+{ord(char):04X}) at character {position} "
                f"of {value!r}; write it on one line without control characters"
            )


def build(cls: type[Any], data: dict[str, Any], prefix: str) -> Any:
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
        return build(typing.cast(type[Any], hint), value, key + ".")
    origin = typing.get_origin(hint)
    item = typing.get_args(hint)[0] if origin is tuple else None
    if dataclasses.is_dataclass(item):  # an array of tables: [[scopes]]
        if not isinstance(value, list):
            raise ConfigError(f"{key} must be an array of tables like [[{key}]]")
        return tuple(build(typing.cast(type[Any], item), entry, f"{key}[{n}].")
                     for n, entry in enumerate(value, 1))
    if origin is tuple:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"configuration key {key} must be a list of strings, "
                              f"like [\"a\", \"b\"], not {value!r}")
        for item in value:
            check_text(key, item)
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
        check_text(key, value)
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
