"""The command line of partitions: ``reportgen partition`` and the ``--partitions`` and
``--cluster`` options generate and run share (kept out of cli.py, which stays a list of
commands)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from reportgen.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])


def parts_options(func: F) -> F:
    """``--partitions N`` and ``--cluster ADDRESS`` on a command that opens a ledger."""
    func = click.option(
        "--cluster", default=None, metavar="ADDRESS",
        help="Compute the parts on a Dask cluster: a scheduler's address "
             "(tcp://10.0.0.5:8786) or local:N to start N worker processes here "
             "(default: engine.cluster, else in this process), e.g. --cluster local:2.")(func)
    return click.option(
        "--partitions", type=click.IntRange(1, 100_000), default=None,
        help="Split the ledger by customer into N parts computed in turn (bounded memory; "
             "same figures); default: as many as engine.memory_gb needs, else 1, "
             "e.g. --partitions 8.")(func)


def partition_command(guard: Callable[[F], F]) -> click.Command:
    """``reportgen partition``, wrapped in cli.py's error guard (passed in: cli.py imports
    this module)."""

    @click.option("--ledger", "ledger_path", required=True,
                  type=click.Path(exists=True, file_okay=False, path_type=Path),
                  help="Ledger folder of CSV/Parquet files, e.g. --ledger /srv/ledger/latest.")
    @click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
                  help="Folder to write part-000, part-001, … into (replaced whole), "
                       "e.g. --out /shared/ledger-parts.")
    @click.option("--parts", type=click.IntRange(1, 100_000), required=True,
                  help="Number of parts, e.g. --parts 8.")
    def partition(ledger_path: Path, out: Path, parts: int) -> None:
        """Split a big ledger by customer into Parquet parts (bounded memory).

        \b
        Example:
          reportgen partition --ledger /srv/ledger/latest --out /shared/parts --parts 8
          reportgen generate --ledger /shared/parts --report monthly --period 2026-10
        """
        from reportgen.parts.split import partition_ledger

        if out.resolve() == ledger_path.resolve() or ledger_path.resolve() in out.resolve().parents:
            raise UsageError("--out must be outside the ledger folder")
        partition_ledger(ledger_path, out, parts)
        click.echo(f"{out}: {parts} part(s)")

    return click.command("partition")(guard(partition))  # type: ignore[arg-type]
