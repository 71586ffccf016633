"""Assembles one report's model: which sections a report type holds (interface.md) and the
order they are computed in.  The only place that knows the report types' contents."""

from __future__ import annotations

from datetime import UTC, datetime

from reportgen import __version__
from reportgen.config import Config
from reportgen.engine import Engine
from reportgen.metrics.changes import changes
from reportgen.metrics.concentration import concentration
from reportgen.metrics.context import Context
from reportgen.metrics.deposits import deposits, has_deposits
from reportgen.metrics.inclusive import inclusive
from reportgen.metrics.indicators import indicators, with_loan_to_deposit
from reportgen.metrics.loanbook import loan_book
from reportgen.metrics.managers import account_managers
from reportgen.metrics.maturity import maturity
from reportgen.metrics.migration import migration
from reportgen.metrics.overdue import overdue
from reportgen.metrics.provision import provision
from reportgen.metrics.quality import quality
from reportgen.metrics.structure import structure, with_opening
from reportgen.metrics.summary import summary
from reportgen.metrics.trend import trend
from reportgen.metrics.warm import warm
from reportgen.metrics.warnings import data_warnings
from reportgen.metrics.watchlist import watchlist
from reportgen.model import Report, Sections
from reportgen.periods import Period
from reportgen.scope import WHOLE_BANK, Selection
from reportgen.scoped import scoped

WITH_MONTHLY_SECTIONS = ("monthly", "quarterly", "halfyear", "yearly")
WITH_MIGRATION_AND_TREND = ("quarterly", "halfyear", "yearly")


def _legal_entity(ctx: Context) -> bool:
    """A scope without rows of its own in bank_figures: its provision and net-capital
    ratios are the legal entity's (scopes.md)."""
    own = getattr(ctx.engine, "own_figures", None)
    return own is not None and not own()


def build_sections(ctx: Context) -> Sections:
    report = ctx.period.report
    qual, over = quality(ctx), overdue(ctx)
    base: dict[str, object] = {"summary": summary(ctx), "quality": qual, "overdue": over,
                               "maturity": maturity(ctx), "watchlist": watchlist(ctx)}
    if report in WITH_MONTHLY_SECTIONS:
        conc, prov = concentration(ctx), provision(ctx)
        shape = structure(ctx)
        base |= {
            "structure": with_opening(ctx, shape) if report == "monthly" else shape,
            "concentration": conc,
            "inclusive": inclusive(ctx),
            "provision": prov,
            "account_managers": account_managers(ctx),
            "indicators": indicators(ctx.config.thresholds, qual, prov, conc, over,
                                     legal_entity=_legal_entity(ctx)),
        }
    if report in WITH_MIGRATION_AND_TREND:
        base |= {"migration": migration(ctx), "trend": trend(ctx)}
    if has_deposits(ctx):  # every report, only when the deposit tables are given
        base["deposits"] = deposits(ctx)
        if "indicators" in base:
            base["indicators"] = with_loan_to_deposit(
                ctx.config.thresholds, base["indicators"], base["deposits"])
    return Sections(**base)  # type: ignore[arg-type]


def build_report(engine: Engine, period: Period, config: Config, *,
                 now: datetime | None = None, include_loans: bool = True,
                 selection: Selection = WHOLE_BANK) -> Report:
    """Compute every figure of one report; warnings are those on the report's as-of date.

    ``engine`` is the whole bank's; a ``selection`` other than the whole bank computes
    every section on its loans (``reportgen.scoped``), and its data-quality warnings too:
    a branch's report must not list (or count) another branch's loans.
    """
    ctx = Context(scoped(engine, selection), period, config, selection)
    warm(ctx, inclusive=period.report in WITH_MONTHLY_SECTIONS)
    engine.ledger.start_digest()  # hashed beside the sections, which leave a core free
    warnings, warning_count = data_warnings(ctx.engine, period.end)
    sections = build_sections(ctx)  # first: the ledger digest is being made meanwhile
    return Report(
        report=period.report,
        period=period.id,
        start=period.start,
        end=period.end,
        opening=period.opening,
        year_start=period.year_start,
        last_year=period.last_year,
        currency=config.bank.currency,
        bank=config.bank.name,
        branch=config.bank.branch if selection.is_all else selection.title,
        generated_at=now or datetime.now(UTC).astimezone(),
        ledger_sha256=engine.ledger.sha256,
        version=__version__,
        sections=sections,
        loans=loan_book(ctx) if include_loans else None,
        warnings=warnings,
        warning_count=warning_count,
        scope=selection.id,
        scope_kind=selection.kind,
        flows_derived=engine.ledger.snapshot_days is not None,
        # the drivers of a report without the structure section (analysis.md)
        changes=None if period.report in WITH_MONTHLY_SECTIONS else changes(ctx),
    )
