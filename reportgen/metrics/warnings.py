"""Data-quality warnings on one day: facts about the ledger that do not stop a report.

A live loan without a classification row is counted as normal and not overdue; a grade
milder than its overdue days allow is reported as graded.  Both are the bank's to check,
so every report lists them (the Excel 数据质量 sheet, a section of the PDF/HTML, the JSON)
and ``reportgen validate`` prints them.  They are returned as data (``DataWarning``) and
worded in the report's language only when rendered (labels.py).

They belong to a date (a report's as-of date, or the ledger's last day for ``validate``),
and they live here, not in ledger/validate.py, because the grade rule is the watchlist's
(metrics/watchlist.py): the ledger layer must not import the metrics.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from reportgen.engine import Engine
from reportgen.ledger.schema import GRADE_CODES
from reportgen.metrics.context import text_at
from reportgen.metrics.watchlist import required_grade
from reportgen.model import DataWarning

LISTED = 100  # warnings kept with their loan; the rest are only counted


def data_warnings(engine: Engine, day: date,
                  limit: int = LISTED) -> tuple[tuple[DataWarning, ...], int]:
    """The first ``limit`` warnings on ``day`` and how many there are in all.

    No-state loans come first, then grades too mild, each in ledger order.
    """
    snap = engine.snapshot(day)
    no_state = np.flatnonzero(snap.live & ~snap.has_state)
    required = required_grade(snap.overdue_days)
    mild = np.flatnonzero(snap.live & (snap.grade < required))
    listed = no_state[:limit]
    shown = mild[: max(limit - len(listed), 0)]
    # Only the listed ids become str (a partitioned run reads just these from its parts).
    ids = text_at(engine.ledger.loans, "loan_id", np.concatenate([listed, shown])).to_pylist()
    out = [DataWarning("no_state", str(ids[k]), day) for k in range(len(listed))]
    for k, i in enumerate(shown.tolist(), start=len(listed)):
        params: tuple[tuple[str, str | int], ...] = (
            ("overdue_days", int(snap.overdue_days[i])),
            ("grade", GRADE_CODES[snap.grade[i]]),
            ("expected", GRADE_CODES[required[i]]))
        out.append(DataWarning("grade_too_mild", str(ids[k]), day, params))
    return tuple(out), int(len(no_state) + len(mild))
