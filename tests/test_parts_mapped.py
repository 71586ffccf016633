"""A bank's export computed in parts (parts/mapped.py): read once through its mapping in
the client, written as reportgen-format parts that keep what the mapping decided (rows of
the export, 万元 cells, reversals), and reported byte for byte as one process reports the
export: the same digest, the data date from the file names, every report type."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from exports import CORE, LOANS, MAPPING, export
from test_parts_reduce import JOBS

from reportgen import api
from reportgen.config import Config
from reportgen.errors import LedgerError, PeriodNotCoveredError
from reportgen.ledger.mapping import load_mapping
from reportgen.render.json import report_json

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def _json_or_refusal(session: api.Session, report: str, period: str) -> str:
    try:
        return report_json(api.build(session, report, period, Config(), now=NOW))
    except PeriodNotCoveredError as refused:
        return f"refused: {refused}"


def assert_same_json(folder: Path, mapping_file: Path, parts: int,
                     jobs: list[tuple[str, str]] = JOBS) -> api.Session:
    mapping = load_mapping(mapping_file)
    one = api.open_ledger(folder, mapping=mapping)
    split = api.open_partitioned(folder, [(r, p, True) for r, p in jobs], Config(),
                                 partitions=parts, mapping=mapping)
    assert split.partitioned
    assert (split.data_date, split.first_day) == (one.data_date, one.first_day)
    for report, period in jobs:
        assert _json_or_refusal(split, report, period) == _json_or_refusal(
            one, report, period), f"{report} {period} in {parts} parts"
    return split


@pytest.mark.parametrize("parts", [2, 3])
def test_core_export_same_json(parts: int) -> None:
    """The sample core-system export (GBK journal, title and 合计 rows, reversals, the
    data date in the file names)."""
    split = assert_same_json(CORE, CORE / "mapping.toml", parts)
    assert split.data_date.day.isoformat() == "2026-10-31"  # from 借据明细_20261031.csv


WAN_LOANS = LOANS.replace("合计,", "JJ2,KH02,0102,城西支行,0108,00,500.00,20261002,20271002,"
                                   "5.00%\n合计,")
WAN_MAPPING = MAPPING.replace('[tables.transactions]\nfile = "流水_*.csv"',
                              '[tables.transactions]\nfile = "流水_*.csv"\nmoney_unit = "wan"')


def test_wan_amounts_and_reversals_same_json(tmp_path: Path) -> None:
    """By hand, in 万元: JJ1 lent 0.1 (1,000.00 yuan), repaid 0.04 and 0.01, the 0.01
    reversed: 400.00 collected, 600.00 owed on 2026-10-31; JJ2 (another customer) lent
    0.05: 500.00."""
    assert 'money_unit = "wan"' in WAN_MAPPING
    folder, mapping = export(tmp_path / "export", "JJ1,20261001,放款,0.1\n"
                                                   "JJ2,20261002,放款,0.05\n"
                                                   "JJ1,20261005,还本,0.04\n"
                                                   "JJ1,20261006,还本,0.01\n"
                                                   "JJ1,20261008,还本冲正,0.01\n",
                             mapping=WAN_MAPPING, loans=WAN_LOANS)
    jobs = [("monthly", "2026-10"), ("dekad", "2026-10-D3"),
            ("custom", "2026-10-01..2026-10-31")]
    for parts in (2, 3):
        split = assert_same_json(folder, mapping, parts, jobs)
    report = api.build(split, "monthly", "2026-10", Config(), now=NOW, formats=["json"])
    assert report.sections.summary.balance == 110_000  # fen: 600.00 + 500.00 yuan
    assert report.sections.summary.collected == 40_000  # 400.00 + 100.00 − 100.00


def test_export_with_problems_lists_them_as_one_process_does(tmp_path: Path) -> None:
    folder, mapping = export(tmp_path / "export", "JJ1,20261001,放款,1000.00\n"
                                                   "JJ1,20261035,还本,x\n")
    with pytest.raises(LedgerError) as alone:
        api.open_ledger(folder, mapping=load_mapping(mapping))
    with pytest.raises(LedgerError) as parted:
        api.open_partitioned(folder, [("monthly", "2026-10", False)], Config(),
                             partitions=2, mapping=load_mapping(mapping))
    assert [str(p) for p in parted.value.problems] == [str(p) for p in alone.value.problems]
    assert len(alone.value.problems) == 2  # the date and the amount, both at once


def test_generate_with_mapping_and_partitions(tmp_path: Path) -> None:
    """The real command line: --mapping with --partitions writes the one-process JSON."""
    from click.testing import CliRunner

    from reportgen.cli import main

    texts: list[dict[str, object]] = []
    for name, extra in (("one", []), ("parts", ["--partitions", "3"])):
        result = CliRunner().invoke(main, [
            "generate", "--ledger", str(CORE), "--mapping", str(CORE / "mapping.toml"),
            "--report", "monthly", "--period", "2026-10", "--format", "json",
            "--out", str(tmp_path / name), *extra])
        assert result.exit_code == 0, result.output
        [made] = (tmp_path / name).rglob("*.json")
        data = json.loads(made.read_text(encoding="utf-8"))
        data.pop("generated_at")
        texts.append(data)
    assert texts[0] == texts[1]
