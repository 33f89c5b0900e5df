"""The expensive, pure part of the search: fit one child's constants and score it.

A ``SearchContext`` (training and validation points with their exact labels, and the scoring
rules) is built once by the driver and sent to each worker once; a ``ChildTask`` is one child.
``evaluate_child`` is all a worker runs, so inline, process-pool and Dask executors behave the
same and the driver keeps the population.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from autonumerics.evolution.cost import WallClockCost
from autonumerics.evolution.fingerprints import fingerprint, probe_points
from autonumerics.evolution.settings import SearchConfig
from autonumerics.fit.driver import FitProblem, fit_constants
from autonumerics.ir.contraction import contract_multiply_add
from autonumerics.ir.interpret import evaluate
from autonumerics.ir.program import Program
from autonumerics.numerics.context import ArithmeticContext
from autonumerics.numerics.dtypes import FloatFormat
from autonumerics.numerics.metrics import absolute_errors, relative_errors, ulp_errors
from autonumerics.truth.ground_truth import finite_labels, make_points
from autonumerics.truth.targets import get_target


@dataclass(frozen=True)
class SearchContext:
    """Everything a worker needs besides the child, sent once.

    Attributes:
        arithmetic: the format children are scored in ("float64" stands for real arithmetic)
            and its semantics ("xla": contracted as jitted JAX computes; "strict").
        loss: "relative", "absolute" or "ulp".
        train_x, train_hi, train_lo: training points and their exact labels (double-double).
        valid_x, valid_hi, valid_lo: validation points and labels, fixed for the whole run.
        probes: points for the functional fingerprint.
        fit_budget: constant vectors per fit.
        wall_clock: the measured-cost model when the config's cost is "wall_clock" (each worker
            gets its own copy, whose cache of timed structures then lives in that worker).
    """

    arithmetic: ArithmeticContext
    loss: str
    train_x: np.ndarray
    train_hi: np.ndarray
    train_lo: np.ndarray
    valid_x: np.ndarray
    valid_hi: np.ndarray
    valid_lo: np.ndarray
    probes: np.ndarray
    fit_budget: int
    wall_clock: WallClockCost | None = None

    @classmethod
    def build(cls, config: SearchConfig) -> SearchContext:
        """Points and labels for a resolved config (labels come from the on-disk cache after the
        first run).

        Raises:
            AutonumericsError: a point where the target has no finite real value (naming it), or
                labels that would take longer than ``evaluation.label_seconds``.
        """
        target, interval = get_target(config.target.name), config.target.interval
        evaluation, arithmetic = config.evaluation, config.arithmetic
        train_x = training_points(interval, evaluation.train_points, arithmetic.format)
        rng = np.random.default_rng(config.search.seed + 1_000_003)
        valid_x = make_points(interval, evaluation.validation_points, "random", rng)
        if arithmetic.dtype != "float64":  # validation inputs must be values of the format
            valid_x = np.unique(valid_x.astype(np.float32).astype(np.float64).clip(*interval))
        # Every label must be finite and real: a point outside the target's domain is an error
        # naming it, before any child is fitted (not a child scored on fewer points).
        train_hi, train_lo = finite_labels(target, train_x, evaluation.digits,
                                           evaluation.label_seconds)
        valid_hi, valid_lo = finite_labels(target, valid_x, evaluation.digits,
                                           evaluation.label_seconds)
        return cls(
            arithmetic=arithmetic,
            loss=evaluation.loss,
            train_x=train_x, train_hi=train_hi, train_lo=train_lo,
            valid_x=valid_x, valid_hi=valid_hi, valid_lo=valid_lo,
            probes=probe_points(*interval),
            fit_budget=config.search.fit_budget,
            wall_clock=(WallClockCost(interval, arithmetic.semantics)
                        if evaluation.cost == "wall_clock" else None),
        )

    @property
    def dtype(self) -> str:
        """The scoring format's name."""
        return self.arithmetic.dtype

    def errors(self, approx: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
        """Per-point errors in the loss's unit."""
        if self.loss == "ulp":
            return ulp_errors(approx, hi, lo, self.dtype)
        if self.loss == "absolute":
            return absolute_errors(approx, hi, lo)
        return relative_errors(approx, hi, lo)


def training_points(interval: tuple[float, float], n: int, fmt: FloatFormat) -> np.ndarray:
    """Chebyshev points (dense at the ends, where minimax errors peak); below float64 they are
    rounded to the format, and a quarter are spread uniformly over the format's values
    (uniform in ulps reaches the tiny inputs near 0 that a uniform grid never sees)."""
    points = make_points(interval, n, "chebyshev")
    if fmt.name == "float64":
        return points
    rounded = points.astype(fmt.dtype).astype(np.float64).clip(*interval)
    ordinal = make_points(interval, max(2, n // 4), "float32").astype(fmt.dtype).astype(np.float64)
    return np.unique(np.concatenate([rounded, ordinal]))


@dataclass(frozen=True)
class ChildTask:
    """One child to fit: its program (parent constants where they survived) and its seed.

    ``screen``: the loss its first local fit must reach for the full fit to run (the driver's
    front at the child's cost, times the config's ``search.screen_margin``); None: a full fit.
    """

    child_id: int
    parent_id: int
    kind: str
    program: Program
    fresh: tuple[bool, ...]
    seed: int
    screen: float | None = None


@dataclass(frozen=True)
class ChildResult:
    """A fitted, scored child.

    Attributes:
        task: the task it answers.
        program: the program with fitted constants.
        train_loss: max error on the training points.
        valid_loss: max error on the validation points (fitness is the larger of the two).
        fit_method: the fitter's stages.
        fit_evaluations: constant vectors evaluated.
        fingerprint: functional fingerprint of the fitted program (hex).
        seconds: wall time of the evaluation in the worker.
        cost: measured cost (ns per element) when the search's cost is "wall_clock", else None
            (the driver then counts ops).
    """

    task: ChildTask
    program: Program
    train_loss: float
    valid_loss: float
    fit_method: str
    fit_evaluations: int
    fingerprint: str
    seconds: float  # the fit and the scores, not the wall-clock cost's own timing
    cost: float | None = None

    @property
    def fitness(self) -> float:
        loss = max(self.train_loss, self.valid_loss)
        return loss if np.isfinite(loss) else np.inf


def evaluate_child(context: SearchContext, task: ChildTask) -> ChildResult:
    """Fit the child's constants on the training points, then score it on the validation points.

    The fit runs in float64 (real arithmetic, never contracted), then, below float64, polishes
    the constants in the context's arithmetic; the scores are in the context's arithmetic.
    """
    started = time.perf_counter()
    program = task.program
    rng = np.random.default_rng(task.seed)
    arithmetic, dtype = context.arithmetic, context.arithmetic.dtype

    def batch(evaluated_in: ArithmeticContext | str):
        return lambda constants: evaluate(program, context.train_x, evaluated_in, constants)

    problem = FitProblem(batch("float64"), context.train_hi, context.train_lo, context.loss,
                         dtype if context.loss == "ulp" else "float64")
    if program.n_constants:
        result = fit_constants(problem, np.array(program.constants),
                               np.array(task.fresh, dtype=bool), rng, budget=context.fit_budget,
                               evaluate_batch_f32=batch(arithmetic) if dtype != "float64" else None,
                               polish_dtype=dtype, screen=task.screen)
        program = program.with_constants(result.constants)
        method, n_evaluations = result.method, result.n_evaluations
    else:
        method, n_evaluations = "none", 0
    scored = contract_multiply_add(program, arithmetic) if arithmetic.contracts else program
    train_loss = _max_error(context, evaluate(scored, context.train_x, dtype), context.train_hi,
                            context.train_lo)
    valid_loss = _max_error(context, evaluate(scored, context.valid_x, dtype), context.valid_hi,
                            context.valid_lo)
    seconds = time.perf_counter() - started  # the fit and scoring; the timing below is apart
    cost = context.wall_clock(program) if context.wall_clock is not None else None
    return ChildResult(task, program, train_loss, valid_loss, method, n_evaluations,
                       fingerprint(program, context.probes).hex(), seconds, cost)


def _max_error(context: SearchContext, approx: np.ndarray, hi: np.ndarray, lo: np.ndarray) -> float:
    errors = context.errors(approx, hi, lo)
    finite = np.isfinite(hi)
    if not np.all(np.isfinite(errors[finite])):
        return float("inf")
    return float(np.max(errors[finite])) if finite.any() else float("inf")
