"""Seconds each renderer takes for one report, with the ledger already loaded and computed.

Usage: ``python bench/render_only.py LEDGER [--period 2025-12] [--repeat 3]``.  The whole
``generate`` command also loads the ledger (which grows with it); this isolates what the
format itself costs, e.g. to check that the PDF does not grow with the ledger.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from reportgen import api
from reportgen.config import Config
from reportgen.render.base import RenderOptions, render


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--period", default="2025-12")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    started = time.perf_counter()
    session = api.open_ledger(args.ledger)
    loaded = time.perf_counter()
    report = api.build(session, "monthly", args.period, Config())
    built = time.perf_counter()
    print(f"load+validate {loaded - started:.2f} s   build monthly {built - loaded:.2f} s")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("json", "html", "xlsx", "pdf"):
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                render(report, [fmt], Path(tmp), RenderOptions())
                times.append(time.perf_counter() - t0)
            print(f"render {fmt:<5} {statistics.median(times):7.2f} s (median of {args.repeat})")


if __name__ == "__main__":
    main()
