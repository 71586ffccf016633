"""Reading the written analysis back: every number in it must be a figure of its report.

The numbers are parsed out of each paragraph and compared with what the report's tables
show (the same ``SectionView`` cells every format lays out, as ``formatting.text`` shows
them), plus the few figures the analysis derives, worked out here from their definitions:
growth rate = change / base (base > 0), a breach's gap = |value − limit|, and per target
metric and period the bank's sums, completion = actual / target and time progress =
elapsed days / days of the period.
"""

from __future__ import annotations

import re
from fractions import Fraction

from reportgen.formatting import Kind, grouped, money_in_unit, percent, text
from reportgen.labels import Labels
from reportgen.model import Compare, Report
from reportgen.periods import parse_period, report_of
from reportgen.render.tables import build_sections

DECIMAL = re.compile(r"(?<![\d.])-?\d{1,3}(?:,\d{3})*\.\d{2}(?![\d])")
COUNT_ZH = re.compile(r"(\d[\d,]*)(?:笔|户)")
COUNT_EN = re.compile(r"(?<![\d.,])(\d[\d,]*) (?:loans?|of them|has|have)")


def _bare(shown: str) -> str:
    for mark in ("≤ ", "≥ ", "个百分点", " pp", "%"):
        shown = shown.replace(mark, "")
    return shown.lstrip("-")


def _pct(value: Fraction) -> str:
    shown = percent(value)
    assert shown is not None
    return grouped(abs(shown))


def table_figures(report: Report, lang: str, unit: str) -> tuple[set[str], set[str]]:
    """(decimal texts, count texts) the report's tables show, without signs and marks."""
    labels = Labels(lang)
    decimals, counts = set(), set()
    for view in build_sections(report, labels, max_rows=None):
        for table in view.tables:
            for row in table.rows:
                for cell in row:
                    if cell.kind in (Kind.TEXT, Kind.DATE) or cell.value is None:
                        continue
                    shown = _bare(text(cell.kind, cell.value, unit, lang))
                    (counts if cell.kind is Kind.COUNT else decimals).add(shown)
    return decimals, counts


def derived_figures(report: Report, unit: str) -> set[str]:
    """The figures the analysis derives from table figures (see the module docstring)."""
    s = report.sections
    out: set[str] = set()
    compares: list[Compare] = [*s.summary.table, *s.quality.table, *s.overdue.table]
    if s.deposits is not None:  # the deposits topic's growth rates (存款 比上期 / 比年初)
        compares += s.deposits.balances
    for row in compares:
        for change, base in ((row.change_opening, row.opening),
                             (row.change_year_start, row.year_start),
                             (row.change_last_year, row.last_year)):
            if isinstance(base, int) and isinstance(change, int) and base > 0:
                out.add(_pct(Fraction(change, base)))
    for i in s.indicators or ():
        if i.value is not None:
            out.add(_pct(abs(i.value - i.limit)))
            out.add(_pct(i.limit))
    if s.account_managers is not None:
        sums: dict[tuple[str, str], list[int]] = {}
        for r in s.account_managers.rows:
            for g in r.targets:
                pair = sums.setdefault((g.metric, g.period), [0, 0])
                pair[0] += g.target
                pair[1] += g.actual
        for (metric, period), (target, actual) in sums.items():
            if metric != "new_customers":
                out |= {grouped(abs(money_in_unit(target, unit))),
                        grouped(abs(money_in_unit(actual, unit)))}
            if target > 0:
                out.add(_pct(Fraction(actual, target)))
            p = parse_period(period, report_of(period))
            elapsed = (min(report.end, p.end) - p.start).days + 1
            out.add(_pct(Fraction(elapsed, (p.end - p.start).days + 1)))
    return out


def target_counts(report: Report) -> set[str]:
    a = report.sections.account_managers
    if a is None:
        return set()
    sums: dict[str, int] = {}
    for r in a.rows:
        for g in r.targets:
            if g.metric == "new_customers":
                sums[g.period + "t"] = sums.get(g.period + "t", 0) + g.target
                sums[g.period + "a"] = sums.get(g.period + "a", 0) + g.actual
    return {f"{v:,}" for v in sums.values()}


def unknown_numbers(report: Report, lang: str, unit: str = "wan") -> list[tuple[str, str]]:
    """(topic, number) for every number of the analysis that no figure of the report
    shows; the clerk's notes are the clerk's and are not checked."""
    assert report.analysis is not None
    decimals, counts = table_figures(report, lang, unit)
    decimals |= derived_figures(report, unit)
    counts |= target_counts(report)
    counts.add(str(report.sections.maturity.upcoming_days))
    bad = []
    count_pattern = COUNT_ZH if lang == "zh" else COUNT_EN
    # a report without the structure tables states its drivers' changes in the analysis
    # (its JSON shows them); tests/test_analysis.py checks those against the ledger
    named = set() if report.sections.structure is not None else {
        grouped(abs(money_in_unit(d.change, unit))) for d in report.analysis.drivers}
    for p in report.analysis.paragraphs:
        if p.topic == "notes":
            continue
        for number in DECIMAL.findall(p.text):
            if number.lstrip("-") not in decimals | (named if p.topic == "drivers" else set()):
                bad.append((p.topic, number))
        for number in count_pattern.findall(p.text):
            if number not in counts:
                bad.append((p.topic, number))
    return bad


CHANGE_ZH = {"opening": {"dekad": "上旬末", "monthly": "上月末", "quarterly": "上季末",
                         "weekly": "上周末", "custom": "期初", "halfyear": "上半年末"},
             "year_start": "年初", "last_year": "上年同期"}


def change_words(report: Report, topic: str, word: str) -> list[tuple[str, str | None]]:
    """(verb, number) after each "比{word}" of a Chinese paragraph."""
    assert report.analysis is not None
    paragraph = next(p.text for p in report.analysis.paragraphs if p.topic == topic)
    return re.findall(rf"比{word}(增加|减少|上升|下降|持平)([\d,]+\.\d{{2}})?", paragraph)


def expected_verb(shown_sign: int, money: bool = True) -> str:
    if shown_sign == 0:
        return "持平"
    if money:
        return "增加" if shown_sign > 0 else "减少"
    return "上升" if shown_sign > 0 else "下降"


def shown_sign(fen: int, unit: str = "wan") -> int:
    value = money_in_unit(fen, unit)
    return (value > 0) - (value < 0)
