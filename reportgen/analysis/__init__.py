"""文字分析: the written analysis that opens a report, drafted from its finished model.

It reads only the ``Report`` (never the engine or the ledger), so every number it writes
is a figure of the same report, shown exactly as the tables show it (``shown.py``).  The
topics' facts come from ``facts.py``, the words from the sentence templates in
``templates/analysis/`` (``sentences.py``), and the clerk's own paragraphs from a notes
file (``notes.py``).

The text is in one language and one money unit, which are rendering options: the model
carries the clerk's ``notes`` from the build, and ``ensure`` drafts the ``analysis`` for
the options a report is rendered with (``render.base.render`` calls it before any
format, so the JSON, Excel, PDF/HTML, docx and the mail of one run hold the same text).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reportgen.analysis.facts import topic_facts
from reportgen.analysis.sentences import environment, sentence
from reportgen.labels import Labels
from reportgen.model import Analysis, Paragraph, Report


def draft(report: Report, *, lang: str = "zh", unit: str = "wan",
          templates: Path | None = None) -> Analysis:
    """The analysis of ``report`` in ``lang`` with money in ``unit``."""
    labels = Labels(lang)
    env = environment(templates)
    common = {"report": report.report, "end": report.end, "lang": lang,
              "unit": labels.unit(unit), "period_name": labels.period_name(report.report,
                                                                           report.start,
                                                                           report.end)}
    paragraphs = []
    topics, named = topic_facts(report, labels, unit)
    for topic, facts in topics:
        text = sentence(env, topic, lang, {**common, **facts})
        if text:
            paragraphs.append(Paragraph(topic, text))
    notes = report.notes or None
    paragraphs += [Paragraph("notes", text) for text in notes or ()]
    said = any(p.topic == "drivers" for p in paragraphs)  # a template may say nothing
    return Analysis(lang=lang, unit=unit, paragraphs=tuple(paragraphs), notes=notes,
                    drivers=named if said else ())


def ensure(report: Report, *, lang: str = "zh", unit: str = "wan",
           templates: Path | None = None) -> Report:
    """``report`` with its analysis drafted for ``lang`` and ``unit`` (kept when it
    already is)."""
    current = report.analysis
    if current is not None and current.lang == lang and current.unit == unit:
        return report
    return dataclasses.replace(report, analysis=draft(report, lang=lang, unit=unit,
                                                      templates=templates))
