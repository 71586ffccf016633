"""reportgen/metrics/indicators.py: each regulatory ratio against its configured limit.

From metrics.md ("indicators", "Regulatory indicators"): {key, value, limit, direction,
breached}; a `max` limit is breached when value > limit, a `min` limit when value < limit
(a value exactly at its limit passes); breached is null when the value is null. Values are
compared exactly, not as shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportgen.config import Config, ThresholdsConfig
from reportgen.model import Report
from reportgen.render.json import report_dict

MakeReport = Callable[..., Report]

# monthly 2026-06: D = 30 Jun. Balance 1,000,000; L2 is substandard and
# (30 Jun − 1 Mar) + 1 = 122 days overdue, so npl = over_90 = 50,000.
TWO_LOANS = {
    "customers": """
        C1,甲公司,corporate,small,C,,G1,
        C2,乙,individual,,A,,,
        """,
    "loans": """
        L1,C1,B1,王,,credit,950000,2025-06-01,2028-06-01,4
        L2,C2,B1,李,,credit,50000,2025-06-01,2028-06-01,4
        """,
    "transactions": """
        L1,2025-06-01,disburse,950000
        L2,2025-06-01,disburse,50000
        """,
    "classifications": """
        L1,2025-06-01,normal,
        L2,2026-03-15,substandard,2026-03-01
        """,
}


def _indicators(report: Report) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in report_dict(report)["sections"]["indicators"]}


def _row(key: str, value: str | None, limit: str, direction: str,
         breached: bool | None) -> dict[str, Any]:
    return {"key": key, "value": value, "limit": limit, "direction": direction,
            "breached": breached}


def test_values_at_their_limits_pass(report_from: MakeReport) -> None:
    ledger = {**TWO_LOANS, "bank_figures": "2026-01-01,provision,75000"}
    report = report_from("monthly", "2026-06", **ledger)
    assert [i["key"] for i in report_dict(report)["sections"]["indicators"]] == [
        "npl_ratio", "coverage_ratio", "provision_ratio", "top1_ratio", "top10_ratio",
        "top_group_ratio", "over_90_to_npl"]
    assert _indicators(report) == {
        # 50,000 / 1,000,000 = 5% exactly: at the limit, not over it
        "npl_ratio": _row("npl_ratio", "0.050000", "0.050000", "max", False),
        # 75,000 / 50,000 = 150% exactly
        "coverage_ratio": _row("coverage_ratio", "1.500000", "1.500000", "min", False),
        # 75,000 / 1,000,000
        "provision_ratio": _row("provision_ratio", "0.075000", "0.025000", "min", False),
        # no net capital row: unknown values are neither pass nor breach
        "top1_ratio": _row("top1_ratio", None, "0.100000", "max", None),
        "top10_ratio": _row("top10_ratio", None, "0.500000", "max", None),
        "top_group_ratio": _row("top_group_ratio", None, "0.150000", "max", None),
        # 50,000 / 50,000
        "over_90_to_npl": _row("over_90_to_npl", "1.000000", "1.000000", "max", False),
    }


def test_breaches_are_decided_on_exact_values(report_from: MakeReport) -> None:
    ledger = {**TWO_LOANS, "bank_figures": """
        2026-01-01,provision,74999.99
        2026-01-01,net_capital,2000000
        """}
    i = _indicators(report_from("monthly", "2026-06", **ledger))
    # 74,999.99 / 50,000 = 1.4999998: shown as 1.500000 but below 150%
    assert i["coverage_ratio"] == _row("coverage_ratio", "1.500000", "1.500000", "min", True)
    # C1 950,000 / 2,000,000 = 0.475 > 0.10
    assert i["top1_ratio"] == _row("top1_ratio", "0.475000", "0.100000", "max", True)
    # (950,000 + 50,000) / 2,000,000 = 0.5: at the limit
    assert i["top10_ratio"] == _row("top10_ratio", "0.500000", "0.500000", "max", False)
    # group G1 = C1 950,000: 0.475 > 0.15
    assert i["top_group_ratio"] == _row("top_group_ratio", "0.475000", "0.150000", "max",
                                        True)
    assert i["npl_ratio"]["breached"] is False


def test_configured_limits(report_from: MakeReport) -> None:
    config = Config(thresholds=ThresholdsConfig(npl_ratio_max=0.04, coverage_ratio_min=1.2))
    ledger = {**TWO_LOANS, "bank_figures": "2026-01-01,provision,75000"}
    i = _indicators(report_from("monthly", "2026-06", config=config, **ledger))
    assert i["npl_ratio"] == _row("npl_ratio", "0.050000", "0.040000", "max", True)  # 5% > 4%
    assert i["coverage_ratio"] == _row("coverage_ratio", "1.500000", "1.200000", "min",
                                       False)


def test_null_values_are_never_breached(report_from: MakeReport) -> None:
    # nothing owed on D: every ratio has a zero or unknown denominator (L0, repaid in
    # May, makes the ledger begin before June; L1 is lent after D)
    i = _indicators(report_from(
        "monthly", "2026-06",
        customers="C1,甲,individual,,A,,,",
        loans="L0,C1,B1,王,,credit,500,2026-05-01,2027-05-01,4\n"
              "L1,C1,B1,王,,credit,1000,2026-07-01,2027-07-01,4",
        transactions="L0,2026-05-01,disburse,500\nL0,2026-05-20,repay,500\n"
                     "L1,2026-07-01,disburse,1000",
        bank_figures="2026-01-01,provision,100",
    ))
    keys = ("npl_ratio", "coverage_ratio", "provision_ratio", "top1_ratio", "top10_ratio",
            "top_group_ratio", "over_90_to_npl")
    assert {k: (v["value"], v["breached"]) for k, v in i.items()} == dict.fromkeys(
        keys, (None, None))
