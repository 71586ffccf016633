"""reportgen/metrics/shared.py: a figure is made once per engine and key."""

from __future__ import annotations

from pathlib import Path

from ledgers import write_ledger

from reportgen.api import open_ledger
from reportgen.metrics.shared import shared


def test_shared_makes_each_key_once(tmp_path: Path) -> None:
    engine = open_ledger(write_ledger(
        tmp_path / "l", customers="C1,甲,corporate,small,C,,,\n",
        loans="L1,C1,B,王,,credit,100000,2026-03-01,2027-03-01,4\n",
        transactions="L1,2026-03-01,disburse,100000\n")).engine
    made: list[str] = []

    def make(name: str) -> str:
        made.append(name)
        return name

    assert shared(engine, ("x", 1), lambda: make("a")) == "a"
    assert shared(engine, ("x", 1), lambda: make("b")) == "a"  # made once
    assert shared(engine, ("x", 2), lambda: make("c")) == "c"  # another key
    assert made == ["a", "c"]
