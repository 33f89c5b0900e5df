"""Tests for autonumerics.quant.sigmoid: int16 sigmoid / tanh on every input, exact symmetry."""

import jax
import numpy as np
import pytest

from autonumerics.errors import AutonumericsError
from autonumerics.quant.intprogram import audit, evaluate, evaluate_jax
from autonumerics.quant.sigmoid import INPUT, build, symmetric, tune


def _check(target: str, max_lsb: int, max_ops: int) -> None:
    program, score = tune(target, range(-2**15, 2**15, 2048))
    assert score.points == 65536 and score.max_lsb_error <= max_lsb
    assert program.n_ops <= max_ops and program.n_divisions == 1 and symmetric(target, program)
    grid = INPUT.grid()
    assert audit(program, q=grid).fits_int32
    jitted = jax.jit(lambda q: evaluate_jax(program, q=q))
    assert np.array_equal(np.asarray(jitted(grid)), evaluate(program, q=grid))


def test_sigmoid_int16_meets_the_goal() -> None:
    _check("sigmoid", 2, 20)


def test_tanh_int16_meets_the_goal() -> None:
    _check("tanh", 4, 20)


def test_symmetry_check_can_fail() -> None:
    broken = build("sigmoid", 0)
    assert not symmetric("tanh", broken)


def test_unknown_target() -> None:
    with pytest.raises(AutonumericsError, match="'gelu'"):
        build("gelu", 0)
