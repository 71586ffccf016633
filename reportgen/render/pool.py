"""Render the independent reports of one run in parallel processes, on every core.

A month-end ``run`` renders several reports (dekad, monthly, quarterly, yearly; a burst run
one per scope), and each one's xlsx/PDF rendering is single-threaded Python: on a 2-core
machine half the machine sat idle.  ``Renders`` hands each report to a worker process:

* the workers come from a ``forkserver`` context (never a plain fork of a process holding
  a loaded million-loan ledger and open files): the fork server imports the renderers
  (WeasyPrint, openpyxl, xlsxwriter) once, and each worker forks from it ready to render;
* a report model is plain data (dataclasses, numpy arrays, lists, tuples): it pickles, and
  the worker calls the same ``render.base.render``, so one report's formats are still
  written all or nothing, in the worker;
* results come back in submission order (the runner records each report, oldest first,
  as before); at most ``workers + 1`` reports are built and waiting, so memory stays
  bounded;
* a failure in a worker is the same exception (the same message and exit status) as in
  process: the exceptions of errors.py pickle.  The reports before it are returned
  first; those still rendering are waited for and not returned, and the failure is raised;
* a run of fewer than 16 heavy renders stays in process (``workers_for``): starting the
  pool and warming each worker cost more than a few reports gain, and every worker holds
  its report beside the loaded ledger (docs/performance.md has the measurements).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from reportgen.model import Report
from reportgen.render.base import RenderOptions, render

HEAVY = frozenset({"xlsx", "pdf", "docx", "html"})  # formats worth a process
MIN_JOBS = 16  # fewer heavy renders than this stay in process (docs/performance.md)
MAX_WORKERS = 8
PRELOAD = ["reportgen.render.excel", "reportgen.render.json", "reportgen.render.pdf"]


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def workers_for(jobs: int, formats: list[str], loans: int) -> int:
    """How many processes render ``jobs`` reports in ``formats`` of a ``loans``-loan
    ledger: 1 (in process) for JSON alone, one report, or a few small ones.

    ``loans`` does not decide (measured at 100,000 loans: the year-end run's 4 reports
    in 2 processes were 10 % faster and took 50 % more memory, against the ≤ 2 GB goal);
    it stays for the caller's log.  ``REPORTGEN_RENDER_WORKERS=N`` in the environment
    sets it (1: always in process), for measuring and for a machine whose other jobs
    need the cores.
    """
    forced = os.environ.get("REPORTGEN_RENDER_WORKERS", "").strip()
    if forced.isdigit() and int(forced) > 0:
        return min(int(forced), max(jobs, 1), MAX_WORKERS)
    if jobs < 2 or not HEAVY & set(formats) or cores() < 2:
        return 1
    if jobs < MIN_JOBS:  # measured: a 4-report year-end run gained 10 % for +50 % memory
        return 1
    return min(cores(), jobs, MAX_WORKERS)


def _render(report: Report, formats: list[str], out_dir: Path,
            options: RenderOptions) -> tuple[list[Path], int]:
    """The worker's job: the same all-or-nothing render; returns the files and its pid."""
    return render(report, formats, out_dir, options), os.getpid()


@dataclass
class Rendered:
    """One finished report: the caller's tag, its files, and the process that wrote them."""

    tag: Any
    files: list[Path]
    pid: int


class Renders:
    """Render reports in ``workers`` processes (1: in this process, one after the other)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None
        self.pending: deque[tuple[Any, Future[tuple[list[Path], int]]]] = deque()
        if workers > 1:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            self.pool = ProcessPoolExecutor(workers, mp_context=context)

    def __enter__(self) -> Renders:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Wait for what is still rendering (no worker writes after the run) and stop."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def submit(self, tag: Any, report: Report, formats: list[str], out_dir: Path,
               options: RenderOptions) -> Iterator[Rendered]:
        """Render ``report``; yields the reports finished meanwhile, oldest first (in
        process: this one, at once; in the pool: when too many wait)."""
        future: Future[tuple[list[Path], int]] = Future()
        if self.pool is None:
            try:
                future.set_result(_render(report, formats, out_dir, options))
            except BaseException as exc:
                future.set_exception(exc)
        else:
            future = self.pool.submit(_render, report, formats, out_dir, options)
        self.pending.append((tag, future))
        while self.pending and (len(self.pending) > self.workers
                                or self.pending[0][1].done()):
            yield self._take()

    def finish(self) -> Iterator[Rendered]:
        """Every report still rendering, oldest first."""
        while self.pending:
            yield self._take()

    def _take(self) -> Rendered:
        tag, future = self.pending.popleft()
        try:
            files, pid = future.result()
        except BaseException:
            self.pending.clear()
            self.close()
            raise
        return Rendered(tag, files, pid)
