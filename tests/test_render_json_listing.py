"""render/json_listing.py: a listing written column by column is the text json.dumps writes."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from fractions import Fraction

import numpy as np
from factories import make_report
from hypothesis import given, settings
from hypothesis import strategies as st

from reportgen.formatting import ratio6, yuan
from reportgen.model import Listing, Report, UpcomingLoan, WatchEntry
from reportgen.render.json import report_dict, report_json
from reportgen.render.json_listing import MadeBefore, money_texts


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@given(st.lists(st.integers(min_value=-10**17, max_value=10**17)))
def test_money_texts_are_yuan(fen: list[int]) -> None:
    expected = [f'"{yuan(v)}"' for v in fen]
    assert money_texts(np.array(fen, dtype=np.int64)).to_pylist() == expected
    assert money_texts(fen).to_pylist() == expected


TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


# no deadline: each document drafts its written analysis, and the first draft of a process
# compiles the sentence templates (a few hundred ms on a busy machine)
@settings(deadline=None)
@given(st.lists(st.tuples(TEXT, TEXT, st.integers(0, 10**15), st.integers(0, 400),
                          st.booleans(), st.booleans()), max_size=20))
def test_watch_entries_as_columns_equal_json_dumps_of_their_dicts(
        rows: list[tuple[str, str, int, int, bool, bool]]) -> None:
    entries = [WatchEntry(loan, f"C{i}", name, "张三", "城东支行", balance, "loss", days, new,
                          check)
               for i, (loan, name, balance, days, new, check) in enumerate(rows)]
    dicts = [{"loan_id": e.loan_id, "customer_id": e.customer_id,
              "customer_name": e.customer_name, "account_manager": e.account_manager,
              "branch": e.branch, "balance": yuan(e.balance), "grade": e.grade,
              "overdue_days": e.overdue_days, "new": e.new, "grade_check": e.grade_check}
             for e in entries]
    report = make_report("monthly")
    as_rows = _with_entries(report, tuple(entries))
    as_columns = _with_entries(report, Listing(WatchEntry, {
        "loan_id": [e.loan_id for e in entries],
        "customer_id": [e.customer_id for e in entries],
        "customer_name": [e.customer_name for e in entries],
        "account_manager": [e.account_manager for e in entries],
        "branch": [e.branch for e in entries],
        "balance": np.array([e.balance for e in entries], dtype=np.int64),
        "grade": [e.grade for e in entries],
        "overdue_days": np.array([e.overdue_days for e in entries], dtype=np.int64),
        "new": np.array([e.new for e in entries], dtype=bool),
        "grade_check": np.array([e.grade_check for e in entries], dtype=bool),
    }))
    expected = _dumps(dicts)
    for variant in (as_rows, as_columns):
        text = report_json(variant)
        assert f'"entries":{expected}' in text
        assert report_dict(variant)["sections"]["watchlist"]["entries"] == dicts


def _with_entries(report: Report, entries: Sequence[WatchEntry]) -> Report:
    watch = replace(report.sections.watchlist, entries=entries)
    return replace(report, sections=replace(report.sections, watchlist=watch))


def test_the_whole_document_is_json_dumps_of_its_dict() -> None:
    for kind in ("dekad", "monthly", "quarterly", "yearly"):
        text = report_json(make_report(kind))
        assert text == _dumps(json.loads(text))


def test_ratio_columns_write_null_and_six_places() -> None:
    report = make_report("monthly")
    rows = report_dict(report)["sections"]["structure"]["industry"]
    structure = report.sections.structure
    assert structure is not None
    model_rows = structure.get("industry").rows
    assert [r["share"] for r in rows] == [ratio6(r.share) for r in model_rows]
    assert ratio6(Fraction(1, 3)) == "0.333333"


def test_a_listing_reads_like_a_tuple_of_rows() -> None:
    rows = (UpcomingLoan("L1", "C1", "甲", "张三", "城东", 100, date(2026, 7, 1), "normal"),
            UpcomingLoan("L2", "C2", "乙", "李四", "城西", 250, date(2026, 7, 2), "loss"))
    listing = Listing(UpcomingLoan, {
        "loan_id": ["L1", "L2"], "customer_id": ["C1", "C2"], "customer_name": ["甲", "乙"],
        "account_manager": ["张三", "李四"], "branch": ["城东", "城西"],
        "balance": np.array([100, 250], dtype=np.int64),
        "maturity_date": np.array(["2026-07-01", "2026-07-02"], dtype="datetime64[D]"),
        "grade": ["normal", "loss"]})
    assert len(listing) == 2
    assert listing == rows
    assert tuple(listing) == rows
    assert listing[1] == rows[1]
    assert listing[-1] == rows[1]
    assert type(listing[0].balance) is int
    assert type(listing[0].maturity_date) is date
    assert listing[:1] == rows[:1]
    assert list(listing[5:]) == []
    assert Listing.of_rows(UpcomingLoan, rows) == rows


def test_made_before_remembers_by_identity_and_forgets_the_oldest() -> None:
    made = MadeBefore(2)
    calls: list[str] = []

    def make(text: str) -> str:
        calls.append(text)
        return text

    a, b, c = np.arange(3), np.arange(3), np.arange(3)  # equal, but three objects
    assert made.get(a, "k", lambda: make("a")) == "a"
    assert made.get(a, "k", lambda: make("again")) == "a"  # the same object: not made again
    assert made.get(a, "other", lambda: make("a2")) == "a2"  # another kind of text
    assert made.get(b, "k", lambda: make("b")) == "b"  # an equal object is another entry
    assert made.get(c, "k", lambda: make("c")) == "c"
    assert made.get(a, "k", lambda: make("a3")) == "a3"  # evicted (size 2): made again
    assert calls == ["a", "a2", "b", "c", "a3"]
