"""What a report mail says: its subject and its plain-text and HTML body.

The body opens with the report's written analysis (文字分析, analysis.md), then carries the
few figures a manager reads on a phone before opening the PDF — loan balance and its
change since the year start, the NPL ratio, any breached indicator.
They are taken from the report model once, when the report is made (``key_figures``), and
kept in the manifest record, so a mail re-sent by a later run shows exactly the archived
report's figures.  Money is kept there as exact yuan strings and ratios as exact fractions
("123/10000"), and rounded here only once, by ``reportgen.formatting`` like every format.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from reportgen.config_build import FORBIDDEN_CATEGORIES
from reportgen.deliver.archive import ReportRecord
from reportgen.formatting import NULL, money_in_unit, percent, yuan
from reportgen.labels import Labels
from reportgen.model import Report
from reportgen.render.sandbox import sandbox

# Words only the mail uses; titles, periods, units and figure names come from labels.py,
# so the subject says exactly what the report's own title page says.
WORDS = {
    "zh": {"heading": "主要指标", "change": "比年初", "breached": "超限指标", "none": "无",
           "limit_max": "上限", "limit_min": "下限", "attached": "附件", "period": "报告期",
           "footer": "本邮件由 reportgen {version} 自动发送，请勿直接回复。"},
    "en": {"heading": "Key figures", "change": "since year start",
           "breached": "Indicators over their limit", "none": "none", "limit_max": "max",
           "limit_min": "min", "attached": "Attached", "period": "Period",
           "footer": "Sent automatically by reportgen {version}; please do not reply."},
}


def period_label(report: str, start: date, lang: str) -> str:
    """2026年10月下旬 · 2026年10月 · 2026年第四季度 · 2026年度 (labels.py's period names)."""
    return Labels(lang).period_name(report, start)


def subject(record: ReportRecord, lang: str) -> str:
    """【信贷业务月报】示例农村商业银行城东支行 2026年10月 (no bank part when it is blank).

    The bank's name comes from the manifest record, which may predate the configuration
    check on control characters: a line break there would make every later run fail to
    build the header, so it is flattened to a space here too.
    """
    title = Labels(lang).report_title(record.report)
    bank = one_line(str(record.figures.get("bank") or ""))
    branch = one_line(str(record.figures.get("branch") or ""))
    label = period_label(record.report, date.fromisoformat(record.start), lang)
    if lang == "zh":
        return f"【{title}】{bank}{branch} {label}" if bank or branch else f"【{title}】{label}"
    return " ".join(x for x in (f"[{title}]", bank, branch, label) if x)


_BREAKS = frozenset("\t\n\v\f\r\u2028\u2029")


def one_line(text: str) -> str:
    """``text`` on one line: a line or column break becomes a space (so words stay apart),
    every other control, format or separator character is dropped (as in the body)."""
    cleaned = "".join(" " if c in _BREAKS else c for c in text
                      if c in _BREAKS or unicodedata.category(c) not in FORBIDDEN_CATEGORIES)
    return " ".join(cleaned.split())


def key_figures(report: Report) -> dict[str, Any]:
    """The figures the mail shows, exact, as kept in the manifest record."""
    summary, quality = report.sections.summary, report.sections.quality
    breached = [
        {"key": i.key, "value": _exact(i.value), "limit": str(i.limit),
         "direction": i.direction}
        for i in (report.sections.indicators or ()) if i.breached
    ]
    analysis = report.analysis
    return {
        "bank": report.bank, "branch": report.branch,
        # the text as drafted for the report (its language and unit), kept verbatim
        "analysis": [] if analysis is None else [p.text for p in analysis.paragraphs],
        "balance": yuan(summary.balance), "balance_year_start": (
            None if summary.balance_year_start is None else yuan(summary.balance_year_start)),
        "npl": yuan(quality.npl), "npl_ratio": _exact(quality.npl_ratio),
        "breached": breached,
    }


def render_bodies(record: ReportRecord, attachments: list[str], *, lang: str,
                  unit: str) -> tuple[str, str]:
    """(plain text, HTML) for one report's mail."""
    ctx = _context(record, attachments, lang, unit)
    return _TEXT.render(ctx), _HTML.render(ctx)


def _context(record: ReportRecord, attachments: list[str], lang: str,
             unit: str) -> dict[str, Any]:
    labels, words = Labels(lang), WORDS[lang]
    fig = record.figures
    balance = _fen(fig["balance"])
    year_start = fig.get("balance_year_start")  # null: before the ledger's first date
    change = None if year_start is None else balance - _fen(year_start)
    breached = []
    for item in fig.get("breached", []):
        side = words["limit_max"] if item["direction"] == "max" else words["limit_min"]
        breached.append({
            "name": labels(item["key"]),
            "value": _pct(item["value"]), "limit": f"{side} {_pct(item['limit'])}",
        })
    return {
        "lang": "zh-CN" if lang == "zh" else "en",
        "subject": subject(record, lang),
        "analysis": list(fig.get("analysis", [])),  # records made before 文字分析: none
        "w": {**words, "balance": labels("balance"), "npl": labels("npl"),
              "npl_ratio": labels("npl_ratio")},
        "unit": labels.unit(unit),
        "period": f"{record.start} – {record.end}",
        "balance": _money(balance, unit),
        "change": NULL if change is None else _money(change, unit, signed=True),
        "npl": _money(_fen(fig["npl"]), unit),
        "npl_ratio": _pct(fig.get("npl_ratio")),
        "breached": breached,
        "attachments": attachments,
        "footer": words["footer"].format(version=record.version),
    }


def _fen(text: str) -> int:
    return int(Decimal(text) * 100)


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else str(value)


def _money(fen: int, unit: str, *, signed: bool = False) -> str:
    return format(money_in_unit(fen, unit), "+," if signed else ",")


def _pct(value: str | None) -> str:
    shown = percent(None if value is None else Fraction(value))
    return NULL if shown is None else f"{shown}%"


# The mail's templates are ours, but they print the bank's name and the report's words:
# they run in the same sandbox as the report templates (render/sandbox.py), uncut.
_ENV = sandbox(limit=None, keep_trailing_newline=True)
_TEXT = sandbox(limit=None, autoescape=False, keep_trailing_newline=True,
                trim_blocks=True, lstrip_blocks=True).from_string("""\
{{ subject }}
{{ w.period }}: {{ period }}

{% for paragraph in analysis %}
{{ paragraph }}

{% endfor %}
{{ w.heading }} ({{ unit }})
  {{ w.balance }}: {{ balance }} ({{ w.change }} {{ change }})
  {{ w.npl }}: {{ npl }}
  {{ w.npl_ratio }}: {{ npl_ratio }}
  {{ w.breached }}:{{ (" " ~ w.none) if not breached else "" }}
{% for b in breached %}
    {{ b.name }}: {{ b.value }} ({{ b.limit }})
{% endfor %}

{{ w.attached }}: {{ attachments | join(", ") if attachments else w.none }}

{{ footer }}
""")
_HTML = _ENV.from_string("""\
<!DOCTYPE html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<title>{{ subject }}</title></head>
<body style="font-family: 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif">
<h2>{{ subject }}</h2>
<p>{{ w.period }}: {{ period }}</p>
{% for paragraph in analysis %}<p style="text-indent: 2em">{{ paragraph }}</p>
{% endfor %}<table border="1" cellpadding="4" cellspacing="0" style="border-collapse: collapse">
<caption>{{ w.heading }} ({{ unit }})</caption>
<tr><th align="left">{{ w.balance }}</th><td align="right">{{ balance }}</td></tr>
<tr><th align="left">{{ w.change }}</th><td align="right">{{ change }}</td></tr>
<tr><th align="left">{{ w.npl }}</th><td align="right">{{ npl }}</td></tr>
<tr><th align="left">{{ w.npl_ratio }}</th><td align="right">{{ npl_ratio }}</td></tr>
</table>
<p><strong>{{ w.breached }}:</strong>{% if not breached %} {{ w.none }}{% endif %}</p>
{% if breached %}<ul>
{% for b in breached %}<li style="color: #c00">{{ b.name }}: {{ b.value }} ({{ b.limit }})</li>
{% endfor %}</ul>{% endif %}
<p>{{ w.attached }}: {{ attachments | join(", ") if attachments else w.none }}</p>
<p style="color: #666">{{ footer }}</p>
</body></html>
""")
