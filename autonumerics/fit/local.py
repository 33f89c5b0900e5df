"""Local stages for nonlinear programs: least squares, sequential-LP minimax, basin-hopping kicks.

They work in a log-magnitude space, ``theta = asinh(c / SIGN_ZONE)``: constants of a program
span many orders of magnitude (1.5e4 next to -1), finite-difference steps become relative, and
the scale invariances common in rational programs (c3 -> l c3, c1 -> l^2 c1, ...) become straight
lines, which Gauss-Newton follows in a few steps instead of crawling along a curved valley.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from autonumerics.fit.lp import minimax_step
from autonumerics.fit.objective import MAX_MAGNITUDE, Objective, max_abs

SIGN_ZONE = 1e-8  # below this magnitude theta is linear in c, so a constant can cross zero
CLIP = 1e10  # residuals are clipped here for least squares: inf/nan become a large finite penalty
KICK_FACTORS = (3.0, 1.0 / 3.0, 10.0, 0.1, -1.0)
REDRAWS = 2
LM_TOLERANCE = 1e-12  # relative change of cost / step at which least squares has converged
SLP_MIN_GAIN = 1e-4  # sequential LP stops when a step is predicted to gain less than this


def to_theta(constants: np.ndarray) -> np.ndarray:
    """Constants to the log-magnitude search space (|c| > ~1e300 maps to +-inf)."""
    with np.errstate(over="ignore"):
        return np.arcsinh(np.asarray(constants, dtype=np.float64) / SIGN_ZONE)


def from_theta(theta: np.ndarray) -> np.ndarray:
    """The log-magnitude search space back to constants (overflow saturates to +-inf)."""
    with np.errstate(over="ignore"):
        return SIGN_ZONE * np.sinh(theta)


def theta_residuals(objective: Objective, theta: np.ndarray) -> np.ndarray:
    """Weighted residuals of a ``(pop, k)`` batch given in theta space."""
    return objective.residuals(from_theta(np.atleast_2d(theta)))


def theta_jacobian(objective: Objective, theta: np.ndarray, step: float = 1e-5) -> np.ndarray:
    """Central-difference Jacobian in theta space (relative steps in c): one batch, ``2k`` rows."""
    k = theta.size
    r = theta_residuals(objective, np.vstack([theta + step * np.eye(k), theta - step * np.eye(k)]))
    with np.errstate(all="ignore"):
        return ((r[:k] - r[k:]) / (2.0 * step)).T


def levenberg_marquardt(
    objective: Objective, constants: np.ndarray, max_nfev: int = 100
) -> tuple[np.ndarray, float]:
    """Least squares on the weighted residuals (scipy's trust-region reflective solver).

    The L2 optimum is not the minimax one but lies close to it, in its basin: this stage does the
    long travel cheaply, ``slp_minimax`` finishes.

    Returns:
        The least-squares point and its max error (``constants`` and +inf when the start is not
        finite).
    """
    theta = to_theta(constants)
    if not (np.all(np.isfinite(theta)) and np.isfinite(objective.losses(constants)[0])):
        return constants, np.inf

    # The magnitude limit is a clip inside the function (flat beyond it), not solver bounds:
    # scipy's bounded trust-region variant converges far more slowly on these problems.
    limit = float(to_theta(MAX_MAGNITUDE))

    def fun(theta: np.ndarray) -> np.ndarray:
        r = theta_residuals(objective, np.clip(theta, -limit, limit))[0]
        return np.clip(np.nan_to_num(r, nan=CLIP), -CLIP, CLIP)

    def jac(theta: np.ndarray) -> np.ndarray:
        j = theta_jacobian(objective, np.clip(theta, -limit, limit))
        return np.clip(np.nan_to_num(j, nan=CLIP), -CLIP, CLIP)

    try:
        solution = least_squares(
            fun,
            np.clip(theta, -limit, limit),
            jac=jac,
            method="trf",
            x_scale="jac",
            max_nfev=max_nfev,
            ftol=LM_TOLERANCE,
            xtol=LM_TOLERANCE,
            gtol=LM_TOLERANCE,
        )
    except (np.linalg.LinAlgError, ValueError):
        return constants, np.inf
    worst = float(np.max(np.abs(solution.fun)))  # clipped residuals: CLIP stands for non-finite
    return from_theta(np.clip(solution.x, -limit, limit)), (worst if worst < CLIP else np.inf)


def slp_minimax(objective: Objective, constants: np.ndarray, max_iterations: int = 40) -> None:
    """Nonlinear discrete minimax by sequential LP with a trust region, in theta space.

    Each step solves the linearised minimax problem exactly (``minimax_step``); near a minimax
    point this converges about quadratically, from ~1e-10 to the rounding floor in a few LPs.
    The trust radius (in units of the current max error, per orthonormal direction) doubles after
    a step the model predicted well and shrinks after a poor one.
    """
    theta = to_theta(constants)
    residual = theta_residuals(objective, theta)[0]
    current, bound = float(max_abs(residual)), 1.0
    for _ in range(max_iterations):
        jac = theta_jacobian(objective, theta)
        if not (np.isfinite(current) and np.all(np.isfinite(jac))):
            return
        step, predicted = minimax_step(residual, jac, bound)
        if not predicted < current * (1.0 - SLP_MIN_GAIN):
            return
        new_residual = theta_residuals(objective, theta + step)[0]
        new = float(max_abs(new_residual))
        ratio = (current - new) / (current - predicted)
        if new < current:
            theta, residual, current = theta + step, new_residual, new
        bound = bound * 0.25 if ratio < 0.25 else bound * 2.0 if ratio > 0.75 else bound
        if bound < 1e-9:
            return


def kick_descent(
    objective: Objective,
    point: np.ndarray,
    loss: float,
    rng: np.random.Generator,
    max_evaluations: int,
    trial_nfev: int = 40,
) -> tuple[np.ndarray, float]:
    """Basin hopping: scale one constant at a time by 3, 1/3, 10, 1/10 or -1 and refit locally.

    Minimax fits of rational-like programs have many local minima that differ mainly in one
    constant (a pole or a term switched off); a local fit from a kicked point crosses barriers a
    population-based search rarely crosses. Each kick gets a short least-squares run
    (``trial_nfev``); the first that beats ``point`` is refitted to convergence, taken, and the
    kicks start over from there, until none of them improves or ``max_evaluations`` are spent.

    Returns:
        The best point reached from ``point`` and its loss.
    """
    stop = objective.n_evaluations + max_evaluations
    improved = True
    while improved:
        improved = False
        for j in rng.permutation(point.size):
            for value in _kicked_values(point, j, rng):
                if objective.n_evaluations >= stop:
                    return point, loss
                kicked = point.copy()
                kicked[j] = value
                trial, trial_loss = levenberg_marquardt(objective, kicked, trial_nfev)
                if trial_loss < loss * (1.0 - 1e-6):
                    fitted, fitted_loss = levenberg_marquardt(objective, trial)
                    point, loss = (
                        (fitted, fitted_loss) if fitted_loss < trial_loss else (trial, trial_loss)
                    )
                    improved = True
                    break
            if improved:
                break
    return point, loss


def _kicked_values(point: np.ndarray, j: int, rng: np.random.Generator) -> np.ndarray:
    """Values to try for constant ``j``: multiples of it, and random redraws.

    A redraw has a random sign and a log-uniform magnitude from 1e-2 to 10x the largest constant.
    A constant that fell to ~0 (below 1e-6 of the largest: its term is switched off) gets only
    redraws, since multiplying it does nothing; the others get the multiples and two redraws.
    """
    scale = max(float(np.max(np.abs(point))), 1.0)
    switched_off = abs(point[j]) < 1e-6 * scale
    count = len(KICK_FACTORS) + REDRAWS if switched_off else REDRAWS
    top = np.log10(scale) + 1.0
    redraws = rng.choice([-1.0, 1.0], size=count) * 10.0 ** rng.uniform(-2.0, top, size=count)
    if switched_off:
        return redraws
    return np.concatenate([point[j] * np.array(KICK_FACTORS), redraws])
