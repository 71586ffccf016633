"""Parallel renders of one run (render/pool.py, runner.py): real worker processes, real
PDFs and workbooks, the same errors as in process, and one loan sheet per as-of day."""

from __future__ import annotations

import os
import pickle
import zipfile
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import make_report
from runsetup import write_bank_ledger
from runsetup import write_config as write_run_config
from scopeledger import write_scope_ledger
from test_burst import write_config as write_burst_config

from reportgen.cli import main
from reportgen.config import load_config
from reportgen.deliver.archive import Archive
from reportgen.errors import UsageError
from reportgen.render import loan_pack, pool
from reportgen.render.json import report_dict
from reportgen.runner import run

needs_two_cores = pytest.mark.skipif(pool.cores() < 2, reason="needs two cores")


@pytest.mark.parametrize(("jobs", "formats", "loans", "workers"), [
    (1, ["pdf"], 1_000_000, 1),  # one report: nothing to share the work with
    (50, ["json"], 1_000_000, 1),  # JSON alone is quick to write
    (4, ["xlsx", "pdf"], 100, 1),  # a few small reports: the pool costs more
    (pool.MIN_JOBS, ["pdf"], 100, 2),  # many reports
    (4, ["json", "xlsx"], 1_000_000, 1),  # a year-end run: 10 % faster for +50 % memory
    (35, ["json", "pdf"], 100_000, 2),  # a burst with PDFs: 1.41× at 35 branches
])
def test_workers_for(jobs: int, formats: list[str], loans: int, workers: int,
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "cores", lambda: 2)
    monkeypatch.delenv("REPORTGEN_RENDER_WORKERS", raising=False)
    assert pool.workers_for(jobs, formats, loans) == workers


@pytest.mark.parametrize(("value", "jobs", "workers"), [("1", 50, 1), ("2", 3, 2),
                                                        ("4", 3, 3), ("", 1, 1), ("x", 1, 1)])
def test_workers_set_in_the_environment(value: str, jobs: int, workers: int,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTGEN_RENDER_WORKERS", value)
    assert pool.workers_for(jobs, ["pdf"], 100) == workers


@pytest.mark.parametrize("kind", ["dekad", "monthly", "yearly"])
def test_report_models_pickle(kind: str) -> None:
    report = make_report(kind)
    again = pickle.loads(pickle.dumps(report))
    assert report_dict(again) == report_dict(report)
    assert again.loans is not None
    assert again.loans.customer_name == report.loans.customer_name  # type: ignore[union-attr]


@pytest.fixture
def burst_bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_scope_ledger(tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    path = write_burst_config(tmp_path, 1)
    text = path.read_text(encoding="utf-8").replace('formats = ["json"]',
                                                    'formats = ["json", "pdf"]')
    path.write_text(text, encoding="utf-8")
    return path


@needs_two_cores
def test_a_burst_run_with_pdfs_renders_in_several_processes(
        burst_bank: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = burst_bank.read_text(encoding="utf-8")  # the bank and its 3 managers: 4 PDFs
    burst_bank.write_text(text[:text.index("[[scopes]]")] + text[text.index("[burst]"):],
                          encoding="utf-8")
    monkeypatch.setattr(pool, "MIN_JOBS", 4)  # a run this small would stay in process
    config = load_config(burst_bank)
    result = run(config, today=date(2026, 7, 1), email=False)
    assert len(result.made) == 4
    pids = {m.pid for m in result.made}
    assert len(pids) >= 2, pids
    assert os.getpid() not in pids
    for made in result.made:
        assert [p.suffix for p in made.files] == [".json", ".pdf"]
        assert made.files[1].read_bytes().startswith(b"%PDF")
    records = [r for r in Archive(Path("reports")).records() if r["kind"] == "report"]
    assert [(r["report"], r.get("scope", "all")) for r in records] == [
        (m.due.report, m.scope) for m in result.made]


def _broken_templates(folder: Path) -> Path:
    templates = folder / "templates"
    templates.mkdir()
    (templates / "monthly.html").write_text("{% extends 'base.html' %}{% block x %}{% if %}",
                                            encoding="utf-8")
    return templates


@needs_two_cores
@pytest.mark.parametrize("min_jobs", [1, 1000], ids=["pool", "in-process"])
def test_a_failing_render_is_the_same_clear_error(burst_bank: Path, min_jobs: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "MIN_JOBS", min_jobs)
    _broken_templates(burst_bank.parent)
    text = burst_bank.read_text(encoding="utf-8").replace(
        'dir = "reports"', 'dir = "reports"\ntemplates = "templates"')
    burst_bank.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--config", str(burst_bank), "--date",
                                       "2026-07-01", "--no-email"])
    assert result.exit_code == 2, result.output
    assert "monthly.html, line 1" in result.output
    assert "Traceback" not in result.output
    reports = Path("reports")
    assert not list(reports.glob("*.pdf"))  # all or nothing: no PDF of the failing report
    assert not [p for p in reports.iterdir() if p.name.endswith(".tmp")]
    assert not [r for r in Archive(reports).records() if r["kind"] == "report"]


@needs_two_cores
def test_an_unwritable_folder_is_the_same_error_from_a_worker(
        burst_bank: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from reportgen.render.base import RenderOptions
    from reportgen.render.pool import Renders

    if os.geteuid() == 0:
        blocked = tmp_path / "file"
        blocked.write_text("not a folder")
        target = blocked / "sub"
    else:  # pragma: no cover - CI runs as a user
        target = tmp_path / "ro"
        target.mkdir(mode=0o500)
    errors = []

    def render_one(renders: Renders) -> None:
        for _ in renders.submit("x", make_report("dekad"), ["pdf"], target, RenderOptions()):
            pass
        list(renders.finish())

    for workers in (1, 2):
        with Renders(workers) as renders, pytest.raises(UsageError) as raised:
            render_one(renders)
        errors.append((type(raised.value), str(raised.value)))
    assert errors[0] == errors[1]
    assert "cannot write reports into" in errors[0][1]


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_bank_ledger(tmp_path / "ledger")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _loan_member(path: Path) -> tuple[int, int]:
    member = loan_pack.sheet_members(path)["借据明细"]
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    return info.CRC, info.compress_size


def test_a_month_end_run_writes_the_loan_sheet_once(bank: Path) -> None:
    config = load_config(write_run_config(bank, 1, formats=["json", "xlsx"],
                                          reports=["dekad", "monthly", "quarterly"]))
    result = run(config, today=date(2026, 10, 1), email=False)
    xlsx = sorted(p for m in result.made for p in m.files if p.suffix == ".xlsx")
    assert [p.name for p in xlsx] == ["dekad_2026-09-D3.xlsx", "monthly_2026-09.xlsx",
                                      "quarterly_2026-Q3.xlsx"]
    assert len({_loan_member(p) for p in xlsx}) == 1  # one sheet's bytes in all three
    from openpyxl import load_workbook

    for path in xlsx:  # L1 (900,000 after its repayment) and L3, as of 2026-09-30
        ws = load_workbook(path)["借据明细"]
        assert [(r[0].value, r[12].value) for r in ws.iter_rows(min_row=2)] == [
            ("L1", 900_000), ("L2", 200_000), ("L3", 300_000)]
    runs = [r for r in Archive(Path("reports")).records() if r["kind"] == "run"]
    assert runs[-1]["loan_sheets"] == [{
        "as_of": "2026-09-30", "scope": "all", "written": 1,
        "workbooks": ["dekad_2026-09-D3.xlsx", "monthly_2026-09.xlsx",
                      "quarterly_2026-Q3.xlsx"]}]
    assert not list(Path("reports").glob("loans_*"))  # the shared sheet is no output file


def test_the_mail_never_carries_a_loan_workbook(bank: Path) -> None:
    from mailserver import smtp_server

    with smtp_server() as server:
        config = load_config(write_run_config(bank, server.port, formats=["json", "xlsx"],
                                              attach=["json", "xlsx"],
                                              reports=["dekad", "monthly"]))
        run(config, today=date(2026, 10, 1))
    names = sorted(str(p.get_filename()) for m in server.handler.messages
                   for p in m.message.iter_attachments())
    assert names
    assert not [n for n in names if n.startswith("loans")]
    assert {n.rpartition(".")[2] for n in names} == {"json", "xlsx"}

