"""Bursting 50 branches against one whole-bank monthly report, JSON only, one load.

Usage: ``python bench/burst.py LEDGER [--period 2025-12] [--branches 50]``.  Loads the
ledger once, then times (1) the whole bank's monthly report, built and written as JSON,
and (2) the monthly reports of the ``--branches`` largest branches (by loan count), each
built on the scope's masks over the engine's shared per-day arrays and written as JSON.
Prints the load time, both times, the ratio burst / whole, and the ratio of a month-end
``run`` with the burst (load + whole + branches) to one without (load + whole): the
target (issue 11) is at most 2× at 1,000,000 loans.

``--pdf``: then renders the same branches' monthly PDFs (built once, kept) through
render/pool.py with 1 process and with 2, interleaved ``--repeat`` times, and prints the
medians and the speed-up (issue 11: "rendering the 50 branches' PDFs uses both cores").
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from reportgen import api
from reportgen.config import Config
from reportgen.render.base import RenderOptions
from reportgen.render.pool import Renders
from reportgen.scope import BRANCH, burst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ledger", type=Path)
    parser.add_argument("--period", default="2025-12")
    parser.add_argument("--branches", type=int, default=50)
    parser.add_argument("--pdf", action="store_true", help="also time the branch PDFs "
                        "rendered in 1 and in 2 processes")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    session = api.open_ledger(args.ledger)
    load = time.perf_counter() - started
    config, options = Config(), RenderOptions(lang="zh", unit="wan")
    scopes = burst(session.ledger, BRANCH)
    sizes = np.array([int(s.loans.sum()) if s.loans is not None else 0 for s in scopes])
    chosen = [scopes[i] for i in np.argsort(-sizes, kind="stable")[:args.branches]]
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        whole = api.build(session, "monthly", args.period, config, formats=["json"])
        api.write(whole, ["json"], Path(tmp), options)
        one = time.perf_counter() - started
        started = time.perf_counter()
        for selection in chosen:
            report = api.build(session, "monthly", args.period, config, formats=["json"],
                               selection=selection)
            api.write(report, ["json"], Path(tmp), options)
        many = time.perf_counter() - started
    print(f"loans {session.ledger.n_loans:,}; branches {len(scopes)}, burst {len(chosen)}")
    print(f"load {load:.2f} s; whole-bank monthly {one:.2f} s; "
          f"{len(chosen)} branches {many:.2f} s ({many / max(len(chosen), 1) * 1000:.0f} ms "
          "each)")
    print(f"burst / whole report: {many / one:.2f}×; run with burst / run without: "
          f"{(load + one + many) / (load + one):.2f}×")
    if args.pdf:
        pdfs(session, chosen, args.period, config, options, args.repeat)


def pdfs(session: api.Session, chosen: list[Any], period: str, config: Config,
         options: RenderOptions, repeat: int) -> None:
    """The branches' PDFs in 1 and in 2 render processes, interleaved (A B A B …)."""
    reports = [api.build(session, "monthly", period, config, formats=["pdf"],
                         selection=selection) for selection in chosen]
    times: dict[int, list[float]] = {1: [], 2: []}
    pids: dict[int, set[int]] = {1: set(), 2: set()}
    for _ in range(repeat):
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                with Renders(workers) as renders:
                    done = []
                    for n, report in enumerate(reports):
                        done += renders.submit(n, report, ["pdf"], Path(tmp), options)
                    done += renders.finish()
                times[workers].append(time.perf_counter() - started)
                pids[workers] |= {d.pid for d in done}
    one, two = (statistics.median(times[w]) for w in (1, 2))
    print(f"{len(reports)} branch PDFs: 1 process {one:.1f} s, 2 processes {two:.1f} s "
          f"({len(pids[2])} worker pids); speed-up {one / two:.2f}× "
          f"(median of {repeat}, interleaved; pool start-up included)")


if __name__ == "__main__":
    main()
