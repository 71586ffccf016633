"""click, made to speak like the rest of reportgen: one line per mistake, exit 2.

click reports its own usage errors in three lines (usage, a hint, the error) and knows no
bounds for a date.  A cron log or a clerk's terminal should get one line that names the
option and the value, as for every other mistake; and a date whose neighbours overflow
(0001-01-01 − 1 day) must be refused while the command line is read, not found as an
OverflowError after the work has begun.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, NoReturn

import click


def day_option(low: date, high: date, why: str) -> Callable[..., date | None]:
    """A click callback parsing YYYY-MM-DD within ``[low, high]``.

    The bounds keep every date the command derives from the one given (T − 1, 400 days
    of catch-up back, the same day last year, a sample's history) inside what ``date``
    and the period ids can hold: 0001-01-01 or 9999-12-31 is a one-line usage error,
    never an OverflowError after the work has begun.
    """

    def parse(ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
        if value is None:
            return None
        name = param.opts[0] if param.opts else "date"
        try:
            day = date.fromisoformat(value) if value.isascii() else None
        except ValueError:
            day = None
        if day is None or len(value) != 10:
            fail(ctx, f"{name} {value!r} is not a date like 2026-11-01")
        elif not low <= day <= high:
            fail(ctx, f"{name} {value} is out of range: expected {low} to {high} ({why})")
        return day

    return parse


def fail(ctx: click.Context, message: str) -> NoReturn:
    """Stop with one line and exit 2 (click's own usage errors print several)."""
    click.echo(f"reportgen: {message}", err=True)
    ctx.exit(2)


class OneLineUsageError(click.ClickException):
    """click's own usage error, shown as one line (click prints usage, a hint and the error).

    A cron log or a clerk's terminal gets ``reportgen: Invalid value for '--out': …`` and
    where to look, like every other error of this program; the exit status stays 2.
    """

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"reportgen: {self.format_message()}", err=True, file=file)


class Group(click.Group):
    """The command group, turning click's usage errors into one line (OneLineUsageError)."""

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _one_line(exc) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _one_line(exc) from None


def _one_line(exc: click.UsageError) -> OneLineUsageError:
    text = " ".join(exc.format_message().split())
    where = f" (see: {exc.ctx.command_path if exc.ctx else 'reportgen'} --help)"
    return OneLineUsageError(text + where)
