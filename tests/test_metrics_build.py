"""reportgen/metrics/build.py: each report type holds exactly the sections of interface.md.

| section | dekad, weekly, custom | monthly | quarterly, halfyear | yearly |
| summary, quality, overdue, maturity, watchlist | ✓ | ✓ | ✓ | ✓ |
| structure, concentration, inclusive, provision, account_managers, indicators | | ✓ | ✓ | ✓ |
| migration, trend (3 month-ends in quarterly, 6 in halfyear, 12 in yearly) | | | ✓ | ✓ |
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

EVERY_REPORT = {"summary", "quality", "overdue", "maturity", "watchlist"}
MONTHLY = EVERY_REPORT | {"structure", "concentration", "inclusive", "provision",
                          "account_managers", "indicators"}
QUARTERLY = MONTHLY | {"migration", "trend"}

LEDGER = {
    "customers": "C1,甲,individual,,A,,,",
    "loans": "L1,C1,B1,王,,credit,1000,2025-06-01,2027-06-01,4",
    "transactions": "L1,2025-06-01,disburse,1000",
    "classifications": "L1,2025-06-01,normal,",
}


@pytest.mark.parametrize(
    ("report", "period", "sections", "trend_points"),
    [
        ("dekad", "2026-02-D3", EVERY_REPORT, None),
        ("monthly", "2026-02", MONTHLY, None),
        ("quarterly", "2026-Q1", QUARTERLY, 3),
        ("yearly", "2026", QUARTERLY, 12),
        # assessment.md: weekly and custom hold the dekad report's sections, halfyear the
        # quarterly report's with 6 month ends
        ("weekly", "2026-W09", EVERY_REPORT, None),
        ("custom", "2026-02-05..2026-02-18", EVERY_REPORT, None),
        ("halfyear", "2026-H1", QUARTERLY, 6),
        ("halfyear", "2025-H2", QUARTERLY, 6),
    ],
)
def test_report_holds_exactly_its_sections(report_from: MakeReport, report: str, period: str,
                                           sections: set[str],
                                           trend_points: int | None) -> None:
    built = report_from(report, period, **LEDGER)
    doc = report_dict(built)
    assert next(iter(doc["sections"])) == "analysis"  # first (analysis.md)
    assert set(doc["sections"]) == {"analysis", *sections}
    assert set(built.sections.present()) == sections
    assert (doc["report"], doc["period"]) == (report, period)
    if trend_points is not None:
        months = [p["month"] for p in doc["sections"]["trend"]]
        assert len(months) == trend_points
        assert months[-1] == doc["end"][:7]
