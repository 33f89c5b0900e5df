"""Quantization-aware search for GELU-like activations: real fit, exact fold, full-grid tuning.

The family is ``f(x) = relu(x) - h(|x|)`` with ``h(a) ~ p(min(a, T))``, p a polynomial of degree
d (for GELU, h(a) = a * Phi(-a) is even, peaks at 0.17 and decays like a Gaussian, so clipping at
T makes the polynomial's tail constant). Three stages:

1. ``fit_real``: minimax LP of the polynomial on the real line (the continuous L-infinity figure).
2. ``fold``: its constants for given input / output scales as integers ``C_k = round(c_k S_in^k /
   S_out 2^F)`` computed with exact fractions (no float rounding of the scales, unlike
   ``floor(c / S)`` folds that lose precision at coarse scales).
3. ``tune``: a mixed-integer LP over the integer constants that minimises the number of inputs
   that are not correctly rounded, on *every* grid point, subject to: every error <= 1 LSB, the
   total signed error (bias) bounded, and every Horner intermediate inside int32.

The integer kernel (scales equal, ``S_in == S_out``) is
``out = max(q, 0) - ((C_d t + C_{d-1}) t + ... + C_0) >> F`` with ``t = min(|q|, T)``: the rounding
offset is folded into C_0 so one floor shift rounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import mpmath
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from autonumerics.errors import AutonumericsError
from autonumerics.quant.int_ops import INT32_MAX
from autonumerics.quant.intprogram import IntInstruction, IntProgram, evaluate
from autonumerics.quant.params import QuantParams
from autonumerics.quant.score import MPMATH_ACTIVATIONS, QuantScore, reference, score_outputs


@dataclass(frozen=True)
class RealFit:
    """A real fit of the family, minimax on ``[-radius, radius]``.

    ``f(x) = relu(x) - sum_k coefficients[k] * min(|x|, clip)**k``.
    """

    coefficients: tuple[float, ...]
    clip: float
    radius: float
    linf: float  # max |fit - f| on a dense grid of the interval (mpmath reference)

    @property
    def n_ops(self) -> int:
        """Real ops: abs, min, Horner (d mul + d add), max, sub."""
        return 2 * (len(self.coefficients) - 1) + 4


def _tail(function: str, a: np.ndarray) -> np.ndarray:
    """``h(a) = relu(-a) - f(-a) = -f(-a)`` (a >= 0): the even ``relu(x) - f(x)`` at |x| = a."""
    g = MPMATH_ACTIVATIONS[function]
    with mpmath.workdps(30):
        return np.array([float(-g(mpmath.mpf(-v))) for v in a.tolist()])


def _lp_minimax(basis: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float]:
    """Minimise max |basis @ c - target| by LP (HiGHS); returns (c, max error)."""
    n, m = basis.shape
    a_ub = np.block([[basis, -np.ones((n, 1))], [-basis, -np.ones((n, 1))]])
    cost = np.zeros(m + 1)
    cost[-1] = 1.0
    result = linprog(cost, A_ub=a_ub, b_ub=np.concatenate([target, -target]),
                     bounds=[(None, None)] * m + [(0, None)], method="highs")
    return result.x[:-1], float(result.x[-1])


def fit_real(degree: int, clip: float, radius: float = 4.0, function: str = "gelu",
             points: int = 4001) -> RealFit:
    """Minimax fit of ``h(a) = relu(a) - f(a)`` by ``p(min(a, clip))`` for ``a`` in [0, radius].

    The L-infinity error is measured on ``points`` points of [0, radius] (f - fit is even in x,
    so this is the error on [-radius, radius]).
    """
    a = np.linspace(0.0, radius, points)
    h = _tail(function, a)
    t = np.minimum(a, clip)
    coefficients, linf = _lp_minimax(np.vander(t, degree + 1, increasing=True), h)
    return RealFit(tuple(float(c) for c in coefficients), float(clip), float(radius), linf)


def fold(fit: RealFit, s_in: float, s_out: float, frac_bits: int) -> tuple[list[int], int]:
    """Integer Horner constants ``C_k = round(c_k S_in^k / S_out 2^F)`` (exact), the clip in LSB."""
    s_in_q, s_out_q = Fraction(s_in), Fraction(s_out)
    constants = [round(Fraction(c) * s_in_q**k / s_out_q * 2**frac_bits)
                 for k, c in enumerate(fit.coefficients)]
    return constants, round(Fraction(fit.clip) / s_in_q)


@dataclass(frozen=True)
class Candidate:
    """One integer kernel of the family with its exhaustive score."""

    program: IntProgram
    degree: int
    clip: int | None  # in input steps; None when no clipping is needed on the grid
    frac_bits: int
    score: QuantScore


def build_program(constants: list[int], clip: int | None, frac_bits: int) -> IntProgram:
    """``max(q, 0) - (Horner(constants, min(|q|, clip)) >> F)`` as an IntProgram."""
    code = [IntInstruction("a", "abs", ("q",))]
    variable = "a"
    if clip is not None:
        code.append(IntInstruction("t", "min", ("a", clip)))
        variable = "t"
    accumulator: str | int = constants[-1]
    for k in range(len(constants) - 2, -1, -1):
        code.append(IntInstruction(f"m{k}", "mul", (variable, accumulator)))
        code.append(IntInstruction(f"r{k}", "add", (f"m{k}", constants[k])))
        accumulator = f"r{k}"
    code += [IntInstruction("h", "shr", (accumulator, frac_bits)),
             IntInstruction("p", "max", ("q", 0)), IntInstruction("out", "sub", ("p", "h"))]
    return IntProgram(("q",), tuple(code), "out")


def _horner_rows(t: np.ndarray, degree: int) -> list[np.ndarray]:
    """Each Horner intermediate (products and sums) as a linear map of the constants, per point."""
    rows = []
    for j in range(degree, 0, -1):  # r_j = sum_{k>=j} C_k t^(k-j);  m_j = r_j * t
        product = np.zeros((len(t), degree + 1))
        for k in range(j, degree + 1):
            product[:, k] = t ** (k - j + 1)
        partial = product.copy()
        partial[:, j - 1] = 1.0
        rows += [product, partial]
    return rows


def tune(target_h: np.ndarray, t: np.ndarray, degree: int, frac_bits: int, max_bias: float,
         start: list[int] | None = None, time_limit: float = 10.0,
         importance: np.ndarray | None = None) -> list[int] | None:
    """Integer constants C with ``floor(P(t)/2^F) == target_h`` at the most points (a MILP).

    Every point may miss by at most one step; the signed misses sum to at most ``max_bias``;
    every Horner intermediate stays within int32. ``importance`` (one weight per input, default 1)
    weighs each miss in the objective. Returns ``start`` when the MILP finds nothing.
    """
    # Inputs with the same (t, target) give the same row: keep one, weighted by its count.
    pairs, inverse, weights = np.unique(np.stack([t, target_h], axis=1), axis=0,
                                        return_inverse=True, return_counts=True)
    importance = (np.ones(len(inverse)) if importance is None
                  else np.asarray(importance, dtype=np.float64))
    miss_cost = np.bincount(inverse.ravel(), weights=importance, minlength=len(pairs))
    t, target_h = pairs[:, 0], pairs[:, 1].astype(np.float64)
    n, m, one = len(t), degree + 1, float(2**frac_bits)
    basis = np.vander(t.astype(np.float64), m, increasing=True)
    eye, zeros = np.eye(n), np.zeros((n, n))
    # variables: C (m), up (n), down (n); floor(P / 2^F) = target + up - down
    blocks = [
        (np.hstack([basis, zeros, one * eye]), target_h * one, np.full(n, np.inf)),
        (np.hstack([basis, -one * eye, zeros]), np.full(n, -np.inf), (target_h + 1) * one - 1),
        (np.hstack([np.zeros((n, m)), eye, eye]), np.zeros(n), np.ones(n)),
        (np.concatenate([np.zeros(m), weights, -weights])[None], [-max_bias], [max_bias]),
    ]
    limit = INT32_MAX - 1.0
    for row in _horner_rows(t.astype(np.float64), degree):
        blocks.append((np.hstack([row, np.zeros((n, 2 * n))]), np.full(n, -limit),
                       np.full(n, limit)))
    matrix = np.vstack([b[0] for b in blocks])
    lower = np.concatenate([np.asarray(b[1], float) for b in blocks])
    upper = np.concatenate([np.asarray(b[2], float) for b in blocks])
    cost = np.concatenate([np.zeros(m), miss_cost, miss_cost])
    bounds = Bounds(np.concatenate([np.full(m, -limit), np.zeros(2 * n)]),
                    np.concatenate([np.full(m, limit), np.ones(2 * n)]))
    result = milp(cost, constraints=LinearConstraint(matrix, lower, upper),
                  integrality=np.ones(m + 2 * n), bounds=bounds,
                  options={"time_limit": time_limit, "disp": False})
    if result.x is None:
        return start
    return [round(c) for c in result.x[:m]]


def search_gelu(params_in: QuantParams, params_out: QuantParams, max_ops: int = 12,
                degrees: tuple[int, ...] = (3, 4), frac_bits: int = 26, clips: int = 3,
                time_limit: float = 30.0, protect: float = 0.5) -> list[Candidate]:
    """Search the family for one pair of scales; candidates sorted best first (misses, ops, |bias|).

    For each degree, the clip points tried are the ``clips`` best of the real minimax fit on the
    grid (plus 'no clip'); each is folded and tuned by ``tune``, then scored exhaustively by the
    integer interpreter (the MILP's own arithmetic is never trusted for the score). A miss at a
    real input with ``|x| <= protect`` or at either end code costs 64 in the MILP objective,
    elsewhere 1 (``miss_importance``).
    """
    if params_in.scale != params_out.scale or params_in.zero_point or params_out.zero_point:
        raise AutonumericsError("the GELU family needs equal input and output scales and zero "
                                f"points 0 (got {params_in.scale} -> {params_out.scale})")
    grid = params_in.grid()
    exact, rounded = reference("gelu", params_in, params_out)
    target_h = np.maximum(grid, 0) - rounded  # what floor(P / 2^F) must equal
    importance = miss_importance(grid, params_in.scale, protect)
    a_max = int(np.abs(grid).max())
    candidates = []
    for degree in degrees:
        for clip in _clip_candidates(degree, params_in.scale, a_max, clips, max_ops):
            t = np.minimum(np.abs(grid), a_max if clip is None else clip)
            fit = fit_real(degree, (clip or a_max) * params_in.scale, a_max * params_in.scale)
            start = fold(fit, params_in.scale, params_out.scale, frac_bits)[0]
            constants = tune(target_h, t, degree, frac_bits, max_bias=0.03 * len(grid), start=start,
                             time_limit=time_limit, importance=importance)
            constants = _polish_offset(constants, clip, frac_bits, grid, rounded, importance)
            program = build_program(constants, clip, frac_bits)
            score = score_outputs(evaluate(program, q=grid), grid, exact, rounded)
            candidates.append(Candidate(program, degree, clip, frac_bits, score))
    return sorted(candidates, key=lambda c: (1 - c.score.correctly_rounded, c.program.n_ops,
                                             abs(c.score.bias_lsb)))


def miss_importance(grid: np.ndarray, scale: float, protect: float) -> np.ndarray:
    """What a miss at each grid point costs the MILP: 64 where a network's inputs crowd, else 1.

    Pre-activations concentrate near 0 (``|x| <= protect``), and the two end codes of the grid
    collect every pre-activation that saturated when it was requantized: in a network one miss
    there repeats on every clipped value (at 2^-5, GELU(-4) coded as +1 LSB instead of 0 put a
    +0.03 bias on every saturated negative unit). The MILP pushes unavoidable misses elsewhere.
    """
    crowded = (np.abs(grid * scale) <= protect) | (grid == grid.min()) | (grid == grid.max())
    return np.where(crowded, 64.0, 1.0)


def _polish_offset(constants: list[int], clip: int | None, frac_bits: int, grid: np.ndarray,
                   rounded: np.ndarray, importance: np.ndarray,
                   max_bias: float = 0.03) -> list[int]:
    """Re-tune the constant term (rounding offset) by exhaustive scoring around the MILP's value.

    The MILP works in floating point with 2^F-sized coefficients, so its integer answer can sit a
    few units off; this scores 257 offsets exactly with the interpreter and keeps the one with
    the fewest weighted misses among those with |error| <= 1 and |bias| <= ``max_bias``.
    """
    best_key, best = None, constants
    for delta in range(-(2 ** (frac_bits - 5)), 2 ** (frac_bits - 5) + 1, 2 ** (frac_bits - 12)):
        trial = [constants[0] + delta, *constants[1:]]
        if abs(trial[0]) > 2**31 - 1:
            continue
        error = evaluate(build_program(trial, clip, frac_bits), q=grid) - rounded
        if np.abs(error).max() > 1 or abs(error.mean()) > max_bias:
            continue
        key = (float(np.sum(importance * (error != 0))), abs(delta))
        if best_key is None or key < best_key:
            best_key, best = key, trial
    return best


def _clip_candidates(degree: int, scale: float, a_max: int, count: int,
                     max_ops: int) -> list[int | None]:
    """'No clip' if within the op budget, and the ``count`` best clip points of the real fit."""
    options: list[int | None] = []
    if 2 * degree + 4 <= max_ops:
        options.append(None)
    if 2 * degree + 5 > max_ops:
        return options
    a = np.arange(a_max + 1, dtype=np.float64)
    h = _tail("gelu", a * scale)
    errors = []
    for clip in range(max(degree + 1, a_max // 8), a_max, max(1, a_max // 64)):
        basis = np.vander(np.minimum(a, clip), degree + 1, increasing=True)
        errors.append((_lp_minimax(basis, h)[1], clip))
    return options + [clip for _, clip in sorted(errors)[:count]]
