"""reportgen/analysis/sentences.py: sentence templates a bank overrides, in a sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import make_report

from reportgen.analysis import draft
from reportgen.analysis.sentences import environment, sentence
from reportgen.errors import TemplateError


def test_a_bank_overrides_one_topic_and_extends_nothing_else(tmp_path: Path) -> None:
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / "scale.zh.txt").write_text(
        "{% import \"_macros.zh.txt\" as m with context %}\n"
        "本行各项贷款余额{{ balance.current }}{{ unit }}\n"
        "{{ m.compare(balance) }}。\n", encoding="utf-8")
    report = make_report("monthly")
    ours, builtin = draft(report, templates=tmp_path), draft(report)
    assert ours.paragraphs[0].text.startswith("本行各项贷款余额")
    assert "比年初" in ours.paragraphs[0].text  # the built-in macros stay in reach
    assert ours.paragraphs[1:] == builtin.paragraphs[1:]


def test_default_prefix_reaches_the_builtin(tmp_path: Path) -> None:
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / "watchlist.zh.txt").write_text(
        '{% include "default:watchlist.zh.txt" %}请各支行跟进。', encoding="utf-8")
    report = make_report("monthly")
    ours = {p.topic: p.text for p in draft(report, templates=tmp_path).paragraphs}
    builtin = {p.topic: p.text for p in draft(report).paragraphs}
    assert ours["watchlist"] == builtin["watchlist"] + "请各支行跟进。"


REPORT_TYPES = ("monthly", "dekad", "weekly", "custom", "quarterly", "halfyear", "yearly")


@pytest.mark.parametrize("report", REPORT_TYPES)
@pytest.mark.parametrize(("topic", "body"), [
    ("scale", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
    ("scale", "{{ balance.__class__.__init__.__globals__ }}"),
    ("drivers", "{{ sides[0].groups[0]['items'][0].change.__class__.__init__.__globals__ }}"),
])
def test_templates_run_in_a_sandbox(tmp_path: Path, body: str, topic: str,
                                    report: str) -> None:
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / f"{topic}.zh.txt").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError, match=rf"{topic}\.zh\.txt"):
        draft(make_report(report), templates=tmp_path)


@pytest.mark.parametrize("report", ["dekad", "weekly", "custom", "monthly"])
def test_a_bank_overrides_the_drivers_sentence(tmp_path: Path, report: str) -> None:
    """The drivers of a report without the structure tables (dekad, weekly, custom) go
    through the same template a bank overrides; the items named stay in the analysis."""
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / "drivers.zh.txt").write_text(
        "{% import \"_macros.zh.txt\" as m with context %}\n"
        "{% for side in sides %}{% for g in side.groups %}{% for i in g['items'] %}\n"
        "[{{ side.side }}/{{ g.dimension }}/{{ i.key }}:{{ m.money_change(i.change) }}]\n"
        "{% endfor %}{% endfor %}{% endfor %}\n", encoding="utf-8")
    made = make_report(report)
    ours = draft(made, templates=tmp_path)
    text = next(p.text for p in ours.paragraphs if p.topic == "drivers")
    assert text.startswith("[year_start/branch/城东支行:增加")
    assert text.count("[") == len(ours.drivers) > 0
    assert ours.drivers == draft(made).drivers


@pytest.mark.parametrize(("body", "message"), [
    ("{{ no_such_figure }}", "no_such_figure"),
    ("{% if %}", r"line 1"),
])
def test_template_mistakes_are_clear(tmp_path: Path, body: str, message: str) -> None:
    folder = tmp_path / "analysis"
    folder.mkdir()
    (folder / "scale.zh.txt").write_text(body, encoding="utf-8")
    with pytest.raises(TemplateError, match=message):
        draft(make_report("monthly"), templates=tmp_path)


def test_lines_are_joined_per_language(tmp_path: Path) -> None:
    folder = tmp_path / "analysis"
    folder.mkdir()
    for lang in ("zh", "en"):
        (folder / f"notes_test.{lang}.txt").write_text(
            "{{ a }}\n  {{ b }}\n\n{{ c }} ,\n", encoding="utf-8")
    env = environment(tmp_path)
    words = {"a": "甲", "b": "乙", "c": "丙"}
    assert sentence(env, "notes_test", "zh", words) == "甲乙丙 ,"  # spaces in a line stay
    words = {"a": "One", "b": "two", "c": "three"}
    assert sentence(env, "notes_test", "en", words) == "One two three,"
    assert sentence(env, "breaches", "en", {"items": []}) == (
        "All regulatory indicators are within their limits.")
