"""The Python API behind the CLI: load a ledger once, build reports, write them.

``cli.py`` is a thin click layer over these functions, and ``reportgen run`` uses them to
make several reports from one loaded ledger (the engine caches each as-of date's state, so
four reports cost little more than one).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen import datadate
from reportgen.analysis.notes import find_notes
from reportgen.config import Config
from reportgen.datadate import DataDate
from reportgen.deposit_engine import DepositBook
from reportgen.engine import Engine
from reportgen.journal_checks import check_journal
from reportgen.labels import Labels
from reportgen.ledger.load import Ledger, load_ledger
from reportgen.ledger.mapping import Mapping
from reportgen.ledger.problems import Problems
from reportgen.ledger.raw import RawLedger
from reportgen.ledger.validate import validate_ledger
from reportgen.metrics.build import build_report
from reportgen.metrics.warnings import data_warnings
from reportgen.model import DataWarning, Report
from reportgen.periods import parse_period
from reportgen.progress import Steps
from reportgen.render.base import RenderOptions, render, with_analysis
from reportgen.scope import ALL, WHOLE_BANK, Selection, select

if TYPE_CHECKING:
    import pandas as pd


@dataclass
class Session:
    """A loaded, validated ledger and its engine, shared by every report of one run, with
    the dates it covers: ``first_day`` … ``data_date`` (see ``reportgen.datadate``)."""

    ledger: Ledger
    engine: Engine
    data_date: DataDate
    first_day: date
    partitioned: bool = False  # computed part by part (parts/): the reports' days only

    @functools.cached_property
    def last_day_warnings(self) -> tuple[list[str], int]:
        """Data-quality warnings on the ledger's data date (what ``validate`` prints, in
        English): computed on request, since a report computes its own on its as-of date."""
        warnings, count = data_warnings(self.engine, self.data_date.day)
        return warning_lines(warnings), count


def warning_lines(warnings: tuple[DataWarning, ...], lang: str = "en") -> list[str]:
    """Warnings as the sentences the CLI prints (English, as every CLI message is)."""
    labels = Labels(lang)
    return [labels.warning(w) for w in warnings]


def open_ledger(path: Path, *, progress: bool = False, as_of: date | None = None,
                config_as_of: date | None = None, mapping: Mapping | None = None,
                raw: RawLedger | None = None) -> Session:
    """Load and validate ``path``; raises ``LedgerError`` (exit 3) listing every problem.

    ``as_of`` (``--as-of``) and ``config_as_of`` (``[ledger] as_of``) declare the data
    date; a row dated after a declared data date is one of the problems.  A ledger without
    a single transaction is refused.  With a ``mapping`` (``load_mapping``) the ledger
    is a bank's export read as it comes; its file name may carry the data date.  ``raw``
    is a ledger already read (``open_frames``); ``path`` then only names it.
    """
    with Steps(5, enabled=progress, title="loading ledger") as steps:
        ledger = load_ledger(path, steps=steps, mapping=mapping, raw=raw)
        # The rules that need no engine are checked on the second core while the engine
        # sorts the journal (both are numpy and Arrow work that releases the GIL); their
        # problems join the list where they always stood, after the data-date check.
        with ThreadPoolExecutor(max_workers=2) as checker:
            rules = checker.submit(validate_ledger, ledger, Problems())
            # The deposit book (order check, running 积数) is built beside both, not at the
            # start of the first report: the three share the two cores to the end.
            book = checker.submit(_deposit_book, ledger)
            with steps.step("indexing balances and states"):
                engine = Engine(ledger)
            ruled = rules.result()
        with steps.step("validating"):
            data_date = datadate.decide(as_of=as_of, configured=config_as_of,
                                        latest=engine.last_day(), named=ledger.named_date)
            if data_date is not None and ledger.snapshot_days is not None:
                data_date = datadate.snapshot_source(data_date)
            if data_date is not None:
                datadate.check_declared(ledger, data_date)
            ledger.problems.extend(ruled)
            check_journal(engine)
            ledger.problems.raise_if_any()
            datadate.check_not_empty(ledger, engine)
    deposits = book.result()  # read once the ledger is known good
    if deposits is not None:  # what ``metrics.deposits.deposit_book`` reads
        engine.memo[("deposit_book",)] = deposits
    first_day = engine.first_day()
    assert data_date is not None  # a journal row gives both dates
    assert first_day is not None
    # The engine holds the journal in (loan, day) order and reports read only the engine:
    # the rows as read (about 400 MB at a million loans) can go before the reports are built.
    ledger.transactions.release()
    ledger.classifications.release()
    if ledger.balances is not None:  # a snapshot table: its derived journal is the engine's
        ledger.balances.release()
    return Session(ledger, engine, data_date, first_day)


def _deposit_book(ledger: Ledger) -> DepositBook | None:
    """The whole bank's deposit book, when the ledger has deposit tables."""
    if ledger.deposit_accounts is None or ledger.deposit_balances is None:
        return None
    return DepositBook(ledger)


def scope_of(session: Session, config: Config, *, branches: Sequence[str] = (),
             managers: Sequence[str] = ()) -> Selection:
    """The scope ``generate --branch/--manager`` asks for; without either, ``bank.branch``
    when set, else the whole bank.  A value that matches no loan is a ``UsageError``
    (exit 2) listing the known values.

    ``bank.branch`` filters the bank-level reports (scopes.md): they keep their file
    names (scope id ``all``) but cover that branch's loans only.  A ledger holding no
    other branch (a branch's own export) is the whole ledger, computed as such.
    """
    if not branches and not managers and config.bank.branch:
        selection = select(session.ledger, branches=[config.bank.branch],
                           where=("bank.branch =", "bank.branch ="))
        assert selection.loans is not None
        if bool(selection.loans.all()):
            return WHOLE_BANK
        return replace(selection, id=ALL)
    return select(session.ledger, branches=branches, managers=managers)


def build(session: Session, report: str, period: str, config: Config,
          *, now: datetime | None = None, formats: list[str] | None = None,
          notes: tuple[str, ...] | None = None,
          options: RenderOptions | None = None,
          selection: Selection = WHOLE_BANK) -> Report:
    """Compute one report's model (raises ``UsageError`` for a bad report/period pair,
    ``PeriodNotCoveredError`` for a period outside the ledger's first date … data date).

    ``formats``, when given, says what will be rendered: the loan-level book (借据明细,
    a million rows at bank scale) is only built when the Excel workbook needs it.
    ``notes`` are the clerk's paragraphs (``--notes``); without them the file
    ``{report}_{period}.md`` of ``[analysis] notes_dir`` is read when it exists.  With
    ``options`` the written analysis is drafted now, in their language and unit (else
    when the report is rendered).
    """
    parsed = parse_period(period, report)
    if parsed.end <= session.data_date.day:  # a stale period is refused as such first
        datadate.check_snapshots(parsed, session.ledger.snapshot_days)
    datadate.check_period(parsed, session.first_day, session.data_date)
    include_loans = formats is None or "xlsx" in formats
    if notes is None and config.analysis.notes_dir:  # a scope's notes: ..._{scope}.md
        notes = find_notes(Path(config.analysis.notes_dir), parsed.report, parsed.id,
                           "" if selection.id == ALL else selection.id)
    model = build_report(session.engine, parsed, config, now=now, include_loans=include_loans,
                         selection=selection)
    if notes is not None:
        model = dataclasses.replace(model, notes=notes)
    return model if options is None else with_analysis(model, options)


def render_options(config: Config, *, lang: str | None = None,
                   templates: Path | None = None) -> RenderOptions:
    user_templates = templates or (Path(config.output.templates) if config.output.templates
                                   else None)
    return RenderOptions(
        lang=lang or config.output.lang,
        unit=config.bank.unit,
        templates=user_templates,
        pdf_max_rows=config.output.pdf_max_rows,
        signatures=config.signatures,
    )


def write(report: Report, formats: list[str], out: Path, options: RenderOptions) -> list[Path]:
    """Render ``report`` in each format into ``out``: all the files appear, or none changes."""
    return render(report, formats, out, options)


def open_frames(*, customers: pd.DataFrame, loans: pd.DataFrame,
                transactions: pd.DataFrame | None = None,
                classifications: pd.DataFrame | None = None,
                bank_figures: pd.DataFrame | None = None, targets: pd.DataFrame | None = None,
                balances: pd.DataFrame | None = None, mapping: object = None,
                as_of: date | None = None) -> Session:
    """``open_ledger`` for a ledger held in pandas DataFrames (e.g. from ``pd.read_sql``).

    The frames are converted to the reader's raw tables (ledger/frames.py) and loaded and
    validated exactly as files are; a ``LedgerError`` names each problem's frame, row label
    (the frame's index label) and column.  ``balances`` is a snapshot ledger's table.
    ``mapping`` (a ``Mapping``, the path of a mapping file, or its TOML as a dict) reads
    frames in the bank's own headers and codes, as ``--mapping`` reads files.  ``as_of``
    declares the data date, as ``--as-of`` does (else it is the latest date of the journal).
    """
    from reportgen.errors import LedgerError
    from reportgen.ledger.frames import FRAMES_PATH, frame_problems, raw_from_frames

    frames = {"customers": customers, "loans": loans, "transactions": transactions,
              "classifications": classifications, "bank_figures": bank_figures,
              "targets": targets}
    if balances is not None:
        frames["balances"] = balances  # raw_from_frames refuses it unless the schema has it
    raw = raw_from_frames(frames, _frames_mapping(mapping))
    labels = {name: frame.index for name, frame in frames.items() if frame is not None}
    try:
        return open_ledger(FRAMES_PATH, raw=raw, as_of=as_of)
    except LedgerError as exc:
        raise LedgerError(*frame_problems(exc.problems, exc.total, labels)) from None


def open_partitioned(path: Path, jobs: list[tuple[str, str, bool]], config: Config, *,
                     partitions: int | None = None, cluster: str | None = None,
                     as_of: date | None = None, config_as_of: date | None = None,
                     mapping: Mapping | None = None) -> Session:
    """A session over a ledger computed part by part (``--partitions``/``--cluster``):
    ``jobs`` (report type, period id, with the loan book) are every report the session
    will build, since each part is loaded once and computes them all.  A declared data
    date is checked in each part; the latest row's date and the first date are the
    extremes over the parts.  With a ``mapping`` the export is read once here, through
    it, and its parts are written in reportgen's own format (parts/mapped.py)."""
    from reportgen.parts.executor import reduced_engine

    for report, period, _ in jobs:
        parse_period(period, report)  # usage errors before any work
    if mapping is not None:
        return _open_mapped_partitioned(path, jobs, config, mapping, partitions or 1,
                                        cluster, as_of, config_as_of)
    declared = datadate.decide(as_of=as_of, configured=config_as_of, latest=None)
    engine = reduced_engine(path, jobs, config, partitions=partitions, cluster=cluster,
                            declared=declared)
    return partitioned_session(engine, declared)


def _open_mapped_partitioned(path: Path, jobs: list[tuple[str, str, bool]], config: Config,
                             mapping: Mapping, partitions: int, cluster: str | None,
                             as_of: date | None, config_as_of: date | None) -> Session:
    """A mapped export read once, split, computed part by part.  An export with reading
    problems is loaded in one process instead, which lists them as it always does."""
    import os
    import shutil
    import tempfile

    from reportgen.parts.executor import reduced_engine, remove_with
    from reportgen.parts.mapped import has_problems, read_export, split_export

    raw = read_export(path, mapping)
    if has_problems(raw):
        return open_ledger(path, as_of=as_of, config_as_of=config_as_of, mapping=mapping,
                           raw=raw)
    declared = datadate.decide(as_of=as_of, configured=config_as_of, latest=None,
                               named=raw.named_date)
    work = Path(tempfile.mkdtemp(prefix="reportgen-mapped-",
                                 dir=os.environ.get("REPORTGEN_PARTS_DIR")))
    try:
        parts = split_export(raw, work, partitions).parts
        del raw
        engine = remove_with(reduced_engine(parts, jobs, config, cluster=cluster,
                                            declared=declared), work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return partitioned_session(engine, declared)


def partitioned_session(engine: Engine, declared: DataDate | None = None) -> Session:
    """The session of an engine reduced from parts (``parts.reduce.ReducedEngine``):
    the whole ledger's checks that no single part can make, and its dates."""
    datadate.check_not_empty(engine.ledger, engine)
    data_date = declared or datadate.decide(as_of=None, configured=None,
                                            latest=engine.last_day())
    if data_date is not None and engine.ledger.snapshot_days is not None:
        data_date = datadate.snapshot_source(data_date)  # named as in one process
    first_day = engine.first_day()
    assert data_date is not None  # a journal row gives both dates
    assert first_day is not None
    return Session(engine.ledger, engine, data_date, first_day, partitioned=True)


def wanted_parts(ledger: Path, partitions: int | None, cluster: str | None,
                 config: Config, *, mapped: bool = False) -> int | None:
    """The number of parts to split into, or None for the one-process path (a mapped
    export may be a workbook: it is read once, then split)."""
    from reportgen.errors import UsageError
    from reportgen.parts.executor import parts_for_memory
    from reportgen.parts.split import read_manifest

    if read_manifest(ledger) is not None:
        return 0  # already split: its own number of parts
    if partitions is None and config.engine.memory_gb > 0:
        partitions = parts_for_memory(ledger, config.engine.memory_gb)
    if partitions is None and (cluster or config.engine.cluster):
        partitions = 2  # a cluster with one part would leave workers idle
    if partitions is not None and not ledger.is_dir() and not mapped:
        raise UsageError(f"{ledger}: --partitions and --cluster need a ledger folder of "
                         "CSV/Parquet files (a workbook is one process's size)")
    return partitions


def open_session(ledger: Path, jobs: list[tuple[str, str, bool]], config: Config, *,
                 partitions: int | None, cluster: str | None, progress: bool,
                 as_of: date | None = None, mapping: Mapping | None = None) -> Session:
    """The ledger as one process loads it, or computed part by part when asked (a mapped
    export is read once, here, and its parts written in reportgen's own format)."""
    cluster = cluster or config.engine.cluster or None
    parts = wanted_parts(ledger, partitions, cluster, config, mapped=mapping is not None)
    if parts is None or (parts == 1 and cluster is None):
        return open_ledger(ledger, progress=progress, as_of=as_of,
                           config_as_of=config.ledger.as_of, mapping=mapping)
    return open_partitioned(ledger, jobs, config, partitions=parts or None, cluster=cluster,
                            as_of=as_of, config_as_of=config.ledger.as_of, mapping=mapping)


def _frames_mapping(mapping: object) -> Mapping | None:
    """``open_frames(mapping=...)`` as a ``Mapping``: one already loaded, a mapping file's
    path, or its TOML as a dict; anything else is a ``UsageError`` (exit 2)."""
    from reportgen.errors import UsageError
    from reportgen.ledger.mapping import load_mapping, parse_mapping

    if mapping is None or isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, str | Path):
        return load_mapping(mapping)
    if isinstance(mapping, dict):
        return parse_mapping(mapping)
    raise UsageError("open_frames: mapping= must be a mapping file's path, its TOML as a "
                     f"dict, or load_mapping()'s result, not {type(mapping).__name__}")
