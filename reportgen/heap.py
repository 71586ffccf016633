"""The allocator the command line gives Arrow: jemalloc, which hands freed memory back.

A million-loan report allocates and frees a great deal of Arrow memory while loading (CSV
blocks, the hash join's tables, ten million ids that are dropped after the join) and then
as much again in numpy for the engine.  Arrow's default pool on Linux, mimalloc, kept much
of the freed memory, so the engine's arrays stacked on top of it: peak RSS 2.2–2.4 GB for
a monthly report.  With jemalloc, and the pool's unused pages released after the load
(``ledger/load.py``), the peak was 1.5–1.7 GB over a dozen runs, at the same speed.

Only an environment variable reaches Arrow's C++ internals (the CSV reader, the join):
``pa.set_memory_pool`` changes only the pool pyarrow passes explicitly and measured no
gain.  So the ``reportgen`` console script (``launch.py``) calls this before anything
imports pyarrow; a value the user set wins.  A program that imports reportgen as a library
keeps its own settings.

Also tried and left out: a glibc top pad (``M_TOP_PAD`` 1 GiB).  With mimalloc it cut a run
from 14 s to 10.5 s; with jemalloc it made no measurable difference in time (medians 7.6 s
and 7.1 s over four alternating runs) but raised and scattered the peak (1.60–1.97 GB).
"""

from __future__ import annotations

import os
import sys

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def tune_allocators() -> None:
    """Choose jemalloc for Arrow unless the user chose; call before importing pyarrow.

    Only on Linux, where pyarrow's wheels include jemalloc (those for macOS and Windows do
    not, and Arrow would print a warning and keep its default).
    """
    if sys.platform.startswith("linux"):
        os.environ.setdefault(POOL_VARIABLE, "jemalloc")
