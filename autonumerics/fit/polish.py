"""Float polish: constants rounded to a low-precision format, then a walk over neighbouring values.

A float64 fit rounded to float32 constants and evaluated in float32 is rarely the best float32
program: every op rounds, and the rounding of each constant matters at the 0.1-ULP level. The
polish scores candidates with the low-precision evaluation itself and the ULP loss.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from autonumerics.fit.objective import (
    FitProblem,
    FitResult,
    Objective,
    OutOfBudget,
    max_abs,
)
from autonumerics.numerics.dtypes import float_format

POLISH_BUDGET = 2000
POLISH_STEPS = (1, 2, 3, 4, 8, 16)  # ulps tried per coordinate and direction


def polish_float(
    problem: FitProblem,
    result: FitResult,
    evaluate_batch_low: Callable[[np.ndarray], np.ndarray],
    dtype: str = "float32",
    budget: int = POLISH_BUDGET,
) -> FitResult:
    """Round the constants to ``dtype`` and descend greedily over neighbouring representable values.

    Each step evaluates, in one batch, every single-coordinate move of +-1, 2, 3, 4, 8, 16 ulps
    and every two-coordinate move of +-1 ulp each, and takes the best one, ranked by (max ULP
    error, RMS ULP error) in ``dtype`` under ``evaluate_batch_low`` (the RMS breaks the ties of
    the max, so the walk does not stall on a plateau). Stops when no move improves or the budget
    is spent.
    """
    low = FitProblem(evaluate_batch_low, problem.exact_hi, problem.exact_lo, "ulp", dtype)
    objective = Objective(low, budget)
    fmt = float_format(dtype)
    # A float64 constant beyond the format's range rounds to inf, as it would in the exported
    # kernel (the evaluation rounds the program's own constants too): such a program ranks last.
    with np.errstate(over="ignore"):
        current = np.asarray(result.constants, dtype=fmt.dtype).astype(np.float64)
        return _walk(problem, result, objective, current, fmt.dtype, dtype)


def _walk(problem: FitProblem, result: FitResult, objective: Objective, current: np.ndarray,
          format_dtype: np.dtype, dtype: str) -> FitResult:
    """The greedy descent of ``polish_float`` from the rounded constants ``current``."""
    key = (np.inf, np.inf)
    try:
        key = _ranking(objective.residuals(current))[0]
        offsets = np.array([s * d for s in POLISH_STEPS for d in (-1, 1)])
        while current.size:
            singles = _ulp_neighbours(current, offsets, format_dtype)
            moves = np.vstack([singles, _pair_moves(current, format_dtype)])
            keys = _ranking(objective.residuals(moves))
            best = min(range(len(keys)), key=keys.__getitem__)
            if not keys[best] < key:
                break
            current, key = moves[best], keys[best]
    except OutOfBudget:
        pass
    loss = float(Objective(problem, 1).losses(current)[0])
    return FitResult(
        current,
        loss,
        result.method + "+" + dtype,
        result.n_evaluations + objective.n_evaluations + 1,
        loss_f32=float(key[0]),
    )


def _pair_moves(constants: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Every copy of ``constants`` with two coordinates each moved by +-1 ulp (4 k(k-1)/2 rows).

    Pairs escape the points where every single move raises the max error: one coefficient up
    and its neighbour down keeps the worst point in place while moving the rest.
    """
    k = constants.size
    steps = _ulp_neighbours(constants, np.array([-1, 1]), dtype).reshape(k, 2, k)
    rows = []
    for i in range(k):
        for j in range(i + 1, k):
            for a in (0, 1):
                for b in (0, 1):
                    row = constants.copy()
                    row[i], row[j] = steps[i, a, i], steps[j, b, j]
                    rows.append(row)
    return np.array(rows).reshape(-1, k)


def _ranking(errors: np.ndarray) -> list[tuple[float, float]]:
    """(max |error|, RMS error) per row, +inf for rows with a non-finite value."""
    worst = max_abs(errors)
    with np.errstate(all="ignore"):
        rms = np.sqrt(np.mean(np.square(errors), axis=-1))
    return [
        (float(w), float(r) if np.isfinite(w) else np.inf) for w, r in zip(worst, rms, strict=True)
    ]


def _ulp_neighbours(constants: np.ndarray, offsets: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Copies of ``constants`` with one coordinate moved by one of ``offsets`` ulps of ``dtype``.

    Floats are mapped to integers that count representable values in order (sign-magnitude bits
    to two's complement), so a move of n ulps is an integer addition, across zero and binades.
    A move stops at +-inf: beyond them lie NaN bit patterns (signalling ones among them, whose
    conversion to float64 raises the invalid-operation flag). A NaN constant moves to +-inf.
    """
    dtype = np.dtype(dtype)
    int_type = np.dtype(f"int{8 * dtype.itemsize}")
    bits = constants.astype(dtype).view(int_type).astype(np.int64)
    sign_bit = np.int64(1) << (8 * dtype.itemsize - 1)
    order = np.where(bits < 0, -(bits & (sign_bit - 1)), bits)
    k = constants.size
    moved = np.repeat(order[None, :], k * offsets.size, axis=0)
    rows = np.arange(k * offsets.size)
    moved[rows, np.repeat(np.arange(k), offsets.size)] += np.tile(offsets, k)
    infinity = np.array(np.inf, dtype=dtype).view(int_type).astype(np.int64)
    moved = np.clip(moved, -infinity, infinity)
    back = np.where(moved < 0, (-moved) | sign_bit, moved)
    return back.astype(int_type).view(dtype).astype(np.float64)
