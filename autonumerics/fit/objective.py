"""The fitting objective: a fitting problem, its max-error loss, and a budgeted evaluator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from autonumerics.errors import AutonumericsError
from autonumerics.numerics.dtypes import float_format
from autonumerics.numerics.metrics import ulp_size

LOSSES = ("relative", "absolute", "ulp")
# Searches (LM, CMA-ES, kicks) keep |c| <= 1e8. Beyond it constants only run off together towards
# a degenerate limit of the program (a group of them -> infinity emulating a lower-order form),
# a strong attractor for local search that hides the real minima. The LP stages are exempt.
MAX_MAGNITUDE = 1e8


@dataclass(frozen=True)
class FitProblem:
    """What the fitter sees of a program: a batched evaluation and the labels it must match.

    Attributes:
        evaluate_batch: maps a ``(pop, k)`` array of constant vectors to the ``(pop, n)`` float64
            values of the program at the ``n`` training points (inf/nan allowed, never raised).
        exact_hi: the exact labels at the training points, high part of a double-double.
        exact_lo: the low part (``exact = exact_hi + exact_lo`` to ~106 bits).
        loss: ``"relative"`` (|approx - exact| / |exact|), ``"absolute"`` or ``"ulp"``
            (|approx - exact| / ulp(exact) in ``dtype``, as ``metrics`` defines it).
        dtype: the float format the ULP is measured in (ignored by the other losses).

    Training points sorted along the interval make the LP's first guess of the extremal points
    good (faster); any order gives the same answer.
    """

    evaluate_batch: Callable[[np.ndarray], np.ndarray]
    exact_hi: np.ndarray
    exact_lo: np.ndarray
    loss: str = "relative"
    dtype: str = "float64"


@dataclass(frozen=True)
class FitResult:
    """The outcome of one fit.

    Attributes:
        constants: the fitted constants, shape ``(k,)`` (float32-representable after a polish).
        loss: the max error of ``constants`` on the training points under ``evaluate_batch``.
        method: the stages that ran, in order: ``"lp"`` (affine), ``"1d"`` (one constant),
            ``"lm+kick+cmaes+slp"`` (nonlinear), ``"none"`` (no constants), then ``"+float32"``
            after a polish.
        n_evaluations: constant vectors evaluated in total (the budget's unit).
        loss_f32: the max ULP error of ``constants`` under ``evaluate_batch_f32`` (in the polish
            format) after the float polish, None when no polish ran.
    """

    constants: np.ndarray
    loss: float
    method: str
    n_evaluations: int
    loss_f32: float | None = None


class OutOfBudget(Exception):
    """Raised inside a stage when the evaluation budget is spent; the stage's caller stops it."""


def error_weights(exact_hi: np.ndarray, exact_lo: np.ndarray, loss: str, dtype: str) -> np.ndarray:
    """Per-point factors turning |approx - exact| into the loss's unit (1/|exact|, 1, 1/ulp).

    The ULP is ``metrics.ulp_size`` (the binade of the real exact value; see the ``metrics``
    module docstring).

    Args:
        exact_hi: high parts of the exact labels.
        exact_lo: low parts of the exact labels.
        loss: ``"relative"``, ``"absolute"`` or ``"ulp"``.
        dtype: the format of the ULP (a name from ``autonumerics.numerics.dtypes.FORMATS``).

    Returns:
        A float64 array shaped like ``exact_hi`` (inf where the exact value is 0 under "relative").
    """
    if loss not in LOSSES:
        raise AutonumericsError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    if loss == "absolute":
        return np.ones_like(exact_hi)
    if loss == "relative":
        with np.errstate(divide="ignore"):
            return 1.0 / np.abs(exact_hi)
    return 1.0 / ulp_size(exact_hi, exact_lo, float_format(dtype))


class Objective:
    """Counts evaluations, turns values into weighted errors, and remembers the best point seen.

    Every stage evaluates through this object, so the best constants of any stage are never lost
    and the budget (in constant vectors evaluated) is enforced in one place.
    """

    def __init__(self, problem: FitProblem, budget: int) -> None:
        self.problem = problem
        self.exact_hi = np.asarray(problem.exact_hi, dtype=np.float64)
        self.exact_lo = np.asarray(problem.exact_lo, dtype=np.float64)
        self.weights = error_weights(self.exact_hi, self.exact_lo, problem.loss, problem.dtype)
        self.budget = budget
        self.n_evaluations = 0
        self.best_constants: np.ndarray | None = None
        self.best_loss = np.inf

    @property
    def remaining(self) -> int:
        """Constant vectors that may still be evaluated."""
        return self.budget - self.n_evaluations

    def residuals(self, constants: np.ndarray) -> np.ndarray:
        """Signed weighted errors ``(approx - exact) * weight``, shape ``(pop, n)``.

        Raises:
            OutOfBudget: when evaluating the batch would exceed the budget.
        """
        batch = np.atleast_2d(np.asarray(constants, dtype=np.float64))
        if self.n_evaluations + batch.shape[0] > self.budget:
            raise OutOfBudget
        self.n_evaluations += batch.shape[0]
        values = np.asarray(self.problem.evaluate_batch(batch), dtype=np.float64)
        with np.errstate(all="ignore"):
            # approx - hi is exact near the answer (Sterbenz), so lo survives the subtraction.
            errors = (values - self.exact_hi) - self.exact_lo
            # An exact 0 hit exactly is no error even where the relative weight is infinite.
            errors = np.where(errors == 0.0, 0.0, errors * self.weights)
        # A constant that overflowed in a search space is not a usable answer, whatever it gives.
        errors[~np.all(np.isfinite(batch), axis=1)] = np.nan
        losses = max_abs(errors)
        best = int(np.argmin(losses))
        if losses[best] < self.best_loss:
            self.best_loss = float(losses[best])
            self.best_constants = batch[best].copy()
        return errors

    def losses(self, constants: np.ndarray) -> np.ndarray:
        """Max weighted error of each constant vector, +inf where anything is not finite."""
        return max_abs(self.residuals(constants))


def max_abs(errors: np.ndarray) -> np.ndarray:
    """Row-wise max |error| of a ``(pop, n)`` array; a row with any non-finite entry is +inf."""
    with np.errstate(invalid="ignore"):
        worst = np.max(np.abs(errors), axis=-1)
    return np.where(np.isfinite(worst), worst, np.inf)
