"""Derivative-free stages: CMA-ES on the max error, and a 1-D search for a single constant."""

from __future__ import annotations

import numpy as np
from cmaes import CMA

from autonumerics.fit.objective import MAX_MAGNITUDE, Objective

INFEASIBLE = 1e6  # CMA ranks on log(loss); a non-finite candidate ranks below every finite one


def cmaes_search(
    objective: Objective,
    center: np.ndarray,
    sigma: float,
    population: int,
    rng: np.random.Generator,
    *,
    max_generations: int = 1000,
    patience: int = 30,
) -> np.ndarray | None:
    """One CMA-ES run on log(max error) around ``center``; returns the best point it evaluated.

    The search space is ``z = asinh(c / s)`` with ``s = |center| / 10`` per coordinate (1e-3 for a
    zero): a step of ``sigma`` is a relative change for every constant whatever its magnitude, a
    large ``sigma`` explores magnitudes on a log scale, and signs can flip (zero is 3 units away).
    Each generation is one ``evaluate_batch`` call. Stops after ``patience`` generations without
    a 0.1 % improvement, when CMA's own criteria fire, or after ``max_generations``.
    """
    center = np.asarray(center, dtype=np.float64)
    scale = np.where(center != 0.0, 0.1 * np.abs(center), 1e-3)
    optimizer = CMA(
        mean=np.arcsinh(center / scale),
        sigma=sigma,
        population_size=population,
        seed=int(rng.integers(2**31)),
    )
    best_z, best_value, stalled = None, np.inf, 0
    for _ in range(max_generations):
        if objective.remaining < population or _converged(optimizer) or stalled >= patience:
            break
        z = np.array([optimizer.ask() for _ in range(population)])
        with np.errstate(over="ignore"):
            losses = objective.losses(np.clip(scale * np.sinh(z), -MAX_MAGNITUDE, MAX_MAGNITUDE))
        with np.errstate(divide="ignore"):
            values = np.where(np.isfinite(losses), np.log(losses), INFEASIBLE)
        optimizer.tell(list(zip(z, values, strict=True)))
        winner = int(np.argmin(values))
        stalled = 0 if values[winner] < best_value - 1e-3 else stalled + 1
        if values[winner] < best_value:
            best_z, best_value = z[winner], values[winner]
    if best_z is None or best_value >= INFEASIBLE:
        return None
    with np.errstate(over="ignore"):
        return np.clip(scale * np.sinh(best_z), -MAX_MAGNITUDE, MAX_MAGNITUDE)


def _converged(optimizer: CMA) -> bool:
    """CMA's own stop criteria. Along a ridge of equivalent constants (``c0 * c1`` seen only as
    a product) the covariance collapses across it until an eigenvalue is exactly 0; the
    condition number is then max/0 = inf, which is the intended "stop", not an error."""
    with np.errstate(divide="ignore"):
        return bool(optimizer.should_stop())


def search_1d(
    objective: Objective,
    start: float,
    *,
    points: int = 17,
    tolerance: float = 1e-15,
    max_zooms: int = 60,
) -> None:
    """Minimise the max error over a single constant: a log grid bracket, then batched zooming.

    The grid covers +-10^[-8, 8], zero, and start * 10^[-1, 1]; the best grid point and its two
    neighbours bracket a minimum. Each zoom step evaluates ``points`` equally spaced values in the
    bracket in one batch and keeps the best one's neighbours (a parallel golden-section search that
    does not need the max error to be smooth), until the bracket is ``tolerance`` relative wide.
    Results land in ``objective.best_*``.
    """
    magnitudes = 10.0 ** np.linspace(-8, 8, 65)
    local = start * 10.0 ** np.linspace(-1, 1, 41) if start != 0.0 else np.empty(0)
    grid = np.unique(np.concatenate([-magnitudes, [0.0], magnitudes, local]))
    for _ in range(max_zooms):
        if objective.remaining < grid.size:
            return
        losses = objective.losses(grid[:, None])
        if not np.any(np.isfinite(losses)):
            return
        best = int(np.argmin(losses))
        low, high = grid[max(best - 1, 0)], grid[min(best + 1, grid.size - 1)]
        if high - low <= tolerance * max(abs(grid[best]), 1e-300):
            return
        grid = np.linspace(low, high, points)
