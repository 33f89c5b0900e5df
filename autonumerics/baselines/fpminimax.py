"""Float32-coefficient polynomials: minimax with every coefficient a float32, rounding-aware.

Rounding each coefficient of the real minimax polynomial to the nearest float32 loses much of
its accuracy at high degree. Instead (the idea behind Sollya's ``fpminimax``, done here by
linear programming rather than lattice reduction):

1. Around the real minimax p*, the weighted error on a dense grid is linear in the coefficient
   corrections, so "minimise the max error" is a small LP (scaled so every entry is O(1)).
2. Fix the coefficients one at a time, lowest degree first: try the float32 just below and just
   above the LP optimum, keep the one whose re-solved LP (the rest still free) is better.

The LP weight is the problem's weight times the significand of f (1 <= m < 2), which turns a
relative error into an error in float32 ulps, and the LP minimises that error plus a share of
the worst-case rounding error of the FMA-contracted Horner evaluation (the JAX export's), so
the approximation error goes where the evaluation rounds least.

Tried and dropped, measured exhaustively on [0.5, 1]: a final search moving single constants
by an ulp to lower the max ULP error on a sample overfits the sample (erf, x + x*q(x^2), 7
terms: 0.990 -> 1.104 ULP while the sample's max fell); adding the pure approximation error
to the LP objective as a tie-breaker made 2^x worse (deg 6: 0.876 -> 0.896, deg 8: 0.878 -> 0.897).
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
from mpmath import mpf
from scipy.optimize import linprog

from autonumerics.baselines.problem import (
    WORKING_DPS,
    Approximant,
    Problem,
    chebyshev_grid,
)

LP_GRID = 512
# Weight of the worst-case rounding budget in the LP: the exhaustive max ULP error sits
# below the worst case (the largest roundings rarely coincide). Measured exhaustively on
# [0.5, 1] while tuning: 2^x deg 6 0.876 ULP at 1/4, 0.892 at 0, 0.887 at 1; erf
# x + x*q(x^2) with 7 terms 0.990 at 1/4, 0.991 at 0, 0.998 at 1/2 (0.978 at 1/4 with the
# final grid). scripts/bench_baselines.py --exhaustive measures the shipped choice on [0, 1].
BUDGET_WEIGHT = 0.25


def float32_coefficients(problem: Problem, start: Approximant,
                         extra_points: Sequence[mpf] = ()) -> tuple[float, ...]:
    """Float32 coefficients (monomials in t, lowest first) near-minimising the max weighted error.

    Args:
        problem: the approximation problem (its weight, scaled to float32 ulps of f, is used).
        start: the real minimax polynomial of the wanted degree.
        extra_points: points added to the LP grid (e.g. the real minimax's alternation points).
    """
    model = _linear_model(problem, start, extra_points)
    real = [float(c) for c in start.numerator]
    fixed: dict[int, float] = {}
    coefficients = _solve(model, real, fixed)[0]
    for j in range(len(real)):
        trials = [(_solve(model, real, {**fixed, j: candidate}), candidate)
                  for candidate in _float32_neighbours(coefficients[j])]
        (coefficients, _), fixed[j] = min(trials, key=lambda trial: trial[0][1])
    return tuple(fixed[j] for j in range(len(real)))


def _linear_model(problem: Problem, start: Approximant,
                  extra: Sequence[mpf]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows W_i t_i^j and residuals W_i (p*(t_i) - g_i) + B_i on the LP grid.

    W is the problem's weight times the significand of f, so W (p - g) is the error in units
    of 2^-23 float32 ulps when the problem measures relative error. B is the rounding budget
    of the float32 evaluation in the same units (zero for absolute error): the LP then
    minimises max (|approximation error| + B), putting the approximation error where the
    evaluation rounds least. The residuals are computed in mpmath (they are tiny differences).
    """
    with mpmath.workdps(WORKING_DPS):
        ts = sorted(set(chebyshev_grid(problem.a, problem.b, LP_GRID)) | set(extra))
        weights, residual, values = [], [], []
        for t in ts:
            g = problem.g(t)
            f = problem.factor(t) * (g + 1 if problem.form == "odd1" else g)
            weight = problem.w(t) * _significand(f)
            weights.append(float(weight))
            values.append(float(f))
            residual.append(float(weight * (start(t) - g)))
        powers = np.array([[float(t) ** j for j in range(len(start.numerator))] for t in ts])
    t_values = np.array([float(t) for t in ts])
    factors = np.abs([float(problem.factor(t)) for t in ts])
    budget = _rounding_budget(problem.form, [float(c) for c in start.numerator], t_values, factors,
                              np.array(values))
    scale = BUDGET_WEIGHT * 2.0**-23 * problem.relative
    return powers * np.array(weights)[:, None], np.array(residual), budget * scale


def _rounding_budget(form: str, coefficients: list[float], t: np.ndarray, factor: np.ndarray,
                     f: np.ndarray) -> np.ndarray:
    """Worst-case float32 rounding error of the contracted Horner evaluation, in ulps of f.

    Level k of Horner, v_k = c_k + t v_(k+1), rounds once (an FMA) by at most ulp(v_k)/2, and
    that error reaches the result multiplied by t^k, and by the factor (|x|, |x - x0|) in the
    factored forms, whose last op (x*v_0, x + x*v_0, (x - x0)*v_0) rounds once more.
    """
    value = np.full_like(t, coefficients[-1])
    budget = np.zeros_like(t)
    for k in range(len(coefficients) - 2, -1, -1):
        value = coefficients[k] + t * value
        budget += 0.5 * _ulp32(value) * np.abs(t) ** k
    if form in ("odd", "odd1", "root"):
        budget = budget * factor + 0.5 * _ulp32(f)
    elif len(coefficients) == 1:
        budget = 0.5 * _ulp32(f)
    return budget / _ulp32(f)


def _ulp32(values: np.ndarray) -> np.ndarray:
    """2^(floor(log2|v|) - 23), floored at 2^-149 (the ``metrics`` convention)."""
    _, exponent = np.frexp(np.abs(values))
    return np.ldexp(1.0, np.maximum(exponent - 24, -149))


def _significand(value: mpf) -> mpf:
    """|value| / 2^floor(log2 |value|), in [1, 2): a relative error times it is in ulps (/2^-23)."""
    if value == 0:
        return mpf(1)
    mantissa, _ = mpmath.frexp(abs(value))
    return 2 * mantissa


def _solve(model: tuple[np.ndarray, np.ndarray, np.ndarray], real: list[float],
           fixed: dict[int, float]) -> tuple[list[float], float]:
    """min over the free coefficients of max_i |residual_i + rows_i . (c - real)| + budget_i,
    the fixed coefficients pinned.

    Scaled so the LP sees O(1) numbers: errors in units of max|residual|, each column by its
    largest entry. Returns the coefficients and the optimum (in the residual's units).
    """
    rows, residual, budget = model
    unit = max(float(np.abs(residual).max()), np.finfo(float).tiny)
    shift = np.zeros(len(real))
    for j, value in fixed.items():
        shift[j] = value - real[j]
    base, slack = (residual + rows @ shift) / unit, budget / unit
    coefficients = [real[j] + shift[j] for j in range(len(real))]
    free = [j for j in range(len(real)) if j not in fixed]
    if not free:
        return coefficients, float((np.abs(base) + slack).max()) * unit
    columns = rows[:, free] / unit
    scale = np.abs(columns).max(axis=0)
    scale[scale == 0] = 1.0
    scaled, ones = columns / scale, np.ones((len(base), 1))
    # |base + A y| + slack <= z  as two one-sided rows per grid point
    a_ub = np.vstack([np.hstack([scaled, -ones]), np.hstack([-scaled, -ones])])
    b_ub = np.concatenate([-base - slack, base - slack])
    cost = np.zeros(len(free) + 1)
    cost[-1] = 1.0
    bounds = [(None, None)] * len(free) + [(0, None)]
    result = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if result.status != 0:  # keep the fixed ones, the rest at the real optimum
        return coefficients, float((np.abs(base) + slack).max()) * unit
    for position, j in enumerate(free):
        coefficients[j] = real[j] + result.x[position] / scale[position]
    return coefficients, float(result.x[-1]) * unit


def _float32_neighbours(value: float) -> list[float]:
    """The float32 values just below and just above ``value`` (one if it is a float32)."""
    nearest = np.float32(value)
    if float(nearest) == value:
        return [value]
    other = np.nextafter(nearest, np.float32(np.inf if float(nearest) < value else -np.inf))
    return sorted({float(nearest), float(other)})
