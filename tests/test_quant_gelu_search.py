"""Tests for autonumerics.quant.gelu_search and score: the GELU int8 acceptance at scale 2^-6,
exhaustively."""

from fractions import Fraction
from pathlib import Path

import jax
import numpy as np
import pytest
from scipy.special import ndtr

from autonumerics.errors import AutonumericsError
from autonumerics.quant.gelu_search import RealFit, fit_real, fold, search_gelu
from autonumerics.quant.intprogram import audit, evaluate, evaluate_jax
from autonumerics.quant.kernel_file import load_kernel
from autonumerics.quant.params import QuantParams
from autonumerics.quant.report import evaluate_kernel
from autonumerics.quant.score import reference, score_outputs


def test_reference_is_the_correctly_rounded_gelu() -> None:
    params = QuantParams(2.0**-4)
    exact, rounded = reference("gelu", params, params)
    x = params.grid() * 2.0**-4
    assert np.allclose(exact, x * ndtr(x) * 16, atol=1e-9)
    assert np.array_equal(rounded, np.clip(np.rint(exact), -128, 127).astype(np.int64))


def test_score_counts_every_miss() -> None:
    grid = np.arange(4)
    score = score_outputs(np.array([0, 2, 2, 2]), grid, np.array([0.2, 1.1, 2.0, 3.4]),
                          np.array([0, 1, 2, 3]))
    assert score.max_lsb_error == 1 and score.correctly_rounded == 0.5 and score.bias_lsb == 0.0
    assert score.worst_input == 1 and score.max_error_vs_exact == pytest.approx(1.4)


def test_fold_uses_exact_fractions() -> None:
    fit = RealFit((0.1, -0.3, 0.05), 2.5, 4.0, 0.0)
    constants, clip = fold(fit, 2.0**-5, 3.0 * 2.0**-7, 20)
    for k, c in enumerate(fit.coefficients):
        exact = Fraction(c) * Fraction(2.0**-5) ** k / Fraction(3.0 * 2.0**-7) * 2**20
        assert constants[k] == round(exact)
    assert clip == 80


def test_continuous_gelu_fit_meets_the_goal() -> None:
    fit = fit_real(4, 3.0, radius=4.0)
    assert fit.n_ops <= 12 and fit.linf <= 0.005  # L-inf on 4001 points of [-4, 4] (even error)


def test_gelu_int8_at_scale_2_minus_6_exhaustively() -> None:
    params = QuantParams(2.0**-6)
    best = search_gelu(params, params, degrees=(4,), time_limit=20.0)[0]
    grid = params.grid()
    assert best.program.n_ops <= 12 and best.program.n_divisions == 0
    assert best.score.points == 256 and best.score.max_lsb_error <= 1
    assert best.score.correctly_rounded >= 0.95 and abs(best.score.bias_lsb) <= 0.035
    assert audit(best.program, q=grid).fits_int32
    _, rounded = reference("gelu", params, params)
    misses = grid[evaluate(best.program, q=grid) != rounded]
    assert np.all(np.abs(misses) * 2.0**-6 > 0.5)  # the protected band |x| <= 0.5 is exact
    assert -128 not in misses and 127 not in misses  # so are the end codes (saturated inputs)
    jitted = jax.jit(lambda q: evaluate_jax(best.program, q=q))
    assert np.array_equal(np.asarray(jitted(grid)), evaluate(best.program, q=grid))


def test_unequal_scales_are_refused_with_the_values() -> None:
    with pytest.raises(AutonumericsError, match="0.03125"):
        search_gelu(QuantParams(2.0**-5), QuantParams(2.0**-6))


@pytest.mark.parametrize("tag", ["2m6", "2m5", "2m4"])
def test_stored_gelu_kernels_meet_the_acceptance(tag: str) -> None:
    """The committed kernels (results/quant, from search_configs/quant/gelu_int8.toml), re-scored
    on all 256 inputs."""
    path = Path(__file__).resolve().parent.parent / "results" / "quant" / f"gelu_int8_s{tag}.json"
    row = evaluate_kernel(load_kernel(path))
    assert row["ops"] <= 12 and row["divisions"] == 0 and row["fits_int32"] and row["points"] == 256
    assert row["max_lsb_error"] <= 1 and row["correctly_rounded"] >= 0.95
    assert abs(row["bias_lsb"]) <= 0.035
    kernel = load_kernel(path)
    grid = kernel.params_in.grid()
    _, rounded = reference("gelu", kernel.params_in, kernel.params_out)
    ends = np.array([grid.min(), grid.max()])
    assert np.array_equal(evaluate(kernel.program, q=ends), rounded[[0, -1]])  # saturated: exact
