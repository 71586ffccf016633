"""A progress bar for long work on a terminal; silent when not a terminal (cron).

The work is a handful of vectorised steps (read, parse, index, validate, compute, render),
so the bar counts steps and names the current one, with elapsed time.  rich draws it on
stderr; when ``enabled`` is false nothing is drawn and only DEBUG timings are logged.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from typing import Any

log = logging.getLogger("reportgen.progress")


class Steps:
    """``with Steps(4, enabled) as steps: with steps.step("reading"): …``"""

    def __init__(self, total: int, *, enabled: bool, title: str = "reportgen") -> None:
        self.total = total
        self.enabled = enabled
        self.title = title
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Steps:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description:<28}"), BarColumn(),
                TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                console=Console(stderr=True), transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self.title, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        started, cpu = time.perf_counter(), time.process_time()
        if self._progress is not None:
            self._progress.update(self._task, description=name)
        yield
        if self._progress is not None:
            self._progress.advance(self._task)
        # CPU of every thread of the process: above the wall time when a step uses both
        # cores, about equal when it leaves one idle (what is worth moving beside it).
        log.debug("%s took %.2f s (CPU %.2f s)", name, time.perf_counter() - started,
                  time.process_time() - cpu)


QUIET = Steps(0, enabled=False)
