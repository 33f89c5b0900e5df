"""Tests for autonumerics.baselines.report: the report's JSON form and one program file per
baseline, without the command line."""

from __future__ import annotations

import pytest

from autonumerics.baselines.report import MEASURED, baseline_report, program_files
from autonumerics.baselines.sollya import sollya_available
from autonumerics.errors import AutonumericsError
from autonumerics.truth.targets import get_target


@pytest.fixture(scope="module")
def report():
    return baseline_report(get_target("exp2"), (0.0, 1.0), ["minimax", "fp32"], 4, relative=False)


def test_the_json_form(report) -> None:
    data = report.to_json()
    assert list(data) == ["target", "expression", "interval", "dtype", "error", "max_ops",
                          "baselines", "warnings"]  # no "sollya" unless asked for
    assert data["target"] == "exp2" and data["error"] == "absolute" and data["max_ops"] == 4
    assert [b["label"] for b in data["baselines"]] == [b.label for b in report.baselines]
    assert all(b["n_ops"] <= 4 for b in data["baselines"])


def test_program_files_one_per_baseline(report) -> None:
    files = program_files(report)
    assert len(files) == len(report.baselines) and all(name.endswith(".json") for name in files)
    assert all(name.replace("-", "").removesuffix(".json").isalnum() for name in files)
    fp32 = next(f for f in files.values() if f.provenance["baseline"]["family"] == "fp32")
    minimax = next(f for f in files.values() if f.provenance["baseline"]["family"] == "minimax")
    assert fp32.dtype == "float32" and minimax.dtype == "float64"
    assert minimax.metrics["measured"] == MEASURED.format(dtype="float64")
    assert minimax.target == "exp2" and minimax.interval == (0.0, 1.0)
    assert set(minimax.ops) == {i.op for i in minimax.program.instructions}
    baseline = next(b for b in report.baselines
                    if b.label == minimax.provenance["baseline"]["label"])
    assert minimax.metrics["max_abs_error"] == baseline.max_abs_error
    assert minimax.program == baseline.program


@pytest.mark.skipif(sollya_available(), reason="sollya is installed")
def test_sollya_without_sollya_fails_before_computing() -> None:
    with pytest.raises(AutonumericsError, match="needs the 'sollya' program"):
        baseline_report(get_target("exp2"), (0.0, 1.0), ["fp32"], 2, sollya=True)
