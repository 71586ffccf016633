"""The one seam between computing the parts in turn and computing them on a cluster.

Both are a ``concurrent.futures.Executor``-shaped map over the part folders: ``None`` means
this process, one part after another (the default, and the simplest to read); a Dask
``Client.get_executor()`` sends each part to a worker process, which must see the same
path (a shared filesystem or mount).  The reduce always runs here, on the client.
"""

from __future__ import annotations

import ctypes
import math
import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager, suppress
from pathlib import Path

import pyarrow as pa

from reportgen.config import Config
from reportgen.datadate import DataDate
from reportgen.errors import LedgerError, UsageError
from reportgen.parts.compute import PartFigures, part_figures
from reportgen.parts.reduce import ReducedEngine, raise_part_errors
from reportgen.parts.spill import Spill
from reportgen.parts.split import part_name, partition_ledger, read_manifest

Job = tuple[str, str, bool]  # report type, period id, with the loan book
ARROW_PER_BYTE = 3.0  # peak RSS of a one-part run ≈ 3 × the ledger's size (performance.md)


def parts_for_memory(ledger: Path, memory_gb: float) -> int:
    """How many parts keep one part's load under ``memory_gb``: the ledger's bytes on disk
    times the measured peak-to-size ratio, over the budget (1 = no split)."""
    size = sum(f.stat().st_size for f in ledger.iterdir() if f.is_file()) if ledger.is_dir() \
        else ledger.stat().st_size
    return max(1, math.ceil(size * ARROW_PER_BYTE / (memory_gb * (1 << 30))))


@contextmanager
def cluster_executor(address: str | None) -> Iterator[Executor | None]:
    """``None`` (in-process) without an address; else a Dask executor: ``local:N`` starts
    N worker processes on this machine, anything else is a running scheduler's address."""
    if address is None:
        yield None
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--cluster needs Dask: pip install 'reportgen[cluster]'") from None
    if address.startswith("local:"):
        count = address.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise UsageError(f"--cluster {address!r}: write local:N with N ≥ 1, e.g. local:2")
        cluster = LocalCluster(n_workers=int(count), threads_per_worker=1,  # type: ignore[no-untyped-call]
                               processes=True, dashboard_address=None)
        with cluster, Client(cluster) as local:  # type: ignore[no-untyped-call]
            yield local.get_executor()
        return
    try:
        client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(f"--cluster {address}: no Dask scheduler answers ({exc})") from None
    with client:
        yield client.get_executor()  # type: ignore[no-untyped-call]


def _trim_heap() -> None:
    """``malloc_trim(0)`` where the C library has it (glibc): returns the free pages of a
    part's short-lived arrays, which fragmentation would otherwise keep resident."""
    with suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def spilled(spill: Spill, result: PartFigures | LedgerError) -> PartFigures | LedgerError:
    """A part's figures with their arrays on disk (parts/spill.py); an error as it is."""
    return spill.figures(result) if isinstance(result, PartFigures) else result


def compute_parts(folder: Path, jobs: list[Job], config: Config,
                  executor: Executor | None = None, declared: DataDate | None = None
                  ) -> ReducedEngine:
    """Compute every part of the partitioned ledger ``folder`` and reduce them."""
    manifest = read_manifest(folder)
    if manifest is None:
        raise UsageError(f"{folder} is not a partitioned ledger (no partitions.json)")
    count = int(str(manifest["parts"]))
    paths = [str((folder / part_name(i)).resolve()) for i in range(count)]
    results: list[PartFigures | LedgerError] = []
    spill = Spill()
    try:
        if executor is None:
            for i, path in enumerate(paths):
                results.append(spilled(spill, part_figures(path, jobs, config, declared,
                                                           i == 0)))
                # The part's journal and Arrow tables are garbage now: hand Arrow's pages
                # and the C heap's free pages back before the next part loads, or the pool
                # and malloc's arenas keep them and each part adds its leftovers to the peak.
                pa.default_memory_pool().release_unused()
                _trim_heap()
        else:  # each part to disk as it arrives (``map`` hands them over in order)
            results.extend(spilled(spill, r) for r in executor.map(
                part_figures, paths, [jobs] * count, [config] * count, [declared] * count,
                [i == 0 for i in range(count)]))
    finally:
        spill.close()
    return ReducedEngine(raise_part_errors(results), folder, str(manifest["sha256"]))


def reduced_engine(ledger: Path, jobs: list[Job], config: Config, *,
                   partitions: int | None = None, cluster: str | None = None,
                   declared: DataDate | None = None) -> ReducedEngine:
    """The reduced engine for ``ledger``: a partitioned folder as it is, or an ordinary
    ledger folder split first into ``partitions`` parts (in a temporary folder beside the
    system's temp, removed with the engine: its listings read their text from it)."""
    with cluster_executor(cluster) as executor:
        if read_manifest(ledger) is not None:
            return compute_parts(ledger, jobs, config, executor, declared)
        work = Path(tempfile.mkdtemp(prefix="reportgen-parts-",
                                     dir=os.environ.get("REPORTGEN_PARTS_DIR")))
        try:
            partition_ledger(ledger, work / "parts", partitions or 1)
            return remove_with(compute_parts(work / "parts", jobs, config, executor,
                                             declared), work)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise


class _Temporary:
    """A temporary folder removed when the last holder of this object goes (or at the
    latest when the interpreter exits)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        weakref.finalize(self, shutil.rmtree, folder, True)


def remove_with(engine: ReducedEngine, work: Path) -> ReducedEngine:
    """``engine`` with the temporary folder of its parts removed when the engine and its
    ledger's text columns go: the parts' files hold the text the listings read
    (parts/text.py)."""
    keeper = _Temporary(work)
    for source in engine.text_sources:
        source.keeper = keeper
    return engine
