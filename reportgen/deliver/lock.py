"""One ``reportgen run`` at a time per output folder: an fcntl lock on ``{out}/.run.lock``.

Two runs working at once would both see a report as not yet made and both mail it.  The
lock is ``flock`` on an open file, so the kernel drops it when its process ends for any
reason (crash, ``kill -9``, reboot): a lock file left behind by a dead run blocks nobody,
and there is no stale-pid guessing.  The file holds the holder's pid and start time only
to make the second run's message useful.  A second run polls for ``wait`` seconds (a
nightly run that overlaps a slow one by a few seconds still works) and then raises
``LockedError`` (exit 5: "another run is busy", distinct from failures, see
docs/scheduling.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from reportgen.errors import LockedError

LOCK_NAME = ".run.lock"
POLL_SECONDS = 0.2


@contextlib.contextmanager
def run_lock(out_dir: Path, *, wait: float = 30.0) -> Iterator[Path]:
    """Hold the output folder's run lock for the ``with`` block, or raise ``LockedError``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockedError(
                        f"another reportgen run is working in {out_dir} ({_holder(path)}); "
                        f"waited {wait:g} s. This run did nothing and leaves the work to "
                        f"that one (if runs keep meeting this, check whether it is stuck)"
                    ) from None
                time.sleep(POLL_SECONDS)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()} since {datetime.now().isoformat(timespec='seconds')}\n"
                  .encode(), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except OSError:
        text = ""
    return text or "holder unknown"
