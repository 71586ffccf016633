"""Allocator settings for the command-line process: fewer page faults, lower peak RSS.

glibc's malloc is told to keep freed memory for reuse instead of handing it back at once.

A report allocates and frees many arrays of tens of megabytes (ten million transactions,
a column at a time).  By default glibc returns each one to the kernel, and the next array
is faulted in afresh, page by page; on the 2-core virtual machines we measured on, those
page faults were a third of a million-loan run (6 of 14 s in the kernel).  A top pad of
1 GiB (``M_TOP_PAD``, the same as ``MALLOC_TOP_PAD_=1073741824``) brought the kernel time
to under 2 s and the run to about 10.5 s, with the same peak RSS within 5 %.  Untouched
padding is address space, not memory.

Arrow's buffers go to its jemalloc pool rather than the default mimalloc one: on the
million-loan ledger the peak RSS after loading was 1.7 GB against 2.2 GB, and reading was
no slower (mimalloc kept the hash join's freed memory).  Only the environment variable
reaches Arrow's C++ internals (the CSV reader, the hash join); ``pa.set_memory_pool``
changes the pool pyarrow passes explicitly and measured no gain, hence the order below.

Only the command line calls these: it owns its process.  A program that imports reportgen
as a library keeps its own allocator settings.
"""

from __future__ import annotations

import ctypes
import os
import sys

_M_TOP_PAD = -2  # from glibc's <malloc.h>
TOP_PAD = 1 << 30


def tune_allocators() -> None:
    """Both settings; call before pyarrow is imported.  Each is skipped where the
    platform lacks it, and an ``ARROW_DEFAULT_MEMORY_POOL`` the user set wins."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    pad_heap()


def pad_heap() -> bool:
    """Set the top pad when the C library is glibc; True when it was set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_TOP_PAD, TOP_PAD))
