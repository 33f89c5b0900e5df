"""Tests for autonumerics.quant.expkernel and softmax.

Exhaustive exp at one scale, softmax on every pair."""

import jax
import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.quant.expkernel import (
    build_exp,
    relative_minimax,
    relative_minimax_quadratic,
    score_exp,
)
from autonumerics.quant.intprogram import audit, evaluate, evaluate_jax
from autonumerics.quant.softmax import (
    all_pairs,
    reference_softmax,
    sample_rows,
    score_softmax,
    softmax_int8,
    softmax_int8_jax,
)

GRID = np.arange(-32768, 1)


def test_quadratic_floor_is_below_2_minus_9() -> None:
    alpha, beta, gamma, error = relative_minimax_quadratic()
    assert 1.70e-3 < error < 1.75e-3 < 2**-9
    coefficients, _ = relative_minimax(2)
    assert coefficients[2] == pytest.approx(alpha)
    assert alpha * beta**2 + gamma == pytest.approx(coefficients[0])


@pytest.mark.parametrize("scale", [2.0**-12, 0.1])
def test_exp_kernel_meets_the_goal_on_every_input(scale: float) -> None:
    kernel = build_exp(scale)
    assert kernel.program.n_ops <= 9 and kernel.program.n_divisions == 0
    assert audit(kernel.program, d=GRID).fits_int32
    score = score_exp(kernel)
    assert score.points == np.sum(GRID * scale >= -8.0) and score.max_relative_error <= 2**-9
    jitted = jax.jit(lambda d: evaluate_jax(kernel.program, d=d))
    assert np.array_equal(np.asarray(jitted(GRID)), evaluate(kernel.program, d=GRID))


def test_cubic_exp_is_more_accurate_and_fits_int32() -> None:
    kernel = build_exp(2.0**-5, min_input=-255, degree=3)
    assert audit(kernel.program, d=np.arange(-255, 1)).fits_int32
    # Output scale 2^-16: relative accuracy holds while the result keeps >= 14 bits
    # (x >= -2, z <= 2).
    assert score_exp(kernel, min_input=-255, radius=2.0).max_relative_error < 3e-4


def test_bad_exp_arguments() -> None:
    with pytest.raises(AutonumericsError, match="2.0"):
        build_exp(2.0)
    with pytest.raises(AutonumericsError, match="degree must be 2 or 3, got 5"):
        build_exp(0.1, degree=5)


def test_softmax_on_every_pair_of_int8_logits() -> None:
    score = score_softmax(all_pairs(), 2.0**-5)
    assert score.rows == 65536 and score.max_lsb_error <= 1 and score.correctly_rounded >= 0.95


def test_softmax_on_random_rows() -> None:
    rows = sample_rows(np.random.default_rng(1), 200, 64, 2.0**-4)
    score = score_softmax(rows, 2.0**-4)
    assert score.max_lsb_error <= 1 and score.correctly_rounded >= 0.95
    assert abs(score.bias_lsb) < 0.01
    sums = reference_softmax(rows, 2.0**-4).sum(axis=1)
    assert np.abs(sums - 256).max() <= 32  # rows sum to ~1.0


def test_softmax_rejects_a_vector() -> None:
    with pytest.raises(AutonumericsError, match=r"\(5,\)"):
        softmax_int8(np.zeros(5), build_exp(0.1))


def test_softmax_jax_equals_numpy_bit_for_bit() -> None:
    kernel = build_exp(2.0**-5, min_input=-255, degree=3)
    jitted = jax.jit(lambda rows: softmax_int8_jax(rows, kernel))
    pairs = all_pairs()
    assert np.array_equal(np.asarray(jitted(pairs)), softmax_int8(pairs, kernel))
    rows = sample_rows(np.random.default_rng(2), 300, 64, 2.0**-5)
    assert np.array_equal(np.asarray(jitted(rows)), softmax_int8(rows, kernel))
