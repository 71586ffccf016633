"""The renderer protocol, the registry behind ``--format``, and the one place that writes.

Every renderer turns a ``Report`` into one file.  ``render`` owns the writing of a report's
formats as one set: each renderer writes to a temporary file beside its target, and only
when *every* format has been written are they renamed over their targets, one after the
other; when any renderer fails, every temporary is removed and the files of an earlier
run stay untouched.  So a reader (or a crashed run) never sees half a file, nor a JSON of
this run beside the PDF of the last one.

A render that is killed cannot remove its temporaries.  They are named
``.{target}.{host}-{pid}.{random}.tmp`` (``TEMP_NAME``), and the next render into the same
folder removes those whose writer is gone: written on this machine by a process that no
longer runs, or older than ``STALE_AFTER`` (a writer elsewhere, or a reused pid).  Files of
any other name are never touched, and a concurrent run's temporaries survive.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import re
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reportgen.config import SignaturesConfig
from reportgen.errors import UsageError
from reportgen.model import Report

LOG = logging.getLogger(__name__)
STALE_AFTER = 3600.0  # seconds after which any temporary of this program is stale

@dataclass(frozen=True)
class RenderOptions:
    """How to show the figures; never what they are."""

    lang: str = "zh"
    unit: str = "wan"  # yuan | wan | yi
    templates: Path | None = None  # user template folder, searched first
    pdf_max_rows: int = 40
    signatures: SignaturesConfig = field(default_factory=SignaturesConfig)
    # A folder where the reports of one run share their 借据明细 sheets (render/loan_pack.py);
    # None: each workbook writes its own.
    loan_sheets: Path | None = None


class Renderer(Protocol):
    name: str
    extension: str

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        """Write the report to ``path`` (a temporary name; ``render`` renames it)."""


_REGISTRY: dict[str, Callable[[], Renderer]] = {}


def register(name: str) -> Callable[[Callable[[], Renderer]], Callable[[], Renderer]]:
    """Register a renderer factory under ``name`` (the value of ``--format``)."""

    def deco(factory: Callable[[], Renderer]) -> Callable[[], Renderer]:
        _REGISTRY[name] = factory
        return factory

    return deco


def available() -> list[str]:
    for name in BUILTIN:
        _load_builtin(name)
    return sorted(_REGISTRY)


def get(name: str) -> Renderer:
    _load_builtin(name)
    if name not in _REGISTRY:
        raise UsageError(f"unknown format {name!r}; choose from {', '.join(available())}")
    return _REGISTRY[name]()


# The module of each built-in format.  Only the formats asked for are imported: openpyxl
# takes a third of a second to import and WeasyPrint a second, and `json` needs neither.
BUILTIN = {"json": "json", "xlsx": "excel", "html": "html", "pdf": "pdf", "docx": "docx"}


def _load_builtin(name: str) -> None:
    import importlib

    module = BUILTIN.get(name)
    if module is None or name in _REGISTRY:
        return
    with contextlib.suppress(ModuleNotFoundError):  # e.g. WeasyPrint not installed
        importlib.import_module(f"reportgen.render.{module}")


def output_path(out_dir: Path, report: Report, extension: str) -> Path:
    """``{out}/{report}_{period}.{ext}``, e.g. ``monthly_2026-10.xlsx``; a scope's report
    appends its id: ``monthly_2026-10_b880101.xlsx`` (scopes.md)."""
    scope = "" if report.scope == "all" else f"_{report.scope}"
    return out_dir / f"{report.report}_{report.period}{scope}.{extension}"


@functools.cache
def _host() -> str:
    """Six hex digits naming this machine in temporary names (a pid means nothing on
    another machine writing to the same shared folder)."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


# .{target}.{host}-{pid}.{random}.tmp; tempfile's random part is 8 of [a-z0-9_].
TEMP_NAME = re.compile(r"\.(?P<target>.+)\.(?P<host>[0-9a-f]{6})-(?P<pid>[0-9]{1,10})"
                       r"\.[a-z0-9_]{8}\.tmp")


def temporary(path: Path) -> Path:
    """A new empty temporary file beside ``path``, named by ``TEMP_NAME``."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.{_host()}-{os.getpid()}.",
                                suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def _finish(tmp: Path) -> None:
    """Make a written temporary durable and readable like any report file."""
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.chmod(tmp, 0o644)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process (or not a pid we can ask about): keep
    return True


def remove_stale_temporaries(folder: Path, *, now: float | None = None) -> list[Path]:
    """Remove this program's temporaries in ``folder`` whose writer is gone; returns them.

    Only names that match ``TEMP_NAME`` exactly are considered; one is stale when it is
    older than ``STALE_AFTER``, or when it was written on this machine by a process that
    no longer runs.  A file that cannot be removed is left (and logged), never an error.
    """
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    now = time.time() if now is None else now
    for entry in os.scandir(folder):
        match = TEMP_NAME.fullmatch(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        try:
            age = now - entry.stat(follow_symlinks=False).st_mtime
        except FileNotFoundError:
            continue  # its writer renamed or removed it meanwhile
        gone = match["host"] == _host() and not _running(int(match["pid"]))
        if age < STALE_AFTER and not gone:
            continue
        try:
            os.unlink(entry.path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            LOG.warning("could not remove the stale temporary file %s: %s", entry.path, exc)
            continue
        LOG.info("removed %s, a temporary file left by an interrupted render", entry.path)
        removed.append(Path(entry.path))
    return removed


def render(report: Report, formats: list[str], out_dir: Path, options: RenderOptions) -> list[Path]:
    """Write ``report`` in each format, all or nothing; returns the paths, in ``formats``
    order.

    Formats are resolved before anything is written, so a bad ``--format`` writes nothing.
    Every format is rendered to a temporary file first; only when all of them succeeded
    are they renamed over the targets.  On any failure the temporaries are removed and
    the previous files (if any) stay as they were.
    """
    renderers = [get(name) for name in formats]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot write reports into {out_dir}: {exc.strerror or exc}") from None
    remove_stale_temporaries(out_dir)
    report = with_analysis(report, options)
    pending: list[tuple[Path, Path]] = []  # (temporary, target)
    try:
        for renderer in renderers:
            target = output_path(out_dir, report, renderer.extension)
            tmp = temporary(target)
            pending.append((tmp, target))
            with gc_frozen():
                renderer.write(report, options, tmp)
            _finish(tmp)
    except BaseException:
        for tmp, _ in pending:
            tmp.unlink(missing_ok=True)
        raise
    # Renames within one folder: they do not fail for want of space, and each is atomic.
    for n, (tmp, target) in enumerate(pending):
        try:
            os.replace(tmp, target)
        except BaseException:
            for left, _ in pending[n:]:
                left.unlink(missing_ok=True)
            raise
    return [target for _, target in pending]


def with_analysis(report: Report, options: RenderOptions) -> Report:
    """``report`` with its written analysis drafted in the options' language and unit, so
    every format of one report shows the same text (analysis.md)."""
    from reportgen import analysis

    return analysis.ensure(report, lang=options.lang, unit=options.unit,
                           templates=options.templates)


@contextlib.contextmanager
def gc_frozen() -> Iterator[None]:
    """Keep the garbage collector off the objects that exist before a renderer runs.

    Renderers allocate many small objects (WeasyPrint's layout, Excel rows), and each full
    collection walks every live object: with a million-loan report model in memory the same
    PDF took 35 % longer.  Freezing moves the model out of the collector's sight while the
    file is written; unfreezing afterwards lets a long ``run`` free each report as usual.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
