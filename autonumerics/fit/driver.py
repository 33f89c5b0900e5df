"""Constant fitting: the discrete minimax of a program's max error over its constants.

Program-agnostic: the fitter sees only a batched evaluation (``FitProblem``). Every stage
evaluates through one budgeted ``Objective``, which keeps the best point any stage saw.

* Affine programs (detected numerically, ``fit.lp``): one scaled LP from the least-squares
  point plus refinements, i.e. the exact discrete minimax (7.7e-13 for the degree-8 polynomial
  of 2^x on [0, 1]).
* One constant: a log-grid bracket and a batched zoom (``fit.cmaes.search_1d``).
* Nonlinear programs: the best of 256 random draws of the fresh constants; Levenberg-Marquardt
  in log-magnitude space; rounds of basin-hopping kicks, CMA-ES (alternately around the best
  point with IPOP restarts and broad from a new draw) and LM; last, sequential-LP minimax
  (``fit.local``). Ends when the budget is spent or ``max_stalls`` rounds bring < 1 %.
  With a ``screen`` threshold (multi-fidelity), the rounds and the minimax run only for a
  program whose first Levenberg-Marquardt point is within it: most children of a search end
  far from the front, and are known to after that first, cheap stage.
* Optionally a float32 polish (``fit.polish``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from autonumerics.fit.cmaes import cmaes_search, search_1d
from autonumerics.fit.local import kick_descent, levenberg_marquardt, slp_minimax
from autonumerics.fit.lp import affine_model, fit_affine
from autonumerics.fit.objective import (
    MAX_MAGNITUDE,
    FitProblem,
    FitResult,
    Objective,
    OutOfBudget,
)
from autonumerics.fit.polish import POLISH_BUDGET, polish_float

__all__ = ["FitProblem", "FitResult", "fit_constants", "initial_constants", "polish_float"]

DEFAULT_BUDGET = 2000  # constant vectors evaluated per fit: ~0.1-0.3 s for a 5-10 op program
FRESH_DECADES = (-2.0, 2.0)  # a fresh constant is +-10**U(-2, 2)
START_SAMPLES = 256  # random draws of the fresh constants evaluated to pick the start
DEGENERATE = 0.1 * MAX_MAGNITUDE  # a constant beyond this marks a degenerate point
MIN_GAIN = 1e-2  # a search round that improves the loss by less than 1 % counts as a stall


def initial_constants(init: np.ndarray, fresh: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``init`` with every fresh constant replaced by a random sign times 10**U(-2, 2)."""
    start = np.array(init, dtype=np.float64)
    count = int(np.count_nonzero(fresh))
    signs = rng.choice([-1.0, 1.0], size=count)
    start[fresh] = signs * 10.0 ** rng.uniform(*FRESH_DECADES, size=count)
    return start


def fit_constants(
    problem: FitProblem,
    init: np.ndarray,
    fresh: np.ndarray | None,
    rng: np.random.Generator,
    *,
    budget: int = DEFAULT_BUDGET,
    evaluate_batch_f32: Callable[[np.ndarray], np.ndarray] | None = None,
    polish_dtype: str = "float32",
    polish_budget: int = POLISH_BUDGET,
    max_stalls: int = 3,
    screen: float | None = None,
) -> FitResult:
    """Fit a program's constants to minimise the max error on the training points.

    Args:
        problem: the batched evaluation, the exact labels and the loss.
        init: starting constants, shape ``(k,)`` (the parent's, for a child).
        fresh: which constants are new (randomly initialised on a log scale); None = none.
            A non-finite constant of ``init`` is started at random too, fresh or not.
        rng: the only source of randomness (the fit is deterministic given its state).
        budget: constant vectors ``evaluate_batch`` may be asked for in total.
        evaluate_batch_f32: when given, the program evaluated in ``polish_dtype``; the fitted
            constants are then rounded to that format and polished by a ulp-step local search.
        polish_dtype: the format of the polish (its constants and its ULP loss).
        polish_budget: evaluations allowed for the polish.
        max_stalls: nonlinear programs: stop after this many search rounds in a row without
            improvement (early stopping), even with budget left.
        screen: nonlinear programs: the loss the first Levenberg-Marquardt fit must reach for
            the global search rounds and the minimax to run; above it the fit stops there
            (method ``lm+screen``). None: no screen.

    Returns:
        The best constants seen, their loss, the stages that ran and the evaluations spent.
        The loss is +inf when no finite point was found (never an exception).
    """
    init = np.asarray(init, dtype=np.float64).reshape(-1)
    fresh = (
        np.zeros(init.size, dtype=bool)
        if fresh is None
        else np.asarray(fresh, dtype=bool).reshape(-1)
    )
    if fresh.shape != init.shape:
        raise ValueError(f"fresh has shape {fresh.shape}, init has {init.shape}")
    # inf or NaN cannot warm-start (every loss from it is inf); a child gets one where a fold
    # divided by an inherited zero or overflowed (x / 0 is canonically x * inf)
    fresh = fresh | ~np.isfinite(init)
    fit = _Fit(Objective(problem, budget), init, fresh, rng, max_stalls, screen)
    start = fit.draw()
    # the budget is the normal way a fit ends; the best point is in the objective
    with contextlib.suppress(OutOfBudget):
        _run_stages(fit, start)
    objective = fit.objective
    constants = objective.best_constants if objective.best_constants is not None else start
    method = "+".join(fit.stages) or "probe"  # "probe": the budget ended in the affine test
    result = FitResult(constants, objective.best_loss, method, objective.n_evaluations)
    if evaluate_batch_f32 is None:
        return result
    return polish_float(problem, result, evaluate_batch_f32, polish_dtype, polish_budget)


@dataclass(frozen=True)
class _Fit:
    """What the stages of one fit share.

    Attributes:
        objective: the budgeted evaluation, which keeps the best point seen.
        init: the starting constants; ``fresh``: which of them are drawn at random.
        rng: the fit's only source of randomness.
        max_stalls: search rounds in a row without improvement before the search stops.
        screen: the loss the first local fit must reach for the global rounds (None: no screen).
        stages: the names of the stages run so far, each once, in order.
    """

    objective: Objective
    init: np.ndarray
    fresh: np.ndarray
    rng: np.random.Generator
    max_stalls: int
    screen: float | None = None
    stages: list[str] = field(default_factory=list)

    def draw(self) -> np.ndarray:
        """``init`` with new random values of the fresh constants."""
        return initial_constants(self.init, self.fresh, self.rng)

    def ran(self, stage: str) -> None:
        """Record that a stage ran (once)."""
        if stage not in self.stages:
            self.stages.append(stage)


def _run_stages(fit: _Fit, start: np.ndarray) -> None:
    """Pick and run the stages for this program (see the module docstring)."""
    objective, k = fit.objective, start.size
    if k == 0:
        fit.ran("none")
        objective.losses(np.zeros((1, 0)))
        return
    model = affine_model(objective, k, fit.rng)
    if model is not None:
        fit.ran("lp")
        fit_affine(objective, model)
        return
    if fit.fresh.any():
        # Random draws of the fresh constants are cheap in one batch; start from the best.
        draws = [start] + [fit.draw() for _ in range(START_SAMPLES - 1)]
        start = draws[int(np.argmin(objective.losses(np.vstack(draws))))]
    else:
        objective.losses(start)
    if k == 1:
        fit.ran("1d")
        search_1d(objective, float(start[0]))
        return
    fit.ran("lm")
    _fit_nonlinear(fit, start)


def _fit_nonlinear(fit: _Fit, start: np.ndarray) -> None:
    """The search rounds within the budget, less a reserve for the final sequential-LP minimax.

    With a screen, the rounds and the final minimax run only when the first Levenberg-Marquardt
    fit reaches it (else the child keeps that fit, method ``lm+screen``).
    """
    objective = fit.objective
    reserve = min(objective.remaining // 5, 40 * (2 * start.size + 2))  # 2k + 2 per LP step
    objective.budget -= reserve
    with contextlib.suppress(OutOfBudget):
        point, loss = levenberg_marquardt(objective, start)
        if _passes_screen(fit):
            _global_rounds(fit, start, point, loss)
    objective.budget += reserve
    if not _passes_screen(fit):
        fit.ran("screen")
    elif np.isfinite(objective.best_loss):
        fit.ran("slp")
        slp_minimax(objective, objective.best_constants)


def _passes_screen(fit: _Fit) -> bool:
    """No screen, or the best loss so far reaches it."""
    return fit.screen is None or fit.objective.best_loss <= fit.screen


def _global_rounds(fit: _Fit, start: np.ndarray, point: np.ndarray, loss: float) -> None:
    """From the Levenberg-Marquardt point of the start, rounds of CMA-ES + LM, each ending in kicks.

    Rounds alternate between CMA-ES around the best point (sigma doubling from 0.3, population
    from 16: IPOP) and, when some constants are fresh or nothing finite was found yet, a broad
    CMA-ES (sigma 2, a factor ~e^2 per step in magnitude) from a new random draw of them.
    Kicks run from each round's own result, not only from the best point, so a round that
    lands in a new basin explores it; they may use half of the remaining budget. Stops after
    ``max_stalls`` rounds in a row without improvement, or when the budget runs out
    (``OutOfBudget``).
    """
    objective, rng = fit.objective, fit.rng
    sigma, population, stalls, restart = 0.3, 16, 0, 0
    while stalls < fit.max_stalls:
        before = objective.best_loss
        if np.isfinite(loss) and not _degenerate(point):
            fit.ran("kick")
            kick_descent(objective, point, loss, rng, objective.remaining // 2)
        stuck = not np.isfinite(objective.best_loss) or _degenerate(objective.best_constants)
        explore = stuck or (fit.fresh.any() and restart % 2 == 1)
        if explore:
            found = cmaes_search(objective, fit.draw(), 2.0, 32, rng)
        else:
            found = cmaes_search(objective, objective.best_constants, sigma, population, rng)
            sigma, population = min(2.0 * sigma, 4.0), min(2 * population, 256)
        fit.ran("cmaes")
        point, loss = (start, np.inf) if found is None else levenberg_marquardt(objective, found)
        stalls = 0 if objective.best_loss < before * (1.0 - MIN_GAIN) else stalls + 1
        restart += 1


def _degenerate(point: np.ndarray) -> bool:
    """Whether constants ran off towards infinity (to the search's magnitude limit).

    Such a point sits in a degenerate limit of the program (a group of constants emulating a
    lower-order form); one-constant kicks cannot bring the group back and CMA-ES around it
    only explores the same limit, so the search explores from fresh draws instead.
    """
    return bool(np.max(np.abs(point)) >= DEGENERATE)

