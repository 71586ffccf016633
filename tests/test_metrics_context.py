"""reportgen/metrics/context.py: the helpers every section uses."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from ledgers import write_ledger

from reportgen.api import open_ledger
from reportgen.engine import key_days
from reportgen.ledger.schema import DISBURSE, REPAY, WRITEOFF
from reportgen.metrics.context import Flows, sort_keys, text_at
from reportgen.sample import generate_sample


def test_text_at_reads_the_cells_the_whole_column_holds(tmp_path: Path) -> None:
    folder = write_ledger(
        tmp_path / "l",
        customers="C1,甲公司,corporate,small,C,,,\nC2,乙,individual,,A,,,\n"
                  'C3,"丙,""引号""",individual,,A,,,\n',
        loans="L1,C1,B,王,,credit,100000,2026-03-01,2027-03-01,4\n"
              "L2,C2,B,王,经营贷,credit,100000,2026-03-01,2027-03-01,4\n",
        transactions="L1,2026-03-01,disburse,100000\n")  # a journal: not an empty ledger
    ledger = open_ledger(folder).ledger
    rows = np.array([2, 0, 1, -1, 2])
    for name in ("customer_id", "customer_name"):
        taken = text_at(ledger.customers, name, rows)  # from Arrow
        assert taken.to_pylist() == ledger.customers[name][rows].tolist()  # converts the column
        assert text_at(ledger.customers, name, rows).to_pylist() == taken.to_pylist()
    assert text_at(ledger.customers, "customer_name", rows).to_pylist()[0] == '丙,"引号"'
    assert text_at(ledger.loans, "product", np.array([1, 0])).to_pylist() == ["经营贷", ""]
    assert ledger.loans["product"].tolist() == ["", "经营贷"]  # blank as "" both ways


def test_sort_keys_sort_by_code_point() -> None:
    texts = ["L10", "L9", "贷2", "L1", "l1", ""]
    keys = sort_keys(pa.array(texts))
    assert [texts[i] for i in np.argsort(keys, kind="stable")] == sorted(texts)


def test_flows_from_the_balance_identity_equal_the_journal(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    out = tmp_path_factory.mktemp("flows") / "ledger"
    generate_sample(out, loans=300, seed=5)
    engine = open_ledger(out).engine
    first_writeoff = date(1970, 1, 1) + timedelta(
        days=int(key_days(engine.type_key[WRITEOFF]).min()))
    around = (first_writeoff - timedelta(days=40), first_writeoff + timedelta(days=20))
    assert engine.flow(WRITEOFF, *around).any()  # the identity is tested with write-offs
    for start, end in (around, (date(2025, 1, 1), date(2025, 12, 31)),
                       (date(2025, 12, 1), date(2025, 12, 31))):
        flows = Flows(engine, start, end)
        repaid = engine.flow(REPAY, start, end)
        written_off = engine.flow(WRITEOFF, start, end)
        assert (flows.collected == repaid).all()
        assert (flows.reduced == repaid + written_off).all()
        assert (flows.disbursed == engine.flow(DISBURSE, start, end)).all()
