"""compute_baselines end to end and the ``baselines`` command: budget, families, files, errors."""

from __future__ import annotations

import argparse
import json

import numpy as np
import pytest

from autonumerics.baselines import FAMILIES, compute_baseline, compute_baselines
from autonumerics.baselines.sollya import sollya_available
from autonumerics.cli import baselines as command
from autonumerics.errors import AutonumericsError
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.program import Program
from autonumerics.ir.programfile import load_program_file


def run_cli(argv: list[str]) -> int:
    """The command through its own parser (as ``autonumerics.cli.main`` dispatches it)."""
    parser = argparse.ArgumentParser(prog="autonumerics")
    command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.handler(args)


@pytest.fixture(scope="module")
def small_exp2():
    return compute_baselines("exp2", (0.0, 1.0), kinds=("minimax", "rational", "pade", "fp32"),
                             max_ops=6)


def test_budget_and_families_are_respected(small_exp2):
    assert {b.family for b in small_exp2} == {"minimax", "rational", "pade", "fp32"}
    assert all(b.n_ops <= 6 for b in small_exp2)
    labels = [b.label for b in small_exp2]
    assert "minimax deg 3" in labels and "rational (1,1)" in labels
    assert "minimax deg 4" not in labels
    rational = next(b for b in small_exp2 if b.label == "rational (1,1)")
    assert rational.n_ops == 5 and rational.certificate.passed
    assert rational.max_rel_error == pytest.approx(8.7e-4, rel=0.03)


def test_baselines_round_trip_through_json(small_exp2):
    x = np.linspace(0.0, 1.0, 101)
    for baseline in small_exp2:
        data = json.loads(json.dumps(baseline.to_json()))
        program = Program.from_json(data["program"])
        np.testing.assert_array_equal(evaluate(program, x), evaluate(baseline.program, x))
        assert data["n_ops"] == program.n_ops


def test_odd_target_gets_symmetric_forms_and_the_jax_row():
    rows = compute_baselines("tanh", (0.0, 1.0), kinds=("minimax", "fp32", "jax"), max_ops=7)
    forms = {(b.family, b.form) for b in rows}
    assert ("minimax", "odd") in forms and ("fp32", "odd1") in forms
    assert ("minimax", "plain") not in forms  # tanh(0) = 0: relative error needs the odd forms
    jax_row = next(b for b in rows if b.family == "jax")
    assert jax_row.program is None and jax_row.label == "jnp.tanh(x)"
    assert jax_row.max_ulp_float32 < 10


def test_exact_zero_under_relative_error_is_factored_out():
    """log2(1) = 0: relative error needs (x - 1)*p(x); GELU(0) = 0: x*p(x)."""
    rows = compute_baselines("log2", (1.0, 2.0), kinds=("minimax",), max_ops=6)
    assert [b.label for b in rows] == ["minimax (x-1)*p(x) deg 2", "minimax (x-1)*p(x) deg 3"]
    assert rows[-1].n_ops == 6 and rows[-1].certificate.passed
    assert np.isfinite(rows[-1].max_rel_error) and rows[-1].max_rel_error == pytest.approx(
        rows[-1].certificate.max_error, rel=1e-6)
    gelu = compute_baseline("gelu", (-1.0, 1.0), "minimax", 3, form="root")
    assert gelu.label == "minimax x*p(x) deg 4" and gelu.n_ops == 7 and gelu.certificate.passed


def test_degree_the_interval_cannot_hold_is_an_error():
    with pytest.raises(AutonumericsError, match="holds only 9 float32 values"):
        compute_baseline("exp2", (1.0, 1.0 + 2.0**-20), "minimax", 8)
    with pytest.raises(AutonumericsError, match="more than .* supports in float64"):
        compute_baseline("exp2", (0.0, 1e-3), "minimax", 8)


def test_budget_past_float64_resolution_is_capped_not_failed():
    rows = compute_baselines("exp2", (0.0, 1e-3), kinds=("minimax",), max_ops=40)
    assert 1 <= len(rows) <= 6
    assert rows[-1].certificate.max_error < 2.0**-60


def test_pade_with_a_pole_in_the_interval_is_an_error_or_a_skipped_row():
    """Padé (0, 1) of e^x about 0 is 1/(1 - x): a pole at x = 1, inside [-3, 3]."""
    with pytest.raises(AutonumericsError, match="pole near x = 1"):
        compute_baseline("exp", (-3.0, 3.0), "pade", (0, 1))
    with pytest.warns(UserWarning, match="pole near x = 1"):
        rows = compute_baselines("exp", (-3.0, 3.0), kinds=("pade",), max_ops=3)
    assert rows == []


def test_bad_arguments_are_errors():
    with pytest.raises(AutonumericsError, match="bad kinds"):
        compute_baselines("exp2", (0.0, 1.0), kinds=("spline",))
    with pytest.raises(AutonumericsError, match="relative error is undefined"):
        compute_baselines("sin(x) - 0.5", (0.0, 1.0), kinds=("minimax",), max_ops=4)
    with pytest.raises(AutonumericsError, match="pole"):
        compute_baselines("tan(x)", (1.0, 2.0), kinds=("minimax",), max_ops=4, relative=False)
    with pytest.raises(AutonumericsError, match="family"):
        compute_baseline("exp2", (0.0, 1.0), "spline", 3)
    assert "jax" in FAMILIES


def test_command_prints_json_and_writes_program_files(tmp_path, capsys):
    out, folder = tmp_path / "exp2.json", tmp_path / "programs"
    code = run_cli(["baselines", "exp2", "--interval", "0,1", "--max-ops", "4",
                    "--kinds", "minimax,chebyshev", "--json", "--out", str(out),
                    "--programs", str(folder)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(out.read_text())
    assert printed["interval"] == [0.0, 1.0] and len(printed["baselines"]) == 4
    minimax = [b for b in printed["baselines"] if b["family"] == "minimax"]
    assert all(b["certificate"]["passed"] for b in minimax)
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["chebyshev-deg-1.json", "chebyshev-deg-2.json", "minimax-deg-1.json",
                     "minimax-deg-2.json"]
    loaded = load_program_file(folder / "minimax-deg-2.json")
    assert loaded.target == "exp2" and loaded.interval == (0.0, 1.0) and loaded.program.n_ops == 4
    assert loaded.provenance["baseline"]["certificate"]["passed"]
    assert loaded.metrics["max_rel_error"] == pytest.approx(1.725e-3, rel=1e-3)


def test_command_table_and_user_errors(capsys):
    assert run_cli(["baselines", "exp2", "--max-ops", "2", "--kinds", "minimax"]) == 0
    assert "minimax deg 1" in capsys.readouterr().out
    with pytest.raises(AutonumericsError, match="unknown kind"):
        run_cli(["baselines", "exp2", "--kinds", "minimax,spline"])


@pytest.mark.skipif(sollya_available(), reason="sollya is installed")
def test_sollya_option_without_sollya_is_a_clear_error():
    with pytest.raises(AutonumericsError, match="sollya"):
        run_cli(["baselines", "exp2", "--max-ops", "2", "--sollya"])


@pytest.mark.skipif(not sollya_available(), reason="sollya is not installed")
def test_sollya_cross_check(capsys):
    assert run_cli(["baselines", "exp2", "--max-ops", "12", "--kinds", "fp32", "--sollya",
                    "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["sollya"]
    assert any(row["degree"] == 6 and row["supnorm"][1] < 3e-9 for row in rows)
