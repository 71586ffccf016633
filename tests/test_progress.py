"""reportgen/progress.py: ``-vv`` logs each loading step's wall and CPU seconds."""

from __future__ import annotations

import logging
import re
import threading
import time

import pytest

from reportgen.progress import Steps


def _spin(seconds: float) -> None:
    """Use ``seconds`` of this thread's CPU, however busy the machine is."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


@pytest.mark.parametrize(("threads", "busy"), [(0, 0.0), (0, 0.2), (1, 0.2)])
def test_a_step_logs_its_wall_and_cpu_seconds(caplog: pytest.LogCaptureFixture,
                                              threads: int, busy: float) -> None:
    """CPU counts every thread of the process: a step that waits costs none, one that
    computes costs what each of its threads used (a second thread's work counts too)."""
    caplog.set_level(logging.DEBUG, logger="reportgen.progress")
    with Steps(1, enabled=False).step("reading"):
        helpers = [threading.Thread(target=_spin, args=(busy,)) for _ in range(threads)]
        for helper in helpers:
            helper.start()
        if busy:
            _spin(busy)
        else:
            time.sleep(0.2)
        for helper in helpers:
            helper.join()
    (message,) = [r.getMessage() for r in caplog.records if r.name == "reportgen.progress"]
    found = re.fullmatch(r"reading took (\d+\.\d\d) s \(CPU (\d+\.\d\d) s\)", message)
    assert found is not None, message
    wall, cpu = float(found[1]), float(found[2])
    if not busy:
        assert wall >= 0.19
        assert cpu < 0.1
    else:
        assert cpu >= busy * (threads + 1) - 0.01
        assert wall >= busy - 0.01
