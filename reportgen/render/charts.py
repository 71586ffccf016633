"""Chart geometry for the HTML/PDF: where each bar, point and label goes, in SVG units.

The figures come from the model and their labels from formatting.py; this module only
scales them into coordinates.  The SVG markup itself lives in ``templates/_charts.html``
(no HTML built in Python, no JavaScript), so WeasyPrint draws the charts as vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from reportgen.formatting import money_text, percent_text
from reportgen.labels import Labels
from reportgen.ledger.schema import GRADE_CODES
from reportgen.model import Quality, Trend

GRADE_COLOURS = ("#4e79a7", "#f2c14e", "#f28e2b", "#e15759", "#9c2f2f")
BAR_COLOUR = "#4e79a7"
LINE_COLOUR = "#c0392b"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    label: str  # category, drawn beside or below the bar
    value: str  # the figure as shown in the tables


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass(frozen=True)
class AxisLabel:
    x: float
    y: float
    text: str
    anchor: str  # SVG text-anchor: start · middle · end


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    width: float
    height: float
    bars: tuple[Bar, ...]
    line: tuple[Point, ...] = ()
    labels: tuple[AxisLabel, ...] = ()
    legend: tuple[tuple[str, str], ...] = ()  # (colour, text)
    plot: tuple[float, float, float, float] = (0, 0, 0, 0)  # x0, y0, x1, y1 of the axes

    @property
    def points(self) -> str:
        """The line's points in the form of SVG's ``points`` attribute."""
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.line)


def quality_mix(quality: Quality, labels: Labels, unit: str) -> Chart:
    """Horizontal bars of the balance per grade on D."""
    values = [getattr(quality, g) for g in GRADE_CODES]
    top = max(*values, 1)
    row, bar_height, left, span = 22.0, 15.0, 84.0, 240.0
    bars = tuple(
        Bar(left, 8 + n * row, span * value / top, bar_height, colour,
            labels.field("quality", grade), money_text(value, unit))
        for n, (grade, value, colour) in enumerate(zip(GRADE_CODES, values, GRADE_COLOURS,
                                                      strict=True))
    )
    return Chart("quality_mix", labels("chart.quality_mix"), 460, 8 + 5 * row + 6, bars,
                 plot=(left, 4, left + span, 8 + 5 * row))


def trend(points: Trend, labels: Labels, unit: str) -> Chart:
    """Month-end balance as bars with the NPL ratio as a line on its own scale."""
    x0, y0, x1, y1 = 64.0, 28.0, 600.0, 176.0
    n = max(len(points.points), 1)
    slot = (x1 - x0) / n
    balance_top = max([p.balance for p in points.points if p.balance is not None] + [1])
    ratios = [p.npl_ratio for p in points.points if p.npl_ratio is not None]
    ratio_top = max(ratios) * Fraction(5, 4) if ratios and max(ratios) > 0 else Fraction(1)
    bars, line, axis = [], [], []
    for i, p in enumerate(points.points):
        middle = x0 + slot * (i + 0.5)
        month = int(p.month.split("-")[1])
        name = labels.month_name(month)
        short = name if labels.lang == "zh" else name[:3]
        if p.balance is not None:  # an unknown month end has no bar, not a bar of 0
            height = (y1 - y0) * p.balance / balance_top
            bars.append(Bar(middle - slot * 0.3, y1 - height, slot * 0.6, height, BAR_COLOUR,
                            short, money_text(p.balance, unit)))
        axis.append(AxisLabel(middle, y1 + 14, short, "middle"))
        if p.npl_ratio is not None:
            line.append(Point(middle, y1 - float((y1 - y0) * p.npl_ratio / ratio_top)))
    axis += [
        AxisLabel(x0 - 6, y0 + 4, money_text(balance_top, unit), "end"),
        AxisLabel(x0 - 6, y1 + 4, money_text(0, unit), "end"),
        AxisLabel(x1 + 6, y0 + 4, percent_text(ratio_top), "start"),
        AxisLabel(x1 + 6, y1 + 4, percent_text(Fraction(0)), "start"),
    ]
    legend = ((BAR_COLOUR, f"{labels('balance')}（{labels.unit(unit)}）"
               if labels.lang == "zh" else f"{labels('balance')} ({labels.unit(unit)})"),
              (LINE_COLOUR, labels("npl_ratio")))
    return Chart("trend", labels("chart.trend"), 660, 196, tuple(bars), tuple(line),
                 tuple(axis), legend, (x0, y0, x1, y1))
