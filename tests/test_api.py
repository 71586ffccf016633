"""The API shares one loaded ledger between reports: the engine caches each as-of date's
state, and a report built after others (a month-end run) is identical to one built alone."""

from __future__ import annotations

from pathlib import Path

from ledgers import write_ledger

from reportgen import api
from reportgen.config import Config
from reportgen.render.json import report_dict

LEDGER = {
    "customers": """
        C1,甲制造有限公司,corporate,small,C,,G1,
        C2,李四,individual_business,,F,,,
        """,
    "loans": """
        L1,C1,城东支行,王五,流动资金贷款,mortgage,1000000,2024-12-01,2026-03-01,4.35
        L2,C2,城东支行,赵六,个人经营性贷款,credit,200000,2025-11-15,2026-01-20,5.00
        """,
    "transactions": """
        L1,2024-12-01,disburse,1000000
        L1,2025-12-20,repay,100000
        L2,2025-11-15,disburse,200000
        L2,2025-12-31,repay,50000
        """,
    "classifications": """
        L1,2024-12-01,normal,
        L2,2025-11-15,normal,
        L2,2025-12-31,special_mention,2025-12-25
        """,
}
# L1 drawn in December 2024: the ledger covers the yearly report of 2025 and its year start
MONTH_END = [("dekad", "2025-12-D3"), ("monthly", "2025-12"), ("quarterly", "2025-Q4"),
             ("yearly", "2025")]


def _json(session: api.Session, report: str, period: str) -> dict[str, object]:
    doc = report_dict(api.build(session, report, period, Config()))
    doc.pop("generated_at")
    return doc


def test_shared_state_gives_the_same_json_as_separate_runs(tmp_path: Path) -> None:
    folder = write_ledger(tmp_path / "ledger", **LEDGER)
    shared = api.open_ledger(folder)
    together = [_json(shared, r, p) for r, p in MONTH_END]
    alone = [_json(api.open_ledger(folder), r, p) for r, p in MONTH_END]
    assert together == alone
    # balance on 2025-12-31: 900,000 + 150,000 (worked out by hand)
    assert {doc["sections"]["summary"]["balance"] for doc in together} == {"1050000.00"}


def test_each_as_of_date_is_computed_once(tmp_path: Path) -> None:
    session = api.open_ledger(write_ledger(tmp_path / "ledger", **LEDGER))
    first = None
    for report, period in MONTH_END:
        api.build(session, report, period, Config())
        if first is None:
            first = session.engine.snapshot(api.parse_period("2025-12-D3").end)
    # Dates needed, by hand: the 12 month ends of 2025 (yearly trend; they include D,
    # the monthly opening 2025-11-30 and the quarterly opening 2025-09-30), the dekad
    # opening 2025-12-20, and 2024-12-31 (year start, same day last year and the yearly
    # opening): 14 distinct days, each snapshot made once and reused.
    assert len(session.engine._snapshots) == 14
    assert session.engine.snapshot(first.day) is first
