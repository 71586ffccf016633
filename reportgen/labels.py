"""Every word a report shows, in Chinese and English, from one catalogue.

Renderers never spell a label themselves: they ask ``Labels(lang)`` for it, so ``--lang
en`` changes every title, column header, period and month name at once, and a test can
check that no key lacks a translation.  The words themselves are in labels_catalogue.py
(enum labels from ``ledger/schema.py``, with English added).  Period names are derived
from the report type and its start date, not by parsing the period id.
"""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from typing import TYPE_CHECKING

from reportgen.labels_catalogue import CATALOGUE, ENUM_EN, ENUM_ZH

if TYPE_CHECKING:
    from reportgen.model import DataWarning

LOG = logging.getLogger(__name__)

LANGS = ("zh", "en")
GRADE_PARAMS = frozenset({"grade", "expected"})  # warning parameters that hold a grade code

MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
DEKADS = {"zh": ("上旬", "中旬", "下旬"), "en": ("Early", "Mid", "Late")}
QUARTERS_ZH = ("一", "二", "三", "四")


class Labels:
    """The catalogue in one language; ``labels("balance")`` → "贷款余额" or "Loan balance"."""

    def __init__(self, lang: str = "zh") -> None:
        if lang not in LANGS:
            raise ValueError(f"unknown language {lang!r}; choose from {', '.join(LANGS)}")
        self.lang = lang
        self._index = LANGS.index(lang)

    def __call__(self, key: str, /, **params: object) -> str:
        """The label for ``key``, with ``{name}`` placeholders filled from ``params``.

        A key missing from the catalogue is shown as itself (visible, never blank) and
        logged; ``tests/test_labels.py`` keeps every key the renderers use translated.
        """
        entry = CATALOGUE.get(key)
        if entry is None:
            LOG.warning("no label for %r", key)
            text = key
        else:
            text = entry[self._index]
        return text.format(**params) if params else text

    def field(self, section: str, key: str) -> str:
        """A figure's label, preferring the section's own wording ("quality.normal")."""
        scoped = f"{section}.{key}"
        return self(scoped if scoped in CATALOGUE else key)

    def has(self, key: str) -> bool:
        return key in CATALOGUE

    def enum(self, dimension: str, code: str) -> str:
        """The label of an enum code; ledger text (branch, product …) is shown as is."""
        if code == "":
            return self("blank")
        table = (ENUM_ZH if self.lang == "zh" else ENUM_EN).get(dimension)
        if table is None:
            return code
        return table.get(code, code)

    def warning(self, warning: DataWarning) -> str:
        """A data-quality warning as a sentence: 借据 L1 在 2026-10-31 逾期 95 天，分类为关注类，
        应至少为次级类 / loan L1 is 95 days overdue on 2026-10-31 but graded special_mention;
        at least substandard expected.

        Chinese names grades by their labels; English keeps the ledger's grade codes (what
        a user types in the ledger and searches for).
        """
        params = {name: (self.field("quality", str(value))
                         if name in GRADE_PARAMS and self.lang == "zh" else value)
                  for name, value in warning.params}
        if isinstance(params.get("overdue_days"), int):
            params["overdue_days"] = f"{params['overdue_days']:,}"
        return self(f"warning.{warning.kind}", loan_id=warning.loan_id,
                    day=warning.day.isoformat(), **params)

    def section(self, name: str) -> str:
        return self(f"section.{name}")

    def unit(self, unit: str) -> str:
        return self(f"unit.{unit}")

    def report_title(self, report: str) -> str:
        return self(f"title.{report}")

    def month_name(self, month: int) -> str:
        """10 → "10月" / "October"."""
        return f"{month}月" if self.lang == "zh" else MONTHS_EN[month - 1]

    def month(self, year: int, month: int) -> str:
        """2026, 10 → "2026年10月" / "October 2026"."""
        if self.lang == "zh":
            return f"{year}年{month}月"
        return f"{MONTHS_EN[month - 1]} {year}"

    def month_id(self, month_id: str) -> str:
        """A trend point's month "2026-07" → "2026年7月" / "July 2026"."""
        year, month = month_id.split("-")
        return self.month(int(year), int(month))

    def period_name(self, report: str, start: date, end: date | None = None) -> str:
        """The period a report covers, named from its type and first day (and last day,
        which only a custom window needs).

        2026年10月中旬 · 2026年10月 · 2026年第三季度 · 2026年度 · 2026年上半年 ·
        2026年第45周 · 2026年10月5日至10月18日 (zh); Mid October 2026 · October 2026 ·
        Q3 2026 · Year 2026 · H1 2026 · Week 45 of 2026 · 5 October 2026 to 18 October
        2026 (en).
        """
        year, month = start.year, start.month
        if report in ("halfyear", "weekly", "custom"):
            return self._assessment_period(report, start, end)
        if report == "dekad":
            part = DEKADS[self.lang][min((start.day - 1) // 10, 2)]
            if self.lang == "zh":
                return f"{year}年{month}月{part}"
            return f"{part} {MONTHS_EN[month - 1]} {year}"
        if report == "monthly":
            return self.month(year, month)
        if report == "quarterly":
            quarter = (month - 1) // 3 + 1
            if self.lang == "zh":
                return f"{year}年第{QUARTERS_ZH[quarter - 1]}季度"
            return f"Q{quarter} {year}"
        if report == "yearly":
            return f"{year}年度" if self.lang == "zh" else f"Year {year}"
        raise ValueError(f"unknown report type {report!r}")

    def _assessment_period(self, report: str, start: date, end: date | None) -> str:
        zh = self.lang == "zh"
        if report == "halfyear":
            half = 1 if start.month <= 6 else 2
            return f"{start.year}年{'上下'[half - 1]}半年" if zh else f"H{half} {start.year}"
        if report == "weekly":
            year, week, _ = start.isocalendar()  # the ISO year: W01 may start in December
            return f"{year}年第{week}周" if zh else f"Week {week} of {year}"
        last = end or start
        if zh:
            tail = (f"{last.month}月{last.day}日" if last.year == start.year
                    else f"{last.year}年{last.month}月{last.day}日")
            return f"{start.year}年{start.month}月{start.day}日至{tail}"
        return (f"{start.day} {MONTHS_EN[start.month - 1]} {start.year} to "
                f"{last.day} {MONTHS_EN[last.month - 1]} {last.year}")

    def period_id_name(self, period_id: str) -> str:
        """A period id as words: "2026-Q4" → "2026年第四季度"; anything else as is."""
        half = re.fullmatch(r"(\d{4})-H([12])", period_id)
        if half is not None:
            return self.period_name("halfyear", date(int(half[1]), 6 * int(half[2]) - 5, 1))
        match = re.fullmatch(r"(\d{4})(?:-Q([1-4])|-(\d{2})(?:-D([1-3]))?)?", period_id)
        if match is None:
            return period_id
        year, quarter, month, dekad = match.groups()
        if quarter:
            return self.period_name("quarterly", date(int(year), 3 * int(quarter) - 2, 1))
        if dekad:
            return self.period_name("dekad", date(int(year), int(month),
                                                  10 * int(dekad) - 9))
        if month:
            return self.period_name("monthly", date(int(year), int(month), 1))
        return self.period_name("yearly", date(int(year), 1, 1))

    def date_range(self, start: date, end: date) -> str:
        sep = "至" if self.lang == "zh" else " to "
        return f"{start.isoformat()}{sep}{end.isoformat()}"

    def timestamp(self, moment: datetime) -> str:
        return moment.strftime("%Y-%m-%d %H:%M:%S")
