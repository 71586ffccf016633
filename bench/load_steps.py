"""Where one ``generate --format json`` spends its time: wall and CPU seconds per step.

Usage: ``python bench/load_steps.py LEDGER [--report monthly] [--period 2025-12]``
(run heavy ledgers under the shared lock: ``flock /tmp/bench.lock python bench/…``).

Prints the imports, each loading step (the ``-vv`` log: reading, parsing, joining, the
engine, validating), the warm-up and each section of the report, and the JSON writer, each
as ``wall / CPU`` seconds.  CPU counts every thread of the process, so a step whose CPU is
about its wall time leaves the second core idle: that is where work can move beside it
(docs/performance.md, "The load on both cores").
"""

from __future__ import annotations

import os
import time

os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")  # as the reportgen command
STARTED, STARTED_CPU = time.perf_counter(), time.process_time()

import argparse  # noqa: E402
import functools  # noqa: E402
import logging  # noqa: E402
import tempfile  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from reportgen import api  # noqa: E402
from reportgen.config import Config  # noqa: E402
from reportgen.metrics import build as sections  # noqa: E402

IMPORTED, IMPORTED_CPU = time.perf_counter(), time.process_time()
PARTS = ("warm", "data_warnings", "summary", "quality", "overdue", "maturity", "watchlist",
         "concentration", "provision", "structure", "with_opening", "inclusive",
         "account_managers", "indicators", "migration", "trend", "deposits", "changes",
         "loan_book")


def line(name: str, wall: float, cpu: float) -> None:
    print(f"{name:<36} {wall:6.2f} / {cpu:5.2f}", flush=True)


def timed(name: str, part: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(part)
    def run(*args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = part(*args, **kwargs)
        line(f"  {name}", time.perf_counter() - wall, time.process_time() - cpu)
        return out
    return run


class Printer(logging.Handler):
    """The loader's ``-vv`` step lines, as they come."""

    def emit(self, record: logging.LogRecord) -> None:
        print(f"  {record.getMessage()}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--report", default="monthly")
    parser.add_argument("--period", default="2025-12")
    args = parser.parse_args()
    line("imports", IMPORTED - STARTED, IMPORTED_CPU - STARTED_CPU)
    progress = logging.getLogger("reportgen.progress")
    progress.setLevel(logging.DEBUG)
    progress.addHandler(Printer())
    for name in PARTS:
        if hasattr(sections, name):
            setattr(sections, name, timed(name, getattr(sections, name)))
    config = Config()
    wall, cpu = time.perf_counter(), time.process_time()
    session = api.open_ledger(args.ledger)
    line("load (the steps above)", time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    report = api.build(session, args.report, args.period, config, formats=["json"])
    line("report (the parts above)", time.perf_counter() - wall, time.process_time() - cpu)
    wall, cpu = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as out:
        api.write(report, ["json"], Path(out), api.render_options(config))
    line("json", time.perf_counter() - wall, time.process_time() - cpu)
    line("total", time.perf_counter() - STARTED, time.process_time() - STARTED_CPU)


if __name__ == "__main__":
    main()
