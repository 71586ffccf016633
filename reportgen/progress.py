"""A progress indicator for long steps on a terminal; silent when not a terminal (cron).

Uses rich's status spinner: loading and validating a big ledger happen in a few vectorised
steps whose length is unknown in advance, so a spinner with the step name and its elapsed
seconds says more than a percentage would.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

log = logging.getLogger("reportgen.progress")


@contextlib.contextmanager
def step(name: str, *, enabled: bool) -> Iterator[None]:
    """Show ``name`` with a spinner while the block runs (only when ``enabled``)."""
    started = time.perf_counter()
    if enabled:
        from rich.console import Console

        console = Console(stderr=True)
        with console.status(f"{name}…"):
            yield
        console.print(f"[green]✓[/green] {name} ({time.perf_counter() - started:.1f} s)")
    else:
        yield
    log.debug("%s took %.2f s", name, time.perf_counter() - started)
