"""The executor seam: parts computed in this process, or on a real Dask ``LocalCluster``
of two worker processes (not threads), give the same JSON; and the automatic number of
parts from ``engine.memory_gb``."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_parts_reduce import deposits_ledger, two_banks_ledger

from reportgen import api
from reportgen.config import Config, EngineConfig
from reportgen.errors import UsageError
from reportgen.parts.executor import cluster_executor, compute_parts, parts_for_memory
from reportgen.parts.split import partition_ledger
from reportgen.render.json import report_json

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_local_cluster_of_two_processes_gives_the_same_json(tmp_path: Path) -> None:
    pytest.importorskip("dask.distributed")
    ledger = deposits_ledger(tmp_path / "ledger")  # loans, deposits, targets: every answer
    partition_ledger(ledger, tmp_path / "parts", 4)
    config = Config()
    jobs = [("monthly", "2026-10", True), ("quarterly", "2026-Q3", True)]
    in_process = compute_parts(tmp_path / "parts", jobs, config)
    with cluster_executor("local:2") as executor:
        assert executor is not None
        on_cluster = compute_parts(tmp_path / "parts", jobs, config, executor)
    assert in_process.pids == [os.getpid()]
    assert os.getpid() not in on_cluster.pids  # the parts ran in the workers
    assert 1 <= len(on_cluster.pids) <= 2
    one = api.open_ledger(ledger)
    for report, period, _ in jobs:
        expected = report_json(api.build(one, report, period, config, now=NOW))
        for engine in (in_process, on_cluster):
            session = api.partitioned_session(engine)
            assert report_json(api.build(session, report, period, config, now=NOW)) == expected


@pytest.mark.parametrize("address", ["local:0", "local:x", "local:"])
def test_bad_local_cluster_is_a_usage_error(address: str) -> None:
    with pytest.raises(UsageError, match="local:N"), cluster_executor(address):
        pass


def test_no_cluster_is_this_process() -> None:
    with cluster_executor(None) as executor:
        assert executor is None


@pytest.mark.parametrize(("size_mb", "memory_gb", "parts"), [
    (1, 1.0, 1),  # 1 MiB × 3 = 3,145,728 bytes fit 1 GiB
    (1, 0.003, 1),  # 3,145,728 ≤ 0.003 GiB = 3,221,225 bytes
    (1, 0.002, 2),  # 3,145,728 / 2,147,483 = 1.46: two parts
    (10, 0.01, 3),  # 31,457,280 / 10,737,418 = 2.93: three parts
])
def test_parts_for_memory(tmp_path: Path, size_mb: int, memory_gb: float, parts: int) -> None:
    folder = tmp_path / "ledger"
    folder.mkdir()
    (folder / "transactions.csv").write_bytes(b"x" * (size_mb << 20))
    assert parts_for_memory(folder, memory_gb) == parts


def test_memory_budget_splits_the_ledger(tmp_path: Path) -> None:
    ledger = two_banks_ledger(tmp_path / "ledger")
    config = Config(engine=EngineConfig(memory_gb=1e-6))  # a few KB: several parts
    session = api.open_session(ledger, [("monthly", "2026-10", False)], config,
                               partitions=None, cluster=None, progress=False)
    assert session.partitioned
    plain = api.open_session(ledger, [("monthly", "2026-10", False)], Config(),
                             partitions=None, cluster=None, progress=False)
    assert not plain.partitioned
    assert (report_json(api.build(session, "monthly", "2026-10", config, now=NOW))
            == report_json(api.build(plain, "monthly", "2026-10", config, now=NOW)))


def test_run_with_partitions_makes_the_same_reports(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner
    from runsetup import write_bank_ledger, write_config

    from reportgen.cli import main

    texts = []
    for name, extra in (("one", []), ("parts", ["--partitions", "2"])):
        folder = tmp_path / name
        write_bank_ledger(folder / "ledger")
        write_config(folder, 1)
        monkeypatch.chdir(folder)
        result = CliRunner().invoke(main, ["run", "--date", "2026-11-01", "--no-email",
                                           *extra], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        made = sorted((folder / "reports").rglob("*.json"))
        made = [p for p in made if p.name.startswith(("dekad", "monthly"))]
        assert len(made) == 2, made
        texts.append([p.read_text(encoding="utf-8").split('"generated_at"')[0]
                      + p.read_text(encoding="utf-8").split('"ledger_sha256"')[1]
                      for p in made])
    assert texts[0] == texts[1]


@pytest.mark.parametrize(("extra", "config"), [
    (["--branch", "城东支行"], ""),
    (["--manager", "王经理"], ""),
    ([], '[bank]\nname = "示例银行"\nbranch = "城东支行"\n'),  # a filter: scope id "all"
])
def test_generate_scope_with_partitions_is_a_usage_error(tmp_path: Path, extra: list[str],
                                                         config: str) -> None:
    """Scopes are not combined with parts yet (docs/scale.md): exit 2, nothing written."""
    from click.testing import CliRunner

    from reportgen.cli import main

    ledger = two_banks_ledger(tmp_path / "ledger")
    args = ["generate", "--ledger", str(ledger), "--report", "monthly", "--period", "2026-10",
            "--format", "json", "--out", str(tmp_path / "out"), "--partitions", "2", *extra]
    if config:
        (tmp_path / "reportgen.toml").write_text(config, encoding="utf-8")
        args = [*args, "--config", str(tmp_path / "reportgen.toml")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "cannot be combined with" in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.json"))
