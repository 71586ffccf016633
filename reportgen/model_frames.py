"""The report model as pandas DataFrames: ``Report.to_frames()``.

One frame per table of each section, keyed ``"section/table"`` with the table keys the
Excel and PDF views use (``summary/compare``, ``structure/industry``, ``watchlist/entries``
…), so a table found in the workbook is found here under the same name.  Values are the
model's, not their display: enum codes (``normal``, ``C``), not labels.

* money is an exact ``decimal.Decimal`` of yuan with 2 places (``Decimal("1234.50")``);
  a whole column of a long listing is converted through Arrow's decimal128 type, never
  through a float;
* a ratio (a fraction, not a percent) and the 普惠 average rate (a percent) are
  ``Decimal`` rounded half-up to 6 places, exactly the figures of the JSON document;
* counts are integers, flags booleans, dates ``datetime64``, text ``str``;
* a figure that cannot be computed is ``None`` (shown "—" elsewhere), never 0.

pandas is imported here only: a report that is not turned into frames never loads it.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from reportgen.formatting import yuan_exact
from reportgen.ledger.schema import GRADE_CODES
from reportgen.model import (
    Average,
    Compare,
    Listing,
    ListingColumn,
    Report,
    Sections,
    column_values,
)

if TYPE_CHECKING:
    import pandas as pd

# int fields that are counts (all other int fields of the model are money in fen).
COUNT_FIELDS = frozenset({
    "accounts", "customers", "disbursed_count", "due_count", "upcoming_count", "upcoming_days",
    "count", "new_count", "grade_check_count", "overdue_days", "rank", "customers_year_start",
})
COMPARE_COLUMNS = ("current", "opening", "change_opening", "year_start", "change_year_start",
                   "last_year", "change_last_year")
RATIO_PLACES = 6


def yuan(fen: int | None) -> Decimal | None:
    """Integer fen as exact Decimal yuan (2 places); None stays None."""
    return None if fen is None else Decimal(int(fen)).scaleb(-2)


def ratio(value: Fraction | None) -> Decimal | None:
    """An exact fraction as Decimal rounded half-up to 6 places, as the JSON writes it."""
    if value is None:
        return None
    numerator, denominator = value.numerator, value.denominator
    whole, rest = divmod(abs(numerator) * 10**RATIO_PLACES, denominator)
    if 2 * rest >= denominator:
        whole += 1
    return Decimal(-whole if numerator < 0 else whole).scaleb(-RATIO_PLACES)


def _figure(value: Any, money: bool) -> Any:
    """One figure of a key/value or compare table: money, ratio, count or text."""
    if isinstance(value, Average):  # a daily average: money, rounded half-up as the JSON
        return Decimal(yuan_exact(value))
    if isinstance(value, Fraction):
        return ratio(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return yuan(value) if money else value
    return value


def _money_column(column: ListingColumn) -> list[Any] | pd.Series:
    """A money column as Decimal yuan: numpy int64 fen go through Arrow's decimal128 (the
    fen are the unscaled integers of a scale-2 decimal), so a long listing costs no
    Python loop; a list of Python ints is converted cell by cell."""
    if isinstance(column, np.ndarray) and column.dtype.kind == "i":
        fen = column.astype(np.int64, copy=False)
        words = np.empty(2 * len(fen), dtype=np.int64)
        words[0::2] = fen
        words[1::2] = fen >> 63  # the high word: the sign extended
        array = pa.Array.from_buffers(pa.decimal128(20, 2), len(fen),
                                      [None, pa.py_buffer(words)])
        return array.to_pandas()
    return [yuan(v) for v in column_values(column)]


def _plain_column(column: ListingColumn) -> Any:
    if isinstance(column, pa.Array | pa.ChunkedArray):
        return column.to_pandas()
    return column


def _rows_frame(rows: Sequence[Any] | Listing[Any], row_type: type,
                skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """A table of model rows (a tuple of dataclasses or a ``Listing``), column by column,
    each converted by its declared type."""
    import pandas as pd

    listing = rows if isinstance(rows, Listing) else Listing.of_rows(row_type, rows)
    hints = typing.get_type_hints(row_type)
    data: dict[str, Any] = {}
    for field in dataclasses.fields(row_type):
        name = field.name
        if name in skip:
            continue
        column = listing.columns[name]
        hint = hints[name]
        if hint in (int, int | None) and name not in COUNT_FIELDS:
            data[name] = _money_column(column)  # None (an unknown comparison) stays None
        elif hint in (Fraction | None, Fraction):
            data[name] = [ratio(v) for v in column_values(column)]
        elif hint is date:
            data[name] = pd.to_datetime(np.asarray(column_values(column)
                                                   if not isinstance(column, np.ndarray)
                                                   else column, dtype="datetime64[D]"))
        else:
            data[name] = _plain_column(column)
    frame = pd.DataFrame(data, columns=[f.name for f in dataclasses.fields(row_type)
                                        if f.name not in skip])
    for name in frame.columns:  # a money or ratio column: Decimal objects, None for null
        if frame[name].dtype == object:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None)
    return frame


def _compare_frame(rows: tuple[Compare, ...]) -> pd.DataFrame:
    import pandas as pd

    records = [{"key": row.key, **{c: _figure(getattr(row, c), row.key not in COUNT_FIELDS)
                                   for c in COMPARE_COLUMNS}} for row in rows]
    return pd.DataFrame(records, columns=["key", *COMPARE_COLUMNS], dtype=object)


def _items_frame(items: Sequence[tuple[str, Any]]) -> pd.DataFrame:
    """A key/value table (flows, ratios, figures): one column of mixed figures."""
    import pandas as pd

    return pd.DataFrame({"key": [k for k, _ in items],
                         "value": pd.Series([_figure(v, k not in COUNT_FIELDS)
                                             for k, v in items], dtype=object)})


def _fields(obj: Any, names: Sequence[str]) -> list[tuple[str, Any]]:
    return [(name, getattr(obj, name)) for name in names]


Tables = dict[str, "pd.DataFrame"]


def _summary(s: Sections) -> Tables:
    m = s.summary
    flows = ("disbursed", "disbursed_count", "collected", "written_off", "interest_received",
             "recovered")
    return {"compare": _compare_frame(m.table), "flows": _items_frame(_fields(m, flows)),
            "averages": _items_frame(_fields(m, ("avg_balance",)))}


def _quality(s: Sections) -> Tables:
    return {"grades": _compare_frame(s.quality.table)}


def _overdue(s: Sections) -> Tables:
    o = s.overdue
    return {"buckets": _compare_frame(o.table),
            "ratios": _items_frame(_fields(o, ("accounts", "over_90_to_npl", "par30",
                                               "par90")))}


def _structure(s: Sections) -> Tables:
    assert s.structure is not None
    from reportgen.model import BreakdownRow

    return {b.dimension: _rows_frame(b.rows, BreakdownRow) for b in s.structure.breakdowns}


def _concentration(s: Sections) -> Tables:
    c = s.concentration
    assert c is not None
    from reportgen.model import TopCustomer

    names = ("top1_balance", "top10_balance", "net_capital", "top1_ratio", "top10_ratio",
             "top_group_id", "top_group_balance", "top_group_ratio")
    return {"top10": _rows_frame(c.top10, TopCustomer), "ratios": _items_frame(_fields(c, names))}


def _inclusive(s: Sections) -> Tables:
    i = s.inclusive
    assert i is not None
    names = ("balance", "balance_year_start", "growth_rate", "total_growth_rate", "customers",
             "customers_year_start", "npl", "npl_ratio", "disbursed", "new_loan_avg_rate")
    return {"figures": _items_frame(_fields(i, names))}


def _provision(s: Sections) -> Tables:
    p = s.provision
    assert p is not None
    names = ("provision", "npl", "balance", "coverage_ratio", "provision_ratio")
    return {"figures": _items_frame(_fields(p, names))}


def _migration(s: Sections) -> Tables:
    import pandas as pd

    m = s.migration
    assert m is not None
    from reportgen.model import MigrationRate

    matrix = pd.DataFrame({"grade": list(GRADE_CODES),
                           "cohort_opening": [yuan(v) for v in m.cohort_opening],
                           **{g: [yuan(row[j]) for row in m.matrix]
                              for j, g in enumerate(GRADE_CODES)}})
    return {"rates": _rows_frame(m.rates, MigrationRate), "matrix": matrix}


def _maturity(s: Sections) -> Tables:
    m = s.maturity
    from reportgen.model import UpcomingLoan

    names = ("due_count", "due_amount", "due_collected", "due_collection_rate",
             "upcoming_days", "upcoming_count", "upcoming_balance")
    return {"due": _items_frame(_fields(m, names)),
            "upcoming": _rows_frame(m.upcoming, UpcomingLoan)}


def _watchlist(s: Sections) -> Tables:
    w = s.watchlist
    from reportgen.model import WatchEntry

    names = ("count", "balance", "new_count", "grade_check_count")
    return {"summary": _items_frame(_fields(w, names)),
            "entries": _rows_frame(w.entries, WatchEntry)}


def _account_managers(s: Sections) -> Tables:
    import pandas as pd

    a = s.account_managers
    assert a is not None
    from reportgen.model import ManagerRow

    tables = {"managers": _rows_frame(a.rows, ManagerRow, skip=("targets",))}
    if a.has_targets:
        records = [{"account_manager": r.account_manager, "metric": t.metric,
                    "period": t.period,
                    **{k: _figure(getattr(t, k), t.metric != "new_customers")
                       for k in ("target", "actual")},
                    "completion": ratio(t.completion)}
                   for r in a.rows for t in r.targets]
        tables["targets"] = pd.DataFrame(records, columns=[
            "account_manager", "metric", "period", "target", "actual", "completion"],
            dtype=object)
    return tables


def _trend(s: Sections) -> Tables:
    assert s.trend is not None
    from reportgen.model import TrendPoint

    return {"points": _rows_frame(s.trend.points, TrendPoint)}


def _indicators(s: Sections) -> Tables:
    assert s.indicators is not None
    from reportgen.model import Indicator

    return {"indicators": _rows_frame(s.indicators, Indicator)}


_SECTIONS: dict[str, Callable[[Sections], Tables]] = {
    "summary": _summary, "quality": _quality, "overdue": _overdue, "structure": _structure,
    "concentration": _concentration, "inclusive": _inclusive, "provision": _provision,
    "migration": _migration, "maturity": _maturity, "watchlist": _watchlist,
    "account_managers": _account_managers, "trend": _trend, "indicators": _indicators,
}


def report_frames(report: Report) -> dict[str, pd.DataFrame]:
    """Every table of every section the report holds, in report order; first, when the
    report carries its written analysis (文字分析, drafted when rendered or built with
    render options), its paragraphs as ``analysis/paragraphs`` (topic, text) and the
    drivers they name as ``analysis/drivers`` (side, dimension, key, name, change), as the
    JSON document puts it first."""
    import pandas as pd

    frames: dict[str, pd.DataFrame] = {}
    if report.analysis is not None:
        paragraphs = report.analysis.paragraphs
        frames["analysis/paragraphs"] = pd.DataFrame(
            {"topic": [p.topic for p in paragraphs], "text": [p.text for p in paragraphs]},
            columns=["topic", "text"])
        # the items the drivers paragraph names with their change (the JSON's drivers)
        named = report.analysis.drivers
        frames["analysis/drivers"] = pd.DataFrame(
            {"side": [d.side for d in named], "dimension": [d.dimension for d in named],
             "key": [d.key for d in named], "name": [d.name for d in named],
             "change": [yuan(d.change) for d in named]},
            columns=["side", "dimension", "key", "name", "change"])
    for name in report.sections.present():
        for key, frame in _SECTIONS[name](report.sections).items():
            frames[f"{name}/{key}"] = frame
    return frames
