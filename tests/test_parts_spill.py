"""The parts' notes go to disk as each part comes back and are read by the reduce from
there: the reports are the one-part run's, byte for byte, and nothing is left on disk."""

from __future__ import annotations

import mmap
from pathlib import Path

import numpy as np
import pytest
from test_parts_reduce import assert_same_json, deposits_ledger, sample_bank, two_banks_ledger

from reportgen.config import Config
from reportgen.parts import spill
from reportgen.parts.compute import PartFigures, part_figures
from reportgen.parts.split import partition_ledger

__all__ = ["sample_bank"]  # the fixture, shared


@pytest.fixture
def everything_spilled(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Every array to disk, however small, under a scratch folder of the test's own."""
    work = tmp_path / "scratch"
    work.mkdir()
    monkeypatch.setattr(spill, "SPILL_BYTES", 0)
    monkeypatch.setenv("REPORTGEN_PARTS_DIR", str(work))
    return work


@pytest.mark.parametrize("parts", [2, 3])
def test_sample_bank_same_json_from_disk(sample_bank: Path, everything_spilled: Path,
                                         parts: int) -> None:
    assert_same_json(sample_bank, parts)


@pytest.mark.parametrize("ledger", [two_banks_ledger, deposits_ledger])
def test_hand_written_ledgers_same_json_from_disk(tmp_path: Path, everything_spilled: Path,
                                                  ledger: object) -> None:
    assert callable(ledger)
    assert_same_json(ledger(tmp_path / "ledger"), 2)


def test_arrays_are_mapped_and_no_file_stays(tmp_path: Path, everything_spilled: Path
                                            ) -> None:
    partition_ledger(deposits_ledger(tmp_path / "ledger"), tmp_path / "parts", 2)
    figures = part_figures(str(tmp_path / "parts" / "part-000"),
                           [("monthly", "2026-10", False)], Config())
    assert isinstance(figures, PartFigures)
    expected = {key: a.copy() for key, a in figures.per_loan.items()}
    amounts = figures.loans.values["contract_amount"].copy()
    scratch = spill.Spill()
    spilled = scratch.figures(figures)
    assert list(scratch.folder.iterdir()) == []  # unlinked once mapped
    scratch.close()
    assert not scratch.folder.exists()
    for key, array in spilled.per_loan.items():
        assert np.array_equal(array, expected[key])
        base = array
        while getattr(base, "base", None) is not None and not isinstance(base, mmap.mmap):
            base = base.base
        assert isinstance(base, mmap.mmap), key
    assert np.array_equal(spilled.loans.values["contract_amount"], amounts)
    spilled.loans.values["contract_amount"][0] += 1  # copy-on-write: the file is gone anyway
    assert list(everything_spilled.iterdir()) == []


def test_small_arrays_and_objects_stay_in_memory() -> None:
    scratch = spill.Spill()
    small = np.arange(10)
    text = np.array(["a", "b"], dtype=object)
    assert scratch.array(small) is small
    assert scratch.array(text) is text
    scratch.close()
