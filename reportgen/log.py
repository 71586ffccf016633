"""Logging set-up for the CLI.  Library code never prints; it logs to ``reportgen.*``.

Levels: ERROR — a report could not be made or delivered; WARNING — data-quality warnings
and retried deliveries; INFO — what a run made and sent (the cron log); DEBUG — timings.
"""

from __future__ import annotations

import logging
from pathlib import Path


def setup_logging(*, verbose: int = 0, quiet: bool = False, log_file: Path | None = None) -> None:
    levels = (logging.WARNING, logging.INFO, logging.DEBUG)
    level = logging.ERROR if quiet else levels[min(verbose, 2)]
    root = logging.getLogger("reportgen")
    root.handlers.clear()
    root.setLevel(min(level, logging.INFO) if log_file else level)
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    console = logging.StreamHandler()
    console.setLevel(level)
    console.setFormatter(fmt)
    root.addHandler(console)
    if log_file is not None:
        handler = logging.FileHandler(log_file, encoding="utf-8")
        handler.setLevel(logging.INFO)
        handler.setFormatter(fmt)
        root.addHandler(handler)
    root.propagate = False
