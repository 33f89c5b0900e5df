"""One child: the points and labels it is scored on, fitting its constants, its losses and
fingerprint, the same result for the same task."""

from __future__ import annotations

import numpy as np
import pytest

from autonumerics.evolution.child import (
    ChildResult,
    ChildTask,
    SearchContext,
    evaluate_child,
    training_points,
)
from autonumerics.ir.parse import parse_expr
from autonumerics.numerics.dtypes import float_format


@pytest.fixture(scope="module")
def context(small_config) -> SearchContext:
    """exp2 on [0, 1], relative error, real (float64) arithmetic."""
    return SearchContext.build(small_config())


@pytest.fixture(scope="module")
def float32_context(small_config) -> SearchContext:
    return SearchContext.build(small_config('evaluation.dtype="float32"'))


def task(expression: str, child_id: int = 0, seed: int = 7) -> ChildTask:
    program = parse_expr(expression)
    return ChildTask(child_id, -1, "seed", program, (True,) * program.n_constants, seed)


def test_training_points_in_float64_are_chebyshev_points_with_the_endpoints():
    x = training_points((0.0, 1.0), 65, float_format("float64"))
    assert len(x) == 65 and x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) > 0)
    assert np.diff(x)[0] < np.diff(x)[32] / 10  # dense at the ends, where minimax errors peak


def test_training_points_below_float64_are_values_of_the_format_and_reach_tiny_inputs():
    x = training_points((0.0, 1.0), 128, float_format("float32"))
    assert np.array_equal(x, x.astype(np.float32).astype(np.float64))
    assert x[0] == 0.0 and x[-1] == 1.0 and np.all(np.diff(x) > 0)
    assert len(x) > 128 and x[x > 0].min() < 1e-30  # a quarter uniform in ulps: down near 2^-126


def test_the_context_labels_every_point_and_draws_the_same_validation_points(context, small_config):
    for x, hi, lo in ((context.train_x, context.train_hi, context.train_lo),
                      (context.valid_x, context.valid_hi, context.valid_lo)):
        assert np.all((x >= 0) & (x <= 1)) and np.all(np.isfinite(hi)) and np.all(np.isfinite(lo))
        np.testing.assert_allclose(hi, np.exp2(x), rtol=1e-15)
    again = SearchContext.build(small_config())
    assert np.array_equal(again.valid_x, context.valid_x) and context.dtype == "float64"
    other_seed = SearchContext.build(small_config("search.seed=1"))
    assert not np.array_equal(other_seed.valid_x, context.valid_x)


def test_float32_validation_points_are_float32_values(float32_context):
    x = float32_context.valid_x
    assert float32_context.dtype == "float32" and len(x) > 200
    assert np.array_equal(x, x.astype(np.float32).astype(np.float64))


def test_a_program_without_constants_is_scored_not_fitted(context):
    result = evaluate_child(context, task("x * x + x"))
    assert (result.fit_method, result.fit_evaluations) == ("none", 0)
    x = context.valid_x
    want = np.max(np.abs(x * x + x - np.exp2(x)) / np.exp2(x))  # relative error, at x = 0: 1
    assert result.valid_loss == pytest.approx(want, rel=1e-12) and result.fitness == 1.0


def test_fitting_a_line_reaches_the_minimax_line_and_repeats_exactly(context):
    """The best line for 2^x on [0, 1] in relative error has error 0.0298."""
    result = evaluate_child(context, task("1 + 0.5 * x"))
    assert result.fit_method != "none" and result.fit_evaluations > 0
    assert 0.0297 < result.fitness < 0.031 and result.program.n_ops == 2
    assert result.fitness == max(result.train_loss, result.valid_loss)
    again = evaluate_child(context, task("1 + 0.5 * x"))
    assert again.program == result.program and again.fingerprint == result.fingerprint
    assert (again.train_loss, again.valid_loss) == (result.train_loss, result.valid_loss)


def test_programs_equal_as_functions_share_a_fingerprint(context):
    first = evaluate_child(context, task("x * x + x"))
    assert evaluate_child(context, task("x + x * x")).fingerprint == first.fingerprint
    assert evaluate_child(context, task("x * x - x")).fingerprint != first.fingerprint


def test_a_program_undefined_on_the_interval_has_an_infinite_fitness(context):
    result = evaluate_child(context, task("sqrt(-x)"))  # NaN on (0, 1]: no constant to fit away
    assert result.fit_method == "none" and result.fitness == np.inf and result.valid_loss == np.inf


def test_a_loss_that_is_not_a_number_is_an_infinite_fitness():
    child = task("x")
    result = ChildResult(child, child.program, float("nan"), float("nan"), "none", 0, "00", 0.0)
    assert result.fitness == np.inf
