"""What every command of the command line shares: the error guard and the common options.

``guard`` is the one place that maps errors to exit statuses (interface.md): a user's
mistake prints its message and exits 2/3/4 without a traceback; anything unexpected
prints one line and exits 1 (the traceback only with ``--debug``).  The options and checks
here (``--as-of``, ``--mapping``, the ledger and output folder checks, warnings on stderr)
are used by several command modules (cli.py, cli_schedule.py), so they live apart from
any one command.
"""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from reportgen.cli_usage import day_option
from reportgen.errors import ConfigError, ReportgenError, UsageError
from reportgen.periods import MAX_YEAR, MIN_YEAR
from reportgen.preflight import folder_problem, ledger_problem

if TYPE_CHECKING:
    from reportgen.config import Config
    from reportgen.ledger.mapping import Mapping

F = TypeVar("F", bound=Callable[..., Any])


def guard(func: F) -> F:
    """Run a command, turning errors into the spec's exit statuses."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except ReportgenError as exc:
            click.echo(f"reportgen: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # a bug, not the user's mistake
            if debug:
                traceback.print_exc()
            what = " ".join(str(exc).split())  # one line, as README promises
            click.echo(
                f"reportgen: unexpected error: {type(exc).__name__}: {what} "
                "(run again with --debug for the traceback, and please report it)",
                err=True,
            )
            ctx.exit(1)

    return wrapper  # type: ignore[return-value]


RUN_DAYS = day_option(date(MIN_YEAR + 1, 1, 1), date(MAX_YEAR, 12, 31),
                      "reports of periods from 1900 to 2999")
LEDGER_DAYS = day_option(date(1900, 1, 1), date(2199, 12, 31), "a ledger's dates")
parse_day = LEDGER_DAYS  # the callback's earlier name, for options a ledger date is given to


def _quiet() -> bool:
    return bool(click.get_current_context().find_root().params.get("quiet"))


def warn(text: str, *, kind: str = "warning") -> None:
    """One warning (or note) line on stderr, unless ``-q`` (errors only) was given."""
    if not _quiet():
        click.echo(f"{kind}: {text}", err=True)


def check_folder(path: Path, option: str | None) -> None:
    """Stop before any work when no file can be written into ``path``."""
    problem = folder_problem(path)
    if problem is None:
        return
    if option is None:
        raise ConfigError(f"output.dir = {str(path)!r}: {problem}")
    raise UsageError(f"{option} {path}: {problem}")


def check_ledger(path: Path) -> None:
    problem = ledger_problem(path)
    if problem is not None:
        raise UsageError(f"--ledger {path}: {problem}")


def mapped_ledger(path: Path, mapping_path: Path | None, config_mapping: str = ""
                   ) -> tuple[Path, Mapping | None]:
    """The mapping (``--mapping``, else ``[ledger] mapping``) and the ledger path, a glob
    resolved to its newest dated match (mapping.md)."""
    from reportgen.ledger.mapped import resolve_ledger
    from reportgen.ledger.mapping import load_mapping

    chosen = mapping_path or (Path(config_mapping) if config_mapping else None)
    mapping = load_mapping(chosen) if chosen is not None else None
    path = resolve_ledger(path, mapping.date_from_name if mapping else None)
    check_ledger(path)
    return path, mapping


def ledger_exists(_ctx: click.Context, _param: click.Parameter, value: Path | None
                   ) -> Path | None:
    """click's own "does not exist" for a plain path; a glob is resolved later."""
    if value is not None and not any(c in str(value) for c in "*?[") and not value.exists():
        raise click.BadParameter(f"Path {str(value)!r} does not exist.")
    return value


MAPPING_HELP = ("Mapping file for a core system's export (headers, title and footer rows, "
                "code values; see docs/mapping.md), e.g. --mapping core.toml.")


def mapping_option(func: F) -> F:
    return click.option("--mapping", "mapping_path", default=None,
                        type=click.Path(dir_okay=False, path_type=Path),
                        help=MAPPING_HELP)(func)


def bank_notice(config: Config) -> None:
    """Say once that the reports will carry no bank name (the default is blank).

    A "note", not a "warning": the data-quality warnings of a ledger keep their meaning
    (a clean ledger prints no warning), and a script can tell the two apart.
    """
    if config.bank.name:
        return
    if not config.source:
        warn("no reportgen.toml: the bank's name is blank; set [bank] name "
              "(see reportgen.example.toml)", kind="note")
    elif "bank" not in config.tables:
        warn(f"{config.source} has no [bank] table: the bank's name is blank; "
              "set [bank] name", kind="note")


AS_OF_HELP = ("The ledger's data date: the export is complete up to this day (default: "
              "[ledger] as_of, else its latest transaction or classification date); a row "
              "dated after it is an error, e.g. --as-of 2026-10-31.")


def as_of_option(func: F) -> F:
    return click.option("--as-of", "as_of", callback=parse_day, default=None,
                        metavar="YYYY-MM-DD", help=AS_OF_HELP)(func)


def print_warnings(warnings: list[str], total: int, *, limit: int = 100) -> None:
    """Print up to ``limit`` data-quality warnings and how many more there are.

    ``validate`` shows all it keeps (100); a report shows 10 — the rest are on the Excel
    data-quality sheet, and a clerk's terminal should not scroll past the file names.
    """
    for text in warnings[:limit]:
        warn(text)
    if total > min(limit, len(warnings)):
        warn(f"… and {total - min(limit, len(warnings))} more warning(s)")
