"""The renderer protocol, the registry behind ``--format``, and the one function that writes.

Every renderer turns a ``Report`` into one file.  ``write_atomic`` owns the writing: the
renderer writes to a temporary file beside the target, which is renamed over the target only
when the renderer returns, so a reader (or a crashed run) never sees half a file and an
existing report is replaced only by a successful run.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from reportgen.config import SignaturesConfig
from reportgen.errors import UsageError
from reportgen.model import Report


@dataclass(frozen=True)
class RenderOptions:
    """How to show the figures; never what they are."""

    lang: str = "zh"
    unit: str = "wan"  # yuan | wan | yi
    templates: Path | None = None  # user template folder, searched first
    pdf_max_rows: int = 40
    signatures: SignaturesConfig = field(default_factory=SignaturesConfig)


class Renderer(Protocol):
    name: str
    extension: str

    def write(self, report: Report, options: RenderOptions, path: Path) -> None:
        """Write the report to ``path`` (a temporary name; ``write_atomic`` renames it)."""


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
    """``{out}/{report}_{period}.{ext}``, e.g. ``monthly_2026-10.xlsx``."""
    return out_dir / f"{report.report}_{report.period}.{extension}"


def write_atomic(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` and rename ``tmp`` to ``path`` on success; delete it on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def render(report: Report, formats: list[str], out_dir: Path, options: RenderOptions) -> list[Path]:
    """Write ``report`` in each format; returns the paths written, in ``formats`` order.

    Formats are resolved before anything is written, so a bad ``--format`` writes nothing.
    """
    renderers = [get(name) for name in formats]
    report = with_analysis(report, options)
    written = []
    for renderer in renderers:
        target = output_path(out_dir, report, renderer.extension)
        with gc_frozen():
            written.append(write_atomic(target,
                                        functools.partial(renderer.write, report, options)))
    return written


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
