"""reportgen/metrics/context.py: the helpers every section uses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from ledgers import write_ledger

from reportgen.api import open_ledger
from reportgen.metrics.context import sort_keys, text_at


def test_text_at_reads_the_cells_the_whole_column_holds(tmp_path: Path) -> None:
    folder = write_ledger(
        tmp_path / "l",
        customers="C1,甲公司,corporate,small,C,,,\nC2,乙,individual,,A,,,\n"
                  'C3,"丙,""引号""",individual,,A,,,\n',
        loans="L1,C1,B,王,,credit,100000,2026-03-01,2027-03-01,4\n"
              "L2,C2,B,王,经营贷,credit,100000,2026-03-01,2027-03-01,4\n",
        transactions="")
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
