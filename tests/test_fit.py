"""Tests for the constant fitter: LP minimax, nonlinear stages, 1-D search, budget, float polish."""

from __future__ import annotations

import subprocess
import sys
import time
import warnings
from pathlib import Path

import ml_dtypes
import numpy as np
import pytest

from autonumerics.fit.cmaes import cmaes_search
from autonumerics.fit.driver import fit_constants
from autonumerics.fit.lp import affine_model
from autonumerics.fit.objective import FitProblem, FitResult, Objective, error_weights
from autonumerics.fit.polish import _ulp_neighbours, polish_float
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.parse import parse_expr
from autonumerics.numerics.metrics import relative_errors, ulp_errors
from autonumerics.truth.ground_truth import labels, make_points
from autonumerics.truth.targets import get_target

EXP2 = get_target("exp2")


@pytest.fixture(scope="module")
def exp2_points() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """1024 Chebyshev points on [0, 1] with exact 2^x labels."""
    x = make_points((0.0, 1.0), 1024, "chebyshev")
    hi, lo = labels(EXP2, x, cache=False)
    return x, hi, lo


def horner(x: np.ndarray, degree: int):
    """A numpy closure evaluating sum c_j x^j for a batch of coefficient vectors (pop, degree+1)."""

    def evaluate_batch(coefficients: np.ndarray) -> np.ndarray:
        acc = np.repeat(coefficients[:, degree : degree + 1], x.size, axis=1)
        for j in range(degree - 1, -1, -1):
            acc = acc * x + coefficients[:, j : j + 1]
        return acc

    return evaluate_batch


def program_problem(
    text: str, x: np.ndarray, hi: np.ndarray, lo: np.ndarray,
    batch_sizes: list[int] | None = None, **kw
) -> tuple[FitProblem, np.ndarray]:
    """A FitProblem for a parsed program evaluated by the interpreter, and its constants;
    ``batch_sizes``, when given, collects the number of constant vectors of every batch."""
    program = parse_expr(text)

    def evaluate_batch(constants: np.ndarray) -> np.ndarray:
        if batch_sizes is not None:
            batch_sizes.append(constants.shape[0])
        return evaluate(program, x, constants=constants)

    return FitProblem(evaluate_batch, hi, lo, **kw), np.array(program.constants)


# Minimax relative error of polynomials for 2^x on [0, 1] (docs/references.md).
@pytest.mark.parametrize(
    "degree, expected", [(3, 7.48e-5), (5, 7.49e-8), (6, 1.856e-9), (8, 7.74e-13)]
)
def test_lp_reaches_polynomial_minimax(exp2_points, degree, expected):
    x, hi, lo = exp2_points
    problem = FitProblem(horner(x, degree), hi, lo)
    result = fit_constants(problem, np.zeros(degree + 1), None, np.random.default_rng(0))
    assert result.method == "lp"
    # The discrete minimax on 1024 points is at most the continuous one, and barely below.
    assert expected * 0.99 < result.loss < expected * 1.005
    assert result.n_evaluations < 40
    rel = relative_errors(horner(x, degree)(result.constants[None, :])[0], hi, lo)
    assert np.max(rel) == pytest.approx(result.loss, rel=1e-12)


def test_lp_does_not_need_sorted_points(exp2_points):
    x, hi, lo = exp2_points
    order = np.random.default_rng(1).permutation(x.size)
    problem = FitProblem(horner(x[order], 8), hi[order], lo[order])
    result = fit_constants(problem, np.zeros(9), None, np.random.default_rng(0))
    assert result.method == "lp" and result.loss < 7.75e-13


def test_affine_detection(exp2_points):
    x, hi, lo = exp2_points
    rng = np.random.default_rng(0)
    linear, _ = program_problem("1 + x*(0.5 + x*0.25)", x, hi, lo)
    assert affine_model(Objective(linear, 100), 3, rng) is not None
    for text in ["0.5/(1 + 0.5*x)", "square(1 + 0.3*x)", "1 + 0.5*x*(0.1 + 0.2*x)"]:
        problem, constants = program_problem(text, x, hi, lo)
        assert affine_model(Objective(problem, 100), constants.size, rng) is None, text


def test_rational_from_warm_start_matches_minimax(exp2_points):
    # a/(1 + b x) + c: the 3-op program matching the (1,1) minimax rational, 8.7e-4
    # (docs/references.md).
    x, hi, lo = exp2_points
    problem, _ = program_problem("1.0/(1 + 0.5*x) + 0.1", x, hi, lo)
    result = fit_constants(problem, np.array([1.0, 1.0, 0.5, 0.1]), None, np.random.default_rng(0))
    assert result.method.startswith("lm") and "slp" in result.method
    assert 8.6e-4 < result.loss < 8.75e-4
    assert result.n_evaluations <= 2000


def test_fresh_constants_are_found(exp2_points):
    # square(c0 + x (c1 + x c2)) from random constants: its minimax is ~4.33e-4.
    x, hi, lo = exp2_points
    problem, constants = program_problem("square(1 + x*(0.3 + x*0.03))", x, hi, lo)
    result = fit_constants(problem, constants, np.ones(3, bool), np.random.default_rng(3))
    assert result.loss < 4.4e-4


def test_single_constant_beats_a_dense_grid(exp2_points):
    x, hi, lo = exp2_points

    def one_constant(c: np.ndarray) -> np.ndarray:  # 1/(1 - c x): nonlinear in c
        with np.errstate(divide="ignore"):
            return 1.0 / (1.0 - c * x)

    one = FitProblem(one_constant, hi, lo)
    result = fit_constants(one, np.array([0.5]), None, np.random.default_rng(0))
    assert result.method == "1d" and result.n_evaluations < 1000
    grid = np.linspace(0.4, 0.6, 4001)[:, None]
    brute = Objective(one, 10**6).losses(grid).min()
    assert result.loss <= brute * (1 + 1e-9)


def test_non_finite_is_infinite_loss_and_silent(exp2_points):
    x, hi, lo = exp2_points

    def hostile(c: np.ndarray) -> np.ndarray:
        out = np.full((c.shape[0], x.size), 1.0)
        out[:, 0] = np.nan
        return out

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = fit_constants(
            FitProblem(hostile, hi, lo),
            np.ones(3),
            np.ones(3, bool),
            np.random.default_rng(0),
            budget=500,
        )
        problem, _ = program_problem("1/(0.0*x + 0.5) + x/0.25", x, hi, lo)  # 1/0 at the probes
        other = fit_constants(
            problem,
            np.array([1.0, 0.0, 0.5, 0.25]),
            np.array([False, False, True, True]),
            np.random.default_rng(0),
            budget=500,
        )
    assert result.loss == np.inf and np.all(np.isfinite(result.constants))
    assert np.isfinite(other.loss)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_non_finite_init_is_started_at_random(exp2_points, bad):
    # A child of a parent with a zero constant can hold x / 0 = x * inf: no warm start from it.
    x, hi, lo = exp2_points
    problem, constants = program_problem("1.0/(1 + 0.5*x) + 0.1", x, hi, lo)
    init = constants.copy()
    init[2] = bad  # the 0.5
    unmarked = fit_constants(problem, init, None, np.random.default_rng(5), budget=600)
    fresh = np.arange(init.size) == 2
    marked = fit_constants(problem, init, fresh, np.random.default_rng(5), budget=600)
    assert np.isfinite(unmarked.loss) and np.all(np.isfinite(unmarked.constants))
    assert np.array_equal(unmarked.constants, marked.constants) and unmarked.loss == marked.loss


def test_budget_and_determinism(exp2_points):
    x, hi, lo = exp2_points
    calls: list[int] = []
    problem, constants = program_problem("2.0/(1.0 + x*(0.5 + x)) + 0.5 + x*0.1", x, hi, lo, calls)
    fresh = np.array([False, True, False, False, True])
    first = fit_constants(problem, constants, fresh, np.random.default_rng(7), budget=800)
    assert sum(calls) == first.n_evaluations <= 800
    second = fit_constants(problem, constants, fresh, np.random.default_rng(7), budget=800)
    assert np.array_equal(first.constants, second.constants) and first.loss == second.loss
    assert first.loss == Objective(problem, 1).losses(first.constants)[0]


def test_cmaes_evaluates_one_batch_per_generation(exp2_points):
    x, hi, lo = exp2_points
    sizes: list[int] = []
    problem, start = program_problem("1.0/(1 + 0.5*x) + 0.1", x, hi, lo, sizes)
    start_loss = Objective(problem, 1).losses(start)[0]
    sizes.clear()
    objective = Objective(problem, 24 * 30)
    best = cmaes_search(objective, start, 0.3, 24, np.random.default_rng(0))
    assert set(sizes) == {24} and len(sizes) == 30
    assert np.array_equal(best, objective.best_constants) and objective.best_loss < start_loss / 2


def test_error_weights_follow_metrics():
    hi = np.array([1.0, 0.75, 2.0, 1e-3])
    lo = np.array([-1e-17, 0.0, 1e-17, 0.0])
    approx = hi + np.array([3e-8, -1e-8, 2e-7, 1e-12])
    assert np.allclose(
        np.abs(approx - hi - lo) * error_weights(hi, lo, "ulp", "float32"),
        ulp_errors(approx, hi, lo, "float32"),
    )
    assert np.allclose(
        np.abs(approx - hi - lo) * error_weights(hi, lo, "relative", "float64"),
        relative_errors(approx, hi, lo),
    )
    # 1 - 1e-17 lies in the binade below 1: its float32 ulp is 2^-24, not 2^-23.
    assert error_weights(hi, lo, "ulp", "float32")[0] == 2.0**24


@pytest.mark.parametrize("dtype", [np.float32, np.float16, ml_dtypes.bfloat16])
def test_ulp_neighbours_walk_representable_values(dtype):
    values = np.array([1.0, 0.0, -2.0])
    moved = _ulp_neighbours(values, np.array([-1, 1]), dtype)
    one = np.array(1.0, dtype=dtype)
    assert moved[0, 0] == float(np.nextafter(one, np.array(0.0, dtype=dtype)))
    assert moved[1, 0] == float(np.nextafter(one, np.array(2.0, dtype=dtype)))
    tiny = float(np.nextafter(np.array(0.0, dtype=dtype), np.array(1.0, dtype=dtype)))
    assert moved[2, 1] == -tiny and moved[3, 1] == tiny  # across zero
    assert moved[4, 2] == -float(
        np.nextafter(np.array(2.0, dtype=dtype), np.array(3.0, dtype=dtype))
    )
    assert np.all(moved[:, [1, 2]][0::2][0] == values[[1, 2]])  # other coordinates untouched


@pytest.mark.parametrize("dtype", [np.float32, np.float16, ml_dtypes.bfloat16])
def test_ulp_neighbours_stop_at_infinity(dtype):
    largest = float(np.finfo(dtype).max)
    values = np.array([largest, -largest, np.inf, np.nan])
    with np.errstate(all="raise"):  # a signalling NaN pattern converted to float64 would raise
        moved = _ulp_neighbours(values, np.array([-16, -1, 1, 16]), dtype)
    assert not np.isnan(moved).any()  # row 4 i + j: coordinate i moved by offset j
    assert moved[1, 0] < largest and moved[2, 0] == moved[3, 0] == np.inf
    assert moved[4, 1] == moved[5, 1] == -np.inf and moved[6, 1] > -largest
    assert moved[9, 2] == largest and moved[10, 2] == moved[11, 2] == np.inf
    assert np.all(moved[12:, 3] == np.inf)


def test_polish_of_constants_beyond_float32_is_silent_and_last():
    # A rational fit can push constants past float32's range; rounded, they are inf.
    x = make_points((0.0, 1.0), 256, "float32")
    hi, lo = labels(EXP2, x, cache=False)
    program = parse_expr("1e300/(1e299 + x*1e300)")
    problem = FitProblem(lambda c: evaluate(program, x, constants=c), hi, lo)

    def f32(c: np.ndarray) -> np.ndarray:
        return evaluate(program, x, "float32", c, contract=True).astype(np.float64)

    fitted = FitResult(np.array(program.constants), 1.0, "lm", 10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        polished = polish_float(problem, fitted, f32, "float32", budget=200)
    assert polished.loss_f32 == np.inf and polished.method == "lm+float32"


def test_cmaes_stops_silently_on_a_ridge():
    # Two constants seen only as their product: the covariance collapses across the ridge
    # c0 * c1 = const until an eigenvalue is exactly 0 (these seeds get there; once a warning).
    x = make_points((0.0, 1.0), 64, "chebyshev")
    hi, lo = labels(EXP2, x, cache=False)
    problem = FitProblem(lambda c: 1.0 + (c[:, :1] * c[:, 1:2]) * x, hi, lo)
    one = FitProblem(lambda c: 1.0 + c[:, :1] * x, hi, lo)  # the same function, one constant
    slope = fit_constants(one, np.array([1.0]), None, np.random.default_rng(0))
    for seed in (0, 14):
        objective = Objective(problem, 20_000)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            found = cmaes_search(objective, np.array([0.5, 2.0]), 0.3, 16,
                                 np.random.default_rng(seed), patience=1000)
        assert found is not None and objective.remaining > 0  # CMA's own criteria stopped it
        assert objective.best_loss <= 1.001 * slope.loss  # and on the ridge's best point


HUGE_CONSTANTS_SEARCH = """
[target]
name = "tanh"
interval = [0.0, 1.0]

[evaluation]
dtype = "float32"
loss = "ulp"
train_points = 256
validation_points = 512

[search]
population = 8
seeds = ["1e300/(1e299 + x*1e300)"]
fit_budget = 300
"""


def test_a_successful_search_prints_no_warning(tmp_path: Path):
    # Every child of the seed has constants beyond float32: rounding them overflowed, and each
    # worker printed numpy's RuntimeWarning on stderr although the search succeeded.
    config, out = tmp_path / "huge.toml", tmp_path / "run"
    config.write_text(HUGE_CONSTANTS_SEARCH)
    start = time.monotonic()
    command = [sys.executable, "-m", "autonumerics", "search", str(config), "--out", str(out),
               "--max-evals", "30", "--workers", "2", "--seed", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr, done.stderr
    assert (out / "pareto.json").is_file() and time.monotonic() - start < 240


def test_float32_polish_improves_rounded_constants():
    # Degree-6 polynomial for 2^x in float32 (no FMA): a float64 relative-error fit rounded to
    # float32 gives 0.93 ULP on these points; the polish must do better.
    x = make_points((0.0, 1.0), 2048, "float32")
    hi, lo = labels(EXP2, x, cache=False)
    text = "1 + x*(0.69 + x*(0.24 + x*(0.055 + x*(0.0096 + x*(0.0013 + x*0.00015)))))"
    program = parse_expr(text)
    problem = FitProblem(lambda c: evaluate(program, x, constants=c), hi, lo)

    def f32(c: np.ndarray) -> np.ndarray:
        return evaluate(program, x, "float32", constants=c).astype(np.float64)

    plain = fit_constants(problem, np.array(program.constants), None, np.random.default_rng(0))
    rounded = np.max(
        ulp_errors(f32(plain.constants.astype(np.float32)[None, :])[0], hi, lo, "float32")
    )
    polished = fit_constants(
        problem, np.array(program.constants), None, np.random.default_rng(0), evaluate_batch_f32=f32
    )
    assert polished.method == "lp+float32"
    assert np.array_equal(polished.constants, polished.constants.astype(np.float32))
    measured = np.max(ulp_errors(f32(polished.constants[None, :])[0], hi, lo, "float32"))
    assert measured == polished.loss_f32 < rounded
    assert polished.loss_f32 < 0.8


@pytest.mark.slow
def test_paper_program_from_random_start():
    # The AutoNumerics-Zero 10-op program for 2^x on (0, 1]: <= 2e-14 from random constants.
    x = make_points((0.0, 1.0), 1025, "chebyshev")[1:]
    hi, lo = labels(EXP2, x, cache=False)
    problem, _ = program_problem("u = 3/x + x; (4/(1/u + 2 + u) - 5)**8", x, hi, lo)
    result = fit_constants(
        problem,
        np.ones(5),
        np.ones(5, bool),
        np.random.default_rng(0),
        budget=100_000,
        max_stalls=30,
    )
    assert result.loss < 1e-14
